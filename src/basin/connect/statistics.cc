// DataFrame.describe / summary and DataFrame.stat: corr, cov, crosstab, approxQuantile,
// freqItems, computed with the engine's aggregates as Spark's StatFunctions compute them.

#include <random>
#include <sstream>

#include "basin/connect/relation_queries.h"
#include "basin/function/cast.h"

namespace basin::connect {

namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsNumeric(const arrow::DataType& type) {
  return arrow::is_integer(type.id()) || arrow::is_floating(type.id()) ||
         arrow::is_decimal(type.id());
}

bool IsString(const arrow::DataType& type) { return type.id() == arrow::Type::STRING; }

sql::ExprPtr Call(const std::string& name, sql::ExprPtr a, sql::ExprPtr b = nullptr) {
  std::vector<sql::ExprPtr> args;
  args.push_back(std::move(a));
  if (b) args.push_back(std::move(b));
  return FunctionExpr(name, std::move(args));
}

sql::ExprPtr CastExpr(sql::ExprPtr e, sql::TypeKind kind, bool try_cast = false) {
  auto c = std::make_unique<sql::Expr>();
  c->kind = sql::ExprKind::kCast;
  c->try_cast = try_cast;
  c->type = std::make_unique<sql::DataTypeSyntax>();
  c->type->kind = kind;
  c->children.push_back(std::move(e));
  return c;
}

sql::ExprPtr DoubleLiteral(PlanTranslator& t, double v) {
  return t.Literal(std::make_shared<arrow::DoubleScalar>(v));
}

// The aggregate computing statistic `stat` of column `i` (of `type`), or null when the
// statistic does not apply (percentiles of strings).
Result<sql::ExprPtr> StatisticExpr(const std::string& stat, int i, const arrow::DataType& type,
                                   PlanTranslator& t) {
  auto column = [&] { return PositionalColumn(i); };
  auto as_double = [&] {
    return IsNumeric(type) ? column() : CastExpr(column(), sql::TypeKind::kDouble, true);
  };
  std::string s = Lower(stat);
  if (s == "count") return Call("count", column());
  if (s == "mean") return Call("avg", as_double());
  if (s == "stddev") return Call("stddev", as_double());
  if (s == "min") return Call("min", column());
  if (s == "max") return Call("max", column());
  if (s == "count_distinct") {
    auto e = Call("count", column());
    e->distinct = true;
    return e;
  }
  if (s == "approx_count_distinct") return Call("approx_count_distinct", column());
  if (!s.empty() && s.back() == '%') {
    double p = 0;
    try {
      p = std::stod(s.substr(0, s.size() - 1)) / 100.0;
    } catch (...) {
      p = -1;
    }
    if (p < 0 || p > 1) {
      return UserError("ILLEGAL_ARGUMENT" /* Spark: summary statistic */,
                       "Unable to parse " + stat + " as a percentile");
    }
    if (!IsNumeric(type)) return sql::ExprPtr();
    return Call("percentile_approx", column(), DoubleLiteral(t, p));
  }
  return UserError("ILLEGAL_ARGUMENT" /* Spark: summary statistic */,
                   stat + " is not a recognised statistic");
}

// describe / summary: one row per statistic, one string column per input column.
Result<sql::QueryPtr> StatisticsTable(const proto::Relation& input,
                                      const std::vector<std::string>& cols,
                                      const std::vector<std::string>& stats, PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto schema, t.Schema(input));
  std::vector<int> columns;
  if (cols.empty()) {
    for (int i = 0; i < schema->num_fields(); ++i) {
      const auto& type = *schema->field(i)->type();
      if (IsNumeric(type) || IsString(type)) columns.push_back(i);
    }
  } else {
    for (const auto& name : cols) {
      int found = -1;
      for (int i = 0; i < schema->num_fields() && found < 0; ++i) {
        if (Lower(schema->field(i)->name()) == Lower(name)) found = i;
      }
      if (found < 0) {
        return UserError("UNRESOLVED_COLUMN.WITH_SUGGESTION",
                         "A column, variable, or function parameter with name `" + name +
                             "` cannot be resolved.");
      }
      columns.push_back(found);
    }
  }
  ASSIGN_OR_RAISE(auto q, PositionalSelect(input, schema->num_fields(), t));
  std::vector<std::vector<int>> position(stats.size(), std::vector<int>(columns.size(), -1));
  int next = 0;
  for (size_t s = 0; s < stats.size(); ++s) {
    for (size_t c = 0; c < columns.size(); ++c) {
      ASSIGN_OR_RAISE(auto e, StatisticExpr(stats[s], columns[c], *schema->field(columns[c])->type(), t));
      if (!e) continue;
      q->select_items.push_back(Item(std::move(e), "__s" + std::to_string(next)));
      position[s][c] = next++;
    }
  }
  std::shared_ptr<arrow::Table> values;
  if (next == 0) {
    q->select_items.push_back(Item(IntegerLiteralExpr(0)));
  }
  ASSIGN_OR_RAISE(values, RunQuery(t, *q));
  function::EvalContext context;
  arrow::FieldVector fields = {arrow::field("summary", arrow::utf8())};
  std::vector<arrow::StringBuilder> builders(columns.size() + 1);
  for (int c : columns) fields.push_back(arrow::field(schema->field(c)->name(), arrow::utf8()));
  for (size_t s = 0; s < stats.size(); ++s) {
    RETURN_NOT_OK(builders[0].Append(stats[s]));
    for (size_t c = 0; c < columns.size(); ++c) {
      int p = position[s][c];
      if (p < 0 || values->num_rows() == 0) {
        RETURN_NOT_OK(builders[c + 1].AppendNull());
        continue;
      }
      auto chunk = values->column(p)->chunk(0);
      if (chunk->IsNull(0)) {
        RETURN_NOT_OK(builders[c + 1].AppendNull());
        continue;
      }
      ASSIGN_OR_RAISE(auto text, function::ValueToString(*chunk, 0, context));
      RETURN_NOT_OK(builders[c + 1].Append(text));
    }
  }
  arrow::ArrayVector arrays;
  for (auto& b : builders) {
    ASSIGN_OR_RAISE(auto a, b.Finish());
    arrays.push_back(a);
  }
  return ValuesQuery(arrow::Table::Make(arrow::schema(fields), arrays), t);
}

// A one-row aggregate over the input's columns `a` and `b` as doubles.
Result<sql::QueryPtr> PairAggregate(const proto::Relation& input, const std::string& function,
                                    const std::string& a, const std::string& b,
                                    PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto from, t.FromRelation(input));
  auto q = std::make_unique<sql::Query>();
  q->from = std::move(from);
  q->select_items.push_back(
      Item(Call(function, CastExpr(ColumnExpr({a}), sql::TypeKind::kDouble),
                CastExpr(ColumnExpr({b}), sql::TypeKind::kDouble)),
           function + "(" + a + ", " + b + ")"));
  return q;
}

}  // namespace

Result<sql::QueryPtr> SummaryQuery(const proto::StatSummary& summary, PlanTranslator& t) {
  std::vector<std::string> stats(summary.statistics().begin(), summary.statistics().end());
  if (stats.empty()) stats = {"count", "mean", "stddev", "min", "25%", "50%", "75%", "max"};
  return StatisticsTable(summary.input(), {}, stats, t);
}

Result<sql::QueryPtr> DescribeQuery(const proto::StatDescribe& describe, PlanTranslator& t) {
  std::vector<std::string> cols(describe.cols().begin(), describe.cols().end());
  return StatisticsTable(describe.input(), cols, {"count", "mean", "stddev", "min", "max"}, t);
}

Result<sql::QueryPtr> CrosstabQuery(const proto::StatCrosstab& crosstab, PlanTranslator& t) {
  // Spark 4: groupBy(col1 as string).pivot(col2 as string).count().na.fill(0), the first
  // column named col1_col2 and nulls shown as "null".
  auto as_text = [](const std::string& name) {
    proto::Expression when;
    auto* f = when.mutable_unresolved_function();
    f->set_function_name("when");
    proto::Expression is_null;
    is_null.mutable_unresolved_function()->set_function_name("isNull");
    is_null.mutable_unresolved_function()->add_arguments()->mutable_unresolved_attribute()->set_unparsed_identifier(name);
    *f->add_arguments() = is_null;
    f->add_arguments()->mutable_literal()->set_string("null");
    auto* cast = f->add_arguments()->mutable_cast();
    cast->mutable_expr()->mutable_unresolved_attribute()->set_unparsed_identifier(name);
    cast->mutable_type()->mutable_string();
    return when;
  };
  proto::Relation pivot;
  auto* agg = pivot.mutable_aggregate();
  *agg->mutable_input() = crosstab.input();
  agg->set_group_type(proto::Aggregate::GROUP_TYPE_PIVOT);
  auto* key = agg->add_grouping_expressions()->mutable_alias();
  *key->mutable_expr() = as_text(crosstab.col1());
  key->add_name(crosstab.col1() + "_" + crosstab.col2());
  *agg->mutable_pivot()->mutable_col() = as_text(crosstab.col2());
  auto* count = agg->add_aggregate_expressions()->mutable_unresolved_function();
  count->set_function_name("count");
  count->add_arguments()->mutable_literal()->set_integer(1);
  proto::Relation filled;
  *filled.mutable_fill_na()->mutable_input() = pivot;
  filled.mutable_fill_na()->add_values()->set_long_(0);
  return t.Query(filled);
}

Result<sql::QueryPtr> CovQuery(const proto::StatCov& cov, PlanTranslator& t) {
  return PairAggregate(cov.input(), "covar_samp", cov.col1(), cov.col2(), t);
}

Result<sql::QueryPtr> CorrQuery(const proto::StatCorr& corr, PlanTranslator& t) {
  if (corr.has_method() && Lower(corr.method()) != "pearson") {
    return UserError("UNSUPPORTED_FEATURE",
                     "Currently only the calculation of the Pearson Correlation coefficient is "
                     "supported.");
  }
  return PairAggregate(corr.input(), "corr", corr.col1(), corr.col2(), t);
}

Result<sql::QueryPtr> ApproxQuantileQuery(const proto::StatApproxQuantile& quantile,
                                          PlanTranslator& t) {
  // One row, one column: per input column the array of its quantiles (as doubles).
  ASSIGN_OR_RAISE(auto from, t.FromRelation(quantile.input()));
  auto q = std::make_unique<sql::Query>();
  q->from = std::move(from);
  std::vector<sql::ExprPtr> per_column;
  for (const auto& col : quantile.cols()) {
    std::vector<sql::ExprPtr> values;
    for (double p : quantile.probabilities()) {
      if (p < 0 || p > 1) {
        return UserError("INVALID_PARAMETER_VALUE", "percentile should be in the range [0.0, 1.0]");
      }
      values.push_back(Call("percentile_approx",
                            CastExpr(ColumnExpr({col}), sql::TypeKind::kDouble),
                            DoubleLiteral(t, p)));
    }
    per_column.push_back(FunctionExpr("array", std::move(values)));
  }
  q->select_items.push_back(Item(FunctionExpr("array", std::move(per_column)), "approx_quantile"));
  return q;
}

Result<sql::QueryPtr> FreqItemsQuery(const proto::StatFreqItems& freq, PlanTranslator& t) {
  // The items of each column seen in more than support * rows rows (exact counts; Spark's
  // one-pass sketch may add false positives).
  double support = freq.has_support() ? freq.support() : 0.01;
  if (support < 1e-4 || support > 1) {
    return UserError("INVALID_PARAMETER_VALUE",
                     "Support must be in [1e-4, 1], but got " + std::to_string(support) + ".");
  }
  ASSIGN_OR_RAISE(auto count_from, t.FromRelation(freq.input()));
  auto count = std::make_unique<sql::Query>();
  count->from = std::move(count_from);
  count->select_items.push_back(Item(Call("count", IntegerLiteralExpr(1))));
  ASSIGN_OR_RAISE(auto counted, RunQuery(t, *count));
  ASSIGN_OR_RAISE(auto total_scalar, counted->column(0)->GetScalar(0));
  double threshold = support * static_cast<double>(
                                   std::static_pointer_cast<arrow::Int64Scalar>(total_scalar)->value);
  auto q = std::make_unique<sql::Query>();
  for (const auto& col : freq.cols()) {
    // (SELECT collect_list(c) FROM (SELECT c, count(1) AS n FROM input GROUP BY c) WHERE n > x)
    ASSIGN_OR_RAISE(auto from, t.FromRelation(freq.input()));
    auto grouped = std::make_unique<sql::Query>();
    grouped->from = std::move(from);
    grouped->select_items.push_back(Item(ColumnExpr({col}), "__item"));
    grouped->select_items.push_back(Item(Call("count", IntegerLiteralExpr(1)), "__n"));
    grouped->group_by.emplace();
    sql::GroupingItem g;
    g.expr = ColumnExpr({col});
    grouped->group_by->items.push_back(std::move(g));
    auto items = std::make_unique<sql::Query>();
    items->from = SubqueryRelation(std::move(grouped));
    items->where = BinaryExpr(sql::BinaryOp::kGt, ColumnExpr({"__n"}), DoubleLiteral(t, threshold));
    items->select_items.push_back(Item(Call("collect_list", ColumnExpr({"__item"}))));
    auto scalar = std::make_unique<sql::Expr>();
    scalar->kind = sql::ExprKind::kScalarSubquery;
    scalar->subquery = std::move(items);
    q->select_items.push_back(Item(std::move(scalar), col + "_freqItems"));
  }
  return q;
}

// df.sampleBy(col, fractions, seed): a stratified Bernoulli sample; each row is kept when
// rand(seed) falls below its stratum's fraction (0 for strata not listed, and for null).
Result<sql::QueryPtr> SampleByQuery(const proto::StatSampleBy& sample_by, PlanTranslator& t) {
  std::string listed;
  bool valid = true;
  for (const auto& f : sample_by.fractions()) {
    valid &= f.fraction() >= 0.0 && f.fraction() <= 1.0;
    ASSIGN_OR_RAISE(auto stratum, LiteralScalar(f.stratum()));
    std::ostringstream fraction;
    fraction << f.fraction();
    listed += (listed.empty() ? "" : ", ") + stratum->ToString() + " -> " + fraction.str();
  }
  if (!valid) {
    return UserError("INVALID_PARAMETER_VALUE",
                     "requirement failed: Fractions must be in [0, 1], but got Map(" + listed +
                         ").");
  }
  ExpressionInput scope(sample_by.input());
  ASSIGN_OR_RAISE(auto from, t.FromRelation(sample_by.input()));
  auto q = SelectAll(std::move(from));
  if (sample_by.fractions_size() == 0) {
    q->where = t.Literal(std::make_shared<arrow::BooleanScalar>(false));
    return q;
  }
  // rand(seed) < CASE WHEN col = s1 THEN f1 WHEN col = s2 THEN f2 ... ELSE 0.0 END
  auto fraction = std::make_unique<sql::Expr>();
  fraction->kind = sql::ExprKind::kCase;
  fraction->has_else = true;
  for (const auto& f : sample_by.fractions()) {
    ASSIGN_OR_RAISE(auto column, t.Expression(sample_by.col()));
    ASSIGN_OR_RAISE(auto stratum, LiteralScalar(f.stratum()));
    fraction->children.push_back(
        BinaryExpr(sql::BinaryOp::kEq, std::move(column), t.Literal(std::move(stratum))));
    fraction->children.push_back(DoubleLiteral(t, f.fraction()));
  }
  fraction->children.push_back(DoubleLiteral(t, 0.0));
  int64_t seed = sample_by.has_seed() ? sample_by.seed()
                                      : static_cast<int64_t>(std::random_device{}());
  std::vector<sql::ExprPtr> args;
  args.push_back(IntegerLiteralExpr(seed));
  q->where = BinaryExpr(sql::BinaryOp::kLt, FunctionExpr("rand", std::move(args)),
                        std::move(fraction));
  return q;
}

}  // namespace basin::connect
