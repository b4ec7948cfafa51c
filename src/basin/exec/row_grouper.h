#pragma once

// Dense ids for distinct key rows (null keys equal each other), over Arrow's hash Grouper, or an
// IntegerKeyGrouper for keys of one or two integer-like columns, or of one or two columns with
// short strings packed into integer words (short_string_keys.h: the grouper moves its groups to
// Arrow's grouper, same ids, when a longer string comes). Used
// by aggregation, distinct, set operations and the hash join. Floating-point keys are compared as
// Spark compares them (NormalizeFloatingNumbers): -0.0 equals 0.0 and every NaN equals every NaN.

#include <memory>
#include <optional>
#include <vector>

#include <arrow/api.h>
#include <arrow/compute/row/grouper.h>

#include "basin/base/status.h"
#include "basin/exec/integer_key_grouper.h"
#include "basin/exec/short_string_keys.h"

namespace basin::exec {

/// Returns `keys` with -0.0 replaced by 0.0 and every NaN by one NaN in FLOAT and DOUBLE
/// columns (columns without such values are returned as they are).
Result<arrow::ArrayVector> NormalizeFloatingKeys(const arrow::ArrayVector& keys);

/// Assigns group ids 0, 1, 2... to distinct rows of key columns.
class RowGrouper {
 public:
  /// Makes a grouper for keys of `types` (at least one).
  static Result<std::unique_ptr<RowGrouper>> Make(
      const std::vector<std::shared_ptr<arrow::DataType>>& types);

  /// Returns the group id of each row, adding unseen keys as new groups.
  Result<std::shared_ptr<arrow::UInt32Array>> Consume(const arrow::ArrayVector& keys,
                                                      int64_t length);
  /// Returns the group id of each row, null where the key was never consumed.
  Result<std::shared_ptr<arrow::UInt32Array>> Lookup(const arrow::ArrayVector& keys,
                                                     int64_t length);
  /// Returns the key columns of every group, in group id order.
  Result<arrow::ArrayVector> Uniques();
  /// Returns the number of groups.
  uint32_t num_groups() const {
    return integers_ ? integers_->num_groups() : grouper_->num_groups();
  }
  /// Returns the bytes of the hash table when known (integer keys), else -1.
  int64_t memory_bytes() const { return integers_ ? integers_->memory_bytes() : -1; }

 private:
  /// Makes Arrow's grouper for types_ (the generic path).
  Status MakeArrowGrouper();
  /// Leaves the packed short-string keys for Arrow's grouper, which gets the groups so far
  /// in id order (so it gives them the same ids).
  Status LeavePacking();

  /// Splits struct keys into their fields (and a validity column), which Arrow's grouper takes.
  arrow::ArrayVector Flatten(const arrow::ArrayVector& keys) const;

  std::unique_ptr<IntegerKeyGrouper> integers_;  // keys of one or two integer-like columns
  std::optional<ShortKeyPacking> packing_;        // with integers_: short strings packed
  std::unique_ptr<arrow::compute::Grouper> grouper_;  // other keys
  std::unique_ptr<arrow::compute::ExecContext> exec_context_;
  std::vector<std::shared_ptr<arrow::DataType>> types_;  // the keys as given
  bool has_struct_ = false;
};

}  // namespace basin::exec
