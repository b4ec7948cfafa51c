#include "basin/exec/join_key_table.h"

#include <bit>

namespace basin::exec {

namespace {

// The value of row i of an integer-like column, sign-extended to 64 bits.
inline uint64_t ValueAt(const arrow::ArrayData& a, int64_t i) {
  const int64_t k = a.offset + i;
  switch (a.type->byte_width()) {
    case 1:
      return static_cast<uint64_t>(static_cast<int64_t>(a.GetValues<int8_t>(1, 0)[k]));
    case 2:
      return static_cast<uint64_t>(static_cast<int64_t>(a.GetValues<int16_t>(1, 0)[k]));
    case 4:
      return static_cast<uint64_t>(static_cast<int64_t>(a.GetValues<int32_t>(1, 0)[k]));
    default:
      return static_cast<uint64_t>(a.GetValues<int64_t>(1, 0)[k]);
  }
}

}  // namespace

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
        break;
      default:
        return false;
    }
  }
  return true;
}

bool JoinKeyTable::KeyAt(const arrow::ArrayVector& keys, int64_t i, uint64_t* a, uint64_t* b) {
  const auto& first = *keys[0]->data();
  if (first.MayHaveNulls() && !arrow::bit_util::GetBit(first.buffers[0]->data(), first.offset + i))
    return false;
  *a = ValueAt(first, i);
  *b = 0;
  if (keys.size() > 1) {
    const auto& second = *keys[1]->data();
    if (second.MayHaveNulls() &&
        !arrow::bit_util::GetBit(second.buffers[0]->data(), second.offset + i))
      return false;
    *b = ValueAt(second, i);
  }
  return true;
}

uint64_t JoinKeyTable::Hash(uint64_t a, uint64_t b) {
  // Two rounds of a 64-bit finalizer over both words.
  uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ std::rotl(b * 0xC2B2AE3D27D4EB4FULL, 31);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h;
}

Status JoinKeyTable::Build(const arrow::ArrayVector& keys, int64_t length,
                           std::vector<uint32_t>* ids) {
  if (length >= static_cast<int64_t>(kNoGroup) / 2) {
    return Status::Invalid("join build side too large for one hash table");
  }
  uint64_t capacity = 16;
  while (capacity < static_cast<uint64_t>(length) * 2) capacity <<= 1;
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  groups_ = 0;
  ids->assign(static_cast<size_t>(length), kNoGroup);
  for (int64_t i = 0; i < length; ++i) {
    uint64_t a, b;
    if (!KeyAt(keys, i, &a, &b)) continue;
    uint64_t s = Hash(a, b) & mask_;
    while (true) {
      Slot& slot = slots_[s];
      if (slot.group == kNoGroup) {
        slot.a = a;
        slot.b = b;
        slot.group = groups_++;
        (*ids)[static_cast<size_t>(i)] = slot.group;
        break;
      }
      if (slot.a == a && slot.b == b) {
        (*ids)[static_cast<size_t>(i)] = slot.group;
        break;
      }
      s = (s + 1) & mask_;
    }
  }
  return Status::OK();
}

void JoinKeyTable::Lookup(const arrow::ArrayVector& keys, int64_t length, uint32_t* ids) const {
  for (int64_t i = 0; i < length; ++i) {
    uint64_t a, b;
    ids[i] = kNoGroup;
    if (slots_.empty() || !KeyAt(keys, i, &a, &b)) continue;
    uint64_t s = Hash(a, b) & mask_;
    while (true) {
      const Slot& slot = slots_[s];
      if (slot.group == kNoGroup) break;
      if (slot.a == a && slot.b == b) {
        ids[i] = slot.group;
        break;
      }
      s = (s + 1) & mask_;
    }
  }
}

}  // namespace basin::exec
