// Newer Spark 4 numeric functions: nullifzero, zeroifnull, width_bucket, conv, bit_count,
// bit_get/getbit.

#include <cmath>
#include <string>

#include "basin/function/kernel_support.h"

namespace basin::function {

namespace {

using S = std::vector<ArgReader>;

// nullifzero(x) is if(x = 0, NULL, x): numbers compare with 0, strings are read as BIGINT first
// (the ANSI comparison of a string with an integer).
Result<BoundScalar> BindNullIfZero(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
  const TypePtr& t = args[0];
  if (!IsNumeric(*t) && !IsStringLike(*t) && !IsNull(*t)) {
    return DataTypeMismatch("BINARY_OP_DIFF_TYPES",
                            "Cannot resolve \"(" + name +
                                " = 0)\" due to data type mismatch: the "
                                "left and right operands of the binary operator have incompatible "
                                "types (\"" +
                                SqlTypeName(*t) + "\" and \"INT\").");
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {t};
  b.return_type = t;
  b.kernel =
      RowKernel(t, [](const S& a, int64_t i, OutBuilder& out, const EvalContext& ctx) -> Status {
        const arrow::DataType& type = *a[0].type();
        bool zero;
        if (IsStringLike(type)) {
          ARROW_ASSIGN_OR_RAISE(auto s, a[0].array()->GetScalar(a[0].Index(i)));
          ARROW_ASSIGN_OR_RAISE(auto n, Cast(arrow::Datum(s), arrow::int64(), false, ctx));
          const auto& v = *n.scalar();
          zero = v.is_valid && static_cast<const arrow::Int64Scalar&>(v).value == 0;
        } else if (IsDecimal(type)) {
          zero = a[0].Dec(i) == arrow::Decimal128(0);
        } else if (IsFloating(type)) {
          zero = a[0].Double(i) == 0.0;
        } else {
          zero = a[0].Int(i) == 0;
        }
        if (zero) return out.Null();
        return out.CopyFrom(*a[0].array(), a[0].Index(i));
      });
  return b;
}

// zeroifnull(x) is coalesce(x, 0).
Result<BoundScalar> BindZeroIfNull(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
  auto t = CommonType(args[0], arrow::int32());
  if (!t || !IsNumeric(**t)) {
    return DataTypeMismatch(
        "DATA_DIFF_TYPES",
        "Cannot resolve \"coalesce(" + name +
            ", 0)\" due to data type "
            "mismatch: Input to `coalesce` should all be the same type, but it's "
            "(\"" +
            SqlTypeName(*args[0]) + "\" or \"INT\").");
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {*t};
  b.return_type = *t;
  b.kernel = RowKernel(
      *t,
      [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
        if (a[0].IsNull(i)) return out.Int(0);
        return out.CopyFrom(*a[0].array(), a[0].Index(i));
      },
      false);
  return b;
}

bool IsInterval(const arrow::DataType& t) {
  return t.id() == arrow::Type::INTERVAL_MONTHS || t.id() == arrow::Type::DURATION;
}

// width_bucket(value, min, max, n): numbers are compared as doubles; three intervals of one kind
// are compared by their months or microseconds.
Result<BoundScalar> BindWidthBucket(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 4) return WrongNumArgs(name, "4", args.size());
  TypePtr value_type = arrow::float64();
  if (IsInterval(*args[0]) && args[1]->Equals(*args[0]) && args[2]->Equals(*args[0])) {
    value_type = args[0];
  }
  BoundScalar b;
  b.name = name;
  for (size_t k = 0; k < 3; ++k) {
    if (!value_type->Equals(*args[k]) && !ImplicitCastTarget(args[k], value_type)) {
      return UnexpectedInputType(name, k, "(\"DOUBLE\" or \"INTERVAL\")", *args[k], name);
    }
    b.arg_types.push_back(value_type);
  }
  if (!ImplicitCastTarget(args[3], arrow::int64())) {
    return UnexpectedInputType(name, 3, "BIGINT", *args[3], name);
  }
  b.arg_types.push_back(arrow::int64());
  b.return_type = arrow::int64();
  b.kernel = RowKernel(
      arrow::int64(), [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        const double v = a[0].Double(i), lo = a[1].Double(i), hi = a[2].Double(i);
        const int64_t n = a[3].Int(i);
        if (n <= 0 || n == INT64_MAX || std::isnan(v) || lo == hi || std::isnan(lo) ||
            std::isnan(hi) || std::isinf(lo) || std::isinf(hi)) {
          return out.Null();
        }
        const double lower = std::min(lo, hi), upper = std::max(lo, hi);
        const double buckets = static_cast<double>(n);
        if (lo < hi) {
          if (v < lower) return out.Int(0);
          if (v >= upper) return out.Int(n + 1);
          return out.Int(static_cast<int64_t>(buckets * (v - lower) / (upper - lower)) + 1);
        }
        if (v > upper) return out.Int(0);
        if (v <= lower) return out.Int(n + 1);
        return out.Int(static_cast<int64_t>(buckets * (upper - v) / (upper - lower)) + 1);
      });
  return b;
}

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// conv(num, from_base, to_base): digits are read as an unsigned 64-bit number up to the first
// character that is not a digit of `from_base`; a negative `to_base` prints a signed result.
Status Conv(std::string_view text, int64_t from_base, int64_t to_base, OutBuilder& out,
            const EvalContext& ctx) {
  if (from_base < 2 || from_base > 36 || to_base == 0 || std::abs(to_base) < 2 ||
      std::abs(to_base) > 36) {
    return out.Null();
  }
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return out.Null();
  bool negative = text[0] == '-';
  size_t pos = negative ? 1 : 0;
  uint64_t v = 0;
  for (; pos < text.size(); ++pos) {
    const int d = DigitValue(text[pos]);
    if (d >= from_base) break;
    uint64_t next;
    if (__builtin_mul_overflow(v, static_cast<uint64_t>(from_base), &next) ||
        __builtin_add_overflow(next, static_cast<uint64_t>(d), &next)) {
      if (ctx.ansi) {
        return UserError("ARITHMETIC_OVERFLOW",
                         "Overflow in function conv(). If necessary set "
                         "\"spark.sql.ansi.enabled\" to \"false\" to bypass this error.");
      }
      v = UINT64_MAX;
      break;
    }
    v = next;
  }
  if (negative && to_base > 0) {
    v = static_cast<int64_t>(v) < 0 ? UINT64_MAX : ~v + 1;
  }
  if (to_base < 0 && static_cast<int64_t>(v) < 0) {
    v = ~v + 1;
    negative = true;
  }
  const uint64_t radix = static_cast<uint64_t>(std::abs(to_base));
  std::string digits;
  do {
    const int d = static_cast<int>(v % radix);
    digits.push_back(static_cast<char>(d < 10 ? '0' + d : 'A' + d - 10));
    v /= radix;
  } while (v != 0);
  if (negative && to_base < 0) digits.push_back('-');
  return out.Str(std::string(digits.rbegin(), digits.rend()));
}

int IntegralBits(const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::INT8:
      return 8;
    case arrow::Type::INT16:
      return 16;
    case arrow::Type::INT32:
      return 32;
    default:
      return 64;
  }
}

}  // namespace

void RegisterMoreMathFunctions(FunctionTable* table) {
  table->AddScalar("nullifzero", BindNullIfZero);
  table->AddScalar("zeroifnull", BindZeroIfNull);
  table->AddScalar("width_bucket", BindWidthBucket);
  table->AddFixed("conv", {arrow::utf8(), arrow::int32(), arrow::int32()}, arrow::utf8(),
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext& ctx) {
                    return Conv(a[0].Str(i), a[1].Int(i), a[2].Int(i), out, ctx);
                  });
  table->AddScalar(
      "bit_count",
      [](const std::string& name, const std::vector<TypePtr>& args) -> Result<BoundScalar> {
        if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
        const TypePtr& t = args[0];
        if (!IsIntegral(*t) && t->id() != arrow::Type::BOOL && !IsNull(*t)) {
          return UnexpectedInputType(name, 0, "(\"INTEGRAL\" or \"BOOLEAN\")", *t, name);
        }
        BoundScalar b;
        b.name = name;
        b.arg_types = {IsNull(*t) ? arrow::int64() : t};
        b.return_type = arrow::int32();
        b.kernel = RowKernel(
            arrow::int32(), [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
              return out.Int(__builtin_popcountll(static_cast<uint64_t>(a[0].Int(i))));
            });
        return b;
      });
  auto bit_get = [](const std::string& name,
                    const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
    const TypePtr& t = args[0];
    if (!IsIntegral(*t) && !IsNull(*t)) return UnexpectedInputType(name, 0, "INTEGRAL", *t, name);
    if (!IsIntegral(*args[1]) && !IsNull(*args[1])) {
      return UnexpectedInputType(name, 1, "INT", *args[1], name);
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = {IsNull(*t) ? arrow::int64() : t, arrow::int64()};
    b.return_type = arrow::int8();
    b.kernel = RowKernel(
        arrow::int8(),
        [name](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          const int bits = IntegralBits(*a[0].type());
          const int64_t pos = a[1].Int(i);
          if (pos < 0 || pos >= bits) {
            return UserError("INVALID_PARAMETER_VALUE.BIT_POSITION_RANGE",
                             "The value of parameter(s) `pos` in `" + name +
                                 "` is invalid: expects an integer value in [0, " +
                                 std::to_string(bits) + "), but got " + std::to_string(pos) + ".");
          }
          return out.Int((static_cast<uint64_t>(a[0].Int(i)) >> pos) & 1);
        });
    return b;
  };
  table->AddScalar("bit_get", bit_get);
  table->AddScalar("getbit", bit_get);
}

}  // namespace basin::function
