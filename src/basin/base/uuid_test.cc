#include "basin/base/uuid.h"

#include <set>

#include <gtest/gtest.h>

namespace basin {

TEST(Uuid, NewUuidsAreVersion4AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = NewUuid();
    ASSERT_TRUE(IsUuid(u)) << u;
    EXPECT_EQ(u[14], '4');
    EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b');
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Uuid, IsUuidChecksTheTextForm) {
  EXPECT_TRUE(IsUuid("00112233-4455-6677-8899-aabbccddeeff"));
  EXPECT_TRUE(IsUuid("00112233-4455-6677-8899-AABBCCDDEEFF"));
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_FALSE(IsUuid("00112233-4455-6677-8899-aabbccddeefg"));
  EXPECT_FALSE(IsUuid("00112233+4455-6677-8899-aabbccddeeff"));
  EXPECT_FALSE(IsUuid(""));
}

}  // namespace basin
