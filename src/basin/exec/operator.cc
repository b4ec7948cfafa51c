#include "basin/exec/operator.h"

#include <filesystem>
#include <optional>
#include <random>

#include <arrow/array/concatenate.h>
#include <arrow/compute/api.h>
#include <arrow/util/bit_util.h>
#include <arrow/util/byte_size.h>

#include "basin/exec/shared_result.h"

namespace basin::exec {

bool MemoryTracker::TryReserve(int64_t bytes) {
  int64_t current = used_.load();
  while (true) {
    if (limit_ > 0 && current + bytes > limit_ && bytes > 0) return false;
    if (used_.compare_exchange_weak(current, current + bytes)) break;
  }
  int64_t now = current + bytes;
  int64_t peak = peak_.load();
  while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
  }
  return true;
}

void MemoryTracker::Release(int64_t bytes) { used_.fetch_sub(bytes); }

QueryContext::QueryContext(ExecOptions options)
    : options_(std::move(options)),
      memory_(options_.memory_limit_bytes),
      subqueries_([this](const plan::PlanPtr& subquery) -> Result<std::shared_ptr<arrow::Table>> {
        // Subqueries share this query's settings, limit and cancel flag.
        ASSIGN_OR_RAISE(auto op, BuildOperator(subquery, this));
        ASSIGN_OR_RAISE(auto table, DrainToTable(op.get()));
        return table;
      }) {
  int threads = std::max(1, options_.threads);
  pool_ = arrow::internal::ThreadPool::Make(threads).ValueOr(nullptr);
  spill_dir_ = options_.spill_dir;
  if (spill_dir_.empty()) {
    std::error_code ec;
    spill_dir_ = std::filesystem::temp_directory_path(ec).string();
    if (ec) spill_dir_ = "/tmp";
  }
}

QueryContext::~QueryContext() {
  shared_results_.clear();  // gives their bytes back while the tracker is alive
  std::error_code ec;
  for (const auto& path : spill_files_) std::filesystem::remove(path, ec);
}

Status QueryContext::CheckCancel() const {
  if (options_.cancel && options_.cancel->load()) {
    return UserError("OPERATION_CANCELED", "The operation has been canceled.");
  }
  return Status::OK();
}

void QueryContext::AddRead(int64_t rows, int64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  progress_.rows_read += rows;
  progress_.bytes_read += bytes;
  if (options_.progress) options_.progress(progress_);
}

void QueryContext::AddProduced(int64_t rows) {
  std::lock_guard<std::mutex> lock(mutex_);
  progress_.rows_produced += rows;
  if (options_.progress) options_.progress(progress_);
}

std::string QueryContext::NewSpillPath() {
  std::lock_guard<std::mutex> lock(mutex_);
  static std::atomic<uint64_t> counter{0};
  std::random_device device;
  std::error_code ec;
  std::filesystem::create_directories(spill_dir_, ec);
  std::string path =
      (std::filesystem::path(spill_dir_) / ("basin-spill-" + std::to_string(device()) + "-" +
                                            std::to_string(counter.fetch_add(1)) + ".arrow"))
          .string();
  spill_files_.push_back(path);
  spill_count_.fetch_add(1);
  progress_.spill_files += 1;
  if (options_.progress) options_.progress(progress_);
  return path;
}

void QueryContext::FindSharedSubplans(const plan::PlanNode& plan) {
  if (!options_.reuse_subplans) return;
  shared_subplans_ = SharedSubplans::Find(plan);
  shared_results_.clear();
  for (int group = 0; group < shared_subplans_.size(); ++group) {
    shared_results_.push_back(
        std::make_unique<SharedResult>(shared_subplans_.consumers(group), this));
  }
}

SharedResult* QueryContext::SharedResultOf(const plan::PlanNode* node) {
  const int group = shared_subplans_.GroupOf(node);
  return group < 0 ? nullptr : shared_results_[group].get();
}

void QueryContext::AddShared(bool reused) {
  std::lock_guard<std::mutex> lock(mutex_);
  (reused ? progress_.reused_results : progress_.shared_results) += 1;
  if (options_.progress) options_.progress(progress_);
}

Result<std::shared_ptr<arrow::Table>> DrainToTable(Operator* op) {
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  while (true) {
    ASSIGN_OR_RAISE(auto batch, op->Next());
    if (!batch) break;
    if (batch->num_rows() > 0) batches.push_back(std::move(batch));
  }
  return arrow::Table::FromRecordBatches(op->schema(), batches);
}

Result<std::shared_ptr<arrow::Array>> ToArray(const arrow::Datum& datum, int64_t length) {
  if (datum.is_scalar()) return arrow::MakeArrayFromScalar(*datum.scalar(), length);
  if (datum.is_array()) return datum.make_array();
  if (datum.is_chunked_array()) {
    auto chunks = datum.chunked_array()->chunks();
    if (chunks.size() == 1) return chunks[0];
    if (chunks.empty()) return arrow::MakeArrayOfNull(datum.type(), 0);
    return arrow::Concatenate(chunks);
  }
  return InternalError("datum is neither an array nor a scalar");
}

Result<std::shared_ptr<arrow::RecordBatch>> ConformBatch(
    const std::shared_ptr<arrow::RecordBatch>& batch,
    const std::shared_ptr<arrow::Schema>& schema) {
  if (batch->schema()->Equals(*schema, /*check_metadata=*/false)) return batch;
  if (batch->num_columns() != schema->num_fields()) {
    return InternalError("operator produced " + std::to_string(batch->num_columns()) +
                         " columns, the plan says " + std::to_string(schema->num_fields()));
  }
  arrow::ArrayVector columns;
  for (int i = 0; i < batch->num_columns(); ++i) {
    auto column = batch->column(i);
    const auto& type = schema->field(i)->type();
    if (!column->type()->Equals(*type)) {
      ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(column, type));
      column = cast.make_array();
    }
    columns.push_back(std::move(column));
  }
  return arrow::RecordBatch::Make(schema, batch->num_rows(), std::move(columns));
}

Result<std::shared_ptr<arrow::RecordBatch>> CombineToBatch(const arrow::Table& table) {
  ASSIGN_OR_RAISE(auto combined, table.CombineChunksToBatch());
  return combined;
}

Result<std::shared_ptr<arrow::Array>> RowIndices(const std::vector<int64_t>& rows) {
  arrow::Int64Builder builder;
  RETURN_NOT_OK(builder.Reserve(static_cast<int64_t>(rows.size())));
  for (int64_t r : rows) {
    if (r < 0) {
      builder.UnsafeAppendNull();
    } else {
      builder.UnsafeAppend(r);
    }
  }
  return builder.Finish();
}

Result<std::shared_ptr<arrow::Array>> TakeRows(const arrow::Array& values,
                                               const std::vector<int64_t>& rows) {
  ASSIGN_OR_RAISE(auto indices, RowIndices(rows));
  return arrow::compute::Take(values, *indices);
}

namespace {

// The bytes a flat column of a fixed-width or string type references, as ReferencedBufferSize
// counts them, without its general walk (which builds and sorts arrays of byte ranges: a
// visible cost when every scanned batch is counted); nullopt for the other types.
std::optional<int64_t> FlatColumnBytes(const arrow::ArrayData& data) {
  const auto id = data.type->id();
  if (data.buffers.empty() || !data.child_data.empty() || data.dictionary) return std::nullopt;
  int64_t bytes = data.buffers[0] ? arrow::bit_util::CoveringBytes(data.offset, data.length) : 0;
  if (data.buffers.size() < 2 || !data.buffers[1]) return std::nullopt;
  if (id == arrow::Type::BOOL)
    return bytes + arrow::bit_util::CoveringBytes(data.offset, data.length);
  if (arrow::is_primitive(id) || id == arrow::Type::DECIMAL128 || id == arrow::Type::DECIMAL256) {
    const int width = data.type->byte_width();
    if (width <= 0 || data.buffers.size() != 2) return std::nullopt;
    return bytes + data.length * width;
  }
  auto strings = [&](auto offset_type) -> std::optional<int64_t> {
    using Offset = decltype(offset_type);
    if (data.buffers.size() != 3 || !data.buffers[2]) return std::nullopt;
    const Offset* offsets = data.GetValues<Offset>(1);
    return bytes + data.length * static_cast<int64_t>(sizeof(Offset)) +
           static_cast<int64_t>(offsets[data.length] - offsets[0]);
  };
  if (id == arrow::Type::STRING || id == arrow::Type::BINARY) return strings(int32_t{0});
  if (id == arrow::Type::LARGE_STRING || id == arrow::Type::LARGE_BINARY) {
    return strings(int64_t{0});
  }
  return std::nullopt;
}

}  // namespace

int64_t BatchBytes(const arrow::RecordBatch& batch) {
  int64_t total = 0;
  for (const auto& column : batch.columns()) {
    if (auto flat = FlatColumnBytes(*column->data())) {
      total += *flat;
      continue;
    }
    // Only the bytes the (possibly sliced) column references: a slice of a large array counted
    // with TotalBufferSize would count the whole parent buffer once per slice.
    auto referenced = arrow::util::ReferencedBufferSize(*column->data());
    total += referenced.ok() ? *referenced
                             : static_cast<int64_t>(arrow::util::TotalBufferSize(*column->data()));
  }
  return total;
}

Result<OperatorPtr> BuildOperator(const plan::PlanPtr& plan, QueryContext* context) {
  if (SharedResult* shared = context->SharedResultOf(plan.get())) {
    return MakeSharedResult(plan, shared, context);
  }
  return BuildNodeOperator(plan, context);
}

Result<OperatorPtr> BuildNodeOperator(const plan::PlanPtr& plan, QueryContext* context) {
  using plan::PlanKind;
  const plan::PlanNode& node = *plan;
  auto child = [&](size_t i) -> Result<OperatorPtr> {
    if (i >= node.children.size() || !node.children[i]) {
      return InternalError("plan node is missing child " + std::to_string(i));
    }
    return BuildOperator(node.children[i], context);
  };
  switch (node.kind) {
    case PlanKind::kScan:
      return MakeScan(node, context);
    case PlanKind::kValues:
      return MakeValues(node, context);
    case PlanKind::kRange:
      return MakeRange(node, context);
    case PlanKind::kProject: {
      ASSIGN_OR_RAISE(auto input, child(0));
      return MakeProject(node, std::move(input), context);
    }
    case PlanKind::kFilter: {
      if (!node.children.empty() && node.children[0] &&
          context->SharedResultOf(node.children[0].get()) == nullptr) {
        ASSIGN_OR_RAISE(auto scan, MakeFilteredScan(node, context));
        if (scan) return scan;
      }
      ASSIGN_OR_RAISE(auto input, child(0));
      return MakeFilter(node, std::move(input), context);
    }
    case PlanKind::kAggregate: {
      ASSIGN_OR_RAISE(auto input, child(0));
      return MakeAggregate(node, std::move(input), context);
    }
    case PlanKind::kWindow: {
      ASSIGN_OR_RAISE(auto input, child(0));
      return MakeWindow(node, std::move(input), context);
    }
    case PlanKind::kJoin: {
      ASSIGN_OR_RAISE(auto left, child(0));
      ASSIGN_OR_RAISE(auto right, child(1));
      return MakeHashJoin(node, std::move(left), std::move(right), context);
    }
    case PlanKind::kSort: {
      ASSIGN_OR_RAISE(auto input, child(0));
      return MakeSort(node, std::move(input), -1, context);
    }
    case PlanKind::kLimit: {
      // Sort under Limit becomes a top-N sort that keeps offset + limit rows. Projections
      // between them work row by row, so they run on the kept rows only, as in Spark's
      // TakeOrderedAndProject.
      std::vector<const plan::PlanNode*> projects;
      const plan::PlanNode* below = node.children.empty() ? nullptr : node.children[0].get();
      while (below && below->kind == PlanKind::kProject && !below->children.empty()) {
        projects.push_back(below);
        below = below->children[0].get();
      }
      if (node.limit >= 0 && below && below->kind == PlanKind::kSort) {
        if (below->children.empty()) return InternalError("Sort without input");
        ASSIGN_OR_RAISE(auto sort_input, BuildOperator(below->children[0], context));
        ASSIGN_OR_RAISE(OperatorPtr top, MakeSort(*below, std::move(sort_input),
                                                  node.limit + node.offset, context));
        for (auto it = projects.rbegin(); it != projects.rend(); ++it) {
          ASSIGN_OR_RAISE(top, MakeProject(**it, std::move(top), context));
        }
        return MakeLimit(node, std::move(top), context);
      }
      ASSIGN_OR_RAISE(auto input, child(0));
      return MakeLimit(node, std::move(input), context);
    }
    case PlanKind::kSetOp: {
      ASSIGN_OR_RAISE(auto left, child(0));
      ASSIGN_OR_RAISE(auto right, child(1));
      return MakeSetOperation(node, std::move(left), std::move(right), context);
    }
    case PlanKind::kGenerate: {
      ASSIGN_OR_RAISE(auto input, child(0));
      return MakeGenerate(node, std::move(input), context);
    }
    case PlanKind::kDistinct: {
      ASSIGN_OR_RAISE(auto input, child(0));
      return MakeDistinct(node, std::move(input), context);
    }
    case PlanKind::kSample: {
      ASSIGN_OR_RAISE(auto input, child(0));
      return MakeSample(node, std::move(input), context);
    }
  }
  return InternalError("unknown plan node kind");
}

}  // namespace basin::exec
