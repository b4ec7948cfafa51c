// Data statements on Delta tables: INSERT, DELETE, UPDATE, MERGE and TRUNCATE.
//
// DELETE, UPDATE and MERGE read the target through a scan with row ids (the data file and the
// row's position in it), run one query that says, per row, what happens to it, and hand the
// result to delta::CommitRowChanges: the rows to delete by position (deletion vectors or file
// rewrites) and the rows to add, in one commit that read the snapshot the query scanned.

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <unordered_map>

#include <arrow/array/concatenate.h>
#include <arrow/compute/api.h>
#include <arrow/util/bit_util.h>
#include <nlohmann/json.hpp>

#include "basin/delta/file_stats.h"
#include "basin/delta/row_changes.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/snapshot_pin.h"
#include "basin/delta/write.h"
#include "basin/function/function.h"
#include "basin/session/file_table.h"
#include "basin/session/session.h"
#include "basin/session/session_internal.h"
#include "basin/session/statement_words.h"
#include "basin/sql/parser.h"
#include "basin/types/schema_json.h"

namespace basin::session {
namespace {

constexpr const char* kTargetRelation = "__basin_dml_target";
constexpr const char* kFileColumn = "__basin_file";
constexpr const char* kRowColumn = "__basin_row";
constexpr const char* kSourceFlag = "__basin_source";


sql::ExprPtr Column(std::vector<std::string> parts) {
  auto e = std::make_unique<sql::Expr>();
  e->kind = sql::ExprKind::kColumn;
  e->name_parts = std::move(parts);
  return e;
}

sql::ExprPtr BoolLiteral(bool value) {
  auto e = std::make_unique<sql::Expr>();
  e->kind = sql::ExprKind::kLiteral;
  e->literal_kind = sql::LiteralKind::kBoolean;
  e->text = value ? "true" : "false";
  return e;
}

sql::SelectItem Item(sql::ExprPtr expr, const std::string& alias) {
  sql::SelectItem item;
  item.expr = std::move(expr);
  item.alias = alias;
  return item;
}

sql::RelationPtr TableRelation(const std::string& name, const std::string& alias) {
  auto r = std::make_unique<sql::Relation>();
  r->kind = sql::RelationKind::kTable;
  r->name_parts = {name};
  r->alias = alias;
  return r;
}

// The smallest source offset in an expression tree: where its text starts.
int StartOffset(const sql::Expr& e) {
  int offset = e.pos.offset;
  for (const auto& c : e.children) {
    if (c) offset = std::min(offset, StartOffset(*c));
  }
  return offset;
}

// The text of an expression that starts at `start` in `text` (offsets of the whole script,
// `base` being the statement's own offset) and ends before the first top-level keyword of
// `stops` (or the end).
}  // namespace

std::string ExpressionText(const std::string& text, int base, const sql::Expr& expr,
                           const std::vector<std::string>& stops) {
  size_t start = static_cast<size_t>(std::max(0, StartOffset(expr) - base));
  if (start > text.size()) return sql::ToString(expr);
  size_t end = text.size();
  int depth = 0;
  char quote = 0;
  for (size_t i = start; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      quote = c;
      continue;
    }
    if (c == ',' && depth == 0 &&
        std::find(stops.begin(), stops.end(), ",") != stops.end()) {
      end = i;
      break;
    }
    if (c == '(') ++depth;
    if (c == ')') {
      if (depth == 0) {
        end = i;
        break;
      }
      --depth;
    }
    if (depth == 0 && (i == 0 || std::isspace(static_cast<unsigned char>(text[i - 1])))) {
      bool stop = false;
      for (const auto& s : stops) {
        if (text.size() - i >= s.size() && Upper(text.substr(i, s.size())) == s &&
            (i + s.size() == text.size() ||
             !std::isalnum(static_cast<unsigned char>(text[i + s.size()])))) {
          stop = true;
        }
      }
      if (stop) {
        end = i;
        break;
      }
    }
  }
  std::string out = text.substr(start, end - start);
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  // A condition that began with '(' lost it to the leftmost child's offset: put it back.
  int balance = 0;
  for (char c : out) balance += c == '(' ? 1 : c == ')' ? -1 : 0;
  size_t s = start;
  while (balance < 0 && s > 0) {
    --s;
    if (text[s] == '(') ++balance;
  }
  if (s < start) out = text.substr(s, start - s) + out;
  return out;
}

namespace {

bool IsNumeric(const arrow::DataType& t) {
  return arrow::is_integer(t.id()) || arrow::is_floating(t.id()) || arrow::is_decimal(t.id());
}

// Whether a value of `from` may be written into a column of `to`. Delta's write path casts with
// ANSI semantics, so a bad value fails at run time (CAST_INVALID_INPUT, CAST_OVERFLOW); only
// impossible casts are refused up front.
bool CanStoreAssign(const arrow::DataType& from, const arrow::DataType& to) {
  return from.Equals(to) || from.id() == arrow::Type::NA || function::CanCast(from, to);
}

// Row positions by the ordinal of their live file (a row id's __basin_file: the file's position
// in the snapshot's live files, which the scan read at the same version), gathered in a
// vector and keyed by path once at the end: a string-keyed map lookup per row costs more than
// the rest of a row's work.
class RowsByFile {
 public:
  explicit RowsByFile(const delta::Snapshot& snapshot) : rows_(snapshot.files().size()) {}

  Roaring64Map& operator[](int64_t ordinal) { return rows_[static_cast<size_t>(ordinal)]; }

  /// Moves the non-empty sets into `out`, keyed by the files' paths.
  void MoveInto(const delta::Snapshot& snapshot, std::map<std::string, Roaring64Map>* out) {
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (!rows_[i].isEmpty()) (*out)[snapshot.files()[i].path] = std::move(rows_[i]);
    }
  }

 private:
  std::vector<Roaring64Map> rows_;
};

// The rows of the live files a scan reads (all of them, or `only` those), from the files'
// statistics; nullopt when a file has none.
std::optional<int64_t> ScannedRows(const delta::Snapshot& snapshot,
                                   const std::optional<std::vector<std::string>>& only) {
  std::set<std::string> wanted;
  if (only) wanted.insert(only->begin(), only->end());
  int64_t rows = 0;
  for (const auto& f : snapshot.files()) {
    if (only && !wanted.count(f.path)) continue;
    auto n = delta::StatsRecordCount(f);
    if (!n) return std::nullopt;
    rows += *n;
  }
  return rows;
}

// A scan of the target at the snapshot's version with the row-id columns (__basin_file,
// __basin_row) after its own.
Result<std::shared_ptr<plan::PlanNode>> RowIdScan(const std::string& location,
                                                  const delta::Snapshot& snapshot) {
  ASSIGN_OR_RAISE(auto scan, analyzer::DeltaTableScan(location, {snapshot.version(), {}}));
  auto node = std::make_shared<plan::PlanNode>(*scan);
  node->with_row_id = true;
  ASSIGN_OR_RAISE(node->schema, node->schema->AddField(node->schema->num_fields(),
                                                       arrow::field(kFileColumn, arrow::int64())));
  ASSIGN_OR_RAISE(node->schema, node->schema->AddField(node->schema->num_fields(),
                                                       arrow::field(kRowColumn, arrow::int64())));
  if (!node->column_distinct.empty()) {
    node->column_distinct.push_back(-1);
    node->column_distinct.push_back(-1);
  }
  return node;
}

// DELETE returns the number of affected rows (TRUNCATE returns nothing).
StatementResult DeletedRowsResult(int64_t rows, StatementResult result, bool truncate) {
  if (truncate) return result;
  result.table = LongRow({{"num_affected_rows", rows}});
  return result;
}

}  // namespace

Result<std::optional<std::vector<std::string>>> Session::MergeTouchedFiles(
    const std::string& statement_text, const sql::Expr& condition,
    const std::string& target_alias, const std::string& source_alias,
    const delta::Snapshot& snapshot) {
  std::optional<std::vector<std::string>> none;
  if (snapshot.column_mapping_mode() != "none" || snapshot.files().size() < 2) return none;
  // An equality `target.k = source.e` among the ON condition's conjuncts.
  std::string target_column, source_column;
  std::vector<const sql::Expr*> conjuncts = {&condition};
  while (!conjuncts.empty() && target_column.empty()) {
    const sql::Expr* e = conjuncts.back();
    conjuncts.pop_back();
    if (e->kind != sql::ExprKind::kBinary) continue;
    if (e->binary_op == sql::BinaryOp::kAnd) {
      conjuncts.push_back(e->children[0].get());
      conjuncts.push_back(e->children[1].get());
      continue;
    }
    if (e->binary_op != sql::BinaryOp::kEq) continue;
    const sql::Expr* l = e->children[0].get();
    const sql::Expr* r = e->children[1].get();
    auto qualified = [](const sql::Expr* x, const std::string& alias) {
      return x->kind == sql::ExprKind::kColumn && x->name_parts.size() == 2 &&
             Lower(x->name_parts[0]) == Lower(alias);
    };
    if (qualified(r, target_alias) && qualified(l, source_alias)) std::swap(l, r);
    if (qualified(l, target_alias) && qualified(r, source_alias)) {
      target_column = l->name_parts[1];
      source_column = r->name_parts[1];
    }
  }
  if (target_column.empty()) return none;
  std::shared_ptr<arrow::Field> key_field;
  for (const auto& f : snapshot.schema()->fields()) {
    if (Lower(f->name()) == Lower(target_column)) key_field = f;
  }
  if (!key_field || !arrow::is_integer(key_field->type()->id())) return none;
  for (const auto& p : snapshot.metadata().partition_columns) {
    if (Lower(p) == Lower(target_column)) return none;
  }
  // The source's keys, sorted (the statement is parsed again for a fresh source relation).
  ASSIGN_OR_RAISE(auto copy, sql::ParseStatement(statement_text));
  sql::Query keys_query;
  keys_query.kind = sql::QueryKind::kSelect;
  keys_query.select_items.push_back(Item(Column({source_alias, source_column}), "k"));
  if (!copy->merge->source->alias) copy->merge->source->alias = source_alias;
  keys_query.from = std::move(copy->merge->source);
  auto keys_table = RunQueryAst(keys_query);
  if (!keys_table.ok()) return none;  // the join reports real errors
  std::vector<int64_t> keys;
  keys.reserve(static_cast<size_t>((*keys_table)->num_rows()));
  for (const auto& chunk : (*keys_table)->column(0)->chunks()) {
    if (!arrow::is_integer(chunk->type_id())) return none;
    ASSIGN_OR_RAISE(auto as64, arrow::compute::Cast(chunk, arrow::int64()));
    auto values = std::static_pointer_cast<arrow::Int64Array>(as64.make_array());
    for (int64_t i = 0; i < values->length(); ++i) {
      if (values->IsValid(i)) keys.push_back(values->Value(i));
    }
  }
  // Sources are often in key order already: checking that is one pass, sorting is several.
  if (!std::is_sorted(keys.begin(), keys.end())) std::sort(keys.begin(), keys.end());
  std::vector<std::string> touched;
  for (const auto& f : snapshot.files()) {
    auto stats = nlohmann::json::parse(f.stats.value_or("{}"), nullptr, false);
    const std::string& name = key_field->name();
    bool known = stats.is_object() && stats.contains("minValues") &&
                 stats.contains("maxValues") && stats["minValues"].contains(name) &&
                 stats["maxValues"].contains(name) && stats["minValues"][name].is_number() &&
                 stats["maxValues"][name].is_number();
    if (!known) {
      touched.push_back(f.path);
      continue;
    }
    int64_t lo = stats["minValues"][name].get<int64_t>();
    int64_t hi = stats["maxValues"][name].get<int64_t>();
    auto it = std::lower_bound(keys.begin(), keys.end(), lo);
    if (it != keys.end() && *it <= hi) touched.push_back(f.path);
  }
  if (touched.size() == snapshot.files().size()) return none;
  return std::optional<std::vector<std::string>>(std::move(touched));
}

Result<std::shared_ptr<arrow::Table>> Session::StoreAssign(
    const std::shared_ptr<arrow::Table>& data, const std::shared_ptr<arrow::Schema>& target,
    const std::string& table_name) {
  if (data->num_columns() != target->num_fields()) {
    return InternalError("store assignment with mismatched column counts");
  }
  auto eval = ExecutionOptions().eval;
  eval.ansi = true;
  arrow::ChunkedArrayVector columns;
  arrow::FieldVector fields;
  for (int i = 0; i < target->num_fields(); ++i) {
    auto field = target->field(i);
    auto column = data->column(i);
    const auto& from = *column->type();
    if (!from.Equals(*field->type())) {
      if (!CanStoreAssign(from, *field->type())) {
        return UserError("INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST",
                         "Cannot write incompatible data for the table " + table_name +
                             ": Cannot safely cast `" + field->name() + "` \"" +
                             Upper(types::SparkTypeName(from)) + "\" to \"" +
                             Upper(types::SparkTypeName(*field->type())) + "\".");
      }
      arrow::ArrayVector chunks;
      for (const auto& chunk : column->chunks()) {
        ASSIGN_OR_RAISE(auto cast, function::Cast(arrow::Datum(chunk), field->type(),
                                                   /*try_cast=*/false, eval));
        chunks.push_back(cast.make_array());
      }
      column = std::make_shared<arrow::ChunkedArray>(chunks, field->type());
    }
    if (!field->nullable() && column->null_count() > 0) {
      return UserError("DELTA_NOT_NULL_CONSTRAINT_VIOLATED",
                       "NOT NULL constraint violated for column: " + field->name() + ".");
    }
    columns.push_back(column);
    fields.push_back(field);
  }
  return arrow::Table::Make(arrow::schema(fields), columns, data->num_rows());
}

Status Session::EnforceConstraints(const delta::Metadata& metadata,
                                  const std::shared_ptr<arrow::Table>& rows) {
  if (!rows || rows->num_rows() == 0) return Status::OK();
  for (const auto& [key, expr] : metadata.configuration) {
    const std::string prefix = "delta.constraints.";
    if (key.rfind(prefix, 0) != 0) continue;
    auto node = std::make_shared<plan::PlanNode>();
    node->kind = plan::PlanKind::kValues;
    node->values = rows;
    node->schema = rows->schema();
    statement_relations_["__basin_new_rows"] = node;
    auto bad = Sql("SELECT * FROM __basin_new_rows WHERE NOT coalesce((" + expr +
                   "), false) LIMIT 1");
    statement_relations_.erase("__basin_new_rows");
    RETURN_NOT_OK(bad.status());
    if ((*bad)->num_rows() > 0) {
      std::string values;
      for (int c = 0; c < (*bad)->num_columns(); ++c) {
        auto scalar = (*bad)->column(c)->GetScalar(0);
        values += "\n - " + (*bad)->schema()->field(c)->name() + " : " +
                  (scalar.ok() && (*scalar)->is_valid ? (*scalar)->ToString() : "null");
      }
      return UserError("DELTA_VIOLATE_CONSTRAINT_WITH_VALUES",
                       "CHECK constraint " + key.substr(prefix.size()) + " (" + expr +
                           ") violated by row with values:" + values);
    }
  }
  return Status::OK();
}

Result<std::shared_ptr<arrow::Table>> Session::ApplyGeneratedColumns(
    const arrow::Schema& table_schema, std::shared_ptr<arrow::Table> rows,
    const std::vector<bool>& provided) {
  if (!rows || rows->num_rows() == 0) return rows;
  for (int i = 0; i < table_schema.num_fields(); ++i) {
    const auto& field = table_schema.field(i);
    if (!field->metadata() || !field->metadata()->Contains("delta.generationExpression")) continue;
    std::string expr = field->metadata()->Get("delta.generationExpression").ValueOr("");
    auto node = std::make_shared<plan::PlanNode>();
    node->kind = plan::PlanKind::kValues;
    node->values = rows;
    node->schema = rows->schema();
    statement_relations_["__basin_new_rows"] = node;
    auto computed = Sql("SELECT " + expr + " AS g FROM __basin_new_rows");
    statement_relations_.erase("__basin_new_rows");
    RETURN_NOT_OK(computed.status());
    ASSIGN_OR_RAISE(auto typed, StoreAssign(*computed, arrow::schema({field}), field->name()));
    auto column = typed->column(0);
    if (provided[static_cast<size_t>(i)]) {
      // The given values must equal the expression's (null-safe).
      ASSIGN_OR_RAISE(auto given, arrow::Concatenate(rows->column(i)->chunks()));
      ASSIGN_OR_RAISE(auto wanted, arrow::Concatenate(column->chunks()));
      for (int64_t r = 0; r < given->length(); ++r) {
        ASSIGN_OR_RAISE(auto a, given->GetScalar(r));
        ASSIGN_OR_RAISE(auto b, wanted->GetScalar(r));
        if (a->Equals(*b)) continue;
        return UserError("DELTA_VIOLATE_CONSTRAINT_WITH_VALUES",
                         "CHECK constraint Generated Column (" + field->name() + " <=> " + expr +
                             ") violated by row with values:\n - " + field->name() + " : " +
                             (a->is_valid ? a->ToString() : "null"));
      }
      continue;
    }
    ASSIGN_OR_RAISE(rows, rows->SetColumn(i, rows->schema()->field(i), column));
  }
  return rows;
}

Result<std::shared_ptr<arrow::Schema>> Session::FillIdentityColumns(
    const arrow::Schema& table_schema, std::shared_ptr<arrow::Table>* rows,
    const std::vector<bool>& provided, bool only_nulls) {
  arrow::FieldVector fields = table_schema.fields();
  bool changed = false;
  for (int i = 0; i < table_schema.num_fields(); ++i) {
    const auto& meta = fields[static_cast<size_t>(i)]->metadata();
    if (!meta || !meta->Contains("delta.identity.start")) continue;
    const std::string& name = fields[static_cast<size_t>(i)]->name();
    bool explicit_allowed = meta->Get("delta.identity.allowExplicitInsert").ValueOr("") == "true";
    if (provided[static_cast<size_t>(i)]) {
      if (!explicit_allowed) {
        return UserError("DELTA_IDENTITY_COLUMNS_EXPLICIT_INSERT_NOT_SUPPORTED",
                         "Providing values for GENERATED ALWAYS AS IDENTITY column " + name +
                             " is not supported.");
      }
      continue;
    }
    int64_t start = std::stoll(meta->Get("delta.identity.start").ValueOr("1"));
    int64_t step = std::stoll(meta->Get("delta.identity.step").ValueOr("1"));
    auto hwm_text = meta->Get("delta.identity.highWaterMark");
    int64_t next = hwm_text.ok() ? std::stoll(*hwm_text) + step : start;
    ASSIGN_OR_RAISE(auto current, arrow::Concatenate((*rows)->column(i)->chunks()));
    arrow::Int64Builder values;
    int64_t last = 0;
    bool any = false;
    for (int64_t r = 0; r < (*rows)->num_rows(); ++r) {
      if (only_nulls && current->IsValid(r)) {
        RETURN_NOT_OK(values.Append(std::static_pointer_cast<arrow::Int64Array>(current)->Value(r)));
        continue;
      }
      RETURN_NOT_OK(values.Append(next));
      last = next;
      any = true;
      next += step;
    }
    ASSIGN_OR_RAISE(auto array, values.Finish());
    ASSIGN_OR_RAISE(*rows, (*rows)->SetColumn(i, (*rows)->schema()->field(i),
                                              std::make_shared<arrow::ChunkedArray>(array)));
    if (any) {
      auto updated = meta->Copy();
      RETURN_NOT_OK(updated->Set("delta.identity.highWaterMark", std::to_string(last)));
      fields[static_cast<size_t>(i)] = fields[static_cast<size_t>(i)]->WithMetadata(updated);
      changed = true;
    }
  }
  if (!changed) return std::shared_ptr<arrow::Schema>();
  return arrow::schema(fields);
}

Result<StatementResult> Session::RunDataStatement(sql::Statement& statement) {
  StatementResult result;
  result.statement = statement.text;
  using K = sql::StatementKind;
  // Only the statement's own relations: others (Connect local relations) stay registered.
  auto drop_own = [this] {
    statement_relations_.erase(kTargetRelation);
    statement_relations_.erase("__basin_new_rows");
  };
  drop_own();
  Result<StatementResult> out = InternalError("not a data statement");
  switch (statement.kind) {
    case K::kInsert: out = InsertStatement(statement, result); break;
    case K::kDelete: out = DeleteStatement(statement, result); break;
    case K::kUpdate: out = UpdateStatement(statement, result); break;
    case K::kMerge: out = MergeStatement(statement, result); break;
    case K::kTruncate: out = DeleteStatement(statement, result); break;
    default: break;
  }
  drop_own();
  InvalidateCache();
  return out;
}

Result<StatementResult> Session::InsertStatement(sql::Statement& statement,
                                                 StatementResult result) {
  sql::Insert& insert = *statement.insert;
  ASSIGN_OR_RAISE(auto table, GetTable(insert.table, /*table_only=*/true));
  // A table of plain data files (USING parquet/json/csv/text) gets a new part file instead of a
  // Delta commit.
  const bool files = table.format != "delta";
  if (insert.if_not_exists) {
    return UserError("UNSUPPORTED_FEATURE", "INSERT ... IF NOT EXISTS is not supported.");
  }
  if (files && insert.replace_where) {
    return UserError("UNSUPPORTED_FEATURE.TABLE_OPERATION",
                     "INSERT ... REPLACE WHERE needs a Delta table; " + table.name.Quoted() +
                         " is " + table.format + ".");
  }
  ASSIGN_OR_RAISE(auto root, io::ResolveLocation(table.location));
  std::shared_ptr<const delta::Snapshot> snapshot;
  std::shared_ptr<arrow::Schema> target;
  std::vector<std::string> file_partitions;
  if (files) {
    ASSIGN_OR_RAISE(auto empty, Sql("SELECT * FROM " + table.name.Quoted() + " LIMIT 0"));
    target = empty->schema();
    if (table.info) file_partitions = FileTablePartitionColumns(table.info->properties);
  } else {
    ASSIGN_OR_RAISE(snapshot, delta::Snapshot::Load(root));
    target = snapshot->schema();
  }
  const auto& partition_columns = files ? file_partitions : snapshot->metadata().partition_columns;
  if (files && !insert.partition.empty()) {
    // Spark's rules for a PARTITION clause on a table of files: it names every partition
    // column, and the ones with values come before the ones without.
    bool all = insert.partition.size() == partition_columns.size();
    for (const auto& p : partition_columns) {
      all = all && std::any_of(insert.partition.begin(), insert.partition.end(),
                               [&](const auto& spec) { return Lower(spec.first) == Lower(p); });
    }
    bool known =
        std::all_of(insert.partition.begin(), insert.partition.end(), [&](const auto& spec) {
          return std::any_of(partition_columns.begin(), partition_columns.end(),
                             [&](const std::string& p) { return Lower(spec.first) == Lower(p); });
        });
    if (known && !all) {
      std::string requested, declared;
      for (const auto& [n, v] : insert.partition) requested += (requested.empty() ? "" : ",") + n;
      for (const auto& p : partition_columns) declared += (declared.empty() ? "" : ",") + p;
      return UserError("_LEGACY_ERROR_TEMP_1169",
                       "Requested partitioning does not match the table " + table.name.Quoted() +
                           ":\nRequested partitions: " + requested +
                           "\nTable partitions: " + declared);
    }
    if (known) {
      bool seen_dynamic = false;
      for (const auto& p : partition_columns) {
        for (const auto& [n, v] : insert.partition) {
          if (Lower(n) != Lower(p)) continue;
          if (!v) {
            seen_dynamic = true;
          } else if (seen_dynamic) {
            std::string declared;
            for (const auto& c : partition_columns) declared += (declared.empty() ? "" : ",") + c;
            return UserError("_LEGACY_ERROR_TEMP_1147",
                             "The ordering of partition columns is [" + declared +
                                 "]. All partition columns having constant values need to "
                                 "appear before other partition columns that do not have an "
                                 "assigned constant value.");
          }
        }
      }
    }
  }
  auto find = [&](const std::string& name) -> int {
    for (int i = 0; i < target->num_fields(); ++i) {
      if (Lower(target->field(i)->name()) == Lower(name)) return i;
    }
    return -1;
  };

  // Static partition values (PARTITION (p = v)) are constants; `PARTITION (p)` is dynamic.
  std::map<int, std::shared_ptr<arrow::Scalar>> static_values;
  std::map<std::string, std::optional<std::string>> static_texts;  // files: folder text
  std::vector<std::string> overwrite_predicates;
  for (auto& [name, value] : insert.partition) {
    int i = find(name);
    if (i < 0 || std::find_if(partition_columns.begin(), partition_columns.end(),
                              [&](const std::string& p) { return Lower(p) == Lower(name); }) ==
                     partition_columns.end()) {
      return UserError("PARTITIONS_NOT_FOUND",
                       "The partition(s) PARTITION (`" + name + "`) cannot be found in table " +
                           table.name.Quoted() + ".");
    }
    if (!value) continue;
    sql::Query q;
    q.kind = sql::QueryKind::kSelect;
    q.select_items.push_back(Item(std::move(value), "v"));
    ASSIGN_OR_RAISE(auto v, RunQueryAst(q));
    ASSIGN_OR_RAISE(auto scalar, v->column(0)->GetScalar(0));
    static_values[i] = scalar;
    if (files) {
      // The folder text of the value as the column's type holds it.
      auto context = ExecutionOptions().eval;
      ASSIGN_OR_RAISE(auto typed, function::Cast(arrow::Datum(scalar), target->field(i)->type(),
                                                 /*try_cast=*/false, context));
      ASSIGN_OR_RAISE(static_texts[target->field(i)->name()],
                      PartitionValueText(*typed.scalar(), context));
    }
    std::string literal = scalar->is_valid ? scalar->ToString() : "NULL";
    if (scalar->is_valid && !IsNumeric(*scalar->type)) literal = "'" + literal + "'";
    overwrite_predicates.push_back(
        scalar->is_valid ? target->field(i)->name() + " = " + literal
                         : target->field(i)->name() + " IS NULL");
  }

  // INSERT ... VALUES (..., DEFAULT, ...): the column's default value (NULL without one).
  if (insert.query->kind == sql::QueryKind::kValues && !insert.by_name) {
    std::vector<int> targets;  // the table column of each VALUES position
    if (!insert.columns.empty()) {
      for (const auto& n : insert.columns) targets.push_back(find(n));
    } else {
      for (int i = 0; i < target->num_fields(); ++i) {
        if (!static_values.count(i)) targets.push_back(i);
      }
    }
    for (auto& row : insert.query->values) {
      for (size_t j = 0; j < row.size() && j < targets.size(); ++j) {
        auto& cell = row[j];
        if (!cell || cell->kind != sql::ExprKind::kColumn || cell->name_parts.size() != 1 ||
            Lower(cell->name_parts[0]) != "default" || targets[j] < 0) {
          continue;
        }
        const auto& meta = target->field(targets[j])->metadata();
        std::string text = meta && meta->Contains("CURRENT_DEFAULT")
                               ? meta->Get("CURRENT_DEFAULT").ValueOr("NULL")
                               : "NULL";
        ASSIGN_OR_RAISE(cell, sql::ParseExpression(text));
      }
    }
  }
  ASSIGN_OR_RAISE(auto data, RunQueryAst(*insert.query));
  // Which table column each data column fills.
  std::vector<int> columns_of_data;
  if (!insert.columns.empty() || insert.by_name) {
    std::vector<std::string> names = insert.columns;
    if (insert.by_name) {
      names.clear();
      for (const auto& f : data->schema()->fields()) names.push_back(f->name());
    }
    if (names.size() != static_cast<size_t>(data->num_columns())) {
      return UserError("INSERT_COLUMN_ARITY_MISMATCH." +
                           std::string(names.size() > static_cast<size_t>(data->num_columns())
                                           ? "NOT_ENOUGH_DATA_COLUMNS"
                                           : "TOO_MANY_DATA_COLUMNS"),
                       "Cannot write to " + table.name.Quoted() + ", the reason is " +
                           (names.size() > static_cast<size_t>(data->num_columns())
                                ? "not enough"
                                : "too many") +
                           " data columns.");
    }
    std::set<int> seen;
    for (const auto& n : names) {
      int i = find(n);
      if (i < 0) {
        return UserError("UNRESOLVED_COLUMN.WITH_SUGGESTION",
                         "A column, variable, or function parameter with name `" + n +
                             "` cannot be resolved. Did you mean one of the following? [" +
                             [&] {
                               std::string s;
                               for (const auto& f : target->fields()) {
                                 s += (s.empty() ? "`" : ", `") + f->name() + "`";
                               }
                               return s;
                             }() +
                             "].");
      }
      if (!seen.insert(i).second || static_values.count(i)) {
        return UserError("COLUMN_ALREADY_EXISTS",
                         "The column `" + n + "` already exists. Choose another name or rename "
                         "the existing column.");
      }
      columns_of_data.push_back(i);
    }
  } else {
    for (int i = 0; i < target->num_fields(); ++i) {
      if (!static_values.count(i)) columns_of_data.push_back(i);
    }
    if (columns_of_data.size() != static_cast<size_t>(data->num_columns())) {
      bool too_few = columns_of_data.size() > static_cast<size_t>(data->num_columns());
      if (files) {
        return UserError(std::string("INSERT_COLUMN_ARITY_MISMATCH.") +
                             (too_few ? "NOT_ENOUGH_DATA_COLUMNS" : "TOO_MANY_DATA_COLUMNS"),
                         "Cannot write to " + table.name.Quoted() + ", the reason is " +
                             (too_few ? "not enough" : "too many") + " data columns: table "
                             "columns " + std::to_string(columns_of_data.size()) +
                             ", data columns " + std::to_string(data->num_columns()) + ".");
      }
      if (!too_few) {
        // Delta treats extra columns as a schema change that was not asked for.
        return UserError("DELTA_METADATA_MISMATCH",
                         "A schema mismatch detected when writing to the Delta table " +
                             table.name.Quoted() + ": the data has " +
                             std::to_string(data->num_columns()) + " columns, the table " +
                             std::to_string(columns_of_data.size()) +
                             ". To enable schema migration use MERGE WITH SCHEMA EVOLUTION or "
                             "the mergeSchema option.");
      }
      return UserError(
          "DELTA_INSERT_COLUMN_ARITY_MISMATCH",
          "Cannot write to " + table.name.Quoted() + ", not enough data columns; target table "
              "has " + std::to_string(columns_of_data.size()) + " column(s) but the inserted "
              "data has " + std::to_string(data->num_columns()) + " column(s).\nTable columns: " +
              [&] {
                std::string s;
                for (int i : columns_of_data) {
                  s += (s.empty() ? "`" : ", `") + target->field(i)->name() + "`";
                }
                return s;
              }() +
              ".\nData columns: " +
              [&] {
                std::string s;
                for (const auto& f : data->schema()->fields()) {
                  s += (s.empty() ? "`" : ", `") + f->name() + "`";
                }
                return s;
              }() +
              ".");
    }
  }
  // Assemble the rows in table order: data columns, static values, nulls for the rest.
  arrow::ChunkedArrayVector columns(static_cast<size_t>(target->num_fields()));
  for (size_t d = 0; d < columns_of_data.size(); ++d) {
    columns[static_cast<size_t>(columns_of_data[d])] = data->column(static_cast<int>(d));
  }
  for (int i = 0; i < target->num_fields(); ++i) {
    if (columns[static_cast<size_t>(i)]) continue;
    std::shared_ptr<arrow::Scalar> value = std::make_shared<arrow::NullScalar>();
    auto s = static_values.find(i);
    if (s != static_values.end()) {
      value = s->second;
    } else if (const auto& meta = target->field(i)->metadata();
               meta && meta->Contains("CURRENT_DEFAULT")) {
      // A column left out takes its DEFAULT.
      ASSIGN_OR_RAISE(auto v, Sql("SELECT " + meta->Get("CURRENT_DEFAULT").ValueOr("NULL")));
      ASSIGN_OR_RAISE(value, v->column(0)->GetScalar(0));
    }
    ASSIGN_OR_RAISE(auto array, arrow::MakeArrayFromScalar(*value, data->num_rows()));
    columns[static_cast<size_t>(i)] = std::make_shared<arrow::ChunkedArray>(array);
  }
  arrow::FieldVector fields;
  for (int i = 0; i < target->num_fields(); ++i) {
    fields.push_back(arrow::field(target->field(i)->name(), columns[static_cast<size_t>(i)]->type()));
  }
  auto rows = arrow::Table::Make(arrow::schema(fields), columns, data->num_rows());
  ASSIGN_OR_RAISE(rows, StoreAssign(rows, target, table.name.Quoted()));
  if (files) {
    FileTableWrite write;
    write.format = table.format;
    if (table.info) {
      for (const auto& [k, v] : table.info->properties) {
        if (k.rfind("option.", 0) == 0) write.options[Lower(k.substr(7))] = v;
      }
    }
    write.partition_columns = partition_columns;
    write.overwrite = insert.overwrite;
    write.dynamic_overwrite =
        Lower(GetConfig("spark.sql.sources.partitionOverwriteMode").value_or("static")) ==
        "dynamic";
    write.static_values = static_texts;
    const bool listed = table.info && !partition_columns.empty() &&
                        FileTablePartitionsInCatalog(table.info->properties);
    if (listed) {
      for (const auto& partition : FileTablePartitions(table.info->properties)) {
        if (!partition.location.empty()) {
          write.partition_locations[partition.folder] = partition.location;
        }
      }
    }
    ASSIGN_OR_RAISE(auto written, WriteFileTableRows(root, rows, write, ExecutionOptions().eval));
    if (listed) {
      // The catalog lists the partitions written (and no longer the ones overwritten).
      ASSIGN_OR_RAISE(auto* store, Metastore());
      catalog::TableInfo info = *table.info;
      RecordFileTableWrite(write, written, &info.properties);
      if (info.properties != table.info->properties) RETURN_NOT_OK(store->AlterTable(info));
    }
    return result;
  }
  std::shared_ptr<arrow::Schema> identity_schema;
  {
    std::vector<bool> provided(static_cast<size_t>(target->num_fields()), false);
    for (int i : columns_of_data) provided[static_cast<size_t>(i)] = true;
    for (const auto& [i, v] : static_values) provided[static_cast<size_t>(i)] = true;
    ASSIGN_OR_RAISE(identity_schema, FillIdentityColumns(*target, &rows, provided, false));
    ASSIGN_OR_RAISE(rows, ApplyGeneratedColumns(*target, rows, provided));
  }
  RETURN_NOT_OK(EnforceConstraints(snapshot->metadata(), rows));

  delta::WriteOptions options;
  options.mode = insert.overwrite || insert.replace_where ? delta::SaveMode::kOverwrite
                                                          : delta::SaveMode::kAppend;
  if (insert.replace_where) {
    options.replace_where = ExpressionText(statement.text, statement.pos.offset,
                                           *insert.replace_where, {"SELECT", "WITH", "VALUES",
                                                                   "TABLE", "FROM"});
  } else if (insert.overwrite && !overwrite_predicates.empty()) {
    std::string where;
    for (const auto& p : overwrite_predicates) where += (where.empty() ? "" : " AND ") + p;
    options.replace_where = where;
  }
  options.constraints_checked = true;
  options.updated_table_schema = identity_schema;
  ASSIGN_OR_RAISE(auto written, delta::WriteTable(root, rows, options));
  (void)written;
  return result;
}

Result<StatementResult> Session::DeleteStatement(sql::Statement& statement,
                                                 StatementResult result) {
  bool truncate = statement.kind == sql::StatementKind::kTruncate;
  ASSIGN_OR_RAISE(auto table, GetTable(statement.name, /*table_only=*/true));
  if (truncate && table.format != "delta") {
    StatementWords w(statement.words);
    return PartitionStatement("TRUNCATE TABLE", statement.name, w, result);
  }
  if (truncate && !statement.words.empty()) {
    return UserError("DELTA_TRUNCATE_TABLE_PARTITION_NOT_SUPPORTED",
                     "Operation not allowed: TRUNCATE TABLE on Delta tables does not support "
                     "partition predicates; use DELETE to delete specific partitions or rows.");
  }
  if (table.format != "delta") {
    return UserError("UNSUPPORTED_FEATURE.TABLE_OPERATION",
                     "DELETE supports Delta tables only.");
  }
  ASSIGN_OR_RAISE(auto root, io::ResolveLocation(table.location));
  ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root));
  // The target's analysis and scan read this snapshot, and the reload after the commit (for a
  // checkpoint) replays only the new commit on top of it.
  delta::SnapshotPin pin(snapshot);
  std::string predicate_text;
  delta::RowChanges changes;
  changes.operation = truncate ? "TRUNCATE" : "DELETE";
  if (!statement.where) {
    // Every row goes: whole files are removed without reading them.
    for (const auto& f : snapshot->files()) {
      Roaring64Map all;
      const int64_t n = delta::StatsRecordCount(f).value_or(-1);
      if (n < 0) break;  // no statistics: count the rows below
      for (int64_t r = 0; r < n; ++r) all.add(static_cast<uint64_t>(r));
      changes.deleted_rows[f.path] = std::move(all);
    }
  }
  if (statement.where || changes.deleted_rows.size() != snapshot->files().size()) {
    changes.deleted_rows.clear();
    ASSIGN_OR_RAISE(auto node, RowIdScan(table.location, *snapshot));
    statement_relations_[kTargetRelation] = node;
    sql::Query query;
    query.kind = sql::QueryKind::kSelect;
    std::string alias = statement.alias.value_or(statement.name.back());
    query.from = TableRelation(kTargetRelation, alias);
    query.select_items.push_back(Item(Column({alias, kFileColumn}), kFileColumn));
    query.select_items.push_back(Item(Column({alias, kRowColumn}), kRowColumn));
    if (statement.where) {
      predicate_text = ExpressionText(statement.text, statement.pos.offset, *statement.where, {});
      query.where = std::move(statement.where);
    }
    ASSIGN_OR_RAISE(auto ids, RunQueryAst(query));
    if (ids->num_rows() == 0) return DeletedRowsResult(0, result, truncate);
    ASSIGN_OR_RAISE(auto combined, ids->CombineChunks());
    auto files = std::static_pointer_cast<arrow::Int64Array>(combined->column(0)->chunk(0));
    auto rows = std::static_pointer_cast<arrow::Int64Array>(combined->column(1)->chunk(0));
    RowsByFile deleted(*snapshot);
    for (int64_t i = 0; i < combined->num_rows(); ++i) {
      deleted[files->Value(i)].add(static_cast<uint64_t>(rows->Value(i)));
    }
    deleted.MoveInto(*snapshot, &changes.deleted_rows);
  }
  if (changes.deleted_rows.empty()) {
    return DeletedRowsResult(0, result, truncate);  // nothing matched: Delta commits nothing
  }
  nlohmann::json predicates = nlohmann::json::array();
  if (!predicate_text.empty()) predicates.push_back(predicate_text);
  changes.operation_parameters = {{"predicate", predicates.dump()}};
  changes.constraints_checked = true;
  ASSIGN_OR_RAISE(auto committed, delta::CommitRowChanges(snapshot, changes));
  return DeletedRowsResult(committed.deleted_rows, result, truncate);
}

Result<StatementResult> Session::UpdateStatement(sql::Statement& statement,
                                                 StatementResult result) {
  sql::Update& update = *statement.update;
  ASSIGN_OR_RAISE(auto table, GetTable(update.table, /*table_only=*/true));
  if (table.format != "delta") {
    return UserError("UNSUPPORTED_FEATURE.TABLE_OPERATION", "UPDATE supports Delta tables only.");
  }
  ASSIGN_OR_RAISE(auto root, io::ResolveLocation(table.location));
  ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root));
  // The target's analysis and scan read this snapshot, and the reload after the commit (for a
  // checkpoint) replays only the new commit on top of it.
  delta::SnapshotPin pin(snapshot);
  auto target = snapshot->schema();
  ASSIGN_OR_RAISE(auto node, RowIdScan(table.location, *snapshot));
  statement_relations_[kTargetRelation] = node;

  std::string alias = update.alias.value_or(update.table.back());
  sql::Query query;
  query.kind = sql::QueryKind::kSelect;
  query.from = TableRelation(kTargetRelation, alias);
  query.select_items.push_back(Item(Column({alias, kFileColumn}), kFileColumn));
  query.select_items.push_back(Item(Column({alias, kRowColumn}), kRowColumn));
  // SET targets: a column of the table (optionally qualified by the alias or table name).
  std::map<int, sql::ExprPtr> assigned;
  for (auto& a : update.assignments) {
    std::vector<std::string> column = a.column;
    if (column.size() > 1 && (Lower(column[0]) == Lower(alias) ||
                              Lower(column[0]) == Lower(update.table.back()))) {
      column.erase(column.begin());
    }
    if (column.size() != 1) {
      return UserError("UNSUPPORTED_FEATURE",
                       "UPDATE of a nested field is not supported yet: " + a.column.back() + ".");
    }
    int index = -1;
    for (int i = 0; i < target->num_fields(); ++i) {
      if (Lower(target->field(i)->name()) == Lower(column[0])) index = i;
    }
    if (index < 0) {
      return UserError("UNRESOLVED_COLUMN.WITH_SUGGESTION",
                       "A column, variable, or function parameter with name `" + column[0] +
                           "` cannot be resolved.");
    }
    if (assigned.count(index)) {
      return UserError("DELTA_CONFLICT_SET_COLUMN",
                       "There is a conflict from these SET columns: [`" + column[0] + "`].");
    }
    if (const auto& meta = target->field(index)->metadata();
        meta && meta->Contains("delta.identity.start")) {
      return UserError("DELTA_IDENTITY_COLUMNS_UPDATE_NOT_SUPPORTED",
                       "IDENTITY column " + target->field(index)->name() +
                           " cannot be updated.");
    }
    assigned[index] = std::move(a.value);
  }
  for (int i = 0; i < target->num_fields(); ++i) {
    auto it = assigned.find(i);
    sql::ExprPtr value =
        it != assigned.end() ? std::move(it->second) : Column({alias, target->field(i)->name()});
    query.select_items.push_back(Item(std::move(value), target->field(i)->name()));
  }
  std::string predicate_text;
  if (update.where) {
    predicate_text = ExpressionText(statement.text, statement.pos.offset, *update.where, {});
    query.where = std::move(update.where);
  }
  ASSIGN_OR_RAISE(auto rows, RunQueryAst(query));
  if (rows->num_rows() == 0) return result;
  ASSIGN_OR_RAISE(auto combined, rows->CombineChunks());
  delta::RowChanges changes;
  changes.operation = "UPDATE";
  auto files = std::static_pointer_cast<arrow::Int64Array>(combined->column(0)->chunk(0));
  auto positions = std::static_pointer_cast<arrow::Int64Array>(combined->column(1)->chunk(0));
  RowsByFile updated_rows(*snapshot);
  for (int64_t i = 0; i < combined->num_rows(); ++i) {
    updated_rows[files->Value(i)].add(static_cast<uint64_t>(positions->Value(i)));
  }
  updated_rows.MoveInto(*snapshot, &changes.deleted_rows);
  changes.updated_rows = changes.deleted_rows;
  std::vector<int> value_columns;
  for (int i = 0; i < target->num_fields(); ++i) value_columns.push_back(i + 2);
  ASSIGN_OR_RAISE(auto values, combined->SelectColumns(value_columns));
  ASSIGN_OR_RAISE(changes.new_rows, StoreAssign(values, target, table.name.Quoted()));
  changes.update_postimage_rows = changes.new_rows->num_rows();
  ASSIGN_OR_RAISE(changes.new_rows,
                  ApplyGeneratedColumns(*target, changes.new_rows,
                                        std::vector<bool>(target->num_fields(), false)));
  RETURN_NOT_OK(EnforceConstraints(snapshot->metadata(), changes.new_rows));
  nlohmann::json predicates = nlohmann::json::array();
  if (!predicate_text.empty()) predicates.push_back(predicate_text);
  changes.operation_parameters = {{"predicate", predicates.dump()}};
  changes.extra_metrics = {{"numUpdatedRows", std::to_string(combined->num_rows())},
                           {"numDeletedRows", nullptr}};
  changes.constraints_checked = true;
  ASSIGN_OR_RAISE(auto committed, delta::CommitRowChanges(snapshot, changes));
  (void)committed;
  result.table = LongRow({{"num_affected_rows", combined->num_rows()}});
  return result;
}

Result<StatementResult> Session::MergeStatement(sql::Statement& statement,
                                                StatementResult result) {
  sql::Merge& merge = *statement.merge;
  bool evolve = merge.schema_evolution ||
                Lower(GetConfig("spark.databricks.delta.schema.autoMerge.enabled")
                          .value_or("false")) == "true";
  ASSIGN_OR_RAISE(auto table, GetTable(merge.target, /*table_only=*/true));
  if (table.format != "delta") {
    return UserError("UNSUPPORTED_FEATURE.TABLE_OPERATION", "MERGE supports Delta tables only.");
  }
  ASSIGN_OR_RAISE(auto root, io::ResolveLocation(table.location));
  ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root));
  // The target's analysis and scan read this snapshot, and the reload after the commit (for a
  // checkpoint) replays only the new commit on top of it.
  delta::SnapshotPin pin(snapshot);
  auto target = snapshot->schema();
  ASSIGN_OR_RAISE(auto node, RowIdScan(table.location, *snapshot));
  statement_relations_[kTargetRelation] = node;
  std::string target_alias = merge.target_alias.value_or(merge.target.back());

  // Count the source rows on a fresh copy of the statement (the syntax tree is consumed below).
  int64_t num_source_rows = 0;
  {
    ASSIGN_OR_RAISE(auto copy, sql::ParseStatement(statement.text));
    sql::Query count;
    count.kind = sql::QueryKind::kSelect;
    auto star = std::make_unique<sql::Expr>();
    star->kind = sql::ExprKind::kFunction;
    star->name_parts = {"count"};
    auto one = std::make_unique<sql::Expr>();
    one->kind = sql::ExprKind::kLiteral;
    one->literal_kind = sql::LiteralKind::kInt;
    one->text = "1";
    star->children.push_back(std::move(one));
    count.select_items.push_back(Item(std::move(star), "n"));
    count.from = std::move(copy->merge->source);
    ASSIGN_OR_RAISE(auto counted, RunQueryAst(count));
    ASSIGN_OR_RAISE(auto scalar, counted->column(0)->GetScalar(0));
    num_source_rows = std::static_pointer_cast<arrow::Int64Scalar>(scalar)->value;
  }

  // The source, with a flag column that is null on rows without a source match.
  std::string source_alias;
  if (merge.source->alias) {
    source_alias = *merge.source->alias;
  } else if (merge.source->kind == sql::RelationKind::kTable) {
    source_alias = merge.source->name_parts.back();
  } else {
    source_alias = "__basin_source_relation";
  }
  // Schema evolution: UPDATE SET * and INSERT * add the source's new columns to the target
  // (at the end, nullable); target columns the source lacks keep their value (UPDATE) or get
  // null (INSERT).
  const int old_width = target->num_fields();
  std::set<std::string> source_names;
  bool star_clause = false;
  for (const auto& c : merge.clauses) {
    star_clause |= c.action == sql::MergeActionKind::kUpdateAll ||
                   c.action == sql::MergeActionKind::kInsertAll;
  }
  if (evolve && star_clause) {
    ASSIGN_OR_RAISE(auto copy, sql::ParseStatement(statement.text));
    sql::Query probe;
    probe.kind = sql::QueryKind::kSelect;
    auto star = std::make_unique<sql::Expr>();
    star->kind = sql::ExprKind::kStar;
    sql::SelectItem item;
    item.expr = std::move(star);
    probe.select_items.push_back(std::move(item));
    probe.from = std::move(copy->merge->source);
    ASSIGN_OR_RAISE(auto source_plan, AnalyzeQueryAst(probe, /*optimize=*/false));
    arrow::FieldVector fields = target->fields();
    for (const auto& f : source_plan->schema->fields()) {
      source_names.insert(Lower(f->name()));
      bool known = false;
      for (const auto& t : target->fields()) known = known || Lower(t->name()) == Lower(f->name());
      if (!known) fields.push_back(arrow::field(f->name(), f->type(), true));
    }
    if (static_cast<int>(fields.size()) > old_width) {
      if (snapshot->column_mapping_mode() != "none") {
        return UserError("UNSUPPORTED_FEATURE",
                         "MERGE schema evolution on a table with column mapping is not "
                         "supported yet.");
      }
      target = arrow::schema(fields);
    }
  }
  auto in_source = [&](const std::string& name) {
    return source_names.empty() || source_names.count(Lower(name)) > 0;
  };
  auto null_literal = [] {
    auto null = std::make_unique<sql::Expr>();
    null->kind = sql::ExprKind::kLiteral;
    null->literal_kind = sql::LiteralKind::kNull;
    return null;
  };

  auto source_query = std::make_unique<sql::Query>();
  source_query->kind = sql::QueryKind::kSelect;
  {
    auto star = std::make_unique<sql::Expr>();
    star->kind = sql::ExprKind::kStar;
    source_query->select_items.push_back(Item(std::move(star), ""));
    source_query->select_items.back().alias.reset();
    source_query->select_items.push_back(Item(BoolLiteral(true), kSourceFlag));
    merge.source->alias = source_alias;
    source_query->from = std::move(merge.source);
  }
  auto source = std::make_unique<sql::Relation>();
  source->kind = sql::RelationKind::kSubquery;
  source->query = std::move(source_query);
  source->alias = source_alias;

  bool any_not_matched = false;
  bool any_by_source = false;
  for (const auto& c : merge.clauses) {
    any_not_matched |= c.match == sql::MergeMatchKind::kNotMatched;
    any_by_source |= c.match == sql::MergeMatchKind::kNotMatchedBySource;
  }
  // Touched files: without NOT MATCHED BY SOURCE clauses only target rows that match a source
  // row matter, so a target file whose key range holds no source key is not read (the
  // "touched files" step of delta-spark's MERGE, here from file statistics).
  std::optional<std::vector<std::string>> touched_files;
  if (!any_by_source) {
    ASSIGN_OR_RAISE(touched_files, MergeTouchedFiles(statement.text, *merge.condition, target_alias,
                                                     source_alias, *snapshot));
    if (touched_files) {
      auto pruned = std::make_shared<plan::PlanNode>(*node);
      pruned->scan.only_files = *touched_files;
      statement_relations_[kTargetRelation] = pruned;
    }
  }
  auto join = std::make_unique<sql::Relation>();
  join->kind = sql::RelationKind::kJoin;
  join->left = TableRelation(kTargetRelation, target_alias);
  // The join builds the target side when it holds no more rows than the source: the target side
  // carries only its key, the columns the clauses read and the row ids, while the source side
  // carries all its columns, so the wide source rows then stream through the probe (in parallel)
  // instead of being gathered into one table and passed over again for the unmatched ones.
  if (std::optional<int64_t> target_rows = ScannedRows(*snapshot, touched_files)) {
    join->left->broadcast = *target_rows <= num_source_rows;
  }
  join->right = std::move(source);
  // Source rows always take part (they are counted and may be inserted); target rows without a
  // match only when a NOT MATCHED BY SOURCE clause may act on them.
  join->join_type = any_by_source ? sql::JoinType::kFull : sql::JoinType::kRight;
  if (!any_not_matched && !any_by_source) join->join_type = sql::JoinType::kInner;
  std::string on_text =
      ExpressionText(statement.text, statement.pos.offset, *merge.condition, {"WHEN"});
  join->condition = std::move(merge.condition);

  sql::Query query;
  query.kind = sql::QueryKind::kSelect;
  query.from = std::move(join);
  query.select_items.push_back(Item(Column({target_alias, kFileColumn}), kFileColumn));
  query.select_items.push_back(Item(Column({target_alias, kRowColumn}), kRowColumn));
  query.select_items.push_back(Item(Column({source_alias, kSourceFlag}), kSourceFlag));

  // Per clause: its condition column (or none) and, for UPDATE and INSERT, one value column per
  // target column.
  struct ClausePlan {
    sql::MergeMatchKind match;
    sql::MergeActionKind action;
    int condition = -1;  // column index, -1 when unconditional
    std::vector<int> value_columns;  // column index of each target column's value
    std::string condition_text;
  };
  std::vector<ClausePlan> plans;
  int next = 3;
  // A value that is a plain column (`s.x` of UPDATE SET * and INSERT *, `t.x` of a column an
  // UPDATE leaves alone) is selected once for every clause that uses it: the same column gives
  // the same value whichever clause a row takes, and each selected column is a column of every
  // joined row.
  std::map<std::string, int> column_values;
  nlohmann::json matched_predicates = nlohmann::json::array();
  nlohmann::json not_matched_predicates = nlohmann::json::array();
  nlohmann::json by_source_predicates = nlohmann::json::array();
  auto target_index = [&](const std::vector<std::string>& column_in) -> Result<int> {
    std::vector<std::string> column = column_in;
    if (column.size() > 1 && (Lower(column[0]) == Lower(target_alias) ||
                              Lower(column[0]) == Lower(merge.target.back()))) {
      column.erase(column.begin());
    }
    if (column.size() != 1) {
      return UserError("UNSUPPORTED_FEATURE",
                       "MERGE assignments to nested fields are not supported yet.");
    }
    for (int i = 0; i < target->num_fields(); ++i) {
      if (Lower(target->field(i)->name()) == Lower(column[0])) return i;
    }
    return UserError("DELTA_MERGE_UNRESOLVED_EXPRESSION",
                     "Cannot resolve " + column[0] + " in UPDATE/INSERT clause given columns " +
                         [&] {
                           std::string s;
                           for (const auto& f : target->fields()) {
                             s += (s.empty() ? "" : ", ") + target_alias + "." + f->name();
                           }
                           return s;
                         }() +
                         ".");
  };
  for (size_t k = 0; k < merge.clauses.size(); ++k) {
    auto& clause = merge.clauses[k];
    ClausePlan plan;
    plan.match = clause.match;
    plan.action = clause.action;
    // Only the last clause of each kind may be unconditional (Delta's rule).
    if (!clause.condition) {
      for (size_t later = k + 1; later < merge.clauses.size(); ++later) {
        if (merge.clauses[later].match == clause.match) {
          return UserError("NON_LAST_MATCHED_CLAUSE_OMIT_CONDITION",
                           "When there are more than one MATCHED clauses in a MERGE statement, "
                           "only the last MATCHED clause can omit the condition.");
        }
      }
    }
    if (clause.condition) {
      plan.condition_text =
          ExpressionText(statement.text, statement.pos.offset, *clause.condition, {"THEN"});
      plan.condition = next++;
      query.select_items.push_back(
          Item(std::move(clause.condition), "__basin_c" + std::to_string(k)));
    }
    std::vector<sql::ExprPtr> values(static_cast<size_t>(target->num_fields()));
    bool produces = false;
    switch (clause.action) {
      case sql::MergeActionKind::kUpdate: {
        produces = true;
        for (auto& a : clause.assignments) {
          ASSIGN_OR_RAISE(int i, target_index(a.column));
          if (values[static_cast<size_t>(i)]) {
            return UserError("DELTA_CONFLICT_SET_COLUMN",
                             "There is a conflict from these SET columns: [`" +
                                 target->field(i)->name() + "`].");
          }
          values[static_cast<size_t>(i)] = std::move(a.value);
        }
        for (int i = 0; i < target->num_fields(); ++i) {
          if (!values[static_cast<size_t>(i)]) {
            values[static_cast<size_t>(i)] =
                i < old_width ? Column({target_alias, target->field(i)->name()}) : null_literal();
          }
        }
        break;
      }
      case sql::MergeActionKind::kUpdateAll:
      case sql::MergeActionKind::kInsertAll: {
        produces = true;
        for (int i = 0; i < target->num_fields(); ++i) {
          const auto& meta = target->field(i)->metadata();
          bool identity = meta && meta->Contains("delta.identity.start");
          bool always = identity && meta->Get("delta.identity.allowExplicitInsert").ValueOr("") != "true";
          if (!in_source(target->field(i)->name())) {
            // Schema evolution: a target column the source lacks.
            values[static_cast<size_t>(i)] =
                clause.action == sql::MergeActionKind::kUpdateAll && i < old_width
                    ? Column({target_alias, target->field(i)->name()})
                    : null_literal();
          } else if (identity && clause.action == sql::MergeActionKind::kUpdateAll) {
            // SET * leaves an identity column as it is.
            values[static_cast<size_t>(i)] = Column({target_alias, target->field(i)->name()});
          } else if (always) {
            // INSERT * generates a GENERATED ALWAYS identity value.
            auto null = std::make_unique<sql::Expr>();
            null->kind = sql::ExprKind::kLiteral;
            null->literal_kind = sql::LiteralKind::kNull;
            values[static_cast<size_t>(i)] = std::move(null);
          } else {
            values[static_cast<size_t>(i)] = Column({source_alias, target->field(i)->name()});
          }
        }
        break;
      }
      case sql::MergeActionKind::kInsert: {
        produces = true;
        if (clause.insert_columns.size() != clause.insert_values.size()) {
          return UserError("DELTA_MERGE_UNEXPECTED_ASSIGNMENT_KEY",
                           "The number of columns and values of INSERT do not match.");
        }
        for (size_t c = 0; c < clause.insert_columns.size(); ++c) {
          ASSIGN_OR_RAISE(int i, target_index(clause.insert_columns[c]));
          values[static_cast<size_t>(i)] = std::move(clause.insert_values[c]);
        }
        for (int i = 0; i < target->num_fields(); ++i) {
          if (!values[static_cast<size_t>(i)]) {
            auto null = std::make_unique<sql::Expr>();
            null->kind = sql::ExprKind::kLiteral;
            null->literal_kind = sql::LiteralKind::kNull;
            values[static_cast<size_t>(i)] = std::move(null);
          }
        }
        break;
      }
      case sql::MergeActionKind::kDelete: break;
    }
    if (produces) {
      for (int i = 0; i < target->num_fields(); ++i) {
        auto& value = values[static_cast<size_t>(i)];
        std::string key;
        if (value->kind == sql::ExprKind::kColumn) {
          // Spark Connect columns also name their DataFrame and position.
          key = std::to_string(value->plan_id) + "\n" + std::to_string(value->scope_index);
          for (const auto& part : value->name_parts) key += "\n" + Lower(part);
          auto known = column_values.find(key);
          if (known != column_values.end()) {
            plan.value_columns.push_back(known->second);
            continue;
          }
          column_values[key] = next;
        }
        plan.value_columns.push_back(next++);
        query.select_items.push_back(
            Item(std::move(value), "__basin_v" + std::to_string(k) + "_" + std::to_string(i)));
      }
    }
    std::string action_type = clause.action == sql::MergeActionKind::kDelete ? "delete"
                              : clause.action == sql::MergeActionKind::kInsert ||
                                      clause.action == sql::MergeActionKind::kInsertAll
                                  ? "insert"
                                  : "update";
    nlohmann::json entry = {{"actionType", action_type}};
    if (!plan.condition_text.empty()) entry["predicate"] = plan.condition_text;
    if (clause.match == sql::MergeMatchKind::kMatched) matched_predicates.push_back(entry);
    if (clause.match == sql::MergeMatchKind::kNotMatched) not_matched_predicates.push_back(entry);
    if (clause.match == sql::MergeMatchKind::kNotMatchedBySource) {
      by_source_predicates.push_back(entry);
    }
    plans.push_back(std::move(plan));
  }

  ASSIGN_OR_RAISE(auto joined, RunQueryAst(query));
  int64_t n = joined->num_rows();
  // The columns that decide each row's clause, each as one array; the value columns stay in
  // the join's chunks, and each clause's rows are filtered out of them below.
  auto array = [&](int column) -> Result<std::shared_ptr<arrow::Array>> {
    const auto& chunked = joined->column(column);
    if (chunked->num_chunks() == 1) return chunked->chunk(0);
    if (chunked->num_chunks() == 0) return arrow::MakeEmptyArray(chunked->type());
    return arrow::Concatenate(chunked->chunks());
  };
  ASSIGN_OR_RAISE(auto file_column, array(0));
  ASSIGN_OR_RAISE(auto position_column, array(1));
  ASSIGN_OR_RAISE(auto source_flag, array(2));
  auto files = std::static_pointer_cast<arrow::Int64Array>(file_column);
  auto positions = std::static_pointer_cast<arrow::Int64Array>(position_column);

  // Decide each row's clause.
  std::vector<std::shared_ptr<arrow::BooleanArray>> conditions(plans.size());
  for (size_t k = 0; k < plans.size(); ++k) {
    if (plans[k].condition >= 0) {
      ASSIGN_OR_RAISE(auto c, array(plans[k].condition));
      if (c->type_id() != arrow::Type::BOOL) {
        return UserError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
                         "A MERGE clause condition must be a boolean.");
      }
      conditions[k] = std::static_pointer_cast<arrow::BooleanArray>(c);
    }
  }
  std::vector<std::vector<int64_t>> chosen(plans.size());
  bool only_unconditional_delete = true;
  int matched_clauses = 0;
  for (const auto& p : plans) {
    if (p.match != sql::MergeMatchKind::kMatched) continue;
    ++matched_clauses;
    if (p.action != sql::MergeActionKind::kDelete || p.condition >= 0) {
      only_unconditional_delete = false;
    }
  }
  RowsByFile matched_targets(*snapshot);
  for (int64_t r = 0; r < n; ++r) {
    bool has_target = files->IsValid(r);
    bool has_source = source_flag->IsValid(r);
    sql::MergeMatchKind kind;
    if (has_target && has_source) {
      kind = sql::MergeMatchKind::kMatched;
    } else if (has_target) {
      kind = sql::MergeMatchKind::kNotMatchedBySource;
    } else if (has_source) {
      kind = sql::MergeMatchKind::kNotMatched;
    } else {
      continue;
    }
    for (size_t k = 0; k < plans.size(); ++k) {
      if (plans[k].match != kind) continue;
      if (conditions[k] && !(conditions[k]->IsValid(r) && conditions[k]->Value(r))) continue;
      if (kind == sql::MergeMatchKind::kMatched && !(only_unconditional_delete && matched_clauses == 1)) {
        auto& seen = matched_targets[files->Value(r)];
        uint64_t position = static_cast<uint64_t>(positions->Value(r));
        if (seen.contains(position)) {
          return UserError(
              "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE",
              "Cannot perform Merge as multiple source rows matched and attempted to modify the "
              "same\ntarget row in the Delta table in possibly conflicting ways. By SQL semantics "
              "of Merge,\nwhen multiple source rows match on the same target row, the result may "
              "be ambiguous\nas it is unclear which source row should be used to update or delete "
              "the matching\ntarget row. You can preprocess the source table to eliminate the "
              "possibility of\nmultiple matches.");
        }
        seen.add(position);
      }
      chosen[k].push_back(r);
      break;
    }
  }

  // Assemble the change: deleted target rows (updates and deletes), new rows (update
  // post-images first, then inserts).
  delta::RowChanges changes;
  changes.operation = "MERGE";
  int64_t matched_updated = 0, by_source_updated = 0, matched_deleted = 0, by_source_deleted = 0,
          inserted = 0;
  std::vector<std::shared_ptr<arrow::Table>> updates, inserts;
  for (size_t k = 0; k < plans.size(); ++k) {
    const auto& p = plans[k];
    const auto& rows = chosen[k];
    if (rows.empty()) continue;
    bool is_insert = p.action == sql::MergeActionKind::kInsert ||
                     p.action == sql::MergeActionKind::kInsertAll;
    if (!is_insert) {
      RowsByFile clause_rows(*snapshot);
      for (int64_t r : rows) {
        clause_rows[files->Value(r)].add(static_cast<uint64_t>(positions->Value(r)));
      }
      std::map<std::string, Roaring64Map> by_path;
      clause_rows.MoveInto(*snapshot, &by_path);
      for (auto& [file, positions_of_file] : by_path) {
        changes.deleted_rows[file] |= positions_of_file;
        if (p.action != sql::MergeActionKind::kDelete) {
          changes.updated_rows[file] |= positions_of_file;
        }
      }
    }
    bool matched = p.match == sql::MergeMatchKind::kMatched;
    int64_t count = static_cast<int64_t>(rows.size());
    if (p.action == sql::MergeActionKind::kDelete) {
      (matched ? matched_deleted : by_source_deleted) += count;
      continue;
    }
    if (is_insert) {
      inserted += count;
    } else {
      (matched ? matched_updated : by_source_updated) += count;
    }
    // Gather this clause's value columns for its rows (in ascending order: a filter, which
    // works chunk by chunk, where a take would first concatenate the chunks).
    ASSIGN_OR_RAISE(auto bits, arrow::AllocateEmptyBitmap(n));
    for (int64_t r : rows) arrow::bit_util::SetBit(bits->mutable_data(), r);
    auto mask = std::make_shared<arrow::BooleanArray>(n, std::move(bits));
    ASSIGN_OR_RAISE(auto values, joined->SelectColumns(p.value_columns));
    ASSIGN_OR_RAISE(auto taken, arrow::compute::Filter(values, mask));
    ASSIGN_OR_RAISE(auto assigned, StoreAssign(taken.table(), target, table.name.Quoted()));
    (is_insert ? inserts : updates).push_back(assigned);
  }
  int64_t updated = matched_updated + by_source_updated;
  // Inserted rows get identity values where the clause gave none.
  std::shared_ptr<arrow::Schema> identity_schema;
  if (!inserts.empty()) {
    std::vector<std::shared_ptr<arrow::Table>> unified_inserts;
    for (const auto& t : inserts) {
      unified_inserts.push_back(arrow::Table::Make(target, t->columns(), t->num_rows()));
    }
    ASSIGN_OR_RAISE(auto inserted_rows, arrow::ConcatenateTables(unified_inserts));
    ASSIGN_OR_RAISE(identity_schema,
                    FillIdentityColumns(*target, &inserted_rows,
                                        std::vector<bool>(target->num_fields(), false),
                                        /*only_nulls=*/true));
    inserts = {inserted_rows};
  }
  std::vector<std::shared_ptr<arrow::Table>> all = updates;
  all.insert(all.end(), inserts.begin(), inserts.end());
  if (!all.empty()) {
    std::vector<std::shared_ptr<arrow::Table>> unified;
    for (const auto& t : all) {
      unified.push_back(arrow::Table::Make(target, t->columns(), t->num_rows()));
    }
    ASSIGN_OR_RAISE(changes.new_rows, arrow::ConcatenateTables(unified));
  }
  changes.update_postimage_rows = updated;
  if (identity_schema || target->num_fields() > old_width) {
    delta::Metadata metadata = snapshot->metadata();
    ASSIGN_OR_RAISE(metadata.schema_string,
                    types::SchemaToDeltaJson(identity_schema ? *identity_schema : *target));
    changes.new_metadata = metadata;
  }
  if (changes.new_rows) {
    ASSIGN_OR_RAISE(changes.new_rows,
                    ApplyGeneratedColumns(*target, changes.new_rows,
                                          std::vector<bool>(target->num_fields(), false)));
  }
  RETURN_NOT_OK(EnforceConstraints(snapshot->metadata(), changes.new_rows));
  int64_t deleted = matched_deleted + by_source_deleted;
  nlohmann::json params = {{"predicate", nlohmann::json::array({on_text}).dump()},
                           {"matchedPredicates", matched_predicates.dump()},
                           {"notMatchedPredicates", not_matched_predicates.dump()},
                           {"notMatchedBySourcePredicates", by_source_predicates.dump()}};
  changes.operation_parameters = params;
  if (changes.deleted_rows.empty() && !changes.new_rows) {
    // Nothing changes: nothing is committed.
    result.table = LongRow({{"num_affected_rows", 0},
                            {"num_updated_rows", 0},
                            {"num_deleted_rows", 0},
                            {"num_inserted_rows", 0}});
    return result;
  }
  changes.renamed_metrics = {{"numAddedFiles", "numTargetFilesAdded"},
                             {"numRemovedFiles", "numTargetFilesRemoved"},
                             {"numCopiedRows", "numTargetRowsCopied"},
                             {"numDeletionVectorsAdded", "numTargetDeletionVectorsAdded"},
                             {"numDeletionVectorsRemoved", "numTargetDeletionVectorsRemoved"},
                             {"numDeletionVectorsUpdated", "numTargetDeletionVectorsUpdated"},
                             {"numAddedChangeFiles", "numTargetChangeFilesAdded"},
                             {"numAddedBytes", "numTargetBytesAdded"},
                             {"numRemovedBytes", "numTargetBytesRemoved"}};
  changes.report_output_rows = true;
  changes.extra_metrics = {{"numDeletedRows", nullptr},
                           {"numSourceRows", std::to_string(num_source_rows)},
                           {"numTargetRowsInserted", std::to_string(inserted)},
                           {"numTargetRowsUpdated", std::to_string(updated)},
                           {"numTargetRowsMatchedUpdated", std::to_string(matched_updated)},
                           {"numTargetRowsNotMatchedBySourceUpdated",
                            std::to_string(by_source_updated)},
                           {"numTargetRowsDeleted", std::to_string(deleted)},
                           {"numTargetRowsMatchedDeleted", std::to_string(matched_deleted)},
                           {"numTargetRowsNotMatchedBySourceDeleted",
                            std::to_string(by_source_deleted)}};
  changes.constraints_checked = true;
  ASSIGN_OR_RAISE(auto committed, delta::CommitRowChanges(snapshot, changes));
  (void)committed;
  result.table = LongRow({{"num_affected_rows", updated + deleted + inserted},
                          {"num_updated_rows", updated},
                          {"num_deleted_rows", deleted},
                          {"num_inserted_rows", inserted}});
  return result;
}

}  // namespace basin::session
