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

/// A partition of a file table as its catalog entry lists it.
struct FileTablePartition {
  std::string folder;    ///< "d=1/p=x": the escaped folder path below the table root
  std::string location;  ///< a LOCATION given by ALTER TABLE ADD PARTITION; empty for the folder
};

/// True when the metastore keeps the table's partition list (Spark's partition provider
/// "catalog", the default for partitioned file tables with
/// spark.sql.hive.manageFilesourcePartitions on): reads see the listed partitions only, and
/// ALTER TABLE ADD / DROP PARTITION and SHOW PARTITIONS work. Tables without it (made by an
/// older Basin) are read by partition discovery until MSCK REPAIR TABLE lists their folders.
bool FileTablePartitionsInCatalog(const std::map<std::string, std::string>& properties);

/// Marks the partition list as kept in the metastore (still empty).
void SetFileTablePartitionsInCatalog(std::map<std::string, std::string>* properties);

/// Returns the listed partitions in folder order.
std::vector<FileTablePartition> FileTablePartitions(
    const std::map<std::string, std::string>& properties);

/// Adds (or replaces) one listed partition.
void AddFileTablePartition(const FileTablePartition& partition,
                           std::map<std::string, std::string>* properties);

/// Removes one listed partition; returns false when it was not listed.
bool RemoveFileTablePartition(const std::string& folder,
                              std::map<std::string, std::string>* properties);

/// Returns the unescaped values of a partition folder ("d=1/p=x"), by column name as written in
/// the folder; nullopt for null.
std::vector<std::pair<std::string, std::optional<std::string>>> PartitionFolderValues(
    const std::string& folder);

/// Returns the table's partition folders below `root` as MSCK REPAIR TABLE finds them: one
/// `name=value` folder per partition column, in order (names case blind), hidden folders left
/// out. Each is named as Basin writes it (the table's spelling, Spark's escaping), with its path
/// relative to `root` as `location` when it is spelled otherwise on disk.
Result<std::vector<FileTablePartition>> FindPartitionFolders(
    const io::Location& root, const std::vector<std::string>& columns);

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
  /// Partitions with a LOCATION of their own, by folder ("d=1/p=x"): rows for them go there.
  std::map<std::string, std::string> partition_locations;
};

/// Writes `rows` (all the table's columns, partition columns included, in table order) into the
/// table folder `root` as `write` says: one part file, or one per partition folder with the
/// partition columns left out of the files. An unpartitioned parquet table gets a file even for
/// no rows, as Spark writes one. Returns the partition folders written ("d=1/p=x").
Result<std::vector<std::string>> WriteFileTableRows(const io::Location& root,
                                                    const std::shared_ptr<arrow::Table>& rows,
                                                    const FileTableWrite& write,
                                                    const function::EvalContext& context);

/// Updates a catalog-kept partition list after `write` wrote the partition folders `written`:
/// a static overwrite first unlists the partitions it replaced, as Spark does.
void RecordFileTableWrite(const FileTableWrite& write, const std::vector<std::string>& written,
                          std::map<std::string, std::string>* properties);

/// Returns the text a partition folder holds for `value` (Spark casts the value to a string),
/// nullopt for null.
Result<std::optional<std::string>> PartitionValueText(const arrow::Scalar& value,
                                                      const function::EvalContext& context);

}  // namespace basin::session
