// Window: reads the whole input, then computes each window expression in turn: rows are sorted
// by (partition keys, order keys), partitions and peer groups (rows with equal order keys) are
// found, the frame of every row is derived from the frame spec, and values are computed in
// sorted order and put back in input order. The output is the input rows, in input order, with
// one column per window expression.
//
// Aggregates run through function::GroupedAccumulator: rows with the same frame share a group.
// A frame that starts at UNBOUNDED PRECEDING and grows is computed incrementally (one running
// group whose State() is captured after every frame, merged and finalized at the end); other
// frames feed each frame's rows to its group.

#include <cmath>
#include <numeric>

#include <arrow/array/concatenate.h>
#include <arrow/compute/api.h>

#include "basin/exec/operator.h"
#include "basin/exec/row_comparator.h"

namespace basin::exec {

namespace {

using plan::FrameBoundKind;
using plan::FrameType;


Result<double> ScalarToDouble(const arrow::Scalar& scalar) {
  if (!scalar.is_valid) return UserError("INVALID_WINDOW_FRAME", "A frame offset cannot be null.");
  if (scalar.type->id() == arrow::Type::DURATION) {
    return static_cast<double>(static_cast<const arrow::DurationScalar&>(scalar).value);
  }
  if (scalar.type->id() == arrow::Type::INTERVAL_MONTHS) {
    return UserError("UNSUPPORTED_FEATURE",
                     "RANGE frames with year-month interval offsets are not supported yet.");
  }
  ASSIGN_OR_RAISE(auto cast, scalar.CastTo(arrow::float64()));
  return static_cast<const arrow::DoubleScalar&>(*cast).value;
}

// Returns the order key as doubles (dates as days, timestamps as microseconds).
Result<std::vector<double>> OrderValues(const arrow::Array& key) {
  std::shared_ptr<arrow::Array> numeric;
  switch (key.type_id()) {
    case arrow::Type::DATE32:
    case arrow::Type::TIMESTAMP:
    case arrow::Type::DATE64:
    case arrow::Type::DURATION: {
      auto storage = key.data()->Copy();
      storage->type = key.type_id() == arrow::Type::DATE32 ? arrow::int32() : arrow::int64();
      numeric = arrow::MakeArray(storage);
      break;
    }
    default:
      numeric = key.Slice(0);
  }
  ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(numeric, arrow::float64()));
  const auto& doubles = static_cast<const arrow::DoubleArray&>(*cast.make_array());
  std::vector<double> out(static_cast<size_t>(doubles.length()));
  for (int64_t i = 0; i < doubles.length(); ++i) out[static_cast<size_t>(i)] = doubles.Value(i);
  return out;
}

class WindowOperator : public Operator {
 public:
  WindowOperator(const plan::PlanNode& node, OperatorPtr child, QueryContext* context)
      : exprs_(node.exprs), child_(std::move(child)), context_(context) {
    schema_ = node.schema;
    batch_size_ = std::max<int64_t>(1, context_->options().batch_size);
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    if (!output_) RETURN_NOT_OK(Compute());
    if (position_ >= output_->num_rows()) return nullptr;
    auto slice = output_->Slice(position_, batch_size_);
    position_ += slice->num_rows();
    return slice;
  }

 private:
  Status Compute() {
    ASSIGN_OR_RAISE(auto table, DrainToTable(child_.get()));
    child_.reset();
    ASSIGN_OR_RAISE(auto input, CombineToBatch(*table));
    arrow::ArrayVector columns = input->columns();
    for (const auto& expr : exprs_) {
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(auto column, ComputeOne(*expr, *input));
      columns.push_back(std::move(column));
    }
    ASSIGN_OR_RAISE(output_, ConformBatch(arrow::RecordBatch::Make(schema_, input->num_rows(),
                                                                   std::move(columns)),
                                          schema_));
    return Status::OK();
  }

  Result<std::shared_ptr<arrow::Array>> ComputeOne(const plan::Expr& expr,
                                                   const arrow::RecordBatch& input) {
    if (expr.kind != plan::ExprKind::kWindow || !expr.window) {
      return InternalError("Window node holds a non-window expression " + plan::ToString(expr));
    }
    const plan::WindowSpec& spec = *expr.window;
    const int64_t n = input.num_rows();
    if (n == 0) return arrow::MakeArrayOfNull(expr.type, 0);
    auto eval = [&](const plan::Expr& e) {
      return EvaluateToArray(e, input, context_->eval(), context_->subqueries());
    };
    // Sort by partition keys then order keys.
    arrow::ArrayVector keys;
    std::vector<SortOrder> orders;
    for (const auto& p : spec.partition_by) {
      ASSIGN_OR_RAISE(auto key, eval(*p));
      keys.push_back(key);
      orders.push_back({true, true});
    }
    const size_t num_partition_keys = keys.size();
    for (const auto& o : spec.order_by) {
      ASSIGN_OR_RAISE(auto key, eval(*o.expr));
      keys.push_back(key);
      orders.push_back({o.ascending, o.nulls_first});
    }
    order_ = SortIndices(keys, n, orders);
    ASSIGN_OR_RAISE(sorted_keys_, TakeAll(keys));
    // Partition and peer boundaries over sorted positions.
    partition_start_.assign(static_cast<size_t>(n), 0);
    partition_end_.assign(static_cast<size_t>(n), 0);
    peer_start_.assign(static_cast<size_t>(n), 0);
    peer_end_.assign(static_cast<size_t>(n), 0);
    int64_t ps = 0;
    int64_t qs = 0;
    for (int64_t k = 0; k < n; ++k) {
      bool new_partition = k == 0;
      bool new_peer = k == 0;
      if (k > 0) {
        for (size_t c = 0; c < sorted_keys_.size(); ++c) {
          if (CompareValues(*sorted_keys_[c], k - 1, *sorted_keys_[c], k) != 0) {
            if (c < num_partition_keys) new_partition = true;
            new_peer = true;
          }
        }
      }
      if (new_partition) ps = k;
      if (new_peer || new_partition) qs = k;
      partition_start_[static_cast<size_t>(k)] = ps;
      peer_start_[static_cast<size_t>(k)] = qs;
    }
    for (int64_t k = n - 1; k >= 0; --k) {
      auto u = static_cast<size_t>(k);
      bool last_of_partition = k == n - 1 || partition_start_[u + 1] != partition_start_[u];
      bool last_of_peer = k == n - 1 || peer_start_[u + 1] != peer_start_[u];
      partition_end_[u] = last_of_partition ? k + 1 : partition_end_[u + 1];
      peer_end_[u] = last_of_peer ? k + 1 : peer_end_[u + 1];
    }
    arrow::ArrayVector args;
    for (const auto& child : expr.children) {
      ASSIGN_OR_RAISE(auto arg, eval(*child));
      args.push_back(arg);
    }
    ASSIGN_OR_RAISE(auto sorted_args, TakeAll(args));
    std::shared_ptr<arrow::Array> sorted_result;
    if (spec.aggregate) {
      RETURN_NOT_OK(ComputeFrames(spec, num_partition_keys, n));
      ASSIGN_OR_RAISE(sorted_result, Aggregate(*spec.aggregate, sorted_args, n));
    } else {
      ASSIGN_OR_RAISE(sorted_result, RankOrValue(expr, spec, num_partition_keys, sorted_args, n));
    }
    // Back to input order.
    std::vector<int64_t> inverse(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k)
      inverse[static_cast<size_t>(order_[static_cast<size_t>(k)])] = k;
    ASSIGN_OR_RAISE(auto result, TakeRows(*sorted_result, inverse));
    if (!result->type()->Equals(*expr.type)) {
      ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(result, expr.type));
      result = cast.make_array();
    }
    return result;
  }

  Result<arrow::ArrayVector> TakeAll(const arrow::ArrayVector& arrays) {
    arrow::ArrayVector out;
    for (const auto& array : arrays) {
      ASSIGN_OR_RAISE(auto taken, TakeRows(*array, order_));
      out.push_back(taken);
    }
    return out;
  }

  // Fills frame_start_/frame_end_ (half-open, sorted positions) for every row.
  Status ComputeFrames(const plan::WindowSpec& spec, size_t num_partition_keys, int64_t n) {
    frame_start_.assign(static_cast<size_t>(n), 0);
    frame_end_.assign(static_cast<size_t>(n), 0);
    const plan::WindowFrame& frame = spec.frame;
    std::vector<double> values;
    double start_offset = 0;
    double end_offset = 0;
    bool ascending = true;
    bool range_offsets =
        frame.type == FrameType::kRange && (frame.start.kind == FrameBoundKind::kPreceding ||
                                            frame.start.kind == FrameBoundKind::kFollowing ||
                                            frame.end.kind == FrameBoundKind::kPreceding ||
                                            frame.end.kind == FrameBoundKind::kFollowing);
    auto offset_of = [](const plan::FrameBound& bound) -> Result<double> {
      if (!bound.offset || bound.offset->kind != plan::ExprKind::kLiteral) {
        return UserError("INVALID_WINDOW_FRAME", "A frame offset must be a literal.");
      }
      return ScalarToDouble(*bound.offset->literal);
    };
    if (frame.start.kind == FrameBoundKind::kPreceding ||
        frame.start.kind == FrameBoundKind::kFollowing) {
      ASSIGN_OR_RAISE(start_offset, offset_of(frame.start));
    }
    if (frame.end.kind == FrameBoundKind::kPreceding ||
        frame.end.kind == FrameBoundKind::kFollowing) {
      ASSIGN_OR_RAISE(end_offset, offset_of(frame.end));
    }
    const arrow::Array* order_key = nullptr;
    if (range_offsets) {
      if (spec.order_by.size() != 1) {
        return UserError("DATATYPE_MISMATCH.RANGE_FRAME_MULTI_ORDER",
                         "A range window frame with value boundaries cannot be used in a window "
                         "specification with multiple order by expressions.");
      }
      order_key = sorted_keys_[num_partition_keys].get();
      ASSIGN_OR_RAISE(values, OrderValues(*order_key));
      ascending = spec.order_by[0].ascending;
      if (order_key->type_id() == arrow::Type::DATE32) {
        // Date keys are in days; day-time interval offsets are in microseconds.
        auto is_duration = [](const plan::FrameBound& b) {
          return b.offset && b.offset->kind == plan::ExprKind::kLiteral && b.offset->literal &&
                 b.offset->literal->type->id() == arrow::Type::DURATION;
        };
        constexpr double kMicrosPerDay = 86400.0 * 1e6;
        if (is_duration(frame.start)) start_offset /= kMicrosPerDay;
        if (is_duration(frame.end)) end_offset /= kMicrosPerDay;
      }
    }
    for (int64_t k = 0; k < n; ++k) {
      auto u = static_cast<size_t>(k);
      const int64_t ps = partition_start_[u];
      const int64_t pe = partition_end_[u];
      auto bound = [&](const plan::FrameBound& b, double offset, bool is_start) -> int64_t {
        switch (b.kind) {
          case FrameBoundKind::kUnboundedPreceding:
            return ps;
          case FrameBoundKind::kUnboundedFollowing:
            return pe;
          case FrameBoundKind::kCurrentRow:
            if (frame.type == FrameType::kRows) return is_start ? k : k + 1;
            return is_start ? peer_start_[u] : peer_end_[u];
          case FrameBoundKind::kPreceding:
          case FrameBoundKind::kFollowing: {
            double signed_offset = b.kind == FrameBoundKind::kPreceding ? -offset : offset;
            if (frame.type == FrameType::kRows) {
              auto delta = static_cast<int64_t>(signed_offset);
              int64_t pos = k + delta + (is_start ? 0 : 1);
              return std::clamp(pos, ps, pe);
            }
            // RANGE: rows whose key lies within the offset; null keys frame their peers.
            if (order_key->IsNull(k)) return is_start ? peer_start_[u] : peer_end_[u];
            double target = values[u] + (ascending ? signed_offset : -signed_offset);
            // Non-null keys of this partition occupy [lo, hi).
            int64_t lo = ps;
            int64_t hi = pe;
            while (lo < hi && order_key->IsNull(lo)) ++lo;
            while (hi > lo && order_key->IsNull(hi - 1)) --hi;
            auto before = [&](int64_t pos) {
              double v = values[static_cast<size_t>(pos)];
              return is_start ? (ascending ? v < target : v > target)
                              : (ascending ? v <= target : v >= target);
            };
            int64_t a = lo;
            int64_t c = hi;
            while (a < c) {
              int64_t mid = a + (c - a) / 2;
              if (before(mid)) {
                a = mid + 1;
              } else {
                c = mid;
              }
            }
            return a;
          }
        }
        return k;
      };
      int64_t fs = bound(frame.start, start_offset, true);
      int64_t fe = bound(frame.end, end_offset, false);
      if (fe < fs) fe = fs;
      frame_start_[u] = fs;
      frame_end_[u] = fe;
    }
    return Status::OK();
  }

  Result<std::shared_ptr<arrow::Array>> Aggregate(const function::BoundAggregate& aggregate,
                                                  const arrow::ArrayVector& args, int64_t n) {
    // Distinct frames get one group each; consecutive rows often share a frame.
    std::vector<uint32_t> group_of(static_cast<size_t>(n));
    std::vector<std::pair<int64_t, int64_t>> frames;
    bool running = true;  // every frame starts at its partition start and grows
    for (int64_t k = 0; k < n; ++k) {
      auto u = static_cast<size_t>(k);
      std::pair<int64_t, int64_t> f{frame_start_[u], frame_end_[u]};
      if (frames.empty() || frames.back() != f) frames.push_back(f);
      group_of[u] = static_cast<uint32_t>(frames.size() - 1);
      if (f.first != partition_start_[u]) running = false;
      if (frames.size() > 1 && partition_start_[u] == partition_start_[u > 0 ? u - 1 : 0] &&
          k > 0 && frame_end_[u] < frame_end_[u - 1]) {
        running = false;
      }
    }
    std::vector<arrow::Datum> all_args(args.begin(), args.end());
    auto feed = [&](function::GroupedAccumulator* acc, const std::vector<int64_t>& rows,
                    const std::vector<uint32_t>& ids) -> Status {
      if (rows.empty()) return Status::OK();
      std::vector<arrow::Datum> taken;
      for (const auto& arg : args) {
        ASSIGN_OR_RAISE(auto t, TakeRows(*arg, rows));
        taken.emplace_back(t);
      }
      return acc->Update(taken, ids.data(), static_cast<int64_t>(rows.size()));
    };
    auto result = aggregate.make(context_->eval());
    const auto groups = static_cast<int64_t>(frames.size());
    RETURN_NOT_OK(result->Resize(groups));
    if (running) {
      // One running accumulator per partition; capture its state after every frame.
      std::vector<std::vector<std::shared_ptr<arrow::Array>>> states;
      std::unique_ptr<function::GroupedAccumulator> acc;
      int64_t fed_until = -1;
      int64_t current_partition = -1;
      for (size_t g = 0; g < frames.size(); ++g) {
        auto [fs, fe] = frames[g];
        if (fs != current_partition || !acc) {
          acc = aggregate.make(context_->eval());
          RETURN_NOT_OK(acc->Resize(1));
          current_partition = fs;
          fed_until = fs;
        }
        if (fe > fed_until) {
          std::vector<int64_t> rows(static_cast<size_t>(fe - fed_until));
          std::iota(rows.begin(), rows.end(), fed_until);
          std::vector<uint32_t> ids(rows.size(), 0);
          RETURN_NOT_OK(feed(acc.get(), rows, ids));
          fed_until = fe;
        }
        ASSIGN_OR_RAISE(auto state, acc->State());
        states.push_back(std::move(state));
      }
      std::vector<std::shared_ptr<arrow::Array>> merged;
      for (size_t f = 0; f < states[0].size(); ++f) {
        arrow::ArrayVector parts;
        for (const auto& state : states) parts.push_back(state[f]);
        ASSIGN_OR_RAISE(auto all, arrow::Concatenate(parts));
        merged.push_back(all);
      }
      std::vector<uint32_t> ids(frames.size());
      std::iota(ids.begin(), ids.end(), 0);
      RETURN_NOT_OK(result->Merge(merged, ids.data(), groups));
    } else {
      std::vector<int64_t> rows;
      std::vector<uint32_t> ids;
      for (size_t g = 0; g < frames.size(); ++g) {
        for (int64_t r = frames[g].first; r < frames[g].second; ++r) {
          rows.push_back(r);
          ids.push_back(static_cast<uint32_t>(g));
        }
        if (rows.size() >= (1u << 20)) {
          RETURN_NOT_OK(feed(result.get(), rows, ids));
          rows.clear();
          ids.clear();
        }
      }
      RETURN_NOT_OK(feed(result.get(), rows, ids));
    }
    ASSIGN_OR_RAISE(auto per_group, result->Finalize());
    std::vector<int64_t> rows(group_of.begin(), group_of.end());
    return TakeRows(*per_group, rows);
  }

  Result<std::shared_ptr<arrow::Array>> RankOrValue(const plan::Expr& expr,
                                                    const plan::WindowSpec& spec,
                                                    size_t num_partition_keys,
                                                    const arrow::ArrayVector& args, int64_t n) {
    std::string name = spec.function;
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto literal_int = [&](size_t index, int64_t fallback) -> Result<int64_t> {
      if (expr.children.size() <= index) return fallback;
      const auto& e = *expr.children[index];
      if (e.kind != plan::ExprKind::kLiteral || !e.literal->is_valid) {
        return UserError("DATATYPE_MISMATCH.NON_FOLDABLE_INPUT",
                         "The argument of " + name + " must be a constant integer.");
      }
      ASSIGN_OR_RAISE(auto cast, e.literal->CastTo(arrow::int64()));
      return static_cast<const arrow::Int64Scalar&>(*cast).value;
    };
    if (name == "row_number" || name == "rank" || name == "dense_rank" || name == "ntile") {
      arrow::Int32Builder builder;
      RETURN_NOT_OK(builder.Reserve(n));
      int64_t buckets = 1;
      if (name == "ntile") {
        ASSIGN_OR_RAISE(buckets, literal_int(0, 1));
        if (buckets <= 0) {
          return UserError("INVALID_PARAMETER_VALUE.NTILE",
                           "The value of parameter `buckets` in `ntile` must be positive, but "
                           "got " +
                               std::to_string(buckets) + ".");
        }
      }
      int32_t dense = 0;
      for (int64_t k = 0; k < n; ++k) {
        auto u = static_cast<size_t>(k);
        const int64_t ps = partition_start_[u];
        if (k == ps) dense = 0;
        if (peer_start_[u] == k) ++dense;
        int64_t value;
        if (name == "row_number") {
          value = k - ps + 1;
        } else if (name == "rank") {
          value = peer_start_[u] - ps + 1;
        } else if (name == "dense_rank") {
          value = dense;
        } else {
          // Spark's NTile: the first (size % buckets) buckets get one extra row.
          int64_t size = partition_end_[u] - ps;
          int64_t base = size / buckets;
          int64_t extra = size % buckets;
          int64_t i = k - ps;
          int64_t big = extra * (base + 1);
          value =
              i < big ? i / (base + 1) + 1 : (base == 0 ? extra + 1 : extra + (i - big) / base + 1);
        }
        builder.UnsafeAppend(static_cast<int32_t>(value));
      }
      return builder.Finish();
    }
    if (name == "percent_rank" || name == "cume_dist") {
      arrow::DoubleBuilder builder;
      RETURN_NOT_OK(builder.Reserve(n));
      for (int64_t k = 0; k < n; ++k) {
        auto u = static_cast<size_t>(k);
        const int64_t ps = partition_start_[u];
        const int64_t size = partition_end_[u] - ps;
        if (name == "percent_rank") {
          int64_t rank = peer_start_[u] - ps + 1;
          builder.UnsafeAppend(
              size <= 1 ? 0.0 : static_cast<double>(rank - 1) / static_cast<double>(size - 1));
        } else {
          builder.UnsafeAppend(static_cast<double>(peer_end_[u] - ps) / static_cast<double>(size));
        }
      }
      return builder.Finish();
    }
    if (args.empty()) {
      return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                       "The `" + name + "` requires at least 1 parameter.");
    }
    const arrow::Array& values = *args[0];
    std::vector<int64_t> source(static_cast<size_t>(n), -1);
    if (name == "lag" || name == "lead") {
      ASSIGN_OR_RAISE(int64_t offset, literal_int(1, 1));
      if (name == "lag") offset = -offset;
      std::vector<bool> use_default(static_cast<size_t>(n), false);
      for (int64_t k = 0; k < n; ++k) {
        auto u = static_cast<size_t>(k);
        int64_t target = k + offset;
        if (spec.ignore_nulls && offset != 0) {
          // The |offset|-th non-null value before (lag) or after (lead) the row.
          int64_t step = offset < 0 ? -1 : 1;
          int64_t remaining = std::abs(offset);
          target = k;
          while (remaining > 0) {
            target += step;
            if (target < partition_start_[u] || target >= partition_end_[u]) break;
            if (values.IsValid(target)) --remaining;
          }
        }
        if (target >= partition_start_[u] && target < partition_end_[u]) {
          source[u] = target;
        } else {
          use_default[u] = true;
        }
      }
      ASSIGN_OR_RAISE(auto taken, TakeRows(values, source));
      if (args.size() < 3) return taken;
      arrow::BooleanBuilder mask;
      RETURN_NOT_OK(mask.Reserve(n));
      for (int64_t k = 0; k < n; ++k) mask.UnsafeAppend(!use_default[static_cast<size_t>(k)]);
      ASSIGN_OR_RAISE(auto mask_array, mask.Finish());
      auto fallback = args[2];
      if (!fallback->type()->Equals(*taken->type())) {
        ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(fallback, taken->type()));
        fallback = cast.make_array();
      }
      ASSIGN_OR_RAISE(auto chosen, arrow::compute::IfElse(mask_array, taken, fallback));
      return chosen.make_array();
    }
    if (name == "first_value" || name == "first" || name == "last_value" || name == "last" ||
        name == "nth_value") {
      RETURN_NOT_OK(ComputeFrames(spec, num_partition_keys, n));
      int64_t nth = 1;
      if (name == "nth_value") {
        ASSIGN_OR_RAISE(nth, literal_int(1, 1));
        if (nth <= 0) {
          return UserError("INVALID_PARAMETER_VALUE",
                           "The value of parameter `offset` in `nth_value` must be positive.");
        }
      }
      const bool last = name == "last_value" || name == "last";
      for (int64_t k = 0; k < n; ++k) {
        auto u = static_cast<size_t>(k);
        const int64_t fs = frame_start_[u];
        const int64_t fe = frame_end_[u];
        if (fs >= fe) continue;
        if (!spec.ignore_nulls) {
          int64_t pos = last ? fe - 1 : fs + nth - 1;
          if (pos < fe) source[u] = pos;
          continue;
        }
        int64_t seen = 0;
        if (last) {
          for (int64_t r = fe - 1; r >= fs; --r) {
            if (values.IsValid(r)) {
              source[u] = r;
              break;
            }
          }
        } else {
          for (int64_t r = fs; r < fe; ++r) {
            if (values.IsValid(r) && ++seen == nth) {
              source[u] = r;
              break;
            }
          }
        }
      }
      return TakeRows(values, source);
    }
    return UserError("UNRESOLVED_ROUTINE",
                     "The window function `" + spec.function + "` is not supported.");
  }

  std::vector<plan::ExprPtr> exprs_;
  OperatorPtr child_;
  QueryContext* context_;
  int64_t batch_size_;
  std::shared_ptr<arrow::RecordBatch> output_;
  int64_t position_ = 0;
  std::vector<int64_t> order_;
  arrow::ArrayVector sorted_keys_;
  std::vector<int64_t> partition_start_, partition_end_, peer_start_, peer_end_;
  std::vector<int64_t> frame_start_, frame_end_;
};

}  // namespace

Result<OperatorPtr> MakeWindow(const plan::PlanNode& node, OperatorPtr child,
                               QueryContext* context) {
  return std::make_unique<WindowOperator>(node, std::move(child), context);
}

}  // namespace basin::exec
