#include "basin/delta/file_stats.h"

#include <cmath>
#include <cstdio>
#include <optional>
#include <string_view>

#include <arrow/array.h>
#include <arrow/chunked_array.h>
#include <arrow/type.h>
#include <arrow/util/decimal.h>
#include <cstdio>
#include <random>

#include "basin/types/civil_time.h"

namespace basin::delta {

namespace {

// Returns the number of bytes of the first `max_chars` UTF-8 characters of `s`.
size_t Utf8PrefixBytes(std::string_view s, int max_chars) {
  size_t pos = 0;
  int chars = 0;
  while (pos < s.size() && chars < max_chars) {
    auto c = static_cast<unsigned char>(s[pos]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    pos = std::min(s.size(), pos + len);
    ++chars;
  }
  return pos;
}

int64_t ToMicros(int64_t value, arrow::TimeUnit::type unit) {
  switch (unit) {
    case arrow::TimeUnit::SECOND: return value * 1'000'000;
    case arrow::TimeUnit::MILLI: return value * 1'000;
    case arrow::TimeUnit::MICRO: return value;
    case arrow::TimeUnit::NANO: return value >= 0 ? value / 1000 : -((-value + 999) / 1000);
  }
  return value;
}

// Formats a timestamp with millisecond precision as delta-spark's statistics do:
// "yyyy-MM-dd'T'HH:mm:ss.SSS" plus "Z" for UTC-adjusted timestamps.
std::string FormatStatsTimestamp(int64_t micros, bool with_zone) {
  int64_t millis = micros >= 0 ? micros / 1000 : -((-micros + 999) / 1000);
  int64_t days = millis >= 0 ? millis / 86'400'000 : -((-millis + 86'399'999) / 86'400'000);
  int64_t ms_of_day = millis - days * 86'400'000;
  int64_t year;
  unsigned month, day;
  types::CivilFromDays(days, &year, &month, &day);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lld%s",
                static_cast<long long>(year), month, day,
                static_cast<long long>(ms_of_day / 3'600'000),
                static_cast<long long>(ms_of_day / 60'000 % 60),
                static_cast<long long>(ms_of_day / 1000 % 60),
                static_cast<long long>(ms_of_day % 1000), with_zone ? "Z" : "");
  return buf;
}

struct MinMax {
  std::optional<nlohmann::json> min;
  std::optional<nlohmann::json> max;
};

// Numbers a double cannot carry exactly (decimals of more than 15 digits) wait here as
// placeholder strings in the JSON tree and are spliced into the dumped text as bare numbers.
class RawNumbers {
 public:
  RawNumbers() {
    std::random_device random;
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%08x%08x", random(), random());
    token_ = buf;
  }
  nlohmann::json Add(std::string number) {
    numbers_.push_back(std::move(number));
    return nlohmann::json("\x01" + token_ + ":" + std::to_string(numbers_.size() - 1));
  }
  std::string Splice(std::string text) const {
    for (size_t i = 0; i < numbers_.size(); ++i) {
      const std::string quoted = "\"\\u0001" + token_ + ":" + std::to_string(i) + "\"";
      for (size_t at = text.find(quoted); at != std::string::npos;
           at = text.find(quoted, at + numbers_[i].size())) {
        text.replace(at, quoted.size(), numbers_[i]);
      }
    }
    return text;
  }

 private:
  std::string token_;
  std::vector<std::string> numbers_;
};

template <typename ArrayType, typename Less, typename ToJson>
MinMax ScanMinMax(const arrow::ChunkedArray& column, Less less, ToJson to_json) {
  using Value = decltype(std::declval<const ArrayType&>().GetView(0));
  std::optional<Value> lo, hi;
  for (const auto& chunk : column.chunks()) {
    const auto& array = static_cast<const ArrayType&>(*chunk);
    for (int64_t i = 0; i < array.length(); ++i) {
      if (array.IsNull(i)) continue;
      Value v = array.GetView(i);
      if constexpr (std::is_floating_point_v<Value>) {
        if (std::isnan(v)) continue;
      }
      if (!lo || less(v, *lo)) lo = v;
      if (!hi || less(*hi, v)) hi = v;
    }
  }
  MinMax out;
  if (lo) out.min = to_json(*lo, false);
  if (hi) out.max = to_json(*hi, true);
  return out;
}

template <typename ArrayType>
MinMax NumericMinMax(const arrow::ChunkedArray& column) {
  return ScanMinMax<ArrayType>(
      column, [](auto a, auto b) { return a < b; },
      [](auto v, bool) { return nlohmann::json(v); });
}

MinMax ComputeMinMax(const arrow::ChunkedArray& column, const FileStatsOptions& options,
                     RawNumbers* raw) {
  const auto& type = *column.type();
  switch (type.id()) {
    case arrow::Type::INT8: return NumericMinMax<arrow::Int8Array>(column);
    case arrow::Type::INT16: return NumericMinMax<arrow::Int16Array>(column);
    case arrow::Type::INT32: return NumericMinMax<arrow::Int32Array>(column);
    case arrow::Type::INT64: return NumericMinMax<arrow::Int64Array>(column);
    case arrow::Type::UINT8: return NumericMinMax<arrow::UInt8Array>(column);
    case arrow::Type::UINT16: return NumericMinMax<arrow::UInt16Array>(column);
    case arrow::Type::UINT32: return NumericMinMax<arrow::UInt32Array>(column);
    case arrow::Type::FLOAT: return NumericMinMax<arrow::FloatArray>(column);
    case arrow::Type::DOUBLE: return NumericMinMax<arrow::DoubleArray>(column);
    case arrow::Type::DATE32:
      return ScanMinMax<arrow::Date32Array>(
          column, [](int32_t a, int32_t b) { return a < b; },
          [](int32_t v, bool) { return nlohmann::json(types::FormatDate(v)); });
    case arrow::Type::TIMESTAMP: {
      const auto& ts = static_cast<const arrow::TimestampType&>(type);
      bool with_zone = !ts.timezone().empty();
      auto unit = ts.unit();
      return ScanMinMax<arrow::TimestampArray>(
          column, [](int64_t a, int64_t b) { return a < b; },
          [unit, with_zone](int64_t v, bool) {
            return nlohmann::json(FormatStatsTimestamp(ToMicros(v, unit), with_zone));
          });
    }
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING: {
      int prefix = options.string_prefix_length;
      auto to_json = [prefix](std::string_view v, bool is_max) {
        size_t cut = Utf8PrefixBytes(v, prefix);
        std::string text(v.substr(0, cut));
        // A cut maximum must still be >= every value with this prefix.
        if (is_max && cut < v.size()) text += "\xEF\xBF\xBF";
        return nlohmann::json(text);
      };
      auto less = [](std::string_view a, std::string_view b) { return a < b; };
      if (type.id() == arrow::Type::STRING) {
        return ScanMinMax<arrow::StringArray>(column, less, to_json);
      }
      return ScanMinMax<arrow::LargeStringArray>(column, less, to_json);
    }
    case arrow::Type::DECIMAL128: {
      const auto& dec = static_cast<const arrow::Decimal128Type&>(type);
      // A JSON number in the tree is a double: beyond 15 digits it could round a bound past the
      // true value, so such bounds are written as exact text (when the caller dumps the stats
      // through RawNumbers) or not at all.
      if (dec.precision() > 15 && raw == nullptr) return {};
      int32_t scale = dec.scale();
      MinMax out;
      std::optional<arrow::Decimal128> lo, hi;
      for (const auto& chunk : column.chunks()) {
        const auto& array = static_cast<const arrow::Decimal128Array&>(*chunk);
        for (int64_t i = 0; i < array.length(); ++i) {
          if (array.IsNull(i)) continue;
          arrow::Decimal128 v(array.GetValue(i));
          if (!lo || v < *lo) lo = v;
          if (!hi || *hi < v) hi = v;
        }
      }
      auto number = [&](const arrow::Decimal128& v) {
        if (dec.precision() > 15) return raw->Add(v.ToString(scale));
        return nlohmann::json(std::stod(v.ToString(scale)));
      };
      if (lo) out.min = number(*lo);
      if (hi) out.max = number(*hi);
      return out;
    }
    default:
      return {};
  }
}

int64_t NullCount(const arrow::ChunkedArray& column) { return column.null_count(); }

// Returns the children of a struct column with the parent's nulls folded into each child.
Result<std::vector<std::shared_ptr<arrow::ChunkedArray>>> FlattenStruct(
    const arrow::ChunkedArray& column) {
  const auto& type = static_cast<const arrow::StructType&>(*column.type());
  std::vector<arrow::ArrayVector> children(type.num_fields());
  for (const auto& chunk : column.chunks()) {
    const auto& array = static_cast<const arrow::StructArray&>(*chunk);
    for (int i = 0; i < type.num_fields(); ++i) {
      ASSIGN_OR_RAISE(auto child, array.GetFlattenedField(i));
      children[i].push_back(std::move(child));
    }
  }
  std::vector<std::shared_ptr<arrow::ChunkedArray>> out;
  for (int i = 0; i < type.num_fields(); ++i) {
    ASSIGN_OR_RAISE(auto chunked,
                    arrow::ChunkedArray::Make(std::move(children[i]), type.field(i)->type()));
    out.push_back(std::move(chunked));
  }
  return out;
}

// Fills the statistics of `column` named `name` into the three objects; `remaining` counts the
// leaf columns still to be indexed (negative: unlimited).
Status CollectColumn(const std::string& name, const arrow::ChunkedArray& column,
                     const FileStatsOptions& options, RawNumbers* raw, int* remaining,
                     nlohmann::json* min_values, nlohmann::json* max_values,
                     nlohmann::json* null_count) {
  if (*remaining == 0) return Status::OK();
  if (column.type()->id() == arrow::Type::STRUCT) {
    const auto& type = static_cast<const arrow::StructType&>(*column.type());
    ASSIGN_OR_RAISE(auto children, FlattenStruct(column));
    nlohmann::json mins = nlohmann::json::object(), maxs = nlohmann::json::object(),
                   nulls = nlohmann::json::object();
    for (int i = 0; i < type.num_fields(); ++i) {
      RETURN_NOT_OK(CollectColumn(type.field(i)->name(), *children[i], options, raw, remaining,
                                  &mins, &maxs, &nulls));
    }
    if (!mins.empty()) (*min_values)[name] = std::move(mins);
    if (!maxs.empty()) (*max_values)[name] = std::move(maxs);
    if (!nulls.empty()) (*null_count)[name] = std::move(nulls);
    return Status::OK();
  }
  if (*remaining > 0) --*remaining;
  (*null_count)[name] = NullCount(column);
  MinMax mm = ComputeMinMax(column, options, raw);
  if (mm.min) (*min_values)[name] = std::move(*mm.min);
  if (mm.max) (*max_values)[name] = std::move(*mm.max);
  return Status::OK();
}

}  // namespace

namespace {
Result<nlohmann::json> CollectStats(const arrow::Table& data, const FileStatsOptions& options,
                                    RawNumbers* raw) {
  nlohmann::json stats = nlohmann::json::object();
  stats["numRecords"] = data.num_rows();
  nlohmann::json mins = nlohmann::json::object(), maxs = nlohmann::json::object(),
                 nulls = nlohmann::json::object();
  int remaining = options.num_indexed_cols < 0 ? -1 : options.num_indexed_cols;
  for (int i = 0; i < data.num_columns(); ++i) {
    RETURN_NOT_OK(CollectColumn(data.schema()->field(i)->name(), *data.column(i), options, raw,
                                &remaining, &mins, &maxs, &nulls));
  }
  stats["minValues"] = std::move(mins);
  stats["maxValues"] = std::move(maxs);
  stats["nullCount"] = std::move(nulls);
  if (options.tight_bounds) stats["tightBounds"] = true;
  return stats;
}
}  // namespace

Result<nlohmann::json> ComputeFileStats(const arrow::Table& data, const FileStatsOptions& options) {
  return CollectStats(data, options, nullptr);
}

Result<std::string> ComputeFileStatsJson(const arrow::Table& data,
                                         const FileStatsOptions& options) {
  RawNumbers raw;
  ASSIGN_OR_RAISE(auto stats, CollectStats(data, options, &raw));
  return raw.Splice(stats.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::optional<int64_t> StatsRecordCount(const AddFile& file) {
  if (!file.stats) return std::nullopt;
  auto stats = nlohmann::json::parse(*file.stats, nullptr, false);
  if (!stats.is_object() || !stats.contains("numRecords") ||
      !stats["numRecords"].is_number_integer()) {
    return std::nullopt;
  }
  return stats["numRecords"].get<int64_t>();
}

}  // namespace basin::delta
