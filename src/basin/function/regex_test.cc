#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/function/function_test_support.h"

namespace basin::function {
namespace {

using arrow::int32;
using arrow::utf8;

TEST(RegexTest, RlikeAndLike) {
  EXPECT_EQ(Call("rlike", {A(utf8(), R"(["abc", "xyz", null])"), Sc(utf8(), R"j("^a.c$")j")}),
            "true | false | NULL");
  EXPECT_EQ(Call("regexp_like", {A(utf8(), R"(["a1"])"), Sc(utf8(), R"j("\\d")j")}), "true");
  EXPECT_EQ(Call("like", {A(utf8(), R"(["abc", "a_c", "abc", "héllo"])"),
                          A(utf8(), R"(["a%", "a\\_c", "a\\_c", "h_llo"])")}),
            "true | true | false | true");
  EXPECT_EQ(Call("like", {A(utf8(), R"(["%x"])"), A(utf8(), R"(["!%x"])"), A(utf8(), R"(["!"])")}), "true");
  EXPECT_EQ(Call("ilike", {A(utf8(), R"(["ABC"])"), A(utf8(), R"(["a%"])")}), "true");
  EXPECT_EQ(Call("like", {A(utf8(), R"(["abc"])"), A(utf8(), R"(["%b%"])")}), "true");
  EXPECT_EQ(Call("like", {A(utf8(), R"(["abc"])"), A(utf8(), R"(["%d%"])")}), "false");
}

TEST(RegexTest, ReplaceAndExtract) {
  // Java lookbehind / lookahead through PCRE2.
  EXPECT_EQ(Call("regexp_replace", {A(utf8(), R"(["abc@example.com"])"), Sc(utf8(), R"j("(?<=.{2}).(?=.*@)")j"),
                                    Sc(utf8(), R"j("*")j")}),
            "ab*@example.com");
  EXPECT_EQ(Call("regexp_replace", {A(utf8(), R"(["aaa"])"), Sc(utf8(), R"j("a*")j"), Sc(utf8(), R"j("X")j")}), "XX");
  EXPECT_EQ(Call("regexp_replace", {A(utf8(), R"(["2024-01-02"])"), Sc(utf8(), R"j("(\\d+)-(\\d+)-(\\d+)")j"),
                                    Sc(utf8(), R"j("$3/$2/$1")j")}),
            "02/01/2024");
  EXPECT_EQ(Call("regexp_replace", {A(utf8(), R"(["a.b.c"])"), Sc(utf8(), R"j("\\.")j"), Sc(utf8(), R"j("\\$")j")}),
            "a$b$c");
  EXPECT_EQ(Call("regexp_replace", {A(utf8(), R"(["abcabc"])"), Sc(utf8(), R"j("b")j"), Sc(utf8(), R"j("X")j"),
                                    Sc(int32(), "3")}),
            "abcaXc");
  EXPECT_EQ(Call("regexp_extract", {A(utf8(), R"(["100-200", "x"])"), Sc(utf8(), R"j("(\\d+)-(\\d+)")j"),
                                    Sc(int32(), "1")}),
            "100 | ");
  EXPECT_EQ(Call("regexp_extract", {A(utf8(), R"(["100-200"])"), Sc(utf8(), R"j("(\\d+)-(\\d+)")j"), Sc(int32(), "2")}),
            "200");
  EXPECT_EQ(Call("regexp_extract", {A(utf8(), R"(["100-200"])"), Sc(utf8(), R"j("(\\d+)")j"), Sc(int32(), "2")}),
            "ERROR:INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX");
  EXPECT_EQ(Call("regexp_extract_all", {A(utf8(), R"(["a1b22c333"])"), Sc(utf8(), R"j("(\\d+)")j"), Sc(int32(), "1")}),
            "[1, 22, 333]");
  EXPECT_EQ(Call("regexp_count", {A(utf8(), R"(["a1b22c333"])"), Sc(utf8(), R"j("\\d+")j")}), "3");
  EXPECT_EQ(Call("regexp_substr", {A(utf8(), R"(["a1b22", "abc"])"), Sc(utf8(), R"j("\\d+")j")}), "1 | NULL");
  EXPECT_EQ(Call("regexp_instr", {A(utf8(), R"(["héllo1"])"), Sc(utf8(), R"j("\\d")j")}), "6");
  EXPECT_EQ(Call("rlike", {A(utf8(), R"(["a"])"), Sc(utf8(), R"j("(unclosed")j")}),
            "ERROR:INVALID_PARAMETER_VALUE.PATTERN");
}

TEST(RegexTest, Split) {
  EXPECT_EQ(Call("split", {A(utf8(), R"(["a,b,,c,,"])"), Sc(utf8(), R"j(",")j")}), "[a, b, , c, , ]");
  EXPECT_EQ(Call("split", {A(utf8(), R"(["abc"])"), Sc(utf8(), R"j("")j")}), "[a, b, c]");
  EXPECT_EQ(Call("split", {A(utf8(), R"(["a1b2c3"])"), Sc(utf8(), R"j("[0-9]")j"), Sc(int32(), "2")}), "[a, b2c3]");
  EXPECT_EQ(Call("split", {A(utf8(), R"(["oneAtwoBthreeC"])"), Sc(utf8(), R"j("[ABC]")j")}), "[one, two, three, ]");
  EXPECT_EQ(Call("split", {A(utf8(), R"(["", null])"), Sc(utf8(), R"j(",")j")}), "[] | NULL");
}

}  // namespace
}  // namespace basin::function
