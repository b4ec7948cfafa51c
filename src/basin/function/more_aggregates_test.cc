#include <cmath>

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/function/function_test_support.h"

namespace basin::function {
namespace {

using arrow::binary;
using arrow::boolean;
using arrow::float64;
using arrow::int32;
using arrow::int64;
using arrow::int8;
using arrow::utf8;

// How the rows reach the accumulator: all in one Update; split in two accumulators whose state
// is merged into the first (a spill); or both halves' states merged into a fresh accumulator
// that never saw an Update (a spill read back by another operator).
enum class Path { kDirect, kSplit, kFreshMerge };

constexpr Path kAllPaths[] = {Path::kDirect, Path::kSplit, Path::kFreshMerge};

std::string RunAggregate(const std::string& name, const std::vector<TestArg>& args,
                         const std::vector<uint32_t>& groups, Path path) {
  const EvalContext ctx;
  std::vector<TypePtr> types;
  std::vector<arrow::Datum> values;
  for (const auto& a : args) {
    types.push_back(a.type);
    auto d = MakeDatum(a);
    if (!d.ok()) return "BADTEST:" + d.status().ToString();
    values.push_back(*d);
  }
  auto bound = BuiltinRegistry().BindAggregate(name, types);
  if (!bound.ok())
    return "ERROR:" + ErrorClassOf(bound.status()).value_or(bound.status().ToString());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i].type()->Equals(*bound->arg_types[i])) {
      auto cast = Cast(values[i], bound->arg_types[i], false, ctx);
      if (!cast.ok()) return "BADCAST:" + cast.status().ToString();
      values[i] = *cast;
    }
  }
  uint32_t num_groups = 0;
  for (uint32_t g : groups) num_groups = std::max(num_groups, g + 1);
  const int64_t n = static_cast<int64_t>(groups.size());
  std::vector<uint32_t> ids(num_groups);
  for (uint32_t g = 0; g < num_groups; ++g) ids[g] = g;

  auto slice = [&](int64_t from, int64_t to) {
    std::vector<arrow::Datum> out;
    for (const auto& v : values) {
      out.push_back(v.is_array() ? arrow::Datum(v.make_array()->Slice(from, to - from)) : v);
    }
    return out;
  };
  auto run = [&]() -> Result<std::shared_ptr<arrow::Array>> {
    auto first = bound->make(ctx);
    RETURN_NOT_OK(first->Resize(num_groups));
    if (path == Path::kDirect) {
      RETURN_NOT_OK(first->Update(values, groups.data(), n));
      return first->Finalize();
    }
    const int64_t half = n / 2;
    auto second = bound->make(ctx);
    RETURN_NOT_OK(second->Resize(num_groups));
    RETURN_NOT_OK(first->Update(slice(0, half), groups.data(), half));
    RETURN_NOT_OK(second->Update(slice(half, n), groups.data() + half, n - half));
    ARROW_ASSIGN_OR_RAISE(auto second_state, second->State());
    if (second_state.size() != bound->state_types.size()) return InternalError("state arity");
    for (size_t i = 0; i < second_state.size(); ++i) {
      if (!second_state[i]->type()->Equals(*bound->state_types[i])) {
        return InternalError("state type " + second_state[i]->type()->ToString());
      }
    }
    if (path == Path::kSplit) {
      RETURN_NOT_OK(first->Merge(second_state, ids.data(), num_groups));
      return first->Finalize();
    }
    ARROW_ASSIGN_OR_RAISE(auto first_state, first->State());
    auto fresh = bound->make(ctx);
    RETURN_NOT_OK(fresh->Resize(num_groups));
    RETURN_NOT_OK(fresh->Merge(first_state, ids.data(), num_groups));
    RETURN_NOT_OK(fresh->Merge(second_state, ids.data(), num_groups));
    return fresh->Finalize();
  };
  auto result = run();
  if (!result.ok()) return Render(result.status(), ctx);
  if (!(*result)->type()->Equals(*bound->return_type)) {
    return "BADTYPE:" + (*result)->type()->ToString();
  }
  return Render(arrow::Datum(*result), ctx);
}

std::string Agg(const std::string& name, const std::vector<TestArg>& args,
                const std::vector<uint32_t>& groups, Path path = Path::kDirect) {
  return RunAggregate(name, args, groups, path);
}

std::string BoundType(const std::string& name, const std::vector<TypePtr>& types) {
  auto bound = BuiltinRegistry().BindAggregate(name, types);
  if (!bound.ok()) return "ERROR:" + ErrorClassOf(bound.status()).value_or("?");
  return SqlTypeName(*bound->return_type);
}

// Parses "a | b" into doubles (NULL as NaN) to compare merged results within a tolerance.
std::vector<double> Numbers(const std::string& rendered) {
  std::vector<double> out;
  size_t pos = 0;
  while (pos <= rendered.size()) {
    size_t end = rendered.find(" | ", pos);
    if (end == std::string::npos) end = rendered.size();
    const std::string item = rendered.substr(pos, end - pos);
    out.push_back(item == "NULL" ? std::nan("") : std::stod(item));
    pos = end + 3;
  }
  return out;
}

void ExpectClose(const std::string& actual, const std::string& expected) {
  auto a = Numbers(actual), e = Numbers(expected);
  ASSERT_EQ(a.size(), e.size()) << actual << " vs " << expected;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(e[i])) {
      EXPECT_TRUE(std::isnan(a[i])) << actual << " vs " << expected;
    } else {
      EXPECT_NEAR(a[i], e[i], 1e-9 * std::max(1.0, std::abs(e[i]))) << actual << " vs " << expected;
    }
  }
}

TEST(MoreAggregatesTest, BitwiseAggregates) {
  const auto x = A(int32(), "[12, 10, -1, 7, 7, null]");
  const std::vector<uint32_t> g = {0, 0, 1, 1, 1, 2};
  for (Path p : kAllPaths) {
    EXPECT_EQ(Agg("bit_and", {x}, g, p), "8 | 7 | NULL");
    EXPECT_EQ(Agg("bit_or", {x}, g, p), "14 | -1 | NULL");
    EXPECT_EQ(Agg("bit_xor", {x}, g, p), "6 | -1 | NULL");
  }
  const auto t = A(int8(), "[-128, 127, -1]");
  EXPECT_EQ(Agg("bit_and", {t}, {0, 0, 0}, Path::kSplit), "0");
  EXPECT_EQ(Agg("bit_or", {t}, {0, 0, 0}, Path::kFreshMerge), "-1");
  EXPECT_EQ(Agg("bit_xor", {t}, {0, 0, 0}), "0");
  const auto l = A(int64(), "[-9223372036854775808, 9223372036854775807]");
  EXPECT_EQ(Agg("bit_xor", {l}, {0, 0}, Path::kSplit), "-1");
  EXPECT_EQ(BoundType("bit_and", {int8()}), "TINYINT");
  EXPECT_EQ(BoundType("bit_or", {int64()}), "BIGINT");
  EXPECT_EQ(BoundType("bit_xor", {arrow::null()}), "INT");
  EXPECT_EQ(BoundType("bit_and", {utf8()}), "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
  EXPECT_EQ(BoundType("bit_and", {float64()}), "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
  EXPECT_EQ(BoundType("bit_and", {arrow::decimal128(3, 0)}),
            "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
  EXPECT_EQ(BoundType("bit_and", {int32(), int32()}), "ERROR:WRONG_NUM_ARGS.WITHOUT_SUGGESTION");
}

TEST(MoreAggregatesTest, SkewnessKurtosis) {
  const auto x = A(int32(), "[1, 2, 10]");
  EXPECT_EQ(Agg("skewness", {x}, {0, 0, 0}), "0.674555484545766");
  EXPECT_EQ(Agg("kurtosis", {x}, {0, 0, 0}), "-1.5000000000000007");
  const auto y = A(float64(), "[1.5, 2.25, 10, null, -3]");
  EXPECT_EQ(Agg("skewness", {y}, {0, 0, 0, 0, 0}), "0.5022885010479384");
  EXPECT_EQ(Agg("kurtosis", {y}, {0, 0, 0, 0, 0}), "-0.9547645710096386");
  // Groups: a (1, 2, 4, 8), b (3, 3: no variance), c (null), d (7, -2, 0).
  const auto v = A(int32(), "[1, 3, 2, 7, 4, null, 3, -2, 8, 0]");
  const std::vector<uint32_t> g = {0, 1, 0, 3, 0, 2, 1, 3, 0, 3};
  for (Path p : kAllPaths) {
    ExpectClose(Agg("skewness", {v}, g, p), "0.656807734499699 | NULL | NULL | 0.567316577993729");
    ExpectClose(Agg("kurtosis", {v}, g, p),
                "-1.09897920604915 | NULL | NULL | -1.4999999999999998");
  }
  EXPECT_EQ(Agg("skewness", {v}, g), "0.656807734499699 | NULL | NULL | 0.567316577993729");
  EXPECT_EQ(Agg("kurtosis", {v}, g), "-1.09897920604915 | NULL | NULL | -1.4999999999999998");
  EXPECT_EQ(Agg("skewness", {A(float64(), "[1, NaN]")}, {0, 0}), "NaN");
  EXPECT_EQ(Agg("kurtosis", {A(int32(), "[5]")}, {0}), "NULL");
  EXPECT_EQ(Agg("skewness", {A(utf8(), R"(["1", "2", "10"])")}, {0, 0, 0}), "0.674555484545766");
  EXPECT_EQ(BoundType("skewness", {arrow::decimal128(5, 2)}), "DOUBLE");
  EXPECT_EQ(BoundType("kurtosis", {boolean()}), "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
  EXPECT_EQ(BoundType("skewness", {arrow::date32()}),
            "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
}

TEST(MoreAggregatesTest, Regression) {
  const auto y = A(int32(), "[1, 2, null, 2, 5]");
  const auto x = A(int32(), "[2, null, 3, 4, 7]");
  const std::vector<uint32_t> g(5, 0);
  for (Path p : kAllPaths) {
    EXPECT_EQ(Agg("regr_count", {y, x}, g, p), "3");
    ExpectClose(Agg("regr_avgx", {y, x}, g, p), "4.333333333333333");
    ExpectClose(Agg("regr_avgy", {y, x}, g, p), "2.6666666666666665");
    ExpectClose(Agg("regr_sxx", {y, x}, g, p), "12.666666666666668");
    ExpectClose(Agg("regr_syy", {y, x}, g, p), "8.666666666666666");
    ExpectClose(Agg("regr_sxy", {y, x}, g, p), "10.333333333333334");
    ExpectClose(Agg("regr_slope", {y, x}, g, p), "0.8157894736842104");
    ExpectClose(Agg("regr_intercept", {y, x}, g, p), "-0.8684210526315779");
    ExpectClose(Agg("regr_r2", {y, x}, g, p), "0.9726720647773279");
  }
  EXPECT_EQ(Agg("regr_sxy", {y, x}, g), "10.333333333333334");
  EXPECT_EQ(Agg("regr_slope", {y, x}, g), "0.8157894736842104");
  EXPECT_EQ(Agg("regr_intercept", {y, x}, g), "-0.8684210526315779");
  EXPECT_EQ(Agg("regr_r2", {y, x}, g), "0.9726720647773279");
  // Spark's last digits: the intercept after its final merge into an empty buffer.
  EXPECT_EQ(Agg("regr_intercept", {A(int32(), "[1, null, 2, 4]"), A(int32(), "[2, 10, 4, 5]")},
                {0, 0, 0, 0}),
            "-1.0714285714285703");
  // No variance in x: slope, intercept and r2 are NULL; none in y: r2 is 1.
  const auto cy = A(int32(), "[1, 7, 3, 3, 3, 3]");
  const auto cx = A(int32(), "[2, 2, 2, 2, 5, 1]");
  const std::vector<uint32_t> cg = {0, 0, 0, 1, 1, 1};
  for (Path p : kAllPaths) {
    EXPECT_EQ(Agg("regr_slope", {cy, cx}, cg, p), "NULL | 0.0");
    EXPECT_EQ(Agg("regr_intercept", {cy, cx}, cg, p), "NULL | 3.0");
    EXPECT_EQ(Agg("regr_r2", {cy, cx}, cg, p), "NULL | 1.0");
    EXPECT_EQ(Agg("regr_sxx", {cy, cx}, cg, p), "0.0 | 8.666666666666666");
  }
  const auto ny = A(int32(), "[1, null]");
  const auto nx = A(int32(), "[null, 2]");
  for (const char* f : {"regr_avgx", "regr_avgy", "regr_sxx", "regr_syy", "regr_sxy", "regr_slope",
                        "regr_intercept", "regr_r2"}) {
    EXPECT_EQ(Agg(f, {ny, nx}, {0, 0}, Path::kFreshMerge), "NULL") << f;
  }
  EXPECT_EQ(Agg("regr_count", {ny, nx}, {0, 0}), "0");
  // regr_avgx/avgy follow avg's result type.
  const auto dy = A(arrow::decimal128(10, 2), R"(["1.00", "2.50", null])");
  const auto dx = A(arrow::decimal128(5, 1), R"(["2.0", "3.3", "4.4"])");
  EXPECT_EQ(BoundType("regr_avgx", {dy.type, dx.type}), "DECIMAL(9,5)");
  EXPECT_EQ(BoundType("regr_avgy", {dy.type, dx.type}), "DECIMAL(14,6)");
  for (Path p : kAllPaths) {
    EXPECT_EQ(Agg("regr_avgx", {dy, dx}, {0, 0, 0}, p), "2.65000");
    EXPECT_EQ(Agg("regr_avgy", {dy, dx}, {0, 0, 0}, p), "1.750000");
  }
  EXPECT_EQ(BoundType("regr_count", {boolean(), int32()}),
            "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
  EXPECT_EQ(BoundType("regr_sxx", {int32()}), "ERROR:WRONG_NUM_ARGS.WITHOUT_SUGGESTION");
  EXPECT_EQ(BoundType("regr_avgx", {int32(), arrow::duration(arrow::TimeUnit::MICRO)}),
            "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
}

TEST(MoreAggregatesTest, ListAgg) {
  const auto s = A(utf8(), R"(["x", "y", null, "", "", "z"])");
  const std::vector<uint32_t> g = {0, 0, 1, 2, 2, 2};
  for (Path p : kAllPaths) {
    EXPECT_EQ(Agg("listagg", {s, Sc(utf8(), R"("|")")}, g, p), "x|y | NULL | ||z");
    EXPECT_EQ(Agg("string_agg", {s}, g, p), "xy | NULL | z");
  }
  const auto all = A(utf8(), R"(["a", "b", null, "c"])");
  for (Path p : kAllPaths) {
    EXPECT_EQ(Agg("listagg", {all, Sc(utf8(), R"(", ")")}, {0, 0, 0, 0}, p), "a, b, c");
    EXPECT_EQ(Agg("listagg", {all, Sc(utf8(), "null")}, {0, 0, 0, 0}, p), "abc");
  }
  const auto b = A(binary(), R"(["A", "BC", null])");
  EXPECT_EQ(Agg("listagg", {b, Sc(binary(), R"(",")")}, {0, 0, 0}, Path::kFreshMerge), "A,BC");
  EXPECT_EQ(BoundType("listagg", {binary()}), "BINARY");
  EXPECT_EQ(BoundType("listagg", {int32()}), "STRING");
  EXPECT_EQ(BoundType("string_agg", {arrow::null(), utf8()}), "STRING");
  EXPECT_EQ(Agg("listagg", {A(int32(), "[1, 2]"), Sc(int32(), "1")}, {0, 0}), "112");
  EXPECT_EQ(BoundType("listagg", {utf8(), binary()}), "ERROR:DATATYPE_MISMATCH.DATA_DIFF_TYPES");
  EXPECT_EQ(BoundType("listagg", {binary(), utf8()}), "ERROR:DATATYPE_MISMATCH.DATA_DIFF_TYPES");
  EXPECT_EQ(BoundType("listagg", {arrow::list(int32())}),
            "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
  EXPECT_EQ(BoundType("listagg", {utf8(), utf8(), utf8()}),
            "ERROR:WRONG_NUM_ARGS.WITHOUT_SUGGESTION");
}

TEST(MoreAggregatesTest, PercentileContDisc) {
  const auto ten = A(int32(), "[4, 1, 9, 2, 10, 3, 8, 5, 7, 6]");
  const std::vector<uint32_t> g10(10, 0);
  const auto quarter = Sc(float64(), "0.25");
  const auto desc = Sc(boolean(), "true");
  for (Path p : kAllPaths) {
    EXPECT_EQ(Agg("percentile_cont", {ten, quarter}, g10, p), "3.25");
    EXPECT_EQ(Agg("percentile_disc", {ten, quarter}, g10, p), "3.0");
    EXPECT_EQ(Agg("percentile_cont", {ten, quarter, desc}, g10, p), "7.75");
    EXPECT_EQ(Agg("percentile_disc", {ten, quarter, desc}, g10, p), "8.0");
  }
  const auto five = A(int32(), "[1, 2, 3, 4, 5]");
  const std::vector<uint32_t> g5(5, 0);
  EXPECT_EQ(Agg("percentile_disc", {five, Sc(float64(), "0.2")}, g5), "1.0");
  EXPECT_EQ(Agg("percentile_disc", {five, Sc(float64(), "0.21")}, g5), "2.0");
  EXPECT_EQ(Agg("percentile_disc", {five, Sc(float64(), "0.41")}, g5), "3.0");
  EXPECT_EQ(Agg("percentile_disc", {five, Sc(float64(), "0.2"), desc}, g5), "5.0");
  EXPECT_EQ(Agg("percentile_cont", {five, Sc(float64(), "0.1"), desc}, g5), "4.6");
  EXPECT_EQ(Agg("percentile_disc", {five, Sc(float64(), "0")}, g5), "1.0");
  const auto d = A(float64(), "[1.5, null, 2.25, 10, -3, 7]");
  const std::vector<uint32_t> g6(6, 0);
  EXPECT_EQ(Agg("percentile_cont", {d, Sc(float64(), "0.3")}, g6), "1.6500000000000001");
  EXPECT_EQ(Agg("percentile_cont", {d, Sc(float64(), "0.7"), desc}, g6), "1.6500000000000001");
  // Groups a (1, 5, 2), b (null), c (7).
  const auto v = A(int32(), "[1, null, 5, 7, 2]");
  const std::vector<uint32_t> g = {0, 1, 0, 2, 0};
  for (Path p : kAllPaths) {
    EXPECT_EQ(Agg("percentile_cont", {v, Sc(float64(), "0.4")}, g, p), "1.8 | NULL | 7.0");
    EXPECT_EQ(Agg("percentile_disc", {v, Sc(float64(), "0.4")}, g, p), "2.0 | NULL | 7.0");
  }
  EXPECT_EQ(Agg("percentile_cont", {A(float64(), "[1, NaN, 3]"), Sc(float64(), "0.5")}, {0, 0, 0}),
            "3.0");
  EXPECT_EQ(Agg("percentile_cont", {five, Sc(float64(), "1.5")}, g5),
            "ERROR:DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE");
  EXPECT_EQ(Agg("percentile_disc", {five, Sc(float64(), "null")}, g5),
            "ERROR:DATATYPE_MISMATCH.UNEXPECTED_NULL");
  EXPECT_EQ(BoundType("percentile_cont", {arrow::decimal128(5, 2), float64()}), "DOUBLE");
  EXPECT_EQ(BoundType("percentile_disc", {arrow::date32(), float64()}),
            "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
  EXPECT_EQ(BoundType("percentile_cont", {int32()}), "ERROR:WRONG_NUM_ARGS.WITHOUT_SUGGESTION");
}

TEST(MoreAggregatesTest, DeterministicMode) {
  const auto x = A(int32(), "[5, 4, 4, 5, null, 9, 3, 1, 2, 3, 1]");
  const std::vector<uint32_t> g = {0, 0, 0, 0, 1, 2, 3, 3, 3, 3, 3};
  for (Path p : kAllPaths) {
    EXPECT_EQ(Agg("mode", {x, Sc(boolean(), "true")}, g, p), "4 | NULL | 9 | 1");
  }
  const auto s = A(utf8(), R"(["b", "a", "a", "b"])");
  for (Path p : kAllPaths) {
    EXPECT_EQ(Agg("mode", {s, Sc(boolean(), "true")}, {0, 0, 0, 0}, p), "a");
  }
  EXPECT_EQ(BoundType("mode", {int32(), boolean()}), "INT");
  EXPECT_EQ(BoundType("mode", {int32(), utf8()}), "ERROR:UNEXPECTED_INPUT_TYPE");
  EXPECT_EQ(BoundType("mode", {int32(), boolean(), boolean()}),
            "ERROR:WRONG_NUM_ARGS.WITHOUT_SUGGESTION");
}

TEST(MoreAggregatesTest, HistogramNumeric) {
  // Up to nb distinct values the histogram is exact, whatever the merge order (as in Spark, a
  // merge keeps equal centres from two partial histograms as separate bins while under nb).
  const auto x = A(int32(), "[2, 2, 10, 0, null, 1]");
  const std::vector<uint32_t> g = {0, 0, 0, 0, 1, 0};
  for (Path p : kAllPaths) {
    EXPECT_EQ(Agg("histogram_numeric", {x, Sc(int32(), "5")}, g, p),
              "[{0, 1.0}, {1, 1.0}, {2, 2.0}, {10, 1.0}] | NULL");
  }
  // Spark's bins (ties between equally close pairs broken by its seeded generator).
  const auto six = A(int32(), "[1, 2, 3, 4, 5, 6]");
  EXPECT_EQ(Agg("histogram_numeric", {six, Sc(int32(), "2")}, std::vector<uint32_t>(6, 0)),
            "[{2, 3.0}, {5, 3.0}]");
  const auto mixed = A(int32(), "[0, 1, 2, 10, 11, 30, 1, 2]");
  EXPECT_EQ(Agg("histogram_numeric", {mixed, Sc(int32(), "3")}, std::vector<uint32_t>(8, 0)),
            "[{1, 5.0}, {10, 2.0}, {30, 1.0}]");
  // One generator per group.
  const auto two = A(int32(), "[5, 1, 6, 2, 7, 3, 8, 100, 9, 101]");
  EXPECT_EQ(Agg("histogram_numeric", {two, Sc(int32(), "3")}, {0, 1, 0, 1, 0, 1, 0, 1, 0, 1}),
            "[{5, 1.0}, {6, 2.0}, {8, 2.0}] | [{1, 1.0}, {2, 2.0}, {100, 2.0}]");
  arrow::DoubleBuilder b;
  for (int i = 0; i < 37; ++i) ASSERT_TRUE(b.Append(i * 1.7).ok());
  auto scaled = *b.Finish();
  auto bound = *BuiltinRegistry().BindAggregate("histogram_numeric", {float64(), int32()});
  auto acc = bound.make(EvalContext());
  std::vector<uint32_t> zeros(37, 0);
  ASSERT_TRUE(acc->Resize(1).ok());
  ASSERT_TRUE(
      acc->Update({arrow::Datum(scaled), arrow::Datum(std::make_shared<arrow::Int32Scalar>(5))},
                  zeros.data(), 37)
          .ok());
  EXPECT_EQ(Render(arrow::Datum(*acc->Finalize()), EvalContext()),
            "[{7.6499999999999995, 10.0}, {22.949999999999996, 8.0}, {35.699999999999996, 7.0}, "
            "{49.29999999999999, 9.0}, {59.49999999999999, 3.0}]");
  // Merging partial histograms keeps the total count and at most nb bins.
  const auto hundred = A(int64(), [] {
    std::string json = "[";
    for (int i = 0; i < 100; ++i) json += (i ? ", " : "") + std::to_string(i);
    return json + "]";
  }());
  for (Path p : kAllPaths) {
    const std::string out =
        Agg("histogram_numeric", {hundred, Sc(int32(), "4")}, std::vector<uint32_t>(100, 0), p);
    double total = 0;
    int bins = 0;
    for (size_t at = out.find(", "); at != std::string::npos; at = out.find(", ", at + 1)) {
      const size_t close = out.find('}', at);
      if (close == std::string::npos) break;
      if (out[at - 1] != '}') {
        total += std::stod(out.substr(at + 2, close - at - 2));
        ++bins;
      }
    }
    EXPECT_EQ(bins, 4) << out;
    EXPECT_EQ(total, 100.0) << out;
  }
  EXPECT_EQ(Agg("histogram_numeric", {hundred, Sc(int32(), "4")}, std::vector<uint32_t>(100, 0)),
            "[{13, 28.0}, {35, 16.0}, {56, 27.0}, {85, 29.0}]");
  const auto dates = A(arrow::date32(), "[18262, 18264, 18265, 18271]");
  EXPECT_EQ(Agg("histogram_numeric", {dates, Sc(int32(), "3")}, {0, 0, 0, 0}),
            "[{2020-01-01, 1.0}, {2020-01-03, 2.0}, {2020-01-10, 1.0}]");
  EXPECT_EQ(Agg("histogram_numeric", {six, Sc(int32(), "1")}, std::vector<uint32_t>(6, 0)),
            "ERROR:DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE");
  EXPECT_EQ(Agg("histogram_numeric", {six, Sc(int32(), "null")}, std::vector<uint32_t>(6, 0)),
            "ERROR:DATATYPE_MISMATCH.UNEXPECTED_NULL");
  EXPECT_EQ(BoundType("histogram_numeric", {boolean(), int32()}),
            "ERROR:DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
  EXPECT_EQ(BoundType("histogram_numeric", {int32()}), "ERROR:WRONG_NUM_ARGS.WITHOUT_SUGGESTION");
}

}  // namespace
}  // namespace basin::function
