#include "basin/catalog/sql_metastore.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <functional>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

namespace basin::catalog {

namespace {

constexpr char kRetryableDetailType[] = "basin::catalog::RetryableDetail";

/// Marks a status whose transaction may be retried.
class RetryableDetail : public arrow::StatusDetail {
 public:
  const char* type_id() const override { return kRetryableDetailType; }
  std::string ToString() const override { return "retryable metastore conflict"; }
};

// The metastore tables of format version 2 (docs/metastore.md). The types are spelled so that
// SQLite and PostgreSQL read the same text: TEXT and BIGINT (an INTEGER affinity in SQLite).
constexpr char kCreateTables[] = R"sql(
CREATE TABLE IF NOT EXISTS catalogs (
  name TEXT NOT NULL PRIMARY KEY,
  comment TEXT,
  properties TEXT NOT NULL,
  owner TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS schemas (
  catalog_name TEXT NOT NULL,
  name TEXT NOT NULL,
  comment TEXT,
  location TEXT,
  properties TEXT NOT NULL,
  owner TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (catalog_name, name));
CREATE TABLE IF NOT EXISTS tables (
  catalog_name TEXT NOT NULL,
  schema_name TEXT NOT NULL,
  name TEXT NOT NULL,
  table_type TEXT NOT NULL,
  format TEXT NOT NULL,
  location TEXT NOT NULL,
  comment TEXT,
  properties TEXT NOT NULL,
  view_text TEXT NOT NULL,
  view_schema_json TEXT NOT NULL,
  view_catalog TEXT NOT NULL,
  view_schema TEXT NOT NULL,
  owner TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (catalog_name, schema_name, name));
CREATE TABLE IF NOT EXISTS functions (
  catalog_name TEXT NOT NULL,
  schema_name TEXT NOT NULL,
  name TEXT NOT NULL,
  parameters TEXT NOT NULL,
  return_type TEXT NOT NULL,
  body TEXT NOT NULL,
  comment TEXT,
  owner TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  class_name TEXT NOT NULL DEFAULT '',
  resources TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (catalog_name, schema_name, name))
)sql";

// Format version 1 -> 2: class functions (CREATE FUNCTION f AS 'class'). Both databases add a
// column with a constant default to every existing row.
constexpr char kUpgradeTo2[] = R"sql(
ALTER TABLE functions ADD COLUMN class_name TEXT NOT NULL DEFAULT '';
ALTER TABLE functions ADD COLUMN resources TEXT NOT NULL DEFAULT '[]'
)sql";

constexpr char kCatalogColumns[] = "name, comment, properties, owner, created_at";
constexpr char kSchemaColumns[] =
    "catalog_name, name, comment, location, properties, owner, created_at";
constexpr char kTableColumns[] =
    "catalog_name, schema_name, name, table_type, format, location, comment, properties, "
    "view_text, view_schema_json, view_catalog, view_schema, owner, created_at, updated_at";
constexpr char kFunctionColumns[] =
    "catalog_name, schema_name, name, parameters, return_type, body, comment, owner, created_at, "
    "class_name, resources";

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Quotes one name part as Spark's quoteIdentifier does: `a``b`.
std::string Quote(const std::string& part) {
  std::string out = "`";
  for (char c : part) {
    out += c;
    if (c == '`') {
      out += '`';
    }
  }
  return out + "`";
}

std::string Quote(const std::string& a, const std::string& b) { return Quote(a) + "." + Quote(b); }

std::string Quote(const std::string& a, const std::string& b, const std::string& c) {
  return Quote(a) + "." + Quote(b) + "." + Quote(c);
}

// Error messages: Spark's error-conditions.json wording (lines joined by '\n').
Status CatalogNotFound(const std::string& catalog) {
  return UserError("CATALOG_NOT_FOUND",
                   "The catalog " + Quote(catalog) +
                       " not found. Consider to set the SQL config \"spark.sql.catalog." + catalog +
                       "\" to a catalog plugin.");
}

Status CatalogAlreadyExists(const std::string& catalog) {
  return UserError(
      "CATALOG_ALREADY_EXISTS",
      "Cannot create catalog " + Quote(catalog) +
          " because it already exists.\nChoose a different name, drop the existing "
          "catalog, or add the IF NOT EXISTS clause to tolerate pre-existing catalog.");
}

Status CatalogNotEmpty(const std::string& catalog) {
  return UserError("SCHEMA_NOT_EMPTY",
                   "Cannot drop a catalog " + Quote(catalog) +
                       " because it contains objects.\nUse DROP CATALOG ... CASCADE to drop the "
                       "catalog and all its objects.");
}

Status SchemaNotFound(const std::string& catalog, const std::string& schema) {
  return UserError(
      "SCHEMA_NOT_FOUND",
      "The schema " + Quote(catalog, schema) +
          " cannot be found. Verify the spelling and correctness of the schema and catalog.\n"
          "If you did not qualify the name with a catalog, verify the current_schema() output, or "
          "qualify the name with the correct catalog.\n"
          "To tolerate the error on drop use DROP SCHEMA IF EXISTS.");
}

Status SchemaAlreadyExists(const std::string& catalog, const std::string& schema) {
  return UserError("SCHEMA_ALREADY_EXISTS",
                   "Cannot create schema " + Quote(catalog, schema) +
                       " because it already exists.\nChoose a different name, drop the existing "
                       "schema, or add the IF NOT EXISTS clause to tolerate pre-existing schema.");
}

Status SchemaNotEmpty(const std::string& catalog, const std::string& schema) {
  return UserError("SCHEMA_NOT_EMPTY",
                   "Cannot drop a schema " + Quote(catalog, schema) +
                       " because it contains objects.\nUse DROP SCHEMA ... CASCADE to drop the "
                       "schema and all its objects.");
}

Status TableNotFound(const std::string& catalog, const std::string& schema,
                     const std::string& name) {
  return UserError(
      "TABLE_OR_VIEW_NOT_FOUND",
      "The table or view " + Quote(catalog, schema, name) +
          " cannot be found. Verify the spelling and correctness of the schema and catalog.\n"
          "If you did not qualify the name with a schema, verify the current_schema() output, or "
          "qualify the name with the correct schema and catalog.\n"
          "To tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS.");
}

Status TableAlreadyExists(const std::string& catalog, const std::string& schema,
                          const std::string& name) {
  return UserError("TABLE_OR_VIEW_ALREADY_EXISTS",
                   "Cannot create table or view " + Quote(catalog, schema, name) +
                       " because it already exists.\nChoose a different name, drop or replace the "
                       "existing object, or add the IF NOT EXISTS clause to tolerate "
                       "pre-existing objects.");
}

Status RoutineNotFound(const std::string& catalog, const std::string& schema,
                       const std::string& name) {
  return UserError(
      "ROUTINE_NOT_FOUND",
      "The routine " + Quote(catalog, schema, name) +
          " cannot be found. Verify the spelling and correctness of the schema and catalog.\n"
          "If you did not qualify the name with a schema and catalog, verify the current_schema() "
          "output, or qualify the name with the correct schema and catalog.\n"
          "To tolerate the error on drop use DROP ... IF EXISTS.");
}

Status RoutineAlreadyExists(const std::string& catalog, const std::string& schema,
                            const std::string& name) {
  return UserError("ROUTINE_ALREADY_EXISTS",
                   "Cannot create the function " + Quote(catalog, schema, name) +
                       " because a function of that name already exists.\nChoose a different "
                       "name, drop or replace the existing function, or add the IF NOT EXISTS "
                       "clause to tolerate a pre-existing function.");
}

std::string PropertiesToJson(const std::map<std::string, std::string>& properties) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [key, value] : properties) {
    json[key] = value;
  }
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::map<std::string, std::string>> PropertiesFromJson(
    const std::optional<std::string>& text) {
  std::map<std::string, std::string> properties;
  if (!text || text->empty()) {
    return properties;
  }
  try {
    auto json = nlohmann::json::parse(*text);
    for (auto it = json.begin(); it != json.end(); ++it) {
      properties[it.key()] =
          it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    }
  } catch (const nlohmann::json::exception& e) {
    return InternalError("metastore holds malformed properties JSON: " + std::string(e.what()));
  }
  return properties;
}

std::string ParametersToJson(const std::vector<FunctionParameter>& parameters) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& p : parameters) {
    nlohmann::json entry = {{"name", p.name}, {"type", p.type}};
    if (p.comment) {
      entry["comment"] = *p.comment;
    }
    if (p.default_text) {
      entry["default"] = *p.default_text;
    }
    json.push_back(std::move(entry));
  }
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::vector<FunctionParameter>> ParametersFromJson(const std::optional<std::string>& text) {
  std::vector<FunctionParameter> parameters;
  if (!text || text->empty()) {
    return parameters;
  }
  try {
    for (const auto& entry : nlohmann::json::parse(*text)) {
      FunctionParameter p;
      p.name = entry.at("name").get<std::string>();
      p.type = entry.at("type").get<std::string>();
      if (entry.contains("comment")) {
        p.comment = entry["comment"].get<std::string>();
      }
      if (entry.contains("default")) {
        p.default_text = entry["default"].get<std::string>();
      }
      parameters.push_back(std::move(p));
    }
  } catch (const nlohmann::json::exception& e) {
    return InternalError("metastore holds malformed function parameters JSON: " +
                         std::string(e.what()));
  }
  return parameters;
}

std::string ResourcesToJson(const std::vector<FunctionResource>& resources) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& r : resources) json.push_back({{"type", r.type}, {"uri", r.uri}});
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::vector<FunctionResource>> ResourcesFromJson(const std::optional<std::string>& text) {
  std::vector<FunctionResource> resources;
  if (!text || text->empty()) return resources;
  try {
    for (const auto& entry : nlohmann::json::parse(*text)) {
      resources.push_back(
          {entry.at("type").get<std::string>(), entry.at("uri").get<std::string>()});
    }
  } catch (const nlohmann::json::exception& e) {
    return InternalError("metastore holds malformed function resources JSON: " +
                         std::string(e.what()));
  }
  return resources;
}

std::string Text(const std::optional<std::string>& value) { return value.value_or(""); }

int64_t Integer(const std::optional<std::string>& value) {
  int64_t out = 0;
  if (value) {
    std::from_chars(value->data(), value->data() + value->size(), out);
  }
  return out;
}

SqlValue Nullable(const std::optional<std::string>& value) {
  if (value) {
    return *value;
  }
  return std::monostate{};
}

Result<TableType> ParseTableType(const std::optional<std::string>& text) {
  if (text == "MANAGED") {
    return TableType::kManaged;
  }
  if (text == "EXTERNAL") {
    return TableType::kExternal;
  }
  if (text == "VIEW") {
    return TableType::kView;
  }
  return InternalError("metastore holds an unknown table type '" + Text(text) + "'");
}

Result<CatalogInfo> CatalogFromRow(const SqlRow& row) {
  CatalogInfo info;
  info.name = Text(row[0]);
  info.comment = row[1];
  ASSIGN_OR_RAISE(info.properties, PropertiesFromJson(row[2]));
  info.owner = Text(row[3]);
  info.created_at_ms = Integer(row[4]);
  return info;
}

Result<SchemaInfo> SchemaFromRow(const SqlRow& row) {
  SchemaInfo info;
  info.catalog = Text(row[0]);
  info.name = Text(row[1]);
  info.comment = row[2];
  info.location = row[3];
  ASSIGN_OR_RAISE(info.properties, PropertiesFromJson(row[4]));
  info.owner = Text(row[5]);
  info.created_at_ms = Integer(row[6]);
  return info;
}

Result<TableInfo> TableFromRow(const SqlRow& row) {
  TableInfo info;
  info.catalog = Text(row[0]);
  info.schema = Text(row[1]);
  info.name = Text(row[2]);
  ASSIGN_OR_RAISE(info.type, ParseTableType(row[3]));
  info.format = Text(row[4]);
  info.location = Text(row[5]);
  info.comment = row[6];
  ASSIGN_OR_RAISE(info.properties, PropertiesFromJson(row[7]));
  info.view_text = Text(row[8]);
  info.view_schema_json = Text(row[9]);
  info.view_catalog = Text(row[10]);
  info.view_schema = Text(row[11]);
  info.owner = Text(row[12]);
  info.created_at_ms = Integer(row[13]);
  info.updated_at_ms = Integer(row[14]);
  return info;
}

Result<FunctionInfo> FunctionFromRow(const SqlRow& row) {
  FunctionInfo info;
  info.catalog = Text(row[0]);
  info.schema = Text(row[1]);
  info.name = Text(row[2]);
  ASSIGN_OR_RAISE(info.parameters, ParametersFromJson(row[3]));
  info.return_type = Text(row[4]);
  info.body = Text(row[5]);
  info.comment = row[6];
  info.owner = Text(row[7]);
  info.created_at_ms = Integer(row[8]);
  info.class_name = Text(row[9]);
  ASSIGN_OR_RAISE(info.resources, ResourcesFromJson(row[10]));
  return info;
}

// Every kind of info sorted by name, so SQLite and PostgreSQL (whose collations differ) list in
// the same byte order.
template <typename Info>
void SortByName(std::vector<Info>& infos) {
  std::sort(infos.begin(), infos.end(),
            [](const Info& a, const Info& b) { return a.name < b.name; });
}

bool IsView(TableType type) { return type == TableType::kView; }

class SqlMetastore : public Metastore {
 public:
  explicit SqlMetastore(std::unique_ptr<SqlDatabase> db) : db_(std::move(db)) {}

  Status Initialize() {
    return Transact(TransactionKind::kInitialize, [&]() -> Status {
      RETURN_NOT_OK(db_->PrepareInitialize());
      // The version table first, on its own: a newer format may have other tables, and we must
      // not add ours beside them.
      RETURN_NOT_OK(db_->ExecuteScript(
          "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)"));
      ASSIGN_OR_RAISE(auto rows, db_->Query("SELECT version FROM schema_version", {}));
      int64_t version = 0;
      for (const auto& row : rows) {
        version = std::max(version, Integer(row[0]));
      }
      if (version > kMetastoreFormatVersion) {
        return UserError("UNSUPPORTED_FEATURE",
                         "The feature is not supported: the metastore in " + db_->Description() +
                             " has format version " + std::to_string(version) +
                             ", newer than the version " + std::to_string(kMetastoreFormatVersion) +
                             " this Basin reads. Upgrade Basin to use it.");
      }
      RETURN_NOT_OK(db_->ExecuteScript(kCreateTables));
      if (rows.empty()) {
        RETURN_NOT_OK(
            db_->Query("INSERT INTO schema_version (version) VALUES (?)", {kMetastoreFormatVersion})
                .status());
      } else if (version < kMetastoreFormatVersion) {
        // Upgrade steps, one per version, in this transaction (docs/metastore.md).
        if (version < 2) RETURN_NOT_OK(db_->ExecuteScript(kUpgradeTo2));
        RETURN_NOT_OK(db_->Query("UPDATE schema_version SET version = ?", {kMetastoreFormatVersion})
                          .status());
      }
      const int64_t now = NowMs();
      ASSIGN_OR_RAISE(bool has_main, CatalogExists("main"));
      if (!has_main) {
        CatalogInfo main;
        main.name = "main";
        RETURN_NOT_OK(InsertCatalog(main, now));
      }
      ASSIGN_OR_RAISE(bool has_default, SchemaExists("main", "default"));
      if (!has_default) {
        SchemaInfo schema;
        schema.catalog = "main";
        schema.name = "default";
        RETURN_NOT_OK(InsertSchema(schema, now));
      }
      return Status::OK();
    });
  }

  // --- Catalogs --------------------------------------------------------------------------------

  Status CreateCatalog(const CatalogInfo& input, bool if_not_exists) override {
    CatalogInfo info = input;
    info.name = Lower(info.name);
    return Transact(TransactionKind::kWrite, [&]() -> Status {
      ASSIGN_OR_RAISE(bool exists, CatalogExists(info.name));
      if (exists) {
        return if_not_exists ? Status::OK() : CatalogAlreadyExists(info.name);
      }
      const int64_t now = NowMs();
      RETURN_NOT_OK(InsertCatalog(info, now));
      SchemaInfo schema;
      schema.catalog = info.name;
      schema.name = "default";
      schema.owner = info.owner;
      return InsertSchema(schema, now);
    });
  }

  Result<std::optional<CatalogInfo>> GetCatalog(const std::string& name) override {
    std::optional<CatalogInfo> out;
    RETURN_NOT_OK(Transact(TransactionKind::kRead, [&]() -> Status {
      ASSIGN_OR_RAISE(auto rows, db_->Query(std::string("SELECT ") + kCatalogColumns +
                                                " FROM catalogs WHERE name = ?",
                                            {Lower(name)}));
      out.reset();
      if (!rows.empty()) {
        ASSIGN_OR_RAISE(out, CatalogFromRow(rows[0]));
      }
      return Status::OK();
    }));
    return out;
  }

  Result<std::vector<CatalogInfo>> ListCatalogs() override {
    std::vector<CatalogInfo> out;
    RETURN_NOT_OK(Transact(TransactionKind::kRead, [&]() -> Status {
      ASSIGN_OR_RAISE(auto rows,
                      db_->Query(std::string("SELECT ") + kCatalogColumns + " FROM catalogs", {}));
      out.clear();
      for (const auto& row : rows) {
        ASSIGN_OR_RAISE(auto info, CatalogFromRow(row));
        out.push_back(std::move(info));
      }
      return Status::OK();
    }));
    SortByName(out);
    return out;
  }

  Status DropCatalog(const std::string& input_name, bool if_exists, bool cascade) override {
    const std::string name = Lower(input_name);
    if (name == "main") {
      return UserError("UNSUPPORTED_FEATURE.CATALOG_OPERATION",
                       "The feature is not supported: Catalog `main` does not support DROP "
                       "CATALOG.");
    }
    return Transact(TransactionKind::kWrite, [&]() -> Status {
      ASSIGN_OR_RAISE(bool exists, CatalogExists(name));
      if (!exists) {
        return if_exists ? Status::OK() : CatalogNotFound(name);
      }
      if (!cascade) {
        // A fresh catalog holds only its empty `default` schema; that does not count as content.
        ASSIGN_OR_RAISE(auto schemas,
                        db_->Query("SELECT 1 FROM schemas WHERE catalog_name = ? AND name <> ?",
                                   {name, std::string("default")}));
        ASSIGN_OR_RAISE(auto tables,
                        db_->Query("SELECT 1 FROM tables WHERE catalog_name = ?", {name}));
        ASSIGN_OR_RAISE(auto functions,
                        db_->Query("SELECT 1 FROM functions WHERE catalog_name = ?", {name}));
        if (!schemas.empty() || !tables.empty() || !functions.empty()) {
          return CatalogNotEmpty(name);
        }
      }
      for (const char* table : {"functions", "tables", "schemas"}) {
        RETURN_NOT_OK(
            db_->Query(std::string("DELETE FROM ") + table + " WHERE catalog_name = ?", {name})
                .status());
      }
      return db_->Query("DELETE FROM catalogs WHERE name = ?", {name}).status();
    });
  }

  Status AlterCatalog(const CatalogInfo& input) override {
    CatalogInfo info = input;
    info.name = Lower(info.name);
    return Transact(TransactionKind::kWrite, [&]() -> Status {
      ASSIGN_OR_RAISE(bool exists, CatalogExists(info.name));
      if (!exists) {
        return CatalogNotFound(info.name);
      }
      return db_
          ->Query("UPDATE catalogs SET comment = ?, properties = ?, updated_at = ? WHERE name = ?",
                  {Nullable(info.comment), PropertiesToJson(info.properties), NowMs(), info.name})
          .status();
    });
  }

  // --- Schemas ---------------------------------------------------------------------------------

  Status CreateSchema(const SchemaInfo& input, bool if_not_exists) override {
    SchemaInfo info = input;
    info.catalog = Lower(info.catalog);
    info.name = Lower(info.name);
    return Transact(TransactionKind::kWrite, [&]() -> Status {
      ASSIGN_OR_RAISE(bool has_catalog, CatalogExists(info.catalog));
      if (!has_catalog) {
        return CatalogNotFound(info.catalog);
      }
      ASSIGN_OR_RAISE(bool exists, SchemaExists(info.catalog, info.name));
      if (exists) {
        return if_not_exists ? Status::OK() : SchemaAlreadyExists(info.catalog, info.name);
      }
      return InsertSchema(info, NowMs());
    });
  }

  Result<std::optional<SchemaInfo>> GetSchema(const std::string& catalog,
                                              const std::string& name) override {
    std::optional<SchemaInfo> out;
    RETURN_NOT_OK(Transact(TransactionKind::kRead, [&]() -> Status {
      ASSIGN_OR_RAISE(auto rows, db_->Query(std::string("SELECT ") + kSchemaColumns +
                                                " FROM schemas WHERE catalog_name = ? AND name = ?",
                                            {Lower(catalog), Lower(name)}));
      out.reset();
      if (!rows.empty()) {
        ASSIGN_OR_RAISE(out, SchemaFromRow(rows[0]));
      }
      return Status::OK();
    }));
    return out;
  }

  Result<std::vector<SchemaInfo>> ListSchemas(const std::string& input_catalog) override {
    const std::string catalog = Lower(input_catalog);
    std::vector<SchemaInfo> out;
    RETURN_NOT_OK(Transact(TransactionKind::kRead, [&]() -> Status {
      ASSIGN_OR_RAISE(bool has_catalog, CatalogExists(catalog));
      if (!has_catalog) return CatalogNotFound(catalog);
      ASSIGN_OR_RAISE(auto rows, db_->Query(std::string("SELECT ") + kSchemaColumns +
                                                " FROM schemas WHERE catalog_name = ?",
                                            {catalog}));
      out.clear();
      for (const auto& row : rows) {
        ASSIGN_OR_RAISE(auto info, SchemaFromRow(row));
        out.push_back(std::move(info));
      }
      return Status::OK();
    }));
    SortByName(out);
    return out;
  }

  Status DropSchema(const std::string& input_catalog, const std::string& input_name, bool if_exists,
                    bool cascade) override {
    const std::string catalog = Lower(input_catalog);
    const std::string name = Lower(input_name);
    if (catalog == "main" && name == "default") {
      return UserError("UNSUPPORTED_FEATURE.DROP_DATABASE",
                       "The feature is not supported: Drop the default database `main`.`default`.");
    }
    return Transact(TransactionKind::kWrite, [&]() -> Status {
      ASSIGN_OR_RAISE(bool has_catalog, CatalogExists(catalog));
      if (!has_catalog) {
        return CatalogNotFound(catalog);
      }
      ASSIGN_OR_RAISE(bool exists, SchemaExists(catalog, name));
      if (!exists) {
        return if_exists ? Status::OK() : SchemaNotFound(catalog, name);
      }
      const std::vector<SqlValue> key = {catalog, name};
      if (!cascade) {
        ASSIGN_OR_RAISE(
            auto tables,
            db_->Query("SELECT 1 FROM tables WHERE catalog_name = ? AND schema_name = ?", key));
        ASSIGN_OR_RAISE(
            auto functions,
            db_->Query("SELECT 1 FROM functions WHERE catalog_name = ? AND schema_name = ?", key));
        if (!tables.empty() || !functions.empty()) {
          return SchemaNotEmpty(catalog, name);
        }
      }
      RETURN_NOT_OK(
          db_->Query("DELETE FROM functions WHERE catalog_name = ? AND schema_name = ?", key)
              .status());
      RETURN_NOT_OK(db_->Query("DELETE FROM tables WHERE catalog_name = ? AND schema_name = ?", key)
                        .status());
      return db_->Query("DELETE FROM schemas WHERE catalog_name = ? AND name = ?", key).status();
    });
  }

  Status AlterSchema(const SchemaInfo& input) override {
    SchemaInfo info = input;
    info.catalog = Lower(info.catalog);
    info.name = Lower(info.name);
    return Transact(TransactionKind::kWrite, [&]() -> Status {
      RETURN_NOT_OK(RequireSchema(info.catalog, info.name));
      return db_
          ->Query(
              "UPDATE schemas SET comment = ?, location = ?, properties = ?, updated_at = ? "
              "WHERE catalog_name = ? AND name = ?",
              {Nullable(info.comment), Nullable(info.location), PropertiesToJson(info.properties),
               NowMs(), info.catalog, info.name})
          .status();
    });
  }

  // --- Tables and views ------------------------------------------------------------------------

  Status CreateTable(const TableInfo& input, bool replace) override {
    TableInfo info = Normalized(input);
    return Transact(TransactionKind::kWrite, [&]() -> Status {
      RETURN_NOT_OK(RequireSchema(info.catalog, info.schema));
      ASSIGN_OR_RAISE(auto existing, LoadTable(info.catalog, info.schema, info.name));
      const int64_t now = NowMs();
      if (!existing) {
        return InsertTable(info, now, now);
      }
      if (!replace) {
        return TableAlreadyExists(info.catalog, info.schema, info.name);
      }
      const std::string quoted = Quote(info.catalog, info.schema, info.name);
      if (IsView(info.type) && !IsView(existing->type)) {
        return UserError("EXPECT_VIEW_NOT_TABLE.NO_ALTERNATIVE",
                         "The table " + quoted + " does not support CREATE OR REPLACE VIEW.");
      }
      if (!IsView(info.type) && IsView(existing->type)) {
        return UserError("EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE",
                         "'CREATE OR REPLACE TABLE' expects a table but " + quoted + " is a view.");
      }
      RETURN_NOT_OK(DeleteTable(info.catalog, info.schema, info.name));
      return InsertTable(info, existing->created_at_ms, std::max(now, existing->created_at_ms));
    });
  }

  Result<std::optional<TableInfo>> GetTable(const std::string& catalog, const std::string& schema,
                                            const std::string& name) override {
    std::optional<TableInfo> out;
    RETURN_NOT_OK(Transact(TransactionKind::kRead, [&]() -> Status {
      ASSIGN_OR_RAISE(out, LoadTable(Lower(catalog), Lower(schema), Lower(name)));
      return Status::OK();
    }));
    return out;
  }

  Result<std::vector<TableInfo>> ListTables(const std::string& input_catalog,
                                            const std::string& input_schema) override {
    const std::string catalog = Lower(input_catalog);
    const std::string schema = Lower(input_schema);
    std::vector<TableInfo> out;
    RETURN_NOT_OK(Transact(TransactionKind::kRead, [&]() -> Status {
      RETURN_NOT_OK(RequireSchema(catalog, schema));
      ASSIGN_OR_RAISE(auto rows,
                      db_->Query(std::string("SELECT ") + kTableColumns +
                                     " FROM tables WHERE catalog_name = ? AND schema_name = ?",
                                 {catalog, schema}));
      out.clear();
      for (const auto& row : rows) {
        ASSIGN_OR_RAISE(auto info, TableFromRow(row));
        out.push_back(std::move(info));
      }
      return Status::OK();
    }));
    SortByName(out);
    return out;
  }

  Result<std::optional<TableInfo>> DropTable(const std::string& input_catalog,
                                             const std::string& input_schema,
                                             const std::string& input_name,
                                             bool if_exists) override {
    const std::string catalog = Lower(input_catalog);
    const std::string schema = Lower(input_schema);
    const std::string name = Lower(input_name);
    std::optional<TableInfo> out;
    RETURN_NOT_OK(Transact(TransactionKind::kWrite, [&]() -> Status {
      ASSIGN_OR_RAISE(out, LoadTable(catalog, schema, name));
      if (!out) return if_exists ? Status::OK() : TableNotFound(catalog, schema, name);
      return DeleteTable(catalog, schema, name);
    }));
    return out;
  }

  Status AlterTable(const TableInfo& input) override {
    TableInfo info = Normalized(input);
    return Transact(TransactionKind::kWrite, [&]() -> Status {
      ASSIGN_OR_RAISE(auto existing, LoadTable(info.catalog, info.schema, info.name));
      if (!existing) {
        return TableNotFound(info.catalog, info.schema, info.name);
      }
      return db_
          ->Query(
              "UPDATE tables SET format = ?, location = ?, comment = ?, properties = ?, "
              "view_text = ?, view_schema_json = ?, view_catalog = ?, view_schema = ?, "
              "updated_at = ? WHERE catalog_name = ? AND schema_name = ? AND name = ?",
              {info.format, info.location, Nullable(info.comment),
               PropertiesToJson(info.properties), info.view_text, info.view_schema_json,
               info.view_catalog, info.view_schema, std::max(NowMs(), existing->created_at_ms),
               info.catalog, info.schema, info.name})
          .status();
    });
  }

  Status RenameTable(const std::string& input_catalog, const std::string& input_schema,
                     const std::string& input_name, const std::string& input_new_schema,
                     const std::string& input_new_name) override {
    const std::string catalog = Lower(input_catalog);
    const std::string schema = Lower(input_schema);
    const std::string name = Lower(input_name);
    const std::string new_schema = Lower(input_new_schema);
    const std::string new_name = Lower(input_new_name);
    return Transact(TransactionKind::kWrite, [&]() -> Status {
      ASSIGN_OR_RAISE(auto existing, LoadTable(catalog, schema, name));
      if (!existing) {
        return TableNotFound(catalog, schema, name);
      }
      RETURN_NOT_OK(RequireSchema(catalog, new_schema));
      ASSIGN_OR_RAISE(auto target, LoadTable(catalog, new_schema, new_name));
      if (target) {
        return TableAlreadyExists(catalog, new_schema, new_name);
      }
      return db_
          ->Query(
              "UPDATE tables SET schema_name = ?, name = ?, updated_at = ? "
              "WHERE catalog_name = ? AND schema_name = ? AND name = ?",
              {new_schema, new_name, std::max(NowMs(), existing->created_at_ms), catalog, schema,
               name})
          .status();
    });
  }

  // --- Functions -------------------------------------------------------------------------------

  Status CreateFunction(const FunctionInfo& input, bool replace, bool if_not_exists) override {
    FunctionInfo info = input;
    info.catalog = Lower(info.catalog);
    info.schema = Lower(info.schema);
    info.name = Lower(info.name);
    return Transact(TransactionKind::kWrite, [&]() -> Status {
      RETURN_NOT_OK(RequireSchema(info.catalog, info.schema));
      ASSIGN_OR_RAISE(auto existing, LoadFunction(info.catalog, info.schema, info.name));
      int64_t now = NowMs();
      int64_t created_at = now;
      if (existing) {
        if (!replace) {
          return if_not_exists ? Status::OK()
                               : RoutineAlreadyExists(info.catalog, info.schema, info.name);
        }
        created_at = existing->created_at_ms;
        now = std::max(now, created_at);
        RETURN_NOT_OK(
            db_->Query(
                   "DELETE FROM functions WHERE catalog_name = ? AND schema_name = ? AND name = ?",
                   {info.catalog, info.schema, info.name})
                .status());
      }
      return db_
          ->Query(
              "INSERT INTO functions (catalog_name, schema_name, name, parameters, return_type, "
              "body, comment, owner, created_at, updated_at, class_name, resources) VALUES (?, ?, "
              "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {info.catalog, info.schema, info.name, ParametersToJson(info.parameters),
               info.return_type, info.body, Nullable(info.comment), info.owner, created_at, now,
               info.class_name, ResourcesToJson(info.resources)})
          .status();
    });
  }

  Result<std::optional<FunctionInfo>> GetFunction(const std::string& catalog,
                                                  const std::string& schema,
                                                  const std::string& name) override {
    std::optional<FunctionInfo> out;
    RETURN_NOT_OK(Transact(TransactionKind::kRead, [&]() -> Status {
      ASSIGN_OR_RAISE(out, LoadFunction(Lower(catalog), Lower(schema), Lower(name)));
      return Status::OK();
    }));
    return out;
  }

  Result<std::vector<FunctionInfo>> ListFunctions(const std::string& input_catalog,
                                                  const std::string& input_schema) override {
    const std::string catalog = Lower(input_catalog);
    const std::string schema = Lower(input_schema);
    std::vector<FunctionInfo> out;
    RETURN_NOT_OK(Transact(TransactionKind::kRead, [&]() -> Status {
      RETURN_NOT_OK(RequireSchema(catalog, schema));
      ASSIGN_OR_RAISE(auto rows,
                      db_->Query(std::string("SELECT ") + kFunctionColumns +
                                     " FROM functions WHERE catalog_name = ? AND schema_name = ?",
                                 {catalog, schema}));
      out.clear();
      for (const auto& row : rows) {
        ASSIGN_OR_RAISE(auto info, FunctionFromRow(row));
        out.push_back(std::move(info));
      }
      return Status::OK();
    }));
    SortByName(out);
    return out;
  }

  Status DropFunction(const std::string& input_catalog, const std::string& input_schema,
                      const std::string& input_name, bool if_exists) override {
    const std::string catalog = Lower(input_catalog);
    const std::string schema = Lower(input_schema);
    const std::string name = Lower(input_name);
    return Transact(TransactionKind::kWrite, [&]() -> Status {
      ASSIGN_OR_RAISE(auto existing, LoadFunction(catalog, schema, name));
      if (!existing) {
        return if_exists ? Status::OK() : RoutineNotFound(catalog, schema, name);
      }
      return db_
          ->Query("DELETE FROM functions WHERE catalog_name = ? AND schema_name = ? AND name = ?",
                  {catalog, schema, name})
          .status();
    });
  }

 private:
  // Runs `body` in one transaction, retrying it from the start after a retryable conflict.
  Status Transact(TransactionKind kind, const std::function<Status()>& body) {
    std::lock_guard<std::mutex> lock(mutex_);
    Status last;
    const int max_attempts = db_->MaxAttempts();
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
      if (attempt > 0) {
        Backoff(attempt);
      }
      Status status = db_->Begin(kind);
      if (status.ok()) {
        status = body();
      }
      if (status.ok()) {
        status = db_->Commit();
      }
      if (status.ok()) {
        return status;
      }
      db_->Rollback();
      if (!IsRetryable(status)) {
        return status;
      }
      last = status;
    }
    return Status::IOError("metastore transaction on ", db_->Description(),
                           " still conflicted after ", max_attempts, " attempts: ", last.message());
  }

  void Backoff(int attempt) {
    const int cap_ms = std::min(1 << std::min(attempt, 6), 64);
    std::uniform_int_distribution<int> wait(0, cap_ms * 1000);
    std::this_thread::sleep_for(std::chrono::microseconds(wait(random_)));
  }

  static TableInfo Normalized(const TableInfo& input) {
    TableInfo info = input;
    info.catalog = Lower(info.catalog);
    info.schema = Lower(info.schema);
    info.name = Lower(info.name);
    info.view_catalog = Lower(info.view_catalog);
    info.view_schema = Lower(info.view_schema);
    return info;
  }

  Result<bool> CatalogExists(const std::string& name) {
    ASSIGN_OR_RAISE(auto rows, db_->Query("SELECT 1 FROM catalogs WHERE name = ?", {name}));
    return !rows.empty();
  }

  Result<bool> SchemaExists(const std::string& catalog, const std::string& name) {
    ASSIGN_OR_RAISE(
        auto rows,
        db_->Query("SELECT 1 FROM schemas WHERE catalog_name = ? AND name = ?", {catalog, name}));
    return !rows.empty();
  }

  // Fails with CATALOG_NOT_FOUND or SCHEMA_NOT_FOUND unless catalog.schema exists.
  Status RequireSchema(const std::string& catalog, const std::string& schema) {
    ASSIGN_OR_RAISE(bool has_schema, SchemaExists(catalog, schema));
    if (has_schema) {
      return Status::OK();
    }
    ASSIGN_OR_RAISE(bool has_catalog, CatalogExists(catalog));
    return has_catalog ? SchemaNotFound(catalog, schema) : CatalogNotFound(catalog);
  }

  Status InsertCatalog(const CatalogInfo& info, int64_t now) {
    return db_
        ->Query(
            "INSERT INTO catalogs (name, comment, properties, owner, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            {info.name, Nullable(info.comment), PropertiesToJson(info.properties), info.owner, now,
             now})
        .status();
  }

  Status InsertSchema(const SchemaInfo& info, int64_t now) {
    return db_
        ->Query(
            "INSERT INTO schemas (catalog_name, name, comment, location, properties, owner, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {info.catalog, info.name, Nullable(info.comment), Nullable(info.location),
             PropertiesToJson(info.properties), info.owner, now, now})
        .status();
  }

  Status InsertTable(const TableInfo& info, int64_t created_at, int64_t updated_at) {
    return db_
        ->Query(std::string("INSERT INTO tables (") + kTableColumns +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {info.catalog, info.schema, info.name, std::string(TableTypeName(info.type)),
                 info.format, info.location, Nullable(info.comment),
                 PropertiesToJson(info.properties), info.view_text, info.view_schema_json,
                 info.view_catalog, info.view_schema, info.owner, created_at, updated_at})
        .status();
  }

  Status DeleteTable(const std::string& catalog, const std::string& schema,
                     const std::string& name) {
    return db_
        ->Query("DELETE FROM tables WHERE catalog_name = ? AND schema_name = ? AND name = ?",
                {catalog, schema, name})
        .status();
  }

  Result<std::optional<TableInfo>> LoadTable(const std::string& catalog, const std::string& schema,
                                             const std::string& name) {
    ASSIGN_OR_RAISE(auto rows, db_->Query(std::string("SELECT ") + kTableColumns +
                                              " FROM tables WHERE catalog_name = ? AND "
                                              "schema_name = ? AND name = ?",
                                          {catalog, schema, name}));
    if (rows.empty()) {
      return std::optional<TableInfo>();
    }
    ASSIGN_OR_RAISE(auto info, TableFromRow(rows[0]));
    return std::optional<TableInfo>(std::move(info));
  }

  Result<std::optional<FunctionInfo>> LoadFunction(const std::string& catalog,
                                                   const std::string& schema,
                                                   const std::string& name) {
    ASSIGN_OR_RAISE(auto rows, db_->Query(std::string("SELECT ") + kFunctionColumns +
                                              " FROM functions WHERE catalog_name = ? AND "
                                              "schema_name = ? AND name = ?",
                                          {catalog, schema, name}));
    if (rows.empty()) {
      return std::optional<FunctionInfo>();
    }
    ASSIGN_OR_RAISE(auto info, FunctionFromRow(rows[0]));
    return std::optional<FunctionInfo>(std::move(info));
  }

  std::mutex mutex_;  // one transaction at a time on the one connection
  std::unique_ptr<SqlDatabase> db_;
  std::mt19937 random_{std::random_device{}()};
};

}  // namespace

Status RetryableError(const std::string& message) {
  return Status::IOError(message).WithDetail(std::make_shared<RetryableDetail>());
}

bool IsRetryable(const Status& status) {
  return status.detail() != nullptr &&
         std::string_view(status.detail()->type_id()) == kRetryableDetailType;
}

Result<std::unique_ptr<Metastore>> OpenSqlMetastore(std::unique_ptr<SqlDatabase> db) {
  auto metastore = std::make_unique<SqlMetastore>(std::move(db));
  RETURN_NOT_OK(metastore->Initialize());
  return std::unique_ptr<Metastore>(std::move(metastore));
}

}  // namespace basin::catalog
