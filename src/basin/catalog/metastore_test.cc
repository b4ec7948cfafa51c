#include "basin/catalog/metastore.h"

#include <glob.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <thread>
#include <tuple>

#include <gtest/gtest.h>

#include "basin/catalog/sql_metastore.h"

namespace basin::catalog {
namespace {

#define ASSERT_OK(expr)                                       \
  do {                                                        \
    ::basin::Status _st = (expr);                             \
    ASSERT_TRUE(_st.ok()) << #expr << ": " << _st.ToString(); \
  } while (false)

// `lhs` may be a declaration ("auto x"), so it cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ASSERT_OK_AND_ASSIGN_IMPL(result, lhs, rexpr)                       \
  auto result = (rexpr);                                                    \
  ASSERT_TRUE(result.ok()) << #rexpr << ": " << result.status().ToString(); \
  lhs = std::move(result).ValueOrDie()

#define ASSERT_OK_CONCAT_INNER(a, b) a##b
#define ASSERT_OK_CONCAT(a, b) ASSERT_OK_CONCAT_INNER(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  ASSERT_OK_AND_ASSIGN_IMPL(ASSERT_OK_CONCAT(_result_, __LINE__), lhs, rexpr)
// NOLINTEND(bugprone-macro-parentheses)

// Expects `status` to be the user error `error_class` whose message contains `text`.
void ExpectError(const Status& status, const std::string& error_class,
                 const std::string& text = "") {
  ASSERT_FALSE(status.ok()) << "expected " << error_class;
  EXPECT_EQ(ErrorClassOf(status).value_or("<none>"), error_class) << status.ToString();
  EXPECT_NE(status.message().find(text), std::string::npos)
      << "message: " << status.message() << "\nexpected to contain: " << text;
}

template <typename T>
void ExpectError(const Result<T>& result, const std::string& error_class,
                 const std::string& text = "") {
  ExpectError(result.status(), error_class, text);
}

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool IsExecutable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string MakeTempDir(const char* prefix) {
  std::string pattern = std::string("/tmp/") + prefix + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const char* dir = ::mkdtemp(buffer.data());
  return dir != nullptr ? std::string(dir) : std::string();
}

// A throwaway PostgreSQL server with a Unix socket in a private temporary folder, started on the
// first PostgreSQL test and stopped when the suite ends. Each test gets a database of its own.
class PostgresServer {
 public:
  static PostgresServer& Get() {
    static PostgresServer server;
    return server;
  }

  /// Starts the server unless it runs; returns false with the reason in `error`.
  bool EnsureStarted(std::string* error) {
    if (started_) {
      return true;
    }
    if (!start_error_.empty()) {
      *error = start_error_;
      return false;
    }
    if (!Start(&start_error_)) {
      Stop();
      *error = start_error_;
      return false;
    }
    started_ = true;
    return true;
  }

  /// Creates an empty database and returns its libpq connection string ("" and `error`).
  std::string CreateDatabase(std::string* error) {
    const std::string name = "basin_test_" + std::to_string(next_database_++);
    PGconn* conn = PQconnectdb(Connection("postgres").c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
      *error = std::string("cannot connect to the test server: ") + PQerrorMessage(conn);
      PQfinish(conn);
      return "";
    }
    PGresult* result = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    if (!ok) {
      *error = std::string("CREATE DATABASE failed: ") + PQresultErrorMessage(result);
    }
    PQclear(result);
    PQfinish(conn);
    return ok ? Connection(name) : "";
  }

  /// Stops the server and deletes its folder.
  void Stop() {
    if (!dir_.empty()) {
      if (started_) {
        RunAsServerUser(Bin("pg_ctl") + " -D " + ShellQuote(dir_ + "/data") +
                        " stop -m immediate -w >/dev/null 2>&1");
      }
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
      dir_.clear();
    }
    started_ = false;
  }

 private:
  std::string Connection(const std::string& database) const {
    return "host=" + dir_ + " port=" + std::to_string(port_) + " user=basin dbname=" + database;
  }

  std::string Bin(const std::string& program) const { return ShellQuote(bindir_ + "/" + program); }

  // Finds initdb and pg_ctl: $BASIN_PG_BINDIR if set, else `pg_config --bindir`, the newest
  // /usr/lib/postgresql/*/bin (Debian), then PATH.
  static std::string FindBinDir() {
    auto has_server = [](const std::string& dir) {
      return !dir.empty() && IsExecutable(dir + "/initdb") && IsExecutable(dir + "/pg_ctl");
    };
    // An explicit choice is the only one tried, so a broken setting fails instead of falling back.
    if (const char* env = std::getenv("BASIN_PG_BINDIR"); env != nullptr && *env != '\0') {
      return has_server(env) ? std::string(env) : std::string();
    }
    if (FILE* pipe = ::popen("pg_config --bindir 2>/dev/null", "r")) {
      char line[4096] = {0};
      std::string dir = std::fgets(line, sizeof(line), pipe) != nullptr ? line : "";
      ::pclose(pipe);
      while (!dir.empty() && (dir.back() == '\n' || dir.back() == ' ')) {
        dir.pop_back();
      }
      if (has_server(dir)) {
        return dir;
      }
    }
    glob_t found{};
    std::vector<std::pair<int, std::string>> versions;
    if (::glob("/usr/lib/postgresql/*/bin", 0, nullptr, &found) == 0) {
      for (size_t i = 0; i < found.gl_pathc; ++i) {
        std::string dir = found.gl_pathv[i];
        std::string version = std::filesystem::path(dir).parent_path().filename().string();
        if (has_server(dir)) {
          versions.emplace_back(std::atoi(version.c_str()), dir);
        }
      }
    }
    ::globfree(&found);
    if (!versions.empty()) {
      return std::max_element(versions.begin(), versions.end())->second;
    }
    if (const char* path = std::getenv("PATH")) {
      std::string rest = path;
      size_t start = 0;
      while (start <= rest.size()) {
        size_t end = rest.find(':', start);
        std::string dir = rest.substr(start, end == std::string::npos ? end : end - start);
        if (has_server(dir)) {
          return dir;
        }
        if (end == std::string::npos) {
          break;
        }
        start = end + 1;
      }
    }
    return "";
  }

  static int FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    int port = 54329;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port = ntohs(address.sin_port);
    }
    if (fd >= 0) {
      ::close(fd);
    }
    return port;
  }

  // Runs `command` with /bin/sh, as the `postgres` user when we are root (initdb and postgres
  // refuse to run as root).
  int RunAsServerUser(const std::string& command) const {
    std::string full = command;
    if (!run_as_.empty()) {
      const bool has_runuser = IsExecutable("/usr/sbin/runuser") || IsExecutable("/sbin/runuser") ||
                               std::system("command -v runuser >/dev/null 2>&1") == 0;
      const std::string runuser = IsExecutable("/usr/sbin/runuser") ? "/usr/sbin/runuser"
                                  : IsExecutable("/sbin/runuser")   ? "/sbin/runuser"
                                                                    : "runuser";
      full = has_runuser ? runuser + " -u " + run_as_ + " -- /bin/sh -c " + ShellQuote(command)
                         : "su -s /bin/sh " + run_as_ + " -c " + ShellQuote(command);
    }
    const int status = std::system(full.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string ReadFile(const std::string& path) const {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.size() > 4000 ? text.substr(text.size() - 4000) : text;
  }

  bool Start(std::string* error) {
    bindir_ = FindBinDir();
    if (const char* env = std::getenv("BASIN_PG_BINDIR");
        bindir_.empty() && env != nullptr && *env != '\0') {
      *error = std::string("BASIN_PG_BINDIR=") + env +
               " holds no PostgreSQL server binaries (initdb, pg_ctl). Point it at them or unset "
               "it; `apt-get install postgresql` (scripts/setup.sh) installs them.";
      return false;
    }
    if (bindir_.empty()) {
      *error =
          "PostgreSQL server binaries (initdb, pg_ctl) were not found in $BASIN_PG_BINDIR, "
          "`pg_config --bindir`, /usr/lib/postgresql/*/bin or PATH. Install them: "
          "`apt-get install postgresql` (scripts/setup.sh installs it).";
      return false;
    }
    dir_ = MakeTempDir("basin-pg");
    if (dir_.empty()) {
      *error = "cannot create a temporary folder for the test PostgreSQL server";
      return false;
    }
    if (::geteuid() == 0) {
      // initdb refuses to run as root: run the server as `postgres`, owner of the folder.
      const passwd* user = ::getpwnam("postgres");
      if (user == nullptr) {
        *error =
            "the tests run as root and there is no `postgres` user to run the test PostgreSQL "
            "server as: install the `postgresql` package (scripts/setup.sh) or run as a normal "
            "user";
        return false;
      }
      run_as_ = "postgres";
      if (::chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
        *error = "cannot give " + dir_ + " to the postgres user";
        return false;
      }
    }
    ::chmod(dir_.c_str(), 0700);
    port_ = FreePort();
    const std::string data = dir_ + "/data";
    if (RunAsServerUser(Bin("initdb") + " -D " + ShellQuote(data) +
                        " -A trust -U basin -E UTF8 --no-sync >" +
                        ShellQuote(dir_ + "/initdb.log") + " 2>&1") != 0) {
      *error = "initdb failed:\n" + ReadFile(dir_ + "/initdb.log");
      return false;
    }
    const std::string options = "-k " + dir_ + " -p " + std::to_string(port_) +
                                " -c listen_addresses='' -c fsync=off -c max_connections=200";
    if (RunAsServerUser(Bin("pg_ctl") + " -D " + ShellQuote(data) + " -l " +
                        ShellQuote(dir_ + "/server.log") + " -o " + ShellQuote(options) +
                        " -w -t 60 start >/dev/null 2>&1") != 0) {
      *error = "pg_ctl start failed:\n" + ReadFile(dir_ + "/server.log");
      return false;
    }
    started_ = true;
    return true;
  }

  std::string bindir_;
  std::string dir_;
  std::string run_as_;
  std::string start_error_;
  int port_ = 0;
  int next_database_ = 0;
  bool started_ = false;
};

enum class Backend { kSqlite, kPostgres };

void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::kSqlite ? "SQLite" : "PostgreSQL");
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

TableInfo MakeTable(const std::string& catalog, const std::string& schema, const std::string& name,
                    TableType type = TableType::kManaged) {
  TableInfo info;
  info.catalog = catalog;
  info.schema = schema;
  info.name = name;
  info.type = type;
  if (type == TableType::kView) {
    info.format = "";
    info.view_text = "SELECT 1 AS one";
    info.view_schema_json =
        R"({"type":"struct","fields":[{"name":"one","type":"integer","nullable":false,"metadata":{}}]})";
    info.view_catalog = "main";
    info.view_schema = "default";
  } else {
    info.location = "/warehouse/" + catalog + "/" + schema + "/" + name;
  }
  info.owner = "alice";
  return info;
}

SchemaInfo MakeSchema(const std::string& catalog, const std::string& name) {
  SchemaInfo info;
  info.catalog = catalog;
  info.name = name;
  info.owner = "alice";
  return info;
}

FunctionInfo MakeFunction(const std::string& catalog, const std::string& schema,
                          const std::string& name) {
  FunctionInfo info;
  info.catalog = catalog;
  info.schema = schema;
  info.name = name;
  info.parameters = {{"x", "INT", std::string("the input"), std::nullopt},
                     {"y", "DECIMAL(12,2)", std::nullopt, std::string("1.5")}};
  info.return_type = "DECIMAL(13,2)";
  info.body = "x + y";
  info.comment = "adds";
  info.owner = "alice";
  return info;
}

template <typename Info>
std::vector<std::string> NamesOf(const std::vector<Info>& infos) {
  std::vector<std::string> names;
  names.reserve(infos.size());
  for (const auto& i : infos) {
    names.push_back(i.name);
  }
  return names;
}

class MetastoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  static void TearDownTestSuite() { PostgresServer::Get().Stop(); }

  void SetUp() override {
    std::tie(warehouse_, connection_) = FreshTarget();
    // Fatal, so that the test body does not run without a metastore.
    ASSERT_FALSE(HasFailure()) << "no metastore to test";
    ASSERT_OK_AND_ASSIGN(store_, Open());
  }

  void TearDown() override {
    store_.reset();
    for (const auto& dir : dirs_) {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  }

  // Returns an empty warehouse folder and, for PostgreSQL, an empty database's connection.
  std::pair<std::string, std::string> FreshTarget() {
    std::string warehouse = MakeTempDir("basin-metastore-test");
    dirs_.push_back(warehouse);
    std::string connection;
    if (GetParam() == Backend::kPostgres) {
      std::string error;
      if (!PostgresServer::Get().EnsureStarted(&error)) {
        ADD_FAILURE() << "cannot start the test PostgreSQL server: " << error;
        return {};
      }
      connection = PostgresServer::Get().CreateDatabase(&error);
      if (connection.empty()) {
        ADD_FAILURE() << error;
      }
    }
    return {warehouse, connection};
  }

  Result<std::unique_ptr<Metastore>> Open() { return OpenMetastore(warehouse_, connection_); }

  // Runs one SQL statement on the metastore's database behind its back.
  void RawExecute(const std::string& sql) {
    if (GetParam() == Backend::kSqlite) {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open((warehouse_ + "/_metastore/metastore.db").c_str(), &db), SQLITE_OK);
      char* message = nullptr;
      const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
      EXPECT_EQ(rc, SQLITE_OK) << (message != nullptr ? message : "");
      sqlite3_free(message);
      sqlite3_close(db);
    } else {
      PGconn* conn = PQconnectdb(connection_.c_str());
      ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
      PGresult* result = PQexec(conn, ("SET search_path TO basin_metastore; " + sql).c_str());
      EXPECT_EQ(PQresultStatus(result), PGRES_COMMAND_OK) << PQresultErrorMessage(result);
      PQclear(result);
      PQfinish(conn);
    }
  }

  std::string warehouse_;
  std::string connection_;
  std::unique_ptr<Metastore> store_;
  std::vector<std::string> dirs_;
};

TEST(MetastoreTableTypeTest, Names) {
  EXPECT_STREQ(TableTypeName(TableType::kManaged), "MANAGED");
  EXPECT_STREQ(TableTypeName(TableType::kExternal), "EXTERNAL");
  EXPECT_STREQ(TableTypeName(TableType::kView), "VIEW");
}

TEST_P(MetastoreTest, FirstOpenCreatesMainAndDefault) {
  ASSERT_OK_AND_ASSIGN(auto catalogs, store_->ListCatalogs());
  EXPECT_EQ(NamesOf(catalogs), std::vector<std::string>{"main"});
  EXPECT_GT(catalogs[0].created_at_ms, 1600000000000);
  ASSERT_OK_AND_ASSIGN(auto schemas, store_->ListSchemas("main"));
  EXPECT_EQ(NamesOf(schemas), std::vector<std::string>{"default"});
  ASSERT_OK_AND_ASSIGN(auto schema, store_->GetSchema("main", "default"));
  ASSERT_TRUE(schema.has_value());
  EXPECT_EQ(schema->catalog, "main");
  EXPECT_FALSE(schema->location.has_value());
  // A second open of the same metastore adds nothing.
  ASSERT_OK_AND_ASSIGN(auto again, Open());
  ASSERT_OK_AND_ASSIGN(catalogs, again->ListCatalogs());
  EXPECT_EQ(catalogs.size(), 1u);
}

TEST_P(MetastoreTest, CatalogLifecycle) {
  CatalogInfo info;
  info.name = "Sales";
  info.comment = "the sales data";
  info.properties = {{"team", "emea"}, {"quote\"d", "va\\lue"}};
  info.owner = "bob";
  ASSERT_OK(store_->CreateCatalog(info, false));
  ASSERT_OK_AND_ASSIGN(auto got, store_->GetCatalog("SALES"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->name, "sales");
  EXPECT_EQ(got->comment, "the sales data");
  EXPECT_EQ(got->properties, info.properties);
  EXPECT_EQ(got->owner, "bob");
  EXPECT_GT(got->created_at_ms, 0);
  // Its default schema comes with it.
  ASSERT_OK_AND_ASSIGN(auto schemas, store_->ListSchemas("sales"));
  EXPECT_EQ(NamesOf(schemas), std::vector<std::string>{"default"});

  ExpectError(store_->CreateCatalog(info, false), "CATALOG_ALREADY_EXISTS",
              "Cannot create catalog `sales` because it already exists.");
  ASSERT_OK(store_->CreateCatalog(info, true));

  CatalogInfo other;
  other.name = "archive";
  ASSERT_OK(store_->CreateCatalog(other, false));
  ASSERT_OK_AND_ASSIGN(auto catalogs, store_->ListCatalogs());
  EXPECT_EQ(NamesOf(catalogs), (std::vector<std::string>{"archive", "main", "sales"}));

  info.comment.reset();
  info.properties = {{"team", "apac"}};
  ASSERT_OK(store_->AlterCatalog(info));
  ASSERT_OK_AND_ASSIGN(got, store_->GetCatalog("sales"));
  EXPECT_FALSE(got->comment.has_value());
  EXPECT_EQ(got->properties, info.properties);

  // A catalog holding only its empty default schema drops without CASCADE.
  ASSERT_OK(store_->DropCatalog("Archive", false, false));
  ASSERT_OK_AND_ASSIGN(auto gone, store_->GetCatalog("archive"));
  EXPECT_FALSE(gone.has_value());
  ASSERT_OK_AND_ASSIGN(auto no_schema, store_->GetSchema("archive", "default"));
  EXPECT_FALSE(no_schema.has_value());
}

TEST_P(MetastoreTest, CatalogErrors) {
  ExpectError(store_->DropCatalog("nope", false, false), "CATALOG_NOT_FOUND",
              "The catalog `nope` not found.");
  ASSERT_OK(store_->DropCatalog("nope", true, false));
  ExpectError(store_->DropCatalog("MAIN", false, true), "UNSUPPORTED_FEATURE.CATALOG_OPERATION");
  CatalogInfo missing;
  missing.name = "nope";
  ExpectError(store_->AlterCatalog(missing), "CATALOG_NOT_FOUND");
  ExpectError(store_->ListSchemas("nope"), "CATALOG_NOT_FOUND");
  ExpectError(store_->CreateSchema(MakeSchema("nope", "s"), false), "CATALOG_NOT_FOUND");
  ExpectError(store_->CreateTable(MakeTable("nope", "default", "t"), false), "CATALOG_NOT_FOUND");
  ExpectError(store_->ListTables("nope", "default"), "CATALOG_NOT_FOUND");
  ASSERT_OK_AND_ASSIGN(auto got, store_->GetCatalog("nope"));
  EXPECT_FALSE(got.has_value());
}

TEST_P(MetastoreTest, DropCatalogCascade) {
  CatalogInfo info;
  info.name = "c";
  ASSERT_OK(store_->CreateCatalog(info, false));
  ASSERT_OK(store_->CreateSchema(MakeSchema("c", "s"), false));
  ASSERT_OK(store_->CreateTable(MakeTable("c", "s", "t"), false));
  ASSERT_OK(store_->CreateTable(MakeTable("c", "default", "v", TableType::kView), false));
  ASSERT_OK(store_->CreateFunction(MakeFunction("c", "s", "f"), false, false));
  ExpectError(store_->DropCatalog("c", false, false), "SCHEMA_NOT_EMPTY",
              "Cannot drop a catalog `c` because it contains objects.");
  ASSERT_OK(store_->DropCatalog("c", false, true));
  ASSERT_OK_AND_ASSIGN(auto gone, store_->GetCatalog("c"));
  EXPECT_FALSE(gone.has_value());
  // Re-creating the catalog finds nothing left behind.
  ASSERT_OK(store_->CreateCatalog(info, false));
  ASSERT_OK_AND_ASSIGN(auto schemas, store_->ListSchemas("c"));
  EXPECT_EQ(NamesOf(schemas), std::vector<std::string>{"default"});
  ASSERT_OK_AND_ASSIGN(auto tables, store_->ListTables("c", "default"));
  EXPECT_TRUE(tables.empty());
  ASSERT_OK_AND_ASSIGN(auto table, store_->GetTable("c", "s", "t"));
  EXPECT_FALSE(table.has_value());
  ASSERT_OK_AND_ASSIGN(auto function, store_->GetFunction("c", "s", "f"));
  EXPECT_FALSE(function.has_value());
  // An empty non-default schema alone also blocks a plain drop.
  ASSERT_OK(store_->CreateSchema(MakeSchema("c", "empty"), false));
  ExpectError(store_->DropCatalog("c", false, false), "SCHEMA_NOT_EMPTY");
}

TEST_P(MetastoreTest, SchemaLifecycle) {
  SchemaInfo info = MakeSchema("main", "Sales");
  info.comment = "sales";
  info.location = "/data/sales";
  info.properties = {{"k", "v"}};
  ASSERT_OK(store_->CreateSchema(info, false));
  ASSERT_OK_AND_ASSIGN(auto got, store_->GetSchema("MAIN", "sales"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->catalog, "main");
  EXPECT_EQ(got->name, "sales");
  EXPECT_EQ(got->comment, "sales");
  EXPECT_EQ(got->location, "/data/sales");
  EXPECT_EQ(got->properties, info.properties);
  EXPECT_EQ(got->owner, "alice");
  EXPECT_GT(got->created_at_ms, 0);

  ExpectError(store_->CreateSchema(info, false), "SCHEMA_ALREADY_EXISTS",
              "Cannot create schema `main`.`sales` because it already exists.\nChoose a different "
              "name, drop the existing schema, or add the IF NOT EXISTS clause to tolerate "
              "pre-existing schema.");
  ASSERT_OK(store_->CreateSchema(info, true));
  ASSERT_OK(store_->CreateSchema(MakeSchema("main", "archive"), false));
  ASSERT_OK_AND_ASSIGN(auto schemas, store_->ListSchemas("main"));
  EXPECT_EQ(NamesOf(schemas), (std::vector<std::string>{"archive", "default", "sales"}));

  info.comment = "renamed comment";
  info.location.reset();
  info.properties = {};
  ASSERT_OK(store_->AlterSchema(info));
  ASSERT_OK_AND_ASSIGN(got, store_->GetSchema("main", "sales"));
  EXPECT_EQ(got->comment, "renamed comment");
  EXPECT_FALSE(got->location.has_value());
  EXPECT_TRUE(got->properties.empty());

  ASSERT_OK(store_->DropSchema("main", "SALES", false, false));
  ASSERT_OK_AND_ASSIGN(got, store_->GetSchema("main", "sales"));
  EXPECT_FALSE(got.has_value());
}

TEST_P(MetastoreTest, SchemaErrors) {
  auto status = store_->DropSchema("main", "x", false, false);
  ExpectError(status, "SCHEMA_NOT_FOUND",
              "The schema `main`.`x` cannot be found. Verify the spelling and correctness of the "
              "schema and catalog.");
  EXPECT_EQ(status.message().rfind("[SCHEMA_NOT_FOUND] The schema `main`.`x`", 0), 0u);
  ASSERT_OK(store_->DropSchema("main", "x", true, false));
  ExpectError(store_->DropSchema("nope", "x", true, false), "CATALOG_NOT_FOUND");
  ExpectError(store_->DropSchema("main", "default", false, true),
              "UNSUPPORTED_FEATURE.DROP_DATABASE");
  ExpectError(store_->AlterSchema(MakeSchema("main", "x")), "SCHEMA_NOT_FOUND");
  ExpectError(store_->AlterSchema(MakeSchema("nope", "x")), "CATALOG_NOT_FOUND");
  ExpectError(store_->ListTables("main", "x"), "SCHEMA_NOT_FOUND");
  ExpectError(store_->ListFunctions("main", "x"), "SCHEMA_NOT_FOUND");
  ExpectError(store_->CreateTable(MakeTable("main", "x", "t"), false), "SCHEMA_NOT_FOUND",
              "The schema `main`.`x` cannot be found.");
  ASSERT_OK_AND_ASSIGN(auto got, store_->GetSchema("nope", "x"));
  EXPECT_FALSE(got.has_value());
}

TEST_P(MetastoreTest, DropSchemaCascade) {
  ASSERT_OK(store_->CreateSchema(MakeSchema("main", "s"), false));
  ASSERT_OK(store_->CreateTable(MakeTable("main", "s", "t"), false));
  ExpectError(store_->DropSchema("main", "s", false, false), "SCHEMA_NOT_EMPTY",
              "Cannot drop a schema `main`.`s` because it contains objects.\nUse DROP SCHEMA ... "
              "CASCADE to drop the schema and all its objects.");
  ASSERT_OK_AND_ASSIGN(auto dropped, store_->DropTable("main", "s", "t", false));
  ASSERT_OK(store_->CreateFunction(MakeFunction("main", "s", "f"), false, false));
  ExpectError(store_->DropSchema("main", "s", false, false), "SCHEMA_NOT_EMPTY");
  ASSERT_OK(store_->CreateTable(MakeTable("main", "s", "t"), false));
  ASSERT_OK(store_->CreateTable(MakeTable("main", "s", "v", TableType::kView), false));
  // A table of the same name in another schema survives.
  ASSERT_OK(store_->CreateTable(MakeTable("main", "default", "t"), false));
  ASSERT_OK(store_->DropSchema("main", "s", false, true));
  ASSERT_OK_AND_ASSIGN(auto gone, store_->GetTable("main", "s", "t"));
  EXPECT_FALSE(gone.has_value());
  ASSERT_OK_AND_ASSIGN(auto kept, store_->GetTable("main", "default", "t"));
  EXPECT_TRUE(kept.has_value());
  // Re-creating the schema finds it empty.
  ASSERT_OK(store_->CreateSchema(MakeSchema("main", "s"), false));
  ASSERT_OK_AND_ASSIGN(auto tables, store_->ListTables("main", "s"));
  EXPECT_TRUE(tables.empty());
  ASSERT_OK_AND_ASSIGN(auto functions, store_->ListFunctions("main", "s"));
  EXPECT_TRUE(functions.empty());
}

TEST_P(MetastoreTest, TableLifecycle) {
  TableInfo info = MakeTable("main", "default", "Events", TableType::kExternal);
  info.format = "parquet";
  info.location = "file:///data/events";
  info.comment = "raw events";
  info.properties = {{"a", "1"}, {"unicodé", "ü"}};
  ASSERT_OK(store_->CreateTable(info, false));
  ASSERT_OK_AND_ASSIGN(auto got, store_->GetTable("Main", "Default", "EVENTS"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->catalog, "main");
  EXPECT_EQ(got->schema, "default");
  EXPECT_EQ(got->name, "events");
  EXPECT_EQ(got->type, TableType::kExternal);
  EXPECT_EQ(got->format, "parquet");
  EXPECT_EQ(got->location, "file:///data/events");
  EXPECT_EQ(got->comment, "raw events");
  EXPECT_EQ(got->properties, info.properties);
  EXPECT_EQ(got->owner, "alice");
  EXPECT_GT(got->created_at_ms, 0);
  EXPECT_GE(got->updated_at_ms, got->created_at_ms);

  ExpectError(store_->CreateTable(info, false), "TABLE_OR_VIEW_ALREADY_EXISTS",
              "Cannot create table or view `main`.`default`.`events` because it already exists.");
  ASSERT_OK(store_->CreateTable(MakeTable("main", "default", "b"), false));
  ASSERT_OK(store_->CreateTable(MakeTable("main", "default", "a_view", TableType::kView), false));
  ASSERT_OK_AND_ASSIGN(auto tables, store_->ListTables("main", "default"));
  EXPECT_EQ(NamesOf(tables), (std::vector<std::string>{"a_view", "b", "events"}));

  info.comment.reset();
  info.properties = {{"b", "2"}};
  info.location = "file:///data/events2";
  info.format = "delta";
  ASSERT_OK(store_->AlterTable(info));
  ASSERT_OK_AND_ASSIGN(got, store_->GetTable("main", "default", "events"));
  EXPECT_FALSE(got->comment.has_value());
  EXPECT_EQ(got->properties, info.properties);
  EXPECT_EQ(got->location, "file:///data/events2");
  EXPECT_EQ(got->format, "delta");
  EXPECT_EQ(got->type, TableType::kExternal);

  ASSERT_OK_AND_ASSIGN(auto dropped, store_->DropTable("main", "default", "EVENTS", false));
  ASSERT_TRUE(dropped.has_value());
  EXPECT_EQ(dropped->location, "file:///data/events2");
  EXPECT_EQ(dropped->type, TableType::kExternal);
  ASSERT_OK_AND_ASSIGN(got, store_->GetTable("main", "default", "events"));
  EXPECT_FALSE(got.has_value());
}

TEST_P(MetastoreTest, TableErrors) {
  auto dropped = store_->DropTable("main", "default", "t", false);
  ExpectError(dropped, "TABLE_OR_VIEW_NOT_FOUND",
              "The table or view `main`.`default`.`t` cannot be found.");
  ASSERT_OK_AND_ASSIGN(auto none, store_->DropTable("main", "default", "t", true));
  EXPECT_FALSE(none.has_value());
  ASSERT_OK_AND_ASSIGN(none, store_->DropTable("nope", "nope", "t", true));
  EXPECT_FALSE(none.has_value());
  ExpectError(store_->AlterTable(MakeTable("main", "default", "t")), "TABLE_OR_VIEW_NOT_FOUND");
  ExpectError(store_->RenameTable("main", "default", "t", "default", "u"),
              "TABLE_OR_VIEW_NOT_FOUND");
  ASSERT_OK_AND_ASSIGN(auto got, store_->GetTable("main", "nope", "t"));
  EXPECT_FALSE(got.has_value());
}

TEST_P(MetastoreTest, ViewsShareTheTableNamespace) {
  TableInfo view = MakeTable("main", "default", "V", TableType::kView);
  view.properties = {{"view.prop", "x"}};
  view.view_catalog = "MAIN";
  ASSERT_OK(store_->CreateTable(view, false));
  ASSERT_OK_AND_ASSIGN(auto got, store_->GetTable("main", "default", "v"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->type, TableType::kView);
  EXPECT_EQ(got->view_text, "SELECT 1 AS one");
  EXPECT_EQ(got->view_schema_json, view.view_schema_json);
  EXPECT_EQ(got->view_catalog, "main");
  EXPECT_EQ(got->view_schema, "default");
  EXPECT_EQ(got->properties, view.properties);
  EXPECT_TRUE(got->location.empty());
  ExpectError(store_->CreateTable(MakeTable("main", "default", "v"), false),
              "TABLE_OR_VIEW_ALREADY_EXISTS");
  // Replacing changes only an object of the same kind.
  ExpectError(store_->CreateTable(MakeTable("main", "default", "v"), true),
              "EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE", "`main`.`default`.`v` is a view");
  ASSERT_OK(store_->CreateTable(MakeTable("main", "default", "t"), false));
  ExpectError(store_->CreateTable(MakeTable("main", "default", "t", TableType::kView), true),
              "EXPECT_VIEW_NOT_TABLE.NO_ALTERNATIVE",
              "The table `main`.`default`.`t` does not support CREATE OR REPLACE VIEW.");
  // A function may share a table's name.
  ASSERT_OK(store_->CreateFunction(MakeFunction("main", "default", "t"), false, false));
}

TEST_P(MetastoreTest, ReplaceKeepsCreatedAt) {
  TableInfo info = MakeTable("main", "default", "t");
  ASSERT_OK(store_->CreateTable(info, false));
  ASSERT_OK_AND_ASSIGN(auto before, store_->GetTable("main", "default", "t"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  info.location = "/elsewhere";
  info.type = TableType::kExternal;
  info.comment = "new";
  ASSERT_OK(store_->CreateTable(info, true));
  ASSERT_OK_AND_ASSIGN(auto after, store_->GetTable("main", "default", "t"));
  EXPECT_EQ(after->created_at_ms, before->created_at_ms);
  EXPECT_GT(after->updated_at_ms, before->updated_at_ms);
  EXPECT_EQ(after->location, "/elsewhere");
  EXPECT_EQ(after->type, TableType::kExternal);
  EXPECT_EQ(after->comment, "new");
  // OR REPLACE of an absent table creates it.
  ASSERT_OK(store_->CreateTable(MakeTable("main", "default", "fresh"), true));
  // Views too.
  TableInfo view = MakeTable("main", "default", "v", TableType::kView);
  ASSERT_OK(store_->CreateTable(view, false));
  ASSERT_OK_AND_ASSIGN(auto view_before, store_->GetTable("main", "default", "v"));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  view.view_text = "SELECT 2 AS two";
  ASSERT_OK(store_->CreateTable(view, true));
  ASSERT_OK_AND_ASSIGN(auto view_after, store_->GetTable("main", "default", "v"));
  EXPECT_EQ(view_after->view_text, "SELECT 2 AS two");
  EXPECT_EQ(view_after->created_at_ms, view_before->created_at_ms);
}

TEST_P(MetastoreTest, RenameAcrossSchemas) {
  ASSERT_OK(store_->CreateSchema(MakeSchema("main", "other"), false));
  ASSERT_OK(store_->CreateTable(MakeTable("main", "default", "t"), false));
  ASSERT_OK_AND_ASSIGN(auto before, store_->GetTable("main", "default", "t"));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_OK(store_->RenameTable("Main", "DEFAULT", "T", "Other", "U"));
  ASSERT_OK_AND_ASSIGN(auto old_name, store_->GetTable("main", "default", "t"));
  EXPECT_FALSE(old_name.has_value());
  ASSERT_OK_AND_ASSIGN(auto renamed, store_->GetTable("main", "other", "u"));
  ASSERT_TRUE(renamed.has_value());
  EXPECT_EQ(renamed->schema, "other");
  EXPECT_EQ(renamed->name, "u");
  EXPECT_EQ(renamed->location, before->location);
  EXPECT_EQ(renamed->created_at_ms, before->created_at_ms);
  EXPECT_GT(renamed->updated_at_ms, before->updated_at_ms);

  ASSERT_OK(store_->CreateTable(MakeTable("main", "default", "x"), false));
  ExpectError(store_->RenameTable("main", "default", "x", "other", "u"),
              "TABLE_OR_VIEW_ALREADY_EXISTS", "`main`.`other`.`u`");
  ExpectError(store_->RenameTable("main", "default", "x", "missing", "x"), "SCHEMA_NOT_FOUND",
              "`main`.`missing`");
  ExpectError(store_->RenameTable("main", "default", "x", "default", "x"),
              "TABLE_OR_VIEW_ALREADY_EXISTS");
  // Within one schema.
  ASSERT_OK(store_->RenameTable("main", "default", "x", "default", "y"));
  ASSERT_OK_AND_ASSIGN(auto tables, store_->ListTables("main", "default"));
  EXPECT_EQ(NamesOf(tables), std::vector<std::string>{"y"});
}

TEST_P(MetastoreTest, FunctionLifecycle) {
  FunctionInfo info = MakeFunction("main", "default", "Add_Some");
  ASSERT_OK(store_->CreateFunction(info, false, false));
  ASSERT_OK_AND_ASSIGN(auto got, store_->GetFunction("MAIN", "default", "add_some"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->name, "add_some");
  ASSERT_EQ(got->parameters.size(), 2u);
  EXPECT_EQ(got->parameters[0].name, "x");
  EXPECT_EQ(got->parameters[0].type, "INT");
  EXPECT_EQ(got->parameters[0].comment, "the input");
  EXPECT_FALSE(got->parameters[0].default_text.has_value());
  EXPECT_EQ(got->parameters[1].type, "DECIMAL(12,2)");
  EXPECT_FALSE(got->parameters[1].comment.has_value());
  EXPECT_EQ(got->parameters[1].default_text, "1.5");
  EXPECT_EQ(got->return_type, "DECIMAL(13,2)");
  EXPECT_EQ(got->body, "x + y");
  EXPECT_EQ(got->comment, "adds");
  EXPECT_EQ(got->owner, "alice");
  EXPECT_GT(got->created_at_ms, 0);

  ExpectError(store_->CreateFunction(info, false, false), "ROUTINE_ALREADY_EXISTS",
              "Cannot create the function `main`.`default`.`add_some` because a function of that "
              "name already exists.");
  FunctionInfo changed = info;
  changed.body = "x * y";
  changed.parameters.clear();
  ASSERT_OK(store_->CreateFunction(changed, false, true));  // IF NOT EXISTS: unchanged
  ASSERT_OK_AND_ASSIGN(got, store_->GetFunction("main", "default", "add_some"));
  EXPECT_EQ(got->body, "x + y");
  const int64_t created = got->created_at_ms;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_OK(store_->CreateFunction(changed, true, false));  // OR REPLACE
  ASSERT_OK_AND_ASSIGN(got, store_->GetFunction("main", "default", "add_some"));
  EXPECT_EQ(got->body, "x * y");
  EXPECT_TRUE(got->parameters.empty());
  EXPECT_EQ(got->created_at_ms, created);

  ASSERT_OK(store_->CreateFunction(MakeFunction("main", "default", "aaa"), false, false));
  ASSERT_OK_AND_ASSIGN(auto functions, store_->ListFunctions("main", "default"));
  EXPECT_EQ(NamesOf(functions), (std::vector<std::string>{"aaa", "add_some"}));

  ASSERT_OK(store_->DropFunction("main", "default", "ADD_SOME", false));
  ASSERT_OK_AND_ASSIGN(got, store_->GetFunction("main", "default", "add_some"));
  EXPECT_FALSE(got.has_value());
  ExpectError(store_->DropFunction("main", "default", "add_some", false), "ROUTINE_NOT_FOUND",
              "The routine `main`.`default`.`add_some` cannot be found.");
  ASSERT_OK(store_->DropFunction("main", "default", "add_some", true));
  ExpectError(store_->CreateFunction(MakeFunction("main", "nope", "f"), false, false),
              "SCHEMA_NOT_FOUND");
  ExpectError(store_->CreateFunction(MakeFunction("nope", "nope", "f"), false, false),
              "CATALOG_NOT_FOUND");
}

TEST_P(MetastoreTest, NamesAreCaseInsensitive) {
  CatalogInfo catalog;
  catalog.name = "MyCat";
  ASSERT_OK(store_->CreateCatalog(catalog, false));
  catalog.name = "MYCAT";
  ExpectError(store_->CreateCatalog(catalog, false), "CATALOG_ALREADY_EXISTS");
  ASSERT_OK(store_->CreateSchema(MakeSchema("mycat", "MySchema"), false));
  ExpectError(store_->CreateSchema(MakeSchema("MYCAT", "myschema"), false), "SCHEMA_ALREADY_EXISTS",
              "`mycat`.`myschema`");
  ASSERT_OK(store_->CreateTable(MakeTable("MyCat", "MySchema", "MyTable"), false));
  ExpectError(store_->CreateTable(MakeTable("mycat", "myschema", "MYTABLE"), false),
              "TABLE_OR_VIEW_ALREADY_EXISTS", "`mycat`.`myschema`.`mytable`");
  ASSERT_OK_AND_ASSIGN(auto got, store_->GetTable("MYCAT", "myschema", "mytable"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->catalog, "mycat");
  EXPECT_EQ(got->schema, "myschema");
  EXPECT_EQ(got->name, "mytable");
  ASSERT_OK_AND_ASSIGN(auto tables, store_->ListTables("MYCAT", "MYSCHEMA"));
  EXPECT_EQ(NamesOf(tables), std::vector<std::string>{"mytable"});
  // Quotes and placeholders in names are data, never SQL.
  for (const std::string name : {"o'neil", "what?", "x\"y", "semi;colon"}) {
    ASSERT_OK(store_->CreateTable(MakeTable("main", "default", name), false));
    ASSERT_OK_AND_ASSIGN(auto odd, store_->GetTable("main", "default", name));
    ASSERT_TRUE(odd.has_value()) << name;
    EXPECT_EQ(odd->name, name);
  }
  // Backticks in names are quoted in messages as Spark quotes them.
  ASSERT_OK(store_->CreateTable(MakeTable("main", "default", "a`b"), false));
  ExpectError(store_->CreateTable(MakeTable("main", "default", "A`B"), false),
              "TABLE_OR_VIEW_ALREADY_EXISTS", "`main`.`default`.`a``b`");
}

TEST_P(MetastoreTest, ReopenPersists) {
  CatalogInfo catalog;
  catalog.name = "c";
  catalog.properties = {{"p", "q"}};
  ASSERT_OK(store_->CreateCatalog(catalog, false));
  ASSERT_OK(store_->CreateSchema(MakeSchema("c", "s"), false));
  ASSERT_OK(store_->CreateTable(MakeTable("c", "s", "t"), false));
  ASSERT_OK(store_->CreateFunction(MakeFunction("c", "s", "f"), false, false));
  ASSERT_OK_AND_ASSIGN(auto table_before, store_->GetTable("c", "s", "t"));
  store_.reset();

  ASSERT_OK_AND_ASSIGN(store_, Open());
  ASSERT_OK_AND_ASSIGN(auto got_catalog, store_->GetCatalog("c"));
  ASSERT_TRUE(got_catalog.has_value());
  EXPECT_EQ(got_catalog->properties, catalog.properties);
  ASSERT_OK_AND_ASSIGN(auto table, store_->GetTable("c", "s", "t"));
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ(table->created_at_ms, table_before->created_at_ms);
  EXPECT_EQ(table->location, table_before->location);
  ASSERT_OK_AND_ASSIGN(auto function, store_->GetFunction("c", "s", "f"));
  EXPECT_TRUE(function.has_value());
  ASSERT_OK_AND_ASSIGN(auto catalogs, store_->ListCatalogs());
  EXPECT_EQ(NamesOf(catalogs), (std::vector<std::string>{"c", "main"}));
}

TEST_P(MetastoreTest, RefusesNewerFormatVersion) {
  store_.reset();
  const std::string newer = std::to_string(kMetastoreFormatVersion + 1);
  RawExecute("UPDATE schema_version SET version = " + newer);
  auto reopened = Open();
  ASSERT_FALSE(reopened.ok());
  EXPECT_NE(reopened.status().message().find("format version " + newer), std::string::npos)
      << reopened.status().ToString();
  EXPECT_NE(reopened.status().message().find("Upgrade Basin"), std::string::npos);
  RawExecute("UPDATE schema_version SET version = " + std::to_string(kMetastoreFormatVersion));
  ASSERT_OK_AND_ASSIGN(store_, Open());
}

TEST_P(MetastoreTest, ClassFunctionKeepsItsClassAndResources) {
  // CREATE FUNCTION f AS 'com.example.Upper' USING JAR '/x.jar', FILE '/y': no parameters, no
  // body; the class name and resources are what there is.
  FunctionInfo info;
  info.catalog = "main";
  info.schema = "default";
  info.name = "Up";
  info.class_name = "com.example.Upper";
  info.resources = {{"jar", "/libs/x.jar"}, {"file", "/data/y"}};
  ASSERT_OK(store_->CreateFunction(info, false, false));
  ASSERT_OK_AND_ASSIGN(auto got, store_->GetFunction("main", "default", "up"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->class_name, "com.example.Upper");
  ASSERT_EQ(got->resources.size(), 2u);
  EXPECT_EQ(got->resources[0].type, "jar");
  EXPECT_EQ(got->resources[0].uri, "/libs/x.jar");
  EXPECT_EQ(got->resources[1].type, "file");
  EXPECT_EQ(got->resources[1].uri, "/data/y");
  EXPECT_TRUE(got->parameters.empty());
  EXPECT_TRUE(got->body.empty());
  // SQL functions have no class.
  ASSERT_OK(store_->CreateFunction(MakeFunction("main", "default", "sql_f"), false, false));
  ASSERT_OK_AND_ASSIGN(auto functions, store_->ListFunctions("main", "default"));
  ASSERT_EQ(NamesOf(functions), (std::vector<std::string>{"sql_f", "up"}));
  EXPECT_EQ(functions[0].class_name, "");
  EXPECT_TRUE(functions[0].resources.empty());
  EXPECT_EQ(functions[1].class_name, "com.example.Upper");
  // OR REPLACE swaps the class.
  info.class_name = "com.example.Lower";
  info.resources.clear();
  ASSERT_OK(store_->CreateFunction(info, true, false));
  ASSERT_OK_AND_ASSIGN(got, store_->GetFunction("main", "default", "up"));
  EXPECT_EQ(got->class_name, "com.example.Lower");
  EXPECT_TRUE(got->resources.empty());
}

TEST_P(MetastoreTest, UpgradesFormatVersion1) {
  // A metastore of format version 1: its functions table has no class_name or resources.
  ASSERT_OK(store_->CreateSchema(MakeSchema("main", "s"), false));
  store_.reset();
  RawExecute("DROP TABLE functions");
  RawExecute(
      "CREATE TABLE functions (catalog_name TEXT NOT NULL, schema_name TEXT NOT NULL, name TEXT "
      "NOT NULL, parameters TEXT NOT NULL, return_type TEXT NOT NULL, body TEXT NOT NULL, "
      "comment TEXT, owner TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT "
      "NULL, PRIMARY KEY (catalog_name, schema_name, name))");
  RawExecute(
      "INSERT INTO functions VALUES ('main', 's', 'old_f', '[{\"name\":\"x\",\"type\":"
      "\"INT\"}]', 'INT', 'x + 1', NULL, 'alice', 1, 1)");
  RawExecute("UPDATE schema_version SET version = 1");
  ASSERT_OK_AND_ASSIGN(store_, Open());
  ASSERT_OK_AND_ASSIGN(auto old_f, store_->GetFunction("main", "s", "old_f"));
  ASSERT_TRUE(old_f.has_value());
  EXPECT_EQ(old_f->body, "x + 1");
  EXPECT_EQ(old_f->class_name, "");
  EXPECT_TRUE(old_f->resources.empty());
  FunctionInfo info;
  info.catalog = "main";
  info.schema = "s";
  info.name = "new_f";
  info.class_name = "com.example.F";
  ASSERT_OK(store_->CreateFunction(info, false, false));
  ASSERT_OK_AND_ASSIGN(auto new_f, store_->GetFunction("main", "s", "new_f"));
  EXPECT_EQ(new_f->class_name, "com.example.F");
  // A second open changes nothing.
  store_.reset();
  ASSERT_OK_AND_ASSIGN(store_, Open());
  ASSERT_OK_AND_ASSIGN(auto functions, store_->ListFunctions("main", "s"));
  EXPECT_EQ(NamesOf(functions), (std::vector<std::string>{"new_f", "old_f"}));
  // The upgrade moved the version on: the current one is the only row.
  store_.reset();
  const std::string current = std::to_string(kMetastoreFormatVersion);
  RawExecute("UPDATE schema_version SET version = 99 WHERE version = " + current);
  auto refused = Open();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("format version 99"), std::string::npos);
  RawExecute("UPDATE schema_version SET version = " + current);
  ASSERT_OK_AND_ASSIGN(store_, Open());
}

TEST_P(MetastoreTest, ConcurrentWritersOnSeparateObjectsAllLand) {
  constexpr int kThreads = 8;
  constexpr int kTablesPerThread = 50;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto store = Open();
      if (!store.ok()) {
        errors[t] = store.status().ToString();
        ++failures;
        return;
      }
      for (int i = 0; i < kTablesPerThread; ++i) {
        Status status = (*store)->CreateTable(
            MakeTable("main", "default", "t" + std::to_string(t) + "_" + std::to_string(i)), false);
        if (!status.ok()) {
          errors[t] = status.ToString();
          ++failures;
          return;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (const auto& error : errors) {
    EXPECT_TRUE(error.empty()) << error;
  }
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(auto tables, store_->ListTables("main", "default"));
  EXPECT_EQ(tables.size(), static_cast<size_t>(kThreads * kTablesPerThread));
}

TEST_P(MetastoreTest, ConcurrentCreatesOfOneNameHaveOneWinner) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::vector<Status> results(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto store = Open();
      if (!store.ok()) {
        results[t] = store.status();
        return;
      }
      TableInfo info = MakeTable("main", "default", "same");
      info.comment = "writer " + std::to_string(t);
      results[t] = (*store)->CreateTable(info, false);
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  int winners = 0;
  for (const auto& status : results) {
    if (status.ok()) {
      ++winners;
    } else {
      ExpectError(status, "TABLE_OR_VIEW_ALREADY_EXISTS",
                  "Cannot create table or view `main`.`default`.`same` because it already exists.");
    }
  }
  EXPECT_EQ(winners, 1);
}

TEST_P(MetastoreTest, OneObjectSharedByThreads) {
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::vector<std::string> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string name = "s" + std::to_string(t) + "_" + std::to_string(i);
        Status status = store_->CreateTable(MakeTable("main", "default", name), false);
        if (status.ok()) {
          status = store_->GetTable("main", "default", name).status();
        }
        if (!status.ok()) {
          errors[t] = status.ToString();
          return;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (const auto& error : errors) {
    EXPECT_TRUE(error.empty()) << error;
  }
  ASSERT_OK_AND_ASSIGN(auto tables, store_->ListTables("main", "default"));
  EXPECT_EQ(tables.size(), 100u);
}

TEST_P(MetastoreTest, DropSchemaRacingCreateTableLeavesNoOrphan) {
  auto racer = Open();
  ASSERT_TRUE(racer.ok()) << racer.status().ToString();
  for (int round = 0; round < 10; ++round) {
    const std::string schema = "race" + std::to_string(round);
    ASSERT_OK(store_->CreateSchema(MakeSchema("main", schema), false));
    Status drop;
    Status create;
    std::thread dropper([&] { drop = store_->DropSchema("main", schema, false, false); });
    std::thread creator(
        [&] { create = (*racer)->CreateTable(MakeTable("main", schema, "t"), false); });
    dropper.join();
    creator.join();
    // Exactly one order happened: the table first (the drop fails: not empty) or the drop first
    // (the create fails: no schema).
    EXPECT_NE(drop.ok(), create.ok()) << drop.ToString() << " / " << create.ToString();
    if (!drop.ok()) {
      EXPECT_EQ(ErrorClassOf(drop), "SCHEMA_NOT_EMPTY") << drop.ToString();
    }
    if (!create.ok()) {
      EXPECT_EQ(ErrorClassOf(create), "SCHEMA_NOT_FOUND") << create.ToString();
    }
    ASSERT_OK_AND_ASSIGN(auto table, store_->GetTable("main", schema, "t"));
    ASSERT_OK_AND_ASSIGN(auto schema_info, store_->GetSchema("main", schema));
    EXPECT_EQ(table.has_value(), schema_info.has_value());
  }
}

TEST_P(MetastoreTest, ConcurrentFirstOpens) {
  const auto target = FreshTarget();
  const std::string warehouse = target.first;
  const std::string connection = target.second;
  ASSERT_FALSE(HasFailure());
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::vector<std::string> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto store = OpenMetastore(warehouse, connection);
      if (!store.ok()) {
        errors[t] = store.status().ToString();
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (const auto& error : errors) {
    EXPECT_TRUE(error.empty()) << error;
  }
  ASSERT_OK_AND_ASSIGN(auto store, OpenMetastore(warehouse, connection));
  ASSERT_OK_AND_ASSIGN(auto catalogs, store->ListCatalogs());
  EXPECT_EQ(NamesOf(catalogs), std::vector<std::string>{"main"});
  ASSERT_OK_AND_ASSIGN(auto schemas, store->ListSchemas("main"));
  EXPECT_EQ(NamesOf(schemas), std::vector<std::string>{"default"});
}

INSTANTIATE_TEST_SUITE_P(Backends, MetastoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

// SQLite only: separate processes on one warehouse folder.

class SqliteMetastoreTest : public ::testing::Test {
 protected:
  void SetUp() override { warehouse_ = MakeTempDir("basin-metastore-test"); }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(warehouse_, ignored);
  }
  std::string warehouse_;
};

TEST_F(SqliteMetastoreTest, ProcessesWritingConcurrentlyAllLand) {
  constexpr int kProcesses = 4;
  constexpr int kTablesPerProcess = 25;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The child opens its own metastore (the first open itself races with the others).
      // Exit codes: 0 ok and won "same", 1 ok and lost "same", 2 error.
      auto store = OpenMetastore(warehouse_);
      if (!store.ok()) {
        ::_exit(2);
      }
      for (int i = 0; i < kTablesPerProcess; ++i) {
        auto status = (*store)->CreateTable(
            MakeTable("main", "default", "p" + std::to_string(p) + "_" + std::to_string(i)), false);
        if (!status.ok()) {
          ::_exit(2);
        }
      }
      auto status = (*store)->CreateTable(MakeTable("main", "default", "same"), false);
      if (status.ok()) {
        ::_exit(0);
      }
      ::_exit(ErrorClassOf(status) == "TABLE_OR_VIEW_ALREADY_EXISTS" ? 1 : 2);
    }
    children.push_back(pid);
  }
  int winners = 0;
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_NE(WEXITSTATUS(status), 2) << "a child process failed";
    if (WEXITSTATUS(status) == 0) {
      ++winners;
    }
  }
  EXPECT_EQ(winners, 1);
  ASSERT_OK_AND_ASSIGN(auto store, OpenMetastore(warehouse_));
  ASSERT_OK_AND_ASSIGN(auto tables, store->ListTables("main", "default"));
  EXPECT_EQ(tables.size(), static_cast<size_t>(kProcesses * kTablesPerProcess + 1));
  ASSERT_OK_AND_ASSIGN(auto catalogs, store->ListCatalogs());
  EXPECT_EQ(catalogs.size(), 1u);
}

TEST_F(SqliteMetastoreTest, FileLivesInTheWarehouseInWalMode) {
  ASSERT_OK_AND_ASSIGN(auto store, OpenMetastore(warehouse_ + "/nested/warehouse"));
  const std::string path = warehouse_ + "/nested/warehouse/_metastore/metastore.db";
  ASSERT_TRUE(std::filesystem::exists(path));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(stmt, 0), kMetastoreFormatVersion);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  // A file:// URI names the same folder.
  ASSERT_OK_AND_ASSIGN(auto again, OpenMetastore("file://" + warehouse_ + "/nested/warehouse"));
}

TEST_F(SqliteMetastoreTest, RemoteWarehouseNeedsPostgres) {
  auto store = OpenMetastore("s3://bucket/warehouse");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(ErrorClassOf(store.status()), "INVALID_PARAMETER_VALUE");
  EXPECT_NE(store.status().message().find("PostgreSQL"), std::string::npos);
}

TEST(PostgresMetastoreTest, BadConnectionFails) {
  auto store = OpenMetastore("", "host=/nonexistent-basin-socket-dir port=1 dbname=x user=x");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("cannot connect to the PostgreSQL metastore"),
            std::string::npos)
      << store.status().ToString();
}

}  // namespace
}  // namespace basin::catalog
