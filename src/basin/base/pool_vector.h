#pragma once

// std::vector whose memory comes from Arrow's default memory pool (mimalloc in the pinned
// libarrow, which keeps freed memory for reuse for a second: decision 0003) instead of the C
// library's malloc, which hands large blocks out as freshly mapped pages that the kernel must
// fault in and zero on first touch. For the large arrays an operator allocates once per query
// (join hash tables, group tables, aggregate states), so that they reuse memory that earlier
// batches or queries freed.

#include <cstddef>
#include <new>
#include <vector>

#include <arrow/memory_pool.h>

namespace basin {

template <typename T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() = default;
  template <typename U>
  PoolAllocator(const PoolAllocator<U>&) {}  // NOLINT: converting, as allocators are
  T* allocate(std::size_t n) {
    uint8_t* out = nullptr;
    auto status = arrow::default_memory_pool()->Allocate(static_cast<int64_t>(n * sizeof(T)),
                                                         alignof(T) > 64 ? alignof(T) : 64, &out);
    if (!status.ok()) throw std::bad_alloc();
    return reinterpret_cast<T*>(out);
  }
  void deallocate(T* p, std::size_t n) {
    arrow::default_memory_pool()->Free(reinterpret_cast<uint8_t*>(p),
                                       static_cast<int64_t>(n * sizeof(T)),
                                       alignof(T) > 64 ? alignof(T) : 64);
  }
  template <typename U>
  bool operator==(const PoolAllocator<U>&) const { return true; }
  template <typename U>
  bool operator!=(const PoolAllocator<U>&) const { return false; }
};

template <typename T>
using PoolVector = std::vector<T, PoolAllocator<T>>;

}  // namespace basin
