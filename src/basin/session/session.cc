#include "basin/session/session.h"

#include <cctype>
#include <filesystem>

#include "basin/analyzer/analyzer.h"
#include "basin/optimizer/optimizer.h"
#include "basin/sql/parser.h"

namespace basin::session {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Defaults of the settings the engine reads (Spark's names where Spark has one).
const std::map<std::string, std::string>& Defaults() {
  static const auto* defaults = new std::map<std::string, std::string>{
      {"spark.sql.session.timeZone", "UTC"},
      {"spark.sql.ansi.enabled", "true"},
      {"spark.driver.memory", "0"},  // 0: no limit
      {"spark.sql.shuffle.partitions", "200"},
      {"spark.sql.caseSensitive", "false"},
      {"basin.exec.threads", "2"},
      {"basin.exec.batchSize", "8192"},
      {"basin.exec.spillDir", ""},
  };
  return *defaults;
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

bool IsDeltaTable(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path / "_delta_log", ec);
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

// Resolves table and view names for the analyzer: temporary views, then Delta tables in the
// warehouse (WAREHOUSE/<catalog>/<schema>/<table>).
class Session::CatalogView : public analyzer::Catalog {
 public:
  explicit CatalogView(Session* session) : session_(session) {}

  Result<std::optional<plan::PlanPtr>> LookupRelation(
      const std::vector<std::string>& name, const analyzer::TimeTravelSpec& time_travel) override {
    if (name.size() == 1) {
      std::string text;
      {
        std::lock_guard<std::mutex> lock(session_->mutex_);
        auto it = session_->temp_views_.find(Lower(name[0]));
        if (it != session_->temp_views_.end()) text = it->second;
      }
      if (!text.empty()) {
        if (depth_ > 32) {
          return UserError("RECURSIVE_VIEW", "Recursive view " + name[0] + " detected.");
        }
        ++depth_;
        auto plan = session_->Plan(text, /*optimize=*/false);
        --depth_;
        RETURN_NOT_OK(plan.status());
        return std::optional<plan::PlanPtr>(*plan);
      }
    }
    std::string catalog = session_->current_catalog();
    std::string schema = session_->current_schema();
    std::string table = name.back();
    if (name.size() == 2) schema = name[0];
    if (name.size() == 3) {
      catalog = name[0];
      schema = name[1];
    }
    if (name.size() > 3) return std::optional<plan::PlanPtr>();
    auto path = std::filesystem::path(session_->warehouse()) / Lower(catalog) / Lower(schema) /
                Lower(table);
    if (!IsDeltaTable(path)) return std::optional<plan::PlanPtr>();
    ASSIGN_OR_RAISE(auto plan, analyzer::DeltaTableScan(path.string(), time_travel));
    return std::optional<plan::PlanPtr>(plan);
  }

 private:
  Session* session_;
  int depth_ = 0;
};

Session::Session(SessionOptions options)
    : options_(std::move(options)),
      cancel_(std::make_shared<std::atomic<bool>>(false)),
      catalog_(std::make_unique<CatalogView>(this)) {
  config_["basin.catalog"] = "main";
  config_["basin.schema"] = "default";
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

Status Session::SetConfig(const std::string& key, const std::string& value) {
  if (key == "spark.sql.ansi.enabled" || key == "spark.sql.caseSensitive") {
    std::string v = Lower(value);
    if (v != "true" && v != "false") {
      return UserError("INVALID_CONF_VALUE",
                       "The value '" + value + "' in the config \"" + key +
                           "\" is invalid. It must be true or false.");
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
  options.batch_size = std::stoll(GetConfig("basin.exec.batchSize").value_or("8192"));
  options.memory_limit_bytes = ParseMemorySize(GetConfig("spark.driver.memory").value_or("0"))
                                   .ValueOr(0);
  options.spill_dir = GetConfig("basin.exec.spillDir").value_or("");
  options.cancel = cancel_;
  options.progress = progress_;
  return options;
}

Result<plan::PlanPtr> Session::Plan(std::string_view query, bool optimize) {
  ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(query));
  if (statement->kind != sql::StatementKind::kQuery) {
    return UserError("UNSUPPORTED_FEATURE", "Expected a query: " + std::string(query) + ".");
  }
  analyzer::AnalyzerOptions options;
  options.eval = ExecutionOptions().eval;
  options.catalog = catalog_.get();
  options.current_catalog = current_catalog();
  options.current_schema = current_schema();
  ASSIGN_OR_RAISE(auto plan, analyzer::AnalyzeQuery(*statement->query, options));
  if (optimize) {
    ASSIGN_OR_RAISE(plan, optimizer::Optimize(plan));
  }
  return plan;
}

Result<std::shared_ptr<arrow::RecordBatchReader>> Session::Run(const plan::PlanPtr& plan) {
  cancel_->store(false);
  return exec::Execute(plan, ExecutionOptions());
}

Result<StatementResult> Session::ExecuteStatement(const sql::Statement& statement) {
  StatementResult result;
  result.statement = statement.text;
  using K = sql::StatementKind;
  switch (statement.kind) {
    case K::kQuery: {
      // Parse -> analyze -> optimize -> execute, the whole path in one place.
      analyzer::AnalyzerOptions options;
      auto exec_options = ExecutionOptions();
      options.eval = exec_options.eval;
      options.catalog = catalog_.get();
      options.current_catalog = current_catalog();
      options.current_schema = current_schema();
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
      analyzer::AnalyzerOptions options;
      options.eval = ExecutionOptions().eval;
      options.catalog = catalog_.get();
      options.current_catalog = current_catalog();
      options.current_schema = current_schema();
      ASSIGN_OR_RAISE(auto analyzed, analyzer::AnalyzeQuery(*inner.query, options));
      ASSIGN_OR_RAISE(auto optimized, optimizer::Optimize(analyzed));
      std::string text;
      if (statement.explain_mode == sql::ExplainMode::kSimple) {
        text = "== Physical Plan ==\n" + plan::ToString(*optimized);
      } else {
        text = "== Parsed Logical Plan ==\n" + sql::ToString(*inner.query) +
               "\n\n== Analyzed Logical Plan ==\n" + plan::ToString(*analyzed) +
               "\n== Optimized Logical Plan ==\n" + plan::ToString(*optimized) +
               "\n== Physical Plan ==\n" + plan::ToString(*optimized);
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
    case K::kUse: {
      std::string type = Lower(statement.object_type);
      const auto& name = statement.name;
      std::lock_guard<std::mutex> lock(mutex_);
      if (type == "catalog") {
        config_["basin.catalog"] = name.back();
      } else if (name.size() == 2) {
        config_["basin.catalog"] = name[0];
        config_["basin.schema"] = name[1];
      } else {
        config_["basin.schema"] = name.back();
      }
      return result;
    }
    case K::kCreateView: {
      const auto& view = *statement.create_view;
      if (!view.temporary) {
        return UserError("UNSUPPORTED_FEATURE.PERSISTENT_VIEW",
                         "Persistent views need the catalog, which is not available yet; use "
                         "CREATE TEMPORARY VIEW.");
      }
      if (view.name.size() != 1) {
        return UserError("TEMP_VIEW_NAME_TOO_MANY_NAME_PARTS",
                         "CREATE TEMPORARY VIEW expects a single-part view name.");
      }
      std::string key = Lower(view.name[0]);
      std::string text = view.query_text;
      if (!view.columns.empty()) {
        // Column names: wrap the query so that the names apply.
        std::string cols;
        for (size_t i = 0; i < view.columns.size(); ++i) {
          cols += (i ? ", " : "") + std::string("`") + view.columns[i] + "`";
        }
        text = "SELECT * FROM (" + view.query_text + ") AS v(" + cols + ")";
      }
      // Check the query now, as Spark does.
      RETURN_NOT_OK(Plan(text, /*optimize=*/false).status());
      std::lock_guard<std::mutex> lock(mutex_);
      if (temp_views_.count(key) && !view.or_replace) {
        if (view.if_not_exists) return result;
        return UserError("TEMP_TABLE_OR_VIEW_ALREADY_EXISTS",
                         "Cannot create the temporary view `" + view.name[0] +
                             "` because it already exists.");
      }
      temp_views_[key] = text;
      return result;
    }
    case K::kDrop: {
      if (Lower(statement.object_type) == "view" && statement.name.size() == 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (temp_views_.erase(Lower(statement.name[0])) || statement.if_exists) return result;
        return UserError("TABLE_OR_VIEW_NOT_FOUND",
                         "The table or view `" + statement.name[0] + "` cannot be found.");
      }
      break;
    }
    default: break;
  }
  std::string text = statement.text;
  if (text.size() > 60) text = text.substr(0, 60) + "...";
  return UserError("UNSUPPORTED_FEATURE",
                   "This statement is not supported yet (catalog DDL and DML come with the "
                   "catalog milestone): " + text);
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
