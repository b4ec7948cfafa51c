// Joins. The right input is the build side: it is read whole, its equi-join keys get dense ids
// from a RowGrouper and a list of rows per id. Left batches probe it (Lookup), candidate pairs
// are checked against the residual condition, and the join type decides what comes out; right
// and full joins remember which build rows matched and emit the others at the end. Null keys
// never match (except under <=>). Without equi keys every right row is a candidate: that is the
// nested-loop join (cross joins, non-equi conditions).
//
// Grace spill: when the build side does not fit the memory limit, both inputs are split into
// hash partitions of spill files by their keys, and each pair of partitions is joined in turn.

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>

#include <arrow/array/concatenate.h>
#include <arrow/compute/api.h>

#include "basin/exec/join_condition.h"
#include "basin/exec/integer_keys.h"
#include "basin/exec/join_key_table.h"
#include "basin/exec/key_filter.h"
#include "basin/exec/operator.h"
#include "basin/exec/remap_columns.h"
#include "basin/exec/ordered_batch_map.h"
#include "basin/exec/row_grouper.h"
#include "basin/exec/row_hash.h"
#include "basin/exec/spill_file.h"

namespace basin::exec {

namespace {

using plan::JoinType;

constexpr int kJoinPartitions = 8;

// What a join emits besides its pairs: for a semi or anti join whose left side is the smaller
// one, the left side is built and the right side probes; the build rows that matched (semi) or
// did not (anti) come out at the end.
enum class BuildOutput { kNone, kSemi, kAnti };

// Takes `rows` of `batch`; a row index of -1 gives an all-null row.
Result<arrow::ArrayVector> TakeColumns(const arrow::RecordBatch& batch,
                                       const std::vector<int64_t>& rows) {
  ASSIGN_OR_RAISE(auto indices, RowIndices(rows));
  arrow::ArrayVector out;
  for (const auto& column : batch.columns()) {
    ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(*column, *indices));
    out.push_back(std::move(taken));
  }
  return out;
}

// Hands out batches already read from an operator, then (when given) the operator's others.
class ReplayOperator : public Operator {
 public:
  ReplayOperator(std::shared_ptr<arrow::Schema> schema,
                 std::deque<std::shared_ptr<arrow::RecordBatch>> read, OperatorPtr rest)
      : read_(std::move(read)), rest_(std::move(rest)) {
    schema_ = std::move(schema);
  }
  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    if (!read_.empty()) {
      auto batch = std::move(read_.front());
      read_.pop_front();
      return batch;
    }
    if (rest_) return rest_->Next();
    return nullptr;
  }

 private:
  std::deque<std::shared_ptr<arrow::RecordBatch>> read_;
  OperatorPtr rest_;
};

class JoinOperator : public Operator {
 public:
  JoinOperator(const plan::PlanNode& node, OperatorPtr left, OperatorPtr right,
               std::vector<EquiKey> keys, plan::ExprPtr residual, QueryContext* context,
               BuildOutput build_output)
      : type_(node.join_type),
        build_output_(build_output),
        left_(std::move(left)),
        right_(std::move(right)),
        keys_(std::move(keys)),
        residual_(std::move(residual)),
        context_(context) {
    schema_ = node.schema;
    batch_size_ = std::max<int64_t>(1, context_->options().batch_size);
    right_width_ = right_->schema()->num_fields();
    arrow::FieldVector fields = left_->schema()->fields();
    for (const auto& field : right_->schema()->fields()) fields.push_back(field);
    pair_schema_ = arrow::schema(fields);
  }

  ~JoinOperator() override {
    probe_map_.reset();  // waits for probe tasks, which use the members below
    context_->memory().Release(reserved_);
  }

  // Output columns from one side: the filter goes on to that side; when the probe side cannot
  // use it, probe rows are filtered here before they are looked up. Dropping a row of one side
  // only removes output rows that carry its key (or, in outer joins, adds rows whose key
  // columns are null, which a key filter drops too), so this is always allowed.
  bool PushKeyFilter(const std::vector<int>& columns,
                     const std::shared_ptr<const KeyFilter>& filter) override {
    if (started_ || build_output_ != BuildOutput::kNone || columns.empty()) return false;
    const bool semi_anti = type_ == JoinType::kLeftSemi || type_ == JoinType::kLeftAnti;
    const int left_width = left_->schema()->num_fields();
    bool all_left = true, all_right = !semi_anti;
    for (int c : columns) {
      all_left = all_left && c >= 0 && c < left_width;
      all_right = all_right && c >= left_width && c < left_width + right_width_;
    }
    if (all_left) {
      if (left_->PushKeyFilter(columns, filter)) return true;
      if (filter) {
        probe_filter_ = filter;
        probe_filter_columns_ = columns;
      }
      return true;
    }
    if (all_right) {
      std::vector<int> shifted;
      for (int c : columns) shifted.push_back(c - left_width);
      if (right_->PushKeyFilter(shifted, filter)) return true;
      if (!filter) return false;
      // The build child cannot drop those rows itself: the build side is filtered as it is
      // read, so that a selective join above (supplier's nation in TPC-H q11, q20, q21) also
      // shrinks this join's table and the probe rows it matches. Every output row carries its
      // build keys, so rows whose keys fail would be dropped above anyway (unmatched build rows
      // of right and full joins too).
      build_filter_ = filter;
      build_filter_columns_ = shifted;
      return true;
    }
    return false;
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    while (true) {
      RETURN_NOT_OK(context_->CheckCancel());
      if (!pending_.empty()) {
        auto batch = pending_.front();
        pending_.pop_front();
        return ConformBatch(batch, schema_);
      }
      if (finished_) return nullptr;
      RETURN_NOT_OK(Step());
    }
  }

 private:
  // Advances the join by one probe batch (or one partition switch).
  Status Step() {
    if (!started_) {
      started_ = true;
      RETURN_NOT_OK(FilterBuildByProbeKeys());
      RETURN_NOT_OK(ReadBuild());
      if (partitioned_) {
        RETURN_NOT_OK(PartitionProbe());
        return LoadPartition();
      }
      RETURN_NOT_OK(BuildTable(build_));
      FilterProbeByBuildKeys();
      return Status::OK();
    }
    if (ParallelProbe()) {
      if (!probe_map_) {
        for (const auto& key : keys_) RETURN_NOT_OK(PrepareSubqueries(*key.left, context_));
        if (residual_) RETURN_NOT_OK(PrepareSubqueries(*residual_, context_));
        probe_map_ = std::make_unique<OrderedBatchMap>(
            left_.get(),
            [this](const std::shared_ptr<arrow::RecordBatch>& batch) { return ProbeToBatch(*batch); },
            context_);
      }
      ASSIGN_OR_RAISE(auto out, probe_map_->Next());
      if (out) {
        pending_.push_back(std::move(out));
        return Status::OK();
      }
      probe_map_.reset();
      RETURN_NOT_OK(EmitUnmatchedBuild());
      finished_ = true;
      left_.reset();
      return Status::OK();
    }
    std::shared_ptr<arrow::RecordBatch> probe;
    if (partitioned_) {
      if (probe_reader_ && probe_batch_ < probe_reader_->num_batches()) {
        ASSIGN_OR_RAISE(probe, probe_reader_->Read(probe_batch_++));
      }
    } else if (left_) {
      ASSIGN_OR_RAISE(probe, left_->Next());
    }
    if (probe) {
      std::vector<std::shared_ptr<arrow::RecordBatch>> out;
      RETURN_NOT_OK(Probe(*probe, &build_matched_, &out));
      for (auto& batch : out) pending_.push_back(std::move(batch));
      return Status::OK();
    }
    RETURN_NOT_OK(EmitUnmatchedBuild());
    if (partitioned_ && partition_ < kJoinPartitions) return LoadPartition();
    finished_ = true;
    left_.reset();
    return Status::OK();
  }

  // The equi keys of one side as plain columns of that side, when they all are and are
  // integer-like (JoinKeyTable keys) and none is null-safe.
  std::optional<std::vector<int>> KeyColumns(bool build) const {
    std::vector<int> columns;
    std::vector<std::shared_ptr<arrow::DataType>> types;
    for (const auto& key : keys_) {
      const plan::Expr& expr = build ? *key.right : *key.left;
      if (key.null_safe || expr.kind != plan::ExprKind::kColumn) return std::nullopt;
      columns.push_back(expr.column_index);
      types.push_back(key.left->type);
    }
    if (columns.empty() || !IsIntegerKey(types)) return std::nullopt;
    return columns;
  }

  std::vector<std::shared_ptr<arrow::DataType>> ProbeKeyTypes() const {
    std::vector<std::shared_ptr<arrow::DataType>> types;
    for (const auto& key : keys_) types.push_back(key.left->type);
    return types;
  }

  // Probe rows whose keys the build side lacks produce nothing in inner, right and semi joins
  // (and when the build rows are the output): the build keys filter the probe side, which
  // drops them before grouping when it is an aggregate over those keys (q17).
  void FilterProbeByBuildKeys() {
    if (!key_table_ || partitioned_) return;
    if (type_ != JoinType::kInner && type_ != JoinType::kRight && type_ != JoinType::kLeftSemi) {
      return;
    }
    auto columns = KeyColumns(/*build=*/false);
    if (!columns) return;
    left_->PushKeyFilter(*columns, std::make_shared<KeyFilter>(key_table_, ProbeKeyTypes()));
  }

  // Build rows whose keys no probe row has produce nothing unless unmatched build rows are
  // output (right and full joins, the anti build output). When the build side would drop rows
  // by a key filter (an aggregate over the keys: q02, q20), the probe side is read first, if it
  // is small, and its keys filter the build side. Otherwise whatever was read of the probe side
  // is handed out first when probing.
  Status FilterBuildByProbeKeys() {
    if (type_ == JoinType::kRight || type_ == JoinType::kFull ||
        build_output_ == BuildOutput::kAnti) {
      return Status::OK();
    }
    auto build_columns = KeyColumns(/*build=*/true);
    auto probe_columns = KeyColumns(/*build=*/false);
    if (!build_columns || !probe_columns) return Status::OK();
    if (!right_->PushKeyFilter(*build_columns, nullptr)) return Status::OK();
    constexpr int64_t kMaxRows = int64_t{1} << 20;
    std::deque<std::shared_ptr<arrow::RecordBatch>> read;
    int64_t rows = 0;
    bool ended = false;
    while (rows < kMaxRows) {
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(auto batch, left_->Next());
      if (!batch) {
        ended = true;
        break;
      }
      const int64_t bytes = BatchBytes(*batch);
      if (!context_->memory().TryReserve(bytes)) {
        read.push_back(std::move(batch));
        break;
      }
      reserved_ += bytes;
      rows += batch->num_rows();
      read.push_back(std::move(batch));
    }
    if (ended) {
      // The probe side's keys, all of them, in one table.
      arrow::ArrayVector keys(keys_.size());
      std::vector<arrow::ArrayVector> parts(keys_.size());
      for (const auto& batch : read) {
        ASSIGN_OR_RAISE(auto batch_keys, EvalKeys(*batch, /*build=*/false));
        for (size_t k = 0; k < keys_.size(); ++k) parts[k].push_back(batch_keys[k]);
      }
      for (size_t k = 0; k < keys_.size(); ++k) {
        if (parts[k].empty()) {
          ASSIGN_OR_RAISE(keys[k], arrow::MakeEmptyArray(keys_[k].left->type));
        } else {
          ASSIGN_OR_RAISE(keys[k], arrow::Concatenate(parts[k]));
        }
      }
      auto table = std::make_shared<JoinKeyTable>();
      std::vector<uint32_t> ids;
      RETURN_NOT_OK(table->Build(keys, rows, &ids));
      right_->PushKeyFilter(*build_columns, std::make_shared<KeyFilter>(table, ProbeKeyTypes()));
    }
    auto schema = left_->schema();
    left_ = std::make_unique<ReplayOperator>(std::move(schema), std::move(read),
                                             ended ? nullptr : std::move(left_));
    return Status::OK();
  }

  Status ReadBuild() {
    std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
    while (true) {
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(auto batch, right_->Next());
      if (!batch) break;
      if (build_filter_ && batch->num_rows() > 0) {
        arrow::ArrayVector keys;
        for (int c : build_filter_columns_) keys.push_back(batch->column(c));
        ASSIGN_OR_RAISE(auto keep, build_filter_->Keep(keys, batch->num_rows()));
        if (keep->true_count() < batch->num_rows()) {
          ASSIGN_OR_RAISE(auto filtered,
                          arrow::compute::Filter(arrow::Datum(batch), arrow::Datum(keep)));
          batch = filtered.record_batch();
        }
      }
      if (batch->num_rows() == 0) continue;
      int64_t bytes = BatchBytes(*batch);
      // A nested-loop join (no keys) cannot partition and keeps its build side in memory.
      if (!partitioned_ && !keys_.empty()) {
        if (context_->memory().TryReserve(bytes)) {
          reserved_ += bytes;
        } else {
          // Over the limit: switch to grace partitioning.
          RETURN_NOT_OK(StartPartitions(&batches));
          context_->memory().Release(reserved_);
          reserved_ = 0;
        }
      }
      if (partitioned_) {
        RETURN_NOT_OK(WritePartitioned(*batch, /*build=*/true));
      } else {
        batches.push_back(batch);
      }
    }
    right_.reset();
    if (partitioned_) {
      for (auto& writer : build_writers_) RETURN_NOT_OK(writer->Close());
      build_writers_.clear();
      return Status::OK();
    }
    ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches(right_schema(), batches));
    ASSIGN_OR_RAISE(build_, CombineToBatch(*table));
    return Status::OK();
  }

  std::shared_ptr<arrow::Schema> right_schema() const {
    arrow::FieldVector fields(pair_schema_->fields().begin() + left_width(),
                              pair_schema_->fields().end());
    return arrow::schema(fields);
  }
  int left_width() const { return pair_schema_->num_fields() - right_width_; }

  Status StartPartitions(std::vector<std::shared_ptr<arrow::RecordBatch>>* held) {
    partitioned_ = true;
    for (int p = 0; p < kJoinPartitions; ++p) {
      build_paths_.push_back(context_->NewSpillPath());
      ASSIGN_OR_RAISE(auto writer, SpillWriter::Open(build_paths_.back(), right_schema()));
      build_writers_.push_back(std::move(writer));
    }
    for (const auto& batch : *held) RETURN_NOT_OK(WritePartitioned(*batch, true));
    held->clear();
    return Status::OK();
  }

  Result<arrow::ArrayVector> EvalKeys(const arrow::RecordBatch& batch, bool build) {
    arrow::ArrayVector keys;
    for (const auto& key : keys_) {
      ASSIGN_OR_RAISE(auto array, EvaluateToArray(build ? *key.right : *key.left, batch,
                                                  context_->eval(), context_->subqueries()));
      // Both sides hash and group under the left key's type.
      if (!array->type()->Equals(*key.left->type)) {
        ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(array, key.left->type));
        array = cast.make_array();
      }
      keys.push_back(std::move(array));
    }
    return keys;
  }

  Status WritePartitioned(const arrow::RecordBatch& batch, bool build) {
    ASSIGN_OR_RAISE(auto keys, EvalKeys(batch, build));
    auto hashes = HashRows(keys, batch.num_rows());
    std::vector<std::vector<int64_t>> parts(kJoinPartitions);
    for (int64_t i = 0; i < batch.num_rows(); ++i) {
      parts[hashes[static_cast<size_t>(i)] % kJoinPartitions].push_back(i);
    }
    auto& writers = build ? build_writers_ : probe_writers_;
    for (int p = 0; p < kJoinPartitions; ++p) {
      if (parts[p].empty()) continue;
      ASSIGN_OR_RAISE(auto columns, TakeColumns(batch, parts[p]));
      RETURN_NOT_OK(writers[p]->Write(*arrow::RecordBatch::Make(
          batch.schema(), static_cast<int64_t>(parts[p].size()), std::move(columns))));
    }
    return Status::OK();
  }

  Status PartitionProbe() {
    for (int p = 0; p < kJoinPartitions; ++p) {
      probe_paths_.push_back(context_->NewSpillPath());
      ASSIGN_OR_RAISE(auto writer, SpillWriter::Open(probe_paths_.back(), left_->schema()));
      probe_writers_.push_back(std::move(writer));
    }
    while (true) {
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(auto batch, left_->Next());
      if (!batch) break;
      if (batch->num_rows() > 0) RETURN_NOT_OK(WritePartitioned(*batch, false));
    }
    for (auto& writer : probe_writers_) RETURN_NOT_OK(writer->Close());
    probe_writers_.clear();
    left_.reset();
    return Status::OK();
  }

  Status LoadPartition() {
    int p = partition_++;
    ASSIGN_OR_RAISE(auto build_reader, SpillReader::Open(build_paths_[p]));
    std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
    for (int b = 0; b < build_reader->num_batches(); ++b) {
      ASSIGN_OR_RAISE(auto batch, build_reader->Read(b));
      batches.push_back(batch);
    }
    ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches(right_schema(), batches));
    ASSIGN_OR_RAISE(build_, CombineToBatch(*table));
    ASSIGN_OR_RAISE(probe_reader_, SpillReader::Open(probe_paths_[p]));
    probe_batch_ = 0;
    return BuildTable(build_);
  }

  // Probe batches run on the pool, several at once, when the build side is in memory (the
  // build rows that matched are marked atomically).
  bool ParallelProbe() const {
    return !partitioned_ && context_->options().threads >= 2 && context_->pool();
  }

  Status BuildTable(const std::shared_ptr<arrow::RecordBatch>& build) {
    const int64_t n = build->num_rows();
    build_matched_.assign(static_cast<size_t>(n), 0);
    row_start_.clear();
    rows_by_group_.clear();
    unique_keys_ = false;
    identity_groups_ = false;
    grouper_.reset();
    key_table_.reset();
    if (keys_.empty() || n == 0) return Status::OK();
    ASSIGN_OR_RAISE(auto keys, EvalKeys(*build, true));
    std::vector<std::shared_ptr<arrow::DataType>> types;
    bool null_safe = false;
    for (const auto& key : keys) types.push_back(key->type());
    for (const auto& key : keys_) null_safe = null_safe || key.null_safe;
    std::vector<uint32_t> ids;
    uint32_t groups = 0;
    if (!null_safe && IsIntegerKey(types)) {
      key_table_ = std::make_shared<JoinKeyTable>();
      RETURN_NOT_OK(key_table_->Build(keys, n, &ids));  // null keys get no group
      groups = key_table_->num_groups();
    } else {
      ASSIGN_OR_RAISE(grouper_, RowGrouper::Make(types));
      ASSIGN_OR_RAISE(auto grouped, grouper_->Consume(keys, n));
      groups = grouper_->num_groups();
      ids.assign(grouped->raw_values(), grouped->raw_values() + n);
      DropNullKeys(keys, &ids);
    }
    if (static_cast<int64_t>(groups) == n) {
      // Every row is a group of its own (a primary key): groups are numbered in order of first
      // appearance, so group g is row g and no row lists are needed.
      unique_keys_ = true;
      identity_groups_ = true;
      return Status::OK();
    }
    // Rows per group in row order (CSR).
    PoolVector<int64_t> counts(groups + 1, 0);
    for (int64_t i = 0; i < n; ++i) {
      const uint32_t g = ids[static_cast<size_t>(i)];
      if (g != JoinKeyTable::kNoGroup) ++counts[g + 1];
    }
    for (uint32_t g = 0; g < groups; ++g) counts[g + 1] += counts[g];
    rows_by_group_.assign(static_cast<size_t>(counts[groups]), 0);
    PoolVector<int64_t> fill(counts.begin(), counts.end() - 1);
    row_start_ = std::move(counts);
    for (int64_t i = 0; i < n; ++i) {
      const uint32_t g = ids[static_cast<size_t>(i)];
      if (g != JoinKeyTable::kNoGroup) rows_by_group_[fill[g]++] = i;
    }
    unique_keys_ = true;
    for (uint32_t g = 0; g < groups && unique_keys_; ++g) {
      unique_keys_ = row_start_[g + 1] - row_start_[g] == 1;
    }
    return Status::OK();
  }

  // The build group of each probe row (kNoGroup: no match possible).
  Status LookupGroups(const arrow::RecordBatch& probe, std::vector<uint32_t>* ids) {
    const int64_t n = probe.num_rows();
    ids->assign(static_cast<size_t>(n), JoinKeyTable::kNoGroup);
    if (!key_table_ && !grouper_) return Status::OK();
    ASSIGN_OR_RAISE(auto keys, EvalKeys(probe, false));
    if (key_table_) {
      key_table_->Lookup(keys, n, ids->data());
      return Status::OK();
    }
    std::shared_ptr<arrow::UInt32Array> found;
    {
      std::lock_guard<std::mutex> lock(grouper_mutex_);  // the grouper is not thread-safe
      ASSIGN_OR_RAISE(found, grouper_->Lookup(keys, n));
    }
    for (int64_t i = 0; i < n; ++i) {
      if (!found->IsNull(i)) (*ids)[static_cast<size_t>(i)] = found->Value(i);
    }
    DropNullKeys(keys, ids);
    return Status::OK();
  }

  // Rows with a null key (not null-safe) match nothing: their group becomes kNoGroup.
  void DropNullKeys(const arrow::ArrayVector& keys, std::vector<uint32_t>* ids) const {
    for (size_t k = 0; k < keys.size(); ++k) {
      if (keys_[k].null_safe || keys[k]->null_count() == 0) continue;
      for (int64_t i = 0; i < keys[k]->length(); ++i) {
        if (keys[k]->IsNull(i)) (*ids)[static_cast<size_t>(i)] = JoinKeyTable::kNoGroup;
      }
    }
  }

  // One probe batch's output as one batch (on a pool thread).
  Result<std::shared_ptr<arrow::RecordBatch>> ProbeToBatch(const arrow::RecordBatch& probe) {
    std::vector<std::shared_ptr<arrow::RecordBatch>> out;
    RETURN_NOT_OK(Probe(probe, &build_matched_, &out));
    if (out.empty()) return std::shared_ptr<arrow::RecordBatch>();
    if (out.size() == 1) return out[0];
    return arrow::ConcatenateRecordBatches(out);
  }

  // Joins one probe batch against the build side, appending output batches to `out`. Build
  // rows that matched are marked in `build_matched` (atomically: probes run in parallel).
  Status Probe(const arrow::RecordBatch& unfiltered, std::vector<uint8_t>* build_matched,
               std::vector<std::shared_ptr<arrow::RecordBatch>>* out) {
    std::shared_ptr<arrow::RecordBatch> kept;  // the probe rows a key filter keeps
    if (probe_filter_) {
      arrow::ArrayVector keys;
      for (int c : probe_filter_columns_) keys.push_back(unfiltered.column(c));
      ASSIGN_OR_RAISE(auto keep, probe_filter_->Keep(keys, unfiltered.num_rows()));
      if (keep->true_count() < unfiltered.num_rows()) {
        auto whole = arrow::RecordBatch::Make(unfiltered.schema(), unfiltered.num_rows(),
                                              unfiltered.columns());
        ASSIGN_OR_RAISE(auto filtered,
                        arrow::compute::Filter(arrow::Datum(whole), arrow::Datum(keep)));
        kept = filtered.record_batch();
      }
    }
    const arrow::RecordBatch& probe = kept ? *kept : unfiltered;
    const int64_t n = probe.num_rows();
    const int64_t build_rows = build_ ? build_->num_rows() : 0;
    std::vector<uint32_t> ids;
    if (!keys_.empty()) RETURN_NOT_OK(LookupGroups(probe, &ids));
    std::vector<bool> probe_matched(static_cast<size_t>(n), false);
    std::vector<int64_t> left_rows;
    std::vector<int64_t> right_rows;
    int64_t n_done = 0;  // probe rows whose candidate pairs are listed
    // In parallel mode a batch's pairs become one output batch: cut only very large outputs.
    const int64_t chunk = ParallelProbe() ? std::max<int64_t>(batch_size_, int64_t{1} << 20)
                                          : std::max<int64_t>(batch_size_, 1024);
    auto flush = [&]() -> Status {
      if (left_rows.empty()) return Status::OK();
      RETURN_NOT_OK(CheckPairs(probe, &left_rows, &right_rows, &probe_matched, build_matched, out));
      left_rows.clear();
      right_rows.clear();
      return Status::OK();
    };
    left_rows.reserve(static_cast<size_t>(std::min(n, chunk)));
    right_rows.reserve(static_cast<size_t>(std::min(n, chunk)));
    if (unique_keys_) {
      // A key of the build side is on one row only (a primary key): group g's row is
      // rows_by_group_[g], and a probe row has one candidate at most.
      left_rows.resize(static_cast<size_t>(n));
      right_rows.resize(static_cast<size_t>(n));
      size_t pairs = 0;
      for (int64_t i = 0; i < n; ++i) {
        const uint32_t g = ids[static_cast<size_t>(i)];
        if (g == JoinKeyTable::kNoGroup) continue;
        left_rows[pairs] = i;
        right_rows[pairs++] = identity_groups_ ? static_cast<int64_t>(g) : rows_by_group_[g];
      }
      left_rows.resize(pairs);
      right_rows.resize(pairs);
      n_done = n;
    }
    for (int64_t i = n_done; i < n; ++i) {
      if (keys_.empty()) {
        for (int64_t j = 0; j < build_rows; ++j) {
          left_rows.push_back(i);
          right_rows.push_back(j);
          if (static_cast<int64_t>(left_rows.size()) >= chunk) RETURN_NOT_OK(flush());
        }
        continue;
      }
      const uint32_t g = ids[static_cast<size_t>(i)];
      if (g == JoinKeyTable::kNoGroup) continue;
      for (int64_t k = row_start_[g]; k < row_start_[g + 1]; ++k) {
        left_rows.push_back(i);
        right_rows.push_back(rows_by_group_[static_cast<size_t>(k)]);
        if (static_cast<int64_t>(left_rows.size()) >= chunk) RETURN_NOT_OK(flush());
      }
    }
    RETURN_NOT_OK(flush());
    // Rows decided by the whole probe batch.
    std::vector<int64_t> rows;
    if (type_ == JoinType::kLeftSemi || type_ == JoinType::kLeftAnti) {
      bool want = type_ == JoinType::kLeftSemi;
      for (int64_t i = 0; i < n; ++i) {
        if (probe_matched[static_cast<size_t>(i)] == want) rows.push_back(i);
      }
      if (!rows.empty()) {
        ASSIGN_OR_RAISE(auto columns, TakeColumns(probe, rows));
        out->push_back(arrow::RecordBatch::Make(schema_, static_cast<int64_t>(rows.size()),
                                                std::move(columns)));
      }
    } else if (type_ == JoinType::kLeft || type_ == JoinType::kFull) {
      for (int64_t i = 0; i < n; ++i) {
        if (!probe_matched[static_cast<size_t>(i)]) rows.push_back(i);
      }
      if (!rows.empty()) {
        std::vector<int64_t> nulls(rows.size(), -1);
        ASSIGN_OR_RAISE(auto batch, PairBatch(probe, rows, nulls));
        out->push_back(std::move(batch));
      }
    }
    return Status::OK();
  }

  // Keeps the candidate pairs that pass the residual condition and emits them.
  Status CheckPairs(const arrow::RecordBatch& probe, std::vector<int64_t>* left_rows,
                    std::vector<int64_t>* right_rows, std::vector<bool>* probe_matched,
                    std::vector<uint8_t>* build_matched,
                    std::vector<std::shared_ptr<arrow::RecordBatch>>* out) {
    const bool semi_anti = type_ == JoinType::kLeftSemi || type_ == JoinType::kLeftAnti;
    if (residual_) {
      ASSIGN_OR_RAISE(auto pairs, PairBatch(probe, *left_rows, *right_rows));
      ASSIGN_OR_RAISE(auto mask, EvaluatePredicate(*residual_, *pairs, context_->eval(),
                                                   context_->subqueries()));
      size_t kept = 0;
      for (size_t k = 0; k < left_rows->size(); ++k) {
        if (mask->Value(static_cast<int64_t>(k))) {
          (*left_rows)[kept] = (*left_rows)[k];
          (*right_rows)[kept] = (*right_rows)[k];
          ++kept;
        }
      }
      left_rows->resize(kept);
      right_rows->resize(kept);
      if (static_cast<int64_t>(kept) == mask->length() && !semi_anti &&
          build_output_ == BuildOutput::kNone) {
        MarkMatched(*left_rows, *right_rows, probe_matched, build_matched);
        out->push_back(pairs);
        return Status::OK();
      }
    }
    MarkMatched(*left_rows, *right_rows, probe_matched, build_matched);
    if (semi_anti || build_output_ != BuildOutput::kNone || left_rows->empty()) {
      return Status::OK();
    }
    ASSIGN_OR_RAISE(auto batch, PairBatch(probe, *left_rows, *right_rows));
    out->push_back(std::move(batch));
    return Status::OK();
  }

  static void MarkMatched(const std::vector<int64_t>& left_rows,
                          const std::vector<int64_t>& right_rows,
                          std::vector<bool>* probe_matched, std::vector<uint8_t>* build_matched) {
    for (int64_t row : left_rows) (*probe_matched)[static_cast<size_t>(row)] = true;
    if (!build_matched) return;
    for (int64_t row : right_rows) {
      std::atomic_ref<uint8_t>((*build_matched)[static_cast<size_t>(row)])
          .store(1, std::memory_order_relaxed);
    }
  }

  Result<std::shared_ptr<arrow::RecordBatch>> PairBatch(const arrow::RecordBatch& probe,
                                                        const std::vector<int64_t>& left_rows,
                                                        const std::vector<int64_t>& right_rows) {
    ASSIGN_OR_RAISE(auto columns, TakeColumns(probe, left_rows));
    if (build_) {
      ASSIGN_OR_RAISE(auto right, TakeColumns(*build_, right_rows));
      for (auto& column : right) columns.push_back(std::move(column));
    } else {
      for (const auto& field : right_schema()->fields()) {
        ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(field->type(),
                                                           static_cast<int64_t>(left_rows.size())));
        columns.push_back(nulls);
      }
    }
    return arrow::RecordBatch::Make(pair_schema_, static_cast<int64_t>(left_rows.size()),
                                    std::move(columns));
  }

  Status EmitUnmatchedBuild() {
    if (build_output_ != BuildOutput::kNone) {
      if (!build_) return Status::OK();
      const bool want = build_output_ == BuildOutput::kSemi;
      std::vector<int64_t> rows;
      for (int64_t j = 0; j < build_->num_rows(); ++j) {
        if ((build_matched_[static_cast<size_t>(j)] != 0) == want) rows.push_back(j);
      }
      if (rows.empty()) return Status::OK();
      ASSIGN_OR_RAISE(auto columns, TakeColumns(*build_, rows));
      pending_.push_back(arrow::RecordBatch::Make(schema_, static_cast<int64_t>(rows.size()),
                                                  std::move(columns)));
      return Status::OK();
    }
    if (type_ != JoinType::kRight && type_ != JoinType::kFull) return Status::OK();
    if (!build_) return Status::OK();
    std::vector<int64_t> rows;
    for (int64_t j = 0; j < build_->num_rows(); ++j) {
      if (!build_matched_[static_cast<size_t>(j)]) rows.push_back(j);
    }
    if (rows.empty()) return Status::OK();
    ASSIGN_OR_RAISE(auto right, TakeColumns(*build_, rows));
    arrow::ArrayVector columns;
    for (int c = 0; c < left_width(); ++c) {
      ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(pair_schema_->field(c)->type(),
                                                         static_cast<int64_t>(rows.size())));
      columns.push_back(nulls);
    }
    for (auto& column : right) columns.push_back(std::move(column));
    pending_.push_back(arrow::RecordBatch::Make(pair_schema_, static_cast<int64_t>(rows.size()),
                                                std::move(columns)));
    return Status::OK();
  }

  int right_width_ = 0;
  JoinType type_;
  BuildOutput build_output_;
  OperatorPtr left_;
  OperatorPtr right_;
  std::vector<EquiKey> keys_;
  plan::ExprPtr residual_;
  QueryContext* context_;
  int64_t batch_size_;
  std::shared_ptr<arrow::Schema> pair_schema_;
  bool started_ = false;
  bool finished_ = false;
  int64_t reserved_ = 0;
  std::shared_ptr<arrow::RecordBatch> build_;
  std::unique_ptr<RowGrouper> grouper_;        // keys JoinKeyTable cannot take
  std::shared_ptr<JoinKeyTable> key_table_;    // integer-like keys (shared with key filters)
  std::shared_ptr<const KeyFilter> probe_filter_;  // probe rows to keep (PushKeyFilter)
  std::vector<int> probe_filter_columns_;
  std::shared_ptr<const KeyFilter> build_filter_;  // build rows to keep (PushKeyFilter)
  std::vector<int> build_filter_columns_;          // in the build side's columns
  std::mutex grouper_mutex_;
  std::unique_ptr<OrderedBatchMap> probe_map_;  // parallel probing
  PoolVector<int64_t> row_start_;
  PoolVector<int64_t> rows_by_group_;
  bool unique_keys_ = false;  // every build key is on one row
  bool identity_groups_ = false;  // and group g is row g (row_start_, rows_by_group_ empty)
  std::vector<uint8_t> build_matched_;  // 1: the build row matched (written atomically)
  std::deque<std::shared_ptr<arrow::RecordBatch>> pending_;
  bool partitioned_ = false;
  std::vector<std::string> build_paths_;
  std::vector<std::string> probe_paths_;
  std::vector<std::unique_ptr<SpillWriter>> build_writers_;
  std::vector<std::unique_ptr<SpillWriter>> probe_writers_;
  int partition_ = 0;
  std::unique_ptr<SpillReader> probe_reader_;
  int probe_batch_ = 0;
};

Result<OperatorPtr> MakeJoin(const plan::PlanNode& node, OperatorPtr left, OperatorPtr right,
                             bool use_keys, QueryContext* context,
                             BuildOutput build_output = BuildOutput::kNone) {
  JoinCondition split = SplitJoinCondition(node, left->schema()->num_fields(), use_keys);
  return std::make_unique<JoinOperator>(node, std::move(left), std::move(right),
                                        std::move(split.keys), std::move(split.residual), context,
                                        build_output);
}

// Puts the columns of a mirrored join (right ++ left) back in the plan's order (left ++ right).
class SwapColumnsOperator : public Operator {
 public:
  SwapColumnsOperator(OperatorPtr child, int left_width, std::shared_ptr<arrow::Schema> schema)
      : child_(std::move(child)), left_width_(left_width) {
    schema_ = std::move(schema);
  }
  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    ASSIGN_OR_RAISE(auto batch, child_->Next());
    if (!batch) return batch;
    const int right_width = batch->num_columns() - left_width_;
    arrow::ArrayVector columns(batch->columns().begin() + right_width, batch->columns().end());
    columns.insert(columns.end(), batch->columns().begin(), batch->columns().begin() + right_width);
    return ConformBatch(arrow::RecordBatch::Make(schema_, batch->num_rows(), std::move(columns)),
                        schema_);
  }

 private:
  OperatorPtr child_;
  int left_width_;
};

plan::ExprPtr MirrorColumns(const plan::ExprPtr& expr, int left_width, int right_width) {
  return RemapColumns(expr, [&](int c) { return c < left_width ? c + right_width : c - left_width; });
}

}  // namespace

Result<OperatorPtr> MakeHashJoin(const plan::PlanNode& node, OperatorPtr left, OperatorPtr right,
                                 QueryContext* context) {
  // The right side is the build side. A "broadcast left" hint on an inner or outer join builds
  // the left side instead: the join is mirrored and its columns put back in order.
  using plan::JoinType;
  const bool mirror = node.broadcast_side == "left" &&
                      (node.join_type == JoinType::kInner || node.join_type == JoinType::kLeft ||
                       node.join_type == JoinType::kRight || node.join_type == JoinType::kFull);
  const bool semi_anti =
      node.join_type == JoinType::kLeftSemi || node.join_type == JoinType::kLeftAnti;
  if (semi_anti && node.broadcast_side == "left") {
    // Build the (smaller) left side; the right side probes it. The output is left rows only.
    plan::PlanNode mirrored = node;
    mirrored.join_type = JoinType::kInner;
    if (node.condition) {
      mirrored.condition = MirrorColumns(node.condition, left->schema()->num_fields(),
                                         right->schema()->num_fields());
    }
    return MakeJoin(mirrored, std::move(right), std::move(left), /*use_keys=*/true, context,
                    node.join_type == JoinType::kLeftSemi ? BuildOutput::kSemi
                                                          : BuildOutput::kAnti);
  }
  if (!mirror) return MakeJoin(node, std::move(left), std::move(right), /*use_keys=*/true, context);
  const int left_width = left->schema()->num_fields();
  const int right_width = right->schema()->num_fields();
  plan::PlanNode mirrored = node;
  mirrored.join_type = node.join_type == JoinType::kLeft    ? JoinType::kRight
                       : node.join_type == JoinType::kRight ? JoinType::kLeft
                                                            : node.join_type;
  if (node.condition) mirrored.condition = MirrorColumns(node.condition, left_width, right_width);
  arrow::FieldVector fields(node.schema->fields().begin() + left_width,
                            node.schema->fields().end());
  fields.insert(fields.end(), node.schema->fields().begin(),
                node.schema->fields().begin() + left_width);
  mirrored.schema = arrow::schema(fields);
  ASSIGN_OR_RAISE(auto join, MakeJoin(mirrored, std::move(right), std::move(left),
                                      /*use_keys=*/true, context));
  return std::make_unique<SwapColumnsOperator>(std::move(join), left_width, node.schema);
}

Result<OperatorPtr> MakeNestedLoopJoin(const plan::PlanNode& node, OperatorPtr left,
                                       OperatorPtr right, QueryContext* context) {
  return MakeJoin(node, std::move(left), std::move(right), /*use_keys=*/false, context);
}

}  // namespace basin::exec
