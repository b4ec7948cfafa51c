// Placeholder so the layer links while the real implementation is written.
#include "basin/delta/snapshot.h"

namespace basin::delta {
Result<std::shared_ptr<const Snapshot>> Snapshot::Load(const io::Location&, const SnapshotOptions&) {
  return Status::NotImplemented("Snapshot::Load");
}
std::string Snapshot::column_mapping_mode() const { return "none"; }
Result<std::vector<CommitFile>> ListCommitFiles(const io::Location&) {
  return Status::NotImplemented("ListCommitFiles");
}
Result<std::map<int64_t, int64_t>> CommitTimestamps(const io::Location&) {
  return Status::NotImplemented("CommitTimestamps");
}
std::string VersionStem(int64_t version) {
  std::string s = std::to_string(version);
  return std::string(20 - s.size(), '0') + s;
}
}  // namespace basin::delta
