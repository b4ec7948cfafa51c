#pragma once

// Spark's GEOMETRY(srid) and GEOGRAPHY(srid) types in the engine (docs/decisions/
// 0010-geospatial-types.md). A value is an SRID and the WKB bytes of the shape; the Arrow type is
//
//     struct<srid: int32 not null, wkb: binary not null {"geometry"|"geography": "true",
//                                                        "srid": "<type srid>"}>
//
// the form Spark itself gives these types in Arrow, so the Spark Connect client reads result
// batches as Geometry / Geography values and sends createDataFrame data in the same shape. The
// marker and the type's SRID (-1 for the mixed type, written GEOMETRY(ANY)) ride in the `wkb`
// child's field metadata, so they are part of the DataType and survive expressions and nesting.
// Each row still carries its own SRID in the `srid` child: a mixed-SRID column holds several.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <arrow/array.h>
#include <arrow/type.h>

#include "basin/base/status.h"

namespace basin::types {

enum class SpatialKind { kGeometry, kGeography };

/// The SRID of the mixed types GEOMETRY(ANY) and GEOGRAPHY(ANY).
inline constexpr int32_t kMixedSrid = -1;
/// The SRID st_geomfromwkb gives (Spark's Geometry.DEFAULT_SRID).
inline constexpr int32_t kDefaultGeometrySrid = 0;
/// The SRID st_geogfromwkb gives and the only geographic one Spark knows (OGC:CRS84).
inline constexpr int32_t kDefaultGeographySrid = 4326;

/// A GEOMETRY or GEOGRAPHY type: its kind and SRID (kMixedSrid for ANY).
struct SpatialType {
  SpatialKind kind = SpatialKind::kGeometry;
  int32_t srid = kDefaultGeometrySrid;

  bool mixed() const { return srid == kMixedSrid; }
  bool operator==(const SpatialType&) const = default;
};

/// Returns the Arrow type of `type`. Does not check the SRID (see CheckedSpatialArrowType).
std::shared_ptr<arrow::DataType> SpatialArrowType(SpatialType type);

/// Returns the Arrow type of `type`, or ST_INVALID_SRID_VALUE when its SRID is neither
/// supported for its kind nor kMixedSrid.
Result<std::shared_ptr<arrow::DataType>> CheckedSpatialArrowType(SpatialType type);

/// Returns the spatial type `type` is, or nullopt for any other type.
std::optional<SpatialType> SpatialTypeOf(const arrow::DataType& type);

/// Returns true when `type` is GEOMETRY/GEOGRAPHY or nests one (in an array, map or struct).
bool ContainsSpatial(const arrow::DataType& type);

/// Returns true when Spark supports `srid` for `kind`: 0, 3857 and 4326 for GEOMETRY, 4326 for
/// GEOGRAPHY (Spark's SpatialReferenceSystemCache).
bool IsSridSupported(SpatialKind kind, int32_t srid);

/// Returns the ST_INVALID_SRID_VALUE error for `srid`.
Status InvalidSridError(int64_t srid);

/// Returns Spark's name of `type` (typeof, DESCRIBE, schemas): "geometry(0)", "geography(any)".
std::string SpatialTypeName(SpatialType type);

/// Returns Spark's JSON name of `type`, which names the CRS: "geometry(SRID:0)",
/// "geometry(OGC:CRS84)", "geography(OGC:CRS84, SPHERICAL)", "geometry(SRID:ANY)".
std::string SpatialJsonName(SpatialType type);

/// Reads Spark's JSON name of a spatial type ("geometry", "geometry(<crs>)", "geography",
/// "geography(<crs>)", "geography(<crs>, <algorithm>)", "geography(<algorithm>)"): nullopt when
/// `name` is not one, ST_INVALID_CRS_VALUE / ST_INVALID_ALGORITHM_VALUE for an unknown CRS or
/// edge algorithm.
Result<std::optional<SpatialType>> SpatialTypeFromJsonName(const std::string& name);

/// Checks that every spatial type in `type` (nested too) has a supported SRID
/// (ST_INVALID_SRID_VALUE otherwise); for types built from parsed SQL or client schemas.
Status CheckSpatialSrids(const arrow::DataType& type);

/// Checks the SRID of every non-null spatial value in `array` (nested too) against its type, as
/// Spark's encoder does for client data: a fixed-SRID type takes only its SRID
/// (GEO_ENCODER_SRID_MISMATCH_ERROR), a mixed one only supported SRIDs (ST_INVALID_SRID_VALUE).
Status CheckSpatialValues(const arrow::Array& array);

/// Returns `array` (of a spatial type) as type `to`, another spatial type: the same rows, with
/// `to`'s markers. The caller has checked that the cast is allowed.
std::shared_ptr<arrow::Array> WithSpatialType(const std::shared_ptr<arrow::Array>& array,
                                              const std::shared_ptr<arrow::DataType>& to);

}  // namespace basin::types
