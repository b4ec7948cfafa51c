// Delta Lake's own statements: DESCRIBE HISTORY, DESCRIBE DETAIL, RESTORE, VACUUM (and, from the
// delta layer, OPTIMIZE, CONVERT TO DELTA and CLONE). Each takes a table name or
// delta.`path`, calls the delta layer, and returns the rows delta-spark returns.

#include <filesystem>

#include <arrow/compute/api.h>
#include <nlohmann/json.hpp>

#include "basin/delta/clone.h"
#include "basin/delta/convert.h"
#include "basin/delta/detail.h"
#include "basin/delta/history.h"
#include "basin/delta/optimize.h"
#include "basin/delta/restore.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/vacuum.h"
#include "basin/function/function.h"
#include "basin/session/session.h"
#include "basin/session/session_internal.h"
#include "basin/session/statement_words.h"
#include "basin/sql/arrow_type.h"
#include "basin/sql/parser.h"

namespace basin::session {
namespace {

std::string JsonText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

Result<std::shared_ptr<arrow::Array>> StringMap(const std::vector<nlohmann::json>& objects) {
  auto pool = arrow::default_memory_pool();
  auto keys = std::make_shared<arrow::StringBuilder>(pool);
  auto values = std::make_shared<arrow::StringBuilder>(pool);
  arrow::MapBuilder builder(pool, keys, values);
  for (const auto& o : objects) {
    if (!o.is_object()) {
      RETURN_NOT_OK(builder.AppendNull());
      continue;
    }
    RETURN_NOT_OK(builder.Append());
    for (const auto& [k, v] : o.items()) {
      RETURN_NOT_OK(keys->Append(k));
      RETURN_NOT_OK(values->Append(JsonText(v)));
    }
  }
  return builder.Finish();
}

Result<std::shared_ptr<arrow::Array>> StringList(const std::vector<nlohmann::json>& lists) {
  auto pool = arrow::default_memory_pool();
  auto values = std::make_shared<arrow::StringBuilder>(pool);
  arrow::ListBuilder builder(pool, values);
  for (const auto& l : lists) {
    if (!l.is_array()) {
      RETURN_NOT_OK(builder.AppendNull());
      continue;
    }
    RETURN_NOT_OK(builder.Append());
    for (const auto& v : l) RETURN_NOT_OK(values->Append(JsonText(v)));
  }
  return builder.Finish();
}

Result<std::shared_ptr<arrow::Array>> Strings(const std::vector<nlohmann::json>& values) {
  arrow::StringBuilder b;
  for (const auto& v : values) {
    if (v.is_null()) {
      RETURN_NOT_OK(b.AppendNull());
    } else {
      RETURN_NOT_OK(b.Append(JsonText(v)));
    }
  }
  return b.Finish();
}

Result<std::shared_ptr<arrow::Array>> Longs(const std::vector<nlohmann::json>& values) {
  arrow::Int64Builder b;
  for (const auto& v : values) {
    if (v.is_number()) {
      RETURN_NOT_OK(b.Append(v.get<int64_t>()));
    } else if (v.is_string()) {
      RETURN_NOT_OK(b.Append(std::stoll(v.get<std::string>())));
    } else {
      RETURN_NOT_OK(b.AppendNull());
    }
  }
  return b.Finish();
}

Result<std::shared_ptr<arrow::Array>> Timestamps(const std::vector<int64_t>& millis) {
  arrow::TimestampBuilder b(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                            arrow::default_memory_pool());
  for (int64_t ms : millis) RETURN_NOT_OK(b.Append(ms * 1000));
  return b.Finish();
}

Result<std::shared_ptr<arrow::Array>> NullStruct(const std::shared_ptr<arrow::DataType>& type,
                                                 int64_t n) {
  return arrow::MakeArrayOfNull(type, n);
}


}  // namespace

Result<std::optional<StatementResult>> Session::RunDeltaStatement(sql::Statement& statement) {
  StatementWords w(statement.words);
  StatementResult result;
  result.statement = statement.text;
  bool describe = statement.kind == sql::StatementKind::kDescribe;
  // The table: a name, delta.`path` or a quoted path.
  auto table_root = [&](bool* is_path = nullptr) -> Result<std::string> {
    if (!w.AtEnd() && (w.Peek()[0] == '\'' || w.Peek()[0] == '"')) {
      if (is_path) *is_path = true;
      return w.String();
    }
    ASSIGN_OR_RAISE(auto name, w.Name());
    if (name.size() == 2 && Lower(name[0]) == "delta") {
      if (is_path) *is_path = true;
      return name[1];
    }
    ASSIGN_OR_RAISE(auto table, GetTable(name, /*table_only=*/true));
    if (table.format != "delta") {
      return UserError("DELTA_TABLE_ONLY_OPERATION",
                       table.name.Quoted() + " is not a Delta table.");
    }
    return table.location;
  };

  if (describe && w.Accept("HISTORY")) {
    ASSIGN_OR_RAISE(auto path, table_root());
    std::optional<int64_t> limit;
    if (w.Accept("LIMIT")) {
      ASSIGN_OR_RAISE(auto l, w.Integer());
      limit = l;
    }
    RETURN_NOT_OK(w.ExpectEnd());
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(path));
    ASSIGN_OR_RAISE(auto entries, delta::ReadHistory(root, limit));
    std::vector<nlohmann::json> versions, user_ids, user_names, operations, parameters,
        read_versions, isolation, metrics, user_metadata, engine_info;
    std::vector<int64_t> timestamps;
    arrow::BooleanBuilder blind;
    for (const auto& e : entries) {
      const auto& ci = e.commit_info;
      auto get = [&](const char* key) { return ci.contains(key) ? ci[key] : nlohmann::json(); };
      versions.push_back(e.version);
      timestamps.push_back(e.timestamp_ms);
      user_ids.push_back(get("userId"));
      user_names.push_back(get("userName"));
      operations.push_back(get("operation"));
      parameters.push_back(get("operationParameters"));
      read_versions.push_back(get("readVersion"));
      isolation.push_back(get("isolationLevel"));
      metrics.push_back(get("operationMetrics"));
      user_metadata.push_back(get("userMetadata"));
      engine_info.push_back(get("engineInfo"));
      auto b = get("isBlindAppend");
      RETURN_NOT_OK(b.is_boolean() ? blind.Append(b.get<bool>()) : blind.AppendNull());
    }
    int64_t n = static_cast<int64_t>(entries.size());
    auto job_type = arrow::struct_({arrow::field("jobId", arrow::utf8()),
                                    arrow::field("jobName", arrow::utf8()),
                                    arrow::field("jobRunId", arrow::utf8()),
                                    arrow::field("runId", arrow::utf8()),
                                    arrow::field("jobOwnerId", arrow::utf8()),
                                    arrow::field("triggerType", arrow::utf8())});
    auto notebook_type = arrow::struct_({arrow::field("notebookId", arrow::utf8())});
    auto map_type = arrow::map(arrow::utf8(), arrow::utf8());
    auto schema = arrow::schema({
        arrow::field("version", arrow::int64()),
        arrow::field("timestamp", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
        arrow::field("userId", arrow::utf8()),
        arrow::field("userName", arrow::utf8()),
        arrow::field("operation", arrow::utf8()),
        arrow::field("operationParameters", map_type),
        arrow::field("job", job_type),
        arrow::field("notebook", notebook_type),
        arrow::field("clusterId", arrow::utf8()),
        arrow::field("readVersion", arrow::int64()),
        arrow::field("isolationLevel", arrow::utf8()),
        arrow::field("isBlindAppend", arrow::boolean()),
        arrow::field("operationMetrics", map_type),
        arrow::field("userMetadata", arrow::utf8()),
        arrow::field("engineInfo", arrow::utf8()),
    });
    arrow::ArrayVector arrays;
    ASSIGN_OR_RAISE(auto a0, Longs(versions));
    ASSIGN_OR_RAISE(auto a1, Timestamps(timestamps));
    ASSIGN_OR_RAISE(auto a2, Strings(user_ids));
    ASSIGN_OR_RAISE(auto a3, Strings(user_names));
    ASSIGN_OR_RAISE(auto a4, Strings(operations));
    ASSIGN_OR_RAISE(auto a5, StringMap(parameters));
    ASSIGN_OR_RAISE(auto a6, NullStruct(job_type, n));
    ASSIGN_OR_RAISE(auto a7, NullStruct(notebook_type, n));
    ASSIGN_OR_RAISE(auto a8, arrow::MakeArrayOfNull(arrow::utf8(), n));
    ASSIGN_OR_RAISE(auto a9, Longs(read_versions));
    ASSIGN_OR_RAISE(auto a10, Strings(isolation));
    ASSIGN_OR_RAISE(auto a11, blind.Finish());
    ASSIGN_OR_RAISE(auto a12, StringMap(metrics));
    ASSIGN_OR_RAISE(auto a13, Strings(user_metadata));
    ASSIGN_OR_RAISE(auto a14, Strings(engine_info));
    result.table = arrow::Table::Make(
        schema, {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14});
    return std::optional<StatementResult>(result);
  }
  if (describe && w.Accept("DETAIL")) {
    ASSIGN_OR_RAISE(auto path, table_root());
    RETURN_NOT_OK(w.ExpectEnd());
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(path));
    ASSIGN_OR_RAISE(auto detail, delta::DescribeDetail(root));
    auto get = [&](const char* key) {
      return detail.contains(key) ? detail[key] : nlohmann::json();
    };
    auto millis = [&](const char* key) -> int64_t {
      auto v = get(key);
      return v.is_number() ? v.get<int64_t>() : 0;
    };
    auto map_type = arrow::map(arrow::utf8(), arrow::utf8());
    auto list_type = arrow::list(arrow::utf8());
    auto schema = arrow::schema({
        arrow::field("format", arrow::utf8()),
        arrow::field("id", arrow::utf8()),
        arrow::field("name", arrow::utf8()),
        arrow::field("description", arrow::utf8()),
        arrow::field("location", arrow::utf8()),
        arrow::field("createdAt", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
        arrow::field("lastModified", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
        arrow::field("partitionColumns", list_type),
        arrow::field("clusteringColumns", list_type),
        arrow::field("numFiles", arrow::int64()),
        arrow::field("sizeInBytes", arrow::int64()),
        arrow::field("properties", map_type),
        arrow::field("minReaderVersion", arrow::int32()),
        arrow::field("minWriterVersion", arrow::int32()),
        arrow::field("tableFeatures", list_type),
    });
    ASSIGN_OR_RAISE(auto format, Strings({get("format")}));
    ASSIGN_OR_RAISE(auto id, Strings({get("id")}));
    ASSIGN_OR_RAISE(auto name, Strings({get("name")}));
    ASSIGN_OR_RAISE(auto description, Strings({get("description")}));
    ASSIGN_OR_RAISE(auto location, Strings({get("location")}));
    ASSIGN_OR_RAISE(auto created, Timestamps({millis("createdAt")}));
    ASSIGN_OR_RAISE(auto modified, Timestamps({millis("lastModified")}));
    ASSIGN_OR_RAISE(auto partitions, StringList({get("partitionColumns")}));
    auto clustering_json = get("clusteringColumns");
    if (!clustering_json.is_array()) clustering_json = nlohmann::json::array();
    ASSIGN_OR_RAISE(auto clustering, StringList({clustering_json}));
    ASSIGN_OR_RAISE(auto files, Longs({get("numFiles")}));
    ASSIGN_OR_RAISE(auto size, Longs({get("sizeInBytes")}));
    ASSIGN_OR_RAISE(auto properties, StringMap({get("properties")}));
    arrow::Int32Builder reader, writer;
    RETURN_NOT_OK(reader.Append(get("minReaderVersion").is_number()
                                    ? get("minReaderVersion").get<int32_t>()
                                    : 1));
    RETURN_NOT_OK(writer.Append(get("minWriterVersion").is_number()
                                    ? get("minWriterVersion").get<int32_t>()
                                    : 2));
    ASSIGN_OR_RAISE(auto reader_array, reader.Finish());
    ASSIGN_OR_RAISE(auto writer_array, writer.Finish());
    auto features_json = get("tableFeatures");
    if (!features_json.is_array()) features_json = nlohmann::json::array();
    ASSIGN_OR_RAISE(auto features, StringList({features_json}));
    result.table = arrow::Table::Make(
        schema, {format, id, name, description, location, created, modified, partitions,
                 clustering, files, size, properties, reader_array, writer_array, features});
    return std::optional<StatementResult>(result);
  }
  if (describe) return std::optional<StatementResult>();

  if (w.Accept("RESTORE")) {
    w.Accept("TABLE");
    ASSIGN_OR_RAISE(auto path, table_root());
    RETURN_NOT_OK(w.Expect("TO"));
    delta::RestoreOptions options;
    if (w.AcceptAll({"VERSION", "AS", "OF"})) {
      ASSIGN_OR_RAISE(auto v, w.Integer());
      options.version = v;
    } else if (w.AcceptAll({"TIMESTAMP", "AS", "OF"})) {
      std::string text = w.Rest();
      ASSIGN_OR_RAISE(auto value, Sql("SELECT CAST(" + text + " AS TIMESTAMP)"));
      ASSIGN_OR_RAISE(auto scalar, value->column(0)->GetScalar(0));
      if (!scalar->is_valid) {
        return UserError("DELTA_TIMESTAMP_INVALID", "The provided timestamp (" + text +
                                                        ") cannot be converted to a valid "
                                                        "timestamp.");
      }
      options.timestamp_ms = std::static_pointer_cast<arrow::TimestampScalar>(scalar)->value / 1000;
    } else {
      return w.SyntaxError();
    }
    RETURN_NOT_OK(w.ExpectEnd());
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(path));
    ASSIGN_OR_RAISE(auto restored, delta::RestoreTable(root, options));
    InvalidateCache();
    result.table = LongRow({{"table_size_after_restore", restored.table_size_after_restore},
                            {"num_of_files_after_restore", restored.num_of_files_after_restore},
                            {"num_removed_files", restored.num_removed_files},
                            {"num_restored_files", restored.num_restored_files},
                            {"removed_files_size", restored.removed_files_size},
                            {"restored_files_size", restored.restored_files_size}});
    return std::optional<StatementResult>(result);
  }
  if (w.Accept("VACUUM")) {
    ASSIGN_OR_RAISE(auto path, table_root());
    delta::VacuumOptions options;
    if (w.Accept("RETAIN")) {
      ASSIGN_OR_RAISE(auto hours, w.Number());
      RETURN_NOT_OK(w.Expect("HOURS"));
      options.retention_hours = hours;
    }
    if (w.AcceptAll({"DRY", "RUN"})) options.dry_run = true;
    RETURN_NOT_OK(w.ExpectEnd());
    auto check = GetConfig("spark.databricks.delta.retentionDurationCheck.enabled");
    options.retention_check = !check || Lower(*check) != "false";
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(path));
    ASSIGN_OR_RAISE(auto vacuumed, delta::VacuumTable(root, options));
    std::vector<std::vector<std::string>> rows;
    if (options.dry_run) {
      for (const auto& f : vacuumed.files) {
        rows.push_back({root.Child(f).path});
      }
    } else {
      rows.push_back({root.path});
    }
    result.table = StringTable({"path"}, rows);
    return std::optional<StatementResult>(result);
  }
  if (w.Accept("OPTIMIZE") || (w.At("REORG") && w.At("TABLE", 1))) {
    bool reorg = w.Accept("REORG");
    if (reorg) w.Accept("TABLE");
    ASSIGN_OR_RAISE(auto path, table_root());
    delta::OptimizeOptions options;
    if (w.Accept("WHERE")) {
      std::string where = w.TextUntil({"ZORDER", "APPLY"});
      options.where = where;
    }
    if (reorg) {
      RETURN_NOT_OK(w.Expect("APPLY"));
      RETURN_NOT_OK(w.Expect("("));
      RETURN_NOT_OK(w.Expect("PURGE"));
      RETURN_NOT_OK(w.Expect(")"));
      options.purge_deletion_vectors = true;
    } else if (w.AcceptAll({"ZORDER", "BY"})) {
      if (w.At("(")) {
        ASSIGN_OR_RAISE(auto columns, w.NameList());
        for (const auto& c : columns) options.zorder_by.push_back(c.back());
      } else {
        while (true) {
          ASSIGN_OR_RAISE(auto c, w.Name());
          options.zorder_by.push_back(c.back());
          if (!w.Accept(",")) break;
        }
      }
    }
    RETURN_NOT_OK(w.ExpectEnd());
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(path));
    ASSIGN_OR_RAISE(auto optimized, delta::Optimize(root, options));
    InvalidateCache();
    ASSIGN_OR_RAISE(auto batch, delta::OptimizeResultBatch(optimized));
    ASSIGN_OR_RAISE(result.table, arrow::Table::FromRecordBatches({batch}));
    return std::optional<StatementResult>(result);
  }
  if (w.AcceptAll({"CONVERT", "TO", "DELTA"})) {
    ASSIGN_OR_RAISE(auto name, w.Name());
    if (name.size() != 2 || Lower(name[0]) != "parquet") {
      return UserError("DELTA_CONVERSION_UNSUPPORTED_COLUMN_MAPPING",
                       "CONVERT TO DELTA takes parquet.`path`.");
    }
    delta::ConvertOptions options;
    if (w.AcceptAll({"NO", "STATISTICS"})) options.collect_stats = false;
    if (w.AcceptAll({"PARTITIONED", "BY"})) {
      std::string text = w.Rest();
      if (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
        text = text.substr(1, text.size() - 2);
      }
      ASSIGN_OR_RAISE(auto columns, sql::ParseTableSchema(text));
      arrow::FieldVector fields;
      for (const auto& c : columns) {
        ASSIGN_OR_RAISE(auto f, sql::ToArrowField(c));
        fields.push_back(f);
      }
      options.partition_schema = arrow::schema(fields);
    }
    RETURN_NOT_OK(w.ExpectEnd());
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(name[1]));
    RETURN_NOT_OK(delta::ConvertToDelta(root, options).status());
    return std::optional<StatementResult>(result);
  }
  bool is_clone = false;
  for (const auto& word : statement.words) is_clone = is_clone || Lower(word) == "clone";
  if (is_clone && (w.Accept("CREATE") || w.At("REPLACE"))) {
    // CREATE [OR REPLACE] TABLE [IF NOT EXISTS] t [SHALLOW|DEEP] CLONE source [time travel]
    // [TBLPROPERTIES (...)] [LOCATION 'path'].
    bool replace = w.Accept("REPLACE");
    if (!replace && w.AcceptAll({"OR", "REPLACE"})) replace = true;
    RETURN_NOT_OK(w.Expect("TABLE"));
    bool if_not_exists = w.AcceptAll({"IF", "NOT", "EXISTS"});
    ASSIGN_OR_RAISE(auto target_name, w.Name());
    delta::CloneOptions options;
    options.shallow = !w.Accept("DEEP");
    w.Accept("SHALLOW");
    RETURN_NOT_OK(w.Expect("CLONE"));
    ASSIGN_OR_RAISE(auto source_path, table_root());
    if (w.AcceptAll({"VERSION", "AS", "OF"})) {
      ASSIGN_OR_RAISE(auto v, w.Integer());
      options.version = v;
    } else if (w.AcceptAll({"TIMESTAMP", "AS", "OF"})) {
      std::string text = w.TextUntil({"TBLPROPERTIES", "LOCATION"});
      ASSIGN_OR_RAISE(auto value, Sql("SELECT CAST(" + text + " AS TIMESTAMP)"));
      ASSIGN_OR_RAISE(auto scalar, value->column(0)->GetScalar(0));
      options.timestamp_ms = std::static_pointer_cast<arrow::TimestampScalar>(scalar)->value / 1000;
    }
    std::optional<std::string> location;
    while (!w.AtEnd()) {
      if (w.Accept("TBLPROPERTIES")) {
        ASSIGN_OR_RAISE(auto props, w.PropertyList());
        for (const auto& [k, v] : props) options.properties[k] = v;
      } else if (w.Accept("LOCATION")) {
        ASSIGN_OR_RAISE(auto l, w.String());
        location = l;
      } else {
        return w.SyntaxError();
      }
    }
    ASSIGN_OR_RAISE(auto qualified, Qualify(target_name));
    ASSIGN_OR_RAISE(auto* store, Metastore());
    ASSIGN_OR_RAISE(auto existing, FindTable(qualified));
    if (existing && !replace) {
      if (if_not_exists) return std::optional<StatementResult>(result);
      return TableExistsError(qualified.Quoted());
    }
    std::string target = location ? *location
                         : existing && !existing->location.empty() ? existing->location
                                                                   : ManagedLocation(qualified);
    options.replace = replace;
    ASSIGN_OR_RAISE(auto source_root, io::ResolveLocation(source_path));
    ASSIGN_OR_RAISE(auto target_root, io::ResolveLocation(target));
    ASSIGN_OR_RAISE(auto cloned, delta::CloneTable(source_root, target_root, options));
    catalog::TableInfo info;
    info.catalog = qualified.catalog;
    info.schema = qualified.schema;
    info.name = qualified.name;
    info.type = location ? catalog::TableType::kExternal : catalog::TableType::kManaged;
    info.location = target;
    RETURN_NOT_OK(store->CreateTable(info, replace));
    InvalidateCache();
    result.table = LongRow({{"source_table_size", cloned.source_table_size},
                            {"source_num_of_files", cloned.source_num_of_files},
                            {"num_removed_files", cloned.num_removed_files},
                            {"num_copied_files", cloned.num_copied_files},
                            {"removed_files_size", cloned.removed_files_size},
                            {"copied_files_size", cloned.copied_files_size}});
    return std::optional<StatementResult>(result);
  }
  return std::optional<StatementResult>();
}

}  // namespace basin::session
