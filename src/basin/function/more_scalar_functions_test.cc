#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/function/function_test_support.h"

// Expected values were produced by pyspark 4 (local mode, session time zone UTC, ANSI on).

namespace basin::function {
namespace {

using arrow::binary;
using arrow::boolean;
using arrow::date32;
using arrow::float64;
using arrow::int32;
using arrow::int64;
using arrow::utf8;

// Runs `name` as the analyzer binds it: scalar arguments are passed as constants (literals).
std::string CallC(const std::string& name, const std::vector<TestArg>& args) {
  const EvalContext ctx;
  std::vector<TypePtr> types;
  std::vector<arrow::Datum> values, constants;
  int64_t length = 1;
  for (const auto& a : args) {
    auto d = MakeDatum(a);
    if (!d.ok()) return "BADTEST:" + d.status().ToString();
    types.push_back(a.type);
    if (d->is_array()) length = d->length();
    values.push_back(*d);
    constants.push_back(a.scalar ? *d : arrow::Datum());
  }
  auto bound = BuiltinRegistry().BindScalarWithConstants(name, types, constants);
  if (!bound.ok()) return Render(bound.status(), ctx);
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i].type()->Equals(*bound->arg_types[i])) {
      auto cast = Cast(values[i], bound->arg_types[i], false, ctx);
      if (!cast.ok()) return Render(cast.status(), ctx);
      values[i] = *cast;
    }
  }
  return Render(bound->kernel->Execute(values, length, ctx), ctx);
}

TEST(MoreScalarFunctionsTest, DayAndMonthNames) {
  // 2024-01-01 is day 19723.
  EXPECT_EQ(Call("dayname", {A(date32(), "[19723, 19729, null]")}), "Mon | Sun | NULL");
  EXPECT_EQ(Call("monthname", {A(date32(), "[19723, 19782]")}), "Jan | Feb");
  EXPECT_EQ(ReturnType("dayname", {int32()}), "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
}

TEST(MoreScalarFunctionsTest, NullIfZeroAndZeroIfNull) {
  EXPECT_EQ(Call("nullifzero", {A(int32(), "[0, 5, null]")}), "NULL | 5 | NULL");
  EXPECT_EQ(Call("nullifzero", {A(float64(), "[-0.0, 1.5]")}), "NULL | 1.5");
  EXPECT_EQ(Call("nullifzero", {A(utf8(), R"(["0", "7"])")}), "NULL | 7");
  EXPECT_EQ(Call("nullifzero", {A(utf8(), R"(["abc"])")}), "ERROR:CAST_INVALID_INPUT");
  EXPECT_EQ(ReturnType("nullifzero", {boolean()}), "ERROR:DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES");
  EXPECT_EQ(Call("zeroifnull", {A(int32(), "[null, 5]")}), "0 | 5");
  EXPECT_EQ(ReturnType("zeroifnull", {arrow::int16()}), "INT");
  EXPECT_EQ(ReturnType("zeroifnull", {arrow::decimal128(5, 2)}), "DECIMAL(12,2)");
  EXPECT_EQ(ReturnType("zeroifnull", {boolean()}), "ERROR:DATATYPE_MISMATCH.DATA_DIFF_TYPES");
}

TEST(MoreScalarFunctionsTest, SplitPart) {
  const auto s = Sc(utf8(), R"("11.12.13")");
  const auto dot = Sc(utf8(), R"(".")");
  EXPECT_EQ(Call("split_part", {s, dot, A(int64(), "[3, -1, 5, -5, null]")}),
            "13 | 13 |  |  | NULL");
  EXPECT_EQ(Call("split_part", {s, Sc(utf8(), R"("")"), A(int64(), "[1, 2]")}), "11.12.13 | ");
  EXPECT_EQ(Call("split_part", {s, dot, Sc(int64(), "0")}), "ERROR:INVALID_INDEX_OF_ZERO");
}

TEST(MoreScalarFunctionsTest, Overlay) {
  const auto s = Sc(utf8(), R"("Spark SQL")");
  EXPECT_EQ(Call("overlay", {s, Sc(utf8(), R"("_")"), Sc(int32(), "6")}), "Spark_SQL");
  EXPECT_EQ(Call("overlay", {s, Sc(utf8(), R"("tructured")"), Sc(int32(), "2"), Sc(int32(), "4")}),
            "Structured SQL");
  EXPECT_EQ(Call("overlay", {s, Sc(utf8(), R"("X")"), A(int32(), "[0, -3, 20]")}),
            "XSpark SQL | XQL | Spark SQLX");
  EXPECT_EQ(Call("overlay", {Sc(utf8(), R"("héllo")"), Sc(utf8(), R"("É")"), Sc(int32(), "2"),
                             Sc(int32(), "1")}),
            "hÉllo");
  EXPECT_EQ(ReturnType("overlay", {binary(), binary(), int32()}), "BINARY");
  EXPECT_EQ(ReturnType("overlay", {utf8(), binary(), int32()}),
            "ERROR:DATATYPE_MISMATCH.DATA_DIFF_TYPES");
}

TEST(MoreScalarFunctionsTest, ConvAndBits) {
  EXPECT_EQ(Call("conv", {A(utf8(), R"(["100", "-1", "ff", ""])"), A(int32(), "[2, 10, 16, 10]"),
                          A(int32(), "[10, 16, -10, 16]")}),
            "4 | FFFFFFFFFFFFFFFF | 255 | NULL");
  EXPECT_EQ(
      Call("conv", {Sc(utf8(), R"("18446744073709551616")"), Sc(int32(), "10"), Sc(int32(), "10")}),
      "ERROR:ARITHMETIC_OVERFLOW");
  EXPECT_EQ(Call("bit_count", {A(arrow::int8(), "[-1, 7]")}), "64 | 3");
  EXPECT_EQ(Call("bit_get", {A(int32(), "[11, 11]"), A(int32(), "[0, 2]")}), "1 | 0");
  EXPECT_EQ(Call("getbit", {Sc(int32(), "1"), Sc(int32(), "40")}),
            "ERROR:INVALID_PARAMETER_VALUE.BIT_POSITION_RANGE");
  EXPECT_EQ(Call("width_bucket", {A(float64(), "[5.3, -0.9]"), A(float64(), "[0.2, 5.2]"),
                                  A(float64(), "[10.6, 0.5]"), A(int64(), "[5, 2]")}),
            "3 | 3");
}

TEST(MoreScalarFunctionsTest, MapsAndArrays) {
  const auto m = arrow::map(int32(), utf8());
  EXPECT_EQ(Call("map_concat", {A(m, R"([[[1, "a"]]])"), A(m, R"([[[2, "b"]]])")}),
            "{1 -> a, 2 -> b}");
  EXPECT_EQ(Call("map_concat", {A(m, R"([[[1, "a"]]])"), A(m, R"([[[1, "b"]]])")}),
            "ERROR:DUPLICATED_MAP_KEY");
  EXPECT_EQ(Call("map_concat", {A(m, R"([[[1, "a"]]])"), A(m, "[null]")}), "NULL");
  const auto l = arrow::list(int32());
  EXPECT_EQ(Call("arrays_overlap",
                 {A(l, "[[1, 2], [1, null], [1, null], []]"), A(l, "[[2], [3], [1], [null]]")}),
            "true | NULL | true | false");
  EXPECT_EQ(Call("array_insert", {A(l, "[[1, 2], [1, 2], [5, 4, 3, 2]]"), A(int32(), "[5, -5, -1]"),
                                  A(int32(), "[9, 9, 1]")}),
            "[1, 2, null, null, 9] | [9, null, null, 1, 2] | [5, 4, 3, 2, 1]");
  EXPECT_EQ(Call("array_insert", {A(l, "[[1]]"), Sc(int32(), "0"), Sc(int32(), "1")}),
            "ERROR:INVALID_INDEX_OF_ZERO");
}

TEST(MoreScalarFunctionsTest, Utf8AndText) {
  EXPECT_EQ(Call("is_valid_utf8", {A(utf8(), R"(["Spark", ""])")}), "true | true");
  EXPECT_EQ(Call("soundex", {A(utf8(), R"(["Miller", "Tymczak", "Ashcraft", "1abc", ""])")}),
            "M460 | T522 | A261 | 1abc | ");
  EXPECT_EQ(Call("luhn_check", {A(utf8(), R"(["79927398713", "79927398714", "", "a1"])")}),
            "true | false | false | false");
  EXPECT_EQ(Call("quote", {A(utf8(), R"(["Don't", null])")}), "'Don\\'t' | NULL");
  EXPECT_EQ(Call("elt", {A(int32(), "[1, 2, null]"), Sc(utf8(), R"("a")"), Sc(utf8(), R"("b")")}),
            "a | b | NULL");
  EXPECT_EQ(Call("elt", {Sc(int32(), "3"), Sc(utf8(), R"("a")"), Sc(utf8(), R"("b")")}),
            "ERROR:INVALID_ARRAY_INDEX");
  EXPECT_EQ(Call("url_encode", {Sc(utf8(), R"("a b+c&d=é~*._-")")}), "a+b%2Bc%26d%3D%C3%A9%7E*._-");
  EXPECT_EQ(Call("url_decode", {Sc(utf8(), R"("a+b%20c")")}), "a b c");
  EXPECT_EQ(Call("url_decode", {Sc(utf8(), R"("a%2")")}), "ERROR:CANNOT_DECODE_URL");
  EXPECT_EQ(Call("try_url_decode", {Sc(utf8(), R"("a%2")")}), "NULL");
  const auto url = Sc(utf8(), R"("http://user:pw@host:8080/p?q=1#frag")");
  EXPECT_EQ(Call("parse_url",
                 {url, A(utf8(), R"(["HOST", "AUTHORITY", "USERINFO", "REF", "FILE", "host"])")}),
            "host | user:pw@host:8080 | user:pw | frag | /p?q=1 | NULL");
  EXPECT_EQ(Call("parse_url", {url, Sc(utf8(), R"("QUERY")"), Sc(utf8(), R"("q")")}), "1");
  EXPECT_EQ(Call("parse_url", {Sc(utf8(), R"("http://h/p^")"), Sc(utf8(), R"("PATH")")}),
            "ERROR:INVALID_URL");
  EXPECT_EQ(Call("try_parse_url", {Sc(utf8(), R"("inva lid://spark")"), Sc(utf8(), R"("HOST")")}),
            "NULL");
}

TEST(MoreScalarFunctionsTest, TimestampsAndIntervals) {
  EXPECT_EQ(Call("make_timestamp_ntz",
                 {Sc(int32(), "2019"), Sc(int32(), "6"), Sc(int32(), "30"), Sc(int32(), "23"),
                  Sc(int32(), "59"), Sc(arrow::decimal128(16, 6), R"("60.000000")")}),
            "2019-07-01 00:00:00");
  EXPECT_EQ(Call("try_make_timestamp",
                 {Sc(int32(), "2024"), Sc(int32(), "13"), Sc(int32(), "1"), Sc(int32(), "0"),
                  Sc(int32(), "0"), Sc(arrow::decimal128(16, 6), R"("0.000000")")}),
            "NULL");
  EXPECT_EQ(Call("make_ym_interval", {Sc(int64(), "1"), Sc(int64(), "2")}),
            "INTERVAL '1-2' YEAR TO MONTH");
  EXPECT_EQ(Call("make_ym_interval", {Sc(int64(), "178956970"), Sc(int64(), "8")}),
            "ERROR:INTERVAL_ARITHMETIC_OVERFLOW.WITHOUT_SUGGESTION");
}

TEST(MoreScalarFunctionsTest, TextToValues) {
  EXPECT_EQ(Call("str_to_map", {Sc(utf8(), R"("a:1,b:2,c")")}), "{a -> 1, b -> 2, c -> null}");
  EXPECT_EQ(Call("str_to_map", {Sc(utf8(), R"("a1b2c3")"), Sc(utf8(), R"j("(?<=\\d)")j"),
                                Sc(utf8(), R"j("(?<=[a-z])")j")}),
            "{a -> 1, b -> 2, c -> 3,  -> null}");
  EXPECT_EQ(Call("str_to_map", {Sc(utf8(), R"("a:1,a:2")")}), "ERROR:DUPLICATED_MAP_KEY");
  EXPECT_EQ(Call("json_array_length",
                 {A(utf8(), R"(["[1,2,3,{\"f1\":1,\"f2\":[5,6]},4]", "[1,2", "{}", "[1] x"])")}),
            "5 | NULL | NULL | 1");
  EXPECT_EQ(
      Call("json_object_keys",
           {A(utf8(), R"(["{\"f1\":\"abc\",\"f2\":{\"f3\":\"a\"}}", "[1]", "{\"a\":tru}"])")}),
      "[f1, f2] | NULL | NULL");
  EXPECT_EQ(CallC("mask", {Sc(utf8(), R"("abcd-EFGH-8765-4321")")}), "xxxx-XXXX-nnnn-nnnn");
  EXPECT_EQ(CallC("to_binary", {Sc(utf8(), R"("abc")")}), Call("unhex", {Sc(utf8(), R"("0abc")")}));
  EXPECT_EQ(CallC("mask", {Sc(utf8(), R"("abc")"), Sc(utf8(), R"("QQ")")}),
            "ERROR:DATATYPE_MISMATCH.INPUT_SIZE_NOT_ONE");
  EXPECT_EQ(CallC("to_binary", {Sc(utf8(), R"("zz")"), Sc(utf8(), R"("hex")")}),
            "ERROR:CONVERSION_INVALID_INPUT");
  EXPECT_EQ(CallC("try_to_binary", {Sc(utf8(), R"("zz")"), Sc(utf8(), R"("hex")")}), "NULL");
}

TEST(MoreScalarFunctionsTest, NumberFormats) {
  EXPECT_EQ(
      CallC("to_number", {A(utf8(), R"(["12,454.8-", "1,2"])"), Sc(utf8(), R"("99,999.9S")")}),
      "-12454.8 | 12.0");
  EXPECT_EQ(CallC("to_number", {Sc(utf8(), R"("1")"), A(utf8(), R"(["9"])")}),
            "ERROR:DATATYPE_MISMATCH.NON_FOLDABLE_INPUT");
  EXPECT_EQ(CallC("to_number", {Sc(utf8(), R"("4545")"), Sc(utf8(), R"("999")")}),
            "ERROR:INVALID_FORMAT.MISMATCH_INPUT");
  EXPECT_EQ(CallC("try_to_number", {Sc(utf8(), R"("4545")"), Sc(utf8(), R"("999")")}), "NULL");
  EXPECT_EQ(CallC("to_char", {A(int32(), "[4, -4, 4545]"), Sc(utf8(), R"("S999")")}),
            "  +4 |   -4 | +###");
  EXPECT_EQ(CallC("to_char",
                  {A(arrow::decimal128(3, 1), R"(["-0.5", "12.5"])"), Sc(utf8(), R"("99.99PR")")}),
            "  <.50> | 12.50  ");
}

}  // namespace
}  // namespace basin::function
