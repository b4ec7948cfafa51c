// Spark's TIME functions: make_time, to_time / try_to_time, current_time, time_diff, time_trunc,
// hour / minute / second and extract over TIME, and the (date, time[, zone]) forms of
// make_timestamp, make_timestamp_ntz and their try_ variants. A TIME is time64(ns): nanoseconds
// of the day.

#include <algorithm>
#include <optional>
#include <string>

#include "basin/function/cast.h"
#include "basin/function/datetime_pattern.h"
#include "basin/function/kernel_support.h"

namespace basin::function {

namespace {

using S = std::vector<ArgReader>;

constexpr int64_t kNanosPerMicro = 1000;

bool IsTime(const arrow::DataType& t) { return t.id() == arrow::Type::TIME64; }

Status TimeFieldOutOfRange(const char* field, int64_t max, int64_t value) {
  return UserError("DATETIME_FIELD_OUT_OF_BOUNDS.WITHOUT_SUGGESTION",
                   std::string("Invalid value for ") + field + " (valid values 0 - " +
                       std::to_string(max) + "): " + std::to_string(value) + ".");
}

// The nanoseconds of one unit of time_diff / time_trunc, or nullopt for an unknown unit.
std::optional<int64_t> UnitNanos(std::string_view unit) {
  const std::string u = ToLowerAscii(unit);
  if (u == "hour") return 3600 * kNanosPerSecond;
  if (u == "minute") return 60 * kNanosPerSecond;
  if (u == "second") return kNanosPerSecond;
  if (u == "millisecond") return 1000 * kNanosPerMicro;
  if (u == "microsecond") return kNanosPerMicro;
  return std::nullopt;
}

Status InvalidUnit(const std::string& name, std::string_view unit) {
  return UserError("INVALID_PARAMETER_VALUE.TIME_UNIT",
                   "The value of parameter(s) `unit` in `" + name +
                       "` is invalid: expects one of the units 'HOUR', 'MINUTE', 'SECOND', "
                       "'MILLISECOND', 'MICROSECOND', but got ''" +
                       std::string(unit) + "''.");
}

// make_time(hour, minute, second): seconds as DECIMAL(16,6), as make_timestamp takes them.
Result<BoundScalar> BindMakeTime(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 3) return WrongNumArgs(name, "3", args.size());
  BoundScalar b;
  b.name = name;
  b.arg_types = {arrow::int32(), arrow::int32(), arrow::decimal128(16, 6)};
  for (size_t k = 0; k < args.size(); ++k) {
    if (!NumericInputAccepts(args[k], b.arg_types[k])) {
      return UnexpectedInputType(name, k, SqlTypeName(*b.arg_types[k]), *args[k], name);
    }
  }
  b.return_type = TimeType();
  b.kernel = RowKernel(
      b.return_type, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        const int64_t h = a[0].Int(i), m = a[1].Int(i);
        const int64_t sec_micros = static_cast<int64_t>(a[2].Dec(i).low_bits());
        const int64_t s = sec_micros / kMicrosPerSecond;
        if (h < 0 || h > 23) return TimeFieldOutOfRange("HourOfDay", 23, h);
        if (m < 0 || m > 59) return TimeFieldOutOfRange("MinuteOfHour", 59, m);
        if (sec_micros < 0 || s > 59) return TimeFieldOutOfRange("SecondOfMinute", 59, s);
        return out.Int(((h * 3600 + m * 60) * kMicrosPerSecond + sec_micros) * kNanosPerMicro);
      });
  return b;
}

// to_time(text[, format]) and try_to_time: without a format the text is read as CAST does.
ScalarBinder ToTimeBinder(bool try_mode) {
  return [try_mode](const std::string& name,
                    const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.empty() || args.size() > 2) return WrongNumArgs(name, "[1, 2]", args.size());
    BoundScalar b;
    b.name = name;
    RETURN_NOT_OK(RequireStringArgs(name, args, args.size(), &b.arg_types));
    b.return_type = TimeType();
    b.kernel =
        RowKernel(b.return_type,
                  [try_mode](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                    const std::string_view text = a[0].Str(i);
                    std::optional<int64_t> nanos;
                    std::string format = "HH:mm:ss.SSSSSS";
                    if (a.size() < 2) {
                      nanos = ParseTime(text);
                    } else {
                      format = std::string(a[1].Str(i));
                      auto pattern = DatetimePattern::Compile(format);
                      if (!pattern.ok()) {
                        if (try_mode) return out.Null();
                        return pattern.status();
                      }
                      std::optional<int64_t> offset;
                      auto local = pattern->Parse(text, &offset);
                      if (local) nanos = FloorMod(*local, kMicrosPerDay) * kNanosPerMicro;
                    }
                    if (nanos) return out.Int(*nanos);
                    if (try_mode) return out.Null();
                    return UserError(
                        "CANNOT_PARSE_TIME",
                        "The input string '" + std::string(text) +
                            "' cannot be parsed to a TIME value because it does not match to the "
                            "datetime format '" +
                            format + "'.");
                  });
    return b;
  };
}

// current_time([precision]): the statement's time of day in the session zone, cut to
// `precision` fraction digits (a constant in [0, 6]).
Result<BoundScalar> BindCurrentTime(const std::string& name, const std::vector<TypePtr>& args,
                                    const std::vector<arrow::Datum>& constants) {
  if (args.size() > 1) return WrongNumArgs(name, "[0, 1]", args.size());
  int64_t precision = 6;
  if (args.size() == 1) {
    if (!IsIntegral(*args[0])) {
      return UnexpectedInputType(name, 0, "INT", *args[0], name);
    }
    if (constants.empty() || !constants[0].is_scalar() || !constants[0].scalar()->is_valid) {
      return NonFoldableInput(name, "precision", "INT");
    }
    precision = ArgReader(constants[0]).Int(0);
    if (precision < 0 || precision > 6) {
      return DataTypeMismatch("VALUE_OUT_OF_RANGE",
                              "Cannot resolve \"" + name + "(" + std::to_string(precision) +
                                  ")\" due to data type mismatch: The `precision` must be "
                                  "between [0, 6] (current value = " +
                                  std::to_string(precision) + ").");
    }
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = args;
  b.return_type = TimeType();
  int64_t unit = kNanosPerMicro;
  for (int64_t k = precision; k < 6; ++k) unit *= 10;
  b.kernel = RowKernel(
      b.return_type, [unit](const S&, int64_t, OutBuilder& out, const EvalContext& ctx) -> Status {
        ARROW_ASSIGN_OR_RAISE(auto local,
                              ToLocal(ctx.statement_time_micros, ctx.session_time_zone));
        const int64_t nanos = FloorMod(local, kMicrosPerDay) * kNanosPerMicro;
        return out.Int(nanos - nanos % unit);
      });
  return b;
}

// time_diff(unit, start, end): whole units from start to end (negative when end is earlier).
Result<BoundScalar> BindTimeDiff(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 3) return WrongNumArgs(name, "3", args.size());
  BoundScalar b;
  b.name = name;
  if (!ImplicitCastTarget(args[0], arrow::utf8())) {
    return UnexpectedInputType(name, 0, "STRING", *args[0], name);
  }
  b.arg_types = {arrow::utf8()};
  for (size_t k = 1; k < 3; ++k) {
    if (!ImplicitCastTarget(args[k], TimeType())) {
      return UnexpectedInputType(name, k, "TIME", *args[k], name);
    }
    b.arg_types.push_back(TimeType());
  }
  b.return_type = arrow::int64();
  b.kernel = RowKernel(
      b.return_type, [name](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        auto unit = UnitNanos(a[0].Str(i));
        if (!unit) return InvalidUnit(name, a[0].Str(i));
        return out.Int((a[2].Int(i) - a[1].Int(i)) / *unit);
      });
  return b;
}

// time_trunc(unit, time): the time cut down to a whole unit.
Result<BoundScalar> BindTimeTrunc(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
  BoundScalar b;
  b.name = name;
  if (!ImplicitCastTarget(args[0], arrow::utf8())) {
    return UnexpectedInputType(name, 0, "STRING", *args[0], name);
  }
  if (!ImplicitCastTarget(args[1], TimeType())) {
    return UnexpectedInputType(name, 1, "TIME", *args[1], name);
  }
  b.arg_types = {arrow::utf8(), TimeType()};
  b.return_type = TimeType();
  b.kernel = RowKernel(
      b.return_type, [name](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        auto unit = UnitNanos(a[0].Str(i));
        if (!unit) return InvalidUnit(name, a[0].Str(i));
        const int64_t t = a[1].Int(i);
        return out.Int(t - t % *unit);
      });
  return b;
}

// hour / minute / second of a TIME (INT); other argument types go to `other`.
ScalarBinder TimeFieldBinder(ScalarBinder other, int64_t unit, int64_t modulo) {
  return [other, unit, modulo](const std::string& name,
                               const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != 1 || !IsTime(*args[0])) return other(name, args);
    BoundScalar b;
    b.name = name;
    b.arg_types = args;
    b.return_type = arrow::int32();
    b.kernel = RowKernel(
        b.return_type, [unit, modulo](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
          return out.Int(a[0].Int(i) / unit % modulo);
        });
    return b;
  };
}

// extract / date_part over a TIME: HOUR and MINUTE as INT, SECOND as DECIMAL(8,6).
ConstantBinder TimeExtractBinder(ConstantBinder other) {
  return [other](const std::string& name, const std::vector<TypePtr>& args,
                 const std::vector<arrow::Datum>& constants) -> Result<BoundScalar> {
    if (args.size() != 2 || !IsTime(*args[1]) || constants.empty() || !constants[0].is_scalar() ||
        !constants[0].scalar()->is_valid || !IsStringLike(*args[0])) {
      return other(name, args, constants);
    }
    const std::string written(ArgReader(constants[0]).Str(0));
    const std::string field = ToLowerAscii(written);
    int64_t unit = 0, modulo = 0;
    if (field == "hour" || field == "h" || field == "hours" || field == "hr" || field == "hrs") {
      unit = 3600 * kNanosPerSecond;
      modulo = 24;
    } else if (field == "minute" || field == "m" || field == "min" || field == "mins" ||
               field == "minutes") {
      unit = 60 * kNanosPerSecond;
      modulo = 60;
    } else if (!(field == "second" || field == "s" || field == "sec" || field == "seconds" ||
                 field == "secs")) {
      return UserError("INVALID_EXTRACT_FIELD",
                       "Cannot extract `" + written + "` from " + SqlTypeName(*args[1]) + ".");
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = args;
    b.return_type = unit == 0 ? arrow::decimal128(8, 6) : arrow::int32();
    b.kernel = RowKernel(
        b.return_type,
        [unit, modulo](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          const int64_t t = a[1].Int(i);
          if (unit == 0) {
            return out.Dec(arrow::Decimal128(t % (60 * kNanosPerSecond) / kNanosPerMicro));
          }
          return out.Int(t / unit % modulo);
        });
    return b;
  };
}

// make_timestamp(date, time[, zone]) (and _ltz), make_timestamp_ntz(date, time) and their try_
// forms;
// six or more arguments go to `other` (the year, month, ... forms).
ScalarBinder DateTimeTimestampBinder(ScalarBinder other, bool ntz) {
  return [other, ntz](const std::string& name,
                      const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != 2 && !(args.size() == 3 && !ntz)) return other(name, args);
    BoundScalar b;
    b.name = name;
    if (!ImplicitCastTarget(args[0], arrow::date32())) {
      return UnexpectedInputType(name, 0, "DATE", *args[0], name);
    }
    if (!ImplicitCastTarget(args[1], TimeType())) {
      return UnexpectedInputType(name, 1, "TIME", *args[1], name);
    }
    b.arg_types = {arrow::date32(), TimeType()};
    if (args.size() == 3) {
      if (!ImplicitCastTarget(args[2], arrow::utf8())) {
        return UnexpectedInputType(name, 2, "STRING", *args[2], name);
      }
      b.arg_types.push_back(arrow::utf8());
    }
    b.return_type = ntz ? TimestampNtzType() : TimestampType();
    b.kernel = RowKernel(
        b.return_type,
        [ntz](const S& a, int64_t i, OutBuilder& out, const EvalContext& ctx) -> Status {
          const int64_t local = a[0].Int(i) * kMicrosPerDay + a[1].Int(i) / kNanosPerMicro;
          if (ntz) return out.Int(local);
          const std::string zone = a.size() > 2 ? std::string(a[2].Str(i)) : ctx.session_time_zone;
          ARROW_ASSIGN_OR_RAISE(auto utc, FromLocal(local, zone));
          return out.Int(utc);
        });
    return b;
  };
}

// cut_time_precision(time, p): the time cut to p fraction digits (CAST(t AS TIME(p)) from a
// TIME; the analyzer calls it, Spark has no such SQL function).
Result<BoundScalar> BindCutTimePrecision(const std::string& name,
                                         const std::vector<TypePtr>& args) {
  if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
  if (!IsTime(*args[0]) || !IsIntegral(*args[1])) {
    return UnexpectedInputType(name, IsTime(*args[0]) ? 1 : 0, IsTime(*args[0]) ? "INT" : "TIME",
                               IsTime(*args[0]) ? *args[1] : *args[0], name);
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = args;
  b.return_type = TimeType();
  b.kernel = RowKernel(b.return_type,
                       [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                         int64_t unit = kNanosPerMicro;
                         for (int64_t k = std::max<int64_t>(a[1].Int(i), 0); k < 6; ++k) unit *= 10;
                         const int64_t t = a[0].Int(i);
                         return out.Int(t - t % unit);
                       });
  return b;
}

}  // namespace

void RegisterTimeFunctions(FunctionTable* table) {
  table->AddScalar("cut_time_precision", BindCutTimePrecision);
  table->AddScalar("make_time", BindMakeTime);
  table->AddScalar("to_time", ToTimeBinder(false));
  table->AddScalar("try_to_time", ToTimeBinder(true));
  table->AddScalarWithConstants("current_time", BindCurrentTime);
  table->AddScalar("time_diff", BindTimeDiff);
  table->AddScalar("time_trunc", BindTimeTrunc);
  table->AddScalar("hour",
                   TimeFieldBinder(table->scalars().at("hour"), 3600 * kNanosPerSecond, 24));
  table->AddScalar("minute",
                   TimeFieldBinder(table->scalars().at("minute"), 60 * kNanosPerSecond, 60));
  table->AddScalar("second", TimeFieldBinder(table->scalars().at("second"), kNanosPerSecond, 60));
  for (const char* name : {"extract", "date_part", "datepart"}) {
    table->AddScalarWithConstants(name, TimeExtractBinder(table->constant_scalars().at(name)));
  }
  for (const char* name :
       {"make_timestamp", "try_make_timestamp", "make_timestamp_ltz", "try_make_timestamp_ltz"}) {
    table->AddScalar(name, DateTimeTimestampBinder(table->scalars().at(name), false));
  }
  for (const char* name : {"make_timestamp_ntz", "try_make_timestamp_ntz"}) {
    table->AddScalar(name, DateTimeTimestampBinder(table->scalars().at(name), true));
  }
}

}  // namespace basin::function
