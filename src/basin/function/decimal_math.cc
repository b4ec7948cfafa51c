#include "basin/function/decimal_math.h"

#include <cctype>
#include <vector>

namespace basin::function {

arrow::Decimal256 Pow10Wide(int n) {
  // Computed once: this sits on the per-row path of every decimal operation.
  static const auto* powers = [] {
    auto* table = new std::vector<arrow::Decimal256>();
    arrow::Decimal256 r(1);
    for (int i = 0; i <= 76; ++i) {
      table->push_back(r);
      r *= arrow::Decimal256(10);
    }
    return table;
  }();
  if (n >= 0 && n < static_cast<int>(powers->size())) return (*powers)[n];
  arrow::Decimal256 r(1);
  for (int i = 0; i < n; ++i) r *= arrow::Decimal256(10);
  return r;
}

arrow::Decimal256 RescaleHalfUp(const arrow::Decimal256& value, int from_scale, int to_scale) {
  if (to_scale == from_scale) return value;
  if (to_scale > from_scale) return value * Pow10Wide(to_scale - from_scale);
  const arrow::Decimal256 divisor = Pow10Wide(from_scale - to_scale);
  arrow::Decimal256 quotient, remainder;
  DivMod(value, divisor, &quotient, &remainder);
  arrow::Decimal256 twice = remainder;
  twice.Abs();
  twice *= arrow::Decimal256(2);
  if (twice >= divisor) {
    quotient += value.IsNegative() ? arrow::Decimal256(-1) : arrow::Decimal256(1);
  }
  return quotient;
}

void DivMod(const arrow::Decimal256& a, const arrow::Decimal256& b, arrow::Decimal256* quotient,
            arrow::Decimal256* remainder) {
  auto r = a.Divide(b);
  if (r.ok()) {
    *quotient = r->first;
    *remainder = r->second;
  } else {
    *quotient = arrow::Decimal256(0);
    *remainder = arrow::Decimal256(0);
  }
}

bool FitsPrecision(const arrow::Decimal256& value, int precision) {
  arrow::Decimal256 a = value;
  a.Abs();
  return a < Pow10Wide(precision);
}

arrow::Decimal128 Narrow(const arrow::Decimal256& value) {
  const auto& words = value.little_endian_array();
  return arrow::Decimal128(static_cast<int64_t>(words[1]), words[0]);
}

arrow::Decimal256 Widen(const arrow::Decimal128& value) { return arrow::Decimal256(value); }

std::string FormatDecimal(const arrow::Decimal128& value, int scale) {
  arrow::Decimal128 a = value;
  a.Abs();
  std::string digits = a.ToIntegerString();
  const bool negative = value.IsNegative();
  if (scale > 0) {
    if (static_cast<int>(digits.size()) <= scale) {
      digits.insert(0, static_cast<size_t>(scale + 1 - static_cast<int>(digits.size())), '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  } else if (scale < 0 && digits != "0") {
    // A negative scale (spark.sql.legacy.allowNegativeScaleOfDecimal) counts tens; the text is
    // plain, as Spark prints it: 2 at scale -1 is "20", 0 is "0".
    digits.append(static_cast<size_t>(-scale), '0');
  }
  return negative ? "-" + digits : digits;
}

std::optional<arrow::Decimal128> ParseDecimal(std::string_view text, int precision, int scale,
                                              bool* overflow) {
  if (overflow) *overflow = false;
  size_t b = 0, e = text.size();
  while (b < e && static_cast<unsigned char>(text[b]) <= ' ') ++b;
  while (e > b && static_cast<unsigned char>(text[e - 1]) <= ' ') --e;
  text = text.substr(b, e - b);
  if (text.empty()) return std::nullopt;
  size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') {
    negative = text[i] == '-';
    ++i;
  }
  std::string digits;
  int frac_digits = 0;
  bool seen_point = false, any_digit = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      any_digit = true;
      if (!(digits.empty() && c == '0')) digits.push_back(c);
      if (seen_point) ++frac_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) return std::nullopt;
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      eneg = text[i] == '-';
      ++i;
    }
    if (i >= text.size()) return std::nullopt;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 1000) return std::nullopt;
    }
    if (eneg) exponent = -exponent;
  }
  if (i != text.size()) return std::nullopt;
  // value = digits * 10^(exponent - frac_digits)
  int64_t value_scale = frac_digits - exponent;
  if (digits.empty()) digits = "0";
  if (digits.size() > 76) {
    if (overflow) *overflow = true;
    return std::nullopt;
  }
  // Drop digits beyond what 76 digits can hold by rounding first in text space.
  arrow::Decimal256 unscaled;
  if (!arrow::Decimal256::FromString(digits).Value(&unscaled).ok()) return std::nullopt;
  if (value_scale < -76 || value_scale > 200) {
    if (value_scale > 200) return arrow::Decimal128(0);
    if (overflow) *overflow = true;
    return std::nullopt;
  }
  arrow::Decimal256 rescaled;
  if (value_scale > scale) {
    int drop = static_cast<int>(value_scale - scale);
    if (drop > 76) {
      rescaled = arrow::Decimal256(0);
    } else {
      rescaled = RescaleHalfUp(unscaled, drop, 0);
    }
  } else {
    int add = static_cast<int>(scale - value_scale);
    if (add + static_cast<int>(digits.size()) > 76) {
      if (overflow) *overflow = true;
      return std::nullopt;
    }
    rescaled = unscaled * Pow10Wide(add);
  }
  if (!FitsPrecision(rescaled, precision)) {
    if (overflow) *overflow = true;
    return std::nullopt;
  }
  if (negative) rescaled.Negate();
  return Narrow(rescaled);
}

}  // namespace basin::function
