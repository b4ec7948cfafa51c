#include "basin/connect/data_type.h"

#include <cctype>
#include <optional>

#include <nlohmann/json.hpp>

#include "basin/connect/column_metadata.h"
#include "basin/sql/arrow_type.h"
#include "basin/sql/parser.h"
#include "basin/types/schema_json.h"

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
      out.mutable_year_month_interval()->set_start_field(0);
      out.mutable_year_month_interval()->set_end_field(1);
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
      ASSIGN_OR_RAISE(auto element, ToProtoType(*list.value_type()));
      *out.mutable_array()->mutable_element_type() = std::move(element);
      out.mutable_array()->set_contains_null(list.value_field()->nullable());
      break;
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(type);
      ASSIGN_OR_RAISE(auto key, ToProtoType(*map.key_type()));
      ASSIGN_OR_RAISE(auto value, ToProtoType(*map.item_type()));
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
      for (const auto& field : type.fields()) {
        auto* f = out.mutable_struct_()->add_fields();
        f->set_name(field->name());
        ASSIGN_OR_RAISE(auto child, ToProtoType(*field->type()));
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
    ASSIGN_OR_RAISE(auto child, ToProtoType(*field->type()));
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
    case DataType::kYearMonthInterval: return arrow::month_interval();
    case DataType::kDayTimeInterval: return arrow::duration(arrow::TimeUnit::MICRO);
    case DataType::kArray: {
      ASSIGN_OR_RAISE(auto element, FromProtoType(type.array().element_type()));
      return arrow::list(arrow::field("element", element, type.array().contains_null()));
    }
    case DataType::kMap: {
      ASSIGN_OR_RAISE(auto key, FromProtoType(type.map().key_type()));
      ASSIGN_OR_RAISE(auto value, FromProtoType(type.map().value_type()));
      return std::make_shared<arrow::MapType>(
          arrow::field("key", key, false),
          arrow::field("value", value, type.map().value_contains_null()));
    }
    case DataType::kStruct: {
      arrow::FieldVector fields;
      for (const auto& f : type.struct_().fields()) {
        ASSIGN_OR_RAISE(auto child, FromProtoType(f.data_type()));
        fields.push_back(arrow::field(f.name(), child, f.nullable()));
      }
      return arrow::struct_(fields);
    }
    case DataType::kVariant:
      return arrow::struct_({arrow::field("value", arrow::binary(), false),
                             arrow::field("metadata", arrow::binary(), false)});
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

// Spark's JSON form of a type (what clients send for local relations). Delta's reader knows the
// types a table may hold; types only queries have (intervals, ...) are read by their SQL name.
Result<std::shared_ptr<arrow::DataType>> TypeFromSparkJson(const nlohmann::json& type) {
  if (type.is_string()) {
    auto delta = types::TypeFromDeltaJson(type);
    if (delta.ok()) return delta;
    auto parsed = sql::ParseDataType(type.get<std::string>());
    if (!parsed.ok()) return delta.status();
    return sql::ToArrowType(*parsed);
  }
  if (!type.is_object() || !type.contains("type")) {
    return UserError("INVALID_JSON_DATA_TYPE", "Invalid JSON data type: " + type.dump() + ".");
  }
  const std::string kind = type["type"].get<std::string>();
  if (kind == "struct") {
    arrow::FieldVector fields;
    for (const auto& f : type.value("fields", nlohmann::json::array())) {
      ASSIGN_OR_RAISE(auto t, TypeFromSparkJson(f.at("type")));
      fields.push_back(arrow::field(f.at("name").get<std::string>(), t,
                                    f.value("nullable", true)));
    }
    return arrow::struct_(fields);
  }
  if (kind == "array") {
    ASSIGN_OR_RAISE(auto element, TypeFromSparkJson(type.at("elementType")));
    return arrow::list(arrow::field("element", element, type.value("containsNull", true)));
  }
  if (kind == "map") {
    ASSIGN_OR_RAISE(auto key, TypeFromSparkJson(type.at("keyType")));
    ASSIGN_OR_RAISE(auto value, TypeFromSparkJson(type.at("valueType")));
    return arrow::map(key, arrow::field("value", value, type.value("valueContainsNull", true)));
  }
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

Result<std::shared_ptr<arrow::DataType>> ParseTypeString(const std::string& text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && text[start] == '{') {
    ASSIGN_OR_RAISE(auto schema, SchemaFromSparkJson(text));
    return arrow::struct_(schema->fields());
  }
  // A single type first ("bigint", "array<int>"), then a field list ("a int, b string").
  auto single = sql::ParseDataType(text);
  if (single.ok()) return sql::ToArrowType(*single);
  auto columns = sql::ParseTableSchema(text);
  if (!columns.ok()) {
    // Spark's last resort: the fields of a struct type, "a: int, b: string".
    auto as_struct = sql::ParseDataType("struct<" + text + ">");
    if (as_struct.ok()) return sql::ToArrowType(*as_struct);
    return single.status();
  }
  arrow::FieldVector fields;
  for (const auto& column : *columns) {
    ASSIGN_OR_RAISE(auto field, sql::ToArrowField(column));
    fields.push_back(field);
  }
  return arrow::struct_(fields);
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
      fields.push_back(field);
    }
    return arrow::schema(fields);
  }
  ASSIGN_OR_RAISE(auto type, ParseTypeString(text));
  if (type->id() == arrow::Type::STRUCT) return arrow::schema(type->fields());
  return arrow::schema({arrow::field("value", type)});
}

}  // namespace basin::connect
