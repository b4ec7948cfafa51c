#include "basin/exec/row_grouper.h"

#include <arrow/compute/exec.h>

namespace basin::exec {

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
  std::vector<arrow::Datum> values(keys.begin(), keys.end());
  arrow::compute::ExecBatch batch(std::move(values), length);
  arrow::compute::ExecSpan span(batch);
  ASSIGN_OR_RAISE(auto ids, grouper_->Consume(span));
  return std::static_pointer_cast<arrow::UInt32Array>(ids.make_array());
}

Result<std::shared_ptr<arrow::UInt32Array>> RowGrouper::Lookup(const arrow::ArrayVector& keys,
                                                               int64_t length) {
  std::vector<arrow::Datum> values(keys.begin(), keys.end());
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
