#pragma once

// A snapshot is the state of a Delta table at one version: protocol, metadata, the live files, app
// transactions and domain metadata, reconstructed by log replay (PROTOCOL.md, "Action
// Reconciliation") from the newest usable checkpoint plus the commits after it.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/type_fwd.h>

#include "basin/base/status.h"
#include "basin/delta/actions.h"
#include "basin/io/file_system.h"

namespace basin::delta {

/// What to load: the latest version, a given version, or the version current at a timestamp.
struct SnapshotOptions {
  std::optional<int64_t> version;
  /// Milliseconds since the epoch; the snapshot is the last commit at or before it.
  std::optional<int64_t> timestamp_ms;
};

/// One commit file of the log.
struct CommitFile {
  int64_t version = 0;
  std::string path;
  int64_t size = 0;
  /// File modification time in ms.
  int64_t modification_time = 0;
};

/// The files a snapshot was replayed from.
struct LogSegment {
  int64_t version = -1;
  /// Version of the checkpoint used, if any.
  std::optional<int64_t> checkpoint_version;
  /// Checkpoint files used (one for classic/V2, several for multi-part).
  std::vector<std::string> checkpoint_files;
  /// Commits after the checkpoint, ascending.
  std::vector<CommitFile> commits;
};

class Snapshot {
 public:
  /// Loads the snapshot of the table at `table_root` (the folder holding `_delta_log`).
  /// Fails with DELTA_TABLE_NOT_FOUND / DELTA_MISSING_DELTA_TABLE for a non-Delta folder,
  /// DELTA_UNSUPPORTED_FEATURES_FOR_READ naming a feature Basin lacks,
  /// DELTA_INVALID_PROTOCOL_VERSION for an unsupported reader version, DELTA_VERSIONS_NOT_CONTIGUOUS
  /// for a gap, DELTA_STATE_RECOVER_ERROR when protocol or metadata is missing.
  static Result<std::shared_ptr<const Snapshot>> Load(const io::Location& table_root,
                                                      const SnapshotOptions& options = {});

  const io::Location& table_root() const { return table_root_; }
  int64_t version() const { return segment_.version; }
  const LogSegment& log_segment() const { return segment_; }
  const Protocol& protocol() const { return protocol_; }
  const Metadata& metadata() const { return metadata_; }
  /// The live data files, in log order of their latest add.
  const std::vector<AddFile>& files() const { return files_; }
  /// Remove actions still in the log state (tombstones), for vacuum and conflict checks.
  const std::vector<RemoveFile>& tombstones() const { return tombstones_; }
  const std::map<std::string, Txn>& app_transactions() const { return app_transactions_; }
  const std::map<std::string, DomainMetadata>& domain_metadata() const { return domains_; }
  /// The commit timestamp of this version in ms: inCommitTimestamp when enabled, else the
  /// commit file's modification time.
  int64_t timestamp_ms() const { return timestamp_ms_; }
  /// The table's logical schema as Arrow: logical names, column-mapping id and physical name in
  /// field metadata (keys "delta.columnMapping.id", "delta.columnMapping.physicalName").
  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }
  /// "none", "id" or "name" (delta.columnMapping.mode).
  std::string column_mapping_mode() const;

 private:
  friend class SnapshotBuilder;
  Snapshot() = default;

  io::Location table_root_;
  LogSegment segment_;
  Protocol protocol_;
  Metadata metadata_;
  std::vector<AddFile> files_;
  std::vector<RemoveFile> tombstones_;
  std::map<std::string, Txn> app_transactions_;
  std::map<std::string, DomainMetadata> domains_;
  int64_t timestamp_ms_ = 0;
  std::shared_ptr<arrow::Schema> schema_;
};

/// Lists the commit files of the table (versions ascending), ignoring hidden and unknown files.
Result<std::vector<CommitFile>> ListCommitFiles(const io::Location& table_root);

/// Returns the commit timestamp of each version in [from, to] (inCommitTimestamp when present,
/// else file modification time), for history and timestamp time travel.
Result<std::map<int64_t, int64_t>> CommitTimestamps(const io::Location& table_root);

/// Fails with DELTA_INVALID_PROTOCOL_VERSION or DELTA_UNSUPPORTED_FEATURES_FOR_READ (naming the
/// features) when Basin cannot read a table with `protocol`.
Status CheckReadSupported(const Protocol& protocol, const std::string& table_path);

/// Returns true if the table records in-commit timestamps (delta.enableInCommitTimestamps).
bool InCommitTimestampsEnabled(const Metadata& metadata);

/// Formats a version number as the 20-digit log file stem, e.g. 00000000000000000012.
std::string VersionStem(int64_t version);

}  // namespace basin::delta
