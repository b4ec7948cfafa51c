#pragma once

// The actions of the Delta transaction log (PROTOCOL.md, "Actions"), as plain values, and their
// JSON form: one action per line of a commit file.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "basin/base/status.h"

namespace basin::delta {

/// PROTOCOL.md, "Protocol Evolution".
struct Protocol {
  int32_t min_reader_version = 1;
  int32_t min_writer_version = 2;
  /// Present only for reader version 3 / writer version 7.
  std::optional<std::vector<std::string>> reader_features;
  std::optional<std::vector<std::string>> writer_features;

  bool HasReaderFeature(std::string_view name) const;
  bool HasWriterFeature(std::string_view name) const;
};

struct Format {
  std::string provider = "parquet";
  std::map<std::string, std::string> options;
};

/// PROTOCOL.md, "Change Metadata".
struct Metadata {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  Format format;
  std::string schema_string;
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> configuration;
  std::optional<int64_t> created_time;
};

/// PROTOCOL.md, "Deletion Vector Descriptor Schema".
struct DeletionVectorDescriptor {
  /// 'u' (relative UUID path), 'i' (inline, Z85), 'p' (absolute path).
  std::string storage_type;
  std::string path_or_inline_dv;
  std::optional<int32_t> offset;
  int32_t size_in_bytes = 0;
  int64_t cardinality = 0;

  /// Returns storage_type + path_or_inline_dv (+ "@" + offset), identifying the DV in a table.
  std::string UniqueId() const;
};

/// PROTOCOL.md, "Add File and Remove File". `path` is kept URI-encoded, as in the log.
struct AddFile {
  std::string path;
  std::map<std::string, std::optional<std::string>> partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  bool data_change = true;
  /// The JSON statistics string, if any.
  std::optional<std::string> stats;
  /// Statistics from a checkpoint's `stats_parsed` column, as JSON, when `stats` is absent.
  std::optional<nlohmann::json> stats_parsed;
  std::map<std::string, std::string> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
  std::optional<std::string> clustering_provider;
};

struct RemoveFile {
  std::string path;
  std::optional<int64_t> deletion_timestamp;
  bool data_change = true;
  bool extended_file_metadata = false;
  std::map<std::string, std::optional<std::string>> partition_values;
  std::optional<int64_t> size;
  std::optional<std::string> stats;
  std::map<std::string, std::string> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
};

/// PROTOCOL.md, "Add CDC File".
struct AddCdcFile {
  std::string path;
  std::map<std::string, std::optional<std::string>> partition_values;
  int64_t size = 0;
  bool data_change = false;
  std::map<std::string, std::string> tags;
};

/// PROTOCOL.md, "Transaction Identifiers".
struct Txn {
  std::string app_id;
  int64_t version = 0;
  std::optional<int64_t> last_updated;
};

/// PROTOCOL.md, "Commit Provenance Information": free-form, so kept as JSON.
struct CommitInfo {
  nlohmann::json value = nlohmann::json::object();

  /// Returns `inCommitTimestamp` if present.
  std::optional<int64_t> InCommitTimestamp() const;
};

/// PROTOCOL.md, "Domain Metadata".
struct DomainMetadata {
  std::string domain;
  std::string configuration;
  bool removed = false;
};

/// PROTOCOL.md, "Checkpoint Metadata" (V2 checkpoints).
struct CheckpointMetadata {
  int64_t version = 0;
  std::map<std::string, std::string> tags;
};

/// PROTOCOL.md, "Sidecar File Information". `path` is relative to _delta_log/_sidecars or absolute.
struct Sidecar {
  std::string path;
  int64_t size_in_bytes = 0;
  int64_t modification_time = 0;
  std::map<std::string, std::string> tags;
};

using Action = std::variant<Protocol, Metadata, AddFile, RemoveFile, AddCdcFile, Txn, CommitInfo,
                            DomainMetadata, CheckpointMetadata, Sidecar>;

/// Parses one JSON line of a commit. Unknown action kinds give std::nullopt (readers must
/// ignore them); malformed JSON or a known action with missing required fields gives
/// DELTA_INVALID_LOG_ENTRY naming `source` (a file name, for the message).
Result<std::optional<Action>> ParseActionLine(std::string_view line, std::string_view source);

/// Parses one action from an already parsed JSON line.
Result<std::optional<Action>> ParseActionJson(const nlohmann::json& line, std::string_view source);

/// Parses a whole commit file (newline-delimited JSON; blank lines skipped).
Result<std::vector<Action>> ParseCommitFile(std::string_view content, std::string_view source);

/// Serializes one action as a single JSON line (without the newline), as delta-spark writes it.
std::string SerializeAction(const Action& action);

/// Converts an action to and from its JSON object (the value inside {"add": ...} etc.).
nlohmann::json ActionToJson(const Action& action);

}  // namespace basin::delta
