#include "basin/exec/zeroed_words.h"

#include <gtest/gtest.h>

namespace basin::exec {
namespace {

// Grows step by step (within a page, across pages, by megabytes, which moves the mapping):
// every word written before keeps its value, every new word reads zero.
TEST(ZeroedWordsTest, GrowingKeepsWordsAndZeroesNewOnes) {
  ZeroedWords words;
  EXPECT_EQ(words.size(), 0u);
  size_t size = 0;
  for (size_t next : {size_t{1}, size_t{3}, size_t{1024}, size_t{1025}, size_t{70000},
                      size_t{1} << 20, size_t{3} << 20, size_t{9} << 20}) {
    ASSERT_TRUE(words.Grow(next));
    ASSERT_EQ(words.size(), next);
    for (size_t i = 0; i < size; ++i) ASSERT_EQ(words[i], static_cast<uint32_t>(i * 7 + 1)) << i;
    for (size_t i = size; i < next; ++i) ASSERT_EQ(words[i], 0u) << i;
    for (size_t i = size; i < next; ++i) words[i] = static_cast<uint32_t>(i * 7 + 1);
    size = next;
  }
  EXPECT_TRUE(words.Grow(10));  // smaller: nothing changes
  EXPECT_EQ(words.size(), size);
  EXPECT_EQ(words[size - 1], static_cast<uint32_t>((size - 1) * 7 + 1));
  ZeroedWords other;
  ASSERT_TRUE(other.Grow(5));
  other.Swap(words);
  EXPECT_EQ(words.size(), 5u);
  EXPECT_EQ(other.size(), size);
  words.Release();
  EXPECT_EQ(words.size(), 0u);
  EXPECT_EQ(words.data(), nullptr);
}

TEST(ZeroedWordsTest, RefusesWhatCannotBeMapped) {
  ZeroedWords words;
  EXPECT_FALSE(words.Grow(size_t{1} << 62));  // its bytes do not fit 64 bits
  EXPECT_FALSE(words.Grow(size_t{1} << 58));  // 1 EiB: no address space for it
  EXPECT_EQ(words.size(), 0u);
  ASSERT_TRUE(words.Grow(100));
  words[99] = 5;
  EXPECT_FALSE(words.Grow(size_t{1} << 58));  // a failed growth leaves the words as they were
  EXPECT_EQ(words.size(), 100u);
  EXPECT_EQ(words[99], 5u);
}

}  // namespace
}  // namespace basin::exec
