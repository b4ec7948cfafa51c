#pragma once

// An array of 32-bit words, zero when first read, in an anonymous mapping of its own. Growing it
// at the end moves the mapping's pages (mremap) instead of copying them, and the kernel fills
// the new pages with zeros when they are first touched: a dense array that grows step by step
// to tens of megabytes is never copied and never cleared by hand.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <utility>

namespace basin::exec {

class ZeroedWords {
 public:
  ZeroedWords() = default;
  ZeroedWords(const ZeroedWords&) = delete;
  ZeroedWords& operator=(const ZeroedWords&) = delete;
  ~ZeroedWords() { Release(); }

  uint32_t* data() const { return words_; }
  size_t size() const { return size_; }
  uint32_t& operator[](size_t i) const { return words_[i]; }

  void Swap(ZeroedWords& other) {
    std::swap(words_, other.words_);
    std::swap(size_, other.size_);
    std::swap(bytes_, other.bytes_);
  }

  /// Grows to `size` words (at least the current size): the current words keep their values
  /// and place, the new ones are zero. False when the memory cannot be had (then unchanged).
  bool Grow(size_t size) {
    if (size <= size_) return true;
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    if (size > (SIZE_MAX - page) / sizeof(uint32_t)) return false;
    const size_t bytes = (size * sizeof(uint32_t) + page - 1) / page * page;
    void* mapped;
    if (words_ == nullptr) {
      mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    } else if (bytes == bytes_) {
      mapped = words_;  // the last page already holds the new words (zero, never written)
    } else {
      mapped = mremap(words_, bytes_, bytes, MREMAP_MAYMOVE);
    }
    if (mapped == MAP_FAILED) return false;
    words_ = static_cast<uint32_t*>(mapped);
    bytes_ = bytes;
    size_ = size;
    return true;
  }

  void Release() {
    if (words_ != nullptr) munmap(words_, bytes_);
    words_ = nullptr;
    size_ = 0;
    bytes_ = 0;
  }

 private:
  uint32_t* words_ = nullptr;
  size_t size_ = 0;
  size_t bytes_ = 0;  // mapped, whole pages
};

}  // namespace basin::exec
