#include "basin/delta/partition_value.h"

#include <cstdio>

#include <arrow/compute/cast.h>
#include <arrow/util/decimal.h>

#include "basin/types/civil_time.h"
#include "basin/types/time_zone.h"

namespace basin::delta {

namespace {

Status BadValue(const std::string& text, const arrow::DataType& type) {
  return UserError("DELTA_INVALID_PARTITION_VALUE",
                   "The partition value '" + text + "' cannot be read as " + type.ToString() + ".");
}

}  // namespace

std::string UriEncodePath(std::string_view path) {
  static constexpr std::string_view kIllegal = " \"#%<>?[\\]^`{|}";
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    if (c < 0x20 || c >= 0x7F || kIllegal.find(static_cast<char>(c)) != std::string_view::npos) {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string UriDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

namespace {
// True when a timestamp text ends in "Z" or a "+HH:MM" / "-HH:MM" offset (after its date).
bool HasZoneDesignator(std::string_view text) {
  if (text.size() <= 10) return false;
  std::string_view time = text.substr(10);
  return time.find_first_of("Zz+-") != std::string_view::npos;
}
}  // namespace

Result<std::shared_ptr<arrow::Scalar>> ParsePartitionValue(
    const std::optional<std::string>& text, const std::shared_ptr<arrow::DataType>& type,
    const std::string& time_zone) {
  using arrow::Type;
  if (!text) return arrow::MakeNullScalar(type);
  const std::string& value = *text;
  if (value.empty() && type->id() != Type::STRING && type->id() != Type::LARGE_STRING) {
    return arrow::MakeNullScalar(type);
  }
  switch (type->id()) {
    case Type::STRING:
    case Type::LARGE_STRING:
      // FromString owns a copy: a Buffer made from a std::string only points into it.
      return arrow::MakeScalar(type, arrow::Buffer::FromString(value)).ValueOr(
          arrow::MakeNullScalar(type));
    case Type::BINARY:
      return std::static_pointer_cast<arrow::Scalar>(std::make_shared<arrow::BinaryScalar>(value));
    case Type::TIMESTAMP: {
      // Delta writes "yyyy-MM-dd HH:mm:ss[.SSSSSS]" (UTC for timestamp, local for ntz) and newer
      // writers ISO-8601 with 'T' and 'Z'.
      auto micros = types::ParseTimestampMicros(value);
      if (!micros.ok()) return BadValue(value, *type);
      // A zone-less value of a TIMESTAMP (not TIMESTAMP_NTZ) column is wall-clock time in the
      // reader's session time zone, as Spark casts it; ISO-8601 values carry their offset.
      const auto& ts = static_cast<const arrow::TimestampType&>(*type);
      if (!ts.timezone().empty() && !HasZoneDesignator(value)) {
        ASSIGN_OR_RAISE(*micros, types::FromLocal(*micros, time_zone));
      }
      return std::static_pointer_cast<arrow::Scalar>(
          std::make_shared<arrow::TimestampScalar>(*micros, type));
    }
    case Type::DATE32: {
      auto micros = types::ParseTimestampMicros(value);
      if (!micros.ok()) return BadValue(value, *type);
      int64_t days = *micros / 86400000000LL - (*micros % 86400000000LL < 0 ? 1 : 0);
      return std::static_pointer_cast<arrow::Scalar>(
          std::make_shared<arrow::Date32Scalar>(static_cast<int32_t>(days)));
    }
    case Type::BOOL: {
      if (value == "true" || value == "TRUE" || value == "True") {
        return std::static_pointer_cast<arrow::Scalar>(std::make_shared<arrow::BooleanScalar>(true));
      }
      if (value == "false" || value == "FALSE" || value == "False") {
        return std::static_pointer_cast<arrow::Scalar>(std::make_shared<arrow::BooleanScalar>(false));
      }
      return BadValue(value, *type);
    }
    default: {
      // Numbers and decimals: parse from the string with Arrow's casts (exact for decimals).
      auto parsed = arrow::Scalar::Parse(type, value);
      if (!parsed.ok()) {
        // Spark writes e.g. "1.0E10" for doubles; decimals may come with an exponent too.
        auto as_string = std::make_shared<arrow::StringScalar>(value);
        auto cast = arrow::compute::Cast(arrow::Datum(as_string), type);
        if (!cast.ok()) return BadValue(value, *type);
        return cast->scalar();
      }
      return *parsed;
    }
  }
}

}  // namespace basin::delta
