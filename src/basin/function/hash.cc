#include "basin/function/hash.h"

#include <cmath>
#include <cstring>

#include "basin/function/kernel_support.h"
#include "basin/types/variant_type.h"

namespace basin::function {

namespace {

// --- Murmur3 x86_32 as Spark's Murmur3_x86_32 ------------------------------------------------
uint32_t Rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
uint64_t Rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

uint32_t MixK1(uint32_t k1) {
  k1 *= 0xcc9e2d51u;
  k1 = Rotl32(k1, 15);
  return k1 * 0x1b873593u;
}
uint32_t MixH1(uint32_t h1, uint32_t k1) {
  h1 ^= k1;
  h1 = Rotl32(h1, 13);
  return h1 * 5 + 0xe6546b64u;
}
uint32_t Fmix32(uint32_t h1, uint32_t length) {
  h1 ^= length;
  h1 ^= h1 >> 16;
  h1 *= 0x85ebca6bu;
  h1 ^= h1 >> 13;
  h1 *= 0xc2b2ae35u;
  h1 ^= h1 >> 16;
  return h1;
}
uint32_t MurmurInt(uint32_t v, uint32_t seed) { return Fmix32(MixH1(seed, MixK1(v)), 4); }
uint32_t MurmurLong(uint64_t v, uint32_t seed) {
  uint32_t h1 = MixH1(seed, MixK1(static_cast<uint32_t>(v)));
  h1 = MixH1(h1, MixK1(static_cast<uint32_t>(v >> 32)));
  return Fmix32(h1, 8);
}
// Spark's hashUnsafeBytes: 4-byte little-endian words, then each tail byte (sign-extended) alone.
uint32_t MurmurBytes(std::string_view b, uint32_t seed) {
  const size_t aligned = b.size() - b.size() % 4;
  uint32_t h1 = seed;
  for (size_t i = 0; i < aligned; i += 4) {
    uint32_t w;
    std::memcpy(&w, b.data() + i, 4);
    h1 = MixH1(h1, MixK1(w));
  }
  for (size_t i = aligned; i < b.size(); ++i) {
    const int32_t half = static_cast<int8_t>(b[i]);
    h1 = MixH1(h1, MixK1(static_cast<uint32_t>(half)));
  }
  return Fmix32(h1, static_cast<uint32_t>(b.size()));
}

// --- XXH64 as Spark's XXH64 ------------------------------------------------------------------
constexpr uint64_t P1 = 0x9E3779B185EBCA87ULL, P2 = 0xC2B2AE3D27D4EB4FULL,
                   P3 = 0x165667B19E3779F9ULL, P4 = 0x85EBCA77C2B2AE63ULL,
                   P5 = 0x27D4EB2F165667C5ULL;
uint64_t XxFmix(uint64_t h) {
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}
uint64_t XxRound(uint64_t acc, uint64_t input) { return Rotl64(acc + input * P2, 31) * P1; }
uint64_t XxInt(uint32_t v, uint64_t seed) {
  uint64_t h = seed + P5 + 4;
  h ^= static_cast<uint64_t>(v) * P1;
  h = Rotl64(h, 23) * P2 + P3;
  return XxFmix(h);
}
uint64_t XxLong(uint64_t v, uint64_t seed) {
  uint64_t h = seed + P5 + 8;
  h ^= Rotl64(v * P2, 31) * P1;
  h = Rotl64(h, 27) * P1 + P4;
  return XxFmix(h);
}
uint64_t XxBytes(std::string_view b, uint64_t seed) {
  const char* p = b.data();
  const char* end = p + b.size();
  uint64_t h;
  auto read64 = [](const char* q) {
    uint64_t v;
    std::memcpy(&v, q, 8);
    return v;
  };
  if (b.size() >= 32) {
    uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
    while (p + 32 <= end) {
      v1 = XxRound(v1, read64(p));
      v2 = XxRound(v2, read64(p + 8));
      v3 = XxRound(v3, read64(p + 16));
      v4 = XxRound(v4, read64(p + 24));
      p += 32;
    }
    h = Rotl64(v1, 1) + Rotl64(v2, 7) + Rotl64(v3, 12) + Rotl64(v4, 18);
    for (uint64_t v : {v1, v2, v3, v4}) {
      h ^= XxRound(0, v);
      h = h * P1 + P4;
    }
  } else {
    h = seed + P5;
  }
  h += b.size();
  while (p + 8 <= end) {
    h ^= XxRound(0, read64(p));
    h = Rotl64(h, 27) * P1 + P4;
    p += 8;
  }
  if (p + 4 <= end) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    h ^= static_cast<uint64_t>(w) * P1;
    h = Rotl64(h, 23) * P2 + P3;
    p += 4;
  }
  while (p < end) {
    h ^= static_cast<uint64_t>(static_cast<uint8_t>(*p)) * P5;
    h = Rotl64(h, 11) * P1;
    ++p;
  }
  return XxFmix(h);
}

// Big-endian minimal two's-complement bytes of a decimal's unscaled value (BigInteger.toByteArray).
std::string BigIntegerBytes(const arrow::Decimal128& v) {
  uint8_t bytes[16];
  const uint64_t hi = static_cast<uint64_t>(v.high_bits()), lo = v.low_bits();
  for (int k = 0; k < 8; ++k) {
    bytes[k] = static_cast<uint8_t>(hi >> (56 - 8 * k));
    bytes[8 + k] = static_cast<uint8_t>(lo >> (56 - 8 * k));
  }
  int start = 0;
  while (start < 15) {
    const bool redundant = (bytes[start] == 0x00 && (bytes[start + 1] & 0x80) == 0) ||
                           (bytes[start] == 0xff && (bytes[start + 1] & 0x80) != 0);
    if (!redundant) break;
    ++start;
  }
  return std::string(reinterpret_cast<const char*>(bytes + start), static_cast<size_t>(16 - start));
}

template <typename IntFn, typename LongFn, typename BytesFn, typename Seed>
Seed HashValueWith(const arrow::Array& a, int64_t i, Seed seed, IntFn int_fn, LongFn long_fn,
                   BytesFn bytes_fn) {
  if (a.IsNull(i)) return seed;
  switch (a.type_id()) {
    case arrow::Type::BOOL:
      return int_fn(static_cast<const arrow::BooleanArray&>(a).Value(i) ? 1 : 0, seed);
    case arrow::Type::INT8:
      return int_fn(static_cast<uint32_t>(static_cast<const arrow::Int8Array&>(a).Value(i)), seed);
    case arrow::Type::INT16:
      return int_fn(static_cast<uint32_t>(static_cast<const arrow::Int16Array&>(a).Value(i)), seed);
    case arrow::Type::INT32:
      return int_fn(static_cast<uint32_t>(static_cast<const arrow::Int32Array&>(a).Value(i)), seed);
    case arrow::Type::DATE32:
      return int_fn(static_cast<uint32_t>(static_cast<const arrow::Date32Array&>(a).Value(i)), seed);
    case arrow::Type::INTERVAL_MONTHS:
      return int_fn(static_cast<uint32_t>(static_cast<const arrow::MonthIntervalArray&>(a).Value(i)), seed);
    case arrow::Type::INT64:
      return long_fn(static_cast<uint64_t>(static_cast<const arrow::Int64Array&>(a).Value(i)), seed);
    case arrow::Type::TIMESTAMP:
      return long_fn(static_cast<uint64_t>(static_cast<const arrow::TimestampArray&>(a).Value(i)), seed);
    case arrow::Type::DURATION:
      return long_fn(static_cast<uint64_t>(static_cast<const arrow::DurationArray&>(a).Value(i)), seed);
    case arrow::Type::TIME64:
      return long_fn(static_cast<uint64_t>(static_cast<const arrow::Time64Array&>(a).Value(i)),
                     seed);
    case arrow::Type::FLOAT: {
      float f = static_cast<const arrow::FloatArray&>(a).Value(i);
      if (f == 0.0f) f = 0.0f;
      uint32_t bits;
      if (std::isnan(f)) {
        bits = 0x7fc00000u;
      } else {
        std::memcpy(&bits, &f, 4);
      }
      return int_fn(bits, seed);
    }
    case arrow::Type::DOUBLE: {
      double d = static_cast<const arrow::DoubleArray&>(a).Value(i);
      if (d == 0.0) d = 0.0;
      uint64_t bits;
      if (std::isnan(d)) {
        bits = 0x7ff8000000000000ULL;
      } else {
        std::memcpy(&bits, &d, 8);
      }
      return long_fn(bits, seed);
    }
    case arrow::Type::DECIMAL128: {
      const auto& t = static_cast<const arrow::Decimal128Type&>(*a.type());
      arrow::Decimal128 v(static_cast<const arrow::Decimal128Array&>(a).GetValue(i));
      if (t.precision() <= 18) return long_fn(static_cast<uint64_t>(v.low_bits()), seed);
      return bytes_fn(BigIntegerBytes(v), seed);
    }
    case arrow::Type::STRING:
    case arrow::Type::BINARY:
      return bytes_fn(static_cast<const arrow::BinaryArray&>(a).GetView(i), seed);
    case arrow::Type::LIST: {
      const auto& l = static_cast<const arrow::ListArray&>(a);
      for (int64_t j = l.value_offset(i); j < l.value_offset(i + 1); ++j) {
        seed = HashValueWith(*l.values(), j, seed, int_fn, long_fn, bytes_fn);
      }
      return seed;
    }
    case arrow::Type::MAP: {
      const auto& m = static_cast<const arrow::MapArray&>(a);
      for (int64_t j = m.value_offset(i); j < m.value_offset(i + 1); ++j) {
        seed = HashValueWith(*m.keys(), j, seed, int_fn, long_fn, bytes_fn);
        seed = HashValueWith(*m.items(), j, seed, int_fn, long_fn, bytes_fn);
      }
      return seed;
    }
    case arrow::Type::STRUCT: {
      const auto& s = static_cast<const arrow::StructArray&>(a);
      for (int f = 0; f < s.num_fields(); ++f) {
        seed = HashValueWith(*s.field(f), i, seed, int_fn, long_fn, bytes_fn);
      }
      return seed;
    }
    default:
      return seed;
  }
}

// --- MD5 ---------------------------------------------------------------------------------------
std::string ToHex(const uint8_t* d, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.push_back(kHex[d[i] >> 4]);
    s.push_back(kHex[d[i] & 15]);
  }
  return s;
}

std::string Md5(std::string_view msg) {
  static const uint32_t K[64] = {
      0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
      0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
      0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
      0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
      0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
      0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
      0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
      0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
      0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
      0xeb86d391};
  static const int R[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                            5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                            4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                            6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
  std::string m(msg);
  const uint64_t bit_len = static_cast<uint64_t>(msg.size()) * 8;
  m.push_back(static_cast<char>(0x80));
  while (m.size() % 64 != 56) m.push_back('\0');
  for (int k = 0; k < 8; ++k) m.push_back(static_cast<char>(bit_len >> (8 * k)));
  uint32_t a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
  for (size_t off = 0; off < m.size(); off += 64) {
    uint32_t w[16];
    std::memcpy(w, m.data() + off, 64);
    uint32_t a = a0, b = b0, c = c0, d = d0;
    for (int i = 0; i < 64; ++i) {
      uint32_t f;
      int g;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) % 16;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) % 16;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) % 16;
      }
      f = f + a + K[i] + w[g];
      a = d;
      d = c;
      c = b;
      b = b + Rotl32(f, R[i]);
    }
    a0 += a;
    b0 += b;
    c0 += c;
    d0 += d;
  }
  uint8_t out[16];
  const uint32_t parts[4] = {a0, b0, c0, d0};
  for (int k = 0; k < 4; ++k) {
    for (int j = 0; j < 4; ++j) out[k * 4 + j] = static_cast<uint8_t>(parts[k] >> (8 * j));
  }
  return ToHex(out, 16);
}

std::string PadBigEndian(std::string_view msg, size_t block, size_t length_bytes) {
  std::string m(msg);
  const uint64_t bit_len = static_cast<uint64_t>(msg.size()) * 8;
  m.push_back(static_cast<char>(0x80));
  while (m.size() % block != block - length_bytes) m.push_back('\0');
  for (size_t k = 0; k < length_bytes - 8; ++k) m.push_back('\0');
  for (int k = 7; k >= 0; --k) m.push_back(static_cast<char>(bit_len >> (8 * k)));
  return m;
}

uint32_t Be32(const char* p) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8) | static_cast<uint8_t>(p[3]);
}
uint64_t Be64(const char* p) {
  return (static_cast<uint64_t>(Be32(p)) << 32) | Be32(p + 4);
}

std::string Sha1(std::string_view msg) {
  const std::string m = PadBigEndian(msg, 64, 8);
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  for (size_t off = 0; off < m.size(); off += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i) w[i] = Be32(m.data() + off + 4 * i);
    for (int i = 16; i < 80; ++i) w[i] = Rotl32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6;
      }
      const uint32_t t = Rotl32(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = Rotl32(b, 30);
      b = a;
      a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  uint8_t out[20];
  for (int k = 0; k < 5; ++k) {
    for (int j = 0; j < 4; ++j) out[k * 4 + j] = static_cast<uint8_t>(h[k] >> (24 - 8 * j));
  }
  return ToHex(out, 20);
}

uint32_t Rotr32(uint32_t x, int r) { return (x >> r) | (x << (32 - r)); }
uint64_t Rotr64(uint64_t x, int r) { return (x >> r) | (x << (64 - r)); }

std::string Sha256(std::string_view msg, bool is224) {
  static const uint32_t K[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
      0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
      0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
      0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
      0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
      0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
      0xc67178f2};
  uint32_t h[8];
  if (is224) {
    const uint32_t init[8] = {0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939,
                              0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4};
    std::memcpy(h, init, sizeof(h));
  } else {
    const uint32_t init[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                              0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::memcpy(h, init, sizeof(h));
  }
  const std::string m = PadBigEndian(msg, 64, 8);
  for (size_t off = 0; off < m.size(); off += 64) {
    uint32_t w[64];
    for (int i = 0; i < 16; ++i) w[i] = Be32(m.data() + off + 4 * i);
    for (int i = 16; i < 64; ++i) {
      const uint32_t s0 = Rotr32(w[i - 15], 7) ^ Rotr32(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const uint32_t s1 = Rotr32(w[i - 2], 17) ^ Rotr32(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      const uint32_t S1 = Rotr32(e, 6) ^ Rotr32(e, 11) ^ Rotr32(e, 25);
      const uint32_t ch = (e & f) ^ (~e & g);
      const uint32_t t1 = hh + S1 + ch + K[i] + w[i];
      const uint32_t S0 = Rotr32(a, 2) ^ Rotr32(a, 13) ^ Rotr32(a, 22);
      const uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const uint32_t t2 = S0 + maj;
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  uint8_t out[32];
  for (int k = 0; k < 8; ++k) {
    for (int j = 0; j < 4; ++j) out[k * 4 + j] = static_cast<uint8_t>(h[k] >> (24 - 8 * j));
  }
  return ToHex(out, is224 ? 28 : 32);
}

std::string Sha512(std::string_view msg, bool is384) {
  static const uint64_t K[80] = {
      0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
      0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
      0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
      0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
      0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
      0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
      0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
      0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
      0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
      0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
      0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
      0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
      0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
      0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
      0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
      0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
      0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
      0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
      0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
      0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL};
  uint64_t h[8];
  if (is384) {
    const uint64_t init[8] = {0xcbbb9d5dc1059ed8ULL, 0x629a292a367cd507ULL, 0x9159015a3070dd17ULL,
                              0x152fecd8f70e5939ULL, 0x67332667ffc00b31ULL, 0x8eb44a8768581511ULL,
                              0xdb0c2e0d64f98fa7ULL, 0x47b5481dbefa4fa4ULL};
    std::memcpy(h, init, sizeof(h));
  } else {
    const uint64_t init[8] = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
                              0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
                              0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};
    std::memcpy(h, init, sizeof(h));
  }
  const std::string m = PadBigEndian(msg, 128, 16);
  for (size_t off = 0; off < m.size(); off += 128) {
    uint64_t w[80];
    for (int i = 0; i < 16; ++i) w[i] = Be64(m.data() + off + 8 * i);
    for (int i = 16; i < 80; ++i) {
      const uint64_t s0 = Rotr64(w[i - 15], 1) ^ Rotr64(w[i - 15], 8) ^ (w[i - 15] >> 7);
      const uint64_t s1 = Rotr64(w[i - 2], 19) ^ Rotr64(w[i - 2], 61) ^ (w[i - 2] >> 6);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint64_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 80; ++i) {
      const uint64_t S1 = Rotr64(e, 14) ^ Rotr64(e, 18) ^ Rotr64(e, 41);
      const uint64_t ch = (e & f) ^ (~e & g);
      const uint64_t t1 = hh + S1 + ch + K[i] + w[i];
      const uint64_t S0 = Rotr64(a, 28) ^ Rotr64(a, 34) ^ Rotr64(a, 39);
      const uint64_t maj = (a & b) ^ (a & c) ^ (b & c);
      const uint64_t t2 = S0 + maj;
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  uint8_t out[64];
  for (int k = 0; k < 8; ++k) {
    for (int j = 0; j < 8; ++j) out[k * 8 + j] = static_cast<uint8_t>(h[k] >> (56 - 8 * j));
  }
  return ToHex(out, is384 ? 48 : 64);
}

using S = std::vector<ArgReader>;

}  // namespace

int32_t SparkMurmur3(const arrow::Array& array, int64_t i, int32_t seed) {
  return static_cast<int32_t>(HashValueWith(array, i, static_cast<uint32_t>(seed), MurmurInt,
                                            MurmurLong, MurmurBytes));
}

int64_t SparkXxHash64(const arrow::Array& array, int64_t i, int64_t seed) {
  return static_cast<int64_t>(HashValueWith(array, i, static_cast<uint64_t>(seed), XxInt, XxLong,
                                            XxBytes));
}

std::string Md5Hex(std::string_view data) { return Md5(data); }
std::string Sha1Hex(std::string_view data) { return Sha1(data); }
std::string Sha2Hex(std::string_view data, int bits) {
  switch (bits) {
    case 0:
    case 256:
      return Sha256(data, false);
    case 224:
      return Sha256(data, true);
    case 384:
      return Sha512(data, true);
    case 512:
      return Sha512(data, false);
    default:
      return {};
  }
}

uint32_t Crc32(std::string_view data) {
  static uint32_t table[256];
  static bool init = [] {
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[n] = c;
    }
    return true;
  }();
  (void)init;
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : data) c = table[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

void RegisterHashFunctions(FunctionTable* table) {
  auto variadic = [](bool xx) {
    return [xx](const std::string& name, const std::vector<TypePtr>& args) -> Result<BoundScalar> {
      if (args.empty()) {
        return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                         "The `" + name + "` requires > 0 parameters but the actual number is 0.");
      }
      std::function<bool(const arrow::DataType&)> has_map = [&](const arrow::DataType& t) {
        if (t.id() == arrow::Type::MAP) return true;
        for (const auto& f : t.fields()) {
          if (has_map(*f->type())) return true;
        }
        return false;
      };
      for (const auto& t : args) {
        if (types::ContainsVariant(*t)) {
          return DataTypeMismatch(
              "HASH_VARIANT_TYPE",
              "Cannot resolve \"" + name + "\" due to data type mismatch: Input to the function `" +
                  name + "` cannot contain elements of the \"VARIANT\" type yet.");
        }
        if (has_map(*t)) {
          return DataTypeMismatch(
              "HASH_MAP_TYPE",
              "Cannot resolve \"" + name + "\" due to data type mismatch: Input to the function `" +
                  name + "` cannot contain elements of the \"MAP\" type. In Spark, same maps may "
                  "have different hashcode, thus hash expressions are prohibited on \"MAP\" "
                  "elements. To restore previous behavior set "
                  "\"spark.sql.legacy.allowHashOnMapType\" to \"true\".");
        }
      }
      BoundScalar b;
      b.name = name;
      b.arg_types = args;
      b.return_type = xx ? arrow::int64() : arrow::int32();
      b.kernel = RowKernel(
          b.return_type,
          [xx](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
            if (xx) {
              int64_t seed = 42;
              for (const auto& r : a) seed = SparkXxHash64(*r.array(), r.Index(i), seed);
              return out.Int(seed);
            }
            int32_t seed = 42;
            for (const auto& r : a) seed = SparkMurmur3(*r.array(), r.Index(i), seed);
            return out.Int(seed);
          },
          false);
      return b;
    };
  };
  table->AddScalar("hash", variadic(false));
  table->AddScalar("xxhash64", variadic(true));
  const TypePtr bin = arrow::binary(), s = arrow::utf8();
  table->AddFixed("md5", {bin}, s, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    return out.Str(Md5(a[0].Str(i)));
  });
  auto sha1 = [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
    return out.Str(Sha1(a[0].Str(i)));
  };
  table->AddFixed("sha1", {bin}, s, sha1);
  table->AddFixed("sha", {bin}, s, sha1);
  table->AddFixed("sha2", {bin, arrow::int32()}, s,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    const std::string h = Sha2Hex(a[0].Str(i), static_cast<int>(a[1].Int(i)));
                    if (h.empty()) return out.Null();
                    return out.Str(h);
                  });
  table->AddFixed("crc32", {bin}, arrow::int64(),
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
                    return out.Int(static_cast<int64_t>(Crc32(a[0].Str(i))));
                  });
}

}  // namespace basin::function
