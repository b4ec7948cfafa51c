#include "basin/types/variant.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace basin::types {
namespace {

std::string Hex(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out.push_back(kHex[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kHex[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Builds one value with `append` and renders it.
template <typename F>
std::string Render(F append, const std::string& zone = "UTC") {
  VariantBuilder builder;
  append(builder);
  auto encoded = builder.Finish();
  EXPECT_TRUE(encoded.ok()) << encoded.status().ToString();
  EXPECT_TRUE(ValidateVariant(encoded->first, encoded->second).ok());
  auto json = VariantToJson(encoded->first, encoded->second, zone);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  return json.ok() ? *json : "<error>";
}

std::string RoundTrip(std::string_view json) {
  auto encoded = JsonToVariant(json);
  EXPECT_TRUE(encoded.ok()) << json << ": " << encoded.status().ToString();
  if (!encoded.ok()) return "<error>";
  auto text = VariantToJson(encoded->first, encoded->second, "UTC");
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "<error>";
}

// The type id of a scalar parsed from JSON.
VariantPrimitive ParsedType(std::string_view json) {
  auto encoded = JsonToVariant(json);
  EXPECT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto value = VariantValue::Make(encoded->second);
  return value->primitive();
}

TEST(VariantTest, EncodesPrimitivesAsTheSpecLaysThemOut) {
  VariantBuilder builder;
  builder.AppendInt(1);
  auto encoded = builder.Finish();
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(Hex(encoded->first), "010000");  // version 1, empty dictionary
  EXPECT_EQ(Hex(encoded->second), "0c01");   // int8 header (3 << 2), then 1

  VariantBuilder strings;
  strings.AppendString("abc");
  EXPECT_EQ(Hex(strings.Finish()->second), "0d616263");  // short string of length 3
  VariantBuilder long_string;
  long_string.AppendString(std::string(64, 'x'));
  EXPECT_EQ(Hex(long_string.Finish()->second).substr(0, 10), "4040000000");
}

TEST(VariantTest, RendersEveryPrimitiveLikeSpark) {
  EXPECT_EQ(Render([](auto& b) { b.AppendNull(); }), "null");
  EXPECT_EQ(Render([](auto& b) { b.AppendBool(true); }), "true");
  EXPECT_EQ(Render([](auto& b) { b.AppendBool(false); }), "false");
  EXPECT_EQ(Render([](auto& b) { b.AppendInt8(-128); }), "-128");
  EXPECT_EQ(Render([](auto& b) { b.AppendInt16(-32768); }), "-32768");
  EXPECT_EQ(Render([](auto& b) { b.AppendInt32(123456789); }), "123456789");
  EXPECT_EQ(Render([](auto& b) { b.AppendInt64(std::numeric_limits<int64_t>::min()); }),
            "-9223372036854775808");
  EXPECT_EQ(Render([](auto& b) { b.AppendDouble(1.5); }), "1.5");
  EXPECT_EQ(Render([](auto& b) { b.AppendDouble(1e7); }), "1.0E7");
  EXPECT_EQ(Render([](auto& b) { b.AppendDouble(123.0); }), "123.0");
  EXPECT_EQ(Render([](auto& b) { b.AppendDouble(0.001); }), "0.001");
  EXPECT_EQ(Render([](auto& b) { b.AppendDouble(0.0001); }), "1.0E-4");
  EXPECT_EQ(Render([](auto& b) { b.AppendDouble(-2.5e-10); }), "-2.5E-10");
  EXPECT_EQ(Render([](auto& b) { b.AppendDouble(std::nan("")); }), "\"NaN\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendDouble(-INFINITY); }), "\"-Infinity\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendFloat(0.1f); }), "0.1");
  EXPECT_EQ(Render([](auto& b) { b.AppendFloat(1e10f); }), "1.0E10");
  EXPECT_EQ(Render([](auto& b) { b.AppendDecimalWidth(12345, 2, 4); }), "123.45");
  EXPECT_EQ(Render([](auto& b) { b.AppendDecimalWidth(1200, 2, 8); }), "12");
  EXPECT_EQ(Render([](auto& b) { b.AppendDecimalWidth(-5, 3, 4); }), "-0.005");
  EXPECT_EQ(Render([](auto& b) { b.AppendDecimalWidth(100, 0, 4); }), "100");
  __int128 big = 1;
  for (int i = 0; i < 37; ++i) big *= 10;
  EXPECT_EQ(Render([&](auto& b) { b.AppendDecimalWidth(-big, 10, 16); }),
            "-1000000000000000000000000000");
  EXPECT_EQ(Render([](auto& b) { b.AppendDate(0); }), "\"1970-01-01\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendDate(-1); }), "\"1969-12-31\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendTimestamp(1500000); }), "\"1970-01-01 00:00:01.5+00:00\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendTimestamp(0); }, "America/Los_Angeles"),
            "\"1969-12-31 16:00:00-08:00\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendTimestamp(0); }, "+05:30"),
            "\"1970-01-01 05:30:00+05:30\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendTimestampNtz(-1); }), "\"1969-12-31 23:59:59.999999\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendTimestampNanos(1); }),
            "\"1970-01-01 00:00:00.000000001+00:00\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendTimestampNtzNanos(1000000000); }),
            "\"1970-01-01 00:00:01\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendTime(3723000001); }), "\"01:02:03.000001\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendString("a\"b\\c\n\x01/é"); }),
            "\"a\\\"b\\\\c\\n\\u0001/é\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendBinary("hello"); }), "\"aGVsbG8=\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendBinary(""); }), "\"\"");
  EXPECT_EQ(Render([](auto& b) { b.AppendUuid(Unhex("00112233445566778899aabbccddeeff")); }),
            "\"00112233-4455-6677-8899-aabbccddeeff\"");
}

TEST(VariantTest, SortsObjectFieldsByNameAndUsesMinimalSizes) {
  VariantBuilder builder;
  size_t start = builder.Offset();
  std::vector<VariantBuilder::ObjectField> fields;
  fields.push_back({builder.AddKey("b"), builder.Offset() - start});
  builder.AppendInt(1);
  fields.push_back({builder.AddKey("a"), builder.Offset() - start});
  builder.AppendInt(2);
  ASSERT_TRUE(builder.FinishObject(start, fields).ok());
  auto encoded = builder.Finish();
  ASSERT_TRUE(encoded.ok());
  // Dictionary in insertion order (not sorted): header 0x01, 2 names, offsets 0,1,2, "ba".
  EXPECT_EQ(Hex(encoded->first), "0102000102" + Hex("ba"));
  // Object header 0x02 (1-byte ids and offsets), 2 fields, ids [1,0] (a, b), offsets [2,0,4].
  EXPECT_EQ(Hex(encoded->second),
            "02020100020004"
            "0c01"
            "0c02");
  auto json = VariantToJson(encoded->first, encoded->second, "UTC");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, "{\"a\":2,\"b\":1}");
}

TEST(VariantTest, LargeObjectsAndArraysUseWiderHeaders) {
  std::string json = "[";
  for (int i = 0; i < 300; ++i) json += (i ? "," : "") + std::to_string(i * 1000);
  json += "]";
  EXPECT_EQ(RoundTrip(json), json);
  std::string object = "{";
  for (int i = 0; i < 300; ++i) {
    object +=
        (i ? ",\"k" : "\"k") + std::to_string(1000 + i) + "\":\"" + std::string(40, 'v') + "\"";
  }
  object += "}";
  EXPECT_EQ(RoundTrip(object), object);
}

TEST(VariantTest, RoundTripsNestedJson) {
  EXPECT_EQ(RoundTrip(R"({"b": [1, 2.50, {"c": null}], "a": {"z": true, "y": "s"}})"),
            R"({"a":{"y":"s","z":true},"b":[1,2.5,{"c":null}]})");
  EXPECT_EQ(RoundTrip("[]"), "[]");
  EXPECT_EQ(RoundTrip("{}"), "{}");
  EXPECT_EQ(RoundTrip("\"x\""), "\"x\"");
  EXPECT_EQ(RoundTrip("[[[]], {\"\": []}]"), "[[[]],{\"\":[]}]");
}

TEST(VariantTest, ParsesNumbersWithSparkRules) {
  EXPECT_EQ(ParsedType("1"), VariantPrimitive::kInt8);
  EXPECT_EQ(ParsedType("-129"), VariantPrimitive::kInt16);
  EXPECT_EQ(ParsedType("40000"), VariantPrimitive::kInt32);
  EXPECT_EQ(ParsedType("3000000000"), VariantPrimitive::kInt64);
  EXPECT_EQ(ParsedType("9223372036854775807"), VariantPrimitive::kInt64);
  EXPECT_EQ(ParsedType("9223372036854775808"), VariantPrimitive::kDecimal16);
  EXPECT_EQ(ParsedType("-9223372036854775809"), VariantPrimitive::kDecimal16);
  EXPECT_EQ(ParsedType("12345678901234567890123456789012345678"), VariantPrimitive::kDecimal16);
  EXPECT_EQ(ParsedType("123456789012345678901234567890123456789"), VariantPrimitive::kDouble);
  EXPECT_EQ(ParsedType("1.5"), VariantPrimitive::kDecimal4);
  EXPECT_EQ(ParsedType("1234567890.5"), VariantPrimitive::kDecimal8);
  EXPECT_EQ(ParsedType("0.0000000001"), VariantPrimitive::kDecimal8);  // scale 10
  EXPECT_EQ(ParsedType("1e2"), VariantPrimitive::kDouble);
  EXPECT_EQ(ParsedType("1.0E-2"), VariantPrimitive::kDouble);
  EXPECT_EQ(RoundTrip("1.50"), "1.5");
  EXPECT_EQ(RoundTrip("-0.0"), "0");
  EXPECT_EQ(RoundTrip("1e2"), "100.0");
  EXPECT_EQ(RoundTrip("9223372036854775808"), "9223372036854775808");
  EXPECT_EQ(RoundTrip("123456789012345678901234567890123456789"), "1.2345678901234568E38");
  EXPECT_EQ(RoundTrip("0.1234567890123456789012345678901234567"),
            "0.1234567890123456789012345678901234567");
}

TEST(VariantTest, RejectsDuplicateKeysAndBadJson) {
  auto duplicate = JsonToVariant(R"({"a": 1, "b": {"a": 2}, "a": 3})");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(ErrorClassOf(duplicate.status()), "VARIANT_DUPLICATE_KEY");
  EXPECT_NE(duplicate.status().message().find("`a`"), std::string::npos);
  EXPECT_TRUE(JsonToVariant(R"({"b": {"a": 2}, "a": 3})").ok());
  for (const char* bad : {"{", "[1,]", "{\"a\" 1}", "tru", "", "1 2", "{'a': 1}", "NaN"}) {
    auto parsed = JsonToVariant(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(ErrorClassOf(parsed.status()), "MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION")
        << bad;
  }
  std::string deep(2000, '[');
  deep += std::string(2000, ']');
  EXPECT_FALSE(JsonToVariant(deep).ok());
}

TEST(VariantTest, ReportsMalformedBytesWithoutReadingOutOfBounds) {
  const std::string empty_metadata = Unhex("010000");
  auto expect_malformed = [&](const std::string& metadata, const std::string& value) {
    auto json = VariantToJson(metadata, value, "UTC");
    ASSERT_FALSE(json.ok()) << Hex(metadata) << " " << Hex(value);
    EXPECT_EQ(ErrorClassOf(json.status()), "MALFORMED_VARIANT") << json.status().ToString();
    EXPECT_FALSE(ValidateVariant(metadata, value).ok());
  };
  expect_malformed("", Unhex("00"));
  expect_malformed(Unhex("02"), Unhex("00"));        // version 2
  expect_malformed(Unhex("0105"), Unhex("00"));      // dictionary larger than the bytes
  expect_malformed(Unhex("01010005"), Unhex("00"));  // offset past the strings
  expect_malformed(empty_metadata, "");
  expect_malformed(empty_metadata, Unhex("0c"));              // int8 without its byte
  expect_malformed(empty_metadata, Unhex("18"));              // int64 without payload
  expect_malformed(empty_metadata, Unhex("3c0500"));          // string length past the end
  expect_malformed(empty_metadata, Unhex("0d"));              // short string past the end
  expect_malformed(empty_metadata, Unhex("fc"));              // unknown primitive type id 63
  expect_malformed(empty_metadata, Unhex("020100000101"));    // field id 0 not in dictionary
  expect_malformed(empty_metadata, Unhex("0301000500"));      // array offset past the end
  expect_malformed(empty_metadata, Unhex("03ff"));            // array count past the end
  expect_malformed(empty_metadata, Unhex("20270000000000"));  // decimal4 scale 39
  // An array whose elements all point at one inner array: walking it would expand 2^20 times.
  std::string shared = Unhex("030000");  // the innermost value: an empty array
  for (int level = 0; level < 20; ++level) {
    // Two elements, both at offset 0, over the previous value.
    shared = Unhex("0302000000") + shared;
    shared[4] = static_cast<char>(shared.size() - 5);
  }
  expect_malformed(empty_metadata, shared);
  // Every truncation of a valid nested value fails cleanly.
  auto encoded = JsonToVariant(R"({"a": [1, "two", {"b": 3.25}], "c": "x"})");
  ASSERT_TRUE(encoded.ok());
  for (size_t n = 0; n < encoded->second.size(); ++n) {
    EXPECT_FALSE(VariantToJson(encoded->first, encoded->second.substr(0, n), "UTC").ok()) << n;
  }
  for (size_t n = 0; n < encoded->first.size(); ++n) {
    EXPECT_FALSE(VariantToJson(encoded->first.substr(0, n), encoded->second, "UTC").ok()) << n;
  }
  // Flipping any single byte never crashes.
  for (size_t i = 0; i < encoded->second.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = encoded->second;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      (void)VariantToJson(encoded->first, flipped, "UTC");
    }
  }
}

TEST(VariantTest, BuilderReusesAnExistingDictionary) {
  auto encoded = JsonToVariant(R"({"x": 1, "y": [true]})");
  ASSERT_TRUE(encoded.ok());
  auto builder = VariantBuilder::WithMetadata(encoded->first);
  ASSERT_TRUE(builder.ok());
  EXPECT_EQ(builder->AddKey("y"), 1u);
  ASSERT_TRUE(builder->AppendEncoded(encoded->second).ok());
  auto copy = builder->Finish();
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(copy->first, encoded->first);  // unchanged metadata bytes
  EXPECT_EQ(copy->second, encoded->second);
  // A new key extends the dictionary; old ids stay valid.
  auto extended = VariantBuilder::WithMetadata(encoded->first);
  size_t start = extended->Offset();
  std::vector<VariantBuilder::ObjectField> fields;
  fields.push_back({extended->AddKey("z"), 0});
  ASSERT_TRUE(extended->AppendEncoded(encoded->second).ok());
  ASSERT_TRUE(extended->FinishObject(start, fields).ok());
  auto result = extended->Finish();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*VariantToJson(result->first, result->second, "UTC"), R"({"z":{"x":1,"y":[true]}})");
  // An encoded value whose ids are outside the dictionary is refused.
  VariantBuilder fresh;
  EXPECT_FALSE(fresh.AppendEncoded(encoded->second).ok());
}

}  // namespace
}  // namespace basin::types
