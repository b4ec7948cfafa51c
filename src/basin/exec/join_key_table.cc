#include "basin/exec/join_key_table.h"

#include <algorithm>

#include "basin/exec/integer_keys.h"

namespace basin::exec {

namespace {
constexpr int64_t kBlock = 1024;  // rows hashed (and their slots prefetched) at once

// Slots of the hash table for `length` keys: a power of two, at least twice the keys.
uint64_t HashCapacity(int64_t length) {
  uint64_t capacity = 16;
  while (capacity < static_cast<uint64_t>(length) * 2) capacity <<= 1;
  return capacity;
}
}  // namespace

Status JoinKeyTable::Build(const arrow::ArrayVector& keys, int64_t length,
                           std::vector<uint32_t>* ids) {
  if (length >= static_cast<int64_t>(kNoGroup) / 2) {
    return Status::Invalid("join build side too large for one hash table");
  }
  two_columns_ = keys.size() > 1;
  direct_.clear();
  slots_.clear();
  groups_count_ = 0;
  if (BuildDirect(keys, length, ids)) return Status::OK();
  const uint64_t capacity = HashCapacity(length);
  slots_.assign(capacity, Slot{0, kNoGroup});
  b_.assign(two_columns_ ? capacity : 0, 0);
  mask_ = capacity - 1;
  groups_count_ = 0;
  ids->assign(static_cast<size_t>(length), kNoGroup);
  uint64_t a[kBlock], b[kBlock], slot[kBlock];
  uint8_t nulls[kBlock];
  for (int64_t begin = 0; begin < length; begin += kBlock) {
    const int64_t n = std::min(kBlock, length - begin);
    ReadIntegerKeys(keys, begin, n, a, b, nulls);
    for (int64_t i = 0; i < n; ++i) {
      slot[i] = HashIntegerKey(a[i], b[i]) & mask_;
      __builtin_prefetch(&slots_[slot[i]], 1);
    }
    uint32_t* out = ids->data() + begin;
    for (int64_t i = 0; i < n; ++i) {
      if (nulls[i]) continue;
      uint64_t s = slot[i];
      while (true) {
        Slot& here = slots_[s];
        if (here.group == kNoGroup) {
          here.group = groups_count_;
          here.a = a[i];
          if (two_columns_) b_[s] = b[i];
          out[i] = groups_count_++;
          break;
        }
        if (here.a == a[i] && (!two_columns_ || b_[s] == b[i])) {
          out[i] = here.group;
          break;
        }
        s = (s + 1) & mask_;
      }
    }
  }
  return Status::OK();
}

bool JoinKeyTable::BuildDirect(const arrow::ArrayVector& keys, int64_t length,
                               std::vector<uint32_t>* ids) {
  uint64_t a[kBlock], b[kBlock];
  uint8_t nulls[kBlock];
  int64_t low = INT64_MAX, high = INT64_MIN;
  for (int64_t begin = 0; begin < length; begin += kBlock) {
    const int64_t n = std::min(kBlock, length - begin);
    ReadIntegerKeys(keys, begin, n, a, b, nulls);
    for (int64_t i = 0; i < n; ++i) {
      if (nulls[i]) continue;
      const auto v = static_cast<int64_t>(a[i]);
      low = std::min(low, v);
      high = std::max(high, v);
    }
  }
  if (low > high) return false;  // no key at all
  const unsigned __int128 range = static_cast<unsigned __int128>(
      static_cast<__int128>(high) - static_cast<__int128>(low) + 1);
  // Direct when the array (4 bytes per value of the range) takes at most four times the memory of
  // the hash table (16-byte slots, or 24 with a second column, at least twice as many as
  // keys). Keys that come in order, as a fact table's foreign keys often do (lineitem's
  // l_orderkey), then find their groups in order too, where hashing would scatter them over
  // the whole table.
  const uint64_t slot_bytes = two_columns_ ? 24 : 16;
  if (range > static_cast<unsigned __int128>(
                  std::max<uint64_t>(HashCapacity(length) * slot_bytes, 1024))) {
    return false;
  }
  min_ = low;
  max_ = high;
  direct_.assign(static_cast<size_t>(range), kNoGroup);
  direct_b_.clear();
  ids->assign(static_cast<size_t>(length), kNoGroup);
  for (int64_t begin = 0; begin < length; begin += kBlock) {
    const int64_t n = std::min(kBlock, length - begin);
    ReadIntegerKeys(keys, begin, n, a, b, nulls);
    uint32_t* out = ids->data() + begin;
    for (int64_t i = 0; i < n; ++i) {
      if (nulls[i]) continue;
      uint32_t& group = direct_[static_cast<uint64_t>(static_cast<int64_t>(a[i])) -
                                static_cast<uint64_t>(min_)];
      if (group == kNoGroup) {
        group = groups_count_++;
        if (two_columns_) direct_b_.push_back(b[i]);
      } else if (two_columns_ && direct_b_[group] != b[i]) {
        // Two keys share their first column: the first column does not decide the group.
        direct_.clear();
        direct_b_.clear();
        groups_count_ = 0;
        return false;
      }
      out[i] = group;
    }
  }
  return true;
}

void JoinKeyTable::Lookup(const arrow::ArrayVector& keys, int64_t length, uint32_t* ids) const {
  uint64_t a[kBlock], b[kBlock], slot[kBlock];
  uint8_t nulls[kBlock];
  if (!direct_.empty()) {
    const uint64_t span = static_cast<uint64_t>(max_) - static_cast<uint64_t>(min_);
    for (int64_t begin = 0; begin < length; begin += kBlock) {
      const int64_t n = std::min(kBlock, length - begin);
      ReadIntegerKeys(keys, begin, n, a, b, nulls);
      uint32_t* out = ids + begin;
      for (int64_t i = 0; i < n; ++i) {
        const uint64_t at = a[i] - static_cast<uint64_t>(min_);  // wraps below min_
        out[i] = !nulls[i] && at <= span ? direct_[at] : kNoGroup;
      }
      if (two_columns_) {
        for (int64_t i = 0; i < n; ++i) {
          if (out[i] != kNoGroup && direct_b_[out[i]] != b[i]) out[i] = kNoGroup;
        }
      }
    }
    return;
  }
  if (slots_.empty()) {
    std::fill(ids, ids + length, kNoGroup);
    return;
  }
  for (int64_t begin = 0; begin < length; begin += kBlock) {
    const int64_t n = std::min(kBlock, length - begin);
    ReadIntegerKeys(keys, begin, n, a, b, nulls);
    // Hash the block, then probe it with the slot a few rows ahead being prefetched, so that
    // about as many cache misses overlap as the core can track (prefetching the whole block
    // at once stalls once those are all in flight).
    constexpr int64_t kAhead = 16;
    for (int64_t i = 0; i < n; ++i) slot[i] = HashIntegerKey(a[i], b[i]) & mask_;
    for (int64_t i = 0; i < std::min(kAhead, n); ++i) __builtin_prefetch(&slots_[slot[i]]);
    uint32_t* out = ids + begin;
    for (int64_t i = 0; i < n; ++i) {
      if (i + kAhead < n) __builtin_prefetch(&slots_[slot[i + kAhead]]);
      out[i] = kNoGroup;
      if (nulls[i]) continue;
      uint64_t s = slot[i];
      while (true) {
        const Slot& here = slots_[s];
        if (here.group == kNoGroup) break;
        if (here.a == a[i] && (!two_columns_ || b_[s] == b[i])) {
          out[i] = here.group;
          break;
        }
        s = (s + 1) & mask_;
      }
    }
  }
}

}  // namespace basin::exec
