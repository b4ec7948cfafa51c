#pragma once

// Arrow IPC streams, the form in which Spark Connect carries rows both ways (ArrowBatch in
// results, LocalRelation data in plans).

#include <memory>
#include <string>
#include <vector>

#include <arrow/api.h>

#include "basin/base/status.h"

namespace basin::connect {

/// One IPC stream (schema message, then the batches) as bytes.
Result<std::string> EncodeArrowStream(const std::shared_ptr<arrow::Schema>& schema,
                                      const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches);

/// One IPC stream of a table's rows.
Result<std::string> EncodeArrowStream(const arrow::Table& table);

/// Reads every batch of an IPC stream into a table.
Result<std::shared_ptr<arrow::Table>> DecodeArrowStream(const std::string& data);

/// The type as the Arrow data sent to the client spells it: like Spark's server, fields whose
/// name repeats within a struct get suffixes (a, a -> a_0, a_1), which pyarrow needs to convert
/// the rows; the schema message keeps the real names, which the client uses for the rows.
std::shared_ptr<arrow::DataType> ArrowSafeType(const std::shared_ptr<arrow::DataType>& type);
/// `type` with the (struct field) names of `names` where both have the same shape; the client's
/// Arrow data for such structs carries the suffixed names.
std::shared_ptr<arrow::DataType> WithFieldNamesOf(const std::shared_ptr<arrow::DataType>& type,
                                                  const arrow::DataType& names);
/// `data` with `type`, a type of the same layout (only names differ).
std::shared_ptr<arrow::ArrayData> Retyped(const std::shared_ptr<arrow::ArrayData>& data,
                                          const std::shared_ptr<arrow::DataType>& type);

/// The bytes a batch's buffers take (an estimate of its IPC size).
int64_t EstimateBatchBytes(const arrow::RecordBatch& batch);

}  // namespace basin::connect
