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

/// Batches of flat columns. Besides ReadNext (every column of a batch, all its rows), a batch
/// can be read in steps, for late materialization: NextBatch starts it, then ReadColumns reads
/// some columns whole (say, those a filter needs) and the others for the rows it keeps only,
/// straight from the pages into the smaller arrays. Every column is read once per batch; the
/// columns a batch leaves unread are skipped when the next one starts. The two ways are not
/// mixed within a batch.
class FlatParquetBatches : public arrow::RecordBatchReader {
 public:
  /// Starts the next batch; returns its rows, or 0 after the last one.
  virtual Result<int64_t> NextBatch() = 0;
  /// Reads `columns` (positions in schema(), each not yet read in this batch) of the current
  /// batch, on Arrow's CPU thread pool when there are several and the options allow. Without a
  /// `selection` every row is read; with one (a bitmap of the batch's rows with `selected` bits
  /// set) the arrays hold the selected rows only, in order.
  virtual Result<arrow::ArrayVector> ReadColumns(const std::vector<int>& columns,
                                                 const uint8_t* selection, int64_t selected) = 0;
};

/// Reads `leaves` (each FlatParquetReadable) of `row_groups`, in order, as batches whose
/// fields are `fields` (one per leaf, with FlatReadType types). Malformed data returns
/// FAILED_READ_FILE errors, never reads out of bounds.
Result<std::shared_ptr<FlatParquetBatches>> OpenFlatParquet(
    std::shared_ptr<arrow::io::RandomAccessFile> file,
    std::shared_ptr<parquet::FileMetaData> metadata, std::vector<int> row_groups,
    std::vector<int> leaves, arrow::FieldVector fields, FlatParquetOptions options);

}  // namespace basin::format
