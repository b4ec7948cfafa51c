#include "basin/connect/arrow_stream.h"

#include <arrow/io/memory.h>
#include <arrow/ipc/reader.h>
#include <arrow/ipc/writer.h>

namespace basin::connect {

Result<std::string> EncodeArrowStream(
    const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches) {
  ASSIGN_OR_RAISE(auto sink, arrow::io::BufferOutputStream::Create());
  ASSIGN_OR_RAISE(auto writer, arrow::ipc::MakeStreamWriter(sink, schema));
  for (const auto& batch : batches) RETURN_NOT_OK(writer->WriteRecordBatch(*batch));
  RETURN_NOT_OK(writer->Close());
  ASSIGN_OR_RAISE(auto buffer, sink->Finish());
  return buffer->ToString();
}

Result<std::string> EncodeArrowStream(const arrow::Table& table) {
  arrow::TableBatchReader reader(table);
  ASSIGN_OR_RAISE(auto batches, reader.ToRecordBatches());
  return EncodeArrowStream(table.schema(), batches);
}

Result<std::shared_ptr<arrow::Table>> DecodeArrowStream(const std::string& data) {
  // The batches slice this buffer (and keep it alive), so it owns a copy of the bytes.
  auto buffer = arrow::Buffer::FromString(std::string(data));
  auto input = std::make_shared<arrow::io::BufferReader>(buffer);
  auto reader = arrow::ipc::RecordBatchStreamReader::Open(input);
  if (!reader.ok()) {
    return UserError("CONNECT_INVALID_PLAN.CANNOT_PARSE",
                     "The Arrow data of a local relation cannot be read: " +
                         reader.status().message());
  }
  auto table = (*reader)->ToTable();
  if (!table.ok()) {
    return UserError("CONNECT_INVALID_PLAN.CANNOT_PARSE",
                     "The Arrow data of a local relation cannot be read: " +
                         table.status().message());
  }
  return *table;
}

int64_t EstimateBatchBytes(const arrow::RecordBatch& batch) {
  int64_t bytes = 0;
  for (const auto& column : batch.columns()) {
    for (const auto& buffer : column->data()->buffers) {
      if (buffer) bytes += buffer->size();
    }
    for (const auto& child : column->data()->child_data) {
      for (const auto& buffer : child->buffers) {
        if (buffer) bytes += buffer->size();
      }
    }
  }
  return bytes;
}

}  // namespace basin::connect
