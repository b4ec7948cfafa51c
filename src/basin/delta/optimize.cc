#include "basin/delta/optimize.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <limits>
#include <map>
#include <set>
#include <thread>

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/util/key_value_metadata.h>

#include "basin/delta/clustering.h"
#include "basin/delta/conflict_checker.h"
#include "basin/delta/partition_value.h"
#include "basin/delta/replace_where.h"
#include "basin/delta/scan.h"
#include "basin/delta/transaction.h"
#include "basin/delta/write.h"
#include "basin/types/schema_json.h"

namespace basin::delta {
namespace {

namespace cp = arrow::compute;
using nlohmann::json;

// The tags delta-spark puts on files written into a Z-cube (a clustering of some files).
constexpr char kZCubeIdTag[] = "ZCUBE_ID";
constexpr char kZCubeZOrderByTag[] = "ZCUBE_ZORDER_BY";

void InitializeCompute() {
  static const bool done = [] { return cp::Initialize().ok(); }();
  (void)done;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool EqualsIgnoreCase(const std::string& a, const std::string& b) { return Lower(a) == Lower(b); }

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return EqualsIgnoreCase(n, name); });
}

std::string JsonList(const std::vector<std::string>& items) { return json(items).dump(); }

std::string BracketList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

std::optional<int64_t> NumRecords(const AddFile& file) {
  json stats;
  if (file.stats) {
    stats = json::parse(*file.stats, nullptr, false);
  } else if (file.stats_parsed) {
    stats = *file.stats_parsed;
  }
  if (stats.is_object() && stats.contains("numRecords") &&
      stats["numRecords"].is_number_integer()) {
    return stats["numRecords"].get<int64_t>();
  }
  return std::nullopt;
}

// Whether deletion vectors hide enough of the file's rows to rewrite it regardless of size.
bool TooManyDeletedRows(const AddFile& file, double max_ratio) {
  if (!file.deletion_vector) return false;
  auto rows = NumRecords(file);
  if (!rows) return true;  // delta-spark always compacts a file with a DV but no row count
  if (*rows <= 0) return false;
  return static_cast<double>(file.deletion_vector->cardinality) / static_cast<double>(*rows) >
         max_ratio;
}

int64_t ConfigInt(const Metadata& metadata, const std::string& key, int64_t fallback) {
  auto it = metadata.configuration.find(key);
  if (it == metadata.configuration.end()) return fallback;
  try {
    return std::stoll(it->second);
  } catch (...) {
    return fallback;
  }
}

// Parses a size like "134217728", "128m" or "1gb" (binary units, as Spark's byte strings).
std::optional<int64_t> ParseByteSize(const std::string& text) {
  std::string s = Lower(text);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  if (digits == 0) return std::nullopt;
  int64_t value = 0;
  try {
    value = std::stoll(s.substr(0, digits));
  } catch (...) {
    return std::nullopt;
  }
  std::string unit = s.substr(digits);
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  int shift = unit.empty()  ? 0
              : unit == "k" ? 10
              : unit == "m" ? 20
              : unit == "g" ? 30
              : unit == "t" ? 40
                            : -1;
  if (shift < 0) return std::nullopt;
  return value << shift;
}

// One row per file holding the file's partition values, typed as the table's columns.
Result<std::shared_ptr<arrow::Table>> PartitionValues(const std::vector<AddFile>& files,
                                                      const arrow::Schema& schema,
                                                      const Metadata& metadata) {
  arrow::FieldVector fields;
  arrow::ChunkedArrayVector columns;
  for (const auto& p : metadata.partition_columns) {
    auto field = schema.GetFieldByName(p);
    if (!field) return InternalError("partition column not in schema: " + p);
    // Under column mapping the log keys partition values by physical name.
    std::string key = p;
    if (field->metadata()) {
      auto physical = field->metadata()->Get(types::kPhysicalName);
      if (physical.ok()) key = *physical;
    }
    ASSIGN_OR_RAISE(auto builder, arrow::MakeBuilder(field->type()));
    for (const auto& f : files) {
      auto it = f.partition_values.find(key);
      if (it == f.partition_values.end()) it = f.partition_values.find(p);
      std::optional<std::string> text;
      if (it != f.partition_values.end()) text = it->second;
      ASSIGN_OR_RAISE(auto scalar, ParsePartitionValue(text, field->type()));
      RETURN_NOT_OK(builder->AppendScalar(*scalar));
    }
    ASSIGN_OR_RAISE(auto typed, builder->Finish());
    fields.push_back(field->WithMetadata(nullptr));
    columns.push_back(std::make_shared<arrow::ChunkedArray>(typed));
  }
  return arrow::Table::Make(arrow::schema(fields), columns, static_cast<int64_t>(files.size()));
}

struct SizeSummary {
  int64_t count = 0;
  int64_t total = 0;
  int64_t min = 0;
  int64_t max = 0;

  void Add(int64_t size) {
    min = count == 0 ? size : std::min(min, size);
    max = count == 0 ? size : std::max(max, size);
    total += size;
    ++count;
  }
  // delta-spark's FileSizeMetrics.
  json ToJson() const {
    if (count == 0) {
      return {
          {"min", nullptr}, {"max", nullptr}, {"avg", 0.0}, {"totalFiles", 0}, {"totalSize", 0}};
    }
    return {{"min", min},
            {"max", max},
            {"avg", static_cast<double>(total) / static_cast<double>(count)},
            {"totalFiles", count},
            {"totalSize", total}};
  }
};

struct Bin {
  std::map<std::string, std::optional<std::string>> partition;
  std::vector<AddFile> files;
};

// Reads the live rows of `bin`, deletion vectors applied.
Result<std::shared_ptr<arrow::Table>> ReadBin(const std::shared_ptr<const Snapshot>& snapshot,
                                              const Bin& bin) {
  std::vector<std::shared_ptr<arrow::Table>> parts;
  for (const auto& file : bin.files) {
    ASSIGN_OR_RAISE(auto rows,
                    ReadDataFile(snapshot, file, nullptr, /*apply_deletion_vector=*/true));
    parts.push_back(std::move(rows));
  }
  ASSIGN_OR_RAISE(auto combined, arrow::ConcatenateTables(parts));
  return combined;
}

// Maps one column to order-preserving ranks spread over 32 bits (nulls first).
Result<std::vector<uint32_t>> SpreadRanks(const std::shared_ptr<arrow::ChunkedArray>& column) {
  ASSIGN_OR_RAISE(auto array, arrow::Concatenate(column->chunks()));
  if (array->length() == 0) return std::vector<uint32_t>{};
  cp::RankOptions options(cp::SortOrder::Ascending, cp::NullPlacement::AtStart,
                          cp::RankOptions::Dense);
  ASSIGN_OR_RAISE(auto ranked, cp::CallFunction("rank", {array}, &options));
  auto ranks = std::static_pointer_cast<arrow::UInt64Array>(ranked.make_array());
  uint64_t distinct = 1;
  for (int64_t i = 0; i < ranks->length(); ++i) distinct = std::max(distinct, ranks->Value(i));
  std::vector<uint32_t> out(static_cast<size_t>(ranks->length()));
  for (int64_t i = 0; i < ranks->length(); ++i) {
    unsigned __int128 r = ranks->Value(i) - 1;
    out[static_cast<size_t>(i)] = static_cast<uint32_t>((r << 32) / distinct);
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<arrow::UInt64Array>> ZOrderSortIndices(
    const arrow::Table& data, const std::vector<std::string>& columns) {
  InitializeCompute();
  const int64_t n = data.num_rows();
  std::vector<std::vector<uint32_t>> ranks;
  for (const auto& name : columns) {
    int index = -1;
    for (int i = 0; i < data.num_columns(); ++i) {
      if (EqualsIgnoreCase(data.schema()->field(i)->name(), name)) index = i;
    }
    if (index < 0) {
      return UserError("DELTA_ZORDERING_COLUMN_DOES_NOT_EXIST",
                       "Z-Ordering column " + name + " does not exist in data schema.");
    }
    ASSIGN_OR_RAISE(auto r, SpreadRanks(data.column(index)));
    ranks.push_back(std::move(r));
  }
  // The key: bit 31 of every column, then bit 30 of every column, ... (big-endian bytes, so
  // that comparing keys as strings compares the interleaved numbers).
  const size_t k = ranks.size();
  std::vector<std::string> keys(static_cast<size_t>(n), std::string(4 * k, '\0'));
  for (int64_t row = 0; row < n; ++row) {
    std::string& key = keys[static_cast<size_t>(row)];
    size_t out_bit = 0;
    for (int bit = 31; bit >= 0; --bit) {
      for (size_t c = 0; c < k; ++c, ++out_bit) {
        if ((ranks[c][static_cast<size_t>(row)] >> bit) & 1u) {
          key[out_bit / 8] = static_cast<char>(key[out_bit / 8] | (0x80 >> (out_bit % 8)));
        }
      }
    }
  }
  std::vector<uint64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = static_cast<uint64_t>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint64_t a, uint64_t b) { return keys[a] < keys[b]; });
  arrow::UInt64Builder builder;
  RETURN_NOT_OK(builder.AppendValues(order));
  ASSIGN_OR_RAISE(auto indices, builder.Finish());
  return std::static_pointer_cast<arrow::UInt64Array>(indices);
}

Result<OptimizeResult> Optimize(const io::Location& table_root, const OptimizeOptions& options) {
  ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(table_root));
  return OptimizeSnapshot(snapshot, options);
}

Result<OptimizeResult> OptimizeSnapshot(const std::shared_ptr<const Snapshot>& snapshot,
                                        const OptimizeOptions& options) {
  InitializeCompute();
  const int64_t start_ms = NowMs();
  const Metadata& metadata = snapshot->metadata();
  const auto& schema = snapshot->schema();
  if (!schema) return InternalError("snapshot has no schema");
  const auto& partition_columns = metadata.partition_columns;

  // Clustered tables cluster by their own columns; they take neither a predicate nor ZORDER BY.
  const bool purge = options.purge_deletion_vectors;
  if (purge && !options.zorder_by.empty()) {
    return Status::Invalid("OPTIMIZE: purge_deletion_vectors cannot be combined with zorder_by");
  }
  const bool clustering_feature = !purge && IsClusteredTable(snapshot->protocol());
  std::vector<std::string> clustering_columns;
  if (clustering_feature) {
    if (options.where) {
      return UserError("DELTA_CLUSTERING_WITH_PARTITION_PREDICATE",
                       "OPTIMIZE command for Delta table with clustering doesn't support "
                       "partition predicates. Please remove the predicates: " +
                           *options.where + ".");
    }
    if (!options.zorder_by.empty()) {
      std::string list;
      for (const auto& c : options.zorder_by) list += (list.empty() ? "" : ", ") + c;
      return UserError("DELTA_CLUSTERING_WITH_ZORDER_BY",
                       "OPTIMIZE command for Delta table with clustering cannot specify ZORDER "
                       "BY. Please remove ZORDER BY (" +
                           list + ").");
    }
    ASSIGN_OR_RAISE(clustering_columns, ClusteringColumns(*snapshot));
  }

  // The partition predicate may reference partition columns only.
  std::optional<Predicate> predicate;
  if (options.where) {
    ASSIGN_OR_RAISE(predicate, Predicate::Parse(*options.where));
    for (const auto& column : predicate->columns()) {
      if (!Contains(partition_columns, column)) {
        return UserError("DELTA_NON_PARTITION_COLUMN_REFERENCE",
                         "Predicate references non-partition column '" + column +
                             "'. Only the partition columns may be referenced: " +
                             BracketList(partition_columns));
      }
    }
  }

  // ZORDER BY columns: data columns that have statistics.
  std::vector<std::string> zorder_by;
  if (!options.zorder_by.empty()) {
    auto with_stats = StatsCollectedColumns(*schema, partition_columns, metadata.configuration);
    std::vector<std::string> without_stats;
    for (const auto& column : options.zorder_by) {
      if (Contains(partition_columns, column)) {
        return UserError("DELTA_ZORDERING_ON_PARTITION_COLUMN",
                         column +
                             " is a partition column. Z-Ordering can only be performed on "
                             "data columns");
      }
      std::shared_ptr<arrow::Field> field;
      for (const auto& f : schema->fields()) {
        if (EqualsIgnoreCase(f->name(), column)) field = f;
      }
      if (!field) {
        return UserError("DELTA_ZORDERING_COLUMN_DOES_NOT_EXIST",
                         "Z-Ordering column " + column + " does not exist in data schema.");
      }
      if (!Contains(with_stats, column)) without_stats.push_back(column);
      zorder_by.push_back(field->name());
    }
    if (!without_stats.empty()) {
      return UserError("DELTA_ZORDERING_ON_COLUMN_WITHOUT_STATS",
                       "Z-Ordering on " + BracketList(without_stats) +
                           " will be ineffective, because we currently do not collect stats for "
                           "these columns. You can disable this check by setting\n SET "
                           "spark.databricks.delta.optimize.zorder.checkStatsCollection.enabled "
                           "= false");
    }
  }
  // A clustered table without clustering columns (CLUSTER BY NONE) is compacted.
  const bool clustered = clustering_feature && !clustering_columns.empty();
  const std::vector<std::string>& curve_columns = clustered ? clustering_columns : zorder_by;
  const bool multi_dimensional = clustered || !zorder_by.empty();

  std::optional<int64_t> target;
  auto target_it = metadata.configuration.find("delta.targetFileSize");
  if (target_it != metadata.configuration.end()) target = ParseByteSize(target_it->second);
  const int64_t max_file_size = std::max<int64_t>(
      1, options.max_file_size.value_or(target.value_or(kDefaultOptimizeFileSize)));
  const int64_t min_file_size = options.min_file_size.value_or(max_file_size);
  // delta-spark: spark.databricks.delta.optimize.clustering.mergeStrategy.minCubeSize.threshold.
  const int64_t min_cube_size = options.min_cube_size.value_or(100 * kDefaultOptimizeFileSize);

  // Candidate files: those in the partitions the predicate selects.
  std::vector<AddFile> candidates;
  if (predicate) {
    ASSIGN_OR_RAISE(auto values, PartitionValues(snapshot->files(), *schema, metadata));
    ASSIGN_OR_RAISE(auto matches, predicate->Evaluate(*values));
    for (size_t i = 0; i < snapshot->files().size(); ++i) {
      if (matches->IsValid(static_cast<int64_t>(i)) && matches->Value(static_cast<int64_t>(i))) {
        candidates.push_back(snapshot->files()[i]);
      }
    }
  } else {
    candidates = snapshot->files();
  }

  // Files to rewrite.
  const std::string curve_json = JsonList(curve_columns);
  std::vector<AddFile> selected;
  int64_t cube_files = 0, cube_bytes = 0, other_files = 0, other_bytes = 0;
  std::set<std::string> cube_ids;
  if (clustered) {
    // delta-spark's ClusteringStrategy: new (unclustered) files, plus the files of Z-cubes of the
    // same columns that are still smaller than the minimum cube size; files clustered by other
    // columns or by another provider stay; a single small cube alone is already done.
    std::map<std::string, int64_t> cube_sizes;
    std::vector<const AddFile*> eligible;
    for (const auto& file : candidates) {
      auto id = file.tags.find(kZCubeIdTag);
      if (id != file.tags.end()) {
        cube_files += 1;
        cube_bytes += file.size;
        cube_ids.insert(id->second);
      } else {
        other_files += 1;
        other_bytes += file.size;
      }
      if (file.clustering_provider && *file.clustering_provider != kLiquidClusteringProvider) {
        continue;
      }
      auto by = file.tags.find(kZCubeZOrderByTag);
      if (by != file.tags.end() && by->second != curve_json) continue;
      if (id != file.tags.end()) cube_sizes[id->second] += file.size;
      eligible.push_back(&file);
    }
    std::vector<const AddFile*> unclustered, small_cubes;
    for (const AddFile* f : eligible) {
      auto id = f->tags.find(kZCubeIdTag);
      if (id == f->tags.end()) {
        unclustered.push_back(f);
      } else if (cube_sizes[id->second] < min_cube_size) {
        small_cubes.push_back(f);
      }
    }
    std::set<std::string> small_cube_ids;
    for (const AddFile* f : small_cubes) small_cube_ids.insert(f->tags.at(kZCubeIdTag));
    if (!unclustered.empty() || small_cube_ids.size() > 1) {
      // Unclustered files first, then cube by cube (delta-spark sorts by ZCUBE_ID).
      std::stable_sort(small_cubes.begin(), small_cubes.end(),
                       [](const AddFile* a, const AddFile* b) {
                         return a->tags.at(kZCubeIdTag) < b->tags.at(kZCubeIdTag);
                       });
      for (const AddFile* f : unclustered) selected.push_back(*f);
      for (const AddFile* f : small_cubes) selected.push_back(*f);
    }
  } else {
    for (const auto& file : candidates) {
      if (purge ? file.deletion_vector.has_value()
                : multi_dimensional || file.size < min_file_size ||
                      TooManyDeletedRows(file, options.max_deleted_rows_ratio)) {
        selected.push_back(file);
      }
    }
  }

  // Bins: per partition, files (smallest first) packed up to max_file_size; a Z-order or a
  // clustering reads a whole partition at once.
  std::map<std::map<std::string, std::optional<std::string>>, std::vector<AddFile>> by_partition;
  for (const auto& f : selected) by_partition[f.partition_values].push_back(f);
  std::vector<Bin> bins;
  for (auto& [partition, files] : by_partition) {
    if (!multi_dimensional) {
      std::stable_sort(files.begin(), files.end(),
                       [](const AddFile& a, const AddFile& b) { return a.size < b.size; });
    }
    std::vector<Bin> partition_bins;
    Bin current{partition, {}};
    int64_t current_size = 0;
    // Compaction packs up to max_file_size, clustering up to the cube size; a Z-order reads the
    // whole partition.
    const int64_t max_bin_size = clustered           ? min_cube_size
                                 : multi_dimensional ? std::numeric_limits<int64_t>::max()
                                                     : max_file_size;
    for (const auto& f : files) {
      if (!current.files.empty() && current_size > max_bin_size - f.size) {
        partition_bins.push_back(std::move(current));
        current = Bin{partition, {}};
        current_size = 0;
      }
      current.files.push_back(f);
      current_size += f.size;
    }
    if (!current.files.empty()) partition_bins.push_back(std::move(current));
    for (auto& bin : partition_bins) {
      // A lone file is rewritten only by a Z-order, a clustering or a purge: delta-spark's
      // OPTIMIZE leaves it even when a deletion vector hides most of its rows.
      bool keep = bin.files.size() > 1 || multi_dimensional || purge;
      if (keep) bins.push_back(std::move(bin));
    }
  }

  // Rewrite every bin.
  const io::Location& root = snapshot->table_root();
  const int64_t now = NowMs();
  std::vector<AddFile> added;
  std::vector<RemoveFile> removed;
  std::vector<const AddFile*> removed_files;
  auto cleanup = [&] {
    for (const auto& f : added) (void)root.fs->DeleteFile(root.Child(DecodeLogPath(f.path)).path);
  };
  for (const auto& bin : bins) {
    auto rewritten = [&]() -> Status {
      ASSIGN_OR_RAISE(auto rows, ReadBin(snapshot, bin));
      int64_t input_bytes = 0;
      for (const auto& f : bin.files) input_bytes += f.size;
      std::vector<std::shared_ptr<arrow::Table>> outputs;
      if (rows->num_rows() > 0) {
        if (multi_dimensional) {
          ASSIGN_OR_RAISE(auto order, ZOrderSortIndices(*rows, curve_columns));
          ASSIGN_OR_RAISE(auto sorted, cp::Take(rows, order));
          rows = sorted.table();
          // About one file per max_file_size of input, as delta-spark's range partitioning.
          int64_t num_files = std::max<int64_t>(1, input_bytes / max_file_size);
          num_files = std::min(num_files, rows->num_rows());
          int64_t per_file = (rows->num_rows() + num_files - 1) / num_files;
          for (int64_t offset = 0; offset < rows->num_rows(); offset += per_file) {
            outputs.push_back(rows->Slice(offset, per_file));
          }
        } else {
          outputs.push_back(rows);
        }
      }
      std::string cube_id = NewUuid();
      for (const auto& output : outputs) {
        ASSIGN_OR_RAISE(auto files, WriteDataFiles(root, metadata, output));
        for (auto& f : files) {
          f.data_change = false;
          if (clustered) {
            f.tags[kZCubeIdTag] = cube_id;
            f.tags[kZCubeZOrderByTag] = curve_json;
            f.clustering_provider = kLiquidClusteringProvider;
          }
          added.push_back(std::move(f));
        }
      }
      for (const auto& f : bin.files) {
        RemoveFile r = RemoveActionOf(f, now);
        r.data_change = false;
        removed.push_back(std::move(r));
        removed_files.push_back(&f);
      }
      return Status::OK();
    }();
    if (!rewritten.ok()) {
      cleanup();
      return rewritten;
    }
  }

  // Metrics: the result row (OptimizeMetrics) and the commit's operationMetrics.
  SizeSummary added_sizes, removed_sizes;
  for (const auto& f : added) added_sizes.Add(f.size);
  for (const auto& r : removed) removed_sizes.Add(r.size.value_or(0));
  int64_t dvs_removed = 0, dv_rows_removed = 0, dv_bytes_removed = 0;
  for (const AddFile* f : removed_files) {
    if (!f->deletion_vector) continue;
    dvs_removed += 1;
    dv_rows_removed += f->deletion_vector->cardinality;
    dv_bytes_removed += f->deletion_vector->size_in_bytes;
  }
  std::set<std::map<std::string, std::optional<std::string>>> partitions;
  for (const auto& bin : bins) partitions.insert(bin.partition);
  const int64_t num_columns = schema->num_fields();
  const int64_t indexed = ConfigInt(metadata, "delta.dataSkippingNumIndexedCols", 32);

  OptimizeResult result;
  result.path = root.path;
  result.read_version = snapshot->version();
  json metrics = {
      {"numFilesAdded", added_sizes.count},
      {"numFilesRemoved", removed_sizes.count},
      {"filesAdded", added_sizes.ToJson()},
      {"filesRemoved", removed_sizes.ToJson()},
      {"partitionsOptimized", static_cast<int64_t>(partitions.size())},
      {"zOrderStats", nullptr},
      {"clusteringStats", nullptr},
      {"numBins", static_cast<int64_t>(bins.size())},
      {"numBatches", 1},
      {"totalConsideredFiles", static_cast<int64_t>(candidates.size())},
      {"totalFilesSkipped", static_cast<int64_t>(candidates.size()) - removed_sizes.count},
      {"preserveInsertionOrder", false},
      {"numFilesSkippedToReduceWriteAmplification", 0},
      {"numBytesSkippedToReduceWriteAmplification", 0},
      {"startTimeMs", start_ms},
      {"endTimeMs", 0},
      {"totalClusterParallelism",
       static_cast<int64_t>(std::max(1u, std::thread::hardware_concurrency()))},
      {"totalScheduledTasks", 0},
      {"autoCompactParallelismStats", nullptr},
      {"deletionVectorStats", nullptr},
      {"numTableColumns", num_columns},
      {"numTableColumnsWithStats", indexed < 0 ? num_columns : std::min(indexed, num_columns)},
  };
  if (!zorder_by.empty()) {
    metrics["zOrderStats"] = {
        {"strategyName", "all"},
        {"inputCubeFiles", {{"num", 0}, {"size", 0}}},
        {"inputOtherFiles", {{"num", removed_sizes.count}, {"size", removed_sizes.total}}},
        {"inputNumCubes", 0},
        {"mergedFiles", {{"num", removed_sizes.count}, {"size", removed_sizes.total}}},
        {"numOutputCubes", static_cast<int64_t>(bins.size())},
        {"mergedNumCubes", nullptr}};
  }
  if (clustered) {
    metrics["clusteringStats"] = {
        {"inputZCubeFiles", {{"numFiles", cube_files}, {"size", cube_bytes}}},
        {"inputOtherFiles", {{"numFiles", other_files}, {"size", other_bytes}}},
        {"inputNumZCubes", static_cast<int64_t>(cube_ids.size())},
        {"mergedFiles", {{"numFiles", removed_sizes.count}, {"size", removed_sizes.total}}},
        {"numOutputZCubes", static_cast<int64_t>(bins.size())}};
  }
  if (dvs_removed > 0) {
    metrics["deletionVectorStats"] = {{"numDeletionVectorsRemoved", dvs_removed},
                                      {"numDeletionVectorRowsRemoved", dv_rows_removed}};
  }
  result.metrics = metrics;

  std::string predicate_list = JsonList(options.where ? std::vector<std::string>{*options.where}
                                                      : std::vector<std::string>{});
  json parameters = {{"predicate", predicate_list},
                     {"zOrderBy", JsonList(zorder_by)},
                     {"clusterBy", JsonList(clustering_columns)},
                     {"auto", false}};
  if (clustered) parameters["isFull"] = false;
  if (purge) parameters = {{"predicate", predicate_list}, {"applyPurge", true}};
  json operation_metrics = {
      {"numAddedFiles", std::to_string(added_sizes.count)},
      {"numRemovedFiles", std::to_string(removed_sizes.count)},
      {"numAddedBytes", std::to_string(added_sizes.total)},
      {"numRemovedBytes", std::to_string(removed_sizes.total)},
      {"numDeletionVectorsRemoved", std::to_string(dvs_removed)},
  };
  if (!added.empty()) {
    std::vector<int64_t> sizes;
    for (const auto& f : added) sizes.push_back(f.size);
    std::sort(sizes.begin(), sizes.end());
    size_t n = sizes.size();
    operation_metrics["minFileSize"] = std::to_string(sizes.front());
    operation_metrics["p25FileSize"] = std::to_string(sizes[n / 4]);
    operation_metrics["p50FileSize"] = std::to_string(sizes[n / 2]);
    operation_metrics["p75FileSize"] = std::to_string(sizes[n * 3 / 4]);
    operation_metrics["maxFileSize"] = std::to_string(sizes.back());
  }
  (void)dv_bytes_removed;
  result.operation_parameters = parameters;
  result.operation_metrics = operation_metrics;
  if (removed.empty()) return result;

  auto txn = Transaction::FromSnapshot(snapshot);
  std::vector<std::string> read;
  for (const auto& r : removed) read.push_back(r.path);
  // The rewrite depends on exactly the files it replaces: losing one of them to a concurrent
  // commit is a conflict, concurrent appends are not.
  txn.MarkFilesRead(read);
  for (auto& r : removed) txn.Remove(r);
  for (const auto& a : added) txn.Add(a);
  auto committed = txn.Commit(purge ? "REORG" : "OPTIMIZE", parameters, operation_metrics);
  if (!committed.ok()) {
    cleanup();
    return committed.status();
  }
  result.version = committed->version;
  return result;
}

// ---------------------------------------------------------------------------------------------
// The result row.

namespace {

std::shared_ptr<arrow::DataType> SizeMetricsType() {
  return arrow::struct_({arrow::field("min", arrow::int64()), arrow::field("max", arrow::int64()),
                         arrow::field("avg", arrow::float64()),
                         arrow::field("totalFiles", arrow::int64()),
                         arrow::field("totalSize", arrow::int64())});
}

std::shared_ptr<arrow::DataType> CountType(const std::string& count, const std::string& size) {
  return arrow::struct_({arrow::field(count, arrow::int64()), arrow::field(size, arrow::int64())});
}

std::shared_ptr<arrow::DataType> MetricsType() {
  auto i64 = arrow::int64();
  return arrow::struct_({
      arrow::field("numFilesAdded", i64),
      arrow::field("numFilesRemoved", i64),
      arrow::field("filesAdded", SizeMetricsType()),
      arrow::field("filesRemoved", SizeMetricsType()),
      arrow::field("partitionsOptimized", i64),
      arrow::field("zOrderStats",
                   arrow::struct_({arrow::field("strategyName", arrow::utf8()),
                                   arrow::field("inputCubeFiles", CountType("num", "size")),
                                   arrow::field("inputOtherFiles", CountType("num", "size")),
                                   arrow::field("inputNumCubes", i64),
                                   arrow::field("mergedFiles", CountType("num", "size")),
                                   arrow::field("numOutputCubes", i64),
                                   arrow::field("mergedNumCubes", i64)})),
      arrow::field("clusteringStats",
                   arrow::struct_({arrow::field("inputZCubeFiles", CountType("numFiles", "size")),
                                   arrow::field("inputOtherFiles", CountType("numFiles", "size")),
                                   arrow::field("inputNumZCubes", i64),
                                   arrow::field("mergedFiles", CountType("numFiles", "size")),
                                   arrow::field("numOutputZCubes", i64)})),
      arrow::field("numBins", i64),
      arrow::field("numBatches", i64),
      arrow::field("totalConsideredFiles", i64),
      arrow::field("totalFilesSkipped", i64),
      arrow::field("preserveInsertionOrder", arrow::boolean()),
      arrow::field("numFilesSkippedToReduceWriteAmplification", i64),
      arrow::field("numBytesSkippedToReduceWriteAmplification", i64),
      arrow::field("startTimeMs", i64),
      arrow::field("endTimeMs", i64),
      arrow::field("totalClusterParallelism", i64),
      arrow::field("totalScheduledTasks", i64),
      arrow::field("autoCompactParallelismStats",
                   arrow::struct_({arrow::field("maxClusterActiveParallelism", i64),
                                   arrow::field("minClusterActiveParallelism", i64),
                                   arrow::field("maxSessionActiveParallelism", i64),
                                   arrow::field("minSessionActiveParallelism", i64)})),
      arrow::field("deletionVectorStats",
                   arrow::struct_({arrow::field("numDeletionVectorsRemoved", i64),
                                   arrow::field("numDeletionVectorRowsRemoved", i64)})),
      arrow::field("numTableColumns", i64),
      arrow::field("numTableColumnsWithStats", i64),
  });
}

// Appends `value` (null when absent) to `builder` of `type`.
Status AppendJson(arrow::ArrayBuilder* builder, const arrow::DataType& type, const json* value) {
  if (value == nullptr || value->is_null()) return builder->AppendNull();
  switch (type.id()) {
    case arrow::Type::INT64:
      if (!value->is_number()) return builder->AppendNull();
      return static_cast<arrow::Int64Builder*>(builder)->Append(value->get<int64_t>());
    case arrow::Type::DOUBLE:
      if (!value->is_number()) return builder->AppendNull();
      return static_cast<arrow::DoubleBuilder*>(builder)->Append(value->get<double>());
    case arrow::Type::BOOL:
      if (!value->is_boolean()) return builder->AppendNull();
      return static_cast<arrow::BooleanBuilder*>(builder)->Append(value->get<bool>());
    case arrow::Type::STRING:
      if (!value->is_string()) return builder->AppendNull();
      return static_cast<arrow::StringBuilder*>(builder)->Append(value->get<std::string>());
    case arrow::Type::STRUCT: {
      auto* sb = static_cast<arrow::StructBuilder*>(builder);
      if (!value->is_object()) return sb->AppendNull();
      RETURN_NOT_OK(sb->Append());
      for (int i = 0; i < type.num_fields(); ++i) {
        const auto& field = type.field(i);
        auto it = value->find(field->name());
        RETURN_NOT_OK(
            AppendJson(sb->field_builder(i), *field->type(), it == value->end() ? nullptr : &*it));
      }
      return Status::OK();
    }
    default:
      return InternalError("unexpected type in OPTIMIZE metrics: " + type.ToString());
  }
}

}  // namespace

std::shared_ptr<arrow::Schema> OptimizeResultSchema() {
  return arrow::schema(
      {arrow::field("path", arrow::utf8()), arrow::field("metrics", MetricsType())});
}

Result<std::shared_ptr<arrow::RecordBatch>> OptimizeResultBatch(const OptimizeResult& result) {
  auto schema = OptimizeResultSchema();
  arrow::StringBuilder path;
  RETURN_NOT_OK(path.Append(result.path));
  ASSIGN_OR_RAISE(auto path_array, path.Finish());
  auto type = schema->field(1)->type();
  ASSIGN_OR_RAISE(auto builder, arrow::MakeBuilder(type));
  RETURN_NOT_OK(AppendJson(builder.get(), *type, &result.metrics));
  ASSIGN_OR_RAISE(auto metrics_array, builder->Finish());
  return arrow::RecordBatch::Make(schema, 1, {path_array, metrics_array});
}

}  // namespace basin::delta
