// Connect relations -> queries: one function per relation kind. A step over an input is a
// SELECT over the input as a FROM subquery (PlanTranslator::FromRelation tags it with the
// input's plan id).

#include <arrow/compute/api.h>
#include <arrow/io/memory.h>
#include <arrow/ipc/reader.h>

#include <algorithm>
#include <functional>
#include <random>
#include <regex>

#include "basin/analyzer/analyzer.h"
#include "basin/base/error_parameters.h"
#include "basin/analyzer/column_name.h"
#include "basin/connect/arrow_stream.h"
#include "basin/connect/data_type.h"
#include "basin/connect/relation_queries.h"
#include "basin/connect/sql_text.h"
#include "basin/function/cast.h"
#include "basin/function/kernel_support.h"
#include "basin/io/file_system.h"
#include "basin/types/geospatial_type.h"
#include "basin/types/numeric_rank.h"
#include "basin/types/schema_json.h"
#include "basin/types/user_defined_type.h"
#include "basin/sql/parser.h"

namespace basin::connect {

namespace {

bool SameName(const std::string& a, const std::string& b) { return Lower(a) == Lower(b); }

Result<sql::QueryPtr> Over(const proto::Relation& input, PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto from, t.FromRelation(input));
  return SelectAll(std::move(from));
}

// Basin's form of an Arrow type that clients send (pyarrow's list "item" fields, nanosecond or
// zoned timestamps, large strings).
std::shared_ptr<arrow::DataType> BasinType(const std::shared_ptr<arrow::DataType>& type) {
  // GEOMETRY / GEOGRAPHY arrive in the engine's own form; their marker must stay.
  if (types::SpatialTypeOf(*type)) return type;
  switch (type->id()) {
    case arrow::Type::TIMESTAMP: {
      const auto& ts = static_cast<const arrow::TimestampType&>(*type);
      return ts.timezone().empty() ? arrow::timestamp(arrow::TimeUnit::MICRO)
                                   : arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
    }
    case arrow::Type::DATE64: return arrow::date32();
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW: return arrow::utf8();
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::BINARY_VIEW:
    case arrow::Type::FIXED_SIZE_BINARY: return arrow::binary();
    case arrow::Type::DURATION: return arrow::duration(arrow::TimeUnit::MICRO);
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
    case arrow::Type::FIXED_SIZE_LIST: {
      const auto& list = static_cast<const arrow::BaseListType&>(*type);
      return arrow::list(types::WithUserDefinedTypeOf(
          arrow::field("element", BasinType(list.value_type()), true), *list.value_field()));
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(*type);
      return std::make_shared<arrow::MapType>(
          types::WithUserDefinedTypeOf(arrow::field("key", BasinType(map.key_type()), false),
                                       *map.key_field()),
          types::WithUserDefinedTypeOf(arrow::field("value", BasinType(map.item_type()), true),
                                       *map.item_field()));
    }
    case arrow::Type::STRUCT: {
      arrow::FieldVector fields;
      for (const auto& f : type->fields()) {
        fields.push_back(types::WithUserDefinedTypeOf(
            arrow::field(f->name(), BasinType(f->type()), f->nullable()), *f));
      }
      return arrow::struct_(fields);
    }
    case arrow::Type::DICTIONARY:
      return BasinType(static_cast<const arrow::DictionaryType&>(*type).value_type());
    default: return type;
  }
}

Result<std::shared_ptr<arrow::ChunkedArray>> CastColumn(
    const std::shared_ptr<arrow::ChunkedArray>& column, const std::shared_ptr<arrow::DataType>& to) {
  if (column->type()->Equals(*to)) return column;
  arrow::compute::CastOptions options = arrow::compute::CastOptions::Unsafe(to);
  auto cast = arrow::compute::Cast(arrow::Datum(column), options);
  if (!cast.ok()) {
    return UserError("INVALID_PLAN_INPUT", "Cannot convert the local data of type " +
                                               column->type()->ToString() + " to " +
                                               to->ToString() + ": " + cast.status().message());
  }
  return cast->chunked_array();
}

// Local rows (Arrow IPC stream `data`, optional `schema` string) in Basin's types.
Result<std::shared_ptr<arrow::Table>> LocalTable(const std::vector<std::string>& chunks,
                                                 const std::string& schema_text) {
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  std::shared_ptr<arrow::Schema> data_schema;
  for (const auto& data : chunks) {
    if (data.empty()) continue;
    // The batches slice this buffer and keep it alive: it must own a copy of the bytes.
    auto buffer = arrow::Buffer::FromString(data);
    auto reader =
        arrow::ipc::RecordBatchStreamReader::Open(std::make_shared<arrow::io::BufferReader>(buffer));
    if (!reader.ok()) {
      return UserError("INVALID_PLAN_INPUT",
                       "The local relation's data is not an Arrow IPC stream: " +
                           reader.status().message());
    }
    data_schema = (*reader)->schema();
    ASSIGN_OR_RAISE(auto read, (*reader)->ToRecordBatches());
    for (auto& b : read) batches.push_back(b);
  }
  std::shared_ptr<arrow::Schema> target;
  if (!schema_text.empty()) {
    ASSIGN_OR_RAISE(target, ParseSchemaString(schema_text));
  }
  if (!data_schema) {
    if (!target) return UserError("INVALID_PLAN_INPUT", "A local relation needs data or a schema.");
    arrow::FieldVector fields;
    for (const auto& f : target->fields()) {
      fields.push_back(types::WithUserDefinedTypeOf(
          arrow::field(f->name(), BasinType(f->type()), f->nullable()), *f));
    }
    return arrow::Table::MakeEmpty(arrow::schema(fields));
  }
  ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches(data_schema, batches));
  if (target && target->num_fields() != table->num_columns()) {
    return UserError("INVALID_PLAN_INPUT", "The local relation's schema has " +
                                               std::to_string(target->num_fields()) +
                                               " columns but its data has " +
                                               std::to_string(table->num_columns()) + ".");
  }
  arrow::FieldVector fields;
  std::vector<std::shared_ptr<arrow::ChunkedArray>> columns;
  for (int i = 0; i < table->num_columns(); ++i) {
    auto field = target ? target->field(i) : table->schema()->field(i);
    auto type = BasinType(field->type());
    auto column = table->column(i);
    // Structs with repeated field names arrive with suffixed names (a_0, a_1): the schema's
    // names go back on by position.
    auto renamed = WithFieldNamesOf(column->type(), *type);
    if (!renamed->Equals(*column->type())) {
      arrow::ArrayVector chunks;
      for (const auto& chunk : column->chunks()) {
        chunks.push_back(arrow::MakeArray(Retyped(chunk->data(), renamed)));
      }
      column = std::make_shared<arrow::ChunkedArray>(chunks, renamed);
    }
    ASSIGN_OR_RAISE(column, CastColumn(column, type));
    if (types::ContainsSpatial(*type)) {
      // Arrow's Equals ignores the SRID markers: the rows take the schema's type, and each
      // value's SRID is checked against it, as Spark's encoder does.
      arrow::ArrayVector chunks;
      for (const auto& chunk : column->chunks()) {
        auto retyped = arrow::MakeArray(Retyped(chunk->data(), type));
        RETURN_NOT_OK(types::CheckSpatialValues(*retyped));
        chunks.push_back(std::move(retyped));
      }
      column = std::make_shared<arrow::ChunkedArray>(chunks, type);
    }
    bool nullable = field->nullable() || column->null_count() > 0;
    fields.push_back(
        types::WithUserDefinedTypeOf(arrow::field(field->name(), type, nullable), *field));
    columns.push_back(column);
  }
  return arrow::Table::Make(arrow::schema(fields), columns, table->num_rows());
}

// Walks a syntax tree and gives every `?` and `:name` parameter its value.
class ParameterBinder {
 public:
  ParameterBinder(PlanTranslator& t, std::map<std::string, std::shared_ptr<arrow::Scalar>> named,
                  std::vector<std::shared_ptr<arrow::Scalar>> positional)
      : t_(t), named_(std::move(named)), positional_(std::move(positional)) {}

  Status Query(sql::Query& q) {
    for (auto& c : q.ctes) RETURN_NOT_OK(QueryPtr(c.query));
    for (auto& s : q.select_items) RETURN_NOT_OK(Expr(s.expr));
    RETURN_NOT_OK(Relation(q.from));
    RETURN_NOT_OK(Expr(q.where));
    if (q.group_by) {
      for (auto& item : q.group_by->items) {
        RETURN_NOT_OK(Expr(item.expr));
        for (auto& set : item.sets) {
          for (auto& e : set) RETURN_NOT_OK(Expr(e));
        }
      }
    }
    RETURN_NOT_OK(Expr(q.having));
    RETURN_NOT_OK(Expr(q.qualify));
    for (auto& w : q.windows) RETURN_NOT_OK(Window(w.spec));
    RETURN_NOT_OK(QueryPtr(q.left));
    RETURN_NOT_OK(QueryPtr(q.right));
    for (auto& row : q.values) {
      for (auto& e : row) RETURN_NOT_OK(Expr(e));
    }
    for (auto& s : q.order_by) RETURN_NOT_OK(Expr(s.expr));
    for (auto& s : q.sort_by) RETURN_NOT_OK(Expr(s.expr));
    for (auto& e : q.cluster_by) RETURN_NOT_OK(Expr(e));
    for (auto& e : q.distribute_by) RETURN_NOT_OK(Expr(e));
    RETURN_NOT_OK(Expr(q.limit));
    return Expr(q.offset);
  }

 private:
  Status QueryPtr(sql::QueryPtr& q) { return q ? Query(*q) : Status::OK(); }

  Status Window(sql::WindowSpec& w) {
    for (auto& e : w.partition_by) RETURN_NOT_OK(Expr(e));
    for (auto& s : w.order_by) RETURN_NOT_OK(Expr(s.expr));
    if (w.frame) {
      RETURN_NOT_OK(Expr(w.frame->start.offset));
      RETURN_NOT_OK(Expr(w.frame->end.offset));
    }
    return Status::OK();
  }

  Status Relation(sql::RelationPtr& r) {
    if (!r) return Status::OK();
    if (r->kind == sql::RelationKind::kTable && r->name_parts.size() == 1) {
      // spark.sql("... {df} ...", df=df): the DataFrame argument by its generated name.
      if (const auto* reference = ReferenceByAlias(r->name_parts[0])) {
        ASSIGN_OR_RAISE(auto from, t_.FromRelation(reference->subquery_alias().input()));
        from->alias = r->alias ? r->alias : std::optional<std::string>(r->name_parts[0]);
        from->column_aliases = std::move(r->column_aliases);
        r = std::move(from);
        return Status::OK();
      }
    }
    RETURN_NOT_OK(Expr(r->time_travel.value));
    if (r->sample) RETURN_NOT_OK(Expr(r->sample->amount));
    RETURN_NOT_OK(QueryPtr(r->query));
    RETURN_NOT_OK(Expr(r->function));
    for (auto& row : r->rows) {
      for (auto& e : row) RETURN_NOT_OK(Expr(e));
    }
    RETURN_NOT_OK(Relation(r->left));
    RETURN_NOT_OK(Relation(r->right));
    RETURN_NOT_OK(Expr(r->condition));
    if (r->pivot) {
      for (auto& e : r->pivot->aggregates) RETURN_NOT_OK(Expr(e));
      for (auto& e : r->pivot->values) RETURN_NOT_OK(Expr(e));
    }
    return Status::OK();
  }

  Status Expr(sql::ExprPtr& e) {
    if (!e) return Status::OK();
    if (e->kind == sql::ExprKind::kParameter) {
      if (e->text.empty()) {
        if (e->parameter_index < 0 ||
            e->parameter_index >= static_cast<int>(positional_.size())) {
          return UserError("UNBOUND_SQL_PARAMETER",
                           "Found the unbound parameter: _" + std::to_string(e->parameter_index) +
                               ". Please, fix `args` and provide a mapping of the parameter to "
                               "either a SQL literal or collection constructor functions.");
        }
        auto pos = e->pos;
        e = t_.Literal(positional_[e->parameter_index]);
        e->pos = pos;
      } else if (auto it = named_.find(e->text); it != named_.end()) {
        auto pos = e->pos;
        e = t_.Literal(it->second);
        e->pos = pos;
      }
      return Status::OK();
    }
    for (auto& c : e->children) RETURN_NOT_OK(Expr(c));
    RETURN_NOT_OK(Expr(e->filter));
    if (e->over) RETURN_NOT_OK(Window(*e->over));
    for (auto& s : e->within_group) RETURN_NOT_OK(Expr(s.expr));
    return QueryPtr(e->subquery);
  }

  PlanTranslator& t_;
  std::map<std::string, std::shared_ptr<arrow::Scalar>> named_;
  std::vector<std::shared_ptr<arrow::Scalar>> positional_;
};

// The index of the input column that `expression` (a column reference) resolves to.
Result<std::optional<int>> ResolvedColumnIndex(const proto::Relation& input,
                                               const proto::Expression& expression,
                                               PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto from, t.FromRelation(input));
  auto q = std::make_unique<sql::Query>();
  q->from = std::move(from);
  ASSIGN_OR_RAISE(auto e, t.Expression(expression));
  q->select_items.push_back(Item(std::move(e)));
  auto plan = t.PlanQuery(*q, /*optimize=*/false);
  if (!plan.ok()) return std::optional<int>();
  const auto& node = **plan;
  if (node.kind == plan::PlanKind::kProject && node.exprs.size() == 1 &&
      node.exprs[0]->kind == plan::ExprKind::kColumn) {
    return std::optional<int>(node.exprs[0]->column_index);
  }
  return std::optional<int>();
}

// The input column that `column` (df["name"], with a plan id) names when that DataFrame's column
// is still in `input`, or nothing. The analyzer falls back to any column of the name when the
// DataFrame's own column is gone (withColumn replaced it); a one-row relation holding a column of
// that name beside the input makes such a fallback ambiguous, so only the DataFrame's own column
// resolves.
Result<std::optional<int>> ResolvedOwnColumnIndex(const proto::Relation& input,
                                                  const proto::Expression& column,
                                                  int input_columns, PlanTranslator& t) {
  const std::string& identifier = column.unresolved_attribute().unparsed_identifier();
  auto decoy = std::make_unique<sql::Query>();
  decoy->select_items.push_back(Item(t.Literal(arrow::MakeNullScalar(arrow::null())),
                                     identifier.substr(0, identifier.find('.'))));
  auto join = std::make_unique<sql::Relation>();
  join->kind = sql::RelationKind::kJoin;
  join->join_type = sql::JoinType::kCross;
  ASSIGN_OR_RAISE(join->left, t.FromRelation(input));
  join->right = SubqueryRelation(std::move(decoy));
  auto q = std::make_unique<sql::Query>();
  q->from = std::move(join);
  ASSIGN_OR_RAISE(auto e, t.Expression(column));
  q->select_items.push_back(Item(std::move(e)));
  auto plan = t.PlanQuery(*q, /*optimize=*/false);
  if (!plan.ok()) return std::optional<int>();
  const auto& node = **plan;
  if (node.kind == plan::PlanKind::kProject && node.exprs.size() == 1 &&
      node.exprs[0]->kind == plan::ExprKind::kColumn && node.exprs[0]->column_index >= 0 &&
      node.exprs[0]->column_index < input_columns) {
    return std::optional<int>(node.exprs[0]->column_index);
  }
  return std::optional<int>();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Builders shared by the relation files
// ---------------------------------------------------------------------------------------------

sql::QueryPtr SelectAll(sql::RelationPtr from) {
  auto q = std::make_unique<sql::Query>();
  q->select_items.push_back(Item(StarExpr()));
  q->from = std::move(from);
  return q;
}

sql::RelationPtr SubqueryRelation(sql::QueryPtr query) {
  auto r = std::make_unique<sql::Relation>();
  r->kind = sql::RelationKind::kSubquery;
  r->query = std::move(query);
  return r;
}

// The rows of `table` as a relation.
sql::QueryPtr ValuesQuery(std::shared_ptr<arrow::Table> table, PlanTranslator& t) {
  auto node = std::make_shared<plan::PlanNode>();
  node->kind = plan::PlanKind::kValues;
  node->schema = table->schema();
  node->values = std::move(table);
  return SelectAll(t.RegisterPlan(node));
}

// SELECT over `input` with its columns renamed to `__c0`, `__c1`, ... (so that columns with
// equal names can be told apart by position).
Result<sql::QueryPtr> PositionalSelect(const proto::Relation& input, int columns,
                                       PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto from, t.FromRelation(input));
  from->alias = "__basin_positional";
  for (int i = 0; i < columns; ++i) from->column_aliases.push_back("__c" + std::to_string(i));
  auto q = std::make_unique<sql::Query>();
  q->from = std::move(from);
  return q;
}

sql::ExprPtr PositionalColumn(int i) { return ColumnExpr({"__c" + std::to_string(i)}); }

Result<std::shared_ptr<arrow::Table>> RunQuery(PlanTranslator& t, const sql::Query& query) {
  ASSIGN_OR_RAISE(auto plan, t.PlanQuery(query));
  ASSIGN_OR_RAISE(auto reader, t.session().Run(plan));
  ASSIGN_OR_RAISE(auto table, reader->ToTable());
  return table;
}

Result<std::shared_ptr<arrow::Scalar>> ConstantScalar(PlanTranslator& t,
                                                      const proto::Expression& expression) {
  if (expression.has_literal()) return LiteralScalar(expression.literal());
  auto q = std::make_unique<sql::Query>();
  ASSIGN_OR_RAISE(auto e, t.Expression(expression));
  q->select_items.push_back(Item(std::move(e)));
  ASSIGN_OR_RAISE(auto table, RunQuery(t, *q));
  if (table->num_rows() != 1 || table->num_columns() != 1) {
    return UserError("INVALID_SQL_ARG", "A parameter value must be a constant.");
  }
  return table->column(0)->GetScalar(0);
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

namespace {

Result<analyzer::TimeTravelSpec> TimeTravelOption(
    const std::vector<std::pair<std::string, std::string>>& options) {
  analyzer::TimeTravelSpec spec;
  for (const auto& [key, value] : options) {
    std::string k = Lower(key);
    if (k == "versionasof") {
      try {
        spec.version = std::stoll(value);
      } catch (...) {
        return UserError("INVALID_PARAMETER_VALUE", "versionAsOf must be a number: " + value);
      }
    } else if (k == "timestampasof") {
      spec.timestamp = value;
    }
  }
  return spec;
}

// A scan's columns cast to a user schema: by position for CSV (whose columns may be unnamed),
// by name otherwise.
Result<sql::QueryPtr> ApplySchema(sql::RelationPtr from, const arrow::Schema& scanned,
                                  const arrow::Schema& schema, bool positional, PlanTranslator& t) {
  auto q = std::make_unique<sql::Query>();
  for (int i = 0; i < schema.num_fields(); ++i) {
    const auto& field = schema.field(i);
    sql::ExprPtr value;
    if (positional && i < scanned.num_fields()) {
      value = ColumnExpr({scanned.field(i)->name()});
    } else if (!positional && scanned.GetFieldIndex(field->name()) >= 0) {
      value = ColumnExpr({field->name()});
    }
    if (!value) {
      q->select_items.push_back(Item(t.Literal(arrow::MakeNullScalar(field->type())), field->name()));
      continue;
    }
    ASSIGN_OR_RAISE(auto type, sql::ParseDataType(types::SparkTypeName(*field->type())));
    auto cast = std::make_unique<sql::Expr>();
    cast->kind = sql::ExprKind::kCast;
    cast->try_cast = true;
    cast->type = std::make_unique<sql::DataTypeSyntax>(std::move(type));
    cast->children.push_back(std::move(value));
    q->select_items.push_back(Item(std::move(cast), field->name()));
  }
  q->from = std::move(from);
  return q;
}

Result<sql::QueryPtr> ReadPath(const std::string& format, const std::string& path,
                               const std::vector<std::pair<std::string, std::string>>& options,
                               const std::shared_ptr<arrow::Schema>& schema, PlanTranslator& t) {
  if (format == "delta") {
    ASSIGN_OR_RAISE(auto spec, TimeTravelOption(options));
    ASSIGN_OR_RAISE(auto plan, analyzer::DeltaTableScan(path, spec));
    return SelectAll(t.RegisterPlan(plan));
  }
  ASSIGN_OR_RAISE(auto plan, analyzer::FileScan(format, path, options));
  auto from = t.RegisterPlan(plan);
  if (!schema) return SelectAll(std::move(from));
  return ApplySchema(std::move(from), *plan->schema, *schema, format == "csv", t);
}

}  // namespace

Result<sql::QueryPtr> ReadQuery(const proto::Read& read, PlanTranslator& t) {
  if (read.has_named_table()) {
    const auto& named = read.named_table();
    ASSIGN_OR_RAISE(auto parts, sql::ParseMultipartIdentifier(named.unparsed_identifier()));
    auto from = std::make_unique<sql::Relation>();
    from->kind = sql::RelationKind::kTable;
    from->name_parts = std::move(parts);
    std::vector<std::pair<std::string, std::string>> options(named.options().begin(),
                                                             named.options().end());
    ASSIGN_OR_RAISE(auto spec, TimeTravelOption(options));
    if (spec.version) {
      from->time_travel.kind = sql::TimeTravelKind::kVersion;
      from->time_travel.value = IntegerLiteralExpr(*spec.version);
    } else if (spec.timestamp) {
      from->time_travel.kind = sql::TimeTravelKind::kTimestamp;
      from->time_travel.value = StringLiteralExpr(*spec.timestamp);
    }
    return SelectAll(std::move(from));
  }
  if (!read.has_data_source()) return UserError("INVALID_PLAN_INPUT", "A read without a source.");
  const auto& source = read.data_source();
  std::string format =
      source.has_format() && !source.format().empty()
          ? SourceName(source.format())
          : SourceName(t.session().GetConfig("spark.sql.sources.default").value_or("parquet"));
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<std::string> paths(source.paths().begin(), source.paths().end());
  for (const auto& [k, v] : source.options()) {
    if (Lower(k) == "path") {
      paths.push_back(v);
    } else {
      options.emplace_back(k, v);
    }
  }
  std::sort(options.begin(), options.end());
  if (paths.empty()) {
    return UserError("INVALID_PLAN_INPUT", "The " + format + " reader needs a path.");
  }
  std::shared_ptr<arrow::Schema> schema;
  if (source.has_schema() && !source.schema().empty()) {
    ASSIGN_OR_RAISE(schema, ParseSchemaString(source.schema()));
  }
  sql::QueryPtr result;
  for (const auto& path : paths) {
    ASSIGN_OR_RAISE(auto q, ReadPath(format, path, options, schema, t));
    if (!result) {
      result = std::move(q);
      continue;
    }
    auto u = std::make_unique<sql::Query>();
    u->kind = sql::QueryKind::kSetOp;
    u->set_op = sql::SetOpKind::kUnion;
    u->set_all = true;
    u->left = std::move(result);
    u->right = std::move(q);
    result = std::move(u);
  }
  for (const auto& predicate : source.predicates()) {
    ASSIGN_OR_RAISE(auto condition, sql::ParseExpression(predicate));
    auto q = SelectAll(SubqueryRelation(std::move(result)));
    q->where = std::move(condition);
    result = std::move(q);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Projection and filtering
// ---------------------------------------------------------------------------------------------

Result<sql::QueryPtr> ProjectQuery(const proto::Project& project, PlanTranslator& t) {
  auto q = std::make_unique<sql::Query>();
  std::shared_ptr<arrow::Schema> input_schema;
  if (project.has_input()) {
    ASSIGN_OR_RAISE(q->from, t.FromRelation(project.input()));
  }
  std::optional<ExpressionInput> scope;
  if (project.has_input()) scope.emplace(project.input());
  for (const auto& e : project.expressions()) {
    if (e.has_unresolved_regex()) {
      // df.colRegex("`(a|b)`"): the input's columns whose whole name matches.
      if (!project.has_input()) return UserError("INVALID_PLAN_INPUT", "colRegex without input.");
      if (!input_schema) {
        ASSIGN_OR_RAISE(input_schema, t.Schema(project.input()));
      }
      std::string pattern = e.unresolved_regex().col_name();
      if (pattern.size() >= 2 && pattern.front() == '`' && pattern.back() == '`') {
        pattern = pattern.substr(1, pattern.size() - 2);
      }
      std::regex re;
      try {
        re = std::regex(pattern);
      } catch (const std::regex_error&) {
        return UserError("INVALID_PARAMETER_VALUE", "Bad regular expression: " + pattern);
      }
      int64_t plan_id = e.unresolved_regex().has_plan_id() ? e.unresolved_regex().plan_id() : -1;
      for (const auto& field : input_schema->fields()) {
        if (std::regex_match(field->name(), re)) {
          q->select_items.push_back(Item(ColumnExpr({field->name()}, plan_id)));
        }
      }
      continue;
    }
    ASSIGN_OR_RAISE(auto item, t.SelectItem(e));
    q->select_items.push_back(std::move(item));
  }
  return q;
}

namespace {

// Collects the first name part of the columns `e` names (col("a"), col("a.b")), through
// function calls, aliases and casts.
void ReferencedNames(const proto::Expression& e, std::vector<std::string>* out) {
  switch (e.expr_type_case()) {
    case proto::Expression::kUnresolvedAttribute: {
      const std::string& id = e.unresolved_attribute().unparsed_identifier();
      out->push_back(id.substr(0, id.find('.')));
      break;
    }
    case proto::Expression::kUnresolvedFunction:
      for (const auto& a : e.unresolved_function().arguments()) ReferencedNames(a, out);
      break;
    case proto::Expression::kAlias:
      ReferencedNames(e.alias().expr(), out);
      break;
    case proto::Expression::kCast:
      ReferencedNames(e.cast().expr(), out);
      break;
    default:
      break;
  }
}

bool HasField(const arrow::Schema& schema, const std::string& name) {
  for (const auto& f : schema.fields()) {
    if (SameName(f->name(), name)) return true;
  }
  return false;
}

}  // namespace

Result<sql::QueryPtr> FilterQuery(const proto::Filter& filter, PlanTranslator& t) {
  if (filter.input().has_project() && filter.input().project().has_input()) {
    // df.select("i").where(col("t") > 1): a condition on columns the projection dropped is
    // checked below the projection, as Spark's analyzer adds the missing columns and drops
    // them again.
    std::vector<std::string> names;
    ReferencedNames(filter.condition(), &names);
    ASSIGN_OR_RAISE(auto shown, t.Schema(filter.input()));
    ASSIGN_OR_RAISE(auto below, t.Schema(filter.input().project().input()));
    bool missing = false, resolvable = true;
    for (const auto& name : names) {
      if (HasField(*shown, name)) continue;
      missing = true;
      resolvable &= HasField(*below, name);
    }
    if (missing && resolvable) {
      proto::Relation pushed = filter.input();
      proto::Relation inner;
      *inner.mutable_filter()->mutable_input() = filter.input().project().input();
      *inner.mutable_filter()->mutable_condition() = filter.condition();
      *pushed.mutable_project()->mutable_input() = std::move(inner);
      return t.Query(pushed);
    }
  }
  ExpressionInput scope(filter.input());
  ASSIGN_OR_RAISE(auto q, Over(filter.input(), t));
  ASSIGN_OR_RAISE(q->where, t.Expression(filter.condition()));
  return q;
}

Result<sql::QueryPtr> WithColumnsQuery(const proto::WithColumns& with, PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto schema, t.Schema(with.input()));
  ExpressionInput scope(with.input());
  ASSIGN_OR_RAISE(auto q, Over(with.input(), t));
  q->select_items.clear();
  std::vector<bool> used(with.aliases_size(), false);
  for (const auto& a : with.aliases()) {
    if (a.name_size() != 1) {
      return UserError("INVALID_PLAN_INPUT", "withColumns takes one name per column.");
    }
  }
  bool replaces = false;
  for (const auto& field : schema->fields()) {
    for (int j = 0; j < with.aliases_size(); ++j) {
      replaces |= SameName(field->name(), with.aliases(j).name(0));
    }
  }
  if (!replaces) q->select_items.push_back(Item(StarExpr()));
  for (int i = 0; replaces && i < schema->num_fields(); ++i) {
    const auto& name = schema->field(i)->name();
    int found = -1;
    for (int j = with.aliases_size() - 1; j >= 0 && found < 0; --j) {
      if (SameName(name, with.aliases(j).name(0))) found = j;
    }
    if (found < 0) {
      // By position: after a join, two input columns may share the name.
      auto column = ColumnExpr({name});
      column->scope_index = i;
      q->select_items.push_back(Item(std::move(column)));
      continue;
    }
    ASSIGN_OR_RAISE(auto e, t.Expression(with.aliases(found).expr()));
    q->select_items.push_back(Item(std::move(e), with.aliases(found).name(0)));
    for (int j = 0; j < with.aliases_size(); ++j) {
      if (SameName(name, with.aliases(j).name(0))) used[j] = true;
    }
  }
  for (int j = 0; j < with.aliases_size(); ++j) {
    if (used[j]) continue;
    bool later = false;  // a later alias of the same name wins
    for (int k = j + 1; k < with.aliases_size(); ++k) {
      later |= SameName(with.aliases(j).name(0), with.aliases(k).name(0));
    }
    if (later) continue;
    ASSIGN_OR_RAISE(auto e, t.Expression(with.aliases(j).expr()));
    q->select_items.push_back(Item(std::move(e), with.aliases(j).name(0)));
  }
  return q;
}

Result<sql::QueryPtr> WithColumnsRenamedQuery(const proto::WithColumnsRenamed& renamed,
                                              PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto schema, t.Schema(renamed.input()));
  std::vector<std::pair<std::string, std::string>> renames;
  for (const auto& [from, to] : renamed.rename_columns_map()) renames.emplace_back(from, to);
  for (const auto& r : renamed.renames()) renames.emplace_back(r.col_name(), r.new_col_name());
  ASSIGN_OR_RAISE(auto q, PositionalSelect(renamed.input(), schema->num_fields(), t));
  for (int i = 0; i < schema->num_fields(); ++i) {
    std::string name = schema->field(i)->name();
    for (const auto& [from, to] : renames) {
      if (SameName(name, from)) name = to;
    }
    q->select_items.push_back(Item(PositionalColumn(i), name));
  }
  return q;
}

Result<sql::QueryPtr> ToDfQuery(const proto::ToDF& to_df, PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto schema, t.Schema(to_df.input()));
  if (schema->num_fields() != to_df.column_names_size()) {
    return UserError("INVALID_COLUMN_NAME_AS_PATH" /* Spark: toDF arity */,
                     "The number of columns doesn't match.\nOld column names (" +
                         std::to_string(schema->num_fields()) + ")\nNew column names (" +
                         std::to_string(to_df.column_names_size()) + ")");
  }
  ASSIGN_OR_RAISE(auto q, PositionalSelect(to_df.input(), schema->num_fields(), t));
  for (int i = 0; i < schema->num_fields(); ++i) {
    q->select_items.push_back(Item(PositionalColumn(i), to_df.column_names(i)));
  }
  return q;
}

Result<sql::QueryPtr> DropQuery(const proto::Drop& drop, PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto schema, t.Schema(drop.input()));
  std::vector<bool> dropped(schema->num_fields(), false);
  auto drop_name = [&](const std::string& name) {
    for (int i = 0; i < schema->num_fields(); ++i) {
      if (SameName(schema->field(i)->name(), name)) dropped[i] = true;
    }
  };
  for (const auto& name : drop.column_names()) drop_name(name);
  for (const auto& column : drop.columns()) {
    // df["x"] names one DataFrame's column: when the input no longer holds it, Spark drops
    // nothing rather than another column of that name.
    const bool own = column.has_unresolved_attribute() &&
                     column.unresolved_attribute().has_plan_id();
    std::optional<int> index;
    if (own) {
      ASSIGN_OR_RAISE(index, ResolvedOwnColumnIndex(drop.input(), column, schema->num_fields(), t));
    } else {
      ASSIGN_OR_RAISE(index, ResolvedColumnIndex(drop.input(), column, t));
    }
    if (index && *index >= 0 && *index < schema->num_fields()) {
      dropped[*index] = true;
    } else if (column.has_unresolved_attribute() && !own) {
      drop_name(column.unresolved_attribute().unparsed_identifier());
    }
  }
  ASSIGN_OR_RAISE(auto q, PositionalSelect(drop.input(), schema->num_fields(), t));
  for (int i = 0; i < schema->num_fields(); ++i) {
    if (!dropped[i]) q->select_items.push_back(Item(PositionalColumn(i), schema->field(i)->name()));
  }
  return q;
}

// ---------------------------------------------------------------------------------------------
// Joins and set operations
// ---------------------------------------------------------------------------------------------

Result<sql::QueryPtr> JoinQuery(const proto::Join& join, PlanTranslator& t) {
  auto r = std::make_unique<sql::Relation>();
  r->kind = sql::RelationKind::kJoin;
  ASSIGN_OR_RAISE(r->left, t.FromRelation(join.left()));
  ASSIGN_OR_RAISE(r->right, t.FromRelation(join.right()));
  using J = proto::Join;
  switch (join.join_type()) {
    case J::JOIN_TYPE_UNSPECIFIED:
    case J::JOIN_TYPE_INNER: r->join_type = sql::JoinType::kInner; break;
    case J::JOIN_TYPE_FULL_OUTER: r->join_type = sql::JoinType::kFull; break;
    case J::JOIN_TYPE_LEFT_OUTER: r->join_type = sql::JoinType::kLeft; break;
    case J::JOIN_TYPE_RIGHT_OUTER: r->join_type = sql::JoinType::kRight; break;
    case J::JOIN_TYPE_LEFT_ANTI: r->join_type = sql::JoinType::kLeftAnti; break;
    case J::JOIN_TYPE_LEFT_SEMI: r->join_type = sql::JoinType::kLeftSemi; break;
    case J::JOIN_TYPE_CROSS: r->join_type = sql::JoinType::kCross; break;
    default: return UserError("UNSUPPORTED_JOIN_TYPE", "Unsupported join type.");
  }
  if (join.has_join_condition()) {
    ASSIGN_OR_RAISE(r->condition, t.Expression(join.join_condition()));
  }
  r->using_columns.assign(join.using_columns().begin(), join.using_columns().end());
  // An inner join without a condition stays one (not a CROSS JOIN): with
  // spark.sql.crossJoin.enabled=false it is an implicit cartesian product Spark refuses.
  if (r->join_type == sql::JoinType::kCross && (r->condition || !r->using_columns.empty())) {
    r->join_type = sql::JoinType::kInner;
  }
  return SelectAll(std::move(r));
}

Result<sql::QueryPtr> SetOperationQuery(const proto::SetOperation& op, PlanTranslator& t) {
  auto q = std::make_unique<sql::Query>();
  q->kind = sql::QueryKind::kSetOp;
  using S = proto::SetOperation;
  switch (op.set_op_type()) {
    case S::SET_OP_TYPE_UNION: q->set_op = sql::SetOpKind::kUnion; break;
    case S::SET_OP_TYPE_INTERSECT: q->set_op = sql::SetOpKind::kIntersect; break;
    case S::SET_OP_TYPE_EXCEPT: q->set_op = sql::SetOpKind::kExcept; break;
    default: return UserError("INVALID_PLAN_INPUT", "Unknown set operation.");
  }
  q->set_all = op.has_is_all() && op.is_all();
  ASSIGN_OR_RAISE(q->left, Over(op.left_input(), t));
  ASSIGN_OR_RAISE(q->right, Over(op.right_input(), t));
  if (op.has_by_name() && op.by_name()) {
    ASSIGN_OR_RAISE(auto left, t.Schema(op.left_input()));
    ASSIGN_OR_RAISE(auto right, t.Schema(op.right_input()));
    bool allow_missing = op.has_allow_missing_columns() && op.allow_missing_columns();
    q->left->select_items.clear();
    q->right->select_items.clear();
    auto find = [](const arrow::Schema& s, const std::string& name) {
      for (int i = 0; i < s.num_fields(); ++i) {
        if (SameName(s.field(i)->name(), name)) return i;
      }
      return -1;
    };
    for (const auto& field : left->fields()) {
      q->left->select_items.push_back(Item(ColumnExpr({field->name()})));
      int j = find(*right, field->name());
      if (j >= 0) {
        q->right->select_items.push_back(Item(ColumnExpr({right->field(j)->name()}), field->name()));
      } else if (allow_missing) {
        q->right->select_items.push_back(
            Item(t.Literal(arrow::MakeNullScalar(field->type())), field->name()));
      } else {
        return UserError("UNRESOLVED_COLUMN.WITH_SUGGESTION",
                         "A column, variable, or function parameter with name `" + field->name() +
                             "` cannot be resolved. Did you mean one of the following? [" +
                             right->ToString() + "].");
      }
    }
    for (const auto& field : right->fields()) {
      if (find(*left, field->name()) >= 0) continue;
      if (!allow_missing) {
        return UserError("NUM_COLUMNS_MISMATCH",
                         "UNION can only be performed on inputs with the same number of columns.");
      }
      q->left->select_items.push_back(
          Item(t.Literal(arrow::MakeNullScalar(field->type())), field->name()));
      q->right->select_items.push_back(Item(ColumnExpr({field->name()})));
    }
  }
  return q;
}

// ---------------------------------------------------------------------------------------------
// Ordering, limits, sampling, deduplication
// ---------------------------------------------------------------------------------------------

Result<sql::QueryPtr> SortQuery(const proto::Sort& sort, PlanTranslator& t) {
  ExpressionInput scope(sort.input());
  ASSIGN_OR_RAISE(auto q, Over(sort.input(), t));
  for (const auto& order : sort.order()) {
    ASSIGN_OR_RAISE(auto item, SortItemOf(order, t));
    q->order_by.push_back(std::move(item));
  }
  return q;
}

Result<sql::QueryPtr> LimitQuery(const proto::Limit& limit, PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto q, Over(limit.input(), t));
  q->limit = IntegerLiteralExpr(limit.limit());
  return q;
}

Result<sql::QueryPtr> OffsetQuery(const proto::Offset& offset, PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto q, Over(offset.input(), t));
  q->offset = IntegerLiteralExpr(offset.offset());
  return q;
}

Result<sql::QueryPtr> TailQuery(const proto::Tail& tail, PlanTranslator& t) {
  if (tail.limit() < 0) {
    return UserError("INVALID_LIMIT_LIKE_EXPRESSION.IS_NEGATIVE",
                     "The limit expression must be equal to or greater than 0, but got " +
                         std::to_string(tail.limit()) + ".");
  }
  ASSIGN_OR_RAISE(auto q, Over(tail.input(), t));
  ASSIGN_OR_RAISE(auto table, RunQuery(t, *q));
  int64_t n = std::min<int64_t>(tail.limit(), table->num_rows());
  return ValuesQuery(table->Slice(table->num_rows() - n, n), t);
}

Result<sql::QueryPtr> SampleQuery(const proto::Sample& sample, PlanTranslator& t) {
  // Spark keeps the rows whose rand(seed) falls in [lower, upper), so that randomSplit's
  // samples with one seed partition the input.
  ASSIGN_OR_RAISE(auto q, Over(sample.input(), t));
  int64_t seed = sample.has_seed() ? sample.seed() : static_cast<int64_t>(std::random_device{}());
  auto rand = [&] { return FunctionExpr("rand", [&] {
                      std::vector<sql::ExprPtr> args;
                      args.push_back(IntegerLiteralExpr(seed));
                      return args;
                    }()); };
  auto lower = t.Literal(std::make_shared<arrow::DoubleScalar>(sample.lower_bound()));
  auto upper = t.Literal(std::make_shared<arrow::DoubleScalar>(sample.upper_bound()));
  q->where = BinaryExpr(sql::BinaryOp::kAnd, BinaryExpr(sql::BinaryOp::kGtEq, rand(), std::move(lower)),
                        BinaryExpr(sql::BinaryOp::kLt, rand(), std::move(upper)));
  return q;
}

Result<sql::QueryPtr> DeduplicateQuery(const proto::Deduplicate& dedup, PlanTranslator& t) {
  if (dedup.column_names_size() == 0 || (dedup.has_all_columns_as_keys() && dedup.all_columns_as_keys())) {
    ASSIGN_OR_RAISE(auto q, Over(dedup.input(), t));
    q->distinct = true;
    return q;
  }
  // dropDuplicates(subset): one row per key, the other columns from the group's first row,
  // in the input's column order (as Spark's Deduplicate -> Aggregate(first) rewrite).
  ASSIGN_OR_RAISE(auto schema, t.Schema(dedup.input()));
  for (const auto& key : dedup.column_names()) {
    bool found = false;
    for (const auto& f : schema->fields()) found |= SameName(f->name(), key);
    if (!found) {
      return UserError("UNRESOLVED_COLUMN.WITH_SUGGESTION",
                       "Cannot resolve column name \"" + key + "\" among (" + schema->ToString() +
                           ").");
    }
  }
  ASSIGN_OR_RAISE(auto q, PositionalSelect(dedup.input(), schema->num_fields(), t));
  q->group_by.emplace();
  for (int i = 0; i < schema->num_fields(); ++i) {
    const auto& name = schema->field(i)->name();
    bool key = false;
    for (const auto& k : dedup.column_names()) key |= SameName(name, k);
    if (key) {
      sql::GroupingItem g;
      g.expr = PositionalColumn(i);
      q->group_by->items.push_back(std::move(g));
      q->select_items.push_back(Item(PositionalColumn(i), name));
    } else {
      std::vector<sql::ExprPtr> args;
      args.push_back(PositionalColumn(i));
      q->select_items.push_back(Item(FunctionExpr("first", std::move(args)), name));
    }
  }
  return q;
}

Result<sql::QueryPtr> RangeQuery(const proto::Range& range, PlanTranslator& t) {
  if (range.step() == 0) {
    return UserError("FAILED_FUNCTION_CALL", "The step of range must not be 0.");
  }
  std::vector<sql::ExprPtr> args;
  args.push_back(IntegerLiteralExpr(range.has_start() ? range.start() : 0));
  args.push_back(IntegerLiteralExpr(range.end()));
  args.push_back(IntegerLiteralExpr(range.step()));
  auto from = std::make_unique<sql::Relation>();
  from->kind = sql::RelationKind::kTableFunction;
  from->function = FunctionExpr("range", std::move(args));
  return SelectAll(std::move(from));
}

// ---------------------------------------------------------------------------------------------
// Aggregation
// ---------------------------------------------------------------------------------------------

namespace {

std::string ItemName(const sql::SelectItem& item) {
  return item.alias ? *item.alias : analyzer::AutoColumnName(*item.expr);
}

// Spark's name of a pivot value in the output columns (its toString; null is "null").
std::string PivotValueName(const std::shared_ptr<arrow::Scalar>& value) {
  if (!value->is_valid) return "null";
  auto array = arrow::MakeArrayFromScalar(*value, 1);
  if (!array.ok()) return value->ToString();
  function::EvalContext context;
  auto text = function::ValueToString(**array, 0, context);
  return text.ok() ? *text : value->ToString();
}

Result<sql::QueryPtr> PivotQuery(const proto::Aggregate& aggregate, PlanTranslator& t) {
  const auto& pivot = aggregate.pivot();
  // The pivot values: given, or the column's distinct values in order.
  std::vector<std::shared_ptr<arrow::Scalar>> values;
  for (const auto& v : pivot.values()) {
    ASSIGN_OR_RAISE(auto s, LiteralScalar(v));
    values.push_back(s);
  }
  if (pivot.values_size() == 0) {
    ASSIGN_OR_RAISE(auto q, Over(aggregate.input(), t));
    q->select_items.clear();
    ASSIGN_OR_RAISE(auto col, t.Expression(pivot.col()));
    q->select_items.push_back(Item(std::move(col)));
    q->distinct = true;
    auto sorted = SelectAll(SubqueryRelation(std::move(q)));
    sql::SortItem order;
    order.expr = IntegerLiteralExpr(1);
    sorted->order_by.push_back(std::move(order));
    ASSIGN_OR_RAISE(auto table, RunQuery(t, *sorted));
    if (table->num_rows() > 10000) {
      return UserError("PIVOT_VALUE_DATA_TYPE_MISMATCH" /* Spark: maxValues */,
                       "The pivot column has more than 10000 distinct values.");
    }
    for (int64_t i = 0; i < table->num_rows(); ++i) {
      ASSIGN_OR_RAISE(auto s, table->column(0)->GetScalar(i));
      values.push_back(s);
    }
  }
  // Phase one: aggregate by the groups and the pivot column.
  auto inner = std::make_unique<sql::Query>();
  ASSIGN_OR_RAISE(inner->from, t.FromRelation(aggregate.input()));
  inner->group_by.emplace();
  std::vector<std::string> group_names;
  for (int i = 0; i < aggregate.grouping_expressions_size(); ++i) {
    ASSIGN_OR_RAISE(auto item, t.SelectItem(aggregate.grouping_expressions(i)));
    group_names.push_back(ItemName(item));
    ASSIGN_OR_RAISE(auto key, t.Expression(aggregate.grouping_expressions(i)));
    sql::GroupingItem g;
    g.expr = std::move(key);
    inner->group_by->items.push_back(std::move(g));
    inner->select_items.push_back(Item(std::move(item.expr), "__g" + std::to_string(i)));
  }
  {
    ASSIGN_OR_RAISE(auto key, t.Expression(pivot.col()));
    ASSIGN_OR_RAISE(auto select, t.Expression(pivot.col()));
    sql::GroupingItem g;
    g.expr = std::move(key);
    inner->group_by->items.push_back(std::move(g));
    inner->select_items.push_back(Item(std::move(select), "__pivot"));
  }
  std::vector<std::string> aggregate_names;
  for (int i = 0; i < aggregate.aggregate_expressions_size(); ++i) {
    ASSIGN_OR_RAISE(auto item, t.SelectItem(aggregate.aggregate_expressions(i)));
    aggregate_names.push_back(ItemName(item));
    inner->select_items.push_back(Item(std::move(item.expr), "__a" + std::to_string(i)));
  }
  // Phase two: one column per (value, aggregate), null where the group lacks the value.
  auto outer = std::make_unique<sql::Query>();
  outer->from = SubqueryRelation(std::move(inner));
  outer->group_by.emplace();
  for (size_t i = 0; i < group_names.size(); ++i) {
    sql::GroupingItem g;
    g.expr = ColumnExpr({"__g" + std::to_string(i)});
    outer->group_by->items.push_back(std::move(g));
    outer->select_items.push_back(Item(ColumnExpr({"__g" + std::to_string(i)}), group_names[i]));
  }
  for (const auto& value : values) {
    for (size_t a = 0; a < aggregate_names.size(); ++a) {
      auto when = std::make_unique<sql::Expr>();
      when->kind = sql::ExprKind::kCase;
      when->children.push_back(
          BinaryExpr(sql::BinaryOp::kNullSafeEq, ColumnExpr({"__pivot"}), t.Literal(value)));
      when->children.push_back(ColumnExpr({"__a" + std::to_string(a)}));
      std::vector<sql::ExprPtr> args;
      args.push_back(std::move(when));
      args.push_back(t.Literal(std::make_shared<arrow::BooleanScalar>(true)));
      std::string name = PivotValueName(value);
      if (aggregate_names.size() > 1) name += "_" + aggregate_names[a];
      outer->select_items.push_back(Item(FunctionExpr("first", std::move(args)), name));
    }
  }
  return outer;
}

}  // namespace

Result<sql::QueryPtr> AggregateQuery(const proto::Aggregate& aggregate, PlanTranslator& t) {
  using A = proto::Aggregate;
  ExpressionInput scope(aggregate.input());
  if (aggregate.group_type() == A::GROUP_TYPE_PIVOT) return PivotQuery(aggregate, t);
  auto q = std::make_unique<sql::Query>();
  ASSIGN_OR_RAISE(q->from, t.FromRelation(aggregate.input()));
  q->group_by.emplace();
  std::vector<sql::ExprPtr> keys;
  for (const auto& g : aggregate.grouping_expressions()) {
    ASSIGN_OR_RAISE(auto item, t.SelectItem(g));
    q->select_items.push_back(std::move(item));
    ASSIGN_OR_RAISE(auto key, t.Expression(g));
    keys.push_back(std::move(key));
  }
  switch (aggregate.group_type()) {
    case A::GROUP_TYPE_ROLLUP:
    case A::GROUP_TYPE_CUBE: {
      sql::GroupingItem item;
      item.kind = aggregate.group_type() == A::GROUP_TYPE_ROLLUP ? sql::GroupingKind::kRollup
                                                                 : sql::GroupingKind::kCube;
      for (auto& k : keys) {
        item.sets.emplace_back();
        item.sets.back().push_back(std::move(k));
      }
      q->group_by->items.push_back(std::move(item));
      break;
    }
    case A::GROUP_TYPE_GROUPING_SETS: {
      sql::GroupingItem item;
      item.kind = sql::GroupingKind::kGroupingSets;
      for (const auto& set : aggregate.grouping_sets()) {
        item.sets.emplace_back();
        for (const auto& e : set.grouping_set()) {
          ASSIGN_OR_RAISE(auto k, t.Expression(e));
          item.sets.back().push_back(std::move(k));
        }
      }
      q->group_by->items.push_back(std::move(item));
      break;
    }
    default:
      for (auto& k : keys) {
        sql::GroupingItem item;
        item.expr = std::move(k);
        q->group_by->items.push_back(std::move(item));
      }
      break;
  }
  for (const auto& a : aggregate.aggregate_expressions()) {
    ASSIGN_OR_RAISE(auto item, t.SelectItem(a));
    q->select_items.push_back(std::move(item));
  }
  return q;
}

// ---------------------------------------------------------------------------------------------
// SQL and in-memory rows
// ---------------------------------------------------------------------------------------------

Result<sql::QueryPtr> SqlQuery(const proto::SQL& sql_relation, PlanTranslator& t) {
  std::map<std::string, std::shared_ptr<arrow::Scalar>> named;
  std::vector<std::shared_ptr<arrow::Scalar>> positional;
  for (const auto& [name, literal] : sql_relation.args()) {
    ASSIGN_OR_RAISE(named[name], LiteralScalar(literal));
  }
  for (const auto& [name, e] : sql_relation.named_arguments()) {
    ASSIGN_OR_RAISE(named[name], ConstantScalar(t, e));
  }
  for (const auto& literal : sql_relation.pos_args()) {
    ASSIGN_OR_RAISE(auto v, LiteralScalar(literal));
    positional.push_back(v);
  }
  for (const auto& e : sql_relation.pos_arguments()) {
    ASSIGN_OR_RAISE(auto v, ConstantScalar(t, e));
    positional.push_back(v);
  }
  ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(sql_relation.query()));
  if (statement->kind == sql::StatementKind::kQuery) {
    sql::QueryPtr query = std::move(statement->query);
    RETURN_NOT_OK(ParameterBinder(t, std::move(named), std::move(positional)).Query(*query));
    return query;
  }
  // SHOW, DESCRIBE, DDL...: run now; the relation is its rows.
  ASSIGN_OR_RAISE(auto result, t.session().ExecuteStatement(*statement));
  auto table = result.table ? result.table : arrow::Table::MakeEmpty(arrow::schema({})).ValueOrDie();
  return ValuesQuery(table, t);
}

Result<sql::QueryPtr> LocalRelationQuery(const proto::LocalRelation& local, PlanTranslator& t) {
  std::vector<std::string> chunks;
  if (local.has_data()) chunks.push_back(local.data());
  ASSIGN_OR_RAISE(auto table, LocalTable(chunks, local.has_schema() ? local.schema() : ""));
  return ValuesQuery(table, t);
}

Result<sql::QueryPtr> CachedLocalRelationQuery(const proto::CachedLocalRelation& cached,
                                               PlanTranslator& t) {
  std::optional<std::string> bytes;
  if (t.context().artifact) bytes = t.context().artifact("cache/" + cached.hash());
  if (!bytes) {
    return UserError("INVALID_HANDLE.SESSION_NOT_FOUND" /* Spark: missing cached relation */,
                     "The cached local relation " + cached.hash() + " was not found.");
  }
  proto::LocalRelation local;
  if (!local.ParseFromString(*bytes)) {
    return UserError("INVALID_PLAN_INPUT", "The cached local relation is not a LocalRelation.");
  }
  return LocalRelationQuery(local, t);
}

Result<sql::QueryPtr> ChunkedCachedLocalRelationQuery(
    const proto::ChunkedCachedLocalRelation& cached, PlanTranslator& t) {
  auto artifact = [&](const std::string& hash) -> Result<std::string> {
    std::optional<std::string> bytes;
    if (t.context().artifact) bytes = t.context().artifact("cache/" + hash);
    if (!bytes) {
      return UserError("INVALID_PLAN_INPUT", "The cached local data " + hash + " was not found.");
    }
    return *bytes;
  };
  std::vector<std::string> chunks;
  for (const auto& hash : cached.datahashes()) {
    ASSIGN_OR_RAISE(auto bytes, artifact(hash));
    chunks.push_back(std::move(bytes));
  }
  std::string schema;
  if (cached.has_schemahash()) {
    ASSIGN_OR_RAISE(schema, artifact(cached.schemahash()));
  }
  ASSIGN_OR_RAISE(auto table, LocalTable(chunks, schema));
  return ValuesQuery(table, t);
}

// ---------------------------------------------------------------------------------------------
// Reshaping
// ---------------------------------------------------------------------------------------------

Result<sql::QueryPtr> UnpivotQuery(const proto::Unpivot& unpivot, PlanTranslator& t) {
  // One SELECT per value column, united: ids..., 'name' AS variable, column AS value; rows are
  // then ordered by input row like Spark's Expand (a row number keeps the input order).
  ASSIGN_OR_RAISE(auto schema, t.Schema(unpivot.input()));
  std::vector<std::string> id_names;
  for (const auto& id : unpivot.ids()) {
    ASSIGN_OR_RAISE(auto item, t.SelectItem(id));
    id_names.push_back(ItemName(item));
  }
  std::vector<const proto::Expression*> value_exprs;
  proto::Unpivot::Values implicit;
  if (unpivot.has_values()) {
    for (const auto& v : unpivot.values().values()) value_exprs.push_back(&v);
  } else {
    // Every column that is not an id.
    for (const auto& f : schema->fields()) {
      bool is_id = false;
      for (const auto& n : id_names) is_id |= SameName(n, f->name());
      if (is_id) continue;
      auto* e = implicit.add_values();
      e->mutable_unresolved_attribute()->set_unparsed_identifier("`" + f->name() + "`");
    }
    for (const auto& v : implicit.values()) value_exprs.push_back(&v);
  }
  if (value_exprs.empty()) {
    return UserError("UNPIVOT_REQUIRES_VALUE_COLUMNS",
                     "At least one value column needs to be specified for UNPIVOT, all columns "
                     "specified as ids.");
  }
  sql::QueryPtr result;
  for (size_t k = 0; k < value_exprs.size(); ++k) {
    auto q = std::make_unique<sql::Query>();
    // The numbered input is rebuilt per branch: a syntax tree has one owner.
    ASSIGN_OR_RAISE(auto input, Over(unpivot.input(), t));
    auto row_number = FunctionExpr("row_number", {});
    row_number->over = std::make_unique<sql::WindowSpec>();
    input->select_items.push_back(Item(std::move(row_number), "__basin_row"));
    auto from = SubqueryRelation(std::move(input));
    if (unpivot.input().has_common() && unpivot.input().common().has_plan_id()) {
      from->plan_id = unpivot.input().common().plan_id();
    }
    q->from = std::move(from);
    for (const auto& id : unpivot.ids()) {
      ASSIGN_OR_RAISE(auto item, t.SelectItem(id));
      q->select_items.push_back(std::move(item));
    }
    ASSIGN_OR_RAISE(auto value_item, t.SelectItem(*value_exprs[k]));
    q->select_items.push_back(Item(StringLiteralExpr(ItemName(value_item)),
                                   unpivot.variable_column_name()));
    q->select_items.push_back(Item(std::move(value_item.expr), unpivot.value_column_name()));
    q->select_items.push_back(Item(ColumnExpr({"__basin_row"}), "__basin_row"));
    q->select_items.push_back(Item(IntegerLiteralExpr(static_cast<int64_t>(k)), "__basin_k"));
    if (!result) {
      result = std::move(q);
      continue;
    }
    auto u = std::make_unique<sql::Query>();
    u->kind = sql::QueryKind::kSetOp;
    u->set_all = true;
    u->left = std::move(result);
    u->right = std::move(q);
    result = std::move(u);
  }
  auto out = std::make_unique<sql::Query>();
  out->from = SubqueryRelation(std::move(result));
  for (const auto& n : id_names) out->select_items.push_back(Item(ColumnExpr({n})));
  out->select_items.push_back(Item(ColumnExpr({unpivot.variable_column_name()})));
  out->select_items.push_back(Item(ColumnExpr({unpivot.value_column_name()})));
  sql::SortItem by_row, by_k;
  by_row.expr = ColumnExpr({"__basin_row"});
  by_k.expr = ColumnExpr({"__basin_k"});
  out->order_by.push_back(std::move(by_row));
  out->order_by.push_back(std::move(by_k));
  return out;
}

namespace {

bool IsDatetime(const arrow::DataType& type) {
  return type.id() == arrow::Type::DATE32 || type.id() == arrow::Type::TIMESTAMP;
}

bool IsNumericType(const arrow::DataType& type) {
  return arrow::is_integer(type.id()) || arrow::is_floating(type.id()) ||
         arrow::is_decimal(type.id());
}

// Spark's ANSI store assignment: which values DataFrame.to(schema) may cast to a field's type.
bool CanStoreAssign(const arrow::DataType& from, const arrow::DataType& to) {
  if (from.Equals(to) || from.id() == arrow::Type::NA) return true;
  if (IsNumericType(from) && IsNumericType(to)) return true;
  if (IsDatetime(from) && IsDatetime(to)) return true;
  bool nested = from.id() == arrow::Type::STRUCT || from.id() == arrow::Type::LIST ||
                from.id() == arrow::Type::MAP;
  if (to.id() == arrow::Type::STRING) return !nested;
  if (from.id() != to.id() || !nested || from.num_fields() != to.num_fields()) return false;
  // Struct fields pair up by name when every name has a match (ConformedExpr then puts them in
  // order), by position otherwise.
  std::vector<const arrow::Field*> sources;
  for (int i = 0; i < to.num_fields() && to.id() == arrow::Type::STRUCT; ++i) {
    for (const auto& candidate : from.fields()) {
      if (SameName(candidate->name(), to.field(i)->name())) {
        sources.push_back(candidate.get());
        break;
      }
    }
  }
  const bool by_name = sources.size() == static_cast<size_t>(to.num_fields());
  for (int i = 0; i < from.num_fields(); ++i) {
    const arrow::Field& source = by_name ? *sources[static_cast<size_t>(i)] : *from.field(i);
    if (!CanStoreAssign(*source.type(), *to.field(i)->type())) return false;
  }
  return true;
}

// NULLABLE_COLUMN_OR_FIELD when a nullable column (or struct field, by name) must fit a
// non-nullable one.
Status CheckNullability(const arrow::Field& from, const arrow::Field& to,
                        const std::string& path) {
  std::string name = path.empty() ? QuoteIdentifier(to.name())
                                  : path + "." + QuoteIdentifier(to.name());
  if (from.nullable() && !to.nullable()) {
    return UserError("NULLABLE_COLUMN_OR_FIELD",
                     "Column or field " + name +
                         " is nullable while it's required to be non-nullable.");
  }
  if (from.type()->id() == arrow::Type::STRUCT && to.type()->id() == arrow::Type::STRUCT) {
    for (const auto& inner : to.type()->fields()) {
      for (const auto& candidate : from.type()->fields()) {
        if (SameName(candidate->name(), inner->name())) {
          RETURN_NOT_OK(CheckNullability(*candidate, *inner, name));
          break;
        }
      }
    }
  }
  return Status::OK();
}

sql::ExprPtr CastExpr(sql::ExprPtr e, const sql::DataTypeSyntax& type) {
  auto cast = std::make_unique<sql::Expr>();
  cast->kind = sql::ExprKind::kCast;
  cast->type = std::make_unique<sql::DataTypeSyntax>(type);
  cast->children.push_back(std::move(e));
  return cast;
}

// `source()` (a value of field `from`) as field `to` of DataFrame.to: nested struct fields are
// matched by name (case-insensitive) and put in `to`'s order before the cast, which itself goes
// by position.
Result<sql::ExprPtr> ConformedExpr(const std::function<sql::ExprPtr()>& source,
                                   const arrow::Field& from, const arrow::Field& to,
                                   PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto type, sql::ParseDataType(types::SparkTypeName(*to.type())));
  const auto& from_type = *from.type();
  const auto& to_type = *to.type();
  if (from_type.id() != arrow::Type::STRUCT || to_type.id() != arrow::Type::STRUCT ||
      from_type.num_fields() != to_type.num_fields()) {
    return CastExpr(source(), type);
  }
  bool same_order = true;
  std::vector<int> matches;
  for (int i = 0; i < to_type.num_fields(); ++i) {
    int found = -1;
    for (int j = 0; j < from_type.num_fields() && found < 0; ++j) {
      if (SameName(from_type.field(j)->name(), to_type.field(i)->name())) found = j;
    }
    if (found < 0) return CastExpr(source(), type);
    same_order &= found == i;
    matches.push_back(found);
  }
  bool nested_structs = false;
  for (const auto& f : to_type.fields()) nested_structs |= f->type()->id() == arrow::Type::STRUCT;
  if (same_order && !nested_structs) return CastExpr(source(), type);
  std::vector<sql::ExprPtr> args;
  for (int i = 0; i < to_type.num_fields(); ++i) {
    const auto& inner = *from_type.field(matches[static_cast<size_t>(i)]);
    auto field = [&source, &inner]() {
      auto access = std::make_unique<sql::Expr>();
      access->kind = sql::ExprKind::kField;
      access->text = inner.name();
      access->children.push_back(source());
      return access;
    };
    args.push_back(StringLiteralExpr(to_type.field(i)->name()));
    ASSIGN_OR_RAISE(auto value, ConformedExpr(field, inner, *to_type.field(i), t));
    args.push_back(std::move(value));
  }
  auto rebuilt = FunctionExpr("named_struct", std::move(args));
  if (from.nullable()) {
    // A null struct stays null rather than becoming a struct of nulls.
    std::vector<sql::ExprPtr> branches;
    branches.push_back(FunctionExpr("isnull", [&] {
      std::vector<sql::ExprPtr> one;
      one.push_back(source());
      return one;
    }()));
    branches.push_back(CastExpr(t.Literal(arrow::MakeNullScalar(arrow::null())), type));
    branches.push_back(std::move(rebuilt));
    rebuilt = FunctionExpr("if", std::move(branches));
  }
  return CastExpr(std::move(rebuilt), type);
}

}  // namespace

Result<sql::QueryPtr> ToSchemaQuery(const proto::ToSchema& to_schema, PlanTranslator& t) {
  // Columns by name (case-insensitive) in the schema's order, cast to its types; a missing
  // nullable column is null.
  ASSIGN_OR_RAISE(auto target, FromProtoType(to_schema.schema()));
  ASSIGN_OR_RAISE(auto source, t.Schema(to_schema.input()));
  ASSIGN_OR_RAISE(auto q, Over(to_schema.input(), t));
  q->select_items.clear();
  for (const auto& field : target->fields()) {
    std::shared_ptr<arrow::Field> found;
    for (const auto& candidate : source->fields()) {
      if (SameName(candidate->name(), field->name())) {
        found = candidate;
        break;
      }
    }
    if (found) {
      if (!CanStoreAssign(*found->type(), *field->type())) {
        return UserError("INVALID_COLUMN_OR_FIELD_DATA_TYPE",
                         "Column or field " + QuoteIdentifier(field->name()) + " is of type \"" +
                             function::SqlTypeName(*found->type()) +
                             "\" while it's required to be \"" +
                             function::SqlTypeName(*field->type()) + "\".");
      }
      RETURN_NOT_OK(CheckNullability(*found, *field, ""));
    }
    ASSIGN_OR_RAISE(auto type, sql::ParseDataType(types::SparkTypeName(*field->type())));
    sql::ExprPtr value;
    if (!found && field->nullable()) {
      value = CastExpr(t.Literal(arrow::MakeNullScalar(arrow::null())), type);
    } else if (found) {
      const std::string name = field->name();
      ASSIGN_OR_RAISE(value, ConformedExpr([&name] { return ColumnExpr({name}); }, *found,
                                           *field, t));
    } else {
      value = CastExpr(ColumnExpr({field->name()}), type);
    }
    q->select_items.push_back(Item(std::move(value), field->name()));
  }
  return q;
}

Result<sql::QueryPtr> WithRelationsQuery(const proto::WithRelations& with, PlanTranslator& t) {
  ReferenceScope scope(with);
  return t.Query(with.root());
}

Result<sql::QueryPtr> TableFunctionQuery(const proto::UnresolvedTableValuedFunction& function,
                                         PlanTranslator& t) {
  std::vector<sql::ExprPtr> args;
  for (const auto& a : function.arguments()) {
    ASSIGN_OR_RAISE(auto e, t.Expression(a));
    args.push_back(std::move(e));
  }
  auto from = std::make_unique<sql::Relation>();
  from->kind = sql::RelationKind::kTableFunction;
  from->function = FunctionExpr(function.function_name(), std::move(args));
  return SelectAll(std::move(from));
}

namespace {

// Spark's Scala spelling of a type, as TRANSPOSE_INVALID_INDEX_COLUMN prints it.
std::string ScalaTypeString(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::LIST: {
      const auto& list = static_cast<const arrow::ListType&>(type);
      return "ArrayType(" + ScalaTypeString(*list.value_type()) + "," +
             (list.value_field()->nullable() ? "true" : "false") + ")";
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(type);
      return "MapType(" + ScalaTypeString(*map.key_type()) + "," +
             ScalaTypeString(*map.item_type()) + "," +
             (map.item_field()->nullable() ? "true" : "false") + ")";
    }
    case arrow::Type::STRUCT: {
      std::string out = "StructType(";
      for (int i = 0; i < type.num_fields(); ++i) {
        const auto& f = type.field(i);
        out += std::string(i ? "," : "") + "StructField(" + f->name() + "," +
               ScalaTypeString(*f->type()) + "," + (f->nullable() ? "true" : "false") + ")";
      }
      return out + ")";
    }
    case arrow::Type::DECIMAL128: {
      const auto& d = static_cast<const arrow::Decimal128Type&>(type);
      return "DecimalType(" + std::to_string(d.precision()) + "," + std::to_string(d.scale()) +
             ")";
    }
    case arrow::Type::INT8: return "ByteType";
    case arrow::Type::INT16: return "ShortType";
    case arrow::Type::INT32: return "IntegerType";
    case arrow::Type::INT64: return "LongType";
    case arrow::Type::FLOAT: return "FloatType";
    case arrow::Type::DOUBLE: return "DoubleType";
    case arrow::Type::BOOL: return "BooleanType";
    case arrow::Type::STRING: return "StringType";
    case arrow::Type::BINARY: return "BinaryType";
    case arrow::Type::DATE32: return "DateType";
    case arrow::Type::NA: return "NullType";
    case arrow::Type::TIMESTAMP:
      return static_cast<const arrow::TimestampType&>(type).timezone().empty()
                 ? "TimestampNTZType"
                 : "TimestampType";
    default: return type.ToString();
  }
}

// Spark's tightest common type (no string promotion, no decimal widening), or null.
std::shared_ptr<arrow::DataType> TightestCommonType(const std::shared_ptr<arrow::DataType>& a,
                                                    const std::shared_ptr<arrow::DataType>& b) {
  if (a->Equals(*b)) return a;
  if (a->id() == arrow::Type::NA) return b;
  if (b->id() == arrow::Type::NA) return a;
  auto rank = [](const arrow::DataType& type) { return types::NumericRank(type.id()); };
  int ra = rank(*a), rb = rank(*b);
  if (ra && rb) return ra > rb ? a : b;
  // An integral type fits a decimal with enough integer digits.
  auto fits = [&](const arrow::DataType& integral, const arrow::DataType& decimal) {
    static const int kDigits[] = {0, 3, 5, 10, 20};
    int r = rank(integral);
    if (!types::IsIntegralRank(r) || decimal.id() != arrow::Type::DECIMAL128) return false;
    const auto& d = static_cast<const arrow::Decimal128Type&>(decimal);
    return d.precision() - d.scale() >= kDigits[r];
  };
  if (fits(*a, *b)) return b;
  if (fits(*b, *a)) return a;
  return nullptr;
}

bool IsNestedType(const arrow::DataType& type) {
  return type.id() == arrow::Type::LIST || type.id() == arrow::Type::MAP ||
         type.id() == arrow::Type::STRUCT;
}

Status InvalidIndexColumn(const std::string& reason) {
  return UserError("TRANSPOSE_INVALID_INDEX_COLUMN",
                   "Invalid index column for TRANSPOSE because: " + reason, {{"reason", reason}});
}

}  // namespace

// df.transpose(index): the index column's values (not null, ascending) name the new columns;
// each other column becomes a row whose "key" is its name and whose values are cast to the
// columns' tightest common type.
Result<sql::QueryPtr> TransposeQuery(const proto::Transpose& transpose, PlanTranslator& t) {
  const auto& input = transpose.input();
  ASSIGN_OR_RAISE(auto schema, t.Schema(input));
  if (transpose.index_columns_size() > 1) {
    return InvalidIndexColumn("Only one index column is supported");
  }
  int index = 0;
  if (transpose.index_columns_size() == 1) {
    const auto& e = transpose.index_columns(0);
    if (!e.has_unresolved_attribute()) {
      return InvalidIndexColumn("Index column must be an atomic attribute");
    }
    // Resolve it over the input (an unknown name fails as an unresolved column would).
    ExpressionInput scope(input);
    ASSIGN_OR_RAISE(auto probe, Over(input, t));
    probe->select_items.clear();
    ASSIGN_OR_RAISE(auto expr, t.Expression(e));
    probe->select_items.push_back(Item(std::move(expr)));
    ASSIGN_OR_RAISE(auto plan, t.PlanQuery(*probe, /*optimize=*/false));
    const auto& resolved = plan->schema->field(0)->name();
    index = -1;
    for (int i = 0; i < schema->num_fields() && index < 0; ++i) {
      if (SameName(schema->field(i)->name(), resolved)) index = i;
    }
    ASSIGN_OR_RAISE(auto parts,
                    sql::ParseMultipartIdentifier(e.unresolved_attribute().unparsed_identifier()));
    if (index < 0 || (!parts.empty() && !SameName(parts.back(), resolved))) {
      return InvalidIndexColumn("Index column must be an atomic attribute");
    }
  }
  if (index >= schema->num_fields()) {
    return InvalidIndexColumn("Index column must be an atomic attribute");
  }
  const auto& index_type = schema->field(index)->type();
  if (IsNestedType(*index_type)) {
    return InvalidIndexColumn("Index column must be of atomic type, but found: " +
                              ScalaTypeString(*index_type));
  }
  std::vector<int> value_columns;
  std::shared_ptr<arrow::DataType> common;
  for (int i = 0; i < schema->num_fields(); ++i) {
    if (i == index) continue;
    value_columns.push_back(i);
    const auto& type = schema->field(i)->type();
    if (!common) {
      common = type;
      continue;
    }
    auto next = TightestCommonType(common, type);
    if (!next) {
      const std::string dt1 = "\"" + function::SqlTypeName(*common) + "\"";
      const std::string dt2 = "\"" + function::SqlTypeName(*type) + "\"";
      return UserError("TRANSPOSE_NO_LEAST_COMMON_TYPE",
                       "Transpose requires non-index columns to share a least common type, but " +
                           dt1 + " and " + dt2 + " do not.",
                       {{"dt1", dt1}, {"dt2", dt2}});
    }
    common = next;
  }
  if (!common) common = arrow::utf8();
  ASSIGN_OR_RAISE(auto common_syntax, sql::ParseDataType(types::SparkTypeName(*common)));
  int64_t max_values = 500;
  if (auto text = t.session().GetConfig("spark.sql.transposeMaxValues")) {
    try {
      max_values = std::stoll(*text);
    } catch (...) {
    }
  }
  // SELECT CAST(index AS STRING), index IS NULL, CAST(v AS common)... ORDER BY index
  ASSIGN_OR_RAISE(auto q, PositionalSelect(input, schema->num_fields(), t));
  auto cast_to = [](sql::ExprPtr e, const sql::DataTypeSyntax& type) {
    auto cast = std::make_unique<sql::Expr>();
    cast->kind = sql::ExprKind::kCast;
    cast->type = std::make_unique<sql::DataTypeSyntax>(type);
    cast->children.push_back(std::move(e));
    return cast;
  };
  ASSIGN_OR_RAISE(auto string_syntax, sql::ParseDataType("string"));
  q->select_items.push_back(Item(cast_to(PositionalColumn(index), string_syntax), "__name"));
  for (size_t j = 0; j < value_columns.size(); ++j) {
    q->select_items.push_back(Item(cast_to(PositionalColumn(value_columns[j]), common_syntax),
                                   "__v" + std::to_string(j)));
  }
  sql::SortItem order;
  order.expr = PositionalColumn(index);
  q->order_by.push_back(std::move(order));
  q->limit = IntegerLiteralExpr(max_values + 1);
  ASSIGN_OR_RAISE(auto rows, RunQuery(t, *q));
  if (rows->num_rows() > max_values) {
    return UserError("TRANSPOSE_EXCEED_ROW_LIMIT",
                     "Number of rows exceeds the allowed limit of " + std::to_string(max_values) +
                         " for TRANSPOSE. If this was intended, set spark.sql.transposeMaxValues "
                         "to at least the current row count.",
                     {{"maxValues", std::to_string(max_values)},
                      {"config", "spark.sql.transposeMaxValues"}});
  }
  ASSIGN_OR_RAISE(auto batch, rows->CombineChunksToBatch());
  // The new table: "key" (the value columns' names), then one column per non-null index value.
  arrow::FieldVector fields = {arrow::field("key", arrow::utf8(), false)};
  arrow::ArrayVector columns;
  arrow::StringBuilder keys;
  for (int i : value_columns) RETURN_NOT_OK(keys.Append(schema->field(i)->name()));
  ASSIGN_OR_RAISE(auto key_array, keys.Finish());
  columns.push_back(key_array);
  const auto& names = static_cast<const arrow::StringArray&>(*batch->column(0));
  for (int64_t r = 0; r < batch->num_rows(); ++r) {
    if (names.IsNull(r)) continue;
    fields.push_back(arrow::field(names.GetString(r), common, true));
    ASSIGN_OR_RAISE(auto builder, arrow::MakeBuilder(common));
    for (size_t j = 0; j < value_columns.size(); ++j) {
      ASSIGN_OR_RAISE(auto value, batch->column(static_cast<int>(j) + 1)->GetScalar(r));
      RETURN_NOT_OK(builder->AppendScalar(*value));
    }
    ASSIGN_OR_RAISE(auto column, builder->Finish());
    columns.push_back(column);
  }
  auto table = arrow::Table::Make(arrow::schema(fields), columns,
                                  static_cast<int64_t>(value_columns.size()));
  return ValuesQuery(std::move(table), t);
}

}  // namespace basin::connect
