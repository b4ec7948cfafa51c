#include "basin/function/value_order.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <string_view>

#include "basin/function/kernel_support.h"

namespace basin::function {

namespace {
int CompareDoubles(double x, double y) {
  const bool xn = std::isnan(x), yn = std::isnan(y);
  if (xn || yn) return xn == yn ? 0 : (xn ? 1 : -1);
  if (x < y) return -1;
  if (x > y) return 1;
  return 0;
}
template <typename T>
int Cmp(T x, T y) {
  return x < y ? -1 : (x > y ? 1 : 0);
}
}  // namespace

int CompareValues(const arrow::Array& a, int64_t i, const arrow::Array& b, int64_t j) {
  switch (a.type_id()) {
    case arrow::Type::NA:
      return 0;
    case arrow::Type::FLOAT:
      return CompareDoubles(static_cast<const arrow::FloatArray&>(a).Value(i),
                            static_cast<const arrow::FloatArray&>(b).Value(j));
    case arrow::Type::DOUBLE:
      return CompareDoubles(static_cast<const arrow::DoubleArray&>(a).Value(i),
                            static_cast<const arrow::DoubleArray&>(b).Value(j));
    case arrow::Type::DECIMAL128: {
      arrow::Decimal128 x(static_cast<const arrow::Decimal128Array&>(a).GetValue(i));
      arrow::Decimal128 y(static_cast<const arrow::Decimal128Array&>(b).GetValue(j));
      return x < y ? -1 : (y < x ? 1 : 0);
    }
    case arrow::Type::STRING:
    case arrow::Type::BINARY: {
      auto x = static_cast<const arrow::BinaryArray&>(a).GetView(i);
      auto y = static_cast<const arrow::BinaryArray&>(b).GetView(j);
      int c = x.compare(y);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case arrow::Type::LIST: {
      const auto& x = static_cast<const arrow::ListArray&>(a);
      const auto& y = static_cast<const arrow::ListArray&>(b);
      const int64_t xn = x.value_length(i), yn = y.value_length(j);
      for (int64_t k = 0; k < std::min(xn, yn); ++k) {
        const int64_t xi = x.value_offset(i) + k, yi = y.value_offset(j) + k;
        const bool xnull = x.values()->IsNull(xi), ynull = y.values()->IsNull(yi);
        if (xnull || ynull) {
          if (xnull != ynull) return xnull ? -1 : 1;
          continue;
        }
        int c = CompareValues(*x.values(), xi, *y.values(), yi);
        if (c != 0) return c;
      }
      return Cmp(xn, yn);
    }
    case arrow::Type::STRUCT: {
      const auto& x = static_cast<const arrow::StructArray&>(a);
      const auto& y = static_cast<const arrow::StructArray&>(b);
      for (int f = 0; f < x.num_fields(); ++f) {
        const auto& xf = *x.field(f);
        const auto& yf = *y.field(f);
        const int64_t xi = i, yi = j;  // field() applies the struct's offset
        const bool xnull = xf.IsNull(xi), ynull = yf.IsNull(yi);
        if (xnull || ynull) {
          if (xnull != ynull) return xnull ? -1 : 1;
          continue;
        }
        int c = CompareValues(xf, xi, yf, yi);
        if (c != 0) return c;
      }
      return 0;
    }
    default: {
      ArgReader x{arrow::Datum(a.Slice(i, 1))};
      ArgReader y{arrow::Datum(b.Slice(j, 1))};
      return Cmp(x.Int(0), y.Int(0));
    }
  }
}

bool ValuesEqual(const arrow::Array& a, int64_t i, const arrow::Array& b, int64_t j) {
  const bool an = a.IsNull(i), bn = b.IsNull(j);
  if (an || bn) return an == bn;
  if (a.type_id() == arrow::Type::MAP) {
    return a.Slice(i, 1)->Equals(*b.Slice(j, 1));
  }
  if (a.type_id() == arrow::Type::LIST) {
    const auto& x = static_cast<const arrow::ListArray&>(a);
    const auto& y = static_cast<const arrow::ListArray&>(b);
    if (x.value_length(i) != y.value_length(j)) return false;
    for (int64_t k = 0; k < x.value_length(i); ++k) {
      if (!ValuesEqual(*x.values(), x.value_offset(i) + k, *y.values(), y.value_offset(j) + k)) {
        return false;
      }
    }
    return true;
  }
  if (a.type_id() == arrow::Type::STRUCT) {
    const auto& x = static_cast<const arrow::StructArray&>(a);
    const auto& y = static_cast<const arrow::StructArray&>(b);
    for (int f = 0; f < x.num_fields(); ++f) {
      if (!ValuesEqual(*x.field(f), i, *y.field(f), j)) return false;
    }
    return true;
  }
  return CompareValues(a, i, b, j) == 0;
}

uint64_t HashValue(const arrow::Array& a, int64_t i) {
  if (a.IsNull(i)) return 0x9e3779b97f4a7c15ULL;
  auto mix = [](uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
  };
  switch (a.type_id()) {
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE: {
      double d = a.type_id() == arrow::Type::FLOAT
                     ? static_cast<const arrow::FloatArray&>(a).Value(i)
                     : static_cast<const arrow::DoubleArray&>(a).Value(i);
      if (std::isnan(d)) return 0x7ff8000000000000ULL;
      if (d == 0) d = 0;  // -0.0 == 0.0
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof(bits));
      return std::hash<uint64_t>()(bits);
    }
    case arrow::Type::DECIMAL128: {
      arrow::Decimal128 x(static_cast<const arrow::Decimal128Array&>(a).GetValue(i));
      return mix(static_cast<uint64_t>(x.high_bits()), x.low_bits());
    }
    case arrow::Type::STRING:
    case arrow::Type::BINARY:
      return std::hash<std::string_view>()(static_cast<const arrow::BinaryArray&>(a).GetView(i));
    case arrow::Type::LIST: {
      const auto& x = static_cast<const arrow::ListArray&>(a);
      uint64_t h = 17;
      for (int64_t k = x.value_offset(i); k < x.value_offset(i + 1); ++k) {
        h = mix(h, HashValue(*x.values(), k));
      }
      return h;
    }
    case arrow::Type::STRUCT: {
      const auto& x = static_cast<const arrow::StructArray&>(a);
      uint64_t h = 31;
      for (int f = 0; f < x.num_fields(); ++f) h = mix(h, HashValue(*x.field(f), i));
      return h;
    }
    case arrow::Type::MAP: {
      const auto& x = static_cast<const arrow::MapArray&>(a);
      uint64_t h = 37;
      for (int64_t k = x.value_offset(i); k < x.value_offset(i + 1); ++k) {
        h = mix(h, HashValue(*x.keys(), k));
        h = mix(h, HashValue(*x.items(), k));
      }
      return h;
    }
    default: {
      ArgReader x{arrow::Datum(a.Slice(i, 1))};
      return std::hash<int64_t>()(x.Int(0));
    }
  }
}

}  // namespace basin::function
