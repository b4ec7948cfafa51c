#include "basin/exec/integer_key_grouper.h"

#include <cstring>

#include <algorithm>

#include "basin/exec/integer_keys.h"

namespace basin::exec {

namespace {
constexpr int64_t kBlock = 1024;  // rows hashed (and their slots prefetched) at once
}  // namespace

IntegerKeyGrouper::IntegerKeyGrouper(std::vector<std::shared_ptr<arrow::DataType>> types)
    : types_(std::move(types)),
      two_columns_(types_.size() > 1),
      slots_(1024, Slot{0, kEmpty, 0}),
      mask_(1023),
      dense_mode_(!two_columns_) {}

uint32_t IntegerKeyGrouper::AddGroup(uint64_t a, uint64_t b, uint8_t nulls) {
  const uint32_t group = num_groups();
  group_a_.push_back(a);
  group_b_.push_back(b);
  group_nulls_.push_back(nulls);
  return group;
}

bool IntegerKeyGrouper::DenseCover(int64_t low, int64_t high, int64_t rows) {
  const int64_t old_low = dense_low_;
  const auto old_size = static_cast<int64_t>(dense_size_);
  if (old_size > 0 && low >= old_low &&
      static_cast<__int128>(high) - old_low < static_cast<__int128>(old_size)) {
    return true;
  }
  const __int128 new_low = old_size > 0 ? std::min<int64_t>(low, old_low) : low;
  const __int128 new_high =
      old_size > 0 ? std::max<__int128>(high, static_cast<__int128>(old_low) + old_size - 1) : high;
  const __int128 span = new_high - new_low + 1;
  const __int128 limit =
      std::max<__int128>(int64_t{1} << 16, 16 * (static_cast<__int128>(num_groups()) + rows));
  if (span > limit) return false;
  // Room to grow upwards (keys often come in ascending order), within the limit.
  const auto size =
      static_cast<size_t>(std::min(limit, std::max(span, 2 * static_cast<__int128>(old_size))));
  const auto shift = static_cast<size_t>(static_cast<__int128>(old_low) - new_low);
  if (shift == 0) {
    // Growing upwards: the words in use stay where they are.
    if (!dense_.Grow(size)) return false;  // the hash table then takes the groups
  } else {
    ZeroedWords grown;
    if (!grown.Grow(size)) return false;
    if (old_size > 0) {
      std::memcpy(grown.data() + shift, dense_.data(),
                  static_cast<size_t>(old_size) * sizeof(uint32_t));
    }
    dense_.Swap(grown);
  }
  dense_size_ = size;
  dense_low_ = static_cast<int64_t>(new_low);
  return true;
}

void IntegerKeyGrouper::LeaveDense() {
  dense_mode_ = false;
  dense_.Release();
  dense_size_ = 0;
  uint64_t capacity = 1024;
  while (capacity < static_cast<uint64_t>(num_groups()) * 2) capacity <<= 1;
  Rehash(capacity);
}

uint64_t IntegerKeyGrouper::Find(uint64_t hash, uint64_t a, uint64_t b, uint8_t nulls) const {
  uint64_t s = hash & mask_;
  while (true) {
    const Slot& here = slots_[s];
    if (here.group == kEmpty) return s;
    if (here.a == a && here.nulls == nulls && (!two_columns_ || group_b_[here.group] == b)) {
      return s;
    }
    s = (s + 1) & mask_;
  }
}

void IntegerKeyGrouper::Grow() {
  // Large tables grow fourfold: each growth rehashes every group and touches fresh pages, and
  // high-cardinality keys (q18: 1.5M orders) would otherwise grow a dozen times.
  Rehash(slots_.size() * (slots_.size() >= (uint64_t{1} << 16) ? 4 : 2));
}

void IntegerKeyGrouper::Rehash(uint64_t capacity) {
  slots_.assign(capacity, Slot{0, kEmpty, 0});
  mask_ = capacity - 1;
  uint64_t slot[kBlock];
  const uint32_t groups = num_groups();
  for (uint32_t begin = 0; begin < groups; begin += kBlock) {
    const uint32_t n = std::min<uint32_t>(kBlock, groups - begin);
    for (uint32_t i = 0; i < n; ++i) {
      slot[i] = HashIntegerKey(group_a_[begin + i], group_b_[begin + i]) & mask_;
      __builtin_prefetch(&slots_[slot[i]], 1);
    }
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t g = begin + i;
      uint64_t s = slot[i];
      while (slots_[s].group != kEmpty) s = (s + 1) & mask_;
      slots_[s] = Slot{group_a_[g], g, group_nulls_[g]};
    }
  }
}

Status IntegerKeyGrouper::Consume(const arrow::ArrayVector& keys, int64_t length,
                                  uint32_t* ids) {
  if (static_cast<uint64_t>(num_groups()) + static_cast<uint64_t>(length) >= kEmpty / 2) {
    return Status::Invalid("too many groups for one hash table");
  }
  uint64_t a[kBlock], b[kBlock], hash[kBlock];
  uint8_t nulls[kBlock];
  for (int64_t begin = 0; begin < length; begin += kBlock) {
    const int64_t n = std::min(kBlock, length - begin);
    if (dense_mode_) {
      ReadIntegerKeys(keys, begin, n, a, b, nulls);
      int64_t low = INT64_MAX, high = INT64_MIN;
      for (int64_t i = 0; i < n; ++i) {
        if (nulls[i]) continue;
        low = std::min(low, static_cast<int64_t>(a[i]));
        high = std::max(high, static_cast<int64_t>(a[i]));
      }
      if (low > high || DenseCover(low, high, n)) {
        uint32_t* out = ids + begin;
        for (int64_t i = 0; i < n; ++i) {
          if (nulls[i]) {
            if (null_group_ == kEmpty) null_group_ = AddGroup(0, 0, 1);
            out[i] = null_group_;
            continue;
          }
          uint32_t& slot = dense_[static_cast<uint64_t>(a[i]) - static_cast<uint64_t>(dense_low_)];
          if (slot == 0) slot = AddGroup(a[i], b[i], 0) + 1;
          out[i] = slot - 1;
        }
        continue;
      }
      LeaveDense();
    }
    // At most half full after this block, so that probes stay short.
    while ((static_cast<uint64_t>(num_groups()) + static_cast<uint64_t>(n)) * 2 > slots_.size()) {
      Grow();
    }
    ReadIntegerKeys(keys, begin, n, a, b, nulls);
    for (int64_t i = 0; i < n; ++i) {
      hash[i] = HashIntegerKey(a[i], b[i]);
      __builtin_prefetch(&slots_[hash[i] & mask_]);
    }
    for (int64_t i = 0; i < n; ++i) {
      // A run of equal keys (sorted or clustered input) takes the previous row's group.
      if (i > 0 && a[i] == a[i - 1] && b[i] == b[i - 1] && nulls[i] == nulls[i - 1]) {
        ids[begin + i] = ids[begin + i - 1];
        continue;
      }
      const uint64_t s = Find(hash[i], a[i], b[i], nulls[i]);
      if (slots_[s].group == kEmpty) {
        slots_[s] = Slot{a[i], num_groups(), nulls[i]};
        group_a_.push_back(a[i]);
        group_b_.push_back(b[i]);
        group_nulls_.push_back(nulls[i]);
      }
      ids[begin + i] = slots_[s].group;
    }
  }
  return Status::OK();
}

void IntegerKeyGrouper::Lookup(const arrow::ArrayVector& keys, int64_t length,
                               uint32_t* ids) const {
  uint64_t a[kBlock], b[kBlock], hash[kBlock];
  uint8_t nulls[kBlock];
  for (int64_t begin = 0; begin < length; begin += kBlock) {
    const int64_t n = std::min(kBlock, length - begin);
    ReadIntegerKeys(keys, begin, n, a, b, nulls);
    if (dense_mode_) {
      const auto size = static_cast<uint64_t>(dense_size_);
      for (int64_t i = 0; i < n; ++i) {
        const uint64_t at = a[i] - static_cast<uint64_t>(dense_low_);  // wraps below the low
        ids[begin + i] = nulls[i] ? null_group_ : at < size ? dense_[at] - 1 : kEmpty;
      }
      continue;
    }
    for (int64_t i = 0; i < n; ++i) {
      hash[i] = HashIntegerKey(a[i], b[i]);
      __builtin_prefetch(&slots_[hash[i] & mask_]);
    }
    for (int64_t i = 0; i < n; ++i) ids[begin + i] = slots_[Find(hash[i], a[i], b[i], nulls[i])].group;
  }
}

Result<arrow::ArrayVector> IntegerKeyGrouper::Uniques() const {
  const int64_t n = num_groups();
  arrow::ArrayVector out;
  for (size_t k = 0; k < types_.size(); ++k) {
    const auto& type = types_[k];
    const PoolVector<uint64_t>& words = k == 0 ? group_a_ : group_b_;
    const int width = type->byte_width();
    ARROW_ASSIGN_OR_RAISE(auto values, arrow::AllocateBuffer(n * width));
    uint8_t* data = values->mutable_data();
    for (int64_t g = 0; g < n; ++g) {
      const auto v = static_cast<int64_t>(words[static_cast<size_t>(g)]);
      switch (width) {
        case 1:
          reinterpret_cast<int8_t*>(data)[g] = static_cast<int8_t>(v);
          break;
        case 2:
          reinterpret_cast<int16_t*>(data)[g] = static_cast<int16_t>(v);
          break;
        case 4:
          reinterpret_cast<int32_t*>(data)[g] = static_cast<int32_t>(v);
          break;
        default:
          reinterpret_cast<int64_t*>(data)[g] = v;
          break;
      }
    }
    const auto bit = static_cast<uint8_t>(1u << k);
    int64_t null_count = 0;
    for (uint8_t nulls : group_nulls_) null_count += (nulls & bit) ? 1 : 0;
    std::shared_ptr<arrow::Buffer> validity;
    if (null_count > 0) {
      ARROW_ASSIGN_OR_RAISE(validity, arrow::AllocateBitmap(n));
      uint8_t* bits = validity->mutable_data();
      for (int64_t g = 0; g < n; ++g) {
        arrow::bit_util::SetBitTo(bits, g, (group_nulls_[static_cast<size_t>(g)] & bit) == 0);
      }
    }
    out.push_back(arrow::MakeArray(
        arrow::ArrayData::Make(type, n, {validity, std::move(values)}, null_count)));
  }
  return out;
}

}  // namespace basin::exec
