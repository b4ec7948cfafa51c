#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/function/function_test_support.h"
#include "basin/types/variant_type.h"

namespace basin::function {
namespace {

using arrow::utf8;

// Variants given as JSON arrays of {"value", "metadata"} objects (binary as text).
TestArg V(std::string json) { return A(types::VariantType(), std::move(json)); }

// An empty dictionary: version 1, one-byte offsets, size 0, one offset.
constexpr char kEmptyMetadata[] = R"(\u0001\u0000\u0000)";

std::string Row(const std::string& value) {
  return std::string(R"({"value": ")") + value + R"(", "metadata": ")" + kEmptyMetadata + R"("})";
}

TEST(VariantFunctionsTest, ParseJsonRoundTripsThroughToJsonAndGet) {
  const auto docs = A(utf8(), R"(["{\"b\":[1,2.5],\"a\":\"x\"}", "null", null])");
  auto parsed = CallDatum("parse_json", {docs}, EvalContext());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(types::IsVariantType(*parsed->type()));
  EXPECT_EQ(Call("to_json", {V(R"([{"value": "\u000c\u0007", "metadata": ")" +
                               std::string(kEmptyMetadata) + R"("}])")}),
            "7");
  EXPECT_EQ(Call("typeof", {V("[]")}), "variant");
  EXPECT_EQ(ReturnType("parse_json", {utf8()}), "VARIANT");
  EXPECT_EQ(ReturnType("is_variant_null", {types::VariantType()}), "BOOLEAN");
  EXPECT_EQ(ReturnType("parse_json", {arrow::int32()}),
            "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
  EXPECT_EQ(ReturnType("variant_get", {arrow::int32(), utf8()}),
            "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
  // The target type must be a constant.
  EXPECT_EQ(ReturnType("variant_get", {types::VariantType(), utf8(), utf8()}),
            "ERROR:DATATYPE_MISMATCH.NON_FOLDABLE_INPUT");
}

TEST(VariantFunctionsTest, MalformedBytesGiveMalformedVariantNotACrash) {
  // An array header that claims 5 elements with no bytes after it, a truncated int64, a header
  // alone, and no bytes at all.
  for (const std::string value : {R"(\u0003\u0005)", R"(\u0018\u0001)", R"(\u0002)", ""}) {
    SCOPED_TRACE(value);
    const auto v = V("[" + Row(value) + "]");
    EXPECT_EQ(Call("to_json", {v}), "ERROR:MALFORMED_VARIANT");
    EXPECT_EQ(Call("schema_of_variant", {v}), "ERROR:MALFORMED_VARIANT");
    EXPECT_EQ(Call("variant_get", {v, Sc(utf8(), R"("$[0]")")}).rfind("ERROR:", 0), 0u)
        << Call("variant_get", {v, Sc(utf8(), R"("$[0]")")});
    EXPECT_EQ(CastRender(v, arrow::int64()).rfind("ERROR:", 0), 0u)
        << CastRender(v, arrow::int64());
  }
  // Malformed metadata.
  const auto bad_metadata = V(R"([{"value": "\u000c\u0007", "metadata": "\u0007"}])");
  EXPECT_EQ(Call("to_json", {bad_metadata}), "ERROR:MALFORMED_VARIANT");
}

TEST(VariantFunctionsTest, PathErrorsAndMissingPaths) {
  const auto v = A(utf8(), R"(["{\"a\":[10,20]}"])");
  auto parsed = CallDatum("parse_json", {v}, EvalContext());
  ASSERT_TRUE(parsed.ok());
  // The row {"a":[10,20]} re-used as a variant argument through its JSON form.
  const std::string row = [&] {
    const auto array = parsed->make_array();
    const auto& st = static_cast<const arrow::StructArray&>(*array);
    auto value = std::static_pointer_cast<arrow::BinaryArray>(st.field(0))->GetString(0);
    auto metadata = std::static_pointer_cast<arrow::BinaryArray>(st.field(1))->GetString(0);
    auto escape = [](const std::string& bytes) {
      std::string out;
      char buf[8];
      for (unsigned char c : bytes) {
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        out += buf;
      }
      return out;
    };
    return R"([{"value": ")" + escape(value) + R"(", "metadata": ")" + escape(metadata) + R"("}])";
  }();
  EXPECT_EQ(Call("variant_get", {V(row), Sc(utf8(), R"("$.a[1]")")}), "20");
  EXPECT_EQ(Call("variant_get", {V(row), Sc(utf8(), R"("$.a[2]")")}), "NULL");
  EXPECT_EQ(Call("variant_get", {V(row), Sc(utf8(), R"("$['a'][0]")")}), "10");
  EXPECT_EQ(Call("variant_get", {V(row), Sc(utf8(), R"("$.b.c")")}), "NULL");
  for (const char* bad :
       {R"("a")", R"("$.")", R"("$[")", R"("$[x]")", R"("$['a")", R"("$[99999999999]")"}) {
    EXPECT_EQ(Call("variant_get", {V(row), Sc(utf8(), bad)}), "ERROR:INVALID_VARIANT_GET_PATH")
        << bad;
  }
}

}  // namespace
}  // namespace basin::function
