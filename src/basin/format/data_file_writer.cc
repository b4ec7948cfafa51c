#include "basin/format/data_file_writer.h"

#include <cstdio>

#include <unordered_map>

#include <arrow/array.h>
#include <arrow/array/concatenate.h>
#include <arrow/builder.h>
#include <arrow/compute/api.h>
#include <parquet/arrow/writer.h>

#include "basin/base/uuid.h"
#include "basin/format/json_lines.h"
#include "basin/format/partition_path.h"
#include "basin/types/schema_json.h"
#include "basin/types/user_defined_type.h"

namespace basin::format {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Option(const std::map<std::string, std::string>& options, const std::string& key,
                   const std::string& fallback) {
  auto it = options.find(key);
  return it == options.end() ? fallback : it->second;
}

Status UnsupportedType(const std::string& format, const arrow::Field& field) {
  std::string upper = format;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return UserError("UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE",
                   "The " + upper + " datasource doesn't support the column `" + field.name() +
                       "` of the type \"" + field.type()->ToString() + "\".");
}

// Spark's CSV writer: values that hold the delimiter, a quote, a backslash or a line break are
// quoted, with quotes and backslashes escaped by a backslash; the empty string is ""; null is
// the nullValue option (empty by default).
void AppendCsvField(std::string_view value, char sep, std::string* out) {
  bool quote = value.empty();
  for (char c : value) {
    if (c == sep || c == '"' || c == '\\' || c == '\n' || c == '\r') quote = true;
  }
  if (!quote) {
    out->append(value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

Status WriteCsv(const arrow::Table& table, const std::map<std::string, std::string>& options,
                arrow::io::OutputStream* out) {
  for (const auto& field : table.schema()->fields()) {
    if (arrow::is_nested(field->type()->id())) return UnsupportedType("csv", *field);
  }
  const bool header = Lower(Option(options, "header", "false")) == "true";
  std::string sep = Option(options, "sep", Option(options, "delimiter", ","));
  if (sep.size() != 1) {
    return UserError("INVALID_DELIMITER_VALUE.DELIMITER_LONGER_THAN_EXPECTED",
                     "Invalid value for delimiter. Delimiter cannot be more than one character: " +
                         sep + ".");
  }
  const std::string null_value = Option(options, "nullvalue", "");
  std::string buffer;
  if (header) {
    for (int c = 0; c < table.num_columns(); ++c) {
      if (c > 0) buffer.push_back(sep[0]);
      AppendCsvField(table.schema()->field(c)->name(), sep[0], &buffer);
    }
    buffer.push_back('\n');
  }
  // Each column as text (Arrow's casts; dates as yyyy-MM-dd), then row by row.
  std::vector<std::shared_ptr<arrow::StringArray>> text;
  for (int c = 0; c < table.num_columns(); ++c) {
    ASSIGN_OR_RAISE(auto combined, arrow::Concatenate(table.column(c)->chunks()));
    ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(combined, arrow::utf8()));
    text.push_back(std::static_pointer_cast<arrow::StringArray>(cast.make_array()));
  }
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    for (int c = 0; c < table.num_columns(); ++c) {
      if (c > 0) buffer.push_back(sep[0]);
      const auto& column = *text[static_cast<size_t>(c)];
      if (column.IsNull(r)) {
        buffer.append(null_value);
      } else {
        AppendCsvField(column.GetView(r), sep[0], &buffer);
      }
    }
    buffer.push_back('\n');
    if (buffer.size() > (1 << 20)) {
      RETURN_NOT_OK(out->Write(buffer.data(), static_cast<int64_t>(buffer.size())));
      buffer.clear();
    }
  }
  return out->Write(buffer.data(), static_cast<int64_t>(buffer.size()));
}

Status WriteText(const arrow::Table& table, arrow::io::OutputStream* out) {
  if (table.num_columns() != 1) {
    return UserError("_LEGACY_ERROR_TEMP_1209",
                     "Text data source supports only a single column, and you have " +
                         std::to_string(table.num_columns()) + " columns.");
  }
  const auto& field = table.schema()->field(0);
  if (field->type()->id() != arrow::Type::STRING) return UnsupportedType("text", *field);
  std::string buffer;
  for (const auto& chunk : table.column(0)->chunks()) {
    const auto& strings = static_cast<const arrow::StringArray&>(*chunk);
    for (int64_t i = 0; i < strings.length(); ++i) {
      // Spark's text writer writes a null row as an empty line.
      if (strings.IsValid(i)) buffer.append(strings.GetView(i));
      buffer.push_back('\n');
    }
    if (buffer.size() > (1 << 20)) {
      RETURN_NOT_OK(out->Write(buffer.data(), static_cast<int64_t>(buffer.size())));
      buffer.clear();
    }
  }
  return out->Write(buffer.data(), static_cast<int64_t>(buffer.size()));
}

std::string Extension(const std::string& format, const std::map<std::string, std::string>& options) {
  if (format == "parquet") {
    std::string codec = Lower(Option(options, "compression", "snappy"));
    return codec == "none" || codec == "uncompressed" ? "parquet" : codec + ".parquet";
  }
  if (format == "text") return "txt";
  return format;
}

}  // namespace

bool IsWritableFileFormat(const std::string& format) {
  const std::string f = Lower(format);
  return f == "parquet" || f == "json" || f == "csv" || f == "text";
}

Status WriteDataFile(const std::string& format, const arrow::Table& table,
                     const std::map<std::string, std::string>& options,
                     arrow::io::OutputStream* out) {
  const std::string f = Lower(format);
  if (f == "parquet") {
    std::string codec = Lower(Option(options, "compression", "snappy"));
    parquet::Compression::type compression = parquet::Compression::SNAPPY;
    if (codec == "none" || codec == "uncompressed") {
      compression = parquet::Compression::UNCOMPRESSED;
    } else if (codec == "gzip") {
      compression = parquet::Compression::GZIP;
    } else if (codec == "zstd") {
      compression = parquet::Compression::ZSTD;
    } else if (codec != "snappy") {
      return UserError("CODEC_NOT_AVAILABLE.WITH_AVAILABLE_CODECS_SUGGESTION",
                       "The codec " + codec + " is not available. Available codecs are none, "
                       "uncompressed, snappy, gzip, zstd.");
    }
    // Decimals of precision <= 18 as INT32/INT64, as Spark writes them.
    auto properties = parquet::WriterProperties::Builder()
                          .compression(compression)
                          ->enable_store_decimal_as_integer()
                          ->build();
    // TIME columns as TIME(MICROS), the unit Spark writes and the only one it reads (a TIME has
    // at most microsecond precision).
    std::shared_ptr<arrow::Table> written =
        arrow::Table::Make(table.schema(), table.columns(), table.num_rows());
    for (int i = 0; i < table.num_columns(); ++i) {
      if (table.schema()->field(i)->type()->id() != arrow::Type::TIME64) continue;
      auto micros = arrow::time64(arrow::TimeUnit::MICRO);
      ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(table.column(i), micros,
                                                      arrow::compute::CastOptions::Unsafe()));
      ASSIGN_OR_RAISE(written, written->SetColumn(i, table.schema()->field(i)->WithType(micros),
                                                  cast.chunked_array()));
    }
    std::shared_ptr<arrow::io::OutputStream> sink(out, [](arrow::io::OutputStream*) {});
    ASSIGN_OR_RAISE(auto writer, parquet::arrow::FileWriter::Open(
                                     *written->schema(), arrow::default_memory_pool(), sink,
                                     properties));
    RETURN_NOT_OK(writer->WriteTable(*written, /*chunk_size=*/1 << 20));
    if (types::HoldsUserDefinedType(*table.schema())) {
      ASSIGN_OR_RAISE(auto spark_schema, types::SchemaToDeltaJson(*table.schema()));
      RETURN_NOT_OK(writer->AddKeyValueMetadata(
          arrow::KeyValueMetadata::Make({kSparkSchemaKey}, {spark_schema})));
    }
    return writer->Close();
  }
  if (f == "json") return WriteJsonLines(table, out);
  if (f == "csv") return WriteCsv(table, options, out);
  if (f == "text") return WriteText(table, out);
  return UserError("UNSUPPORTED_FEATURE",
                   "Writing " + format + " files is not supported by Basin yet (delta, parquet, "
                   "json, csv and text are).");
}

Result<io::Location> WritePartFile(const io::Location& dir, const std::string& format,
                                   const arrow::Table& table,
                                   const std::map<std::string, std::string>& options,
                                   int part) {
  const std::string f = Lower(format);
  if (!IsWritableFileFormat(f)) {
    return UserError("UNSUPPORTED_FEATURE",
                     "Writing " + format + " files is not supported by Basin yet (delta, "
                     "parquet, json, csv and text are).");
  }
  RETURN_NOT_OK(dir.fs->CreateDir(dir.path, /*recursive=*/true));
  // Spark's part file names; the UUID keeps writers from colliding.
  char prefix[32];
  std::snprintf(prefix, sizeof(prefix), "part-%05d-", part);
  auto file = dir.Child(prefix + NewUuid() + "-c000." + Extension(f, options));
  ASSIGN_OR_RAISE(auto out, file.fs->OpenOutputStream(file.path));
  RETURN_NOT_OK(WriteDataFile(f, table, options, out.get()));
  RETURN_NOT_OK(out->Close());
  return file;
}

Result<std::vector<std::string>> WritePartitionedFiles(
    const io::Location& dir, const std::string& format, const arrow::Table& table,
    const std::vector<std::string>& partition_columns,
    const std::map<std::string, std::string>& options, bool replace_partitions,
    const std::map<std::string, io::Location>& folder_locations) {
  std::vector<int> partition_index;
  for (const auto& name : partition_columns) {
    int i = table.schema()->GetFieldIndex(name);
    if (i < 0 || table.schema()->field(i)->type()->id() != arrow::Type::STRING) {
      return InternalError("partition column " + name + " is not a string column of the rows");
    }
    partition_index.push_back(i);
  }
  std::vector<int> data_index;
  for (int i = 0; i < table.num_columns(); ++i) {
    if (std::find(partition_index.begin(), partition_index.end(), i) == partition_index.end()) {
      data_index.push_back(i);
    }
  }
  if (table.num_rows() == 0) return std::vector<std::string>();
  ASSIGN_OR_RAISE(auto data, table.SelectColumns(data_index));
  ASSIGN_OR_RAISE(data, data->CombineChunks());
  std::vector<std::shared_ptr<arrow::StringArray>> values;
  for (int i : partition_index) {
    ASSIGN_OR_RAISE(auto combined, arrow::Concatenate(table.column(i)->chunks()));
    values.push_back(std::static_pointer_cast<arrow::StringArray>(combined));
  }
  // Rows by folder, folders in the order their first rows come.
  std::vector<std::string> folders;
  std::unordered_map<std::string, std::vector<int64_t>> rows_of;
  for (int64_t row = 0; row < table.num_rows(); ++row) {
    std::vector<std::optional<std::string>> key;
    for (const auto& v : values) {
      key.push_back(v->IsNull(row) ? std::nullopt : std::optional<std::string>(v->GetString(row)));
    }
    std::string folder = PartitionFolder(partition_columns, key);
    auto [it, inserted] = rows_of.try_emplace(folder);
    if (inserted) folders.push_back(folder);
    it->second.push_back(row);
  }
  for (const auto& folder : folders) {
    arrow::Int64Builder indices;
    RETURN_NOT_OK(indices.AppendValues(rows_of[folder]));
    ASSIGN_OR_RAISE(auto index_array, indices.Finish());
    ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(data, index_array));
    auto custom = folder_locations.find(folder);
    auto target = custom != folder_locations.end() ? custom->second : dir.Child(folder);
    if (replace_partitions) {
      RETURN_NOT_OK(target.fs->DeleteDirContents(target.path, /*missing_dir_ok=*/true));
    }
    RETURN_NOT_OK(WritePartFile(target, format, *taken.table(), options).status());
  }
  return folders;
}

}  // namespace basin::format
