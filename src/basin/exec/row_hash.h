#pragma once

// Hashes of key rows, equal for rows whose keys are equal (nulls hash alike). Used to split rows
// into spill partitions (aggregate spill, grace hash join).

#include <cstdint>
#include <vector>

#include <arrow/api.h>

namespace basin::exec {

/// A 64-bit finalizer (MurmurHash3's fmix64): spreads every input bit over the output.
uint64_t Mix64(uint64_t h);

/// Returns one hash per row of the key columns.
std::vector<uint64_t> HashRows(const arrow::ArrayVector& keys, int64_t length);

}  // namespace basin::exec
