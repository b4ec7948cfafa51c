#include "basin/format/parquet_flat_reader.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include <arrow/util/bit_run_reader.h>
#include <arrow/util/bit_util.h>
#include <arrow/util/bitmap_ops.h>
#include <arrow/util/compression.h>
#include <arrow/util/parallel.h>
#include <parquet/schema.h>
#include <parquet/types.h>

#include "basin/format/dictionary_strings.h"
#include "basin/format/parquet_pages.h"
#include "basin/format/snappy.h"

namespace basin::format {

namespace {

// Parquet's page types and encodings (parquet.thrift).
constexpr int32_t kDataPage = 0;
constexpr int32_t kDictionaryPage = 2;
constexpr int32_t kDataPageV2 = 3;
constexpr int32_t kPlain = 0;
constexpr int32_t kPlainDictionary = 2;
constexpr int32_t kRle = 3;
constexpr int32_t kBitPacked = 4;
constexpr int32_t kRleDictionary = 8;

enum class Kind {
  kBoolean,       // BOOLEAN -> boolean
  kCopy,          // INT32/INT64/FLOAT/DOUBLE -> a type of the same width, bits unchanged
  kNarrow,        // INT32 -> an 8- or 16-bit integer
  kDecimalInt,    // INT32/INT64 -> decimal128
  kDecimalFixed,  // FIXED_LEN_BYTE_ARRAY (big-endian two's complement) -> decimal128
  kBinary,        // BYTE_ARRAY -> string/binary
  kDictionary,    // BYTE_ARRAY, every data page dictionary-encoded -> dictionary<int32, ...>
};

struct ColumnPlan {
  Kind kind = Kind::kCopy;
  int physical_width = 0;  // bytes of a PLAIN value of a fixed-width physical type
  int out_width = 0;       // bytes of an output value of a fixed-width output
  int max_definition = 0;
  std::shared_ptr<arrow::DataType> type;  // output type
};

bool IsDecimal(arrow::Type::type id) {
  return id == arrow::Type::DECIMAL32 || id == arrow::Type::DECIMAL64 ||
         id == arrow::Type::DECIMAL128;
}

// The Parquet timestamp unit of a column, if it is a timestamp.
std::optional<arrow::TimeUnit::type> TimestampUnit(const parquet::ColumnDescriptor& column) {
  const auto& logical = column.logical_type();
  if (logical && logical->is_timestamp()) {
    switch (static_cast<const parquet::TimestampLogicalType&>(*logical).time_unit()) {
      case parquet::LogicalType::TimeUnit::MILLIS: return arrow::TimeUnit::MILLI;
      case parquet::LogicalType::TimeUnit::MICROS: return arrow::TimeUnit::MICRO;
      case parquet::LogicalType::TimeUnit::NANOS: return arrow::TimeUnit::NANO;
      default: return std::nullopt;
    }
  }
  if (column.converted_type() == parquet::ConvertedType::TIMESTAMP_MILLIS) {
    return arrow::TimeUnit::MILLI;
  }
  if (column.converted_type() == parquet::ConvertedType::TIMESTAMP_MICROS) {
    return arrow::TimeUnit::MICRO;
  }
  return std::nullopt;
}

std::optional<ColumnPlan> PlanColumn(const parquet::ColumnDescriptor& column,
                                     const std::shared_ptr<arrow::DataType>& arrow_type) {
  if (column.max_repetition_level() != 0 || column.max_definition_level() > 1) return std::nullopt;
  if (column.path()->ToDotVector().size() != 1) return std::nullopt;
  ColumnPlan plan;
  plan.max_definition = column.max_definition_level();
  plan.type = FlatReadType(arrow_type);
  const auto id = arrow_type->id();
  switch (column.physical_type()) {
    case parquet::Type::BOOLEAN:
      if (id != arrow::Type::BOOL) return std::nullopt;
      plan.kind = Kind::kBoolean;
      return plan;
    case parquet::Type::INT32:
      plan.physical_width = 4;
      if (IsDecimal(id)) {
        plan.kind = Kind::kDecimalInt;
        plan.out_width = 16;
      } else if (id == arrow::Type::INT32 || id == arrow::Type::UINT32 ||
                 id == arrow::Type::DATE32) {
        plan.kind = Kind::kCopy;
        plan.out_width = 4;
      } else if (id == arrow::Type::INT8 || id == arrow::Type::UINT8) {
        plan.kind = Kind::kNarrow;
        plan.out_width = 1;
      } else if (id == arrow::Type::INT16 || id == arrow::Type::UINT16) {
        plan.kind = Kind::kNarrow;
        plan.out_width = 2;
      } else {
        return std::nullopt;
      }
      return plan;
    case parquet::Type::INT64:
      plan.physical_width = 8;
      if (IsDecimal(id)) {
        plan.kind = Kind::kDecimalInt;
        plan.out_width = 16;
        return plan;
      }
      if (id == arrow::Type::TIMESTAMP) {
        // Arrow converts units when the file's Arrow schema asks for another: leave those to it.
        auto unit = TimestampUnit(column);
        if (!unit || *unit != static_cast<const arrow::TimestampType&>(*arrow_type).unit()) {
          return std::nullopt;
        }
      } else if (id != arrow::Type::INT64 && id != arrow::Type::UINT64) {
        return std::nullopt;
      }
      plan.kind = Kind::kCopy;
      plan.out_width = 8;
      return plan;
    case parquet::Type::FLOAT:
      if (id != arrow::Type::FLOAT) return std::nullopt;
      plan.kind = Kind::kCopy;
      plan.physical_width = plan.out_width = 4;
      return plan;
    case parquet::Type::DOUBLE:
      if (id != arrow::Type::DOUBLE) return std::nullopt;
      plan.kind = Kind::kCopy;
      plan.physical_width = plan.out_width = 8;
      return plan;
    case parquet::Type::BYTE_ARRAY:
      if (id == arrow::Type::STRING || id == arrow::Type::BINARY) {
        plan.kind = Kind::kBinary;
        return plan;
      }
      if (id == arrow::Type::DICTIONARY) {
        const auto& dict = static_cast<const arrow::DictionaryType&>(*arrow_type);
        const auto value = dict.value_type()->id();
        if (dict.index_type()->id() != arrow::Type::INT32 ||
            (value != arrow::Type::STRING && value != arrow::Type::BINARY)) {
          return std::nullopt;
        }
        plan.kind = Kind::kDictionary;
        return plan;
      }
      return std::nullopt;
    case parquet::Type::FIXED_LEN_BYTE_ARRAY:
      if (!IsDecimal(id) || column.type_length() < 1 || column.type_length() > 16) {
        return std::nullopt;
      }
      plan.kind = Kind::kDecimalFixed;
      plan.physical_width = column.type_length();
      plan.out_width = 16;
      return plan;
    default:
      return std::nullopt;
  }
}

bool SupportedCodec(arrow::Compression::type codec) {
  switch (codec) {
    case arrow::Compression::UNCOMPRESSED:
    case arrow::Compression::SNAPPY:
    case arrow::Compression::GZIP:
    case arrow::Compression::ZSTD:
    case arrow::Compression::LZ4:  // Parquet's LZ4_RAW (its Hadoop-framed LZ4 is LZ4_HADOOP)
    case arrow::Compression::BROTLI:
      return true;
    default:
      return false;
  }
}

// A 128-bit little-endian value (Arrow's decimal128 layout) with 8-byte alignment.
struct Wide {
  uint64_t low;
  uint64_t high;
};

template <int W>
struct Word;
template <> struct Word<1> { using type = uint8_t; };
template <> struct Word<2> { using type = uint16_t; };
template <> struct Word<4> { using type = uint32_t; };
template <> struct Word<8> { using type = uint64_t; };
template <> struct Word<16> { using type = Wide; };

// Writes the selected rows of a run of `rows` rows to out[0], out[1], ...: row i is selected when
// bit sel_at + i of `sel` is set; get(j) is the j-th value present (levels[i] != 0; every row
// without levels), a row without a value gives zero.
template <typename T, typename Get>
void PickSelected(const uint8_t* levels, const uint8_t* sel, int64_t sel_at, int64_t rows, T* out,
                  Get get) {
  int64_t k = 0;
  if (levels == nullptr) {
    arrow::internal::SetBitRunReader runs(sel, sel_at, rows);
    for (auto run = runs.NextRun(); run.length != 0; run = runs.NextRun()) {
      for (int64_t t = 0; t < run.length; ++t) out[k++] = get(run.position + t);
    }
    return;
  }
  int64_t j = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const bool present = levels[i] != 0;
    if (arrow::bit_util::GetBit(sel, sel_at + i)) out[k++] = present ? get(j) : T{};
    j += present;
  }
}

// out[i] = dict[index[j]] for the rows with a value (levels[i] != 0; every row without levels),
// zero for the others; with `sel`, for the selected rows only (see PickSelected).
template <typename T>
void Gather(const T* dict, const uint32_t* index, const uint8_t* levels, int64_t rows, T* out,
            const uint8_t* sel, int64_t sel_at) {
  if (sel != nullptr) {
    PickSelected(levels, sel, sel_at, rows, out, [&](int64_t j) { return dict[index[j]]; });
    return;
  }
  if (levels == nullptr) {
    for (int64_t i = 0; i < rows; ++i) out[i] = dict[index[i]];
    return;
  }
  int64_t j = 0;
  for (int64_t i = 0; i < rows; ++i) {
    if (levels[i]) {
      out[i] = dict[index[j++]];
    } else {
      out[i] = T{};
    }
  }
}

// Converts `values` PLAIN values of `width` bytes at `in` into outputs of type T, spaced by
// `levels` and selected by `sel` like Gather.
template <typename T, typename Convert>
void ConvertPlain(const uint8_t* in, int width, const uint8_t* levels, int64_t rows, T* out,
                  Convert convert, const uint8_t* sel, int64_t sel_at) {
  if (sel != nullptr) {
    PickSelected(levels, sel, sel_at, rows, out,
                 [&](int64_t j) { return convert(in + j * width); });
    return;
  }
  if (levels == nullptr) {
    for (int64_t i = 0; i < rows; ++i) out[i] = convert(in + i * width);
    return;
  }
  int64_t j = 0;
  for (int64_t i = 0; i < rows; ++i) {
    if (levels[i]) {
      out[i] = convert(in + (j++) * width);
    } else {
      out[i] = T{};
    }
  }
}

template <typename In>
In Load(const uint8_t* p) {
  In v;
  std::memcpy(&v, p, sizeof(In));
  return v;
}

Wide SignExtend(int64_t v) {
  return Wide{static_cast<uint64_t>(v), static_cast<uint64_t>(v >> 63)};
}

// A big-endian two's complement integer of 1..16 bytes.
Wide BigEndianDecimal(const uint8_t* p, int length) {
  uint64_t high = (p[0] & 0x80) ? ~uint64_t{0} : 0;
  uint64_t low = high;
  for (int i = 0; i < length; ++i) {
    high = (high << 8) | (low >> 56);
    low = (low << 8) | p[i];
  }
  return Wide{low, high};
}

// Sets bits [at, at + rows) of `bits` from definition levels of at most 1 (1: set); returns how
// many were set, or -1 when some level is over 1. Eight levels at a time: the low bit of each
// of eight bytes moves to one bit of a byte with one multiplication (every partial product lands
// on a bit of its own, so none carries into the top byte).
int64_t LevelsToBits(const uint8_t* levels, int64_t rows, uint8_t* bits, int64_t at) {
  int64_t set = 0;
  uint64_t over = 0;
  int64_t i = 0;
  for (; i < rows && ((at + i) & 7) != 0; ++i) {
    over |= levels[i] >> 1;
    arrow::bit_util::SetBitTo(bits, at + i, levels[i] != 0);
    set += levels[i] != 0;
  }
  uint8_t* out = bits + (at + i) / 8;
  for (; i + 8 <= rows; i += 8) {
    uint64_t word;
    std::memcpy(&word, levels + i, sizeof(word));
    over |= word & 0xFEFEFEFEFEFEFEFEull;
    const uint64_t ones = word & 0x0101010101010101ull;
    *out++ = static_cast<uint8_t>((ones * 0x0102040810204080ull) >> 56);
    set += static_cast<int64_t>((ones * 0x0101010101010101ull) >> 56);  // the sum of the 8 bytes
  }
  for (; i < rows; ++i) {
    over |= levels[i] >> 1;
    arrow::bit_util::SetBitTo(bits, at + i, levels[i] != 0);
    set += levels[i] != 0;
  }
  return over != 0 ? -1 : set;
}

// LevelsToBits for the selected rows (bit sel_at + i of `sel` for row i) only: their validity
// goes to bits [at, at + selected rows) and their nulls are added to *nulls. Returns how many
// rows of all `rows` have a value, or -1 when some level is over 1.
int64_t SelectedLevelsToBits(const uint8_t* levels, int64_t rows, const uint8_t* sel,
                             int64_t sel_at, uint8_t* bits, int64_t at, int64_t* nulls) {
  int64_t present = 0;
  uint32_t over = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const uint8_t level = levels[i];
    over |= level >> 1;
    present += level != 0;
    if (arrow::bit_util::GetBit(sel, sel_at + i)) {
      arrow::bit_util::SetBitTo(bits, at++, level != 0);
      *nulls += level == 0;
    }
  }
  return over != 0 ? -1 : present;
}

// A growable array from Arrow's memory pool, its contents left uninitialized: the pool keeps
// freed memory for reuse, so the decoder of the next row group (or file) writes to warm pages
// instead of zeroing fresh ones.
template <typename T>
class Scratch {
 public:
  Status Reserve(int64_t n) {
    if (n <= capacity_) return Status::OK();
    const int64_t want = std::max(n, 2 * capacity_);
    if (!buffer_) {
      ASSIGN_OR_RAISE(buffer_, arrow::AllocateResizableBuffer(want * static_cast<int64_t>(sizeof(T))));
    } else {
      RETURN_NOT_OK(buffer_->Resize(want * static_cast<int64_t>(sizeof(T)), /*shrink_to_fit=*/false));
    }
    capacity_ = want;
    return Status::OK();
  }
  T* data() { return buffer_ ? reinterpret_cast<T*>(buffer_->mutable_data()) : nullptr; }
  const T* data() const { return buffer_ ? reinterpret_cast<const T*>(buffer_->data()) : nullptr; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }

 private:
  std::unique_ptr<arrow::ResizableBuffer> buffer_;
  int64_t capacity_ = 0;
};

// One column of one row group: its chunk, read whole, and the page being decoded.
class ChunkDecoder {
 public:
  ChunkDecoder(const ColumnPlan& plan, const std::string& path) : plan_(plan), path_(path) {}

  Status Open(arrow::io::RandomAccessFile* file, int64_t file_size,
              const parquet::ColumnChunkMetaData& meta, int64_t rows) {
    rows_left_ = rows;
    int64_t start = meta.data_page_offset();
    if (meta.has_dictionary_page() && meta.dictionary_page_offset() > 0 &&
        meta.dictionary_page_offset() < start) {
      start = meta.dictionary_page_offset();
    }
    const int64_t length = meta.total_compressed_size();
    if (start < 0 || length < 0 || start > file_size || length > file_size - start) {
      return Corrupt("a column chunk lies outside the file");
    }
    auto read = file->ReadAt(start, length);
    if (!read.ok()) return Corrupt(read.status().message());
    chunk_ = std::move(read).ValueUnsafe();
    if (chunk_->size() != length) return Corrupt("the file ends inside a column chunk");
    codec_type_ = meta.compression();
    if (codec_type_ != arrow::Compression::UNCOMPRESSED &&
        codec_type_ != arrow::Compression::SNAPPY) {
      auto codec = arrow::util::Codec::Create(codec_type_);
      if (!codec.ok()) return Corrupt(codec.status().message());
      codec_ = std::move(codec).ValueUnsafe();
    }
    return Status::OK();
  }

  int64_t rows_left() const { return rows_left_; }

  // The next n rows; with `sel` (a bitmap of them with `kept` bits set), the selected ones only.
  Result<std::shared_ptr<arrow::Array>> Read(int64_t rows_in, const uint8_t* sel = nullptr,
                                             int64_t kept = 0) {
    if (rows_in > rows_left_) return Corrupt("a read past the end of a row group");
    const int64_t n = sel != nullptr ? kept : rows_in;  // rows out
    const bool fixed = plan_.out_width > 0;
    std::shared_ptr<arrow::Buffer> values, offsets, validity;
    if (fixed) {
      ASSIGN_OR_RAISE(values, arrow::AllocateBuffer(n * plan_.out_width));
    } else if (plan_.kind == Kind::kBoolean) {
      ASSIGN_OR_RAISE(values, arrow::AllocateBitmap(n));
    } else if (plan_.kind == Kind::kDictionary) {
      ASSIGN_OR_RAISE(values, arrow::AllocateBuffer(n * 4));
    } else {
      ASSIGN_OR_RAISE(offsets, arrow::AllocateBuffer((n + 1) * 4));
      reinterpret_cast<int32_t*>(offsets->mutable_data())[0] = 0;
      data_.Reset();
    }
    if (plan_.max_definition > 0) {
      ASSIGN_OR_RAISE(validity, arrow::AllocateBitmap(n));
    }
    int64_t nulls = 0;
    int64_t at = 0;      // rows read
    int64_t out_at = 0;  // rows written
    while (at < rows_in) {
      if (page_left_ == 0) RETURN_NOT_OK(NextPage());
      const int64_t rows = std::min(rows_in - at, page_left_);
      const int64_t picked =
          sel != nullptr ? arrow::internal::CountSetBits(sel, at, rows) : rows;
      int64_t present = rows;
      const uint8_t* levels = nullptr;
      if (plan_.max_definition > 0) {
        RETURN_NOT_OK(ReadLevels(rows));
        if (sel == nullptr) {
          present = LevelsToBits(levels_.data(), rows, validity->mutable_data(), at);
          nulls += rows - present;
        } else {
          present = SelectedLevelsToBits(levels_.data(), rows, sel, at, validity->mutable_data(),
                                         out_at, &nulls);
        }
        if (present < 0) return Corrupt("a definition level over the maximum");
        if (present < rows) levels = levels_.data();
      }
      if (out_at + picked > n) return InternalError("a selection with more rows than it says");
      RETURN_NOT_OK(ReadValues(out_at, rows, present, levels, sel, at, values.get(),
                               offsets.get()));
      at += rows;
      out_at += picked;
      page_left_ -= rows;
    }
    if (out_at != n) return InternalError("a selection with fewer rows than it says");
    rows_left_ -= rows_in;
    if (nulls == 0) validity.reset();
    std::shared_ptr<arrow::ArrayData> data;
    if (plan_.kind == Kind::kBinary) {
      std::shared_ptr<arrow::Buffer> bytes;
      RETURN_NOT_OK(data_.Finish(&bytes));
      data = arrow::ArrayData::Make(plan_.type, n, {validity, offsets, std::move(bytes)}, nulls);
    } else if (plan_.kind == Kind::kDictionary) {
      data = arrow::ArrayData::Make(plan_.type, n, {validity, values}, nulls);
      data->dictionary = dictionary_array_->data();
    } else {
      data = arrow::ArrayData::Make(plan_.type, n, {validity, values}, nulls);
    }
    return arrow::MakeArray(data);
  }

 private:
  Status Corrupt(const std::string& what) const {
    return UserError("FAILED_READ_FILE", "Cannot read the data file " + path_ + ": " + what);
  }
  Status Wrap(const Status& status) const {
    return status.ok() ? status : Corrupt(status.message());
  }

  // Decompresses `size` bytes at `in` into `expected` bytes; returns where they are.
  Result<const uint8_t*> Decompress(const uint8_t* in, int64_t size, int64_t expected) {
    if (expected < 0) return Corrupt("a page has a negative size");
    if (codec_type_ == arrow::Compression::UNCOMPRESSED) {
      if (size != expected) return Corrupt("an uncompressed page's sizes differ");
      return in;
    }
    RETURN_NOT_OK(page_buffer_.Reserve(expected));
    uint8_t* out = page_buffer_.data();
    if (codec_type_ == arrow::Compression::SNAPPY) {
      RETURN_NOT_OK(Wrap(SnappyDecompress(in, size, out, expected)));
      return const_cast<const uint8_t*>(out);
    }
    auto written = codec_->Decompress(size, in, expected, out);
    if (!written.ok()) return Corrupt(written.status().message());
    if (*written != expected) return Corrupt("a page decompressed to another size than it says");
    return const_cast<const uint8_t*>(out);
  }

  Status NextPage() {
    const uint8_t* chunk = chunk_->data();
    const int64_t size = chunk_->size();
    while (true) {
      if (position_ >= size) return Corrupt("a column chunk has fewer values than its row group");
      int64_t header_length = 0;
      auto parsed = ParseParquetPageHeader(chunk + position_, size - position_, &header_length);
      if (!parsed.ok()) return Wrap(parsed.status());
      const ParquetPageHeader& header = *parsed;
      position_ += header_length;
      if (header.compressed_page_size < 0 || header.compressed_page_size > size - position_) {
        return Corrupt("a page runs past its column chunk");
      }
      const uint8_t* body = chunk + position_;
      const int64_t body_size = header.compressed_page_size;
      position_ += body_size;
      if (header.type == kDictionaryPage) {
        ASSIGN_OR_RAISE(auto page, Decompress(body, body_size, header.uncompressed_page_size));
        RETURN_NOT_OK(ReadDictionary(page, header.uncompressed_page_size, header.num_values));
        continue;
      }
      if (header.type != kDataPage && header.type != kDataPageV2) continue;  // index pages
      if (header.num_values < 0) return Corrupt("a page has a negative value count");
      if (header.num_values == 0) continue;
      const uint8_t* page;
      int64_t page_size;
      level_encoding_ = kRle;
      if (header.type == kDataPage) {
        ASSIGN_OR_RAISE(page, Decompress(body, body_size, header.uncompressed_page_size));
        page_size = header.uncompressed_page_size;
        int64_t offset = 0;
        if (plan_.max_definition > 0) {
          level_encoding_ = header.definition_level_encoding;
          if (level_encoding_ == kRle) {
            if (page_size < 4) return Corrupt("a page ends inside its definition levels");
            const int64_t length = Load<uint32_t>(page);
            if (length > page_size - 4) return Corrupt("a page ends inside its definition levels");
            level_decoder_.emplace(page + 4, length, 1);
            offset = 4 + length;
          } else if (level_encoding_ == kBitPacked) {
            const int64_t length = (static_cast<int64_t>(header.num_values) + 7) / 8;
            if (length > page_size) return Corrupt("a page ends inside its definition levels");
            legacy_levels_ = page;
            legacy_level_bit_ = 0;
            offset = length;
          } else {
            return Corrupt("unsupported definition level encoding " +
                           std::to_string(level_encoding_));
          }
        }
        values_ = page + offset;
        values_end_ = page + page_size;
      } else {
        const int64_t levels_size = static_cast<int64_t>(header.repetition_levels_byte_length) +
                                    header.definition_levels_byte_length;
        if (header.repetition_levels_byte_length < 0 || header.definition_levels_byte_length < 0 ||
            levels_size > body_size || levels_size > header.uncompressed_page_size) {
          return Corrupt("a page's level sizes do not fit it");
        }
        if (plan_.max_definition > 0) {
          level_decoder_.emplace(body + header.repetition_levels_byte_length,
                                 header.definition_levels_byte_length, 1);
        }
        const int64_t expected = header.uncompressed_page_size - levels_size;
        if (header.is_compressed) {
          ASSIGN_OR_RAISE(page, Decompress(body + levels_size, body_size - levels_size, expected));
          page_size = expected;
        } else {
          page = body + levels_size;
          page_size = body_size - levels_size;
        }
        values_ = page;
        values_end_ = page + page_size;
      }
      encoding_ = header.encoding;
      boolean_bit_ = 0;
      if (encoding_ == kPlainDictionary || encoding_ == kRleDictionary) {
        if (!has_dictionary_) return Corrupt("a dictionary-encoded page without a dictionary");
        if (values_ == values_end_) {
          // A page of nulls only may omit the bit width.
          index_decoder_.emplace(values_, 0, 0);
        } else {
          const int bit_width = values_[0];
          if (bit_width > 32) return Corrupt("a dictionary index width over 32 bits");
          index_decoder_.emplace(values_ + 1, values_end_ - values_ - 1, bit_width);
        }
      } else if (encoding_ == kRle && plan_.kind == Kind::kBoolean) {
        if (values_end_ - values_ < 4) return Corrupt("a page ends inside its values");
        const int64_t length = Load<uint32_t>(values_);
        if (length > values_end_ - values_ - 4) return Corrupt("a page ends inside its values");
        index_decoder_.emplace(values_ + 4, length, 1);
      } else if (encoding_ != kPlain || plan_.kind == Kind::kDictionary) {
        return Corrupt("unsupported page encoding " + std::to_string(encoding_));
      }
      page_left_ = header.num_values;
      return Status::OK();
    }
  }

  Status ReadLevels(int64_t rows) {
    RETURN_NOT_OK(levels_.Reserve(rows));
    if (level_encoding_ == kBitPacked) {
      // The deprecated encoding: most significant bit first, no runs.
      for (int64_t i = 0; i < rows; ++i, ++legacy_level_bit_) {
        levels_[static_cast<size_t>(i)] =
            (legacy_levels_[legacy_level_bit_ >> 3] >> (7 - (legacy_level_bit_ & 7))) & 1;
      }
      return Status::OK();
    }
    auto got = level_decoder_->Get(levels_.data(), rows);
    if (!got.ok()) return Wrap(got.status());
    if (*got != rows) return Corrupt("a page has fewer definition levels than values");
    return Status::OK();  // LevelsToBits checks that no level is over 1

  }

  // Dictionary indices of the next `present` values, checked against the dictionary's size.
  Status ReadIndices(int64_t present) {
    RETURN_NOT_OK(indices_.Reserve(present));
    auto got = index_decoder_->Get(indices_.data(), present);
    if (!got.ok()) return Wrap(got.status());
    if (*got != present) return Corrupt("a page has fewer values than its levels say");
    uint32_t largest = 0;
    for (int64_t i = 0; i < present; ++i) largest = std::max(largest, indices_[static_cast<size_t>(i)]);
    if (present > 0 && largest >= static_cast<uint64_t>(dictionary_count_)) {
      return Corrupt("a dictionary index past the dictionary");
    }
    return Status::OK();
  }

  Status ReadDictionary(const uint8_t* page, int64_t size, int32_t count) {
    if (count < 0) return Corrupt("a dictionary with a negative size");
    dictionary_count_ = count;
    has_dictionary_ = true;
    if (plan_.out_width > 0) {
      if (static_cast<int64_t>(count) * plan_.physical_width > size) {
        return Corrupt("a dictionary page ends inside its values");
      }
      RETURN_NOT_OK(dictionary_fixed_.Reserve(static_cast<int64_t>(count) * plan_.out_width));
      ConvertFixed(page, count, nullptr, dictionary_fixed_.data());
      return Status::OK();
    }
    if (plan_.kind == Kind::kBoolean) return Corrupt("a dictionary for a boolean column");
    dictionary_offsets_.assign(1, 0);
    dictionary_data_.clear();
    int64_t at = 0;
    for (int32_t i = 0; i < count; ++i) {
      if (size - at < 4) return Corrupt("a dictionary page ends inside its values");
      const uint32_t length = Load<uint32_t>(page + at);
      at += 4;
      if (length > static_cast<uint64_t>(size - at)) {
        return Corrupt("a dictionary page ends inside its values");
      }
      dictionary_data_.insert(dictionary_data_.end(), page + at, page + at + length);
      at += length;
      if (dictionary_data_.size() > static_cast<size_t>(INT32_MAX)) {
        return Corrupt("a dictionary over 2 GiB");
      }
      dictionary_offsets_.push_back(static_cast<int32_t>(dictionary_data_.size()));
    }
    if (plan_.kind == Kind::kDictionary) {
      const auto& value_type = static_cast<const arrow::DictionaryType&>(*plan_.type).value_type();
      ASSIGN_OR_RAISE(auto offsets, arrow::AllocateBuffer((count + 1) * 4));
      std::memcpy(offsets->mutable_data(), dictionary_offsets_.data(), (count + 1) * 4);
      ASSIGN_OR_RAISE(auto data, arrow::AllocateBuffer(static_cast<int64_t>(dictionary_data_.size())));
      if (!dictionary_data_.empty()) {
        std::memcpy(data->mutable_data(), dictionary_data_.data(), dictionary_data_.size());
      }
      dictionary_array_ = arrow::MakeArray(arrow::ArrayData::Make(
          value_type, count, {nullptr, std::move(offsets), std::move(data)}, 0));
    }
    return Status::OK();
  }

  // Converts `rows` rows of PLAIN fixed-width values (`levels` spaces them; with `sel`, the
  // selected ones only) into out.
  void ConvertFixed(const uint8_t* in, int64_t rows, const uint8_t* levels, uint8_t* out,
                    const uint8_t* sel = nullptr, int64_t sel_at = 0) const {
    const int width = plan_.physical_width;
    switch (plan_.kind) {
      case Kind::kCopy:
        if (levels == nullptr && sel == nullptr) {
          std::memcpy(out, in, static_cast<size_t>(rows) * width);
        } else if (width == 4) {
          ConvertPlain(in, 4, levels, rows, reinterpret_cast<uint32_t*>(out), Load<uint32_t>, sel,
                       sel_at);
        } else {
          ConvertPlain(in, 8, levels, rows, reinterpret_cast<uint64_t*>(out), Load<uint64_t>, sel,
                       sel_at);
        }
        break;
      case Kind::kNarrow:
        if (plan_.out_width == 1) {
          ConvertPlain(
              in, 4, levels, rows, out,
              [](const uint8_t* p) { return static_cast<uint8_t>(Load<uint32_t>(p)); }, sel, sel_at);
        } else {
          ConvertPlain(
              in, 4, levels, rows, reinterpret_cast<uint16_t*>(out),
              [](const uint8_t* p) { return static_cast<uint16_t>(Load<uint32_t>(p)); }, sel,
              sel_at);
        }
        break;
      case Kind::kDecimalInt:
        if (width == 4) {
          ConvertPlain(
              in, 4, levels, rows, reinterpret_cast<Wide*>(out),
              [](const uint8_t* p) { return SignExtend(Load<int32_t>(p)); }, sel, sel_at);
        } else {
          ConvertPlain(
              in, 8, levels, rows, reinterpret_cast<Wide*>(out),
              [](const uint8_t* p) { return SignExtend(Load<int64_t>(p)); }, sel, sel_at);
        }
        break;
      case Kind::kDecimalFixed:
        ConvertPlain(
            in, width, levels, rows, reinterpret_cast<Wide*>(out),
            [width](const uint8_t* p) { return BigEndianDecimal(p, width); }, sel, sel_at);
        break;
      default:
        break;
    }
  }

  template <int W>
  void GatherFixed(const uint8_t* levels, int64_t rows, uint8_t* out, const uint8_t* sel,
                   int64_t sel_at) const {
    using T = typename Word<W>::type;
    Gather(reinterpret_cast<const T*>(dictionary_fixed_.data()), indices_.data(), levels, rows,
           reinterpret_cast<T*>(out), sel, sel_at);
  }

  // Whether row i of the page's run is written out (every row without a selection).
  static bool Selected(const uint8_t* sel, int64_t sel_at, int64_t i) {
    return sel == nullptr || arrow::bit_util::GetBit(sel, sel_at + i);
  }

  // Decodes the next `rows` rows of the page (`present` of them with a value, spaced by
  // `levels`) and writes them, or with `sel` the selected ones (bit sel_at + i for row i), to
  // the output from row `at` on.
  Status ReadValues(int64_t at, int64_t rows, int64_t present, const uint8_t* levels,
                    const uint8_t* sel, int64_t sel_at, arrow::Buffer* values,
                    arrow::Buffer* offsets) {
    const bool dictionary = encoding_ == kPlainDictionary || encoding_ == kRleDictionary;
    if (plan_.out_width > 0) {
      uint8_t* out = values->mutable_data() + at * plan_.out_width;
      if (dictionary) {
        RETURN_NOT_OK(ReadIndices(present));
        switch (plan_.out_width) {
          case 1: GatherFixed<1>(levels, rows, out, sel, sel_at); break;
          case 2: GatherFixed<2>(levels, rows, out, sel, sel_at); break;
          case 4: GatherFixed<4>(levels, rows, out, sel, sel_at); break;
          case 8: GatherFixed<8>(levels, rows, out, sel, sel_at); break;
          default: GatherFixed<16>(levels, rows, out, sel, sel_at); break;
        }
        return Status::OK();
      }
      const int64_t bytes = present * plan_.physical_width;
      if (bytes > values_end_ - values_) return Corrupt("a page ends inside its values");
      ConvertFixed(values_, rows, levels, out, sel, sel_at);
      values_ += bytes;
      return Status::OK();
    }
    switch (plan_.kind) {
      case Kind::kBoolean:
        return ReadBooleans(at, rows, present, levels, sel, sel_at, values->mutable_data());
      case Kind::kDictionary: {
        RETURN_NOT_OK(ReadIndices(present));
        int32_t* out = reinterpret_cast<int32_t*>(values->mutable_data()) + at;
        int64_t j = 0, k = 0;
        for (int64_t i = 0; i < rows; ++i) {
          const bool has_value = levels == nullptr || levels[i];
          const int32_t index = has_value ? static_cast<int32_t>(indices_[j]) : 0;
          j += has_value;
          if (Selected(sel, sel_at, i)) out[k++] = index;
        }
        return Status::OK();
      }
      default:
        return ReadBinary(at, rows, present, levels, dictionary, sel, sel_at,
                          reinterpret_cast<int32_t*>(offsets->mutable_data()));
    }
  }

  Status ReadBooleans(int64_t at, int64_t rows, int64_t present, const uint8_t* levels,
                      const uint8_t* sel, int64_t sel_at, uint8_t* bits) {
    RETURN_NOT_OK(booleans_.Reserve(present));
    if (encoding_ == kRle) {
      auto got = index_decoder_->Get(booleans_.data(), present);
      if (!got.ok()) return Wrap(got.status());
      if (*got != present) return Corrupt("a page has fewer values than its levels say");
    } else {
      const int64_t available = (values_end_ - values_) * 8 - boolean_bit_;
      if (present > available) return Corrupt("a page ends inside its values");
      for (int64_t i = 0; i < present; ++i, ++boolean_bit_) {
        booleans_[static_cast<size_t>(i)] = (values_[boolean_bit_ >> 3] >> (boolean_bit_ & 7)) & 1;
      }
    }
    int64_t j = 0, k = 0;
    for (int64_t i = 0; i < rows; ++i) {
      const bool value = (levels == nullptr || levels[i]) ? booleans_[static_cast<size_t>(j++)] != 0
                                                          : false;
      if (Selected(sel, sel_at, i)) arrow::bit_util::SetBitTo(bits, at + k++, value);
    }
    return Status::OK();
  }

  Status ReadBinary(int64_t at, int64_t rows, int64_t present, const uint8_t* levels,
                    bool dictionary, const uint8_t* sel, int64_t sel_at, int32_t* offsets) {
    if (dictionary) {
      RETURN_NOT_OK(ReadIndices(present));
      // The bytes of the values written out first, then the values.
      int64_t total = data_.length();
      if (sel == nullptr) {
        for (int64_t j = 0; j < present; ++j) {
          const uint32_t k = indices_[static_cast<size_t>(j)];
          total += dictionary_offsets_[k + 1] - dictionary_offsets_[k];
        }
      } else {
        int64_t j = 0;
        for (int64_t i = 0; i < rows; ++i) {
          if (levels == nullptr || levels[i]) {
            const uint32_t k = indices_[static_cast<size_t>(j++)];
            if (Selected(sel, sel_at, i)) total += dictionary_offsets_[k + 1] - dictionary_offsets_[k];
          }
        }
      }
      if (total > INT32_MAX) return Corrupt("a batch of strings over 2 GiB");
      RETURN_NOT_OK(data_.Reserve(total - data_.length()));
      int64_t j = 0, out = at;
      for (int64_t i = 0; i < rows; ++i) {
        const bool has_value = levels == nullptr || levels[i];
        const uint32_t k = has_value ? indices_[static_cast<size_t>(j)] : 0;
        j += has_value;
        if (!Selected(sel, sel_at, i)) continue;
        if (has_value) {
          const int32_t start = dictionary_offsets_[k];
          data_.UnsafeAppend(dictionary_data_.data() + start, dictionary_offsets_[k + 1] - start);
        }
        offsets[++out] = static_cast<int32_t>(data_.length());
      }
      return Status::OK();
    }
    // PLAIN: a 4-byte length before each value; every value is walked, the selected ones copied.
    RETURN_NOT_OK(data_.Reserve(values_end_ - values_));
    int64_t out = at;
    for (int64_t i = 0; i < rows; ++i) {
      const bool selected = Selected(sel, sel_at, i);
      if (levels == nullptr || levels[i]) {
        if (values_end_ - values_ < 4) return Corrupt("a page ends inside its values");
        const uint32_t length = Load<uint32_t>(values_);
        values_ += 4;
        if (length > static_cast<uint64_t>(values_end_ - values_)) {
          return Corrupt("a page ends inside its values");
        }
        if (selected) {
          if (data_.length() + static_cast<int64_t>(length) > INT32_MAX) {
            return Corrupt("a batch of strings over 2 GiB");
          }
          RETURN_NOT_OK(data_.Append(values_, length));
        }
        values_ += length;
      }
      if (selected) offsets[++out] = static_cast<int32_t>(data_.length());
    }
    return Status::OK();
  }

  const ColumnPlan& plan_;
  const std::string& path_;
  std::shared_ptr<arrow::Buffer> chunk_;
  int64_t position_ = 0;  // next page header in chunk_
  int64_t rows_left_ = 0;
  arrow::Compression::type codec_type_ = arrow::Compression::UNCOMPRESSED;
  std::unique_ptr<arrow::util::Codec> codec_;
  Scratch<uint8_t> page_buffer_;
  // The current data page.
  int64_t page_left_ = 0;
  int32_t encoding_ = kPlain;
  int32_t level_encoding_ = kRle;
  const uint8_t* values_ = nullptr;
  const uint8_t* values_end_ = nullptr;
  int64_t boolean_bit_ = 0;
  const uint8_t* legacy_levels_ = nullptr;
  int64_t legacy_level_bit_ = 0;
  std::optional<RleBitPackedDecoder> level_decoder_;
  std::optional<RleBitPackedDecoder> index_decoder_;
  // The dictionary: fixed-width values already in the output type, or strings.
  bool has_dictionary_ = false;
  int64_t dictionary_count_ = 0;
  Scratch<uint8_t> dictionary_fixed_;
  std::vector<int32_t> dictionary_offsets_;
  std::vector<uint8_t> dictionary_data_;
  std::shared_ptr<arrow::Array> dictionary_array_;
  // Scratch.
  Scratch<uint8_t> levels_;
  Scratch<uint32_t> indices_;
  Scratch<uint8_t> booleans_;
  arrow::BufferBuilder data_;  // string bytes of the batch being read
};

class FlatBatchReader : public FlatParquetBatches {
 public:
  FlatBatchReader(std::shared_ptr<arrow::io::RandomAccessFile> file,
                  std::shared_ptr<parquet::FileMetaData> metadata, std::vector<int> row_groups,
                  std::vector<int> leaves, std::vector<ColumnPlan> plans,
                  std::shared_ptr<arrow::Schema> schema, FlatParquetOptions options)
      : file_(std::move(file)),
        metadata_(std::move(metadata)),
        row_groups_(std::move(row_groups)),
        leaves_(std::move(leaves)),
        plans_(std::move(plans)),
        schema_(std::move(schema)),
        options_(std::move(options)) {}

  Status Init() {
    ASSIGN_OR_RAISE(file_size_, file_->GetSize());
    return Status::OK();
  }

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }

  Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    *out = nullptr;
    ASSIGN_OR_RAISE(const int64_t n, NextBatch());
    if (n == 0) return Status::OK();
    std::vector<int> all(decoders_.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
    ASSIGN_OR_RAISE(auto columns, ReadColumns(all, nullptr, 0));
    *out = arrow::RecordBatch::Make(schema_, n, std::move(columns));
    return Status::OK();
  }

  Result<int64_t> NextBatch() override {
    // The columns the last batch left unread are read past: a selection of no rows.
    if (batch_rows_ > 0) {
      for (size_t i = 0; i < decoders_.size(); ++i) {
        if (read_[i]) continue;
        no_rows_.assign(static_cast<size_t>(arrow::bit_util::BytesForBits(batch_rows_)), 0);
        RETURN_NOT_OK(decoders_[i]->Read(batch_rows_, no_rows_.data(), 0).status());
      }
      batch_rows_ = 0;
    }
    while (group_rows_left_ == 0) {
      if (next_group_ >= row_groups_.size()) return 0;
      RETURN_NOT_OK(OpenGroup(row_groups_[next_group_++]));
    }
    batch_rows_ = std::min(std::max<int64_t>(1, options_.batch_size), group_rows_left_);
    group_rows_left_ -= batch_rows_;
    read_.assign(decoders_.size(), false);
    return batch_rows_;
  }

  Result<arrow::ArrayVector> ReadColumns(const std::vector<int>& columns, const uint8_t* selection,
                                         int64_t selected) override {
    if (batch_rows_ == 0) return InternalError("flat Parquet reader: no batch to read columns of");
    if (selection != nullptr && (selected < 0 || selected > batch_rows_)) {
      return InternalError("flat Parquet reader: a selection of " + std::to_string(selected) +
                           " of " + std::to_string(batch_rows_) + " rows");
    }
    for (int c : columns) {
      if (c < 0 || static_cast<size_t>(c) >= decoders_.size() || read_[static_cast<size_t>(c)]) {
        return InternalError("flat Parquet reader: column " + std::to_string(c) +
                             " is not one to read in this batch");
      }
      read_[static_cast<size_t>(c)] = true;
    }
    arrow::ArrayVector out(columns.size());
    const int64_t n = batch_rows_;
    auto read = [&](int i) -> Status {
      auto& decoder = decoders_[static_cast<size_t>(columns[static_cast<size_t>(i)])];
      ASSIGN_OR_RAISE(out[static_cast<size_t>(i)], decoder->Read(n, selection, selected));
      return Status::OK();
    };
    RETURN_NOT_OK(arrow::internal::OptionalParallelFor(
        options_.parallel_columns && columns.size() > 1, static_cast<int>(columns.size()), read));
    return out;
  }

 private:
  Status OpenGroup(int group) {
    auto row_group = metadata_->RowGroup(group);
    const int64_t rows = row_group->num_rows();
    decoders_.clear();
    for (size_t i = 0; i < leaves_.size(); ++i) {
      auto decoder = std::make_unique<ChunkDecoder>(plans_[i], options_.path);
      auto meta = row_group->ColumnChunk(leaves_[i]);
      RETURN_NOT_OK(decoder->Open(file_.get(), file_size_, *meta, rows));
      decoders_.push_back(std::move(decoder));
    }
    group_rows_left_ = rows;
    return Status::OK();
  }

  std::shared_ptr<arrow::io::RandomAccessFile> file_;
  std::shared_ptr<parquet::FileMetaData> metadata_;
  std::vector<int> row_groups_;
  std::vector<int> leaves_;
  std::vector<ColumnPlan> plans_;
  std::shared_ptr<arrow::Schema> schema_;
  FlatParquetOptions options_;
  int64_t file_size_ = 0;
  size_t next_group_ = 0;
  int64_t group_rows_left_ = 0;
  std::vector<std::unique_ptr<ChunkDecoder>> decoders_;
  int64_t batch_rows_ = 0;    // rows of the batch being read (0: none)
  std::vector<bool> read_;    // per column: read in this batch
  std::vector<uint8_t> no_rows_;  // a selection of no rows
};

}  // namespace

std::shared_ptr<arrow::DataType> FlatReadType(const std::shared_ptr<arrow::DataType>& arrow_type) {
  if (arrow_type->id() == arrow::Type::DECIMAL32 || arrow_type->id() == arrow::Type::DECIMAL64) {
    const auto& decimal = static_cast<const arrow::DecimalType&>(*arrow_type);
    return arrow::decimal128(decimal.precision(), decimal.scale());
  }
  return arrow_type;
}

bool FlatParquetReadable(const parquet::FileMetaData& metadata, int leaf,
                         const arrow::DataType& arrow_type, const std::vector<int>& row_groups) {
  if (metadata.is_encryption_algorithm_set()) return false;
  if (leaf < 0 || leaf >= metadata.num_columns()) return false;
  const parquet::ColumnDescriptor* column = metadata.schema()->Column(leaf);
  auto plan = PlanColumn(*column, arrow_type.GetSharedPtr());
  if (!plan) return false;
  for (int g : row_groups) {
    if (g < 0 || g >= metadata.num_row_groups()) return false;
    auto chunk = metadata.RowGroup(g)->ColumnChunk(leaf);
    if (!chunk->file_path().empty() || chunk->crypto_metadata()) return false;
    if (!SupportedCodec(chunk->compression())) return false;
    for (auto encoding : chunk->encodings()) {
      switch (encoding) {
        case parquet::Encoding::PLAIN:
        case parquet::Encoding::PLAIN_DICTIONARY:
        case parquet::Encoding::RLE:
        case parquet::Encoding::BIT_PACKED:
        case parquet::Encoding::RLE_DICTIONARY:
          break;
        default:
          return false;
      }
    }
    if (plan->kind == Kind::kDictionary && !AllDataPagesDictionaryEncoded(*chunk)) return false;
  }
  return true;
}

std::optional<FlatColumns> FlatColumnsOf(const parquet::arrow::SchemaManifest& manifest,
                                         const parquet::FileMetaData& metadata,
                                         const std::vector<int>& indices,
                                         const std::vector<int>& row_groups) {
  FlatColumns out;
  for (int index : indices) {
    if (index < 0 || static_cast<size_t>(index) >= manifest.schema_fields.size()) {
      return std::nullopt;
    }
    const auto& schema_field = manifest.schema_fields[static_cast<size_t>(index)];
    if (!schema_field.children.empty() ||
        !FlatParquetReadable(metadata, schema_field.column_index, *schema_field.field->type(),
                             row_groups)) {
      return std::nullopt;
    }
    out.leaves.push_back(schema_field.column_index);
    out.fields.push_back(schema_field.field);
  }
  if (out.leaves.empty()) return std::nullopt;
  return out;
}

Result<std::shared_ptr<FlatParquetBatches>> OpenFlatParquet(
    std::shared_ptr<arrow::io::RandomAccessFile> file,
    std::shared_ptr<parquet::FileMetaData> metadata, std::vector<int> row_groups,
    std::vector<int> leaves, arrow::FieldVector fields, FlatParquetOptions options) {
  if (leaves.size() != fields.size()) return InternalError("flat Parquet reader: leaves and fields differ");
  std::vector<ColumnPlan> plans;
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!FlatParquetReadable(*metadata, leaves[i], *fields[i]->type(), row_groups)) {
      return InternalError("flat Parquet reader: column " + fields[i]->name() + " is not flat");
    }
    plans.push_back(*PlanColumn(*metadata->schema()->Column(leaves[i]), fields[i]->type()));
    fields[i] = fields[i]->WithType(plans.back().type);
  }
  auto reader = std::make_shared<FlatBatchReader>(
      std::move(file), std::move(metadata), std::move(row_groups), std::move(leaves),
      std::move(plans), arrow::schema(std::move(fields)), std::move(options));
  RETURN_NOT_OK(reader->Init());
  return reader;
}

}  // namespace basin::format
