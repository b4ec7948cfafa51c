#include "basin/types/time_zone.h"

#include <cctype>
#include <map>
#include <optional>
#include <string_view>

#include <arrow/vendored/datetime.h>

#include "basin/base/status.h"

namespace basin::types {
namespace {
constexpr int64_t kMicrosPerSecondTz = 1000000;

int64_t FloorDivTz(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
}  // namespace

namespace {
namespace tzdate = arrow_vendored::date;

struct Zone {
  bool fixed = true;
  int64_t offset_seconds = 0;
  const tzdate::time_zone* tz = nullptr;
};

// Parses "+08:00", "-8", "UTC+1", "GMT-03:30" style fixed offsets.
std::optional<int64_t> FixedOffset(std::string_view z) {
  for (std::string_view prefix : {"UTC", "GMT", "UT"}) {
    if (z.size() > prefix.size() && z.substr(0, prefix.size()) == prefix &&
        (z[prefix.size()] == '+' || z[prefix.size()] == '-')) {
      z.remove_prefix(prefix.size());
      break;
    }
  }
  if (z.empty() || (z[0] != '+' && z[0] != '-')) return std::nullopt;
  const int64_t sign = z[0] == '-' ? -1 : 1;
  int64_t h = 0, m = 0, sec = 0;
  size_t i = 1;
  auto digits = [&](int64_t* out, size_t max) {
    size_t n = 0;
    while (i < z.size() && n < max && std::isdigit(static_cast<unsigned char>(z[i]))) {
      *out = *out * 10 + (z[i] - '0');
      ++i;
      ++n;
    }
    return n;
  };
  if (digits(&h, 2) == 0) return std::nullopt;
  if (i < z.size() && z[i] == ':') ++i;
  digits(&m, 2);
  if (i < z.size() && z[i] == ':') ++i;
  digits(&sec, 2);
  if (i != z.size() || h > 18 || m > 59) return std::nullopt;
  return sign * (h * 3600 + m * 60 + sec);
}

Result<Zone> FindZone(const std::string& name) {
  static thread_local std::map<std::string, Zone> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  Zone zone;
  if (name.empty() || name == "UTC" || name == "Z" || name == "GMT" || name == "UT" ||
      name == "Etc/UTC" || name == "Etc/GMT") {
    zone.fixed = true;
  } else if (auto off = FixedOffset(name)) {
    zone.offset_seconds = *off;
  } else {
    try {
      zone.tz = tzdate::locate_zone(name);
      zone.fixed = false;
    } catch (const std::exception&) {
      return UserError("INVALID_TIMEZONE",
                       "The timezone: " + name +
                           " is invalid. The timezone must be either a region-based zone ID or a "
                           "zone offset. Region IDs must have the form 'area/city', such as "
                           "'America/Los_Angeles'. Zone offsets must be in the format "
                           "'(+|-)HH', '(+|-)HH:mm' or '(+|-)HH:mm:ss', e.g '-08', '+01:00' or "
                           "'-13:33:33', and must be in the range from -18:00 to +18:00. 'Z' and "
                           "'UTC' are accepted as synonyms for '+00:00'.");
    }
  }
  cache[name] = zone;
  return zone;
}
}  // namespace

Result<int64_t> ZoneOffsetSeconds(int64_t utc_micros, const std::string& zone_name) {
  ARROW_ASSIGN_OR_RAISE(auto zone, FindZone(zone_name));
  if (zone.fixed) return zone.offset_seconds;
  const auto info =
      zone.tz->get_info(tzdate::sys_seconds{std::chrono::seconds(FloorDivTz(utc_micros, kMicrosPerSecondTz))});
  return static_cast<int64_t>(info.offset.count());
}

Result<int64_t> ToLocal(int64_t utc_micros, const std::string& zone_name) {
  ARROW_ASSIGN_OR_RAISE(auto off, ZoneOffsetSeconds(utc_micros, zone_name));
  return utc_micros + off * kMicrosPerSecondTz;
}

Result<int64_t> FromLocal(int64_t local_micros, const std::string& zone_name) {
  ARROW_ASSIGN_OR_RAISE(auto zone, FindZone(zone_name));
  if (zone.fixed) return local_micros - zone.offset_seconds * kMicrosPerSecondTz;
  const auto info = zone.tz->get_info(
      tzdate::local_seconds{std::chrono::seconds(FloorDivTz(local_micros, kMicrosPerSecondTz))});
  // java.time: an ambiguous time takes the earlier offset, a time in a gap moves forward by the
  // gap's length; both come from the offset in force before the transition.
  return local_micros - static_cast<int64_t>(info.first.offset.count()) * kMicrosPerSecondTz;
}

}  // namespace basin::types
