#include "basin/delta/replace_where.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <vector>

#include <arrow/compute/api.h>
#include <arrow/compute/expression.h>
#include <arrow/array/concatenate.h>
#include <arrow/builder.h>
#include <arrow/scalar.h>

#include "basin/types/civil_time.h"

namespace basin::delta {

namespace cp = arrow::compute;

struct PredicateNode {
  enum class Kind { kColumn, kLiteral, kCompare, kAnd, kOr, kNot, kIsNull, kIsNotNull, kIn };
  Kind kind;
  std::string op;       // comparison operator, or the column name
  std::shared_ptr<arrow::Scalar> literal;
  std::vector<std::shared_ptr<const PredicateNode>> children;
  bool negated = false;  // NOT IN
};

namespace {

using Node = std::shared_ptr<const PredicateNode>;
using Kind = PredicateNode::Kind;

Status SyntaxError(std::string_view text, const std::string& why) {
  return UserError("INVALID_PARAMETER_VALUE",
                   "Cannot parse the replaceWhere predicate '" + std::string(text) + "': " + why +
                       ".");
}

struct Token {
  enum class Type { kIdent, kNumber, kString, kOp, kEnd } type;
  std::string text;
};

Result<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' ||
                              s[i] == '.')) {
        ++i;
      }
      out.push_back({Token::Type::kIdent, std::string(s.substr(start, i - start))});
    } else if (c == '`') {
      size_t end = s.find('`', i + 1);
      if (end == std::string_view::npos) return SyntaxError(s, "unclosed backquote");
      out.push_back({Token::Type::kIdent, std::string(s.substr(i + 1, end - i - 1))});
      // Mark quoted identifiers so they are never keywords.
      out.back().text = "`" + out.back().text;
      i = end + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t start = i;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' ||
                              s[i] == 'e' || s[i] == 'E' ||
                              ((s[i] == '-' || s[i] == '+') && (s[i - 1] == 'e' || s[i - 1] == 'E')))) {
        ++i;
      }
      // Spark's typed suffixes: 10L, 1.5D.
      if (i < s.size() && std::strchr("LlDdSsYy", s[i]) != nullptr) ++i;
      out.push_back({Token::Type::kNumber, std::string(s.substr(start, i - start))});
    } else if (c == '\'' || c == '"') {
      std::string value;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          value.push_back(s[i + 1]);
          i += 2;
        } else if (s[i] == c) {
          if (i + 1 < s.size() && s[i + 1] == c) {
            value.push_back(c);
            i += 2;
          } else {
            closed = true;
            ++i;
            break;
          }
        } else {
          value.push_back(s[i++]);
        }
      }
      if (!closed) return SyntaxError(s, "unclosed string literal");
      out.push_back({Token::Type::kString, std::move(value)});
    } else {
      static const char* kOps[] = {"<=>", "<=", ">=", "<>", "!=", "==", "=", "<", ">",
                                   "(",   ")",  ","};
      bool matched = false;
      for (const char* op : kOps) {
        std::string_view ov(op);
        if (s.substr(i, ov.size()) == ov) {
          out.push_back({Token::Type::kOp, std::string(ov)});
          i += ov.size();
          matched = true;
          break;
        }
      }
      if (!matched) return SyntaxError(s, std::string("unexpected character '") + c + "'");
    }
  }
  out.push_back({Token::Type::kEnd, ""});
  return out;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens, std::set<std::string>* columns)
      : text_(text), tokens_(std::move(tokens)), columns_(columns) {}

  Result<Node> ParseAll() {
    ASSIGN_OR_RAISE(auto node, ParseOr());
    if (Peek().type != Token::Type::kEnd) return SyntaxError(text_, "unexpected '" + Peek().text + "'");
    return node;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  bool IsKeyword(const std::string& kw) const {
    return Peek().type == Token::Type::kIdent && Upper(Peek().text) == kw;
  }
  bool IsOp(const std::string& op) const {
    return Peek().type == Token::Type::kOp && Peek().text == op;
  }
  Status Expect(const std::string& op) {
    if (!IsOp(op)) return SyntaxError(text_, "expected '" + op + "'");
    ++pos_;
    return Status::OK();
  }

  static Node Make(Kind kind, std::vector<Node> children, std::string op = "") {
    auto n = std::make_shared<PredicateNode>();
    n->kind = kind;
    n->children = std::move(children);
    n->op = std::move(op);
    return n;
  }

  Result<Node> ParseOr() {
    ASSIGN_OR_RAISE(auto left, ParseAnd());
    while (IsKeyword("OR")) {
      ++pos_;
      ASSIGN_OR_RAISE(auto right, ParseAnd());
      left = Make(Kind::kOr, {left, right});
    }
    return left;
  }

  Result<Node> ParseAnd() {
    ASSIGN_OR_RAISE(auto left, ParseNot());
    while (IsKeyword("AND")) {
      ++pos_;
      ASSIGN_OR_RAISE(auto right, ParseNot());
      left = Make(Kind::kAnd, {left, right});
    }
    return left;
  }

  Result<Node> ParseNot() {
    if (IsKeyword("NOT") || IsOp("!")) {
      ++pos_;
      ASSIGN_OR_RAISE(auto inner, ParseNot());
      return Make(Kind::kNot, {inner});
    }
    return ParseComparison();
  }

  Result<Node> ParseComparison() {
    ASSIGN_OR_RAISE(auto left, ParsePrimary());
    if (Peek().type == Token::Type::kOp) {
      std::string op = Peek().text;
      if (op == "=" || op == "==" || op == "<=>" || op == "!=" || op == "<>" || op == "<" ||
          op == "<=" || op == ">" || op == ">=") {
        ++pos_;
        ASSIGN_OR_RAISE(auto right, ParsePrimary());
        return Make(Kind::kCompare, {left, right}, op);
      }
    }
    if (IsKeyword("IS")) {
      ++pos_;
      bool negated = false;
      if (IsKeyword("NOT")) {
        negated = true;
        ++pos_;
      }
      if (!IsKeyword("NULL")) return SyntaxError(text_, "expected NULL after IS");
      ++pos_;
      return Make(negated ? Kind::kIsNotNull : Kind::kIsNull, {left});
    }
    bool negated = false;
    if (IsKeyword("NOT")) {
      negated = true;
      ++pos_;
    }
    if (IsKeyword("IN")) {
      ++pos_;
      RETURN_NOT_OK(Expect("("));
      std::vector<Node> children = {left};
      while (true) {
        ASSIGN_OR_RAISE(auto item, ParsePrimary());
        if (item->kind != Kind::kLiteral) return SyntaxError(text_, "IN takes literals");
        children.push_back(item);
        if (IsOp(",")) {
          ++pos_;
          continue;
        }
        RETURN_NOT_OK(Expect(")"));
        break;
      }
      auto node = std::make_shared<PredicateNode>();
      node->kind = Kind::kIn;
      node->children = std::move(children);
      node->negated = negated;
      return Node(node);
    }
    if (IsKeyword("BETWEEN")) {
      ++pos_;
      ASSIGN_OR_RAISE(auto lo, ParsePrimary());
      if (!IsKeyword("AND")) return SyntaxError(text_, "expected AND in BETWEEN");
      ++pos_;
      ASSIGN_OR_RAISE(auto hi, ParsePrimary());
      Node between = Make(Kind::kAnd, {Make(Kind::kCompare, {left, lo}, ">="),
                                       Make(Kind::kCompare, {left, hi}, "<=")});
      return negated ? Make(Kind::kNot, {between}) : between;
    }
    if (negated) return SyntaxError(text_, "expected IN or BETWEEN after NOT");
    return left;
  }

  Result<Node> ParsePrimary() {
    const Token& t = Peek();
    if (IsOp("(")) {
      ++pos_;
      ASSIGN_OR_RAISE(auto inner, ParseOr());
      RETURN_NOT_OK(Expect(")"));
      return inner;
    }
    auto literal = [](std::shared_ptr<arrow::Scalar> s) {
      auto n = std::make_shared<PredicateNode>();
      n->kind = Kind::kLiteral;
      n->literal = std::move(s);
      return Node(n);
    };
    if (IsOp("-") ) return SyntaxError(text_, "unexpected '-'");
    if (t.type == Token::Type::kNumber) {
      ++pos_;
      std::string num = t.text;
      char suffix = static_cast<char>(std::toupper(static_cast<unsigned char>(num.back())));
      if (std::isalpha(static_cast<unsigned char>(suffix)) && suffix != 'E') num.pop_back();
      try {
        bool is_float = num.find_first_of(".eE") != std::string::npos || suffix == 'D';
        if (is_float) return literal(arrow::MakeScalar(std::stod(num)));
        return literal(arrow::MakeScalar(static_cast<int64_t>(std::stoll(num))));
      } catch (...) {
        return SyntaxError(text_, "bad number '" + t.text + "'");
      }
    }
    if (t.type == Token::Type::kString) {
      ++pos_;
      return literal(arrow::MakeScalar(t.text));
    }
    if (t.type == Token::Type::kIdent) {
      std::string word = Upper(t.text);
      ++pos_;
      if (word == "TRUE") return literal(arrow::MakeScalar(true));
      if (word == "FALSE") return literal(arrow::MakeScalar(false));
      if (word == "NULL") return literal(std::make_shared<arrow::NullScalar>());
      if ((word == "DATE" || word == "TIMESTAMP") && Peek().type == Token::Type::kString) {
        std::string value = Peek().text;
        ++pos_;
        auto micros = types::ParseTimestampMicros(value);
        if (!micros.ok()) return SyntaxError(text_, "bad " + word + " literal '" + value + "'");
        if (word == "DATE") {
          int64_t days = *micros >= 0 ? *micros / 86'400'000'000LL
                                      : -((-*micros + 86'399'999'999LL) / 86'400'000'000LL);
          return literal(std::make_shared<arrow::Date32Scalar>(static_cast<int32_t>(days)));
        }
        return literal(std::make_shared<arrow::TimestampScalar>(
            *micros, arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
      }
      std::string name = t.text[0] == '`' ? t.text.substr(1) : t.text;
      columns_->insert(name);
      auto n = std::make_shared<PredicateNode>();
      n->kind = Kind::kColumn;
      n->op = name;
      return Node(n);
    }
    return SyntaxError(text_, t.type == Token::Type::kEnd ? "unexpected end"
                                                          : "unexpected '" + t.text + "'");
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::set<std::string>* columns_;
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Casts `literal` to `type` when possible (e.g. '2020-01-01' to a date column, 5 to int32).
std::shared_ptr<arrow::Scalar> CastLiteral(const std::shared_ptr<arrow::Scalar>& literal,
                                           const std::shared_ptr<arrow::DataType>& type) {
  if (!literal->is_valid) return arrow::MakeNullScalar(type);
  if (literal->type->Equals(*type)) return literal;
  if (literal->type->id() == arrow::Type::STRING && type->id() == arrow::Type::TIMESTAMP) {
    auto micros = types::ParseTimestampMicros(
        std::static_pointer_cast<arrow::StringScalar>(literal)->ToString());
    if (micros.ok()) {
      auto unit = static_cast<const arrow::TimestampType&>(*type).unit();
      int64_t v = unit == arrow::TimeUnit::MICRO ? *micros
                  : unit == arrow::TimeUnit::MILLI ? *micros / 1000
                  : unit == arrow::TimeUnit::NANO ? *micros * 1000
                                                  : *micros / 1'000'000;
      return std::make_shared<arrow::TimestampScalar>(v, type);
    }
  }
  auto cast = cp::Cast(literal, type);
  if (cast.ok()) return cast->scalar();
  return literal;
}

class Binder {
 public:
  explicit Binder(const arrow::Schema& schema) : schema_(schema) {}

  Result<std::shared_ptr<arrow::DataType>> ColumnType(const Node& node) const {
    if (node->kind != Kind::kColumn) return std::shared_ptr<arrow::DataType>();
    ASSIGN_OR_RAISE(auto name, Resolve(node->op));
    return schema_.GetFieldByName(name)->type();
  }

  Result<std::string> Resolve(const std::string& name) const {
    for (const auto& f : schema_.fields()) {
      if (Lower(f->name()) == Lower(name)) return f->name();
    }
    return UserError("DELTA_COLUMN_NOT_FOUND",
                     "Unable to find the column '" + name + "' given [" + schema_.ToString() +
                         "].");
  }

  Result<cp::Expression> Bind(const Node& node, std::shared_ptr<arrow::DataType> hint = nullptr) {
    switch (node->kind) {
      case Kind::kColumn: {
        ASSIGN_OR_RAISE(auto name, Resolve(node->op));
        return cp::field_ref(name);
      }
      case Kind::kLiteral:
        return cp::literal(hint ? CastLiteral(node->literal, hint) : node->literal);
      case Kind::kAnd:
      case Kind::kOr: {
        ASSIGN_OR_RAISE(auto l, Bind(node->children[0]));
        ASSIGN_OR_RAISE(auto r, Bind(node->children[1]));
        return cp::call(node->kind == Kind::kAnd ? "and_kleene" : "or_kleene", {l, r});
      }
      case Kind::kNot: {
        ASSIGN_OR_RAISE(auto inner, Bind(node->children[0]));
        return cp::call("invert", {inner});
      }
      case Kind::kIsNull:
      case Kind::kIsNotNull: {
        ASSIGN_OR_RAISE(auto inner, Bind(node->children[0]));
        return cp::call(node->kind == Kind::kIsNull ? "is_null" : "is_valid", {inner});
      }
      case Kind::kCompare: {
        ASSIGN_OR_RAISE(auto lt, ColumnType(node->children[0]));
        ASSIGN_OR_RAISE(auto rt, ColumnType(node->children[1]));
        ASSIGN_OR_RAISE(auto l, Bind(node->children[0], rt));
        ASSIGN_OR_RAISE(auto r, Bind(node->children[1], lt));
        const std::string& op = node->op;
        if (op == "<=>") {
          // Null-safe equality: true when both are null, false when one is.
          auto both_null = cp::call("and_kleene", {cp::call("is_null", {l}), cp::call("is_null", {r})});
          auto equal = cp::call("equal", {l, r});
          return cp::call("or_kleene",
                          {both_null, cp::call("coalesce", {equal, cp::literal(false)})});
        }
        std::string fn = op == "=" || op == "==" ? "equal"
                         : op == "!=" || op == "<>" ? "not_equal"
                         : op == "<"                ? "less"
                         : op == "<="               ? "less_equal"
                         : op == ">"                ? "greater"
                                                    : "greater_equal";
        return cp::call(fn, {l, r});
      }
      case Kind::kIn: {
        ASSIGN_OR_RAISE(auto type, ColumnType(node->children[0]));
        ASSIGN_OR_RAISE(auto value, Bind(node->children[0]));
        std::shared_ptr<arrow::DataType> set_type =
            type ? type : node->children[1]->literal->type;
        std::unique_ptr<arrow::ArrayBuilder> builder;
        RETURN_NOT_OK(arrow::MakeBuilder(arrow::default_memory_pool(), set_type, &builder));
        for (size_t i = 1; i < node->children.size(); ++i) {
          auto s = CastLiteral(node->children[i]->literal, set_type);
          if (!s->type->Equals(*set_type)) {
            return UserError("DELTA_REPLACE_WHERE_MISMATCH",
                             "The IN list value " + s->ToString() + " does not match the type " +
                                 set_type->ToString() + ".");
          }
          RETURN_NOT_OK(builder->AppendScalar(*s));
        }
        ASSIGN_OR_RAISE(auto values, builder->Finish());
        cp::SetLookupOptions options(values, cp::SetLookupOptions::INCONCLUSIVE);
        auto in = cp::call("is_in", {value}, options);
        return node->negated ? cp::call("invert", {in}) : in;
      }
    }
    return InternalError("unknown predicate node");
  }

 private:
  const arrow::Schema& schema_;
};

}  // namespace

Result<Predicate> Predicate::Parse(std::string_view text) {
  ASSIGN_OR_RAISE(auto tokens, Tokenize(text));
  Predicate p;
  Parser parser(text, std::move(tokens), &p.columns_);
  ASSIGN_OR_RAISE(p.root_, parser.ParseAll());
  p.text_ = std::string(text);
  return p;
}

Result<std::shared_ptr<arrow::BooleanArray>> Predicate::Evaluate(const arrow::Table& data) const {
  Binder binder(*data.schema());
  ASSIGN_OR_RAISE(auto expr, binder.Bind(root_));
  ASSIGN_OR_RAISE(auto bound, expr.Bind(*data.schema()));
  if (!bound.type() || bound.type()->id() != arrow::Type::BOOL) {
    return UserError("INVALID_PARAMETER_VALUE",
                     "The replaceWhere predicate '" + text_ + "' is not a boolean condition.");
  }
  ASSIGN_OR_RAISE(auto batch, data.CombineChunksToBatch());
  ASSIGN_OR_RAISE(auto datum, cp::ExecuteScalarExpression(bound, *data.schema(), arrow::Datum(batch)));
  std::shared_ptr<arrow::Array> array;
  if (datum.is_scalar()) {
    ASSIGN_OR_RAISE(array, arrow::MakeArrayFromScalar(*datum.scalar(), data.num_rows()));
  } else if (datum.is_array()) {
    array = datum.make_array();
  } else {
    ASSIGN_OR_RAISE(array, arrow::Concatenate(datum.chunked_array()->chunks()));
  }
  return std::static_pointer_cast<arrow::BooleanArray>(array);
}

}  // namespace basin::delta
