#pragma once

// Delta's schema JSON (PROTOCOL.md, "Schema Serialization Format") <-> arrow::Schema.
// Field metadata (column mapping ids and physical names, comments, generation expressions...)
// rides along as Arrow field metadata: each value is kept as its JSON text, except that strings
// are stored without quotes.

#include <memory>
#include <string>
#include <string_view>

#include <arrow/type.h>
#include <nlohmann/json.hpp>

#include "basin/base/status.h"

namespace basin::types {

/// Arrow field-metadata key holding Delta's column-mapping id.
inline constexpr char kColumnMappingId[] = "delta.columnMapping.id";
/// Arrow field-metadata key holding Delta's column-mapping physical name.
inline constexpr char kPhysicalName[] = "delta.columnMapping.physicalName";

/// Parses a Delta schema string into an Arrow schema. Timestamps are microseconds in UTC,
/// timestamp_ntz microseconds without zone; unknown types give DELTA_UNSUPPORTED_DATA_TYPE.
Result<std::shared_ptr<arrow::Schema>> SchemaFromDeltaJson(std::string_view schema_string);

/// Converts a Delta data type (a JSON string or object) to Arrow.
Result<std::shared_ptr<arrow::DataType>> TypeFromDeltaJson(const nlohmann::json& type);

/// Serializes an Arrow schema as Delta's schema JSON. Arrow types without a Delta equivalent
/// (unsigned integers, large strings, ...) map to the nearest wider Delta type where one exists,
/// else DELTA_UNSUPPORTED_DATA_TYPE.
Result<std::string> SchemaToDeltaJson(const arrow::Schema& schema);

/// Converts an Arrow type to its Delta JSON type.
Result<nlohmann::json> TypeToDeltaJson(const arrow::DataType& type);

/// Returns the type name of an Arrow type as Spark's DESCRIBE prints it (e.g. "bigint",
/// "array<int>", "struct<a:int,b:string>", "map<string,double>").
std::string SparkTypeName(const arrow::DataType& type);

}  // namespace basin::types
