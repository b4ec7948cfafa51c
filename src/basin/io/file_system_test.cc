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

TEST_F(FileSystemTest, ListInputFilesFolderGlobAndHidden) {
  auto write = [&](const std::string& rel) {
    auto path = dir_ / rel;
    std::filesystem::create_directories(path.parent_path());
    ASSERT_TRUE(WriteWholeFile(ResolveLocation(path.string()).ValueOrDie(), "x").ok());
  };
  write("raw/a.json");
  write("raw/b.json");
  write("raw/c.csv");
  write("raw/_SUCCESS");
  write("raw/.hidden.json");
  write("raw/_tmp/x.json");
  write("raw/day=1/d.json");
  write("raw/day=2/e.json");
  auto names = [&](const std::string& rel) {
    std::vector<std::string> out;
    auto listed = ListInputFiles(ResolveLocation((dir_ / rel).string()).ValueOrDie());
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    if (!listed.ok()) return out;
    for (const auto& f : *listed) {
      out.push_back(std::filesystem::relative(f.path(), dir_).string());
    }
    return out;
  };
  // A folder: every visible file below it, sorted; hidden files and folders left out.
  EXPECT_EQ(names("raw"), (std::vector<std::string>{"raw/a.json", "raw/b.json", "raw/c.csv",
                                                    "raw/day=1/d.json", "raw/day=2/e.json"}));
  // A glob in the last component, and in a folder component.
  EXPECT_EQ(names("raw/*.json"), (std::vector<std::string>{"raw/a.json", "raw/b.json"}));
  EXPECT_EQ(names("raw/day=*/*.json"),
            (std::vector<std::string>{"raw/day=1/d.json", "raw/day=2/e.json"}));
  EXPECT_EQ(names("raw/day=[2]"), (std::vector<std::string>{"raw/day=2/e.json"}));
  EXPECT_EQ(names("raw/?.csv"), (std::vector<std::string>{"raw/c.csv"}));
  // One file, and nothing at all.
  EXPECT_EQ(names("raw/a.json"), (std::vector<std::string>{"raw/a.json"}));
  auto none = ListInputFiles(ResolveLocation((dir_ / "raw/*.parquet").string()).ValueOrDie());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(ErrorClassOf(none.status()), "PATH_NOT_FOUND");
  auto missing = ListInputFiles(ResolveLocation((dir_ / "nope").string()).ValueOrDie());
  EXPECT_EQ(ErrorClassOf(missing.status()), "PATH_NOT_FOUND");
}

}  // namespace basin::io
