// String functions with Spark's semantics: positions and lengths count Unicode code points,
// substring positions are 1-based with negative positions counted from the end.

#include <clocale>
#include <cmath>
#include <cstdio>
#include <cwctype>
#include <locale.h>

#include "basin/function/cast.h"
#include "basin/function/decimal_math.h"
#include "basin/function/kernel_support.h"

namespace basin::function {

namespace {

size_t CharLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xe) return 3;
  if ((lead >> 3) == 0x1e) return 4;
  return 1;
}

// Splits UTF-8 text into the byte offsets of its code points (plus the end offset).
std::vector<size_t> CharOffsets(std::string_view s) {
  std::vector<size_t> offsets;
  offsets.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); i += CharLength(static_cast<unsigned char>(s[i]))) {
    offsets.push_back(i);
  }
  offsets.push_back(s.size());
  return offsets;
}

int64_t NumChars(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

uint32_t DecodeAt(std::string_view s, size_t i, size_t* len) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  *len = std::min(CharLength(c), s.size() - i);
  if (*len == 1) return c;
  uint32_t cp = c & (0xff >> (*len + 1));
  for (size_t k = 1; k < *len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  return cp;
}


locale_t Utf8Locale() {
  static locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return loc;
}

uint32_t MapCase(uint32_t cp, bool upper) {
  if (cp < 0x80) {
    if (upper && cp >= 'a' && cp <= 'z') return cp - 32;
    if (!upper && cp >= 'A' && cp <= 'Z') return cp + 32;
    return cp;
  }
  locale_t loc = Utf8Locale();
  if (!loc) return cp;
  return static_cast<uint32_t>(upper ? towupper_l(static_cast<wint_t>(cp), loc)
                                     : towlower_l(static_cast<wint_t>(cp), loc));
}

std::string ChangeCase(std::string_view s, bool upper) {
  bool ascii = true;
  for (unsigned char c : s) ascii &= c < 0x80;
  if (ascii) {
    std::string out(s);
    for (auto& c : out) {
      if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
      if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return out;
  }
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len;
    uint32_t cp = DecodeAt(s, i, &len);
    if (upper && cp == 0xDF) {
      // Java's full case mapping: sharp s upper-cases to "SS".
      out += "SS";
    } else {
      AppendUtf8(MapCase(cp, upper), &out);
    }
    i += len;
  }
  return out;
}

// UTF8String.substringSQL.
std::string_view SubstringSql(std::string_view s, int64_t pos, int64_t length) {
  const auto offsets = CharOffsets(s);
  const int64_t len = static_cast<int64_t>(offsets.size()) - 1;
  int64_t start = pos > 0 ? pos - 1 : (pos < 0 ? len + pos : 0);
  int64_t end;
  if (length > INT32_MAX || start + length > INT32_MAX) {
    end = INT32_MAX;
  } else {
    end = start + length;
  }
  start = std::max<int64_t>(start, 0);
  end = std::min(end, len);
  if (start >= end) return {};
  return s.substr(offsets[static_cast<size_t>(start)],
                  offsets[static_cast<size_t>(end)] - offsets[static_cast<size_t>(start)]);
}

std::string Pad(std::string_view s, int64_t len, std::string_view pad, bool left) {
  if (len <= 0) return {};
  const auto offsets = CharOffsets(s);
  const int64_t n = static_cast<int64_t>(offsets.size()) - 1;
  if (n >= len) return std::string(s.substr(0, offsets[static_cast<size_t>(len)]));
  const auto pad_offsets = CharOffsets(pad);
  const int64_t pad_n = static_cast<int64_t>(pad_offsets.size()) - 1;
  if (pad_n == 0) return std::string(s);
  std::string fill;
  for (int64_t k = 0; k < len - n; ++k) {
    const size_t c = static_cast<size_t>(k % pad_n);
    fill.append(pad.substr(pad_offsets[c], pad_offsets[c + 1] - pad_offsets[c]));
  }
  return left ? fill + std::string(s) : std::string(s) + fill;
}

// Returns the 1-based char position of `needle` in `hay` at or after char `from` (0-based).
int64_t FindChars(std::string_view hay, std::string_view needle, int64_t from) {
  const auto offsets = CharOffsets(hay);
  const int64_t n = static_cast<int64_t>(offsets.size()) - 1;
  if (from > n) return 0;
  const size_t byte_from = offsets[static_cast<size_t>(std::max<int64_t>(from, 0))];
  const size_t found = hay.find(needle, byte_from);
  if (found == std::string_view::npos) return 0;
  return NumChars(hay.substr(0, found)) + 1;
}

std::string TrimChars(std::string_view s, std::string_view chars, bool left, bool right) {
  auto is_trim = [&](uint32_t cp) {
    for (size_t i = 0; i < chars.size();) {
      size_t len;
      if (DecodeAt(chars, i, &len) == cp) return true;
      i += len;
    }
    return false;
  };
  const auto offsets = CharOffsets(s);
  size_t b = 0, e = offsets.size() - 1;
  size_t len;
  while (left && b < e && is_trim(DecodeAt(s, offsets[b], &len))) ++b;
  while (right && e > b && is_trim(DecodeAt(s, offsets[e - 1], &len))) --e;
  return std::string(s.substr(offsets[b], offsets[e] - offsets[b]));
}

const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+' || c == '-') {
      v = 62;
    } else if (c == '/' || c == '_') {
      v = 63;
    } else if (c == '=' || c == '\n' || c == '\r' || c == ' ' || c == '\t') {
      continue;
    } else {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string HexUpper(std::string_view bytes) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Formats a number with grouping and `d` decimals as java.text.DecimalFormat (HALF_EVEN).
std::string FormatNumber(const std::string& plain_digits, bool negative, int d) {
  // plain_digits: "1234.5678" (no sign).
  std::string int_part = plain_digits, frac;
  const size_t dot = plain_digits.find('.');
  if (dot != std::string::npos) {
    int_part = plain_digits.substr(0, dot);
    frac = plain_digits.substr(dot + 1);
  }
  std::string grouped;
  for (size_t i = 0; i < int_part.size(); ++i) {
    if (i > 0 && (int_part.size() - i) % 3 == 0) grouped += ',';
    grouped += int_part[i];
  }
  std::string out = grouped;
  if (d > 0) out += "." + frac;
  bool all_zero = true;
  for (char c : out) {
    if (c >= '1' && c <= '9') all_zero = false;
  }
  return (negative && !all_zero ? "-" : "") + out;
}

std::string DecimalDigitsRounded(const arrow::Decimal256& unscaled, int scale, int d) {
  // HALF_EVEN rounding to d digits.
  arrow::Decimal256 v = unscaled;
  if (d < scale) {
    const arrow::Decimal256 div = Pow10Wide(scale - d);
    arrow::Decimal256 q, r;
    DivMod(v, div, &q, &r);
    arrow::Decimal256 twice = r;
    twice.Abs();
    twice *= arrow::Decimal256(2);
    if (twice > div || (twice == div && (q.low_bits() & 1))) {
      q += v.IsNegative() ? arrow::Decimal256(-1) : arrow::Decimal256(1);
    }
    v = q;
  } else {
    v = v * Pow10Wide(d - scale);
  }
  v.Abs();
  std::string digits = v.ToIntegerString();
  if (d > 0) {
    if (static_cast<int>(digits.size()) <= d) {
      digits.insert(0, static_cast<size_t>(d + 1 - static_cast<int>(digits.size())), '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(d), ".");
  }
  return digits;
}

// Java's Formatter, for the common conversions (%s %d %f %e %x %o %c %b %% %n) with flags,
// width and precision.
Result<std::string> FormatString(std::string_view format, const std::vector<ArgReader>& a,
                                 int64_t row, const EvalContext& ctx) {
  std::string out;
  size_t next_arg = 1;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out.push_back(format[i]);
      continue;
    }
    size_t j = i + 1;
    // Argument index "n$".
    size_t arg_index = 0;
    size_t k = j;
    while (k < format.size() && std::isdigit(static_cast<unsigned char>(format[k]))) ++k;
    if (k < format.size() && format[k] == '$' && k > j) {
      arg_index = std::stoul(std::string(format.substr(j, k - j)));
      j = k + 1;
    }
    std::string spec = "%";
    while (j < format.size() && std::string_view("-#+ 0,(").find(format[j]) != std::string_view::npos) {
      if (format[j] != ',' && format[j] != '(') spec.push_back(format[j]);
      ++j;
    }
    bool grouping = format.substr(i, j - i).find(',') != std::string_view::npos;
    while (j < format.size() && (std::isdigit(static_cast<unsigned char>(format[j])) || format[j] == '.')) {
      spec.push_back(format[j]);
      ++j;
    }
    if (j >= format.size()) {
      return UserError("INVALID_PARAMETER_VALUE", "bad format string");
    }
    char conv = format[j];
    i = j;
    if (conv == '%') {
      out.push_back('%');
      continue;
    }
    if (conv == 'n') {
      out.push_back('\n');
      continue;
    }
    const size_t idx = arg_index ? arg_index : next_arg++;
    const bool have = idx < a.size();
    const bool null = !have || a[idx].IsNull(row);
    char buf[512];
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(conv)));
    std::string piece;
    if (lower == 's') {
      std::string s = "null";
      if (!null) {
        ARROW_ASSIGN_OR_RAISE(s, ValueToString(*a[idx].array(), a[idx].Index(row), ctx));
      }
      std::snprintf(buf, sizeof(buf), (spec + "s").c_str(), s.c_str());
      piece = buf;
    } else if (lower == 'b') {
      std::string s = null ? "false" : (a[idx].type()->id() == arrow::Type::BOOL
                                            ? (a[idx].Bool(row) ? "true" : "false")
                                            : "true");
      std::snprintf(buf, sizeof(buf), (spec + "s").c_str(), s.c_str());
      piece = buf;
    } else if (null) {
      std::snprintf(buf, sizeof(buf), (spec + "s").c_str(), "null");
      piece = buf;
    } else if (lower == 'd') {
      std::snprintf(buf, sizeof(buf), (spec + "lld").c_str(),
                    static_cast<long long>(a[idx].Int(row)));
      piece = buf;
      if (grouping) {
        std::string digits;
        bool neg = piece.find('-') != std::string::npos;
        for (char c : piece) {
          if (std::isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
        }
        piece = FormatNumber(digits, neg, 0);
      }
    } else if (lower == 'x' || lower == 'o') {
      std::snprintf(buf, sizeof(buf), (spec + "ll" + conv).c_str(),
                    static_cast<long long>(a[idx].Int(row)));
      piece = buf;
    } else if (lower == 'f' || lower == 'e' || lower == 'g') {
      std::snprintf(buf, sizeof(buf), (spec + conv).c_str(), a[idx].Double(row));
      piece = buf;
    } else if (lower == 'c') {
      std::string s;
      AppendUtf8(static_cast<uint32_t>(a[idx].Int(row)), &s);
      piece = s;
    } else {
      return UserError("INVALID_PARAMETER_VALUE",
                       std::string("unsupported format conversion '") +
                           conv + "'");
    }
    if (std::isupper(static_cast<unsigned char>(conv))) {
      for (auto& c : piece) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    out += piece;
  }
  return out;
}

using S = std::vector<ArgReader>;

Status Str(OutBuilder& out, std::string_view s) { return out.Str(s); }

Result<BoundScalar> BindConcat(const std::string& name, const std::vector<TypePtr>& args) {
  BoundScalar b;
  b.name = name;
  if (!args.empty() && args[0]->id() == arrow::Type::LIST) {
    // concat(array, array, ...) appends arrays; any null array gives null.
    TypePtr t = args[0];
    for (size_t i = 1; i < args.size(); ++i) {
      auto c = CommonType(t, args[i]);
      if (!c || (*c)->id() != arrow::Type::LIST) {
        return DataTypeMismatch("DATA_DIFF_TYPES",
                                "Cannot resolve \"" + name + "\" due to data type mismatch: Input to "
                                "function `concat` should all be the same type.");
      }
      t = *c;
    }
    b.arg_types.assign(args.size(), t);
    b.return_type = t;
    b.kernel = RowKernel(t, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
      auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
      RETURN_NOT_OK(lb->Append());
      for (const auto& r : a) {
        const auto& l = static_cast<const arrow::ListArray&>(*r.array());
        const int64_t row = r.Index(i);
        RETURN_NOT_OK(lb->value_builder()->AppendArraySlice(*l.values()->data(), l.value_offset(row),
                                                            l.value_length(row)));
      }
      return Status::OK();
    });
    return b;
  }
  bool all_binary = !args.empty();
  for (const auto& t : args) {
    if (t->id() != arrow::Type::BINARY) all_binary = false;
  }
  TypePtr t = all_binary ? arrow::binary() : arrow::utf8();
  for (size_t i = 0; i < args.size(); ++i) {
    if (!ImplicitCastTarget(args[i], t)) {
      return UnexpectedInputType(name, i, "(\"STRING\" or \"BINARY\" or \"ARRAY\")", *args[i], name);
    }
  }
  b.arg_types.assign(args.size(), t);
  b.return_type = t;
  b.kernel = RowKernel(t, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    std::string s;
    for (const auto& r : a) s.append(r.Str(i));
    return out.Str(s);
  });
  return b;
}

Result<BoundScalar> BindConcatWs(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.empty()) return WrongNumArgs(name, "> 0", 0);
  BoundScalar b;
  b.name = name;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0 && args[i]->id() == arrow::Type::LIST) {
      b.arg_types.push_back(arrow::list(arrow::utf8()));
      continue;
    }
    if (!ImplicitCastTarget(args[i], arrow::utf8())) {
      return UnexpectedInputType(name, i, "(\"STRING\" or \"ARRAY<STRING>\")", *args[i], name);
    }
    b.arg_types.push_back(arrow::utf8());
  }
  b.return_type = arrow::utf8();
  b.kernel = RowKernel(
      arrow::utf8(),
      [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        if (a[0].IsNull(i)) return out.Null();
        const std::string_view sep = a[0].Str(i);
        std::string s;
        bool first = true;
        auto add = [&](std::string_view v) {
          if (!first) s.append(sep);
          s.append(v);
          first = false;
        };
        for (size_t k = 1; k < a.size(); ++k) {
          if (a[k].IsNull(i)) continue;
          if (a[k].type()->id() == arrow::Type::LIST) {
            const auto& list = static_cast<const arrow::ListArray&>(*a[k].array());
            const auto& values = static_cast<const arrow::StringArray&>(*list.values());
            const int64_t row = a[k].Index(i);
            for (int64_t j = list.value_offset(row); j < list.value_offset(row + 1); ++j) {
              if (!values.IsNull(j)) add(values.GetView(j));
            }
          } else {
            add(a[k].Str(i));
          }
        }
        return out.Str(s);
      },
      false);
  return b;
}

Result<BoundScalar> BindLength(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
  const bool binary = args[0]->id() == arrow::Type::BINARY;
  TypePtr t = binary ? arrow::binary() : arrow::utf8();
  if (!ImplicitCastTarget(args[0], t)) {
    return UnexpectedInputType(name, 0, "(\"STRING\" or \"BINARY\")", *args[0], name);
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {t};
  b.return_type = arrow::int32();
  const bool bytes = binary || name == "octet_length" || name == "bit_length";
  const int64_t mult = name == "bit_length" ? 8 : 1;
  b.kernel = RowKernel(arrow::int32(), [bytes, mult](const S& a, int64_t i, OutBuilder& out,
                                                     const EvalContext&) {
    const std::string_view s = a[0].Str(i);
    return out.Int((bytes ? static_cast<int64_t>(s.size()) : NumChars(s)) * mult);
  });
  return b;
}

Result<BoundScalar> BindSubstring(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() < 2 || args.size() > 3) return WrongNumArgs(name, "[2, 3]", args.size());
  const bool binary = args[0]->id() == arrow::Type::BINARY;
  TypePtr t = binary ? arrow::binary() : arrow::utf8();
  if (!ImplicitCastTarget(args[0], t)) {
    return UnexpectedInputType(name, 0, "(\"STRING\" or \"BINARY\")", *args[0], name);
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {t};
  for (size_t i = 1; i < args.size(); ++i) {
    if (!ImplicitCastTarget(args[i], arrow::int32())) {
      return UnexpectedInputType(name, i, "INT", *args[i], name);
    }
    b.arg_types.push_back(arrow::int32());
  }
  b.return_type = t;
  b.kernel = RowKernel(t, [binary](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    const int64_t pos = a[1].Int(i);
    const int64_t len = a.size() > 2 ? a[2].Int(i) : INT32_MAX;
    const std::string_view s = a[0].Str(i);
    if (binary) {
      const int64_t n = static_cast<int64_t>(s.size());
      int64_t start = pos > 0 ? pos - 1 : (pos < 0 ? n + pos : 0);
      int64_t end = len > INT32_MAX - start ? INT32_MAX : start + len;
      start = std::max<int64_t>(start, 0);
      end = std::min(end, n);
      if (start >= end) return out.Str("");
      return out.Str(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start)));
    }
    return out.Str(SubstringSql(s, pos, len));
  });
  return b;
}

// trim/ltrim/rtrim(trimStr, str) take the characters first, btrim(str, trimStr) last (Spark).
Result<BoundScalar> BindTrim(const std::string& name, const std::vector<TypePtr>& args, bool left,
                             bool right, bool chars_first) {
  if (args.empty() || args.size() > 2) return WrongNumArgs(name, "[1, 2]", args.size());
  BoundScalar b;
  b.name = name;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!ImplicitCastTarget(args[i], arrow::utf8())) {
      return UnexpectedInputType(name, i, "STRING", *args[i], name);
    }
    b.arg_types.push_back(arrow::utf8());
  }
  b.return_type = arrow::utf8();
  b.kernel = RowKernel(arrow::utf8(), [left, right, chars_first](const S& a, int64_t i,
                                                                 OutBuilder& out,
                                                                 const EvalContext&) {
    if (a.size() < 2) return out.Str(TrimChars(a[0].Str(i), std::string_view(" "), left, right));
    const size_t str = chars_first ? 1 : 0;
    return out.Str(TrimChars(a[str].Str(i), a[1 - str].Str(i), left, right));
  });
  return b;
}

Result<BoundScalar> BindPad(const std::string& name, const std::vector<TypePtr>& args, bool left) {
  if (args.size() < 2 || args.size() > 3) return WrongNumArgs(name, "[2, 3]", args.size());
  const bool binary = args[0]->id() == arrow::Type::BINARY;
  TypePtr t = binary ? arrow::binary() : arrow::utf8();
  if (!ImplicitCastTarget(args[0], t)) return UnexpectedInputType(name, 0, "STRING", *args[0], name);
  if (!ImplicitCastTarget(args[1], arrow::int32())) {
    return UnexpectedInputType(name, 1, "INT", *args[1], name);
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {t, arrow::int32()};
  if (args.size() == 3) {
    if (!ImplicitCastTarget(args[2], t)) return UnexpectedInputType(name, 2, "STRING", *args[2], name);
    b.arg_types.push_back(t);
  }
  b.return_type = t;
  b.kernel = RowKernel(t, [left, binary](const S& a, int64_t i, OutBuilder& out,
                                         const EvalContext&) {
    const std::string_view pad = a.size() > 2 ? a[2].Str(i) : (binary ? std::string_view("\0", 1) : std::string_view(" "));
    return out.Str(Pad(a[0].Str(i), a[1].Int(i), pad, left));
  });
  return b;
}

Result<BoundScalar> BindFormatString(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.empty()) return WrongNumArgs(name, "> 0", 0);
  if (!ImplicitCastTarget(args[0], arrow::utf8())) {
    return UnexpectedInputType(name, 0, "STRING", *args[0], name);
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = args;
  b.arg_types[0] = arrow::utf8();
  for (auto& t : b.arg_types) {
    if (IsNull(*t)) t = arrow::utf8();
  }
  b.return_type = arrow::utf8();
  b.kernel = RowKernel(
      arrow::utf8(),
      [](const S& a, int64_t i, OutBuilder& out, const EvalContext& ctx) -> Status {
        if (a[0].IsNull(i)) return out.Null();
        ARROW_ASSIGN_OR_RAISE(auto s, FormatString(a[0].Str(i), a, i, ctx));
        return out.Str(s);
      },
      false);
  return b;
}

Result<BoundScalar> BindFormatNumber(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
  TypePtr t = args[0];
  if (IsNull(*t)) t = arrow::float64();
  if (!IsNumeric(*t)) return UnexpectedInputType(name, 0, "NUMERIC", *args[0], name);
  // FormatNumber expects its digits as INT or a format STRING, with no numeric narrowing.
  if (!IntegralUpToInt(*args[1])) {
    return UnexpectedInputType(name, 1, "INT", *args[1], name);
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {t, arrow::int32()};
  b.return_type = arrow::utf8();
  b.kernel = RowKernel(arrow::utf8(), [t](const S& a, int64_t i, OutBuilder& out,
                                          const EvalContext&) -> Status {
    const int d = static_cast<int>(a[1].Int(i));
    if (d < 0) return out.Null();
    arrow::Decimal256 unscaled;
    int scale = 0;
    bool negative = false;
    if (IsDecimal(*t)) {
      unscaled = Widen(a[0].Dec(i));
      scale = static_cast<const arrow::Decimal128Type&>(*t).scale();
    } else if (IsFloating(*t)) {
      const double x = a[0].Double(i);
      if (std::isnan(x)) return out.Str("NaN");
      if (std::isinf(x)) return out.Str(x > 0 ? "\u221E" : "-\u221E");
      bool of = false;
      auto v = ParseDecimal(FormatDouble(x), 38, std::min(20, 37 - 0), &of);
      if (!v) return out.Null();
      unscaled = Widen(*v);
      scale = 20;
    } else {
      unscaled = arrow::Decimal256(a[0].Int(i));
    }
    negative = unscaled.IsNegative();
    return out.Str(FormatNumber(DecimalDigitsRounded(unscaled, scale, d), negative, d));
  });
  return b;
}

}  // namespace

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

void RegisterStringFunctions(FunctionTable* table) {
  const TypePtr s = arrow::utf8(), i32 = arrow::int32(), i64 = arrow::int64(), b = arrow::binary();
  for (const char* n : {"length", "char_length", "character_length", "len", "octet_length",
                        "bit_length"}) {
    table->AddScalar(n, BindLength);
  }
  table->AddFixed("upper", {s}, s, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    return out.Str(ChangeCase(a[0].Str(i), true));
  });
  table->AddScalar("ucase", table->scalars().at("upper"));
  table->AddFixed("lower", {s}, s, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    return out.Str(ChangeCase(a[0].Str(i), false));
  });
  table->AddScalar("lcase", table->scalars().at("lower"));
  table->AddScalar("substring", BindSubstring);
  table->AddScalar("substr", BindSubstring);
  table->AddScalar("concat", BindConcat);
  table->AddScalar("||", BindConcat);
  table->AddScalar("concat_ws", BindConcatWs);
  table->AddScalar("trim", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindTrim(n, a, true, true, /*chars_first=*/true);
  });
  table->AddScalar("btrim", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindTrim(n, a, true, true, /*chars_first=*/false);
  });
  table->AddScalar("ltrim", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindTrim(n, a, true, false, /*chars_first=*/true);
  });
  table->AddScalar("rtrim", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindTrim(n, a, false, true, /*chars_first=*/true);
  });
  table->AddScalar("lpad", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindPad(n, a, true);
  });
  table->AddScalar("rpad", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindPad(n, a, false);
  });
  table->AddScalar("replace", [](const std::string& n,
                                 const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() < 2 || args.size() > 3) return WrongNumArgs(n, "[2, 3]", args.size());
    BoundScalar bound;
    bound.name = n;
    RETURN_NOT_OK(RequireStringArgs(n, args, args.size(), &bound.arg_types));
    bound.return_type = arrow::utf8();
    bound.kernel = RowKernel(arrow::utf8(), [](const S& a, int64_t i, OutBuilder& out,
                                               const EvalContext&) {
      const std::string_view src = a[0].Str(i), search = a[1].Str(i);
      const std::string_view rep = a.size() > 2 ? a[2].Str(i) : std::string_view();
      if (search.empty()) return out.Str(src);
      std::string r;
      size_t pos = 0;
      while (true) {
        const size_t f = src.find(search, pos);
        if (f == std::string_view::npos) break;
        r.append(src.substr(pos, f - pos));
        r.append(rep);
        pos = f + search.size();
      }
      r.append(src.substr(pos));
      return out.Str(r);
    });
    return bound;
  });
  table->AddFixed("instr", {s, s}, i32, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    return out.Int(FindChars(a[0].Str(i), a[1].Str(i), 0));
  });
  table->AddScalar("locate", [](const std::string& n,
                                const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() < 2 || args.size() > 3) return WrongNumArgs(n, "[2, 3]", args.size());
    BoundScalar bound;
    bound.name = n;
    bound.arg_types = {arrow::utf8(), arrow::utf8()};
    if (args.size() == 3) bound.arg_types.push_back(arrow::int32());
    for (size_t k = 0; k < args.size(); ++k) {
      if (!ImplicitCastTarget(args[k], bound.arg_types[k])) {
        return UnexpectedInputType(n, k, SqlTypeName(*bound.arg_types[k]), *args[k], n);
      }
    }
    bound.return_type = arrow::int32();
    bound.kernel = RowKernel(
        arrow::int32(),
        [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          if (a.size() > 2 && a[2].IsNull(i)) return out.Int(0);
          if (a[0].IsNull(i) || a[1].IsNull(i)) return out.Null();
          const int64_t start = a.size() > 2 ? a[2].Int(i) : 1;
          if (start < 1) return out.Int(0);
          return out.Int(FindChars(a[1].Str(i), a[0].Str(i), start - 1));
        },
        false);
    return bound;
  });
  table->AddScalar("position", table->scalars().at("locate"));
  table->AddFixed("left", {s, i32}, s, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    const int64_t n = a[1].Int(i);
    if (n <= 0) return out.Str("");
    return out.Str(SubstringSql(a[0].Str(i), 1, n));
  });
  table->AddFixed("right", {s, i32}, s, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    const int64_t n = a[1].Int(i);
    if (n <= 0) return out.Str("");
    return out.Str(SubstringSql(a[0].Str(i), -n, n));
  });
  table->AddFixed("repeat", {s, i32}, s, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    std::string r;
    const std::string_view v = a[0].Str(i);
    for (int64_t k = 0; k < a[1].Int(i); ++k) r.append(v);
    return out.Str(r);
  });
  table->AddFixed("space", {i32}, s, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    return out.Str(std::string(static_cast<size_t>(std::max<int64_t>(0, a[0].Int(i))), ' '));
  });
  table->AddFixed("initcap", {s}, s, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    const std::string_view v = a[0].Str(i);
    std::string r;
    bool start = true;
    for (size_t k = 0; k < v.size();) {
      size_t len;
      uint32_t cp = DecodeAt(v, k, &len);
      AppendUtf8(MapCase(cp, start), &r);
      start = cp == ' ';
      k += len;
    }
    return out.Str(r);
  });
  table->AddFixed("translate", {s, s, s}, s, [](const S& a, int64_t i, OutBuilder& out,
                                                const EvalContext&) {
    const std::string_view src = a[0].Str(i), from = a[1].Str(i), to = a[2].Str(i);
    std::vector<uint32_t> f, t;
    size_t len;
    for (size_t k = 0; k < from.size(); k += len) f.push_back(DecodeAt(from, k, &len));
    for (size_t k = 0; k < to.size(); k += len) t.push_back(DecodeAt(to, k, &len));
    std::string r;
    for (size_t k = 0; k < src.size(); k += len) {
      const uint32_t cp = DecodeAt(src, k, &len);
      size_t idx = 0;
      while (idx < f.size() && f[idx] != cp) ++idx;
      if (idx == f.size()) {
        AppendUtf8(cp, &r);
      } else if (idx < t.size()) {
        AppendUtf8(t[idx], &r);
      }
    }
    return out.Str(r);
  });
  table->AddFixed("ascii", {s}, i32, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    const std::string_view v = a[0].Str(i);
    if (v.empty()) return out.Int(0);
    size_t len;
    return out.Int(DecodeAt(v, 0, &len));
  });
  auto chr = [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    const int64_t n = a[0].Int(i);
    if (n < 0) return out.Str("");
    std::string r;
    AppendUtf8(static_cast<uint32_t>(n & 0xff), &r);
    return out.Str(r);
  };
  table->AddFixed("chr", {i64}, s, chr);
  table->AddFixed("char", {i64}, s, chr);
  table->AddScalar("format_number", BindFormatNumber);
  table->AddScalar("format_string", BindFormatString);
  table->AddScalar("printf", BindFormatString);
  table->AddFixed("startswith", {s, s}, arrow::boolean(),
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    const auto v = a[0].Str(i), p = a[1].Str(i);
                    return out.Bool(v.substr(0, p.size()) == p);
                  });
  table->AddFixed("endswith", {s, s}, arrow::boolean(),
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    const auto v = a[0].Str(i), p = a[1].Str(i);
                    return out.Bool(v.size() >= p.size() && v.substr(v.size() - p.size()) == p);
                  });
  table->AddFixed("contains", {s, s}, arrow::boolean(),
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    return out.Bool(a[0].Str(i).find(a[1].Str(i)) != std::string_view::npos);
                  });
  table->AddFixed("base64", {b}, s, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    return out.Str(Base64Encode(a[0].Str(i)));
  });
  table->AddFixed("unbase64", {s}, b, [](const S& a, int64_t i, OutBuilder& out,
                                         const EvalContext&) -> Status {
    auto d = Base64Decode(a[0].Str(i));
    if (!d) {
      return UserError("INVALID_PARAMETER_VALUE.BASE64_STRING",
                       "[INVALID_PARAMETER_VALUE.BASE64_STRING] The value of parameter(s) `str` "
                       "in `unbase64` is invalid: expects a legal base64 string.");
    }
    return out.Str(*d);
  });
  table->AddScalar("hex", [](const std::string& n,
                             const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != 1) return WrongNumArgs(n, "1", args.size());
    TypePtr t = args[0];
    if (IsNull(*t)) t = arrow::int64();
    if (IsIntegral(*t)) t = arrow::int64();
    if (!(t->id() == arrow::Type::INT64 || t->id() == arrow::Type::BINARY || IsStringLike(*t))) {
      return UnexpectedInputType(n, 0, "(\"BIGINT\" or \"BINARY\" or \"STRING\")", *args[0], n);
    }
    BoundScalar bound;
    bound.name = n;
    bound.arg_types = {t};
    bound.return_type = arrow::utf8();
    const bool integral = t->id() == arrow::Type::INT64;
    bound.kernel = RowKernel(arrow::utf8(), [integral](const S& a, int64_t i, OutBuilder& out,
                                                       const EvalContext&) {
      if (integral) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%llX", static_cast<unsigned long long>(a[0].Int(i)));
        return out.Str(buf);
      }
      return out.Str(HexUpper(a[0].Str(i)));
    });
    return bound;
  });
  table->AddFixed("unhex", {s}, b, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    std::string v(a[0].Str(i));
    if (v.size() % 2) v.insert(v.begin(), '0');
    std::string r;
    for (size_t k = 0; k < v.size(); k += 2) {
      const int hi = HexValue(v[k]), lo = HexValue(v[k + 1]);
      if (hi < 0 || lo < 0) return out.Null();
      r.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out.Str(r);
  });
  table->AddFixed("substring_index", {s, s, i32}, s,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    const std::string_view v = a[0].Str(i), delim = a[1].Str(i);
                    const int64_t count = a[2].Int(i);
                    if (delim.empty() || count == 0) return out.Str("");
                    if (count > 0) {
                      size_t pos = 0;
                      for (int64_t k = 0; k < count; ++k) {
                        const size_t f = v.find(delim, pos);
                        if (f == std::string_view::npos) return out.Str(v);
                        if (k == count - 1) return out.Str(v.substr(0, f));
                        pos = f + delim.size();
                      }
                      return out.Str(v);
                    }
                    size_t end = v.size();
                    for (int64_t k = 0; k < -count; ++k) {
                      if (end < delim.size()) return out.Str(v);
                      const size_t f = v.rfind(delim, end - delim.size());
                      if (f == std::string_view::npos || end == 0) return out.Str(v);
                      if (k == -count - 1) return out.Str(v.substr(f + delim.size()));
                      if (f == 0) return out.Str(v);
                      end = f;
                    }
                    return out.Str(v);
                  });
  table->AddFixed("find_in_set", {s, s}, i32,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    const std::string_view needle = a[0].Str(i), list = a[1].Str(i);
                    if (needle.find(',') != std::string_view::npos) return out.Int(0);
                    int64_t idx = 1;
                    size_t pos = 0;
                    while (true) {
                      const size_t f = list.find(',', pos);
                      const auto item = list.substr(pos, f == std::string_view::npos ? std::string_view::npos : f - pos);
                      if (item == needle) return out.Int(idx);
                      if (f == std::string_view::npos) return out.Int(0);
                      pos = f + 1;
                      ++idx;
                    }
                  });
  // levenshtein(a, b[, threshold]): with a threshold, -1 when the distance exceeds it.
  auto levenshtein = [](std::string_view x, std::string_view y) {
    std::vector<uint32_t> p, q;
    size_t len;
    for (size_t k = 0; k < x.size(); k += len) p.push_back(DecodeAt(x, k, &len));
    for (size_t k = 0; k < y.size(); k += len) q.push_back(DecodeAt(y, k, &len));
    std::vector<int64_t> prev(q.size() + 1), cur(q.size() + 1);
    for (size_t k = 0; k <= q.size(); ++k) prev[k] = static_cast<int64_t>(k);
    for (size_t r = 1; r <= p.size(); ++r) {
      cur[0] = static_cast<int64_t>(r);
      for (size_t c = 1; c <= q.size(); ++c) {
        cur[c] = std::min({prev[c] + 1, cur[c - 1] + 1,
                           prev[c - 1] + (p[r - 1] == q[c - 1] ? 0 : 1)});
      }
      std::swap(prev, cur);
    }
    return prev[q.size()];
  };
  table->AddFixedOverloads(
      "levenshtein",
      {{{s, s}, i32,
        [levenshtein](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
          return out.Int(levenshtein(a[0].Str(i), a[1].Str(i)));
        }},
       {{s, s, i32}, i32,
        [levenshtein](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
          const int64_t distance = levenshtein(a[0].Str(i), a[1].Str(i));
          return out.Int(distance > a[2].Int(i) ? -1 : distance);
        }}});
  (void)Str;
}

/// Reverses a string by code points (used by `reverse` for strings).
std::string ReverseUtf8(std::string_view s) {
  const auto offsets = CharOffsets(s);
  std::string r;
  r.reserve(s.size());
  for (size_t k = offsets.size() - 1; k > 0; --k) {
    r.append(s.substr(offsets[k - 1], offsets[k] - offsets[k - 1]));
  }
  return r;
}

}  // namespace basin::function
