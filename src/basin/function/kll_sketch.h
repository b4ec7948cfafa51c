#pragma once

// The KLL quantiles sketch of Apache DataSketches (KllLongsSketch, KllFloatsSketch,
// KllDoublesSketch), which Spark's kll_sketch_* functions store as BINARY. The layout of the
// items, the compaction schedule, merging, the serialized forms and the quantile/rank searches
// follow DataSketches 6.2 (the version Spark 4.2 ships) step by step, so that Basin and Spark read
// each other's sketches and, for the same input order, build sketches of the same shape. Only the
// coin flips of a compaction differ: DataSketches draws them from one process-wide
// java.util.Random with a random seed; Basin gives each sketch its own generator (the same
// algorithm) seeded from the data, so its results are reproducible run to run.
//
// Serialized (compact) form, little-endian (DataSketches' KllPreambleUtil):
//   byte 0 preamble ints (2: empty or one item, 5: full), 1 serial version (1: empty or full,
//   2: one item, 3: updatable), 2 family (15), 3 flags (1 empty, 2 level zero sorted, 4 one
//   item), 4-5 k, 6 m (8), 7 unused. One item: the item at 8. Full: 8-15 n, 16-17 min k,
//   18 number of levels L, 19 unused, 20.. L level offsets (int32, the last offset, the
//   capacity, is implied by k, m and L), then the min and max items, then the retained items
//   from the first level offset on.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "basin/base/status.h"

namespace basin::function {

/// Coin flips for compactions: java.util.Random's generator, nextInt(2).
class KllRandom {
 public:
  /// Seeds as new java.util.Random(seed) does.
  void SetSeed(int64_t seed);
  /// Returns true once a seed was set.
  bool seeded() const { return seeded_; }
  /// Returns 0 or 1 as Random.nextInt(2) does.
  int NextBit();

 private:
  uint64_t seed_ = 0;
  bool seeded_ = false;
};

/// A KLL sketch of items of type T: int64_t (KllLongsSketch), float (KllFloatsSketch) or double
/// (KllDoublesSketch).
template <typename T>
class KllSketch {
 public:
  static constexpr int kDefaultK = 200;
  static constexpr int kMinK = 8;
  static constexpr int kMaxK = 65535;
  static constexpr int kM = 8;
  static constexpr int kItemBytes = static_cast<int>(sizeof(T));

  /// Creates an empty sketch; `k` must be in [kMinK, kMaxK].
  explicit KllSketch(int k = kDefaultK);

  /// Reads a sketch in compact (or updatable) serialized form. Fails with an internal error for
  /// anything that is not a well-formed KLL sketch of this item size.
  static Result<KllSketch> Deserialize(std::string_view bytes);
  /// Returns the compact serialized form (what DataSketches' toByteArray() writes).
  std::string Serialize() const;

  /// Adds an item; NaN is ignored, as DataSketches does.
  void Update(T item);
  /// Merges `other` into this sketch (DataSketches' merge: other's level zero is added item by
  /// item, then the higher levels are merged level by level and compacted).
  void Merge(const KllSketch& other);

  /// Returns the item at normalized rank `rank` (inclusive search). Fails with an error whose
  /// message starts with "normalized rank" when `rank` is outside [0, 1], and with "empty" for
  /// an empty sketch.
  Result<T> Quantile(double rank) const;
  /// Returns the items at several ranks (the same checks, the sorted view built once).
  Result<std::vector<T>> Quantiles(const std::vector<double>& ranks) const;
  /// Returns the normalized rank of `item` (inclusive: the weight of items <= `item`). Fails with
  /// "empty" for an empty sketch.
  Result<double> Rank(T item) const;

  /// Returns DataSketches' toString() summary (as Spark's kll_sketch_to_string_* prints it).
  std::string ToString() const;

  int k() const { return k_; }
  int min_k() const { return min_k_; }
  uint64_t n() const { return n_; }
  bool empty() const { return n_ == 0; }
  int num_levels() const { return static_cast<int>(levels_.size()) - 1; }
  int num_retained() const { return static_cast<int>(levels_.back() - levels_[0]); }
  bool estimation_mode() const { return num_levels() > 1; }
  bool level_zero_sorted() const { return level_zero_sorted_; }
  T min_item() const { return min_; }
  T max_item() const { return max_; }
  /// Returns the level offsets into the items array (num_levels() + 1 entries; the last is the
  /// capacity).
  const std::vector<uint32_t>& levels() const { return levels_; }
  /// Returns the items array (capacity entries; retained items from levels()[0] on).
  const std::vector<T>& items() const { return items_; }
  /// Seeds the compaction coin flips (tests); otherwise the first compaction seeds them.
  void SetSeed(int64_t seed) { random_.SetSeed(seed); }

  /// Returns the capacity of `level` in a sketch of `num_levels` levels (KllHelper).
  static int LevelCapacity(int k, int num_levels, int level, int m);
  /// Returns the capacity of all levels of a sketch of `num_levels` levels.
  static int TotalCapacity(int k, int m, int num_levels);
  /// Returns DataSketches' normalized rank error for `k` (single-sided, or for a PMF).
  static double NormalizedRankError(int k, bool pmf);

 private:
  struct SortedView {
    std::vector<T> quantiles;
    std::vector<int64_t> cum_weights;
    uint64_t n = 0;
  };
  SortedView MakeSortedView() const;
  Result<T> QuantileOf(const SortedView& view, double rank) const;

  void UpdateInternal(T item);
  void UpdateMinMax(T item);
  void CompressWhileUpdating();
  void AddEmptyTopLevel();
  int FindLevelToCompact() const;
  int NextBit(T sample);
  void HalveUp(T* buf, int start, int length, int bit);
  void HalveDown(T* buf, int start, int length, int bit);
  /// Compacts `buf` (levels `in_levels`) in place; `result` = {levels, capacity, items}.
  void GeneralCompress(int num_levels_in, std::vector<T>& buf, std::vector<uint32_t>& in_levels,
                       std::vector<uint32_t>& out_levels, bool level_zero_sorted, int result[3]);
  int CurrentSerializedBytes(bool updatable) const;

  int k_;
  int m_ = kM;
  int min_k_;
  uint64_t n_ = 0;
  bool level_zero_sorted_ = false;
  std::vector<uint32_t> levels_;
  std::vector<T> items_;
  T min_{};
  T max_{};
  KllRandom random_;
};

extern template class KllSketch<int64_t>;
extern template class KllSketch<float>;
extern template class KllSketch<double>;

}  // namespace basin::function
