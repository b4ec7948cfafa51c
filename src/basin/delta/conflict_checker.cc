#include "basin/delta/conflict_checker.h"

#include <type_traits>

namespace basin::delta {

namespace {

std::string Suffix(int64_t winning_version, const std::optional<nlohmann::json>& commit_info) {
  std::string text = "\nConflicting commit: version " + std::to_string(winning_version);
  if (commit_info && commit_info->contains("operation") && (*commit_info)["operation"].is_string()) {
    text += ", operation " + (*commit_info)["operation"].get<std::string>();
  }
  return text + ".";
}

}  // namespace

std::string DecodeLogPath(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size() && hex(path[i + 1]) >= 0 && hex(path[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(path[i + 1]) * 16 + hex(path[i + 2])));
      i += 2;
    } else {
      out.push_back(path[i]);
    }
  }
  return out;
}

Status CheckForConflicts(const TransactionFootprint& current, int64_t winning_version,
                         const std::vector<Action>& winning_actions) {
  std::optional<nlohmann::json> commit_info;
  bool winner_protocol = false, winner_metadata = false;
  std::vector<const AddFile*> adds;
  std::vector<const RemoveFile*> removes;
  std::vector<const Txn*> txns;
  std::vector<const DomainMetadata*> domains;
  for (const auto& action : winning_actions) {
    std::visit(
        [&](const auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, CommitInfo>) commit_info = a.value;
          if constexpr (std::is_same_v<T, Protocol>) winner_protocol = true;
          if constexpr (std::is_same_v<T, Metadata>) winner_metadata = true;
          if constexpr (std::is_same_v<T, AddFile>) adds.push_back(&a);
          if constexpr (std::is_same_v<T, RemoveFile>) removes.push_back(&a);
          if constexpr (std::is_same_v<T, Txn>) txns.push_back(&a);
          if constexpr (std::is_same_v<T, DomainMetadata>) domains.push_back(&a);
        },
        action);
  }
  std::string suffix = Suffix(winning_version, commit_info);

  // Protocol: a concurrent protocol change conflicts with one of our own (this is also what two
  // racing table creations hit).
  if (winner_protocol && (current.changes_protocol || current.read_version < 0)) {
    std::string extra = winning_version == 0
                            ? " This happens when multiple writers are writing to an empty "
                              "directory. Creating the table ahead of time will avoid this "
                              "conflict."
                            : "";
    return UserError("DELTA_PROTOCOL_CHANGED",
                     "The protocol version of the Delta table has been changed by a concurrent "
                     "update." + extra + " Please try the operation again." + suffix);
  }
  // Metadata: any concurrent metadata change invalidates what this transaction assumed.
  if (winner_metadata) {
    return UserError("DELTA_METADATA_CHANGED",
                     "The metadata of the Delta table has been changed by a concurrent update. "
                     "Please try the operation again." + suffix);
  }
  // Added files: under WriteSerializable, files added by a concurrent blind append are ignored;
  // other data-changing adds conflict with a transaction that read the whole table.
  bool winner_blind_append = commit_info && commit_info->value("isBlindAppend", false);
  if (current.read_whole_table && !winner_blind_append) {
    for (const AddFile* add : adds) {
      if (!add->data_change) continue;
      return UserError("DELTA_CONCURRENT_APPEND",
                       "Files were added to the root of the table by a concurrent update (for "
                       "example " + add->path + "). Please try the operation again." + suffix);
    }
  }
  // Removed files against what this transaction read and what it removes.
  std::set<std::string> read_files, removed_files;
  for (const auto& p : current.read_files) read_files.insert(DecodeLogPath(p));
  for (const auto& p : current.removed_files) removed_files.insert(DecodeLogPath(p));
  for (const RemoveFile* remove : removes) {
    std::string path = DecodeLogPath(remove->path);
    if (read_files.count(path) > 0 || (current.read_whole_table && remove->data_change)) {
      return UserError("DELTA_CONCURRENT_DELETE_READ",
                       "This transaction attempted to read one or more files that were deleted "
                       "(for example " + remove->path + ") by a concurrent update. Please try "
                       "the operation again." + suffix);
    }
  }
  for (const RemoveFile* remove : removes) {
    if (removed_files.count(DecodeLogPath(remove->path)) > 0) {
      return UserError("DELTA_CONCURRENT_DELETE_DELETE",
                       "This transaction attempted to delete one or more files that were deleted "
                       "(for example " + remove->path + ") by a concurrent update. Please try "
                       "the operation again." + suffix);
    }
  }
  for (const Txn* txn : txns) {
    if (current.app_ids.count(txn->app_id) > 0) {
      return UserError("DELTA_CONCURRENT_TRANSACTION",
                       "This error occurs when multiple writers use the same transaction "
                       "identifier (appId '" + txn->app_id + "') to write into this table at "
                       "the same time." + suffix);
    }
  }
  for (const DomainMetadata* domain : domains) {
    if (current.domains.count(domain->domain) > 0) {
      return UserError("DELTA_CONCURRENT_TRANSACTION",
                       "A concurrent transaction changed the domain metadata '" + domain->domain +
                       "' that this transaction also changes. Please try the operation again." +
                       suffix);
    }
  }
  return Status::OK();
}

}  // namespace basin::delta
