#include "basin/connect/commands.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <arrow/compute/cast.h>
#include <arrow/io/memory.h>
#include <arrow/ipc/writer.h>

#include "basin/connect/delta_connect.h"
#include "basin/connect/expression_text.h"
#include "basin/connect/relation_queries.h"
#include "basin/connect/arrow_stream.h"
#include "basin/connect/sql_text.h"
#include "basin/connect/statement_parameters.h"
#include "basin/delta/write.h"
#include "basin/format/data_file_writer.h"
#include "basin/io/file_system.h"
#include "basin/session/file_table.h"
#include "basin/sql/parser.h"
#include "basin/types/schema_json.h"
#include "basin/types/user_defined_type.h"

namespace basin::connect {

namespace {

namespace pb = spark::connect;
using Responses = std::vector<pb::ExecutePlanResponse>;


std::string QuotedList(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += QuoteIdentifier(n);
  }
  return out;
}

// The response of a spark.sql command that ran: its rows as a local relation.
Result<pb::ExecutePlanResponse> RowsResponse(std::shared_ptr<arrow::Table> table) {
  if (!table) {
    ASSIGN_OR_RAISE(table, arrow::Table::MakeEmpty(arrow::schema({})));
  }
  pb::ExecutePlanResponse response;
  auto* local = response.mutable_sql_command_result()->mutable_relation()->mutable_local_relation();
  ASSIGN_OR_RAISE(auto data, EncodeArrowStream(*table));
  local->set_data(std::move(data));
  ASSIGN_OR_RAISE(auto schema, types::SchemaToDeltaJson(*table->schema()));
  local->set_schema(std::move(schema));
  return response;
}

// The value of an argument of spark.sql(): a literal, or a constant expression such as array(1, 2)
// or map('a', 1), evaluated now.
Result<std::shared_ptr<arrow::Scalar>> ParameterScalar(const pb::Expression& expression,
                                                       PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto expr, translator.Expression(expression));
  if (expr->kind == sql::ExprKind::kParameter) {
    auto it = translator.literals().find(expr->text);
    if (it != translator.literals().end()) return it->second;
  }
  sql::Query query;
  query.kind = sql::QueryKind::kSelect;
  sql::SelectItem item;
  item.expr = std::move(expr);
  query.select_items.push_back(std::move(item));
  auto plan = translator.PlanQuery(query);
  if (!plan.ok()) {
    return UserError("INVALID_SQL_ARG",
                     "The argument of `sql()` is invalid. Consider to replace it either by a SQL "
                     "literal or by collection constructor functions such as `map()`, "
                     "`array()`, `struct()`.");
  }
  ASSIGN_OR_RAISE(auto reader, translator.session().Run(*plan));
  ASSIGN_OR_RAISE(auto table, reader->ToTable());
  if (table->num_rows() != 1 || table->num_columns() != 1) {
    return InternalError("a constant argument did not give one value");
  }
  return table->column(0)->GetScalar(0);
}

Result<std::shared_ptr<arrow::Scalar>> LiteralScalar(const pb::Expression::Literal& literal,
                                                     PlanTranslator& translator) {
  pb::Expression expression;
  *expression.mutable_literal() = literal;
  return ParameterScalar(expression, translator);
}

// args / pos_args and the SqlCommand fields are deprecated in favour of Expressions, but older
// clients still send them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
Result<ParameterValues> SqlParameters(const pb::SQL& sql, PlanTranslator& translator) {
  ParameterValues values;
  for (const auto& [name, literal] : sql.args()) {
    ASSIGN_OR_RAISE(values.named[name], LiteralScalar(literal, translator));
  }
  for (const auto& [name, expression] : sql.named_arguments()) {
    ASSIGN_OR_RAISE(values.named[name], ParameterScalar(expression, translator));
  }
  for (const auto& literal : sql.pos_args()) {
    ASSIGN_OR_RAISE(auto value, LiteralScalar(literal, translator));
    values.positional.push_back(std::move(value));
  }
  for (const auto& expression : sql.pos_arguments()) {
    ASSIGN_OR_RAISE(auto value, ParameterScalar(expression, translator));
    values.positional.push_back(std::move(value));
  }
  return values;
}
#pragma GCC diagnostic pop

// Names the relations of a `with_relations` wrapper (spark.sql("... {df} ...", df=df)) for the
// statement's duration.
class StatementRelations {
 public:
  explicit StatementRelations(session::Session& session) : session_(session) {}
  ~StatementRelations() {
    for (const auto& name : names_) session_.RemoveStatementRelation(name);
  }
  Status Add(const pb::Relation& reference, PlanTranslator& translator) {
    if (!reference.has_subquery_alias()) {
      return UserError("UNSUPPORTED_FEATURE",
                       "A reference of spark.sql() that is not a named DataFrame is not "
                       "supported yet.");
    }
    ASSIGN_OR_RAISE(auto plan, translator.Plan(reference.subquery_alias().input()));
    session_.AddStatementRelation(reference.subquery_alias().alias(), plan);
    names_.push_back(reference.subquery_alias().alias());
    return Status::OK();
  }

 private:
  session::Session& session_;
  std::vector<std::string> names_;
};

Result<Responses> RunSqlCommand(const pb::SqlCommand& command, PlanTranslator& translator) {
  pb::Relation input;
  if (command.has_input()) {
    input = command.input();
  } else {
    // Clients before Spark 3.5 send the text and arguments in the command itself.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    auto* sql = input.mutable_sql();
    sql->set_query(command.sql());
    *sql->mutable_args() = command.args();
    *sql->mutable_pos_args() = command.pos_args();
    *sql->mutable_named_arguments() = command.named_arguments();
    *sql->mutable_pos_arguments() = command.pos_arguments();
#pragma GCC diagnostic pop
  }
  const pb::SQL* sql = nullptr;
  if (input.has_sql()) {
    sql = &input.sql();
  } else if (input.has_with_relations() && input.with_relations().root().has_sql()) {
    sql = &input.with_relations().root().sql();
  } else {
    return UserError("UNSUPPORTED_FEATURE", "A SQL command without SQL text is not supported.");
  }
  ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(sql->query()));
  Responses responses;
  if (statement->kind == sql::StatementKind::kQuery) {
    // Queries stay lazy: the client gets its own relation back and sends it with the action.
    pb::ExecutePlanResponse response;
    *response.mutable_sql_command_result()->mutable_relation() = input;
    responses.push_back(std::move(response));
    return responses;
  }
  ASSIGN_OR_RAISE(auto parameters, SqlParameters(*sql, translator));
  // The session reads a statement's text as well as its tree: values go into the text.
  ASSIGN_OR_RAISE(auto text, InlineParameters(sql->query(), parameters));
  ASSIGN_OR_RAISE(statement, sql::ParseStatement(text));
  StatementRelations relations(translator.session());
  if (input.has_with_relations()) {
    for (const auto& reference : input.with_relations().references()) {
      RETURN_NOT_OK(relations.Add(reference, translator));
    }
  }
  ASSIGN_OR_RAISE(auto result, translator.session().ExecuteStatement(*statement));
  ASSIGN_OR_RAISE(auto response, RowsResponse(result.table));
  responses.push_back(std::move(response));
  return responses;
}

// Runs one SQL statement.
Result<session::StatementResult> RunStatement(PlanTranslator& translator, const std::string& text) {
  ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(text));
  return translator.session().ExecuteStatement(*statement);
}

// Whether a table or view `quoted_name` resolves.
bool TableExists(PlanTranslator& translator, const std::string& quoted_name) {
  return translator.session().Plan("TABLE " + quoted_name, /*optimize=*/false).ok();
}

// The input of a write as a one-part name that later statements can read.
Result<std::string> InputName(const pb::Relation& input, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto plan, translator.Plan(input));
  auto relation = translator.RegisterPlan(plan);
  if (relation->kind != sql::RelationKind::kTable || relation->name_parts.size() != 1) {
    return InternalError("a registered plan is not named by one part");
  }
  return QuoteIdentifier(relation->name_parts[0]);
}

// Options are case-insensitive, as Spark's CaseInsensitiveMap; Delta table properties
// (delta.*) keep their spelling, since they become table properties.
using Options = std::map<std::string, std::string>;

template <typename Map>
Options LowerOptions(const Map& map) {
  Options options;
  for (const auto& [k, v] : map) {
    std::string key = Lower(k);
    options[key.rfind("delta.", 0) == 0 ? k : key] = v;
  }
  return options;
}

std::optional<std::string> Option(const Options& options, const std::string& key) {
  auto it = options.find(Lower(key));
  if (it == options.end()) return std::nullopt;
  return it->second;
}

bool TrueOption(const Options& options, const std::string& key) {
  auto value = Option(options, key);
  return value && Lower(*value) == "true";
}

// TBLPROPERTIES of a table a write creates: Delta's `delta.*` options and the explicit
// properties.
std::string PropertiesClause(const Options& options,
                             const std::map<std::string, std::string>& properties) {
  std::map<std::string, std::string> all = properties;
  for (const auto& [k, v] : options) {
    if (k.rfind("delta.", 0) == 0) all.emplace(k, v);
  }
  if (all.empty()) return "";
  std::string out = " TBLPROPERTIES (";
  bool first = true;
  for (const auto& [k, v] : all) {
    if (!first) out += ", ";
    first = false;
    out += QuoteString(k) + " = " + QuoteString(v);
  }
  return out + ")";
}

// CREATE [OR REPLACE] TABLE name USING format ... AS SELECT * FROM input.
std::string CreateTableAs(const std::string& verb, const std::string& name,
                          const std::string& format, const std::vector<std::string>& partitions,
                          const std::vector<std::string>& clustering, const Options& options,
                          const std::map<std::string, std::string>& properties,
                          const std::string& input) {
  std::string text = verb + " " + name + " USING " + QuoteIdentifier(format);
  if (!partitions.empty()) text += " PARTITIONED BY (" + QuotedList(partitions) + ")";
  if (!clustering.empty()) text += " CLUSTER BY (" + QuotedList(clustering) + ")";
  if (auto location = Option(options, "path")) text += " LOCATION " + QuoteString(*location);
  text += PropertiesClause(options, properties);
  return text + " AS SELECT * FROM " + input;
}

Result<std::shared_ptr<arrow::Table>> InputTable(const pb::Relation& input,
                                                 PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto plan, translator.Plan(input));
  ASSIGN_OR_RAISE(auto reader, translator.session().Run(plan));
  ASSIGN_OR_RAISE(auto table, reader->ToTable());
  // The user-defined types of the columns are in the plan's schema, not in the batches'.
  auto schema = types::WithUserDefinedTypesOf(table->schema(), *plan->schema);
  return arrow::Table::Make(std::move(schema), table->columns(), table->num_rows());
}

// The same type with every nested field nullable (struct fields, list elements, map values).
std::shared_ptr<arrow::DataType> NullableType(const std::shared_ptr<arrow::DataType>& type) {
  switch (type->id()) {
    case arrow::Type::STRUCT: {
      arrow::FieldVector fields;
      for (const auto& f : type->fields()) {
        fields.push_back(f->WithType(NullableType(f->type()))->WithNullable(true));
      }
      return arrow::struct_(fields);
    }
    case arrow::Type::LIST:
      return arrow::list(type->field(0)->WithType(NullableType(type->field(0)->type()))
                             ->WithNullable(true));
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(*type);
      return arrow::map(map.key_type(),
                        map.item_field()->WithType(NullableType(map.item_type()))
                            ->WithNullable(true));
    }
    default: return type;
  }
}

// delta-spark writes a DataFrame's schema as nullable (its asNullable): NOT NULL only comes
// from DDL.
Result<std::shared_ptr<arrow::Table>> AsNullable(const std::shared_ptr<arrow::Table>& table) {
  arrow::FieldVector fields;
  arrow::ChunkedArrayVector columns;
  for (int i = 0; i < table->num_columns(); ++i) {
    const auto& f = table->schema()->field(i);
    auto type = NullableType(f->type());
    auto column = table->column(i);
    if (!type->Equals(*f->type())) {
      ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(column, type));
      column = cast.chunked_array();
    }
    fields.push_back(arrow::field(f->name(), type, true, f->metadata()));
    columns.push_back(column);
  }
  return arrow::Table::Make(arrow::schema(fields), columns, table->num_rows());
}

// The partitions Spark would write a DataFrame from, when its plan sets their number: the input
// of the write is (below column-wise steps that keep partitions) repartition(n) or
// range(..., numPartitions=n), n files per folder; or coalesce(n), at most n. Nothing for plans
// whose partitioning Basin does not model (a shuffle by keys, a join, an aggregate, ...).
struct WritePartitions {
  int64_t count = 0;
  bool at_most = false;
};
std::optional<WritePartitions> PartitionsOf(const pb::Relation& relation) {
  const pb::Relation* r = &relation;
  while (true) {
    switch (r->rel_type_case()) {
      case pb::Relation::kProject: r = &r->project().input(); continue;
      case pb::Relation::kFilter: r = &r->filter().input(); continue;
      case pb::Relation::kWithColumns: r = &r->with_columns().input(); continue;
      case pb::Relation::kWithColumnsRenamed: r = &r->with_columns_renamed().input(); continue;
      case pb::Relation::kDrop: r = &r->drop().input(); continue;
      case pb::Relation::kToDf: r = &r->to_df().input(); continue;
      case pb::Relation::kSubqueryAlias: r = &r->subquery_alias().input(); continue;
      case pb::Relation::kRepartition: {
        const int64_t n = r->repartition().num_partitions();
        if (n <= 0) return std::nullopt;
        if (r->repartition().shuffle()) return WritePartitions{n, false};
        // coalesce(n) merges its input's partitions: min(n, their number) when known.
        auto input = PartitionsOf(r->repartition().input());
        if (input && !input->at_most) return WritePartitions{std::min(n, input->count), false};
        return WritePartitions{n, true};
      }
      case pb::Relation::kRange:
        if (!r->range().has_num_partitions() || r->range().num_partitions() <= 0) {
          return std::nullopt;
        }
        return WritePartitions{r->range().num_partitions(), false};
      default: return std::nullopt;
    }
  }
}

// df.write.format("delta").save(path): delta-spark's DataFrameWriter semantics, which
// delta::WriteTable implements.
Status WriteDeltaPath(const pb::WriteOperation& write, const Options& options,
                      PlanTranslator& translator) {
  delta::WriteOptions w;
  switch (write.mode()) {
    case pb::WriteOperation::SAVE_MODE_APPEND:
      w.mode = delta::SaveMode::kAppend;
      break;
    case pb::WriteOperation::SAVE_MODE_OVERWRITE:
      w.mode = delta::SaveMode::kOverwrite;
      break;
    case pb::WriteOperation::SAVE_MODE_IGNORE:
      w.mode = delta::SaveMode::kIgnore;
      break;
    default:
      w.mode = delta::SaveMode::kErrorIfExists;
      break;
  }
  w.partition_by.assign(write.partitioning_columns().begin(), write.partitioning_columns().end());
  w.cluster_by.assign(write.clustering_columns().begin(), write.clustering_columns().end());
  w.merge_schema = TrueOption(options, "mergeSchema") || write.with_schema_evolution();
  w.overwrite_schema = TrueOption(options, "overwriteSchema");
  w.replace_where = Option(options, "replaceWhere");
  for (const auto& [k, v] : options) {
    if (k.rfind("delta.", 0) == 0) w.table_properties[k] = v;
  }
  if (auto max_rows = Option(options, "maxRecordsPerFile")) {
    try {
      int64_t n = std::stoll(*max_rows);
      if (n > 0) w.max_rows_per_file = n;
    } catch (...) {
      return UserError("INVALID_OPTION", "maxRecordsPerFile must be a number: " + *max_rows);
    }
  }
  auto app_id = Option(options, "txnAppId");
  auto app_version = Option(options, "txnVersion");
  if (app_id && app_version) {
    delta::Txn txn;
    txn.app_id = *app_id;
    try {
      txn.version = std::stoll(*app_version);
    } catch (...) {
      return UserError("INVALID_OPTION", "txnVersion must be a number: " + *app_version);
    }
    w.txn = txn;
  }
  if (auto description = Option(options, "description")) w.description = description;
  ASSIGN_OR_RAISE(auto root, io::ResolveLocation(write.path()));
  if (auto partitions = PartitionsOf(write.input())) {
    w.partitions = partitions->count;
    w.partitions_at_most = partitions->at_most;
  }
  ASSIGN_OR_RAISE(auto data, InputTable(write.input(), translator));
  ASSIGN_OR_RAISE(data, AsNullable(data));
  return delta::WriteTable(root, data, w).status();
}

// df.write.parquet / json / csv / text (files in a folder): Spark's file sources, one part file
// per write, or one per partition folder with partitionBy.
Status WriteFilePath(const pb::WriteOperation& write, const std::string& format,
                     PlanTranslator& translator) {
  if (!format::IsWritableFileFormat(format)) {
    return UserError("UNSUPPORTED_FEATURE", "Writing " + format +
                                                " files is not supported by Basin yet (delta, "
                                                "parquet, json, csv and text are).");
  }
  ASSIGN_OR_RAISE(auto root, io::ResolveLocation(write.path()));
  ASSIGN_OR_RAISE(bool exists, io::Exists(root));
  auto mode = write.mode();
  if (exists && mode == pb::WriteOperation::SAVE_MODE_IGNORE) return Status::OK();
  if (exists && mode != pb::WriteOperation::SAVE_MODE_OVERWRITE &&
      mode != pb::WriteOperation::SAVE_MODE_APPEND) {
    return UserError("PATH_ALREADY_EXISTS",
                     "Path " + write.path() +
                         " already exists. Set mode as \"overwrite\" to overwrite the existing "
                         "path.");
  }
  ASSIGN_OR_RAISE(auto data, InputTable(write.input(), translator));
  // partitionBy: Hive-style folders named with the names as given (Spark matches them to the
  // columns case-insensitively).
  std::vector<std::string> partitions(write.partitioning_columns().begin(),
                                      write.partitioning_columns().end());
  for (const auto& p : partitions) {
    int found = -1;
    for (int i = 0; i < data->num_columns(); ++i) {
      if (Lower(data->schema()->field(i)->name()) == Lower(p)) found = i;
    }
    if (found < 0) {
      return UserError("_LEGACY_ERROR_TEMP_1155",
                       "Partition column `" + p + "` not found in schema " +
                           types::SparkTypeName(*arrow::struct_(data->schema()->fields())) + ".");
    }
    ASSIGN_OR_RAISE(data, data->RenameColumns([&] {
      auto names = data->ColumnNames();
      names[static_cast<size_t>(found)] = p;
      return names;
    }()));
  }
  if (!partitions.empty() && partitions.size() >= static_cast<size_t>(data->num_columns())) {
    return UserError("ALL_PARTITION_COLUMNS_NOT_ALLOWED",
                     "Cannot use all columns for partition columns.");
  }
  if (exists && mode == pb::WriteOperation::SAVE_MODE_OVERWRITE) {
    RETURN_NOT_OK(root.fs->DeleteDirContents(root.path));
  }
  std::map<std::string, std::string> options;
  for (const auto& [k, v] : write.options()) options[Lower(k)] = v;
  if (partitions.empty()) {
    // One part file, or one per partition Spark would write from (as many as there are rows at
    // most; coalesce(n) keeps the one file).
    int64_t files = 1;
    if (auto p = PartitionsOf(write.input()); p && !p->at_most) {
      files = std::max<int64_t>(1, std::min(p->count, data->num_rows()));
    }
    const int64_t rows = data->num_rows();
    for (int64_t f = 0; f < files; ++f) {
      // Rows spread evenly, as range() spreads them over its partitions.
      const int64_t begin = f * rows / files;
      auto slice = files == 1 ? data : data->Slice(begin, (f + 1) * rows / files - begin);
      RETURN_NOT_OK(
          format::WritePartFile(root, format, *slice, options, static_cast<int>(f)).status());
    }
  } else {
    session::FileTableWrite file_write;
    file_write.format = format;
    file_write.options = options;
    file_write.partition_columns = partitions;
    RETURN_NOT_OK(session::WriteFileTableRows(root, data, file_write,
                                              translator.session().ExecutionOptions().eval));
  }
  auto success = root.Child("_SUCCESS");
  return io::WriteWholeFile(success, "");
}

// df.write.saveAsTable(name) / insertInto(name).
Status WriteTable(const pb::WriteOperation& write, const std::string& format,
                  const Options& options, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto name, QuotedName(write.table().table_name()));
  std::vector<std::string> partitions(write.partitioning_columns().begin(),
                                      write.partitioning_columns().end());
  std::vector<std::string> clustering(write.clustering_columns().begin(),
                                      write.clustering_columns().end());
  auto mode = write.mode();
  if (write.table().save_method() == pb::WriteOperation::SaveTable::TABLE_SAVE_METHOD_INSERT_INTO) {
    if (!partitions.empty()) {
      return UserError("UNSUPPORTED_FEATURE",
                       "insertInto() can't be used together with partitionBy(). Partition "
                       "columns have already been defined for the table. It is not necessary "
                       "to use partitionBy().");
    }
    ASSIGN_OR_RAISE(auto input, InputName(write.input(), translator));
    bool overwrite = mode == pb::WriteOperation::SAVE_MODE_OVERWRITE;
    return RunStatement(translator, std::string(overwrite ? "INSERT OVERWRITE " : "INSERT INTO ") +
                                        name + " SELECT * FROM " + input)
        .status();
  }
  bool exists = TableExists(translator, name);
  ASSIGN_OR_RAISE(auto input, InputName(write.input(), translator));
  if (!exists) {
    return RunStatement(translator, CreateTableAs("CREATE TABLE", name, format, partitions,
                                                  clustering, options, {}, input))
        .status();
  }
  switch (mode) {
    case pb::WriteOperation::SAVE_MODE_IGNORE:
      return Status::OK();
    case pb::WriteOperation::SAVE_MODE_APPEND:
      // saveAsTable appends by column name (Spark's AppendData.byName).
      return RunStatement(translator, "INSERT INTO " + name + " BY NAME SELECT * FROM " + input)
          .status();
    case pb::WriteOperation::SAVE_MODE_OVERWRITE: {
      if (auto replace_where = Option(options, "replaceWhere")) {
        return RunStatement(translator, "INSERT INTO " + name + " BY NAME REPLACE WHERE " +
                                            *replace_where + " SELECT * FROM " + input)
            .status();
      }
      return RunStatement(translator, CreateTableAs("CREATE OR REPLACE TABLE", name, format,
                                                    partitions, clustering, options, {}, input))
          .status();
    }
    default:
      return RunStatement(translator, CreateTableAs("CREATE TABLE", name, format, partitions,
                                                    clustering, options, {}, input))
          .status();
  }
}

Status RunWriteOperation(const pb::WriteOperation& write, PlanTranslator& translator) {
  if (write.has_bucket_by() && write.bucket_by().num_buckets() > 0) {
    return UserError("UNSUPPORTED_FEATURE", "bucketBy() is not supported by Basin yet.");
  }
  if (!write.sort_column_names().empty()) {
    return UserError("SORT_BY_WITHOUT_BUCKETING", "sortBy must be used together with bucketBy.");
  }
  auto options = LowerOptions(write.options());
  std::string format;
  if (write.has_source() && !write.source().empty()) {
    format = SourceName(write.source());
  } else {
    format = SourceName(translator.session().GetConfig("spark.sql.sources.default").value_or("parquet"));
  }
  switch (write.save_type_case()) {
    case pb::WriteOperation::kTable:
      return WriteTable(write, format, options, translator);
    case pb::WriteOperation::kPath:
      if (format == "delta") return WriteDeltaPath(write, options, translator);
      return WriteFilePath(write, format, translator);
    default:
      if (auto path = Option(options, "path")) {
        pb::WriteOperation with_path = write;
        with_path.set_path(*path);
        return RunWriteOperation(with_path, translator);
      }
      return UserError("UNSUPPORTED_FEATURE",
                       "'path' is not specified. A DataFrame write needs a path or a table name "
                       "(save(path), saveAsTable(name)).");
  }
}

// df.writeTo(name).create() / append() / overwrite(cond) / ...: DataFrameWriterV2.
Status RunWriteOperationV2(const pb::WriteOperationV2& write, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto name, QuotedName(write.table_name()));
  auto options = LowerOptions(write.options());
  std::map<std::string, std::string> properties(write.table_properties().begin(),
                                                write.table_properties().end());
  std::string format =
      write.has_provider() && !write.provider().empty()
          ? SourceName(write.provider())
          : SourceName(translator.session().GetConfig("spark.sql.sources.default").value_or("parquet"));
  std::vector<std::string> partitions;
  for (const auto& column : write.partitioning_columns()) {
    auto expr = translator.Expression(column);
    if (!expr.ok() || (*expr)->kind != sql::ExprKind::kColumn ||
        (*expr)->name_parts.size() != 1) {
      // A transform fails to translate outside partitionedBy() (years(), bucket(), ...).
      if (!expr.ok() && !column.has_unresolved_function()) return expr.status();
      return UserError("UNSUPPORTED_FEATURE",
                       "partitionedBy() supports plain columns only in Basin (not transforms "
                       "such as years() or bucket()).");
    }
    partitions.push_back((*expr)->name_parts[0]);
  }
  std::vector<std::string> clustering(write.clustering_columns().begin(),
                                      write.clustering_columns().end());
  ASSIGN_OR_RAISE(auto input, InputName(write.input(), translator));
  using M = pb::WriteOperationV2;
  switch (write.mode()) {
    case M::MODE_CREATE:
      return RunStatement(translator, CreateTableAs("CREATE TABLE", name, format, partitions,
                                                    clustering, options, properties, input))
          .status();
    case M::MODE_CREATE_OR_REPLACE:
      return RunStatement(translator,
                          CreateTableAs("CREATE OR REPLACE TABLE", name, format, partitions,
                                        clustering, options, properties, input))
          .status();
    case M::MODE_REPLACE:
      if (!TableExists(translator, name)) {
        // Spark's CannotReplaceMissingTableException carries TABLE_OR_VIEW_NOT_FOUND.
        return UserError("TABLE_OR_VIEW_NOT_FOUND",
                         "The table or view " + name +
                             " cannot be found. It cannot be replaced as it does not exist; use "
                             "createOrReplace() to create the table.");
      }
      return RunStatement(translator,
                          CreateTableAs("CREATE OR REPLACE TABLE", name, format, partitions,
                                        clustering, options, properties, input))
          .status();
    case M::MODE_APPEND:
      return RunStatement(translator, "INSERT INTO " + name + " BY NAME SELECT * FROM " + input)
          .status();
    case M::MODE_OVERWRITE: {
      if (!write.has_overwrite_condition()) {
        return RunStatement(translator,
                            "INSERT OVERWRITE " + name + " BY NAME SELECT * FROM " + input)
            .status();
      }
      ASSIGN_OR_RAISE(auto condition, translator.Expression(write.overwrite_condition()));
      ParameterValues values;
      values.named = translator.literals();
      RETURN_NOT_OK(BindParameters(condition, values));
      ASSIGN_OR_RAISE(auto condition_text, ExpressionText(*condition));
      return RunStatement(translator, "INSERT INTO " + name + " BY NAME REPLACE WHERE " +
                                          condition_text + " SELECT * FROM " + input)
          .status();
    }
    case M::MODE_OVERWRITE_PARTITIONS:
      return UserError("UNSUPPORTED_FEATURE",
                       "overwritePartitions() (dynamic partition overwrite) is not supported by "
                       "Basin yet; use overwrite(condition).");
    default:
      return UserError("UNSUPPORTED_FEATURE", "A writeTo() without a mode is not supported.");
  }
}

// df.createTempView(name): the view re-plans a copy of the DataFrame on each use, so it sees
// the tables' latest versions.
Status RunCreateView(const pb::CreateDataFrameViewCommand& command, PlanTranslator& translator) {
  if (command.is_global()) {
    return UserError("UNSUPPORTED_FEATURE",
                     "Global temporary views (createGlobalTempView) are not supported by Basin "
                     "yet; use createTempView.");
  }
  ASSIGN_OR_RAISE(auto parts, sql::ParseMultipartIdentifier(command.name()));
  if (parts.size() != 1) {
    return UserError("TEMP_VIEW_NAME_TOO_MANY_NAME_PARTS",
                     "CREATE TEMPORARY VIEW or the corresponding Dataset APIs only accept "
                     "single-part view names, but got: " +
                         command.name() + ".");
  }
  // Analyze now so that a broken DataFrame fails here, as in Spark.
  RETURN_NOT_OK(translator.Plan(command.input(), /*optimize=*/false).status());
  auto input = std::make_shared<const pb::Relation>(command.input());
  TranslationContext context = translator.context();
  auto planner = [context, input]() -> Result<plan::PlanPtr> {
    PlanTranslator view_translator(context);
    return view_translator.Plan(*input, /*optimize=*/false);
  };
  return translator.session().CreateTempView(parts[0], planner, command.replace());
}

// df.checkpoint() / localCheckpoint(): the rows are computed now and kept in the Connect session;
// the client gets an id to refer to them (CachedRemoteRelation) until it releases it. Basin has
// no reliable checkpoint directory, so both kinds keep the rows in memory, and a lazy checkpoint
// is computed eagerly (the same rows, computed once).
Result<Responses> RunCheckpoint(const pb::CheckpointCommand& command, PlanTranslator& translator) {
  const auto& remote = translator.context().remote_relations;
  if (!remote) {
    return UserError("UNSUPPORTED_FEATURE", "Checkpoints are not available in this session.");
  }
  ASSIGN_OR_RAISE(auto rows, InputTable(command.relation(), translator));
  ASSIGN_OR_RAISE(rows, rows->CombineChunks());
  pb::ExecutePlanResponse response;
  response.mutable_checkpoint_command_result()->mutable_relation()->set_relation_id(
      remote->Add(std::move(rows)));
  Responses out;
  out.push_back(std::move(response));
  return out;
}

Status Unsupported(const std::string& what) {
  return UserError("UNSUPPORTED_FEATURE", what + " is not supported by Basin yet.");
}

}  // namespace

Result<std::vector<spark::connect::ExecutePlanResponse>> RunCommand(
    const spark::connect::Command& command, PlanTranslator& translator) {
  using C = pb::Command;
  switch (command.command_type_case()) {
    case C::kSqlCommand:
      return RunSqlCommand(command.sql_command(), translator);
    case C::kWriteOperation:
      RETURN_NOT_OK(RunWriteOperation(command.write_operation(), translator));
      return Responses{};
    case C::kWriteOperationV2:
      RETURN_NOT_OK(RunWriteOperationV2(command.write_operation_v2(), translator));
      return Responses{};
    case C::kCreateDataframeView:
      RETURN_NOT_OK(RunCreateView(command.create_dataframe_view(), translator));
      return Responses{};
    case C::kExtension:
      return RunDeltaCommand(command.extension(), translator);
    case C::kRegisterFunction: {
      // spark.udf.register: the name is callable from SQL in this session.
      const auto& udf = command.register_function();
      ASSIGN_OR_RAISE(auto function, PythonFunctionOf(udf));
      translator.session().RegisterPythonFunction(udf.function_name(), std::move(function));
      return Responses{};
    }
    case C::kRegisterTableFunction:
      return Unsupported("Registering user-defined table functions (spark.udtf.register)");
    case C::kRegisterDataSource:
      return Unsupported("Registering Python data sources (spark.dataSource.register)");
    case C::kWriteStreamOperationStart:
    case C::kStreamingQueryCommand:
    case C::kStreamingQueryManagerCommand:
    case C::kStreamingQueryListenerBusCommand:
      return Unsupported("Structured Streaming over Spark Connect");
    case C::kGetResourcesCommand:
      return Unsupported("Querying cluster resources");
    case C::kCreateResourceProfileCommand:
      return Unsupported("Resource profiles");
    case C::kCheckpointCommand:
      return RunCheckpoint(command.checkpoint_command(), translator);
    case C::kRemoveCachedRemoteRelationCommand:
      if (const auto& remote = translator.context().remote_relations) {
        remote->Remove(command.remove_cached_remote_relation_command().relation().relation_id());
      }
      return Responses{};
    case C::kMergeIntoTableCommand:
      return Unsupported("DataFrame.mergeInto()");
    case C::kMlCommand:
      return Unsupported("Spark ML over Spark Connect");
    case C::kExecuteExternalCommand:
      return Unsupported("Executing external commands");
    case C::kPipelineCommand:
      return Unsupported("Declarative pipelines");
    default:
      return Unsupported("This Spark Connect command");
  }
}

}  // namespace basin::connect
