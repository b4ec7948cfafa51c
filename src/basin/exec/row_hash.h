#pragma once

// Hashes of key rows, equal for rows whose keys are equal (nulls hash alike). Used to split rows
// into spill partitions (aggregate spill, grace hash join).

#include <cstdint>
#include <vector>

#include <arrow/api.h>

namespace basin::exec {

/// Returns one hash per row of the key columns.
std::vector<uint64_t> HashRows(const arrow::ArrayVector& keys, int64_t length);

}  // namespace basin::exec
