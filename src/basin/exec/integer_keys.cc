#include "basin/exec/integer_keys.h"

#include <algorithm>
#include <bit>

#include "basin/exec/row_hash.h"

namespace basin::exec {

bool IsIntegerKey(const std::vector<std::shared_ptr<arrow::DataType>>& types) {
  if (types.empty() || types.size() > 2) return false;
  for (const auto& type : types) {
    switch (type->id()) {
      case arrow::Type::INT8:
      case arrow::Type::INT16:
      case arrow::Type::INT32:
      case arrow::Type::INT64:
      case arrow::Type::DATE32:
      case arrow::Type::DATE64:
      case arrow::Type::TIMESTAMP:
      case arrow::Type::TIME64:
        break;
      default:
        return false;
    }
  }
  return true;
}

namespace {

template <typename CType>
void Widen(const CType* v, int64_t n, uint64_t* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<uint64_t>(static_cast<int64_t>(v[i]));
}

}  // namespace

void ReadIntegerKeys(const arrow::ArrayVector& keys, int64_t begin, int64_t n, uint64_t* a,
                     uint64_t* b, uint8_t* nulls) {
  std::fill(nulls, nulls + n, uint8_t{0});
  for (size_t k = 0; k < keys.size(); ++k) {
    const auto& data = *keys[k]->data();
    uint64_t* out = k == 0 ? a : b;
    const int64_t first = data.offset + begin;
    switch (data.type->byte_width()) {
      case 1:
        Widen(data.GetValues<int8_t>(1, 0) + first, n, out);
        break;
      case 2:
        Widen(data.GetValues<int16_t>(1, 0) + first, n, out);
        break;
      case 4:
        Widen(data.GetValues<int32_t>(1, 0) + first, n, out);
        break;
      default:
        Widen(data.GetValues<int64_t>(1, 0) + first, n, out);
        break;
    }
    if (data.MayHaveNulls()) {
      const uint8_t* bits = data.buffers[0]->data();
      const auto bit = static_cast<uint8_t>(1u << k);
      for (int64_t i = 0; i < n; ++i) {
        if (!arrow::bit_util::GetBit(bits, first + i)) {
          nulls[i] |= bit;
          out[i] = 0;  // a null's slot may hold any value
        }
      }
    }
  }
  if (keys.size() == 1) std::fill(b, b + n, uint64_t{0});
}

uint64_t HashIntegerKey(uint64_t a, uint64_t b) {
  // Both words folded into one, then the 64-bit finalizer.
  return Mix64(a * 0x9E3779B97F4A7C15ULL ^ std::rotl(b * 0xC2B2AE3D27D4EB4FULL, 31));
}

}  // namespace basin::exec
