#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/function/function_test_support.h"

namespace basin::function {
namespace {

using arrow::binary;
using arrow::float64;
using arrow::int32;
using arrow::int64;
using arrow::utf8;

TEST(StringFunctionsTest, LengthAndCase) {
  EXPECT_EQ(Call("length", {A(utf8(), R"(["abc", "héllo", "", null])")}), "3 | 5 | 0 | NULL");
  EXPECT_EQ(Call("octet_length", {A(utf8(), R"(["héllo"])")}), "6");
  EXPECT_EQ(Call("length", {A(binary(), R"(["abc"])")}), "3");
  EXPECT_EQ(Call("upper", {A(utf8(), R"(["abc", "éa"])")}), "ABC | ÉA");
  // Java full case mapping (Spark): upper('straße') = 'STRASSE'.
  EXPECT_EQ(Call("upper", {A(utf8(), R"(["straße"])")}), "STRASSE");
  EXPECT_EQ(Call("lower", {A(utf8(), R"(["ABC"])")}), "abc");
  EXPECT_EQ(Call("initcap", {A(utf8(), R"(["hello wORLD", "a  b"])")}), "Hello World | A  B");
  EXPECT_EQ(Call("length", {A(int32(), "[123]")}), "3");
}

TEST(StringFunctionsTest, Substring) {
  const auto s = A(utf8(), R"(["Spark SQL", "Spark SQL", "Spark SQL", "Spark SQL", "Spark SQL", "héllo"])");
  EXPECT_EQ(Call("substring", {s, A(int32(), "[5, -3, 0, 1, 100, 2]"), A(int32(), "[1, 2, 2, -1, 1, 3]")}),
            "k | SQ | Sp |  |  | éll");
  EXPECT_EQ(Call("substr", {A(utf8(), R"(["Spark SQL"])"), A(int32(), "[5]")}), "k SQL");
  EXPECT_EQ(Call("substr", {A(utf8(), R"(["Spark SQL"])"), A(int32(), "[-3]")}), "SQL");
  EXPECT_EQ(Call("substr", {A(utf8(), R"(["abc"])"), A(int32(), "[-5]"), A(int32(), "[3]")}), "a");
  EXPECT_EQ(Call("left", {A(utf8(), R"(["Spark", "Spark"])"), A(int32(), "[3, -1]")}), "Spa | ");
  EXPECT_EQ(Call("right", {A(utf8(), R"(["Spark"])"), A(int32(), "[3]")}), "ark");
  EXPECT_EQ(Call("substring", {A(utf8(), R"([null])"), A(int32(), "[1]")}), "NULL");
}

TEST(StringFunctionsTest, ConcatAndTrim) {
  EXPECT_EQ(Call("concat", {A(utf8(), R"(["a", "a"])"), A(utf8(), R"(["b", null])")}), "ab | NULL");
  EXPECT_EQ(Call("concat", {A(utf8(), R"(["a"])"), A(int32(), "[1]")}), "a1");
  EXPECT_EQ(Call("||", {A(utf8(), R"(["a"])"), A(utf8(), R"(["b"])")}), "ab");
  EXPECT_EQ(Call("concat_ws", {Sc(utf8(), R"("-")"), A(utf8(), R"(["a", null])"), A(utf8(), R"([null, "b"])"),
                               A(utf8(), R"(["c", "d"])")}),
            "a-c | b-d");
  EXPECT_EQ(Call("concat_ws", {Sc(utf8(), R"(",")"), A(arrow::list(utf8()), R"([["x", null, "y"]])")}), "x,y");
  EXPECT_EQ(Call("trim", {A(utf8(), R"(["  a b  ", null])")}), "a b | NULL");
  EXPECT_EQ(Call("ltrim", {A(utf8(), R"(["  a  "])")}), "a  ");
  EXPECT_EQ(Call("rtrim", {A(utf8(), R"(["  a  "])")}), "  a");
  // trim/ltrim/rtrim(trimStr, str), btrim(str, trimStr), as pyspark 4 computes them.
  EXPECT_EQ(Call("trim", {A(utf8(), R"(["x"])"), A(utf8(), R"(["xxaxx"])")}), "a");
  EXPECT_EQ(Call("trim", {A(utf8(), R"(["xxaxx"])"), A(utf8(), R"(["x"])")}), "");
  EXPECT_EQ(Call("ltrim", {A(utf8(), R"(["x"])"), A(utf8(), R"(["xxa"])")}), "a");
  EXPECT_EQ(Call("rtrim", {A(utf8(), R"(["x"])"), A(utf8(), R"(["axx"])")}), "a");
  EXPECT_EQ(Call("btrim", {A(utf8(), R"(["xxaxx"])"), A(utf8(), R"(["x"])")}), "a");
  EXPECT_EQ(Call("lpad", {A(utf8(), R"(["hi", "hi", "hello"])"), A(int32(), "[5, 5, 2]"), A(utf8(), R"(["ab", "", "x"])")}),
            "abahi | hi | he");
  EXPECT_EQ(Call("rpad", {A(utf8(), R"(["hi"])"), A(int32(), "[4]")}), "hi  ");
  EXPECT_EQ(Call("lpad", {A(utf8(), R"(["hi"])"), A(int32(), "[-1]")}), "");
}

TEST(StringFunctionsTest, SearchAndReplace) {
  EXPECT_EQ(Call("replace", {A(utf8(), R"(["abcabc"])"), A(utf8(), R"(["b"])"), A(utf8(), R"(["XY"])")}),
            "aXYcaXYc");
  EXPECT_EQ(Call("replace", {A(utf8(), R"(["abcabc"])"), A(utf8(), R"(["b"])")}), "acac");
  EXPECT_EQ(Call("instr", {A(utf8(), R"(["héllo", "abc"])"), A(utf8(), R"(["l", "z"])")}), "3 | 0");
  EXPECT_EQ(Call("locate", {A(utf8(), R"(["b", "b", "b"])"), A(utf8(), R"(["abcb", "abcb", "abcb"])"),
                            A(int32(), "[1, 3, 0]")}),
            "2 | 4 | 0");
  EXPECT_EQ(Call("repeat", {A(utf8(), R"(["ab"])"), A(int32(), "[3]")}), "ababab");
  EXPECT_EQ(Call("reverse", {A(utf8(), R"(["héllo"])")}), "olléh");
  EXPECT_EQ(Call("translate", {A(utf8(), R"(["AaBbCc"])"), A(utf8(), R"(["abc"])"), A(utf8(), R"(["12"])")}),
            "A1B2C");
  EXPECT_EQ(Call("ascii", {A(utf8(), R"(["A", ""])")}), "65 | 0");
  EXPECT_EQ(Call("chr", {A(int64(), "[65, 321, -1]")}), "A | A | ");
  EXPECT_EQ(Call("startswith", {A(utf8(), R"(["Spark"])"), A(utf8(), R"(["Sp"])")}), "true");
  EXPECT_EQ(Call("endswith", {A(utf8(), R"(["Spark"])"), A(utf8(), R"(["Sp"])")}), "false");
  EXPECT_EQ(Call("contains", {A(utf8(), R"(["Spark"])"), A(utf8(), R"(["par"])")}), "true");
  EXPECT_EQ(Call("substring_index", {A(utf8(), R"(["www.apache.org", "www.apache.org"])"),
                                     A(utf8(), R"([".", "."])"), A(int32(), "[2, -2]")}),
            "www.apache | apache.org");
  EXPECT_EQ(Call("find_in_set", {A(utf8(), R"(["ab"])"), A(utf8(), R"(["abc,b,ab,c,def"])")}), "3");
  EXPECT_EQ(Call("levenshtein", {A(utf8(), R"(["kitten"])"), A(utf8(), R"(["sitting"])")}), "3");
}

TEST(StringFunctionsTest, Encodings) {
  EXPECT_EQ(Call("base64", {A(binary(), R"(["Spark SQL", "", "a"])")}), "U3BhcmsgU1FM |  | YQ==");
  EXPECT_EQ(Call("unbase64", {A(utf8(), R"(["U3BhcmsgU1FM"])")}), "Spark SQL");
  EXPECT_EQ(Call("hex", {A(int64(), "[17, -1]")}), "11 | FFFFFFFFFFFFFFFF");
  EXPECT_EQ(Call("hex", {A(utf8(), R"(["Spark SQL"])")}), "537061726B2053514C");
  EXPECT_EQ(Call("unhex", {A(utf8(), R"(["537061726B2053514C", "zz"])")}), "Spark SQL | NULL");
}

TEST(StringFunctionsTest, Formatting) {
  EXPECT_EQ(Call("format_number", {A(float64(), "[12332.123456, 0.5, -1234.5]"), A(int32(), "[4, 0, 1]")}),
            "12,332.1235 | 0 | -1,234.5");
  EXPECT_EQ(Call("format_number", {A(int64(), "[1234567]"), A(int32(), "[2]")}), "1,234,567.00");
  EXPECT_EQ(Call("format_string", {A(utf8(), R"(["Hello World %d %s"])"), A(int32(), "[100]"),
                                   A(utf8(), R"(["days"])")}),
            "Hello World 100 days");
  EXPECT_EQ(Call("printf", {A(utf8(), R"(["%05d|%.2f|%-4s|%x"])"), A(int32(), "[42]"),
                            A(float64(), "[3.14159]"), A(utf8(), R"(["ab"])"), A(int32(), "[255]")}),
            "00042|3.14|ab  |ff");
  EXPECT_EQ(Call("format_string", {A(utf8(), R"(["%s"])"), A(utf8(), "[null]")}), "null");
}

}  // namespace
}  // namespace basin::function
