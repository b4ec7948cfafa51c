#include "basin/exec/row_comparator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string_view>

#include "basin/types/geospatial_type.h"
#include "basin/types/variant_type.h"

namespace basin::exec {

namespace {

template <typename T>
int Three(T x, T y) {
  return x < y ? -1 : (y < x ? 1 : 0);
}

template <typename T>
int CompareFloat(T x, T y) {
  bool xn = std::isnan(x);
  bool yn = std::isnan(y);
  if (xn || yn) return xn == yn ? 0 : (xn ? 1 : -1);
  return Three(x, y);  // -0.0 == 0.0
}

int CompareBytes(std::string_view x, std::string_view y) {
  size_t n = std::min(x.size(), y.size());
  int c = n ? std::memcmp(x.data(), y.data(), n) : 0;
  if (c != 0) return c < 0 ? -1 : 1;
  return Three(x.size(), y.size());
}

template <typename ArrayType>
int CompareNumeric(const arrow::Array& a, int64_t i, const arrow::Array& b, int64_t j) {
  return Three(static_cast<const ArrayType&>(a).Value(i),
               static_cast<const ArrayType&>(b).Value(j));
}

int CompareList(const arrow::Array& a, int64_t i, const arrow::Array& b, int64_t j) {
  auto slice = [](const arrow::Array& array, int64_t row) {
    switch (array.type_id()) {
      case arrow::Type::LIST:
        return static_cast<const arrow::ListArray&>(array).value_slice(row);
      case arrow::Type::LARGE_LIST:
        return static_cast<const arrow::LargeListArray&>(array).value_slice(row);
      default:
        return static_cast<const arrow::FixedSizeListArray&>(array).value_slice(row);
    }
  };
  auto x = slice(a, i);
  auto y = slice(b, j);
  int64_t n = std::min(x->length(), y->length());
  for (int64_t k = 0; k < n; ++k) {
    int c = CompareValues(*x, k, *y, k);
    if (c != 0) return c;
  }
  return Three(x->length(), y->length());
}

}  // namespace

int CompareValues(const arrow::Array& a, int64_t i, const arrow::Array& b, int64_t j) {
  bool an = a.IsNull(i);
  bool bn = b.IsNull(j);
  if (an || bn) return an == bn ? 0 : (an ? -1 : 1);
  switch (a.type_id()) {
    case arrow::Type::NA:
      return 0;
    case arrow::Type::BOOL:
      return CompareNumeric<arrow::BooleanArray>(a, i, b, j);
    case arrow::Type::INT8:
      return CompareNumeric<arrow::Int8Array>(a, i, b, j);
    case arrow::Type::INT16:
      return CompareNumeric<arrow::Int16Array>(a, i, b, j);
    case arrow::Type::INT32:
      return CompareNumeric<arrow::Int32Array>(a, i, b, j);
    case arrow::Type::INT64:
      return CompareNumeric<arrow::Int64Array>(a, i, b, j);
    case arrow::Type::UINT8:
      return CompareNumeric<arrow::UInt8Array>(a, i, b, j);
    case arrow::Type::UINT16:
      return CompareNumeric<arrow::UInt16Array>(a, i, b, j);
    case arrow::Type::UINT32:
      return CompareNumeric<arrow::UInt32Array>(a, i, b, j);
    case arrow::Type::UINT64:
      return CompareNumeric<arrow::UInt64Array>(a, i, b, j);
    case arrow::Type::DATE32:
      return CompareNumeric<arrow::Date32Array>(a, i, b, j);
    case arrow::Type::DATE64:
      return CompareNumeric<arrow::Date64Array>(a, i, b, j);
    case arrow::Type::TIMESTAMP:
      return CompareNumeric<arrow::TimestampArray>(a, i, b, j);
    case arrow::Type::DURATION:
      return CompareNumeric<arrow::DurationArray>(a, i, b, j);
    case arrow::Type::TIME32:
      return CompareNumeric<arrow::Time32Array>(a, i, b, j);
    case arrow::Type::TIME64:
      return CompareNumeric<arrow::Time64Array>(a, i, b, j);
    case arrow::Type::INTERVAL_MONTHS:
      return CompareNumeric<arrow::MonthIntervalArray>(a, i, b, j);
    case arrow::Type::FLOAT:
      return CompareFloat(static_cast<const arrow::FloatArray&>(a).Value(i),
                          static_cast<const arrow::FloatArray&>(b).Value(j));
    case arrow::Type::DOUBLE:
      return CompareFloat(static_cast<const arrow::DoubleArray&>(a).Value(i),
                          static_cast<const arrow::DoubleArray&>(b).Value(j));
    case arrow::Type::STRING:
    case arrow::Type::BINARY:
      return CompareBytes(static_cast<const arrow::BinaryArray&>(a).GetView(i),
                          static_cast<const arrow::BinaryArray&>(b).GetView(j));
    case arrow::Type::LARGE_STRING:
    case arrow::Type::LARGE_BINARY:
      return CompareBytes(static_cast<const arrow::LargeBinaryArray&>(a).GetView(i),
                          static_cast<const arrow::LargeBinaryArray&>(b).GetView(j));
    case arrow::Type::STRING_VIEW:
    case arrow::Type::BINARY_VIEW:
      return CompareBytes(static_cast<const arrow::BinaryViewArray&>(a).GetView(i),
                          static_cast<const arrow::BinaryViewArray&>(b).GetView(j));
    case arrow::Type::FIXED_SIZE_BINARY:
      return CompareBytes(static_cast<const arrow::FixedSizeBinaryArray&>(a).GetView(i),
                          static_cast<const arrow::FixedSizeBinaryArray&>(b).GetView(j));
    case arrow::Type::DECIMAL128: {
      arrow::Decimal128 x(static_cast<const arrow::Decimal128Array&>(a).GetValue(i));
      arrow::Decimal128 y(static_cast<const arrow::Decimal128Array&>(b).GetValue(j));
      return x < y ? -1 : (y < x ? 1 : 0);
    }
    case arrow::Type::STRUCT: {
      const auto& x = static_cast<const arrow::StructArray&>(a);
      const auto& y = static_cast<const arrow::StructArray&>(b);
      for (int f = 0; f < x.num_fields(); ++f) {
        int c = CompareValues(*x.field(f), i, *y.field(f), j);
        if (c != 0) return c;
      }
      return 0;
    }
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
    case arrow::Type::FIXED_SIZE_LIST:
      return CompareList(a, i, b, j);
    default:
      return 0;
  }
}

Status CheckOrderable(const arrow::DataType& type) {
  if (types::IsVariantType(type)) {
    return UserError("DATATYPE_MISMATCH.INVALID_ORDERING_TYPE",
                     "The `sortorder` does not support ordering on type \"VARIANT\".");
  }
  if (auto spatial = types::SpatialTypeOf(type)) {
    std::string name = types::SpatialTypeName(*spatial);
    for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return UserError("DATATYPE_MISMATCH.INVALID_ORDERING_TYPE",
                     "The `sortorder` does not support ordering on type \"" + name + "\".");
  }
  switch (type.id()) {
    case arrow::Type::MAP:
    case arrow::Type::DICTIONARY:
    case arrow::Type::SPARSE_UNION:
    case arrow::Type::DENSE_UNION:
    case arrow::Type::INTERVAL_DAY_TIME:
    case arrow::Type::INTERVAL_MONTH_DAY_NANO:
    case arrow::Type::DECIMAL256:
      return UserError("DATATYPE_MISMATCH.INVALID_ORDERING_TYPE",
                       "The sort key of type " + type.ToString() + " is not orderable.");
    default:
      for (const auto& child : type.fields()) RETURN_NOT_OK(CheckOrderable(*child->type()));
      return Status::OK();
  }
}

int RowComparator::Compare(const arrow::ArrayVector& a, int64_t i, const arrow::ArrayVector& b,
                           int64_t j) const {
  for (size_t k = 0; k < orders_.size(); ++k) {
    const arrow::Array& x = *a[k];
    const arrow::Array& y = *b[k];
    bool xn = x.IsNull(i);
    bool yn = y.IsNull(j);
    if (xn || yn) {
      if (xn && yn) continue;
      // Null placement does not flip with the direction.
      return xn == orders_[k].nulls_first ? -1 : 1;
    }
    int c = CompareValues(x, i, y, j);
    if (c != 0) return orders_[k].ascending ? c : -c;
  }
  return 0;
}

namespace {

// One sort key read straight from its buffers: the types sorts meet most take a typed path,
// the others go through CompareValues. Same order as RowComparator.
struct SortKey {
  enum class Kind { kInt8, kInt16, kInt32, kInt64, kFloat, kDouble, kDecimal128, kBytes, kOther };
  Kind kind = Kind::kOther;
  const arrow::Array* array = nullptr;
  const uint8_t* validity = nullptr;  // null: no nulls
  int64_t offset = 0;
  const uint8_t* values = nullptr;    // fixed-width values, from row 0 of the array
  const int32_t* offsets = nullptr;   // STRING / BINARY, from row 0 of the array
  const uint8_t* data = nullptr;
  bool ascending = true;
  bool nulls_first = true;

  SortKey(const arrow::Array& a, const SortOrder& order)
      : array(&a), offset(a.offset()), ascending(order.ascending), nulls_first(order.nulls_first) {
    const auto& d = *a.data();
    if (a.null_count() > 0 && d.buffers[0]) validity = d.buffers[0]->data();
    const int width = [&] {
      switch (a.type_id()) {
        case arrow::Type::INT8: kind = Kind::kInt8; return 1;
        case arrow::Type::INT16: kind = Kind::kInt16; return 2;
        case arrow::Type::INT32:
        case arrow::Type::DATE32:
        case arrow::Type::TIME32:
        case arrow::Type::INTERVAL_MONTHS: kind = Kind::kInt32; return 4;
        case arrow::Type::INT64:
        case arrow::Type::DATE64:
        case arrow::Type::TIMESTAMP:
        case arrow::Type::DURATION:
        case arrow::Type::TIME64: kind = Kind::kInt64; return 8;
        case arrow::Type::FLOAT: kind = Kind::kFloat; return 4;
        case arrow::Type::DOUBLE: kind = Kind::kDouble; return 8;
        case arrow::Type::DECIMAL128: kind = Kind::kDecimal128; return 16;
        case arrow::Type::STRING:
        case arrow::Type::BINARY: kind = Kind::kBytes; return 0;
        default: kind = Kind::kOther; return 0;
      }
    }();
    if (kind == Kind::kBytes) {
      offsets = d.GetValues<int32_t>(1);
      data = d.buffers[2] ? d.buffers[2]->data() : nullptr;
    } else if (kind != Kind::kOther) {
      values = d.buffers[1]->data() + offset * width;
    }
  }

  template <typename T>
  T At(int64_t i) const {
    T v;
    std::memcpy(&v, values + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
    return v;
  }

  // <0, 0, >0 for rows x and y, in this key's direction and null placement.
  int Compare(int64_t x, int64_t y) const {
    if (validity) {
      const bool xn = !arrow::bit_util::GetBit(validity, offset + x);
      const bool yn = !arrow::bit_util::GetBit(validity, offset + y);
      if (xn || yn) {
        if (xn && yn) return 0;
        return xn == nulls_first ? -1 : 1;  // null placement does not flip with the direction
      }
    }
    int c;
    switch (kind) {
      case Kind::kInt8: c = Three(At<int8_t>(x), At<int8_t>(y)); break;
      case Kind::kInt16: c = Three(At<int16_t>(x), At<int16_t>(y)); break;
      case Kind::kInt32: c = Three(At<int32_t>(x), At<int32_t>(y)); break;
      case Kind::kInt64: c = Three(At<int64_t>(x), At<int64_t>(y)); break;
      case Kind::kFloat: c = CompareFloat(At<float>(x), At<float>(y)); break;
      case Kind::kDouble: c = CompareFloat(At<double>(x), At<double>(y)); break;
      case Kind::kDecimal128: c = Three(At<__int128>(x), At<__int128>(y)); break;
      case Kind::kBytes: {
        const int32_t* o = offsets;  // from the array's first row
        c = CompareBytes(std::string_view(reinterpret_cast<const char*>(data) + o[x],
                                          static_cast<size_t>(o[x + 1] - o[x])),
                         std::string_view(reinterpret_cast<const char*>(data) + o[y],
                                          static_cast<size_t>(o[y + 1] - o[y])));
        break;
      }
      default: c = CompareValues(*array, x, *array, y); break;
    }
    return ascending ? c : -c;
  }
};

}  // namespace

std::vector<int64_t> SortIndices(const arrow::ArrayVector& keys, int64_t length,
                                 const std::vector<SortOrder>& orders, int64_t limit) {
  std::vector<int64_t> indices(static_cast<size_t>(length));
  std::iota(indices.begin(), indices.end(), 0);
  std::vector<SortKey> sort_keys;
  for (size_t k = 0; k < orders.size(); ++k) sort_keys.emplace_back(*keys[k], orders[k]);
  auto less = [&](int64_t x, int64_t y) {
    for (const SortKey& key : sort_keys) {
      const int c = key.Compare(x, y);
      if (c != 0) return c < 0;
    }
    return x < y;  // ties keep input order
  };
  if (limit >= 0 && limit < length) {
    std::partial_sort(indices.begin(), indices.begin() + limit, indices.end(), less);
    indices.resize(static_cast<size_t>(limit));
  } else {
    std::sort(indices.begin(), indices.end(), less);
  }
  return indices;
}

}  // namespace basin::exec
