// Math functions: abs, ceil/floor, round/bround (HALF_UP / HALF_EVEN on the decimal value),
// the transcendental functions, pow, sign, greatest/least, rand with a seed.

#include <cmath>
#include <mutex>
#include <optional>
#include <random>

#include "basin/function/cast.h"
#include "basin/function/decimal_math.h"
#include "basin/function/kernel_support.h"
#include "basin/function/value_order.h"

namespace basin::function {

namespace {

using UnaryDouble = double (*)(double);

void AddDoubleFunction(FunctionTable* table, const std::string& name, std::function<double(double)> f,
                       bool null_when_nonpositive = false) {
  table->AddFixed(name, {arrow::float64()}, arrow::float64(),
                  [f, null_when_nonpositive](const std::vector<ArgReader>& a, int64_t i,
                                             OutBuilder& out, const EvalContext&) {
                    const double x = a[0].Double(i);
                    if (null_when_nonpositive && x <= 0) return out.Null();
                    return out.Double(f(x));
                  });
}

void AddDoubleFunction2(FunctionTable* table, const std::string& name,
                        std::function<double(double, double)> f) {
  table->AddFixed(name, {arrow::float64(), arrow::float64()}, arrow::float64(),
                  [f](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                      const EvalContext&) { return out.Double(f(a[0].Double(i), a[1].Double(i))); });
}

const arrow::Decimal128Type& Dec(const TypePtr& t) {
  return static_cast<const arrow::Decimal128Type&>(*t);
}

// Rounds a decimal value (unscaled at `scale`) to `digits` fraction digits with `half_even`.
arrow::Decimal256 RoundUnscaled(const arrow::Decimal256& v, int scale, int digits, bool half_even,
                                int mode /*0 round, 1 ceil, 2 floor*/) {
  if (digits >= scale) return RescaleHalfUp(v, scale, digits);
  const int drop = scale - digits;
  const arrow::Decimal256 div = Pow10Wide(drop);
  arrow::Decimal256 q, r;
  DivMod(v, div, &q, &r);
  const arrow::Decimal256 one(1), zero(0);
  if (mode == 1) {
    if (r > zero) q += one;
  } else if (mode == 2) {
    if (r < zero) q += arrow::Decimal256(-1);
  } else {
    arrow::Decimal256 twice = r;
    twice.Abs();
    twice *= arrow::Decimal256(2);
    bool up = twice > div || (twice == div && (!half_even || (q.low_bits() & 1) != 0));
    if (up) q += v.IsNegative() ? arrow::Decimal256(-1) : one;
  }
  return digits >= 0 ? q : q * Pow10Wide(-digits);
}

double RoundDouble(double x, int digits, bool half_even) {
  if (std::isnan(x) || std::isinf(x)) return x;
  bool overflow = false;
  // Spark rounds BigDecimal(Double.toString(x)).
  auto d = ParseDecimal(FormatDouble(x), 38, 0, &overflow);
  std::string text = FormatDouble(x);
  // Parse at a generous scale, then round.
  const int scale = 30;
  auto wide = ParseDecimal(text, 76 > 38 ? 38 : 38, std::min(scale, 37), &overflow);
  if (!wide) return x;  // magnitude too large to have fraction digits anyway
  (void)d;
  arrow::Decimal256 r = RoundUnscaled(Widen(*wide), std::min(scale, 37), digits, half_even, 0);
  const int out_scale = std::max(digits, 0);
  std::string s = FormatDecimal(Narrow(r), out_scale);
  return std::strtod(s.c_str(), nullptr);
}

Result<BoundScalar> BindRound(const std::string& name, const std::vector<TypePtr>& args,
                              bool half_even, const std::vector<arrow::Datum>& constants) {
  if (args.empty() || args.size() > 2) return WrongNumArgs(name, "[1, 2]", args.size());
  TypePtr t = args[0];
  if (IsNull(*t)) t = arrow::float64();
  if (IsStringLike(*t)) t = arrow::float64();
  if (!IsNumeric(*t)) return UnexpectedInputType(name, 0, "NUMERIC", *args[0], name);
  BoundScalar b;
  b.name = name;
  b.arg_types = {t};
  if (args.size() == 2) {
    if (!IsIntegral(*args[1]) && !IsNull(*args[1])) {
      return UnexpectedInputType(name, 1, "INT", *args[1], name);
    }
    b.arg_types.push_back(arrow::int32());
  }
  // The scale must be a constant in Spark; the kernel reads it per row, the type from args.
  b.return_type = t;
  if (IsDecimal(*t)) {
    // Without the constant we assume scale 0 for the type when a second argument exists.
    const int p = Dec(t).precision(), s = Dec(t).scale();
    int digits = 0;
    if (constants.size() > 1 && constants[1].is_scalar() && constants[1].scalar()->is_valid) {
      ArgReader r(constants[1]);
      digits = static_cast<int>(r.Int(0));
    }
    if (digits < 0) {
      // Spark: the integral digits plus one for a carry, and at least -digits + 1 digits.
      b.return_type = AdjustedDecimal(std::max(p - s + 1, 1 - digits), 0);
    } else {
      const int new_scale = std::min(s, digits);
      b.return_type = AdjustedDecimal(p - s + 1 + new_scale, new_scale);
    }
  }
  TypePtr rt = b.return_type;
  b.kernel = RowKernel(rt, [t, rt, half_even](const std::vector<ArgReader>& a, int64_t i,
                                              OutBuilder& out, const EvalContext& ctx) -> Status {
    const int digits = a.size() > 1 ? static_cast<int>(a[1].Int(i)) : 0;
    if (IsFloating(*t)) return out.Double(RoundDouble(a[0].Double(i), digits, half_even));
    if (IsDecimal(*t)) {
      const int s = Dec(t).scale();
      arrow::Decimal256 r = RoundUnscaled(Widen(a[0].Dec(i)), s, digits, half_even, 0);
      // r is at scale max(digits,0); bring it to the result scale.
      arrow::Decimal256 v = RescaleHalfUp(r, std::max(digits, 0), Dec(rt).scale());
      if (!FitsPrecision(v, Dec(rt).precision())) {
        if (ctx.ansi) return ArithmeticOverflow("decimal overflow", "");
        return out.Null();
      }
      return out.Dec(Narrow(v));
    }
    if (digits >= 0) return out.Int(a[0].Int(i));
    arrow::Decimal256 r = RoundUnscaled(arrow::Decimal256(a[0].Int(i)), 0, digits, half_even, 0);
    return out.Int(static_cast<int64_t>(Narrow(r).low_bits()));
  });
  return b;
}

Result<BoundScalar> BindCeilFloor(const std::string& name, const std::vector<TypePtr>& args,
                                  bool ceil) {
  if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
  TypePtr t = args[0];
  if (IsNull(*t) || IsStringLike(*t)) t = arrow::float64();
  if (!IsNumeric(*t)) return UnexpectedInputType(name, 0, "NUMERIC", *args[0], name);
  BoundScalar b;
  b.name = name;
  b.arg_types = {t};
  if (IsDecimal(*t)) {
    const int p = Dec(t).precision(), s = Dec(t).scale();
    b.return_type = AdjustedDecimal(p - s + 1, 0);
  } else {
    b.return_type = arrow::int64();
  }
  TypePtr rt = b.return_type;
  b.kernel = RowKernel(rt, [t, ceil](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                                     const EvalContext&) -> Status {
    if (IsDecimal(*t)) {
      arrow::Decimal256 r =
          RoundUnscaled(Widen(a[0].Dec(i)), Dec(t).scale(), 0, false, ceil ? 1 : 2);
      return out.Dec(Narrow(r));
    }
    if (IsFloating(*t)) {
      const double d = ceil ? std::ceil(a[0].Double(i)) : std::floor(a[0].Double(i));
      if (std::isnan(d)) return out.Int(0);
      if (d >= 9.223372036854775807e18) return out.Int(INT64_MAX);
      if (d <= -9.223372036854775808e18) return out.Int(INT64_MIN);
      return out.Int(static_cast<int64_t>(d));
    }
    return out.Int(a[0].Int(i));
  });
  return b;
}

Result<BoundScalar> BindAbs(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
  TypePtr t = args[0];
  if (IsNull(*t) || IsStringLike(*t)) t = arrow::float64();
  if (!IsNumeric(*t) && t->id() != arrow::Type::DURATION &&
      t->id() != arrow::Type::INTERVAL_MONTHS) {
    return UnexpectedInputType(name, 0, "NUMERIC", *args[0], name);
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {t};
  b.return_type = t;
  b.kernel = RowKernel(t, [t](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                              const EvalContext& ctx) -> Status {
    if (IsFloating(*t)) return out.Double(std::fabs(a[0].Double(i)));
    if (IsDecimal(*t)) {
      arrow::Decimal128 v = a[0].Dec(i);
      v.Abs();
      return out.Dec(v);
    }
    const int64_t v = a[0].Int(i);
    int64_t lo = INT64_MIN;
    switch (t->id()) {
      case arrow::Type::INT8:
        lo = INT8_MIN;
        break;
      case arrow::Type::INT16:
        lo = INT16_MIN;
        break;
      case arrow::Type::INT32:
      case arrow::Type::INTERVAL_MONTHS:
        lo = INT32_MIN;
        break;
      default:
        break;
    }
    if (v == lo) {
      if (ctx.ansi) {
        return ArithmeticOverflow(t->id() == arrow::Type::INT64 ? "long overflow" : "integer overflow", "");
      }
      return out.Int(v);
    }
    return out.Int(v < 0 ? -v : v);
  });
  return b;
}

Result<BoundScalar> BindGreatestLeast(const std::string& name, const std::vector<TypePtr>& args,
                                      bool greatest) {
  if (args.size() < 2) {
    return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                     "The `" + name +
                         "` requires > 1 parameters but the actual number is " +
                         std::to_string(args.size()) + ".");
  }
  TypePtr t = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    auto c = CommonType(t, args[i]);
    if (!c) {
      return DataTypeMismatch("DATA_DIFF_TYPES",
                              "Cannot resolve \"" + name +
                                  "\" due to data type mismatch: Input to `" + name +
                                  "` should all be the same type.");
    }
    t = *c;
  }
  BoundScalar b;
  b.name = name;
  b.arg_types.assign(args.size(), t);
  b.return_type = t;
  b.kernel = RowKernel(
      t,
      [greatest](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                 const EvalContext&) -> Status {
        int best = -1;
        for (size_t k = 0; k < a.size(); ++k) {
          if (a[k].IsNull(i)) continue;
          if (best < 0) {
            best = static_cast<int>(k);
            continue;
          }
          const int c = CompareValues(*a[k].array(), a[k].Index(i), *a[best].array(),
                                      a[best].Index(i));
          if (greatest ? c > 0 : c < 0) best = static_cast<int>(k);
        }
        if (best < 0) return out.Null();
        return out.CopyFrom(*a[best].array(), a[best].Index(i));
      },
      false);
  return b;
}

// Spark's XORShiftRandom: the seed is scrambled with MurmurHash3 and values come from a
// 64-bit xorshift generator, giving the same sequence as Spark for the same seed and partition 0.
class XorShiftRandom {
 public:
  explicit XorShiftRandom(int64_t seed) : seed_(Hash(seed)) {}
  int32_t Next(int bits) {
    uint64_t s = seed_;
    s ^= s << 21;
    s ^= s >> 35;
    s ^= s << 4;
    seed_ = s;
    return static_cast<int32_t>(static_cast<int64_t>(s) & ((1LL << bits) - 1));
  }
  double NextDouble() {
    const int64_t hi = static_cast<int64_t>(Next(26));
    const int64_t lo = static_cast<int64_t>(Next(27));
    return static_cast<double>((hi << 27) + lo) * (1.0 / static_cast<double>(1LL << 53));
  }
  /// Returns the next standard normal value the way java.util.Random.nextGaussian does: the
  /// polar method, two values per accepted pair, the second one kept for the next call.
  double NextGaussian() {
    if (spare_gaussian_) {
      const double v = *spare_gaussian_;
      spare_gaussian_.reset();
      return v;
    }
    double v1, v2, s;
    do {
      v1 = 2 * NextDouble() - 1;
      v2 = 2 * NextDouble() - 1;
      s = v1 * v1 + v2 * v2;
    } while (s >= 1 || s == 0);
    const double multiplier = std::sqrt(-2 * std::log(s) / s);
    spare_gaussian_ = v2 * multiplier;
    return v1 * multiplier;
  }

 private:
  static uint64_t Hash(int64_t seed) {
    // MurmurHash3.bytesHash of the 8 big-endian bytes of seed, seed 0x3c074a61, twice (low and
    // high halves), as scala.util.hashing.MurmurHash3 does in XORShiftRandom.hashSeed.
    uint8_t bytes[8];
    for (int k = 0; k < 8; ++k) bytes[k] = static_cast<uint8_t>(static_cast<uint64_t>(seed) >> (56 - 8 * k));
    const uint32_t low = BytesHash(bytes, 0x3c074a61);
    const uint32_t high = BytesHash(bytes, low);
    return (static_cast<uint64_t>(high) << 32) | low;
  }
  static uint32_t Rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
  static uint32_t Mix(uint32_t h, uint32_t k) {
    k *= 0xcc9e2d51;
    k = Rotl(k, 15);
    k *= 0x1b873593;
    h ^= k;
    h = Rotl(h, 13);
    return h * 5 + 0xe6546b64;
  }
  static uint32_t BytesHash(const uint8_t* data, uint32_t seed) {
    // scala MurmurHash3.bytesHash reads little-endian 4-byte words.
    uint32_t h = seed;
    for (int k = 0; k < 8; k += 4) {
      uint32_t w = static_cast<uint32_t>(data[k]) | (static_cast<uint32_t>(data[k + 1]) << 8) |
                   (static_cast<uint32_t>(data[k + 2]) << 16) |
                   (static_cast<uint32_t>(data[k + 3]) << 24);
      h = Mix(h, w);
    }
    h ^= 8;
    h ^= h >> 16;
    h *= 0x85ebca6b;
    h ^= h >> 13;
    h *= 0xc2b2ae35;
    h ^= h >> 16;
    return h;
  }
  uint64_t seed_;
  std::optional<double> spare_gaussian_;
};

// rand/randn over the batches of one query: Spark draws one sequence per partition, so the
// generator lives in the kernel and goes on from batch to batch instead of restarting.
class RandKernel : public ScalarKernel {
 public:
  explicit RandKernel(bool normal) : normal_(normal) {}
  Result<arrow::Datum> Execute(const std::vector<arrow::Datum>& args, int64_t length,
                               const EvalContext&) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!rng_) {
      int64_t seed;
      if (args.empty()) {
        seed = static_cast<int64_t>(std::random_device()()) << 32 | std::random_device()();
      } else {
        ArgReader r(args[0]);
        seed = r.IsNull(0) ? 0 : r.Int(0);
      }
      // Basin runs a query as one partition: Spark's seed + partitionIndex with index 0.
      rng_.emplace(seed);
    }
    arrow::DoubleBuilder b;
    RETURN_NOT_OK(b.Reserve(length));
    for (int64_t i = 0; i < length; ++i) {
      b.UnsafeAppend(normal_ ? rng_->NextGaussian() : rng_->NextDouble());
    }
    ARROW_ASSIGN_OR_RAISE(auto arr, b.Finish());
    return arrow::Datum(arr);
  }

 private:
  bool normal_;
  mutable std::mutex mutex_;
  mutable std::optional<XorShiftRandom> rng_;
};

Result<BoundScalar> BindRand(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() > 1) return WrongNumArgs(name, "[0, 1]", args.size());
  BoundScalar b;
  b.name = name;
  if (!args.empty()) {
    if (!IsIntegral(*args[0]) && !IsNull(*args[0])) {
      return UnexpectedInputType(name, 0, "(\"INT\" or \"BIGINT\")", *args[0], name);
    }
    b.arg_types = {arrow::int64()};
  }
  b.return_type = arrow::float64();
  b.deterministic = false;
  b.kernel = std::make_shared<RandKernel>(name == "randn");
  return b;
}

// monotonically_increasing_id(): Spark gives row r of partition p the id (p << 33) + r. Basin
// runs a query as one partition, so the ids are the row positions 0, 1, 2, ... of the operator
// that evaluates it (Project and Filter count their input rows into EvalContext::first_row).
// distributed_sequence_id() (pandas-on-Spark's default index) is the same sequence.
class MonotonicallyIncreasingIdKernel : public ScalarKernel {
 public:
  Result<arrow::Datum> Execute(const std::vector<arrow::Datum>&, int64_t length,
                               const EvalContext& context) const override {
    if (context.first_row < 0) {
      return UserError("UNSUPPORTED_FEATURE",
                       "The feature is not supported: row ids (monotonically_increasing_id, "
                       "distributed_sequence_id) outside of a SELECT list or WHERE clause.");
    }
    ARROW_ASSIGN_OR_RAISE(auto values, arrow::AllocateBuffer(length * 8));
    auto* out = reinterpret_cast<int64_t*>(values->mutable_data());
    for (int64_t i = 0; i < length; ++i) out[i] = context.first_row + i;
    return arrow::Datum(arrow::ArrayData::Make(
        arrow::int64(), length, {nullptr, std::shared_ptr<arrow::Buffer>(std::move(values))}, 0));
  }
};

Result<BoundScalar> BindMonotonicallyIncreasingId(const std::string& name,
                                                  const std::vector<TypePtr>& args) {
  BoundScalar b;
  b.name = name;
  if (name == "distributed_sequence_id" && args.size() == 1) {
    // pandas-on-Spark passes whether to cache the input first, which changes nothing here.
    if (args[0]->id() != arrow::Type::BOOL) {
      return UnexpectedInputType(name, 0, "\"BOOLEAN\"", *args[0], name);
    }
    b.arg_types = {arrow::boolean()};
  } else if (!args.empty()) {
    return WrongNumArgs(name, "0", args.size());
  }
  b.return_type = arrow::int64();
  b.deterministic = false;
  b.kernel = std::make_shared<MonotonicallyIncreasingIdKernel>();
  return b;
}

// spark_partition_id(): the partition of the row; Basin runs a query as one partition, 0.
Result<BoundScalar> BindSparkPartitionId(const std::string& name,
                                         const std::vector<TypePtr>& args) {
  if (!args.empty()) return WrongNumArgs(name, "0", args.size());
  BoundScalar b;
  b.name = name;
  b.return_type = arrow::int32();
  b.deterministic = false;
  b.kernel = MakeKernel([](const std::vector<arrow::Datum>&, int64_t length,
                           const EvalContext&) -> Result<arrow::Datum> {
    return arrow::MakeArrayFromScalar(arrow::Int32Scalar(0), length);
  });
  return b;
}

Result<BoundScalar> BindLog(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.empty() || args.size() > 2) return WrongNumArgs(name, "[1, 2]", args.size());
  BoundScalar b;
  b.name = name;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!ImplicitCastTarget(args[i], arrow::float64())) {
      return UnexpectedInputType(name, i, "DOUBLE", *args[i], name);
    }
    b.arg_types.push_back(arrow::float64());
  }
  b.return_type = arrow::float64();
  b.kernel = RowKernel(arrow::float64(), [](const std::vector<ArgReader>& a, int64_t i,
                                            OutBuilder& out, const EvalContext&) {
    if (a.size() == 1) {
      const double x = a[0].Double(i);
      if (x <= 0) return out.Null();
      return out.Double(std::log(x));
    }
    const double base = a[0].Double(i), x = a[1].Double(i);
    if (x <= 0 || base <= 0) return out.Null();
    return out.Double(std::log(x) / std::log(base));
  });
  return b;
}

}  // namespace

void RegisterMath(FunctionTable* table) {
  table->AddScalar("abs", BindAbs);
  table->AddScalar("ceil", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindCeilFloor(n, a, true);
  });
  table->AddScalar("ceiling", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindCeilFloor(n, a, true);
  });
  table->AddScalar("floor", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindCeilFloor(n, a, false);
  });
  table->AddScalarWithConstants("round", [](const std::string& n, const std::vector<TypePtr>& a,
                                            const std::vector<arrow::Datum>& c) {
    return BindRound(n, a, false, c);
  });
  table->AddScalarWithConstants("bround", [](const std::string& n, const std::vector<TypePtr>& a,
                                             const std::vector<arrow::Datum>& c) {
    return BindRound(n, a, true, c);
  });
  table->AddScalar("greatest", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindGreatestLeast(n, a, true);
  });
  table->AddScalar("least", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindGreatestLeast(n, a, false);
  });
  table->AddScalar("rand", BindRand);
  table->AddScalar("random", BindRand);
  table->AddScalar("randn", BindRand);
  table->AddScalar("monotonically_increasing_id", BindMonotonicallyIncreasingId);
  table->AddScalar("distributed_sequence_id", BindMonotonicallyIncreasingId);
  table->AddScalar("spark_partition_id", BindSparkPartitionId);
  table->AddScalar("ln", BindLog);
  table->AddScalar("log", BindLog);
  AddDoubleFunction(table, "sqrt", [](double x) { return std::sqrt(x); });
  AddDoubleFunction(table, "cbrt", [](double x) { return std::cbrt(x); });
  AddDoubleFunction(table, "exp", [](double x) { return std::exp(x); });
  AddDoubleFunction(table, "expm1", [](double x) { return std::expm1(x); });
  AddDoubleFunction(table, "log10", [](double x) { return std::log10(x); }, true);
  AddDoubleFunction(table, "log2", [](double x) { return std::log2(x); }, true);
  table->AddFixed("log1p", {arrow::float64()}, arrow::float64(),
                  [](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                     const EvalContext&) {
                    const double x = a[0].Double(i);
                    if (x <= -1) return out.Null();
                    return out.Double(std::log1p(x));
                  });
  AddDoubleFunction(table, "sin", [](double x) { return std::sin(x); });
  AddDoubleFunction(table, "cos", [](double x) { return std::cos(x); });
  AddDoubleFunction(table, "tan", [](double x) { return std::tan(x); });
  AddDoubleFunction(table, "cot", [](double x) { return 1.0 / std::tan(x); });
  AddDoubleFunction(table, "sec", [](double x) { return 1.0 / std::cos(x); });
  AddDoubleFunction(table, "csc", [](double x) { return 1.0 / std::sin(x); });
  AddDoubleFunction(table, "asin", [](double x) { return std::asin(x); });
  AddDoubleFunction(table, "acos", [](double x) { return std::acos(x); });
  AddDoubleFunction(table, "atan", [](double x) { return std::atan(x); });
  AddDoubleFunction(table, "sinh", [](double x) { return std::sinh(x); });
  AddDoubleFunction(table, "cosh", [](double x) { return std::cosh(x); });
  AddDoubleFunction(table, "tanh", [](double x) { return std::tanh(x); });
  AddDoubleFunction(table, "asinh", [](double x) { return std::asinh(x); });
  AddDoubleFunction(table, "acosh", [](double x) { return std::acosh(x); });
  AddDoubleFunction(table, "atanh", [](double x) { return std::atanh(x); });
  AddDoubleFunction(table, "degrees", [](double x) { return x * 180.0 / M_PI; });
  AddDoubleFunction(table, "radians", [](double x) { return x * M_PI / 180.0; });
  AddDoubleFunction(table, "signum", [](double x) {
    return std::isnan(x) ? x : (x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0));
  });
  AddDoubleFunction(table, "sign", [](double x) {
    return std::isnan(x) ? x : (x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0));
  });
  AddDoubleFunction(table, "rint", [](double x) { return std::nearbyint(x); });
  AddDoubleFunction2(table, "atan2", [](double y, double x) { return std::atan2(y, x); });
  AddDoubleFunction2(table, "pow", [](double x, double y) { return std::pow(x, y); });
  AddDoubleFunction2(table, "power", [](double x, double y) { return std::pow(x, y); });
  AddDoubleFunction2(table, "hypot", [](double x, double y) { return std::hypot(x, y); });
  table->AddFixed("isnan", {arrow::float64()}, arrow::boolean(),
                  [](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                     const EvalContext&) {
                    return out.Bool(!a[0].IsNull(i) && std::isnan(a[0].Double(i)));
                  },
                  false);
  table->AddFixed("nanvl", {arrow::float64(), arrow::float64()}, arrow::float64(),
                  [](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                     const EvalContext&) -> Status {
                    if (a[0].IsNull(i)) return out.Null();
                    if (!std::isnan(a[0].Double(i))) return out.Double(a[0].Double(i));
                    if (a[1].IsNull(i)) return out.Null();
                    return out.Double(a[1].Double(i));
                  },
                  false);
  table->AddFixed("pi", {}, arrow::float64(),
                  [](const std::vector<ArgReader>&, int64_t, OutBuilder& out, const EvalContext&) {
                    return out.Double(M_PI);
                  });
  table->AddFixed("e", {}, arrow::float64(),
                  [](const std::vector<ArgReader>&, int64_t, OutBuilder& out, const EvalContext&) {
                    return out.Double(M_E);
                  });
  table->AddFixed("factorial", {arrow::int32()}, arrow::int64(),
                  [](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                     const EvalContext&) {
                    const int64_t n = a[0].Int(i);
                    if (n < 0 || n > 20) return out.Null();
                    int64_t r = 1;
                    for (int64_t k = 2; k <= n; ++k) r *= k;
                    return out.Int(r);
                  });
  table->AddFixed("bin", {arrow::int64()}, arrow::utf8(),
                  [](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                     const EvalContext&) {
                    uint64_t v = static_cast<uint64_t>(a[0].Int(i));
                    std::string s;
                    do {
                      s.insert(s.begin(), static_cast<char>('0' + (v & 1)));
                      v >>= 1;
                    } while (v != 0);
                    return out.Str(s);
                  });
}

}  // namespace basin::function
