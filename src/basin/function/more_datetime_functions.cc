// Newer Spark 4 date and time functions: dayname, monthname, make_timestamp_ntz/_ltz and their
// try_ forms, try_make_timestamp, to_timestamp_ltz, convert_timezone, make_dt_interval,
// make_ym_interval.

#include <optional>
#include <string>

#include "basin/function/kernel_support.h"
#include "basin/types/civil_time.h"

namespace basin::function {

namespace {

using S = std::vector<ArgReader>;

Status FieldOutOfRange(const std::string& what) {
  return UserError("DATETIME_FIELD_OUT_OF_BOUNDS.WITH_SUGGESTION",
                   what +
                       ". If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass "
                       "this error.");
}

unsigned DaysInMonth(int64_t year, int64_t month) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Returns the local wall-clock micros of year..sec (sec is decimal(16,6), 60 only with no
// fraction, rolling into the next minute), or nullopt when a field is out of range;
// `*bad_fraction` tells that the seconds were 60 with a fraction.
std::optional<int64_t> LocalMicrosOf(const S& a, int64_t i, bool* bad_fraction) {
  const int64_t y = a[0].Int(i), mo = a[1].Int(i), d = a[2].Int(i), h = a[3].Int(i),
                mi = a[4].Int(i);
  const int64_t sec_micros = static_cast<int64_t>(a[5].Dec(i).low_bits());
  const int64_t s = sec_micros / kMicrosPerSecond, frac = sec_micros % kMicrosPerSecond;
  *bad_fraction = s == 60 && frac != 0;
  if (mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec_micros < 0 ||
      s > 60 || (s == 60 && frac != 0) || y < -290000 || y > 290000) {
    return std::nullopt;
  }
  if (d > DaysInMonth(y, mo)) return std::nullopt;
  return types::DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) *
             kMicrosPerDay +
         (h * 3600 + mi * 60 + s) * kMicrosPerSecond + frac;
}

// make_timestamp_ntz / make_timestamp_ltz / try_make_timestamp*: year, month, day, hour, min,
// sec[, zone]. `ntz` results take no zone.
ScalarBinder MakeTimestampBinder(bool ntz, bool try_mode) {
  return [ntz, try_mode](const std::string& name,
                         const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    BoundScalar b;
    RETURN_NOT_OK(BindMakeTimestampArgs(name, args, ntz ? 6 : 7, &b));
    b.return_type = ntz ? TimestampNtzType() : TimestampType();
    b.kernel = RowKernel(
        b.return_type,
        [ntz, try_mode](const S& a, int64_t i, OutBuilder& out, const EvalContext& ctx) -> Status {
          bool bad_fraction = false;
          const auto local = LocalMicrosOf(a, i, &bad_fraction);
          if (!local) {
            if (try_mode || !ctx.ansi) return out.Null();
            if (bad_fraction) {
              return UserError("INVALID_FRACTION_OF_SECOND",
                               "Valid range for seconds is [0, 60] (inclusive), but the requested "
                               "value is " +
                                   a[5].Dec(i).ToString(6) +
                                   ". To avoid this error, use "
                                   "`try_make_timestamp`, which returns NULL on error.");
            }
            return FieldOutOfRange("Invalid value for a datetime field");
          }
          if (ntz) return out.Int(*local);
          // An unknown zone is an error even for the try_ forms.
          const std::string zone = a.size() > 6 ? std::string(a[6].Str(i)) : ctx.session_time_zone;
          ARROW_ASSIGN_OR_RAISE(auto utc, FromLocal(*local, zone));
          return out.Int(utc);
        });
    return b;
  };
}

// convert_timezone([source_zone, ]target_zone, timestamp_ntz).
Result<BoundScalar> BindConvertTimezone(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() < 2 || args.size() > 3) return WrongNumArgs(name, "[2, 3]", args.size());
  BoundScalar b;
  b.name = name;
  RETURN_NOT_OK(RequireStringArgs(name, args, args.size() - 1, &b.arg_types));
  const TypePtr& ts = args.back();
  if (!ImplicitCastTarget(ts, TimestampNtzType()) || IsNumeric(*ts)) {
    return UnexpectedInputType(name, args.size() - 1, "TIMESTAMP_NTZ", *ts, name);
  }
  b.arg_types.push_back(TimestampNtzType());
  b.return_type = TimestampNtzType();
  b.kernel =
      RowKernel(TimestampNtzType(),
                [](const S& a, int64_t i, OutBuilder& out, const EvalContext& ctx) -> Status {
                  const bool two = a.size() == 2;
                  const std::string source = two ? ctx.session_time_zone : std::string(a[0].Str(i));
                  const std::string target(a[two ? 0 : 1].Str(i));
                  ARROW_ASSIGN_OR_RAISE(auto utc, FromLocal(a.back().Int(i), source));
                  ARROW_ASSIGN_OR_RAISE(auto local, ToLocal(utc, target));
                  return out.Int(local);
                });
  return b;
}

Status IntervalOverflow() {
  return UserError("INTERVAL_ARITHMETIC_OVERFLOW.WITHOUT_SUGGESTION",
                   "Integer overflow while operating with intervals.");
}

// make_dt_interval([days[, hours[, mins[, secs]]]]) and make_ym_interval([years[, months]]).
ScalarBinder MakeIntervalBinder(bool day_time) {
  return [day_time](const std::string& name,
                    const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    const size_t max_args = day_time ? 4 : 2;
    if (args.size() > max_args) {
      return WrongNumArgs(name, day_time ? "[0, 1, 2, 3, 4]" : "[0, 1, 2]", args.size());
    }
    BoundScalar b;
    b.name = name;
    for (size_t k = 0; k < args.size(); ++k) {
      const TypePtr want = day_time && k == 3 ? arrow::decimal128(18, 6) : arrow::int32();
      if (!ImplicitCastTarget(args[k], want) && !IsNumeric(*args[k])) {
        return UnexpectedInputType(name, k, SqlTypeName(*want), *args[k], name);
      }
      // Seconds are read in the scale of decimal(18,6); other numbers are cast to whole numbers.
      b.arg_types.push_back(IsDecimal(*want) ? want : arrow::int64());
    }
    b.return_type = day_time ? arrow::duration(arrow::TimeUnit::MICRO) : arrow::month_interval();
    b.kernel = RowKernel(
        b.return_type,
        [day_time](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          auto arg = [&](size_t k) -> int64_t { return k < a.size() ? a[k].Int(i) : 0; };
          if (!day_time) {
            int64_t months;
            if (__builtin_mul_overflow(arg(0), int64_t{12}, &months) ||
                __builtin_add_overflow(months, arg(1), &months) || months < INT32_MIN ||
                months > INT32_MAX) {
              return IntervalOverflow();
            }
            return out.Int(months);
          }
          const int64_t secs = a.size() > 3 ? static_cast<int64_t>(a[3].Dec(i).low_bits()) : 0;
          int64_t total = 0, part;
          if (__builtin_mul_overflow(arg(0), kMicrosPerDay, &part) ||
              __builtin_add_overflow(total, part, &total) ||
              __builtin_mul_overflow(arg(1), 3600 * kMicrosPerSecond, &part) ||
              __builtin_add_overflow(total, part, &total) ||
              __builtin_mul_overflow(arg(2), 60 * kMicrosPerSecond, &part) ||
              __builtin_add_overflow(total, part, &total) ||
              __builtin_add_overflow(total, secs, &total)) {
            return IntervalOverflow();
          }
          return out.Int(total);
        });
    return b;
  };
}

// make_interval([years[, months[, weeks[, days[, hours[, mins[, secs]]]]]]]) and
// try_make_interval: a CALENDAR INTERVAL; seconds are decimal(18,6). An overflow is
// ARITHMETIC_OVERFLOW (null for the try_ form).
ScalarBinder MakeCalendarIntervalBinder(bool try_form) {
  return [try_form](const std::string& name,
                    const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() > 7) return WrongNumArgs(name, "[0, 1, 2, 3, 4, 5, 6, 7]", args.size());
    BoundScalar b;
    b.name = name;
    for (size_t k = 0; k < args.size(); ++k) {
      // Spark casts any number or string argument (BIGINT beyond INT is CAST_OVERFLOW).
      const TypePtr want = k == 6 ? arrow::decimal128(18, 6) : arrow::int32();
      if (!ImplicitCastTarget(args[k], want) && !IsNumeric(*args[k]) &&
          args[k]->id() != arrow::Type::STRING) {
        return UnexpectedInputType(name, k, SqlTypeName(*want), *args[k], name);
      }
      b.arg_types.push_back(want);
    }
    b.return_type = arrow::month_day_nano_interval();
    b.kernel = RowKernel(
        b.return_type,
        [try_form](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          auto arg = [&](size_t k) -> int64_t { return k < a.size() ? a[k].Int(i) : 0; };
          const int64_t secs = a.size() > 6 ? static_cast<int64_t>(a[6].Dec(i).low_bits()) : 0;
          int32_t months = 0, days = 0;
          int64_t micros = 0, part = 0;
          bool overflow =
              __builtin_mul_overflow(static_cast<int32_t>(arg(0)), int32_t{12}, &months) ||
              __builtin_add_overflow(months, static_cast<int32_t>(arg(1)), &months) ||
              __builtin_mul_overflow(static_cast<int32_t>(arg(2)), int32_t{7}, &days) ||
              __builtin_add_overflow(days, static_cast<int32_t>(arg(3)), &days) ||
              __builtin_mul_overflow(arg(4), 3600 * kMicrosPerSecond, &part) ||
              __builtin_add_overflow(micros, part, &micros) ||
              __builtin_mul_overflow(arg(5), 60 * kMicrosPerSecond, &part) ||
              __builtin_add_overflow(micros, part, &micros) ||
              __builtin_add_overflow(micros, secs, &micros) ||
              __builtin_mul_overflow(micros, int64_t{1000}, &part);
          if (overflow) {
            if (try_form) return out.Null();
            return UserError("ARITHMETIC_OVERFLOW",
                             "overflow. If necessary set \"spark.sql.ansi.enabled\" to \"false\" "
                             "to bypass this error.");
          }
          return out.MonthDayNano(months, days, micros * 1000);
        });
    return b;
  };
}

}  // namespace

void RegisterMoreDatetimeFunctions(FunctionTable* table) {
  const TypePtr s = arrow::utf8(), date = arrow::date32();
  // Spark formats these with the "EEE" and "MMM" patterns in the US locale.
  table->AddFixed("dayname", {date}, s,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    static const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
                    // 1970-01-01 was a Thursday.
                    return out.Str(kDays[FloorMod(a[0].Int(i) + 3, 7)]);
                  });
  table->AddFixed("monthname", {date}, s,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
                    int64_t year;
                    unsigned month, day;
                    types::CivilFromDays(a[0].Int(i), &year, &month, &day);
                    return out.Str(kMonths[month - 1]);
                  });
  table->AddScalar("make_timestamp_ntz", MakeTimestampBinder(true, false));
  table->AddScalar("try_make_timestamp_ntz", MakeTimestampBinder(true, true));
  table->AddScalar("make_timestamp_ltz", MakeTimestampBinder(false, false));
  table->AddScalar("try_make_timestamp_ltz", MakeTimestampBinder(false, true));
  table->AddScalar("try_make_timestamp", MakeTimestampBinder(false, true));
  // spark.sql.timestampType is TIMESTAMP_LTZ, so to_timestamp already gives TIMESTAMP.
  table->AddScalar("to_timestamp_ltz", table->scalars().at("to_timestamp"));
  table->AddScalar("convert_timezone", BindConvertTimezone);
  table->AddScalar("make_dt_interval", MakeIntervalBinder(true));
  table->AddScalar("make_ym_interval", MakeIntervalBinder(false));
  table->AddScalar("make_interval", MakeCalendarIntervalBinder(false));
  table->AddScalar("try_make_interval", MakeCalendarIntervalBinder(true));
}

}  // namespace basin::function
