#include "basin/delta/snapshot.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <unordered_map>

#include "basin/delta/checkpoint_reader.h"
#include "basin/delta/checkpoint_writer.h"
#include "basin/delta/log_listing.h"
#include "basin/types/schema_json.h"

namespace basin::delta {

namespace {

// Reader features Basin implements (PROTOCOL.md, "Table Features").
const std::set<std::string, std::less<>>& SupportedReaderFeatures() {
  static const auto* features = new std::set<std::string, std::less<>>{
      "columnMapping",       "deletionVectors",   "timestampNtz",
      "typeWidening",        "typeWidening-preview", "v2Checkpoint",
      "vacuumProtocolCheck", "variantType",       "variantType-preview",
      "catalogManaged",      "variantShredding-preview", "variantShredding"};
  return *features;
}

std::string FileKey(const std::string& path, const std::optional<DeletionVectorDescriptor>& dv) {
  return dv ? path + "\x1f" + dv->UniqueId() : path;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string VersionList(const std::map<int64_t, CommitFile>& commits) {
  if (commits.empty()) return "[]";
  return "[" + std::to_string(commits.begin()->first) + ", " +
         std::to_string(commits.rbegin()->first) + "]";
}

}  // namespace

/// Accumulates actions in log order (PROTOCOL.md, "Action Reconciliation").
class SnapshotBuilder {
 public:
  explicit SnapshotBuilder(io::Location root) : snapshot_(new Snapshot()) {
    snapshot_->table_root_ = std::move(root);
  }

  void Apply(Action&& action) {
    std::visit(
        [this](auto&& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, AddFile>) {
            std::string key = FileKey(a.path, a.deletion_vector);
            tombstones_.erase(key);
            auto it = index_.find(key);
            if (it != index_.end()) {
              files_[it->second] = std::move(a);
            } else {
              index_.emplace(std::move(key), files_.size());
              files_.emplace_back(std::move(a));
            }
          } else if constexpr (std::is_same_v<T, RemoveFile>) {
            std::string key = FileKey(a.path, a.deletion_vector);
            auto it = index_.find(key);
            if (it != index_.end()) {
              files_[it->second].reset();
              index_.erase(it);
            }
            tombstones_[key] = std::move(a);
          } else if constexpr (std::is_same_v<T, Protocol>) {
            protocol_ = std::move(a);
          } else if constexpr (std::is_same_v<T, Metadata>) {
            metadata_ = std::move(a);
          } else if constexpr (std::is_same_v<T, Txn>) {
            snapshot_->app_transactions_[a.app_id] = std::move(a);
          } else if constexpr (std::is_same_v<T, DomainMetadata>) {
            if (a.removed) {
              snapshot_->domains_.erase(a.domain);
            } else {
              snapshot_->domains_[a.domain] = std::move(a);
            }
          } else if constexpr (std::is_same_v<T, CommitInfo>) {
            last_commit_info_ = std::move(a);
          }
          // cdc, checkpointMetadata and sidecar actions do not change the table state.
        },
        std::move(action));
  }

  void ResetCommitInfo() { last_commit_info_.reset(); }
  const std::optional<CommitInfo>& last_commit_info() const { return last_commit_info_; }

  Result<std::shared_ptr<const Snapshot>> Finish(LogSegment segment, int64_t file_mtime_ms) {
    const std::string& path = snapshot_->table_root_.path;
    if (!protocol_) {
      return UserError("DELTA_STATE_RECOVER_ERROR",
                       "The protocol of the Delta table at " + path + " could not be recovered "
                       "while reconstructing version " + std::to_string(segment.version) +
                       ": no protocol action was found in the log.");
    }
    if (!metadata_) {
      return UserError("DELTA_STATE_RECOVER_ERROR",
                       "The metadata of the Delta table at " + path + " could not be recovered "
                       "while reconstructing version " + std::to_string(segment.version) +
                       ": no metaData action was found in the log.");
    }
    RETURN_NOT_OK(CheckReadSupported(*protocol_, path));
    snapshot_->protocol_ = std::move(*protocol_);
    snapshot_->metadata_ = std::move(*metadata_);
    ASSIGN_OR_RAISE(snapshot_->schema_,
                    types::SchemaFromDeltaJson(snapshot_->metadata_.schema_string));
    snapshot_->files_.reserve(index_.size());
    for (auto& file : files_) {
      if (file) snapshot_->files_.push_back(std::move(*file));
    }
    snapshot_->tombstones_.reserve(tombstones_.size());
    for (auto& [key, remove] : tombstones_) snapshot_->tombstones_.push_back(std::move(remove));
    // PROTOCOL.md, "Transaction Identifiers": txns older than the retention expire.
    const auto& config = snapshot_->metadata_.configuration;
    if (auto it = config.find("delta.setTransactionRetentionDuration"); it != config.end()) {
      auto retention = ParseIntervalMs(it->second);
      if (retention.ok()) {
        int64_t cutoff = NowMs() - *retention;
        for (auto txn = snapshot_->app_transactions_.begin();
             txn != snapshot_->app_transactions_.end();) {
          if (txn->second.last_updated && *txn->second.last_updated < cutoff) {
            txn = snapshot_->app_transactions_.erase(txn);
          } else {
            ++txn;
          }
        }
      }
    }
    snapshot_->timestamp_ms_ = file_mtime_ms;
    if (last_commit_info_ && InCommitTimestampsEnabled(snapshot_->metadata_)) {
      if (auto ict = last_commit_info_->InCommitTimestamp()) snapshot_->timestamp_ms_ = *ict;
    }
    snapshot_->segment_ = std::move(segment);
    return std::shared_ptr<const Snapshot>(std::move(snapshot_));
  }

 private:
  std::unique_ptr<Snapshot> snapshot_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<std::optional<AddFile>> files_;
  std::unordered_map<std::string, RemoveFile> tombstones_;
  std::optional<Protocol> protocol_;
  std::optional<Metadata> metadata_;
  std::optional<CommitInfo> last_commit_info_;
};

Status CheckReadSupported(const Protocol& protocol, const std::string& table_path) {
  if (protocol.min_reader_version < 1 || protocol.min_reader_version > 3) {
    return UserError(
        "DELTA_INVALID_PROTOCOL_VERSION",
        "Unsupported Delta protocol version: table \"" + table_path + "\" requires reader version " +
            std::to_string(protocol.min_reader_version) + " and writer version " +
            std::to_string(protocol.min_writer_version) +
            ", but Basin supports reading versions 1, 2, 3. Please upgrade to a newer release.");
  }
  if (protocol.min_reader_version == 3) {
    std::vector<std::string> missing;
    for (const auto& feature : protocol.reader_features.value_or(std::vector<std::string>{})) {
      if (!SupportedReaderFeatures().count(feature)) missing.push_back(feature);
    }
    if (!missing.empty()) {
      std::string names;
      for (const auto& f : missing) names += (names.empty() ? "" : ", ") + f;
      return UserError("DELTA_UNSUPPORTED_FEATURES_FOR_READ",
                       "Unable to read this table because it requires reader table feature(s) "
                       "that are unsupported by Basin: " + names + ".");
    }
  }
  return Status::OK();
}

bool InCommitTimestampsEnabled(const Metadata& metadata) {
  auto it = metadata.configuration.find("delta.enableInCommitTimestamps");
  return it != metadata.configuration.end() && it->second == "true";
}

namespace {

Result<std::vector<Action>> ReadCommit(const io::Location& root, const CommitFile& commit) {
  auto content = io::ReadWholeFile(io::Location{root.fs, commit.path});
  if (!content.ok()) {
    return UserError("DELTA_LOG_FILE_NOT_FOUND",
                     "Unable to read the Delta log file " + commit.path + ": " +
                         content.status().message());
  }
  return ParseCommitFile(*content, commit.path);
}

// Returns the timestamp of each commit: its in-commit timestamp where the table records them,
// else the file modification time, made monotonic as delta-spark does.
Result<std::map<int64_t, int64_t>> TimestampsOf(const io::Location& root,
                                                 const std::map<int64_t, CommitFile>& commits) {
  std::map<int64_t, int64_t> out;
  int64_t previous = std::numeric_limits<int64_t>::min();
  for (const auto& [version, commit] : commits) {
    int64_t ts = commit.modification_time;
    // In-commit timestamps: commitInfo is the first action of the commit when enabled.
    auto content = io::ReadWholeFile(io::Location{root.fs, commit.path});
    if (content.ok()) {
      auto newline = content->find('\n');
      auto first = ParseActionLine(std::string_view(*content).substr(0, newline), commit.path);
      if (first.ok() && *first) {
        if (const auto* info = std::get_if<CommitInfo>(&**first)) {
          if (auto ict = info->InCommitTimestamp()) ts = *ict;
        }
      }
    }
    if (ts <= previous) ts = previous + 1;
    out[version] = ts;
    previous = ts;
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<const Snapshot>> Snapshot::Load(const io::Location& table_root,
                                                       const SnapshotOptions& options) {
  ASSIGN_OR_RAISE(auto root_info, table_root.fs->GetFileInfo(table_root.path));
  if (root_info.type() == arrow::fs::FileType::NotFound) {
    return UserError("PATH_NOT_FOUND", "Path does not exist: " + table_root.path + ".");
  }
  ASSIGN_OR_RAISE(auto listing, ListLog(table_root));
  bool any_checkpoint = std::any_of(listing.checkpoints.begin(), listing.checkpoints.end(),
                                    [](const CheckpointFiles& c) { return c.complete(); });
  if (!listing.log_exists || (listing.commits.empty() && !any_checkpoint)) {
    return UserError("DELTA_MISSING_DELTA_TABLE",
                     "`" + table_root.path + "` is not a Delta table.");
  }
  int64_t latest = listing.commits.empty() ? -1 : listing.commits.rbegin()->first;
  for (const auto& cp : listing.checkpoints) {
    if (cp.complete()) latest = std::max(latest, cp.version);
  }

  int64_t target = latest;
  if (options.version) {
    target = *options.version;
    if (target > latest || target < 0) {
      return UserError("DELTA_VERSION_NOT_FOUND",
                       "Cannot time travel Delta table to version " + std::to_string(target) +
                           ". Available versions: " + VersionList(listing.commits) + ".");
    }
  } else if (options.timestamp_ms) {
    ASSIGN_OR_RAISE(auto timestamps, TimestampsOf(table_root, listing.commits));
    if (timestamps.empty()) {
      return UserError("DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION",
                       "No commit files are left to time travel by timestamp.");
    }
    int64_t ts = *options.timestamp_ms;
    if (ts < timestamps.begin()->second) {
      return UserError("DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION",
                       "The provided timestamp (" + std::to_string(ts) +
                           " ms) is before the earliest version available to this table (" +
                           std::to_string(timestamps.begin()->second) +
                           " ms). Please use a timestamp after it.");
    }
    if (ts > timestamps.rbegin()->second) {
      return UserError("DELTA_TIMESTAMP_GREATER_THAN_COMMIT",
                       "The provided timestamp (" + std::to_string(ts) +
                           " ms) is after the latest version available to this table (" +
                           std::to_string(timestamps.rbegin()->second) +
                           " ms). Please use a timestamp before or at it.");
    }
    for (const auto& [version, commit_ts] : timestamps) {
      if (commit_ts <= ts) target = version;
    }
  }

  auto commits_contiguous = [&](int64_t from, int64_t to) -> std::optional<int64_t> {
    for (int64_t v = from; v <= to; ++v) {
      if (!listing.commits.count(v)) return v;
    }
    return std::nullopt;
  };

  // Newest complete checkpoint at or below the target whose later commits are all present; a
  // checkpoint that cannot be read is skipped for an older one (the log is the truth, and
  // _last_checkpoint only a hint, so it is not consulted).
  Status last_error = Status::OK();
  bool saw_incomplete = false;
  for (const auto& cp : listing.checkpoints) {
    if (cp.version > target) continue;
    if (!cp.complete()) {
      saw_incomplete = true;
      continue;
    }
    if (commits_contiguous(cp.version + 1, target)) continue;
    auto actions = ReadCheckpoint(table_root, cp.paths);
    if (!actions.ok()) {
      last_error = actions.status();
      continue;
    }
    SnapshotBuilder builder(table_root);
    for (auto& action : *actions) builder.Apply(std::move(action));
    LogSegment segment;
    segment.version = target;
    segment.checkpoint_version = cp.version;
    segment.checkpoint_files = cp.paths;
    for (int64_t v = cp.version + 1; v <= target; ++v) {
      const CommitFile& commit = listing.commits.at(v);
      ASSIGN_OR_RAISE(auto commit_actions, ReadCommit(table_root, commit));
      builder.ResetCommitInfo();
      for (auto& action : commit_actions) builder.Apply(std::move(action));
      segment.commits.push_back(commit);
    }
    int64_t mtime = 0;
    if (auto it = listing.commits.find(target); it != listing.commits.end()) {
      mtime = it->second.modification_time;
    }
    return builder.Finish(std::move(segment), mtime);
  }

  // No usable checkpoint: replay every commit from version 0.
  if (auto missing = commits_contiguous(0, target)) {
    if (!last_error.ok()) return last_error;
    if (saw_incomplete && !listing.commits.count(0)) {
      return UserError("DELTA_MISSING_PART_FILES",
                       "Couldn't find all part files of the checkpoint of the Delta table at " +
                           table_root.path + ", and no older state can be rebuilt.");
    }
    int64_t first = listing.commits.empty() ? -1 : listing.commits.begin()->first;
    if (*missing == 0 && first > 0) {
      return UserError("DELTA_STATE_RECOVER_ERROR",
                       "Cannot reconstruct version " + std::to_string(target) + " of " +
                           table_root.path + ": the log starts at version " +
                           std::to_string(first) + " and there is no checkpoint to start from.");
    }
    return UserError("DELTA_VERSIONS_NOT_CONTIGUOUS",
                     "Versions are not contiguous in the log of " + table_root.path +
                         ": version " + std::to_string(*missing) +
                         " is missing while reconstructing version " + std::to_string(target) + ".");
  }
  SnapshotBuilder builder(table_root);
  LogSegment segment;
  segment.version = target;
  for (int64_t v = 0; v <= target; ++v) {
    const CommitFile& commit = listing.commits.at(v);
    ASSIGN_OR_RAISE(auto actions, ReadCommit(table_root, commit));
    builder.ResetCommitInfo();
    for (auto& action : actions) builder.Apply(std::move(action));
    segment.commits.push_back(commit);
  }
  return builder.Finish(std::move(segment), listing.commits.at(target).modification_time);
}

std::string Snapshot::column_mapping_mode() const {
  auto it = metadata_.configuration.find("delta.columnMapping.mode");
  return it == metadata_.configuration.end() ? "none" : it->second;
}

Result<std::vector<CommitFile>> ListCommitFiles(const io::Location& table_root) {
  ASSIGN_OR_RAISE(auto listing, ListLog(table_root));
  std::vector<CommitFile> out;
  for (auto& [version, commit] : listing.commits) out.push_back(commit);
  return out;
}

Result<std::map<int64_t, int64_t>> CommitTimestamps(const io::Location& table_root) {
  ASSIGN_OR_RAISE(auto listing, ListLog(table_root));
  return TimestampsOf(table_root, listing.commits);
}

std::string VersionStem(int64_t version) {
  std::string s = std::to_string(version);
  return std::string(s.size() < 20 ? 20 - s.size() : 0, '0') + s;
}

}  // namespace basin::delta
