#include "basin/function/kll_sketch.h"

#include <cmath>
#include <string>

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/function/function.h"

namespace basin::function {
namespace {

// FNV-1a 64 of the serialized bytes, as the DataSketches harness printed it.
uint64_t Fnv(const std::string& b) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : b) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string Hex(const std::string& b) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

uint64_t Lcg(uint64_t x) { return x * 6364136223846793005ULL + 1442695040888963407ULL; }

KllSketch<int64_t> Longs(int k, int64_t seed, int n) {
  KllSketch<int64_t> s(k);
  s.SetSeed(seed);
  for (int i = 0; i < n; ++i) s.Update(i);
  return s;
}

// Expected values below come from DataSketches 6.2 (the jar Spark 4.2 ships), driven by a small
// Java program with java.util.Random seeded as the sketch here is seeded: same bytes, same
// answers.
TEST(KllSketchTest, LongsMatchDataSketchesByteForByte) {
  struct Case {
    int k;
    int64_t seed;
    int n;
    size_t len;
    uint64_t fnv;
    int levels;
    int retained;
  };
  const Case cases[] = {
      {200, 42, 1, 16, 11332935701662586894ULL, 1, 1},
      {200, 42, 200, 1640, 14682150567634342354ULL, 1, 200},
      {200, 42, 201, 852, 12776612821316201806ULL, 2, 101},
      {200, 42, 1000, 2640, 6077087834561520859ULL, 3, 324},
      {200, 42, 10000, 4372, 10373575881613636705ULL, 6, 539},
      {200, 42, 100000, 4728, 16626377050759231179ULL, 9, 582},
      {8, 5, 3000, 568, 1711889600501057610ULL, 9, 62},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("k=" + std::to_string(c.k) + " n=" + std::to_string(c.n));
    auto s = Longs(c.k, c.seed, c.n);
    const std::string bytes = s.Serialize();
    EXPECT_EQ(bytes.size(), c.len);
    EXPECT_EQ(Fnv(bytes), c.fnv);
    EXPECT_EQ(s.num_levels(), c.levels);
    EXPECT_EQ(s.num_retained(), c.retained);
  }
  EXPECT_EQ(Hex(Longs(200, 42, 5).Serialize()),
            "05010f00c80008000500000000000000c8000100c3000000000000000000000004000000000000000400"
            "0000000000000300000000000000020000000000000001000000000000000000000000000000");
}

TEST(KllSketchTest, QuantilesAndRanksMatchDataSketches) {
  auto s = Longs(200, 42, 1000);
  const double ranks[] = {0, 0.01, 0.25, 0.5, 0.75, 0.99, 1};
  const int64_t quantiles[] = {0, 8, 248, 501, 748, 989, 999};
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(*s.Quantile(ranks[i]), quantiles[i]) << ranks[i];
  EXPECT_EQ(*s.Rank(-1), 0.0);
  EXPECT_EQ(*s.Rank(0), 0.004);
  EXPECT_EQ(*s.Rank(333), 0.336);
  EXPECT_EQ(*s.Rank(500), 0.498);
  EXPECT_EQ(*s.Rank(999), 1.0);

  auto small = Longs(200, 42, 200);
  EXPECT_EQ(*small.Quantile(0.25), 49);
  EXPECT_EQ(*small.Quantile(0.99), 197);
  EXPECT_EQ(*small.Rank(66), 0.335);

  // Doubles from a 64-bit LCG, k = 50.
  KllSketch<double> d(50);
  d.SetSeed(7);
  uint64_t x = 1;
  for (int i = 0; i < 5000; ++i) {
    x = Lcg(x);
    d.Update(static_cast<double>(x >> 11) / 9007199254740992.0 * 1000.0 - 500.0);
  }
  const std::string bytes = d.Serialize();
  EXPECT_EQ(bytes.size(), 1232u);
  EXPECT_EQ(Fnv(bytes), 7883317244727627977ULL);
  EXPECT_EQ(*d.Quantile(0.1), -403.55469249927944);
  EXPECT_EQ(*d.Quantile(0.5), 5.351803689696794);
  EXPECT_EQ(*d.Quantile(0.9), 385.25396690857576);
  EXPECT_EQ(*d.Rank(-250), 0.2544);
  EXPECT_EQ(*d.Rank(250), 0.7614);
}

TEST(KllSketchTest, FloatsMatchDataSketches) {
  auto run = [](int k, int64_t seed, int n) {
    KllSketch<float> s(k);
    s.SetSeed(seed);
    uint64_t x = 3;
    for (int i = 0; i < n; ++i) {
      x = Lcg(x);
      s.Update(static_cast<float>((x >> 40) % 1000));
    }
    return s.Serialize();
  };
  const std::string a = run(8, 1, 3000);
  EXPECT_EQ(a.size(), 312u);
  EXPECT_EQ(Fnv(a), 1324716727829798611ULL);
  const std::string b = run(300, 2, 100000);
  EXPECT_EQ(b.size(), 3516u);
  EXPECT_EQ(Fnv(b), 2600795922471531790ULL);
}

TEST(KllSketchTest, MergeMatchesDataSketches) {
  auto merged = [](int k1, int na, int k2, int nb) {
    KllSketch<int64_t> a(k1);
    a.SetSeed(11);
    for (int i = 0; i < na; ++i) a.Update(i * 3LL);
    KllSketch<int64_t> b(k2);
    b.SetSeed(22);
    for (int i = 0; i < nb; ++i) b.Update(i * 5LL + 1);
    a.SetSeed(33);
    a.Merge(*KllSketch<int64_t>::Deserialize(b.Serialize()));
    return a;
  };
  auto m1 = merged(200, 1000, 100, 5000);
  EXPECT_EQ(m1.Serialize().size(), 4380u);
  EXPECT_EQ(Fnv(m1.Serialize()), 12591082820883849276ULL);
  EXPECT_EQ(m1.min_k(), 100);
  EXPECT_NE(m1.ToString().find("   Epsilon                : 2.608%\n"), std::string::npos);
  EXPECT_NE(m1.ToString().find("   Capacity Items         : 547\n"), std::string::npos);
  auto m2 = merged(64, 30, 200, 150);
  EXPECT_EQ(m2.Serialize().size(), 664u);
  EXPECT_EQ(Fnv(m2.Serialize()), 11785077787482961530ULL);
  EXPECT_EQ(m2.ToString(),
            "\n### KllKllLongsSketch Summary:\n"
            "   K                      : 64\n"
            "   Dynamic min K          : 64\n"
            "   M                      : 8\n"
            "   N                      : 180\n"
            "   Epsilon                : 4.026%\n"
            "   Epsilon PMF            : 4.838%\n"
            "   Empty                  : false\n"
            "   Estimation Mode        : true\n"
            "   Levels                 : 3\n"
            "   Level 0 Sorted         : false\n"
            "   Capacity Items         : 135\n"
            "   Retained Items         : 77\n"
            "   Free Space             : 58\n"
            "   ReadOnly               : false\n"
            "   Updatable Storage Bytes: 1132\n"
            "   Compact Storage Bytes  : 664\n"
            "   Min Item               : 0\n"
            "   Max Item               : 746\n"
            "### End sketch summary\n");
}

TEST(KllSketchTest, SerializationRoundTrips) {
  for (int n : {0, 1, 2, 199, 200, 201, 5000}) {
    SCOPED_TRACE(n);
    auto s = Longs(100, 3, n);
    const std::string bytes = s.Serialize();
    auto back = KllSketch<int64_t>::Deserialize(bytes);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->Serialize(), bytes);
    EXPECT_EQ(back->n(), static_cast<uint64_t>(n));
    EXPECT_EQ(back->k(), 100);
  }
  // Spark's bytes for kll_sketch_agg_double over 1.0, 2.5, -3.0 (pyspark 4.2).
  const std::string spark_hex =
      "05010f00c80008000300000000000000c8000100c500000000000000000008c000000000000004400000000000"
      "00f03f000000000000044000000000000008c0";
  std::string bytes;
  for (size_t i = 0; i < spark_hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(spark_hex.substr(i, 2), nullptr, 16)));
  }
  auto d = KllSketch<double>::Deserialize(bytes);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->n(), 3u);
  EXPECT_EQ(d->min_item(), -3.0);
  EXPECT_EQ(d->max_item(), 2.5);
  EXPECT_EQ(*d->Quantile(0.5), 1.0);
  EXPECT_EQ(d->Serialize(), bytes);
}

TEST(KllSketchTest, ExactForSmallInputs) {
  KllSketch<double> s(16);
  for (int i = 16; i >= 1; --i) s.Update(i);  // n == k: nothing is compacted
  EXPECT_FALSE(s.estimation_mode());
  for (int i = 1; i <= 16; ++i) {
    EXPECT_EQ(*s.Rank(i), i / 16.0);
    EXPECT_EQ(*s.Quantile(i / 16.0), i);
  }
  EXPECT_EQ(*s.Quantile(0.0), 1.0);
  s.Update(std::nan(""));  // ignored
  EXPECT_EQ(s.n(), 16u);
}

TEST(KllSketchTest, ErrorBoundsHoldWhenCompacting) {
  // Rank error stays within a few multiples of the normalized rank error (1.33% for k = 200).
  KllSketch<int64_t> s(200);
  const int n = 200000;
  for (int i = 0; i < n; ++i) s.Update((i * 7919LL) % n);
  EXPECT_TRUE(s.estimation_mode());
  EXPECT_EQ(s.n(), static_cast<uint64_t>(n));
  const double eps = KllSketch<int64_t>::NormalizedRankError(200, false);
  for (double r = 0.05; r < 1.0; r += 0.05) {
    const double q = static_cast<double>(*s.Quantile(r));
    EXPECT_NEAR(q / n, r, 3 * eps) << r;
    EXPECT_NEAR(*s.Rank(static_cast<int64_t>(r * n)), r, 3 * eps) << r;
  }
  EXPECT_EQ(*s.Quantile(0.0), 0);
  EXPECT_EQ(*s.Quantile(1.0), n - 1);
  // Merging many sketches keeps the bounds and the count.
  KllSketch<int64_t> all(200);
  for (int part = 0; part < 20; ++part) {
    KllSketch<int64_t> p(200);
    for (int i = part; i < n; i += 20) p.Update((i * 7919LL) % n);
    all.Merge(p);
  }
  EXPECT_EQ(all.n(), static_cast<uint64_t>(n));
  for (double r = 0.1; r < 1.0; r += 0.1) {
    EXPECT_NEAR(static_cast<double>(*all.Quantile(r)) / n, r, 3 * eps) << r;
  }
}

TEST(KllSketchTest, RejectsMalformedBuffers) {
  EXPECT_FALSE(KllSketch<int64_t>::Deserialize("").ok());
  EXPECT_FALSE(KllSketch<int64_t>::Deserialize(std::string("\x00", 1)).ok());
  std::string bytes = Longs(200, 1, 300).Serialize();
  EXPECT_FALSE(KllSketch<int64_t>::Deserialize(bytes.substr(0, bytes.size() - 1)).ok());
  std::string bad_family = bytes;
  bad_family[2] = 16;
  EXPECT_FALSE(KllSketch<int64_t>::Deserialize(bad_family).ok());
  std::string bad_k = bytes;
  bad_k[4] = 4;
  bad_k[5] = 0;
  EXPECT_FALSE(KllSketch<int64_t>::Deserialize(bad_k).ok());
  // An empty sketch answers no quantiles.
  EXPECT_FALSE(KllSketch<int64_t>(200).Quantile(0.5).ok());
  auto s = Longs(200, 1, 10);
  auto out_of_range = s.Quantile(1.5);
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_EQ(out_of_range.status().message().rfind("normalized rank", 0), 0u);
  // NaN passes DataSketches' bounds check and gives the smallest item.
  EXPECT_EQ(*s.Quantile(std::nan("")), 0);
}

TEST(KllSketchTest, EpsilonTextMatchesDataSketches) {
  // String.format("%.3f%%") of DataSketches' rank errors, printed by DataSketches 6.2.
  const struct {
    int k;
    const char* eps;
    const char* pmf;
  } cases[] = {{8, "30.402%", "34.401%"},
               {200, "1.329%", "1.652%"},
               {1000, "0.278%", "0.362%"},
               {65535, "0.005%", "0.007%"}};
  for (const auto& c : cases) {
    const std::string text = KllSketch<float>(c.k).ToString();
    EXPECT_NE(text.find(std::string("   Epsilon                : ") + c.eps + "\n"),
              std::string::npos)
        << c.k;
    EXPECT_NE(text.find(std::string("   Epsilon PMF            : ") + c.pmf + "\n"),
              std::string::npos)
        << c.k;
  }
}

// The registered aggregate: k is checked at bind time when it is a literal, and a sketch survives
// the State()/Merge() path (a spill) with its count and its exact answers.
TEST(KllSketchTest, AggregateChecksKAndMergesState) {
  const auto& registry = BuiltinRegistry();
  auto bad = registry.BindAggregateWithConstants(
      "kll_sketch_agg_bigint", {arrow::int64(), arrow::int32()},
      {arrow::Datum(), arrow::Datum(std::make_shared<arrow::Int32Scalar>(7))});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(ErrorClassOf(bad.status()), "DATATYPE_MISMATCH.TYPE_CHECK_FAILURE_WITH_HINT");
  EXPECT_NE(bad.status().message().find("KLL_SKETCH_K_OUT_OF_RANGE"), std::string::npos);
  auto null_k = registry.BindAggregateWithConstants(
      "kll_sketch_agg_double", {arrow::float64(), arrow::int32()},
      {arrow::Datum(), arrow::Datum(arrow::MakeNullScalar(arrow::int32()))});
  EXPECT_EQ(ErrorClassOf(null_k.status()), "DATATYPE_MISMATCH.UNEXPECTED_NULL");
  EXPECT_EQ(
      ErrorClassOf(registry.BindAggregate("kll_sketch_agg_float", {arrow::float64()}).status()),
      "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");

  auto bound = registry.BindAggregateWithConstants(
      "kll_sketch_agg_bigint", {arrow::int64(), arrow::int32()},
      {arrow::Datum(), arrow::Datum(std::make_shared<arrow::Int32Scalar>(64))});
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  const EvalContext ctx;
  auto feed = [&](int from, int to) {
    auto acc = bound->make(ctx);
    EXPECT_TRUE(acc->Resize(1).ok());
    arrow::Int64Builder b;
    for (int i = from; i < to; ++i) EXPECT_TRUE(b.Append(i).ok());
    auto values = *b.Finish();
    std::vector<uint32_t> groups(static_cast<size_t>(to - from), 0);
    EXPECT_TRUE(
        acc->Update({arrow::Datum(values), arrow::Datum(std::make_shared<arrow::Int32Scalar>(64))},
                    groups.data(), to - from)
            .ok());
    return acc;
  };
  auto whole = feed(0, 50);
  auto first = feed(0, 20);
  auto second = feed(20, 50);
  uint32_t group = 0;
  ASSERT_TRUE(first->Merge(*second->State(), &group, 1).ok());
  for (auto* acc : {whole.get(), first.get()}) {
    auto out = *acc->Finalize();
    const auto& bin = static_cast<const arrow::BinaryArray&>(*out);
    auto sketch = *KllSketch<int64_t>::Deserialize(bin.GetView(0));
    EXPECT_EQ(sketch.k(), 64);
    EXPECT_EQ(sketch.n(), 50u);
    EXPECT_EQ(*sketch.Quantile(0.5), 24);
    EXPECT_EQ(*sketch.Rank(9), 0.2);
  }
}

}  // namespace
}  // namespace basin::function
