// The metastore's PostgreSQL database: the same tables as SQLite, in the PostgreSQL schema
// `basin_metastore`. Writers run SERIALIZABLE and are retried on a serialization failure, so
// concurrent servers behave as if their changes ran one after another.

#include <dlfcn.h>
#include <libpq-fe.h>

#include <memory>
#include <string>

#include "basin/catalog/sql_metastore.h"

namespace basin::catalog {

namespace {

// libpq is opened when the first PostgreSQL metastore is, not when Basin starts: loading it
// (and the Kerberos, LDAP and TLS libraries it needs) costs every process about 6 ms, and most
// never use PostgreSQL (docs/decisions/0008-server-executable.md).
struct PqApi {
  decltype(&::PQclear) clear;
  decltype(&::PQconnectdb) connectdb;
  decltype(&::PQdb) db;
  decltype(&::PQerrorMessage) errorMessage;
  decltype(&::PQexec) exec;
  decltype(&::PQexecParams) execParams;
  decltype(&::PQfinish) finish;
  decltype(&::PQgetisnull) getisnull;
  decltype(&::PQgetlength) getlength;
  decltype(&::PQgetvalue) getvalue;
  decltype(&::PQhost) host;
  decltype(&::PQnfields) nfields;
  decltype(&::PQntuples) ntuples;
  decltype(&::PQport) port;
  decltype(&::PQreset) reset;
  decltype(&::PQresultErrorField) resultErrorField;
  decltype(&::PQresultErrorMessage) resultErrorMessage;
  decltype(&::PQresultStatus) resultStatus;
  decltype(&::PQsetNoticeProcessor) setNoticeProcessor;
  decltype(&::PQstatus) status;
  decltype(&::PQtransactionStatus) transactionStatus;
};

template <typename F>
Status Symbol(void* handle, const char* name, F* out) {
  *out = reinterpret_cast<F>(::dlsym(handle, name));
  if (*out == nullptr) {
    return Status::IOError("libpq has no ", name, ": ", ::dlerror());
  }
  return Status::OK();
}

Result<PqApi> LoadPq() {
  void* handle = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    return UserError("INVALID_PARAMETER_VALUE",
                     std::string("A PostgreSQL metastore needs libpq (libpq.so.5), which cannot be "
                                 "loaded: ") + ::dlerror());
  }
  PqApi api;
  RETURN_NOT_OK(Symbol(handle, "PQclear", &api.clear));
  RETURN_NOT_OK(Symbol(handle, "PQconnectdb", &api.connectdb));
  RETURN_NOT_OK(Symbol(handle, "PQdb", &api.db));
  RETURN_NOT_OK(Symbol(handle, "PQerrorMessage", &api.errorMessage));
  RETURN_NOT_OK(Symbol(handle, "PQexec", &api.exec));
  RETURN_NOT_OK(Symbol(handle, "PQexecParams", &api.execParams));
  RETURN_NOT_OK(Symbol(handle, "PQfinish", &api.finish));
  RETURN_NOT_OK(Symbol(handle, "PQgetisnull", &api.getisnull));
  RETURN_NOT_OK(Symbol(handle, "PQgetlength", &api.getlength));
  RETURN_NOT_OK(Symbol(handle, "PQgetvalue", &api.getvalue));
  RETURN_NOT_OK(Symbol(handle, "PQhost", &api.host));
  RETURN_NOT_OK(Symbol(handle, "PQnfields", &api.nfields));
  RETURN_NOT_OK(Symbol(handle, "PQntuples", &api.ntuples));
  RETURN_NOT_OK(Symbol(handle, "PQport", &api.port));
  RETURN_NOT_OK(Symbol(handle, "PQreset", &api.reset));
  RETURN_NOT_OK(Symbol(handle, "PQresultErrorField", &api.resultErrorField));
  RETURN_NOT_OK(Symbol(handle, "PQresultErrorMessage", &api.resultErrorMessage));
  RETURN_NOT_OK(Symbol(handle, "PQresultStatus", &api.resultStatus));
  RETURN_NOT_OK(Symbol(handle, "PQsetNoticeProcessor", &api.setNoticeProcessor));
  RETURN_NOT_OK(Symbol(handle, "PQstatus", &api.status));
  RETURN_NOT_OK(Symbol(handle, "PQtransactionStatus", &api.transactionStatus));
  return api;  // the library stays loaded for the life of the process
}

// The loaded API; LoadedPq() must have succeeded before the first call.
const PqApi* g_pq = nullptr;

Status LoadedPq() {
  static const Result<PqApi> loaded = LoadPq();
  if (!loaded.ok()) return loaded.status();
  g_pq = &*loaded;
  return Status::OK();
}

const PqApi& Pq() { return *g_pq; }

constexpr char kSchemaName[] = "basin_metastore";
// Serializes first opens (creating the schema and tables); any constant unlikely to be used by
// another application on the same server ("basinmst" in ASCII).
constexpr char kInitializeLockKey[] = "7089074185119298420";

// Rewrites `?` placeholders to PostgreSQL's $1, $2, ... (outside quoted literals).
std::string NumberPlaceholders(const std::string& sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 1;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      }
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$' + std::to_string(next++);
    } else {
      out += c;
    }
  }
  return out;
}

void IgnoreNotice(void*, const char*) {}

struct ResultDeleter {
  void operator()(PGresult* result) const { Pq().clear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

class PostgresDatabase : public SqlDatabase {
 public:
  PostgresDatabase(PGconn* conn, std::string description)
      : conn_(conn), description_(std::move(description)) {}
  ~PostgresDatabase() override { Pq().finish(conn_); }

  Status Begin(TransactionKind kind) override {
    if (Pq().status(conn_) != CONNECTION_OK) {
      // The server restarted or the network dropped since the last call: reconnect once.
      Pq().reset(conn_);
      if (Pq().status(conn_) != CONNECTION_OK) {
        return Status::IOError("metastore ", description_, ": ", Pq().errorMessage(conn_));
      }
      RETURN_NOT_OK(Setup());
    }
    switch (kind) {
      case TransactionKind::kRead:
        return Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      case TransactionKind::kWrite:
        return Exec("BEGIN ISOLATION LEVEL SERIALIZABLE");
      case TransactionKind::kInitialize:
        // READ COMMITTED: after waiting for the initialization lock, each statement sees what
        // the first opener committed.
        return Exec("BEGIN ISOLATION LEVEL READ COMMITTED");
    }
    return Status::OK();
  }

  Status Commit() override { return Exec("COMMIT"); }

  void Rollback() override {
    if (Pq().transactionStatus(conn_) != PQTRANS_IDLE) {
      ResultPtr(Pq().exec(conn_, "ROLLBACK"));
    }
  }

  Result<std::vector<SqlRow>> Query(const std::string& sql,
                                    const std::vector<SqlValue>& params) override {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (const auto* text = std::get_if<std::string>(&params[i])) {
        texts[i] = *text;
        values[i] = texts[i].c_str();
      } else if (const auto* number = std::get_if<int64_t>(&params[i])) {
        texts[i] = std::to_string(*number);
        values[i] = texts[i].c_str();
      }
    }
    const std::string numbered = NumberPlaceholders(sql);
    ResultPtr result(Pq().execParams(conn_, numbered.c_str(), static_cast<int>(params.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0));
    RETURN_NOT_OK(Check(result.get(), sql));
    std::vector<SqlRow> rows;
    const int row_count = Pq().ntuples(result.get());
    const int columns = Pq().nfields(result.get());
    rows.reserve(row_count);
    for (int r = 0; r < row_count; ++r) {
      SqlRow row(columns);
      for (int c = 0; c < columns; ++c) {
        if (Pq().getisnull(result.get(), r, c)) {
          continue;
        }
        row[c] = std::string(Pq().getvalue(result.get(), r, c),
                             static_cast<size_t>(Pq().getlength(result.get(), r, c)));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Status ExecuteScript(const std::string& sql) override { return Exec(sql.c_str()); }

  Status PrepareInitialize() override {
    RETURN_NOT_OK(
        Exec((std::string("SELECT pg_advisory_xact_lock(") + kInitializeLockKey + ")").c_str()));
    // Look before creating: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the
    // database even when the schema is there.
    ASSIGN_OR_RAISE(auto rows, Query("SELECT 1 FROM pg_namespace WHERE nspname = ?",
                                     {std::string(kSchemaName)}));
    if (rows.empty()) {
      RETURN_NOT_OK(Exec((std::string("CREATE SCHEMA ") + kSchemaName).c_str()));
    }
    return Status::OK();
  }

  // Serialization failures under many concurrent writers are expected; each retry waits longer.
  int MaxAttempts() const override { return 400; }

  std::string Description() const override { return description_; }

  /// Sets the session up: no notices on stderr, UTF-8, the metastore schema first on the path.
  Status Setup() {
    Pq().setNoticeProcessor(conn_, IgnoreNotice, nullptr);
    RETURN_NOT_OK(Exec("SET client_encoding TO 'UTF8'"));
    return Exec((std::string("SET search_path TO ") + kSchemaName).c_str());
  }

 private:
  Status Exec(const char* sql) {
    ResultPtr result(Pq().exec(conn_, sql));
    return Check(result.get(), sql);
  }

  Status Check(const PGresult* result, const std::string& sql) {
    const ExecStatusType status = result != nullptr ? Pq().resultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      return Status::OK();
    }
    const char* sqlstate =
        result != nullptr ? Pq().resultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string code = sqlstate != nullptr ? sqlstate : "";
    std::string text = result != nullptr ? Pq().resultErrorMessage(result) : Pq().errorMessage(conn_);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
      text.pop_back();
    }
    std::string message = "metastore " + description_ + ": " + text;
    // 40001 serialization failure, 40P01 deadlock; 23505 a unique key inserted by a concurrent
    // transaction: the retry re-reads and reports "already exists" properly.
    if (code == "40001" || code == "40P01" || code == "23505") {
      return RetryableError(message);
    }
    return Status::IOError(message, " (SQLSTATE ", code, ") in: ", sql.substr(0, 200));
  }

  PGconn* conn_;
  std::string description_;
};

// Names the server without a password: host, port and database of the connection.
std::string Describe(PGconn* conn) {
  std::string host = Pq().host(conn) != nullptr ? Pq().host(conn) : "";
  std::string port = Pq().port(conn) != nullptr ? Pq().port(conn) : "";
  std::string db = Pq().db(conn) != nullptr ? Pq().db(conn) : "";
  return "PostgreSQL database " + db + " at " + host + ":" + port;
}

}  // namespace

Result<std::unique_ptr<SqlDatabase>> OpenPostgresDatabase(const std::string& connection) {
  RETURN_NOT_OK(LoadedPq());
  PGconn* conn = Pq().connectdb(connection.c_str());
  if (conn == nullptr) {
    return Status::OutOfMemory("cannot allocate a PostgreSQL connection");
  }
  if (Pq().status(conn) != CONNECTION_OK) {
    std::string message = Pq().errorMessage(conn);
    while (!message.empty() && message.back() == '\n') {
      message.pop_back();
    }
    Pq().finish(conn);
    return Status::IOError("cannot connect to the PostgreSQL metastore: ", message);
  }
  auto database = std::make_unique<PostgresDatabase>(conn, Describe(conn));
  RETURN_NOT_OK(database->Setup());
  return std::unique_ptr<SqlDatabase>(std::move(database));
}

}  // namespace basin::catalog
