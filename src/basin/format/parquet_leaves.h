#pragma once

// The Parquet leaf columns under a top-level field, for readers that pick columns by field.

#include <vector>

#include <parquet/arrow/schema.h>

namespace basin::format {

/// Appends the leaf column indices of `field` (itself when it is a leaf) to `leaves`.
void CollectParquetLeaves(const parquet::arrow::SchemaField& field, std::vector<int>* leaves);

}  // namespace basin::format
