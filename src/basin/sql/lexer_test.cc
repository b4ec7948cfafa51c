#include "basin/sql/lexer.h"

#include <gtest/gtest.h>

namespace basin::sql {
namespace {

std::vector<Token> Lex(std::string_view text) {
  auto r = Tokenize(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<Token>{};
}

// Kinds and texts as "kind:text" items, without the end token.
std::string Describe(std::string_view text) {
  std::string out;
  for (const auto& t : Lex(text)) {
    if (t.kind == TokenKind::kEnd) break;
    const char* kind = t.kind == TokenKind::kWord               ? "w"
                       : t.kind == TokenKind::kQuotedIdentifier ? "q"
                       : t.kind == TokenKind::kString           ? "s"
                       : t.kind == TokenKind::kNumber           ? "n"
                       : t.kind == TokenKind::kOperator         ? "o"
                       : t.kind == TokenKind::kParameter        ? "p"
                                                                : "h";
    if (!out.empty()) out += " ";
    out += std::string(kind) + ":" + t.text;
  }
  return out;
}

TEST(LexerTest, WordsNumbersAndOperators) {
  EXPECT_EQ(Describe("SELECT a1, _b FROM t"), "w:SELECT w:a1 o:, w:_b w:FROM w:t");
  EXPECT_EQ(Describe("1 1.5 .5 1e3 1.5E-2 10L 2S 3Y 4BD 5D 6F"),
            "n:1 n:1.5 n:.5 n:1e3 n:1.5E-2 n:10L n:2S n:3Y n:4BD n:5D n:6F");
  EXPECT_EQ(Describe("1a 0x1F 100M"), "w:1a w:0x1F w:100M");
  EXPECT_EQ(Describe("a<=>b<>c<=d>=e==f!=g||h::i->j=>k"),
            "w:a o:<=> w:b o:<> w:c o:<= w:d o:>= w:e o:== w:f o:!= w:g o:|| w:h o::: w:i o:-> w:j "
            "o:=> w:k");
  EXPECT_EQ(Describe("a[0].b"), "w:a o:[ n:0 o:] o:. w:b");
  EXPECT_EQ(Describe("t.5"), "w:t n:.5");
}

TEST(LexerTest, QuotedIdentifiersAndStrings) {
  EXPECT_EQ(Describe("`a b` `x``y`"), "q:a b q:x`y");
  EXPECT_EQ(Describe("'a' \"b\""), "s:a s:b");
  EXPECT_EQ(Describe("'it''s'"), "s:it's");
  EXPECT_EQ(Describe(R"('a\'b')"), "s:a'b");
  EXPECT_EQ(Describe("X'0A'"), "w:X s:0A");
}

TEST(LexerTest, CommentsAndHints) {
  EXPECT_EQ(Describe("a -- line comment\nb"), "w:a w:b");
  EXPECT_EQ(Describe("a /* block */ b"), "w:a w:b");
  EXPECT_EQ(Describe("a /* outer /* inner */ still outer */ b"), "w:a w:b");
  EXPECT_EQ(Describe("SELECT /*+ BROADCAST(t) */ a"), "w:SELECT h: BROADCAST(t)  w:a");
  EXPECT_EQ(Describe("a--b"), "w:a");
  EXPECT_EQ(Describe("a - -b"), "w:a o:- o:- w:b");
}

TEST(LexerTest, Parameters) { EXPECT_EQ(Describe("? :name a::int"), "p:? p:name w:a o::: w:int"); }

TEST(LexerTest, Positions) {
  auto tokens = Lex("SELECT\n  a,\n\tbé c");
  ASSERT_GE(tokens.size(), 5u);
  EXPECT_EQ(tokens[0].pos.line, 1);
  EXPECT_EQ(tokens[0].pos.column, 0);
  EXPECT_EQ(tokens[1].pos.line, 2);
  EXPECT_EQ(tokens[1].pos.column, 2);
  EXPECT_EQ(tokens[1].pos.offset, 9);
  EXPECT_EQ(tokens[3].pos.line, 3);
  EXPECT_EQ(tokens[3].pos.column, 1);
  // Columns count characters, not UTF-8 bytes.
  EXPECT_EQ(tokens[4].pos.column, 4);
  EXPECT_EQ(tokens[4].end_offset, static_cast<int>(std::string("SELECT\n  a,\n\tbé c").size()));
}

TEST(LexerTest, Errors) {
  auto unclosed = Tokenize("SELECT 'abc");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_EQ(ErrorClassOf(unclosed.status()), "PARSE_SYNTAX_ERROR");
  auto comment = Tokenize("SELECT /* abc");
  ASSERT_FALSE(comment.ok());
  EXPECT_EQ(ErrorClassOf(comment.status()), "UNCLOSED_BRACKETED_COMMENT");
  auto ident = Tokenize("`abc");
  ASSERT_FALSE(ident.ok());
  EXPECT_NE(ident.status().message().find("at or near '`'"), std::string::npos);
  auto odd = Tokenize("a $ b");
  ASSERT_FALSE(odd.ok());
  EXPECT_NE(odd.status().message().find("at or near '$'. SQLSTATE: 42601 (line 1, pos 2)"),
            std::string::npos);
}

TEST(LexerTest, SyntaxErrorFormatting) {
  Status st = SyntaxErrorAt("SELECT x", SourcePos{1, 7, 7}, "x");
  EXPECT_EQ(st.message(),
            "[PARSE_SYNTAX_ERROR] Syntax error at or near 'x'. SQLSTATE: 42601 (line 1, pos 7)\n\n"
            "== SQL ==\nSELECT x\n-------^^^\n");
  Status end = SyntaxErrorAt("SELECT", SourcePos{1, 6, 6}, "");
  EXPECT_NE(end.message().find("Syntax error at or near end of input."), std::string::npos);
}

}  // namespace
}  // namespace basin::sql
