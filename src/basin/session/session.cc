#include "basin/session/session.h"

#include <pwd.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "basin/analyzer/analyzer.h"
#include "basin/delta/snapshot.h"
#include "basin/exec/physical_plan_text.h"
#include "basin/optimizer/optimizer.h"
#include "basin/session/file_table.h"
#include "basin/session/session_internal.h"
#include "basin/session/statement_words.h"
#include "basin/sql/parser.h"
#include "basin/types/schema_json.h"
#include "basin/udf/worker_pool.h"

namespace basin::session {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string CatalogKey(const std::string& name) {
  std::string key = Lower(name);
  return key == "spark_catalog" ? "main" : key;
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::shared_ptr<arrow::Table> StringTable(const std::vector<std::string>& names,
                                          const std::vector<std::vector<std::string>>& rows) {
  arrow::FieldVector fields;
  std::vector<std::shared_ptr<arrow::Array>> arrays;
  for (size_t c = 0; c < names.size(); ++c) {
    arrow::StringBuilder builder;
    for (const auto& row : rows) (void)builder.Append(row[c]);
    arrays.push_back(builder.Finish().ValueOrDie());
    fields.push_back(arrow::field(names[c], arrow::utf8(), false));
  }
  return arrow::Table::Make(arrow::schema(fields), arrays);
}

Status TableExistsError(const std::string& quoted_name) {
  return UserError("TABLE_OR_VIEW_ALREADY_EXISTS",
                   "Cannot create table or view " + quoted_name +
                       " because it already exists.\nChoose a different name, drop or rename the "
                       "existing object, or add the IF NOT EXISTS clause to tolerate "
                       "pre-existing objects.");
}

Status SchemaNotFoundError(const std::string& catalog, const std::string& schema) {
  return UserError("SCHEMA_NOT_FOUND", "The schema `" + catalog + "`.`" + schema +
                                           "` cannot be found. Verify the spelling and "
                                           "correctness of the schema and catalog.");
}

std::shared_ptr<arrow::Table> LongRow(const std::vector<std::pair<std::string, int64_t>>& values) {
  arrow::FieldVector fields;
  arrow::ArrayVector arrays;
  for (const auto& [name, v] : values) {
    arrow::Int64Builder b;
    (void)b.Append(v);
    arrays.push_back(b.Finish().ValueOrDie());
    fields.push_back(arrow::field(name, arrow::int64()));
  }
  return arrow::Table::Make(arrow::schema(fields), arrays);
}

namespace {

// Defaults of the settings the engine reads (Spark's names where Spark has one).
const std::map<std::string, std::string>& Defaults() {
  static const auto* defaults = new std::map<std::string, std::string>{
      {"spark.sql.session.timeZone", "UTC"},
      {"spark.sql.ansi.enabled", "true"},
      {"spark.driver.memory", "0"},  // 0: no limit
      {"spark.sql.shuffle.partitions", "200"},
      {"spark.sql.caseSensitive", "false"},
      // INSERT OVERWRITE of a partitioned table of files: STATIC replaces every partition,
      // DYNAMIC only those written.
      {"spark.sql.sources.partitionOverwriteMode", "STATIC"},
      {"basin.exec.threads", "2"},
      {"basin.exec.batchSize", "65536"},
      {"basin.exec.spillDir", ""},
      // A subplan that occurs twice (a CTE used twice) runs once (Spark's ReuseExchange).
      {"basin.exec.reuseSubplans", "true"},
  };
  return *defaults;
}


}  // namespace

Result<int64_t> ParseMemorySize(const std::string& text) {
  if (text.empty()) return UserError("INVALID_CONF_VALUE", "A memory size must not be empty.");
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0) {
    return UserError("INVALID_CONF_VALUE",
                     "The value '" + text + "' is not a memory size such as 4g, 512m or 1024k.");
  }
  int64_t value = std::stoll(text.substr(0, i));
  std::string unit = Lower(text.substr(i));
  int64_t scale = 1;
  if (unit.empty() || unit == "b") {
    scale = 1;
  } else if (unit == "k" || unit == "kb") {
    scale = 1LL << 10;
  } else if (unit == "m" || unit == "mb") {
    scale = 1LL << 20;
  } else if (unit == "g" || unit == "gb") {
    scale = 1LL << 30;
  } else if (unit == "t" || unit == "tb") {
    scale = 1LL << 40;
  } else {
    return UserError("INVALID_CONF_VALUE",
                     "The value '" + text + "' is not a memory size such as 4g, 512m or 1024k.");
  }
  return value * scale;
}

// Resolves table and view names for the analyzer: the running statement's own relations,
// temporary views, then the metastore's views and tables (and Delta folders at managed paths).
class Session::CatalogView : public analyzer::Catalog {
 public:
  explicit CatalogView(Session* session) : session_(session) {}

  Result<std::shared_ptr<arrow::Table>> RunPlan(const plan::PlanPtr& plan) override {
    ASSIGN_OR_RAISE(auto optimized, optimizer::Optimize(plan));
    return exec::ExecuteToTable(optimized, session_->ExecutionOptions());
  }

  Result<std::optional<plan::PlanPtr>> LookupRelation(
      const std::vector<std::string>& name, const analyzer::TimeTravelSpec& time_travel) override {
    if (name.size() == 1) {
      auto special = session_->statement_relations_.find(Lower(name[0]));
      if (special != session_->statement_relations_.end()) {
        return std::optional<plan::PlanPtr>(special->second);
      }
      std::optional<TempView> view;
      {
        std::lock_guard<std::mutex> lock(session_->mutex_);
        auto it = session_->temp_views_.find(Lower(name[0]));
        if (it != session_->temp_views_.end()) view = it->second;
      }
      if (view && view->planner) {
        if (depth_ > 32) return UserError("RECURSIVE_VIEW", "Recursive view " + name[0] + " detected.");
        ++depth_;
        auto plan = view->planner();
        --depth_;
        RETURN_NOT_OK(plan.status());
        return std::optional<plan::PlanPtr>(*plan);
      }
      if (view) return PlanView(name[0], view->text, "", "");
    }
    if (name.size() > 3) return std::optional<plan::PlanPtr>();
    ASSIGN_OR_RAISE(auto qualified, session_->Qualify(name));
    if (qualified.schema == "information_schema") {
      ASSIGN_OR_RAISE(auto info, session_->InformationSchema(qualified));
      if (info) return std::optional<plan::PlanPtr>(*info);
    }
    ASSIGN_OR_RAISE(auto table, session_->FindTable(qualified));
    if (!table) return std::optional<plan::PlanPtr>();
    if (table->is_view) {
      return PlanView(name.back(), table->info->view_text, table->info->view_catalog,
                      table->info->view_schema);
    }
    if (table->format != "delta") {
      std::vector<std::pair<std::string, std::string>> options;
      for (const auto& [k, v] : table->info->properties) {
        if (k.rfind("option.", 0) == 0) options.emplace_back(k.substr(7), v);
      }
      if (!table->info->view_schema_json.empty()) {
        // A table of data files with a declared schema: scan with it (no inference).
        ASSIGN_OR_RAISE(auto schema, types::SchemaFromDeltaJson(table->info->view_schema_json));
        auto partition_columns = FileTablePartitionColumns(table->info->properties);
        std::optional<std::vector<plan::ScanSource::Partition>> partitions;
        if (!partition_columns.empty() && FileTablePartitionsInCatalog(table->info->properties)) {
          partitions.emplace();
          for (const auto& listed : FileTablePartitions(table->info->properties)) {
            plan::ScanSource::Partition partition;
            auto values = PartitionFolderValues(listed.folder);
            for (const auto& column : partition_columns) {
              std::optional<std::string> value;
              for (const auto& [name, v] : values) {
                if (Lower(name) == Lower(column)) value = v;
              }
              partition.values.push_back(value);
            }
            partition.folder = listed.folder;
            partition.location = listed.location;
            partitions->push_back(std::move(partition));
          }
        }
        ASSIGN_OR_RAISE(auto plan,
                        analyzer::DeclaredFileScan(table->format, table->location, options, schema,
                                                   partition_columns, std::move(partitions)));
        ASSIGN_OR_RAISE(plan, session_->CachedFileRelation(qualified, table->location, plan));
        return std::optional<plan::PlanPtr>(plan);
      }
      ASSIGN_OR_RAISE(auto plan, analyzer::FileScan(table->format, table->location, options));
      ASSIGN_OR_RAISE(plan, session_->CachedFileRelation(qualified, table->location, plan));
      return std::optional<plan::PlanPtr>(plan);
    }
    if (!time_travel.version && !time_travel.timestamp) {
      ASSIGN_OR_RAISE(auto cached, session_->CachedRelation(qualified, table->location));
      if (cached) return cached;
    }
    ASSIGN_OR_RAISE(auto plan, analyzer::DeltaTableScan(table->location, time_travel));
    return std::optional<plan::PlanPtr>(plan);
  }

  Result<std::optional<SqlFunction>> LookupFunction(const std::vector<std::string>& name) override {
    if (name.size() == 1) {
      std::lock_guard<std::mutex> lock(session_->mutex_);
      auto it = session_->temp_functions_.find(Lower(name[0]));
      if (it != session_->temp_functions_.end()) return std::optional<SqlFunction>(it->second);
    }
    if (name.size() > 3) return std::optional<SqlFunction>();
    ASSIGN_OR_RAISE(auto qualified, session_->Qualify(name));
    ASSIGN_OR_RAISE(auto* store, session_->Metastore());
    ASSIGN_OR_RAISE(auto info, store->GetFunction(qualified.catalog, qualified.schema,
                                                  qualified.name));
    if (!info) return std::optional<SqlFunction>();
    SqlFunction fn;
    for (const auto& p : info->parameters) fn.parameters.emplace_back(p.name, p.type);
    fn.return_type = info->return_type;
    fn.body = info->body;
    fn.class_name = info->class_name;
    fn.qualified_name = {info->catalog, info->schema, info->name};
    return std::optional<SqlFunction>(fn);
  }

  Result<std::shared_ptr<const plan::PythonUdf>> LookupPythonFunction(
      const std::string& name) override {
    std::lock_guard<std::mutex> lock(session_->mutex_);
    auto it = session_->python_functions_.find(Lower(name));
    if (it == session_->python_functions_.end()) return std::shared_ptr<const plan::PythonUdf>();
    return it->second;
  }

  Result<std::optional<std::string>> LookupTableLocation(
      const std::vector<std::string>& name) override {
    ASSIGN_OR_RAISE(auto qualified, session_->Qualify(name));
    ASSIGN_OR_RAISE(auto table, session_->FindTable(qualified));
    if (!table || table->is_view || table->format != "delta") return std::optional<std::string>();
    return std::optional<std::string>(table->location);
  }

 private:
  Result<std::optional<plan::PlanPtr>> PlanView(const std::string& name, const std::string& text,
                                                const std::string& catalog,
                                                const std::string& schema) {
    if (depth_ > 32) {
      return UserError("RECURSIVE_VIEW", "Recursive view " + name + " detected.");
    }
    ++depth_;
    if (!catalog.empty()) session_->namespace_stack_.emplace_back(catalog, schema);
    auto plan = session_->Plan(text, /*optimize=*/false);
    if (!catalog.empty()) session_->namespace_stack_.pop_back();
    --depth_;
    RETURN_NOT_OK(plan.status());
    return std::optional<plan::PlanPtr>(*plan);
  }

  Session* session_;
  int depth_ = 0;
};

Session::Session(SessionOptions options)
    : options_(std::move(options)),
      cancel_(std::make_shared<std::atomic<bool>>(false)),
      catalog_(std::make_unique<CatalogView>(this)) {
  config_["basin.catalog"] = "main";
  config_["basin.schema"] = "default";
  if (options_.user.empty()) {
    // The OS user, as Spark's current_user() outside Spark Connect.
    if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') {
      options_.user = user;
    } else if (const passwd* entry = ::getpwuid(::geteuid()); entry != nullptr) {
      options_.user = entry->pw_name;
    }
  }
}

Session::~Session() = default;

std::optional<std::string> Session::GetConfig(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = config_.find(key);
  if (it != config_.end()) return it->second;
  auto d = Defaults().find(key);
  if (d != Defaults().end()) return d->second;
  return std::nullopt;
}

std::optional<std::string> Session::GetSetConfig(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = config_.find(key);
  if (it != config_.end()) return it->second;
  return std::nullopt;
}

Status Session::SetConfig(const std::string& key, const std::string& value) {
  if (key == "spark.sql.ansi.enabled" || key == "spark.sql.caseSensitive") {
    std::string v = Lower(value);
    if (v != "true" && v != "false") {
      return UserError("INVALID_CONF_VALUE",
                       "The value '" + value + "' in the config \"" + key +
                           "\" is invalid. It must be true or false.");
    }
  } else if (key == "spark.sql.sources.partitionOverwriteMode") {
    std::string v = Lower(value);
    if (v != "static" && v != "dynamic") {
      return UserError("INVALID_CONF_VALUE",
                       "The value '" + value + "' in the config \"" + key +
                           "\" is invalid. It must be one of STATIC, DYNAMIC.");
    }
  } else if (key == "spark.driver.memory" || key == "basin.memory.limit") {
    RETURN_NOT_OK(ParseMemorySize(value).status());
  } else if (key == "basin.exec.threads" || key == "basin.exec.batchSize") {
    char* end = nullptr;
    long v = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || v < 1) {
      return UserError("INVALID_CONF_VALUE", "The value '" + value + "' in the config \"" + key +
                                                 "\" is invalid. It must be a positive integer.");
    }
  } else if (key == "spark.sql.session.timeZone") {
    function::EvalContext probe;
    probe.session_time_zone = value;
    auto check = function::Cast(arrow::Datum(std::make_shared<arrow::StringScalar>("2000-01-01")),
                                arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), true, probe);
    if (!check.ok() || !check->scalar()->is_valid) {
      return UserError("INVALID_CONF_VALUE",
                       "The value '" + value + "' in the config \"" + key +
                           "\" is invalid. Cannot resolve the given timezone.");
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  config_[key == "basin.memory.limit" ? "spark.driver.memory" : key] = value;
  return Status::OK();
}

std::map<std::string, std::string> Session::AllConfig() const {
  std::map<std::string, std::string> all = Defaults();
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [k, v] : config_) all[k] = v;
  return all;
}

void Session::UnsetConfig(const std::string& key) {
  if (key == "basin.catalog" || key == "basin.schema") return;
  std::lock_guard<std::mutex> lock(mutex_);
  config_.erase(key);
}

Result<plan::PlanPtr> Session::PlanQuery(
    const sql::Query& query,
    const std::map<std::string, std::shared_ptr<arrow::Scalar>>& named_parameters,
    bool optimize) {
  auto options = AnalyzerSettings();
  options.named_parameters = named_parameters;
  ASSIGN_OR_RAISE(auto plan, analyzer::AnalyzeQuery(query, options));
  if (optimize) {
    ASSIGN_OR_RAISE(plan, optimizer::Optimize(plan));
  }
  return plan;
}

void Session::AddStatementRelation(const std::string& name, plan::PlanPtr plan) {
  statement_relations_[Lower(name)] = std::move(plan);
}

void Session::RemoveStatementRelation(const std::string& name) {
  statement_relations_.erase(Lower(name));
}

Status Session::CreateTempView(const std::string& name,
                               std::function<Result<plan::PlanPtr>()> planner, bool replace) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string key = Lower(name);
  if (temp_views_.count(key) && !replace) {
    return UserError("TEMP_TABLE_OR_VIEW_ALREADY_EXISTS",
                     "Cannot create the temporary view `" + name +
                         "` because it already exists.\nChoose a different name, drop or "
                         "replace the existing view, or add the IF NOT EXISTS clause to "
                         "tolerate pre-existing views.");
  }
  temp_views_[key] = TempView{"", std::move(planner)};
  return Status::OK();
}

bool Session::DropTempView(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  return temp_views_.erase(Lower(name)) > 0;
}

std::shared_ptr<const plan::PythonUdf> Session::RegisterPythonFunction(const std::string& name,
                                                                       plan::PythonUdf function) {
  const int threads = ExecutionOptions().threads;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!python_workers_) {
    // One idle worker per query thread at most; more start while batches overlap.
    python_workers_ = std::make_shared<udf::WorkerPool>(udf::WorkerOptionsFromEnvironment(),
                                                        std::max(threads, 1));
  }
  function.kernel = udf::MakePythonUdfKernel(
      python_workers_,
      udf::PythonFunction{function.name, function.eval_type, function.command,
                          function.return_type});
  auto bound = std::make_shared<const plan::PythonUdf>(std::move(function));
  python_functions_[Lower(name)] = bound;
  return bound;
}

std::vector<std::string> Session::TempViewNames() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [k, v] : temp_views_) names.push_back(k);
  return names;
}

std::string Session::current_catalog() const { return *GetConfig("basin.catalog"); }
std::string Session::current_schema() const { return *GetConfig("basin.schema"); }

void Session::Cancel() { cancel_->store(true); }

void Session::SetProgressCallback(std::function<void(const exec::Progress&)> callback) {
  progress_ = std::move(callback);
}

exec::ExecOptions Session::ExecutionOptions() const {
  exec::ExecOptions options;
  options.eval.session_time_zone = GetConfig("spark.sql.session.timeZone").value_or("UTC");
  options.eval.ansi = Lower(GetConfig("spark.sql.ansi.enabled").value_or("true")) == "true";
  options.eval.statement_time_micros =
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  options.threads = std::stoi(GetConfig("basin.exec.threads").value_or("2"));
  options.batch_size = std::stoll(GetConfig("basin.exec.batchSize").value_or("65536"));
  options.memory_limit_bytes = ParseMemorySize(GetConfig("spark.driver.memory").value_or("0"))
                                   .ValueOr(0);
  options.spill_dir = GetConfig("basin.exec.spillDir").value_or("");
  options.reuse_subplans =
      Lower(GetConfig("basin.exec.reuseSubplans").value_or("true")) != "false";
  options.cancel = cancel_;
  options.progress = progress_;
  return options;
}

Result<plan::PlanPtr> Session::Plan(std::string_view query, bool optimize) {
  ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(query));
  if (statement->kind != sql::StatementKind::kQuery) {
    return UserError("UNSUPPORTED_FEATURE", "Expected a query: " + std::string(query) + ".");
  }
  return AnalyzeQueryAst(*statement->query, optimize);
}

analyzer::AnalyzerOptions Session::AnalyzerSettings() {
  analyzer::AnalyzerOptions options;
  options.eval = ExecutionOptions().eval;
  options.catalog = catalog_.get();
  options.current_catalog = current_catalog();
  options.current_schema = current_schema();
  options.current_user = options_.user;
  options.allow_negative_decimal_scale =
      Lower(GetConfig("spark.sql.legacy.allowNegativeScaleOfDecimal").value_or("false")) == "true";
  return options;
}

Result<plan::PlanPtr> Session::AnalyzeQueryAst(const sql::Query& query, bool optimize) {
  ASSIGN_OR_RAISE(auto plan, analyzer::AnalyzeQuery(query, AnalyzerSettings()));
  if (optimize) {
    ASSIGN_OR_RAISE(plan, optimizer::Optimize(plan));
  }
  return plan;
}

Result<std::shared_ptr<arrow::Table>> Session::RunQueryAst(const sql::Query& query) {
  ASSIGN_OR_RAISE(auto plan, AnalyzeQueryAst(query, /*optimize=*/true));
  cancel_->store(false);
  return exec::ExecuteToTable(plan, ExecutionOptions());
}

void Session::InvalidateCache() {
  // Cached Delta tables check their version on use; views and dropped tables go now.
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = cache_.begin(); it != cache_.end();) {
    std::error_code ec;
    const std::filesystem::path location(it->second.location);
    bool gone = it->second.location.empty() ||
                (it->second.files
                     ? !std::filesystem::is_directory(location, ec)
                     : !std::filesystem::is_directory(location / "_delta_log", ec));
    // A write may have changed a data-file table: its rows are read again on next use.
    if (!gone && it->second.files) it->second.data = nullptr;
    it = gone ? cache_.erase(it) : std::next(it);
  }
}

Result<plan::PlanPtr> Session::CachedFileRelation(const TableName& name,
                                                  const std::string& location,
                                                  plan::PlanPtr scan) {
  std::shared_ptr<arrow::Table> data;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(name.Quoted());
    if (it == cache_.end() || !it->second.files || it->second.location != location) return scan;
    data = it->second.data;
  }
  if (!data) {
    ASSIGN_OR_RAISE(data, exec::ExecuteToTable(scan, ExecutionOptions()));
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(name.Quoted());
    if (it != cache_.end() && it->second.files) it->second.data = data;
  }
  auto node = std::make_shared<plan::PlanNode>();
  node->kind = plan::PlanKind::kValues;
  node->values = data;
  node->schema = data->schema();
  return node;
}

void Session::ForgetCachedFiles(const std::string& location) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [name, cached] : cache_) {
    if (cached.files && cached.location == location) cached.data = nullptr;
  }
}

Result<std::optional<plan::PlanPtr>> Session::CachedRelation(const TableName& name,
                                                             const std::string& location) {
  CachedTable cached;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(name.Quoted());
    if (it == cache_.end()) return std::optional<plan::PlanPtr>();
    cached = it->second;
  }
  ASSIGN_OR_RAISE(auto root, io::ResolveLocation(location));
  auto snapshot = delta::Snapshot::Load(root);
  if (!snapshot.ok() || (*snapshot)->version() != cached.version || cached.location != location) {
    // The table changed since it was cached: the cache no longer holds it.
    std::lock_guard<std::mutex> lock(mutex_);
    cache_.erase(name.Quoted());
    return std::optional<plan::PlanPtr>();
  }
  auto node = std::make_shared<plan::PlanNode>();
  node->kind = plan::PlanKind::kValues;
  node->values = cached.data;
  node->schema = cached.data->schema();
  return std::optional<plan::PlanPtr>(node);
}

Result<std::shared_ptr<arrow::RecordBatchReader>> Session::Run(
    const plan::PlanPtr& plan, std::shared_ptr<std::atomic<bool>> cancel) {
  auto options = ExecutionOptions();
  if (cancel) {
    options.cancel = std::move(cancel);  // only this run stops when it is set
  } else {
    cancel_->store(false);
  }
  return exec::Execute(plan, options);
}

Result<StatementResult> Session::ExecuteStatement(sql::Statement& statement) {
  StatementResult result;
  result.statement = statement.text;
  using K = sql::StatementKind;
  switch (statement.kind) {
    case K::kQuery: {
      // Parse -> analyze -> optimize -> execute, the whole path in one place.
      auto exec_options = ExecutionOptions();
      analyzer::AnalyzerOptions options = AnalyzerSettings();
      options.eval = exec_options.eval;  // one current_timestamp() for analysis and execution
      ASSIGN_OR_RAISE(auto analyzed, analyzer::AnalyzeQuery(*statement.query, options));
      ASSIGN_OR_RAISE(auto optimized, optimizer::Optimize(analyzed));
      cancel_->store(false);
      ASSIGN_OR_RAISE(result.table, exec::ExecuteToTable(optimized, exec_options));
      result.is_query = true;
      return result;
    }
    case K::kExplain: {
      const sql::Statement& inner = *statement.inner;
      if (inner.kind != K::kQuery) {
        return UserError("UNSUPPORTED_FEATURE", "EXPLAIN supports queries only.");
      }
      analyzer::AnalyzerOptions options = AnalyzerSettings();
      ASSIGN_OR_RAISE(auto analyzed, analyzer::AnalyzeQuery(*inner.query, options));
      ASSIGN_OR_RAISE(auto optimized, optimizer::Optimize(analyzed));
      std::string text;
      if (statement.explain_mode == sql::ExplainMode::kSimple) {
        text = "== Physical Plan ==\n" + exec::PhysicalPlanText(*optimized);
      } else {
        text = "== Parsed Logical Plan ==\n" + sql::ToString(*inner.query) +
               "\n\n== Analyzed Logical Plan ==\n" + plan::ToString(*analyzed) +
               "\n== Optimized Logical Plan ==\n" + plan::ToString(*optimized) +
               "\n== Physical Plan ==\n" + exec::PhysicalPlanText(*optimized);
      }
      result.table = StringTable({"plan"}, {{text}});
      return result;
    }
    case K::kSet: {
      if (statement.key.empty()) {
        std::map<std::string, std::string> all = Defaults();
        {
          std::lock_guard<std::mutex> lock(mutex_);
          for (const auto& [k, v] : config_) all[k] = v;
        }
        std::vector<std::vector<std::string>> rows;
        for (const auto& [k, v] : all) rows.push_back({k, v});
        result.table = StringTable({"key", "value"}, rows);
        return result;
      }
      if (statement.value) RETURN_NOT_OK(SetConfig(statement.key, *statement.value));
      auto value = GetConfig(statement.key);
      result.table = StringTable({"key", "value"}, {{statement.key, value.value_or("<undefined>")}});
      return result;
    }
    case K::kReset: {
      std::lock_guard<std::mutex> lock(mutex_);
      if (statement.key.empty()) {
        auto catalog = config_["basin.catalog"];
        auto schema = config_["basin.schema"];
        config_.clear();
        config_["basin.catalog"] = catalog;
        config_["basin.schema"] = schema;
      } else {
        config_.erase(statement.key);
      }
      return result;
    }
    case K::kUse:
      return RunCatalogStatement(statement);
    case K::kCreateView:
    case K::kCreateTable:
    case K::kCreateSchema:
    case K::kDrop:
    case K::kShow:
      return RunCatalogStatement(statement);
    case K::kDescribe: {
      ASSIGN_OR_RAISE(auto delta_result, RunDeltaStatement(statement));
      if (delta_result) return *delta_result;
      return RunCatalogStatement(statement);
    }
    case K::kInsert:
    case K::kDelete:
    case K::kUpdate:
    case K::kMerge:
    case K::kTruncate:
      return RunDataStatement(statement);
    case K::kOther: {
      ASSIGN_OR_RAISE(auto delta_result, RunDeltaStatement(statement));
      if (delta_result) return *delta_result;
      return RunOtherStatement(statement);
    }
    default: break;
  }
  std::string text = statement.text;
  if (text.size() > 60) text = text.substr(0, 60) + "...";
  return UserError("UNSUPPORTED_FEATURE", "This statement is not supported yet: " + text);
}

Result<std::vector<StatementResult>> Session::Execute(std::string_view text) {
  ASSIGN_OR_RAISE(auto statements, sql::ParseStatements(text));
  std::vector<StatementResult> results;
  for (const auto& statement : statements) {
    ASSIGN_OR_RAISE(auto result, ExecuteStatement(*statement));
    results.push_back(std::move(result));
  }
  return results;
}

Result<std::shared_ptr<arrow::Table>> Session::Sql(std::string_view text) {
  ASSIGN_OR_RAISE(auto results, Execute(text));
  if (results.empty() || !results.back().table) {
    return arrow::Table::Make(arrow::schema(arrow::FieldVector{}), arrow::ChunkedArrayVector{}, 0);
  }
  return results.back().table;
}

}  // namespace basin::session
