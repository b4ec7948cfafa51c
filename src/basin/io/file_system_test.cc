#include "basin/io/file_system.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <vector>

namespace basin::io {

class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("basin_io_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(FileSystemTest, PutIfAbsentRefusesSecondWriter) {
  auto loc = ResolveLocation(dir_.string()).ValueOrDie().Child("00000.json");
  ASSERT_TRUE(PutIfAbsent(loc, "first").ok());
  Status second = PutIfAbsent(loc, "second");
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(IsAlreadyExists(second));
  EXPECT_EQ(ReadWholeFile(loc).ValueOrDie(), "first");
}

TEST_F(FileSystemTest, RacingWritersExactlyOneWins) {
  auto loc = ResolveLocation(dir_.string()).ValueOrDie().Child("race.json");
  std::atomic<int> wins{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (PutIfAbsent(loc, "writer" + std::to_string(i)).ok()) ++wins;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  // No temp files are left behind.
  auto listing = ListDirectory(ResolveLocation(dir_.string()).ValueOrDie(), false).ValueOrDie();
  EXPECT_EQ(listing.size(), 1u);
}

TEST_F(FileSystemTest, ListMissingDirectory) {
  auto loc = ResolveLocation((dir_ / "nope").string()).ValueOrDie();
  EXPECT_TRUE(ListDirectory(loc, true).ValueOrDie().empty());
  EXPECT_FALSE(ListDirectory(loc, false).ok());
}

}  // namespace basin::io
