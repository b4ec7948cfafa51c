#include "basin/base/status.h"

#include <gtest/gtest.h>

namespace basin {

TEST(Status, UserErrorCarriesClassAndSqlState) {
  Status st = UserError("DELTA_TABLE_NOT_FOUND", "Delta table `x` doesn't exist.");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(ErrorClassOf(st), "DELTA_TABLE_NOT_FOUND");
  EXPECT_NE(st.message().find("[DELTA_TABLE_NOT_FOUND]"), std::string::npos);
  EXPECT_EQ(SqlStateOf("DELTA_TABLE_NOT_FOUND"), "42P01");
}

TEST(Status, InternalErrorHasNoClass) {
  Status st = InternalError("bad invariant");
  EXPECT_FALSE(ErrorClassOf(st).has_value());
  EXPECT_FALSE(ErrorClassOf(Status::OK()).has_value());
}

TEST(Status, SqlStatesComeFromSparkAndDeltaErrorFiles) {
  // Classes Basin's own table does not list still get Spark's (and Delta's) SQLSTATE.
  EXPECT_EQ(SqlStateOf("PATH_ALREADY_EXISTS"), "42K04");
  EXPECT_EQ(SqlStateOf("CAST_INVALID_INPUT"), "22018");
  EXPECT_EQ(SqlStateOf("UNRESOLVED_COLUMN.WITH_SUGGESTION"), "42703");
  EXPECT_EQ(SqlStateOf("DELTA_CONCURRENT_APPEND"), "2D521");
  EXPECT_EQ(SqlStateOf("NO_SUCH_CLASS_ANYWHERE"), "XXKD0");
}

}  // namespace basin
