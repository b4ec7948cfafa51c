#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/function/function_test_support.h"

namespace basin::function {
namespace {

using arrow::date32;
using arrow::int32;
using arrow::int64;
using arrow::utf8;

// 2024-03-15 13:45:30.123456 UTC
constexpr char kTs[] = "[1710510330123456]";

TEST(DatetimeTest, Fields) {
  const auto d = A(date32(), "[19797, null]");  // 2024-03-15 (Friday)
  EXPECT_EQ(Call("year", {d}), "2024 | NULL");
  EXPECT_EQ(Call("month", {d}), "3 | NULL");
  EXPECT_EQ(Call("day", {d}), "15 | NULL");
  EXPECT_EQ(Call("dayofweek", {d}), "6 | NULL");
  EXPECT_EQ(Call("weekday", {d}), "4 | NULL");
  EXPECT_EQ(Call("dayofyear", {d}), "75 | NULL");
  EXPECT_EQ(Call("weekofyear", {d}), "11 | NULL");
  EXPECT_EQ(Call("quarter", {d}), "1 | NULL");
  EXPECT_EQ(Call("weekofyear", {A(date32(), "[19723]")}), "1");  // 2024-01-01 (Monday)
  EXPECT_EQ(Call("weekofyear", {A(utf8(), R"(["2021-01-01"])")}), "53");
  EXPECT_EQ(Call("year", {A(TimestampType(), kTs)}), "2024");
  EXPECT_EQ(Call("hour", {A(TimestampType(), kTs)}), "13");
  EXPECT_EQ(Call("hour", {A(TimestampType(), kTs)}, InZone("Asia/Tokyo")), "22");
  EXPECT_EQ(Call("minute", {A(TimestampType(), kTs)}), "45");
  EXPECT_EQ(Call("second", {A(TimestampType(), kTs)}), "30");
  EXPECT_EQ(Call("hour", {A(utf8(), R"(["2024-01-01 07:08:09"])")}), "7");
}

TEST(DatetimeTest, Arithmetic) {
  EXPECT_EQ(Call("date_add", {A(date32(), "[19797]"), A(int32(), "[20]")}), "2024-04-04");
  EXPECT_EQ(Call("date_sub", {A(utf8(), R"(["2024-03-01"])"), A(int32(), "[1]")}), "2024-02-29");
  EXPECT_EQ(Call("datediff", {A(utf8(), R"(["2009-07-31"])"), A(utf8(), R"(["2009-07-30"])")}), "1");
  EXPECT_EQ(Call("add_months", {A(utf8(), R"(["2024-01-31", "2024-03-31"])"), A(int32(), "[1, -1]")}),
            "2024-02-29 | 2024-02-29");
  EXPECT_EQ(Call("months_between", {A(utf8(), R"(["1997-02-28 10:30:00"])"),
                                    A(utf8(), R"(["1996-10-30"])")}),
            "3.94959677");
  EXPECT_EQ(Call("months_between", {A(utf8(), R"(["2024-03-31"])"), A(utf8(), R"(["2024-02-29"])")}),
            "1.0");
  EXPECT_EQ(Call("last_day", {A(utf8(), R"(["2024-02-10"])")}), "2024-02-29");
  EXPECT_EQ(Call("next_day", {A(utf8(), R"(["2015-01-14", "2015-01-14"])"), A(utf8(), R"(["TU", "wed"])")}),
            "2015-01-20 | 2015-01-21");
  EXPECT_EQ(Call("next_day", {A(utf8(), R"(["2015-01-14"])"), A(utf8(), R"(["xx"])")}),
            "ERROR:ILLEGAL_DAY_OF_WEEK");
  EXPECT_EQ(Call("make_date", {A(int32(), "[2013, 2013]"), A(int32(), "[7, 2]"), A(int32(), "[15, 30]")}),
            "ERROR:DATETIME_FIELD_OUT_OF_BOUNDS.WITH_SUGGESTION");
  EXPECT_EQ(Call("make_date", {A(int32(), "[2013, 2013]"), A(int32(), "[7, 2]"), A(int32(), "[15, 30]")}, NonAnsi()),
            "2013-07-15 | NULL");
  EXPECT_EQ(Call("make_timestamp", {A(int32(), "[2014]"), A(int32(), "[12]"), A(int32(), "[28]"), A(int32(), "[6]"),
                                    A(int32(), "[30]"), A(arrow::decimal128(16, 6), R"(["45.887000"])")}),
            "2014-12-28 06:30:45.887");
}

TEST(DatetimeTest, Truncation) {
  const auto ts = A(TimestampType(), kTs);
  EXPECT_EQ(Call("date_trunc", {A(utf8(), R"(["YEAR"])"), ts}), "2024-01-01 00:00:00");
  EXPECT_EQ(Call("date_trunc", {A(utf8(), R"(["MM"])"), ts}), "2024-03-01 00:00:00");
  EXPECT_EQ(Call("date_trunc", {A(utf8(), R"(["week"])"), ts}), "2024-03-11 00:00:00");
  EXPECT_EQ(Call("date_trunc", {A(utf8(), R"(["hour"])"), ts}), "2024-03-15 13:00:00");
  EXPECT_EQ(Call("date_trunc", {A(utf8(), R"(["quarter"])"), ts}), "2024-01-01 00:00:00");
  EXPECT_EQ(Call("date_trunc", {A(utf8(), R"(["bogus"])"), ts}), "NULL");
  EXPECT_EQ(Call("trunc", {A(utf8(), R"(["2019-08-04"])"), A(utf8(), R"(["MONTH"])")}), "2019-08-01");
  EXPECT_EQ(Call("trunc", {A(utf8(), R"(["2019-08-04"])"), A(utf8(), R"(["hour"])")}), "NULL");
}

TEST(DatetimeTest, FormatAndParse) {
  const auto ts = A(TimestampType(), kTs);
  EXPECT_EQ(Call("date_format", {ts, A(utf8(), R"(["yyyy-MM-dd HH:mm:ss.SSS"])")}),
            "2024-03-15 13:45:30.123");
  EXPECT_EQ(Call("date_format", {ts, A(utf8(), R"(["EEE, d MMM yy h:mm a"])")}),
            "Fri, 15 Mar 24 1:45 PM");
  EXPECT_EQ(Call("date_format", {ts, A(utf8(), R"(["EEEE MMMM D 'day' XXX"])")}, InZone("Asia/Kolkata")),
            "Friday March 75 day +05:30");
  EXPECT_EQ(Call("date_format", {A(date32(), "[19797]"), A(utf8(), R"(["dd/MM/yyyy"])")}), "15/03/2024");
  EXPECT_EQ(Call("to_date", {A(utf8(), R"(["2016-12-31", "bad"])")}), "ERROR:CAST_INVALID_INPUT");
  EXPECT_EQ(Call("to_date", {A(utf8(), R"(["2016-12-31", null])")}), "2016-12-31 | NULL");
  EXPECT_EQ(Call("to_timestamp", {A(utf8(), R"([null])")}), "NULL");
  EXPECT_EQ(Call("to_date", {A(utf8(), R"(["2016-12-31", "bad"])")}, NonAnsi()), "2016-12-31 | NULL");
  EXPECT_EQ(Call("to_date", {A(utf8(), R"(["31/12/2016"])"), A(utf8(), R"(["dd/MM/yyyy"])")}), "2016-12-31");
  EXPECT_EQ(Call("to_date", {A(utf8(), R"(["2016-12"])"), A(utf8(), R"(["dd/MM/yyyy"])")}),
            "ERROR:CANNOT_PARSE_TIMESTAMP");
  EXPECT_EQ(Call("try_to_timestamp", {A(utf8(), R"(["2016-12"])"), A(utf8(), R"(["dd/MM/yyyy"])")}), "NULL");
  EXPECT_EQ(Call("to_timestamp", {A(utf8(), R"(["2016-12-31 00:12:00"])")}), "2016-12-31 00:12:00");
  EXPECT_EQ(Call("to_timestamp", {A(utf8(), R"(["20161231 0012"])"), A(utf8(), R"(["yyyyMMdd HHmm"])")}),
            "2016-12-31 00:12:00");
  EXPECT_EQ(Call("unix_timestamp", {A(utf8(), R"(["2016-04-08"])"), A(utf8(), R"(["yyyy-MM-dd"])")}),
            "1460073600");
  EXPECT_EQ(Call("unix_timestamp", {A(utf8(), R"(["2016-04-08 00:00:00"])")}, InZone("America/Los_Angeles")),
            "1460098800");
  EXPECT_EQ(Call("from_unixtime", {A(int64(), "[0]"), A(utf8(), R"(["yyyy-MM-dd HH:mm:ss"])")}),
            "1970-01-01 00:00:00");
  EXPECT_EQ(Call("from_unixtime", {A(int64(), "[0]")}, InZone("America/Los_Angeles")),
            "1969-12-31 16:00:00");
  EXPECT_EQ(Call("date_format", {ts, A(utf8(), R"(["yyyy-MM-dd ww"])")}),
            "ERROR:INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_PATTERN_RECOGNITION");
}

TEST(DatetimeTest, ZonesAndCurrentTime) {
  EvalContext ctx = InZone("America/Los_Angeles");
  ctx.statement_time_micros = 1710510330123456;
  EXPECT_EQ(Call("current_timestamp", {}, ctx), "2024-03-15 06:45:30.123456");
  EXPECT_EQ(Call("current_date", {}, ctx), "2024-03-15");
  EXPECT_EQ(Call("current_timezone", {}, ctx), "America/Los_Angeles");
  EXPECT_EQ(Call("from_utc_timestamp", {A(utf8(), R"(["2016-08-31"])"), A(utf8(), R"(["Asia/Seoul"])")}),
            "2016-08-31 09:00:00");
  EXPECT_EQ(Call("to_utc_timestamp", {A(utf8(), R"(["2016-08-31"])"), A(utf8(), R"(["Asia/Seoul"])")}),
            "2016-08-30 15:00:00");
  EXPECT_EQ(Call("timestamp_seconds", {A(int64(), "[1230219000]")}), "2008-12-25 15:30:00");
  EXPECT_EQ(Call("unix_seconds", {A(TimestampType(), kTs)}), "1710510330");
  // A local time inside the spring-forward gap moves forward by the gap.
  EXPECT_EQ(Call("to_timestamp", {A(utf8(), R"(["2024-03-10 02:30:00"])")}, InZone("America/Los_Angeles")),
            "2024-03-10 03:30:00");
  EXPECT_EQ(Call("hour", {A(TimestampType(), kTs)}, InZone("+05:30")), "19");
  EXPECT_EQ(Call("hour", {A(TimestampType(), kTs)}, InZone("Not/AZone")), "ERROR:INVALID_TIMEZONE");
}

TEST(DatetimeTest, DatePart) {
  auto bind = [](const std::string& field, const TypePtr& t) {
    return BuiltinRegistry().BindScalarWithConstants(
        "date_part", {utf8(), t}, {arrow::Datum(std::make_shared<arrow::StringScalar>(field)), arrow::Datum()});
  };
  auto run = [&](const std::string& field, const TestArg& v) {
    auto b = bind(field, v.type);
    if (!b.ok()) return "ERROR:" + ErrorClassOf(b.status()).value_or("?");
    auto d = MakeDatum(v);
    return Render(b->kernel->Execute({arrow::Datum(std::make_shared<arrow::StringScalar>(field)), *d},
                                     d->length(), EvalContext()),
                  EvalContext());
  };
  const auto ts = A(TimestampType(), kTs);
  EXPECT_EQ(run("YEAR", ts), "2024");
  EXPECT_EQ(run("month", ts), "3");
  EXPECT_EQ(run("dow", ts), "6");
  EXPECT_EQ(run("doy", ts), "75");
  EXPECT_EQ(run("hour", ts), "13");
  EXPECT_EQ(run("SECOND", ts), "30.123456");
  EXPECT_EQ(SqlTypeName(*bind("SECOND", TimestampType())->return_type), "DECIMAL(8,6)");
  EXPECT_EQ(run("week", A(date32(), "[19797]")), "11");
  EXPECT_EQ(run("bogus", ts), "ERROR:INVALID_EXTRACT_FIELD");
  EXPECT_EQ(ReturnType("date_part", {utf8(), TimestampType()}), "ERROR:NON_FOLDABLE_ARGUMENT");
}

}  // namespace
}  // namespace basin::function
