// The metastore's SQLite database: WAREHOUSE/_metastore/metastore.db in WAL mode. Writers take
// the database's write lock when they begin (BEGIN IMMEDIATE), so writers in any thread or process
// run one after another and never see a stale read; readers never block.

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>

#include "basin/catalog/sql_metastore.h"

namespace basin::catalog {

namespace {

constexpr int kBusyTimeoutMs = 10000;

bool IsBusy(int code) {
  const int primary = code & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

class SqliteDatabase : public SqlDatabase {
 public:
  SqliteDatabase(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteDatabase() override { sqlite3_close_v2(db_); }

  Status Begin(TransactionKind kind) override {
    // BEGIN IMMEDIATE waits (busy_timeout) for the write lock instead of failing later on the
    // first write, which would force a retry of the whole transaction.
    return Exec(kind == TransactionKind::kRead ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE");
  }

  Status Commit() override { return Exec("COMMIT"); }

  void Rollback() override {
    if (!sqlite3_get_autocommit(db_)) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }

  Result<std::vector<SqlRow>> Query(const std::string& sql,
                                    const std::vector<SqlValue>& params) override {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
      return Error(rc, "prepare");
    }
    struct Finalizer {
      sqlite3_stmt* stmt;
      ~Finalizer() { sqlite3_finalize(stmt); }
    } finalizer{stmt};
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const SqlValue& value = params[i];
      if (const auto* text = std::get_if<std::string>(&value)) {
        rc = sqlite3_bind_text64(stmt, index, text->data(), text->size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8);
      } else if (const auto* number = std::get_if<int64_t>(&value)) {
        rc = sqlite3_bind_int64(stmt, index, *number);
      } else {
        rc = sqlite3_bind_null(stmt, index);
      }
      if (rc != SQLITE_OK) {
        return Error(rc, "bind");
      }
    }
    std::vector<SqlRow> rows;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      const int columns = sqlite3_column_count(stmt);
      SqlRow row(columns);
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          continue;
        }
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        row[c] = std::string(data, static_cast<size_t>(sqlite3_column_bytes(stmt, c)));
      }
      rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) {
      return Error(rc, "step");
    }
    return rows;
  }

  Status ExecuteScript(const std::string& sql) override { return Exec(sql.c_str()); }

  Status PrepareInitialize() override { return Status::OK(); }

  // Each attempt already waited the busy timeout.
  int MaxAttempts() const override { return 3; }

  std::string Description() const override { return "SQLite database " + path_; }

 private:
  Status Exec(const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    if (rc == SQLITE_OK) {
      return Status::OK();
    }
    std::string text = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return ErrorText(rc, text);
  }

  Status Error(int rc, const char* step) {
    return ErrorText(rc, std::string(step) + ": " + sqlite3_errmsg(db_));
  }

  Status ErrorText(int rc, const std::string& text) {
    std::string message = "metastore " + Description() + ": " + text;
    // Still busy after the timeout (a long checkpoint or a very busy warehouse): the whole
    // transaction is retried.
    if (IsBusy(rc)) {
      return RetryableError(message);
    }
    return Status::IOError(message);
  }

  sqlite3* db_;
  std::string path_;
};

// Returns the local folder of `warehouse`, a path or a file:// URI.
Result<std::filesystem::path> LocalFolder(const std::string& warehouse) {
  if (warehouse.empty()) {
    return UserError("INVALID_PARAMETER_VALUE",
                     "The SQLite metastore needs a warehouse folder; none was given.");
  }
  std::string path = warehouse;
  if (path.rfind("file://", 0) == 0) {
    path = path.substr(7);
  } else if (path.rfind("file:", 0) == 0) {
    path = path.substr(5);
  } else if (path.find("://") != std::string::npos) {
    return UserError("INVALID_PARAMETER_VALUE",
                     "The SQLite metastore needs a local warehouse folder, not '" + warehouse +
                         "'; give a PostgreSQL connection string for a remote warehouse.");
  }
  return std::filesystem::path(path);
}

Status PragmaWithRetry(sqlite3* db, const char* sql, const std::string& path) {
  // Switching to WAL needs a moment of exclusive access; a concurrent first open may hold it.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  while (true) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    std::string text = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    if (rc == SQLITE_OK) {
      return Status::OK();
    }
    if (!IsBusy(rc) || std::chrono::steady_clock::now() > deadline) {
      return Status::IOError("metastore SQLite database ", path, ": ", sql, ": ", text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

Result<std::unique_ptr<SqlDatabase>> OpenSqliteDatabase(const std::string& warehouse) {
  ASSIGN_OR_RAISE(auto folder, LocalFolder(warehouse));
  const std::filesystem::path dir = folder / "_metastore";
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return Status::IOError("cannot create the metastore folder ", dir.string(), ": ",
                           error.message());
  }
  const std::string path = (dir / "metastore.db").string();
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::IOError("cannot open the metastore SQLite database ", path, ": ", message);
  }
  auto database = std::make_unique<SqliteDatabase>(db, path);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db, 1);
  RETURN_NOT_OK(PragmaWithRetry(db, "PRAGMA journal_mode=WAL", path));
  // With WAL, NORMAL is durable across application crashes; FULL also across power loss.
  RETURN_NOT_OK(PragmaWithRetry(db, "PRAGMA synchronous=FULL", path));
  return std::unique_ptr<SqlDatabase>(std::move(database));
}

}  // namespace basin::catalog
