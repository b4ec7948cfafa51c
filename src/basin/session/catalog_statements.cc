// Catalog statements: CREATE / DROP / ALTER of catalogs, schemas, tables and views, SHOW and
// DESCRIBE. Tables are Delta tables whose schema lives in their log; the metastore records where
// each table is and what kind of object it is.

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <functional>
#include <set>

#include <nlohmann/json.hpp>

#include "basin/catalog/metastore.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/transaction.h"
#include "basin/delta/write.h"
#include "basin/function/function.h"
#include "basin/session/file_table.h"
#include "basin/session/session.h"
#include "basin/session/session_internal.h"
#include "basin/session/statement_words.h"
#include "basin/sql/arrow_type.h"
#include "basin/sql/parser.h"
#include "basin/types/schema_json.h"

namespace basin::session {
namespace {

std::string Quote(const std::string& part) { return "`" + part + "`"; }

std::string JoinName(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + Quote(parts[i]);
  return out;
}

// Spark's LIKE pattern of SHOW ... LIKE: '*' any characters, '|' alternatives, case-insensitive.
bool MatchesShowPattern(const std::string& pattern, const std::string& name) {
  std::string lower_name = Lower(name);
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t bar = pattern.find('|', start);
    std::string alt = Lower(pattern.substr(start, bar == std::string::npos ? std::string::npos
                                                                           : bar - start));
    // Trim spaces around alternatives.
    while (!alt.empty() && alt.front() == ' ') alt.erase(alt.begin());
    while (!alt.empty() && alt.back() == ' ') alt.pop_back();
    // Glob match with '*' and '.'-free semantics (Spark turns '*' into '.*').
    std::function<bool(size_t, size_t)> match = [&](size_t p, size_t n) -> bool {
      if (p == alt.size()) return n == lower_name.size();
      if (alt[p] == '*') {
        for (size_t k = n; k <= lower_name.size(); ++k) {
          if (match(p + 1, k)) return true;
        }
        return false;
      }
      return n < lower_name.size() && alt[p] == lower_name[n] && match(p + 1, n + 1);
    };
    if (match(0, 0)) return true;
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return false;
}

std::string PropertiesText(const std::map<std::string, std::string>& props) {
  std::string out;
  for (const auto& [k, v] : props) out += (out.empty() ? "" : ", ") + k + "=" + v;
  return "[" + out + "]";
}

Status CheckColumnNames(const arrow::Schema& schema) {
  std::set<std::string> seen;
  for (const auto& f : schema.fields()) {
    if (!seen.insert(Lower(f->name())).second) {
      return UserError("COLUMN_ALREADY_EXISTS",
                       "The column `" + f->name() + "` already exists. Choose another name or "
                       "rename the existing column.");
    }
  }
  return Status::OK();
}

// The PARTITIONED BY columns of a table of files as the schema spells them, checked as Spark
// checks them: each is a column, none twice, and some column is left for the files.
Result<std::vector<std::string>> ResolvePartitionColumns(const arrow::FieldVector& fields,
                                                         const std::vector<std::string>& names,
                                                         const std::string& quoted_table) {
  std::vector<std::string> out;
  for (const auto& name : names) {
    std::shared_ptr<arrow::Field> found;
    for (const auto& f : fields) {
      if (Lower(f->name()) == Lower(name)) found = f;
    }
    if (!found) {
      std::string columns;
      for (const auto& f : fields) columns += (columns.empty() ? "" : ", ") + Quote(f->name());
      return UserError("COLUMN_NOT_DEFINED_IN_TABLE",
                       "partition column " + Quote(name) + " is not defined in table " +
                           quoted_table + ", defined table columns are: " + columns + ".");
    }
    if (std::find(out.begin(), out.end(), found->name()) != out.end()) {
      return UserError("COLUMN_ALREADY_EXISTS", "The column " + Quote(found->name()) +
                                                    " already exists. Choose another "
                                                    "name or rename the existing column.");
    }
    if (arrow::is_nested(found->type()->id())) {
      return UserError(
          "INVALID_PARTITION_COLUMN_DATA_TYPE",
          "Cannot use " + types::SparkTypeName(*found->type()) + " for partition column.");
    }
    out.push_back(found->name());
  }
  if (out.size() == fields.size()) {
    return UserError("ALL_PARTITION_COLUMNS_NOT_ALLOWED",
                     "Cannot use all columns for partition columns.");
  }
  return out;
}

}  // namespace

std::string TableName::Quoted() const {
  return Quote(catalog) + "." + Quote(schema) + "." + Quote(name);
}

Result<catalog::Metastore*> Session::Metastore() {
  std::lock_guard<std::mutex> lock(metastore_mutex_);
  if (!metastore_) {
    ASSIGN_OR_RAISE(metastore_, catalog::OpenMetastore(options_.warehouse, options_.metastore));
  }
  return metastore_.get();
}

Result<TableName> Session::Qualify(const std::vector<std::string>& name) const {
  TableName out;
  out.catalog = Lower(current_catalog());
  out.schema = Lower(current_schema());
  if (!namespace_stack_.empty()) {
    // Inside a view: unqualified names resolve in the view's namespace.
    out.catalog = namespace_stack_.back().first;
    out.schema = namespace_stack_.back().second;
  }
  if (name.empty() || name.size() > 3) {
    return UserError("REQUIRES_SINGLE_PART_NAMESPACE",
                     "The name " + JoinName(name) + " must have one to three parts.");
  }
  out.name = Lower(name.back());
  if (name.size() >= 2) out.schema = Lower(name[name.size() - 2]);
  if (name.size() == 3) out.catalog = CatalogKey(name[0]);
  return out;
}

std::string Session::ManagedLocation(const TableName& name) const {
  return (std::filesystem::path(options_.warehouse) / name.catalog / name.schema / name.name)
      .string();
}

Result<std::optional<Session::Table>> Session::FindTable(const TableName& name) {
  ASSIGN_OR_RAISE(auto* store, Metastore());
  ASSIGN_OR_RAISE(auto info, store->GetTable(name.catalog, name.schema, name.name));
  Table table;
  table.name = name;
  if (info) {
    table.is_view = info->type == catalog::TableType::kView;
    table.location = info->location;
    table.format = info->format;
    table.info = std::move(info);
    return std::optional<Table>(std::move(table));
  }
  // A Delta folder at the managed path that the metastore does not know (written by path).
  std::error_code ec;
  auto path = ManagedLocation(name);
  if (std::filesystem::is_directory(std::filesystem::path(path) / "_delta_log", ec)) {
    table.location = path;
    return std::optional<Table>(std::move(table));
  }
  return std::optional<Table>();
}

Result<Session::Table> Session::GetTable(const std::vector<std::string>& name, bool table_only) {
  ASSIGN_OR_RAISE(auto qualified, Qualify(name));
  ASSIGN_OR_RAISE(auto table, FindTable(qualified));
  if (!table && name.size() == 2 && Lower(name[0]) == "delta") {
    // delta.`path`: the Delta table at that path (its case kept), when no schema is `delta`.
    std::error_code ec;
    if (std::filesystem::is_directory(std::filesystem::path(name[1]) / "_delta_log", ec)) {
      Table by_path;
      by_path.name = qualified;
      by_path.location = name[1];
      by_path.format = "delta";
      table = std::move(by_path);
    }
  }
  if (!table) {
    return UserError("TABLE_OR_VIEW_NOT_FOUND",
                     "The table or view " + JoinName(name) +
                         " cannot be found. Verify the spelling and correctness of the schema "
                         "and catalog.\nIf you did not qualify the name with a schema, verify the "
                         "current_schema() output, or qualify the name with the correct schema "
                         "and catalog.");
  }
  if (table_only && table->is_view) {
    return UserError("EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE",
                     "The table " + qualified.Quoted() + " is a view, not a table.");
  }
  return *table;
}

Result<StatementResult> Session::RunCatalogStatement(sql::Statement& statement) {
  StatementResult result;
  result.statement = statement.text;
  using K = sql::StatementKind;
  ASSIGN_OR_RAISE(auto* store, Metastore());
  switch (statement.kind) {
    case K::kCreateSchema: {
      const auto& name = statement.name;
      if (name.empty() || name.size() > 2) {
        return UserError("REQUIRES_SINGLE_PART_NAMESPACE",
                         "A schema name has one or two parts: " + JoinName(name) + ".");
      }
      catalog::SchemaInfo info;
      info.catalog = name.size() == 2 ? CatalogKey(name[0]) : Lower(current_catalog());
      info.name = Lower(name.back());
      info.comment = statement.comment;
      info.location = statement.location;
      RETURN_NOT_OK(store->CreateSchema(info, statement.if_not_exists));
      return result;
    }
    case K::kCreateTable: return CreateTableStatement(statement, result);
    case K::kCreateView: return CreateViewStatement(*statement.create_view, result);
    case K::kDrop: return DropStatement(statement, result);
    case K::kShow: return ShowStatement(statement, result);
    case K::kDescribe: return DescribeStatement(statement, result);
    case K::kUse: {
      std::string type = Lower(statement.object_type);
      const auto& name = statement.name;
      if (type == "catalog") {
        ASSIGN_OR_RAISE(auto found, store->GetCatalog(CatalogKey(name.back())));
        if (!found) {
          return UserError("CATALOG_NOT_FOUND",
                           "The catalog " + Quote(name.back()) + " not found.");
        }
        std::lock_guard<std::mutex> lock(mutex_);
        config_["basin.catalog"] = CatalogKey(name.back());
        config_["basin.schema"] = "default";
        return result;
      }
      std::string cat = name.size() == 2 ? CatalogKey(name[0]) : Lower(current_catalog());
      if (name.size() > 2) {
        return UserError("REQUIRES_SINGLE_PART_NAMESPACE",
                         "A schema name has one or two parts: " + JoinName(name) + ".");
      }
      ASSIGN_OR_RAISE(auto found, store->GetSchema(cat, Lower(name.back())));
      if (!found) {
        return SchemaNotFoundError(cat, Lower(name.back()));
      }
      std::lock_guard<std::mutex> lock(mutex_);
      config_["basin.catalog"] = cat;
      config_["basin.schema"] = Lower(name.back());
      return result;
    }
    default: break;
  }
  return InternalError("not a catalog statement");
}

Result<StatementResult> Session::CreateTableStatement(sql::Statement& statement,
                                                      StatementResult result) {
  sql::CreateTable& create = *statement.create_table;
  if (create.temporary) {
    return UserError("NOT_SUPPORTED_COMMAND_WITHOUT_HIVE_SUPPORT",
                     "CREATE TEMPORARY TABLE is not supported; use CREATE TEMPORARY VIEW.");
  }
  ASSIGN_OR_RAISE(auto name, Qualify(create.name));
  ASSIGN_OR_RAISE(auto* store, Metastore());
  std::string format = Lower(create.using_format.value_or("delta"));
  if (format != "delta" && format != "parquet" && format != "json" && format != "csv" &&
      format != "text") {
    return UserError("UNSUPPORTED_DATASOURCE_FOR_DIRECT_QUERY",
                     "The data source '" + format + "' is not supported for tables.");
  }
  bool replace = create.or_replace || create.replace;
  // CREATE TABLE delta.`/path` makes a Delta table at that path without a catalog entry, as
  // delta-spark does (unless a schema named `delta` exists).
  bool by_path = false;
  if (create.name.size() == 2 && Lower(create.name[0]) == "delta" && format == "delta") {
    ASSIGN_OR_RAISE(auto delta_schema, store->GetSchema(name.catalog, create.name[0]));
    by_path = !delta_schema;
  }
  std::optional<Table> existing;
  if (by_path) {
    if (create.location && *create.location != create.name[1]) {
      return UserError("DELTA_CREATE_TABLE_IDENTIFIER_LOCATION_MISMATCH",
                       "Creating path-based Delta table with a different location isn't "
                       "supported. Identifier: delta.`" + create.name[1] +
                           "`, Location: " + *create.location);
    }
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(create.name[1]));
    const bool exists = delta::Snapshot::Load(root).ok();
    const std::string quoted = "`delta`.`" + create.name[1] + "`";
    if (exists && !replace) {
      if (create.if_not_exists) return result;
      return TableExistsError(quoted);
    }
    if (!exists && create.replace && !create.or_replace) {
      return UserError("TABLE_OR_VIEW_NOT_FOUND",
                       "The table or view " + quoted + " cannot be found (REPLACE TABLE).");
    }
  } else {
    ASSIGN_OR_RAISE(existing, FindTable(name));
    if (existing && existing->is_view) {
      return TableExistsError(name.Quoted());
    }
    if (existing && !replace) {
      if (create.if_not_exists) return result;
      return TableExistsError(name.Quoted());
    }
    if (!existing && create.replace && !create.or_replace) {
      return UserError("TABLE_OR_VIEW_NOT_FOUND",
                       "The table or view " + name.Quoted() + " cannot be found (REPLACE TABLE).");
    }
    ASSIGN_OR_RAISE(auto schema_info, store->GetSchema(name.catalog, name.schema));
    if (!schema_info) {
      return SchemaNotFoundError(name.catalog, name.schema);
    }
  }

  // The location: LOCATION (or a path name) makes an external table; else the managed folder
  // (or the existing table's folder when replacing).
  bool external = create.location.has_value() || by_path;
  std::string location;
  if (by_path) {
    location = create.name[1];
  } else if (external) {
    location = *create.location;
  } else if (existing && !existing->location.empty()) {
    location = existing->location;
  } else {
    location = ManagedLocation(name);
  }

  // Columns.
  arrow::FieldVector fields;
  bool defaults_enabled = false;
  for (const auto& [k, v] : create.properties) {
    if (k == "delta.feature.allowColumnDefaults" && Lower(v) == "supported") {
      defaults_enabled = true;
    }
  }
  for (const auto& column : create.columns) {
    ASSIGN_OR_RAISE(auto field, sql::ToArrowField(column));
    auto meta = field->metadata() ? field->metadata()->Copy()
                                  : std::make_shared<arrow::KeyValueMetadata>();
    if (column.identity) {
      // PROTOCOL.md, "Identity Columns".
      if (field->type()->id() != arrow::Type::INT64) {
        return UserError("DELTA_IDENTITY_COLUMNS_UNSUPPORTED_DATA_TYPE",
                         "DataType " + types::SparkTypeName(*field->type()) +
                             " is not supported for IDENTITY columns.");
      }
      int64_t step = column.identity_step.value_or(1);
      if (step == 0) {
        return UserError("DELTA_IDENTITY_COLUMNS_ILLEGAL_STEP",
                         "IDENTITY column step cannot be 0.");
      }
      meta->Append("delta.identity.start", std::to_string(column.identity_start.value_or(1)));
      meta->Append("delta.identity.step", std::to_string(step));
      meta->Append("delta.identity.allowExplicitInsert",
                   column.identity_always ? "false" : "true");
    }
    if (column.default_value) {
      if (!defaults_enabled) {
        return UserError("WRONG_COLUMN_DEFAULTS_FOR_DELTA_FEATURE_NOT_ENABLED",
                         "Failed to execute CREATE TABLE command because it assigned a column "
                         "DEFAULT value, but the corresponding table feature was not enabled. "
                         "Please retry the command again after executing ALTER TABLE tableName "
                         "SET TBLPROPERTIES('delta.feature.allowColumnDefaults' = "
                         "'supported').");
      }
      meta->Append("CURRENT_DEFAULT", ExpressionText(statement.text, statement.pos.offset,
                                                     *column.default_value,
                                                     {"COMMENT", "NOT", "GENERATED", ",", ")"}));
    }
    if (column.generated_as) {
      std::string text = ExpressionText(statement.text, statement.pos.offset,
                                        *column.generated_as, {});
      meta->Append("delta.generationExpression", text);
    }
    if (meta->size() > 0) field = field->WithMetadata(meta);
    fields.push_back(field);
  }
  std::vector<std::string> partition_by;
  for (const auto& column : create.partition_columns) {
    ASSIGN_OR_RAISE(auto field, sql::ToArrowField(column));
    fields.push_back(field);
    partition_by.push_back(column.name);
  }
  for (const auto& p : create.partitioned_by) {
    if (p.size() != 1) return UserError("PARSE_SYNTAX_ERROR", "A partition column is one name.");
    partition_by.push_back(p[0]);
  }
  std::vector<std::string> cluster_by;
  for (const auto& c : create.clustered_by) {
    if (c.size() != 1) {
      return UserError("UNSUPPORTED_FEATURE.TABLE_OPERATION",
                       "CLUSTER BY a nested field is not supported.");
    }
    cluster_by.push_back(c[0]);
  }
  std::map<std::string, std::string> properties;
  for (const auto& [k, v] : create.properties) properties[k] = v;
  for (const auto& [k, v] : create.options) {
    if (format == "delta" && k.rfind("delta.", 0) == 0) properties[k] = v;
  }

  // CTAS: the query's rows. The parser refuses a column list there (Spark's
  // "Schema may not be specified in a Create Table As Select (CTAS) statement").
  std::shared_ptr<arrow::Table> data;
  if (create.as_query) {
    if (!fields.empty()) return InternalError("a CTAS with a column list got past the parser");
    ASSIGN_OR_RAISE(data, RunQueryAst(*create.as_query));
  }

  if (format != "delta") {
    // A table of plain data files (Spark's file sources): the folder holds part files (in
    // Hive-style partition folders when partitioned); the metastore holds the schema, the
    // partition columns and the reader options.
    if (!cluster_by.empty()) {
      return UserError(
          "UNSUPPORTED_FEATURE.TABLE_OPERATION",
          "CLUSTER BY for " + format + " tables is not supported by Basin yet; use USING DELTA.");
    }
    std::map<std::string, std::string> options;
    for (const auto& [k, v] : create.options) options[Lower(k)] = v;
    if (data) {
      RETURN_NOT_OK(CheckColumnNames(*data->schema()));
      fields = data->schema()->fields();
      for (auto& f : fields) f = f->WithNullable(true);
    }
    if (!partition_by.empty() && !fields.empty()) {
      // Spark moves the partition columns to the end, in PARTITIONED BY order.
      ASSIGN_OR_RAISE(partition_by, ResolvePartitionColumns(fields, partition_by, name.Quoted()));
      arrow::FieldVector reordered;
      for (const auto& f : fields) {
        if (std::find(partition_by.begin(), partition_by.end(), f->name()) == partition_by.end()) {
          reordered.push_back(f);
        }
      }
      for (const auto& p : partition_by) {
        for (const auto& f : fields) {
          if (f->name() == p) reordered.push_back(f);
        }
      }
      fields = reordered;
      if (data) {
        std::vector<int> order;
        for (const auto& f : fields) order.push_back(data->schema()->GetFieldIndex(f->name()));
        ASSIGN_OR_RAISE(data, data->SelectColumns(order));
      }
    }
    if (format == "text") {
      // The rule holds for the columns in the files; partition columns may be of any type.
      size_t in_files = 0;
      for (const auto& f : fields) {
        if (std::find(partition_by.begin(), partition_by.end(), f->name()) != partition_by.end()) {
          continue;
        }
        ++in_files;
        if (f->type()->id() != arrow::Type::STRING) {
          return UserError("UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE",
                           "The Text datasource doesn't support the column `" + f->name() +
                               "` of the type \"" + f->type()->ToString() + "\".");
        }
      }
      if (in_files > 1) {
        return UserError("_LEGACY_ERROR_TEMP_1209",
                         "Text data source supports only a single column, and you have " +
                             std::to_string(in_files) + " columns.");
      }
    }
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(location));
    if (!external) {
      if (existing) {
        // CREATE OR REPLACE of a managed table: the old files go.
        RETURN_NOT_OK(root.fs->DeleteDirContents(root.path, /*missing_dir_ok=*/true));
      } else {
        ASSIGN_OR_RAISE(bool taken, io::Exists(root));
        if (taken) {
          return UserError("LOCATION_ALREADY_EXISTS",
                           "Cannot name the managed table as " + name.Quoted() +
                               ", as its associated location '" + location +
                               "' already exists. Please pick a different table name, or "
                               "remove the existing location first.");
        }
      }
    }
    RETURN_NOT_OK(root.fs->CreateDir(root.path, /*recursive=*/true));
    FileTableWrite write;
    write.format = format;
    write.options = options;
    write.partition_columns = partition_by;
    std::vector<std::string> written;
    if (data) {
      ASSIGN_OR_RAISE(written, WriteFileTableRows(root, data, write, ExecutionOptions().eval));
    }
    catalog::TableInfo info;
    info.catalog = name.catalog;
    info.schema = name.schema;
    info.name = name.name;
    info.type = external ? catalog::TableType::kExternal : catalog::TableType::kManaged;
    info.format = format;
    info.location = location;
    info.comment = create.comment;
    info.properties = properties;
    for (const auto& [k, v] : create.options) info.properties["option." + k] = v;
    SetFileTablePartitionColumns(partition_by, &info.properties);
    if (!partition_by.empty()) {
      // The metastore lists the partitions (Spark's default for partitioned tables); a CTAS
      // lists the ones it wrote, folders already in a LOCATION wait for MSCK REPAIR TABLE.
      SetFileTablePartitionsInCatalog(&info.properties);
      RecordFileTableWrite(write, written, &info.properties);
    }
    if (!fields.empty()) {
      ASSIGN_OR_RAISE(info.view_schema_json, types::SchemaToDeltaJson(*arrow::schema(fields)));
    }
    RETURN_NOT_OK(store->CreateTable(info, replace));
    return result;
  }

  // No query: no rows.
  if (!create.as_query) {
    auto schema = arrow::schema(fields);
    if (fields.empty()) {
      // CREATE TABLE t USING DELTA LOCATION 'path' over an existing table registers it.
      ASSIGN_OR_RAISE(auto root, io::ResolveLocation(location));
      auto snapshot = delta::Snapshot::Load(root);
      if (!snapshot.ok()) {
        return UserError("DELTA_SCHEMA_NOT_SET",
                         "Table schema is not set. Write data into it or use CREATE TABLE to "
                         "set the schema.");
      }
      catalog::TableInfo info;
      info.catalog = name.catalog;
      info.schema = name.schema;
      info.name = name.name;
      info.type = external ? catalog::TableType::kExternal : catalog::TableType::kManaged;
      info.location = location;
      info.comment = create.comment ? create.comment : (*snapshot)->metadata().description;
      if (!by_path) RETURN_NOT_OK(store->CreateTable(info, replace));
      return result;
    }
    ASSIGN_OR_RAISE(data, arrow::Table::MakeEmpty(schema));
  }
  RETURN_NOT_OK(CheckColumnNames(*data->schema()));

  ASSIGN_OR_RAISE(auto root, io::ResolveLocation(location));
  auto snapshot = delta::Snapshot::Load(root);
  bool table_exists = snapshot.ok();
  if (table_exists && !existing && !external) {
    // A managed folder left behind by someone else: Spark refuses to adopt it.
    return UserError("LOCATION_ALREADY_EXISTS",
                     "Cannot name the managed table as " + name.Quoted() +
                         ", as its associated location '" + location +
                         "' already exists. Please pick a different table name, or remove the "
                         "existing location first.");
  }
  if (table_exists && external && !replace && !create.as_query) {
    // CREATE TABLE with columns over an existing Delta table: the schemas must agree.
    auto existing_schema = (*snapshot)->schema();
    bool same = existing_schema->num_fields() == data->schema()->num_fields();
    for (int i = 0; same && i < existing_schema->num_fields(); ++i) {
      same = Lower(existing_schema->field(i)->name()) == Lower(data->schema()->field(i)->name()) &&
             existing_schema->field(i)->type()->Equals(*data->schema()->field(i)->type());
    }
    if (!same) {
      return UserError("DELTA_CREATE_TABLE_SCHEME_MISMATCH",
                       "The specified schema does not match the existing schema at " + location +
                           ".");
    }
  } else {
    delta::WriteOptions options;
    options.partition_by = partition_by;
    options.table_properties = properties;
    options.description = create.comment;
    options.no_empty_file = !create.as_query;
    // Nothing to compute for an empty new table; CTAS rows come from the query as they are (a
    // CTAS has no column list, so no generated columns).
    options.constraints_checked = true;
    options.cluster_by = cluster_by;
    if (table_exists) {
      options.mode = delta::SaveMode::kOverwrite;
      options.overwrite_schema = true;
    } else {
      options.mode = delta::SaveMode::kErrorIfExists;
    }
    std::string op = create.as_query ? " AS SELECT" : "";
    if (create.or_replace) {
      options.operation = "CREATE OR REPLACE TABLE" + op;
    } else if (create.replace) {
      options.operation = "REPLACE TABLE" + op;
    } else {
      options.operation = "CREATE TABLE" + op;
    }
    nlohmann::json partition_json = nlohmann::json::array();
    for (const auto& p : partition_by) partition_json.push_back(p);
    nlohmann::json props = nlohmann::json::object();
    for (const auto& [k, v] : properties) props[k] = v;
    nlohmann::json params = {{"partitionBy", partition_json.dump()},
                             {"clusterBy", [&] {
                                nlohmann::json c = nlohmann::json::array();
                                for (const auto& col : cluster_by) c.push_back(col);
                                return c.dump();
                              }()},
                             {"description", create.comment ? nlohmann::json(*create.comment)
                                                            : nlohmann::json(nullptr)},
                             {"isManaged", external ? "false" : "true"},
                             {"properties", props.dump()}};
    options.operation_parameters = params;
    RETURN_NOT_OK(delta::WriteTable(root, data, options).status());
  }
  catalog::TableInfo info;
  info.catalog = name.catalog;
  info.schema = name.schema;
  info.name = name.name;
  info.type = external ? catalog::TableType::kExternal : catalog::TableType::kManaged;
  info.location = location;
  info.comment = create.comment;
  if (!by_path) RETURN_NOT_OK(store->CreateTable(info, replace));
  InvalidateCache();
  return result;
}

Result<StatementResult> Session::CreateViewStatement(sql::CreateView& view,
                                                     StatementResult result) {
  std::string text = view.query_text;
  if (!view.columns.empty()) {
    std::string cols;
    for (size_t i = 0; i < view.columns.size(); ++i) {
      cols += (i ? ", " : "") + std::string("`") + view.columns[i] + "`";
    }
    text = "SELECT * FROM (" + view.query_text + ") AS v(" + cols + ")";
  }
  if (view.temporary) {
    if (view.name.size() != 1) {
      return UserError("TEMP_VIEW_NAME_TOO_MANY_NAME_PARTS",
                       "CREATE TEMPORARY VIEW expects a single-part view name.");
    }
    std::string key = Lower(view.name[0]);
    RETURN_NOT_OK(Plan(text, /*optimize=*/false).status());
    std::lock_guard<std::mutex> lock(mutex_);
    if (temp_views_.count(key) && !view.or_replace) {
      if (view.if_not_exists) return result;
      return UserError("TEMP_TABLE_OR_VIEW_ALREADY_EXISTS",
                       "Cannot create the temporary view `" + view.name[0] +
                           "` because it already exists.");
    }
    temp_views_[key] = TempView{text, {}};
    return result;
  }
  ASSIGN_OR_RAISE(auto name, Qualify(view.name));
  ASSIGN_OR_RAISE(auto* store, Metastore());
  ASSIGN_OR_RAISE(auto plan, Plan(text, /*optimize=*/false));
  ASSIGN_OR_RAISE(auto existing, FindTable(name));
  if (existing) {
    if (view.if_not_exists) return result;
    if (!view.or_replace || !existing->is_view) {
      if (view.or_replace) {
        return UserError("EXPECT_VIEW_NOT_TABLE.NO_ALTERNATIVE",
                         "The table " + name.Quoted() + " is a table, not a view.");
      }
      return TableExistsError(name.Quoted());
    }
  }
  catalog::TableInfo info;
  info.catalog = name.catalog;
  info.schema = name.schema;
  info.name = name.name;
  info.type = catalog::TableType::kView;
  info.format = "";
  info.comment = view.comment;
  for (const auto& [k, v] : view.properties) info.properties[k] = v;
  info.view_text = text;
  info.view_catalog = Lower(current_catalog());
  info.view_schema = Lower(current_schema());
  ASSIGN_OR_RAISE(info.view_schema_json, types::SchemaToDeltaJson(*plan->schema));
  RETURN_NOT_OK(store->CreateTable(info, view.or_replace));
  return result;
}

Result<StatementResult> Session::DropStatement(sql::Statement& statement,
                                               StatementResult result) {
  ASSIGN_OR_RAISE(auto* store, Metastore());
  std::string type = Lower(statement.object_type);
  const auto& name = statement.name;
  if (type == "view" && name.size() == 1) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (temp_views_.erase(Lower(name[0]))) return result;
  }
  if (type == "table" || type == "view") {
    ASSIGN_OR_RAISE(auto qualified, Qualify(name));
    ASSIGN_OR_RAISE(auto table, FindTable(qualified));
    if (!table) {
      if (statement.if_exists) return result;
      return UserError("TABLE_OR_VIEW_NOT_FOUND",
                       "The table or view " + JoinName(name) +
                           " cannot be found. Verify the spelling and correctness of the schema "
                           "and catalog.");
    }
    // DROP TABLE also drops a view, as Spark does (DROP VIEW of a table is refused).
    if (type == "view" && !table->is_view) {
      return UserError("WRONG_COMMAND_FOR_OBJECT_TYPE",
                       "The operation DROP VIEW requires a VIEW. But " + qualified.Quoted() +
                           " is a TABLE. Use DROP TABLE instead.");
    }
    if (table->info) {
      RETURN_NOT_OK(
          store->DropTable(qualified.catalog, qualified.schema, qualified.name, false).status());
    }
    bool managed = !table->info || table->info->type == catalog::TableType::kManaged;
    if (managed && !table->is_view && !table->location.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(table->location, ec);
    }
    InvalidateCache();
    return result;
  }
  if (type == "schema" || type == "database" || type == "namespace") {
    if (name.empty() || name.size() > 2) {
      return UserError("REQUIRES_SINGLE_PART_NAMESPACE",
                       "A schema name has one or two parts: " + JoinName(name) + ".");
    }
    std::string cat = name.size() == 2 ? CatalogKey(name[0]) : Lower(current_catalog());
    std::string schema = Lower(name.back());
    std::vector<catalog::TableInfo> tables;
    if (statement.cascade) {
      auto listed = store->ListTables(cat, schema);
      if (listed.ok()) tables = *listed;
    }
    RETURN_NOT_OK(store->DropSchema(cat, schema, statement.if_exists, statement.cascade));
    for (const auto& t : tables) {
      if (t.type == catalog::TableType::kManaged && !t.location.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(t.location, ec);
      }
    }
    InvalidateCache();
    return result;
  }
  if (type == "catalog") {
    RETURN_NOT_OK(store->DropCatalog(Lower(name.back()), statement.if_exists, statement.cascade));
    return result;
  }
  if (type == "function") {
    if (name.size() == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (temp_functions_.erase(Lower(name[0]))) return result;
    }
    ASSIGN_OR_RAISE(auto qualified, Qualify(name));
    RETURN_NOT_OK(store->DropFunction(qualified.catalog, qualified.schema, qualified.name,
                                      statement.if_exists));
    return result;
  }
  return UserError("UNSUPPORTED_FEATURE", "DROP " + statement.object_type + " is not supported.");
}

Result<StatementResult> Session::ShowStatement(sql::Statement& statement,
                                               StatementResult result) {
  ASSIGN_OR_RAISE(auto* store, Metastore());
  StatementWords w(statement.words);
  auto like_pattern = [&](std::optional<std::string>* pattern) -> Status {
    w.Accept("LIKE");
    if (!w.AtEnd()) {
      ASSIGN_OR_RAISE(auto p, w.String());
      *pattern = p;
    }
    return w.ExpectEnd();
  };
  if (w.Accept("PARTITIONS")) {
    ASSIGN_OR_RAISE(auto n, w.Name());
    return PartitionStatement("SHOW PARTITIONS", n, w, std::move(result));
  }
  if (w.Accept("CATALOGS")) {
    std::optional<std::string> pattern;
    RETURN_NOT_OK(like_pattern(&pattern));
    ASSIGN_OR_RAISE(auto catalogs, store->ListCatalogs());
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : catalogs) {
      if (!pattern || MatchesShowPattern(*pattern, c.name)) rows.push_back({c.name});
    }
    result.table = StringTable({"catalog"}, rows);
    return result;
  }
  if (w.Accept("SCHEMAS") || w.Accept("DATABASES") || w.Accept("NAMESPACES")) {
    std::string cat = Lower(current_catalog());
    if (w.Accept("FROM") || w.Accept("IN")) {
      ASSIGN_OR_RAISE(auto n, w.Name());
      cat = CatalogKey(n.back());
    }
    std::optional<std::string> pattern;
    RETURN_NOT_OK(like_pattern(&pattern));
    ASSIGN_OR_RAISE(auto found, store->GetCatalog(cat));
    if (!found) return UserError("CATALOG_NOT_FOUND", "The catalog " + Quote(cat) + " not found.");
    ASSIGN_OR_RAISE(auto schemas, store->ListSchemas(cat));
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : schemas) {
      if (!pattern || MatchesShowPattern(*pattern, s.name)) rows.push_back({s.name});
    }
    result.table = StringTable({"namespace"}, rows);
    return result;
  }
  bool show_views = w.At("VIEWS");
  if (w.Accept("TABLES") || w.Accept("VIEWS")) {
    std::string cat = Lower(current_catalog());
    std::string schema = Lower(current_schema());
    if (w.Accept("FROM") || w.Accept("IN")) {
      ASSIGN_OR_RAISE(auto n, w.Name());
      if (n.size() == 2) cat = CatalogKey(n[0]);
      schema = Lower(n.back());
    }
    std::optional<std::string> pattern;
    RETURN_NOT_OK(like_pattern(&pattern));
    ASSIGN_OR_RAISE(auto found, store->GetSchema(cat, schema));
    if (!found) {
      return SchemaNotFoundError(cat, schema);
    }
    ASSIGN_OR_RAISE(auto tables, store->ListTables(cat, schema));
    std::vector<std::vector<std::string>> rows;
    for (const auto& t : tables) {
      if (show_views && t.type != catalog::TableType::kView) continue;
      if (!pattern || MatchesShowPattern(*pattern, t.name)) rows.push_back({schema, t.name, "false"});
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& [view, text] : temp_views_) {
        if (!pattern || MatchesShowPattern(*pattern, view)) rows.push_back({"", view, "true"});
      }
    }
    auto table = StringTable({"namespace", show_views ? "viewName" : "tableName", "isTemporary"},
                             rows);
    // isTemporary is a boolean.
    arrow::BooleanBuilder flags;
    for (const auto& r : rows) RETURN_NOT_OK(flags.Append(r[2] == "true"));
    ASSIGN_OR_RAISE(auto flag_array, flags.Finish());
    ASSIGN_OR_RAISE(table, table->SetColumn(2, arrow::field("isTemporary", arrow::boolean(), false),
                                            std::make_shared<arrow::ChunkedArray>(flag_array)));
    result.table = table;
    return result;
  }
  if (w.Accept("TBLPROPERTIES")) {
    ASSIGN_OR_RAISE(auto n, w.Name());
    std::optional<std::string> key;
    if (w.At("(")) {
      ASSIGN_OR_RAISE(auto keys, w.KeyList());
      if (!keys.empty()) key = keys[0];
    }
    RETURN_NOT_OK(w.ExpectEnd());
    ASSIGN_OR_RAISE(auto props, TableProperties(n));
    std::vector<std::vector<std::string>> rows;
    if (key) {
      auto it = props.find(*key);
      rows.push_back({*key, it != props.end() ? it->second
                                               : "Table " + JoinName(n) +
                                                     " does not have property: " + *key});
    } else {
      for (const auto& [k, v] : props) rows.push_back({k, v});
    }
    result.table = StringTable({"key", "value"}, rows);
    return result;
  }
  if (w.Accept("COLUMNS")) {
    if (!w.Accept("FROM")) RETURN_NOT_OK(w.Expect("IN"));
    ASSIGN_OR_RAISE(auto n, w.Name());
    if (w.Accept("FROM") || w.Accept("IN")) {
      ASSIGN_OR_RAISE(auto db, w.Name());
      n.insert(n.begin(), db.begin(), db.end());
    }
    RETURN_NOT_OK(w.ExpectEnd());
    ASSIGN_OR_RAISE(auto plan, PlanTableName(n));
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : plan->schema->fields()) rows.push_back({f->name()});
    result.table = StringTable({"col_name"}, rows);
    return result;
  }
  if (w.AcceptAll({"CREATE", "TABLE"})) {
    ASSIGN_OR_RAISE(auto n, w.Name());
    w.AcceptAll({"AS", "SERDE"});
    RETURN_NOT_OK(w.ExpectEnd());
    ASSIGN_OR_RAISE(auto text, ShowCreateTable(n));
    result.table = StringTable({"createtab_stmt"}, {{text}});
    return result;
  }
  const bool user_only = w.AcceptAll({"USER", "FUNCTIONS"});
  if (user_only || w.Accept("FUNCTIONS")) {
    std::optional<std::string> pattern;
    w.Accept("LIKE");
    if (!w.AtEnd()) {
      ASSIGN_OR_RAISE(auto p, w.String());
      pattern = p;
    }
    std::vector<std::vector<std::string>> rows;
    ASSIGN_OR_RAISE(auto functions,
                    store->ListFunctions(Lower(current_catalog()), Lower(current_schema())));
    for (const auto& f : functions) {
      std::string full = f.catalog + "." + f.schema + "." + f.name;
      if (!pattern || MatchesShowPattern(*pattern, f.name)) rows.push_back({full});
    }
    // Functions the analyzer resolves itself (special forms, higher-order functions, casts
    // written as type names, current_*) are not in the registry; Spark lists them all.
    static const char* const kAnalyzerFunctions[] = {
        "aggregate", "between", "bigint", "binary", "boolean", "case", "cast", "coalesce",
        "current_catalog", "current_database", "current_schema", "current_user", "date",
        "decimal", "double", "exists", "filter", "float", "forall", "grouping", "grouping_id",
        "in", "input_file_block_length", "input_file_block_start", "input_file_name", "int",
        "map_filter", "map_zip_with", "range", "reduce", "session_user", "smallint",
        "string", "time", "timestamp", "tinyint", "transform", "transform_keys",
        "transform_values", "user", "when", "window", "zip_with"};
    std::set<std::string> builtin;
    if (!user_only) {  // SHOW USER FUNCTIONS: the catalog's functions only
      for (const auto& name : function::BuiltinRegistry().Names()) builtin.insert(name);
      for (const char* name : kAnalyzerFunctions) builtin.insert(name);
    }
    for (const auto& name : builtin) {
      if (!pattern || MatchesShowPattern(*pattern, name)) rows.push_back({name});
    }
    std::sort(rows.begin(), rows.end());
    result.table = StringTable({"function"}, rows);
    return result;
  }
  return UserError("UNSUPPORTED_FEATURE", "SHOW " + w.Rest() + " is not supported.");
}

Result<std::map<std::string, std::string>> Session::TableProperties(
    const std::vector<std::string>& name) {
  ASSIGN_OR_RAISE(auto table, GetTable(name, /*table_only=*/false));
  std::map<std::string, std::string> props;
  if (table.info) {
    for (const auto& [k, v] : table.info->properties) {
      if (!IsFileTableLayoutProperty(k)) props[k] = v;
    }
  }
  if (!table.is_view && table.format == "delta") {
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(table.location));
    ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root));
    for (const auto& [k, v] : snapshot->metadata().configuration) props[k] = v;
    const auto& protocol = snapshot->protocol();
    props["delta.minReaderVersion"] = std::to_string(protocol.min_reader_version);
    props["delta.minWriterVersion"] = std::to_string(protocol.min_writer_version);
    for (const auto& f : protocol.reader_features.value_or(std::vector<std::string>{})) {
      props["delta.feature." + f] = "supported";
    }
    for (const auto& f : protocol.writer_features.value_or(std::vector<std::string>{})) {
      props["delta.feature." + f] = "supported";
    }
  }
  return props;
}

Result<plan::PlanPtr> Session::PlanTableName(const std::vector<std::string>& name) {
  // SELECT * (not TABLE name): the star leaves out the hidden _metadata column.
  sql::Query query;
  query.kind = sql::QueryKind::kSelect;
  auto star = std::make_unique<sql::Expr>();
  star->kind = sql::ExprKind::kStar;
  sql::SelectItem item;
  item.expr = std::move(star);
  query.select_items.push_back(std::move(item));
  query.from = std::make_unique<sql::Relation>();
  query.from->kind = sql::RelationKind::kTable;
  query.from->name_parts = name;
  return AnalyzeQueryAst(query, /*optimize=*/false);
}

Result<std::string> Session::ShowCreateTable(const std::vector<std::string>& name) {
  ASSIGN_OR_RAISE(auto table, GetTable(name, /*table_only=*/false));
  std::string text;
  if (table.is_view) {
    text = "CREATE VIEW " + table.name.Quoted() + " AS " + table.info->view_text;
    return text;
  }
  ASSIGN_OR_RAISE(auto plan, PlanTableName(name));
  text = "CREATE TABLE " + table.name.Quoted() + " (\n";
  for (int i = 0; i < plan->schema->num_fields(); ++i) {
    const auto& f = plan->schema->field(i);
    text += "  " + f->name() + " " + Upper(types::SparkTypeName(*f->type()));
    if (!f->nullable()) text += " NOT NULL";
    if (f->metadata() && f->metadata()->Contains("comment")) {
      text += " COMMENT '" + f->metadata()->Get("comment").ValueOr("") + "'";
    }
    text += i + 1 < plan->schema->num_fields() ? ",\n" : ")\n";
  }
  text += "USING " + table.format + "\n";
  std::vector<std::string> partitions;
  std::map<std::string, std::string> config;
  std::optional<std::string> description;
  if (table.format == "delta") {
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(table.location));
    ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root));
    partitions = snapshot->metadata().partition_columns;
    config = snapshot->metadata().configuration;
    description = snapshot->metadata().description;
  } else if (table.info) {
    partitions = FileTablePartitionColumns(table.info->properties);
  }
  if (!partitions.empty()) {
    text += "PARTITIONED BY (";
    for (size_t i = 0; i < partitions.size(); ++i) text += (i ? ", " : "") + partitions[i];
    text += ")\n";
  }
  if (table.info && table.info->type == catalog::TableType::kExternal) {
    text += "LOCATION '" + table.location + "'\n";
  }
  if (table.info && table.info->comment) description = table.info->comment;
  if (description) text += "COMMENT '" + *description + "'\n";
  if (!config.empty()) {
    text += "TBLPROPERTIES (\n";
    size_t i = 0;
    for (const auto& [k, v] : config) {
      text += "  '" + k + "' = '" + v + "'" + (++i < config.size() ? ",\n" : ")\n");
    }
  }
  return text;
}

// DESCRIBE FUNCTION [EXTENDED] name: one function_desc row per line, labels padded as Spark pads
// them. Built-ins report their name and kind (Basin keeps no usage text for them); SQL functions
// report their signature, and with EXTENDED their comment, body and creation time.
Result<StatementResult> Session::DescribeFunction(StatementWords& w, StatementResult result) {
  bool extended = w.Accept("EXTENDED");
  std::vector<std::string> name;
  if (!w.AtEnd() && (w.Peek()[0] == '\'' || w.Peek()[0] == '"')) {
    ASSIGN_OR_RAISE(auto text, w.String());
    name = {text};
  } else {
    ASSIGN_OR_RAISE(name, w.Name());
  }
  RETURN_NOT_OK(w.ExpectEnd());
  std::vector<std::pair<std::string, std::string>> lines;  // label, value
  if (name.size() == 1) {
    if (auto kind = function::BuiltinRegistry().KindOf(Lower(name[0]))) {
      std::string type = *kind == function::FunctionKind::kAggregate ? "AGGREGATE"
                         : *kind == function::FunctionKind::kWindow  ? "WINDOW"
                         : *kind == function::FunctionKind::kGenerator ? "GENERATOR"
                                                                        : "SCALAR";
      std::vector<std::vector<std::string>> rows = {{"Function: " + Lower(name[0])},
                                                    {"Type: " + type}};
      result.table = StringTable({"function_desc"}, rows);
      return result;
    }
  }
  std::string shown;
  std::vector<catalog::FunctionParameter> parameters;
  std::string return_type, body;
  std::optional<std::string> comment;
  int64_t created_at_ms = 0;
  std::optional<analyzer::Catalog::SqlFunction> temp;
  if (name.size() == 1) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = temp_functions_.find(Lower(name[0]));
    if (it != temp_functions_.end()) temp = it->second;
  }
  if (temp) {
    shown = Lower(name[0]);
    for (const auto& [n, t] : temp->parameters) {
      catalog::FunctionParameter p;
      p.name = n;
      p.type = t;
      parameters.push_back(p);
    }
    return_type = temp->return_type;
    body = temp->body;
  } else {
    std::optional<catalog::FunctionInfo> info;
    if (name.size() <= 3) {
      ASSIGN_OR_RAISE(auto qualified, Qualify(name));
      ASSIGN_OR_RAISE(auto* store, Metastore());
      ASSIGN_OR_RAISE(info, store->GetFunction(qualified.catalog, qualified.schema,
                                               qualified.name));
    }
    if (!info) {
      return UserError("UNRESOLVED_ROUTINE",
                       "Cannot resolve routine " + JoinName(name) +
                           " on search path [`system`.`builtin`, `system`.`session`, " +
                           JoinName({Lower(current_catalog()), Lower(current_schema())}) + "].");
    }
    shown = info->catalog + "." + info->schema + "." + info->name;
    if (!info->class_name.empty()) {
      // A class function (CREATE FUNCTION f AS 'class'): Spark's lines for a function whose
      // class gives no usage.
      std::vector<std::vector<std::string>> rows = {
          {"Function: " + shown}, {"Class: " + info->class_name}, {"Usage: N/A."}};
      if (extended) {
        rows.push_back(
            {"Extended Usage:\n    No example/argument for " + info->name + ".\n"});
      }
      result.table = StringTable({"function_desc"}, rows);
      return result;
    }
    parameters = info->parameters;
    return_type = info->return_type;
    body = info->body;
    comment = info->comment;
    created_at_ms = info->created_at_ms;
  }
  lines.emplace_back("Function:", shown);
  lines.emplace_back("Type:", "SCALAR");
  if (parameters.empty()) lines.emplace_back("Input:", "()");
  for (size_t i = 0; i < parameters.size(); ++i) {
    lines.emplace_back(i == 0 ? "Input:" : "", parameters[i].name + " " + Upper(parameters[i].type));
  }
  lines.emplace_back("Returns:", Upper(return_type));
  if (extended) {
    if (comment) lines.emplace_back("Comment:", *comment);
    // Deterministic unless the body calls a function whose result changes from call to call.
    bool deterministic = true;
    std::string lower = Lower(body);
    for (const char* f : {"rand", "randn", "random", "uuid", "shuffle"}) {
      size_t at = lower.find(f);
      while (at != std::string::npos) {
        size_t end = at + std::string(f).size();
        bool word_start = at == 0 || !(std::isalnum(static_cast<unsigned char>(lower[at - 1])) ||
                                       lower[at - 1] == '_');
        size_t next = end;
        while (next < lower.size() && std::isspace(static_cast<unsigned char>(lower[next]))) ++next;
        if (word_start && next < lower.size() && lower[next] == '(') deterministic = false;
        at = lower.find(f, end);
      }
    }
    lines.emplace_back("Deterministic:", deterministic ? "true" : "false");
    lines.emplace_back("Data Access:", "CONTAINS SQL");
    if (created_at_ms > 0) {
      std::time_t seconds = static_cast<std::time_t>(created_at_ms / 1000);
      std::tm tm{};
      gmtime_r(&seconds, &tm);
      char buffer[64];
      std::strftime(buffer, sizeof(buffer), "%a %b %d %H:%M:%S UTC %Y", &tm);
      lines.emplace_back("Create Time:", buffer);
    }
    lines.emplace_back("Body:", body);
  }
  size_t width = 0;
  for (const auto& [label, value] : lines) width = std::max(width, label.size());
  std::vector<std::vector<std::string>> rows;
  for (const auto& [label, value] : lines) {
    rows.push_back({label + std::string(width + 1 - label.size(), ' ') + value});
  }
  result.table = StringTable({"function_desc"}, rows);
  return result;
}

Result<StatementResult> Session::DescribeStatement(sql::Statement& statement,
                                                   StatementResult result) {
  ASSIGN_OR_RAISE(auto* store, Metastore());
  StatementWords w(statement.words);
  if (w.Accept("CATALOG")) {
    bool extended = w.Accept("EXTENDED");
    ASSIGN_OR_RAISE(auto n, w.Name());
    RETURN_NOT_OK(w.ExpectEnd());
    ASSIGN_OR_RAISE(auto info, store->GetCatalog(CatalogKey(n.back())));
    if (!info) return UserError("CATALOG_NOT_FOUND", "The catalog " + Quote(n.back()) + " not found.");
    std::vector<std::vector<std::string>> rows = {{"Catalog Name", info->name},
                                                  {"Comment", info->comment.value_or("")}};
    if (extended) {
      rows.push_back({"Owner", info->owner});
      rows.push_back({"Properties", PropertiesText(info->properties)});
    }
    result.table = StringTable({"info_name", "info_value"}, rows);
    return result;
  }
  if (w.Accept("SCHEMA") || w.Accept("DATABASE") || w.Accept("NAMESPACE")) {
    bool extended = w.Accept("EXTENDED");
    ASSIGN_OR_RAISE(auto n, w.Name());
    RETURN_NOT_OK(w.ExpectEnd());
    std::string cat = n.size() == 2 ? CatalogKey(n[0]) : Lower(current_catalog());
    ASSIGN_OR_RAISE(auto info, store->GetSchema(cat, Lower(n.back())));
    if (!info) {
      return SchemaNotFoundError(cat, Lower(n.back()));
    }
    std::vector<std::vector<std::string>> rows = {
        {"Catalog Name", info->catalog},
        {"Namespace Name", info->name},
        {"Comment", info->comment.value_or("")},
        {"Location", info->location.value_or((std::filesystem::path(options_.warehouse) /
                                              info->catalog / info->name)
                                                 .string())},
        {"Owner", info->owner}};
    if (extended) rows.push_back({"Properties", PropertiesText(info->properties)});
    result.table = StringTable({"info_name", "info_value"}, rows);
    return result;
  }
  if (w.Accept("FUNCTION")) return DescribeFunction(w, result);
  if (w.At("HISTORY") || w.At("DETAIL")) return InternalError("delta statement");
  w.Accept("TABLE");
  bool extended = w.Accept("EXTENDED") || w.Accept("FORMATTED");
  if (w.Accept("QUERY")) {
    std::string text = w.Rest();
    ASSIGN_OR_RAISE(auto plan, Plan(text, /*optimize=*/false));
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : plan->schema->fields()) {
      rows.push_back({f->name(), types::SparkTypeName(*f->type()), "NULL"});
    }
    result.table = StringTable({"col_name", "data_type", "comment"}, rows);
    return result;
  }
  ASSIGN_OR_RAISE(auto n, w.Name());
  std::optional<std::string> column;
  if (!w.AtEnd()) {
    ASSIGN_OR_RAISE(auto c, w.Name());
    column = c.back();
  }
  RETURN_NOT_OK(w.ExpectEnd());
  ASSIGN_OR_RAISE(auto plan, PlanTableName(n));
  // Column comments: the plan drops field metadata; a Delta table keeps them in its schema.
  std::map<std::string, std::string> comments;
  {
    auto found = GetTable(n, /*table_only=*/false);
    if (found.ok() && !found->is_view && found->format == "delta") {
      auto root = io::ResolveLocation(found->location);
      if (root.ok()) {
        auto snap = delta::Snapshot::Load(*root);
        if (snap.ok()) {
          for (const auto& f : (*snap)->schema()->fields()) {
            if (f->metadata() && f->metadata()->Contains("comment")) {
              comments[f->name()] = f->metadata()->Get("comment").ValueOr("");
            }
          }
        }
      }
    }
  }
  auto comment_of = [&](const arrow::Field& f) -> std::string {
    if (f.metadata() && f.metadata()->Contains("comment")) {
      return f.metadata()->Get("comment").ValueOr("");
    }
    auto it = comments.find(f.name());
    return it != comments.end() ? it->second : "NULL";
  };
  std::vector<std::vector<std::string>> rows;
  if (column) {
    auto field = plan->schema->GetFieldByName(*column);
    if (!field) {
      for (const auto& f : plan->schema->fields()) {
        if (Lower(f->name()) == Lower(*column)) field = f;
      }
    }
    if (!field) {
      return UserError("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION",
                       "A column, variable, or function parameter with name " + Quote(*column) +
                           " cannot be resolved.");
    }
    rows = {{"col_name", field->name()},
            {"data_type", types::SparkTypeName(*field->type())},
            {"comment", comment_of(*field)}};
    result.table = StringTable({"info_name", "info_value"}, rows);
    return result;
  }
  for (const auto& f : plan->schema->fields()) {
    rows.push_back({f->name(), types::SparkTypeName(*f->type()), comment_of(*f)});
  }
  // Temporary views have no catalog entry.
  bool temp = false;
  if (n.size() == 1) {
    std::lock_guard<std::mutex> lock(mutex_);
    temp = temp_views_.count(Lower(n[0])) > 0;
  }
  std::optional<Table> table;
  if (!temp && (n.size() != 1 || !statement_relations_.count(Lower(n[0])))) {
    auto found = GetTable(n, /*table_only=*/false);
    if (found.ok()) table = *found;
  }
  std::shared_ptr<const delta::Snapshot> snapshot;
  if (table && !table->is_view) {
    std::vector<std::string> partitions;
    if (table->format == "delta") {
      ASSIGN_OR_RAISE(auto root, io::ResolveLocation(table->location));
      ASSIGN_OR_RAISE(snapshot, delta::Snapshot::Load(root));
      partitions = snapshot->metadata().partition_columns;
    } else if (table->info) {
      partitions = FileTablePartitionColumns(table->info->properties);
    }
    if (!partitions.empty()) {
      rows.push_back({"# Partition Information", "", ""});
      rows.push_back({"# col_name", "data_type", "comment"});
      for (const auto& p : partitions) {
        auto f = plan->schema->GetFieldByName(p);
        if (f) rows.push_back({f->name(), types::SparkTypeName(*f->type()), comment_of(*f)});
      }
    }
  }
  if (extended && table) {
    rows.push_back({"", "", ""});
    rows.push_back({"# Detailed Table Information", "", ""});
    rows.push_back({"Catalog", table->name.catalog, ""});
    rows.push_back({"Database", table->name.schema, ""});
    rows.push_back({"Table", table->name.name, ""});
    if (table->info && table->info->created_at_ms > 0) {
      rows.push_back({"Created Time", std::to_string(table->info->created_at_ms), ""});
    }
    std::string type = table->info ? catalog::TableTypeName(table->info->type) : "MANAGED";
    rows.push_back({"Type", type, ""});
    if (table->is_view) {
      rows.push_back({"View Text", table->info->view_text, ""});
      rows.push_back({"View Current Catalog", table->info->view_catalog, ""});
      rows.push_back({"View Current Namespace", table->info->view_schema, ""});
    } else {
      rows.push_back({"Location", table->location, ""});
      rows.push_back({"Provider", table->format, ""});
    }
    std::optional<std::string> comment;
    if (table->info) comment = table->info->comment;
    if (!comment && snapshot) comment = snapshot->metadata().description;
    if (comment) rows.push_back({"Comment", *comment, ""});
    if (snapshot) {
      rows.push_back({"Table Properties", PropertiesText(snapshot->metadata().configuration), ""});
    }
  }
  result.table = StringTable({"col_name", "data_type", "comment"}, rows);
  return result;
}

}  // namespace basin::session
