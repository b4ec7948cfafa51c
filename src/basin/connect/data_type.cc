#include "basin/connect/data_type.h"

#include <cctype>
#include <optional>

#include <nlohmann/json.hpp>

#include "basin/connect/column_metadata.h"
#include "basin/sql/arrow_type.h"
#include "basin/sql/parser.h"
#include "basin/types/geospatial_type.h"
#include "basin/types/schema_json.h"
#include "basin/types/user_defined_type.h"
#include "basin/types/year_month_interval_type.h"

namespace basin::connect {

namespace {

// The Spark metadata (JSON) a field carries, if any (column_metadata.h).
std::optional<std::string> SparkMetadata(const arrow::Field& field) {
  if (!field.metadata()) return std::nullopt;
  auto value = field.metadata()->Get(kSparkMetadataKey);
  if (!value.ok()) return std::nullopt;
  return *value;
}

}  // namespace

namespace {

using spark::connect::DataType;

bool IsVariant(const arrow::DataType& type) {
  if (type.id() != arrow::Type::STRUCT || type.num_fields() != 2) return false;
  return type.field(0)->name() == "value" && type.field(1)->name() == "metadata" &&
         type.field(0)->type()->id() == arrow::Type::BINARY &&
         type.field(1)->type()->id() == arrow::Type::BINARY;
}

// The Connect type of what `field` holds: its UDT (around its sqlType) when it holds one.
Result<DataType> FieldProtoType(const arrow::Field& field) {
  ASSIGN_OR_RAISE(auto sql_type, ToProtoType(*field.type()));
  auto udt = types::UserDefinedTypeOf(field);
  if (!udt) return sql_type;
  DataType out;
  auto* u = out.mutable_udt();
  u->set_type("udt");
  if (!udt->jvm_class.empty()) u->set_jvm_class(udt->jvm_class);
  std::string python_class = types::ReportedPythonClass(*udt);
  if (!python_class.empty()) u->set_python_class(python_class);
  if (udt->jvm_class.empty() && !udt->serialized_python_class.empty()) {
    u->set_serialized_python_class(udt->serialized_python_class);
  }
  *u->mutable_sql_type() = std::move(sql_type);
  return out;
}

// A field of the Connect type `type`; a UDT becomes its sqlType, marked on the field.
Result<std::shared_ptr<arrow::Field>> FieldFromProto(std::string name, const DataType& type,
                                                     bool nullable) {
  ASSIGN_OR_RAISE(auto arrow_type, FromProtoType(type));
  auto field = arrow::field(std::move(name), std::move(arrow_type), nullable);
  if (!type.has_udt()) return field;
  const auto& u = type.udt();
  types::UserDefinedType udt{u.jvm_class(), u.python_class(), u.serialized_python_class()};
  return types::WithUserDefinedType(field, udt);
}

}  // namespace

Result<DataType> ToProtoType(const arrow::DataType& type) {
  DataType out;
  switch (type.id()) {
    case arrow::Type::NA: out.mutable_null(); break;
    case arrow::Type::BOOL: out.mutable_boolean(); break;
    case arrow::Type::INT8: out.mutable_byte(); break;
    case arrow::Type::INT16:
    case arrow::Type::UINT8: out.mutable_short_(); break;
    case arrow::Type::INT32:
    case arrow::Type::UINT16: out.mutable_integer(); break;
    case arrow::Type::INT64:
    case arrow::Type::UINT32:
    case arrow::Type::UINT64: out.mutable_long_(); break;
    case arrow::Type::HALF_FLOAT:
    case arrow::Type::FLOAT: out.mutable_float_(); break;
    case arrow::Type::DOUBLE: out.mutable_double_(); break;
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256: {
      const auto& d = static_cast<const arrow::DecimalType&>(type);
      out.mutable_decimal()->set_precision(d.precision());
      out.mutable_decimal()->set_scale(d.scale());
      break;
    }
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW: out.mutable_string(); break;
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::FIXED_SIZE_BINARY:
    case arrow::Type::BINARY_VIEW: out.mutable_binary(); break;
    case arrow::Type::DATE32:
    case arrow::Type::DATE64: out.mutable_date(); break;
    case arrow::Type::TIMESTAMP: {
      if (static_cast<const arrow::TimestampType&>(type).timezone().empty()) {
        out.mutable_timestamp_ntz();
      } else {
        out.mutable_timestamp();
      }
      break;
    }
    case arrow::Type::TIME64:
      out.mutable_time()->set_precision(6);
      break;
    case arrow::Type::INTERVAL_MONTHS: {
      const auto fields = types::YearMonthFieldsOf(type);
      out.mutable_year_month_interval()->set_start_field(static_cast<int>(fields.start));
      out.mutable_year_month_interval()->set_end_field(static_cast<int>(fields.end));
      break;
    }
    case arrow::Type::DURATION: {
      out.mutable_day_time_interval()->set_start_field(0);
      out.mutable_day_time_interval()->set_end_field(3);
      break;
    }
    case arrow::Type::INTERVAL_MONTH_DAY_NANO: out.mutable_calendar_interval(); break;
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
    case arrow::Type::FIXED_SIZE_LIST: {
      const auto& list = static_cast<const arrow::BaseListType&>(type);
      ASSIGN_OR_RAISE(auto element, FieldProtoType(*list.value_field()));
      *out.mutable_array()->mutable_element_type() = std::move(element);
      out.mutable_array()->set_contains_null(list.value_field()->nullable());
      break;
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(type);
      ASSIGN_OR_RAISE(auto key, FieldProtoType(*map.key_field()));
      ASSIGN_OR_RAISE(auto value, FieldProtoType(*map.item_field()));
      *out.mutable_map()->mutable_key_type() = std::move(key);
      *out.mutable_map()->mutable_value_type() = std::move(value);
      out.mutable_map()->set_value_contains_null(map.item_field()->nullable());
      break;
    }
    case arrow::Type::STRUCT: {
      if (IsVariant(type)) {
        out.mutable_variant();
        break;
      }
      if (auto spatial = types::SpatialTypeOf(type)) {
        // Spark's proto carries the SRID, -1 for ANY (the client's MIXED_SRID).
        if (spatial->kind == types::SpatialKind::kGeometry) {
          out.mutable_geometry()->set_srid(spatial->srid);
        } else {
          out.mutable_geography()->set_srid(spatial->srid);
        }
        break;
      }
      auto* fields = out.mutable_struct_();  // set even with no fields: struct<>
      for (const auto& field : type.fields()) {
        auto* f = fields->add_fields();
        f->set_name(field->name());
        ASSIGN_OR_RAISE(auto child, FieldProtoType(*field));
        *f->mutable_data_type() = std::move(child);
        f->set_nullable(field->nullable());
        if (auto metadata = SparkMetadata(*field)) f->set_metadata(*metadata);
      }
      break;
    }
    default:
      return UserError("UNSUPPORTED_DATATYPE",
                       "Unsupported data type \"" + type.ToString() + "\".");
  }
  return out;
}

Result<DataType> ToProtoSchema(const arrow::Schema& schema) {
  DataType out;
  auto* fields = out.mutable_struct_();
  for (const auto& field : schema.fields()) {
    auto* f = fields->add_fields();
    f->set_name(field->name());
    ASSIGN_OR_RAISE(auto child, FieldProtoType(*field));
    *f->mutable_data_type() = std::move(child);
    f->set_nullable(field->nullable());
    if (auto metadata = SparkMetadata(*field)) f->set_metadata(*metadata);
  }
  return out;
}

Result<std::shared_ptr<arrow::DataType>> FromProtoType(const DataType& type) {
  switch (type.kind_case()) {
    case DataType::kNull: return arrow::null();
    case DataType::kBinary: return arrow::binary();
    case DataType::kBoolean: return arrow::boolean();
    case DataType::kByte: return arrow::int8();
    case DataType::kShort: return arrow::int16();
    case DataType::kInteger: return arrow::int32();
    case DataType::kLong: return arrow::int64();
    case DataType::kFloat: return arrow::float32();
    case DataType::kDouble: return arrow::float64();
    case DataType::kDecimal: {
      int precision = type.decimal().has_precision() ? type.decimal().precision() : 10;
      int scale = type.decimal().has_scale() ? type.decimal().scale() : 0;
      return arrow::decimal128(precision, scale);
    }
    case DataType::kString:
    case DataType::kChar:
    case DataType::kVarChar: return arrow::utf8();
    case DataType::kDate: return arrow::date32();
    case DataType::kTimestamp: return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
    case DataType::kTimestampNtz: return arrow::timestamp(arrow::TimeUnit::MICRO);
    case DataType::kTime:
      return arrow::time64(arrow::TimeUnit::NANO);
    case DataType::kCalendarInterval: return arrow::month_day_nano_interval();
    case DataType::kYearMonthInterval: {
      // Spark's field numbers: 0 YEAR, 1 MONTH; one field written alone means both ends.
      const auto& i = type.year_month_interval();
      const int start = i.has_start_field() ? i.start_field() : 0;
      const int end = i.has_end_field() ? i.end_field() : (i.has_start_field() ? start : 1);
      auto field = [](int n) {
        return n == 0 ? types::YearMonthField::kYear : types::YearMonthField::kMonth;
      };
      return types::YearMonthInterval({field(start), field(end)});
    }
    case DataType::kDayTimeInterval: return arrow::duration(arrow::TimeUnit::MICRO);
    case DataType::kArray: {
      ASSIGN_OR_RAISE(auto element, FieldFromProto("element", type.array().element_type(),
                                                   type.array().contains_null()));
      return arrow::list(std::move(element));
    }
    case DataType::kMap: {
      ASSIGN_OR_RAISE(auto key, FieldFromProto("key", type.map().key_type(), false));
      ASSIGN_OR_RAISE(auto value, FieldFromProto("value", type.map().value_type(),
                                                 type.map().value_contains_null()));
      return std::make_shared<arrow::MapType>(std::move(key), std::move(value));
    }
    case DataType::kStruct: {
      arrow::FieldVector fields;
      for (const auto& f : type.struct_().fields()) {
        ASSIGN_OR_RAISE(auto child, FieldFromProto(f.name(), f.data_type(), f.nullable()));
        fields.push_back(std::move(child));
      }
      return arrow::struct_(fields);
    }
    case DataType::kVariant:
      return arrow::struct_({arrow::field("value", arrow::binary(), false),
                             arrow::field("metadata", arrow::binary(), false)});
    case DataType::kGeometry:
      return types::CheckedSpatialArrowType(
          {types::SpatialKind::kGeometry, type.geometry().srid()});
    case DataType::kGeography:
      return types::CheckedSpatialArrowType(
          {types::SpatialKind::kGeography, type.geography().srid()});
    case DataType::kUnparsed: return ParseTypeString(type.unparsed().data_type_string());
    case DataType::kUdt:
      if (type.udt().has_sql_type()) return FromProtoType(type.udt().sql_type());
      break;
    default: break;
  }
  return UserError("UNSUPPORTED_DATATYPE",
                   "Unsupported data type in the Connect plan: " + type.ShortDebugString() + ".");
}

namespace {

Result<std::shared_ptr<arrow::DataType>> TypeFromSparkJson(const nlohmann::json& type);

// A field of Spark's JSON `type`; a UDT becomes its sqlType, marked on the field.
Result<std::shared_ptr<arrow::Field>> FieldFromSparkJson(std::string name,
                                                         const nlohmann::json& type,
                                                         bool nullable) {
  ASSIGN_OR_RAISE(auto arrow_type, TypeFromSparkJson(type));
  auto field = arrow::field(std::move(name), std::move(arrow_type), nullable);
  if (!type.is_object() || type.value("type", nlohmann::json()) != "udt") return field;
  ASSIGN_OR_RAISE(auto udt, types::UserDefinedTypeFromJson(type));
  return types::WithUserDefinedType(field, udt);
}

// Spark's JSON form of a type (what clients send for local relations). Delta's reader knows the
// types a table may hold; types only queries have (intervals, ...) are read by their SQL name.
Result<std::shared_ptr<arrow::DataType>> TypeFromSparkJson(const nlohmann::json& type) {
  if (type.is_string()) {
    auto delta = types::TypeFromDeltaJson(type);
    if (delta.ok()) return delta;
    auto parsed = sql::ParseDataType(type.get<std::string>());
    if (!parsed.ok()) return delta.status();
    ASSIGN_OR_RAISE(auto arrow_type, sql::ToArrowType(*parsed));
    RETURN_NOT_OK(types::CheckSpatialSrids(*arrow_type));
    return arrow_type;
  }
  if (!type.is_object() || !type.contains("type")) {
    return UserError("INVALID_JSON_DATA_TYPE", "Invalid JSON data type: " + type.dump() + ".");
  }
  const std::string kind = type["type"].get<std::string>();
  if (kind == "struct") {
    arrow::FieldVector fields;
    for (const auto& f : type.value("fields", nlohmann::json::array())) {
      ASSIGN_OR_RAISE(auto field, FieldFromSparkJson(f.at("name").get<std::string>(), f.at("type"),
                                                     f.value("nullable", true)));
      fields.push_back(std::move(field));
    }
    return arrow::struct_(fields);
  }
  if (kind == "array") {
    ASSIGN_OR_RAISE(auto element, FieldFromSparkJson("element", type.at("elementType"),
                                                     type.value("containsNull", true)));
    return arrow::list(std::move(element));
  }
  if (kind == "map") {
    ASSIGN_OR_RAISE(auto key, FieldFromSparkJson("key", type.at("keyType"), false));
    ASSIGN_OR_RAISE(auto value, FieldFromSparkJson("value", type.at("valueType"),
                                                   type.value("valueContainsNull", true)));
    return std::make_shared<arrow::MapType>(std::move(key), std::move(value));
  }
  if (kind == "udt" && type.contains("sqlType")) return TypeFromSparkJson(type["sqlType"]);
  return types::TypeFromDeltaJson(type);
}

Result<std::shared_ptr<arrow::Schema>> SchemaFromSparkJson(const std::string& text) {
  auto delta = types::SchemaFromDeltaJson(text);
  if (delta.ok()) return delta;
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const std::exception&) {
    return delta.status();
  }
  auto type = TypeFromSparkJson(json);
  if (!type.ok() || (*type)->id() != arrow::Type::STRUCT) return delta.status();
  return arrow::schema((*type)->fields());
}

}  // namespace

namespace {

// A type string read as ParseTypeString reads it, with the syntax of what was parsed: one type
// (also the struct<...> fallback) or a field list.
struct ParsedTypeString {
  std::shared_ptr<arrow::DataType> type;
  std::optional<sql::DataTypeSyntax> single;
  std::vector<sql::ColumnDefinition> columns;
};

Result<ParsedTypeString> ReadTypeString(const std::string& text) {
  ParsedTypeString out;
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && text[start] == '{') {
    ASSIGN_OR_RAISE(auto schema, SchemaFromSparkJson(text));
    out.type = arrow::struct_(schema->fields());
    return out;
  }
  // Spark Connect's order (SparkConnectPlanner.parseDatatypeString): a field list first
  // ("a int, b string", or "" for no fields), then a single type ("bigint", "array<int>"), then
  // the fields of a struct ("a: int, b: string"); the field list's error when all fail.
  auto columns = sql::ParseTableSchema(text);
  if (!columns.ok()) {
    auto single = sql::ParseDataType(text);
    if (!single.ok()) single = sql::ParseDataType("struct<" + text + ">");
    if (!single.ok()) return columns.status();
    ASSIGN_OR_RAISE(out.type, sql::ToArrowType(*single));
    out.single = std::move(*single);
    return out;
  }
  arrow::FieldVector fields;
  for (const auto& column : *columns) {
    ASSIGN_OR_RAISE(auto field, sql::ToArrowField(column));
    fields.push_back(field);
  }
  out.type = arrow::struct_(fields);
  out.columns = std::move(*columns);
  return out;
}

// Puts back the CHAR(n) / VARCHAR(n) of `syntax` into `type` (Basin holds them as strings), the
// fields of a year-month interval and the precision of a TIME (the SQL layer's Arrow types carry
// neither).
void RestoreCharVarchar(const sql::DataTypeSyntax& syntax, DataType* type) {
  using K = sql::TypeKind;
  switch (syntax.kind) {
    case K::kChar:
      type->Clear();
      type->mutable_char_()->set_length(syntax.length);
      break;
    case K::kVarChar:
      type->Clear();
      type->mutable_var_char()->set_length(syntax.length);
      break;
    case K::kTime:
      type->Clear();
      type->mutable_time()->set_precision(syntax.precision);
      break;
    case K::kYearMonthInterval:
      type->Clear();
      type->mutable_year_month_interval()->set_start_field(
          syntax.start_field == sql::IntervalField::kYear ? 0 : 1);
      type->mutable_year_month_interval()->set_end_field(
          syntax.end_field == sql::IntervalField::kYear ? 0 : 1);
      break;
    case K::kArray:
      if (type->has_array() && syntax.children.size() == 1) {
        RestoreCharVarchar(syntax.children[0], type->mutable_array()->mutable_element_type());
      }
      break;
    case K::kMap:
      if (type->has_map() && syntax.children.size() == 2) {
        RestoreCharVarchar(syntax.children[0], type->mutable_map()->mutable_key_type());
        RestoreCharVarchar(syntax.children[1], type->mutable_map()->mutable_value_type());
      }
      break;
    case K::kStruct:
      if (type->has_struct_() &&
          type->struct_().fields_size() == static_cast<int>(syntax.children.size())) {
        for (size_t i = 0; i < syntax.children.size(); ++i) {
          RestoreCharVarchar(syntax.children[i],
                             type->mutable_struct_()->mutable_fields(static_cast<int>(i))
                                 ->mutable_data_type());
        }
      }
      break;
    default: break;
  }
}

}  // namespace

Result<std::shared_ptr<arrow::DataType>> ParseTypeString(const std::string& text) {
  ASSIGN_OR_RAISE(auto parsed, ReadTypeString(text));
  RETURN_NOT_OK(types::CheckSpatialSrids(*parsed.type));
  return parsed.type;
}

Result<DataType> ParseTypeStringToProto(const std::string& text) {
  ASSIGN_OR_RAISE(auto parsed, ReadTypeString(text));
  RETURN_NOT_OK(types::CheckSpatialSrids(*parsed.type));
  ASSIGN_OR_RAISE(auto out, ToProtoType(*parsed.type));
  if (parsed.single) {
    RestoreCharVarchar(*parsed.single, &out);
  } else if (out.has_struct_() &&
             out.struct_().fields_size() == static_cast<int>(parsed.columns.size())) {
    for (size_t i = 0; i < parsed.columns.size(); ++i) {
      RestoreCharVarchar(parsed.columns[i].type,
                         out.mutable_struct_()->mutable_fields(static_cast<int>(i))
                             ->mutable_data_type());
    }
  }
  return out;
}

Result<std::shared_ptr<arrow::Schema>> ParseSchemaString(const std::string& text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && text[start] == '{') {
    return SchemaFromSparkJson(text);
  }
  // A field list is the common case of DataFrameReader.schema("a int, b string").
  auto columns = sql::ParseTableSchema(text);
  if (columns.ok()) {
    arrow::FieldVector fields;
    for (const auto& column : *columns) {
      ASSIGN_OR_RAISE(auto field, sql::ToArrowField(column));
      RETURN_NOT_OK(types::CheckSpatialSrids(*field->type()));
      fields.push_back(field);
    }
    return arrow::schema(fields);
  }
  ASSIGN_OR_RAISE(auto type, ParseTypeString(text));
  if (type->id() == arrow::Type::STRUCT) return arrow::schema(type->fields());
  return arrow::schema({arrow::field("value", type)});
}

}  // namespace basin::connect
