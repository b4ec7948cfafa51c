#include "basin/format/parquet_flat_reader.h"

#include <gtest/gtest.h>

#include <random>

#include <arrow/array/concatenate.h>
#include <arrow/compute/api.h>
#include <arrow/io/memory.h>
#include <arrow/json/from_string.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/arrow/writer.h>
#include <parquet/properties.h>

#include "basin/format/decimal_widening.h"
#include "basin/format/dictionary_strings.h"

namespace basin::format {
namespace {

// Random columns of every type the flat reader reads, `rows` long, about a tenth null in the
// nullable ones; `distinct` bounds the number of distinct values (small: dictionaries).
std::shared_ptr<arrow::Table> MakeTable(int64_t rows, int distinct, uint32_t seed) {
  std::mt19937 random(seed);
  auto pick = [&](int bound) { return static_cast<int64_t>(random() % static_cast<uint32_t>(bound)); };
  auto is_null = [&] { return random() % 10 == 0; };
  arrow::BooleanBuilder b_bool, b_bool_req;
  arrow::Int8Builder b_i8;
  arrow::Int16Builder b_i16;
  arrow::Int32Builder b_i32, b_i32_req;
  arrow::Int64Builder b_i64, b_i64_req;
  arrow::FloatBuilder b_f32;
  arrow::DoubleBuilder b_f64;
  arrow::Date32Builder b_date;
  arrow::TimestampBuilder b_ts(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                               arrow::default_memory_pool());
  arrow::TimestampBuilder b_ts_ntz(arrow::timestamp(arrow::TimeUnit::MICRO),
                                   arrow::default_memory_pool());
  arrow::Decimal128Builder b_d9(arrow::decimal128(9, 2)), b_d18(arrow::decimal128(18, 3)),
      b_d18_req(arrow::decimal128(15, 2)), b_d38(arrow::decimal128(38, 10));
  arrow::StringBuilder b_str, b_str_req;
  arrow::BinaryBuilder b_bin;
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t v = pick(distinct);
    const int64_t sign = (v % 2) ? -1 : 1;
    auto add = [&](auto& builder, auto value) {
      EXPECT_TRUE((is_null() ? builder.AppendNull() : builder.Append(value)).ok());
    };
    add(b_bool, v % 3 == 0);
    EXPECT_TRUE(b_bool_req.Append(v % 5 == 0).ok());
    add(b_i8, static_cast<int8_t>(v * sign));
    add(b_i16, static_cast<int16_t>(v * 37 * sign));
    add(b_i32, static_cast<int32_t>(v * 100003 * sign));
    EXPECT_TRUE(b_i32_req.Append(static_cast<int32_t>(v)).ok());
    add(b_i64, v * 1000000007LL * sign);
    EXPECT_TRUE(b_i64_req.Append(v * 3).ok());
    add(b_f32, static_cast<float>(v) / 7.0f);
    add(b_f64, static_cast<double>(v) * sign / 3.0);
    add(b_date, static_cast<int32_t>(v * sign));
    add(b_ts, v * 86400000001LL * sign);
    add(b_ts_ntz, v * 1000001LL);
    add(b_d9, arrow::Decimal128((v % 990000) * 1009 * sign));
    add(b_d18, arrow::Decimal128(v * 99999999999LL * sign));
    EXPECT_TRUE(b_d18_req.Append(arrow::Decimal128(v * 1234567LL)).ok());
    add(b_d38, arrow::Decimal128(v * sign) * arrow::Decimal128("100000000000000000000"));
    const std::string text = "value " + std::to_string(v) + std::string(static_cast<size_t>(v % 23), 'x');
    add(b_str, text);
    EXPECT_TRUE(b_str_req.Append(v % 4 == 0 ? std::string() : text).ok());
    add(b_bin, std::string(static_cast<size_t>(v % 5), static_cast<char>(v % 256)));
  }
  auto finish = [](auto& builder) { return builder.Finish().ValueOrDie(); };
  auto schema = arrow::schema({
      arrow::field("bool", arrow::boolean()),
      arrow::field("bool_req", arrow::boolean(), false),
      arrow::field("i8", arrow::int8()),
      arrow::field("i16", arrow::int16()),
      arrow::field("i32", arrow::int32()),
      arrow::field("i32_req", arrow::int32(), false),
      arrow::field("i64", arrow::int64()),
      arrow::field("i64_req", arrow::int64(), false),
      arrow::field("f32", arrow::float32()),
      arrow::field("f64", arrow::float64()),
      arrow::field("date", arrow::date32()),
      arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
      arrow::field("ts_ntz", arrow::timestamp(arrow::TimeUnit::MICRO)),
      arrow::field("d9", arrow::decimal128(9, 2)),
      arrow::field("d18", arrow::decimal128(18, 3)),
      arrow::field("d18_req", arrow::decimal128(15, 2), false),
      arrow::field("d38", arrow::decimal128(38, 10)),
      arrow::field("str", arrow::utf8()),
      arrow::field("str_req", arrow::utf8(), false),
      arrow::field("bin", arrow::binary()),
  });
  return arrow::Table::Make(
      schema, {finish(b_bool), finish(b_bool_req), finish(b_i8), finish(b_i16), finish(b_i32),
               finish(b_i32_req), finish(b_i64), finish(b_i64_req), finish(b_f32), finish(b_f64),
               finish(b_date), finish(b_ts), finish(b_ts_ntz), finish(b_d9), finish(b_d18),
               finish(b_d18_req), finish(b_d38), finish(b_str), finish(b_str_req),
               finish(b_bin)});
}

struct WriteOptions {
  arrow::Compression::type codec = arrow::Compression::SNAPPY;
  bool dictionary = true;
  bool v2 = false;
  int64_t page_size = 1 << 20;
  int64_t dictionary_page_limit = 1 << 20;
  int64_t row_group_rows = 1 << 20;
  bool decimals_as_integers = true;  // Spark's and Basin's layout; else FIXED_LEN_BYTE_ARRAY
  bool store_schema = false;
};

std::shared_ptr<arrow::Buffer> Write(const arrow::Table& table, const WriteOptions& options) {
  parquet::WriterProperties::Builder builder;
  builder.compression(options.codec);
  if (!options.dictionary) builder.disable_dictionary();
  builder.data_page_version(options.v2 ? parquet::ParquetDataPageVersion::V2
                                       : parquet::ParquetDataPageVersion::V1);
  builder.data_pagesize(options.page_size);
  builder.dictionary_pagesize_limit(options.dictionary_page_limit);
  builder.max_row_group_length(options.row_group_rows);
  if (options.decimals_as_integers) builder.enable_store_decimal_as_integer();
  parquet::ArrowWriterProperties::Builder arrow_builder;
  if (options.store_schema) arrow_builder.store_schema();
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  auto status = parquet::arrow::WriteTable(table, arrow::default_memory_pool(), sink,
                                           options.row_group_rows, builder.build(),
                                           arrow_builder.build());
  EXPECT_TRUE(status.ok()) << status.ToString();
  return sink->Finish().ValueOrDie();
}

// Reads `buffer` as the Delta scan does with Arrow's reader: smallest decimals widened, string
// columns that are dictionary-encoded throughout read as dictionaries and expanded.
struct Opened {
  std::unique_ptr<parquet::arrow::FileReader> reader;
  std::shared_ptr<arrow::io::BufferReader> file;
};

Opened Open(const std::shared_ptr<arrow::Buffer>& buffer, bool read_dictionaries = true) {
  Opened opened;
  opened.file = std::make_shared<arrow::io::BufferReader>(buffer);
  parquet::arrow::FileReaderBuilder builder;
  EXPECT_TRUE(builder.Open(opened.file).ok());
  parquet::ArrowReaderProperties properties;
  properties.set_smallest_decimal_enabled(true);
  properties.set_coerce_int96_timestamp_unit(arrow::TimeUnit::MICRO);
  if (read_dictionaries) {
    for (int c : FullyDictionaryEncodedStringColumns(*builder.raw_reader()->metadata())) {
      properties.set_read_dictionary(c, true);
    }
  }
  builder.properties(properties);
  opened.reader = builder.Build().ValueOrDie();
  return opened;
}

// The leaf and Arrow field of every top-level column of an opened file (all flat here).
std::pair<std::vector<int>, arrow::FieldVector> LeavesAndFields(const Opened& opened) {
  std::vector<int> leaves;
  arrow::FieldVector fields;
  for (const auto& schema_field : opened.reader->manifest().schema_fields) {
    leaves.push_back(schema_field.column_index);
    fields.push_back(schema_field.field);
  }
  return {leaves, fields};
}

std::shared_ptr<arrow::Array> Normalize(const std::shared_ptr<arrow::Array>& array) {
  if (array->type_id() == arrow::Type::DECIMAL32 || array->type_id() == arrow::Type::DECIMAL64) {
    return WidenDecimal(*array).ValueOrDie();
  }
  if (array->type_id() == arrow::Type::DICTIONARY) {
    return ExpandDictionary(static_cast<const arrow::DictionaryArray&>(*array)).ValueOrDie();
  }
  return array;
}

// Reads every column of row groups `groups` with both readers and compares the values.
void ExpectSameAsArrow(const std::shared_ptr<arrow::Buffer>& buffer, int64_t batch_size,
                       std::vector<int> groups = {}, bool parallel = false) {
  Opened opened = Open(buffer);
  auto metadata = opened.reader->parquet_reader()->metadata();
  if (groups.empty()) {
    for (int g = 0; g < metadata->num_row_groups(); ++g) groups.push_back(g);
  }
  std::vector<int> leaves;
  arrow::FieldVector fields;
  for (const auto& schema_field : opened.reader->manifest().schema_fields) {
    ASSERT_TRUE(schema_field.children.empty());
    leaves.push_back(schema_field.column_index);
    fields.push_back(schema_field.field);
    EXPECT_TRUE(FlatParquetReadable(*metadata, schema_field.column_index,
                                    *schema_field.field->type(), groups))
        << schema_field.field->ToString();
  }
  auto read = opened.reader->ReadRowGroups(groups, leaves);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  std::shared_ptr<arrow::Table> expected = *read;
  std::vector<int> indices;
  for (size_t i = 0; i < fields.size(); ++i) indices.push_back(static_cast<int>(i));
  auto flat = FlatColumnsOf(opened.reader->manifest(), *metadata, indices, groups);
  ASSERT_TRUE(flat.has_value());
  EXPECT_EQ(flat->leaves, leaves);
  FlatParquetOptions options;
  options.batch_size = batch_size;
  options.parallel_columns = parallel;
  options.path = "test.parquet";
  auto reader = OpenFlatParquet(opened.file, metadata, groups, leaves, fields, options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<arrow::ArrayVector> columns(leaves.size());
  int64_t rows = 0;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    auto status = (*reader)->ReadNext(&batch);
    ASSERT_TRUE(status.ok()) << status.ToString();
    if (!batch) break;
    ASSERT_LE(batch->num_rows(), batch_size);
    ASSERT_TRUE(batch->ValidateFull().ok()) << batch->ValidateFull().ToString();
    rows += batch->num_rows();
    for (size_t c = 0; c < leaves.size(); ++c) columns[c].push_back(batch->column(static_cast<int>(c)));
  }
  ASSERT_EQ(rows, expected->num_rows());
  for (size_t c = 0; c < leaves.size(); ++c) {
    auto want = Normalize(arrow::Concatenate(expected->column(static_cast<int>(c))->chunks())
                              .ValueOrDie());
    arrow::ArrayVector got_chunks;
    for (const auto& chunk : columns[c]) got_chunks.push_back(Normalize(chunk));
    std::shared_ptr<arrow::Array> got;
    if (got_chunks.empty()) {
      got = arrow::MakeEmptyArray(want->type()).ValueOrDie();
    } else {
      got = arrow::Concatenate(got_chunks).ValueOrDie();
    }
    ASSERT_TRUE(got->type()->Equals(*want->type()))
        << fields[c]->name() << ": " << got->type()->ToString() << " vs " << want->type()->ToString();
    ASSERT_TRUE(got->Equals(*want)) << fields[c]->name() << "\n"
                                    << got->Slice(0, 10)->ToString() << "\nvs\n"
                                    << want->Slice(0, 10)->ToString();
  }
}

// Reads every batch in two steps (NextBatch, then ReadColumns): a random half of the columns
// whole, the others for a random selection of rows, of a density that changes from batch to
// batch (none, a few, about half, nearly all, all); every third batch leaves some columns
// unread. Each column read is compared with Arrow's whole read of the same rows.
void ExpectSelectedSameAsArrow(const std::shared_ptr<arrow::Buffer>& buffer, int64_t batch_size,
                               uint32_t seed) {
  Opened opened = Open(buffer);
  auto metadata = opened.reader->parquet_reader()->metadata();
  std::vector<int> groups;
  for (int g = 0; g < metadata->num_row_groups(); ++g) groups.push_back(g);
  auto [leaves, fields] = LeavesAndFields(opened);
  auto read = opened.reader->ReadRowGroups(groups, leaves);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  auto expected = (*read)->CombineChunks().ValueOrDie();
  FlatParquetOptions options;
  options.batch_size = batch_size;
  options.parallel_columns = seed % 2 == 0;
  options.path = "test.parquet";
  auto reader = OpenFlatParquet(opened.file, metadata, groups, leaves, fields, options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::mt19937 random(seed);
  const double densities[] = {0.0, 0.02, 0.5, 0.98, 1.0};
  int64_t start = 0;
  for (int batch = 0;; ++batch) {
    auto started = (*reader)->NextBatch();
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    const int64_t n = *started;
    if (n == 0) break;
    ASSERT_LE(start + n, expected->num_rows());
    const double density = densities[batch % 5];
    std::vector<uint8_t> bits(static_cast<size_t>(arrow::bit_util::BytesForBits(n)), 0);
    arrow::Int64Builder positions;
    for (int64_t i = 0; i < n; ++i) {
      if (std::uniform_real_distribution<double>(0, 1)(random) < density || density == 1.0) {
        arrow::bit_util::SetBit(bits.data(), i);
        ASSERT_TRUE(positions.Append(start + i).ok());
      }
    }
    auto chosen = positions.Finish().ValueOrDie();
    std::vector<int> whole, selected;
    for (size_t c = 0; c < leaves.size(); ++c) {
      if (batch % 3 == 2 && random() % 3 == 0) continue;  // left unread
      (random() % 2 ? whole : selected).push_back(static_cast<int>(c));
    }
    auto whole_read = (*reader)->ReadColumns(whole, nullptr, 0);
    ASSERT_TRUE(whole_read.ok()) << whole_read.status().ToString();
    auto selected_read = (*reader)->ReadColumns(selected, bits.data(), chosen->length());
    ASSERT_TRUE(selected_read.ok()) << selected_read.status().ToString();
    for (size_t k = 0; k < whole.size(); ++k) {
      auto want = Normalize(expected->column(whole[k])->chunk(0)->Slice(start, n));
      auto got = Normalize((*whole_read)[k]);
      ASSERT_TRUE(got->ValidateFull().ok());
      ASSERT_TRUE(got->Equals(*want)) << fields[static_cast<size_t>(whole[k])]->name();
    }
    for (size_t k = 0; k < selected.size(); ++k) {
      const auto& column = expected->column(selected[k])->chunk(0);
      auto want = Normalize(arrow::compute::Take(column, chosen).ValueOrDie().make_array());
      auto got = Normalize((*selected_read)[k]);
      ASSERT_TRUE(got->ValidateFull().ok()) << got->ValidateFull().ToString();
      ASSERT_EQ(got->length(), chosen->length());
      ASSERT_TRUE(got->Equals(*want))
          << fields[static_cast<size_t>(selected[k])]->name() << " batch " << batch << "\n"
          << got->Slice(0, 10)->ToString() << "\nvs\n" << want->Slice(0, 10)->ToString();
    }
    start += n;
  }
  EXPECT_EQ(start, expected->num_rows());
}

TEST(FlatParquetReaderTest, SelectedRowsOnlyInTwoSteps) {
  auto nulls_and_dictionaries = MakeTable(7000, 40, 11);
  ExpectSelectedSameAsArrow(Write(*nulls_and_dictionaries, {}), 1000, 1);
  auto plain = MakeTable(7000, 1000000, 12);
  WriteOptions no_dictionary;
  no_dictionary.dictionary = false;
  ExpectSelectedSameAsArrow(Write(*plain, no_dictionary), 999, 2);
  WriteOptions small_pages;  // batches and selections across page boundaries
  small_pages.page_size = 512;
  small_pages.dictionary_page_limit = 2048;  // dictionaries falling back to PLAIN
  small_pages.row_group_rows = 2500;
  ExpectSelectedSameAsArrow(Write(*MakeTable(7000, 3000, 13), small_pages), 640, 3);
  WriteOptions v2;
  v2.v2 = true;
  v2.page_size = 4096;
  ExpectSelectedSameAsArrow(Write(*MakeTable(5000, 200, 14), v2), 1700, 4);
  ExpectSelectedSameAsArrow(Write(*MakeTable(300, 10, 15), {}), 1, 5);  // one row per batch
}

TEST(FlatParquetReaderTest, TwoStepReadsCheckTheirColumnsAndSelection) {
  auto buffer = Write(*MakeTable(100, 10, 16), {});
  Opened opened = Open(buffer);
  auto metadata = opened.reader->parquet_reader()->metadata();
  auto [leaves, fields] = LeavesAndFields(opened);
  FlatParquetOptions options;
  options.batch_size = 64;
  auto reader = OpenFlatParquet(opened.file, metadata, {0}, leaves, fields, options);
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE((*reader)->ReadColumns({0}, nullptr, 0).ok());  // no batch started
  ASSERT_EQ(*(*reader)->NextBatch(), 64);
  ASSERT_TRUE((*reader)->ReadColumns({0}, nullptr, 0).ok());
  EXPECT_FALSE((*reader)->ReadColumns({0}, nullptr, 0).ok());  // read twice
  EXPECT_FALSE((*reader)->ReadColumns({99}, nullptr, 0).ok());
  std::vector<uint8_t> bits(8, 0xFF);
  EXPECT_FALSE((*reader)->ReadColumns({1}, bits.data(), 65).ok());  // more rows than the batch
  // A selection that says fewer rows than it sets fails instead of writing past its arrays.
  auto wrong = (*reader)->ReadColumns({2}, bits.data(), 10);
  EXPECT_FALSE(wrong.ok());
  EXPECT_EQ(*(*reader)->NextBatch(), 36);  // the unread columns are read past
  auto rest = (*reader)->ReadColumns({3}, nullptr, 0);
  ASSERT_TRUE(rest.ok());
  auto want = opened.reader->ReadRowGroups({0}, {leaves[3]}).ValueOrDie()->CombineChunks().ValueOrDie();
  EXPECT_TRUE(Normalize((*rest)[0])->Equals(*Normalize(want->column(0)->chunk(0)->Slice(64, 36))));
  EXPECT_EQ(*(*reader)->NextBatch(), 0);
}

TEST(FlatParquetReaderTest, EveryTypeWithDictionariesAndNulls) {
  auto table = MakeTable(5000, 50, 1);
  ExpectSameAsArrow(Write(*table, {}), 1000);
}

TEST(FlatParquetReaderTest, PlainValuesWithoutDictionaries) {
  auto table = MakeTable(5000, 1000000, 2);
  WriteOptions options;
  options.dictionary = false;
  ExpectSameAsArrow(Write(*table, options), 777);
}

TEST(FlatParquetReaderTest, DictionaryFallingBackToPlainMidChunk) {
  auto table = MakeTable(20000, 100000, 3);
  WriteOptions options;
  options.dictionary_page_limit = 2000;  // the dictionary fills after a few pages
  options.page_size = 4096;
  ExpectSameAsArrow(Write(*table, options), 4096);
}

TEST(FlatParquetReaderTest, ManySmallPagesAndBatchesAcrossPages) {
  auto table = MakeTable(3000, 40, 4);
  WriteOptions options;
  options.page_size = 256;
  for (int64_t batch : {1, 7, 100, 65536}) {
    SCOPED_TRACE(batch);
    ExpectSameAsArrow(Write(*table, options), batch);
  }
}

TEST(FlatParquetReaderTest, DataPagesV2) {
  auto table = MakeTable(6000, 30, 5);
  WriteOptions options;
  options.v2 = true;
  options.page_size = 2048;
  ExpectSameAsArrow(Write(*table, options), 1000);
  options.dictionary = false;
  ExpectSameAsArrow(Write(*table, options), 1000);
  options.codec = arrow::Compression::UNCOMPRESSED;
  ExpectSameAsArrow(Write(*table, options), 1000);
}

TEST(FlatParquetReaderTest, EveryCodec) {
  auto table = MakeTable(4000, 300, 6);
  for (auto codec : {arrow::Compression::UNCOMPRESSED, arrow::Compression::SNAPPY,
                     arrow::Compression::GZIP, arrow::Compression::ZSTD, arrow::Compression::LZ4,
                     arrow::Compression::BROTLI}) {
    if (!arrow::util::Codec::IsAvailable(codec)) continue;
    SCOPED_TRACE(arrow::util::Codec::GetCodecAsString(codec));
    WriteOptions options;
    options.codec = codec;
    options.page_size = 8192;
    ExpectSameAsArrow(Write(*table, options), 999);
  }
}

TEST(FlatParquetReaderTest, RowGroupsChosenAndBatchesEndingAtTheirEnds) {
  auto table = MakeTable(10000, 70, 7);
  WriteOptions options;
  options.row_group_rows = 3000;
  auto buffer = Write(*table, options);
  ExpectSameAsArrow(buffer, 2048);
  ExpectSameAsArrow(buffer, 2048, {1, 3});
  ExpectSameAsArrow(buffer, 5000, {2}, /*parallel=*/true);
}

TEST(FlatParquetReaderTest, DecimalsAsFixedLengthBytesAndStoredArrowSchema) {
  auto table = MakeTable(3000, 500, 8);
  WriteOptions options;
  options.decimals_as_integers = false;  // pyarrow's default: FIXED_LEN_BYTE_ARRAY decimals
  options.store_schema = true;
  ExpectSameAsArrow(Write(*table, options), 1024);
}

TEST(FlatParquetReaderTest, ColumnsOfNullsOnlyAndEmptyStrings) {
  arrow::Int64Builder ints;
  arrow::StringBuilder strings;
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE(ints.AppendNull().ok());
    ASSERT_TRUE((i % 2 ? strings.AppendNull() : strings.Append("")).ok());
  }
  auto table = arrow::Table::Make(
      arrow::schema({arrow::field("n", arrow::int64()), arrow::field("s", arrow::utf8())}),
      {ints.Finish().ValueOrDie(), strings.Finish().ValueOrDie()});
  for (bool dictionary : {true, false}) {
    WriteOptions options;
    options.dictionary = dictionary;
    options.page_size = 512;
    ExpectSameAsArrow(Write(*table, options), 1000);
  }
}

TEST(FlatParquetReaderTest, LeavesNestedInt96AndDeltaEncodedColumnsToArrow) {
  auto list = arrow::json::ArrayFromJSONString(arrow::list(arrow::int32()), "[[1, 2], null, []]").ValueOrDie();
  auto ts = arrow::json::ArrayFromJSONString(arrow::timestamp(arrow::TimeUnit::MICRO), "[1, 2, 3]").ValueOrDie();
  auto ints = arrow::json::ArrayFromJSONString(arrow::int64(), "[1, 2, 3]").ValueOrDie();
  auto table = arrow::Table::Make(
      arrow::schema({arrow::field("l", list->type()), arrow::field("t", ts->type()),
                     arrow::field("d", ints->type())}),
      {list, ts, ints});
  parquet::WriterProperties::Builder builder;
  builder.disable_dictionary("d");
  builder.encoding("d", parquet::Encoding::DELTA_BINARY_PACKED);
  parquet::ArrowWriterProperties::Builder arrow_builder;
  arrow_builder.enable_deprecated_int96_timestamps();
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  ASSERT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink, 10,
                                         builder.build(), arrow_builder.build())
                  .ok());
  Opened opened = Open(sink->Finish().ValueOrDie());
  auto metadata = opened.reader->parquet_reader()->metadata();
  const auto& fields = opened.reader->manifest().schema_fields;
  EXPECT_FALSE(fields[0].children.empty());  // the list is not a leaf: the scan never asks
  EXPECT_FALSE(FlatParquetReadable(*metadata, fields[0].children[0].column_index,
                                   *fields[0].children[0].field->type(), {0}));
  EXPECT_FALSE(FlatParquetReadable(*metadata, fields[1].column_index, *fields[1].field->type(), {0}));
  EXPECT_FALSE(FlatParquetReadable(*metadata, fields[2].column_index, *fields[2].field->type(), {0}));
  const auto& manifest = opened.reader->manifest();
  EXPECT_FALSE(FlatColumnsOf(manifest, *metadata, {0}, {0}));
  EXPECT_FALSE(FlatColumnsOf(manifest, *metadata, {1}, {0}));
  EXPECT_FALSE(FlatColumnsOf(manifest, *metadata, {2}, {0}));
  EXPECT_FALSE(FlatColumnsOf(manifest, *metadata, {}, {0}));
  EXPECT_FALSE(FlatColumnsOf(manifest, *metadata, {7}, {0}));
}

TEST(FlatParquetReaderTest, CorruptPagesGiveErrorsNotCrashes) {
  auto table = MakeTable(2000, 60, 9);
  WriteOptions options;
  options.page_size = 1024;
  auto good = Write(*table, options);
  Opened opened = Open(good);
  auto metadata = opened.reader->parquet_reader()->metadata();
  auto [leaves, fields] = LeavesAndFields(opened);
  // The column data: after the leading magic, up to the footer (its length precedes the
  // trailing magic).
  uint32_t footer = 0;
  std::memcpy(&footer, good->data() + good->size() - 8, 4);
  const int64_t begin = 4;
  const int64_t end = good->size() - 8 - footer;
  ASSERT_GT(end, begin);
  std::mt19937 random(10);
  int errors = 0;
  for (int trial = 0; trial < 300; ++trial) {
    auto copy = arrow::AllocateBuffer(good->size()).ValueOrDie();
    std::memcpy(copy->mutable_data(), good->data(), static_cast<size_t>(good->size()));
    for (int flips = 0; flips < 4; ++flips) {
      const int64_t at = begin + static_cast<int64_t>(random() % static_cast<uint32_t>(end - begin));
      copy->mutable_data()[at] ^= static_cast<uint8_t>(1u << (random() % 8));
    }
    auto file = std::make_shared<arrow::io::BufferReader>(std::shared_ptr<arrow::Buffer>(std::move(copy)));
    FlatParquetOptions read_options;
    read_options.batch_size = 512;
    auto reader = OpenFlatParquet(file, metadata, {0}, leaves, fields, read_options);
    ASSERT_TRUE(reader.ok());
    while (true) {
      std::shared_ptr<arrow::RecordBatch> batch;
      auto status = (*reader)->ReadNext(&batch);
      if (!status.ok()) {
        ++errors;
        EXPECT_NE(status.message().find("Cannot read the data file"), std::string::npos)
            << status.ToString();
        break;
      }
      if (!batch) break;
    }
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace basin::format
