// DataFrame.na: fillna, dropna and replace over the input's columns, with Spark's rules for
// which columns a value applies to (numbers to numeric columns, strings to string columns,
// booleans to boolean columns; NaN counts as missing in float and double columns).

#include "basin/connect/relation_queries.h"

namespace basin::connect {

namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

enum class Category { kNumeric, kString, kBoolean, kOther };

Category CategoryOf(const arrow::DataType& type) {
  if (arrow::is_integer(type.id()) || arrow::is_floating(type.id()) ||
      arrow::is_decimal(type.id())) {
    return Category::kNumeric;
  }
  if (type.id() == arrow::Type::STRING || type.id() == arrow::Type::LARGE_STRING) {
    return Category::kString;
  }
  if (type.id() == arrow::Type::BOOL) return Category::kBoolean;
  return Category::kOther;
}

bool IsFloating(const arrow::DataType& type) { return arrow::is_floating(type.id()); }

// The input columns the NA function applies to: `cols` by name, or every column.
Result<std::vector<int>> TargetColumns(const arrow::Schema& schema,
                                       const google::protobuf::RepeatedPtrField<std::string>& cols) {
  std::vector<int> out;
  if (cols.empty()) {
    for (int i = 0; i < schema.num_fields(); ++i) out.push_back(i);
    return out;
  }
  for (const auto& name : cols) {
    bool found = false;
    for (int i = 0; i < schema.num_fields(); ++i) {
      if (Lower(schema.field(i)->name()) == Lower(name)) {
        out.push_back(i);
        found = true;
      }
    }
    if (!found) {
      return UserError("UNRESOLVED_COLUMN.WITH_SUGGESTION",
                       "A column, variable, or function parameter with name `" + name +
                           "` cannot be resolved.");
    }
  }
  return out;
}

// `column` is missing: null, or NaN for floating columns.
sql::ExprPtr Missing(int column, const arrow::DataType& type) {
  auto is_null = std::make_unique<sql::Expr>();
  is_null->kind = sql::ExprKind::kIsNull;
  is_null->children.push_back(PositionalColumn(column));
  if (!IsFloating(type)) return is_null;
  std::vector<sql::ExprPtr> args;
  args.push_back(PositionalColumn(column));
  return BinaryExpr(sql::BinaryOp::kOr, std::move(is_null), FunctionExpr("isnan", std::move(args)));
}

sql::ExprPtr CaseWhen(sql::ExprPtr condition, sql::ExprPtr then, sql::ExprPtr otherwise) {
  auto e = std::make_unique<sql::Expr>();
  e->kind = sql::ExprKind::kCase;
  e->has_else = true;
  e->children.push_back(std::move(condition));
  e->children.push_back(std::move(then));
  e->children.push_back(std::move(otherwise));
  return e;
}

// `value` converted to a column's type, or null when it does not apply to that column.
std::shared_ptr<arrow::Scalar> ValueFor(const std::shared_ptr<arrow::Scalar>& value,
                                        const std::shared_ptr<arrow::DataType>& type) {
  Category column = CategoryOf(*type);
  if (!value->is_valid) return arrow::MakeNullScalar(type);
  if (column == Category::kOther || column != CategoryOf(*value->type)) return nullptr;
  if (value->type->Equals(*type)) return value;
  auto cast = value->CastTo(type);
  return cast.ok() ? *cast : nullptr;
}

}  // namespace

Result<sql::QueryPtr> FillNaQuery(const proto::NAFill& fill, PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto schema, t.Schema(fill.input()));
  if (fill.values_size() == 0) return UserError("INVALID_PLAN_INPUT", "fillna needs a value.");
  if (fill.values_size() > 1 && fill.values_size() != fill.cols_size()) {
    return UserError("INVALID_PLAN_INPUT", "fillna needs one value per column.");
  }
  std::vector<std::shared_ptr<arrow::Scalar>> values;
  for (const auto& v : fill.values()) {
    ASSIGN_OR_RAISE(auto s, LiteralScalar(v));
    values.push_back(s);
  }
  std::vector<std::shared_ptr<arrow::Scalar>> per_column(schema->num_fields());
  if (values.size() == 1) {
    ASSIGN_OR_RAISE(auto targets, TargetColumns(*schema, fill.cols()));
    for (int i : targets) per_column[i] = values[0];
  } else {
    for (int k = 0; k < fill.cols_size(); ++k) {
      google::protobuf::RepeatedPtrField<std::string> one;
      *one.Add() = fill.cols(k);
      ASSIGN_OR_RAISE(auto targets, TargetColumns(*schema, one));
      for (int i : targets) per_column[i] = values[k];
    }
  }
  ASSIGN_OR_RAISE(auto q, PositionalSelect(fill.input(), schema->num_fields(), t));
  for (int i = 0; i < schema->num_fields(); ++i) {
    const auto& field = schema->field(i);
    std::shared_ptr<arrow::Scalar> value;
    if (per_column[i]) value = ValueFor(per_column[i], field->type());
    if (!value || !per_column[i]->is_valid) {
      q->select_items.push_back(Item(PositionalColumn(i), field->name()));
      continue;
    }
    q->select_items.push_back(Item(
        CaseWhen(Missing(i, *field->type()), t.Literal(value), PositionalColumn(i)), field->name()));
  }
  return q;
}

Result<sql::QueryPtr> DropNaQuery(const proto::NADrop& drop, PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto schema, t.Schema(drop.input()));
  ASSIGN_OR_RAISE(auto targets, TargetColumns(*schema, drop.cols()));
  ASSIGN_OR_RAISE(auto q, PositionalSelect(drop.input(), schema->num_fields(), t));
  for (int i = 0; i < schema->num_fields(); ++i) {
    q->select_items.push_back(Item(PositionalColumn(i), schema->field(i)->name()));
  }
  // Rows with at least `min_non_nulls` present values (all of them when absent).
  int64_t needed = drop.has_min_non_nulls() ? drop.min_non_nulls()
                                            : static_cast<int64_t>(targets.size());
  if (needed <= 0 || targets.empty()) return q;
  sql::ExprPtr present_count;
  for (int i : targets) {
    auto one = CaseWhen(Missing(i, *schema->field(i)->type()), IntegerLiteralExpr(0),
                        IntegerLiteralExpr(1));
    present_count = present_count
                        ? BinaryExpr(sql::BinaryOp::kAdd, std::move(present_count), std::move(one))
                        : std::move(one);
  }
  q->where = BinaryExpr(sql::BinaryOp::kGtEq, std::move(present_count), IntegerLiteralExpr(needed));
  return q;
}

Result<sql::QueryPtr> ReplaceQuery(const proto::NAReplace& replace, PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto schema, t.Schema(replace.input()));
  ASSIGN_OR_RAISE(auto targets, TargetColumns(*schema, replace.cols()));
  std::vector<std::pair<std::shared_ptr<arrow::Scalar>, std::shared_ptr<arrow::Scalar>>> pairs;
  for (const auto& r : replace.replacements()) {
    ASSIGN_OR_RAISE(auto from, LiteralScalar(r.old_value()));
    ASSIGN_OR_RAISE(auto to, LiteralScalar(r.new_value()));
    pairs.emplace_back(from, to);
  }
  std::vector<bool> target(schema->num_fields(), false);
  for (int i : targets) target[i] = true;
  ASSIGN_OR_RAISE(auto q, PositionalSelect(replace.input(), schema->num_fields(), t));
  for (int i = 0; i < schema->num_fields(); ++i) {
    const auto& field = schema->field(i);
    auto e = std::make_unique<sql::Expr>();
    e->kind = sql::ExprKind::kCase;
    for (const auto& [from, to] : pairs) {
      if (!target[i]) break;
      // A pair applies when its old value fits the column (a null old value matches nulls).
      auto old_value = from->is_valid ? ValueFor(from, field->type()) : nullptr;
      if (from->is_valid && !old_value) continue;
      std::shared_ptr<arrow::Scalar> new_value = ValueFor(to, field->type());
      if (!new_value) continue;
      sql::ExprPtr condition;
      if (!from->is_valid) {
        condition = std::make_unique<sql::Expr>();
        condition->kind = sql::ExprKind::kIsNull;
        condition->children.push_back(PositionalColumn(i));
      } else {
        condition = BinaryExpr(sql::BinaryOp::kEq, PositionalColumn(i), t.Literal(old_value));
      }
      e->children.push_back(std::move(condition));
      e->children.push_back(t.Literal(new_value));
    }
    if (e->children.empty()) {
      q->select_items.push_back(Item(PositionalColumn(i), field->name()));
      continue;
    }
    e->has_else = true;
    e->children.push_back(PositionalColumn(i));
    q->select_items.push_back(Item(std::move(e), field->name()));
  }
  return q;
}

}  // namespace basin::connect
