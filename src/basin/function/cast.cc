#include "basin/function/cast.h"

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <limits>

#include "basin/function/decimal_math.h"
#include "basin/function/kernel_support.h"
#include "basin/function/to_variant.h"
#include "basin/function/variant_cast.h"
#include "basin/types/geospatial_type.h"
#include "basin/types/civil_time.h"
#include "basin/types/variant.h"
#include "basin/types/variant_type.h"
#include "basin/types/year_month_interval_type.h"

namespace basin::function {

namespace {

// Spark's casts between spatial types: to the same type, from a fixed SRID to the mixed type of
// its kind, and from GEOGRAPHY to GEOMETRY of the same SRID. Nothing else casts to or from them.
bool CanCastSpatial(const arrow::DataType& from, const arrow::DataType& to) {
  auto f = types::SpatialTypeOf(from);
  auto t = types::SpatialTypeOf(to);
  if (!f || !t) return false;
  if (f->kind == t->kind) return f->srid == t->srid || t->mixed();
  return f->kind == types::SpatialKind::kGeography && f->srid == t->srid;
}


std::string JavaFloating(double v, bool is_float) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  std::to_chars_result r;
  if (is_float) {
    r = std::to_chars(buf, buf + sizeof(buf), static_cast<float>(v), std::chars_format::scientific);
  } else {
    r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  }
  std::string s(buf, r.ptr);
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    s.erase(0, 1);
  }
  const size_t e_pos = s.find('e');
  std::string mantissa = s.substr(0, e_pos);
  const int exponent = std::stoi(s.substr(e_pos + 1));
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits.push_back(c);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out;
  const double a = std::fabs(v);
  if (a >= 1e-3 && a < 1e7) {
    if (exponent >= 0) {
      std::string int_part, frac_part;
      if (static_cast<int>(digits.size()) <= exponent + 1) {
        int_part = digits + std::string(static_cast<size_t>(exponent + 1) - digits.size(), '0');
        frac_part = "0";
      } else {
        int_part = digits.substr(0, static_cast<size_t>(exponent + 1));
        frac_part = digits.substr(static_cast<size_t>(exponent + 1));
      }
      out = int_part + "." + frac_part;
    } else {
      out = "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    }
  } else {
    out = digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
          std::to_string(exponent);
  }
  return negative ? "-" + out : out;
}

const arrow::Decimal128Type& DecType(const arrow::DataType& t) {
  return static_cast<const arrow::Decimal128Type&>(t);
}

bool IsWhitespaceOrControl(unsigned char c) { return c <= ' '; }

bool ParseDigits(std::string_view s, size_t* pos, int min_digits, int max_digits, int64_t* out) {
  int n = 0;
  int64_t v = 0;
  while (*pos < s.size() && std::isdigit(static_cast<unsigned char>(s[*pos])) && n < max_digits) {
    v = v * 10 + (s[*pos] - '0');
    ++*pos;
    ++n;
  }
  if (n < min_digits) return false;
  *out = v;
  return true;
}

// Reads the digits of a seconds fraction at `*pos` as microseconds (digits past the sixth are
// dropped) and returns how many digits there were.
int ParseMicrosFraction(std::string_view s, size_t* pos, int64_t* micros) {
  int n = 0;
  int64_t v = 0;
  while (*pos < s.size() && std::isdigit(static_cast<unsigned char>(s[*pos]))) {
    if (n < 6) v = v * 10 + (s[*pos] - '0');
    ++n;
    ++*pos;
  }
  for (int k = std::min(n, 6); k < 6; ++k) v *= 10;
  *micros = v;
  return n;
}

// Reads "H[H]:M[M][:S[S][.fraction]]" at `*pos` (the fraction as microseconds); false when the
// text there does not have that form or the fraction has more than `max_fraction_digits` digits.
// Ranges (hour <= 23, ...) are the caller's to check.
bool ParseClock(std::string_view s, size_t* pos, int64_t* h, int64_t* m, int64_t* sec,
                int64_t* frac, int max_fraction_digits) {
  *h = *m = *sec = *frac = 0;
  if (!ParseDigits(s, pos, 1, 2, h)) return false;
  if (*pos >= s.size() || s[*pos] != ':') return false;
  ++*pos;
  if (!ParseDigits(s, pos, 1, 2, m)) return false;
  if (*pos < s.size() && s[*pos] == ':') {
    ++*pos;
    if (!ParseDigits(s, pos, 1, 2, sec)) return false;
    if (*pos < s.size() && s[*pos] == '.') {
      ++*pos;
      if (ParseMicrosFraction(s, pos, frac) > max_fraction_digits) return false;
    }
  }
  return true;
}

bool ValidDate(int64_t y, int64_t m, int64_t d) {
  if (m < 1 || m > 12 || d < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t dim = kDays[m - 1];
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) dim = 29;
  return d <= dim;
}

// Parses the date part at the start of `s`; sets *pos after it.
bool ParseDatePart(std::string_view s, size_t* pos, int64_t* days) {
  int64_t sign = 1;
  if (*pos < s.size() && (s[*pos] == '-' || s[*pos] == '+')) {
    sign = s[*pos] == '-' ? -1 : 1;
    ++*pos;
  }
  int64_t y = 0, m = 1, d = 1;
  if (!ParseDigits(s, pos, 4, 7, &y)) return false;
  y *= sign;
  if (*pos < s.size() && s[*pos] == '-') {
    ++*pos;
    if (!ParseDigits(s, pos, 1, 2, &m)) return false;
    if (*pos < s.size() && s[*pos] == '-') {
      ++*pos;
      if (!ParseDigits(s, pos, 1, 2, &d)) return false;
    }
  }
  if (!ValidDate(y, m, d)) return false;
  *days = types::DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

// Parses a zone suffix: "Z", "+hh[:mm]", "UTC", "GMT+h", or a region id. Returns the zone id
// that arrow understands, or an offset in seconds.
bool ParseZone(std::string_view z, std::string* zone_id, int64_t* offset_seconds, bool* is_offset) {
  while (!z.empty() && z.front() == ' ') z.remove_prefix(1);
  if (z.empty()) return false;
  if (z == "Z" || z == "z" || z == "UTC" || z == "GMT" || z == "UT") {
    *is_offset = true;
    *offset_seconds = 0;
    return true;
  }
  std::string_view rest = z;
  for (std::string_view prefix : {"UTC", "GMT", "UT"}) {
    if (rest.size() > prefix.size() && rest.substr(0, prefix.size()) == prefix &&
        (rest[prefix.size()] == '+' || rest[prefix.size()] == '-')) {
      rest.remove_prefix(prefix.size());
      break;
    }
  }
  if (rest[0] == '+' || rest[0] == '-') {
    const int64_t sign = rest[0] == '-' ? -1 : 1;
    size_t p = 1;
    int64_t h = 0, m = 0, sec = 0;
    if (!ParseDigits(rest, &p, 1, 2, &h)) return false;
    if (p < rest.size() && rest[p] == ':') {
      ++p;
      if (!ParseDigits(rest, &p, 2, 2, &m)) return false;
      if (p < rest.size() && rest[p] == ':') {
        ++p;
        if (!ParseDigits(rest, &p, 2, 2, &sec)) return false;
      }
    } else if (p < rest.size()) {
      if (!ParseDigits(rest, &p, 2, 2, &m)) return false;
    }
    if (p != rest.size() || h > 18 || m > 59) return false;
    *is_offset = true;
    *offset_seconds = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  for (char c : z) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
          c == '+')) {
      return false;
    }
  }
  *is_offset = false;
  *zone_id = std::string(z);
  return true;
}

std::string LiteralSuffix(const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::INT8:
      return "Y";
    case arrow::Type::INT16:
      return "S";
    case arrow::Type::INT64:
      return "L";
    case arrow::Type::DOUBLE:
      return "D";
    case arrow::Type::DECIMAL128:
      return "BD";
    default:
      return "";
  }
}

Status CastOverflow(const arrow::Array& array, int64_t i, const arrow::DataType& target,
                    const EvalContext& context) {
  return UserError("CAST_OVERFLOW",
                   "The value " + SqlValue(array, i, context) + " of the type \"" +
                       SqlTypeName(*array.type()) + "\" cannot be cast to \"" +
                       SqlTypeName(target) +
                       "\" due to an overflow. Use `try_cast` to tolerate overflow and return "
                       "NULL instead.");
}

Status DecimalOutOfRange(const std::string& value, const arrow::DataType& target) {
  const auto& d = DecType(target);
  return UserError("NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION",
                   "" + value +
                       " cannot be represented as Decimal(" + std::to_string(d.precision()) +
                       ", " + std::to_string(d.scale()) +
                       "). If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this "
                       "error, and return NULL instead.");
}

int64_t IntegralMin(arrow::Type::type id) {
  switch (id) {
    case arrow::Type::INT8:
      return std::numeric_limits<int8_t>::min();
    case arrow::Type::INT16:
      return std::numeric_limits<int16_t>::min();
    case arrow::Type::INT32:
      return std::numeric_limits<int32_t>::min();
    default:
      return std::numeric_limits<int64_t>::min();
  }
}
int64_t IntegralMax(arrow::Type::type id) {
  switch (id) {
    case arrow::Type::INT8:
      return std::numeric_limits<int8_t>::max();
    case arrow::Type::INT16:
      return std::numeric_limits<int16_t>::max();
    case arrow::Type::INT32:
      return std::numeric_limits<int32_t>::max();
    default:
      return std::numeric_limits<int64_t>::max();
  }
}

// Wraps an int64 to a narrower integral type as Java's narrowing conversion does.
int64_t WrapIntegral(int64_t v, arrow::Type::type id) {
  switch (id) {
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

// Casts one non-null row of `in` to the primitive `target`, appending to `out`.
Status CastRow(const ArgReader& in, int64_t i, const TypePtr& target, bool ansi, bool try_cast,
               OutBuilder& out, const EvalContext& context) {
  const arrow::DataType& from = *in.type();
  const arrow::Array& array = *in.array();
  const int64_t k = in.Index(i);
  const auto tid = target->id();
  auto invalid = [&]() -> Status {
    if (!ansi || try_cast) return out.Null();
    return CastInvalidInput(in.Str(i), from, *target);
  };
  auto overflow = [&]() -> Status {
    if (!ansi) return out.Null();
    if (try_cast) return out.Null();
    return CastOverflow(array, k, *target, context);
  };
  switch (tid) {
    case arrow::Type::BOOL: {
      if (IsStringLike(from)) {
        auto b = ParseBoolean(in.Str(i));
        if (!b) return invalid();
        return out.Bool(*b);
      }
      if (IsDecimal(from)) return out.Bool(in.Dec(i) != arrow::Decimal128(0));
      if (IsFloating(from)) return out.Bool(in.Double(i) != 0);
      if (IsTimestamp(from) || IsIntegral(from)) return out.Bool(in.Int(i) != 0);
      break;
    }
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64: {
      const int64_t lo = IntegralMin(tid), hi = IntegralMax(tid);
      if (IsStringLike(from)) {
        bool of = false;
        // ANSI parsing (UTF8String.toLongExact) rejects a fraction; legacy truncates it.
        if ((ansi || try_cast) && in.Str(i).find('.') != std::string_view::npos) return invalid();
        auto v = ParseInteger(in.Str(i), lo, hi, &of);
        if (!v) return invalid();
        return out.Int(*v);
      }
      if (from.id() == arrow::Type::BOOL || IsIntegral(from)) {
        const int64_t v = in.Int(i);
        if (v < lo || v > hi) return ansi || try_cast ? overflow() : out.Int(WrapIntegral(v, tid));
        return out.Int(v);
      }
      if (IsFloating(from)) {
        const double d = in.Double(i);
        const double t = std::trunc(d);
        if (std::isnan(d) || t < static_cast<double>(lo) || t >= -static_cast<double>(lo) ||
            t > static_cast<double>(hi)) {
          if (ansi || try_cast) return overflow();
          if (std::isnan(d)) return out.Int(0);
          if (tid == arrow::Type::INT64 || tid == arrow::Type::INT32) {
            return out.Int(d < 0 ? lo : hi);
          }
          return out.Int(WrapIntegral(static_cast<int32_t>(std::max(std::min(t, 2147483647.0), -2147483648.0)), tid));
        }
        return out.Int(static_cast<int64_t>(t));
      }
      if (IsDecimal(from)) {
        const int scale = DecType(from).scale();
        arrow::Decimal256 v = Widen(in.Dec(i));
        arrow::Decimal256 q, r;
        DivMod(v, Pow10Wide(scale), &q, &r);
        if (q < arrow::Decimal256(lo) || q > arrow::Decimal256(hi)) {
          if (ansi || try_cast) return overflow();
          return out.Int(WrapIntegral(static_cast<int64_t>(Narrow(q).low_bits()), tid));
        }
        return out.Int(static_cast<int64_t>(Narrow(q).low_bits()));
      }
      if (IsTimestamp(from)) {
        const int64_t secs = FloorDiv(in.Int(i), kMicrosPerSecond);
        if (secs < lo || secs > hi) return ansi || try_cast ? overflow() : out.Int(WrapIntegral(secs, tid));
        return out.Int(secs);
      }
      if (from.id() == arrow::Type::TIME64) {
        // Whole seconds of the day.
        const int64_t secs = in.Int(i) / kNanosPerSecond;
        if (secs < lo || secs > hi)
          return ansi || try_cast ? overflow() : out.Int(WrapIntegral(secs, tid));
        return out.Int(secs);
      }
      break;
    }
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE: {
      if (IsStringLike(from)) {
        auto v = ParseDouble(in.Str(i));
        if (!v) return invalid();
        return out.Double(*v);
      }
      if (IsTimestamp(from)) return out.Double(static_cast<double>(in.Int(i)) / 1e6);
      if (IsDecimal(from)) {
        // Through the decimal text, as Java's BigDecimal.doubleValue rounds correctly.
        return out.Double(std::strtod(FormatDecimal(in.Dec(i), DecType(from).scale()).c_str(),
                                      nullptr));
      }
      if (from.id() == arrow::Type::FLOAT && tid == arrow::Type::DOUBLE) {
        return out.Double(static_cast<const arrow::FloatArray&>(array).Value(k));
      }
      return out.Double(in.Double(i));
    }
    case arrow::Type::DECIMAL128: {
      const auto& dt = DecType(*target);
      std::optional<arrow::Decimal128> v;
      bool of = false;
      if (IsStringLike(from)) {
        v = ParseDecimal(in.Str(i), dt.precision(), dt.scale(), &of);
        if (!v && !of) return invalid();
      } else if (IsDecimal(from)) {
        arrow::Decimal256 w = RescaleHalfUp(Widen(in.Dec(i)), DecType(from).scale(), dt.scale());
        if (FitsPrecision(w, dt.precision())) v = Narrow(w);
      } else if (IsIntegral(from) || from.id() == arrow::Type::BOOL) {
        arrow::Decimal256 w = RescaleHalfUp(arrow::Decimal256(in.Int(i)), 0, dt.scale());
        if (FitsPrecision(w, dt.precision())) v = Narrow(w);
      } else if (IsFloating(from)) {
        const double d = in.Double(i);
        if (std::isnan(d) || std::isinf(d)) return overflow();
        v = ParseDecimal(from.id() == arrow::Type::FLOAT
                             ? FormatFloat(static_cast<float>(d))
                             : FormatDouble(d),
                         dt.precision(), dt.scale(), &of);
      } else if (IsTimestamp(from)) {
        arrow::Decimal256 w = RescaleHalfUp(arrow::Decimal256(in.Int(i)), 6, dt.scale());
        if (FitsPrecision(w, dt.precision())) v = Narrow(w);
      } else if (from.id() == arrow::Type::TIME64) {
        // Seconds of the day with their fraction.
        arrow::Decimal256 w = RescaleHalfUp(arrow::Decimal256(in.Int(i)), 9, dt.scale());
        if (FitsPrecision(w, dt.precision())) v = Narrow(w);
      } else {
        break;
      }
      if (!v) {
        if (!ansi) return out.Null();
        std::string text = IsStringLike(from) ? std::string(in.Str(i))
                                              : ValueToString(array, k, context).ValueOr("?");
        return DecimalOutOfRange(text, *target);
      }
      return out.Dec(*v);
    }
    case arrow::Type::DATE32: {
      if (IsStringLike(from)) {
        auto d = ParseDate(in.Str(i));
        if (!d) return invalid();
        return out.Int(*d);
      }
      if (IsTimestamp(from)) {
        const auto& ts = static_cast<const arrow::TimestampType&>(from);
        int64_t micros = in.Int(i);
        if (!ts.timezone().empty()) {
          ARROW_ASSIGN_OR_RAISE(micros, ToLocal(micros, context.session_time_zone));
        }
        return out.Int(FloorDiv(micros, kMicrosPerDay));
      }
      break;
    }
    case arrow::Type::TIMESTAMP: {
      const bool ntz = static_cast<const arrow::TimestampType&>(*target).timezone().empty();
      if (IsStringLike(from)) {
        auto t = ParseTimestamp(in.Str(i), ntz ? std::string() : context.session_time_zone);
        if (!t) return invalid();
        return out.Int(*t);
      }
      if (from.id() == arrow::Type::DATE32) {
        const int64_t local = in.Int(i) * kMicrosPerDay;
        if (ntz) return out.Int(local);
        ARROW_ASSIGN_OR_RAISE(auto utc, FromLocal(local, context.session_time_zone));
        return out.Int(utc);
      }
      if (IsTimestamp(from)) {
        const bool from_ntz = static_cast<const arrow::TimestampType&>(from).timezone().empty();
        const int64_t v = in.Int(i);
        if (from_ntz == ntz) return out.Int(v);
        if (from_ntz) {
          ARROW_ASSIGN_OR_RAISE(auto utc, FromLocal(v, context.session_time_zone));
          return out.Int(utc);
        }
        ARROW_ASSIGN_OR_RAISE(auto local, ToLocal(v, context.session_time_zone));
        return out.Int(local);
      }
      if (!ntz && (IsIntegral(from) || from.id() == arrow::Type::BOOL)) {
        const int64_t s = in.Int(i);
        int64_t micros;
        if (__builtin_mul_overflow(s, kMicrosPerSecond, &micros)) return overflow();
        return out.Int(micros);
      }
      if (!ntz && IsFloating(from)) {
        const double d = in.Double(i);
        if (std::isnan(d) || std::isinf(d)) return ansi ? overflow() : out.Null();
        const double m = d * 1e6;
        if (m >= 9.2e18 || m <= -9.2e18) return overflow();
        return out.Int(static_cast<int64_t>(m));
      }
      if (!ntz && IsDecimal(from)) {
        arrow::Decimal256 w = RescaleHalfUp(Widen(in.Dec(i)), DecType(from).scale(), 6);
        if (!FitsPrecision(w, 18)) return overflow();
        return out.Int(static_cast<int64_t>(Narrow(w).low_bits()));
      }
      break;
    }
    case arrow::Type::TIME64: {
      if (IsStringLike(from)) {
        auto t = ParseTime(in.Str(i));
        if (!t) return invalid();
        return out.Int(*t);
      }
      if (from.id() == arrow::Type::TIME64) return out.Int(in.Int(i));
      break;
    }
    case arrow::Type::BINARY:
      if (IsStringLike(from)) return out.Str(in.Str(i));
      if (IsIntegral(from)) {
        // Spark writes the big-endian bytes of the integral value.
        int64_t v = in.Int(i);
        int width = from.byte_width();
        std::string bytes(static_cast<size_t>(width), '\0');
        for (int b = width - 1; b >= 0; --b) {
          bytes[static_cast<size_t>(b)] = static_cast<char>(v & 0xff);
          v >>= 8;
        }
        return out.Str(bytes);
      }
      break;
    case arrow::Type::DURATION:
    case arrow::Type::INTERVAL_MONTHS:
      if (from.id() == tid) return out.Int(in.Int(i));
      break;
    default:
      break;
  }
  return UserError("DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION",
                   "Cannot resolve cast due to data "
                   "type mismatch: cannot cast \"" +
                       SqlTypeName(from) + "\" to \"" + SqlTypeName(*target) + "\".");
}

// Casts between year-month interval types (Arrow calls them all equal): the values take the
// target's fields, and an INTERVAL YEAR target drops the months beyond whole years, as Spark
// does.
Result<std::shared_ptr<arrow::Array>> CastYearMonthInterval(
    const std::shared_ptr<arrow::Array>& in, const TypePtr& target) {
  const auto from = types::YearMonthFieldsOf(*in->type());
  const auto to = types::YearMonthFieldsOf(*target);
  if (from == to) return in;
  const bool whole_years = to.end == types::YearMonthField::kYear &&
                           from.end == types::YearMonthField::kMonth;
  if (!whole_years) {
    auto data = in->data()->Copy();
    data->type = target;
    return arrow::MakeArray(data);
  }
  const auto& months = static_cast<const arrow::MonthIntervalArray&>(*in);
  arrow::MonthIntervalBuilder b(target, arrow::default_memory_pool());
  RETURN_NOT_OK(b.Reserve(in->length()));
  for (int64_t i = 0; i < in->length(); ++i) {
    if (in->IsNull(i)) {
      b.UnsafeAppendNull();
    } else {
      b.UnsafeAppend(months.Value(i) / 12 * 12);
    }
  }
  return b.Finish();
}

// Returns `n` nulls of `type`. A null VARIANT still has (empty) value and metadata children,
// which are declared non-nullable, so Parquet writers accept it.
Result<std::shared_ptr<arrow::Array>> NullsOf(const TypePtr& type, int64_t n) {
  if (type->id() != arrow::Type::STRUCT || !types::ContainsVariant(*type)) {
    return arrow::MakeArrayOfNull(type, n);
  }
  arrow::ArrayVector children;
  for (const auto& field : type->fields()) {
    if (types::IsVariantType(*type)) {
      arrow::BinaryBuilder empty;
      RETURN_NOT_OK(empty.AppendEmptyValues(n));
      ARROW_ASSIGN_OR_RAISE(auto child, empty.Finish());
      children.push_back(child);
    } else {
      ARROW_ASSIGN_OR_RAISE(auto child, NullsOf(field->type(), n));
      children.push_back(child);
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto validity, arrow::AllocateEmptyBitmap(n));
  return std::make_shared<arrow::StructArray>(type, n, children, validity, n);
}

Result<std::shared_ptr<arrow::Array>> CastArray(const std::shared_ptr<arrow::Array>& in,
                                                const TypePtr& target, bool try_cast,
                                                const EvalContext& context) {
  if (in->type_id() == arrow::Type::INTERVAL_MONTHS &&
      target->id() == arrow::Type::INTERVAL_MONTHS) {
    return CastYearMonthInterval(in, target);
  }
  if (in->type_id() != arrow::Type::NA &&
      (types::SpatialTypeOf(*in->type()) || types::SpatialTypeOf(*target))) {
    if (!CanCastSpatial(*in->type(), *target)) {
      return UserError("DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION",
                       "Cannot resolve cast due to data type mismatch: cannot cast \"" +
                           SqlTypeName(*in->type()) + "\" to \"" + SqlTypeName(*target) + "\".");
    }
    // The rows stay as they are; only the type (its SRID marker) changes.
    return types::WithSpatialType(in, target);
  }
  if (in->type()->Equals(*target)) return in;
  const int64_t n = in->length();
  if (in->type_id() == arrow::Type::NA) return NullsOf(target, n);
  if (types::IsVariantType(*in->type())) {
    if (!CanCastVariantTo(*target)) {
      return UserError("DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION",
                       "Cannot resolve cast due to data type mismatch: cannot cast \"VARIANT\" "
                       "to \"" + SqlTypeName(*target) + "\".");
    }
    return CastVariantArray(in, target, try_cast, context);
  }
  if (!CanCast(*in->type(), *target)) {
    return UserError("DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION",
                     "Cannot resolve cast due to "
                     "data type mismatch: cannot cast \"" +
                         SqlTypeName(*in->type()) + "\" to \"" + SqlTypeName(*target) + "\".");
  }
  if (types::IsVariantType(*target)) return EncodeAsVariant(in, /*objects=*/false);
  const bool ansi = context.ansi && !try_cast;
  if (target->id() == arrow::Type::STRING) {
    arrow::StringBuilder b;
    RETURN_NOT_OK(b.Reserve(n));
    for (int64_t i = 0; i < n; ++i) {
      if (in->IsNull(i)) {
        RETURN_NOT_OK(b.AppendNull());
      } else {
        ARROW_ASSIGN_OR_RAISE(auto s, ValueToString(*in, i, context));
        RETURN_NOT_OK(b.Append(s));
      }
    }
    return b.Finish();
  }
  if (target->id() == arrow::Type::LIST && in->type_id() == arrow::Type::LIST) {
    const auto& list = static_cast<const arrow::ListArray&>(*in);
    const auto& lt = static_cast<const arrow::ListType&>(*target);
    ARROW_ASSIGN_OR_RAISE(auto values, CastArray(list.values(), lt.value_type(), try_cast, context));
    return std::make_shared<arrow::ListArray>(target, n, list.value_offsets(), values,
                                              list.null_bitmap(), list.null_count(),
                                              list.offset());
  }
  if (target->id() == arrow::Type::MAP && in->type_id() == arrow::Type::MAP) {
    const auto& map = static_cast<const arrow::MapArray&>(*in);
    const auto& mt = static_cast<const arrow::MapType&>(*target);
    ARROW_ASSIGN_OR_RAISE(auto keys, CastArray(map.keys(), mt.key_type(), try_cast, context));
    ARROW_ASSIGN_OR_RAISE(auto items, CastArray(map.items(), mt.item_type(), try_cast, context));
    return std::make_shared<arrow::MapArray>(target, n, map.value_offsets(), keys, items,
                                             map.null_bitmap(), map.null_count(), map.offset());
  }
  if (target->id() == arrow::Type::STRUCT && in->type_id() == arrow::Type::STRUCT) {
    const auto& st = static_cast<const arrow::StructArray&>(*in);
    std::vector<std::shared_ptr<arrow::Array>> children;
    for (int f = 0; f < target->num_fields(); ++f) {
      ARROW_ASSIGN_OR_RAISE(auto child, st.GetFlattenedField(f));
      ARROW_ASSIGN_OR_RAISE(auto cast,
                            CastArray(child, target->field(f)->type(), try_cast, context));
      children.push_back(cast);
    }
    std::shared_ptr<arrow::Buffer> validity;
    if (st.null_count() > 0) {
      ARROW_ASSIGN_OR_RAISE(validity, arrow::AllocateEmptyBitmap(n));
      for (int64_t i = 0; i < n; ++i) {
        if (st.IsValid(i)) arrow::bit_util::SetBit(validity->mutable_data(), i);
      }
    }
    return std::make_shared<arrow::StructArray>(target, n, children, validity, st.null_count());
  }
  ArgReader reader{arrow::Datum(in)};
  ARROW_ASSIGN_OR_RAISE(auto out, OutBuilder::Make(target, n));
  for (int64_t i = 0; i < n; ++i) {
    if (in->IsNull(i)) {
      RETURN_NOT_OK(out->Null());
    } else {
      RETURN_NOT_OK(CastRow(reader, i, target, ansi, try_cast, *out, context));
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto d, out->Finish(false));
  return d.make_array();
}

bool IsAtomicCastable(const arrow::DataType& t) {
  return IsNumeric(t) || IsStringLike(t) || t.id() == arrow::Type::BOOL ||
         t.id() == arrow::Type::DATE32 || IsTimestamp(t) || t.id() == arrow::Type::BINARY;
}

}  // namespace

namespace {
// Spark prints dates after year 9999 with a leading '+', e.g. +10000-01-01.
std::string SparkDate(int64_t days) {
  int64_t year = 0;
  unsigned month = 0, day = 0;
  types::CivilFromDays(days, &year, &month, &day);
  std::string out = types::FormatDate(static_cast<int32_t>(days));
  if (year > 9999) out.insert(0, "+");
  return out;
}
}  // namespace

std::string FormatDouble(double v) { return JavaFloating(v, false); }
std::string FormatFloat(float v) { return JavaFloating(v, true); }

std::string FormatLocalTimestamp(int64_t local_micros) {
  const int64_t days = FloorDiv(local_micros, kMicrosPerDay);
  const int64_t rest = FloorMod(local_micros, kMicrosPerDay);
  std::string out = SparkDate(days);
  const int64_t secs = rest / kMicrosPerSecond;
  const int64_t frac = rest % kMicrosPerSecond;
  char buf[48];
  std::snprintf(buf, sizeof(buf), " %02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                static_cast<long long>((secs / 60) % 60), static_cast<long long>(secs % 60));
  out += buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}

std::string CalendarIntervalText(int32_t months, int32_t days, int64_t micros) {
  // Spark's CalendarInterval.toString: "1 years 2 months 3 days 4 hours 5 minutes 6.5 seconds",
  // each unit only when not zero, "0 seconds" for an empty interval.
  if (months == 0 && days == 0 && micros == 0) return "0 seconds";
  std::string out;
  auto unit = [&](int64_t value, const char* name) {
    if (value != 0) out += std::to_string(value) + " " + name + " ";
  };
  if (months != 0) {
    unit(months / 12, "years");
    unit(months % 12, "months");
  }
  unit(days, "days");
  if (micros != 0) {
    unit(micros / 3600000000LL, "hours");
    int64_t rest = micros % 3600000000LL;
    unit(rest / 60000000LL, "minutes");
    rest %= 60000000LL;
    if (rest != 0) {
      const bool negative = rest < 0;
      const int64_t a = negative ? -rest : rest;
      std::string text = std::to_string(a / 1000000);
      if (a % 1000000 != 0) {
        char fraction[16];
        std::snprintf(fraction, sizeof(fraction), ".%06lld", static_cast<long long>(a % 1000000));
        std::string f = fraction;
        while (f.back() == '0') f.pop_back();
        text += f;
      }
      out += (negative ? "-" : "") + text + " seconds ";
    }
  }
  out.pop_back();
  return out;
}

Result<std::string> ValueToString(const arrow::Array& array, int64_t i,
                                  const EvalContext& context) {
  if (array.IsNull(i)) return std::string("null");
  ArgReader r{arrow::Datum(array.Slice(i, 1))};
  const auto& type = *array.type();
  if (types::IsVariantType(type)) {
    const auto& st = static_cast<const arrow::StructArray&>(array);
    const auto& values = static_cast<const arrow::BinaryArray&>(*st.field(0));
    const auto& metadatas = static_cast<const arrow::BinaryArray&>(*st.field(1));
    return types::VariantToJson(metadatas.GetView(i), values.GetView(i), context.session_time_zone);
  }
  switch (type.id()) {
    case arrow::Type::BOOL:
      return std::string(r.Bool(0) ? "true" : "false");
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
      return std::to_string(r.Int(0));
    case arrow::Type::FLOAT:
      return FormatFloat(static_cast<const arrow::FloatArray&>(array).Value(i));
    case arrow::Type::DOUBLE:
      return FormatDouble(r.Double(0));
    case arrow::Type::DECIMAL128:
      return FormatDecimal(r.Dec(0), DecType(type).scale());
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW:
    case arrow::Type::BINARY:
      return std::string(r.Str(0));
    case arrow::Type::DATE32:
      return SparkDate(r.Int(0));
    case arrow::Type::TIMESTAMP: {
      int64_t micros = r.Int(0);
      const auto& ts = static_cast<const arrow::TimestampType&>(type);
      if (ts.unit() == arrow::TimeUnit::NANO) micros /= 1000;
      if (ts.unit() == arrow::TimeUnit::MILLI) micros *= 1000;
      if (ts.unit() == arrow::TimeUnit::SECOND) micros *= 1000000;
      if (!ts.timezone().empty()) {
        ARROW_ASSIGN_OR_RAISE(micros, ToLocal(micros, context.session_time_zone));
      }
      return FormatLocalTimestamp(micros);
    }
    case arrow::Type::TIME64:
      return FormatTime(r.Int(0));
    case arrow::Type::LIST: {
      const auto& list = static_cast<const arrow::ListArray&>(array);
      std::string out = "[";
      for (int64_t j = list.value_offset(i); j < list.value_offset(i + 1); ++j) {
        if (j > list.value_offset(i)) out += ", ";
        ARROW_ASSIGN_OR_RAISE(auto s, ValueToString(*list.values(), j, context));
        out += s;
      }
      return out + "]";
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapArray&>(array);
      std::string out = "{";
      for (int64_t j = map.value_offset(i); j < map.value_offset(i + 1); ++j) {
        if (j > map.value_offset(i)) out += ", ";
        ARROW_ASSIGN_OR_RAISE(auto k, ValueToString(*map.keys(), j, context));
        ARROW_ASSIGN_OR_RAISE(auto v, ValueToString(*map.items(), j, context));
        out += k + " -> " + v;
      }
      return out + "}";
    }
    case arrow::Type::STRUCT: {
      const auto& st = static_cast<const arrow::StructArray&>(array);
      std::string out = "{";
      for (int f = 0; f < st.num_fields(); ++f) {
        if (f > 0) out += ", ";
        ARROW_ASSIGN_OR_RAISE(auto child, st.GetFlattenedField(f));
        ARROW_ASSIGN_OR_RAISE(auto s, ValueToString(*child, i, context));
        out += s;
      }
      return out + "}";
    }
    case arrow::Type::INTERVAL_MONTH_DAY_NANO: {
      const auto v = static_cast<const arrow::MonthDayNanoIntervalArray&>(array).GetValue(i);
      return CalendarIntervalText(v.months, v.days, v.nanoseconds / 1000);
    }
    case arrow::Type::INTERVAL_MONTHS:
      return types::YearMonthIntervalText(r.Int(0), types::YearMonthFieldsOf(type));
    case arrow::Type::DURATION: {
      const int64_t us = r.Int(0);
      const bool neg = us < 0;
      const uint64_t a = neg ? static_cast<uint64_t>(-(us + 1)) + 1 : static_cast<uint64_t>(us);
      const uint64_t days = a / 86400000000ULL;
      uint64_t rest = a % 86400000000ULL;
      char buf[96];
      std::snprintf(buf, sizeof(buf), "INTERVAL '%s%llu %02llu:%02llu:%02llu", neg ? "-" : "",
                    static_cast<unsigned long long>(days),
                    static_cast<unsigned long long>(rest / 3600000000ULL),
                    static_cast<unsigned long long>((rest / 60000000ULL) % 60),
                    static_cast<unsigned long long>((rest / 1000000ULL) % 60));
      std::string out = buf;
      if (rest % 1000000ULL) {
        std::snprintf(buf, sizeof(buf), ".%06llu", static_cast<unsigned long long>(rest % 1000000ULL));
        std::string f = buf;
        while (f.back() == '0') f.pop_back();
        out += f;
      }
      return out + "' DAY TO SECOND";
    }
    case arrow::Type::NA:
      return std::string("null");
    default:
      return array.GetScalar(i).ValueOrDie()->ToString();
  }
}

std::string_view TrimAll(std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e && IsWhitespaceOrControl(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && IsWhitespaceOrControl(static_cast<unsigned char>(text[e - 1]))) --e;
  return text.substr(b, e - b);
}

std::optional<bool> ParseBoolean(std::string_view text) {
  const std::string s = ToLowerAscii(TrimAll(text));
  if (s == "t" || s == "true" || s == "y" || s == "yes" || s == "1") return true;
  if (s == "f" || s == "false" || s == "n" || s == "no" || s == "0") return false;
  return std::nullopt;
}

std::optional<int32_t> ParseDate(std::string_view text) {
  std::string_view s = TrimAll(text);
  size_t pos = 0;
  int64_t days;
  if (!ParseDatePart(s, &pos, &days)) return std::nullopt;
  if (pos != s.size() && s[pos] != ' ' && s[pos] != 'T') return std::nullopt;
  if (days < std::numeric_limits<int32_t>::min() || days > std::numeric_limits<int32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<int32_t>(days);
}

std::optional<int64_t> ParseTimestamp(std::string_view text, const std::string& zone) {
  std::string_view s = TrimAll(text);
  size_t pos = 0;
  int64_t days;
  if (!ParseDatePart(s, &pos, &days)) return std::nullopt;
  int64_t h = 0, m = 0, sec = 0, frac = 0;
  std::string_view zone_text;
  if (pos < s.size()) {
    if (s[pos] != ' ' && s[pos] != 'T') return std::nullopt;
    ++pos;
    if (pos < s.size()) {
      if (!ParseClock(s, &pos, &h, &m, &sec, &frac, 9)) return std::nullopt;
      if (h > 23 || m > 59 || sec > 59) return std::nullopt;
      zone_text = s.substr(pos);
    }
  }
  int64_t local = days * kMicrosPerDay + (h * 3600 + m * 60 + sec) * kMicrosPerSecond + frac;
  if (!zone_text.empty()) {
    std::string zone_id;
    int64_t offset = 0;
    bool is_offset = false;
    if (!ParseZone(zone_text, &zone_id, &offset, &is_offset)) return std::nullopt;
    if (zone.empty()) return local;  // timestamp_ntz ignores the zone
    if (is_offset) return local - offset * kMicrosPerSecond;
    auto utc = FromLocal(local, zone_id);
    if (!utc.ok()) return std::nullopt;
    return *utc;
  }
  if (zone.empty()) return local;
  auto utc = FromLocal(local, zone);
  if (!utc.ok()) return std::nullopt;
  return *utc;
}

std::optional<int64_t> ParseTime(std::string_view text) {
  std::string_view s = TrimAll(text);
  // A leading 'T' (ISO 8601's time designator) is allowed.
  if (!s.empty() && s[0] == 'T') s.remove_prefix(1);
  size_t pos = 0;
  int64_t h = 0, m = 0, sec = 0, frac = 0;
  if (!ParseClock(s, &pos, &h, &m, &sec, &frac, INT_MAX)) return std::nullopt;
  if (pos != s.size() || h > 23 || m > 59 || sec > 59) return std::nullopt;
  return ((h * 3600 + m * 60 + sec) * kMicrosPerSecond + frac) * 1000;
}

std::string FormatTime(int64_t nanos) {
  const int64_t secs = nanos / kNanosPerSecond;
  const int64_t frac = nanos % kNanosPerSecond;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                static_cast<long long>((secs / 60) % 60), static_cast<long long>(secs % 60));
  std::string out = buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%09lld", static_cast<long long>(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}

std::optional<int64_t> ParseInteger(std::string_view text, int64_t min, int64_t max,
                                    bool* overflow) {
  if (overflow) *overflow = false;
  std::string_view s = TrimAll(text);
  if (s.empty()) return std::nullopt;
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    ++i;
  }
  if (i >= s.size()) return std::nullopt;
  __int128 v = 0;
  bool any = false;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    v = v * 10 + (s[i] - '0');
    any = true;
    if (v > (static_cast<__int128>(1) << 64)) {
      if (overflow) *overflow = true;
      return std::nullopt;
    }
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) any = true;
  }
  if (!any || i != s.size()) return std::nullopt;
  if (negative) v = -v;
  if (v < min || v > max) {
    if (overflow) *overflow = true;
    return std::nullopt;
  }
  return static_cast<int64_t>(v);
}

std::optional<double> ParseDouble(std::string_view text) {
  std::string_view s = TrimAll(text);
  if (s.empty()) return std::nullopt;
  const std::string lower = ToLowerAscii(s);
  if (lower == "nan" || lower == "+nan" || lower == "-nan") return std::nan("");
  if (lower == "infinity" || lower == "+infinity" || lower == "inf" || lower == "+inf") {
    return std::numeric_limits<double>::infinity();
  }
  if (lower == "-infinity" || lower == "-inf") return -std::numeric_limits<double>::infinity();
  std::string t(s);
  if (!t.empty() && (t.back() == 'd' || t.back() == 'D' || t.back() == 'f' || t.back() == 'F')) {
    t.pop_back();
  }
  for (char c : t) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' ||
          c == '+' || c == '-')) {
      return std::nullopt;
    }
  }
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size()) return std::nullopt;
  return v;
}

std::string SqlValue(const arrow::Array& array, int64_t i, const EvalContext& context) {
  if (array.IsNull(i)) return "NULL";
  auto s = ValueToString(array, i, context).ValueOr("?");
  const auto& t = *array.type();
  if (IsStringLike(t)) return "'" + s + "'";
  if (t.id() == arrow::Type::DATE32) return "DATE '" + s + "'";
  if (t.id() == arrow::Type::TIME64) return "TIME '" + s + "'";
  if (IsTimestamp(t)) {
    return (static_cast<const arrow::TimestampType&>(t).timezone().empty() ? "TIMESTAMP_NTZ '"
                                                                          : "TIMESTAMP '") +
           s + "'";
  }
  return s + LiteralSuffix(t);
}

Status CastInvalidInput(std::string_view text, const arrow::DataType& source,
                        const arrow::DataType& target) {
  return UserError("CAST_INVALID_INPUT",
                   "The value '" + std::string(text) + "' of the type \"" +
                       SqlTypeName(source) + "\" cannot be cast to \"" + SqlTypeName(target) +
                       "\" because it is malformed. Correct the value as per the syntax, or change "
                       "its target type. Use `try_cast` to tolerate malformed input and return "
                       "NULL instead.");
}

Result<arrow::Datum> Cast(const arrow::Datum& value, const TypePtr& target, bool try_cast,
                          const EvalContext& context) {
  if (value.is_scalar()) {
    ARROW_ASSIGN_OR_RAISE(auto arr, arrow::MakeArrayFromScalar(*value.scalar(), 1));
    ARROW_ASSIGN_OR_RAISE(auto cast, CastArray(arr, target, try_cast, context));
    ARROW_ASSIGN_OR_RAISE(auto s, cast->GetScalar(0));
    return arrow::Datum(s);
  }
  ARROW_ASSIGN_OR_RAISE(auto cast, CastArray(value.make_array(), target, try_cast, context));
  return arrow::Datum(cast);
}

Status CastMismatchError(const arrow::DataType& from, const arrow::DataType& to,
                         const std::string& display, const std::string& suffix) {
  const std::string f = SqlTypeName(from);
  const std::string t = SqlTypeName(to);
  std::string message = "Cannot resolve \"" + display + "\" due to data type mismatch: cannot cast \"" +
                        f + "\" to \"" + t + "\".";
  std::string function;
  if (IsNumeric(from) && to.id() == arrow::Type::DATE32) function = "DATE_FROM_UNIX_DATE";
  if (from.id() == arrow::Type::DATE32 && IsNumeric(to)) function = "UNIX_DATE";
  if (IsNumeric(from) && IsTimestamp(to)) function = "TIMESTAMP_SECONDS";
  if (IsTimestamp(from) && IsNumeric(to)) function = "UNIX_SECONDS";
  if (function.empty()) {
    return UserError("DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION", message + suffix);
  }
  return UserError("DATATYPE_MISMATCH.CAST_WITH_FUNC_SUGGESTION",
                   message + " To convert values from \"" + f + "\" to \"" + t +
                       "\", you can use the function `" + function + "` instead." + suffix);
}

bool CanCast(const arrow::DataType& from, const arrow::DataType& to) {
  if (from.id() == arrow::Type::NA) return true;
  if (types::SpatialTypeOf(from) || types::SpatialTypeOf(to)) return CanCastSpatial(from, to);
  if (from.Equals(to)) return true;
  if (to.id() == arrow::Type::STRING) return true;
  if (types::IsVariantType(from)) return CanCastVariantTo(to);
  if (types::IsVariantType(to)) return CanEncodeAsVariant(from, /*objects=*/false);
  const auto f = from.id(), t = to.id();
  if (IsStringLike(from)) {
    return IsNumeric(to) || t == arrow::Type::BOOL || t == arrow::Type::DATE32 || IsTimestamp(to) ||
           t == arrow::Type::TIME64 || t == arrow::Type::BINARY;
  }
  // A TIME casts to another TIME precision and to seconds of the day (integral or decimal).
  if (f == arrow::Type::TIME64) return t == arrow::Type::TIME64 || IsIntegral(to) || IsDecimal(to);
  if (IsNumeric(from) || f == arrow::Type::BOOL) {
    return IsNumeric(to) || t == arrow::Type::BOOL ||
           (IsTimestamp(to) && !static_cast<const arrow::TimestampType&>(to).timezone().empty()) ||
           (t == arrow::Type::BINARY && IsIntegral(from));
  }
  if (f == arrow::Type::DATE32) return IsTimestamp(to);
  if (IsTimestamp(from)) {
    const bool ntz = static_cast<const arrow::TimestampType&>(from).timezone().empty();
    return t == arrow::Type::DATE32 || IsTimestamp(to) || (!ntz && IsNumeric(to));
  }
  if (f == arrow::Type::LIST && t == arrow::Type::LIST) {
    return CanCast(*static_cast<const arrow::ListType&>(from).value_type(),
                   *static_cast<const arrow::ListType&>(to).value_type());
  }
  if (f == arrow::Type::MAP && t == arrow::Type::MAP) {
    const auto& a = static_cast<const arrow::MapType&>(from);
    const auto& b = static_cast<const arrow::MapType&>(to);
    return CanCast(*a.key_type(), *b.key_type()) && CanCast(*a.item_type(), *b.item_type());
  }
  if (f == arrow::Type::STRUCT && t == arrow::Type::STRUCT) {
    if (from.num_fields() != to.num_fields()) return false;
    for (int i = 0; i < from.num_fields(); ++i) {
      if (!CanCast(*from.field(i)->type(), *to.field(i)->type())) return false;
    }
    return true;
  }
  (void)IsAtomicCastable;
  return false;
}

}  // namespace basin::function
