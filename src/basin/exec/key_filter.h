#pragma once

// A set of join keys that rows may be dropped by, early. A hash join knows that rows of one
// side whose keys the other side lacks can never produce output (for join types that do not
// keep such rows); when that side is an aggregate grouped by those keys, it can drop the rows
// before grouping them, which is most of the work in TPC-H q02, q17 and q20: an aggregate over
// all of lineitem or partsupp joined with a few hundred parts. Operators pass the filter down
// (Operator::PushKeyFilter) through projections of plain columns and filters to the aggregate.

#include <memory>
#include <vector>

#include <arrow/api.h>

#include "basin/base/status.h"
#include "basin/exec/join_key_table.h"

namespace basin::exec {

class KeyFilter {
 public:
  /// Keys are looked up in `table` after casting them to `types` (the types it was built with).
  KeyFilter(std::shared_ptr<const JoinKeyTable> table,
            std::vector<std::shared_ptr<arrow::DataType>> types)
      : table_(std::move(table)), types_(std::move(types)) {}

  /// Returns the mask of rows whose keys are in the set (a null key never is). Thread-safe.
  Result<std::shared_ptr<arrow::BooleanArray>> Keep(const arrow::ArrayVector& keys,
                                                    int64_t length) const;

  size_t num_keys() const { return types_.size(); }

 private:
  std::shared_ptr<const JoinKeyTable> table_;
  std::vector<std::shared_ptr<arrow::DataType>> types_;
};

}  // namespace basin::exec
