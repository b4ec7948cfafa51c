#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/function/function_test_support.h"

namespace basin::function {
namespace {

using arrow::decimal128;
using arrow::float32;
using arrow::float64;
using arrow::int32;
using arrow::int64;
using arrow::utf8;

// Expected values come from Spark 4 (pyspark) with the same inputs.
TEST(HashTest, Murmur3MatchesSpark) {
  EXPECT_EQ(Call("hash", {A(int32(), "[1]")}), "-559580957");
  EXPECT_EQ(Call("hash", {A(int64(), "[1]")}), "-1712319331");
  EXPECT_EQ(Call("hash", {A(utf8(), R"(["abc", "Spark", ""])")}), "1322437556 | 228093765 | 142593372");
  EXPECT_EQ(Call("hash", {A(float64(), "[1.5, -0.0, 0.0]")}), "1290763749 | -1670924195 | -1670924195");
  EXPECT_EQ(Call("hash", {A(float32(), "[1.5]")}), "-221251528");
  EXPECT_EQ(Call("hash", {A(arrow::boolean(), "[true]")}), "-559580957");
  EXPECT_EQ(Call("hash", {A(arrow::null(), "[null]")}), "42");
  EXPECT_EQ(Call("hash", {A(int32(), "[1]"), A(utf8(), R"(["a"])")}), "-936062819");
  EXPECT_EQ(Call("hash", {A(arrow::list(int32()), "[[1, 2]]")}), "-222940379");
  EXPECT_EQ(Call("hash", {A(decimal128(5, 2), R"(["1.25"])")}), "1910520950");
  EXPECT_EQ(Call("hash", {A(decimal128(30, 2), R"(["1.25"])")}), "-1153375511");
  EXPECT_EQ(Call("hash", {A(arrow::date32(), "[19723]")}), "-456589419");
  EXPECT_EQ(Call("hash", {A(TimestampType(), "[1704067200000000]")}), "1545358984");
  EXPECT_EQ(Call("hash", {A(arrow::struct_({arrow::field("a", int32()), arrow::field("b", utf8())}),
                            R"([{"a": 1, "b": "x"}])")}),
            "-1305545736");
}

TEST(HashTest, XxHash64MatchesSpark) {
  EXPECT_EQ(Call("xxhash64", {A(int32(), "[1]")}), "-6698625589789238999");
  EXPECT_EQ(Call("xxhash64", {A(int64(), "[1]")}), "-7001672635703045582");
  EXPECT_EQ(Call("xxhash64", {A(utf8(), R"(["abc", "Spark SQL is fun and fast!!", ""])")}),
            "1423657621850124518 | -2746326644717367216 | -7444071767201028348");
  EXPECT_EQ(Call("xxhash64", {A(float64(), "[1.5]")}), "7738255526519901366");
  EXPECT_EQ(Call("xxhash64", {A(int32(), "[1]"), A(utf8(), R"(["a"])")}), "8205864924878002737");
  EXPECT_EQ(Call("xxhash64", {A(decimal128(30, 2), R"(["1.25"])")}), "284054986895877072");
  EXPECT_EQ(Call("xxhash64", {A(arrow::list(int32()), "[[1, 2]]")}), "-8133857028838179022");
  EXPECT_EQ(Call("xxhash64", {A(utf8(), R"(["héllo wörld, a longer string over 32 bytes"])")}),
            "-3802444989133647931");
}

TEST(HashTest, Digests) {
  EXPECT_EQ(Call("md5", {A(utf8(), R"(["Spark"])")}), "8cde774d6f7333752ed72cacddb05126");
  EXPECT_EQ(Call("sha1", {A(utf8(), R"(["Spark"])")}), "85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c");
  EXPECT_EQ(Call("sha2", {A(utf8(), R"(["Spark"])"), Sc(int32(), "256")}),
            "529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b");
  EXPECT_EQ(Call("sha2", {A(utf8(), R"(["Spark"])"), Sc(int32(), "224")}),
            "dbeab94971678d36af2195851c0f7485775a2a7c60073d62fc04549c");
  EXPECT_EQ(Call("sha2", {A(utf8(), R"(["Spark"])"), Sc(int32(), "384")}),
            "1e40b8d06c248a1cc32428c22582b6219d072283078fa140d9ad297ecadf2cabefc341b857ad36226aa8d6d79f2ab67d");
  EXPECT_EQ(Call("sha2", {A(utf8(), R"(["Spark"])"), Sc(int32(), "512")}),
            "44844a586c54c9a212da1dbfe05c5f1705de1af5fda1f0d36297623249b279fd8f0ccec03f888f4fb13bf7cd83fdad58591c797f81121a23cfdd5e0897795238");
  EXPECT_EQ(Call("sha2", {A(utf8(), R"(["Spark"])"), Sc(int32(), "1")}), "NULL");
  EXPECT_EQ(Call("crc32", {A(utf8(), R"(["Spark", null])")}), "1557323817 | NULL");
  EXPECT_EQ(Call("md5", {A(utf8(), R"([""])")}), "d41d8cd98f00b204e9800998ecf8427e");
}

}  // namespace
}  // namespace basin::function
