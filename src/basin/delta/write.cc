// Placeholder so the layer links while the real implementation is written.
#include "basin/delta/write.h"

namespace basin::delta {
Result<WriteResult> WriteTable(const io::Location&, const std::shared_ptr<arrow::Table>&,
                               const WriteOptions&) {
  return Status::NotImplemented("WriteTable");
}
}  // namespace basin::delta
