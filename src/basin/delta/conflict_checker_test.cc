#include "basin/delta/conflict_checker.h"

#include <gtest/gtest.h>

namespace basin::delta {
namespace {

CommitInfo Info(bool blind_append) {
  CommitInfo info;
  info.value = {{"operation", "WRITE"}, {"isBlindAppend", blind_append}};
  return info;
}

AddFile Add(const std::string& path) {
  AddFile a;
  a.path = path;
  return a;
}

RemoveFile Remove(const std::string& path) {
  RemoveFile r;
  r.path = path;
  return r;
}

std::optional<std::string> Check(const TransactionFootprint& current,
                                 const std::vector<Action>& winner) {
  return ErrorClassOf(CheckForConflicts(current, 5, winner));
}

TEST(ConflictCheckerTest, BlindAppendsDoNotConflict) {
  TransactionFootprint current;
  current.read_version = 4;
  EXPECT_EQ(Check(current, {Info(true), Add("a.parquet")}), std::nullopt);
  EXPECT_TRUE(CheckForConflicts(current, 5, {Info(true), Add("a.parquet")}).ok());
}

TEST(ConflictCheckerTest, ProtocolAndMetadataChanges) {
  TransactionFootprint current;
  current.read_version = 4;
  EXPECT_EQ(Check(current, {Info(false), Metadata{}}), "DELTA_METADATA_CHANGED");
  current.changes_protocol = true;
  EXPECT_EQ(Check(current, {Info(false), Protocol{}}), "DELTA_PROTOCOL_CHANGED");
  // Two writers creating the same table: the second sees the first's protocol.
  TransactionFootprint creator;
  creator.changes_protocol = true;
  creator.changes_metadata = true;
  auto status = CheckForConflicts(creator, 0, {Info(true), Protocol{}, Metadata{}});
  EXPECT_EQ(ErrorClassOf(status), "DELTA_PROTOCOL_CHANGED");
  EXPECT_NE(status.message().find("empty directory"), std::string::npos);
}

TEST(ConflictCheckerTest, ConcurrentAppendOnlyForWholeTableReadersAndNonBlindWinners) {
  TransactionFootprint current;
  current.read_version = 4;
  current.read_whole_table = true;
  EXPECT_EQ(Check(current, {Info(false), Add("a.parquet")}), "DELTA_CONCURRENT_APPEND");
  EXPECT_EQ(Check(current, {Info(true), Add("a.parquet")}), std::nullopt);
}

TEST(ConflictCheckerTest, DeletesAgainstReadsAndDeletes) {
  TransactionFootprint current;
  current.read_version = 4;
  current.read_files = {"p=a%20b/f1.parquet"};
  EXPECT_EQ(Check(current, {Info(false), Remove("p=a b/f1.parquet")}),
            "DELTA_CONCURRENT_DELETE_READ");
  EXPECT_EQ(Check(current, {Info(false), Remove("other.parquet")}), std::nullopt);
  TransactionFootprint deleter;
  deleter.removed_files = {"f2.parquet"};
  EXPECT_EQ(Check(deleter, {Info(false), Remove("f2.parquet")}),
            "DELTA_CONCURRENT_DELETE_DELETE");
}

TEST(ConflictCheckerTest, SameAppIdConflicts) {
  TransactionFootprint current;
  current.app_ids = {"stream-1"};
  EXPECT_EQ(Check(current, {Info(true), Txn{"stream-1", 3, std::nullopt}}),
            "DELTA_CONCURRENT_TRANSACTION");
  EXPECT_EQ(Check(current, {Info(true), Txn{"stream-2", 3, std::nullopt}}), std::nullopt);
}

}  // namespace
}  // namespace basin::delta
