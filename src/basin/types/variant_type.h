#pragma once

// How the engine represents Spark's VARIANT type in Arrow (docs/decisions/variant_type.md): a
// struct<value: binary not null, metadata: binary not null> whose `metadata` child field carries
// the field metadata {"variant": "true"}, the form Spark itself uses in Arrow (and which the Spark
// Connect client decodes as a VariantVal). The marker is part of the DataType, so it survives
// expressions, projections and nesting in arrays, maps and structs.

#include <memory>

#include <arrow/array.h>
#include <arrow/type.h>

#include "basin/base/status.h"

namespace basin::types {

/// Field-metadata key (and value "true") on the `metadata` child that marks a variant struct.
inline constexpr char kVariantChildMarker[] = "variant";

/// Returns the engine's VARIANT type.
const std::shared_ptr<arrow::DataType>& VariantType();

/// Returns true when `type` is the VARIANT type (a struct with binary `value` and `metadata`
/// children whose `metadata` child carries the marker).
bool IsVariantType(const arrow::DataType& type);

/// Returns true when `type` is VARIANT or nests one (in an array, map or struct).
bool ContainsVariant(const arrow::DataType& type);

/// Returns `array` with the value and metadata children of every variant (nested ones too) free
/// of nulls: a null variant gets empty children, since Parquet writers refuse nulls in the
/// non-nullable children. Arrays without variants are returned as they are.
Result<std::shared_ptr<arrow::Array>> FillVariantChildNulls(
    const std::shared_ptr<arrow::Array>& array);

}  // namespace basin::types
