#include "basin/exec/join_key_table.h"

#include <algorithm>
#include <bit>

#include "basin/exec/row_hash.h"

namespace basin::exec {

bool JoinKeyTable::Supports(const std::vector<std::shared_ptr<arrow::DataType>>& types) {
  if (types.empty() || types.size() > 2) return false;
  for (const auto& type : types) {
    switch (type->id()) {
      case arrow::Type::INT8:
      case arrow::Type::INT16:
      case arrow::Type::INT32:
      case arrow::Type::INT64:
      case arrow::Type::DATE32:
      case arrow::Type::DATE64:
      case arrow::Type::TIMESTAMP:
      case arrow::Type::TIME64:
        break;
      default:
        return false;
    }
  }
  return true;
}

void JoinKeyTable::ReadKeys(const arrow::ArrayVector& keys, int64_t begin, int64_t n,
                            uint64_t* a, uint64_t* b, uint8_t* valid) {
  std::fill(valid, valid + n, uint8_t{1});
  for (size_t k = 0; k < keys.size(); ++k) {
    const auto& data = *keys[k]->data();
    uint64_t* out = k == 0 ? a : b;
    const int64_t first = data.offset + begin;
    switch (data.type->byte_width()) {
      case 1: {
        const auto* v = data.GetValues<int8_t>(1, 0) + first;
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<uint64_t>(static_cast<int64_t>(v[i]));
        break;
      }
      case 2: {
        const auto* v = data.GetValues<int16_t>(1, 0) + first;
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<uint64_t>(static_cast<int64_t>(v[i]));
        break;
      }
      case 4: {
        const auto* v = data.GetValues<int32_t>(1, 0) + first;
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<uint64_t>(static_cast<int64_t>(v[i]));
        break;
      }
      default: {
        const auto* v = data.GetValues<int64_t>(1, 0) + first;
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<uint64_t>(v[i]);
        break;
      }
    }
    if (data.MayHaveNulls()) {
      const uint8_t* bits = data.buffers[0]->data();
      for (int64_t i = 0; i < n; ++i) {
        valid[i] &= arrow::bit_util::GetBit(bits, first + i) ? 1 : 0;
      }
    }
  }
  if (keys.size() == 1) std::fill(b, b + n, uint64_t{0});
}

uint64_t JoinKeyTable::Hash(uint64_t a, uint64_t b) {
  // Both words folded into one, then the 64-bit finalizer.
  return Mix64(a * 0x9E3779B97F4A7C15ULL ^ std::rotl(b * 0xC2B2AE3D27D4EB4FULL, 31));
}

namespace {
constexpr int64_t kBlock = 1024;  // rows hashed (and their slots prefetched) at once
}  // namespace

Status JoinKeyTable::Build(const arrow::ArrayVector& keys, int64_t length,
                           std::vector<uint32_t>* ids) {
  if (length >= static_cast<int64_t>(kNoGroup) / 2) {
    return Status::Invalid("join build side too large for one hash table");
  }
  uint64_t capacity = 16;
  while (capacity < static_cast<uint64_t>(length) * 2) capacity <<= 1;
  two_columns_ = keys.size() > 1;
  slots_.assign(capacity, Slot{0, kNoGroup});
  b_.assign(two_columns_ ? capacity : 0, 0);
  mask_ = capacity - 1;
  groups_count_ = 0;
  ids->assign(static_cast<size_t>(length), kNoGroup);
  uint64_t a[kBlock], b[kBlock], slot[kBlock];
  uint8_t valid[kBlock];
  for (int64_t begin = 0; begin < length; begin += kBlock) {
    const int64_t n = std::min(kBlock, length - begin);
    ReadKeys(keys, begin, n, a, b, valid);
    for (int64_t i = 0; i < n; ++i) {
      slot[i] = Hash(a[i], b[i]) & mask_;
      __builtin_prefetch(&slots_[slot[i]], 1);
    }
    uint32_t* out = ids->data() + begin;
    for (int64_t i = 0; i < n; ++i) {
      if (!valid[i]) continue;
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

void JoinKeyTable::Lookup(const arrow::ArrayVector& keys, int64_t length, uint32_t* ids) const {
  if (slots_.empty()) {
    std::fill(ids, ids + length, kNoGroup);
    return;
  }
  uint64_t a[kBlock], b[kBlock], slot[kBlock];
  uint8_t valid[kBlock];
  for (int64_t begin = 0; begin < length; begin += kBlock) {
    const int64_t n = std::min(kBlock, length - begin);
    ReadKeys(keys, begin, n, a, b, valid);
    // Hash the block and prefetch its slots, so that the cache misses overlap.
    for (int64_t i = 0; i < n; ++i) {
      slot[i] = Hash(a[i], b[i]) & mask_;
      __builtin_prefetch(&slots_[slot[i]]);
    }
    uint32_t* out = ids + begin;
    for (int64_t i = 0; i < n; ++i) {
      out[i] = kNoGroup;
      if (!valid[i]) continue;
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
