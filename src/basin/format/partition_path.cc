#include "basin/format/partition_path.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>

#include "basin/types/civil_time.h"

namespace basin::format {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

// Reads a fixed-width number at `pos` of `text`; false when the characters are not digits.
bool Digits(std::string_view text, size_t pos, size_t width, int* out) {
  if (pos + width > text.size() || !AllDigits(text.substr(pos, width))) return false;
  *out = std::atoi(std::string(text.substr(pos, width)).c_str());
  return true;
}

bool ValidDate(int year, int month, int day) {
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  int64_t days =
      types::DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t y = 0;
  unsigned m = 0, d = 0;
  types::CivilFromDays(days, &y, &m, &d);
  return y == year && static_cast<int>(m) == month && static_cast<int>(d) == day;
}

// "yyyy-MM-dd", a real calendar day.
bool IsDate(std::string_view text) {
  int y = 0, m = 0, d = 0;
  return text.size() == 10 && text[4] == '-' && text[7] == '-' && Digits(text, 0, 4, &y) &&
         Digits(text, 5, 2, &m) && Digits(text, 8, 2, &d) && ValidDate(y, m, d);
}

// "yyyy-MM-dd HH:mm:ss" with an optional one-digit fraction (Spark's partition timestamp
// pattern "yyyy-MM-dd HH:mm:ss[.S]").
bool IsTimestamp(std::string_view text) {
  if (text.size() != 19 && text.size() != 21) return false;
  int h = 0, mi = 0, s = 0, f = 0;
  if (!IsDate(text.substr(0, 10)) || text[10] != ' ' || text[13] != ':' || text[16] != ':' ||
      !Digits(text, 11, 2, &h) || !Digits(text, 14, 2, &mi) || !Digits(text, 17, 2, &s) || h > 23 ||
      mi > 59 || s > 59) {
    return false;
  }
  return text.size() == 19 || (text[19] == '.' && Digits(text, 20, 1, &f));
}

// The precision of a decimal literal with no fraction (java.math.BigDecimal with scale <= 0,
// which Spark reads as decimal(precision, 0)), or 0 when `text` is not one.
int IntegralDecimalPrecision(std::string_view text) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  std::string digits;
  size_t fraction = 0;
  bool point = false;
  for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
    if (text[i] == '.' && !point) {
      point = true;
    } else if (std::isdigit(static_cast<unsigned char>(text[i]))) {
      digits.push_back(text[i]);
      if (point) ++fraction;
    } else {
      return 0;
    }
  }
  if (digits.empty()) return 0;
  long exponent = 0;
  if (i < text.size()) {
    std::string_view e = text.substr(i + 1);
    size_t sign = !e.empty() && (e[0] == '+' || e[0] == '-') ? 1 : 0;
    if (!AllDigits(e.substr(sign)) || e.size() - sign > 6) return 0;
    exponent = std::strtol(std::string(e).c_str(), nullptr, 10);
  }
  long scale = static_cast<long>(fraction) - exponent;
  if (scale > 0) return 0;
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 1;
  long precision = static_cast<long>(digits.size() - first) - scale;
  return precision <= 38 ? static_cast<int>(precision) : 0;
}

// What java.lang.Double.parseDouble accepts (decimal forms; hex floats are left out).
bool IsJavaDouble(std::string_view text) {
  std::string_view t = text;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) t.remove_prefix(1);
  if (t == "NaN" || t == "Infinity") return true;
  if (!t.empty() && std::string_view("fFdD").find(t.back()) != std::string_view::npos) {
    t.remove_suffix(1);
  }
  size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++int_digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!AllDigits(t.substr(i))) return false;
    i = t.size();
  }
  return i == t.size();
}

// The type Spark infers for one folder value; null for kDefaultPartitionName.
std::shared_ptr<arrow::DataType> ValueType(const std::optional<std::string>& value) {
  if (!value) return arrow::null();
  const std::string& v = *value;
  std::string_view unsigned_part(v);
  if (!unsigned_part.empty() && (unsigned_part[0] == '+' || unsigned_part[0] == '-')) {
    unsigned_part.remove_prefix(1);
  }
  if (AllDigits(unsigned_part)) {
    errno = 0;
    long long n = std::strtoll(v.c_str(), nullptr, 10);
    if (errno != ERANGE) {
      if (n >= std::numeric_limits<int32_t>::min() && n <= std::numeric_limits<int32_t>::max()) {
        return arrow::int32();
      }
      return arrow::int64();
    }
  }
  if (int precision = IntegralDecimalPrecision(v); precision > 0) {
    return arrow::decimal128(precision, 0);
  }
  if (IsJavaDouble(v)) return arrow::float64();
  if (IsTimestamp(v)) return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  if (IsDate(v)) return arrow::date32();
  return arrow::utf8();
}

int NumericRank(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::INT32:
      return 1;
    case arrow::Type::INT64:
      return 2;
    case arrow::Type::DECIMAL128:
      return 3;
    case arrow::Type::DOUBLE:
      return 4;
    default:
      return 0;
  }
}

// Spark's wider common type of two inferred partition types (TypeCoercion.findWiderCommonType,
// string when there is none).
std::shared_ptr<arrow::DataType> Wider(const std::shared_ptr<arrow::DataType>& a,
                                       const std::shared_ptr<arrow::DataType>& b) {
  if (a->id() == arrow::Type::NA) return b;
  if (b->id() == arrow::Type::NA) return a;
  if (a->Equals(*b)) return a;
  int ra = NumericRank(*a), rb = NumericRank(*b);
  if (ra > 0 && rb > 0) {
    if (ra == 4 || rb == 4) return arrow::float64();
    if (ra == 3 || rb == 3) {
      // An integer type as a decimal: int is decimal(10,0), bigint decimal(20,0).
      auto precision = [](const arrow::DataType& t) {
        if (t.id() == arrow::Type::INT32) return 10;
        if (t.id() == arrow::Type::INT64) return 20;
        return static_cast<const arrow::Decimal128Type&>(t).precision();
      };
      return arrow::decimal128(std::max(precision(*a), precision(*b)), 0);
    }
    return arrow::int64();
  }
  auto is_time = [](const arrow::DataType& t) {
    return t.id() == arrow::Type::DATE32 || t.id() == arrow::Type::TIMESTAMP;
  };
  if (is_time(*a) && is_time(*b)) return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  return arrow::utf8();
}

std::string NameList(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::string EscapePartitionPathName(std::string_view text) {
  static constexpr std::string_view kSpecial = "\"#%'*/:=?\\\x7F{[]^";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 0x01 && c < 0x20) || kSpecial.find(ch) != std::string_view::npos) {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string UnescapePartitionPathName(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 &&
        HexDigit(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string PartitionFolder(const std::vector<std::string>& names,
                            const std::vector<std::optional<std::string>>& values) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& v = i < values.size() ? values[i] : std::nullopt;
    if (i > 0) out.push_back('/');
    out += EscapePartitionPathName(names[i]) + "=" +
           (v && !v->empty() ? EscapePartitionPathName(*v) : std::string(kDefaultPartitionName));
  }
  return out;
}

std::vector<PartitionFolderValue> ParsePartitionFolders(std::string_view relative_path) {
  std::vector<std::string_view> folders;
  size_t start = 0;
  while (true) {
    size_t slash = relative_path.find('/', start);
    if (slash == std::string_view::npos) break;  // the last part is the file name
    if (slash > start) folders.push_back(relative_path.substr(start, slash - start));
    start = slash + 1;
  }
  std::vector<PartitionFolderValue> out;
  for (auto it = folders.rbegin(); it != folders.rend(); ++it) {
    size_t eq = it->find('=');
    if (eq == std::string_view::npos || eq == 0) {
      if (!out.empty()) break;
      continue;
    }
    PartitionFolderValue part;
    part.name = UnescapePartitionPathName(it->substr(0, eq));
    std::string_view raw = it->substr(eq + 1);
    if (raw != kDefaultPartitionName) part.value = UnescapePartitionPathName(raw);
    out.push_back(std::move(part));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::shared_ptr<arrow::DataType> InferPartitionType(
    const std::vector<std::optional<std::string>>& values) {
  std::shared_ptr<arrow::DataType> type = arrow::null();
  for (const auto& v : values) type = Wider(type, ValueType(v));
  return type;
}

Result<std::vector<DiscoveredPartitionColumn>> DiscoverPartitionColumns(
    const std::vector<std::string>& relative_paths) {
  std::vector<std::string> names;
  std::string names_folder;
  std::vector<std::vector<std::optional<std::string>>> values;
  for (const auto& path : relative_paths) {
    auto parts = ParsePartitionFolders(path);
    if (parts.empty()) continue;  // a file outside the partition folders: not read
    std::vector<std::string> these;
    for (const auto& p : parts) these.push_back(p.name);
    std::string folder = path.substr(0, path.find_last_of('/'));
    if (names.empty()) {
      names = these;
      names_folder = folder;
      values.resize(names.size());
    } else if (these != names) {
      return UserError("CONFLICTING_PARTITION_COLUMN_NAMES",
                       "Conflicting partition column names detected:\n\n\tPartition column name "
                       "list #0: " +
                           NameList(names) +
                           "\n\tPartition column name list #1: " + NameList(these) +
                           "\n\nFor partitioned table directories, data files should only live "
                           "in leaf directories.\nAnd directories at the same level should have "
                           "the same partition column name.\nPlease check the following "
                           "directories for unexpected files or inconsistent partition column "
                           "names:\n\n\t" +
                           names_folder + "\n\t" + folder);
    }
    for (size_t i = 0; i < parts.size(); ++i) values[i].push_back(parts[i].value);
  }
  std::vector<DiscoveredPartitionColumn> out;
  for (size_t i = 0; i < names.size(); ++i) {
    out.push_back({names[i], InferPartitionType(values[i])});
  }
  return out;
}

}  // namespace basin::format
