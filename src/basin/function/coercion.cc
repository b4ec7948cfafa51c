// Spark's type widening (findWiderTypeForTwo under ANSI) for comparisons, set operations and
// functions whose arguments must share one type.

#include "basin/types/geospatial_type.h"
#include "basin/function/kernel_support.h"

namespace basin::function {

namespace {

TypePtr WiderDecimal(const arrow::Decimal128Type& a, const arrow::Decimal128Type& b) {
  const int scale = std::max(a.scale(), b.scale());
  const int range = std::max(a.precision() - a.scale(), b.precision() - b.scale());
  if (range + scale > 38) {
    // Spark bounds the wider type to 38 digits, keeping the integral digits.
    return arrow::decimal128(38, std::max(0, 38 - range));
  }
  return arrow::decimal128(range + scale, scale);
}
}  // namespace

std::optional<TypePtr> CommonType(const TypePtr& a, const TypePtr& b) {
  // Arrow's Equals ignores the field metadata that holds a spatial type's SRID. Spark widens
  // two SRIDs of one kind to the mixed type; GEOMETRY and GEOGRAPHY do not meet.
  auto spatial_a = types::SpatialTypeOf(*a);
  auto spatial_b = types::SpatialTypeOf(*b);
  if (spatial_a && spatial_b) {
    if (spatial_a->kind != spatial_b->kind) return std::nullopt;
    if (spatial_a->srid == spatial_b->srid) return a;
    return types::SpatialArrowType({spatial_a->kind, types::kMixedSrid});
  }
  if ((spatial_a && !IsNull(*b)) || (spatial_b && !IsNull(*a))) return std::nullopt;
  if (a->Equals(*b)) return a;
  if (IsNull(*a)) return b;
  if (IsNull(*b)) return a;
  if (IsNumeric(*a) && IsNumeric(*b)) {
    if (IsDecimal(*a) || IsDecimal(*b)) {
      if (IsFloating(*a) || IsFloating(*b)) return arrow::float64();
      TypePtr da = IsDecimal(*a) ? a : DecimalForIntegral(*a);
      TypePtr db = IsDecimal(*b) ? b : DecimalForIntegral(*b);
      return WiderDecimal(static_cast<const arrow::Decimal128Type&>(*da),
                          static_cast<const arrow::Decimal128Type&>(*db));
    }
    const TypePtr& wider = NumericRank(*a) >= NumericRank(*b) ? a : b;
    // ANSI: an integral type meeting FLOAT widens to DOUBLE (a float cannot hold every int).
    if (wider->id() == arrow::Type::FLOAT) return arrow::float64();
    return wider;
  }
  // A string meets another atomic type as that type (ANSI: the string is cast).
  if (IsStringLike(*a) && !IsStringLike(*b)) {
    if (IsNumeric(*b) || b->id() == arrow::Type::DATE32 || IsTimestamp(*b) ||
        b->id() == arrow::Type::TIME64 || b->id() == arrow::Type::BOOL ||
        b->id() == arrow::Type::BINARY) {
      return IsIntegral(*b) ? arrow::int64() : b;
    }
    return std::nullopt;
  }
  if (IsStringLike(*b) && !IsStringLike(*a)) return CommonType(b, a);
  if (IsStringLike(*a) && IsStringLike(*b)) return arrow::utf8();
  if (a->id() == arrow::Type::DATE32 && IsTimestamp(*b)) return b;
  if (IsTimestamp(*a) && b->id() == arrow::Type::DATE32) return a;
  if (IsTimestamp(*a) && IsTimestamp(*b)) return TimestampType();
  if (a->id() == arrow::Type::LIST && b->id() == arrow::Type::LIST) {
    auto e = CommonType(static_cast<const arrow::ListType&>(*a).value_type(),
                        static_cast<const arrow::ListType&>(*b).value_type());
    if (!e) return std::nullopt;
    return arrow::list(*e);
  }
  if (a->id() == arrow::Type::MAP && b->id() == arrow::Type::MAP) {
    const auto& x = static_cast<const arrow::MapType&>(*a);
    const auto& y = static_cast<const arrow::MapType&>(*b);
    auto k = CommonType(x.key_type(), y.key_type());
    auto v = CommonType(x.item_type(), y.item_type());
    if (!k || !v) return std::nullopt;
    return arrow::map(*k, *v);
  }
  if (a->id() == arrow::Type::STRUCT && b->id() == arrow::Type::STRUCT &&
      a->num_fields() == b->num_fields()) {
    arrow::FieldVector fields;
    for (int i = 0; i < a->num_fields(); ++i) {
      if (ToLowerAscii(a->field(i)->name()) != ToLowerAscii(b->field(i)->name())) {
        return std::nullopt;
      }
      auto t = CommonType(a->field(i)->type(), b->field(i)->type());
      if (!t) return std::nullopt;
      fields.push_back(arrow::field(a->field(i)->name(), *t));
    }
    return arrow::struct_(fields);
  }
  return std::nullopt;
}

}  // namespace basin::function
