#include "basin/delta/type_widening.h"

#include "basin/types/numeric_rank.h"

#include <arrow/util/key_value_metadata.h>
#include <nlohmann/json.hpp>

#include "basin/types/schema_json.h"

namespace basin::delta {
namespace {

using types::NumericRank;

bool IsIntegral(arrow::Type::type id) { return types::IsIntegralRank(NumericRank(id)); }

bool IsDecimal(const arrow::DataType& type) {
  return type.id() == arrow::Type::DECIMAL128 || type.id() == arrow::Type::DECIMAL256;
}

struct PrecisionScale {
  int precision = 0;
  int scale = 0;
};

PrecisionScale DecimalOf(const arrow::DataType& type) {
  const auto& d = static_cast<const arrow::DecimalType&>(type);
  return {d.precision(), d.scale()};
}

// The decimal every value of an integral type fits in (Spark's DecimalType.forType).
PrecisionScale IntegralDecimal(arrow::Type::type id) {
  switch (id) {
    case arrow::Type::INT8: return {3, 0};
    case arrow::Type::INT16: return {5, 0};
    case arrow::Type::INT32: return {10, 0};
    default: return {20, 0};
  }
}

// `to` holds every value of `from`: no fewer integer digits and no fewer fraction digits.
bool Wider(PrecisionScale to, PrecisionScale from) {
  return to.precision - to.scale >= from.precision - from.scale && to.scale >= from.scale;
}

bool IsTimestamp(const arrow::DataType& type) { return type.id() == arrow::Type::TIMESTAMP; }

bool IsNtz(const arrow::DataType& type) {
  return IsTimestamp(type) && static_cast<const arrow::TimestampType&>(type).timezone().empty();
}

bool IsString(const arrow::DataType& type) {
  return type.id() == arrow::Type::STRING || type.id() == arrow::Type::LARGE_STRING;
}

bool IsNested(const arrow::DataType& type) { return type.num_fields() > 0; }

}  // namespace

bool CanAlterColumnType(const arrow::DataType& from, const arrow::DataType& to) {
  if (from.Equals(to)) return true;
  if (IsDecimal(to)) {
    if (IsDecimal(from)) return Wider(DecimalOf(to), DecimalOf(from));
    if (IsIntegral(from.id())) return Wider(DecimalOf(to), IntegralDecimal(from.id()));
    return false;
  }
  if (IsDecimal(from)) {
    return IsIntegral(to.id()) && Wider(IntegralDecimal(to.id()), DecimalOf(from));
  }
  int from_rank = NumericRank(from.id()), to_rank = NumericRank(to.id());
  if (from_rank > 0 && to_rank > 0) return from_rank <= to_rank;
  if (from.id() == arrow::Type::DATE32 && IsTimestamp(to)) return true;
  if (IsTimestamp(from) && IsTimestamp(to)) return true;
  if (IsString(to) && !IsNested(from)) return true;
  return false;
}

bool IsSupportedTypeWidening(const arrow::DataType& from, const arrow::DataType& to) {
  int from_rank = NumericRank(from.id()), to_rank = NumericRank(to.id());
  if (IsIntegral(from.id()) && IsIntegral(to.id())) return from_rank < to_rank;
  if (from.id() == arrow::Type::FLOAT && to.id() == arrow::Type::DOUBLE) return true;
  if (from_rank >= 1 && from_rank <= 3 && to.id() == arrow::Type::DOUBLE) return true;
  if (IsIntegral(from.id()) && IsDecimal(to)) {
    // Delta asks for decimal(10 + k1, k2) with k1 >= k2 from byte, short and int, and
    // decimal(20 + k1, k2) from long.
    PrecisionScale need = from.id() == arrow::Type::INT64 ? PrecisionScale{20, 0}
                                                          : PrecisionScale{10, 0};
    return Wider(DecimalOf(to), need);
  }
  if (IsDecimal(from) && IsDecimal(to)) {
    return !from.Equals(to) && Wider(DecimalOf(to), DecimalOf(from));
  }
  if (from.id() == arrow::Type::DATE32 && IsNtz(to)) return true;
  return false;
}

bool IsAutomaticTypeWidening(const arrow::DataType& from, const arrow::DataType& to) {
  if (IsIntegral(from.id()) && IsIntegral(to.id())) {
    return NumericRank(from.id()) < NumericRank(to.id());
  }
  if (from.id() == arrow::Type::FLOAT && to.id() == arrow::Type::DOUBLE) return true;
  if (IsDecimal(from) && IsDecimal(to)) {
    return !from.Equals(to) && Wider(DecimalOf(to), DecimalOf(from));
  }
  if (from.id() == arrow::Type::DATE32 && IsNtz(to)) return true;
  return false;
}

Result<std::shared_ptr<arrow::Field>> WidenFieldType(const std::shared_ptr<arrow::Field>& field,
                                                     const std::shared_ptr<arrow::DataType>& to) {
  ASSIGN_OR_RAISE(auto from_json, types::TypeToDeltaJson(*field->type()));
  ASSIGN_OR_RAISE(auto to_json, types::TypeToDeltaJson(*to));
  auto meta = field->metadata() ? field->metadata()->Copy()
                                : std::make_shared<arrow::KeyValueMetadata>();
  nlohmann::json changes = nlohmann::json::array();
  auto existing = meta->Get("delta.typeChanges");
  if (existing.ok()) {
    auto parsed = nlohmann::json::parse(*existing, nullptr, false);
    if (parsed.is_array()) changes = parsed;
  }
  changes.push_back({{"toType", to_json}, {"fromType", from_json}});
  RETURN_NOT_OK(meta->Set("delta.typeChanges", changes.dump()));
  return field->WithType(to)->WithMetadata(meta);
}

}  // namespace basin::delta
