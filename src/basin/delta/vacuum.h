#pragma once

// VACUUM: deletes files under a table's root that the current snapshot does not need and that
// are older than the retention period, as delta-spark's VacuumCommand does.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "basin/base/status.h"
#include "basin/io/file_system.h"

namespace basin::delta {

struct VacuumOptions {
  /// Retention in hours; the table's delta.deletedFileRetentionDuration (default 168) when unset.
  std::optional<double> retention_hours;
  /// Lists the files that would be deleted without deleting them (and without commits).
  bool dry_run = false;
  /// Refuses a retention shorter than the table's configured one
  /// (spark.databricks.delta.retentionDurationCheck.enabled).
  bool retention_check = true;
  /// The current time in ms since the epoch; now when unset (tests set it).
  std::optional<int64_t> now_ms;
};

struct VacuumResult {
  /// Paths relative to the table root of the files deleted (or, in a dry run, to delete).
  std::vector<std::string> files;
  int64_t bytes = 0;
  int64_t num_deleted_directories = 0;
  /// Versions of the VACUUM START / VACUUM END commits (unset in a dry run).
  std::optional<int64_t> start_version;
  std::optional<int64_t> end_version;
};

/// Vacuums the table at `table_root`. Keeps `_delta_log`, hidden files and folders (names that
/// start with '_' or '.', except partition folders), every file the current version needs (data
/// files and their deletion vectors), files of tombstones younger than the retention, and any
/// file whose modification time is within the retention. A retention below the table's
/// configured one fails with DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT unless the check is off.
Result<VacuumResult> VacuumTable(const io::Location& table_root, const VacuumOptions& options);

/// Returns the path, relative to the table root, of a deletion vector file with storage type
/// 'u' (PROTOCOL.md, "Deletion Vector Descriptor Schema"), or nullopt for inline or malformed
/// ones.
std::optional<std::string> DeletionVectorRelativePath(const std::string& storage_type,
                                                      const std::string& path_or_inline_dv);

}  // namespace basin::delta
