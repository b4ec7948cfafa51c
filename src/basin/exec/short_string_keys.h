#pragma once

// Short string keys as integer words, so that GROUP BY, DISTINCT and hash joins on a few short
// strings (flags, modes, codes, names: TPC-H's l_returnflag, o_orderpriority, n_name, ...) use
// the IntegerKeyGrouper instead of Arrow's row encoding. A string of at most 7 bytes packs into
// one word (its bytes, then its length in the top byte); a lone string key of at most 15 bytes
// packs into two. Distinct strings give distinct words, so packed keys group exactly as the
// strings do. RowGrouper leaves the packing for Arrow's grouper the first time a longer string
// comes (see row_grouper.cc).

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <arrow/api.h>

#include "basin/base/status.h"

namespace basin::exec {

/// How the key columns become the one or two words of an IntegerKeyGrouper.
struct ShortKeyPacking {
  /// Per key column: 0 an integer-like column taken as it is, 1 a string in one word (at most
  /// 7 bytes), 2 a string in two words (at most 15 bytes; a lone string key).
  std::vector<int> words;
  /// The packed columns' types, as the IntegerKeyGrouper sees them.
  std::vector<std::shared_ptr<arrow::DataType>> packed_types;
};

/// Returns the packing for keys of `types`: one or two columns, each integer-like or a
/// STRING / BINARY, at least one of them a string; nullopt otherwise.
std::optional<ShortKeyPacking> PlanShortKeyPacking(
    const std::vector<std::shared_ptr<arrow::DataType>>& types);

/// Packs `keys` (of the planned types). Returns false when some valid string is too long for
/// its words: with `too_long` given, those rows are marked 1 there (their words are garbage)
/// and true is returned; without it, false means the batch cannot be packed.
Result<bool> PackShortKeys(const ShortKeyPacking& packing, const arrow::ArrayVector& keys,
                           int64_t length, arrow::ArrayVector* packed,
                           std::vector<uint8_t>* too_long);

/// Turns packed columns (as IntegerKeyGrouper::Uniques gives them) back into keys of `types`.
Result<arrow::ArrayVector> UnpackShortKeys(
    const ShortKeyPacking& packing, const std::vector<std::shared_ptr<arrow::DataType>>& types,
    const arrow::ArrayVector& packed);

}  // namespace basin::exec
