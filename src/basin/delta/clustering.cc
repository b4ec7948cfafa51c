#include "basin/delta/clustering.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <arrow/type.h>
#include <arrow/util/key_value_metadata.h>
#include <nlohmann/json.hpp>

#include "basin/types/schema_json.h"

namespace basin::delta {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool EqualsIgnoreCase(const std::string& a, const std::string& b) { return Lower(a) == Lower(b); }

std::string PhysicalName(const arrow::Field& field) {
  if (field.metadata()) {
    auto physical = field.metadata()->Get(types::kPhysicalName);
    if (physical.ok()) return *physical;
  }
  return field.name();
}

int CountLeaves(const arrow::DataType& type) {
  if (type.id() != arrow::Type::STRUCT) return 1;
  int n = 0;
  for (const auto& f : type.fields()) n += CountLeaves(*f->type());
  return std::max(n, 1);
}

// Splits "a.b" and "`a.b`.c" style names into parts.
std::vector<std::string> SplitColumnPath(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '`') {
      if (quoted && i + 1 < text.size() && text[i + 1] == '`') {
        current.push_back('`');
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == '.' && !quoted) {
      parts.push_back(current);
      current.clear();
    } else if (!(std::isspace(static_cast<unsigned char>(c)) && !quoted && current.empty())) {
      current.push_back(c);
    }
  }
  while (!current.empty() && std::isspace(static_cast<unsigned char>(current.back())))
    current.pop_back();
  parts.push_back(current);
  return parts;
}

// Spark's DataType.typeName, as StructType.treeString prints it.
std::string TreeTypeName(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::INT8:
      return "byte";
    case arrow::Type::INT16:
      return "short";
    case arrow::Type::INT32:
      return "integer";
    case arrow::Type::INT64:
      return "long";
    case arrow::Type::TIMESTAMP:
      return static_cast<const arrow::TimestampType&>(type).timezone().empty() ? "timestamp_ntz"
                                                                               : "timestamp";
    case arrow::Type::STRUCT:
      return "struct";
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
      return "array";
    case arrow::Type::MAP:
      return "map";
    default:
      return types::SparkTypeName(type);
  }
}

// Whether delta-spark can skip data on a column of `type` (its SkippingEligibleDataType).
bool SkippingEligible(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE:
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256:
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::DATE32:
    case arrow::Type::TIMESTAMP:
      return true;
    default:
      return false;
  }
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

bool IsClusteredTable(const Protocol& protocol) {
  return protocol.HasWriterFeature(kClusteringFeature);
}

Result<std::vector<std::vector<std::string>>> ClusteringColumnPaths(const Snapshot& snapshot) {
  std::vector<std::vector<std::string>> out;
  auto it = snapshot.domain_metadata().find(kClusteringDomain);
  if (it == snapshot.domain_metadata().end() || it->second.removed) return out;
  auto json = nlohmann::json::parse(it->second.configuration, nullptr, false);
  auto invalid = [&] {
    return UserError("DELTA_INVALID_LOG_ENTRY",
                     "The delta.clustering domain metadata of the table is malformed: " +
                         it->second.configuration);
  };
  if (!json.is_object()) return invalid();
  auto columns = json.find("clusteringColumns");
  if (columns == json.end()) return out;
  if (!columns->is_array()) return invalid();
  for (const auto& column : *columns) {
    std::vector<std::string> path;
    if (column.is_string()) {
      path.push_back(column.get<std::string>());
    } else if (column.is_array()) {
      for (const auto& part : column) {
        if (!part.is_string()) return invalid();
        path.push_back(part.get<std::string>());
      }
    } else {
      return invalid();
    }
    if (path.empty()) return invalid();
    out.push_back(std::move(path));
  }
  return out;
}

Result<std::vector<std::string>> ClusteringColumns(const Snapshot& snapshot) {
  ASSIGN_OR_RAISE(auto paths, ClusteringColumnPaths(snapshot));
  std::vector<std::string> names;
  for (const auto& path : paths) {
    // Walk the schema by physical name (which is the logical name without column mapping).
    const arrow::FieldVector* fields = snapshot.schema() ? &snapshot.schema()->fields() : nullptr;
    std::string logical;
    for (const auto& part : path) {
      std::shared_ptr<arrow::Field> match;
      if (fields) {
        for (const auto& f : *fields) {
          if (PhysicalName(*f) == part) match = f;
        }
        if (!match) {
          for (const auto& f : *fields) {
            if (EqualsIgnoreCase(PhysicalName(*f), part)) match = f;
          }
        }
      }
      std::string name = match ? match->name() : part;
      logical += (logical.empty() ? "" : ".") + name;
      fields =
          match && match->type()->id() == arrow::Type::STRUCT ? &match->type()->fields() : nullptr;
    }
    names.push_back(logical);
  }
  return names;
}

Result<DomainMetadata> ClusteringDomainMetadata(const arrow::Schema& schema,
                                                const std::vector<std::string>& columns) {
  if (static_cast<int>(columns.size()) > kMaxClusteringColumns) {
    return UserError("DELTA_CLUSTER_BY_INVALID_NUM_COLUMNS",
                     "CLUSTER BY supports up to " + std::to_string(kMaxClusteringColumns) +
                         " clustering columns, but the table has " +
                         std::to_string(columns.size()) +
                         " clustering columns. Please remove the extra clustering columns.");
  }
  nlohmann::json paths = nlohmann::json::array();
  for (const auto& column : columns) {
    auto missing = [&] {
      return UserError("UNSUPPORTED_FEATURE.PARTITION_WITH_NESTED_COLUMN_IS_UNSUPPORTED",
                       "The feature is not supported: Invalid partitioning: `" + column +
                           "` is missing or is in a map or array.");
    };
    const arrow::FieldVector* fields = &schema.fields();
    nlohmann::json path = nlohmann::json::array();
    auto parts = SplitColumnPath(column);
    for (size_t i = 0; i < parts.size(); ++i) {
      if (!fields) return missing();
      std::shared_ptr<arrow::Field> match;
      for (const auto& f : *fields) {
        if (EqualsIgnoreCase(f->name(), parts[i])) match = f;
      }
      if (!match) return missing();
      auto id = match->type()->id();
      bool last = i + 1 == parts.size();
      if (!last && id != arrow::Type::STRUCT) return missing();
      if (last && !SkippingEligible(*match->type())) {
        return UserError("DELTA_CLUSTERING_COLUMNS_DATATYPE_NOT_SUPPORTED",
                         "CLUSTER BY is not supported because the following column(s): " + column +
                             " : " + Upper(types::SparkTypeName(*match->type())) +
                             " don't support data skipping.");
      }
      path.push_back(PhysicalName(*match));
      fields = id == arrow::Type::STRUCT ? &match->type()->fields() : nullptr;
    }
    paths.push_back(path);
  }
  nlohmann::json config = {{"clusteringColumns", paths}, {"domainName", kClusteringDomain}};
  DomainMetadata domain;
  domain.domain = kClusteringDomain;
  domain.configuration = config.dump();
  domain.removed = false;
  return domain;
}

Protocol ClusteringProtocol(const Protocol& protocol) {
  std::set<std::string> features;
  if (protocol.writer_features) {
    features.insert(protocol.writer_features->begin(), protocol.writer_features->end());
  }
  // Legacy writer versions imply features (PROTOCOL.md, "Table Features").
  int w = protocol.min_writer_version;
  if (w < 7) {
    if (w >= 2) features.insert({"appendOnly", "invariants"});
    if (w >= 3) features.insert("checkConstraints");
    if (w >= 4) features.insert({"changeDataFeed", "generatedColumns"});
    if (w >= 5) features.insert("columnMapping");
    if (w >= 6) features.insert("identityColumns");
  }
  Protocol out = protocol;
  // Keep the existing order and append the new features, as delta-spark lists them.
  std::vector<std::string> ordered = protocol.writer_features.value_or(std::vector<std::string>{});
  auto add = [&](const std::string& f) {
    if (std::find(ordered.begin(), ordered.end(), f) == ordered.end()) ordered.push_back(f);
  };
  add("domainMetadata");
  add(kClusteringFeature);
  for (const auto& f : features) add(f);
  out.min_writer_version = 7;
  out.writer_features = ordered;
  return out;
}

std::vector<std::string> StatsCollectedColumns(
    const arrow::Schema& schema, const std::vector<std::string>& partition_columns,
    const std::map<std::string, std::string>& configuration) {
  auto is_partition = [&](const std::string& name) {
    return std::any_of(partition_columns.begin(), partition_columns.end(),
                       [&](const std::string& p) { return EqualsIgnoreCase(p, name); });
  };
  std::vector<std::string> out;
  auto stats_columns = configuration.find("delta.dataSkippingStatsColumns");
  if (stats_columns != configuration.end()) {
    std::set<std::string> listed;
    std::string item;
    for (char c : stats_columns->second + ",") {
      if (c == ',') {
        auto parts = SplitColumnPath(item);
        if (!parts.empty() && !parts[0].empty()) listed.insert(Lower(parts[0]));
        item.clear();
      } else {
        item.push_back(c);
      }
    }
    for (const auto& f : schema.fields()) {
      if (!is_partition(f->name()) && listed.count(Lower(f->name())) > 0) out.push_back(f->name());
    }
    return out;
  }
  int limit = 32;
  auto num = configuration.find("delta.dataSkippingNumIndexedCols");
  if (num != configuration.end()) {
    try {
      limit = std::stoi(num->second);
    } catch (...) {
      limit = 32;
    }
  }
  int seen = 0;
  for (const auto& f : schema.fields()) {
    if (is_partition(f->name())) continue;
    if (limit >= 0 && seen >= limit) break;
    out.push_back(f->name());
    seen += CountLeaves(*f->type());
  }
  return out;
}

Result<std::vector<Action>> ClusterByActions(const Protocol& protocol, const Metadata& metadata,
                                             const std::vector<std::string>& columns) {
  if (!metadata.partition_columns.empty()) {
    return UserError("DELTA_CLUSTER_BY_WITH_PARTITIONED_BY",
                     "Clustering and partitioning cannot both be specified. Please remove "
                     "PARTITIONED BY if you want to create a Delta table with clustering.");
  }
  ASSIGN_OR_RAISE(auto schema, types::SchemaFromDeltaJson(metadata.schema_string));
  ASSIGN_OR_RAISE(auto domain, ClusteringDomainMetadata(*schema, columns));
  auto with_stats =
      StatsCollectedColumns(*schema, metadata.partition_columns, metadata.configuration);
  std::vector<std::string> missing;
  for (const auto& column : columns) {
    std::string top = SplitColumnPath(column)[0];
    bool found = std::any_of(with_stats.begin(), with_stats.end(),
                             [&](const std::string& s) { return EqualsIgnoreCase(s, top); });
    if (!found) missing.push_back(column);
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    std::string tree = "root\n";
    for (const auto& name : with_stats) {
      auto field = schema->GetFieldByName(name);
      if (!field) continue;
      tree += " |-- " + name + ": " + TreeTypeName(*field->type()) +
              " (nullable = " + (field->nullable() ? "true" : "false") + ")\n";
    }
    return UserError("DELTA_CLUSTERING_COLUMN_MISSING_STATS",
                     "Clustering requires clustering columns to have stats. Couldn't find "
                     "clustering column(s) '" +
                         list + "' in stats schema:\n" + tree);
  }
  std::vector<Action> actions;
  actions.emplace_back(ClusteringProtocol(protocol));
  actions.emplace_back(std::move(domain));
  return actions;
}

}  // namespace basin::delta
