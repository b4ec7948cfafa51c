#include "basin/exec/row_hash.h"

#include <cmath>
#include <cstring>
#include <string_view>

namespace basin::exec {

namespace {


uint64_t HashBytes(const void* data, size_t size) {
  // FNV-1a; speed matters less than spreading rows evenly over partitions.
  uint64_t h = 1469598103934665603ULL;
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h;
}

uint64_t HashCell(const arrow::Array& array, int64_t row) {
  if (array.IsNull(row)) return 0x9e3779b97f4a7c15ULL;
  const auto& type = *array.type();
  if (arrow::is_binary_like(type.id())) {
    auto view = static_cast<const arrow::BinaryArray&>(array).GetView(row);
    return HashBytes(view.data(), view.size());
  }
  if (arrow::is_large_binary_like(type.id())) {
    auto view = static_cast<const arrow::LargeBinaryArray&>(array).GetView(row);
    return HashBytes(view.data(), view.size());
  }
  // -0.0 and 0.0, and all NaNs, are equal keys (see NormalizeFloatingKeys), so hash alike.
  if (type.id() == arrow::Type::DOUBLE || type.id() == arrow::Type::FLOAT) {
    double v = type.id() == arrow::Type::DOUBLE
                   ? static_cast<const arrow::DoubleArray&>(array).Value(row)
                   : static_cast<const arrow::FloatArray&>(array).Value(row);
    if (std::isnan(v)) return Mix64(0x7ff8000000000000ULL);
    if (v == 0) v = 0;
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof(bits));
    return Mix64(bits);
  }
  if (type.id() == arrow::Type::BOOL) {
    return Mix64(static_cast<const arrow::BooleanArray&>(array).Value(row) ? 2 : 1);
  }
  if (arrow::is_fixed_width(type.id()) && type.id() != arrow::Type::NA) {
    int width = type.byte_width();
    const uint8_t* base = array.data()->GetValues<uint8_t>(1, 0);
    if (base && width > 0) {
      return HashBytes(base + (array.offset() + row) * width, static_cast<size_t>(width));
    }
  }
  auto scalar = array.GetScalar(row);
  std::string text = scalar.ok() ? (*scalar)->ToString() : "";
  return HashBytes(text.data(), text.size());
}

}  // namespace

uint64_t Mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

std::vector<uint64_t> HashRows(const arrow::ArrayVector& keys, int64_t length) {
  std::vector<uint64_t> hashes(static_cast<size_t>(length), 0x12345678ULL);
  for (const auto& key : keys) {
    for (int64_t i = 0; i < length; ++i) {
      auto& h = hashes[static_cast<size_t>(i)];
      h = Mix64(h * 31 + HashCell(*key, i));
    }
  }
  return hashes;
}

}  // namespace basin::exec
