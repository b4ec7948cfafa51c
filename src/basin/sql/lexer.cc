#include "basin/sql/lexer.h"

#include <cctype>

namespace basin::sql {

namespace {

bool IsWordChar(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The source line `line` (1-based) of `text`.
std::string_view LineOf(std::string_view text, int line) {
  size_t start = 0;
  for (int l = 1; l < line; ++l) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

Status WithClass(std::string_view error_class, std::string_view sqlstate, std::string message) {
  return Status::Invalid("[" + std::string(error_class) + "] " + message)
      .WithDetail(
          std::make_shared<ErrorClassDetail>(std::string(error_class), std::string(sqlstate)));
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp <= 0x10FFFF) {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Unescapes the body of a quoted string the way Spark's unescapeSQLString does.
std::string UnescapeString(std::string_view body, char quote) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == quote && i + 1 < body.size() && body[i + 1] == quote) {
      out += quote;  // '' inside '...'
      ++i;
      continue;
    }
    if (c != '\\' || i + 1 >= body.size()) {
      out += c;
      continue;
    }
    char n = body[++i];
    // \uXXXX
    if (n == 'u' && i + 4 < body.size()) {
      uint32_t cp = 0;
      bool ok = true;
      for (size_t k = 1; k <= 4; ++k) {
        int h = HexValue(body[i + k]);
        if (h < 0) ok = false;
        cp = cp * 16 + static_cast<uint32_t>(h < 0 ? 0 : h);
      }
      if (ok) {
        AppendUtf8(&out, cp);
        i += 4;
        continue;
      }
    }
    // Octal \ddd (first digit 0-3).
    if (n >= '0' && n <= '3' && i + 2 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7' &&
        body[i + 2] >= '0' && body[i + 2] <= '7') {
      out += static_cast<char>((n - '0') * 64 + (body[i + 1] - '0') * 8 + (body[i + 2] - '0'));
      i += 2;
      continue;
    }
    switch (n) {
      case '0':
        out += '\0';
        break;
      case 'b':
        out += '\b';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'Z':
        out += '\x1A';
        break;
      case '%':
        out += "\\%";
        break;  // kept for LIKE patterns, as Spark does
      case '_':
        out += "\\_";
        break;
      default:
        out += n;
        break;  // \\ \' \" and any other character stand for themselves
    }
  }
  return out;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      RETURN_NOT_OK(SkipSpaceAndComments());
      Token t;
      t.pos = Pos();
      if (i_ >= text_.size()) {
        t.kind = TokenKind::kEnd;
        t.end_offset = static_cast<int>(i_);
        tokens.push_back(std::move(t));
        return tokens;
      }
      RETURN_NOT_OK(Next(&t));
      t.end_offset = static_cast<int>(i_);
      tokens.push_back(std::move(t));
    }
  }

 private:
  SourcePos Pos() const { return SourcePos{line_, column_, static_cast<int>(i_)}; }

  char Peek(size_t ahead = 0) const { return i_ + ahead < text_.size() ? text_[i_ + ahead] : '\0'; }

  void Advance(size_t n = 1) {
    for (size_t k = 0; k < n && i_ < text_.size(); ++k) {
      unsigned char c = static_cast<unsigned char>(text_[i_++]);
      if (c == '\n') {
        ++line_;
        column_ = 0;
      } else if ((c & 0xC0) != 0x80) {
        ++column_;
      }
    }
  }

  Status SkipSpaceAndComments() {
    while (i_ < text_.size()) {
      char c = Peek();
      if (std::isspace(static_cast<unsigned char>(c))) {
        Advance();
      } else if (c == '-' && Peek(1) == '-') {
        while (i_ < text_.size() && Peek() != '\n') Advance();
      } else if (c == '/' && Peek(1) == '*' && Peek(2) != '+') {
        SourcePos start = Pos();
        Advance(2);
        int depth = 1;
        while (depth > 0) {
          if (i_ >= text_.size()) return UnclosedComment(start);
          if (Peek() == '/' && Peek(1) == '*') {
            ++depth;
            Advance(2);
          } else if (Peek() == '*' && Peek(1) == '/') {
            --depth;
            Advance(2);
          } else {
            Advance();
          }
        }
      } else {
        break;
      }
    }
    return Status::OK();
  }

  Status UnclosedComment(const SourcePos&) {
    return WithClass("UNCLOSED_BRACKETED_COMMENT", "42601",
                     "Found an unclosed bracketed comment. Please, append */ at the end of the "
                     "comment. SQLSTATE: 42601\n== SQL ==\n" +
                         std::string(text_));
  }

  Status Next(Token* t) {
    char c = Peek();
    // Hints.
    if (c == '/' && Peek(1) == '*' && Peek(2) == '+') {
      SourcePos start = Pos();
      Advance(3);
      size_t body = i_;
      while (true) {
        if (i_ >= text_.size()) return UnclosedComment(start);
        if (Peek() == '*' && Peek(1) == '/') break;
        Advance();
      }
      t->kind = TokenKind::kHint;
      t->text = std::string(text_.substr(body, i_ - body));
      Advance(2);
      return Status::OK();
    }
    // Raw strings r'...'.
    if ((c == 'r' || c == 'R') && (Peek(1) == '\'' || Peek(1) == '"')) {
      SourcePos start = Pos();
      char quote = Peek(1);
      Advance(2);
      size_t body = i_;
      while (i_ < text_.size() && Peek() != quote) Advance();
      if (i_ >= text_.size()) return SyntaxErrorAt(text_, start, std::string(1, 'r'));
      t->kind = TokenKind::kString;
      t->text = std::string(text_.substr(body, i_ - body));
      Advance();
      return Status::OK();
    }
    if (c == '\'' || c == '"') {
      SourcePos start = Pos();
      Advance();
      size_t body = i_;
      while (true) {
        if (i_ >= text_.size()) return SyntaxErrorAt(text_, start, std::string(1, c));
        if (Peek() == '\\') {
          Advance(2);
          continue;
        }
        if (Peek() == c) {
          if (c == '\'' && Peek(1) == '\'') {
            Advance(2);
            continue;
          }
          break;
        }
        Advance();
      }
      t->kind = TokenKind::kString;
      t->text = UnescapeString(text_.substr(body, i_ - body), c);
      Advance();
      return Status::OK();
    }
    if (c == '`') {
      SourcePos start = Pos();
      Advance();
      std::string name;
      while (true) {
        if (i_ >= text_.size()) return SyntaxErrorAt(text_, start, "`");
        if (Peek() == '`') {
          if (Peek(1) == '`') {
            name += '`';
            Advance(2);
            continue;
          }
          break;
        }
        name += Peek();
        Advance();
      }
      Advance();
      t->kind = TokenKind::kQuotedIdentifier;
      t->text = std::move(name);
      return Status::OK();
    }
    if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) return LexNumber(t);
    if (IsWordChar(static_cast<unsigned char>(c))) {
      size_t start = i_;
      while (i_ < text_.size() && IsWordChar(static_cast<unsigned char>(Peek()))) Advance();
      t->kind = TokenKind::kWord;
      t->text = std::string(text_.substr(start, i_ - start));
      return Status::OK();
    }
    if (c == '?') {
      Advance();
      t->kind = TokenKind::kParameter;
      t->text = "?";
      return Status::OK();
    }
    if (c == ':' && Peek(1) != ':' &&
        (std::isalpha(static_cast<unsigned char>(Peek(1))) || Peek(1) == '_')) {
      Advance();
      size_t start = i_;
      while (i_ < text_.size() && IsWordChar(static_cast<unsigned char>(Peek()))) Advance();
      t->kind = TokenKind::kParameter;
      t->text = std::string(text_.substr(start, i_ - start));
      return Status::OK();
    }
    static const char* kOperators[] = {"<=>", ">>>", "<>", "<=", ">=", "==", "!=", "||", "::", "->",
                                       "=>",  "<<",  ">>", "|>", "=",  "<",  ">",  "!",  "+",  "-",
                                       "*",   "/",   "%",  "~",  "&",  "|",  "^",  "(",  ")",  "[",
                                       "]",   "{",   "}",  ",",  ".",  ";",  ":",  "@"};
    for (const char* op : kOperators) {
      std::string_view o(op);
      if (text_.substr(i_, o.size()) == o) {
        t->kind = TokenKind::kOperator;
        t->text = std::string(o);
        Advance(o.size());
        return Status::OK();
      }
    }
    SourcePos p = Pos();
    // Point at one whole UTF-8 character.
    size_t len = 1;
    while (i_ + len < text_.size() && (static_cast<unsigned char>(text_[i_ + len]) & 0xC0) == 0x80)
      ++len;
    return SyntaxErrorAt(text_, p, text_.substr(i_, len));
  }

  Status LexNumber(Token* t) {
    size_t start = i_;
    size_t j = i_;
    auto digits = [&]() {
      size_t k = j;
      while (j < text_.size() && IsDigit(text_[j])) ++j;
      return j > k;
    };
    digits();
    bool has_dot = false;
    if (j < text_.size() && text_[j] == '.') {
      // "1." followed by a word character that is not an exponent is still a decimal "1.".
      has_dot = true;
      ++j;
      digits();
    }
    bool has_exp = false;
    if (j < text_.size() && (text_[j] == 'e' || text_[j] == 'E')) {
      size_t k = j + 1;
      if (k < text_.size() && (text_[k] == '+' || text_[k] == '-')) ++k;
      if (k < text_.size() && IsDigit(text_[k])) {
        j = k;
        digits();
        has_exp = true;
      }
    }
    // Suffix.
    if (j < text_.size()) {
      char s = static_cast<char>(std::toupper(static_cast<unsigned char>(text_[j])));
      char s2 = j + 1 < text_.size()
                    ? static_cast<char>(std::toupper(static_cast<unsigned char>(text_[j + 1])))
                    : '\0';
      if (s == 'B' && s2 == 'D') {
        j += 2;
      } else if (s == 'D' || s == 'F') {
        ++j;
      } else if ((s == 'L' || s == 'S' || s == 'Y') && !has_dot && !has_exp) {
        ++j;
      }
    }
    if (j < text_.size() && IsWordChar(static_cast<unsigned char>(text_[j])) && !has_dot) {
      // Spark identifiers may start with a digit: 1a, 0x1F, 100M.
      size_t k = start;
      while (k < text_.size() && IsWordChar(static_cast<unsigned char>(text_[k]))) ++k;
      t->kind = TokenKind::kWord;
      t->text = std::string(text_.substr(start, k - start));
      Advance(k - start);
      return Status::OK();
    }
    t->kind = TokenKind::kNumber;
    t->text = std::string(text_.substr(start, j - start));
    Advance(j - start);
    return Status::OK();
  }

  std::string_view text_;
  size_t i_ = 0;
  int line_ = 1;
  int column_ = 0;
};

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view text) { return Lexer(text).Run(); }

Status ParseErrorAt(std::string_view error_class, std::string_view sqlstate,
                    std::string_view message, std::string_view text, const SourcePos& pos) {
  std::string out = std::string(message) + " SQLSTATE: " + std::string(sqlstate) + " (line " +
                    std::to_string(pos.line) + ", pos " + std::to_string(pos.column) +
                    ")\n\n== SQL ==\n";
  // Spark prints the lines up to the error line, a caret line, then the remaining lines.
  size_t start = 0;
  int line = 1;
  bool caret_written = false;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view l =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    out += std::string(l) + "\n";
    if (line == pos.line) {
      out += std::string(static_cast<size_t>(std::max(0, pos.column)), '-') + "^^^\n";
      caret_written = true;
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
    ++line;
  }
  if (!caret_written)
    out += std::string(static_cast<size_t>(std::max(0, pos.column)), '-') + "^^^\n";
  return WithClass(error_class, sqlstate, std::move(out));
}

Status SyntaxErrorAt(std::string_view text, const SourcePos& pos, std::string_view near,
                     std::string_view extra) {
  std::string message = near.empty() ? "Syntax error at or near end of input"
                                     : "Syntax error at or near '" + std::string(near) + "'";
  if (!extra.empty()) message += ": " + std::string(extra);
  message += ".";
  return ParseErrorAt("PARSE_SYNTAX_ERROR", "42601", message, text, pos);
}

Status ValueErrorAt(std::string_view error_class, std::string_view sqlstate,
                    std::string_view message, std::string_view text, const SourcePos& pos,
                    int end_offset) {
  std::string out = std::string(message) + " SQLSTATE: " + std::string(sqlstate) +
                    "\n== SQL (line " + std::to_string(pos.line) + ", position " +
                    std::to_string(pos.column + 1) + ") ==\n";
  std::string_view line = LineOf(text, pos.line);
  out += std::string(line) + "\n";
  int width = std::max(1, end_offset - pos.offset);
  out += std::string(static_cast<size_t>(std::max(0, pos.column)), ' ') +
         std::string(static_cast<size_t>(width), '^') + "\n";
  return WithClass(error_class, sqlstate, std::move(out));
}

Status OperationNotAllowedAt(std::string_view message, std::string_view text, const SourcePos& pos,
                             int end_offset) {
  std::string out = "Operation not allowed: " + std::string(message) + ".\n== SQL (line " +
                    std::to_string(pos.line) + ", position " + std::to_string(pos.column + 1) +
                    ") ==\n";
  // Each line of the statement, then carets under the part of it inside the statement.
  size_t start = static_cast<size_t>(std::max(0, pos.offset - pos.column));
  const size_t end = std::min(text.size(), static_cast<size_t>(std::max(0, end_offset)));
  while (start < end) {
    size_t nl = text.find('\n', start);
    size_t line_end = nl == std::string_view::npos ? text.size() : nl;
    size_t from = std::max(start, static_cast<size_t>(pos.offset));
    size_t to = std::min(line_end, end);
    out += std::string(text.substr(start, std::min(line_end, end) - start)) + "\n";
    out += std::string(from - start, ' ') + std::string(to > from ? to - from : 1, '^') + "\n";
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return WithClass("_LEGACY_ERROR_TEMP_0035", "", std::move(out));
}

}  // namespace basin::sql
