#pragma once

// Delta's optimistic-concurrency conflict rules (PROTOCOL.md, "Optimistic Concurrency Control";
// delta-spark's ConflictChecker at the default WriteSerializable isolation): decides whether a
// transaction that lost the race for a version may retry after a winning commit, or must fail.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "basin/base/status.h"
#include "basin/delta/actions.h"

namespace basin::delta {

/// What the losing transaction read and is about to write.
struct TransactionFootprint {
  /// Version of the snapshot the transaction read (-1 when it creates the table).
  int64_t read_version = -1;
  /// Whether the transaction read every file of the table (e.g. an overwrite or a full scan).
  bool read_whole_table = false;
  /// Paths (as in the log) of the files the transaction's result depends on.
  std::set<std::string> read_files;
  /// Paths of the files the transaction removes.
  std::set<std::string> removed_files;
  bool changes_protocol = false;
  bool changes_metadata = false;
  /// appIds of the txn actions the transaction writes or depends on.
  std::set<std::string> app_ids;
  /// Domains of the domain metadata actions the transaction writes.
  std::set<std::string> domains;
};

/// Checks the actions of the winning commit `winning_version` against `current`. Returns OK when
/// the transaction may retry at the next version, else a user error: DELTA_PROTOCOL_CHANGED,
/// DELTA_METADATA_CHANGED, DELTA_CONCURRENT_APPEND, DELTA_CONCURRENT_DELETE_READ,
/// DELTA_CONCURRENT_DELETE_DELETE or DELTA_CONCURRENT_TRANSACTION.
Status CheckForConflicts(const TransactionFootprint& current, int64_t winning_version,
                         const std::vector<Action>& winning_actions);

/// Decodes %XX escapes of a log path, so that differently escaped spellings of a path compare
/// equal.
std::string DecodeLogPath(const std::string& path);

}  // namespace basin::delta
