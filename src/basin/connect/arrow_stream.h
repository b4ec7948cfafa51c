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

/// The bytes a batch's buffers take (an estimate of its IPC size).
int64_t EstimateBatchBytes(const arrow::RecordBatch& batch);

}  // namespace basin::connect
