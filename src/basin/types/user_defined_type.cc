#include "basin/types/user_defined_type.h"

#include <array>
#include <cctype>
#include <utility>

namespace basin::types {

namespace {

using nlohmann::json;

// The Scala UDTs in Spark's own jars and the Python classes they name (their `pyUDT`), which
// Spark's Connect server reports instead of the class the client sent.
constexpr std::array<std::pair<const char*, const char*>, 5> kShippedUdts = {{
    {"org.apache.spark.ml.linalg.VectorUDT", "pyspark.ml.linalg.VectorUDT"},
    {"org.apache.spark.ml.linalg.MatrixUDT", "pyspark.ml.linalg.MatrixUDT"},
    {"org.apache.spark.mllib.linalg.VectorUDT", "pyspark.mllib.linalg.VectorUDT"},
    {"org.apache.spark.mllib.linalg.MatrixUDT", "pyspark.mllib.linalg.MatrixUDT"},
    {"org.apache.spark.sql.test.ExamplePointUDT", "pyspark.testing.objects.ExamplePointUDT"},
}};

}  // namespace

std::optional<UserDefinedType> UserDefinedTypeOf(const arrow::Field& field) {
  if (!field.metadata()) return std::nullopt;
  auto value = field.metadata()->Get(kUserDefinedTypeKey);
  if (!value.ok()) return std::nullopt;
  json parsed = json::parse(*value, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  auto udt = UserDefinedTypeFromJson(parsed);
  if (!udt.ok()) return std::nullopt;
  return *udt;
}

std::shared_ptr<arrow::Field> WithUserDefinedType(const std::shared_ptr<arrow::Field>& field,
                                                  const UserDefinedType& udt) {
  json mark = UserDefinedTypeToJson(udt, nullptr);
  mark.erase("sqlType");
  return field->WithMergedMetadata(arrow::KeyValueMetadata::Make(
      {kUserDefinedTypeKey}, {mark.dump(-1, ' ', false, json::error_handler_t::replace)}));
}

std::shared_ptr<arrow::Field> WithUserDefinedTypeOf(const std::shared_ptr<arrow::Field>& field,
                                                    const arrow::Field& from) {
  auto udt = UserDefinedTypeOf(from);
  return udt ? WithUserDefinedType(field, *udt) : field;
}

namespace {

bool FieldHoldsUserDefinedType(const arrow::Field& field) {
  if (UserDefinedTypeOf(field)) return true;
  for (const auto& child : field.type()->fields()) {
    if (FieldHoldsUserDefinedType(*child)) return true;
  }
  return false;
}

}  // namespace

bool HoldsUserDefinedType(const arrow::Schema& schema) {
  for (const auto& field : schema.fields()) {
    if (FieldHoldsUserDefinedType(*field)) return true;
  }
  return false;
}

std::shared_ptr<arrow::Schema> WithUserDefinedTypesOf(const std::shared_ptr<arrow::Schema>& schema,
                                                      const arrow::Schema& spark_schema) {
  arrow::FieldVector fields;
  for (const auto& field : schema->fields()) {
    auto spark_field = spark_schema.GetFieldByName(field->name());
    if (!spark_field || !FieldHoldsUserDefinedType(*spark_field)) {
      fields.push_back(field);
      continue;
    }
    // Nested UDTs ride on the type's own fields: taken only where the types match.
    auto typed =
        spark_field->type()->Equals(*field->type()) ? field->WithType(spark_field->type()) : field;
    fields.push_back(WithUserDefinedTypeOf(typed, *spark_field));
  }
  return arrow::schema(std::move(fields), schema->metadata());
}

std::string UserDefinedTypeName(const UserDefinedType& udt) {
  if (udt.jvm_class.empty()) return "pythonuserdefined";
  std::string name = udt.jvm_class.substr(udt.jvm_class.rfind('.') + 1);
  if (!name.empty() && name.back() == '$') name.pop_back();
  name = name.substr(0, name.size() >= 3 ? name.size() - 3 : 0);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

UdtText ShippedUdtText(const UserDefinedType& udt) {
  return udt.jvm_class == "org.apache.spark.sql.test.ExamplePointUDT" ? UdtText::kPoint
                                                                      : UdtText::kSqlType;
}

std::string ReportedPythonClass(const UserDefinedType& udt) {
  for (const auto& [jvm, python] : kShippedUdts) {
    if (udt.jvm_class == jvm) return python;
  }
  return udt.python_class;
}

Result<UserDefinedType> UserDefinedTypeFromJson(const json& type) {
  auto text = [&](const char* key) -> std::string {
    auto it = type.find(key);
    return it != type.end() && it->is_string() ? it->get<std::string>() : "";
  };
  UserDefinedType udt{text("class"), text("pyClass"), text("serializedClass")};
  if (udt.jvm_class.empty() && udt.python_class.empty()) {
    return UserError("INVALID_JSON_DATA_TYPE",
                     "A user-defined type needs a class or a pyClass: " + type.dump() + ".");
  }
  return udt;
}

json UserDefinedTypeToJson(const UserDefinedType& udt, json sql_type) {
  json out = json::object();
  out["type"] = "udt";
  if (!udt.jvm_class.empty()) out["class"] = udt.jvm_class;
  if (!udt.python_class.empty()) out["pyClass"] = udt.python_class;
  if (!udt.serialized_python_class.empty()) out["serializedClass"] = udt.serialized_python_class;
  out["sqlType"] = std::move(sql_type);
  return out;
}

}  // namespace basin::types
