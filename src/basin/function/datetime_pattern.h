#pragma once

// Spark's datetime patterns (DateTimeFormatter letters: yyyy-MM-dd HH:mm:ss.SSS, E, a, XXX, ...)
// for date_format, to_timestamp, unix_timestamp and from_unixtime.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basin/base/status.h"

namespace basin::function {

/// A compiled datetime pattern.
class DatetimePattern {
 public:
  /// Compiles `pattern`; unknown letters give INVALID_DATETIME_PATTERN... as Spark reports.
  static Result<DatetimePattern> Compile(std::string_view pattern);
  /// Formats local wall-clock micros; `offset_seconds` and `zone_id` feed the zone letters.
  std::string Format(int64_t local_micros, int64_t offset_seconds, const std::string& zone_id) const;
  /// Parses `text` fully. Returns local wall-clock micros, and sets *offset_seconds when the text
  /// carries an offset (else leaves it empty).
  std::optional<int64_t> Parse(std::string_view text, std::optional<int64_t>* offset_seconds) const;

 private:
  struct Token {
    char letter = 0;  // 0 for a literal
    int count = 0;
    std::string literal;
  };
  std::vector<Token> tokens_;
};

}  // namespace basin::function
