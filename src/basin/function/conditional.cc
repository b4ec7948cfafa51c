// Conditional functions that evaluate every argument (if, nullif, nvl, nvl2, ifnull) and a few
// miscellaneous ones (typeof, assert_true, uuid). CASE and COALESCE are evaluated lazily by the
// executor, not here.

#include <random>

#include <arrow/compute/api.h>

#include "basin/function/kernel_support.h"
#include "basin/function/value_order.h"
#include "basin/types/geospatial_type.h"
#include "basin/types/variant_type.h"
#include "basin/types/year_month_interval_type.h"

namespace basin::function {

namespace {

using S = std::vector<ArgReader>;

// Spark's DataType.simpleString ("int", "array<int>", "struct<a:int>", "map<string,int>").
std::string SimpleString(const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::LIST:
      return "array<" + SimpleString(*static_cast<const arrow::ListType&>(t).value_type()) + ">";
    case arrow::Type::MAP: {
      const auto& m = static_cast<const arrow::MapType&>(t);
      return "map<" + SimpleString(*m.key_type()) + "," + SimpleString(*m.item_type()) + ">";
    }
    case arrow::Type::STRUCT: {
      if (types::IsVariantType(t)) return "variant";
      if (auto spatial = types::SpatialTypeOf(t)) return types::SpatialTypeName(*spatial);
      std::string out = "struct<";
      for (int i = 0; i < t.num_fields(); ++i) {
        if (i > 0) out += ",";
        out += t.field(i)->name() + ":" + SimpleString(*t.field(i)->type());
      }
      return out + ">";
    }
    case arrow::Type::INTERVAL_MONTHS:
      return types::YearMonthIntervalName(types::YearMonthFieldsOf(t));
    case arrow::Type::DURATION:
      return "interval day to second";
    default:
      return ToLowerAscii(SqlTypeName(t));
  }
}

Result<TypePtr> Common(const std::string& name, const TypePtr& a, const TypePtr& b) {
  auto c = CommonType(a, b);
  if (!c) {
    return DataTypeMismatch("DATA_DIFF_TYPES",
                            "Cannot resolve \"" + name + "\" due to data type mismatch: Input to `" +
                                name + "` should all be the same type, but it's [\"" +
                                SqlTypeName(*a) + "\", \"" + SqlTypeName(*b) + "\"].");
  }
  return *c;
}

Result<BoundScalar> BindIf(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 3) return WrongNumArgs(name, "3", args.size());
  if (!ImplicitCastTarget(args[0], arrow::boolean())) {
    return UnexpectedInputType(name, 0, "BOOLEAN", *args[0], name);
  }
  ARROW_ASSIGN_OR_RAISE(auto t, Common(name, args[1], args[2]));
  BoundScalar b;
  b.name = name;
  b.arg_types = {arrow::boolean(), t, t};
  b.return_type = t;
  b.kernel = RowKernel(
      t,
      [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
        const bool c = !a[0].IsNull(i) && a[0].Bool(i);
        const ArgReader& pick = c ? a[1] : a[2];
        return out.CopyFrom(*pick.array(), pick.Index(i));
      },
      false);
  return b;
}

Result<BoundScalar> BindNvl(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
  ARROW_ASSIGN_OR_RAISE(auto t, Common(name, args[0], args[1]));
  BoundScalar b;
  b.name = name;
  b.arg_types = {t, t};
  b.return_type = t;
  b.kernel = RowKernel(
      t,
      [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
        const ArgReader& pick = a[0].IsNull(i) ? a[1] : a[0];
        return out.CopyFrom(*pick.array(), pick.Index(i));
      },
      false);
  return b;
}

Result<BoundScalar> BindNvl2(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 3) return WrongNumArgs(name, "3", args.size());
  ARROW_ASSIGN_OR_RAISE(auto t, Common(name, args[1], args[2]));
  BoundScalar b;
  b.name = name;
  b.arg_types = {args[0], t, t};
  b.return_type = t;
  b.kernel = RowKernel(
      t,
      [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
        const ArgReader& pick = a[0].IsNull(i) ? a[2] : a[1];
        return out.CopyFrom(*pick.array(), pick.Index(i));
      },
      false);
  return b;
}

Result<BoundScalar> BindNullIf(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
  ARROW_ASSIGN_OR_RAISE(auto t, Common(name, args[0], args[1]));
  BoundScalar b;
  b.name = name;
  b.arg_types = {t, t};
  // Spark compares in the common type but returns the first argument's value and type
  // (nullif(a, b) is if(a = b, NULL, a)).
  b.return_type = args[0]->id() == arrow::Type::NA ? t : args[0];
  auto compare = RowKernel(
      t,
      [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        if (a[0].IsNull(i)) return out.Null();
        if (!a[1].IsNull(i) &&
            ValuesEqual(*a[0].array(), a[0].Index(i), *a[1].array(), a[1].Index(i))) {
          return out.Null();
        }
        return out.CopyFrom(*a[0].array(), a[0].Index(i));
      },
      false);
  b.kernel = compare;
  if (!b.return_type->Equals(*t)) {
    // The first argument was widened to compare; its values narrow back without loss.
    TypePtr out_type = b.return_type;
    b.kernel = MakeKernel([compare, out_type](const std::vector<arrow::Datum>& a, int64_t n,
                                              const EvalContext& ctx) -> Result<arrow::Datum> {
      ARROW_ASSIGN_OR_RAISE(auto wide, compare->Execute(a, n, ctx));
      return arrow::compute::Cast(wide, out_type);
    });
  }
  return b;
}

}  // namespace

void RegisterConditionalFunctions(FunctionTable* table) {
  table->AddScalar("if", BindIf);
  table->AddScalar("iff", BindIf);
  table->AddScalar("nvl", BindNvl);
  table->AddScalar("ifnull", BindNvl);
  table->AddScalar("nvl2", BindNvl2);
  table->AddScalar("nullif", BindNullIf);
  table->AddScalar("typeof", [](const std::string& n,
                                const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != 1) return WrongNumArgs(n, "1", args.size());
    BoundScalar b;
    b.name = n;
    b.arg_types = args;
    b.return_type = arrow::utf8();
    std::string name = SimpleString(*args[0]);
    b.kernel = MakeKernel([name](const std::vector<arrow::Datum>&, int64_t,
                                 const EvalContext&) -> Result<arrow::Datum> {
      return arrow::Datum(std::make_shared<arrow::StringScalar>(name));
    });
    return b;
  });
  // assert_true(cond[, message]): null when cond is true, else USER_RAISED_EXCEPTION with the
  // message (Spark's default names the condition, which the function cannot see here).
  table->AddFixedOverloads(
      "assert_true",
      {{{arrow::boolean()}, arrow::null(),
        [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          if (a[0].IsNull(i) || !a[0].Bool(i)) {
            return UserError("USER_RAISED_EXCEPTION", "'assert_true' is not true!");
          }
          return out.Null();
        },
        false, true},
       {{arrow::boolean(), arrow::utf8()}, arrow::null(),
        [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          if (a[0].IsNull(i) || !a[0].Bool(i)) {
            return UserError("USER_RAISED_EXCEPTION",
                             a[1].IsNull(i) ? std::string("null") : std::string(a[1].Str(i)));
          }
          return out.Null();
        },
        false, true}});
  table->AddFixed("raise_error", {arrow::utf8()}, arrow::null(),
                  [](const S& a, int64_t i, OutBuilder&, const EvalContext&) -> Status {
                    return UserError("USER_RAISED_EXCEPTION",
                                     "" +
                                         std::string(a[0].IsNull(i) ? "null" : a[0].Str(i)));
                  },
                  false);
  table->AddFixed("uuid", {}, arrow::utf8(),
                  [](const S&, int64_t, OutBuilder& out, const EvalContext&) {
                    static thread_local std::mt19937_64 gen(std::random_device{}());
                    uint64_t hi = gen(), lo = gen();
                    hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
                    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
                    char buf[40];
                    std::snprintf(buf, sizeof(buf), "%08llx-%04llx-%04llx-%04llx-%012llx",
                                  static_cast<unsigned long long>(hi >> 32),
                                  static_cast<unsigned long long>((hi >> 16) & 0xffff),
                                  static_cast<unsigned long long>(hi & 0xffff),
                                  static_cast<unsigned long long>(lo >> 48),
                                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
                    return out.Str(buf);
                  },
                  true, false);
}

}  // namespace basin::function
