// Placeholder so the layer links while the real implementation is written.
#include "basin/delta/actions.h"

namespace basin::delta {
bool Protocol::HasReaderFeature(std::string_view) const { return false; }
bool Protocol::HasWriterFeature(std::string_view) const { return false; }
std::string DeletionVectorDescriptor::UniqueId() const { return storage_type + path_or_inline_dv; }
std::optional<int64_t> CommitInfo::InCommitTimestamp() const { return std::nullopt; }
Result<std::optional<Action>> ParseActionLine(std::string_view, std::string_view) {
  return Status::NotImplemented("ParseActionLine");
}
Result<std::vector<Action>> ParseCommitFile(std::string_view, std::string_view) {
  return Status::NotImplemented("ParseCommitFile");
}
std::string SerializeAction(const Action&) { return "{}"; }
nlohmann::json ActionToJson(const Action&) { return nlohmann::json::object(); }
}  // namespace basin::delta
