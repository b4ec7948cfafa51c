#include "basin/delta/detail.h"

#include <set>

#include "basin/delta/history.h"

namespace basin::delta {

namespace {

// PROTOCOL.md, "Table Features": the features a legacy (reader <= 2, writer <= 6) protocol
// implies.
std::vector<std::string> TableFeatures(const Protocol& p) {
  std::set<std::string> out;
  if (p.reader_features) out.insert(p.reader_features->begin(), p.reader_features->end());
  if (p.writer_features) out.insert(p.writer_features->begin(), p.writer_features->end());
  if (p.min_writer_version < 7) {
    int w = p.min_writer_version;
    if (w >= 2) out.insert({"appendOnly", "invariants"});
    if (w >= 3) out.insert("checkConstraints");
    if (w >= 4) out.insert({"changeDataFeed", "generatedColumns"});
    if (w >= 5) out.insert("columnMapping");
    if (w >= 6) out.insert("identityColumns");
  }
  return {out.begin(), out.end()};
}

}  // namespace

nlohmann::json DescribeDetail(const Snapshot& snapshot) {
  const auto& m = snapshot.metadata();
  int64_t size = 0;
  for (const auto& f : snapshot.files()) size += f.size;
  nlohmann::json clustering = nlohmann::json::array();
  auto domain = snapshot.domain_metadata().find("delta.clustering");
  if (domain != snapshot.domain_metadata().end() && !domain->second.removed) {
    auto config = nlohmann::json::parse(domain->second.configuration, nullptr, false);
    if (config.is_object() && config.contains("clusteringColumns") &&
        config["clusteringColumns"].is_array()) {
      for (const auto& path : config["clusteringColumns"]) {
        std::string name;
        if (!path.is_array()) continue;
        for (const auto& part : path) {
          if (!part.is_string()) continue;
          if (!name.empty()) name += ".";
          name += part.get<std::string>();
        }
        clustering.push_back(name);
      }
    }
  }
  nlohmann::json detail = nlohmann::json::object();
  detail["format"] = "delta";
  detail["id"] = m.id;
  detail["name"] = m.name ? nlohmann::json(*m.name) : nlohmann::json();
  detail["description"] = m.description ? nlohmann::json(*m.description) : nlohmann::json();
  detail["location"] = snapshot.table_root().path;
  detail["createdAt"] = m.created_time ? nlohmann::json(FormatMillisUtc(*m.created_time))
                                       : nlohmann::json();
  detail["lastModified"] = FormatMillisUtc(snapshot.timestamp_ms());
  detail["partitionColumns"] = m.partition_columns;
  detail["clusteringColumns"] = clustering;
  detail["numFiles"] = snapshot.files().size();
  detail["sizeInBytes"] = size;
  detail["properties"] = m.configuration;
  detail["minReaderVersion"] = snapshot.protocol().min_reader_version;
  detail["minWriterVersion"] = snapshot.protocol().min_writer_version;
  detail["tableFeatures"] = TableFeatures(snapshot.protocol());
  return detail;
}

Result<nlohmann::json> DescribeDetail(const io::Location& table_root) {
  ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(table_root));
  return DescribeDetail(*snapshot);
}

}  // namespace basin::delta
