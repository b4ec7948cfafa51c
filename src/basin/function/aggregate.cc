// Aggregate functions as grouped accumulators (hash aggregation over dense group ids) with
// Spark's result types: count, sum, avg, min, max, bool_and/or, first/last, collect_list/set,
// the variance family, covariance and correlation, percentiles, approx_count_distinct,
// max_by/min_by.

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <unordered_map>

#include <arrow/util/bit_util.h>
#include <arrow/util/bitmap_ops.h>

#include "basin/base/pool_vector.h"
#include "basin/function/decimal_math.h"
#include "basin/function/hash.h"
#include "basin/function/kernel_support.h"
#include "basin/function/value_order.h"
#include "basin/types/geospatial_type.h"
#include "basin/types/variant_type.h"

namespace basin::function {

namespace {

using ArrayVector = std::vector<std::shared_ptr<arrow::Array>>;

// A reference to a value inside an input chunk that an accumulator keeps alive.
struct Ref {
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t chunk = kNone;
  int64_t row = 0;
  bool empty() const { return chunk == kNone; }
};

// Keeps input chunks that hold referenced values; compacts them when they pile up so that
// memory stays proportional to what is referenced, not to the input seen.
class RefStore {
 public:
  explicit RefStore(TypePtr type) : type_(std::move(type)) {}
  uint32_t Add(std::shared_ptr<arrow::Array> chunk) {
    chunks_.push_back(std::move(chunk));
    return static_cast<uint32_t>(chunks_.size() - 1);
  }
  const arrow::Array& At(const Ref& r) const { return *chunks_[r.chunk]; }
  bool NeedsCompaction() const { return chunks_.size() > 64; }
  // Rewrites every ref in `refs` to point into one fresh chunk.
  Status Compact(const std::vector<Ref*>& refs) {
    ARROW_ASSIGN_OR_RAISE(auto builder, arrow::MakeBuilder(type_));
    int64_t n = 0;
    for (Ref* r : refs) {
      if (r->empty()) continue;
      RETURN_NOT_OK(builder->AppendArraySlice(*chunks_[r->chunk]->data(), r->row, 1));
      r->row = n++;
    }
    std::shared_ptr<arrow::Array> fresh;
    RETURN_NOT_OK(builder->Finish(&fresh));
    chunks_.clear();
    chunks_.push_back(fresh);
    for (Ref* r : refs) {
      if (!r->empty()) r->chunk = 0;
    }
    return Status::OK();
  }
  // Builds one value per ref (null for an empty ref).
  Result<std::shared_ptr<arrow::Array>> Build(const std::vector<Ref>& refs) const {
    ARROW_ASSIGN_OR_RAISE(auto builder, arrow::MakeBuilder(type_));
    for (const Ref& r : refs) {
      if (r.empty()) {
        RETURN_NOT_OK(builder->AppendNull());
      } else {
        RETURN_NOT_OK(builder->AppendArraySlice(*chunks_[r.chunk]->data(), r.row, 1));
      }
    }
    std::shared_ptr<arrow::Array> out;
    RETURN_NOT_OK(builder->Finish(&out));
    return out;
  }
  const TypePtr& type() const { return type_; }

 private:
  TypePtr type_;
  ArrayVector chunks_;
};

std::shared_ptr<arrow::Array> ToArray(const arrow::Datum& d, int64_t length) {
  if (d.is_array()) return d.make_array();
  auto a = arrow::MakeArrayFromScalar(*d.scalar(), length);
  return a.ok() ? *a : nullptr;
}

// Whether an array of `type` is null exactly where its validity bitmap says so (not so for the
// null type, unions, run-end encoded, dictionary and extension arrays).
bool NullsAreTheBitmap(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::NA:
    case arrow::Type::SPARSE_UNION:
    case arrow::Type::DENSE_UNION:
    case arrow::Type::RUN_END_ENCODED:
    case arrow::Type::DICTIONARY:
    case arrow::Type::EXTENSION:
      return false;
    default:
      return true;
  }
}

// ---------------------------------------------------------------------------------------------
class CountAccumulator : public GroupedAccumulator {
 public:
  explicit CountAccumulator(bool count_if) : count_if_(count_if) {}
  Status Resize(int64_t n) override {
    counts_.resize(static_cast<size_t>(n), 0);
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    if (args.size() == 1 && args[0].is_array() && NullsAreTheBitmap(*args[0].type()) &&
        (!count_if_ || args[0].type()->id() == arrow::Type::BOOL)) {
      CountBitmap(*args[0].array(), g, length);
      return Status::OK();
    }
    std::vector<ArgReader> r;
    for (const auto& a : args) r.emplace_back(a);
    if (!count_if_) {
      // count(*), or arguments without nulls: every row counts.
      bool nulls = false;
      for (const auto& a : r) nulls = nulls || a.array()->null_count() > 0;
      if (!nulls) {
        for (int64_t i = 0; i < length; ++i) ++counts_[g[i]];
        return Status::OK();
      }
    }
    for (int64_t i = 0; i < length; ++i) {
      bool ok = true;
      for (const auto& a : r) {
        if (a.IsNull(i)) ok = false;
      }
      if (ok && count_if_) ok = r[0].Bool(i);
      if (ok) ++counts_[g[i]];
    }
    return Status::OK();
  }
  Result<ArrayVector> State() override {
    ARROW_ASSIGN_OR_RAISE(auto a, Finalize());
    return ArrayVector{a};
  }
  // One argument whose nulls are its validity bitmap: count(x) counts the valid rows,
  // count_if(b) the valid rows whose value bit is set. One group (a global count) takes whole
  // bitmaps at once.
  void CountBitmap(const arrow::ArrayData& data, const uint32_t* g, int64_t length) {
    const uint8_t* valid = data.MayHaveNulls() ? data.buffers[0]->data() : nullptr;
    const uint8_t* bits = count_if_ ? data.buffers[1]->data() : nullptr;
    const int64_t at = data.offset;
    if (counts_.size() == 1) {
      if (bits && valid) {
        counts_[0] += arrow::internal::CountAndSetBits(valid, at, bits, at, length);
      } else if (bits || valid) {
        counts_[0] += arrow::internal::CountSetBits(bits ? bits : valid, at, length);
      } else {
        counts_[0] += length;
      }
      return;
    }
    for (int64_t i = 0; i < length; ++i) {
      const bool counted = (!valid || arrow::bit_util::GetBit(valid, at + i)) &&
                           (!bits || arrow::bit_util::GetBit(bits, at + i));
      counts_[g[i]] += counted;
    }
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    const auto& c = static_cast<const arrow::Int64Array&>(*state[0]);
    for (int64_t i = 0; i < length; ++i) counts_[g[i]] += c.IsNull(i) ? 0 : c.Value(i);
    return Status::OK();
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    arrow::Int64Builder b;
    RETURN_NOT_OK(b.AppendValues(counts_.data(), static_cast<int64_t>(counts_.size())));
    return b.Finish();
  }

 private:
  bool count_if_;
  PoolVector<int64_t> counts_;
};

// ---------------------------------------------------------------------------------------------
enum class SumKind { kIntegral, kDouble, kDecimal, kDuration, kMonths };

// sum and avg: the running sum (bigint, double or a wide decimal) and the row count.
class SumAccumulator : public GroupedAccumulator {
 public:
  SumAccumulator(SumKind kind, int in_scale, TypePtr sum_type, TypePtr result_type, bool avg,
                 bool ansi, bool try_mode)
      : kind_(kind), in_scale_(in_scale), sum_type_(std::move(sum_type)),
        result_type_(std::move(result_type)), avg_(avg), ansi_(ansi && !try_mode) {
    if (kind_ == SumKind::kDecimal) {
      sum_limit_ = 1;
      const int p = static_cast<const arrow::Decimal128Type&>(*sum_type_).precision();
      for (int i = 0; i < p; ++i) sum_limit_ *= 10;
    }
  }
  Status Resize(int64_t n) override {
    const size_t s = static_cast<size_t>(n);
    // Only the sums of this kind: a decimal sum of 1.5M groups need not also grow (and zero)
    // a bigint and a double per group.
    switch (kind_) {
      case SumKind::kIntegral:
      case SumKind::kDuration:
      case SumKind::kMonths:
        isum_.resize(s, 0);
        break;
      case SumKind::kDouble:
        dsum_.resize(s, 0);
        break;
      case SumKind::kDecimal:
        dec128_.resize(s, 0);
        break;
    }
    count_.resize(s, 0);
    overflow_.resize(s, false);
    return Status::OK();
  }
  Status Add(uint32_t g, const ArgReader& r, int64_t i) {
    ++count_[g];
    switch (kind_) {
      case SumKind::kIntegral:
      case SumKind::kDuration:
      case SumKind::kMonths:
        if (__builtin_add_overflow(isum_[g], r.Int(i), &isum_[g])) {
          if (ansi_) return ArithmeticOverflow("long overflow", "try_sum");
          overflow_[g] = true;
        }
        break;
      case SumKind::kDouble:
        dsum_[g] += r.Double(i);
        break;
      case SumKind::kDecimal: {
        const arrow::Decimal128 v = r.Dec(i);
        if (!AddDecimal(g, static_cast<__int128>(static_cast<unsigned __int128>(v.high_bits()) << 64 |
                                                 v.low_bits()))) {
          return SumOverflow();
        }
        break;
      }
    }
    return Status::OK();
  }
  // Adds to a decimal sum in 128 bits. As in Spark, a running sum that leaves the sum type's
  // precision overflows the group: an error under ANSI (false here, SumOverflow() says it),
  // else null (try_sum, try_avg).
  bool AddDecimal(uint32_t g, __int128 v) {
    bound_known_ = false;
    __int128& sum = dec128_[g];
    if (__builtin_add_overflow(sum, v, &sum) || sum >= sum_limit_ || sum <= -sum_limit_) {
      if (!overflow_[g]) {
        overflow_[g] = true;
        if (ansi_) return false;
      }
      sum = 0;  // the group stays null; keep the sum in range
    }
    return true;
  }
  // Few groups (q01's four): consecutive rows mostly add to the same sum, and each add waits
  // for the previous one's store. Four interleaved copies of the sums take rows in turn, so
  // four adds are in flight; they are summed into the groups at the end of the batch.
  static constexpr size_t kSmallGroups = 64;
  void AddFewGroups(const __int128* values, const uint32_t* g, int64_t length) {
    const size_t groups = dec128_.size();
    __int128 sums[4][kSmallGroups] = {};
    int64_t counts[4][kSmallGroups] = {};
    int64_t i = 0;
    for (; i + 4 <= length; i += 4) {
      sums[0][g[i]] += values[i];
      ++counts[0][g[i]];
      sums[1][g[i + 1]] += values[i + 1];
      ++counts[1][g[i + 1]];
      sums[2][g[i + 2]] += values[i + 2];
      ++counts[2][g[i + 2]];
      sums[3][g[i + 3]] += values[i + 3];
      ++counts[3][g[i + 3]];
    }
    for (; i < length; ++i) {
      sums[0][g[i]] += values[i];
      ++counts[0][g[i]];
    }
    for (size_t k = 0; k < groups; ++k) {
      dec128_[k] += sums[0][k] + sums[1][k] + sums[2][k] + sums[3][k];
      count_[k] += counts[0][k] + counts[1][k] + counts[2][k] + counts[3][k];
    }
  }
  // Whether `length` values of decimal(precision) added to any group cannot take a running sum
  // out of the sum type's range: bound_ (at least every group's |sum|) plus length * 10^precision
  // stays below the limit. Updates bound_ for that batch when so. Most batches pass, after one
  // look at every group's sum when the bound is not known.
  // A type of more than 28 digits (products: decimal(38, 6)) bounds nothing useful; the batch's
  // largest |value| does instead, when it is under 10^28.
  bool BatchCannotOverflow(const __int128* values, int precision, int64_t length) {
    if (checked_only_ || length > (int64_t{1} << 20)) return false;
    __int128 step = length;
    if (precision <= 28) {
      for (int i = 0; i < precision; ++i) step *= 10;  // < 10^34
    } else {
      unsigned __int128 largest = 0;
      for (int64_t i = 0; i < length; ++i) {
        const __int128 v = values[i];
        const unsigned __int128 magnitude =
            v < 0 ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
        largest = magnitude > largest ? magnitude : largest;
      }
      unsigned __int128 ten28 = 1;
      for (int i = 0; i < 28; ++i) ten28 *= 10;
      if (largest >= ten28) return false;
      step *= static_cast<__int128>(largest) + 1;  // < 2^20 * 10^28 < 10^35
    }
    if (!bound_known_ || bound_ + step >= sum_limit_) {
      bound_ = 0;
      for (size_t k = 0; k < dec128_.size(); ++k) {
        const __int128 v = dec128_[k] < 0 ? -dec128_[k] : dec128_[k];
        if (v > bound_) bound_ = v;
      }
      bound_known_ = true;
      if (bound_ + step >= sum_limit_) {
        checked_only_ = true;  // sums this large: check every add from now on
        return false;
      }
    }
    bound_ += step;
    return true;
  }
  Status SumOverflow() const {
    return ArithmeticOverflow("Overflow in sum of decimals", avg_ ? "try_avg" : "try_sum");
  }
  static arrow::Decimal256 WideOf(__int128 v) {
    return Widen(arrow::Decimal128(static_cast<int64_t>(v >> 64),
                                   static_cast<uint64_t>(static_cast<unsigned __int128>(v))));
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    if (kind_ == SumKind::kDecimal && args[0].is_array() &&
        args[0].type()->id() == arrow::Type::DECIMAL128) {
      const auto& data = *args[0].array();
      const auto* values = reinterpret_cast<const __int128*>(data.buffers[1]->data()) + data.offset;
      const uint8_t* valid = data.MayHaveNulls() ? data.buffers[0]->data() : nullptr;
      if (BatchCannotOverflow(values,
                              static_cast<const arrow::Decimal128Type&>(*data.type).precision(),
                              length)) {
        // No running sum can leave the sum type's precision in this batch: plain adds.
        if (!valid && dec128_.size() <= kSmallGroups) {
          AddFewGroups(values, g, length);
          return Status::OK();
        }
        for (int64_t i = 0; i < length; ++i) {
          if (valid && !arrow::bit_util::GetBit(valid, data.offset + i)) continue;
          ++count_[g[i]];
          dec128_[g[i]] += values[i];
        }
        return Status::OK();
      }
      bool fits = true;
      for (int64_t i = 0; i < length; ++i) {
        if (valid && !arrow::bit_util::GetBit(valid, data.offset + i)) continue;
        ++count_[g[i]];
        fits &= AddDecimal(g[i], values[i]);
      }
      if (!fits) return SumOverflow();
      return Status::OK();
    }
    if (args[0].is_array()) {
      const auto& data = *args[0].array();
      if (kind_ == SumKind::kIntegral) {
        switch (data.type->id()) {
          case arrow::Type::INT8:
            return SumValues<int8_t>(data, isum_, g, length);
          case arrow::Type::INT16:
            return SumValues<int16_t>(data, isum_, g, length);
          case arrow::Type::INT32:
            return SumValues<int32_t>(data, isum_, g, length);
          case arrow::Type::INT64:
            return SumValues<int64_t>(data, isum_, g, length);
          default:
            break;
        }
      } else if (kind_ == SumKind::kDouble && data.type->id() == arrow::Type::DOUBLE) {
        return SumValues<double>(data, dsum_, g, length);
      }
    }
    ArgReader r(args[0]);
    for (int64_t i = 0; i < length; ++i) {
      if (!r.IsNull(i)) RETURN_NOT_OK(Add(g[i], r, i));
    }
    return Status::OK();
  }
  // sum of an integer column into bigint (an overflow marks its group, as in Add) or of a double
  // column (each group's values added in row order, as in Add), read straight from the array.
  // One group keeps its sum in a register.
  template <typename T, typename S>
  Status SumValues(const arrow::ArrayData& data, PoolVector<S>& sums, const uint32_t* g,
                   int64_t length) {
    const T* values = data.GetValues<T>(1);
    const uint8_t* valid = data.MayHaveNulls() ? data.buffers[0]->data() : nullptr;
    const int64_t at = data.offset;
    bool over = false;
    // Adds v to sum; true when a bigint sum overflowed.
    auto add = [&over](S& sum, T v) {
      if constexpr (std::is_integral_v<S>) {
        const bool overflowed = __builtin_add_overflow(sum, static_cast<S>(v), &sum);
        over |= overflowed;
        return overflowed;
      } else {
        sum += v;
        return false;
      }
    };
    if (sums.size() == 1) {
      S sum = sums[0];
      int64_t n = 0;
      for (int64_t i = 0; i < length; ++i) {
        if (valid && !arrow::bit_util::GetBit(valid, at + i)) continue;
        ++n;
        if (add(sum, values[i])) overflow_[0] = true;
      }
      sums[0] = sum;
      count_[0] += n;
    } else {
      for (int64_t i = 0; i < length; ++i) {
        if (valid && !arrow::bit_util::GetBit(valid, at + i)) continue;
        const uint32_t k = g[i];
        ++count_[k];
        if (add(sums[k], values[i])) overflow_[k] = true;
      }
    }
    if (over && ansi_) return ArithmeticOverflow("long overflow", "try_sum");
    return Status::OK();
  }
  Result<ArrayVector> State() override {
    ARROW_ASSIGN_OR_RAISE(auto sum, BuildSums());
    arrow::Int64Builder c;
    RETURN_NOT_OK(c.AppendValues(count_.data(), static_cast<int64_t>(count_.size())));
    ARROW_ASSIGN_OR_RAISE(auto counts, c.Finish());
    return ArrayVector{sum, counts};
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    ArgReader sums{arrow::Datum(state[0])};
    const auto& counts = static_cast<const arrow::Int64Array&>(*state[1]);
    for (int64_t i = 0; i < length; ++i) {
      const int64_t c = counts.Value(i);
      if (c == 0) continue;
      if (sums.IsNull(i)) {
        overflow_[g[i]] = true;  // an overflowed partial sum stays null
        count_[g[i]] += c;
        continue;
      }
      RETURN_NOT_OK(Add(g[i], sums, i));
      count_[g[i]] += c - 1;
    }
    return Status::OK();
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    if (!avg_) return BuildSums();
    ARROW_ASSIGN_OR_RAISE(auto out, OutBuilder::Make(result_type_, static_cast<int64_t>(count_.size())));
    for (size_t k = 0; k < count_.size(); ++k) {
      const int64_t n = count_[k];
      if (n == 0 || overflow_[k]) {
        RETURN_NOT_OK(out->Null());
        continue;
      }
      switch (kind_) {
        case SumKind::kDouble:
        case SumKind::kIntegral:
          RETURN_NOT_OK(out->Double(dsum_[k] / static_cast<double>(n)));
          break;
        case SumKind::kDuration:
        case SumKind::kMonths:
          RETURN_NOT_OK(out->Int(isum_[k] / n));
          break;
        case SumKind::kDecimal: {
          const auto& rt = static_cast<const arrow::Decimal128Type&>(*result_type_);
          // sum / n at the result scale, HALF_UP.
          arrow::Decimal256 num = WideOf(dec128_[k]) * Pow10Wide(rt.scale() - in_scale_ + 1);
          arrow::Decimal256 q, r;
          DivMod(num, arrow::Decimal256(n), &q, &r);
          arrow::Decimal256 v = RescaleHalfUp(q, 1, 0);
          if (!FitsPrecision(v, rt.precision())) {
            if (ansi_) return DecimalOverflowError();
            RETURN_NOT_OK(out->Null());
          } else {
            RETURN_NOT_OK(out->Dec(Narrow(v)));
          }
          break;
        }
      }
    }
    ARROW_ASSIGN_OR_RAISE(auto d, out->Finish(false));
    return d.make_array();
  }

 private:
  Status DecimalOverflowError() {
    return UserError("NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION",
                     "The sum cannot be represented as " + SqlTypeName(*sum_type_) +
                         ". If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass "
                         "this error, and return NULL instead.");
  }
  Result<std::shared_ptr<arrow::Array>> BuildSums() {
    ARROW_ASSIGN_OR_RAISE(auto out, OutBuilder::Make(sum_type_, static_cast<int64_t>(count_.size())));
    for (size_t k = 0; k < count_.size(); ++k) {
      if (count_[k] == 0 || overflow_[k]) {
        RETURN_NOT_OK(out->Null());
        continue;
      }
      switch (kind_) {
        case SumKind::kIntegral:
          if (avg_) {
            RETURN_NOT_OK(out->Double(dsum_[k]));
          } else {
            RETURN_NOT_OK(out->Int(isum_[k]));
          }
          break;
        case SumKind::kDuration:
        case SumKind::kMonths:
          RETURN_NOT_OK(out->Int(isum_[k]));
          break;
        case SumKind::kDouble:
          RETURN_NOT_OK(out->Double(dsum_[k]));
          break;
        case SumKind::kDecimal: {
          const int p = static_cast<const arrow::Decimal128Type&>(*sum_type_).precision();
          const arrow::Decimal256 sum = WideOf(dec128_[k]);
          if (!FitsPrecision(sum, p)) {
            if (ansi_) return DecimalOverflowError();
            RETURN_NOT_OK(out->Null());
          } else {
            RETURN_NOT_OK(out->Dec(Narrow(sum)));
          }
          break;
        }
      }
    }
    ARROW_ASSIGN_OR_RAISE(auto d, out->Finish(false));
    return d.make_array();
  }

 public:
  // avg over integrals sums in double (Spark's Average uses a double buffer).
  void UseDoubleForIntegral() { double_for_integral_ = true; }

 private:
  SumKind kind_;
  int in_scale_;
  TypePtr sum_type_, result_type_;
  bool avg_, ansi_;
  bool double_for_integral_ = false;
  // Per group; from Arrow's pool (PoolVector), whose freed memory comes back warm: 1.5M groups
  // (q18) grow these by doubling, and fresh pages from malloc cost a page fault each.
  PoolVector<int64_t> isum_;
  PoolVector<__int128> dec128_;  // decimal sums (unscaled, below sum_limit_)
  __int128 sum_limit_ = 0;        // 10^(the sum type's precision)
  __int128 bound_ = 0;            // when bound_known_: at least every group's |sum|
  bool bound_known_ = true;       // (every sum starts at 0)
  bool checked_only_ = false;     // sums came near the limit: no unchecked batches
  PoolVector<double> dsum_;
  PoolVector<int64_t> count_;
  std::vector<bool> overflow_;
};

// ---------------------------------------------------------------------------------------------
// min, max, first, last, any_value, max_by, min_by: one kept value per group.
enum class PickKind { kMin, kMax, kFirst, kLast, kMaxBy, kMinBy };

class PickAccumulator : public GroupedAccumulator {
 public:
  PickAccumulator(PickKind kind, TypePtr type, TypePtr key_type)
      : kind_(kind), values_(type), keys_(key_type ? key_type : type) {}
  Status Resize(int64_t n) override {
    refs_.resize(static_cast<size_t>(n));
    key_refs_.resize(static_cast<size_t>(n));
    set_.resize(static_cast<size_t>(n), false);
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    bool ignore_nulls = false;
    if ((kind_ == PickKind::kFirst || kind_ == PickKind::kLast) && args.size() > 1) {
      ArgReader r(args[1]);
      ignore_nulls = !r.IsNull(0) && r.Bool(0);
    }
    auto values = ToArray(args[0], length);
    std::shared_ptr<arrow::Array> keys = args.size() > 1 && IsBy() ? ToArray(args[1], length) : nullptr;
    return Absorb(values, keys, nullptr, g, length, ignore_nulls);
  }
  Result<ArrayVector> State() override {
    ARROW_ASSIGN_OR_RAISE(auto v, values_.Build(refs_));
    arrow::BooleanBuilder b;
    for (bool s : set_) RETURN_NOT_OK(b.Append(s));
    ARROW_ASSIGN_OR_RAISE(auto set, b.Finish());
    if (IsBy()) {
      ARROW_ASSIGN_OR_RAISE(auto k, keys_.Build(key_refs_));
      return ArrayVector{v, k, set};
    }
    return ArrayVector{v, set};
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    const auto& set = static_cast<const arrow::BooleanArray&>(*state.back());
    return Absorb(state[0], IsBy() ? state[1] : nullptr, &set, g, length, false);
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override { return values_.Build(refs_); }

 private:
  bool IsBy() const { return kind_ == PickKind::kMaxBy || kind_ == PickKind::kMinBy; }
  Status Absorb(const std::shared_ptr<arrow::Array>& values, const std::shared_ptr<arrow::Array>& keys,
                const arrow::BooleanArray* set, const uint32_t* g, int64_t length,
                bool ignore_nulls) {
    if (values_.NeedsCompaction() || keys_.NeedsCompaction()) RETURN_NOT_OK(Compact());
    const uint32_t vc = values_.Add(values);
    const uint32_t kc = keys ? keys_.Add(keys) : 0;
    for (int64_t i = 0; i < length; ++i) {
      if (set && !set->Value(i)) continue;
      const uint32_t grp = g[i];
      const bool is_null = values->IsNull(i);
      switch (kind_) {
        case PickKind::kFirst:
          if (set_[grp]) continue;
          if (is_null && ignore_nulls) continue;
          Take(grp, vc, i, is_null);
          break;
        case PickKind::kLast:
          if (is_null && ignore_nulls) continue;
          Take(grp, vc, i, is_null);
          break;
        case PickKind::kMin:
        case PickKind::kMax: {
          if (is_null) continue;
          if (set_[grp]) {
            const int c = CompareValues(*values, i, values_.At(refs_[grp]), refs_[grp].row);
            if (kind_ == PickKind::kMin ? c >= 0 : c <= 0) continue;
          }
          Take(grp, vc, i, false);
          break;
        }
        case PickKind::kMaxBy:
        case PickKind::kMinBy: {
          if (keys->IsNull(i)) continue;
          if (set_[grp]) {
            const int c = CompareValues(*keys, i, keys_.At(key_refs_[grp]), key_refs_[grp].row);
            if (kind_ == PickKind::kMinBy ? c >= 0 : c <= 0) continue;
          }
          Take(grp, vc, i, is_null);
          key_refs_[grp] = Ref{kc, i};
          break;
        }
      }
    }
    return Status::OK();
  }
  void Take(uint32_t grp, uint32_t chunk, int64_t row, bool is_null) {
    set_[grp] = true;
    refs_[grp] = is_null ? Ref{} : Ref{chunk, row};
  }
  Status Compact() {
    std::vector<Ref*> v, k;
    for (auto& r : refs_) v.push_back(&r);
    for (auto& r : key_refs_) k.push_back(&r);
    RETURN_NOT_OK(values_.Compact(v));
    if (IsBy()) RETURN_NOT_OK(keys_.Compact(k));
    return Status::OK();
  }

  PickKind kind_;
  RefStore values_, keys_;
  std::vector<Ref> refs_, key_refs_;
  std::vector<bool> set_;
};

// ---------------------------------------------------------------------------------------------
class BoolAccumulator : public GroupedAccumulator {
 public:
  explicit BoolAccumulator(bool is_and) : and_(is_and) {}
  Status Resize(int64_t n) override {
    v_.resize(static_cast<size_t>(n), -1);
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    ArgReader r(args[0]);
    for (int64_t i = 0; i < length; ++i) {
      if (r.IsNull(i)) continue;
      const int8_t b = r.Bool(i) ? 1 : 0;
      int8_t& cur = v_[g[i]];
      cur = cur < 0 ? b : (and_ ? (cur & b) : (cur | b));
    }
    return Status::OK();
  }
  Result<ArrayVector> State() override {
    ARROW_ASSIGN_OR_RAISE(auto a, Finalize());
    return ArrayVector{a};
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    return Update({arrow::Datum(state[0])}, g, length);
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    arrow::BooleanBuilder b;
    for (int8_t x : v_) {
      if (x < 0) {
        RETURN_NOT_OK(b.AppendNull());
      } else {
        RETURN_NOT_OK(b.Append(x == 1));
      }
    }
    return b.Finish();
  }

 private:
  bool and_;
  std::vector<int8_t> v_;
};

// ---------------------------------------------------------------------------------------------
class CollectAccumulator : public GroupedAccumulator {
 public:
  CollectAccumulator(TypePtr type, bool distinct) : store_(type), distinct_(distinct) {}
  Status Resize(int64_t n) override {
    lists_.resize(static_cast<size_t>(n));
    if (distinct_) seen_.resize(static_cast<size_t>(n));
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    auto values = ToArray(args[0], length);
    return Absorb(values, g, nullptr, length);
  }
  Result<ArrayVector> State() override {
    ARROW_ASSIGN_OR_RAISE(auto a, Finalize());
    return ArrayVector{a};
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    const auto& lists = static_cast<const arrow::ListArray&>(*state[0]);
    std::vector<uint32_t> groups;
    for (int64_t i = 0; i < length; ++i) {
      for (int64_t j = lists.value_offset(i); j < lists.value_offset(i + 1); ++j) groups.push_back(g[i]);
    }
    const int64_t begin = lists.value_offset(0);
    auto values = lists.values()->Slice(begin, lists.value_offset(length) - begin);
    return Absorb(values, groups.data(), nullptr, values->length());
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    std::vector<Ref> all;
    arrow::Int32Builder offsets;
    int32_t off = 0;
    for (const auto& l : lists_) {
      RETURN_NOT_OK(offsets.Append(off));
      all.insert(all.end(), l.begin(), l.end());
      off += static_cast<int32_t>(l.size());
    }
    RETURN_NOT_OK(offsets.Append(off));
    ARROW_ASSIGN_OR_RAISE(auto off_arr, offsets.Finish());
    ARROW_ASSIGN_OR_RAISE(auto values, store_.Build(all));
    return arrow::ListArray::FromArrays(*off_arr, *values);
  }

 private:
  Status Absorb(const std::shared_ptr<arrow::Array>& values, const uint32_t* g, const void*,
                int64_t length) {
    // No compaction: every non-null input value stays referenced by some list anyway.
    const uint32_t c = store_.Add(values);
    for (int64_t i = 0; i < length; ++i) {
      if (values->IsNull(i)) continue;
      auto& list = lists_[g[i]];
      if (distinct_) {
        auto& seen = seen_[g[i]];
        const uint64_t h = HashValue(*values, i);
        auto range = seen.equal_range(h);
        bool dup = false;
        for (auto it = range.first; it != range.second; ++it) {
          const Ref& r = list[it->second];
          if (ValuesEqual(*values, i, store_.At(r), r.row)) {
            dup = true;
            break;
          }
        }
        if (dup) continue;
        seen.emplace(h, list.size());
      }
      list.push_back(Ref{c, i});
    }
    return Status::OK();
  }

  RefStore store_;
  bool distinct_;
  std::vector<std::vector<Ref>> lists_;
  std::vector<std::unordered_multimap<uint64_t, size_t>> seen_;
};

// ---------------------------------------------------------------------------------------------
enum class MomentKind { kVarSamp, kVarPop, kStddevSamp, kStddevPop, kCovarSamp, kCovarPop, kCorr };

// Welford / Chan moments for one or two variables.
class MomentAccumulator : public GroupedAccumulator {
 public:
  explicit MomentAccumulator(MomentKind kind) : kind_(kind) {}
  bool TwoVariables() const {
    return kind_ == MomentKind::kCovarSamp || kind_ == MomentKind::kCovarPop ||
           kind_ == MomentKind::kCorr;
  }
  Status Resize(int64_t n) override {
    m_.resize(static_cast<size_t>(n));
    return Status::OK();
  }
  struct M {
    double n = 0, xavg = 0, yavg = 0, m2x = 0, m2y = 0, ck = 0;
  };
  static void Add(M& m, double x, double y) {
    m.n += 1;
    const double dx = x - m.xavg;
    const double dy = y - m.yavg;
    m.xavg += dx / m.n;
    m.yavg += dy / m.n;
    m.m2x += dx * (x - m.xavg);
    m.m2y += dy * (y - m.yavg);
    m.ck += dx * (y - m.yavg);
  }
  static void Combine(M& a, const M& b) {
    if (b.n == 0) return;
    if (a.n == 0) {
      a = b;
      return;
    }
    const double n = a.n + b.n;
    const double dx = b.xavg - a.xavg, dy = b.yavg - a.yavg;
    a.m2x += b.m2x + dx * dx * a.n * b.n / n;
    a.m2y += b.m2y + dy * dy * a.n * b.n / n;
    a.ck += b.ck + dx * dy * a.n * b.n / n;
    a.xavg += dx * b.n / n;
    a.yavg += dy * b.n / n;
    a.n = n;
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    ArgReader x(args[0]);
    std::optional<ArgReader> y;
    if (TwoVariables()) y.emplace(args[1]);
    for (int64_t i = 0; i < length; ++i) {
      if (x.IsNull(i) || (y && y->IsNull(i))) continue;
      Add(m_[g[i]], x.Double(i), y ? y->Double(i) : 0);
    }
    return Status::OK();
  }
  Result<ArrayVector> State() override {
    ArrayVector out;
    for (int f = 0; f < 6; ++f) {
      arrow::DoubleBuilder b;
      for (const auto& m : m_) {
        const double v[] = {m.n, m.xavg, m.yavg, m.m2x, m.m2y, m.ck};
        RETURN_NOT_OK(b.Append(v[f]));
      }
      ARROW_ASSIGN_OR_RAISE(auto a, b.Finish());
      out.push_back(a);
    }
    return out;
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    auto col = [&](int f) { return static_cast<const arrow::DoubleArray&>(*state[f]).raw_values(); };
    for (int64_t i = 0; i < length; ++i) {
      M b{col(0)[i], col(1)[i], col(2)[i], col(3)[i], col(4)[i], col(5)[i]};
      Combine(m_[g[i]], b);
    }
    return Status::OK();
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    arrow::DoubleBuilder b;
    for (const auto& m : m_) {
      std::optional<double> v;
      switch (kind_) {
        case MomentKind::kVarSamp:
          if (m.n > 1) v = m.m2x / (m.n - 1);
          break;
        case MomentKind::kVarPop:
          if (m.n > 0) v = m.m2x / m.n;
          break;
        case MomentKind::kStddevSamp:
          if (m.n > 1) v = std::sqrt(m.m2x / (m.n - 1));
          break;
        case MomentKind::kStddevPop:
          if (m.n > 0) v = std::sqrt(m.m2x / m.n);
          break;
        case MomentKind::kCovarSamp:
          if (m.n > 1) v = m.ck / (m.n - 1);
          break;
        case MomentKind::kCovarPop:
          if (m.n > 0) v = m.ck / m.n;
          break;
        case MomentKind::kCorr:
          if (m.n > 1) v = m.ck / std::sqrt(m.m2x * m.m2y);
          break;
      }
      if (v) {
        RETURN_NOT_OK(b.Append(*v));
      } else {
        RETURN_NOT_OK(b.AppendNull());
      }
    }
    return b.Finish();
  }

 private:
  MomentKind kind_;
  std::vector<M> m_;
};

// ---------------------------------------------------------------------------------------------
enum class PercentileKind { kExact, kApprox, kMedian };

// percentile / median (interpolated, double) and percentile_approx (an element of the input).
class PercentileAccumulator : public GroupedAccumulator {
 public:
  PercentileAccumulator(PercentileKind kind, TypePtr result_type)
      : kind_(kind), result_type_(std::move(result_type)) {}
  Status Resize(int64_t n) override {
    values_.resize(static_cast<size_t>(n));
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    ArgReader x(args[0]);
    if (kind_ == PercentileKind::kMedian) {
      percentage_ = 0.5;
    } else if (args.size() > 1 && !percentage_) {
      ArgReader p(args[1]);
      if (!p.IsNull(0)) {
        const double v = p.Double(0);
        if (v < 0 || v > 1) {
          return UserError("DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE",
                           "Cannot resolve percentile due to data type mismatch: The percentage "
                           "must be between [0.0, 1.0], but got " + std::to_string(v) + ".");
        }
        percentage_ = v;
      }
    }
    for (int64_t i = 0; i < length; ++i) {
      if (!x.IsNull(i)) values_[g[i]].push_back(x.Double(i));
    }
    return Status::OK();
  }
  Result<ArrayVector> State() override {
    arrow::ListBuilder lb(arrow::default_memory_pool(), std::make_shared<arrow::DoubleBuilder>());
    auto* vb = static_cast<arrow::DoubleBuilder*>(lb.value_builder());
    for (const auto& v : values_) {
      RETURN_NOT_OK(lb.Append());
      RETURN_NOT_OK(vb->AppendValues(v));
    }
    ARROW_ASSIGN_OR_RAISE(auto lists, lb.Finish());
    arrow::DoubleBuilder pb;
    for (size_t k = 0; k < values_.size(); ++k) RETURN_NOT_OK(pb.Append(percentage_.value_or(0.5)));
    ARROW_ASSIGN_OR_RAISE(auto p, pb.Finish());
    return ArrayVector{lists, p};
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    const auto& lists = static_cast<const arrow::ListArray&>(*state[0]);
    const auto& vals = static_cast<const arrow::DoubleArray&>(*lists.values());
    if (length > 0 && !percentage_) percentage_ = static_cast<const arrow::DoubleArray&>(*state[1]).Value(0);
    for (int64_t i = 0; i < length; ++i) {
      for (int64_t j = lists.value_offset(i); j < lists.value_offset(i + 1); ++j) {
        values_[g[i]].push_back(vals.Value(j));
      }
    }
    return Status::OK();
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    ARROW_ASSIGN_OR_RAISE(auto out, OutBuilder::Make(result_type_, static_cast<int64_t>(values_.size())));
    const double p = percentage_.value_or(0.5);
    for (auto& v : values_) {
      if (v.empty()) {
        RETURN_NOT_OK(out->Null());
        continue;
      }
      std::sort(v.begin(), v.end());
      const double n = static_cast<double>(v.size());
      if (kind_ == PercentileKind::kApprox) {
        int64_t idx = static_cast<int64_t>(std::ceil(p * n)) - 1;
        idx = std::clamp<int64_t>(idx, 0, static_cast<int64_t>(v.size()) - 1);
        const double x = v[static_cast<size_t>(idx)];
        if (IsFloating(*result_type_)) {
          RETURN_NOT_OK(out->Double(x));
        } else if (IsDecimal(*result_type_)) {
          const int s = static_cast<const arrow::Decimal128Type&>(*result_type_).scale();
          RETURN_NOT_OK(out->Dec(arrow::Decimal128(static_cast<int64_t>(std::llround(x * std::pow(10.0, s))))));
        } else {
          RETURN_NOT_OK(out->Int(static_cast<int64_t>(x)));
        }
        continue;
      }
      const double pos = p * (n - 1);
      const double lo = std::floor(pos), hi = std::ceil(pos);
      const double a = v[static_cast<size_t>(lo)], b = v[static_cast<size_t>(hi)];
      RETURN_NOT_OK(out->Double(lo == hi ? a : a + (pos - lo) * (b - a)));
    }
    ARROW_ASSIGN_OR_RAISE(auto d, out->Finish(false));
    return d.make_array();
  }

 private:
  PercentileKind kind_;
  TypePtr result_type_;
  std::optional<double> percentage_;
  std::vector<std::vector<double>> values_;
};

// ---------------------------------------------------------------------------------------------
// approx_count_distinct: HyperLogLog with Spark's register count for the given relative error
// and Spark's xxhash64 of each value; the estimate uses linear counting for small cardinalities.
class HllAccumulator : public GroupedAccumulator {
 public:
  explicit HllAccumulator(double rsd) {
    p_ = static_cast<int>(std::ceil(2.0 * std::log2(1.106 / rsd)));
    p_ = std::max(p_, 4);
    m_ = 1 << p_;
  }
  Status Resize(int64_t n) override {
    regs_.resize(static_cast<size_t>(n) * static_cast<size_t>(m_), 0);
    groups_ = n;
    return Status::OK();
  }
  void AddHash(uint32_t g, uint64_t h) {
    const uint64_t idx = h >> (64 - p_);
    const uint64_t w = (h << p_) | (1ULL << (p_ - 1));
    const uint8_t rank = static_cast<uint8_t>(__builtin_clzll(w) + 1);
    uint8_t& r = regs_[static_cast<size_t>(g) * static_cast<size_t>(m_) + idx];
    r = std::max(r, rank);
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    auto values = ToArray(args[0], length);
    for (int64_t i = 0; i < length; ++i) {
      if (values->IsNull(i)) continue;
      AddHash(g[i], static_cast<uint64_t>(SparkXxHash64(*values, i, 42)));
    }
    return Status::OK();
  }
  Result<ArrayVector> State() override {
    arrow::BinaryBuilder b;
    for (int64_t k = 0; k < groups_; ++k) {
      RETURN_NOT_OK(b.Append(regs_.data() + k * m_, m_));
    }
    ARROW_ASSIGN_OR_RAISE(auto a, b.Finish());
    return ArrayVector{a};
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    const auto& bin = static_cast<const arrow::BinaryArray&>(*state[0]);
    for (int64_t i = 0; i < length; ++i) {
      auto v = bin.GetView(i);
      uint8_t* r = regs_.data() + static_cast<size_t>(g[i]) * static_cast<size_t>(m_);
      for (int k = 0; k < m_ && k < static_cast<int>(v.size()); ++k) {
        r[k] = std::max(r[k], static_cast<uint8_t>(v[static_cast<size_t>(k)]));
      }
    }
    return Status::OK();
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    arrow::Int64Builder b;
    const double m = m_;
    const double alpha = 0.7213 / (1 + 1.079 / m);
    for (int64_t k = 0; k < groups_; ++k) {
      const uint8_t* r = regs_.data() + k * m_;
      double sum = 0;
      int zeros = 0;
      for (int j = 0; j < m_; ++j) {
        sum += std::ldexp(1.0, -r[j]);
        zeros += r[j] == 0;
      }
      double e = alpha * m * m / sum;
      if (zeros > 0) {
        const double lc = m * std::log(m / zeros);
        if (lc <= 5 * m) e = lc;  // HLL++ uses linear counting below its threshold
      }
      RETURN_NOT_OK(b.Append(static_cast<int64_t>(std::llround(e))));
    }
    return b.Finish();
  }

 private:
  int p_, m_;
  int64_t groups_ = 0;
  std::vector<uint8_t> regs_;
};

// ---------------------------------------------------------------------------------------------
// mode(x): the most frequent non-null value (ties go to the value seen first).
class ModeAccumulator : public GroupedAccumulator {
 public:
  explicit ModeAccumulator(TypePtr type) : store_(type), type_(std::move(type)) {}
  Status Resize(int64_t n) override {
    entries_.resize(static_cast<size_t>(n));
    index_.resize(static_cast<size_t>(n));
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    auto values = ToArray(args[0], length);
    std::vector<int64_t> ones(static_cast<size_t>(length), 1);
    return Absorb(values, ones.data(), g, length);
  }
  Result<ArrayVector> State() override {
    // One list of values and one list of counts per group.
    std::vector<Ref> refs;
    arrow::Int32Builder offsets;
    arrow::Int64Builder counts;
    int32_t off = 0;
    for (const auto& group : entries_) {
      RETURN_NOT_OK(offsets.Append(off));
      for (const auto& e : group) {
        refs.push_back(e.first);
        RETURN_NOT_OK(counts.Append(e.second));
      }
      off += static_cast<int32_t>(group.size());
    }
    RETURN_NOT_OK(offsets.Append(off));
    ARROW_ASSIGN_OR_RAISE(auto off_arr, offsets.Finish());
    ARROW_ASSIGN_OR_RAISE(auto values, store_.Build(refs));
    ARROW_ASSIGN_OR_RAISE(auto count_arr, counts.Finish());
    ARROW_ASSIGN_OR_RAISE(auto value_lists, arrow::ListArray::FromArrays(*off_arr, *values));
    ARROW_ASSIGN_OR_RAISE(auto count_lists, arrow::ListArray::FromArrays(*off_arr, *count_arr));
    return ArrayVector{value_lists, count_lists};
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    const auto& values = static_cast<const arrow::ListArray&>(*state[0]);
    const auto& counts = static_cast<const arrow::ListArray&>(*state[1]);
    const auto& c = static_cast<const arrow::Int64Array&>(*counts.values());
    std::vector<uint32_t> groups;
    std::vector<int64_t> weights;
    for (int64_t i = 0; i < length; ++i) {
      for (int64_t j = values.value_offset(i); j < values.value_offset(i + 1); ++j) {
        groups.push_back(g[i]);
        weights.push_back(c.Value(j));
      }
    }
    const int64_t begin = values.value_offset(0);
    auto flat = values.values()->Slice(begin, values.value_offset(length) - begin);
    return Absorb(flat, weights.data(), groups.data(), flat->length());
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    std::vector<Ref> best;
    for (const auto& group : entries_) {
      Ref r;
      int64_t n = 0;
      for (const auto& e : group) {
        if (e.second > n) {
          n = e.second;
          r = e.first;
        }
      }
      best.push_back(r);
    }
    return store_.Build(best);
  }

 private:
  Status Absorb(const std::shared_ptr<arrow::Array>& values, const int64_t* weights,
                const uint32_t* g, int64_t length) {
    if (store_.NeedsCompaction()) {
      std::vector<Ref*> refs;
      for (auto& group : entries_) {
        for (auto& e : group) refs.push_back(&e.first);
      }
      RETURN_NOT_OK(store_.Compact(refs));
    }
    const uint32_t chunk = store_.Add(values);
    for (int64_t i = 0; i < length; ++i) {
      if (values->IsNull(i)) continue;
      auto& group = entries_[g[i]];
      auto& index = index_[g[i]];
      const uint64_t h = HashValue(*values, i);
      bool found = false;
      auto range = index.equal_range(h);
      for (auto it = range.first; it != range.second; ++it) {
        auto& e = group[it->second];
        if (ValuesEqual(*values, i, store_.At(e.first), e.first.row)) {
          e.second += weights[i];
          found = true;
          break;
        }
      }
      if (!found) {
        index.emplace(h, group.size());
        group.emplace_back(Ref{chunk, i}, weights[i]);
      }
    }
    return Status::OK();
  }

  RefStore store_;
  TypePtr type_;
  std::vector<std::vector<std::pair<Ref, int64_t>>> entries_;
  std::vector<std::unordered_multimap<uint64_t, size_t>> index_;
};

// ---------------------------------------------------------------------------------------------
Status NeedArgs(const std::string& name, const std::vector<TypePtr>& args, size_t lo, size_t hi) {
  if (args.size() < lo || args.size() > hi) {
    return WrongNumArgs(name, lo == hi ? std::to_string(lo)
                                       : "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
                        args.size());
  }
  return Status::OK();
}

Result<TypePtr> NumericArg(const std::string& name, const TypePtr& t, size_t index) {
  if (IsNull(*t) || IsStringLike(*t)) return arrow::float64();
  if (IsNumeric(*t)) return t;
  return UnexpectedInputType(name, index, "NUMERIC", *t, name);
}

AggregateBinder SumBinder(bool avg, bool try_mode) {
  return [avg, try_mode](const std::string& name,
                         const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
    RETURN_NOT_OK(NeedArgs(name, args, 1, 1));
    TypePtr t = args[0];
    SumKind kind;
    TypePtr sum_type, result_type;
    int scale = 0;
    if (t->id() == arrow::Type::DURATION || t->id() == arrow::Type::INTERVAL_MONTHS) {
      kind = t->id() == arrow::Type::DURATION ? SumKind::kDuration : SumKind::kMonths;
      sum_type = result_type = t;
    } else {
      ARROW_ASSIGN_OR_RAISE(t, NumericArg(name, t, 0));
      if (IsIntegral(*t)) {
        kind = SumKind::kIntegral;
        sum_type = avg ? arrow::float64() : arrow::int64();
        result_type = avg ? arrow::float64() : arrow::int64();
        if (avg) kind = SumKind::kDouble;
      } else if (IsFloating(*t)) {
        kind = SumKind::kDouble;
        sum_type = result_type = arrow::float64();
      } else {
        const auto& d = static_cast<const arrow::Decimal128Type&>(*t);
        kind = SumKind::kDecimal;
        scale = d.scale();
        sum_type = arrow::decimal128(std::min(38, d.precision() + 10), d.scale());
        result_type = avg ? AdjustedDecimal(std::min(38, d.precision() + 4),
                                            std::min(38, d.scale() + 4))
                          : sum_type;
        if (avg) {
          // Spark bounds avg's type with DecimalType.bounded (no scale reduction).
          result_type = arrow::decimal128(std::min(38, d.precision() + 4),
                                          std::min(38, d.scale() + 4));
        }
      }
    }
    BoundAggregate b;
    b.name = name;
    b.arg_types = {t};
    b.return_type = result_type;
    b.state_types = {sum_type, arrow::int64()};
    b.make = [=](const EvalContext& ctx) -> std::unique_ptr<GroupedAccumulator> {
      return std::make_unique<SumAccumulator>(kind, scale, sum_type, result_type, avg, ctx.ansi,
                                              try_mode);
    };
    return b;
  };
}

AggregateBinder PickBinder(PickKind kind) {
  return [kind](const std::string& name,
                const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
    const bool by = kind == PickKind::kMaxBy || kind == PickKind::kMinBy;
    const bool first_last = kind == PickKind::kFirst || kind == PickKind::kLast;
    RETURN_NOT_OK(NeedArgs(name, args, by ? 2 : 1, by || first_last ? 2 : 1));
    BoundAggregate b;
    b.name = name;
    b.arg_types = args;
    if (first_last && args.size() == 2) {
      if (!ImplicitCastTarget(args[1], arrow::boolean())) {
        return UnexpectedInputType(name, 1, "BOOLEAN", *args[1], name);
      }
      b.arg_types[1] = arrow::boolean();
    }
    if ((kind == PickKind::kMin || kind == PickKind::kMax) &&
        (args[0]->id() == arrow::Type::MAP || types::ContainsVariant(*args[0]) ||
         types::ContainsSpatial(*args[0]))) {
      return DataTypeMismatch("INVALID_ORDERING_TYPE",
                              "Cannot resolve \"" + name + "\" due to data type mismatch: The `" +
                                  name + "` does not support ordering on type \"" +
                                  SqlTypeName(*args[0]) + "\".");
    }
    b.return_type = args[0];
    const TypePtr key = by ? args[1] : nullptr;
    b.state_types = by ? std::vector<TypePtr>{args[0], args[1], arrow::boolean()}
                       : std::vector<TypePtr>{args[0], arrow::boolean()};
    b.ignores_duplicates = kind == PickKind::kMin || kind == PickKind::kMax;
    const TypePtr vt = args[0];
    b.make = [kind, vt, key](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
      return std::make_unique<PickAccumulator>(kind, vt, key);
    };
    return b;
  };
}

AggregateBinder MomentBinder(MomentKind kind) {
  return [kind](const std::string& name,
                const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
    const bool two = kind == MomentKind::kCovarSamp || kind == MomentKind::kCovarPop ||
                     kind == MomentKind::kCorr;
    RETURN_NOT_OK(NeedArgs(name, args, two ? 2 : 1, two ? 2 : 1));
    BoundAggregate b;
    b.name = name;
    for (size_t i = 0; i < args.size(); ++i) {
      ARROW_ASSIGN_OR_RAISE(auto t, NumericArg(name, args[i], i));
      (void)t;
      b.arg_types.push_back(arrow::float64());
    }
    b.return_type = arrow::float64();
    b.state_types.assign(6, arrow::float64());
    b.make = [kind](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
      return std::make_unique<MomentAccumulator>(kind);
    };
    return b;
  };
}

AggregateBinder PercentileBinder(PercentileKind kind) {
  return [kind](const std::string& name,
                const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
    if (kind == PercentileKind::kMedian) {
      RETURN_NOT_OK(NeedArgs(name, args, 1, 1));
    } else if (kind == PercentileKind::kExact) {
      RETURN_NOT_OK(NeedArgs(name, args, 2, 3));
    } else {
      RETURN_NOT_OK(NeedArgs(name, args, 2, 3));
    }
    BoundAggregate b;
    b.name = name;
    TypePtr t = args[0];
    if (kind == PercentileKind::kApprox) {
      if (!(IsNumeric(*t) || t->id() == arrow::Type::DATE32 || IsTimestamp(*t))) {
        return UnexpectedInputType(name, 0, "(\"NUMERIC\" or \"DATE\" or \"TIMESTAMP\")", *t, name);
      }
      b.return_type = t;
    } else {
      ARROW_ASSIGN_OR_RAISE(t, NumericArg(name, t, 0));
      b.return_type = arrow::float64();
    }
    b.arg_types = {t};
    if (args.size() > 1) b.arg_types.push_back(arrow::float64());
    if (args.size() > 2) b.arg_types.push_back(args[2]);
    b.state_types = {arrow::list(arrow::float64()), arrow::float64()};
    const TypePtr rt = b.return_type;
    b.make = [kind, rt](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
      return std::make_unique<PercentileAccumulator>(kind, rt);
    };
    return b;
  };
}

}  // namespace

void RegisterAggregates(FunctionTable* table) {
  auto count = [](bool count_if) {
    return [count_if](const std::string& name,
                      const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
      if (count_if) {
        RETURN_NOT_OK(NeedArgs(name, args, 1, 1));
        if (!ImplicitCastTarget(args[0], arrow::boolean())) {
          return UnexpectedInputType(name, 0, "BOOLEAN", *args[0], name);
        }
      }
      BoundAggregate b;
      b.name = name;
      b.arg_types = count_if ? std::vector<TypePtr>{arrow::boolean()} : args;
      b.return_type = arrow::int64();
      b.state_types = {arrow::int64()};
      b.make = [count_if](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
        return std::make_unique<CountAccumulator>(count_if);
      };
      return b;
    };
  };
  // Marks what a binder binds as merge_order_free: always (kAny), when no argument is a
  // floating-point number (kExact: float sums depend on the order of additions), or when the
  // arguments are decimals (kDecimal: avg sums integers in a double, as Spark does).
  enum class Free { kAny, kExact, kDecimal };
  auto order_free = [](AggregateBinder binder, Free when) -> AggregateBinder {
    return [binder, when](const std::string& name,
                          const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
      ARROW_ASSIGN_OR_RAISE(auto bound, binder(name, args));
      bool free = true;
      for (const auto& t : bound.arg_types) {
        if (when == Free::kExact) free = free && !IsFloating(*t);
        if (when == Free::kDecimal) free = free && IsDecimal(*t);
      }
      bound.merge_order_free = free;
      return bound;
    };
  };
  table->AddAggregate("count", order_free(count(false), Free::kAny));
  table->AddAggregate("count_if", order_free(count(true), Free::kAny));
  table->AddAggregate("sum", order_free(SumBinder(false, false), Free::kExact));
  table->AddAggregate("try_sum", order_free(SumBinder(false, true), Free::kExact));
  table->AddAggregate("avg", order_free(SumBinder(true, false), Free::kDecimal));
  table->AddAggregate("mean", order_free(SumBinder(true, false), Free::kDecimal));
  table->AddAggregate("try_avg", order_free(SumBinder(true, true), Free::kDecimal));
  table->AddAggregate("min", order_free(PickBinder(PickKind::kMin), Free::kAny));
  table->AddAggregate("max", order_free(PickBinder(PickKind::kMax), Free::kAny));
  table->AddAggregate("first", PickBinder(PickKind::kFirst));
  table->AddAggregate("first_value", PickBinder(PickKind::kFirst));
  table->AddAggregate("any_value", PickBinder(PickKind::kFirst));
  table->AddAggregate("last", PickBinder(PickKind::kLast));
  table->AddAggregate("last_value", PickBinder(PickKind::kLast));
  table->AddAggregate("max_by", PickBinder(PickKind::kMaxBy));
  table->AddAggregate("min_by", PickBinder(PickKind::kMinBy));
  auto boolean = [](bool is_and) {
    return [is_and](const std::string& name,
                    const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
      RETURN_NOT_OK(NeedArgs(name, args, 1, 1));
      if (!ImplicitCastTarget(args[0], arrow::boolean())) {
        return UnexpectedInputType(name, 0, "BOOLEAN", *args[0], name);
      }
      BoundAggregate b;
      b.name = name;
      b.arg_types = {arrow::boolean()};
      b.return_type = arrow::boolean();
      b.state_types = {arrow::boolean()};
      b.ignores_duplicates = true;
      b.make = [is_and](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
        return std::make_unique<BoolAccumulator>(is_and);
      };
      return b;
    };
  };
  for (const char* n : {"bool_and", "every"}) table->AddAggregate(n, boolean(true));
  for (const char* n : {"bool_or", "any", "some"}) table->AddAggregate(n, boolean(false));
  auto collect = [](bool distinct) {
    return [distinct](const std::string& name,
                      const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
      RETURN_NOT_OK(NeedArgs(name, args, 1, 1));
      BoundAggregate b;
      b.name = name;
      b.arg_types = args;
      b.return_type = arrow::list(args[0]);
      b.state_types = {b.return_type};
      b.ignores_duplicates = distinct;
      const TypePtr t = args[0];
      b.make = [t, distinct](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
        return std::make_unique<CollectAccumulator>(t, distinct);
      };
      return b;
    };
  };
  table->AddAggregate("collect_list", collect(false));
  table->AddAggregate("array_agg", collect(false));
  table->AddAggregate("collect_set", collect(true));
  table->AddAggregate("variance", MomentBinder(MomentKind::kVarSamp));
  table->AddAggregate("var_samp", MomentBinder(MomentKind::kVarSamp));
  table->AddAggregate("var_pop", MomentBinder(MomentKind::kVarPop));
  table->AddAggregate("stddev", MomentBinder(MomentKind::kStddevSamp));
  table->AddAggregate("std", MomentBinder(MomentKind::kStddevSamp));
  table->AddAggregate("stddev_samp", MomentBinder(MomentKind::kStddevSamp));
  table->AddAggregate("stddev_pop", MomentBinder(MomentKind::kStddevPop));
  table->AddAggregate("covar_samp", MomentBinder(MomentKind::kCovarSamp));
  table->AddAggregate("covar_pop", MomentBinder(MomentKind::kCovarPop));
  table->AddAggregate("corr", MomentBinder(MomentKind::kCorr));
  table->AddAggregate("percentile", PercentileBinder(PercentileKind::kExact));
  table->AddAggregate("median", PercentileBinder(PercentileKind::kMedian));
  table->AddAggregate("percentile_approx", PercentileBinder(PercentileKind::kApprox));
  table->AddAggregate("approx_percentile", PercentileBinder(PercentileKind::kApprox));
  table->AddAggregate("mode", [](const std::string& name,
                                 const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
    RETURN_NOT_OK(NeedArgs(name, args, 1, 1));
    BoundAggregate b;
    b.name = name;
    b.arg_types = args;
    b.return_type = args[0];
    b.state_types = {arrow::list(args[0]), arrow::list(arrow::int64())};
    const TypePtr t = args[0];
    b.make = [t](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
      return std::make_unique<ModeAccumulator>(t);
    };
    return b;
  });
  table->AddAggregate("approx_count_distinct", [](const std::string& name,
                                                  const std::vector<TypePtr>& args)
                                                   -> Result<BoundAggregate> {
    RETURN_NOT_OK(NeedArgs(name, args, 1, 2));
    BoundAggregate b;
    b.name = name;
    b.arg_types = args;
    if (args.size() == 2) b.arg_types[1] = arrow::float64();
    b.return_type = arrow::int64();
    b.state_types = {arrow::binary()};
    b.ignores_duplicates = true;
    b.make = [](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
      return std::make_unique<HllAccumulator>(0.05);
    };
    return b;
  });
}

}  // namespace basin::function
