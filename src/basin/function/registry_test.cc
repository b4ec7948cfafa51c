#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/function/function_test_support.h"

namespace basin::function {
namespace {

using arrow::binary;
using arrow::boolean;
using arrow::date32;
using arrow::decimal128;
using arrow::float32;
using arrow::float64;
using arrow::int16;
using arrow::int32;
using arrow::int64;
using arrow::int8;
using arrow::utf8;

TEST(RegistryTest, NamesAreCaseInsensitive) {
  EXPECT_EQ(ReturnType("UPPER", {utf8()}), "STRING");
  EXPECT_EQ(ReturnType("Add", {int32(), int32()}), "INT");
  EXPECT_TRUE(BuiltinRegistry().KindOf("SUM").has_value());
  EXPECT_EQ(*BuiltinRegistry().KindOf("count"), FunctionKind::kAggregate);
  EXPECT_EQ(*BuiltinRegistry().KindOf("abs"), FunctionKind::kScalar);
  EXPECT_EQ(*BuiltinRegistry().KindOf("row_number"), FunctionKind::kWindow);
  EXPECT_EQ(*BuiltinRegistry().KindOf("explode"), FunctionKind::kGenerator);
  EXPECT_FALSE(BuiltinRegistry().KindOf("no_such_function").has_value());
}

TEST(RegistryTest, UnknownFunction) {
  auto r = BuiltinRegistry().BindScalar("no_such_function", {int32()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(*ErrorClassOf(r.status()), "UNRESOLVED_ROUTINE");
  EXPECT_NE(r.status().message().find("`no_such_function`"), std::string::npos);
}

TEST(RegistryTest, WrongNumberOfArguments) {
  EXPECT_EQ(ReturnType("upper", {utf8(), utf8()}), "ERROR:WRONG_NUM_ARGS.WITHOUT_SUGGESTION");
  EXPECT_EQ(ReturnType("add", {int32()}), "ERROR:WRONG_NUM_ARGS.WITHOUT_SUGGESTION");
  auto r = BuiltinRegistry().BindScalar("upper", {});
  EXPECT_NE(r.status().message().find("requires 1 parameters but the actual number is 0"),
            std::string::npos);
}

TEST(RegistryTest, BadArgumentType) {
  EXPECT_EQ(ReturnType("upper", {arrow::list(int32())}),
            "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
  EXPECT_EQ(ReturnType("add", {boolean(), int32()}),
            "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
  EXPECT_EQ(ReturnType("=", {date32(), boolean()}), "ERROR:DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES");
}

TEST(RegistryTest, NumericWidening) {
  EXPECT_EQ(ReturnType("+", {int32(), int64()}), "BIGINT");
  EXPECT_EQ(ReturnType("+", {int8(), int16()}), "SMALLINT");
  EXPECT_EQ(ReturnType("+", {int32(), float64()}), "DOUBLE");
  EXPECT_EQ(ReturnType("+", {float32(), int64()}), "DOUBLE");  // ANSI: float with an integral widens to double (Spark)
  EXPECT_EQ(ReturnType("/", {int32(), int32()}), "DOUBLE");
  EXPECT_EQ(ReturnType("div", {int32(), int32()}), "BIGINT");
  EXPECT_EQ(ReturnType("%", {int32(), int64()}), "BIGINT");
  EXPECT_EQ(ReturnType("+", {arrow::null(), int32()}), "INT");
}

TEST(RegistryTest, DecimalPrecisionRules) {
  EXPECT_EQ(ReturnType("+", {decimal128(10, 2), decimal128(5, 3)}), "DECIMAL(12,3)");
  EXPECT_EQ(ReturnType("*", {decimal128(10, 2), decimal128(5, 3)}), "DECIMAL(16,5)");
  EXPECT_EQ(ReturnType("/", {decimal128(10, 2), decimal128(5, 3)}), "DECIMAL(19,8)");
  EXPECT_EQ(ReturnType("%", {decimal128(10, 2), decimal128(5, 3)}), "DECIMAL(5,3)");
  EXPECT_EQ(ReturnType("+", {decimal128(10, 2), int32()}), "DECIMAL(13,2)");
  EXPECT_EQ(ReturnType("*", {decimal128(38, 10), decimal128(38, 10)}), "DECIMAL(38,6)");
  EXPECT_EQ(ReturnType("/", {decimal128(38, 2), decimal128(38, 2)}), "DECIMAL(38,6)");
  EXPECT_EQ(ReturnType("+", {decimal128(38, 0), decimal128(38, 0)}), "DECIMAL(38,0)");
  EXPECT_EQ(ReturnType("+", {decimal128(10, 2), float64()}), "DOUBLE");
  EXPECT_EQ(ReturnType("/", {int32(), decimal128(3, 1)}), "DECIMAL(17,6)");
}

TEST(RegistryTest, StringOperandsUnderAnsi) {
  EXPECT_EQ(ReturnType("+", {utf8(), int32()}), "BIGINT");
  EXPECT_EQ(ReturnType("+", {utf8(), float64()}), "DOUBLE");
  EXPECT_EQ(Call("+", {A(utf8(), R"(["1", " 2 "])"), A(int32(), "[1, 2]")}), "2 | 4");
  // Spark 4: '1.5' + 1 fails, as ANSI string -> bigint rejects a fraction.
  EXPECT_EQ(Call("+", {A(utf8(), R"(["1.5"])"), A(int32(), "[1]")}), "ERROR:CAST_INVALID_INPUT");
  EXPECT_EQ(Call("+", {A(utf8(), R"(["abc"])"), A(int32(), "[1]")}), "ERROR:CAST_INVALID_INPUT");
  EXPECT_EQ(Call("+", {A(utf8(), R"(["abc"])"), A(int32(), "[1]")}, NonAnsi()), "NULL");
  EXPECT_EQ(ReturnType("=", {utf8(), date32()}), "BOOLEAN");
  EXPECT_EQ(Call("=", {A(utf8(), R"(["2024-01-02", "2024-01-03"])"), A(date32(), "[19724, 19724]")}),
            "true | false");
}

TEST(RegistryTest, DecimalLiteralOperands) {
  // Spark: typeof(1.5BD / 3) = decimal(7,6); the literal 3 counts as decimal(1,0).
  auto b = BuiltinRegistry().BindScalarWithConstants(
      "/", {decimal128(2, 1), int32()}, {arrow::Datum(), arrow::Datum(int32_t{3})});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(SqlTypeName(*b->return_type), "DECIMAL(7,6)");
  EXPECT_EQ(ReturnType("/", {decimal128(2, 1), int32()}), "DECIMAL(13,12)");
}

TEST(RegistryTest, DateArithmetic) {
  EXPECT_EQ(ReturnType("+", {date32(), int32()}), "DATE");
  EXPECT_EQ(Call("+", {A(date32(), "[19723]"), A(int32(), "[1]")}), "2024-01-02");
  EXPECT_EQ(Call("-", {A(date32(), "[19723]"), A(int32(), "[1]")}), "2023-12-31");
  EXPECT_EQ(ReturnType("-", {date32(), date32()}), "INTERVAL DAY TO SECOND");
}

TEST(RegistryTest, CommonType) {
  EXPECT_TRUE((*CommonType(int32(), int64()))->Equals(*int64()));
  // ANSI: integral with FLOAT widens to DOUBLE (Spark AnsiTypeCoercion).
  EXPECT_TRUE((*CommonType(int32(), float32()))->Equals(*arrow::float64()));
  EXPECT_TRUE((*CommonType(float32(), float32()))->Equals(*float32()));
  EXPECT_TRUE((*CommonType(decimal128(10, 2), decimal128(5, 4)))->Equals(*decimal128(12, 4)));
  EXPECT_TRUE((*CommonType(decimal128(10, 2), int64()))->Equals(*decimal128(22, 2)));
  EXPECT_TRUE((*CommonType(date32(), TimestampType()))->Equals(*TimestampType()));
  EXPECT_TRUE((*CommonType(utf8(), date32()))->Equals(*date32()));
  EXPECT_TRUE((*CommonType(arrow::null(), utf8()))->Equals(*utf8()));
  EXPECT_TRUE((*CommonType(arrow::list(int32()), arrow::list(int64())))
                  ->Equals(*arrow::list(int64())));
  EXPECT_FALSE(CommonType(boolean(), int32()).has_value());
  EXPECT_FALSE(CommonType(date32(), int32()).has_value());
}

TEST(RegistryTest, NamesAreSortedAndIncludeFamilies) {
  auto names = BuiltinRegistry().Names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const char* n : {"abs", "upper", "concat", "sum", "count", "cast_not_here"}) {
    const bool found = std::find(names.begin(), names.end(), n) != names.end();
    EXPECT_EQ(found, std::string(n) != "cast_not_here") << n;
  }
}

}  // namespace
}  // namespace basin::function
