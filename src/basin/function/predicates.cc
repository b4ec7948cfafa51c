// Comparison, logical and bitwise operators, and the null tests.

#include <optional>

#include <arrow/compute/api.h>
#include <arrow/util/bitmap_ops.h>

#include "basin/function/in_list.h"
#include "basin/function/kernel_support.h"
#include "basin/function/value_order.h"
#include "basin/types/geospatial_type.h"
#include "basin/types/variant_type.h"

namespace basin::function {

namespace {

enum class Cmp { kEq, kNe, kLt, kLe, kGt, kGe };

const char* ArrowName(Cmp c) {
  switch (c) {
    case Cmp::kEq:
      return "equal";
    case Cmp::kNe:
      return "not_equal";
    case Cmp::kLt:
      return "less";
    case Cmp::kLe:
      return "less_equal";
    case Cmp::kGt:
      return "greater";
    case Cmp::kGe:
      return "greater_equal";
  }
  return "";
}

bool Holds(Cmp c, int r) {
  switch (c) {
    case Cmp::kEq:
      return r == 0;
    case Cmp::kNe:
      return r != 0;
    case Cmp::kLt:
      return r < 0;
    case Cmp::kLe:
      return r <= 0;
    case Cmp::kGt:
      return r > 0;
    case Cmp::kGe:
      return r >= 0;
  }
  return false;
}

bool UsesArrowCompare(const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::BOOL:
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
    case arrow::Type::DECIMAL128:
    case arrow::Type::STRING:
    case arrow::Type::BINARY:
    case arrow::Type::DATE32:
    case arrow::Type::TIMESTAMP:
    case arrow::Type::TIME64:
    case arrow::Type::DURATION:
      return true;
    default:
      return false;  // floats (NaN = NaN in Spark) and nested types
  }
}

bool Orderable(const arrow::DataType& t) {
  if (t.id() == arrow::Type::MAP || types::SpatialTypeOf(t)) return false;
  if (t.id() == arrow::Type::LIST) {
    return Orderable(*static_cast<const arrow::ListType&>(t).value_type());
  }
  if (t.id() == arrow::Type::STRUCT) {
    for (const auto& f : t.fields()) {
      if (!Orderable(*f->type())) return false;
    }
  }
  return true;
}

using Int128 = __int128;

template <Cmp kCmp, typename T>
inline bool CompareWords(T x, T y) {
  if constexpr (kCmp == Cmp::kEq) return x == y;
  if constexpr (kCmp == Cmp::kNe) return x != y;
  if constexpr (kCmp == Cmp::kLt) return x < y;
  if constexpr (kCmp == Cmp::kLe) return x <= y;
  if constexpr (kCmp == Cmp::kGt) return x > y;
  return x >= y;
}

// Writes at(i) for rows [0, length) into a bitmap, 8 rows per output byte.
template <typename At>
inline void PackComparisons(int64_t length, uint8_t* bits, At at) {
  int64_t i = 0;
  for (; i + 8 <= length; i += 8) {
    uint8_t byte = 0;
    for (int k = 0; k < 8; ++k) byte |= static_cast<uint8_t>(at(i + k)) << k;
    bits[i / 8] = byte;
  }
  if (i < length) {
    uint8_t byte = 0;
    for (int k = 0; i + k < length; ++k) byte |= static_cast<uint8_t>(at(i + k)) << k;
    bits[i / 8] = byte;
  }
}

// Compares `length` decimals (arrays, or a constant where kA/kB is false) into a bitmap, 8 rows
// per output byte.
template <Cmp kCmp, bool kA, bool kB>
[[gnu::noinline]] void CompareDecimalLoop(const Int128* a, const Int128* b, Int128 ca, Int128 cb,
                                          int64_t length, uint8_t* bits) {
  auto at = [&](int64_t i) {
    return CompareWords<kCmp>(kA ? a[i] : ca, kB ? b[i] : cb);
  };
  PackComparisons(length, bits, at);
}

// CompareDecimalLoop for decimals of at most 18 digits against a constant that fits 64 bits:
// such a decimal128's high word only repeats the sign of its low word, so the low words alone
// order the values.
template <Cmp kCmp, bool kArrayFirst>
[[gnu::noinline]] void CompareNarrowDecimalLoop(const Int128* values, int64_t constant,
                                                int64_t length, uint8_t* bits) {
  const auto* words = reinterpret_cast<const int64_t*>(values);  // low word, high word, ...
  auto at = [&](int64_t i) {
    return kArrayFirst ? CompareWords<kCmp>(words[2 * i], constant)
                       : CompareWords<kCmp>(constant, words[2 * i]);
  };
  PackComparisons(length, bits, at);
}

bool FitsInt64(Int128 v) { return v == static_cast<Int128>(static_cast<int64_t>(v)); }

template <Cmp kCmp>
void CompareDecimalArrays(const Int128* a, const Int128* b, Int128 ca, Int128 cb, int64_t length,
                          uint8_t* bits, bool narrow) {
  if (narrow && a && !b && FitsInt64(cb)) {
    CompareNarrowDecimalLoop<kCmp, true>(a, static_cast<int64_t>(cb), length, bits);
    return;
  }
  if (narrow && !a && b && FitsInt64(ca)) {
    CompareNarrowDecimalLoop<kCmp, false>(b, static_cast<int64_t>(ca), length, bits);
    return;
  }
  if (a && b) {
    CompareDecimalLoop<kCmp, true, true>(a, b, ca, cb, length, bits);
  } else if (a) {
    CompareDecimalLoop<kCmp, true, false>(a, b, ca, cb, length, bits);
  } else {
    CompareDecimalLoop<kCmp, false, true>(a, b, ca, cb, length, bits);
  }
}

// Comparison of two decimal128 operands of the same type (arrays or a non-null constant) in
// 128-bit integers; Arrow's kernels compare through a non-inlined Decimal128 operator per row.
// Gives nullopt for what it does not cover (two constants, a null constant).
std::optional<arrow::Datum> CompareDecimals(Cmp cmp, const std::vector<arrow::Datum>& args,
                                            int64_t length) {
  if (args.size() != 2) return std::nullopt;
  for (const auto& arg : args) {
    if (arg.type()->id() != arrow::Type::DECIMAL128) return std::nullopt;
    if (arg.is_scalar() && !arg.scalar()->is_valid) return std::nullopt;
    if (!arg.is_scalar() && !arg.is_array()) return std::nullopt;
  }
  if (args[0].is_scalar() && args[1].is_scalar()) return std::nullopt;
  if (!args[0].type()->Equals(*args[1].type())) return std::nullopt;
  Int128 ca = 0, cb = 0;
  const Int128* va = Decimal128Values(args[0], &ca);
  const Int128* vb = Decimal128Values(args[1], &cb);
  auto bits = arrow::AllocateBitmap(length);
  if (!bits.ok()) return std::nullopt;
  uint8_t* out = (*bits)->mutable_data();
  const bool narrow =
      static_cast<const arrow::Decimal128Type&>(*args[0].type()).precision() <= 18;
  switch (cmp) {
    case Cmp::kEq:
      CompareDecimalArrays<Cmp::kEq>(va, vb, ca, cb, length, out, narrow);
      break;
    case Cmp::kNe:
      CompareDecimalArrays<Cmp::kNe>(va, vb, ca, cb, length, out, narrow);
      break;
    case Cmp::kLt:
      CompareDecimalArrays<Cmp::kLt>(va, vb, ca, cb, length, out, narrow);
      break;
    case Cmp::kLe:
      CompareDecimalArrays<Cmp::kLe>(va, vb, ca, cb, length, out, narrow);
      break;
    case Cmp::kGt:
      CompareDecimalArrays<Cmp::kGt>(va, vb, ca, cb, length, out, narrow);
      break;
    case Cmp::kGe:
      CompareDecimalArrays<Cmp::kGe>(va, vb, ca, cb, length, out, narrow);
      break;
  }
  int64_t null_count = 0;
  auto validity = AndValidity(args, length, &null_count);
  if (!validity.ok()) return std::nullopt;
  return arrow::Datum(arrow::ArrayData::Make(
      arrow::boolean(), length,
      {*validity, std::shared_ptr<arrow::Buffer>(std::move(bits).ValueUnsafe())}, null_count));
}

Status DiffTypes(const std::string& name, const TypePtr& l, const TypePtr& r) {
  return DataTypeMismatch("BINARY_OP_DIFF_TYPES",
                          "Cannot resolve \"" + name +
                              "\" due to data type mismatch: the left and right operands of the "
                              "binary operator have incompatible types (\"" +
                              SqlTypeName(*l) + "\" and \"" + SqlTypeName(*r) + "\").");
}

ScalarBinder ComparisonBinder(Cmp cmp) {
  return [cmp](const std::string& name, const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
    auto common = CommonType(args[0], args[1]);
    if (!common) return DiffTypes(name, args[0], args[1]);
    TypePtr t = *common;
    if (IsNull(*t)) t = arrow::boolean();
    // Spark compares neither VARIANT nor GEOMETRY/GEOGRAPHY, not even with `=`.
    if (types::ContainsVariant(*t) || types::ContainsSpatial(*t) || ((cmp != Cmp::kEq && cmp != Cmp::kNe) && !Orderable(*t))) {
      return DataTypeMismatch("INVALID_ORDERING_TYPE",
                              "Cannot resolve \"" + name +
                                  "\" due to data type mismatch: The `" + name +
                                  "` does not support ordering on type \"" + SqlTypeName(*t) +
                                  "\".");
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = {t, t};
    b.return_type = arrow::boolean();
    if (UsesArrowCompare(*t)) {
      const std::string fn = ArrowName(cmp);
      const bool decimal = t->id() == arrow::Type::DECIMAL128;
      b.kernel = MakeKernel([fn, cmp, decimal](const std::vector<arrow::Datum>& a, int64_t length,
                                               const EvalContext&) -> Result<arrow::Datum> {
        if (decimal) {
          if (auto fast = CompareDecimals(cmp, a, length)) return *fast;
        }
        if ((cmp == Cmp::kEq || cmp == Cmp::kNe) && a[0].is_array() != a[1].is_array() &&
            arrow::is_base_binary_like(a[0].type()->id())) {
          // A string column against a constant: x = c is x IN (c), x <> c is x NOT IN (c),
          // nulls included; one pass without a memcmp call per row (integers stay with
          // Arrow's vectorized comparison).
          const auto& column = a[0].is_array() ? a[0] : a[1];
          const auto& constant = a[0].is_array() ? a[1] : a[0];
          if (auto fast = InListOfConstants(column, {constant}, cmp == Cmp::kNe)) return *fast;
        }
        return arrow::compute::CallFunction(fn, {a[0], a[1]});
      });
    } else {
      b.kernel = RowKernel(arrow::boolean(), [cmp](const std::vector<ArgReader>& a, int64_t i,
                                                   OutBuilder& out, const EvalContext&) {
        if (cmp == Cmp::kEq || cmp == Cmp::kNe) {
          const bool eq = ValuesEqual(*a[0].array(), a[0].Index(i), *a[1].array(), a[1].Index(i));
          return out.Bool(cmp == Cmp::kEq ? eq : !eq);
        }
        return out.Bool(Holds(cmp, CompareValues(*a[0].array(), a[0].Index(i), *a[1].array(),
                                                 a[1].Index(i))));
      });
    }
    return b;
  };
}

Result<BoundScalar> BindEqualNull(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
  auto common = CommonType(args[0], args[1]);
  if (!common) return DiffTypes(name, args[0], args[1]);
  BoundScalar b;
  b.name = name;
  b.arg_types = {*common, *common};
  b.return_type = arrow::boolean();
  b.kernel = RowKernel(
      arrow::boolean(),
      [](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out, const EvalContext&) {
        return out.Bool(ValuesEqual(*a[0].array(), a[0].Index(i), *a[1].array(), a[1].Index(i)));
      },
      false);
  return b;
}

ScalarBinder ArrowBooleanBinder(const std::string& arrow_name, size_t arity) {
  return [arrow_name, arity](const std::string& name,
                             const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != arity) return WrongNumArgs(name, std::to_string(arity), args.size());
    BoundScalar b;
    b.name = name;
    for (size_t i = 0; i < args.size(); ++i) {
      TypePtr t = ImplicitCastTarget(args[i], arrow::boolean());
      if (!t) return UnexpectedInputType(name, i, "BOOLEAN", *args[i], name);
      b.arg_types.push_back(arrow::boolean());
    }
    b.return_type = arrow::boolean();
    b.kernel = MakeKernel([arrow_name](const std::vector<arrow::Datum>& a, int64_t,
                                       const EvalContext&) -> Result<arrow::Datum> {
      return arrow::compute::CallFunction(arrow_name, a);
    });
    return b;
  };
}

ScalarBinder BitwiseBinder(const std::string& arrow_name, size_t arity) {
  return [arrow_name, arity](const std::string& name,
                             const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != arity) return WrongNumArgs(name, std::to_string(arity), args.size());
    TypePtr t = args[0];
    if (arity == 2) {
      auto c = CommonType(args[0], args[1]);
      if (!c) return DiffTypes(name, args[0], args[1]);
      t = *c;
    }
    if (IsNull(*t)) t = arrow::int32();
    if (!IsIntegral(*t)) return UnexpectedInputType(name, 0, "INTEGRAL", *t, name);
    BoundScalar b;
    b.name = name;
    b.arg_types.assign(arity, t);
    b.return_type = t;
    b.kernel = MakeKernel([arrow_name](const std::vector<arrow::Datum>& a, int64_t,
                                       const EvalContext&) -> Result<arrow::Datum> {
      return arrow::compute::CallFunction(arrow_name, a);
    });
    return b;
  };
}

ScalarBinder ShiftBinder(int kind) {
  return [kind](const std::string& name, const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
    TypePtr t = args[0];
    if (t->id() == arrow::Type::INT8 || t->id() == arrow::Type::INT16 || IsNull(*t)) {
      t = arrow::int32();
    }
    if (t->id() != arrow::Type::INT32 && t->id() != arrow::Type::INT64) {
      return UnexpectedInputType(name, 0, "(\"INT\" or \"BIGINT\")", *args[0], name);
    }
    if (!ImplicitCastTarget(args[1], arrow::int32())) {
      return UnexpectedInputType(name, 1, "INT", *args[1], name);
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = {t, arrow::int32()};
    b.return_type = t;
    const bool wide = t->id() == arrow::Type::INT64;
    b.kernel = RowKernel(t, [kind, wide](const std::vector<ArgReader>& a, int64_t i,
                                         OutBuilder& out, const EvalContext&) {
      const int64_t n = a[1].Int(i) & (wide ? 63 : 31);
      if (wide) {
        const int64_t v = a[0].Int(i);
        if (kind == 0) return out.Int(static_cast<int64_t>(static_cast<uint64_t>(v) << n));
        if (kind == 1) return out.Int(v >> n);
        return out.Int(static_cast<int64_t>(static_cast<uint64_t>(v) >> n));
      }
      const int32_t v = static_cast<int32_t>(a[0].Int(i));
      if (kind == 0) return out.Int(static_cast<int32_t>(static_cast<uint32_t>(v) << n));
      if (kind == 1) return out.Int(v >> n);
      return out.Int(static_cast<int32_t>(static_cast<uint32_t>(v) >> n));
    });
    return b;
  };
}

ScalarBinder NullTestBinder(bool want_null) {
  return [want_null](const std::string& name,
                     const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
    BoundScalar b;
    b.name = name;
    b.arg_types = {args[0]};
    b.return_type = arrow::boolean();
    b.kernel = RowKernel(
        arrow::boolean(),
        [want_null](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                    const EvalContext&) { return out.Bool(a[0].IsNull(i) == want_null); },
        false);
    return b;
  };
}

}  // namespace

void RegisterPredicates(FunctionTable* table) {
  for (const char* n : {"=", "==", "equal"}) table->AddScalar(n, ComparisonBinder(Cmp::kEq));
  for (const char* n : {"!=", "<>", "not_equal"}) table->AddScalar(n, ComparisonBinder(Cmp::kNe));
  for (const char* n : {"<", "less_than"}) table->AddScalar(n, ComparisonBinder(Cmp::kLt));
  for (const char* n : {"<=", "less_than_or_equal"}) table->AddScalar(n, ComparisonBinder(Cmp::kLe));
  for (const char* n : {">", "greater_than"}) table->AddScalar(n, ComparisonBinder(Cmp::kGt));
  for (const char* n : {">=", "greater_than_or_equal"}) {
    table->AddScalar(n, ComparisonBinder(Cmp::kGe));
  }
  table->AddScalar("<=>", BindEqualNull);
  table->AddScalar("equal_null", BindEqualNull);
  table->AddScalar("not", ArrowBooleanBinder("invert", 1));
  table->AddScalar("!", ArrowBooleanBinder("invert", 1));
  table->AddScalar("and", ArrowBooleanBinder("and_kleene", 2));
  table->AddScalar("or", ArrowBooleanBinder("or_kleene", 2));
  table->AddScalar("&", BitwiseBinder("bit_wise_and", 2));
  table->AddScalar("|", BitwiseBinder("bit_wise_or", 2));
  table->AddScalar("^", BitwiseBinder("bit_wise_xor", 2));
  table->AddScalar("~", BitwiseBinder("bit_wise_not", 1));
  table->AddScalar("shiftleft", ShiftBinder(0));
  table->AddScalar("shiftright", ShiftBinder(1));
  table->AddScalar("shiftrightunsigned", ShiftBinder(2));
  table->AddScalar("<<", ShiftBinder(0));
  table->AddScalar(">>", ShiftBinder(1));
  table->AddScalar(">>>", ShiftBinder(2));
  table->AddScalar("isnull", NullTestBinder(true));
  table->AddScalar("isnotnull", NullTestBinder(false));
}

}  // namespace basin::function
