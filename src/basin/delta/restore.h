#pragma once

// RESTORE TABLE ... TO VERSION AS OF / TIMESTAMP AS OF: a new commit whose state equals an
// older version's: files of the target that are no longer live are added back, live files not in
// the target are removed.

#include <cstdint>
#include <optional>

#include "basin/base/status.h"
#include "basin/io/file_system.h"

namespace basin::delta {

struct RestoreOptions {
  std::optional<int64_t> version;
  /// Milliseconds since the epoch; restores the last version committed at or before it.
  std::optional<int64_t> timestamp_ms;
};

/// The operationMetrics delta-spark records for RESTORE, plus the new version.
struct RestoreResult {
  int64_t version = -1;
  int64_t restored_version = -1;
  int64_t table_size_after_restore = 0;
  int64_t num_of_files_after_restore = 0;
  int64_t num_removed_files = 0;
  int64_t num_restored_files = 0;
  int64_t removed_files_size = 0;
  int64_t restored_files_size = 0;
};

/// Restores the table at `table_root`. Fails with DELTA_CANNOT_RESTORE_TABLE_VERSION for a
/// version outside the log, DELTA_CANNOT_RESTORE_TIMESTAMP_GREATER / _EARLIER for a timestamp
/// outside it, and DELTA_CANNOT_RESTORE_TABLE_VERSION naming the files when data files of the
/// target version no longer exist (e.g. after VACUUM).
Result<RestoreResult> RestoreTable(const io::Location& table_root, const RestoreOptions& options);

}  // namespace basin::delta
