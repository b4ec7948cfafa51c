// encode(str, charset) and decode(bin, charset): strings to and from the bytes of one of the
// charsets Spark 4 allows (spark.sql.legacy.javaCharsets off), failing on characters or bytes
// the charset cannot represent (spark.sql.legacy.codingErrorAction off).

#include <optional>
#include <string>
#include <string_view>

#include "basin/function/kernel_support.h"

namespace basin::function {
namespace {

using S = std::vector<ArgReader>;

enum class Charset { kUtf8, kUsAscii, kIso88591, kUtf16, kUtf16Be, kUtf16Le, kUtf32 };

struct CharsetName {
  const char* lower;
  const char* canonical;
  Charset charset;
};

// Sorted by `lower`, the order Spark's error message lists them in.
constexpr CharsetName kCharsets[] = {
    {"iso-8859-1", "ISO-8859-1", Charset::kIso88591}, {"us-ascii", "US-ASCII", Charset::kUsAscii},
    {"utf-16", "UTF-16", Charset::kUtf16},            {"utf-16be", "UTF-16BE", Charset::kUtf16Be},
    {"utf-16le", "UTF-16LE", Charset::kUtf16Le},      {"utf-32", "UTF-32", Charset::kUtf32},
    {"utf-8", "UTF-8", Charset::kUtf8}};

Result<const CharsetName*> FindCharset(std::string_view name, const std::string& function) {
  const std::string lower = ToLowerAscii(name);
  for (const auto& c : kCharsets) {
    if (lower == c.lower) return &c;
  }
  std::string expected;
  for (const auto& c : kCharsets) expected += (expected.empty() ? "" : ", ") + std::string(c.lower);
  return UserError("INVALID_PARAMETER_VALUE.CHARSET",
                   "The value of parameter(s) `charset` in `" + function +
                       "` is invalid: expects one of the " + expected + ", but got " +
                       std::string(name) + ".");
}

Status Malformed(const std::string& function, const CharsetName& charset) {
  return UserError("MALFORMED_CHARACTER_CODING", "Invalid value found when performing `" +
                                                     function + "` with " + charset.canonical);
}

// Reads the next code point of UTF-8 text at `pos`; nullopt on a malformed sequence.
std::optional<uint32_t> NextUtf8(std::string_view s, size_t* pos) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(*pos);
  int extra = 0;
  uint32_t cp = 0;
  if (b0 < 0x80) {
    cp = b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    extra = 1;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3;
    cp = b0 & 0x07;
  } else {
    return std::nullopt;
  }
  if (*pos + static_cast<size_t>(extra) >= s.size()) return std::nullopt;
  for (int k = 1; k <= extra; ++k) {
    const unsigned char b = byte(*pos + k);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are malformed.
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return std::nullopt;
  *pos += static_cast<size_t>(extra) + 1;
  return cp;
}

void AppendUnit16(uint16_t unit, bool big_endian, std::string* out) {
  const char hi = static_cast<char>(unit >> 8);
  const char lo = static_cast<char>(unit & 0xFF);
  out->push_back(big_endian ? hi : lo);
  out->push_back(big_endian ? lo : hi);
}

Result<std::string> Encode(std::string_view text, const CharsetName& charset) {
  std::string out;
  out.reserve(text.size());
  if (charset.charset == Charset::kUtf16) AppendUnit16(0xFEFF, true, &out);  // Java writes a BOM
  size_t pos = 0;
  while (pos < text.size()) {
    auto cp = NextUtf8(text, &pos);
    if (!cp) return Malformed("encode", charset);
    switch (charset.charset) {
      case Charset::kUtf8: AppendUtf8(*cp, &out); break;
      case Charset::kUsAscii:
      case Charset::kIso88591:
        if (*cp >= (charset.charset == Charset::kUsAscii ? 0x80u : 0x100u)) {
          return Malformed("encode", charset);
        }
        out.push_back(static_cast<char>(*cp));
        break;
      case Charset::kUtf16:
      case Charset::kUtf16Be:
      case Charset::kUtf16Le: {
        const bool be = charset.charset != Charset::kUtf16Le;
        if (*cp >= 0x10000) {
          const uint32_t v = *cp - 0x10000;
          AppendUnit16(static_cast<uint16_t>(0xD800 | (v >> 10)), be, &out);
          AppendUnit16(static_cast<uint16_t>(0xDC00 | (v & 0x3FF)), be, &out);
        } else {
          AppendUnit16(static_cast<uint16_t>(*cp), be, &out);
        }
        break;
      }
      case Charset::kUtf32:
        for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(*cp >> shift));
        break;
    }
  }
  return out;
}

Result<std::string> Decode(std::string_view bytes, const CharsetName& charset) {
  std::string out;
  out.reserve(bytes.size());
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  switch (charset.charset) {
    case Charset::kUtf8: {
      size_t pos = 0;
      while (pos < bytes.size()) {
        if (!NextUtf8(bytes, &pos)) return Malformed("decode", charset);
      }
      return std::string(bytes);
    }
    case Charset::kUsAscii:
    case Charset::kIso88591:
      for (size_t k = 0; k < bytes.size(); ++k) {
        if (charset.charset == Charset::kUsAscii && byte(k) >= 0x80) {
          return Malformed("decode", charset);
        }
        AppendUtf8(byte(k), &out);
      }
      return out;
    case Charset::kUtf16:
    case Charset::kUtf16Be:
    case Charset::kUtf16Le: {
      bool be = charset.charset != Charset::kUtf16Le;
      size_t k = 0;
      if (charset.charset == Charset::kUtf16 && bytes.size() >= 2) {
        // A byte order mark picks the order and is dropped; big-endian without one.
        if (byte(0) == 0xFE && byte(1) == 0xFF) {
          k = 2;
        } else if (byte(0) == 0xFF && byte(1) == 0xFE) {
          be = false;
          k = 2;
        }
      }
      if ((bytes.size() - k) % 2 != 0) return Malformed("decode", charset);
      const auto unit = [&](size_t at) -> uint32_t {
        return be ? (byte(at) << 8) | byte(at + 1) : (byte(at + 1) << 8) | byte(at);
      };
      for (; k < bytes.size(); k += 2) {
        uint32_t u = unit(k);
        if (u >= 0xD800 && u <= 0xDBFF) {
          if (k + 3 >= bytes.size()) return Malformed("decode", charset);
          const uint32_t low = unit(k + 2);
          if (low < 0xDC00 || low > 0xDFFF) return Malformed("decode", charset);
          u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
          k += 2;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
          return Malformed("decode", charset);
        }
        AppendUtf8(u, &out);
      }
      return out;
    }
    case Charset::kUtf32: {
      if (bytes.size() % 4 != 0) return Malformed("decode", charset);
      for (size_t k = 0; k < bytes.size(); k += 4) {
        const uint32_t cp = (byte(k) << 24) | (byte(k + 1) << 16) | (byte(k + 2) << 8) | byte(k + 3);
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return Malformed("decode", charset);
        AppendUtf8(cp, &out);
      }
      return out;
    }
  }
  return out;
}

}  // namespace

void RegisterCharsetFunctions(FunctionTable* table) {
  const TypePtr s = arrow::utf8();
  const TypePtr b = arrow::binary();
  table->AddFixed("encode", {s, s}, b,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                    ASSIGN_OR_RAISE(auto charset, FindCharset(a[1].Str(i), "encode"));
                    ASSIGN_OR_RAISE(auto bytes, Encode(a[0].Str(i), *charset));
                    return out.Str(bytes);
                  });
  table->AddFixed("decode", {b, s}, s,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                    ASSIGN_OR_RAISE(auto charset, FindCharset(a[1].Str(i), "decode"));
                    ASSIGN_OR_RAISE(auto text, Decode(a[0].Str(i), *charset));
                    return out.Str(text);
                  });
}

}  // namespace basin::function
