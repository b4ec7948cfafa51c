#include "basin/format/variant_shredding.h"

#include <functional>
#include <optional>

#include <arrow/builder.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include "basin/types/variant.h"

namespace basin::format {
namespace {

using Bytes = std::optional<std::string>;

std::shared_ptr<arrow::Array> BinaryColumn(const std::vector<Bytes>& values) {
  arrow::BinaryBuilder builder;
  for (const auto& v : values) {
    if (v) {
      EXPECT_TRUE(builder.Append(*v).ok());
    } else {
      EXPECT_TRUE(builder.AppendNull().ok());
    }
  }
  return builder.Finish().ValueOrDie();
}

std::shared_ptr<arrow::Array> FromJson(const std::shared_ptr<arrow::DataType>& type,
                                       const std::string& json) {
  return arrow::json::ArrayFromJSONString(type, json).ValueOrDie();
}

// A struct of named children; `valid` marks non-null rows (all valid when empty).
std::shared_ptr<arrow::Array> Struct(const std::vector<std::string>& names,
                                     const arrow::ArrayVector& children,
                                     const std::vector<bool>& valid = {}) {
  std::shared_ptr<arrow::Buffer> bitmap;
  int64_t nulls = 0;
  if (!valid.empty()) {
    bitmap = arrow::AllocateEmptyBitmap(static_cast<int64_t>(valid.size())).ValueOrDie();
    for (size_t i = 0; i < valid.size(); ++i) {
      if (valid[i]) {
        arrow::bit_util::SetBit(bitmap->mutable_data(), static_cast<int64_t>(i));
      } else {
        ++nulls;
      }
    }
  }
  return arrow::StructArray::Make(children, names, bitmap, nulls).ValueOrDie();
}

// Encodes `json` against a dictionary that starts with `keys`.
std::string Metadata(const std::vector<std::string>& keys) {
  types::VariantBuilder builder;
  for (const auto& k : keys) builder.AddKey(k);
  builder.AppendNull();
  return builder.Finish().ValueOrDie().first;
}

std::string Value(const std::string& metadata, const std::string& json) {
  auto parsed = types::JsonToVariant(json).ValueOrDie();
  // Re-encodes against `metadata`, as a shredding writer does: one dictionary for the row.
  auto builder = types::VariantBuilder::WithMetadata(metadata).ValueOrDie();
  std::function<void(const types::VariantValue&, const types::VariantMetadata&)> copy;
  auto source_dictionary = types::VariantMetadata::Parse(parsed.first).ValueOrDie();
  copy = [&](const types::VariantValue& v, const types::VariantMetadata& dictionary) {
    if (v.basic_type() == types::VariantBasicType::kObject) {
      size_t start = builder.Offset();
      std::vector<types::VariantBuilder::ObjectField> fields;
      uint32_t n = v.NumElements().ValueOrDie();
      for (uint32_t i = 0; i < n; ++i) {
        auto field = v.Field(i).ValueOrDie();
        auto name = dictionary.Name(field.first).ValueOrDie();
        fields.push_back({builder.AddKey(name), builder.Offset() - start});
        copy(field.second, dictionary);
      }
      EXPECT_TRUE(builder.FinishObject(start, fields).ok());
    } else if (v.basic_type() == types::VariantBasicType::kArray) {
      size_t start = builder.Offset();
      std::vector<size_t> offsets;
      uint32_t n = v.NumElements().ValueOrDie();
      for (uint32_t i = 0; i < n; ++i) {
        offsets.push_back(builder.Offset() - start);
        copy(v.Element(i).ValueOrDie(), dictionary);
      }
      builder.FinishArray(start, offsets);
    } else {
      EXPECT_TRUE(builder.AppendEncoded(v.Bytes().ValueOrDie()).ok());
    }
  };
  copy(types::VariantValue::Make(parsed.second).ValueOrDie(), source_dictionary);
  auto out = builder.Finish().ValueOrDie();
  EXPECT_EQ(out.first, metadata) << "the test's metadata must hold every key of " << json;
  return out.second;
}

// Unshreds and renders every row (NULL for a null row).
std::vector<std::string> Rows(const std::shared_ptr<arrow::Array>& shredded) {
  auto result = UnshredVariant(*shredded);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok()) return {};
  const auto& out = static_cast<const arrow::StructArray&>(**result);
  EXPECT_EQ(out.type()->field(0)->name(), "value");
  EXPECT_EQ(out.type()->field(1)->name(), "metadata");
  auto values = std::static_pointer_cast<arrow::BinaryArray>(out.field(0));
  auto metadatas = std::static_pointer_cast<arrow::BinaryArray>(out.field(1));
  std::vector<std::string> rows;
  for (int64_t i = 0; i < out.length(); ++i) {
    if (out.IsNull(i)) {
      rows.push_back("NULL");
      continue;
    }
    auto json = types::VariantToJson(metadatas->GetView(i), values->GetView(i), "UTC");
    EXPECT_TRUE(json.ok()) << json.status().ToString();
    rows.push_back(json.ok() ? *json : "<error>");
  }
  return rows;
}

using Rows_ = std::vector<std::string>;

TEST(VariantShreddingTest, PrimitiveTypedValueAndValueFallback) {
  const std::string m = Metadata({});
  auto shredded = Struct({"metadata", "value", "typed_value"},
                         {BinaryColumn({m, m, m, m, m}),
                          BinaryColumn({std::nullopt, Value(m, "\"text\""), std::nullopt,
                                        Value(m, "null"), m /*unused: row is null*/}),
                          FromJson(arrow::int64(), "[34, null, null, null, 1]")},
                         {true, true, true, true, false});
  EXPECT_EQ(Rows(shredded), (Rows_{"34", "\"text\"", "null", "null", "NULL"}));
}

TEST(VariantShreddingTest, TypedValueOnlyOfManyTypes) {
  const std::string m = Metadata({});
  auto ms = BinaryColumn({m, m});
  auto check = [&](const std::shared_ptr<arrow::DataType>& type, const std::string& json,
                   const Rows_& expected) {
    auto shredded = Struct({"metadata", "typed_value"}, {ms, FromJson(type, json)});
    EXPECT_EQ(Rows(shredded), expected) << type->ToString();
  };
  check(arrow::boolean(), "[true, false]", {"true", "false"});
  check(arrow::int8(), "[-1, 2]", {"-1", "2"});
  check(arrow::int32(), "[100000, -7]", {"100000", "-7"});
  check(arrow::float32(), "[1.5, 0.1]", {"1.5", "0.1"});
  check(arrow::float64(), "[1e20, 2.25]", {"1.0E20", "2.25"});
  check(arrow::decimal128(10, 2), R"(["12.30", "-0.05"])", {"12.3", "-0.05"});
  check(arrow::date32(), "[0, 19000]", {"\"1970-01-01\"", "\"2022-01-08\""});
  check(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), "[0, 1000001]",
        {"\"1970-01-01 00:00:00+00:00\"", "\"1970-01-01 00:00:01.000001+00:00\""});
  check(arrow::timestamp(arrow::TimeUnit::MICRO), "[0, 1]",
        {"\"1970-01-01 00:00:00\"", "\"1970-01-01 00:00:00.000001\""});
  check(arrow::utf8(), R"(["a", ""])", {"\"a\"", "\"\""});
  check(arrow::binary(), R"(["hi", ""])", {"\"aGk=\"", "\"\""});
}

TEST(VariantShreddingTest, ObjectsMergeShreddedFieldsWithThePartialValue) {
  const std::string m = Metadata({"a", "b", "c"});
  // Field groups: a is an int, b a string.
  auto a = Struct(
      {"value", "typed_value"},
      {BinaryColumn({std::nullopt, std::nullopt, Value(m, "\"str\""), std::nullopt, std::nullopt}),
       FromJson(arrow::int64(), "[1, null, null, null, 5]")});
  auto b = Struct(
      {"value", "typed_value"},
      {BinaryColumn({std::nullopt, std::nullopt, std::nullopt, std::nullopt, Value(m, "null")}),
       FromJson(arrow::utf8(), R"(["x", "y", null, null, null])")});
  auto typed = Struct({"a", "b"}, {a, b}, {true, true, true, false, true});
  auto shredded = Struct({"metadata", "value", "typed_value"},
                         {BinaryColumn({m, m, m, m, m}),
                          BinaryColumn({Value(m, R"({"c": [1, 2]})"), std::nullopt, std::nullopt,
                                        Value(m, "[1, {\"c\": true}]"), Value(m, "{}")}),
                          typed});
  EXPECT_EQ(Rows(shredded), (Rows_{
                                R"({"a":1,"b":"x","c":[1,2]})",  // merged with the partial object
                                R"({"b":"y"})",                  // a is absent
                                R"({"a":"str"})",                // a did not fit the shredded type
                                R"([1,{"c":true}])",             // not an object at all
                                R"({"a":5,"b":null})",           // b is a variant null
                            }));
}

TEST(VariantShreddingTest, ArraysOfElementGroups) {
  const std::string m = Metadata({"k"});
  auto element =
      Struct({"value", "typed_value"},
             {BinaryColumn({std::nullopt, Value(m, "{\"k\": 1}"), std::nullopt, Value(m, "null")}),
              FromJson(arrow::utf8(), R"(["a", null, "c", null])")});
  auto offsets = FromJson(arrow::int32(), "[0, 2, 2, 4, 4]");
  auto list_with_null =
      arrow::ListArray::FromArrays(
          *offsets, *element, arrow::default_memory_pool(),
          FromJson(arrow::boolean(), "[true, true, true, false]")->data()->buffers[1])
          .ValueOrDie();
  // Row 3's list is null: its value column holds the unshredded value.
  auto shredded = Struct(
      {"metadata", "value", "typed_value"},
      {BinaryColumn({m, m, m, m}),
       BinaryColumn({std::nullopt, std::nullopt, std::nullopt, Value(m, "12")}), list_with_null});
  EXPECT_EQ(Rows(shredded), (Rows_{R"(["a",{"k":1}])", "[]", R"(["c",null])", "12"}));
}

TEST(VariantShreddingTest, NestedObjectsInsideArraysInsideObjects) {
  const std::string m = Metadata({"items", "id", "extra"});
  auto id =
      Struct({"value", "typed_value"}, {BinaryColumn({std::nullopt, std::nullopt, std::nullopt}),
                                        FromJson(arrow::int32(), "[7, null, 9]")});
  auto element_object = Struct({"id"}, {id});
  auto element = Struct(
      {"value", "typed_value"},
      {BinaryColumn({Value(m, R"({"extra": "e"})"), std::nullopt, std::nullopt}), element_object},
      {});
  auto items_list =
      arrow::ListArray::FromArrays(*FromJson(arrow::int32(), "[0, 3]"), *element).ValueOrDie();
  auto items = Struct({"value", "typed_value"}, {BinaryColumn({std::nullopt}), items_list});
  auto shredded =
      Struct({"metadata", "value", "typed_value"},
             {BinaryColumn({m}), BinaryColumn({std::nullopt}), Struct({"items"}, {items})});
  EXPECT_EQ(Rows(shredded), (Rows_{R"({"items":[{"extra":"e","id":7},{},{"id":9}]})"}));
}

TEST(VariantShreddingTest, AddsFieldNamesMissingFromTheMetadata) {
  const std::string m = Metadata({});
  auto a = Struct({"value", "typed_value"},
                  {BinaryColumn({std::nullopt}), FromJson(arrow::int64(), "[3]")});
  auto shredded = Struct({"metadata", "typed_value"}, {BinaryColumn({m}), Struct({"zz"}, {a})});
  EXPECT_EQ(Rows(shredded), (Rows_{R"({"zz":3})"}));
}

TEST(VariantShreddingTest, SlicedInputKeepsRowsAligned) {
  const std::string m = Metadata({});
  auto shredded =
      Struct({"metadata", "value", "typed_value"},
             {BinaryColumn({m, m, m}), BinaryColumn({std::nullopt, Value(m, "true"), std::nullopt}),
              FromJson(arrow::int64(), "[1, null, 3]")});
  EXPECT_EQ(Rows(shredded->Slice(1)), (Rows_{"true", "3"}));
}

TEST(VariantShreddingTest, RejectsInconsistentData) {
  const std::string m = Metadata({"a"});
  // A shredded field that also appears in the partial object.
  auto a = Struct({"value", "typed_value"},
                  {BinaryColumn({std::nullopt}), FromJson(arrow::int64(), "[1]")});
  auto both =
      Struct({"metadata", "value", "typed_value"},
             {BinaryColumn({m}), BinaryColumn({Value(m, R"({"a": 2})")}), Struct({"a"}, {a})});
  auto result = UnshredVariant(*both);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(ErrorClassOf(result.status()), "MALFORMED_VARIANT");
  // A value next to a non-object typed_value.
  auto conflict =
      Struct({"metadata", "value", "typed_value"},
             {BinaryColumn({m}), BinaryColumn({Value(m, "1")}), FromJson(arrow::int64(), "[1]")});
  EXPECT_FALSE(UnshredVariant(*conflict).ok());
  // Garbage bytes in value.
  auto garbage =
      Struct({"metadata", "value", "typed_value"},
             {BinaryColumn({m}), BinaryColumn({std::string("\x3c\xff", 2)}), Struct({"a"}, {a})});
  EXPECT_FALSE(UnshredVariant(*garbage).ok());
  // Bad metadata.
  auto bad_metadata = Struct({"metadata", "typed_value"}, {BinaryColumn({std::string("\x07", 1)}),
                                                           FromJson(arrow::int64(), "[1]")});
  EXPECT_FALSE(UnshredVariant(*bad_metadata).ok());
}

TEST(VariantShreddingTest, RecognizesVariantTypes) {
  auto plain = arrow::struct_(
      {arrow::field("value", arrow::binary()), arrow::field("metadata", arrow::binary())});
  EXPECT_TRUE(IsVariantStruct(*plain));
  EXPECT_FALSE(IsShreddedVariant(*plain));
  auto shredded = arrow::struct_({arrow::field("metadata", arrow::binary()),
                                  arrow::field("value", arrow::binary()),
                                  arrow::field("typed_value", arrow::int64())});
  EXPECT_TRUE(IsShreddedVariant(*shredded));
  EXPECT_FALSE(IsVariantStruct(*shredded));
  EXPECT_FALSE(IsVariantStruct(*arrow::struct_(
      {arrow::field("value", arrow::utf8()), arrow::field("metadata", arrow::binary())})));
}

}  // namespace
}  // namespace basin::format
