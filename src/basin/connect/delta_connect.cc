#include "basin/connect/delta_connect.h"
#include "basin/connect/relation_queries.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "basin/connect/data_type.h"
#include "basin/connect/expression_text.h"
#include "basin/connect/sql_text.h"
#include "basin/connect/statement_parameters.h"
#include "basin/delta/clone.h"
#include "basin/delta/transaction.h"
#include "basin/io/file_system.h"
#include "basin/sql/parser.h"
#include "basin/types/schema_json.h"
#include "delta/connect/base.pb.h"
#include "delta/connect/commands.pb.h"
#include "delta/connect/relations.pb.h"

namespace basin::connect {

namespace {

namespace pb = spark::connect;
namespace dpb = ::delta::connect;
using Responses = std::vector<pb::ExecutePlanResponse>;

// The SQL name parts of a DeltaTable: delta.`/path` or the table's (possibly qualified) name.
Result<std::vector<std::string>> TableParts(const dpb::DeltaTable& table) {
  switch (table.access_type_case()) {
    case dpb::DeltaTable::kPath:
      if (table.path().hadoop_conf_size() > 0) {
        return UserError("UNSUPPORTED_FEATURE",
                         "Hadoop configuration options of DeltaTable.forPath are not supported by "
                         "Basin.");
      }
      return std::vector<std::string>{"delta", table.path().path()};
    case dpb::DeltaTable::kTableOrViewName:
      return sql::ParseMultipartIdentifier(table.table_or_view_name());
    default:
      return UserError("UNSUPPORTED_FEATURE", "A DeltaTable needs a path or a table name.");
  }
}

Result<std::string> TableSql(const dpb::DeltaTable& table) {
  ASSIGN_OR_RAISE(auto parts, TableParts(table));
  return QuoteParts(parts);
}

// Runs `statement` now; its rows (the metrics delta-spark returns) are the relation.
Result<sql::QueryPtr> StatementRows(sql::Statement& statement, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto result, translator.session().ExecuteStatement(statement));
  auto table = result.table;
  if (!table) {
    ASSIGN_OR_RAISE(table, arrow::Table::MakeEmpty(arrow::schema({})));
  }
  return ValuesQuery(std::move(table), translator);
}

Result<session::StatementResult> RunSql(const std::string& text, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(text));
  return translator.session().ExecuteStatement(*statement);
}

Result<sql::QueryPtr> SqlRows(const std::string& text, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(text));
  return StatementRows(*statement, translator);
}

// The target of DeltaTable.delete / update / merge: the table of a DeltaScan, maybe aliased
// (DeltaTable.alias("t")), and the plan ids its DataFrames carry.
struct Target {
  std::vector<std::string> name;
  std::optional<std::string> alias;
  std::vector<int64_t> plan_ids;
};

Result<Target> TargetOf(const pb::Relation& relation) {
  Target target;
  if (relation.has_subquery_alias()) {
    ASSIGN_OR_RAISE(target, TargetOf(relation.subquery_alias().input()));
    target.alias = relation.subquery_alias().alias();
  } else {
    dpb::DeltaRelation delta_relation;
    if (!relation.has_extension() || !relation.extension().UnpackTo(&delta_relation) ||
        !delta_relation.has_scan()) {
      return UserError("UNSUPPORTED_FEATURE",
                       "The target of a Delta DELETE, UPDATE or MERGE must be a DeltaTable.");
    }
    ASSIGN_OR_RAISE(target.name, TableParts(delta_relation.scan().table()));
  }
  if (relation.has_common() && relation.common().has_plan_id()) {
    target.plan_ids.push_back(relation.common().plan_id());
  }
  return target;
}


// DELETE, UPDATE and MERGE run on named tables in the session: a DeltaTable.forPath target is
// registered as an external table under a transient name for the statement (dropping it keeps
// the files).
class PathTarget {
 public:
  PathTarget(PlanTranslator& translator) : translator_(translator) {}
  ~PathTarget() {
    if (!name_.empty()) {
      auto dropped = RunSql("DROP TABLE IF EXISTS " + QuoteIdentifier(name_), translator_);
      (void)dropped;
    }
  }
  Status Register(Target* target) {
    if (target->name.size() != 2 || Lower(target->name[0]) != "delta") return Status::OK();
    static std::atomic<int64_t> counter{0};
    std::string name = "__basin_delta_path_" + std::to_string(counter++);
    RETURN_NOT_OK(RunSql("CREATE TABLE " + QuoteIdentifier(name) + " USING delta LOCATION " +
                             QuoteString(target->name[1]),
                         translator_)
                      .status());
    name_ = name;
    target->name = {name};
    return Status::OK();
  }

 private:
  PlanTranslator& translator_;
  std::string name_;
};

// "`t` AS `x`" for the target of a statement.
std::string TargetSql(const Target& target) {
  return QuoteParts(target.name) + (target.alias ? " AS " + QuoteIdentifier(*target.alias) : "");
}

// Writes the expressions of one DeltaTable call as SQL text: literals become SQL literals and
// columns taken from a DataFrame (df["id"]) are qualified with its name in the statement.
class StatementText {
 public:
  explicit StatementText(PlanTranslator& translator) : translator_(translator) {}

  void Qualify(const std::vector<int64_t>& plan_ids, const std::string& name) {
    for (int64_t id : plan_ids) qualifiers_[id] = name;
  }

  Result<std::string> Expression(const pb::Expression& expression) {
    ASSIGN_OR_RAISE(auto expr, translator_.Expression(expression));
    ParameterValues values;
    values.named = translator_.literals();
    RETURN_NOT_OK(BindParameters(expr, values));
    return ExpressionText(*expr, qualifiers_);
  }

  // The column an assignment sets: functions.col("t.a") or functions.expr("a").
  Result<std::string> Column(const pb::Expression& field) {
    ASSIGN_OR_RAISE(auto expr, translator_.Expression(field));
    if (expr->kind != sql::ExprKind::kColumn || expr->name_parts.empty()) {
      return UserError("DELTA_MERGE_UNRESOLVED_EXPRESSION",
                       "An assignment must set a column, not " + sql::ToString(*expr) + ".");
    }
    return QuoteParts(expr->name_parts);
  }

  Result<std::string> Assignments(
      const google::protobuf::RepeatedPtrField<dpb::Assignment>& assignments) {
    std::string out;
    for (const auto& a : assignments) {
      ASSIGN_OR_RAISE(auto column, Column(a.field()));
      ASSIGN_OR_RAISE(auto value, Expression(a.value()));
      if (!out.empty()) out += ", ";
      out += column + " = " + value;
    }
    return out;
  }

 private:
  PlanTranslator& translator_;
  std::map<int64_t, std::string> qualifiers_;
};

Result<sql::QueryPtr> Delete(const dpb::DeleteFromTable& del, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto target, TargetOf(del.target()));
  PathTarget path_target(translator);
  RETURN_NOT_OK(path_target.Register(&target));
  StatementText text(translator);
  if (target.alias) text.Qualify(target.plan_ids, *target.alias);
  std::string statement = "DELETE FROM " + TargetSql(target);
  if (del.has_condition()) {
    ASSIGN_OR_RAISE(auto condition, text.Expression(del.condition()));
    statement += " WHERE " + condition;
  }
  return SqlRows(statement, translator);
}

Result<sql::QueryPtr> Update(const dpb::UpdateTable& update, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto target, TargetOf(update.target()));
  PathTarget path_target(translator);
  RETURN_NOT_OK(path_target.Register(&target));
  StatementText text(translator);
  if (target.alias) text.Qualify(target.plan_ids, *target.alias);
  ASSIGN_OR_RAISE(auto assignments, text.Assignments(update.assignments()));
  std::string statement = "UPDATE " + TargetSql(target) + " SET " + assignments;
  if (update.has_condition()) {
    ASSIGN_OR_RAISE(auto condition, text.Expression(update.condition()));
    statement += " WHERE " + condition;
  }
  return SqlRows(statement, translator);
}

Result<std::string> MergeClauses(
    const google::protobuf::RepeatedPtrField<dpb::MergeIntoTable::Action>& actions,
    const std::string& when, StatementText& text) {
  using A = dpb::MergeIntoTable::Action;
  std::string out;
  for (const auto& action : actions) {
    out += " " + when;
    if (action.has_condition()) {
      ASSIGN_OR_RAISE(auto condition, text.Expression(action.condition()));
      out += " AND " + condition;
    }
    out += " THEN ";
    switch (action.action_type_case()) {
      case A::kDeleteAction:
        out += "DELETE";
        break;
      case A::kUpdateAction: {
        ASSIGN_OR_RAISE(auto assignments, text.Assignments(action.update_action().assignments()));
        out += "UPDATE SET " + assignments;
        break;
      }
      case A::kUpdateStarAction:
        out += "UPDATE SET *";
        break;
      case A::kInsertAction: {
        std::string columns, values;
        for (const auto& a : action.insert_action().assignments()) {
          ASSIGN_OR_RAISE(auto column, text.Column(a.field()));
          ASSIGN_OR_RAISE(auto value, text.Expression(a.value()));
          columns += (columns.empty() ? "" : ", ") + column;
          values += (values.empty() ? "" : ", ") + value;
        }
        out += "INSERT (" + columns + ") VALUES (" + values + ")";
        break;
      }
      case A::kInsertStarAction:
        out += "INSERT *";
        break;
      default:
        return UserError("UNSUPPORTED_FEATURE", "A MERGE clause without an action.");
    }
  }
  return out;
}

// The plan ids of a DataFrame and of the aliases over it.
std::vector<int64_t> PlanIds(const pb::Relation& relation) {
  std::vector<int64_t> ids;
  const pb::Relation* r = &relation;
  while (true) {
    if (r->has_common() && r->common().has_plan_id()) ids.push_back(r->common().plan_id());
    if (!r->has_subquery_alias()) break;
    r = &r->subquery_alias().input();
  }
  return ids;
}

Result<sql::QueryPtr> Merge(const dpb::MergeIntoTable& m, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto target, TargetOf(m.target()));
  PathTarget path_target(translator);
  RETURN_NOT_OK(path_target.Register(&target));
  // The source runs as a relation registered under a generated name.
  const pb::Relation* source = &m.source();
  std::optional<std::string> source_alias;
  if (source->has_subquery_alias()) {
    source_alias = source->subquery_alias().alias();
    source = &source->subquery_alias().input();
  }
  ASSIGN_OR_RAISE(auto source_plan, translator.Plan(*source));
  auto registered = translator.RegisterPlan(source_plan);
  if (registered->name_parts.size() != 1) {
    return InternalError("a registered plan is not named by one part");
  }
  std::string source_name = source_alias.value_or(registered->name_parts[0]);
  StatementText text(translator);
  text.Qualify(PlanIds(m.source()), source_name);
  text.Qualify(target.plan_ids, target.alias.value_or(target.name.back()));
  std::string statement = "MERGE ";
  if (m.has_with_schema_evolution() && m.with_schema_evolution()) {
    statement += "WITH SCHEMA EVOLUTION ";
  }
  statement += "INTO " + TargetSql(target) + " USING " + QuoteIdentifier(registered->name_parts[0]);
  if (source_alias) statement += " AS " + QuoteIdentifier(*source_alias);
  ASSIGN_OR_RAISE(auto condition, text.Expression(m.condition()));
  statement += " ON " + condition;
  ASSIGN_OR_RAISE(auto matched, MergeClauses(m.matched_actions(), "WHEN MATCHED", text));
  ASSIGN_OR_RAISE(auto not_matched,
                  MergeClauses(m.not_matched_actions(), "WHEN NOT MATCHED", text));
  ASSIGN_OR_RAISE(auto by_source, MergeClauses(m.not_matched_by_source_actions(),
                                               "WHEN NOT MATCHED BY SOURCE", text));
  return SqlRows(statement + matched + not_matched + by_source, translator);
}

// A partition schema as DDL columns ("a INT, b STRING").
Result<std::string> PartitionSchemaDdl(const dpb::ConvertToDelta& convert) {
  if (convert.has_partition_schema_string()) return convert.partition_schema_string();
  ASSIGN_OR_RAISE(auto type, FromProtoType(convert.partition_schema_struct()));
  std::string out;
  for (const auto& field : type->fields()) {
    if (!out.empty()) out += ", ";
    out += QuoteIdentifier(field->name()) + " " + types::SparkTypeName(*field->type());
  }
  return out;
}

Result<sql::QueryPtr> Convert(const dpb::ConvertToDelta& convert, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto parts, sql::ParseMultipartIdentifier(convert.identifier()));
  std::string text = "CONVERT TO DELTA " + QuoteParts(parts);
  if (convert.partition_schema_case() != dpb::ConvertToDelta::PARTITION_SCHEMA_NOT_SET) {
    ASSIGN_OR_RAISE(auto ddl, PartitionSchemaDdl(convert));
    text += " PARTITIONED BY (" + ddl + ")";
  }
  RETURN_NOT_OK(RunSql(text, translator).status());
  // The client opens the converted table by the identifier it gets back.
  std::string identifier = convert.identifier();
  if (parts.size() == 2 && (parts[0] == "parquet" || parts[0] == "PARQUET")) {
    identifier = "delta." + QuoteIdentifier(parts[1]);
  }
  arrow::StringBuilder builder;
  RETURN_NOT_OK(builder.Append(identifier));
  ASSIGN_OR_RAISE(auto array, builder.Finish());
  auto table =
      arrow::Table::Make(arrow::schema({arrow::field("identifier", arrow::utf8())}), {array});
  return ValuesQuery(table, translator);
}

Result<sql::QueryPtr> IsDeltaTable(const dpb::IsDeltaTable& is_delta, PlanTranslator& translator) {
  bool found = false;
  auto root = io::ResolveLocation(is_delta.path());
  if (root.ok()) {
    auto files = io::ListDirectory(root->Child("_delta_log"), /*allow_missing=*/true);
    if (files.ok()) {
      for (const auto& f : *files) {
        auto name = f.base_name();
        if (name.size() > 5 && (name.substr(name.size() - 5) == ".json" ||
                                name.find(".checkpoint") != std::string::npos)) {
          found = true;
        }
      }
    }
  }
  arrow::BooleanBuilder builder;
  RETURN_NOT_OK(builder.Append(found));
  ASSIGN_OR_RAISE(auto array, builder.Finish());
  auto table =
      arrow::Table::Make(arrow::schema({arrow::field("value", arrow::boolean(), false)}), {array});
  return ValuesQuery(table, translator);
}

std::string Number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  return buffer;
}

std::string PropertiesList(const std::map<std::string, std::string>& properties) {
  std::string out;
  for (const auto& [k, v] : properties) {
    if (!out.empty()) out += ", ";
    out += QuoteString(k) + " = " + QuoteString(v);
  }
  return out;
}

// A path rather than a table name: DeltaTable targets may be either.
bool LooksLikePath(const std::string& target) {
  return !target.empty() && (target[0] == '/' || target.find(":/") != std::string::npos);
}

// The root folder of a Delta table, from DESCRIBE DETAIL.
Result<std::string> TableLocation(const std::string& table_sql, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto detail, RunSql("DESCRIBE DETAIL " + table_sql, translator));
  auto column = detail.table ? detail.table->GetColumnByName("location") : nullptr;
  if (!column || column->length() == 0) {
    return UserError("DELTA_MISSING_DELTA_TABLE", table_sql + " is not a Delta table.");
  }
  ASSIGN_OR_RAISE(auto scalar, column->GetScalar(0));
  return scalar->ToString();
}

Status Clone(const dpb::CloneTable& clone, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto source, TableSql(clone.table()));
  if (LooksLikePath(clone.target())) {
    // A clone to a path registers no table: the delta layer does it directly.
    delta::CloneOptions options;
    options.shallow = clone.is_shallow();
    options.replace = clone.replace();
    if (clone.has_version()) options.version = clone.version();
    if (clone.has_timestamp()) {
      ASSIGN_OR_RAISE(auto ts,
                      translator.session().Sql("SELECT CAST(" + QuoteString(clone.timestamp()) +
                                               " AS TIMESTAMP)"));
      ASSIGN_OR_RAISE(auto scalar, ts->column(0)->GetScalar(0));
      if (!scalar->is_valid) {
        return UserError("DELTA_TIMESTAMP_INVALID", "The provided timestamp (" + clone.timestamp() +
                                                        ") cannot be converted to a valid "
                                                        "timestamp.");
      }
      options.timestamp_ms = std::static_pointer_cast<arrow::TimestampScalar>(scalar)->value / 1000;
    }
    for (const auto& [k, v] : clone.properties()) options.properties[k] = v;
    ASSIGN_OR_RAISE(auto source_location, TableLocation(source, translator));
    ASSIGN_OR_RAISE(auto source_root, io::ResolveLocation(source_location));
    ASSIGN_OR_RAISE(auto target_root, io::ResolveLocation(clone.target()));
    return delta::CloneTable(source_root, target_root, options).status();
  }
  ASSIGN_OR_RAISE(auto target, QuotedName(clone.target()));
  std::string text = std::string(clone.replace() ? "CREATE OR REPLACE TABLE " : "CREATE TABLE ") +
                     target + (clone.is_shallow() ? " SHALLOW" : " DEEP") + " CLONE " + source;
  if (clone.has_version()) text += " VERSION AS OF " + std::to_string(clone.version());
  if (clone.has_timestamp()) text += " TIMESTAMP AS OF " + QuoteString(clone.timestamp());
  std::map<std::string, std::string> properties(clone.properties().begin(),
                                                clone.properties().end());
  if (!properties.empty()) text += " TBLPROPERTIES (" + PropertiesList(properties) + ")";
  return RunSql(text, translator).status();
}

// DeltaTable.upgradeTableProtocol: commits the higher protocol versions (never lower ones).
Status UpgradeProtocol(const dpb::UpgradeTableProtocol& upgrade, PlanTranslator& translator) {
  ASSIGN_OR_RAISE(auto table, TableSql(upgrade.table()));
  ASSIGN_OR_RAISE(auto location, TableLocation(table, translator));
  ASSIGN_OR_RAISE(auto root, io::ResolveLocation(location));
  ASSIGN_OR_RAISE(auto txn, delta::Transaction::Begin(root));
  if (!txn.read_snapshot()) {
    return UserError("DELTA_MISSING_DELTA_TABLE", table + " is not a Delta table.");
  }
  delta::Protocol protocol = *txn.effective_protocol();
  if (upgrade.reader_version() < protocol.min_reader_version ||
      upgrade.writer_version() < protocol.min_writer_version) {
    return UserError("DELTA_INVALID_PROTOCOL_DOWNGRADE",
                     "Protocol version cannot be downgraded from (" +
                         std::to_string(protocol.min_reader_version) + "," +
                         std::to_string(protocol.min_writer_version) + ") to (" +
                         std::to_string(upgrade.reader_version()) + "," +
                         std::to_string(upgrade.writer_version()) + ").");
  }
  if (upgrade.reader_version() == protocol.min_reader_version &&
      upgrade.writer_version() == protocol.min_writer_version) {
    return Status::OK();
  }
  protocol.min_reader_version = upgrade.reader_version();
  protocol.min_writer_version = upgrade.writer_version();
  if (protocol.min_reader_version >= 3 && !protocol.reader_features) {
    protocol.reader_features = std::vector<std::string>{};
  }
  if (protocol.min_writer_version >= 7 && !protocol.writer_features) {
    protocol.writer_features = std::vector<std::string>{};
  }
  nlohmann::json new_protocol = {{"minReaderVersion", protocol.min_reader_version},
                                 {"minWriterVersion", protocol.min_writer_version}};
  txn.UpdateProtocol(protocol);
  return txn
      .Commit("UPGRADE PROTOCOL", {{"newProtocol", new_protocol.dump()}}, nlohmann::json::object())
      .status();
}

Status CreateDeltaTable(const dpb::CreateDeltaTable& create, PlanTranslator& translator) {
  using M = dpb::CreateDeltaTable;
  std::string name;
  bool by_path = !create.has_table_name() || create.table_name().empty();
  if (by_path) {
    if (!create.has_location() || create.location().empty()) {
      return UserError("DELTA_TABLE_NAME_OR_LOCATION_REQUIRED",
                       "Table name or location has to be specified.");
    }
    // The session creates Delta tables by name: a table by path is created as an external
    // table under a transient name that is dropped again (which keeps its files).
    static std::atomic<int64_t> counter{0};
    name = QuoteIdentifier("__basin_delta_table_builder_" + std::to_string(counter++));
  } else {
    ASSIGN_OR_RAISE(name, QuotedName(create.table_name()));
  }
  std::string text;
  switch (create.mode()) {
    case M::MODE_CREATE:
      text = "CREATE TABLE ";
      break;
    case M::MODE_CREATE_IF_NOT_EXISTS:
      text = "CREATE TABLE IF NOT EXISTS ";
      break;
    case M::MODE_REPLACE:
      text = "REPLACE TABLE ";
      break;
    case M::MODE_CREATE_OR_REPLACE:
      text = "CREATE OR REPLACE TABLE ";
      break;
    default:
      return UserError("UNSUPPORTED_FEATURE", "A DeltaTableBuilder without a mode.");
  }
  text += name;
  std::string columns;
  for (const auto& column : create.columns()) {
    if (!columns.empty()) columns += ", ";
    ASSIGN_OR_RAISE(auto type, FromProtoType(column.data_type()));
    columns += QuoteIdentifier(column.name()) + " " + types::SparkTypeName(*type);
    if (!column.nullable()) columns += " NOT NULL";
    if (column.has_generated_always_as()) {
      columns += " GENERATED ALWAYS AS (" + column.generated_always_as() + ")";
    }
    if (column.has_identity_info()) {
      const auto& identity = column.identity_info();
      columns += std::string(" GENERATED ") +
                 (identity.allow_explicit_insert() ? "BY DEFAULT" : "ALWAYS") +
                 " AS IDENTITY (START WITH " + std::to_string(identity.start()) + " INCREMENT BY " +
                 std::to_string(identity.step()) + ")";
    }
    if (column.has_comment()) columns += " COMMENT " + QuoteString(column.comment());
  }
  if (!columns.empty()) text += " (" + columns + ")";
  text += " USING delta";
  if (!create.partitioning_columns().empty()) {
    std::string list;
    for (const auto& c : create.partitioning_columns()) {
      if (!list.empty()) list += ", ";
      list += QuoteIdentifier(c);
    }
    text += " PARTITIONED BY (" + list + ")";
  }
  if (!create.clustering_columns().empty()) {
    std::string list;
    for (const auto& c : create.clustering_columns()) {
      if (!list.empty()) list += ", ";
      list += QuoteIdentifier(c);
    }
    text += " CLUSTER BY (" + list + ")";
  }
  if (create.has_location()) text += " LOCATION " + QuoteString(create.location());
  if (create.has_comment()) text += " COMMENT " + QuoteString(create.comment());
  std::map<std::string, std::string> properties(create.properties().begin(),
                                                create.properties().end());
  if (!properties.empty()) text += " TBLPROPERTIES (" + PropertiesList(properties) + ")";
  if (!by_path) return RunSql(text, translator).status();
  auto location = io::ResolveLocation(create.location());
  if (location.ok() && create.mode() == M::MODE_CREATE_IF_NOT_EXISTS) {
    ASSIGN_OR_RAISE(bool exists, io::Exists(location->Child("_delta_log")));
    if (exists) return Status::OK();
  }
  auto created = RunSql(text, translator);
  auto dropped = RunSql("DROP TABLE IF EXISTS " + name, translator);
  RETURN_NOT_OK(created.status());
  return dropped.status();
}

}  // namespace

Result<sql::QueryPtr> DeltaRelationQuery(const google::protobuf::Any& extension,
                                         PlanTranslator& translator) {
  dpb::DeltaRelation relation;
  if (!extension.Is<dpb::DeltaRelation>() || !extension.UnpackTo(&relation)) {
    return UserError("UNSUPPORTED_FEATURE", "The relation extension " + extension.type_url() +
                                                " is not supported by Basin.");
  }
  using R = dpb::DeltaRelation;
  switch (relation.relation_type_case()) {
    case R::kScan: {
      ASSIGN_OR_RAISE(auto parts, TableParts(relation.scan().table()));
      auto from = std::make_unique<sql::Relation>();
      from->kind = sql::RelationKind::kTable;
      from->name_parts = std::move(parts);
      return SelectAll(std::move(from));
    }
    case R::kDescribeHistory: {
      ASSIGN_OR_RAISE(auto table, TableSql(relation.describe_history().table()));
      return SqlRows("DESCRIBE HISTORY " + table, translator);
    }
    case R::kDescribeDetail: {
      ASSIGN_OR_RAISE(auto table, TableSql(relation.describe_detail().table()));
      return SqlRows("DESCRIBE DETAIL " + table, translator);
    }
    case R::kConvertToDelta:
      return Convert(relation.convert_to_delta(), translator);
    case R::kRestoreTable: {
      const auto& restore = relation.restore_table();
      ASSIGN_OR_RAISE(auto table, TableSql(restore.table()));
      std::string text = "RESTORE TABLE " + table + " TO ";
      if (restore.has_timestamp()) {
        text += "TIMESTAMP AS OF " + QuoteString(restore.timestamp());
      } else {
        text += "VERSION AS OF " + std::to_string(restore.version());
      }
      return SqlRows(text, translator);
    }
    case R::kIsDeltaTable:
      return IsDeltaTable(relation.is_delta_table(), translator);
    case R::kDeleteFromTable:
      return Delete(relation.delete_from_table(), translator);
    case R::kUpdateTable:
      return Update(relation.update_table(), translator);
    case R::kMergeIntoTable:
      return Merge(relation.merge_into_table(), translator);
    case R::kOptimizeTable: {
      const auto& optimize = relation.optimize_table();
      ASSIGN_OR_RAISE(auto table, TableSql(optimize.table()));
      std::string text = "OPTIMIZE " + table;
      std::string where;
      for (const auto& filter : optimize.partition_filters()) {
        if (!where.empty()) where += " AND ";
        where += "(" + filter + ")";
      }
      if (!where.empty()) text += " WHERE " + where;
      if (!optimize.zorder_columns().empty()) {
        std::string columns;
        for (const auto& c : optimize.zorder_columns()) {
          if (!columns.empty()) columns += ", ";
          ASSIGN_OR_RAISE(auto quoted, QuotedName(c));
          columns += quoted;
        }
        text += " ZORDER BY (" + columns + ")";
      }
      return SqlRows(text, translator);
    }
    default:
      return UserError("UNSUPPORTED_FEATURE",
                       "This Delta Connect relation is not supported by Basin yet.");
  }
}

Result<std::vector<spark::connect::ExecutePlanResponse>> RunDeltaCommand(
    const google::protobuf::Any& extension, PlanTranslator& translator) {
  dpb::DeltaCommand command;
  if (!extension.Is<dpb::DeltaCommand>() || !extension.UnpackTo(&command)) {
    return UserError("UNSUPPORTED_FEATURE", "The command extension " + extension.type_url() +
                                                " is not supported by Basin.");
  }
  using C = dpb::DeltaCommand;
  switch (command.command_type_case()) {
    case C::kCloneTable:
      RETURN_NOT_OK(Clone(command.clone_table(), translator));
      return Responses{};
    case C::kVacuumTable: {
      const auto& vacuum = command.vacuum_table();
      ASSIGN_OR_RAISE(auto table, TableSql(vacuum.table()));
      std::string text = "VACUUM " + table;
      if (vacuum.has_retention_hours()) {
        text += " RETAIN " + Number(vacuum.retention_hours()) + " HOURS";
      }
      RETURN_NOT_OK(RunSql(text, translator).status());
      return Responses{};
    }
    case C::kUpgradeTableProtocol:
      RETURN_NOT_OK(UpgradeProtocol(command.upgrade_table_protocol(), translator));
      return Responses{};
    case C::kGenerate:
      return UserError("UNSUPPORTED_FEATURE",
                       "DeltaTable.generate (symlink manifests) is not supported by Basin yet.");
    case C::kCreateDeltaTable:
      RETURN_NOT_OK(CreateDeltaTable(command.create_delta_table(), translator));
      return Responses{};
    case C::kAddFeatureSupport: {
      const auto& add = command.add_feature_support();
      ASSIGN_OR_RAISE(auto table, TableSql(add.table()));
      RETURN_NOT_OK(
          RunSql("ALTER TABLE " + table + " SET TBLPROPERTIES (" +
                     PropertiesList({{"delta.feature." + add.feature_name(), "supported"}}) + ")",
                 translator)
              .status());
      return Responses{};
    }
    case C::kDropFeatureSupport: {
      const auto& drop = command.drop_feature_support();
      ASSIGN_OR_RAISE(auto table, TableSql(drop.table()));
      std::string text =
          "ALTER TABLE " + table + " DROP FEATURE " + QuoteIdentifier(drop.feature_name());
      if (drop.has_truncate_history() && drop.truncate_history()) text += " TRUNCATE HISTORY";
      RETURN_NOT_OK(RunSql(text, translator).status());
      return Responses{};
    }
    default:
      return UserError("UNSUPPORTED_FEATURE",
                       "This Delta Connect command is not supported by Basin yet.");
  }
}

}  // namespace basin::connect
