#include "basin/types/variant_type.h"

#include <arrow/builder.h>
#include <arrow/util/bit_util.h>
#include <arrow/util/key_value_metadata.h>

namespace basin::types {

const std::shared_ptr<arrow::DataType>& VariantType() {
  static const std::shared_ptr<arrow::DataType> kType =
      arrow::struct_({arrow::field("value", arrow::binary(), false),
                      arrow::field("metadata", arrow::binary(), false,
                                   arrow::key_value_metadata({kVariantChildMarker}, {"true"}))});
  return kType;
}

bool IsVariantType(const arrow::DataType& type) {
  if (type.id() != arrow::Type::STRUCT || type.num_fields() != 2) return false;
  const auto& value = type.field(0);
  const auto& metadata = type.field(1);
  if (value->name() != "value" || metadata->name() != "metadata" ||
      value->type()->id() != arrow::Type::BINARY || metadata->type()->id() != arrow::Type::BINARY ||
      !metadata->metadata()) {
    return false;
  }
  auto marker = metadata->metadata()->Get(kVariantChildMarker);
  return marker.ok() && *marker == "true";
}

namespace {

Result<std::shared_ptr<arrow::Array>> WithoutNulls(const std::shared_ptr<arrow::Array>& child) {
  if (child->null_count() == 0) return child;
  const auto& binary = static_cast<const arrow::BinaryArray&>(*child);
  arrow::BinaryBuilder out;
  RETURN_NOT_OK(out.Reserve(binary.length()));
  for (int64_t i = 0; i < binary.length(); ++i) {
    if (binary.IsNull(i)) {
      RETURN_NOT_OK(out.AppendEmptyValue());
    } else {
      RETURN_NOT_OK(out.Append(binary.GetView(i)));
    }
  }
  return out.Finish();
}

// Returns the validity bitmap of `array` re-based to offset 0 (nullptr when there are no nulls).
Result<std::shared_ptr<arrow::Buffer>> Validity(const arrow::Array& array) {
  if (array.null_count() == 0) return std::shared_ptr<arrow::Buffer>();
  ARROW_ASSIGN_OR_RAISE(auto bitmap, arrow::AllocateEmptyBitmap(array.length()));
  for (int64_t i = 0; i < array.length(); ++i) {
    if (array.IsValid(i)) arrow::bit_util::SetBit(bitmap->mutable_data(), i);
  }
  return std::shared_ptr<arrow::Buffer>(std::move(bitmap));
}

}  // namespace

Result<std::shared_ptr<arrow::Array>> FillVariantChildNulls(
    const std::shared_ptr<arrow::Array>& array) {
  const auto& type = array->type();
  if (!ContainsVariant(*type)) return array;
  switch (type->id()) {
    case arrow::Type::STRUCT: {
      const auto& st = static_cast<const arrow::StructArray&>(*array);
      arrow::ArrayVector children;
      for (int f = 0; f < st.num_fields(); ++f) {
        // field() is already sliced to the struct's offset and length.
        auto child = st.field(f);
        if (IsVariantType(*type)) {
          ARROW_ASSIGN_OR_RAISE(child, WithoutNulls(child));
        } else {
          ARROW_ASSIGN_OR_RAISE(child, FillVariantChildNulls(child));
        }
        children.push_back(child);
      }
      ARROW_ASSIGN_OR_RAISE(auto validity, Validity(st));
      return std::make_shared<arrow::StructArray>(type, st.length(), children, validity,
                                                  st.null_count());
    }
    case arrow::Type::LIST: {
      const auto& list = static_cast<const arrow::ListArray&>(*array);
      ARROW_ASSIGN_OR_RAISE(auto values, FillVariantChildNulls(list.values()));
      return std::make_shared<arrow::ListArray>(type, list.length(), list.value_offsets(), values,
                                                list.null_bitmap(), list.null_count(),
                                                list.offset());
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapArray&>(*array);
      ARROW_ASSIGN_OR_RAISE(auto items, FillVariantChildNulls(map.items()));
      return std::make_shared<arrow::MapArray>(type, map.length(), map.value_offsets(), map.keys(),
                                               items, map.null_bitmap(), map.null_count(),
                                               map.offset());
    }
    default:
      return array;
  }
}

bool ContainsVariant(const arrow::DataType& type) {
  if (IsVariantType(type)) return true;
  for (const auto& field : type.fields()) {
    if (ContainsVariant(*field->type())) return true;
  }
  return false;
}

}  // namespace basin::types
