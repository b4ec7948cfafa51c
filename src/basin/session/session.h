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
#include "basin/plan/logical_plan.h"

namespace basin::sql {
struct Statement;
}

namespace basin::session {

struct SessionOptions {
  /// The warehouse folder: managed tables live in WAREHOUSE/<catalog>/<schema>/<table>.
  std::string warehouse;
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

  /// Runs a logical plan with the session's settings.
  Result<std::shared_ptr<arrow::RecordBatchReader>> Run(const plan::PlanPtr& plan);

  /// Returns the value of configuration `key`, or its default.
  std::optional<std::string> GetConfig(const std::string& key) const;
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
  Result<StatementResult> ExecuteStatement(const sql::Statement& statement);

  SessionOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> config_;
  std::map<std::string, std::string> temp_views_;  ///< lower-case name -> query text
  std::shared_ptr<std::atomic<bool>> cancel_;
  std::function<void(const exec::Progress&)> progress_;
  std::unique_ptr<CatalogView> catalog_;
};

/// Parses a memory size such as "4g", "512m", "1024k" or "1073741824" into bytes.
Result<int64_t> ParseMemorySize(const std::string& text);

}  // namespace basin::session
