#pragma once

// A hash table from join keys to dense group ids for keys of one or two integer-like columns
// (integers, dates, timestamps; exec/integer_keys.h IsIntegerKey): the common case of
// equi-joins. After Build it is read-only, so many threads may probe it at once (the RowGrouper
// that serves other key types may not be).

#include <cstdint>
#include <memory>
#include <vector>

#include <arrow/api.h>

#include "basin/base/status.h"
#include "basin/base/pool_vector.h"

namespace basin::exec {

class JoinKeyTable {
 public:
  /// The id of a row with no group: a null key, or (Lookup) a key the build side lacks.
  static constexpr uint32_t kNoGroup = UINT32_MAX;

  /// Builds the table from the build side's key columns: ids[i] is row i's group (kNoGroup
  /// when a key is null), groups numbered in order of first appearance. Keys whose first
  /// column spans a range small enough that an array over it takes at most four times the memory
  /// of the hash table (or at most 1,024 values) are addressed directly instead of hashed,
  /// when that first column alone tells the groups apart (always, for one column).
  Status Build(const arrow::ArrayVector& keys, int64_t length, std::vector<uint32_t>* ids);

  /// Writes the group of each probe row (kNoGroup when absent or a key is null) to `ids`.
  void Lookup(const arrow::ArrayVector& keys, int64_t length, uint32_t* ids) const;

  uint32_t num_groups() const { return groups_count_; }
  /// True when the keys are addressed directly (an array over their range), not hashed.
  bool addressed_directly() const { return !direct_.empty(); }

 private:
  // Builds direct_ when the keys (one column) allow it; false leaves the table to hashing.
  bool BuildDirect(const arrow::ArrayVector& keys, int64_t length, std::vector<uint32_t>* ids);

  // Open addressing with linear probing. A slot holds the first key word and the group side by
  // side, so a probe costs one cache miss; the second word (two columns) is read only when the
  // first matches.
  struct Slot {
    uint64_t a;
    uint32_t group;  // kNoGroup: empty
  };
  PoolVector<Slot> slots_;
  PoolVector<uint64_t> b_;  // second key column (empty for one)
  // One column of keys within a small range (primary keys 1..n): the group of key k is
  // direct_[k - min_], kNoGroup for none; no hashing, and 4 bytes per key of the range.
  PoolVector<uint32_t> direct_;
  // Two columns addressed by the first (whose values are then unique): each group's second
  // column, which a probe must match too.
  PoolVector<uint64_t> direct_b_;
  int64_t min_ = 0;
  int64_t max_ = -1;
  uint64_t mask_ = 0;
  uint32_t groups_count_ = 0;
  bool two_columns_ = false;
};

}  // namespace basin::exec
