#pragma once

// The change data feed (PROTOCOL.md, "Add CDC File"; Delta's `table_changes`): the row-level
// changes of a range of commits, with _change_type, _commit_version and _commit_timestamp.

#include <cstdint>
#include <memory>
#include <optional>

#include <arrow/table.h>

#include "basin/base/status.h"
#include "basin/io/file_system.h"

namespace basin::delta {

/// Returns the changes of commits [start_version, end_version] (end defaults to the latest).
/// Commits with cdc files use them; others derive inserts from added files and deletes from
/// removed files, and for a file whose deletion vector grew, the rows it newly deletes.
Result<std::shared_ptr<arrow::Table>> ReadChanges(const io::Location& table_root,
                                                  int64_t start_version,
                                                  std::optional<int64_t> end_version);

}  // namespace basin::delta
