#include "basin/delta/history.h"

#include <algorithm>
#include <cstdio>

#include "basin/delta/actions.h"
#include "basin/delta/snapshot.h"
#include "basin/types/civil_time.h"

namespace basin::delta {

std::string FormatMillisUtc(int64_t ms) {
  int64_t days = ms >= 0 ? ms / 86'400'000 : -((-ms + 86'399'999) / 86'400'000);
  int64_t in_day = ms - days * 86'400'000;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "T%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(in_day / 3'600'000),
                static_cast<long long>(in_day / 60'000 % 60),
                static_cast<long long>(in_day / 1000 % 60), static_cast<long long>(in_day % 1000));
  return types::FormatDate(static_cast<int32_t>(days)) + buf;
}

Result<std::vector<HistoryEntry>> ReadHistory(const io::Location& table_root,
                                              std::optional<int64_t> limit) {
  ASSIGN_OR_RAISE(auto commits, ListCommitFiles(table_root));
  if (commits.empty()) {
    return UserError("DELTA_MISSING_DELTA_TABLE",
                     "'" + table_root.path + "' is not a Delta table.");
  }
  ASSIGN_OR_RAISE(auto timestamps, CommitTimestamps(table_root));
  std::reverse(commits.begin(), commits.end());
  if (limit && *limit >= 0 && static_cast<size_t>(*limit) < commits.size()) {
    commits.resize(static_cast<size_t>(*limit));
  }
  std::vector<HistoryEntry> out;
  for (const auto& commit : commits) {
    HistoryEntry entry;
    entry.version = commit.version;
    auto ts = timestamps.find(commit.version);
    entry.timestamp_ms = ts != timestamps.end() ? ts->second : commit.modification_time;
    io::Location file = table_root.Child("_delta_log").Child(VersionStem(commit.version) + ".json");
    ASSIGN_OR_RAISE(auto content, io::ReadWholeFile(file));
    ASSIGN_OR_RAISE(auto actions, ParseCommitFile(content, file.path));
    for (const auto& action : actions) {
      if (const auto* info = std::get_if<CommitInfo>(&action)) {
        entry.commit_info = info->value;
        break;
      }
    }
    out.push_back(std::move(entry));
  }
  return out;
}

nlohmann::json HistoryRow(const HistoryEntry& entry) {
  const auto& ci = entry.commit_info;
  auto get = [&](const char* key) { return ci.contains(key) ? ci[key] : nlohmann::json(); };
  nlohmann::json row = nlohmann::json::object();
  row["version"] = entry.version;
  row["timestamp"] = FormatMillisUtc(entry.timestamp_ms);
  row["userId"] = get("userId");
  row["userName"] = get("userName");
  row["operation"] = get("operation");
  row["operationParameters"] = get("operationParameters");
  row["readVersion"] = get("readVersion");
  row["isolationLevel"] = get("isolationLevel");
  row["isBlindAppend"] = get("isBlindAppend");
  row["operationMetrics"] = get("operationMetrics");
  row["userMetadata"] = get("userMetadata");
  row["engineInfo"] = get("engineInfo");
  row["txnId"] = get("txnId");
  return row;
}

}  // namespace basin::delta
