#pragma once

// A cursor over the tokens of a statement the parser keeps as words (SHOW, DESCRIBE, ALTER,
// OPTIMIZE, VACUUM, RESTORE, ...): keywords, names, literals and the raw text of the rest.

#include <optional>
#include <string>
#include <vector>

#include "basin/base/status.h"

namespace basin::session {

class StatementWords {
 public:
  explicit StatementWords(std::vector<std::string> words) : words_(std::move(words)) {}

  bool AtEnd() const { return pos_ >= words_.size(); }
  /// Returns true when the next word is `keyword` (case-insensitive), without consuming it.
  bool At(const std::string& keyword, size_t ahead = 0) const;
  /// Consumes the next word when it is `keyword`.
  bool Accept(const std::string& keyword);
  /// Consumes the keywords in order when all of them come next.
  bool AcceptAll(const std::vector<std::string>& keywords);
  /// Consumes `keyword` or fails with PARSE_SYNTAX_ERROR.
  Status Expect(const std::string& keyword);
  /// Consumes a dotted, possibly backticked name such as main.`my db`.t.
  Result<std::vector<std::string>> Name();
  /// Consumes a string literal ('x' or "x") and returns its value.
  Result<std::string> String();
  /// Consumes an integer.
  Result<int64_t> Integer();
  /// Consumes a number (integer or decimal) and returns its text.
  Result<double> Number();
  /// Consumes a parenthesized, comma-separated list of names: (a, b.c).
  Result<std::vector<std::vector<std::string>>> NameList();
  /// Consumes a parenthesized list of 'key' = 'value' pairs (keys may be dotted names).
  Result<std::vector<std::pair<std::string, std::string>>> PropertyList();
  /// Consumes a parenthesized list of keys: ('a', 'b.c').
  Result<std::vector<std::string>> KeyList();
  /// Returns the remaining words joined as SQL text and consumes them.
  std::string Rest();
  /// Returns the words up to (not including) the first top-level word equal to one of `stops`
  /// joined as SQL text, and consumes them.
  std::string TextUntil(const std::vector<std::string>& stops);
  /// Returns the next word as written (empty at the end).
  std::string Peek(size_t ahead = 0) const;
  /// Consumes and returns the next word.
  std::string Next();
  /// Fails with PARSE_SYNTAX_ERROR at the current word.
  Status SyntaxError() const;
  /// Fails with PARSE_SYNTAX_ERROR unless every word was consumed.
  Status ExpectEnd() const;

 private:
  std::vector<std::string> words_;
  size_t pos_ = 0;
};

/// Joins tokens back into SQL text (spaces between tokens, none around '.').
std::string JoinWords(const std::vector<std::string>& words, size_t begin, size_t end);

}  // namespace basin::session
