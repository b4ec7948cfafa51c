// Values: the literal rows of a plan node, handed out in batch_size slices.

#include "basin/exec/operator.h"

namespace basin::exec {

namespace {

class ValuesOperator : public Operator {
 public:
  ValuesOperator(std::shared_ptr<arrow::Schema> schema, std::shared_ptr<arrow::Table> table,
                 int64_t batch_size)
      : table_(std::move(table)), reader_(*table_), batch_size_(batch_size) {
    schema_ = std::move(schema);
    reader_.set_chunksize(batch_size_);
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    std::shared_ptr<arrow::RecordBatch> batch;
    RETURN_NOT_OK(reader_.ReadNext(&batch));
    if (!batch) return batch;
    return ConformBatch(batch, schema_);
  }

 private:
  std::shared_ptr<arrow::Table> table_;
  arrow::TableBatchReader reader_;
  int64_t batch_size_;
};

}  // namespace

Result<OperatorPtr> MakeValues(const plan::PlanNode& node, QueryContext* context) {
  auto table = node.values;
  if (!table) {
    ASSIGN_OR_RAISE(table, arrow::Table::MakeEmpty(node.schema));
  }
  return std::make_unique<ValuesOperator>(node.schema, table,
                                          std::max<int64_t>(1, context->options().batch_size));
}

}  // namespace basin::exec
