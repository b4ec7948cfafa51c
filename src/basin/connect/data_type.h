#pragma once

// Spark types between their three spellings at the Connect edge: Arrow types (how Basin holds
// data, see types/schema_json.h for the conventions), Connect's DataType message, and the type
// strings clients send (DDL "a int, b string" or Spark's JSON schema).

#include <memory>
#include <string>

#include <arrow/api.h>

#include "basin/base/status.h"
#include "spark/connect/types.pb.h"

namespace basin::connect {

/// The Connect DataType of an Arrow type; an Arrow schema becomes a struct.
Result<spark::connect::DataType> ToProtoType(const arrow::DataType& type);
Result<spark::connect::DataType> ToProtoSchema(const arrow::Schema& schema);

/// The Arrow type of a Connect DataType.
Result<std::shared_ptr<arrow::DataType>> FromProtoType(const spark::connect::DataType& type);

/// Parses a type string as clients send it: Spark's JSON ("{"type":"struct",...}"), a DDL
/// field list ("a int, b string"), or a single type ("bigint").
Result<std::shared_ptr<arrow::DataType>> ParseTypeString(const std::string& text);
/// Like ParseTypeString, as the Connect type Spark's DDL parsing gives (AnalyzePlan DDLParse):
/// CHAR(n) and VARCHAR(n) stay char and varchar there.
Result<spark::connect::DataType> ParseTypeStringToProto(const std::string& text);
/// Like ParseTypeString, for a schema: a struct type's fields, or one field "value" for a
/// single non-struct type.
Result<std::shared_ptr<arrow::Schema>> ParseSchemaString(const std::string& text);

}  // namespace basin::connect
