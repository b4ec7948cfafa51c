#pragma once

// Spark's hash functions: hash() (Murmur3 x86_32, seed 42) and xxhash64() (XXH64, seed 42) with
// the exact per-type encodings Spark uses, and the digests md5, sha1, sha2 and crc32.

#include <cstdint>
#include <string>
#include <string_view>

#include <arrow/api.h>

namespace basin::function {

/// Folds row `i` of `array` into `seed` as Spark's Murmur3Hash does (a null leaves it unchanged).
int32_t SparkMurmur3(const arrow::Array& array, int64_t i, int32_t seed);
/// Folds row `i` of `array` into `seed` as Spark's XxHash64 does.
int64_t SparkXxHash64(const arrow::Array& array, int64_t i, int64_t seed);
/// Returns the lower-case hex MD5 digest.
std::string Md5Hex(std::string_view data);
/// Returns the lower-case hex SHA-1 digest.
std::string Sha1Hex(std::string_view data);
/// Returns the lower-case hex SHA-2 digest for `bits` 224, 256, 384 or 512 (0 means 256);
/// empty for other lengths.
std::string Sha2Hex(std::string_view data, int bits);
/// Returns the CRC-32 (zlib polynomial) of `data`.
uint32_t Crc32(std::string_view data);

}  // namespace basin::function
