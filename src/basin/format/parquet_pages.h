#pragma once

// The two lowest pieces of Basin's Parquet page reader: the page header that precedes every page
// of a column chunk (parquet.thrift's PageHeader in Thrift's compact protocol) and the
// RLE / bit-packing hybrid that holds definition levels and dictionary indices (Encodings.md,
// "Run Length Encoding / Bit-Packing Hybrid"). Both take bytes from a file and so treat them as
// untrusted: malformed input is a FAILED_READ_FILE error, never an out-of-bounds read.

#include <cstdint>

#include "basin/base/status.h"

namespace basin::format {

/// A Parquet PageHeader (parquet.thrift), decoded from Thrift's compact protocol.
struct ParquetPageHeader {
  int32_t type = -1;  // PageType: 0 DATA_PAGE, 1 INDEX_PAGE, 2 DICTIONARY_PAGE, 3 DATA_PAGE_V2
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  // From data_page_header, data_page_header_v2 or dictionary_page_header, whichever is present:
  int32_t num_values = 0;
  // Encoding enum: 0 PLAIN, 2 PLAIN_DICTIONARY, 3 RLE, 4 BIT_PACKED, 5 DELTA_BINARY_PACKED,
  // 6 DELTA_LENGTH_BYTE_ARRAY, 7 DELTA_BYTE_ARRAY, 8 RLE_DICTIONARY, 9 BYTE_STREAM_SPLIT
  int32_t encoding = 0;
  int32_t definition_level_encoding = 3;  // v1 data pages
  int32_t repetition_level_encoding = 3;  // v1 data pages
  // v2 data pages only:
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;
};

/// Parses the PageHeader that starts at data[0]; *header_length gets the bytes it took. Unknown
/// fields (statistics, crc, index page header, future fields of any Thrift type incl. nested
/// structs/lists/maps/binary) are skipped. Truncated or malformed input, a required field
/// missing (also the sub-header that a data or dictionary page's type calls for), negative sizes,
/// v2 level lengths beyond the page, or nesting deeper than 32 levels return
/// UserError("FAILED_READ_FILE", ...), never a crash or an out-of-bounds read.
Result<ParquetPageHeader> ParseParquetPageHeader(const uint8_t* data, int64_t size,
                                                 int64_t* header_length);

/// Decodes Parquet's RLE / bit-packing hybrid (Encodings.md) of values `bit_width` bits wide
/// (0..32): definition levels and dictionary indices. `data` excludes any length prefix.
///
/// A bit-packed run is unpacked 8 values (one group of `bit_width` bytes) at a time by code
/// specialized for its width (AVX2 shuffles and shifts up to 25 bits where the CPU has AVX2),
/// chosen once per run; an RLE run is a fill. A bit-packed run whose
/// final group is cut short by the end of the data yields the values whose bits are present
/// and then the data ends; a run that misses more than its final group is an error.
class RleBitPackedDecoder {
 public:
  RleBitPackedDecoder(const uint8_t* data, int64_t size, int bit_width);

  /// Decodes up to n values into out (T is uint8_t, uint16_t or uint32_t, wide enough for the
  /// bit width); returns how many were decoded, fewer than n only when the data ends; an error
  /// for a malformed run (a bit-packed run past the end of data, a run header varint too long,
  /// an empty run, an RLE value wider than the bit width, a bit width outside 0..32), and the
  /// same error on every later call.
  template <typename T>
  Result<int64_t> Get(T* out, int64_t n);

  /// Skips up to n values; returns how many were skipped.
  Result<int64_t> Skip(int64_t n);

 private:
  // Reads the next run header into the run state; false at the end of the data.
  Result<bool> NextRun();
  Result<bool> ReadRunHeader();
  // Unpacks the next group of the current bit-packed run into group_.
  void UnpackGroupToBuffer();

  const uint8_t* pos_;  // the next run header
  const uint8_t* end_;
  int bit_width_;

  int64_t rle_left_ = 0;  // values left in the current RLE run
  uint32_t rle_value_ = 0;

  const uint8_t* packed_pos_ = nullptr;  // the next group of the current bit-packed run
  int64_t packed_left_ = 0;              // values left in it, not counting those already in group_

  uint32_t group_[8] = {};  // a group unpacked for a request that ends inside it
  int group_pos_ = 0;
  int group_end_ = 0;

  Status error_;  // the first malformed run
};

extern template Result<int64_t> RleBitPackedDecoder::Get<uint8_t>(uint8_t*, int64_t);
extern template Result<int64_t> RleBitPackedDecoder::Get<uint16_t>(uint16_t*, int64_t);
extern template Result<int64_t> RleBitPackedDecoder::Get<uint32_t>(uint32_t*, int64_t);

}  // namespace basin::format
