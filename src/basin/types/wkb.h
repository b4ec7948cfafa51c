#pragma once

// Well-Known Binary (OGC Simple Feature Access, part 1, section 8.2): the bytes of GEOMETRY and
// GEOGRAPHY values. Spark parses every WKB it is given (st_geomfromwkb, st_geogfromwkb) and
// keeps it in little-endian (NDR) order; st_asbinary can write big-endian (XDR) too.

#include <string>
#include <string_view>

#include "basin/base/status.h"

namespace basin::types {

/// Byte orders of WKB: XDR is big-endian (byte-order byte 0), NDR little-endian (1).
enum class WkbByteOrder { kXdr = 0, kNdr = 1 };

/// Parses `wkb` (points, linestrings, polygons, their multi forms and geometry collections, in 2D,
/// Z, M or ZM, each part in either byte order) and returns it written in byte order `order`;
/// bytes after the geometry are dropped. With `geographic`, every coordinate must be a longitude
/// in [-180, 180] and a latitude in [-90, 90]. Fails with WKB_PARSE_ERROR, Spark's reason and
/// byte position.
Result<std::string> RewriteWkb(std::string_view wkb, WkbByteOrder order, bool geographic);

}  // namespace basin::types
