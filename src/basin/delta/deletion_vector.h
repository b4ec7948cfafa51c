#pragma once

// Deletion vectors (PROTOCOL.md, "Deletion Vectors"): the set of deleted row indexes of a data
// file, stored inline (Z85) or in a `deletion_vector_<uuid>.bin` file as a 64-bit
// RoaringBitmapArray.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <roaring/roaring64map.hh>

#include "basin/base/status.h"
#include "basin/delta/actions.h"
#include "basin/io/file_system.h"

namespace basin::delta {

/// Decodes Z85 text (ZeroMQ RFC 32); its length must be a multiple of 5.
Result<std::string> Z85Decode(std::string_view text);

/// Decodes an inline DV's Z85 text into its `size_in_bytes` bytes, including Delta's form of a
/// partial last block.
Result<std::string> DecodeInlineDv(std::string_view text, int32_t size_in_bytes);

/// Encodes bytes as Z85; the length must be a multiple of 4.
std::string Z85Encode(std::string_view bytes);

/// Returns the location of the DV file a descriptor points to ('u' or 'p' storage).
Result<io::Location> DeletionVectorLocation(const io::Location& table_root,
                                            const DeletionVectorDescriptor& dv);

/// Loads the deleted row indexes of `dv`, checking the magic number and the cardinality.
Result<Roaring64Map> LoadDeletionVector(const io::Location& table_root,
                                                 const DeletionVectorDescriptor& dv);

/// Serializes row indexes as a RoaringBitmapArray (magic number, buckets, portable bitmaps).
std::string SerializeRoaringBitmapArray(const Roaring64Map& rows);

/// Parses a RoaringBitmapArray.
Result<Roaring64Map> ParseRoaringBitmapArray(std::string_view data);

/// Writes `rows` to a new DV file in the table root and returns its descriptor ('u' storage).
Result<DeletionVectorDescriptor> WriteDeletionVector(const io::Location& table_root,
                                                     const Roaring64Map& rows);

}  // namespace basin::delta
