#include "basin/exec/short_string_keys.h"

#include <cstring>

#include "basin/exec/integer_keys.h"

namespace basin::exec {

namespace {

bool IsShortString(const arrow::DataType& type) {
  return type.id() == arrow::Type::STRING || type.id() == arrow::Type::BINARY;
}

// The little-endian word of the `n` (at most 8) bytes at `p`; `end` is the end of the buffer
// (a whole 8-byte load is used when it stays inside).
inline uint64_t LoadBytes(const uint8_t* p, int64_t n, const uint8_t* end) {
  if (n == 0) return 0;
  uint64_t word = 0;
  if (end - p >= 8) {
    std::memcpy(&word, p, 8);
    return n == 8 ? word : word & ((uint64_t{1} << (8 * n)) - 1);
  }
  std::memcpy(&word, p, static_cast<size_t>(n));
  return word;
}

// Packs string column `array` into `first` (and `second` for two words). Rows too long are
// marked in `too_long` (when given); returns whether every valid row fit.
bool PackStrings(const arrow::ArrayData& array, int words, int64_t length, uint64_t* first,
                 uint64_t* second, uint8_t* too_long) {
  const auto* offsets = array.GetValues<int32_t>(1);  // from the array's offset
  const uint8_t* data = array.buffers[2] ? array.buffers[2]->data() : nullptr;
  const uint8_t* end = data != nullptr ? data + array.buffers[2]->size() : nullptr;
  const uint8_t* valid = array.MayHaveNulls() ? array.buffers[0]->data() : nullptr;
  const int64_t limit = words == 1 ? 7 : 15;
  bool fits = true;
  for (int64_t i = 0; i < length; ++i) {
    const int64_t start = offsets[i];
    const int64_t n = offsets[i + 1] - start;
    if (n > limit || (valid != nullptr && !arrow::bit_util::GetBit(valid, array.offset + i))) {
      // A null's words are ignored (the grouper keys nulls by their bit); a long string's are
      // garbage.
      first[i] = 0;
      if (second != nullptr) second[i] = 0;
      if (n > limit && (valid == nullptr || arrow::bit_util::GetBit(valid, array.offset + i))) {
        fits = false;
        if (too_long != nullptr) too_long[i] = 1;
      }
      continue;
    }
    const uint8_t* p = data + start;
    if (words == 1) {
      first[i] = LoadBytes(p, n, end) | static_cast<uint64_t>(n) << 56;
    } else {
      const int64_t low = n < 8 ? n : 8;
      first[i] = LoadBytes(p, low, end);
      second[i] = LoadBytes(p + low, n - low, end) | static_cast<uint64_t>(n) << 56;
    }
  }
  return fits;
}

}  // namespace

std::optional<ShortKeyPacking> PlanShortKeyPacking(
    const std::vector<std::shared_ptr<arrow::DataType>>& types) {
  if (types.empty() || types.size() > 2) return std::nullopt;
  ShortKeyPacking packing;
  bool any_string = false;
  for (const auto& type : types) {
    if (IsShortString(*type)) {
      any_string = true;
      packing.words.push_back(types.size() == 1 ? 2 : 1);
    } else if (IsIntegerKey({type})) {
      packing.words.push_back(0);
    } else {
      return std::nullopt;
    }
  }
  if (!any_string) return std::nullopt;
  for (size_t k = 0; k < types.size(); ++k) {
    if (packing.words[k] == 0) {
      packing.packed_types.push_back(types[k]);
    } else {
      for (int w = 0; w < packing.words[k]; ++w) packing.packed_types.push_back(arrow::int64());
    }
  }
  return packing;
}

Result<bool> PackShortKeys(const ShortKeyPacking& packing, const arrow::ArrayVector& keys,
                           int64_t length, arrow::ArrayVector* packed,
                           std::vector<uint8_t>* too_long) {
  packed->clear();
  if (too_long != nullptr) too_long->assign(static_cast<size_t>(length), 0);
  bool fits = true;
  for (size_t k = 0; k < keys.size(); ++k) {
    const auto& data = *keys[k]->data();
    const int words = packing.words[k];
    if (words == 0) {
      packed->push_back(keys[k]);
      continue;
    }
    std::shared_ptr<arrow::Buffer> buffers[2];
    for (int w = 0; w < words; ++w) {
      ARROW_ASSIGN_OR_RAISE(buffers[w], arrow::AllocateBuffer(length * 8));
    }
    auto* first = reinterpret_cast<uint64_t*>(buffers[0]->mutable_data());
    auto* second = words == 2 ? reinterpret_cast<uint64_t*>(buffers[1]->mutable_data()) : nullptr;
    fits &= PackStrings(data, words, length, first, second,
                        too_long != nullptr ? too_long->data() : nullptr);
    if (!fits && too_long == nullptr) return false;
    // A null string is null in each of its words.
    std::shared_ptr<arrow::Buffer> validity;
    int64_t null_count = 0;
    if (data.MayHaveNulls()) {
      null_count = keys[k]->null_count();
      if (null_count > 0) {
        ARROW_ASSIGN_OR_RAISE(validity, arrow::AllocateBitmap(length));
        arrow::internal::CopyBitmap(data.buffers[0]->data(), data.offset, length,
                                    validity->mutable_data(), 0);
      }
    }
    for (int w = 0; w < words; ++w) {
      packed->push_back(arrow::MakeArray(arrow::ArrayData::Make(
          arrow::int64(), length, {validity, buffers[w]}, null_count)));
    }
  }
  return fits || too_long != nullptr;
}

Result<arrow::ArrayVector> UnpackShortKeys(
    const ShortKeyPacking& packing, const std::vector<std::shared_ptr<arrow::DataType>>& types,
    const arrow::ArrayVector& packed) {
  arrow::ArrayVector out;
  size_t next = 0;
  for (size_t k = 0; k < types.size(); ++k) {
    const int words = packing.words[k];
    if (words == 0) {
      out.push_back(packed[next++]);
      continue;
    }
    const auto& first = static_cast<const arrow::Int64Array&>(*packed[next]);
    const arrow::Int64Array* second =
        words == 2 ? &static_cast<const arrow::Int64Array&>(*packed[next + 1]) : nullptr;
    next += static_cast<size_t>(words);
    std::unique_ptr<arrow::ArrayBuilder> builder;
    RETURN_NOT_OK(arrow::MakeBuilder(arrow::default_memory_pool(), types[k], &builder));
    auto& strings = static_cast<arrow::BinaryBuilder&>(*builder);
    RETURN_NOT_OK(strings.Reserve(first.length()));
    for (int64_t i = 0; i < first.length(); ++i) {
      if (first.IsNull(i)) {
        RETURN_NOT_OK(strings.AppendNull());
        continue;
      }
      uint8_t bytes[16];
      auto a = static_cast<uint64_t>(first.Value(i));
      std::memcpy(bytes, &a, 8);
      int64_t n;
      if (second == nullptr) {
        n = static_cast<int64_t>(a >> 56);
      } else {
        auto b = static_cast<uint64_t>(second->Value(i));
        std::memcpy(bytes + 8, &b, 8);
        n = static_cast<int64_t>(b >> 56);
      }
      RETURN_NOT_OK(strings.Append(bytes, static_cast<int32_t>(n)));
    }
    std::shared_ptr<arrow::Array> array;
    RETURN_NOT_OK(strings.Finish(&array));
    out.push_back(std::move(array));
  }
  return out;
}

}  // namespace basin::exec
