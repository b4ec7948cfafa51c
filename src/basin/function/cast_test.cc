#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/function/cast.h"
#include "basin/function/function_test_support.h"

namespace basin::function {
namespace {

using arrow::binary;
using arrow::boolean;
using arrow::date32;
using arrow::decimal128;
using arrow::float32;
using arrow::float64;
using arrow::int16;
using arrow::int32;
using arrow::int64;
using arrow::int8;
using arrow::utf8;

TEST(CastTest, Time) {
  const auto time = arrow::time64(arrow::TimeUnit::NANO);
  EXPECT_EQ(CastRender(A(utf8(), R"(["1:2", " 12:34:56.1234567 ", "T01:02:03.", null])"), time),
            "01:02:00 | 12:34:56.123456 | 01:02:03 | NULL");
  EXPECT_EQ(CastRender(A(utf8(), R"(["24:00:00"])"), time), "ERROR:CAST_INVALID_INPUT");
  EXPECT_EQ(CastRender(A(utf8(), R"(["12"])"), time, true), "NULL");
  EXPECT_EQ(CastRender(A(time, "[45296500000000]"), int64()), "45296");
  EXPECT_EQ(CastRender(A(time, "[45296500000000]"), decimal128(10, 2)), "45296.50");
  EXPECT_EQ(CastRender(A(time, "[45296500000000]"), int8()), "ERROR:CAST_OVERFLOW");
  EXPECT_EQ(FormatTime(45296120000000), "12:34:56.12");
  EXPECT_FALSE(CanCast(*time, *arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  EXPECT_FALSE(CanCast(*int32(), *time));
}

TEST(CastTest, StringToNumbers) {
  EXPECT_EQ(CastRender(A(utf8(), R"([" 12 ", "-3", "+4", null])"), int32()), "12 | -3 | 4 | NULL");
  // ANSI rejects a fraction (Spark 4); legacy mode truncates it.
  EXPECT_EQ(CastRender(A(utf8(), R"(["1.9"])"), int32()), "ERROR:CAST_INVALID_INPUT");
  EXPECT_EQ(CastRender(A(utf8(), R"(["1.9"])"), int32(), true), "NULL");
  EXPECT_EQ(CastRender(A(utf8(), R"(["1.9"])"), int32(), false, NonAnsi()), "1");
  EXPECT_EQ(CastRender(A(utf8(), R"(["abc"])"), int32()), "ERROR:CAST_INVALID_INPUT");
  EXPECT_EQ(CastRender(A(utf8(), R"(["abc"])"), int32(), true), "NULL");
  EXPECT_EQ(CastRender(A(utf8(), R"(["abc"])"), int32(), false, NonAnsi()), "NULL");
  EXPECT_EQ(CastRender(A(utf8(), R"(["300"])"), int8()), "ERROR:CAST_INVALID_INPUT");
  EXPECT_EQ(CastRender(A(utf8(), R"(["9223372036854775807"])"), int64()), "9223372036854775807");
  EXPECT_EQ(CastRender(A(utf8(), R"(["1e3", " 2.5 ", "NaN", "-Infinity", "inf"])"), float64()),
            "1000.0 | 2.5 | NaN | -Infinity | Infinity");
  EXPECT_EQ(CastRender(A(utf8(), R"(["12345"])"), decimal128(5, 2)),
            "ERROR:NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION");
  EXPECT_EQ(CastRender(A(utf8(), R"(["1.005", "-0.5"])"), decimal128(5, 2)), "1.01 | -0.50");
  EXPECT_EQ(CastRender(A(utf8(), R"(["12345"])"), decimal128(5, 2), true), "NULL");
  EXPECT_EQ(CastRender(A(utf8(), R"(["1e2"])"), decimal128(5, 2)), "100.00");
}

TEST(CastTest, NegativeDecimalScaleCountsTens) {
  // spark.sql.legacy.allowNegativeScaleOfDecimal (values from Spark 4.2): HALF_UP to tens, an
  // overflow past the precision, plain text.
  EXPECT_EQ(CastRender(A(int64(), "[1, 11, 15, -15, 94, null]"), decimal128(1, -1)),
            "0 | 10 | 20 | -20 | 90 | NULL");
  EXPECT_EQ(CastRender(A(int64(), "[95]"), decimal128(1, -1)),
            "ERROR:NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION");
  EXPECT_EQ(CastRender(A(int64(), "[95]"), decimal128(1, -1), true), "NULL");
  const auto tens = decimal128(2, -1);
  auto values = Cast(*MakeDatum(A(int64(), "[20, -90, 0]")), tens, false, EvalContext());
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_EQ(Render(Cast(*values, utf8(), false, EvalContext()), EvalContext()), "20 | -90 | 0");
  EXPECT_EQ(Render(Cast(*values, float64(), false, EvalContext()), EvalContext()),
            "20.0 | -90.0 | 0.0");
}

TEST(CastTest, InvalidInputMessage) {
  auto d = MakeDatum(A(utf8(), R"(["abc"])"));
  auto r = Cast(*d, int32(), false, EvalContext());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "[CAST_INVALID_INPUT] The value 'abc' of the type \"STRING\" cannot be cast to \"INT\" "
            "because it is malformed. Correct the value as per the syntax, or change its target "
            "type. Use `try_cast` to tolerate malformed input and return NULL instead.");
}

TEST(CastTest, NumericNarrowing) {
  EXPECT_EQ(CastRender(A(int32(), "[127, 128]"), int8()), "ERROR:CAST_OVERFLOW");
  EXPECT_EQ(CastRender(A(int32(), "[127, 128]"), int8(), true), "127 | NULL");
  EXPECT_EQ(CastRender(A(int32(), "[128]"), int8(), false, NonAnsi()), "-128");
  EXPECT_EQ(CastRender(A(float64(), "[1.9, -1.9]"), int32()), "1 | -1");
  EXPECT_EQ(CastRender(A(float64(), "[1e20]"), int64()), "ERROR:CAST_OVERFLOW");
  EXPECT_EQ(CastRender(A(float64(), "[NaN]"), int32()), "ERROR:CAST_OVERFLOW");
  EXPECT_EQ(CastRender(A(float64(), "[1e20]"), int64(), false, NonAnsi()), "9223372036854775807");
  EXPECT_EQ(CastRender(A(decimal128(5, 2), R"(["123.99", "-1.50"])"), int32()), "123 | -1");
  EXPECT_EQ(CastRender(A(float64(), "[1.5]"), decimal128(5, 2)), "1.50");
  EXPECT_EQ(CastRender(A(float64(), "[0.125]"), decimal128(5, 2)), "0.13");
  EXPECT_EQ(CastRender(A(int64(), "[123456]"), decimal128(5, 2)),
            "ERROR:NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION");
  EXPECT_EQ(CastRender(A(decimal128(10, 4), R"(["1.2345"])"), decimal128(5, 2)), "1.23");
  EXPECT_EQ(CastRender(A(decimal128(10, 3), R"(["1.235"])"), decimal128(5, 2)), "1.24");
  EXPECT_EQ(CastRender(A(decimal128(10, 3), R"(["1.235"])"), float64()), "1.235");
  EXPECT_EQ(CastRender(A(int32(), "[3]"), float32()), "3.0");
  auto r = Cast(*MakeDatum(A(int32(), "[128]")), int8(), false, EvalContext());
  EXPECT_NE(r.status().message().find("The value 128 of the type \"INT\" cannot be cast to \"TINYINT\" due to an overflow"),
            std::string::npos)
      << r.status().message();
  auto r2 = Cast(*MakeDatum(A(int64(), "[3000000000]")), int32(), false, EvalContext());
  EXPECT_NE(r2.status().message().find("The value 3000000000L of the type \"BIGINT\""),
            std::string::npos)
      << r2.status().message();
}

TEST(CastTest, ToStringLikeSpark) {
  EXPECT_EQ(CastRender(A(float64(), "[1.0, 1e10, 1e7, 1234567.5, 0.001, 0.0001, -0.0, 1e-10, 123.456]"),
                       utf8()),
            "1.0 | 1.0E10 | 1.0E7 | 1234567.5 | 0.001 | 1.0E-4 | -0.0 | 1.0E-10 | 123.456");
  EXPECT_EQ(CastRender(A(float32(), "[0.1, 3.4028235e38]"), utf8()), "0.1 | 3.4028235E38");
  EXPECT_EQ(CastRender(A(decimal128(5, 2), R"(["1.50", "-0.05", "0.00"])"), utf8()),
            "1.50 | -0.05 | 0.00");
  EXPECT_EQ(CastRender(A(boolean(), "[true, false]"), utf8()), "true | false");
  EXPECT_EQ(CastRender(A(date32(), "[19723, -1]"), utf8()), "2024-01-01 | 1969-12-31");
  // Spark prints years after 9999 with a '+' sign.
  EXPECT_EQ(CastRender(A(date32(), "[2932896, 2932897]"), utf8()), "9999-12-31 | +10000-01-01");
  EXPECT_EQ(CastRender(A(TimestampType(), "[1704103200000000, 1704103200123000]"), utf8()),
            "2024-01-01 10:00:00 | 2024-01-01 10:00:00.123");
  EXPECT_EQ(CastRender(A(TimestampType(), "[1704103200000000]"), utf8(), false,
                       InZone("America/Los_Angeles")),
            "2024-01-01 02:00:00");
  EXPECT_EQ(CastRender(A(arrow::list(int32()), "[[1, 2], [], null, [null, 3]]"), utf8()),
            "[1, 2] | [] | NULL | [null, 3]");
  EXPECT_EQ(CastRender(A(arrow::map(utf8(), int32()), R"([[["a", 1], ["b", 2]]])"), utf8()),
            "{a -> 1, b -> 2}");
  EXPECT_EQ(CastRender(A(arrow::struct_({arrow::field("a", int32()), arrow::field("b", utf8())}),
                         R"([{"a": 1, "b": "x"}, {"a": null, "b": "y"}])"),
                       utf8()),
            "{1, x} | {null, y}");
  EXPECT_EQ(CastRender(A(binary(), R"(["abc"])"), utf8()), "abc");
}

TEST(CastTest, Booleans) {
  EXPECT_EQ(CastRender(A(utf8(), R"(["t", "TRUE", " yes ", "1", "f", "No", "0", "n"])"), boolean()),
            "true | true | true | true | false | false | false | false");
  EXPECT_EQ(CastRender(A(utf8(), R"(["maybe"])"), boolean()), "ERROR:CAST_INVALID_INPUT");
  EXPECT_EQ(CastRender(A(int32(), "[0, 5]"), boolean()), "false | true");
  EXPECT_EQ(CastRender(A(boolean(), "[true, false]"), int32()), "1 | 0");
}

TEST(CastTest, DatesAndTimestamps) {
  EXPECT_EQ(CastRender(A(utf8(), R"(["2024-01-02", "2024-1-2", "2024", "2024-02", " 2024-03-04 ", "2024-01-02T10:00", "2024-01-02 xyz"])"),
                       date32()),
            "2024-01-02 | 2024-01-02 | 2024-01-01 | 2024-02-01 | 2024-03-04 | 2024-01-02 | 2024-01-02");
  EXPECT_EQ(CastRender(A(utf8(), R"(["2024-02-30"])"), date32()), "ERROR:CAST_INVALID_INPUT");
  EXPECT_EQ(CastRender(A(utf8(), R"(["2024-13-01"])"), date32(), true), "NULL");
  EXPECT_EQ(CastRender(A(utf8(), R"(["2024-01-02 10:11:12.345", "2024-01-02T10:11", "2024-01-02", "2024-01-02 10:11:12Z", "2024-01-02 10:11:12+01:00"])"),
                       TimestampType()),
            "2024-01-02 10:11:12.345 | 2024-01-02 10:11:00 | 2024-01-02 00:00:00 | 2024-01-02 10:11:12 | 2024-01-02 09:11:12");
  // Without a zone the text is read in the session zone.
  EXPECT_EQ(CastRender(A(utf8(), R"(["2024-07-01 12:00:00"])"), TimestampType(), false,
                       InZone("America/Los_Angeles")),
            "2024-07-01 12:00:00");
  auto la = InZone("America/Los_Angeles");
  auto d = MakeDatum(A(utf8(), R"(["2024-07-01 12:00:00"])"));
  auto ts = Cast(*d, TimestampType(), false, la);
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(static_cast<const arrow::TimestampArray&>(*ts->make_array()).Value(0),
            1719860400000000LL);  // 19:00 UTC
  EXPECT_EQ(CastRender(A(utf8(), R"(["bad"])"), TimestampType()), "ERROR:CAST_INVALID_INPUT");
  EXPECT_EQ(CastRender(A(date32(), "[19723]"), TimestampType(), false, la), "2024-01-01 00:00:00");
  EXPECT_EQ(CastRender(A(TimestampType(), "[1704070800000000]"), date32(), false, la),
            "2023-12-31");  // 01:00 UTC is the previous evening in Los Angeles
  EXPECT_EQ(CastRender(A(TimestampType(), "[1704103200500000, -1500000]"), int64()),
            "1704103200 | -2");
  EXPECT_EQ(CastRender(A(TimestampType(), "[1500000]"), float64()), "1.5");
  EXPECT_EQ(CastRender(A(int64(), "[1704103200]"), TimestampType()), "2024-01-01 10:00:00");
  EXPECT_EQ(CastRender(A(float64(), "[1.5]"), TimestampType()), "1970-01-01 00:00:01.5");
  EXPECT_EQ(CastRender(A(TimestampNtzType(), "[1704103200000000]"), utf8(), false, la),
            "2024-01-01 10:00:00");
}

TEST(CastTest, NestedCasts) {
  EXPECT_EQ(CastRender(A(arrow::list(utf8()), R"([["1", "2"], null])"), arrow::list(int32())),
            "[1, 2] | NULL");
  EXPECT_EQ(CastRender(A(arrow::list(utf8()), R"([["x"]])"), arrow::list(int32())),
            "ERROR:CAST_INVALID_INPUT");
  EXPECT_EQ(CastRender(A(arrow::struct_({arrow::field("a", utf8())}), R"([{"a": "5"}])"),
                       arrow::struct_({arrow::field("b", int64())})),
            "{5}");
}

TEST(CastTest, CanCast) {
  EXPECT_TRUE(CanCast(*utf8(), *int32()));
  EXPECT_TRUE(CanCast(*int32(), *utf8()));
  EXPECT_TRUE(CanCast(*date32(), *TimestampType()));
  EXPECT_FALSE(CanCast(*date32(), *int32()));
  EXPECT_FALSE(CanCast(*int32(), *date32()));
  EXPECT_TRUE(CanCast(*arrow::list(utf8()), *arrow::list(int32())));
  EXPECT_FALSE(CanCast(*arrow::list(int32()), *int32()));
  EXPECT_EQ(CastRender(A(date32(), "[1]"), int32()),
            "ERROR:DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION");
  EXPECT_EQ(CastRender(A(arrow::null(), "[null, null]"), int32()), "NULL | NULL");
}

TEST(CastTest, MismatchErrorSuggestsAFunction) {
  // Spark: CAST(1 AS DATE) suggests DATE_FROM_UNIX_DATE; CAST(DATE AS INT) suggests UNIX_DATE.
  auto a = CastMismatchError(*int32(), *date32(), "CAST(1 AS DATE)", "");
  EXPECT_EQ(ErrorClassOf(a).value_or(""), "DATATYPE_MISMATCH.CAST_WITH_FUNC_SUGGESTION");
  EXPECT_NE(a.message().find("DATE_FROM_UNIX_DATE"), std::string::npos);
  auto b = CastMismatchError(*date32(), *int32(), "CAST(d AS INT)", "");
  EXPECT_NE(b.message().find("UNIX_DATE"), std::string::npos);
  auto c = CastMismatchError(*arrow::list(int32()), *int32(), "CAST(a AS INT)", "");
  EXPECT_EQ(ErrorClassOf(c).value_or(""), "DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION");
}

}  // namespace
}  // namespace basin::function
