#include "basin/format/decimal_widening.h"

#include <gtest/gtest.h>

#include <arrow/compute/api.h>

namespace basin::format {
namespace {

// The same values widened by Arrow's cast, the reference.
std::shared_ptr<arrow::Array> CastTo128(const std::shared_ptr<arrow::Array>& array, int precision,
                                        int scale) {
  auto type = arrow::decimal128(precision, scale);
  return arrow::compute::Cast(*array, type).ValueOrDie();
}

template <typename Builder>
std::shared_ptr<arrow::Array> Build(const std::shared_ptr<arrow::DataType>& type,
                                    const std::vector<std::optional<std::string>>& values) {
  Builder b(type);
  for (const auto& v : values) {
    if (v) {
      EXPECT_TRUE(b.Append(typename Builder::ValueType(*v)).ok()) << *v;
    } else {
      EXPECT_TRUE(b.AppendNull().ok());
    }
  }
  return b.Finish().ValueOrDie();
}

TEST(DecimalWideningTest, Decimal64KeepsSignExtremesAndNulls) {
  auto input = Build<arrow::Decimal64Builder>(
      arrow::decimal64(18, 2),
      {"0.00", "-0.01", "12.34", std::nullopt, "9999999999999999.99", "-9999999999999999.99",
       "-5.50"});
  auto out = WidenDecimal(*input).ValueOrDie();
  EXPECT_TRUE(out->type()->Equals(*arrow::decimal128(18, 2))) << out->type()->ToString();
  EXPECT_EQ(out->null_count(), 1);
  EXPECT_TRUE(out->Equals(*CastTo128(input, 18, 2))) << out->ToString();
}

TEST(DecimalWideningTest, Decimal32AndSlices) {
  auto input = Build<arrow::Decimal32Builder>(
      arrow::decimal32(9, 3), {"1.000", std::nullopt, "-999999.999", "999999.999", "-0.001"});
  auto sliced = input->Slice(1, 4);
  auto out = WidenDecimal(*sliced).ValueOrDie();
  EXPECT_TRUE(out->type()->Equals(*arrow::decimal128(9, 3)));
  EXPECT_EQ(out->length(), 4);
  EXPECT_EQ(out->null_count(), 1);
  EXPECT_TRUE(out->Equals(*CastTo128(sliced, 9, 3))) << out->ToString();
  // A slice past the null has no validity to copy.
  auto tail = WidenDecimal(*input->Slice(2)).ValueOrDie();
  EXPECT_EQ(tail->null_count(), 0);
  EXPECT_TRUE(tail->Equals(*CastTo128(input->Slice(2), 9, 3))) << tail->ToString();
}

TEST(DecimalWideningTest, RefusesOtherTypes) {
  auto input = Build<arrow::Decimal128Builder>(arrow::decimal128(10, 0), {"1"});
  EXPECT_FALSE(WidenDecimal(*input).ok());
}

}  // namespace
}  // namespace basin::format
