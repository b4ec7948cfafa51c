#include "basin/format/snappy.h"

#include <gtest/gtest.h>

#include <arrow/io/file.h>
#include <arrow/util/compression.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "basin/base/status.h"
#include "basin/format/parquet_pages.h"

namespace basin::format {
namespace {

using Bytes = std::vector<uint8_t>;

// Arrow's snappy codec, the reference compressor (and decompressor for differential checks).
arrow::util::Codec& ArrowSnappy() {
  static auto codec = arrow::util::Codec::Create(arrow::Compression::SNAPPY).ValueOrDie();
  return *codec;
}

Bytes Compress(const Bytes& data) {
  auto& codec = ArrowSnappy();
  Bytes out(codec.MaxCompressedLen(static_cast<int64_t>(data.size()), data.data()));
  int64_t n = codec
                  .Compress(static_cast<int64_t>(data.size()), data.data(),
                            static_cast<int64_t>(out.size()), out.data())
                  .ValueOrDie();
  out.resize(n);
  return out;
}

// Decompresses with our decoder into a buffer of exactly the preamble's length, from a copy of
// the block in a buffer of exactly its size (a built block's vector may have spare capacity), so
// that AddressSanitizer sees a read or write one byte past either end.
Result<Bytes> Decompress(const Bytes& block) {
  const Bytes input(block.begin(), block.end());
  ASSIGN_OR_RAISE(int64_t length,
                  SnappyUncompressedLength(input.data(), static_cast<int64_t>(input.size())));
  Bytes out(length);
  RETURN_NOT_OK(
      SnappyDecompress(input.data(), static_cast<int64_t>(input.size()), out.data(), length));
  return out;
}

void ExpectRoundTrip(const Bytes& data, const std::string& what) {
  SCOPED_TRACE(what + " (" + std::to_string(data.size()) + " bytes)");
  Bytes block = Compress(data);
  auto length = SnappyUncompressedLength(block.data(), static_cast<int64_t>(block.size()));
  ASSERT_TRUE(length.ok()) << length.status().ToString();
  EXPECT_EQ(*length, static_cast<int64_t>(data.size()));
  auto out = Decompress(block);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(*out == data);
}

void ExpectCorrupt(const Bytes& block, int64_t output_length, const std::string& what) {
  SCOPED_TRACE(what);
  const Bytes input(block.begin(), block.end());  // exactly sized, as in Decompress
  Bytes out(std::max<int64_t>(output_length, 0));
  Status st =
      SnappyDecompress(input.data(), static_cast<int64_t>(input.size()), out.data(), output_length);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(ErrorClassOf(st).value_or(""), "FAILED_READ_FILE") << st.ToString();
  EXPECT_NE(st.message().find("snappy"), std::string::npos) << st.ToString();
}

Bytes RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

Bytes TextLike(size_t n, uint64_t seed) {
  static const char* kWords[] = {
      "the",        "lakehouse", "delta", "table",  "parquet",  "snappy", "select",   "from",
      "where",      "group",     "by",    "order",  "customer", "orders", "lineitem", "42",
      "2024-01-01", "null",      "spark", "commit", "version",  "schema", "a",        "of"};
  std::mt19937_64 rng(seed);
  std::string text;
  while (text.size() < n) {
    text += kWords[rng() % std::size(kWords)];
    const uint64_t r = rng() % 16;
    text += r == 0 ? ".\n" : r == 1 ? ", " : " ";
  }
  text.resize(n);
  return Bytes(text.begin(), text.end());
}

// Little-endian int64 values with small random deltas, as in a Parquet PLAIN page of ids or times.
Bytes SmallDeltaInt64(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes out(count * 8);
  int64_t v = 1700000000000;
  for (size_t i = 0; i < count; ++i) {
    v += static_cast<int64_t>(rng() % 64);
    std::memcpy(out.data() + i * 8, &v, 8);
  }
  return out;
}

Bytes Periodic(size_t n, size_t period, uint64_t seed) {
  Bytes unit = RandomBytes(period, seed);
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = unit[i % period];
  return out;
}

// A hand-built block: varint preamble, then elements.
class BlockBuilder {
 public:
  explicit BlockBuilder(uint64_t uncompressed_length) { Varint(uncompressed_length); }

  // A literal whose length - 1 takes `length_bytes` bytes after the tag (0 = in the tag).
  BlockBuilder& Literal(const Bytes& data, int length_bytes) {
    const uint64_t n = data.size() - 1;
    EXPECT_TRUE(length_bytes == 4 || n < (length_bytes == 0 ? 60u : 1u << (8 * length_bytes)));
    if (length_bytes == 0) {
      block_.push_back(static_cast<uint8_t>(n << 2));
    } else {
      block_.push_back(static_cast<uint8_t>((59 + length_bytes) << 2));
      for (int i = 0; i < length_bytes; ++i) block_.push_back(static_cast<uint8_t>(n >> (8 * i)));
    }
    block_.insert(block_.end(), data.begin(), data.end());
    return *this;
  }
  BlockBuilder& Copy1(uint32_t length, uint32_t offset) {  // length 4..11, offset < 2048
    block_.push_back(static_cast<uint8_t>(1 | ((length - 4) << 2) | ((offset >> 8) << 5)));
    block_.push_back(static_cast<uint8_t>(offset));
    return *this;
  }
  BlockBuilder& Copy2(uint32_t length, uint32_t offset) {  // length 1..64, offset < 65536
    block_.push_back(static_cast<uint8_t>(2 | ((length - 1) << 2)));
    block_.push_back(static_cast<uint8_t>(offset));
    block_.push_back(static_cast<uint8_t>(offset >> 8));
    return *this;
  }
  BlockBuilder& Copy4(uint32_t length, uint32_t offset) {  // length 1..64
    block_.push_back(static_cast<uint8_t>(3 | ((length - 1) << 2)));
    for (int i = 0; i < 4; ++i) block_.push_back(static_cast<uint8_t>(offset >> (8 * i)));
    return *this;
  }
  const Bytes& block() const { return block_; }

 private:
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      block_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    block_.push_back(static_cast<uint8_t>(v));
  }
  Bytes block_;
};

// Appends a copy to `expected` byte by byte, the definition of a copy.
void AppendCopy(Bytes& expected, size_t length, size_t offset) {
  for (size_t i = 0; i < length; ++i) expected.push_back(expected[expected.size() - offset]);
}

// Checks our decoder against the expected bytes, and Arrow's decoder against the same block.
void ExpectDecodes(const Bytes& block, const Bytes& expected, const std::string& what) {
  SCOPED_TRACE(what);
  auto out = Decompress(block);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(*out == expected);
  Bytes arrow_out(expected.size());
  auto n = ArrowSnappy().Decompress(static_cast<int64_t>(block.size()), block.data(),
                                    static_cast<int64_t>(arrow_out.size()), arrow_out.data());
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_TRUE(arrow_out == expected);
}

TEST(SnappyTest, RoundTripsEmptyAndTiny) {
  ExpectRoundTrip({}, "empty");
  ExpectRoundTrip({0x5a}, "one byte");
  ExpectRoundTrip({1, 2}, "two bytes");
  for (size_t n = 0; n < 200; ++n) ExpectRoundTrip(RandomBytes(n, n), "random small");
  for (size_t n = 0; n < 200; ++n) ExpectRoundTrip(Bytes(n, 0), "zeros small");
}

TEST(SnappyTest, RoundTripsZeroRuns) {
  for (size_t n : {64, 100, 1000, 65535, 65536, 65537, 1 << 20})
    ExpectRoundTrip(Bytes(n, 0), "zeros");
  Bytes mixed = RandomBytes(300000, 7);
  for (size_t i = 0; i + 3000 <= mixed.size(); i += 5000) std::fill_n(mixed.begin() + i, 3000, 0);
  ExpectRoundTrip(mixed, "zero runs between random bytes");
}

TEST(SnappyTest, RoundTripsShortPeriods) {
  // Periods below 16 take the overlapping-copy path with small offsets.
  for (size_t period = 1; period <= 20; ++period) {
    for (size_t n : {3, 17, 100, 1000, 70000}) {
      ExpectRoundTrip(Periodic(n, period, period * 1000 + n), "period " + std::to_string(period));
    }
    // A random prefix, so the run starts at an arbitrary offset of the output.
    Bytes data = RandomBytes(37, period);
    Bytes run = Periodic(5000, period, period + 99);
    data.insert(data.end(), run.begin(), run.end());
    ExpectRoundTrip(data, "prefix then period " + std::to_string(period));
  }
}

TEST(SnappyTest, RoundTripsRandomTextAndInt64) {
  for (size_t n : {1000, 65535, 65536, 65537, 131071, 131072, 131073}) {
    ExpectRoundTrip(RandomBytes(n, n), "random");
    ExpectRoundTrip(TextLike(n, n), "text");
    ExpectRoundTrip(SmallDeltaInt64(n / 8, n), "int64 small deltas");
  }
  ExpectRoundTrip(RandomBytes(3 << 20, 1), "random 3 MB");
  ExpectRoundTrip(TextLike(5 << 20, 2), "text 5 MB");
  ExpectRoundTrip(SmallDeltaInt64(4 << 17, 3), "int64 4 MB");
}

TEST(SnappyTest, DecodesEveryElementKind) {
  Bytes head = RandomBytes(300, 11);
  // Literals with the length in the tag and in 1, 2, 3, 4 bytes after it.
  for (int length_bytes = 0; length_bytes <= 4; ++length_bytes) {
    for (size_t n : {1, 2, 15, 16, 17, 60, 61, 64, 65, 200, 256, 300}) {
      if ((length_bytes == 0 && n > 60) || (length_bytes == 1 && n > 256)) continue;
      Bytes data(head.begin(), head.begin() + n);
      ExpectDecodes(BlockBuilder(n).Literal(data, length_bytes).block(), data,
                    "literal " + std::to_string(n) + " with " + std::to_string(length_bytes) +
                        " length bytes");
    }
  }
  Bytes literal(head.begin(), head.begin() + 40);
  {
    BlockBuilder b(40 + 4 + 11 + 7);
    Bytes expected = literal;
    b.Literal(literal, 0).Copy1(4, 40).Copy1(11, 1).Copy1(7, 3);
    AppendCopy(expected, 4, 40);
    AppendCopy(expected, 11, 1);
    AppendCopy(expected, 7, 3);
    ExpectDecodes(b.block(), expected, "copy-1");
  }
  {
    // A copy-1 offset with its three high bits set (offset >= 256).
    Bytes big(head.begin(), head.begin() + 300);
    BlockBuilder b(300 + 9);
    Bytes expected = big;
    b.Literal(big, 2).Copy1(9, 299);
    AppendCopy(expected, 9, 299);
    ExpectDecodes(b.block(), expected, "copy-1 long offset");
  }
  {
    BlockBuilder b(40 + 1 + 64 + 33);
    Bytes expected = literal;
    b.Literal(literal, 0).Copy2(1, 1).Copy2(64, 41).Copy2(33, 5);
    AppendCopy(expected, 1, 1);
    AppendCopy(expected, 64, 41);
    AppendCopy(expected, 33, 5);
    ExpectDecodes(b.block(), expected, "copy-2");
  }
  {
    BlockBuilder b(40 + 2 + 64 + 20);
    Bytes expected = literal;
    b.Literal(literal, 0).Copy4(2, 40).Copy4(64, 2).Copy4(20, 100);
    AppendCopy(expected, 2, 40);
    AppendCopy(expected, 64, 2);
    AppendCopy(expected, 20, 100);
    ExpectDecodes(b.block(), expected, "copy-4");
  }
}

TEST(SnappyTest, DecodesEveryShortCopyInFastAndSlowPaths) {
  // Every offset 1..80 and length 1..64, once followed by a long literal (the fast path's room)
  // and once at the very end of the block (the slow path).
  Bytes prefix = RandomBytes(100, 21);
  Bytes tail = RandomBytes(200, 22);
  for (uint32_t offset = 1; offset <= 80; ++offset) {
    for (uint32_t length = 1; length <= 64; ++length) {
      for (bool at_end : {false, true}) {
        Bytes expected = prefix;
        AppendCopy(expected, length, offset);
        if (!at_end) expected.insert(expected.end(), tail.begin(), tail.end());
        BlockBuilder b(expected.size());
        b.Literal(prefix, 1).Copy2(length, offset);
        if (!at_end) b.Literal(tail, 1);
        auto out = Decompress(b.block());
        ASSERT_TRUE(out.ok()) << out.status().ToString();
        ASSERT_TRUE(*out == expected)
            << "offset " << offset << " length " << length << " at_end " << at_end;
      }
    }
  }
}

TEST(SnappyTest, DecodesLiteralsOfEveryLength) {
  // Literal lengths 1..70 (in the tag up to 60, then in one length byte), after 0..100 bytes of
  // output (a literal in the first 64 bytes of the output takes the checked path), and followed by
  // plenty of room, a little, or nothing.
  Bytes bytes = RandomBytes(400, 31);
  for (size_t before : {0, 1, 10, 63, 64, 65, 100}) {
    for (size_t length = 1; length <= 70; ++length) {
      for (size_t after : {0, 1, 30, 200}) {
        Bytes expected(bytes.begin(), bytes.begin() + before);
        BlockBuilder b(before + length + after + 8);
        if (before > 0) b.Literal(expected, 1);
        Bytes literal(bytes.begin() + 100, bytes.begin() + 100 + length);
        b.Literal(literal, length <= 60 ? 0 : 1);
        expected.insert(expected.end(), literal.begin(), literal.end());
        b.Copy1(8, 1);
        AppendCopy(expected, 8, 1);
        if (after > 0) {
          Bytes tail(bytes.begin() + 200, bytes.begin() + 200 + after);
          b.Literal(tail, 1);
          expected.insert(expected.end(), tail.begin(), tail.end());
        }
        auto out = Decompress(b.block());
        ASSERT_TRUE(out.ok()) << out.status().ToString();
        ASSERT_TRUE(*out == expected)
            << "before " << before << " length " << length << " after " << after;
      }
    }
  }
}

TEST(SnappyTest, DecodesEveryElementKindAtEveryDistanceFromTheEnds) {
  // Each kind of element, after 0..2 copies of 64 bytes and followed by 0..90 bytes of literal,
  // then 0, 10 or 50 copies of 1 byte (3 input bytes each) and 0..2 copies of 64 bytes, so it
  // lies at every distance from the input's end and, independently, from the output's end, on
  // either side of each loop's room.
  // (A copy of 64 bytes at offset 9 writes the furthest past its end.)
  struct Kind {
    const char* name;
    std::function<void(BlockBuilder&, Bytes&)> add;
  };
  const Bytes literal_bytes = RandomBytes(400, 32);
  auto literal = [&](size_t length, int length_bytes) {
    return [&, length, length_bytes](BlockBuilder& b, Bytes& expected) {
      Bytes data(literal_bytes.begin(), literal_bytes.begin() + length);
      b.Literal(data, length_bytes);
      expected.insert(expected.end(), data.begin(), data.end());
    };
  };
  auto copy = [](int offset_bytes, uint32_t length, uint32_t offset) {
    return [=](BlockBuilder& b, Bytes& expected) {
      if (offset_bytes == 1) b.Copy1(length, offset);
      if (offset_bytes == 2) b.Copy2(length, offset);
      if (offset_bytes == 4) b.Copy4(length, offset);
      AppendCopy(expected, length, offset);
    };
  };
  const std::vector<Kind> kinds = {
      {"literal 5", literal(5, 0)},
      {"literal 16", literal(16, 0)},
      {"literal 17", literal(17, 0)},
      {"literal 60", literal(60, 0)},
      {"literal 61", literal(61, 1)},
      {"literal 300", literal(300, 2)},
      {"literal 20 in 3 bytes", literal(20, 3)},
      {"literal 20 in 4 bytes", literal(20, 4)},
      {"copy-1 9 at 20", copy(1, 9, 20)},
      {"copy-1 11 at 3", copy(1, 11, 3)},
      {"copy-1 4 at 1000", copy(1, 4, 1000)},
      {"copy-2 40 at 3", copy(2, 40, 3)},
      {"copy-2 64 at 70", copy(2, 64, 70)},
      {"copy-2 33 at 17", copy(2, 33, 17)},
      {"copy-2 1 at 1", copy(2, 1, 1)},
      {"copy-4 20 at 50", copy(4, 20, 50)},
      {"copy-4 64 at 9", copy(4, 64, 9)},
      {"copy-2 64 at 9", copy(2, 64, 9)},
  };
  const Bytes prefix = RandomBytes(1100, 33);
  const Bytes tail_bytes = RandomBytes(100, 34);
  for (const Kind& kind : kinds) {
    for (size_t tail = 0; tail <= 90; ++tail) {
      for (int copies = 0; copies < 27; ++copies) {
        const int short_copies = copies / 3 % 3 == 0 ? 0 : copies / 3 % 3 == 1 ? 10 : 50;
        Bytes expected = prefix;
        BlockBuilder elements(0);
        // 0..2 copies of 64 bytes first, which shift where the loops' checks fall.
        for (int c = 0; c < copies / 9; ++c) {
          elements.Copy2(64, 64);
          AppendCopy(expected, 64, 64);
        }
        kind.add(elements, expected);
        if (tail > 0) {
          Bytes data(tail_bytes.begin(), tail_bytes.begin() + tail);
          elements.Literal(data, 0 + (tail > 60));
          expected.insert(expected.end(), data.begin(), data.end());
        }
        for (int c = 0; c < short_copies; ++c) {
          elements.Copy2(1, 1);
          AppendCopy(expected, 1, 1);
        }
        for (int c = 0; c < copies % 3; ++c) {
          elements.Copy2(64, 64);
          AppendCopy(expected, 64, 64);
        }
        BlockBuilder b(expected.size());
        b.Literal(prefix, 2);
        Bytes block = b.block();
        // elements' own preamble is the single byte 0.
        block.insert(block.end(), elements.block().begin() + 1, elements.block().end());
        auto out = Decompress(block);
        ASSERT_TRUE(out.ok()) << out.status().ToString();
        ASSERT_TRUE(*out == expected) << kind.name << " tail " << tail << " copies " << copies;
        // Followed by bad elements (copies with 4-byte offsets past the start), the same block is
        // corrupt, and the elements before them are decoded with the input's room of a long
        // block but as near the output's end as before.
        Bytes padded = block;
        padded.resize(block.size() + 150, 0xff);
        ExpectCorrupt(padded, static_cast<int64_t>(expected.size()),
                      std::string(kind.name) + " padded, tail " + std::to_string(tail));
        // Cut short by one byte, it is corrupt too.
        block.pop_back();
        ExpectCorrupt(block, static_cast<int64_t>(expected.size()),
                      std::string(kind.name) + " cut, tail " + std::to_string(tail));
      }
    }
  }
}

// A random valid block of every kind of element (literals with the length in the tag or in 1..4
// bytes after it, copies with 1-, 2- and 4-byte offsets, many of them overlapping runs with
// offsets 1..64), and the bytes it decodes to by the definition of each element.
std::pair<Bytes, Bytes> RandomElements(std::mt19937_64& rng, size_t count) {
  std::vector<std::function<void(BlockBuilder&)>> elements;
  Bytes expected;
  const Bytes pool = RandomBytes(1000, rng());
  auto uniform = [&](size_t lo, size_t hi) { return lo + rng() % (hi - lo + 1); };
  for (size_t i = 0; i < count; ++i) {
    const size_t choice = expected.empty() ? 0 : rng() % 10;
    if (choice <= 3) {
      const size_t length = choice == 0   ? uniform(1, 4)
                            : choice == 1 ? uniform(1, 64)
                            : choice == 2 ? uniform(55, 70)
                                          : uniform(1, 600);
      int length_bytes = length <= 60 ? 0 : length <= 256 ? 1 : 2;
      if (rng() % 8 == 0) length_bytes = static_cast<int>(uniform(length_bytes, 4));
      if (length_bytes == 0 && length > 60) length_bytes = 1;
      const size_t start = rng() % (pool.size() - length);
      Bytes data(pool.begin() + start, pool.begin() + start + length);
      expected.insert(expected.end(), data.begin(), data.end());
      elements.push_back([data, length_bytes](BlockBuilder& b) { b.Literal(data, length_bytes); });
      continue;
    }
    const size_t written = expected.size();
    // Mostly short offsets: runs, and the recent bytes that int64 pages copy.
    const size_t offset = rng() % 2 ? uniform(1, std::min<size_t>(written, 64))
                                    : uniform(1, std::min<size_t>(written, 70000));
    if (choice <= 6 && offset < 2048) {
      const auto length = static_cast<uint32_t>(uniform(4, 11));
      elements.push_back([=](BlockBuilder& b) { b.Copy1(length, static_cast<uint32_t>(offset)); });
      AppendCopy(expected, length, offset);
    } else if (choice <= 8 && offset < 65536) {
      const auto length = static_cast<uint32_t>(uniform(1, 64));
      elements.push_back([=](BlockBuilder& b) { b.Copy2(length, static_cast<uint32_t>(offset)); });
      AppendCopy(expected, length, offset);
    } else {
      const auto length = static_cast<uint32_t>(uniform(1, 64));
      elements.push_back([=](BlockBuilder& b) { b.Copy4(length, static_cast<uint32_t>(offset)); });
      AppendCopy(expected, length, offset);
    }
  }
  BlockBuilder b(expected.size());
  for (const auto& add : elements) add(b);
  return {b.block(), expected};
}

TEST(SnappyTest, DecodesRandomElementStreams) {
  std::mt19937_64 rng(41);
  for (int i = 0; i < 400; ++i) {
    const size_t count = i < 200 ? static_cast<size_t>(1 + i) : static_cast<size_t>(rng() % 5000);
    const auto [block, expected] = RandomElements(rng, count);
    ExpectDecodes(block, expected, "random elements, block " + std::to_string(i));
    if (HasFatalFailure()) return;
  }
}

TEST(SnappyTest, UncompressedLength) {
  EXPECT_EQ(*SnappyUncompressedLength(Bytes{0}.data(), 1), 0);
  EXPECT_EQ(*SnappyUncompressedLength(Bytes{0x7f}.data(), 1), 127);
  EXPECT_EQ(*SnappyUncompressedLength(Bytes{0x80, 0x01}.data(), 2), 128);
  EXPECT_EQ(*SnappyUncompressedLength(Bytes{0xff, 0xff, 0xff, 0xff, 0x0f}.data(), 5), 0xffffffffLL);
  EXPECT_FALSE(SnappyUncompressedLength(nullptr, 0).ok());
  EXPECT_FALSE(SnappyUncompressedLength(Bytes{0x80}.data(), 1).ok());
  EXPECT_FALSE(SnappyUncompressedLength(Bytes{0xff, 0xff, 0xff, 0xff, 0x10}.data(), 5).ok());
  EXPECT_FALSE(SnappyUncompressedLength(Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0x01}.data(), 6).ok());
  EXPECT_FALSE(SnappyUncompressedLength(Bytes{0x01}.data(), -1).ok());
}

TEST(SnappyTest, RejectsTruncatedBlocks) {
  Bytes data = TextLike(3000, 5);
  Bytes periodic = Periodic(500, 3, 6);
  data.insert(data.end(), periodic.begin(), periodic.end());
  Bytes block = Compress(data);
  for (size_t n = 0; n < block.size(); ++n) {
    Bytes cut(block.begin(), block.begin() + n);
    ExpectCorrupt(cut, static_cast<int64_t>(data.size()), "truncated to " + std::to_string(n));
  }
  // A block whose last literal's length bytes are cut off.
  ExpectCorrupt(Bytes{10, 61 << 2}, 10, "cut literal length");
  ExpectCorrupt(Bytes{10, 63 << 2, 9, 0}, 10, "cut 4-byte literal length");
  ExpectCorrupt(Bytes{10, 0, 'a', 2, 1}, 10, "cut copy-2 offset");
  ExpectCorrupt(Bytes{10, 0, 'a', 3, 1, 0, 0}, 10, "cut copy-4 offset");
  ExpectCorrupt(Bytes{10, 0, 'a', 1}, 10, "cut copy-1 offset");
}

TEST(SnappyTest, RejectsBadLengthsAndOffsets) {
  Bytes data = TextLike(5000, 8);
  Bytes block = Compress(data);
  const auto n = static_cast<int64_t>(data.size());
  ExpectCorrupt(block, n - 1, "output one byte short");
  ExpectCorrupt(block, n + 1, "output one byte long");
  ExpectCorrupt(block, 0, "empty output");
  ExpectCorrupt(block, -1, "negative output");
  ExpectCorrupt(Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 0,
                "huge varint");
  ExpectCorrupt(Bytes{0xff, 0xff, 0xff, 0xff, 0x7f}, 0, "varint over 32 bits");

  Bytes lit = RandomBytes(100, 9);
  ExpectCorrupt(BlockBuilder(104).Literal(lit, 1).Copy2(4, 0).block(), 104, "copy offset 0");
  ExpectCorrupt(BlockBuilder(104).Literal(lit, 1).Copy2(4, 101).block(), 104,
                "copy before the start");
  ExpectCorrupt(BlockBuilder(104).Literal(lit, 1).Copy4(4, 0xffffffff).block(), 104,
                "copy-4 far before");
  ExpectCorrupt(BlockBuilder(104).Literal(lit, 1).Copy1(4, 0).block(), 104, "copy-1 offset 0");
  ExpectCorrupt(BlockBuilder(4).Copy2(4, 1).block(), 4, "copy first");
  // Fast-path versions: plenty of room after the bad copy.
  Bytes tail = RandomBytes(300, 10);
  ExpectCorrupt(BlockBuilder(404).Literal(lit, 1).Copy2(4, 0).Literal(tail, 2).block(), 404,
                "fast offset 0");
  ExpectCorrupt(BlockBuilder(404).Literal(lit, 1).Copy2(4, 101).Literal(tail, 2).block(), 404,
                "fast before start");
  // Lengths past the ends.
  ExpectCorrupt(BlockBuilder(50).Literal(lit, 1).block(), 50, "literal longer than the output");
  ExpectCorrupt(BlockBuilder(500).Literal(lit, 1).Literal(tail, 2).Literal(tail, 2).block(), 500,
                "second long literal past the output");
  Bytes long_literal = BlockBuilder(1000).Literal(RandomBytes(1000, 12), 2).block();
  long_literal.resize(long_literal.size() - 500);
  ExpectCorrupt(long_literal, 1000, "literal past the input");
  ExpectCorrupt(BlockBuilder(0xffffffff).Literal(lit, 4).block(), 100,
                "4-byte length, wrong output");
  ExpectCorrupt(BlockBuilder(100).Literal(lit, 1).Copy2(64, 100).block(), 100,
                "copy past the output");
  ExpectCorrupt(BlockBuilder(150).Literal(lit, 1).Copy2(40, 100).block(), 150, "too few bytes");
  Bytes trailing = BlockBuilder(100).Literal(lit, 1).block();
  trailing.push_back(0);  // a literal tag with no room left in the output
  ExpectCorrupt(trailing, 100, "trailing element");
  Bytes huge_literal{200, 1, 63 << 2, 0xff, 0xff, 0xff, 0xff};
  huge_literal.resize(300, 7);
  ExpectCorrupt(huge_literal, 200, "literal of 4 GiB");
}

TEST(SnappyTest, RandomCorruptionNeverCrashesAndAgreesWithArrow) {
  std::vector<Bytes> inputs = {TextLike(20000, 1), SmallDeltaInt64(3000, 2), Periodic(10000, 7, 3),
                               RandomBytes(3000, 4)};
  int ok_count = 0;
  for (size_t which = 0; which < inputs.size(); ++which) {
    const Bytes& data = inputs[which];
    const Bytes block = Compress(data);
    std::mt19937_64 rng(which);
    for (int seed = 0; seed < 2000; ++seed) {
      Bytes bad = block;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f)
        bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      auto length = SnappyUncompressedLength(bad.data(), static_cast<int64_t>(bad.size()));
      if (!length.ok()) {
        ExpectCorrupt(bad, 0, "bad preamble");
        continue;
      }
      if (*length > (64 << 20)) continue;  // a flipped preamble; not worth allocating for
      // Decodes into an exact-size heap buffer, so ASan sees any overrun.
      auto ours = Decompress(bad);
      Bytes theirs(*length);
      auto arrow_n = ArrowSnappy().Decompress(static_cast<int64_t>(bad.size()), bad.data(),
                                              static_cast<int64_t>(theirs.size()), theirs.data());
      const bool arrow_ok = arrow_n.ok() && *arrow_n == *length;
      ASSERT_EQ(ours.ok(), arrow_ok) << "input " << which << " seed " << seed << ": "
                                     << (ours.ok() ? std::string("ok") : ours.status().ToString());
      if (ours.ok()) {
        ++ok_count;
        EXPECT_TRUE(*ours == theirs) << "input " << which << " seed " << seed;
      }
    }
  }
  // Most flips corrupt the block; some only change a literal byte.
  EXPECT_GT(ok_count, 0);
}

// Throughput against Arrow's snappy codec; run with --gtest_also_run_disabled_tests
// --gtest_filter='*Throughput*'. Prints MB/s of decompressed output; asserts nothing about speed.
TEST(SnappyTest, DISABLED_Throughput) {
  struct Case {
    const char* name;
    Bytes data;
  };
  const size_t n = 4 << 20;
  std::vector<Case> cases;
  cases.push_back({"random", RandomBytes(n, 1)});
  cases.push_back({"int64 small deltas", SmallDeltaInt64(n / 8, 2)});
  cases.push_back({"text", TextLike(n, 3)});
  cases.push_back({"zero runs", Bytes(n, 0)});
  {
    Bytes runs = RandomBytes(n, 4);
    for (size_t i = 0; i + 600 <= n; i += 1000) std::fill_n(runs.begin() + i, 600, 0);
    cases.push_back({"zero runs + random", std::move(runs)});
  }
  cases.push_back({"period 3", Periodic(n, 3, 5)});
  cases.push_back({"period 12", Periodic(n, 12, 6)});
  std::printf("%-22s %10s %8s %12s %12s %7s\n", "data", "bytes", "ratio", "arrow MB/s",
              "basin MB/s", "speedup");
  for (const auto& c : cases) {
    const Bytes block = Compress(c.data);
    Bytes out(c.data.size());
    auto time = [&](auto&& decode) {
      double best = 1e30;
      for (int rep = 0; rep < 7; ++rep) {
        const int iterations = std::max<int>(1, static_cast<int>((64 << 20) / c.data.size()));
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < iterations; ++i) decode();
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        best = std::min(best, elapsed.count() / iterations);
      }
      return static_cast<double>(c.data.size()) / best / 1e6;
    };
    const double arrow_mbps = time([&] {
      auto r = ArrowSnappy().Decompress(static_cast<int64_t>(block.size()), block.data(),
                                        static_cast<int64_t>(out.size()), out.data());
      ASSERT_TRUE(r.ok());
    });
    const double basin_mbps = time([&] {
      ASSERT_TRUE(SnappyDecompress(block.data(), static_cast<int64_t>(block.size()), out.data(),
                                   static_cast<int64_t>(out.size()))
                      .ok());
    });
    EXPECT_TRUE(out == c.data);
    std::printf("%-22s %10zu %8.3f %12.0f %12.0f %6.2fx\n", c.name, c.data.size(),
                static_cast<double>(block.size()) / static_cast<double>(c.data.size()), arrow_mbps,
                basin_mbps, basin_mbps / arrow_mbps);
  }
}

// The snappy-compressed pages (dictionary and data) of one column across files, as the page
// reader hands them to SnappyDecompress.
struct ColumnPages {
  std::vector<Bytes> pages;  // each a raw snappy block
  std::vector<int64_t> uncompressed;
  int64_t compressed_bytes = 0;
  int64_t uncompressed_bytes = 0;
  int64_t elements = 0;  // snappy elements (literals and copies), for ns per element
  int64_t literals = 0;
};

// Counts the elements of a valid snappy block (the test's own walk of the tags).
void CountElements(const Bytes& block, ColumnPages& column) {
  size_t i = 0;
  while (block[i] & 0x80) ++i;
  ++i;
  while (i < block.size()) {
    const uint8_t tag = block[i++];
    ++column.elements;
    switch (tag & 3) {
      case 0: {
        size_t length = (tag >> 2) + 1;
        if (length > 60) {
          const size_t n = length - 60;
          length = 0;
          for (size_t k = 0; k < n; ++k) length |= size_t{block[i + k]} << (8 * k);
          length += 1;
          i += n;
        }
        i += length;
        ++column.literals;
        break;
      }
      case 1:
        i += 1;
        break;
      case 2:
        i += 2;
        break;
      default:
        i += 4;
        break;
    }
  }
}

// Throughput on the pages of real Parquet files; run with --gtest_also_run_disabled_tests
// --gtest_filter='*ThroughputOnParquetPages*' and BASIN_SNAPPY_BENCH_FILES set to a
// colon-separated list of SNAPPY Parquet files (BASIN_SNAPPY_BENCH_COLUMNS, comma-separated, picks
// columns; all by default). Prints MB/s of output and ns per element, the median of
// BASIN_SNAPPY_BENCH_RUNS runs (11 by default), and the best run's MB/s (the least disturbed by
// other work on the machine).
TEST(SnappyTest, DISABLED_ThroughputOnParquetPages) {
  const char* files_env = std::getenv("BASIN_SNAPPY_BENCH_FILES");
  if (files_env == nullptr) GTEST_SKIP() << "BASIN_SNAPPY_BENCH_FILES is not set";
  std::vector<std::string> wanted;
  if (const char* columns_env = std::getenv("BASIN_SNAPPY_BENCH_COLUMNS")) {
    std::stringstream list(columns_env);
    for (std::string name; std::getline(list, name, ',');) wanted.push_back(name);
  }
  std::vector<std::string> names;  // in order of first appearance
  std::map<std::string, ColumnPages> columns;
  std::stringstream files(files_env);
  for (std::string path; std::getline(files, path, ':');) {
    auto file = arrow::io::ReadableFile::Open(path).ValueOrDie();
    auto reader = parquet::ParquetFileReader::Open(file);
    const auto metadata = reader->metadata();
    for (int rg = 0; rg < metadata->num_row_groups(); ++rg) {
      const auto row_group = metadata->RowGroup(rg);
      for (int c = 0; c < row_group->num_columns(); ++c) {
        const auto chunk = row_group->ColumnChunk(c);
        const std::string name = chunk->path_in_schema()->ToDotString();
        if (chunk->compression() != arrow::Compression::SNAPPY) continue;
        if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), name) == wanted.end())
          continue;
        const int64_t start = chunk->has_dictionary_page() ? chunk->dictionary_page_offset()
                                                           : chunk->data_page_offset();
        auto buffer = file->ReadAt(start, chunk->total_compressed_size()).ValueOrDie();
        if (!columns.count(name)) names.push_back(name);
        ColumnPages& column = columns[name];
        int64_t pos = 0;
        while (pos < buffer->size()) {
          int64_t header_length = 0;
          auto header =
              ParseParquetPageHeader(buffer->data() + pos, buffer->size() - pos, &header_length);
          ASSERT_TRUE(header.ok()) << header.status().ToString();
          const uint8_t* page = buffer->data() + pos + header_length;
          pos += header_length + header->compressed_page_size;
          // v2 data pages keep their levels uncompressed, ahead of the compressed values.
          const int64_t levels = header->type == 3 ? header->definition_levels_byte_length +
                                                         header->repetition_levels_byte_length
                                                   : 0;
          if (header->type == 3 && !header->is_compressed) continue;
          Bytes block(page + levels, page + header->compressed_page_size);
          column.compressed_bytes += static_cast<int64_t>(block.size());
          column.uncompressed_bytes += header->uncompressed_page_size - levels;
          column.uncompressed.push_back(header->uncompressed_page_size - levels);
          CountElements(block, column);
          column.pages.push_back(std::move(block));
        }
      }
    }
  }
  int runs = 11;
  if (const char* runs_env = std::getenv("BASIN_SNAPPY_BENCH_RUNS")) runs = std::atoi(runs_env);
  std::printf("%-18s %6s %9s %7s %9s %10s %10s %8s %10s %10s\n", "column", "pages", "out MB",
              "ratio", "elements", "literal %", "arrow MB/s", "MB/s", "ns/elem", "best MB/s");
  for (const std::string& name : names) {
    const ColumnPages& column = columns[name];
    const int64_t largest =
        *std::max_element(column.uncompressed.begin(), column.uncompressed.end());
    // One reused page buffer, as the page reader has.
    Bytes out(largest);
    auto time_runs = [&](auto&& decode) {
      std::vector<double> times;
      // Enough passes over the column for about 256 MB of output per run.
      const int passes =
          std::max<int>(1, static_cast<int>((256 << 20) / column.uncompressed_bytes));
      for (int run = 0; run < runs; ++run) {
        const auto start = std::chrono::steady_clock::now();
        for (int pass = 0; pass < passes; ++pass) {
          for (size_t p = 0; p < column.pages.size(); ++p)
            decode(column.pages[p], column.uncompressed[p]);
        }
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        times.push_back(elapsed.count() / passes);
      }
      std::sort(times.begin(), times.end());
      return std::pair(times[times.size() / 2], times[0]);
    };
    // BASIN_SNAPPY_BENCH_ARROW=0 skips Arrow's decoder, for quicker comparisons of ours.
    const char* arrow_env = std::getenv("BASIN_SNAPPY_BENCH_ARROW");
    const double arrow_seconds =
        arrow_env != nullptr && std::string(arrow_env) == "0"
            ? 0
            : time_runs([&](const Bytes& block, int64_t length) {
                auto r = ArrowSnappy().Decompress(static_cast<int64_t>(block.size()), block.data(),
                                                  length, out.data());
                ASSERT_TRUE(r.ok());
              }).first;
    const auto [basin_seconds, basin_best] = time_runs([&](const Bytes& block, int64_t length) {
      Status st =
          SnappyDecompress(block.data(), static_cast<int64_t>(block.size()), out.data(), length);
      ASSERT_TRUE(st.ok()) << st.ToString();
    });
    const auto bytes = static_cast<double>(column.uncompressed_bytes);
    std::printf("%-18s %6zu %9.1f %7.3f %9lld %10.1f %10.0f %8.0f %10.2f %10.0f\n", name.c_str(),
                column.pages.size(), bytes / 1e6,
                static_cast<double>(column.compressed_bytes) / bytes,
                static_cast<long long>(column.elements),
                100.0 * static_cast<double>(column.literals) /
                    static_cast<double>(std::max<int64_t>(column.elements, 1)),
                arrow_seconds > 0 ? bytes / arrow_seconds / 1e6 : 0.0, bytes / basin_seconds / 1e6,
                basin_seconds * 1e9 / static_cast<double>(std::max<int64_t>(column.elements, 1)),
                bytes / basin_best / 1e6);
  }
}

}  // namespace
}  // namespace basin::format
