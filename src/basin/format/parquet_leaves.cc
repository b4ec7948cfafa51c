#include "basin/format/parquet_leaves.h"

namespace basin::format {

void CollectParquetLeaves(const parquet::arrow::SchemaField& field, std::vector<int>* leaves) {
  if (field.is_leaf()) {
    leaves->push_back(field.column_index);
    return;
  }
  for (const auto& child : field.children) CollectParquetLeaves(child, leaves);
}

}  // namespace basin::format
