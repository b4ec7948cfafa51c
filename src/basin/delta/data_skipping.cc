#include "basin/delta/data_skipping.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cctype>
#include <regex>

#include <nlohmann/json.hpp>

namespace basin::delta {

namespace {

using nlohmann::json;

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Compares a statistic with the literal: numbers numerically, everything else as text.
// Returns <0, 0, >0, or nullopt when they cannot be compared.
std::optional<int> Compare(const json& stat, const SkippingPredicate::Condition& c) {
  if (stat.is_number() && !c.literal_is_string) {
    // Integers compare exactly (a double holds only 53 bits).
    if (stat.is_number_integer() && c.literal.find_first_of(".eE") == std::string::npos) {
      int64_t b = 0;
      auto [end, error] = std::from_chars(c.literal.data(), c.literal.data() + c.literal.size(), b);
      if (error == std::errc() && end == c.literal.data() + c.literal.size()) {
        if (stat.is_number_unsigned()) {
          uint64_t a = stat.get<uint64_t>();
          if (b < 0) return 1;
          return a < static_cast<uint64_t>(b) ? -1 : a > static_cast<uint64_t>(b) ? 1 : 0;
        }
        int64_t a = stat.get<int64_t>();
        return a < b ? -1 : a > b ? 1 : 0;
      }
    }
    try {
      double a = stat.get<double>();
      double b = std::stod(c.literal);
      // Both sides went through a double: a long decimal (delta-spark writes decimal bounds with
      // every digit) or an integer beyond 2^53 may have rounded, so values this close prove
      // nothing about which is larger.
      double scale = std::max(std::fabs(a), std::fabs(b));
      if (std::fabs(a - b) <= scale * 1e-15) return std::nullopt;
      return a < b ? -1 : 1;
    } catch (...) {
      return std::nullopt;
    }
  }
  if (stat.is_string() && c.literal_is_string) {
    const std::string a = stat.get<std::string>();
    // Writers truncate string statistics (delta-spark to 32 characters); a truncated bound
    // proves nothing, so only short ones are used.
    if (a.size() >= 32) return std::nullopt;
    return a < c.literal ? -1 : a > c.literal ? 1 : 0;
  }
  return std::nullopt;
}

const json* Lookup(const json& object, const std::string& column) {
  if (!object.is_object()) return nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (Lower(it.key()) == Lower(column)) return &*it;
  }
  return nullptr;
}

}  // namespace

Result<SkippingPredicate> SkippingPredicate::Parse(std::string_view text) {
  static const std::regex kAnd(R"(\s+AND\s+)", std::regex::icase);
  static const std::regex kNull(R"(^\s*`?([\w.]+)`?\s+IS\s+(NOT\s+)?NULL\s*$)", std::regex::icase);
  static const std::regex kCompare(
      R"(^\s*`?([\w.]+)`?\s*(=|==|!=|<>|<=|>=|<|>)\s*('([^']*)'|-?\d+(\.\d+)?([eE][-+]?\d+)?)\s*$)");
  SkippingPredicate out;
  std::string s(text);
  std::sregex_token_iterator it(s.begin(), s.end(), kAnd, -1), end;
  for (; it != end; ++it) {
    std::string part = *it;
    std::smatch m;
    Condition c;
    if (std::regex_match(part, m, kNull)) {
      c.column = m[1];
      c.op = m[2].matched ? "IS NOT NULL" : "IS NULL";
    } else if (std::regex_match(part, m, kCompare)) {
      c.column = m[1];
      c.op = m[2] == "==" ? "=" : m[2] == "<>" ? "!=" : std::string(m[2]);
      c.literal_is_string = m[4].matched;
      c.literal = c.literal_is_string ? std::string(m[4]) : std::string(m[3]);
    } else {
      return UserError("INVALID_PARAMETER_VALUE",
                       "Cannot use '" + part + "' to skip files: use column comparisons with "
                       "literals and IS [NOT] NULL, joined by AND.");
    }
    out.conditions_.push_back(std::move(c));
  }
  return out;
}

bool SkippingPredicate::MayMatch(const Snapshot& snapshot, const AddFile& file) const {
  json stats;
  if (file.stats) {
    stats = json::parse(*file.stats, nullptr, false);
  } else if (file.stats_parsed) {
    stats = *file.stats_parsed;
  }
  const auto& partitions = snapshot.metadata().partition_columns;
  for (const auto& c : conditions_) {
    bool is_partition = std::any_of(partitions.begin(), partitions.end(), [&](const auto& p) {
      return Lower(p) == Lower(c.column);
    });
    if (is_partition) {
      std::optional<std::string> value;
      for (const auto& [k, v] : file.partition_values) {
        if (Lower(k) == Lower(c.column)) value = v;
      }
      bool null = !value.has_value() || (value->empty() && !c.literal_is_string);
      if (c.op == "IS NULL") {
        if (!null) return false;
        continue;
      }
      if (c.op == "IS NOT NULL") {
        if (null) return false;
        continue;
      }
      if (null) return false;  // a comparison with null is never true
      json as_json = c.literal_is_string ? json(*value) : json::parse(*value, nullptr, false);
      if (as_json.is_discarded()) continue;
      auto cmp = Compare(as_json, c);
      if (!cmp) continue;
      bool ok = c.op == "=" ? *cmp == 0 : c.op == "!=" ? *cmp != 0 : c.op == "<" ? *cmp < 0
              : c.op == "<=" ? *cmp <= 0 : c.op == ">" ? *cmp > 0 : *cmp >= 0;
      if (!ok) return false;
      continue;
    }
    if (!stats.is_object()) continue;
    const json* num_records = Lookup(stats, "numRecords");
    const json* null_count = stats.contains("nullCount") ? Lookup(stats["nullCount"], c.column) : nullptr;
    if (c.op == "IS NULL") {
      if (null_count && null_count->is_number() && null_count->get<int64_t>() == 0) return false;
      continue;
    }
    if (c.op == "IS NOT NULL") {
      if (null_count && num_records && null_count->is_number() && num_records->is_number() &&
          null_count->get<int64_t>() == num_records->get<int64_t>()) {
        return false;
      }
      continue;
    }
    const json* min = stats.contains("minValues") ? Lookup(stats["minValues"], c.column) : nullptr;
    const json* max = stats.contains("maxValues") ? Lookup(stats["maxValues"], c.column) : nullptr;
    // A column whose every value is null matches no comparison.
    if (null_count && num_records && null_count->is_number() && num_records->is_number() &&
        null_count->get<int64_t>() == num_records->get<int64_t>() && num_records->get<int64_t>() > 0) {
      return false;
    }
    std::optional<int> vs_min = min ? Compare(*min, c) : std::nullopt;
    std::optional<int> vs_max = max ? Compare(*max, c) : std::nullopt;
    if (c.op == "=" && ((vs_min && *vs_min > 0) || (vs_max && *vs_max < 0))) return false;
    if (c.op == "<" && vs_min && *vs_min >= 0) return false;
    if (c.op == "<=" && vs_min && *vs_min > 0) return false;
    if (c.op == ">" && vs_max && *vs_max <= 0) return false;
    if (c.op == ">=" && vs_max && *vs_max < 0) return false;
    if (c.op == "!=" && vs_min && vs_max && *vs_min == 0 && *vs_max == 0) return false;
  }
  return true;
}

Result<std::vector<AddFile>> SkipFiles(const Snapshot& snapshot, std::string_view predicate) {
  ASSIGN_OR_RAISE(auto parsed, SkippingPredicate::Parse(predicate));
  std::vector<AddFile> kept;
  for (const auto& file : snapshot.files()) {
    if (parsed.MayMatch(snapshot, file)) kept.push_back(file);
  }
  return kept;
}

}  // namespace basin::delta
