#include "basin/delta/type_widening.h"

#include <arrow/api.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "basin/delta/write.h"

namespace basin::delta {
namespace {

TEST(TypeWidening, IntegersWidenUpward) {
  EXPECT_TRUE(IsSupportedTypeWidening(*arrow::int8(), *arrow::int16()));
  EXPECT_TRUE(IsSupportedTypeWidening(*arrow::int16(), *arrow::int64()));
  EXPECT_TRUE(IsSupportedTypeWidening(*arrow::int32(), *arrow::int64()));
  EXPECT_FALSE(IsSupportedTypeWidening(*arrow::int64(), *arrow::int32()));
  EXPECT_FALSE(IsSupportedTypeWidening(*arrow::int32(), *arrow::int32()));
}

TEST(TypeWidening, FloatingPointAndDecimal) {
  EXPECT_TRUE(IsSupportedTypeWidening(*arrow::float32(), *arrow::float64()));
  EXPECT_TRUE(IsSupportedTypeWidening(*arrow::int32(), *arrow::float64()));
  EXPECT_FALSE(IsSupportedTypeWidening(*arrow::int64(), *arrow::float64()));
  EXPECT_FALSE(IsSupportedTypeWidening(*arrow::int32(), *arrow::float32()));
  // Integers need 10 integer digits (20 from long).
  EXPECT_TRUE(IsSupportedTypeWidening(*arrow::int8(), *arrow::decimal128(10, 0)));
  EXPECT_FALSE(IsSupportedTypeWidening(*arrow::int8(), *arrow::decimal128(4, 0)));
  EXPECT_TRUE(IsSupportedTypeWidening(*arrow::int32(), *arrow::decimal128(11, 1)));
  EXPECT_FALSE(IsSupportedTypeWidening(*arrow::int64(), *arrow::decimal128(19, 0)));
  EXPECT_TRUE(IsSupportedTypeWidening(*arrow::int64(), *arrow::decimal128(20, 0)));
  EXPECT_TRUE(IsSupportedTypeWidening(*arrow::decimal128(5, 2), *arrow::decimal128(10, 4)));
  EXPECT_FALSE(IsSupportedTypeWidening(*arrow::decimal128(5, 2), *arrow::decimal128(12, 1)));
  EXPECT_FALSE(IsSupportedTypeWidening(*arrow::decimal128(5, 2), *arrow::decimal128(5, 3)));
}

TEST(TypeWidening, DateToTimestampNtzOnly) {
  auto ntz = arrow::timestamp(arrow::TimeUnit::MICRO);
  auto ltz = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  EXPECT_TRUE(IsSupportedTypeWidening(*arrow::date32(), *ntz));
  EXPECT_FALSE(IsSupportedTypeWidening(*arrow::date32(), *ltz));
  EXPECT_TRUE(CanAlterColumnType(*arrow::date32(), *ltz));
}

TEST(TypeWidening, SparkUpCastRule) {
  EXPECT_TRUE(CanAlterColumnType(*arrow::int32(), *arrow::utf8()));
  EXPECT_TRUE(CanAlterColumnType(*arrow::int64(), *arrow::float32()));
  EXPECT_TRUE(CanAlterColumnType(*arrow::decimal128(10, 0), *arrow::int64()));
  EXPECT_FALSE(CanAlterColumnType(*arrow::utf8(), *arrow::int32()));
  EXPECT_FALSE(CanAlterColumnType(*arrow::decimal128(5, 2), *arrow::float64()));
  EXPECT_FALSE(CanAlterColumnType(*arrow::float64(), *arrow::float32()));
  EXPECT_FALSE(CanAlterColumnType(*arrow::int32(), *arrow::decimal128(9, 0)));
}

TEST(TypeWidening, RecordsEveryChange) {
  auto field = arrow::field("s", arrow::int16());
  auto widened = WidenFieldType(field, arrow::int32());
  ASSERT_TRUE(widened.ok()) << widened.status().ToString();
  auto again = WidenFieldType(*widened, arrow::int64());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE((*again)->type()->Equals(*arrow::int64()));
  auto changes = nlohmann::json::parse(*(*again)->metadata()->Get("delta.typeChanges"));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0]["fromType"], "short");
  EXPECT_EQ(changes[0]["toType"], "integer");
  EXPECT_EQ(changes[1]["fromType"], "integer");
  EXPECT_EQ(changes[1]["toType"], "long");
}

TEST(UpgradedProtocol, ListsLegacyFeaturesAfterNewOnes) {
  Protocol legacy;  // (1, 2)
  arrow::Schema schema({arrow::field("i", arrow::int32())});
  auto upgraded = UpgradedProtocol(legacy, {{"delta.enableTypeWidening", "true"}}, schema);
  ASSERT_TRUE(upgraded.has_value());
  EXPECT_EQ(upgraded->min_reader_version, 3);
  EXPECT_EQ(upgraded->min_writer_version, 7);
  EXPECT_EQ(*upgraded->reader_features, std::vector<std::string>({"typeWidening"}));
  EXPECT_EQ(*upgraded->writer_features,
            std::vector<std::string>({"typeWidening", "invariants", "appendOnly"}));
  // Nothing new: no upgrade.
  EXPECT_FALSE(UpgradedProtocol(*upgraded, {{"delta.enableTypeWidening", "true"}}, schema));
  EXPECT_FALSE(UpgradedProtocol(legacy, {}, schema));
}

TEST(UpgradedProtocol, WriterOnlyFeatureKeepsReaderVersion) {
  Protocol legacy;
  arrow::Schema schema({arrow::field("i", arrow::int32())});
  auto upgraded =
      UpgradedProtocol(legacy, {{"delta.feature.allowColumnDefaults", "supported"}}, schema);
  ASSERT_TRUE(upgraded.has_value());
  EXPECT_EQ(upgraded->min_reader_version, 1);
  EXPECT_EQ(upgraded->min_writer_version, 7);
  EXPECT_FALSE(upgraded->reader_features.has_value());
  EXPECT_EQ(*upgraded->writer_features,
            std::vector<std::string>({"allowColumnDefaults", "invariants", "appendOnly"}));
}

}  // namespace
}  // namespace basin::delta
