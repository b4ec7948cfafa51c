#include "basin/format/snappy.h"

#include <bit>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

// The block format (google/snappy, format_description.txt): the uncompressed length as a
// little-endian base-128 varint of at most 32 bits, then elements, each starting with a tag byte
// whose two low bits give its kind:
//   00 literal: the upper six bits are length - 1 when below 60; 60..63 mean that 1..4 bytes of
//      little-endian length - 1 follow; then the literal's bytes.
//   01 copy, 1-byte offset: length 4 + bits 2..4; offset bits 5..7 (high) and the next byte (low).
//   10 copy, 2-byte offset: length 1 + bits 2..7; a little-endian 16-bit offset follows.
//   11 copy, 4-byte offset: length 1 + bits 2..7; a little-endian 32-bit offset follows.
// A copy repeats the `length` bytes that start `offset` bytes back in the output; offset may be
// less than length (a run), never 0, never past the start of the output.

namespace basin::format {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the word loads and pattern shifts below assume a little-endian machine");

// The fast path needs, after the tag byte, up to 4 bytes of length or offset and a 16-byte
// literal copy: more than this many bytes left in the input.
constexpr ptrdiff_t kInputSlack = 21;
// The fast path writes at most 64 bytes of a copy plus up to 15 bytes past its end with 16-byte
// stores: more than this many bytes left in the output.
constexpr ptrdiff_t kOutputSlack = 80;

Status Corrupt(std::string_view what) {
  return UserError("FAILED_READ_FILE", std::string("Corrupt snappy block: ") + std::string(what));
}

inline uint16_t Load16(const uint8_t* p) {
  uint16_t v;
  __builtin_memcpy(&v, p, sizeof(v));
  return v;
}

inline uint32_t Load32(const uint8_t* p) {
  uint32_t v;
  __builtin_memcpy(&v, p, sizeof(v));
  return v;
}

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  __builtin_memcpy(&v, p, sizeof(v));
  return v;
}

inline void Store64(uint8_t* p, uint64_t v) { __builtin_memcpy(p, &v, sizeof(v)); }

// Copies 16 bytes through a register (one unaligned SSE2 load and store).
inline void Copy16(uint8_t* dst, const uint8_t* src) {
  uint8_t block[16];
  __builtin_memcpy(block, src, 16);
  __builtin_memcpy(dst, block, 16);
}

// Reads a little-endian value of `n` (1..4) bytes; loads 4 bytes, so p + 4 must be in bounds.
inline uint32_t LoadLengthWide(const uint8_t* p, uint32_t n) {
  return Load32(p) & (0xffffffffu >> (32 - 8 * n));
}

// Reads a little-endian value of `n` (1..4) bytes, touching only those bytes.
inline uint32_t LoadLengthNarrow(const uint8_t* p, uint32_t n) {
  uint32_t v = 0;
  for (uint32_t i = 0; i < n; ++i) v |= uint32_t{p[i]} << (8 * i);
  return v;
}

// Writes op[i] = op[i - offset] for i in [0, length), offset in [1, 16), length <= 64, possibly
// writing up to 15 bytes past op + length. The period is built in registers from the `offset`
// bytes before op and stored every `stride` bytes (a multiple of the period), so no load waits
// on a store just made, as byte-doubling copies would.
inline void CopyShortOffset(uint8_t* op, size_t offset, size_t length) {
  const uint8_t* src = op - offset;
  uint8_t* const end = op + length;
  if (offset < 8) {
    const uint32_t bits = 8 * static_cast<uint32_t>(offset);
    // Bytes past op (not yet written) are masked off; the load stays inside the output.
    uint64_t pattern = Load64(src) & ((uint64_t{1} << bits) - 1);
    pattern |= pattern << bits;
    if (2 * offset < 8) pattern |= pattern << (2 * bits);
    if (4 * offset < 8) pattern |= pattern << (4 * bits);
    // The largest multiple of the period that fits 8 bytes (8 - 8 % offset), without a division.
    static constexpr uint8_t kStride[8] = {0, 8, 8, 6, 8, 5, 6, 7};
    const size_t stride = kStride[offset];
    if (stride == 8) {  // offsets 1, 2, 4: 16 bytes of period per store
      do {
        Store64(op, pattern);
        Store64(op + 8, pattern);
        op += 16;
      } while (op < end);
    } else {
      do {
        Store64(op, pattern);
        op += stride;
      } while (op < end);
    }
    return;
  }
  // offset in [8, 16): 16 bytes of period, the first `offset` from before op, then the period
  // again.
  const uint64_t low = Load64(src);
  const uint32_t tail_bits = 8 * static_cast<uint32_t>(offset - 8);
  const uint64_t high = (Load64(src + 8) & ((uint64_t{1} << tail_bits) - 1)) | (low << tail_bits);
  const size_t stride = offset == 8 ? 16 : offset;
  do {
    Store64(op, low);
    Store64(op + 8, high);
    op += stride;
  } while (op < end);
}

struct Preamble {
  uint32_t length;
  int64_t bytes;
};

Result<Preamble> ReadPreamble(const uint8_t* input, int64_t input_length) {
  if (input_length < 0) return Corrupt("negative input length");
  uint64_t value = 0;
  for (int64_t i = 0; i < 5; ++i) {
    if (i >= input_length) return Corrupt("truncated uncompressed-length varint");
    const uint8_t byte = input[i];
    value |= uint64_t{byte & 0x7fu} << (7 * i);
    if ((byte & 0x80) == 0) {
      if (value > UINT32_MAX) return Corrupt("uncompressed length does not fit 32 bits");
      return Preamble{static_cast<uint32_t>(value), i + 1};
    }
  }
  return Corrupt("uncompressed-length varint longer than 5 bytes");
}

// DecodeRun decodes two elements per check of its limits. One element reads at most the 65 bytes
// from its tag on (a literal of up to 60 bytes is copied in 16-byte pieces) and moves at most 61
// on, so two need more than this many bytes left in the input from the first one's tag.
constexpr ptrdiff_t kRunInputSlack = 2 * 65;
// One element writes less than kOutputSlack bytes from op on and moves op at most 64 on.
constexpr ptrdiff_t kRunOutputSlack = kOutputSlack + 64;

// For each tag byte, what DecodeRun needs from the tag: the element's length in the low 8 bits
// and, for a copy, the part of its offset that the tag holds in the bits above (the three high
// bits of a copy-1 offset). A long literal (60..63 in the upper six bits) gets length 0, and a
// copy with a 4-byte offset gets an offset of 0 (kOffsetMask keeps none of its offset bytes):
// DecodeRun leaves both, the rare kinds, to the checked loop, as it does a bad offset of 0.
struct TagTable {
  uint32_t entry[256];
};

constexpr TagTable MakeTagTable() {
  TagTable table{};
  for (uint32_t tag = 0; tag < 256; ++tag) {
    uint32_t length = 0;
    uint32_t offset = 0;
    switch (tag & 3) {
      case 0:
        if ((tag >> 2) < 60) length = (tag >> 2) + 1;
        break;
      case 1:
        length = 4 + ((tag >> 2) & 7);
        offset = (tag >> 5) << 8;
        break;
      default:
        length = (tag >> 2) + 1;
        break;
    }
    table.entry[tag] = length | (offset << 8);
  }
  return table;
}

constexpr TagTable kTagTable = MakeTagTable();

// The bits of the 4 bytes after a copy's tag that belong to its offset, by the tag's kind.
constexpr uint32_t kOffsetMask[4] = {0, 0xff, 0xffff, 0};

// Decodes elements while ip < ip_limit and op < op_limit (limits that leave kRunInputSlack and
// kRunOutputSlack bytes), and stops early, with ip at its tag, before an element it leaves to the
// checked loop: a long literal, a copy with a 4-byte offset, or a copy whose offset is 0 or
// reaches before the start of the output.
//
// Pages of numbers are mostly elements of a few bytes each (a 1- or 2-byte literal, then a copy of
// the value's other bytes), so what bounds the speed is the chain from one tag to the next: the
// next tag's address comes from the tag alone (a shift or a mask and an add), apart from the table
// lookup and the copy, which the CPU overlaps with the following elements. Literals and copies
// take separate branches: on such pages they alternate in a pattern the branch predictor learns,
// and a predicted branch keeps a select of the next address (a conditional move) off the chain.
inline void DecodeRun(const uint8_t*& ip_ref, const uint8_t* const ip_limit, uint8_t*& op_ref,
                      uint8_t* const op_limit, uint8_t* const op_begin) {
  const uint8_t* ip = ip_ref;
  uint8_t* op = op_ref;
  uint32_t tag = *ip;
  // Decodes the element at ip; false, leaving ip at it, for one the checked loop must take.
  auto step = [&]() __attribute__((always_inline)) {
    const uint8_t* const element = ip;
    const uint32_t kind = tag & 3;
    const uint32_t entry = kTagTable.entry[tag];
    const size_t length = entry & 0xff;
    if (kind == 0) {
      if (length == 0) [[unlikely]] {
        return false;
      }
      ip = element + (tag >> 2) + 2;
      tag = *ip;
      Copy16(op, element + 1);
      if (length > 16) {
        Copy16(op + 16, element + 17);
        Copy16(op + 32, element + 33);
        Copy16(op + 48, element + 49);
      }
      op += length;
      return true;
    }
    const size_t offset = (entry >> 8) | (Load32(element + 1) & kOffsetMask[kind]);
    // offset 0 (and so a 4-byte-offset copy) wraps to the largest size_t.
    if (offset - 1 >= static_cast<size_t>(op - op_begin)) [[unlikely]] {
      return false;
    }
    ip = element + kind + 1;
    tag = *ip;
    const uint8_t* src = op - offset;
    if (offset == 8 && length - 4 <= 4) {
      // The usual copy of a PLAIN page of ascending int64 keys: each value is a 1-byte literal
      // and a copy of the 7 bytes above it from the value before. Those were stored moments ago,
      // and a load that spans two pending stores (a 16-byte load here would take in this value's
      // literal too) waits until they reach the cache, while a load inside one pending store is
      // forwarded from it. So this loads exactly `length` bytes, with two 4-byte loads that may
      // overlap, all from the previous value's copy, whose one 8-byte store they lie in.
      const uint64_t low = Load32(src);
      const uint64_t high = Load32(src + length - 4);
      Store64(op, low | (high << (8 * (length - 4))));
    } else if (offset < 16 && length > offset) {
      CopyShortOffset(op, offset, length);
    } else {
      // length <= offset: the copied bytes all precede op; or offset >= 16: each 16-byte load
      // reads only bytes written before the store that precedes it.
      Copy16(op, src);
      if (length > 16) {
        Copy16(op + 16, src + 16);
        Copy16(op + 32, src + 32);
        Copy16(op + 48, src + 48);
      }
    }
    op += length;
    return true;
  };
  while (step() && step() && ip < ip_limit && op < op_limit) {
  }
  ip_ref = ip;
  op_ref = op;
}

Status DecodeElements(const uint8_t* ip, const uint8_t* const ip_end, uint8_t* const op_begin,
                      uint8_t* const op_end) {
  uint8_t* op = op_begin;
  const uint8_t* const ip_fast_end = ip_end - ip > kInputSlack ? ip_end - kInputSlack : ip;
  uint8_t* const op_fast_end = op_end - op > kOutputSlack ? op_end - kOutputSlack : op;

  const uint8_t* const ip_run_end = ip_end - ip > kRunInputSlack ? ip_end - kRunInputSlack : ip;
  uint8_t* const op_run_end = op_end - op > kRunOutputSlack ? op_end - kRunOutputSlack : op;

  // Fast path: room for every wide load and store, so only the values themselves need checks.
  // DecodeRun takes most elements; this loop takes one each time DecodeRun stops at an element it
  // leaves here, and the elements near the ends where DecodeRun has no room.
  while (ip < ip_fast_end && op < op_fast_end) {
    if (ip < ip_run_end && op < op_run_end) {
      DecodeRun(ip, ip_run_end, op, op_run_end, op_begin);
      if (ip >= ip_fast_end || op >= op_fast_end) break;
    }
    const uint32_t tag = *ip++;
    const uint32_t kind = tag & 3;
    if (kind == 0) {
      size_t length = (tag >> 2) + 1;
      if (length <= 16) {
        Copy16(op, ip);
        ip += length;
        op += length;
        continue;
      }
      if (length > 60) {
        const uint32_t n = static_cast<uint32_t>(length) - 60;
        length = size_t{LoadLengthWide(ip, n)} + 1;
        ip += n;
      }
      if (length > static_cast<size_t>(ip_end - ip))
        return Corrupt("literal past the end of the input");
      if (length > static_cast<size_t>(op_end - op))
        return Corrupt("literal past the end of the output");
      if (length <= 64 && ip_end - ip >= 64) {
        for (size_t i = 0; i < length; i += 16) Copy16(op + i, ip + i);
      } else {
        std::memcpy(op, ip, length);
      }
      ip += length;
      op += length;
      continue;
    }
    size_t length;
    size_t offset;
    if (kind == 1) {
      length = 4 + ((tag >> 2) & 7);
      offset = ((tag >> 5) << 8) | ip[0];
      ip += 1;
    } else if (kind == 2) {
      length = (tag >> 2) + 1;
      offset = Load16(ip);
      ip += 2;
    } else {
      length = (tag >> 2) + 1;
      offset = Load32(ip);
      ip += 4;
    }
    // offset 0 wraps to the largest size_t and fails too.
    if (offset - 1 >= static_cast<size_t>(op - op_begin))
      return Corrupt("copy offset before the start of the output");
    // length <= 64 < kOutputSlack: the copy ends inside the output.
    const uint8_t* src = op - offset;
    if (length <= 16 && length <= offset) {
      // The copied bytes all precede op, so one 16-byte load holds them before the store.
      Copy16(op, src);
    } else if (offset >= 16) {
      // Each 16-byte load reads only bytes written before the store that precedes it.
      Copy16(op, src);
      Copy16(op + 16, src + 16);
      if (length > 32) {
        Copy16(op + 32, src + 32);
        Copy16(op + 48, src + 48);
      }
    } else {
      CopyShortOffset(op, offset, length);
    }
    op += length;
  }

  // Slow path near the ends: every length checked, no byte touched past either end.
  while (ip < ip_end) {
    const uint32_t tag = *ip++;
    const uint32_t kind = tag & 3;
    if (kind == 0) {
      size_t length = (tag >> 2) + 1;
      if (length > 60) {
        const uint32_t n = static_cast<uint32_t>(length) - 60;
        if (n > static_cast<size_t>(ip_end - ip)) return Corrupt("truncated literal length");
        length = size_t{LoadLengthNarrow(ip, n)} + 1;
        ip += n;
      }
      if (length > static_cast<size_t>(ip_end - ip))
        return Corrupt("literal past the end of the input");
      if (length > static_cast<size_t>(op_end - op))
        return Corrupt("literal past the end of the output");
      std::memcpy(op, ip, length);
      ip += length;
      op += length;
      continue;
    }
    size_t length;
    size_t offset;
    if (kind == 1) {
      if (ip_end - ip < 1) return Corrupt("truncated copy offset");
      length = 4 + ((tag >> 2) & 7);
      offset = ((tag >> 5) << 8) | ip[0];
      ip += 1;
    } else {
      const uint32_t n = kind == 2 ? 2 : 4;
      if (static_cast<size_t>(ip_end - ip) < n) return Corrupt("truncated copy offset");
      length = (tag >> 2) + 1;
      offset = LoadLengthNarrow(ip, n);
      ip += n;
    }
    if (offset - 1 >= static_cast<size_t>(op - op_begin))
      return Corrupt("copy offset before the start of the output");
    if (length > static_cast<size_t>(op_end - op))
      return Corrupt("copy past the end of the output");
    const uint8_t* src = op - offset;
    // Byte by byte: a copy may overlap its own output (offset < length).
    for (size_t i = 0; i < length; ++i) op[i] = src[i];
    op += length;
  }
  if (op != op_end)
    return Corrupt("block decompresses to fewer bytes than its uncompressed length");
  return Status::OK();
}

}  // namespace

Result<int64_t> SnappyUncompressedLength(const uint8_t* input, int64_t input_length) {
  ASSIGN_OR_RAISE(auto preamble, ReadPreamble(input, input_length));
  return static_cast<int64_t>(preamble.length);
}

Status SnappyDecompress(const uint8_t* input, int64_t input_length, uint8_t* output,
                        int64_t output_length) {
  ASSIGN_OR_RAISE(auto preamble, ReadPreamble(input, input_length));
  if (output_length != static_cast<int64_t>(preamble.length)) {
    return Corrupt("uncompressed length " + std::to_string(preamble.length) + " but an output of " +
                   std::to_string(output_length) + " bytes");
  }
  return DecodeElements(input + preamble.bytes, input + input_length, output,
                        output + output_length);
}

}  // namespace basin::format
