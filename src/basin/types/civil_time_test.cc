#include "basin/types/civil_time.h"

#include <gtest/gtest.h>

namespace basin::types {

TEST(CivilTime, DatesRoundTrip) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(FormatDate(19723), "2024-01-01");
  for (int64_t d = -800000; d < 800000; d += 997) {
    int64_t y;
    unsigned m, day;
    CivilFromDays(d, &y, &m, &day);
    ASSERT_EQ(DaysFromCivil(y, m, day), d);
  }
}

TEST(CivilTime, FormatsTimestamps) {
  EXPECT_EQ(FormatTimestampMicros(0, true), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestampMicros(1500000, false), "1970-01-01T00:00:01.5");
  EXPECT_EQ(FormatTimestampMicros(-1, true), "1969-12-31T23:59:59.999999Z");
}

TEST(CivilTime, ParsesTimestamps) {
  EXPECT_EQ(ParseTimestampMicros("1970-01-01").ValueOrDie(), 0);
  EXPECT_EQ(ParseTimestampMicros("1970-01-01 00:00:01.25").ValueOrDie(), 1250000);
  EXPECT_EQ(ParseTimestampMicros("1970-01-01T01:00:00+01:00").ValueOrDie(), 0);
  EXPECT_EQ(ParseTimestampMicros("1970-01-01T00:00:00Z").ValueOrDie(), 0);
  EXPECT_EQ(ParseTimestampMicros("2024-02-29 12:30").ValueOrDie(),
            (DaysFromCivil(2024, 2, 29) * 86400 + 12 * 3600 + 30 * 60) * 1000000);
  auto bad = ParseTimestampMicros("yesterday");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(ErrorClassOf(bad.status()), "INVALID_PARAMETER_VALUE");
  EXPECT_FALSE(ParseTimestampMicros("2024-13-01").ok());
  EXPECT_FALSE(ParseTimestampMicros("2024-01-01 10:00:00 junk").ok());
}

}  // namespace basin::types
