#include "basin/delta/write.h"

#include <stdlib.h>

#include <atomic>
#include <filesystem>

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <arrow/util/decimal.h>
#include <arrow/util/thread_pool.h>
#include <gtest/gtest.h>
#include <parquet/file_reader.h>
#include <nlohmann/json.hpp>

#include "basin/delta/checkpoint_writer.h"
#include "basin/delta/data_skipping.h"
#include "basin/delta/partition_value.h"
#include "basin/delta/scan.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/transaction.h"

namespace basin::delta {
namespace {

// Skips the test while the log reader (Snapshot::Load, SerializeAction) is a placeholder.
class TempTable {
 public:
  TempTable() {
    char tmpl[] = "/tmp/basin-write-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    root_ = *io::ResolveLocation(dir_ + "/t");
  }
  ~TempTable() { std::filesystem::remove_all(dir_); }
  const io::Location& root() const { return root_; }
  std::string path() const { return root_.path; }

 private:
  std::string dir_;
  io::Location root_;
};

std::shared_ptr<arrow::Table> Rows(const std::vector<int64_t>& ids,
                                   const std::vector<std::string>& names) {
  arrow::Int64Builder id;
  EXPECT_TRUE(id.AppendValues(ids).ok());
  arrow::StringBuilder name;
  EXPECT_TRUE(name.AppendValues(names).ok());
  return arrow::Table::Make(
      arrow::schema({arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())}),
      {id.Finish().ValueOrDie(), name.Finish().ValueOrDie()});
}

std::shared_ptr<const Snapshot> Load(const io::Location& root) {
  auto s = Snapshot::Load(root);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : nullptr;
}

int64_t RowCount(const Snapshot& snapshot) {
  int64_t rows = 0;
  for (const auto& f : snapshot.files()) {
    rows += nlohmann::json::parse(f.stats.value_or("{}")).value("numRecords", int64_t{0});
  }
  return rows;
}

std::vector<nlohmann::json> CommitLines(const io::Location& root, int64_t version) {
  auto text = io::ReadWholeFile(root.Child("_delta_log/" + VersionStem(version) + ".json"));
  EXPECT_TRUE(text.ok());
  std::vector<nlohmann::json> out;
  size_t start = 0;
  while (text.ok() && start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    if (end > start) out.push_back(nlohmann::json::parse(text->substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

WriteOptions Mode(SaveMode mode) {
  WriteOptions o;
  o.mode = mode;
  return o;
}

TEST(WriteTableTest, CreatesTableWithCommitInfoProtocolMetadataAndStats) {
  TempTable t;
  auto r = WriteTable(t.root(), Rows({1, 2, 3}, {"a", "b", "c"}), Mode(SaveMode::kErrorIfExists));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 0);
  EXPECT_EQ(r->num_rows, 3);
  auto lines = CommitLines(t.root(), 0);
  ASSERT_GE(lines.size(), 4u);
  ASSERT_TRUE(lines[0].contains("commitInfo"));
  const auto& ci = lines[0]["commitInfo"];
  EXPECT_EQ(ci["operation"], "WRITE");
  EXPECT_EQ(ci["operationParameters"]["mode"], "ErrorIfExists");
  EXPECT_EQ(ci["operationParameters"]["partitionBy"], "[]");
  EXPECT_EQ(ci["operationMetrics"]["numOutputRows"], "3");
  EXPECT_EQ(ci["engineInfo"], kEngineInfo);
  EXPECT_EQ(ci["isBlindAppend"], true);
  auto snapshot = Load(t.root());
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->protocol().min_reader_version, 1);
  EXPECT_EQ(snapshot->protocol().min_writer_version, 2);
  EXPECT_EQ(snapshot->metadata().id.size(), 36u);
  ASSERT_EQ(snapshot->files().size(), 1u);
  auto stats = nlohmann::json::parse(*snapshot->files()[0].stats);
  EXPECT_EQ(stats["numRecords"], 3);
  EXPECT_EQ(stats["minValues"]["id"], 1);
  EXPECT_EQ(stats["maxValues"]["name"], "c");
  // Error mode on an existing table fails; ignore mode skips.
  auto again = WriteTable(t.root(), Rows({4}, {"d"}), Mode(SaveMode::kErrorIfExists));
  EXPECT_EQ(ErrorClassOf(again.status()), "DELTA_PATH_EXISTS");
  auto ignored = WriteTable(t.root(), Rows({4}, {"d"}), Mode(SaveMode::kIgnore));
  ASSERT_TRUE(ignored.ok());
  EXPECT_TRUE(ignored->skipped);
  EXPECT_EQ(Load(t.root())->version(), 0);
}

TEST(DictionaryRowFilterTest, DropsRowsByTheVerdictOnEachDictionaryValue) {
  // 3,000 rows of names "a", "b", "c" and nulls, stored with a dictionary. The filter keeps
  // "b" and the null; it is asked once per dictionary, not once per batch.
  TempTable t;
  std::vector<int64_t> ids;
  arrow::StringBuilder names;
  for (int64_t i = 0; i < 3000; ++i) {
    ids.push_back(i);
    if (i % 4 == 3) {
      ASSERT_TRUE(names.AppendNull().ok());
    } else {
      ASSERT_TRUE(names.Append(std::string(1, static_cast<char>('a' + i % 4))).ok());
    }
  }
  arrow::Int64Builder id_builder;
  ASSERT_TRUE(id_builder.AppendValues(ids).ok());
  auto schema =
      arrow::schema({arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())});
  auto table = arrow::Table::Make(schema, {id_builder.Finish().ValueOrDie(),
                                           names.Finish().ValueOrDie()});
  ASSERT_TRUE(WriteTable(t.root(), table, Mode(SaveMode::kErrorIfExists)).ok());
  auto snapshot = Load(t.root());
  ASSERT_EQ(snapshot->files().size(), 1u);
  auto filter = std::make_shared<DictionaryRowFilter>();
  filter->columns = {1};
  std::atomic<int> calls{0};
  filter->keep = [&calls](int column, const std::shared_ptr<arrow::Array>& values)
      -> Result<std::shared_ptr<arrow::BooleanArray>> {
    EXPECT_EQ(column, 1);
    ++calls;
    const auto& strings = static_cast<const arrow::StringArray&>(*values);
    EXPECT_TRUE(strings.IsNull(strings.length() - 1));  // the trailing null
    arrow::BooleanBuilder keep;
    for (int64_t i = 0; i < strings.length(); ++i) {
      EXPECT_TRUE(keep.Append(strings.IsNull(i) || strings.GetView(i) == "b").ok());
    }
    std::shared_ptr<arrow::Array> out;
    EXPECT_TRUE(keep.Finish(&out).ok());
    return std::static_pointer_cast<arrow::BooleanArray>(out);
  };
  auto reader = OpenDataFile(snapshot, snapshot->files()[0], schema, true, "UTC",
                             /*batch_size=*/500, std::nullopt, filter);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  int64_t rows = 0;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ASSERT_TRUE((*reader)->ReadNext(&batch).ok());
    if (!batch) break;
    ASSERT_EQ(batch->column(1)->type_id(), arrow::Type::STRING);  // expanded
    const auto& id = static_cast<const arrow::Int64Array&>(*batch->column(0));
    const auto& name = static_cast<const arrow::StringArray&>(*batch->column(1));
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      const int64_t v = id.Value(i);
      ASSERT_TRUE(v % 4 == 1 || v % 4 == 3) << v;
      EXPECT_EQ(name.IsNull(i), v % 4 == 3);
      if (v % 4 == 1) EXPECT_EQ(name.GetView(i), "b");
    }
    rows += batch->num_rows();
  }
  EXPECT_EQ(rows, 1500);
  EXPECT_EQ(calls.load(), 1);
  // No verdict (nullptr) keeps every row.
  filter->keep = [](int, const std::shared_ptr<arrow::Array>&)
      -> Result<std::shared_ptr<arrow::BooleanArray>> { return nullptr; };
  auto all = OpenDataFile(snapshot, snapshot->files()[0], schema, true, "UTC", 500,
                          std::nullopt, filter);
  ASSERT_TRUE(all.ok());
  rows = 0;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ASSERT_TRUE((*all)->ReadNext(&batch).ok());
    if (!batch) break;
    rows += batch->num_rows();
  }
  EXPECT_EQ(rows, 3000);
}

TEST(WriteTableTest, AppendAndOverwrite) {
  TempTable t;
  ASSERT_TRUE(WriteTable(t.root(), Rows({1, 2}, {"a", "b"}), Mode(SaveMode::kAppend)).ok());
  ASSERT_TRUE(WriteTable(t.root(), Rows({3}, {"c"}), Mode(SaveMode::kAppend)).ok());
  EXPECT_EQ(RowCount(*Load(t.root())), 3);
  auto r = WriteTable(t.root(), Rows({9}, {"z"}), Mode(SaveMode::kOverwrite));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto snapshot = Load(t.root());
  EXPECT_EQ(snapshot->version(), 2);
  EXPECT_EQ(RowCount(*snapshot), 1);
  EXPECT_EQ(snapshot->files().size(), 1u);
  auto lines = CommitLines(t.root(), 2);
  int removes = 0;
  for (const auto& l : lines) removes += l.contains("remove") ? 1 : 0;
  EXPECT_EQ(removes, 2);
  EXPECT_EQ(lines[0]["commitInfo"]["isBlindAppend"], false);
}

TEST(WriteTableTest, LargeWriteIsSplitIntoFilesOfTheTargetSize) {
  TempTable t;
  std::vector<int64_t> ids;
  std::vector<std::string> names;
  for (int64_t i = 0; i < 5000; ++i) {
    ids.push_back(i);
    names.push_back("name-" + std::to_string(i));
  }
  auto options = Mode(SaveMode::kErrorIfExists);
  options.target_file_bytes = 20'000;  // about 100 KB of rows in memory: several files
  auto r = WriteTable(t.root(), Rows(ids, names), options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto snapshot = Load(t.root());
  ASSERT_GE(snapshot->files().size(), 4u);
  EXPECT_EQ(RowCount(*snapshot), 5000);
  // Each file's stats describe its own slice: the id ranges tile 0..4999 without overlap.
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (const auto& f : snapshot->files()) {
    auto stats = nlohmann::json::parse(*f.stats);
    ranges.emplace_back(stats["minValues"]["id"].get<int64_t>(),
                        stats["maxValues"]["id"].get<int64_t>());
    EXPECT_GT(f.size, 0);
  }
  std::sort(ranges.begin(), ranges.end());
  EXPECT_EQ(ranges.front().first, 0);
  EXPECT_EQ(ranges.back().second, 4999);
  for (size_t i = 1; i < ranges.size(); ++i) EXPECT_EQ(ranges[i].first, ranges[i - 1].second + 1);
  auto table = ReadSnapshot(snapshot);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->num_rows(), 5000);
}

TEST(WriteTableTest, SchemaEnforcementNamesTheColumn) {
  TempTable t;
  ASSERT_TRUE(WriteTable(t.root(), Rows({1}, {"a"}), Mode(SaveMode::kAppend)).ok());
  // An extra column.
  auto extra = Rows({2}, {"b"});
  arrow::DoubleBuilder score;
  ASSERT_TRUE(score.Append(1.5).ok());
  auto with_extra = extra->AddColumn(2, arrow::field("score", arrow::float64()),
                                     std::make_shared<arrow::ChunkedArray>(
                                         score.Finish().ValueOrDie()))
                        .ValueOrDie();
  auto r = WriteTable(t.root(), with_extra, Mode(SaveMode::kAppend));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorClassOf(r.status()), "DELTA_METADATA_MISMATCH");
  EXPECT_NE(r.status().message().find("score"), std::string::npos);
  // A type mismatch.
  arrow::StringBuilder ids;
  ASSERT_TRUE(ids.Append("x").ok());
  arrow::StringBuilder names;
  ASSERT_TRUE(names.Append("n").ok());
  auto bad = arrow::Table::Make(
      arrow::schema({arrow::field("id", arrow::utf8()), arrow::field("name", arrow::utf8())}),
      {ids.Finish().ValueOrDie(), names.Finish().ValueOrDie()});
  r = WriteTable(t.root(), bad, Mode(SaveMode::kAppend));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorClassOf(r.status()), "DELTA_METADATA_MISMATCH");
  EXPECT_NE(r.status().message().find("'id'"), std::string::npos);
  // A missing nullable column is filled with nulls.
  arrow::Int64Builder only_id;
  ASSERT_TRUE(only_id.Append(7).ok());
  auto missing = arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64())}),
                                    {only_id.Finish().ValueOrDie()});
  ASSERT_TRUE(WriteTable(t.root(), missing, Mode(SaveMode::kAppend)).ok());
  auto snapshot = Load(t.root());
  EXPECT_EQ(snapshot->version(), 1);
  EXPECT_EQ(RowCount(*snapshot), 2);
  // mergeSchema adds the new column.
  WriteOptions merge = Mode(SaveMode::kAppend);
  merge.merge_schema = true;
  auto merged = WriteTable(t.root(), with_extra, merge);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  snapshot = Load(t.root());
  ASSERT_NE(snapshot->schema(), nullptr);
  EXPECT_NE(snapshot->schema()->GetFieldByName("score"), nullptr);
  EXPECT_NE(snapshot->metadata().schema_string.find("\"score\""), std::string::npos);
}

TEST(WriteTableTest, OverwriteSchemaReplacesSchemaAndPartitioning) {
  TempTable t;
  ASSERT_TRUE(WriteTable(t.root(), Rows({1}, {"a"}), Mode(SaveMode::kAppend)).ok());
  arrow::Int32Builder k;
  ASSERT_TRUE(k.AppendValues({1, 2}).ok());
  arrow::StringBuilder p;
  ASSERT_TRUE(p.AppendValues({"x", "y"}).ok());
  auto other = arrow::Table::Make(
      arrow::schema({arrow::field("k", arrow::int32()), arrow::field("p", arrow::utf8())}),
      {k.Finish().ValueOrDie(), p.Finish().ValueOrDie()});
  WriteOptions o = Mode(SaveMode::kOverwrite);
  o.overwrite_schema = true;
  o.partition_by = {"p"};
  auto r = WriteTable(t.root(), other, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto snapshot = Load(t.root());
  EXPECT_EQ(snapshot->metadata().partition_columns, std::vector<std::string>{"p"});
  EXPECT_EQ(snapshot->files().size(), 2u);
  // The old schema (id, name) is gone: only the new columns remain.
  std::vector<std::string> names;
  for (const auto& field : snapshot->schema()->fields()) names.push_back(field->name());
  EXPECT_EQ(names, (std::vector<std::string>{"k", "p"}));
}

TEST(WriteTableTest, PartitionedWriteUsesHiveDirectories) {
  TempTable t;
  WriteOptions o = Mode(SaveMode::kErrorIfExists);
  o.partition_by = {"name"};
  auto r = WriteTable(t.root(), Rows({1, 2, 3, 4}, {"a b", "a b", "c:d", ""}), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->num_files, 3);
  auto snapshot = Load(t.root());
  std::set<std::string> paths;
  for (const auto& f : snapshot->files()) {
    auto dir = f.path.substr(0, f.path.find('/'));
    paths.insert(dir);
    // Partition columns are not stored in the files' statistics.
    auto stats = nlohmann::json::parse(*f.stats);
    EXPECT_FALSE(stats["minValues"].contains("name"));
    EXPECT_TRUE(f.partition_values.count("name"));
  }
  EXPECT_EQ(paths, (std::set<std::string>{"name=a%20b", "name=c%253Ad",
                                          "name=__HIVE_DEFAULT_PARTITION__"}));
  EXPECT_TRUE(std::filesystem::is_directory(t.path() + "/name=c%3Ad"));
  // Appending with other partition columns fails.
  WriteOptions wrong = Mode(SaveMode::kAppend);
  wrong.partition_by = {"id"};
  EXPECT_EQ(ErrorClassOf(WriteTable(t.root(), Rows({5}, {"e"}), wrong).status()),
            "DELTA_METADATA_MISMATCH");
}

TEST(WriteTableTest, TimestampPartitionValuesAreIsoUtcAndZoneLessOnesUseTheSessionZone) {
  TempTable t;
  WriteOptions o = Mode(SaveMode::kErrorIfExists);
  o.partition_by = {"ts", "ntz"};
  // 2021-09-08 18:11:11.5 UTC, and the same wall-clock digits as TIMESTAMP_NTZ.
  const int64_t micros = 1631124671500000LL;
  arrow::TimestampBuilder ts(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                             arrow::default_memory_pool());
  ASSERT_TRUE(ts.Append(micros).ok());
  arrow::TimestampBuilder ntz(arrow::timestamp(arrow::TimeUnit::MICRO),
                              arrow::default_memory_pool());
  ASSERT_TRUE(ntz.Append(micros).ok());
  arrow::Int64Builder id;
  ASSERT_TRUE(id.Append(1).ok());
  auto data = arrow::Table::Make(
      arrow::schema({arrow::field("id", arrow::int64()),
                     arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
                     arrow::field("ntz", arrow::timestamp(arrow::TimeUnit::MICRO))}),
      {id.Finish().ValueOrDie(), ts.Finish().ValueOrDie(), ntz.Finish().ValueOrDie()});
  ASSERT_TRUE(WriteTable(t.root(), data, o).ok());
  auto snapshot = Load(t.root());
  ASSERT_EQ(snapshot->files().size(), 1u);
  const auto& values = snapshot->files()[0].partition_values;
  // As delta-spark writes them: ISO-8601 in UTC with six fraction digits; NTZ as wall-clock text.
  EXPECT_EQ(values.at("ts"), "2021-09-08T18:11:11.500000Z");
  EXPECT_EQ(values.at("ntz"), "2021-09-08 18:11:11.5");
  // Read back in another session zone: ISO values are exact, NTZ is zone-free.
  ScanOptions la;
  la.time_zone = "America/Los_Angeles";
  auto read = ReadSnapshot(snapshot, la);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  auto row = (*read)->CombineChunksToBatch().ValueOrDie();
  EXPECT_EQ(std::static_pointer_cast<arrow::TimestampArray>(row->GetColumnByName("ts"))->Value(0),
            micros);
  EXPECT_EQ(std::static_pointer_cast<arrow::TimestampArray>(row->GetColumnByName("ntz"))->Value(0),
            micros);
}

TEST(DataSkippingTest, LongDecimalAndLargeIntegerBoundsNeverSkipAMatchingFile) {
  TempTable t;
  auto type = arrow::decimal128(20, 2);
  arrow::Decimal128Builder d(type);
  ASSERT_TRUE(d.Append(arrow::Decimal128("123456789012345678.91")).ok());
  arrow::Int64Builder b;
  ASSERT_TRUE(b.Append(9007199254740993LL).ok());  // 2^53 + 1: no double holds it
  auto data = arrow::Table::Make(
      arrow::schema({arrow::field("d", type), arrow::field("b", arrow::int64())}),
      {d.Finish().ValueOrDie(), b.Finish().ValueOrDie()});
  ASSERT_TRUE(WriteTable(t.root(), data, Mode(SaveMode::kErrorIfExists)).ok());
  auto snapshot = Load(t.root());
  auto kept = [&](const std::string& predicate) {
    auto files = SkipFiles(*snapshot, predicate);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return files.ok() ? files->size() : size_t{99};
  };
  // Each of these bounds differs from the literal only beyond a double's 15-16 digits.
  EXPECT_EQ(kept("d > 123456789012345678.90"), 1u);
  EXPECT_EQ(kept("d = 123456789012345678.91"), 1u);
  EXPECT_EQ(kept("d < 123456789012345678.92"), 1u);
  EXPECT_EQ(kept("b > 9007199254740992"), 1u);
  EXPECT_EQ(kept("b = 9007199254740993"), 1u);
  // Clear misses are still skipped.
  EXPECT_EQ(kept("d > 123456789012346000"), 0u);
  EXPECT_EQ(kept("b > 9007199254740993"), 0u);
  EXPECT_EQ(kept("b < 9007199254740993"), 0u);
  EXPECT_EQ(kept("b = 9007199254740994"), 0u);
}


// Opens the one data file of `snapshot` (nullptr, with a test failure, when it has another
// number of files).
std::unique_ptr<parquet::ParquetFileReader> OnlyDataFile(const io::Location& root,
                                                         const Snapshot& snapshot) {
  EXPECT_EQ(snapshot.files().size(), 1u);
  if (snapshot.files().size() != 1) return nullptr;
  auto file = io::ReadWholeFile(root.Child(snapshot.files()[0].path));
  EXPECT_TRUE(file.ok());
  if (!file.ok()) return nullptr;
  return parquet::ParquetFileReader::Open(
      std::make_shared<arrow::io::BufferReader>(arrow::Buffer::FromString(*file)));
}

TEST(WriteTableTest, ShortDecimalsAreStoredAsIntegersAsSparkWritesThem) {
  TempTable t;
  auto d9 = arrow::decimal128(9, 2), d18 = arrow::decimal128(18, 4), d20 = arrow::decimal128(20, 2);
  arrow::Decimal128Builder a(d9), b(d18), c(d20);
  ASSERT_TRUE(a.Append(arrow::Decimal128("-1234567.89")).ok());
  ASSERT_TRUE(a.AppendNull().ok());
  ASSERT_TRUE(b.Append(arrow::Decimal128("12345678901234.5678")).ok());
  ASSERT_TRUE(b.Append(arrow::Decimal128("-0.0001")).ok());
  ASSERT_TRUE(c.Append(arrow::Decimal128("123456789012345678.91")).ok());
  ASSERT_TRUE(c.Append(arrow::Decimal128("-1.00")).ok());
  auto data = arrow::Table::Make(
      arrow::schema({arrow::field("a", d9), arrow::field("b", d18), arrow::field("c", d20)}),
      {a.Finish().ValueOrDie(), b.Finish().ValueOrDie(), c.Finish().ValueOrDie()});
  ASSERT_TRUE(WriteTable(t.root(), data, Mode(SaveMode::kErrorIfExists)).ok());
  auto snapshot = Load(t.root());
  auto reader = OnlyDataFile(t.root(), *snapshot);
  ASSERT_TRUE(reader);
  // No Arrow schema in the footer, as Spark writes none: with one, readers would have to read
  // these decimals as decimal128 instead of the 32/64-bit integers they are stored as.
  const auto& footer = reader->metadata()->key_value_metadata();
  EXPECT_FALSE(footer && footer->Contains("ARROW:schema"));
  const auto* schema = reader->metadata()->schema();
  // Spark: precision <= 9 as INT32, <= 18 as INT64, wider as fixed-length bytes.
  EXPECT_EQ(schema->Column(0)->physical_type(), parquet::Type::INT32);
  EXPECT_EQ(schema->Column(1)->physical_type(), parquet::Type::INT64);
  EXPECT_EQ(schema->Column(2)->physical_type(), parquet::Type::FIXED_LEN_BYTE_ARRAY);
  auto read = ReadSnapshot(snapshot);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  auto combined = (*read)->CombineChunks();
  ASSERT_TRUE(combined.ok());
  EXPECT_TRUE((*combined)->Equals(*data)) << (*combined)->ToString();
}

// Data files are written a row group of 2^20 rows at a time, the columns of a group encoded in
// parallel on Arrow's CPU pool; a thread of that pool encodes them itself (waiting for its own
// pool could deadlock). Either way the rows come back as written, in order, in chunks or not.
TEST(WriteTableTest, RowGroupsOfChunkedRowsFromAnyThread) {
  const int64_t n = (int64_t{1} << 20) + 1000;
  arrow::Int64Builder ids;
  arrow::StringBuilder names;
  ASSERT_TRUE(ids.Reserve(n).ok());
  for (int64_t i = 0; i < n; ++i) {
    ids.UnsafeAppend(n - i);
    ASSERT_TRUE(
        (i % 7 == 0 ? names.AppendNull() : names.Append("n" + std::to_string(i % 100))).ok());
  }
  auto whole = arrow::Table::Make(
      arrow::schema({arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())}),
      {ids.Finish().ValueOrDie(), names.Finish().ValueOrDie()});
  // Three chunks of uneven sizes, one across the row group boundary.
  std::vector<std::shared_ptr<arrow::Table>> parts = {whole->Slice(0, 1000),
                                                      whole->Slice(1000, (int64_t{1} << 20)),
                                                      whole->Slice(1000 + (int64_t{1} << 20))};
  auto chunked = arrow::ConcatenateTables(parts).ValueOrDie();
  ASSERT_EQ(chunked->column(0)->num_chunks(), 3);
  for (bool on_pool : {false, true}) {
    TempTable t;
    WriteOptions options = Mode(SaveMode::kErrorIfExists);
    options.target_file_bytes = int64_t{1} << 40;  // one file
    Result<WriteResult> written;
    if (on_pool) {
      auto task = arrow::internal::GetCpuThreadPool()->Submit(
          [&] { return WriteTable(t.root(), chunked, options); });
      ASSERT_TRUE(task.ok());
      written = task->result().ValueOrDie();
    } else {
      written = WriteTable(t.root(), chunked, options);
    }
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    auto snapshot = Load(t.root());
    auto reader = OnlyDataFile(t.root(), *snapshot);
    ASSERT_TRUE(reader);
    ASSERT_EQ(reader->metadata()->num_row_groups(), 2) << on_pool;
    EXPECT_EQ(reader->metadata()->RowGroup(0)->num_rows(), int64_t{1} << 20);
    EXPECT_EQ(reader->metadata()->RowGroup(1)->num_rows(), 1000);
    auto read = ReadSnapshot(snapshot);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    auto combined = (*read)->CombineChunks().ValueOrDie();
    EXPECT_TRUE(combined->Equals(*whole)) << on_pool;
    auto stats = nlohmann::json::parse(*snapshot->files()[0].stats);
    EXPECT_EQ(stats["numRecords"], n);
    EXPECT_EQ(stats["minValues"]["id"], 1);
    EXPECT_EQ(stats["maxValues"]["id"], n);
  }
}

TEST(PartitionValueTest, ZoneLessTimestampIsWallClockTimeInTheSessionZone) {
  auto ts = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  auto micros = [](const Result<std::shared_ptr<arrow::Scalar>>& r) {
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::static_pointer_cast<arrow::TimestampScalar>(*r)->value;
  };
  const int64_t utc_11 = 1631099471000000LL;  // 2021-09-08 11:11:11 UTC
  EXPECT_EQ(micros(ParsePartitionValue("2021-09-08 11:11:11", ts)), utc_11);
  // Pacific daylight time is UTC-7.
  EXPECT_EQ(micros(ParsePartitionValue("2021-09-08 11:11:11", ts, "America/Los_Angeles")),
            utc_11 + 7 * 3600 * 1000000LL);
  EXPECT_EQ(micros(ParsePartitionValue("2021-09-08T11:11:11.000000Z", ts, "America/Los_Angeles")),
            utc_11);
  EXPECT_EQ(micros(ParsePartitionValue("2021-09-08 11:11:11", arrow::timestamp(arrow::TimeUnit::MICRO),
                                       "America/Los_Angeles")),
            utc_11);
  EXPECT_EQ(ErrorClassOf(ParsePartitionValue("2021-09-08 11:11:11", ts, "Nowhere/City").status()),
            "INVALID_TIMEZONE");
}

TEST(WriteTableTest, IdempotentTxnSkipsRepeatedWrites) {
  TempTable t;
  WriteOptions o = Mode(SaveMode::kAppend);
  o.txn = Txn{"job-1", 5, std::nullopt};
  auto first = WriteTable(t.root(), Rows({1}, {"a"}), o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->skipped);
  auto second = WriteTable(t.root(), Rows({1}, {"a"}), o);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->skipped);
  o.txn->version = 4;
  EXPECT_TRUE(WriteTable(t.root(), Rows({1}, {"a"}), o)->skipped);
  o.txn->version = 6;
  EXPECT_FALSE(WriteTable(t.root(), Rows({1}, {"a"}), o)->skipped);
  auto snapshot = Load(t.root());
  EXPECT_EQ(RowCount(*snapshot), 2);
  EXPECT_EQ(snapshot->app_transactions().at("job-1").version, 6);
}

TEST(WriteTableTest, ReplaceWhereOnPartitionAndDataColumns) {
  TempTable t;
  WriteOptions create = Mode(SaveMode::kErrorIfExists);
  create.partition_by = {"name"};
  ASSERT_TRUE(WriteTable(t.root(), Rows({1, 2, 3}, {"a", "b", "b"}), create).ok());
  WriteOptions o = Mode(SaveMode::kOverwrite);
  o.replace_where = "name = 'b'";
  // Written rows must match the predicate.
  auto bad = WriteTable(t.root(), Rows({9}, {"a"}), o);
  EXPECT_EQ(ErrorClassOf(bad.status()), "DELTA_REPLACE_WHERE_MISMATCH");
  EXPECT_EQ(Load(t.root())->version(), 0);
  auto r = WriteTable(t.root(), Rows({20}, {"b"}), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto snapshot = Load(t.root());
  EXPECT_EQ(RowCount(*snapshot), 2);  // a:1 and b:20
  // A data-column predicate rewrites partly matching files.
  TempTable u;
  ASSERT_TRUE(WriteTable(u.root(), Rows({1, 2, 3}, {"a", "b", "c"}), Mode(SaveMode::kAppend)).ok());
  WriteOptions d = Mode(SaveMode::kOverwrite);
  d.replace_where = "id >= 2";
  auto rd = WriteTable(u.root(), Rows({5, 6}, {"x", "y"}), d);
  ASSERT_TRUE(rd.ok()) << rd.status().ToString();
  snapshot = Load(u.root());
  EXPECT_EQ(RowCount(*snapshot), 3);  // 1 kept, 5 and 6 written
  int64_t min_id = 100;
  for (const auto& f : snapshot->files()) {
    min_id = std::min<int64_t>(min_id, nlohmann::json::parse(*f.stats)["minValues"]["id"]);
  }
  EXPECT_EQ(min_id, 1);
}

TEST(WriteTableTest, FailedWriteLeavesTableUnchanged) {
  TempTable t;
  ASSERT_TRUE(WriteTable(t.root(), Rows({1}, {"a"}), Mode(SaveMode::kAppend)).ok());
  auto before = std::distance(std::filesystem::directory_iterator(t.path()),
                              std::filesystem::directory_iterator{});
  arrow::Int64Builder id;
  ASSERT_TRUE(id.Append(1).ok());
  arrow::Int64Builder extra;
  ASSERT_TRUE(extra.Append(2).ok());
  auto bad = arrow::Table::Make(
      arrow::schema({arrow::field("id", arrow::int64()), arrow::field("zzz", arrow::int64())}),
      {id.Finish().ValueOrDie(), extra.Finish().ValueOrDie()});
  ASSERT_FALSE(WriteTable(t.root(), bad, Mode(SaveMode::kAppend)).ok());
  EXPECT_FALSE(std::filesystem::exists(t.path() + "/_delta_log/" + VersionStem(1) + ".json"));
  auto after = std::distance(std::filesystem::directory_iterator(t.path()),
                             std::filesystem::directory_iterator{});
  EXPECT_EQ(before, after);
  EXPECT_EQ(Load(t.root())->version(), 0);
}

TEST(WriteTableTest, DeletionVectorPropertyUpgradesProtocol) {
  TempTable t;
  WriteOptions o = Mode(SaveMode::kErrorIfExists);
  o.table_properties["delta.enableDeletionVectors"] = "true";
  ASSERT_TRUE(WriteTable(t.root(), Rows({1}, {"a"}), o).ok());
  auto snapshot = Load(t.root());
  EXPECT_EQ(snapshot->protocol().min_reader_version, 3);
  EXPECT_EQ(snapshot->protocol().min_writer_version, 7);
  EXPECT_TRUE(snapshot->protocol().HasReaderFeature("deletionVectors"));
  EXPECT_TRUE(snapshot->protocol().HasWriterFeature("deletionVectors"));
  EXPECT_EQ(snapshot->metadata().configuration.at("delta.enableDeletionVectors"), "true");
}

TEST(WriteTableTest, CheckpointAtVersionTenIsReadable) {
  TempTable t;
  for (int i = 0; i <= 10; ++i) {
    ASSERT_TRUE(WriteTable(t.root(), Rows({i}, {"r"}), Mode(SaveMode::kAppend)).ok());
  }
  EXPECT_TRUE(std::filesystem::exists(t.path() + "/_delta_log/" + VersionStem(10) +
                                      ".checkpoint.parquet"));
  auto last = nlohmann::json::parse(*io::ReadWholeFile(t.root().Child("_delta_log/_last_checkpoint")));
  EXPECT_EQ(last["version"], 10);
  EXPECT_EQ(last["numOfAddFiles"], 11);
  EXPECT_EQ(last["size"], 13);  // protocol + metadata + 11 adds
  // Without the commits, the table must load from the checkpoint alone.
  for (int i = 0; i <= 10; ++i) {
    std::filesystem::rename(t.path() + "/_delta_log/" + VersionStem(i) + ".json",
                            t.path() + "/_delta_log/" + VersionStem(i) + ".json.bak");
  }
  auto snapshot = Load(t.root());
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->version(), 10);
  EXPECT_EQ(snapshot->log_segment().checkpoint_version, 10);
  EXPECT_EQ(snapshot->files().size(), 11u);
  EXPECT_EQ(RowCount(*snapshot), 11);
}

}  // namespace
}  // namespace basin::delta
