#pragma once

// Maps parsed SQL types to Arrow types, with the same conventions as types/schema_json.h:
// timestamp = timestamp(us, "UTC"), timestamp_ntz = timestamp(us), time(p) =
// time64(ns) (nanoseconds of the day, whatever the precision), list elements are a nullable
// field "element", map keys a non-null "key" and values a nullable "value".

#include <memory>

#include <arrow/type.h>

#include "basin/base/status.h"
#include "basin/sql/ast.h"

namespace basin::sql {

/// Returns the Arrow type of `type`: char(n)/varchar(n) become utf8, year-month intervals
/// month_interval, day-time intervals duration(us), `interval` month_day_nano_interval, variant
/// struct<value: binary not null, metadata: binary not null> with the metadata child marked
/// {"variant": "true"} (the same type as types::VariantType()). Struct field comments go to the
/// field metadata under "comment". Fails with UNSUPPORTED_DATATYPE for a decimal Arrow rejects.
Result<std::shared_ptr<arrow::DataType>> ToArrowType(const DataTypeSyntax& type);

/// Returns the Arrow field of a CREATE TABLE column: its name, type, nullability, and its comment
/// (metadata "comment") if any.
Result<std::shared_ptr<arrow::Field>> ToArrowField(const ColumnDefinition& column);

}  // namespace basin::sql
