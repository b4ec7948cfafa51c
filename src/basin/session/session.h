#pragma once

// A user's session: its configuration, its temporary views and the current catalog and schema,
// and the one function that takes SQL text through parse -> analyze -> optimize -> execute.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/api.h>

#include "basin/base/status.h"
#include "basin/exec/execute.h"
#include "basin/analyzer/analyzer.h"
#include "basin/catalog/metastore.h"
#include "basin/delta/actions.h"
#include "basin/plan/logical_plan.h"

namespace basin::delta {
class Snapshot;
}
namespace basin::udf {
class WorkerPool;
}
namespace basin::sql {
struct Expr;
struct Statement;
struct Query;
}


namespace basin::session {

class StatementWords;

struct SessionOptions {
  /// The warehouse folder: managed tables live in WAREHOUSE/<catalog>/<schema>/<table>.
  std::string warehouse;
  /// A PostgreSQL connection string for the metastore; SQLite inside the warehouse when empty.
  std::string metastore;
  /// What current_user() returns: the Spark Connect client's user id, else the OS user.
  std::string user;
};

/// A table name resolved against the session's current catalog and schema.
struct TableName {
  std::string catalog;
  std::string schema;
  std::string name;
  /// `catalog`.`schema`.`name`, quoted as Spark prints it in messages.
  std::string Quoted() const;
};

/// What one statement produced: rows (queries, SHOW, EXPLAIN, SET) or none.
struct StatementResult {
  std::string statement;  ///< the statement's text
  std::shared_ptr<arrow::Table> table;  ///< null for statements without rows
  bool is_query = false;  ///< true for queries (SELECT, VALUES, TABLE, WITH ...)
};

class Session {
 public:
  explicit Session(SessionOptions options);
  ~Session();

  /// Runs every statement of `text` in order and returns their results; stops at the first
  /// error.
  Result<std::vector<StatementResult>> Execute(std::string_view text);

  /// Runs `text` (one or more statements) and returns the rows of the last one (an empty table
  /// for statements without rows).
  Result<std::shared_ptr<arrow::Table>> Sql(std::string_view text);

  /// Parses and analyzes one query into a logical plan (optimized when `optimize`).
  Result<plan::PlanPtr> Plan(std::string_view query, bool optimize = true);

  /// Runs a logical plan with the session's settings. With `cancel`, that flag (not Cancel())
  /// stops this run: front doors cancel one operation among several.
  Result<std::shared_ptr<arrow::RecordBatchReader>> Run(
      const plan::PlanPtr& plan, std::shared_ptr<std::atomic<bool>> cancel = nullptr);

  /// Runs one parsed statement (queries, DDL, DML, SHOW, ...).
  Result<StatementResult> ExecuteStatement(sql::Statement& statement);

  /// Analyzes a syntax tree built by a front door (Spark Connect) rather than parsed, with
  /// values for its `:name` parameters; optimized when `optimize`.
  Result<plan::PlanPtr> PlanQuery(
      const sql::Query& query,
      const std::map<std::string, std::shared_ptr<arrow::Scalar>>& named_parameters,
      bool optimize);

  /// Makes `plan` visible to later statements as the one-part name `name` until it is removed
  /// (Spark Connect's local relations). The caller serializes use of the session.
  void AddStatementRelation(const std::string& name, plan::PlanPtr plan);
  void RemoveStatementRelation(const std::string& name);

  /// Creates the temporary view `name` whose plan `planner` builds on each use; fails with
  /// TEMP_TABLE_OR_VIEW_ALREADY_EXISTS when it exists and not `replace`.
  Status CreateTempView(const std::string& name, std::function<Result<plan::PlanPtr>()> planner,
                        bool replace);
  /// Drops the temporary view `name`; false when there was none.
  bool DropTempView(const std::string& name);
  /// Names of the temporary views (lower case).
  std::vector<std::string> TempViewNames() const;

  /// Registers the Python function `function` under `name` (spark.udf.register, or the name a
  /// front door gives a DataFrame's udf), replacing one of that name, and returns it bound to
  /// the session's Python workers; later statements of the session call it by that name.
  std::shared_ptr<const plan::PythonUdf> RegisterPythonFunction(const std::string& name,
                                                                plan::PythonUdf function);

  /// Returns every configuration value that is set, with the defaults of known keys.
  std::map<std::string, std::string> AllConfig() const;
  /// Removes a configuration setting (back to its default).
  void UnsetConfig(const std::string& key);

  /// Returns the value of configuration `key`, or its default.
  std::optional<std::string> GetConfig(const std::string& key) const;
  /// Returns the value `key` was set to in this session (not a default), if any.
  std::optional<std::string> GetSetConfig(const std::string& key) const;
  /// Sets configuration `key`; invalid values of known keys are refused.
  Status SetConfig(const std::string& key, const std::string& value);

  /// Cancels the running statement (from any thread): it fails with OPERATION_CANCELED.
  void Cancel();
  /// Called between batches of a running query with its progress.
  void SetProgressCallback(std::function<void(const exec::Progress&)> callback);

  const std::string& warehouse() const { return options_.warehouse; }
  std::string current_catalog() const;
  std::string current_schema() const;

  /// Returns the execution settings the session's configuration implies.
  exec::ExecOptions ExecutionOptions() const;

 private:
  class CatalogView;
  /// A resolved table or view.
  struct Table {
    TableName name;
    std::optional<catalog::TableInfo> info;  ///< null for an unregistered Delta folder
    bool is_view = false;
    std::string location;  ///< tables: the root folder
    std::string format = "delta";
  };

  // Statement families, each in its own file.
  Result<StatementResult> RunCatalogStatement(sql::Statement& statement);
  Result<StatementResult> RunDataStatement(sql::Statement& statement);
  Result<StatementResult> CreateTableStatement(sql::Statement& statement, StatementResult result);
  Result<StatementResult> CreateViewStatement(sql::CreateView& view, StatementResult result);
  Result<StatementResult> AlterView(sql::Statement& statement, StatementResult result);
  Result<StatementResult> DescribeFunction(StatementWords& w, StatementResult result);
  /// CREATE [OR REPLACE] [TEMPORARY] FUNCTION name AS 'class' [USING JAR|FILE|ARCHIVE 'uri',
  /// ...], `w` after AS: a persistent one is recorded with its class (a call fails with
  /// CANNOT_LOAD_FUNCTION_CLASS); a temporary one fails at once, as Spark loads its class then.
  Result<StatementResult> CreateClassFunction(StatementWords& w,
                                              const std::vector<std::string>& name, bool replace,
                                              bool temporary, bool if_not_exists,
                                              StatementResult result);
  Result<StatementResult> DropStatement(sql::Statement& statement, StatementResult result);
  Result<StatementResult> ShowStatement(sql::Statement& statement, StatementResult result);
  Result<StatementResult> DescribeStatement(sql::Statement& statement, StatementResult result);
  Result<StatementResult> AlterStatement(sql::Statement& statement, StatementResult result);
  Result<StatementResult> InsertStatement(sql::Statement& statement, StatementResult result);
  Result<StatementResult> DeleteStatement(sql::Statement& statement, StatementResult result);
  Result<StatementResult> UpdateStatement(sql::Statement& statement, StatementResult result);
  Result<StatementResult> MergeStatement(sql::Statement& statement, StatementResult result);
  /// Table properties as SHOW TBLPROPERTIES lists them (Delta configuration and protocol).
  Result<std::map<std::string, std::string>> TableProperties(const std::vector<std::string>& name);
  /// The analyzed plan of `TABLE name`.
  Result<plan::PlanPtr> PlanTableName(const std::vector<std::string>& name);
  Result<std::string> ShowCreateTable(const std::vector<std::string>& name);
  /// Casts `data` to `target` column by column with Spark's ANSI store-assignment rules; names
  /// come from `target`. Refuses unsafe conversions with INCOMPATIBLE_DATA_FOR_TABLE.
  Result<std::shared_ptr<arrow::Table>> StoreAssign(const std::shared_ptr<arrow::Table>& data,
                                                    const std::shared_ptr<arrow::Schema>& target,
                                                    const std::string& table_name);
  /// Fails with DELTA_VIOLATE_CONSTRAINT_WITH_VALUES when a row of `rows` breaks one of the
  /// table's CHECK constraints (delta.constraints.*).
  Status EnforceConstraints(const delta::Metadata& metadata,
                            const std::shared_ptr<arrow::Table>& rows);
  /// MERGE: the target files whose statistics say they may hold a key of the source (for an
  /// ON condition with `target.k = source.k` on an integer column); nullopt when every file may.
  Result<std::optional<std::vector<std::string>>> MergeTouchedFiles(
      const std::string& statement_text, const sql::Expr& condition,
      const std::string& target_alias, const std::string& source_alias,
      const delta::Snapshot& snapshot);
  /// Fills or checks generated columns (delta.generationExpression) of `rows` (the table's
  /// columns in order): computed where `provided[i]` is false, else compared (a mismatch is a
  /// DELTA_VIOLATE_CONSTRAINT_WITH_VALUES, as in Delta).
  Result<std::shared_ptr<arrow::Table>> ApplyGeneratedColumns(
      const arrow::Schema& table_schema, std::shared_ptr<arrow::Table> rows,
      const std::vector<bool>& provided);
  /// Fills identity columns (delta.identity.*) of `rows` that were not `provided` (with
  /// `only_nulls`, only their null values) from the column's high-water mark; returns the table
  /// schema with the new high-water marks, or null when no value was generated. Explicit values
  /// for GENERATED ALWAYS columns fail with DELTA_IDENTITY_COLUMNS_EXPLICIT_INSERT_NOT_SUPPORTED.
  Result<std::shared_ptr<arrow::Schema>> FillIdentityColumns(
      const arrow::Schema& table_schema, std::shared_ptr<arrow::Table>* rows,
      const std::vector<bool>& provided, bool only_nulls);
  /// Drops cached table data (CACHE TABLE) after a change.
  void InvalidateCache();
  /// DESCRIBE HISTORY / DETAIL, RESTORE, VACUUM, OPTIMIZE, CONVERT TO DELTA, CLONE; nullopt
  /// when `statement` is none of them.
  Result<std::optional<StatementResult>> RunDeltaStatement(sql::Statement& statement);
  /// ALTER, CREATE CATALOG / FUNCTION, COMMENT ON, CACHE / UNCACHE / CLEAR CACHE, REFRESH.
  Result<StatementResult> RunOtherStatement(sql::Statement& statement);
  /// SHOW PARTITIONS, ALTER TABLE ... ADD / DROP PARTITION, ALTER TABLE ... RECOVER PARTITIONS,
  /// MSCK REPAIR TABLE and TRUNCATE TABLE of a file table (`command`, as Spark names it in
  /// errors) on table `name`; `w` is after the table name.
  Result<StatementResult> PartitionStatement(const std::string& command,
                                             const std::vector<std::string>& name,
                                             StatementWords& w, StatementResult result);
  /// Casts a PARTITION (...) value to the column's type and back to its folder text.
  Result<std::optional<std::string>> PartitionSpecValue(const std::optional<std::string>& value,
                                                        const arrow::DataType& type);
  /// Returns the cached rows of a table when CACHE TABLE holds its current version.
  Result<std::optional<plan::PlanPtr>> CachedRelation(const TableName& name,
                                                      const std::string& location);
  /// Returns the rows CACHE TABLE holds for a table of data files (no log says when its files
  /// change), reading them with `scan` first when REFRESH TABLE or a write let them go; returns
  /// `scan` itself when the table is not cached.
  Result<plan::PlanPtr> CachedFileRelation(const TableName& name, const std::string& location,
                                           plan::PlanPtr scan);
  /// Lets go of the cached rows of the data-file table at `location` (they are read again on
  /// next use, as Spark re-caches a table after writing it).
  void ForgetCachedFiles(const std::string& location);
  /// A plan over information_schema.`name` (catalogs, schemata, tables, columns, views).
  Result<std::optional<plan::PlanPtr>> InformationSchema(const TableName& name);
  /// Namespaces of views being analyzed (unqualified names inside a view resolve there).
  std::vector<std::pair<std::string, std::string>> namespace_stack_;

  /// Opens the metastore on first use.
  Result<catalog::Metastore*> Metastore();
  /// Qualifies a one- to three-part name with the current catalog and schema.
  Result<TableName> Qualify(const std::vector<std::string>& name) const;
  /// Looks a table or view up in the metastore (or a Delta folder at the managed path).
  Result<std::optional<Table>> FindTable(const TableName& name);
  /// Like FindTable, but fails with TABLE_OR_VIEW_NOT_FOUND (or EXPECT_TABLE_NOT_VIEW for a
  /// view when `table_only`).
  Result<Table> GetTable(const std::vector<std::string>& name, bool table_only);
  /// The folder a managed table of `name` lives in.
  std::string ManagedLocation(const TableName& name) const;
  /// Analyzes (and optimizes) a query syntax tree with the session's settings.
  Result<plan::PlanPtr> AnalyzeQueryAst(const sql::Query& query, bool optimize);
  /// Runs a query syntax tree to a table.
  Result<std::shared_ptr<arrow::Table>> RunQueryAst(const sql::Query& query);
  analyzer::AnalyzerOptions AnalyzerSettings();

  /// Relations that only the running statement can see (DML targets with row ids).
  std::map<std::string, plan::PlanPtr> statement_relations_;
  std::unique_ptr<catalog::Metastore> metastore_;
  std::mutex metastore_mutex_;
  struct CachedTable {
    std::string location;  ///< Delta root, to check the version ("" for views)
    int64_t version = -1;
    bool files = false;  ///< a table of data files: kept until REFRESH TABLE or a write
    std::shared_ptr<arrow::Table> data;  ///< null for a data-file table to read again
  };
  std::map<std::string, CachedTable> cache_;  ///< qualified lower-case name -> data

  SessionOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> config_;
  /// A temporary view: SQL text (CREATE TEMP VIEW), or a planner called on each use (a
  /// DataFrame's createTempView, which re-plans so that it sees the tables' latest versions).
  struct TempView {
    std::string text;
    std::function<Result<plan::PlanPtr>()> planner;
  };
  std::map<std::string, TempView> temp_views_;  ///< lower-case name -> view
  /// CREATE TEMPORARY FUNCTION: lower-case name -> definition.
  std::map<std::string, analyzer::Catalog::SqlFunction> temp_functions_;
  /// Python functions: lower-case name -> function; and the workers that run them.
  std::map<std::string, std::shared_ptr<const plan::PythonUdf>> python_functions_;
  std::shared_ptr<udf::WorkerPool> python_workers_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  std::function<void(const exec::Progress&)> progress_;
  std::unique_ptr<CatalogView> catalog_;
};

/// Parses a memory size such as "4g", "512m", "1024k" or "1073741824" into bytes.
Result<int64_t> ParseMemorySize(const std::string& text);

}  // namespace basin::session
