#include "basin/delta/clone.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "basin/delta/deletion_vector.h"
#include "basin/delta/partition_value.h"
#include "basin/delta/scan.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/transaction.h"
#include "basin/delta/write.h"

namespace basin::delta {

namespace {

bool IsAbsoluteLogPath(const std::string& path) {
  return path.find("://") != std::string::npos || path.rfind("file:", 0) == 0 ||
         (!path.empty() && path[0] == '/');
}


std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool ConfigTrue(const std::map<std::string, std::string>& config, const std::string& key) {
  auto it = config.find(key);
  return it != config.end() && Lower(it->second) == "true";
}

std::string MappingMode(const std::map<std::string, std::string>& config) {
  auto it = config.find("delta.columnMapping.mode");
  return it == config.end() ? "none" : Lower(it->second);
}

// ---------------------------------------------------------------------------------------------
// Protocols (PROTOCOL.md, "Table Features"): the clone's protocol is the source's, upgraded for
// the features the merged configuration enables (and merged with a replaced target's).

const std::set<std::string>& ReaderWriterFeatures() {
  static const std::set<std::string> kFeatures = {
      "columnMapping", "deletionVectors", "timestampNtz",        "v2Checkpoint",
      "typeWidening",  "typeWidening-preview", "vacuumProtocolCheck", "variantType",
      "variantType-preview"};
  return kFeatures;
}

// The writer version that implies a legacy feature, or 0 for a feature that needs (x, 7).
int LegacyWriterVersion(const std::string& feature) {
  if (feature == "appendOnly" || feature == "invariants") return 2;
  if (feature == "checkConstraints") return 3;
  if (feature == "changeDataFeed" || feature == "generatedColumns") return 4;
  if (feature == "columnMapping") return 5;
  if (feature == "identityColumns") return 6;
  return 0;
}

// Every feature a protocol enables, explicitly or through its versions.
std::set<std::string> FeaturesOf(const Protocol& p) {
  std::set<std::string> out;
  if (p.writer_features) out.insert(p.writer_features->begin(), p.writer_features->end());
  if (p.reader_features) out.insert(p.reader_features->begin(), p.reader_features->end());
  if (p.min_writer_version < 7) {
    static const char* kLegacy[] = {"appendOnly",       "invariants",      "checkConstraints",
                                    "changeDataFeed",   "generatedColumns", "columnMapping",
                                    "identityColumns"};
    for (const char* f : kLegacy) {
      if (p.min_writer_version >= LegacyWriterVersion(f)) out.insert(f);
    }
  }
  return out;
}

std::set<std::string> FeaturesOfConfig(const std::map<std::string, std::string>& config) {
  std::set<std::string> out;
  if (ConfigTrue(config, "delta.appendOnly")) out.insert("appendOnly");
  if (ConfigTrue(config, "delta.enableChangeDataFeed")) out.insert("changeDataFeed");
  if (MappingMode(config) != "none") out.insert("columnMapping");
  if (ConfigTrue(config, "delta.enableDeletionVectors")) out.insert("deletionVectors");
  if (ConfigTrue(config, "delta.enableInCommitTimestamps")) out.insert("inCommitTimestamp");
  if (ConfigTrue(config, "delta.enableTypeWidening")) out.insert("typeWidening");
  auto policy = config.find("delta.checkpointPolicy");
  if (policy != config.end() && policy->second == "v2") out.insert("v2Checkpoint");
  for (const auto& [key, value] : config) {
    if (key.rfind("delta.feature.", 0) == 0) out.insert(key.substr(14));
  }
  return out;
}

Protocol MergeProtocols(const std::vector<const Protocol*>& inputs,
                        const std::set<std::string>& required) {
  std::set<std::string> features = required;
  bool table_features = false;
  int reader = 1, writer = 1;
  for (const auto* p : inputs) {
    auto f = FeaturesOf(*p);
    features.insert(f.begin(), f.end());
    table_features |= p->min_writer_version >= 7;
    reader = std::max(reader, p->min_reader_version);
    writer = std::max(writer, p->min_writer_version);
  }
  for (const auto& f : features) {
    int legacy = LegacyWriterVersion(f);
    if (legacy == 0) table_features = true;
    writer = std::max(writer, legacy);
    if (f == "columnMapping") reader = std::max(reader, 2);
  }
  Protocol out;
  if (!table_features) {
    out.min_reader_version = std::min(reader, 2);
    out.min_writer_version = std::min(writer, 6);
    return out;
  }
  std::vector<std::string> reader_features;
  for (const auto& f : features) {
    if (ReaderWriterFeatures().count(f)) reader_features.push_back(f);
  }
  out.min_writer_version = 7;
  out.writer_features = std::vector<std::string>(features.begin(), features.end());
  if (!reader_features.empty()) {
    out.min_reader_version = 3;
    out.reader_features = reader_features;
  } else {
    out.min_reader_version = std::min(reader, 2);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Deep clone: copying data files.

Status CopyFile(const io::Location& from, const io::Location& to) {
  auto parent = to.path.substr(0, to.path.rfind('/'));
  if (!parent.empty()) RETURN_NOT_OK(to.fs->CreateDir(parent, /*recursive=*/true));
  if (from.fs == to.fs || (from.fs->type_name() == to.fs->type_name() && from.fs->Equals(*to.fs))) {
    return to.fs->CopyFile(from.path, to.path);
  }
  ASSIGN_OR_RAISE(auto in, from.fs->OpenInputStream(from.path));
  ASSIGN_OR_RAISE(auto out, to.fs->OpenOutputStream(to.path));
  while (true) {
    ASSIGN_OR_RAISE(auto chunk, in->Read(8 << 20));
    if (chunk->size() == 0) break;
    RETURN_NOT_OK(out->Write(chunk));
  }
  return out->Close();
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<std::string> QualifiedUri(const io::Location& location) {
  if (location.fs->type_name() == "local") return "file:" + UriEncodePath(location.path);
  return location.fs->MakeUri(location.path);
}

Result<CloneResult> CloneTable(const io::Location& source_root, const io::Location& target_root,
                               const CloneOptions& options) {
  ASSIGN_OR_RAISE(auto source,
                  Snapshot::Load(source_root, SnapshotOptions{options.version, options.timestamp_ms}));
  ASSIGN_OR_RAISE(auto txn, Transaction::Begin(target_root));
  auto target = txn.read_snapshot();
  auto non_empty = [&] {
    return UserError("DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION",
                     "Cannot create table ('`delta`.`" + target_root.path +
                         "`'). The associated location ('" + target_root.path +
                         "') is not empty and also not a Delta table.");
  };
  if (target && !options.replace) return non_empty();
  if (!target) {
    ASSIGN_OR_RAISE(auto entries, io::ListDirectory(target_root, /*allow_missing=*/true));
    for (const auto& entry : entries) {
      if (entry.base_name() != "_delta_log") return non_empty();
    }
  }

  // Metadata: the source's with a new id (a replaced target keeps its id, name and description)
  // and the properties merged over its configuration.
  Metadata metadata = source->metadata();
  metadata.id = target ? target->metadata().id : NewUuid();
  metadata.name = target ? target->metadata().name : std::nullopt;
  metadata.description = target ? target->metadata().description : std::nullopt;
  for (const auto& [key, value] : options.properties) metadata.configuration[key] = value;
  std::string source_mode = MappingMode(source->metadata().configuration);
  std::string new_mode = MappingMode(metadata.configuration);
  if (source_mode != new_mode || (target && MappingMode(target->metadata().configuration) != new_mode &&
                                  !target->files().empty())) {
    std::string from = source_mode != new_mode ? source_mode
                                               : MappingMode(target->metadata().configuration);
    return UserError("DELTA_UNSUPPORTED_COLUMN_MAPPING_MODE_CHANGE",
                     "Changing column mapping mode from '" + from + "' to '" + new_mode +
                         "' is not supported.");
  }

  // Protocol: the source's unless the properties or a replaced target need more.
  auto required = FeaturesOfConfig(metadata.configuration);
  auto source_features = FeaturesOf(source->protocol());
  Protocol protocol = source->protocol();
  bool covered = std::includes(source_features.begin(), source_features.end(), required.begin(),
                               required.end());
  if (target || !covered) {
    std::vector<const Protocol*> inputs = {&source->protocol()};
    if (target) inputs.push_back(&target->protocol());
    protocol = MergeProtocols(inputs, required);
  }

  ASSIGN_OR_RAISE(auto source_uri, QualifiedUri(source_root));
  CloneResult result;
  result.source_version = source->version();
  for (const auto& f : source->files()) {
    result.source_table_size += f.size;
    result.source_num_of_files += 1;
  }

  int64_t now = NowMs();
  std::vector<io::Location> written;  // deep clone copies, deleted if the commit fails
  auto fail = [&](const Status& status) {
    for (const auto& w : written) (void)w.fs->DeleteFile(w.path);
    return status;
  };
  std::vector<AddFile> adds;
  std::set<std::string> used_paths;
  for (const auto& file : source->files()) {
    AddFile add = file;
    add.data_change = true;
    add.base_row_id.reset();
    add.default_row_commit_version.reset();
    if (options.shallow) {
      if (!IsAbsoluteLogPath(file.path)) {
        add.path = source_uri + "/" + file.path;
      } else if (file.path[0] == '/') {
        add.path = "file:" + file.path;
      }
      if (file.deletion_vector && file.deletion_vector->storage_type == "u") {
        auto dv_location = DeletionVectorLocation(source_root, *file.deletion_vector);
        if (!dv_location.ok()) return fail(dv_location.status());
        auto dv_uri = QualifiedUri(*dv_location);
        if (!dv_uri.ok()) return fail(dv_uri.status());
        add.deletion_vector->storage_type = "p";
        add.deletion_vector->path_or_inline_dv = *dv_uri;
      }
    } else {
      // Relative files keep their relative path; absolute ones (a shallow-cloned source) go to
      // the target root under their file name.
      std::string relative = IsAbsoluteLogPath(file.path) ? BaseName(file.path) : file.path;
      if (!used_paths.insert(relative).second) {
        relative = "clone-" + NewUuid() + "-" + relative;
        used_paths.insert(relative);
      }
      auto from = DataFileLocation(source_root, file.path);
      if (!from.ok()) return fail(from.status());
      io::Location to = target_root.Child(UriDecode(relative));
      written.push_back(to);
      Status copied = CopyFile(*from, to);
      if (!copied.ok()) return fail(copied);
      auto info = to.fs->GetFileInfo(to.path);
      if (!info.ok()) return fail(info.status());
      add.path = relative;
      add.size = info->size();
      add.modification_time = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  info->mtime().time_since_epoch())
                                  .count();
      if (file.deletion_vector && file.deletion_vector->storage_type != "i") {
        auto rows = LoadDeletionVector(source_root, *file.deletion_vector);
        if (!rows.ok()) return fail(rows.status());
        auto dv = WriteDeletionVector(target_root, *rows);
        if (!dv.ok()) return fail(dv.status());
        auto dv_location = DeletionVectorLocation(target_root, *dv);
        if (dv_location.ok()) written.push_back(*dv_location);
        add.deletion_vector = *dv;
      }
      result.num_copied_files += 1;
      result.copied_files_size += add.size;
    }
    adds.push_back(std::move(add));
  }

  // Not a blind append (delta-spark records isBlindAppend false), and a table created at the
  // target meanwhile is a conflict rather than something to add the clone's files to.
  txn.MarkTableRead();
  if (target) {
    for (const auto& f : target->files()) {
      txn.Remove(RemoveActionOf(f, now));
      result.num_removed_files += 1;
      result.removed_files_size += f.size;
    }
  }
  txn.UpdateMetadata(metadata);
  txn.UpdateProtocol(protocol);
  for (auto& add : adds) txn.Add(std::move(add));

  nlohmann::json parameters = {{"source", "delta.`" + source_uri + "`"},
                               {"sourceVersion", source->version()},
                               {"isShallow", options.shallow}};
  nlohmann::json metrics = {{"sourceTableSize", std::to_string(result.source_table_size)},
                            {"sourceNumOfFiles", std::to_string(result.source_num_of_files)},
                            {"numRemovedFiles", std::to_string(result.num_removed_files)},
                            {"removedFilesSize", std::to_string(result.removed_files_size)},
                            {"numCopiedFiles", std::to_string(result.num_copied_files)},
                            {"copiedFilesSize", std::to_string(result.copied_files_size)}};
  auto committed = txn.Commit("CLONE", parameters, metrics);
  if (!committed.ok()) return fail(committed.status());
  result.version = committed->version;
  return result;
}

}  // namespace basin::delta
