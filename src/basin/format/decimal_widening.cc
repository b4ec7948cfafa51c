#include "basin/format/decimal_widening.h"

#include <cstring>

#include <arrow/util/bitmap_ops.h>

namespace basin::format {

namespace {

// Sign-extends each value into a little-endian pair of 64-bit words (Arrow's decimal128
// layout).
template <typename T>
[[gnu::noinline]] void Widen(const T* in, int64_t length, int64_t* out) {
  for (int64_t i = 0; i < length; ++i) {
    const int64_t v = in[i];
    out[2 * i] = v;
    out[2 * i + 1] = v >> 63;
  }
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Array>> WidenDecimal(const arrow::Array& array) {
  const auto& data = *array.data();
  const int64_t length = array.length();
  int precision, scale;
  if (array.type_id() == arrow::Type::DECIMAL32) {
    const auto& t = static_cast<const arrow::Decimal32Type&>(*array.type());
    precision = t.precision();
    scale = t.scale();
  } else if (array.type_id() == arrow::Type::DECIMAL64) {
    const auto& t = static_cast<const arrow::Decimal64Type&>(*array.type());
    precision = t.precision();
    scale = t.scale();
  } else {
    return arrow::Status::TypeError("WidenDecimal takes decimal32 or decimal64, not ",
                                    array.type()->ToString());
  }
  ARROW_ASSIGN_OR_RAISE(auto values, arrow::AllocateBuffer(length * 16));
  auto* out = reinterpret_cast<int64_t*>(values->mutable_data());
  if (length > 0) {
    if (array.type_id() == arrow::Type::DECIMAL32) {
      Widen(reinterpret_cast<const int32_t*>(data.buffers[1]->data()) + data.offset, length, out);
    } else {
      Widen(reinterpret_cast<const int64_t*>(data.buffers[1]->data()) + data.offset, length, out);
    }
  }
  std::shared_ptr<arrow::Buffer> validity;
  const int64_t null_count = array.null_count();
  if (null_count > 0) {
    if (data.offset == 0) {
      validity = data.buffers[0];
    } else {
      ARROW_ASSIGN_OR_RAISE(validity, arrow::internal::CopyBitmap(arrow::default_memory_pool(),
                                                                  data.buffers[0]->data(),
                                                                  data.offset, length));
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto type, arrow::Decimal128Type::Make(precision, scale));
  return arrow::MakeArray(arrow::ArrayData::Make(
      type, length, {validity, std::shared_ptr<arrow::Buffer>(std::move(values))}, null_count));
}

}  // namespace basin::format
