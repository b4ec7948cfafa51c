#pragma once

// Dense group ids for keys of one or two integer-like columns, in order of first appearance,
// with nulls as values (a null key equals another null key). It serves RowGrouper for the common
// GROUP BY and DISTINCT on integer keys, where Arrow's generic grouper spends its time encoding
// rows and comparing bytes.

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include <arrow/api.h>

#include "basin/base/status.h"
#include "basin/base/pool_vector.h"
#include "basin/exec/zeroed_words.h"

namespace basin::exec {

class IntegerKeyGrouper {
 public:
  /// Makes a grouper for keys of `types`, which IsIntegerKey accepts.
  explicit IntegerKeyGrouper(std::vector<std::shared_ptr<arrow::DataType>> types);

  /// Writes the group of each row to `ids`, adding unseen keys as new groups.
  Status Consume(const arrow::ArrayVector& keys, int64_t length, uint32_t* ids);
  /// Writes the group of each row to `ids`, or UINT32_MAX where the key was never consumed.
  void Lookup(const arrow::ArrayVector& keys, int64_t length, uint32_t* ids) const;
  /// Returns the key columns of every group, in group id order.
  Result<arrow::ArrayVector> Uniques() const;

  uint32_t num_groups() const { return static_cast<uint32_t>(group_nulls_.size()); }
  /// Returns the bytes the table holds: its slots (or array) and every group's key words.
  int64_t memory_bytes() const {
    return static_cast<int64_t>(slots_.capacity() * sizeof(Slot) +
                                dense_size_ * sizeof(uint32_t) +
                                (group_a_.capacity() + group_b_.capacity()) * sizeof(uint64_t) +
                                group_nulls_.capacity());
  }
  /// True while one column's keys are addressed directly (an array over their range).
  bool dense() const { return dense_mode_; }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  // A slot holds what most probes compare, so that a probe costs one cache miss; the second
  // word (two columns) is read only when the rest matches.
  struct Slot {
    uint64_t a;
    uint32_t group;  // kEmpty: free
    uint8_t nulls;
  };
  // The slot of a key: where it is, or the free slot where it would go.
  uint64_t Find(uint64_t hash, uint64_t a, uint64_t b, uint8_t nulls) const;
  void Grow();
  // Rebuilds the hash table with `capacity` slots from the groups' keys.
  void Rehash(uint64_t capacity);
  // Dense mode: makes the array cover the keys [low, high] of a block of `rows` rows; false
  // when the range would be too sparse for the groups (the grouper then hashes).
  bool DenseCover(int64_t low, int64_t high, int64_t rows);
  // Leaves dense mode for the hash table, keeping every group.
  void LeaveDense();
  uint32_t AddGroup(uint64_t a, uint64_t b, uint8_t nulls);

  std::vector<std::shared_ptr<arrow::DataType>> types_;
  bool two_columns_;
  PoolVector<Slot> slots_;
  uint64_t mask_ = 0;
  // Dense mode (one column, while its keys span at most 16 times as many values as there are
  // groups, or 64K values): the group of key k is dense_[k - dense_low_] - 1 (0 for none); the
  // null key's group is null_group_. Keys that come in order (lineitem's l_orderkey) then find
  // their groups in order, and the array is no larger than a hash table of the same groups.
  // The array is a mapping of its own (ZeroedWords): its unused part costs no page until
  // touched, and growing it upwards (keys in ascending order) moves its pages without a copy.
  bool dense_mode_ = false;
  ZeroedWords dense_;
  size_t dense_size_ = 0;
  int64_t dense_low_ = 0;
  uint32_t null_group_ = kEmpty;
  // Each group's key: the two words and which columns are null.
  PoolVector<uint64_t> group_a_;
  PoolVector<uint64_t> group_b_;
  PoolVector<uint8_t> group_nulls_;
};

}  // namespace basin::exec
