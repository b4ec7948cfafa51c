#pragma once

// String columns that a Parquet file stores with a dictionary can be read as Arrow dictionary
// arrays (the reader then only unpacks the indices) and expanded here into plain string arrays,
// which is several times cheaper than Arrow's value-by-value dense decoding.

#include <memory>
#include <vector>

#include <arrow/api.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

namespace basin::format {

/// Whether every data page of a column chunk is dictionary-encoded (it has a dictionary page
/// and encoding statistics that say so; without statistics it cannot tell, and says no).
bool AllDataPagesDictionaryEncoded(const parquet::ColumnChunkMetaData& chunk);

/// Returns the leaf columns of `metadata` that are top-level strings whose data pages are all
/// dictionary-encoded in every row group (so reading them as dictionaries never builds one).
std::vector<int> FullyDictionaryEncodedStringColumns(const parquet::FileMetaData& metadata);

/// Expands a dictionary array of strings or binaries into a plain array of the value type.
arrow::Result<std::shared_ptr<arrow::Array>> ExpandDictionary(const arrow::DictionaryArray& array);

}  // namespace basin::format
