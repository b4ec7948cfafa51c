#pragma once

// Keys of one or two integer-like columns (integers, dates, timestamps, times) read as 64-bit
// words, for the hash tables that serve the common case of such keys (JoinKeyTable,
// IntegerKeyGrouper) without Arrow's generic row encoding.

#include <cstdint>
#include <memory>
#include <vector>

#include <arrow/api.h>

namespace basin::exec {

/// True when keys of these types (one or two columns) can be read as integer words.
bool IsIntegerKey(const std::vector<std::shared_ptr<arrow::DataType>>& types);

/// Reads the keys of rows [begin, begin + n): the first column's values into `a`, the second's
/// into `b` (zeros for one column), sign-extended to 64 bits, and into nulls[i] bit k when
/// column k is null in row i (the word of a null value is 0).
void ReadIntegerKeys(const arrow::ArrayVector& keys, int64_t begin, int64_t n, uint64_t* a,
                     uint64_t* b, uint8_t* nulls);

/// Hashes a key of two words (the second 0 for one column).
uint64_t HashIntegerKey(uint64_t a, uint64_t b);

}  // namespace basin::exec
