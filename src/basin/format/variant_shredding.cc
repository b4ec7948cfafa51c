#include "basin/format/variant_shredding.h"

#include <string>
#include <vector>

#include <arrow/builder.h>
#include <arrow/extension_type.h>

#include "basin/types/variant.h"

namespace basin::format {

namespace {

using types::VariantBuilder;

Status Malformed(const std::string& why) {
  return UserError("MALFORMED_VARIANT", "Variant binary is malformed: " + why +
                                            ". Please check the data source is valid.");
}

bool IsBinaryLike(const arrow::DataType& type) {
  return type.id() == arrow::Type::BINARY || type.id() == arrow::Type::LARGE_BINARY ||
         type.id() == arrow::Type::BINARY_VIEW;
}

std::string_view BinaryAt(const arrow::Array& array, int64_t row) {
  switch (array.type_id()) {
    case arrow::Type::LARGE_BINARY:
      return static_cast<const arrow::LargeBinaryArray&>(array).GetView(row);
    case arrow::Type::BINARY_VIEW:
      return static_cast<const arrow::BinaryViewArray&>(array).GetView(row);
    default:
      return static_cast<const arrow::BinaryArray&>(array).GetView(row);
  }
}

// One shredding group with its children resolved once per array.
struct Group {
  std::shared_ptr<arrow::Array> self;                 // The group's struct array (validity).
  std::shared_ptr<arrow::Array> value;                // Binary, or null when the group has none.
  std::shared_ptr<arrow::Array> typed_value;          // Any type, or null when the group has none.
  std::vector<std::pair<std::string, Group>> fields;  // typed_value is a struct: its fields.
  std::vector<Group> element;                         // typed_value is a list: its element.
};

Result<Group> Resolve(const std::shared_ptr<arrow::Array>& array) {
  if (array->type_id() != arrow::Type::STRUCT) {
    return Malformed("a shredded variant group is " + array->type()->ToString() + ", not a struct");
  }
  const auto& group = static_cast<const arrow::StructArray&>(*array);
  Group out;
  out.self = array;
  out.value = group.GetFieldByName("value");
  if (out.value && !IsBinaryLike(*out.value->type())) {
    return Malformed("a shredded variant `value` is " + out.value->type()->ToString());
  }
  out.typed_value = group.GetFieldByName("typed_value");
  if (!out.typed_value) return out;
  auto typed = out.typed_value;
  if (typed->type_id() == arrow::Type::EXTENSION) {
    typed = static_cast<const arrow::ExtensionArray&>(*typed).storage();
    out.typed_value = typed;
  }
  if (typed->type_id() == arrow::Type::STRUCT) {
    const auto& fields = static_cast<const arrow::StructArray&>(*typed);
    for (int i = 0; i < fields.num_fields(); ++i) {
      ASSIGN_OR_RAISE(auto child, Resolve(fields.field(i)));
      out.fields.emplace_back(fields.type()->field(i)->name(), std::move(child));
    }
  } else if (typed->type_id() == arrow::Type::LIST || typed->type_id() == arrow::Type::LARGE_LIST) {
    std::shared_ptr<arrow::Array> values =
        typed->type_id() == arrow::Type::LIST
            ? static_cast<const arrow::ListArray&>(*typed).values()
            : static_cast<const arrow::LargeListArray&>(*typed).values();
    ASSIGN_OR_RAISE(auto element, Resolve(values));
    out.element.push_back(std::move(element));
  }
  return out;
}

__int128 DecimalAt(const arrow::Array& array, int64_t row, int width) {
  const auto* bytes = static_cast<const arrow::FixedSizeBinaryArray&>(array).GetValue(row);
  unsigned __int128 bits = 0;
  for (int i = 0; i < width; ++i) bits |= static_cast<unsigned __int128>(bytes[i]) << (8 * i);
  if (width < 16 && (bytes[width - 1] & 0x80))
    bits |= ~static_cast<unsigned __int128>(0) << (8 * width);
  return static_cast<__int128>(bits);
}

// Appends row `row` of a typed_value that is not an object or array.
Status AppendPrimitive(const arrow::Array& typed, int64_t row, VariantBuilder* builder) {
  const auto& type = *typed.type();
  switch (type.id()) {
    case arrow::Type::BOOL:
      builder->AppendBool(static_cast<const arrow::BooleanArray&>(typed).Value(row));
      return Status::OK();
    case arrow::Type::INT8:
      builder->AppendInt8(static_cast<const arrow::Int8Array&>(typed).Value(row));
      return Status::OK();
    case arrow::Type::INT16:
      builder->AppendInt16(static_cast<const arrow::Int16Array&>(typed).Value(row));
      return Status::OK();
    case arrow::Type::INT32:
      builder->AppendInt32(static_cast<const arrow::Int32Array&>(typed).Value(row));
      return Status::OK();
    case arrow::Type::INT64:
      builder->AppendInt64(static_cast<const arrow::Int64Array&>(typed).Value(row));
      return Status::OK();
    case arrow::Type::FLOAT:
      builder->AppendFloat(static_cast<const arrow::FloatArray&>(typed).Value(row));
      return Status::OK();
    case arrow::Type::DOUBLE:
      builder->AppendDouble(static_cast<const arrow::DoubleArray&>(typed).Value(row));
      return Status::OK();
    case arrow::Type::DECIMAL32:
    case arrow::Type::DECIMAL64:
    case arrow::Type::DECIMAL128: {
      const auto& decimal = static_cast<const arrow::DecimalType&>(type);
      const int width = type.id() == arrow::Type::DECIMAL32   ? 4
                        : type.id() == arrow::Type::DECIMAL64 ? 8
                                                              : 16;
      // VariantShredding.md: decimal4/8/16 by the column's precision.
      const int variant_width = decimal.precision() <= 9 ? 4 : decimal.precision() <= 18 ? 8 : 16;
      builder->AppendDecimalWidth(DecimalAt(typed, row, width), decimal.scale(), variant_width);
      return Status::OK();
    }
    case arrow::Type::DATE32:
      builder->AppendDate(static_cast<const arrow::Date32Array&>(typed).Value(row));
      return Status::OK();
    case arrow::Type::TIMESTAMP: {
      const auto& ts = static_cast<const arrow::TimestampType&>(type);
      int64_t v = static_cast<const arrow::TimestampArray&>(typed).Value(row);
      const bool utc = !ts.timezone().empty();
      if (ts.unit() == arrow::TimeUnit::NANO) {
        utc ? builder->AppendTimestampNanos(v) : builder->AppendTimestampNtzNanos(v);
        return Status::OK();
      }
      if (ts.unit() == arrow::TimeUnit::MILLI) v *= 1000;
      if (ts.unit() == arrow::TimeUnit::SECOND) v *= 1000000;
      utc ? builder->AppendTimestamp(v) : builder->AppendTimestampNtz(v);
      return Status::OK();
    }
    case arrow::Type::TIME64: {
      const auto& time = static_cast<const arrow::Time64Type&>(type);
      int64_t v = static_cast<const arrow::Time64Array&>(typed).Value(row);
      builder->AppendTime(time.unit() == arrow::TimeUnit::NANO ? v / 1000 : v);
      return Status::OK();
    }
    case arrow::Type::STRING:
      builder->AppendString(static_cast<const arrow::StringArray&>(typed).GetView(row));
      return Status::OK();
    case arrow::Type::LARGE_STRING:
      builder->AppendString(static_cast<const arrow::LargeStringArray&>(typed).GetView(row));
      return Status::OK();
    case arrow::Type::STRING_VIEW:
      builder->AppendString(static_cast<const arrow::StringViewArray&>(typed).GetView(row));
      return Status::OK();
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::BINARY_VIEW:
      builder->AppendBinary(BinaryAt(typed, row));
      return Status::OK();
    case arrow::Type::FIXED_SIZE_BINARY:
      if (static_cast<const arrow::FixedSizeBinaryType&>(type).byte_width() == 16) {
        builder->AppendUuid(static_cast<const arrow::FixedSizeBinaryArray&>(typed).GetView(row));
        return Status::OK();
      }
      break;
    default:
      break;
  }
  return Malformed("a shredded variant typed_value of type " + type.ToString() +
                   " has no variant equivalent");
}

class Unshredder {
 public:
  Unshredder(VariantBuilder* builder, const types::VariantMetadata& metadata)
      : builder_(builder), metadata_(metadata) {}

  // Appends the value of `group` at `row`; a group with neither value nor typed_value appends
  // a variant null (callers inside objects skip such fields first).
  Status Append(const Group& group, int64_t row, int depth) {
    if (depth > 1000) return Malformed("shredded values are nested too deeply");
    const bool has_value = group.value && group.value->IsValid(row);
    const bool has_typed = group.typed_value && group.typed_value->IsValid(row);
    if (!has_typed) {
      if (has_value) return builder_->AppendEncoded(BinaryAt(*group.value, row));
      builder_->AppendNull();
      return Status::OK();
    }
    const auto& typed = *group.typed_value;
    if (typed.type_id() == arrow::Type::STRUCT) return AppendObject(group, row, has_value, depth);
    if (has_value) {
      return Malformed("a shredded variant has both value and a non-object typed_value");
    }
    if (typed.type_id() == arrow::Type::LIST || typed.type_id() == arrow::Type::LARGE_LIST) {
      int64_t begin, end;
      if (typed.type_id() == arrow::Type::LIST) {
        const auto& list = static_cast<const arrow::ListArray&>(typed);
        begin = list.value_offset(row);
        end = list.value_offset(row + 1);
      } else {
        const auto& list = static_cast<const arrow::LargeListArray&>(typed);
        begin = list.value_offset(row);
        end = list.value_offset(row + 1);
      }
      const size_t start = builder_->Offset();
      std::vector<size_t> offsets;
      offsets.reserve(end - begin);
      for (int64_t i = begin; i < end; ++i) {
        offsets.push_back(builder_->Offset() - start);
        RETURN_NOT_OK(Append(group.element[0], i, depth + 1));
      }
      builder_->FinishArray(start, offsets);
      return Status::OK();
    }
    return AppendPrimitive(typed, row, builder_);
  }

 private:
  Status AppendObject(const Group& group, int64_t row, bool has_value, int depth) {
    const size_t start = builder_->Offset();
    std::vector<VariantBuilder::ObjectField> fields;
    for (const auto& [name, child] : group.fields) {
      if (child.self->IsNull(row)) continue;
      const bool present = (child.value && child.value->IsValid(row)) ||
                           (child.typed_value && child.typed_value->IsValid(row));
      if (!present) continue;  // The field is absent from this row's object.
      fields.push_back({builder_->AddKey(name), builder_->Offset() - start});
      RETURN_NOT_OK(Append(child, row, depth + 1));
    }
    if (has_value) {
      // The fields that were not shredded: a partial object over the same metadata.
      ASSIGN_OR_RAISE(auto partial, types::VariantValue::Make(BinaryAt(*group.value, row)));
      if (partial.basic_type() != types::VariantBasicType::kObject) {
        return Malformed("a shredded object's value is not an object");
      }
      ASSIGN_OR_RAISE(auto bytes, partial.Bytes());
      ASSIGN_OR_RAISE(auto bounded, types::VariantValue::Make(bytes));
      ASSIGN_OR_RAISE(uint32_t count, bounded.NumElements());
      for (uint32_t i = 0; i < count; ++i) {
        ASSIGN_OR_RAISE(auto field, bounded.Field(i));
        ASSIGN_OR_RAISE(auto name, metadata_.Name(field.first));
        for (const auto& shredded : group.fields) {
          if (shredded.first == name) {
            return Malformed("the field `" + std::string(name) +
                             "` is both shredded and in the value");
          }
        }
        ASSIGN_OR_RAISE(auto field_bytes, field.second.Bytes());
        fields.push_back({builder_->AddKey(name), builder_->Offset() - start});
        RETURN_NOT_OK(builder_->AppendEncoded(field_bytes));
      }
    }
    return builder_->FinishObject(start, std::move(fields));
  }

  VariantBuilder* builder_;
  const types::VariantMetadata& metadata_;
};

}  // namespace

bool IsShreddedVariant(const arrow::DataType& type) {
  if (type.id() != arrow::Type::STRUCT) return false;
  const auto& group = static_cast<const arrow::StructType&>(type);
  auto metadata = group.GetFieldByName("metadata");
  return metadata && IsBinaryLike(*metadata->type()) && group.GetFieldByName("typed_value");
}

bool IsVariantStruct(const arrow::DataType& type) {
  if (type.id() != arrow::Type::STRUCT || type.num_fields() != 2) return false;
  const auto& group = static_cast<const arrow::StructType&>(type);
  auto value = group.GetFieldByName("value");
  auto metadata = group.GetFieldByName("metadata");
  return value && metadata && IsBinaryLike(*value->type()) && IsBinaryLike(*metadata->type());
}

Result<std::shared_ptr<arrow::Array>> UnshredVariant(const arrow::Array& shredded) {
  if (!IsShreddedVariant(*shredded.type())) {
    return Malformed("a shredded variant column needs `metadata` and `typed_value`, found " +
                     shredded.type()->ToString());
  }
  const auto& top = static_cast<const arrow::StructArray&>(shredded);
  auto metadata = top.GetFieldByName("metadata");
  ASSIGN_OR_RAISE(auto group, Resolve(std::make_shared<arrow::StructArray>(top.data())));
  arrow::BinaryBuilder values;
  arrow::BinaryBuilder metadatas;
  RETURN_NOT_OK(values.Reserve(top.length()));
  RETURN_NOT_OK(metadatas.Reserve(top.length()));
  for (int64_t row = 0; row < top.length(); ++row) {
    if (top.IsNull(row)) {
      RETURN_NOT_OK(values.AppendEmptyValue());
      RETURN_NOT_OK(metadatas.AppendEmptyValue());
      continue;
    }
    if (metadata->IsNull(row)) return Malformed("a shredded variant row has no metadata");
    const std::string_view row_metadata = BinaryAt(*metadata, row);
    const bool has_typed = group.typed_value->IsValid(row);
    if (!has_typed && group.value && group.value->IsValid(row)) {
      // Nothing shredded in this row: the value is stored whole.
      RETURN_NOT_OK(values.Append(BinaryAt(*group.value, row)));
      RETURN_NOT_OK(metadatas.Append(row_metadata));
      continue;
    }
    ASSIGN_OR_RAISE(auto dictionary, types::VariantMetadata::Parse(row_metadata));
    ASSIGN_OR_RAISE(auto builder, VariantBuilder::WithMetadata(row_metadata));
    Unshredder unshredder(&builder, dictionary);
    RETURN_NOT_OK(unshredder.Append(group, row, 0));
    ASSIGN_OR_RAISE(auto encoded, builder.Finish());
    RETURN_NOT_OK(values.Append(encoded.second));
    RETURN_NOT_OK(metadatas.Append(encoded.first));
  }
  ASSIGN_OR_RAISE(auto value_array, values.Finish());
  ASSIGN_OR_RAISE(auto metadata_array, metadatas.Finish());
  std::shared_ptr<arrow::Buffer> validity;
  if (top.null_count() > 0) {
    ASSIGN_OR_RAISE(validity, arrow::AllocateEmptyBitmap(top.length()));
    for (int64_t row = 0; row < top.length(); ++row) {
      if (top.IsValid(row)) arrow::bit_util::SetBit(validity->mutable_data(), row);
    }
  }
  auto type = arrow::struct_({arrow::field("value", arrow::binary(), false),
                              arrow::field("metadata", arrow::binary(), false)});
  return std::make_shared<arrow::StructArray>(type, top.length(),
                                              arrow::ArrayVector{value_array, metadata_array},
                                              validity, top.null_count());
}

}  // namespace basin::format
