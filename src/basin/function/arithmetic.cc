// Arithmetic operators (+ - * / % div pmod, unary minus) with Spark's result types, decimal
// precision rules (DecimalPrecision, allowPrecisionLoss) and ANSI overflow / division-by-zero
// errors; the try_ variants return null instead. Date and interval arithmetic rides along.

#include <cmath>
#include <limits>

#include <arrow/compute/api.h>
#include <arrow/util/bit_util.h>
#include <arrow/util/bitmap_ops.h>

#include "basin/function/cast.h"
#include "basin/function/decimal_math.h"
#include "basin/function/kernel_support.h"

namespace basin::function {

namespace {

enum class Op { kAdd, kSubtract, kMultiply, kDivide, kRemainder, kPmod, kIntDivide };

const char* TryName(Op op) {
  switch (op) {
    case Op::kAdd:
      return "try_add";
    case Op::kSubtract:
      return "try_subtract";
    case Op::kMultiply:
      return "try_multiply";
    case Op::kDivide:
      return "try_divide";
    case Op::kRemainder:
      return "try_mod";
    case Op::kPmod:
      return "try_mod";
    case Op::kIntDivide:
      return "try_divide";
  }
  return "";
}

const char* Symbol(Op op) {
  switch (op) {
    case Op::kAdd:
      return "+";
    case Op::kSubtract:
      return "-";
    case Op::kMultiply:
      return "*";
    case Op::kDivide:
      return "/";
    case Op::kRemainder:
      return "%";
    case Op::kPmod:
      return "pmod";
    case Op::kIntDivide:
      return "div";
  }
  return "";
}

const char* OverflowWord(const arrow::DataType& t) {
  switch (t.id()) {
    default:
      // Spark 4 reports integral overflow of every width as "overflow".
      (void)t;
      return "overflow";
  }
}

int64_t MinOf(const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::INT8:
      return INT8_MIN;
    case arrow::Type::INT16:
      return INT16_MIN;
    case arrow::Type::INT32:
      return INT32_MIN;
    default:
      return INT64_MIN;
  }
}
int64_t MaxOf(const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::INT8:
      return INT8_MAX;
    case arrow::Type::INT16:
      return INT16_MAX;
    case arrow::Type::INT32:
      return INT32_MAX;
    default:
      return INT64_MAX;
  }
}
int64_t Wrap(int64_t v, const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::INT8:
      return static_cast<int8_t>(v);
    case arrow::Type::INT16:
      return static_cast<int16_t>(v);
    case arrow::Type::INT32:
      return static_cast<int32_t>(v);
    default:
      return v;
  }
}

const arrow::Decimal128Type& Dec(const TypePtr& t) {
  return static_cast<const arrow::Decimal128Type&>(*t);
}

Status DecimalOverflow(const arrow::Decimal256& value, int scale, const arrow::DataType& type) {
  const auto& d = static_cast<const arrow::Decimal128Type&>(type);
  std::string digits = value.ToString(scale);
  return UserError("NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION",
                   "" + digits +
                       " cannot be represented as Decimal(" + std::to_string(d.precision()) +
                       ", " + std::to_string(d.scale()) +
                       "). If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this "
                       "error, and return NULL instead.");
}

// Computes one integral row; returns false (and sets *error) on overflow or division by zero.
Status IntegralRow(Op op, int64_t a, int64_t b, const arrow::DataType& out_type, bool raise,
                   OutBuilder& out) {
  int64_t r = 0;
  bool overflow = false;
  switch (op) {
    case Op::kAdd:
      overflow = __builtin_add_overflow(a, b, &r);
      break;
    case Op::kSubtract:
      overflow = __builtin_sub_overflow(a, b, &r);
      break;
    case Op::kMultiply:
      overflow = __builtin_mul_overflow(a, b, &r);
      break;
    case Op::kRemainder:
    case Op::kPmod:
    case Op::kIntDivide:
      if (b == 0) {
        if (raise) return op == Op::kIntDivide ? DivideByZero() : RemainderByZero();
        return out.Null();
      }
      if (op == Op::kIntDivide) {
        if (a == INT64_MIN && b == -1) {
          overflow = true;
        } else {
          r = a / b;
        }
      } else {
        r = (b == -1) ? 0 : a % b;
        if (op == Op::kPmod && r < 0) {
          // Spark's pmod: ((a % n) + n) % n.
          r = (r + b) % b;
        }
      }
      break;
    case Op::kDivide:
      return InternalError("integral divide");
  }
  if (!overflow && (r < MinOf(out_type) || r > MaxOf(out_type))) overflow = true;
  if (overflow) {
    const bool narrow =
        out_type.id() == arrow::Type::INT8 || out_type.id() == arrow::Type::INT16;
    const bool binary = op == Op::kAdd || op == Op::kSubtract || op == Op::kMultiply;
    if (raise && narrow && binary) {
      // Spark reports tinyint/smallint + - * overflow with the operands, e.g. 127Y + 1Y.
      const char* suffix = out_type.id() == arrow::Type::INT8 ? "Y" : "S";
      const char* symbol = op == Op::kAdd ? " + " : (op == Op::kSubtract ? " - " : " * ");
      return UserError("BINARY_ARITHMETIC_OVERFLOW",
                       std::to_string(a) + suffix + symbol + std::to_string(b) + suffix +
                           " caused overflow. Use '" + TryName(op) +
                           "' to tolerate overflow and return NULL instead. If necessary set "
                           "\"spark.sql.ansi.enabled\" to \"false\" to bypass this error.");
    }
    if (raise) return ArithmeticOverflow(OverflowWord(out_type), TryName(op));
    if (op == Op::kIntDivide || !raise) {
      // Non-ANSI wraps like Java; try_ gives null.
    }
    return out.Null();
  }
  return out.Int(r);
}

Status FloatingRow(Op op, double a, double b, bool raise, OutBuilder& out) {
  switch (op) {
    case Op::kAdd:
      return out.Double(a + b);
    case Op::kSubtract:
      return out.Double(a - b);
    case Op::kMultiply:
      return out.Double(a * b);
    case Op::kDivide:
      if (b == 0) return raise ? DivideByZero() : out.Null();
      return out.Double(a / b);
    case Op::kRemainder:
      if (b == 0) return raise ? RemainderByZero() : out.Null();
      return out.Double(std::fmod(a, b));
    case Op::kPmod: {
      if (b == 0) return raise ? RemainderByZero() : out.Null();
      double r = std::fmod(a, b);
      if (r < 0) r = std::fmod(r + b, b);
      return out.Double(r);
    }
    case Op::kIntDivide:
      return InternalError("floating div");
  }
  return Status::OK();
}

using Int128 = __int128;

// 10^n for n in [0, 38] as 128-bit integers.
const Int128* Pow10Int128() {
  static const auto* table = [] {
    auto* t = new Int128[39];
    t[0] = 1;
    for (int i = 1; i <= 38; ++i) t[i] = t[i - 1] * 10;
    return t;
  }();
  return table;
}

Status DecimalRow(Op op, const arrow::Decimal128& a, int sa, const arrow::Decimal128& b, int sb,
                  const TypePtr& out_type, bool raise, OutBuilder& out) {
  const int rs = out_type->id() == arrow::Type::DECIMAL128 ? Dec(out_type).scale() : 0;
  arrow::Decimal256 wa = Widen(a), wb = Widen(b);
  arrow::Decimal256 result;
  int result_scale = 0;
  switch (op) {
    case Op::kAdd:
    case Op::kSubtract: {
      const int s = std::max(sa, sb);
      wa = RescaleHalfUp(wa, sa, s);
      wb = RescaleHalfUp(wb, sb, s);
      if (op == Op::kSubtract) wb.Negate();
      result = wa + wb;
      result_scale = s;
      break;
    }
    case Op::kMultiply:
      result = wa * wb;
      result_scale = sa + sb;
      break;
    case Op::kDivide: {
      if (wb == arrow::Decimal256(0)) return raise ? DivideByZero() : out.Null();
      // a/b at scale rs: (a * 10^(rs + sb - sa + 1)) / b, then round the extra digit HALF_UP.
      const int k = rs + sb - sa + 1;
      arrow::Decimal256 num = wa, den = wb;
      if (k >= 0) {
        num = num * Pow10Wide(k);
      } else {
        den = den * Pow10Wide(-k);
      }
      arrow::Decimal256 q, r;
      DivMod(num, den, &q, &r);
      result = RescaleHalfUp(q, 1, 0);
      result_scale = rs;
      break;
    }
    case Op::kRemainder:
    case Op::kPmod: {
      if (wb == arrow::Decimal256(0)) return raise ? RemainderByZero() : out.Null();
      const int s = std::max(sa, sb);
      wa = RescaleHalfUp(wa, sa, s);
      wb = RescaleHalfUp(wb, sb, s);
      arrow::Decimal256 q, r;
      DivMod(wa, wb, &q, &r);
      if (op == Op::kPmod && r.IsNegative()) {
        r += wb;
        DivMod(r, wb, &q, &r);
      }
      result = r;
      result_scale = s;
      break;
    }
    case Op::kIntDivide: {
      if (wb == arrow::Decimal256(0)) return raise ? DivideByZero() : out.Null();
      const int s = std::max(sa, sb);
      wa = RescaleHalfUp(wa, sa, s);
      wb = RescaleHalfUp(wb, sb, s);
      arrow::Decimal256 q, r;
      DivMod(wa, wb, &q, &r);
      if (!FitsPrecision(q, 18) && (q > arrow::Decimal256(INT64_MAX) ||
                                    q < arrow::Decimal256(INT64_MIN))) {
        if (raise) return ArithmeticOverflow("long overflow", TryName(op));
        return out.Null();
      }
      return out.Int(static_cast<int64_t>(Narrow(q).low_bits()));
    }
  }
  arrow::Decimal256 rounded = RescaleHalfUp(result, result_scale, rs);
  if (!FitsPrecision(rounded, Dec(out_type).precision())) {
    if (raise) return DecimalOverflow(result, result_scale, *out_type);
    return out.Null();
  }
  return out.Dec(Narrow(rounded));
}

// The types an arithmetic operator computes in: each operand's cast type and the result.
struct ArithTypes {
  TypePtr left, right, result;
};

// Spark types an integral literal next to a decimal as the narrowest decimal that holds it
// (DecimalType.fromLiteral), e.g. 3 -> decimal(1,0).
TypePtr DecimalForOperand(const TypePtr& t, const arrow::Datum& constant) {
  if (constant.is_scalar() && constant.scalar()->is_valid && IsIntegral(*constant.type())) {
    ArgReader r(constant);
    const int64_t v = r.Int(0);
    uint64_t a = v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
    int digits = 1;
    while (a >= 10) {
      a /= 10;
      ++digits;
    }
    return arrow::decimal128(digits, 0);
  }
  return DecimalForIntegral(*t);
}

Result<ArithTypes> ResolveNumeric(Op op, const std::string& name, TypePtr l, TypePtr r,
                                  const std::vector<arrow::Datum>& constants = {}) {
  if (IsNull(*l) && IsNull(*r)) {
    l = r = (op == Op::kIntDivide) ? arrow::int64() : arrow::float64();
  } else if (IsNull(*l)) {
    l = r;
  } else if (IsNull(*r)) {
    r = l;
  }
  // ANSI: a string operand is cast to bigint next to an integral, else to double.
  auto string_target = [](const TypePtr& other) -> TypePtr {
    if (IsIntegral(*other)) return arrow::int64();
    if (IsDecimal(*other)) return other;
    return arrow::float64();
  };
  if (IsStringLike(*l) && IsStringLike(*r)) {
    // ANSI: two strings are not promoted ('1' + '2', mod('7', '3') fail to resolve).
    return DataTypeMismatch(
        "BINARY_OP_WRONG_TYPE",
        "Cannot resolve \"" + name +
            "\" due to data type mismatch: the binary operator requires the input type "
            "(\"NUMERIC\" or \"INTERVAL DAY TO SECOND\" or \"INTERVAL YEAR TO MONTH\" or "
            "\"INTERVAL\"), not \"STRING\".");
  } else if (IsStringLike(*l)) {
    l = string_target(r);
  } else if (IsStringLike(*r)) {
    r = string_target(l);
  }
  if (!IsNumeric(*l)) {
    return UnexpectedInputType(name, 0, "NUMERIC", *l, name);
  }
  if (!IsNumeric(*r)) {
    return UnexpectedInputType(name, 1, "NUMERIC", *r, name);
  }
  ArithTypes t;
  if (IsDecimal(*l) || IsDecimal(*r)) {
    if (IsFloating(*l) || IsFloating(*r)) {
      t.left = t.right = t.result = arrow::float64();
      if (op == Op::kIntDivide) t.result = arrow::int64();
      return t;
    }
    const arrow::Datum none;
    t.left = IsDecimal(*l) ? l : DecimalForOperand(l, constants.size() > 0 ? constants[0] : none);
    t.right = IsDecimal(*r) ? r : DecimalForOperand(r, constants.size() > 1 ? constants[1] : none);
    const int p1 = Dec(t.left).precision(), s1 = Dec(t.left).scale();
    const int p2 = Dec(t.right).precision(), s2 = Dec(t.right).scale();
    switch (op) {
      case Op::kAdd:
      case Op::kSubtract: {
        const int s = std::max(s1, s2);
        t.result = AdjustedDecimal(std::max(p1 - s1, p2 - s2) + s + 1, s);
        break;
      }
      case Op::kMultiply:
        t.result = AdjustedDecimal(p1 + p2 + 1, s1 + s2);
        break;
      case Op::kDivide: {
        const int s = std::max(6, s1 + p2 + 1);
        t.result = AdjustedDecimal(p1 - s1 + s2 + s, s);
        break;
      }
      case Op::kRemainder:
      case Op::kPmod: {
        const int s = std::max(s1, s2);
        t.result = AdjustedDecimal(std::min(p1 - s1, p2 - s2) + s, s);
        break;
      }
      case Op::kIntDivide:
        t.result = arrow::int64();
        break;
    }
    return t;
  }
  if (op == Op::kDivide) {
    t.left = t.right = t.result = arrow::float64();
    return t;
  }
  if (op == Op::kIntDivide) {
    if (IsFloating(*l) || IsFloating(*r)) {
      return UnexpectedInputType(name, IsFloating(*l) ? 0 : 1, "INTEGRAL", IsFloating(*l) ? *l : *r,
                                 name);
    }
    t.left = t.right = t.result = arrow::int64();
    return t;
  }
  auto common = CommonType(l, r);
  t.left = t.right = t.result = *common;
  return t;
}

// Arrow's kernels compute + - * exactly as Spark does when nothing overflows (checked variants
// for integers, IEEE for doubles); any error falls back to the row loop, which raises Spark's
// error or gives null / wraps as the mode asks.
// `column % constant` on bigint or int columns (a common partitioning and sampling predicate):
// one pass over the values, keeping the input's validity bitmap. The sign follows the dividend,
// as in Java; x % -1 is 0 (C++ would overflow on the minimum value).
template <typename CType>
std::optional<arrow::Datum> RemainderByConstant(const arrow::ArrayData& in, int64_t divisor,
                                                const std::shared_ptr<arrow::DataType>& type) {
  const int64_t total = in.offset + in.length;
  auto buffer = arrow::AllocateBuffer(total * static_cast<int64_t>(sizeof(CType)));
  if (!buffer.ok()) return std::nullopt;
  const CType* x = in.GetValues<CType>(1, 0);
  CType* out = reinterpret_cast<CType*>((*buffer)->mutable_data());
  const CType d = static_cast<CType>(divisor);
  if (d == -1) {
    std::fill(out + in.offset, out + total, CType{0});
  } else {
    if (d > 0 && static_cast<uint64_t>(d) <= UINT32_MAX) {
      // Non-negative values below 2^32 take Lemire's multiply-and-shift remainder (exact for
      // every 32-bit dividend and divisor; "Faster Remainder by Direct Computation", 2019),
      // several times cheaper than a division; the others (negative ones keep the dividend's
      // sign) the general one. For d = 1 the multiplier wraps to 0 and gives 0, as it should.
      const auto d32 = static_cast<uint32_t>(d);
      const uint64_t m = UINT64_MAX / d32 + 1;
      for (int64_t i = in.offset; i < total; ++i) {
        const CType v = x[i];
        if (v >= 0 && static_cast<uint64_t>(v) <= UINT32_MAX) {
          const uint64_t low = m * static_cast<uint32_t>(v);
          out[i] = static_cast<CType>((static_cast<unsigned __int128>(low) * d32) >> 64);
        } else {
          out[i] = static_cast<CType>(v % d);
        }
      }
    } else {
      for (int64_t i = in.offset; i < total; ++i) out[i] = static_cast<CType>(x[i] % d);
    }
  }
  auto data = arrow::ArrayData::Make(type, in.length,
                                     {in.buffers[0], std::shared_ptr<arrow::Buffer>(std::move(*buffer))},
                                     in.null_count, in.offset);
  return arrow::Datum(data);
}

std::optional<arrow::Datum> ArrowFastPath(Op op, const ArithTypes& types,
                                          const std::vector<arrow::Datum>& args) {
  if (op == Op::kRemainder && args[0].is_array() && args[1].is_scalar() &&
      args[1].scalar()->is_valid && args[0].type()->Equals(*types.result) &&
      args[1].type()->Equals(*types.result)) {
    const auto id = types.result->id();
    if (id == arrow::Type::INT64) {
      int64_t d = static_cast<const arrow::Int64Scalar&>(*args[1].scalar()).value;
      if (d != 0) return RemainderByConstant<int64_t>(*args[0].array(), d, types.result);
    } else if (id == arrow::Type::INT32) {
      int64_t d = static_cast<const arrow::Int32Scalar&>(*args[1].scalar()).value;
      if (d != 0) return RemainderByConstant<int32_t>(*args[0].array(), d, types.result);
    }
    return std::nullopt;
  }
  if (op != Op::kAdd && op != Op::kSubtract && op != Op::kMultiply) return std::nullopt;
  const auto& t = *types.result;
  if (!(IsIntegral(t) || IsFloating(t))) return std::nullopt;
  if (!args[0].type()->Equals(t) || !args[1].type()->Equals(t)) return std::nullopt;
  const char* fn = op == Op::kAdd ? "add" : (op == Op::kSubtract ? "subtract" : "multiply");
  std::string name = fn;
  if (IsIntegral(t)) name += "_checked";
  auto r = arrow::compute::CallFunction(name, args);
  if (!r.ok() || !r->type()->Equals(t)) return std::nullopt;
  return *r;
}

// The operands and constants of one batch of decimal + - * (see DecimalBatchFast).
struct DecimalBatchInputs {
  const Int128* va;  // null: the constant ca
  const Int128* vb;  // null: the constant cb
  Int128 ca, cb;
  Int128 scale_a, scale_b;  // + -: each operand's factor to the common scale
  Int128 divisor;           // 10^(digits dropped to reach the result scale)
  Int128 limit;             // 10^(result precision)
  int64_t divisor64;        // the divisor when it fits 64 bits, else 0
};

// Row i's result; true when it leaves 128 bits or the result precision.
template <Op kOp>
inline bool DecimalBatchRow(const DecimalBatchInputs& in, int64_t i, Int128* result) {
  const Int128 x = in.va ? in.va[i] : in.ca;
  const Int128 y = in.vb ? in.vb[i] : in.cb;
  Int128 r;
  bool over;
  const int64_t x64 = static_cast<int64_t>(x), y64 = static_cast<int64_t>(y);
  const bool small = x64 == x && y64 == y;  // both fit 64 bits: the usual case
  if constexpr (kOp == Op::kMultiply) {
    if (small) {
      r = static_cast<Int128>(x64) * y64;  // one 64x64->128 multiply, cannot overflow
      over = false;
    } else {
      over = __builtin_mul_overflow(x, y, &r);
    }
  } else {
    if (small && in.scale_a <= INT64_MAX && in.scale_b <= INT64_MAX) {
      // |x * scale_a| < 2^126: the sum of two such products fits 128 bits.
      const Int128 wx = static_cast<Int128>(x64) * static_cast<int64_t>(in.scale_a);
      const Int128 wy = static_cast<Int128>(y64) * static_cast<int64_t>(in.scale_b);
      r = kOp == Op::kAdd ? wx + wy : wx - wy;
      over = false;
    } else {
      Int128 wx, wy;
      over = __builtin_mul_overflow(x, in.scale_a, &wx) | __builtin_mul_overflow(y, in.scale_b, &wy);
      over |= kOp == Op::kAdd ? __builtin_add_overflow(wx, wy, &r)
                              : __builtin_sub_overflow(wx, wy, &r);
    }
  }
  if (in.divisor != 1) {
    const int64_t r64 = static_cast<int64_t>(r);
    if (r64 == r && in.divisor64 != 0) {
      // The usual case: a 64-bit division instead of the much slower 128-bit one.
      int64_t q = r64 / in.divisor64;
      const int64_t rem = r64 % in.divisor64;
      if ((rem < 0 ? -rem : rem) * 2 >= in.divisor64) q += r64 < 0 ? -1 : 1;  // < 2 * 10^18
      r = q;
    } else {
      Int128 q = r / in.divisor;
      const Int128 rem = r % in.divisor;
      if ((rem < 0 ? -rem : rem) * 2 >= in.divisor) q += r < 0 ? -1 : 1;
      r = q;
    }
  }
  *result = r;
  return over || r >= in.limit || r <= -in.limit;
}

// + - * of a batch in 64-bit integers, in one pass, when no digits are dropped (the usual case:
// prices, quantities and rates). Returns false when some operand or result left 64 bits, or a
// result may be past the result precision; the caller then runs the checked 128-bit loop,
// which writes every row again. Null rows take part with whatever their slots hold.
template <Op kOp>
bool DecimalBatchLoop64(const DecimalBatchInputs& in, int64_t length, Int128* out) {
  if (in.divisor != 1) return false;
  if (in.scale_a > INT64_MAX || in.scale_b > INT64_MAX) return false;
  const auto scale_a = static_cast<int64_t>(in.scale_a);
  const auto scale_b = static_cast<int64_t>(in.scale_b);
  // Little-endian 128-bit values: the low word, then the high word.
  const auto* xa = reinterpret_cast<const int64_t*>(in.va);
  const auto* xb = reinterpret_cast<const int64_t*>(in.vb);
  const auto ca = static_cast<int64_t>(in.ca), cb = static_cast<int64_t>(in.cb);
  uint64_t outside = (!xa && ca != in.ca) || (!xb && cb != in.cb) ? 1 : 0;
  bool overflow = false;
  uint64_t bound = 0;  // the OR of |result|: at least the largest
  for (int64_t i = 0; i < length; ++i) {
    int64_t x = ca, y = cb;
    if (xa) {
      x = xa[2 * i];
      outside |= static_cast<uint64_t>(xa[2 * i + 1] ^ (x >> 63));
    }
    if (xb) {
      y = xb[2 * i];
      outside |= static_cast<uint64_t>(xb[2 * i + 1] ^ (y >> 63));
    }
    int64_t r;
    if constexpr (kOp == Op::kMultiply) {
      overflow |= __builtin_mul_overflow(x, y, &r);
    } else {
      int64_t wx, wy;
      overflow |= __builtin_mul_overflow(x, scale_a, &wx);
      overflow |= __builtin_mul_overflow(y, scale_b, &wy);
      if constexpr (kOp == Op::kAdd) {
        overflow |= __builtin_add_overflow(wx, wy, &r);
      } else {
        overflow |= __builtin_sub_overflow(wx, wy, &r);
      }
    }
    const int64_t sign = r >> 63;
    bound |= static_cast<uint64_t>((r ^ sign) - sign);
    out[i] = r;
  }
  return outside == 0 && !overflow && bound <= static_cast<uint64_t>(INT64_MAX) &&
         static_cast<Int128>(bound) < in.limit;
}

// Every row of a batch; true when some row (valid or not) overflows. Taking the inputs by
// value keeps them in registers across the loop.
template <Op kOp>
[[gnu::noinline]] bool DecimalBatchLoop(const DecimalBatchInputs in, int64_t length, Int128* out) {
  if (DecimalBatchLoop64<kOp>(in, length, out)) return false;
  bool over = false;
  for (int64_t i = 0; i < length; ++i) over |= DecimalBatchRow<kOp>(in, i, &out[i]);
  return over;
}

// + - * over whole decimal batches (arrays or scalars of decimal128) in 128-bit integers: the
// same HALF_UP rounding and precision check as DecimalRow, without a per-row builder. Gives
// nullopt when a row leaves 128 bits or the result precision; the row path then runs the
// batch and reports the error (or null) for that row.
std::optional<arrow::Datum> DecimalBatchFast(Op op, const std::vector<arrow::Datum>& args,
                                             int sa, int sb, const TypePtr& out_type,
                                             int64_t length) {
  if (op != Op::kAdd && op != Op::kSubtract && op != Op::kMultiply) return std::nullopt;
  if (out_type->id() != arrow::Type::DECIMAL128) return std::nullopt;
  if (AllScalar(args)) return std::nullopt;
  for (const auto& arg : args) {
    if (arg.type()->id() != arrow::Type::DECIMAL128) return std::nullopt;
    if (arg.is_scalar() && !arg.scalar()->is_valid) return std::nullopt;
    if (!arg.is_scalar() && !arg.is_array()) return std::nullopt;
  }
  const int rs = Dec(out_type).scale();
  const Int128* pow10 = Pow10Int128();
  int result_scale;
  Int128 scale_a = 1, scale_b = 1;
  if (op == Op::kMultiply) {
    result_scale = sa + sb;
  } else {
    result_scale = std::max(sa, sb);
    scale_a = pow10[result_scale - sa];
    scale_b = pow10[result_scale - sb];
  }
  if (result_scale < rs || result_scale - rs > 38) return std::nullopt;
  const Int128 divisor = pow10[result_scale - rs];
  // The divisor as 64 bits when it fits (10^18 at most), else 0.
  const int64_t divisor64 = result_scale - rs <= 18 ? static_cast<int64_t>(divisor) : 0;
  const Int128 limit = pow10[Dec(out_type).precision()];
  Int128 ca = 0, cb = 0;
  const Int128* va = Decimal128Values(args[0], &ca);
  const Int128* vb = Decimal128Values(args[1], &cb);
  auto out_values = arrow::AllocateBuffer(length * 16);
  if (!out_values.ok()) return std::nullopt;
  auto* out = reinterpret_cast<Int128*>((*out_values)->mutable_data());
  const DecimalBatchInputs in{va, vb, ca, cb, scale_a, scale_b, divisor, limit, divisor64};
  auto row = [&](int64_t i, Int128* result) {  // for the overflow re-check below
    switch (op) {
      case Op::kMultiply:
        return DecimalBatchRow<Op::kMultiply>(in, i, result);
      case Op::kAdd:
        return DecimalBatchRow<Op::kAdd>(in, i, result);
      default:
        return DecimalBatchRow<Op::kSubtract>(in, i, result);
    }
  };
  bool over;
  switch (op) {
    case Op::kMultiply:
      over = DecimalBatchLoop<Op::kMultiply>(in, length, out);
      break;
    case Op::kAdd:
      over = DecimalBatchLoop<Op::kAdd>(in, length, out);
      break;
    default:
      over = DecimalBatchLoop<Op::kSubtract>(in, length, out);
      break;
  }
  std::vector<const arrow::ArrayData*> arrays;  // the inputs that may hold nulls
  for (const auto& arg : args) {
    if (arg.is_array() && arg.array()->MayHaveNulls()) arrays.push_back(arg.array().get());
  }
  if (over) {
    // Null rows hold arbitrary values: only a valid row's overflow sends the batch to the row
    // path, which raises the error (or gives null in try_ mode).
    for (int64_t i = 0; i < length; ++i) {
      bool valid = true;
      for (const auto* a : arrays) {
        valid &= arrow::bit_util::GetBit(a->buffers[0]->data(), a->offset + i);
      }
      Int128 r;
      if (valid && row(i, &r)) return std::nullopt;
    }
  }
  int64_t null_count = 0;
  auto validity = AndValidity(args, length, &null_count);
  if (!validity.ok()) return std::nullopt;
  auto data = arrow::ArrayData::Make(out_type, length,
                                     {*validity, std::shared_ptr<arrow::Buffer>(std::move(*out_values))},
                                     null_count);
  return arrow::Datum(data);
}

std::shared_ptr<const ScalarKernel> NumericKernel(Op op, bool try_mode, ArithTypes types) {
  return MakeKernel([op, try_mode, types](const std::vector<arrow::Datum>& args, int64_t length,
                                          const EvalContext& context) -> Result<arrow::Datum> {
    if (auto fast = ArrowFastPath(op, types, args)) return *fast;
    if (IsDecimal(*types.left)) {
      if (auto fast = DecimalBatchFast(op, args, Dec(types.left).scale(),
                                       Dec(types.right).scale(), types.result, length)) {
        return *fast;
      }
    }
    const bool scalar = AllScalar(args);
    const int64_t n = scalar ? 1 : length;
    ArgReader a(args[0]), b(args[1]);
    ARROW_ASSIGN_OR_RAISE(auto out, OutBuilder::Make(types.result, n));
    const bool raise = context.ansi && !try_mode;
    const auto& rt = *types.result;
    const bool dec = IsDecimal(*types.left);
    const bool floating = IsFloating(*types.left);
    const int sa = dec ? Dec(types.left).scale() : 0;
    const int sb = dec ? Dec(types.right).scale() : 0;
    for (int64_t i = 0; i < n; ++i) {
      if (a.IsNull(i) || b.IsNull(i)) {
        RETURN_NOT_OK(out->Null());
      } else if (dec) {
        RETURN_NOT_OK(DecimalRow(op, a.Dec(i), sa, b.Dec(i), sb, types.result, raise, *out));
      } else if (floating) {
        if (op == Op::kIntDivide) {
          const double y = b.Double(i);
          if (y == 0) {
            if (raise) return DivideByZero();
            RETURN_NOT_OK(out->Null());
          } else {
            RETURN_NOT_OK(out->Int(static_cast<int64_t>(a.Double(i) / y)));
          }
        } else {
          RETURN_NOT_OK(FloatingRow(op, a.Double(i), b.Double(i), raise, *out));
        }
      } else if (!raise && !try_mode && (op == Op::kAdd || op == Op::kSubtract ||
                                         op == Op::kMultiply)) {
        // Legacy (non-ANSI) arithmetic wraps around like Java.
        const uint64_t x = static_cast<uint64_t>(a.Int(i)), y = static_cast<uint64_t>(b.Int(i));
        const uint64_t r = op == Op::kAdd ? x + y : (op == Op::kSubtract ? x - y : x * y);
        RETURN_NOT_OK(out->Int(Wrap(static_cast<int64_t>(r), rt)));
      } else {
        RETURN_NOT_OK(IntegralRow(op, a.Int(i), b.Int(i), rt, raise, *out));
      }
    }
    return out->Finish(scalar);
  });
}

// Date, timestamp and interval arithmetic for + and -.
std::optional<Result<BoundScalar>> BindDatetimeArithmetic(Op op, const std::string& name,
                                                          const TypePtr& l, const TypePtr& r) {
  const auto lid = l->id(), rid = r->id();
  auto make = [&](TypePtr lt, TypePtr rt, TypePtr result,
                  std::function<Status(int64_t, int64_t, OutBuilder&, const EvalContext&)> f)
      -> Result<BoundScalar> {
    BoundScalar b;
    b.name = name;
    b.arg_types = {lt, rt};
    b.return_type = result;
    b.kernel = RowKernel(result, [f](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                                     const EvalContext& ctx) {
      return f(a[0].Int(i), a[1].Int(i), out, ctx);
    });
    return b;
  };
  const bool add = op == Op::kAdd;
  const int64_t sign = add ? 1 : -1;
  // TIME +/- a day-time interval stays within the day (DATETIME_OVERFLOW otherwise).
  if (!add && lid == arrow::Type::TIME64 && rid == arrow::Type::TIME64) {
    // TIME - TIME is the day-time interval between them.
    return make(l, r, arrow::duration(arrow::TimeUnit::MICRO),
                [](int64_t a, int64_t b, OutBuilder& out, const EvalContext&) {
                  return out.Int((a - b) / 1000);
                });
  }
  if ((lid == arrow::Type::TIME64 && (rid == arrow::Type::DURATION || rid == arrow::Type::NA)) ||
      (add && (lid == arrow::Type::DURATION || lid == arrow::Type::NA) &&
       rid == arrow::Type::TIME64)) {
    const bool time_left = lid == arrow::Type::TIME64;
    const TypePtr interval = arrow::duration(arrow::TimeUnit::MICRO);
    return make(
        time_left ? l : interval, time_left ? interval : r, TimeType(),
        [sign, time_left](int64_t a, int64_t b, OutBuilder& out, const EvalContext&) -> Status {
          const int64_t nanos = time_left ? a : b;
          const int64_t micros = time_left ? b : a;
          int64_t moved;
          if (__builtin_mul_overflow(micros, 1000, &moved) ||
              __builtin_add_overflow(nanos, sign * moved, &moved) || moved < 0 ||
              moved >= kNanosPerDay) {
            return UserError("DATETIME_OVERFLOW", std::string("Datetime operation overflow: ") +
                                                      (sign > 0 ? "add" : "subtract") +
                                                      " an interval to the time value TIME '" +
                                                      FormatTime(nanos) + "'.");
          }
          return out.Int(moved);
        });
  }
  if (lid == arrow::Type::DATE32 && (IsIntegral(*r) || (IsStringLike(*r) && add))) {
    TypePtr rt = IsIntegral(*r) && rid != arrow::Type::INT64 ? r : arrow::int32();
    return make(l, rt, arrow::date32(),
                [sign](int64_t d, int64_t n, OutBuilder& out, const EvalContext&) {
                  return out.Int(d + sign * n);
                });
  }
  if (add && IsIntegral(*l) && rid == arrow::Type::DATE32) {
    TypePtr lt = lid != arrow::Type::INT64 ? l : arrow::int32();
    return make(lt, r, arrow::date32(),
                [](int64_t n, int64_t d, OutBuilder& out, const EvalContext&) {
                  return out.Int(d + n);
                });
  }
  if (!add && lid == arrow::Type::DATE32 && rid == arrow::Type::DATE32) {
    return make(l, r, arrow::duration(arrow::TimeUnit::MICRO),
                [](int64_t a, int64_t b, OutBuilder& out, const EvalContext&) {
                  return out.Int((a - b) * kMicrosPerDay);
                });
  }
  if (!add && (IsTimestamp(*l) || lid == arrow::Type::DATE32) &&
      (IsTimestamp(*r) || rid == arrow::Type::DATE32) &&
      (IsTimestamp(*l) || IsTimestamp(*r))) {
    TypePtr t = IsTimestamp(*l) ? l : r;
    return make(t, t, arrow::duration(arrow::TimeUnit::MICRO),
                [](int64_t a, int64_t b, OutBuilder& out, const EvalContext&) -> Status {
                  int64_t d;
                  if (__builtin_sub_overflow(a, b, &d)) return ArithmeticOverflow("long overflow", "");
                  return out.Int(d);
                });
  }
  if ((IsTimestamp(*l) || lid == arrow::Type::DATE32) && rid == arrow::Type::DURATION) {
    TypePtr t = IsTimestamp(*l) ? l : TimestampType();
    return make(t, r, t, [sign](int64_t a, int64_t b, OutBuilder& out, const EvalContext&) -> Status {
      int64_t d;
      if (__builtin_add_overflow(a, sign * b, &d)) return ArithmeticOverflow("long overflow", "");
      return out.Int(d);
    });
  }
  if (add && lid == arrow::Type::DURATION && (IsTimestamp(*r) || rid == arrow::Type::DATE32)) {
    TypePtr t = IsTimestamp(*r) ? r : TimestampType();
    return make(l, t, t, [](int64_t a, int64_t b, OutBuilder& out, const EvalContext&) {
      return out.Int(a + b);
    });
  }
  if (lid == arrow::Type::DATE32 && rid == arrow::Type::INTERVAL_MONTHS) {
    return make(l, r, l, [sign](int64_t d, int64_t m, OutBuilder& out, const EvalContext&) -> Status {
      ARROW_ASSIGN_OR_RAISE(auto v, AddMonthsToDays(d, sign * m));
      return out.Int(v);
    });
  }
  if (IsTimestamp(*l) && rid == arrow::Type::INTERVAL_MONTHS) {
    const bool ntz = static_cast<const arrow::TimestampType&>(*l).timezone().empty();
    return make(l, r, l,
                [sign, ntz](int64_t t, int64_t m, OutBuilder& out, const EvalContext& ctx) -> Status {
                  int64_t local = t;
                  if (!ntz) {
                    ARROW_ASSIGN_OR_RAISE(local, ToLocal(t, ctx.session_time_zone));
                  }
                  const int64_t days = FloorDiv(local, kMicrosPerDay);
                  const int64_t tod = FloorMod(local, kMicrosPerDay);
                  ARROW_ASSIGN_OR_RAISE(auto nd, AddMonthsToDays(days, sign * m));
                  int64_t result = nd * kMicrosPerDay + tod;
                  if (!ntz) {
                    ARROW_ASSIGN_OR_RAISE(result, FromLocal(result, ctx.session_time_zone));
                  }
                  return out.Int(result);
                });
  }
  if ((lid == arrow::Type::DURATION && rid == arrow::Type::DURATION) ||
      (lid == arrow::Type::INTERVAL_MONTHS && rid == arrow::Type::INTERVAL_MONTHS)) {
    const bool months = lid == arrow::Type::INTERVAL_MONTHS;
    return make(l, r, l, [sign, months](int64_t a, int64_t b, OutBuilder& out,
                                       const EvalContext&) -> Status {
      int64_t d;
      if (__builtin_add_overflow(a, sign * b, &d) ||
          (months && (d > INT32_MAX || d < INT32_MIN))) {
        return ArithmeticOverflow(months ? "integer overflow" : "long overflow", "");
      }
      return out.Int(d);
    });
  }
  return std::nullopt;
}


ConstantBinder ArithmeticBinder(Op op, bool try_mode) {
  return [op, try_mode](const std::string& name, const std::vector<TypePtr>& args,
                        const std::vector<arrow::Datum>& constants) -> Result<BoundScalar> {
    if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
    if (op == Op::kAdd || op == Op::kSubtract) {
      auto dt = BindDatetimeArithmetic(op, name, args[0], args[1]);
      if (dt) return std::move(*dt);
    }
    const bool time_left = args[0]->id() == arrow::Type::TIME64;
    if ((time_left || args[1]->id() == arrow::Type::TIME64) &&
        !(op == Op::kAdd && args[0]->id() == arrow::Type::DATE32)) {
      // No other arithmetic takes a TIME (DATE + TIME is date_add's error, below).
      const TypePtr& other = time_left ? args[1] : args[0];
      if (IsStringLike(*other)) {
        return DataTypeMismatch(
            "BINARY_OP_WRONG_TYPE",
            "Cannot resolve \"" + name +
                "\" due to data type mismatch: the binary operator "
                "requires the input type (\"NUMERIC\" or \"INTERVAL DAY TO SECOND\" or \"INTERVAL "
                "YEAR TO MONTH\" or \"INTERVAL\"), not \"TIME(6)\".");
      }
      return DataTypeMismatch("BINARY_OP_DIFF_TYPES",
                              "Cannot resolve \"" + name +
                                  "\" due to data type mismatch: the left and right "
                                  "operands of the binary operator have incompatible types (\"" +
                                  SqlTypeName(*args[0]) + "\" and \"" + SqlTypeName(*args[1]) +
                                  "\").");
    }
    ARROW_ASSIGN_OR_RAISE(auto types, ResolveNumeric(op, name, args[0], args[1], constants));
    BoundScalar b;
    b.name = name;
    b.arg_types = {types.left, types.right};
    b.return_type = types.result;
    b.kernel = NumericKernel(op, try_mode, types);
    return b;
  };
}

Result<BoundScalar> BindNegate(const std::string& name, const std::vector<TypePtr>& args,
                               bool positive) {
  if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
  TypePtr t = args[0];
  if (IsNull(*t)) t = arrow::float64();
  if (IsStringLike(*t)) t = arrow::float64();
  if (!(IsNumeric(*t) || t->id() == arrow::Type::DURATION ||
        t->id() == arrow::Type::INTERVAL_MONTHS)) {
    return UnexpectedInputType(name, 0, "(\"NUMERIC\" or \"INTERVAL DAY TO SECOND\" or \"INTERVAL YEAR TO MONTH\")", *t, name);
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {t};
  b.return_type = t;
  if (positive) {
    b.kernel = MakeKernel([](const std::vector<arrow::Datum>& a, int64_t, const EvalContext&)
                              -> Result<arrow::Datum> { return a[0]; });
    return b;
  }
  b.kernel = RowKernel(t, [t](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                              const EvalContext& ctx) -> Status {
    if (IsFloating(*t)) return out.Double(-a[0].Double(i));
    if (IsDecimal(*t)) {
      arrow::Decimal128 v = a[0].Dec(i);
      v.Negate();
      return out.Dec(v);
    }
    const int64_t v = a[0].Int(i);
    const int64_t lo = t->id() == arrow::Type::INTERVAL_MONTHS ? INT32_MIN : MinOf(*t);
    if (v == lo) {
      if (ctx.ansi) return ArithmeticOverflow(OverflowWord(*t), "");
      return out.Int(v);
    }
    return out.Int(-v);
  });
  return b;
}

}  // namespace

void RegisterArithmetic(FunctionTable* table) {
  table->AddScalarWithConstants("+", ArithmeticBinder(Op::kAdd, false));
  table->AddScalarWithConstants("add", ArithmeticBinder(Op::kAdd, false));
  table->AddScalarWithConstants("try_add", ArithmeticBinder(Op::kAdd, true));
  table->AddScalarWithConstants("-", ArithmeticBinder(Op::kSubtract, false));
  table->AddScalarWithConstants("subtract", ArithmeticBinder(Op::kSubtract, false));
  table->AddScalarWithConstants("try_subtract", ArithmeticBinder(Op::kSubtract, true));
  table->AddScalarWithConstants("*", ArithmeticBinder(Op::kMultiply, false));
  table->AddScalarWithConstants("multiply", ArithmeticBinder(Op::kMultiply, false));
  table->AddScalarWithConstants("try_multiply", ArithmeticBinder(Op::kMultiply, true));
  table->AddScalarWithConstants("/", ArithmeticBinder(Op::kDivide, false));
  table->AddScalarWithConstants("divide", ArithmeticBinder(Op::kDivide, false));
  table->AddScalarWithConstants("try_divide", ArithmeticBinder(Op::kDivide, true));
  table->AddScalarWithConstants("%", ArithmeticBinder(Op::kRemainder, false));
  table->AddScalarWithConstants("remainder", ArithmeticBinder(Op::kRemainder, false));
  table->AddScalarWithConstants("mod", ArithmeticBinder(Op::kRemainder, false));
  table->AddScalarWithConstants("try_mod", ArithmeticBinder(Op::kRemainder, true));
  table->AddScalarWithConstants("pmod", ArithmeticBinder(Op::kPmod, false));
  table->AddScalarWithConstants("div", ArithmeticBinder(Op::kIntDivide, false));
  table->AddScalar("negative", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindNegate(n, a, false);
  });
  table->AddScalar("positive", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindNegate(n, a, true);
  });
  (void)Symbol;
}

}  // namespace basin::function
