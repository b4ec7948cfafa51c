#include "basin/function/in_list.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <unordered_set>

#include <arrow/util/bit_util.h>
#include <arrow/util/bitmap_ops.h>

namespace basin::function {

namespace {

// Up to this many items are compared one by one; more go through a sorted array or a hash set.
constexpr size_t kLinearItems = 8;

// Sets bit i of `found` (zeroed, n bits) for every row whose value matches an item.
template <typename T>
void MatchIntegers(const T* values, int64_t n, std::vector<T> items, uint8_t* found) {
  if (items.size() <= kLinearItems) {
    for (int64_t i = 0; i < n; ++i) {
      bool hit = false;
      for (const T item : items) hit |= values[i] == item;
      found[i >> 3] |= static_cast<uint8_t>(hit) << (i & 7);
    }
    return;
  }
  std::sort(items.begin(), items.end());
  for (int64_t i = 0; i < n; ++i) {
    const bool hit = std::binary_search(items.begin(), items.end(), values[i]);
    found[i >> 3] |= static_cast<uint8_t>(hit) << (i & 7);
  }
}

// An item of at most 8 bytes as a masked word, to compare with one load instead of a memcmp call.
struct ShortItem {
  size_t length;
  uint64_t word;
  uint64_t mask;
};

template <typename Offset>
void MatchStrings(const Offset* offsets, const uint8_t* bytes, int64_t bytes_size, int64_t n,
                  const std::vector<std::string_view>& items, uint8_t* found) {
  if (items.size() <= kLinearItems) {
    bool all_short = true;
    std::vector<ShortItem> short_items;
    for (const auto& item : items) {
      if (item.size() > 8) {
        all_short = false;
        break;
      }
      ShortItem s{item.size(), 0, item.size() == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * item.size())) - 1};
      std::memcpy(&s.word, item.data(), item.size());
      short_items.push_back(s);
    }
    for (int64_t i = 0; i < n; ++i) {
      const auto length = static_cast<size_t>(offsets[i + 1] - offsets[i]);
      const uint8_t* begin = bytes + offsets[i];
      bool hit = false;
      if (all_short && offsets[i] + 8 <= bytes_size) {
        // The 8 bytes at begin are inside the data buffer; those past the row are masked off.
        uint64_t word;
        std::memcpy(&word, begin, sizeof(word));
        for (const auto& item : short_items) {
          hit |= item.length == length && (word & item.mask) == item.word;
        }
      } else {
        for (const auto& item : items) {
          // Lengths first: most rows differ from most items in length, and no call is made then.
          if (item.size() == length && std::memcmp(item.data(), begin, length) == 0) {
            hit = true;
            break;
          }
        }
      }
      found[i >> 3] |= static_cast<uint8_t>(hit) << (i & 7);
    }
    return;
  }
  const std::unordered_set<std::string_view> set(items.begin(), items.end());
  for (int64_t i = 0; i < n; ++i) {
    const std::string_view row(reinterpret_cast<const char*>(bytes + offsets[i]),
                               static_cast<size_t>(offsets[i + 1] - offsets[i]));
    found[i >> 3] |= static_cast<uint8_t>(set.count(row) != 0) << (i & 7);
  }
}

template <typename T>
void MatchFixed(const arrow::ArrayData& data, const std::vector<arrow::Datum>& items,
                uint8_t* found) {
  std::vector<T> values;
  for (const auto& item : items) {
    if (!item.scalar()->is_valid) continue;
    const auto view = static_cast<const arrow::internal::PrimitiveScalarBase&>(*item.scalar()).view();
    T v;
    std::memcpy(&v, view.data(), sizeof(T));
    values.push_back(v);
  }
  MatchIntegers<T>(data.GetValues<T>(1), data.length, std::move(values), found);
}

template <typename Offset>
void MatchBinary(const arrow::ArrayData& data, const std::vector<arrow::Datum>& items,
                 uint8_t* found) {
  std::vector<std::string_view> values;
  for (const auto& item : items) {
    if (!item.scalar()->is_valid) continue;
    const auto& buffer = static_cast<const arrow::BaseBinaryScalar&>(*item.scalar()).value;
    values.emplace_back(reinterpret_cast<const char*>(buffer->data()),
                        static_cast<size_t>(buffer->size()));
  }
  const auto& bytes = data.buffers[2];
  static const uint8_t kNoBytes = 0;
  MatchStrings<Offset>(data.GetValues<Offset>(1), bytes ? bytes->data() : &kNoBytes,
                       bytes ? bytes->size() : 0, data.length, values, found);
}

}  // namespace

std::optional<arrow::Datum> InListOfConstants(const arrow::Datum& value,
                                              const std::vector<arrow::Datum>& items,
                                              bool negated) {
  // An empty list is false even for a null value (Spark's In); the caller's fold gives that.
  if (!value.is_array() || items.empty()) return std::nullopt;
  const arrow::ArrayData& data = *value.array();
  bool null_item = false;
  for (const auto& item : items) {
    if (!item.is_scalar() || !item.type()->Equals(*data.type)) return std::nullopt;
    null_item |= !item.scalar()->is_valid;
  }
  const int64_t n = data.length;
  auto found_buffer = arrow::AllocateEmptyBitmap(n);
  if (!found_buffer.ok()) return std::nullopt;
  uint8_t* found = (*found_buffer)->mutable_data();
  switch (data.type->id()) {
    case arrow::Type::INT8:
    case arrow::Type::UINT8:
      MatchFixed<int8_t>(data, items, found);
      break;
    case arrow::Type::INT16:
    case arrow::Type::UINT16:
      MatchFixed<int16_t>(data, items, found);
      break;
    case arrow::Type::INT32:
    case arrow::Type::UINT32:
    case arrow::Type::DATE32:
    case arrow::Type::TIME32:
    case arrow::Type::INTERVAL_MONTHS:
      MatchFixed<int32_t>(data, items, found);
      break;
    case arrow::Type::INT64:
    case arrow::Type::UINT64:
    case arrow::Type::DATE64:
    case arrow::Type::TIME64:
    case arrow::Type::TIMESTAMP:
    case arrow::Type::DURATION:
      MatchFixed<int64_t>(data, items, found);
      break;
    case arrow::Type::STRING:
    case arrow::Type::BINARY:
      MatchBinary<int32_t>(data, items, found);
      break;
    case arrow::Type::LARGE_STRING:
    case arrow::Type::LARGE_BINARY:
      MatchBinary<int64_t>(data, items, found);
      break;
    default:
      return std::nullopt;
  }
  // Valid where the value is valid and, when some item is null, where it matched.
  std::shared_ptr<arrow::Buffer> validity;
  const bool value_nulls = data.MayHaveNulls();
  if (value_nulls || null_item) {
    auto bits = arrow::AllocateBitmap(n);
    if (!bits.ok()) return std::nullopt;
    validity = std::move(*bits);
    uint8_t* out = validity->mutable_data();
    if (value_nulls && null_item) {
      arrow::internal::BitmapAnd(data.buffers[0]->data(), data.offset, found, 0, n, 0, out);
    } else if (value_nulls) {
      arrow::internal::CopyBitmap(data.buffers[0]->data(), data.offset, n, out, 0);
    } else {
      arrow::internal::CopyBitmap(found, 0, n, out, 0);
    }
  }
  if (negated) arrow::internal::InvertBitmap(found, 0, n, found, 0);
  auto result = arrow::ArrayData::Make(arrow::boolean(), n,
                                       {validity, std::move(*found_buffer)},
                                       validity ? arrow::kUnknownNullCount : 0);
  return arrow::Datum(result);
}

}  // namespace basin::function
