// Spark 4's seeded random functions: randstr, uniform, shuffle. Values come from a 64-bit
// Mersenne Twister (not Spark's generator), so only their shape and range match Spark.

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <string>

#include "basin/function/kernel_support.h"

namespace basin::function {

namespace {

using S = std::vector<ArgReader>;

// The seed argument: an integral constant (NULL reads as 0); no argument draws a random seed.
Result<uint64_t> ReadSeed(const std::string& name, const std::vector<TypePtr>& args,
                          const std::vector<arrow::Datum>& constants, size_t index) {
  if (args.size() <= index) return static_cast<uint64_t>(std::random_device{}());
  if (!IsIntegral(*args[index]) && !IsNull(*args[index])) {
    return UnexpectedInputType(name, index, "(\"INT\" or \"BIGINT\")", *args[index], name);
  }
  const auto& c = constants[index];
  // Only literals reach the binder as constants; a seed computed by an expression draws a
  // random seed.
  if (!c.is_scalar()) return static_cast<uint64_t>(std::random_device{}());
  if (!c.scalar()->is_valid) return uint64_t{0};
  ARROW_ASSIGN_OR_RAISE(auto as_long, c.scalar()->CastTo(arrow::int64()));
  return static_cast<uint64_t>(static_cast<const arrow::Int64Scalar&>(*as_long).value);
}

// A generator shared by the rows of every batch of one bound call.
struct SharedRandom {
  explicit SharedRandom(uint64_t seed) : engine(seed) {}
  std::mutex mu;
  std::mt19937_64 engine;
};

Result<BoundScalar> BindRandstr(const std::string& name, const std::vector<TypePtr>& args,
                                const std::vector<arrow::Datum>& constants) {
  if (args.empty() || args.size() > 2) return WrongNumArgs(name, "[1, 2]", args.size());
  if (!IsIntegral(*args[0]) && !IsNull(*args[0])) {
    return UnexpectedInputType(name, 0, "INT", *args[0], name);
  }
  ARROW_ASSIGN_OR_RAISE(auto seed, ReadSeed(name, args, constants, 1));
  auto random = std::make_shared<SharedRandom>(seed);
  BoundScalar b;
  b.name = name;
  b.arg_types = args;
  for (auto& t : b.arg_types) {
    if (IsNull(*t)) t = arrow::int32();
  }
  b.return_type = arrow::utf8();
  b.deterministic = false;
  // The length is read per row: expressions such as CAST(3 AS SMALLINT) are not literals here.
  b.kernel = RowKernel(
      arrow::utf8(),
      [random](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        static const char kChars[] =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        const int64_t length = a[0].IsNull(i) ? 0 : a[0].Int(i);
        if (length < 0) {
          return UserError("INVALID_PARAMETER_VALUE.LENGTH",
                           "The value of parameter(s) `length` in `randstr` is invalid: Expects "
                           "`length` greater than or equal to 0, but got " +
                               std::to_string(length) + ".");
        }
        if (length > (1 << 28))
          return UserError("INVALID_PARAMETER_VALUE.LENGTH", "length is too large.");
        std::string s(static_cast<size_t>(length), ' ');
        std::lock_guard<std::mutex> lock(random->mu);
        for (auto& c : s) c = kChars[random->engine() % 62];
        return out.Str(s);
      },
      false, true);
  return b;
}

// uniform(min, max[, seed]): integral bounds give their wider integral type, a decimal bound
// its decimal type, a floating bound FLOAT or DOUBLE.
Result<BoundScalar> BindUniform(const std::string& name, const std::vector<TypePtr>& args,
                                const std::vector<arrow::Datum>& constants) {
  if (args.size() < 2 || args.size() > 3) return WrongNumArgs(name, "[2, 3]", args.size());
  for (size_t k = 0; k < 2; ++k) {
    if (!IsNumeric(*args[k]) && !IsNull(*args[k])) {
      return UnexpectedInputType(name, k, "NUMERIC", *args[k], name);
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto seed, ReadSeed(name, args, constants, 2));
  const TypePtr &a = args[0], &c = args[1];
  TypePtr result;
  if (IsNull(*a) || IsNull(*c) || a->id() == arrow::Type::DOUBLE ||
      c->id() == arrow::Type::DOUBLE) {
    result = arrow::float64();
  } else if (IsFloating(*a) || IsFloating(*c)) {
    result = arrow::float32();
  } else if (IsDecimal(*a) && IsDecimal(*c)) {
    result = *CommonType(a, c);
  } else if (IsDecimal(*a) || IsDecimal(*c)) {
    result = IsDecimal(*a) ? a : c;
  } else {
    result = NumericRank(*a) >= NumericRank(*c) ? a : c;
  }
  auto random = std::make_shared<SharedRandom>(seed);
  BoundScalar b;
  b.name = name;
  b.arg_types = {arrow::float64(), arrow::float64()};
  if (args.size() == 3) b.arg_types.push_back(IsNull(*args[2]) ? arrow::int64() : args[2]);
  b.return_type = result;
  b.deterministic = false;
  b.kernel = RowKernel(
      result,
      [random, result](const S& r, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        if (r[0].IsNull(i) || r[1].IsNull(i)) return out.Null();
        const double lo = r[0].Double(i), hi = r[1].Double(i);
        double u;
        {
          std::lock_guard<std::mutex> lock(random->mu);
          u = std::uniform_real_distribution<double>(0.0, 1.0)(random->engine);
        }
        const double v = lo + (hi - lo) * u;
        if (IsDecimal(*result)) {
          const auto& d = static_cast<const arrow::Decimal128Type&>(*result);
          ARROW_ASSIGN_OR_RAISE(auto dec, arrow::Decimal128::FromReal(v, d.precision(), d.scale()));
          return out.Dec(dec);
        }
        if (IsIntegral(*result)) return out.Int(static_cast<int64_t>(std::floor(v)));
        return out.Double(v);
      },
      false, true);
  return b;
}

Result<BoundScalar> BindShuffle(const std::string& name, const std::vector<TypePtr>& args,
                                const std::vector<arrow::Datum>& constants) {
  if (args.empty() || args.size() > 2) return WrongNumArgs(name, "[1, 2]", args.size());
  if (args[0]->id() != arrow::Type::LIST && !IsNull(*args[0])) {
    return UnexpectedInputType(name, 0, "ARRAY", *args[0], name);
  }
  if (args.size() == 2 && !IsIntegral(*args[1]) && !IsNull(*args[1])) {
    return UserError("INVALID_PARAMETER_VALUE.LONG",
                     "The value of parameter(s) `seed` in `shuffle` is invalid: expects a long "
                     "literal, but got \"" +
                         SqlTypeName(*args[1]) + "\".");
  }
  ARROW_ASSIGN_OR_RAISE(auto seed, ReadSeed(name, args, constants, 1));
  auto random = std::make_shared<SharedRandom>(seed);
  BoundScalar b;
  b.name = name;
  b.arg_types = {args[0]};
  if (args.size() == 2) b.arg_types.push_back(IsNull(*args[1]) ? arrow::int64() : args[1]);
  b.return_type = args[0];
  b.deterministic = false;
  b.kernel = RowKernel(
      args[0],
      [random](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        if (a[0].IsNull(i) || IsNull(*a[0].type())) return out.Null();
        const auto& list = static_cast<const arrow::ListArray&>(*a[0].array());
        const int64_t row = a[0].Index(i);
        std::vector<int64_t> order(static_cast<size_t>(list.value_length(row)));
        std::iota(order.begin(), order.end(), list.value_offset(row));
        {
          std::lock_guard<std::mutex> lock(random->mu);
          std::shuffle(order.begin(), order.end(), random->engine);
        }
        auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
        RETURN_NOT_OK(lb->Append());
        for (int64_t j : order) {
          RETURN_NOT_OK(lb->value_builder()->AppendArraySlice(*list.values()->data(), j, 1));
        }
        return Status::OK();
      },
      false, true);
  return b;
}

}  // namespace

void RegisterRandomFunctions(FunctionTable* table) {
  table->AddScalarWithConstants("randstr", BindRandstr);
  table->AddScalarWithConstants("uniform", BindUniform);
  table->AddScalarWithConstants("shuffle", BindShuffle);
}

}  // namespace basin::function
