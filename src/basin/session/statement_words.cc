#include "basin/session/statement_words.h"

#include <cctype>
#include <cstdlib>

namespace basin::session {
namespace {

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string Unquote(const std::string& word) {
  if (word.size() >= 2 && (word.front() == '\'' || word.front() == '"') &&
      word.back() == word.front()) {
    std::string out;
    for (size_t i = 1; i + 1 < word.size(); ++i) {
      char c = word[i];
      if (c == '\\' && i + 2 < word.size()) {
        char n = word[++i];
        switch (n) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          default: out += n;
        }
      } else if (c == word.front() && i + 2 < word.size() && word[i + 1] == c) {
        out += c;
        ++i;
      } else {
        out += c;
      }
    }
    return out;
  }
  if (word.size() >= 2 && word.front() == '`' && word.back() == '`') {
    std::string out;
    for (size_t i = 1; i + 1 < word.size(); ++i) {
      out += word[i];
      if (word[i] == '`' && i + 2 < word.size() && word[i + 1] == '`') ++i;
    }
    return out;
  }
  return word;
}

}  // namespace

std::string JoinWords(const std::vector<std::string>& words, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end && i < words.size(); ++i) {
    const std::string& w = words[i];
    bool glue = out.empty() || w == "." || w == ")" || w == "," || out.back() == '.' ||
                out.back() == '(';
    if (!glue) out += ' ';
    out += w;
  }
  return out;
}

bool StatementWords::At(const std::string& keyword, size_t ahead) const {
  size_t p = pos_ + ahead;
  return p < words_.size() && EqualsIgnoreCase(words_[p], keyword);
}

bool StatementWords::Accept(const std::string& keyword) {
  if (!At(keyword)) return false;
  ++pos_;
  return true;
}

bool StatementWords::AcceptAll(const std::vector<std::string>& keywords) {
  for (size_t i = 0; i < keywords.size(); ++i) {
    if (!At(keywords[i], i)) return false;
  }
  pos_ += keywords.size();
  return true;
}

Status StatementWords::Expect(const std::string& keyword) {
  if (Accept(keyword)) return Status::OK();
  return SyntaxError();
}

std::string StatementWords::Peek(size_t ahead) const {
  return pos_ + ahead < words_.size() ? words_[pos_ + ahead] : std::string();
}

std::string StatementWords::Next() { return AtEnd() ? std::string() : words_[pos_++]; }

Status StatementWords::SyntaxError() const {
  std::string near = AtEnd() ? "end of input" : "'" + words_[pos_] + "'";
  return UserError("PARSE_SYNTAX_ERROR", "Syntax error at or near " + near + ".");
}

Status StatementWords::ExpectEnd() const { return AtEnd() ? Status::OK() : SyntaxError(); }

Result<std::vector<std::string>> StatementWords::Name() {
  std::vector<std::string> parts;
  while (true) {
    if (AtEnd()) return SyntaxError();
    const std::string& w = words_[pos_];
    bool word = !w.empty() && (std::isalnum(static_cast<unsigned char>(w[0])) || w[0] == '_' ||
                               w[0] == '`');
    if (!word) return SyntaxError();
    parts.push_back(Unquote(w));
    ++pos_;
    if (!(Peek() == ".")) break;
    ++pos_;
  }
  return parts;
}

Result<std::string> StatementWords::String() {
  if (AtEnd()) return SyntaxError();
  const std::string& w = words_[pos_];
  if (w.empty() || (w[0] != '\'' && w[0] != '"')) return SyntaxError();
  ++pos_;
  return Unquote(w);
}

Result<int64_t> StatementWords::Integer() {
  if (AtEnd()) return SyntaxError();
  std::string w = words_[pos_];
  if (!w.empty() && (w.back() == 'L' || w.back() == 'l')) w.pop_back();
  char* end = nullptr;
  long long v = std::strtoll(w.c_str(), &end, 10);
  if (w.empty() || *end != '\0') return SyntaxError();
  ++pos_;
  return static_cast<int64_t>(v);
}

Result<double> StatementWords::Number() {
  if (AtEnd()) return SyntaxError();
  std::string w = words_[pos_];
  if (!w.empty() && (w.back() == 'D' || w.back() == 'd' || w.back() == 'L')) w.pop_back();
  char* end = nullptr;
  double v = std::strtod(w.c_str(), &end);
  if (w.empty() || *end != '\0') return SyntaxError();
  ++pos_;
  return v;
}

Result<std::vector<std::vector<std::string>>> StatementWords::NameList() {
  RETURN_NOT_OK(Expect("("));
  std::vector<std::vector<std::string>> names;
  while (true) {
    ASSIGN_OR_RAISE(auto name, Name());
    names.push_back(std::move(name));
    if (Accept(",")) continue;
    RETURN_NOT_OK(Expect(")"));
    return names;
  }
}

Result<std::vector<std::pair<std::string, std::string>>> StatementWords::PropertyList() {
  RETURN_NOT_OK(Expect("("));
  std::vector<std::pair<std::string, std::string>> props;
  if (Accept(")")) return props;
  while (true) {
    std::string key;
    if (!AtEnd() && (Peek()[0] == '\'' || Peek()[0] == '"')) {
      ASSIGN_OR_RAISE(key, String());
    } else {
      ASSIGN_OR_RAISE(auto parts, Name());
      for (size_t i = 0; i < parts.size(); ++i) key += (i ? "." : "") + parts[i];
    }
    std::string value;
    if (Accept("=") || (!At(",") && !At(")"))) {
      std::string w = Next();
      if (w.empty()) return SyntaxError();
      value = Unquote(w);
    }
    props.emplace_back(key, value);
    if (Accept(",")) continue;
    RETURN_NOT_OK(Expect(")"));
    return props;
  }
}

Result<std::vector<std::string>> StatementWords::KeyList() {
  RETURN_NOT_OK(Expect("("));
  std::vector<std::string> keys;
  while (true) {
    if (!AtEnd() && (Peek()[0] == '\'' || Peek()[0] == '"')) {
      ASSIGN_OR_RAISE(auto key, String());
      keys.push_back(key);
    } else {
      ASSIGN_OR_RAISE(auto parts, Name());
      std::string key;
      for (size_t i = 0; i < parts.size(); ++i) key += (i ? "." : "") + parts[i];
      keys.push_back(key);
    }
    if (Accept(",")) continue;
    RETURN_NOT_OK(Expect(")"));
    return keys;
  }
}

std::string StatementWords::Rest() {
  std::string text = JoinWords(words_, pos_, words_.size());
  pos_ = words_.size();
  return text;
}

std::string StatementWords::TextUntil(const std::vector<std::string>& stops) {
  size_t begin = pos_;
  int depth = 0;
  while (!AtEnd()) {
    const std::string& w = words_[pos_];
    if (depth == 0) {
      bool stop = false;
      for (const auto& s : stops) stop = stop || EqualsIgnoreCase(w, s);
      if (stop) break;
    }
    if (w == "(") ++depth;
    if (w == ")") --depth;
    ++pos_;
  }
  return JoinWords(words_, begin, pos_);
}

}  // namespace basin::session
