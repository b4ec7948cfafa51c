#include "basin/exec/spill_file.h"

namespace basin::exec {

Result<std::unique_ptr<SpillWriter>> SpillWriter::Open(
    const std::string& path, const std::shared_ptr<arrow::Schema>& schema) {
  auto out = std::make_unique<SpillWriter>();
  ASSIGN_OR_RAISE(out->file_, arrow::io::FileOutputStream::Open(path));
  ASSIGN_OR_RAISE(out->writer_, arrow::ipc::MakeFileWriter(out->file_, schema));
  return out;
}

Status SpillWriter::Write(const arrow::RecordBatch& batch) {
  rows_ += batch.num_rows();
  return writer_->WriteRecordBatch(batch);
}

Status SpillWriter::Close() {
  RETURN_NOT_OK(writer_->Close());
  return file_->Close();
}

Result<std::unique_ptr<SpillReader>> SpillReader::Open(const std::string& path) {
  auto out = std::make_unique<SpillReader>();
  ASSIGN_OR_RAISE(out->file_, arrow::io::ReadableFile::Open(path));
  ASSIGN_OR_RAISE(out->reader_, arrow::ipc::RecordBatchFileReader::Open(out->file_));
  return out;
}

}  // namespace basin::exec
