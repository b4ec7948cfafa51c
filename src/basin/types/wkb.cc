#include "basin/types/wkb.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>

#include "basin/base/error_parameters.h"

namespace basin::types {

namespace {

enum class Shape {
  kPoint = 1,
  kLineString = 2,
  kPolygon = 3,
  kMultiPoint = 4,
  kMultiLineString = 5,
  kMultiPolygon = 6,
  kCollection = 7,
};

const char* ShapeName(Shape shape) {
  switch (shape) {
    case Shape::kPoint: return "Point";
    case Shape::kLineString: return "LineString";
    case Shape::kPolygon: return "Polygon";
    case Shape::kMultiPoint: return "MultiPoint";
    case Shape::kMultiLineString: return "MultiLineString";
    case Shape::kMultiPolygon: return "MultiPolygon";
    case Shape::kCollection: return "GeometryCollection";
  }
  return "?";
}

// Reads WKB and writes it again in one byte order. Error texts and positions are Spark's.
class WkbRewriter {
 public:
  WkbRewriter(std::string_view in, WkbByteOrder order, bool geographic)
      : in_(in), order_(order), geographic_(geographic) {}

  Result<std::string> Run() {
    if (in_.empty()) return Error("WKB data is empty or null", 0);
    RETURN_NOT_OK(Geometry(/*expected_dimensions=*/0));
    return std::move(out_);
  }

 private:
  static Status Error(const std::string& reason, size_t position) {
    return UserError("WKB_PARSE_ERROR",
                     "Error parsing WKB: " + reason + " at position " + std::to_string(position),
                     {{"parseError", reason}, {"pos", std::to_string(position)}});
  }

  Status Need(size_t bytes) const {
    if (in_.size() - pos_ < bytes) return Error("Unexpected end of WKB buffer", pos_);
    return Status::OK();
  }

  // Reads 4 or 8 bytes in the current part's byte order.
  template <typename T>
  Result<T> Read() {
    RETURN_NOT_OK(Need(sizeof(T)));
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, in_.data() + pos_, sizeof(T));
    if (big_endian_in_) {
      for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(bytes[i], bytes[sizeof(T) - 1 - i]);
    }
    pos_ += sizeof(T);
    T v;
    std::memcpy(&v, bytes, sizeof(T));
    return v;
  }

  template <typename T>
  void Write(T v) {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    if (order_ == WkbByteOrder::kXdr) {
      for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(bytes[i], bytes[sizeof(T) - 1 - i]);
    }
    out_.append(reinterpret_cast<const char*>(bytes), sizeof(T));
  }

  // One geometry with its header. `expected_dimensions` is the parent's coordinate count (parts
  // of a multi shape or collection must have the same), 0 at the top.
  Status Geometry(int expected_dimensions, Shape* shape_out = nullptr) {
    const size_t start = pos_;
    if (in_.size() - pos_ < 5) return Error("Unexpected end of WKB buffer", start);
    const auto order_byte = static_cast<signed char>(in_[pos_]);
    if (order_byte != 0 && order_byte != 1) {
      return Error("Invalid byte order " + std::to_string(order_byte), start);
    }
    big_endian_in_ = order_byte == 0;
    ++pos_;
    const size_t type_pos = pos_;
    ASSIGN_OR_RAISE(auto code, Read<uint32_t>());
    const auto signed_code = static_cast<int32_t>(code);
    // ISO codes: 1..7 in 2D, +1000 with Z, +2000 with M, +3000 with Z and M.
    const int32_t base = signed_code % 1000;
    const int32_t flavour = signed_code / 1000;
    const int dimensions = flavour == 0 ? 2 : flavour == 3 ? 4 : 3;
    if (signed_code < 1 || base < 1 || base > 7 || flavour > 3 ||
        (expected_dimensions != 0 && dimensions != expected_dimensions)) {
      return Error("Invalid or unsupported type " + std::to_string(signed_code), type_pos);
    }
    const auto shape = static_cast<Shape>(base);
    if (shape_out) *shape_out = shape;
    out_.push_back(static_cast<char>(order_));
    Write<uint32_t>(code);
    switch (shape) {
      case Shape::kPoint:
        return Point(dimensions);
      case Shape::kLineString:
        return Points(dimensions, /*ring=*/false);
      case Shape::kPolygon:
        return Polygon(dimensions);
      case Shape::kMultiPoint:
        return Parts(dimensions, shape, Shape::kPoint);
      case Shape::kMultiLineString:
        return Parts(dimensions, shape, Shape::kLineString);
      case Shape::kMultiPolygon:
        return Parts(dimensions, shape, Shape::kPolygon);
      case Shape::kCollection:
        return Parts(dimensions, shape, std::nullopt);
    }
    return Status::OK();
  }

  Status Point(int dimensions) {
    const size_t start = pos_;
    double coords[4];
    for (int d = 0; d < dimensions; ++d) {
      ASSIGN_OR_RAISE(coords[d], Read<double>());
    }
    // NaN coordinates are how WKB writes an empty point; infinities are never valid.
    bool valid = true;
    for (int d = 0; d < dimensions; ++d) valid = valid && !std::isinf(coords[d]);
    if (valid && geographic_) {
      const double lon = coords[0], lat = coords[1];
      valid = (std::isnan(lon) || (lon >= -180 && lon <= 180)) &&
              (std::isnan(lat) || (lat >= -90 && lat <= 90));
    }
    if (!valid) return Error("Invalid coordinate value found", start);
    for (int d = 0; d < dimensions; ++d) Write<double>(coords[d]);
    return Status::OK();
  }

  // A point count and its points: a linestring (0 or at least 2 points) or a polygon's ring
  // (at least 4, the last equal to the first).
  Status Points(int dimensions, bool ring) {
    const size_t count_pos = pos_;
    ASSIGN_OR_RAISE(auto count, Read<uint32_t>());
    const size_t bytes_per_point = static_cast<size_t>(dimensions) * 8;
    if (static_cast<uint64_t>(count) * bytes_per_point > in_.size() - pos_) {
      return Error(std::string("Invalid count for ") + (ring ? "Polygon ring" : "LineString") +
                       " points: exceeds remaining bytes",
                   count_pos);
    }
    if (ring ? count < 4 : count == 1) {
      return Error(ring ? "Too few points in ring" : "Too few points in linestring", count_pos);
    }
    Write<uint32_t>(count);
    const size_t first = out_.size();
    for (uint32_t i = 0; i < count; ++i) RETURN_NOT_OK(Point(dimensions));
    if (ring) {
      const char* begin = out_.data() + first;
      const char* last = out_.data() + out_.size() - bytes_per_point;
      // Compared as written: both points went through the same byte order.
      if (std::memcmp(begin, last, 2 * 8) != 0) return Error("Ring is not closed", count_pos);
    }
    return Status::OK();
  }

  Status Polygon(int dimensions) {
    ASSIGN_OR_RAISE(auto rings, Read<uint32_t>());
    Write<uint32_t>(rings);
    for (uint32_t r = 0; r < rings; ++r) RETURN_NOT_OK(Points(dimensions, /*ring=*/true));
    return Status::OK();
  }

  Status Parts(int dimensions, Shape shape, std::optional<Shape> part_shape) {
    ASSIGN_OR_RAISE(auto count, Read<uint32_t>());
    Write<uint32_t>(count);
    for (uint32_t i = 0; i < count; ++i) {
      Shape got;
      RETURN_NOT_OK(Geometry(dimensions, &got));
      if (part_shape && got != *part_shape) {
        return Error(std::string("Expected ") + ShapeName(*part_shape) + " in " +
                         ShapeName(shape),
                     pos_);
      }
    }
    return Status::OK();
  }

  std::string_view in_;
  WkbByteOrder order_;
  bool geographic_;
  size_t pos_ = 0;
  bool big_endian_in_ = false;
  std::string out_;
};

}  // namespace

Result<std::string> RewriteWkb(std::string_view wkb, WkbByteOrder order, bool geographic) {
  return WkbRewriter(wkb, order, geographic).Run();
}

}  // namespace basin::types
