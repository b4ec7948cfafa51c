#include "basin/function/to_variant.h"

#include <algorithm>
#include <string>
#include <vector>

#include "basin/types/variant.h"
#include "basin/types/variant_type.h"

namespace basin::function {

namespace {

using types::VariantBasicType;
using types::VariantBuilder;
using types::VariantMetadata;
using types::VariantValue;

// Copies variant `value` (keys from `metadata`) into `out`, whose dictionary differs: objects
// are rebuilt with their keys added to `out`; everything else is copied as it is.
Status CopyVariant(const VariantMetadata& metadata, const VariantValue& value,
                   VariantBuilder& out) {
  switch (value.basic_type()) {
    case VariantBasicType::kObject: {
      ARROW_ASSIGN_OR_RAISE(auto n, value.NumElements());
      const size_t start = out.Offset();
      std::vector<VariantBuilder::ObjectField> fields;
      for (uint32_t k = 0; k < n; ++k) {
        ARROW_ASSIGN_OR_RAISE(auto field, value.Field(k));
        ARROW_ASSIGN_OR_RAISE(auto name, metadata.Name(field.first));
        fields.push_back({out.AddKey(name), out.Offset() - start});
        RETURN_NOT_OK(CopyVariant(metadata, field.second, out));
      }
      return out.FinishObject(start, std::move(fields));
    }
    case VariantBasicType::kArray: {
      ARROW_ASSIGN_OR_RAISE(auto n, value.NumElements());
      const size_t start = out.Offset();
      std::vector<size_t> offsets;
      for (uint32_t k = 0; k < n; ++k) {
        ARROW_ASSIGN_OR_RAISE(auto element, value.Element(k));
        offsets.push_back(out.Offset() - start);
        RETURN_NOT_OK(CopyVariant(metadata, element, out));
      }
      out.FinishArray(start, offsets);
      return Status::OK();
    }
    default: {
      ARROW_ASSIGN_OR_RAISE(auto size, value.Size());
      return out.AppendEncoded(value.data().substr(0, size));
    }
  }
}

// Appends a decimal the way Spark's cast does: trailing fraction zeros dropped first.
void AppendDecimal(const arrow::Decimal128& decimal, int scale, VariantBuilder& out) {
  __int128 unscaled = (static_cast<__int128>(decimal.high_bits()) << 64) |
                      static_cast<__int128>(decimal.low_bits());
  while (scale > 0 && unscaled % 10 == 0) {
    unscaled /= 10;
    --scale;
  }
  if (unscaled == 0) scale = 0;
  unsigned __int128 magnitude = unscaled < 0 ? -static_cast<unsigned __int128>(unscaled)
                                             : static_cast<unsigned __int128>(unscaled);
  int digits = 1;
  while (magnitude >= 10) {
    magnitude /= 10;
    ++digits;
  }
  out.AppendDecimal(unscaled, std::max(digits, scale), scale);
}

Status AppendValue(const arrow::Array& array, int64_t i, bool objects, VariantBuilder& out) {
  if (array.IsNull(i)) {
    out.AppendNull();
    return Status::OK();
  }
  const auto& type = *array.type();
  if (types::IsVariantType(type)) {
    const auto& st = static_cast<const arrow::StructArray&>(array);
    const auto value = static_cast<const arrow::BinaryArray&>(*st.field(0)).GetView(i);
    const auto metadata = static_cast<const arrow::BinaryArray&>(*st.field(1)).GetView(i);
    ARROW_ASSIGN_OR_RAISE(auto parsed_metadata, VariantMetadata::Parse(metadata));
    ARROW_ASSIGN_OR_RAISE(auto parsed_value, VariantValue::Make(value));
    return CopyVariant(parsed_metadata, parsed_value, out);
  }
  switch (type.id()) {
    case arrow::Type::BOOL:
      out.AppendBool(static_cast<const arrow::BooleanArray&>(array).Value(i));
      return Status::OK();
    case arrow::Type::INT8:
      out.AppendInt(static_cast<const arrow::Int8Array&>(array).Value(i));
      return Status::OK();
    case arrow::Type::INT16:
      out.AppendInt(static_cast<const arrow::Int16Array&>(array).Value(i));
      return Status::OK();
    case arrow::Type::INT32:
      out.AppendInt(static_cast<const arrow::Int32Array&>(array).Value(i));
      return Status::OK();
    case arrow::Type::INT64:
      out.AppendInt(static_cast<const arrow::Int64Array&>(array).Value(i));
      return Status::OK();
    case arrow::Type::FLOAT:
      out.AppendFloat(static_cast<const arrow::FloatArray&>(array).Value(i));
      return Status::OK();
    case arrow::Type::DOUBLE:
      out.AppendDouble(static_cast<const arrow::DoubleArray&>(array).Value(i));
      return Status::OK();
    case arrow::Type::DECIMAL128: {
      const auto& decimals = static_cast<const arrow::Decimal128Array&>(array);
      AppendDecimal(arrow::Decimal128(decimals.GetValue(i)),
                    static_cast<const arrow::Decimal128Type&>(type).scale(), out);
      return Status::OK();
    }
    case arrow::Type::STRING:
      out.AppendString(static_cast<const arrow::StringArray&>(array).GetView(i));
      return Status::OK();
    case arrow::Type::LARGE_STRING:
      out.AppendString(static_cast<const arrow::LargeStringArray&>(array).GetView(i));
      return Status::OK();
    case arrow::Type::BINARY:
      out.AppendBinary(static_cast<const arrow::BinaryArray&>(array).GetView(i));
      return Status::OK();
    case arrow::Type::LARGE_BINARY:
      out.AppendBinary(static_cast<const arrow::LargeBinaryArray&>(array).GetView(i));
      return Status::OK();
    case arrow::Type::DATE32:
      out.AppendDate(static_cast<const arrow::Date32Array&>(array).Value(i));
      return Status::OK();
    case arrow::Type::TIMESTAMP: {
      const auto& ts = static_cast<const arrow::TimestampType&>(type);
      int64_t micros = static_cast<const arrow::TimestampArray&>(array).Value(i);
      if (ts.unit() == arrow::TimeUnit::NANO) micros /= 1000;
      if (ts.unit() == arrow::TimeUnit::MILLI) micros *= 1000;
      if (ts.unit() == arrow::TimeUnit::SECOND) micros *= 1000000;
      if (ts.timezone().empty()) {
        out.AppendTimestampNtz(micros);
      } else {
        out.AppendTimestamp(micros);
      }
      return Status::OK();
    }
    case arrow::Type::LIST: {
      const auto& list = static_cast<const arrow::ListArray&>(array);
      const size_t start = out.Offset();
      std::vector<size_t> offsets;
      for (int64_t k = list.value_offset(i); k < list.value_offset(i + 1); ++k) {
        offsets.push_back(out.Offset() - start);
        RETURN_NOT_OK(AppendValue(*list.values(), k, objects, out));
      }
      out.FinishArray(start, offsets);
      return Status::OK();
    }
    case arrow::Type::STRUCT: {
      const auto& st = static_cast<const arrow::StructArray&>(array);
      const size_t start = out.Offset();
      std::vector<VariantBuilder::ObjectField> fields;
      for (int f = 0; f < st.num_fields(); ++f) {
        fields.push_back({out.AddKey(type.field(f)->name()), out.Offset() - start});
        // A null struct row was handled above; its children are read at the struct's offset.
        RETURN_NOT_OK(AppendValue(*st.field(f), i, objects, out));
      }
      return out.FinishObject(start, std::move(fields));
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapArray&>(array);
      const auto& keys = static_cast<const arrow::StringArray&>(*map.keys());
      const size_t start = out.Offset();
      std::vector<VariantBuilder::ObjectField> fields;
      for (int64_t k = map.value_offset(i); k < map.value_offset(i + 1); ++k) {
        fields.push_back({out.AddKey(keys.GetView(k)), out.Offset() - start});
        RETURN_NOT_OK(AppendValue(*map.items(), k, objects, out));
      }
      return out.FinishObject(start, std::move(fields));
    }
    default:
      return InternalError("cannot encode " + type.ToString() + " as a variant");
  }
}

}  // namespace

bool CanEncodeAsVariant(const arrow::DataType& from, bool objects) {
  if (types::IsVariantType(from)) return true;
  switch (from.id()) {
    case arrow::Type::NA:
    case arrow::Type::BOOL:
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE:
    case arrow::Type::DECIMAL128:
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::DATE32:
    case arrow::Type::TIMESTAMP:
      return true;
    case arrow::Type::LIST:
      return CanEncodeAsVariant(*static_cast<const arrow::ListType&>(from).value_type(), objects);
    case arrow::Type::STRUCT:
      if (!objects) return false;
      for (const auto& f : from.fields()) {
        if (!CanEncodeAsVariant(*f->type(), objects)) return false;
      }
      return true;
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(from);
      return objects && map.key_type()->id() == arrow::Type::STRING &&
             CanEncodeAsVariant(*map.item_type(), objects);
    }
    default:
      return false;
  }
}

Result<std::shared_ptr<arrow::Array>> EncodeAsVariant(const std::shared_ptr<arrow::Array>& in,
                                                      bool objects) {
  arrow::BinaryBuilder values, metadatas;
  arrow::TypedBufferBuilder<bool> validity;
  const int64_t n = in->length();
  RETURN_NOT_OK(validity.Reserve(n));
  for (int64_t i = 0; i < n; ++i) {
    if (in->IsNull(i)) {
      // A null variant keeps empty (non-null) children, as the VARIANT type declares them.
      RETURN_NOT_OK(values.Append("", 0));
      RETURN_NOT_OK(metadatas.Append("", 0));
      validity.UnsafeAppend(false);
      continue;
    }
    VariantBuilder builder;
    RETURN_NOT_OK(AppendValue(*in, i, objects, builder));
    ARROW_ASSIGN_OR_RAISE(auto encoded, builder.Finish());
    RETURN_NOT_OK(metadatas.Append(encoded.first));
    RETURN_NOT_OK(values.Append(encoded.second));
    validity.UnsafeAppend(true);
  }
  ARROW_ASSIGN_OR_RAISE(auto value_array, values.Finish());
  ARROW_ASSIGN_OR_RAISE(auto metadata_array, metadatas.Finish());
  const int64_t null_count = validity.false_count();
  ARROW_ASSIGN_OR_RAISE(auto bitmap, validity.Finish());
  const auto& type = types::VariantType();
  return std::make_shared<arrow::StructArray>(type, n,
                                              arrow::ArrayVector{value_array, metadata_array},
                                              null_count > 0 ? bitmap : nullptr, null_count);
}

}  // namespace basin::function
