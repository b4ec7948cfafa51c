#include <limits>
#include <string>
#include <vector>

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/function/function_test_support.h"

namespace basin::function {
namespace {

using arrow::decimal128;
using arrow::float64;
using arrow::int16;
using arrow::int32;
using arrow::int64;
using arrow::int8;

TEST(ArithmeticTest, IntegerOps) {
  EXPECT_EQ(Call("+", {A(int32(), "[1, null, 3]"), A(int32(), "[2, 2, null]")}), "3 | NULL | NULL");
  EXPECT_EQ(Call("-", {A(int32(), "[1]"), A(int64(), "[5]")}), "-4");
  EXPECT_EQ(Call("*", {A(int16(), "[100]"), A(int16(), "[300]")}), "30000");
  EXPECT_EQ(Call("*", {A(int16(), "[200]"), A(int16(), "[300]")}), "ERROR:BINARY_ARITHMETIC_OVERFLOW");
  EXPECT_EQ(Call("*", {A(int32(), "[200]"), A(int32(), "[300]")}), "60000");
  EXPECT_EQ(Call("div", {A(int32(), "[7, -7]"), A(int32(), "[2, 2]")}), "3 | -3");
  EXPECT_EQ(Call("%", {A(int32(), "[7, -7]"), A(int32(), "[3, 3]")}), "1 | -1");
  EXPECT_EQ(Call("pmod", {A(int32(), "[7, -7]"), A(int32(), "[3, 3]")}), "1 | 2");
  EXPECT_EQ(Call("/", {A(int32(), "[1, 3]"), A(int32(), "[2, 1]")}), "0.5 | 3.0");
}

TEST(ArithmeticTest, OverflowUnderAnsi) {
  EXPECT_EQ(Call("+", {A(int32(), "[2147483647]"), A(int32(), "[1]")}), "ERROR:ARITHMETIC_OVERFLOW");
  EXPECT_EQ(Call("+", {A(int64(), "[9223372036854775807]"), A(int64(), "[1]")}),
            "ERROR:ARITHMETIC_OVERFLOW");
  EXPECT_EQ(Call("try_add", {A(int32(), "[2147483647, 1]"), A(int32(), "[1, 1]")}), "NULL | 2");
  EXPECT_EQ(Call("try_multiply", {A(int64(), "[9223372036854775807]"), A(int64(), "[2]")}), "NULL");
  EXPECT_EQ(Call("try_subtract", {A(int8(), "[-128]"), A(int8(), "[1]")}), "NULL");
  EXPECT_EQ(Call("+", {A(int32(), "[2147483647]"), A(int32(), "[1]")}, NonAnsi()), "-2147483648");
  EXPECT_EQ(Call("negative", {A(int32(), "[-2147483648]")}), "ERROR:ARITHMETIC_OVERFLOW");
  EXPECT_EQ(Call("negative", {A(int32(), "[5, null]")}), "-5 | NULL");
  EXPECT_EQ(Call("abs", {A(int32(), "[-2147483648]")}), "ERROR:ARITHMETIC_OVERFLOW");
  EXPECT_EQ(Call("abs", {A(int32(), "[-3]")}), "3");
  auto r = CallDatum("+", {A(int32(), "[2147483647]"), A(int32(), "[1]")}, EvalContext());
  EXPECT_NE(r.status().message().find("try_add"), std::string::npos) << r.status().message();
}

TEST(ArithmeticTest, TwoStringsDoNotResolve) {
  // Spark (ANSI): '1' + '2' and pmod('7', '3') fail with BINARY_OP_WRONG_TYPE; '1.5' + 1 works.
  EXPECT_EQ(Call("+", {A(arrow::utf8(), R"(["1"])"), A(arrow::utf8(), R"(["2"])")}),
            "ERROR:DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE");
  EXPECT_EQ(Call("pmod", {A(arrow::utf8(), R"(["7"])"), A(arrow::utf8(), R"(["3"])")}),
            "ERROR:DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE");
}

TEST(ArithmeticTest, NarrowIntegralOverflow) {
  // Spark: CAST(127 AS TINYINT) + CAST(1 AS TINYINT) raises BINARY_ARITHMETIC_OVERFLOW.
  EXPECT_EQ(Call("+", {A(int8(), "[127]"), A(int8(), "[1]")}), "ERROR:BINARY_ARITHMETIC_OVERFLOW");
  EXPECT_EQ(Call("*", {A(int16(), "[32767]"), A(int16(), "[2]")}),
            "ERROR:BINARY_ARITHMETIC_OVERFLOW");
  EXPECT_EQ(Call("+", {A(int32(), "[2147483647]"), A(int32(), "[1]")}), "ERROR:ARITHMETIC_OVERFLOW");
}

TEST(ArithmeticTest, DivideByZero) {
  EXPECT_EQ(Call("/", {A(int32(), "[1]"), A(int32(), "[0]")}), "ERROR:DIVIDE_BY_ZERO");
  EXPECT_EQ(Call("/", {A(float64(), "[1.0]"), A(float64(), "[0.0]")}), "ERROR:DIVIDE_BY_ZERO");
  EXPECT_EQ(Call("try_divide", {A(int32(), "[1, 4]"), A(int32(), "[0, 2]")}), "NULL | 2.0");
  EXPECT_EQ(Call("/", {A(int32(), "[1]"), A(int32(), "[0]")}, NonAnsi()), "NULL");
  // Spark raises REMAINDER_BY_ZERO (not DIVIDE_BY_ZERO) for %, mod and pmod.
  EXPECT_EQ(Call("%", {A(int32(), "[1]"), A(int32(), "[0]")}), "ERROR:REMAINDER_BY_ZERO");
  EXPECT_EQ(Call("pmod", {A(int32(), "[1]"), A(int32(), "[0]")}), "ERROR:REMAINDER_BY_ZERO");
  EXPECT_EQ(Call("%", {A(float64(), "[1.5]"), A(float64(), "[0.0]")}), "ERROR:REMAINDER_BY_ZERO");
  EXPECT_EQ(Call("try_mod", {A(int32(), "[1]"), A(int32(), "[0]")}), "NULL");
  EXPECT_EQ(Call("div", {A(int64(), "[1]"), A(int64(), "[0]")}), "ERROR:DIVIDE_BY_ZERO");
  EXPECT_EQ(Call("/", {A(decimal128(5, 2), R"(["1.00"])"), A(decimal128(5, 2), R"(["0.00"])")}),
            "ERROR:DIVIDE_BY_ZERO");
}

TEST(ArithmeticTest, Decimals) {
  EXPECT_EQ(Call("+", {A(decimal128(10, 2), R"(["1.25"])"), A(decimal128(5, 3), R"(["2.001"])")}),
            "3.251");
  EXPECT_EQ(Call("*", {A(decimal128(10, 2), R"(["1.25"])"), A(decimal128(5, 3), R"(["2.001"])")}),
            "2.50125");
  EXPECT_EQ(Call("/", {A(decimal128(10, 2), R"(["1.00"])"), A(decimal128(10, 2), R"(["3.00"])")}),
            "0.3333333333333");
  EXPECT_EQ(Call("/", {A(decimal128(10, 2), R"(["2.00"])"), A(decimal128(10, 2), R"(["3.00"])")}),
            "0.6666666666667");
  EXPECT_EQ(Call("-", {A(decimal128(10, 2), R"(["1.00"])"), A(int32(), "[3]")}), "-2.00");
  EXPECT_EQ(Call("%", {A(decimal128(10, 2), R"(["7.50"])"), A(decimal128(10, 2), R"(["2.00"])")}),
            "1.50");
  EXPECT_EQ(Call("+", {A(decimal128(38, 0), R"(["99999999999999999999999999999999999999"])"),
                      A(decimal128(38, 0), R"(["1"])")}),
            "ERROR:NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION");
  EXPECT_EQ(Call("try_add", {A(decimal128(38, 0), R"(["99999999999999999999999999999999999999"])"),
                            A(decimal128(38, 0), R"(["1"])")}),
            "NULL");
  EXPECT_EQ(Call("*", {A(decimal128(38, 10), R"(["1.5000000000"])"), A(decimal128(38, 10), R"(["2.0000003000"])")}),
            "3.000000");
  EXPECT_EQ(Call("div", {A(decimal128(10, 2), R"(["7.50"])"), A(decimal128(10, 2), R"(["2.00"])")}),
            "3");
}

TEST(ArithmeticTest, Doubles) {
  EXPECT_EQ(Call("+", {A(float64(), "[0.1]"), A(float64(), "[0.2]")}), "0.30000000000000004");
  EXPECT_EQ(Call("*", {A(float64(), "[1e10]"), A(int32(), "[1]")}), "1.0E10");
  EXPECT_EQ(Call("%", {A(float64(), "[-7.5]"), A(float64(), "[2]")}), "-1.5");
  EXPECT_EQ(Call("pmod", {A(float64(), "[-7.5]"), A(float64(), "[2]")}), "0.5");
}

TEST(ArithmeticTest, ScalarsGiveScalars) {
  auto r = CallDatum("+", {Sc(int32(), "1"), Sc(int32(), "2")}, EvalContext());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_scalar());
  EXPECT_EQ(Call("+", {A(int32(), "[1, 2]"), Sc(int32(), "10")}), "11 | 12");
}

// `column % constant` takes a multiply-and-shift path for non-negative values below 2^32 and
// divisors up to 2^32 - 1: it must agree with the division everywhere, at the edges too.
TEST(ArithmeticTest, RemainderByConstantAgreesWithDivision) {
  std::vector<int64_t> values = {0,
                                 1,
                                 2,
                                 3,
                                 7,
                                 9,
                                 10,
                                 99,
                                 1000,
                                 999999,
                                 1000000,
                                 1000001,
                                 2147483647,
                                 2147483648LL,
                                 4294967294LL,
                                 4294967295LL,
                                 4294967296LL,
                                 9007199254740993LL,
                                 -1,
                                 -7,
                                 -1000000,
                                 -4294967296LL};
  values.push_back(std::numeric_limits<int64_t>::max());
  values.push_back(std::numeric_limits<int64_t>::min());
  const std::vector<int64_t> divisors = {
      1, 2, 3, 7, 10, 641, 1000000, 2147483647, 2147483648LL, 4294967295LL, 4294967296LL, -1, -3};
  std::string json = "[";
  for (size_t i = 0; i < values.size(); ++i) json += (i ? ", " : "") + std::to_string(values[i]);
  json += ", null]";
  for (int64_t d : divisors) {
    std::string expected;
    for (int64_t v : values) {
      const int64_t r = d == -1 ? 0 : v % d;
      expected += std::to_string(r) + " | ";
    }
    expected += "NULL";
    EXPECT_EQ(Call("%", {A(int64(), json), Sc(int64(), std::to_string(d))}), expected) << d;
  }
  // int columns: every divisor of the fast path, negative dividends by the general one.
  EXPECT_EQ(Call("%", {A(int32(), "[0, 5, 2147483647, -2147483648, -5, null]"), Sc(int32(), "7")}),
            "0 | 5 | 1 | -2 | -5 | NULL");
  EXPECT_EQ(Call("%", {A(int32(), "[2147483647, 12]"), Sc(int32(), "1")}), "0 | 0");
}

TEST(ArithmeticTest, Comparisons) {
  EXPECT_EQ(Call("<", {A(int32(), "[1, 2, null]"), A(int64(), "[2, 2, 1]")}), "true | false | NULL");
  EXPECT_EQ(Call("=", {A(float64(), "[NaN, 1]"), A(float64(), "[NaN, 2]")}), "true | false");
  EXPECT_EQ(Call(">", {A(float64(), "[NaN]"), A(float64(), "[Infinity]")}), "true");
  EXPECT_EQ(Call("<=>", {A(int32(), "[null, null, 1]"), A(int32(), "[null, 1, 1]")}),
            "true | false | true");
  EXPECT_EQ(Call("!=", {A(arrow::utf8(), R"(["a", "b"])"), A(arrow::utf8(), R"(["a", "c"])")}),
            "false | true");
  EXPECT_EQ(Call(">=", {A(decimal128(5, 2), R"(["1.50"])"), A(int32(), "[1]")}), "true");
  EXPECT_EQ(Call("=", {A(arrow::list(int32()), "[[1, 2], [1]]"), A(arrow::list(int32()), "[[1, 2], [2]]")}),
            "true | false");
  EXPECT_EQ(Call("and", {A(arrow::boolean(), "[true, false, null, null]"),
                        A(arrow::boolean(), "[null, null, false, true]")}),
            "NULL | false | false | NULL");
  EXPECT_EQ(Call("or", {A(arrow::boolean(), "[true, false, null]"),
                       A(arrow::boolean(), "[null, null, true]")}),
            "true | NULL | true");
  EXPECT_EQ(Call("not", {A(arrow::boolean(), "[true, null]")}), "false | NULL");
}

TEST(ArithmeticTest, Bitwise) {
  EXPECT_EQ(Call("&", {A(int32(), "[12]"), A(int32(), "[10]")}), "8");
  EXPECT_EQ(Call("|", {A(int32(), "[12]"), A(int32(), "[10]")}), "14");
  EXPECT_EQ(Call("^", {A(int32(), "[12]"), A(int32(), "[10]")}), "6");
  EXPECT_EQ(Call("~", {A(int32(), "[0]")}), "-1");
  EXPECT_EQ(Call("shiftleft", {A(int32(), "[1]"), A(int32(), "[33]")}), "2");
  EXPECT_EQ(Call("shiftright", {A(int64(), "[-8]"), A(int32(), "[1]")}), "-4");
  EXPECT_EQ(Call("shiftrightunsigned", {A(int32(), "[-8]"), A(int32(), "[28]")}), "15");
}

TEST(ArithmeticTest, Math) {
  EXPECT_EQ(Call("round", {A(float64(), "[2.5, -2.5, 0.125]"), A(int32(), "[0, 0, 2]")}),
            "3.0 | -3.0 | 0.13");
  EXPECT_EQ(Call("bround", {A(float64(), "[2.5, 3.5]")}), "2.0 | 4.0");
  EXPECT_EQ(Call("round", {A(int32(), "[125]"), A(int32(), "[-1]")}), "130");
  EXPECT_EQ(Call("round", {A(decimal128(5, 2), R"(["1.25", "-1.50"])")}), "1 | -2");
  EXPECT_EQ(ReturnType("round", {decimal128(5, 2)}), "DECIMAL(4,0)");
  EXPECT_EQ(Call("ceil", {A(float64(), "[1.1, -1.1]")}), "2 | -1");
  EXPECT_EQ(Call("floor", {A(float64(), "[1.1, -1.1]")}), "1 | -2");
  EXPECT_EQ(Call("ceil", {A(decimal128(5, 2), R"(["1.01"])")}), "2");
  EXPECT_EQ(Call("sqrt", {A(float64(), "[4, -1]")}), "2.0 | NaN");
  EXPECT_EQ(Call("ln", {A(float64(), "[1, 0]")}), "0.0 | NULL");
  EXPECT_EQ(Call("log", {A(float64(), "[2]"), A(float64(), "[8]")}), "3.0");
  EXPECT_EQ(Call("pow", {A(int32(), "[2]"), A(int32(), "[10]")}), "1024.0");
  EXPECT_EQ(Call("sign", {A(int32(), "[-5]")}), "-1.0");
  EXPECT_EQ(Call("greatest", {A(int32(), "[1, null]"), A(int64(), "[3, null]"), A(int32(), "[2, 5]")}),
            "3 | 5");
  EXPECT_EQ(Call("least", {A(arrow::utf8(), R"(["b"])"), A(arrow::utf8(), R"(["a"])")}), "a");
  EXPECT_EQ(Call("pi", {}), "3.141592653589793");
  EXPECT_EQ(Call("bin", {A(int64(), "[5]")}), "101");
  EXPECT_EQ(Call("factorial", {A(int32(), "[5, 21]")}), "120 | NULL");
}

TEST(ArithmeticTest, RandWithSeedIsRepeatable) {
  const std::string a = Call("rand", {Sc(int64(), "42")});
  EXPECT_EQ(a, Call("rand", {Sc(int64(), "42")}));
  // Spark: SELECT rand(0) -> 0.7604953758285915 on partition 0.
  EXPECT_EQ(Call("rand", {Sc(int32(), "0")}), "0.7604953758285915");
}

}  // namespace
}  // namespace basin::function
