#include "basin/sql/arrow_type.h"

#include <arrow/util/key_value_metadata.h>

namespace basin::sql {

namespace {

std::shared_ptr<const arrow::KeyValueMetadata> CommentMetadata(
    const std::optional<std::string>& comment) {
  if (!comment) return nullptr;
  return arrow::key_value_metadata({"comment"}, {*comment});
}

Status Unsupported(const DataTypeSyntax& type) {
  std::string name = ToString(type);
  return Status::Invalid("[UNSUPPORTED_DATATYPE] Unsupported data type \"" + name +
                         "\". SQLSTATE: 0A000")
      .WithDetail(std::make_shared<ErrorClassDetail>("UNSUPPORTED_DATATYPE", "0A000"));
}

}  // namespace

Result<std::shared_ptr<arrow::DataType>> ToArrowType(const DataTypeSyntax& type) {
  switch (type.kind) {
    case TypeKind::kNull:
      return arrow::null();
    case TypeKind::kBoolean:
      return arrow::boolean();
    case TypeKind::kTinyInt:
      return arrow::int8();
    case TypeKind::kSmallInt:
      return arrow::int16();
    case TypeKind::kInt:
      return arrow::int32();
    case TypeKind::kBigInt:
      return arrow::int64();
    case TypeKind::kFloat:
      return arrow::float32();
    case TypeKind::kDouble:
      return arrow::float64();
    case TypeKind::kDecimal: {
      if (type.precision < 1 || type.precision > 38 || type.scale < 0 ||
          type.scale > type.precision) {
        return Unsupported(type);
      }
      return arrow::decimal128(type.precision, type.scale);
    }
    case TypeKind::kString:
    case TypeKind::kVarChar:
    case TypeKind::kChar:
      return arrow::utf8();
    case TypeKind::kBinary:
      return arrow::binary();
    case TypeKind::kDate:
      return arrow::date32();
    case TypeKind::kTimestamp:
      return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
    case TypeKind::kTimestampNtz:
      return arrow::timestamp(arrow::TimeUnit::MICRO);
    case TypeKind::kTime:
      return arrow::time64(arrow::TimeUnit::NANO);
    case TypeKind::kYearMonthInterval:
      return arrow::month_interval();
    case TypeKind::kDayTimeInterval:
      return arrow::duration(arrow::TimeUnit::MICRO);
    case TypeKind::kCalendarInterval:
      return arrow::month_day_nano_interval();
    case TypeKind::kVariant:
      // The engine's VARIANT (types::VariantType(), which this layer cannot include): the marker
      // on the metadata child is what tells it apart from a plain struct.
      return arrow::struct_(
          {arrow::field("value", arrow::binary(), false),
           arrow::field("metadata", arrow::binary(), false,
                        arrow::key_value_metadata({"variant"}, {"true"}))});
    case TypeKind::kGeometry:
    case TypeKind::kGeography: {
      // The engine's GEOMETRY / GEOGRAPHY (types::SpatialArrowType(), which this layer cannot
      // include); the SRID is checked against the supported ones by types::CheckSpatialSrids.
      const char* marker = type.kind == TypeKind::kGeometry ? "geometry" : "geography";
      return arrow::struct_(
          {arrow::field("srid", arrow::int32(), false),
           arrow::field("wkb", arrow::binary(), false,
                        arrow::key_value_metadata({marker, "srid"},
                                                  {"true", std::to_string(type.srid)}))});
    }
    case TypeKind::kArray: {
      if (type.children.size() != 1) return Unsupported(type);
      ASSIGN_OR_RAISE(auto element, ToArrowType(type.children[0]));
      return arrow::list(arrow::field("element", element, true));
    }
    case TypeKind::kMap: {
      if (type.children.size() != 2) return Unsupported(type);
      ASSIGN_OR_RAISE(auto key, ToArrowType(type.children[0]));
      ASSIGN_OR_RAISE(auto value, ToArrowType(type.children[1]));
      return std::make_shared<arrow::MapType>(arrow::field("key", key, false),
                                              arrow::field("value", value, true));
    }
    case TypeKind::kStruct: {
      arrow::FieldVector fields;
      for (size_t i = 0; i < type.children.size(); ++i) {
        ASSIGN_OR_RAISE(auto child, ToArrowType(type.children[i]));
        bool nullable = i >= type.field_nullable.size() || type.field_nullable[i];
        std::optional<std::string> comment =
            i < type.field_comments.size() ? type.field_comments[i] : std::nullopt;
        std::string name =
            i < type.field_names.size() ? type.field_names[i] : "col" + std::to_string(i + 1);
        fields.push_back(
            arrow::field(std::move(name), std::move(child), nullable, CommentMetadata(comment)));
      }
      return arrow::struct_(std::move(fields));
    }
  }
  return Unsupported(type);
}

Result<std::shared_ptr<arrow::Field>> ToArrowField(const ColumnDefinition& column) {
  ASSIGN_OR_RAISE(auto type, ToArrowType(column.type));
  return arrow::field(column.name, std::move(type), column.nullable,
                      CommentMetadata(column.comment));
}

}  // namespace basin::sql
