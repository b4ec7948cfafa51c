#include "basin/types/geospatial_type.h"

#include <regex>

#include <arrow/util/key_value_metadata.h>

#include "basin/base/error_parameters.h"

namespace basin::types {

namespace {

constexpr char kGeometryMarker[] = "geometry";
constexpr char kGeographyMarker[] = "geography";
constexpr char kSridKey[] = "srid";
constexpr char kMixedCrs[] = "SRID:ANY";
constexpr char kSphericalAlgorithm[] = "SPHERICAL";

// The spatial reference systems Spark knows (its SpatialReferenceSystemCache): SRID, CRS name,
// and whether a GEOGRAPHY may use it.
struct ReferenceSystem {
  int32_t srid;
  const char* crs;
  bool geographic;
};
constexpr ReferenceSystem kReferenceSystems[] = {
    {0, "SRID:0", false},
    {3857, "EPSG:3857", false},
    {4326, "OGC:CRS84", true},
};

const ReferenceSystem* BySrid(SpatialKind kind, int32_t srid) {
  for (const auto& rs : kReferenceSystems) {
    if (rs.srid == srid && (kind == SpatialKind::kGeometry || rs.geographic)) return &rs;
  }
  return nullptr;
}

const ReferenceSystem* ByCrs(SpatialKind kind, const std::string& crs) {
  for (const auto& rs : kReferenceSystems) {
    if (crs == rs.crs && (kind == SpatialKind::kGeometry || rs.geographic)) return &rs;
  }
  return nullptr;
}

const char* KindName(SpatialKind kind) {
  return kind == SpatialKind::kGeometry ? kGeometryMarker : kGeographyMarker;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Status CheckValues(const arrow::Array& array) {
  const auto& type = *array.type();
  if (auto spatial = SpatialTypeOf(type)) {
    const auto& st = static_cast<const arrow::StructArray&>(array);
    // field() is sliced to the struct's offset and length.
    const auto& srids = static_cast<const arrow::Int32Array&>(*st.field(0));
    for (int64_t i = 0; i < st.length(); ++i) {
      if (st.IsNull(i)) continue;
      const int32_t srid = srids.Value(i);
      if (spatial->mixed()) {
        if (!IsSridSupported(spatial->kind, srid)) return InvalidSridError(srid);
      } else if (srid != spatial->srid) {
        const char* name = spatial->kind == SpatialKind::kGeometry ? "GEOMETRY" : "GEOGRAPHY";
        return UserError("GEO_ENCODER_SRID_MISMATCH_ERROR",
                         std::string("Failed to encode ") + name +
                             " value because provided SRID " + std::to_string(srid) +
                             " of a value to encode does not match type SRID: " +
                             std::to_string(spatial->srid) + ".",
                         {{"type", name},
                          {"valueSrid", std::to_string(srid)},
                          {"typeSrid", std::to_string(spatial->srid)}});
      }
    }
    return Status::OK();
  }
  switch (type.id()) {
    case arrow::Type::STRUCT: {
      const auto& st = static_cast<const arrow::StructArray&>(array);
      for (int f = 0; f < st.num_fields(); ++f) RETURN_NOT_OK(CheckValues(*st.field(f)));
      return Status::OK();
    }
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
    case arrow::Type::FIXED_SIZE_LIST:
    case arrow::Type::MAP: {
      // The whole child array: rows outside the slice are checked too, which is stricter but
      // never wrong for data a client sent in one piece.
      if (type.id() == arrow::Type::LIST || type.id() == arrow::Type::MAP) {
        return CheckValues(*static_cast<const arrow::ListArray&>(array).values());
      }
      if (type.id() == arrow::Type::LARGE_LIST) {
        return CheckValues(*static_cast<const arrow::LargeListArray&>(array).values());
      }
      return CheckValues(*static_cast<const arrow::FixedSizeListArray&>(array).values());
    }
    default:
      return Status::OK();
  }
}

}  // namespace

std::shared_ptr<arrow::DataType> SpatialArrowType(SpatialType type) {
  return arrow::struct_(
      {arrow::field("srid", arrow::int32(), false),
       arrow::field("wkb", arrow::binary(), false,
                    arrow::key_value_metadata({KindName(type.kind), kSridKey},
                                              {"true", std::to_string(type.srid)}))});
}

Result<std::shared_ptr<arrow::DataType>> CheckedSpatialArrowType(SpatialType type) {
  if (!type.mixed() && !IsSridSupported(type.kind, type.srid)) return InvalidSridError(type.srid);
  return SpatialArrowType(type);
}

std::optional<SpatialType> SpatialTypeOf(const arrow::DataType& type) {
  if (type.id() != arrow::Type::STRUCT || type.num_fields() != 2) return std::nullopt;
  const auto& srid = type.field(0);
  const auto& wkb = type.field(1);
  if (srid->name() != "srid" || wkb->name() != "wkb" || srid->type()->id() != arrow::Type::INT32 ||
      wkb->type()->id() != arrow::Type::BINARY || !wkb->metadata()) {
    return std::nullopt;
  }
  const auto& metadata = *wkb->metadata();
  SpatialType out;
  auto geometry = metadata.Get(kGeometryMarker);
  auto geography = metadata.Get(kGeographyMarker);
  if (geometry.ok() && *geometry == "true") {
    out.kind = SpatialKind::kGeometry;
  } else if (geography.ok() && *geography == "true") {
    out.kind = SpatialKind::kGeography;
  } else {
    return std::nullopt;
  }
  auto srid_text = metadata.Get(kSridKey);
  if (!srid_text.ok()) return std::nullopt;
  try {
    out.srid = std::stoi(*srid_text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return out;
}

bool ContainsSpatial(const arrow::DataType& type) {
  if (SpatialTypeOf(type)) return true;
  for (const auto& field : type.fields()) {
    if (ContainsSpatial(*field->type())) return true;
  }
  return false;
}

bool IsSridSupported(SpatialKind kind, int32_t srid) { return BySrid(kind, srid) != nullptr; }

Status InvalidSridError(int64_t srid) {
  return UserError("ST_INVALID_SRID_VALUE",
                   "Invalid or unsupported SRID (spatial reference identifier) value: " +
                       std::to_string(srid) + ".",
                   {{"srid", std::to_string(srid)}});
}

std::string SpatialTypeName(SpatialType type) {
  return std::string(KindName(type.kind)) + "(" +
         (type.mixed() ? std::string("any") : std::to_string(type.srid)) + ")";
}

std::string SpatialJsonName(SpatialType type) {
  const ReferenceSystem* rs = BySrid(type.kind, type.srid);
  std::string crs = type.mixed() || !rs ? kMixedCrs : rs->crs;
  if (type.kind == SpatialKind::kGeometry) return "geometry(" + crs + ")";
  return "geography(" + crs + ", " + kSphericalAlgorithm + ")";
}

Result<std::optional<SpatialType>> SpatialTypeFromJsonName(const std::string& name) {
  static const std::regex kBare(R"((geometry|geography))");
  static const std::regex kCrs(R"((geometry|geography)\(\s*(\w+:-?\w+)\s*\))");
  static const std::regex kCrsAlgorithm(R"(geography\(\s*(\w+:-?\w+)\s*,\s*(\w+)\s*\))");
  static const std::regex kAlgorithm(R"(geography\(\s*(\w+)\s*\))");
  std::smatch m;
  SpatialKind kind;
  std::string crs = "OGC:CRS84";  // Parquet's, Delta's and Iceberg's default CRS.
  std::string algorithm = kSphericalAlgorithm;
  if (std::regex_match(name, m, kBare)) {
    kind = m[1] == kGeometryMarker ? SpatialKind::kGeometry : SpatialKind::kGeography;
  } else if (std::regex_match(name, m, kCrs)) {
    kind = m[1] == kGeometryMarker ? SpatialKind::kGeometry : SpatialKind::kGeography;
    crs = m[2];
  } else if (std::regex_match(name, m, kCrsAlgorithm)) {
    kind = SpatialKind::kGeography;
    crs = m[1];
    algorithm = m[2];
  } else if (std::regex_match(name, m, kAlgorithm)) {
    kind = SpatialKind::kGeography;
    algorithm = m[1];
  } else {
    return std::optional<SpatialType>();
  }
  if (algorithm != kSphericalAlgorithm) {
    return UserError("ST_INVALID_ALGORITHM_VALUE",
                     "Invalid or unsupported edge interpolation algorithm value: '" + algorithm +
                         "'.",
                     {{"alg", algorithm}});
  }
  // Unlike the CRS names, the mixed marker is case-insensitive.
  if (Lower(crs) == Lower(kMixedCrs)) return std::optional<SpatialType>({kind, kMixedSrid});
  const ReferenceSystem* rs = ByCrs(kind, crs);
  if (!rs) {
    return UserError("ST_INVALID_CRS_VALUE",
                     "Invalid or unsupported CRS (coordinate reference system) value: '" + crs +
                         "'.",
                     {{"crs", crs}});
  }
  return std::optional<SpatialType>({kind, rs->srid});
}

Status CheckSpatialSrids(const arrow::DataType& type) {
  if (auto spatial = SpatialTypeOf(type)) {
    if (!spatial->mixed() && !IsSridSupported(spatial->kind, spatial->srid)) {
      return InvalidSridError(spatial->srid);
    }
    return Status::OK();
  }
  for (const auto& field : type.fields()) RETURN_NOT_OK(CheckSpatialSrids(*field->type()));
  return Status::OK();
}

Status CheckSpatialValues(const arrow::Array& array) {
  if (!ContainsSpatial(*array.type())) return Status::OK();
  return CheckValues(array);
}

std::shared_ptr<arrow::Array> WithSpatialType(const std::shared_ptr<arrow::Array>& array,
                                              const std::shared_ptr<arrow::DataType>& to) {
  auto data = array->data()->Copy();
  data->type = to;
  return arrow::MakeArray(data);
}

}  // namespace basin::types
