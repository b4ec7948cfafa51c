#pragma once

// Basin's own reader of flat Parquet columns: the column chunks of a row group are read whole,
// their pages decompressed (snappy by our own decoder, other codecs through Arrow's) and decoded
// straight into the engine's Arrow types in one pass per value: dictionary indices gather from a
// dictionary already converted to the output type (a decimal of up to 18 digits becomes a 128-bit
// decimal once per dictionary value, not once per row), plain values are copied or converted
// in place, definition levels become the validity bitmap.
//
// It reads top-level primitive columns (no repetition, at most one definition level) in the
// encodings Parquet writers use by default (PLAIN, dictionary, RLE booleans, data pages v1 and
// v2). `FlatParquetReadable` says whether a file's columns qualify; the Delta scan falls back
// to Arrow's reader otherwise (nested columns, delta or byte-stream-split encodings, INT96,
// encrypted files, Hadoop-framed LZ4).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/api.h>
#include <arrow/io/interfaces.h>
#include <parquet/arrow/schema.h>
#include <parquet/metadata.h>

#include "basin/base/status.h"

namespace basin::format {

/// The type the flat reader gives a leaf Arrow would read as `arrow_type`: the same, except
/// that 32/64-bit decimals come as decimal128 of the same precision and scale.
std::shared_ptr<arrow::DataType> FlatReadType(const std::shared_ptr<arrow::DataType>& arrow_type);

/// Whether the flat reader can read leaf column `leaf` of every row group in `row_groups` as
/// `arrow_type` (the type Arrow's reader gives it, e.g. from parquet::arrow::FileReader's
/// manifest): see the file comment.
bool FlatParquetReadable(const parquet::FileMetaData& metadata, int leaf,
                         const arrow::DataType& arrow_type, const std::vector<int>& row_groups);

/// The leaves and fields (Arrow's view) of some top-level fields of a file.
struct FlatColumns {
  std::vector<int> leaves;
  arrow::FieldVector fields;
};

/// The leaves and fields of the top-level fields `indices` (into manifest.schema_fields, in
/// that order) when every one is a single flat leaf FlatParquetReadable reads in `row_groups`;
/// nullopt otherwise.
std::optional<FlatColumns> FlatColumnsOf(const parquet::arrow::SchemaManifest& manifest,
                                         const parquet::FileMetaData& metadata,
                                         const std::vector<int>& indices,
                                         const std::vector<int>& row_groups);

struct FlatParquetOptions {
  int64_t batch_size = 65536;  // rows per batch; batches end at row group boundaries
  bool parallel_columns = false;  // decode the columns of a batch on Arrow's CPU thread pool
  std::string path;               // named in errors
};

/// Reads `leaves` (each FlatParquetReadable) of `row_groups`, in order, as batches whose
/// fields are `fields` (one per leaf, with FlatReadType types). Malformed data returns
/// FAILED_READ_FILE errors, never reads out of bounds.
Result<std::shared_ptr<arrow::RecordBatchReader>> OpenFlatParquet(
    std::shared_ptr<arrow::io::RandomAccessFile> file,
    std::shared_ptr<parquet::FileMetaData> metadata, std::vector<int> row_groups,
    std::vector<int> leaves, arrow::FieldVector fields, FlatParquetOptions options);

}  // namespace basin::format
