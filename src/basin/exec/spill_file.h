#pragma once

// Spill files: batches written to an Arrow IPC file in the query's spill folder and read back
// one batch at a time.

#include <memory>
#include <string>

#include <arrow/io/file.h>
#include <arrow/ipc/api.h>
#include <arrow/record_batch.h>

#include "basin/base/status.h"

namespace basin::exec {

/// Writes batches of one schema to a spill file.
class SpillWriter {
 public:
  /// Creates the file at `path`.
  static Result<std::unique_ptr<SpillWriter>> Open(const std::string& path,
                                                   const std::shared_ptr<arrow::Schema>& schema);
  /// Appends `batch`.
  Status Write(const arrow::RecordBatch& batch);
  /// Finishes the file.
  Status Close();
  /// Returns the rows written so far.
  int64_t rows() const { return rows_; }

 private:
  std::shared_ptr<arrow::io::FileOutputStream> file_;
  std::shared_ptr<arrow::ipc::RecordBatchWriter> writer_;
  int64_t rows_ = 0;
};

/// Reads a spill file back.
class SpillReader {
 public:
  /// Opens the file at `path`.
  static Result<std::unique_ptr<SpillReader>> Open(const std::string& path);
  /// Returns the number of batches.
  int num_batches() const { return reader_->num_record_batches(); }
  /// Reads batch `i`.
  Result<std::shared_ptr<arrow::RecordBatch>> Read(int i) { return reader_->ReadRecordBatch(i); }
  /// Returns the schema.
  std::shared_ptr<arrow::Schema> schema() const { return reader_->schema(); }

 private:
  std::shared_ptr<arrow::io::ReadableFile> file_;
  std::shared_ptr<arrow::ipc::RecordBatchFileReader> reader_;
};

}  // namespace basin::exec
