#include "basin/function/datetime_pattern.h"

#include <cctype>
#include <cstdio>

#include "basin/function/kernel_support.h"
#include "basin/types/civil_time.h"

namespace basin::function {

namespace {
const char* kMonthShort[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char* kMonthLong[] = {"January", "February", "March",     "April",   "May",      "June",
                            "July",    "August",   "September", "October", "November", "December"};
const char* kDayShort[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
const char* kDayLong[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                          "Friday", "Saturday", "Sunday"};

std::string Padded(int64_t v, int width) {
  std::string s = std::to_string(v < 0 ? -v : v);
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<size_t>(width) - s.size(), '0');
  return v < 0 ? "-" + s : s;
}

std::string OffsetText(int64_t off, bool colon, bool z_for_zero, bool with_minutes_always) {
  if (off == 0 && z_for_zero) return "Z";
  const char sign = off < 0 ? '-' : '+';
  const int64_t a = off < 0 ? -off : off;
  const int64_t h = a / 3600, m = (a / 60) % 60;
  std::string s(1, sign);
  s += Padded(h, 2);
  if (with_minutes_always || m != 0) {
    if (colon) s += ":";
    s += Padded(m, 2);
  }
  return s;
}

bool IsPatternLetter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
}  // namespace

Result<DatetimePattern> DatetimePattern::Compile(std::string_view pattern) {
  DatetimePattern p;
  for (size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '\'') {
      size_t j = i + 1;
      std::string lit;
      while (j < pattern.size()) {
        if (pattern[j] == '\'') {
          if (j + 1 < pattern.size() && pattern[j + 1] == '\'') {
            lit.push_back('\'');
            j += 2;
            continue;
          }
          break;
        }
        lit.push_back(pattern[j]);
        ++j;
      }
      if (j == i + 1 && lit.empty()) lit = "'";
      p.tokens_.push_back({0, 0, lit});
      i = j + 1;
      continue;
    }
    if (c == '[' || c == ']') {
      ++i;
      continue;
    }
    if (IsPatternLetter(c)) {
      size_t j = i;
      while (j < pattern.size() && pattern[j] == c) ++j;
      const int count = static_cast<int>(j - i);
      if (std::string_view("GyYuMLdDQqEeaHhKkmsSzZXxVOnA").find(c) == std::string_view::npos ||
          (c == 'Y' || c == 'w' || c == 'W' || c == 'u' || c == 'e')) {
        return UserError(
            "INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_PATTERN_RECOGNITION",
            "You may get a "
            "different result due to the upgrading to Spark >= 3.0: Fail to recognize '" +
                std::string(pattern) +
                "' pattern in the DateTimeFormatter. 1) You can set \"spark.sql.legacy.timeParserPolicy\" "
                "to \"LEGACY\" to restore the behavior before Spark 3.0. 2) You can form a valid "
                "datetime pattern with the guide from "
                "'https://spark.apache.org/docs/latest/sql-ref-datetime-pattern.html'.");
      }
      p.tokens_.push_back({c, count, {}});
      i = j;
      continue;
    }
    p.tokens_.push_back({0, 0, std::string(1, c)});
    ++i;
  }
  return p;
}

std::string DatetimePattern::Format(int64_t local_micros, int64_t offset_seconds,
                                    const std::string& zone_id) const {
  const int64_t days = FloorDiv(local_micros, kMicrosPerDay);
  const int64_t tod = FloorMod(local_micros, kMicrosPerDay);
  int64_t year;
  unsigned month, day;
  types::CivilFromDays(days, &year, &month, &day);
  const int64_t hour = tod / 3600000000LL, minute = (tod / 60000000LL) % 60,
                second = (tod / 1000000LL) % 60, micros = tod % 1000000LL;
  const int64_t weekday = FloorMod(days + 3, 7);  // 0 = Monday
  std::string out;
  for (const auto& t : tokens_) {
    if (t.letter == 0) {
      out += t.literal;
      continue;
    }
    switch (t.letter) {
      case 'G':
        out += year > 0 ? "AD" : "BC";
        break;
      case 'y':
      case 'u':
        if (t.count == 2) {
          out += Padded(FloorMod(year, 100), 2);
        } else {
          out += Padded(year, t.count);
        }
        break;
      case 'M':
      case 'L':
        if (t.count >= 4) {
          out += kMonthLong[month - 1];
        } else if (t.count == 3) {
          out += kMonthShort[month - 1];
        } else {
          out += Padded(month, t.count);
        }
        break;
      case 'd':
        out += Padded(day, t.count);
        break;
      case 'D':
        out += Padded(days - types::DaysFromCivil(year, 1, 1) + 1, t.count);
        break;
      case 'Q':
      case 'q':
        out += Padded((month - 1) / 3 + 1, t.count);
        break;
      case 'E':
        out += t.count >= 4 ? kDayLong[weekday] : kDayShort[weekday];
        break;
      case 'a':
        out += hour < 12 ? "AM" : "PM";
        break;
      case 'H':
        out += Padded(hour, t.count);
        break;
      case 'k':
        out += Padded(hour == 0 ? 24 : hour, t.count);
        break;
      case 'h':
        out += Padded(hour % 12 == 0 ? 12 : hour % 12, t.count);
        break;
      case 'K':
        out += Padded(hour % 12, t.count);
        break;
      case 'm':
        out += Padded(minute, t.count);
        break;
      case 's':
        out += Padded(second, t.count);
        break;
      case 'S': {
        std::string f = Padded(micros, 6);
        if (t.count <= 6) {
          out += f.substr(0, static_cast<size_t>(t.count));
        } else {
          out += f + std::string(static_cast<size_t>(t.count - 6), '0');
        }
        break;
      }
      case 'n':
        out += std::to_string(micros * 1000);
        break;
      case 'A':
        out += std::to_string(tod / 1000);
        break;
      case 'X':
        out += OffsetText(offset_seconds, t.count >= 3, true, t.count >= 2);
        break;
      case 'x':
        out += OffsetText(offset_seconds, t.count >= 3, false, t.count >= 2);
        break;
      case 'Z':
        out += t.count >= 4 ? (offset_seconds == 0 ? "GMT" : "GMT" + OffsetText(offset_seconds, true, false, true))
                            : OffsetText(offset_seconds, false, false, true);
        break;
      case 'O':
        out += offset_seconds == 0 ? "GMT" : "GMT" + OffsetText(offset_seconds, true, false, false);
        break;
      case 'V':
      case 'z':
        out += zone_id.empty() ? "UTC" : zone_id;
        break;
      default:
        break;
    }
  }
  return out;
}

std::optional<int64_t> DatetimePattern::Parse(std::string_view text,
                                              std::optional<int64_t>* offset_seconds) const {
  int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0;
  int64_t day_of_year = -1;
  bool pm = false, has_ampm = false, hour12 = false;
  std::string zone_for_parse;
  size_t pos = 0;
  auto number = [&](int min_digits, int max_digits, int64_t* out) {
    size_t start = pos;
    int64_t v = 0;
    while (pos < text.size() && static_cast<int>(pos - start) < max_digits &&
           std::isdigit(static_cast<unsigned char>(text[pos]))) {
      v = v * 10 + (text[pos] - '0');
      ++pos;
    }
    if (static_cast<int>(pos - start) < min_digits) return false;
    *out = v;
    return true;
  };
  auto match_name = [&](const char* const* names, int n, int64_t* out) {
    for (int k = 0; k < n; ++k) {
      const size_t len = std::char_traits<char>::length(names[k]);
      if (text.size() - pos >= len && ToLowerAscii(text.substr(pos, len)) == ToLowerAscii(names[k])) {
        *out = k;
        pos += len;
        return true;
      }
    }
    return false;
  };
  for (size_t ti = 0; ti < tokens_.size(); ++ti) {
    const auto& t = tokens_[ti];
    // Adjacent numeric fields (e.g. "yyyyMMdd") take exactly their width.
    const bool next_is_numeric = ti + 1 < tokens_.size() && tokens_[ti + 1].letter != 0 &&
                                 std::string_view("yMdHhmsSkK").find(tokens_[ti + 1].letter) !=
                                     std::string_view::npos;
    if (t.letter == 0) {
      if (text.substr(pos, t.literal.size()) != t.literal) return std::nullopt;
      pos += t.literal.size();
      continue;
    }
    switch (t.letter) {
      case 'y':
      case 'u': {
        int64_t sign = 1;
        if (pos < text.size() && (text[pos] == '-' || text[pos] == '+') && t.count != 2) {
          sign = text[pos] == '-' ? -1 : 1;
          ++pos;
        }
        if (t.count == 2) {
          if (!number(2, 2, &year)) return std::nullopt;
          year += 2000;
        } else {
          if (!number(t.count, next_is_numeric ? std::max(t.count, 4) : 9, &year)) return std::nullopt;
          year *= sign;
        }
        break;
      }
      case 'M':
      case 'L':
        if (t.count >= 4) {
          if (!match_name(kMonthLong, 12, &month)) return std::nullopt;
          ++month;
        } else if (t.count == 3) {
          if (!match_name(kMonthShort, 12, &month)) return std::nullopt;
          ++month;
        } else if (!number(t.count, t.count == 1 ? (next_is_numeric ? 1 : 2) : 2, &month)) {
          return std::nullopt;
        }
        break;
      case 'd':
        if (!number(t.count, t.count == 1 && !next_is_numeric ? 2 : t.count == 1 ? 1 : 2, &day)) {
          return std::nullopt;
        }
        break;
      case 'D':
        if (!number(t.count, 3, &day_of_year)) return std::nullopt;
        break;
      case 'H':
      case 'k':
        if (!number(t.count, t.count == 1 && !next_is_numeric ? 2 : std::max(t.count, 1), &hour)) {
          return std::nullopt;
        }
        if (t.letter == 'k' && hour == 24) hour = 0;
        break;
      case 'h':
      case 'K':
        if (!number(t.count, t.count == 1 && !next_is_numeric ? 2 : std::max(t.count, 1), &hour)) {
          return std::nullopt;
        }
        hour12 = true;
        break;
      case 'm':
        if (!number(t.count, t.count == 1 && !next_is_numeric ? 2 : std::max(t.count, 1), &minute)) {
          return std::nullopt;
        }
        break;
      case 's':
        if (!number(t.count, t.count == 1 && !next_is_numeric ? 2 : std::max(t.count, 1), &second)) {
          return std::nullopt;
        }
        break;
      case 'S': {
        const size_t start = pos;
        int64_t v = 0;
        if (!number(1, t.count, &v)) return std::nullopt;
        int digits = static_cast<int>(pos - start);
        while (digits < 6) {
          v *= 10;
          ++digits;
        }
        while (digits > 6) {
          v /= 10;
          --digits;
        }
        micros = v;
        break;
      }
      case 'a': {
        int64_t k;
        static const char* kAmPm[] = {"AM", "PM"};
        if (!match_name(kAmPm, 2, &k)) return std::nullopt;
        pm = k == 1;
        has_ampm = true;
        break;
      }
      case 'E': {
        int64_t k;
        if (!match_name(t.count >= 4 ? kDayLong : kDayShort, 7, &k)) return std::nullopt;
        break;
      }
      case 'X':
      case 'x':
      case 'Z':
      case 'O': {
        if (pos < text.size() && text[pos] == 'Z' && t.letter == 'X') {
          ++pos;
          *offset_seconds = 0;
          break;
        }
        if (text.substr(pos, 3) == "GMT" || text.substr(pos, 3) == "UTC") pos += 3;
        if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) {
          if (t.letter == 'O' || t.letter == 'Z') {
            *offset_seconds = 0;
            break;
          }
          return std::nullopt;
        }
        const int64_t sign = text[pos] == '-' ? -1 : 1;
        ++pos;
        int64_t h = 0, m = 0;
        if (!number(1, 2, &h)) return std::nullopt;
        if (pos < text.size() && text[pos] == ':') ++pos;
        number(0, 2, &m);
        *offset_seconds = sign * (h * 3600 + m * 60);
        break;
      }
      case 'V':
      case 'z': {
        size_t start = pos;
        while (pos < text.size() && !std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
        std::string zone(text.substr(start, pos - start));
        auto off = ZoneOffsetSeconds(0, zone);
        if (!off.ok()) return std::nullopt;
        // Resolve the offset at the parsed local time below.
        *offset_seconds = INT64_MIN;
        zone_for_parse = zone;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  if (pos != text.size()) return std::nullopt;
  if (hour12) {
    if (hour < 1 || hour > 12) {
      if (!(hour == 0)) return std::nullopt;
    }
    hour %= 12;
    if (has_ampm && pm) hour += 12;
  }
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  int64_t days;
  if (day_of_year > 0) {
    days = types::DaysFromCivil(year, 1, 1) + day_of_year - 1;
  } else {
    static const int kDim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int dim = kDim[month - 1];
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) dim = 29;
    if (day < 1 || day > dim) return std::nullopt;
    days = types::DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  }
  int64_t local = days * kMicrosPerDay + (hour * 3600 + minute * 60 + second) * kMicrosPerSecond +
                  micros;
  if (offset_seconds->has_value() && **offset_seconds == INT64_MIN) {
    auto utc = FromLocal(local, zone_for_parse);
    if (!utc.ok()) return std::nullopt;
    *offset_seconds = (local - *utc) / kMicrosPerSecond;
  }
  return local;
}

}  // namespace basin::function
