#pragma once

// Building blocks shared by the function families: reading kernel arguments row by row (array or
// scalar alike), appending results of any Spark type, the registration table that each family
// fills, and the error constructors with Spark's error classes.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/api.h>
#include <arrow/util/decimal.h>

#include "basin/types/time_zone.h"
#include "basin/function/function.h"

namespace basin::function {

/// Reads one kernel argument by row; a scalar argument answers the same value for every row.
class ArgReader {
 public:
  /// Wraps `datum` (an array or a scalar).
  explicit ArgReader(const arrow::Datum& datum);
  /// Returns the physical index of logical row `i`.
  int64_t Index(int64_t i) const { return scalar_ ? 0 : i; }
  /// Returns true when row `i` is null.
  bool IsNull(int64_t i) const { return array_->IsNull(Index(i)); }
  /// Returns the argument's type.
  const TypePtr& type() const { return array_->type(); }
  /// Returns the underlying array (one row for a scalar).
  const std::shared_ptr<arrow::Array>& array() const { return array_; }
  /// Returns an integer-like value (integers, boolean, date, timestamp, intervals).
  int64_t Int(int64_t i) const;
  /// Returns a numeric value as double (integers, floats and decimals).
  double Double(int64_t i) const;
  /// Returns the bytes of a string or binary value.
  std::string_view Str(int64_t i) const;
  /// Returns a decimal value (unscaled, in the argument's own scale).
  arrow::Decimal128 Dec(int64_t i) const;
  /// Returns a boolean value.
  bool Bool(int64_t i) const;

 private:
  std::shared_ptr<arrow::Array> array_;
  bool scalar_;
};

/// Appends kernel results of any type.
class OutBuilder {
 public:
  /// Creates a builder for `type`.
  static Result<std::unique_ptr<OutBuilder>> Make(const TypePtr& type, int64_t capacity);
  /// Appends a null.
  Status Null() { return builder_->AppendNull(); }
  /// Appends an integer-like value (integers, date, timestamp, intervals) or a boolean.
  Status Int(int64_t v);
  /// Appends a floating-point value.
  Status Double(double v);
  /// Appends a boolean.
  Status Bool(bool v);
  /// Appends a string or binary value.
  Status Str(std::string_view v);
  /// Appends a decimal value already in the output scale.
  Status Dec(const arrow::Decimal128& v);
  /// Appends a CALENDAR INTERVAL (month_day_nano_interval).
  Status MonthDayNano(int32_t months, int32_t days, int64_t nanoseconds);
  /// Appends row `i` of `array` (same type as the output).
  Status CopyFrom(const arrow::Array& array, int64_t i);
  /// Returns the underlying Arrow builder (for nested results).
  arrow::ArrayBuilder* builder() { return builder_.get(); }
  /// Finishes the array, or its only value as a scalar when `scalar`.
  Result<arrow::Datum> Finish(bool scalar);

 private:
  std::unique_ptr<arrow::ArrayBuilder> builder_;
  TypePtr type_;
};

/// Returns true when every argument is a scalar (the kernel then returns a scalar).
bool AllScalar(const std::vector<arrow::Datum>& args);

/// The unscaled values of a decimal128 argument as 128-bit integers (Arrow's little-endian
/// two's complement): the array's values, or nullptr with the scalar's value in `*constant`.
const __int128* Decimal128Values(const arrow::Datum& arg, __int128* constant);

/// The validity of a result over `args`: the AND of the array arguments' validity bitmaps
/// (scalars count as valid), or nullptr when no row is null. Sets `*null_count`.
Result<std::shared_ptr<arrow::Buffer>> AndValidity(const std::vector<arrow::Datum>& args,
                                                   int64_t length, int64_t* null_count);

/// Signature of a kernel body.
using KernelFn = std::function<Result<arrow::Datum>(const std::vector<arrow::Datum>&, int64_t,
                                                    const EvalContext&)>;

/// Wraps a kernel body as a ScalarKernel.
std::shared_ptr<const ScalarKernel> MakeKernel(KernelFn fn);

/// Signature of a per-row body: reads row `i` of `args` and appends one value to `out`.
using RowFn = std::function<Status(const std::vector<ArgReader>& args, int64_t i,
                                   OutBuilder& out, const EvalContext& context)>;

/// Builds a kernel that calls `row` for every row; when `null_in_null_out`, rows with a null
/// argument give null without calling `row`.
/// A kernel without arguments gives one scalar unless `per_row` (non-deterministic functions such
/// as uuid() give a fresh value on every row).
std::shared_ptr<const ScalarKernel> RowKernel(TypePtr return_type, RowFn row,
                                              bool null_in_null_out = true, bool per_row = false);

/// Binds a scalar function for argument types that it may coerce.
using ScalarBinder =
    std::function<Result<BoundScalar>(const std::string& name, const std::vector<TypePtr>& args)>;
/// Binds an aggregate function.
using AggregateBinder = std::function<Result<BoundAggregate>(const std::string& name,
                                                             const std::vector<TypePtr>& args)>;

/// Binds a scalar function that reads constant arguments (empty Datum for non-constants).
using ConstantBinder = std::function<Result<BoundScalar>(
    const std::string& name, const std::vector<TypePtr>& args,
    const std::vector<arrow::Datum>& constants)>;

/// Binds an aggregate function that reads constant arguments (empty Datum for non-constants).
using ConstantAggregateBinder = std::function<Result<BoundAggregate>(
    const std::string& name, const std::vector<TypePtr>& args,
    const std::vector<arrow::Datum>& constants)>;

/// The table that each function family registers into.
class FunctionTable {
 public:
  /// Registers scalar function `name` (lower case).
  void AddScalar(const std::string& name, ScalarBinder binder);
  /// Registers scalar function `name` whose binding reads constant arguments; BindScalar without
  /// constants calls it with empty Datums.
  void AddScalarWithConstants(const std::string& name, ConstantBinder binder);
  /// Registers aggregate function `name` (lower case).
  void AddAggregate(const std::string& name, AggregateBinder binder);
  /// Registers aggregate function `name` whose binding reads constant arguments (kll_sketch_agg's
  /// k); BindAggregate without constants calls it with empty Datums.
  void AddAggregateWithConstants(const std::string& name, ConstantAggregateBinder binder);
  /// Registers a scalar function with fixed parameter types: arguments are implicitly cast to
  /// `params` (Spark's ANSI implicit casts) and `row` computes one value.
  void AddFixed(const std::string& name, std::vector<TypePtr> params, TypePtr return_type,
                RowFn row, bool null_in_null_out = true, bool deterministic = true);
  /// One fixed signature of a function registered with AddFixedOverloads.
  struct FixedOverload {
    std::vector<TypePtr> params;
    TypePtr return_type;
    RowFn row;
    bool null_in_null_out = true;
    bool deterministic = true;
  };
  /// Registers a function with one fixed signature per number of arguments (levenshtein(a, b)
  /// and levenshtein(a, b, threshold)).
  void AddFixedOverloads(const std::string& name, std::vector<FixedOverload> overloads);

  const std::map<std::string, ScalarBinder>& scalars() const { return scalars_; }
  const std::map<std::string, AggregateBinder>& aggregates() const { return aggregates_; }
  const std::map<std::string, ConstantBinder>& constant_scalars() const { return constant_scalars_; }
  const std::map<std::string, ConstantAggregateBinder>& constant_aggregates() const {
    return constant_aggregates_;
  }

 private:
  std::map<std::string, ConstantBinder> constant_scalars_;
  std::map<std::string, ScalarBinder> scalars_;
  std::map<std::string, AggregateBinder> aggregates_;
  std::map<std::string, ConstantAggregateBinder> constant_aggregates_;
};

// Registration entry points of each family.
void RegisterArithmetic(FunctionTable* table);
void RegisterPredicates(FunctionTable* table);
void RegisterMath(FunctionTable* table);
void RegisterStringFunctions(FunctionTable* table);
void RegisterRegexFunctions(FunctionTable* table);
void RegisterDatetimeFunctions(FunctionTable* table);
void RegisterHashFunctions(FunctionTable* table);
void RegisterCollectionFunctions(FunctionTable* table);
void RegisterJsonFunctions(FunctionTable* table);
void RegisterVariantFunctions(FunctionTable* table);
/// Registers the ST functions over GEOMETRY and GEOGRAPHY (geospatial_functions.cc).
void RegisterGeospatialFunctions(FunctionTable* table);
void RegisterConditionalFunctions(FunctionTable* table);
void RegisterAggregates(FunctionTable* table);
/// Registers bit_*, skewness/kurtosis, regr_*, listagg, percentile_cont/disc, histogram_numeric
/// and mode(x, deterministic). Must run after RegisterAggregates, whose mode it extends.
void RegisterMoreAggregates(FunctionTable* table);
/// Registers the newer Spark 4 scalar functions (the more_*_functions.cc files).
void RegisterMoreScalarFunctions(FunctionTable* table);
void RegisterMoreDatetimeFunctions(FunctionTable* table);
void RegisterMoreMathFunctions(FunctionTable* table);
void RegisterMoreStringFunctions(FunctionTable* table);
void RegisterMoreMapAndArrayFunctions(FunctionTable* table);
void RegisterMoreJsonFunctions(FunctionTable* table);
void RegisterRandomFunctions(FunctionTable* table);
void RegisterNumberFormatFunctions(FunctionTable* table);
void RegisterCharsetFunctions(FunctionTable* table);
void RegisterTimeWindowFunctions(FunctionTable* table);
/// Registers the TIME functions (time_functions.cc) and the TIME forms of hour, minute, second,
/// extract and make_timestamp*. Must run after the date and time families it extends.
void RegisterTimeFunctions(FunctionTable* table);
/// Registers the kll_sketch_* family (kll_functions.cc).
void RegisterKllFunctions(FunctionTable* table);

// Type predicates.
bool IsIntegral(const arrow::DataType& t);
/// Orders the numeric types by width for widening: tinyint 1 ... bigint 4, float 6, double 7;
/// 0 for other types.
int NumericRank(const arrow::DataType& t);
bool IsFloating(const arrow::DataType& t);
bool IsDecimal(const arrow::DataType& t);
bool IsNumeric(const arrow::DataType& t);
bool IsStringLike(const arrow::DataType& t);
bool IsTimestamp(const arrow::DataType& t);
bool IsNull(const arrow::DataType& t);

/// Returns Spark's SQL name of a type in upper case, as error messages quote it ("INT",
/// "DECIMAL(10,2)", "ARRAY<STRING>").
std::string SqlTypeName(const arrow::DataType& type);
/// Returns the implicit cast target of `from` for a parameter of type `to` under ANSI rules, or
/// nullptr when Spark does not cast implicitly.
TypePtr ImplicitCastTarget(const TypePtr& from, const TypePtr& to);
/// True when Spark's ImplicitCastInputTypes functions (make_date, make_timestamp, ...) take `from`
/// for a parameter of numeric type `to`: an implicit cast, or any number or string (cast at run
/// time with ANSI store-assignment rules, so overflow raises CAST_OVERFLOW).
bool NumericInputAccepts(const TypePtr& from, const TypePtr& to);
/// True for TINYINT, SMALLINT, INT and NULL: what Spark's functions that take an INT without
/// narrowing accept (date_add's days, element_at's index, array_repeat's count).
bool IntegralUpToInt(const arrow::DataType& t);
/// Appends the UTF-8 bytes of code point `cp` to `out`.
void AppendUtf8(uint32_t cp, std::string* out);
/// The arguments of make_timestamp and its _ntz/_ltz/try_ forms: year, month, day, hour and
/// minute as INT, seconds as DECIMAL(16,6), then an optional zone (up to `max_args`). Fills
/// `b->name` and `b->arg_types`; WRONG_NUM_ARGS or UNEXPECTED_INPUT_TYPE otherwise.
Status BindMakeTimestampArgs(const std::string& name, const std::vector<TypePtr>& args,
                             size_t max_args, BoundScalar* b);
/// Returns the decimal type that an integral type widens to (int -> decimal(10,0)).
TypePtr DecimalForIntegral(const arrow::DataType& t);
/// Bounds a decimal result type as Spark's DecimalPrecision.adjustPrecisionScale does.
TypePtr AdjustedDecimal(int precision, int scale);

/// The standard Spark timestamp type: microseconds, UTC-normalized.
TypePtr TimestampType();
/// Spark's timestamp_ntz type.
TypePtr TimestampNtzType();
/// Spark's TIME type: nanoseconds of the day.
TypePtr TimeType();

// Errors with Spark's error classes.
Status ArithmeticOverflow(std::string_view message, std::string_view try_function);
Status DivideByZero();
/// Spark's REMAINDER_BY_ZERO error (`%`, mod and pmod by zero under ANSI).
Status RemainderByZero();
Status WrongNumArgs(const std::string& name, const std::string& expected, size_t actual);
Status UnexpectedInputType(const std::string& name, size_t param_index,
                           const std::string& required, const arrow::DataType& actual,
                           const std::string& sql);
Status DataTypeMismatch(const std::string& sub_class, const std::string& message);
/// DATATYPE_MISMATCH.NON_FOLDABLE_INPUT: argument `input` of `name` must be a constant of SQL
/// type `type` ("STRING", ...).
Status NonFoldableInput(const std::string& name, const std::string& input,
                        const std::string& type);
/// Checks that the first `count` arguments cast implicitly to STRING (UNEXPECTED_INPUT_TYPE
/// otherwise) and appends STRING to `arg_types` for each.
Status RequireStringArgs(const std::string& name, const std::vector<TypePtr>& args, size_t count,
                         std::vector<TypePtr>* arg_types);

/// Reverses a UTF-8 string by code points.
std::string ReverseUtf8(std::string_view s);

/// Lower-cases ASCII letters.
std::string ToLowerAscii(std::string_view s);

/// Returns UTC micros -> local wall-clock micros in `zone` for every value of `utc`.
Result<std::vector<int64_t>> ToLocalMicros(const std::vector<int64_t>& utc, const std::string& zone);
/// Returns local wall-clock micros in `zone` -> UTC micros (gaps move forward, overlaps take the
/// earlier instant, as java.time does).
Result<std::vector<int64_t>> FromLocalMicros(const std::vector<int64_t>& local,
                                             const std::string& zone);
// One UTC instant <-> local wall-clock micros, and a zone's offset (types/time_zone.h).
using types::FromLocal;
using types::ToLocal;
using types::ZoneOffsetSeconds;

/// Adds months to a date as Spark's add_months does (the day is clamped to the month's end).
Result<int64_t> AddMonthsToDays(int64_t days, int64_t months);

/// Floor division and modulo for calendar math.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
inline int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400LL * 1000000;
constexpr int64_t kNanosPerSecond = 1000000000;
constexpr int64_t kNanosPerDay = 86400LL * kNanosPerSecond;

}  // namespace basin::function
