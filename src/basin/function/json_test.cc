#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/function/function_test_support.h"

namespace basin::function {
namespace {

using arrow::utf8;

TEST(JsonTest, GetJsonObject) {
  const auto doc = A(utf8(), R"(["{\"a\":{\"b\":[1,2,{\"c\":\"x\"}]}}", "not json", null])");
  EXPECT_EQ(Call("get_json_object", {doc, Sc(utf8(), R"("$.a.b[2].c")")}), "x | NULL | NULL");
  EXPECT_EQ(Call("get_json_object", {doc, Sc(utf8(), R"("$.a")")}), R"({"b":[1,2,{"c":"x"}]} | NULL | NULL)");
  EXPECT_EQ(Call("get_json_object", {doc, Sc(utf8(), R"("$['a'].b[0]")")}), "1 | NULL | NULL");
  EXPECT_EQ(Call("get_json_object", {doc, Sc(utf8(), R"("$.missing")")}), "NULL | NULL | NULL");
  EXPECT_EQ(Call("get_json_object", {A(utf8(), R"(["{\"a\":1.50}"])"), Sc(utf8(), R"("$.a")")}), "1.5");
}

TEST(JsonTest, ToJson) {
  auto type = arrow::struct_({arrow::field("a", arrow::int32()), arrow::field("b", arrow::list(arrow::int32())),
                              arrow::field("c", arrow::map(utf8(), utf8())), arrow::field("d", arrow::int32()),
                              arrow::field("e", arrow::float64()), arrow::field("f", arrow::date32()),
                              arrow::field("g", TimestampType())});
  EXPECT_EQ(Call("to_json", {A(type, R"([{"a": 1, "b": [1, 2], "c": [["k", "v"]], "d": null, "e": 1.5, "f": 19723, "g": 1704103200000000}])")}),
            R"({"a":1,"b":[1,2],"c":{"k":"v"},"e":1.5,"f":"2024-01-01","g":"2024-01-01T10:00:00.000Z"})");
  EXPECT_EQ(Call("to_json", {A(arrow::list(utf8()), R"([["a\"b"]])")}), R"(["a\"b"])");
  EXPECT_EQ(ReturnType("to_json", {arrow::int32()}), "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
}

TEST(JsonTest, FromJson) {
  const std::string schema = "a INT, b ARRAY<STRING>, c STRUCT<x: DOUBLE>, d DATE, e MAP<STRING, BIGINT>";
  auto bound = BuiltinRegistry().BindScalarWithConstants(
      "from_json", {utf8(), utf8()},
      {arrow::Datum(), arrow::Datum(std::make_shared<arrow::StringScalar>(schema))});
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  EXPECT_EQ(SqlTypeName(*bound->return_type),
            "STRUCT<a: INT, b: ARRAY<STRING>, c: STRUCT<x: DOUBLE>, d: DATE, e: MAP<STRING, BIGINT>>");
  auto input = MakeDatum(A(utf8(), R"(["{\"a\":1,\"b\":[\"x\",\"y\"],\"c\":{\"x\":2.5},\"d\":\"2024-01-02\",\"e\":{\"k\":7}}", "{\"a\":\"oops\"}", "bad", null])"));
  auto out = bound->kernel->Execute({*input, arrow::Datum(std::make_shared<arrow::StringScalar>(schema))}, 4,
                                    EvalContext());
  EXPECT_EQ(Render(out, EvalContext()),
            "{1, [x, y], {2.5}, 2024-01-02, {k -> 7}} | {null, null, null, null, null} | "
            "{null, null, null, null, null} | NULL");
  EXPECT_EQ(ReturnType("from_json", {utf8(), utf8()}), "ERROR:INVALID_SCHEMA.NON_STRING_LITERAL");
}

}  // namespace
}  // namespace basin::function
