#pragma once

// A hash table from join keys to dense group ids for keys of one or two integer-like columns
// (integers, dates, timestamps): the common case of equi-joins. After Build it is read-only, so
// many threads may probe it at once (the RowGrouper that serves other key types may not be).

#include <cstdint>
#include <memory>
#include <vector>

#include <arrow/api.h>

#include "basin/base/status.h"

namespace basin::exec {

class JoinKeyTable {
 public:
  /// The id of a row with no group: a null key, or (Lookup) a key the build side lacks.
  static constexpr uint32_t kNoGroup = UINT32_MAX;

  /// True when keys of these types can use the table.
  static bool Supports(const std::vector<std::shared_ptr<arrow::DataType>>& types);

  /// Builds the table from the build side's key columns: ids[i] is row i's group (kNoGroup
  /// when a key is null). Groups are numbered in order of first appearance.
  Status Build(const arrow::ArrayVector& keys, int64_t length, std::vector<uint32_t>* ids);

  /// Writes the group of each probe row (kNoGroup when absent or a key is null) to `ids`.
  void Lookup(const arrow::ArrayVector& keys, int64_t length, uint32_t* ids) const;

  uint32_t num_groups() const { return groups_; }

 private:
  struct Slot {
    uint64_t a = 0, b = 0;
    uint32_t group = kNoGroup;
  };
  // Reads row `i` of every key column; false when one is null.
  static bool KeyAt(const arrow::ArrayVector& keys, int64_t i, uint64_t* a, uint64_t* b);
  static uint64_t Hash(uint64_t a, uint64_t b);

  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
  uint32_t groups_ = 0;
};

}  // namespace basin::exec
