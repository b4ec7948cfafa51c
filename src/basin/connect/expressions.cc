// Connect expressions -> syntax-tree expressions. Operators arrive as function names (the
// PySpark client's Column methods: "==", "<=>", "and", "isNull", "like", "in", "when", ...);
// everything else is a function call the analyzer resolves by name.

#include <charconv>
#include <cstdio>
#include <functional>
#include <cmath>

#include "basin/connect/data_type.h"
#include "basin/connect/expression_text.h"
#include "basin/connect/relation_queries.h"
#include "basin/connect/translator.h"
#include "basin/sql/parser.h"

namespace basin::connect {

namespace {

using proto::Expression;

// Spark's rules for a column name string (UnresolvedAttribute.quotedString's inverse): parts
// separated by dots; backticks quote a part, with `` for a literal backtick.
Result<std::vector<std::string>> ParseAttributeName(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '`') {
        if (i + 1 < text.size() && text[i + 1] == '`') {
          current += '`';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        current += c;
      }
    } else if (c == '`') {
      if (!current.empty()) {
        return UserError("PARSE_SYNTAX_ERROR", "Syntax error in the attribute name: " + text);
      }
      quoted = was_quoted = true;
    } else if (c == '.') {
      parts.push_back(current);
      current.clear();
      was_quoted = false;
    } else {
      if (was_quoted) {
        return UserError("PARSE_SYNTAX_ERROR", "Syntax error in the attribute name: " + text);
      }
      current += c;
    }
  }
  if (quoted) {
    return UserError("PARSE_SYNTAX_ERROR", "Syntax error in the attribute name: " + text);
  }
  parts.push_back(current);
  return parts;
}

sql::ExprPtr MakeExpr(sql::ExprKind kind) {
  auto e = std::make_unique<sql::Expr>();
  e->kind = kind;
  return e;
}

sql::ExprPtr LiteralSyntax(sql::LiteralKind kind, std::string text) {
  auto e = MakeExpr(sql::ExprKind::kLiteral);
  e->literal_kind = kind;
  e->text = std::move(text);
  return e;
}

// Shortest round-trip text of a floating value, as Java prints it ("1.0", "0.1").
template <typename T>
std::string FloatText(T v) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), v);
  std::string text(buffer, end);
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

// A literal as SQL syntax where SQL can spell it (so the column gets Spark's name, e.g. "1"),
// else as a parameter.
Result<sql::ExprPtr> LiteralExpr(const Expression::Literal& literal, PlanTranslator& t) {
  using L = Expression::Literal;
  switch (literal.literal_type_case()) {
    case L::kNull:
      if (literal.null().kind_case() == proto::DataType::kNull ||
          literal.null().kind_case() == proto::DataType::KIND_NOT_SET) {
        return LiteralSyntax(sql::LiteralKind::kNull, "NULL");
      }
      break;
    case L::kBoolean:
      return LiteralSyntax(sql::LiteralKind::kBoolean, literal.boolean() ? "true" : "false");
    case L::kByte: return LiteralSyntax(sql::LiteralKind::kTinyInt, std::to_string(literal.byte()));
    case L::kShort:
      return LiteralSyntax(sql::LiteralKind::kSmallInt, std::to_string(literal.short_()));
    case L::kInteger:
      return LiteralSyntax(sql::LiteralKind::kInt, std::to_string(literal.integer()));
    case L::kLong: return LiteralSyntax(sql::LiteralKind::kBigInt, std::to_string(literal.long_()));
    case L::kDouble:
      if (std::isfinite(literal.double_())) {
        return LiteralSyntax(sql::LiteralKind::kDouble, FloatText(literal.double_()));
      }
      break;
    case L::kFloat:
      if (std::isfinite(literal.float_())) {
        return LiteralSyntax(sql::LiteralKind::kFloat, FloatText(literal.float_()));
      }
      break;
    case L::kString: return LiteralSyntax(sql::LiteralKind::kString, literal.string());
    default: break;
  }
  ASSIGN_OR_RAISE(auto value, LiteralScalar(literal));
  return t.Literal(std::move(value));
}

Result<sql::ExprPtr> BinaryOf(sql::BinaryOp op, const Expression::UnresolvedFunction& f,
                              PlanTranslator& t) {
  if (f.arguments_size() != 2) {
    return UserError("WRONG_NUM_ARGS",
                     "The `" + f.function_name() + "` requires 2 parameters but the actual number is " +
                         std::to_string(f.arguments_size()) + ".");
  }
  ASSIGN_OR_RAISE(auto left, t.Expression(f.arguments(0)));
  ASSIGN_OR_RAISE(auto right, t.Expression(f.arguments(1)));
  return BinaryExpr(op, std::move(left), std::move(right));
}

Result<std::vector<sql::ExprPtr>> Arguments(
    const google::protobuf::RepeatedPtrField<Expression>& arguments, PlanTranslator& t,
    bool keep_aliases = false) {
  std::vector<sql::ExprPtr> out;
  for (const auto& a : arguments) {
    if (keep_aliases && a.has_alias() && a.alias().name_size() == 1) {
      // struct(col.alias("x")): the field takes the alias.
      ASSIGN_OR_RAISE(auto child, t.Expression(a.alias().expr()));
      auto alias = MakeExpr(sql::ExprKind::kAlias);
      alias->text = a.alias().name(0);
      alias->children.push_back(std::move(child));
      out.push_back(std::move(alias));
      continue;
    }
    ASSIGN_OR_RAISE(auto e, t.Expression(a));
    out.push_back(std::move(e));
  }
  return out;
}

Result<sql::ExprPtr> FunctionOf(const Expression::UnresolvedFunction& f, PlanTranslator& t) {
  const std::string& name = f.function_name();
  using B = sql::BinaryOp;
  static const std::map<std::string, B> kBinary = {
      {"==", B::kEq},      {"<=>", B::kNullSafeEq}, {"!=", B::kNotEq},  {"<", B::kLt},
      {"<=", B::kLtEq},    {">", B::kGt},           {">=", B::kGtEq},   {"+", B::kAdd},
      {"-", B::kSubtract}, {"*", B::kMultiply},     {"/", B::kDivide},  {"%", B::kModulo},
      {"and", B::kAnd},    {"or", B::kOr},          {"&", B::kBitAnd},  {"|", B::kBitOr},
      {"^", B::kBitXor}};
  if (auto it = kBinary.find(name); it != kBinary.end() && f.arguments_size() == 2) {
    return BinaryOf(it->second, f, t);
  }
  if (((name == "years" || name == "months" || name == "days" || name == "hours") &&
       f.arguments_size() == 1) ||
      (name == "bucket" && f.arguments_size() == 2)) {
    // Partition transforms (pyspark.sql.functions.partitioning) mean something only in
    // DataFrameWriterV2.partitionedBy(); Spark's Connect planner rejects them anywhere else.
    std::string args;
    for (const auto& a : f.arguments()) {
      ASSIGN_OR_RAISE(auto arg, t.Expression(a));
      auto text = ExpressionText(*arg);
      args += (args.empty() ? "" : ", ") + (text.ok() ? *text : std::string("?"));
    }
    return UserError("PARTITION_TRANSFORM_EXPRESSION_NOT_IN_PARTITIONED_BY",
                     "The expression \"" + name + "(" + args +
                         ")\" must be inside 'partitionedBy'.");
  }
  if ((name == "not" || name == "negative" || name == "~" || name == "isNull" ||
       name == "isNotNull") &&
      f.arguments_size() == 1) {
    ASSIGN_OR_RAISE(auto child, t.Expression(f.arguments(0)));
    if (name == "isNull" || name == "isNotNull") {
      auto e = MakeExpr(sql::ExprKind::kIsNull);
      e->negated = name == "isNotNull";
      e->children.push_back(std::move(child));
      return e;
    }
    auto e = MakeExpr(sql::ExprKind::kUnary);
    e->unary_op = name == "not"        ? sql::UnaryOp::kNot
                  : name == "negative" ? sql::UnaryOp::kMinus
                                       : sql::UnaryOp::kBitNot;
    e->children.push_back(std::move(child));
    return e;
  }
  if ((name == "like" || name == "ilike" || name == "rlike") &&
      (f.arguments_size() == 2 || f.arguments_size() == 3)) {
    auto e = MakeExpr(sql::ExprKind::kLike);
    e->like_op = name == "like" ? sql::LikeOp::kLike
                 : name == "ilike" ? sql::LikeOp::kILike
                                   : sql::LikeOp::kRLike;
    ASSIGN_OR_RAISE(auto a, t.Expression(f.arguments(0)));
    ASSIGN_OR_RAISE(auto b, t.Expression(f.arguments(1)));
    e->children.push_back(std::move(a));
    e->children.push_back(std::move(b));
    if (f.arguments_size() == 3) {
      const auto& escape = f.arguments(2);
      if (!escape.has_literal() || !escape.literal().has_string()) {
        return UserError("INVALID_ESCAPE_CHAR", "The escape character must be a string literal.");
      }
      e->escape = escape.literal().string();
    }
    return e;
  }
  if (name == "in" && f.arguments_size() >= 1) {
    ASSIGN_OR_RAISE(auto args, Arguments(f.arguments(), t));
    auto e = MakeExpr(sql::ExprKind::kInList);
    e->children = std::move(args);
    return e;
  }
  if (name == "when") {
    ASSIGN_OR_RAISE(auto args, Arguments(f.arguments(), t));
    if (args.size() < 2) {
      return UserError("WRONG_NUM_ARGS", "`when` requires at least a condition and a value.");
    }
    auto e = MakeExpr(sql::ExprKind::kCase);
    e->has_else = args.size() % 2 == 1;
    e->children = std::move(args);
    return e;
  }
  std::string fn = name;
  if (name == "startsWith") fn = "startswith";
  if (name == "endsWith") fn = "endswith";
  if (name == "isNaN") fn = "isnan";
  bool is_struct = name == "struct";
  ASSIGN_OR_RAISE(auto args, Arguments(f.arguments(), t, is_struct));
  auto e = FunctionExpr(fn, std::move(args));
  e->distinct = f.is_distinct();
  return e;
}

Result<sql::DataTypeSyntax> TypeSyntax(const proto::DataType& type);

Result<sql::DataTypeSyntax> SimpleType(sql::TypeKind kind) {
  sql::DataTypeSyntax s;
  s.kind = kind;
  return s;
}

sql::IntervalField YearMonthField(int32_t f) {
  return f == 0 ? sql::IntervalField::kYear : sql::IntervalField::kMonth;
}

sql::IntervalField DayTimeField(int32_t f) {
  switch (f) {
    case 0: return sql::IntervalField::kDay;
    case 1: return sql::IntervalField::kHour;
    case 2: return sql::IntervalField::kMinute;
    default: return sql::IntervalField::kSecond;
  }
}

Result<sql::DataTypeSyntax> TypeSyntax(const proto::DataType& type) {
  using D = proto::DataType;
  using K = sql::TypeKind;
  switch (type.kind_case()) {
    case D::kNull: return SimpleType(K::kNull);
    case D::kBinary: return SimpleType(K::kBinary);
    case D::kBoolean: return SimpleType(K::kBoolean);
    case D::kByte: return SimpleType(K::kTinyInt);
    case D::kShort: return SimpleType(K::kSmallInt);
    case D::kInteger: return SimpleType(K::kInt);
    case D::kLong: return SimpleType(K::kBigInt);
    case D::kFloat: return SimpleType(K::kFloat);
    case D::kDouble: return SimpleType(K::kDouble);
    case D::kString: return SimpleType(K::kString);
    case D::kDate: return SimpleType(K::kDate);
    case D::kTimestamp: return SimpleType(K::kTimestamp);
    case D::kTimestampNtz: return SimpleType(K::kTimestampNtz);
    case D::kTime: {
      sql::DataTypeSyntax s;
      s.kind = K::kTime;
      s.precision = type.time().has_precision() ? type.time().precision() : 6;
      return s;
    }
    case D::kCalendarInterval: return SimpleType(K::kCalendarInterval);
    case D::kVariant: return SimpleType(K::kVariant);
    case D::kChar: {
      sql::DataTypeSyntax s;
      s.kind = K::kChar;
      s.length = type.char_().length();
      return s;
    }
    case D::kVarChar: {
      sql::DataTypeSyntax s;
      s.kind = K::kVarChar;
      s.length = type.var_char().length();
      return s;
    }
    case D::kDecimal: {
      sql::DataTypeSyntax s;
      s.kind = K::kDecimal;
      s.precision = type.decimal().has_precision() ? type.decimal().precision() : 10;
      s.scale = type.decimal().has_scale() ? type.decimal().scale() : 0;
      return s;
    }
    case D::kYearMonthInterval: {
      sql::DataTypeSyntax s;
      s.kind = K::kYearMonthInterval;
      const auto& i = type.year_month_interval();
      s.start_field = YearMonthField(i.has_start_field() ? i.start_field() : 0);
      s.end_field = YearMonthField(i.has_end_field() ? i.end_field() : (i.has_start_field() ? i.start_field() : 1));
      return s;
    }
    case D::kDayTimeInterval: {
      sql::DataTypeSyntax s;
      s.kind = K::kDayTimeInterval;
      const auto& i = type.day_time_interval();
      s.start_field = DayTimeField(i.has_start_field() ? i.start_field() : 0);
      s.end_field = DayTimeField(i.has_end_field() ? i.end_field() : (i.has_start_field() ? i.start_field() : 3));
      return s;
    }
    case D::kArray: {
      sql::DataTypeSyntax s;
      s.kind = K::kArray;
      ASSIGN_OR_RAISE(auto element, TypeSyntax(type.array().element_type()));
      s.children.push_back(std::move(element));
      return s;
    }
    case D::kMap: {
      sql::DataTypeSyntax s;
      s.kind = K::kMap;
      ASSIGN_OR_RAISE(auto key, TypeSyntax(type.map().key_type()));
      ASSIGN_OR_RAISE(auto value, TypeSyntax(type.map().value_type()));
      s.children.push_back(std::move(key));
      s.children.push_back(std::move(value));
      return s;
    }
    case D::kStruct: {
      sql::DataTypeSyntax s;
      s.kind = K::kStruct;
      for (const auto& f : type.struct_().fields()) {
        ASSIGN_OR_RAISE(auto child, TypeSyntax(f.data_type()));
        s.children.push_back(std::move(child));
        s.field_names.push_back(f.name());
        s.field_nullable.push_back(f.nullable());
        s.field_comments.push_back(std::nullopt);
      }
      return s;
    }
    case D::kUnparsed: return sql::ParseDataType(type.unparsed().data_type_string());
    case D::kUdt:
      if (type.udt().has_sql_type()) return TypeSyntax(type.udt().sql_type());
      break;
    default: break;
  }
  return UserError("UNSUPPORTED_DATATYPE",
                   "Unsupported data type in a cast: " + type.ShortDebugString() + ".");
}

Result<sql::ExprPtr> CastOf(const Expression::Cast& cast, PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto child, t.Expression(cast.expr()));
  auto e = MakeExpr(sql::ExprKind::kCast);
  if (cast.has_type() && cast.type().has_udt()) {
    // Only a column of the same UDT casts to a UDT in Spark; Basin's plans cannot name a UDT
    // as a cast's target, so every such cast is refused as Spark refuses the others.
    return UserError("DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION",
                     "Cannot resolve the cast due to data type mismatch: cannot cast to UDT(\"" +
                         (cast.type().udt().has_python_class() ? cast.type().udt().python_class()
                                                               : cast.type().udt().jvm_class()) +
                         "\").");
  }
  if (cast.has_type()) {
    ASSIGN_OR_RAISE(auto type, TypeSyntax(cast.type()));
    e->type = std::make_unique<sql::DataTypeSyntax>(std::move(type));
  } else {
    ASSIGN_OR_RAISE(auto type, sql::ParseDataType(cast.type_str()));
    e->type = std::make_unique<sql::DataTypeSyntax>(std::move(type));
  }
  e->try_cast = cast.eval_mode() == Expression::Cast::EVAL_MODE_TRY;
  e->children.push_back(std::move(child));
  return e;
}

Result<sql::FrameBound> FrameBoundOf(const Expression::Window::WindowFrame::FrameBoundary& b,
                                     bool lower, PlanTranslator& t) {
  sql::FrameBound out;
  if (b.has_current_row()) {
    out.kind = sql::FrameBoundKind::kCurrentRow;
  } else if (b.has_unbounded()) {
    out.kind = lower ? sql::FrameBoundKind::kUnboundedPreceding
                     : sql::FrameBoundKind::kUnboundedFollowing;
  } else if (b.has_value()) {
    const auto& v = b.value();
    if (v.has_literal() && (v.literal().has_integer() || v.literal().has_long_())) {
      int64_t n = v.literal().has_integer() ? v.literal().integer() : v.literal().long_();
      if (n == 0) {
        out.kind = sql::FrameBoundKind::kCurrentRow;
      } else {
        out.kind = n < 0 ? sql::FrameBoundKind::kPreceding : sql::FrameBoundKind::kFollowing;
        out.offset = IntegerLiteralExpr(n < 0 ? -n : n);
      }
    } else {
      out.kind = lower ? sql::FrameBoundKind::kPreceding : sql::FrameBoundKind::kFollowing;
      ASSIGN_OR_RAISE(out.offset, t.Expression(v));
    }
  } else {
    return UserError("INVALID_PLAN_INPUT", "A window frame boundary has no value.");
  }
  return out;
}

thread_local const proto::Relation* expression_input = nullptr;

// s.withField("a.b", v) / s.dropFields("a"): the struct rebuilt field by field (null stays null).
Result<sql::ExprPtr> RebuildStruct(const proto::Expression& base, const arrow::DataType& type,
                                   const std::vector<std::string>& path,
                                   const proto::Expression* value, PlanTranslator& t) {
  auto field_of = [&](const std::string& name) -> Result<sql::ExprPtr> {
    ASSIGN_OR_RAISE(auto b, t.Expression(base));
    auto sub = MakeExpr(sql::ExprKind::kSubscript);
    sub->children.push_back(std::move(b));
    sub->children.push_back(StringLiteralExpr(name));
    return sub;
  };
  std::vector<sql::ExprPtr> args;
  bool found = false;
  auto same = [](std::string a, std::string b) {
    for (auto& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto& c : b) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return a == b;
  };
  for (const auto& field : type.fields()) {
    if (!same(field->name(), path[0])) {
      args.push_back(StringLiteralExpr(field->name()));
      ASSIGN_OR_RAISE(auto f, field_of(field->name()));
      args.push_back(std::move(f));
      continue;
    }
    found = true;
    if (path.size() == 1) {
      if (!value) continue;  // dropFields
      args.push_back(StringLiteralExpr(field->name()));
      ASSIGN_OR_RAISE(auto v, t.Expression(*value));
      args.push_back(std::move(v));
      continue;
    }
    if (field->type()->id() != arrow::Type::STRUCT) {
      return UserError("INVALID_EXTRACT_BASE_FIELD_TYPE",
                       "Can't extract a value from " + field->name() + ": need a struct.");
    }
    proto::Expression inner;
    *inner.mutable_unresolved_extract_value()->mutable_child() = base;
    inner.mutable_unresolved_extract_value()->mutable_extraction()->mutable_literal()->set_string(
        field->name());
    ASSIGN_OR_RAISE(auto rebuilt,
                    RebuildStruct(inner, *field->type(),
                                  std::vector<std::string>(path.begin() + 1, path.end()), value, t));
    args.push_back(StringLiteralExpr(field->name()));
    args.push_back(std::move(rebuilt));
  }
  if (!found) {
    if (!value || path.size() != 1) {
      return UserError("FIELD_NOT_FOUND", "No such struct field `" + path[0] + "`.");
    }
    args.push_back(StringLiteralExpr(path[0]));
    ASSIGN_OR_RAISE(auto v, t.Expression(*value));
    args.push_back(std::move(v));
  }
  if (args.empty()) {
    return UserError("DATATYPE_MISMATCH.CANNOT_DROP_ALL_FIELDS",
                     "Cannot drop all fields in struct.");
  }
  auto result = MakeExpr(sql::ExprKind::kCase);
  auto is_null = MakeExpr(sql::ExprKind::kIsNull);
  ASSIGN_OR_RAISE(auto b, t.Expression(base));
  is_null->children.push_back(std::move(b));
  result->children.push_back(std::move(is_null));
  result->children.push_back(LiteralSyntax(sql::LiteralKind::kNull, "NULL"));
  result->children.push_back(FunctionExpr("named_struct", std::move(args)));
  result->has_else = true;
  return result;
}

// The type of `e` over the current expression input, or null when there is none.
Result<std::shared_ptr<arrow::DataType>> ExpressionType(const proto::Expression& e,
                                                        PlanTranslator& t) {
  if (!expression_input) return std::shared_ptr<arrow::DataType>();
  auto q = std::make_unique<sql::Query>();
  ASSIGN_OR_RAISE(q->from, t.FromRelation(*expression_input));
  ASSIGN_OR_RAISE(auto expr, t.Expression(e));
  q->select_items.push_back(Item(std::move(expr)));
  auto plan = t.PlanQuery(*q, /*optimize=*/false);
  if (!plan.ok()) return std::shared_ptr<arrow::DataType>();
  return (*plan)->schema->field(0)->type();
}

Result<sql::ExprPtr> UpdateFieldsOf(const Expression::UpdateFields& u, PlanTranslator& t) {
  if (!expression_input) {
    return UserError("UNSUPPORTED_FEATURE",
                     "withField / dropFields are supported in select, withColumn and filter.");
  }
  ASSIGN_OR_RAISE(auto type, ExpressionType(u.struct_expression(), t));
  if (!type || type->id() != arrow::Type::STRUCT) {
    return UserError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
                     "withField / dropFields need a struct column.");
  }
  ASSIGN_OR_RAISE(auto path, ParseAttributeName(u.field_name()));
  return RebuildStruct(u.struct_expression(), *type, path,
                       u.has_value_expression() ? &u.value_expression() : nullptr, t);
}

Result<sql::ExprPtr> WindowOf(const Expression::Window& w, PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto function, t.Expression(w.window_function()));
  if (function->kind != sql::ExprKind::kFunction) {
    return UserError("UNSUPPORTED_EXPR_FOR_WINDOW",
                     "Expression " + sql::ToString(*function) +
                         " not supported within a window function.");
  }
  auto spec = std::make_unique<sql::WindowSpec>();
  for (const auto& p : w.partition_spec()) {
    ASSIGN_OR_RAISE(auto e, t.Expression(p));
    spec->partition_by.push_back(std::move(e));
  }
  for (const auto& o : w.order_spec()) {
    ASSIGN_OR_RAISE(auto item, SortItemOf(o, t));
    spec->order_by.push_back(std::move(item));
  }
  if (w.has_frame_spec()) {
    const auto& f = w.frame_spec();
    sql::WindowFrame frame;
    frame.type = f.frame_type() == Expression::Window::WindowFrame::FRAME_TYPE_RANGE
                     ? sql::FrameType::kRange
                     : sql::FrameType::kRows;
    ASSIGN_OR_RAISE(frame.start, FrameBoundOf(f.lower(), true, t));
    ASSIGN_OR_RAISE(frame.end, FrameBoundOf(f.upper(), false, t));
    spec->frame = std::move(frame);
  }
  function->over = std::move(spec);
  return function;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Syntax-tree builders
// ---------------------------------------------------------------------------------------------

sql::ExprPtr ColumnExpr(std::vector<std::string> name_parts, int64_t plan_id) {
  auto e = MakeExpr(sql::ExprKind::kColumn);
  e->name_parts = std::move(name_parts);
  e->plan_id = plan_id;
  return e;
}

sql::ExprPtr StarExpr() { return MakeExpr(sql::ExprKind::kStar); }

sql::ExprPtr FunctionExpr(const std::string& name, std::vector<sql::ExprPtr> args) {
  auto e = MakeExpr(sql::ExprKind::kFunction);
  e->name_parts = {name};
  e->children = std::move(args);
  return e;
}

sql::ExprPtr StringLiteralExpr(const std::string& value) {
  return LiteralSyntax(sql::LiteralKind::kString, value);
}

sql::ExprPtr IntegerLiteralExpr(int64_t value) {
  bool small = value >= INT32_MIN && value <= INT32_MAX;
  return LiteralSyntax(small ? sql::LiteralKind::kInt : sql::LiteralKind::kBigInt,
                       std::to_string(value));
}

sql::ExprPtr BinaryExpr(sql::BinaryOp op, sql::ExprPtr left, sql::ExprPtr right) {
  auto e = MakeExpr(sql::ExprKind::kBinary);
  e->binary_op = op;
  e->children.push_back(std::move(left));
  e->children.push_back(std::move(right));
  return e;
}

sql::SelectItem Item(sql::ExprPtr expr, std::optional<std::string> alias) {
  sql::SelectItem item;
  item.expr = std::move(expr);
  item.alias = std::move(alias);
  return item;
}

namespace {
thread_local const proto::WithRelations* references = nullptr;
}  // namespace

ReferenceScope::ReferenceScope(const proto::WithRelations& with) : previous_(references) {
  references = &with;
}

ReferenceScope::~ReferenceScope() { references = previous_; }

const proto::Relation* ReferenceById(int64_t plan_id) {
  for (const auto* scope = references; scope;) {
    for (const auto& r : scope->references()) {
      if (r.has_common() && r.common().has_plan_id() && r.common().plan_id() == plan_id) return &r;
    }
    break;
  }
  return nullptr;
}

const proto::Relation* ReferenceByAlias(const std::string& alias) {
  if (!references) return nullptr;
  for (const auto& r : references->references()) {
    if (r.has_subquery_alias() && r.subquery_alias().alias() == alias) return &r;
  }
  return nullptr;
}

ExpressionInput::ExpressionInput(const proto::Relation& input) : previous_(expression_input) {
  expression_input = &input;
}

ExpressionInput::~ExpressionInput() { expression_input = previous_; }

Status PythonUdfUnsupported(const std::string& what) {
  return UserError("UNSUPPORTED_FEATURE",
                   what + ": not supported yet by Basin's Spark Connect server (scalar Python UDFs "
                          "are: udf, pandas_udf, spark.udf.register).");
}

Result<plan::PythonUdf> PythonFunctionOf(const proto::CommonInlineUserDefinedFunction& udf) {
  if (!udf.has_python_udf()) {
    return PythonUdfUnsupported(udf.has_java_udf() ? "Java UDF " + udf.function_name()
                                                   : "Scala UDF " + udf.function_name());
  }
  const auto& python = udf.python_udf();
  // pyspark's PythonEvalType: the scalar kinds run here; the others name what is missing.
  switch (python.eval_type()) {
    case 100:  // SQL_BATCHED_UDF
    case 101:  // SQL_ARROW_BATCHED_UDF
    case 200:  // SQL_SCALAR_PANDAS_UDF
    case 204:  // SQL_SCALAR_PANDAS_ITER_UDF
    case 250:  // SQL_SCALAR_ARROW_UDF
    case 251:  // SQL_SCALAR_ARROW_ITER_UDF
      break;
    case 202:
    case 217:
    case 252:
    case 254:
      return PythonUdfUnsupported("grouped aggregate pandas/arrow UDF " + udf.function_name());
    case 203:
    case 253:
      return PythonUdfUnsupported("window aggregate pandas/arrow UDF " + udf.function_name());
    default:
      return PythonUdfUnsupported("udf " + udf.function_name() + " of eval type " +
                                  std::to_string(python.eval_type()));
  }
  if (udf.is_distinct()) {
    return PythonUdfUnsupported("DISTINCT arguments of udf " + udf.function_name());
  }
  plan::PythonUdf out;
  out.name = udf.function_name();
  out.eval_type = python.eval_type();
  out.command = python.command();
  out.python_version = python.python_ver();
  out.deterministic = udf.deterministic();
  ASSIGN_OR_RAISE(out.return_type, FromProtoType(python.output_type()));
  return out;
}

Result<sql::ExprPtr> PythonUdfCall(const proto::CommonInlineUserDefinedFunction& udf,
                                   PlanTranslator& t) {
  ASSIGN_OR_RAISE(auto function, PythonFunctionOf(udf));
  // The client sends the whole function with every plan; one name per distinct function keeps
  // the session's registry from growing with each request.
  std::string identity = function.name + '\0' + std::to_string(function.eval_type) + '\0' +
                         function.return_type->ToString() + '\0' +
                         (function.deterministic ? "d" : "n") + '\0' + function.command;
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016zx", std::hash<std::string>{}(identity));
  std::string key = std::string("__python_udf_") + hex;
  std::string display = function.name;
  t.session().RegisterPythonFunction(key, std::move(function));
  ASSIGN_OR_RAISE(auto args, Arguments(udf.arguments(), t));
  auto call = FunctionExpr(key, std::move(args));
  call->text = display;
  return call;
}

Result<sql::SortItem> SortItemOf(const proto::Expression& e, PlanTranslator& t) {
  sql::SortItem item;
  if (!e.has_sort_order()) {
    ASSIGN_OR_RAISE(item.expr, t.Expression(e));
    return item;
  }
  const auto& s = e.sort_order();
  ASSIGN_OR_RAISE(item.expr, t.Expression(s.child()));
  using S = proto::Expression::SortOrder;
  item.direction = s.direction() == S::SORT_DIRECTION_DESCENDING ? sql::SortDirection::kDescending
                                                                   : sql::SortDirection::kAscending;
  if (s.null_ordering() == S::SORT_NULLS_FIRST) item.nulls = sql::NullOrdering::kNullsFirst;
  if (s.null_ordering() == S::SORT_NULLS_LAST) item.nulls = sql::NullOrdering::kNullsLast;
  return item;
}

Result<sql::SortItem> SortItemOf(const proto::Expression::SortOrder& s, PlanTranslator& t) {
  proto::Expression e;
  *e.mutable_sort_order() = s;
  return SortItemOf(e, t);
}

// ---------------------------------------------------------------------------------------------
// PlanTranslator::Expression
// ---------------------------------------------------------------------------------------------

Result<sql::ExprPtr> PlanTranslator::Expression(const proto::Expression& e) {
  using E = proto::Expression;
  switch (e.expr_type_case()) {
    case E::kLiteral: return LiteralExpr(e.literal(), *this);
    case E::kUnresolvedAttribute: {
      const auto& a = e.unresolved_attribute();
      ASSIGN_OR_RAISE(auto parts, ParseAttributeName(a.unparsed_identifier()));
      return ColumnExpr(std::move(parts), a.has_plan_id() ? a.plan_id() : -1);
    }
    case E::kUnresolvedFunction: return FunctionOf(e.unresolved_function(), *this);
    case E::kExpressionString: return sql::ParseExpression(e.expression_string().expression());
    case E::kUnresolvedStar: {
      const auto& s = e.unresolved_star();
      auto star = StarExpr();
      if (s.has_unparsed_target()) {
        std::string target = s.unparsed_target();
        if (target.size() >= 2 && target.substr(target.size() - 2) == ".*") {
          target.resize(target.size() - 2);
        }
        if (target != "*") {
          ASSIGN_OR_RAISE(star->name_parts, ParseAttributeName(target));
        }
      }
      if (s.has_plan_id()) star->plan_id = s.plan_id();
      return star;
    }
    case E::kAlias: return Expression(e.alias().expr());
    case E::kCast: return CastOf(e.cast(), *this);
    case E::kUnresolvedRegex:
      return UserError("UNSUPPORTED_FEATURE",
                       "colRegex is supported only as a column of select() in Basin.");
    case E::kSortOrder: return Expression(e.sort_order().child());
    case E::kLambdaFunction: {
      const auto& l = e.lambda_function();
      auto lambda = MakeExpr(sql::ExprKind::kLambda);
      for (const auto& v : l.arguments()) {
        if (v.name_parts_size() != 1) {
          return UserError("INVALID_LAMBDA_FUNCTION_CALL", "A lambda variable has a bad name.");
        }
        lambda->lambda_params.push_back(v.name_parts(0));
      }
      ASSIGN_OR_RAISE(auto body, Expression(l.function()));
      lambda->children.push_back(std::move(body));
      return lambda;
    }
    case E::kWindow: return WindowOf(e.window(), *this);
    case E::kUnresolvedExtractValue: {
      const auto& x = e.unresolved_extract_value();
      ASSIGN_OR_RAISE(auto child, Expression(x.child()));
      if (x.extraction().has_literal() && x.extraction().literal().has_string()) {
        // col["f"] / col.f on a struct is a field (named s.f); on a map, a key lookup.
        ASSIGN_OR_RAISE(auto type, ExpressionType(x.child(), *this));
        if (type && type->id() == arrow::Type::STRUCT) {
          auto field = MakeExpr(sql::ExprKind::kField);
          field->text = x.extraction().literal().string();
          field->children.push_back(std::move(child));
          return field;
        }
      }
      ASSIGN_OR_RAISE(auto key, Expression(x.extraction()));
      auto sub = MakeExpr(sql::ExprKind::kSubscript);
      sub->children.push_back(std::move(child));
      sub->children.push_back(std::move(key));
      return sub;
    }
    case E::kUpdateFields: return UpdateFieldsOf(e.update_fields(), *this);
    case E::kUnresolvedNamedLambdaVariable: {
      std::vector<std::string> parts(e.unresolved_named_lambda_variable().name_parts().begin(),
                                     e.unresolved_named_lambda_variable().name_parts().end());
      return ColumnExpr(std::move(parts));
    }
    case E::kCommonInlineUserDefinedFunction:
      return PythonUdfCall(e.common_inline_user_defined_function(), *this);
    case E::kCallFunction: {
      const auto& c = e.call_function();
      ASSIGN_OR_RAISE(auto args, Arguments(c.arguments(), *this));
      return FunctionExpr(c.function_name(), std::move(args));
    }
    case E::kNamedArgumentExpression: {
      const auto& n = e.named_argument_expression();
      auto named = MakeExpr(sql::ExprKind::kNamedArgument);
      named->text = n.key();
      ASSIGN_OR_RAISE(auto value, Expression(n.value()));
      named->children.push_back(std::move(value));
      return named;
    }
    case E::kSubqueryExpression: {
      const auto& sub = e.subquery_expression();
      const proto::Relation* reference = ReferenceById(sub.plan_id());
      if (!reference) {
        return UserError("INVALID_PLAN_INPUT",
                         "The subquery's DataFrame (plan id " + std::to_string(sub.plan_id()) +
                             ") is not among the plan's references.");
      }
      using S = proto::SubqueryExpression;
      sql::ExprPtr out;
      switch (sub.subquery_type()) {
        case S::SUBQUERY_TYPE_SCALAR: out = MakeExpr(sql::ExprKind::kScalarSubquery); break;
        case S::SUBQUERY_TYPE_EXISTS: out = MakeExpr(sql::ExprKind::kExists); break;
        case S::SUBQUERY_TYPE_IN: {
          out = MakeExpr(sql::ExprKind::kInSubquery);
          ASSIGN_OR_RAISE(auto values, Arguments(sub.in_subquery_values(), *this));
          if (values.size() == 1) {
            out->children.push_back(std::move(values[0]));
          } else {
            auto row = MakeExpr(sql::ExprKind::kRow);
            row->children = std::move(values);
            out->children.push_back(std::move(row));
          }
          break;
        }
        default:
          return UserError("UNSUPPORTED_FEATURE", "Table-argument subqueries are not supported yet.");
      }
      ASSIGN_OR_RAISE(out->subquery, Query(*reference));
      return out;
    }
    case E::EXPR_TYPE_NOT_SET:
      return UserError("INVALID_PLAN_INPUT", "The expression has no type.");
    default: break;
  }
  return UserError("UNSUPPORTED_FEATURE",
                   "The Spark Connect expression '" +
                       proto::Expression::descriptor()
                           ->FindFieldByNumber(static_cast<int>(e.expr_type_case()))
                           ->name() +
                       "' is not supported yet.");
}

Result<sql::SelectItem> PlanTranslator::SelectItem(const proto::Expression& e) {
  if (e.has_alias()) {
    const auto& a = e.alias();
    ASSIGN_OR_RAISE(auto expr, Expression(a.expr()));
    sql::SelectItem item;
    item.expr = std::move(expr);
    if (a.name_size() == 1) {
      item.alias = a.name(0);
    } else {
      item.aliases.assign(a.name().begin(), a.name().end());
    }
    return item;
  }
  if (e.has_expression_string()) {
    return sql::ParseNamedExpression(e.expression_string().expression());
  }
  ASSIGN_OR_RAISE(auto expr, Expression(e));
  return Item(std::move(expr));
}

// ---------------------------------------------------------------------------------------------
// Literal values
// ---------------------------------------------------------------------------------------------

namespace {

Result<std::shared_ptr<arrow::Array>> ArrayOf(const std::shared_ptr<arrow::DataType>& type,
                                              const std::vector<std::shared_ptr<arrow::Scalar>>& values) {
  std::unique_ptr<arrow::ArrayBuilder> builder;
  RETURN_NOT_OK(arrow::MakeBuilder(arrow::default_memory_pool(), type, &builder));
  for (const auto& v : values) {
    if (!v->is_valid) {
      RETURN_NOT_OK(builder->AppendNull());
      continue;
    }
    std::shared_ptr<arrow::Scalar> value = v;
    if (!v->type->Equals(*type)) {
      ASSIGN_OR_RAISE(value, v->CastTo(type));
    }
    RETURN_NOT_OK(builder->AppendScalar(*value));
  }
  return builder->Finish();
}

Result<std::vector<std::shared_ptr<arrow::Scalar>>> Scalars(
    const google::protobuf::RepeatedPtrField<Expression::Literal>& literals) {
  std::vector<std::shared_ptr<arrow::Scalar>> out;
  for (const auto& l : literals) {
    ASSIGN_OR_RAISE(auto v, LiteralScalar(l));
    out.push_back(std::move(v));
  }
  return out;
}

// The element type of an array literal: declared, or the first non-null element's.
std::shared_ptr<arrow::DataType> CommonType(const std::vector<std::shared_ptr<arrow::Scalar>>& values) {
  for (const auto& v : values) {
    if (v->type->id() != arrow::Type::NA) return v->type;
  }
  return arrow::null();
}

template <typename Builder, typename Values>
Result<std::shared_ptr<arrow::Scalar>> SpecializedList(std::shared_ptr<arrow::DataType> type,
                                                       const Values& values) {
  Builder builder;
  for (const auto& v : values) RETURN_NOT_OK(builder.Append(v));
  ASSIGN_OR_RAISE(auto array, builder.Finish());
  return std::make_shared<arrow::ListScalar>(array,
                                             arrow::list(arrow::field("element", type, true)));
}

}  // namespace

Result<std::shared_ptr<arrow::Scalar>> LiteralScalar(const Expression::Literal& literal) {
  using L = Expression::Literal;
  switch (literal.literal_type_case()) {
    case L::kNull: {
      std::shared_ptr<arrow::DataType> type = arrow::null();
      if (literal.null().kind_case() != proto::DataType::KIND_NOT_SET) {
        ASSIGN_OR_RAISE(type, FromProtoType(literal.null()));
      } else if (literal.has_data_type()) {
        ASSIGN_OR_RAISE(type, FromProtoType(literal.data_type()));
      }
      return arrow::MakeNullScalar(type);
    }
    case L::kBinary: return std::make_shared<arrow::BinaryScalar>(literal.binary());
    case L::kBoolean: return std::make_shared<arrow::BooleanScalar>(literal.boolean());
    case L::kByte: return std::make_shared<arrow::Int8Scalar>(static_cast<int8_t>(literal.byte()));
    case L::kShort:
      return std::make_shared<arrow::Int16Scalar>(static_cast<int16_t>(literal.short_()));
    case L::kInteger: return std::make_shared<arrow::Int32Scalar>(literal.integer());
    case L::kLong: return std::make_shared<arrow::Int64Scalar>(literal.long_());
    case L::kFloat: return std::make_shared<arrow::FloatScalar>(literal.float_());
    case L::kDouble: return std::make_shared<arrow::DoubleScalar>(literal.double_());
    case L::kDecimal: {
      arrow::Decimal128 value;
      int32_t precision = 0, scale = 0;
      auto status = arrow::Decimal128::FromString(literal.decimal().value(), &value, &precision,
                                                  &scale);
      if (!status.ok()) {
        return UserError("INVALID_PLAN_INPUT",
                         "Bad decimal literal '" + literal.decimal().value() + "'.");
      }
      // PySpark declares every Decimal literal decimal(10, 0). Spark keeps the value exact:
      // the type is wide enough for both the value and the declaration (Decimal("0.05") is
      // decimal(10,2), Decimal("7.0") decimal(10,1)).
      int32_t declared_scale = literal.decimal().has_scale() ? literal.decimal().scale() : 0;
      int32_t declared_precision =
          literal.decimal().has_precision() ? literal.decimal().precision() : 0;
      if (declared_scale > scale) {
        ASSIGN_OR_RAISE(value, value.Rescale(scale, declared_scale));
        precision += declared_scale - scale;
        scale = declared_scale;
      }
      precision = std::max({precision, declared_precision, scale, 1});
      if (precision > 38) {
        return UserError("INVALID_NUMERIC_LITERAL_RANGE",
                         "Decimal literal " + literal.decimal().value() + " is out of range.");
      }
      return std::make_shared<arrow::Decimal128Scalar>(value, arrow::decimal128(precision, scale));
    }
    case L::kString: return std::make_shared<arrow::StringScalar>(literal.string());
    case L::kDate: return std::make_shared<arrow::Date32Scalar>(literal.date());
    case L::kTimestamp:
      return std::make_shared<arrow::TimestampScalar>(
          literal.timestamp(), arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"));
    case L::kTimestampNtz:
      return std::make_shared<arrow::TimestampScalar>(literal.timestamp_ntz(),
                                                      arrow::timestamp(arrow::TimeUnit::MICRO));
    case L::kTime: {
      // Nanoseconds of the day, cut to the literal's precision (6 when not given).
      const int precision = literal.time().has_precision() ? literal.time().precision() : 6;
      int64_t unit = 1;
      for (int k = precision; k < 9; ++k) unit *= 10;
      const int64_t nanos = literal.time().nano();
      if (nanos < 0 || nanos >= 86400LL * 1000000000LL || precision < 0 || precision > 6) {
        return UserError("INVALID_TYPED_LITERAL",
                         "The value of the typed literal \"TIME\" is "
                         "invalid: " +
                             std::to_string(nanos) + ".");
      }
      return std::make_shared<arrow::Time64Scalar>(nanos - nanos % unit, arrow::TimeUnit::NANO);
    }
    case L::kCalendarInterval: {
      const auto& i = literal.calendar_interval();
      return std::make_shared<arrow::MonthDayNanoIntervalScalar>(
          arrow::MonthDayNanoIntervalType::MonthDayNanos{i.months(), i.days(),
                                                         i.microseconds() * 1000});
    }
    case L::kYearMonthInterval:
      return std::make_shared<arrow::MonthIntervalScalar>(literal.year_month_interval());
    case L::kDayTimeInterval:
      return std::make_shared<arrow::DurationScalar>(literal.day_time_interval(),
                                                     arrow::TimeUnit::MICRO);
    case L::kArray: {
      ASSIGN_OR_RAISE(auto values, Scalars(literal.array().elements()));
      std::shared_ptr<arrow::DataType> element;
      if (literal.array().has_element_type()) {
        ASSIGN_OR_RAISE(element, FromProtoType(literal.array().element_type()));
      } else if (literal.has_data_type() && literal.data_type().has_array()) {
        ASSIGN_OR_RAISE(element, FromProtoType(literal.data_type().array().element_type()));
      } else {
        element = CommonType(values);
      }
      ASSIGN_OR_RAISE(auto array, ArrayOf(element, values));
      return std::make_shared<arrow::ListScalar>(
          array, arrow::list(arrow::field("element", element, true)));
    }
    case L::kMap: {
      const auto& m = literal.map();
      ASSIGN_OR_RAISE(auto keys, Scalars(m.keys()));
      ASSIGN_OR_RAISE(auto values, Scalars(m.values()));
      std::shared_ptr<arrow::DataType> key_type, value_type;
      if (m.has_key_type()) {
        ASSIGN_OR_RAISE(key_type, FromProtoType(m.key_type()));
      } else if (literal.has_data_type() && literal.data_type().has_map()) {
        ASSIGN_OR_RAISE(key_type, FromProtoType(literal.data_type().map().key_type()));
      } else {
        key_type = CommonType(keys);
      }
      if (m.has_value_type()) {
        ASSIGN_OR_RAISE(value_type, FromProtoType(m.value_type()));
      } else if (literal.has_data_type() && literal.data_type().has_map()) {
        ASSIGN_OR_RAISE(value_type, FromProtoType(literal.data_type().map().value_type()));
      } else {
        value_type = CommonType(values);
      }
      ASSIGN_OR_RAISE(auto key_array, ArrayOf(key_type, keys));
      ASSIGN_OR_RAISE(auto value_array, ArrayOf(value_type, values));
      auto type = std::make_shared<arrow::MapType>(arrow::field("key", key_type, false),
                                                   arrow::field("value", value_type, true));
      ASSIGN_OR_RAISE(auto entries,
                      arrow::StructArray::Make({key_array, value_array},
                                               {type->key_field(), type->item_field()}));
      return std::make_shared<arrow::MapScalar>(entries, type);
    }
    case L::kStruct: {
      const auto& s = literal.struct_();
      ASSIGN_OR_RAISE(auto values, Scalars(s.elements()));
      std::shared_ptr<arrow::DataType> type;
      if (s.has_struct_type()) {
        ASSIGN_OR_RAISE(type, FromProtoType(s.struct_type()));
      } else if (literal.has_data_type()) {
        ASSIGN_OR_RAISE(type, FromProtoType(literal.data_type()));
      }
      if (!type || type->id() != arrow::Type::STRUCT ||
          type->num_fields() != static_cast<int>(values.size())) {
        return UserError("INVALID_PLAN_INPUT", "A struct literal does not match its type.");
      }
      for (size_t i = 0; i < values.size(); ++i) {
        const auto& field_type = type->field(static_cast<int>(i))->type();
        if (!values[i]->type->Equals(*field_type)) {
          if (!values[i]->is_valid) {
            values[i] = arrow::MakeNullScalar(field_type);
          } else {
            ASSIGN_OR_RAISE(values[i], values[i]->CastTo(field_type));
          }
        }
      }
      return std::make_shared<arrow::StructScalar>(values, type);
    }
    case L::kSpecializedArray: {
      const auto& a = literal.specialized_array();
      if (a.has_bools()) {
        return SpecializedList<arrow::BooleanBuilder>(arrow::boolean(), a.bools().values());
      }
      if (a.has_ints()) return SpecializedList<arrow::Int32Builder>(arrow::int32(), a.ints().values());
      if (a.has_longs()) {
        return SpecializedList<arrow::Int64Builder>(arrow::int64(), a.longs().values());
      }
      if (a.has_floats()) {
        return SpecializedList<arrow::FloatBuilder>(arrow::float32(), a.floats().values());
      }
      if (a.has_doubles()) {
        return SpecializedList<arrow::DoubleBuilder>(arrow::float64(), a.doubles().values());
      }
      if (a.has_strings()) {
        return SpecializedList<arrow::StringBuilder>(arrow::utf8(), a.strings().values());
      }
      break;
    }
    default: break;
  }
  return UserError("UNSUPPORTED_FEATURE",
                   "Unsupported literal in the Connect plan: " + literal.ShortDebugString() + ".");
}

}  // namespace basin::connect
