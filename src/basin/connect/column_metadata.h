#pragma once

// Spark's column metadata (Column.alias(name, metadata=...), DataFrame.withMetadata) is not part
// of Basin's plans: it is worked out from the Connect relation itself, the way Spark carries it
// (kept by column references, renames, filters and other row-preserving steps, lost by other
// expressions), and put on the schema sent back to the client.

#include <memory>

#include <arrow/api.h>

#include "basin/base/status.h"
#include "basin/connect/translator.h"
#include "spark/connect/relations.pb.h"

namespace basin::connect {

/// The Arrow field-metadata key holding a column's Spark metadata as JSON (Spark's own key in
/// the Arrow data it sends).
inline constexpr char kSparkMetadataKey[] = "SPARK::metadata::json";

/// `schema` (the output of `relation`) with the Spark metadata of its columns; unchanged when
/// the relation sets no metadata anywhere.
Result<std::shared_ptr<arrow::Schema>> WithColumnMetadata(const spark::connect::Relation& relation,
                                                          std::shared_ptr<arrow::Schema> schema,
                                                          PlanTranslator& translator);

}  // namespace basin::connect
