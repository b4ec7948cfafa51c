#pragma once

// Raw snappy block decompression (the block format of google/snappy's format_description.txt, no
// framing format), for the SNAPPY-compressed pages of Basin's Parquet page reader.

#include <cstdint>

#include "basin/base/status.h"

namespace basin::format {

/// The length a raw snappy block decompresses to (its varint preamble); an error for a malformed
/// preamble.
Result<int64_t> SnappyUncompressedLength(const uint8_t* input, int64_t input_length);

/// Decompresses a raw snappy block (no framing format) into output[0, output_length), which must be
/// exactly the block's uncompressed length. Corrupt input (bad tags, copies reaching before the
/// start, lengths past either end, wrong total) returns an error (UserError("FAILED_READ_FILE",
/// "...snappy...")), and never reads or writes out of bounds. `input` and `output` must not
/// overlap. Bytes of `output` may have been written when an error is returned.
Status SnappyDecompress(const uint8_t* input, int64_t input_length, uint8_t* output,
                        int64_t output_length);

}  // namespace basin::format
