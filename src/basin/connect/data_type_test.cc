#include "basin/connect/data_type.h"

#include <gtest/gtest.h>

#include "basin/types/user_defined_type.h"

namespace basin::connect {
namespace {

using spark::connect::DataType;

TEST(DataTypeTest, DdlParseKeepsCharAndVarchar) {
  auto single = ParseTypeStringToProto("char( 10 )").ValueOrDie();
  ASSERT_TRUE(single.has_char_());
  EXPECT_EQ(single.char_().length(), 10);
  auto columns = ParseTypeStringToProto("a varchar(4), b array<char(2)>, c int").ValueOrDie();
  ASSERT_EQ(columns.struct_().fields_size(), 3);
  EXPECT_EQ(columns.struct_().fields(0).data_type().var_char().length(), 4);
  EXPECT_EQ(columns.struct_().fields(1).data_type().array().element_type().char_().length(), 2);
  EXPECT_TRUE(columns.struct_().fields(2).data_type().has_integer());
  // Elsewhere (schemas of data) they are strings.
  EXPECT_TRUE(ParseTypeString("char(3)").ValueOrDie()->Equals(arrow::utf8()));
}

TEST(DataTypeTest, DdlParseReadsColonFieldsWithoutSpaces) {
  auto parsed = ParseTypeStringToProto("A:int, b:string").ValueOrDie();
  ASSERT_EQ(parsed.struct_().fields_size(), 2);
  EXPECT_EQ(parsed.struct_().fields(0).name(), "A");
  EXPECT_TRUE(parsed.struct_().fields(0).data_type().has_integer());
  EXPECT_TRUE(parsed.struct_().fields(1).data_type().has_string());
}

TEST(DataTypeTest, DdlParseFollowsSparkConnectOrderAndKeepsEmptyStructs) {
  // Spark Connect's DDL parse: a field list first, then one type, then "struct<text>"; the
  // field list's error when all fail.
  for (const char* text : {"", "struct<>", "  "}) {
    auto parsed = ParseTypeStringToProto(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    EXPECT_TRUE(parsed->has_struct_()) << text;
    EXPECT_EQ(parsed->struct_().fields_size(), 0) << text;
  }
  auto nested = ParseTypeStringToProto("a struct<>, b map<int, binary>").ValueOrDie();
  ASSERT_EQ(nested.struct_().fields_size(), 2);
  EXPECT_TRUE(nested.struct_().fields(0).data_type().has_struct_());
  EXPECT_TRUE(ParseTypeStringToProto("a: int, b: variant").ValueOrDie().has_struct_());
  EXPECT_TRUE(ParseTypeStringToProto("bigint").ValueOrDie().has_long_());
  for (const char* bad : {"randomstring", "struct", "<a: int, b: variant>"}) {
    auto parsed = ParseTypeStringToProto(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(ErrorClassOf(parsed.status()), "PARSE_SYNTAX_ERROR") << bad;
  }
}

DataType PointUdt(const std::string& jvm_class) {
  DataType udt;
  udt.mutable_udt()->set_type("udt");
  if (!jvm_class.empty()) udt.mutable_udt()->set_jvm_class(jvm_class);
  udt.mutable_udt()->set_python_class("m.PointUDT");
  if (jvm_class.empty()) udt.mutable_udt()->set_serialized_python_class("gAWV");
  auto* sql = udt.mutable_udt()->mutable_sql_type()->mutable_array();
  sql->mutable_element_type()->mutable_double_();
  sql->set_contains_null(false);
  return udt;
}

TEST(DataTypeTest, UdtsTravelAsTheirSqlTypeAndComeBackInSchemas) {
  DataType row;
  auto* field = row.mutable_struct_()->add_fields();
  field->set_name("p");
  field->set_nullable(true);
  *field->mutable_data_type() = PointUdt("");
  auto* nested = row.mutable_struct_()->add_fields();
  nested->set_name("ps");
  nested->set_nullable(true);
  *nested->mutable_data_type()->mutable_array()->mutable_element_type() =
      PointUdt("org.apache.spark.sql.test.ExamplePointUDT");
  nested->mutable_data_type()->mutable_array()->set_contains_null(true);

  auto type = FromProtoType(row).ValueOrDie();
  auto schema = arrow::schema(type->fields());
  EXPECT_TRUE(schema->field(0)->type()->Equals(
      arrow::list(arrow::field("element", arrow::float64(), /*nullable=*/false))));
  ASSERT_TRUE(types::UserDefinedTypeOf(*schema->field(0)));

  auto back = ToProtoSchema(*schema).ValueOrDie();
  const auto& p = back.struct_().fields(0).data_type().udt();
  EXPECT_EQ(p.python_class(), "m.PointUDT");
  EXPECT_EQ(p.serialized_python_class(), "gAWV");
  EXPECT_TRUE(p.sql_type().has_array());
  const auto& ps = back.struct_().fields(1).data_type().array().element_type().udt();
  EXPECT_EQ(ps.jvm_class(), "org.apache.spark.sql.test.ExamplePointUDT");
  // What Spark's server says: the Python class the Scala UDT names.
  EXPECT_EQ(ps.python_class(), "pyspark.testing.objects.ExamplePointUDT");
  EXPECT_FALSE(ps.has_serialized_python_class());
}

TEST(DataTypeTest, SchemaJsonOfALocalRelationMarksUdtColumns) {
  auto schema = ParseSchemaString(
                    R"({"type":"struct","fields":[{"name":"p","nullable":true,"metadata":{},)"
                    R"("type":{"type":"udt","pyClass":"m.PointUDT","serializedClass":"gAWV",)"
                    R"("sqlType":{"type":"array","elementType":"double","containsNull":false}}}]})")
                    .ValueOrDie();
  auto udt = types::UserDefinedTypeOf(*schema->field(0));
  ASSERT_TRUE(udt);
  EXPECT_EQ(udt->python_class, "m.PointUDT");
}

}  // namespace
}  // namespace basin::connect
