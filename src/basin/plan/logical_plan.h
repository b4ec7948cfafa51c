#pragma once

// The logical plan: a tree of relational operators over resolved expressions. SQL text (through
// the analyzer) and Spark Connect relations both become this tree; the optimizer rewrites it and
// the executor turns it into physical operators.
//
// Every node has an output schema (names may repeat; positions identify columns). Expressions in
// a node refer to columns of its input by position: for single-input nodes the child's output,
// for Join the left output followed by the right output.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/api.h>

#include "basin/plan/expression.h"

namespace basin::plan {

enum class PlanKind {
  kScan,       ///< Reads a table or files; `scan`.
  kValues,     ///< Literal rows; `values` (an Arrow table with the output schema).
  kProject,    ///< `exprs` over the child; output names in `schema`.
  kFilter,     ///< Rows of the child where `condition` is true.
  kAggregate,  ///< `group_by` then `aggregates` (kAggregate exprs); output: groups then aggregates.
  kWindow,     ///< Child columns followed by one column per `exprs` (kWindow exprs).
  kJoin,       ///< `join_type` on `condition`; output: left ++ right (left only for semi/anti).
  kSort,       ///< `sort_keys`.
  kLimit,      ///< `offset` rows skipped, then at most `limit` rows (-1: no limit).
  kSetOp,      ///< `set_op` of two children with the same column count.
  kGenerate,   ///< Child columns followed by the columns of generator `generator` (explode...).
  kDistinct,   ///< Distinct rows of the child.
  kSample,     ///< Bernoulli sample with `fraction` and `seed`.
  kRange,      ///< One bigint column `id`: range_start, range_start + range_step, ... < range_end.
};

enum class JoinType { kInner, kLeft, kRight, kFull, kLeftSemi, kLeftAnti, kCross };
enum class SetOpKind { kUnion, kIntersect, kExcept };

/// What a Scan reads.
struct ScanSource {
  enum class Format { kDelta, kParquet, kJson, kCsv, kText };
  Format format = Format::kDelta;
  /// The table root (Delta) or a file or folder (others), as a path or URI.
  std::string path;
  /// Delta time travel.
  std::optional<int64_t> version;
  std::optional<std::string> timestamp;
  /// Reader options (csv header, delimiter, ...).
  std::vector<std::pair<std::string, std::string>> options;
  /// The full schema of the source (before projection).
  std::shared_ptr<arrow::Schema> table_schema;
  /// Delta: read only these live files (paths as the log names them); all when unset. MERGE
  /// sets it to the files whose key range holds a source key.
  std::optional<std::vector<std::string>> only_files;
  /// Other formats: the columns of `table_schema` whose values come from each file's Hive-style
  /// `name=value` folders below `path` (partition columns) instead of from the file.
  std::vector<std::string> partition_columns;
  /// A file table whose catalog entry lists its partitions: read those only, each from its
  /// folder `folder` below `path` or its own `location` (a path or URI), with the partition
  /// column values of `values` (text as the folders hold it, in `partition_columns` order;
  /// nullopt for null). Unset: discover the folders.
  struct Partition {
    std::vector<std::optional<std::string>> values;
    std::string folder;
    std::string location;
  };
  std::optional<std::vector<Partition>> partitions;
};

struct PlanNode {
  PlanKind kind = PlanKind::kValues;
  std::shared_ptr<arrow::Schema> schema;  ///< The output columns.
  std::vector<PlanPtr> children;

  // kScan
  ScanSource scan;
  /// Positions in `scan.table_schema` that are read, in output order (all when empty and
  /// `schema` equals the table schema).
  std::vector<int> projection;
  /// Predicates over the scan's output that the scan may use to skip files (rows still get
  /// filtered by a Filter above unless `filters_exact`).
  std::vector<ExprPtr> pushed_filters;
  /// Rows the scan is expected to produce (from file statistics), -1 when unknown.
  int64_t estimated_rows = -1;
  /// Per output column, an upper bound of its distinct values (from min/max statistics of
  /// integer and date columns), -1 when unknown.
  std::vector<double> column_distinct;
  /// Extra `_metadata` struct column requested (file_path, file_name, file_size,
  /// file_modification_time); it is the last output column when set.
  bool with_metadata_column = false;
  /// Delta scans for DELETE, UPDATE and MERGE: two extra last columns, `__basin_file` (bigint:
  /// the data file's position in the snapshot's live files) and `__basin_row` (bigint: the row's
  /// position in the physical file, counting rows a deletion vector hides).
  bool with_row_id = false;

  // kValues
  std::shared_ptr<arrow::Table> values;

  // kProject (exprs), kWindow (exprs), kFilter/kJoin (condition)
  std::vector<ExprPtr> exprs;
  ExprPtr condition;

  // kAggregate
  std::vector<ExprPtr> group_by;
  std::vector<ExprPtr> aggregates;
  /// GROUPING SETS as positions into `group_by`; empty means one set of all groups. When set,
  /// the output gets a last column `spark_grouping_id` (bigint) before the aggregates are
  /// computed, as Spark's Expand does.
  std::vector<std::vector<int>> grouping_sets;

  // kJoin
  JoinType join_type = JoinType::kInner;
  /// Hint: "broadcast" the named side ("left"/"right") when set.
  std::string broadcast_side;

  // kSort
  std::vector<SortKey> sort_keys;

  // kLimit
  int64_t limit = -1;
  int64_t offset = 0;

  // kSetOp
  SetOpKind set_op = SetOpKind::kUnion;
  bool all = false;

  // kGenerate: explode, posexplode, inline, stack...; `outer` keeps rows with no output.
  std::string generator;
  std::vector<ExprPtr> generator_args;
  bool outer = false;

  // kSample
  double fraction = 1.0;
  int64_t seed = 0;

  // kRange
  int64_t range_start = 0;
  int64_t range_end = 0;
  int64_t range_step = 1;
};

/// Renders the tree for EXPLAIN, one node per line, children indented.
std::string ToString(const PlanNode& plan);
/// Renders expressions for EXPLAIN, comma-separated, each followed by " AS name" (the matching
/// field of `names`, when given) where it is not a plain column reference.
std::string ExprListString(const std::vector<ExprPtr>& exprs, const arrow::Schema* names);
/// Spark's name of a join type: "Inner", "LeftOuter", "LeftSemi", ...
const char* JoinTypeName(JoinType type);
/// The format a scan reads: "delta", "parquet", ...
const char* FormatName(ScanSource::Format format);

}  // namespace basin::plan
