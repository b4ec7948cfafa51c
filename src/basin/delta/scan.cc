// Placeholder so the layer links while the real implementation is written.
#include "basin/delta/scan.h"

namespace basin::delta {
Result<std::shared_ptr<arrow::RecordBatchReader>> ScanSnapshot(
    const std::shared_ptr<const Snapshot>&, const ScanOptions&) {
  return Status::NotImplemented("ScanSnapshot");
}
Result<std::shared_ptr<arrow::Table>> ReadSnapshot(const std::shared_ptr<const Snapshot>&,
                                                   const ScanOptions&) {
  return Status::NotImplemented("ReadSnapshot");
}
}  // namespace basin::delta
