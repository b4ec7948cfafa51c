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

}  // namespace basin
