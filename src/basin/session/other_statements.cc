// ALTER TABLE, CREATE CATALOG, COMMENT ON, CACHE / UNCACHE / CLEAR CACHE, REFRESH, and the
// information_schema views.

#include <filesystem>

#include <nlohmann/json.hpp>

#include "basin/catalog/metastore.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/transaction.h"
#include "basin/session/session.h"
#include "basin/base/uuid.h"
#include "basin/session/session_internal.h"
#include "basin/session/statement_words.h"
#include "basin/sql/arrow_type.h"
#include "basin/sql/parser.h"
#include "basin/types/schema_json.h"

namespace basin::session {
namespace {

std::string Quote(const std::string& part) { return "`" + part + "`"; }

// Commits a metadata-only change of a Delta table (properties, schema) with delta-spark's
// operation name and parameters.
Status CommitMetadata(const std::string& location, const delta::Metadata& metadata,
                      const std::string& operation, const nlohmann::json& parameters,
                      const std::shared_ptr<const delta::Snapshot>& snapshot) {
  auto txn = delta::Transaction::FromSnapshot(snapshot);
  txn.UpdateMetadata(metadata);
  txn.MarkTableRead();
  return txn.Commit(operation, parameters, nlohmann::json::object()).status();
}

}  // namespace

Result<StatementResult> Session::RunOtherStatement(sql::Statement& statement) {
  StatementResult result;
  result.statement = statement.text;
  StatementWords w(statement.words);
  ASSIGN_OR_RAISE(auto* store, Metastore());
  if (w.Accept("ALTER")) {
    if (w.Accept("VIEW")) {
      return UserError("UNSUPPORTED_FEATURE", "ALTER VIEW is not supported yet.");
    }
    RETURN_NOT_OK(w.Expect("TABLE"));
    ASSIGN_OR_RAISE(auto name, w.Name());
    ASSIGN_OR_RAISE(auto table, GetTable(name, /*table_only=*/true));
    if (w.AcceptAll({"RENAME", "TO"})) {
      ASSIGN_OR_RAISE(auto new_name, w.Name());
      RETURN_NOT_OK(w.ExpectEnd());
      ASSIGN_OR_RAISE(auto qualified, Qualify(new_name));
      if (qualified.catalog != table.name.catalog) {
        return UserError("UNSUPPORTED_FEATURE", "A table cannot be renamed into another catalog.");
      }
      if (!table.info) {
        return UserError("UNSUPPORTED_FEATURE",
                         "Only tables registered in the catalog can be renamed.");
      }
      RETURN_NOT_OK(store->RenameTable(table.name.catalog, table.name.schema, table.name.name,
                                       qualified.schema, qualified.name));
      InvalidateCache();
      return result;
    }
    if (table.format != "delta") {
      return UserError("UNSUPPORTED_FEATURE", "ALTER TABLE supports Delta tables only.");
    }
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(table.location));
    ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root));
    delta::Metadata metadata = snapshot->metadata();
    if (w.AcceptAll({"SET", "TBLPROPERTIES"})) {
      ASSIGN_OR_RAISE(auto props, w.PropertyList());
      RETURN_NOT_OK(w.ExpectEnd());
      nlohmann::json params = nlohmann::json::object();
      for (const auto& [k, v] : props) {
        if (k == "comment") {
          metadata.description = v;
        } else {
          metadata.configuration[k] = v;
        }
        params[k] = v;
      }
      RETURN_NOT_OK(CommitMetadata(table.location, metadata, "SET TBLPROPERTIES",
                                   {{"properties", params.dump()}}, snapshot));
      return result;
    }
    if (w.AcceptAll({"UNSET", "TBLPROPERTIES"})) {
      bool if_exists = w.AcceptAll({"IF", "EXISTS"});
      ASSIGN_OR_RAISE(auto keys, w.KeyList());
      RETURN_NOT_OK(w.ExpectEnd());
      nlohmann::json removed = nlohmann::json::array();
      for (const auto& k : keys) {
        if (!metadata.configuration.erase(k) && !if_exists) {
          return UserError("UNSET_NONEXISTENT_PROPERTIES",
                           "Attempted to unset non-existent properties [`" + k + "`] in table " +
                               table.name.Quoted() + ".");
        }
        removed.push_back(k);
      }
      RETURN_NOT_OK(CommitMetadata(table.location, metadata, "UNSET TBLPROPERTIES",
                                   {{"properties", removed.dump()},
                                    {"ifExists", if_exists ? "true" : "false"}},
                                   snapshot));
      return result;
    }
    if (w.Accept("ADD")) {
      if (w.Accept("CONSTRAINT")) {
        ASSIGN_OR_RAISE(auto constraint, w.Name());
        RETURN_NOT_OK(w.Expect("CHECK"));
        std::string expr = w.Rest();
        if (expr.size() >= 2 && expr.front() == '(' && expr.back() == ')') {
          expr = expr.substr(1, expr.size() - 2);
        }
        std::string key = "delta.constraints." + Lower(constraint.back());
        if (metadata.configuration.count(key)) {
          return UserError("DELTA_CONSTRAINT_ALREADY_EXISTS",
                           "Constraint '" + constraint.back() +
                               "' already exists. Please delete the old constraint first.");
        }
        // Existing rows must satisfy the new constraint.
        ASSIGN_OR_RAISE(auto violations,
                        Sql("SELECT count(*) FROM delta.`" + table.location + "` WHERE NOT (" +
                            expr + ") OR (" + expr + ") IS NULL"));
        ASSIGN_OR_RAISE(auto count, violations->column(0)->GetScalar(0));
        int64_t bad = std::static_pointer_cast<arrow::Int64Scalar>(count)->value;
        if (bad > 0) {
          return UserError("DELTA_NEW_CHECK_CONSTRAINT_VIOLATION",
                           std::to_string(bad) + " rows in " + table.name.Quoted() +
                               " violate the new CHECK constraint (" + expr + ").");
        }
        metadata.configuration[key] = expr;
        RETURN_NOT_OK(CommitMetadata(table.location, metadata, "ADD CONSTRAINT",
                                     {{"name", constraint.back()}, {"expr", expr}}, snapshot));
        return result;
      }
      if (!w.Accept("COLUMNS")) RETURN_NOT_OK(w.Expect("COLUMN"));
      std::string text = w.Rest();
      if (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
        text = text.substr(1, text.size() - 2);
      }
      ASSIGN_OR_RAISE(auto columns, sql::ParseTableSchema(text));
      arrow::FieldVector fields = snapshot->schema()->fields();
      bool mapping = snapshot->column_mapping_mode() != "none";
      int64_t max_id = 0;
      if (mapping) {
        auto it = metadata.configuration.find("delta.columnMapping.maxColumnId");
        if (it != metadata.configuration.end()) max_id = std::stoll(it->second);
      }
      nlohmann::json added = nlohmann::json::array();
      for (const auto& c : columns) {
        ASSIGN_OR_RAISE(auto field, sql::ToArrowField(c));
        for (const auto& f : fields) {
          if (Lower(f->name()) == Lower(field->name())) {
            return UserError("FIELDS_ALREADY_EXISTS",
                             "Cannot add column, because `" + field->name() +
                                 "` already exists in " + table.name.Quoted() + ".");
          }
        }
        if (!field->nullable()) {
          return UserError("DELTA_ADDING_COLUMN_WITH_NOT_NULL",
                           "Adding a NOT NULL column `" + field->name() +
                               "` to an existing table is not supported.");
        }
        if (mapping) {
          ++max_id;
          auto meta = field->metadata() ? field->metadata()->Copy()
                                        : std::make_shared<arrow::KeyValueMetadata>();
          meta->Append("delta.columnMapping.id", std::to_string(max_id));
          meta->Append("delta.columnMapping.physicalName", "col-" + NewUuid());
          field = field->WithMetadata(meta);
        }
        fields.push_back(field);
        added.push_back({{"column", {{"name", field->name()},
                                     {"type", types::SparkTypeName(*field->type())},
                                     {"nullable", true},
                                     {"metadata", nlohmann::json::object()}}},
                         {"position", nullptr}});
      }
      if (mapping) metadata.configuration["delta.columnMapping.maxColumnId"] = std::to_string(max_id);
      ASSIGN_OR_RAISE(metadata.schema_string, types::SchemaToDeltaJson(*arrow::schema(fields)));
      RETURN_NOT_OK(CommitMetadata(table.location, metadata, "ADD COLUMNS",
                                   {{"columns", added.dump()}}, snapshot));
      return result;
    }
    if (w.AcceptAll({"DROP", "CONSTRAINT"})) {
      bool if_exists = w.AcceptAll({"IF", "EXISTS"});
      ASSIGN_OR_RAISE(auto constraint, w.Name());
      RETURN_NOT_OK(w.ExpectEnd());
      std::string key = "delta.constraints." + Lower(constraint.back());
      auto it = metadata.configuration.find(key);
      if (it == metadata.configuration.end()) {
        if (if_exists) return result;
        return UserError("DELTA_CONSTRAINT_DOES_NOT_EXIST",
                         "Cannot drop nonexistent constraint " + constraint.back() +
                             " from table " + table.name.Quoted() +
                             ". To ignore this error, provide the parameter IF EXISTS.");
      }
      std::string expr = it->second;
      metadata.configuration.erase(it);
      RETURN_NOT_OK(CommitMetadata(table.location, metadata, "DROP CONSTRAINT",
                                   {{"name", constraint.back()}, {"expr", expr}}, snapshot));
      return result;
    }
    if ((w.At("RENAME") && w.At("COLUMN", 1)) || (w.At("DROP") && (w.At("COLUMN", 1) || w.At("COLUMNS", 1)))) {
      bool rename = w.Accept("RENAME");
      if (!rename) w.Accept("DROP");
      if (!w.Accept("COLUMNS")) w.Accept("COLUMN");
      if (snapshot->column_mapping_mode() == "none") {
        return UserError(rename ? "DELTA_UNSUPPORTED_RENAME_COLUMN"
                                : "DELTA_UNSUPPORTED_DROP_COLUMN",
                         std::string(rename ? "RENAME" : "DROP") +
                             " COLUMN is not supported for your Delta table. Please enable Column "
                             "Mapping on your Delta table with mapping mode 'name'. You can use "
                             "ALTER TABLE SET TBLPROPERTIES ('delta.columnMapping.mode' = "
                             "'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' "
                             "= '5').");
      }
      arrow::FieldVector fields = snapshot->schema()->fields();
      auto find = [&](const std::string& n) {
        for (size_t i = 0; i < fields.size(); ++i) {
          if (Lower(fields[i]->name()) == Lower(n)) return static_cast<int>(i);
        }
        return -1;
      };
      if (rename) {
        ASSIGN_OR_RAISE(auto old_name, w.Name());
        RETURN_NOT_OK(w.Expect("TO"));
        ASSIGN_OR_RAISE(auto new_name, w.Name());
        RETURN_NOT_OK(w.ExpectEnd());
        int i = find(old_name.back());
        if (i < 0) {
          return UserError("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION",
                           "A column, variable, or function parameter with name " +
                               Quote(old_name.back()) + " cannot be resolved.");
        }
        if (find(new_name.back()) >= 0) {
          return UserError("DELTA_DUPLICATE_COLUMNS_FOUND",
                           "Found duplicate column(s): " + new_name.back() + ".");
        }
        if (std::find(metadata.partition_columns.begin(), metadata.partition_columns.end(),
                      fields[static_cast<size_t>(i)]->name()) != metadata.partition_columns.end()) {
          for (auto& p : metadata.partition_columns) {
            if (p == fields[static_cast<size_t>(i)]->name()) p = new_name.back();
          }
        }
        fields[static_cast<size_t>(i)] = fields[static_cast<size_t>(i)]->WithName(new_name.back());
        ASSIGN_OR_RAISE(metadata.schema_string, types::SchemaToDeltaJson(*arrow::schema(fields)));
        RETURN_NOT_OK(CommitMetadata(table.location, metadata, "RENAME COLUMN",
                                     {{"oldColumnPath", old_name.back()},
                                      {"newColumnPath", new_name.back()}},
                                     snapshot));
        return result;
      }
      std::vector<std::vector<std::string>> names;
      if (w.At("(")) {
        ASSIGN_OR_RAISE(names, w.NameList());
      } else {
        while (true) {
          ASSIGN_OR_RAISE(auto n, w.Name());
          names.push_back(n);
          if (!w.Accept(",")) break;
        }
      }
      RETURN_NOT_OK(w.ExpectEnd());
      nlohmann::json dropped = nlohmann::json::array();
      for (const auto& n : names) {
        int i = find(n.back());
        if (i < 0) {
          return UserError("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION",
                           "A column, variable, or function parameter with name " +
                               Quote(n.back()) + " cannot be resolved.");
        }
        for (const auto& p : metadata.partition_columns) {
          if (Lower(p) == Lower(n.back())) {
            return UserError("DELTA_UNSUPPORTED_DROP_PARTITION_COLUMN",
                             "Dropping partition columns (" + p + ") is not allowed.");
          }
        }
        dropped.push_back(fields[static_cast<size_t>(i)]->name());
        fields.erase(fields.begin() + i);
      }
      if (fields.empty()) {
        return UserError("DELTA_DROP_COLUMN_ON_SINGLE_FIELD_SCHEMA",
                         "Cannot drop column from a schema with a single column.");
      }
      ASSIGN_OR_RAISE(metadata.schema_string, types::SchemaToDeltaJson(*arrow::schema(fields)));
      RETURN_NOT_OK(CommitMetadata(table.location, metadata, "DROP COLUMNS",
                                   {{"columns", dropped.dump()}}, snapshot));
      return result;
    }
    return UserError("UNSUPPORTED_FEATURE",
                     "This ALTER TABLE form is not supported yet: " + statement.text + ".");
  }
  if (w.Accept("CREATE")) {
    if (w.Accept("CATALOG")) {
      bool if_not_exists = w.AcceptAll({"IF", "NOT", "EXISTS"});
      ASSIGN_OR_RAISE(auto name, w.Name());
      catalog::CatalogInfo info;
      info.name = Lower(name.back());
      if (w.Accept("COMMENT")) {
        ASSIGN_OR_RAISE(auto c, w.String());
        info.comment = c;
      }
      RETURN_NOT_OK(w.ExpectEnd());
      RETURN_NOT_OK(store->CreateCatalog(info, if_not_exists));
      return result;
    }
    // CREATE [OR REPLACE] [TEMPORARY] FUNCTION [IF NOT EXISTS] name(p type, ...)
    // RETURNS type [COMMENT 'c'] RETURN expr.
    bool replace = w.AcceptAll({"OR", "REPLACE"});
    bool temporary = w.Accept("TEMPORARY") || w.Accept("TEMP");
    if (w.Accept("FUNCTION")) {
      bool if_not_exists = w.AcceptAll({"IF", "NOT", "EXISTS"});
      ASSIGN_OR_RAISE(auto name, w.Name());
      RETURN_NOT_OK(w.Expect("("));
      catalog::FunctionInfo info;
      analyzer::Catalog::SqlFunction fn;
      if (!w.Accept(")")) {
        while (true) {
          ASSIGN_OR_RAISE(auto param, w.Name());
          std::string type = w.TextUntil({",", ")", "COMMENT", "DEFAULT"});
          if (type.empty()) return w.SyntaxError();
          catalog::FunctionParameter p;
          p.name = param.back();
          p.type = type;
          if (w.Accept("COMMENT")) {
            ASSIGN_OR_RAISE(auto c, w.String());
            p.comment = c;
          }
          info.parameters.push_back(p);
          fn.parameters.emplace_back(p.name, p.type);
          if (w.Accept(",")) continue;
          RETURN_NOT_OK(w.Expect(")"));
          break;
        }
      }
      RETURN_NOT_OK(w.Expect("RETURNS"));
      info.return_type = w.TextUntil({"RETURN", "COMMENT", "LANGUAGE", "DETERMINISTIC",
                                      "CONTAINS", "READS"});
      while (!w.At("RETURN")) {
        if (w.AtEnd()) return w.SyntaxError();
        if (w.Accept("COMMENT")) {
          ASSIGN_OR_RAISE(auto c, w.String());
          info.comment = c;
        } else {
          w.Next();  // LANGUAGE SQL, DETERMINISTIC, CONTAINS SQL, ...
        }
      }
      RETURN_NOT_OK(w.Expect("RETURN"));
      info.body = w.Rest();
      if (info.body.empty()) return w.SyntaxError();
      fn.return_type = info.return_type;
      fn.body = info.body;
      // Check the body now: it must bind over the parameters.
      {
        std::string probe = "SELECT CAST((" + info.body + ") AS " + info.return_type + ") FROM " +
                            "(SELECT ";
        for (size_t i = 0; i < fn.parameters.size(); ++i) {
          probe += (i ? ", " : "") + std::string("CAST(NULL AS ") + fn.parameters[i].second +
                   ") AS `" + fn.parameters[i].first + "`";
        }
        if (fn.parameters.empty()) probe += "1 AS `__basin_no_parameters`";
        probe += ")";
        RETURN_NOT_OK(Plan(probe, /*optimize=*/false).status());
      }
      if (temporary) {
        if (name.size() != 1) {
          return UserError("INVALID_TEMP_OBJ_QUALIFIER",
                           "A temporary function name must have one part.");
        }
        std::lock_guard<std::mutex> lock(mutex_);
        std::string key = Lower(name[0]);
        if (temp_functions_.count(key) && !replace) {
          if (if_not_exists) return result;
          return UserError("ROUTINE_ALREADY_EXISTS",
                           "Cannot create the function `" + name[0] +
                               "` because it already exists.");
        }
        temp_functions_[key] = fn;
        return result;
      }
      ASSIGN_OR_RAISE(auto qualified, Qualify(name));
      info.catalog = qualified.catalog;
      info.schema = qualified.schema;
      info.name = qualified.name;
      RETURN_NOT_OK(store->CreateFunction(info, replace, if_not_exists));
      return result;
    }
    return UserError("UNSUPPORTED_FEATURE",
                     "This CREATE statement is not supported yet: " + statement.text + ".");
  }
  if (w.AcceptAll({"COMMENT", "ON"})) {
    if (w.Accept("TABLE")) {
      ASSIGN_OR_RAISE(auto name, w.Name());
      RETURN_NOT_OK(w.Expect("IS"));
      std::optional<std::string> comment;
      if (!w.Accept("NULL")) {
        ASSIGN_OR_RAISE(auto c, w.String());
        comment = c;
      }
      RETURN_NOT_OK(w.ExpectEnd());
      ASSIGN_OR_RAISE(auto table, GetTable(name, /*table_only=*/false));
      if (table.info) {
        auto info = *table.info;
        info.comment = comment;
        RETURN_NOT_OK(store->AlterTable(info));
      }
      if (!table.is_view && table.format == "delta") {
        ASSIGN_OR_RAISE(auto root, io::ResolveLocation(table.location));
        ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root));
        auto metadata = snapshot->metadata();
        metadata.description = comment;
        nlohmann::json props = {{"comment", comment.value_or("")}};
        RETURN_NOT_OK(CommitMetadata(table.location, metadata, "SET TBLPROPERTIES",
                                     {{"properties", props.dump()}}, snapshot));
      }
      return result;
    }
    bool is_schema = w.Accept("SCHEMA") || w.Accept("DATABASE");
    bool is_catalog = !is_schema && w.Accept("CATALOG");
    if (is_schema || is_catalog) {
      ASSIGN_OR_RAISE(auto name, w.Name());
      RETURN_NOT_OK(w.Expect("IS"));
      std::optional<std::string> comment;
      if (!w.Accept("NULL")) {
        ASSIGN_OR_RAISE(auto c, w.String());
        comment = c;
      }
      RETURN_NOT_OK(w.ExpectEnd());
      if (is_catalog) {
        ASSIGN_OR_RAISE(auto info, store->GetCatalog(Lower(name.back())));
        if (!info) {
          return UserError("CATALOG_NOT_FOUND", "The catalog " + Quote(name.back()) + " not found.");
        }
        info->comment = comment;
        RETURN_NOT_OK(store->AlterCatalog(*info));
        return result;
      }
      std::string cat = name.size() == 2 ? Lower(name[0]) : Lower(current_catalog());
      ASSIGN_OR_RAISE(auto info, store->GetSchema(cat, Lower(name.back())));
      if (!info) {
        return SchemaNotFoundError(cat, Lower(name.back()));
      }
      info->comment = comment;
      RETURN_NOT_OK(store->AlterSchema(*info));
      return result;
    }
    return w.SyntaxError();
  }
  if (w.Accept("CACHE")) {
    w.Accept("LAZY");
    RETURN_NOT_OK(w.Expect("TABLE"));
    ASSIGN_OR_RAISE(auto name, w.Name());
    if (w.Accept("OPTIONS")) RETURN_NOT_OK(w.PropertyList().status());
    if (w.Accept("AS")) {
      std::string query = w.Rest();
      if (name.size() != 1) {
        return UserError("TEMP_VIEW_NAME_TOO_MANY_NAME_PARTS",
                         "CACHE TABLE ... AS expects a single-part name.");
      }
      RETURN_NOT_OK(Plan(query, /*optimize=*/false).status());
      std::lock_guard<std::mutex> lock(mutex_);
      temp_views_[Lower(name[0])] = TempView{query, {}};
      return result;
    }
    RETURN_NOT_OK(w.ExpectEnd());
    ASSIGN_OR_RAISE(auto table, GetTable(name, /*table_only=*/false));
    if (table.is_view || table.format != "delta") return result;  // views are recomputed
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(table.location));
    ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root));
    ASSIGN_OR_RAISE(auto data,
                    Sql("SELECT * FROM delta.`" + table.location + "` VERSION AS OF " +
                        std::to_string(snapshot->version())));
    CachedTable cached;
    cached.location = table.location;
    cached.version = snapshot->version();
    cached.data = data;
    std::lock_guard<std::mutex> lock(mutex_);
    cache_[table.name.Quoted()] = cached;
    return result;
  }
  if (w.Accept("UNCACHE")) {
    RETURN_NOT_OK(w.Expect("TABLE"));
    bool if_exists = w.AcceptAll({"IF", "EXISTS"});
    ASSIGN_OR_RAISE(auto name, w.Name());
    RETURN_NOT_OK(w.ExpectEnd());
    auto table = GetTable(name, /*table_only=*/false);
    if (!table.ok()) {
      if (if_exists) return result;
      return table.status();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    cache_.erase(table->name.Quoted());
    return result;
  }
  if (w.AcceptAll({"CLEAR", "CACHE"})) {
    RETURN_NOT_OK(w.ExpectEnd());
    std::lock_guard<std::mutex> lock(mutex_);
    cache_.clear();
    return result;
  }
  if (w.Accept("REFRESH")) {
    // Basin reads the log on every query: there is nothing stale to refresh.
    return result;
  }
  std::string text = statement.text;
  if (text.size() > 60) text = text.substr(0, 60) + "...";
  return UserError("UNSUPPORTED_FEATURE", "This statement is not supported yet: " + text);
}

Result<std::optional<plan::PlanPtr>> Session::InformationSchema(const TableName& name) {
  ASSIGN_OR_RAISE(auto* store, Metastore());
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  ASSIGN_OR_RAISE(auto catalogs, store->ListCatalogs());
  if (name.name == "catalogs") {
    columns = {"catalog_name", "comment"};
    for (const auto& c : catalogs) rows.push_back({c.name, c.comment.value_or("")});
  } else if (name.name == "schemata") {
    columns = {"catalog_name", "schema_name", "comment"};
    ASSIGN_OR_RAISE(auto schemas, store->ListSchemas(name.catalog));
    for (const auto& s : schemas) rows.push_back({s.catalog, s.name, s.comment.value_or("")});
  } else if (name.name == "tables" || name.name == "views" || name.name == "columns") {
    ASSIGN_OR_RAISE(auto schemas, store->ListSchemas(name.catalog));
    if (name.name == "tables") {
      columns = {"table_catalog", "table_schema", "table_name", "table_type", "data_source_format",
                 "comment"};
    } else if (name.name == "views") {
      columns = {"table_catalog", "table_schema", "table_name", "view_definition"};
    } else {
      columns = {"table_catalog", "table_schema", "table_name", "column_name", "ordinal_position",
                 "data_type", "is_nullable", "comment"};
    }
    for (const auto& s : schemas) {
      ASSIGN_OR_RAISE(auto tables, store->ListTables(s.catalog, s.name));
      for (const auto& t : tables) {
        if (name.name == "tables") {
          rows.push_back({t.catalog, t.schema, t.name, catalog::TableTypeName(t.type),
                          t.type == catalog::TableType::kView ? "" : Upper(t.format),
                          t.comment.value_or("")});
        } else if (name.name == "views") {
          if (t.type == catalog::TableType::kView) {
            rows.push_back({t.catalog, t.schema, t.name, t.view_text});
          }
        } else {
          auto plan = PlanTableName({t.catalog, t.schema, t.name});
          if (!plan.ok()) continue;  // a broken table or view does not hide the others
          int position = 0;
          for (const auto& f : (*plan)->schema->fields()) {
            std::string comment;
            if (f->metadata() && f->metadata()->Contains("comment")) {
              comment = f->metadata()->Get("comment").ValueOr("");
            }
            rows.push_back({t.catalog, t.schema, t.name, f->name(), std::to_string(position++),
                            Upper(types::SparkTypeName(*f->type())), f->nullable() ? "YES" : "NO",
                            comment});
          }
        }
      }
    }
  } else {
    return std::optional<plan::PlanPtr>();
  }
  auto node = std::make_shared<plan::PlanNode>();
  node->kind = plan::PlanKind::kValues;
  node->values = StringTable(columns, rows);
  node->schema = node->values->schema();
  return std::optional<plan::PlanPtr>(node);
}

}  // namespace basin::session
