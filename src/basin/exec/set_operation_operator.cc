// Set operations. UNION ALL streams the left then the right input. The others treat rows as
// equal when every column is equal or both null (Spark's set semantics): the right input's rows
// are counted per distinct row first, then left rows stream through:
//   UNION          first occurrence of every row of left then right
//   INTERSECT      left rows present on the right, once each
//   INTERSECT ALL  a left row is kept while the right still has an unused copy (min of counts)
//   EXCEPT         left rows absent on the right, once each
//   EXCEPT ALL     a left row is dropped while the right still has an unused copy (difference)

#include <arrow/compute/api.h>

#include "basin/exec/operator.h"
#include "basin/exec/row_grouper.h"

namespace basin::exec {

namespace {

using plan::SetOpKind;

class SetOperationOperator : public Operator {
 public:
  SetOperationOperator(const plan::PlanNode& node, OperatorPtr left, OperatorPtr right,
                       QueryContext* context)
      : kind_(node.set_op),
        all_(node.all),
        left_(std::move(left)),
        right_(std::move(right)),
        context_(context) {
    schema_ = node.schema;
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    while (true) {
      RETURN_NOT_OK(context_->CheckCancel());
      if (kind_ == SetOpKind::kUnion) {
        std::shared_ptr<arrow::RecordBatch> batch;
        if (left_) {
          ASSIGN_OR_RAISE(batch, left_->Next());
          if (!batch) left_.reset();
        }
        if (!batch && right_) {
          ASSIGN_OR_RAISE(batch, right_->Next());
          if (!batch) right_.reset();
        }
        if (!batch) return nullptr;
        if (batch->num_rows() == 0) continue;
        ASSIGN_OR_RAISE(batch, ConformBatch(batch, schema_));
        if (all_) return batch;
        ASSIGN_OR_RAISE(auto columns, NormalizeFloatingKeys(batch->columns()));
        batch = arrow::RecordBatch::Make(batch->schema(), batch->num_rows(), std::move(columns));
        ASSIGN_OR_RAISE(auto ids, Ids(*batch));
        ASSIGN_OR_RAISE(auto kept, Keep(batch, *ids, [this](uint32_t id) {
                          bool first = !emitted_[id];
                          emitted_[id] = true;
                          return first;
                        }));
        if (kept) return kept;
        continue;
      }
      if (right_) RETURN_NOT_OK(CountRight());
      ASSIGN_OR_RAISE(auto batch, left_->Next());
      if (!batch) return nullptr;
      if (batch->num_rows() == 0) continue;
      ASSIGN_OR_RAISE(batch, ConformBatch(batch, schema_));
      // As in Spark (an aggregate over normalized keys), -0.0 comes out as 0.0.
      ASSIGN_OR_RAISE(auto columns, NormalizeFloatingKeys(batch->columns()));
      batch = arrow::RecordBatch::Make(batch->schema(), batch->num_rows(), std::move(columns));
      ASSIGN_OR_RAISE(auto ids, Ids(*batch));
      std::shared_ptr<arrow::RecordBatch> kept;
      if (kind_ == SetOpKind::kIntersect && all_) {
        ASSIGN_OR_RAISE(kept, Keep(batch, *ids, [this](uint32_t id) {
                          if (right_count_[id] == 0) return false;
                          --right_count_[id];
                          return true;
                        }));
      } else if (kind_ == SetOpKind::kIntersect) {
        ASSIGN_OR_RAISE(kept, Keep(batch, *ids, [this](uint32_t id) {
                          if (right_count_[id] == 0 || emitted_[id]) return false;
                          emitted_[id] = true;
                          return true;
                        }));
      } else if (all_) {
        ASSIGN_OR_RAISE(kept, Keep(batch, *ids, [this](uint32_t id) {
                          if (right_count_[id] == 0) return true;
                          --right_count_[id];
                          return false;
                        }));
      } else {
        ASSIGN_OR_RAISE(kept, Keep(batch, *ids, [this](uint32_t id) {
                          if (right_count_[id] != 0 || emitted_[id]) return false;
                          emitted_[id] = true;
                          return true;
                        }));
      }
      if (kept) return kept;
    }
  }

 private:
  Result<std::shared_ptr<arrow::UInt32Array>> Ids(const arrow::RecordBatch& batch) {
    if (!grouper_) {
      std::vector<std::shared_ptr<arrow::DataType>> types;
      for (const auto& field : schema_->fields()) types.push_back(field->type());
      ASSIGN_OR_RAISE(grouper_, RowGrouper::Make(types));
    }
    ASSIGN_OR_RAISE(auto ids, grouper_->Consume(batch.columns(), batch.num_rows()));
    emitted_.resize(grouper_->num_groups(), false);
    right_count_.resize(grouper_->num_groups(), 0);
    return ids;
  }

  Status CountRight() {
    while (true) {
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(auto batch, right_->Next());
      if (!batch) break;
      if (batch->num_rows() == 0) continue;
      ASSIGN_OR_RAISE(batch, ConformBatch(batch, schema_));
      ASSIGN_OR_RAISE(auto ids, Ids(*batch));
      for (int64_t i = 0; i < ids->length(); ++i) ++right_count_[ids->Value(i)];
    }
    right_.reset();
    return Status::OK();
  }

  template <typename Decide>
  Result<std::shared_ptr<arrow::RecordBatch>> Keep(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                   const arrow::UInt32Array& ids, Decide decide) {
    arrow::BooleanBuilder mask;
    RETURN_NOT_OK(mask.Reserve(batch->num_rows()));
    int64_t kept = 0;
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      bool keep = decide(ids.Value(i));
      kept += keep;
      mask.UnsafeAppend(keep);
    }
    if (kept == 0) return std::shared_ptr<arrow::RecordBatch>();
    if (kept == batch->num_rows()) return batch;
    ASSIGN_OR_RAISE(auto mask_array, mask.Finish());
    ASSIGN_OR_RAISE(auto filtered,
                    arrow::compute::Filter(arrow::Datum(batch), arrow::Datum(mask_array)));
    return filtered.record_batch();
  }

  SetOpKind kind_;
  bool all_;
  OperatorPtr left_;
  OperatorPtr right_;
  QueryContext* context_;
  std::unique_ptr<RowGrouper> grouper_;
  std::vector<bool> emitted_;
  std::vector<int64_t> right_count_;
};

}  // namespace

Result<OperatorPtr> MakeSetOperation(const plan::PlanNode& node, OperatorPtr left,
                                     OperatorPtr right, QueryContext* context) {
  if (left->schema()->num_fields() != right->schema()->num_fields()) {
    return UserError("NUM_COLUMNS_MISMATCH",
                     "Set operation can only be performed on inputs with the same number of "
                     "columns, but the first input has " +
                         std::to_string(left->schema()->num_fields()) +
                         " columns and the second input has " +
                         std::to_string(right->schema()->num_fields()) + " columns.");
  }
  return std::make_unique<SetOperationOperator>(node, std::move(left), std::move(right), context);
}

}  // namespace basin::exec
