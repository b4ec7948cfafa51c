#include "basin/delta/write.h"

#include "basin/delta/clustering.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <set>
#include <unordered_map>

#include <arrow/array.h>
#include <arrow/builder.h>
#include <arrow/compute/api.h>
#include <arrow/compute/initialize.h>
#include <arrow/io/interfaces.h>
#include <arrow/util/byte_size.h>
#include <arrow/util/decimal.h>
#include <arrow/util/key_value_metadata.h>
#include <arrow/util/thread_pool.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>
#include <parquet/exception.h>
#include <parquet/properties.h>

#include "basin/delta/conflict_checker.h"
#include "basin/delta/file_stats.h"
#include "basin/delta/replace_where.h"
#include "basin/delta/scan.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/transaction.h"
#include "basin/delta/type_widening.h"
#include "basin/format/parquet_dictionary.h"
#include "basin/types/civil_time.h"
#include "basin/types/schema_json.h"
#include "basin/types/geospatial_type.h"
#include "basin/types/variant_type.h"

namespace basin::delta {

namespace {

namespace cp = arrow::compute;

void InitializeCompute() {
  static const bool done = [] { return cp::Initialize().ok(); }();
  (void)done;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool EqualsIgnoreCase(const std::string& a, const std::string& b) { return Lower(a) == Lower(b); }

std::string JsonList(const std::vector<std::string>& items) {
  return nlohmann::json(items).dump();
}

// ---------------------------------------------------------------------------------------------
// Delta schema JSON of an Arrow schema (PROTOCOL.md, "Schema Serialization Format"). Basin's
// types layer has no SchemaToDeltaJson yet, so this file keeps a private one.

// ---------------------------------------------------------------------------------------------
// Input normalization: the Arrow types Delta stores (microsecond timestamps, 32-bit offsets,
// no dictionaries).

Result<std::shared_ptr<arrow::DataType>> StorageType(const std::shared_ptr<arrow::DataType>& type) {
  switch (type->id()) {
    case arrow::Type::TIMESTAMP: {
      const auto& ts = static_cast<const arrow::TimestampType&>(*type);
      return arrow::timestamp(arrow::TimeUnit::MICRO, ts.timezone());
    }
    case arrow::Type::DATE64: return arrow::date32();
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW: return arrow::utf8();
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::BINARY_VIEW: return arrow::binary();
    case arrow::Type::DICTIONARY:
      return StorageType(static_cast<const arrow::DictionaryType&>(*type).value_type());
    case arrow::Type::LARGE_LIST:
    case arrow::Type::LIST: {
      auto vf = static_cast<const arrow::BaseListType&>(*type).value_field();
      ASSIGN_OR_RAISE(auto inner, StorageType(vf->type()));
      return arrow::list(vf->WithType(inner));
    }
    case arrow::Type::STRUCT: {
      arrow::FieldVector fields;
      for (const auto& f : type->fields()) {
        ASSIGN_OR_RAISE(auto inner, StorageType(f->type()));
        fields.push_back(f->WithType(inner));
      }
      return arrow::struct_(fields);
    }
    case arrow::Type::MAP: {
      const auto& m = static_cast<const arrow::MapType&>(*type);
      ASSIGN_OR_RAISE(auto k, StorageType(m.key_type()));
      ASSIGN_OR_RAISE(auto v, StorageType(m.item_type()));
      return std::make_shared<arrow::MapType>(m.key_field()->WithType(k),
                                              m.item_field()->WithType(v));
    }
    case arrow::Type::NA:
      return UserError("DELTA_UNSUPPORTED_DATA_TYPE",
                       "Found columns using unsupported data types: void (a column of only "
                       "nulls with no type). Cast it to a concrete type first.");
    case arrow::Type::UINT8: return arrow::int16();
    case arrow::Type::UINT16: return arrow::int32();
    case arrow::Type::UINT32: return arrow::int64();
    default: return type;
  }
}

Result<std::shared_ptr<arrow::ChunkedArray>> CastColumn(
    const std::shared_ptr<arrow::ChunkedArray>& column,
    const std::shared_ptr<arrow::DataType>& type) {
  if (column->type()->Equals(*type)) return column;
  cp::CastOptions options = cp::CastOptions::Safe(type);
  ASSIGN_OR_RAISE(auto datum, cp::Cast(column, options));
  return datum.chunked_array();
}

Result<std::shared_ptr<arrow::Table>> NormalizeInput(const std::shared_ptr<arrow::Table>& data) {
  std::set<std::string> seen;
  arrow::FieldVector fields;
  arrow::ChunkedArrayVector columns;
  static const std::string kInvalid = " ,;{}()\n\t=";
  for (int i = 0; i < data->num_columns(); ++i) {
    auto f = data->schema()->field(i);
    if (!seen.insert(Lower(f->name())).second) {
      return UserError("DELTA_DUPLICATE_COLUMNS_FOUND",
                       "Found duplicate column(s) in the data to save: " + f->name() + ".");
    }
    if (f->name().find_first_of(kInvalid) != std::string::npos) {
      return UserError("DELTA_INVALID_CHARACTERS_IN_COLUMN_NAME",
                       "Found invalid character(s) among ' ,;{}()\\n\\t=' in the column name '" +
                           f->name() + "'. Please use other characters and try again.");
    }
    ASSIGN_OR_RAISE(auto type, StorageType(f->type()));
    ASSIGN_OR_RAISE(auto column, CastColumn(data->column(i), type));
    fields.push_back(f->WithType(type));
    columns.push_back(std::move(column));
  }
  return arrow::Table::Make(arrow::schema(fields), columns, data->num_rows());
}

// ---------------------------------------------------------------------------------------------
// Partition values (PROTOCOL.md, "Partition Value Serialization") and Hive-style directories.

Result<std::optional<std::string>> PartitionValueString(const arrow::Array& array, int64_t row) {
  if (array.IsNull(row)) return std::optional<std::string>();
  switch (array.type_id()) {
    case arrow::Type::STRING: {
      auto v = static_cast<const arrow::StringArray&>(array).GetString(row);
      // Spark stores an empty partition string as null.
      if (v.empty()) return std::optional<std::string>();
      return std::optional<std::string>(std::move(v));
    }
    case arrow::Type::BOOL:
      return std::optional<std::string>(
          static_cast<const arrow::BooleanArray&>(array).Value(row) ? "true" : "false");
    case arrow::Type::DATE32:
      return std::optional<std::string>(
          types::FormatDate(static_cast<const arrow::Date32Array&>(array).Value(row)));
    case arrow::Type::TIMESTAMP: {
      int64_t micros = static_cast<const arrow::TimestampArray&>(array).Value(row);
      std::string text = types::FormatTimestampMicros(micros, false);
      const auto& type = static_cast<const arrow::TimestampType&>(*array.type());
      if (type.timezone().empty()) {
        // TIMESTAMP_NTZ: wall-clock text, "yyyy-MM-dd HH:mm:ss[.ffffff]".
        std::replace(text.begin(), text.end(), 'T', ' ');
        return std::optional<std::string>(std::move(text));
      }
      // TIMESTAMP: ISO-8601 in UTC with six fraction digits, as delta-spark writes it, so that
      // readers in any session time zone agree ("2021-09-08T18:11:11.000000Z").
      size_t dot = text.find('.');
      if (dot == std::string::npos) {
        text += ".000000";
      } else {
        text.append(6 - (text.size() - dot - 1), '0');
      }
      text += 'Z';
      return std::optional<std::string>(std::move(text));
    }
    case arrow::Type::DECIMAL128: {
      const auto& d = static_cast<const arrow::Decimal128Array&>(array);
      const auto& type = static_cast<const arrow::Decimal128Type&>(*array.type());
      return std::optional<std::string>(
          arrow::Decimal128(d.GetValue(row)).ToString(type.scale()));
    }
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE: {
      double v = array.type_id() == arrow::Type::FLOAT
                     ? static_cast<const arrow::FloatArray&>(array).Value(row)
                     : static_cast<const arrow::DoubleArray&>(array).Value(row);
      char buf[64];
      if (v == static_cast<double>(static_cast<int64_t>(v)) && std::abs(v) < 1e7) {
        std::snprintf(buf, sizeof(buf), "%.1f", v);
      } else {
        std::snprintf(buf, sizeof(buf), "%.17g", v);
      }
      return std::optional<std::string>(buf);
    }
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64: {
      ASSIGN_OR_RAISE(auto scalar, array.GetScalar(row));
      return std::optional<std::string>(scalar->ToString());
    }
    default:
      return UserError("DELTA_INVALID_PARTITION_COLUMN_TYPE",
                       "Using column of type " + array.type()->ToString() +
                           " as a partition column is not supported.");
  }
}

// Escapes a path segment as Hive does for partition directories.
std::string EscapePathName(const std::string& text) {
  static const std::string kSpecial = "\"#%'*/:=?\\\x7F{[]^";
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || kSpecial.find(static_cast<char>(c)) != std::string::npos) {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// Percent-encodes a relative path for the log as java.net.URI does for a path component.
std::string EncodeLogPath(const std::string& path) {
  static const std::string kIllegal = " \"#%<>?[\\]^`{|}";
  std::string out;
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7F || kIllegal.find(static_cast<char>(c)) != std::string::npos) {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Data files.

struct WrittenFile {
  AddFile add;
  int64_t rows = 0;
};

// Rows per row group of the data files written (Arrow's default maximum).
constexpr int64_t kRowGroupRows = int64_t{1} << 20;

Status WriteParquet(const io::Location& file, const arrow::Table& input) {
  // Null variants may come with null children; the Parquet writer wants them non-null.
  std::shared_ptr<arrow::Table> filled;
  bool has_variant = false;
  for (const auto& field : input.schema()->fields()) {
    if (types::ContainsVariant(*field->type())) has_variant = true;
  }
  if (has_variant) {
    arrow::ChunkedArrayVector columns;
    for (int c = 0; c < input.num_columns(); ++c) {
      arrow::ArrayVector chunks;
      for (const auto& chunk : input.column(c)->chunks()) {
        ASSIGN_OR_RAISE(auto fixed, types::FillVariantChildNulls(chunk));
        chunks.push_back(fixed);
      }
      columns.push_back(std::make_shared<arrow::ChunkedArray>(chunks, input.column(c)->type()));
    }
    filled = arrow::Table::Make(input.schema(), columns, input.num_rows());
  }
  const arrow::Table& table = filled ? *filled : input;
  try {
    ASSIGN_OR_RAISE(auto out, file.fs->OpenOutputStream(file.path));
    // Decimals of precision <= 18 are stored as INT32/INT64, as Spark writes them: smaller files
    // and far cheaper to decode than big-endian fixed-length bytes.
    parquet::WriterProperties::Builder builder;
    builder.compression(parquet::Compression::SNAPPY)->enable_store_decimal_as_integer();
    for (const auto& column : format::NearlyDistinctColumns(table)) {
      builder.disable_dictionary(column);
    }
    auto props = builder.build();
    const int64_t rows = table.num_rows();
    const int64_t group_rows = std::max<int64_t>(1, std::min<int64_t>(rows, kRowGroupRows));
    // No Arrow schema is stored in the footer (Spark writes none either: the table's schema is
    // in the log); with one, readers must take its decimal128 for decimals that the file holds
    // as 32/64-bit integers, instead of reading them as the smaller decimals they are.
    if (rows == 0) {
      auto arrow_props = parquet::ArrowWriterProperties::Builder().build();
      RETURN_NOT_OK(parquet::arrow::WriteTable(table, arrow::default_memory_pool(), out, group_rows,
                                               props, arrow_props));
      return out->Close();
    }
    // The columns of a row group are encoded in parallel on Arrow's CPU pool; Arrow does that
    // only for buffered row groups (WriteTable encodes one column after the other). A thread of
    // that pool must not wait for its own pool, so it encodes the columns itself.
    const bool parallel = !arrow::internal::GetCpuThreadPool()->OwnsThisThread();
    auto arrow_props =
        parquet::ArrowWriterProperties::Builder().set_use_threads(parallel)->build();
    ASSIGN_OR_RAISE(auto writer,
                    parquet::arrow::FileWriter::Open(*table.schema(), arrow::default_memory_pool(),
                                                     out, props, arrow_props));
    for (int64_t offset = 0; offset < rows; offset += group_rows) {
      RETURN_NOT_OK(writer->NewBufferedRowGroup());
      arrow::TableBatchReader batches(table.Slice(offset, group_rows));
      batches.set_chunksize(group_rows);
      std::shared_ptr<arrow::RecordBatch> batch;
      while (true) {
        RETURN_NOT_OK(batches.ReadNext(&batch));
        if (!batch) break;
        RETURN_NOT_OK(writer->WriteRecordBatch(*batch));
      }
    }
    RETURN_NOT_OK(writer->Close());
    return out->Close();
  } catch (const parquet::ParquetException& e) {
    return Status::IOError("cannot write ", file.path, ": ", e.what());
  }
}

int NumIndexedCols(const Metadata& metadata) {
  auto it = metadata.configuration.find("delta.dataSkippingNumIndexedCols");
  if (it == metadata.configuration.end()) return 32;
  try {
    return std::stoi(it->second);
  } catch (...) {
    return 32;
  }
}

// Column mapping on write: every struct field, at any depth (inside structs, arrays and maps),
// is stored under its physical name and carries its column-mapping id as the Parquet field id.
std::shared_ptr<arrow::DataType> PhysicalType(const std::shared_ptr<arrow::DataType>& type,
                                              const std::shared_ptr<arrow::DataType>& table_type,
                                              bool* changed);

std::shared_ptr<arrow::Field> PhysicalField(const std::shared_ptr<arrow::Field>& field,
                                            const std::shared_ptr<arrow::Field>& table_field,
                                            bool* changed) {
  std::string name = field->name();
  std::shared_ptr<arrow::KeyValueMetadata> metadata;
  auto type = field->type();
  if (table_field) {
    if (table_field->metadata()) {
      if (auto phys = table_field->metadata()->Get("delta.columnMapping.physicalName"); phys.ok()) {
        name = *phys;
        *changed = true;
      }
      if (auto id = table_field->metadata()->Get("delta.columnMapping.id"); id.ok()) {
        metadata = arrow::key_value_metadata({"PARQUET:field_id"}, {*id});
      }
    }
    type = PhysicalType(type, table_field->type(), changed);
  }
  return arrow::field(name, type, field->nullable(), metadata);
}

std::shared_ptr<arrow::Field> TableChild(const arrow::DataType& table_type, const std::string& name,
                                         int index) {
  if (table_type.id() != arrow::Type::STRUCT) return nullptr;
  for (const auto& f : table_type.fields()) {
    if (Lower(f->name()) == Lower(name)) return f;
  }
  return index < table_type.num_fields() ? table_type.field(index) : nullptr;
}

std::shared_ptr<arrow::DataType> PhysicalType(const std::shared_ptr<arrow::DataType>& type,
                                              const std::shared_ptr<arrow::DataType>& table_type,
                                              bool* changed) {
  switch (type->id()) {
    case arrow::Type::STRUCT: {
      arrow::FieldVector children;
      for (int i = 0; i < type->num_fields(); ++i) {
        const auto& child = type->field(i);
        children.push_back(PhysicalField(child, TableChild(*table_type, child->name(), i), changed));
      }
      return arrow::struct_(children);
    }
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST: {
      if (table_type->num_fields() != 1) return type;
      auto element = PhysicalField(type->field(0), table_type->field(0), changed);
      if (type->id() == arrow::Type::LIST) return arrow::list(element);
      return arrow::large_list(element);
    }
    case arrow::Type::MAP: {
      if (table_type->id() != arrow::Type::MAP) return type;
      const auto& map = static_cast<const arrow::MapType&>(*type);
      const auto& table_map = static_cast<const arrow::MapType&>(*table_type);
      return std::make_shared<arrow::MapType>(
          PhysicalField(map.key_field(), table_map.key_field(), changed),
          PhysicalField(map.item_field(), table_map.item_field(), changed), map.keys_sorted());
    }
    default:
      return type;
  }
}

// The same buffers under a type whose nested field names differ (zero-copy).
std::shared_ptr<arrow::ArrayData> Retype(const std::shared_ptr<arrow::ArrayData>& data,
                                         const std::shared_ptr<arrow::DataType>& type) {
  auto out = data->Copy();
  out->type = type;
  switch (type->id()) {
    case arrow::Type::STRUCT:
      for (int i = 0; i < type->num_fields(); ++i) {
        out->child_data[i] = Retype(data->child_data[i], type->field(i)->type());
      }
      break;
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
      out->child_data[0] = Retype(data->child_data[0], type->field(0)->type());
      break;
    case arrow::Type::MAP:
      out->child_data[0] =
          Retype(data->child_data[0], static_cast<const arrow::MapType&>(*type).value_type());
      break;
    default:
      break;
  }
  return out;
}

// Renames columns, and their nested fields, to their physical names when the table uses column
// mapping.
std::shared_ptr<arrow::Table> ToPhysical(const std::shared_ptr<arrow::Table>& data,
                                         const arrow::Schema& table_schema) {
  arrow::FieldVector fields;
  bool changed = false;
  for (const auto& f : data->schema()->fields()) {
    fields.push_back(PhysicalField(f, table_schema.GetFieldByName(f->name()), &changed));
  }
  if (!changed) return data;
  arrow::ChunkedArrayVector columns;
  for (int i = 0; i < data->num_columns(); ++i) {
    const auto& type = fields[i]->type();
    if (type->Equals(*data->column(i)->type())) {
      columns.push_back(data->column(i));
      continue;
    }
    arrow::ArrayVector chunks;
    for (const auto& chunk : data->column(i)->chunks()) {
      chunks.push_back(arrow::MakeArray(Retype(chunk->data(), type)));
    }
    columns.push_back(std::make_shared<arrow::ChunkedArray>(std::move(chunks), type));
  }
  return arrow::Table::Make(arrow::schema(fields), columns, data->num_rows());
}

// Writes `data` (logical columns of the table, partition columns included) as data files.
class FileWriter {
 public:
  FileWriter(io::Location root, const Metadata& metadata, std::shared_ptr<arrow::Schema> schema,
             const WriteOptions& options)
      : root_(std::move(root)),
        metadata_(metadata),
        schema_(std::move(schema)),
        max_rows_(std::max<int64_t>(1, options.max_rows_per_file)),
        target_bytes_(std::max<int64_t>(1, options.target_file_bytes)),
        partitions_(options.partitions),
        partitions_at_most_(options.partitions_at_most) {}

  Status Write(const std::shared_ptr<arrow::Table>& data) {
    const auto& partition_columns = metadata_.partition_columns;
    std::vector<int> partition_index;
    std::vector<int> data_index;
    for (const auto& p : partition_columns) {
      int i = data->schema()->GetFieldIndex(p);
      if (i < 0) return InternalError("partition column missing from data: " + p);
      partition_index.push_back(i);
    }
    for (int i = 0; i < data->num_columns(); ++i) {
      if (std::find(partition_index.begin(), partition_index.end(), i) == partition_index.end()) {
        data_index.push_back(i);
      }
    }
    ASSIGN_OR_RAISE(auto data_only, data->SelectColumns(data_index));
    if (partition_columns.empty()) return WriteGroup(data_only, {});
    if (data->num_rows() == 0) return Status::OK();

    ASSIGN_OR_RAISE(auto combined, data->CombineChunks());
    // Group rows by their partition values, keeping groups in first-seen order.
    std::map<std::vector<std::optional<std::string>>, std::vector<int64_t>> groups;
    std::vector<std::vector<std::optional<std::string>>> order;
    std::vector<std::shared_ptr<arrow::Array>> part_arrays;
    for (int i : partition_index) part_arrays.push_back(combined->column(i)->chunk(0));
    for (int64_t row = 0; row < combined->num_rows(); ++row) {
      std::vector<std::optional<std::string>> key;
      for (const auto& array : part_arrays) {
        ASSIGN_OR_RAISE(auto v, PartitionValueString(*array, row));
        key.push_back(std::move(v));
      }
      auto [it, inserted] = groups.try_emplace(key);
      if (inserted) order.push_back(key);
      it->second.push_back(row);
    }
    ASSIGN_OR_RAISE(auto data_combined, data_only->CombineChunks());
    for (const auto& key : order) {
      const auto& rows = groups[key];
      arrow::Int64Builder indices;
      RETURN_NOT_OK(indices.AppendValues(rows));
      ASSIGN_OR_RAISE(auto index_array, indices.Finish());
      ASSIGN_OR_RAISE(auto taken, cp::Take(data_combined, index_array));
      std::map<std::string, std::optional<std::string>> values;
      for (size_t p = 0; p < partition_columns.size(); ++p) {
        values[partition_columns[p]] = key[p];
      }
      RETURN_NOT_OK(WriteGroup(taken.table(), values));
    }
    return Status::OK();
  }

  const std::vector<WrittenFile>& files() const { return files_; }

  /// Deletes the files written so far (after a failed commit).
  void Abort() {
    for (const auto& f : files_) {
      (void)root_.fs->DeleteFile(root_.Child(DecodeLogPath(f.add.path)).path);
    }
  }

 private:
  Status WriteGroup(const std::shared_ptr<arrow::Table>& rows,
                    const std::map<std::string, std::optional<std::string>>& partition_values) {
    std::string dir;
    for (const auto& column : metadata_.partition_columns) {
      const auto& v = partition_values.at(column);
      dir += EscapePathName(column) + "=" +
             (v ? EscapePathName(*v) : std::string("__HIVE_DEFAULT_PARTITION__")) + "/";
    }
    if (!dir.empty()) {
      RETURN_NOT_OK(root_.fs->CreateDir(root_.Child(dir.substr(0, dir.size() - 1)).path, true));
    } else {
      RETURN_NOT_OK(root_.fs->CreateDir(root_.path, true));
    }
    // Files of about target_bytes_ in memory, at most max_rows_ rows each. An empty first
    // write still gets one (empty) file.
    int64_t total_rows = rows->num_rows();
    int64_t bytes = 0;
    for (const auto& column : rows->columns()) {
      for (const auto& chunk : column->chunks()) bytes += arrow::util::TotalBufferSize(*chunk->data());
    }
    int64_t by_size = total_rows == 0 ? 1 : std::max<int64_t>(1, (bytes + target_bytes_ - 1) / target_bytes_);
    int64_t by_rows = (total_rows + max_rows_ - 1) / max_rows_;
    int64_t num_files = std::max<int64_t>(1, std::max(by_size, by_rows));
    if (partitions_ && *partitions_ > 0) {
      // Spark writes a file per partition that has rows (repartition(n)), or at most n
      // (coalesce(n)); it splits files by maxRecordsPerFile only, never by size.
      const int64_t wanted = partitions_at_most_ ? std::min(by_size, *partitions_)
                                                 : std::min(*partitions_, total_rows);
      num_files = std::max<int64_t>(1, std::max(wanted, by_rows));
    }
    if (total_rows == 0 && !files_.empty()) return Status::OK();

    struct Job {
      size_t index;
      io::Location file;
      std::shared_ptr<arrow::Table> slice;
    };
    std::vector<Job> jobs;
    if (total_rows > 0) num_files = std::min(num_files, total_rows);
    for (int64_t f = 0; f < num_files; ++f) {
      // Rows spread evenly over the files (an empty first write gets one empty file).
      const int64_t begin = f * total_rows / num_files;
      auto slice = rows->Slice(begin, (f + 1) * total_rows / num_files - begin);
      char part[32];
      std::snprintf(part, sizeof(part), "part-%05d-", static_cast<int>(files_.size()));
      std::string name = dir + part + NewUuid() + ".c000.snappy.parquet";
      WrittenFile written;
      written.add.path = EncodeLogPath(name);
      written.rows = slice->num_rows();
      written.add.partition_values = partition_values;
      written.add.data_change = true;
      // Record the file before writing so that Abort() also removes a partly written one.
      files_.push_back(written);
      jobs.push_back(Job{files_.size() - 1, root_.Child(name), slice});
      if (total_rows == 0) break;
    }
    FileStatsOptions stats_options;
    stats_options.num_indexed_cols = NumIndexedCols(metadata_);
    auto run = [&](const Job& job) -> Status {
      auto physical = ToPhysical(job.slice, *schema_);
      // Statistics are computed on a second thread while the Parquet encoder runs.
      auto stats = std::async(std::launch::async, [physical, stats_options] {
        return ComputeFileStatsJson(*physical, stats_options);
      });
      Status written_status = WriteParquet(job.file, *physical);
      auto stats_json = stats.get();
      RETURN_NOT_OK(written_status);
      ASSIGN_OR_RAISE(auto info, root_.fs->GetFileInfo(job.file.path));
      auto& w = files_[job.index];
      w.add.size = info.size();
      w.add.modification_time = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    info.mtime().time_since_epoch())
                                    .count();
      ASSIGN_OR_RAISE(w.add.stats, std::move(stats_json));
      return Status::OK();
    };
    // Two files at a time: the encoder of one overlaps with the other's.
    for (size_t i = 0; i < jobs.size(); i += 2) {
      std::future<Status> second;
      if (i + 1 < jobs.size()) second = std::async(std::launch::async, run, std::cref(jobs[i + 1]));
      Status first = run(jobs[i]);
      Status other = second.valid() ? second.get() : Status::OK();
      RETURN_NOT_OK(first);
      RETURN_NOT_OK(other);
    }
    return Status::OK();
  }

  io::Location root_;
  const Metadata& metadata_;
  std::shared_ptr<arrow::Schema> schema_;
  int64_t max_rows_;
  int64_t target_bytes_;
  std::optional<int64_t> partitions_;
  bool partitions_at_most_;
  std::vector<WrittenFile> files_;
};

// ---------------------------------------------------------------------------------------------
// Protocol (PROTOCOL.md, "Table Features", "Protocol Evolution").

bool IsTrue(const std::map<std::string, std::string>& config, const std::string& key) {
  auto it = config.find(key);
  return it != config.end() && Lower(it->second) == "true";
}

bool HasNtz(const arrow::DataType& type) {
  if (type.id() == arrow::Type::TIMESTAMP) {
    return static_cast<const arrow::TimestampType&>(type).timezone().empty();
  }
  for (const auto& f : type.fields()) {
    if (HasNtz(*f->type())) return true;
  }
  return false;
}

// Returns the protocol a table with `configuration` and `schema` needs. For a `new_table`, as
// delta-spark 4.4 creates one: (1, 2) when that is enough, else table features (writer 7) that
// list every feature in use plus appendOnly and invariants (which (1, 2) has), with reader 3
// only for reader-writer table features and reader 2 for column mapping alone.
Protocol RequiredProtocol(const std::map<std::string, std::string>& config,
                          const arrow::Schema& schema, bool new_table = false) {
  static const std::set<std::string> kReaderWriterFeatures = {
      "columnMapping", "deletionVectors", "timestampNtz", "v2Checkpoint",
      "typeWidening",  "typeWidening-preview", "vacuumProtocolCheck", "variantType",
      "variantType-preview"};
  int reader = 1, writer = 2;
  std::set<std::string> features;  // table features that need (x, 7)
  std::set<std::string> legacy;    // legacy features in use, listed if (x, 7) is needed
  if (IsTrue(config, "delta.appendOnly")) legacy.insert("appendOnly");
  for (const auto& f : schema.fields()) {
    if (f->metadata() && f->metadata()->Contains("delta.generationExpression")) {
      writer = std::max(writer, 4);
      legacy.insert("generatedColumns");
    }
    if (f->metadata() && f->metadata()->Contains("delta.identity.start")) {
      writer = std::max(writer, 6);
      legacy.insert("identityColumns");
    }
  }
  if (IsTrue(config, "delta.enableChangeDataFeed")) {
    writer = std::max(writer, 4);
    legacy.insert("changeDataFeed");
  }
  auto mapping = config.find("delta.columnMapping.mode");
  if (mapping != config.end() && mapping->second != "none") {
    reader = std::max(reader, 2);
    writer = std::max(writer, 5);
    legacy.insert("columnMapping");
  }
  if (IsTrue(config, "delta.enableDeletionVectors")) features.insert("deletionVectors");
  if (IsTrue(config, "delta.enableInCommitTimestamps")) features.insert("inCommitTimestamp");
  if (IsTrue(config, "delta.enableTypeWidening")) features.insert("typeWidening");
  auto policy = config.find("delta.checkpointPolicy");
  if (policy != config.end() && policy->second == "v2") features.insert("v2Checkpoint");
  for (const auto& f : schema.fields()) {
    if (HasNtz(*f->type())) features.insert("timestampNtz");
    if (types::ContainsVariant(*f->type())) features.insert("variantType");
  }
  for (const auto& [key, value] : config) {
    if (key.rfind("delta.feature.", 0) == 0) features.insert(key.substr(14));
  }
  Protocol protocol;
  if (features.empty() && (!new_table || writer <= 2)) {
    protocol.min_reader_version = reader;
    protocol.min_writer_version = writer;
    return protocol;
  }
  features.insert(legacy.begin(), legacy.end());
  if (new_table) features.insert({"appendOnly", "invariants"});
  std::vector<std::string> reader_features, writer_features;
  for (const auto& f : features) {
    writer_features.push_back(f);
    if (kReaderWriterFeatures.count(f) > 0) reader_features.push_back(f);
  }
  protocol.min_writer_version = 7;
  protocol.writer_features = writer_features;
  if (new_table && reader_features == std::vector<std::string>{"columnMapping"}) {
    protocol.min_reader_version = 2;  // column mapping's legacy reader version is enough
  } else if (!reader_features.empty()) {
    protocol.min_reader_version = 3;
    protocol.reader_features = reader_features;
  } else {
    protocol.min_reader_version = reader;
  }
  return protocol;
}

// Assigns column-mapping ids and physical names to every field (PROTOCOL.md, "Column Mapping").
std::shared_ptr<arrow::Field> AssignColumnMapping(const std::shared_ptr<arrow::Field>& field,
                                                  int64_t* max_id);

// Assigns column mapping to the struct fields inside `type`, through arrays and maps.
std::shared_ptr<arrow::DataType> AssignNestedColumnMapping(const std::shared_ptr<arrow::DataType>& type,
                                                           int64_t* max_id) {
  switch (type->id()) {
    case arrow::Type::STRUCT: {
      arrow::FieldVector children;
      for (const auto& c : type->fields()) children.push_back(AssignColumnMapping(c, max_id));
      return arrow::struct_(children);
    }
    case arrow::Type::LIST:
      return arrow::list(type->field(0)->WithType(AssignNestedColumnMapping(type->field(0)->type(), max_id)));
    case arrow::Type::LARGE_LIST:
      return arrow::large_list(
          type->field(0)->WithType(AssignNestedColumnMapping(type->field(0)->type(), max_id)));
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(*type);
      auto key = map.key_field()->WithType(AssignNestedColumnMapping(map.key_type(), max_id));
      auto item = map.item_field()->WithType(AssignNestedColumnMapping(map.item_type(), max_id));
      return std::make_shared<arrow::MapType>(key, item, map.keys_sorted());
    }
    default:
      return type;
  }
}

std::shared_ptr<arrow::Field> AssignColumnMapping(const std::shared_ptr<arrow::Field>& field,
                                                  int64_t* max_id) {
  auto type = AssignNestedColumnMapping(field->type(), max_id);
  if (field->metadata() && field->metadata()->Contains("delta.columnMapping.id")) {
    return field->WithType(type);
  }
  auto meta = field->metadata() ? field->metadata()->Copy()
                                : std::make_shared<arrow::KeyValueMetadata>();
  meta->Append("delta.columnMapping.id", std::to_string(++*max_id));
  meta->Append("delta.columnMapping.physicalName", "col-" + NewUuid());
  return field->WithType(type)->WithMetadata(meta);
}

// ---------------------------------------------------------------------------------------------
// Schema enforcement against an existing table.

bool IsIntegerWidening(const arrow::DataType& from, const arrow::DataType& to) {
  auto rank = [](arrow::Type::type id) {
    switch (id) {
      case arrow::Type::INT8: return 1;
      case arrow::Type::INT16: return 2;
      case arrow::Type::INT32: return 3;
      case arrow::Type::INT64: return 4;
      default: return 0;
    }
  };
  return rank(from.id()) > 0 && rank(to.id()) > 0 && rank(from.id()) < rank(to.id());
}

// Types equal up to nullability and field metadata.
bool SameType(const arrow::DataType& a, const arrow::DataType& b) {
  if (a.id() != b.id()) return false;
  if (a.num_fields() != b.num_fields()) return false;
  if (a.num_fields() == 0) return a.Equals(b);
  for (int i = 0; i < a.num_fields(); ++i) {
    if (a.id() == arrow::Type::STRUCT && !EqualsIgnoreCase(a.field(i)->name(), b.field(i)->name())) {
      return false;
    }
    if (!SameType(*a.field(i)->type(), *b.field(i)->type())) return false;
  }
  return true;
}

struct Reconciled {
  std::shared_ptr<arrow::Table> data;        // columns in table order (+ new ones)
  std::shared_ptr<arrow::Schema> schema;     // the table schema after the write
  bool schema_changed = false;
};

Result<Reconciled> ReconcileSchema(const std::shared_ptr<arrow::Table>& data,
                                   const arrow::Schema& table_schema, const Metadata& metadata,
                                   bool merge_schema) {
  Reconciled out;
  arrow::FieldVector fields;
  arrow::ChunkedArrayVector columns;
  std::set<int> used;
  std::string table_id = metadata.id;
  auto widening = metadata.configuration.find("delta.enableTypeWidening");
  const bool type_widening = widening != metadata.configuration.end() &&
                             EqualsIgnoreCase(widening->second, "true");
  for (auto tf : table_schema.fields()) {
    int found = -1;
    for (int i = 0; i < data->num_columns(); ++i) {
      if (EqualsIgnoreCase(data->schema()->field(i)->name(), tf->name())) found = i;
    }
    if (found < 0) {
      if (!tf->nullable()) {
        return UserError("DELTA_NOT_NULL_CONSTRAINT_VIOLATED",
                         "NOT NULL constraint violated for column: " + tf->name() +
                             ". The data to write has no column '" + tf->name() + "'.");
      }
      ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(tf->type(), data->num_rows()));
      fields.push_back(tf);
      columns.push_back(std::make_shared<arrow::ChunkedArray>(nulls));
      continue;
    }
    used.insert(found);
    auto column = data->column(found);
    const auto& df = data->schema()->field(found);
    if (!SameType(*df->type(), *tf->type())) {
      // Without mergeSchema a narrower integer is cast up; with it, Delta merges the two types
      // and refuses the pair (int into a long column fails with DELTA_FAILED_TO_MERGE_FIELDS).
      if (IsIntegerWidening(*df->type(), *tf->type()) && !merge_schema) {
        ASSIGN_OR_RAISE(column, CastColumn(column, tf->type()));
      } else if (merge_schema && type_widening && IsAutomaticTypeWidening(*tf->type(), *df->type())) {
        // Type widening with schema evolution: the column takes the data's wider type (no file
        // is rewritten; readers widen the older files' values).
        ASSIGN_OR_RAISE(tf, WidenFieldType(tf, df->type()));
        out.schema_changed = true;
        if (!column->type()->Equals(*tf->type())) {
          auto casted = CastColumn(column, tf->type());
          if (casted.ok()) column = *casted;
        }
      } else if (merge_schema) {
        return UserError("DELTA_FAILED_TO_MERGE_FIELDS",
                         "Failed to merge fields '" + tf->name() + "' and '" + df->name() +
                             "': incompatible data types " + tf->type()->ToString() + " and " +
                             df->type()->ToString() + ".");
      } else {
        return UserError(
            "DELTA_METADATA_MISMATCH",
            "A schema mismatch detected when writing to the Delta table (Table ID: " + table_id +
                "). Column '" + tf->name() + "' has type " + tf->type()->ToString() +
                " in the table but " + df->type()->ToString() +
                " in the data. To overwrite your schema use .option(\"overwriteSchema\", "
                "\"true\") with mode overwrite.");
      }
    } else if (!column->type()->Equals(*tf->type())) {
      // Same shape, other nullability or names: take the table's type.
      auto casted = CastColumn(column, tf->type());
      if (casted.ok()) column = *casted;
    }
    if (!tf->nullable() && column->null_count() > 0) {
      return UserError("DELTA_NOT_NULL_CONSTRAINT_VIOLATED",
                       "NOT NULL constraint violated for column: " + tf->name() + ".");
    }
    fields.push_back(tf);
    columns.push_back(column);
  }
  for (int i = 0; i < data->num_columns(); ++i) {
    if (used.count(i) > 0) continue;
    const auto& df = data->schema()->field(i);
    if (!merge_schema) {
      return UserError(
          "DELTA_METADATA_MISMATCH",
          "A schema mismatch detected when writing to the Delta table (Table ID: " + table_id +
              "). The data has the column '" + df->name() +
              "', which is not in the table schema. To enable schema migration using "
              "DataFrameWriter, set .option(\"mergeSchema\", \"true\").");
    }
    // New columns are always nullable: existing rows have no value for them.
    fields.push_back(df->WithNullable(true));
    columns.push_back(data->column(i));
    out.schema_changed = true;
  }
  out.schema = arrow::schema(fields);
  out.data = arrow::Table::Make(out.schema, columns, data->num_rows());
  return out;
}

std::string ModeName(SaveMode mode) {
  switch (mode) {
    case SaveMode::kAppend: return "Append";
    case SaveMode::kOverwrite: return "Overwrite";
    case SaveMode::kErrorIfExists: return "ErrorIfExists";
    case SaveMode::kIgnore: return "Ignore";
  }
  return "Append";
}

RemoveFile RemoveOf(const AddFile& add, int64_t now) {
  RemoveFile r;
  r.path = add.path;
  r.deletion_timestamp = now;
  r.data_change = true;
  r.extended_file_metadata = true;
  r.partition_values = add.partition_values;
  r.size = add.size;
  r.stats = add.stats;
  r.tags = add.tags;
  r.deletion_vector = add.deletion_vector;
  r.base_row_id = add.base_row_id;
  r.default_row_commit_version = add.default_row_commit_version;
  return r;
}

// ---------------------------------------------------------------------------------------------
// replaceWhere (Delta's "selective overwrite").

// Returns one row per file holding the file's partition values typed as the table's columns.
Result<std::shared_ptr<arrow::Table>> PartitionValuesTable(const std::vector<AddFile>& files,
                                                           const arrow::Schema& schema,
                                                           const Metadata& metadata) {
  arrow::FieldVector fields;
  arrow::ChunkedArrayVector columns;
  for (const auto& p : metadata.partition_columns) {
    auto field = schema.GetFieldByName(p);
    if (!field) return InternalError("partition column not in schema: " + p);
    arrow::StringBuilder b;
    for (const auto& f : files) {
      auto it = f.partition_values.find(p);
      if (it == f.partition_values.end() || !it->second) {
        RETURN_NOT_OK(b.AppendNull());
      } else {
        RETURN_NOT_OK(b.Append(*it->second));
      }
    }
    ASSIGN_OR_RAISE(auto strings, b.Finish());
    ASSIGN_OR_RAISE(auto typed, cp::Cast(strings, field->type()));
    fields.push_back(field);
    columns.push_back(std::make_shared<arrow::ChunkedArray>(typed.make_array()));
  }
  return arrow::Table::Make(arrow::schema(fields), columns, static_cast<int64_t>(files.size()));
}

}  // namespace

namespace {

// Appends "path: TimeType(p)" for every TIME under `type` (Spark's names in the error).
void FindUnsupportedTypes(const std::string& path, const arrow::DataType& type,
                          std::vector<std::string>* found) {
  if (type.id() == arrow::Type::TIME64) {
    found->push_back(path + ": TimeType(6)");
    return;
  }
  if (type.id() == arrow::Type::STRUCT) {
    for (const auto& f : type.fields())
      FindUnsupportedTypes(path + "." + f->name(), *f->type(), found);
    return;
  }
  if (type.id() == arrow::Type::LIST) {
    FindUnsupportedTypes(path + "[]", *type.field(0)->type(), found);
    return;
  }
  for (const auto& f : type.fields()) FindUnsupportedTypes(path, *f->type(), found);
}

}  // namespace

Status CheckSupportedTypes(const arrow::Schema& schema) {
  // delta-spark 4.4 refuses GEOMETRY and GEOGRAPHY columns outright (nested ones too), before
  // any other type check.
  for (const auto& f : schema.fields()) {
    if (types::ContainsSpatial(*f->type())) {
      return UserError("DELTA_GEOSPATIAL_NOT_SUPPORTED",
                       "Geospatial types are not supported in this version of Delta Lake.");
    }
  }
  std::vector<std::string> found;
  for (const auto& f : schema.fields()) FindUnsupportedTypes(f->name(), *f->type(), &found);
  if (found.empty()) return Status::OK();
  std::string list;
  for (const auto& f : found) list += (list.empty() ? "" : ", ") + f;
  return UserError("DELTA_UNSUPPORTED_DATA_TYPES",
                   "Found columns using unsupported data types: [" + list +
                       "]. You can set 'spark.databricks.delta.schema.typeCheck.enabled' to "
                       "'false' to disable the type check. Disabling this type check may allow "
                       "users to create unsupported Delta tables and should only be used when "
                       "trying to read/write legacy tables.");
}

Result<WriteResult> WriteTable(const io::Location& table_root,
                               const std::shared_ptr<arrow::Table>& input,
                               const WriteOptions& options) {
  InitializeCompute();
  if (!input) return Status::Invalid("WriteTable: no data");
  if (options.overwrite_schema && options.mode != SaveMode::kOverwrite) {
    return UserError("INVALID_PARAMETER_VALUE",
                     "overwriteSchema can only be used with mode overwrite.");
  }
  if (options.replace_where && options.mode != SaveMode::kOverwrite) {
    return UserError("INVALID_PARAMETER_VALUE", "replaceWhere can only be used with mode overwrite.");
  }
  if (options.replace_where && options.overwrite_schema) {
    return UserError("INVALID_PARAMETER_VALUE",
                     "'replaceWhere' cannot be used with 'overwriteSchema'.");
  }
  ASSIGN_OR_RAISE(auto txn, Transaction::Begin(table_root));
  auto snapshot = txn.read_snapshot();
  WriteResult result;
  if (snapshot) {
    result.version = snapshot->version();
    if (options.mode == SaveMode::kErrorIfExists) {
      return UserError("DELTA_PATH_EXISTS", "Cannot write to already existent path " +
                                                table_root.path +
                                                " without setting OVERWRITE = 'true'.");
    }
    if (options.mode == SaveMode::kIgnore) {
      result.skipped = true;
      return result;
    }
    if (options.txn) {
      auto it = snapshot->app_transactions().find(options.txn->app_id);
      if (it != snapshot->app_transactions().end() &&
          it->second.version >= options.txn->version) {
        result.skipped = true;
        return result;
      }
    }
  }
  ASSIGN_OR_RAISE(auto data, NormalizeInput(input));
  int64_t now = NowMs();

  // The table's metadata after this write.
  bool replace_schema =
      !snapshot || (options.mode == SaveMode::kOverwrite && options.overwrite_schema);
  Metadata metadata;
  std::shared_ptr<arrow::Schema> schema;
  bool metadata_changed = false;
  std::vector<Action> extra_actions;  // e.g. the clustering domain metadata
  std::optional<Protocol> new_protocol;
  if (replace_schema) {
    std::vector<std::string> partition_columns;
    for (const auto& p : options.partition_by) {
      int i = -1;
      for (int c = 0; c < data->num_columns(); ++c) {
        if (EqualsIgnoreCase(data->schema()->field(c)->name(), p)) i = c;
      }
      if (i < 0) {
        return UserError("DELTA_PARTITION_COLUMN_NOT_FOUND",
                         "Partition column '" + p + "' not found in schema [" +
                             data->schema()->ToString() + "].");
      }
      auto id = data->schema()->field(i)->type()->id();
      if (id == arrow::Type::STRUCT || id == arrow::Type::LIST || id == arrow::Type::MAP ||
          id == arrow::Type::BINARY) {
        return UserError("DELTA_INVALID_PARTITION_COLUMN_TYPE",
                         "Using column " + p + " of type " +
                             data->schema()->field(i)->type()->ToString() +
                             " as a partition column is not supported.");
      }
      partition_columns.push_back(data->schema()->field(i)->name());
    }
    if (!partition_columns.empty() &&
        partition_columns.size() == static_cast<size_t>(data->num_columns())) {
      return UserError("DELTA_CANNOT_USE_ALL_COLUMNS_FOR_PARTITION",
                       "Cannot use all columns for partition columns.");
    }
    if (snapshot) {
      metadata = snapshot->metadata();
    } else {
      metadata.id = NewUuid();
      metadata.created_time = now;
    }
    for (const auto& [k, v] : options.table_properties) metadata.configuration[k] = v;
    if (options.description) metadata.description = *options.description;
    metadata.partition_columns = partition_columns;
    schema = data->schema();
    auto mapping = metadata.configuration.find("delta.columnMapping.mode");
    if (mapping != metadata.configuration.end() && mapping->second != "none") {
      int64_t max_id = 0;
      arrow::FieldVector fields;
      for (const auto& f : schema->fields()) fields.push_back(AssignColumnMapping(f, &max_id));
      schema = arrow::schema(fields);
      metadata.configuration["delta.columnMapping.maxColumnId"] = std::to_string(max_id);
    }
    RETURN_NOT_OK(CheckSupportedTypes(*schema));
    ASSIGN_OR_RAISE(metadata.schema_string, types::SchemaToDeltaJson(*schema));
    metadata_changed = true;
    Protocol required = RequiredProtocol(metadata.configuration, *schema, !snapshot);
    if (!snapshot) {
      new_protocol = required;
    } else if (required.min_reader_version > snapshot->protocol().min_reader_version ||
               required.min_writer_version > snapshot->protocol().min_writer_version) {
      new_protocol = required;
    }
    if (!options.cluster_by.empty()) {
      ASSIGN_OR_RAISE(auto actions,
                      ClusterByActions(new_protocol ? *new_protocol : snapshot->protocol(),
                                       metadata, options.cluster_by));
      for (auto& action : actions) {
        if (auto* p = std::get_if<Protocol>(&action)) {
          new_protocol = *p;
        } else {
          extra_actions.push_back(std::move(action));
        }
      }
    }
  } else {
    metadata = snapshot->metadata();
    if (!options.partition_by.empty()) {
      bool same = options.partition_by.size() == metadata.partition_columns.size();
      for (size_t i = 0; same && i < options.partition_by.size(); ++i) {
        same = EqualsIgnoreCase(options.partition_by[i], metadata.partition_columns[i]);
      }
      if (!same) {
        return UserError("DELTA_METADATA_MISMATCH",
                         "Partition columns do not match the partition columns of the table.\n"
                         "Given: " + JsonList(options.partition_by) + "\nTable: " +
                             JsonList(metadata.partition_columns));
      }
    }
    if (!snapshot->schema()) return InternalError("snapshot has no schema");
    ASSIGN_OR_RAISE(auto reconciled,
                    ReconcileSchema(data, *snapshot->schema(), metadata, options.merge_schema));
    data = reconciled.data;
    schema = reconciled.schema;
    if (reconciled.schema_changed) {
      auto mapping = metadata.configuration.find("delta.columnMapping.mode");
      if (mapping != metadata.configuration.end() && mapping->second != "none") {
        int64_t max_id = 0;
        auto max_it = metadata.configuration.find("delta.columnMapping.maxColumnId");
        if (max_it != metadata.configuration.end()) max_id = std::stoll(max_it->second);
        arrow::FieldVector fields;
        for (const auto& f : schema->fields()) fields.push_back(AssignColumnMapping(f, &max_id));
        schema = arrow::schema(fields);
        metadata.configuration["delta.columnMapping.maxColumnId"] = std::to_string(max_id);
      }
      RETURN_NOT_OK(CheckSupportedTypes(*schema));
      ASSIGN_OR_RAISE(metadata.schema_string, types::SchemaToDeltaJson(*schema));
      metadata_changed = true;
      Protocol required = RequiredProtocol(metadata.configuration, *schema);
      if (required.min_writer_version > snapshot->protocol().min_writer_version) {
        new_protocol = required;
      }
    }
    if (options.updated_table_schema) {
      // The same columns with new field metadata (identity columns' high-water marks).
      ASSIGN_OR_RAISE(metadata.schema_string,
                      types::SchemaToDeltaJson(*options.updated_table_schema));
      metadata_changed = true;
    }
  }
  RETURN_NOT_OK(CheckWriteSupported(new_protocol ? *new_protocol : snapshot->protocol(), metadata,
                                    options.constraints_checked));
  if (options.constraints_checked) txn.SetGeneratedColumnsComputed();
  RETURN_NOT_OK(CheckConstraints(metadata, data, options.constraints_checked));

  // replaceWhere: the written rows must all match the predicate.
  std::optional<Predicate> predicate;
  if (options.replace_where) {
    ASSIGN_OR_RAISE(predicate, Predicate::Parse(*options.replace_where));
    for (const auto& column : predicate->columns()) {
      if (!schema->GetFieldByName(column)) {
        bool found = false;
        for (const auto& f : schema->fields()) found = found || EqualsIgnoreCase(f->name(), column);
        if (!found) {
          return UserError("DELTA_COLUMN_NOT_FOUND",
                           "Unable to find the column '" + column + "' of the replaceWhere "
                           "predicate among the table columns.");
        }
      }
    }
    ASSIGN_OR_RAISE(auto matches, predicate->Evaluate(*data));
    if (matches->true_count() != matches->length()) {
      return UserError("DELTA_REPLACE_WHERE_MISMATCH",
                       "Written data does not conform to partial table overwrite condition or "
                       "constraint '" + *options.replace_where + "'.");
    }
  }

  // Files this write removes (overwrite) and rows it must keep (replaceWhere on data columns).
  std::vector<AddFile> removed;
  std::shared_ptr<arrow::Table> kept_rows;
  if (snapshot && options.mode == SaveMode::kOverwrite) {
    txn.MarkTableRead();
    const auto& files = snapshot->files();
    if (!predicate) {
      removed = files;
    } else {
      bool partition_only = true;
      for (const auto& c : predicate->columns()) {
        bool is_partition = false;
        for (const auto& p : metadata.partition_columns) is_partition |= EqualsIgnoreCase(p, c);
        partition_only &= is_partition;
      }
      if (partition_only && !metadata.partition_columns.empty()) {
        ASSIGN_OR_RAISE(auto values, PartitionValuesTable(files, *snapshot->schema(), metadata));
        ASSIGN_OR_RAISE(auto matches, predicate->Evaluate(*values));
        for (size_t i = 0; i < files.size(); ++i) {
          if (matches->IsValid(i) && matches->Value(i)) removed.push_back(files[i]);
        }
      } else {
        std::vector<std::shared_ptr<arrow::Table>> keep;
        for (const auto& file : files) {
          ASSIGN_OR_RAISE(auto rows, ReadDataFile(snapshot, file, nullptr, /*apply_deletion_vector=*/true));
          ASSIGN_OR_RAISE(auto matches, predicate->Evaluate(*rows));
          if (matches->true_count() == 0) continue;
          removed.push_back(file);
          if (matches->true_count() == rows->num_rows()) continue;
          // Keep the rows for which the predicate is false or unknown.
          ASSIGN_OR_RAISE(auto not_matching, cp::CallFunction("invert", {matches}));
          ASSIGN_OR_RAISE(auto keep_mask,
                          cp::CallFunction("coalesce", {not_matching, arrow::Datum(true)}));
          ASSIGN_OR_RAISE(auto filtered, cp::Filter(rows, keep_mask));
          keep.push_back(filtered.table());
        }
        if (!keep.empty()) {
          ASSIGN_OR_RAISE(kept_rows, arrow::ConcatenateTables(keep));
        }
      }
    }
    std::vector<std::string> paths;
    for (const auto& f : removed) paths.push_back(f.path);
    txn.MarkFilesRead(paths);
  }

  FileWriter writer(table_root, metadata, schema, options);
  Status written = Status::OK();
  if (!(options.no_empty_file && data->num_rows() == 0)) written = writer.Write(data);
  if (written.ok() && kept_rows) written = writer.Write(kept_rows);
  if (!written.ok()) {
    writer.Abort();
    return written;
  }

  if (metadata_changed) txn.UpdateMetadata(metadata);
  if (new_protocol) txn.UpdateProtocol(*new_protocol);
  for (const auto& action : extra_actions) txn.AddAction(action);
  if (options.txn) txn.SetAppTransaction(*options.txn);
  int64_t removed_bytes = 0;
  for (const auto& f : removed) {
    txn.Remove(RemoveOf(f, now));
    removed_bytes += f.size;
  }
  for (const auto& f : writer.files()) {
    txn.Add(f.add);
    result.num_files += 1;
    result.num_rows += f.rows;
    result.num_bytes += f.add.size;
  }

  nlohmann::json parameters = {{"mode", ModeName(options.mode)},
                               {"partitionBy", JsonList(options.partition_by)}};
  if (predicate) parameters["predicate"] = JsonList({predicate->text()});
  if (options.operation_parameters) parameters = *options.operation_parameters;
  nlohmann::json metrics = {{"numFiles", std::to_string(result.num_files)},
                            {"numOutputRows", std::to_string(result.num_rows)},
                            {"numOutputBytes", std::to_string(result.num_bytes)}};
  if (!removed.empty()) {
    metrics["numRemovedFiles"] = std::to_string(removed.size());
    metrics["numRemovedBytes"] = std::to_string(removed_bytes);
  }
  if (kept_rows) metrics["numCopiedRows"] = std::to_string(kept_rows->num_rows());
  auto committed = txn.Commit(options.operation, parameters, metrics);
  if (!committed.ok()) {
    writer.Abort();
    return committed.status();
  }
  result.version = committed->version;
  return result;
}

RemoveFile RemoveActionOf(const AddFile& add, int64_t now_ms) { return RemoveOf(add, now_ms); }

Result<std::vector<AddFile>> WriteDataFiles(const io::Location& table_root,
                                            const Metadata& metadata,
                                            const std::shared_ptr<arrow::Table>& data) {
  ASSIGN_OR_RAISE(auto schema, types::SchemaFromDeltaJson(metadata.schema_string));
  WriteOptions defaults;
  FileWriter writer(table_root, metadata, schema, defaults);
  Status written = writer.Write(data);
  if (!written.ok()) {
    writer.Abort();
    return written;
  }
  std::vector<AddFile> adds;
  for (const auto& f : writer.files()) adds.push_back(f.add);
  return adds;
}

std::optional<Protocol> UpgradedProtocol(const Protocol& current,
                                         const std::map<std::string, std::string>& configuration,
                                         const arrow::Schema& schema) {
  Protocol required = RequiredProtocol(configuration, schema);
  if (required.min_writer_version < 7 && current.min_writer_version < 7) {
    if (required.min_reader_version <= current.min_reader_version &&
        required.min_writer_version <= current.min_writer_version) {
      return std::nullopt;
    }
    Protocol out = current;
    out.min_reader_version = std::max(current.min_reader_version, required.min_reader_version);
    out.min_writer_version = std::max(current.min_writer_version, required.min_writer_version);
    return out;
  }
  // The features `current` has, listed or implied by its legacy versions.
  std::vector<std::string> writer, reader;
  if (current.min_writer_version >= 7) {
    writer = current.writer_features.value_or(std::vector<std::string>{});
  } else {
    int w = current.min_writer_version;
    if (w >= 2) writer.insert(writer.end(), {"invariants", "appendOnly"});
    if (w >= 3) writer.push_back("checkConstraints");
    if (w >= 4) writer.insert(writer.end(), {"changeDataFeed", "generatedColumns"});
    if (w >= 5) writer.push_back("columnMapping");
    if (w >= 6) writer.push_back("identityColumns");
  }
  if (current.min_reader_version >= 3) {
    reader = current.reader_features.value_or(std::vector<std::string>{});
  } else if (current.min_reader_version == 2) {
    reader.push_back("columnMapping");
  }
  auto has = [](const std::vector<std::string>& list, const std::string& f) {
    return std::find(list.begin(), list.end(), f) != list.end();
  };
  std::vector<std::string> new_writer, new_reader;
  if (required.min_writer_version >= 7) {
    for (const auto& f : required.writer_features.value_or(std::vector<std::string>{})) {
      if (!has(writer, f)) new_writer.push_back(f);
    }
    for (const auto& f : required.reader_features.value_or(std::vector<std::string>{})) {
      if (!has(reader, f)) new_reader.push_back(f);
    }
  }
  if (new_writer.empty() && new_reader.empty() && current.min_writer_version >= 7) {
    return std::nullopt;
  }
  // delta-spark lists the features being added before the ones the table had.
  Protocol out;
  out.min_writer_version = 7;
  new_writer.insert(new_writer.end(), writer.begin(), writer.end());
  out.writer_features = new_writer;
  if (current.min_reader_version >= 3 || !new_reader.empty()) {
    out.min_reader_version = 3;
    new_reader.insert(new_reader.end(), reader.begin(), reader.end());
    out.reader_features = new_reader;
  } else {
    out.min_reader_version = current.min_reader_version;
  }
  return out;
}

}  // namespace basin::delta
