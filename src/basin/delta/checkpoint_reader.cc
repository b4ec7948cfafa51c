#include "basin/delta/checkpoint_reader.h"

#include <arrow/array.h>
#include <arrow/io/file.h>
#include <arrow/table.h>
#include <type_traits>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>

#include "basin/format/json_lines.h"
#include "basin/format/parquet_leaves.h"

namespace basin::delta {

namespace {

using nlohmann::json;

constexpr const char* kActionColumns[] = {"protocol", "metaData", "add",
                                          "remove", "txn", "domainMetadata",
                                          "checkpointMetadata", "sidecar"};

// Fills partitionValues from partitionValues_parsed and stats from stats_parsed when a
// checkpoint carries only the typed forms (PROTOCOL.md, "Checkpoint Schema").
void UseParsedColumns(json* add) {
  auto pv = add->find("partitionValues");
  auto parsed = add->find("partitionValues_parsed");
  if ((pv == add->end() || pv->is_null()) && parsed != add->end() && parsed->is_object()) {
    json values = json::object();
    for (const auto& [k, v] : parsed->items()) {
      values[k] = v.is_null() ? json(nullptr) : v.is_string() ? v : json(v.dump());
    }
    (*add)["partitionValues"] = values;
  }
}

// ---------------------------------------------------------------------------------------------
// Columnar fast path for the add and remove columns, which hold nearly every row of a large
// checkpoint. The fields are read straight from the Arrow arrays; a layout this code does not
// expect (a field of another type) makes Bind fail and the column goes through JSON instead.

const arrow::Array* Child(const arrow::StructArray& parent, const char* name) {
  int index = parent.struct_type()->GetFieldIndex(name);
  return index < 0 ? nullptr : parent.field(index).get();
}

bool IsString(const arrow::Array* a) {
  return a == nullptr || a->type_id() == arrow::Type::STRING || a->type_id() == arrow::Type::BINARY;
}
bool IsInt(const arrow::Array* a) {
  return a == nullptr || a->type_id() == arrow::Type::INT64 || a->type_id() == arrow::Type::INT32;
}
bool IsBool(const arrow::Array* a) { return a == nullptr || a->type_id() == arrow::Type::BOOL; }
bool IsStringMap(const arrow::Array* a) {
  if (a == nullptr) return true;
  if (a->type_id() != arrow::Type::MAP) return false;
  const auto& map = static_cast<const arrow::MapArray&>(*a);
  return IsString(map.keys().get()) && IsString(map.items().get());
}

std::optional<std::string> StringAt(const arrow::Array* a, int64_t row) {
  if (a == nullptr || a->IsNull(row)) return std::nullopt;
  // STRING and BINARY share the 32-bit offset layout.
  return std::string(static_cast<const arrow::BinaryArray*>(a)->GetView(row));
}
std::optional<int64_t> IntAt(const arrow::Array* a, int64_t row) {
  if (a == nullptr || a->IsNull(row)) return std::nullopt;
  if (a->type_id() == arrow::Type::INT64) return static_cast<const arrow::Int64Array*>(a)->Value(row);
  return static_cast<const arrow::Int32Array*>(a)->Value(row);
}
std::optional<bool> BoolAt(const arrow::Array* a, int64_t row) {
  if (a == nullptr || a->IsNull(row)) return std::nullopt;
  return static_cast<const arrow::BooleanArray*>(a)->Value(row);
}
template <typename Value>
bool MapAt(const arrow::Array* a, int64_t row, std::map<std::string, Value>* out) {
  if (a == nullptr || a->IsNull(row)) return false;
  const auto& map = static_cast<const arrow::MapArray&>(*a);
  const auto* keys = static_cast<const arrow::BinaryArray*>(map.keys().get());
  const auto* items = map.items().get();
  for (int64_t i = map.value_offset(row); i < map.value_offset(row + 1); ++i) {
    auto value = StringAt(items, i);
    if constexpr (std::is_same_v<Value, std::string>) {
      (*out)[std::string(keys->GetView(i))] = value.value_or("");
    } else {
      (*out)[std::string(keys->GetView(i))] = std::move(value);
    }
  }
  return true;
}

struct FileColumns {
  const arrow::StructArray* file = nullptr;
  const arrow::Array *path = nullptr, *partition_values = nullptr, *size = nullptr,
                     *modification_time = nullptr, *data_change = nullptr, *stats = nullptr,
                     *tags = nullptr, *base_row_id = nullptr, *default_row_commit_version = nullptr,
                     *clustering_provider = nullptr, *deletion_timestamp = nullptr,
                     *extended_file_metadata = nullptr, *stats_parsed = nullptr,
                     *partition_values_parsed = nullptr;
  const arrow::StructArray* dv = nullptr;
  const arrow::Array *dv_storage_type = nullptr, *dv_path = nullptr, *dv_offset = nullptr,
                     *dv_size = nullptr, *dv_cardinality = nullptr;

  static std::optional<FileColumns> Bind(const arrow::Array& array) {
    if (array.type_id() != arrow::Type::STRUCT) return std::nullopt;
    FileColumns c;
    c.file = static_cast<const arrow::StructArray*>(&array);
    const auto& f = *c.file;
    c.path = Child(f, "path");
    c.partition_values = Child(f, "partitionValues");
    c.size = Child(f, "size");
    c.modification_time = Child(f, "modificationTime");
    c.data_change = Child(f, "dataChange");
    c.stats = Child(f, "stats");
    c.tags = Child(f, "tags");
    c.base_row_id = Child(f, "baseRowId");
    c.default_row_commit_version = Child(f, "defaultRowCommitVersion");
    c.clustering_provider = Child(f, "clusteringProvider");
    c.deletion_timestamp = Child(f, "deletionTimestamp");
    c.extended_file_metadata = Child(f, "extendedFileMetadata");
    c.stats_parsed = Child(f, "stats_parsed");
    c.partition_values_parsed = Child(f, "partitionValues_parsed");
    if (!IsString(c.path) || !IsStringMap(c.partition_values) || !IsInt(c.size) ||
        !IsInt(c.modification_time) || !IsBool(c.data_change) || !IsString(c.stats) ||
        !IsStringMap(c.tags) || !IsInt(c.base_row_id) || !IsInt(c.default_row_commit_version) ||
        !IsString(c.clustering_provider) || !IsInt(c.deletion_timestamp) ||
        !IsBool(c.extended_file_metadata)) {
      return std::nullopt;
    }
    if (const auto* dv = Child(f, "deletionVector")) {
      if (dv->type_id() != arrow::Type::STRUCT) return std::nullopt;
      c.dv = static_cast<const arrow::StructArray*>(dv);
      c.dv_storage_type = Child(*c.dv, "storageType");
      c.dv_path = Child(*c.dv, "pathOrInlineDv");
      c.dv_offset = Child(*c.dv, "offset");
      c.dv_size = Child(*c.dv, "sizeInBytes");
      c.dv_cardinality = Child(*c.dv, "cardinality");
      if (!IsString(c.dv_storage_type) || !IsString(c.dv_path) || !IsInt(c.dv_offset) ||
          !IsInt(c.dv_size) || !IsInt(c.dv_cardinality)) {
        return std::nullopt;
      }
    }
    return c;
  }

  Result<std::optional<DeletionVectorDescriptor>> Dv(int64_t row, const std::string& source) const {
    if (dv == nullptr || dv->IsNull(row)) return std::nullopt;
    DeletionVectorDescriptor d;
    auto storage = StringAt(dv_storage_type, row);
    auto path = StringAt(dv_path, row);
    if (!storage || !path) {
      return UserError("DELTA_INVALID_LOG_ENTRY",
                       "Invalid log entry in " + source +
                           ": deletionVector needs storageType and pathOrInlineDv");
    }
    d.storage_type = std::move(*storage);
    d.path_or_inline_dv = std::move(*path);
    if (auto offset = IntAt(dv_offset, row)) d.offset = static_cast<int32_t>(*offset);
    d.size_in_bytes = static_cast<int32_t>(IntAt(dv_size, row).value_or(0));
    d.cardinality = IntAt(dv_cardinality, row).value_or(0);
    return std::optional<DeletionVectorDescriptor>(std::move(d));
  }

  // The typed partition values of a row, as the strings the JSON form would hold.
  Status ParsedPartitionValues(int64_t row, std::map<std::string, std::optional<std::string>>* out) const {
    std::string text;
    RETURN_NOT_OK(format::AppendJsonValue(*partition_values_parsed, row, &text));
    json parsed = json::parse(text, nullptr, false);
    if (!parsed.is_object()) return Status::OK();
    for (const auto& [k, v] : parsed.items()) {
      (*out)[k] = v.is_null() ? std::nullopt
                              : std::optional<std::string>(v.is_string() ? v.get<std::string>()
                                                                         : v.dump());
    }
    return Status::OK();
  }

  Status Append(bool is_add, const std::string& source, const ActionSink& sink) const {
    for (int64_t row = 0; row < file->length(); ++row) {
      if (file->IsNull(row)) continue;
      auto path_value = StringAt(path, row);
      if (!path_value) {
        return UserError("DELTA_INVALID_LOG_ENTRY", "Invalid log entry in " + source + ": " +
                                                        (is_add ? "add" : "remove") +
                                                        " needs a string 'path'");
      }
      if (is_add) {
        AddFile a;
        a.path = std::move(*path_value);
        if (!MapAt(partition_values, row, &a.partition_values) && partition_values_parsed &&
            !partition_values_parsed->IsNull(row)) {
          RETURN_NOT_OK(ParsedPartitionValues(row, &a.partition_values));
        }
        a.size = IntAt(size, row).value_or(0);
        a.modification_time = IntAt(modification_time, row).value_or(0);
        a.data_change = BoolAt(data_change, row).value_or(true);
        a.stats = StringAt(stats, row);
        if (!a.stats && stats_parsed && !stats_parsed->IsNull(row)) {
          std::string text;
          RETURN_NOT_OK(format::AppendJsonValue(*stats_parsed, row, &text));
          json parsed = json::parse(text, nullptr, false);
          if (parsed.is_object()) a.stats_parsed = std::move(parsed);
        }
        MapAt(tags, row, &a.tags);
        ASSIGN_OR_RAISE(a.deletion_vector, Dv(row, source));
        a.base_row_id = IntAt(base_row_id, row);
        a.default_row_commit_version = IntAt(default_row_commit_version, row);
        a.clustering_provider = StringAt(clustering_provider, row);
        sink(Action(std::move(a)));
      } else {
        RemoveFile r;
        r.path = std::move(*path_value);
        r.deletion_timestamp = IntAt(deletion_timestamp, row);
        r.data_change = BoolAt(data_change, row).value_or(true);
        r.extended_file_metadata = BoolAt(extended_file_metadata, row).value_or(false);
        MapAt(partition_values, row, &r.partition_values);
        r.size = IntAt(size, row);
        r.stats = StringAt(stats, row);
        MapAt(tags, row, &r.tags);
        ASSIGN_OR_RAISE(r.deletion_vector, Dv(row, source));
        r.base_row_id = IntAt(base_row_id, row);
        r.default_row_commit_version = IntAt(default_row_commit_version, row);
        sink(Action(std::move(r)));
      }
    }
    return Status::OK();
  }
};

Status ActionsFromTable(const arrow::Table& table, const std::string& source,
                        const ActionSink& sink) {
  std::string text;
  for (const char* key : kActionColumns) {
    auto column = table.GetColumnByName(key);
    if (!column) continue;
    const bool is_file = std::string_view(key) == "add" || std::string_view(key) == "remove";
    for (const auto& chunk : column->chunks()) {
      if (is_file) {
        if (auto columns = FileColumns::Bind(*chunk)) {
          RETURN_NOT_OK(columns->Append(std::string_view(key) == "add", source, sink));
          continue;
        }
      }
      for (int64_t row = 0; row < chunk->length(); ++row) {
        if (chunk->IsNull(row)) continue;
        text.clear();
        RETURN_NOT_OK(format::AppendJsonValue(*chunk, row, &text));
        json value = json::parse(text, nullptr, false);
        if (value.is_discarded() || !value.is_object()) {
          return UserError("DELTA_INVALID_LOG_ENTRY", "Unreadable " + std::string(key) +
                                                          " row in checkpoint " + source);
        }
        std::optional<json> stats_parsed;
        if (std::string_view(key) == "add") {
          UseParsedColumns(&value);
          auto sp = value.find("stats_parsed");
          auto st = value.find("stats");
          if (sp != value.end() && sp->is_object() && (st == value.end() || st->is_null())) {
            stats_parsed = *sp;
          }
        }
        json wrapper = json::object();
        wrapper[key] = std::move(value);
        ASSIGN_OR_RAISE(auto action, ParseActionJson(wrapper, source));
        if (!action) continue;
        if (stats_parsed) {
          if (auto* add = std::get_if<AddFile>(&*action)) add->stats_parsed = std::move(stats_parsed);
        }
        sink(std::move(*action));
      }
    }
  }
  return Status::OK();
}

Status ReadParquetActions(const io::Location& file, const ActionSink& sink,
                          const RowHint& expect_rows) {
  auto opened = file.fs->OpenInputFile(file.path);
  if (!opened.ok()) {
    return UserError("DELTA_FILE_NOT_FOUND_DETAILED",
                     "Checkpoint file " + file.path + " cannot be opened: " +
                         opened.status().message());
  }
  try {
    // A buffered stream reads each column chunk a page range at a time instead of whole,
    // which keeps a one-row-group checkpoint of many files from being held in memory twice.
    parquet::ReaderProperties properties(arrow::default_memory_pool());
    properties.enable_buffered_stream();
    parquet::arrow::FileReaderBuilder builder;
    auto reader = [&]() -> Result<std::unique_ptr<parquet::arrow::FileReader>> {
      RETURN_NOT_OK(builder.Open(*opened, properties));
      std::unique_ptr<parquet::arrow::FileReader> out;
      parquet::ArrowReaderProperties arrow_properties;
      arrow_properties.set_batch_size(8192);
      RETURN_NOT_OK(builder.memory_pool(arrow::default_memory_pool())
                        ->properties(arrow_properties)
                        ->Build(&out));
      return out;
    }();
    if (!reader.ok()) {
      return UserError("DELTA_CORRUPT_FILE", "Checkpoint file " + file.path +
                                                 " is not a readable Parquet file: " +
                                                 reader.status().message());
    }
    std::shared_ptr<arrow::Schema> schema;
    RETURN_NOT_OK((*reader)->GetSchema(&schema));
    // ReadTable takes leaf column indices: collect the leaves of each wanted top-level field.
    std::vector<int> columns;
    const auto& manifest = (*reader)->manifest();
    for (const char* key : kActionColumns) {
      int index = schema->GetFieldIndex(key);
      if (index >= 0) format::CollectParquetLeaves(manifest.schema_fields[index], &columns);
    }
    (*reader)->set_use_threads(true);
    if (expect_rows) expect_rows((*reader)->parquet_reader()->metadata()->num_rows());
    // Batch by batch, so that only one batch of the checkpoint is decoded in memory at a time.
    std::vector<int> row_groups((*reader)->num_row_groups());
    for (size_t i = 0; i < row_groups.size(); ++i) row_groups[i] = static_cast<int>(i);
    auto batches = (*reader)->GetRecordBatchReader(row_groups, columns);
    if (!batches.ok()) {
      return UserError("DELTA_CORRUPT_FILE", "Checkpoint file " + file.path +
                                                 " cannot be read: " + batches.status().message());
    }
    while (true) {
      auto batch = (*batches)->Next();
      if (!batch.ok()) {
        return UserError("DELTA_CORRUPT_FILE", "Checkpoint file " + file.path +
                                                   " cannot be read: " + batch.status().message());
      }
      if (*batch == nullptr) break;
      ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches({*batch}));
      RETURN_NOT_OK(ActionsFromTable(*table, file.path, sink));
    }
    return Status::OK();
  } catch (const parquet::ParquetException& e) {
    return UserError("DELTA_CORRUPT_FILE",
                     "Checkpoint file " + file.path + " cannot be read: " + e.what());
  }
}

}  // namespace

Status ReadCheckpointFile(const io::Location& file, const ActionSink& sink,
                          const RowHint& expect_rows) {
  if (file.path.size() >= 5 && file.path.compare(file.path.size() - 5, 5, ".json") == 0) {
    auto content = io::ReadWholeFile(file);
    if (!content.ok()) {
      return UserError("DELTA_FILE_NOT_FOUND_DETAILED",
                       "Checkpoint file " + file.path + " cannot be read: " +
                           content.status().message());
    }
    ASSIGN_OR_RAISE(auto actions, ParseCommitFile(*content, file.path));
    for (auto& action : actions) sink(std::move(action));
    return Status::OK();
  }
  return ReadParquetActions(file, sink, expect_rows);
}

Result<std::vector<Action>> ReadCheckpointFile(const io::Location& file) {
  std::vector<Action> actions;
  RETURN_NOT_OK(ReadCheckpointFile(file, [&](Action&& a) { actions.push_back(std::move(a)); }));
  return actions;
}

Status ReadCheckpoint(const io::Location& table_root, const std::vector<std::string>& paths,
                      const ActionSink& sink, const RowHint& expect_rows) {
  std::vector<Sidecar> sidecars;
  for (const auto& path : paths) {
    RETURN_NOT_OK(ReadCheckpointFile(io::Location{table_root.fs, path}, [&](Action&& action) {
      if (auto* sidecar = std::get_if<Sidecar>(&action)) {
        sidecars.push_back(std::move(*sidecar));
      } else {
        sink(std::move(action));
      }
    }, expect_rows));
  }
  // PROTOCOL.md, "V2 Spec": sidecar paths are relative to _delta_log/_sidecars or absolute.
  for (const auto& sidecar : sidecars) {
    io::Location file;
    if (sidecar.path.find("://") != std::string::npos) {
      ASSIGN_OR_RAISE(file, io::ResolveLocation(sidecar.path));
    } else if (!sidecar.path.empty() && sidecar.path[0] == '/') {
      file = io::Location{table_root.fs, sidecar.path};
    } else {
      file = table_root.Child("_delta_log/_sidecars/" + sidecar.path);
    }
    RETURN_NOT_OK(ReadCheckpointFile(file, [&](Action&& action) {
      if (std::holds_alternative<AddFile>(action) || std::holds_alternative<RemoveFile>(action)) {
        sink(std::move(action));
      }
    }, expect_rows));
  }
  return Status::OK();
}

Result<std::vector<Action>> ReadCheckpoint(const io::Location& table_root,
                                           const std::vector<std::string>& paths) {
  std::vector<Action> actions;
  RETURN_NOT_OK(ReadCheckpoint(table_root, paths,
                               [&](Action&& a) { actions.push_back(std::move(a)); }));
  return actions;
}

}  // namespace basin::delta
