#include "basin/analyzer/data_type.h"

#include <cctype>
#include <cmath>

#include <arrow/util/decimal.h>

#include "basin/function/cast.h"
#include "basin/types/geospatial_type.h"
#include "basin/types/variant_type.h"
#include "basin/types/year_month_interval_type.h"

namespace basin::analyzer {
namespace {


Status BadLiteral(const sql::Expr& literal, const std::string& type) {
  return UserError("INVALID_TYPED_LITERAL",
                   "The value of the typed literal " + type + " is invalid: '" + literal.text +
                       "'.");
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Parses a decimal number of an interval part ("1", "-2", "1.5").
bool ParseNumber(const std::string& text, double* out) {
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return !text.empty() && end && *end == '\0';
}

// Interval literal: year-month parts become month_interval, day-time parts duration(us).
Result<std::shared_ptr<arrow::Scalar>> IntervalValue(const sql::Expr& literal) {
  int64_t months = 0;
  int64_t micros = 0;
  bool has_months = false, has_micros = false;
  // Which year-month units the literal names: INTERVAL '1' YEAR is an INTERVAL YEAR.
  bool year_unit = false, month_unit = false;
  auto bad = [&] {
    return UserError("INVALID_INTERVAL_FORMAT",
                     "Error parsing interval literal '" + literal.text + "'.");
  };
  for (const auto& part : literal.interval) {
    std::string unit = Upper(part.unit);
    std::string to = Upper(part.to_unit);
    std::string value = part.value;
    if (unit.empty()) {
      // INTERVAL '1 day 2 hours': split the string into number/unit pairs.
      std::vector<std::string> words;
      std::string w;
      for (char c : value) {
        if (std::isspace(static_cast<unsigned char>(c))) {
          if (!w.empty()) words.push_back(w), w.clear();
        } else {
          w += c;
        }
      }
      if (!w.empty()) words.push_back(w);
      if (words.size() % 2 != 0) return bad();
      for (size_t i = 0; i + 1 < words.size(); i += 2) {
        sql::Expr sub;
        sub.text = literal.text;
        sql::IntervalPart p;
        p.value = words[i];
        p.unit = Upper(words[i + 1]);
        if (!p.unit.empty() && p.unit.back() == 'S') p.unit.pop_back();
        sub.interval.push_back(p);
        ASSIGN_OR_RAISE(auto v, IntervalValue(sub));
        if (v->type->id() == arrow::Type::INTERVAL_MONTHS) {
          months += std::static_pointer_cast<arrow::MonthIntervalScalar>(v)->value;
          has_months = true;
          const auto fields = types::YearMonthFieldsOf(*v->type);
          year_unit |= fields.start == types::YearMonthField::kYear;
          month_unit |= fields.end == types::YearMonthField::kMonth;
        } else {
          micros += std::static_pointer_cast<arrow::DurationScalar>(v)->value;
          has_micros = true;
        }
      }
      continue;
    }
    if (!unit.empty() && unit.back() == 'S' && unit != "S") unit.pop_back();
    if (!to.empty() && to.back() == 'S') to.pop_back();
    if (!to.empty()) {
      // '1-2' YEAR TO MONTH, '1 02:03:04.5' DAY TO SECOND, '02:03' HOUR TO MINUTE, ...
      bool negative = !value.empty() && value[0] == '-';
      if (negative || (!value.empty() && value[0] == '+')) value = value.substr(1);
      std::vector<std::string> nums;
      std::string cur;
      for (char c : value) {
        if (c == '-' || c == ':' || c == ' ') {
          nums.push_back(cur);
          cur.clear();
        } else {
          cur += c;
        }
      }
      nums.push_back(cur);
      int64_t sign = negative ? -1 : 1;
      if (unit == "YEAR" && to == "MONTH") {
        if (nums.size() != 2) return bad();
        months += sign * (std::stoll(nums[0]) * 12 + std::stoll(nums[1]));
        has_months = true;
        year_unit = month_unit = true;
        continue;
      }
      static const std::vector<std::string> order = {"DAY", "HOUR", "MINUTE", "SECOND"};
      static const int64_t scale[] = {86'400'000'000LL, 3'600'000'000LL, 60'000'000LL, 1'000'000LL};
      auto from_i = std::find(order.begin(), order.end(), unit) - order.begin();
      auto to_i = std::find(order.begin(), order.end(), to) - order.begin();
      if (from_i >= 4 || to_i >= 4 || to_i < from_i ||
          nums.size() != static_cast<size_t>(to_i - from_i + 1)) {
        return bad();
      }
      int64_t total = 0;
      for (size_t k = 0; k < nums.size(); ++k) {
        double v;
        if (!ParseNumber(nums[k], &v)) return bad();
        total += static_cast<int64_t>(std::llround(v * scale[from_i + k]));
      }
      micros += sign * total;
      has_micros = true;
      continue;
    }
    double v;
    if (!ParseNumber(value, &v)) return bad();
    if (unit == "YEAR") {
      months += static_cast<int64_t>(v * 12), has_months = true, year_unit = true;
    } else if (unit == "MONTH") {
      months += static_cast<int64_t>(v), has_months = true, month_unit = true;
    } else if (unit == "WEEK") {
      micros += static_cast<int64_t>(std::llround(v * 7 * 86'400'000'000.0)), has_micros = true;
    } else if (unit == "DAY") {
      micros += static_cast<int64_t>(std::llround(v * 86'400'000'000.0)), has_micros = true;
    } else if (unit == "HOUR") {
      micros += static_cast<int64_t>(std::llround(v * 3'600'000'000.0)), has_micros = true;
    } else if (unit == "MINUTE") {
      micros += static_cast<int64_t>(std::llround(v * 60'000'000.0)), has_micros = true;
    } else if (unit == "SECOND") {
      micros += static_cast<int64_t>(std::llround(v * 1'000'000.0)), has_micros = true;
    } else if (unit == "MILLISECOND") {
      micros += static_cast<int64_t>(std::llround(v * 1'000.0)), has_micros = true;
    } else if (unit == "MICROSECOND") {
      micros += static_cast<int64_t>(std::llround(v)), has_micros = true;
    } else {
      return bad();
    }
  }
  if (has_months && has_micros) {
    return UserError("UNSUPPORTED_FEATURE.INTERVAL_MIXED_FIELDS",
                     "Intervals mixing year-month and day-time fields are not supported: '" +
                         literal.text + "'.");
  }
  if (has_months) {
    types::YearMonthFields fields;
    if (!month_unit) fields.end = types::YearMonthField::kYear;
    if (!year_unit) fields.start = types::YearMonthField::kMonth;
    return std::make_shared<arrow::MonthIntervalScalar>(static_cast<int32_t>(months),
                                                        types::YearMonthInterval(fields));
  }
  return std::make_shared<arrow::DurationScalar>(micros, arrow::TimeUnit::MICRO);
}

}  // namespace

Result<std::shared_ptr<arrow::DataType>> ToArrowType(const sql::DataTypeSyntax& type,
                                                     bool allow_negative_scale) {
  using K = sql::TypeKind;
  switch (type.kind) {
    case K::kNull: return arrow::null();
    case K::kBoolean: return arrow::boolean();
    case K::kTinyInt: return arrow::int8();
    case K::kSmallInt: return arrow::int16();
    case K::kInt: return arrow::int32();
    case K::kBigInt: return arrow::int64();
    case K::kFloat: return arrow::float32();
    case K::kDouble: return arrow::float64();
    case K::kDecimal:
      if (type.scale < 0 && !allow_negative_scale) {
        return UserError("NEGATIVE_SCALE_DISALLOWED",
                         "Negative scale is not allowed: '" + std::to_string(type.scale) +
                             "'. Set the config \"spark.sql.legacy.allowNegativeScaleOfDecimal\" "
                             "to \"true\" to allow it.");
      }
      // A negative scale (legacy) counts tens: decimal(1,-1) holds 0, 10, ..., 90 (Arrow's
      // decimal type takes negative scales as they are).
      if (type.precision < 1 || type.precision > 38 || type.scale > type.precision) {
        return UserError("DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION",
                         "Decimal precision " + std::to_string(type.precision) +
                             " exceeds max precision 38.");
      }
      return arrow::decimal128(type.precision, type.scale);
    case K::kString:
    case K::kVarChar:
    case K::kChar: return arrow::utf8();
    case K::kBinary: return arrow::binary();
    case K::kDate: return arrow::date32();
    case K::kTimestamp: return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
    case K::kTimestampNtz: return arrow::timestamp(arrow::TimeUnit::MICRO);
    case K::kTime:
      return arrow::time64(arrow::TimeUnit::NANO);
    case K::kYearMonthInterval:
      return types::YearMonthInterval(
          {type.start_field == sql::IntervalField::kYear ? types::YearMonthField::kYear
                                                         : types::YearMonthField::kMonth,
           type.end_field == sql::IntervalField::kYear ? types::YearMonthField::kYear
                                                       : types::YearMonthField::kMonth});
    case K::kDayTimeInterval: return arrow::duration(arrow::TimeUnit::MICRO);
    case K::kCalendarInterval: return arrow::month_day_nano_interval();
    case K::kArray: {
      ASSIGN_OR_RAISE(auto element, ToArrowType(type.children.at(0), allow_negative_scale));
      return arrow::list(arrow::field("element", element));
    }
    case K::kMap: {
      ASSIGN_OR_RAISE(auto key, ToArrowType(type.children.at(0), allow_negative_scale));
      ASSIGN_OR_RAISE(auto value, ToArrowType(type.children.at(1), allow_negative_scale));
      return arrow::map(key, value);
    }
    case K::kStruct: {
      arrow::FieldVector fields;
      for (size_t i = 0; i < type.children.size(); ++i) {
        ASSIGN_OR_RAISE(auto t, ToArrowType(type.children[i], allow_negative_scale));
        bool nullable = i < type.field_nullable.size() ? type.field_nullable[i] : true;
        fields.push_back(arrow::field(type.field_names.at(i), t, nullable));
      }
      return arrow::struct_(fields);
    }
    case K::kVariant:
      return types::VariantType();
    case K::kGeometry:
    case K::kGeography: {
      if (type.srid > INT32_MAX) return types::InvalidSridError(type.srid);
      auto kind = type.kind == K::kGeometry ? types::SpatialKind::kGeometry
                                            : types::SpatialKind::kGeography;
      return types::CheckedSpatialArrowType({kind, static_cast<int32_t>(type.srid)});
    }
  }
  return InternalError("unknown type kind");
}

Result<std::shared_ptr<arrow::Scalar>> LiteralValue(const sql::Expr& literal,
                                                    const function::EvalContext& context) {
  using L = sql::LiteralKind;
  const std::string& text = literal.text;
  switch (literal.literal_kind) {
    case L::kNull: return std::make_shared<arrow::NullScalar>();
    case L::kBoolean: return std::make_shared<arrow::BooleanScalar>(text == "true" || text == "TRUE");
    case L::kTinyInt:
    case L::kSmallInt:
    case L::kInt:
    case L::kBigInt: {
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (errno == ERANGE || !end || *end != '\0') {
        return UserError("INVALID_NUMERIC_LITERAL_RANGE",
                         "Numeric literal " + text + " is outside the valid range.");
      }
      auto range_error = [&](const char* type) {
        return UserError("INVALID_NUMERIC_LITERAL_RANGE",
                         "Numeric literal " + text + " is outside the valid range for " + type +
                             ".");
      };
      if (literal.literal_kind == L::kTinyInt) {
        if (v < -128 || v > 127) return range_error("tinyint");
        return std::make_shared<arrow::Int8Scalar>(static_cast<int8_t>(v));
      }
      if (literal.literal_kind == L::kSmallInt) {
        if (v < -32768 || v > 32767) return range_error("smallint");
        return std::make_shared<arrow::Int16Scalar>(static_cast<int16_t>(v));
      }
      if (literal.literal_kind == L::kInt && v >= INT32_MIN && v <= INT32_MAX) {
        return std::make_shared<arrow::Int32Scalar>(static_cast<int32_t>(v));
      }
      return std::make_shared<arrow::Int64Scalar>(v);
    }
    case L::kFloat: return std::make_shared<arrow::FloatScalar>(std::strtof(text.c_str(), nullptr));
    case L::kDouble: return std::make_shared<arrow::DoubleScalar>(std::strtod(text.c_str(), nullptr));
    case L::kDecimal: {
      std::string digits = text;
      bool negative = !digits.empty() && digits[0] == '-';
      if (negative) digits = digits.substr(1);
      auto dot = digits.find('.');
      std::string int_part = dot == std::string::npos ? digits : digits.substr(0, dot);
      std::string frac = dot == std::string::npos ? "" : digits.substr(dot + 1);
      if (digits.find_first_of("eE") != std::string::npos) {
        return std::make_shared<arrow::DoubleScalar>(std::strtod(text.c_str(), nullptr));
      }
      while (int_part.size() > 1 && int_part[0] == '0') int_part = int_part.substr(1);
      int scale = static_cast<int>(frac.size());
      int precision = static_cast<int>((int_part == "0" ? 0 : int_part.size()) + frac.size());
      precision = std::max(precision, scale);
      if (precision == 0) precision = 1;
      if (precision > 38) {
        return UserError("INVALID_NUMERIC_LITERAL_RANGE",
                         "Numeric literal " + text + " is outside the valid range for decimal.");
      }
      ASSIGN_OR_RAISE(auto value, arrow::Decimal128::FromString((negative ? "-" : "") + int_part +
                                                                (frac.empty() ? "" : "." + frac)));
      // FromString keeps the written scale; rescale for safety when digits were stripped.
      return std::make_shared<arrow::Decimal128Scalar>(value,
                                                       arrow::decimal128(precision, scale));
    }
    case L::kString: return std::make_shared<arrow::StringScalar>(text);
    case L::kBinary: {
      std::string bytes;
      if (text.size() % 2 != 0) return BadLiteral(literal, "X");
      for (size_t i = 0; i < text.size(); i += 2) {
        bytes += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
      }
      return std::make_shared<arrow::BinaryScalar>(bytes);
    }
    case L::kDate: {
      auto cast = function::Cast(arrow::Datum(std::make_shared<arrow::StringScalar>(text)),
                                 arrow::date32(), /*try_cast=*/true, context);
      if (!cast.ok() || !cast->scalar()->is_valid) return BadLiteral(literal, "DATE");
      return cast->scalar();
    }
    case L::kTimestamp:
    case L::kTimestampNtz: {
      bool ntz = literal.literal_kind == L::kTimestampNtz;
      auto type = ntz ? arrow::timestamp(arrow::TimeUnit::MICRO)
                      : arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
      auto cast = function::Cast(arrow::Datum(std::make_shared<arrow::StringScalar>(text)), type,
                                 /*try_cast=*/true, context);
      if (!cast.ok() || !cast->scalar()->is_valid) {
        return BadLiteral(literal, ntz ? "TIMESTAMP_NTZ" : "TIMESTAMP");
      }
      return cast->scalar();
    }
    case L::kTime: {
      auto nanos = function::ParseTime(text);
      if (!nanos) return BadLiteral(literal, "TIME");
      return std::make_shared<arrow::Time64Scalar>(*nanos, arrow::TimeUnit::NANO);
    }
    case L::kInterval: return IntervalValue(literal);
  }
  return InternalError("unknown literal kind");
}

}  // namespace basin::analyzer
