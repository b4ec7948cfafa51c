#pragma once

// Writing a table as the data files of Spark's file sources (parquet, json, csv, text): what
// `df.write.<format>(path)` and non-Delta catalog tables (`CREATE TABLE ... USING parquet`) store.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <arrow/io/interfaces.h>
#include <arrow/table.h>

#include "basin/base/status.h"
#include "basin/io/file_system.h"

namespace basin::format {

/// The Parquet key-value metadata key under which Spark keeps the schema (its JSON) of the files
/// it writes; Spark's readers take user-defined types back from it.
inline constexpr char kSparkSchemaKey[] = "org.apache.spark.sql.parquet.row.metadata";

/// True for the formats WriteDataFile writes: parquet, json, csv, text.
bool IsWritableFileFormat(const std::string& format);

/// Writes `table` as one data file of `format` to `out`. Options (keys lower case) are Spark's:
/// csv `header`, `sep`/`delimiter`, `nullvalue`; parquet `compression`. Text needs one string
/// column. Types a format cannot hold give UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE. Parquet files
/// of columns holding user-defined types keep Spark's schema under kSparkSchemaKey.
Status WriteDataFile(const std::string& format, const arrow::Table& table,
                     const std::map<std::string, std::string>& options,
                     arrow::io::OutputStream* out);

/// Writes `table` into the folder `dir` (created when missing) as a new part file named as
/// Spark names them (part-<part>-<uuid>-c000.snappy.parquet, .json, .csv, .txt, with `part` the
/// number of the task that Spark would have written it from); returns its location.
Result<io::Location> WritePartFile(const io::Location& dir, const std::string& format,
                                   const arrow::Table& table,
                                   const std::map<std::string, std::string>& options,
                                   int part = 0);

/// Writes `table` as Spark writes a partitioned table of `format`: one part file per
/// combination of the values of `partition_columns`, in the Hive-style folder
/// "p=x/d=2024-01-01" below `dir` (format::PartitionFolder), without the partition columns.
/// The partition columns of `table` must be strings holding each value as Spark casts it to
/// text (null for null). With `replace_partitions`, each folder written to is emptied first
/// (dynamic partition overwrite). Writes nothing for no rows; returns the folders written,
/// relative to `dir`, in the order their first rows come. Rows of a folder named in
/// `folder_locations` go to that location instead.
Result<std::vector<std::string>> WritePartitionedFiles(
    const io::Location& dir, const std::string& format, const arrow::Table& table,
    const std::vector<std::string>& partition_columns,
    const std::map<std::string, std::string>& options, bool replace_partitions,
    const std::map<std::string, io::Location>& folder_locations = {});

}  // namespace basin::format
