#include "basin/function/kll_sketch.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "basin/function/cast.h"

namespace basin::function {

namespace {

constexpr uint8_t kFamilyKll = 15;
constexpr uint8_t kEmptyFlag = 1;
constexpr uint8_t kLevelZeroSortedFlag = 2;
constexpr uint8_t kSingleItemFlag = 4;
constexpr int kDataStart = 20;
constexpr int kSingleItemStart = 8;
// Deeper levels than this would overflow DataSketches' capacity arithmetic.
constexpr int kMaxLevels = 61;

// java.lang.Math.min/max for doubles and floats: -0.0 is below 0.0 (NaN never reaches a sketch).
template <typename T>
T JavaMin(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (a == b) return std::signbit(a) ? a : b;
  }
  return a < b ? a : b;
}
template <typename T>
T JavaMax(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (a == b) return std::signbit(a) ? b : a;
  }
  return a > b ? a : b;
}

// java.util.Arrays.sort order for floating point: -0.0 before 0.0, NaN last.
template <typename T>
bool JavaSortLess(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
    if (a == b) return std::signbit(a) && !std::signbit(b);
  }
  return a < b;
}

// Java's (long) conversion of a double.
int64_t JavaD2L(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  if (v <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

// java.lang.Math.round(double): half up.
int64_t JavaRound(double v) {
  if (std::isnan(v)) return 0;
  const double f = std::floor(v);
  return JavaD2L(v - f >= 0.5 ? f + 1 : f);
}

template <typename T>
void PutLE(std::string* out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out->append(buf, sizeof(T));
}

template <typename T>
T GetLE(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Merges sorted runs a[a_start, +a_len) and b[b_start, +b_len) into dst from dst_start; ties take
// b first, as KllLongsHelper.mergeSortedLongArrays does. dst may overlap the inputs the way the
// compactions use it.
template <typename T>
void MergeSorted(const T* a, int a_start, int a_len, const T* b, int b_start, int b_len, T* dst,
                 int dst_start) {
  const int a_lim = a_start + a_len, b_lim = b_start + b_len, dst_lim = dst_start + a_len + b_len;
  int i = a_start, j = b_start;
  for (int d = dst_start; d < dst_lim; ++d) {
    if (i == a_lim) {
      dst[d] = b[j++];
    } else if (j == b_lim) {
      dst[d] = a[i++];
    } else if (a[i] < b[j]) {
      dst[d] = a[i++];
    } else {
      dst[d] = b[j++];
    }
  }
}

Status Invalid(const std::string& why) { return Status::Invalid("invalid KLL sketch: ", why); }

std::string SketchTypeName(const int64_t*) { return "KllLongsSketch"; }
std::string SketchTypeName(const float*) { return "KllFloatsSketch"; }
std::string SketchTypeName(const double*) { return "KllDoublesSketch"; }

std::string ItemText(int64_t v) { return std::to_string(v); }
std::string ItemText(float v) { return FormatFloat(v); }
std::string ItemText(double v) { return FormatDouble(v); }

// String.format("%.3f%%", v): Java rounds the shortest decimal form of v half up.
std::string JavaPercent3(double v) {
  std::string s = FormatDouble(v);
  if (s.find_first_of("EN") != std::string::npos) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.3f%%", v);
    return buf;
  }
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) s.erase(0, 1);
  size_t dot = s.find('.');
  std::string ip = s.substr(0, dot), fp = dot == std::string::npos ? "" : s.substr(dot + 1);
  bool round_up = fp.size() > 3 && fp[3] >= '5';
  fp.resize(3, '0');
  std::string digits = ip + fp;
  if (round_up) {
    int i = static_cast<int>(digits.size()) - 1;
    while (i >= 0 && digits[static_cast<size_t>(i)] == '9') digits[static_cast<size_t>(i--)] = '0';
    if (i < 0) {
      digits.insert(digits.begin(), '1');
    } else {
      ++digits[static_cast<size_t>(i)];
    }
  }
  std::string out = digits.substr(0, digits.size() - 3) + "." + digits.substr(digits.size() - 3);
  return (negative ? "-" : "") + out + "%";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
void KllRandom::SetSeed(int64_t seed) {
  seed_ = (static_cast<uint64_t>(seed) ^ 0x5DEECE66DULL) & ((1ULL << 48) - 1);
  seeded_ = true;
}

int KllRandom::NextBit() {
  seed_ = (seed_ * 0x5DEECE66DULL + 0xBULL) & ((1ULL << 48) - 1);
  // nextInt(2) = (2 * next(31)) >> 31: the top bit of the 48-bit state.
  return static_cast<int>(seed_ >> 47);
}

// ---------------------------------------------------------------------------------------------
template <typename T>
KllSketch<T>::KllSketch(int k) : k_(k), min_k_(k) {
  levels_ = {static_cast<uint32_t>(k), static_cast<uint32_t>(k)};
  items_.assign(static_cast<size_t>(k), T{});
}

template <typename T>
int KllSketch<T>::LevelCapacity(int k, int num_levels, int level, int m) {
  static const int64_t kPowersOfThree[31] = {1LL,
                                             3LL,
                                             9LL,
                                             27LL,
                                             81LL,
                                             243LL,
                                             729LL,
                                             2187LL,
                                             6561LL,
                                             19683LL,
                                             59049LL,
                                             177147LL,
                                             531441LL,
                                             1594323LL,
                                             4782969LL,
                                             14348907LL,
                                             43046721LL,
                                             129140163LL,
                                             387420489LL,
                                             1162261467LL,
                                             3486784401LL,
                                             10460353203LL,
                                             31381059609LL,
                                             94143178827LL,
                                             282429536481LL,
                                             847288609443LL,
                                             2541865828329LL,
                                             7625597484987LL,
                                             22876792454961LL,
                                             68630377364883LL,
                                             205891132094649LL};
  auto aux_aux = [&](int64_t kk, int depth) -> int64_t {
    const int64_t twok = kk << 1;
    const int64_t tmp = (twok << depth) / kPowersOfThree[depth];
    return (tmp + 1) >> 1;
  };
  const int depth = num_levels - level - 1;
  int64_t cap;
  if (depth <= 30) {
    cap = aux_aux(k, depth);
  } else {
    const int half = depth / 2, rest = depth - half;
    cap = aux_aux(aux_aux(k, half), rest);
  }
  return static_cast<int>(std::max<int64_t>(m, cap));
}

template <typename T>
int KllSketch<T>::TotalCapacity(int k, int m, int num_levels) {
  int64_t total = 0;
  for (int h = 0; h < num_levels; ++h) total += LevelCapacity(k, num_levels, h, m);
  return static_cast<int>(total);
}

template <typename T>
double KllSketch<T>::NormalizedRankError(int k, bool pmf) {
  return pmf ? 2.446 / std::pow(static_cast<double>(k), 0.9433)
             : 2.296 / std::pow(static_cast<double>(k), 0.9723);
}

// ---------------------------------------------------------------------------------------------
template <typename T>
void KllSketch<T>::Update(T item) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(item)) return;
  }
  UpdateInternal(item);
}

template <typename T>
void KllSketch<T>::UpdateMinMax(T item) {
  bool reset = empty();
  if constexpr (std::is_floating_point_v<T>) reset = reset || std::isnan(min_);
  if (reset) {
    min_ = item;
    max_ = item;
  } else {
    min_ = JavaMin(min_, item);
    max_ = JavaMax(max_, item);
  }
}

template <typename T>
void KllSketch<T>::UpdateInternal(T item) {
  UpdateMinMax(item);
  if (levels_[0] == 0) CompressWhileUpdating();
  ++n_;
  level_zero_sorted_ = false;
  const uint32_t pos = --levels_[0];
  items_[pos] = item;
}

template <typename T>
int KllSketch<T>::FindLevelToCompact() const {
  const int levels = num_levels();
  for (int level = 0;; ++level) {
    const uint32_t pop =
        levels_[static_cast<size_t>(level) + 1] - levels_[static_cast<size_t>(level)];
    const int cap = LevelCapacity(k_, levels, level, m_);
    if (pop >= static_cast<uint32_t>(cap) || level + 1 >= levels) return level;
  }
}

template <typename T>
void KllSketch<T>::AddEmptyTopLevel() {
  const int levels = num_levels();
  const uint32_t cur_total = levels_[static_cast<size_t>(levels)];
  const uint32_t delta = static_cast<uint32_t>(LevelCapacity(k_, levels + 1, 0, m_));
  const uint32_t new_total = cur_total + delta;
  std::vector<T> items(new_total, T{});
  std::copy(items_.begin(), items_.begin() + cur_total, items.begin() + delta);
  std::vector<uint32_t> new_levels(static_cast<size_t>(levels) + 2);
  for (int i = 0; i <= levels; ++i)
    new_levels[static_cast<size_t>(i)] = levels_[static_cast<size_t>(i)] + delta;
  new_levels[static_cast<size_t>(levels) + 1] = new_total;
  levels_ = std::move(new_levels);
  items_ = std::move(items);
}

template <typename T>
int KllSketch<T>::NextBit(T sample) {
  if (!random_.seeded()) {
    // Seed from the data (deterministic for a given input order, different between sketches of
    // different data) rather than from the clock as DataSketches does.
    uint64_t bits = 0;
    std::memcpy(&bits, &sample, sizeof(T));
    uint64_t h = bits ^ (n_ * 0x9E3779B97F4A7C15ULL) ^ 0x4B4C4C5345454421ULL;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    random_.SetSeed(static_cast<int64_t>(h));
  }
  return random_.NextBit();
}

template <typename T>
void KllSketch<T>::HalveUp(T* buf, int start, int length, int bit) {
  const int half = length / 2;
  int j = start + length - 1 - bit;
  for (int i = start + length - 1; i >= start + half; --i) {
    buf[i] = buf[j];
    j -= 2;
  }
}

template <typename T>
void KllSketch<T>::HalveDown(T* buf, int start, int length, int bit) {
  const int half = length / 2;
  int j = start + bit;
  for (int i = start; i < start + half; ++i) {
    buf[i] = buf[j];
    j += 2;
  }
}

template <typename T>
void KllSketch<T>::CompressWhileUpdating() {
  const int level = FindLevelToCompact();
  if (level == num_levels() - 1) AddEmptyTopLevel();
  auto& lv = levels_;
  const size_t l = static_cast<size_t>(level);
  const int raw_beg = static_cast<int>(lv[l]);
  const int raw_lim = static_cast<int>(lv[l + 1]);
  const int pop_above = static_cast<int>(lv[l + 2]) - raw_lim;
  const int raw_pop = raw_lim - raw_beg;
  const bool odd = (raw_pop & 1) != 0;
  const int adj_beg = odd ? raw_beg + 1 : raw_beg;
  const int adj_pop = odd ? raw_pop - 1 : raw_pop;
  const int half = adj_pop / 2;
  T* buf = items_.data();
  if (level == 0) std::sort(buf + adj_beg, buf + adj_beg + adj_pop, JavaSortLess<T>);
  if (pop_above == 0) {
    HalveUp(buf, adj_beg, adj_pop, NextBit(buf[adj_beg]));
  } else {
    HalveDown(buf, adj_beg, adj_pop, NextBit(buf[adj_beg]));
    MergeSorted(buf, adj_beg, half, buf, raw_lim, pop_above, buf, adj_beg + half);
  }
  lv[l + 1] -= static_cast<uint32_t>(half);
  if (odd) {
    lv[l] = lv[l + 1] - 1;
    buf[lv[l]] = buf[raw_beg];
  } else {
    lv[l] = lv[l + 1];
  }
  if (level > 0) {
    const int amount = raw_beg - static_cast<int>(lv[0]);
    std::memmove(buf + lv[0] + half, buf + lv[0], sizeof(T) * static_cast<size_t>(amount));
  }
  for (size_t i = 0; i < l; ++i) lv[i] += static_cast<uint32_t>(half);
}

template <typename T>
void KllSketch<T>::GeneralCompress(int num_levels_in, std::vector<T>& buf,
                                   std::vector<uint32_t>& in_levels,
                                   std::vector<uint32_t>& out_levels, bool level_zero_sorted,
                                   int result[3]) {
  int levels = num_levels_in;
  int current = static_cast<int>(in_levels[static_cast<size_t>(levels)] - in_levels[0]);
  int target = TotalCapacity(k_, m_, levels);
  out_levels[0] = 0;
  int cur = -1;
  bool done = false;
  T* b = buf.data();
  while (!done) {
    ++cur;
    const size_t c = static_cast<size_t>(cur);
    if (cur == levels - 1) in_levels[c + 2] = in_levels[c + 1];
    const int raw_beg = static_cast<int>(in_levels[c]);
    const int raw_lim = static_cast<int>(in_levels[c + 1]);
    const int raw_pop = raw_lim - raw_beg;
    if (current < target || raw_pop < LevelCapacity(k_, levels, cur, m_)) {
      std::memmove(b + out_levels[c], b + raw_beg, sizeof(T) * static_cast<size_t>(raw_pop));
      out_levels[c + 1] = out_levels[c] + static_cast<uint32_t>(raw_pop);
    } else {
      const int pop_above = static_cast<int>(in_levels[c + 2]) - raw_lim;
      const bool odd = (raw_pop & 1) != 0;
      const int adj_beg = odd ? raw_beg + 1 : raw_beg;
      const int adj_pop = odd ? raw_pop - 1 : raw_pop;
      const int half = adj_pop / 2;
      if (odd) {
        b[out_levels[c]] = b[raw_beg];
        out_levels[c + 1] = out_levels[c] + 1;
      } else {
        out_levels[c + 1] = out_levels[c];
      }
      if (cur == 0 && !level_zero_sorted)
        std::sort(b + adj_beg, b + adj_beg + adj_pop, JavaSortLess<T>);
      if (pop_above == 0) {
        HalveUp(b, adj_beg, adj_pop, NextBit(b[adj_beg]));
      } else {
        HalveDown(b, adj_beg, adj_pop, NextBit(b[adj_beg]));
        MergeSorted(b, adj_beg, half, b, raw_lim, pop_above, b, adj_beg + half);
      }
      current -= half;
      in_levels[c + 1] -= static_cast<uint32_t>(half);
      if (cur == levels - 1) {
        ++levels;
        target += LevelCapacity(k_, levels, 0, m_);
      }
    }
    if (cur == levels - 1) done = true;
  }
  result[0] = levels;
  result[1] = target;
  result[2] = current;
}

template <typename T>
void KllSketch<T>::Merge(const KllSketch& other) {
  if (other.empty()) return;
  const bool my_empty = empty();
  const T my_min = min_, my_max = max_;
  const int my_min_k = min_k_;
  const uint64_t final_n = n_ + other.n_;
  for (uint32_t i = other.levels_[0]; i < other.levels_[1]; ++i) UpdateInternal(other.items_[i]);
  const int other_levels = other.num_levels();
  if (other_levels > 1) {
    const int my_levels = num_levels();
    const size_t space = static_cast<size_t>(num_retained()) +
                         (other.levels_[static_cast<size_t>(other_levels)] - other.levels_[1]);
    std::vector<T> work(space);
    const int provisional = std::max(my_levels, other_levels);
    int ub = 1;
    for (uint64_t v = final_n; v > 1; v >>= 1) ++ub;
    ub = std::max(ub, provisional);
    std::vector<uint32_t> work_levels(static_cast<size_t>(ub) + 2, 0);
    std::vector<uint32_t> out_levels(static_cast<size_t>(ub) + 2, 0);
    // Populate: my level zero (which now holds other's level zero), then each higher level of
    // both sketches merged.
    auto size_of = [](const std::vector<uint32_t>& lv, int levels, int level) -> uint32_t {
      return level >= levels ? 0
                             : lv[static_cast<size_t>(level) + 1] - lv[static_cast<size_t>(level)];
    };
    const uint32_t pop0 = size_of(levels_, my_levels, 0);
    std::copy(items_.begin() + levels_[0], items_.begin() + levels_[0] + pop0, work.begin());
    work_levels[1] = pop0;
    for (int lvl = 1; lvl < provisional; ++lvl) {
      const size_t l = static_cast<size_t>(lvl);
      const uint32_t self_pop = size_of(levels_, my_levels, lvl);
      const uint32_t other_pop = size_of(other.levels_, other_levels, lvl);
      work_levels[l + 1] = work_levels[l] + self_pop + other_pop;
      if (self_pop > 0 && other_pop == 0) {
        std::copy(items_.begin() + levels_[l], items_.begin() + levels_[l] + self_pop,
                  work.begin() + work_levels[l]);
      } else if (self_pop == 0 && other_pop > 0) {
        std::copy(other.items_.begin() + other.levels_[l],
                  other.items_.begin() + other.levels_[l] + other_pop,
                  work.begin() + work_levels[l]);
      } else if (self_pop > 0 && other_pop > 0) {
        MergeSorted(items_.data(), static_cast<int>(levels_[l]), static_cast<int>(self_pop),
                    other.items_.data(), static_cast<int>(other.levels_[l]),
                    static_cast<int>(other_pop), work.data(), static_cast<int>(work_levels[l]));
      }
    }
    int result[3];
    GeneralCompress(provisional, work, work_levels, out_levels, level_zero_sorted_, result);
    const int new_levels = result[0], target = result[1], current = result[2];
    std::vector<T> items(static_cast<size_t>(target), T{});
    const int free_bottom = target - current;
    std::copy(work.begin() + out_levels[0], work.begin() + out_levels[0] + current,
              items.begin() + free_bottom);
    const int shift = free_bottom - static_cast<int>(out_levels[0]);
    std::vector<uint32_t> levels(static_cast<size_t>(new_levels) + 1);
    for (int lvl = 0; lvl <= new_levels; ++lvl) {
      levels[static_cast<size_t>(lvl)] =
          static_cast<uint32_t>(static_cast<int>(out_levels[static_cast<size_t>(lvl)]) + shift);
    }
    levels_ = std::move(levels);
    items_ = std::move(items);
  }
  n_ = final_n;
  if (other.estimation_mode()) min_k_ = std::min(my_min_k, other.min_k_);
  if (my_empty) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = JavaMin(my_min, other.min_);
    max_ = JavaMax(my_max, other.max_);
  }
}

// ---------------------------------------------------------------------------------------------
template <typename T>
int KllSketch<T>::CurrentSerializedBytes(bool updatable) const {
  if (!updatable) {
    if (n_ == 0) return 8;
    if (n_ == 1) return kSingleItemStart + kItemBytes;
    return kDataStart + num_levels() * 4 + 2 * kItemBytes + num_retained() * kItemBytes;
  }
  return kDataStart + (num_levels() + 1) * 4 + 2 * kItemBytes +
         static_cast<int>(levels_.back()) * kItemBytes;
}

template <typename T>
std::string KllSketch<T>::Serialize() const {
  std::string out;
  out.reserve(static_cast<size_t>(CurrentSerializedBytes(false)));
  const bool single = n_ == 1;
  out.push_back(static_cast<char>(n_ <= 1 ? 2 : 5));
  out.push_back(static_cast<char>(single ? 2 : 1));
  out.push_back(static_cast<char>(kFamilyKll));
  out.push_back(static_cast<char>((n_ == 0 ? kEmptyFlag : 0) |
                                  (level_zero_sorted_ ? kLevelZeroSortedFlag : 0) |
                                  (single ? kSingleItemFlag : 0)));
  PutLE<uint16_t>(&out, static_cast<uint16_t>(k_));
  out.push_back(static_cast<char>(m_));
  out.push_back('\0');
  if (n_ == 0) return out;
  if (single) {
    PutLE<T>(&out, items_[levels_[0]]);
    return out;
  }
  PutLE<uint64_t>(&out, n_);
  PutLE<uint16_t>(&out, static_cast<uint16_t>(min_k_));
  out.push_back(static_cast<char>(num_levels()));
  out.push_back('\0');
  for (int i = 0; i < num_levels(); ++i)
    PutLE<int32_t>(&out, static_cast<int32_t>(levels_[static_cast<size_t>(i)]));
  PutLE<T>(&out, min_);
  PutLE<T>(&out, max_);
  for (uint32_t i = levels_[0]; i < levels_.back(); ++i) PutLE<T>(&out, items_[i]);
  return out;
}

template <typename T>
Result<KllSketch<T>> KllSketch<T>::Deserialize(std::string_view bytes) {
  if (bytes.size() < 8) return Invalid("fewer than 8 bytes");
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const int pre_ints = p[0], ser_ver = p[1], family = p[2], flags = p[3];
  const int k = GetLE<uint16_t>(bytes.data() + 4);
  const int m = p[6];
  enum class Form { kFull, kEmpty, kSingle, kUpdatable } form;
  if (pre_ints == 5 && ser_ver == 1) {
    form = Form::kFull;
  } else if (pre_ints == 2 && ser_ver == 1) {
    form = Form::kEmpty;
  } else if (pre_ints == 2 && ser_ver == 2) {
    form = Form::kSingle;
  } else if (pre_ints == 5 && ser_ver == 3) {
    form = Form::kUpdatable;
  } else {
    return Invalid("bad preamble ints or serial version");
  }
  if (family != kFamilyKll) return Invalid("not the KLL family");
  if (m < 2 || m > 8 || (m & 1) != 0) return Invalid("bad m");
  if (k < m || k > kMaxK) return Invalid("bad k");
  const bool empty_flag = (flags & kEmptyFlag) != 0;
  KllSketch sketch(k);
  sketch.m_ = m;
  sketch.level_zero_sorted_ = (flags & kLevelZeroSortedFlag) != 0;
  switch (form) {
    case Form::kEmpty:
      if (!empty_flag) return Invalid("an empty sketch must have the empty flag");
      sketch.items_.assign(static_cast<size_t>(k), T{});
      sketch.levels_ = {static_cast<uint32_t>(k), static_cast<uint32_t>(k)};
      return sketch;
    case Form::kSingle: {
      if (empty_flag) return Invalid("a single-item sketch must not have the empty flag");
      if (bytes.size() < static_cast<size_t>(kSingleItemStart + kItemBytes)) {
        return Invalid("truncated");
      }
      const T item = GetLE<T>(bytes.data() + kSingleItemStart);
      sketch.n_ = 1;
      sketch.levels_ = {static_cast<uint32_t>(k - 1), static_cast<uint32_t>(k)};
      sketch.items_.assign(static_cast<size_t>(k), T{});
      sketch.items_[static_cast<size_t>(k) - 1] = item;
      sketch.min_ = item;
      sketch.max_ = item;
      return sketch;
    }
    case Form::kFull:
    case Form::kUpdatable:
      break;
  }
  if (form == Form::kFull && empty_flag)
    return Invalid("a full sketch must not have the empty flag");
  if (bytes.size() < static_cast<size_t>(kDataStart)) return Invalid("truncated");
  const uint64_t n = GetLE<uint64_t>(bytes.data() + 8);
  const int min_k = GetLE<uint16_t>(bytes.data() + 16);
  const int levels = p[18];
  if (levels < 1 || levels > kMaxLevels) return Invalid("bad number of levels");
  const bool updatable = form == Form::kUpdatable;
  const int level_ints = updatable ? levels + 1 : levels;
  size_t pos = kDataStart;
  if (bytes.size() < pos + 4 * static_cast<size_t>(level_ints)) return Invalid("truncated");
  std::vector<uint32_t> lv(static_cast<size_t>(levels) + 1);
  for (int i = 0; i < level_ints; ++i) {
    const int32_t v = GetLE<int32_t>(bytes.data() + pos);
    if (v < 0) return Invalid("negative level offset");
    lv[static_cast<size_t>(i)] = static_cast<uint32_t>(v);
    pos += 4;
  }
  const int capacity = TotalCapacity(k, m, levels);
  if (!updatable) lv[static_cast<size_t>(levels)] = static_cast<uint32_t>(capacity);
  if (lv[static_cast<size_t>(levels)] != static_cast<uint32_t>(capacity)) {
    return Invalid("capacity does not match k, m and the levels");
  }
  for (int i = 0; i < levels; ++i) {
    if (lv[static_cast<size_t>(i)] > lv[static_cast<size_t>(i) + 1])
      return Invalid("levels out of order");
  }
  const size_t stored =
      updatable ? static_cast<size_t>(capacity) : static_cast<size_t>(capacity) - lv[0];
  if (bytes.size() < pos + static_cast<size_t>(kItemBytes) * (2 + stored))
    return Invalid("truncated");
  sketch.n_ = n;
  sketch.min_k_ = min_k;
  sketch.min_ = GetLE<T>(bytes.data() + pos);
  sketch.max_ = GetLE<T>(bytes.data() + pos + kItemBytes);
  pos += 2 * static_cast<size_t>(kItemBytes);
  sketch.items_.assign(static_cast<size_t>(capacity), T{});
  const size_t first = updatable ? 0 : lv[0];
  for (size_t i = 0; i < stored; ++i) {
    sketch.items_[first + i] = GetLE<T>(bytes.data() + pos);
    pos += static_cast<size_t>(kItemBytes);
  }
  sketch.levels_ = std::move(lv);
  return sketch;
}

// ---------------------------------------------------------------------------------------------
template <typename T>
typename KllSketch<T>::SortedView KllSketch<T>::MakeSortedView() const {
  std::vector<std::pair<T, int64_t>> entries;
  entries.reserve(static_cast<size_t>(num_retained()));
  for (int lvl = 0; lvl < num_levels(); ++lvl) {
    const int64_t weight = int64_t{1} << lvl;
    for (uint32_t i = levels_[static_cast<size_t>(lvl)]; i < levels_[static_cast<size_t>(lvl) + 1];
         ++i) {
      entries.emplace_back(items_[i], weight);
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return JavaSortLess(a.first, b.first); });
  SortedView view;
  view.n = n_;
  int64_t total = 0;
  std::vector<T> quantiles;
  std::vector<int64_t> cum;
  for (const auto& [item, weight] : entries) {
    total += weight;
    quantiles.push_back(item);
    cum.push_back(total);
  }
  // IncludeMinMax: the stream's min and max become the end points.
  const size_t len = quantiles.size();
  const bool adj_low = quantiles[0] != min_;
  const bool adj_high = quantiles[len - 1] != max_;
  if (adj_low || adj_high) {
    const size_t adj_len = len + (adj_low ? 1 : 0) + (adj_high ? 1 : 0);
    std::vector<T> q(adj_len);
    std::vector<int64_t> w(adj_len);
    const size_t offset = adj_low ? 1 : 0;
    std::copy(quantiles.begin(), quantiles.end(), q.begin() + static_cast<std::ptrdiff_t>(offset));
    std::copy(cum.begin(), cum.end(), w.begin() + static_cast<std::ptrdiff_t>(offset));
    if (adj_low) {
      q[0] = min_;
      w[0] = 1;
    }
    if (adj_high) {
      q[adj_len - 1] = max_;
      w[adj_len - 1] = cum[len - 1];
      w[adj_len - 2] = cum[len - 1] - 1;
    }
    quantiles = std::move(q);
    cum = std::move(w);
  }
  view.quantiles = std::move(quantiles);
  view.cum_weights = std::move(cum);
  return view;
}

template <typename T>
Result<T> KllSketch<T>::QuantileOf(const SortedView& view, double rank) const {
  if (rank < 0.0 || rank > 1.0) {
    return Status::Invalid("normalized rank must be >= 0 and <= 1.0: ", rank);
  }
  double natural = rank * static_cast<double>(view.n);
  if (static_cast<double>(view.n) <= 1e7) {
    natural = static_cast<double>(JavaRound(natural * 1e7)) / 1e7;
  }
  natural = static_cast<double>(JavaD2L(std::ceil(natural)));
  const auto& cum = view.cum_weights;
  // The first cumulative weight >= natural (InequalitySearch.GE).
  auto it = std::lower_bound(cum.begin(), cum.end(), natural,
                             [](int64_t w, double v) { return static_cast<double>(w) < v; });
  if (it == cum.end()) return view.quantiles.back();
  return view.quantiles[static_cast<size_t>(it - cum.begin())];
}

template <typename T>
Result<T> KllSketch<T>::Quantile(double rank) const {
  if (empty() || num_retained() == 0)
    return Status::Invalid("the sketch must not be empty for this operation");
  return QuantileOf(MakeSortedView(), rank);
}

template <typename T>
Result<std::vector<T>> KllSketch<T>::Quantiles(const std::vector<double>& ranks) const {
  if (empty() || num_retained() == 0)
    return Status::Invalid("the sketch must not be empty for this operation");
  const SortedView view = MakeSortedView();
  std::vector<T> out;
  out.reserve(ranks.size());
  for (double r : ranks) {
    ARROW_ASSIGN_OR_RAISE(auto q, QuantileOf(view, r));
    out.push_back(q);
  }
  return out;
}

template <typename T>
Result<double> KllSketch<T>::Rank(T item) const {
  if (empty() || num_retained() == 0)
    return Status::Invalid("the sketch must not be empty for this operation");
  const SortedView view = MakeSortedView();
  const auto& q = view.quantiles;
  // The last quantile <= item (InequalitySearch.LE); none gives rank 0.
  auto it = std::upper_bound(q.begin(), q.end(), item, [](T v, T x) { return v < x; });
  if (it == q.begin()) return 0.0;
  const size_t index = static_cast<size_t>(it - q.begin()) - 1;
  return static_cast<double>(view.cum_weights[index]) / static_cast<double>(view.n);
}

template <typename T>
std::string KllSketch<T>::ToString() const {
  auto line = [](const char* label, const std::string& value) {
    return std::string("   ") + label + ": " + value + "\n";
  };
  auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
  std::string s = "\n### Kll" + SketchTypeName(static_cast<const T*>(nullptr)) + " Summary:\n";
  s += line("K                      ", std::to_string(k_));
  s += line("Dynamic min K          ", std::to_string(min_k_));
  s += line("M                      ", std::to_string(m_));
  s += line("N                      ", std::to_string(n_));
  s += line("Epsilon                ", JavaPercent3(NormalizedRankError(min_k_, false) * 100.0));
  s += line("Epsilon PMF            ", JavaPercent3(NormalizedRankError(min_k_, true) * 100.0));
  s += line("Empty                  ", flag(empty()));
  s += line("Estimation Mode        ", flag(estimation_mode()));
  s += line("Levels                 ", std::to_string(num_levels()));
  s += line("Level 0 Sorted         ", flag(level_zero_sorted_));
  s += line("Capacity Items         ", std::to_string(levels_.back()));
  s += line("Retained Items         ", std::to_string(num_retained()));
  s += line("Free Space             ", std::to_string(levels_[0]));
  s += line("ReadOnly               ", "false");
  s += line("Updatable Storage Bytes", std::to_string(CurrentSerializedBytes(true)));
  s += line("Compact Storage Bytes  ", std::to_string(CurrentSerializedBytes(false)));
  s += line("Min Item               ", empty() ? "NaN" : ItemText(min_));
  s += line("Max Item               ", empty() ? "NaN" : ItemText(max_));
  s += "### End sketch summary\n";
  return s;
}

template class KllSketch<int64_t>;
template class KllSketch<float>;
template class KllSketch<double>;

}  // namespace basin::function
