// json_array_length and json_object_keys: the shape of the first JSON value in a string (text
// after it is ignored, as Jackson stops there); invalid JSON gives NULL.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basin/function/kernel_support.h"

namespace basin::function {

namespace {

using S = std::vector<ArgReader>;

// A strict JSON reader that validates and skips values.
class JsonScanner {
 public:
  explicit JsonScanner(std::string_view text) : s_(text) {}

  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Peek(char c) {
    SkipSpace();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  bool Eat(char c) {
    if (!Peek(c)) return false;
    ++pos_;
    return true;
  }

  /// Reads a string value (after optional space), decoding escapes into `out`.
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        if (out) *out += c;
        continue;
      }
      if (pos_ >= s_.size()) return false;
      const char e = s_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          if (out) *out += e;
          break;
        case 'b':
          if (out) *out += '\b';
          break;
        case 'f':
          if (out) *out += '\f';
          break;
        case 'n':
          if (out) *out += '\n';
          break;
        case 'r':
          if (out) *out += '\r';
          break;
        case 't':
          if (out) *out += '\t';
          break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && pos_ + 1 < s_.size() && s_[pos_] == '\\' &&
              s_[pos_ + 1] == 'u') {
            pos_ += 2;
            uint32_t low;
            if (!Hex4(&low)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          if (out) AppendUtf8(cp, out);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  /// Validates and skips one value.
  bool Value(int depth = 0) {
    if (depth > 1000) return false;
    SkipSpace();
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '"') return String(nullptr);
    if (c == '{') {
      ++pos_;
      if (Eat('}')) return true;
      do {
        if (!String(nullptr) || !Eat(':') || !Value(depth + 1)) return false;
      } while (Eat(','));
      return Eat('}');
    }
    if (c == '[') {
      ++pos_;
      if (Eat(']')) return true;
      do {
        if (!Value(depth + 1)) return false;
      } while (Eat(','));
      return Eat(']');
    }
    for (std::string_view word : {"true", "false", "null"}) {
      if (s_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return !IsWordChar();
      }
    }
    return Number();
  }

 private:
  bool IsWordChar() const {
    return pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_');
  }
  bool Number() {
    const size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_]))) return false;
    if (s_[pos_] == '0' && pos_ + 1 < s_.size() &&
        std::isdigit(static_cast<unsigned char>(s_[pos_ + 1]))) {
      return false;
    }
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (pos_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_]))) return false;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (pos_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_]))) return false;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    return pos_ > start && !IsWordChar();
  }
  bool Hex4(uint32_t* cp) {
    if (pos_ + 4 > s_.size()) return false;
    *cp = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = s_[pos_++];
      int d = h >= '0' && h <= '9'   ? h - '0'
              : h >= 'a' && h <= 'f' ? h - 'a' + 10
              : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                     : -1;
      if (d < 0) return false;
      *cp = *cp * 16 + static_cast<uint32_t>(d);
    }
    return true;
  }
  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xF0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// Returns the number of elements of a top-level JSON array, or nullopt.
std::optional<int64_t> ArrayLength(std::string_view text) {
  JsonScanner scan(text);
  if (!scan.Eat('[')) return std::nullopt;
  int64_t n = 0;
  if (scan.Eat(']')) return 0;
  do {
    if (!scan.Value()) return std::nullopt;
    ++n;
  } while (scan.Eat(','));
  if (!scan.Eat(']')) return std::nullopt;
  return n;
}

// Returns the keys of a top-level JSON object in order, or nullopt.
std::optional<std::vector<std::string>> ObjectKeys(std::string_view text) {
  JsonScanner scan(text);
  if (!scan.Eat('{')) return std::nullopt;
  std::vector<std::string> keys;
  if (scan.Eat('}')) return keys;
  do {
    std::string key;
    if (!scan.String(&key) || !scan.Eat(':') || !scan.Value()) return std::nullopt;
    keys.push_back(std::move(key));
  } while (scan.Eat(','));
  if (!scan.Eat('}')) return std::nullopt;
  return keys;
}

}  // namespace

void RegisterMoreJsonFunctions(FunctionTable* table) {
  table->AddFixed("json_array_length", {arrow::utf8()}, arrow::int32(),
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    auto n = ArrayLength(a[0].Str(i));
                    return n ? out.Int(*n) : out.Null();
                  });
  const TypePtr keys_type = arrow::list(arrow::utf8());
  table->AddFixed("json_object_keys", {arrow::utf8()}, keys_type,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                    auto keys = ObjectKeys(a[0].Str(i));
                    if (!keys) return out.Null();
                    auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
                    auto* vb = static_cast<arrow::StringBuilder*>(lb->value_builder());
                    RETURN_NOT_OK(lb->Append());
                    for (const auto& k : *keys) RETURN_NOT_OK(vb->Append(k));
                    return Status::OK();
                  });
}

}  // namespace basin::function
