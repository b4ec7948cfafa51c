#pragma once

// OPTIMIZE of a Delta table, as delta-spark's `OPTIMIZE tbl [WHERE pred] [ZORDER BY (cols)]`:
// bin-packing compaction of small files (and of files with many rows deleted by deletion
// vectors), Z-ordering of whole partitions, and clustering of liquid-clustered tables. The
// rewrite changes no data: one commit of adds and removes with dataChange=false, whose
// transaction read the files it removes (a concurrent delete of one of them is a conflict; a
// concurrent append is not).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/table.h>
#include <nlohmann/json.hpp>

#include "basin/base/status.h"
#include "basin/delta/snapshot.h"
#include "basin/io/file_system.h"

namespace basin::delta {

/// delta-spark's spark.databricks.delta.optimize.maxFileSize / minFileSize default: 1 GiB.
inline constexpr int64_t kDefaultOptimizeFileSize = int64_t{1} << 30;

struct OptimizeOptions {
  /// Partition predicate in the replaceWhere language (replace_where.h); it may reference
  /// partition columns only.
  std::optional<std::string> where;
  /// ZORDER BY columns (top-level data columns that have statistics).
  std::vector<std::string> zorder_by;
  /// Largest bin of input files (compaction) and size that decides how many files a Z-ordered
  /// partition is written as. Default: the table property delta.targetFileSize, else 1 GiB.
  std::optional<int64_t> max_file_size;
  /// Files at least this large are left alone by compaction (unless deletion vectors hide more
  /// than max_deleted_rows_ratio of their rows). Default: max_file_size.
  std::optional<int64_t> min_file_size;
  /// Clustered tables: a Z-cube (the files one clustering wrote) at least this large is not
  /// merged with new files again; also the largest input of one clustering. Default 100 GiB
  /// (delta-spark's ...clustering.mergeStrategy.minCubeSize.threshold).
  std::optional<int64_t> min_cube_size;
  /// spark.databricks.delta.optimize.maxDeletedRowsRatio.
  double max_deleted_rows_ratio = 0.05;
  /// REORG TABLE ... APPLY (PURGE) instead of OPTIMIZE: rewrite every selected file that has a
  /// deletion vector (a lone one too), whatever its size, and commit operation "REORG" with
  /// parameters {"predicate", "applyPurge": true}. Not combinable with zorder_by; a clustered
  /// table is not reclustered.
  bool purge_deletion_vectors = false;
};

struct OptimizeResult {
  /// The table root, as delta-spark's result column `path`.
  std::string path;
  /// The committed version, or nullopt when there was nothing to rewrite.
  std::optional<int64_t> version;
  /// The version the command read.
  int64_t read_version = -1;
  /// delta-spark's result column `metrics` (OptimizeMetrics) as JSON: numFilesAdded,
  /// numFilesRemoved, filesAdded / filesRemoved {min,max,avg,totalFiles,totalSize},
  /// partitionsOptimized, zOrderStats, clusteringStats, numBins, numBatches,
  /// totalConsideredFiles, totalFilesSkipped, ..., deletionVectorStats, numTableColumns,
  /// numTableColumnsWithStats. Absent optional structs are null.
  nlohmann::json metrics;
  /// commitInfo.operationParameters and operationMetrics of the commit (also filled when
  /// nothing was committed).
  nlohmann::json operation_parameters;
  nlohmann::json operation_metrics;
};

/// Optimizes the table at `table_root` (see the file comment). Compaction groups, per
/// partition, the files smaller than min_file_size (or with too many deleted rows) into bins of
/// at most max_file_size, each rewritten as one file; a bin of one file is left as it is, even
/// with a deletion vector, as delta-spark does (purge_deletion_vectors rewrites those). ZORDER BY
/// rewrites every selected partition sorted by the Z-order of the columns, as about
/// input size / max_file_size files. Nothing to rewrite means no commit. Errors as delta-spark:
/// DELTA_NON_PARTITION_COLUMN_REFERENCE (WHERE on a data column),
/// DELTA_ZORDERING_ON_PARTITION_COLUMN, DELTA_ZORDERING_COLUMN_DOES_NOT_EXIST,
/// DELTA_ZORDERING_ON_COLUMN_WITHOUT_STATS, and on a clustered table
/// DELTA_CLUSTERING_WITH_PARTITION_PREDICATE / DELTA_CLUSTERING_WITH_ZORDER_BY; a concurrent
/// commit that removed a rewritten file gives DELTA_CONCURRENT_DELETE_READ.
Result<OptimizeResult> Optimize(const io::Location& table_root, const OptimizeOptions& options);

/// Optimizes starting from `snapshot` (the transaction reads it), as Optimize.
Result<OptimizeResult> OptimizeSnapshot(const std::shared_ptr<const Snapshot>& snapshot,
                                        const OptimizeOptions& options);

/// Returns the Arrow schema of OPTIMIZE's result: path string, metrics struct<...> with the
/// fields, types and order of delta-spark's OptimizeMetrics.
std::shared_ptr<arrow::Schema> OptimizeResultSchema();

/// Returns `result` as the one-row batch of OptimizeResultSchema().
Result<std::shared_ptr<arrow::RecordBatch>> OptimizeResultBatch(const OptimizeResult& result);

/// Returns the row order that sorts `data` by the Z-order (bit-interleaved) key of `columns`:
/// each column's values are mapped order-preservingly to 32-bit unsigned ranks (nulls first),
/// spread over the full 32 bits, and their bits interleaved most significant first.
Result<std::shared_ptr<arrow::UInt64Array>> ZOrderSortIndices(
    const arrow::Table& data, const std::vector<std::string>& columns);

}  // namespace basin::delta
