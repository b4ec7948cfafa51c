#pragma once

// Tables of plain data files (CREATE TABLE ... USING parquet | json | csv | text): the partition
// columns the metastore keeps for them, and writing rows into their folder as Spark's file
// sources do (part files, Hive-style partition folders, static and dynamic overwrite).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/table.h>

#include "basin/base/status.h"
#include "basin/function/function.h"
#include "basin/io/file_system.h"

namespace basin::session {

/// Returns the partition columns of a file table from its metastore properties (empty when it
/// has none). They are kept under the keys Spark's Hive catalog uses for data source tables:
/// `spark.sql.sources.schema.numPartCols` and `spark.sql.sources.schema.partCol.<i>`.
std::vector<std::string> FileTablePartitionColumns(
    const std::map<std::string, std::string>& properties);

/// Records `columns` as the partition columns of a file table in `properties`.
void SetFileTablePartitionColumns(const std::vector<std::string>& columns,
                                  std::map<std::string, std::string>* properties);

/// True for the metastore properties that describe a file table's layout rather than being
/// table properties a user set (SHOW TBLPROPERTIES leaves them out, as Spark does).
bool IsFileTableLayoutProperty(const std::string& key);

/// How rows go into a file table's folder.
struct FileTableWrite {
  std::string format;                          ///< parquet, json, csv or text
  std::map<std::string, std::string> options;  ///< writer options, keys lower case
  std::vector<std::string> partition_columns;
  /// INSERT OVERWRITE: which files go first. Static (Spark's default
  /// spark.sql.sources.partitionOverwriteMode) removes every partition that matches
  /// `static_values` (all of them when there are none); dynamic only the partitions written.
  bool overwrite = false;
  bool dynamic_overwrite = false;
  /// Static partition values of INSERT ... PARTITION (p = v), as text (nullopt for null), by
  /// partition column name.
  std::map<std::string, std::optional<std::string>> static_values;
};

/// Writes `rows` (all the table's columns, partition columns included, in table order) into the
/// table folder `root` as `write` says: one part file, or one per partition folder with the
/// partition columns left out of the files. An unpartitioned parquet table gets a file even for
/// no rows, as Spark writes one.
Status WriteFileTableRows(const io::Location& root, const std::shared_ptr<arrow::Table>& rows,
                          const FileTableWrite& write, const function::EvalContext& context);

/// Returns the text a partition folder holds for `value` (Spark casts the value to a string),
/// nullopt for null.
Result<std::optional<std::string>> PartitionValueText(const arrow::Scalar& value,
                                                      const function::EvalContext& context);

}  // namespace basin::session
