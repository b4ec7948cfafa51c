// Newer Spark 4 string functions: split_part, overlay, the UTF-8 validity family, luhn_check,
// soundex, quote, elt, url_encode/url_decode, parse_url, str_to_map, mask, to_binary and
// version.

#include <locale.h>
#include <array>
#include <cctype>
#include <cstring>
#include <cwctype>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "basin/function/kernel_support.h"

namespace basin::function {

namespace {

using S = std::vector<ArgReader>;

// Returns the byte offset of every code point of `s`, plus s.size() at the end.
std::vector<size_t> CharOffsets(std::string_view s) {
  std::vector<size_t> offsets;
  offsets.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) offsets.push_back(i);
  }
  offsets.push_back(s.size());
  return offsets;
}

// Spark's 1-based SQL substring on units (characters or bytes): `pos` <= 0 counts from the end
// (0 is the start), the range is clipped to [0, units).
std::pair<int64_t, int64_t> SqlRange(int64_t units, int64_t pos, int64_t length) {
  int64_t start = pos > 0 ? pos - 1 : (pos < 0 ? units + pos : 0);
  int64_t end = length >= INT64_MAX - std::max<int64_t>(start, 0) ? INT64_MAX : start + length;
  start = std::max<int64_t>(start, 0);
  end = std::min(end, units);
  if (start >= end) return {0, 0};
  return {start, end};
}

// overlay(input, replace, pos, len): the part of `input` before `pos`, then `replace`, then the
// part of `input` after `len` units (the length of `replace` when `len` is negative).
std::string Overlay(std::string_view input, std::string_view replace, int64_t pos, int64_t len,
                    bool chars) {
  std::vector<size_t> in_off, rep_off;
  int64_t in_units = static_cast<int64_t>(input.size());
  int64_t rep_units = static_cast<int64_t>(replace.size());
  if (chars) {
    in_off = CharOffsets(input);
    rep_off = CharOffsets(replace);
    in_units = static_cast<int64_t>(in_off.size()) - 1;
    rep_units = static_cast<int64_t>(rep_off.size()) - 1;
  }
  auto slice = [&](std::pair<int64_t, int64_t> r) {
    if (!chars)
      return input.substr(static_cast<size_t>(r.first), static_cast<size_t>(r.second - r.first));
    const size_t b = in_off[static_cast<size_t>(r.first)],
                 e = in_off[static_cast<size_t>(r.second)];
    return input.substr(b, e - b);
  };
  const int64_t skip = len >= 0 ? len : rep_units;
  std::string out(slice(SqlRange(in_units, 1, pos - 1)));
  out += replace;
  // Spark computes pos + len in 32-bit arithmetic.
  const int64_t after =
      static_cast<int32_t>(static_cast<uint32_t>(pos) + static_cast<uint32_t>(skip));
  out += slice(SqlRange(in_units, after, INT64_MAX));
  return out;
}

Result<BoundScalar> BindOverlay(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() < 3 || args.size() > 4) return WrongNumArgs(name, "[3, 4]", args.size());
  const bool in_binary = args[0]->id() == arrow::Type::BINARY;
  const bool rep_binary = args[1]->id() == arrow::Type::BINARY;
  const bool binary = (in_binary || IsNull(*args[0])) && (rep_binary || IsNull(*args[1])) &&
                      (in_binary || rep_binary);
  if (!binary && (in_binary || rep_binary)) {
    return DataTypeMismatch(
        "DATA_DIFF_TYPES", "Cannot resolve \"" + name + "\" due to data type mismatch: Input to `" +
                               name + "` should all be the same type, but it's (\"" +
                               SqlTypeName(*args[0]) + "\" or \"" + SqlTypeName(*args[1]) + "\").");
  }
  const TypePtr t = binary ? arrow::binary() : arrow::utf8();
  BoundScalar b;
  b.name = name;
  for (size_t k = 0; k < args.size(); ++k) {
    const TypePtr want = k < 2 ? t : arrow::int32();
    if (!ImplicitCastTarget(args[k], want)) {
      return UnexpectedInputType(name, k, SqlTypeName(*want), *args[k], name);
    }
    b.arg_types.push_back(want);
  }
  b.return_type = t;
  b.kernel = RowKernel(t, [binary](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    const int64_t len = a.size() > 3 ? a[3].Int(i) : -1;
    return out.Str(Overlay(a[0].Str(i), a[1].Str(i), a[2].Int(i), len, !binary));
  });
  return b;
}

// split_part(str, delimiter, part): 1-based, negative parts count from the end, a part out of
// range is ''; an empty delimiter leaves the string whole.
Status SplitPart(std::string_view str, std::string_view delim, int64_t part, OutBuilder& out) {
  if (part == 0) {
    return UserError("INVALID_INDEX_OF_ZERO",
                     "The index 0 is invalid. An index shall be either < 0 or > 0 (the first "
                     "element has index 1).");
  }
  std::vector<std::string_view> parts;
  if (delim.empty()) {
    parts.push_back(str);
  } else {
    size_t start = 0;
    while (true) {
      const size_t hit = str.find(delim, start);
      if (hit == std::string_view::npos) {
        parts.push_back(str.substr(start));
        break;
      }
      parts.push_back(str.substr(start, hit - start));
      start = hit + delim.size();
    }
  }
  const int64_t n = static_cast<int64_t>(parts.size());
  const int64_t index = part > 0 ? part - 1 : n + part;
  if (index < 0 || index >= n) return out.Str("");
  return out.Str(parts[static_cast<size_t>(index)]);
}

// Returns the length of the valid UTF-8 sequence at `i`, or 0 when it is invalid; `*consumed`
// is the length of its longest valid prefix (a lone bad byte counts as one), which Spark
// replaces by one U+FFFD.
size_t Utf8SequenceAt(std::string_view s, size_t i, size_t* consumed) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = b(i);
  *consumed = 1;
  if (lead < 0x80) return 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 3;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 4;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k < need; ++k) {
    if (i + k >= s.size()) return 0;
    const unsigned char c = b(i + k);
    const unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (c < l || c > h) return 0;
    *consumed = k + 1;
  }
  return need;
}

bool IsValidUtf8(std::string_view s) {
  size_t consumed;
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceAt(s, i, &consumed);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// Replaces every maximal invalid subsequence by U+FFFD.
std::string MakeValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t consumed;
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceAt(s, i, &consumed);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      i += consumed;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

// The bytes of `s` as Spark quotes them in INVALID_UTF8_STRING: \xHH for every byte.
std::string HexBytes(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

bool LuhnCheck(std::string_view s) {
  if (s.empty()) return false;
  int sum = 0;
  bool twice = false;
  for (size_t k = s.size(); k-- > 0;) {
    const char c = s[k];
    if (c < '0' || c > '9') return false;
    int d = c - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

// American Soundex over ASCII letters; a string that does not start with a letter is returned
// as is, other non-letters are skipped.
std::string Soundex(std::string_view s) {
  // Codes of A..Z; '0' is a vowel (it separates equal codes), '7' is H or W (ignored).
  static const char* kCodes = "01230127022455012623017202";
  if (s.empty()) return "";
  const char first = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  if (first < 'A' || first > 'Z') return std::string(s);
  std::string out(1, first);
  char last = kCodes[first - 'A'];
  for (size_t k = 1; k < s.size() && out.size() < 4; ++k) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(s[k])));
    if (c < 'A' || c > 'Z') continue;
    const char code = kCodes[c - 'A'];
    if (code == '7') continue;
    if (code == '0') {
      last = '0';
      continue;
    }
    if (code != last) out += code;
    last = code;
  }
  out.resize(4, '0');
  return out;
}

// java.net.URLEncoder with UTF-8: letters, digits and ".-*_" stay, space becomes '+'.
std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '*' || c == '_') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// java.net.URLDecoder with UTF-8; nullopt on a malformed escape.
std::optional<std::string> UrlDecode(std::string_view s) {
  std::string bytes;
  for (size_t k = 0; k < s.size(); ++k) {
    if (s[k] == '+') {
      bytes += ' ';
    } else if (s[k] == '%') {
      if (k + 2 >= s.size()) return std::nullopt;
      const int h = HexDigit(s[k + 1]), l = HexDigit(s[k + 2]);
      if (h < 0 || l < 0) return std::nullopt;
      bytes += static_cast<char>(h * 16 + l);
      k += 2;
    } else {
      bytes += s[k];
    }
  }
  return MakeValidUtf8(bytes);
}

// The parts of a URI as java.net.URI splits it (raw, still escaped); nullopt when the text is
// not a valid URI.
struct UriParts {
  std::optional<std::string> scheme, authority, user_info, host, path, query, fragment;
};

bool IsUriChar(unsigned char c) {
  if (c >= 0x80) return true;  // java.net.URI accepts other (non-ASCII) characters
  if (std::isalnum(c)) return true;
  return std::strchr("-_.!~*'();/?:@&=+$,%[]#", c) != nullptr && c != 0;
}

std::optional<UriParts> ParseUri(std::string_view s) {
  for (size_t k = 0; k < s.size(); ++k) {
    const unsigned char c = static_cast<unsigned char>(s[k]);
    if (!IsUriChar(c)) return std::nullopt;
    if (c == '%' && (k + 2 >= s.size() || HexDigit(s[k + 1]) < 0 || HexDigit(s[k + 2]) < 0)) {
      return std::nullopt;
    }
  }
  UriParts p;
  std::string_view rest = s;
  const size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    p.fragment = std::string(rest.substr(hash + 1));
    if (p.fragment->find('#') != std::string::npos) return std::nullopt;
    rest = rest.substr(0, hash);
  }
  // A scheme is letters, digits, '+', '-', '.' after a letter, then ':'.
  const size_t colon = rest.find(':');
  if (colon != std::string_view::npos && colon > 0 &&
      std::isalpha(static_cast<unsigned char>(rest[0]))) {
    bool scheme = true;
    for (size_t k = 1; k < colon; ++k) {
      const unsigned char c = static_cast<unsigned char>(rest[k]);
      if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') scheme = false;
    }
    if (scheme) {
      p.scheme = std::string(rest.substr(0, colon));
      rest = rest.substr(colon + 1);
      if (rest.empty()) return std::nullopt;
      if (rest[0] != '/') return p;  // opaque, as mailto:x@y
    }
  }
  const size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    p.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);
    const size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (!authority.empty()) {
      p.authority = std::string(authority);
      std::string_view host = authority;
      const size_t at = host.rfind('@');
      if (at != std::string_view::npos) {
        p.user_info = std::string(host.substr(0, at));
        host = host.substr(at + 1);
      }
      if (!host.empty() && host[0] == '[') {
        const size_t close = host.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        p.host = std::string(host.substr(0, close + 1));
      } else {
        const size_t port = host.rfind(':');
        std::string_view name = host.substr(0, port);
        bool server = !name.empty();
        for (unsigned char c : name) {
          if (!std::isalnum(c) && c != '-' && c != '.') server = false;
        }
        // A registry-based authority (such as one with '_') has no host.
        if (server) p.host = std::string(name);
      }
    }
  }
  p.path = std::string(rest);
  return p;
}

Status InvalidUrl(std::string_view url) {
  return UserError("INVALID_URL", "The url is invalid: " + std::string(url) +
                                      ". Use `try_parse_url` to tolerate invalid URL and return "
                                      "NULL instead.");
}

std::optional<std::string> QueryValue(std::string_view query, std::string_view key) {
  const std::string pattern = "(&|^)" + std::string(key) + "=([^&]*)";
  int err = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   PCRE2_UTF | PCRE2_NO_UTF_CHECK, &err, &offset, nullptr);
  if (code == nullptr) return std::nullopt;
  pcre2_match_data* match = pcre2_match_data_create_from_pattern(code, nullptr);
  std::optional<std::string> out;
  const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(query.data()), query.size(), 0,
                             PCRE2_NO_UTF_CHECK, match, nullptr);
  if (rc > 2) {
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match);
    out = std::string(query.substr(ov[4], ov[5] - ov[4]));
  }
  pcre2_match_data_free(match);
  pcre2_code_free(code);
  return out;
}

// parse_url(url, part[, key]); `try_mode` gives NULL for an invalid URL instead of INVALID_URL.
Status ParseUrl(const S& a, int64_t i, OutBuilder& out, const EvalContext& ctx, bool try_mode) {
  const std::string_view url = a[0].Str(i), part = a[1].Str(i);
  auto uri = ParseUri(url);
  if (!uri) {
    if (try_mode || !ctx.ansi) return out.Null();
    return InvalidUrl(url);
  }
  const std::optional<std::string>* value = nullptr;
  std::optional<std::string> file;
  if (part == "HOST") {
    value = &uri->host;
  } else if (part == "PATH") {
    value = &uri->path;
  } else if (part == "QUERY") {
    value = &uri->query;
  } else if (part == "REF") {
    value = &uri->fragment;
  } else if (part == "PROTOCOL") {
    value = &uri->scheme;
  } else if (part == "FILE") {
    if (uri->path) file = *uri->path + (uri->query ? "?" + *uri->query : "");
    value = &file;
  } else if (part == "AUTHORITY") {
    value = &uri->authority;
  } else if (part == "USERINFO") {
    value = &uri->user_info;
  } else {
    return out.Null();
  }
  if (!*value) return out.Null();
  if (a.size() < 3) return out.Str(**value);
  if (part != "QUERY") return out.Null();
  // Spark reads the key as a regular expression: the first match of (&|^)key=([^&]*).
  auto found = QueryValue(**value, a[2].Str(i));
  if (!found) return out.Null();
  return out.Str(*found);
}

// elt(n, input1, input2, ...): inputs are all binary, or strings.
Result<BoundScalar> BindElt(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() < 2) return WrongNumArgs(name, "> 1", args.size());
  bool all_binary = true;
  for (size_t k = 1; k < args.size(); ++k) {
    if (args[k]->id() != arrow::Type::BINARY) all_binary = false;
  }
  const TypePtr t = all_binary ? arrow::binary() : arrow::utf8();
  BoundScalar b;
  b.name = name;
  // The index is cast to INT (decimals and strings included, as Spark does).
  if (!IsNumeric(*args[0]) && !IsStringLike(*args[0]) && !IsNull(*args[0])) {
    return UnexpectedInputType(name, 0, "INT", *args[0], name);
  }
  b.arg_types.push_back(arrow::int32());
  for (size_t k = 1; k < args.size(); ++k) {
    if (!ImplicitCastTarget(args[k], t)) {
      return UnexpectedInputType(name, k, SqlTypeName(*t), *args[k], name);
    }
    b.arg_types.push_back(t);
  }
  b.return_type = t;
  b.kernel = RowKernel(
      t,
      [](const S& a, int64_t i, OutBuilder& out, const EvalContext& ctx) -> Status {
        if (a[0].IsNull(i)) return out.Null();
        const int64_t n = a[0].Int(i);
        const int64_t count = static_cast<int64_t>(a.size()) - 1;
        if (n < 1 || n > count) {
          if (!ctx.ansi) return out.Null();
          return UserError(
              "INVALID_ARRAY_INDEX",
              "The index " + std::to_string(n) + " is out of bounds. The array has " +
                  std::to_string(count) +
                  " elements. Use the SQL function `get()` to tolerate accessing element "
                  "at invalid index and return NULL instead. If necessary set "
                  "\"spark.sql.ansi.enabled\" to \"false\" to bypass this error.");
        }
        const ArgReader& r = a[static_cast<size_t>(n)];
        if (r.IsNull(i)) return out.Null();
        return out.Str(r.Str(i));
      },
      false);
  return b;
}

// A compiled Java-style regular expression used to split text (String.split semantics).
class Splitter {
 public:
  static std::unique_ptr<Splitter> Make(std::string_view pattern) {
    auto out = std::make_unique<Splitter>();
    out->pattern_ = std::string(pattern);
    int err = 0;
    PCRE2_SIZE offset = 0;
    out->code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                               PCRE2_UTF | PCRE2_NO_UTF_CHECK, &err, &offset, nullptr);
    if (out->code_ == nullptr) return nullptr;
    out->match_ = pcre2_match_data_create_from_pattern(out->code_, nullptr);
    return out;
  }
  Splitter() = default;
  Splitter(const Splitter&) = delete;
  Splitter& operator=(const Splitter&) = delete;
  ~Splitter() {
    if (match_) pcre2_match_data_free(match_);
    if (code_) pcre2_code_free(code_);
  }
  const std::string& pattern() const { return pattern_; }

  /// Splits `s` around matches, keeping trailing empty parts; at most `limit` parts when > 0.
  std::vector<std::string_view> Split(std::string_view s, size_t limit) const {
    std::vector<std::string_view> parts;
    size_t start = 0, from = 0;
    while (from <= s.size() && (limit == 0 || parts.size() + 1 < limit)) {
      const int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), from,
                                 PCRE2_NO_UTF_CHECK, match_, nullptr);
      if (rc < 0) break;
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match_);
      const size_t b = ov[0], e = ov[1];
      if (e == 0) {  // a zero-width match at the start never splits
        from = NextChar(s, 0);
        continue;
      }
      parts.push_back(s.substr(start, b - start));
      start = e;
      from = b == e ? NextChar(s, e) : e;
    }
    parts.push_back(s.substr(start));
    return parts;
  }

 private:
  static size_t NextChar(std::string_view s, size_t i) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    return i;
  }
  std::string pattern_;
  pcre2_code* code_ = nullptr;
  pcre2_match_data* match_ = nullptr;
};

// str_to_map(text[, pair_delim[, key_value_delim]]): both delimiters are regular expressions.
Result<BoundScalar> BindStrToMap(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.empty() || args.size() > 3) return WrongNumArgs(name, "[1, 2, 3]", args.size());
  BoundScalar b;
  b.name = name;
  for (size_t k = 0; k < args.size(); ++k) {
    if (!IsStringLike(*args[k]) && !IsNull(*args[k])) {
      return UnexpectedInputType(name, k, "STRING", *args[k], name);
    }
    b.arg_types.push_back(arrow::utf8());
  }
  const TypePtr map_type = arrow::map(arrow::utf8(), arrow::utf8());
  b.return_type = map_type;
  // Compiled delimiters are kept while they repeat from row to row.
  struct Cache {
    std::unique_ptr<Splitter> pair, key_value;
  };
  auto cache = std::make_shared<Cache>();
  b.kernel = MakeKernel([map_type, cache](const std::vector<arrow::Datum>& args, int64_t length,
                                          const EvalContext& ctx) -> Result<arrow::Datum> {
    auto body = RowKernel(
        map_type, [cache](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          const std::string_view pair_delim = a.size() > 1 ? a[1].Str(i) : ",";
          const std::string_view kv_delim = a.size() > 2 ? a[2].Str(i) : ":";
          if (!cache->pair || cache->pair->pattern() != pair_delim)
            cache->pair = Splitter::Make(pair_delim);
          if (!cache->key_value || cache->key_value->pattern() != kv_delim) {
            cache->key_value = Splitter::Make(kv_delim);
          }
          if (!cache->pair || !cache->key_value) {
            return UserError("INVALID_PARAMETER_VALUE.PATTERN",
                             "The value of parameter(s) `regexp` in `str_to_map` is invalid.");
          }
          auto* mb = static_cast<arrow::MapBuilder*>(out.builder());
          auto* kb = static_cast<arrow::StringBuilder*>(mb->key_builder());
          auto* vb = static_cast<arrow::StringBuilder*>(mb->item_builder());
          RETURN_NOT_OK(mb->Append());
          std::vector<std::string_view> keys;
          for (std::string_view entry : cache->pair->Split(a[0].Str(i), 0)) {
            const auto kv = cache->key_value->Split(entry, 2);
            for (std::string_view seen : keys) {
              if (seen == kv[0]) {
                return UserError(
                    "DUPLICATED_MAP_KEY",
                    "Duplicate map key " + std::string(kv[0]) +
                        " was found, please check the input data. If you want to remove "
                        "the duplicated keys, you can set \"spark.sql.mapKeyDedupPolicy\" "
                        "to \"LAST_WIN\" so that the key inserted at last takes "
                        "precedence.");
              }
            }
            keys.push_back(kv[0]);
            RETURN_NOT_OK(kb->Append(kv[0]));
            RETURN_NOT_OK(kv.size() > 1 ? vb->Append(kv[1]) : vb->AppendNull());
          }
          return Status::OK();
        });
    return body->Execute(args, length, ctx);
  });
  return b;
}

// Decodes one code point at `i` (advancing it); invalid bytes decode as themselves.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  const unsigned char c = static_cast<unsigned char>(s[*i]);
  size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (*i + n > s.size()) n = 1;
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  *i += n;
  return cp;
}

locale_t MaskLocale() {
  static locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return loc;
}

// mask(str, upper, lower, digit, other): each replacement is one character, or NULL to keep
// that class of characters.
std::string Mask(std::string_view s, const std::optional<std::string>* repl) {
  std::string out;
  out.reserve(s.size());
  locale_t loc = MaskLocale();
  for (size_t i = 0; i < s.size();) {
    const size_t begin = i;
    const uint32_t cp = NextCodePoint(s, &i);
    int cls;
    if (cp < 0x80) {
      cls = std::isupper(static_cast<int>(cp))   ? 0
            : std::islower(static_cast<int>(cp)) ? 1
            : std::isdigit(static_cast<int>(cp)) ? 2
                                                 : 3;
    } else if (loc && iswupper_l(static_cast<wint_t>(cp), loc)) {
      cls = 0;
    } else if (loc && iswlower_l(static_cast<wint_t>(cp), loc)) {
      cls = 1;
    } else {
      cls = 3;
    }
    if (repl[cls]) {
      out += *repl[cls];
    } else {
      out.append(s.substr(begin, i - begin));
    }
  }
  return out;
}

Result<BoundScalar> BindMask(const std::string& name, const std::vector<TypePtr>& args,
                             const std::vector<arrow::Datum>& constants) {
  if (args.empty() || args.size() > 5) return WrongNumArgs(name, "[1, 2, 3, 4, 5]", args.size());
  static const char* kDefaults[] = {"X", "x", "n", nullptr};
  static const char* kNames[] = {"upperChar", "lowerChar", "digitChar", "otherChar"};
  auto repl = std::make_shared<std::array<std::optional<std::string>, 4>>();
  for (size_t k = 0; k < 4; ++k) {
    if (kDefaults[k]) (*repl)[k] = kDefaults[k];
  }
  BoundScalar b;
  b.name = name;
  for (size_t k = 0; k < args.size(); ++k) {
    if (!IsStringLike(*args[k]) && !IsNull(*args[k])) {
      return UnexpectedInputType(name, k, "STRING", *args[k], name);
    }
    b.arg_types.push_back(arrow::utf8());
    if (k == 0) continue;
    const auto& c = constants[k];
    if (!c.is_scalar()) {
      return NonFoldableInput(name, kNames[k - 1], "STRING");
    }
    if (!c.scalar()->is_valid) {
      (*repl)[k - 1].reset();
      continue;
    }
    const std::string text(static_cast<const arrow::BaseBinaryScalar&>(*c.scalar()).view());
    size_t pos = 0, chars = 0;
    while (pos < text.size()) {
      NextCodePoint(text, &pos);
      ++chars;
    }
    if (chars != 1) {
      return DataTypeMismatch("INPUT_SIZE_NOT_ONE", "Cannot resolve \"" + name +
                                                        "\" due to data type mismatch: Length "
                                                        "of " +
                                                        std::string(kNames[k - 1]) +
                                                        " should be 1.");
    }
    (*repl)[k - 1] = text;
  }
  b.return_type = arrow::utf8();
  b.kernel = RowKernel(
      arrow::utf8(),
      [repl](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
        if (a[0].IsNull(i)) return out.Null();
        return out.Str(Mask(a[0].Str(i), repl->data()));
      },
      false);
  return b;
}

std::optional<std::string> HexToBinary(std::string_view s) {
  std::string out;
  size_t k = 0;
  if (s.size() % 2 == 1) {
    const int d = HexDigit(s[0]);
    if (d < 0) return std::nullopt;
    out += static_cast<char>(d);
    k = 1;
  }
  for (; k < s.size(); k += 2) {
    const int h = HexDigit(s[k]), l = HexDigit(s[k + 1]);
    if (h < 0 || l < 0) return std::nullopt;
    out += static_cast<char>(h * 16 + l);
  }
  return out;
}

// Base64 with optional padding; whitespace is ignored.
std::optional<std::string> Base64ToBinary(std::string_view s) {
  std::string clean;
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') clean += c;
  }
  size_t pad = 0;
  while (!clean.empty() && clean.back() == '=' && pad < 2) {
    clean.pop_back();
    ++pad;
  }
  if (clean.size() % 4 == 1 || (pad > 0 && (clean.size() + pad) % 4 != 0)) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : clean) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else
      return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

// to_binary(str[, fmt]) / try_to_binary: fmt is a constant 'hex' (default), 'utf-8'/'utf8' or
// 'base64', case-insensitive.
ConstantBinder ToBinaryBinder(bool try_mode) {
  return [try_mode](const std::string& name, const std::vector<TypePtr>& args,
                    const std::vector<arrow::Datum>& constants) -> Result<BoundScalar> {
    if (args.empty() || args.size() > 2) return WrongNumArgs(name, "[1, 2]", args.size());
    BoundScalar b;
    b.name = name;
    RETURN_NOT_OK(RequireStringArgs(name, args, args.size(), &b.arg_types));
    b.return_type = arrow::binary();
    std::optional<std::string> format = std::string("hex");
    bool bad_format = false;
    if (args.size() == 2) {
      const auto& c = constants[1];
      if (!c.is_scalar()) {
        return NonFoldableInput(name, "fmt", "STRING");
      }
      if (!c.scalar()->is_valid) {
        format.reset();
      } else {
        format = ToLowerAscii(static_cast<const arrow::BaseBinaryScalar&>(*c.scalar()).view());
        if (*format != "hex" && *format != "utf-8" && *format != "utf8" && *format != "base64") {
          if (!try_mode) {
            return DataTypeMismatch(
                "INVALID_ARG_VALUE",
                "Cannot resolve \"" + name +
                    "\" due to data type mismatch: "
                    "The fmt value must be a case-insensitive string literal of "
                    "'base64', 'hex', 'utf-8', 'utf8', but got '" +
                    *format + "'.");
          }
          bad_format = true;
        }
      }
    }
    b.kernel = RowKernel(
        arrow::binary(),
        [format, bad_format, try_mode](const S& a, int64_t i, OutBuilder& out,
                                       const EvalContext&) -> Status {
          if (!format || bad_format || a[0].IsNull(i)) return out.Null();
          const std::string_view text = a[0].Str(i);
          if (*format == "utf-8" || *format == "utf8") return out.Str(text);
          auto bytes = *format == "hex" ? HexToBinary(text) : Base64ToBinary(text);
          if (bytes) return out.Str(*bytes);
          if (try_mode) return out.Null();
          return UserError(
              "CONVERSION_INVALID_INPUT",
              "The value '" + std::string(text) +
                  "' (\"STRING\") cannot be converted to "
                  "\"BINARY\" because it is malformed. Correct the value as per the syntax, "
                  "or change its format. Use `try_to_binary` to tolerate malformed input "
                  "and return NULL instead.");
        },
        false);
    return b;
  };
}

}  // namespace

void RegisterMoreStringFunctions(FunctionTable* table) {
  const TypePtr s = arrow::utf8();
  // The part number is an INT; a BIGINT argument is cast to it (CAST_OVERFLOW when too large).
  table->AddFixed("split_part", {s, s, arrow::int64()}, s,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                    const int64_t part = a[2].Int(i);
                    if (part < INT32_MIN || part > INT32_MAX) {
                      return UserError("CAST_OVERFLOW",
                                       "The value " + std::to_string(part) +
                                           "L of the type \"BIGINT\" cannot be cast to \"INT\" "
                                           "due to an overflow. Use `try_cast` to tolerate "
                                           "overflow and return NULL instead.");
                    }
                    return SplitPart(a[0].Str(i), a[1].Str(i), part, out);
                  });
  table->AddScalar("overlay", BindOverlay);
  table->AddFixed("is_valid_utf8", {s}, arrow::boolean(),
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    return out.Bool(IsValidUtf8(a[0].Str(i)));
                  });
  table->AddFixed("make_valid_utf8", {s}, s,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    return out.Str(MakeValidUtf8(a[0].Str(i)));
                  });
  table->AddFixed("validate_utf8", {s}, s,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                    if (!IsValidUtf8(a[0].Str(i))) {
                      return UserError("INVALID_UTF8_STRING",
                                       "Invalid UTF8 byte sequence found in string: " +
                                           HexBytes(a[0].Str(i)) + ".");
                    }
                    return out.Str(a[0].Str(i));
                  });
  table->AddFixed("try_validate_utf8", {s}, s,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    if (!IsValidUtf8(a[0].Str(i))) return out.Null();
                    return out.Str(a[0].Str(i));
                  });
  table->AddFixed("luhn_check", {s}, arrow::boolean(),
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    return out.Bool(LuhnCheck(a[0].Str(i)));
                  });
  table->AddFixed("soundex", {s}, s,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    return out.Str(Soundex(a[0].Str(i)));
                  });
  table->AddFixed("quote", {s}, s, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    std::string q = "'";
    for (char c : a[0].Str(i)) {
      if (c == '\'') q += '\\';
      q += c;
    }
    return out.Str(q + "'");
  });
  table->AddScalar("elt", BindElt);
  table->AddFixed("url_encode", {s}, s,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    return out.Str(UrlEncode(a[0].Str(i)));
                  });
  auto url_decode = [](bool try_mode) {
    return [try_mode](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
      auto decoded = UrlDecode(a[0].Str(i));
      if (decoded) return out.Str(*decoded);
      if (try_mode) return out.Null();
      return UserError("CANNOT_DECODE_URL",
                       "The provided URL cannot be decoded: " + std::string(a[0].Str(i)) +
                           ". Please ensure that the URL is properly formatted and try again.");
    };
  };
  table->AddFixed("url_decode", {s}, s, url_decode(false));
  table->AddFixed("try_url_decode", {s}, s, url_decode(true));
  auto parse_url = [s](bool try_mode) {
    return [s, try_mode](const std::string& name,
                         const std::vector<TypePtr>& args) -> Result<BoundScalar> {
      if (args.size() < 2 || args.size() > 3) return WrongNumArgs(name, "[2, 3]", args.size());
      BoundScalar b;
      b.name = name;
      for (size_t k = 0; k < args.size(); ++k) {
        if (!ImplicitCastTarget(args[k], s))
          return UnexpectedInputType(name, k, "STRING", *args[k], name);
        b.arg_types.push_back(s);
      }
      b.return_type = s;
      b.kernel =
          RowKernel(s, [try_mode](const S& a, int64_t i, OutBuilder& out, const EvalContext& ctx) {
            return ParseUrl(a, i, out, ctx, try_mode);
          });
      return b;
    };
  };
  table->AddScalar("parse_url", parse_url(false));
  table->AddScalar("try_parse_url", parse_url(true));
  table->AddScalar("str_to_map", BindStrToMap);
  table->AddScalarWithConstants("mask", BindMask);
  table->AddScalarWithConstants("to_binary", ToBinaryBinder(false));
  table->AddScalarWithConstants("try_to_binary", ToBinaryBinder(true));
  // Spark prints its release and the commit it was built from; Basin names the Spark release
  // whose behaviour it follows and a fixed build id of the same shape.
  table->AddFixed("version", {}, s, [](const S&, int64_t, OutBuilder& out, const EvalContext&) {
    return out.Str("4.2.0 ba51000000000000000000000000000000000000");
  });
}

}  // namespace basin::function
