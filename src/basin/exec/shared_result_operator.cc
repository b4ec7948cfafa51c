#include "basin/exec/shared_result.h"

#include "basin/exec/operator.h"

namespace basin::exec {
namespace {

// With no memory limit, shared results still keep at most this many bytes per query: keeping
// rows that a pipeline would have streamed must not take the machine's memory.
constexpr int64_t kMaxHeldWithoutLimit = int64_t{1} << 30;

}  // namespace

SharedResult::~SharedResult() {
  std::lock_guard<std::mutex> lock(mutex_);
  DropLocked();
}

SharedResult::State SharedResult::Claim() {
  std::lock_guard<std::mutex> lock(mutex_);
  const State state = state_;
  if (state_ == State::kUnstarted) state_ = State::kComputing;
  return state;
}

bool SharedResult::TryHold(std::shared_ptr<arrow::RecordBatch> batch, int64_t bytes) {
  const int64_t held = context_->shared_bytes_.fetch_add(bytes) + bytes;
  if ((context_->memory().limit() <= 0 && held > kMaxHeldWithoutLimit) ||
      !context_->memory().TryReserve(bytes)) {
    context_->shared_bytes_.fetch_sub(bytes);
    return false;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  batches_.push_back(std::move(batch));
  reserved_bytes_ += bytes;
  return true;
}

void SharedResult::Finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (state_ == State::kComputing) state_ = State::kReady;
}

std::vector<std::shared_ptr<arrow::RecordBatch>> SharedResult::Abandon(int64_t* reserved_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  state_ = State::kDropped;
  *reserved_bytes = reserved_bytes_;
  reserved_bytes_ = 0;
  return std::move(batches_);
}

std::vector<std::shared_ptr<arrow::RecordBatch>> SharedResult::batches() {
  std::lock_guard<std::mutex> lock(mutex_);
  return batches_;
}

void SharedResult::Leave() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (--readers_ <= 0) DropLocked();
}

void SharedResult::DropLocked() {
  if (state_ != State::kComputing) state_ = State::kDropped;
  batches_.clear();
  if (reserved_bytes_ > 0) {
    Release(reserved_bytes_);
    reserved_bytes_ = 0;
  }
}

void SharedResult::Release(int64_t bytes) {
  context_->memory().Release(bytes);
  context_->shared_bytes_.fetch_sub(bytes);
}

namespace {

// Whether the subplan's output comes from a blocking operator (through projections, filters
// and limits), which reads all its input before its first batch anyway: then computing the
// whole output first costs nothing more.
bool EndsInBlockingOperator(const plan::PlanNode& node) {
  const plan::PlanNode* top = &node;
  while ((top->kind == plan::PlanKind::kProject || top->kind == plan::PlanKind::kFilter ||
          top->kind == plan::PlanKind::kLimit) &&
         !top->children.empty() && top->children[0]) {
    top = top->children[0].get();
  }
  switch (top->kind) {
    case plan::PlanKind::kAggregate:
    case plan::PlanKind::kSort:
    case plan::PlanKind::kWindow:
    case plan::PlanKind::kDistinct:
      return true;
    default:
      return false;
  }
}

// One occurrence of a shared subplan; the first to run computes it, the others replay it.
// When the subplan ends in a blocking operator, the first computes the whole output before
// handing out its first batch, so that every other occurrence, even one in a subquery that a
// consumer of this one evaluates on its first batch (TPC-H q15), finds the rows ready. Otherwise
// (a filtered scan, a join) it keeps each batch as it hands it out, so a consumer that stops
// early (a LIMIT) has not read the whole subplan for nothing; an occurrence that starts before
// the rows are complete computes the subplan itself, as does every occurrence once the rows did
// not fit.
class SharedResultOperator : public Operator {
 public:
  SharedResultOperator(plan::PlanPtr plan, SharedResult* result, QueryContext* context)
      : plan_(std::move(plan)), result_(result), context_(context) {
    schema_ = plan_->schema;
  }

  ~SharedResultOperator() override {
    if (streaming_) StopHolding();  // stopped before the end: the kept rows are incomplete
    ReleaseAbandoned();
    result_->Leave();
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    if (!started_) {
      started_ = true;
      RETURN_NOT_OK(Start());
    }
    if (streaming_) return NextStreamed();
    if (next_ < batches_.size()) return batches_[next_++];
    batches_.clear();
    ReleaseAbandoned();
    if (own_) return own_->Next();
    return nullptr;
  }

 private:
  Status Start() {
    switch (result_->Claim()) {
      case SharedResult::State::kUnstarted: {
        if (!EndsInBlockingOperator(*plan_)) {
          Status status = BuildNodeOperator(plan_, context_).Value(&own_);
          if (!status.ok()) {
            int64_t bytes = 0;
            result_->Abandon(&bytes);
            return status;
          }
          streaming_ = true;
          return Status::OK();
        }
        Status status = Compute();
        if (!status.ok()) {
          batches_ = result_->Abandon(&abandoned_bytes_);
          ReleaseAbandoned();
          batches_.clear();
        }
        return status;
      }
      case SharedResult::State::kReady:
        batches_ = result_->batches();
        context_->AddShared(/*reused=*/true);
        return Status::OK();
      case SharedResult::State::kComputing:
      case SharedResult::State::kDropped:
        break;
    }
    ASSIGN_OR_RAISE(own_, BuildNodeOperator(plan_, context_));
    return Status::OK();
  }

  Result<std::shared_ptr<arrow::RecordBatch>> NextStreamed() {
    auto next = own_->Next();
    if (!next.ok()) {
      StopHolding();
      return next.status();
    }
    std::shared_ptr<arrow::RecordBatch> batch = *next;
    if (!batch) {
      streaming_ = false;
      result_->Finish();
      context_->AddShared(/*reused=*/false);
      return batch;
    }
    if (batch->num_rows() > 0 && !result_->TryHold(batch, BatchBytes(*batch))) StopHolding();
    return batch;
  }

  // Gives up keeping the rows of a streamed computation (it reads on without keeping them).
  void StopHolding() {
    streaming_ = false;
    int64_t bytes = 0;
    result_->Abandon(&bytes);
    if (bytes > 0) result_->Release(bytes);
  }

  Status Compute() {
    ASSIGN_OR_RAISE(auto input, BuildNodeOperator(plan_, context_));
    while (true) {
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(auto batch, input->Next());
      if (!batch) break;
      if (batch->num_rows() == 0) continue;
      if (!result_->TryHold(batch, BatchBytes(*batch))) {
        // Too large to keep: hand out what was read (its bytes stay reserved until then), then
        // read on.
        batches_ = result_->Abandon(&abandoned_bytes_);
        batches_.push_back(std::move(batch));
        own_ = std::move(input);
        return Status::OK();
      }
    }
    result_->Finish();
    batches_ = result_->batches();
    context_->AddShared(/*reused=*/false);
    return Status::OK();
  }

  void ReleaseAbandoned() {
    if (abandoned_bytes_ == 0) return;
    result_->Release(abandoned_bytes_);
    abandoned_bytes_ = 0;
  }

  plan::PlanPtr plan_;
  SharedResult* result_;
  QueryContext* context_;
  bool started_ = false;
  /// The first occurrence of a subplan that does not end in a blocking operator, keeping each
  /// batch of `own_` as it hands it out.
  bool streaming_ = false;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches_;
  size_t next_ = 0;
  /// Bytes reserved for batches held before the result was abandoned, released once they are out.
  int64_t abandoned_bytes_ = 0;
  /// The subplan's own operator when this occurrence computes it itself.
  OperatorPtr own_;
};

}  // namespace

Result<OperatorPtr> MakeSharedResult(const plan::PlanPtr& plan, SharedResult* result,
                                     QueryContext* context) {
  return std::make_unique<SharedResultOperator>(plan, result, context);
}

}  // namespace basin::exec
