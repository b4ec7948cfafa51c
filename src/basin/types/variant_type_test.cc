#include "basin/types/variant_type.h"

#include <gtest/gtest.h>

#include <arrow/builder.h>
#include <arrow/util/bit_util.h>
#include <arrow/util/key_value_metadata.h>

#include "basin/types/schema_json.h"

namespace basin::types {
namespace {

TEST(VariantTypeTest, MarkerTellsVariantFromPlainStruct) {
  EXPECT_TRUE(IsVariantType(*VariantType()));
  auto plain = arrow::struct_({arrow::field("value", arrow::binary(), false),
                               arrow::field("metadata", arrow::binary(), false)});
  EXPECT_FALSE(IsVariantType(*plain));
  auto wrong_value =
      arrow::struct_({arrow::field("value", arrow::utf8(), false),
                      arrow::field("metadata", arrow::binary(), false,
                                   arrow::key_value_metadata({"variant"}, {"true"}))});
  EXPECT_FALSE(IsVariantType(*wrong_value));
  auto marker_false =
      arrow::struct_({arrow::field("value", arrow::binary(), false),
                      arrow::field("metadata", arrow::binary(), false,
                                   arrow::key_value_metadata({"variant"}, {"false"}))});
  EXPECT_FALSE(IsVariantType(*marker_false));
  EXPECT_FALSE(IsVariantType(*arrow::int32()));
}

TEST(VariantTypeTest, ContainsVariantLooksInsideNestedTypes) {
  EXPECT_TRUE(ContainsVariant(*arrow::list(VariantType())));
  EXPECT_TRUE(ContainsVariant(*arrow::map(arrow::utf8(), VariantType())));
  EXPECT_TRUE(ContainsVariant(*arrow::struct_({arrow::field("v", VariantType())})));
  EXPECT_FALSE(ContainsVariant(*arrow::list(arrow::binary())));
}

TEST(VariantTypeTest, DeltaSchemaRoundTripsVariant) {
  const std::string schema =
      R"({"type":"struct","fields":[{"name":"v","type":"variant","nullable":true,"metadata":{}},)"
      R"({"name":"a","type":{"type":"array","elementType":"variant","containsNull":true},)"
      R"("nullable":true,"metadata":{}}]})";
  auto parsed = SchemaFromDeltaJson(schema);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(IsVariantType(*(*parsed)->field(0)->type()));
  EXPECT_TRUE(ContainsVariant(*(*parsed)->field(1)->type()));
  EXPECT_EQ(SparkTypeName(*VariantType()), "variant");
  EXPECT_EQ(SparkTypeName(*(*parsed)->field(1)->type()), "array<variant>");
  auto written = SchemaToDeltaJson(**parsed);
  ASSERT_TRUE(written.ok());
  EXPECT_NE(written->find(R"("type":"variant")"), std::string::npos) << *written;
  EXPECT_NE(written->find(R"("elementType":"variant")"), std::string::npos) << *written;
  // A struct that only looks like a variant is written as a struct.
  auto plain = arrow::schema(
      {arrow::field("s", arrow::struct_({arrow::field("value", arrow::binary(), false),
                                         arrow::field("metadata", arrow::binary(), false)}))});
  auto plain_json = SchemaToDeltaJson(*plain);
  ASSERT_TRUE(plain_json.ok());
  EXPECT_EQ(plain_json->find("variant"), std::string::npos) << *plain_json;
}

TEST(VariantTypeTest, FillVariantChildNullsEmptiesTheChildrenOfNullVariants) {
  // Row 0 is a variant, row 1 a null variant whose children are null too.
  arrow::BinaryBuilder values, metadatas;
  ASSERT_TRUE(values.Append(std::string("\x0c\x01", 2)).ok());
  ASSERT_TRUE(values.AppendNull().ok());
  ASSERT_TRUE(metadatas.Append(std::string("\x01\x00\x00", 3)).ok());
  ASSERT_TRUE(metadatas.AppendNull().ok());
  auto value_array = *values.Finish();
  auto metadata_array = *metadatas.Finish();
  auto validity = *arrow::AllocateEmptyBitmap(2);
  arrow::bit_util::SetBit(validity->mutable_data(), 0);
  auto variants = std::make_shared<arrow::StructArray>(
      VariantType(), 2, arrow::ArrayVector{value_array, metadata_array},
      std::shared_ptr<arrow::Buffer>(std::move(validity)), 1);
  auto list = std::make_shared<arrow::ListArray>(
      arrow::list(VariantType()), 1, arrow::Buffer::FromVector(std::vector<int32_t>{0, 2}),
      variants);
  auto filled = FillVariantChildNulls(list);
  ASSERT_TRUE(filled.ok()) << filled.status().ToString();
  const auto& inner = static_cast<const arrow::StructArray&>(
      *static_cast<const arrow::ListArray&>(**filled).values());
  EXPECT_EQ(inner.null_count(), 1);
  EXPECT_TRUE(inner.IsNull(1));
  EXPECT_EQ(inner.field(0)->null_count(), 0);
  EXPECT_EQ(inner.field(1)->null_count(), 0);
  EXPECT_EQ(static_cast<const arrow::BinaryArray&>(*inner.field(0)).GetView(0),
            std::string_view("\x0c\x01", 2));
  EXPECT_TRUE((*filled)->ValidateFull().ok());
  // Arrays without variants come back unchanged.
  auto ints = *arrow::MakeArrayOfNull(arrow::int32(), 3);
  EXPECT_EQ(*FillVariantChildNulls(ints), ints);
}

}  // namespace
}  // namespace basin::types
