#include "basin/delta/transaction.h"

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include <gtest/gtest.h>

namespace basin::delta {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/basin-txn-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    root_ = *io::ResolveLocation(dir_);
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  const io::Location& root() const { return root_; }

 private:
  std::string dir_;
  io::Location root_;
};

Metadata TestMetadata() {
  Metadata m;
  m.id = NewUuid();
  m.schema_string =
      R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]})";
  m.created_time = NowMs();
  return m;
}

AddFile FakeAdd(const std::string& path) {
  AddFile a;
  a.path = path;
  a.size = 100;
  a.modification_time = NowMs();
  a.stats = R"({"numRecords":1})";
  return a;
}

Status CreateTable(const io::Location& root) {
  ASSIGN_OR_RAISE(auto txn, Transaction::Begin(root));
  txn.UpdateProtocol(Protocol{});
  txn.UpdateMetadata(TestMetadata());
  return txn.Commit("CREATE TABLE", nlohmann::json::object(), nlohmann::json::object()).status();
}

TEST(TransactionTest, NewUuidIsVersion4) {
  std::string u = NewUuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(u, NewUuid());
}

TEST(TransactionTest, CommitWritesCommitInfoFirst) {
  TempDir dir;
  ASSERT_TRUE(CreateTable(dir.root()).ok());
  auto txn = Transaction::Begin(dir.root());
  ASSERT_TRUE(txn.ok()) << txn.status().ToString();
  EXPECT_EQ(txn->next_version(), 1);
  txn->Add(FakeAdd("a.parquet"));
  auto r = txn->Commit("WRITE", {{"mode", "Append"}}, {{"numFiles", "1"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 1);
  auto text = *io::ReadWholeFile(dir.root().Child("_delta_log/" + VersionStem(1) + ".json"));
  auto first = nlohmann::json::parse(text.substr(0, text.find('\n')));
  ASSERT_TRUE(first.contains("commitInfo"));
  EXPECT_EQ(first["commitInfo"]["readVersion"], 0);
  EXPECT_EQ(first["commitInfo"]["isBlindAppend"], true);
  EXPECT_EQ(first["commitInfo"]["engineInfo"], kEngineInfo);
  EXPECT_EQ(first["commitInfo"]["txnId"].get<std::string>().size(), 36u);
}

TEST(TransactionTest, ConcurrentBlindAppendsAllLand) {
  TempDir dir;
  ASSERT_TRUE(CreateTable(dir.root()).ok());
  constexpr int kThreads = 4, kCommits = 5;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits; ++i) {
        auto txn = Transaction::Begin(dir.root());
        if (!txn.ok()) {
          ++failures;
          continue;
        }
        txn->Add(FakeAdd("t" + std::to_string(t) + "-" + std::to_string(i) + ".parquet"));
        if (!txn->Commit("WRITE", {{"mode", "Append"}}, nlohmann::json::object()).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto snapshot = Snapshot::Load(dir.root());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_EQ((*snapshot)->version(), kThreads * kCommits);
  EXPECT_EQ((*snapshot)->files().size(), static_cast<size_t>(kThreads * kCommits));
}

TEST(TransactionTest, DeleteRacingReadFails) {
  TempDir dir;
  ASSERT_TRUE(CreateTable(dir.root()).ok());
  {
    auto txn = Transaction::Begin(dir.root());
    txn->Add(FakeAdd("f1.parquet"));
    ASSERT_TRUE(txn->Commit("WRITE", nlohmann::json::object(), nlohmann::json::object()).ok());
  }
  auto reader = Transaction::Begin(dir.root());
  ASSERT_TRUE(reader.ok());
  reader->MarkFilesRead({"f1.parquet"});
  reader->Add(FakeAdd("f2.parquet"));

  auto deleter = Transaction::Begin(dir.root());
  RemoveFile r;
  r.path = "f1.parquet";
  r.deletion_timestamp = NowMs();
  deleter->Remove(r);
  ASSERT_TRUE(deleter->Commit("DELETE", nlohmann::json::object(), nlohmann::json::object()).ok());

  auto result = reader->Commit("UPDATE", nlohmann::json::object(), nlohmann::json::object());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(ErrorClassOf(result.status()), "DELTA_CONCURRENT_DELETE_READ");
  EXPECT_FALSE(std::filesystem::exists(dir.root().path + "/_delta_log/" + VersionStem(3) + ".json"));
}

TEST(TransactionTest, SecondCreatorGetsProtocolChanged) {
  TempDir dir;
  auto a = Transaction::Begin(dir.root());
  auto b = Transaction::Begin(dir.root());
  ASSERT_TRUE(a.ok() && b.ok());
  for (auto* t : {&*a, &*b}) {
    t->UpdateProtocol(Protocol{});
    t->UpdateMetadata(TestMetadata());
  }
  ASSERT_TRUE(a->Commit("CREATE TABLE", nlohmann::json::object(), nlohmann::json::object()).ok());
  auto r = b->Commit("CREATE TABLE", nlohmann::json::object(), nlohmann::json::object());
  EXPECT_EQ(ErrorClassOf(r.status()), "DELTA_PROTOCOL_CHANGED");
}

TEST(TransactionTest, CommitWithoutTableFails) {
  TempDir dir;
  auto txn = Transaction::Begin(dir.root());
  ASSERT_TRUE(txn.ok());
  EXPECT_EQ(txn->read_snapshot(), nullptr);
  txn->Add(FakeAdd("x.parquet"));
  auto r = txn->Commit("WRITE", nlohmann::json::object(), nlohmann::json::object());
  EXPECT_EQ(ErrorClassOf(r.status()), "DELTA_TABLE_NOT_FOUND");
}

}  // namespace
}  // namespace basin::delta
