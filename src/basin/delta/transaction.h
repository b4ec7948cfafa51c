#pragma once

// An optimistic transaction on a Delta table (PROTOCOL.md, "Optimistic Concurrency Control"):
// read a snapshot, stage actions, then commit version N+1 by put-if-absent of its JSON file. If
// another writer took that version first, the winning commits are checked against what this
// transaction read and removed (Delta's conflict rules); if they do not conflict the commit is
// retried at the next version, else it fails with Delta's error class.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/table.h>
#include <nlohmann/json.hpp>

#include "basin/base/status.h"
#include "basin/base/uuid.h"
#include "basin/delta/actions.h"
#include "basin/delta/snapshot.h"
#include "basin/io/file_system.h"

namespace basin::delta {

/// The engineInfo Basin writes into commitInfo.
inline constexpr char kEngineInfo[] = "Basin/0.1.0";

/// What a committed transaction produced.
struct CommitResult {
  int64_t version = -1;
  /// Number of times the commit was retried after losing a race.
  int attempts = 1;
  /// Whether a checkpoint of the new version was written (its failure does not fail the commit).
  bool checkpoint_written = false;
};


/// Returns the current time in milliseconds since the epoch.
int64_t NowMs();

/// Checks that Basin can write a table with `protocol` and `metadata`: every writer feature it
/// needs is supported; else DELTA_UNSUPPORTED_FEATURES_FOR_WRITE naming the feature.
/// With `columns_computed`, the writer computed generated columns itself (the SQL engine does);
/// otherwise a table with generated columns is refused for writes that add data.
Status CheckWriteSupported(const Protocol& protocol, const Metadata& metadata,
                           bool columns_computed = false);

/// Checks `rows` (new rows of a table described by `metadata`) against the table's CHECK
/// constraints (delta.constraints.*). With `engine_checked` the caller has evaluated them with
/// the SQL engine already; otherwise each constraint must be in the replaceWhere predicate
/// language (see replace_where.h), else DELTA_UNSUPPORTED_FEATURES_FOR_WRITE. A row for which a
/// constraint is false or null fails with DELTA_VIOLATE_CONSTRAINT_WITH_VALUES.
Status CheckConstraints(const Metadata& metadata, const std::shared_ptr<arrow::Table>& rows,
                        bool engine_checked);

class Transaction {
 public:
  /// Starts a transaction on the table at `table_root`, reading its latest snapshot; a folder
  /// with no log starts a transaction that creates the table (read_snapshot() is null).
  static Result<Transaction> Begin(const io::Location& table_root);
  /// Starts a transaction that read `snapshot`.
  static Transaction FromSnapshot(std::shared_ptr<const Snapshot> snapshot);

  const io::Location& table_root() const { return table_root_; }
  /// The snapshot the transaction read, or null when it creates the table.
  const std::shared_ptr<const Snapshot>& read_snapshot() const { return read_snapshot_; }
  /// The version this transaction will try to commit first.
  int64_t next_version() const { return read_snapshot_ ? read_snapshot_->version() + 1 : 0; }

  /// Stages a new protocol or metadata (table creation, schema change, properties).
  void UpdateProtocol(Protocol protocol);
  void UpdateMetadata(Metadata metadata);
  /// Stages a data file action.
  void Add(AddFile add);
  void Remove(RemoveFile remove);
  /// Stages any other action (cdc, domain metadata, ...).
  void AddAction(Action action);
  /// Stages an idempotent-write marker; Commit fails with DELTA_CONCURRENT_TRANSACTION if another
  /// commit set a newer version for the same appId since the read.
  void SetAppTransaction(Txn txn);

  /// Records that the transaction's result depended on these files (by path) or on the whole
  /// table; a concurrent commit that removed a read file (or, for a whole-table read, added files)
  /// is a conflict. Blind appends record nothing.
  void MarkFilesRead(const std::vector<std::string>& paths);
  void MarkTableRead();
  /// Declares that the new rows' generated columns were computed and checked by the caller.
  void SetGeneratedColumnsComputed() { generated_columns_computed_ = true; }

  /// Commits with a commitInfo of `operation`, `parameters` and `metrics` (as delta-spark writes
  /// them; values are JSON strings where delta-spark writes strings). Writes a checkpoint when the
  /// new version is a multiple of delta.checkpointInterval (default 10).
  Result<CommitResult> Commit(const std::string& operation, const nlohmann::json& parameters,
                              const nlohmann::json& metrics);

  /// The staged data file and other actions, in staging order.
  const std::vector<Action>& staged_actions() const { return actions_; }
  /// The metadata the commit will leave: the staged one, else the read snapshot's.
  const Metadata* effective_metadata() const;
  /// The protocol the commit will leave: the staged one, else the read snapshot's.
  const Protocol* effective_protocol() const;

 private:
  Transaction() = default;

  io::Location table_root_;
  std::shared_ptr<const Snapshot> read_snapshot_;
  std::optional<Protocol> new_protocol_;
  std::optional<Metadata> new_metadata_;
  std::vector<Action> actions_;
  std::optional<Txn> txn_;
  std::vector<std::string> read_files_;
  bool read_whole_table_ = false;
  bool generated_columns_computed_ = false;
};

}  // namespace basin::delta
