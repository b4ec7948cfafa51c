#pragma once

// Reassembles shredded variant columns (Parquet's VariantShredding.md): a shredded variant is a
// group of `metadata`, an optional binary `value` and an optional `typed_value` that holds part
// of the value as a typed column (a primitive, a struct of per-field groups for objects, or a
// list of element groups for arrays). Unshredding turns it back into the plain
// struct<value: binary, metadata: binary> that an unshredded variant column reads as.

#include <memory>

#include <arrow/array.h>
#include <arrow/type.h>

#include "basin/base/status.h"

namespace basin::format {

/// Returns whether `type` is a variant group written by a shredding writer: a struct with a
/// binary `metadata` and a `typed_value` child.
bool IsShreddedVariant(const arrow::DataType& type);

/// Returns whether `type` is Basin's unshredded variant type: a struct of exactly a binary
/// `value` and a binary `metadata` (in either order).
bool IsVariantStruct(const arrow::DataType& type);

/// Rebuilds each row of a shredded variant group as a struct<value: binary, metadata: binary>
/// (fields in that order, not nullable; a null group gives a null row). Object fields in
/// typed_value are merged with the partial object in `value`; a group whose value and
/// typed_value are both null is a missing field inside an object and a variant null elsewhere.
/// Inconsistent or malformed data gives MALFORMED_VARIANT.
Result<std::shared_ptr<arrow::Array>> UnshredVariant(const arrow::Array& shredded);

}  // namespace basin::format
