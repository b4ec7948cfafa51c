#include "basin/exec/row_grouper.h"

#include <cmath>
#include <limits>

#include <arrow/compute/exec.h>

namespace basin::exec {
namespace {

// True when `v` must be rewritten to compare as Spark compares grouping and join keys.
template <typename T>
bool NeedsNormalizing(T v) {
  return std::isnan(v) || (v == 0 && std::signbit(v));
}

template <typename ArrayType, typename BuilderType>
Result<std::shared_ptr<arrow::Array>> NormalizeColumn(const std::shared_ptr<arrow::Array>& column) {
  using T = typename ArrayType::value_type;
  const auto& values = static_cast<const ArrayType&>(*column);
  bool any = false;
  for (int64_t i = 0; i < values.length() && !any; ++i) {
    any = values.IsValid(i) && NeedsNormalizing(values.Value(i));
  }
  if (!any) return column;
  BuilderType builder;
  RETURN_NOT_OK(builder.Reserve(values.length()));
  for (int64_t i = 0; i < values.length(); ++i) {
    if (values.IsNull(i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    T v = values.Value(i);
    if (std::isnan(v)) v = std::numeric_limits<T>::quiet_NaN();
    if (v == 0) v = 0;
    builder.UnsafeAppend(v);
  }
  std::shared_ptr<arrow::Array> out;
  RETURN_NOT_OK(builder.Finish(&out));
  return out;
}

}  // namespace

Result<arrow::ArrayVector> NormalizeFloatingKeys(const arrow::ArrayVector& keys) {
  arrow::ArrayVector out = keys;
  for (auto& column : out) {
    switch (column->type_id()) {
      case arrow::Type::DOUBLE: {
        ASSIGN_OR_RAISE(column, (NormalizeColumn<arrow::DoubleArray, arrow::DoubleBuilder>(column)));
        break;
      }
      case arrow::Type::FLOAT: {
        ASSIGN_OR_RAISE(column, (NormalizeColumn<arrow::FloatArray, arrow::FloatBuilder>(column)));
        break;
      }
      default:
        break;
    }
  }
  return out;
}

Result<std::unique_ptr<RowGrouper>> RowGrouper::Make(
    const std::vector<std::shared_ptr<arrow::DataType>>& types) {
  auto out = std::unique_ptr<RowGrouper>(new RowGrouper());
  out->exec_context_ = std::make_unique<arrow::compute::ExecContext>();
  std::vector<arrow::TypeHolder> holders(types.begin(), types.end());
  auto grouper = arrow::compute::Grouper::Make(holders, out->exec_context_.get());
  if (!grouper.ok()) {
    std::string names;
    for (const auto& type : types) names += (names.empty() ? "" : ", ") + type->ToString();
    return UserError("UNSUPPORTED_FEATURE",
                     "Grouping, joining or comparing rows by keys of type(s) " + names +
                         " is not supported yet: " + grouper.status().message());
  }
  out->grouper_ = std::move(grouper).ValueUnsafe();
  return out;
}

Result<std::shared_ptr<arrow::UInt32Array>> RowGrouper::Consume(const arrow::ArrayVector& keys,
                                                                int64_t length) {
  ASSIGN_OR_RAISE(auto normalized, NormalizeFloatingKeys(keys));
  std::vector<arrow::Datum> values(normalized.begin(), normalized.end());
  arrow::compute::ExecBatch batch(std::move(values), length);
  arrow::compute::ExecSpan span(batch);
  ASSIGN_OR_RAISE(auto ids, grouper_->Consume(span));
  return std::static_pointer_cast<arrow::UInt32Array>(ids.make_array());
}

Result<std::shared_ptr<arrow::UInt32Array>> RowGrouper::Lookup(const arrow::ArrayVector& keys,
                                                               int64_t length) {
  ASSIGN_OR_RAISE(auto normalized, NormalizeFloatingKeys(keys));
  std::vector<arrow::Datum> values(normalized.begin(), normalized.end());
  arrow::compute::ExecBatch batch(std::move(values), length);
  arrow::compute::ExecSpan span(batch);
  ASSIGN_OR_RAISE(auto ids, grouper_->Lookup(span));
  return std::static_pointer_cast<arrow::UInt32Array>(ids.make_array());
}

Result<arrow::ArrayVector> RowGrouper::Uniques() {
  ASSIGN_OR_RAISE(auto batch, grouper_->GetUniques());
  arrow::ArrayVector out;
  for (const auto& value : batch.values) out.push_back(value.make_array());
  return out;
}

}  // namespace basin::exec
