#include "basin/format/parquet_pages.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <string>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace basin::format {

namespace {

// ---------------------------------------------------------------------------------------------
// Page headers: Thrift's compact protocol (thrift-compact-protocol.md), only as much of it as a
// struct needs: field headers, the scalar and container encodings to skip unknown fields.

constexpr int kMaxNesting = 32;

// Field and element types (thrift-compact-protocol.md, "Struct encoding" and "List and Set").
constexpr uint8_t kTypeStop = 0;
constexpr uint8_t kTypeBoolTrue = 1;
constexpr uint8_t kTypeBoolFalse = 2;
constexpr uint8_t kTypeI8 = 3;
constexpr uint8_t kTypeI16 = 4;
constexpr uint8_t kTypeI32 = 5;
constexpr uint8_t kTypeI64 = 6;
constexpr uint8_t kTypeDouble = 7;
constexpr uint8_t kTypeBinary = 8;
constexpr uint8_t kTypeList = 9;
constexpr uint8_t kTypeSet = 10;
constexpr uint8_t kTypeMap = 11;
constexpr uint8_t kTypeStruct = 12;
constexpr uint8_t kTypeUuid = 13;

Status Malformed(std::string_view what) {
  return UserError("FAILED_READ_FILE", "Malformed Parquet page header: " + std::string(what) + ".");
}

class CompactReader {
 public:
  CompactReader(const uint8_t* data, int64_t size) : begin_(data), pos_(data), end_(data + size) {}

  int64_t consumed() const { return pos_ - begin_; }
  int64_t remaining() const { return end_ - pos_; }

  Result<uint8_t> ReadByte() {
    if (pos_ >= end_) return Malformed("it ends early");
    return *pos_++;
  }

  // Reads an unsigned LEB128 varint of at most `max_bytes` bytes.
  Result<uint64_t> ReadVarint(int max_bytes) {
    uint64_t value = 0;
    for (int i = 0; i < max_bytes; ++i) {
      if (pos_ >= end_) return Malformed("it ends early");
      const uint8_t byte = *pos_++;
      value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0) return value;
    }
    return Malformed("a varint is too long");
  }

  // Reads a zigzag varint that must fit in `bits` (16 or 32) signed bits.
  Result<int32_t> ReadZigzag(int bits) {
    ASSIGN_OR_RAISE(uint64_t raw, ReadVarint(bits == 16 ? 3 : 5));
    if (raw >> bits) return Malformed("an integer is out of range");
    return static_cast<int32_t>(raw >> 1) ^ -static_cast<int32_t>(raw & 1);
  }

  Status Advance(int64_t n) {
    if (n > remaining()) return Malformed("it ends early");
    pos_ += n;
    return Status::OK();
  }

  // Skips a value of `type`; `element` says it is a list, set or map element (where a bool
  // takes a byte instead of living in the field header).
  Status SkipValue(uint8_t type, bool element, int depth) {
    switch (type) {
      case kTypeBoolTrue:
      case kTypeBoolFalse:
        return element ? Advance(1) : Status::OK();
      case kTypeI8:
        return Advance(1);
      case kTypeI16:
        return ReadVarint(3).status();
      case kTypeI32:
        return ReadVarint(5).status();
      case kTypeI64:
        return ReadVarint(10).status();
      case kTypeDouble:
        return Advance(8);
      case kTypeUuid:
        return Advance(16);
      case kTypeBinary: {
        ASSIGN_OR_RAISE(uint64_t length, ReadVarint(5));
        if (length > static_cast<uint64_t>(remaining())) return Malformed("it ends early");
        return Advance(static_cast<int64_t>(length));
      }
      case kTypeList:
      case kTypeSet: {
        if (depth >= kMaxNesting) return Malformed("it nests deeper than 32 levels");
        ASSIGN_OR_RAISE(uint8_t header, ReadByte());
        const uint8_t element_type = header & 0x0f;
        uint64_t count = header >> 4;
        if (count == 15) {
          ASSIGN_OR_RAISE(count, ReadVarint(5));
        }
        if (!IsElementType(element_type)) return Malformed("a list has an unknown element type");
        // Every element takes at least a byte, so a count beyond the bytes left is malformed
        // (and the loop below is bounded by the input size).
        if (count > static_cast<uint64_t>(remaining())) return Malformed("it ends early");
        for (uint64_t i = 0; i < count; ++i) {
          RETURN_NOT_OK(SkipValue(element_type, /*element=*/true, depth + 1));
        }
        return Status::OK();
      }
      case kTypeMap: {
        if (depth >= kMaxNesting) return Malformed("it nests deeper than 32 levels");
        ASSIGN_OR_RAISE(uint64_t count, ReadVarint(5));
        if (count == 0) return Status::OK();
        ASSIGN_OR_RAISE(uint8_t types, ReadByte());
        const uint8_t key_type = types >> 4;
        const uint8_t value_type = types & 0x0f;
        if (!IsElementType(key_type) || !IsElementType(value_type)) {
          return Malformed("a map has an unknown element type");
        }
        if (count > static_cast<uint64_t>(remaining()) / 2) return Malformed("it ends early");
        for (uint64_t i = 0; i < count; ++i) {
          RETURN_NOT_OK(SkipValue(key_type, /*element=*/true, depth + 1));
          RETURN_NOT_OK(SkipValue(value_type, /*element=*/true, depth + 1));
        }
        return Status::OK();
      }
      case kTypeStruct:
        return ReadStruct(depth + 1, [](int16_t, uint8_t) -> Result<bool> { return false; });
      default:
        return Malformed("a field has unknown type " + std::to_string(type));
    }
  }

  // Reads a struct's fields up to its stop field, calling on_field(id, type) for each; a field
  // that on_field does not consume (returns false) is skipped.
  template <typename OnField>
  Status ReadStruct(int depth, OnField&& on_field) {
    if (depth > kMaxNesting) return Malformed("it nests deeper than 32 levels");
    int32_t last_id = 0;
    while (true) {
      ASSIGN_OR_RAISE(uint8_t header, ReadByte());
      if (header == kTypeStop) return Status::OK();
      const uint8_t type = header & 0x0f;
      const int delta = header >> 4;
      int32_t id;
      if (delta != 0) {
        id = last_id + delta;
        if (id > INT16_MAX) return Malformed("a field id is out of range");
      } else {
        ASSIGN_OR_RAISE(id, ReadZigzag(16));
      }
      last_id = id;
      if (type == kTypeStop) return Malformed("a field has type stop");
      ASSIGN_OR_RAISE(bool consumed, on_field(static_cast<int16_t>(id), type));
      if (!consumed) RETURN_NOT_OK(SkipValue(type, /*element=*/false, depth));
    }
  }

 private:
  static bool IsElementType(uint8_t type) { return type >= kTypeBoolTrue && type <= kTypeUuid; }

  const uint8_t* begin_;
  const uint8_t* pos_;
  const uint8_t* end_;
};

// The fields of DataPageHeader, DataPageHeaderV2 and DictionaryPageHeader (parquet.thrift).
struct PageTypeHeader {
  bool present = false;
  int32_t num_values = 0;
  int32_t encoding = 0;
  int32_t definition_level_encoding = 3;
  int32_t repetition_level_encoding = 3;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;
};

enum class PageTypeHeaderKind { kDataV1, kDictionary, kDataV2 };

// Reads an i32 (or enum) field into *out and sets `bit` in *seen; false for another type (then
// the field is skipped, as Thrift's generated readers do).
Result<bool> ReadI32Field(CompactReader& reader, uint8_t type, int32_t* out, uint32_t* seen,
                          uint32_t bit) {
  if (type != kTypeI32) return false;
  ASSIGN_OR_RAISE(*out, reader.ReadZigzag(32));
  *seen |= bit;
  return true;
}

Status ReadPageTypeHeader(CompactReader& reader, PageTypeHeaderKind kind, int depth,
                          PageTypeHeader* out) {
  uint32_t seen = 0;
  RETURN_NOT_OK(reader.ReadStruct(depth, [&](int16_t id, uint8_t type) -> Result<bool> {
    switch (kind) {
      case PageTypeHeaderKind::kDataV1:
        switch (id) {
          case 1:
            return ReadI32Field(reader, type, &out->num_values, &seen, 1u << 1);
          case 2:
            return ReadI32Field(reader, type, &out->encoding, &seen, 1u << 2);
          case 3:
            return ReadI32Field(reader, type, &out->definition_level_encoding, &seen, 1u << 3);
          case 4:
            return ReadI32Field(reader, type, &out->repetition_level_encoding, &seen, 1u << 4);
          default:
            return false;  // 5: statistics
        }
      case PageTypeHeaderKind::kDictionary:
        switch (id) {
          case 1:
            return ReadI32Field(reader, type, &out->num_values, &seen, 1u << 1);
          case 2:
            return ReadI32Field(reader, type, &out->encoding, &seen, 1u << 2);
          default:
            return false;  // 3: is_sorted
        }
      case PageTypeHeaderKind::kDataV2:
        switch (id) {
          case 1:
            return ReadI32Field(reader, type, &out->num_values, &seen, 1u << 1);
          case 2:
            return ReadI32Field(reader, type, &out->num_nulls, &seen, 1u << 2);
          case 3:
            return ReadI32Field(reader, type, &out->num_rows, &seen, 1u << 3);
          case 4:
            return ReadI32Field(reader, type, &out->encoding, &seen, 1u << 4);
          case 5:
            return ReadI32Field(reader, type, &out->definition_levels_byte_length, &seen, 1u << 5);
          case 6:
            return ReadI32Field(reader, type, &out->repetition_levels_byte_length, &seen, 1u << 6);
          case 7:
            if (type != kTypeBoolTrue && type != kTypeBoolFalse) return false;
            out->is_compressed = type == kTypeBoolTrue;
            return true;
          default:
            return false;  // 8: statistics
        }
    }
    return false;
  }));
  uint32_t required = 0;
  const char* name = "";
  switch (kind) {
    case PageTypeHeaderKind::kDataV1:
      required = 0b11110;
      name = "DataPageHeader";
      break;
    case PageTypeHeaderKind::kDictionary:
      required = 0b110;
      name = "DictionaryPageHeader";
      break;
    case PageTypeHeaderKind::kDataV2:
      required = 0b1111110;
      name = "DataPageHeaderV2";
      break;
  }
  if ((seen & required) != required) {
    return Malformed(std::string(name) + " misses a required field");
  }
  out->present = true;
  return Status::OK();
}

}  // namespace

Result<ParquetPageHeader> ParseParquetPageHeader(const uint8_t* data, int64_t size,
                                                 int64_t* header_length) {
  CompactReader reader(data, std::max<int64_t>(size, 0));
  ParquetPageHeader header;
  PageTypeHeader v1, dictionary, v2;
  uint32_t seen = 0;
  RETURN_NOT_OK(reader.ReadStruct(1, [&](int16_t id, uint8_t type) -> Result<bool> {
    switch (id) {
      case 1:
        return ReadI32Field(reader, type, &header.type, &seen, 1u << 1);
      case 2:
        return ReadI32Field(reader, type, &header.uncompressed_page_size, &seen, 1u << 2);
      case 3:
        return ReadI32Field(reader, type, &header.compressed_page_size, &seen, 1u << 3);
      case 5:
      case 7:
      case 8: {
        if (type != kTypeStruct) return false;
        const auto kind = id == 5   ? PageTypeHeaderKind::kDataV1
                          : id == 7 ? PageTypeHeaderKind::kDictionary
                                    : PageTypeHeaderKind::kDataV2;
        PageTypeHeader* out = id == 5 ? &v1 : id == 7 ? &dictionary : &v2;
        RETURN_NOT_OK(ReadPageTypeHeader(reader, kind, 2, out));
        return true;
      }
      default:
        return false;  // 4: crc, 6: index_page_header, later fields
    }
  }));
  if ((seen & 0b1110) != 0b1110) return Malformed("PageHeader misses a required field");
  if (header.type < 0) return Malformed("the page type is negative");
  if (header.uncompressed_page_size < 0 || header.compressed_page_size < 0) {
    return Malformed("a page size is negative");
  }
  // The sub-header that the page type calls for; other page types (index pages, future ones)
  // take whichever is present.
  const PageTypeHeader* chosen = nullptr;
  switch (header.type) {
    case 0:
      if (!v1.present) return Malformed("a data page has no data_page_header");
      chosen = &v1;
      break;
    case 2:
      if (!dictionary.present) {
        return Malformed("a dictionary page has no dictionary_page_header");
      }
      chosen = &dictionary;
      break;
    case 3:
      if (!v2.present) return Malformed("a data page v2 has no data_page_header_v2");
      chosen = &v2;
      break;
    default:
      chosen = v1.present ? &v1 : v2.present ? &v2 : dictionary.present ? &dictionary : nullptr;
      break;
  }
  if (chosen != nullptr) {
    if (chosen->num_values < 0 || chosen->num_nulls < 0 || chosen->num_rows < 0 ||
        chosen->definition_levels_byte_length < 0 || chosen->repetition_levels_byte_length < 0) {
      return Malformed("a count or length is negative");
    }
    if (chosen->num_nulls > chosen->num_values) {
      return Malformed("a page has more nulls than values");
    }
    // DataPageHeaderV2: the levels precede the (possibly compressed) values, uncompressed.
    const int64_t levels =
        int64_t{chosen->definition_levels_byte_length} + chosen->repetition_levels_byte_length;
    if (levels > header.compressed_page_size || levels > header.uncompressed_page_size) {
      return Malformed("the levels of a data page v2 are longer than the page");
    }
    header.num_values = chosen->num_values;
    header.encoding = chosen->encoding;
    header.definition_level_encoding = chosen->definition_level_encoding;
    header.repetition_level_encoding = chosen->repetition_level_encoding;
    header.num_nulls = chosen->num_nulls;
    header.num_rows = chosen->num_rows;
    header.definition_levels_byte_length = chosen->definition_levels_byte_length;
    header.repetition_levels_byte_length = chosen->repetition_levels_byte_length;
    header.is_compressed = chosen->is_compressed;
  }
  *header_length = reader.consumed();
  return header;
}

// ---------------------------------------------------------------------------------------------
// RLE / bit-packing hybrid (Encodings.md).

namespace {

static_assert(std::endian::native == std::endian::little,
              "the bit unpacking reads little-endian words");

inline uint64_t LoadWord(const uint8_t* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return word;
}

// The bytes from a group's start that unpacking it may load: its last value's 8-byte word.
constexpr int64_t GroupReach(int width) { return (7 * width) / 8 + 8; }

// Unpacks one group of 8 values `W` bits wide (W bytes, values from the least significant bit
// of each byte up); reads GroupReach(W) bytes from `in`.
template <int W, typename T>
inline void UnpackGroup(const uint8_t* in, T* out) {
  if constexpr (W == 0) {
    for (int i = 0; i < 8; ++i) out[i] = 0;
  } else if constexpr (W == 1 && sizeof(T) == 1) {
    // Definition levels of flat columns: spread the byte's bits over 8 bytes (byte k keeps bit
    // k of the input), then turn each nonzero byte into 1.
    const uint64_t spread = (in[0] * uint64_t{0x0101010101010101}) & uint64_t{0x8040201008040201};
    const uint64_t ones =
        ((spread + uint64_t{0x7f7f7f7f7f7f7f7f}) >> 7) & uint64_t{0x0101010101010101};
    std::memcpy(out, &ones, 8);
  } else if constexpr (W <= 8) {
    // The whole group fits in one word.
    constexpr uint64_t kMask = (uint64_t{1} << W) - 1;
    const uint64_t word = LoadWord(in);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((out[I] = static_cast<T>((word >> (I * W)) & kMask)), ...);
    }
    (std::make_index_sequence<8>{});
  } else {
    // Each value lies within the 8 bytes from its first byte (at most 7 + 32 bits).
    constexpr uint64_t kMask = (uint64_t{1} << W) - 1;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((out[I] = static_cast<T>((LoadWord(in + I * W / 8) >> (I * W % 8)) & kMask)), ...);
    }
    (std::make_index_sequence<8>{});
  }
}

// Unpacks `groups` groups starting at `in` into out[0, 8 * groups). The groups' bytes lie
// within [in, end), except that the last one may be cut short by `end` (its missing bits read
// as zeros). Groups whose words would reach past `end` are unpacked from a padded copy.
template <int W, typename T>
void UnpackGroups(const uint8_t* in, const uint8_t* end, int64_t groups, T* out) {
  constexpr int64_t kReach = GroupReach(W);
  const int64_t available = end - in;
  int64_t direct = groups;
  if constexpr (W > 0) {
    direct = available < kReach ? 0 : std::min(groups, (available - kReach) / W + 1);
  }
  if constexpr (W == 8 * sizeof(T)) {
    // Whole bytes of the output's width: the packed groups are the values.
    std::memcpy(out, in, static_cast<size_t>(direct * W));
  } else {
    for (int64_t g = 0; g < direct; ++g) UnpackGroup<W>(in + g * W, out + 8 * g);
  }
  for (int64_t g = direct; g < groups; ++g) {
    uint8_t padded[GroupReach(32)] = {};
    std::memcpy(padded, in + g * W, static_cast<size_t>(std::min<int64_t>(W, available - g * W)));
    UnpackGroup<W>(padded, out + 8 * g);
  }
}

template <typename T>
using UnpackFunction = void (*)(const uint8_t*, const uint8_t*, int64_t, T*);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define BASIN_PARQUET_PAGES_AVX2 1

// With AVX2, a group of W <= 25 bits is unpacked in a few instructions: each 128-bit half of a
// register gets 16 bytes from the first byte of its 4 values, a byte shuffle moves each value's
// 4 bytes into its 32-bit lane, a per-lane shift and a mask finish it. (7 + 25 bits fit a lane.)
constexpr int kMaxAvx2Width = 25;

template <int W>
struct Avx2Constants {
  static constexpr int64_t kHighBase = 4 * W / 8;  // the first byte of values 4..7
  static constexpr int64_t kReach = kHighBase + 16;
  alignas(32) uint8_t shuffle[32];
  alignas(32) uint32_t shift[8];
  constexpr Avx2Constants() : shuffle{}, shift{} {
    for (int i = 0; i < 8; ++i) {
      const int base = i < 4 ? 0 : static_cast<int>(kHighBase);
      for (int k = 0; k < 4; ++k) {
        shuffle[4 * i + k] = static_cast<uint8_t>(i * W / 8 - base + k);
      }
      shift[i] = static_cast<uint32_t>(i * W % 8);
    }
  }
};

template <int W>
constexpr Avx2Constants<W> kAvx2Constants{};

template <int W, typename T>
[[gnu::target("avx2")]] void UnpackGroupsAvx2(const uint8_t* in, const uint8_t* end, int64_t groups,
                                              T* out) {
  using C = Avx2Constants<W>;
  const int64_t available = end - in;
  const int64_t direct =
      available < C::kReach ? 0 : std::min(groups, (available - C::kReach) / W + 1);
  const __m256i shuffle =
      _mm256_load_si256(reinterpret_cast<const __m256i*>(kAvx2Constants<W>.shuffle));
  const __m256i shift =
      _mm256_load_si256(reinterpret_cast<const __m256i*>(kAvx2Constants<W>.shift));
  const __m256i mask = _mm256_set1_epi32(static_cast<int>((uint32_t{1} << W) - 1));
  for (int64_t g = 0; g < direct; ++g) {
    const uint8_t* group = in + g * W;
    const __m256i bytes =
        _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(group + C::kHighBase),
                            reinterpret_cast<const __m128i*>(group));
    const __m256i values =
        _mm256_and_si256(_mm256_srlv_epi32(_mm256_shuffle_epi8(bytes, shuffle), shift), mask);
    T* o = out + 8 * g;
    if constexpr (sizeof(T) == 4) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(o), values);
    } else {
      // Narrow the lanes: within each half, [a0..a3 a0..a3] as 16 bits, then as 8 bits.
      const __m256i narrow16 = _mm256_packus_epi32(values, values);
      if constexpr (sizeof(T) == 2) {
        const __m256i ordered = _mm256_permute4x64_epi64(narrow16, 0b1000);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(o), _mm256_castsi256_si128(ordered));
      } else {
        const __m256i narrow8 = _mm256_packus_epi16(narrow16, narrow16);
        const uint32_t low = static_cast<uint32_t>(_mm256_cvtsi256_si32(narrow8));
        const uint32_t high =
            static_cast<uint32_t>(_mm_cvtsi128_si32(_mm256_extracti128_si256(narrow8, 1)));
        const uint64_t both = low | uint64_t{high} << 32;
        std::memcpy(o, &both, 8);
      }
    }
  }
  // The last groups, whose 16-byte loads would reach past `end`.
  UnpackGroups<W, T>(in + direct * W, end, groups - direct, out + 8 * direct);
}

bool HasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}
#endif

#ifdef BASIN_PARQUET_PAGES_AVX2
// UnpackGroupsAvx2<W, T> where it is faster than UnpackGroups<W, T>, else null: not for the
// byte-spreading W = 1 into bytes, nor the copies of W = 8 * sizeof(T), nor W > 25.
template <int W, typename T>
constexpr UnpackFunction<T> Avx2UnpackGroups() {
  if constexpr (W >= 1 && W <= kMaxAvx2Width && W < 8 * static_cast<int>(sizeof(T)) &&
                !(W == 1 && sizeof(T) == 1)) {
    return &UnpackGroupsAvx2<W, T>;
  } else {
    return nullptr;
  }
}
#endif

// The unpacking function of each width 0..32 for output type T, chosen once per process.
template <typename T>
const std::array<UnpackFunction<T>, 33>& UnpackByWidth() {
  static const std::array<UnpackFunction<T>, 33> table = [] {
    auto functions = []<int... W>(std::integer_sequence<int, W...>) {
      return std::array<UnpackFunction<T>, 33>{&UnpackGroups<W, T>...};
    }
    (std::make_integer_sequence<int, 33>{});
#ifdef BASIN_PARQUET_PAGES_AVX2
    if (HasAvx2()) {
      const auto avx2 = []<int... W>(std::integer_sequence<int, W...>) {
        return std::array<UnpackFunction<T>, 33>{Avx2UnpackGroups<W, T>()...};
      }
      (std::make_integer_sequence<int, 33>{});
      for (size_t w = 0; w < functions.size(); ++w) {
        if (avx2[w] != nullptr) functions[w] = avx2[w];
      }
    }
#endif
    return functions;
  }();
  return table;
}

// Writes n copies of value: 16 bytes a store (GCC's -O2 does not vectorize std::fill_n).
template <typename T>
inline void Fill(T* out, int64_t n, T value) {
  if constexpr (sizeof(T) == 1) {
    std::memset(out, value, static_cast<size_t>(n));
    return;
  }
  using Vector [[gnu::vector_size(16)]] = T;
  constexpr int64_t kLanes = 16 / sizeof(T);
  const Vector v = Vector{} + value;
  int64_t i = 0;
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    std::memcpy(out + i, &v, 16);
    std::memcpy(out + i + kLanes, &v, 16);
  }
  for (; i < n; ++i) out[i] = value;
}

Status MalformedRun(std::string_view what) {
  return UserError("FAILED_READ_FILE",
                   "Malformed RLE/bit-packed data in a Parquet page: " + std::string(what) + ".");
}

Status CheckWidth(int bit_width, int type_bits) {
  if (bit_width < 0 || bit_width > 32) {
    return MalformedRun("bit width " + std::to_string(bit_width) + " is outside 0..32");
  }
  if (bit_width > type_bits) {
    return InternalError("RLE/bit-packed values of " + std::to_string(bit_width) +
                         " bits decoded into " + std::to_string(type_bits) + "-bit integers");
  }
  return Status::OK();
}

}  // namespace

RleBitPackedDecoder::RleBitPackedDecoder(const uint8_t* data, int64_t size, int bit_width)
    : pos_(data), end_(data + std::max<int64_t>(size, 0)), bit_width_(bit_width) {}

Result<bool> RleBitPackedDecoder::NextRun() {
  // A malformed run stays an error for every later call.
  if (!error_.ok()) return error_;
  Result<bool> more = ReadRunHeader();
  if (!more.ok()) error_ = more.status();
  return more;
}

Result<bool> RleBitPackedDecoder::ReadRunHeader() {
  if (pos_ >= end_) return false;
  // The run header: a ULEB128 varint of at most 32 bits.
  uint64_t header = 0;
  int shift = 0;
  while (true) {
    if (pos_ >= end_) return MalformedRun("a run header is cut off");
    const uint8_t byte = *pos_++;
    header |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
    shift += 7;
    if (shift > 28) return MalformedRun("a run header varint is longer than 5 bytes");
  }
  if (header > UINT32_MAX) return MalformedRun("a run header is longer than 32 bits");
  const int64_t available = end_ - pos_;
  if (header & 1) {
    const int64_t groups = static_cast<int64_t>(header >> 1);
    if (groups == 0) return MalformedRun("a bit-packed run is empty");
    const int64_t bytes = groups * bit_width_;
    if (bytes <= available) {
      packed_left_ = groups * 8;
      packed_pos_ = pos_;
      pos_ += bytes;
    } else if (available > bytes - bit_width_) {
      // Only the final group is cut short (writers may omit its trailing bytes): the values
      // whose bits are all present, then the data ends.
      const int64_t last_group_bytes = available - (bytes - bit_width_);
      packed_left_ = (groups - 1) * 8 + last_group_bytes * 8 / bit_width_;
      packed_pos_ = pos_;
      pos_ = end_;
    } else {
      return MalformedRun("a bit-packed run of " + std::to_string(groups * 8) + " values needs " +
                          std::to_string(bytes) + " bytes, only " + std::to_string(available) +
                          " are left");
    }
  } else {
    const int64_t count = static_cast<int64_t>(header >> 1);
    if (count == 0) return MalformedRun("an RLE run is empty");
    const int value_bytes = (bit_width_ + 7) / 8;
    if (value_bytes > available) return MalformedRun("an RLE run's value is cut off");
    uint32_t value = 0;
    for (int i = 0; i < value_bytes; ++i) value |= static_cast<uint32_t>(pos_[i]) << (8 * i);
    pos_ += value_bytes;
    if (bit_width_ < 32 && (value >> bit_width_) != 0) {
      return MalformedRun("an RLE run's value " + std::to_string(value) + " is wider than " +
                          std::to_string(bit_width_) + " bits");
    }
    rle_left_ = count;
    rle_value_ = value;
  }
  return true;
}

void RleBitPackedDecoder::UnpackGroupToBuffer() {
  UnpackByWidth<uint32_t>()[bit_width_](packed_pos_, end_, 1, group_);
  group_pos_ = 0;
  group_end_ = static_cast<int>(std::min<int64_t>(8, packed_left_));
  packed_left_ -= group_end_;
  packed_pos_ += std::min<int64_t>(bit_width_, end_ - packed_pos_);
}

template <typename T>
Result<int64_t> RleBitPackedDecoder::Get(T* out, int64_t n) {
  RETURN_NOT_OK(CheckWidth(bit_width_, 8 * sizeof(T)));
  const UnpackFunction<T> unpack = UnpackByWidth<T>()[bit_width_];
  int64_t done = 0;
  while (done < n) {
    if (group_pos_ < group_end_) {
      const int k = static_cast<int>(std::min<int64_t>(n - done, group_end_ - group_pos_));
      for (int i = 0; i < k; ++i) out[done + i] = static_cast<T>(group_[group_pos_ + i]);
      group_pos_ += k;
      done += k;
    } else if (rle_left_ > 0) {
      const int64_t k = std::min(n - done, rle_left_);
      Fill(out + done, k, static_cast<T>(rle_value_));
      rle_left_ -= k;
      done += k;
    } else if (packed_left_ > 0) {
      const int64_t groups = std::min(n - done, packed_left_) / 8;
      if (groups > 0) {
        unpack(packed_pos_, end_, groups, out + done);
        packed_pos_ += groups * bit_width_;
        packed_left_ -= groups * 8;
        done += groups * 8;
      } else {
        UnpackGroupToBuffer();
      }
    } else {
      ASSIGN_OR_RAISE(bool more, NextRun());
      if (!more) break;
    }
  }
  return done;
}

Result<int64_t> RleBitPackedDecoder::Skip(int64_t n) {
  RETURN_NOT_OK(CheckWidth(bit_width_, 32));
  int64_t done = 0;
  while (done < n) {
    if (group_pos_ < group_end_) {
      const int k = static_cast<int>(std::min<int64_t>(n - done, group_end_ - group_pos_));
      group_pos_ += k;
      done += k;
    } else if (rle_left_ > 0) {
      const int64_t k = std::min(n - done, rle_left_);
      rle_left_ -= k;
      done += k;
    } else if (packed_left_ > 0) {
      const int64_t groups = std::min(n - done, packed_left_) / 8;
      if (groups > 0) {
        packed_pos_ += groups * bit_width_;
        packed_left_ -= groups * 8;
        done += groups * 8;
      } else {
        UnpackGroupToBuffer();
      }
    } else {
      ASSIGN_OR_RAISE(bool more, NextRun());
      if (!more) break;
    }
  }
  return done;
}

template Result<int64_t> RleBitPackedDecoder::Get<uint8_t>(uint8_t*, int64_t);
template Result<int64_t> RleBitPackedDecoder::Get<uint16_t>(uint16_t*, int64_t);
template Result<int64_t> RleBitPackedDecoder::Get<uint32_t>(uint32_t*, int64_t);

}  // namespace basin::format
