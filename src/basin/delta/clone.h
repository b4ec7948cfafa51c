#pragma once

// CREATE [OR REPLACE] TABLE target [SHALLOW | DEEP] CLONE source [VERSION | TIMESTAMP AS OF ...]
// [TBLPROPERTIES (...)]: a new Delta table whose first state equals a version of the source.
// A shallow clone's add actions point at the source's data files by absolute path (and its
// deletion vectors by absolute path); a deep clone copies the data files into the target.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "basin/base/status.h"
#include "basin/io/file_system.h"

namespace basin::delta {

struct CloneOptions {
  /// The source version to clone (VERSION AS OF); the latest when neither is set.
  std::optional<int64_t> version;
  /// Milliseconds since the epoch (TIMESTAMP AS OF): the last version committed at or before it.
  std::optional<int64_t> timestamp_ms;
  /// SHALLOW (reference the source files) or DEEP (copy them).
  bool shallow = true;
  /// TBLPROPERTIES: merged over the source's configuration; the protocol is upgraded for the
  /// features they enable.
  std::map<std::string, std::string> properties;
  /// CREATE OR REPLACE: an existing target table gets a new version with the source's state
  /// (its live files are removed); without it an existing target is an error.
  bool replace = false;
};

/// What CLONE did: the target version and the operationMetrics delta-spark records.
struct CloneResult {
  int64_t version = -1;
  int64_t source_version = -1;
  int64_t source_table_size = 0;
  int64_t source_num_of_files = 0;
  int64_t num_removed_files = 0;
  int64_t removed_files_size = 0;
  int64_t num_copied_files = 0;
  int64_t copied_files_size = 0;
};

/// Clones the table at `source_root` into `target_root` as one commit with operation "CLONE",
/// operationParameters {source: "delta.`<source uri>`", sourceVersion, isShallow} and
/// operationMetrics {sourceTableSize, sourceNumOfFiles, numRemovedFiles, removedFilesSize,
/// numCopiedFiles, copiedFilesSize} (strings). The target gets the source's schema, partitioning,
/// configuration (+ properties), createdTime and protocol, and a new table id (a replaced target
/// keeps its id, name and description); row ids are not carried over.
/// Errors: the source's (DELTA_TABLE_NOT_FOUND / DELTA_MISSING_DELTA_TABLE, time travel errors);
/// DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION when the target folder holds files but no Delta
/// table, or holds a Delta table and `replace` is false (as delta-spark says for path targets);
/// DELTA_UNSUPPORTED_COLUMN_MAPPING_MODE_CHANGE when properties change the column mapping mode.
Result<CloneResult> CloneTable(const io::Location& source_root, const io::Location& target_root,
                               const CloneOptions& options = {});

/// Returns the fully qualified URI of a location as delta-spark writes it in the log:
/// "file:/abs/path" on the local disk (URI-escaped), the file system's URI elsewhere.
Result<std::string> QualifiedUri(const io::Location& location);

}  // namespace basin::delta
