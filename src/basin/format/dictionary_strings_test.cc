#include "basin/format/dictionary_strings.h"

#include <gtest/gtest.h>

#include <arrow/io/memory.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>

namespace basin::format {
namespace {

std::shared_ptr<arrow::Array> Strings(const std::vector<std::optional<std::string>>& values) {
  arrow::StringBuilder b;
  for (const auto& v : values) EXPECT_TRUE((v ? b.Append(*v) : b.AppendNull()).ok());
  return b.Finish().ValueOrDie();
}

std::shared_ptr<arrow::DictionaryArray> Dictionary(const std::vector<std::optional<int32_t>>& indices,
                                                   const std::shared_ptr<arrow::Array>& values) {
  arrow::Int32Builder b;
  for (const auto& i : indices) EXPECT_TRUE((i ? b.Append(*i) : b.AppendNull()).ok());
  auto type = arrow::dictionary(arrow::int32(), values->type());
  return std::static_pointer_cast<arrow::DictionaryArray>(
      arrow::DictionaryArray::FromArrays(type, b.Finish().ValueOrDie(), values).ValueOrDie());
}

TEST(DictionaryStringsTest, ExpandsShortValuesNullsAndEmptyStrings) {
  auto dict = Dictionary({1, std::nullopt, 0, 2, 1}, Strings({"AIR", "", "DELIVER IN PERSON"}));
  auto out = ExpandDictionary(*dict).ValueOrDie();
  EXPECT_TRUE(out->Equals(*Strings({"", std::nullopt, "AIR", "DELIVER IN PERSON", ""})))
      << out->ToString();
}

TEST(DictionaryStringsTest, ExpandsLongValuesAndSlices) {
  const std::string long_value(100, 'x');
  auto dict = Dictionary({0, 1, 0, 1, 1}, Strings({long_value, "y"}));
  auto sliced = std::static_pointer_cast<arrow::DictionaryArray>(dict->Slice(1, 3));
  auto out = ExpandDictionary(*sliced).ValueOrDie();
  EXPECT_TRUE(out->Equals(*Strings({"y", long_value, "y"}))) << out->ToString();
}

TEST(DictionaryStringsTest, ExpandsAValueAtTheEndOfASlicedDictionary) {
  // The last value of the dictionary ends where its buffer ends: the 16-byte copies must not
  // read past it.
  auto values = Strings({"pad", "a", "bc"})->Slice(1, 2);
  auto dict = Dictionary({1, 0, 1}, values);
  auto out = ExpandDictionary(*dict).ValueOrDie();
  EXPECT_TRUE(out->Equals(*Strings({"bc", "a", "bc"}))) << out->ToString();
}

TEST(DictionaryStringsTest, FindsStringColumnsWhosePagesAreAllDictionaryEncoded) {
  arrow::StringBuilder few, many;
  arrow::Int64Builder numbers;
  for (int i = 0; i < 20000; ++i) {
    ASSERT_TRUE(few.Append(i % 3 == 0 ? "MAIL" : "SHIP").ok());
    ASSERT_TRUE(many.Append("value number " + std::to_string(i * 7919)).ok());
    ASSERT_TRUE(numbers.Append(i).ok());
  }
  auto table = arrow::Table::Make(
      arrow::schema({arrow::field("few", arrow::utf8()), arrow::field("many", arrow::utf8()),
                     arrow::field("n", arrow::int64())}),
      {few.Finish().ValueOrDie(), many.Finish().ValueOrDie(), numbers.Finish().ValueOrDie()});
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  // A small dictionary page limit makes the writer fall back to plain pages for `many`.
  auto properties =
      parquet::WriterProperties::Builder().dictionary_pagesize_limit(4096)->build();
  ASSERT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink, 8192,
                                         properties)
                  .ok());
  auto buffer = sink->Finish().ValueOrDie();
  auto reader = parquet::ParquetFileReader::Open(std::make_shared<arrow::io::BufferReader>(buffer));
  EXPECT_EQ(FullyDictionaryEncodedStringColumns(*reader->metadata()), std::vector<int>{0});
}

}  // namespace
}  // namespace basin::format
