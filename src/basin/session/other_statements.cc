// ALTER TABLE, CREATE CATALOG, COMMENT ON, CACHE / UNCACHE / CLEAR CACHE, REFRESH, and the
// information_schema views.

#include <filesystem>
#include <functional>

#include <nlohmann/json.hpp>

#include "basin/catalog/metastore.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/transaction.h"
#include "basin/delta/type_widening.h"
#include "basin/delta/write.h"
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
// operation name and parameters, upgrading the protocol when the new metadata needs features the
// table does not have yet (delta.enableTypeWidening, delta.feature.<name>, ...).
Status CommitMetadata(const std::string& location, const delta::Metadata& metadata,
                      const std::string& operation, const nlohmann::json& parameters,
                      const std::shared_ptr<const delta::Snapshot>& snapshot) {
  auto txn = delta::Transaction::FromSnapshot(snapshot);
  ASSIGN_OR_RAISE(auto schema, types::SchemaFromDeltaJson(metadata.schema_string));
  auto protocol = delta::UpgradedProtocol(snapshot->protocol(), metadata.configuration, *schema);
  delta::Metadata stored = metadata;
  if (protocol) {
    txn.UpdateProtocol(*protocol);
    // delta-spark keeps delta.feature.<name> in the protocol, not in the configuration.
    for (auto it = stored.configuration.begin(); it != stored.configuration.end();) {
      it = it->first.rfind("delta.feature.", 0) == 0 ? stored.configuration.erase(it)
                                                     : std::next(it);
    }
  }
  txn.UpdateMetadata(stored);
  txn.MarkTableRead();
  return txn.Commit(operation, parameters, nlohmann::json::object()).status();
}


// Returns the source text that follows the first top-level occurrence of the keyword sequence
// `keywords` in `text` (outside quotes and backticks), trimmed; empty when absent.
std::string TextAfterKeywords(const std::string& text, const std::vector<std::string>& keywords) {
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::vector<std::pair<size_t, size_t>> words;  // [begin, end) of top-level words
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '\'' || c == '"' || c == '`') {
      size_t j = i + 1;
      while (j < text.size() && text[j] != c) j += (text[j] == '\\' && c != '`') ? 2 : 1;
      words.emplace_back(i, std::min(j + 1, text.size()));
      i = j + 1;
    } else if (is_word(c)) {
      size_t j = i;
      while (j < text.size() && is_word(text[j])) ++j;
      words.emplace_back(i, j);
      i = j;
    } else {
      ++i;
    }
  }
  for (size_t w = 0; w + keywords.size() <= words.size(); ++w) {
    bool match = true;
    for (size_t k = 0; k < keywords.size() && match; ++k) {
      auto [b, e] = words[w + k];
      match = Upper(text.substr(b, e - b)) == keywords[k];
    }
    if (!match) continue;
    size_t start = words[w + keywords.size() - 1].second;
    size_t end = text.size();
    while (start < end && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
    while (end > start && (std::isspace(static_cast<unsigned char>(text[end - 1])) ||
                           text[end - 1] == ';')) {
      --end;
    }
    return text.substr(start, end - start);
  }
  return "";
}

Status UnresolvedColumn(const std::string& name, const arrow::FieldVector& fields) {
  std::string list;
  for (size_t i = 0; i < fields.size(); ++i) list += (i ? ", " : "") + Quote(fields[i]->name());
  return UserError("UNRESOLVED_COLUMN.WITH_SUGGESTION",
                   "A column, variable, or function parameter with name " + Quote(name) +
                       " cannot be resolved. Did you mean one of the following? [" + list + "].");
}

std::string QuotedName(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + Quote(parts[i]);
  return out;
}

// Edits the field at `path` among `fields`: a column, then struct fields, with "element",
// "key" and "value" stepping into arrays and maps. `edit` gets the sibling list and the index.
using FieldEdit = std::function<Status(arrow::FieldVector*, size_t)>;

Result<arrow::FieldVector> EditFieldAt(const arrow::FieldVector& fields,
                                       const std::vector<std::string>& path, size_t pos,
                                       const FieldEdit& edit);

Result<std::shared_ptr<arrow::DataType>> EditInType(const std::shared_ptr<arrow::DataType>& type,
                                                    const std::vector<std::string>& path,
                                                    size_t pos, const FieldEdit& edit) {
  auto unresolved = [&]() {
    return UserError("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION",
                     "A column, variable, or function parameter with name " + QuotedName(path) +
                         " cannot be resolved.");
  };
  switch (type->id()) {
    case arrow::Type::STRUCT: {
      ASSIGN_OR_RAISE(auto children, EditFieldAt(type->fields(), path, pos, edit));
      return arrow::struct_(children);
    }
    case arrow::Type::LIST:
    case arrow::Type::MAP: {
      const bool is_map = type->id() == arrow::Type::MAP;
      const std::string step = Lower(path[pos]);
      if (pos + 1 == path.size() || (is_map ? step != "key" && step != "value" : step != "element")) {
        return unresolved();
      }
      if (!is_map) {
        auto element = type->field(0);
        ASSIGN_OR_RAISE(auto inner, EditInType(element->type(), path, pos + 1, edit));
        return arrow::list(element->WithType(inner));
      }
      const auto& map = static_cast<const arrow::MapType&>(*type);
      auto key = map.key_field();
      auto item = map.item_field();
      if (step == "key") {
        ASSIGN_OR_RAISE(auto inner, EditInType(key->type(), path, pos + 1, edit));
        key = key->WithType(inner);
      } else {
        ASSIGN_OR_RAISE(auto inner, EditInType(item->type(), path, pos + 1, edit));
        item = item->WithType(inner);
      }
      return std::static_pointer_cast<arrow::DataType>(
          std::make_shared<arrow::MapType>(key, item, map.keys_sorted()));
    }
    default:
      return unresolved();
  }
}

Result<arrow::FieldVector> EditFieldAt(const arrow::FieldVector& fields,
                                       const std::vector<std::string>& path, size_t pos,
                                       const FieldEdit& edit) {
  size_t index = fields.size();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (Lower(fields[i]->name()) == Lower(path[pos])) index = i;
  }
  if (index == fields.size()) {
    return UserError("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION",
                     "A column, variable, or function parameter with name " + QuotedName(path) +
                         " cannot be resolved.");
  }
  arrow::FieldVector out = fields;
  if (pos + 1 == path.size()) {
    RETURN_NOT_OK(edit(&out, index));
    return out;
  }
  ASSIGN_OR_RAISE(auto type, EditInType(fields[index]->type(), path, pos + 1, edit));
  out[index] = out[index]->WithType(type);
  return out;
}

std::string DottedName(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + parts[i];
  return out;
}

// Spark's upper-case type name, as error messages print it ("DECIMAL(5,2)").
std::string TypeText(const arrow::DataType& type) { return Upper(types::SparkTypeName(type)); }

}  // namespace

// ALTER VIEW v AS query | ALTER VIEW v RENAME TO w, for temporary views (the session's, which
// win over a persistent view of the same name) and persistent ones (the metastore's).
Result<StatementResult> Session::AlterView(sql::Statement& statement, StatementResult result) {
  StatementWords w(statement.words);
  RETURN_NOT_OK(w.Expect("ALTER"));
  RETURN_NOT_OK(w.Expect("VIEW"));
  ASSIGN_OR_RAISE(auto name, w.Name());
  ASSIGN_OR_RAISE(auto* store, Metastore());
  std::string key = Lower(name.back());
  bool temp = false;
  if (name.size() == 1) {
    std::lock_guard<std::mutex> lock(mutex_);
    temp = temp_views_.count(key) > 0;
  }
  if (w.AcceptAll({"RENAME", "TO"})) {
    ASSIGN_OR_RAISE(auto new_name, w.Name());
    RETURN_NOT_OK(w.ExpectEnd());
    if (temp) {
      if (new_name.size() != 1) {
        return UserError("_LEGACY_ERROR_TEMP_1074",
                         "RENAME TEMPORARY VIEW from '" + Quote(name[0]) + "' to '" +
                             QuotedName(new_name) + "': cannot specify database name '" +
                             new_name[new_name.size() - 2] + "' in the destination table.");
      }
      std::lock_guard<std::mutex> lock(mutex_);
      std::string new_key = Lower(new_name[0]);
      if (new_key == key) return result;
      if (temp_views_.count(new_key)) {
        return UserError("TABLE_OR_VIEW_ALREADY_EXISTS",
                         "Cannot create table or view " + Quote(new_name[0]) +
                             " because it already exists.");
      }
      temp_views_[new_key] = temp_views_[key];
      temp_views_.erase(key);
      return result;
    }
    ASSIGN_OR_RAISE(auto view, GetTable(name, /*table_only=*/false));
    if (!view.is_view) {
      return UserError("EXPECT_VIEW_NOT_TABLE.USE_ALTER_TABLE",
                       "The table " + Quote(name.back()) +
                           " does not support ALTER VIEW. Please use ALTER TABLE instead.");
    }
    ASSIGN_OR_RAISE(auto qualified, Qualify(new_name));
    if (qualified.catalog != view.name.catalog || qualified.schema != view.name.schema) {
      return UserError("_LEGACY_ERROR_TEMP_1073",
                       "RENAME TABLE source and destination databases do not match: '" +
                           view.name.schema + "' != '" + qualified.schema + "'.");
    }
    RETURN_NOT_OK(store->RenameTable(view.name.catalog, view.name.schema, view.name.name,
                                     qualified.schema, qualified.name));
    InvalidateCache();
    return result;
  }
  RETURN_NOT_OK(w.Expect("AS"));
  std::string text = TextAfterKeywords(statement.text, {"AS"});
  if (w.AtEnd() || text.empty()) return w.SyntaxError();
  if (temp) {
    RETURN_NOT_OK(Plan(text, /*optimize=*/false).status());
    TempView old;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      old = temp_views_[key];
      temp_views_[key] = TempView{text, {}};
    }
    // A view that reads itself only shows when it is planned under its new definition.
    auto check = Plan("SELECT * FROM " + Quote(name[0]), /*optimize=*/false);
    if (!check.ok()) {
      std::lock_guard<std::mutex> lock(mutex_);
      temp_views_[key] = old;
      return check.status();
    }
    InvalidateCache();
    return result;
  }
  ASSIGN_OR_RAISE(auto view, GetTable(name, /*table_only=*/false));
  if (!view.is_view || !view.info) {
    return UserError("EXPECT_VIEW_NOT_TABLE.NO_ALTERNATIVE",
                     "The table " + view.name.Quoted() + " does not support ALTER VIEW ... AS.");
  }
  ASSIGN_OR_RAISE(auto plan, Plan(text, /*optimize=*/false));
  catalog::TableInfo info = *view.info;
  info.view_text = text;
  info.view_catalog = Lower(current_catalog());
  info.view_schema = Lower(current_schema());
  ASSIGN_OR_RAISE(info.view_schema_json, types::SchemaToDeltaJson(*plan->schema));
  RETURN_NOT_OK(store->AlterTable(info));
  InvalidateCache();
  auto check = Plan("SELECT * FROM " + view.name.Quoted(), /*optimize=*/false);
  if (!check.ok()) {
    RETURN_NOT_OK(store->AlterTable(*view.info));
    InvalidateCache();
    return check.status();
  }
  return result;
}

Result<StatementResult> Session::CreateClassFunction(StatementWords& w,
                                                     const std::vector<std::string>& name,
                                                     bool replace, bool temporary,
                                                     bool if_not_exists, StatementResult result) {
  ASSIGN_OR_RAISE(auto class_name, w.String());
  std::vector<catalog::FunctionResource> resources;
  if (w.Accept("USING")) {
    do {
      std::string type = Lower(w.Next());
      if (type != "jar" && type != "file" && type != "archive") {
        return UserError("_LEGACY_ERROR_TEMP_0035",
                         "Operation not allowed: CREATE FUNCTION with resource type '" + type +
                             "'.");
      }
      ASSIGN_OR_RAISE(auto uri, w.String());
      resources.push_back({type, uri});
    } while (w.Accept(","));
  }
  RETURN_NOT_OK(w.ExpectEnd());
  if (temporary) {
    if (name.size() != 1) {
      return UserError("INVALID_TEMP_OBJ_QUALIFIER",
                       "Temporary FUNCTION " + Quote(name.back()) + " cannot be qualified with " +
                           Quote(name[name.size() - 2]) +
                           ". Temporary objects can only be qualified with SESSION or "
                           "SYSTEM.SESSION.");
    }
    // Spark loads the class when it registers a temporary function; Basin has no JVM.
    return UserError("CANNOT_LOAD_FUNCTION_CLASS",
                     "Cannot load class " + class_name + " when registering the function " +
                         Quote(name[0]) + ", please make sure it is on the classpath.");
  }
  ASSIGN_OR_RAISE(auto qualified, Qualify(name));
  catalog::FunctionInfo info;
  info.catalog = qualified.catalog;
  info.schema = qualified.schema;
  info.name = qualified.name;
  info.class_name = class_name;
  info.resources = std::move(resources);
  ASSIGN_OR_RAISE(auto* store, Metastore());
  RETURN_NOT_OK(store->CreateFunction(info, replace, if_not_exists));
  return result;
}

Result<StatementResult> Session::RunOtherStatement(sql::Statement& statement) {
  StatementResult result;
  result.statement = statement.text;
  StatementWords w(statement.words);
  ASSIGN_OR_RAISE(auto* store, Metastore());
  if (w.Accept("ALTER")) {
    if (w.Accept("VIEW")) return AlterView(statement, result);
    RETURN_NOT_OK(w.Expect("TABLE"));
    ASSIGN_OR_RAISE(auto name, w.Name());
    if (w.At("ADD") && (w.At("PARTITION", 1) || w.At("IF", 1))) {
      w.Next();
      return PartitionStatement("ALTER TABLE ... ADD PARTITION ...", name, w, result);
    }
    if (w.At("DROP") && (w.At("PARTITION", 1) || w.At("IF", 1))) {
      w.Next();
      return PartitionStatement("ALTER TABLE ... DROP PARTITION ...", name, w, result);
    }
    if (w.AcceptAll({"RECOVER", "PARTITIONS"})) {
      return PartitionStatement("ALTER TABLE ... RECOVER PARTITIONS", name, w, result);
    }
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
      RETURN_NOT_OK(delta::CheckSupportedTypes(*arrow::schema(fields)));
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
    const bool change = w.At("CHANGE");
    if (w.Accept("ALTER") || w.Accept("CHANGE")) {
      // ALTER [COLUMN] c COMMENT 'text' | SET NOT NULL | DROP NOT NULL | TYPE t |
      // SET DEFAULT expr | DROP DEFAULT | FIRST | AFTER x: a CHANGE COLUMN metadata commit.
      // Hive's form CHANGE [COLUMN] c c type [COMMENT 'text'] [FIRST | AFTER x] does the same.
      // `c` may name a nested field (s.a, arr.element.x, m.value.y).
      w.Accept("COLUMN");
      ASSIGN_OR_RAISE(auto column, w.Name());
      arrow::FieldVector fields = snapshot->schema()->fields();
      int index = -1;
      for (size_t i = 0; i < fields.size(); ++i) {
        if (Lower(fields[i]->name()) == Lower(column[0])) index = static_cast<int>(i);
      }
      if (index < 0) return UnresolvedColumn(column[0], fields);
      std::shared_ptr<arrow::Field> field;
      RETURN_NOT_OK(EditFieldAt(fields, column, 0, [&](arrow::FieldVector* siblings, size_t i) {
                      field = (*siblings)[i];
                      return Status::OK();
                    }).status());
      // FIRST / AFTER x: the position of the field among its siblings.
      std::optional<std::string> after;  // "" = first
      auto accept_position = [&]() -> Status {
        if (w.Accept("FIRST")) {
          after = "";
        } else if (w.Accept("AFTER")) {
          ASSIGN_OR_RAISE(auto other, w.Name());
          after = other.back();
        }
        return Status::OK();
      };
      if (change) {
        // CHANGE c new_name type [COMMENT 'text'] [FIRST | AFTER x]
        ASSIGN_OR_RAISE(auto new_name, w.Name());
        if (Lower(new_name.back()) != Lower(column.back())) {
          return UserError("_LEGACY_ERROR_TEMP_1245",
                           "ALTER TABLE CHANGE COLUMN is not supported for changing column " +
                               QuotedName(column) + " to " + Quote(new_name.back()) +
                               ": renaming needs ALTER TABLE ... RENAME COLUMN.");
        }
        std::string type_text = w.TextUntil({"COMMENT", "FIRST", "AFTER"});
        ASSIGN_OR_RAISE(auto defs, sql::ParseTableSchema(Quote(field->name()) + " " + type_text));
        if (defs.size() != 1 || !defs[0].nullable || defs[0].default_value ||
            defs[0].generated_as || defs[0].identity) {
          return UserError("PARSE_SYNTAX_ERROR",
                           "Syntax error in the type of CHANGE COLUMN: " + type_text + ".");
        }
        ASSIGN_OR_RAISE(auto target, sql::ToArrowField(defs[0]));
        if (!target->type()->Equals(*field->type())) {
          auto widening = metadata.configuration.find("delta.enableTypeWidening");
          bool widening_enabled = widening != metadata.configuration.end() &&
                                  Lower(widening->second) == "true";
          if (!widening_enabled || !delta::IsSupportedTypeWidening(*field->type(), *target->type())) {
            return UserError("DELTA_UNSUPPORTED_ALTER_TABLE_CHANGE_COL_OP",
                             "ALTER TABLE CHANGE COLUMN is not supported for changing column " +
                                 DottedName(column) + " from " + TypeText(*field->type()) +
                                 " to " + TypeText(*target->type()));
          }
          ASSIGN_OR_RAISE(field, delta::WidenFieldType(field, target->type()));
        }
        if (w.Accept("COMMENT")) {
          ASSIGN_OR_RAISE(auto text, w.String());
          auto meta = field->metadata() ? field->metadata()->Copy()
                                        : std::make_shared<arrow::KeyValueMetadata>();
          RETURN_NOT_OK(meta->Set("comment", text));
          field = field->WithMetadata(meta);
        }
        RETURN_NOT_OK(accept_position());
        RETURN_NOT_OK(w.ExpectEnd());
      }
      auto with_meta = [&](const std::string& key, const std::optional<std::string>& value) {
        auto meta = field->metadata() ? field->metadata()->Copy()
                                      : std::make_shared<arrow::KeyValueMetadata>();
        int at = meta->FindKey(key);
        if (at >= 0) (void)meta->Delete(at);
        if (value) meta->Append(key, *value);
        field = field->WithMetadata(meta);
      };
      if (change) {
        // Parsed above.
      } else if (w.At("FIRST") || w.At("AFTER")) {
        RETURN_NOT_OK(accept_position());
        RETURN_NOT_OK(w.ExpectEnd());
      } else if (w.Accept("COMMENT")) {
        ASSIGN_OR_RAISE(auto text, w.String());
        RETURN_NOT_OK(w.ExpectEnd());
        with_meta("comment", text);
      } else if (w.AcceptAll({"SET", "NOT", "NULL"})) {
        RETURN_NOT_OK(w.ExpectEnd());
        // Spark refuses to tighten nullability of an existing column; on a NOT NULL column the
        // statement commits no change of the schema.
        if (field->nullable()) {
          return UserError("_LEGACY_ERROR_TEMP_2330",
                           "Cannot change nullable column to non-nullable: " + field->name() +
                               ".");
        }
      } else if (w.AcceptAll({"DROP", "NOT", "NULL"})) {
        RETURN_NOT_OK(w.ExpectEnd());
        field = field->WithNullable(true);
      } else if (w.AcceptAll({"DROP", "DEFAULT"})) {
        RETURN_NOT_OK(w.ExpectEnd());
        with_meta("CURRENT_DEFAULT", std::nullopt);
      } else if (w.AcceptAll({"SET", "DEFAULT"})) {
        std::string expr = TextAfterKeywords(statement.text, {"SET", "DEFAULT"});
        if (w.AtEnd() || expr.empty()) return w.SyntaxError();
        const auto& protocol = snapshot->protocol();
        auto feature = metadata.configuration.find("delta.feature.allowColumnDefaults");
        bool enabled = protocol.HasWriterFeature("allowColumnDefaults") ||
                       (feature != metadata.configuration.end() &&
                        (Lower(feature->second) == "supported" ||
                         Lower(feature->second) == "enabled"));
        if (!enabled) {
          return UserError("WRONG_COLUMN_DEFAULTS_FOR_DELTA_FEATURE_NOT_ENABLED",
                           "Failed to execute ALTER TABLE command because it assigned a column "
                           "DEFAULT value, but the corresponding table feature was not enabled. "
                           "Please retry the command again after executing ALTER TABLE "
                           "tableName SET TBLPROPERTIES('delta.feature.allowColumnDefaults' = "
                           "'supported').");
        }
        ASSIGN_OR_RAISE(auto plan, Plan("SELECT " + expr, /*optimize=*/false));
        if (plan->schema->num_fields() != 1) return w.SyntaxError();
        // A default is one constant expression: no subquery; a value of another type is taken
        // when it up-casts, or when it is foldable and casts to the column's type.
        bool subquery = plan->kind != plan::PlanKind::kProject;
        bool foldable = true;
        std::function<void(const plan::ExprPtr&)> walk = [&](const plan::ExprPtr& e) {
          if (!e) return;
          using EK = plan::ExprKind;
          if (e->kind == EK::kScalarSubquery || e->kind == EK::kInSubquery ||
              e->kind == EK::kExists) {
            subquery = true;
          }
          if (e->kind == EK::kColumn || e->kind == EK::kOuterColumn ||
              e->kind == EK::kAggregate || e->kind == EK::kWindow ||
              (e->kind == EK::kCall && e->scalar && !e->scalar->deterministic)) {
            foldable = false;
          }
          for (const auto& c : e->children) walk(c);
        };
        if (!subquery) {
          for (const auto& e : plan->exprs) walk(e);
        }
        if (subquery) {
          return UserError("INVALID_DEFAULT_VALUE.SUBQUERY_EXPRESSION",
                           "Failed to execute ALTER TABLE ALTER COLUMN command because the "
                           "destination column or variable " + Quote(field->name()) +
                               " has a DEFAULT value " + expr +
                               ", which contains subquery expressions.");
        }
        const auto& type = plan->schema->field(0)->type();
        bool accepted = type->id() == arrow::Type::NA ||
                        delta::CanAlterColumnType(*type, *field->type());
        if (!accepted && foldable) {
          accepted = Sql("SELECT CAST((" + expr + ") AS " +
                         types::SparkTypeName(*field->type()) + ")")
                         .ok();
        }
        if (!accepted) {
          return UserError("INVALID_DEFAULT_VALUE.DATA_TYPE",
                           "Failed to execute ALTER TABLE ALTER COLUMN command because the "
                           "destination column or variable " + Quote(field->name()) +
                               " has a DEFAULT value " + expr + ", which requires \"" +
                               TypeText(*field->type()) +
                               "\" type, but the statement provided a value of incompatible \"" +
                               TypeText(*type) + "\" type.");
        }
        with_meta("CURRENT_DEFAULT", expr);
      } else if (w.Accept("TYPE")) {
        std::string type_text = w.Rest();
        ASSIGN_OR_RAISE(auto defs, sql::ParseTableSchema(Quote(field->name()) + " " + type_text));
        if (defs.size() != 1 || defs[0].comment || !defs[0].nullable || defs[0].default_value ||
            defs[0].generated_as || defs[0].identity) {
          return UserError("PARSE_SYNTAX_ERROR", "Syntax error in the type of ALTER COLUMN: " +
                                                     type_text + ".");
        }
        ASSIGN_OR_RAISE(auto target, sql::ToArrowField(defs[0]));
        const auto& from = field->type();
        const auto& to = target->type();
        // The same type: nothing to commit.
        if (from->Equals(*to)) return result;
        if (!delta::CanAlterColumnType(*from, *to)) {
          return UserError("NOT_SUPPORTED_CHANGE_COLUMN",
                           "ALTER TABLE ALTER/CHANGE COLUMN is not supported for changing " +
                               table.name.Quoted() + "'s column " + Quote(field->name()) +
                               " with type \"" + TypeText(*from) + "\" to " +
                               Quote(field->name()) + " with type \"" + TypeText(*to) + "\".");
        }
        auto widening = metadata.configuration.find("delta.enableTypeWidening");
        bool widening_enabled = widening != metadata.configuration.end() &&
                                Lower(widening->second) == "true";
        if (!widening_enabled || !delta::IsSupportedTypeWidening(*from, *to)) {
          return UserError("DELTA_UNSUPPORTED_ALTER_TABLE_CHANGE_COL_OP",
                           "ALTER TABLE CHANGE COLUMN is not supported for changing column " +
                               field->name() + " from " + TypeText(*from) + " to " +
                               TypeText(*to));
        }
        // A timestamp without time zone needs its own table feature, which delta-spark does not
        // add on its own here (PROTOCOL.md, "Timestamp without timezone").
        if (to->id() == arrow::Type::TIMESTAMP &&
            !snapshot->protocol().HasWriterFeature("timestampNtz")) {
          std::string supported;
          for (const auto& f : snapshot->protocol().writer_features.value_or(
                   std::vector<std::string>{})) {
            supported += (supported.empty() ? "" : ", ") + f;
          }
          return UserError("DELTA_FEATURES_REQUIRE_MANUAL_ENABLEMENT",
                           "Your table schema requires manually enablement of the following "
                           "table feature(s): timestampNtz. To do this, run the following "
                           "command for each of features listed above: ALTER TABLE table_name "
                           "SET TBLPROPERTIES ('delta.feature.feature_name' = 'supported'). "
                           "Current supported feature(s): " + supported + ".");
        }
        ASSIGN_OR_RAISE(field, delta::WidenFieldType(field, to));
      } else {
        return w.SyntaxError();
      }
      ASSIGN_OR_RAISE(fields, EditFieldAt(fields, column, 0,
                                          [&](arrow::FieldVector* siblings, size_t i) -> Status {
        (*siblings)[i] = field;
        if (!after) return Status::OK();
        siblings->erase(siblings->begin() + static_cast<std::ptrdiff_t>(i));
        size_t at = 0;
        if (!after->empty()) {
          at = siblings->size() + 1;
          for (size_t j = 0; j < siblings->size(); ++j) {
            if (Lower((*siblings)[j]->name()) == Lower(*after)) at = j + 1;
          }
          if (at > siblings->size()) {
            return UserError("FIELD_NOT_FOUND", "No such struct field " + Quote(*after) +
                                                    " in " + QuotedName(column) + "'s siblings.");
          }
        }
        siblings->insert(siblings->begin() + static_cast<std::ptrdiff_t>(at), field);
        return Status::OK();
      }));
      ASSIGN_OR_RAISE(metadata.schema_string, types::SchemaToDeltaJson(*arrow::schema(fields)));
      // The operation parameter shows the column as the statement asked for it.
      auto shown = field;
      if (shown->metadata() && shown->metadata()->Contains("delta.typeChanges")) {
        auto meta = shown->metadata()->Copy();
        (void)meta->Delete("delta.typeChanges");
        shown = shown->WithMetadata(meta);
      }
      ASSIGN_OR_RAISE(auto shown_json, types::SchemaToDeltaJson(*arrow::schema({shown})));
      auto column_json = nlohmann::json::parse(shown_json)["fields"][0];
      RETURN_NOT_OK(CommitMetadata(table.location, metadata, "CHANGE COLUMN",
                                   {{"column", column_json.dump()}}, snapshot));
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
      if (rename) {
        ASSIGN_OR_RAISE(auto old_name, w.Name());
        RETURN_NOT_OK(w.Expect("TO"));
        ASSIGN_OR_RAISE(auto new_name, w.Name());
        RETURN_NOT_OK(w.ExpectEnd());
        const std::string renamed = new_name.back();
        std::string old_leaf;
        ASSIGN_OR_RAISE(fields, EditFieldAt(fields, old_name, 0,
                                            [&](arrow::FieldVector* siblings, size_t i) -> Status {
          for (const auto& f : *siblings) {
            if (f != (*siblings)[i] && Lower(f->name()) == Lower(renamed)) {
              return UserError("DELTA_DUPLICATE_COLUMNS_FOUND",
                               "Found duplicate column(s): " + renamed + ".");
            }
          }
          old_leaf = (*siblings)[i]->name();
          (*siblings)[i] = (*siblings)[i]->WithName(renamed);
          return Status::OK();
        }));
        if (old_name.size() == 1) {
          for (auto& p : metadata.partition_columns) {
            if (p == old_leaf) p = renamed;
          }
        }
        std::vector<std::string> new_path(old_name.begin(), old_name.end() - 1);
        new_path.push_back(renamed);
        ASSIGN_OR_RAISE(metadata.schema_string, types::SchemaToDeltaJson(*arrow::schema(fields)));
        RETURN_NOT_OK(CommitMetadata(table.location, metadata, "RENAME COLUMN",
                                     {{"oldColumnPath", DottedName(old_name)},
                                      {"newColumnPath", DottedName(new_path)}},
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
        if (n.size() == 1) {
          for (const auto& p : metadata.partition_columns) {
            if (Lower(p) == Lower(n.back())) {
              return UserError("DELTA_UNSUPPORTED_DROP_PARTITION_COLUMN",
                               "Dropping partition columns (" + p + ") is not allowed.");
            }
          }
        }
        ASSIGN_OR_RAISE(fields, EditFieldAt(fields, n, 0,
                                            [&](arrow::FieldVector* siblings, size_t i) -> Status {
          if (n.size() > 1 && siblings->size() == 1) {
            return UserError("DELTA_DROP_COLUMN_ON_SINGLE_FIELD_SCHEMA",
                             "Cannot drop column from a struct type with a single field: " +
                                 DottedName(n) + ".");
          }
          siblings->erase(siblings->begin() + static_cast<std::ptrdiff_t>(i));
          return Status::OK();
        }));
        dropped.push_back(DottedName(n));
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
  if (w.AcceptAll({"MSCK", "REPAIR", "TABLE"})) {
    ASSIGN_OR_RAISE(auto name, w.Name());
    return PartitionStatement("MSCK REPAIR TABLE", name, w, result);
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
      if (replace && if_not_exists) {
        return UserError("INVALID_SQL_SYNTAX.CREATE_ROUTINE_WITH_IF_NOT_EXISTS_AND_REPLACE",
                         "Invalid SQL syntax: Cannot create a routine with both IF NOT EXISTS "
                         "and REPLACE specified.");
      }
      ASSIGN_OR_RAISE(auto name, w.Name());
      if (w.Accept("AS")) {
        return CreateClassFunction(w, name, replace, temporary, if_not_exists, result);
      }
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
    if (table.is_view) return result;  // views are recomputed
    if (table.format != "delta") {
      // Data files have no log to tell a change: the rows stay until REFRESH TABLE or a write.
      CachedTable cached;
      cached.location = table.location;
      cached.files = true;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        cache_[table.name.Quoted()] = cached;
      }
      ASSIGN_OR_RAISE(auto rows, Sql("SELECT * FROM " + table.name.Quoted()));
      (void)rows;  // read now, as Spark's cacheTable fills the cache on the first action
      return result;
    }
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
    // Basin reads a Delta log on every query: only cached rows of data-file tables go stale.
    if (w.Accept("TABLE")) {
      ASSIGN_OR_RAISE(auto name, w.Name());
      RETURN_NOT_OK(w.ExpectEnd());
      ASSIGN_OR_RAISE(auto table, GetTable(name, /*table_only=*/false));
      if (!table.is_view && table.format != "delta") ForgetCachedFiles(table.location);
    }
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
