#include "basin/sql/parser.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "basin/sql/lexer.h"

namespace basin::sql {

namespace {

// Nesting deeper than this fails instead of overflowing the stack. A level is one nested
// expression, query, relation or type: about ten frames of recursive descent, 2-4 KB of stack,
// so the deepest statement needs about 1 MB.
constexpr int kMaxDepth = 300;

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool InList(std::string_view word, std::initializer_list<const char*> list) {
  for (const char* w : list) {
    if (IEquals(word, w)) return true;
  }
  return false;
}

// Words that never stand for a column, table or function name unless backticked.
bool IsReserved(std::string_view w) {
  return InList(w,
                {"ALL",      "AND",   "ANTI",  "AS",      "BETWEEN",   "BY",    "CASE",   "CROSS",
                 "DISTINCT", "ELSE",  "END",   "ESCAPE",  "EXCEPT",    "FROM",  "FULL",   "GROUP",
                 "HAVING",   "ILIKE", "IN",    "INNER",   "INTERSECT", "INTO",  "IS",     "JOIN",
                 "LATERAL",  "LIKE",  "LIMIT", "MINUS",   "NATURAL",   "NOT",   "OFFSET", "ON",
                 "OR",       "ORDER", "OUTER", "QUALIFY", "REGEXP",    "RLIKE", "SELECT", "SEMI",
                 "THEN",     "UNION", "USING", "WHEN",    "WHERE",     "WITH"});
}

// Words that cannot be a bare (AS-less) alias of a select item or a relation.
bool IsAliasReserved(std::string_view w) {
  return IsReserved(w) ||
         InList(w, {"LEFT",     "RIGHT",     "WINDOW",      "SORT",   "CLUSTER", "DISTRIBUTE",
                    "PIVOT",    "UNPIVOT",   "TABLESAMPLE", "FOR",    "OVER",    "SET",
                    "VALUES",   "PARTITION", "REPLACE",     "FILTER", "OPTIONS", "TBLPROPERTIES",
                    "LOCATION", "COMMENT",   "PARTITIONED", "USING"});
}

// Returns the singular upper-case interval unit of `w` ("DAYS" -> "DAY"), or empty.
std::string IntervalUnit(std::string_view w) {
  static const char* kUnits[] = {"YEAR",   "MONTH",  "WEEK",        "DAY",        "HOUR",
                                 "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND"};
  std::string u = Upper(w);
  for (const char* unit : kUnits) {
    if (u == unit || u == std::string(unit) + "S") return unit;
  }
  return {};
}

// Compares two non-negative decimal digit strings by value.
int CompareDigits(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a[0] == '0') a.remove_prefix(1);
  while (b.size() > 1 && b[0] == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a.compare(b) > 0 ? 1 : 0);
}

// Whether the integer `digits` (with `negative` sign) fits in [-(max+1), max] given max's digits.
bool FitsSigned(std::string_view digits, bool negative, std::string_view max_digits,
                std::string_view min_abs_digits) {
  return CompareDigits(digits, negative ? min_abs_digits : max_digits) <= 0;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens)
      : text_(text), tokens_(std::move(tokens)) {
    // Hints are only meaningful right after SELECT; elsewhere they are comments.
    std::vector<Token> kept;
    kept.reserve(tokens_.size());
    for (auto& t : tokens_) {
      bool after_select =
          !kept.empty() &&
          (kept.back().kind == TokenKind::kHint ||
           (kept.back().kind == TokenKind::kWord && IEquals(kept.back().text, "SELECT")));
      if (t.kind == TokenKind::kHint && !after_select) continue;
      kept.push_back(std::move(t));
    }
    tokens_ = std::move(kept);
  }

  // ---------------------------------------------------------------------------------------------
  // Entry points
  // ---------------------------------------------------------------------------------------------

  Result<std::vector<StatementPtr>> Statements(bool single) {
    std::vector<StatementPtr> out;
    if (single && AtOp(";")) return Unexpected();
    while (true) {
      while (AtOp(";")) Advance();
      if (AtEnd()) break;
      if (single && !out.empty()) return ExtraInput();
      ASSIGN_OR_RAISE(auto stmt, Statement());
      if (!AtEnd() && !AtOp(";")) return ExtraInput();
      out.push_back(std::move(stmt));
    }
    if (out.empty()) {
      return ParseErrorAt("PARSE_EMPTY_STATEMENT", "42617",
                          "Syntax error, unexpected empty statement.", text_, SourcePos{});
    }
    return out;
  }

  Result<QueryPtr> WholeQuery() {
    ASSIGN_OR_RAISE(auto q, Query());
    while (AtOp(";")) Advance();
    if (!AtEnd()) return ExtraInput();
    return q;
  }

  Result<ExprPtr> WholeExpression() {
    ASSIGN_OR_RAISE(auto e, Expression());
    if (!AtEnd()) return ExtraInput();
    return e;
  }

  Result<SelectItem> WholeNamedExpression() {
    ASSIGN_OR_RAISE(auto item, NamedExpression());
    if (!AtEnd()) return ExtraInput();
    return item;
  }

  Result<DataTypeSyntax> WholeDataType() {
    ASSIGN_OR_RAISE(auto t, DataType());
    if (!AtEnd()) return ExtraInput();
    return t;
  }

  Result<std::vector<ColumnDefinition>> WholeSchema() {
    std::vector<ColumnDefinition> cols;
    do {
      ASSIGN_OR_RAISE(auto c, ColumnDef());
      cols.push_back(std::move(c));
    } while (AcceptOp(","));
    if (!AtEnd()) return ExtraInput();
    return cols;
  }

  Result<std::vector<std::string>> WholeName() {
    ASSIGN_OR_RAISE(auto name, MultipartName());
    if (!AtEnd()) return ExtraInput();
    return name;
  }

 private:
  // ---------------------------------------------------------------------------------------------
  // Tokens
  // ---------------------------------------------------------------------------------------------

  const Token& Cur() const { return tokens_[p_]; }
  const Token& Ahead(size_t k) const { return tokens_[std::min(p_ + k, tokens_.size() - 1)]; }
  bool AtEnd() const { return Cur().kind == TokenKind::kEnd; }
  void Advance() {
    if (p_ + 1 < tokens_.size()) ++p_;
  }

  static bool IsWord(const Token& t, const char* kw) {
    return t.kind == TokenKind::kWord && IEquals(t.text, kw);
  }
  static bool IsOp(const Token& t, const char* op) {
    return t.kind == TokenKind::kOperator && t.text == op;
  }
  bool At(const char* kw) const { return IsWord(Cur(), kw); }
  bool At2(const char* a, const char* b) const { return IsWord(Cur(), a) && IsWord(Ahead(1), b); }
  bool AtOp(const char* op) const { return IsOp(Cur(), op); }
  bool Accept(const char* kw) {
    if (!At(kw)) return false;
    Advance();
    return true;
  }
  bool AcceptOp(const char* op) {
    if (!AtOp(op)) return false;
    Advance();
    return true;
  }
  Status Expect(const char* kw) {
    if (!Accept(kw)) return Unexpected();
    return Status::OK();
  }
  Status ExpectOp(const char* op) {
    if (!AcceptOp(op)) return Unexpected();
    return Status::OK();
  }

  std::string_view RawText(const Token& t) const {
    if (t.kind == TokenKind::kEnd) return {};
    return text_.substr(static_cast<size_t>(t.pos.offset),
                        static_cast<size_t>(t.end_offset - t.pos.offset));
  }

  Status Unexpected() const { return SyntaxErrorAt(text_, Cur().pos, RawText(Cur())); }
  Status ExtraInput() const {
    std::string raw(RawText(Cur()));
    return SyntaxErrorAt(text_, Cur().pos, raw, "extra input '" + raw + "'");
  }

  // Consumes one '>' of a type's closing angle bracket, splitting '>>' and '>>>'.
  Status ExpectCloseAngle() {
    Token& t = tokens_[p_];
    if (t.kind == TokenKind::kOperator && (t.text == ">>" || t.text == ">>>" || t.text == ">=")) {
      t.text = t.text.substr(1);
      t.pos.column += 1;
      t.pos.offset += 1;
      return Status::OK();
    }
    return ExpectOp(">");
  }

  struct DepthScope {
    explicit DepthScope(Parser* p) : parser(p) { ++parser->depth_; }
    ~DepthScope() { --parser->depth_; }
    Parser* parser;
  };

  Status TooDeep() const {
    return ParseErrorAt("PARSE_SYNTAX_ERROR", "42601",
                        "Syntax error at or near '" + std::string(RawText(Cur())) +
                            "': the statement nests more than " + std::to_string(kMaxDepth) +
                            " levels deep.",
                        text_, Cur().pos);
  }

#define BASIN_SQL_ENTER()        \
  DepthScope depth_scope_(this); \
  if (depth_ > kMaxDepth) return TooDeep()

  // Whether the current token can be an identifier (a word that is not reserved, or backticked).
  bool AtIdentifier() const {
    return Cur().kind == TokenKind::kQuotedIdentifier ||
           (Cur().kind == TokenKind::kWord && !IsReserved(Cur().text));
  }
  bool AtAliasCandidate() const {
    return Cur().kind == TokenKind::kQuotedIdentifier ||
           (Cur().kind == TokenKind::kWord && !IsAliasReserved(Cur().text));
  }

  Result<std::string> Identifier() {
    if (!AtIdentifier()) return Unexpected();
    std::string name = Cur().text;
    Advance();
    return name;
  }

  // Any word (reserved or not) or a backticked name: used after '.' and where the grammar
  // expects a name unambiguously.
  Result<std::string> AnyName() {
    if (Cur().kind != TokenKind::kWord && Cur().kind != TokenKind::kQuotedIdentifier)
      return Unexpected();
    std::string name = Cur().text;
    Advance();
    return name;
  }

  Result<std::vector<std::string>> MultipartName() {
    std::vector<std::string> parts;
    ASSIGN_OR_RAISE(auto first, Identifier());
    parts.push_back(std::move(first));
    while (AtOp(".") &&
           (Ahead(1).kind == TokenKind::kWord || Ahead(1).kind == TokenKind::kQuotedIdentifier)) {
      Advance();
      ASSIGN_OR_RAISE(auto part, AnyName());
      parts.push_back(std::move(part));
    }
    return parts;
  }

  // ( a, b, c )
  Result<std::vector<std::string>> IdentifierList() {
    RETURN_NOT_OK(ExpectOp("("));
    std::vector<std::string> names;
    do {
      ASSIGN_OR_RAISE(auto n, Identifier());
      names.push_back(std::move(n));
    } while (AcceptOp(","));
    RETURN_NOT_OK(ExpectOp(")"));
    return names;
  }

  Result<std::string> StringLiteral() {
    if (Cur().kind != TokenKind::kString) return Unexpected();
    std::string s = Cur().text;
    Advance();
    while (Cur().kind == TokenKind::kString) {
      s += Cur().text;
      Advance();
    }
    return s;
  }

  ExprPtr NewExpr(ExprKind kind, const SourcePos& pos) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->pos = pos;
    return e;
  }

  // Whether the tokens from the current one (skipping opening parentheses) start a query.
  bool AtQueryStart(size_t from = 0) const {
    size_t k = from;
    while (IsOp(Ahead(k), "(")) ++k;
    const Token& t = Ahead(k);
    return IsWord(t, "SELECT") || IsWord(t, "WITH") || IsWord(t, "VALUES") || IsWord(t, "FROM") ||
           (IsWord(t, "TABLE") && (Ahead(k + 1).kind == TokenKind::kWord ||
                                   Ahead(k + 1).kind == TokenKind::kQuotedIdentifier));
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions
  // ---------------------------------------------------------------------------------------------

  Result<ExprPtr> Expression() {
    BASIN_SQL_ENTER();
    return Or();
  }

  ExprPtr Binary(BinaryOp op, ExprPtr left, ExprPtr right, const SourcePos& pos) {
    auto e = NewExpr(ExprKind::kBinary, pos);
    e->binary_op = op;
    e->children.push_back(std::move(left));
    e->children.push_back(std::move(right));
    return e;
  }

  Result<ExprPtr> Or() {
    ASSIGN_OR_RAISE(auto left, And());
    while (At("OR")) {
      Advance();
      ASSIGN_OR_RAISE(auto right, And());
      SourcePos pos = left->pos;
      left = Binary(BinaryOp::kOr, std::move(left), std::move(right), pos);
    }
    return left;
  }

  Result<ExprPtr> And() {
    ASSIGN_OR_RAISE(auto left, Not());
    while (At("AND")) {
      Advance();
      ASSIGN_OR_RAISE(auto right, Not());
      SourcePos pos = left->pos;
      left = Binary(BinaryOp::kAnd, std::move(left), std::move(right), pos);
    }
    return left;
  }

  Result<ExprPtr> Not() {
    SourcePos pos = Cur().pos;
    if (At("NOT") || AtOp("!")) {
      BASIN_SQL_ENTER();
      Advance();
      if (At("EXISTS") && IsOp(Ahead(1), "(") && AtQueryStart(2)) {
        ASSIGN_OR_RAISE(auto e, Exists(pos));
        e->negated = true;
        return e;
      }
      ASSIGN_OR_RAISE(auto operand, Not());
      auto e = NewExpr(ExprKind::kUnary, pos);
      e->unary_op = UnaryOp::kNot;
      e->children.push_back(std::move(operand));
      return e;
    }
    return Predicate();
  }

  Result<ExprPtr> Exists(const SourcePos& pos) {
    RETURN_NOT_OK(Expect("EXISTS"));
    RETURN_NOT_OK(ExpectOp("("));
    auto e = NewExpr(ExprKind::kExists, pos);
    ASSIGN_OR_RAISE(e->subquery, Query());
    RETURN_NOT_OK(ExpectOp(")"));
    return e;
  }

  Result<ExprPtr> Predicate() {
    ASSIGN_OR_RAISE(auto value, ValueExpression());
    SourcePos pos = value->pos;
    bool negated = false;
    size_t save = p_;
    if (At("NOT") || AtOp("!")) {
      Advance();
      negated = true;
      if (!At("BETWEEN") && !At("IN") && !At("LIKE") && !At("ILIKE") && !At("RLIKE") &&
          !At("REGEXP")) {
        p_ = save;
        return value;
      }
    }
    if (Accept("BETWEEN")) {
      auto e = NewExpr(ExprKind::kBetween, pos);
      e->negated = negated;
      e->children.push_back(std::move(value));
      ASSIGN_OR_RAISE(auto low, ValueExpression());
      RETURN_NOT_OK(Expect("AND"));
      ASSIGN_OR_RAISE(auto high, ValueExpression());
      e->children.push_back(std::move(low));
      e->children.push_back(std::move(high));
      return e;
    }
    if (Accept("IN")) {
      RETURN_NOT_OK(ExpectOp("("));
      if (AtQueryStart()) {
        auto e = NewExpr(ExprKind::kInSubquery, pos);
        e->negated = negated;
        e->children.push_back(std::move(value));
        ASSIGN_OR_RAISE(e->subquery, Query());
        RETURN_NOT_OK(ExpectOp(")"));
        return e;
      }
      if (AtOp(")")) {
        return ValueErrorAt(
            "INVALID_SQL_SYNTAX.EMPTY_IN_PREDICATE", "42000",
            "Invalid SQL syntax: IN predicate requires at least one value. Empty IN "
            "clauses like 'IN ()' are not allowed. Consider using 'WHERE FALSE' if you "
            "need an always-false condition, or provide at least one value in the IN list.",
            text_, pos, Cur().end_offset);
      }
      auto e = NewExpr(ExprKind::kInList, pos);
      e->negated = negated;
      e->children.push_back(std::move(value));
      do {
        ASSIGN_OR_RAISE(auto item, Expression());
        e->children.push_back(std::move(item));
      } while (AcceptOp(","));
      RETURN_NOT_OK(ExpectOp(")"));
      return e;
    }
    if (At("LIKE") || At("ILIKE") || At("RLIKE") || At("REGEXP")) {
      auto e = NewExpr(ExprKind::kLike, pos);
      e->negated = negated;
      e->like_op = At("LIKE") ? LikeOp::kLike : At("ILIKE") ? LikeOp::kILike : LikeOp::kRLike;
      Advance();
      e->children.push_back(std::move(value));
      if (e->like_op != LikeOp::kRLike && (At("ANY") || At("ALL") || At("SOME")) &&
          IsOp(Ahead(1), "(")) {
        e->quantifier = At("ALL") ? LikeQuantifier::kAll : LikeQuantifier::kAny;
        Advance();
        RETURN_NOT_OK(ExpectOp("("));
        do {
          ASSIGN_OR_RAISE(auto pattern, Expression());
          e->children.push_back(std::move(pattern));
        } while (AcceptOp(","));
        RETURN_NOT_OK(ExpectOp(")"));
        return e;
      }
      ASSIGN_OR_RAISE(auto pattern, ValueExpression());
      e->children.push_back(std::move(pattern));
      if (e->like_op != LikeOp::kRLike && Accept("ESCAPE")) {
        int esc_end = Cur().end_offset;
        ASSIGN_OR_RAISE(auto esc, StringLiteral());
        if (esc.size() != 1) {
          return ValueErrorAt("INVALID_ESC", "42604",
                              "Found an invalid escape string: '" + esc +
                                  "'. The escape string must contain only one character.",
                              text_, pos, esc_end);
        }
        e->escape = std::move(esc);
      }
      return e;
    }
    if (At("IS")) {
      Advance();
      bool is_not = Accept("NOT");
      if (Accept("NULL")) {
        auto e = NewExpr(ExprKind::kIsNull, pos);
        e->negated = is_not;
        e->children.push_back(std::move(value));
        return e;
      }
      if (At("TRUE") || At("FALSE") || At("UNKNOWN")) {
        auto e = NewExpr(ExprKind::kIsBoolean, pos);
        e->negated = is_not;
        e->text = Upper(Cur().text);
        Advance();
        e->children.push_back(std::move(value));
        return e;
      }
      if (Accept("DISTINCT")) {
        RETURN_NOT_OK(Expect("FROM"));
        ASSIGN_OR_RAISE(auto right, ValueExpression());
        auto eq = Binary(BinaryOp::kNullSafeEq, std::move(value), std::move(right), pos);
        if (is_not) return eq;
        auto e = NewExpr(ExprKind::kUnary, pos);
        e->unary_op = UnaryOp::kNot;
        e->children.push_back(std::move(eq));
        return e;
      }
      return Unexpected();
    }
    return value;
  }

  // The binary operator at the current token and its precedence level (higher binds tighter),
  // or level 0.
  int BinaryLevel(BinaryOp* op) const {
    const Token& t = Cur();
    if (t.kind == TokenKind::kWord) {
      if (IEquals(t.text, "DIV")) {
        *op = BinaryOp::kIntDivide;
        return 7;
      }
      return 0;
    }
    if (t.kind != TokenKind::kOperator) return 0;
    const std::string& s = t.text;
    if (s == "*") return *op = BinaryOp::kMultiply, 7;
    if (s == "/") return *op = BinaryOp::kDivide, 7;
    if (s == "%") return *op = BinaryOp::kModulo, 7;
    if (s == "+") return *op = BinaryOp::kAdd, 6;
    if (s == "-") return *op = BinaryOp::kSubtract, 6;
    if (s == "||") return *op = BinaryOp::kConcat, 6;
    if (s == "<<" || s == ">>" || s == ">>>") return 5;  // lowered to shift functions
    if (s == "&") return *op = BinaryOp::kBitAnd, 4;
    if (s == "^") return *op = BinaryOp::kBitXor, 3;
    if (s == "|") return *op = BinaryOp::kBitOr, 2;
    if (s == "=" || s == "==") return *op = BinaryOp::kEq, 1;
    if (s == "<=>") return *op = BinaryOp::kNullSafeEq, 1;
    if (s == "!=" || s == "<>") return *op = BinaryOp::kNotEq, 1;
    if (s == "<") return *op = BinaryOp::kLt, 1;
    if (s == "<=") return *op = BinaryOp::kLtEq, 1;
    if (s == ">") return *op = BinaryOp::kGt, 1;
    if (s == ">=") return *op = BinaryOp::kGtEq, 1;
    return 0;
  }

  Result<ExprPtr> ValueExpression(int min_level = 1) {
    ASSIGN_OR_RAISE(auto left, Unary());
    while (true) {
      BinaryOp op = BinaryOp::kAdd;
      int level = BinaryLevel(&op);
      if (level == 0 || level < min_level) break;
      std::string shift = Cur().text == "<<"    ? "shiftleft"
                          : Cur().text == ">>"  ? "shiftright"
                          : Cur().text == ">>>" ? "shiftrightunsigned"
                                                : "";
      Advance();
      ASSIGN_OR_RAISE(auto right, ValueExpression(level + 1));
      SourcePos pos = left->pos;
      if (!shift.empty()) {
        std::vector<ExprPtr> args;
        args.push_back(std::move(left));
        args.push_back(std::move(right));
        left = Call(std::move(shift), std::move(args), pos);
        continue;
      }
      left = Binary(op, std::move(left), std::move(right), pos);
    }
    return left;
  }

  Result<ExprPtr> Unary() {
    SourcePos pos = Cur().pos;
    if (AtOp("-") && Ahead(1).kind == TokenKind::kNumber) {
      Advance();
      ASSIGN_OR_RAISE(auto lit, Number(pos, /*negative=*/true));
      return Postfix(std::move(lit));
    }
    if (AtOp("-") || AtOp("+") || AtOp("~")) {
      BASIN_SQL_ENTER();
      UnaryOp op = AtOp("-") ? UnaryOp::kMinus : AtOp("+") ? UnaryOp::kPlus : UnaryOp::kBitNot;
      Advance();
      ASSIGN_OR_RAISE(auto operand, Unary());
      auto e = NewExpr(ExprKind::kUnary, pos);
      e->unary_op = op;
      e->children.push_back(std::move(operand));
      return e;
    }
    ASSIGN_OR_RAISE(auto primary, Primary());
    return Postfix(std::move(primary));
  }

  Result<ExprPtr> Postfix(ExprPtr base) {
    while (true) {
      SourcePos pos = Cur().pos;
      if (AcceptOp("[")) {
        ASSIGN_OR_RAISE(auto index, Expression());
        RETURN_NOT_OK(ExpectOp("]"));
        auto e = NewExpr(ExprKind::kSubscript, base->pos);
        e->children.push_back(std::move(base));
        e->children.push_back(std::move(index));
        base = std::move(e);
      } else if (AtOp(".") && (Ahead(1).kind == TokenKind::kWord ||
                               Ahead(1).kind == TokenKind::kQuotedIdentifier)) {
        Advance();
        ASSIGN_OR_RAISE(auto field, AnyName());
        if (base->kind == ExprKind::kColumn) {
          base->name_parts.push_back(std::move(field));
        } else {
          auto e = NewExpr(ExprKind::kField, base->pos);
          e->text = std::move(field);
          e->children.push_back(std::move(base));
          base = std::move(e);
        }
      } else if (AtOp(".") && IsOp(Ahead(1), "*") && base->kind == ExprKind::kColumn) {
        Advance();
        Advance();
        base->kind = ExprKind::kStar;
      } else if ((Cur().kind == TokenKind::kParameter && Cur().text != "?") ||
                 (AtOp(":") && IsOp(Ahead(1), "["))) {
        ASSIGN_OR_RAISE(base, VariantPath(std::move(base)));
      } else if (AcceptOp("::")) {
        auto e = NewExpr(ExprKind::kCast, base->pos);
        ASSIGN_OR_RAISE(auto type, DataType());
        e->type = std::make_unique<DataTypeSyntax>(std::move(type));
        e->children.push_back(std::move(base));
        base = std::move(e);
      } else {
        (void)pos;
        return base;
      }
    }
  }

  // Spark's `v:a.b[0]['c']`: variant_get(v, '$.a.b[0][\'c\']') returning a variant. The lexer
  // reads `:a` as a named-parameter token; after an expression it starts a path instead.
  Result<ExprPtr> VariantPath(ExprPtr base) {
    SourcePos pos = base->pos;
    std::string path = "$";
    if (Cur().kind == TokenKind::kParameter) {
      path += "." + Cur().text;
      Advance();
    } else {
      Advance();  // ':' before '['
    }
    while (true) {
      if (AtOp(".") && (Ahead(1).kind == TokenKind::kWord ||
                        Ahead(1).kind == TokenKind::kQuotedIdentifier)) {
        Advance();
        path += "." + Cur().text;
        Advance();
      } else if (AtOp("[") && (Ahead(1).kind == TokenKind::kNumber ||
                               Ahead(1).kind == TokenKind::kString) &&
                 IsOp(Ahead(2), "]")) {
        Advance();
        if (Cur().kind == TokenKind::kNumber) {
          path += "[" + Cur().text + "]";
        } else {
          path += "['" + Cur().text + "']";
        }
        Advance();
        Advance();
      } else {
        break;
      }
    }
    std::vector<ExprPtr> args;
    args.push_back(std::move(base));
    args.push_back(Literal(LiteralKind::kString, std::move(path), pos));
    return Call("variant_get", std::move(args), pos);
  }

  Result<ExprPtr> Number(const SourcePos& pos, bool negative) {
    const Token& t = Cur();
    int end = t.end_offset;
    std::string raw = Upper(t.text);
    Advance();
    auto e = NewExpr(ExprKind::kLiteral, pos);
    std::string body = raw;
    char suffix = 0;
    if (body.size() > 2 && body.compare(body.size() - 2, 2, "BD") == 0) {
      suffix = 'B';
      body.resize(body.size() - 2);
    } else if (!body.empty() && std::isalpha(static_cast<unsigned char>(body.back()))) {
      suffix = body.back();
      body.pop_back();
    }
    // Keep the digits as written (lower-case exponent marker for readability).
    std::string digits = t.text.substr(0, body.size());
    std::string signed_text = (negative ? "-" : "") + digits;
    auto range_error = [&](const char* type, const char* min, const char* max) {
      return ValueErrorAt("INVALID_NUMERIC_LITERAL_RANGE", "22003",
                          "Numeric literal " + signed_text + " is outside the valid range for " +
                              type + " with minimum value of " + min + " and maximum value of " +
                              max + ". Please adjust the value accordingly.",
                          text_, pos, end);
    };
    bool integral = AllDigits(body);
    e->text = signed_text;
    switch (suffix) {
      case 'Y':
        if (!FitsSigned(body, negative, "127", "128")) return range_error("tinyint", "-128", "127");
        e->literal_kind = LiteralKind::kTinyInt;
        break;
      case 'S':
        if (!FitsSigned(body, negative, "32767", "32768"))
          return range_error("smallint", "-32768", "32767");
        e->literal_kind = LiteralKind::kSmallInt;
        break;
      case 'L':
        if (!FitsSigned(body, negative, "9223372036854775807", "9223372036854775808")) {
          return range_error("bigint", "-9223372036854775808", "9223372036854775807");
        }
        e->literal_kind = LiteralKind::kBigInt;
        break;
      case 'D':
      case 'F': {
        errno = 0;
        double v = std::strtod(body.c_str(), nullptr);
        bool overflow = errno == ERANGE && (v > 1 || v < -1);
        if (suffix == 'D') {
          if (overflow)
            return range_error("double", "-1.7976931348623157E+308", "1.7976931348623157E+308");
          e->literal_kind = LiteralKind::kDouble;
        } else {
          if (overflow || v > 3.4028234663852886e38) {
            return range_error("float", "-3.4028234663852886E+38", "3.4028234663852886E+38");
          }
          e->literal_kind = LiteralKind::kFloat;
        }
        break;
      }
      case 'B':
        e->literal_kind = LiteralKind::kDecimal;
        break;
      case 0:
        if (integral) {
          if (FitsSigned(body, negative, "2147483647", "2147483648")) {
            e->literal_kind = LiteralKind::kInt;
          } else if (FitsSigned(body, negative, "9223372036854775807", "9223372036854775808")) {
            e->literal_kind = LiteralKind::kBigInt;
          } else {
            e->literal_kind = LiteralKind::kDecimal;
          }
        } else if (body.find('E') != std::string::npos) {
          errno = 0;
          double v = std::strtod(body.c_str(), nullptr);
          if (errno == ERANGE && (v > 1 || v < -1)) {
            return range_error("double", "-1.7976931348623157E+308", "1.7976931348623157E+308");
          }
          e->literal_kind = LiteralKind::kDouble;
        } else {
          e->literal_kind = LiteralKind::kDecimal;
        }
        break;
      default:
        return SyntaxErrorAt(text_, pos, t.text);
    }
    return e;
  }

  ExprPtr Literal(LiteralKind kind, std::string text, const SourcePos& pos) {
    auto e = NewExpr(ExprKind::kLiteral, pos);
    e->literal_kind = kind;
    e->text = std::move(text);
    return e;
  }

  ExprPtr Call(std::string name, std::vector<ExprPtr> args, const SourcePos& pos) {
    auto e = NewExpr(ExprKind::kFunction, pos);
    e->name_parts.push_back(std::move(name));
    e->children = std::move(args);
    return e;
  }

  Result<ExprPtr> Primary() {
    const Token& t = Cur();
    SourcePos pos = t.pos;
    switch (t.kind) {
      case TokenKind::kNumber:
        return Number(pos, false);
      case TokenKind::kString: {
        ASSIGN_OR_RAISE(auto s, StringLiteral());
        return Literal(LiteralKind::kString, std::move(s), pos);
      }
      case TokenKind::kParameter: {
        auto e = NewExpr(ExprKind::kParameter, pos);
        if (t.text == "?") {
          e->parameter_index = next_parameter_++;
        } else {
          e->text = t.text;
        }
        Advance();
        return e;
      }
      case TokenKind::kQuotedIdentifier:
        return NameExpression();
      case TokenKind::kOperator:
        if (t.text == "*") {
          Advance();
          return NewExpr(ExprKind::kStar, pos);
        }
        if (t.text == "(") return Parenthesized();
        return Unexpected();
      case TokenKind::kHint:
      case TokenKind::kEnd:
        return Unexpected();
      case TokenKind::kWord:
        break;
    }
    // Keyword-led forms.
    const Token& next = Ahead(1);
    bool call = IsOp(next, "(");
    if (At("NULL")) return Advance(), Literal(LiteralKind::kNull, "", pos);
    if (At("TRUE") || At("FALSE")) {
      std::string v = At("TRUE") ? "true" : "false";
      Advance();
      return Literal(LiteralKind::kBoolean, std::move(v), pos);
    }
    if (At("CASE")) return Case();
    if ((At("CAST") || At("TRY_CAST")) && call) return Cast();
    if (At("EXISTS") && call && AtQueryStart(2)) return Exists(pos);  // else exists(arr, f)
    if (At("INTERVAL") && !call &&
        (next.kind == TokenKind::kString || next.kind == TokenKind::kNumber || IsOp(next, "-") ||
         IsOp(next, "+"))) {
      return Interval();
    }
    if (next.kind == TokenKind::kString) {
      static const std::pair<const char*, LiteralKind> kTyped[] = {
          {"DATE", LiteralKind::kDate},
          {"TIMESTAMP", LiteralKind::kTimestamp},
          {"TIMESTAMP_LTZ", LiteralKind::kTimestamp},
          {"TIMESTAMP_NTZ", LiteralKind::kTimestampNtz},
          {"TIME", LiteralKind::kTime},
          {"X", LiteralKind::kBinary}};
      for (const auto& [word, kind] : kTyped) {
        if (At(word)) {
          Advance();
          SourcePos vpos = Cur().pos;
          int vend = Cur().end_offset;
          ASSIGN_OR_RAISE(auto value, StringLiteral());
          if (kind == LiteralKind::kBinary) {
            for (char c : value) {
              if (!std::isxdigit(static_cast<unsigned char>(c))) {
                return ValueErrorAt("INVALID_TYPED_LITERAL", "42604",
                                    "The value of the typed literal \"X\" is "
                                    "invalid: '" +
                                        value + "'.",
                                    text_, pos, vend);
              }
            }
          }
          (void)vpos;
          return Literal(kind, std::move(value), pos);
        }
      }
    }
    if (call) {
      if (At("EXTRACT")) return Extract();
      if (At("POSITION")) {
        ASSIGN_OR_RAISE(auto special, TryPosition());
        if (special) return special;
      }
      if (At("SUBSTRING") || At("SUBSTR")) {
        ASSIGN_OR_RAISE(auto special, TrySubstring());
        if (special) return special;
      }
      if (At("TRIM")) {
        ASSIGN_OR_RAISE(auto special, TryTrim());
        if (special) return special;
      }
      if (At("OVERLAY")) {
        ASSIGN_OR_RAISE(auto special, TryOverlay());
        if (special) return special;
      }
    } else if (At("CURRENT_DATE") || At("CURRENT_TIMESTAMP") || At("CURRENT_USER") ||
               At("SESSION_USER") || At("CURRENT_TIME")) {
      std::string name = Upper(t.text);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      Advance();
      return Call(std::move(name), {}, pos);
    }
    if (IsReserved(t.text) && !call) return Unexpected();
    if (IsReserved(t.text) &&
        InList(t.text,
               {"SELECT", "FROM",   "WHERE",   "AND",      "OR",        "NOT",     "IN",    "IS",
                "AS",     "ON",     "WITH",    "UNION",    "INTERSECT", "EXCEPT",  "MINUS", "JOIN",
                "BY",     "THEN",   "ELSE",    "END",      "WHEN",      "BETWEEN", "LIKE",  "ILIKE",
                "RLIKE",  "ESCAPE", "USING",   "DISTINCT", "INTO",      "HAVING",  "GROUP", "ORDER",
                "LIMIT",  "OFFSET", "QUALIFY", "CASE",     "NATURAL",   "LATERAL", "CROSS", "INNER",
                "OUTER",  "FULL",   "SEMI",    "ANTI"})) {
      return Unexpected();
    }
    return NameExpression();
  }

  // A name: a column (a.b.c), a qualified star (t.*), a function call f(...) or a lambda x -> e.
  Result<ExprPtr> NameExpression() {
    SourcePos pos = Cur().pos;
    if (IsOp(Ahead(1), "->")) {
      auto e = NewExpr(ExprKind::kLambda, pos);
      ASSIGN_OR_RAISE(auto param, AnyName());
      e->lambda_params.push_back(std::move(param));
      Advance();  // ->
      ASSIGN_OR_RAISE(auto body, Expression());
      e->children.push_back(std::move(body));
      return e;
    }
    std::vector<std::string> parts;
    ASSIGN_OR_RAISE(auto first, AnyName());
    parts.push_back(std::move(first));
    while (AtOp(".") &&
           (Ahead(1).kind == TokenKind::kWord || Ahead(1).kind == TokenKind::kQuotedIdentifier)) {
      Advance();
      ASSIGN_OR_RAISE(auto part, AnyName());
      parts.push_back(std::move(part));
    }
    if (AtOp("(")) return FunctionCall(std::move(parts), pos);
    auto e = NewExpr(ExprKind::kColumn, pos);
    e->name_parts = std::move(parts);
    return e;
  }

  Result<ExprPtr> FunctionCall(std::vector<std::string> name, const SourcePos& pos) {
    auto e = NewExpr(ExprKind::kFunction, pos);
    e->name_parts = std::move(name);
    bool is_struct = e->name_parts.size() == 1 && IEquals(e->name_parts[0], "STRUCT");
    RETURN_NOT_OK(ExpectOp("("));
    if (!AcceptOp(")")) {
      if (At("DISTINCT")) {
        Advance();
        e->distinct = true;
      } else if (At("ALL") && !IsOp(Ahead(1), ")") && !IsOp(Ahead(1), ",")) {
        Advance();
      }
      do {
        SourcePos arg_pos = Cur().pos;
        if ((Cur().kind == TokenKind::kWord || Cur().kind == TokenKind::kQuotedIdentifier) &&
            IsOp(Ahead(1), "=>")) {
          auto named = NewExpr(ExprKind::kNamedArgument, arg_pos);
          named->text = Cur().text;
          Advance();
          Advance();
          ASSIGN_OR_RAISE(auto value, Expression());
          named->children.push_back(std::move(value));
          e->children.push_back(std::move(named));
          continue;
        }
        ASSIGN_OR_RAISE(auto arg, Expression());
        if (is_struct && (At("AS") || AtAliasCandidate())) {
          Accept("AS");
          auto alias = NewExpr(ExprKind::kAlias, arg->pos);
          ASSIGN_OR_RAISE(alias->text, AnyName());
          alias->children.push_back(std::move(arg));
          arg = std::move(alias);
        }
        e->children.push_back(std::move(arg));
      } while (AcceptOp(","));
      RETURN_NOT_OK(ExpectOp(")"));
    }
    if (At("WITHIN") && IsWord(Ahead(1), "GROUP")) {
      Advance();
      Advance();
      RETURN_NOT_OK(ExpectOp("("));
      RETURN_NOT_OK(Expect("ORDER"));
      RETURN_NOT_OK(Expect("BY"));
      ASSIGN_OR_RAISE(e->within_group, SortItems());
      RETURN_NOT_OK(ExpectOp(")"));
    }
    if (At("FILTER") && IsOp(Ahead(1), "(")) {
      Advance();
      Advance();
      RETURN_NOT_OK(Expect("WHERE"));
      ASSIGN_OR_RAISE(e->filter, Expression());
      RETURN_NOT_OK(ExpectOp(")"));
    }
    if ((At("IGNORE") || At("RESPECT")) && IsWord(Ahead(1), "NULLS")) {
      e->null_treatment = At("IGNORE") ? NullTreatment::kIgnoreNulls : NullTreatment::kRespectNulls;
      Advance();
      Advance();
    }
    if (At("OVER")) {
      Advance();
      ASSIGN_OR_RAISE(auto spec, WindowSpecification());
      e->over = std::make_unique<WindowSpec>(std::move(spec));
    }
    return e;
  }

  Result<WindowSpec> WindowSpecification() {
    WindowSpec spec;
    spec.pos = Cur().pos;
    if (!AtOp("(")) {
      ASSIGN_OR_RAISE(auto name, Identifier());
      spec.base_name = std::move(name);
      return spec;
    }
    Advance();
    if (AtIdentifier() && !At("PARTITION") && !At("DISTRIBUTE") && !At("ORDER") && !At("SORT") &&
        !At("ROWS") && !At("RANGE") && !At("CLUSTER")) {
      ASSIGN_OR_RAISE(auto name, Identifier());
      spec.base_name = std::move(name);
    }
    if ((At("PARTITION") || At("DISTRIBUTE") || At("CLUSTER")) && IsWord(Ahead(1), "BY")) {
      Advance();
      Advance();
      ASSIGN_OR_RAISE(spec.partition_by, ExpressionList());
    }
    if ((At("ORDER") || At("SORT")) && IsWord(Ahead(1), "BY")) {
      Advance();
      Advance();
      ASSIGN_OR_RAISE(spec.order_by, SortItems());
    }
    if (At("ROWS") || At("RANGE")) {
      WindowFrame frame;
      frame.type = At("ROWS") ? FrameType::kRows : FrameType::kRange;
      Advance();
      if (Accept("BETWEEN")) {
        ASSIGN_OR_RAISE(frame.start, FrameBoundary());
        RETURN_NOT_OK(Expect("AND"));
        ASSIGN_OR_RAISE(frame.end, FrameBoundary());
      } else {
        ASSIGN_OR_RAISE(frame.start, FrameBoundary());
        frame.end.kind = FrameBoundKind::kCurrentRow;
      }
      spec.frame = std::move(frame);
    }
    RETURN_NOT_OK(ExpectOp(")"));
    return spec;
  }

  Result<FrameBound> FrameBoundary() {
    FrameBound b;
    if (At("UNBOUNDED")) {
      Advance();
      if (Accept("PRECEDING")) {
        b.kind = FrameBoundKind::kUnboundedPreceding;
      } else if (Accept("FOLLOWING")) {
        b.kind = FrameBoundKind::kUnboundedFollowing;
      } else {
        return Unexpected();
      }
      return b;
    }
    if (At("CURRENT") && IsWord(Ahead(1), "ROW")) {
      Advance();
      Advance();
      b.kind = FrameBoundKind::kCurrentRow;
      return b;
    }
    ASSIGN_OR_RAISE(b.offset, ValueExpression());
    if (Accept("PRECEDING")) {
      b.kind = FrameBoundKind::kPreceding;
    } else if (Accept("FOLLOWING")) {
      b.kind = FrameBoundKind::kFollowing;
    } else {
      return Unexpected();
    }
    return b;
  }

  Result<std::vector<ExprPtr>> ExpressionList() {
    std::vector<ExprPtr> list;
    do {
      ASSIGN_OR_RAISE(auto e, Expression());
      list.push_back(std::move(e));
    } while (AcceptOp(","));
    return list;
  }

  Result<std::vector<SortItem>> SortItems() {
    std::vector<SortItem> items;
    do {
      SortItem item;
      ASSIGN_OR_RAISE(item.expr, Expression());
      if (Accept("ASC")) {
        item.direction = SortDirection::kAscending;
      } else if (Accept("DESC")) {
        item.direction = SortDirection::kDescending;
      }
      if (At("NULLS")) {
        Advance();
        if (Accept("FIRST")) {
          item.nulls = NullOrdering::kNullsFirst;
        } else if (Accept("LAST")) {
          item.nulls = NullOrdering::kNullsLast;
        } else {
          return Unexpected();
        }
      }
      items.push_back(std::move(item));
    } while (AcceptOp(","));
    return items;
  }

  // ( query ) | ( expr ) | ( e1, e2, ... ) | (x, y) -> body
  Result<ExprPtr> Parenthesized() {
    SourcePos pos = Cur().pos;
    if (AtQueryStart(1)) {
      Advance();
      auto e = NewExpr(ExprKind::kScalarSubquery, pos);
      ASSIGN_OR_RAISE(e->subquery, Query());
      RETURN_NOT_OK(ExpectOp(")"));
      return e;
    }
    // Lambda with a parameter list?
    {
      size_t k = 1;
      bool names = true;
      while (true) {
        const Token& t = Ahead(k);
        if (t.kind != TokenKind::kWord && t.kind != TokenKind::kQuotedIdentifier) {
          names = false;
          break;
        }
        ++k;
        if (IsOp(Ahead(k), ",")) {
          ++k;
          continue;
        }
        break;
      }
      if (names && IsOp(Ahead(k), ")") && IsOp(Ahead(k + 1), "->")) {
        Advance();
        auto e = NewExpr(ExprKind::kLambda, pos);
        do {
          ASSIGN_OR_RAISE(auto param, AnyName());
          e->lambda_params.push_back(std::move(param));
        } while (AcceptOp(","));
        RETURN_NOT_OK(ExpectOp(")"));
        RETURN_NOT_OK(ExpectOp("->"));
        ASSIGN_OR_RAISE(auto body, Expression());
        e->children.push_back(std::move(body));
        return e;
      }
    }
    Advance();
    ASSIGN_OR_RAISE(auto first, Expression());
    if (!AtOp(",")) {
      RETURN_NOT_OK(ExpectOp(")"));
      return first;
    }
    auto row = NewExpr(ExprKind::kRow, pos);
    row->children.push_back(std::move(first));
    while (AcceptOp(",")) {
      ASSIGN_OR_RAISE(auto item, Expression());
      row->children.push_back(std::move(item));
    }
    RETURN_NOT_OK(ExpectOp(")"));
    return row;
  }

  Result<ExprPtr> Case() {
    auto e = NewExpr(ExprKind::kCase, Cur().pos);
    Advance();
    if (!At("WHEN")) {
      ASSIGN_OR_RAISE(auto operand, Expression());
      e->has_operand = true;
      e->children.push_back(std::move(operand));
    }
    if (!At("WHEN")) return Unexpected();
    while (Accept("WHEN")) {
      ASSIGN_OR_RAISE(auto when, Expression());
      RETURN_NOT_OK(Expect("THEN"));
      ASSIGN_OR_RAISE(auto then, Expression());
      e->children.push_back(std::move(when));
      e->children.push_back(std::move(then));
    }
    if (Accept("ELSE")) {
      ASSIGN_OR_RAISE(auto other, Expression());
      e->children.push_back(std::move(other));
      e->has_else = true;
    }
    RETURN_NOT_OK(Expect("END"));
    return e;
  }

  Result<ExprPtr> Cast() {
    auto e = NewExpr(ExprKind::kCast, Cur().pos);
    e->try_cast = At("TRY_CAST");
    Advance();
    RETURN_NOT_OK(ExpectOp("("));
    ASSIGN_OR_RAISE(auto value, Expression());
    e->children.push_back(std::move(value));
    RETURN_NOT_OK(Expect("AS"));
    ASSIGN_OR_RAISE(auto type, DataType());
    e->type = std::make_unique<DataTypeSyntax>(std::move(type));
    RETURN_NOT_OK(ExpectOp(")"));
    return e;
  }

  Result<ExprPtr> Interval() {
    auto e = NewExpr(ExprKind::kLiteral, Cur().pos);
    e->literal_kind = LiteralKind::kInterval;
    SourcePos start = Cur().pos;
    Advance();  // INTERVAL
    while (true) {
      // value: [+|-] (number | string)
      size_t k = 0;
      bool negative = false;
      if (IsOp(Ahead(0), "-") || IsOp(Ahead(0), "+")) {
        negative = IsOp(Ahead(0), "-");
        k = 1;
      }
      const Token& v = Ahead(k);
      if (v.kind != TokenKind::kNumber && v.kind != TokenKind::kString) break;
      bool has_unit =
          Ahead(k + 1).kind == TokenKind::kWord && !IntervalUnit(Ahead(k + 1).text).empty();
      if (!e->interval.empty() && !has_unit) break;  // e.g. INTERVAL 1 DAY + 2
      IntervalPart part;
      part.quoted = v.kind == TokenKind::kString;
      for (size_t i = 0; i < k; ++i) Advance();
      if (part.quoted) {
        ASSIGN_OR_RAISE(part.value, StringLiteral());
      } else {
        part.value = v.text;
        Advance();
      }
      if (negative) part.value = "-" + part.value;
      if (has_unit) {
        part.unit = IntervalUnit(Cur().text);
        Advance();
        if (At("TO")) {
          Advance();
          if (Cur().kind != TokenKind::kWord || IntervalUnit(Cur().text).empty())
            return Unexpected();
          part.to_unit = IntervalUnit(Cur().text);
          Advance();
        }
      } else if (!part.quoted) {
        return Unexpected();
      }
      e->interval.push_back(std::move(part));
      if (e->interval.back().unit.empty() || !e->interval.back().to_unit.empty()) break;
    }
    if (e->interval.empty()) return SyntaxErrorAt(text_, start, "INTERVAL");
    return e;
  }

  Result<ExprPtr> Extract() {
    SourcePos pos = Cur().pos;
    Advance();
    RETURN_NOT_OK(ExpectOp("("));
    SourcePos field_pos = Cur().pos;
    if (Cur().kind != TokenKind::kWord && Cur().kind != TokenKind::kString) return Unexpected();
    std::string field = Cur().text;
    Advance();
    if (!Accept("FROM")) {
      if (!AtOp(",")) return Unexpected();
      Advance();
    }
    ASSIGN_OR_RAISE(auto source, Expression());
    RETURN_NOT_OK(ExpectOp(")"));
    std::vector<ExprPtr> args;
    args.push_back(Literal(LiteralKind::kString, std::move(field), field_pos));
    args.push_back(std::move(source));
    return Call("extract", std::move(args), pos);
  }

  // Whether the call at the cursor (name, '(') has the word `kw` among its arguments outside any
  // nested parentheses. Deciding by a scan, not by parsing and rewinding, keeps nested calls
  // linear (re-parsing would double the work at every level).
  bool CallHasTopLevelWord(const char* kw) const {
    int depth = 0;
    for (size_t k = 2;; ++k) {
      const Token& t = Ahead(k);
      if (t.kind == TokenKind::kEnd) return false;
      if (IsOp(t, "(") || IsOp(t, "[")) {
        ++depth;
      } else if (IsOp(t, ")") || IsOp(t, "]")) {
        if (depth == 0) return false;
        --depth;
      } else if (depth == 0 && IsWord(t, kw)) {
        // `x IN (...)` inside an ordinary argument is an IN predicate, not POSITION's IN.
        return !(IEquals(kw, "IN") && IsOp(Ahead(k + 1), "("));
      }
    }
  }

  // POSITION(a IN b); returns null (consuming nothing) when the call is an ordinary one.
  Result<ExprPtr> TryPosition() {
    if (!CallHasTopLevelWord("IN")) return ExprPtr();
    SourcePos pos = Cur().pos;
    Advance();
    Advance();
    ASSIGN_OR_RAISE(auto needle, ValueExpression());
    RETURN_NOT_OK(Expect("IN"));
    ASSIGN_OR_RAISE(auto haystack, ValueExpression());
    RETURN_NOT_OK(ExpectOp(")"));
    std::vector<ExprPtr> args;
    args.push_back(std::move(needle));
    args.push_back(std::move(haystack));
    return Call("position", std::move(args), pos);
  }

  Result<ExprPtr> TrySubstring() {
    if (!CallHasTopLevelWord("FROM")) return ExprPtr();
    SourcePos pos = Cur().pos;
    Advance();
    Advance();
    ASSIGN_OR_RAISE(auto str, Expression());
    RETURN_NOT_OK(Expect("FROM"));
    std::vector<ExprPtr> args;
    args.push_back(std::move(str));
    ASSIGN_OR_RAISE(auto start, ValueExpression());
    args.push_back(std::move(start));
    if (Accept("FOR")) {
      ASSIGN_OR_RAISE(auto len, ValueExpression());
      args.push_back(std::move(len));
    }
    RETURN_NOT_OK(ExpectOp(")"));
    return Call("substring", std::move(args), pos);
  }

  Result<ExprPtr> TryTrim() {
    const Token& first = Ahead(2);
    if (!CallHasTopLevelWord("FROM") && !IsWord(first, "BOTH") && !IsWord(first, "LEADING") &&
        !IsWord(first, "TRAILING")) {
      return ExprPtr();
    }
    SourcePos pos = Cur().pos;
    Advance();
    Advance();
    std::string fn = "btrim";
    bool option = false;
    if (At("BOTH") || At("LEADING") || At("TRAILING")) {
      fn = At("BOTH") ? "btrim" : At("LEADING") ? "ltrim" : "rtrim";
      option = true;
      Advance();
    }
    ExprPtr chars;
    if (!(option && At("FROM"))) {
      ASSIGN_OR_RAISE(chars, Expression());
    }
    if (!Accept("FROM")) {
      if (!option) return Unexpected();
      // TRIM(LEADING s): trims spaces.
      RETURN_NOT_OK(ExpectOp(")"));
      std::vector<ExprPtr> args;
      args.push_back(std::move(chars));
      return Call(fn, std::move(args), pos);
    }
    ASSIGN_OR_RAISE(auto str, Expression());
    RETURN_NOT_OK(ExpectOp(")"));
    // Spark's argument orders: btrim(str, trimStr) but ltrim/rtrim(trimStr, str).
    std::vector<ExprPtr> args;
    if (chars && fn != "btrim") {
      args.push_back(std::move(chars));
      args.push_back(std::move(str));
    } else {
      args.push_back(std::move(str));
      if (chars) args.push_back(std::move(chars));
    }
    return Call(fn, std::move(args), pos);
  }

  Result<ExprPtr> TryOverlay() {
    if (!CallHasTopLevelWord("PLACING")) return ExprPtr();
    SourcePos pos = Cur().pos;
    Advance();
    Advance();
    ASSIGN_OR_RAISE(auto input, Expression());
    RETURN_NOT_OK(Expect("PLACING"));
    std::vector<ExprPtr> args;
    args.push_back(std::move(input));
    ASSIGN_OR_RAISE(auto replace, Expression());
    args.push_back(std::move(replace));
    RETURN_NOT_OK(Expect("FROM"));
    ASSIGN_OR_RAISE(auto start, ValueExpression());
    args.push_back(std::move(start));
    if (Accept("FOR")) {
      ASSIGN_OR_RAISE(auto len, ValueExpression());
      args.push_back(std::move(len));
    }
    RETURN_NOT_OK(ExpectOp(")"));
    return Call("overlay", std::move(args), pos);
  }

  // ---------------------------------------------------------------------------------------------
  // Data types
  // ---------------------------------------------------------------------------------------------

  Result<int> SmallInteger() {
    if (Cur().kind != TokenKind::kNumber || !AllDigits(Cur().text) || Cur().text.size() > 9) {
      return Unexpected();
    }
    int v = std::atoi(Cur().text.c_str());
    Advance();
    return v;
  }

  Result<IntervalField> IntervalFieldAt() {
    if (Cur().kind != TokenKind::kWord) return Unexpected();
    std::string u = Upper(Cur().text);
    IntervalField f;
    if (u == "YEAR")
      f = IntervalField::kYear;
    else if (u == "MONTH")
      f = IntervalField::kMonth;
    else if (u == "DAY")
      f = IntervalField::kDay;
    else if (u == "HOUR")
      f = IntervalField::kHour;
    else if (u == "MINUTE")
      f = IntervalField::kMinute;
    else if (u == "SECOND")
      f = IntervalField::kSecond;
    else
      return Unexpected();
    Advance();
    return f;
  }

  Result<DataTypeSyntax> DataType() {
    BASIN_SQL_ENTER();
    DataTypeSyntax t;
    const Token& tok = Cur();
    if (tok.kind != TokenKind::kWord) return Unexpected();
    SourcePos pos = tok.pos;
    int end = tok.end_offset;
    std::string name = Upper(tok.text);
    Advance();
    auto simple = [&](TypeKind k) {
      t.kind = k;
      return t;
    };
    if (name == "BOOLEAN") return simple(TypeKind::kBoolean);
    if (name == "TINYINT" || name == "BYTE") return simple(TypeKind::kTinyInt);
    if (name == "SMALLINT" || name == "SHORT") return simple(TypeKind::kSmallInt);
    if (name == "INT" || name == "INTEGER") return simple(TypeKind::kInt);
    if (name == "BIGINT" || name == "LONG") return simple(TypeKind::kBigInt);
    if (name == "FLOAT" || name == "REAL") return simple(TypeKind::kFloat);
    if (name == "DOUBLE") {
      Accept("PRECISION");
      return simple(TypeKind::kDouble);
    }
    if (name == "STRING") return simple(TypeKind::kString);
    if (name == "BINARY") return simple(TypeKind::kBinary);
    if (name == "DATE") return simple(TypeKind::kDate);
    if (name == "TIMESTAMP") return simple(TypeKind::kTimestamp);
    if (name == "TIMESTAMP_LTZ") {
      t.ltz_written = true;
      return simple(TypeKind::kTimestamp);
    }
    if (name == "TIMESTAMP_NTZ") return simple(TypeKind::kTimestampNtz);
    if (name == "TIME") {
      t.kind = TypeKind::kTime;
      t.precision = 6;
      if (AcceptOp("(")) {
        ASSIGN_OR_RAISE(t.precision, SmallInteger());
        int close_end = Cur().end_offset;
        RETURN_NOT_OK(ExpectOp(")"));
        if (t.precision > 6) {
          return ValueErrorAt("UNSUPPORTED_TIME_PRECISION", "0A001",
                              "The seconds precision " + std::to_string(t.precision) +
                                  " of the TIME data type is out of the supported range [0, 6].",
                              text_, pos, close_end);
        }
      }
      // TIME [(p)] WITHOUT TIME ZONE is the same type.
      if (At2("WITHOUT", "TIME")) {
        Advance();
        Advance();
        if (!Accept("ZONE")) return Unexpected();
      }
      return t;
    }
    if (name == "VOID" || name == "NULL") return simple(TypeKind::kNull);
    if (name == "VARIANT") return simple(TypeKind::kVariant);
    if ((name == "GEOMETRY" || name == "GEOGRAPHY") && AtOp("(")) {
      // GEOMETRY(<srid>) / GEOMETRY(ANY); the bare name falls through to UNSUPPORTED_DATATYPE,
      // as Spark has no unparameterized form.
      Advance();
      t.kind = name == "GEOMETRY" ? TypeKind::kGeometry : TypeKind::kGeography;
      if (Accept("ANY")) {
        t.srid = -1;
      } else {
        if (Cur().kind != TokenKind::kNumber || !AllDigits(Cur().text) || Cur().text.size() > 18) {
          return Unexpected();
        }
        t.srid = std::strtoll(Cur().text.c_str(), nullptr, 10);
        Advance();
      }
      RETURN_NOT_OK(ExpectOp(")"));
      return t;
    }
    if (name == "DECIMAL" || name == "DEC" || name == "NUMERIC") {
      t.kind = TypeKind::kDecimal;
      if (AcceptOp("(")) {
        SourcePos ppos = Cur().pos;
        ASSIGN_OR_RAISE(t.precision, SmallInteger());
        t.scale = 0;
        if (AcceptOp(",")) {
          ASSIGN_OR_RAISE(t.scale, SmallInteger());
        }
        int close_end = Cur().end_offset;
        RETURN_NOT_OK(ExpectOp(")"));
        if (t.precision > 38) {
          return ValueErrorAt(
              "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", "22003",
              "Decimal precision " + std::to_string(t.precision) + " exceeds max precision 38.",
              text_, pos, close_end);
        }
        if (t.scale > t.precision) {
          return ValueErrorAt("PARSE_SYNTAX_ERROR", "42601",
                              "Decimal scale (" + std::to_string(t.scale) +
                                  ") cannot be greater than precision (" +
                                  std::to_string(t.precision) + ").",
                              text_, ppos, close_end);
        }
      }
      return t;
    }
    if (name == "VARCHAR" || name == "CHAR" || name == "CHARACTER") {
      t.kind = name == "VARCHAR" ? TypeKind::kVarChar : TypeKind::kChar;
      if (!AtOp("(")) {
        return ValueErrorAt("DATATYPE_MISSING_SIZE", "42K01",
                            "DataType \"" + name +
                                "\" requires a length parameter, for example \"" + name +
                                "\"(10). Please specify the length.",
                            text_, pos, end);
      }
      Advance();
      ASSIGN_OR_RAISE(t.length, SmallInteger());
      RETURN_NOT_OK(ExpectOp(")"));
      return t;
    }
    if (name == "INTERVAL") {
      if (Cur().kind != TokenKind::kWord || (!At("YEAR") && !At("MONTH") && !At("DAY") &&
                                             !At("HOUR") && !At("MINUTE") && !At("SECOND"))) {
        return simple(TypeKind::kCalendarInterval);
      }
      ASSIGN_OR_RAISE(t.start_field, IntervalFieldAt());
      t.end_field = t.start_field;
      bool year_month = t.start_field <= IntervalField::kMonth;
      if (At("TO")) {
        // YEAR TO MONTH; DAY|HOUR|MINUTE TO a later day-time field.
        size_t to = p_;
        Advance();
        ASSIGN_OR_RAISE(t.end_field, IntervalFieldAt());
        bool end_year_month = t.end_field <= IntervalField::kMonth;
        if (year_month != end_year_month || t.end_field <= t.start_field) {
          p_ = to;
          return Unexpected();
        }
      }
      t.kind = year_month ? TypeKind::kYearMonthInterval : TypeKind::kDayTimeInterval;
      return t;
    }
    if (name == "ARRAY" && AtOp("<")) {
      Advance();
      t.kind = TypeKind::kArray;
      ASSIGN_OR_RAISE(auto element, DataType());
      t.children.push_back(std::move(element));
      RETURN_NOT_OK(ExpectCloseAngle());
      return t;
    }
    if (name == "MAP" && AtOp("<")) {
      Advance();
      t.kind = TypeKind::kMap;
      ASSIGN_OR_RAISE(auto key, DataType());
      RETURN_NOT_OK(ExpectOp(","));
      ASSIGN_OR_RAISE(auto value, DataType());
      t.children.push_back(std::move(key));
      t.children.push_back(std::move(value));
      RETURN_NOT_OK(ExpectCloseAngle());
      return t;
    }
    if (name == "STRUCT" && AtOp("<>")) {
      Advance();
      t.kind = TypeKind::kStruct;
      return t;
    }
    if (name == "STRUCT" && AtOp("<")) {
      Advance();
      t.kind = TypeKind::kStruct;
      if (AtOp(">") || AtOp(">>") || AtOp(">>>")) {
        RETURN_NOT_OK(ExpectCloseAngle());
        return t;
      }
      do {
        ASSIGN_OR_RAISE(auto field_name, AnyName());
        if (Cur().kind == TokenKind::kParameter && Cur().text != "?") {
          // "a:int": the lexer read ":int" as a named parameter; here it is a colon and the
          // name of the field's type.
          tokens_[p_].kind = TokenKind::kWord;
        } else {
          AcceptOp(":");
        }
        ASSIGN_OR_RAISE(auto field_type, DataType());
        bool nullable = true;
        if (At("NOT") && IsWord(Ahead(1), "NULL")) {
          Advance();
          Advance();
          nullable = false;
        }
        std::optional<std::string> comment;
        if (Accept("COMMENT")) {
          ASSIGN_OR_RAISE(auto c, StringLiteral());
          comment = std::move(c);
        }
        t.field_names.push_back(std::move(field_name));
        t.children.push_back(std::move(field_type));
        t.field_nullable.push_back(nullable);
        t.field_comments.push_back(std::move(comment));
      } while (AcceptOp(","));
      RETURN_NOT_OK(ExpectCloseAngle());
      return t;
    }
    return ValueErrorAt("UNSUPPORTED_DATATYPE", "0A000", "Unsupported data type \"" + name + "\".",
                        text_, pos, end);
  }

  // ---------------------------------------------------------------------------------------------
  // Queries
  // ---------------------------------------------------------------------------------------------

  static bool HasOrganization(const sql::Query& q) {
    return !q.order_by.empty() || !q.sort_by.empty() || !q.cluster_by.empty() ||
           !q.distribute_by.empty() || q.limit || q.limit_all || q.offset;
  }

  // Wraps `q` as SELECT * FROM (q), so that outer clauses do not merge with its own.
  QueryPtr Wrap(QueryPtr q) {
    auto outer = std::make_unique<sql::Query>();
    outer->kind = QueryKind::kSelect;
    outer->pos = q->pos;
    SelectItem star;
    star.expr = NewExpr(ExprKind::kStar, q->pos);
    outer->select_items.push_back(std::move(star));
    auto rel = std::make_unique<Relation>();
    rel->kind = RelationKind::kSubquery;
    rel->pos = q->pos;
    rel->query = std::move(q);
    outer->from = std::move(rel);
    return outer;
  }

  Result<QueryPtr> Query() {
    BASIN_SQL_ENTER();
    SourcePos pos = Cur().pos;
    std::vector<CommonTableExpression> ctes;
    bool recursive = false;
    if (Accept("WITH")) {
      recursive = Accept("RECURSIVE");
      do {
        CommonTableExpression cte;
        cte.pos = Cur().pos;
        ASSIGN_OR_RAISE(cte.name, Identifier());
        if (AtOp("(") && !AtQueryStart(1)) {
          ASSIGN_OR_RAISE(cte.columns, IdentifierList());
        }
        Accept("AS");
        RETURN_NOT_OK(ExpectOp("("));
        ASSIGN_OR_RAISE(cte.query, Query());
        RETURN_NOT_OK(ExpectOp(")"));
        ctes.push_back(std::move(cte));
      } while (AcceptOp(","));
    }
    ASSIGN_OR_RAISE(auto body, SetOperations());
    RETURN_NOT_OK(Organization(&body));
    if (!ctes.empty()) {
      if (!body->ctes.empty()) body = Wrap(std::move(body));
      body->ctes = std::move(ctes);
      body->recursive = recursive;
      body->pos = pos;
    }
    return body;
  }

  // ORDER BY / SORT BY / CLUSTER BY / DISTRIBUTE BY / WINDOW / LIMIT / OFFSET over a query body.
  Status Organization(QueryPtr* body) {
    bool any =
        (At("ORDER") || At("SORT") || At("CLUSTER") || At("DISTRIBUTE")) && IsWord(Ahead(1), "BY");
    any = any || At("LIMIT") || At("OFFSET") || (At("WINDOW") && AtWindowClause());
    if (!any) return Status::OK();
    if (HasOrganization(**body)) *body = Wrap(std::move(*body));
    sql::Query& q = **body;
    while (true) {
      if (At("ORDER") && IsWord(Ahead(1), "BY") && q.order_by.empty()) {
        Advance();
        Advance();
        ASSIGN_OR_RAISE(q.order_by, SortItems());
      } else if (At("SORT") && IsWord(Ahead(1), "BY") && q.sort_by.empty()) {
        Advance();
        Advance();
        ASSIGN_OR_RAISE(q.sort_by, SortItems());
      } else if (At("CLUSTER") && IsWord(Ahead(1), "BY") && q.cluster_by.empty()) {
        Advance();
        Advance();
        ASSIGN_OR_RAISE(q.cluster_by, ExpressionList());
      } else if (At("DISTRIBUTE") && IsWord(Ahead(1), "BY") && q.distribute_by.empty()) {
        Advance();
        Advance();
        ASSIGN_OR_RAISE(q.distribute_by, ExpressionList());
      } else if (At("WINDOW") && AtWindowClause()) {
        RETURN_NOT_OK(WindowClause(&q));
      } else if (At("LIMIT") && !q.limit && !q.limit_all && !q.offset) {
        Advance();
        if (At("ALL")) {
          Advance();
          q.limit_all = true;
        } else {
          ASSIGN_OR_RAISE(q.limit, Expression());
        }
      } else if (At("OFFSET") && !q.offset) {
        Advance();
        ASSIGN_OR_RAISE(q.offset, Expression());
      } else {
        return Status::OK();
      }
    }
  }

  bool AtWindowClause() const {
    return At("WINDOW") &&
           (Ahead(1).kind == TokenKind::kWord || Ahead(1).kind == TokenKind::kQuotedIdentifier) &&
           IsWord(Ahead(2), "AS");
  }

  Status WindowClause(sql::Query* q) {
    RETURN_NOT_OK(Expect("WINDOW"));
    do {
      NamedWindow w;
      ASSIGN_OR_RAISE(w.name, Identifier());
      RETURN_NOT_OK(Expect("AS"));
      ASSIGN_OR_RAISE(w.spec, WindowSpecification());
      q->windows.push_back(std::move(w));
    } while (AcceptOp(","));
    return Status::OK();
  }

  Result<QueryPtr> SetOperations() {
    ASSIGN_OR_RAISE(auto left, IntersectOperations());
    while (At("UNION") || At("EXCEPT") || At("MINUS")) {
      auto q = std::make_unique<sql::Query>();
      q->kind = QueryKind::kSetOp;
      q->pos = left->pos;
      q->set_op = At("UNION") ? SetOpKind::kUnion : SetOpKind::kExcept;
      Advance();
      if (Accept("ALL")) {
        q->set_all = true;
      } else {
        Accept("DISTINCT");
      }
      ASSIGN_OR_RAISE(auto right, IntersectOperations());
      q->left = std::move(left);
      q->right = std::move(right);
      left = std::move(q);
    }
    return left;
  }

  Result<QueryPtr> IntersectOperations() {
    ASSIGN_OR_RAISE(auto left, QueryPrimary());
    while (At("INTERSECT")) {
      auto q = std::make_unique<sql::Query>();
      q->kind = QueryKind::kSetOp;
      q->pos = left->pos;
      q->set_op = SetOpKind::kIntersect;
      Advance();
      if (Accept("ALL")) {
        q->set_all = true;
      } else {
        Accept("DISTINCT");
      }
      ASSIGN_OR_RAISE(auto right, QueryPrimary());
      q->left = std::move(left);
      q->right = std::move(right);
      left = std::move(q);
    }
    return left;
  }

  Result<QueryPtr> QueryPrimary() {
    SourcePos pos = Cur().pos;
    if (AtOp("(")) {
      Advance();
      ASSIGN_OR_RAISE(auto q, Query());
      RETURN_NOT_OK(ExpectOp(")"));
      return q;
    }
    auto q = std::make_unique<sql::Query>();
    q->pos = pos;
    if (At("SELECT")) {
      RETURN_NOT_OK(SelectClause(q.get()));
      if (Accept("FROM")) {
        ASSIGN_OR_RAISE(q->from, FromClause());
      }
      RETURN_NOT_OK(SelectTail(q.get()));
      return q;
    }
    if (At("FROM")) {
      Advance();
      ASSIGN_OR_RAISE(q->from, FromClause());
      if (!At("SELECT")) return Unexpected();
      RETURN_NOT_OK(SelectClause(q.get()));
      RETURN_NOT_OK(SelectTail(q.get()));
      return q;
    }
    if (At("VALUES")) {
      Advance();
      q->kind = QueryKind::kValues;
      ASSIGN_OR_RAISE(q->values, ValuesRows());
      return q;
    }
    if (At("TABLE")) {
      Advance();
      q->kind = QueryKind::kTable;
      ASSIGN_OR_RAISE(q->table_name, MultipartName());
      return q;
    }
    return Unexpected();
  }

  Result<std::vector<std::vector<ExprPtr>>> ValuesRows() {
    std::vector<std::vector<ExprPtr>> rows;
    do {
      std::vector<ExprPtr> row;
      if (AtOp("(") && !AtQueryStart(1)) {
        // A parenthesized row; a single parenthesized value is a one-column row too.
        Advance();
        ASSIGN_OR_RAISE(row, ExpressionList());
        RETURN_NOT_OK(ExpectOp(")"));
      } else {
        ASSIGN_OR_RAISE(auto e, Expression());
        row.push_back(std::move(e));
      }
      rows.push_back(std::move(row));
    } while (AcceptOp(","));
    return rows;
  }

  Status SelectClause(sql::Query* q) {
    RETURN_NOT_OK(Expect("SELECT"));
    while (Cur().kind == TokenKind::kHint) {
      RETURN_NOT_OK(Hints(Cur(), &q->hints));
      Advance();
    }
    if (Accept("DISTINCT")) {
      q->distinct = true;
    } else if (At("ALL") && !IsOp(Ahead(1), ",") && !At2("ALL", "FROM")) {
      Advance();
    }
    do {
      ASSIGN_OR_RAISE(auto item, NamedExpression());
      q->select_items.push_back(std::move(item));
    } while (AcceptOp(","));
    return Status::OK();
  }

  // Parses the hints of one /*+ ... */ comment with a parser of its own over the comment's body.
  Status Hints(const Token& hint, std::vector<Hint>* out) {
    // Parse the hint text in the context of the whole statement so that errors point into it.
    std::string padded(text_.size(), ' ');
    size_t body_start = static_cast<size_t>(hint.pos.offset) + 3;
    for (size_t i = 0; i < padded.size(); ++i) {
      if (text_[i] == '\n') padded[i] = '\n';
    }
    padded.replace(body_start, hint.text.size(), hint.text);
    ASSIGN_OR_RAISE(auto tokens, Tokenize(padded));
    Parser sub(text_, std::move(tokens));
    sub.depth_ = depth_;
    while (!sub.AtEnd()) {
      Hint h;
      ASSIGN_OR_RAISE(h.name, sub.AnyName());
      if (sub.AcceptOp("(")) {
        if (!sub.AcceptOp(")")) {
          ASSIGN_OR_RAISE(h.arguments, sub.ExpressionList());
          RETURN_NOT_OK(sub.ExpectOp(")"));
        }
      }
      out->push_back(std::move(h));
      sub.AcceptOp(",");
    }
    return Status::OK();
  }

  Result<SelectItem> NamedExpression() {
    SelectItem item;
    ASSIGN_OR_RAISE(item.expr, Expression());
    if (item.expr->kind == ExprKind::kStar && At("EXCEPT") && IsOp(Ahead(1), "(")) {
      // SELECT * EXCEPT (a, b): the star without the named columns.
      Advance();
      Advance();
      do {
        ASSIGN_OR_RAISE(auto name, MultipartName());
        item.star_except.push_back(std::move(name));
      } while (AcceptOp(","));
      RETURN_NOT_OK(ExpectOp(")"));
      return item;
    }
    if (Accept("AS")) {
      if (AtOp("(")) {
        ASSIGN_OR_RAISE(item.aliases, IdentifierList());
      } else {
        ASSIGN_OR_RAISE(auto alias, AnyName());
        item.alias = std::move(alias);
      }
    } else if (AtAliasCandidate()) {
      item.alias = Cur().text;
      Advance();
    }
    return item;
  }

  // WHERE ... GROUP BY ... HAVING ... WINDOW ... QUALIFY ... of a SELECT.
  Status SelectTail(sql::Query* q) {
    if (Accept("WHERE")) {
      ASSIGN_OR_RAISE(q->where, Expression());
    }
    if (At("GROUP") && IsWord(Ahead(1), "BY")) {
      Advance();
      Advance();
      ASSIGN_OR_RAISE(auto group_by, GroupByClause());
      q->group_by = std::move(group_by);
    }
    if (Accept("HAVING")) {
      ASSIGN_OR_RAISE(q->having, Expression());
    }
    for (int i = 0; i < 2; ++i) {
      if (AtWindowClause()) RETURN_NOT_OK(WindowClause(q));
      if (!q->qualify && Accept("QUALIFY")) {
        ASSIGN_OR_RAISE(q->qualify, Expression());
      }
    }
    return Status::OK();
  }

  // A grouping set: ( [e, ...] ) or a single expression.
  Result<std::vector<ExprPtr>> GroupingSet() {
    std::vector<ExprPtr> set;
    if (AtOp("(") && IsOp(Ahead(1), ")")) {
      Advance();
      Advance();
      return set;
    }
    if (AtOp("(") && !AtQueryStart(1)) {
      Advance();
      ASSIGN_OR_RAISE(set, ExpressionList());
      RETURN_NOT_OK(ExpectOp(")"));
      return set;
    }
    ASSIGN_OR_RAISE(auto e, Expression());
    set.push_back(std::move(e));
    return set;
  }

  Result<GroupBy> GroupByClause() {
    GroupBy g;
    if (At("ALL") && !IsOp(Ahead(1), "(") && !IsOp(Ahead(1), ".")) {
      Advance();
      g.all = true;
      return g;
    }
    do {
      GroupingItem item;
      bool rollup = At("ROLLUP") && IsOp(Ahead(1), "(");
      bool cube = At("CUBE") && IsOp(Ahead(1), "(");
      bool sets = At("GROUPING") && IsWord(Ahead(1), "SETS");
      if (rollup || cube || sets) {
        item.kind = rollup ? GroupingKind::kRollup
                    : cube ? GroupingKind::kCube
                           : GroupingKind::kGroupingSets;
        Advance();
        if (sets) Advance();
        RETURN_NOT_OK(ExpectOp("("));
        do {
          ASSIGN_OR_RAISE(auto set, GroupingSet());
          item.sets.push_back(std::move(set));
        } while (AcceptOp(","));
        RETURN_NOT_OK(ExpectOp(")"));
      } else {
        ASSIGN_OR_RAISE(item.expr, Expression());
      }
      g.items.push_back(std::move(item));
    } while (AcceptOp(","));
    if (At("WITH") && (IsWord(Ahead(1), "ROLLUP") || IsWord(Ahead(1), "CUBE"))) {
      Advance();
      g.modifier = At("ROLLUP") ? GroupByModifier::kWithRollup : GroupByModifier::kWithCube;
      Advance();
    }
    return g;
  }

  // ---------------------------------------------------------------------------------------------
  // Relations
  // ---------------------------------------------------------------------------------------------

  RelationPtr NewRelation(RelationKind kind, const SourcePos& pos) {
    auto r = std::make_unique<Relation>();
    r->kind = kind;
    r->pos = pos;
    return r;
  }

  Result<RelationPtr> FromClause() {
    ASSIGN_OR_RAISE(auto rel, JoinedRelation());
    while (AtOp(",")) {
      Advance();
      ASSIGN_OR_RAISE(auto right, JoinedRelation());
      auto join = NewRelation(RelationKind::kJoin, rel->pos);
      join->join_type = JoinType::kCross;
      join->comma = true;
      join->left = std::move(rel);
      join->right = std::move(right);
      rel = std::move(join);
    }
    while (At("LATERAL") && IsWord(Ahead(1), "VIEW")) {
      auto view = NewRelation(RelationKind::kLateralView, Cur().pos);
      Advance();
      Advance();
      view->outer = Accept("OUTER");
      SourcePos fpos = Cur().pos;
      ASSIGN_OR_RAISE(auto fname, MultipartName());
      if (!AtOp("(")) return Unexpected();
      ASSIGN_OR_RAISE(view->function, FunctionCall(std::move(fname), fpos));
      ASSIGN_OR_RAISE(auto alias, Identifier());
      view->alias = std::move(alias);
      bool as = Accept("AS");
      if (as || AtAliasCandidate()) {
        do {
          ASSIGN_OR_RAISE(auto col, Identifier());
          view->column_aliases.push_back(std::move(col));
        } while (AcceptOp(","));
      }
      view->left = std::move(rel);
      rel = std::move(view);
    }
    RETURN_NOT_OK(RelationExtensions(&rel));
    return rel;
  }

  // Consumes a join operator; returns false (consuming nothing) when none is at the cursor.
  bool JoinOperator(JoinType* type, bool* natural) {
    size_t save = p_;
    *natural = Accept("NATURAL");
    *type = JoinType::kInner;
    if (Accept("INNER")) {
      *type = JoinType::kInner;
    } else if (Accept("CROSS")) {
      *type = JoinType::kCross;
    } else if (Accept("LEFT")) {
      if (Accept("SEMI")) {
        *type = JoinType::kLeftSemi;
      } else if (Accept("ANTI")) {
        *type = JoinType::kLeftAnti;
      } else {
        Accept("OUTER");
        *type = JoinType::kLeft;
      }
    } else if (Accept("RIGHT")) {
      Accept("OUTER");
      *type = JoinType::kRight;
    } else if (Accept("FULL")) {
      Accept("OUTER");
      *type = JoinType::kFull;
    } else if (Accept("SEMI")) {
      *type = JoinType::kLeftSemi;
    } else if (Accept("ANTI")) {
      *type = JoinType::kLeftAnti;
    }
    if (!Accept("JOIN")) {
      p_ = save;
      return false;
    }
    return true;
  }

  Result<RelationPtr> JoinedRelation() {
    ASSIGN_OR_RAISE(auto rel, RelationPrimary());
    while (true) {
      JoinType type;
      bool natural;
      SourcePos pos = Cur().pos;
      if (JoinOperator(&type, &natural)) {
        auto join = NewRelation(RelationKind::kJoin, rel->pos);
        join->join_type = type;
        join->natural = natural;
        ASSIGN_OR_RAISE(join->right, RelationPrimary());
        if (Accept("ON")) {
          ASSIGN_OR_RAISE(join->condition, Expression());
        } else if (At("USING")) {
          Advance();
          ASSIGN_OR_RAISE(join->using_columns, IdentifierList());
        }
        join->left = std::move(rel);
        rel = std::move(join);
        (void)pos;
        continue;
      }
      if (At("PIVOT") || At("UNPIVOT")) {
        size_t before = p_;
        RETURN_NOT_OK(RelationExtensions(&rel));
        if (p_ != before) continue;  // else PIVOT / UNPIVOT is not a clause here (e.g. an alias)
      }
      return rel;
    }
  }

  // PIVOT / UNPIVOT after a relation.
  Status RelationExtensions(RelationPtr* rel) {
    while (true) {
      if (At("PIVOT") && IsOp(Ahead(1), "(")) {
        auto pivot = NewRelation(RelationKind::kPivot, Cur().pos);
        pivot->pivot = std::make_unique<PivotClause>();
        PivotClause& p = *pivot->pivot;
        Advance();
        Advance();
        do {
          ASSIGN_OR_RAISE(auto agg, NamedExpression());
          p.aggregates.push_back(std::move(agg.expr));
          p.aggregate_aliases.push_back(std::move(agg.alias));
        } while (AcceptOp(","));
        RETURN_NOT_OK(Expect("FOR"));
        if (AtOp("(")) {
          Advance();
          do {
            ASSIGN_OR_RAISE(auto col, MultipartName());
            p.columns.push_back(std::move(col));
          } while (AcceptOp(","));
          RETURN_NOT_OK(ExpectOp(")"));
        } else {
          ASSIGN_OR_RAISE(auto col, MultipartName());
          p.columns.push_back(std::move(col));
        }
        RETURN_NOT_OK(Expect("IN"));
        RETURN_NOT_OK(ExpectOp("("));
        do {
          ASSIGN_OR_RAISE(auto value, NamedExpression());
          p.values.push_back(std::move(value.expr));
          p.value_aliases.push_back(std::move(value.alias));
        } while (AcceptOp(","));
        RETURN_NOT_OK(ExpectOp(")"));
        RETURN_NOT_OK(ExpectOp(")"));
        pivot->left = std::move(*rel);
        RETURN_NOT_OK(TableAlias(pivot.get()));
        *rel = std::move(pivot);
        continue;
      }
      if (At("UNPIVOT") &&
          (IsOp(Ahead(1), "(") || IsWord(Ahead(1), "INCLUDE") || IsWord(Ahead(1), "EXCLUDE"))) {
        auto unpivot = NewRelation(RelationKind::kUnpivot, Cur().pos);
        unpivot->unpivot = std::make_unique<UnpivotClause>();
        UnpivotClause& u = *unpivot->unpivot;
        Advance();
        if (At("INCLUDE") || At("EXCLUDE")) {
          u.include_nulls = At("INCLUDE");
          Advance();
          RETURN_NOT_OK(Expect("NULLS"));
        }
        RETURN_NOT_OK(ExpectOp("("));
        if (AtOp("(")) {
          ASSIGN_OR_RAISE(u.value_columns, IdentifierList());
        } else {
          ASSIGN_OR_RAISE(auto v, Identifier());
          u.value_columns.push_back(std::move(v));
        }
        RETURN_NOT_OK(Expect("FOR"));
        ASSIGN_OR_RAISE(u.name_column, Identifier());
        RETURN_NOT_OK(Expect("IN"));
        RETURN_NOT_OK(ExpectOp("("));
        do {
          std::vector<std::vector<std::string>> cols;
          if (AtOp("(")) {
            Advance();
            do {
              ASSIGN_OR_RAISE(auto c, MultipartName());
              cols.push_back(std::move(c));
            } while (AcceptOp(","));
            RETURN_NOT_OK(ExpectOp(")"));
          } else {
            ASSIGN_OR_RAISE(auto c, MultipartName());
            cols.push_back(std::move(c));
          }
          std::optional<std::string> alias;
          if (Accept("AS") || AtAliasCandidate()) {
            ASSIGN_OR_RAISE(auto a, AnyName());
            alias = std::move(a);
          }
          u.columns.push_back(std::move(cols));
          u.column_aliases.push_back(std::move(alias));
        } while (AcceptOp(","));
        RETURN_NOT_OK(ExpectOp(")"));
        RETURN_NOT_OK(ExpectOp(")"));
        unpivot->left = std::move(*rel);
        RETURN_NOT_OK(TableAlias(unpivot.get()));
        *rel = std::move(unpivot);
        continue;
      }
      return Status::OK();
    }
  }

  // [AS] alias [(c1, c2)]
  Status TableAlias(Relation* rel) {
    bool as = Accept("AS");
    if (as || AtAliasCandidate()) {
      ASSIGN_OR_RAISE(auto alias, as ? AnyName() : Identifier());
      rel->alias = std::move(alias);
      if (AtOp("(")) {
        ASSIGN_OR_RAISE(rel->column_aliases, IdentifierList());
      }
    }
    return Status::OK();
  }

  Status Sample(Relation* rel) {
    if (!At("TABLESAMPLE")) return Status::OK();
    Advance();
    RETURN_NOT_OK(ExpectOp("("));
    TableSample s;
    if (Accept("BUCKET")) {
      s.kind = SampleKind::kBucket;
      ASSIGN_OR_RAISE(int n, SmallInteger());
      RETURN_NOT_OK(Expect("OUT"));
      RETURN_NOT_OK(Expect("OF"));
      ASSIGN_OR_RAISE(int m, SmallInteger());
      s.bucket = n;
      s.out_of = m;
      if (Accept("ON")) {
        ASSIGN_OR_RAISE(s.bucket_on, Expression());
      }
    } else {
      ASSIGN_OR_RAISE(s.amount, ValueExpression());
      if (Accept("PERCENT")) {
        s.kind = SampleKind::kPercent;
      } else if (Accept("ROWS")) {
        s.kind = SampleKind::kRows;
      } else {
        s.kind = SampleKind::kBytes;
      }
    }
    RETURN_NOT_OK(ExpectOp(")"));
    if (Accept("REPEATABLE")) {
      RETURN_NOT_OK(ExpectOp("("));
      ASSIGN_OR_RAISE(int seed, SmallInteger());
      s.seed = seed;
      RETURN_NOT_OK(ExpectOp(")"));
    }
    rel->sample = std::move(s);
    return Status::OK();
  }

  Status TimeTravelClause(Relation* rel) {
    TimeTravel& tt = rel->time_travel;
    if (AtOp("@")) {
      Advance();
      SourcePos pos = Cur().pos;
      if (Cur().kind == TokenKind::kWord && (Cur().text[0] == 'v' || Cur().text[0] == 'V') &&
          AllDigits(std::string_view(Cur().text).substr(1))) {
        tt.kind = TimeTravelKind::kVersion;
        std::string digits = Cur().text.substr(1);
        Advance();
        tt.value =
            Literal(FitsSigned(digits, false, "2147483647", "2147483648") ? LiteralKind::kInt
                                                                          : LiteralKind::kBigInt,
                    digits, pos);
      } else if (Cur().kind == TokenKind::kNumber && AllDigits(Cur().text)) {
        tt.kind = TimeTravelKind::kTimestamp;
        tt.value = Literal(LiteralKind::kString, Cur().text, pos);
        Advance();
      } else {
        return Unexpected();
      }
      tt.at_syntax = true;
      return Status::OK();
    }
    bool for_prefix =
        At("FOR") && (IsWord(Ahead(1), "SYSTEM_VERSION") || IsWord(Ahead(1), "SYSTEM_TIME") ||
                      IsWord(Ahead(1), "VERSION") || IsWord(Ahead(1), "TIMESTAMP"));
    size_t k = for_prefix ? 1 : 0;
    const Token& kw = Ahead(k);
    bool version = IsWord(kw, "VERSION") || IsWord(kw, "SYSTEM_VERSION");
    bool timestamp = IsWord(kw, "TIMESTAMP") || IsWord(kw, "SYSTEM_TIME");
    if (!(version || timestamp) || !IsWord(Ahead(k + 1), "AS") || !IsWord(Ahead(k + 2), "OF")) {
      return Status::OK();
    }
    for (size_t i = 0; i < k + 3; ++i) Advance();
    if (version) {
      tt.kind = TimeTravelKind::kVersion;
      if (Cur().kind == TokenKind::kNumber) {
        ASSIGN_OR_RAISE(tt.value, Number(Cur().pos, false));
      } else if (Cur().kind == TokenKind::kString) {
        SourcePos pos = Cur().pos;
        ASSIGN_OR_RAISE(auto s, StringLiteral());
        tt.value = Literal(LiteralKind::kString, std::move(s), pos);
      } else {
        return Unexpected();
      }
    } else {
      tt.kind = TimeTravelKind::kTimestamp;
      ASSIGN_OR_RAISE(tt.value, ValueExpression());
    }
    return Status::OK();
  }

  Result<RelationPtr> RelationPrimary() {
    BASIN_SQL_ENTER();
    SourcePos pos = Cur().pos;
    bool lateral = false;
    if (At("LATERAL") && !IsWord(Ahead(1), "VIEW")) {
      Advance();
      lateral = true;
    }
    RelationPtr rel;
    if (AtOp("(")) {
      if (AtQueryStart(1)) {
        Advance();
        rel = NewRelation(RelationKind::kSubquery, pos);
        rel->lateral = lateral;
        ASSIGN_OR_RAISE(rel->query, Query());
        RETURN_NOT_OK(ExpectOp(")"));
      } else {
        if (lateral) return Unexpected();
        Advance();
        ASSIGN_OR_RAISE(rel, FromClause());
        RETURN_NOT_OK(ExpectOp(")"));
        if (rel->alias && (At("AS") || AtAliasCandidate())) {
          // (t AS a) AS b: keep both by nesting a SELECT *.
          auto q = std::make_unique<sql::Query>();
          q->pos = pos;
          SelectItem star;
          star.expr = NewExpr(ExprKind::kStar, pos);
          q->select_items.push_back(std::move(star));
          q->from = std::move(rel);
          rel = NewRelation(RelationKind::kSubquery, pos);
          rel->query = std::move(q);
        }
      }
    } else if (At("VALUES")) {
      if (lateral) return Unexpected();
      Advance();
      rel = NewRelation(RelationKind::kValues, pos);
      ASSIGN_OR_RAISE(rel->rows, ValuesRows());
    } else if (AtIdentifier()) {
      ASSIGN_OR_RAISE(auto name, MultipartName());
      if (AtOp("(")) {
        rel = NewRelation(RelationKind::kTableFunction, pos);
        rel->lateral = lateral;
        ASSIGN_OR_RAISE(rel->function, FunctionCall(std::move(name), pos));
      } else {
        if (lateral) return Unexpected();
        rel = NewRelation(RelationKind::kTable, pos);
        rel->name_parts = std::move(name);
        RETURN_NOT_OK(TimeTravelClause(rel.get()));
      }
    } else {
      return Unexpected();
    }
    RETURN_NOT_OK(Sample(rel.get()));
    RETURN_NOT_OK(TableAlias(rel.get()));
    return rel;
  }

  // ---------------------------------------------------------------------------------------------
  // Statements
  // ---------------------------------------------------------------------------------------------

  // The raw text from the current token up to (not including) the next ';' or the end.
  std::string RestOfStatement() {
    if (AtEnd() || AtOp(";")) return {};
    int start = Cur().pos.offset;
    int end = start;
    while (!AtEnd() && !AtOp(";")) {
      end = Cur().end_offset;
      Advance();
    }
    return std::string(text_.substr(static_cast<size_t>(start), static_cast<size_t>(end - start)));
  }

  std::vector<std::string> RestAsWords() {
    std::vector<std::string> words;
    while (!AtEnd() && !AtOp(";")) {
      words.emplace_back(RawText(Cur()));
      Advance();
    }
    return words;
  }

  static std::string Trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
  }

  static std::string Unbacktick(std::string s) {
    if (s.size() >= 2 && s.front() == '`' && s.back() == '`') return s.substr(1, s.size() - 2);
    return s;
  }

  Result<StatementPtr> Statement() {
    auto s = std::make_unique<sql::Statement>();
    const Token& first = Cur();
    s->pos = first.pos;
    int start = first.pos.offset;
    RETURN_NOT_OK(StatementBody(s.get()));
    int end = p_ > 0 ? tokens_[p_ - 1].end_offset : start;
    if (end < start) end = start;
    s->text =
        std::string(text_.substr(static_cast<size_t>(start), static_cast<size_t>(end - start)));
    return s;
  }

  Status StatementBody(sql::Statement* s) {
    if (AtOp("(") || AtQueryStart()) {
      s->kind = StatementKind::kQuery;
      ASSIGN_OR_RAISE(s->query, Query());
      return Status::OK();
    }
    if (Cur().kind != TokenKind::kWord) return Unexpected();
    if (Accept("EXPLAIN")) {
      s->kind = StatementKind::kExplain;
      if (Accept("EXTENDED"))
        s->explain_mode = ExplainMode::kExtended;
      else if (Accept("FORMATTED"))
        s->explain_mode = ExplainMode::kFormatted;
      else if (Accept("CODEGEN"))
        s->explain_mode = ExplainMode::kCodegen;
      else if (Accept("COST"))
        s->explain_mode = ExplainMode::kCost;
      ASSIGN_OR_RAISE(s->inner, Statement());
      return Status::OK();
    }
    if (At("SET")) {
      if (IsWord(Ahead(1), "VAR") || IsWord(Ahead(1), "VARIABLE")) {
        s->kind = StatementKind::kOther;
        s->words = RestAsWords();
        return Status::OK();
      }
      Advance();
      s->kind = StatementKind::kSet;
      if (At("TIME") && IsWord(Ahead(1), "ZONE")) {
        Advance();
        Advance();
        s->key = "spark.sql.session.timeZone";
        if (Cur().kind == TokenKind::kString) {
          ASSIGN_OR_RAISE(auto v, StringLiteral());
          s->value = std::move(v);
        } else {
          s->value = RestOfStatement();
        }
        return Status::OK();
      }
      std::string rest = RestOfStatement();
      size_t eq = rest.find('=');
      if (eq == std::string::npos) {
        s->key = Unbacktick(Trim(rest));
      } else {
        s->key = Unbacktick(Trim(std::string_view(rest).substr(0, eq)));
        s->value = Trim(std::string_view(rest).substr(eq + 1));
        if (s->key.empty()) return SyntaxErrorAt(text_, s->pos, "SET");
      }
      return Status::OK();
    }
    if (Accept("RESET")) {
      s->kind = StatementKind::kReset;
      s->key = Unbacktick(Trim(RestOfStatement()));
      return Status::OK();
    }
    if (Accept("USE")) {
      s->kind = StatementKind::kUse;
      if ((At("CATALOG") || At("SCHEMA") || At("DATABASE") || At("NAMESPACE")) &&
          !IsOp(Ahead(1), ";") && Ahead(1).kind != TokenKind::kEnd && !IsOp(Ahead(1), ".")) {
        s->object_type = Upper(Cur().text);
        Advance();
      }
      ASSIGN_OR_RAISE(s->name, MultipartName());
      return Status::OK();
    }
    if (At("SHOW")) {
      Advance();
      s->kind = StatementKind::kShow;
      s->words = RestAsWords();
      return Status::OK();
    }
    if (At("DESCRIBE") || At("DESC")) {
      Advance();
      s->kind = StatementKind::kDescribe;
      s->words = RestAsWords();
      return Status::OK();
    }
    if (At("CREATE") || At("REPLACE")) return Create(s);
    if (At("DROP")) return Drop(s);
    if (At("INSERT")) return InsertStatement(s);
    if (At("DELETE")) {
      Advance();
      RETURN_NOT_OK(Expect("FROM"));
      s->kind = StatementKind::kDelete;
      ASSIGN_OR_RAISE(s->name, MultipartName());
      bool as = Accept("AS");
      if (as || AtAliasCandidate()) {
        ASSIGN_OR_RAISE(auto alias, Identifier());
        s->alias = std::move(alias);
      }
      if (Accept("WHERE")) {
        ASSIGN_OR_RAISE(s->where, Expression());
      }
      return Status::OK();
    }
    if (At("UPDATE")) return UpdateStatement(s);
    if (At("MERGE")) return MergeStatement(s);
    if (At("TRUNCATE")) {
      Advance();
      RETURN_NOT_OK(Expect("TABLE"));
      s->kind = StatementKind::kTruncate;
      ASSIGN_OR_RAISE(s->name, MultipartName());
      // TRUNCATE TABLE t PARTITION (...): the clause is kept as words.
      if (At("PARTITION")) s->words = RestAsWords();
      return Status::OK();
    }
    if (InList(Cur().text,
               {"ALTER",   "CACHE",    "UNCACHE",  "CLEAR",  "REFRESH", "ANALYZE", "MSCK",
                "GRANT",   "REVOKE",   "OPTIMIZE", "VACUUM", "RESTORE", "CONVERT", "COMMENT",
                "DECLARE", "LIST",     "ADD",      "CALL",   "LOAD",    "EXECUTE", "REORG",
                "FSCK",    "GENERATE", "CLONE",    "SYNC"})) {
      s->kind = StatementKind::kOther;
      s->words = RestAsWords();
      return Status::OK();
    }
    return Unexpected();
  }

  Result<std::vector<std::pair<std::string, std::string>>> PropertyList() {
    std::vector<std::pair<std::string, std::string>> props;
    RETURN_NOT_OK(ExpectOp("("));
    if (AcceptOp(")")) return props;
    do {
      std::string key;
      if (Cur().kind == TokenKind::kString) {
        ASSIGN_OR_RAISE(key, StringLiteral());
      } else {
        ASSIGN_OR_RAISE(auto parts, MultipartName());
        for (size_t i = 0; i < parts.size(); ++i) key += (i > 0 ? "." : "") + parts[i];
      }
      AcceptOp("=");
      std::string value;
      if (Cur().kind == TokenKind::kString) {
        ASSIGN_OR_RAISE(value, StringLiteral());
      } else if (AtOp("-") && Ahead(1).kind == TokenKind::kNumber) {
        Advance();
        value = "-" + Cur().text;
        Advance();
      } else if (Cur().kind == TokenKind::kNumber || Cur().kind == TokenKind::kWord) {
        value = Cur().text;
        if (At("TRUE") || At("FALSE")) {
          for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        Advance();
      } else {
        return Unexpected();
      }
      props.emplace_back(std::move(key), std::move(value));
    } while (AcceptOp(","));
    RETURN_NOT_OK(ExpectOp(")"));
    return props;
  }

  Result<ColumnDefinition> ColumnDef() {
    ColumnDefinition c;
    c.pos = Cur().pos;
    ASSIGN_OR_RAISE(c.name, AnyName());
    ASSIGN_OR_RAISE(c.type, DataType());
    while (true) {
      if (At("NOT") && IsWord(Ahead(1), "NULL")) {
        Advance();
        Advance();
        c.nullable = false;
      } else if (Accept("COMMENT")) {
        ASSIGN_OR_RAISE(auto comment, StringLiteral());
        c.comment = std::move(comment);
      } else if (Accept("DEFAULT")) {
        ASSIGN_OR_RAISE(c.default_value, Expression());
      } else if (At("GENERATED")) {
        Advance();
        bool always = Accept("ALWAYS");
        if (!always) {
          RETURN_NOT_OK(Expect("BY"));
          RETURN_NOT_OK(Expect("DEFAULT"));
        }
        RETURN_NOT_OK(Expect("AS"));
        if (Accept("IDENTITY")) {
          c.identity = true;
          c.identity_always = always;
          if (AcceptOp("(")) {
            while (!AtOp(")")) {
              if (Accept("START")) {
                RETURN_NOT_OK(Expect("WITH"));
                ASSIGN_OR_RAISE(c.identity_start, SignedInteger());
              } else if (Accept("INCREMENT")) {
                RETURN_NOT_OK(Expect("BY"));
                ASSIGN_OR_RAISE(c.identity_step, SignedInteger());
              } else {
                return Unexpected();
              }
            }
            Advance();
          }
        } else {
          if (!always) return Unexpected();
          RETURN_NOT_OK(ExpectOp("("));
          ASSIGN_OR_RAISE(c.generated_as, Expression());
          RETURN_NOT_OK(ExpectOp(")"));
        }
      } else {
        return c;
      }
    }
  }

  Result<int64_t> SignedInteger() {
    bool negative = AcceptOp("-");
    if (Cur().kind != TokenKind::kNumber || !AllDigits(Cur().text) || Cur().text.size() > 18) {
      return Unexpected();
    }
    int64_t v = std::strtoll(Cur().text.c_str(), nullptr, 10);
    Advance();
    return negative ? -v : v;
  }

  Status Create(sql::Statement* s) {
    bool replace_only = At("REPLACE");
    Advance();
    bool or_replace = false;
    if (!replace_only && At("OR") && IsWord(Ahead(1), "REPLACE")) {
      Advance();
      Advance();
      or_replace = true;
    }
    bool global = Accept("GLOBAL");
    bool temporary = Accept("TEMP") || Accept("TEMPORARY");
    bool external = Accept("EXTERNAL");
    if (At("VIEW") && !replace_only) {
      Advance();
      s->kind = StatementKind::kCreateView;
      s->create_view = std::make_unique<CreateView>();
      CreateView& v = *s->create_view;
      v.or_replace = or_replace;
      v.global = global;
      v.temporary = temporary;
      if (At("IF")) {
        Advance();
        RETURN_NOT_OK(Expect("NOT"));
        RETURN_NOT_OK(Expect("EXISTS"));
        v.if_not_exists = true;
      }
      ASSIGN_OR_RAISE(v.name, MultipartName());
      if (AtOp("(")) {
        Advance();
        do {
          ASSIGN_OR_RAISE(auto col, Identifier());
          v.columns.push_back(std::move(col));
          std::optional<std::string> comment;
          if (Accept("COMMENT")) {
            ASSIGN_OR_RAISE(auto c, StringLiteral());
            comment = std::move(c);
          }
          v.column_comments.push_back(std::move(comment));
        } while (AcceptOp(","));
        RETURN_NOT_OK(ExpectOp(")"));
      }
      while (true) {
        if (Accept("COMMENT")) {
          ASSIGN_OR_RAISE(auto c, StringLiteral());
          v.comment = std::move(c);
        } else if (Accept("TBLPROPERTIES")) {
          ASSIGN_OR_RAISE(v.properties, PropertyList());
        } else {
          break;
        }
      }
      RETURN_NOT_OK(Expect("AS"));
      int qstart = Cur().pos.offset;
      ASSIGN_OR_RAISE(v.query, Query());
      int qend = tokens_[p_ - 1].end_offset;
      v.query_text = std::string(
          text_.substr(static_cast<size_t>(qstart), static_cast<size_t>(qend - qstart)));
      return Status::OK();
    }
    if (At("TABLE")) {
      Advance();
      s->kind = StatementKind::kCreateTable;
      s->create_table = std::make_unique<CreateTable>();
      CreateTable& t = *s->create_table;
      t.replace = replace_only;
      t.or_replace = or_replace;
      t.temporary = temporary;
      t.external = external;
      if (At("IF")) {
        Advance();
        RETURN_NOT_OK(Expect("NOT"));
        RETURN_NOT_OK(Expect("EXISTS"));
        t.if_not_exists = true;
      }
      ASSIGN_OR_RAISE(t.name, MultipartName());
      if (At("SHALLOW") || At("DEEP") || At("CLONE")) {
        // Delta's CREATE TABLE ... [SHALLOW|DEEP] CLONE: kept as words from CREATE on.
        s->create_table.reset();
        s->kind = StatementKind::kOther;
        p_ = 0;
        while (tokens_[p_].pos.offset < s->pos.offset) ++p_;
        s->words = RestAsWords();
        return Status::OK();
      }
      if (AtOp("(") && !AtQueryStart(1)) {
        Advance();
        do {
          ASSIGN_OR_RAISE(auto col, ColumnDef());
          t.columns.push_back(std::move(col));
        } while (AcceptOp(","));
        RETURN_NOT_OK(ExpectOp(")"));
      }
      while (true) {
        if (Accept("USING")) {
          ASSIGN_OR_RAISE(auto fmt, AnyName());
          t.using_format = std::move(fmt);
        } else if (At("PARTITIONED") && IsWord(Ahead(1), "BY")) {
          Advance();
          Advance();
          RETURN_NOT_OK(ExpectOp("("));
          do {
            if ((Cur().kind == TokenKind::kWord || Cur().kind == TokenKind::kQuotedIdentifier) &&
                !IsOp(Ahead(1), ",") && !IsOp(Ahead(1), ")") && !IsOp(Ahead(1), ".")) {
              ASSIGN_OR_RAISE(auto col, ColumnDef());
              t.partition_columns.push_back(std::move(col));
            } else {
              ASSIGN_OR_RAISE(auto name, MultipartName());
              t.partitioned_by.push_back(std::move(name));
            }
          } while (AcceptOp(","));
          RETURN_NOT_OK(ExpectOp(")"));
        } else if (At("CLUSTER") && IsWord(Ahead(1), "BY")) {
          Advance();
          Advance();
          RETURN_NOT_OK(ExpectOp("("));
          do {
            ASSIGN_OR_RAISE(auto name, MultipartName());
            t.clustered_by.push_back(std::move(name));
          } while (AcceptOp(","));
          RETURN_NOT_OK(ExpectOp(")"));
        } else if (Accept("LOCATION")) {
          ASSIGN_OR_RAISE(auto loc, StringLiteral());
          t.location = std::move(loc);
        } else if (Accept("COMMENT")) {
          ASSIGN_OR_RAISE(auto c, StringLiteral());
          t.comment = std::move(c);
        } else if (Accept("TBLPROPERTIES")) {
          ASSIGN_OR_RAISE(t.properties, PropertyList());
        } else if (Accept("OPTIONS")) {
          ASSIGN_OR_RAISE(t.options, PropertyList());
        } else {
          break;
        }
      }
      if (Accept("AS") || AtQueryStart()) {
        ASSIGN_OR_RAISE(t.as_query, Query());
        // Spark's parser refuses a column list (with or without generated columns, defaults,
        // ...) and typed partition columns in CREATE / REPLACE TABLE ... AS SELECT.
        const char* kind = t.replace || t.or_replace ? "Replace Table As Select (RTAS) statement"
                                                     : "Create Table As Select (CTAS) statement";
        if (!t.columns.empty()) {
          return OperationNotAllowedAt(std::string("Schema may not be specified in a ") + kind,
                                       text_, s->pos, tokens_[p_ - 1].end_offset);
        }
        if (!t.partition_columns.empty()) {
          return OperationNotAllowedAt(
              std::string("Partition column types may not be specified in ") +
                  (t.replace || t.or_replace ? "Replace Table As Select (RTAS)"
                                             : "Create Table As Select (CTAS)"),
              text_, s->pos, tokens_[p_ - 1].end_offset);
        }
      }
      return Status::OK();
    }
    if (!replace_only && !temporary && !external &&
        (At("SCHEMA") || At("DATABASE") || At("NAMESPACE"))) {
      s->kind = StatementKind::kCreateSchema;
      s->object_type = Upper(Cur().text);
      Advance();
      if (At("IF")) {
        Advance();
        RETURN_NOT_OK(Expect("NOT"));
        RETURN_NOT_OK(Expect("EXISTS"));
        s->if_not_exists = true;
      }
      ASSIGN_OR_RAISE(s->name, MultipartName());
      while (true) {
        if (Accept("COMMENT")) {
          ASSIGN_OR_RAISE(auto c, StringLiteral());
          s->comment = std::move(c);
        } else if (Accept("LOCATION") || Accept("MANAGED")) {
          Accept("LOCATION");
          ASSIGN_OR_RAISE(auto l, StringLiteral());
          s->location = std::move(l);
        } else if (At("WITH") &&
                   (IsWord(Ahead(1), "DBPROPERTIES") || IsWord(Ahead(1), "PROPERTIES"))) {
          Advance();
          Advance();
          RETURN_NOT_OK(PropertyList().status());
        } else {
          break;
        }
      }
      return Status::OK();
    }
    // CREATE FUNCTION and friends are kept as words for later milestones.
    s->kind = StatementKind::kOther;
    p_ = 0;
    while (tokens_[p_].pos.offset < s->pos.offset) ++p_;
    s->words = RestAsWords();
    return Status::OK();
  }

  Status Drop(sql::Statement* s) {
    Advance();
    s->kind = StatementKind::kDrop;
    Accept("TEMPORARY");
    if (At("TABLE") || At("VIEW") || At("SCHEMA") || At("DATABASE") || At("NAMESPACE") ||
        At("FUNCTION")) {
      s->object_type = Upper(Cur().text);
      Advance();
    } else {
      return Unexpected();
    }
    if (At("IF") && IsWord(Ahead(1), "EXISTS")) {
      Advance();
      Advance();
      s->if_exists = true;
    }
    ASSIGN_OR_RAISE(s->name, MultipartName());
    if (Accept("CASCADE")) {
      s->cascade = true;
    } else {
      Accept("RESTRICT");
      Accept("PURGE");
    }
    return Status::OK();
  }

  Status InsertStatement(sql::Statement* s) {
    Advance();
    s->kind = StatementKind::kInsert;
    s->insert = std::make_unique<Insert>();
    Insert& ins = *s->insert;
    if (Accept("OVERWRITE")) {
      ins.overwrite = true;
    } else {
      RETURN_NOT_OK(Expect("INTO"));
    }
    Accept("TABLE");
    ASSIGN_OR_RAISE(ins.table, MultipartName());
    if (At("PARTITION") && IsOp(Ahead(1), "(")) {
      Advance();
      Advance();
      do {
        ASSIGN_OR_RAISE(auto key, Identifier());
        ExprPtr value;
        if (AcceptOp("=")) {
          ASSIGN_OR_RAISE(value, Expression());
        }
        ins.partition.emplace_back(std::move(key), std::move(value));
      } while (AcceptOp(","));
      RETURN_NOT_OK(ExpectOp(")"));
    }
    if (At("IF") && IsWord(Ahead(1), "NOT")) {
      Advance();
      Advance();
      RETURN_NOT_OK(Expect("EXISTS"));
      ins.if_not_exists = true;
    }
    if (AtOp("(") && !AtQueryStart(1)) {
      ASSIGN_OR_RAISE(ins.columns, IdentifierList());
    } else if (At("BY") && IsWord(Ahead(1), "NAME")) {
      Advance();
      Advance();
      ins.by_name = true;
    }
    if (At("REPLACE") && IsWord(Ahead(1), "WHERE")) {
      Advance();
      Advance();
      ASSIGN_OR_RAISE(ins.replace_where, Expression());
    }
    ASSIGN_OR_RAISE(ins.query, Query());
    return Status::OK();
  }

  Result<std::vector<Assignment>> Assignments() {
    std::vector<Assignment> out;
    do {
      Assignment a;
      ASSIGN_OR_RAISE(a.column, MultipartName());
      RETURN_NOT_OK(ExpectOp("="));
      ASSIGN_OR_RAISE(a.value, Expression());
      out.push_back(std::move(a));
    } while (AcceptOp(","));
    return out;
  }

  Status UpdateStatement(sql::Statement* s) {
    Advance();
    s->kind = StatementKind::kUpdate;
    s->update = std::make_unique<Update>();
    Update& u = *s->update;
    ASSIGN_OR_RAISE(u.table, MultipartName());
    bool as = Accept("AS");
    if (as || AtAliasCandidate()) {
      ASSIGN_OR_RAISE(auto alias, Identifier());
      u.alias = std::move(alias);
    }
    RETURN_NOT_OK(Expect("SET"));
    ASSIGN_OR_RAISE(u.assignments, Assignments());
    if (Accept("WHERE")) {
      ASSIGN_OR_RAISE(u.where, Expression());
    }
    return Status::OK();
  }

  Status MergeStatement(sql::Statement* s) {
    Advance();
    s->kind = StatementKind::kMerge;
    s->merge = std::make_unique<Merge>();
    Merge& m = *s->merge;
    if (At("WITH") && IsWord(Ahead(1), "SCHEMA")) {
      Advance();
      Advance();
      RETURN_NOT_OK(Expect("EVOLUTION"));
      m.schema_evolution = true;
    }
    RETURN_NOT_OK(Expect("INTO"));
    ASSIGN_OR_RAISE(m.target, MultipartName());
    bool as = Accept("AS");
    if (as || AtAliasCandidate()) {
      ASSIGN_OR_RAISE(auto alias, Identifier());
      m.target_alias = std::move(alias);
    }
    RETURN_NOT_OK(Expect("USING"));
    ASSIGN_OR_RAISE(m.source, RelationPrimary());
    RETURN_NOT_OK(Expect("ON"));
    ASSIGN_OR_RAISE(m.condition, Expression());
    if (!At("WHEN")) return Unexpected();
    while (Accept("WHEN")) {
      MergeClause c;
      if (Accept("MATCHED")) {
        c.match = MergeMatchKind::kMatched;
      } else {
        RETURN_NOT_OK(Expect("NOT"));
        RETURN_NOT_OK(Expect("MATCHED"));
        c.match = MergeMatchKind::kNotMatched;
        if (Accept("BY")) {
          if (Accept("SOURCE")) {
            c.match = MergeMatchKind::kNotMatchedBySource;
          } else {
            RETURN_NOT_OK(Expect("TARGET"));
          }
        }
      }
      if (Accept("AND")) {
        ASSIGN_OR_RAISE(c.condition, Expression());
      }
      RETURN_NOT_OK(Expect("THEN"));
      size_t action_at = p_;
      if (Accept("DELETE")) {
        c.action = MergeActionKind::kDelete;
      } else if (Accept("UPDATE")) {
        RETURN_NOT_OK(Expect("SET"));
        if (AcceptOp("*")) {
          c.action = MergeActionKind::kUpdateAll;
        } else {
          c.action = MergeActionKind::kUpdate;
          ASSIGN_OR_RAISE(c.assignments, Assignments());
        }
      } else if (Accept("INSERT")) {
        if (AcceptOp("*")) {
          c.action = MergeActionKind::kInsertAll;
        } else {
          c.action = MergeActionKind::kInsert;
          RETURN_NOT_OK(ExpectOp("("));
          do {
            ASSIGN_OR_RAISE(auto col, MultipartName());
            c.insert_columns.push_back(std::move(col));
          } while (AcceptOp(","));
          RETURN_NOT_OK(ExpectOp(")"));
          RETURN_NOT_OK(Expect("VALUES"));
          RETURN_NOT_OK(ExpectOp("("));
          ASSIGN_OR_RAISE(c.insert_values, ExpressionList());
          RETURN_NOT_OK(ExpectOp(")"));
        }
      } else {
        return Unexpected();
      }
      if ((c.match == MergeMatchKind::kNotMatched) !=
          (c.action == MergeActionKind::kInsert || c.action == MergeActionKind::kInsertAll)) {
        p_ = action_at;
        return Unexpected();
      }
      m.clauses.push_back(std::move(c));
    }
    return Status::OK();
  }

#undef BASIN_SQL_ENTER

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t p_ = 0;
  int depth_ = 0;
  int next_parameter_ = 0;
};

Result<Parser> MakeParser(std::string_view text) {
  ASSIGN_OR_RAISE(auto tokens, Tokenize(text));
  return Parser(text, std::move(tokens));
}

}  // namespace

Result<StatementPtr> ParseStatement(std::string_view text) {
  ASSIGN_OR_RAISE(auto parser, MakeParser(text));
  ASSIGN_OR_RAISE(auto statements, parser.Statements(/*single=*/true));
  return std::move(statements.front());
}

Result<std::vector<StatementPtr>> ParseStatements(std::string_view text) {
  ASSIGN_OR_RAISE(auto parser, MakeParser(text));
  return parser.Statements(/*single=*/false);
}

Result<QueryPtr> ParseQuery(std::string_view text) {
  ASSIGN_OR_RAISE(auto parser, MakeParser(text));
  return parser.WholeQuery();
}

Result<ExprPtr> ParseExpression(std::string_view text) {
  ASSIGN_OR_RAISE(auto parser, MakeParser(text));
  return parser.WholeExpression();
}

Result<SelectItem> ParseNamedExpression(std::string_view text) {
  ASSIGN_OR_RAISE(auto parser, MakeParser(text));
  return parser.WholeNamedExpression();
}

Result<DataTypeSyntax> ParseDataType(std::string_view text) {
  ASSIGN_OR_RAISE(auto parser, MakeParser(text));
  return parser.WholeDataType();
}

Result<std::vector<ColumnDefinition>> ParseTableSchema(std::string_view text) {
  ASSIGN_OR_RAISE(auto parser, MakeParser(text));
  return parser.WholeSchema();
}

Result<std::vector<std::string>> ParseMultipartIdentifier(std::string_view text) {
  ASSIGN_OR_RAISE(auto parser, MakeParser(text));
  return parser.WholeName();
}

}  // namespace basin::sql
