#pragma once

// Spark Connect relations and expressions become Basin's query syntax tree (sql/ast.h), which
// the session's analyzer resolves exactly as it resolves SQL text: one set of name, type and
// function rules for both front doors. A DataFrame step becomes a SELECT over its input as a
// subquery tagged with the step's plan id, so `df["col"]` resolves to that DataFrame's column.
//
// What SQL cannot spell (in-memory rows of createDataFrame, a reader with options, catalog
// listings) is planned directly and registered in the session under a generated name for the
// translator's lifetime; literals travel as `:name` parameters holding Arrow scalars.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <arrow/api.h>

#include "basin/base/status.h"
#include "basin/plan/logical_plan.h"
#include "basin/session/session.h"
#include "basin/sql/ast.h"
#include "spark/connect/expressions.pb.h"
#include "spark/connect/relations.pb.h"

namespace basin::connect {

/// Rows a Connect session keeps on the server under an id (checkpoint(), localCheckpoint()); the
/// client refers to them by a CachedRemoteRelation until it releases them.
class RemoteRelations {
 public:
  /// Keeps `rows` and returns their new id.
  std::string Add(std::shared_ptr<arrow::Table> rows);
  /// The rows kept under `id`, or null.
  std::shared_ptr<arrow::Table> Find(const std::string& id) const;
  void Remove(const std::string& id);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<arrow::Table>> rows_;
};

/// The tables and views cached with spark.catalog.cacheTable, by their catalog row (catalog,
/// namespace, name): Basin's CACHE TABLE keeps the rows of Delta tables only, but isCached
/// answers for any table or view, as Spark's does.
class CachedTableNames {
 public:
  void Add(const std::string& key);
  void Remove(const std::string& key);
  void Clear();
  bool Contains(const std::string& key) const;

 private:
  mutable std::mutex mutex_;
  std::set<std::string> keys_;
};

/// What a translation may read from the Connect session besides the Basin session.
struct TranslationContext {
  session::Session* session = nullptr;
  /// An artifact uploaded with AddArtifacts, by name ("cache/<sha256>" for local relations the
  /// client cached); nullopt when there is none.
  std::function<std::optional<std::string>(const std::string& name)> artifact;
  /// The rows of a persisted (cache()/persist()) relation, materialized on first use; nullopt
  /// when the relation is not persisted.
  std::function<Result<std::optional<plan::PlanPtr>>(const spark::connect::Relation& relation)>
      persisted;
  /// The relations persisted with cache()/persist() (spark.catalog.isCached looks for a table's).
  std::function<std::vector<spark::connect::Relation>()> persisted_relations;
  /// The session's spark.catalog.cacheTable names (null: not tracked).
  std::shared_ptr<CachedTableNames> cached_tables;
  /// The session's checkpointed relations (null: checkpoints are not available).
  std::shared_ptr<RemoteRelations> remote_relations;
};

class PlanTranslator {
 public:
  explicit PlanTranslator(TranslationContext context);
  /// Unregisters the relations this translator registered in the session.
  ~PlanTranslator();
  PlanTranslator(const PlanTranslator&) = delete;
  PlanTranslator& operator=(const PlanTranslator&) = delete;

  /// The query a relation stands for.
  Result<sql::QueryPtr> Query(const spark::connect::Relation& relation);
  /// A relation for use in FROM: the query as a subquery tagged with the relation's plan id.
  Result<sql::RelationPtr> FromRelation(const spark::connect::Relation& relation);
  /// An expression.
  Result<sql::ExprPtr> Expression(const spark::connect::Expression& expression);
  /// A SELECT-list item: Alias expressions give the item its name.
  Result<sql::SelectItem> SelectItem(const spark::connect::Expression& expression);

  /// The analyzed plan of a relation (optimized when `optimize`).
  Result<plan::PlanPtr> Plan(const spark::connect::Relation& relation, bool optimize = true);
  /// The analyzed plan of a query this translator built.
  Result<plan::PlanPtr> PlanQuery(const sql::Query& query, bool optimize = true);
  /// The output schema of a relation (analyzes it).
  Result<std::shared_ptr<arrow::Schema>> Schema(const spark::connect::Relation& relation);

  /// Makes `plan` visible by a generated one-part name for this translator's lifetime and
  /// returns a FROM relation naming it.
  sql::RelationPtr RegisterPlan(plan::PlanPtr plan);
  /// A `:name` parameter expression that stands for `value`.
  sql::ExprPtr Literal(std::shared_ptr<arrow::Scalar> value);
  /// The values of the parameters made by Literal().
  const std::map<std::string, std::shared_ptr<arrow::Scalar>>& literals() const {
    return literals_;
  }

  session::Session& session() { return *context_.session; }
  const TranslationContext& context() const { return context_; }

 private:
  TranslationContext context_;
  std::vector<std::string> registered_;
  std::map<std::string, std::shared_ptr<arrow::Scalar>> literals_;
  int64_t next_name_ = 0;
};

}  // namespace basin::connect
