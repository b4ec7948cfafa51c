#include "basin/delta/actions.h"

#include <algorithm>

namespace basin::delta {

namespace {

using nlohmann::json;

Status InvalidEntry(std::string_view source, std::string_view what) {
  return UserError("DELTA_INVALID_LOG_ENTRY",
                   "Invalid Delta log entry in " + std::string(source) + ": " + std::string(what));
}

// Reads helpers: each returns an error naming the action and field when the type is wrong.
Result<std::string> RequiredString(const json& obj, const char* key, std::string_view action,
                                   std::string_view source) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) {
    return InvalidEntry(source, std::string(action) + " needs a string field '" + key + "'");
  }
  return it->get<std::string>();
}

std::optional<std::string> OptionalString(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<int64_t> OptionalInt(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return std::nullopt;
  return it->get<int64_t>();
}

bool BoolOr(const json& obj, const char* key, bool fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_boolean()) return fallback;
  return it->get<bool>();
}

std::map<std::string, std::string> StringMap(const json& obj, const char* key) {
  std::map<std::string, std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items()) {
    if (v.is_string()) {
      out[k] = v.get<std::string>();
    } else if (!v.is_null()) {
      out[k] = v.dump();
    }
  }
  return out;
}

std::map<std::string, std::optional<std::string>> PartitionValues(const json& obj) {
  std::map<std::string, std::optional<std::string>> out;
  auto it = obj.find("partitionValues");
  if (it == obj.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items()) {
    if (v.is_null()) {
      out[k] = std::nullopt;
    } else if (v.is_string()) {
      out[k] = v.get<std::string>();
    } else {
      out[k] = v.dump();
    }
  }
  return out;
}

std::optional<std::vector<std::string>> StringList(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::optional<DeletionVectorDescriptor>> ParseDv(const json& obj, std::string_view source) {
  auto it = obj.find("deletionVector");
  if (it == obj.end() || it->is_null()) return std::optional<DeletionVectorDescriptor>();
  if (!it->is_object()) return InvalidEntry(source, "deletionVector must be an object");
  DeletionVectorDescriptor dv;
  ASSIGN_OR_RAISE(dv.storage_type, RequiredString(*it, "storageType", "deletionVector", source));
  ASSIGN_OR_RAISE(dv.path_or_inline_dv,
                  RequiredString(*it, "pathOrInlineDv", "deletionVector", source));
  if (auto off = OptionalInt(*it, "offset")) dv.offset = static_cast<int32_t>(*off);
  dv.size_in_bytes = static_cast<int32_t>(OptionalInt(*it, "sizeInBytes").value_or(0));
  dv.cardinality = OptionalInt(*it, "cardinality").value_or(0);
  return std::optional<DeletionVectorDescriptor>(std::move(dv));
}

json DvToJson(const DeletionVectorDescriptor& dv) {
  json out = {{"storageType", dv.storage_type}, {"pathOrInlineDv", dv.path_or_inline_dv}};
  if (dv.offset) out["offset"] = *dv.offset;
  out["sizeInBytes"] = dv.size_in_bytes;
  out["cardinality"] = dv.cardinality;
  return out;
}

json PartitionValuesToJson(const std::map<std::string, std::optional<std::string>>& values) {
  json out = json::object();
  for (const auto& [k, v] : values) out[k] = v ? json(*v) : json(nullptr);
  return out;
}

json StringMapToJson(const std::map<std::string, std::string>& values) {
  json out = json::object();
  for (const auto& [k, v] : values) out[k] = v;
  return out;
}

Result<Action> ParseProtocol(const json& obj, std::string_view source) {
  Protocol p;
  auto reader = OptionalInt(obj, "minReaderVersion");
  auto writer = OptionalInt(obj, "minWriterVersion");
  if (!reader || !writer) {
    return InvalidEntry(source, "protocol needs minReaderVersion and minWriterVersion");
  }
  p.min_reader_version = static_cast<int32_t>(*reader);
  p.min_writer_version = static_cast<int32_t>(*writer);
  p.reader_features = StringList(obj, "readerFeatures");
  p.writer_features = StringList(obj, "writerFeatures");
  return Action(std::move(p));
}

Result<Action> ParseMetadata(const json& obj, std::string_view source) {
  Metadata m;
  ASSIGN_OR_RAISE(m.id, RequiredString(obj, "id", "metaData", source));
  m.name = OptionalString(obj, "name");
  m.description = OptionalString(obj, "description");
  if (auto it = obj.find("format"); it != obj.end() && it->is_object()) {
    m.format.provider = OptionalString(*it, "provider").value_or("parquet");
    m.format.options = StringMap(*it, "options");
  }
  // Some old writers left schemaString out of metadata that only set other fields; such a
  // table has no columns.
  m.schema_string = OptionalString(obj, "schemaString").value_or(R"({"type":"struct","fields":[]})");
  if (auto cols = StringList(obj, "partitionColumns")) m.partition_columns = std::move(*cols);
  m.configuration = StringMap(obj, "configuration");
  m.created_time = OptionalInt(obj, "createdTime");
  return Action(std::move(m));
}

Result<Action> ParseAdd(const json& obj, std::string_view source) {
  AddFile a;
  ASSIGN_OR_RAISE(a.path, RequiredString(obj, "path", "add", source));
  a.partition_values = PartitionValues(obj);
  a.size = OptionalInt(obj, "size").value_or(0);
  a.modification_time = OptionalInt(obj, "modificationTime").value_or(0);
  a.data_change = BoolOr(obj, "dataChange", true);
  a.stats = OptionalString(obj, "stats");
  a.tags = StringMap(obj, "tags");
  ASSIGN_OR_RAISE(a.deletion_vector, ParseDv(obj, source));
  a.base_row_id = OptionalInt(obj, "baseRowId");
  a.default_row_commit_version = OptionalInt(obj, "defaultRowCommitVersion");
  a.clustering_provider = OptionalString(obj, "clusteringProvider");
  return Action(std::move(a));
}

Result<Action> ParseRemove(const json& obj, std::string_view source) {
  RemoveFile r;
  ASSIGN_OR_RAISE(r.path, RequiredString(obj, "path", "remove", source));
  r.deletion_timestamp = OptionalInt(obj, "deletionTimestamp");
  r.data_change = BoolOr(obj, "dataChange", true);
  r.extended_file_metadata = BoolOr(obj, "extendedFileMetadata", false);
  r.partition_values = PartitionValues(obj);
  r.size = OptionalInt(obj, "size");
  r.stats = OptionalString(obj, "stats");
  r.tags = StringMap(obj, "tags");
  ASSIGN_OR_RAISE(r.deletion_vector, ParseDv(obj, source));
  r.base_row_id = OptionalInt(obj, "baseRowId");
  r.default_row_commit_version = OptionalInt(obj, "defaultRowCommitVersion");
  return Action(std::move(r));
}

Result<Action> ParseCdc(const json& obj, std::string_view source) {
  AddCdcFile c;
  ASSIGN_OR_RAISE(c.path, RequiredString(obj, "path", "cdc", source));
  c.partition_values = PartitionValues(obj);
  c.size = OptionalInt(obj, "size").value_or(0);
  c.data_change = BoolOr(obj, "dataChange", false);
  c.tags = StringMap(obj, "tags");
  return Action(std::move(c));
}

Result<Action> ParseTxn(const json& obj, std::string_view source) {
  Txn t;
  ASSIGN_OR_RAISE(t.app_id, RequiredString(obj, "appId", "txn", source));
  auto version = OptionalInt(obj, "version");
  if (!version) return InvalidEntry(source, "txn needs a numeric 'version'");
  t.version = *version;
  t.last_updated = OptionalInt(obj, "lastUpdated");
  return Action(std::move(t));
}

Result<Action> ParseDomain(const json& obj, std::string_view source) {
  DomainMetadata d;
  ASSIGN_OR_RAISE(d.domain, RequiredString(obj, "domain", "domainMetadata", source));
  d.configuration = OptionalString(obj, "configuration").value_or("");
  d.removed = BoolOr(obj, "removed", false);
  return Action(std::move(d));
}

Result<Action> ParseCheckpointMetadata(const json& obj, std::string_view source) {
  CheckpointMetadata c;
  auto version = OptionalInt(obj, "version");
  if (!version) return InvalidEntry(source, "checkpointMetadata needs a numeric 'version'");
  c.version = *version;
  c.tags = StringMap(obj, "tags");
  return Action(std::move(c));
}

Result<Action> ParseSidecar(const json& obj, std::string_view source) {
  Sidecar s;
  ASSIGN_OR_RAISE(s.path, RequiredString(obj, "path", "sidecar", source));
  s.size_in_bytes = OptionalInt(obj, "sizeInBytes").value_or(0);
  s.modification_time = OptionalInt(obj, "modificationTime").value_or(0);
  s.tags = StringMap(obj, "tags");
  return Action(std::move(s));
}

}  // namespace

bool Protocol::HasReaderFeature(std::string_view name) const {
  return reader_features &&
         std::find(reader_features->begin(), reader_features->end(), name) != reader_features->end();
}

bool Protocol::HasWriterFeature(std::string_view name) const {
  return writer_features &&
         std::find(writer_features->begin(), writer_features->end(), name) != writer_features->end();
}

std::string DeletionVectorDescriptor::UniqueId() const {
  std::string id = storage_type + path_or_inline_dv;
  if (offset) id += "@" + std::to_string(*offset);
  return id;
}

std::optional<int64_t> CommitInfo::InCommitTimestamp() const {
  if (!value.is_object()) return std::nullopt;
  auto it = value.find("inCommitTimestamp");
  if (it == value.end() || !it->is_number()) return std::nullopt;
  return it->get<int64_t>();
}

Result<std::optional<Action>> ParseActionJson(const json& line, std::string_view source) {
  if (!line.is_object()) return InvalidEntry(source, "a log line must be a JSON object");
  for (const auto& [key, value] : line.items()) {
    if (value.is_null()) continue;
    if (key == "commitInfo") {
      CommitInfo info;
      info.value = value;
      return std::optional<Action>(std::move(info));
    }
    if (!value.is_object()) {
      if (key == "add" || key == "remove" || key == "metaData" || key == "protocol" ||
          key == "txn" || key == "cdc" || key == "domainMetadata" || key == "checkpointMetadata" ||
          key == "sidecar") {
        return InvalidEntry(source, "action '" + key + "' must be a JSON object");
      }
      continue;
    }
    using Parser = Result<Action> (*)(const json&, std::string_view);
    Parser parser = nullptr;
    if (key == "add") {
      parser = ParseAdd;
    } else if (key == "remove") {
      parser = ParseRemove;
    } else if (key == "metaData") {
      parser = ParseMetadata;
    } else if (key == "protocol") {
      parser = ParseProtocol;
    } else if (key == "txn") {
      parser = ParseTxn;
    } else if (key == "cdc") {
      parser = ParseCdc;
    } else if (key == "domainMetadata") {
      parser = ParseDomain;
    } else if (key == "checkpointMetadata") {
      parser = ParseCheckpointMetadata;
    } else if (key == "sidecar") {
      parser = ParseSidecar;
    } else {
      continue;  // PROTOCOL.md: readers ignore unknown actions.
    }
    Result<Action> parsed = parser(value, source);
    if (!parsed.ok()) return parsed.status();
    return std::optional<Action>(std::move(parsed).ValueUnsafe());
  }
  return std::optional<Action>();
}

Result<std::optional<Action>> ParseActionLine(std::string_view line, std::string_view source) {
  json parsed = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return UserError("DELTA_INVALID_LOG_ENTRY",
                     "Corrupt Delta log file " + std::string(source) +
                         ": a line is not valid JSON (truncated or damaged commit).");
  }
  return ParseActionJson(parsed, source);
}

Result<std::vector<Action>> ParseCommitFile(std::string_view content, std::string_view source) {
  std::vector<Action> actions;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    ASSIGN_OR_RAISE(auto action, ParseActionLine(line, source));
    if (action) actions.push_back(std::move(*action));
  }
  return actions;
}

nlohmann::json ActionToJson(const Action& action) {
  return std::visit(
      [](const auto& a) -> json {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, Protocol>) {
          json out = {{"minReaderVersion", a.min_reader_version},
                      {"minWriterVersion", a.min_writer_version}};
          if (a.reader_features) out["readerFeatures"] = *a.reader_features;
          if (a.writer_features) out["writerFeatures"] = *a.writer_features;
          return out;
        } else if constexpr (std::is_same_v<T, Metadata>) {
          json out = {{"id", a.id}};
          if (a.name) out["name"] = *a.name;
          if (a.description) out["description"] = *a.description;
          out["format"] = {{"provider", a.format.provider},
                           {"options", StringMapToJson(a.format.options)}};
          out["schemaString"] = a.schema_string;
          out["partitionColumns"] = a.partition_columns;
          out["configuration"] = StringMapToJson(a.configuration);
          if (a.created_time) out["createdTime"] = *a.created_time;
          return out;
        } else if constexpr (std::is_same_v<T, AddFile>) {
          json out = {{"path", a.path},
                      {"partitionValues", PartitionValuesToJson(a.partition_values)},
                      {"size", a.size},
                      {"modificationTime", a.modification_time},
                      {"dataChange", a.data_change}};
          if (a.stats) {
            out["stats"] = *a.stats;
          } else if (a.stats_parsed) {
            out["stats"] = a.stats_parsed->dump();
          }
          if (!a.tags.empty()) out["tags"] = StringMapToJson(a.tags);
          if (a.deletion_vector) out["deletionVector"] = DvToJson(*a.deletion_vector);
          if (a.base_row_id) out["baseRowId"] = *a.base_row_id;
          if (a.default_row_commit_version) {
            out["defaultRowCommitVersion"] = *a.default_row_commit_version;
          }
          if (a.clustering_provider) out["clusteringProvider"] = *a.clustering_provider;
          return out;
        } else if constexpr (std::is_same_v<T, RemoveFile>) {
          json out = {{"path", a.path}};
          if (a.deletion_timestamp) out["deletionTimestamp"] = *a.deletion_timestamp;
          out["dataChange"] = a.data_change;
          out["extendedFileMetadata"] = a.extended_file_metadata;
          out["partitionValues"] = PartitionValuesToJson(a.partition_values);
          if (a.size) out["size"] = *a.size;
          if (a.stats) out["stats"] = *a.stats;
          if (!a.tags.empty()) out["tags"] = StringMapToJson(a.tags);
          if (a.deletion_vector) out["deletionVector"] = DvToJson(*a.deletion_vector);
          if (a.base_row_id) out["baseRowId"] = *a.base_row_id;
          if (a.default_row_commit_version) {
            out["defaultRowCommitVersion"] = *a.default_row_commit_version;
          }
          return out;
        } else if constexpr (std::is_same_v<T, AddCdcFile>) {
          json out = {{"path", a.path},
                      {"partitionValues", PartitionValuesToJson(a.partition_values)},
                      {"size", a.size},
                      {"dataChange", a.data_change}};
          if (!a.tags.empty()) out["tags"] = StringMapToJson(a.tags);
          return out;
        } else if constexpr (std::is_same_v<T, Txn>) {
          json out = {{"appId", a.app_id}, {"version", a.version}};
          if (a.last_updated) out["lastUpdated"] = *a.last_updated;
          return out;
        } else if constexpr (std::is_same_v<T, CommitInfo>) {
          return a.value;
        } else if constexpr (std::is_same_v<T, DomainMetadata>) {
          return json{{"domain", a.domain},
                      {"configuration", a.configuration},
                      {"removed", a.removed}};
        } else if constexpr (std::is_same_v<T, CheckpointMetadata>) {
          json out = {{"version", a.version}};
          if (!a.tags.empty()) out["tags"] = StringMapToJson(a.tags);
          return out;
        } else {
          static_assert(std::is_same_v<T, Sidecar>);
          json out = {{"path", a.path},
                      {"sizeInBytes", a.size_in_bytes},
                      {"modificationTime", a.modification_time}};
          if (!a.tags.empty()) out["tags"] = StringMapToJson(a.tags);
          return out;
        }
      },
      action);
}

namespace {
const char* ActionKey(const Action& action) {
  static constexpr const char* kKeys[] = {"protocol", "metaData",      "add",  "remove",
                                          "cdc",      "txn",           "commitInfo",
                                          "domainMetadata", "checkpointMetadata", "sidecar"};
  return kKeys[action.index()];
}
}  // namespace

std::string SerializeAction(const Action& action) {
  json wrapper = json::object();
  wrapper[ActionKey(action)] = ActionToJson(action);
  // Invalid UTF-8 in user strings is replaced rather than thrown on.
  return wrapper.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace basin::delta
