#include "basin/delta/snapshot.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "basin/delta/checkpoint_reader.h"
#include "basin/delta/checkpoint_writer.h"
#include "basin/delta/log_listing.h"
#include "basin/delta/snapshot_pin.h"
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

// The snapshots pinned on this thread, innermost last.
thread_local std::vector<std::shared_ptr<const Snapshot>> pinned_snapshots;

bool SameTable(const io::Location& a, const io::Location& b) {
  return a.path == b.path && (a.fs == b.fs || (a.fs && b.fs && a.fs->Equals(*b.fs)));
}

}  // namespace

SnapshotPin::SnapshotPin(std::shared_ptr<const Snapshot> snapshot)
    : snapshot_(std::move(snapshot)) {
  if (snapshot_) pinned_snapshots.push_back(snapshot_);
}

SnapshotPin::~SnapshotPin() {
  if (!snapshot_) return;
  auto it = std::find(pinned_snapshots.rbegin(), pinned_snapshots.rend(), snapshot_);
  if (it != pinned_snapshots.rend()) pinned_snapshots.erase(std::next(it).base());
}

std::shared_ptr<const Snapshot> SnapshotPin::FindOlder(
    const io::Location& table_root, int64_t version, std::optional<int64_t> checkpoint_version,
    const std::vector<std::string>& checkpoint_files) {
  for (auto it = pinned_snapshots.rbegin(); it != pinned_snapshots.rend(); ++it) {
    const auto& segment = (*it)->log_segment();
    if ((*it)->version() < version && SameTable((*it)->table_root(), table_root) &&
        segment.checkpoint_version == checkpoint_version &&
        segment.checkpoint_files == checkpoint_files &&
        (!checkpoint_version || (*it)->version() >= *checkpoint_version)) {
      return *it;
    }
  }
  return nullptr;
}

std::shared_ptr<const Snapshot> SnapshotPin::Find(const io::Location& table_root, int64_t version) {
  for (auto it = pinned_snapshots.rbegin(); it != pinned_snapshots.rend(); ++it) {
    if ((*it)->version() == version && SameTable((*it)->table_root(), table_root)) return *it;
  }
  return nullptr;
}

/// Reconciles the actions of a checkpoint and the commits after it (PROTOCOL.md, "Action
/// Reconciliation"). Commits are replayed newest first, so the first action seen for a file,
/// a txn appId, a domain, the protocol or the metadata is the one that holds; the checkpoint,
/// which already holds one action per file, is filtered only against the files its later
/// commits touched, and never hashed when they touched none.
class SnapshotBuilder {
 public:
  explicit SnapshotBuilder(io::Location root) : snapshot_(new Snapshot()) {
    snapshot_->table_root_ = std::move(root);
  }

  /// Reserves room for `rows` more checkpoint actions, nearly all of them adds.
  void ExpectCheckpointRows(int64_t rows) {
    size_t needed = checkpoint_files_.size() + static_cast<size_t>(rows);
    if (needed > checkpoint_files_.capacity()) {
      // Geometric growth across the parts of a multi-part or sidecar checkpoint.
      checkpoint_files_.reserve(std::max(needed, checkpoint_files_.capacity() * 2));
    }
  }

  /// Takes one action of the checkpoint (any order).
  void ApplyCheckpoint(Action&& action) {
    std::visit(
        [this](auto&& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, AddFile>) {
            checkpoint_files_.push_back(std::move(a));
          } else if constexpr (std::is_same_v<T, RemoveFile>) {
            checkpoint_tombstones_.push_back(std::move(a));
          } else if constexpr (std::is_same_v<T, Protocol>) {
            checkpoint_protocol_ = std::move(a);
          } else if constexpr (std::is_same_v<T, Metadata>) {
            checkpoint_metadata_ = std::move(a);
          } else if constexpr (std::is_same_v<T, Txn>) {
            checkpoint_txns_.push_back(std::move(a));
          } else if constexpr (std::is_same_v<T, DomainMetadata>) {
            checkpoint_domains_.push_back(std::move(a));
          }
        },
        std::move(action));
  }

  /// Takes the state of an older snapshot of the same table whose log segment is a prefix of the
  /// one being replayed, in place of its checkpoint and commits: the state reconciled up to
  /// that version is what replaying them again would give.
  void ApplySnapshot(const Snapshot& base) {
    checkpoint_files_ = base.files();
    checkpoint_tombstones_ = base.tombstones();
    checkpoint_protocol_ = base.protocol();
    checkpoint_metadata_ = base.metadata();
    for (const auto& [id, txn] : base.app_transactions()) checkpoint_txns_.push_back(txn);
    for (const auto& [name, domain] : base.domain_metadata()) checkpoint_domains_.push_back(domain);
  }

  /// Takes the actions of one commit; commits must come newest first.
  void ApplyCommitNewestFirst(std::vector<Action>&& actions) {
    const bool newest = !seen_first_commit_;
    seen_first_commit_ = true;
    for (auto action = actions.rbegin(); action != actions.rend(); ++action) {
      std::visit(
          [this, newest](auto&& a) {
            using T = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<T, AddFile>) {
              if (seen_files_.insert(FileKey(a.path, a.deletion_vector)).second) {
                commit_files_.push_back(std::move(a));
              }
            } else if constexpr (std::is_same_v<T, RemoveFile>) {
              if (seen_files_.insert(FileKey(a.path, a.deletion_vector)).second) {
                commit_tombstones_.push_back(std::move(a));
              }
            } else if constexpr (std::is_same_v<T, Protocol>) {
              if (!protocol_) protocol_ = std::move(a);
            } else if constexpr (std::is_same_v<T, Metadata>) {
              if (!metadata_) metadata_ = std::move(a);
            } else if constexpr (std::is_same_v<T, Txn>) {
              snapshot_->app_transactions_.try_emplace(a.app_id, std::move(a));
            } else if constexpr (std::is_same_v<T, DomainMetadata>) {
              if (seen_domains_.insert(a.domain).second && !a.removed) {
                snapshot_->domains_.try_emplace(a.domain, std::move(a));
              }
            } else if constexpr (std::is_same_v<T, CommitInfo>) {
              if (newest && !last_commit_info_) last_commit_info_ = std::move(a);
            }
            // cdc, checkpointMetadata and sidecar actions do not change the table state.
          },
          std::move(*action));
    }
  }

  const std::optional<CommitInfo>& last_commit_info() const { return last_commit_info_; }

  Result<std::shared_ptr<const Snapshot>> Finish(LogSegment segment, int64_t file_mtime_ms) {
    const std::string& path = snapshot_->table_root_.path;
    if (!protocol_) protocol_ = std::move(checkpoint_protocol_);
    if (!metadata_) metadata_ = std::move(checkpoint_metadata_);
    for (auto& txn : checkpoint_txns_) {
      snapshot_->app_transactions_.try_emplace(txn.app_id, std::move(txn));
    }
    for (auto& domain : checkpoint_domains_) {
      if (seen_domains_.insert(domain.domain).second && !domain.removed) {
        snapshot_->domains_.try_emplace(domain.domain, std::move(domain));
      }
    }
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
    // Live files: the checkpoint's (in its order) that no later commit touched, then the
    // commits' in log order. The checkpoint's vector is compacted in place and handed over, so
    // the file list is never held twice.
    auto& files = checkpoint_files_;
    if (!seen_files_.empty()) {
      size_t kept = 0;
      for (size_t i = 0; i < files.size(); ++i) {
        if (seen_files_.count(FileKey(files[i].path, files[i].deletion_vector))) continue;
        if (kept != i) files[kept] = std::move(files[i]);
        ++kept;
      }
      files.resize(kept);
    }
    files.reserve(files.size() + commit_files_.size());
    for (auto it = commit_files_.rbegin(); it != commit_files_.rend(); ++it) {
      files.push_back(std::move(*it));
    }
    snapshot_->files_ = std::move(files);
    for (auto& remove : checkpoint_tombstones_) {
      if (!seen_files_.count(FileKey(remove.path, remove.deletion_vector))) {
        snapshot_->tombstones_.push_back(std::move(remove));
      }
    }
    for (auto it = commit_tombstones_.rbegin(); it != commit_tombstones_.rend(); ++it) {
      snapshot_->tombstones_.push_back(std::move(*it));
    }
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
  // From the checkpoint.
  std::vector<AddFile> checkpoint_files_;
  std::vector<RemoveFile> checkpoint_tombstones_;
  std::optional<Protocol> checkpoint_protocol_;
  std::optional<Metadata> checkpoint_metadata_;
  std::vector<Txn> checkpoint_txns_;
  std::vector<DomainMetadata> checkpoint_domains_;
  // From the commits, newest first.
  bool seen_first_commit_ = false;
  std::unordered_set<std::string> seen_files_;
  std::unordered_set<std::string> seen_domains_;
  std::vector<AddFile> commit_files_;
  std::vector<RemoveFile> commit_tombstones_;
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

// Reads and parses the commit files of versions [from, to] on two background threads while the
// caller reads the checkpoint; Take(v) hands over one version's actions in order.
class CommitPrefetch {
 public:
  CommitPrefetch(const io::Location& root, const std::map<int64_t, CommitFile>& commits,
                 int64_t from, int64_t to)
      : root_(root), commits_(commits), from_(from) {
    if (to < from) return;
    results_.resize(static_cast<size_t>(to - from + 1));
    const int workers = results_.size() > 1 ? 2 : 1;
    for (int w = 0; w < workers; ++w) {
      tasks_.push_back(std::async(std::launch::async, [this, w, workers] {
        for (size_t i = w; i < results_.size(); i += workers) {
          auto it = commits_.find(from_ + static_cast<int64_t>(i));
          if (it == commits_.end()) continue;
          results_[i] = ReadCommit(root_, it->second);
        }
      }));
    }
  }
  ~CommitPrefetch() { Wait(); }

  Result<std::vector<Action>> Take(int64_t version) {
    Wait();
    size_t i = static_cast<size_t>(version - from_);
    if (version >= from_ && i < results_.size() && results_[i]) {
      auto out = std::move(*results_[i]);
      results_[i].reset();
      return out;
    }
    return ReadCommit(root_, commits_.at(version));
  }

 private:
  void Wait() {
    for (auto& task : tasks_) task.wait();
    tasks_.clear();
  }

  io::Location root_;
  const std::map<int64_t, CommitFile>& commits_;
  int64_t from_;
  std::vector<std::optional<Result<std::vector<Action>>>> results_;
  std::vector<std::future<void>> tasks_;
};

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
  if (options.version && !options.timestamp_ms) {
    if (auto pinned = SnapshotPin::Find(table_root, *options.version)) return pinned;
  }
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

  // A pinned older snapshot stands for the log below its version only while the commit files
  // it was replayed from are still the ones listed.
  auto unchanged_below = [&](const std::shared_ptr<const Snapshot>& base) {
    if (!base) return base;
    for (const auto& c : base->log_segment().commits) {
      auto it = listing.commits.find(c.version);
      if (it == listing.commits.end() || it->second.path != c.path || it->second.size != c.size ||
          it->second.modification_time != c.modification_time) {
        return std::shared_ptr<const Snapshot>();
      }
    }
    return base;
  };

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
    // A pinned older snapshot replayed from this checkpoint (the one a statement read, loaded
    // again after its commit) stands for the checkpoint and the commits up to its version.
    auto base = unchanged_below(SnapshotPin::FindOlder(table_root, target, cp.version, cp.paths));
    const int64_t replay_from = base ? base->version() + 1 : cp.version + 1;
    CommitPrefetch prefetch(table_root, listing.commits, replay_from, target);
    SnapshotBuilder builder(table_root);
    if (base) {
      builder.ApplySnapshot(*base);
    } else {
      auto read = ReadCheckpoint(
          table_root, cp.paths,
          [&](Action&& action) { builder.ApplyCheckpoint(std::move(action)); },
          [&](int64_t rows) { builder.ExpectCheckpointRows(rows); });
      if (!read.ok()) {
        last_error = read;
        continue;
      }
    }
    LogSegment segment;
    segment.version = target;
    segment.checkpoint_version = cp.version;
    segment.checkpoint_files = cp.paths;
    for (int64_t v = target; v >= replay_from; --v) {
      ASSIGN_OR_RAISE(auto commit_actions, prefetch.Take(v));
      builder.ApplyCommitNewestFirst(std::move(commit_actions));
    }
    for (int64_t v = cp.version + 1; v <= target; ++v) {
      segment.commits.push_back(listing.commits.at(v));
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
  auto base = unchanged_below(SnapshotPin::FindOlder(table_root, target, std::nullopt, {}));
  const int64_t replay_from = base ? base->version() + 1 : 0;
  CommitPrefetch prefetch(table_root, listing.commits, replay_from, target);
  SnapshotBuilder builder(table_root);
  if (base) builder.ApplySnapshot(*base);
  LogSegment segment;
  segment.version = target;
  for (int64_t v = target; v >= replay_from; --v) {
    ASSIGN_OR_RAISE(auto actions, prefetch.Take(v));
    builder.ApplyCommitNewestFirst(std::move(actions));
  }
  for (int64_t v = 0; v <= target; ++v) segment.commits.push_back(listing.commits.at(v));
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
