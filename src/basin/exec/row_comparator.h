#pragma once

// Spark's ordering of values: nulls first or last per key, NaN larger than every other double
// (and equal to itself), strings and binary by unsigned bytes, structs and arrays field by field.

#include <memory>
#include <vector>

#include <arrow/api.h>

#include "basin/base/status.h"

namespace basin::exec {

/// Direction and null placement of one sort key.
struct SortOrder {
  bool ascending = true;
  bool nulls_first = true;
};

/// Returns <0, 0 or >0 comparing a[i] with b[j] (same type) ascending; nulls compare equal to
/// each other and smaller than values.
int CompareValues(const arrow::Array& a, int64_t i, const arrow::Array& b, int64_t j);

/// Returns an error when values of `type` cannot be ordered.
Status CheckOrderable(const arrow::DataType& type);

/// Compares rows of key columns with a sort order per key.
class RowComparator {
 public:
  explicit RowComparator(std::vector<SortOrder> orders) : orders_(std::move(orders)) {}
  /// Returns <0, 0, >0 comparing row i of `a` with row j of `b` (key columns, same types).
  int Compare(const arrow::ArrayVector& a, int64_t i, const arrow::ArrayVector& b, int64_t j) const;

 private:
  std::vector<SortOrder> orders_;
};

/// Returns the row order of `keys` (a stable sort), keeping only the first `limit` when >= 0.
std::vector<int64_t> SortIndices(const arrow::ArrayVector& keys, int64_t length,
                                 const std::vector<SortOrder>& orders, int64_t limit = -1);

}  // namespace basin::exec
