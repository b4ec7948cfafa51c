#include "basin/delta/vacuum.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include "basin/delta/checkpoint_writer.h"
#include "basin/delta/conflict_checker.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/transaction.h"

namespace basin::delta {

namespace {

// Decodes Z85 (ZeroMQ RFC 32) text whose length is a multiple of 5.
std::optional<std::string> DecodeZ85(const std::string& text) {
  static const std::string kAlphabet =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  if (text.size() % 5 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 5) {
    uint64_t value = 0;
    for (size_t j = 0; j < 5; ++j) {
      auto pos = kAlphabet.find(text[i + j]);
      if (pos == std::string::npos) return std::nullopt;
      value = value * 85 + pos;
    }
    if (value > 0xFFFFFFFFULL) return std::nullopt;
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((value >> shift) & 0xFF));
    }
  }
  return out;
}

bool IsHiddenName(const std::string& name, const std::set<std::string>& partition_columns) {
  if (name.empty() || (name[0] != '_' && name[0] != '.')) return false;
  // Change data files are vacuumed like data files (they are never live in a snapshot).
  if (name.rfind("_change_data", 0) == 0) return false;
  auto eq = name.find('=');
  return !(eq != std::string::npos && partition_columns.count(name.substr(0, eq)) > 0);
}

struct Candidate {
  std::string relative;
  int64_t size;
  int64_t mtime_ms;
};

Status ListFiles(const io::Location& root, const std::string& relative_dir,
                 const std::set<std::string>& partition_columns, std::vector<Candidate>* files,
                 std::vector<std::string>* dirs) {
  io::Location dir = relative_dir.empty() ? root : root.Child(relative_dir);
  ASSIGN_OR_RAISE(auto entries, io::ListDirectory(dir, true));
  for (const auto& entry : entries) {
    std::string name = entry.base_name();
    if (IsHiddenName(name, partition_columns)) continue;
    std::string relative = relative_dir.empty() ? name : relative_dir + "/" + name;
    if (entry.IsDirectory()) {
      dirs->push_back(relative);
      RETURN_NOT_OK(ListFiles(root, relative, partition_columns, files, dirs));
    } else if (entry.IsFile()) {
      int64_t mtime = std::chrono::duration_cast<std::chrono::milliseconds>(
                          entry.mtime().time_since_epoch())
                          .count();
      files->push_back({relative, entry.size(), mtime});
    }
  }
  return Status::OK();
}

}  // namespace

std::optional<std::string> DeletionVectorRelativePath(const std::string& storage_type,
                                                      const std::string& path_or_inline_dv) {
  if (storage_type != "u" || path_or_inline_dv.size() < 20) return std::nullopt;
  std::string prefix = path_or_inline_dv.substr(0, path_or_inline_dv.size() - 20);
  auto bytes = DecodeZ85(path_or_inline_dv.substr(path_or_inline_dv.size() - 20));
  if (!bytes || bytes->size() != 16) return std::nullopt;
  std::string uuid;
  char hex[3];
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) uuid.push_back('-');
    std::snprintf(hex, sizeof(hex), "%02x", static_cast<unsigned char>((*bytes)[i]));
    uuid += hex;
  }
  std::string name = "deletion_vector_" + uuid + ".bin";
  return prefix.empty() ? name : prefix + "/" + name;
}

Result<VacuumResult> VacuumTable(const io::Location& table_root, const VacuumOptions& options) {
  ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(table_root));
  const auto& config = snapshot->metadata().configuration;
  ASSIGN_OR_RAISE(int64_t configured_ms, DeletedFileRetentionMs(config));
  int64_t retention_ms = options.retention_hours
                             ? static_cast<int64_t>(std::llround(*options.retention_hours * 3'600'000.0))
                             : configured_ms;
  if (retention_ms < 0) {
    return UserError("INVALID_PARAMETER_VALUE", "The retention period must not be negative.");
  }
  if (options.retention_check && retention_ms < configured_ms) {
    return UserError(
        "DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT",
        "Are you sure you would like to vacuum files with such a low retention period (" +
            std::to_string(retention_ms / 3'600'000) + " hours)? If you have writers that are "
            "currently writing to this table, there is a risk that you may corrupt the state "
            "of your Delta table. If you are certain that there are no operations being "
            "performed on this table, such as insert/upsert/delete/optimize, then you may turn "
            "off this check by setting: spark.databricks.delta.retentionDurationCheck.enabled "
            "= false. The table's configured retention is " +
            std::to_string(configured_ms / 3'600'000) + " hours.");
  }
  int64_t now = options.now_ms ? *options.now_ms : NowMs();
  int64_t delete_before = now - retention_ms;

  // Files the table still needs, relative to the root and decoded.
  std::string root_prefix = table_root.path + "/";
  auto relative_of = [&](const std::string& log_path) {
    std::string path = DecodeLogPath(log_path);
    for (const char* scheme : {"file://", "file:"}) {
      if (path.rfind(scheme, 0) == 0) path = path.substr(std::string(scheme).size());
    }
    if (path.rfind(root_prefix, 0) == 0) path = path.substr(root_prefix.size());
    return path;
  };
  std::set<std::string> keep;
  auto keep_dv = [&](const std::optional<DeletionVectorDescriptor>& dv) {
    if (!dv) return;
    if (dv->storage_type == "p") keep.insert(relative_of(dv->path_or_inline_dv));
    if (auto p = DeletionVectorRelativePath(dv->storage_type, dv->path_or_inline_dv)) keep.insert(*p);
  };
  for (const auto& f : snapshot->files()) {
    keep.insert(relative_of(f.path));
    keep_dv(f.deletion_vector);
  }
  for (const auto& r : snapshot->tombstones()) {
    if (r.deletion_timestamp.value_or(0) >= delete_before) {
      keep.insert(relative_of(r.path));
      keep_dv(r.deletion_vector);
    }
  }

  std::set<std::string> partition_columns(snapshot->metadata().partition_columns.begin(),
                                          snapshot->metadata().partition_columns.end());
  std::vector<Candidate> candidates;
  std::vector<std::string> dirs;
  RETURN_NOT_OK(ListFiles(table_root, "", partition_columns, &candidates, &dirs));
  VacuumResult result;
  for (const auto& c : candidates) {
    if (keep.count(c.relative) > 0 || c.mtime_ms >= delete_before) continue;
    result.files.push_back(c.relative);
    result.bytes += c.size;
  }
  if (options.dry_run) return result;

  auto start_txn = Transaction::FromSnapshot(snapshot);
  nlohmann::json start_params = {{"retentionCheckEnabled", options.retention_check},
                                 {"defaultRetentionMillis", configured_ms},
                                 {"specifiedRetentionMillis", retention_ms}};
  nlohmann::json start_metrics = {{"numFilesToDelete", std::to_string(result.files.size())},
                                  {"sizeOfDataToDelete", std::to_string(result.bytes)}};
  ASSIGN_OR_RAISE(auto start, start_txn.Commit("VACUUM START", start_params, start_metrics));
  result.start_version = start.version;

  Status deleted = Status::OK();
  int64_t num_deleted = 0;
  for (const auto& relative : result.files) {
    Status s = table_root.fs->DeleteFile(table_root.Child(relative).path);
    if (s.ok()) {
      ++num_deleted;
    } else if (deleted.ok()) {
      deleted = s;
    }
  }
  // Remove folders left empty, deepest first.
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    auto entries = io::ListDirectory(table_root.Child(*it), true);
    if (entries.ok() && entries->empty() && table_root.fs->DeleteDir(table_root.Child(*it).path).ok()) {
      ++result.num_deleted_directories;
    }
  }
  ASSIGN_OR_RAISE(auto latest, Snapshot::Load(table_root));
  auto end_txn = Transaction::FromSnapshot(latest);
  nlohmann::json end_params = {{"status", deleted.ok() ? "COMPLETED" : "FAILED"}};
  nlohmann::json end_metrics = {{"numDeletedFiles", std::to_string(num_deleted)},
                                {"numVacuumedDirectories", std::to_string(dirs.size())}};
  ASSIGN_OR_RAISE(auto end, end_txn.Commit("VACUUM END", end_params, end_metrics));
  result.end_version = end.version;
  RETURN_NOT_OK(deleted);
  return result;
}

}  // namespace basin::delta
