#include "basin/types/schema_json.h"

#include <arrow/util/key_value_metadata.h>
#include <gtest/gtest.h>

#include "basin/types/variant_type.h"

namespace basin::types {

TEST(SchemaJson, ParsesEveryPrimitiveAndNestedType) {
  const char* text = R"JSON({"type":"struct","fields":[
    {"name":"s","type":"string","nullable":true,"metadata":{}},
    {"name":"l","type":"long","nullable":false,"metadata":{"comment":"id"}},
    {"name":"i","type":"integer","nullable":true,"metadata":{}},
    {"name":"d","type":"decimal(12,2)","nullable":true,"metadata":{}},
    {"name":"ts","type":"timestamp","nullable":true,"metadata":{}},
    {"name":"ntz","type":"timestamp_ntz","nullable":true,"metadata":{}},
    {"name":"a","type":{"type":"array","elementType":"integer","containsNull":false},"nullable":true,"metadata":{}},
    {"name":"m","type":{"type":"map","keyType":"string","valueType":"double","valueContainsNull":true},"nullable":true,"metadata":{}},
    {"name":"st","type":{"type":"struct","fields":[{"name":"x","type":"date","nullable":true,"metadata":{"delta.columnMapping.id":5,"delta.columnMapping.physicalName":"col-abc"}}]},"nullable":true,"metadata":{}},
    {"name":"v","type":"variant","nullable":true,"metadata":{}}]})JSON";
  auto schema = SchemaFromDeltaJson(text).ValueOrDie();
  ASSERT_EQ(schema->num_fields(), 10);
  EXPECT_TRUE(schema->field(0)->type()->Equals(arrow::utf8()));
  EXPECT_FALSE(schema->field(1)->nullable());
  EXPECT_EQ(schema->field(1)->metadata()->Get("comment").ValueOrDie(), "id");
  EXPECT_TRUE(schema->field(3)->type()->Equals(arrow::decimal128(12, 2)));
  EXPECT_TRUE(schema->field(4)->type()->Equals(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  EXPECT_TRUE(schema->field(5)->type()->Equals(arrow::timestamp(arrow::TimeUnit::MICRO)));
  EXPECT_FALSE(schema->field(6)->type()->field(0)->nullable());
  EXPECT_EQ(schema->field(7)->type()->id(), arrow::Type::MAP);
  auto inner = schema->field(8)->type()->field(0);
  EXPECT_EQ(inner->metadata()->Get(kColumnMappingId).ValueOrDie(), "5");
  EXPECT_EQ(inner->metadata()->Get(kPhysicalName).ValueOrDie(), "col-abc");
  EXPECT_EQ(schema->field(9)->type()->num_fields(), 2);

  // Round trip: Arrow -> Delta JSON -> Arrow gives the same schema and metadata.
  auto again = SchemaFromDeltaJson(SchemaToDeltaJson(*schema).ValueOrDie()).ValueOrDie();
  EXPECT_TRUE(again->Equals(*schema, /*check_metadata=*/true)) << again->ToString();
  auto json = nlohmann::json::parse(SchemaToDeltaJson(*schema).ValueOrDie());
  EXPECT_EQ(json["fields"][8]["type"]["fields"][0]["metadata"]["delta.columnMapping.id"], 5);
  EXPECT_EQ(json["fields"][9]["type"], "variant");
}

TEST(SchemaJson, MarksVariantsInArraysAndMaps) {
  const char* text = R"JSON({"type":"struct","fields":[
    {"name":"a","type":{"type":"array","elementType":"variant","containsNull":true},"nullable":true,"metadata":{}},
    {"name":"m","type":{"type":"map","keyType":"string","valueType":"variant","valueContainsNull":true},"nullable":true,"metadata":{}}]})JSON";
  auto schema = SchemaFromDeltaJson(text).ValueOrDie();
  EXPECT_TRUE(IsVariantType(*schema->field(0)->type()->field(0)->type()));
  const auto& map = static_cast<const arrow::MapType&>(*schema->field(1)->type());
  EXPECT_TRUE(IsVariantType(*map.item_type()));
  auto json = nlohmann::json::parse(SchemaToDeltaJson(*schema).ValueOrDie());
  EXPECT_EQ(json["fields"][0]["type"]["elementType"], "variant");
  EXPECT_EQ(json["fields"][1]["type"]["valueType"], "variant");
}

TEST(SchemaJson, RejectsUnknownTypes) {
  auto result = SchemaFromDeltaJson(
      R"({"type":"struct","fields":[{"name":"x","type":"interval","nullable":true,"metadata":{}}]})");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(ErrorClassOf(result.status()), "DELTA_UNSUPPORTED_DATA_TYPE");
  EXPECT_FALSE(SchemaFromDeltaJson("{not json").ok());
  EXPECT_FALSE(SchemaFromDeltaJson(R"({"type":"struct","fields":[{"name":"x"}]})").ok());
}

TEST(SchemaJson, SparkTypeNames) {
  EXPECT_EQ(SparkTypeName(*arrow::int64()), "bigint");
  EXPECT_EQ(SparkTypeName(*arrow::int32()), "int");
  EXPECT_EQ(SparkTypeName(*arrow::decimal128(5, 1)), "decimal(5,1)");
  EXPECT_EQ(SparkTypeName(*arrow::time64(arrow::TimeUnit::NANO)), "time(6)");
}

TEST(SchemaJson, ReadsSparkTimeTypes) {
  for (const char* name : {"time", "time(6)", "time(0)"}) {
    auto type = TypeFromDeltaJson(nlohmann::json(name));
    ASSERT_TRUE(type.ok()) << name;
    EXPECT_TRUE((*type)->Equals(*arrow::time64(arrow::TimeUnit::NANO))) << name;
  }
  EXPECT_FALSE(TypeFromDeltaJson(nlohmann::json("time(7)")).ok());
}

}  // namespace basin::types
