#include "basin/sql/ast.h"

#include <cctype>

namespace basin::sql {

Expr::Expr() = default;

// Long operator chains (a OR b OR c ...) make left-deep trees as deep as the chain is long, so
// children are released with an explicit stack instead of recursive destructors.
Expr::~Expr() {
  std::vector<ExprPtr> pending;
  for (auto& child : children) {
    if (child) pending.push_back(std::move(child));
  }
  while (!pending.empty()) {
    ExprPtr e = std::move(pending.back());
    pending.pop_back();
    for (auto& child : e->children) {
      if (child) pending.push_back(std::move(child));
    }
  }
}

Expr::Expr(Expr&&) noexcept = default;
Expr& Expr::operator=(Expr&&) noexcept = default;

Relation::Relation() = default;
Relation::~Relation() = default;
Relation::Relation(Relation&&) noexcept = default;
Relation& Relation::operator=(Relation&&) noexcept = default;

Query::Query() = default;
Query::~Query() = default;
Query::Query(Query&&) noexcept = default;
Query& Query::operator=(Query&&) noexcept = default;

Statement::Statement() = default;
Statement::~Statement() = default;
Statement::Statement(Statement&&) noexcept = default;
Statement& Statement::operator=(Statement&&) noexcept = default;

namespace {

std::string QuoteIdentifier(const std::string& part) {
  bool plain =
      !part.empty() && (std::isalpha(static_cast<unsigned char>(part[0])) || part[0] == '_');
  for (char c : part) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') plain = false;
  }
  if (plain) return part;
  std::string out = "`";
  for (char c : part) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string QuoteString(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "'";
}

std::string JoinName(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '.';
    out += QuoteIdentifier(parts[i]);
  }
  return out;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out = "(";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ' ';
    out += QuoteIdentifier(names[i]);
  }
  return out + ")";
}

const char* IntervalFieldName(IntervalField f) {
  switch (f) {
    case IntervalField::kYear:
      return "year";
    case IntervalField::kMonth:
      return "month";
    case IntervalField::kDay:
      return "day";
    case IntervalField::kHour:
      return "hour";
    case IntervalField::kMinute:
      return "minute";
    case IntervalField::kSecond:
      return "second";
  }
  return "?";
}

const char* BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSubtract:
      return "-";
    case BinaryOp::kMultiply:
      return "*";
    case BinaryOp::kDivide:
      return "/";
    case BinaryOp::kModulo:
      return "%";
    case BinaryOp::kIntDivide:
      return "div";
    case BinaryOp::kConcat:
      return "||";
    case BinaryOp::kEq:
      return "=";
    case BinaryOp::kNullSafeEq:
      return "<=>";
    case BinaryOp::kNotEq:
      return "!=";
    case BinaryOp::kLt:
      return "<";
    case BinaryOp::kLtEq:
      return "<=";
    case BinaryOp::kGt:
      return ">";
    case BinaryOp::kGtEq:
      return ">=";
    case BinaryOp::kAnd:
      return "AND";
    case BinaryOp::kOr:
      return "OR";
    case BinaryOp::kBitAnd:
      return "&";
    case BinaryOp::kBitOr:
      return "|";
    case BinaryOp::kBitXor:
      return "^";
  }
  return "?";
}

std::string LiteralToString(const Expr& e) {
  switch (e.literal_kind) {
    case LiteralKind::kNull:
      return "NULL";
    case LiteralKind::kBoolean:
      return e.text;
    case LiteralKind::kTinyInt:
      return e.text + "Y";
    case LiteralKind::kSmallInt:
      return e.text + "S";
    case LiteralKind::kInt:
      return e.text;
    case LiteralKind::kBigInt:
      return e.text + "L";
    case LiteralKind::kFloat:
      return e.text + "F";
    case LiteralKind::kDouble:
      return e.text + "D";
    case LiteralKind::kDecimal:
      return e.text + "BD";
    case LiteralKind::kString:
      return QuoteString(e.text);
    case LiteralKind::kBinary:
      return "X'" + e.text + "'";
    case LiteralKind::kDate:
      return "DATE " + QuoteString(e.text);
    case LiteralKind::kTimestamp:
      return "TIMESTAMP " + QuoteString(e.text);
    case LiteralKind::kTimestampNtz:
      return "TIMESTAMP_NTZ " + QuoteString(e.text);
    case LiteralKind::kTime:
      return "TIME " + QuoteString(e.text);
    case LiteralKind::kInterval: {
      std::string out = "(INTERVAL";
      for (const auto& p : e.interval) {
        out += " ";
        out += p.quoted ? QuoteString(p.value) : p.value;
        if (!p.unit.empty()) out += " " + p.unit;
        if (!p.to_unit.empty()) out += " TO " + p.to_unit;
      }
      return out + ")";
    }
  }
  return "?";
}

std::string SortItemToString(const SortItem& s) {
  std::string out = "(" + ToString(*s.expr);
  if (s.direction == SortDirection::kAscending) out += " ASC";
  if (s.direction == SortDirection::kDescending) out += " DESC";
  if (s.nulls == NullOrdering::kNullsFirst) out += " NULLS FIRST";
  if (s.nulls == NullOrdering::kNullsLast) out += " NULLS LAST";
  return out + ")";
}

std::string SortListToString(const char* head, const std::vector<SortItem>& items) {
  std::string out = std::string("(") + head;
  for (const auto& s : items) out += " " + SortItemToString(s);
  return out + ")";
}

std::string ExprListToString(const char* head, const std::vector<ExprPtr>& items) {
  std::string out = std::string("(") + head;
  for (const auto& e : items) out += " " + ToString(*e);
  return out + ")";
}

std::string FrameBoundToString(const FrameBound& b) {
  switch (b.kind) {
    case FrameBoundKind::kUnboundedPreceding:
      return "UNBOUNDED PRECEDING";
    case FrameBoundKind::kPreceding:
      return ToString(*b.offset) + " PRECEDING";
    case FrameBoundKind::kCurrentRow:
      return "CURRENT ROW";
    case FrameBoundKind::kFollowing:
      return ToString(*b.offset) + " FOLLOWING";
    case FrameBoundKind::kUnboundedFollowing:
      return "UNBOUNDED FOLLOWING";
  }
  return "?";
}

std::string WindowSpecToString(const WindowSpec& w) {
  std::string out = "(WINDOW";
  if (w.base_name) out += " " + QuoteIdentifier(*w.base_name);
  if (!w.partition_by.empty()) out += " " + ExprListToString("PARTITION BY", w.partition_by);
  if (!w.order_by.empty()) out += " " + SortListToString("ORDER BY", w.order_by);
  if (w.frame) {
    out += w.frame->type == FrameType::kRows ? " (ROWS " : " (RANGE ";
    out += FrameBoundToString(w.frame->start) + " AND " + FrameBoundToString(w.frame->end) + ")";
  }
  return out + ")";
}

std::string OptionsToString(const char* head,
                            const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out = std::string("(") + head;
  for (const auto& [k, v] : kv) out += " (" + QuoteString(k) + " " + QuoteString(v) + ")";
  return out + ")";
}

std::string ColumnDefinitionToString(const ColumnDefinition& c) {
  std::string out = "(" + QuoteIdentifier(c.name) + " " + ToString(c.type);
  if (!c.nullable) out += " NOT NULL";
  if (c.default_value) out += " (DEFAULT " + ToString(*c.default_value) + ")";
  if (c.generated_as) out += " (GENERATED " + ToString(*c.generated_as) + ")";
  if (c.identity) {
    out += c.identity_always ? " (IDENTITY ALWAYS" : " (IDENTITY BY DEFAULT";
    if (c.identity_start) out += " START " + std::to_string(*c.identity_start);
    if (c.identity_step) out += " STEP " + std::to_string(*c.identity_step);
    out += ")";
  }
  if (c.comment) out += " (COMMENT " + QuoteString(*c.comment) + ")";
  return out + ")";
}

std::string AssignmentsToString(const std::vector<Assignment>& assignments) {
  std::string out = "(SET";
  for (const auto& a : assignments)
    out += " (= " + JoinName(a.column) + " " + ToString(*a.value) + ")";
  return out + ")";
}

}  // namespace

std::string ToString(const DataTypeSyntax& t) {
  switch (t.kind) {
    case TypeKind::kNull:
      return "void";
    case TypeKind::kBoolean:
      return "boolean";
    case TypeKind::kTinyInt:
      return "tinyint";
    case TypeKind::kSmallInt:
      return "smallint";
    case TypeKind::kInt:
      return "int";
    case TypeKind::kBigInt:
      return "bigint";
    case TypeKind::kFloat:
      return "float";
    case TypeKind::kDouble:
      return "double";
    case TypeKind::kDecimal:
      return "decimal(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case TypeKind::kString:
      return "string";
    case TypeKind::kVarChar:
      return "varchar(" + std::to_string(t.length) + ")";
    case TypeKind::kChar:
      return "char(" + std::to_string(t.length) + ")";
    case TypeKind::kBinary:
      return "binary";
    case TypeKind::kDate:
      return "date";
    case TypeKind::kTimestamp:
      return "timestamp";
    case TypeKind::kTimestampNtz:
      return "timestamp_ntz";
    case TypeKind::kTime:
      return "time(" + std::to_string(t.precision) + ")";
    case TypeKind::kCalendarInterval:
      return "interval";
    case TypeKind::kYearMonthInterval:
    case TypeKind::kDayTimeInterval: {
      std::string out = std::string("interval ") + IntervalFieldName(t.start_field);
      if (t.end_field != t.start_field) out += std::string(" to ") + IntervalFieldName(t.end_field);
      return out;
    }
    case TypeKind::kArray:
      return "array<" + (t.children.empty() ? std::string("?") : ToString(t.children[0])) + ">";
    case TypeKind::kMap:
      if (t.children.size() != 2) return "map<?>";
      return "map<" + ToString(t.children[0]) + "," + ToString(t.children[1]) + ">";
    case TypeKind::kStruct: {
      std::string out = "struct<";
      for (size_t i = 0; i < t.children.size(); ++i) {
        if (i > 0) out += ",";
        out += (i < t.field_names.size() ? t.field_names[i] : "?") + ":" + ToString(t.children[i]);
        if (i < t.field_nullable.size() && !t.field_nullable[i]) out += " not null";
        if (i < t.field_comments.size() && t.field_comments[i]) {
          out += " comment " + QuoteString(*t.field_comments[i]);
        }
      }
      return out + ">";
    }
    case TypeKind::kVariant:
      return "variant";
    case TypeKind::kGeometry:
    case TypeKind::kGeography:
      return std::string(t.kind == TypeKind::kGeometry ? "geometry(" : "geography(") +
             (t.srid == -1 ? std::string("any") : std::to_string(t.srid)) + ")";
  }
  return "?";
}

std::string ToString(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kColumn:
      return JoinName(e.name_parts);
    case ExprKind::kStar:
      return e.name_parts.empty() ? "*" : JoinName(e.name_parts) + ".*";
    case ExprKind::kLiteral:
      return LiteralToString(e);
    case ExprKind::kParameter:
      return e.parameter_index >= 0 ? "?" + std::to_string(e.parameter_index) : ":" + e.text;
    case ExprKind::kUnary: {
      const char* op = e.unary_op == UnaryOp::kMinus    ? "-"
                       : e.unary_op == UnaryOp::kPlus   ? "+"
                       : e.unary_op == UnaryOp::kBitNot ? "~"
                                                        : "NOT";
      return std::string("(") + op + " " + ToString(*e.children[0]) + ")";
    }
    case ExprKind::kBinary:
      return std::string("(") + BinaryOpName(e.binary_op) + " " + ToString(*e.children[0]) + " " +
             ToString(*e.children[1]) + ")";
    case ExprKind::kIsNull:
      return std::string(e.negated ? "(IS NOT NULL " : "(IS NULL ") + ToString(*e.children[0]) +
             ")";
    case ExprKind::kIsBoolean:
      return std::string(e.negated ? "(IS NOT " : "(IS ") + e.text + " " +
             ToString(*e.children[0]) + ")";
    case ExprKind::kBetween:
      return std::string(e.negated ? "(NOT BETWEEN " : "(BETWEEN ") + ToString(*e.children[0]) +
             " " + ToString(*e.children[1]) + " " + ToString(*e.children[2]) + ")";
    case ExprKind::kInList: {
      std::string out = e.negated ? "(NOT IN" : "(IN";
      for (const auto& c : e.children) out += " " + ToString(*c);
      return out + ")";
    }
    case ExprKind::kInSubquery:
      return std::string(e.negated ? "(NOT IN " : "(IN ") + ToString(*e.children[0]) + " " +
             ToString(*e.subquery) + ")";
    case ExprKind::kLike: {
      std::string out = e.negated ? "(NOT " : "(";
      out += e.like_op == LikeOp::kLike ? "LIKE" : e.like_op == LikeOp::kILike ? "ILIKE" : "RLIKE";
      if (e.quantifier == LikeQuantifier::kAny) out += " ANY";
      if (e.quantifier == LikeQuantifier::kAll) out += " ALL";
      for (const auto& c : e.children) out += " " + ToString(*c);
      if (e.escape) out += " ESCAPE " + QuoteString(*e.escape);
      return out + ")";
    }
    case ExprKind::kExists:
      return std::string(e.negated ? "(NOT EXISTS " : "(EXISTS ") + ToString(*e.subquery) + ")";
    case ExprKind::kScalarSubquery:
      return "(SUBQUERY " + ToString(*e.subquery) + ")";
    case ExprKind::kCase: {
      std::string out = "(CASE";
      size_t i = 0;
      if (e.has_operand) out += " " + ToString(*e.children[i++]);
      size_t end = e.children.size() - (e.has_else ? 1 : 0);
      for (; i + 1 < end + 1 && i < end; i += 2) {
        out += " (WHEN " + ToString(*e.children[i]) + " " + ToString(*e.children[i + 1]) + ")";
      }
      if (e.has_else) out += " (ELSE " + ToString(*e.children.back()) + ")";
      return out + ")";
    }
    case ExprKind::kCast:
      return std::string(e.try_cast ? "(TRY_CAST " : "(CAST ") + ToString(*e.children[0]) + " " +
             (e.type ? ToString(*e.type) : "?") + ")";
    case ExprKind::kFunction: {
      std::string out = "(" + JoinName(e.name_parts);
      if (e.distinct) out += " DISTINCT";
      for (const auto& c : e.children) out += " " + ToString(*c);
      if (!e.within_group.empty()) out += " " + SortListToString("WITHIN GROUP", e.within_group);
      if (e.filter) out += " (FILTER " + ToString(*e.filter) + ")";
      if (e.null_treatment == NullTreatment::kIgnoreNulls) out += " IGNORE NULLS";
      if (e.null_treatment == NullTreatment::kRespectNulls) out += " RESPECT NULLS";
      if (e.over) out += " (OVER " + WindowSpecToString(*e.over) + ")";
      return out + ")";
    }
    case ExprKind::kSubscript:
      return "([] " + ToString(*e.children[0]) + " " + ToString(*e.children[1]) + ")";
    case ExprKind::kField:
      return "(. " + ToString(*e.children[0]) + " " + QuoteIdentifier(e.text) + ")";
    case ExprKind::kLambda:
      return "(LAMBDA " + JoinNames(e.lambda_params) + " " + ToString(*e.children[0]) + ")";
    case ExprKind::kNamedArgument:
      return "(=> " + QuoteIdentifier(e.text) + " " + ToString(*e.children[0]) + ")";
    case ExprKind::kAlias:
      return "(AS " + ToString(*e.children[0]) + " " + QuoteIdentifier(e.text) + ")";
    case ExprKind::kRow:
      return ExprListToString("ROW", e.children);
  }
  return "?";
}

std::string ToString(const Relation& r) {
  std::string out;
  switch (r.kind) {
    case RelationKind::kTable:
      out = "(TABLE " + JoinName(r.name_parts);
      if (r.time_travel.kind != TimeTravelKind::kNone) {
        out += r.time_travel.kind == TimeTravelKind::kVersion ? " (VERSION AS OF "
                                                              : " (TIMESTAMP AS OF ";
        out += ToString(*r.time_travel.value) + (r.time_travel.at_syntax ? " @)" : ")");
      }
      break;
    case RelationKind::kSubquery:
      out = std::string("(SUBQUERY ") + (r.lateral ? "LATERAL " : "") + ToString(*r.query);
      break;
    case RelationKind::kTableFunction:
      out = std::string("(TVF ") + (r.lateral ? "LATERAL " : "") + ToString(*r.function);
      break;
    case RelationKind::kValues:
      out = "(VALUES";
      for (const auto& row : r.rows) {
        out += " " + ExprListToString("ROW", row);
      }
      break;
    case RelationKind::kJoin: {
      out = "(JOIN ";
      if (r.natural) out += "NATURAL ";
      switch (r.join_type) {
        case JoinType::kInner:
          out += "INNER";
          break;
        case JoinType::kLeft:
          out += "LEFT";
          break;
        case JoinType::kRight:
          out += "RIGHT";
          break;
        case JoinType::kFull:
          out += "FULL";
          break;
        case JoinType::kLeftSemi:
          out += "SEMI";
          break;
        case JoinType::kLeftAnti:
          out += "ANTI";
          break;
        case JoinType::kCross:
          out += r.comma ? "COMMA" : "CROSS";
          break;
      }
      out += " " + ToString(*r.left) + " " + ToString(*r.right);
      if (r.condition) out += " (ON " + ToString(*r.condition) + ")";
      if (!r.using_columns.empty()) out += " (USING " + JoinNames(r.using_columns) + ")";
      break;
    }
    case RelationKind::kLateralView:
      out = std::string("(LATERAL VIEW ") + (r.outer ? "OUTER " : "") + ToString(*r.left) + " " +
            ToString(*r.function);
      break;
    case RelationKind::kPivot: {
      const PivotClause& p = *r.pivot;
      out = "(PIVOT " + ToString(*r.left) + " (AGG";
      for (size_t i = 0; i < p.aggregates.size(); ++i) {
        out += " " + ToString(*p.aggregates[i]);
        if (p.aggregate_aliases[i]) out += " AS " + QuoteIdentifier(*p.aggregate_aliases[i]);
      }
      out += ") (FOR";
      for (const auto& c : p.columns) out += " " + JoinName(c);
      out += ") (IN";
      for (size_t i = 0; i < p.values.size(); ++i) {
        out += " " + ToString(*p.values[i]);
        if (p.value_aliases[i]) out += " AS " + QuoteIdentifier(*p.value_aliases[i]);
      }
      out += ")";
      break;
    }
    case RelationKind::kUnpivot: {
      const UnpivotClause& u = *r.unpivot;
      out = std::string("(UNPIVOT ") + (u.include_nulls ? "INCLUDE NULLS " : "") +
            ToString(*r.left) + " (VALUES " + JoinNames(u.value_columns) + ") (FOR " +
            QuoteIdentifier(u.name_column) + ") (IN";
      for (size_t i = 0; i < u.columns.size(); ++i) {
        out += " (";
        for (size_t j = 0; j < u.columns[i].size(); ++j) {
          out += (j > 0 ? " " : "") + JoinName(u.columns[i][j]);
        }
        if (u.column_aliases[i]) out += " AS " + QuoteIdentifier(*u.column_aliases[i]);
        out += ")";
      }
      out += ")";
      break;
    }
  }
  if (r.sample) {
    const TableSample& s = *r.sample;
    out += " (SAMPLE ";
    switch (s.kind) {
      case SampleKind::kPercent:
        out += ToString(*s.amount) + " PERCENT";
        break;
      case SampleKind::kRows:
        out += ToString(*s.amount) + " ROWS";
        break;
      case SampleKind::kBytes:
        out += ToString(*s.amount) + " BYTES";
        break;
      case SampleKind::kBucket:
        out += "BUCKET " + std::to_string(s.bucket) + " OUT OF " + std::to_string(s.out_of);
        if (s.bucket_on) out += " ON " + ToString(*s.bucket_on);
        break;
    }
    if (s.seed) out += " REPEATABLE " + std::to_string(*s.seed);
    out += ")";
  }
  if (r.alias) out += " AS " + QuoteIdentifier(*r.alias);
  if (!r.column_aliases.empty()) out += " " + JoinNames(r.column_aliases);
  return out + ")";
}

std::string ToString(const Query& q) {
  std::string out;
  switch (q.kind) {
    case QueryKind::kSelect:
      out = q.distinct ? "(SELECT DISTINCT" : "(SELECT";
      break;
    case QueryKind::kSetOp:
      out = q.set_op == SetOpKind::kUnion       ? "(UNION"
            : q.set_op == SetOpKind::kIntersect ? "(INTERSECT"
                                                : "(EXCEPT";
      if (q.set_all) out += " ALL";
      break;
    case QueryKind::kValues:
      out = "(VALUES";
      break;
    case QueryKind::kTable:
      out = "(TABLE " + JoinName(q.table_name);
      break;
  }
  if (!q.ctes.empty()) {
    out += q.recursive ? " (WITH RECURSIVE" : " (WITH";
    for (const auto& c : q.ctes) {
      out += " (" + QuoteIdentifier(c.name);
      if (!c.columns.empty()) out += " " + JoinNames(c.columns);
      out += " " + ToString(*c.query) + ")";
    }
    out += ")";
  }
  switch (q.kind) {
    case QueryKind::kSelect: {
      if (!q.hints.empty()) {
        out += " (HINTS";
        for (const auto& h : q.hints) {
          out += " (" + h.name;
          for (const auto& a : h.arguments) out += " " + ToString(*a);
          out += ")";
        }
        out += ")";
      }
      for (const auto& item : q.select_items) {
        if (item.alias) {
          out += " (AS " + ToString(*item.expr) + " " + QuoteIdentifier(*item.alias) + ")";
        } else if (!item.aliases.empty()) {
          out += " (AS " + ToString(*item.expr) + " " + JoinNames(item.aliases) + ")";
        } else {
          out += " " + ToString(*item.expr);
        }
      }
      if (q.from) out += " (FROM " + ToString(*q.from) + ")";
      if (q.where) out += " (WHERE " + ToString(*q.where) + ")";
      if (q.group_by) {
        out += " (GROUP BY";
        if (q.group_by->all) out += " ALL";
        for (const auto& g : q.group_by->items) {
          if (g.kind == GroupingKind::kExpression) {
            out += " " + ToString(*g.expr);
            continue;
          }
          out += g.kind == GroupingKind::kRollup ? " (ROLLUP"
                 : g.kind == GroupingKind::kCube ? " (CUBE"
                                                 : " (GROUPING SETS";
          for (const auto& set : g.sets) {
            out += " (";
            for (size_t i = 0; i < set.size(); ++i) out += (i > 0 ? " " : "") + ToString(*set[i]);
            out += ")";
          }
          out += ")";
        }
        if (q.group_by->modifier == GroupByModifier::kWithRollup) out += " WITH ROLLUP";
        if (q.group_by->modifier == GroupByModifier::kWithCube) out += " WITH CUBE";
        out += ")";
      }
      if (q.having) out += " (HAVING " + ToString(*q.having) + ")";
      if (!q.windows.empty()) {
        out += " (WINDOWS";
        for (const auto& w : q.windows)
          out += " (" + QuoteIdentifier(w.name) + " " + WindowSpecToString(w.spec) + ")";
        out += ")";
      }
      if (q.qualify) out += " (QUALIFY " + ToString(*q.qualify) + ")";
      break;
    }
    case QueryKind::kSetOp:
      out += " " + ToString(*q.left) + " " + ToString(*q.right);
      break;
    case QueryKind::kValues:
      for (const auto& row : q.values) out += " " + ExprListToString("ROW", row);
      break;
    case QueryKind::kTable:
      break;
  }
  if (!q.order_by.empty()) out += " " + SortListToString("ORDER BY", q.order_by);
  if (!q.sort_by.empty()) out += " " + SortListToString("SORT BY", q.sort_by);
  if (!q.cluster_by.empty()) out += " " + ExprListToString("CLUSTER BY", q.cluster_by);
  if (!q.distribute_by.empty()) out += " " + ExprListToString("DISTRIBUTE BY", q.distribute_by);
  if (q.limit_all) out += " (LIMIT ALL)";
  if (q.limit) out += " (LIMIT " + ToString(*q.limit) + ")";
  if (q.offset) out += " (OFFSET " + ToString(*q.offset) + ")";
  return out + ")";
}

std::string ToString(const Statement& s) {
  switch (s.kind) {
    case StatementKind::kQuery:
      return ToString(*s.query);
    case StatementKind::kExplain: {
      static const char* kModes[] = {"", " EXTENDED", " FORMATTED", " CODEGEN", " COST"};
      return std::string("(EXPLAIN") + kModes[static_cast<int>(s.explain_mode)] + " " +
             ToString(*s.inner) + ")";
    }
    case StatementKind::kSet:
      if (s.key.empty()) return "(SET)";
      if (!s.value) return "(SET " + QuoteString(s.key) + ")";
      return "(SET " + QuoteString(s.key) + " " + QuoteString(*s.value) + ")";
    case StatementKind::kReset:
      return s.key.empty() ? "(RESET)" : "(RESET " + QuoteString(s.key) + ")";
    case StatementKind::kUse:
      return "(USE" + (s.object_type.empty() ? std::string() : " " + s.object_type) + " " +
             JoinName(s.name) + ")";
    case StatementKind::kShow:
    case StatementKind::kDescribe:
    case StatementKind::kOther: {
      std::string out = s.kind == StatementKind::kShow       ? "(SHOW"
                        : s.kind == StatementKind::kDescribe ? "(DESCRIBE"
                                                             : "(OTHER";
      for (const auto& w : s.words) out += " " + w;
      return out + ")";
    }
    case StatementKind::kCreateSchema: {
      std::string out = "(CREATE " + s.object_type + (s.if_not_exists ? " IF NOT EXISTS " : " ") +
                        JoinName(s.name);
      if (s.comment) out += " (COMMENT " + QuoteString(*s.comment) + ")";
      if (s.location) out += " (LOCATION " + QuoteString(*s.location) + ")";
      return out + ")";
    }
    case StatementKind::kDrop:
      return "(DROP " + s.object_type + (s.if_exists ? " IF EXISTS " : " ") + JoinName(s.name) +
             (s.cascade ? " CASCADE)" : ")");
    case StatementKind::kTruncate:
      return "(TRUNCATE " + JoinName(s.name) + ")";
    case StatementKind::kDelete: {
      std::string out = "(DELETE " + JoinName(s.name);
      if (s.alias) out += " AS " + QuoteIdentifier(*s.alias);
      if (s.where) out += " (WHERE " + ToString(*s.where) + ")";
      return out + ")";
    }
    case StatementKind::kCreateTable: {
      const CreateTable& c = *s.create_table;
      std::string out = c.replace      ? "(REPLACE TABLE"
                        : c.or_replace ? "(CREATE OR REPLACE TABLE"
                                       : "(CREATE TABLE";
      if (c.temporary) out += " TEMPORARY";
      if (c.external) out += " EXTERNAL";
      if (c.if_not_exists) out += " IF NOT EXISTS";
      out += " " + JoinName(c.name);
      if (!c.columns.empty()) {
        out += " (COLUMNS";
        for (const auto& col : c.columns) out += " " + ColumnDefinitionToString(col);
        out += ")";
      }
      if (c.using_format) out += " (USING " + *c.using_format + ")";
      if (!c.partitioned_by.empty() || !c.partition_columns.empty()) {
        out += " (PARTITIONED BY";
        for (const auto& p : c.partitioned_by) out += " " + JoinName(p);
        for (const auto& col : c.partition_columns) out += " " + ColumnDefinitionToString(col);
        out += ")";
      }
      if (!c.clustered_by.empty()) {
        out += " (CLUSTER BY";
        for (const auto& p : c.clustered_by) out += " " + JoinName(p);
        out += ")";
      }
      if (c.location) out += " (LOCATION " + QuoteString(*c.location) + ")";
      if (c.comment) out += " (COMMENT " + QuoteString(*c.comment) + ")";
      if (!c.options.empty()) out += " " + OptionsToString("OPTIONS", c.options);
      if (!c.properties.empty()) out += " " + OptionsToString("TBLPROPERTIES", c.properties);
      if (c.as_query) out += " (AS " + ToString(*c.as_query) + ")";
      return out + ")";
    }
    case StatementKind::kCreateView: {
      const CreateView& v = *s.create_view;
      std::string out = v.or_replace ? "(CREATE OR REPLACE" : "(CREATE";
      if (v.global) out += " GLOBAL";
      if (v.temporary) out += " TEMPORARY";
      out += " VIEW";
      if (v.if_not_exists) out += " IF NOT EXISTS";
      out += " " + JoinName(v.name);
      if (!v.columns.empty()) out += " " + JoinNames(v.columns);
      if (v.comment) out += " (COMMENT " + QuoteString(*v.comment) + ")";
      if (!v.properties.empty()) out += " " + OptionsToString("TBLPROPERTIES", v.properties);
      return out + " " + ToString(*v.query) + ")";
    }
    case StatementKind::kInsert: {
      const Insert& i = *s.insert;
      std::string out =
          std::string(i.overwrite ? "(INSERT OVERWRITE " : "(INSERT INTO ") + JoinName(i.table);
      if (!i.partition.empty()) {
        out += " (PARTITION";
        for (const auto& [k, v] : i.partition) {
          out += " " + QuoteIdentifier(k);
          if (v) out += "=" + ToString(*v);
        }
        out += ")";
      }
      if (!i.columns.empty()) out += " " + JoinNames(i.columns);
      if (i.by_name) out += " BY NAME";
      if (i.if_not_exists) out += " IF NOT EXISTS";
      if (i.replace_where) out += " (REPLACE WHERE " + ToString(*i.replace_where) + ")";
      return out + " " + ToString(*i.query) + ")";
    }
    case StatementKind::kUpdate: {
      const Update& u = *s.update;
      std::string out = "(UPDATE " + JoinName(u.table);
      if (u.alias) out += " AS " + QuoteIdentifier(*u.alias);
      out += " " + AssignmentsToString(u.assignments);
      if (u.where) out += " (WHERE " + ToString(*u.where) + ")";
      return out + ")";
    }
    case StatementKind::kMerge: {
      const Merge& m = *s.merge;
      std::string out = "(MERGE ";
      if (m.schema_evolution) out += "WITH SCHEMA EVOLUTION ";
      out += JoinName(m.target);
      if (m.target_alias) out += " AS " + QuoteIdentifier(*m.target_alias);
      out += " (USING " + ToString(*m.source) + ") (ON " + ToString(*m.condition) + ")";
      for (const auto& c : m.clauses) {
        out += c.match == MergeMatchKind::kMatched      ? " (MATCHED"
               : c.match == MergeMatchKind::kNotMatched ? " (NOT MATCHED"
                                                        : " (NOT MATCHED BY SOURCE";
        if (c.condition) out += " (AND " + ToString(*c.condition) + ")";
        switch (c.action) {
          case MergeActionKind::kUpdate:
            out += " (UPDATE " + AssignmentsToString(c.assignments) + ")";
            break;
          case MergeActionKind::kUpdateAll:
            out += " UPDATE *";
            break;
          case MergeActionKind::kDelete:
            out += " DELETE";
            break;
          case MergeActionKind::kInsertAll:
            out += " INSERT *";
            break;
          case MergeActionKind::kInsert: {
            out += " (INSERT (";
            for (size_t i = 0; i < c.insert_columns.size(); ++i) {
              out += (i > 0 ? " " : "") + JoinName(c.insert_columns[i]);
            }
            out += ")";
            for (const auto& v : c.insert_values) out += " " + ToString(*v);
            out += ")";
            break;
          }
        }
        out += ")";
      }
      return out + ")";
    }
  }
  return "?";
}

}  // namespace basin::sql
