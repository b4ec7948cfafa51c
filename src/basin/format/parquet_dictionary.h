#pragma once

// Which columns a Parquet file should store without a dictionary. Arrow's Parquet writer
// dictionary-encodes every column until the dictionary outgrows its page limit; for a column
// whose values are (nearly) all distinct that costs a hash insert per value and gives a larger
// file than plain encoding. parquet-mr drops such a dictionary after the first page
// (isCompressionSatisfying); Basin decides up front from a sample.

#include <string>
#include <vector>

#include <arrow/table.h>

namespace basin::format {

/// Returns the names of the top-level columns of `table` of a fixed-width type (integers,
/// floating point, dates, timestamps) whose sampled values are at least 98% distinct: up to 16
/// runs of 1,024 consecutive values spread over the column, so that a column of repeated runs
/// (sorted data) keeps its dictionary. Tables of fewer than 4,096 rows get none.
std::vector<std::string> NearlyDistinctColumns(const arrow::Table& table);

}  // namespace basin::format
