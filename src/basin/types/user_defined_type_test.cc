#include "basin/types/user_defined_type.h"

#include <gtest/gtest.h>

#include "basin/types/schema_json.h"

namespace basin::types {
namespace {

const char* kSchema = R"JSON({"type":"struct","fields":[
  {"name":"label","type":"double","nullable":false,"metadata":{}},
  {"name":"point","type":{"type":"udt","pyClass":"m.PointUDT","serializedClass":"gAWV",
    "sqlType":{"type":"array","elementType":"double","containsNull":false}},
   "nullable":true,"metadata":{}},
  {"name":"points","type":{"type":"array","containsNull":true,"elementType":{"type":"udt",
    "class":"org.apache.spark.sql.test.ExamplePointUDT","pyClass":"pyspark.sql.tests.ExamplePointUDT",
    "sqlType":{"type":"array","elementType":"double","containsNull":false}}},
   "nullable":true,"metadata":{}}]})JSON";

TEST(UserDefinedType, SchemaJsonReadsAUdtAsItsSqlTypeMarkedOnTheField) {
  auto schema = SchemaFromDeltaJson(kSchema).ValueOrDie();
  EXPECT_FALSE(UserDefinedTypeOf(*schema->field(0)));
  auto point = UserDefinedTypeOf(*schema->field(1));
  ASSERT_TRUE(point);
  EXPECT_EQ(point->python_class, "m.PointUDT");
  EXPECT_EQ(point->serialized_python_class, "gAWV");
  EXPECT_TRUE(point->jvm_class.empty());
  EXPECT_TRUE(schema->field(1)->type()->Equals(
      arrow::list(arrow::field("element", arrow::float64(), false))));
  auto element = UserDefinedTypeOf(*schema->field(2)->type()->field(0));
  ASSERT_TRUE(element);
  EXPECT_EQ(element->jvm_class, "org.apache.spark.sql.test.ExamplePointUDT");
  EXPECT_TRUE(HoldsUserDefinedType(*schema));
  EXPECT_FALSE(HoldsUserDefinedType(*arrow::schema({schema->field(0)})));
}

TEST(UserDefinedType, SchemaJsonWritesTheUdtBackAndNotAsMetadata) {
  auto schema = SchemaFromDeltaJson(kSchema).ValueOrDie();
  auto text = SchemaToDeltaJson(*schema).ValueOrDie();
  auto json = nlohmann::json::parse(text);
  const auto& point = json["fields"][1];
  EXPECT_EQ(point["type"]["type"], "udt");
  EXPECT_EQ(point["type"]["pyClass"], "m.PointUDT");
  EXPECT_EQ(point["type"]["sqlType"]["type"], "array");
  EXPECT_TRUE(point["metadata"].empty());
  EXPECT_EQ(json["fields"][2]["type"]["elementType"]["class"],
            "org.apache.spark.sql.test.ExamplePointUDT");
  auto again = SchemaFromDeltaJson(text).ValueOrDie();
  EXPECT_TRUE(again->Equals(*schema, /*check_metadata=*/true));
}

TEST(UserDefinedType, ShippedScalaUdtsReportTheirOwnPythonClass) {
  EXPECT_EQ(ReportedPythonClass({"org.apache.spark.sql.test.ExamplePointUDT",
                                 "pyspark.sql.tests.ExamplePointUDT", ""}),
            "pyspark.testing.objects.ExamplePointUDT");
  EXPECT_EQ(ReportedPythonClass({"org.apache.spark.ml.linalg.VectorUDT", "x.VectorUDT", ""}),
            "pyspark.ml.linalg.VectorUDT");
  EXPECT_EQ(ReportedPythonClass({"", "m.PointUDT", "gAWV"}), "m.PointUDT");
  EXPECT_EQ(ShippedUdtText({"org.apache.spark.sql.test.ExamplePointUDT", "", ""}), UdtText::kPoint);
  EXPECT_EQ(ShippedUdtText({"", "m.PointUDT", "gAWV"}), UdtText::kSqlType);
}

TEST(UserDefinedType, TypeNamesAreSparks) {
  EXPECT_EQ(UserDefinedTypeName({"", "m.PointUDT", "gAWV"}), "pythonuserdefined");
  EXPECT_EQ(UserDefinedTypeName({"org.apache.spark.sql.test.ExamplePointUDT", "", ""}),
            "examplepoint");
  EXPECT_EQ(UserDefinedTypeName({"org.apache.spark.ml.linalg.VectorUDT", "", ""}), "vector");
}

TEST(UserDefinedType, FileSchemasTakeTheMarksOfTheirNamesakes) {
  auto spark = SchemaFromDeltaJson(kSchema).ValueOrDie();
  // As a Parquet file reads back: element fields named differently, no marks.
  auto file = arrow::schema({arrow::field("label", arrow::float64(), false),
                             arrow::field("point", arrow::list(arrow::float64())),
                             arrow::field("other", arrow::utf8())});
  auto marked = WithUserDefinedTypesOf(file, *spark);
  EXPECT_FALSE(UserDefinedTypeOf(*marked->field(0)));
  ASSERT_TRUE(UserDefinedTypeOf(*marked->field(1)));
  EXPECT_EQ(UserDefinedTypeOf(*marked->field(1))->python_class, "m.PointUDT");
  EXPECT_FALSE(UserDefinedTypeOf(*marked->field(2)));
}

}  // namespace
}  // namespace basin::types
