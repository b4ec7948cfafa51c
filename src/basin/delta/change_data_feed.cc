#include "basin/delta/change_data_feed.h"

#include <map>

#include <arrow/array/util.h>
#include <arrow/builder.h>
#include <arrow/compute/api.h>

#include "basin/delta/deletion_vector.h"
#include "basin/delta/log_listing.h"
#include "basin/delta/scan.h"
#include "basin/delta/snapshot.h"

namespace basin::delta {

namespace {

// Appends _change_type, _commit_version and _commit_timestamp columns to `rows`.
Result<std::shared_ptr<arrow::Table>> Tag(const std::shared_ptr<arrow::Table>& rows,
                                          const std::string& change_type, int64_t version,
                                          int64_t timestamp_ms) {
  auto table = rows;
  int64_t n = table->num_rows();
  if (table->schema()->GetFieldIndex("_change_type") < 0) {
    ASSIGN_OR_RAISE(auto types, arrow::MakeArrayFromScalar(arrow::StringScalar(change_type), n));
    ASSIGN_OR_RAISE(table, table->AddColumn(table->num_columns(),
                                            arrow::field("_change_type", arrow::utf8()),
                                            std::make_shared<arrow::ChunkedArray>(types)));
  }
  ASSIGN_OR_RAISE(auto versions, arrow::MakeArrayFromScalar(arrow::Int64Scalar(version), n));
  ASSIGN_OR_RAISE(table, table->AddColumn(table->num_columns(),
                                          arrow::field("_commit_version", arrow::int64()),
                                          std::make_shared<arrow::ChunkedArray>(versions)));
  auto ts_type = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  ASSIGN_OR_RAISE(auto stamps, arrow::MakeArrayFromScalar(
                                   arrow::TimestampScalar(timestamp_ms * 1000, ts_type), n));
  ASSIGN_OR_RAISE(table, table->AddColumn(table->num_columns(),
                                          arrow::field("_commit_timestamp", ts_type),
                                          std::make_shared<arrow::ChunkedArray>(stamps)));
  return table;
}

// Keeps the rows of `table` whose index is (keep_listed) or is not (!keep_listed) in `rows`.
Result<std::shared_ptr<arrow::Table>> SelectRows(const std::shared_ptr<arrow::Table>& table,
                                                 const Roaring64Map& rows, bool keep_listed) {
  arrow::BooleanBuilder mask;
  RETURN_NOT_OK(mask.Reserve(table->num_rows()));
  for (int64_t i = 0; i < table->num_rows(); ++i) {
    mask.UnsafeAppend(rows.contains(static_cast<uint64_t>(i)) == keep_listed);
  }
  ASSIGN_OR_RAISE(auto array, mask.Finish());
  ASSIGN_OR_RAISE(auto filtered, arrow::compute::Filter(table, array));
  return filtered.table();
}

Result<Roaring64Map> DeletedRows(const io::Location& root,
                                 const std::optional<DeletionVectorDescriptor>& dv) {
  if (!dv) return Roaring64Map();
  return LoadDeletionVector(root, *dv);
}

}  // namespace

Result<std::shared_ptr<arrow::Table>> ReadChanges(const io::Location& table_root,
                                                  int64_t start_version,
                                                  std::optional<int64_t> end_version) {
  ASSIGN_OR_RAISE(auto latest, Snapshot::Load(table_root));
  int64_t end = end_version.value_or(latest->version());
  if (start_version < 0 || end < start_version || end > latest->version()) {
    return UserError("DELTA_INVALID_CDC_RANGE",
                     "CDC range from start " + std::to_string(start_version) + " to end " +
                         std::to_string(end) + " was invalid. End cannot be before start, and "
                         "both must be within [0, " + std::to_string(latest->version()) + "].");
  }
  // Rows are read with the schema of the end version.
  ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(table_root, SnapshotOptions{end, std::nullopt}));
  ASSIGN_OR_RAISE(auto listing, ListLog(table_root));
  ASSIGN_OR_RAISE(auto timestamps, CommitTimestamps(table_root));
  auto cdc_schema = snapshot->schema();
  ASSIGN_OR_RAISE(cdc_schema,
                  cdc_schema->AddField(cdc_schema->num_fields(),
                                       arrow::field("_change_type", arrow::utf8())));
  std::vector<std::shared_ptr<arrow::Table>> parts;
  for (int64_t version = start_version; version <= end; ++version) {
    auto commit = listing.commits.find(version);
    if (commit == listing.commits.end()) {
      return UserError("DELTA_CHANGE_DATA_FILE_NOT_FOUND",
                       "The commit file of version " + std::to_string(version) +
                           " is missing; its changes cannot be read.");
    }
    ASSIGN_OR_RAISE(auto content, io::ReadWholeFile(io::Location{table_root.fs, commit->second.path}));
    ASSIGN_OR_RAISE(auto actions, ParseCommitFile(content, commit->second.path));
    int64_t ts = timestamps.count(version) ? timestamps[version] : commit->second.modification_time;
    std::vector<const AddCdcFile*> cdc;
    std::map<std::string, const AddFile*> adds;
    std::map<std::string, const RemoveFile*> removes;
    for (const auto& action : actions) {
      if (const auto* c = std::get_if<AddCdcFile>(&action)) cdc.push_back(c);
      if (const auto* a = std::get_if<AddFile>(&action); a && a->data_change) adds[a->path] = a;
      if (const auto* r = std::get_if<RemoveFile>(&action); r && r->data_change) removes[r->path] = r;
    }
    if (!cdc.empty()) {
      for (const auto* c : cdc) {
        AddFile file;
        file.path = c->path;
        file.partition_values = c->partition_values;
        ASSIGN_OR_RAISE(auto rows, ReadDataFile(snapshot, file, cdc_schema, false));
        ASSIGN_OR_RAISE(auto tagged, Tag(rows, "", version, ts));
        parts.push_back(tagged);
      }
      continue;
    }
    for (const auto& [path, add] : adds) {
      auto removed = removes.find(path);
      ASSIGN_OR_RAISE(auto rows, ReadDataFile(snapshot, *add, nullptr, false));
      ASSIGN_OR_RAISE(auto now_deleted, DeletedRows(table_root, add->deletion_vector));
      if (removed != removes.end()) {
        // Same file re-added with a new deletion vector: rows the new DV adds are deleted, rows it
        // no longer holds are inserted back.
        ASSIGN_OR_RAISE(auto before, DeletedRows(table_root, removed->second->deletion_vector));
        ASSIGN_OR_RAISE(auto deleted_rows, SelectRows(rows, now_deleted - before, true));
        ASSIGN_OR_RAISE(auto tagged, Tag(deleted_rows, "delete", version, ts));
        parts.push_back(tagged);
        ASSIGN_OR_RAISE(auto restored_rows, SelectRows(rows, before - now_deleted, true));
        ASSIGN_OR_RAISE(auto restored, Tag(restored_rows, "insert", version, ts));
        parts.push_back(restored);
        removes.erase(removed);
        continue;
      }
      ASSIGN_OR_RAISE(auto live, SelectRows(rows, now_deleted, false));
      ASSIGN_OR_RAISE(auto tagged, Tag(live, "insert", version, ts));
      parts.push_back(tagged);
    }
    for (const auto& [path, remove] : removes) {
      AddFile file;
      file.path = remove->path;
      file.partition_values = remove->partition_values;
      ASSIGN_OR_RAISE(auto rows, ReadDataFile(snapshot, file, nullptr, false));
      ASSIGN_OR_RAISE(auto deleted, DeletedRows(table_root, remove->deletion_vector));
      ASSIGN_OR_RAISE(auto live, SelectRows(rows, deleted, false));
      ASSIGN_OR_RAISE(auto tagged, Tag(live, "delete", version, ts));
      parts.push_back(tagged);
    }
  }
  if (parts.empty()) {
    ASSIGN_OR_RAISE(auto empty, arrow::Table::MakeEmpty(snapshot->schema()));
    return Tag(empty, "insert", 0, 0);
  }
  arrow::ConcatenateTablesOptions options;
  options.unify_schemas = true;
  return arrow::ConcatenateTables(parts, options);
}

}  // namespace basin::delta
