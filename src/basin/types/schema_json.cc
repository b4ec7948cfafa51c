#include "basin/types/schema_json.h"

#include <regex>

#include <arrow/util/key_value_metadata.h>

#include "basin/types/user_defined_type.h"
#include "basin/types/geospatial_type.h"
#include "basin/types/variant_type.h"

namespace basin::types {

namespace {

using nlohmann::json;

Status Unsupported(const std::string& what) {
  return UserError("DELTA_UNSUPPORTED_DATA_TYPE", "Unsupported data type " + what + ".");
}

std::shared_ptr<arrow::KeyValueMetadata> MetadataFromJson(const json& field) {
  auto it = field.find("metadata");
  if (it == field.end() || !it->is_object() || it->empty()) return nullptr;
  auto out = std::make_shared<arrow::KeyValueMetadata>();
  for (const auto& [key, value] : it->items()) {
    out->Append(key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out;
}

json MetadataToJson(const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) {
  json out = json::object();
  if (!metadata) return out;
  for (int64_t i = 0; i < metadata->size(); ++i) {
    const std::string& key = metadata->key(i);
    const std::string& value = metadata->value(i);
    // The UDT mark is written as the field's type (TypeToDeltaJson), not as metadata.
    if (key.rfind("PARQUET:", 0) == 0 || key.rfind("ARROW:", 0) == 0 ||
        key == kUserDefinedTypeKey) {
      continue;
    }
    // Values were stored as JSON text unless they were strings; parse back what parses.
    json parsed = json::parse(value, nullptr, false);
    if (!parsed.is_discarded() && !parsed.is_string() &&
        (parsed.is_number() || parsed.is_boolean() || parsed.is_object() || parsed.is_array() ||
         parsed.is_null())) {
      out[key] = parsed;
    } else {
      out[key] = value;
    }
  }
  return out;
}

bool IsUserDefinedJson(const json& type) {
  return type.is_object() && type.value("type", json()) == "udt";
}

// A field of the JSON `type`; a UDT becomes its sqlType, with the UDT marked on the field.
Result<std::shared_ptr<arrow::Field>> TypedField(
    std::string name, const json& type, bool nullable,
    std::shared_ptr<const arrow::KeyValueMetadata> metadata = nullptr) {
  if (!IsUserDefinedJson(type)) {
    ASSIGN_OR_RAISE(auto plain, TypeFromDeltaJson(type));
    return arrow::field(std::move(name), std::move(plain), nullable, std::move(metadata));
  }
  if (!type.contains("sqlType")) return Unsupported(type.dump());
  ASSIGN_OR_RAISE(auto sql_type, TypeFromDeltaJson(type["sqlType"]));
  ASSIGN_OR_RAISE(auto udt, UserDefinedTypeFromJson(type));
  return WithUserDefinedType(
      arrow::field(std::move(name), std::move(sql_type), nullable, std::move(metadata)), udt);
}

// The JSON type of `field`: its UDT around its type's JSON when it holds one.
Result<json> FieldTypeToJson(const arrow::Field& field) {
  ASSIGN_OR_RAISE(auto type, TypeToDeltaJson(*field.type()));
  auto udt = UserDefinedTypeOf(field);
  if (!udt) return type;
  return UserDefinedTypeToJson(*udt, std::move(type));
}

Result<std::shared_ptr<arrow::Field>> FieldFromJson(const json& field) {
  if (!field.is_object() || !field.contains("name") || !field["name"].is_string() ||
      !field.contains("type")) {
    return UserError("DELTA_INVALID_LOG_ENTRY",
                     "A schema field needs a name and a type: " + field.dump());
  }
  bool nullable = field.value("nullable", true);
  return TypedField(field["name"].get<std::string>(), field["type"], nullable,
                    MetadataFromJson(field));
}

}  // namespace

Result<std::shared_ptr<arrow::DataType>> TypeFromDeltaJson(const json& type) {
  if (type.is_string()) {
    const std::string name = type.get<std::string>();
    if (name == "string") return arrow::utf8();
    if (name == "long") return arrow::int64();
    if (name == "integer") return arrow::int32();
    if (name == "short") return arrow::int16();
    if (name == "byte") return arrow::int8();
    if (name == "float") return arrow::float32();
    if (name == "double") return arrow::float64();
    if (name == "boolean") return arrow::boolean();
    if (name == "binary") return arrow::binary();
    if (name == "date") return arrow::date32();
    if (name == "timestamp") return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
    if (name == "timestamp_ntz") return arrow::timestamp(arrow::TimeUnit::MICRO);
    if (name == "void" || name == "null") return arrow::null();
    if (name == "variant") return VariantType();
    // Spark's GEOMETRY / GEOGRAPHY, named by their CRS ("geometry(OGC:CRS84)").
    ASSIGN_OR_RAISE(auto spatial, SpatialTypeFromJsonName(name));
    if (spatial) return SpatialArrowType(*spatial);
    // Spark's TIME(p) (nanoseconds of the day); Delta tables cannot hold it, views and local
    // relations can.
    static const std::regex kTime(R"(time\(\s*[0-6]\s*\))");
    if (name == "time" || std::regex_match(name, kTime)) {
      return arrow::time64(arrow::TimeUnit::NANO);
    }
    static const std::regex kDecimal(R"(decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\))");
    std::smatch m;
    if (std::regex_match(name, m, kDecimal)) {
      int precision = std::stoi(m[1]);
      int scale = std::stoi(m[2]);
      if (precision < 1 || precision > 38 || scale > precision) {
        return Unsupported(name);
      }
      return arrow::decimal128(precision, scale);
    }
    if (name == "decimal") return arrow::decimal128(10, 0);
    return Unsupported("'" + name + "'");
  }
  if (!type.is_object() || !type.contains("type") || !type["type"].is_string()) {
    return Unsupported(type.dump());
  }
  const std::string kind = type["type"].get<std::string>();
  if (kind == "struct") {
    arrow::FieldVector fields;
    if (!type.contains("fields") || !type["fields"].is_array()) return Unsupported(type.dump());
    for (const auto& f : type["fields"]) {
      ASSIGN_OR_RAISE(auto field, FieldFromJson(f));
      fields.push_back(std::move(field));
    }
    return arrow::struct_(std::move(fields));
  }
  if (kind == "array") {
    if (!type.contains("elementType")) return Unsupported(type.dump());
    bool contains_null = type.value("containsNull", true);
    ASSIGN_OR_RAISE(auto element, TypedField("element", type["elementType"], contains_null));
    return arrow::list(std::move(element));
  }
  if (kind == "map") {
    if (!type.contains("keyType") || !type.contains("valueType")) return Unsupported(type.dump());
    bool value_contains_null = type.value("valueContainsNull", true);
    ASSIGN_OR_RAISE(auto key, TypedField("key", type["keyType"], false));
    ASSIGN_OR_RAISE(auto value, TypedField("value", type["valueType"], value_contains_null));
    return std::make_shared<arrow::MapType>(std::move(key), std::move(value));
  }
  if (kind == "udt") {
    // A UDT on its own (not the type of a field) is its sqlType.
    if (!type.contains("sqlType")) return Unsupported(type.dump());
    return TypeFromDeltaJson(type["sqlType"]);
  }
  return Unsupported("'" + kind + "'");
}

Result<std::shared_ptr<arrow::Schema>> SchemaFromDeltaJson(std::string_view schema_string) {
  json parsed = json::parse(schema_string.begin(), schema_string.end(), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return UserError("DELTA_INVALID_LOG_ENTRY",
                     "The table schema is not valid JSON: " + std::string(schema_string.substr(0, 200)));
  }
  ASSIGN_OR_RAISE(auto type, TypeFromDeltaJson(parsed));
  if (type->id() != arrow::Type::STRUCT) {
    return UserError("DELTA_INVALID_LOG_ENTRY", "The table schema must be a struct type.");
  }
  return arrow::schema(type->fields());
}

Result<json> TypeToDeltaJson(const arrow::DataType& type) {
  using arrow::Type;
  switch (type.id()) {
    case Type::STRING:
    case Type::LARGE_STRING:
    case Type::STRING_VIEW: return json("string");
    case Type::INT64:
    case Type::UINT32: return json("long");
    case Type::INT32:
    case Type::UINT16: return json("integer");
    case Type::INT16:
    case Type::UINT8: return json("short");
    case Type::INT8: return json("byte");
    case Type::HALF_FLOAT:
    case Type::FLOAT: return json("float");
    case Type::DOUBLE: return json("double");
    case Type::BOOL: return json("boolean");
    case Type::BINARY:
    case Type::LARGE_BINARY:
    case Type::BINARY_VIEW:
    case Type::FIXED_SIZE_BINARY: return json("binary");
    case Type::DATE32:
    case Type::DATE64: return json("date");
    case Type::TIMESTAMP: {
      const auto& ts = static_cast<const arrow::TimestampType&>(type);
      return json(ts.timezone().empty() ? "timestamp_ntz" : "timestamp");
    }
    case Type::TIME64:
      return json("time(6)");
    case Type::NA: return json("void");
    case Type::DECIMAL32:
    case Type::DECIMAL64:
    case Type::DECIMAL128: {
      const auto& d = static_cast<const arrow::DecimalType&>(type);
      return json("decimal(" + std::to_string(d.precision()) + "," + std::to_string(d.scale()) + ")");
    }
    case Type::STRUCT: {
      if (IsVariantType(type)) return json("variant");
      if (auto spatial = SpatialTypeOf(type)) return json(SpatialJsonName(*spatial));
      json fields = json::array();
      for (const auto& field : type.fields()) {
        ASSIGN_OR_RAISE(auto child, FieldTypeToJson(*field));
        fields.push_back({{"name", field->name()},
                          {"type", child},
                          {"nullable", field->nullable()},
                          {"metadata", MetadataToJson(field->metadata())}});
      }
      return json{{"type", "struct"}, {"fields", fields}};
    }
    case Type::LIST:
    case Type::LARGE_LIST:
    case Type::FIXED_SIZE_LIST:
    case Type::LIST_VIEW: {
      const auto& element = type.field(0);
      ASSIGN_OR_RAISE(auto child, FieldTypeToJson(*element));
      return json{{"type", "array"}, {"elementType", child}, {"containsNull", element->nullable()}};
    }
    case Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(type);
      ASSIGN_OR_RAISE(auto key, FieldTypeToJson(*map.key_field()));
      ASSIGN_OR_RAISE(auto value, FieldTypeToJson(*map.item_field()));
      return json{{"type", "map"},
                  {"keyType", key},
                  {"valueType", value},
                  {"valueContainsNull", map.item_field()->nullable()}};
    }
    case Type::DICTIONARY:
      return TypeToDeltaJson(*static_cast<const arrow::DictionaryType&>(type).value_type());
    default:
      return Unsupported("'" + type.ToString() + "'");
  }
}

Result<std::string> SchemaToDeltaJson(const arrow::Schema& schema) {
  ASSIGN_OR_RAISE(auto type, TypeToDeltaJson(*arrow::struct_(schema.fields())));
  return type.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string SparkTypeName(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
      return "array<" + SparkTypeName(*type.field(0)->type()) + ">";
    case arrow::Type::MAP: {
      const auto& m = static_cast<const arrow::MapType&>(type);
      return "map<" + SparkTypeName(*m.key_type()) + "," + SparkTypeName(*m.item_type()) + ">";
    }
    case arrow::Type::STRUCT: {
      if (IsVariantType(type)) return "variant";
      if (auto spatial = SpatialTypeOf(type)) return SpatialTypeName(*spatial);
      std::string out = "struct<";
      for (int i = 0; i < type.num_fields(); ++i) {
        out += (i ? "," : "") + type.field(i)->name() + ":" + SparkTypeName(*type.field(i)->type());
      }
      return out + ">";
    }
    default:
      break;
  }
  auto delta = TypeToDeltaJson(type);
  if (!delta.ok()) return type.ToString();
  const json& j = *delta;
  if (j.is_string()) {
    std::string name = j.get<std::string>();
    if (name == "long") return "bigint";
    if (name == "integer") return "int";
    if (name == "short") return "smallint";
    if (name == "byte") return "tinyint";
    return name;
  }
  return type.ToString();
}

}  // namespace basin::types
