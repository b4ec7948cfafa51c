// Date and time functions, computed in the session time zone (EvalContext::session_time_zone).

#include <cmath>

#include "basin/function/cast.h"
#include "basin/function/datetime_pattern.h"
#include "basin/function/decimal_math.h"
#include "basin/function/kernel_support.h"
#include "basin/types/civil_time.h"

namespace basin::function {

namespace {

using S = std::vector<ArgReader>;

struct Civil {
  int64_t year;
  unsigned month, day;
};

Civil CivilOf(int64_t days) {
  Civil c;
  types::CivilFromDays(days, &c.year, &c.month, &c.day);
  return c;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDim[m - 1];
}

// Returns local wall-clock micros of a date or timestamp argument.
Result<int64_t> LocalMicros(const ArgReader& r, int64_t i, const EvalContext& ctx) {
  const auto& t = *r.type();
  if (t.id() == arrow::Type::DATE32) return r.Int(i) * kMicrosPerDay;
  if (static_cast<const arrow::TimestampType&>(t).timezone().empty()) return r.Int(i);
  return ToLocal(r.Int(i), ctx.session_time_zone);
}

const std::string kDefaultFormat = "yyyy-MM-dd HH:mm:ss";

// Caches the last compiled pattern per thread (patterns are nearly always constants).
Result<const DatetimePattern*> PatternFor(std::string_view text) {
  static thread_local std::string last_text;
  static thread_local std::optional<DatetimePattern> last;
  if (!last || last_text != text) {
    ARROW_ASSIGN_OR_RAISE(auto p, DatetimePattern::Compile(text));
    last = std::move(p);
    last_text = std::string(text);
  }
  return &*last;
}

Status CannotParse(std::string_view text, const char* try_name) {
  return UserError("CANNOT_PARSE_TIMESTAMP",
                   "Text '" + std::string(text) +
                       "' could not be parsed at index 0. Use `" + try_name +
                       "` to tolerate invalid input string and return NULL instead. If necessary "
                       "set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.");
}

// Parses text with an optional pattern into a UTC instant (or wall-clock for ntz).
Result<std::optional<int64_t>> ParseWithPattern(std::string_view text, const ArgReader* fmt,
                                                int64_t i, const EvalContext& ctx, bool ntz) {
  if (!fmt) {
    return ParseTimestamp(text, ntz ? std::string() : ctx.session_time_zone);
  }
  ARROW_ASSIGN_OR_RAISE(auto pattern, PatternFor(fmt->Str(i)));
  std::optional<int64_t> offset;
  auto local = pattern->Parse(text, &offset);
  if (!local) return std::optional<int64_t>();
  if (ntz) return local;
  if (offset) return std::optional<int64_t>(*local - *offset * kMicrosPerSecond);
  ARROW_ASSIGN_OR_RAISE(auto utc, FromLocal(*local, ctx.session_time_zone));
  return std::optional<int64_t>(utc);
}

Result<std::string> FormatInstant(int64_t utc_micros, std::string_view fmt, const EvalContext& ctx,
                                  bool ntz) {
  ARROW_ASSIGN_OR_RAISE(auto pattern, PatternFor(fmt));
  if (ntz) return pattern->Format(utc_micros, 0, "");
  ARROW_ASSIGN_OR_RAISE(auto off, ZoneOffsetSeconds(utc_micros, ctx.session_time_zone));
  return pattern->Format(utc_micros + off * kMicrosPerSecond, off, ctx.session_time_zone);
}

ScalarBinder ParseBinder(bool to_date, bool try_mode, bool unix_seconds, bool ntz = false) {
  return [=](const std::string& name, const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    const size_t max_args = 2;
    if ((args.empty() && !unix_seconds) || args.size() > max_args) {
      return WrongNumArgs(name, unix_seconds ? "[0, 1, 2]" : "[1, 2]", args.size());
    }
    BoundScalar b;
    b.name = name;
    const TypePtr ts_type = ntz ? TimestampNtzType() : TimestampType();
    if (!args.empty()) {
      const auto& t = *args[0];
      if (IsStringLike(t) || IsNull(t)) {
        b.arg_types.push_back(arrow::utf8());
      } else if (t.id() == arrow::Type::DATE32 || IsTimestamp(t)) {
        b.arg_types.push_back(args[0]);
      } else if (IsNumeric(t) && !to_date && !unix_seconds) {
        b.arg_types.push_back(args[0]);
      } else {
        return UnexpectedInputType(name, 0, "(\"STRING\" or \"DATE\" or \"TIMESTAMP\")", t, name);
      }
    }
    if (args.size() == 2) {
      if (!ImplicitCastTarget(args[1], arrow::utf8())) {
        return UnexpectedInputType(name, 1, "STRING", *args[1], name);
      }
      b.arg_types.push_back(arrow::utf8());
    }
    b.return_type = to_date ? arrow::date32() : (unix_seconds ? arrow::int64() : ts_type);
    b.deterministic = !args.empty();
    const TypePtr rt = b.return_type;
    b.kernel = RowKernel(rt, [=](const S& a, int64_t i, OutBuilder& out,
                                 const EvalContext& ctx) -> Status {
      if (a.empty()) return out.Int(FloorDiv(ctx.statement_time_micros, kMicrosPerSecond));
      // A null value or pattern gives null (to_date(NULL) is NULL, not a parse error).
      for (const auto& arg : a) {
        if (arg.IsNull(i)) return out.Null();
      }
      const auto& t = *a[0].type();
      int64_t utc;
      if (t.id() == arrow::Type::DATE32) {
        if (to_date) return out.Int(a[0].Int(i));
        ARROW_ASSIGN_OR_RAISE(utc, FromLocal(a[0].Int(i) * kMicrosPerDay,
                                             ntz ? "UTC" : ctx.session_time_zone));
      } else if (IsTimestamp(t)) {
        utc = a[0].Int(i);
        // Spark divides a timestamp's microseconds by 10^6 rounding toward zero (so
        // 1969-12-31 23:59:59.5 is 0), unlike unix_seconds, which rounds down.
        if (unix_seconds) return out.Int(utc / kMicrosPerSecond);
        if (to_date) {
          ARROW_ASSIGN_OR_RAISE(auto local, LocalMicros(a[0], i, ctx));
          return out.Int(FloorDiv(local, kMicrosPerDay));
        }
      } else if (IsNumeric(t)) {
        const double secs = a[0].Double(i);
        return out.Int(static_cast<int64_t>(secs * 1e6));
      } else {
        const std::string_view text = a[0].Str(i);
        if (to_date && a.size() < 2) {
          auto d = ParseDate(text);
          if (!d) {
            if (ctx.ansi && !try_mode) return CastInvalidInput(text, *arrow::utf8(), *arrow::date32());
            return out.Null();
          }
          return out.Int(*d);
        }
        ARROW_ASSIGN_OR_RAISE(auto parsed,
                              ParseWithPattern(text, a.size() > 1 ? &a[1] : nullptr, i, ctx,
                                               ntz || to_date));
        if (!parsed) {
          if (ctx.ansi && !try_mode) {
            if (a.size() < 2 && !unix_seconds) {
              return CastInvalidInput(text, *arrow::utf8(), *rt);
            }
            return CannotParse(text, to_date ? "try_to_date" : "try_to_timestamp");
          }
          return out.Null();
        }
        if (to_date) return out.Int(FloorDiv(*parsed, kMicrosPerDay));
        if (!unix_seconds && a.size() < 2 && !ntz) return out.Int(*parsed);
        utc = *parsed;
        if (unix_seconds && a.size() < 2) {
          // unix_timestamp(str) uses the default pattern.
          ARROW_ASSIGN_OR_RAISE(auto pattern, PatternFor(kDefaultFormat));
          std::optional<int64_t> offset;
          auto local = pattern->Parse(text, &offset);
          if (!local) {
            if (ctx.ansi && !try_mode) return CannotParse(text, "try_to_timestamp");
            return out.Null();
          }
          ARROW_ASSIGN_OR_RAISE(utc, FromLocal(*local, ctx.session_time_zone));
        }
      }
      if (unix_seconds) return out.Int(FloorDiv(utc, kMicrosPerSecond));
      return out.Int(utc);
    }, false);
    return b;
  };
}

// Adds `months` to a local date, clamping the day to the end of the month.
int64_t AddMonths(int64_t days, int64_t months) {
  const Civil c = CivilOf(days);
  const int64_t total = c.year * 12 + (c.month - 1) + months;
  const int64_t y = FloorDiv(total, 12);
  const unsigned m = static_cast<unsigned>(FloorMod(total, 12) + 1);
  const unsigned d = std::min(c.day, DaysInMonth(y, m));
  return types::DaysFromCivil(y, m, d);
}

std::optional<int> ParseDayOfWeek(std::string_view s) {
  const std::string l = ToLowerAscii(s);
  static const char* kShort[] = {"mo", "tu", "we", "th", "fr", "sa", "su"};
  static const char* kMid[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  static const char* kLong[] = {"monday", "tuesday", "wednesday", "thursday",
                                "friday", "saturday", "sunday"};
  for (int k = 0; k < 7; ++k) {
    if (l == kShort[k] || l == kMid[k] || l == kLong[k]) return k;
  }
  return std::nullopt;
}

// Truncates local micros to `level`; nullopt for an unknown level.
std::optional<int64_t> TruncLocal(int64_t local, std::string_view level_text, bool date_only) {
  const std::string level = ToLowerAscii(level_text);
  const int64_t days = FloorDiv(local, kMicrosPerDay);
  const Civil c = CivilOf(days);
  if (level == "year" || level == "yyyy" || level == "yy") {
    return types::DaysFromCivil(c.year, 1, 1) * kMicrosPerDay;
  }
  if (level == "quarter") {
    return types::DaysFromCivil(c.year, (c.month - 1) / 3 * 3 + 1, 1) * kMicrosPerDay;
  }
  if (level == "month" || level == "mm" || level == "mon") {
    return types::DaysFromCivil(c.year, c.month, 1) * kMicrosPerDay;
  }
  if (level == "week") return (days - FloorMod(days + 3, 7)) * kMicrosPerDay;
  if (date_only) return std::nullopt;
  if (level == "day" || level == "dd") return days * kMicrosPerDay;
  if (level == "hour") return local - FloorMod(local, 3600 * kMicrosPerSecond);
  if (level == "minute") return local - FloorMod(local, 60 * kMicrosPerSecond);
  if (level == "second") return local - FloorMod(local, kMicrosPerSecond);
  if (level == "millisecond") return local - FloorMod(local, 1000);
  if (level == "microsecond") return local;
  return std::nullopt;
}

int IsoWeek(int64_t days) {
  const int64_t wd = FloorMod(days + 3, 7);  // 0 = Monday
  const int64_t thursday = days - wd + 3;
  const Civil c = CivilOf(thursday);
  return static_cast<int>((thursday - types::DaysFromCivil(c.year, 1, 1)) / 7 + 1);
}

Status FieldOutOfRange(const std::string& what) {
  return UserError("DATETIME_FIELD_OUT_OF_BOUNDS.WITH_SUGGESTION",
                   "" + what +
                       ". If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this "
                       "error.");
}

void AddDateField(FunctionTable* table, const std::string& name,
                  std::function<int64_t(int64_t days)> f) {
  table->AddFixed(name, {arrow::date32()}, arrow::int32(),
                  [f](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    return out.Int(f(a[0].Int(i)));
                  });
}

void AddTimeField(FunctionTable* table, const std::string& name, int64_t unit, int64_t modulo) {
  table->AddFixed(name, {TimestampType()}, arrow::int32(),
                  [unit, modulo](const S& a, int64_t i, OutBuilder& out,
                                 const EvalContext& ctx) -> Status {
                    ARROW_ASSIGN_OR_RAISE(auto local, LocalMicros(a[0], i, ctx));
                    return out.Int(FloorMod(local, kMicrosPerDay) / unit % modulo);
                  });
}

// date_part / extract: the field is a constant; SECOND gives decimal(8,6) as in Spark.
Result<BoundScalar> BindDatePart(const std::string& name, const std::vector<TypePtr>& args,
                                 const std::vector<arrow::Datum>& constants) {
  if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
  if (constants.empty() || !constants[0].is_scalar() || !constants[0].scalar()->is_valid ||
      !IsStringLike(*args[0])) {
    return UserError("NON_FOLDABLE_ARGUMENT",
                     "The function `" + name + "` requires the parameter `field` to be a foldable "
                     "expression of the type \"STRING\", but the actual argument is a non-foldable.");
  }
  ArgReader field_reader(constants[0]);
  const std::string field = ToLowerAscii(field_reader.Str(0));
  enum class F { kYear, kQuarter, kMonth, kWeek, kDay, kDow, kDowIso, kDoy, kHour, kMinute, kSecond };
  F f;
  if (field == "year" || field == "y" || field == "years" || field == "yr" || field == "yrs") {
    f = F::kYear;
  } else if (field == "quarter" || field == "qtr") {
    f = F::kQuarter;
  } else if (field == "month" || field == "mon" || field == "mons" || field == "months") {
    f = F::kMonth;
  } else if (field == "week" || field == "w" || field == "weeks") {
    f = F::kWeek;
  } else if (field == "day" || field == "d" || field == "days") {
    f = F::kDay;
  } else if (field == "dayofweek" || field == "dow") {
    f = F::kDow;
  } else if (field == "dayofweek_iso" || field == "dow_iso") {
    f = F::kDowIso;
  } else if (field == "doy") {
    f = F::kDoy;
  } else if (field == "hour" || field == "h" || field == "hours" || field == "hr" || field == "hrs") {
    f = F::kHour;
  } else if (field == "minute" || field == "m" || field == "min" || field == "mins" || field == "minutes") {
    f = F::kMinute;
  } else if (field == "second" || field == "s" || field == "sec" || field == "seconds" || field == "secs") {
    f = F::kSecond;
  } else {
    return UserError("INVALID_EXTRACT_FIELD",
                     "Cannot extract " + std::string(field_reader.Str(0)) + " from " +
                         SqlTypeName(*args[1]) + ".");
  }
  const bool time_field = f == F::kHour || f == F::kMinute || f == F::kSecond;
  TypePtr src = args[1];
  if (IsStringLike(*src) || IsNull(*src)) src = time_field ? TimestampType() : arrow::date32();
  if (src->id() != arrow::Type::DATE32 && !IsTimestamp(*src)) {
    return UnexpectedInputType(name, 1, "(\"DATE\" or \"TIMESTAMP\")", *args[1], name);
  }
  if (time_field && src->id() == arrow::Type::DATE32) src = TimestampType();
  BoundScalar b;
  b.name = name;
  b.arg_types = {args[0], src};
  b.return_type = f == F::kSecond ? arrow::decimal128(8, 6) : arrow::int32();
  b.kernel = RowKernel(b.return_type, [f](const S& a, int64_t i, OutBuilder& out,
                                          const EvalContext& ctx) -> Status {
    if (a[1].IsNull(i)) return out.Null();
    ARROW_ASSIGN_OR_RAISE(auto local, LocalMicros(a[1], i, ctx));
    const int64_t days = FloorDiv(local, kMicrosPerDay);
    const int64_t tod = FloorMod(local, kMicrosPerDay);
    const Civil c = CivilOf(days);
    switch (f) {
      case F::kYear:
        return out.Int(c.year);
      case F::kQuarter:
        return out.Int((c.month - 1) / 3 + 1);
      case F::kMonth:
        return out.Int(c.month);
      case F::kWeek:
        return out.Int(IsoWeek(days));
      case F::kDay:
        return out.Int(c.day);
      case F::kDow:
        return out.Int(FloorMod(days + 4, 7) + 1);
      case F::kDowIso:
        return out.Int(FloorMod(days + 3, 7) + 1);
      case F::kDoy:
        return out.Int(days - types::DaysFromCivil(c.year, 1, 1) + 1);
      case F::kHour:
        return out.Int(tod / (3600 * kMicrosPerSecond));
      case F::kMinute:
        return out.Int(tod / (60 * kMicrosPerSecond) % 60);
      case F::kSecond:
        return out.Dec(arrow::Decimal128(tod % (60 * kMicrosPerSecond)));
    }
    return out.Null();
  }, false);
  return b;
}

}  // namespace

Result<int64_t> AddMonthsToDays(int64_t days, int64_t months) { return AddMonths(days, months); }

void RegisterDatetimeFunctions(FunctionTable* table) {
  const TypePtr date = arrow::date32(), ts = TimestampType(), s = arrow::utf8(),
                i32 = arrow::int32(), i64 = arrow::int64();
  table->AddFixed("current_date", {}, date,
                  [](const S&, int64_t, OutBuilder& out, const EvalContext& ctx) -> Status {
                    ARROW_ASSIGN_OR_RAISE(auto local,
                                          ToLocal(ctx.statement_time_micros, ctx.session_time_zone));
                    return out.Int(FloorDiv(local, kMicrosPerDay));
                  });
  table->AddScalar("curdate", table->scalars().at("current_date"));
  table->AddFixed("current_timestamp", {}, ts,
                  [](const S&, int64_t, OutBuilder& out, const EvalContext& ctx) {
                    return out.Int(ctx.statement_time_micros);
                  });
  table->AddScalar("now", table->scalars().at("current_timestamp"));
  table->AddFixed("localtimestamp", {}, TimestampNtzType(),
                  [](const S&, int64_t, OutBuilder& out, const EvalContext& ctx) -> Status {
                    ARROW_ASSIGN_OR_RAISE(auto local,
                                          ToLocal(ctx.statement_time_micros, ctx.session_time_zone));
                    return out.Int(local);
                  });
  table->AddFixed("current_timezone", {}, s,
                  [](const S&, int64_t, OutBuilder& out, const EvalContext& ctx) {
                    return out.Str(ctx.session_time_zone);
                  });
  auto date_add = [](int64_t sign) {
    return [sign](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
      const int64_t r = a[0].Int(i) + sign * a[1].Int(i);
      if (r > INT32_MAX || r < INT32_MIN) return ArithmeticOverflow("integer overflow", "");
      return out.Int(r);
    };
  };
  table->AddFixed("date_add", {date, i32}, date, date_add(1));
  table->AddFixed("dateadd", {date, i32}, date, date_add(1));
  table->AddFixed("date_sub", {date, i32}, date, date_add(-1));
  // Spark's DateAdd/DateSub expect their day count as it is (ExpectsInputTypes): no BIGINT; a
  // string is cast to INT by Spark's date-arithmetic coercion.
  for (const char* fname : {"date_add", "dateadd", "date_sub"}) {
    ScalarBinder fixed = table->scalars().at(fname);
    table->AddScalar(fname, [fixed](const std::string& name, const std::vector<TypePtr>& args)
                                -> Result<BoundScalar> {
      if (args.size() == 2) {
        if (!IntegralUpToInt(*args[1]) && !IsStringLike(*args[1])) {
          return UnexpectedInputType(name, 1, "(\"INT\" or \"SMALLINT\" or \"TINYINT\")",
                                     *args[1], name);
        }
      }
      return fixed(name, args);
    });
  }
  table->AddFixed("datediff", {date, date}, i32,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    return out.Int(a[0].Int(i) - a[1].Int(i));
                  });
  table->AddScalar("date_diff", table->scalars().at("datediff"));
  table->AddFixed("add_months", {date, i32}, date,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    return out.Int(AddMonths(a[0].Int(i), a[1].Int(i)));
                  });
  table->AddScalar("months_between", [](const std::string& name, const std::vector<TypePtr>& args)
                                         -> Result<BoundScalar> {
    if (args.size() < 2 || args.size() > 3) return WrongNumArgs(name, "[2, 3]", args.size());
    BoundScalar b;
    b.name = name;
    for (size_t k = 0; k < 2; ++k) {
      if (!ImplicitCastTarget(args[k], TimestampType())) {
        return UnexpectedInputType(name, k, "TIMESTAMP", *args[k], name);
      }
      b.arg_types.push_back(TimestampType());
    }
    if (args.size() == 3) b.arg_types.push_back(arrow::boolean());
    b.return_type = arrow::float64();
    b.kernel = RowKernel(arrow::float64(), [](const S& a, int64_t i, OutBuilder& out,
                                              const EvalContext& ctx) -> Status {
      ARROW_ASSIGN_OR_RAISE(auto l1, LocalMicros(a[0], i, ctx));
      ARROW_ASSIGN_OR_RAISE(auto l2, LocalMicros(a[1], i, ctx));
      const bool round_off = a.size() < 3 || a[2].Bool(i);
      const int64_t d1 = FloorDiv(l1, kMicrosPerDay), d2 = FloorDiv(l2, kMicrosPerDay);
      const Civil c1 = CivilOf(d1), c2 = CivilOf(d2);
      const int64_t month_diff = (c1.year * 12 + c1.month) - (c2.year * 12 + c2.month);
      const bool last1 = c1.day == DaysInMonth(c1.year, c1.month);
      const bool last2 = c2.day == DaysInMonth(c2.year, c2.month);
      if (c1.day == c2.day || (last1 && last2)) return out.Double(static_cast<double>(month_diff));
      const int64_t secs1 = FloorMod(l1, kMicrosPerDay) / kMicrosPerSecond;
      const int64_t secs2 = FloorMod(l2, kMicrosPerDay) / kMicrosPerSecond;
      const int64_t seconds_diff =
          (static_cast<int64_t>(c1.day) - static_cast<int64_t>(c2.day)) * 86400 + secs1 - secs2;
      double diff = static_cast<double>(month_diff) + static_cast<double>(seconds_diff) / 2678400.0;
      if (round_off) diff = std::round(diff * 1e8) / 1e8;
      return out.Double(diff);
    });
    return b;
  });
  AddDateField(table, "year", [](int64_t d) { return CivilOf(d).year; });
  AddDateField(table, "month", [](int64_t d) { return static_cast<int64_t>(CivilOf(d).month); });
  AddDateField(table, "day", [](int64_t d) { return static_cast<int64_t>(CivilOf(d).day); });
  AddDateField(table, "dayofmonth", [](int64_t d) { return static_cast<int64_t>(CivilOf(d).day); });
  AddDateField(table, "dayofweek", [](int64_t d) { return FloorMod(d + 4, 7) + 1; });
  AddDateField(table, "weekday", [](int64_t d) { return FloorMod(d + 3, 7); });
  AddDateField(table, "dayofyear", [](int64_t d) {
    return d - types::DaysFromCivil(CivilOf(d).year, 1, 1) + 1;
  });
  AddDateField(table, "weekofyear", [](int64_t d) { return static_cast<int64_t>(IsoWeek(d)); });
  AddDateField(table, "quarter", [](int64_t d) {
    return static_cast<int64_t>((CivilOf(d).month - 1) / 3 + 1);
  });
  AddDateField(table, "unix_date", [](int64_t d) { return d; });
  AddTimeField(table, "hour", 3600 * kMicrosPerSecond, 24);
  AddTimeField(table, "minute", 60 * kMicrosPerSecond, 60);
  AddTimeField(table, "second", kMicrosPerSecond, 60);
  table->AddFixed("date_format", {ts, s}, s,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext& ctx) -> Status {
                    ARROW_ASSIGN_OR_RAISE(auto text, FormatInstant(a[0].Int(i), a[1].Str(i), ctx, false));
                    return out.Str(text);
                  });
  table->AddScalar("from_unixtime", [](const std::string& name, const std::vector<TypePtr>& args)
                                        -> Result<BoundScalar> {
    if (args.empty() || args.size() > 2) return WrongNumArgs(name, "[1, 2]", args.size());
    if (!ImplicitCastTarget(args[0], arrow::int64())) {
      return UnexpectedInputType(name, 0, "BIGINT", *args[0], name);
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = {arrow::int64()};
    if (args.size() == 2) b.arg_types.push_back(arrow::utf8());
    b.return_type = arrow::utf8();
    b.kernel = RowKernel(arrow::utf8(), [](const S& a, int64_t i, OutBuilder& out,
                                           const EvalContext& ctx) -> Status {
      int64_t micros;
      if (__builtin_mul_overflow(a[0].Int(i), kMicrosPerSecond, &micros)) return out.Null();
      ARROW_ASSIGN_OR_RAISE(auto text, FormatInstant(micros, a.size() > 1 ? a[1].Str(i)
                                                                          : std::string_view(kDefaultFormat),
                                                     ctx, false));
      return out.Str(text);
    });
    return b;
  });
  table->AddScalar("to_date", ParseBinder(true, false, false));
  table->AddScalar("try_to_date", ParseBinder(true, true, false));
  table->AddScalar("to_timestamp", ParseBinder(false, false, false));
  table->AddScalar("try_to_timestamp", ParseBinder(false, true, false));
  table->AddScalar("to_timestamp_ntz", ParseBinder(false, false, false, true));
  table->AddScalar("unix_timestamp", ParseBinder(false, false, true));
  table->AddScalar("to_unix_timestamp", ParseBinder(false, false, true));
  table->AddFixed("unix_seconds", {ts}, i64, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    return out.Int(FloorDiv(a[0].Int(i), kMicrosPerSecond));
  });
  table->AddFixed("unix_millis", {ts}, i64, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    return out.Int(FloorDiv(a[0].Int(i), 1000));
  });
  table->AddFixed("unix_micros", {ts}, i64, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    return out.Int(a[0].Int(i));
  });
  auto from_units = [](int64_t mult) {
    return [mult](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
      int64_t r;
      if (__builtin_mul_overflow(a[0].Int(i), mult, &r)) return ArithmeticOverflow("long overflow", "");
      return out.Int(r);
    };
  };
  table->AddFixed("timestamp_seconds", {i64}, ts, from_units(kMicrosPerSecond));
  table->AddFixed("timestamp_millis", {i64}, ts, from_units(1000));
  table->AddFixed("timestamp_micros", {i64}, ts, from_units(1));
  table->AddFixed("date_from_unix_date", {i32}, date,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    return out.Int(a[0].Int(i));
                  });
  table->AddFixed("date_trunc", {s, ts}, ts,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext& ctx) -> Status {
                    ARROW_ASSIGN_OR_RAISE(auto local, LocalMicros(a[1], i, ctx));
                    auto t = TruncLocal(local, a[0].Str(i), false);
                    if (!t) return out.Null();
                    ARROW_ASSIGN_OR_RAISE(auto utc, FromLocal(*t, ctx.session_time_zone));
                    return out.Int(utc);
                  });
  table->AddFixed("trunc", {date, s}, date,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    auto t = TruncLocal(a[0].Int(i) * kMicrosPerDay, a[1].Str(i), true);
                    if (!t) return out.Null();
                    return out.Int(*t / kMicrosPerDay);
                  });
  table->AddFixed("last_day", {date}, date,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    const Civil c = CivilOf(a[0].Int(i));
                    return out.Int(types::DaysFromCivil(c.year, c.month, DaysInMonth(c.year, c.month)));
                  });
  table->AddFixed("next_day", {date, s}, date,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext& ctx) -> Status {
                    auto dow = ParseDayOfWeek(a[1].Str(i));
                    if (!dow) {
                      if (!ctx.ansi) return out.Null();
                      return UserError("ILLEGAL_DAY_OF_WEEK",
                                       "Illegal input for day of week: " +
                                           std::string(a[1].Str(i)) + ".");
                    }
                    const int64_t d = a[0].Int(i);
                    const int64_t cur = FloorMod(d + 3, 7);
                    int64_t delta = FloorMod(*dow - cur, 7);
                    if (delta == 0) delta = 7;
                    return out.Int(d + delta);
                  });
  // make_date takes any number or string for its fields (Spark's ImplicitCastInputTypes).
  table->AddScalar("make_date", [](const std::string& name,
                                   const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != 3) return WrongNumArgs(name, "3", args.size());
    BoundScalar b;
    b.name = name;
    b.arg_types = {arrow::int32(), arrow::int32(), arrow::int32()};
    for (size_t k = 0; k < args.size(); ++k) {
      if (!NumericInputAccepts(args[k], arrow::int32())) {
        return UnexpectedInputType(name, k, "INT", *args[k], name);
      }
    }
    b.return_type = arrow::date32();
    b.kernel = RowKernel(b.return_type, [](const S& a, int64_t i, OutBuilder& out,
                                           const EvalContext& ctx) -> Status {
                    const int64_t y = a[0].Int(i), m = a[1].Int(i), d = a[2].Int(i);
                    if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, static_cast<unsigned>(m))) {
                      if (!ctx.ansi) return out.Null();
                      return FieldOutOfRange("Invalid date: year " + std::to_string(y) + ", month " +
                                             std::to_string(m) + ", day " + std::to_string(d));
                    }
                    return out.Int(types::DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
                  });
    return b;
  });
  table->AddScalar("make_timestamp", [](const std::string& name, const std::vector<TypePtr>& args)
                                         -> Result<BoundScalar> {
    BoundScalar b;
    RETURN_NOT_OK(BindMakeTimestampArgs(name, args, 7, &b));
    b.return_type = TimestampType();
    b.kernel = RowKernel(TimestampType(), [](const S& a, int64_t i, OutBuilder& out,
                                             const EvalContext& ctx) -> Status {
      const int64_t y = a[0].Int(i), mo = a[1].Int(i), d = a[2].Int(i), h = a[3].Int(i),
                    mi = a[4].Int(i);
      const arrow::Decimal128 sec = a[5].Dec(i);
      arrow::Decimal256 whole, frac;
      DivMod(Widen(sec), Pow10Wide(6), &whole, &frac);
      int64_t s = static_cast<int64_t>(Narrow(whole).low_bits());
      const int64_t micros = static_cast<int64_t>(Narrow(frac).low_bits());
      bool bad = mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
                 s > 60 || (s == 60 && micros != 0);
      if (!bad && d > DaysInMonth(y, static_cast<unsigned>(mo))) bad = true;
      if (bad) {
        if (!ctx.ansi) return out.Null();
        return FieldOutOfRange("Invalid value for a datetime field");
      }
      int64_t local = types::DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) *
                          kMicrosPerDay +
                      (h * 3600 + mi * 60 + s) * kMicrosPerSecond + micros;
      const std::string zone = a.size() > 6 ? std::string(a[6].Str(i)) : ctx.session_time_zone;
      ARROW_ASSIGN_OR_RAISE(auto utc, FromLocal(local, zone));
      return out.Int(utc);
    });
    return b;
  });
  table->AddScalarWithConstants("date_part", BindDatePart);
  table->AddScalarWithConstants("datepart", BindDatePart);
  table->AddScalarWithConstants("extract", BindDatePart);
  table->AddFixed("from_utc_timestamp", {ts, s}, ts,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                    ARROW_ASSIGN_OR_RAISE(auto v, ToLocal(a[0].Int(i), std::string(a[1].Str(i))));
                    return out.Int(v);
                  });
  table->AddFixed("to_utc_timestamp", {ts, s}, ts,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                    ARROW_ASSIGN_OR_RAISE(auto v, FromLocal(a[0].Int(i), std::string(a[1].Str(i))));
                    return out.Int(v);
                  });
}

}  // namespace basin::function
