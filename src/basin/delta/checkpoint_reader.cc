#include "basin/delta/checkpoint_reader.h"

#include <arrow/array.h>
#include <arrow/io/file.h>
#include <arrow/table.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>

#include "basin/format/json_lines.h"

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

Result<std::vector<Action>> ActionsFromTable(const arrow::Table& table, const std::string& source) {
  std::vector<Action> actions;
  std::string text;
  for (const char* key : kActionColumns) {
    auto column = table.GetColumnByName(key);
    if (!column) continue;
    for (const auto& chunk : column->chunks()) {
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
        actions.push_back(std::move(*action));
      }
    }
  }
  return actions;
}

void CollectLeaves(const parquet::arrow::SchemaField& field, std::vector<int>* leaves) {
  if (field.is_leaf()) {
    leaves->push_back(field.column_index);
    return;
  }
  for (const auto& child : field.children) CollectLeaves(child, leaves);
}

Result<std::vector<Action>> ReadParquetActions(const io::Location& file) {
  auto opened = file.fs->OpenInputFile(file.path);
  if (!opened.ok()) {
    return UserError("DELTA_FILE_NOT_FOUND_DETAILED",
                     "Checkpoint file " + file.path + " cannot be opened: " +
                         opened.status().message());
  }
  try {
    auto reader = parquet::arrow::OpenFile(*opened, arrow::default_memory_pool());
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
      if (index >= 0) CollectLeaves(manifest.schema_fields[index], &columns);
    }
    (*reader)->set_use_threads(true);
    auto table = (*reader)->ReadTable(columns);
    if (!table.ok()) {
      return UserError("DELTA_CORRUPT_FILE", "Checkpoint file " + file.path +
                                                 " cannot be read: " + table.status().message());
    }
    return ActionsFromTable(**table, file.path);
  } catch (const parquet::ParquetException& e) {
    return UserError("DELTA_CORRUPT_FILE",
                     "Checkpoint file " + file.path + " cannot be read: " + e.what());
  }
}

}  // namespace

Result<std::vector<Action>> ReadCheckpointFile(const io::Location& file) {
  if (file.path.size() >= 5 && file.path.compare(file.path.size() - 5, 5, ".json") == 0) {
    auto content = io::ReadWholeFile(file);
    if (!content.ok()) {
      return UserError("DELTA_FILE_NOT_FOUND_DETAILED",
                       "Checkpoint file " + file.path + " cannot be read: " +
                           content.status().message());
    }
    return ParseCommitFile(*content, file.path);
  }
  return ReadParquetActions(file);
}

Result<std::vector<Action>> ReadCheckpoint(const io::Location& table_root,
                                           const std::vector<std::string>& paths) {
  std::vector<Action> actions;
  std::vector<Sidecar> sidecars;
  for (const auto& path : paths) {
    ASSIGN_OR_RAISE(auto part, ReadCheckpointFile(io::Location{table_root.fs, path}));
    for (auto& action : part) {
      if (auto* sidecar = std::get_if<Sidecar>(&action)) {
        sidecars.push_back(std::move(*sidecar));
      } else {
        actions.push_back(std::move(action));
      }
    }
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
    ASSIGN_OR_RAISE(auto part, ReadCheckpointFile(file));
    for (auto& action : part) {
      if (std::holds_alternative<AddFile>(action) || std::holds_alternative<RemoveFile>(action)) {
        actions.push_back(std::move(action));
      }
    }
  }
  return actions;
}

}  // namespace basin::delta
