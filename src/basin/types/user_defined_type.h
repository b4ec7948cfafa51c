#pragma once

// Spark user-defined types (UDTs, e.g. a Python class with a `__UDT__`): the engine stores and
// computes a UDT column as its sqlType, and remembers which UDT it is in the Arrow field metadata
// of the field holding it (a column, a list element, a map value or a struct child), under
// kUserDefinedTypeKey. Clients do the (de)serialization: Spark Connect sends UDT values already
// turned into their sqlType and reads results back with the UDT the result schema names.

#include <memory>
#include <optional>
#include <string>

#include <arrow/type.h>
#include <arrow/util/key_value_metadata.h>
#include <nlohmann/json.hpp>

#include "basin/base/status.h"

namespace basin::types {

/// Arrow field-metadata key whose value (JSON) names the UDT the field holds.
inline constexpr char kUserDefinedTypeKey[] = "basin.udt";

/// Which UDT a field holds; its sqlType is the field's Arrow type.
struct UserDefinedType {
  /// The Scala/Java class ("class" in Spark's JSON); empty for a Python-only UDT.
  std::string jvm_class;
  /// The Python class, "module.Name" ("pyClass").
  std::string python_class;
  /// The Python class pickled and base64-encoded ("serializedClass"), for Python-only UDTs.
  std::string serialized_python_class;
};

/// Returns the UDT `field` holds, if it holds one.
std::optional<UserDefinedType> UserDefinedTypeOf(const arrow::Field& field);

/// Returns `field` marked as holding `udt` (other metadata kept).
std::shared_ptr<arrow::Field> WithUserDefinedType(const std::shared_ptr<arrow::Field>& field,
                                                  const UserDefinedType& udt);

/// Returns `field` with the UDT mark of `from` (if any) and its other metadata unchanged.
std::shared_ptr<arrow::Field> WithUserDefinedTypeOf(const std::shared_ptr<arrow::Field>& field,
                                                    const arrow::Field& from);

/// Returns true when a field of `schema` holds a UDT, at the top or nested.
bool HoldsUserDefinedType(const arrow::Schema& schema);

/// Returns `schema` (read from a file) with the UDTs of the same-named fields of `spark_schema`
/// (the schema the file was written with): a field takes the UDT mark of its namesake, and the
/// nested marks too where the two types match.
std::shared_ptr<arrow::Schema> WithUserDefinedTypesOf(const std::shared_ptr<arrow::Schema>& schema,
                                                      const arrow::Schema& spark_schema);

/// Returns Spark's typeName of `udt` (printSchema, DESCRIBE): "pythonuserdefined" for a Python
/// UDT, else the Scala class's simple name without its "UDT" suffix, lower case
/// ("examplepoint", "vector").
std::string UserDefinedTypeName(const UserDefinedType& udt);

/// How Spark prints a UDT value as a string (CAST(x AS STRING), show()).
enum class UdtText {
  kSqlType,  ///< As its sqlType prints (Python UDTs, most Scala UDTs).
  kPoint,    ///< "(x, y)" from an array<double> [x, y] (Spark's ExamplePointUDT).
};

/// Returns how Spark prints values of `udt`.
UdtText ShippedUdtText(const UserDefinedType& udt);

/// Returns the Python class Spark reports for `udt` in result schemas: for a Scala UDT that
/// Spark ships, the Python class that Scala class names (its `pyUDT`); else the client's class.
std::string ReportedPythonClass(const UserDefinedType& udt);

/// Reads Spark's JSON form of a UDT ({"type":"udt","class":...,"pyClass":...,
/// "serializedClass":...,"sqlType":...}) without its sqlType.
Result<UserDefinedType> UserDefinedTypeFromJson(const nlohmann::json& type);

/// Writes Spark's JSON form of `udt` with `sql_type` (the sqlType's JSON).
nlohmann::json UserDefinedTypeToJson(const UserDefinedType& udt, nlohmann::json sql_type);

}  // namespace basin::types
