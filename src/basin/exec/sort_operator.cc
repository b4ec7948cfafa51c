// Sort and top-N. Input batches are buffered with their evaluated key columns; when the memory
// limit says no, the buffer is sorted and written as a run to a spill file, and the runs are
// merged at the end (external merge sort). A top-N keeps only the first N rows while buffering.

#include <functional>

#include <arrow/array/concatenate.h>
#include <arrow/compute/api.h>

#include "basin/exec/operator.h"
#include "basin/exec/row_comparator.h"
#include "basin/exec/spill_file.h"

namespace basin::exec {

namespace {

class SortOperator : public Operator {
 public:
  SortOperator(const plan::PlanNode& node, OperatorPtr child, int64_t limit, QueryContext* context)
      : keys_(node.sort_keys), limit_(limit), child_(std::move(child)), context_(context) {
    schema_ = node.schema;
    for (const auto& key : keys_) orders_.push_back({key.ascending, key.nulls_first});
    batch_size_ = std::max<int64_t>(1, context_->options().batch_size);
  }

  ~SortOperator() override { context_->memory().Release(reserved_); }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    if (!consumed_) {
      RETURN_NOT_OK(ConsumeAll());
      consumed_ = true;
    }
    if (limit_ >= 0 && emitted_ >= limit_) return nullptr;
    std::shared_ptr<arrow::RecordBatch> out;
    if (runs_.empty()) {
      if (!sorted_ || position_ >= sorted_->num_rows()) return nullptr;
      out = sorted_->Slice(position_, batch_size_);
      position_ += out->num_rows();
    } else {
      ASSIGN_OR_RAISE(out, MergeNext());
      if (!out) return nullptr;
    }
    if (limit_ >= 0 && emitted_ + out->num_rows() > limit_) out = out->Slice(0, limit_ - emitted_);
    emitted_ += out->num_rows();
    return StripKeys(out);
  }

 private:
  Result<std::shared_ptr<arrow::RecordBatch>> StripKeys(
      const std::shared_ptr<arrow::RecordBatch>& batch) {
    arrow::ArrayVector columns(batch->columns().begin(),
                               batch->columns().begin() + schema_->num_fields());
    return ConformBatch(arrow::RecordBatch::Make(schema_, batch->num_rows(), std::move(columns)),
                        schema_);
  }

  Status ConsumeAll() {
    while (true) {
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(auto batch, child_->Next());
      if (!batch) break;
      if (batch->num_rows() == 0) continue;
      arrow::ArrayVector columns = batch->columns();
      arrow::FieldVector fields = batch->schema()->fields();
      for (size_t k = 0; k < keys_.size(); ++k) {
        ASSIGN_OR_RAISE(auto key, EvaluateToArray(*keys_[k].expr, *batch, context_->eval(),
                                                  context_->subqueries()));
        if (!checked_) RETURN_NOT_OK(CheckOrderable(*key->type()));
        fields.push_back(arrow::field("__sort_key_" + std::to_string(k), key->type()));
        columns.push_back(std::move(key));
      }
      checked_ = true;
      auto augmented =
          arrow::RecordBatch::Make(arrow::schema(fields), batch->num_rows(), std::move(columns));
      if (!augmented_schema_) augmented_schema_ = augmented->schema();
      int64_t bytes = BatchBytes(*augmented);
      buffer_.push_back(augmented);
      buffered_rows_ += augmented->num_rows();
      if (context_->memory().TryReserve(bytes)) {
        reserved_ += bytes;
      } else {
        RETURN_NOT_OK(SpillBuffer());
      }
      if (limit_ >= 0 && buffered_rows_ > 2 * limit_ + batch_size_) {
        ASSIGN_OR_RAISE(auto sorted, SortBuffer());
        ReleaseAll();
        buffer_ = {sorted};
        buffered_rows_ = sorted->num_rows();
        int64_t sorted_bytes = BatchBytes(*sorted);
        if (context_->memory().TryReserve(sorted_bytes)) reserved_ += sorted_bytes;
      }
    }
    child_.reset();
    if (!runs_.empty()) {
      if (!buffer_.empty()) RETURN_NOT_OK(SpillBuffer());
      return OpenRuns();
    }
    ASSIGN_OR_RAISE(sorted_, SortBuffer());
    return Status::OK();
  }

  void ReleaseAll() {
    context_->memory().Release(reserved_);
    reserved_ = 0;
  }

  // Sorts the buffered batches into one batch (with key columns), keeping `limit_` rows.
  Result<std::shared_ptr<arrow::RecordBatch>> SortBuffer() {
    if (buffer_.empty()) return std::shared_ptr<arrow::RecordBatch>();
    ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches(augmented_schema_, buffer_));
    ASSIGN_OR_RAISE(auto combined, CombineToBatch(*table));
    arrow::ArrayVector keys(combined->columns().begin() + schema_->num_fields(),
                            combined->columns().end());
    auto indices = SortIndices(keys, combined->num_rows(), orders_, limit_);
    arrow::Int64Builder builder;
    RETURN_NOT_OK(builder.AppendValues(indices));
    ASSIGN_OR_RAISE(auto index_array, builder.Finish());
    ASSIGN_OR_RAISE(auto taken,
                    arrow::compute::Take(arrow::Datum(combined), arrow::Datum(index_array)));
    return taken.record_batch();
  }

  Status SpillBuffer() {
    ASSIGN_OR_RAISE(auto sorted, SortBuffer());
    buffer_.clear();
    buffered_rows_ = 0;
    ReleaseAll();
    if (!sorted || sorted->num_rows() == 0) return Status::OK();
    std::string path = context_->NewSpillPath();
    ASSIGN_OR_RAISE(auto writer, SpillWriter::Open(path, augmented_schema_));
    for (int64_t offset = 0; offset < sorted->num_rows(); offset += batch_size_) {
      RETURN_NOT_OK(writer->Write(*sorted->Slice(offset, batch_size_)));
    }
    RETURN_NOT_OK(writer->Close());
    runs_.push_back(path);
    return Status::OK();
  }

  struct Cursor {
    std::unique_ptr<SpillReader> reader;
    int batch_index = 0;
    std::shared_ptr<arrow::RecordBatch> batch;
    arrow::ArrayVector keys;
    int64_t row = 0;
  };

  Status LoadBatch(Cursor* cursor) {
    cursor->batch = nullptr;
    while (cursor->batch_index < cursor->reader->num_batches()) {
      ASSIGN_OR_RAISE(auto batch, cursor->reader->Read(cursor->batch_index++));
      if (batch->num_rows() == 0) continue;
      cursor->batch = batch;
      cursor->keys.assign(batch->columns().begin() + schema_->num_fields(), batch->columns().end());
      cursor->row = 0;
      break;
    }
    return Status::OK();
  }

  Status OpenRuns() {
    for (const auto& path : runs_) {
      auto cursor = std::make_unique<Cursor>();
      ASSIGN_OR_RAISE(cursor->reader, SpillReader::Open(path));
      RETURN_NOT_OK(LoadBatch(cursor.get()));
      if (cursor->batch) cursors_.push_back(std::move(cursor));
    }
    comparator_ = std::make_unique<RowComparator>(orders_);
    for (size_t c = 0; c < cursors_.size(); ++c) heap_.push_back(c);
    std::make_heap(heap_.begin(), heap_.end(), HeapLess());
    return Status::OK();
  }

  // Max-heap ordering reversed: the smallest row (then the lowest run, for stability) on top.
  std::function<bool(size_t, size_t)> HeapLess() {
    return [this](size_t x, size_t y) {
      const Cursor& a = *cursors_[x];
      const Cursor& b = *cursors_[y];
      int c = comparator_->Compare(a.keys, a.row, b.keys, b.row);
      if (c != 0) return c > 0;
      return x > y;
    };
  }

  Result<std::shared_ptr<arrow::RecordBatch>> MergeNext() {
    RETURN_NOT_OK(context_->CheckCancel());
    arrow::RecordBatchVector slices;
    int64_t rows = 0;
    std::shared_ptr<arrow::RecordBatch> run_batch;
    int64_t run_start = 0;
    int64_t run_length = 0;
    auto flush = [&]() {
      if (run_length > 0) slices.push_back(run_batch->Slice(run_start, run_length));
      run_length = 0;
    };
    auto less = HeapLess();
    while (rows < batch_size_ && !heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), less);
      size_t c = heap_.back();
      Cursor& cursor = *cursors_[c];
      if (run_batch != cursor.batch || run_start + run_length != cursor.row) {
        flush();
        run_batch = cursor.batch;
        run_start = cursor.row;
      }
      ++run_length;
      ++rows;
      ++cursor.row;
      if (cursor.row >= cursor.batch->num_rows()) {
        flush();
        RETURN_NOT_OK(LoadBatch(&cursor));
      }
      if (cursor.batch) {
        std::push_heap(heap_.begin(), heap_.end(), less);
      } else {
        heap_.pop_back();
      }
    }
    flush();
    if (slices.empty()) return std::shared_ptr<arrow::RecordBatch>();
    ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches(augmented_schema_, slices));
    return CombineToBatch(*table);
  }

  std::vector<plan::SortKey> keys_;
  std::vector<SortOrder> orders_;
  int64_t limit_;
  OperatorPtr child_;
  QueryContext* context_;
  int64_t batch_size_;
  bool consumed_ = false;
  bool checked_ = false;
  std::shared_ptr<arrow::Schema> augmented_schema_;
  std::vector<std::shared_ptr<arrow::RecordBatch>> buffer_;
  int64_t buffered_rows_ = 0;
  int64_t reserved_ = 0;
  std::vector<std::string> runs_;
  std::vector<std::unique_ptr<Cursor>> cursors_;
  std::vector<size_t> heap_;
  std::unique_ptr<RowComparator> comparator_;
  std::shared_ptr<arrow::RecordBatch> sorted_;
  int64_t position_ = 0;
  int64_t emitted_ = 0;
};

}  // namespace

Result<OperatorPtr> MakeSort(const plan::PlanNode& node, OperatorPtr child, int64_t limit,
                             QueryContext* context) {
  return std::make_unique<SortOperator>(node, std::move(child), limit, context);
}

}  // namespace basin::exec
