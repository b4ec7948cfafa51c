#include "basin/session/file_table.h"

#include <arrow/array/concatenate.h>
#include <arrow/builder.h>

#include "basin/format/data_file_writer.h"
#include "basin/format/partition_path.h"
#include "basin/function/cast.h"
#include "basin/session/session_internal.h"

namespace basin::session {
namespace {

constexpr char kNumPartColsKey[] = "spark.sql.sources.schema.numPartCols";
constexpr char kPartColPrefix[] = "spark.sql.sources.schema.partCol.";
// Spark's Hive catalog keeps this key for data source tables ("catalog" or "filesystem").
constexpr char kPartitionProviderKey[] = "spark.sql.partitionProvider";
// One key per listed partition: the prefix, then the folder; the value is its own LOCATION.
constexpr char kPartitionPrefix[] = "basin.partition.";

// True when the folder's values match `static_values` (by column name, case blind; the empty
// string stands for null as in the folders).
bool FolderMatches(const std::string& folder,
                   const std::map<std::string, std::optional<std::string>>& static_values) {
  auto values = PartitionFolderValues(folder);
  for (const auto& [name, wanted] : static_values) {
    std::optional<std::string> want = wanted;
    if (want && want->empty()) want.reset();
    for (const auto& [column, value] : values) {
      if (Lower(column) == Lower(name) && value != want) return false;
    }
  }
  return true;
}

// The partition folders below `root` whose values match `static_values` (by column name, case
// blind), at the depth of the last partition column.
Result<std::vector<io::Location>> MatchingPartitionFolders(
    const io::Location& root, const std::vector<std::string>& columns,
    const std::map<std::string, std::optional<std::string>>& static_values) {
  std::vector<io::Location> level = {root};
  for (const auto& column : columns) {
    std::optional<std::optional<std::string>> wanted;
    for (const auto& [name, value] : static_values) {
      if (Lower(name) == Lower(column)) wanted = value;
    }
    std::vector<io::Location> next;
    for (const auto& dir : level) {
      ASSIGN_OR_RAISE(auto children, io::ListDirectory(dir, /*allow_missing=*/true));
      for (const auto& child : children) {
        const std::string base = child.base_name();
        if (!child.IsDirectory() || base.empty() || base[0] == '_' || base[0] == '.') continue;
        // The folder name as one path of a file below it: "name=value/x".
        auto parts = format::ParsePartitionFolders(base + "/x");
        if (parts.size() != 1 || Lower(parts[0].name) != Lower(column)) continue;
        std::optional<std::string> value = parts[0].value;
        if (value && value->empty()) value.reset();
        if (wanted && *wanted != value) continue;
        next.push_back(io::Location{root.fs, child.path()});
      }
    }
    level = std::move(next);
  }
  return level;
}

}  // namespace

std::vector<std::string> FileTablePartitionColumns(
    const std::map<std::string, std::string>& properties) {
  std::vector<std::string> out;
  auto count = properties.find(kNumPartColsKey);
  if (count == properties.end()) return out;
  int n = std::atoi(count->second.c_str());
  for (int i = 0; i < n; ++i) {
    auto it = properties.find(kPartColPrefix + std::to_string(i));
    if (it != properties.end()) out.push_back(it->second);
  }
  return out;
}

void SetFileTablePartitionColumns(const std::vector<std::string>& columns,
                                  std::map<std::string, std::string>* properties) {
  for (auto it = properties->begin(); it != properties->end();) {
    it = IsFileTableLayoutProperty(it->first) ? properties->erase(it) : std::next(it);
  }
  if (columns.empty()) return;
  (*properties)[kNumPartColsKey] = std::to_string(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    (*properties)[kPartColPrefix + std::to_string(i)] = columns[i];
  }
}

bool IsFileTableLayoutProperty(const std::string& key) {
  return key == kNumPartColsKey || key.rfind(kPartColPrefix, 0) == 0 ||
         key == kPartitionProviderKey || key.rfind(kPartitionPrefix, 0) == 0;
}

bool FileTablePartitionsInCatalog(const std::map<std::string, std::string>& properties) {
  auto it = properties.find(kPartitionProviderKey);
  return it != properties.end() && it->second == "catalog";
}

void SetFileTablePartitionsInCatalog(std::map<std::string, std::string>* properties) {
  (*properties)[kPartitionProviderKey] = "catalog";
}

std::vector<FileTablePartition> FileTablePartitions(
    const std::map<std::string, std::string>& properties) {
  std::vector<FileTablePartition> out;
  for (auto it = properties.lower_bound(kPartitionPrefix);
       it != properties.end() && it->first.rfind(kPartitionPrefix, 0) == 0; ++it) {
    out.push_back({it->first.substr(sizeof(kPartitionPrefix) - 1), it->second});
  }
  return out;
}

void AddFileTablePartition(const FileTablePartition& partition,
                           std::map<std::string, std::string>* properties) {
  (*properties)[kPartitionPrefix + partition.folder] = partition.location;
}

bool RemoveFileTablePartition(const std::string& folder,
                              std::map<std::string, std::string>* properties) {
  return properties->erase(kPartitionPrefix + folder) > 0;
}

std::vector<std::pair<std::string, std::optional<std::string>>> PartitionFolderValues(
    const std::string& folder) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  // The folder as the path of a file below it: "name=value/.../x".
  for (auto& part : format::ParsePartitionFolders(folder + "/x")) {
    out.emplace_back(std::move(part.name), std::move(part.value));
  }
  return out;
}

Result<std::vector<FileTablePartition>> FindPartitionFolders(
    const io::Location& root, const std::vector<std::string>& columns) {
  struct Found {
    std::string path;  // relative to root, as on disk
    std::vector<std::optional<std::string>> values;
  };
  std::vector<Found> level = {{"", {}}};
  for (const auto& column : columns) {
    std::vector<Found> next;
    for (const auto& dir : level) {
      ASSIGN_OR_RAISE(auto children,
                      io::ListDirectory(dir.path.empty() ? root : root.Child(dir.path),
                                        /*allow_missing=*/true));
      for (const auto& child : children) {
        const std::string base = child.base_name();
        if (!child.IsDirectory() || base.empty() || base[0] == '_' || base[0] == '.') continue;
        auto eq = base.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        if (Lower(format::UnescapePartitionPathName(base.substr(0, eq))) != Lower(column)) {
          continue;
        }
        Found found = dir;
        found.path = dir.path.empty() ? base : dir.path + "/" + base;
        std::optional<std::string> value = format::UnescapePartitionPathName(base.substr(eq + 1));
        if (*value == format::kDefaultPartitionName || value->empty()) value.reset();
        found.values.push_back(std::move(value));
        next.push_back(std::move(found));
      }
    }
    level = std::move(next);
  }
  std::vector<FileTablePartition> out;
  if (columns.empty()) return out;
  for (const auto& found : level) {
    FileTablePartition partition{format::PartitionFolder(columns, found.values), ""};
    if (partition.folder != found.path) partition.location = found.path;
    out.push_back(std::move(partition));
  }
  return out;
}

void RecordFileTableWrite(const FileTableWrite& write, const std::vector<std::string>& written,
                          std::map<std::string, std::string>* properties) {
  if (write.partition_columns.empty() || !FileTablePartitionsInCatalog(*properties)) return;
  if (write.overwrite && !write.dynamic_overwrite) {
    for (const auto& partition : FileTablePartitions(*properties)) {
      if (FolderMatches(partition.folder, write.static_values)) {
        RemoveFileTablePartition(partition.folder, properties);
      }
    }
  }
  for (const auto& folder : written) {
    auto custom = write.partition_locations.find(folder);
    AddFileTablePartition({folder, custom == write.partition_locations.end() ? "" : custom->second},
                          properties);
  }
}

Result<std::optional<std::string>> PartitionValueText(const arrow::Scalar& value,
                                                      const function::EvalContext& context) {
  if (!value.is_valid) return std::optional<std::string>();
  ASSIGN_OR_RAISE(auto array, arrow::MakeArrayFromScalar(value, 1));
  ASSIGN_OR_RAISE(auto text, function::ValueToString(*array, 0, context));
  return std::optional<std::string>(std::move(text));
}

Result<std::vector<std::string>> WriteFileTableRows(const io::Location& root,
                                                    const std::shared_ptr<arrow::Table>& rows,
                                                    const FileTableWrite& write,
                                                    const function::EvalContext& context) {
  RETURN_NOT_OK(root.fs->CreateDir(root.path, /*recursive=*/true));
  const bool partitioned = !write.partition_columns.empty();
  if (write.overwrite &&
      (!partitioned || (!write.dynamic_overwrite && write.static_values.empty()))) {
    RETURN_NOT_OK(root.fs->DeleteDirContents(root.path, /*missing_dir_ok=*/true));
  } else if (write.overwrite && !write.dynamic_overwrite) {
    ASSIGN_OR_RAISE(auto folders,
                    MatchingPartitionFolders(root, write.partition_columns, write.static_values));
    for (const auto& folder : folders) RETURN_NOT_OK(folder.fs->DeleteDir(folder.path));
  }
  if (write.overwrite && !write.dynamic_overwrite) {
    // Partitions kept elsewhere are replaced too.
    for (const auto& [folder, location] : write.partition_locations) {
      if (!partitioned || !FolderMatches(folder, write.static_values)) continue;
      ASSIGN_OR_RAISE(auto custom, io::ResolveLocation(location));
      RETURN_NOT_OK(custom.fs->DeleteDirContents(custom.path, /*missing_dir_ok=*/true));
    }
  }
  if (!partitioned) {
    if (rows->num_rows() == 0 && write.format != "parquet") return std::vector<std::string>();
    RETURN_NOT_OK(format::WritePartFile(root, write.format, *rows, write.options).status());
    return std::vector<std::string>();
  }
  // No folder for no rows, as Spark.
  if (rows->num_rows() == 0) return std::vector<std::string>();
  // The partition columns as the text their folders hold.
  auto table = rows;
  for (const auto& name : write.partition_columns) {
    int i = table->schema()->GetFieldIndex(name);
    if (i < 0) return InternalError("the rows lack partition column " + name);
    ASSIGN_OR_RAISE(auto column, arrow::Concatenate(table->column(i)->chunks()));
    arrow::StringBuilder text;
    for (int64_t r = 0; r < column->length(); ++r) {
      if (column->IsNull(r)) {
        RETURN_NOT_OK(text.AppendNull());
      } else {
        ASSIGN_OR_RAISE(auto value, function::ValueToString(*column, r, context));
        RETURN_NOT_OK(text.Append(value));
      }
    }
    ASSIGN_OR_RAISE(auto text_array, text.Finish());
    ASSIGN_OR_RAISE(table, table->SetColumn(i, arrow::field(name, arrow::utf8()),
                                            std::make_shared<arrow::ChunkedArray>(text_array)));
  }
  std::map<std::string, io::Location> custom;
  for (const auto& [folder, location] : write.partition_locations) {
    ASSIGN_OR_RAISE(custom[folder], io::ResolveLocation(location));
  }
  return format::WritePartitionedFiles(root, write.format, *table, write.partition_columns,
                                       write.options, write.overwrite && write.dynamic_overwrite,
                                       custom);
}

}  // namespace basin::session
