#pragma once

// The metastore: catalogs, schemas, tables, views and SQL functions, with their comments and
// properties (Unity Catalog's three-level namespace catalog.schema.object). A Delta table's schema,
// partitioning and delta.* properties live in its own log; the metastore records where the table
// is and what kind of object it is. The embedded default keeps everything in SQLite inside the
// warehouse folder; a PostgreSQL connection string selects the same schema on a PostgreSQL server.
//
// Names are case-insensitive: they are stored and compared in lower case. Every mutation is one
// database transaction, so concurrent sessions and processes on one warehouse never see or leave
// a half-made change.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "basin/base/status.h"

namespace basin::catalog {

enum class TableType { kManaged, kExternal, kView };

/// Returns "MANAGED", "EXTERNAL" or "VIEW".
const char* TableTypeName(TableType type);

struct CatalogInfo {
  std::string name;
  std::optional<std::string> comment;
  std::map<std::string, std::string> properties;
  std::string owner;
  int64_t created_at_ms = 0;  ///< set by the metastore on create
};

struct SchemaInfo {
  std::string catalog;
  std::string name;
  std::optional<std::string> comment;
  std::optional<std::string> location;  ///< LOCATION given at creation, if any
  std::map<std::string, std::string> properties;
  std::string owner;
  int64_t created_at_ms = 0;
};

struct TableInfo {
  std::string catalog;
  std::string schema;
  std::string name;
  TableType type = TableType::kManaged;
  std::string format = "delta";  ///< the data source of a table ("delta", "parquet", ...)
  std::string location;          ///< the table's root folder (URI or local path); empty for views
  std::optional<std::string> comment;
  /// Catalog-level properties: a view's TBLPROPERTIES; a Delta table's properties are in its log.
  std::map<std::string, std::string> properties;
  std::string view_text;  ///< views: the query as written
  /// Views: the output schema at creation (Spark schema JSON, with column comments in metadata).
  std::string view_schema_json;
  std::string view_catalog;  ///< views: the current catalog when the view was created
  std::string view_schema;   ///< views: the current schema when the view was created
  std::string owner;
  int64_t created_at_ms = 0;  ///< set by the metastore on create
  int64_t updated_at_ms = 0;  ///< set by the metastore on every change
};

struct FunctionParameter {
  std::string name;
  std::string type;  ///< Spark type text, e.g. "INT", "DECIMAL(12,2)"
  std::optional<std::string> comment;
  std::optional<std::string> default_text;  ///< DEFAULT expression as written
};

/// A file a class function names: USING JAR|FILE|ARCHIVE 'uri'.
struct FunctionResource {
  std::string type;  ///< "jar", "file" or "archive"
  std::string uri;
};

/// A SQL function (CREATE FUNCTION name(params) RETURNS type RETURN body), or a function of a
/// JVM class (CREATE FUNCTION name AS 'class' [USING JAR 'uri', ...]; `class_name` set, no
/// parameters or body), which is recorded and listed but cannot run without a JVM.
struct FunctionInfo {
  std::string catalog;
  std::string schema;
  std::string name;
  std::vector<FunctionParameter> parameters;
  std::string return_type;                  ///< Spark type text
  std::string body;                         ///< the RETURN expression (or query) as written
  std::string class_name;                   ///< a class function's class; empty for SQL functions
  std::vector<FunctionResource> resources;  ///< a class function's USING list
  std::optional<std::string> comment;
  std::string owner;
  int64_t created_at_ms = 0;
};

/// The metastore interface. Error classes are Spark's: CATALOG_NOT_FOUND, SCHEMA_NOT_FOUND,
/// SCHEMA_ALREADY_EXISTS, SCHEMA_NOT_EMPTY, TABLE_OR_VIEW_NOT_FOUND,
/// TABLE_OR_VIEW_ALREADY_EXISTS, ROUTINE_NOT_FOUND, ROUTINE_ALREADY_EXISTS (with Spark's message
/// wording, names quoted with backticks, e.g. "The schema `main`.`sales` cannot be found.").
/// Implementations are safe to use from several threads.
class Metastore {
 public:
  virtual ~Metastore() = default;

  // Catalogs. `main` always exists (created on first open); it cannot be dropped.
  virtual Status CreateCatalog(const CatalogInfo& info, bool if_not_exists) = 0;
  virtual Result<std::optional<CatalogInfo>> GetCatalog(const std::string& name) = 0;
  virtual Result<std::vector<CatalogInfo>> ListCatalogs() = 0;
  /// Drops a catalog; with objects in it, fails with SCHEMA_NOT_EMPTY unless `cascade`.
  virtual Status DropCatalog(const std::string& name, bool if_exists, bool cascade) = 0;
  virtual Status AlterCatalog(const CatalogInfo& info) = 0;

  // Schemas. `main.default` always exists; every catalog gets a `default` schema when created.
  virtual Status CreateSchema(const SchemaInfo& info, bool if_not_exists) = 0;
  virtual Result<std::optional<SchemaInfo>> GetSchema(const std::string& catalog,
                                                      const std::string& name) = 0;
  virtual Result<std::vector<SchemaInfo>> ListSchemas(const std::string& catalog) = 0;
  /// Drops a schema; with tables, views or functions in it, fails with SCHEMA_NOT_EMPTY unless
  /// `cascade` (which drops them from the metastore; the caller deletes managed data).
  virtual Status DropSchema(const std::string& catalog, const std::string& name, bool if_exists,
                            bool cascade) = 0;
  /// Replaces comment, location and properties of an existing schema.
  virtual Status AlterSchema(const SchemaInfo& info) = 0;

  // Tables and views (one namespace: a view and a table cannot share a name).
  /// Creates the table or view; with `replace`, an existing one of the same kind (table/view) is
  /// replaced in one transaction (created_at is kept). The schema must exist.
  virtual Status CreateTable(const TableInfo& info, bool replace) = 0;
  virtual Result<std::optional<TableInfo>> GetTable(const std::string& catalog,
                                                    const std::string& schema,
                                                    const std::string& name) = 0;
  /// Lists tables and views of a schema, ordered by name.
  virtual Result<std::vector<TableInfo>> ListTables(const std::string& catalog,
                                                    const std::string& schema) = 0;
  /// Drops a table or view; returns what was dropped (nullopt when absent and `if_exists`).
  virtual Result<std::optional<TableInfo>> DropTable(const std::string& catalog,
                                                     const std::string& schema,
                                                     const std::string& name, bool if_exists) = 0;
  /// Replaces the comment, properties, location, format and view fields of an existing entry.
  virtual Status AlterTable(const TableInfo& info) = 0;
  /// Renames a table or view within its catalog (the new schema must exist).
  virtual Status RenameTable(const std::string& catalog, const std::string& schema,
                             const std::string& name, const std::string& new_schema,
                             const std::string& new_name) = 0;

  // SQL functions.
  virtual Status CreateFunction(const FunctionInfo& info, bool replace, bool if_not_exists) = 0;
  virtual Result<std::optional<FunctionInfo>> GetFunction(const std::string& catalog,
                                                          const std::string& schema,
                                                          const std::string& name) = 0;
  virtual Result<std::vector<FunctionInfo>> ListFunctions(const std::string& catalog,
                                                          const std::string& schema) = 0;
  virtual Status DropFunction(const std::string& catalog, const std::string& schema,
                              const std::string& name, bool if_exists) = 0;
};

/// Opens the metastore of `warehouse`: SQLite in WAREHOUSE/_metastore/metastore.db when
/// `connection` is empty, PostgreSQL when it is a libpq connection string or URI
/// ("postgresql://..." or "host=... dbname=..."). Creates the tables and the default catalog and
/// schema on first open; a newer on-disk format version is refused.
Result<std::unique_ptr<Metastore>> OpenMetastore(const std::string& warehouse,
                                                 const std::string& connection = "");

}  // namespace basin::catalog
