#include "basin/connect/catalog_relation.h"
#include "basin/connect/relation_queries.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "basin/connect/data_type.h"
#include "basin/connect/sql_text.h"
#include "basin/sql/parser.h"
#include "basin/types/schema_json.h"

namespace basin::connect {

namespace {

namespace pb = spark::connect;
using Strings = std::vector<std::optional<std::string>>;


// Columns of a result built row by row.
class RowsBuilder {
 public:
  void AddString(const std::string& name, Strings values) {
    arrow::StringBuilder b;
    for (const auto& v : values) {
      status_ &= v ? b.Append(*v) : b.AppendNull();
    }
    Finish(arrow::field(name, arrow::utf8()), &b);
  }
  void AddBool(const std::string& name, const std::vector<bool>& values) {
    arrow::BooleanBuilder b;
    for (bool v : values) status_ &= b.Append(v);
    Finish(arrow::field(name, arrow::boolean(), false), &b);
  }
  void AddStringList(const std::string& name,
                     const std::vector<std::optional<std::vector<std::string>>>& values) {
    auto type = arrow::list(arrow::field("element", arrow::utf8()));
    arrow::ListBuilder b(arrow::default_memory_pool(), std::make_shared<arrow::StringBuilder>(),
                         type);
    auto* items = static_cast<arrow::StringBuilder*>(b.value_builder());
    for (const auto& v : values) {
      if (!v) {
        status_ &= b.AppendNull();
        continue;
      }
      status_ &= b.Append();
      for (const auto& s : *v) status_ &= items->Append(s);
    }
    Finish(arrow::field(name, type), &b);
  }
  Result<std::shared_ptr<arrow::Table>> Table() {
    RETURN_NOT_OK(status_);
    return arrow::Table::Make(arrow::schema(fields_), columns_);
  }

 private:
  void Finish(std::shared_ptr<arrow::Field> field, arrow::ArrayBuilder* builder) {
    std::shared_ptr<arrow::Array> array;
    status_ &= builder->Finish(&array);
    if (!status_.ok()) return;
    fields_.push_back(std::move(field));
    columns_.push_back(std::move(array));
  }
  Status status_;
  std::vector<std::shared_ptr<arrow::Field>> fields_;
  std::vector<std::shared_ptr<arrow::Array>> columns_;
};

// The values of column `name` of `table` as text (null stays null).
Result<Strings> Column(const arrow::Table& table, const std::string& name) {
  auto column = table.GetColumnByName(name);
  if (!column) return InternalError("a catalog result lacks column " + name);
  Strings out;
  for (const auto& chunk : column->chunks()) {
    for (int64_t i = 0; i < chunk->length(); ++i) {
      if (chunk->IsNull(i)) {
        out.emplace_back();
        continue;
      }
      ASSIGN_OR_RAISE(auto scalar, chunk->GetScalar(i));
      out.push_back(scalar->ToString());
    }
  }
  return out;
}

Result<sql::QueryPtr> EmptyResult(PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto table, arrow::Table::MakeEmpty(arrow::schema({})));
  return ValuesQuery(std::move(table), translator);
}

Result<sql::QueryPtr> ValueResult(std::optional<std::string> value, PlanTranslator& translator) {
  RowsBuilder rows;
  rows.AddString("value", {std::move(value)});
  ASSIGN_OR_RAISE(auto table, rows.Table());
  return ValuesQuery(std::move(table), translator);
}

Result<sql::QueryPtr> BoolResult(bool value, PlanTranslator& translator) {
  RowsBuilder rows;
  rows.AddBool("value", {value});
  ASSIGN_OR_RAISE(auto table, rows.Table());
  return ValuesQuery(std::move(table), translator);
}

Result<std::shared_ptr<arrow::Table>> Sql(PlanTranslator& translator, const std::string& text) {
  return translator.session().Sql(text);
}

// "db" + "t" -> "`db`.`t`"; a table name alone may already be qualified.
Result<std::string> TableName(const std::string& table, const std::string& database) {
  ASSIGN_OR_RAISE(auto parts, sql::ParseMultipartIdentifier(table));
  if (!database.empty()) {
    ASSIGN_OR_RAISE(auto db, sql::ParseMultipartIdentifier(database));
    parts.insert(parts.begin(), db.begin(), db.end());
  }
  return QuoteParts(parts);
}

std::string LikeClause(bool has_pattern, const std::string& pattern) {
  return has_pattern ? " LIKE " + QuoteString(pattern) : "";
}

// The catalog and schema a database name stands for ("db" or "cat.db").
Result<std::pair<std::string, std::string>> Namespace(const std::string& name,
                                                      PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto parts, sql::ParseMultipartIdentifier(name));
  if (parts.size() == 1) return std::make_pair(translator.session().current_catalog(), parts[0]);
  if (parts.size() == 2) return std::make_pair(parts[0], parts[1]);
  return UserError("REQUIRES_SINGLE_PART_NAMESPACE",
                   "A database name has one or two parts: " + name + ".");
}

// Database rows (name, catalog, description, locationUri) of the schemas of `catalog` whose
// names pass `keep`.
Result<std::shared_ptr<arrow::Table>> DatabaseRows(
    const std::string& catalog, const std::function<bool(const std::string&)>& keep,
    PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto schemata,
                  Sql(translator, "SELECT schema_name, comment FROM " + QuoteIdentifier(catalog) +
                                      ".information_schema.schemata ORDER BY schema_name"));
  ASSIGN_OR_RAISE(auto names, Column(*schemata, "schema_name"));
  ASSIGN_OR_RAISE(auto comments, Column(*schemata, "comment"));
  Strings name_col, catalog_col, description_col, location_col;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!names[i] || !keep(*names[i])) continue;
    name_col.push_back(names[i]);
    catalog_col.push_back(catalog);
    // Spark describes a schema without a comment as "" (tables without one as null).
    description_col.push_back(comments[i] ? comments[i] : std::optional<std::string>(""));
    location_col.push_back("file:" + translator.session().warehouse() + "/" + catalog + "/" +
                           *names[i]);
  }
  RowsBuilder rows;
  rows.AddString("name", name_col);
  rows.AddString("catalog", catalog_col);
  rows.AddString("description", description_col);
  rows.AddString("locationUri", location_col);
  return rows.Table();
}

// Table rows (name, catalog, namespace, description, tableType, isTemporary) of SHOW TABLES /
// SHOW VIEWS output, with types and comments from information_schema.
Result<std::shared_ptr<arrow::Table>> TableRows(const arrow::Table& shown,
                                                const std::string& name_column,
                                                const std::string& catalog,
                                                PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto namespaces, Column(shown, "namespace"));
  ASSIGN_OR_RAISE(auto names, Column(shown, name_column));
  ASSIGN_OR_RAISE(auto temporary, Column(shown, "isTemporary"));
  // (schema, name) -> (type, comment)
  std::map<std::pair<std::string, std::string>,
           std::pair<std::optional<std::string>, std::optional<std::string>>>
      info;
  ASSIGN_OR_RAISE(auto tables,
                  Sql(translator, "SELECT table_schema, table_name, table_type, comment FROM " +
                                      QuoteIdentifier(catalog) + ".information_schema.tables"));
  ASSIGN_OR_RAISE(auto t_schema, Column(*tables, "table_schema"));
  ASSIGN_OR_RAISE(auto t_name, Column(*tables, "table_name"));
  ASSIGN_OR_RAISE(auto t_type, Column(*tables, "table_type"));
  ASSIGN_OR_RAISE(auto t_comment, Column(*tables, "comment"));
  for (size_t i = 0; i < t_name.size(); ++i) {
    info[{Lower(t_schema[i].value_or("")), Lower(t_name[i].value_or(""))}] = {
        t_type[i], t_comment[i] && !t_comment[i]->empty() ? t_comment[i] : std::nullopt};
  }
  Strings name_col, catalog_col, description_col, type_col;
  std::vector<std::optional<std::vector<std::string>>> namespace_col;
  std::vector<bool> temporary_col;
  for (size_t i = 0; i < names.size(); ++i) {
    bool temp = temporary[i].value_or("false") == "true";
    name_col.push_back(names[i]);
    temporary_col.push_back(temp);
    if (temp) {
      catalog_col.emplace_back();
      namespace_col.push_back(std::vector<std::string>{});
      description_col.emplace_back();
      type_col.push_back("TEMPORARY");
      continue;
    }
    catalog_col.push_back(catalog);
    namespace_col.push_back(std::vector<std::string>{namespaces[i].value_or("")});
    auto it = info.find({Lower(namespaces[i].value_or("")), Lower(names[i].value_or(""))});
    if (it != info.end()) {
      type_col.push_back(it->second.first);
      description_col.push_back(it->second.second);
    } else {
      type_col.push_back("MANAGED");
      description_col.emplace_back();
    }
  }
  RowsBuilder rows;
  rows.AddString("name", name_col);
  rows.AddString("catalog", catalog_col);
  rows.AddStringList("namespace", namespace_col);
  rows.AddString("description", description_col);
  rows.AddString("tableType", type_col);
  rows.AddBool("isTemporary", temporary_col);
  return rows.Table();
}

bool IsTempView(const std::string& name, PlanTranslator& translator) {
  auto parts = sql::ParseMultipartIdentifier(name);
  if (!parts.ok() || parts->size() != 1) return false;
  auto views = translator.session().TempViewNames();
  return std::find(views.begin(), views.end(), Lower((*parts)[0])) != views.end();
}

// The Table row of one table or view, or TABLE_OR_VIEW_NOT_FOUND.
Result<std::shared_ptr<arrow::Table>> OneTable(const std::string& table,
                                               const std::string& database,
                                               PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto parts, sql::ParseMultipartIdentifier(table));
  if (!database.empty()) {
    ASSIGN_OR_RAISE(auto db, sql::ParseMultipartIdentifier(database));
    parts.insert(parts.begin(), db.begin(), db.end());
  }
  auto& session = translator.session();
  std::string catalog = session.current_catalog();
  std::string schema = session.current_schema();
  if (parts.size() == 1 && IsTempView(parts[0], translator)) {
    ASSIGN_OR_RAISE(auto shown, Sql(translator, "SHOW TABLES LIKE " + QuoteString(parts[0])));
    ASSIGN_OR_RAISE(auto rows, TableRows(*shown, "tableName", catalog, translator));
    ASSIGN_OR_RAISE(auto temp, Column(*rows, "isTemporary"));
    for (size_t i = 0; i < temp.size(); ++i) {
      if (temp[i] == "true") return rows->Slice(i, 1);
    }
  }
  if (parts.size() == 3) {
    catalog = parts[0];
    schema = parts[1];
  } else if (parts.size() == 2) {
    schema = parts[0];
  } else if (parts.size() != 1) {
    return UserError("TABLE_OR_VIEW_NOT_FOUND", "The table or view " + table + " cannot be found.");
  }
  auto not_found = [&] {
    return UserError("TABLE_OR_VIEW_NOT_FOUND",
                     "The table or view " + QuoteParts(parts) +
                         " cannot be found. Verify the spelling and correctness of the schema "
                         "and catalog.\nIf you did not qualify the name with a schema, verify the "
                         "current_schema() output, or qualify the name with the correct schema "
                         "and catalog.");
  };
  auto shown = Sql(translator, "SHOW TABLES IN " + QuoteParts({catalog, schema}) + " LIKE " +
                                   QuoteString(parts.back()));
  if (!shown.ok()) return not_found();
  ASSIGN_OR_RAISE(auto rows, TableRows(**shown, "tableName", catalog, translator));
  ASSIGN_OR_RAISE(auto names, Column(*rows, "name"));
  ASSIGN_OR_RAISE(auto temp, Column(*rows, "isTemporary"));
  for (size_t i = 0; i < names.size(); ++i) {
    if (temp[i] != "true" && Lower(names[i].value_or("")) == Lower(parts.back())) {
      return rows->Slice(i, 1);
    }
  }
  return not_found();
}

bool HasValuesNode(const plan::PlanNode& node) {
  if (node.kind == plan::PlanKind::kValues) return true;
  for (const auto& child : node.children) {
    if (child && HasValuesNode(*child)) return true;
  }
  return false;
}

// spark.catalog.isCached(name): the table's rows are held by CACHE TABLE (cacheTable), or the
// DataFrame spark.table(name) is persisted (cache()). An unknown name is TABLE_OR_VIEW_NOT_FOUND.
// What identifies a table or view among cached ones: its catalog row (catalog, namespace,
// name, temporary or not), whatever way the name was written.
Result<std::string> CachedTableKey(const std::string& name, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto row, OneTable(name, "", translator));
  std::string key;
  for (const char* column : {"catalog", "namespace", "name", "isTemporary"}) {
    auto values = Column(*row, column);
    std::string value = values.ok() && !values->empty() ? values->front().value_or("") : "";
    // spark_catalog is another name of the session's catalog.
    if (std::string(column) == "catalog" && Lower(value) == "spark_catalog") {
      value = translator.session().current_catalog();
    }
    key += Lower(value) + "\n";
  }
  return key;
}

Result<bool> IsCached(const std::string& name, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto row, OneTable(name, "", translator));
  ASSIGN_OR_RAISE(auto key, CachedTableKey(name, translator));
  const auto& cached_tables = translator.context().cached_tables;
  if (cached_tables && cached_tables->Contains(key)) return true;
  ASSIGN_OR_RAISE(auto type, Column(*row, "tableType"));
  bool view = !type.empty() && (type[0] == "VIEW" || type[0] == "TEMPORARY");
  if (!view) {
    // A cached Delta table is planned as the rows CACHE TABLE kept instead of a scan.
    ASSIGN_OR_RAISE(auto parts, sql::ParseMultipartIdentifier(name));
    auto from = std::make_unique<sql::Relation>();
    from->kind = sql::RelationKind::kTable;
    from->name_parts = parts;
    ASSIGN_OR_RAISE(auto plan, translator.PlanQuery(*SelectAll(std::move(from)), false));
    if (HasValuesNode(*plan)) return true;
  }
  if (!translator.context().persisted_relations) return false;
  for (const auto& relation : translator.context().persisted_relations()) {
    if (!relation.has_read() || !relation.read().has_named_table()) continue;
    auto other = CachedTableKey(relation.read().named_table().unparsed_identifier(), translator);
    if (other.ok() && *other == key) return true;
  }
  return false;
}

// Partition and clustering columns of a Delta table (none for views and other formats).
struct Layout {
  std::set<std::string> partitions;
  std::set<std::string> clustering;
  std::vector<std::string> partition_order;
};

Layout TableLayout(const std::string& quoted, PlanTranslator& translator) {
  Layout layout;
  auto detail = Sql(translator, "DESCRIBE DETAIL " + quoted);
  if (!detail.ok()) return layout;
  for (const char* name : {"partitionColumns", "clusteringColumns"}) {
    auto column = (*detail)->GetColumnByName(name);
    if (!column || column->length() == 0) continue;
    auto scalar = column->GetScalar(0);
    if (!scalar.ok() || !(*scalar)->is_valid) continue;
    const auto& list = static_cast<const arrow::BaseListScalar&>(**scalar);
    for (int64_t i = 0; i < list.value->length(); ++i) {
      auto item = list.value->GetScalar(i);
      if (!item.ok()) continue;
      std::string value = (*item)->ToString();
      if (std::string(name) == "partitionColumns") {
        layout.partitions.insert(Lower(value));
        layout.partition_order.push_back(value);
      } else {
        layout.clustering.insert(Lower(value));
      }
    }
  }
  return layout;
}

Result<sql::QueryPtr> ListColumns(const std::string& table, const std::string& database,
                                  PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto quoted, TableName(table, database));
  ASSIGN_OR_RAISE(auto plan, translator.session().Plan("SELECT * FROM " + quoted, false));
  Layout layout = TableLayout(quoted, translator);
  // Column comments, as DESCRIBE TABLE lists them.
  std::map<std::string, std::string> comments;
  auto described = Sql(translator, "DESCRIBE TABLE " + quoted);
  if (described.ok()) {
    auto col_names = Column(**described, "col_name");
    auto col_comments = Column(**described, "comment");
    if (col_names.ok() && col_comments.ok()) {
      for (size_t i = 0; i < col_names->size(); ++i) {
        const auto& n = (*col_names)[i];
        if (!n || n->empty() || (*n)[0] == '#') break;
        const auto& c = (*col_comments)[i];
        // DESCRIBE prints a missing comment as the text NULL.
        if (c && !c->empty() && *c != "NULL") comments.emplace(Lower(*n), *c);
      }
    }
  }
  Strings names, descriptions, types;
  std::vector<bool> nullable, is_partition, is_bucket, is_cluster;
  for (const auto& field : plan->schema->fields()) {
    names.push_back(field->name());
    auto comment = comments.find(Lower(field->name()));
    descriptions.push_back(comment == comments.end() ? std::nullopt
                                                     : std::optional<std::string>(comment->second));
    types.push_back(types::SparkTypeName(*field->type()));
    nullable.push_back(field->nullable());
    is_partition.push_back(layout.partitions.count(Lower(field->name())) > 0);
    is_bucket.push_back(false);
    is_cluster.push_back(layout.clustering.count(Lower(field->name())) > 0);
  }
  RowsBuilder rows;
  rows.AddString("name", names);
  rows.AddString("description", descriptions);
  rows.AddString("dataType", types);
  rows.AddBool("nullable", nullable);
  rows.AddBool("isPartition", is_partition);
  rows.AddBool("isBucket", is_bucket);
  rows.AddBool("isCluster", is_cluster);
  ASSIGN_OR_RAISE(auto result, rows.Table());
  return ValuesQuery(std::move(result), translator);
}

// Function rows (name, catalog, namespace, description, className, isTemporary) of SHOW
// FUNCTIONS output: built-ins are temporary and belong to no catalog, as in Spark.
// The class of a catalog function made with CREATE FUNCTION f AS 'class' (DESCRIBE FUNCTION's
// "Class:" line), or nullopt for a SQL function.
Result<std::optional<std::string>> FunctionClass(const std::vector<std::string>& parts,
                                                 PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto described, Sql(translator, "DESCRIBE FUNCTION " + QuoteParts(parts)));
  ASSIGN_OR_RAISE(auto lines, Column(*described, "function_desc"));
  for (const auto& line : lines) {
    if (line && line->rfind("Class: ", 0) == 0) {
      return std::optional<std::string>(line->substr(7));
    }
  }
  return std::optional<std::string>();
}

Result<std::shared_ptr<arrow::Table>> FunctionRows(const arrow::Table& shown,
                                                   const std::optional<std::string>& only,
                                                   PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto functions, Column(shown, "function"));
  Strings name_col, catalog_col, description_col, class_col;
  std::vector<std::optional<std::vector<std::string>>> namespace_col;
  std::vector<bool> temporary_col;
  for (const auto& f : functions) {
    if (!f) continue;
    auto parts = sql::ParseMultipartIdentifier(*f);
    std::vector<std::string> p = parts.ok() ? *parts : std::vector<std::string>{*f};
    if (only && Lower(p.back()) != Lower(*only)) continue;
    name_col.push_back(p.back());
    if (p.size() == 3) {
      catalog_col.push_back(p[0]);
      namespace_col.push_back(std::vector<std::string>{p[1]});
      ASSIGN_OR_RAISE(auto class_name, FunctionClass(p, translator));
      // Spark describes a class function by its (absent) usage text: "N/A.".
      description_col.push_back(class_name ? std::optional<std::string>("N/A.") : std::nullopt);
      class_col.push_back(class_name);
      temporary_col.push_back(false);
    } else {
      description_col.emplace_back();
      catalog_col.emplace_back();
      namespace_col.emplace_back();
      class_col.push_back("basin.builtin." + p.back());
      temporary_col.push_back(true);
    }
  }
  RowsBuilder rows;
  rows.AddString("name", name_col);
  rows.AddString("catalog", catalog_col);
  rows.AddStringList("namespace", namespace_col);
  rows.AddString("description", description_col);
  rows.AddString("className", class_col);
  rows.AddBool("isTemporary", temporary_col);
  return rows.Table();
}

Result<std::shared_ptr<arrow::Table>> FindFunction(const std::string& function,
                                                   const std::string& database,
                                                   PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto parts, sql::ParseMultipartIdentifier(function));
  std::string text = "SHOW FUNCTIONS LIKE " + QuoteString(parts.back());
  if (!database.empty() || parts.size() > 1) {
    // Functions of a schema: the metastore's SQL functions.
    std::vector<std::string> ns(parts.begin(), parts.end() - 1);
    if (!database.empty()) {
      ASSIGN_OR_RAISE(auto db, sql::ParseMultipartIdentifier(database));
      ns.insert(ns.begin(), db.begin(), db.end());
    }
    ASSIGN_OR_RAISE(auto shown, Sql(translator, text));
    ASSIGN_OR_RAISE(auto rows, FunctionRows(*shown, parts.back(), translator));
    ASSIGN_OR_RAISE(auto schemas, Column(*rows, "namespace"));
    ASSIGN_OR_RAISE(auto temp, Column(*rows, "isTemporary"));
    for (size_t i = 0; i < temp.size(); ++i) {
      if (temp[i] == "false" && schemas[i] &&
          Lower(*schemas[i]).find(Lower(ns.back())) != std::string::npos) {
        return rows->Slice(i, 1);
      }
    }
    return rows->Slice(0, 0);
  }
  ASSIGN_OR_RAISE(auto shown, Sql(translator, text));
  return FunctionRows(*shown, parts.back(), translator);
}

Result<std::string> ColumnsDdl(const pb::DataType& schema) {
  ASSIGN_OR_RAISE(auto type, FromProtoType(schema));
  if (type->id() != arrow::Type::STRUCT) {
    return UserError("NOT_EXPECTED_TYPE", "The schema of createTable must be a struct type.");
  }
  std::string out;
  for (const auto& field : type->fields()) {
    if (!out.empty()) out += ", ";
    out += QuoteIdentifier(field->name()) + " " + types::SparkTypeName(*field->type());
    if (!field->nullable()) out += " NOT NULL";
    if (field->metadata() && field->metadata()->Contains("comment")) {
      out += " COMMENT " + QuoteString(field->metadata()->Get("comment").ValueOr(""));
    }
  }
  return out;
}

// catalog.createTable / createExternalTable: CREATE TABLE, then the table as the result.
template <typename Create>
Result<sql::QueryPtr> CreateTable(const Create& create, const std::optional<std::string>& comment,
                                  bool external, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto name, QuotedName(create.table_name()));
  std::map<std::string, std::string> options(create.options().begin(), create.options().end());
  std::optional<std::string> path;
  if (create.has_path()) path = create.path();
  auto path_option = options.find("path");
  if (!path && path_option != options.end()) path = path_option->second;
  if (path_option != options.end()) options.erase(path_option);
  std::string format =
      create.has_source() && !create.source().empty()
          ? SourceName(create.source())
          : SourceName(
                translator.session().GetConfig("spark.sql.sources.default").value_or("parquet"));
  std::string text =
      std::string(external && path ? "CREATE EXTERNAL TABLE " : "CREATE TABLE ") + name;
  if (create.has_schema()) {
    ASSIGN_OR_RAISE(auto columns, ColumnsDdl(create.schema()));
    if (!columns.empty()) text += " (" + columns + ")";
  }
  text += " USING " + QuoteIdentifier(format);
  if (path) text += " LOCATION " + QuoteString(*path);
  if (comment) text += " COMMENT " + QuoteString(*comment);
  std::string properties;
  for (const auto& [k, v] : options) {
    if (!properties.empty()) properties += ", ";
    properties += QuoteString(k) + " = " + QuoteString(v);
  }
  if (!properties.empty()) text += " TBLPROPERTIES (" + properties + ")";
  RETURN_NOT_OK(Sql(translator, text).status());
  ASSIGN_OR_RAISE(auto parts, sql::ParseMultipartIdentifier(create.table_name()));
  auto from = std::make_unique<sql::Relation>();
  from->kind = sql::RelationKind::kTable;
  from->name_parts = parts;
  return SelectAll(std::move(from));
}

Result<sql::QueryPtr> ListPartitions(const std::string& table, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto quoted, QuotedName(table));
  Layout layout = TableLayout(quoted, translator);
  if (layout.partition_order.empty()) {
    return UserError("INVALID_PARTITION_OPERATION.PARTITION_SCHEMA_IS_EMPTY",
                     "Table " + quoted + " is not partitioned.");
  }
  std::string columns, order;
  for (size_t i = 0; i < layout.partition_order.size(); ++i) {
    if (i > 0) {
      columns += ", ";
      order += ", ";
    }
    columns += "CAST(" + QuoteIdentifier(layout.partition_order[i]) + " AS STRING)";
    order += std::to_string(i + 1);
  }
  ASSIGN_OR_RAISE(auto values, Sql(translator, "SELECT DISTINCT " + columns + " FROM " + quoted +
                                                   " ORDER BY " + order));
  Strings partitions;
  std::vector<Strings> value_columns;
  for (int i = 0; i < values->num_columns(); ++i) {
    ASSIGN_OR_RAISE(auto column, Column(*values, values->field(i)->name()));
    value_columns.push_back(std::move(column));
  }
  for (int64_t r = 0; r < values->num_rows(); ++r) {
    std::string text;
    for (size_t c = 0; c < layout.partition_order.size(); ++c) {
      if (!text.empty()) text += "/";
      text += layout.partition_order[c] + "=" +
              value_columns[c][r].value_or("__HIVE_DEFAULT_PARTITION__");
    }
    partitions.push_back(text);
  }
  RowsBuilder rows;
  rows.AddString("partition", partitions);
  ASSIGN_OR_RAISE(auto result, rows.Table());
  return ValuesQuery(std::move(result), translator);
}

// Runs `text` and returns nothing, as the catalog's setters and actions do.
Result<sql::QueryPtr> Action(const std::string& text, PlanTranslator& translator) {
  RETURN_NOT_OK(Sql(translator, text).status());
  return EmptyResult(translator);
}

// A statement's rows as the result.
Result<sql::QueryPtr> StatementRows(const std::string& text, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto table, Sql(translator, text));
  return ValuesQuery(std::move(table), translator);
}

}  // namespace

Result<sql::QueryPtr> CatalogQuery(const spark::connect::Catalog& catalog,
                                   PlanTranslator& translator) {
  using C = pb::Catalog;
  auto& session = translator.session();
  switch (catalog.cat_type_case()) {
    case C::kCurrentCatalog:
      return ValueResult(session.current_catalog(), translator);
    case C::kSetCurrentCatalog:
      return Action("USE CATALOG " + QuoteIdentifier(catalog.set_current_catalog().catalog_name()),
                    translator);
    case C::kListCatalogs: {
      const auto& list = catalog.list_catalogs();
      ASSIGN_OR_RAISE(auto shown, Sql(translator, "SHOW CATALOGS" + LikeClause(list.has_pattern(),
                                                                               list.pattern())));
      ASSIGN_OR_RAISE(auto names, Column(*shown, "catalog"));
      ASSIGN_OR_RAISE(auto info, Sql(translator,
                                     "SELECT catalog_name, comment FROM "
                                     "information_schema.catalogs"));
      ASSIGN_OR_RAISE(auto info_names, Column(*info, "catalog_name"));
      ASSIGN_OR_RAISE(auto info_comments, Column(*info, "comment"));
      Strings descriptions;
      for (const auto& n : names) {
        std::optional<std::string> comment;
        for (size_t i = 0; i < info_names.size(); ++i) {
          if (info_names[i] == n && info_comments[i] && !info_comments[i]->empty()) {
            comment = info_comments[i];
          }
        }
        descriptions.push_back(comment);
      }
      RowsBuilder rows;
      rows.AddString("name", names);
      rows.AddString("description", descriptions);
      ASSIGN_OR_RAISE(auto table, rows.Table());
      return ValuesQuery(std::move(table), translator);
    }
    case C::kCurrentDatabase:
      return ValueResult(session.current_schema(), translator);
    case C::kSetCurrentDatabase: {
      ASSIGN_OR_RAISE(auto name, QuotedName(catalog.set_current_database().db_name()));
      return Action("USE SCHEMA " + name, translator);
    }
    case C::kListDatabases: {
      const auto& list = catalog.list_databases();
      ASSIGN_OR_RAISE(auto shown, Sql(translator, "SHOW SCHEMAS" + LikeClause(list.has_pattern(),
                                                                              list.pattern())));
      ASSIGN_OR_RAISE(auto names, Column(*shown, "namespace"));
      std::set<std::string> keep;
      for (const auto& n : names) keep.insert(Lower(n.value_or("")));
      ASSIGN_OR_RAISE(
          auto table,
          DatabaseRows(
              session.current_catalog(),
              [&](const std::string& n) { return keep.count(Lower(n)) > 0; }, translator));
      return ValuesQuery(std::move(table), translator);
    }
    case C::kGetDatabase:
    case C::kDatabaseExists: {
      const std::string& db = catalog.has_get_database() ? catalog.get_database().db_name()
                                                         : catalog.database_exists().db_name();
      ASSIGN_OR_RAISE(auto ns, Namespace(db, translator));
      auto table = DatabaseRows(
          ns.first, [&](const std::string& n) { return Lower(n) == Lower(ns.second); }, translator);
      bool found = table.ok() && (*table)->num_rows() > 0;
      if (catalog.has_database_exists()) return BoolResult(found, translator);
      if (!found) {
        return UserError("SCHEMA_NOT_FOUND",
                         "The schema " + QuoteParts({ns.first, ns.second}) +
                             " cannot be found. Verify the spelling and correctness of the "
                             "schema and catalog.");
      }
      return ValuesQuery(*table, translator);
    }
    case C::kListTables:
    case C::kListViews: {
      bool views = catalog.has_list_views();
      const auto& db_name =
          views ? catalog.list_views().db_name() : catalog.list_tables().db_name();
      bool has_db =
          views ? catalog.list_views().has_db_name() : catalog.list_tables().has_db_name();
      bool has_pattern =
          views ? catalog.list_views().has_pattern() : catalog.list_tables().has_pattern();
      const auto& pattern =
          views ? catalog.list_views().pattern() : catalog.list_tables().pattern();
      std::string text = views ? "SHOW VIEWS" : "SHOW TABLES";
      std::string catalog_name = session.current_catalog();
      if (has_db && !db_name.empty()) {
        ASSIGN_OR_RAISE(auto ns, Namespace(db_name, translator));
        catalog_name = ns.first;
        text += " IN " + QuoteParts({ns.first, ns.second});
      }
      text += LikeClause(has_pattern, pattern);
      ASSIGN_OR_RAISE(auto shown, Sql(translator, text));
      ASSIGN_OR_RAISE(auto table, TableRows(*shown, views ? "viewName" : "tableName", catalog_name,
                                            translator));
      return ValuesQuery(std::move(table), translator);
    }
    case C::kGetTable: {
      const auto& get = catalog.get_table();
      ASSIGN_OR_RAISE(auto table, OneTable(get.table_name(), get.db_name(), translator));
      return ValuesQuery(std::move(table), translator);
    }
    case C::kTableExists: {
      const auto& t = catalog.table_exists();
      return BoolResult(OneTable(t.table_name(), t.db_name(), translator).ok(), translator);
    }
    case C::kListColumns: {
      const auto& list = catalog.list_columns();
      return ListColumns(list.table_name(), list.db_name(), translator);
    }
    case C::kListFunctions: {
      const auto& list = catalog.list_functions();
      std::string text = "SHOW FUNCTIONS" + LikeClause(list.has_pattern(), list.pattern());
      ASSIGN_OR_RAISE(auto shown, Sql(translator, text));
      ASSIGN_OR_RAISE(auto table, FunctionRows(*shown, std::nullopt, translator));
      return ValuesQuery(std::move(table), translator);
    }
    case C::kGetFunction:
    case C::kFunctionExists: {
      bool exists_only = catalog.has_function_exists();
      const auto& name = exists_only ? catalog.function_exists().function_name()
                                     : catalog.get_function().function_name();
      const auto& db =
          exists_only ? catalog.function_exists().db_name() : catalog.get_function().db_name();
      ASSIGN_OR_RAISE(auto table, FindFunction(name, db, translator));
      if (exists_only) return BoolResult(table->num_rows() > 0, translator);
      if (table->num_rows() == 0) {
        return UserError("UNRESOLVED_ROUTINE",
                         "Cannot resolve routine " + QuoteIdentifier(name) +
                             " on search path [`system`.`builtin`, `system`.`session`, " +
                             QuoteParts({session.current_catalog(), session.current_schema()}) +
                             "].");
      }
      return ValuesQuery(table->Slice(0, 1), translator);
    }
    case C::kCreateTable: {
      const auto& create = catalog.create_table();
      std::optional<std::string> comment;
      if (create.has_description()) comment = create.description();
      return CreateTable(create, comment, false, translator);
    }
    case C::kCreateExternalTable:
      return CreateTable(catalog.create_external_table(), std::nullopt, true, translator);
    case C::kDropTempView:
      return BoolResult(session.DropTempView(catalog.drop_temp_view().view_name()), translator);
    case C::kDropGlobalTempView:
      // Basin has no global temporary views, so there is never one to drop.
      return BoolResult(false, translator);
    case C::kRecoverPartitions: {
      // Delta tables keep their partitions in the log: there is nothing to recover.
      ASSIGN_OR_RAISE(auto name, QuotedName(catalog.recover_partitions().table_name()));
      return Action("DESCRIBE TABLE " + name, translator);
    }
    case C::kIsCached: {
      ASSIGN_OR_RAISE(auto cached, IsCached(catalog.is_cached().table_name(), translator));
      return BoolResult(cached, translator);
    }
    case C::kCacheTable: {
      const auto& table_name = catalog.cache_table().table_name();
      ASSIGN_OR_RAISE(auto name, QuotedName(table_name));
      // Basin recomputes temporary views on each use: there are no rows to keep.
      ASSIGN_OR_RAISE(auto query, IsTempView(table_name, translator)
                                      ? EmptyResult(translator)
                                      : Action("CACHE TABLE " + name, translator));
      if (const auto& cached = translator.context().cached_tables) {
        ASSIGN_OR_RAISE(auto key, CachedTableKey(catalog.cache_table().table_name(), translator));
        cached->Add(key);
      }
      return query;
    }
    case C::kUncacheTable: {
      const auto& table_name = catalog.uncache_table().table_name();
      ASSIGN_OR_RAISE(auto name, QuotedName(table_name));
      ASSIGN_OR_RAISE(auto query, IsTempView(table_name, translator)
                                      ? EmptyResult(translator)
                                      : Action("UNCACHE TABLE " + name, translator));
      if (const auto& cached = translator.context().cached_tables) {
        ASSIGN_OR_RAISE(auto key, CachedTableKey(catalog.uncache_table().table_name(), translator));
        cached->Remove(key);
      }
      return query;
    }
    case C::kClearCache:
      if (const auto& cached = translator.context().cached_tables) cached->Clear();
      return Action("CLEAR CACHE", translator);
    case C::kRefreshTable: {
      ASSIGN_OR_RAISE(auto name, QuotedName(catalog.refresh_table().table_name()));
      return Action("REFRESH TABLE " + name, translator);
    }
    case C::kRefreshByPath:
      // Basin reads a path's latest files and Delta version on every query: nothing is stale.
      return EmptyResult(translator);
    case C::kDropTable: {
      const auto& drop = catalog.drop_table();
      ASSIGN_OR_RAISE(auto name, QuotedName(drop.table_name()));
      return Action(std::string("DROP TABLE ") + (drop.if_exists() ? "IF EXISTS " : "") + name +
                        (drop.purge() ? " PURGE" : ""),
                    translator);
    }
    case C::kDropView: {
      const auto& drop = catalog.drop_view();
      if (session.DropTempView(drop.view_name())) return EmptyResult(translator);
      ASSIGN_OR_RAISE(auto name, QuotedName(drop.view_name()));
      return Action(std::string("DROP VIEW ") + (drop.if_exists() ? "IF EXISTS " : "") + name,
                    translator);
    }
    case C::kCreateDatabase: {
      const auto& create = catalog.create_database();
      ASSIGN_OR_RAISE(auto name, QuotedName(create.db_name()));
      std::string text =
          std::string("CREATE SCHEMA ") + (create.if_not_exists() ? "IF NOT EXISTS " : "") + name;
      auto comment = create.properties().find("comment");
      if (comment != create.properties().end()) text += " COMMENT " + QuoteString(comment->second);
      auto location = create.properties().find("location");
      if (location != create.properties().end()) {
        text += " LOCATION " + QuoteString(location->second);
      }
      return Action(text, translator);
    }
    case C::kDropDatabase: {
      const auto& drop = catalog.drop_database();
      ASSIGN_OR_RAISE(auto name, QuotedName(drop.db_name()));
      return Action(std::string("DROP SCHEMA ") + (drop.if_exists() ? "IF EXISTS " : "") + name +
                        (drop.cascade() ? " CASCADE" : ""),
                    translator);
    }
    case C::kListPartitions:
      return ListPartitions(catalog.list_partitions().table_name(), translator);
    case C::kGetTableProperties: {
      ASSIGN_OR_RAISE(auto name, QuotedName(catalog.get_table_properties().table_name()));
      return StatementRows("SHOW TBLPROPERTIES " + name, translator);
    }
    case C::kGetCreateTableString: {
      ASSIGN_OR_RAISE(auto name, QuotedName(catalog.get_create_table_string().table_name()));
      return StatementRows("SHOW CREATE TABLE " + name, translator);
    }
    case C::kTruncateTable: {
      ASSIGN_OR_RAISE(auto name, QuotedName(catalog.truncate_table().table_name()));
      return Action("TRUNCATE TABLE " + name, translator);
    }
    case C::kAnalyzeTable: {
      // Basin keeps no table statistics beyond Delta's per-file ones, which every write
      // records: there is nothing to compute, but the table must exist.
      ASSIGN_OR_RAISE(auto name, QuotedName(catalog.analyze_table().table_name()));
      return Action("DESCRIBE TABLE " + name, translator);
    }
    default:
      return UserError("UNSUPPORTED_FEATURE", "This spark.catalog call is not supported yet.");
  }
}

}  // namespace basin::connect
