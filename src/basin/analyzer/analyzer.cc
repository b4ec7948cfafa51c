#include "basin/analyzer/analyzer.h"

#include "basin/delta/change_data_feed.h"
#include "basin/sql/parser.h"

#include <algorithm>
#include <cstdio>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include <arrow/compute/api.h>
#include <arrow/csv/api.h>
#include <arrow/io/file.h>
#include <nlohmann/json.hpp>
#include <parquet/arrow/reader.h>

#include "basin/analyzer/column_name.h"
#include "basin/analyzer/data_type.h"
#include "basin/delta/file_stats.h"
#include "basin/delta/snapshot.h"
#include "basin/format/data_file_reader.h"
#include "basin/format/data_file_writer.h"
#include "basin/format/partition_path.h"
#include "basin/function/kernel_support.h"
#include "basin/io/file_system.h"
#include "basin/types/numeric_rank.h"
#include "basin/types/schema_json.h"
#include "basin/types/user_defined_type.h"
#include "basin/types/variant_type.h"

namespace basin::analyzer {
namespace {

using plan::ExprKind;
using plan::ExprPtr;
using plan::PlanKind;
using plan::PlanNode;
using plan::PlanPtr;
using TypePtr = std::shared_ptr<arrow::DataType>;

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
bool Same(const std::string& a, const std::string& b) { return Lower(a) == Lower(b); }

std::string Quote(const std::string& name) { return "`" + name + "`"; }

std::string JoinNames(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + Quote(parts[i]);
  return out;
}

std::string PosText(const sql::SourcePos& pos) {
  return " (line " + std::to_string(pos.line) + ", pos " + std::to_string(pos.column) + ")";
}

// One column visible to expressions: where it came from and what it is.
struct ScopeColumn {
  std::string qualifier;  // table alias or name, empty for derived columns
  std::string name;
  TypePtr type;
  bool nullable = true;
  bool hidden = false;  // USING-join duplicates: reachable by qualifier only
  bool metadata = false;  // the _metadata column of a file scan: by name only, never in `*`
  // A USING-join duplicate carried through a DataFrame's `SELECT *, ...` (withColumn): reachable
  // only by its DataFrame (df2["a"], df2["*"]), and dropped where the rows leave the query.
  bool carried = false;
  // Spark Connect DataFrames this column belongs to, depth 0 for the DataFrame that produced
  // it, one more for each DataFrame it passed through unchanged.
  struct PlanIdTag {
    int64_t plan_id;
    int depth;
    int ordinal;  // the column's position in that DataFrame (df["*"] keeps its order), or -1
  };
  std::vector<PlanIdTag> plan_ids;
  // The Spark UDT the column holds (types/user_defined_type.h), kept by plain references.
  std::optional<types::UserDefinedType> udt;
};

// The depth at which `c` belongs to DataFrame `plan_id`, or -1.
int PlanIdDepth(const ScopeColumn& c, int64_t plan_id) {
  int best = -1;
  for (const auto& tag : c.plan_ids) {
    if (tag.plan_id == plan_id && (best < 0 || tag.depth < best)) best = tag.depth;
  }
  return best;
}

// The position of `c` in DataFrame `plan_id` (at its nearest depth), or -1.
int PlanIdOrdinal(const ScopeColumn& c, int64_t plan_id) {
  int best_depth = -1, ordinal = -1;
  for (const auto& tag : c.plan_ids) {
    if (tag.plan_id == plan_id && (best_depth < 0 || tag.depth < best_depth)) {
      best_depth = tag.depth;
      ordinal = tag.ordinal;
    }
  }
  return ordinal;
}

struct Bound {
  PlanPtr plan;
  std::vector<ScopeColumn> columns;
};

std::shared_ptr<arrow::Schema> SchemaOf(const std::vector<ScopeColumn>& columns) {
  arrow::FieldVector fields;
  for (const auto& c : columns) {
    auto field = arrow::field(c.name, c.type, c.nullable);
    fields.push_back(c.udt ? types::WithUserDefinedType(field, *c.udt) : field);
  }
  return arrow::schema(fields);
}

constexpr const char* kMetadataMarker = "basin.metadata_column";

std::vector<ScopeColumn> ColumnsOf(const PlanNode& plan, const std::string& qualifier) {
  std::vector<ScopeColumn> out;
  for (const auto& f : plan.schema->fields()) {
    ScopeColumn c{qualifier, f->name(), f->type(), f->nullable(), false};
    c.metadata = f->metadata() && f->metadata()->Contains(kMetadataMarker);
    c.udt = types::UserDefinedTypeOf(*f);
    out.push_back(c);
  }
  return out;
}

// Appends the hidden `_metadata` struct column (file_path, file_name, file_size,
// file_block_start, file_block_length, file_modification_time) to a scan; the optimizer drops
// it again when the query does not use it.
void AddMetadataColumn(PlanNode* node) {
  auto type = arrow::struct_({arrow::field("file_path", arrow::utf8(), false),
                              arrow::field("file_name", arrow::utf8(), false),
                              arrow::field("file_size", arrow::int64(), false),
                              arrow::field("file_block_start", arrow::int64(), false),
                              arrow::field("file_block_length", arrow::int64(), false),
                              arrow::field("file_modification_time",
                                           arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), false)});
  auto field = arrow::field("_metadata", type, false,
                            arrow::key_value_metadata({kMetadataMarker}, {"true"}));
  node->schema = node->schema->AddField(node->schema->num_fields(), field).ValueOrDie();
  if (!node->column_distinct.empty()) node->column_distinct.push_back(-1);
  node->with_metadata_column = true;
}

// The output field `name` of `e` over `input`: a plain column reference keeps the UDT its input
// column holds.
std::shared_ptr<arrow::Field> OutputField(const std::string& name, const ExprPtr& e, bool nullable,
                                          const arrow::Schema& input) {
  auto field = arrow::field(name, e->type, nullable);
  if (e->kind == ExprKind::kColumn && e->column_index >= 0 &&
      e->column_index < input.num_fields()) {
    return types::WithUserDefinedTypeOf(field, *input.field(e->column_index));
  }
  return field;
}

// The output field of aggregate `a` over `input`: aggregates that give back one of their input
// values (first, last, min, max, any_value) of a UDT column give that UDT.
std::shared_ptr<arrow::Field> AggregateField(const plan::Expr& a, const arrow::Schema& input) {
  auto field = arrow::field(a.name, a.type, true);
  // The value is the first argument (first/last take an ignore-nulls flag after it).
  if (a.kind != ExprKind::kAggregate || !a.aggregate || a.children.empty()) return field;
  const auto& name = a.aggregate->name;
  if (name != "first" && name != "last" && name != "min" && name != "max" &&
      name != "any_value" && name != "first_value" && name != "last_value") {
    return field;
  }
  const auto& child = *a.children[0];
  if (child.kind != ExprKind::kColumn || child.column_index < 0 ||
      child.column_index >= input.num_fields()) {
    return field;
  }
  return types::WithUserDefinedTypeOf(field, *input.field(child.column_index));
}

PlanPtr MakeProject(PlanPtr child, std::vector<ExprPtr> exprs, std::vector<std::string> names) {
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kProject;
  arrow::FieldVector fields;
  for (size_t i = 0; i < exprs.size(); ++i) {
    fields.push_back(OutputField(names[i], exprs[i], exprs[i]->nullable, *child->schema));
  }
  node->schema = arrow::schema(fields);
  node->exprs = std::move(exprs);
  node->children.push_back(std::move(child));
  return node;
}

PlanPtr MakeFilter(PlanPtr child, ExprPtr condition) {
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kFilter;
  node->schema = child->schema;
  node->condition = std::move(condition);
  node->children.push_back(std::move(child));
  return node;
}

// A single row: the input of SELECT without FROM (its `id` column is not in scope).
PlanPtr OneRow() {
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kRange;
  node->range_start = 0;
  node->range_end = 1;
  node->range_step = 1;
  node->schema = arrow::schema({arrow::field("id", arrow::int64(), false)});
  return node;
}

ExprPtr MakeExpr(ExprKind kind, TypePtr type, std::vector<ExprPtr> children, std::string name) {
  auto e = std::make_shared<plan::Expr>();
  e->kind = kind;
  e->type = std::move(type);
  e->children = std::move(children);
  e->name = std::move(name);
  return e;
}

// Replaces column indexes >= `base` (placeholders) by `base_width + (index - base)`.
ExprPtr RebaseColumns(const ExprPtr& e, int placeholder_base, int target_base) {
  bool changed = false;
  std::vector<ExprPtr> children;
  for (const auto& c : e->children) {
    auto n = RebaseColumns(c, placeholder_base, target_base);
    changed |= n != c;
    children.push_back(n);
  }
  bool rebase = e->kind == ExprKind::kColumn && e->column_index >= placeholder_base;
  if (!changed && !rebase) return e;
  auto copy = std::make_shared<plan::Expr>(*e);
  copy->children = std::move(children);
  if (rebase) copy->column_index = target_base + (e->column_index - placeholder_base);
  return copy;
}

constexpr int kWindowPlaceholder = 1 << 24;

bool ContainsColumns(const plan::Expr& e) {
  if (e.kind == ExprKind::kColumn) return true;
  for (const auto& c : e.children) {
    if (ContainsColumns(*c)) return true;
  }
  return false;
}

class QueryAnalyzer;

// Collects the aggregates of a SELECT with GROUP BY or aggregate functions.
struct AggregationState {
  std::vector<ExprPtr> groups;             // bound over the FROM scope
  std::vector<std::string> group_keys;     // ToString of each group, for matching
  std::vector<std::string> group_names;
  std::vector<ExprPtr> aggregates;         // kAggregate exprs over the FROM scope
  std::vector<std::string> aggregate_keys;
  std::vector<std::vector<int>> grouping_sets;
  bool has_grouping_id = false;
};

// Collects the window expressions of a SELECT.
struct WindowState {
  std::vector<ExprPtr> windows;  // kWindow exprs over the post-aggregation columns
  std::vector<std::string> keys;
  const std::vector<sql::NamedWindow>* named = nullptr;  // the SELECT's WINDOW clause
};

// Binds expressions against a scope. In aggregation mode, expressions are rebound on top of the
// aggregate's output; window calls become placeholders for the window node's columns.
class ExpressionBinder {
 public:
  ExpressionBinder(QueryAnalyzer* analyzer, const std::vector<ScopeColumn>* scope,
                   const std::vector<const std::vector<ScopeColumn>*>* outer)
      : analyzer_(analyzer), scope_(scope), outer_(outer) {}

  void SetAggregation(AggregationState* state) { aggregation_ = state; }
  void SetWindows(WindowState* state) { windows_ = state; }
  void SetSelectAliases(const std::vector<std::pair<std::string, ExprPtr>>* aliases) {
    aliases_ = aliases;
  }

  Result<ExprPtr> Bind(const sql::Expr& e);
  /// Binds a call of a catalog SQL function by inlining its body; nullopt when `e` names none.
  Result<std::optional<ExprPtr>> BindSqlFunction(const sql::Expr& e);
  /// Binds a call of the session's Python function `udf` (a kPythonUdf named `f(args)`).
  Result<ExprPtr> BindPythonUdf(const sql::Expr& e, std::shared_ptr<const plan::PythonUdf> udf);

  // Binds with no aggregation/window mapping (over the FROM scope).
  Result<ExprPtr> BindPlain(const sql::Expr& e) {
    ExpressionBinder plain(analyzer_, scope_, outer_);
    plain.lambda_vars_ = lambda_vars_;
    return plain.Bind(e);
  }

  bool IsAggregateCall(const sql::Expr& e) const;
  bool ContainsAggregate(const sql::Expr& e) const;

 private:
  Result<ExprPtr> BindNode(const sql::Expr& e);
  Result<ExprPtr> BindInAggregation(const sql::Expr& e);
  Result<ExprPtr> BindColumn(const sql::Expr& e);
  Result<ExprPtr> BindFunction(const sql::Expr& e);
  /// `expr` (struct field accesses over a grouping key) rebuilt over the aggregate's output,
  /// or null when it is not one.
  ExprPtr FieldOfGroupKey(const ExprPtr& expr) const;
  /// Widens the THEN and ELSE values of a bound CASE to one type and makes the CASE.
  Result<ExprPtr> MakeCase(std::vector<ExprPtr> whens, std::vector<ExprPtr> thens,
                           ExprPtr otherwise, const std::string& display,
                           const sql::SourcePos& pos);
  Result<ExprPtr> BindAggregateCall(const sql::Expr& e);
  Result<ExprPtr> BindWindowCall(const sql::Expr& e);
  // listagg(x[, sep]) WITHIN GROUP (ORDER BY key): the (key, x) pairs are collected, sorted and
  // joined after the aggregation.
  Result<ExprPtr> BindOrderedListagg(const sql::Expr& e, std::vector<ExprPtr> args, ExprPtr key,
                                     bool descending, sql::NullOrdering nulls);
  // Adds `agg` (a kAggregate over the FROM scope) to the aggregation; returns its output column.
  Result<ExprPtr> AddAggregate(std::shared_ptr<plan::Expr> agg, const sql::SourcePos& pos);
  // transform, filter, exists, forall, aggregate/reduce, zip_with, map_filter, transform_keys,
  // transform_values, map_zip_with and array_sort with a comparator; nullopt for other calls.
  Result<std::optional<ExprPtr>> BindHigherOrder(const std::string& name, const sql::Expr& e);
  // Binds `lambda` with parameters of `params` (type, nullable); checks their number.
  Result<ExprPtr> BindLambda(const sql::Expr& lambda,
                             const std::vector<std::pair<TypePtr, bool>>& params,
                             size_t min_params, const std::string& display);
  // CAST(a AS STRING) of a column holding a Scala UDT that Spark ships and prints with its own
  // toString (ExamplePointUDT: "(x, y)"); nullopt for every other value, which prints as its
  // sqlType does (Python UDTs included).
  Result<std::optional<ExprPtr>> UserDefinedText(const ExprPtr& a, const std::string& display,
                                                 const sql::SourcePos& pos);
  // The UDT held by the scope column `a` refers to, if `a` is a plain column reference.
  const std::optional<types::UserDefinedType>& ColumnUserDefinedType(const ExprPtr& a) const;
  Result<ExprPtr> CallScalar(const std::string& name, std::vector<ExprPtr> args,
                             const std::string& display, const sql::SourcePos& pos);
  Result<ExprPtr> Coerce(ExprPtr e, const TypePtr& type);
  /// Casts the values of `*args[i]` for the chosen `i` (all when `indexes` is empty) to STRING
  /// when ANSI mode is off and they mix strings with other atomic types: Spark's legacy
  /// TypeCoercion.stringPromotion for the wider common type of array, map, coalesce, if and
  /// CASE. Boolean and binary values take no part in it (their mix with strings stays an error).
  Status PromoteStrings(std::vector<ExprPtr>* args, const std::vector<size_t>& indexes = {});

  QueryAnalyzer* analyzer_;
  const std::vector<ScopeColumn>* scope_;
  const std::vector<const std::vector<ScopeColumn>*>* outer_;
  AggregationState* aggregation_ = nullptr;
  WindowState* windows_ = nullptr;
  const std::vector<std::pair<std::string, ExprPtr>>* aliases_ = nullptr;
  // Parameters of the lambdas being bound, outermost first; a parameter's slot is its position.
  struct LambdaVariable {
    std::string name;
    TypePtr type;
    bool nullable = true;
  };
  std::vector<LambdaVariable> lambda_vars_;
};

class QueryAnalyzer {
 public:
  explicit QueryAnalyzer(const AnalyzerOptions& options) : options_(options) {
    registry_ = options.registry ? options.registry : &function::BuiltinRegistry();
  }

  const function::Registry& registry() const { return *registry_; }
  const AnalyzerOptions& options() const { return options_; }

  Result<Bound> AnalyzeQuery(const sql::Query& q);
  Result<Bound> AnalyzeRelation(const sql::Relation& r);

  // Scopes of enclosing queries, innermost last (for correlated references).
  std::vector<const std::vector<ScopeColumn>*> outer_scopes;

  Result<PlanPtr> AnalyzeSubquery(const sql::Query& q);

 private:
  Result<Bound> AnalyzeBody(const sql::Query& q);
  Result<Bound> AnalyzeSelect(const sql::Query& q);
  /// Spark's TimeWindowing: when `q` calls window(ts, duration[, slide[, start]]), reads
  /// `input` with one row per window holding ts, in a `window` column that window(...) names.
  Result<Bound> AddTimeWindows(const sql::Query& q, Bound input);
  Result<Bound> AnalyzeSetOp(const sql::Query& q);
  Result<Bound> AnalyzeValues(const std::vector<std::vector<sql::ExprPtr>>& rows,
                              const sql::SourcePos& pos);
  Result<Bound> AnalyzeTable(const sql::Relation& r);
  Result<Bound> AnalyzeJoin(const sql::Relation& r);
  Result<Bound> AnalyzeLateralView(const sql::Relation& r);
  // PIVOT: grouping by the columns the aggregates and pivot columns leave, one aggregate per
  // value filtered to that value's rows. UNPIVOT: a UNION ALL of one projection per IN item.
  Result<Bound> AnalyzePivot(const sql::Relation& r);
  Result<Bound> AnalyzeUnpivot(const sql::Relation& r);
  // Appends the columns of generator `fn` (explode, posexplode, inline, with _outer) to `input`.
  Result<Bound> GenerateOver(Bound input, const sql::Expr& fn, bool outer,
                             const std::optional<std::string>& alias,
                             const std::vector<std::string>& column_aliases);
  Result<Bound> AnalyzeTableFunction(const sql::Relation& r);
  Result<Bound> ApplyOrderLimit(const sql::Query& q, Bound body);

  const AnalyzerOptions& options_;
  const function::Registry* registry_;
  // Common table expressions in scope, innermost last.
  std::vector<std::map<std::string, const sql::CommonTableExpression*>> ctes_;
  // WITH RECURSIVE: the rows of the recursive CTEs materialized so far (during a step, the rows
  // of the previous step), by lower-case name; they shadow the CTE definitions.
  std::map<std::string, Bound> recursive_results_;
  // Runs a recursive CTE (anchor, then its recursive part until it yields no rows) to its rows.
  // `row_cap` >= 0 stops once that many rows exist (an outer LIMIT).
  Result<Bound> MaterializeRecursive(const sql::CommonTableExpression& cte, int64_t row_cap);
};

// ---------------------------------------------------------------------------------------------
// Expressions

bool ExpressionBinder::IsAggregateCall(const sql::Expr& e) const {
  if (e.kind != sql::ExprKind::kFunction || e.over || e.name_parts.size() != 1) return false;
  auto kind = analyzer_->registry().KindOf(e.name_parts[0]);
  return kind && *kind == function::FunctionKind::kAggregate;
}

bool ExpressionBinder::ContainsAggregate(const sql::Expr& e) const {
  if (IsAggregateCall(e)) return true;
  for (const auto& c : e.children) {
    if (c && ContainsAggregate(*c)) return true;
  }
  if (e.over) {
    for (const auto& p : e.over->partition_by) {
      if (ContainsAggregate(*p)) return true;
    }
    for (const auto& o : e.over->order_by) {
      if (ContainsAggregate(*o.expr)) return true;
    }
  }
  return false;
}

Result<ExprPtr> ExpressionBinder::Coerce(ExprPtr e, const TypePtr& type) {
  if (e->type->Equals(*type)) return e;
  return plan::CastTo(std::move(e), type);
}

Status ExpressionBinder::PromoteStrings(std::vector<ExprPtr>* args,
                                        const std::vector<size_t>& indexes) {
  if (analyzer_->options().eval.ansi) return Status::OK();
  std::vector<size_t> chosen = indexes;
  if (chosen.empty()) {
    for (size_t i = 0; i < args->size(); ++i) chosen.push_back(i);
  }
  bool any_string = false, any_other = false;
  for (size_t i : chosen) {
    if (ColumnUserDefinedType((*args)[i])) return Status::OK();
    const auto& type = *(*args)[i]->type;
    switch (type.id()) {
      case arrow::Type::STRING: any_string = true; break;
      case arrow::Type::NA: break;
      case arrow::Type::BOOL:
      case arrow::Type::BINARY:
      case arrow::Type::LIST:
      case arrow::Type::MAP:
      case arrow::Type::STRUCT:
      case arrow::Type::EXTENSION: return Status::OK();
      default: any_other = true;
    }
  }
  if (!any_string || !any_other) return Status::OK();
  for (size_t i : chosen) {
    auto& a = (*args)[i];
    if (a->type->id() == arrow::Type::STRING || a->type->id() == arrow::Type::NA) continue;
    ASSIGN_OR_RAISE(a, Coerce(a, arrow::utf8()));
  }
  return Status::OK();
}

Result<ExprPtr> ExpressionBinder::CallScalar(const std::string& name, std::vector<ExprPtr> args,
                                             const std::string& display,
                                             const sql::SourcePos& pos) {
  if (name == "array") {
    RETURN_NOT_OK(PromoteStrings(&args));
  } else if (name == "map" && args.size() % 2 == 0 && !args.empty()) {
    std::vector<size_t> keys, values;
    for (size_t i = 0; i < args.size(); ++i) (i % 2 == 0 ? keys : values).push_back(i);
    RETURN_NOT_OK(PromoteStrings(&args, keys));
    RETURN_NOT_OK(PromoteStrings(&args, values));
  }
  std::vector<TypePtr> types;
  std::vector<arrow::Datum> constants;
  for (const auto& a : args) {
    types.push_back(a->type);
    // Literal arguments are passed on: some result types depend on them (named_struct's names,
    // from_json's schema, round's scale).
    constants.push_back(a->kind == ExprKind::kLiteral ? arrow::Datum(a->literal) : arrow::Datum());
  }
  ASSIGN_OR_RAISE(auto bound, analyzer_->registry().BindScalarWithConstants(name, types, constants));
  for (size_t i = 0; i < args.size() && i < bound.arg_types.size(); ++i) {
    if (bound.arg_types[i]) { ASSIGN_OR_RAISE(args[i], Coerce(args[i], bound.arg_types[i])); }
  }
  auto fn = std::make_shared<function::BoundScalar>(std::move(bound));
  auto call = plan::Call(fn, std::move(args), display);
  // Spark's constructors (CreateNamedStruct, CreateArray, CreateMap) are never null themselves,
  // whatever their elements hold; nor are row ids (monotonically_increasing_id).
  if (name == "named_struct" || name == "array" || name == "map" ||
      name == "monotonically_increasing_id" || name == "distributed_sequence_id" ||
      name == "spark_partition_id") {
    std::const_pointer_cast<plan::Expr>(call)->nullable = false;
  }
  return call;
}

ExprPtr ExpressionBinder::FieldOfGroupKey(const ExprPtr& expr) const {
  if (!aggregation_) return nullptr;
  const std::string key = plan::ToString(*expr);
  for (size_t i = 0; i < aggregation_->groups.size(); ++i) {
    if (aggregation_->group_keys[i] == key) {
      return plan::Column(static_cast<int>(i), expr->type, expr->name, expr->nullable);
    }
  }
  if (expr->kind != ExprKind::kCall || !expr->scalar ||
      expr->scalar->name != "get_struct_field" || expr->children.empty()) {
    return nullptr;
  }
  auto base = FieldOfGroupKey(expr->children[0]);
  if (!base) return nullptr;
  auto copy = std::make_shared<plan::Expr>(*expr);
  copy->children[0] = base;
  return copy;
}

Result<ExprPtr> ExpressionBinder::Bind(const sql::Expr& e) {
  if (aggregation_) return BindInAggregation(e);
  return BindNode(e);
}

Result<ExprPtr> ExpressionBinder::BindInAggregation(const sql::Expr& e) {
  if (e.kind == sql::ExprKind::kColumn && e.plan_id < 0 && !e.name_parts.empty()) {
    for (const auto& v : lambda_vars_) {
      if (Same(v.name, e.name_parts[0])) return BindColumn(e);
    }
  }
  if (e.kind == sql::ExprKind::kFunction && e.over) return BindWindowCall(e);
  if (IsAggregateCall(e)) return BindAggregateCall(e);
  if (e.kind == sql::ExprKind::kFunction && e.name_parts.size() == 1 &&
      (Same(e.name_parts[0], "grouping_id") || Same(e.name_parts[0], "grouping"))) {
    if (!aggregation_->has_grouping_id) {
      return UserError("UNSUPPORTED_GROUPING_EXPRESSION",
                       "grouping()/grouping_id() can only be used with GroupingSets/Cube/Rollup.");
    }
    int gid = static_cast<int>(aggregation_->groups.size());
    auto gid_col = plan::Column(gid, arrow::int64(), "spark_grouping_id", false);
    if (Same(e.name_parts[0], "grouping_id")) {
      gid_col = std::make_shared<plan::Expr>(*gid_col);
      std::const_pointer_cast<plan::Expr>(gid_col)->name = AutoColumnName(e);
      return gid_col;
    }
    // grouping(col) = (gid >> (n - 1 - i)) & 1 as tinyint.
    if (e.children.size() != 1) {
      return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                       "The `grouping` requires 1 parameters but the actual number is " +
                           std::to_string(e.children.size()) + ".");
    }
    ASSIGN_OR_RAISE(auto arg, BindPlain(*e.children[0]));
    int n = static_cast<int>(aggregation_->groups.size());
    for (int i = 0; i < n; ++i) {
      if (aggregation_->group_keys[i] == plan::ToString(*arg)) {
        auto shift = plan::Literal(std::make_shared<arrow::Int32Scalar>(n - 1 - i));
        ASSIGN_OR_RAISE(auto shifted, CallScalar(">>", {gid_col, shift}, "", e.pos));
        auto one = plan::Literal(std::make_shared<arrow::Int64Scalar>(1));
        ASSIGN_OR_RAISE(auto bit, CallScalar("&", {shifted, one}, "", e.pos));
        auto cast = plan::CastTo(bit, arrow::int8());
        std::const_pointer_cast<plan::Expr>(cast)->name = AutoColumnName(e);
        return cast;
      }
    }
    return UserError("GROUPING_COLUMN_MISMATCH",
                     "Column of grouping (" + AutoColumnName(*e.children[0]) +
                         ") can't be found in grouping columns.");
  }
  if (!ContainsAggregate(e)) {
    // A grouping expression, or something built from them and constants.
    auto plain = BindPlain(e);
    if (!plain.ok() && ErrorClassOf(plain.status()) &&
        ErrorClassOf(plain.status())->rfind("UNRESOLVED_ROUTINE", 0) == 0) {
      return plain.status();  // an unknown function is that, not a missing aggregation
    }
    if (plain.ok()) {
      std::string key = plan::ToString(**plain);
      for (size_t i = 0; i < aggregation_->groups.size(); ++i) {
        if (aggregation_->group_keys[i] == key) {
          return plan::Column(static_cast<int>(i), (*plain)->type, (*plain)->name,
                              (*plain)->nullable);
        }
      }
      if (!ContainsColumns(**plain) &&
          (*plain)->kind != ExprKind::kScalarSubquery) {
        return plain;
      }
      // A field of a grouping struct (GROUP BY s ... SELECT s.a): the field of the group key.
      if (auto field = FieldOfGroupKey(*plain)) return field;
      if (e.kind == sql::ExprKind::kColumn && aliases_ && e.name_parts.size() == 1) {
        // HAVING: an alias of the select list wins over a non-grouped input column.
        for (const auto& [alias, expr] : *aliases_) {
          if (Same(alias, e.name_parts[0])) return expr;
        }
      }
      if (e.kind == sql::ExprKind::kColumn) {
        return UserError("MISSING_AGGREGATION",
                         "The non-aggregating expression " + Quote(AutoColumnName(e)) +
                             " is based on columns which are not participating in the GROUP BY "
                             "clause. Add the columns or the expression to the GROUP BY, aggregate "
                             "the expression, or use `any_value(" + AutoColumnName(e) +
                             ")` if you do not care which of the values within a group is "
                             "returned." + PosText(e.pos));
      }
    } else if (e.kind == sql::ExprKind::kColumn) {
      // HAVING may name a select-list alias: SELECT sum(x) AS s ... HAVING s > 1.
      if (aliases_ && e.name_parts.size() == 1) {
        for (const auto& [alias, expr] : *aliases_) {
          if (Same(alias, e.name_parts[0])) return expr;
        }
      }
      return plain.status();
    }
  }
  return BindNode(e);
}

Result<ExprPtr> ExpressionBinder::BindAggregateCall(const sql::Expr& e) {
  std::string name = Lower(e.name_parts[0]);
  std::vector<ExprPtr> args;
  bool count_star = false;
  for (const auto& c : e.children) {
    if (c->kind == sql::ExprKind::kStar) {
      if (name != "count") {
        return UserError("INVALID_USAGE_OF_STAR_OR_REGEX",
                         "Invalid usage of '*' in expression `" + name + "`.");
      }
      count_star = true;
      continue;
    }
    if (ContainsAggregate(*c)) {
      return UserError("NESTED_AGGREGATE_FUNCTION",
                       "It is not allowed to use an aggregate function in the argument of another "
                       "aggregate function. Please use the inner aggregate function in a "
                       "sub-query." + PosText(c->pos));
    }
    ASSIGN_OR_RAISE(auto arg, BindPlain(*c));
    args.push_back(arg);
  }
  if (count_star && e.distinct) {
    // count(DISTINCT *) is count(DISTINCT col1, col2, ...) over the visible input columns.
    args.clear();
    for (size_t i = 0; i < scope_->size(); ++i) {
      const auto& col = (*scope_)[i];
      if (col.hidden || col.metadata) continue;
      args.push_back(plan::Column(static_cast<int>(i), col.type, col.name, col.nullable));
    }
  } else if (count_star) {
    args.clear();
  }
  if (!e.within_group.empty()) {
    // f(args) WITHIN GROUP (ORDER BY x): the ordered value becomes the first argument.
    const std::string fn = "`" + name + "`";
    if (e.within_group.size() != 1) {
      return UserError("INVALID_WITHIN_GROUP_EXPRESSION.WRONG_NUM_ORDERINGS",
                       "Invalid function " + fn + " with WITHIN GROUP. The function requires 1 "
                       "orderings in WITHIN GROUP but got " +
                           std::to_string(e.within_group.size()) + "." + PosText(e.pos));
    }
    const auto& item = e.within_group[0];
    const bool descending = item.direction == sql::SortDirection::kDescending;
    ASSIGN_OR_RAISE(auto key, BindPlain(*item.expr));
    auto true_literal = plan::Literal(std::make_shared<arrow::BooleanScalar>(true));
    if (name == "percentile_cont" || name == "percentile_disc") {
      if (e.distinct) {
        return UserError("INVALID_WITHIN_GROUP_EXPRESSION.DISTINCT_UNSUPPORTED",
                         "Invalid function " + fn + " with WITHIN GROUP. The function does not "
                         "support DISTINCT with WITHIN GROUP." + PosText(e.pos));
      }
      if (args.size() != 1) {
        return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                         "The " + fn + " requires 1 parameters but the actual number is " +
                             std::to_string(args.size()) + "." + PosText(e.pos));
      }
      args = {key, args[0]};
      if (descending) args.push_back(true_literal);
    } else if (name == "mode" && args.empty() && !descending) {
      args = {key, true_literal};  // deterministic: ties go to the lowest value
    } else if ((name == "listagg" || name == "string_agg") && !args.empty() &&
               args.size() <= 2) {
      return BindOrderedListagg(e, args, key, descending, item.nulls);
    } else {
      return UserError("UNSUPPORTED_FEATURE.WITHIN_GROUP",
                       "WITHIN GROUP (ORDER BY ...) is not supported for " + fn +
                           " by Basin yet." + PosText(e.pos));
    }
  }
  // first/last/any_value with IGNORE NULLS take a boolean second argument.
  if (e.null_treatment == sql::NullTreatment::kIgnoreNulls &&
      (name == "first" || name == "last" || name == "any_value" || name == "first_value" ||
       name == "last_value") &&
      args.size() == 1) {
    args.push_back(plan::Literal(std::make_shared<arrow::BooleanScalar>(true)));
  }
  std::vector<TypePtr> types;
  std::vector<arrow::Datum> constants;
  for (const auto& a : args) {
    types.push_back(a->type);
    // Literal arguments are passed on (kll_sketch_agg_*'s k is checked at analysis time).
    constants.push_back(a->kind == ExprKind::kLiteral ? arrow::Datum(a->literal) : arrow::Datum());
  }
  ASSIGN_OR_RAISE(auto bound,
                  analyzer_->registry().BindAggregateWithConstants(name, types, constants));
  for (size_t i = 0; i < args.size() && i < bound.arg_types.size(); ++i) {
    if (bound.arg_types[i]) { ASSIGN_OR_RAISE(args[i], Coerce(args[i], bound.arg_types[i])); }
  }
  auto agg = std::make_shared<plan::Expr>();
  agg->kind = ExprKind::kAggregate;
  agg->type = bound.return_type;
  if (args.size() == 1 && agg->type->id() == arrow::Type::LIST &&
      (bound.name == "collect_list" || bound.name == "collect_set" || bound.name == "array_agg")) {
    // Collecting a UDT column gives an array of that UDT.
    if (const auto& udt = ColumnUserDefinedType(args[0])) {
      const auto& element = static_cast<const arrow::ListType&>(*agg->type).value_field();
      agg->type = arrow::list(types::WithUserDefinedType(element, *udt));
    }
  }
  agg->aggregate = std::make_shared<function::BoundAggregate>(std::move(bound));
  agg->children = std::move(args);
  agg->distinct = e.distinct;
  agg->name = AutoColumnName(e);
  for (const auto& child : agg->children) {
    if (!plan::IsDeterministic(child)) {
      return UserError("AGGREGATE_FUNCTION_WITH_NONDETERMINISTIC_EXPRESSION",
                       "Non-deterministic expression \"" + agg->name +
                           "\" should not appear in the arguments of an aggregate function." +
                           PosText(e.pos));
    }
  }
  if (e.filter) {
    ASSIGN_OR_RAISE(auto filter, BindPlain(*e.filter));
    if (!plan::IsDeterministic(filter)) {
      return UserError("INVALID_AGGREGATE_FILTER.NON_DETERMINISTIC",
                       "The FILTER expression \"" + AutoColumnName(*e.filter) +
                           "\" in an aggregate function is invalid. Expected a deterministic "
                           "FILTER expression." + PosText(e.filter->pos));
    }
    if (filter->type->id() != arrow::Type::BOOL) {
      return UserError("DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN",
                       "FILTER expression " + Quote(AutoColumnName(*e.filter)) +
                           " must be boolean.");
    }
    agg->filter = filter;
  }
  return AddAggregate(agg, e.pos);
}

Result<ExprPtr> ExpressionBinder::AddAggregate(std::shared_ptr<plan::Expr> agg,
                                               const sql::SourcePos& pos) {
  if (!aggregation_) {
    return UserError("INVALID_AGGREGATE_FILTER.CONTAINS_AGGREGATE",
                     "Aggregate function " + agg->name + " is not allowed here." + PosText(pos));
  }
  std::string key = plan::ToString(*agg) + (agg->distinct ? " distinct" : "") +
                    (agg->filter ? " filter " + plan::ToString(*agg->filter) : "");
  size_t index = aggregation_->aggregates.size();
  for (size_t i = 0; i < aggregation_->aggregate_keys.size(); ++i) {
    if (aggregation_->aggregate_keys[i] == key) index = i;
  }
  if (index == aggregation_->aggregates.size()) {
    aggregation_->aggregates.push_back(agg);
    aggregation_->aggregate_keys.push_back(key);
  }
  int offset = static_cast<int>(aggregation_->groups.size()) +
               (aggregation_->has_grouping_id ? 1 : 0);
  return plan::Column(offset + static_cast<int>(index), agg->type, agg->name, true);
}

Result<ExprPtr> ExpressionBinder::BindOrderedListagg(const sql::Expr& e, std::vector<ExprPtr> args,
                                                     ExprPtr key, bool descending,
                                                     sql::NullOrdering nulls) {
  const std::string display = AutoColumnName(e);
  const bool nulls_first = nulls == sql::NullOrdering::kDefault
                               ? !descending
                               : nulls == sql::NullOrdering::kNullsFirst;
  if (nulls_first == descending) {
    // sort_array orders null keys first ascending and last descending only.
    return UserError("UNSUPPORTED_FEATURE.WITHIN_GROUP",
                     "listagg ... WITHIN GROUP with NULLS " +
                         std::string(nulls_first ? "FIRST" : "LAST") + " after " +
                         (descending ? "DESC" : "ASC") + " is not supported by Basin yet." +
                         PosText(e.pos));
  }
  ExprPtr value = args[0];
  if (value->type->id() != arrow::Type::STRING) {
    if (value->type->id() == arrow::Type::BINARY) {
      return UserError("UNSUPPORTED_FEATURE.WITHIN_GROUP",
                       "listagg of BINARY values with WITHIN GROUP is not supported by Basin "
                       "yet." + PosText(e.pos));
    }
    value = plan::CastTo(value, arrow::utf8());
  }
  ExprPtr separator = args.size() > 1
                          ? args[1]
                          : plan::Literal(std::make_shared<arrow::StringScalar>(""));
  if (separator->type->id() != arrow::Type::STRING) separator = plan::CastTo(separator, arrow::utf8());
  if (e.distinct && plan::ToString(*key) != plan::ToString(*args[0])) {
    return UserError("INVALID_WITHIN_GROUP_EXPRESSION.MISMATCH_WITH_DISTINCT_INPUT",
                     "Invalid function `listagg` with WITHIN GROUP. The function is invoked with "
                     "DISTINCT and WITHIN GROUP but expressions " + Quote(AutoColumnName(*e.children[0])) +
                         " and the ordering expression do not match. The WITHIN GROUP ordering "
                         "expression must be picked from the function inputs." + PosText(e.pos));
  }
  // collect_list(named_struct('k', key, 'v', value)) FILTER (WHERE value IS NOT NULL)
  auto name_lit = [](const char* n) {
    return plan::Literal(std::make_shared<arrow::StringScalar>(n));
  };
  ASSIGN_OR_RAISE(auto pair, CallScalar("named_struct", {name_lit("k"), key, name_lit("v"), value},
                                        "", e.pos));
  ASSIGN_OR_RAISE(auto bound, analyzer_->registry().BindAggregate(
                                  e.distinct ? "collect_set" : "collect_list", {pair->type}));
  auto agg = std::make_shared<plan::Expr>();
  agg->kind = ExprKind::kAggregate;
  agg->type = bound.return_type;
  agg->aggregate = std::make_shared<function::BoundAggregate>(std::move(bound));
  agg->children = {pair};
  agg->name = display;
  auto not_null = MakeExpr(ExprKind::kIsNull, arrow::boolean(), {value}, "");
  std::const_pointer_cast<plan::Expr>(not_null)->negated = true;
  if (e.filter) {
    ASSIGN_OR_RAISE(auto filter, BindPlain(*e.filter));
    agg->filter = MakeExpr(ExprKind::kAnd, arrow::boolean(), {filter, not_null}, "");
  } else {
    agg->filter = not_null;
  }
  ASSIGN_OR_RAISE(auto pairs, AddAggregate(agg, e.pos));
  // sort_array(pairs, asc) orders by key, then value; then transform(sorted, p -> p.v).
  auto ascending = plan::Literal(std::make_shared<arrow::BooleanScalar>(!descending));
  ASSIGN_OR_RAISE(auto sorted, CallScalar("sort_array", {pairs, ascending}, "", e.pos));
  const auto& pair_type = static_cast<const arrow::ListType&>(*sorted->type).value_type();
  auto var = MakeExpr(ExprKind::kLambdaVariable, pair_type, {}, "p");
  std::const_pointer_cast<plan::Expr>(var)->column_index = static_cast<int>(lambda_vars_.size());
  ASSIGN_OR_RAISE(auto field, CallScalar("get_struct_field", {var, name_lit("v")}, "", e.pos));
  auto lambda = MakeExpr(ExprKind::kLambda, field->type, {field}, "");
  std::const_pointer_cast<plan::Expr>(lambda)->lambda_params = {"p"};
  std::const_pointer_cast<plan::Expr>(lambda)->column_index = static_cast<int>(lambda_vars_.size());
  auto values = MakeExpr(ExprKind::kHigherOrder,
                         arrow::list(arrow::field("item", field->type, true)), {sorted, lambda},
                         "");
  std::const_pointer_cast<plan::Expr>(values)->higher_order = "transform";
  ASSIGN_OR_RAISE(auto joined, CallScalar("array_join", {values, separator}, "", e.pos));
  // No non-null value: NULL, as listagg gives.
  ASSIGN_OR_RAISE(auto size, CallScalar("size", {pairs}, "", e.pos));
  ASSIGN_OR_RAISE(auto empty, CallScalar("=", {size, plan::Literal(std::make_shared<arrow::Int32Scalar>(0))},
                                         "", e.pos));
  auto out = MakeExpr(ExprKind::kCase, arrow::utf8(),
                      {empty, plan::Literal(arrow::MakeNullScalar(arrow::utf8())), joined},
                      display);
  std::const_pointer_cast<plan::Expr>(out)->has_else = true;
  return out;
}

Result<ExprPtr> ExpressionBinder::BindWindowCall(const sql::Expr& e) {
  if (!windows_) {
    return UserError("UNSUPPORTED_EXPR_FOR_WINDOW",
                     "Window function " + AutoColumnName(e) + " is not allowed here." +
                         PosText(e.pos));
  }
  std::string name = Lower(e.name_parts.back());
  auto spec = std::make_shared<plan::WindowSpec>();
  // OVER w / OVER (w ...): each part comes from the nearest spec in the chain that has it.
  std::vector<const sql::WindowSpec*> chain = {e.over.get()};
  while (chain.back()->base_name && chain.size() < 64) {
    const sql::WindowSpec* base = nullptr;
    if (windows_->named) {
      for (const auto& nw : *windows_->named) {
        if (Same(nw.name, *chain.back()->base_name)) base = &nw.spec;
      }
    }
    if (!base) {
      return UserError("MISSING_WINDOW_SPECIFICATION",
                       "Window specification " + *chain.back()->base_name +
                           " is not defined in the WINDOW clause for " + name +
                           ". For more information about WINDOW clauses, please refer to "
                           "'https://spark.apache.org/docs/latest/sql-ref-syntax-qry-select-window.html'.");
    }
    chain.push_back(base);
  }
  const sql::WindowSpec* partition_src = chain.front();
  const sql::WindowSpec* order_src = chain.front();
  const sql::WindowSpec* frame_src = chain.front();
  for (const auto* c : chain) {
    if (partition_src->partition_by.empty()) partition_src = c;
    if (order_src->order_by.empty()) order_src = c;
    if (!frame_src->frame) frame_src = c;
  }
  struct {
    const std::vector<sql::ExprPtr>& partition_by;
    const std::vector<sql::SortItem>& order_by;
    const std::optional<sql::WindowFrame>& frame;
  } over{partition_src->partition_by, order_src->order_by, frame_src->frame};
  for (const auto& p : over.partition_by) {
    ASSIGN_OR_RAISE(auto bound, Bind(*p));
    spec->partition_by.push_back(bound);
  }
  for (const auto& o : over.order_by) {
    plan::SortKey key;
    ASSIGN_OR_RAISE(key.expr, Bind(*o.expr));
    key.ascending = o.direction != sql::SortDirection::kDescending;
    key.nulls_first = o.nulls == sql::NullOrdering::kDefault
                          ? key.ascending
                          : o.nulls == sql::NullOrdering::kNullsFirst;
    spec->order_by.push_back(key);
  }
  auto kind = analyzer_->registry().KindOf(name);
  if (!kind) {
    return UserError("UNRESOLVED_ROUTINE", "Cannot resolve routine " + Quote(name) +
                                               " on search path [`system`.`builtin`, "
                                               "`system`.`session`].");
  }
  std::vector<ExprPtr> args;
  for (const auto& c : e.children) {
    if (c->kind == sql::ExprKind::kStar) continue;
    ASSIGN_OR_RAISE(auto arg, Bind(*c));
    args.push_back(arg);
  }
  spec->ignore_nulls = e.null_treatment == sql::NullTreatment::kIgnoreNulls;
  if (name == "nth_value" && args.size() == 3) {
    // nth_value(x, n, ignoreNulls): the flag is a constant boolean.
    const auto& flag = args[2];
    if (flag->kind != ExprKind::kLiteral || flag->type->id() != arrow::Type::BOOL ||
        !flag->literal->is_valid) {
      return UserError("DATATYPE_MISMATCH.NON_FOLDABLE_INPUT",
                       "Cannot resolve " + Quote(AutoColumnName(e)) +
                           " due to data type mismatch: the input `ignoreNulls` should be a "
                           "foldable \"BOOLEAN\" expression." + PosText(e.pos));
    }
    if (static_cast<const arrow::BooleanScalar&>(*flag->literal).value) spec->ignore_nulls = true;
    args.pop_back();
  }
  TypePtr type;
  if (*kind == function::FunctionKind::kAggregate) {
    std::vector<TypePtr> types;
    for (const auto& a : args) types.push_back(a->type);
    ASSIGN_OR_RAISE(auto bound, analyzer_->registry().BindAggregate(name, types));
    for (size_t i = 0; i < args.size() && i < bound.arg_types.size(); ++i) {
      if (bound.arg_types[i]) { ASSIGN_OR_RAISE(args[i], Coerce(args[i], bound.arg_types[i])); }
    }
    type = bound.return_type;
    spec->aggregate = std::move(bound);
  } else if (*kind == function::FunctionKind::kWindow) {
    spec->function = name;
    if (name == "row_number" || name == "rank" || name == "dense_rank" || name == "ntile") {
      type = name == "ntile" ? arrow::int32() : (name == "row_number" ? arrow::int32() : arrow::int32());
    } else if (name == "percent_rank" || name == "cume_dist") {
      type = arrow::float64();
    } else if (!args.empty()) {
      type = args[0]->type;
      if ((name == "lag" || name == "lead") && args.size() >= 3 && !args[2]->type->Equals(*type)) {
        ASSIGN_OR_RAISE(args[2], Coerce(args[2], type));
      }
    } else {
      return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                       "The `" + name + "` requires at least 1 parameters.");
    }
    if (name != "row_number" && name != "ntile" && name != "lag" && name != "lead" &&
        name != "first_value" && name != "last_value" && name != "nth_value" &&
        spec->order_by.empty()) {
      return UserError("WINDOW_FUNCTION_WITHOUT_ORDER_BY_CLAUSE" /* Spark 4 name */,
                       "Window function " + Quote(name) + " requires an ORDER BY clause.");
    }
  } else {
    return UserError("UNSUPPORTED_EXPR_FOR_WINDOW",
                     "Expression " + Quote(AutoColumnName(e)) +
                         " not supported within a window function.");
  }
  // The frame: Spark's default is RANGE UNBOUNDED PRECEDING..CURRENT ROW with ORDER BY, the
  // whole partition without; ranking functions use ROWS.
  if (over.frame) {
    spec->frame.type = over.frame->type == sql::FrameType::kRows ? plan::FrameType::kRows
                                                                 : plan::FrameType::kRange;
    auto bound_of = [&](const sql::FrameBound& b) -> Result<plan::FrameBound> {
      plan::FrameBound out;
      out.kind = static_cast<plan::FrameBoundKind>(static_cast<int>(b.kind));
      if (b.offset) { ASSIGN_OR_RAISE(out.offset, BindPlain(*b.offset)); }
      return out;
    };
    ASSIGN_OR_RAISE(spec->frame.start, bound_of(over.frame->start));
    ASSIGN_OR_RAISE(spec->frame.end, bound_of(over.frame->end));
  } else if (spec->order_by.empty()) {
    spec->frame.type = plan::FrameType::kRows;
    spec->frame.start.kind = plan::FrameBoundKind::kUnboundedPreceding;
    spec->frame.end.kind = plan::FrameBoundKind::kUnboundedFollowing;
  } else {
    spec->frame.type = plan::FrameType::kRange;
    spec->frame.start.kind = plan::FrameBoundKind::kUnboundedPreceding;
    spec->frame.end.kind = plan::FrameBoundKind::kCurrentRow;
  }
  auto w = std::make_shared<plan::Expr>();
  w->kind = ExprKind::kWindow;
  w->type = type;
  w->children = std::move(args);
  w->window = spec;
  w->name = AutoColumnName(e);
  size_t index = windows_->windows.size();
  windows_->windows.push_back(w);
  return plan::Column(kWindowPlaceholder + static_cast<int>(index), type, w->name, true);
}

Result<ExprPtr> ExpressionBinder::BindColumn(const sql::Expr& e) {
  const auto& parts = e.name_parts;
  // Select-list aliases are visible to ORDER BY / HAVING / GROUP BY when no column matches.
  auto find = [&](const std::vector<ScopeColumn>& scope, size_t qualifier_parts,
                  std::vector<int>* hits) {
    const std::string& name = parts[qualifier_parts];
    for (size_t i = 0; i < scope.size(); ++i) {
      const auto& c = scope[i];
      if (!Same(c.name, name)) continue;
      if (qualifier_parts == 0) {
        if (!c.hidden) hits->push_back(static_cast<int>(i));
      } else if (Same(c.qualifier, parts[qualifier_parts - 1])) {
        hits->push_back(static_cast<int>(i));
      }
    }
  };
  auto field_access = [&](ExprPtr base, size_t from) -> Result<ExprPtr> {
    for (size_t k = from; k < parts.size(); ++k) {
      if (base->type->id() != arrow::Type::STRUCT) {
        return UserError("INVALID_EXTRACT_BASE_FIELD_TYPE",
                         "Can't extract a value from " + Quote(base->name) +
                             ". Need a complex type [STRUCT, ARRAY, MAP] but got \"" +
                             base->type->ToString() + "\".");
      }
      const auto& st = static_cast<const arrow::StructType&>(*base->type);
      int idx = -1;
      for (int f = 0; f < st.num_fields(); ++f) {
        if (Same(st.field(f)->name(), parts[k])) idx = f;
      }
      if (idx < 0) {
        return UserError("FIELD_NOT_FOUND", "No such struct field " + Quote(parts[k]) + " in " +
                                                base->type->ToString() + ".");
      }
      auto name_lit = plan::Literal(std::make_shared<arrow::StringScalar>(st.field(idx)->name()));
      ASSIGN_OR_RAISE(base, CallScalar("get_struct_field", {base, name_lit}, parts[k], e.pos));
    }
    return base;
  };
  if (e.plan_id < 0) {
    // Lambda parameters hide columns of the same name; the innermost lambda wins.
    for (size_t slot = lambda_vars_.size(); slot-- > 0;) {
      const auto& v = lambda_vars_[slot];
      if (!Same(v.name, parts[0])) continue;
      auto var = MakeExpr(ExprKind::kLambdaVariable, v.type, {}, v.name);
      auto mutable_var = std::const_pointer_cast<plan::Expr>(var);
      mutable_var->column_index = static_cast<int>(slot);
      mutable_var->nullable = v.nullable;
      return field_access(var, 1);
    }
  }
  if (e.scope_index >= 0 && e.scope_index < static_cast<int>(scope_->size()) &&
      Same((*scope_)[e.scope_index].name, parts[0])) {
    const auto& c = (*scope_)[e.scope_index];
    return field_access(plan::Column(e.scope_index, c.type, c.name, c.nullable), 1);
  }
  if (e.plan_id >= 0) {
    // A DataFrame's column (df["id"]): the nearest column of that DataFrame with the name.
    int best = -1, best_depth = -1;
    bool tie = false;
    for (size_t i = 0; i < scope_->size(); ++i) {
      const auto& c = (*scope_)[i];
      if (!Same(c.name, parts[0])) continue;
      int depth = PlanIdDepth(c, e.plan_id);
      if (depth < 0) continue;
      if (best < 0 || depth < best_depth) {
        best = static_cast<int>(i);
        best_depth = depth;
        tie = false;
      } else if (depth == best_depth) {
        tie = true;
      }
    }
    if (best >= 0 && !tie) {
      const auto& c = (*scope_)[best];
      return field_access(plan::Column(best, c.type, c.name, c.nullable), 1);
    }
  }
  // Try: parts[0..q) qualifier, parts[q] column, rest are struct fields; as in Spark, a
  // qualified match (`b.id`: column id of relation b) wins over a struct field of a column
  // (field id of a column named b).
  const size_t most_qualifier_parts = parts.size() > 1 ? 1 : 0;
  for (size_t q = most_qualifier_parts + 1; q-- > 0;) {
    std::vector<int> hits;
    find(*scope_, q, &hits);
    if (hits.size() > 1) {
      return UserError("AMBIGUOUS_REFERENCE",
                       "Reference " + Quote(parts[q]) + " is ambiguous, could be: [" +
                           [&] {
                             std::string s;
                             for (size_t h = 0; h < hits.size(); ++h) {
                               const auto& c = (*scope_)[hits[h]];
                               s += (h ? ", " : "") +
                                    (c.qualifier.empty() ? "" : Quote(c.qualifier) + ".") +
                                    Quote(c.name);
                             }
                             return s;
                           }() + "]." + PosText(e.pos));
    }
    if (hits.size() == 1) {
      const auto& c = (*scope_)[hits[0]];
      auto col = plan::Column(hits[0], c.type, c.name, c.nullable);
      return field_access(col, q + 1);
    }
  }
  if (aliases_ && parts.size() == 1) {
    for (const auto& [alias, expr] : *aliases_) {
      if (Same(alias, parts[0])) return expr;
    }
  }
  // Enclosing queries: a correlated reference.
  if (outer_) {
    for (auto it = outer_->rbegin(); it != outer_->rend(); ++it) {
      const auto& scope = **it;
      for (size_t q = most_qualifier_parts + 1; q-- > 0;) {
        std::vector<int> hits;
        find(scope, q, &hits);
        if (hits.size() == 1) {
          const auto& c = scope[hits[0]];
          auto col = plan::Column(hits[0], c.type, c.name, c.nullable);
          auto outer = std::make_shared<plan::Expr>(*col);
          outer->kind = ExprKind::kOuterColumn;
          // The depth of the enclosing scope is not encoded: only one level is supported.
          if (it != outer_->rbegin()) {
            return UserError("UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.CORRELATED_REFERENCE",
                             "Correlated references more than one query level up are not "
                             "supported yet: " + JoinNames(parts) + ".");
          }
          return field_access(outer, q + 1);
        }
      }
    }
  }
  std::string suggestions;
  std::vector<std::string> names;
  for (const auto& c : *scope_) {
    names.push_back((c.qualifier.empty() ? "" : Quote(c.qualifier) + ".") + Quote(c.name));
  }
  std::sort(names.begin(), names.end());
  for (size_t i = 0; i < names.size() && i < 5; ++i) suggestions += (i ? ", " : "") + names[i];
  if (names.empty()) {
    return UserError("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION",
                     "A column, variable, or function parameter with name " + JoinNames(parts) +
                         " cannot be resolved." + PosText(e.pos));
  }
  return UserError("UNRESOLVED_COLUMN.WITH_SUGGESTION",
                   "A column, variable, or function parameter with name " + JoinNames(parts) +
                       " cannot be resolved. Did you mean one of the following? [" + suggestions +
                       "]." + PosText(e.pos));
}

namespace {

// Replaces the parameter references (columns of the parameter scope) of a SQL function's bound
// body with the call's arguments.
ExprPtr SubstituteParameters(const ExprPtr& e, const std::vector<ExprPtr>& args) {
  if (e->kind == plan::ExprKind::kColumn) return args[static_cast<size_t>(e->column_index)];
  if (e->children.empty()) return e;
  auto copy = std::make_shared<plan::Expr>(*e);
  for (auto& c : copy->children) c = SubstituteParameters(c, args);
  return copy;
}

}  // namespace

Result<ExprPtr> ExpressionBinder::BindPythonUdf(const sql::Expr& e,
                                                std::shared_ptr<const plan::PythonUdf> udf) {
  if (e.over || e.distinct || e.filter || !e.within_group.empty()) {
    return UserError("UNSUPPORTED_FEATURE",
                     "The Python UDF " + Quote(udf->name) +
                         " is a scalar function: DISTINCT, FILTER, WITHIN GROUP and OVER do not "
                         "apply to it." + PosText(e.pos));
  }
  std::vector<ExprPtr> args;
  std::string display = udf->name + "(";
  for (size_t i = 0; i < e.children.size(); ++i) {
    if (e.children[i]->kind == sql::ExprKind::kNamedArgument) {
      return UserError("UNSUPPORTED_FEATURE",
                       "Named arguments of Python UDFs are not supported by Basin." +
                           PosText(e.pos));
    }
    ASSIGN_OR_RAISE(auto arg, Bind(*e.children[i]));
    display += (i ? ", " : "") + AutoColumnName(*e.children[i]);
    args.push_back(std::move(arg));
  }
  display += ")";
  auto out = std::make_shared<plan::Expr>();
  out->kind = ExprKind::kPythonUdf;
  out->type = udf->return_type;
  out->nullable = true;
  out->children = std::move(args);
  out->name = display;
  out->python_udf = std::move(udf);
  return ExprPtr(out);
}

Result<std::optional<ExprPtr>> ExpressionBinder::BindSqlFunction(const sql::Expr& e) {
  Catalog* catalog = analyzer_->options().catalog;
  if (!catalog || e.over || e.distinct) return std::optional<ExprPtr>();
  ASSIGN_OR_RAISE(auto found, catalog->LookupFunction(e.name_parts));
  if (!found) return std::optional<ExprPtr>();
  const auto& fn = *found;
  if (!fn.class_name.empty()) {
    // Spark loads the class when a call first resolves the function; there is no JVM here.
    std::string quoted;
    for (const auto& part : fn.qualified_name) {
      quoted += (quoted.empty() ? "`" : ".`") + part + "`";
    }
    return UserError("CANNOT_LOAD_FUNCTION_CLASS",
                     "Cannot load class " + fn.class_name + " when registering the function " +
                         quoted + ", please make sure it is on the classpath." + PosText(e.pos));
  }
  if (e.children.size() != fn.parameters.size()) {
    return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                     "The `" + JoinNames(e.name_parts) + "` requires " +
                         std::to_string(fn.parameters.size()) +
                         " parameters but the actual number is " +
                         std::to_string(e.children.size()) + "." + PosText(e.pos));
  }
  // The body, bound over a scope of the parameters, then the parameters replaced by the
  // arguments cast to the parameter types.
  arrow::FieldVector params;
  std::vector<ExprPtr> args;
  for (size_t i = 0; i < fn.parameters.size(); ++i) {
    ASSIGN_OR_RAISE(auto syntax, sql::ParseDataType(fn.parameters[i].second));
    ASSIGN_OR_RAISE(auto type, ToArrowType(syntax));
    params.push_back(arrow::field(fn.parameters[i].first, type));
    ASSIGN_OR_RAISE(auto arg, Bind(*e.children[i]));
    if (!arg->type->Equals(*type)) {
      auto cast = std::make_shared<plan::Expr>();
      cast->kind = plan::ExprKind::kCast;
      cast->type = type;
      cast->nullable = true;
      cast->name = arg->name;
      cast->children = {arg};
      arg = cast;
    }
    args.push_back(arg);
  }
  auto scope = std::make_shared<PlanNode>();
  scope->kind = PlanKind::kValues;
  scope->schema = arrow::schema(params);
  ASSIGN_OR_RAISE(auto body_syntax, sql::ParseExpression(fn.body));
  AnalyzerOptions options = analyzer_->options();
  ASSIGN_OR_RAISE(auto body, AnalyzeExpression(*body_syntax, *scope, options));
  ExprPtr result = SubstituteParameters(body, args);
  ASSIGN_OR_RAISE(auto syntax, sql::ParseDataType(fn.return_type));
  ASSIGN_OR_RAISE(auto return_type, ToArrowType(syntax));
  if (!result->type->Equals(*return_type)) {
    auto cast = std::make_shared<plan::Expr>();
    cast->kind = plan::ExprKind::kCast;
    cast->type = return_type;
    cast->nullable = true;
    cast->children = {result};
    result = cast;
  }
  auto named = std::make_shared<plan::Expr>(*result);
  named->name = AutoColumnName(e);
  return std::optional<ExprPtr>(named);
}

Result<ExprPtr> ExpressionBinder::MakeCase(std::vector<ExprPtr> whens, std::vector<ExprPtr> thens,
                                           ExprPtr otherwise, const std::string& display,
                                           const sql::SourcePos& pos) {
  if (otherwise) thens.push_back(otherwise);
  RETURN_NOT_OK(PromoteStrings(&thens));
  if (otherwise) {
    otherwise = thens.back();
    thens.pop_back();
  }
  TypePtr type = thens.empty() ? arrow::null() : thens[0]->type;
  auto widen = [&](const ExprPtr& v) -> Status {
    auto common = function::CommonType(type, v->type);
    if (!common) {
      return UserError("DATATYPE_MISMATCH.DATA_DIFF_TYPES",
                       "Cannot resolve " + Quote(display) +
                           " due to data type mismatch: Input to `casewhen` should all be the "
                           "same type, but it's [" + type->ToString() + ", " +
                           v->type->ToString() + "]." + PosText(pos));
    }
    type = *common;
    return Status::OK();
  };
  for (const auto& t : thens) RETURN_NOT_OK(widen(t));
  if (otherwise) RETURN_NOT_OK(widen(otherwise));
  std::vector<ExprPtr> children;
  for (size_t k = 0; k < whens.size(); ++k) {
    children.push_back(whens[k]);
    ASSIGN_OR_RAISE(auto t, Coerce(thens[k], type));
    children.push_back(t);
  }
  if (otherwise) {
    ASSIGN_OR_RAISE(otherwise, Coerce(otherwise, type));
    children.push_back(otherwise);
  }
  auto out = MakeExpr(ExprKind::kCase, type, std::move(children), display);
  std::const_pointer_cast<plan::Expr>(out)->has_else = otherwise != nullptr;
  return out;
}

Result<ExprPtr> ExpressionBinder::BindFunction(const sql::Expr& e) {
  std::string name = Lower(e.name_parts.back());
  if (Catalog* catalog = analyzer_->options().catalog; catalog && e.name_parts.size() == 1) {
    // Session functions shadow built-ins, as in Spark's session function registry.
    ASSIGN_OR_RAISE(auto python, catalog->LookupPythonFunction(e.name_parts[0]));
    if (python) return BindPythonUdf(e, python);
  }
  if (e.name_parts.size() > 1 || !analyzer_->registry().KindOf(name)) {
    ASSIGN_OR_RAISE(auto sql_function, BindSqlFunction(e));
    if (sql_function) return *sql_function;
  }
  if (e.name_parts.size() > 1 && !(e.name_parts.size() == 2 && Same(e.name_parts[0], "builtin"))) {
    return UserError("UNRESOLVED_ROUTINE", "Cannot resolve routine " + JoinNames(e.name_parts) +
                                               " on search path [`system`.`builtin`, "
                                               "`system`.`session`].");
  }
  if (e.over) return BindWindowCall(e);
  if (IsAggregateCall(e)) return BindAggregateCall(e);
  std::string display = AutoColumnName(e);
  if (name == "window" && !analyzer_->registry().KindOf(name)) {
    // The time window the query's input was expanded by (AddTimeWindows).
    for (size_t i = 0; i < scope_->size(); ++i) {
      const auto& c = (*scope_)[i];
      if (c.metadata && c.name == "window" && c.type->id() == arrow::Type::STRUCT) {
        return plan::Column(static_cast<int>(i), c.type, "window", false);
      }
    }
  }
  if ((name == "input_file_name" || name == "input_file_block_start" ||
       name == "input_file_block_length") &&
      e.children.empty()) {
    // The file of the row being read: a field of the hidden `_metadata` column of the scan in
    // scope; "" (or -1) where no file is read, and an error over several sources, as in Spark.
    int found = -1, sources = 0;
    for (size_t i = 0; i < scope_->size(); ++i) {
      const auto& c = (*scope_)[i];
      if (c.metadata && c.name == "_metadata" && c.type->id() == arrow::Type::STRUCT) {
        found = static_cast<int>(i);
        ++sources;
      }
    }
    const std::string display_name = name + "()";
    if (sources > 1) {
      return UserError("MULTI_SOURCES_UNSUPPORTED_FOR_EXPRESSION",
                       "The expression \"" + display_name +
                           "\" does not support more than one source.");
    }
    if (found < 0) {
      if (name == "input_file_name") {
        return plan::Literal(std::make_shared<arrow::StringScalar>(""), display_name);
      }
      return plan::Literal(std::make_shared<arrow::Int64Scalar>(-1), display_name);
    }
    const auto& c = (*scope_)[static_cast<size_t>(found)];
    auto metadata = plan::Column(found, c.type, c.name, false);
    const std::string field = name == "input_file_name"          ? "file_path"
                              : name == "input_file_block_start" ? "file_block_start"
                                                                 : "file_block_length";
    ASSIGN_OR_RAISE(auto value,
                    CallScalar("get_struct_field",
                               {metadata, plan::Literal(std::make_shared<arrow::StringScalar>(field))},
                               display_name, e.pos));
    if (name != "input_file_name") return value;
    // _metadata.file_path is `file:/dir/f`; input_file_name() gives `file:///dir/f`.
    return CallScalar("regexp_replace",
                      {value, plan::Literal(std::make_shared<arrow::StringScalar>("^file:/+")),
                       plan::Literal(std::make_shared<arrow::StringScalar>("file:///"))},
                      display_name, e.pos);
  }
  // Spark's cast aliases: int(x) is CAST(x AS INT), named after x.
  static const std::map<std::string, std::string> kCastAliases = {
      {"boolean", "boolean"}, {"tinyint", "tinyint"},     {"smallint", "smallint"},
      {"int", "int"},         {"bigint", "bigint"},       {"float", "float"},
      {"double", "double"},   {"decimal", "decimal"},     {"binary", "binary"},
      {"string", "string"},   {"date", "date"},           {"timestamp", "timestamp"},
      {"time", "time"}};
  if (auto alias = kCastAliases.find(name);
      alias != kCastAliases.end() && !analyzer_->registry().KindOf(name)) {
    if (e.children.size() != 1) {
      return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                       "The `" + name + "` requires 1 parameters but the actual number is " +
                           std::to_string(e.children.size()) +
                           ". Please, refer to "
                           "'https://spark.apache.org/docs/latest/sql-ref-functions.html' for a "
                           "fix.");
    }
    ASSIGN_OR_RAISE(auto a, Bind(*e.children[0]));
    ASSIGN_OR_RAISE(auto syntax, sql::ParseDataType(alias->second));
    ASSIGN_OR_RAISE(auto type, ToArrowType(syntax));
    if (!function::CanCast(*a->type, *type)) {
      return function::CastMismatchError(*a->type, *type, display, PosText(e.pos));
    }
    auto out = plan::CastTo(a, type);
    std::const_pointer_cast<plan::Expr>(out)->name = AutoColumnName(*e.children[0]);
    if (analyzer_->options().eval.ansi) {
      std::const_pointer_cast<plan::Expr>(out)->nullable = a->nullable;
    }
    return out;
  }
  // decode(expr, search, result, ..., [default]): the first result whose search value equals
  // expr (NULL equals NULL), as Spark rewrites it to CASE; decode(bin, charset) is a function.
  if (name == "decode" && e.children.size() > 2) {
    ASSIGN_OR_RAISE(auto subject, Bind(*e.children[0]));
    std::vector<ExprPtr> whens, thens;
    for (size_t i = 1; i + 1 < e.children.size(); i += 2) {
      ASSIGN_OR_RAISE(auto search, Bind(*e.children[i]));
      ASSIGN_OR_RAISE(auto test, CallScalar("<=>", {subject, search}, "", e.pos));
      ASSIGN_OR_RAISE(auto result, Bind(*e.children[i + 1]));
      whens.push_back(test);
      thens.push_back(result);
    }
    ExprPtr otherwise;
    if (e.children.size() % 2 == 0) {
      ASSIGN_OR_RAISE(otherwise, Bind(*e.children.back()));
    }
    return MakeCase(std::move(whens), std::move(thens), std::move(otherwise), display, e.pos);
  }
  // Lazily evaluated forms.
  if (name == "coalesce" || name == "nvl" || name == "ifnull") {
    if (e.children.empty()) {
      return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                       "The `coalesce` requires at least 1 parameters but the actual number is 0.");
    }
    if (name != "coalesce" && e.children.size() != 2) {
      return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                       "The `" + name + "` requires 2 parameters but the actual number is " +
                           std::to_string(e.children.size()) + ".");
    }
    std::vector<ExprPtr> args;
    TypePtr type;
    for (const auto& c : e.children) {
      ASSIGN_OR_RAISE(auto a, Bind(*c));
      if (!type) {
        type = a->type;
      } else {
        auto common = function::CommonType(type, a->type);
        if (!common) {
          return UserError("DATATYPE_MISMATCH.DATA_DIFF_TYPES",
                           "Cannot resolve " + Quote(display) +
                               " due to data type mismatch: Input to `" + name +
                               "` should all be the same type, but it's [" + type->ToString() +
                               ", " + a->type->ToString() + "].");
        }
        type = *common;
      }
      args.push_back(a);
    }
    RETURN_NOT_OK(PromoteStrings(&args));
    bool strings = false, only_strings = true;
    for (const auto& a : args) {
      strings |= a->type->id() == arrow::Type::STRING;
      only_strings &= a->type->id() == arrow::Type::STRING || a->type->id() == arrow::Type::NA;
    }
    if (strings && only_strings) type = arrow::utf8();
    for (auto& a : args) { ASSIGN_OR_RAISE(a, Coerce(a, type)); }
    auto out = MakeExpr(ExprKind::kCoalesce, type, std::move(args), display);
    return out;
  }
  if (name == "if" || name == "iff") {
    if (e.children.size() != 3) {
      return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                       "The `if` requires 3 parameters but the actual number is " +
                           std::to_string(e.children.size()) + ".");
    }
    ASSIGN_OR_RAISE(auto cond, Bind(*e.children[0]));
    ASSIGN_OR_RAISE(auto a, Bind(*e.children[1]));
    ASSIGN_OR_RAISE(auto b, Bind(*e.children[2]));
    ASSIGN_OR_RAISE(cond, Coerce(cond, arrow::boolean()));
    std::vector<ExprPtr> branches{a, b};
    RETURN_NOT_OK(PromoteStrings(&branches));
    a = branches[0];
    b = branches[1];
    auto common = function::CommonType(a->type, b->type);
    if (!common) {
      return UserError("DATATYPE_MISMATCH.DATA_DIFF_TYPES",
                       "Cannot resolve " + Quote(display) + " due to data type mismatch.");
    }
    ASSIGN_OR_RAISE(a, Coerce(a, *common));
    ASSIGN_OR_RAISE(b, Coerce(b, *common));
    auto out = MakeExpr(ExprKind::kCase, *common, {cond, a, b}, display);
    std::const_pointer_cast<plan::Expr>(out)->has_else = true;
    return out;
  }
  if (name == "struct" || name == "named_struct") {
    // struct(a, b AS x) keeps names; named_struct('a', 1, ...) takes literal names.
    std::vector<ExprPtr> args;
    std::vector<std::string> names;
    if (name == "named_struct") {
      if (e.children.size() % 2 != 0) {
        return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                         "The `named_struct` requires an even number of parameters.");
      }
      for (size_t i = 0; i < e.children.size(); i += 2) {
        if (e.children[i]->kind != sql::ExprKind::kLiteral ||
            e.children[i]->literal_kind != sql::LiteralKind::kString) {
          return UserError("DATATYPE_MISMATCH.CREATE_NAMED_STRUCT_WITHOUT_FOLDABLE_STRING",
                           "Only foldable STRING expressions are allowed to appear at odd "
                           "position.");
        }
        names.push_back(e.children[i]->text);
        ASSIGN_OR_RAISE(auto v, Bind(*e.children[i + 1]));
        args.push_back(v);
      }
    } else {
      int n = 0;
      for (const auto& c : e.children) {
        if (c->kind == sql::ExprKind::kStar) {
          for (size_t i = 0; i < scope_->size(); ++i) {
            const auto& col = (*scope_)[i];
            if (col.hidden || col.metadata) continue;
            if (!c->name_parts.empty() && !Same(col.qualifier, c->name_parts.back())) continue;
            names.push_back(col.name);
            if (aggregation_) {
              // Over GROUP BY each column must be a grouping column (MISSING_AGGREGATION).
              sql::Expr ref;
              ref.kind = sql::ExprKind::kColumn;
              ref.pos = c->pos;
              if (!col.qualifier.empty()) ref.name_parts.push_back(col.qualifier);
              ref.name_parts.push_back(col.name);
              ASSIGN_OR_RAISE(auto v, Bind(ref));
              args.push_back(v);
            } else {
              args.push_back(plan::Column(static_cast<int>(i), col.type, col.name, col.nullable));
            }
          }
          continue;
        }
        const sql::Expr* inner = c.get();
        std::string field_name;
        if (c->kind == sql::ExprKind::kAlias) {
          field_name = c->text;
          inner = c->children[0].get();
        } else if (c->kind == sql::ExprKind::kColumn) {
          field_name = c->name_parts.back();
        } else {
          field_name = "col" + std::to_string(n + 1);
        }
        ASSIGN_OR_RAISE(auto v, Bind(*inner));
        names.push_back(field_name);
        args.push_back(v);
        ++n;
      }
    }
    arrow::FieldVector fields;
    for (size_t i = 0; i < args.size(); ++i) {
      fields.push_back(arrow::field(names[i], args[i]->type, args[i]->nullable));
    }
    // Field names travel as literal arguments of named_struct.
    std::vector<ExprPtr> call_args;
    for (size_t i = 0; i < args.size(); ++i) {
      call_args.push_back(plan::Literal(std::make_shared<arrow::StringScalar>(names[i])));
      call_args.push_back(args[i]);
    }
    return CallScalar("named_struct", std::move(call_args), display, e.pos);
  }
  if (name == "current_time" && e.children.empty()) {
    // current_time() is current_time(6), and is named so.
    return CallScalar("current_time", {plan::Literal(std::make_shared<arrow::Int32Scalar>(6))},
                      "current_time(6)", e.pos);
  }
  auto kind = analyzer_->registry().KindOf(name);
  if (kind && *kind == function::FunctionKind::kWindow) {
    return UserError("WINDOW_FUNCTION_WITHOUT_OVER_CLAUSE",
                     "Window function " + Quote(name) + " requires an OVER clause.");
  }
  if (kind && *kind == function::FunctionKind::kGenerator) {
    return UserError("UNSUPPORTED_GENERATOR.OUTSIDE_SELECT",
                     "The generator is not supported: outside the SELECT clause, found: " +
                         display + ". Use LATERAL VIEW " + name + "(...) instead.");
  }
  ASSIGN_OR_RAISE(auto higher_order, BindHigherOrder(name, e));
  if (higher_order) return *higher_order;
  std::vector<ExprPtr> args;
  for (const auto& c : e.children) {
    if (c->kind == sql::ExprKind::kLambda) {
      return UserError("INVALID_LAMBDA_FUNCTION_CALL.NON_HIGHER_ORDER_FUNCTION",
                       "Invalid lambda function call. A lambda function should only be used in a "
                       "higher order function. However, its class is " + Quote(name) +
                           ", which is not a higher order function." + PosText(e.pos));
    }
    if (c->kind == sql::ExprKind::kStar) {
      return UserError("INVALID_USAGE_OF_STAR_OR_REGEX",
                       "Invalid usage of '*' in expression `" + name + "`.");
    }
    ASSIGN_OR_RAISE(auto a, Bind(*c));
    args.push_back(a);
  }
  if ((name == "current_catalog" || name == "current_schema" || name == "current_database") &&
      e.children.empty()) {
    const auto& opts = analyzer_->options();
    auto value = name == "current_catalog" ? opts.current_catalog : opts.current_schema;
    return plan::Literal(std::make_shared<arrow::StringScalar>(value), name + "()");
  }
  if ((name == "current_user" || name == "user" || name == "session_user") &&
      e.children.empty()) {
    return plan::Literal(std::make_shared<arrow::StringScalar>(analyzer_->options().current_user),
                         name + "()");
  }
  if (name == "current_timestamp" || name == "now" || name == "current_date" ||
      name == "localtimestamp") {
    display = name + "()";
  }
  return CallScalar(name, std::move(args), display, e.pos);
}

Result<ExprPtr> ExpressionBinder::BindLambda(const sql::Expr& lambda,
                                             const std::vector<std::pair<TypePtr, bool>>& params,
                                             size_t min_params, const std::string& display) {
  const auto& names = lambda.lambda_params;
  if (names.size() < min_params || names.size() > params.size()) {
    return UserError("INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH",
                     "Invalid lambda function call. A higher order function expects " +
                         std::to_string(min_params == params.size() || names.size() < min_params
                                            ? min_params
                                            : params.size()) +
                         " arguments, but got " + std::to_string(names.size()) + "." +
                         PosText(lambda.pos));
  }
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (Same(names[i], names[j])) {
        return UserError("INVALID_LAMBDA_FUNCTION_CALL.DUPLICATE_ARG_NAMES",
                         "Invalid lambda function call. The lambda function has duplicate "
                         "arguments " + Quote(names[i]) + ". Please, consider to rename the "
                         "argument names or set \"spark.sql.caseSensitive\" to \"true\"." +
                             PosText(lambda.pos));
      }
    }
  }
  const size_t first_slot = lambda_vars_.size();
  for (size_t i = 0; i < names.size(); ++i) {
    lambda_vars_.push_back({names[i], params[i].first, params[i].second});
  }
  auto body = Bind(*lambda.children.at(0));
  lambda_vars_.resize(first_slot);
  if (!body.ok()) return body.status();
  auto out = MakeExpr(ExprKind::kLambda, (*body)->type, {*body}, display);
  auto mutable_out = std::const_pointer_cast<plan::Expr>(out);
  mutable_out->lambda_params = names;
  mutable_out->column_index = static_cast<int>(first_slot);
  mutable_out->nullable = (*body)->nullable;
  return out;
}

Result<std::optional<ExprPtr>> ExpressionBinder::BindHigherOrder(const std::string& name,
                                                                 const sql::Expr& e) {
  // Value arguments first, then the lambdas, in Spark's argument order.
  size_t values = 0;
  size_t lambdas_min = 0;
  size_t lambdas_max = 0;
  if (name == "transform" || name == "filter" || name == "exists" || name == "forall" ||
      name == "map_filter" || name == "transform_keys" || name == "transform_values") {
    values = 1, lambdas_min = lambdas_max = 1;
  } else if (name == "aggregate" || name == "reduce") {
    values = 2, lambdas_min = 1, lambdas_max = 2;
  } else if (name == "zip_with" || name == "map_zip_with") {
    values = 2, lambdas_min = lambdas_max = 1;
  } else if (name == "array_sort") {
    if (e.children.size() != 2) return std::optional<ExprPtr>();
    values = 1, lambdas_min = lambdas_max = 1;
  } else {
    return std::optional<ExprPtr>();
  }
  const std::string display = AutoColumnName(e);
  const size_t n = e.children.size();
  if (n < values + lambdas_min || n > values + lambdas_max) {
    return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                     "The `" + name + "` requires " +
                         (lambdas_min == lambdas_max
                              ? std::to_string(values + lambdas_min)
                              : "[" + std::to_string(values + lambdas_min) + ", " +
                                    std::to_string(values + lambdas_max) + "]") +
                         " parameters but the actual number is " + std::to_string(n) + "." +
                         PosText(e.pos));
  }
  std::vector<ExprPtr> args;
  for (size_t i = 0; i < values; ++i) {
    if (e.children[i]->kind == sql::ExprKind::kLambda) {
      return UserError("INVALID_LAMBDA_FUNCTION_CALL.PARAMETER_DOES_NOT_ACCEPT_LAMBDA_FUNCTION",
                       "Invalid lambda function call. You passed a lambda function to a parameter "
                       "that does not accept it. Please check if lambda function argument is in "
                       "the correct position." + PosText(e.pos));
    }
    ASSIGN_OR_RAISE(auto a, Bind(*e.children[i]));
    args.push_back(a);
  }
  for (size_t i = values; i < n; ++i) {
    if (e.children[i]->kind != sql::ExprKind::kLambda) {
      return UserError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
                       "Cannot resolve " + Quote(display) + " due to data type mismatch: the " +
                           std::to_string(i + 1) + ". parameter of `" + name +
                           "` must be a lambda function." + PosText(e.pos));
    }
  }
  static const char* kOrdinals[] = {"first", "second", "third", "fourth"};
  auto mismatch = [&](size_t index, const std::string& required, const std::string& what,
                      const arrow::DataType& actual) {
    return UserError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
                     "Cannot resolve " + Quote(display) + " due to data type mismatch: The " +
                         kOrdinals[std::min<size_t>(index, 3)] + " parameter requires the \"" +
                         required + "\" type, however " + Quote(what) + " has the type \"" +
                         function::SqlTypeName(actual) + "\"." + PosText(e.pos));
  };
  auto element_of = [](const TypePtr& t) -> std::pair<TypePtr, bool> {
    const auto& f = static_cast<const arrow::ListType&>(*t).value_field();
    return {f->type(), f->nullable()};
  };
  auto need_array = [&](size_t i) -> Status {
    if (args[i]->type->id() == arrow::Type::LIST) return Status::OK();
    return mismatch(i, "ARRAY", AutoColumnName(*e.children[i]), *args[i]->type);
  };
  auto need_map = [&](size_t i) -> Status {
    if (args[i]->type->id() == arrow::Type::MAP) return Status::OK();
    return mismatch(i, "MAP", AutoColumnName(*e.children[i]), *args[i]->type);
  };
  auto lambda_text = [&](size_t i) { return AutoColumnName(*e.children[i]); };
  std::vector<ExprPtr> lambdas;
  TypePtr type;
  bool nullable = true;
  const bool input_nullable = args[0]->nullable;
  if (name == "transform" || name == "filter" || name == "exists" || name == "forall") {
    RETURN_NOT_OK(need_array(0));
    auto element = element_of(args[0]->type);
    const bool indexed = name == "transform" || name == "filter";
    ASSIGN_OR_RAISE(auto f, BindLambda(*e.children[1],
                                       indexed ? std::vector<std::pair<TypePtr, bool>>{
                                                     element, {arrow::int32(), false}}
                                               : std::vector<std::pair<TypePtr, bool>>{element},
                                       1, lambda_text(1)));
    if (name != "transform" && f->type->id() != arrow::Type::BOOL) {
      return mismatch(1, "BOOLEAN", lambda_text(1), *f->type);
    }
    lambdas.push_back(f);
    if (name == "transform") {
      type = arrow::list(arrow::field("item", f->type, f->nullable));
    } else if (name == "filter") {
      type = args[0]->type;
    } else {
      type = arrow::boolean();
      nullable = input_nullable || f->nullable;
    }
    if (name == "transform" || name == "filter") nullable = input_nullable;
  } else if (name == "array_sort") {
    RETURN_NOT_OK(need_array(0));
    auto element = element_of(args[0]->type);
    ASSIGN_OR_RAISE(auto f, BindLambda(*e.children[1], {element, element}, 2, lambda_text(1)));
    if (f->type->id() != arrow::Type::INT32) {
      return UserError("DATATYPE_MISMATCH.UNEXPECTED_RETURN_TYPE",
                       "Cannot resolve " + Quote(display) + " due to data type mismatch: The " +
                           "second parameter requires the return type \"INT\", however " +
                           Quote(lambda_text(1)) + " returns \"" +
                           function::SqlTypeName(*f->type) + "\"." + PosText(e.pos));
    }
    lambdas.push_back(f);
    type = args[0]->type;
    nullable = input_nullable;
  } else if (name == "aggregate" || name == "reduce") {
    RETURN_NOT_OK(need_array(0));
    auto element = element_of(args[0]->type);
    TypePtr acc_type = args[1]->type;
    ASSIGN_OR_RAISE(auto merge, BindLambda(*e.children[2], {{acc_type, true}, element}, 2,
                                           lambda_text(2)));
    if (!merge->type->Equals(*acc_type)) {
      return mismatch(2, function::SqlTypeName(*acc_type), lambda_text(2), *merge->type);
    }
    lambdas.push_back(merge);
    type = acc_type;
    if (n == 4) {
      ASSIGN_OR_RAISE(auto finish, BindLambda(*e.children[3], {{acc_type, true}}, 1,
                                              lambda_text(3)));
      type = finish->type;
      lambdas.push_back(finish);
    }
  } else if (name == "zip_with") {
    RETURN_NOT_OK(need_array(0));
    RETURN_NOT_OK(need_array(1));
    auto left = element_of(args[0]->type);
    auto right = element_of(args[1]->type);
    ASSIGN_OR_RAISE(auto f, BindLambda(*e.children[2], {{left.first, true}, {right.first, true}},
                                       2, lambda_text(2)));
    lambdas.push_back(f);
    type = arrow::list(arrow::field("item", f->type, f->nullable));
    nullable = args[0]->nullable || args[1]->nullable;
  } else {
    RETURN_NOT_OK(need_map(0));
    const auto& map_type = static_cast<const arrow::MapType&>(*args[0]->type);
    std::pair<TypePtr, bool> key{map_type.key_type(), false};
    std::pair<TypePtr, bool> value{map_type.item_type(), map_type.item_field()->nullable()};
    if (name == "map_zip_with") {
      RETURN_NOT_OK(need_map(1));
      const auto& other = static_cast<const arrow::MapType&>(*args[1]->type);
      if (!other.key_type()->Equals(*map_type.key_type())) {
        auto common = function::CommonType(map_type.key_type(), other.key_type());
        if (!common) {
          return UserError("DATATYPE_MISMATCH.MAP_ZIP_WITH_DIFF_TYPES",
                           "Cannot resolve " + Quote(display) +
                               " due to data type mismatch: Input to the `map_zip_with` should "
                               "have been two maps with compatible key types, but it's [" +
                               function::SqlTypeName(*args[0]->type) + ", " +
                               function::SqlTypeName(*args[1]->type) + "]." + PosText(e.pos));
        }
        for (int i = 0; i < 2; ++i) {
          const auto& m = static_cast<const arrow::MapType&>(*args[i]->type);
          ASSIGN_OR_RAISE(args[i], Coerce(args[i], arrow::map(*common, m.item_field())));
        }
        key.first = *common;
      }
      ASSIGN_OR_RAISE(auto f, BindLambda(*e.children[2],
                                         {key, {value.first, true}, {other.item_type(), true}}, 3,
                                         lambda_text(2)));
      lambdas.push_back(f);
      type = arrow::map(key.first, arrow::field("value", f->type, f->nullable));
      nullable = args[0]->nullable || args[1]->nullable;
    } else {
      ASSIGN_OR_RAISE(auto f, BindLambda(*e.children[1], {key, value}, 2, lambda_text(1)));
      lambdas.push_back(f);
      nullable = input_nullable;
      if (name == "map_filter") {
        if (f->type->id() != arrow::Type::BOOL) {
          return mismatch(1, "BOOLEAN", lambda_text(1), *f->type);
        }
        type = args[0]->type;
      } else if (name == "transform_keys") {
        type = arrow::map(f->type, map_type.item_field());
      } else {
        type = arrow::map(map_type.key_type(), arrow::field("value", f->type, f->nullable));
      }
    }
  }
  for (auto& l : lambdas) args.push_back(l);
  auto out = MakeExpr(ExprKind::kHigherOrder, type, std::move(args), display);
  auto mutable_out = std::const_pointer_cast<plan::Expr>(out);
  mutable_out->higher_order = name == "reduce" ? "aggregate" : name;
  mutable_out->nullable = nullable;
  return std::optional<ExprPtr>(out);
}

const std::optional<types::UserDefinedType>& ExpressionBinder::ColumnUserDefinedType(
    const ExprPtr& a) const {
  static const std::optional<types::UserDefinedType> kNone;
  if (a->kind != ExprKind::kColumn || a->column_index < 0 ||
      a->column_index >= static_cast<int>(scope_->size())) {
    return kNone;
  }
  return (*scope_)[static_cast<size_t>(a->column_index)].udt;
}

Result<std::optional<ExprPtr>> ExpressionBinder::UserDefinedText(const ExprPtr& a,
                                                                 const std::string& display,
                                                                 const sql::SourcePos& pos) {
  const auto& udt = ColumnUserDefinedType(a);
  if (!udt || types::ShippedUdtText(*udt) != types::UdtText::kPoint ||
      a->type->id() != arrow::Type::LIST) {
    return std::nullopt;
  }
  auto text = [](std::string s) { return plan::Literal(std::make_shared<arrow::StringScalar>(s)); };
  auto coordinate = [&](int64_t i) -> Result<ExprPtr> {
    auto index = plan::Literal(std::make_shared<arrow::Int32Scalar>(static_cast<int32_t>(i)));
    ASSIGN_OR_RAISE(auto value, CallScalar("get_array_item", {a, index}, display, pos));
    return plan::CastTo(value, arrow::utf8());
  };
  ASSIGN_OR_RAISE(auto x, coordinate(0));
  ASSIGN_OR_RAISE(auto y, coordinate(1));
  return CallScalar("concat", {text("("), x, text(", "), y, text(")")}, display, pos);
}

Result<ExprPtr> ExpressionBinder::BindNode(const sql::Expr& e) {
  using K = sql::ExprKind;
  std::string display = AutoColumnName(e);
  switch (e.kind) {
    case K::kColumn: return BindColumn(e);
    case K::kStar:
      return UserError("INVALID_USAGE_OF_STAR_OR_REGEX",
                       "Invalid usage of '*' in expression." + PosText(e.pos));
    case K::kLiteral: {
      ASSIGN_OR_RAISE(auto value, LiteralValue(e, analyzer_->options().eval));
      return plan::Literal(value, display);
    }
    case K::kParameter: {
      const auto& opts = analyzer_->options();
      if (e.text.empty()) {
        if (e.parameter_index < 0 ||
            e.parameter_index >= static_cast<int>(opts.positional_parameters.size())) {
          return UserError("UNBOUND_SQL_PARAMETER",
                           "Found the unbound parameter: _" + std::to_string(e.parameter_index) +
                               ". Please, fix `args` and provide a mapping of the parameter to "
                               "either a SQL literal or collection constructor functions.");
        }
        return plan::Literal(opts.positional_parameters[e.parameter_index]);
      }
      auto it = opts.named_parameters.find(e.text);
      if (it == opts.named_parameters.end()) {
        return UserError("UNBOUND_SQL_PARAMETER",
                         "Found the unbound parameter: " + e.text +
                             ". Please, fix `args` and provide a mapping of the parameter to "
                             "either a SQL literal or collection constructor functions.");
      }
      return plan::Literal(it->second);
    }
    case K::kUnary: {
      ASSIGN_OR_RAISE(auto a, Bind(*e.children[0]));
      switch (e.unary_op) {
        case sql::UnaryOp::kMinus:
          return CallScalar("negative", {a}, display, e.pos);
        case sql::UnaryOp::kPlus: return CallScalar("positive", {a}, display, e.pos);
        case sql::UnaryOp::kBitNot: return CallScalar("~", {a}, display, e.pos);
        case sql::UnaryOp::kNot: {
          ASSIGN_OR_RAISE(a, Coerce(a, arrow::boolean()));
          return CallScalar("not", {a}, display, e.pos);
        }
      }
      break;
    }
    case K::kBinary: {
      ASSIGN_OR_RAISE(auto a, Bind(*e.children[0]));
      ASSIGN_OR_RAISE(auto b, Bind(*e.children[1]));
      using B = sql::BinaryOp;
      if (e.binary_op == B::kAnd || e.binary_op == B::kOr) {
        for (auto* side : {&a, &b}) {
          if ((*side)->type->id() == arrow::Type::NA) {
            ASSIGN_OR_RAISE(*side, Coerce(*side, arrow::boolean()));
          }
          if ((*side)->type->id() != arrow::Type::BOOL) {
            return UserError("DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE",
                             "Cannot resolve " + Quote(display) +
                                 " due to data type mismatch: the binary operator requires the "
                                 "input type \"BOOLEAN\", not \"" +
                                 (*side)->type->ToString() + "\"." + PosText(e.pos));
          }
        }
        return MakeExpr(e.binary_op == B::kAnd ? ExprKind::kAnd : ExprKind::kOr,
                        arrow::boolean(), {a, b}, display);
      }
      const char* fn = "+";
      switch (e.binary_op) {
        case B::kAdd: fn = "+"; break;
        case B::kSubtract: fn = "-"; break;
        case B::kMultiply: fn = "*"; break;
        case B::kDivide: fn = "/"; break;
        case B::kModulo: fn = "%"; break;
        case B::kIntDivide: fn = "div"; break;
        case B::kConcat: fn = "||"; break;
        case B::kEq: fn = "="; break;
        case B::kNullSafeEq: fn = "<=>"; break;
        case B::kNotEq: fn = "!="; break;
        case B::kLt: fn = "<"; break;
        case B::kLtEq: fn = "<="; break;
        case B::kGt: fn = ">"; break;
        case B::kGtEq: fn = ">="; break;
        case B::kBitAnd: fn = "&"; break;
        case B::kBitOr: fn = "|"; break;
        case B::kBitXor: fn = "^"; break;
        default: break;
      }
      return CallScalar(fn, {a, b}, display, e.pos);
    }
    case K::kIsNull: {
      ASSIGN_OR_RAISE(auto a, Bind(*e.children[0]));
      auto out = MakeExpr(ExprKind::kIsNull, arrow::boolean(), {a}, display);
      std::const_pointer_cast<plan::Expr>(out)->negated = e.negated;
      std::const_pointer_cast<plan::Expr>(out)->nullable = false;
      return out;
    }
    case K::kIsBoolean: {
      ASSIGN_OR_RAISE(auto a, Bind(*e.children[0]));
      ASSIGN_OR_RAISE(a, Coerce(a, arrow::boolean()));
      ExprPtr result;
      if (e.text == "UNKNOWN") {
        result = MakeExpr(ExprKind::kIsNull, arrow::boolean(), {a}, display);
      } else {
        ExprPtr value = a;
        if (e.text == "FALSE") { ASSIGN_OR_RAISE(value, CallScalar("not", {a}, display, e.pos)); }
        auto f = plan::Literal(std::make_shared<arrow::BooleanScalar>(false));
        result = MakeExpr(ExprKind::kCoalesce, arrow::boolean(), {value, f}, display);
      }
      if (e.negated) { ASSIGN_OR_RAISE(result, CallScalar("not", {result}, display, e.pos)); }
      return result;
    }
    case K::kBetween: {
      ASSIGN_OR_RAISE(auto a, Bind(*e.children[0]));
      ASSIGN_OR_RAISE(auto lo, Bind(*e.children[1]));
      ASSIGN_OR_RAISE(auto hi, Bind(*e.children[2]));
      ASSIGN_OR_RAISE(auto ge, CallScalar(">=", {a, lo}, "", e.pos));
      ASSIGN_OR_RAISE(auto le, CallScalar("<=", {a, hi}, "", e.pos));
      auto both = MakeExpr(ExprKind::kAnd, arrow::boolean(), {ge, le}, display);
      if (e.negated) return CallScalar("not", {both}, display, e.pos);
      return both;
    }
    case K::kInList: {
      std::vector<ExprPtr> items;
      ASSIGN_OR_RAISE(auto a, Bind(*e.children[0]));
      TypePtr type = a->type;
      items.push_back(a);
      for (size_t i = 1; i < e.children.size(); ++i) {
        ASSIGN_OR_RAISE(auto v, Bind(*e.children[i]));
        auto common = function::CommonType(type, v->type);
        if (!common) {
          return UserError("DATATYPE_MISMATCH.DATA_DIFF_TYPES",
                           "Cannot resolve " + Quote(display) +
                               " due to data type mismatch: Input to `in` should all be the same "
                               "type, but it's [" + type->ToString() + ", " +
                               v->type->ToString() + "]." + PosText(e.pos));
        }
        type = *common;
        items.push_back(v);
      }
      if (types::ContainsVariant(*type)) {
        return UserError("DATATYPE_MISMATCH.INVALID_ORDERING_TYPE",
                         "Cannot resolve " + Quote(display) +
                             " due to data type mismatch: The `in` does not support ordering on "
                             "type \"" + function::SqlTypeName(*type) + "\"." + PosText(e.pos));
      }
      for (auto& item : items) { ASSIGN_OR_RAISE(item, Coerce(item, type)); }
      auto out = MakeExpr(ExprKind::kInList, arrow::boolean(), std::move(items), display);
      std::const_pointer_cast<plan::Expr>(out)->negated = e.negated;
      return out;
    }
    case K::kInSubquery:
    case K::kExists:
    case K::kScalarSubquery: {
      // The subquery sees this scope as its enclosing one.
      analyzer_->outer_scopes.push_back(scope_);
      auto sub = analyzer_->AnalyzeSubquery(*e.subquery);
      analyzer_->outer_scopes.pop_back();
      RETURN_NOT_OK(sub.status());
      PlanPtr plan = *sub;
      if (e.kind == K::kScalarSubquery) {
        if (plan->schema->num_fields() != 1) {
          return UserError("INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_COLUMN",
                           "Scalar subquery must return only one column, but got " +
                               std::to_string(plan->schema->num_fields()) + "." + PosText(e.pos));
        }
        auto out = MakeExpr(ExprKind::kScalarSubquery, plan->schema->field(0)->type(), {}, display);
        std::const_pointer_cast<plan::Expr>(out)->subquery = plan;
        return out;
      }
      if (e.kind == K::kExists) {
        auto out = MakeExpr(ExprKind::kExists, arrow::boolean(), {}, display);
        std::const_pointer_cast<plan::Expr>(out)->subquery = plan;
        std::const_pointer_cast<plan::Expr>(out)->negated = e.negated;
        std::const_pointer_cast<plan::Expr>(out)->nullable = false;
        return out;
      }
      ASSIGN_OR_RAISE(auto a, Bind(*e.children[0]));
      if (plan->schema->num_fields() != 1) {
        return UserError("DATATYPE_MISMATCH.INVALID_IN_SUBQUERY_NUMBER_OF_COLUMNS" /* Spark */,
                         "The number of columns in the left hand side of an IN subquery does not "
                         "match the number of columns in the output of subquery." +
                             PosText(e.pos));
      }
      auto sub_type = plan->schema->field(0)->type();
      auto common = function::CommonType(a->type, sub_type);
      if (!common) {
        return UserError("DATATYPE_MISMATCH.IN_SUBQUERY_DATA_TYPE_MISMATCH",
                         "The data type of the columns in the left hand side of an IN subquery "
                         "is not compatible with the data type of the output of the subquery." +
                             PosText(e.pos));
      }
      ASSIGN_OR_RAISE(a, Coerce(a, *common));
      if (!sub_type->Equals(**common)) {
        auto col = plan::Column(0, sub_type, plan->schema->field(0)->name());
        plan = MakeProject(plan, {plan::CastTo(col, *common)}, {plan->schema->field(0)->name()});
      }
      auto out = MakeExpr(ExprKind::kInSubquery, arrow::boolean(), {a}, display);
      std::const_pointer_cast<plan::Expr>(out)->subquery = plan;
      std::const_pointer_cast<plan::Expr>(out)->negated = e.negated;
      return out;
    }
    case K::kLike: {
      ASSIGN_OR_RAISE(auto a, Bind(*e.children[0]));
      const char* fn = e.like_op == sql::LikeOp::kLike    ? "like"
                       : e.like_op == sql::LikeOp::kILike ? "ilike"
                                                          : "rlike";
      std::vector<ExprPtr> parts;
      for (size_t i = 1; i < e.children.size(); ++i) {
        ASSIGN_OR_RAISE(auto p, Bind(*e.children[i]));
        std::vector<ExprPtr> args = {a, p};
        if (e.escape) args.push_back(plan::Literal(std::make_shared<arrow::StringScalar>(*e.escape)));
        ASSIGN_OR_RAISE(auto call, CallScalar(fn, args, display, e.pos));
        parts.push_back(call);
      }
      ExprPtr out = parts[0];
      for (size_t i = 1; i < parts.size(); ++i) {
        out = MakeExpr(e.quantifier == sql::LikeQuantifier::kAll ? ExprKind::kAnd : ExprKind::kOr,
                       arrow::boolean(), {out, parts[i]}, display);
      }
      if (e.negated) return CallScalar("not", {out}, display, e.pos);
      return out;
    }
    case K::kCase: {
      size_t i = 0;
      ExprPtr operand;
      if (e.has_operand) { ASSIGN_OR_RAISE(operand, Bind(*e.children[i++])); }
      size_t end = e.children.size() - (e.has_else ? 1 : 0);
      std::vector<ExprPtr> whens, thens;
      for (; i + 1 < end + 1 && i < end; i += 2) {
        ASSIGN_OR_RAISE(auto w, Bind(*e.children[i]));
        if (operand) { ASSIGN_OR_RAISE(w, CallScalar("=", {operand, w}, "", e.pos)); }
        if (w->type->id() != arrow::Type::BOOL) { ASSIGN_OR_RAISE(w, Coerce(w, arrow::boolean())); }
        ASSIGN_OR_RAISE(auto t, Bind(*e.children[i + 1]));
        whens.push_back(w);
        thens.push_back(t);
      }
      ExprPtr otherwise;
      if (e.has_else) { ASSIGN_OR_RAISE(otherwise, Bind(*e.children.back())); }
      return MakeCase(std::move(whens), std::move(thens), std::move(otherwise), display, e.pos);
    }
    case K::kCast: {
      ASSIGN_OR_RAISE(auto a, Bind(*e.children[0]));
      ASSIGN_OR_RAISE(auto type,
                      ToArrowType(*e.type, analyzer_->options().allow_negative_decimal_scale));
      if (!function::CanCast(*a->type, *type)) {
        return function::CastMismatchError(*a->type, *type, display, PosText(e.pos));
      }
      if (type->id() == arrow::Type::STRING) {
        ASSIGN_OR_RAISE(auto text, UserDefinedText(a, display, e.pos));
        if (text) return *text;
      } else if (ColumnUserDefinedType(a)) {
        // A UDT casts only to a string (Spark's Cast.canCast).
        return UserError("DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION",
                         "Cannot resolve \"" + display +
                             "\" due to data type mismatch: cannot cast UDT(\"" +
                             function::SqlTypeName(*a->type) + "\") to \"" +
                             function::SqlTypeName(*type) + "\"." + PosText(e.pos));
      }
      auto out = plan::CastTo(a, type, e.try_cast);
      if (e.type->kind == sql::TypeKind::kTime && e.type->precision < 6 &&
          a->type->id() == arrow::Type::TIME64) {
        // A TIME cast to a smaller precision drops the extra fraction digits (a string cast to
        // TIME(p) keeps them, as in Spark).
        ASSIGN_OR_RAISE(
            out, CallScalar(
                     "cut_time_precision",
                     {out, plan::Literal(std::make_shared<arrow::Int32Scalar>(e.type->precision))},
                     display, e.pos));
      }
      std::const_pointer_cast<plan::Expr>(out)->name = display;
      // Under ANSI a cast fails rather than giving null: it is null only where its input is.
      if (!e.try_cast && analyzer_->options().eval.ansi) {
        std::const_pointer_cast<plan::Expr>(out)->nullable = a->nullable;
      }
      return out;
    }
    case K::kFunction: return BindFunction(e);
    case K::kSubscript: {
      ASSIGN_OR_RAISE(auto a, Bind(*e.children[0]));
      ASSIGN_OR_RAISE(auto i, Bind(*e.children[1]));
      if (a->type->id() == arrow::Type::LIST) {
        // a[i] is 0-based and, under ANSI, fails out of range (INVALID_ARRAY_INDEX).
        return CallScalar("get_array_item", {a, i}, display, e.pos);
      }
      if (a->type->id() == arrow::Type::STRUCT && i->kind == ExprKind::kLiteral &&
          i->literal && i->literal->is_valid && i->literal->type->id() == arrow::Type::STRING) {
        // s['field'] (Spark Connect's col["field"] / col.field): a struct field, named s.field.
        std::string field(static_cast<const arrow::StringScalar&>(*i->literal).view());
        return CallScalar("get_struct_field", {a, i},
                          AutoColumnName(*e.children[0]) + "." + field, e.pos);
      }
      if (a->type->id() == arrow::Type::MAP) {
        // m[k] with integer keys of two widths compares them as the wider type (Spark's
        // GetMapValue coercion): a key that does not fit the map's key type matches nothing.
        const auto& key_type = static_cast<const arrow::MapType&>(*a->type).key_type();
        if (!i->type->Equals(*key_type) &&
            types::IsIntegralRank(types::NumericRank(i->type->id())) &&
            types::IsIntegralRank(types::NumericRank(key_type->id()))) {
          i = plan::CastTo(i, key_type, /*try_cast=*/true);
        }
      }
      return CallScalar("element_at", {a, i}, display, e.pos);
    }
    case K::kField: {
      ASSIGN_OR_RAISE(auto a, Bind(*e.children[0]));
      if (a->type->id() != arrow::Type::STRUCT) {
        return UserError("INVALID_EXTRACT_BASE_FIELD_TYPE",
                         "Can't extract a value from " + Quote(a->name) +
                             ". Need a complex type [STRUCT, ARRAY, MAP] but got \"" +
                             a->type->ToString() + "\".");
      }
      auto name = plan::Literal(std::make_shared<arrow::StringScalar>(e.text));
      return CallScalar("get_struct_field", {a, name}, e.text, e.pos);
    }
    case K::kRow: {
      std::vector<ExprPtr> args;
      for (size_t i = 0; i < e.children.size(); ++i) {
        ASSIGN_OR_RAISE(auto v, Bind(*e.children[i]));
        args.push_back(plan::Literal(
            std::make_shared<arrow::StringScalar>("col" + std::to_string(i + 1))));
        args.push_back(v);
      }
      return CallScalar("named_struct", std::move(args), display, e.pos);
    }
    case K::kLambda:
      return UserError("INVALID_LAMBDA_FUNCTION_CALL.NON_HIGHER_ORDER_FUNCTION",
                       "Invalid lambda function call. A lambda function should only be used in a "
                       "higher order function." + PosText(e.pos));
    case K::kNamedArgument:
    case K::kAlias: return Bind(*e.children[0]);
  }
  return InternalError("unhandled expression kind");
}

// ---------------------------------------------------------------------------------------------
// Relations

std::shared_ptr<arrow::DataType> SparkJsonType(const std::shared_ptr<arrow::DataType>& t) {
  switch (t->id()) {
    case arrow::Type::TIMESTAMP:
    case arrow::Type::DATE32:
    case arrow::Type::NA:
      return arrow::utf8();
    case arrow::Type::STRUCT: {
      arrow::FieldVector fields;
      for (const auto& f : t->fields()) fields.push_back(f->WithType(SparkJsonType(f->type())));
      std::sort(fields.begin(), fields.end(),
                [](const auto& a, const auto& b) { return a->name() < b->name(); });
      return arrow::struct_(fields);
    }
    case arrow::Type::LIST:
      return arrow::list(SparkJsonType(t->field(0)->type()));
    default:
      return t;
  }
}

std::shared_ptr<arrow::DataType> MergeJsonTypes(const std::shared_ptr<arrow::DataType>& a,
                                                const std::shared_ptr<arrow::DataType>& b) {
  if (a->Equals(*b)) return a;
  auto numeric = [](arrow::Type::type id) {
    return id == arrow::Type::INT64 || id == arrow::Type::DOUBLE;
  };
  if (numeric(a->id()) && numeric(b->id())) return arrow::float64();
  if (a->id() == arrow::Type::STRUCT && b->id() == arrow::Type::STRUCT) {
    std::map<std::string, std::shared_ptr<arrow::DataType>> fields;
    for (const auto& f : a->fields()) fields[f->name()] = f->type();
    for (const auto& f : b->fields()) {
      auto it = fields.find(f->name());
      fields[f->name()] = it == fields.end() ? f->type() : MergeJsonTypes(it->second, f->type());
    }
    arrow::FieldVector out;
    for (const auto& [name, type] : fields) out.push_back(arrow::field(name, type));
    return arrow::struct_(out);
  }
  if (a->id() == arrow::Type::LIST && b->id() == arrow::Type::LIST) {
    return arrow::list(MergeJsonTypes(a->field(0)->type(), b->field(0)->type()));
  }
  return arrow::utf8();
}

// Basin's type for a type other writers use for the same Spark type: string views and large
// strings are strings, binary views and large binaries binaries, large lists lists (nested too).
std::shared_ptr<arrow::DataType> CanonicalType(const std::shared_ptr<arrow::DataType>& type) {
  switch (type->id()) {
    case arrow::Type::STRING_VIEW:
    case arrow::Type::LARGE_STRING: return arrow::utf8();
    case arrow::Type::BINARY_VIEW:
    case arrow::Type::LARGE_BINARY: return arrow::binary();
    // Parquet TIME(MILLIS|MICROS) columns (Spark writes MICROS) are TIME in nanoseconds.
    case arrow::Type::TIME32:
    case arrow::Type::TIME64:
      return arrow::time64(arrow::TimeUnit::NANO);
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
    case arrow::Type::LIST_VIEW:
    case arrow::Type::LARGE_LIST_VIEW: {
      const auto& element = type->field(0);
      return arrow::list(element->WithType(CanonicalType(element->type())));
    }
    case arrow::Type::STRUCT: {
      arrow::FieldVector fields;
      for (const auto& f : type->fields()) fields.push_back(f->WithType(CanonicalType(f->type())));
      return arrow::struct_(fields);
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(*type);
      return arrow::map(CanonicalType(map.key_type()),
                        map.item_field()->WithType(CanonicalType(map.item_type())));
    }
    default: return type;
  }
}

// Adds to a file scan of a folder the partition columns of its `name=value` sub-folders, as
// Spark's partition discovery does: after the data columns, or in place of a data column of the
// same name (whose values then come from the folders).
Status AddPartitionColumns(const io::Location& location,
                           const std::vector<arrow::fs::FileInfo>& files, PlanNode* node) {
  if (io::HasGlob(location.path)) return Status::OK();
  ASSIGN_OR_RAISE(auto info, location.fs->GetFileInfo(location.path));
  if (!info.IsDirectory()) return Status::OK();
  std::string prefix = location.path;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  prefix += '/';
  std::vector<std::string> relative;
  for (const auto& f : files) {
    if (f.path().rfind(prefix, 0) == 0) relative.push_back(f.path().substr(prefix.size()));
  }
  ASSIGN_OR_RAISE(auto columns, format::DiscoverPartitionColumns(relative));
  if (columns.empty()) return Status::OK();
  arrow::FieldVector fields = node->scan.table_schema->fields();
  for (const auto& column : columns) {
    bool replaced = false;
    for (auto& f : fields) {
      if (Lower(f->name()) == Lower(column.name)) {
        f = arrow::field(f->name(), column.type);
        node->scan.partition_columns.push_back(f->name());
        replaced = true;
      }
    }
    if (!replaced) {
      fields.push_back(arrow::field(column.name, column.type));
      node->scan.partition_columns.push_back(column.name);
    }
  }
  node->scan.table_schema = arrow::schema(fields);
  return Status::OK();
}

Result<PlanPtr> ParquetScan(const std::string& path,
                            const std::vector<std::pair<std::string, std::string>>& options) {
  ASSIGN_OR_RAISE(auto location, io::ResolveLocation(path));
  ASSIGN_OR_RAISE(auto files, io::ListInputFiles(location));
  std::string first;
  if (files.size() == 1 && files[0].path() == location.path) {
    first = location.path;
  } else {
    for (const auto& f : files) {
      if (f.extension() == "parquet") {
        first = f.path();
        break;
      }
    }
    if (first.empty()) {
      return UserError("UNABLE_TO_INFER_SCHEMA",
                       "Unable to infer schema for Parquet. It must be specified manually.");
    }
  }
  ASSIGN_OR_RAISE(auto input, location.fs->OpenInputFile(first));
  std::unique_ptr<parquet::arrow::FileReader> reader;
  auto opened = parquet::arrow::OpenFile(input, arrow::default_memory_pool());
  if (!opened.ok()) {
    return UserError("FAILED_READ_FILE", "Cannot read Parquet file " + first + ": " +
                                             opened.status().message());
  }
  reader = std::move(*opened);
  std::shared_ptr<arrow::Schema> schema;
  RETURN_NOT_OK(reader->GetSchema(&schema));
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kScan;
  node->scan.format = plan::ScanSource::Format::kParquet;
  node->scan.path = path;
  node->scan.options = options;
  // Files written with Arrow's view or large types read as Basin's (the scan casts them).
  arrow::FieldVector fields;
  auto plain = schema->RemoveMetadata();
  for (const auto& f : plain->fields()) fields.push_back(f->WithType(CanonicalType(f->type())));
  node->scan.table_schema = arrow::schema(fields);
  // Spark's schema in the file names the user-defined types its columns hold.
  if (auto kv = reader->parquet_reader()->metadata()->key_value_metadata()) {
    auto spark_json = kv->Get(format::kSparkSchemaKey);
    if (spark_json.ok()) {
      auto spark_schema = types::SchemaFromDeltaJson(*spark_json);
      if (spark_schema.ok()) {
        node->scan.table_schema =
            types::WithUserDefinedTypesOf(node->scan.table_schema, **spark_schema);
      }
    }
  }
  RETURN_NOT_OK(AddPartitionColumns(location, files, node.get()));
  node->schema = node->scan.table_schema;
  AddMetadataColumn(node.get());
  return node;
}

}  // namespace

Result<plan::PlanPtr> DeltaTableScan(const std::string& path, const TimeTravelSpec& time_travel) {
  ASSIGN_OR_RAISE(auto root, io::ResolveLocation(path));
  delta::SnapshotOptions options;
  options.version = time_travel.version;
  if (time_travel.timestamp) {
    function::EvalContext context;
    auto cast = function::Cast(
        arrow::Datum(std::make_shared<arrow::StringScalar>(*time_travel.timestamp)),
        arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), /*try_cast=*/true, context);
    if (!cast.ok() || !cast->scalar()->is_valid) {
      return UserError("DELTA_TIMESTAMP_INVALID",
                       "The provided timestamp (" + *time_travel.timestamp +
                           ") cannot be converted to a valid timestamp.");
    }
    options.timestamp_ms =
        std::static_pointer_cast<arrow::TimestampScalar>(cast->scalar())->value / 1000;
  }
  ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root, options));
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kScan;
  node->scan.format = plan::ScanSource::Format::kDelta;
  node->scan.path = path;
  node->scan.version = snapshot->version();
  node->scan.table_schema = snapshot->schema();
  int64_t rows = 0;
  for (const auto& f : snapshot->files()) {
    // No statistics: guess from the file size.
    rows += delta::StatsRecordCount(f).value_or(std::max<int64_t>(1, f.size / 64));
  }
  node->estimated_rows = rows;
  // Distinct values of integer and date columns are bounded by their max - min + 1.
  for (const auto& field : snapshot->schema()->fields()) {
    double distinct = -1;
    auto id = field->type()->id();
    if (arrow::is_integer(id) || id == arrow::Type::DATE32) {
      double lo = 0, hi = 0;
      bool known = !snapshot->files().empty();
      bool first = true;
      for (const auto& f : snapshot->files()) {
        auto stats = nlohmann::json::parse(f.stats.value_or("{}"), nullptr, false);
        const nlohmann::json* min = nullptr;
        const nlohmann::json* max = nullptr;
        if (stats.is_object() && stats.contains("minValues") && stats.contains("maxValues")) {
          auto& mins = stats["minValues"];
          auto& maxs = stats["maxValues"];
          if (mins.contains(field->name()) && maxs.contains(field->name())) {
            min = &mins[field->name()];
            max = &maxs[field->name()];
          }
        }
        auto value = [&](const nlohmann::json* v, double* out) {
          if (!v) return false;
          if (v->is_number()) {
            *out = v->get<double>();
            return true;
          }
          if (v->is_string()) {  // a date: days are enough for a range
            int y = 0, m = 0, d = 0;
            if (std::sscanf(v->get<std::string>().c_str(), "%d-%d-%d", &y, &m, &d) != 3) return false;
            *out = y * 372.0 + m * 31.0 + d;
            return true;
          }
          return false;
        };
        double a, b;
        if (!value(min, &a) || !value(max, &b)) {
          known = false;
          break;
        }
        lo = first ? a : std::min(lo, a);
        hi = first ? b : std::max(hi, b);
        first = false;
      }
      if (known) distinct = std::min<double>(hi - lo + 1, static_cast<double>(std::max<int64_t>(rows, 1)));
    }
    node->column_distinct.push_back(distinct);
  }
  arrow::FieldVector fields;
  for (const auto& f : snapshot->schema()->fields()) fields.push_back(f->RemoveMetadata());
  node->schema = arrow::schema(fields);
  AddMetadataColumn(node.get());
  return node;
}

Result<plan::PlanPtr> DeclaredFileScan(
    const std::string& format, const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& options,
    std::shared_ptr<arrow::Schema> schema, std::vector<std::string> partition_columns,
    std::optional<std::vector<plan::ScanSource::Partition>> partitions) {
  using F = plan::ScanSource::Format;
  const std::string f = Lower(format);
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kScan;
  node->scan.format = f == "parquet" ? F::kParquet
                      : f == "json"  ? F::kJson
                      : f == "csv"   ? F::kCsv
                                     : F::kText;
  node->scan.path = path;
  node->scan.options = options;
  node->scan.table_schema = schema;
  node->scan.partition_columns = std::move(partition_columns);
  node->scan.partitions = std::move(partitions);
  node->schema = std::move(schema);
  AddMetadataColumn(node.get());
  return PlanPtr(node);
}

Result<plan::PlanPtr> FileScan(const std::string& format, const std::string& path,
                               const std::vector<std::pair<std::string, std::string>>& options) {
  std::string f = Lower(format);
  if (f == "parquet") return ParquetScan(path, options);
  if (f == "text") {
    // Spark's text source: one string column `value` (a line, or a whole file with the option
    // wholetext), plus the partition columns of the folders below the path.
    ASSIGN_OR_RAISE(auto location, io::ResolveLocation(path));
    ASSIGN_OR_RAISE(auto listed, io::ListInputFiles(location));
    auto node = std::make_shared<PlanNode>();
    node->kind = PlanKind::kScan;
    node->scan.format = plan::ScanSource::Format::kText;
    node->scan.path = path;
    node->scan.options = options;
    node->scan.table_schema = arrow::schema({arrow::field("value", arrow::utf8())});
    RETURN_NOT_OK(AddPartitionColumns(location, listed, node.get()));
    node->schema = node->scan.table_schema;
    AddMetadataColumn(node.get());
    return node;
  }
  if (f == "json" || f == "csv") {
    ASSIGN_OR_RAISE(auto location, io::ResolveLocation(path));
    // The files to infer the schema from: the file, every visible file below the folder, or
    // the matches of a glob pattern.
    std::vector<std::string> files;
    auto listed = io::ListInputFiles(location);
    if (!listed.ok()) {
      // A folder with no visible files cannot give a schema.
      auto info = location.fs->GetFileInfo(location.path);
      if (info.ok() && info->IsDirectory()) {
        return UserError("UNABLE_TO_INFER_SCHEMA",
                         "Unable to infer schema for " + (f == "json" ? std::string("JSON") : std::string("CSV")) + ". It must be specified "
                         "manually.");
      }
      return listed.status();
    }
    for (const auto& entry : *listed) files.push_back(entry.path());
    if (files.empty()) {
      return UserError("UNABLE_TO_INFER_SCHEMA",
                       "Unable to infer schema for " + (f == "json" ? std::string("JSON") : std::string("CSV")) + ". It must be specified "
                       "manually.");
    }
    if (f == "csv") {
      // Spark's CSV schema: names from the header line (option header) or _c0, _c1, ...; types
      // inferred only with inferSchema, else every column is a string.
      auto option = [&](const std::string& key, const std::string& fallback) {
        for (const auto& [k, v] : options) {
          if (Lower(k) == key) return v;
        }
        return fallback;
      };
      const bool header = Lower(option("header", "false")) == "true";
      const bool infer = Lower(option("inferschema", "false")) == "true";
      std::string sep = option("sep", option("delimiter", ","));
      auto read = arrow::csv::ReadOptions::Defaults();
      read.autogenerate_column_names = !header;
      auto parse = arrow::csv::ParseOptions::Defaults();
      if (!sep.empty()) parse.delimiter = sep[0];
      parse.escaping = true;
      parse.escape_char = '\\';
      auto convert = arrow::csv::ConvertOptions::Defaults();
      convert.strings_can_be_null = true;
      ASSIGN_OR_RAISE(auto stream, location.fs->OpenInputStream(files[0]));
      ASSIGN_OR_RAISE(auto reader, arrow::csv::TableReader::Make(arrow::io::default_io_context(),
                                                                 stream, read, parse, convert));
      auto data = reader->Read();
      if (!data.ok()) {
        return UserError("MALFORMED_RECORD_IN_PARSING",
                         "Cannot read CSV file " + files[0] + ": " + data.status().message());
      }
      arrow::FieldVector fields;
      for (int i = 0; i < (*data)->num_columns(); ++i) {
        const auto& field = (*data)->schema()->field(i);
        std::string name = header ? field->name() : "_c" + std::to_string(i);
        auto type = infer ? CanonicalType(field->type()) : arrow::utf8();
        if (type->id() == arrow::Type::NA) type = arrow::utf8();
        fields.push_back(arrow::field(name, type));
      }
      auto node = std::make_shared<PlanNode>();
      node->kind = PlanKind::kScan;
      node->scan.format = plan::ScanSource::Format::kCsv;
      node->scan.path = path;
      node->scan.options = options;
      node->scan.table_schema = arrow::schema(fields);
      RETURN_NOT_OK(AddPartitionColumns(location, *listed, node.get()));
      node->schema = node->scan.table_schema;
      AddMetadataColumn(node.get());
      return node;
    }
    std::shared_ptr<arrow::DataType> merged;
    for (const auto& file : files) {
      auto data = format::ReadDataFile(io::Location{location.fs, file});
      if (!data.ok()) return data.status();
      if (f == "csv") {
        merged = arrow::struct_((*data)->schema()->fields());
        break;
      }
      // Spark's JSON inference: fields sorted by name, time strings stay strings, all-null
      // fields are strings, conflicting types widen (bigint + double -> double) or become
      // strings; files are merged by field name.
      auto type = SparkJsonType(arrow::struct_((*data)->schema()->fields()));
      merged = merged ? MergeJsonTypes(merged, type) : type;
    }
    auto node = std::make_shared<PlanNode>();
    node->kind = PlanKind::kScan;
    node->scan.format = f == "json" ? plan::ScanSource::Format::kJson : plan::ScanSource::Format::kCsv;
    node->scan.path = path;
    node->scan.options = options;
    node->scan.table_schema = arrow::schema(merged->fields());
    RETURN_NOT_OK(AddPartitionColumns(location, *listed, node.get()));
    node->schema = node->scan.table_schema;
    AddMetadataColumn(node.get());
    return node;
  }
  return UserError("UNSUPPORTED_DATASOURCE_FOR_DIRECT_QUERY",
                   "Unsupported data source type for direct query on files: " + format + ".");
}

namespace {

// The SQL text or value of a constant expression (time travel, LIMIT, TABLESAMPLE).
Result<std::shared_ptr<arrow::Scalar>> ConstantValue(const sql::Expr& e,
                                                     const function::EvalContext& context) {
  if (e.kind == sql::ExprKind::kLiteral) return LiteralValue(e, context);
  if (e.kind == sql::ExprKind::kUnary && e.unary_op == sql::UnaryOp::kMinus &&
      e.children[0]->kind == sql::ExprKind::kLiteral) {
    ASSIGN_OR_RAISE(auto v, LiteralValue(*e.children[0], context));
    ASSIGN_OR_RAISE(auto neg, arrow::compute::CallFunction("negate", {arrow::Datum(v)}));
    return neg.scalar();
  }
  if (e.kind == sql::ExprKind::kCast) {
    ASSIGN_OR_RAISE(auto v, ConstantValue(*e.children[0], context));
    ASSIGN_OR_RAISE(auto type, ToArrowType(*e.type));
    ASSIGN_OR_RAISE(auto cast, function::Cast(arrow::Datum(v), type, e.try_cast, context));
    return cast.scalar();
  }
  return UserError("INVALID_LIMIT_LIKE_EXPRESSION.IS_UNFOLDABLE",
                   "The expression " + Quote(AutoColumnName(e)) + " must be a constant." +
                       PosText(e.pos));
}

Result<int64_t> ConstantInteger(const sql::Expr& e, const function::EvalContext& context,
                                const std::string& what) {
  ASSIGN_OR_RAISE(auto v, ConstantValue(e, context));
  if (!v->is_valid) {
    return UserError("INVALID_LIMIT_LIKE_EXPRESSION.IS_NULL",
                     "The " + what + " expression must not be null.");
  }
  if (!arrow::is_integer(v->type->id())) {
    return UserError("INVALID_LIMIT_LIKE_EXPRESSION.DATA_TYPE",
                     "The " + what + " expression " + Quote(AutoColumnName(e)) +
                         " must be integer type, but got \"" + v->type->ToString() + "\".");
  }
  ASSIGN_OR_RAISE(auto as64, v->CastTo(arrow::int64()));
  int64_t n = std::static_pointer_cast<arrow::Int64Scalar>(as64)->value;
  if (n < 0) {
    return UserError("INVALID_LIMIT_LIKE_EXPRESSION.IS_NEGATIVE",
                     "The " + what + " expression " + Quote(AutoColumnName(e)) +
                         " must be equal to or greater than 0, but got " + std::to_string(n) +
                         ".");
  }
  return n;
}

// Drops the columns a query carries only for DataFrame references above it (USING-join
// duplicates, and with `metadata_too` the _metadata columns), where its rows leave it.
Bound WithoutCarried(Bound bound, bool metadata_too) {
  std::vector<ExprPtr> exprs;
  std::vector<std::string> names;
  std::vector<ScopeColumn> kept;
  for (size_t i = 0; i < bound.columns.size(); ++i) {
    const auto& c = bound.columns[i];
    if (c.carried || (metadata_too && c.metadata)) continue;
    exprs.push_back(plan::Column(static_cast<int>(i), c.type, c.name, c.nullable));
    names.push_back(c.name);
    kept.push_back(c);
  }
  if (kept.size() == bound.columns.size() ||
      bound.plan->schema->num_fields() != static_cast<int>(bound.columns.size())) {
    return bound;
  }
  bound.plan = MakeProject(bound.plan, exprs, names);
  bound.columns = std::move(kept);
  return bound;
}

Result<Bound> Renamed(Bound bound, const std::optional<std::string>& alias,
                      const std::vector<std::string>& column_aliases, const sql::SourcePos& pos) {
  // An alias makes a new relation: what was carried for the DataFrames below stops here.
  if (alias || !column_aliases.empty()) bound = WithoutCarried(std::move(bound), false);
  if (!column_aliases.empty()) {
    // Aliases name the visible columns; hidden _metadata columns are dropped here.
    std::vector<ScopeColumn> visible;
    std::vector<ExprPtr> keep;
    for (size_t i = 0; i < bound.columns.size(); ++i) {
      // Hidden columns (USING-join duplicates, _metadata) take no alias and go.
      if ((bound.columns[i].metadata || bound.columns[i].hidden) &&
          bound.columns.size() > column_aliases.size()) {
        continue;
      }
      keep.push_back(plan::Column(static_cast<int>(i), bound.columns[i].type,
                                  bound.columns[i].name, bound.columns[i].nullable));
      visible.push_back(bound.columns[i]);
    }
    if (visible.size() != bound.columns.size()) {
      std::vector<std::string> names;
      for (const auto& c : visible) names.push_back(c.name);
      bound.plan = MakeProject(bound.plan, keep, names);
      bound.columns = visible;
    }
    if (column_aliases.size() != bound.columns.size()) {
      return UserError("ASSIGNMENT_ARITY_MISMATCH" /* Spark: NUM_TABLE_VALUE_ALIASES_MISMATCH */,
                       "Number of given aliases does not match number of output columns: " +
                           std::to_string(column_aliases.size()) + " aliases for " +
                           std::to_string(bound.columns.size()) + " columns." + PosText(pos));
    }
    std::vector<ExprPtr> exprs;
    for (size_t i = 0; i < bound.columns.size(); ++i) {
      exprs.push_back(plan::Column(static_cast<int>(i), bound.columns[i].type, column_aliases[i],
                                   bound.columns[i].nullable));
      bound.columns[i].name = column_aliases[i];
    }
    bound.plan = MakeProject(bound.plan, exprs, column_aliases);
  }
  if (alias) {
    for (auto& c : bound.columns) {
      c.qualifier = *alias;
      c.hidden = false;
    }
  }
  return bound;
}

}  // namespace

// Query analysis lives in a second section so that the expression binder above stays readable.

Result<Bound> QueryAnalyzer::AnalyzeTable(const sql::Relation& r) {
  const auto& parts = r.name_parts;
  TimeTravelSpec tt;
  if (r.time_travel.kind == sql::TimeTravelKind::kVersion) {
    ASSIGN_OR_RAISE(auto v, ConstantInteger(*r.time_travel.value, options_.eval, "version"));
    tt.version = v;
  } else if (r.time_travel.kind == sql::TimeTravelKind::kTimestamp) {
    ASSIGN_OR_RAISE(auto v, ConstantValue(*r.time_travel.value, options_.eval));
    if (v->type->id() == arrow::Type::STRING) {
      tt.timestamp = std::static_pointer_cast<arrow::StringScalar>(v)->value->ToString();
      if (r.time_travel.at_syntax && tt.timestamp->size() == 17) {
        // t@yyyyMMddHHmmssSSS
        const std::string& s = *tt.timestamp;
        tt.timestamp = s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2) + " " +
                       s.substr(8, 2) + ":" + s.substr(10, 2) + ":" + s.substr(12, 2) + "." +
                       s.substr(14, 3);
      }
    } else {
      ASSIGN_OR_RAISE(auto cast, function::Cast(arrow::Datum(v), arrow::utf8(), false, options_.eval));
      tt.timestamp = std::static_pointer_cast<arrow::StringScalar>(cast.scalar())->value->ToString();
    }
  }
  std::string qualifier = parts.back();
  // CTEs shadow tables.
  if (parts.size() == 1) {
    if (auto rec = recursive_results_.find(Lower(parts[0])); rec != recursive_results_.end()) {
      return rec->second;
    }
    for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it) {
      auto found = it->find(Lower(parts[0]));
      if (found == it->end()) continue;
      const sql::CommonTableExpression* cte = found->second;
      // A CTE may refer to earlier CTEs but not to itself (no recursion yet).
      auto saved = ctes_;
      ctes_.erase(ctes_.begin() + (it.base() - ctes_.begin()) - 1 + 1, ctes_.end());
      auto& level = ctes_.back();
      std::map<std::string, const sql::CommonTableExpression*> visible;
      for (const auto& [k, v] : level) {
        if (v->pos.offset < cte->pos.offset) visible[k] = v;
      }
      level = visible;
      auto bound = AnalyzeQuery(*cte->query);
      ctes_ = saved;
      RETURN_NOT_OK(bound.status());
      Bound b = std::move(*bound);
      for (auto& c : b.columns) c.qualifier = parts[0];
      return Renamed(std::move(b), std::nullopt, cte->columns, r.pos);
    }
  }
  // format.`path`
  static const std::set<std::string> kFormats = {"delta", "parquet", "json", "csv", "text"};
  if (parts.size() == 2 && kFormats.count(Lower(parts[0])) &&
      (parts[1].find('/') != std::string::npos || parts[1].find(':') != std::string::npos)) {
    PlanPtr plan;
    if (Same(parts[0], "delta")) {
      ASSIGN_OR_RAISE(plan, DeltaTableScan(parts[1], tt));
    } else {
      if (tt.version || tt.timestamp) {
        return UserError("UNSUPPORTED_FEATURE.TIME_TRAVEL",
                         "Time travel on the relation: " + JoinNames(parts) + ".");
      }
      ASSIGN_OR_RAISE(plan, FileScan(parts[0], parts[1], {}));
    }
    return Bound{plan, ColumnsOf(*plan, parts[1])};
  }
  if (options_.catalog) {
    ASSIGN_OR_RAISE(auto found, options_.catalog->LookupRelation(parts, tt));
    if (found) return Bound{*found, ColumnsOf(**found, qualifier)};
  }
  return UserError("TABLE_OR_VIEW_NOT_FOUND",
                   "The table or view " + JoinNames(parts) +
                       " cannot be found. Verify the spelling and correctness of the schema and "
                       "catalog.\nIf you did not qualify the name with a schema, verify the "
                       "current_schema() output, or qualify the name with the correct schema and "
                       "catalog.\nTo tolerate the error on drop use DROP VIEW IF EXISTS or DROP "
                       "TABLE IF EXISTS." + PosText(r.pos));
}

Result<Bound> QueryAnalyzer::AnalyzeJoin(const sql::Relation& r) {
  ASSIGN_OR_RAISE(auto left, AnalyzeRelation(*r.left));
  ASSIGN_OR_RAISE(auto right, AnalyzeRelation(*r.right));
  std::vector<ScopeColumn> combined = left.columns;
  combined.insert(combined.end(), right.columns.begin(), right.columns.end());
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kJoin;
  node->children = {left.plan, right.plan};
  if (r.right->broadcast) {
    node->broadcast_side = "right";
  } else if (r.left->broadcast) {
    node->broadcast_side = "left";
  }
  using J = sql::JoinType;
  switch (r.join_type) {
    case J::kInner: node->join_type = plan::JoinType::kInner; break;
    case J::kLeft: node->join_type = plan::JoinType::kLeft; break;
    case J::kRight: node->join_type = plan::JoinType::kRight; break;
    case J::kFull: node->join_type = plan::JoinType::kFull; break;
    case J::kLeftSemi: node->join_type = plan::JoinType::kLeftSemi; break;
    case J::kLeftAnti: node->join_type = plan::JoinType::kLeftAnti; break;
    case J::kCross: node->join_type = plan::JoinType::kCross; break;
  }
  std::vector<std::string> using_columns = r.using_columns;
  if (r.natural) {
    for (const auto& lc : left.columns) {
      for (const auto& rc : right.columns) {
        if (Same(lc.name, rc.name)) using_columns.push_back(lc.name);
      }
    }
  }
  ExpressionBinder binder(this, &combined, &outer_scopes);
  std::vector<std::pair<int, int>> using_pairs;
  if (!using_columns.empty()) {
    ExprPtr condition;
    for (const auto& name : using_columns) {
      int li = -1, ri = -1;
      for (size_t i = 0; i < left.columns.size(); ++i) {
        if (Same(left.columns[i].name, name) && !left.columns[i].hidden) li = static_cast<int>(i);
      }
      for (size_t i = 0; i < right.columns.size(); ++i) {
        if (Same(right.columns[i].name, name) && !right.columns[i].hidden) ri = static_cast<int>(i);
      }
      if (li < 0 || ri < 0) {
        return UserError("UNRESOLVED_USING_COLUMN_FOR_JOIN",
                         "USING column " + Quote(name) + " cannot be resolved on the " +
                             (li < 0 ? "left" : "right") + " side of the join." + PosText(r.pos));
      }
      using_pairs.emplace_back(li, ri);
      const auto& lc = left.columns[li];
      const auto& rc = right.columns[ri];
      auto l = plan::Column(li, lc.type, lc.name, lc.nullable);
      auto rr = plan::Column(static_cast<int>(left.columns.size()) + ri, rc.type, rc.name, rc.nullable);
      std::vector<TypePtr> types = {l->type, rr->type};
      ASSIGN_OR_RAISE(auto eq, registry_->BindScalar("=", types));
      std::vector<ExprPtr> args = {l, rr};
      for (size_t k = 0; k < 2; ++k) {
        if (!args[k]->type->Equals(*eq.arg_types[k])) args[k] = plan::CastTo(args[k], eq.arg_types[k]);
      }
      auto call = plan::Call(std::make_shared<function::BoundScalar>(eq), args);
      condition = condition ? MakeExpr(ExprKind::kAnd, arrow::boolean(), {condition, call}, "")
                            : call;
    }
    node->condition = condition;
    if (node->join_type == plan::JoinType::kCross) node->join_type = plan::JoinType::kInner;
  } else if (r.condition) {
    ASSIGN_OR_RAISE(auto condition, binder.Bind(*r.condition));
    if (condition->type->id() != arrow::Type::BOOL) {
      return UserError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
                       "The join condition " + Quote(AutoColumnName(*r.condition)) +
                           " has the invalid type \"" + condition->type->ToString() +
                           "\", expected \"BOOLEAN\"." + PosText(r.condition->pos));
    }
    node->condition = condition;
    if (node->join_type == plan::JoinType::kCross) node->join_type = plan::JoinType::kInner;
  }
  bool semi = node->join_type == plan::JoinType::kLeftSemi ||
              node->join_type == plan::JoinType::kLeftAnti;
  std::vector<ScopeColumn> out_columns = semi ? left.columns : combined;
  // Outer joins make the other side nullable.
  if (!semi) {
    if (node->join_type == plan::JoinType::kLeft || node->join_type == plan::JoinType::kFull) {
      for (size_t i = left.columns.size(); i < out_columns.size(); ++i) out_columns[i].nullable = true;
    }
    if (node->join_type == plan::JoinType::kRight || node->join_type == plan::JoinType::kFull) {
      for (size_t i = 0; i < left.columns.size(); ++i) out_columns[i].nullable = true;
    }
  }
  node->schema = SchemaOf(out_columns);
  Bound result{node, out_columns};
  if (!using_pairs.empty() && !semi) {
    // USING: the join columns first (coalesced for FULL), then the other left columns, then the
    // other right columns; the right copies stay reachable by qualifier only.
    std::vector<ExprPtr> exprs;
    std::vector<ScopeColumn> cols;
    std::set<int> used_left, used_right;
    int nl = static_cast<int>(left.columns.size());
    for (auto [li, ri] : using_pairs) {
      used_left.insert(li);
      used_right.insert(ri);
      const auto& lc = out_columns[li];
      const auto& rc = out_columns[nl + ri];
      ExprPtr e;
      ScopeColumn c = lc;
      if (node->join_type == plan::JoinType::kRight) {
        e = plan::Column(nl + ri, rc.type, rc.name, rc.nullable);
        c = rc;
        c.qualifier = rc.qualifier;
      } else if (node->join_type == plan::JoinType::kFull) {
        auto common = function::CommonType(lc.type, rc.type).value_or(lc.type);
        auto l = plan::Column(li, lc.type, lc.name, true);
        auto rr = plan::Column(nl + ri, rc.type, rc.name, true);
        if (!l->type->Equals(*common)) l = plan::CastTo(l, common);
        if (!rr->type->Equals(*common)) rr = plan::CastTo(rr, common);
        e = MakeExpr(ExprKind::kCoalesce, common, {l, rr}, lc.name);
        c.type = common;
      } else {
        e = plan::Column(li, lc.type, lc.name, lc.nullable);
      }
      exprs.push_back(e);
      cols.push_back(c);
    }
    for (int i = 0; i < nl; ++i) {
      if (used_left.count(i)) continue;
      exprs.push_back(plan::Column(i, out_columns[i].type, out_columns[i].name, out_columns[i].nullable));
      cols.push_back(out_columns[i]);
    }
    for (int i = 0; i < static_cast<int>(right.columns.size()); ++i) {
      if (used_right.count(i)) continue;
      const auto& c = out_columns[nl + i];
      exprs.push_back(plan::Column(nl + i, c.type, c.name, c.nullable));
      cols.push_back(c);
    }
    // Qualified access to the joined columns of either side.
    for (auto [li, ri] : using_pairs) {
      auto lc = out_columns[li];
      lc.hidden = true;
      exprs.push_back(plan::Column(li, lc.type, lc.name, lc.nullable));
      cols.push_back(lc);
      auto rc = out_columns[nl + ri];
      rc.hidden = true;
      exprs.push_back(plan::Column(nl + ri, rc.type, rc.name, rc.nullable));
      cols.push_back(rc);
    }
    std::vector<std::string> names;
    for (const auto& c : cols) names.push_back(c.name);
    result.plan = MakeProject(node, exprs, names);
    result.columns = cols;
  }
  return result;
}

Result<Bound> QueryAnalyzer::AnalyzeLateralView(const sql::Relation& r) {
  ASSIGN_OR_RAISE(auto input, AnalyzeRelation(*r.left));
  return GenerateOver(std::move(input), *r.function, r.outer, r.alias, r.column_aliases);
}

Result<Bound> QueryAnalyzer::GenerateOver(Bound input, const sql::Expr& fn, bool outer_requested,
                                          const std::optional<std::string>& alias,
                                          const std::vector<std::string>& column_aliases) {
  std::string name = Lower(fn.name_parts.back());
  ExpressionBinder binder(this, &input.columns, &outer_scopes);
  std::vector<ExprPtr> args;
  for (const auto& c : fn.children) {
    ASSIGN_OR_RAISE(auto a, binder.Bind(*c));
    args.push_back(a);
  }
  bool outer = outer_requested;
  if (name.size() > 6 && name.substr(name.size() - 6) == "_outer") {
    outer = true;
    name = name.substr(0, name.size() - 6);
  }
  if (args.empty()) {
    return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                     "The `" + name + "` requires 1 parameters but the actual number is 0.");
  }
  std::vector<std::pair<std::string, TypePtr>> generated;
  const auto& t = args[0]->type;
  if (name == "explode" || name == "posexplode") {
    if (name == "posexplode") generated.emplace_back("pos", arrow::int32());
    if (t->id() == arrow::Type::LIST) {
      generated.emplace_back("col", static_cast<const arrow::ListType&>(*t).value_type());
    } else if (t->id() == arrow::Type::MAP) {
      const auto& m = static_cast<const arrow::MapType&>(*t);
      generated.emplace_back("key", m.key_type());
      generated.emplace_back("value", m.item_type());
    } else {
      return UserError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
                       "Parameter 1 requires the (\"ARRAY\" or \"MAP\") type, however " +
                           Quote(args[0]->name) + " has the type \"" + t->ToString() + "\".");
    }
  } else if (name == "inline") {
    if (t->id() != arrow::Type::LIST ||
        static_cast<const arrow::ListType&>(*t).value_type()->id() != arrow::Type::STRUCT) {
      return UserError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
                       "Parameter 1 requires the \"ARRAY<STRUCT>\" type.");
    }
    const auto& st = *static_cast<const arrow::ListType&>(*t).value_type();
    for (const auto& f : st.fields()) generated.emplace_back(f->name(), f->type());
  } else {
    return UserError("UNSUPPORTED_GENERATOR.NOT_GENERATOR",
                     "The generator is not supported: " + Quote(name) +
                         " is expected to be a generator.");
  }
  if (!column_aliases.empty()) {
    if (column_aliases.size() != generated.size()) {
      return UserError("UNSUPPORTED_GENERATOR.MULTI_GENERATOR" /* Spark: aliases mismatch */,
                       "The number of aliases supplied in the AS clause does not match the "
                       "number of columns output by the UDTF: expected " +
                           std::to_string(generated.size()) + " aliases but got " +
                           std::to_string(column_aliases.size()) + ".");
    }
    for (size_t i = 0; i < generated.size(); ++i) generated[i].first = column_aliases[i];
  }
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kGenerate;
  node->children = {input.plan};
  node->generator = name;
  node->generator_args = args;
  node->outer = outer;
  std::vector<ScopeColumn> cols = input.columns;
  // A FROM-less input (OneRow) has a physical column its scope does not list; keep the generated
  // columns at the positions the Generate operator produces them (after every input column).
  for (int i = static_cast<int>(cols.size()); i < input.plan->schema->num_fields(); ++i) {
    cols.push_back(ScopeColumn{"", input.plan->schema->field(i)->name(),
                               input.plan->schema->field(i)->type(), false, true});
  }
  for (const auto& [n, type] : generated) {
    cols.push_back(ScopeColumn{alias.value_or(""), n, type, true, false});
  }
  node->schema = SchemaOf(cols);
  return Bound{node, cols};
}

Result<Bound> QueryAnalyzer::AnalyzeTableFunction(const sql::Relation& r) {
  const sql::Expr& fn = *r.function;
  std::string name = Lower(fn.name_parts.back());
  if (name == "identifier" && fn.name_parts.size() == 1) {
    // FROM IDENTIFIER('db.t') / IDENTIFIER(:name): the table the constant string names.
    if (fn.children.size() != 1) {
      return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                       "The `identifier` requires 1 parameters but the actual number is " +
                           std::to_string(fn.children.size()) + "." + PosText(r.pos));
    }
    std::vector<ScopeColumn> none;
    ExpressionBinder binder(this, &none, &outer_scopes);
    ASSIGN_OR_RAISE(auto arg, binder.Bind(*fn.children[0]));
    if (arg->kind != ExprKind::kLiteral || !arg->literal->is_valid ||
        arg->type->id() != arrow::Type::STRING) {
      return UserError("NOT_A_CONSTANT_STRING.WRONG_TYPE",
                       "The expression " + Quote(AutoColumnName(*fn.children[0])) +
                           " used for the routine or clause `IDENTIFIER` must be a constant "
                           "STRING which is NOT NULL." + PosText(r.pos));
    }
    ASSIGN_OR_RAISE(auto parts, sql::ParseMultipartIdentifier(
                                    std::static_pointer_cast<arrow::StringScalar>(arg->literal)
                                        ->ToString()));
    sql::Relation table;
    table.kind = sql::RelationKind::kTable;
    table.pos = r.pos;
    table.name_parts = std::move(parts);
    ASSIGN_OR_RAISE(auto bound, AnalyzeTable(table));
    if (!r.alias && r.column_aliases.empty()) return bound;
    return Renamed(std::move(bound), r.alias, r.column_aliases, r.pos);
  }
  if (name == "range") {
    std::vector<int64_t> a;
    for (const auto& c : fn.children) {
      ASSIGN_OR_RAISE(auto v, ConstantValue(*c, options_.eval));
      ASSIGN_OR_RAISE(auto as64, v->CastTo(arrow::int64()));
      a.push_back(std::static_pointer_cast<arrow::Int64Scalar>(as64)->value);
    }
    if (a.empty() || a.size() > 4) {
      return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                       "The `range` requires [1, 2, 3, 4] parameters but the actual number is " +
                           std::to_string(a.size()) + ".");
    }
    int64_t start = a.size() == 1 ? 0 : a[0];
    int64_t end = a.size() == 1 ? a[0] : a[1];
    int64_t step = a.size() >= 3 ? a[2] : 1;
    if (step == 0) {
      return UserError("FAILED_FUNCTION_CALL", "The step of range() must not be 0.");
    }
    auto node = std::make_shared<PlanNode>();
    node->kind = PlanKind::kRange;
    node->range_start = start;
    node->range_end = end;
    node->range_step = step;
    node->schema = arrow::schema({arrow::field("id", arrow::int64(), false)});
    Bound b{node, ColumnsOf(*node, r.alias.value_or(""))};
    return Renamed(std::move(b), r.alias, r.column_aliases, r.pos);
  }
  if (name == "table_changes" || name == "table_changes_by_path") {
    // Delta's change data feed: table_changes('name', start [, end]).
    if (fn.children.size() < 2 || fn.children.size() > 3) {
      return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                       "The `" + name + "` requires [2, 3] parameters but the actual number is " +
                           std::to_string(fn.children.size()) + "." + PosText(r.pos));
    }
    ASSIGN_OR_RAISE(auto table_arg, ConstantValue(*fn.children[0], options_.eval));
    if (table_arg->type->id() != arrow::Type::STRING || !table_arg->is_valid) {
      return UserError("DELTA_TABLE_ONLY_OPERATION",
                       "The first argument of " + name + " is the table's name or path.");
    }
    std::string table_text = std::static_pointer_cast<arrow::StringScalar>(table_arg)->ToString();
    std::string path = table_text;
    if (name == "table_changes") {
      ASSIGN_OR_RAISE(auto parts, sql::ParseMultipartIdentifier(table_text));
      std::optional<std::string> location;
      if (options_.catalog) {
        ASSIGN_OR_RAISE(location, options_.catalog->LookupTableLocation(parts));
      }
      if (!location) {
        return UserError("TABLE_OR_VIEW_NOT_FOUND",
                         "The table or view " + Quote(table_text) + " cannot be found." +
                             PosText(r.pos));
      }
      path = *location;
    }
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(path));
    // Versions, or timestamps: the start is the first commit at or after it, the end the last
    // commit at or before it (delta-spark's rules).
    std::vector<int64_t> versions;
    std::optional<std::map<int64_t, int64_t>> commit_times;
    for (size_t i = 1; i < fn.children.size(); ++i) {
      ASSIGN_OR_RAISE(auto v, ConstantValue(*fn.children[i], options_.eval));
      if (!v->is_valid) {
        return UserError("DELTA_CDC_INVALID_ARGUMENT" /* delta-spark: null start/end */,
                         "The " + std::string(i == 1 ? "start" : "end") + " of " + name +
                             " must not be NULL." + PosText(r.pos));
      }
      if (arrow::is_integer(v->type->id())) {
        ASSIGN_OR_RAISE(auto as64, v->CastTo(arrow::int64()));
        versions.push_back(std::static_pointer_cast<arrow::Int64Scalar>(as64)->value);
        continue;
      }
      auto ts_type = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
      ASSIGN_OR_RAISE(auto cast, function::Cast(arrow::Datum(v), ts_type, false, options_.eval));
      const int64_t ms =
          std::static_pointer_cast<arrow::TimestampScalar>(cast.scalar())->value / 1000;
      if (!commit_times) {
        ASSIGN_OR_RAISE(auto times, delta::CommitTimestamps(root));
        commit_times = std::move(times);
      }
      std::optional<int64_t> chosen;
      for (const auto& [version, commit_ms] : *commit_times) {
        if (i == 1 && commit_ms >= ms && !chosen) chosen = version;
        if (i == 2 && commit_ms <= ms) chosen = version;
      }
      if (!chosen) {
        const std::string text = cast.scalar()->ToString();
        if (i == 1) {
          return UserError("DELTA_TIMESTAMP_GREATER_THAN_COMMIT",
                           "The provided timestamp (" + text + ") is after the latest version "
                           "available to this table." + PosText(r.pos));
        }
        return UserError("DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION",
                         "The provided timestamp (" + text + ") is before the earliest version "
                         "available to this table." + PosText(r.pos));
      }
      versions.push_back(*chosen);
    }
    std::optional<int64_t> end;
    if (versions.size() > 1) end = versions[1];
    ASSIGN_OR_RAISE(auto changes, delta::ReadChanges(root, versions[0], end));
    auto node = std::make_shared<PlanNode>();
    node->kind = PlanKind::kValues;
    node->values = changes;
    node->schema = changes->schema();
    Bound b{node, ColumnsOf(*node, r.alias.value_or(""))};
    return Renamed(std::move(b), r.alias, r.column_aliases, r.pos);
  }
  auto kind = registry_->KindOf(name);
  if (kind && *kind == function::FunctionKind::kGenerator) {
    // SELECT * FROM explode(array(...)): a lateral view over one row.
    sql::Relation lateral;
    lateral.kind = sql::RelationKind::kLateralView;
    lateral.pos = r.pos;
    lateral.alias = r.alias;
    lateral.column_aliases = r.column_aliases;
    // Borrow the function expression without copying the tree.
    auto one = std::make_unique<sql::Relation>();
    one->kind = sql::RelationKind::kValues;
    one->rows.emplace_back();
    lateral.left = std::move(one);
    lateral.function.reset(const_cast<sql::Expr*>(&fn));
    auto bound = AnalyzeLateralView(lateral);
    (void)lateral.function.release();
    return bound;
  }
  return UserError("UNRESOLVABLE_TABLE_VALUED_FUNCTION",
                   "Could not resolve " + Quote(name) +
                       " to a table-valued function. Please make sure that " + Quote(name) +
                       " is defined as a table-valued function and that all required parameters "
                       "are provided correctly." + PosText(r.pos));
}

namespace {

// Names of the columns an expression's syntax refers to (the last part of each column name).
void CollectColumnNames(const sql::Expr& e, std::set<std::string>* out) {
  if (e.kind == sql::ExprKind::kColumn && !e.name_parts.empty()) {
    out->insert(Lower(e.name_parts.back()));
    if (e.name_parts.size() > 1) out->insert(Lower(e.name_parts.front()));
  }
  for (const auto& c : e.children) {
    if (c) CollectColumnNames(*c, out);
  }
  if (e.filter) CollectColumnNames(*e.filter, out);
  for (const auto& w : e.within_group) CollectColumnNames(*w.expr, out);
}

// The index of the input column a (possibly qualified) name refers to.
Result<int> FindInputColumn(const std::vector<ScopeColumn>& columns,
                            const std::vector<std::string>& name, const sql::SourcePos& pos) {
  int found = -1;
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    if (c.metadata || !Same(c.name, name.back())) continue;
    if (name.size() == 2 && !Same(c.qualifier, name[0])) continue;
    if (name.size() == 1 && c.hidden) continue;
    if (found >= 0) {
      return UserError("AMBIGUOUS_REFERENCE",
                       "Reference " + Quote(JoinNames(name)) + " is ambiguous." + PosText(pos));
    }
    found = static_cast<int>(i);
  }
  if (found < 0 || name.size() > 2) {
    std::string names;
    for (const auto& c : columns) {
      if (!c.hidden && !c.metadata) names += (names.empty() ? "" : ", ") + Quote(c.name);
    }
    return UserError(names.empty() ? "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION"
                                   : "UNRESOLVED_COLUMN.WITH_SUGGESTION",
                     "A column, variable, or function parameter with name " + JoinNames(name) +
                         " cannot be resolved." +
                         (names.empty() ? "" : " Did you mean one of the following? [" + names +
                                                   "].") +
                         PosText(pos));
  }
  return found;
}

// The output name Spark gives a pivot value: its alias, else the value as text.
std::string PivotValueText(const plan::Expr& value) {
  if (value.kind == ExprKind::kLiteral && value.literal) {
    return value.literal->is_valid ? value.literal->ToString() : "null";
  }
  return value.name;
}

}  // namespace

Result<Bound> QueryAnalyzer::AnalyzePivot(const sql::Relation& r) {
  ASSIGN_OR_RAISE(auto input, AnalyzeRelation(*r.left));
  const auto& p = *r.pivot;
  ExpressionBinder plain(this, &input.columns, &outer_scopes);
  // The pivot column(s) and the columns the aggregates use; the other columns group.
  std::vector<int> pivot_columns;
  std::set<std::string> used;
  for (const auto& name : p.columns) {
    ASSIGN_OR_RAISE(int i, FindInputColumn(input.columns, name, r.pos));
    pivot_columns.push_back(i);
    used.insert(Lower(input.columns[i].name));
  }
  for (const auto& a : p.aggregates) CollectColumnNames(*a, &used);
  AggregationState agg;
  std::vector<int> group_columns;
  for (size_t i = 0; i < input.columns.size(); ++i) {
    const auto& c = input.columns[i];
    if (c.hidden || c.metadata || used.count(Lower(c.name))) continue;
    auto col = plan::Column(static_cast<int>(i), c.type, c.name, c.nullable);
    agg.groups.push_back(col);
    agg.group_keys.push_back(plan::ToString(*col));
    agg.group_names.push_back(c.name);
    group_columns.push_back(static_cast<int>(i));
  }
  const int width = static_cast<int>(agg.groups.size());
  std::vector<ExprPtr> outputs;
  std::vector<std::string> names;
  for (size_t v = 0; v < p.values.size(); ++v) {
    // The value: one constant per pivot column (a row for several columns).
    std::vector<ExprPtr> value_parts;
    const sql::Expr& value_syntax = *p.values[v];
    if (value_syntax.kind == sql::ExprKind::kRow) {
      for (const auto& c : value_syntax.children) {
        ASSIGN_OR_RAISE(auto part, plain.Bind(*c));
        value_parts.push_back(part);
      }
    } else {
      ASSIGN_OR_RAISE(auto part, plain.Bind(value_syntax));
      value_parts.push_back(part);
    }
    if (value_parts.size() != pivot_columns.size()) {
      return UserError("PIVOT_VALUE_DATA_TYPE_MISMATCH",
                       "Invalid pivot value " + Quote(AutoColumnName(value_syntax)) +
                           ": it needs one value per pivot column." + PosText(r.pos));
    }
    std::string value_name;
    if (p.value_aliases[v]) {
      value_name = *p.value_aliases[v];
    } else if (value_parts.size() == 1) {
      value_name = PivotValueText(*value_parts[0]);
    } else {
      for (const auto& part : value_parts) {
        value_name += (value_name.empty() ? "[" : ",") + PivotValueText(*part);
      }
      value_name += "]";
    }
    // The rows of this value: pivot column <=> value for each pivot column.
    ExprPtr condition;
    for (size_t k = 0; k < pivot_columns.size(); ++k) {
      const auto& c = input.columns[pivot_columns[k]];
      auto col = plan::Column(pivot_columns[k], c.type, c.name, c.nullable);
      // Spark casts each pivot value to the pivot column's type.
      if (value_parts[k]->kind != ExprKind::kLiteral ||
          !function::CanCast(*value_parts[k]->type, *c.type)) {
        return UserError("PIVOT_VALUE_DATA_TYPE_MISMATCH",
                         "Invalid pivot value " + Quote(value_parts[k]->name) +
                             ": value data type " +
                             function::SqlTypeName(*value_parts[k]->type) +
                             " does not match pivot column data type " +
                             function::SqlTypeName(*c.type) + "." + PosText(r.pos));
      }
      ASSIGN_OR_RAISE(auto fn, registry_->BindScalar("<=>", {c.type, c.type}));
      ExprPtr right = value_parts[k]->type->Equals(*c.type)
                          ? value_parts[k]
                          : plan::CastTo(value_parts[k], c.type);
      auto eq = plan::Call(std::make_shared<function::BoundScalar>(std::move(fn)),
                           {col, right}, "");
      condition = condition ? MakeExpr(ExprKind::kAnd, arrow::boolean(), {condition, eq}, "")
                            : eq;
    }
    // count(*) of the value's rows: a group without any gives NULL for every aggregate, as
    // Spark's pivot does (even for count).
    ASSIGN_OR_RAISE(auto count_fn, registry_->BindAggregate("count", {}));
    auto rows_of_value = std::make_shared<plan::Expr>();
    rows_of_value->kind = ExprKind::kAggregate;
    rows_of_value->type = count_fn.return_type;
    rows_of_value->aggregate = std::make_shared<function::BoundAggregate>(std::move(count_fn));
    rows_of_value->filter = condition;
    rows_of_value->name = "count(1)";
    const int count_column = width + static_cast<int>(agg.aggregates.size());
    agg.aggregates.push_back(rows_of_value);
    agg.aggregate_keys.push_back("");
    ASSIGN_OR_RAISE(auto positive_fn, registry_->BindScalar(">", {arrow::int64(), arrow::int64()}));
    auto has_rows = plan::Call(
        std::make_shared<function::BoundScalar>(std::move(positive_fn)),
        {plan::Column(count_column, arrow::int64(), "count(1)", false),
         plan::Literal(std::make_shared<arrow::Int64Scalar>(0))},
        "");
    for (size_t a = 0; a < p.aggregates.size(); ++a) {
      // Bind the aggregate expression on its own, then give its aggregates the value's rows.
      AggregationState one;
      one.groups = agg.groups;
      one.group_keys = agg.group_keys;
      one.group_names = agg.group_names;
      ExpressionBinder binder(this, &input.columns, &outer_scopes);
      binder.SetAggregation(&one);
      ASSIGN_OR_RAISE(auto out, binder.Bind(*p.aggregates[a]));
      if (one.aggregates.empty()) {
        return UserError("NON_AGGREGATE_FUNCTION_IN_PIVOT" /* Spark: aggregate expected */,
                         "Aggregate expression required for pivot, but " +
                             Quote(AutoColumnName(*p.aggregates[a])) + " did not appear in any "
                             "aggregate function." + PosText(r.pos));
      }
      const int shift = static_cast<int>(agg.aggregates.size());
      for (const auto& one_agg : one.aggregates) {
        auto copy = std::make_shared<plan::Expr>(*one_agg);
        copy->filter = copy->filter ? MakeExpr(ExprKind::kAnd, arrow::boolean(),
                                               {copy->filter, condition}, "")
                                    : condition;
        agg.aggregates.push_back(copy);
        agg.aggregate_keys.push_back("");
      }
      auto value_out = RebaseColumns(out, width, width + shift);
      auto guarded = MakeExpr(ExprKind::kCase, value_out->type,
                              {has_rows, value_out, plan::Literal(arrow::MakeNullScalar(
                                                        value_out->type))},
                              value_out->name);
      std::const_pointer_cast<plan::Expr>(guarded)->has_else = true;
      outputs.push_back(guarded);
      std::string agg_name = p.aggregate_aliases[a] ? *p.aggregate_aliases[a]
                                                     : AutoColumnName(*p.aggregates[a]);
      names.push_back(p.aggregates.size() == 1 ? value_name : value_name + "_" + agg_name);
    }
  }
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kAggregate;
  node->children = {input.plan};
  node->group_by = agg.groups;
  node->aggregates = agg.aggregates;
  arrow::FieldVector fields;
  for (size_t i = 0; i < agg.groups.size(); ++i) {
    fields.push_back(arrow::field(agg.group_names[i], agg.groups[i]->type, agg.groups[i]->nullable));
  }
  for (const auto& a : agg.aggregates) fields.push_back(arrow::field(a->name, a->type, true));
  node->schema = arrow::schema(fields);
  // Project: the grouping columns, then one column per value and aggregate.
  std::vector<ExprPtr> exprs;
  std::vector<std::string> out_names;
  Bound out;
  for (int i = 0; i < width; ++i) {
    const auto& c = input.columns[group_columns[i]];
    exprs.push_back(plan::Column(i, c.type, c.name, c.nullable));
    out_names.push_back(c.name);
    ScopeColumn sc = c;
    out.columns.push_back(sc);
  }
  for (size_t k = 0; k < outputs.size(); ++k) {
    exprs.push_back(outputs[k]);
    out_names.push_back(names[k]);
    ScopeColumn sc;
    sc.name = names[k];
    sc.type = outputs[k]->type;
    sc.nullable = true;
    out.columns.push_back(sc);
  }
  out.plan = MakeProject(node, exprs, out_names);
  return out;
}

Result<Bound> QueryAnalyzer::AnalyzeUnpivot(const sql::Relation& r) {
  ASSIGN_OR_RAISE(auto input, AnalyzeRelation(*r.left));
  const auto& u = *r.unpivot;
  const size_t arity = u.value_columns.size();
  std::vector<std::vector<int>> items;  // per IN item, its input columns
  std::set<int> unpivoted;
  for (const auto& cols : u.columns) {
    if (cols.size() != arity) {
      return UserError("UNPIVOT_ARITY_MISMATCH",
                       "Unpivot value columns must share the same number of columns as the "
                       "unpivot value column names (" + std::to_string(arity) + ")." +
                           PosText(r.pos));
    }
    std::vector<int> idx;
    for (const auto& name : cols) {
      ASSIGN_OR_RAISE(int i, FindInputColumn(input.columns, name, r.pos));
      idx.push_back(i);
      unpivoted.insert(i);
    }
    items.push_back(idx);
  }
  // The value types: the common type of each position.
  std::vector<TypePtr> types(arity);
  for (size_t j = 0; j < arity; ++j) {
    for (const auto& idx : items) {
      const auto& t = input.columns[idx[j]].type;
      if (!types[j]) {
        types[j] = t;
        continue;
      }
      auto common = function::CommonType(types[j], t);
      const bool string_mix = !types[j]->Equals(*t) && (types[j]->id() == arrow::Type::STRING ||
                                                        t->id() == arrow::Type::STRING);
      if (!common || string_mix) {
        return UserError("UNPIVOT_VALUE_DATA_TYPE_MISMATCH",
                         "Unpivot value columns must share a least common type, some types do "
                         "not: [" + function::SqlTypeName(*types[j]) + ", " +
                             function::SqlTypeName(*t) + "]." + PosText(r.pos));
      }
      types[j] = *common;
    }
  }
  std::vector<int> kept;
  for (size_t i = 0; i < input.columns.size(); ++i) {
    const auto& c = input.columns[i];
    if (c.hidden || c.metadata || unpivoted.count(static_cast<int>(i))) continue;
    kept.push_back(static_cast<int>(i));
  }
  std::vector<std::string> names;
  for (int i : kept) names.push_back(input.columns[i].name);
  names.push_back(u.name_column);
  for (const auto& v : u.value_columns) names.push_back(v);
  // One projection per IN item, all stacked by UNION ALL.
  std::vector<PlanPtr> parts;
  for (size_t k = 0; k < items.size(); ++k) {
    std::vector<ExprPtr> exprs;
    for (int i : kept) {
      const auto& c = input.columns[i];
      exprs.push_back(plan::Column(i, c.type, c.name, c.nullable));
    }
    std::string label;
    if (u.column_aliases[k]) {
      label = *u.column_aliases[k];
    } else {
      for (const auto& name : u.columns[k]) label += (label.empty() ? "" : "_") + name.back();
    }
    exprs.push_back(plan::Literal(std::make_shared<arrow::StringScalar>(label)));
    ExprPtr all_null;
    for (size_t j = 0; j < arity; ++j) {
      const auto& c = input.columns[items[k][j]];
      auto col = plan::Column(items[k][j], c.type, c.name, c.nullable);
      exprs.push_back(c.type->Equals(*types[j]) ? col : plan::CastTo(col, types[j]));
      auto is_null = MakeExpr(ExprKind::kIsNull, arrow::boolean(), {col}, "");
      all_null = all_null ? MakeExpr(ExprKind::kAnd, arrow::boolean(), {all_null, is_null}, "")
                          : is_null;
    }
    PlanPtr source = input.plan;
    if (!u.include_nulls) {
      // EXCLUDE NULLS: drop the rows whose values are all null.
      ASSIGN_OR_RAISE(auto fn, registry_->BindScalar("not", {arrow::boolean()}));
      auto negated = plan::Call(std::make_shared<function::BoundScalar>(std::move(fn)),
                                {all_null}, "");
      source = MakeFilter(source, negated);
    }
    parts.push_back(MakeProject(source, exprs, names));
  }
  PlanPtr current = parts[0];
  for (size_t k = 1; k < parts.size(); ++k) {
    auto node = std::make_shared<PlanNode>();
    node->kind = PlanKind::kSetOp;
    node->set_op = plan::SetOpKind::kUnion;
    node->all = true;
    node->children = {current, parts[k]};
    node->schema = parts[0]->schema;
    current = node;
  }
  Bound out;
  out.plan = current;
  for (int i : kept) out.columns.push_back(input.columns[i]);
  ScopeColumn name_col;
  name_col.name = u.name_column;
  name_col.type = arrow::utf8();
  name_col.nullable = false;
  out.columns.push_back(name_col);
  for (size_t j = 0; j < arity; ++j) {
    ScopeColumn v;
    v.name = u.value_columns[j];
    v.type = types[j];
    out.columns.push_back(v);
  }
  return out;
}

Result<Bound> QueryAnalyzer::AnalyzeRelation(const sql::Relation& r) {
  using R = sql::RelationKind;
  Result<Bound> bound = InternalError("relation not analyzed");
  switch (r.kind) {
    case R::kTable: bound = AnalyzeTable(r); break;
    case R::kSubquery: {
      ASSIGN_OR_RAISE(auto b, AnalyzeQuery(*r.query));
      for (auto& c : b.columns) c.qualifier = "";
      bound = std::move(b);
      break;
    }
    case R::kTableFunction: return AnalyzeTableFunction(r);
    case R::kValues: {
      if (r.rows.size() == 1 && r.rows[0].empty()) {
        bound = Bound{OneRow(), {}};
      } else {
        bound = AnalyzeValues(r.rows, r.pos);
      }
      break;
    }
    case R::kJoin: bound = AnalyzeJoin(r); break;
    case R::kLateralView: return AnalyzeLateralView(r);
    case R::kPivot: bound = AnalyzePivot(r); break;
    case R::kUnpivot: bound = AnalyzeUnpivot(r); break;
  }
  RETURN_NOT_OK(bound.status());
  Bound b = std::move(*bound);
  if (r.plan_id >= 0) {
    int ordinal = 0;
    for (auto& c : b.columns) {
      for (auto& tag : c.plan_ids) ++tag.depth;
      // Hidden columns (USING-join duplicates, _metadata) are reachable through the DataFrame
      // but are none of its own columns: no position, so df["*"] leaves them out.
      bool own = !c.hidden && !c.metadata;
      c.plan_ids.push_back(ScopeColumn::PlanIdTag{r.plan_id, 0, own ? ordinal++ : -1});
    }
  }
  if (r.sample) {
    if (r.sample->kind != sql::SampleKind::kPercent) {
      return UserError("UNSUPPORTED_FEATURE.TABLESAMPLE",
                       "Only TABLESAMPLE (x PERCENT) is supported yet." + PosText(r.pos));
    }
    ASSIGN_OR_RAISE(auto v, ConstantValue(*r.sample->amount, options_.eval));
    ASSIGN_OR_RAISE(auto d, v->CastTo(arrow::float64()));
    double percent = std::static_pointer_cast<arrow::DoubleScalar>(d)->value;
    if (percent < 0 || percent > 100) {
      return UserError("INVALID_SAMPLING_FRACTION" /* Spark: sampling fraction out of range */,
                       "Sampling fraction (" + std::to_string(percent / 100) +
                           ") must be on interval [0, 1].");
    }
    auto node = std::make_shared<PlanNode>();
    node->kind = PlanKind::kSample;
    node->schema = b.plan->schema;
    node->children = {b.plan};
    node->fraction = percent / 100.0;
    node->seed = r.sample->seed.value_or(42);
    b.plan = node;
  }
  if (r.kind == R::kTable && !r.alias && r.column_aliases.empty()) return b;
  return Renamed(std::move(b), r.alias, r.column_aliases, r.pos);
}

Result<Bound> QueryAnalyzer::AnalyzeValues(const std::vector<std::vector<sql::ExprPtr>>& rows,
                                           const sql::SourcePos& pos) {
  std::vector<ScopeColumn> none;
  ExpressionBinder binder(this, &none, &outer_scopes);
  std::vector<std::vector<ExprPtr>> bound_rows;
  size_t width = rows.empty() ? 0 : rows[0].size();
  std::vector<TypePtr> types(width);
  for (const auto& row : rows) {
    if (row.size() != width) {
      return UserError("INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH",
                       "Invalid inline table. Inline table expected " + std::to_string(width) +
                           " columns but found " + std::to_string(row.size()) +
                           " columns in row " + std::to_string(bound_rows.size()) + "." +
                           PosText(pos));
    }
    std::vector<ExprPtr> bound;
    for (size_t i = 0; i < row.size(); ++i) {
      ASSIGN_OR_RAISE(auto e, binder.Bind(*row[i]));
      if (!types[i]) {
        types[i] = e->type;
      } else {
        auto common = function::CommonType(types[i], e->type);
        if (!common) {
          return UserError("INVALID_INLINE_TABLE.INCOMPATIBLE_TYPES_IN_INLINE_TABLE",
                           "Invalid inline table. Found incompatible types in the column `col" +
                               std::to_string(i + 1) + "` for inline table." + PosText(pos));
        }
        types[i] = *common;
      }
      bound.push_back(e);
    }
    bound_rows.push_back(std::move(bound));
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < width; ++i) names.push_back("col" + std::to_string(i + 1));
  PlanPtr result;
  for (auto& row : bound_rows) {
    for (size_t i = 0; i < width; ++i) {
      if (!row[i]->type->Equals(*types[i])) row[i] = plan::CastTo(row[i], types[i]);
    }
    auto project = MakeProject(OneRow(), row, names);
    if (!result) {
      result = project;
    } else {
      auto node = std::make_shared<PlanNode>();
      node->kind = PlanKind::kSetOp;
      node->set_op = plan::SetOpKind::kUnion;
      node->all = true;
      node->children = {result, project};
      arrow::FieldVector fields;
      for (size_t i = 0; i < width; ++i) {
        bool nullable = result->schema->field(i)->nullable() || project->schema->field(i)->nullable();
        fields.push_back(arrow::field(names[i], types[i], nullable));
      }
      node->schema = arrow::schema(fields);
      result = node;
    }
  }
  return Bound{result, ColumnsOf(*result, "")};
}

Result<Bound> QueryAnalyzer::AnalyzeSetOp(const sql::Query& q) {
  ASSIGN_OR_RAISE(auto left, AnalyzeQuery(*q.left));
  ASSIGN_OR_RAISE(auto right, AnalyzeQuery(*q.right));
  left = WithoutCarried(std::move(left), true);
  right = WithoutCarried(std::move(right), true);
  const char* op_name = q.set_op == sql::SetOpKind::kUnion       ? "UNION"
                        : q.set_op == sql::SetOpKind::kIntersect ? "INTERSECT"
                                                                 : "EXCEPT";
  if (left.columns.size() != right.columns.size()) {
    return UserError("NUM_COLUMNS_MISMATCH",
                     std::string(op_name) +
                         " can only be performed on inputs with the same number of columns, but "
                         "the first input has " + std::to_string(left.columns.size()) +
                         " columns and the second input has " +
                         std::to_string(right.columns.size()) + " columns." + PosText(q.pos));
  }
  std::vector<TypePtr> types;
  for (size_t i = 0; i < left.columns.size(); ++i) {
    auto common = function::CommonType(left.columns[i].type, right.columns[i].type);
    if (!common) {
      return UserError("INCOMPATIBLE_COLUMN_TYPE",
                       std::string(op_name) +
                           " can only be performed on tables with compatible column types. The " +
                           std::to_string(i + 1) + "th column of the second table is \"" +
                           right.columns[i].type->ToString() +
                           "\" type which is not compatible with \"" +
                           left.columns[i].type->ToString() +
                           "\" at the same column of the first table." + PosText(q.pos));
    }
    types.push_back(*common);
    if ((q.set_op != sql::SetOpKind::kUnion || !q.set_all) &&
        types::ContainsVariant(*types.back())) {
      return UserError("UNSUPPORTED_FEATURE.SET_OPERATION_ON_VARIANT_TYPE",
                       "The feature is not supported: Cannot have VARIANT type columns in "
                       "DataFrame which calls set operations (INTERSECT, EXCEPT, etc.), but the "
                       "type of column `" + left.columns[i].name + "` is \"VARIANT\"." +
                           PosText(q.pos));
    }
  }
  auto cast_side = [&](Bound& side) {
    bool needed = false;
    std::vector<ExprPtr> exprs;
    std::vector<std::string> names;
    for (size_t i = 0; i < side.columns.size(); ++i) {
      auto col = plan::Column(static_cast<int>(i), side.columns[i].type, side.columns[i].name,
                              side.columns[i].nullable);
      if (!col->type->Equals(*types[i])) {
        col = plan::CastTo(col, types[i]);
        needed = true;
      }
      exprs.push_back(col);
      names.push_back(side.columns[i].name);
    }
    if (needed) side.plan = MakeProject(side.plan, exprs, names);
  };
  cast_side(left);
  cast_side(right);
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kSetOp;
  node->set_op = q.set_op == sql::SetOpKind::kUnion       ? plan::SetOpKind::kUnion
                 : q.set_op == sql::SetOpKind::kIntersect ? plan::SetOpKind::kIntersect
                                                          : plan::SetOpKind::kExcept;
  node->all = q.set_all;
  node->children = {left.plan, right.plan};
  std::vector<ScopeColumn> cols;
  for (size_t i = 0; i < left.columns.size(); ++i) {
    ScopeColumn c{"", left.columns[i].name, types[i],
                  left.columns[i].nullable || right.columns[i].nullable, false};
    if (q.set_op != sql::SetOpKind::kUnion) c.nullable = left.columns[i].nullable;
    c.udt = left.columns[i].udt;
    cols.push_back(c);
  }
  node->schema = SchemaOf(cols);
  return Bound{node, cols};
}

namespace {

// The first window(...) call in `e`, or null.
const sql::Expr* FindTimeWindow(const sql::Expr* e) {
  if (!e) return nullptr;
  if (e->kind == sql::ExprKind::kFunction && !e->over && e->name_parts.size() == 1 &&
      Lower(e->name_parts[0]) == "window") {
    return e;
  }
  // A subquery's windows are its own (it is not among the children).
  for (const auto& c : e->children) {
    if (auto found = FindTimeWindow(c.get())) return found;
  }
  return nullptr;
}

// A window duration in microseconds: an integer literal, or a string of "<n> <unit>" pairs
// (week, day, hour, minute, second, millisecond, microsecond), as Spark's TimeWindow reads it.
// `e` is the bound argument (Spark Connect sends literals as parameters).
Result<int64_t> WindowDuration(const plan::Expr& bound) {
  const auto& value = bound.literal;
  if (bound.kind == ExprKind::kLiteral && value && value->is_valid &&
      (value->type->id() == arrow::Type::INT32 || value->type->id() == arrow::Type::INT64)) {
    return value->type->id() == arrow::Type::INT32
               ? static_cast<int64_t>(static_cast<const arrow::Int32Scalar&>(*value).value)
               : static_cast<const arrow::Int64Scalar&>(*value).value;
  }
  if (bound.kind != ExprKind::kLiteral || !value || !value->is_valid ||
      value->type->id() != arrow::Type::STRING) {
    return UserError("INVALID_PARAMETER_VALUE" /* Spark: a plain AnalysisException */,
                     "The duration and time inputs to window must be an integer, long or string "
                     "literal.");
  }
  const std::string written(static_cast<const arrow::StringScalar&>(*value).view());
  const std::string text = Lower(written);
  std::istringstream in(text);
  std::string word;
  int64_t total = 0;
  bool any = false;
  auto bad = [&]() {
    return UserError("CANNOT_PARSE_INTERVAL",
                     "Unable to parse '" + written +
                         "'. Please ensure that the value provided is in a valid format for "
                         "defining an interval. You can reference the documentation for the "
                         "correct format. If the issue persists, please double check that the "
                         "input value is not null or empty and try again.");
  };
  std::vector<std::string> words;
  while (in >> word) words.push_back(word);
  size_t k = 0;
  if (k < words.size() && words[k] == "interval") ++k;
  if (k == words.size()) return bad();
  for (; k < words.size(); k += 2) {
    if (k + 1 >= words.size()) return bad();
    int64_t n = 0;
    try {
      size_t used = 0;
      n = std::stoll(words[k], &used);
      if (used != words[k].size()) return bad();
    } catch (...) {
      return bad();
    }
    std::string unit = words[k + 1];
    if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
    int64_t scale = 0;
    if (unit == "week") scale = 7 * 86400000000LL;
    else if (unit == "day") scale = 86400000000LL;
    else if (unit == "hour") scale = 3600000000LL;
    else if (unit == "minute") scale = 60000000LL;
    else if (unit == "second") scale = 1000000LL;
    else if (unit == "millisecond") scale = 1000LL;
    else if (unit == "microsecond") scale = 1LL;
    else if (unit == "month" || unit == "year") {
      return UserError("INVALID_PARAMETER_VALUE" /* Spark: a plain AnalysisException */,
                       "Intervals greater than a month is not supported (" + written + ").");
    } else {
      return bad();
    }
    total += n * scale;
    any = true;
  }
  if (!any) return bad();
  return total;
}

}  // namespace

Result<Bound> QueryAnalyzer::AddTimeWindows(const sql::Query& q, Bound input) {
  const sql::Expr* call = nullptr;
  for (const auto& s : q.select_items) {
    if (!call) call = FindTimeWindow(s.expr.get());
  }
  if (!call) call = FindTimeWindow(q.where.get());
  if (!call && q.group_by) {
    for (const auto& item : q.group_by->items) {
      if (!call) call = FindTimeWindow(item.expr.get());
    }
  }
  if (!call) call = FindTimeWindow(q.having.get());
  if (!call) return input;
  if (registry_->KindOf("window")) return input;
  const std::string display = AutoColumnName(*call);
  if (call->children.size() < 2 || call->children.size() > 4) {
    return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                     "The `window` requires [2, 3, 4] parameters but the actual number is " +
                         std::to_string(call->children.size()) + ".");
  }
  ExpressionBinder binder(this, &input.columns, &outer_scopes);
  ASSIGN_OR_RAISE(auto ts, binder.Bind(*call->children[0]));
  if (!function::IsTimestamp(*ts->type)) {
    return UserError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
                     "Cannot resolve " + Quote(display) +
                         " due to data type mismatch: The first parameter requires the "
                         "(\"TIMESTAMP\" or \"TIMESTAMP WITHOUT TIME ZONE\") type, however " +
                         Quote(AutoColumnName(*call->children[0])) + " has the type \"" +
                         function::SqlTypeName(*ts->type) + "\"." + PosText(call->pos));
  }
  std::vector<int64_t> durations;
  for (size_t k = 1; k < call->children.size(); ++k) {
    ASSIGN_OR_RAISE(auto bound, binder.Bind(*call->children[k]));
    ASSIGN_OR_RAISE(int64_t micros, WindowDuration(*bound));
    durations.push_back(micros);
  }
  const int64_t window = durations[0];
  const int64_t slide = durations.size() > 1 ? durations[1] : window;
  const int64_t start = durations.size() > 2 ? durations[2] : 0;
  auto mismatch = [&](const std::string& sub, const std::string& message) {
    return UserError("DATATYPE_MISMATCH." + sub, "Cannot resolve " + Quote(display) +
                                                     " due to data type mismatch: " + message +
                                                     PosText(call->pos));
  };
  if (window <= 0) {
    return mismatch("VALUE_OUT_OF_RANGE",
                    "The `window_duration` must be between (0, 9223372036854775807] (current "
                    "value = " + std::to_string(window) + ").");
  }
  if (slide <= 0) {
    return mismatch("VALUE_OUT_OF_RANGE",
                    "The `slide_duration` must be between (0, 9223372036854775807] (current "
                    "value = " + std::to_string(slide) + ").");
  }
  if (slide > window) {
    return mismatch("PARAMETER_CONSTRAINT_VIOLATION",
                    "The `slide_duration`(" + std::to_string(slide) +
                        "L) must be <= the `window_duration`(" + std::to_string(window) + "L).");
  }
  if (std::abs(start) >= slide) {
    return mismatch("PARAMETER_CONSTRAINT_VIOLATION",
                    "The absolute value of `start_time`(" + std::to_string(start) +
                        "L) must be < the `slide_duration`(" + std::to_string(slide) + "L).");
  }
  auto literal = [](int64_t v) { return plan::Literal(std::make_shared<arrow::Int64Scalar>(v)); };
  ASSIGN_OR_RAISE(auto fn, registry_->BindScalar("__time_windows", {ts->type, arrow::int64(),
                                                                    arrow::int64(),
                                                                    arrow::int64()}));
  auto windows = plan::Call(std::make_shared<function::BoundScalar>(std::move(fn)),
                            {ts, literal(window), literal(slide), literal(start)}, display);
  auto element = static_cast<const arrow::ListType&>(*windows->type).value_type();
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kGenerate;
  node->children = {input.plan};
  node->generator = "explode";
  node->generator_args = {windows};
  std::vector<ScopeColumn> cols = input.columns;
  // A FROM-less input (OneRow) has a physical column its scope does not list.
  for (int i = static_cast<int>(cols.size()); i < input.plan->schema->num_fields(); ++i) {
    cols.push_back(ScopeColumn{"", input.plan->schema->field(i)->name(),
                               input.plan->schema->field(i)->type(), false, true});
  }
  ScopeColumn window_column{"", "window", element, false, false};
  window_column.metadata = true;  // named by window(...), never part of `*`
  cols.push_back(window_column);
  node->schema = SchemaOf(cols);
  return Bound{node, cols};
}

Result<Bound> QueryAnalyzer::AnalyzeSelect(const sql::Query& q) {
  Bound input;
  if (q.from) {
    ASSIGN_OR_RAISE(input, AnalyzeRelation(*q.from));
  } else {
    input = Bound{OneRow(), {}};
  }
  ASSIGN_OR_RAISE(input, AddTimeWindows(q, std::move(input)));
  // Hints: BROADCAST(t) on a join's side.
  // (Recorded on joins by the optimizer later; accepted and ignored here when unknown.)
  ExpressionBinder plain(this, &input.columns, &outer_scopes);
  if (q.where) {
    if (plain.ContainsAggregate(*q.where)) {
      return UserError("INVALID_WHERE_CONDITION",
                       "The WHERE condition " + Quote(AutoColumnName(*q.where)) +
                           " contains invalid expressions: aggregate functions are not allowed "
                           "in WHERE." + PosText(q.where->pos));
    }
    ASSIGN_OR_RAISE(auto condition, plain.Bind(*q.where));
    if (condition->type->id() != arrow::Type::BOOL) {
      if (condition->type->id() == arrow::Type::NA) {
        condition = plan::CastTo(condition, arrow::boolean());
      } else {
        return UserError("DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN",
                         "Cannot resolve " + Quote(AutoColumnName(*q.where)) +
                             " due to data type mismatch: Filter expression " +
                             Quote(AutoColumnName(*q.where)) + " of type \"" +
                             condition->type->ToString() + "\" is not a boolean." +
                             PosText(q.where->pos));
      }
    }
    input.plan = MakeFilter(input.plan, condition);
  }

  // Expand the select list (stars) into items.
  struct Item {
    const sql::Expr* expr = nullptr;  // null for star-expanded columns
    int column = -1;                  // star-expanded input column
    std::string name;
    bool metadata = false;            // a hidden _metadata column carried through `*`
    bool aliased = false;             // `expr AS name`: visible to later items (lateral alias)
    bool carried = false;             // a USING-join duplicate carried through `*`
  };
  // Generators in the SELECT list (SELECT explode(xs) AS x, ...) run as Generate nodes over the
  // filtered input, in SELECT order, as LATERAL VIEWs do (several give their cross product).
  std::map<const sql::SelectItem*, std::pair<int, int>> generated;  // item -> its columns
  int generated_start = -1;
  for (const auto& s : q.select_items) {
    if (s.expr->kind != sql::ExprKind::kFunction || s.expr->over) continue;
    auto kind = registry_->KindOf(s.expr->name_parts.back());
    if (!kind || *kind != function::FunctionKind::kGenerator) continue;
    if (q.group_by) {
      return UserError("UNSUPPORTED_GENERATOR.OUTSIDE_SELECT" /* with GROUP BY */,
                       "Generators together with GROUP BY are not supported yet; use LATERAL VIEW "
                       "in a subquery." + PosText(s.expr->pos));
    }
    std::vector<std::string> aliases = s.aliases;
    if (aliases.empty() && s.alias) aliases.push_back(*s.alias);
    int first = static_cast<int>(input.plan->schema->num_fields());
    if (generated_start < 0) generated_start = first;
    ASSIGN_OR_RAISE(input, GenerateOver(std::move(input), *s.expr, false, std::nullopt, aliases));
    generated[&s] = {first, static_cast<int>(input.columns.size())};
  }
  std::vector<Item> items;
  for (const auto& s : q.select_items) {
    if (s.expr->kind == sql::ExprKind::kStar) {
      // * EXCEPT (...): each name must resolve to a column the star covers.
      std::set<size_t> excluded;
      for (const auto& name : s.star_except) {
        if (name.size() > 2) {
          return UserError("UNSUPPORTED_FEATURE.STAR_EXCEPT_NESTED",
                           "SELECT * EXCEPT of a nested field (" + JoinNames(name) +
                               ") is not supported by Basin yet." + PosText(s.expr->pos));
        }
        std::vector<size_t> hits;
        for (size_t i = 0; i < input.columns.size(); ++i) {
          const auto& c = input.columns[i];
          if (c.metadata || !Same(c.name, name.back())) continue;
          if (name.size() == 2 && !Same(c.qualifier, name[0])) continue;
          if (name.size() == 1 && c.hidden) continue;
          hits.push_back(i);
        }
        if (hits.empty()) {
          std::string names;
          for (const auto& c : input.columns) {
            if (!c.hidden && !c.metadata) names += (names.empty() ? "" : ", ") + Quote(c.name);
          }
          return UserError("UNRESOLVED_COLUMN.WITH_SUGGESTION",
                           "A column, variable, or function parameter with name " +
                               JoinNames(name) + " cannot be resolved. Did you mean one of the "
                               "following? [" + names + "]." + PosText(s.expr->pos));
        }
        excluded.insert(hits.begin(), hits.end());
      }
      bool any = false;
      if (s.expr->plan_id >= 0) {
        // df["*"]: the columns of that DataFrame in its own order, wherever they are now; a
        // USING join's hidden duplicate counts (df2["*"] after df1.join(df2, "a") has df2's a).
        std::map<int, size_t> by_ordinal;  // position in the DataFrame -> input column
        for (size_t i = 0; i < input.columns.size(); ++i) {
          const auto& c = input.columns[i];
          if (c.metadata || excluded.count(i)) continue;
          if (generated_start >= 0 && static_cast<int>(i) >= generated_start) continue;
          int ordinal = PlanIdOrdinal(c, s.expr->plan_id);
          if (ordinal < 0) continue;
          auto [it, inserted] = by_ordinal.emplace(ordinal, i);
          if (!inserted && input.columns[it->second].hidden && !c.hidden) it->second = i;
        }
        for (const auto& [ordinal, i] : by_ordinal) {
          items.push_back(Item{nullptr, static_cast<int>(i), input.columns[i].name});
          any = true;
        }
      }
      for (size_t i = 0; i < input.columns.size() && s.expr->plan_id < 0; ++i) {
        const auto& c = input.columns[i];
        if (c.hidden || c.metadata || excluded.count(i)) continue;
        if (generated_start >= 0 && static_cast<int>(i) >= generated_start) continue;
        if (!s.expr->name_parts.empty() && !Same(c.qualifier, s.expr->name_parts.back())) {
          continue;
        }
        items.push_back(Item{nullptr, static_cast<int>(i), c.name});
        any = true;
      }
      if (!any && !s.expr->name_parts.empty()) {
        return UserError("CANNOT_RESOLVE_STAR_EXPAND",
                         "Cannot resolve " + JoinNames(s.expr->name_parts) +
                             ".* given input columns " + [&] {
                               std::string names;
                               for (const auto& c : input.columns) names += (names.empty() ? "" : ", ") + Quote(c.name);
                               return names;
                             }() + "." + PosText(s.expr->pos));
      }
      continue;
    }
    if (auto g = generated.find(&s); g != generated.end()) {
      // The generator's columns, appended to the input by its Generate node.
      for (int i = g->second.first; i < g->second.second; ++i) {
        items.push_back(Item{nullptr, i, input.columns[i].name});
      }
      continue;
    }
    // An unaliased cast of a column keeps the column's name (Spark's ResolveAliases:
    // Cast(NamedExpression) is aliased with its name); a field path (s.x) is not a column.
    const sql::Expr& x = *s.expr;
    const bool cast_of_column = x.kind == sql::ExprKind::kCast && x.children.size() == 1 &&
                                x.children[0]->kind == sql::ExprKind::kColumn &&
                                x.children[0]->name_parts.size() == 1;
    std::string name = cast_of_column ? x.children[0]->name_parts[0] : AutoColumnName(x);
    items.push_back(Item{s.expr.get(), -1, s.alias.value_or(name), false, s.alias.has_value()});
  }

  // Aggregation?
  bool aggregate = q.group_by.has_value();
  for (const auto& item : items) {
    if (item.expr && plain.ContainsAggregate(*item.expr)) aggregate = true;
  }
  if (q.having) aggregate = true;
  for (const auto& o : q.order_by) {
    if (plain.ContainsAggregate(*o.expr)) aggregate = true;
  }
  // `SELECT *, ...` over a file scan keeps its hidden _metadata column reachable by name above
  // (as Spark does for DataFrame.withColumn chains); the outermost query drops it.
  bool plain_star = false;
  for (const auto& s : q.select_items) {
    if (s.expr->kind == sql::ExprKind::kStar && s.expr->name_parts.empty() &&
        s.expr->plan_id < 0) {
      plain_star = true;
    }
  }
  if (plain_star && !aggregate && !q.distinct) {
    for (size_t i = 0; i < input.columns.size(); ++i) {
      if (!input.columns[i].metadata) continue;
      bool selected = false;
      for (const auto& item : items) selected = selected || Same(item.name, input.columns[i].name);
      if (!selected) items.push_back(Item{nullptr, static_cast<int>(i), input.columns[i].name, true});
    }
    // So does a Spark Connect join's USING duplicate, which the DataFrames it came from still
    // reach: df1.join(df2, "a").withColumn("c", ...).select(df2["a"]).
    for (size_t i = 0; i < input.columns.size(); ++i) {
      const auto& c = input.columns[i];
      if (!c.hidden || c.metadata || c.plan_ids.empty()) continue;
      Item item{nullptr, static_cast<int>(i), c.name};
      item.carried = true;
      items.push_back(item);
    }
  }

  AggregationState agg;
  WindowState windows;
  windows.named = &q.windows;
  if (aggregate) {
    // GROUP BY items: ordinals and select aliases refer to the select list.
    std::vector<const sql::Expr*> group_exprs;
    std::vector<std::vector<int>> sets;
    if (q.group_by) {
      auto add_group = [&](const sql::Expr* e) -> Result<int> {
        const sql::Expr* target = e;
        if (e->kind == sql::ExprKind::kLiteral && e->literal_kind == sql::LiteralKind::kInt) {
          int64_t ordinal = std::stoll(e->text);
          if (ordinal < 1 || ordinal > static_cast<int64_t>(items.size())) {
            return UserError("GROUP_BY_POS_OUT_OF_RANGE",
                             "GROUP BY position " + e->text +
                                 " is not in select list (valid range is [1, " +
                                 std::to_string(items.size()) + "])." + PosText(e->pos));
          }
          const auto& item = items[ordinal - 1];
          if (item.expr) {
            target = item.expr;
            if (plain.ContainsAggregate(*target)) {
              return UserError("GROUP_BY_POS_AGGREGATE",
                               "GROUP BY " + e->text + " refers to an expression " +
                                   Quote(AutoColumnName(*target)) +
                                   " that contains an aggregate function. Aggregate functions "
                                   "are not allowed in GROUP BY." + PosText(e->pos));
            }
          }
          if (!item.expr) {
            const auto& c = input.columns[item.column];
            auto col = plan::Column(item.column, c.type, c.name, c.nullable);
            agg.groups.push_back(col);
            agg.group_keys.push_back(plan::ToString(*col));
            agg.group_names.push_back(c.name);
            return static_cast<int>(agg.groups.size()) - 1;
          }
        }
        auto bound = plain.Bind(*target);
        if (!bound.ok() && target->kind == sql::ExprKind::kColumn &&
            target->name_parts.size() == 1) {
          // GROUP BY a select-list alias.
          for (const auto& item : items) {
            if (item.expr && Same(item.name, target->name_parts[0]) && item.expr != target) {
              bound = plain.Bind(*item.expr);
              break;
            }
          }
        }
        RETURN_NOT_OK(bound.status());
        std::string key = plan::ToString(**bound);
        for (size_t i = 0; i < agg.group_keys.size(); ++i) {
          if (agg.group_keys[i] == key) return static_cast<int>(i);
        }
        agg.groups.push_back(*bound);
        agg.group_keys.push_back(key);
        agg.group_names.push_back(AutoColumnName(*target));
        return static_cast<int>(agg.groups.size()) - 1;
      };
      if (q.group_by->all) {
        for (const auto& item : items) {
          if (item.expr && !plain.ContainsAggregate(*item.expr)) {
            ASSIGN_OR_RAISE(auto bound, plain.Bind(*item.expr));
            agg.groups.push_back(bound);
            agg.group_keys.push_back(plan::ToString(*bound));
            agg.group_names.push_back(item.name);
          } else if (!item.expr) {
            const auto& c = input.columns[item.column];
            auto col = plan::Column(item.column, c.type, c.name, c.nullable);
            agg.groups.push_back(col);
            agg.group_keys.push_back(plan::ToString(*col));
            agg.group_names.push_back(c.name);
          }
        }
      }
      bool has_sets = false;
      std::vector<int> plain_groups;
      std::vector<std::vector<std::vector<int>>> set_factors;  // cross product of factors
      for (const auto& g : q.group_by->items) {
        if (g.kind == sql::GroupingKind::kExpression) {
          ASSIGN_OR_RAISE(int i, add_group(g.expr.get()));
          plain_groups.push_back(i);
          continue;
        }
        has_sets = true;
        std::vector<std::vector<int>> elements;
        for (const auto& s : g.sets) {
          std::vector<int> idx;
          for (const auto& e : s) {
            ASSIGN_OR_RAISE(int i, add_group(e.get()));
            idx.push_back(i);
          }
          elements.push_back(idx);
        }
        std::vector<std::vector<int>> factor;
        if (g.kind == sql::GroupingKind::kGroupingSets) {
          factor = elements;
        } else if (g.kind == sql::GroupingKind::kRollup) {
          for (size_t k = elements.size() + 1; k-- > 0;) {
            std::vector<int> set;
            for (size_t j = 0; j < k; ++j) set.insert(set.end(), elements[j].begin(), elements[j].end());
            factor.push_back(set);
          }
        } else {  // CUBE
          size_t n = elements.size();
          for (size_t mask = (size_t{1} << n); mask-- > 0;) {
            std::vector<int> set;
            for (size_t j = 0; j < n; ++j) {
              if (mask & (size_t{1} << (n - 1 - j))) set.insert(set.end(), elements[j].begin(), elements[j].end());
            }
            factor.push_back(set);
          }
        }
        set_factors.push_back(factor);
      }
      if (q.group_by->modifier != sql::GroupByModifier::kNone) {
        has_sets = true;
        std::vector<std::vector<int>> factor;
        size_t n = plain_groups.size();
        if (q.group_by->modifier == sql::GroupByModifier::kWithRollup) {
          for (size_t k = n + 1; k-- > 0;) factor.emplace_back(plain_groups.begin(), plain_groups.begin() + k);
        } else {
          for (size_t mask = (size_t{1} << n); mask-- > 0;) {
            std::vector<int> set;
            for (size_t j = 0; j < n; ++j) {
              if (mask & (size_t{1} << (n - 1 - j))) set.push_back(plain_groups[j]);
            }
            factor.push_back(set);
          }
        }
        plain_groups.clear();
        set_factors.push_back(factor);
      }
      if (has_sets) {
        std::vector<std::vector<int>> product = {plain_groups};
        for (const auto& factor : set_factors) {
          std::vector<std::vector<int>> next;
          for (const auto& p : product) {
            for (const auto& f : factor) {
              auto s = p;
              s.insert(s.end(), f.begin(), f.end());
              next.push_back(s);
            }
          }
          product = next;
        }
        sets = product;
        agg.has_grouping_id = true;
      }
    }
    agg.grouping_sets = sets;
  }

  // Bind the select list (and HAVING, QUALIFY) on top of the aggregation and windows.
  ExpressionBinder binder(this, &input.columns, &outer_scopes);
  if (aggregate) binder.SetAggregation(&agg);
  binder.SetWindows(&windows);
  std::vector<ExprPtr> select_exprs;
  std::vector<std::string> select_names;
  std::vector<std::pair<std::string, ExprPtr>> lateral_aliases;
  for (const auto& item : items) {
    if (!item.expr) {
      const auto& c = input.columns[item.column];
      if (aggregate) {
        std::string key = plan::ToString(*plan::Column(item.column, c.type, c.name, c.nullable));
        int found = -1;
        for (size_t g = 0; g < agg.group_keys.size(); ++g) {
          if (agg.group_keys[g] == key) found = static_cast<int>(g);
        }
        if (found < 0) {
          return UserError("MISSING_AGGREGATION",
                           "The non-aggregating expression " + Quote(c.name) +
                               " is based on columns which are not participating in the GROUP BY "
                               "clause. Add the columns or the expression to the GROUP BY, "
                               "aggregate the expression, or use `any_value(" + c.name +
                               ")` if you do not care which of the values within a group is "
                               "returned.");
        }
        select_exprs.push_back(plan::Column(found, c.type, c.name, c.nullable));
      } else {
        select_exprs.push_back(plan::Column(item.column, c.type, c.name, c.nullable));
      }
      select_names.push_back(item.name);
      continue;
    }
    // Lateral column aliases: a name no input column has may be an alias defined to the left.
    binder.SetSelectAliases(&lateral_aliases);
    auto bound_item = binder.Bind(*item.expr);
    binder.SetSelectAliases(nullptr);
    ASSIGN_OR_RAISE(auto e, std::move(bound_item));
    if (item.aliased) lateral_aliases.emplace_back(item.name, e);
    select_exprs.push_back(e);
    select_names.push_back(item.name);
  }
  ExprPtr having;
  if (q.having) {
    std::vector<std::pair<std::string, ExprPtr>> aliases;
    for (size_t i = 0; i < select_exprs.size(); ++i) aliases.emplace_back(select_names[i], select_exprs[i]);
    ExpressionBinder having_binder(this, &input.columns, &outer_scopes);
    having_binder.SetAggregation(&agg);
    having_binder.SetSelectAliases(&aliases);
    ASSIGN_OR_RAISE(having, having_binder.Bind(*q.having));
  }
  ExprPtr qualify;
  if (q.qualify) {
    std::vector<std::pair<std::string, ExprPtr>> aliases;
    for (size_t i = 0; i < select_exprs.size(); ++i) aliases.emplace_back(select_names[i], select_exprs[i]);
    binder.SetSelectAliases(&aliases);
    ASSIGN_OR_RAISE(qualify, binder.Bind(*q.qualify));
    binder.SetSelectAliases(nullptr);
  }

  // ORDER BY: select aliases and ordinals, else expressions over the same scope as the select
  // list (added as hidden columns).
  std::vector<plan::SortKey> sort_keys;
  size_t visible = select_exprs.size();
  for (const auto& o : q.order_by.empty() ? q.sort_by : q.order_by) {
    plan::SortKey key;
    key.ascending = o.direction != sql::SortDirection::kDescending;
    key.nulls_first = o.nulls == sql::NullOrdering::kDefault ? key.ascending
                                                             : o.nulls == sql::NullOrdering::kNullsFirst;
    const sql::Expr& e = *o.expr;
    int index = -1;
    if (e.kind == sql::ExprKind::kLiteral && e.literal_kind == sql::LiteralKind::kInt) {
      int64_t ordinal = std::stoll(e.text);
      if (ordinal < 1 || ordinal > static_cast<int64_t>(visible)) {
        return UserError("ORDER_BY_POS_OUT_OF_RANGE",
                         "ORDER BY position " + e.text +
                             " is not in select list (valid range is [1, " +
                             std::to_string(visible) + "])." + PosText(e.pos));
      }
      index = static_cast<int>(ordinal - 1);
    } else if (e.kind == sql::ExprKind::kColumn && e.name_parts.size() == 1) {
      for (size_t i = 0; i < visible; ++i) {
        if (Same(select_names[i], e.name_parts[0])) {
          index = static_cast<int>(i);
          break;
        }
      }
    }
    if (index < 0) {
      ASSIGN_OR_RAISE(auto bound, binder.Bind(e));
      std::string k = plan::ToString(*bound);
      for (size_t i = 0; i < select_exprs.size(); ++i) {
        if (plan::ToString(*select_exprs[i]) == k) {
          index = static_cast<int>(i);
          break;
        }
      }
      if (index < 0) {
        if (q.distinct) {
          return UserError("MISSING_ATTRIBUTES.RESOLVED_ATTRIBUTE_APPEAR_IN_OPERATION",
                           "ORDER BY expression " + Quote(AutoColumnName(e)) +
                               " must appear in the SELECT DISTINCT list." + PosText(e.pos));
        }
        select_exprs.push_back(bound);
        select_names.push_back(AutoColumnName(e));
        index = static_cast<int>(select_exprs.size()) - 1;
      }
    }
    key.expr = plan::Column(index, select_exprs[index]->type, select_names[index],
                            select_exprs[index]->nullable);
    sort_keys.push_back(key);
  }

  // Assemble: Aggregate -> HAVING -> Window -> QUALIFY -> Project -> DISTINCT -> Sort -> trim.
  PlanPtr current = input.plan;
  // The physical width: a FROM-less input (OneRow) has a column its scope does not list.
  int base_width = input.plan && input.plan->schema ? input.plan->schema->num_fields()
                                                    : static_cast<int>(input.columns.size());
  if (aggregate) {
    for (size_t i = 0; i < agg.groups.size(); ++i) {
      if (types::ContainsVariant(*agg.groups[i]->type)) {
        return UserError("GROUP_EXPRESSION_TYPE_IS_NOT_ORDERABLE",
                         "The expression \"" + agg.group_names[i] +
                             "\" cannot be used as a grouping expression because its data type "
                             "\"" + function::SqlTypeName(*agg.groups[i]->type) +
                             "\" is not an orderable data type.");
      }
    }
    auto node = std::make_shared<PlanNode>();
    node->kind = PlanKind::kAggregate;
    node->children = {current};
    node->group_by = agg.groups;
    node->aggregates = agg.aggregates;
    node->grouping_sets = agg.grouping_sets;
    arrow::FieldVector fields;
    for (size_t i = 0; i < agg.groups.size(); ++i) {
      bool nullable = agg.groups[i]->nullable || agg.has_grouping_id;
      fields.push_back(OutputField(agg.group_names[i], agg.groups[i], nullable, *current->schema));
    }
    if (agg.has_grouping_id) fields.push_back(arrow::field("spark_grouping_id", arrow::int64(), false));
    for (const auto& a : agg.aggregates) fields.push_back(AggregateField(*a, *current->schema));
    node->schema = arrow::schema(fields);
    current = node;
    base_width = static_cast<int>(fields.size());
    if (having) {
      if (having->type->id() != arrow::Type::BOOL) {
        return UserError("DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN",
                         "HAVING condition " + Quote(having->name) + " is not a boolean.");
      }
      current = MakeFilter(current, having);
    }
  }
  auto rebase = [&](const ExprPtr& e) { return RebaseColumns(e, kWindowPlaceholder, base_width); };
  if (!windows.windows.empty()) {
    auto node = std::make_shared<PlanNode>();
    node->kind = PlanKind::kWindow;
    node->children = {current};
    node->exprs = windows.windows;
    arrow::FieldVector fields = current->schema->fields();
    for (const auto& w : windows.windows) fields.push_back(arrow::field(w->name, w->type, true));
    node->schema = arrow::schema(fields);
    current = node;
  }
  if (qualify) {
    if (windows.windows.empty()) {
      return UserError("INVALID_QUALIFY_CLAUSE" /* Spark: QUALIFY needs a window function */,
                       "QUALIFY requires window functions in the SELECT list or the QUALIFY "
                       "clause.");
    }
    current = MakeFilter(current, rebase(qualify));
  }
  for (auto& e : select_exprs) e = rebase(e);
  // Outer columns are left in place; only the innermost one level is supported.
  current = MakeProject(current, select_exprs, select_names);
  std::vector<ScopeColumn> out_columns;
  for (size_t i = 0; i < select_exprs.size(); ++i) {
    out_columns.push_back(ScopeColumn{"", select_names[i], select_exprs[i]->type,
                                      select_exprs[i]->nullable, false});
    if (i < items.size() && items[i].metadata) out_columns.back().metadata = true;
    if (i < items.size() && items[i].carried) {
      out_columns.back().hidden = true;
      out_columns.back().carried = true;
    }
    out_columns.back().udt = types::UserDefinedTypeOf(*current->schema->field(i));
    // A column passed through unchanged stays a column of the DataFrames it came from.
    const auto& e = select_exprs[i];
    if (!aggregate && e->kind == ExprKind::kColumn && e->column_index >= 0 &&
        e->column_index < static_cast<int>(input.columns.size())) {
      out_columns.back().plan_ids = input.columns[e->column_index].plan_ids;
      for (auto& tag : out_columns.back().plan_ids) ++tag.depth;
    }
  }
  if (q.distinct) {
    for (const auto& field : current->schema->fields()) {
      if (types::ContainsVariant(*field->type())) {
        return UserError("UNSUPPORTED_FEATURE.SET_OPERATION_ON_VARIANT_TYPE",
                         "The feature is not supported: Cannot have VARIANT type columns in "
                         "DataFrame which calls set operations (INTERSECT, EXCEPT, etc.), but the "
                         "type of column `" + field->name() + "` is \"" +
                             function::SqlTypeName(*field->type()) + "\".");
      }
    }
    auto node = std::make_shared<PlanNode>();
    node->kind = PlanKind::kDistinct;
    node->schema = current->schema;
    node->children = {current};
    current = node;
  }
  if (!sort_keys.empty()) {
    auto node = std::make_shared<PlanNode>();
    node->kind = PlanKind::kSort;
    node->schema = current->schema;
    node->children = {current};
    node->sort_keys = sort_keys;
    current = node;
  }
  if (select_exprs.size() > visible) {
    std::vector<ExprPtr> exprs;
    std::vector<std::string> names;
    for (size_t i = 0; i < visible; ++i) {
      exprs.push_back(plan::Column(static_cast<int>(i), select_exprs[i]->type, select_names[i],
                                   select_exprs[i]->nullable));
      names.push_back(select_names[i]);
    }
    current = MakeProject(current, exprs, names);
    out_columns.resize(visible);
  }
  return Bound{current, out_columns};
}

Result<Bound> QueryAnalyzer::AnalyzeBody(const sql::Query& q) {
  switch (q.kind) {
    case sql::QueryKind::kSelect: return AnalyzeSelect(q);
    case sql::QueryKind::kSetOp: return AnalyzeSetOp(q);
    case sql::QueryKind::kValues: return AnalyzeValues(q.values, q.pos);
    case sql::QueryKind::kTable: {
      sql::Relation r;
      r.kind = sql::RelationKind::kTable;
      r.name_parts = q.table_name;
      r.pos = q.pos;
      return AnalyzeTable(r);
    }
  }
  return InternalError("unknown query kind");
}

Result<Bound> QueryAnalyzer::ApplyOrderLimit(const sql::Query& q, Bound body) {
  // ORDER BY over a set operation or VALUES: by output column names or ordinals.
  if (q.kind != sql::QueryKind::kSelect && (!q.order_by.empty() || !q.sort_by.empty())) {
    ExpressionBinder binder(this, &body.columns, &outer_scopes);
    std::vector<plan::SortKey> keys;
    for (const auto& o : q.order_by.empty() ? q.sort_by : q.order_by) {
      plan::SortKey key;
      key.ascending = o.direction != sql::SortDirection::kDescending;
      key.nulls_first = o.nulls == sql::NullOrdering::kDefault ? key.ascending
                                                               : o.nulls == sql::NullOrdering::kNullsFirst;
      const sql::Expr& e = *o.expr;
      if (e.kind == sql::ExprKind::kLiteral && e.literal_kind == sql::LiteralKind::kInt) {
        int64_t ordinal = std::stoll(e.text);
        if (ordinal < 1 || ordinal > static_cast<int64_t>(body.columns.size())) {
          return UserError("ORDER_BY_POS_OUT_OF_RANGE",
                           "ORDER BY position " + e.text + " is not in select list (valid range "
                           "is [1, " + std::to_string(body.columns.size()) + "])." + PosText(e.pos));
        }
        const auto& c = body.columns[ordinal - 1];
        key.expr = plan::Column(static_cast<int>(ordinal - 1), c.type, c.name, c.nullable);
      } else {
        ASSIGN_OR_RAISE(key.expr, binder.Bind(e));
      }
      keys.push_back(key);
    }
    auto node = std::make_shared<PlanNode>();
    node->kind = PlanKind::kSort;
    node->schema = body.plan->schema;
    node->children = {body.plan};
    node->sort_keys = keys;
    body.plan = node;
  }
  if ((q.limit && !q.limit_all) || q.offset) {
    auto node = std::make_shared<PlanNode>();
    node->kind = PlanKind::kLimit;
    node->schema = body.plan->schema;
    node->children = {body.plan};
    if (q.limit && !q.limit_all) { ASSIGN_OR_RAISE(node->limit, ConstantInteger(*q.limit, options_.eval, "limit")); }
    if (q.offset) { ASSIGN_OR_RAISE(node->offset, ConstantInteger(*q.offset, options_.eval, "offset")); }
    body.plan = node;
  }
  return body;
}

namespace {

// True when `q` names the relation `name` (one part) anywhere in its FROM clauses, set
// operations, CTE bodies or expression subqueries.
bool ExprReferences(const sql::Expr& e, const std::string& name);
bool RelationReferences(const sql::Relation& r, const std::string& name);

bool QueryReferences(const sql::Query& q, const std::string& name) {
  for (const auto& cte : q.ctes) {
    if (cte.query && QueryReferences(*cte.query, name)) return true;
  }
  if (q.from && RelationReferences(*q.from, name)) return true;
  if (q.left && QueryReferences(*q.left, name)) return true;
  if (q.right && QueryReferences(*q.right, name)) return true;
  for (const auto& s : q.select_items) {
    if (s.expr && ExprReferences(*s.expr, name)) return true;
  }
  if (q.where && ExprReferences(*q.where, name)) return true;
  if (q.having && ExprReferences(*q.having, name)) return true;
  return false;
}

bool RelationReferences(const sql::Relation& r, const std::string& name) {
  if (r.kind == sql::RelationKind::kTable && r.name_parts.size() == 1 &&
      Same(r.name_parts[0], name)) {
    return true;
  }
  if (r.query && QueryReferences(*r.query, name)) return true;
  if (r.left && RelationReferences(*r.left, name)) return true;
  if (r.right && RelationReferences(*r.right, name)) return true;
  if (r.condition && ExprReferences(*r.condition, name)) return true;
  return false;
}

bool ExprReferences(const sql::Expr& e, const std::string& name) {
  if (e.subquery && QueryReferences(*e.subquery, name)) return true;
  for (const auto& c : e.children) {
    if (c && ExprReferences(*c, name)) return true;
  }
  return false;
}

// A relation over materialized rows.
Bound ValuesBound(const std::shared_ptr<arrow::Table>& table, const std::string& qualifier) {
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kValues;
  node->values = table;
  node->schema = table->schema();
  Bound b;
  b.plan = node;
  for (const auto& f : table->schema()->fields()) {
    ScopeColumn c;
    c.qualifier = qualifier;
    c.name = f->name();
    c.type = f->type();
    c.nullable = f->nullable();
    b.columns.push_back(c);
  }
  return b;
}

}  // namespace

Result<Bound> QueryAnalyzer::MaterializeRecursive(const sql::CommonTableExpression& cte,
                                                  int64_t row_cap) {
  const sql::Query& body = *cte.query;
  if (body.kind != sql::QueryKind::kSetOp || body.set_op != sql::SetOpKind::kUnion ||
      !body.left || !body.right || QueryReferences(*body.left, cte.name)) {
    return UserError("INVALID_RECURSIVE_CTE",
                     "Invalid recursive definition found. Recursive queries must contain an "
                     "UNION or an UNION ALL statement with 2 children. The first child needs to "
                     "be the anchor term without any recursive references." + PosText(cte.pos));
  }
  if (!body.set_all) {
    return UserError("UNION_NOT_SUPPORTED_IN_RECURSIVE_CTE",
                     "The UNION operator is not yet supported within recursive common table "
                     "expressions (WITH clauses that refer to themselves, directly or "
                     "indirectly). Please use UNION ALL instead." + PosText(cte.pos));
  }
  if (!options_.catalog) {
    return UserError("UNSUPPORTED_FEATURE.RECURSIVE_CTE",
                     "Recursive CTEs need a session to run in." + PosText(cte.pos));
  }
  const std::string key = Lower(cte.name);
  ASSIGN_OR_RAISE(auto anchor, AnalyzeQuery(*body.left));
  ASSIGN_OR_RAISE(anchor, Renamed(std::move(anchor), std::nullopt, cte.columns, cte.pos));
  // Every step's rows take the anchor's column names and types (nullable).
  arrow::FieldVector fields;
  for (const auto& c : anchor.columns) fields.push_back(arrow::field(c.name, c.type, true));
  auto schema = arrow::schema(fields);
  auto conform = [&](const std::shared_ptr<arrow::Table>& t) -> Result<std::shared_ptr<arrow::Table>> {
    return arrow::Table::Make(schema, t->columns(), t->num_rows());
  };
  ASSIGN_OR_RAISE(auto first, options_.catalog->RunPlan(anchor.plan));
  ASSIGN_OR_RAISE(first, conform(first));
  std::vector<std::shared_ptr<arrow::Table>> pieces{first};
  int64_t total = first->num_rows();
  auto delta = first;
  constexpr int kLevelLimit = 100;
  for (int level = 1; delta->num_rows() > 0 && (row_cap < 0 || total < row_cap); ++level) {
    if (level > kLevelLimit) {
      return UserError("RECURSION_LEVEL_LIMIT_EXCEEDED",
                       "Recursion level limit " + std::to_string(kLevelLimit) +
                           " reached but query has not exhausted, try increasing it like 'WITH "
                           "RECURSIVE t(col) MAX RECURSION LEVEL 200'." + PosText(cte.pos));
    }
    recursive_results_[key] = ValuesBound(delta, cte.name);
    auto step = AnalyzeQuery(*body.right);
    recursive_results_.erase(key);
    RETURN_NOT_OK(step.status());
    if (step->columns.size() != anchor.columns.size()) {
      return UserError("NUM_COLUMNS_MISMATCH",
                       "UNION can only be performed on inputs with the same number of columns, "
                       "but the recursive part of " + Quote(cte.name) + " has " +
                           std::to_string(step->columns.size()) + " columns and the anchor " +
                           std::to_string(anchor.columns.size()) + "." + PosText(cte.pos));
    }
    std::vector<ExprPtr> exprs;
    std::vector<std::string> names;
    for (size_t i = 0; i < step->columns.size(); ++i) {
      const auto& c = step->columns[i];
      auto col = plan::Column(static_cast<int>(i), c.type, c.name, c.nullable);
      exprs.push_back(c.type->Equals(*fields[i]->type()) ? col
                                                          : plan::CastTo(col, fields[i]->type()));
      names.push_back(fields[i]->name());
    }
    ASSIGN_OR_RAISE(auto next, options_.catalog->RunPlan(MakeProject(step->plan, exprs, names)));
    ASSIGN_OR_RAISE(next, conform(next));
    pieces.push_back(next);
    total += next->num_rows();
    delta = next;
  }
  ASSIGN_OR_RAISE(auto all, arrow::ConcatenateTables(pieces));
  ASSIGN_OR_RAISE(all, all->CombineChunks());
  return ValuesBound(all, cte.name);
}

Result<Bound> QueryAnalyzer::AnalyzeQuery(const sql::Query& q) {
  bool pushed = false;
  if (!q.ctes.empty()) {
    std::map<std::string, const sql::CommonTableExpression*> level;
    for (const auto& cte : q.ctes) {
      std::string key = Lower(cte.name);
      if (level.count(key)) {
        return UserError("DUPLICATED_CTE_NAMES",
                         "CTE definition can't have duplicate names: " + Quote(cte.name) + "." +
                             PosText(cte.pos));
      }
      level[key] = &cte;
    }
    ctes_.push_back(level);
    pushed = true;
  }
  std::vector<std::string> materialized;
  Status recursion = Status::OK();
  if (q.recursive) {
    // SELECT ... FROM r LIMIT n over a recursive CTE r needs only n rows of it.
    int64_t row_cap = -1;
    if (q.limit && !q.limit_all && q.order_by.empty() && q.kind == sql::QueryKind::kSelect &&
        q.from && q.from->kind == sql::RelationKind::kTable && !q.where && !q.group_by &&
        !q.having && !q.distinct && !q.offset) {
      auto n = ConstantInteger(*q.limit, options_.eval, "limit");
      if (n.ok()) row_cap = *n;
    }
    for (const auto& cte : q.ctes) {
      if (!QueryReferences(*cte.query, cte.name)) continue;
      int64_t cap = row_cap >= 0 && Same(q.from->name_parts.back(), cte.name) ? row_cap : -1;
      auto rows = MaterializeRecursive(cte, cap);
      if (!rows.ok()) {
        recursion = rows.status();
        break;
      }
      recursive_results_[Lower(cte.name)] = std::move(*rows);
      materialized.push_back(Lower(cte.name));
    }
  }
  Result<Bound> result = InternalError("query not analyzed");
  if (recursion.ok()) {
    auto body = AnalyzeBody(q);
    result = body.ok() ? ApplyOrderLimit(q, std::move(*body)) : body;
  } else {
    result = recursion;
  }
  for (const auto& name : materialized) recursive_results_.erase(name);
  if (pushed) ctes_.pop_back();
  return result;
}

Result<PlanPtr> QueryAnalyzer::AnalyzeSubquery(const sql::Query& q) {
  ASSIGN_OR_RAISE(auto bound, AnalyzeQuery(q));
  return WithoutCarried(std::move(bound), true).plan;
}

Result<plan::PlanPtr> AnalyzeQuery(const sql::Query& query, const AnalyzerOptions& options) {
  QueryAnalyzer analyzer(options);
  ASSIGN_OR_RAISE(auto bound, analyzer.AnalyzeQuery(query));
  // Hidden columns carried through `*` are not part of the result.
  return WithoutCarried(std::move(bound), true).plan;
}

Result<plan::ExprPtr> AnalyzeExpression(const sql::Expr& expr, const plan::PlanNode& input,
                                        const AnalyzerOptions& options) {
  QueryAnalyzer analyzer(options);
  auto columns = ColumnsOf(input, "");
  ExpressionBinder binder(&analyzer, &columns, &analyzer.outer_scopes);
  return binder.Bind(expr);
}

}  // namespace basin::analyzer
