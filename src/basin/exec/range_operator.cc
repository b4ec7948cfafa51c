// Range: the bigint column `id` of range(start, end, step), made batch by batch.

#include "basin/exec/operator.h"

namespace basin::exec {

namespace {

class RangeOperator : public Operator {
 public:
  RangeOperator(std::shared_ptr<arrow::Schema> schema, int64_t start, int64_t end, int64_t step,
                int64_t batch_size)
      : next_(start), end_(end), step_(step), batch_size_(batch_size) {
    schema_ = std::move(schema);
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    arrow::Int64Builder ids;
    RETURN_NOT_OK(ids.Reserve(batch_size_));
    while (ids.length() < batch_size_ && (step_ > 0 ? next_ < end_ : next_ > end_)) {
      ids.UnsafeAppend(next_);
      // Stop instead of wrapping around at the ends of bigint.
      if (__builtin_add_overflow(next_, step_, &next_)) {
        next_ = end_;
      }
    }
    if (ids.length() == 0) return std::shared_ptr<arrow::RecordBatch>();
    ASSIGN_OR_RAISE(auto array, ids.Finish());
    return arrow::RecordBatch::Make(schema_, array->length(), {array});
  }

 private:
  int64_t next_;
  int64_t end_;
  int64_t step_;
  int64_t batch_size_;
};

}  // namespace

Result<OperatorPtr> MakeRange(const plan::PlanNode& node, QueryContext* context) {
  if (node.range_step == 0) {
    return UserError("FAILED_FUNCTION_CALL", "The step of range() must not be 0.");
  }
  return std::make_unique<RangeOperator>(node.schema, node.range_start, node.range_end,
                                         node.range_step,
                                         std::max<int64_t>(1, context->options().batch_size));
}

}  // namespace basin::exec
