// Hash aggregate. Group keys get dense ids from a RowGrouper (nulls form a group); every
// aggregate is a function::GroupedAccumulator fed with those ids. GROUPING SETS run each input
// batch once per set, with the keys outside the set nulled and a spark_grouping_id key added
// (bit i set when group_by[i] is not in the set, first key the highest bit), as Spark's Expand.
// DISTINCT aggregates feed each (group, arguments) pair once, found with a second grouper.
// FILTER (WHERE ...) drops rows before they reach the accumulator. A kGroupingId expression in
// the aggregate list gives the group's spark_grouping_id (0 without grouping sets).
//
// Spill: when the memory limit says no, the keys and every accumulator's State() are written to
// hash partitions of spill files and the table starts empty; at the end each partition is read
// back, merged with Merge() and finalized, one partition at a time. (Queries with DISTINCT
// aggregates do not spill: their de-duplication state stays in memory.)
//
// Threads: group keys, arguments and FILTER masks are evaluated on the pool, several batches at
// once. The hash table and accumulators are updated on the operator's thread, or, when every
// aggregate merges the same in any order and nothing can spill, in one partial table per
// thread ("lanes") that are merged at the end.

#include <mutex>

#include <arrow/array/concatenate.h>
#include <arrow/compute/api.h>

#include "basin/exec/key_filter.h"
#include "basin/exec/operator.h"
#include "basin/exec/ordered_batch_map.h"
#include "basin/exec/row_grouper.h"
#include "basin/exec/row_hash.h"
#include "basin/exec/spill_file.h"

namespace basin::exec {

namespace {

constexpr int kSpillPartitions = 8;

std::shared_ptr<arrow::UInt32Array> TakeIds(const uint32_t* ids, const std::vector<int64_t>& rows) {
  arrow::UInt32Builder builder;
  (void)builder.Reserve(static_cast<int64_t>(rows.size()));
  for (int64_t r : rows) builder.UnsafeAppend(ids[r]);
  std::shared_ptr<arrow::Array> out;
  (void)builder.Finish(&out);
  return std::static_pointer_cast<arrow::UInt32Array>(out);
}

// grouping_id() in the aggregate list: remembers the spark_grouping_id of each group.
class GroupingIdAccumulator : public function::GroupedAccumulator {
 public:
  Status Resize(int64_t num_groups) override {
    values_.resize(static_cast<size_t>(num_groups), 0);
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* group_ids,
                int64_t length) override {
    ASSIGN_OR_RAISE(auto array, ToArray(args.at(0), length));
    const auto& ids = static_cast<const arrow::Int64Array&>(*array);
    for (int64_t i = 0; i < length; ++i) values_[group_ids[i]] = ids.Value(i);
    return Status::OK();
  }
  Result<std::vector<std::shared_ptr<arrow::Array>>> State() override {
    ASSIGN_OR_RAISE(auto values, Finalize());
    return std::vector<std::shared_ptr<arrow::Array>>{values};
  }
  Status Merge(const std::vector<std::shared_ptr<arrow::Array>>& state, const uint32_t* group_ids,
               int64_t length) override {
    return Update({arrow::Datum(state.at(0))}, group_ids, length);
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    arrow::Int64Builder builder;
    RETURN_NOT_OK(builder.AppendValues(values_));
    return builder.Finish();
  }

 private:
  std::vector<int64_t> values_;
};

class AggregateOperator : public Operator {
 public:
  AggregateOperator(const plan::PlanNode& node, OperatorPtr child, QueryContext* context)
      : node_(node), child_(std::move(child)), context_(context) {
    schema_ = node.schema;
    batch_size_ = std::max<int64_t>(1, context_->options().batch_size);
    with_sets_ = !node.grouping_sets.empty();
    for (const auto& agg : node.aggregates) has_distinct_ = has_distinct_ || agg->distinct;
  }

  ~AggregateOperator() override { context_->memory().Release(reserved_); }

  // Output columns that are group keys: input rows whose keys the filter lacks form groups the
  // consumer drops, so they are dropped before grouping (not with grouping sets, whose rows
  // also feed groups where the key is nulled).
  bool PushKeyFilter(const std::vector<int>& columns,
                     const std::shared_ptr<const KeyFilter>& filter) override {
    if (done_ || with_sets_ || columns.empty()) return false;
    for (int c : columns) {
      if (c < 0 || static_cast<size_t>(c) >= node_.group_by.size()) return false;
    }
    if (!filter) return true;
    key_filter_ = filter;
    key_filter_columns_ = columns;
    // Group keys that are input columns: the input may drop the rows sooner (after a join's
    // probe, say); the rows that reach here are still filtered.
    std::vector<int> inputs;
    for (int c : columns) {
      const auto& expr = *node_.group_by[static_cast<size_t>(c)];
      if (expr.kind != plan::ExprKind::kColumn) return true;
      inputs.push_back(expr.column_index);
    }
    if (child_) child_->PushKeyFilter(inputs, filter);
    return true;
  }

  Status Init() {
    for (const auto& expr : node_.group_by) key_types_.push_back(expr->type);
    if (with_sets_) key_types_.push_back(arrow::int64());
    for (const auto& agg : node_.aggregates) {
      if (agg->kind == plan::ExprKind::kGroupingId) continue;
      if (agg->kind != plan::ExprKind::kAggregate || !agg->aggregate) {
        return InternalError("Aggregate node holds a non-aggregate expression " +
                             plan::ToString(*agg));
      }
    }
    return ResetTable();
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    if (!done_) {
      RETURN_NOT_OK(ConsumeAll());
      done_ = true;
    }
    while (true) {
      if (output_ && position_ < output_->num_rows()) {
        auto slice = output_->Slice(position_, batch_size_);
        position_ += slice->num_rows();
        return slice;
      }
      // Spilled: finalize the next partition.
      if (next_partition_ >= static_cast<int>(partition_paths_.size())) return nullptr;
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(output_, MergePartition(partition_paths_[next_partition_++]));
      position_ = 0;
    }
  }

 private:
  Status ResetTable() {
    accumulators_.clear();
    for (const auto& agg : node_.aggregates) {
      if (agg->kind == plan::ExprKind::kGroupingId) {
        accumulators_.push_back(std::make_unique<GroupingIdAccumulator>());
        continue;
      }
      accumulators_.push_back(agg->aggregate->make(context_->eval()));
      if (!accumulators_.back()) return InternalError("aggregate " + agg->name + " made nothing");
    }
    distinct_.clear();
    distinct_.resize(node_.aggregates.size());
    distinct_seen_.assign(node_.aggregates.size(), {});
    grouper_.reset();
    grouper_bytes_ = 0;
    num_groups_ = 0;
    if (!key_types_.empty()) {
      ASSIGN_OR_RAISE(grouper_, RowGrouper::Make(key_types_));
    } else {
      // A global aggregate has exactly one group, even over no rows.
      num_groups_ = 1;
      for (auto& acc : accumulators_) RETURN_NOT_OK(acc->Resize(1));
    }
    return Status::OK();
  }

  // Per-thread partial tables ("lanes") merged at the end, when every aggregate merges the
  // same in any order and there is no DISTINCT. A lane over the memory limit spills to its own
  // partition files; the partitions of all lanes are then merged together.
  bool UseLanes() const {
    if (context_->options().threads < 2 || !context_->pool()) return false;
    if (has_distinct_) return false;
    for (const auto& agg : node_.aggregates) {
      if (agg->kind == plan::ExprKind::kGroupingId) continue;
      if (!agg->aggregate || !agg->aggregate->merge_order_free) return false;
    }
    return true;
  }

  // Each input batch is evaluated and consumed on the pool by whichever lane is free; then the
  // other lanes' groups and states are merged into this operator's table.
  Status ConsumeWithLanes() {
    const int threads = context_->options().threads;
    std::vector<std::unique_ptr<AggregateOperator>> others;
    std::vector<AggregateOperator*> free_lanes{this};
    for (int i = 1; i < threads; ++i) {
      others.push_back(std::make_unique<AggregateOperator>(node_, nullptr, context_));
      RETURN_NOT_OK(others.back()->Init());
      free_lanes.push_back(others.back().get());
    }
    std::mutex mutex;
    {
      // At most `threads` batches are in flight, so a lane is always free.
      OrderedBatchMap map(
          child_.get(),
          [&](const std::shared_ptr<arrow::RecordBatch>& batch)
              -> Result<std::shared_ptr<arrow::RecordBatch>> {
            ASSIGN_OR_RAISE(auto evaluated, EvaluateInputs(batch));
            AggregateOperator* lane;
            {
              std::lock_guard<std::mutex> lock(mutex);
              lane = free_lanes.back();
              free_lanes.pop_back();
            }
            Status status = lane->ConsumeBatch(*evaluated);
            {
              std::lock_guard<std::mutex> lock(mutex);
              free_lanes.push_back(lane);
            }
            RETURN_NOT_OK(status);
            return std::shared_ptr<arrow::RecordBatch>();  // nothing to hand out
          },
          context_);
      ASSIGN_OR_RAISE(auto none, map.Next());  // runs the whole input
      if (none) return InternalError("aggregate lanes returned a batch");
    }
    child_.reset();
    bool spilled = !partition_writers_.empty();
    for (auto& lane : others) spilled = spilled || !lane->partition_writers_.empty();
    if (spilled) {
      // Every lane writes what it holds to its partitions; each partition is then merged from
      // the files of all lanes (Next() finalizes them one at a time).
      std::vector<AggregateOperator*> lanes{this};
      for (auto& lane : others) lanes.push_back(lane.get());
      for (auto* lane : lanes) {
        if (lane->grouper_ && lane->grouper_->num_groups() > 0) RETURN_NOT_OK(lane->SpillTable());
        for (auto& writer : lane->partition_writers_) RETURN_NOT_OK(writer->Close());
        lane->partition_writers_.clear();
      }
      for (auto& lane : others) {
        if (lane->partition_paths_.empty()) continue;
        if (state_widths_.empty()) state_widths_ = lane->state_widths_;
        if (partition_paths_.empty()) partition_paths_.resize(lane->partition_paths_.size());
        for (size_t p = 0; p < lane->partition_paths_.size(); ++p) {
          for (auto& path : lane->partition_paths_[p]) partition_paths_[p].push_back(path);
        }
        lane->partition_paths_.clear();
      }
      return Status::OK();
    }
    for (auto& lane : others) {
      std::vector<uint32_t> ids;
      int64_t n = 1;
      if (grouper_) {
        n = lane->grouper_->num_groups();
        if (n == 0) continue;
        ASSIGN_OR_RAISE(auto keys, lane->grouper_->Uniques());
        ASSIGN_OR_RAISE(auto merged, grouper_->Consume(keys, n));
        ids.assign(merged->raw_values(), merged->raw_values() + n);
        num_groups_ = grouper_->num_groups();
      } else {
        ids.assign(1, 0);
      }
      for (size_t a = 0; a < accumulators_.size(); ++a) {
        RETURN_NOT_OK(accumulators_[a]->Resize(num_groups_));
        ASSIGN_OR_RAISE(auto state, lane->accumulators_[a]->State());
        RETURN_NOT_OK(accumulators_[a]->Merge(state, ids.data(), n));
      }
    }
    ASSIGN_OR_RAISE(output_, FinalizeTable());
    return Status::OK();
  }

  Status ConsumeAll() {
    // Keys, arguments and FILTER masks are evaluated on the pool, several batches at once;
    // the hash table is updated on this thread (or on per-thread lanes, see UseLanes).
    std::vector<plan::ExprPtr> exprs = node_.group_by;
    for (const auto& agg : node_.aggregates) {
      for (const auto& child : agg->children) exprs.push_back(child);
      if (agg->filter) exprs.push_back(agg->filter);
    }
    for (const auto& expr : exprs) RETURN_NOT_OK(PrepareSubqueries(*expr, context_));
    if (UseLanes()) return ConsumeWithLanes();
    OrderedBatchMap map(
        child_.get(),
        [this](const std::shared_ptr<arrow::RecordBatch>& batch) { return EvaluateInputs(batch); },
        context_);
    while (true) {
      ASSIGN_OR_RAISE(auto evaluated, map.Next());
      if (!evaluated) break;
      RETURN_NOT_OK(ConsumeBatch(*evaluated));
    }
    child_.reset();
    if (!partition_writers_.empty()) {
      RETURN_NOT_OK(SpillTable());
      for (auto& writer : partition_writers_) RETURN_NOT_OK(writer->Close());
      partition_writers_.clear();
      return Status::OK();
    }
    ASSIGN_OR_RAISE(output_, FinalizeTable());
    return Status::OK();
  }

  // Returns the batch's group keys, then each aggregate's arguments and FILTER mask.
  Result<std::shared_ptr<arrow::RecordBatch>> EvaluateInputs(
      const std::shared_ptr<arrow::RecordBatch>& batch) const {
    arrow::ArrayVector columns;
    std::shared_ptr<arrow::RecordBatch> input = batch;
    auto add = [&](const plan::Expr& expr, bool predicate) -> Status {
      std::shared_ptr<arrow::Array> column;
      if (predicate) {
        ASSIGN_OR_RAISE(column,
                        EvaluatePredicate(expr, *input, context_->eval(), context_->subqueries()));
      } else {
        ASSIGN_OR_RAISE(column,
                        EvaluateToArray(expr, *input, context_->eval(), context_->subqueries()));
      }
      columns.push_back(std::move(column));
      return Status::OK();
    };
    for (const auto& expr : node_.group_by) RETURN_NOT_OK(add(*expr, false));
    if (key_filter_) {
      // Rows of groups the join above drops anyway go before the arguments are evaluated.
      arrow::ArrayVector keys;
      for (int c : key_filter_columns_) keys.push_back(columns[static_cast<size_t>(c)]);
      ASSIGN_OR_RAISE(auto keep, key_filter_->Keep(keys, input->num_rows()));
      if (keep->true_count() < input->num_rows()) {
        ASSIGN_OR_RAISE(auto kept, arrow::compute::Filter(arrow::Datum(input), arrow::Datum(keep)));
        input = kept.record_batch();
        for (auto& column : columns) {
          ASSIGN_OR_RAISE(auto filtered, arrow::compute::Filter(column, arrow::Datum(keep)));
          column = filtered.make_array();
        }
      }
    }
    for (const auto& agg : node_.aggregates) {
      for (const auto& child : agg->children) RETURN_NOT_OK(add(*child, false));
      if (agg->filter) RETURN_NOT_OK(add(*agg->filter, true));
    }
    arrow::FieldVector fields;
    for (size_t i = 0; i < columns.size(); ++i) {
      fields.push_back(arrow::field("e" + std::to_string(i), columns[i]->type()));
    }
    return arrow::RecordBatch::Make(arrow::schema(fields), input->num_rows(), std::move(columns));
  }

  // `batch` comes from EvaluateInputs.
  Status ConsumeBatch(const arrow::RecordBatch& batch) {
    const int64_t n = batch.num_rows();
    int column = 0;
    arrow::ArrayVector keys;
    for (size_t k = 0; k < node_.group_by.size(); ++k) keys.push_back(batch.column(column++));
    // Arguments and FILTER masks are the same for every grouping set.
    std::vector<std::vector<arrow::Datum>> args(node_.aggregates.size());
    std::vector<std::shared_ptr<arrow::BooleanArray>> masks(node_.aggregates.size());
    for (size_t a = 0; a < node_.aggregates.size(); ++a) {
      const auto& agg = *node_.aggregates[a];
      for (size_t c = 0; c < agg.children.size(); ++c) {
        args[a].emplace_back(batch.column(column++));
      }
      if (agg.filter) {
        masks[a] = std::static_pointer_cast<arrow::BooleanArray>(batch.column(column++));
      }
    }
    if (!with_sets_) return ConsumeKeys(keys, args, masks, n);
    const int k = static_cast<int>(keys.size());
    for (const auto& set : node_.grouping_sets) {
      arrow::ArrayVector set_keys;
      int64_t grouping_id = 0;
      for (int i = 0; i < k; ++i) {
        bool in_set = std::find(set.begin(), set.end(), i) != set.end();
        if (in_set) {
          set_keys.push_back(keys[i]);
        } else {
          ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(keys[i]->type(), n));
          set_keys.push_back(nulls);
          grouping_id |= int64_t{1} << (k - 1 - i);
        }
      }
      ASSIGN_OR_RAISE(auto id_column,
                      arrow::MakeArrayFromScalar(arrow::Int64Scalar(grouping_id), n));
      set_keys.push_back(id_column);
      RETURN_NOT_OK(ConsumeKeys(set_keys, args, masks, n));
    }
    return Status::OK();
  }

  Status ConsumeKeys(const arrow::ArrayVector& keys,
                     const std::vector<std::vector<arrow::Datum>>& args,
                     const std::vector<std::shared_ptr<arrow::BooleanArray>>& masks, int64_t n) {
    std::vector<uint32_t> zero_ids;
    std::shared_ptr<arrow::UInt32Array> id_array;
    const uint32_t* ids;
    if (grouper_) {
      ASSIGN_OR_RAISE(id_array, grouper_->Consume(keys, n));
      ids = id_array->raw_values();
      int64_t groups = grouper_->num_groups();
      if (groups > num_groups_) {
        // Account for the new groups: a little state per aggregate, and the hash table: its
        // measured growth when the grouper knows it, else the keys' bytes plus 16 per group.
        int64_t bytes = (groups - num_groups_) * 16 * static_cast<int64_t>(accumulators_.size());
        const int64_t table_bytes = grouper_->memory_bytes();
        if (table_bytes >= 0) {
          bytes += std::max<int64_t>(0, table_bytes - grouper_bytes_);
          grouper_bytes_ = table_bytes;
        } else {
          int64_t key_bytes = 0;
          for (const auto& key : keys) key_bytes += BatchBytesOf(*key);
          const int64_t per_row = n > 0 ? key_bytes / n + 1 : 1;
          bytes += (groups - num_groups_) * (per_row + 16);
        }
        num_groups_ = groups;
        for (auto& acc : accumulators_) RETURN_NOT_OK(acc->Resize(num_groups_));
        if (context_->memory().TryReserve(bytes)) {
          reserved_ += bytes;
        } else {
          // With DISTINCT aggregates the table cannot spill and grows over the limit.
          spill_after_batch_ = !has_distinct_;
        }
      }
    } else {
      zero_ids.assign(static_cast<size_t>(n), 0);
      ids = zero_ids.data();
    }
    for (size_t a = 0; a < accumulators_.size(); ++a) {
      const auto& agg = *node_.aggregates[a];
      if (agg.kind == plan::ExprKind::kGroupingId) {
        arrow::Datum grouping_id =
            with_sets_ ? arrow::Datum(keys.back()) : arrow::Datum(arrow::MakeScalar(int64_t{0}));
        RETURN_NOT_OK(accumulators_[a]->Update({grouping_id}, ids, n));
        continue;
      }
      std::vector<int64_t> rows;
      bool all_rows = true;
      if (agg.distinct) {
        RETURN_NOT_OK(DistinctRows(a, ids, args[a], masks[a], n, &rows));
        all_rows = false;
      } else if (masks[a] && masks[a]->true_count() != n) {
        all_rows = false;
        for (int64_t i = 0; i < n; ++i) {
          if (masks[a]->Value(i)) rows.push_back(i);
        }
      }
      if (all_rows) {
        RETURN_NOT_OK(accumulators_[a]->Update(args[a], ids, n));
        continue;
      }
      if (rows.empty()) continue;
      arrow::Int64Builder index_builder;
      RETURN_NOT_OK(index_builder.AppendValues(rows));
      ASSIGN_OR_RAISE(auto indices, index_builder.Finish());
      std::vector<arrow::Datum> sub_args;
      for (const auto& arg : args[a]) {
        ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(arg, arrow::Datum(indices)));
        sub_args.push_back(std::move(taken));
      }
      auto sub_ids = TakeIds(ids, rows);
      RETURN_NOT_OK(accumulators_[a]->Update(sub_args, sub_ids->raw_values(),
                                             static_cast<int64_t>(rows.size())));
    }
    if (spill_after_batch_) {
      spill_after_batch_ = false;
      RETURN_NOT_OK(SpillTable());
    }
    return Status::OK();
  }

  static int64_t BatchBytesOf(const arrow::Array& array) {
    int64_t total = 0;
    for (const auto& buffer : array.data()->buffers) {
      if (buffer) total += buffer->size();
    }
    for (const auto& child : array.data()->child_data) {
      total += BatchBytesOf(*arrow::MakeArray(child));
    }
    return total;
  }

  // Picks the rows whose (group, arguments) pair has not been fed to aggregate `a` yet.
  Status DistinctRows(size_t a, const uint32_t* ids, const std::vector<arrow::Datum>& args,
                      const std::shared_ptr<arrow::BooleanArray>& mask, int64_t n,
                      std::vector<int64_t>* rows) {
    arrow::ArrayVector keys;
    arrow::UInt32Builder id_builder;
    RETURN_NOT_OK(id_builder.AppendValues(ids, n));
    ASSIGN_OR_RAISE(auto id_array, id_builder.Finish());
    keys.push_back(id_array);
    std::vector<std::shared_ptr<arrow::DataType>> types{arrow::uint32()};
    for (const auto& arg : args) {
      keys.push_back(arg.make_array());
      types.push_back(arg.type());
    }
    if (!distinct_[a]) {
      ASSIGN_OR_RAISE(distinct_[a], RowGrouper::Make(types));
    }
    ASSIGN_OR_RAISE(auto pair_ids, distinct_[a]->Consume(keys, n));
    auto& seen = distinct_seen_[a];
    seen.resize(distinct_[a]->num_groups(), false);
    for (int64_t i = 0; i < n; ++i) {
      if (mask && !mask->Value(i)) continue;
      uint32_t id = pair_ids->Value(i);
      if (seen[id]) continue;
      seen[id] = true;
      rows->push_back(i);
    }
    return Status::OK();
  }

  Result<std::shared_ptr<arrow::RecordBatch>> FinalizeTable() {
    arrow::ArrayVector columns;
    int64_t rows = num_groups_;
    if (grouper_) {
      ASSIGN_OR_RAISE(columns, grouper_->Uniques());
      rows = grouper_->num_groups();
    }
    for (auto& acc : accumulators_) {
      ASSIGN_OR_RAISE(auto values, acc->Finalize());
      columns.push_back(std::move(values));
    }
    return ConformBatch(arrow::RecordBatch::Make(schema_, rows, std::move(columns)), schema_);
  }

  // Writes the keys and accumulator states to the hash partitions and empties the table.
  Status SpillTable() {
    if (!grouper_) return Status::OK();
    ASSIGN_OR_RAISE(auto keys, grouper_->Uniques());
    const int64_t rows = grouper_->num_groups();
    arrow::ArrayVector columns = keys;
    arrow::FieldVector fields;
    for (size_t k = 0; k < keys.size(); ++k) {
      fields.push_back(arrow::field("k" + std::to_string(k), keys[k]->type()));
    }
    for (size_t a = 0; a < accumulators_.size(); ++a) {
      ASSIGN_OR_RAISE(auto state, accumulators_[a]->State());
      state_widths_.resize(accumulators_.size());
      state_widths_[a] = static_cast<int>(state.size());
      for (size_t s = 0; s < state.size(); ++s) {
        fields.push_back(
            arrow::field("a" + std::to_string(a) + "_" + std::to_string(s), state[s]->type()));
        columns.push_back(state[s]);
      }
    }
    auto batch = arrow::RecordBatch::Make(arrow::schema(fields), rows, std::move(columns));
    if (partition_writers_.empty()) {
      spill_schema_ = batch->schema();
      for (int p = 0; p < kSpillPartitions; ++p) {
        std::string path = context_->NewSpillPath();
        ASSIGN_OR_RAISE(auto writer, SpillWriter::Open(path, spill_schema_));
        partition_writers_.push_back(std::move(writer));
        partition_paths_.push_back({path});
      }
    }
    auto hashes = HashRows(keys, rows);
    std::vector<std::vector<int64_t>> parts(kSpillPartitions);
    for (int64_t i = 0; i < rows; ++i) {
      parts[hashes[static_cast<size_t>(i)] % kSpillPartitions].push_back(i);
    }
    for (int p = 0; p < kSpillPartitions; ++p) {
      if (parts[p].empty()) continue;
      arrow::Int64Builder builder;
      RETURN_NOT_OK(builder.AppendValues(parts[p]));
      ASSIGN_OR_RAISE(auto indices, builder.Finish());
      ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(arrow::Datum(batch), arrow::Datum(indices)));
      RETURN_NOT_OK(partition_writers_[p]->Write(*taken.record_batch()));
    }
    context_->memory().Release(reserved_);
    reserved_ = 0;
    return ResetTable();
  }

  Result<std::shared_ptr<arrow::RecordBatch>> MergePartition(const std::vector<std::string>& paths) {
    RETURN_NOT_OK(ResetTable());
    const size_t num_keys = key_types_.size();
    for (const auto& path : paths) {
    ASSIGN_OR_RAISE(auto reader, SpillReader::Open(path));
    for (int b = 0; b < reader->num_batches(); ++b) {
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(auto batch, reader->Read(b));
      const int64_t n = batch->num_rows();
      if (n == 0) continue;
      arrow::ArrayVector keys(batch->columns().begin(), batch->columns().begin() + num_keys);
      ASSIGN_OR_RAISE(auto ids, grouper_->Consume(keys, n));
      num_groups_ = grouper_->num_groups();
      size_t column = num_keys;
      for (size_t a = 0; a < accumulators_.size(); ++a) {
        RETURN_NOT_OK(accumulators_[a]->Resize(num_groups_));
        std::vector<std::shared_ptr<arrow::Array>> state(
            batch->columns().begin() + column,
            batch->columns().begin() + column + state_widths_[a]);
        column += state_widths_[a];
        RETURN_NOT_OK(accumulators_[a]->Merge(state, ids->raw_values(), n));
      }
    }
    }
    if (grouper_->num_groups() == 0) return std::shared_ptr<arrow::RecordBatch>();
    return FinalizeTable();
  }

  const plan::PlanNode node_;
  OperatorPtr child_;
  QueryContext* context_;
  int64_t batch_size_;
  std::shared_ptr<const KeyFilter> key_filter_;  // see PushKeyFilter
  std::vector<int> key_filter_columns_;          // the group keys it reads
  bool with_sets_ = false;
  bool has_distinct_ = false;
  std::vector<std::shared_ptr<arrow::DataType>> key_types_;
  std::unique_ptr<RowGrouper> grouper_;
  int64_t num_groups_ = 0;
  std::vector<std::unique_ptr<function::GroupedAccumulator>> accumulators_;
  std::vector<std::unique_ptr<RowGrouper>> distinct_;
  std::vector<std::vector<bool>> distinct_seen_;
  int64_t reserved_ = 0;
  int64_t grouper_bytes_ = 0;  // grouper_->memory_bytes() when last accounted
  bool spill_after_batch_ = false;
  std::shared_ptr<arrow::Schema> spill_schema_;
  std::vector<std::unique_ptr<SpillWriter>> partition_writers_;
  // The spill files of each hash partition (one per lane that spilled).
  std::vector<std::vector<std::string>> partition_paths_;
  std::vector<int> state_widths_;
  int next_partition_ = 0;
  bool done_ = false;
  std::shared_ptr<arrow::RecordBatch> output_;
  int64_t position_ = 0;
};

}  // namespace

Result<OperatorPtr> MakeAggregate(const plan::PlanNode& node, OperatorPtr child,
                                  QueryContext* context) {
  auto op = std::make_unique<AggregateOperator>(node, std::move(child), context);
  RETURN_NOT_OK(op->Init());
  return op;
}

}  // namespace basin::exec
