#pragma once

// The translations of the individual Connect relation kinds (one function each), called by
// PlanTranslator::Query, and the syntax-tree builders they share. Internal to connect/.

#include <memory>
#include <string>
#include <vector>

#include <arrow/api.h>

#include "basin/base/status.h"
#include "basin/connect/translator.h"
#include "basin/plan/expression.h"
#include "basin/sql/ast.h"
#include "spark/connect/expressions.pb.h"
#include "spark/connect/relations.pb.h"

namespace basin::connect {

namespace proto = spark::connect;

// Syntax-tree builders.
sql::ExprPtr ColumnExpr(std::vector<std::string> name_parts, int64_t plan_id = -1);
sql::ExprPtr StarExpr();
sql::ExprPtr FunctionExpr(const std::string& name, std::vector<sql::ExprPtr> args);
sql::ExprPtr StringLiteralExpr(const std::string& value);
sql::ExprPtr IntegerLiteralExpr(int64_t value);
sql::ExprPtr BinaryExpr(sql::BinaryOp op, sql::ExprPtr left, sql::ExprPtr right);
sql::SelectItem Item(sql::ExprPtr expr, std::optional<std::string> alias = std::nullopt);
/// SELECT * FROM `from`.
sql::QueryPtr SelectAll(sql::RelationPtr from);
/// A FROM relation over `query` (no plan id).
sql::RelationPtr SubqueryRelation(sql::QueryPtr query);

/// The rows of `table` as a relation (registered in the session).
sql::QueryPtr ValuesQuery(std::shared_ptr<arrow::Table> table, PlanTranslator& t);
/// SELECT over `input` whose columns are renamed `__c0`, `__c1`, ... (PositionalColumn(i)), so
/// that columns of equal names are told apart; the select list is left empty.
Result<sql::QueryPtr> PositionalSelect(const proto::Relation& input, int columns,
                                       PlanTranslator& t);
sql::ExprPtr PositionalColumn(int i);

/// The Arrow value of a Connect literal, with Basin's type conventions.
Result<std::shared_ptr<arrow::Scalar>> LiteralScalar(const proto::Expression::Literal& literal);
/// Runs `query` and returns its rows.
Result<std::shared_ptr<arrow::Table>> RunQuery(PlanTranslator& translator, const sql::Query& query);
/// The value of a constant expression (a literal, or anything that folds, e.g. array(1, 2)).
Result<std::shared_ptr<arrow::Scalar>> ConstantScalar(PlanTranslator& translator,
                                                      const proto::Expression& expression);
/// An ORDER BY item: a SortOrder expression, or any expression sorted ascending.
Result<sql::SortItem> SortItemOf(const proto::Expression& expression, PlanTranslator& t);
Result<sql::SortItem> SortItemOf(const proto::Expression::SortOrder& order, PlanTranslator& t);
/// While alive, expressions are translated as expressions over the columns of `input` (withField
/// and dropFields need the type of the struct they change).
class ExpressionInput {
 public:
  explicit ExpressionInput(const proto::Relation& input);
  ~ExpressionInput();
  ExpressionInput(const ExpressionInput&) = delete;
  ExpressionInput& operator=(const ExpressionInput&) = delete;

 private:
  const proto::Relation* previous_;
};

/// While alive, the references of a WithRelations relation are visible: by plan id to subquery
/// expressions (df.scalar(), exists(), isin(df)), and by alias to the table names of spark.sql
/// text with DataFrame arguments.
class ReferenceScope {
 public:
  explicit ReferenceScope(const proto::WithRelations& with);
  ~ReferenceScope();
  ReferenceScope(const ReferenceScope&) = delete;
  ReferenceScope& operator=(const ReferenceScope&) = delete;

 private:
  const proto::WithRelations* previous_;
};
/// The reference with `plan_id` / the aliased reference `alias` in scope, or null.
const proto::Relation* ReferenceById(int64_t plan_id);
const proto::Relation* ReferenceByAlias(const std::string& alias);

/// Fails with UNSUPPORTED_FEATURE for the user-defined function kinds not run yet (grouped and
/// map pandas UDFs, UDTFs, Python data sources, Java/Scala UDFs).
Status PythonUdfUnsupported(const std::string& what);
/// Returns the Python function of `udf` (scalar eval types only; others fail naming the
/// feature), not yet bound to workers.
Result<plan::PythonUdf> PythonFunctionOf(const proto::CommonInlineUserDefinedFunction& udf);
/// Registers `udf` in the session under a name of its own (the same for the same function) and
/// returns a call of it over its arguments.
Result<sql::ExprPtr> PythonUdfCall(const proto::CommonInlineUserDefinedFunction& udf,
                                   PlanTranslator& t);

// Relations (relations.cc).
Result<sql::QueryPtr> ReadQuery(const proto::Read& read, PlanTranslator& t);
Result<sql::QueryPtr> ProjectQuery(const proto::Project& project, PlanTranslator& t);
Result<sql::QueryPtr> FilterQuery(const proto::Filter& filter, PlanTranslator& t);
Result<sql::QueryPtr> JoinQuery(const proto::Join& join, PlanTranslator& t);
Result<sql::QueryPtr> SetOperationQuery(const proto::SetOperation& op, PlanTranslator& t);
Result<sql::QueryPtr> SortQuery(const proto::Sort& sort, PlanTranslator& t);
Result<sql::QueryPtr> LimitQuery(const proto::Limit& limit, PlanTranslator& t);
Result<sql::QueryPtr> OffsetQuery(const proto::Offset& offset, PlanTranslator& t);
Result<sql::QueryPtr> TailQuery(const proto::Tail& tail, PlanTranslator& t);
Result<sql::QueryPtr> AggregateQuery(const proto::Aggregate& aggregate, PlanTranslator& t);
Result<sql::QueryPtr> SqlQuery(const proto::SQL& sql, PlanTranslator& t);
Result<sql::QueryPtr> LocalRelationQuery(const proto::LocalRelation& local, PlanTranslator& t);
Result<sql::QueryPtr> CachedLocalRelationQuery(const proto::CachedLocalRelation& cached,
                                               PlanTranslator& t);
Result<sql::QueryPtr> ChunkedCachedLocalRelationQuery(
    const proto::ChunkedCachedLocalRelation& cached, PlanTranslator& t);
Result<sql::QueryPtr> SampleQuery(const proto::Sample& sample, PlanTranslator& t);
Result<sql::QueryPtr> DeduplicateQuery(const proto::Deduplicate& dedup, PlanTranslator& t);
Result<sql::QueryPtr> RangeQuery(const proto::Range& range, PlanTranslator& t);
Result<sql::QueryPtr> ToDfQuery(const proto::ToDF& to_df, PlanTranslator& t);
Result<sql::QueryPtr> WithColumnsRenamedQuery(const proto::WithColumnsRenamed& renamed,
                                              PlanTranslator& t);
Result<sql::QueryPtr> WithColumnsQuery(const proto::WithColumns& with, PlanTranslator& t);
Result<sql::QueryPtr> DropQuery(const proto::Drop& drop, PlanTranslator& t);
Result<sql::QueryPtr> UnpivotQuery(const proto::Unpivot& unpivot, PlanTranslator& t);
Result<sql::QueryPtr> ToSchemaQuery(const proto::ToSchema& to_schema, PlanTranslator& t);
Result<sql::QueryPtr> WithRelationsQuery(const proto::WithRelations& with, PlanTranslator& t);
Result<sql::QueryPtr> TransposeQuery(const proto::Transpose& transpose, PlanTranslator& t);
Result<sql::QueryPtr> TableFunctionQuery(const proto::UnresolvedTableValuedFunction& function,
                                         PlanTranslator& t);

// show() and _repr_html_ (show_string.cc).
Result<sql::QueryPtr> ShowStringQuery(const proto::ShowString& show, PlanTranslator& t);
Result<sql::QueryPtr> HtmlStringQuery(const proto::HtmlString& html, PlanTranslator& t);

// fillna, dropna, replace (na_functions.cc).
Result<sql::QueryPtr> FillNaQuery(const proto::NAFill& fill, PlanTranslator& t);
Result<sql::QueryPtr> DropNaQuery(const proto::NADrop& drop, PlanTranslator& t);
Result<sql::QueryPtr> ReplaceQuery(const proto::NAReplace& replace, PlanTranslator& t);

// describe, summary, corr, cov, crosstab, approxQuantile, freqItems (statistics.cc).
Result<sql::QueryPtr> SummaryQuery(const proto::StatSummary& summary, PlanTranslator& t);
Result<sql::QueryPtr> DescribeQuery(const proto::StatDescribe& describe, PlanTranslator& t);
Result<sql::QueryPtr> CrosstabQuery(const proto::StatCrosstab& crosstab, PlanTranslator& t);
Result<sql::QueryPtr> CovQuery(const proto::StatCov& cov, PlanTranslator& t);
Result<sql::QueryPtr> CorrQuery(const proto::StatCorr& corr, PlanTranslator& t);
Result<sql::QueryPtr> ApproxQuantileQuery(const proto::StatApproxQuantile& quantile,
                                          PlanTranslator& t);
Result<sql::QueryPtr> FreqItemsQuery(const proto::StatFreqItems& freq, PlanTranslator& t);
Result<sql::QueryPtr> SampleByQuery(const proto::StatSampleBy& sample_by, PlanTranslator& t);

}  // namespace basin::connect
