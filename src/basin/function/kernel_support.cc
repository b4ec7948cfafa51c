#include "basin/function/kernel_support.h"

#include "basin/types/geospatial_type.h"
#include "basin/types/numeric_rank.h"

#include <cctype>

#include <arrow/compute/api.h>
#include <arrow/util/bitmap_ops.h>
#include <arrow/vendored/datetime.h>

#include "basin/types/schema_json.h"
#include "basin/types/variant_type.h"
#include "basin/types/year_month_interval_type.h"

namespace basin::function {

ArgReader::ArgReader(const arrow::Datum& datum) {
  if (datum.is_scalar()) {
    auto made = arrow::MakeArrayFromScalar(*datum.scalar(), 1);
    array_ = made.ok() ? *made : std::make_shared<arrow::NullArray>(1);
    scalar_ = true;
  } else {
    array_ = datum.make_array();
    scalar_ = false;
  }
}

int64_t ArgReader::Int(int64_t i) const {
  const int64_t k = Index(i);
  switch (array_->type_id()) {
    case arrow::Type::BOOL:
      return static_cast<const arrow::BooleanArray&>(*array_).Value(k) ? 1 : 0;
    case arrow::Type::INT8:
      return static_cast<const arrow::Int8Array&>(*array_).Value(k);
    case arrow::Type::INT16:
      return static_cast<const arrow::Int16Array&>(*array_).Value(k);
    case arrow::Type::INT32:
      return static_cast<const arrow::Int32Array&>(*array_).Value(k);
    case arrow::Type::INT64:
      return static_cast<const arrow::Int64Array&>(*array_).Value(k);
    case arrow::Type::DATE32:
      return static_cast<const arrow::Date32Array&>(*array_).Value(k);
    case arrow::Type::TIMESTAMP:
      return static_cast<const arrow::TimestampArray&>(*array_).Value(k);
    case arrow::Type::TIME64:
      return static_cast<const arrow::Time64Array&>(*array_).Value(k);
    case arrow::Type::DURATION:
      return static_cast<const arrow::DurationArray&>(*array_).Value(k);
    case arrow::Type::INTERVAL_MONTHS:
      return static_cast<const arrow::MonthIntervalArray&>(*array_).Value(k);
    case arrow::Type::FLOAT:
      return static_cast<int64_t>(static_cast<const arrow::FloatArray&>(*array_).Value(k));
    case arrow::Type::DOUBLE:
      return static_cast<int64_t>(static_cast<const arrow::DoubleArray&>(*array_).Value(k));
    default:
      return 0;
  }
}

double ArgReader::Double(int64_t i) const {
  const int64_t k = Index(i);
  switch (array_->type_id()) {
    case arrow::Type::FLOAT:
      return static_cast<const arrow::FloatArray&>(*array_).Value(k);
    case arrow::Type::DOUBLE:
      return static_cast<const arrow::DoubleArray&>(*array_).Value(k);
    case arrow::Type::DECIMAL128: {
      const auto& t = static_cast<const arrow::Decimal128Type&>(*array_->type());
      return Dec(i).ToDouble(t.scale());
    }
    default:
      return static_cast<double>(Int(i));
  }
}

std::string_view ArgReader::Str(int64_t i) const {
  const int64_t k = Index(i);
  switch (array_->type_id()) {
    case arrow::Type::STRING:
      return static_cast<const arrow::StringArray&>(*array_).GetView(k);
    case arrow::Type::BINARY:
      return static_cast<const arrow::BinaryArray&>(*array_).GetView(k);
    case arrow::Type::LARGE_STRING:
      return static_cast<const arrow::LargeStringArray&>(*array_).GetView(k);
    case arrow::Type::STRING_VIEW:
      return static_cast<const arrow::StringViewArray&>(*array_).GetView(k);
    default:
      return {};
  }
}

arrow::Decimal128 ArgReader::Dec(int64_t i) const {
  const int64_t k = Index(i);
  if (array_->type_id() == arrow::Type::DECIMAL128) {
    return arrow::Decimal128(static_cast<const arrow::Decimal128Array&>(*array_).GetValue(k));
  }
  return arrow::Decimal128(Int(i));
}

bool ArgReader::Bool(int64_t i) const { return Int(i) != 0; }

Result<std::unique_ptr<OutBuilder>> OutBuilder::Make(const TypePtr& type, int64_t capacity) {
  auto out = std::make_unique<OutBuilder>();
  ARROW_ASSIGN_OR_RAISE(out->builder_, arrow::MakeBuilder(type));
  RETURN_NOT_OK(out->builder_->Reserve(capacity));
  out->type_ = type;
  return out;
}

Status OutBuilder::MonthDayNano(int32_t months, int32_t days, int64_t nanoseconds) {
  if (type_->id() != arrow::Type::INTERVAL_MONTH_DAY_NANO) {
    return InternalError("MonthDayNano() on a " + type_->ToString() + " builder");
  }
  return static_cast<arrow::MonthDayNanoIntervalBuilder&>(*builder_).Append({months, days,
                                                                             nanoseconds});
}

Status OutBuilder::Int(int64_t v) {
  switch (type_->id()) {
    case arrow::Type::BOOL:
      return static_cast<arrow::BooleanBuilder&>(*builder_).Append(v != 0);
    case arrow::Type::INT8:
      return static_cast<arrow::Int8Builder&>(*builder_).Append(static_cast<int8_t>(v));
    case arrow::Type::INT16:
      return static_cast<arrow::Int16Builder&>(*builder_).Append(static_cast<int16_t>(v));
    case arrow::Type::INT32:
      return static_cast<arrow::Int32Builder&>(*builder_).Append(static_cast<int32_t>(v));
    case arrow::Type::INT64:
      return static_cast<arrow::Int64Builder&>(*builder_).Append(v);
    case arrow::Type::DATE32:
      return static_cast<arrow::Date32Builder&>(*builder_).Append(static_cast<int32_t>(v));
    case arrow::Type::TIMESTAMP:
      return static_cast<arrow::TimestampBuilder&>(*builder_).Append(v);
    case arrow::Type::TIME64:
      return static_cast<arrow::Time64Builder&>(*builder_).Append(v);
    case arrow::Type::DURATION:
      return static_cast<arrow::DurationBuilder&>(*builder_).Append(v);
    case arrow::Type::INTERVAL_MONTHS:
      return static_cast<arrow::MonthIntervalBuilder&>(*builder_).Append(static_cast<int32_t>(v));
    case arrow::Type::FLOAT:
      return static_cast<arrow::FloatBuilder&>(*builder_).Append(static_cast<float>(v));
    case arrow::Type::DOUBLE:
      return static_cast<arrow::DoubleBuilder&>(*builder_).Append(static_cast<double>(v));
    case arrow::Type::DECIMAL128:
      return static_cast<arrow::Decimal128Builder&>(*builder_).Append(arrow::Decimal128(v));
    default:
      return InternalError("OutBuilder::Int on " + type_->ToString());
  }
}

Status OutBuilder::Double(double v) {
  switch (type_->id()) {
    case arrow::Type::FLOAT:
      return static_cast<arrow::FloatBuilder&>(*builder_).Append(static_cast<float>(v));
    case arrow::Type::DOUBLE:
      return static_cast<arrow::DoubleBuilder&>(*builder_).Append(v);
    default:
      return Int(static_cast<int64_t>(v));
  }
}

Status OutBuilder::Bool(bool v) { return Int(v ? 1 : 0); }

Status OutBuilder::Str(std::string_view v) {
  switch (type_->id()) {
    case arrow::Type::STRING:
      return static_cast<arrow::StringBuilder&>(*builder_).Append(v);
    case arrow::Type::BINARY:
      return static_cast<arrow::BinaryBuilder&>(*builder_).Append(v);
    default:
      return InternalError("OutBuilder::Str on " + type_->ToString());
  }
}

Status OutBuilder::Dec(const arrow::Decimal128& v) {
  if (type_->id() != arrow::Type::DECIMAL128) {
    return InternalError("OutBuilder::Dec on " + type_->ToString());
  }
  return static_cast<arrow::Decimal128Builder&>(*builder_).Append(v);
}

Status OutBuilder::CopyFrom(const arrow::Array& array, int64_t i) {
  return builder_->AppendArraySlice(*array.data(), i, 1);
}

Result<arrow::Datum> OutBuilder::Finish(bool scalar) {
  std::shared_ptr<arrow::Array> array;
  RETURN_NOT_OK(builder_->Finish(&array));
  if (scalar) {
    ARROW_ASSIGN_OR_RAISE(auto s, array->GetScalar(0));
    return arrow::Datum(std::move(s));
  }
  return arrow::Datum(std::move(array));
}

bool AllScalar(const std::vector<arrow::Datum>& args) {
  for (const auto& a : args) {
    if (!a.is_scalar()) return false;
  }
  return true;
}

const __int128* Decimal128Values(const arrow::Datum& arg, __int128* constant) {
  if (arg.is_scalar()) {
    const auto& v = static_cast<const arrow::Decimal128Scalar&>(*arg.scalar()).value;
    *constant = static_cast<__int128>(static_cast<unsigned __int128>(v.high_bits()) << 64 |
                                      v.low_bits());
    return nullptr;
  }
  const auto& a = *arg.array();
  return reinterpret_cast<const __int128*>(a.buffers[1]->data()) + a.offset;
}

Result<std::shared_ptr<arrow::Buffer>> AndValidity(const std::vector<arrow::Datum>& args,
                                                   int64_t length, int64_t* null_count) {
  std::vector<const arrow::ArrayData*> arrays;  // the arguments that may hold nulls
  for (const auto& arg : args) {
    if (arg.is_array() && arg.array()->MayHaveNulls()) arrays.push_back(arg.array().get());
  }
  std::shared_ptr<arrow::Buffer> validity;
  if (arrays.size() == 1 && arrays[0]->offset == 0) {
    validity = arrays[0]->buffers[0];
  } else if (!arrays.empty()) {
    ARROW_ASSIGN_OR_RAISE(validity, arrow::internal::CopyBitmap(arrow::default_memory_pool(),
                                                                arrays[0]->buffers[0]->data(),
                                                                arrays[0]->offset, length));
    for (size_t k = 1; k < arrays.size(); ++k) {
      ARROW_ASSIGN_OR_RAISE(validity,
                            arrow::internal::BitmapAnd(arrow::default_memory_pool(),
                                                       validity->data(), 0,
                                                       arrays[k]->buffers[0]->data(),
                                                       arrays[k]->offset, length, 0));
    }
  }
  *null_count = 0;
  if (validity) *null_count = length - arrow::internal::CountSetBits(validity->data(), 0, length);
  if (*null_count == 0) validity = nullptr;
  return validity;
}

namespace {
class LambdaKernel : public ScalarKernel {
 public:
  explicit LambdaKernel(KernelFn fn) : fn_(std::move(fn)) {}
  Result<arrow::Datum> Execute(const std::vector<arrow::Datum>& args, int64_t length,
                               const EvalContext& context) const override {
    return fn_(args, length, context);
  }

 private:
  KernelFn fn_;
};
}  // namespace

std::shared_ptr<const ScalarKernel> MakeKernel(KernelFn fn) {
  return std::make_shared<LambdaKernel>(std::move(fn));
}

std::shared_ptr<const ScalarKernel> RowKernel(TypePtr return_type, RowFn row,
                                              bool null_in_null_out, bool per_row) {
  return MakeKernel([return_type, row, null_in_null_out, per_row](
                        const std::vector<arrow::Datum>& args, int64_t length,
                        const EvalContext& context) -> Result<arrow::Datum> {
    const bool scalar = AllScalar(args) && !per_row;
    const int64_t n = scalar ? 1 : length;
    std::vector<ArgReader> readers;
    readers.reserve(args.size());
    for (const auto& a : args) readers.emplace_back(a);
    ARROW_ASSIGN_OR_RAISE(auto out, OutBuilder::Make(return_type, n));
    for (int64_t i = 0; i < n; ++i) {
      bool any_null = false;
      if (null_in_null_out) {
        for (const auto& r : readers) {
          if (r.IsNull(i)) {
            any_null = true;
            break;
          }
        }
      }
      if (any_null) {
        RETURN_NOT_OK(out->Null());
      } else {
        RETURN_NOT_OK(row(readers, i, *out, context));
      }
    }
    return out->Finish(scalar);
  });
}

void FunctionTable::AddScalar(const std::string& name, ScalarBinder binder) {
  scalars_[name] = std::move(binder);
}

void FunctionTable::AddScalarWithConstants(const std::string& name, ConstantBinder binder) {
  constant_scalars_[name] = binder;
  AddScalar(name, [binder](const std::string& n, const std::vector<TypePtr>& args) {
    return binder(n, args, std::vector<arrow::Datum>(args.size()));
  });
}

void FunctionTable::AddAggregate(const std::string& name, AggregateBinder binder) {
  aggregates_[name] = std::move(binder);
}

void FunctionTable::AddAggregateWithConstants(const std::string& name,
                                              ConstantAggregateBinder binder) {
  constant_aggregates_[name] = binder;
  AddAggregate(name, [binder](const std::string& n, const std::vector<TypePtr>& args) {
    return binder(n, args, std::vector<arrow::Datum>(args.size()));
  });
}

namespace {
// Binds one fixed-parameter signature: arguments are implicitly cast to `params`.
Result<BoundScalar> BindFixedSignature(const std::string& fname, const std::vector<TypePtr>& args,
                                       const std::vector<TypePtr>& params,
                                       const TypePtr& return_type,
                                       const std::shared_ptr<const ScalarKernel>& kernel,
                                       bool deterministic) {
  BoundScalar bound;
  bound.name = fname;
  for (size_t i = 0; i < args.size(); ++i) {
    TypePtr target = ImplicitCastTarget(args[i], params[i]);
    if (!target) {
      return UnexpectedInputType(fname, i, SqlTypeName(*params[i]), *args[i], fname);
    }
    bound.arg_types.push_back(target);
  }
  bound.return_type = return_type;
  bound.deterministic = deterministic;
  bound.kernel = kernel;
  return bound;
}
}  // namespace

void FunctionTable::AddFixed(const std::string& name, std::vector<TypePtr> params,
                             TypePtr return_type, RowFn row, bool null_in_null_out,
                             bool deterministic) {
  AddFixedOverloads(name, {FixedOverload{std::move(params), std::move(return_type),
                                         std::move(row), null_in_null_out, deterministic}});
}

void FunctionTable::AddFixedOverloads(const std::string& name,
                                      std::vector<FixedOverload> overloads) {
  struct Bound {
    std::vector<TypePtr> params;
    TypePtr return_type;
    std::shared_ptr<const ScalarKernel> kernel;
    bool deterministic;
  };
  std::vector<Bound> signatures;
  std::string arities;
  for (auto& o : overloads) {
    auto kernel = RowKernel(o.return_type, std::move(o.row), o.null_in_null_out, !o.deterministic);
    arities += (arities.empty() ? "" : ", ") + std::to_string(o.params.size());
    signatures.push_back(Bound{std::move(o.params), o.return_type, kernel, o.deterministic});
  }
  if (signatures.size() > 1) arities = "[" + arities + "]";
  AddScalar(name, [signatures, arities](const std::string& fname,
                                        const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    for (const auto& sig : signatures) {
      if (sig.params.size() == args.size()) {
        return BindFixedSignature(fname, args, sig.params, sig.return_type, sig.kernel,
                                  sig.deterministic);
      }
    }
    return WrongNumArgs(fname, arities, args.size());
  });
}

bool IsIntegral(const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
      return true;
    default:
      return false;
  }
}
bool IsFloating(const arrow::DataType& t) {
  return t.id() == arrow::Type::FLOAT || t.id() == arrow::Type::DOUBLE;
}
bool IsDecimal(const arrow::DataType& t) { return t.id() == arrow::Type::DECIMAL128; }
bool IsNumeric(const arrow::DataType& t) { return IsIntegral(t) || IsFloating(t) || IsDecimal(t); }
bool IsStringLike(const arrow::DataType& t) {
  return t.id() == arrow::Type::STRING || t.id() == arrow::Type::LARGE_STRING ||
         t.id() == arrow::Type::STRING_VIEW;
}
bool IsTimestamp(const arrow::DataType& t) { return t.id() == arrow::Type::TIMESTAMP; }
bool IsNull(const arrow::DataType& t) { return t.id() == arrow::Type::NA; }

Status NonFoldableInput(const std::string& name, const std::string& input,
                        const std::string& type) {
  return DataTypeMismatch("NON_FOLDABLE_INPUT",
                          "Cannot resolve \"" + name + "\" due to data type mismatch: the input " +
                              input + " should be a foldable \"" + type +
                              "\" expression; however, got a non-foldable one.");
}

Status RequireStringArgs(const std::string& name, const std::vector<TypePtr>& args, size_t count,
                         std::vector<TypePtr>* arg_types) {
  for (size_t k = 0; k < count && k < args.size(); ++k) {
    if (!ImplicitCastTarget(args[k], arrow::utf8())) {
      return UnexpectedInputType(name, k, "STRING", *args[k], name);
    }
    arg_types->push_back(arrow::utf8());
  }
  return Status::OK();
}

bool IntegralUpToInt(const arrow::DataType& t) {
  const auto id = t.id();
  return id == arrow::Type::INT32 || id == arrow::Type::INT16 || id == arrow::Type::INT8 ||
         id == arrow::Type::NA;
}

bool NumericInputAccepts(const TypePtr& from, const TypePtr& to) {
  if (ImplicitCastTarget(from, to)) return true;
  const auto id = from->id();
  return IsNumeric(*from) || id == arrow::Type::STRING || id == arrow::Type::NA;
}

Status BindMakeTimestampArgs(const std::string& name, const std::vector<TypePtr>& args,
                             size_t max_args, BoundScalar* b) {
  if (args.size() < 6 || args.size() > max_args) {
    return WrongNumArgs(name, max_args == 6 ? "6" : "[6, " + std::to_string(max_args) + "]",
                        args.size());
  }
  b->name = name;
  b->arg_types = {arrow::int32(), arrow::int32(), arrow::int32(),
                  arrow::int32(), arrow::int32(), arrow::decimal128(16, 6)};
  if (args.size() == 7) b->arg_types.push_back(arrow::utf8());
  for (size_t k = 0; k < args.size(); ++k) {
    if (!(k < 6 ? NumericInputAccepts(args[k], b->arg_types[k])
                : static_cast<bool>(ImplicitCastTarget(args[k], b->arg_types[k])))) {
      return UnexpectedInputType(name, k, SqlTypeName(*b->arg_types[k]), *args[k], name);
    }
  }
  return Status::OK();
}

std::string SqlTypeName(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::NA:
      return "VOID";
    case arrow::Type::BOOL:
      return "BOOLEAN";
    case arrow::Type::INT8:
      return "TINYINT";
    case arrow::Type::INT16:
      return "SMALLINT";
    case arrow::Type::INT32:
      return "INT";
    case arrow::Type::INT64:
      return "BIGINT";
    case arrow::Type::FLOAT:
      return "FLOAT";
    case arrow::Type::DOUBLE:
      return "DOUBLE";
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW:
      return "STRING";
    case arrow::Type::BINARY:
      return "BINARY";
    case arrow::Type::DATE32:
      return "DATE";
    case arrow::Type::TIMESTAMP:
      return static_cast<const arrow::TimestampType&>(type).timezone().empty() ? "TIMESTAMP_NTZ"
                                                                             : "TIMESTAMP";
    case arrow::Type::TIME64:
      return "TIME(6)";
    case arrow::Type::DECIMAL128: {
      const auto& d = static_cast<const arrow::Decimal128Type&>(type);
      return "DECIMAL(" + std::to_string(d.precision()) + "," + std::to_string(d.scale()) + ")";
    }
    case arrow::Type::LIST:
      return "ARRAY<" + SqlTypeName(*static_cast<const arrow::ListType&>(type).value_type()) +
             ">";
    case arrow::Type::MAP: {
      const auto& m = static_cast<const arrow::MapType&>(type);
      return "MAP<" + SqlTypeName(*m.key_type()) + ", " + SqlTypeName(*m.item_type()) + ">";
    }
    case arrow::Type::STRUCT: {
      if (types::IsVariantType(type)) return "VARIANT";
      if (auto spatial = types::SpatialTypeOf(type)) {
        std::string name = types::SpatialTypeName(*spatial);
        for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return name;
      }
      std::string out = "STRUCT<";
      for (int i = 0; i < type.num_fields(); ++i) {
        if (i > 0) out += ", ";
        out += type.field(i)->name() + ": " + SqlTypeName(*type.field(i)->type());
      }
      return out + ">";
    }
    case arrow::Type::INTERVAL_MONTHS: {
      std::string name = types::YearMonthIntervalName(types::YearMonthFieldsOf(type));
      for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return name;
    }
    case arrow::Type::DURATION:
      return "INTERVAL DAY TO SECOND";
    case arrow::Type::INTERVAL_MONTH_DAY_NANO:
      return "INTERVAL";
    default:
      return type.ToString();
  }
}

TypePtr DecimalForIntegral(const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::INT8:
      return arrow::decimal128(3, 0);
    case arrow::Type::INT16:
      return arrow::decimal128(5, 0);
    case arrow::Type::INT32:
      return arrow::decimal128(10, 0);
    case arrow::Type::INT64:
      return arrow::decimal128(20, 0);
    default:
      return nullptr;
  }
}

TypePtr AdjustedDecimal(int precision, int scale) {
  if (precision <= 38) return arrow::decimal128(precision, scale);
  const int int_digits = precision - scale;
  const int min_scale = std::min(scale, 6);
  const int adjusted_scale = std::max(38 - int_digits, min_scale);
  return arrow::decimal128(38, adjusted_scale);
}

TypePtr TimestampType() { return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"); }
TypePtr TimestampNtzType() { return arrow::timestamp(arrow::TimeUnit::MICRO); }
TypePtr TimeType() { return arrow::time64(arrow::TimeUnit::NANO); }

int NumericRank(const arrow::DataType& t) { return types::NumericRank(t.id()); }

namespace {
}  // namespace

TypePtr ImplicitCastTarget(const TypePtr& from, const TypePtr& to) {
  if (from->Equals(*to)) return to;
  if (IsNull(*from)) return to;
  if (IsNull(*to)) return from;  // a parameter declared as "any"
  if (IsNumeric(*from) && IsNumeric(*to)) {
    if (IsDecimal(*to)) {
      if (IsDecimal(*from)) return from;  // decimal parameters accept any decimal
      if (IsIntegral(*from)) return DecimalForIntegral(*from);
      return nullptr;
    }
    // An integral parameter takes any number, cast with ANSI store-assignment rules (overflow
    // raises CAST_OVERFLOW at run time), as AnsiTypeCoercion.implicitCast does for a concrete
    // expected type: repeat('a', 2L), substring(s, 2.0D).
    if (IsIntegral(*to)) return to;
    if (IsDecimal(*from)) return IsFloating(*to) ? to : nullptr;
    return NumericRank(*from) <= NumericRank(*to) ? to : nullptr;
  }
  if (IsStringLike(*from)) {
    // ANSI mode still promotes strings to the atomic parameter types (AnsiTypeCoercion).
    switch (to->id()) {
      case arrow::Type::INT8:
      case arrow::Type::INT16:
      case arrow::Type::INT32:
      case arrow::Type::INT64:
        return arrow::int64();
      case arrow::Type::DECIMAL128:
        return arrow::decimal128(38, 18);
      case arrow::Type::FLOAT:
      case arrow::Type::DOUBLE:
      case arrow::Type::DATE32:
      case arrow::Type::TIMESTAMP:
      case arrow::Type::TIME64:
      case arrow::Type::BOOL:
      case arrow::Type::BINARY:
        return to;
      default:
        return nullptr;
    }
  }
  if (IsStringLike(*to)) {
    // Atomic values become strings where a function expects one.
    if (IsNumeric(*from) || from->id() == arrow::Type::DATE32 || IsTimestamp(*from) ||
        from->id() == arrow::Type::TIME64 || from->id() == arrow::Type::BOOL ||
        from->id() == arrow::Type::BINARY) {
      return to;
    }
    return nullptr;
  }
  if (from->id() == arrow::Type::DATE32 && IsTimestamp(*to)) return to;
  if (IsTimestamp(*from) && to->id() == arrow::Type::DATE32) return to;
  if (IsTimestamp(*from) && IsTimestamp(*to)) return to;
  return nullptr;
}

Status ArithmeticOverflow(std::string_view message, std::string_view try_function) {
  std::string m = "" + std::string(message) + ".";
  if (!try_function.empty()) {
    m += " Use '" + std::string(try_function) + "' to tolerate overflow and return NULL instead.";
  }
  m += " If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.";
  return UserError("ARITHMETIC_OVERFLOW", m);
}

Status DivideByZero() {
  return UserError("DIVIDE_BY_ZERO",
                   "Division by zero. Use `try_divide` to tolerate divisor being "
                   "0 and return NULL instead. If necessary set \"spark.sql.ansi.enabled\" to "
                   "\"false\" to bypass this error.");
}

Status RemainderByZero() {
  return UserError("REMAINDER_BY_ZERO",
                   "Remainder by zero. Use `try_mod` to tolerate divisor being 0 and return NULL "
                   "instead. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass "
                   "this error.");
}

Status WrongNumArgs(const std::string& name, const std::string& expected, size_t actual) {
  return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                   "The `" + name + "` requires " + expected +
                       " parameters but the actual number is " + std::to_string(actual) +
                       ". Please, refer to 'https://spark.apache.org/docs/latest/sql-ref-functions.html' "
                       "for a fix.");
}

namespace {
std::string Ordinal(size_t index) {
  static const char* kNames[] = {"first", "second", "third", "fourth", "fifth",
                                 "sixth", "seventh", "eighth", "ninth", "tenth"};
  return index < 10 ? kNames[index] : std::to_string(index + 1) + "th";
}
}  // namespace

Status UnexpectedInputType(const std::string& name, size_t param_index,
                           const std::string& required, const arrow::DataType& actual,
                           const std::string& sql) {
  return UserError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
                   "Cannot resolve \"" + sql +
                       "\" due to data type mismatch: The " + Ordinal(param_index) +
                       " parameter requires the \"" + required +
                       "\" type, however the argument has the type \"" + SqlTypeName(actual) +
                       "\".");
}

Status DataTypeMismatch(const std::string& sub_class, const std::string& message) {
  return UserError("DATATYPE_MISMATCH." + sub_class,
                   message);
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<std::vector<int64_t>> ToLocalMicros(const std::vector<int64_t>& utc,
                                           const std::string& zone) {
  std::vector<int64_t> out(utc.size());
  for (size_t i = 0; i < utc.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(out[i], ToLocal(utc[i], zone));
  }
  return out;
}

Result<std::vector<int64_t>> FromLocalMicros(const std::vector<int64_t>& local,
                                             const std::string& zone) {
  std::vector<int64_t> out(local.size());
  for (size_t i = 0; i < local.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(out[i], FromLocal(local[i], zone));
  }
  return out;
}

}  // namespace basin::function
