#pragma once

// Hive-style partition folders of Spark's file sources (`p=x/d=2024-01-01/part-...`): escaping of
// folder names as Spark's ExternalCatalogUtils does, parsing a data file's folders back into
// column values, and Spark's partition column discovery and type inference
// (PartitioningUtils.inferPartitionColumnValue).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/type.h>

#include "basin/base/status.h"

namespace basin::format {

/// The folder value that stands for null (and for the empty string, which Spark writes as null).
inline constexpr std::string_view kDefaultPartitionName = "__HIVE_DEFAULT_PARTITION__";

/// Escapes a partition column name or value for a folder name: control characters and
/// `"#%'*/:=?\{[]^` and DEL become %XX (upper-case hex); everything else, non-ASCII included,
/// stays as it is.
std::string EscapePartitionPathName(std::string_view text);

/// Undoes EscapePartitionPathName: each %XX with two hex digits becomes its byte.
std::string UnescapePartitionPathName(std::string_view text);

/// Returns the folder path "name=value/name=value" (no trailing slash) for partition values,
/// escaped; a null or empty value is written as kDefaultPartitionName.
std::string PartitionFolder(const std::vector<std::string>& names,
                            const std::vector<std::optional<std::string>>& values);

/// One `name=value` folder of a data file's path, unescaped; `value` is empty for
/// kDefaultPartitionName.
struct PartitionFolderValue {
  std::string name;
  std::optional<std::string> value;
};

/// Parses the partition folders of a data file's path relative to the table root
/// ("p=x/d=2024-01-01/part-0.parquet"), outermost first. As Spark does, folders are read from
/// the innermost outwards and the walk stops at the first folder that is not `name=value` once
/// one has been found.
std::vector<PartitionFolderValue> ParsePartitionFolders(std::string_view relative_path);

/// Returns the type Spark infers for a partition column from its folder values (nullopt for
/// kDefaultPartitionName): int, then bigint, then decimal(p,0) for longer integers, then double,
/// then timestamp ("yyyy-MM-dd HH:mm:ss[.S]"), then date ("yyyy-MM-dd"), else string; values of
/// different types widen (int < bigint < decimal < double, date < timestamp) or else become
/// strings; a column of nulls only is of the null type (Spark's void).
std::shared_ptr<arrow::DataType> InferPartitionType(
    const std::vector<std::optional<std::string>>& values);

/// A partition column found in the folders below a table root.
struct DiscoveredPartitionColumn {
  std::string name;
  std::shared_ptr<arrow::DataType> type;
};

/// Finds the partition columns of a folder from its data files' paths relative to it (as
/// Spark's partition discovery does for `spark.read.parquet(folder)`): names from the
/// `name=value` folders, types inferred over every file. Files at different partition depths or
/// with different column names fail with CONFLICTING_PARTITION_COLUMN_NAMES; files outside any
/// partition folder are left out (Spark does not read them once partitions are found).
Result<std::vector<DiscoveredPartitionColumn>> DiscoverPartitionColumns(
    const std::vector<std::string>& relative_paths);

}  // namespace basin::format
