#pragma once

// Type changes of a Delta column: which ones Spark accepts in ALTER TABLE ALTER COLUMN ... TYPE,
// which ones Delta performs without rewriting data (PROTOCOL.md, "Type Widening"), and the
// delta.typeChanges field metadata that records them.

#include <memory>

#include <arrow/type.h>

#include "basin/base/status.h"

namespace basin::delta {

/// Returns true when Spark lets a column of type `from` be altered to `to`: the same type, or a
/// conversion that loses no value (numeric widening, a wider decimal, date to timestamp, any
/// atomic type to string), as Spark's up-cast rule says.
bool CanAlterColumnType(const arrow::DataType& from, const arrow::DataType& to);

/// Returns true when a table with the typeWidening feature can change a column from `from` to
/// `to` without rewriting its files: byte < short < int < long, float to double, byte/short/int
/// to double, integers to a decimal with enough integer digits, a decimal to a wider decimal,
/// and date to timestamp_ntz.
bool IsSupportedTypeWidening(const arrow::DataType& from, const arrow::DataType& to);

/// Returns true for the widenings a write with schema evolution (mergeSchema, MERGE WITH SCHEMA
/// EVOLUTION) applies on its own to a table with delta.enableTypeWidening: those within one type
/// family (delta-spark's default, "same_family_type"): a wider integer, float to double, a wider
/// decimal, date to timestamp_ntz. Integers to double or decimal need ALTER COLUMN.
bool IsAutomaticTypeWidening(const arrow::DataType& from, const arrow::DataType& to);

/// Returns `field` with type `to` and a {"toType", "fromType"} entry appended to its
/// delta.typeChanges metadata.
Result<std::shared_ptr<arrow::Field>> WidenFieldType(const std::shared_ptr<arrow::Field>& field,
                                                     const std::shared_ptr<arrow::DataType>& to);

}  // namespace basin::delta
