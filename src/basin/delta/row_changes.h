#pragma once

// Row-level changes, the primitive under DELETE, UPDATE and MERGE: some rows of some live files go
// away, new rows come in, in one commit. With delta.enableDeletionVectors the removed rows are
// marked in a deletion vector (PROTOCOL.md, "Deletion Vectors"); otherwise each touched file is
// rewritten without them ("copy on write"): into one new file of its own when the change adds no
// rows (DELETE), so that untouched files are never read and the table keeps its file layout.

#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <arrow/api.h>
#include <nlohmann/json.hpp>
#include <roaring/roaring64map.hh>

#include "basin/base/status.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/transaction.h"

namespace basin::delta {

struct RowChanges {
  /// Rows to delete, by live file path (as in the log) -> row positions in the physical file
  /// (0-based, counting rows an existing deletion vector already hides).
  std::map<std::string, Roaring64Map> deleted_rows;
  /// Rows to add (updated or inserted rows), with the table's logical columns; may be null.
  std::shared_ptr<arrow::Table> new_rows;
  /// Change data feed: the first `update_postimage_rows` rows of `new_rows` are the new images of
  /// updated rows (the rest are inserts), and `updated_rows` (a subset of `deleted_rows`) are
  /// their old images (the rest of `deleted_rows` are deletes). Only used when the table sets
  /// delta.enableChangeDataFeed.
  int64_t update_postimage_rows = 0;
  std::map<std::string, Roaring64Map> updated_rows;
  /// Further files whose content the change depended on (conflict detection); touched files
  /// are always counted as read.
  std::vector<std::string> files_read;
  /// commitInfo operation ("DELETE", "UPDATE", "MERGE"), parameters and extra metrics.
  std::string operation = "DELETE";
  nlohmann::json operation_parameters = nlohmann::json::object();
  nlohmann::json extra_metrics = nlohmann::json::object();  ///< a null value drops a default one
  /// New table metadata committed with the change (identity columns' high-water marks).
  std::optional<Metadata> new_metadata;
  /// The caller checked `new_rows` against the CHECK constraints with the SQL engine.
  bool constraints_checked = false;
  /// Also write numOutputRows (new rows + copied rows), as MERGE does.
  bool report_output_rows = false;
  /// Default metric name -> the name written instead (MERGE writes numTargetFilesAdded, ...).
  std::map<std::string, std::string> renamed_metrics;
};

struct RowChangeResult {
  CommitResult commit;
  int64_t deleted_rows = 0;
  int64_t copied_rows = 0;
  int64_t added_files = 0;
  int64_t removed_files = 0;
  int64_t deletion_vectors_added = 0;
  int64_t deletion_vectors_removed = 0;
  int64_t deletion_vectors_updated = 0;
  /// The metrics written into commitInfo.operationMetrics.
  nlohmann::json metrics;
};

/// Applies `changes` to the files of `snapshot` and commits them as one transaction that read
/// `snapshot`. A file whose rows all go is removed; otherwise it gets a deletion vector (when the
/// table enables them) or is rewritten: without new rows or new metadata each file into one new
/// file, several files at a time; else the rows kept are written together with the new rows. A path that is not live gives DELTA_FILE_NOT_FOUND;
/// a concurrent commit that removed a touched file fails the commit with Delta's conflict error.
Result<RowChangeResult> CommitRowChanges(const std::shared_ptr<const Snapshot>& snapshot,
                                         const RowChanges& changes);

/// Deletes the rows matching `predicate` (the replaceWhere predicate syntax; see
/// replace_where.h) from the table's latest snapshot through CommitRowChanges, reading only the
/// files that data skipping keeps. When no row matches nothing is committed and the result's
/// commit.version is the version read.
Result<RowChangeResult> DeleteWhere(const io::Location& table_root, const std::string& predicate);

}  // namespace basin::delta
