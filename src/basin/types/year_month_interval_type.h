#pragma once

// Spark's year-month interval types carry their start and end fields: INTERVAL YEAR,
// INTERVAL MONTH and INTERVAL YEAR TO MONTH hold the same values (a number of months, Arrow's
// month_interval) but print and report themselves differently. The engine keeps the fields in
// the Arrow type: a month_interval subclass for one-field types, Arrow's own month_interval for
// YEAR TO MONTH. Arrow compares interval types by id only, so every kernel that accepts
// month_interval accepts all three.

#include <memory>
#include <string>

#include <arrow/type.h>

namespace basin::types {

/// A year-month interval field, numbered as Spark's YearMonthIntervalType numbers them.
enum class YearMonthField { kYear = 0, kMonth = 1 };

/// The start and end fields of a year-month interval type.
struct YearMonthFields {
  YearMonthField start = YearMonthField::kYear;
  YearMonthField end = YearMonthField::kMonth;
  bool operator==(const YearMonthFields&) const = default;
};

/// A month_interval that names its fields (INTERVAL YEAR or INTERVAL MONTH).
class YearMonthIntervalType : public arrow::MonthIntervalType {
 public:
  explicit YearMonthIntervalType(YearMonthFields fields) : fields_(fields) {}
  const YearMonthFields& fields() const { return fields_; }
  std::string ToString(bool show_metadata = false) const override;

 private:
  YearMonthFields fields_;
};

/// Returns the year-month interval type with `fields` (Arrow's month_interval for YEAR TO MONTH).
std::shared_ptr<arrow::DataType> YearMonthInterval(YearMonthFields fields);

/// Returns the fields of month_interval `type` (YEAR TO MONTH unless it names others).
YearMonthFields YearMonthFieldsOf(const arrow::DataType& type);

/// Returns Spark's name of the year-month interval type with `fields`: "interval year",
/// "interval month" or "interval year to month".
std::string YearMonthIntervalName(YearMonthFields fields);

/// Returns how CAST(... AS STRING) prints `months` of a year-month interval with `fields`:
/// INTERVAL '10' YEAR, INTERVAL '128' MONTH, INTERVAL '10-8' YEAR TO MONTH.
std::string YearMonthIntervalText(int64_t months, YearMonthFields fields);

}  // namespace basin::types
