#include "basin/types/year_month_interval_type.h"

namespace basin::types {

namespace {

const char* FieldName(YearMonthField field) {
  return field == YearMonthField::kYear ? "year" : "month";
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(c - 'a' + 'A');
  return s;
}

}  // namespace

std::string YearMonthIntervalType::ToString(bool) const { return YearMonthIntervalName(fields_); }

std::shared_ptr<arrow::DataType> YearMonthInterval(YearMonthFields fields) {
  if (fields == YearMonthFields{}) return arrow::month_interval();
  static const auto year = std::make_shared<YearMonthIntervalType>(
      YearMonthFields{YearMonthField::kYear, YearMonthField::kYear});
  static const auto month = std::make_shared<YearMonthIntervalType>(
      YearMonthFields{YearMonthField::kMonth, YearMonthField::kMonth});
  return fields.start == YearMonthField::kYear ? year : month;
}

YearMonthFields YearMonthFieldsOf(const arrow::DataType& type) {
  if (const auto* typed = dynamic_cast<const YearMonthIntervalType*>(&type)) return typed->fields();
  return YearMonthFields{};
}

std::string YearMonthIntervalName(YearMonthFields fields) {
  std::string name = std::string("interval ") + FieldName(fields.start);
  if (fields.end != fields.start) name += std::string(" to ") + FieldName(fields.end);
  return name;
}

std::string YearMonthIntervalText(int64_t months, YearMonthFields fields) {
  const bool negative = months < 0;
  // Through unsigned so the most negative value keeps its magnitude.
  const uint64_t a = negative ? 0 - static_cast<uint64_t>(months) : static_cast<uint64_t>(months);
  const std::string sign = negative ? "-" : "";
  std::string text;
  if (fields.start == YearMonthField::kMonth) {
    text = sign + std::to_string(a);
  } else if (fields.end == YearMonthField::kYear) {
    text = sign + std::to_string(a / 12);
  } else {
    text = sign + std::to_string(a / 12) + "-" + std::to_string(a % 12);
  }
  std::string unit = Upper(FieldName(fields.start));
  if (fields.end != fields.start) unit += " TO " + Upper(FieldName(fields.end));
  return "INTERVAL '" + text + "' " + unit;
}

}  // namespace basin::types
