#include "basin/delta/scan.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <set>
#include <unordered_map>

#include <arrow/array.h>
#include <arrow/builder.h>
#include <arrow/array/concatenate.h>
#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <arrow/util/bit_run_reader.h>
#include <arrow/util/bit_util.h>
#include <arrow/util/bitmap_ops.h>
#include <arrow/util/key_value_metadata.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>
#include <parquet/properties.h>

#include "basin/delta/data_skipping.h"
#include "basin/delta/deletion_vector.h"
#include "basin/delta/partition_value.h"
#include "basin/format/decimal_widening.h"
#include "basin/format/dictionary_strings.h"
#include "basin/format/parquet_flat_reader.h"
#include "basin/format/parquet_leaves.h"
#include "basin/format/variant_shredding.h"
#include "basin/types/schema_json.h"

namespace basin::delta {

namespace {

enum class Mapping { kNone, kName, kId };

std::optional<std::string> MetaValue(const arrow::Field& field, const char* key) {
  if (!field.metadata()) return std::nullopt;
  auto value = field.metadata()->Get(key);
  if (!value.ok()) return std::nullopt;
  return *value;
}

std::string PhysicalName(const arrow::Field& field, Mapping mapping) {
  if (mapping != Mapping::kNone) {
    if (auto name = MetaValue(field, types::kPhysicalName)) return *name;
  }
  return field.name();
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Finds the file's field for a table field: by parquet field id in id mode, else by physical
// name, then case-insensitively (Spark resolves Parquet columns case-insensitively).
int FindSourceField(const arrow::FieldVector& source, const arrow::Field& target, Mapping mapping) {
  if (mapping == Mapping::kId) {
    if (auto id = MetaValue(target, types::kColumnMappingId)) {
      for (size_t i = 0; i < source.size(); ++i) {
        if (MetaValue(*source[i], "PARQUET:field_id") == *id) return static_cast<int>(i);
      }
    }
  }
  const std::string name = PhysicalName(target, mapping);
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i]->name() == name) return static_cast<int>(i);
  }
  const std::string lower = Lower(name);
  for (size_t i = 0; i < source.size(); ++i) {
    if (Lower(source[i]->name()) == lower) return static_cast<int>(i);
  }
  return -1;
}

Result<std::shared_ptr<arrow::Array>> Adapt(const std::shared_ptr<arrow::Array>& input,
                                            const std::shared_ptr<arrow::DataType>& target,
                                            Mapping mapping);

// A file column of another scalar type than the table's (type widening), cast safely.
Result<std::shared_ptr<arrow::Array>> CastToTableType(const std::shared_ptr<arrow::Array>& input,
                                                      const std::shared_ptr<arrow::DataType>& target) {
  arrow::compute::CastOptions options = arrow::compute::CastOptions::Safe(target);
  auto cast = arrow::compute::Cast(*input, target, options);
  if (cast.ok()) return *cast;
  return UserError("DELTA_UNSUPPORTED_TYPE_CHANGE",
                   "A data file column of type " + input->type()->ToString() +
                       " cannot be read as the table type " + target->ToString() + ": " +
                       cast.status().message());
}

// Rebuilds a struct array with the table's field names, order and types.
Result<std::shared_ptr<arrow::Array>> AdaptStruct(const arrow::StructArray& source,
                                                  const arrow::DataType& target, Mapping mapping) {
  arrow::ArrayVector children;
  const auto& source_fields = source.type()->fields();
  for (const auto& field : target.fields()) {
    int index = FindSourceField(source_fields, *field, mapping);
    if (index < 0) {
      ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(field->type(), source.length()));
      children.push_back(nulls);
    } else {
      ASSIGN_OR_RAISE(auto child, Adapt(source.field(index), field->type(), mapping));
      children.push_back(child);
    }
  }
  auto out = std::make_shared<arrow::ArrayData>(
      std::make_shared<arrow::StructType>(target.fields()), source.length(),
      std::vector<std::shared_ptr<arrow::Buffer>>{source.null_bitmap()}, source.null_count(),
      source.offset());
  for (auto& child : children) {
    // Children of a struct share the parent's offset; ours start at the parent's offset.
    out->child_data.push_back(child->data());
  }
  if (source.offset() != 0) {
    // StructArray::field() slices children by the offset, so give the result offset 0 and a
    // sliced validity bitmap instead.
    out->offset = 0;
    out->buffers[0] = nullptr;
    out->null_count = 0;
    if (source.null_count() > 0) {
      ASSIGN_OR_RAISE(auto valid, arrow::compute::IsValid(source));
      ASSIGN_OR_RAISE(auto bits, arrow::compute::Cast(valid, arrow::boolean()));
      out->buffers[0] = bits.array()->buffers[1];
      if (bits.array()->offset != 0) {
        ASSIGN_OR_RAISE(auto copy, arrow::Concatenate({bits.make_array()}));
        out->buffers[0] = copy->data()->buffers[1];
      }
      out->null_count = source.null_count();
    }
  }
  return arrow::MakeArray(out);
}

Result<std::shared_ptr<arrow::Array>> Adapt(const std::shared_ptr<arrow::Array>& input,
                                            const std::shared_ptr<arrow::DataType>& target,
                                            Mapping mapping) {
  if (input->type()->Equals(*target, /*check_metadata=*/false)) {
    // Equal types may still differ in nested field names (column mapping): check structs.
    if (target->id() != arrow::Type::STRUCT && target->id() != arrow::Type::LIST &&
        target->id() != arrow::Type::MAP) {
      return input;
    }
  }
  if (input->type_id() == arrow::Type::NA) {
    return arrow::MakeArrayOfNull(target, input->length());
  }
  switch (target->id()) {
    case arrow::Type::DECIMAL128: {
      // Files are read with Parquet's smallest decimal types: 32- and 64-bit decimals widen
      // here in one pass, then rescale like any other decimal if the table's type differs.
      if (input->type_id() == arrow::Type::DECIMAL32 ||
          input->type_id() == arrow::Type::DECIMAL64) {
        ASSIGN_OR_RAISE(auto wide, format::WidenDecimal(*input));
        return Adapt(wide, target, mapping);
      }
      return CastToTableType(input, target);
    }
    case arrow::Type::STRUCT: {
      if (input->type_id() != arrow::Type::STRUCT) break;
      // A shredded variant keeps part of its value in typed_value columns (VariantShredding.md):
      // reassemble it into the plain value/metadata pair of the table's variant type.
      if (format::IsVariantStruct(*target) && format::IsShreddedVariant(*input->type())) {
        ASSIGN_OR_RAISE(auto unshredded, format::UnshredVariant(*input));
        return AdaptStruct(static_cast<const arrow::StructArray&>(*unshredded), *target, mapping);
      }
      return AdaptStruct(static_cast<const arrow::StructArray&>(*input), *target, mapping);
    }
    case arrow::Type::LIST: {
      if (input->type_id() != arrow::Type::LIST && input->type_id() != arrow::Type::LARGE_LIST) {
        break;
      }
      std::shared_ptr<arrow::Array> list = input;
      if (input->type_id() == arrow::Type::LARGE_LIST) {
        ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(*input, arrow::list(input->type()->field(0))));
        list = cast;
      }
      const auto& source = static_cast<const arrow::ListArray&>(*list);
      const auto& element = target->field(0);
      ASSIGN_OR_RAISE(auto values, Adapt(source.values(), element->type(), mapping));
      auto data = source.data()->Copy();
      data->type = arrow::list(element);
      data->child_data = {values->data()};
      return arrow::MakeArray(data);
    }
    case arrow::Type::MAP: {
      if (input->type_id() != arrow::Type::MAP) break;
      const auto& source = static_cast<const arrow::MapArray&>(*input);
      const auto& map_type = static_cast<const arrow::MapType&>(*target);
      ASSIGN_OR_RAISE(auto keys, Adapt(source.keys(), map_type.key_type(), mapping));
      ASSIGN_OR_RAISE(auto items, Adapt(source.items(), map_type.item_type(), mapping));
      auto entries = std::make_shared<arrow::ArrayData>(
          map_type.value_type(), keys->length(),
          std::vector<std::shared_ptr<arrow::Buffer>>{nullptr}, 0);
      entries->child_data = {keys->data(), items->data()};
      auto data = source.data()->Copy();
      data->type = target;
      data->child_data = {entries};
      return arrow::MakeArray(data);
    }
    default:
      return CastToTableType(input, target);
  }
  return UserError("DELTA_UNSUPPORTED_TYPE_CHANGE",
                   "A data file column of type " + input->type()->ToString() +
                       " cannot be read as the table type " + target->ToString() + ".");
}


// Opens a data file the log names; a missing one is Delta's DELTA_FILE_NOT_FOUND_DETAILED.
Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenLoggedFile(const io::Location& location) {
  auto opened = location.fs->OpenInputFile(location.path);
  if (!opened.ok()) {
    return UserError("DELTA_FILE_NOT_FOUND_DETAILED",
                     "File " + location.path + " referenced in the transaction log cannot be "
                     "found. This occurs when data has been manually deleted from the file "
                     "system rather than using the table `DELETE` statement.");
  }
  return std::move(opened).ValueUnsafe();
}

// The rows a predicate keeps (true, not null) as a bitmap of its length, from bit 0.
Result<std::shared_ptr<arrow::Buffer>> KeptBitmap(const arrow::BooleanArray& selected) {
  const int64_t n = selected.length();
  ASSIGN_OR_RAISE(auto bits, arrow::AllocateBitmap(n));
  const uint8_t* values = selected.values()->data();
  if (selected.null_count() == 0) {
    arrow::internal::CopyBitmap(values, selected.offset(), n, bits->mutable_data(), 0);
  } else {
    arrow::internal::BitmapAnd(values, selected.offset(), selected.null_bitmap_data(),
                               selected.offset(), n, 0, bits->mutable_data());
  }
  return bits;
}

// The positions of the set bits among the first n of `bits`, in order, as int32 (a batch has
// fewer than 2^31 rows): whole 64-bit words at a time, one step per set bit.
Result<std::shared_ptr<arrow::Array>> SetBitPositions(const uint8_t* bits, int64_t n,
                                                      int64_t count) {
  ASSIGN_OR_RAISE(auto buffer, arrow::AllocateBuffer(count * static_cast<int64_t>(sizeof(int32_t))));
  int32_t* out = reinterpret_cast<int32_t*>(buffer->mutable_data());
  int64_t k = 0;
  for (int64_t base = 0; base < n; base += 64) {
    uint64_t word = 0;
    const int64_t bytes = std::min<int64_t>(8, arrow::bit_util::BytesForBits(n - base));
    std::memcpy(&word, bits + base / 8, static_cast<size_t>(bytes));
    if (n - base < 64) word &= (uint64_t{1} << (n - base)) - 1;
    while (word != 0 && k < count) {
      out[k++] = static_cast<int32_t>(base + std::countr_zero(word));
      word &= word - 1;
    }
  }
  if (k != count) return InternalError("a selection of " + std::to_string(k) + " rows, not " +
                                       std::to_string(count));
  return arrow::MakeArray(
      arrow::ArrayData::Make(arrow::int32(), count, {nullptr, std::move(buffer)}, 0));
}

/// Streams one data file of a snapshot in batches of the output schema: the file's columns
/// (found through column mapping and adapted to the table types), partition values, nulls for
/// columns the file lacks, and, when asked, the deletion vector applied batch by batch.
class DataFileBatches : public arrow::RecordBatchReader {
 public:
  DataFileBatches(std::shared_ptr<const Snapshot> snapshot, std::shared_ptr<arrow::Schema> output,
                  std::string time_zone, int64_t batch_size)
      : snapshot_(std::move(snapshot)),
        output_(std::move(output)),
        time_zone_(std::move(time_zone)),
        batch_size_(std::max<int64_t>(1, batch_size)) {
    std::string mode = snapshot_->column_mapping_mode();
    mapping_ = mode == "name" ? Mapping::kName : mode == "id" ? Mapping::kId : Mapping::kNone;
    for (const auto& c : snapshot_->metadata().partition_columns) partition_columns_.insert(Lower(c));
  }

  std::shared_ptr<arrow::Schema> schema() const override { return output_; }

  Status Open(const AddFile& file, bool apply_dv, std::optional<RowGroupRange> range) {
    ASSIGN_OR_RAISE(auto location, DataFileLocation(snapshot_->table_root(), file.path));
    path_ = location.path;
    ASSIGN_OR_RAISE(auto opened, OpenLoggedFile(location));
    std::shared_ptr<arrow::Schema> file_schema;
    try {
      parquet::ArrowReaderProperties properties;
      properties.set_coerce_int96_timestamp_unit(arrow::TimeUnit::MICRO);
      properties.set_batch_size(batch_size_);
      properties.set_use_threads(true);  // columns of a batch are decoded in parallel
      // Decimals of up to 18 digits come as 32/64-bit decimals, without Parquet's per-value
      // conversion to 128 bits; Adapt widens them in one pass.
      properties.set_smallest_decimal_enabled(true);
      parquet::arrow::FileReaderBuilder builder;
      RETURN_NOT_OK(builder.Open(opened));
      // Strings stored with a dictionary come as dictionary arrays, expanded in ReadNext.
      for (int column :
           format::FullyDictionaryEncodedStringColumns(*builder.raw_reader()->metadata())) {
        properties.set_read_dictionary(column, true);
      }
      builder.properties(properties);
      auto reader = builder.Build();
      if (!reader.ok()) {
        return UserError("FAILED_READ_FILE", "Cannot read the data file " + location.path +
                                                 ": " + reader.status().message());
      }
      file_reader_ = std::move(reader).ValueUnsafe();
      RETURN_NOT_OK(file_reader_->GetSchema(&file_schema));
      const auto& metadata = *file_reader_->parquet_reader()->metadata();
      int first_group = 0, end_group = metadata.num_row_groups();
      if (range) {
        first_group = std::clamp(range->begin, 0, end_group);
        end_group = std::clamp(range->end, first_group, end_group);
      }
      rows_left_ = 0;
      position_ = 0;  // deletion vectors count rows from the start of the file
      for (int g = 0; g < end_group; ++g) {
        (g < first_group ? position_ : rows_left_) += metadata.RowGroup(g)->num_rows();
      }
      // Leaves of the file columns that back the wanted table columns.
      std::vector<int> top_level;
      for (const auto& field : output_->fields()) {
        if (partition_columns_.count(Lower(field->name()))) continue;
        int index = FindSourceField(file_schema->fields(), *field, mapping_);
        if (index >= 0) top_level.push_back(index);
      }
      std::sort(top_level.begin(), top_level.end());
      top_level.erase(std::unique(top_level.begin(), top_level.end()), top_level.end());
      std::vector<int> leaves;
      for (int index : top_level) {
        format::CollectParquetLeaves(file_reader_->manifest().schema_fields[index], &leaves);
      }
      if (!leaves.empty()) {
        std::vector<int> row_groups;
        for (int g = first_group; g < end_group; ++g) row_groups.push_back(g);
        // Basin's own reader when every column is a flat one it reads (format/parquet_flat_
        // reader.h); Arrow's otherwise.
        auto flat = format::FlatColumnsOf(file_reader_->manifest(), metadata, top_level,
                                          row_groups);
        if (flat) {
          format::FlatParquetOptions flat_options;
          flat_options.batch_size = batch_size_;
          flat_options.parallel_columns = flat->leaves.size() > 1;
          flat_options.path = location.path;
          ASSIGN_OR_RAISE(flat_, format::OpenFlatParquet(
                                     opened, file_reader_->parquet_reader()->metadata(),
                                     row_groups, flat->leaves, flat->fields, flat_options));
          batches_ = flat_;
        } else {
          // One column has nothing to decode in parallel: handing it to another thread and
          // waiting for it only adds two context switches per batch.
          if (leaves.size() == 1) file_reader_->set_use_threads(false);
          auto batches = file_reader_->GetRecordBatchReader(row_groups, leaves);
          if (!batches.ok()) {
            return UserError("FAILED_READ_FILE", "Cannot read the data file " + location.path +
                                                     ": " + batches.status().message());
          }
          batches_ = std::move(batches).ValueUnsafe();
        }
        read_schema_ = batches_->schema();
      }
    } catch (const parquet::ParquetException& e) {
      return UserError("FAILED_READ_FILE",
                       "Cannot read the data file " + location.path + ": " + e.what());
    }
    // Where each output column comes from.
    for (const auto& field : output_->fields()) {
      Source source;
      if (partition_columns_.count(Lower(field->name()))) {
        ASSIGN_OR_RAISE(auto scalar, PartitionScalar(file, *field));
        ASSIGN_OR_RAISE(source.constant, arrow::MakeArrayFromScalar(*scalar, batch_size_));
      } else if (read_schema_ &&
                 (source.index = FindSourceField(read_schema_->fields(), *field, mapping_)) >= 0) {
        // read from the file
      } else {
        source.index = -1;
        ASSIGN_OR_RAISE(source.constant, arrow::MakeArrayOfNull(field->type(), batch_size_));
      }
      sources_.push_back(std::move(source));
    }
    if (file.deletion_vector && apply_dv) {
      ASSIGN_OR_RAISE(auto deleted,
                      LoadDeletionVector(snapshot_->table_root(), *file.deletion_vector));
      deleted_ = std::make_unique<Roaring64Map>(std::move(deleted));
    }
    PlanLateColumns();
    return Status::OK();
  }

  // With the flat reader and a predicate on columns of this file, a batch is read in two steps
  // (late materialization): the predicate's columns (and the row filter's) first, then the
  // others for the rows the predicate keeps only. Not when the first step would read them all.
  void PlanLateColumns() {
    first_columns_.clear();
    rest_columns_.clear();
    if (!flat_ || !predicate_) return;
    std::vector<bool> first(static_cast<size_t>(read_schema_->num_fields()), false);
    for (int c : predicate_->columns) {
      if (c < 0 || static_cast<size_t>(c) >= sources_.size()) return;
      const Source& source = sources_[static_cast<size_t>(c)];
      if (source.constant || source.index < 0) return;  // the predicate runs on the output
      first[static_cast<size_t>(source.index)] = true;
    }
    if (row_filter_) {
      for (int c : row_filter_->columns) {
        if (c < 0 || static_cast<size_t>(c) >= sources_.size()) continue;
        const Source& source = sources_[static_cast<size_t>(c)];
        if (!source.constant && source.index >= 0) first[static_cast<size_t>(source.index)] = true;
      }
    }
    for (size_t i = 0; i < first.size(); ++i) {
      (first[i] ? first_columns_ : rest_columns_).push_back(static_cast<int>(i));
    }
    if (rest_columns_.empty()) first_columns_.clear();
  }

  Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    if (!rest_columns_.empty()) return ReadNextLate(out);
    while (true) {
      *out = nullptr;
      std::shared_ptr<arrow::RecordBatch> read;
      int64_t n = 0;
      if (batches_) {
        try {
          auto status = batches_->ReadNext(&read);
          if (!status.ok()) {
            return UserError("FAILED_READ_FILE",
                             "Cannot read the data file " + path_ + ": " + status.message());
          }
        } catch (const parquet::ParquetException& e) {
          return UserError("FAILED_READ_FILE",
                           "Cannot read the data file " + path_ + ": " + e.what());
        }
        if (!read) return Status::OK();
        n = read->num_rows();
      } else {
        // No column of the file is read: only the row count matters.
        if (rows_left_ <= 0) return Status::OK();
        n = std::min(rows_left_, batch_size_);
        rows_left_ -= n;
      }
      const int64_t first_row = position_;
      position_ += n;
      // Rows to drop before anything is expanded or adapted: those the deletion vector hides
      // and those whose dictionary values the row filter rules out (keep[row] == 0).
      std::vector<uint8_t> keep;
      DropDeleted(first_row, n, &keep);
      if (row_filter_ && read) RETURN_NOT_OK(DropByDictionaries(read->columns(), n, &keep));
      std::shared_ptr<arrow::BooleanArray> mask;
      if (!keep.empty()) {
        int64_t kept = 0;
        for (uint8_t k : keep) kept += k;
        if (kept == 0) continue;
        if (kept < n) {
          ASSIGN_OR_RAISE(auto bits, arrow::AllocateEmptyBitmap(n));
          uint8_t* out_bits = bits->mutable_data();
          for (int64_t row = 0; row < n; ++row) {
            out_bits[row >> 3] |= static_cast<uint8_t>(keep[static_cast<size_t>(row)] << (row & 7));
          }
          mask = std::make_shared<arrow::BooleanArray>(n, std::move(bits));
          if (read) {
            ASSIGN_OR_RAISE(auto filtered, arrow::compute::Filter(read, mask));
            read = filtered.record_batch();
            mask.reset();
          }
          n = kept;
        }
      }
      // The predicate: its columns are built first and it runs on them; the other columns are
      // then expanded and adapted for the rows it keeps only. When one of its columns is not
      // read from this file (a constant), it runs on the finished batch instead.
      std::vector<std::shared_ptr<arrow::Array>> built(sources_.size());
      bool predicate_on_output = false;
      if (predicate_) {
        bool from_file = read && !mask;
        for (int c : predicate_->columns) {
          if (c < 0 || static_cast<size_t>(c) >= sources_.size()) {
            return InternalError("a scan predicate reads column " + std::to_string(c) +
                                 " of " + std::to_string(sources_.size()));
          }
          from_file &= !sources_[static_cast<size_t>(c)].constant;
        }
        if (from_file) {
          arrow::ArrayVector inputs;
          for (int c : predicate_->columns) {
            auto& column = built[static_cast<size_t>(c)];
            if (!column) {
              ASSIGN_OR_RAISE(column, FileColumn(read->columns(), static_cast<size_t>(c)));
            }
            inputs.push_back(column);
          }
          ASSIGN_OR_RAISE(auto selected, RunPredicate(std::move(inputs), n));
          const int64_t kept = selected->true_count();
          if (kept == 0) continue;
          if (kept < n) {
            // Each column once: the predicate's as built, the others as read (the read copies
            // of the predicate's columns are not used again).
            ASSIGN_OR_RAISE(auto kept_bits, KeptBitmap(*selected));
            ASSIGN_OR_RAISE(auto indices, SetBitPositions(kept_bits->data(), n, kept));
            arrow::ArrayVector read_columns = read->columns();
            std::vector<bool> taken(read_columns.size(), false);
            for (size_t i = 0; i < sources_.size(); ++i) {
              const Source& source = sources_[i];
              std::shared_ptr<arrow::Array>* column = nullptr;
              if (built[i]) {
                column = &built[i];
              } else if (!source.constant && source.index >= 0 &&
                         !taken[static_cast<size_t>(source.index)]) {
                taken[static_cast<size_t>(source.index)] = true;
                column = &read_columns[static_cast<size_t>(source.index)];
              }
              if (!column) continue;
              ASSIGN_OR_RAISE(auto kept_rows, arrow::compute::Take(*column, indices));
              *column = kept_rows.make_array();
            }
            for (size_t c = 0; c < read_columns.size(); ++c) {
              // Columns read only for the predicate are not used again; cut to the new length so
              // that the batch stays well formed.
              if (!taken[c]) read_columns[c] = read_columns[c]->Slice(0, kept);
            }
            read = arrow::RecordBatch::Make(read->schema(), kept, std::move(read_columns));
            n = kept;
          }
        } else {
          predicate_on_output = true;
        }
      }
      arrow::ArrayVector columns;
      for (size_t i = 0; i < sources_.size(); ++i) {
        const Source& source = sources_[i];
        if (built[i]) {
          columns.push_back(built[i]);
          continue;
        }
        if (source.constant) {
          // Without file columns (mask set) the batch is filtered below, at its full length.
          ASSIGN_OR_RAISE(auto column, ConstantColumn(source.constant, mask ? mask->length() : n));
          columns.push_back(std::move(column));
          continue;
        }
        ASSIGN_OR_RAISE(auto column, FileColumn(read->columns(), i));
        columns.push_back(std::move(column));
      }
      std::shared_ptr<arrow::RecordBatch> batch;
      if (mask) {
        auto full = arrow::RecordBatch::Make(output_, mask->length(), std::move(columns));
        ASSIGN_OR_RAISE(auto filtered, arrow::compute::Filter(full, mask));
        batch = filtered.record_batch();
      } else {
        batch = arrow::RecordBatch::Make(output_, n, std::move(columns));
      }
      if (predicate_on_output) {
        arrow::ArrayVector inputs;
        for (int c : predicate_->columns) inputs.push_back(batch->column(c));
        ASSIGN_OR_RAISE(auto selected, RunPredicate(std::move(inputs), batch->num_rows()));
        const int64_t kept = selected->true_count();
        if (kept == 0) continue;
        if (kept < batch->num_rows()) {
          ASSIGN_OR_RAISE(auto filtered, arrow::compute::Filter(batch, selected));
          batch = filtered.record_batch();
        }
      }
      *out = std::move(batch);
      return Status::OK();
    }
  }

  // ReadNext in two steps (see PlanLateColumns): the first columns are read whole; the deletion
  // vector, the row filter and then the predicate (on the rows they keep) choose the rows; the
  // other columns are read for those rows only.
  Status ReadNextLate(std::shared_ptr<arrow::RecordBatch>* out) {
    while (true) {
      *out = nullptr;
      int64_t n = 0;
      arrow::ArrayVector read(static_cast<size_t>(read_schema_->num_fields()));
      try {
        auto started = flat_->NextBatch();
        if (!started.ok()) return ReadError(started.status());
        n = *started;
        if (n == 0) return Status::OK();
        auto first = flat_->ReadColumns(first_columns_, nullptr, 0);
        if (!first.ok()) return ReadError(first.status());
        for (size_t i = 0; i < first_columns_.size(); ++i) {
          read[static_cast<size_t>(first_columns_[i])] = std::move((*first)[i]);
        }
      } catch (const parquet::ParquetException& e) {
        return UserError("FAILED_READ_FILE", "Cannot read the data file " + path_ + ": " + e.what());
      }
      const int64_t first_row = position_;
      position_ += n;
      std::vector<uint8_t> keep;
      DropDeleted(first_row, n, &keep);
      if (row_filter_) RETURN_NOT_OK(DropByDictionaries(read, n, &keep));
      // The rows the deletion vector and the row filter keep (all when `keep` is empty): the
      // first columns are cut to them as read (dictionary indices, before any expansion).
      std::shared_ptr<arrow::Array> survivors;
      int64_t m = n;
      if (!keep.empty()) {
        arrow::Int32Builder rows;
        RETURN_NOT_OK(rows.Reserve(n));
        for (int64_t row = 0; row < n; ++row) {
          if (keep[static_cast<size_t>(row)]) rows.UnsafeAppend(static_cast<int32_t>(row));
        }
        RETURN_NOT_OK(rows.Finish(&survivors));
        m = survivors->length();
        if (m < n) {
          for (int c : first_columns_) {
            auto& column = read[static_cast<size_t>(c)];
            ASSIGN_OR_RAISE(auto cut, arrow::compute::Take(column, survivors));
            column = cut.make_array();
          }
        }
      }
      // The predicate's columns as built, for the surviving rows; it runs on them.
      std::vector<std::shared_ptr<arrow::Array>> built(sources_.size());
      arrow::ArrayVector inputs;
      for (int c : predicate_->columns) {
        auto& column = built[static_cast<size_t>(c)];
        if (!column) {
          ASSIGN_OR_RAISE(column, FileColumn(read, static_cast<size_t>(c)));
        }
        inputs.push_back(column);
      }
      // The rows kept, as a bitmap of the m surviving rows and one of the batch's n rows.
      int64_t kept = 0;
      std::shared_ptr<arrow::Buffer> kept_bits;
      if (m > 0) {
        ASSIGN_OR_RAISE(auto selected, RunPredicate(std::move(inputs), m));
        ASSIGN_OR_RAISE(kept_bits, KeptBitmap(*selected));
        kept = arrow::internal::CountSetBits(kept_bits->data(), 0, m);
      }
      std::shared_ptr<arrow::Buffer> bitmap = kept_bits;
      if (m < n) {
        ASSIGN_OR_RAISE(bitmap, arrow::AllocateEmptyBitmap(n));
        if (kept > 0) {
          const int32_t* rows = survivors->data()->GetValues<int32_t>(1);
          arrow::internal::SetBitRunReader runs(kept_bits->data(), 0, m);
          for (auto run = runs.NextRun(); run.length != 0; run = runs.NextRun()) {
            for (int64_t t = run.position; t < run.position + run.length; ++t) {
              arrow::bit_util::SetBit(bitmap->mutable_data(), rows[t]);
            }
          }
        }
      }
      const uint8_t* bits = bitmap->data();
      arrow::ArrayVector rest;
      try {
        auto columns = flat_->ReadColumns(rest_columns_, bits, kept);
        if (!columns.ok()) return ReadError(columns.status());
        rest = std::move(columns).ValueUnsafe();
      } catch (const parquet::ParquetException& e) {
        return UserError("FAILED_READ_FILE", "Cannot read the data file " + path_ + ": " + e.what());
      }
      if (kept == 0) continue;
      for (size_t i = 0; i < rest_columns_.size(); ++i) {
        read[static_cast<size_t>(rest_columns_[i])] = std::move(rest[i]);
      }
      // The first columns (m rows) are cut to the kept ones: the predicate's as built, the
      // others (the row filter's alone) as read. The others were read for the kept rows only.
      std::shared_ptr<arrow::Array> kept_of_m;
      if (kept < m) {
        ASSIGN_OR_RAISE(kept_of_m, SetBitPositions(kept_bits->data(), m, kept));
      }
      arrow::ArrayVector columns;
      for (size_t i = 0; i < sources_.size(); ++i) {
        const Source& source = sources_[i];
        if (built[i]) {
          if (kept_of_m) {
            ASSIGN_OR_RAISE(auto cut, arrow::compute::Take(built[i], kept_of_m));
            columns.push_back(cut.make_array());
          } else {
            columns.push_back(built[i]);
          }
          continue;
        }
        if (source.constant) {
          ASSIGN_OR_RAISE(auto column, ConstantColumn(source.constant, kept));
          columns.push_back(std::move(column));
          continue;
        }
        std::shared_ptr<arrow::Array> column = read[static_cast<size_t>(source.index)];
        if (column->length() != kept) {  // a first column the predicate does not read
          ASSIGN_OR_RAISE(auto cut, arrow::compute::Take(column, kept_of_m));
          column = cut.make_array();
        }
        ASSIGN_OR_RAISE(column, AdaptedColumn(std::move(column), i));
        columns.push_back(std::move(column));
      }
      *out = arrow::RecordBatch::Make(output_, kept, std::move(columns));
      return Status::OK();
    }
  }

  Status ReadError(const Status& status) const {
    return UserError("FAILED_READ_FILE", "Cannot read the data file " + path_ + ": " +
                                             status.message());
  }

  // A partition value or the nulls of a missing column, `rows` long.
  static Result<std::shared_ptr<arrow::Array>> ConstantColumn(
      const std::shared_ptr<arrow::Array>& constant, int64_t rows) {
    if (rows <= constant->length()) return constant->Slice(0, rows);
    ASSIGN_OR_RAISE(auto scalar, constant->GetScalar(0));
    return arrow::MakeArrayFromScalar(*scalar, rows);
  }

  // Clears keep[row] (sized to the batch, all ones, on first use) for the rows of the batch of
  // n rows from physical row first_row on that the deletion vector hides.
  void DropDeleted(int64_t first_row, int64_t n, std::vector<uint8_t>* keep) const {
    if (!deleted_) return;
    for (int64_t row = 0; row < n; ++row) {
      if (deleted_->contains(static_cast<uint64_t>(first_row + row))) {
        if (keep->empty()) keep->assign(static_cast<size_t>(n), 1);
        (*keep)[static_cast<size_t>(row)] = 0;
      }
    }
  }

  // The predicate on `inputs`, its columns in the order of predicate_->columns.
  Result<std::shared_ptr<arrow::BooleanArray>> RunPredicate(arrow::ArrayVector inputs,
                                                            int64_t rows) const {
    arrow::FieldVector fields;
    for (int c : predicate_->columns) fields.push_back(output_->field(c));
    return predicate_->evaluate(
        *arrow::RecordBatch::Make(arrow::schema(std::move(fields)), rows, std::move(inputs)));
  }

  // Output column i from the columns of a batch read from the file: its dictionary expanded,
  // adapted to the output type.
  Result<std::shared_ptr<arrow::Array>> FileColumn(const arrow::ArrayVector& read, size_t i) const {
    return AdaptedColumn(read[static_cast<size_t>(sources_[i].index)], i);
  }

  // A file column as output column i: its dictionary expanded, adapted to the output type.
  Result<std::shared_ptr<arrow::Array>> AdaptedColumn(std::shared_ptr<arrow::Array> column,
                                                      size_t i) const {
    if (column->type_id() == arrow::Type::DICTIONARY) {
      ASSIGN_OR_RAISE(column, format::ExpandDictionary(
                                  static_cast<const arrow::DictionaryArray&>(*column)));
    }
    return Adapt(column, output_->field(static_cast<int>(i))->type(), mapping_);
  }

  void SetPredicate(std::shared_ptr<const RowPredicate> predicate) {
    predicate_ = std::move(predicate);
  }

  void SetRowFilter(std::shared_ptr<const DictionaryRowFilter> filter) {
    row_filter_ = std::move(filter);
  }

 private:
  // Clears keep[row] (sized to the batch, all ones, on first use) for the rows of `read` whose
  // value in a dictionary-encoded column of the row filter is ruled out. The verdict on a
  // dictionary is kept while the next batches have the same one.
  Status DropByDictionaries(const arrow::ArrayVector& read, int64_t n, std::vector<uint8_t>* keep) {
    for (int column : row_filter_->columns) {
      if (column < 0 || static_cast<size_t>(column) >= sources_.size()) continue;
      const Source& source = sources_[static_cast<size_t>(column)];
      if (source.constant || source.index < 0) continue;
      const auto& array = read[static_cast<size_t>(source.index)];
      if (array->type_id() != arrow::Type::DICTIONARY) continue;
      const auto& dict = static_cast<const arrow::DictionaryArray&>(*array);
      const auto& values = dict.dictionary();
      // A dictionary much larger than the batch costs more to judge than the rows do.
      if (values->length() > std::max<int64_t>(4096, n / 4)) continue;
      Verdict& verdict = verdicts_[column];
      // Each batch comes with its own copy of the row group's dictionary: compare contents.
      if (!verdict.values || !verdict.values->Equals(*values)) {
        verdict.values = values;
        verdict.keep.clear();
        ASSIGN_OR_RAISE(auto null_value, arrow::MakeArrayOfNull(values->type(), 1));
        ASSIGN_OR_RAISE(auto with_null, arrow::Concatenate({values, null_value}));
        auto judged = row_filter_->keep(column, with_null);
        verdict.keeps_all_values = true;
        if (judged.ok() && *judged && (*judged)->length() == with_null->length()) {
          for (int64_t i = 0; i < (*judged)->length(); ++i) {
            const bool kept = (*judged)->IsValid(i) && (*judged)->Value(i);
            verdict.keep.push_back(kept ? 1 : 0);
            if (i < values->length()) verdict.keeps_all_values = verdict.keeps_all_values && kept;
          }
        }
      }
      if (verdict.keep.empty()) continue;  // no verdict: keep every row
      if (verdict.keeps_all_values && (dict.null_count() == 0 || verdict.keep.back())) continue;
      if (keep->empty()) keep->assign(static_cast<size_t>(n), 1);
      const uint8_t* entry = verdict.keep.data();
      const uint8_t keep_null = verdict.keep.back();
      const auto& indices = *dict.indices()->data();
      uint8_t* out = keep->data();
      auto judge = [&](const auto* index) {
        if (indices.GetNullCount() == 0) {
          for (int64_t row = 0; row < n; ++row) out[row] &= entry[index[row]];
        } else {
          const uint8_t* valid = indices.buffers[0]->data();
          for (int64_t row = 0; row < n; ++row) {
            const int64_t at = indices.offset + row;
            out[row] &= arrow::bit_util::GetBit(valid, at) ? entry[index[row]] : keep_null;
          }
        }
      };
      switch (indices.type->id()) {
        case arrow::Type::INT8: judge(indices.GetValues<int8_t>(1)); break;
        case arrow::Type::INT16: judge(indices.GetValues<int16_t>(1)); break;
        case arrow::Type::INT32: judge(indices.GetValues<int32_t>(1)); break;
        case arrow::Type::INT64: judge(indices.GetValues<int64_t>(1)); break;
        default: break;
      }
    }
    return Status::OK();
  }

  // The row filter's verdict on the last dictionary seen in an output column (per value, then
  // the null; empty when it could not tell).
  struct Verdict {
    std::shared_ptr<arrow::Array> values;
    std::vector<uint8_t> keep;
    bool keeps_all_values = true;  // every value (the null aside) keeps its rows
  };

  struct Source {
    int index = -1;                          // column of the batches read from the file
    std::shared_ptr<arrow::Array> constant;  // partition value or nulls, batch_size_ rows
  };

  Result<std::shared_ptr<arrow::Scalar>> PartitionScalar(const AddFile& file,
                                                         const arrow::Field& field) {
    // With column mapping, partitionValues is keyed by the physical name.
    std::string key = PhysicalName(field, mapping_);
    auto it = file.partition_values.find(key);
    if (it == file.partition_values.end()) it = file.partition_values.find(field.name());
    if (it == file.partition_values.end()) {
      for (auto i = file.partition_values.begin(); i != file.partition_values.end(); ++i) {
        if (Lower(i->first) == Lower(field.name())) {
          it = i;
          break;
        }
      }
    }
    std::optional<std::string> text;
    if (it != file.partition_values.end()) text = it->second;
    return ParsePartitionValue(text, field.type(), time_zone_);
  }

  std::shared_ptr<const Snapshot> snapshot_;
  std::shared_ptr<arrow::Schema> output_;
  std::string time_zone_;
  int64_t batch_size_;
  Mapping mapping_ = Mapping::kNone;
  std::set<std::string> partition_columns_;
  std::string path_;
  std::unique_ptr<parquet::arrow::FileReader> file_reader_;
  std::shared_ptr<arrow::RecordBatchReader> batches_;
  std::shared_ptr<format::FlatParquetBatches> flat_;  // batches_, when it is the flat reader
  std::vector<int> first_columns_;  // late materialization: columns of batches_ read first,
  std::vector<int> rest_columns_;   // and the others (empty: batches are read whole)
  std::shared_ptr<arrow::Schema> read_schema_;
  std::vector<Source> sources_;
  std::unique_ptr<Roaring64Map> deleted_;
  std::shared_ptr<const DictionaryRowFilter> row_filter_;
  std::shared_ptr<const RowPredicate> predicate_;
  std::unordered_map<int, Verdict> verdicts_;  // by output column
  int64_t rows_left_ = 0;  // when no file column is read
  int64_t position_ = 0;   // physical rows of the file read so far
};

/// Reads one data file of a snapshot into a table of the output schema.
class FileScanner {
 public:
  FileScanner(std::shared_ptr<const Snapshot> snapshot, std::shared_ptr<arrow::Schema> output,
              std::string time_zone)
      : snapshot_(std::move(snapshot)), output_(std::move(output)), time_zone_(std::move(time_zone)) {}

  Result<std::shared_ptr<arrow::Table>> Read(const AddFile& file, bool apply_dv = true) {
    DataFileBatches reader(snapshot_, output_, time_zone_, int64_t{1} << 20);
    RETURN_NOT_OK(reader.Open(file, apply_dv, std::nullopt));
    arrow::RecordBatchVector batches;
    while (true) {
      std::shared_ptr<arrow::RecordBatch> batch;
      RETURN_NOT_OK(reader.ReadNext(&batch));
      if (!batch) break;
      batches.push_back(std::move(batch));
    }
    return arrow::Table::FromRecordBatches(output_, batches);
  }

 private:
  std::shared_ptr<const Snapshot> snapshot_;
  std::shared_ptr<arrow::Schema> output_;
  std::string time_zone_;
};

/// Streams a snapshot file by file.
class SnapshotReader : public arrow::RecordBatchReader {
 public:
  SnapshotReader(std::shared_ptr<const Snapshot> snapshot, std::shared_ptr<arrow::Schema> output,
                 std::vector<AddFile> files, const std::string& time_zone)
      : snapshot_(snapshot),
        output_(output),
        scanner_(snapshot, output, time_zone),
        files_(std::move(files)) {}

  std::shared_ptr<arrow::Schema> schema() const override { return output_; }

  Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    while (true) {
      if (current_) {
        RETURN_NOT_OK(current_->ReadNext(batch));
        if (*batch) return Status::OK();
        current_.reset();
      }
      if (next_file_ >= files_.size()) {
        *batch = nullptr;
        return Status::OK();
      }
      ASSIGN_OR_RAISE(auto table, scanner_.Read(files_[next_file_++]));
      current_ = std::make_unique<arrow::TableBatchReader>(table);
      table_ = table;
    }
  }

 private:
  std::shared_ptr<const Snapshot> snapshot_;
  std::shared_ptr<arrow::Schema> output_;
  FileScanner scanner_;
  std::vector<AddFile> files_;
  size_t next_file_ = 0;
  std::shared_ptr<arrow::Table> table_;
  std::unique_ptr<arrow::TableBatchReader> current_;
};

Result<std::shared_ptr<arrow::Schema>> OutputSchema(const Snapshot& snapshot,
                                                    const ScanOptions& options) {
  const auto& schema = snapshot.schema();
  if (!options.columns) return schema;
  arrow::FieldVector fields;
  for (const auto& name : *options.columns) {
    int index = schema->GetFieldIndex(name);
    if (index < 0) {
      for (int i = 0; i < schema->num_fields(); ++i) {
        if (Lower(schema->field(i)->name()) == Lower(name)) index = i;
      }
    }
    if (index < 0) {
      std::string available;
      for (const auto& f : schema->fields()) available += (available.empty() ? "`" : ", `") + f->name() + "`";
      return UserError("UNRESOLVED_COLUMN.WITH_SUGGESTION",
                       "A column with name `" + name + "` cannot be resolved. Did you mean one of "
                       "the following? [" + available + "].");
    }
    fields.push_back(schema->field(index));
  }
  return arrow::schema(fields);
}

Result<std::vector<AddFile>> FilesToScan(const Snapshot& snapshot, const ScanOptions& options) {
  if (!options.files_where) return snapshot.files();
  return SkipFiles(snapshot, *options.files_where);
}

}  // namespace

Result<io::Location> DataFileLocation(const io::Location& root, const std::string& log_path) {
  std::string path = UriDecode(log_path);
  if (path.find("://") != std::string::npos) return io::ResolveLocation(path);
  if (path.rfind("file:", 0) == 0) {
    path = path.substr(5);
    while (path.size() > 1 && path[0] == '/' && path[1] == '/') path = path.substr(1);
    return io::Location{root.fs, path};
  }
  if (!path.empty() && path[0] == '/') return io::Location{root.fs, path};
  return root.Child(path);
}

Result<std::shared_ptr<arrow::RecordBatchReader>> ScanSnapshot(
    const std::shared_ptr<const Snapshot>& snapshot, const ScanOptions& options) {
  ASSIGN_OR_RAISE(auto output, OutputSchema(*snapshot, options));
  ASSIGN_OR_RAISE(auto files, FilesToScan(*snapshot, options));
  return std::make_shared<SnapshotReader>(snapshot, output, std::move(files), options.time_zone);
}

Result<std::shared_ptr<arrow::Table>> ReadDataFile(const std::shared_ptr<const Snapshot>& snapshot,
                                                   const AddFile& file,
                                                   const std::shared_ptr<arrow::Schema>& output,
                                                   bool apply_deletion_vector,
                                                   const std::string& time_zone) {
  FileScanner scanner(snapshot, output ? output : snapshot->schema(), time_zone);
  return scanner.Read(file, apply_deletion_vector);
}

Result<std::shared_ptr<arrow::RecordBatchReader>> OpenDataFile(
    const std::shared_ptr<const Snapshot>& snapshot, const AddFile& file,
    const std::shared_ptr<arrow::Schema>& output, bool apply_deletion_vector,
    const std::string& time_zone, int64_t batch_size, std::optional<RowGroupRange> row_groups,
    std::shared_ptr<const DictionaryRowFilter> row_filter,
    std::shared_ptr<const RowPredicate> predicate) {
  auto reader = std::make_shared<DataFileBatches>(snapshot, output ? output : snapshot->schema(),
                                                  time_zone, batch_size);
  reader->SetRowFilter(std::move(row_filter));
  reader->SetPredicate(std::move(predicate));
  RETURN_NOT_OK(reader->Open(file, apply_deletion_vector, row_groups));
  return reader;
}

Result<int> DataFileRowGroups(const std::shared_ptr<const Snapshot>& snapshot,
                              const AddFile& file) {
  ASSIGN_OR_RAISE(auto location, DataFileLocation(snapshot->table_root(), file.path));
  ASSIGN_OR_RAISE(auto opened, OpenLoggedFile(location));
  try {
    auto reader = parquet::ParquetFileReader::Open(opened);
    return reader->metadata()->num_row_groups();
  } catch (const parquet::ParquetException& e) {
    return UserError("FAILED_READ_FILE",
                     "Cannot read the data file " + location.path + ": " + e.what());
  }
}

Result<std::shared_ptr<arrow::Table>> ReadSnapshot(const std::shared_ptr<const Snapshot>& snapshot,
                                                   const ScanOptions& options) {
  ASSIGN_OR_RAISE(auto output, OutputSchema(*snapshot, options));
  FileScanner scanner(snapshot, output, options.time_zone);
  ASSIGN_OR_RAISE(auto files, FilesToScan(*snapshot, options));
  std::vector<std::shared_ptr<arrow::Table>> tables;
  for (const auto& file : files) {
    ASSIGN_OR_RAISE(auto table, scanner.Read(file));
    tables.push_back(std::move(table));
  }
  if (tables.empty()) return arrow::Table::MakeEmpty(output);
  return arrow::ConcatenateTables(tables);
}

}  // namespace basin::delta
