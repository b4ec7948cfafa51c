#include "basin/analyzer/column_name.h"

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "basin/function/cast.h"

namespace basin::analyzer {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

const char* BinarySymbol(sql::BinaryOp op) {
  using B = sql::BinaryOp;
  switch (op) {
    case B::kAdd: return "+";
    case B::kSubtract: return "-";
    case B::kMultiply: return "*";
    case B::kDivide: return "/";
    case B::kModulo: return "%";
    case B::kIntDivide: return "div";
    case B::kConcat: return "||";
    case B::kEq: return "=";
    case B::kNullSafeEq: return "<=>";
    case B::kNotEq: return "!=";
    case B::kLt: return "<";
    case B::kLtEq: return "<=";
    case B::kGt: return ">";
    case B::kGtEq: return ">=";
    case B::kAnd: return "AND";
    case B::kOr: return "OR";
    case B::kBitAnd: return "&";
    case B::kBitOr: return "|";
    case B::kBitXor: return "^";
  }
  return "?";
}

// Parameters of the lambdas being named, outermost first: Spark names their uses
// "namedlambdavariable()".
thread_local std::vector<std::string> lambda_names;

bool IsLambdaName(const std::string& name) {
  for (const auto& n : lambda_names) {
    if (Lower(n) == Lower(name)) return true;
  }
  return false;
}

std::string TypeName(const sql::DataTypeSyntax& type) { return Upper(sql::ToString(type)); }

std::string Join(const std::vector<sql::ExprPtr>& exprs, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < exprs.size(); ++i) {
    if (i > from) out += ", ";
    out += AutoColumnName(*exprs[i]);
  }
  return out;
}

}  // namespace

std::string AutoColumnName(const sql::Expr& e) {
  using K = sql::ExprKind;
  switch (e.kind) {
    case K::kColumn:
      if (e.name_parts.empty()) return "";
      if (e.plan_id < 0 && IsLambdaName(e.name_parts[0])) {
        std::string s = "namedlambdavariable()";
        for (size_t i = 1; i < e.name_parts.size(); ++i) s += "." + e.name_parts[i];
        return s;
      }
      return e.name_parts.back();
    case K::kStar: return "*";
    case K::kLiteral:
      switch (e.literal_kind) {
        case sql::LiteralKind::kNull: return "NULL";
        case sql::LiteralKind::kDate: return "DATE '" + e.text + "'";
        case sql::LiteralKind::kTimestamp: return "TIMESTAMP '" + e.text + "'";
        case sql::LiteralKind::kTimestampNtz: return "TIMESTAMP_NTZ '" + e.text + "'";
        case sql::LiteralKind::kTime: {
          // Spark names a TIME literal by its value ("TIME '1:2'" is TIME '01:02:00').
          auto nanos = function::ParseTime(e.text);
          return "TIME '" + (nanos ? function::FormatTime(*nanos) : e.text) + "'";
        }
        case sql::LiteralKind::kBinary: return "X'" + e.text + "'";
        case sql::LiteralKind::kInterval: return "INTERVAL '" + e.text + "'";
        case sql::LiteralKind::kBoolean: return Lower(e.text);
        default: return e.text;
      }
    case K::kParameter: return e.text.empty() ? "?" : ":" + e.text;
    case K::kUnary:
      switch (e.unary_op) {
        case sql::UnaryOp::kMinus: return "(- " + AutoColumnName(*e.children[0]) + ")";
        case sql::UnaryOp::kPlus: return "(+ " + AutoColumnName(*e.children[0]) + ")";
        case sql::UnaryOp::kBitNot: return "~" + AutoColumnName(*e.children[0]);
        case sql::UnaryOp::kNot: return "(NOT " + AutoColumnName(*e.children[0]) + ")";
      }
      return "";
    case K::kBinary:
      return "(" + AutoColumnName(*e.children[0]) + " " + BinarySymbol(e.binary_op) + " " +
             AutoColumnName(*e.children[1]) + ")";
    case K::kIsNull:
      return "(" + AutoColumnName(*e.children[0]) + (e.negated ? " IS NOT NULL)" : " IS NULL)");
    case K::kIsBoolean:
      return "(" + AutoColumnName(*e.children[0]) + (e.negated ? " IS NOT " : " IS ") + e.text + ")";
    case K::kBetween: {
      std::string a = AutoColumnName(*e.children[0]);
      std::string s = "((" + a + " >= " + AutoColumnName(*e.children[1]) + ") AND (" + a +
                      " <= " + AutoColumnName(*e.children[2]) + "))";
      return e.negated ? "(NOT " + s + ")" : s;
    }
    case K::kInList: {
      std::string s = "(" + AutoColumnName(*e.children[0]) + " IN (" + Join(e.children, 1) + "))";
      return e.negated ? "(NOT " + s + ")" : s;
    }
    case K::kInSubquery: return std::string(e.negated ? "(NOT " : "") + "(" +
                                AutoColumnName(*e.children[0]) + " IN (listquery()))" +
                                (e.negated ? ")" : "");
    case K::kLike: {
      const char* op = e.like_op == sql::LikeOp::kLike    ? "LIKE"
                       : e.like_op == sql::LikeOp::kILike ? "ILIKE"
                                                          : "RLIKE";
      std::string s = AutoColumnName(*e.children[0]) + " " + op + " " + Join(e.children, 1);
      return e.negated ? "(NOT " + s + ")" : s;
    }
    case K::kExists: return e.negated ? "(NOT exists())" : "exists()";
    case K::kScalarSubquery: return "scalarsubquery()";
    case K::kCase: {
      std::string s = "CASE";
      size_t i = 0;
      if (e.has_operand) s += " " + AutoColumnName(*e.children[i++]);
      size_t end = e.children.size() - (e.has_else ? 1 : 0);
      for (; i + 1 < end; i += 2) {
        s += " WHEN " + AutoColumnName(*e.children[i]) + " THEN " +
             AutoColumnName(*e.children[i + 1]);
      }
      if (e.has_else) s += " ELSE " + AutoColumnName(*e.children.back());
      return s + " END";
    }
    case K::kCast:
      return std::string(e.try_cast ? "TRY_CAST(" : "CAST(") + AutoColumnName(*e.children[0]) +
             " AS " + (e.type ? TypeName(*e.type) : "?") + ")";
    case K::kFunction: {
      // A front door's display name (a Python UDF called by a generated name).
      if (!e.text.empty()) return e.text + "(" + Join(e.children) + ")";
      std::string name = Lower(e.name_parts.empty() ? "" : e.name_parts.back());
      // The cast aliases (int(x), date(x), time(x), ...) are named after x, as Spark shows an
      // implicit cast.
      static const std::set<std::string> kCastAliases = {
          "boolean", "tinyint", "smallint", "int",    "bigint",    "float", "double",
          "decimal", "binary",  "string",   "date",   "timestamp", "time"};
      if (kCastAliases.count(name) && e.children.size() == 1 && e.name_parts.size() == 1) {
        return AutoColumnName(*e.children[0]);
      }
      // A time window is the column `window` (analyzer AddTimeWindows).
      if (name == "window" && !e.over && e.name_parts.size() == 1 && e.children.size() >= 2) {
        return "window";
      }
      std::string args;
      if (name == "count" && e.children.size() == 1 && e.children[0]->kind == K::kStar &&
          e.children[0]->name_parts.empty()) {
        args = "1";
      } else if (name == "current_time" && e.children.empty()) {
        args = "6";  // named with its default precision, as Spark does
      } else {
        args = Join(e.children);
        // aggregate/reduce without a finish lambda are named with Spark's identity finish.
        if ((name == "aggregate" || name == "reduce") && e.children.size() == 3 &&
            e.children[2]->kind == K::kLambda) {
          args += ", lambdafunction(namedlambdavariable(), namedlambdavariable())";
        }
      }
      std::string s = name + "(" + (e.distinct ? "DISTINCT " : "") + args + ")";
      if (!e.within_group.empty()) {
        s += " WITHIN GROUP (ORDER BY ";
        for (size_t i = 0; i < e.within_group.size(); ++i) {
          const auto& item = e.within_group[i];
          s += (i ? ", " : "") + AutoColumnName(*item.expr);
          if (item.direction == sql::SortDirection::kDescending) s += " DESC";
        }
        s += ")";
      }
      if (e.filter) s += " FILTER (WHERE " + AutoColumnName(*e.filter) + ")";
      if (e.over) s += " OVER (...)";
      return s;
    }
    case K::kSubscript:
      return AutoColumnName(*e.children[0]) + "[" + AutoColumnName(*e.children[1]) + "]";
    case K::kField: return AutoColumnName(*e.children[0]) + "." + e.text;
    case K::kLambda: {
      const size_t depth = lambda_names.size();
      for (const auto& p : e.lambda_params) lambda_names.push_back(p);
      std::string s = "lambdafunction(" + AutoColumnName(*e.children[0]);
      lambda_names.resize(depth);
      for (size_t i = 0; i < e.lambda_params.size(); ++i) s += ", namedlambdavariable()";
      return s + ")";
    }
    case K::kNamedArgument: return AutoColumnName(*e.children[0]);
    case K::kAlias: return e.text;
    case K::kRow: return "named_struct(" + Join(e.children) + ")";
  }
  return "";
}

}  // namespace basin::analyzer
