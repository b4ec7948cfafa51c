#pragma once

// Splits Spark SQL text into tokens. Keywords are not distinguished from identifiers here: the
// parser compares words case-insensitively where the grammar expects a keyword.

#include <string>
#include <string_view>
#include <vector>

#include "basin/base/status.h"
#include "basin/sql/ast.h"

namespace basin::sql {

enum class TokenKind {
  kWord,              ///< an unquoted identifier or keyword; `text` as written
  kQuotedIdentifier,  ///< `...`; `text` is the name with `` unescaped
  kString,            ///< '...' or "..."; `text` is the unescaped value
  kNumber,            ///< a numeric literal; `text` as written (with any suffix)
  kOperator,          ///< punctuation and operators; `text` as written (e.g. "<=>", "(")
  kParameter,         ///< `?` (text "?") or `:name` (text is the name)
  kHint,              ///< /*+ ... */; `text` is what is between the markers
  kEnd,               ///< end of input
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  SourcePos pos;
  int end_offset = 0;  ///< offset just past the token in the input
};

/// Splits `text` into tokens, ending with a kEnd token. Positions are relative to `text`.
/// Fails with PARSE_SYNTAX_ERROR on an unclosed string or identifier and with
/// UNCLOSED_BRACKETED_COMMENT on an unclosed /* comment.
Result<std::vector<Token>> Tokenize(std::string_view text);

/// Returns the user error a parse failure raises: "[<error_class>] <message>. SQLSTATE: <state>"
/// followed by " (line L, pos P)" and the statement with a caret line, as Spark prints it.
Status ParseErrorAt(std::string_view error_class, std::string_view sqlstate,
                    std::string_view message, std::string_view text, const SourcePos& pos);

/// Returns the PARSE_SYNTAX_ERROR "Syntax error at or near '<near>'" (or "end of input" when
/// `near` is empty) at `pos` of `text`.
Status SyntaxErrorAt(std::string_view text, const SourcePos& pos, std::string_view near,
                     std::string_view extra = {});

/// Returns a user error that points at a range of `text` like Spark's literal errors:
/// "<message> SQLSTATE: <state>\n== SQL (line L, position P) ==\n<line>\n   ^^^^".
Status ValueErrorAt(std::string_view error_class, std::string_view sqlstate,
                    std::string_view message, std::string_view text, const SourcePos& pos,
                    int end_offset);

/// Returns Spark's _LEGACY_ERROR_TEMP_0035 "Operation not allowed: <message>." for the statement
/// from `pos` to `end_offset` of `text`, every line of it under a caret line:
/// "== SQL (line L, position P) ==\n<line>\n^^^^".
Status OperationNotAllowedAt(std::string_view message, std::string_view text, const SourcePos& pos,
                             int end_offset);

}  // namespace basin::sql
