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
  return key == kNumPartColsKey || key.rfind(kPartColPrefix, 0) == 0;
}

Result<std::optional<std::string>> PartitionValueText(const arrow::Scalar& value,
                                                      const function::EvalContext& context) {
  if (!value.is_valid) return std::optional<std::string>();
  ASSIGN_OR_RAISE(auto array, arrow::MakeArrayFromScalar(value, 1));
  ASSIGN_OR_RAISE(auto text, function::ValueToString(*array, 0, context));
  return std::optional<std::string>(std::move(text));
}

Status WriteFileTableRows(const io::Location& root, const std::shared_ptr<arrow::Table>& rows,
                          const FileTableWrite& write, const function::EvalContext& context) {
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
  if (!partitioned) {
    if (rows->num_rows() == 0 && write.format != "parquet") return Status::OK();
    return format::WritePartFile(root, write.format, *rows, write.options).status();
  }
  if (rows->num_rows() == 0) return Status::OK();  // no folder for no rows, as Spark
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
  return format::WritePartitionedFiles(root, write.format, *table, write.partition_columns,
                                       write.options, write.overwrite && write.dynamic_overwrite)
      .status();
}

}  // namespace basin::session
