#include "basin/connect/expression_text.h"

#include "basin/connect/sql_text.h"

namespace basin::connect {

namespace {

class Writer {
 public:
  explicit Writer(const std::map<int64_t, std::string>& qualifiers) : qualifiers_(qualifiers) {}

  Result<std::string> Write(const sql::Expr& e) {
    using K = sql::ExprKind;
    switch (e.kind) {
      case K::kColumn: {
        std::string out;
        auto q = e.plan_id >= 0 ? qualifiers_.find(e.plan_id) : qualifiers_.end();
        if (q != qualifiers_.end() && e.name_parts.size() == 1)
          out = QuoteIdentifier(q->second) + ".";
        return out + QuoteParts(e.name_parts);
      }
      case K::kStar:
        return e.name_parts.empty() ? std::string("*") : QuoteParts(e.name_parts) + ".*";
      case K::kLiteral:
        return Literal(e);
      case K::kParameter:
        return UserError("UNBOUND_SQL_PARAMETER",
                         "Found the unbound parameter: " + (e.text.empty() ? "?" : e.text) + ".");
      case K::kUnary: {
        ASSIGN_OR_RAISE(auto child, Child(e, 0));
        switch (e.unary_op) {
          case sql::UnaryOp::kMinus:
            return "(-" + child + ")";
          case sql::UnaryOp::kPlus:
            return "(+" + child + ")";
          case sql::UnaryOp::kBitNot:
            return "(~" + child + ")";
          case sql::UnaryOp::kNot:
            return "(NOT " + child + ")";
        }
        return child;
      }
      case K::kBinary: {
        ASSIGN_OR_RAISE(auto left, Child(e, 0));
        ASSIGN_OR_RAISE(auto right, Child(e, 1));
        return "(" + left + " " + BinaryOperator(e.binary_op) + " " + right + ")";
      }
      case K::kIsNull: {
        ASSIGN_OR_RAISE(auto child, Child(e, 0));
        return "(" + child + (e.negated ? " IS NOT NULL)" : " IS NULL)");
      }
      case K::kIsBoolean: {
        ASSIGN_OR_RAISE(auto child, Child(e, 0));
        return "(" + child + (e.negated ? " IS NOT " : " IS ") + e.text + ")";
      }
      case K::kBetween: {
        ASSIGN_OR_RAISE(auto value, Child(e, 0));
        ASSIGN_OR_RAISE(auto low, Child(e, 1));
        ASSIGN_OR_RAISE(auto high, Child(e, 2));
        return "(" + value + (e.negated ? " NOT BETWEEN " : " BETWEEN ") + low + " AND " + high +
               ")";
      }
      case K::kInList: {
        ASSIGN_OR_RAISE(auto value, Child(e, 0));
        ASSIGN_OR_RAISE(auto list, List(e, 1));
        return "(" + value + (e.negated ? " NOT IN (" : " IN (") + list + "))";
      }
      case K::kLike: {
        ASSIGN_OR_RAISE(auto value, Child(e, 0));
        std::string op = e.like_op == sql::LikeOp::kLike    ? "LIKE"
                         : e.like_op == sql::LikeOp::kILike ? "ILIKE"
                                                            : "RLIKE";
        std::string out = "(" + value + (e.negated ? " NOT " : " ") + op + " ";
        if (e.quantifier != sql::LikeQuantifier::kNone) {
          ASSIGN_OR_RAISE(auto list, List(e, 1));
          out += std::string(e.quantifier == sql::LikeQuantifier::kAny ? "ANY" : "ALL") + " (" +
                 list + ")";
        } else {
          ASSIGN_OR_RAISE(auto pattern, Child(e, 1));
          out += pattern;
        }
        if (e.escape) out += " ESCAPE " + QuoteString(*e.escape);
        return out + ")";
      }
      case K::kCase: {
        std::string out = "CASE";
        size_t i = 0;
        if (e.has_operand) {
          ASSIGN_OR_RAISE(auto operand, Child(e, 0));
          out += " " + operand;
          i = 1;
        }
        size_t end = e.children.size() - (e.has_else ? 1 : 0);
        for (; i + 1 < end + 1 && i < end; i += 2) {
          ASSIGN_OR_RAISE(auto when, Child(e, i));
          ASSIGN_OR_RAISE(auto then, Child(e, i + 1));
          out += " WHEN " + when + " THEN " + then;
        }
        if (e.has_else) {
          ASSIGN_OR_RAISE(auto otherwise, Child(e, e.children.size() - 1));
          out += " ELSE " + otherwise;
        }
        return out + " END";
      }
      case K::kCast: {
        ASSIGN_OR_RAISE(auto child, Child(e, 0));
        if (!e.type) return InternalError("a CAST without a type");
        return std::string(e.try_cast ? "TRY_CAST(" : "CAST(") + child + " AS " +
               sql::ToString(*e.type) + ")";
      }
      case K::kFunction:
        return Function(e);
      case K::kSubscript: {
        ASSIGN_OR_RAISE(auto base, Child(e, 0));
        ASSIGN_OR_RAISE(auto index, Child(e, 1));
        return base + "[" + index + "]";
      }
      case K::kField: {
        ASSIGN_OR_RAISE(auto base, Child(e, 0));
        return "(" + base + ")." + QuoteIdentifier(e.text);
      }
      case K::kLambda: {
        ASSIGN_OR_RAISE(auto body, Child(e, 0));
        std::string params;
        for (const auto& p : e.lambda_params) {
          if (!params.empty()) params += ", ";
          params += QuoteIdentifier(p);
        }
        return "((" + params + ") -> " + body + ")";
      }
      case K::kNamedArgument: {
        ASSIGN_OR_RAISE(auto value, Child(e, 0));
        return QuoteIdentifier(e.text) + " => " + value;
      }
      case K::kAlias: {
        ASSIGN_OR_RAISE(auto value, Child(e, 0));
        return value + " AS " + QuoteIdentifier(e.text);
      }
      case K::kRow: {
        ASSIGN_OR_RAISE(auto list, List(e, 0));
        return "(" + list + ")";
      }
      case K::kInSubquery:
      case K::kExists:
      case K::kScalarSubquery:
        return UserError("UNSUPPORTED_FEATURE",
                         "Subqueries in the conditions of DeltaTable calls are not supported by "
                         "Basin yet; use a SQL statement.");
    }
    return InternalError("an expression of unknown kind");
  }

 private:
  Result<std::string> Child(const sql::Expr& e, size_t i) {
    if (i >= e.children.size() || !e.children[i]) {
      return InternalError("an expression lacks an operand");
    }
    return Write(*e.children[i]);
  }

  Result<std::string> List(const sql::Expr& e, size_t from) {
    std::string out;
    for (size_t i = from; i < e.children.size(); ++i) {
      ASSIGN_OR_RAISE(auto item, Child(e, i));
      if (i > from) out += ", ";
      out += item;
    }
    return out;
  }

  Result<std::string> Literal(const sql::Expr& e) {
    using L = sql::LiteralKind;
    auto number = [&](const std::string& suffix) {
      std::string text = e.text + suffix;
      return !e.text.empty() && e.text[0] == '-' ? "(" + text + ")" : text;
    };
    switch (e.literal_kind) {
      case L::kNull:
        return std::string("NULL");
      case L::kBoolean:
        return e.text;
      case L::kTinyInt:
        return number("Y");
      case L::kSmallInt:
        return number("S");
      case L::kInt:
        return number("");
      case L::kBigInt:
        return number("L");
      case L::kFloat:
        return number("F");
      case L::kDouble:
        return number("D");
      case L::kDecimal:
        return number("BD");
      case L::kString:
        return QuoteString(e.text);
      case L::kBinary:
        return "X'" + e.text + "'";
      case L::kDate:
        return "DATE " + QuoteString(e.text);
      case L::kTimestamp:
        return "TIMESTAMP " + QuoteString(e.text);
      case L::kTimestampNtz:
        return "TIMESTAMP_NTZ " + QuoteString(e.text);
      case L::kTime:
        return "TIME " + QuoteString(e.text);
      case L::kInterval: {
        std::string out = "INTERVAL";
        for (const auto& part : e.interval) {
          out += " " + (part.quoted ? QuoteString(part.value) : part.value);
          if (!part.unit.empty()) out += " " + part.unit;
          if (!part.to_unit.empty()) out += " TO " + part.to_unit;
        }
        return out;
      }
    }
    return InternalError("a literal of unknown kind");
  }

  static std::string BinaryOperator(sql::BinaryOp op) {
    using B = sql::BinaryOp;
    switch (op) {
      case B::kAdd:
        return "+";
      case B::kSubtract:
        return "-";
      case B::kMultiply:
        return "*";
      case B::kDivide:
        return "/";
      case B::kModulo:
        return "%";
      case B::kIntDivide:
        return "DIV";
      case B::kConcat:
        return "||";
      case B::kEq:
        return "=";
      case B::kNullSafeEq:
        return "<=>";
      case B::kNotEq:
        return "!=";
      case B::kLt:
        return "<";
      case B::kLtEq:
        return "<=";
      case B::kGt:
        return ">";
      case B::kGtEq:
        return ">=";
      case B::kAnd:
        return "AND";
      case B::kOr:
        return "OR";
      case B::kBitAnd:
        return "&";
      case B::kBitOr:
        return "|";
      case B::kBitXor:
        return "^";
    }
    return "?";
  }

  Result<std::string> SortItems(const std::vector<sql::SortItem>& items) {
    std::string out;
    for (const auto& item : items) {
      if (!out.empty()) out += ", ";
      ASSIGN_OR_RAISE(auto expr, Write(*item.expr));
      out += expr;
      if (item.direction == sql::SortDirection::kAscending) out += " ASC";
      if (item.direction == sql::SortDirection::kDescending) out += " DESC";
      if (item.nulls == sql::NullOrdering::kNullsFirst) out += " NULLS FIRST";
      if (item.nulls == sql::NullOrdering::kNullsLast) out += " NULLS LAST";
    }
    return out;
  }

  Result<std::string> Bound(const sql::FrameBound& bound) {
    using F = sql::FrameBoundKind;
    switch (bound.kind) {
      case F::kUnboundedPreceding:
        return std::string("UNBOUNDED PRECEDING");
      case F::kUnboundedFollowing:
        return std::string("UNBOUNDED FOLLOWING");
      case F::kCurrentRow:
        return std::string("CURRENT ROW");
      case F::kPreceding:
      case F::kFollowing: {
        if (!bound.offset) return InternalError("a window frame bound lacks its offset");
        ASSIGN_OR_RAISE(auto offset, Write(*bound.offset));
        return offset + (bound.kind == F::kPreceding ? " PRECEDING" : " FOLLOWING");
      }
    }
    return InternalError("a window frame bound of unknown kind");
  }

  Result<std::string> Window(const sql::WindowSpec& spec) {
    std::string out;
    if (spec.base_name) out += QuoteIdentifier(*spec.base_name);
    if (!spec.partition_by.empty()) {
      out += " PARTITION BY ";
      for (size_t i = 0; i < spec.partition_by.size(); ++i) {
        ASSIGN_OR_RAISE(auto p, Write(*spec.partition_by[i]));
        out += (i ? ", " : "") + p;
      }
    }
    if (!spec.order_by.empty()) {
      ASSIGN_OR_RAISE(auto order, SortItems(spec.order_by));
      out += " ORDER BY " + order;
    }
    if (spec.frame) {
      ASSIGN_OR_RAISE(auto start, Bound(spec.frame->start));
      ASSIGN_OR_RAISE(auto end, Bound(spec.frame->end));
      out += std::string(spec.frame->type == sql::FrameType::kRows ? " ROWS" : " RANGE") +
             " BETWEEN " + start + " AND " + end;
    }
    return "(" + out + ")";
  }

  Result<std::string> Function(const sql::Expr& e) {
    std::string out = QuoteParts(e.name_parts) + "(";
    if (e.distinct) out += "DISTINCT ";
    ASSIGN_OR_RAISE(auto args, List(e, 0));
    out += args + ")";
    if (!e.within_group.empty()) {
      ASSIGN_OR_RAISE(auto order, SortItems(e.within_group));
      out += " WITHIN GROUP (ORDER BY " + order + ")";
    }
    if (e.filter) {
      ASSIGN_OR_RAISE(auto filter, Write(*e.filter));
      out += " FILTER (WHERE " + filter + ")";
    }
    if (e.null_treatment == sql::NullTreatment::kIgnoreNulls) out += " IGNORE NULLS";
    if (e.null_treatment == sql::NullTreatment::kRespectNulls) out += " RESPECT NULLS";
    if (e.over) {
      ASSIGN_OR_RAISE(auto window, Window(*e.over));
      out += " OVER " + window;
    }
    return out;
  }

  const std::map<int64_t, std::string>& qualifiers_;
};

}  // namespace

Result<std::string> ExpressionText(const sql::Expr& expr,
                                   const std::map<int64_t, std::string>& qualifiers) {
  return Writer(qualifiers).Write(expr);
}

}  // namespace basin::connect
