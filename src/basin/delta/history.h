#pragma once

// DESCRIBE HISTORY: the commits of a Delta table, newest first, with their commitInfo.

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "basin/base/status.h"
#include "basin/io/file_system.h"

namespace basin::delta {

struct HistoryEntry {
  int64_t version = 0;
  /// Commit timestamp in ms (inCommitTimestamp when present, else file modification time).
  int64_t timestamp_ms = 0;
  /// The commit's commitInfo (empty object when the commit has none).
  nlohmann::json commit_info = nlohmann::json::object();
};

/// Lists the table's commits newest first, at most `limit` of them (all when unset). Commits
/// already cleaned from the log are not listed.
Result<std::vector<HistoryEntry>> ReadHistory(const io::Location& table_root,
                                              std::optional<int64_t> limit = std::nullopt);

/// Returns one DESCRIBE HISTORY row as JSON: version, timestamp (ISO-8601 UTC), operation,
/// operationParameters, readVersion, isolationLevel, isBlindAppend, operationMetrics,
/// userMetadata, engineInfo, txnId (null where the commit has no value).
nlohmann::json HistoryRow(const HistoryEntry& entry);

/// Formats ms since the epoch as "yyyy-MM-ddTHH:mm:ss.SSSZ".
std::string FormatMillisUtc(int64_t ms);

}  // namespace basin::delta
