#include "basin/connect/translator.h"

#include <atomic>

#include "basin/base/uuid.h"

#include "basin/connect/catalog_relation.h"
#include "basin/connect/delta_connect.h"
#include "basin/connect/relation_queries.h"

namespace basin::connect {

namespace {

// Names of registered relations and literal parameters are unique in the process: several
// translators may share a session (a temporary view re-plans with a translator of its own).
std::atomic<int64_t> next_unique_name{0};

std::string UniqueName(const char* prefix) {
  return prefix + std::to_string(next_unique_name.fetch_add(1));
}

// A relation passing its input's rows through keeps its input's alias (df.alias("a").filter(...)
// still answers to a.col), as Spark's Filter, Sort, Limit... keep their child's qualifiers.
std::optional<std::string> InheritedAlias(const proto::Relation& r) {
  switch (r.rel_type_case()) {
    case proto::Relation::kSubqueryAlias: return r.subquery_alias().alias();
    case proto::Relation::kFilter: return InheritedAlias(r.filter().input());
    case proto::Relation::kSort: return InheritedAlias(r.sort().input());
    case proto::Relation::kLimit: return InheritedAlias(r.limit().input());
    case proto::Relation::kOffset: return InheritedAlias(r.offset().input());
    case proto::Relation::kTail: return InheritedAlias(r.tail().input());
    case proto::Relation::kSample: return InheritedAlias(r.sample().input());
    case proto::Relation::kHint: return InheritedAlias(r.hint().input());
    case proto::Relation::kRepartition: return InheritedAlias(r.repartition().input());
    case proto::Relation::kRepartitionByExpression:
      return InheritedAlias(r.repartition_by_expression().input());
    case proto::Relation::kDeduplicate: return InheritedAlias(r.deduplicate().input());
    case proto::Relation::kWithColumns: return InheritedAlias(r.with_columns().input());
    case proto::Relation::kDrop: return InheritedAlias(r.drop().input());
    case proto::Relation::kWithWatermark: return InheritedAlias(r.with_watermark().input());
    default: return std::nullopt;
  }
}

bool IsBroadcastHint(const proto::Relation& r) {
  if (r.rel_type_case() != proto::Relation::kHint) return false;
  std::string name = r.hint().name();
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name == "broadcast" || name == "broadcastjoin" || name == "mapjoin";
}

bool IsSelectAllFromTable(const sql::Query& q) {
  return q.kind == sql::QueryKind::kSelect && q.ctes.empty() && !q.distinct && q.hints.empty() &&
         q.select_items.size() == 1 && q.select_items[0].expr->kind == sql::ExprKind::kStar &&
         q.select_items[0].expr->name_parts.empty() && q.select_items[0].expr->plan_id < 0 &&
         q.from &&
         (q.from->kind == sql::RelationKind::kTable || q.from->kind == sql::RelationKind::kJoin) &&
         !q.from->alias && !q.from->sample &&
         !q.where && !q.group_by && !q.having && !q.qualify && q.order_by.empty() &&
         q.sort_by.empty() && q.cluster_by.empty() && q.distribute_by.empty() && !q.limit &&
         !q.offset;
}

// Relations that keep their input as it is on one machine (partitioning, hints, watermarks).
Result<sql::QueryPtr> PassThrough(const proto::Relation& input, PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto from, t.FromRelation(input));
  return SelectAll(std::move(from));
}

// A checkpointed DataFrame: the rows kept when it was checkpointed.
Result<sql::QueryPtr> CachedRemoteRelationQuery(const proto::CachedRemoteRelation& cached,
                                                PlanTranslator& t) {
  const auto& remote = t.context().remote_relations;
  auto rows = remote ? remote->Find(cached.relation_id()) : nullptr;
  if (!rows) {
    return UserError("INVALID_PLAN_INPUT", "No DataFrame with id " + cached.relation_id() +
                                               " is found in the session.");
  }
  auto node = std::make_shared<plan::PlanNode>();
  node->kind = plan::PlanKind::kValues;
  node->values = rows;
  node->schema = rows->schema();
  return SelectAll(t.RegisterPlan(std::move(node)));
}

// With spark.sql.crossJoin.enabled=false, a join other than an explicit CROSS JOIN whose
// condition is missing (or is just TRUE) is an implicit cartesian product, which Spark refuses
// when it optimizes the query (so analyzing it, e.g. for df.schema, still works).
Status CheckCartesianProducts(const plan::PlanNode& node) {
  if (node.kind == plan::PlanKind::kJoin && node.children.size() == 2) {
    const char* type = nullptr;
    switch (node.join_type) {
      case plan::JoinType::kInner: type = "INNER"; break;
      case plan::JoinType::kLeft: type = "LEFT OUTER"; break;
      case plan::JoinType::kRight: type = "RIGHT OUTER"; break;
      case plan::JoinType::kFull: type = "FULL OUTER"; break;
      default: break;
    }
    const auto& c = node.condition;
    bool trivial = !c || (c->kind == plan::ExprKind::kLiteral && c->literal &&
                          c->literal->is_valid &&
                          c->literal->type->id() == arrow::Type::BOOL &&
                          static_cast<const arrow::BooleanScalar&>(*c->literal).value);
    if (type && trivial) {
      auto text = [](const plan::PlanNode& p) {
        std::string s = plan::ToString(p);
        while (!s.empty() && s.back() == '\n') s.pop_back();
        return s;
      };
      return UserError("_LEGACY_ERROR_TEMP_1211",
                       std::string("Detected implicit cartesian product for ") + type +
                           " join between logical plans\n" + text(*node.children[0]) +
                           "\nand\n" + text(*node.children[1]) +
                           "\nJoin condition is missing or trivial.\nEither: use the CROSS JOIN "
                           "syntax to allow cartesian products between these relations, or: "
                           "enable implicit cartesian products by setting the configuration "
                           "variable spark.sql.crossJoin.enabled=true.");
    }
  }
  for (const auto& child : node.children) {
    if (child) RETURN_NOT_OK(CheckCartesianProducts(*child));
  }
  return Status::OK();
}

}  // namespace

void CachedTableNames::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  keys_.insert(key);
}

void CachedTableNames::Remove(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  keys_.erase(key);
}

void CachedTableNames::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  keys_.clear();
}

bool CachedTableNames::Contains(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return keys_.count(key) > 0;
}

std::string RemoteRelations::Add(std::shared_ptr<arrow::Table> rows) {
  std::string id = NewUuid();
  std::lock_guard<std::mutex> lock(mutex_);
  rows_[id] = std::move(rows);
  return id;
}

std::shared_ptr<arrow::Table> RemoteRelations::Find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = rows_.find(id);
  return it == rows_.end() ? nullptr : it->second;
}

void RemoteRelations::Remove(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  rows_.erase(id);
}

PlanTranslator::PlanTranslator(TranslationContext context) : context_(std::move(context)) {}

PlanTranslator::~PlanTranslator() {
  for (const auto& name : registered_) context_.session->RemoveStatementRelation(name);
}

Result<sql::QueryPtr> PlanTranslator::Query(const proto::Relation& r) {
  if (context_.persisted) {
    ASSIGN_OR_RAISE(auto persisted, context_.persisted(r));
    if (persisted) return SelectAll(RegisterPlan(*persisted));
  }
  using R = proto::Relation;
  switch (r.rel_type_case()) {
    case R::kRead: return ReadQuery(r.read(), *this);
    case R::kProject: return ProjectQuery(r.project(), *this);
    case R::kFilter: return FilterQuery(r.filter(), *this);
    case R::kJoin: return JoinQuery(r.join(), *this);
    case R::kSetOp: return SetOperationQuery(r.set_op(), *this);
    case R::kSort: return SortQuery(r.sort(), *this);
    case R::kLimit: return LimitQuery(r.limit(), *this);
    case R::kOffset: return OffsetQuery(r.offset(), *this);
    case R::kTail: return TailQuery(r.tail(), *this);
    case R::kAggregate: return AggregateQuery(r.aggregate(), *this);
    case R::kSql: return SqlQuery(r.sql(), *this);
    case R::kLocalRelation: return LocalRelationQuery(r.local_relation(), *this);
    case R::kCachedLocalRelation:
      return CachedLocalRelationQuery(r.cached_local_relation(), *this);
    case R::kChunkedCachedLocalRelation:
      return ChunkedCachedLocalRelationQuery(r.chunked_cached_local_relation(), *this);
    case R::kSample: return SampleQuery(r.sample(), *this);
    case R::kCachedRemoteRelation:
      return CachedRemoteRelationQuery(r.cached_remote_relation(), *this);
    case R::kDeduplicate: return DeduplicateQuery(r.deduplicate(), *this);
    case R::kRange: return RangeQuery(r.range(), *this);
    case R::kSubqueryAlias: {
      // The alias itself is put on the FROM relation by FromRelation.
      ASSIGN_OR_RAISE(auto from, FromRelation(r));
      return SelectAll(std::move(from));
    }
    case R::kRepartition: return PassThrough(r.repartition().input(), *this);
    case R::kRepartitionByExpression:
      return PassThrough(r.repartition_by_expression().input(), *this);
    case R::kHint: return PassThrough(r.hint().input(), *this);
    case R::kWithWatermark: return PassThrough(r.with_watermark().input(), *this);
    case R::kCollectMetrics: return PassThrough(r.collect_metrics().input(), *this);
    case R::kToDf: return ToDfQuery(r.to_df(), *this);
    case R::kWithColumnsRenamed: return WithColumnsRenamedQuery(r.with_columns_renamed(), *this);
    case R::kWithColumns: return WithColumnsQuery(r.with_columns(), *this);
    case R::kDrop: return DropQuery(r.drop(), *this);
    case R::kShowString: return ShowStringQuery(r.show_string(), *this);
    case R::kHtmlString: return HtmlStringQuery(r.html_string(), *this);
    case R::kUnpivot: return UnpivotQuery(r.unpivot(), *this);
    case R::kToSchema: return ToSchemaQuery(r.to_schema(), *this);
    case R::kWithRelations: return WithRelationsQuery(r.with_relations(), *this);
    case R::kUnresolvedTableValuedFunction:
      return TableFunctionQuery(r.unresolved_table_valued_function(), *this);
    case R::kFillNa: return FillNaQuery(r.fill_na(), *this);
    case R::kDropNa: return DropNaQuery(r.drop_na(), *this);
    case R::kReplace: return ReplaceQuery(r.replace(), *this);
    case R::kSummary: return SummaryQuery(r.summary(), *this);
    case R::kDescribe: return DescribeQuery(r.describe(), *this);
    case R::kCrosstab: return CrosstabQuery(r.crosstab(), *this);
    case R::kCov: return CovQuery(r.cov(), *this);
    case R::kCorr: return CorrQuery(r.corr(), *this);
    case R::kApproxQuantile: return ApproxQuantileQuery(r.approx_quantile(), *this);
    case R::kFreqItems: return FreqItemsQuery(r.freq_items(), *this);
    case R::kSampleBy: return SampleByQuery(r.sample_by(), *this);
    case R::kTranspose: return TransposeQuery(r.transpose(), *this);
    case R::kCatalog: return CatalogQuery(r.catalog(), *this);
    case R::kExtension: return DeltaRelationQuery(r.extension(), *this);
    case R::kMapPartitions: return PythonUdfUnsupported("mapInPandas / mapInArrow");
    case R::kGroupMap: return PythonUdfUnsupported("applyInPandas / applyInArrow");
    case R::kCoGroupMap: return PythonUdfUnsupported("cogroup().applyInPandas");
    case R::kApplyInPandasWithState: return PythonUdfUnsupported("applyInPandasWithState");
    case R::kCommonInlineUserDefinedTableFunction: return PythonUdfUnsupported("Python UDTFs");
    case R::kCommonInlineUserDefinedDataSource:
      return PythonUdfUnsupported("Python data sources");
    case R::REL_TYPE_NOT_SET:
      return UserError("INVALID_PLAN_INPUT", "The relation has no type.");
    default: break;
  }
  return UserError("UNSUPPORTED_FEATURE",
                   "The Spark Connect relation '" +
                       proto::Relation::descriptor()
                           ->FindFieldByNumber(static_cast<int>(r.rel_type_case()))
                           ->name() +
                       "' is not supported yet.");
}

Result<sql::RelationPtr> PlanTranslator::FromRelation(const proto::Relation& r) {
  sql::QueryPtr query;
  if (r.rel_type_case() == proto::Relation::kSubqueryAlias) {
    ASSIGN_OR_RAISE(auto input, FromRelation(r.subquery_alias().input()));
    query = SelectAll(std::move(input));
  } else {
    ASSIGN_OR_RAISE(query, Query(r));
  }
  // SELECT * FROM table is the table itself, which keeps its hidden columns (_metadata); a
  // join stays a join, so both sides' aliases stay visible (df.alias("l").join(...) then "l.x").
  sql::RelationPtr from;
  if (IsSelectAllFromTable(*query)) {
    from = std::move(query->from);
  } else {
    from = SubqueryRelation(std::move(query));
  }
  if (r.has_common() && r.common().has_plan_id()) from->plan_id = r.common().plan_id();
  from->alias = InheritedAlias(r);
  from->broadcast = IsBroadcastHint(r);
  return from;
}

Result<plan::PlanPtr> PlanTranslator::Plan(const proto::Relation& relation, bool optimize) {
  ASSIGN_OR_RAISE(auto query, Query(relation));
  return PlanQuery(*query, optimize);
}

Result<plan::PlanPtr> PlanTranslator::PlanQuery(const sql::Query& query, bool optimize) {
  if (optimize) {
    auto cross_join = context_.session->GetConfig("spark.sql.crossJoin.enabled");
    std::string value = cross_join.value_or("true");
    for (auto& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (value == "false") {
      ASSIGN_OR_RAISE(auto analyzed, context_.session->PlanQuery(query, literals_, false));
      RETURN_NOT_OK(CheckCartesianProducts(*analyzed));
    }
  }
  return context_.session->PlanQuery(query, literals_, optimize);
}

Result<std::shared_ptr<arrow::Schema>> PlanTranslator::Schema(const proto::Relation& relation) {
  ASSIGN_OR_RAISE(auto plan, Plan(relation, /*optimize=*/false));
  return plan->schema;
}

sql::RelationPtr PlanTranslator::RegisterPlan(plan::PlanPtr plan) {
  std::string name = UniqueName("__basin_connect_");
  context_.session->AddStatementRelation(name, std::move(plan));
  registered_.push_back(name);
  auto from = std::make_unique<sql::Relation>();
  from->kind = sql::RelationKind::kTable;
  from->name_parts = {name};
  return from;
}

sql::ExprPtr PlanTranslator::Literal(std::shared_ptr<arrow::Scalar> value) {
  std::string name = UniqueName("__basin_literal_");
  literals_[name] = std::move(value);
  auto e = std::make_unique<sql::Expr>();
  e->kind = sql::ExprKind::kParameter;
  e->text = name;
  return e;
}

}  // namespace basin::connect
