#include "basin/delta/convert.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <arrow/filesystem/filesystem.h>
#include <arrow/table.h>
#include <nlohmann/json.hpp>
#include <parquet/arrow/reader.h>
#include <parquet/exception.h>

#include "basin/delta/clone.h"
#include "basin/delta/file_stats.h"
#include "basin/delta/partition_value.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/transaction.h"
#include "basin/types/schema_json.h"

namespace basin::delta {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}


// Undoes Hive's escaping of a partition folder name (%XX).
std::string UnescapePathName(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool IsHidden(const std::string& name) {
  return !name.empty() && (name[0] == '_' || name[0] == '.');
}

// The Spark type a Parquet column of this Arrow type is read as.
Result<std::shared_ptr<arrow::DataType>> SparkReadType(const std::shared_ptr<arrow::DataType>& type) {
  switch (type->id()) {
    case arrow::Type::TIMESTAMP: {
      const auto& ts = static_cast<const arrow::TimestampType&>(*type);
      return arrow::timestamp(arrow::TimeUnit::MICRO, ts.timezone().empty() ? "" : "UTC");
    }
    case arrow::Type::DATE64: return arrow::date32();
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW: return arrow::utf8();
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::BINARY_VIEW:
    case arrow::Type::FIXED_SIZE_BINARY: return arrow::binary();
    case arrow::Type::DICTIONARY:
      return SparkReadType(static_cast<const arrow::DictionaryType&>(*type).value_type());
    case arrow::Type::UINT8: return arrow::int16();
    case arrow::Type::UINT16: return arrow::int32();
    case arrow::Type::UINT32: return arrow::int64();
    case arrow::Type::UINT64: return arrow::decimal128(20, 0);
    case arrow::Type::HALF_FLOAT: return arrow::float32();
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST: {
      auto vf = static_cast<const arrow::BaseListType&>(*type).value_field();
      ASSIGN_OR_RAISE(auto inner, SparkReadType(vf->type()));
      return arrow::list(arrow::field("element", inner, true));
    }
    case arrow::Type::STRUCT: {
      arrow::FieldVector fields;
      for (const auto& f : type->fields()) {
        ASSIGN_OR_RAISE(auto inner, SparkReadType(f->type()));
        fields.push_back(arrow::field(f->name(), inner, true));
      }
      return arrow::struct_(fields);
    }
    case arrow::Type::MAP: {
      const auto& m = static_cast<const arrow::MapType&>(*type);
      ASSIGN_OR_RAISE(auto k, SparkReadType(m.key_type()));
      ASSIGN_OR_RAISE(auto v, SparkReadType(m.item_type()));
      return arrow::map(k, v);
    }
    case arrow::Type::BOOL:
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE:
    case arrow::Type::STRING:
    case arrow::Type::BINARY:
    case arrow::Type::DATE32:
    case arrow::Type::DECIMAL128:
      return type;
    default:
      return UserError("DELTA_UNSUPPORTED_DATA_TYPE",
                       "Found columns using unsupported data types: " + type->ToString() + ".");
  }
}

// Spark's tree form of a schema (StructType.treeString), top-level columns.
std::string TreeString(const arrow::Schema& schema) {
  std::string out = "root\n";
  for (const auto& f : schema.fields()) {
    out += " |-- " + f->name() + ": " + types::SparkTypeName(*f->type()) + " (nullable = true)\n";
  }
  return out;
}

struct SourceFile {
  std::string relative;  // decoded, relative to the root
  int64_t size = 0;
  int64_t modification_time = 0;
  std::map<std::string, std::optional<std::string>> partition_values;
};

Result<std::unique_ptr<parquet::arrow::FileReader>> OpenParquet(const io::Location& file) {
  ASSIGN_OR_RAISE(auto input, file.fs->OpenInputFile(file.path));
  try {
    parquet::ArrowReaderProperties properties;
    properties.set_coerce_int96_timestamp_unit(arrow::TimeUnit::MICRO);
    parquet::arrow::FileReaderBuilder builder;
    RETURN_NOT_OK(builder.Open(input));
    builder.properties(properties);
    auto reader = builder.Build();
    if (!reader.ok()) {
      return UserError("FAILED_READ_FILE", "Encountered error while reading file " + file.path +
                                               ": " + reader.status().message());
    }
    return std::move(*reader);
  } catch (const parquet::ParquetException& e) {
    return UserError("FAILED_READ_FILE",
                     "Encountered error while reading file " + file.path + ": " + e.what());
  }
}

// The file's rows as the table's data columns (a column the file lacks is null).
Result<std::shared_ptr<arrow::Table>> ReadAligned(parquet::arrow::FileReader& reader,
                                                  const arrow::Schema& data_schema) {
  std::shared_ptr<arrow::Table> table;
  try {
    ASSIGN_OR_RAISE(table, reader.ReadTable());
  } catch (const parquet::ParquetException& e) {
    return UserError("FAILED_READ_FILE", std::string("Cannot read a data file: ") + e.what());
  }
  arrow::ChunkedArrayVector columns;
  for (const auto& field : data_schema.fields()) {
    int found = -1;
    for (int i = 0; i < table->num_columns(); ++i) {
      if (Lower(table->schema()->field(i)->name()) == Lower(field->name())) found = i;
    }
    if (found < 0) {
      ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(field->type(), table->num_rows()));
      columns.push_back(std::make_shared<arrow::ChunkedArray>(nulls));
      continue;
    }
    auto column = table->column(found);
    if (!column->type()->Equals(*field->type())) {
      ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(column, field->type()));
      column = cast.chunked_array();
    }
    columns.push_back(column);
  }
  return arrow::Table::Make(arrow::schema(data_schema.fields()), columns, table->num_rows());
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

}  // namespace

Result<ConvertResult> ConvertToDelta(const io::Location& root, const ConvertOptions& options) {
  ASSIGN_OR_RAISE(auto txn, Transaction::Begin(root));
  ConvertResult result;
  if (txn.read_snapshot()) {
    // delta-spark: "The table you are trying to convert is already a delta table".
    result.version = txn.read_snapshot()->version();
    result.already_delta = true;
    return result;
  }
  ASSIGN_OR_RAISE(auto uri, QualifiedUri(root));
  ASSIGN_OR_RAISE(bool exists, io::Exists(root));
  if (!exists) return UserError("PATH_NOT_FOUND", "Path does not exist: " + uri + ".");

  arrow::FieldVector partition_fields;
  if (options.partition_schema) partition_fields = options.partition_schema->fields();
  std::vector<std::string> partition_names;
  for (const auto& f : partition_fields) partition_names.push_back(f->name());
  auto quoted_list = [](const std::vector<std::string>& names) {
    std::string out = "[";
    for (size_t i = 0; i < names.size(); ++i) out += (i ? ", `" : "`") + names[i] + "`";
    return out + "]";
  };

  // Every visible file below the root, with the partition values of its folders.
  arrow::fs::FileSelector selector;
  selector.base_dir = root.path;
  selector.recursive = true;
  ASSIGN_OR_RAISE(auto infos, root.fs->GetFileInfo(selector));
  std::sort(infos.begin(), infos.end(),
            [](const auto& a, const auto& b) { return a.path() < b.path(); });
  std::vector<SourceFile> files;
  for (const auto& info : infos) {
    if (!info.IsFile()) continue;
    std::string relative = info.path().substr(root.path.size());
    while (!relative.empty() && relative[0] == '/') relative = relative.substr(1);
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
      size_t slash = relative.find('/', start);
      parts.push_back(relative.substr(start, slash == std::string::npos ? std::string::npos
                                                                        : slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    bool hidden = false;
    for (const auto& p : parts) hidden |= IsHidden(p);
    if (hidden) continue;
    SourceFile file;
    file.relative = relative;
    file.size = info.size();
    file.modification_time =
        std::chrono::duration_cast<std::chrono::milliseconds>(info.mtime().time_since_epoch())
            .count();
    std::vector<std::pair<std::string, std::string>> found;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      size_t eq = parts[i].find('=');
      if (eq == std::string::npos || eq == 0) continue;
      found.emplace_back(UnescapePathName(parts[i].substr(0, eq)),
                         UnescapePathName(parts[i].substr(eq + 1)));
    }
    std::string file_uri = uri + "/" + UriEncodePath(relative);
    if (found.size() != partition_fields.size()) {
      std::vector<std::string> names;
      for (const auto& [k, v] : found) names.push_back(k);
      return UserError("DELTA_UNEXPECTED_NUM_PARTITION_COLUMNS_FROM_FILE_NAME",
                       "Expecting " + std::to_string(partition_fields.size()) +
                           " partition column(s): " + quoted_list(partition_names) +
                           ", but found " + std::to_string(found.size()) +
                           " partition column(s): " + quoted_list(names) +
                           " from parsing the file name: " + file_uri);
    }
    for (size_t i = 0; i < found.size(); ++i) {
      const auto& field = partition_fields[i];
      if (Lower(found[i].first) != Lower(field->name())) {
        return UserError("DELTA_UNEXPECTED_PARTITION_COLUMN_FROM_FILE_NAME",
                         "Expecting partition column `" + field->name() +
                             "`, but found partition column `" + found[i].first +
                             "` from parsing the file name: " + file_uri);
      }
      std::optional<std::string> value;
      if (found[i].second != "__HIVE_DEFAULT_PARTITION__") value = found[i].second;
      auto parsed = ParsePartitionValue(value, field->type());
      if (!parsed.ok() || (value && !value->empty() && !(*parsed)->is_valid)) {
        return UserError("DELTA_FAILED_CAST_PARTITION_VALUE",
                         "Failed to cast partition value `" + found[i].second + "` to " +
                             types::SparkTypeName(*field->type()));
      }
      file.partition_values[field->name()] = value;
    }
    files.push_back(std::move(file));
  }
  if (files.empty()) {
    return UserError("DELTA_EMPTY_DIRECTORY", "No file found in the directory: " + root.path + ".");
  }

  // The table schema: the merge of the files' schemas, then the partition columns.
  arrow::FieldVector data_fields;
  auto is_partition = [&](const std::string& name) {
    for (const auto& p : partition_names) {
      if (Lower(p) == Lower(name)) return true;
    }
    return false;
  };
  for (const auto& file : files) {
    io::Location location = root.Child(file.relative);
    ASSIGN_OR_RAISE(auto reader, OpenParquet(location));
    std::shared_ptr<arrow::Schema> file_schema;
    RETURN_NOT_OK(reader->GetSchema(&file_schema));
    arrow::FieldVector normalized;
    for (const auto& f : file_schema->fields()) {
      ASSIGN_OR_RAISE(auto type, SparkReadType(f->type()));
      normalized.push_back(arrow::field(f->name(), type, true));
    }
    for (const auto& f : normalized) {
      if (is_partition(f->name())) continue;
      auto existing = std::find_if(data_fields.begin(), data_fields.end(), [&](const auto& d) {
        return Lower(d->name()) == Lower(f->name());
      });
      if (existing == data_fields.end()) {
        data_fields.push_back(f);
      } else if (!(*existing)->type()->Equals(*f->type())) {
        return UserError("DELTA_FAILED_MERGE_SCHEMA_FILE",
                         "Failed to merge schema of file " + uri + "/" +
                             UriEncodePath(file.relative) + ":\n" +
                             TreeString(arrow::Schema(normalized)));
      }
    }
  }
  arrow::FieldVector table_fields = data_fields;
  for (const auto& p : partition_fields) {
    table_fields.push_back(arrow::field(p->name(), p->type(), true));
  }
  auto schema = arrow::schema(table_fields);
  auto data_schema = arrow::schema(data_fields);

  Metadata metadata;
  metadata.id = NewUuid();
  ASSIGN_OR_RAISE(metadata.schema_string, types::SchemaToDeltaJson(*schema));
  metadata.partition_columns = partition_names;
  metadata.created_time = NowMs();
  Protocol protocol;
  for (const auto& f : table_fields) {
    if (HasNtz(*f->type())) {
      protocol.min_reader_version = 3;
      protocol.min_writer_version = 7;
      protocol.reader_features = std::vector<std::string>{"timestampNtz"};
      protocol.writer_features = std::vector<std::string>{"timestampNtz"};
    }
  }
  txn.UpdateMetadata(metadata);
  txn.UpdateProtocol(protocol);
  txn.MarkTableRead();  // as delta-spark: isBlindAppend false; a concurrent creation conflicts

  for (size_t i = 0; i < files.size(); ++i) {
    const auto& file = files[i];
    AddFile add;
    add.path = UriEncodePath(file.relative);
    add.partition_values = file.partition_values;
    add.size = file.size;
    add.modification_time = file.modification_time;
    add.data_change = true;
    if (options.collect_stats) {
      ASSIGN_OR_RAISE(auto reader, OpenParquet(root.Child(file.relative)));
      ASSIGN_OR_RAISE(auto rows, ReadAligned(*reader, *data_schema));
      // delta-spark's CONVERT statistics carry no tightBounds.
      FileStatsOptions stats_options;
      stats_options.tight_bounds = false;
      ASSIGN_OR_RAISE(add.stats, ComputeFileStatsJson(*rows, stats_options));
    }
    txn.Add(std::move(add));
  }
  result.num_converted_files = static_cast<int64_t>(files.size());
  nlohmann::json parameters = {{"numFiles", result.num_converted_files},
                               {"partitionedBy", nlohmann::json(partition_names).dump()},
                               {"collectStats", options.collect_stats},
                               {"sourceFormat", "parquet"}};
  nlohmann::json metrics = {{"numConvertedFiles", std::to_string(result.num_converted_files)}};
  ASSIGN_OR_RAISE(auto committed, txn.Commit("CONVERT", parameters, metrics));
  result.version = committed.version;
  return result;
}

}  // namespace basin::delta
