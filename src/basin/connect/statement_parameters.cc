#include "basin/connect/statement_parameters.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <tuple>

#include "basin/connect/expression_text.h"
#include "basin/sql/parser.h"
#include "basin/types/civil_time.h"
#include "basin/types/schema_json.h"

namespace basin::connect {

namespace {

using sql::Expr;
using sql::ExprKind;
using sql::ExprPtr;
using sql::LiteralKind;

ExprPtr MakeLiteral(LiteralKind kind, std::string text) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kLiteral;
  e->literal_kind = kind;
  e->text = std::move(text);
  return e;
}

Result<ExprPtr> CastTo(ExprPtr inner, const arrow::DataType& type) {
  ASSIGN_OR_RAISE(auto syntax, sql::ParseDataType(types::SparkTypeName(type)));
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kCast;
  e->type = std::make_unique<sql::DataTypeSyntax>(std::move(syntax));
  e->children.push_back(std::move(inner));
  return e;
}

ExprPtr Call(const std::string& name, std::vector<ExprPtr> args) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kFunction;
  e->name_parts = {name};
  e->children = std::move(args);
  return e;
}

// A minus over a literal, as the parser builds negative numbers.
ExprPtr Negate(ExprPtr literal) {
  auto minus = std::make_unique<Expr>();
  minus->kind = ExprKind::kUnary;
  minus->unary_op = sql::UnaryOp::kMinus;
  minus->children.push_back(std::move(literal));
  return minus;
}

Result<ExprPtr> IntegerLiteral(LiteralKind kind, int64_t value, const arrow::DataType& type) {
  if (value == std::numeric_limits<int64_t>::min()) {
    return CastTo(MakeLiteral(LiteralKind::kString, std::to_string(value)), type);
  }
  auto literal = MakeLiteral(kind, std::to_string(value < 0 ? -value : value));
  if (value >= 0) return literal;
  return Negate(std::move(literal));
}

Result<ExprPtr> FloatingLiteral(double value, bool is_float, const arrow::DataType& type) {
  if (!std::isfinite(value)) {
    std::string text = std::isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity");
    return CastTo(MakeLiteral(LiteralKind::kString, text), type);
  }
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), is_float ? "%.9g" : "%.17g", std::fabs(value));
  auto literal = MakeLiteral(is_float ? LiteralKind::kFloat : LiteralKind::kDouble, buffer);
  if (!std::signbit(value)) return literal;
  return Negate(std::move(literal));
}

int64_t ToMicros(int64_t value, arrow::TimeUnit::type unit) {
  switch (unit) {
    case arrow::TimeUnit::SECOND:
      return value * 1'000'000;
    case arrow::TimeUnit::MILLI:
      return value * 1'000;
    case arrow::TimeUnit::MICRO:
      return value;
    case arrow::TimeUnit::NANO:
      return value / 1'000;
  }
  return value;
}

std::string Hex(std::string_view bytes) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// The parameter's value, or null when `e` is a parameter without one.
Result<ExprPtr> ParameterValue(const Expr& e, const ParameterValues& values) {
  if (e.text.empty()) {
    if (e.parameter_index < 0 || e.parameter_index >= static_cast<int>(values.positional.size())) {
      return UserError("UNBOUND_SQL_PARAMETER",
                       "Found the unbound parameter: _" + std::to_string(e.parameter_index) +
                           ". Please, fix `args` and provide a mapping of the parameter to "
                           "either a SQL literal or collection constructor functions.");
    }
    return ScalarExpression(*values.positional[e.parameter_index]);
  }
  auto it = values.named.find(e.text);
  if (it == values.named.end()) {
    return UserError("UNBOUND_SQL_PARAMETER",
                     "Found the unbound parameter: " + e.text +
                         ". Please, fix `args` and provide a mapping of the parameter to either "
                         "a SQL literal or collection constructor functions.");
  }
  return ScalarExpression(*it->second);
}

// Visits every parameter of a syntax tree.
class Binder {
 public:
  explicit Binder(std::function<Status(ExprPtr&)> on_parameter)
      : on_parameter_(std::move(on_parameter)) {}

  Status Bind(ExprPtr& e) {
    if (!e) return Status::OK();
    if (e->kind == ExprKind::kParameter) return on_parameter_(e);
    for (auto& child : e->children) RETURN_NOT_OK(Bind(child));
    RETURN_NOT_OK(Bind(e->filter));
    if (e->over) RETURN_NOT_OK(Bind(*e->over));
    for (auto& item : e->within_group) RETURN_NOT_OK(Bind(item.expr));
    if (e->subquery) RETURN_NOT_OK(Bind(*e->subquery));
    return Status::OK();
  }

  Status Bind(sql::WindowSpec& spec) {
    for (auto& p : spec.partition_by) RETURN_NOT_OK(Bind(p));
    for (auto& o : spec.order_by) RETURN_NOT_OK(Bind(o.expr));
    if (spec.frame) {
      RETURN_NOT_OK(Bind(spec.frame->start.offset));
      RETURN_NOT_OK(Bind(spec.frame->end.offset));
    }
    return Status::OK();
  }

  Status Bind(sql::Query& q) {
    for (auto& cte : q.ctes) {
      if (cte.query) RETURN_NOT_OK(Bind(*cte.query));
    }
    for (auto& hint : q.hints) {
      for (auto& a : hint.arguments) RETURN_NOT_OK(Bind(a));
    }
    for (auto& item : q.select_items) RETURN_NOT_OK(Bind(item.expr));
    if (q.from) RETURN_NOT_OK(Bind(*q.from));
    RETURN_NOT_OK(Bind(q.where));
    if (q.group_by) {
      for (auto& item : q.group_by->items) {
        RETURN_NOT_OK(Bind(item.expr));
        for (auto& set : item.sets) {
          for (auto& s : set) RETURN_NOT_OK(Bind(s));
        }
      }
    }
    RETURN_NOT_OK(Bind(q.having));
    RETURN_NOT_OK(Bind(q.qualify));
    for (auto& w : q.windows) RETURN_NOT_OK(Bind(w.spec));
    if (q.left) RETURN_NOT_OK(Bind(*q.left));
    if (q.right) RETURN_NOT_OK(Bind(*q.right));
    for (auto& row : q.values) {
      for (auto& v : row) RETURN_NOT_OK(Bind(v));
    }
    for (auto& o : q.order_by) RETURN_NOT_OK(Bind(o.expr));
    for (auto& o : q.sort_by) RETURN_NOT_OK(Bind(o.expr));
    for (auto& c : q.cluster_by) RETURN_NOT_OK(Bind(c));
    for (auto& d : q.distribute_by) RETURN_NOT_OK(Bind(d));
    RETURN_NOT_OK(Bind(q.limit));
    RETURN_NOT_OK(Bind(q.offset));
    return Status::OK();
  }

  Status Bind(sql::Relation& r) {
    RETURN_NOT_OK(Bind(r.time_travel.value));
    if (r.sample) {
      RETURN_NOT_OK(Bind(r.sample->amount));
      RETURN_NOT_OK(Bind(r.sample->bucket_on));
    }
    if (r.query) RETURN_NOT_OK(Bind(*r.query));
    RETURN_NOT_OK(Bind(r.function));
    for (auto& row : r.rows) {
      for (auto& v : row) RETURN_NOT_OK(Bind(v));
    }
    if (r.left) RETURN_NOT_OK(Bind(*r.left));
    if (r.right) RETURN_NOT_OK(Bind(*r.right));
    RETURN_NOT_OK(Bind(r.condition));
    if (r.pivot) {
      for (auto& a : r.pivot->aggregates) RETURN_NOT_OK(Bind(a));
      for (auto& v : r.pivot->values) RETURN_NOT_OK(Bind(v));
    }
    return Status::OK();
  }

  Status Bind(sql::Statement& s) {
    if (s.query) RETURN_NOT_OK(Bind(*s.query));
    if (s.inner) RETURN_NOT_OK(Bind(*s.inner));
    RETURN_NOT_OK(Bind(s.where));
    if (s.create_table) {
      for (auto& c : s.create_table->columns) {
        RETURN_NOT_OK(Bind(c.default_value));
        RETURN_NOT_OK(Bind(c.generated_as));
      }
      if (s.create_table->as_query) RETURN_NOT_OK(Bind(*s.create_table->as_query));
    }
    if (s.create_view && s.create_view->query) RETURN_NOT_OK(Bind(*s.create_view->query));
    if (s.insert) {
      for (auto& [name, value] : s.insert->partition) RETURN_NOT_OK(Bind(value));
      RETURN_NOT_OK(Bind(s.insert->replace_where));
      if (s.insert->query) RETURN_NOT_OK(Bind(*s.insert->query));
    }
    if (s.update) {
      for (auto& a : s.update->assignments) RETURN_NOT_OK(Bind(a.value));
      RETURN_NOT_OK(Bind(s.update->where));
    }
    if (s.merge) {
      if (s.merge->source) RETURN_NOT_OK(Bind(*s.merge->source));
      RETURN_NOT_OK(Bind(s.merge->condition));
      for (auto& clause : s.merge->clauses) {
        RETURN_NOT_OK(Bind(clause.condition));
        for (auto& a : clause.assignments) RETURN_NOT_OK(Bind(a.value));
        for (auto& v : clause.insert_values) RETURN_NOT_OK(Bind(v));
      }
    }
    return Status::OK();
  }

 private:
  std::function<Status(ExprPtr&)> on_parameter_;
};

std::function<Status(ExprPtr&)> Replacer(const ParameterValues& values) {
  return [&values](ExprPtr& e) -> Status {
    ASSIGN_OR_RAISE(e, ParameterValue(*e, values));
    return Status::OK();
  };
}

}  // namespace

Result<ExprPtr> ScalarExpression(const arrow::Scalar& value) {
  const auto& type = *value.type;
  if (!value.is_valid) {
    if (type.id() == arrow::Type::NA) return MakeLiteral(LiteralKind::kNull, "");
    return CastTo(MakeLiteral(LiteralKind::kNull, ""), type);
  }
  switch (type.id()) {
    case arrow::Type::BOOL:
      return MakeLiteral(LiteralKind::kBoolean,
                         static_cast<const arrow::BooleanScalar&>(value).value ? "true" : "false");
    case arrow::Type::INT8:
      return IntegerLiteral(LiteralKind::kTinyInt,
                            static_cast<const arrow::Int8Scalar&>(value).value, type);
    case arrow::Type::INT16:
      return IntegerLiteral(LiteralKind::kSmallInt,
                            static_cast<const arrow::Int16Scalar&>(value).value, type);
    case arrow::Type::INT32:
      return IntegerLiteral(LiteralKind::kInt, static_cast<const arrow::Int32Scalar&>(value).value,
                            type);
    case arrow::Type::INT64:
      return IntegerLiteral(LiteralKind::kBigInt,
                            static_cast<const arrow::Int64Scalar&>(value).value, type);
    case arrow::Type::FLOAT:
      return FloatingLiteral(static_cast<const arrow::FloatScalar&>(value).value, true, type);
    case arrow::Type::DOUBLE:
      return FloatingLiteral(static_cast<const arrow::DoubleScalar&>(value).value, false, type);
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256:
      return CastTo(MakeLiteral(LiteralKind::kString, value.ToString()), type);
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW:
      return MakeLiteral(LiteralKind::kString, value.ToString());
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY: {
      const auto& bytes = static_cast<const arrow::BaseBinaryScalar&>(value);
      return MakeLiteral(LiteralKind::kBinary, Hex(bytes.view()));
    }
    case arrow::Type::DATE32:
      return MakeLiteral(LiteralKind::kDate,
                         types::FormatDate(static_cast<const arrow::Date32Scalar&>(value).value));
    case arrow::Type::TIMESTAMP: {
      const auto& ts_type = static_cast<const arrow::TimestampType&>(type);
      int64_t micros =
          ToMicros(static_cast<const arrow::TimestampScalar&>(value).value, ts_type.unit());
      bool zoned = !ts_type.timezone().empty();
      return MakeLiteral(zoned ? LiteralKind::kTimestamp : LiteralKind::kTimestampNtz,
                         types::FormatTimestampMicros(micros, zoned));
    }
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST: {
      const auto& list = static_cast<const arrow::BaseListScalar&>(value);
      std::vector<ExprPtr> items;
      for (int64_t i = 0; i < list.value->length(); ++i) {
        ASSIGN_OR_RAISE(auto item, list.value->GetScalar(i));
        ASSIGN_OR_RAISE(auto expr, ScalarExpression(*item));
        items.push_back(std::move(expr));
      }
      return CastTo(Call("array", std::move(items)), type);
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapScalar&>(value);
      const auto& entries = static_cast<const arrow::StructArray&>(*map.value);
      std::vector<ExprPtr> items;
      for (int64_t i = 0; i < entries.length(); ++i) {
        for (int f = 0; f < 2; ++f) {
          ASSIGN_OR_RAISE(auto item, entries.field(f)->GetScalar(i));
          ASSIGN_OR_RAISE(auto expr, ScalarExpression(*item));
          items.push_back(std::move(expr));
        }
      }
      return CastTo(Call("map", std::move(items)), type);
    }
    case arrow::Type::STRUCT: {
      const auto& row = static_cast<const arrow::StructScalar&>(value);
      std::vector<ExprPtr> items;
      for (int f = 0; f < type.num_fields(); ++f) {
        items.push_back(MakeLiteral(LiteralKind::kString, type.field(f)->name()));
        ASSIGN_OR_RAISE(auto expr, ScalarExpression(*row.value[f]));
        items.push_back(std::move(expr));
      }
      return CastTo(Call("named_struct", std::move(items)), type);
    }
    default:
      return UserError("UNSUPPORTED_FEATURE",
                       "A parameter of type " + type.ToString() + " is not supported yet.");
  }
}

Status BindParameters(sql::Statement& statement, const ParameterValues& values) {
  return Binder(Replacer(values)).Bind(statement);
}

Status BindParameters(sql::ExprPtr& expr, const ParameterValues& values) {
  return Binder(Replacer(values)).Bind(expr);
}

Result<std::string> InlineParameters(const std::string& text, const ParameterValues& values) {
  ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(text));
  // (offset, length, replacement) of each parameter token.
  std::vector<std::tuple<size_t, size_t, std::string>> edits;
  Binder binder([&](ExprPtr& e) -> Status {
    ASSIGN_OR_RAISE(auto value, ParameterValue(*e, values));
    ASSIGN_OR_RAISE(auto literal, ExpressionText(*value));
    size_t offset = static_cast<size_t>(e->pos.offset);
    size_t length = 0;
    if (e->text.empty()) {
      if (offset < text.size() && text[offset] == '?') length = 1;
    } else if (offset < text.size() && text[offset] == ':') {
      if (text.compare(offset + 1, e->text.size(), e->text) == 0) {
        length = 1 + e->text.size();
      } else if (text.compare(offset + 1, e->text.size() + 2, "`" + e->text + "`") == 0) {
        length = 3 + e->text.size();
      }
    }
    if (length == 0) return InternalError("a parameter is not where the parser put it");
    edits.emplace_back(offset, length, std::move(literal));
    return Status::OK();
  });
  RETURN_NOT_OK(binder.Bind(*statement));
  std::sort(edits.begin(), edits.end(),
            [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
  std::string out = text;
  for (const auto& [offset, length, replacement] : edits) {
    out.replace(offset, length, " " + replacement + " ");
  }
  return out;
}

}  // namespace basin::connect
