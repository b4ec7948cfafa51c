// to_number and try_to_number parse text with Spark's number format patterns ('9'/'0' digits,
// '.'/'D' decimal point, ','/'G' grouping, '$', and the sign tokens 'S', 'MI', 'PR'); the result
// is a decimal whose precision and scale come from the digits of the format. to_char/to_varchar
// print numbers with the same patterns (dates and timestamps use date_format, binary values
// 'hex', 'base64' or 'utf-8').

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basin/function/kernel_support.h"

namespace basin::function {

namespace {

using S = std::vector<ArgReader>;

// A validated number format.
struct NumberFormat {
  std::string text;
  bool currency = false;
  bool leading_sign = false;   // S first
  bool trailing_sign = false;  // S last
  bool minus = false;          // MI
  bool brackets = false;       // PR
  bool has_point = false;
  /// Digit counts of the integer part's comma groups, from the decimal point leftwards.
  std::vector<int> groups;
  int fraction_digits = 0;
  int precision = 0;
  /// The format's characters, upper-cased, with MI and PR as 'M' and 'P'.
  std::string tokens;
};

Status InvalidFormat(const std::string& sub, const std::string& format, const std::string& why) {
  return UserError("INVALID_FORMAT." + sub, "The format is invalid: '" + format + "'. " + why);
}

Result<NumberFormat> ParseFormat(const std::string& format) {
  NumberFormat f;
  f.text = format;
  if (format.empty())
    return InvalidFormat("EMPTY", format, "The number format string cannot be empty.");
  enum class Token { kDigit, kPoint, kComma, kCurrency, kSign, kMinus, kBrackets };
  std::vector<Token> tokens;
  for (size_t k = 0; k < format.size(); ++k) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(format[k])));
    if (c == '0' || c == '9') {
      tokens.push_back(Token::kDigit);
    } else if (c == '.' || c == 'D') {
      tokens.push_back(Token::kPoint);
    } else if (c == ',' || c == 'G') {
      tokens.push_back(Token::kComma);
    } else if (c == '$') {
      tokens.push_back(Token::kCurrency);
    } else if (c == 'S') {
      tokens.push_back(Token::kSign);
    } else if (c == 'M' && k + 1 < format.size() &&
               std::toupper(static_cast<unsigned char>(format[k + 1])) == 'I') {
      tokens.push_back(Token::kMinus);
      ++k;
    } else if (c == 'P' && k + 1 < format.size() &&
               std::toupper(static_cast<unsigned char>(format[k + 1])) == 'R') {
      tokens.push_back(Token::kBrackets);
      ++k;
    } else {
      return InvalidFormat("UNEXPECTED_TOKEN", format,
                           "Found the unexpected '" + std::string(1, format[k]) +
                               "' in the format string; the structure of the valid format is "
                               "[MI|S] [$] [0|9|G|,]* [.|D] [0|9]* [$] [PR|MI|S].");
    }
  }
  int points = 0, currencies = 0, signs = 0, minus = 0, brackets = 0, digits = 0;
  bool seen_digit = false;
  for (size_t k = 0; k < tokens.size(); ++k) {
    const Token t = tokens[k];
    const bool first = k == 0, last = k + 1 == tokens.size();
    switch (t) {
      case Token::kDigit:
        ++digits;
        seen_digit = true;
        break;
      case Token::kPoint:
        ++points;
        break;
      case Token::kComma: {
        const bool digit_left = k > 0 && tokens[k - 1] == Token::kDigit;
        const bool digit_right = !last && tokens[k + 1] == Token::kDigit;
        if (!digit_left || !digit_right || points > 0) {
          return InvalidFormat("CONT_THOUSANDS_SEPS", format,
                               "Thousands separators (, or G) must have digits in between them in "
                               "the number format.");
        }
        break;
      }
      case Token::kCurrency:
        ++currencies;
        if (seen_digit) {
          return InvalidFormat("CUR_MUST_BEFORE_DIGIT", format,
                               "Currency characters must appear before any decimal point in the "
                               "number format.");
        }
        break;
      case Token::kSign:
        ++signs;
        if (!first && !last) {
          return InvalidFormat("UNEXPECTED_TOKEN", format,
                               "Found the unexpected 'S' in the format string.");
        }
        if (first)
          f.leading_sign = true;
        else
          f.trailing_sign = true;
        break;
      case Token::kMinus:
        ++minus;
        if (!last && !first)
          return InvalidFormat("UNEXPECTED_TOKEN", format,
                               "Found the unexpected 'MI' in the format string.");
        break;
      case Token::kBrackets:
        ++brackets;
        if (!last)
          return InvalidFormat("UNEXPECTED_TOKEN", format,
                               "Found the unexpected 'PR' in the format string.");
        break;
    }
  }
  if (points > 1 || currencies > 1 || signs > 1 || minus > 1 || brackets > 1 ||
      (signs + brackets > 1) || (minus + brackets > 1)) {
    return InvalidFormat("WRONG_NUM_TOKEN", format,
                         "The number format allows each of '.', '$', 'S', 'MI' and 'PR' at most "
                         "once.");
  }
  if (digits == 0) {
    return InvalidFormat("WRONG_NUM_DIGIT", format,
                         "The format string requires at least one number digit.");
  }
  if (digits > 38) {
    return UserError("DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION",
                     "Decimal precision " + std::to_string(digits) + " exceeds max precision 38.");
  }
  for (Token t : tokens) {
    static const char kChars[] = {'9', '.', ',', '$', 'S', 'M', 'P'};
    f.tokens += kChars[static_cast<int>(t)];
  }
  for (size_t k = 0, d = 0; k < format.size(); ++k) {
    const char c = format[k];
    if (c == '0' || c == '9') {
      while (d < f.tokens.size() && f.tokens[d] != '9') ++d;
      if (d < f.tokens.size()) f.tokens[d++] = c;
    }
  }
  f.currency = currencies > 0;
  f.minus = minus > 0;
  f.brackets = brackets > 0;
  f.has_point = points > 0;
  f.precision = digits;
  // Integer digit groups, right to left, and fraction digits.
  std::vector<int> groups{0};
  bool after_point = false;
  for (Token t : tokens) {
    if (t == Token::kPoint) after_point = true;
    if (t == Token::kDigit) {
      if (after_point)
        ++f.fraction_digits;
      else
        ++groups.back();
    }
    if (t == Token::kComma) groups.push_back(0);
  }
  f.groups.assign(groups.rbegin(), groups.rend());
  return f;
}

// Parses `input` with `f`; nullopt when it does not match. Returns the unscaled value.
std::optional<arrow::Decimal128> ParseNumber(std::string_view input, const NumberFormat& f) {
  std::string_view s = input;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  bool negative = false;
  if (f.brackets) {
    if (!s.empty() && s.front() == '<') {
      if (s.back() != '>') return std::nullopt;
      negative = true;
      s = s.substr(1, s.size() - 2);
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    }
  }
  if (f.minus && !s.empty() && (s.back() == '-' || s.back() == ' ')) {
    negative = s.back() == '-';
    s.remove_suffix(1);
  }
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (f.trailing_sign && !s.empty() && (s.back() == '-' || s.back() == '+')) {
    negative = s.back() == '-';
    s.remove_suffix(1);
  }
  if (f.leading_sign && !s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (f.currency) {
    if (s.empty() || s.front() != '$') return std::nullopt;
    s.remove_prefix(1);
  }
  // Integer part: digits and commas up to the decimal point.
  size_t k = 0;
  std::vector<int> groups{0};
  std::string digits;
  while (k < s.size() && (std::isdigit(static_cast<unsigned char>(s[k])) || s[k] == ',')) {
    if (s[k] == ',') {
      groups.push_back(0);
    } else {
      ++groups.back();
      digits += s[k];
    }
    ++k;
  }
  // Compare comma groups from the right: all but the leftmost must match the format exactly.
  std::vector<int> in(groups.rbegin(), groups.rend());
  // With no integer digits in the format, a number without a decimal point still parses (and
  // then overflows the result), as in Spark.
  const bool no_integer_digits =
      f.groups.size() == 1 && f.groups[0] == 0 && s.find('.') == std::string_view::npos;
  if (digits.empty() || no_integer_digits) {
    if (in.size() > 1) return std::nullopt;
  } else {
    if (in.size() > f.groups.size()) return std::nullopt;
    // Groups are matched from the decimal point leftwards; each may be shorter than the
    // format's group but not longer.
    for (size_t g = 0; g < in.size(); ++g) {
      if (in[g] < 1 || in[g] > f.groups[g]) return std::nullopt;
    }
  }
  int fraction = 0;
  if (k < s.size() && s[k] == '.') {
    if (!f.has_point) return std::nullopt;
    ++k;
    while (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) {
      digits += s[k++];
      ++fraction;
    }
  }
  if (k != s.size() || digits.empty() || fraction > f.fraction_digits) return std::nullopt;
  if (digits.size() + static_cast<size_t>(f.fraction_digits - fraction) > 38) return std::nullopt;
  arrow::Decimal128 value(0);
  for (char c : digits) value = value * 10 + (c - '0');
  for (int z = fraction; z < f.fraction_digits; ++z) value *= 10;
  return negative ? -value : value;
}

ConstantBinder ToNumberBinder(bool try_mode) {
  return [try_mode](const std::string& name, const std::vector<TypePtr>& args,
                    const std::vector<arrow::Datum>& constants) -> Result<BoundScalar> {
    if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
    std::vector<TypePtr> string_args;
    RETURN_NOT_OK(RequireStringArgs(name, args, 2, &string_args));
    const auto& c = constants[1];
    if (!c.is_scalar()) {
      return NonFoldableInput(name, "format", "STRING");
    }
    std::optional<NumberFormat> format;
    TypePtr result = arrow::decimal128(38, 18);
    if (c.scalar()->is_valid) {
      ARROW_ASSIGN_OR_RAISE(auto f,
                            ParseFormat(std::string(
                                static_cast<const arrow::BaseBinaryScalar&>(*c.scalar()).view())));
      result = arrow::decimal128(f.precision, f.fraction_digits);
      format = std::move(f);
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = {arrow::utf8(), arrow::utf8()};
    b.return_type = result;
    b.kernel = RowKernel(
        result,
        [format, try_mode](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          if (!format) return out.Null();
          const std::string_view text = a[0].Str(i);
          auto value = ParseNumber(text, *format);
          if (!value) {
            if (try_mode) return out.Null();
            return UserError("INVALID_FORMAT.MISMATCH_INPUT",
                             "The format is invalid: '" + format->text + "'. The input '" +
                                 std::string(text) + "' does not match the format.");
          }
          if (!value->FitsInPrecision(format->precision)) {
            if (try_mode) return out.Null();
            return UserError("NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION",
                             value->ToString(format->fraction_digits) +
                                 " cannot be represented as Decimal(" +
                                 std::to_string(format->precision) + ", " +
                                 std::to_string(format->fraction_digits) +
                                 "). If necessary set \"spark.sql.ansi.enabled\" to \"false\" to "
                                 "bypass this error, and return NULL instead.");
          }
          return out.Dec(*value);
        });
    return b;
  };
}

// Prints a decimal (plain digits, optional '-') with format `f`.
std::string FormatNumber(std::string_view plain, const NumberFormat& f) {
  bool negative = false;
  if (!plain.empty() && plain[0] == '-') {
    negative = true;
    plain.remove_prefix(1);
  }
  std::string int_digits(plain.substr(0, plain.find('.')));
  std::string frac_digits;
  if (plain.find('.') != std::string_view::npos)
    frac_digits = std::string(plain.substr(plain.find('.') + 1));
  while (!frac_digits.empty() && frac_digits.back() == '0') frac_digits.pop_back();
  size_t lead = 0;
  while (lead < int_digits.size() && int_digits[lead] == '0') ++lead;
  int_digits = int_digits.substr(lead);
  const std::string& t = f.tokens;
  int int_positions = 0;
  for (size_t k = 0; k < t.size() && t[k] != '.'; ++k) {
    if (t[k] == '0' || t[k] == '9') ++int_positions;
  }
  const bool leading_sign = !t.empty() && (t[0] == 'S' || t[0] == 'M');
  const char sign_char =
      t.empty() ? ' ' : (t[0] == 'S' ? (negative ? '-' : '+') : (negative ? '-' : ' '));
  std::string out;
  if (static_cast<int>(int_digits.size()) > int_positions ||
      static_cast<int>(frac_digits.size()) > f.fraction_digits) {
    // Too many digits: every digit prints as '#'.
    for (char c : t) {
      if (c == '0' || c == '9')
        out += '#';
      else if (c == ',')
        out += ' ';
      else if (c == '.')
        out += '.';
      else if (c == '$')
        out += '$';
      else if (c == 'S')
        out += negative ? '-' : '+';
      else if (c == 'M')
        out += negative ? '-' : ' ';
      else if (c == 'P')
        out += negative ? "<>" : "  ";
    }
    return out;
  }
  while (static_cast<int>(frac_digits.size()) < f.fraction_digits) frac_digits += '0';
  // A leading sign (and PR's '<') is printed right before the first digit, '$' or point.
  bool pending = leading_sign || (f.brackets && negative);
  const char pending_char = leading_sign ? sign_char : '<';
  auto flush = [&]() {
    if (pending) out += pending_char;
    pending = false;
  };
  int int_seen = 0;
  bool zero_pad = false, printed = false, after_point = false;
  size_t frac_next = 0;
  for (size_t k = 0; k < t.size(); ++k) {
    const char c = t[k];
    if (k == 0 && leading_sign) continue;
    if (c == '0' || c == '9') {
      if (after_point) {
        out += frac_digits[frac_next++];
        continue;
      }
      // Comma groups that start with '0' pad with zeros.
      if (int_seen == 0 || (k > 0 && t[k - 1] == ',')) zero_pad = c == '0';
      const int first_digit = int_positions - static_cast<int>(int_digits.size());
      if (int_seen >= first_digit) {
        flush();
        out += int_digits[static_cast<size_t>(int_seen - first_digit)];
        printed = true;
      } else if (zero_pad) {
        out += '0';
        printed = true;
      } else if (int_seen + 1 == int_positions && int_digits.empty() && f.has_point && !pending) {
        out += '0';  // a zero before the decimal point, unless a floating sign goes there
        printed = true;
      } else {
        out += ' ';
      }
      ++int_seen;
    } else if (c == ',') {
      out += printed ? ',' : ' ';
    } else if (c == '.') {
      flush();
      out += '.';
      after_point = true;
    } else if (c == '$') {
      flush();
      out += '$';
    } else if (c == 'S') {
      flush();
      out += negative ? '-' : '+';
    } else if (c == 'M') {
      flush();
      out += negative ? '-' : ' ';
    } else if (c == 'P') {
      flush();
      out += negative ? ">" : "  ";
    }
  }
  flush();
  return out;
}

Result<BoundScalar> BindToChar(const std::string& name, const std::vector<TypePtr>& args,
                               const std::vector<arrow::Datum>& constants) {
  if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
  const TypePtr& t = args[0];
  if (t->id() == arrow::Type::DATE32 || IsTimestamp(*t)) {
    // Dates and timestamps print with a datetime pattern, as date_format does.
    return BuiltinRegistry().BindScalar("date_format", args);
  }
  if (!ImplicitCastTarget(args[1], arrow::utf8())) {
    return UnexpectedInputType(name, 1, "STRING", *args[1], name);
  }
  const auto& c = constants[1];
  if (!c.is_scalar()) {
    return NonFoldableInput(name, "format", "STRING");
  }
  std::optional<std::string> text;
  if (c.scalar()->is_valid)
    text = std::string(static_cast<const arrow::BaseBinaryScalar&>(*c.scalar()).view());
  BoundScalar b;
  b.name = name;
  b.return_type = arrow::utf8();
  if (t->id() == arrow::Type::BINARY) {
    std::string fmt = text ? ToLowerAscii(*text) : "";
    if (text && fmt != "hex" && fmt != "base64" && fmt != "utf-8" && fmt != "utf8") {
      return UserError("INVALID_PARAMETER_VALUE.BINARY_FORMAT",
                       "The value of parameter(s) `format` in `" + name +
                           "` is invalid: expects "
                           "one of binary formats 'base64', 'hex', 'utf-8', but got '" +
                           *text + "'.");
    }
    b.arg_types = {t, arrow::utf8()};
    b.kernel = RowKernel(
        arrow::utf8(),
        [text, fmt](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          if (!text) return out.Null();
          const std::string_view v = a[0].Str(i);
          static const char* kHex = "0123456789ABCDEF";
          static const char* kB64 =
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
          std::string r;
          if (fmt == "hex") {
            for (unsigned char ch : v) {
              r += kHex[ch >> 4];
              r += kHex[ch & 15];
            }
          } else if (fmt == "base64") {
            size_t k = 0;
            for (; k + 2 < v.size(); k += 3) {
              const uint32_t n = (static_cast<uint8_t>(v[k]) << 16) |
                                 (static_cast<uint8_t>(v[k + 1]) << 8) |
                                 static_cast<uint8_t>(v[k + 2]);
              r += kB64[(n >> 18) & 63];
              r += kB64[(n >> 12) & 63];
              r += kB64[(n >> 6) & 63];
              r += kB64[n & 63];
            }
            if (k < v.size()) {
              const uint32_t n = (static_cast<uint8_t>(v[k]) << 16) |
                                 (k + 1 < v.size() ? static_cast<uint8_t>(v[k + 1]) << 8 : 0);
              r += kB64[(n >> 18) & 63];
              r += kB64[(n >> 12) & 63];
              r += k + 1 < v.size() ? kB64[(n >> 6) & 63] : '=';
              r += '=';
            }
          } else {
            r = std::string(v);
          }
          return out.Str(r);
        });
    return b;
  }
  TypePtr number;
  if (IsDecimal(*t)) {
    number = t;
  } else if (IsIntegral(*t)) {
    number = DecimalForIntegral(*t);
  } else if (IsFloating(*t) || IsStringLike(*t) || IsNull(*t)) {
    number = arrow::decimal128(38, 18);
  } else {
    return UnexpectedInputType(name, 0, "DECIMAL", *t, name);
  }
  std::optional<NumberFormat> format;
  if (text) {
    ARROW_ASSIGN_OR_RAISE(auto f, ParseFormat(*text));
    format = std::move(f);
  }
  b.arg_types = {number, arrow::utf8()};
  const int scale = static_cast<const arrow::Decimal128Type&>(*number).scale();
  b.kernel = RowKernel(
      arrow::utf8(),
      [format, scale](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        if (!format) return out.Null();
        return out.Str(FormatNumber(a[0].Dec(i).ToString(scale), *format));
      });
  return b;
}

}  // namespace

void RegisterNumberFormatFunctions(FunctionTable* table) {
  table->AddScalarWithConstants("to_number", ToNumberBinder(false));
  table->AddScalarWithConstants("try_to_number", ToNumberBinder(true));
  table->AddScalarWithConstants("to_char", BindToChar);
  table->AddScalarWithConstants("to_varchar", BindToChar);
}

}  // namespace basin::function
