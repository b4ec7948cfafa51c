#include "basin/delta/restore.h"

#include <algorithm>
#include <map>

#include "basin/delta/conflict_checker.h"
#include "basin/delta/history.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/transaction.h"

namespace basin::delta {

namespace {

std::string FileKey(const AddFile& add) {
  return DecodeLogPath(add.path) + "|" +
         (add.deletion_vector ? add.deletion_vector->UniqueId() : std::string());
}

}  // namespace

Result<RestoreResult> RestoreTable(const io::Location& table_root, const RestoreOptions& options) {
  if (options.version.has_value() == options.timestamp_ms.has_value()) {
    return UserError("INVALID_PARAMETER_VALUE",
                     "RESTORE needs exactly one of a version or a timestamp.");
  }
  ASSIGN_OR_RAISE(auto txn, Transaction::Begin(table_root));
  auto current = txn.read_snapshot();
  if (!current) {
    return UserError("DELTA_MISSING_DELTA_TABLE", "'" + table_root.path + "' is not a Delta table.");
  }
  ASSIGN_OR_RAISE(auto commits, ListCommitFiles(table_root));
  int64_t earliest = commits.empty() ? current->version() : commits.front().version;
  if (current->log_segment().checkpoint_version) {
    earliest = std::min(earliest, *current->log_segment().checkpoint_version);
  }
  SnapshotOptions target_options;
  if (options.version) {
    if (*options.version < earliest || *options.version > current->version()) {
      return UserError("DELTA_CANNOT_RESTORE_TABLE_VERSION",
                       "Cannot restore table to version " + std::to_string(*options.version) +
                           ". Available versions: [" + std::to_string(earliest) + ", " +
                           std::to_string(current->version()) + "].");
    }
    target_options.version = options.version;
  } else {
    ASSIGN_OR_RAISE(auto timestamps, CommitTimestamps(table_root));
    if (!timestamps.empty() && *options.timestamp_ms > timestamps.rbegin()->second) {
      return UserError("DELTA_CANNOT_RESTORE_TIMESTAMP_GREATER",
                       "Cannot restore table to timestamp (" +
                           FormatMillisUtc(*options.timestamp_ms) +
                           ") as it is after the latest version available. Please use a "
                           "timestamp before (" + FormatMillisUtc(timestamps.rbegin()->second) +
                           ").");
    }
    if (timestamps.empty() || *options.timestamp_ms < timestamps.begin()->second) {
      return UserError("DELTA_CANNOT_RESTORE_TIMESTAMP_EARLIER",
                       "Cannot restore table to timestamp (" +
                           FormatMillisUtc(*options.timestamp_ms) +
                           ") as it is before the earliest version available. Please use a "
                           "timestamp after (" +
                           (timestamps.empty() ? std::string("?")
                                               : FormatMillisUtc(timestamps.begin()->second)) +
                           ").");
    }
    target_options.timestamp_ms = options.timestamp_ms;
  }
  ASSIGN_OR_RAISE(auto target, Snapshot::Load(table_root, target_options));

  std::map<std::string, const AddFile*> live, wanted;
  for (const auto& f : current->files()) live[FileKey(f)] = &f;
  for (const auto& f : target->files()) wanted[FileKey(f)] = &f;

  RestoreResult result;
  result.restored_version = target->version();
  int64_t now = NowMs();
  std::vector<std::string> missing;
  std::vector<AddFile> to_add;
  for (const auto& [key, add] : wanted) {
    result.num_of_files_after_restore += 1;
    result.table_size_after_restore += add->size;
    if (live.count(key) > 0) continue;
    ASSIGN_OR_RAISE(bool exists, io::Exists(table_root.Child(DecodeLogPath(add->path))));
    if (!exists) {
      if (missing.size() < 100) missing.push_back(add->path);
      continue;
    }
    AddFile restored = *add;
    restored.data_change = true;
    to_add.push_back(std::move(restored));
    result.num_restored_files += 1;
    result.restored_files_size += add->size;
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    return UserError("DELTA_CANNOT_RESTORE_TABLE_VERSION",
                     "Cannot restore table to version " + std::to_string(target->version()) +
                         ": not all of its data files are available in the file system (they "
                         "may have been vacuumed). Missing files (first 100): " + list +
                         ". Please restore a more recent version or timestamp.");
  }

  txn.MarkTableRead();
  std::vector<std::string> removed_paths;
  for (const auto& [key, add] : live) {
    if (wanted.count(key) > 0) continue;
    RemoveFile r;
    r.path = add->path;
    r.deletion_timestamp = now;
    r.data_change = true;
    r.extended_file_metadata = true;
    r.partition_values = add->partition_values;
    r.size = add->size;
    r.deletion_vector = add->deletion_vector;
    r.base_row_id = add->base_row_id;
    r.default_row_commit_version = add->default_row_commit_version;
    txn.Remove(std::move(r));
    removed_paths.push_back(add->path);
    result.num_removed_files += 1;
    result.removed_files_size += add->size;
  }
  txn.MarkFilesRead(removed_paths);
  for (auto& add : to_add) txn.Add(std::move(add));

  // Metadata goes back to the target's; the protocol never downgrades.
  const auto& target_metadata = target->metadata();
  if (target_metadata.schema_string != current->metadata().schema_string ||
      target_metadata.configuration != current->metadata().configuration ||
      target_metadata.partition_columns != current->metadata().partition_columns) {
    txn.UpdateMetadata(target_metadata);
  }
  const auto& tp = target->protocol();
  const auto& cp = current->protocol();
  if (tp.min_reader_version > cp.min_reader_version ||
      tp.min_writer_version > cp.min_writer_version) {
    Protocol p = cp;
    p.min_reader_version = std::max(tp.min_reader_version, cp.min_reader_version);
    p.min_writer_version = std::max(tp.min_writer_version, cp.min_writer_version);
    txn.UpdateProtocol(p);
  }

  nlohmann::json parameters = nlohmann::json::object();
  parameters["version"] = options.version ? nlohmann::json(std::to_string(*options.version))
                                          : nlohmann::json();
  parameters["timestamp"] = options.timestamp_ms
                                ? nlohmann::json(FormatMillisUtc(*options.timestamp_ms))
                                : nlohmann::json();
  nlohmann::json metrics = {
      {"tableSizeAfterRestore", std::to_string(result.table_size_after_restore)},
      {"numOfFilesAfterRestore", std::to_string(result.num_of_files_after_restore)},
      {"numRemovedFiles", std::to_string(result.num_removed_files)},
      {"numRestoredFiles", std::to_string(result.num_restored_files)},
      {"removedFilesSize", std::to_string(result.removed_files_size)},
      {"restoredFilesSize", std::to_string(result.restored_files_size)}};
  ASSIGN_OR_RAISE(auto committed, txn.Commit("RESTORE", parameters, metrics));
  result.version = committed.version;
  return result;
}

}  // namespace basin::delta
