#pragma once

// The Metastore over SQL: one implementation of every catalog rule (names, errors, cascades,
// timestamps) that runs on a `SqlDatabase`, which SQLite and PostgreSQL each implement. Private to
// the catalog layer; other layers use metastore.h.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "basin/base/status.h"
#include "basin/catalog/metastore.h"

namespace basin::catalog {

/// A statement parameter: NULL, text or a 64-bit integer.
using SqlValue = std::variant<std::monostate, std::string, int64_t>;

/// A result row: each column as text, nullopt for NULL.
using SqlRow = std::vector<std::optional<std::string>>;

/// What a transaction does, so each database can pick its locking.
enum class TransactionKind {
  kRead,        ///< reads only
  kWrite,       ///< reads and writes; serialized against every other writer
  kInitialize,  ///< creates the metastore tables on open
};

/// One connection to the SQL database that holds a metastore. Not thread-safe: the owner
/// serializes calls.
class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;

  /// Starts a transaction of `kind`.
  virtual Status Begin(TransactionKind kind) = 0;
  /// Commits the open transaction.
  virtual Status Commit() = 0;
  /// Rolls back the open transaction, if any; never fails.
  virtual void Rollback() = 0;
  /// Runs one statement whose parameters are written `?` and bound in order to `params`; returns
  /// its rows with every column as text.
  virtual Result<std::vector<SqlRow>> Query(const std::string& sql,
                                            const std::vector<SqlValue>& params) = 0;
  /// Runs parameterless statements separated by ';' (DDL).
  virtual Status ExecuteScript(const std::string& sql) = 0;
  /// Runs first inside the initialization transaction: takes what lock the database needs so that
  /// concurrent first opens do not race, and creates the namespace the tables live in.
  virtual Status PrepareInitialize() = 0;
  /// Returns how many times a transaction is tried when it keeps failing with RetryableError.
  virtual int MaxAttempts() const = 0;
  /// Names the database in error messages ("SQLite database /w/_metastore/metastore.db").
  virtual std::string Description() const = 0;
};

/// Returns an error after which the whole transaction may be retried (a serialization failure,
/// a deadlock, a busy database or a unique-key race).
Status RetryableError(const std::string& message);

/// Returns true if `status` came from RetryableError.
bool IsRetryable(const Status& status);

/// The on-disk format version this build writes and reads (docs/metastore.md).
inline constexpr int64_t kMetastoreFormatVersion = 2;

/// Creates the metastore tables if needed (refusing a newer format version) and returns the
/// Metastore that runs on `db`.
Result<std::unique_ptr<Metastore>> OpenSqlMetastore(std::unique_ptr<SqlDatabase> db);

/// Opens (creating folders and file) the SQLite database WAREHOUSE/_metastore/metastore.db in WAL
/// mode with a busy timeout. `warehouse` is a local folder or a file:// URI.
Result<std::unique_ptr<SqlDatabase>> OpenSqliteDatabase(const std::string& warehouse);

/// Connects to PostgreSQL with the libpq connection string or URI `connection`; the metastore
/// tables live in the PostgreSQL schema `basin_metastore`.
Result<std::unique_ptr<SqlDatabase>> OpenPostgresDatabase(const std::string& connection);

}  // namespace basin::catalog
