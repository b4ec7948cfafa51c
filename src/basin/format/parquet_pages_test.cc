#include "basin/format/parquet_pages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <parquet/arrow/writer.h>
#include <parquet/column_page.h>
#include <parquet/column_reader.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

namespace basin::format {
namespace {

// ---------------------------------------------------------------------------------------------
// Page headers of files Arrow's writer writes.

struct FileOptions {
  parquet::ParquetDataPageVersion version = parquet::ParquetDataPageVersion::V1;
  bool dictionary = true;
  bool statistics = true;
  bool checksum = true;
  arrow::Compression::type codec = arrow::Compression::UNCOMPRESSED;
};

std::string Describe(const FileOptions& o) {
  return std::string(o.version == parquet::ParquetDataPageVersion::V1 ? "v1" : "v2") +
         (o.dictionary ? " dictionary" : " plain") + (o.statistics ? " statistics" : "") +
         (o.checksum ? " crc" : "") + " " + arrow::util::Codec::GetCodecAsString(o.codec);
}

// int64, double, string and boolean columns with nulls, plus a required int64 column.
std::shared_ptr<arrow::Table> MakeTable(int64_t rows) {
  arrow::Int64Builder ints, ids;
  arrow::DoubleBuilder doubles;
  arrow::StringBuilder strings;
  arrow::BooleanBuilder bools;
  std::mt19937_64 rng(42);
  for (int64_t i = 0; i < rows; ++i) {
    const uint64_t r = rng();
    EXPECT_TRUE(
        (r % 7 == 0 ? ints.AppendNull() : ints.Append(static_cast<int64_t>(r % 1000))).ok());
    EXPECT_TRUE((r % 5 == 1 ? doubles.AppendNull() : doubles.Append((r >> 8) % 97 * 0.5)).ok());
    EXPECT_TRUE((r % 3 == 2 ? strings.AppendNull()
                            : strings.Append("value " + std::to_string((r >> 16) % 300)))
                    .ok());
    EXPECT_TRUE((r % 11 == 3 ? bools.AppendNull() : bools.Append(((r >> 24) & 1) != 0)).ok());
    EXPECT_TRUE(ids.Append(i).ok());
  }
  auto schema =
      arrow::schema({arrow::field("i", arrow::int64()), arrow::field("d", arrow::float64()),
                     arrow::field("s", arrow::utf8()), arrow::field("b", arrow::boolean()),
                     arrow::field("id", arrow::int64(), /*nullable=*/false)});
  return arrow::Table::Make(schema, {ints.Finish().ValueOrDie(), doubles.Finish().ValueOrDie(),
                                     strings.Finish().ValueOrDie(), bools.Finish().ValueOrDie(),
                                     ids.Finish().ValueOrDie()});
}

std::shared_ptr<arrow::Buffer> WriteFile(const arrow::Table& table, const FileOptions& o) {
  parquet::WriterProperties::Builder builder;
  builder.data_page_version(o.version)
      ->compression(o.codec)
      ->data_pagesize(512)
      ->write_batch_size(256)
      ->max_row_group_length(7000);
  if (!o.dictionary) builder.disable_dictionary();
  if (!o.statistics) builder.disable_statistics();
  if (o.checksum) builder.enable_page_checksum();
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  EXPECT_TRUE(parquet::arrow::WriteTable(table, arrow::default_memory_pool(), sink,
                                         /*chunk_size=*/7000, builder.build())
                  .ok());
  return sink->Finish().ValueOrDie();
}

// Counts the zero definition levels (nulls of a flat optional column) among the first
// `num_values` of RLE/bit-packed levels of width 1.
int64_t CountNullLevels(const uint8_t* data, int64_t size, int64_t num_values) {
  RleBitPackedDecoder decoder(data, size, 1);
  std::vector<uint8_t> levels(num_values);
  auto got = decoder.Get(levels.data(), num_values);
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, num_values);
  return std::count(levels.begin(), levels.end(), 0);
}

TEST(ParquetPagesTest, WalksEveryPageOfFilesArrowWrites) {
  const auto table = MakeTable(20000);
  std::vector<FileOptions> all;
  for (auto version : {parquet::ParquetDataPageVersion::V1, parquet::ParquetDataPageVersion::V2}) {
    for (bool dictionary : {true, false}) {
      for (bool statistics : {true, false}) {
        for (bool checksum : {true, false}) {
          for (auto codec : {arrow::Compression::UNCOMPRESSED, arrow::Compression::SNAPPY,
                             arrow::Compression::ZSTD}) {
            all.push_back({version, dictionary, statistics, checksum, codec});
          }
        }
      }
    }
  }
  int64_t total_pages = 0;
  for (const FileOptions& options : all) {
    SCOPED_TRACE(Describe(options));
    const bool v2 = options.version == parquet::ParquetDataPageVersion::V2;
    const auto buffer = WriteFile(*table, options);
    auto reader =
        parquet::ParquetFileReader::Open(std::make_shared<arrow::io::BufferReader>(buffer));
    const auto metadata = reader->metadata();
    ASSERT_GT(metadata->num_row_groups(), 1);
    int64_t row_offset = 0;
    for (int rg = 0; rg < metadata->num_row_groups(); ++rg) {
      const auto row_group = metadata->RowGroup(rg);
      for (int c = 0; c < row_group->num_columns(); ++c) {
        SCOPED_TRACE("row group " + std::to_string(rg) + " column " + std::to_string(c));
        const auto chunk = row_group->ColumnChunk(c);
        const bool optional = c != 4;
        const int64_t expected_nulls =
            table->column(c)->Slice(row_offset, row_group->num_rows())->null_count();
        const int64_t start = chunk->has_dictionary_page() ? chunk->dictionary_page_offset()
                                                           : chunk->data_page_offset();
        const int64_t end = start + chunk->total_compressed_size();
        ASSERT_LE(end, buffer->size());
        // Arrow's own page reader over the same chunk, to compare every field.
        auto arrow_pages = reader->RowGroup(rg)->GetColumnPageReader(c);

        const std::set<int32_t> chunk_encodings(chunk->encodings().begin(),
                                                chunk->encodings().end());
        std::set<int32_t> page_encodings;
        int64_t pos = start, values = 0, nulls = 0, rows = 0, data_pages = 0;
        bool seen_dictionary = false;
        while (pos < end) {
          int64_t header_length = 0;
          auto header = ParseParquetPageHeader(buffer->data() + pos, end - pos, &header_length);
          ASSERT_TRUE(header.ok()) << header.status().ToString() << " at " << pos;
          ASSERT_GT(header_length, 0);
          const uint8_t* page = buffer->data() + pos + header_length;
          auto arrow_page = arrow_pages->NextPage();
          ASSERT_NE(arrow_page, nullptr);
          ASSERT_EQ(header->type, static_cast<int32_t>(arrow_page->type()));
          if (options.codec == arrow::Compression::UNCOMPRESSED) {
            EXPECT_EQ(header->compressed_page_size, header->uncompressed_page_size);
          }
          EXPECT_EQ(header->uncompressed_page_size, arrow_page->size());
          page_encodings.insert(header->encoding);
          if (header->type == 2) {
            EXPECT_EQ(pos, start) << "the dictionary page comes first";
            EXPECT_FALSE(seen_dictionary);
            seen_dictionary = true;
            const auto& dictionary = static_cast<const parquet::DictionaryPage&>(*arrow_page);
            EXPECT_EQ(header->num_values, dictionary.num_values());
            EXPECT_EQ(header->encoding, dictionary.encoding());
          } else {
            ASSERT_EQ(header->type, v2 ? 3 : 0);
            ++data_pages;
            values += header->num_values;
            const auto& data = static_cast<const parquet::DataPage&>(*arrow_page);
            EXPECT_EQ(header->num_values, data.num_values());
            EXPECT_EQ(header->encoding, data.encoding());
            if (v2) {
              const auto& data_v2 = static_cast<const parquet::DataPageV2&>(data);
              EXPECT_EQ(header->num_nulls, data_v2.num_nulls());
              EXPECT_EQ(header->num_rows, data_v2.num_rows());
              EXPECT_EQ(header->definition_levels_byte_length,
                        data_v2.definition_levels_byte_length());
              EXPECT_EQ(header->repetition_levels_byte_length,
                        data_v2.repetition_levels_byte_length());
              EXPECT_EQ(header->is_compressed, data_v2.is_compressed());
              EXPECT_EQ(header->repetition_levels_byte_length, 0);
              EXPECT_EQ(header->num_rows, header->num_values);
              EXPECT_LE(header->definition_levels_byte_length, header->compressed_page_size);
              if (optional) {
                EXPECT_GT(header->definition_levels_byte_length, 0);
                // v2 levels are never compressed: decode them in place.
                EXPECT_EQ(CountNullLevels(page, header->definition_levels_byte_length,
                                          header->num_values),
                          header->num_nulls);
              } else {
                EXPECT_EQ(header->definition_levels_byte_length, 0);
                EXPECT_EQ(header->num_nulls, 0);
              }
              nulls += header->num_nulls;
              rows += header->num_rows;
            } else {
              const auto& data_v1 = static_cast<const parquet::DataPageV1&>(data);
              EXPECT_EQ(header->definition_level_encoding, data_v1.definition_level_encoding());
              EXPECT_EQ(header->repetition_level_encoding, data_v1.repetition_level_encoding());
              page_encodings.insert(header->definition_level_encoding);
              page_encodings.insert(header->repetition_level_encoding);
              if (optional && options.codec == arrow::Compression::UNCOMPRESSED) {
                // v1 levels: a 4-byte length, then the RLE/bit-packed levels.
                ASSERT_EQ(header->definition_level_encoding, 3);
                uint32_t length;
                std::memcpy(&length, page, 4);
                ASSERT_LE(length + 4, static_cast<uint32_t>(header->compressed_page_size));
                nulls += CountNullLevels(page + 4, length, header->num_values);
              }
            }
          }
          pos += header_length + header->compressed_page_size;
        }
        ++total_pages;
        EXPECT_EQ(pos, end) << "the walk ends exactly at the chunk's end";
        EXPECT_EQ(arrow_pages->NextPage(), nullptr);
        EXPECT_EQ(seen_dictionary, chunk->has_dictionary_page());
        EXPECT_EQ(values, chunk->num_values());
        EXPECT_GT(data_pages, 1) << "a small page size makes many pages";
        if (v2) {
          EXPECT_EQ(nulls, expected_nulls);
          EXPECT_EQ(rows, row_group->num_rows());
        } else if (options.codec == arrow::Compression::UNCOMPRESSED) {
          EXPECT_EQ(nulls, expected_nulls);
        }
        // The chunk lists the encodings of its pages; v2 levels are RLE without a header field.
        for (int32_t e : page_encodings) EXPECT_TRUE(chunk_encodings.count(e)) << e;
        for (int32_t e : chunk_encodings) {
          EXPECT_TRUE(page_encodings.count(e) || (v2 && e == 3)) << e;
        }
      }
      row_offset += row_group->num_rows();
    }
  }
  EXPECT_GT(total_pages, 0);
}

// ---------------------------------------------------------------------------------------------
// Malformed headers.

// A minimal writer of Thrift's compact protocol, for hand-built headers.
class CompactWriter {
 public:
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<uint8_t>(v));
  }
  void Zigzag(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  // A field header; a delta of 0 or beyond 15 uses the long form.
  void Field(int16_t id, uint8_t type) {
    const int delta = id - last_ids.back();
    if (delta > 0 && delta <= 15) {
      bytes.push_back(static_cast<uint8_t>(delta << 4 | type));
    } else {
      bytes.push_back(type);
      Zigzag(id);
    }
    last_ids.back() = id;
  }
  void I32(int16_t id, int32_t v) {
    Field(id, 5);
    Zigzag(v);
  }
  void Bool(int16_t id, bool v) { Field(id, v ? 1 : 2); }
  void BeginStruct(int16_t id) {
    Field(id, 12);
    last_ids.push_back(0);
  }
  void End() {
    bytes.push_back(0);
    last_ids.pop_back();
  }

  std::vector<uint8_t> bytes;
  std::vector<int16_t> last_ids{0};
};

Result<ParquetPageHeader> Parse(const std::vector<uint8_t>& bytes, int64_t* length = nullptr) {
  // An exact-size heap copy, so that AddressSanitizer sees any read past the end.
  auto copy = std::make_unique<uint8_t[]>(std::max<size_t>(bytes.size(), 1));
  std::memcpy(copy.get(), bytes.data(), bytes.size());
  int64_t unused;
  return ParseParquetPageHeader(copy.get(), static_cast<int64_t>(bytes.size()),
                                length ? length : &unused);
}

void ExpectMalformed(const std::vector<uint8_t>& bytes, const std::string& what) {
  auto header = Parse(bytes);
  ASSERT_FALSE(header.ok()) << what;
  EXPECT_EQ(ErrorClassOf(header.status()), "FAILED_READ_FILE") << header.status().ToString();
}

// A v1 data page header: type, sizes, then the caller's fields, then data_page_header.
CompactWriter DataPageHeader(int32_t compressed_size = 100,
                             const std::function<void(CompactWriter&)>& extra = nullptr,
                             bool with_encoding = true) {
  CompactWriter w;
  w.I32(1, 0);
  w.I32(2, 120);
  w.I32(3, compressed_size);
  w.I32(4, -12345);  // crc
  if (extra) extra(w);
  w.BeginStruct(5);
  w.I32(1, 1000);
  if (with_encoding) w.I32(2, 8);
  w.I32(3, 3);
  w.I32(4, 3);
  w.End();
  return w;
}

TEST(ParquetPagesTest, ParsesHandBuiltHeadersAndSkipsUnknownFields) {
  {
    CompactWriter w = DataPageHeader();
    w.End();
    int64_t length = 0;
    auto header = Parse(w.bytes, &length);
    ASSERT_TRUE(header.ok()) << header.status().ToString();
    EXPECT_EQ(length, static_cast<int64_t>(w.bytes.size()));
    EXPECT_EQ(header->type, 0);
    EXPECT_EQ(header->uncompressed_page_size, 120);
    EXPECT_EQ(header->compressed_page_size, 100);
    EXPECT_EQ(header->num_values, 1000);
    EXPECT_EQ(header->encoding, 8);
  }
  {
    // Unknown fields of every type, before and after the known ones, with long-form ids.
    CompactWriter w = DataPageHeader(100, [](CompactWriter& w) {
      w.Field(9, 8);  // binary
      w.Varint(5);
      for (char c : std::string("hello")) w.bytes.push_back(static_cast<uint8_t>(c));
      w.Field(10, 7);  // double
      for (int i = 0; i < 8; ++i) w.bytes.push_back(0xff);
      w.Field(11, 6);  // i64
      w.Zigzag(-(int64_t{1} << 62));
      w.Field(12, 3);  // i8
      w.bytes.push_back(0x80);
      w.Field(13, 4);  // i16
      w.Zigzag(-300);
      w.Bool(14, true);
      w.Field(15, 13);  // uuid
      for (int i = 0; i < 16; ++i) w.bytes.push_back(static_cast<uint8_t>(i));
      w.Field(16, 9);  // list<bool> of 3, short form
      w.bytes.push_back(0x31);
      w.bytes.insert(w.bytes.end(), {1, 0, 1});
      w.Field(17, 10);  // set<i32> of 20, long form
      w.bytes.push_back(0xf5);
      w.Varint(20);
      for (int i = 0; i < 20; ++i) w.Zigzag(i * 1000);
      w.Field(18, 11);  // map<binary, list<struct>>
      w.Varint(2);
      w.bytes.push_back(0x89);
      for (int i = 0; i < 2; ++i) {
        w.Varint(1);
        w.bytes.push_back('k');
        w.bytes.push_back(0x1c);  // one struct
        w.last_ids.push_back(0);
        w.I32(1, 7);
        w.End();
      }
      w.Field(19, 11);  // empty map
      w.Varint(0);
      w.BeginStruct(300);  // a struct with a nested statistics-like struct
      w.Field(1, 8);
      w.Varint(0);
      w.BeginStruct(2);
      w.Bool(1, false);
      w.End();
      w.End();
      w.BeginStruct(6);  // index_page_header, ignored
      w.End();
    });
    w.BeginStruct(2000);  // a future field after the sub-header
    w.I32(-5, 1);
    w.End();
    w.End();
    auto header = Parse(w.bytes);
    ASSERT_TRUE(header.ok()) << header.status().ToString();
    EXPECT_EQ(header->num_values, 1000);
    EXPECT_EQ(header->encoding, 8);
  }
  {
    // A dictionary page and a v2 data page.
    CompactWriter w;
    w.I32(1, 2);
    w.I32(2, 50);
    w.I32(3, 40);
    w.BeginStruct(7);
    w.I32(1, 12);
    w.I32(2, 0);
    w.Bool(3, true);
    w.End();
    w.End();
    auto dictionary = Parse(w.bytes);
    ASSERT_TRUE(dictionary.ok()) << dictionary.status().ToString();
    EXPECT_EQ(dictionary->type, 2);
    EXPECT_EQ(dictionary->num_values, 12);
    CompactWriter v;
    v.I32(1, 3);
    v.I32(2, 50);
    v.I32(3, 40);
    v.BeginStruct(8);
    v.I32(1, 30);
    v.I32(2, 4);
    v.I32(3, 30);
    v.I32(4, 0);
    v.I32(5, 6);
    v.I32(6, 0);
    v.Bool(7, false);
    v.End();
    v.End();
    auto v2 = Parse(v.bytes);
    ASSERT_TRUE(v2.ok()) << v2.status().ToString();
    EXPECT_EQ(v2->num_nulls, 4);
    EXPECT_EQ(v2->num_rows, 30);
    EXPECT_EQ(v2->definition_levels_byte_length, 6);
    EXPECT_FALSE(v2->is_compressed);
  }
}

TEST(ParquetPagesTest, RejectsHandBuiltMalformedHeaders) {
  {
    CompactWriter w;  // no compressed_page_size
    w.I32(1, 0);
    w.I32(2, 10);
    w.BeginStruct(5);
    w.I32(1, 1);
    w.I32(2, 0);
    w.I32(3, 3);
    w.I32(4, 3);
    w.End();
    w.End();
    ExpectMalformed(w.bytes, "missing compressed_page_size");
  }
  {
    CompactWriter w = DataPageHeader(100, nullptr, /*with_encoding=*/false);
    w.End();
    ExpectMalformed(w.bytes, "missing DataPageHeader.encoding");
  }
  {
    CompactWriter w = DataPageHeader(-1);
    w.End();
    ExpectMalformed(w.bytes, "negative compressed_page_size");
  }
  {
    CompactWriter w;  // a data page without data_page_header
    w.I32(1, 0);
    w.I32(2, 10);
    w.I32(3, 10);
    w.End();
    ExpectMalformed(w.bytes, "data page without its header");
  }
  {
    CompactWriter w;  // v2 levels longer than the page
    w.I32(1, 3);
    w.I32(2, 10);
    w.I32(3, 10);
    w.BeginStruct(8);
    for (int16_t id = 1; id <= 6; ++id) w.I32(id, id == 5 ? 11 : 0);
    w.End();
    w.End();
    ExpectMalformed(w.bytes, "v2 levels longer than the page");
  }
  {
    // A wrong type for a required field: skipped, so the field is missing.
    CompactWriter w = DataPageHeader();
    w.End();
    w.bytes[0] = 0x16;  // type as i64
    ExpectMalformed(w.bytes, "type of the wrong type");
  }
  for (int depth : {10, 31, 32, 33, 200, 100000}) {
    // Unknown nested structs and lists: fine when shallow, an error when deep.
    for (bool lists : {false, true}) {
      CompactWriter w = DataPageHeader();
      if (lists) {
        w.Field(20, 9);
        for (int i = 1; i < depth; ++i) w.bytes.push_back(0x19);  // a list of one list
        w.bytes.push_back(0x09);                                  // ... of no lists
      } else {
        for (int i = 0; i < depth; ++i) w.BeginStruct(i == 0 ? 20 : 1);
        for (int i = 0; i < depth; ++i) w.End();
      }
      w.End();
      auto header = Parse(w.bytes);
      EXPECT_EQ(header.ok(), depth < 32)
          << depth << (lists ? " lists" : " structs") << ": " << header.status().ToString();
      if (!header.ok()) {
        EXPECT_EQ(ErrorClassOf(header.status()), "FAILED_READ_FILE");
      }
    }
  }
  {
    CompactWriter w = DataPageHeader();
    w.Field(20, 9);  // a list claiming 2^31 - 1 elements
    w.bytes.push_back(0xf5);
    w.Varint(0x7fffffff);
    w.End();
    ExpectMalformed(w.bytes, "huge list");
  }
  {
    CompactWriter w = DataPageHeader();
    w.Field(20, 8);  // a binary longer than the input
    w.Varint(1000);
    w.End();
    ExpectMalformed(w.bytes, "long binary");
  }
  {
    CompactWriter w;
    w.Field(1, 5);
    for (int i = 0; i < 6; ++i) w.bytes.push_back(0xff);  // an i32 varint of 6 bytes
    w.bytes.push_back(0x01);
    ExpectMalformed(w.bytes, "long varint");
  }
  {
    CompactWriter w;
    w.Field(1, 5);
    w.Varint(uint64_t{1} << 33);  // beyond 32 bits
    ExpectMalformed(w.bytes, "i32 out of range");
  }
  {
    CompactWriter w = DataPageHeader();
    w.bytes.push_back(0x1e);  // unknown type 14
    w.End();
    ExpectMalformed(w.bytes, "unknown type");
  }
  ExpectMalformed({}, "empty input");
  ExpectMalformed({0x00}, "empty struct");
}

// Real headers of a file with statistics and checksums (nested structs and binaries).
std::vector<std::vector<uint8_t>> RealHeaders() {
  const auto table = MakeTable(3000);
  std::vector<std::vector<uint8_t>> headers;
  for (auto version : {parquet::ParquetDataPageVersion::V1, parquet::ParquetDataPageVersion::V2}) {
    const auto buffer = WriteFile(*table, {version, true, true, true, arrow::Compression::SNAPPY});
    auto reader =
        parquet::ParquetFileReader::Open(std::make_shared<arrow::io::BufferReader>(buffer));
    const auto row_group = reader->metadata()->RowGroup(0);
    for (int c = 0; c < row_group->num_columns(); ++c) {
      const auto chunk = row_group->ColumnChunk(c);
      int64_t pos = chunk->has_dictionary_page() ? chunk->dictionary_page_offset()
                                                 : chunk->data_page_offset();
      for (int page = 0; page < 3; ++page) {
        int64_t length = 0;
        auto header = ParseParquetPageHeader(buffer->data() + pos, buffer->size() - pos, &length);
        EXPECT_TRUE(header.ok());
        if (!header.ok()) break;
        headers.emplace_back(buffer->data() + pos, buffer->data() + pos + length);
        pos += length + header->compressed_page_size;
      }
    }
  }
  return headers;
}

TEST(ParquetPagesTest, RejectsEveryTruncationOfRealHeaders) {
  const auto headers = RealHeaders();
  ASSERT_GT(headers.size(), 10u);
  for (const auto& header : headers) {
    for (size_t length = 0; length < header.size(); ++length) {
      ExpectMalformed(std::vector<uint8_t>(header.begin(), header.begin() + length),
                      "truncated to " + std::to_string(length));
    }
  }
}

TEST(ParquetPagesTest, SurvivesRandomByteFlips) {
  const auto headers = RealHeaders();
  int parsed = 0, failed = 0;
  for (uint64_t seed = 0; seed < 20000; ++seed) {
    std::mt19937_64 rng(seed);
    std::vector<uint8_t> bytes = headers[seed % headers.size()];
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) {
      uint8_t& b = bytes[rng() % bytes.size()];
      b = (rng() & 1) ? static_cast<uint8_t>(rng()) : static_cast<uint8_t>(b ^ (1u << (rng() % 8)));
    }
    if (seed % 10 == 0) {
      // Also wholly random bytes.
      for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    }
    int64_t length = -1;
    auto header = Parse(bytes, &length);
    if (header.ok()) {
      ++parsed;
      EXPECT_GT(length, 0);
      EXPECT_LE(length, static_cast<int64_t>(bytes.size()));
      EXPECT_GE(header->compressed_page_size, 0);
      EXPECT_GE(header->uncompressed_page_size, 0);
      EXPECT_GE(header->num_values, 0);
    } else {
      ++failed;
      EXPECT_EQ(ErrorClassOf(header.status()), "FAILED_READ_FILE") << header.status().ToString();
    }
  }
  EXPECT_GT(parsed, 0);
  EXPECT_GT(failed, 0);
}

// ---------------------------------------------------------------------------------------------
// RLE / bit-packing hybrid.

// A reference encoder (Encodings.md), written for clarity: bits go in one at a time.
class HybridWriter {
 public:
  explicit HybridWriter(int bit_width) : bit_width_(bit_width) {}

  void Rle(uint32_t value, uint32_t count) {
    Varint(uint64_t{count} << 1);
    for (int i = 0; i < (bit_width_ + 7) / 8; ++i)
      bytes.push_back(static_cast<uint8_t>(value >> (8 * i)));
  }
  // Bit-packs `values` (a multiple of 8).
  void BitPacked(const std::vector<uint32_t>& values) {
    Varint((uint64_t{values.size() / 8} << 1) | 1);
    const size_t first = bytes.size();
    bytes.resize(first + values.size() * bit_width_ / 8, 0);
    size_t bit = 0;
    for (uint32_t v : values) {
      for (int i = 0; i < bit_width_; ++i, ++bit) {
        if ((v >> i) & 1) bytes[first + bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
      }
    }
  }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<uint8_t>(v));
  }

  std::vector<uint8_t> bytes;

 private:
  int bit_width_;
};

struct Encoded {
  std::vector<uint8_t> bytes;
  std::vector<uint32_t> values;
};

// Random runs: RLE runs of random lengths and bit-packed runs of random group counts.
Encoded RandomRuns(int bit_width, std::mt19937_64& rng, int runs) {
  HybridWriter writer(bit_width);
  Encoded e;
  const uint64_t mask = bit_width == 32 ? 0xffffffffu : (uint64_t{1} << bit_width) - 1;
  for (int r = 0; r < runs; ++r) {
    // Values often small or at the top of the range, to exercise every bit.
    auto value = [&] {
      const uint64_t x = rng();
      return static_cast<uint32_t>((x % 3 == 0 ? mask - (x >> 8) % 3 : x >> 8) & mask);
    };
    if (rng() % 2 == 0) {
      const uint32_t count = 1 + rng() % (rng() % 4 == 0 ? 3000 : 40);
      const uint32_t v = value();
      writer.Rle(v, count);
      e.values.insert(e.values.end(), count, v);
    } else {
      std::vector<uint32_t> values(8 * (1 + rng() % (rng() % 4 == 0 ? 300 : 6)));
      for (auto& v : values) v = value();
      writer.BitPacked(values);
      e.values.insert(e.values.end(), values.begin(), values.end());
    }
  }
  e.bytes = std::move(writer.bytes);
  return e;
}

// An exact-size heap copy, so that AddressSanitizer sees any read past the end.
struct ExactCopy {
  explicit ExactCopy(const std::vector<uint8_t>& bytes)
      : data(std::make_unique<uint8_t[]>(std::max<size_t>(bytes.size(), 1))), size(bytes.size()) {
    std::memcpy(data.get(), bytes.data(), bytes.size());
  }
  std::unique_ptr<uint8_t[]> data;
  int64_t size;
};

template <typename T>
void CheckDecodes(const Encoded& e, int bit_width, std::mt19937_64& rng) {
  ExactCopy copy(e.bytes);
  RleBitPackedDecoder decoder(copy.data.get(), copy.size, bit_width);
  const int64_t total = static_cast<int64_t>(e.values.size());
  int64_t pos = 0;
  std::vector<T> out;
  while (pos < total) {
    const int64_t n = 1 + static_cast<int64_t>(rng() % (rng() % 3 == 0 ? 1000 : 20));
    if (rng() % 4 == 0) {
      auto skipped = decoder.Skip(n);
      ASSERT_TRUE(skipped.ok()) << skipped.status().ToString();
      ASSERT_EQ(*skipped, std::min(n, total - pos));
      pos += *skipped;
      continue;
    }
    out.assign(n + 1, T{0x5a});
    auto got = decoder.Get(out.data(), n);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(*got, std::min(n, total - pos));
    for (int64_t i = 0; i < *got; ++i) {
      ASSERT_EQ(out[i], static_cast<T>(e.values[pos + i]))
          << "width " << bit_width << " value " << pos + i << " of " << total;
    }
    ASSERT_EQ(out[*got], T{0x5a}) << "wrote past what it returned";
    pos += *got;
  }
  T extra;
  auto got = decoder.Get(&extra, 1);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 0);
  auto skipped = decoder.Skip(5);
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(*skipped, 0);
}

TEST(RleBitPackedDecoderTest, DecodesRandomRunsOfEveryWidth) {
  for (int bit_width = 0; bit_width <= 32; ++bit_width) {
    for (uint64_t seed = 0; seed < 12; ++seed) {
      SCOPED_TRACE("width " + std::to_string(bit_width) + " seed " + std::to_string(seed));
      std::mt19937_64 rng(seed * 33 + bit_width);
      const Encoded e = RandomRuns(bit_width, rng, 1 + static_cast<int>(rng() % 30));
      if (bit_width <= 8) CheckDecodes<uint8_t>(e, bit_width, rng);
      if (bit_width <= 16) CheckDecodes<uint16_t>(e, bit_width, rng);
      CheckDecodes<uint32_t>(e, bit_width, rng);
      // All at once too.
      ExactCopy copy(e.bytes);
      RleBitPackedDecoder decoder(copy.data.get(), copy.size, bit_width);
      std::vector<uint32_t> out(e.values.size() + 10);
      auto got = decoder.Get(out.data(), static_cast<int64_t>(out.size()));
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(*got, static_cast<int64_t>(e.values.size()));
      out.resize(*got);
      ASSERT_EQ(out, e.values);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(RleBitPackedDecoderTest, DecodesTheSpecExample) {
  // Encodings.md: 0..7 at width 3 bit-pack to 10001000 11000110 11111010.
  const std::vector<uint8_t> bytes = {0x03, 0x88, 0xc6, 0xfa};
  RleBitPackedDecoder decoder(bytes.data(), 4, 3);
  uint8_t out[8];
  ASSERT_EQ(*decoder.Get(out, 8), 8);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], i);
}

TEST(RleBitPackedDecoderTest, DecodesTheBitsPresentOfATruncatedFinalGroup) {
  for (int bit_width = 1; bit_width <= 32; ++bit_width) {
    std::mt19937_64 rng(bit_width);
    HybridWriter writer(bit_width);
    writer.Rle(1, 5);
    std::vector<uint32_t> values(24);
    const uint64_t mask = (uint64_t{1} << bit_width) - 1;
    for (auto& v : values) v = static_cast<uint32_t>(rng() & mask);
    writer.BitPacked(values);
    const size_t full = writer.bytes.size();
    for (int missing = 1; missing < bit_width; ++missing) {
      SCOPED_TRACE("width " + std::to_string(bit_width) + " missing " + std::to_string(missing));
      ExactCopy copy(
          std::vector<uint8_t>(writer.bytes.begin(), writer.bytes.begin() + (full - missing)));
      const int64_t present = 16 + (bit_width - missing) * 8 / bit_width;
      RleBitPackedDecoder decoder(copy.data.get(), copy.size, bit_width);
      std::vector<uint32_t> out(40);
      auto got = decoder.Get(out.data(), 3);  // a partial group first
      ASSERT_TRUE(got.ok());
      auto rest = decoder.Get(out.data() + 3, 37);
      ASSERT_TRUE(rest.ok()) << rest.status().ToString();
      ASSERT_EQ(*got + *rest, 5 + present);
      for (int i = 0; i < 5; ++i) EXPECT_EQ(out[i], 1u);
      for (int64_t i = 0; i < present; ++i) EXPECT_EQ(out[5 + i], values[i]) << i;
      // Skipping over it ends at the same place.
      RleBitPackedDecoder skipper(copy.data.get(), copy.size, bit_width);
      EXPECT_EQ(*skipper.Skip(1000), 5 + present);
    }
  }
}

Status DecodeAll(const std::vector<uint8_t>& bytes, int bit_width, int64_t n,
                 std::vector<uint32_t>* out) {
  ExactCopy copy(bytes);
  RleBitPackedDecoder decoder(copy.data.get(), copy.size, bit_width);
  out->assign(n, 0);
  ASSIGN_OR_RAISE(int64_t got, decoder.Get(out->data(), n));
  out->resize(got);
  return Status::OK();
}

void ExpectRunError(const std::vector<uint8_t>& bytes, int bit_width, const std::string& what) {
  std::vector<uint32_t> out;
  Status status = DecodeAll(bytes, bit_width, 1000, &out);
  ASSERT_FALSE(status.ok()) << what;
  EXPECT_EQ(ErrorClassOf(status), "FAILED_READ_FILE") << status.ToString();
  ExactCopy copy(bytes);
  RleBitPackedDecoder skipper(copy.data.get(), copy.size, bit_width);
  EXPECT_FALSE(skipper.Skip(1000).ok()) << what;
  EXPECT_FALSE(skipper.Skip(1000).ok()) << what << ": the error stays";
  uint32_t value;
  EXPECT_FALSE(skipper.Get(&value, 1).ok()) << what << ": the error stays";
}

TEST(RleBitPackedDecoderTest, RejectsMalformedRuns) {
  // A bit-packed run of 10 groups with 2 groups' bytes.
  ExpectRunError({0x15, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 3, "bit-packed run past the end");
  // The largest run header: 2^31 - 1 groups.
  ExpectRunError({0xff, 0xff, 0xff, 0xff, 0x0f, 0x00}, 1, "huge bit-packed run");
  ExpectRunError({0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 1, "six-byte varint");
  ExpectRunError({0xff, 0xff, 0xff, 0xff, 0x1f}, 1, "varint beyond 32 bits");
  ExpectRunError({0x80, 0x80}, 1, "varint cut off");
  ExpectRunError({0x00, 0x01}, 1, "empty RLE run");
  ExpectRunError({0x01}, 1, "empty bit-packed run");
  ExpectRunError({0x04, 0x34}, 12, "RLE value cut off");
  ExpectRunError({0x04, 0x09}, 3, "RLE value wider than the bit width");
  ExpectRunError({0x04}, 33, "width beyond 32");
  ExpectRunError({0x04}, -1, "negative width");

  // Values before a malformed run are decoded when the caller stops before it.
  HybridWriter writer(4);
  writer.Rle(7, 10);
  writer.Varint((5 << 1) | 1);  // 5 groups, 1 byte
  writer.bytes.push_back(0x12);
  std::vector<uint32_t> out;
  ASSERT_TRUE(DecodeAll(writer.bytes, 4, 10, &out).ok());
  EXPECT_EQ(out, std::vector<uint32_t>(10, 7));
  ExpectRunError(writer.bytes, 4, "after a good run");

  // A type too narrow for the width is the caller's bug.
  const std::vector<uint8_t> bytes = {0x02, 0x00, 0x01};
  RleBitPackedDecoder decoder(bytes.data(), 3, 9);
  uint8_t narrow[1];
  auto got = decoder.Get(narrow, 1);
  EXPECT_FALSE(got.ok());
}

TEST(RleBitPackedDecoderTest, RunsLongerThanRequestsAndZeroWidth) {
  // One long RLE run read in pieces, and width 0 where every value is 0 and takes no bytes.
  HybridWriter writer(0);
  writer.Rle(0, 1000000);
  writer.BitPacked(std::vector<uint32_t>(800, 0));
  std::vector<uint32_t> out;
  ASSERT_TRUE(DecodeAll(writer.bytes, 0, 2000000, &out).ok());
  EXPECT_EQ(out.size(), 1000800u);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint32_t v) { return v == 0; }));
  HybridWriter w32(32);
  w32.Rle(0xfedcba98u, 0x7fffffff);  // the longest run
  ExactCopy copy(w32.bytes);
  RleBitPackedDecoder decoder(copy.data.get(), copy.size, 32);
  EXPECT_EQ(*decoder.Skip(int64_t{0x7fffffff} - 3), 0x7fffffff - 3);
  uint32_t last[5];
  EXPECT_EQ(*decoder.Get(last, 5), 3);
  EXPECT_EQ(last[2], 0xfedcba98u);
}

}  // namespace
}  // namespace basin::format
