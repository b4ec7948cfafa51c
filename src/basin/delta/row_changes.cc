#include "basin/delta/row_changes.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <thread>

#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <arrow/util/bit_util.h>
#include <arrow/util/bitmap_ops.h>

#include "basin/delta/data_skipping.h"
#include "basin/delta/deletion_vector.h"
#include "basin/delta/file_stats.h"
#include "basin/delta/partition_value.h"
#include "basin/delta/replace_where.h"
#include "basin/delta/scan.h"
#include "basin/delta/write.h"
#include "basin/types/schema_json.h"

namespace basin::delta {
namespace {

namespace cp = arrow::compute;

int64_t ElapsedMs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool DeletionVectorsEnabled(const Snapshot& snapshot) {
  auto it = snapshot.metadata().configuration.find("delta.enableDeletionVectors");
  if (it == snapshot.metadata().configuration.end() || it->second != "true") return false;
  const auto& features = snapshot.protocol().writer_features;
  return features && std::find(features->begin(), features->end(), "deletionVectors") != features->end();
}

// The number of rows the physical file holds, from its statistics or by reading it.
Result<int64_t> PhysicalRowCount(const std::shared_ptr<const Snapshot>& snapshot, const AddFile& file) {
  if (auto rows = StatsRecordCount(file)) return *rows;
  ASSIGN_OR_RAISE(auto rows, ReadDataFile(snapshot, file, nullptr, /*apply_deletion_vector=*/false));
  return rows->num_rows();
}

// Statistics of a file that now has a deletion vector: the same numbers, no longer tight
// (PROTOCOL.md, "Per-file Statistics": tightBounds).
std::optional<std::string> LooseStats(const std::optional<std::string>& stats) {
  if (!stats) return stats;
  auto json = nlohmann::json::parse(*stats, nullptr, false);
  if (!json.is_object()) return stats;
  json["tightBounds"] = false;
  return json.dump();
}

// Keeps the rows of `data` whose positions are not in `deleted`.
Result<std::shared_ptr<arrow::Table>> DropRows(const std::shared_ptr<arrow::Table>& data,
                                               const Roaring64Map& deleted) {
  const int64_t n = data->num_rows();
  ASSIGN_OR_RAISE(auto bits, arrow::AllocateEmptyBitmap(n));
  arrow::bit_util::SetBitsTo(bits->mutable_data(), 0, n, true);
  for (uint64_t row : deleted) {
    if (row >= static_cast<uint64_t>(n)) break;
    arrow::bit_util::ClearBit(bits->mutable_data(), static_cast<int64_t>(row));
  }
  auto mask = std::make_shared<arrow::BooleanArray>(n, std::move(bits));
  ASSIGN_OR_RAISE(auto kept, cp::Filter(data, mask));
  return kept.table();
}

bool ChangeDataFeedEnabled(const Snapshot& snapshot) {
  auto it = snapshot.metadata().configuration.find("delta.enableChangeDataFeed");
  return it != snapshot.metadata().configuration.end() && Lower(it->second) == "true";
}

// Keeps the rows of `data` whose positions are in `rows`.
Result<std::shared_ptr<arrow::Table>> TakeRows(const std::shared_ptr<arrow::Table>& data,
                                               const Roaring64Map& rows) {
  arrow::BooleanBuilder keep;
  RETURN_NOT_OK(keep.Reserve(data->num_rows()));
  for (int64_t i = 0; i < data->num_rows(); ++i) {
    keep.UnsafeAppend(rows.contains(static_cast<uint64_t>(i)));
  }
  ASSIGN_OR_RAISE(auto mask, keep.Finish());
  ASSIGN_OR_RAISE(auto kept, cp::Filter(data, mask));
  return kept.table();
}

// Returns `data` with exactly the fields of `schema` (matched by name, case-insensitively;
// cast when the type differs, nulls when absent), so that parts can be concatenated.
Result<std::shared_ptr<arrow::Table>> AlignTo(const std::shared_ptr<arrow::Table>& data,
                                              const std::shared_ptr<arrow::Schema>& schema) {
  arrow::ChunkedArrayVector columns;
  for (const auto& field : schema->fields()) {
    int found = -1;
    for (int i = 0; i < data->num_columns(); ++i) {
      if (Lower(data->schema()->field(i)->name()) == Lower(field->name())) found = i;
    }
    if (found < 0) {
      ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(field->type(), data->num_rows()));
      columns.push_back(std::make_shared<arrow::ChunkedArray>(nulls));
      continue;
    }
    auto column = data->column(found);
    if (!column->type()->Equals(*field->type())) {
      ASSIGN_OR_RAISE(auto cast, cp::Cast(column, field->type()));
      column = cast.chunked_array();
    }
    columns.push_back(column);
  }
  return arrow::Table::Make(schema, columns, data->num_rows());
}

// Appends a constant _change_type column.
Result<std::shared_ptr<arrow::Table>> WithChangeType(const std::shared_ptr<arrow::Table>& rows,
                                                     const std::string& change_type) {
  ASSIGN_OR_RAISE(auto types,
                  arrow::MakeArrayFromScalar(arrow::StringScalar(change_type), rows->num_rows()));
  return rows->AddColumn(rows->num_columns(), arrow::field("_change_type", arrow::utf8()),
                         std::make_shared<arrow::ChunkedArray>(types));
}

// Writes the change rows (table columns + _change_type) as `_change_data/[partition dirs/]
// cdc-*.parquet` files and returns their cdc actions (PROTOCOL.md, "Change Data Files").
Result<std::vector<AddCdcFile>> WriteChangeDataFiles(const io::Location& root,
                                                     const Metadata& table_metadata,
                                                     const std::shared_ptr<arrow::Table>& rows) {
  std::vector<AddCdcFile> out;
  if (rows->num_rows() == 0) return out;
  Metadata metadata = table_metadata;
  auto schema = nlohmann::json::parse(metadata.schema_string, nullptr, false);
  if (!schema.is_object() || !schema.contains("fields")) {
    return InternalError("cannot add _change_type to the table schema");
  }
  schema["fields"].push_back({{"name", "_change_type"},
                              {"type", "string"},
                              {"nullable", true},
                              {"metadata", nlohmann::json::object()}});
  metadata.schema_string = schema.dump();
  io::Location dir = root.Child("_change_data");
  ASSIGN_OR_RAISE(auto files, WriteDataFiles(dir, metadata, rows));
  Status status;
  for (const auto& f : files) {
    // Data files come out as part-NNNNN-<uuid>...; change files are named cdc-NNNNN-<uuid>...
    std::string path = f.path;
    size_t slash = path.rfind('/');
    size_t name_at = slash == std::string::npos ? 0 : slash + 1;
    std::string renamed = path;
    if (path.compare(name_at, 5, "part-") == 0) {
      renamed = path.substr(0, name_at) + "cdc-" + path.substr(name_at + 5);
      if (status.ok()) {
        status = root.fs->Move(dir.Child(UriDecode(path)).path, dir.Child(UriDecode(renamed)).path);
        if (!status.ok()) renamed = path;
      }
    }
    AddCdcFile cdc;
    cdc.path = "_change_data/" + renamed;
    cdc.partition_values = f.partition_values;
    cdc.size = f.size;
    cdc.data_change = false;
    out.push_back(std::move(cdc));
  }
  if (!status.ok()) {
    for (const auto& c : out) (void)root.fs->DeleteFile(root.Child(UriDecode(c.path)).path);
    for (const auto& f : files) (void)root.fs->DeleteFile(dir.Child(UriDecode(f.path)).path);
    return status;
  }
  return out;
}

}  // namespace

Result<RowChangeResult> CommitRowChanges(const std::shared_ptr<const Snapshot>& snapshot,
                                         const RowChanges& changes) {
  auto started = std::chrono::steady_clock::now();
  const io::Location& root = snapshot->table_root();
  std::map<std::string, const AddFile*> live;
  for (const auto& f : snapshot->files()) live[f.path] = &f;

  RETURN_NOT_OK(CheckConstraints(snapshot->metadata(), changes.new_rows,
                                 changes.constraints_checked));
  bool use_dv = DeletionVectorsEnabled(*snapshot);
  int64_t now = NowMs();
  auto txn = Transaction::FromSnapshot(snapshot);
  if (changes.constraints_checked) txn.SetGeneratedColumnsComputed();
  if (changes.new_metadata) txn.UpdateMetadata(*changes.new_metadata);
  RowChangeResult result;
  std::vector<std::string> read = changes.files_read;
  std::vector<std::shared_ptr<arrow::Table>> copied;
  std::vector<std::string> written_dvs;
  int64_t removed_bytes = 0, added_bytes = 0;
  // Change data feed: the old images of the touched rows, by file. A file's rows are kept here
  // when it was read anyway (rewrite); the others are read only if change files are written.
  bool cdf = ChangeDataFeedEnabled(*snapshot);
  struct Touched {
    const AddFile* file;
    Roaring64Map rows;
    std::shared_ptr<arrow::Table> data;
  };
  std::vector<Touched> touched;
  std::vector<AddCdcFile> cdc_files;
  struct Rewrite {
    const AddFile* file;
    Roaring64Map deleted;  // every row to drop: the old deletion vector and the new rows
    size_t touched;        // index into `touched`, SIZE_MAX without the change data feed
  };
  std::vector<Rewrite> rewrites;

  auto cleanup = [&] {
    for (const auto& path : written_dvs) (void)root.fs->DeleteFile(root.Child(path).path);
    for (const auto& c : cdc_files) (void)root.fs->DeleteFile(root.Child(UriDecode(c.path)).path);
  };

  for (const auto& [path, rows] : changes.deleted_rows) {
    auto it = live.find(path);
    if (it == live.end()) {
      cleanup();
      return UserError("DELTA_FILE_NOT_FOUND",
                       "File " + path + " is not part of version " +
                           std::to_string(snapshot->version()) + " of the table.");
    }
    const AddFile& file = *it->second;
    read.push_back(path);
    Roaring64Map existing;
    if (file.deletion_vector) {
      auto loaded = LoadDeletionVector(root, *file.deletion_vector);
      if (!loaded.ok()) {
        cleanup();
        return loaded.status();
      }
      existing = std::move(*loaded);
    }
    Roaring64Map added = rows - existing;
    if (added.isEmpty()) continue;
    Roaring64Map all = existing | added;
    auto physical_rows = PhysicalRowCount(snapshot, file);
    if (!physical_rows.ok()) {
      cleanup();
      return physical_rows.status();
    }
    if (added.maximum() >= static_cast<uint64_t>(*physical_rows)) {
      cleanup();
      return UserError("DELTA_INVALID_ROW_INDEX",
                       "Row " + std::to_string(added.maximum()) + " is beyond the " +
                           std::to_string(*physical_rows) + " rows of file " + path + ".");
    }
    result.deleted_rows += static_cast<int64_t>(added.cardinality());
    if (cdf) touched.push_back(Touched{&file, added, nullptr});
    txn.Remove(RemoveActionOf(file, now));
    removed_bytes += file.size;
    if (static_cast<int64_t>(all.cardinality()) == *physical_rows) {
      // Every row is gone: the file is simply removed.
      result.removed_files += 1;
      if (file.deletion_vector) result.deletion_vectors_removed += 1;
      continue;
    }
    if (use_dv) {
      auto dv = WriteDeletionVector(root, all);
      if (!dv.ok()) {
        cleanup();
        return dv.status();
      }
      written_dvs.push_back(dv->path_or_inline_dv);
      AddFile updated = file;
      updated.deletion_vector = *dv;
      updated.data_change = true;
      updated.stats = LooseStats(file.stats);
      txn.Add(updated);
      // The file stays; it gets a vector, or its vector is replaced by a larger one.
      if (file.deletion_vector) {
        result.deletion_vectors_updated += 1;
      } else {
        result.deletion_vectors_added += 1;
      }
    } else {
      // Rewritten below, several files at a time.
      rewrites.push_back(Rewrite{&file, std::move(all), cdf ? touched.size() - 1 : SIZE_MAX});
      result.removed_files += 1;
      if (file.deletion_vector) result.deletion_vectors_removed += 1;
    }
  }
  std::vector<AddFile> new_files;
  // Copy-on-write. Without new rows or a new schema, every touched file is rewritten on its own
  // into one new file (in the same partition), several files at a time, so that no more than a
  // few files are held in memory and the layout of the table is kept; otherwise the rows that
  // stay are written together with the new rows.
  const bool file_by_file =
      !(changes.new_rows && changes.new_rows->num_rows() > 0) && !changes.new_metadata;
  {
    const size_t workers = std::clamp<size_t>(std::thread::hardware_concurrency(), 2, 4);
    struct Rewritten {
      Status status;
      int64_t copied_rows = 0;
      std::shared_ptr<arrow::Table> kept;  // without file_by_file: written below
      std::vector<AddFile> files;          // with file_by_file
    };
    auto rewrite_one = [&snapshot, &root, file_by_file](const Rewrite& rewrite) {
      Rewritten out;
      auto data = ReadDataFile(snapshot, *rewrite.file, nullptr, /*apply_deletion_vector=*/false);
      if (!data.ok()) {
        out.status = data.status();
        return std::make_pair(std::move(out), std::shared_ptr<arrow::Table>());
      }
      auto kept = DropRows(*data, rewrite.deleted);
      if (!kept.ok()) {
        out.status = kept.status();
        return std::make_pair(std::move(out), std::shared_ptr<arrow::Table>());
      }
      out.copied_rows = (*kept)->num_rows();
      if (!file_by_file) {
        out.kept = *kept;
      } else if (out.copied_rows > 0) {
        auto files = WriteDataFiles(root, snapshot->metadata(), *kept);
        if (files.ok()) {
          out.files = std::move(*files);
        } else {
          out.status = files.status();
        }
      }
      // The change data feed takes its old images from the file's rows below.
      return std::make_pair(std::move(out), rewrite.touched != SIZE_MAX
                                                ? *data
                                                : std::shared_ptr<arrow::Table>());
    };
    using Outcome = std::pair<Rewritten, std::shared_ptr<arrow::Table>>;
    std::vector<Outcome> outcomes(rewrites.size());
    size_t next = 0;
    std::deque<std::pair<size_t, std::future<Outcome>>> flight;
    while (next < rewrites.size() || !flight.empty()) {
      while (next < rewrites.size() && flight.size() < workers) {
        flight.emplace_back(next, std::async(std::launch::async, rewrite_one,
                                             std::cref(rewrites[next])));
        ++next;
      }
      auto [index, future] = std::move(flight.front());
      flight.pop_front();
      outcomes[index] = future.get();
      if (!outcomes[index].first.status.ok()) next = rewrites.size();  // start no more
    }
    Status failed;
    for (size_t i = 0; i < rewrites.size(); ++i) {
      auto& [rewritten, data] = outcomes[i];
      if (!rewritten.status.ok() && failed.ok()) failed = rewritten.status;
      for (auto& f : rewritten.files) new_files.push_back(std::move(f));
      if (rewrites[i].touched != SIZE_MAX) touched[rewrites[i].touched].data = std::move(data);
      result.copied_rows += rewritten.copied_rows;
      if (rewritten.kept) copied.push_back(std::move(rewritten.kept));
    }
    if (!failed.ok()) {
      cleanup();
      for (const auto& f : new_files) (void)root.fs->DeleteFile(root.Child(UriDecode(f.path)).path);
      return failed;
    }
  }
  if (changes.new_rows && changes.new_rows->num_rows() > 0) copied.push_back(changes.new_rows);

  if (!copied.empty()) {
    // With new metadata (schema evolution) copied rows lack the new columns: they become null.
    auto concat_options = arrow::ConcatenateTablesOptions::Defaults();
    if (changes.new_metadata) concat_options.unify_schemas = true;
    auto combined = arrow::ConcatenateTables(copied, concat_options);
    if (!combined.ok()) {
      cleanup();
      return UserError("DELTA_SCHEMA_MISMATCH",
                       "The rows to write do not match the table schema: " +
                           combined.status().message());
    }
    auto files = WriteDataFiles(
        root, changes.new_metadata ? *changes.new_metadata : snapshot->metadata(), *combined);
    if (!files.ok()) {
      cleanup();
      return files.status();
    }
    new_files = std::move(*files);
  }
  for (const auto& f : new_files) {
    txn.Add(f);
    added_bytes += f.size;
  }
  result.added_files = static_cast<int64_t>(new_files.size());
  txn.MarkFilesRead(read);

  // With the change data feed on, a commit's changes are read from its change files when it has
  // any, else derived from its add and remove actions. That derivation is exact for whole files
  // removed, deletion vectors and files of only new rows; update images and rewritten files
  // (whose copied rows are no change) need change files, and then every change goes into them.
  bool has_updates = changes.update_postimage_rows > 0;
  for (const auto& [path, rows] : changes.updated_rows) has_updates |= !rows.isEmpty();
  if (cdf && (has_updates || result.copied_rows > 0)) {
    auto cdc = [&]() -> Status {
      // With schema evolution the change rows take the new schema (old rows get nulls in the
      // new columns), as the data files of the same commit do.
      const Metadata& cdc_metadata =
          changes.new_metadata ? *changes.new_metadata : snapshot->metadata();
      std::shared_ptr<arrow::Schema> schema = snapshot->schema();
      if (changes.new_metadata) {
        ASSIGN_OR_RAISE(schema, types::SchemaFromDeltaJson(changes.new_metadata->schema_string));
      }
      ASSIGN_OR_RAISE(auto cdc_schema,
                      schema->AddField(schema->num_fields(),
                                       arrow::field("_change_type", arrow::utf8())));
      std::vector<std::shared_ptr<arrow::Table>> parts;
      for (auto& t : touched) {
        if (!t.data) {
          ASSIGN_OR_RAISE(t.data, ReadDataFile(snapshot, *t.file, nullptr,
                                               /*apply_deletion_vector=*/false));
        }
        Roaring64Map updated;
        auto u = changes.updated_rows.find(t.file->path);
        if (u != changes.updated_rows.end()) updated = u->second & t.rows;
        Roaring64Map deleted = t.rows - updated;
        ASSIGN_OR_RAISE(auto deleted_rows, TakeRows(t.data, deleted));
        ASSIGN_OR_RAISE(auto deleted_tagged, WithChangeType(deleted_rows, "delete"));
        ASSIGN_OR_RAISE(auto deleted_aligned, AlignTo(deleted_tagged, cdc_schema));
        parts.push_back(deleted_aligned);
        ASSIGN_OR_RAISE(auto pre_rows, TakeRows(t.data, updated));
        ASSIGN_OR_RAISE(auto pre_tagged, WithChangeType(pre_rows, "update_preimage"));
        ASSIGN_OR_RAISE(auto pre_aligned, AlignTo(pre_tagged, cdc_schema));
        parts.push_back(pre_aligned);
        t.data.reset();
      }
      if (changes.new_rows && changes.new_rows->num_rows() > 0) {
        int64_t n = changes.new_rows->num_rows();
        int64_t post = std::clamp<int64_t>(changes.update_postimage_rows, 0, n);
        ASSIGN_OR_RAISE(auto post_tagged,
                        WithChangeType(changes.new_rows->Slice(0, post), "update_postimage"));
        ASSIGN_OR_RAISE(auto post_aligned, AlignTo(post_tagged, cdc_schema));
        parts.push_back(post_aligned);
        ASSIGN_OR_RAISE(auto insert_tagged,
                        WithChangeType(changes.new_rows->Slice(post), "insert"));
        ASSIGN_OR_RAISE(auto insert_aligned, AlignTo(insert_tagged, cdc_schema));
        parts.push_back(insert_aligned);
      }
      if (parts.empty()) return Status::OK();
      ASSIGN_OR_RAISE(auto all, arrow::ConcatenateTables(parts));
      ASSIGN_OR_RAISE(cdc_files, WriteChangeDataFiles(root, cdc_metadata, all));
      return Status::OK();
    }();
    if (!cdc.ok()) {
      cleanup();
      for (const auto& f : new_files) (void)root.fs->DeleteFile(root.Child(UriDecode(f.path)).path);
      return cdc;
    }
    for (const auto& c : cdc_files) txn.AddAction(c);
  }

  nlohmann::json metrics = {
      {"numDeletedRows", std::to_string(result.deleted_rows)},
      {"numAddedFiles", std::to_string(result.added_files)},
      {"numRemovedFiles", std::to_string(result.removed_files)},
      {"numCopiedRows", std::to_string(result.copied_rows)},
      {"numDeletionVectorsAdded", std::to_string(result.deletion_vectors_added)},
      {"numDeletionVectorsRemoved", std::to_string(result.deletion_vectors_removed)},
      {"numDeletionVectorsUpdated", std::to_string(result.deletion_vectors_updated)},
      {"numAddedChangeFiles", std::to_string(cdc_files.size())},
      {"numAddedBytes", std::to_string(added_bytes)},
      {"numRemovedBytes", std::to_string(removed_bytes)},
      {"executionTimeMs", std::to_string(ElapsedMs(started))},
  };
  if (changes.report_output_rows) {
    int64_t new_rows = changes.new_rows ? changes.new_rows->num_rows() : 0;
    metrics["numOutputRows"] = std::to_string(new_rows + result.copied_rows);
  }
  for (const auto& [from, to] : changes.renamed_metrics) {
    if (metrics.contains(from)) {
      metrics[to] = metrics[from];
      metrics.erase(from);
    }
  }
  for (const auto& [k, v] : changes.extra_metrics.items()) {
    if (v.is_null()) {
      metrics.erase(k);  // a null extra metric removes a default one
    } else {
      metrics[k] = v;
    }
  }
  result.metrics = metrics;
  auto committed = txn.Commit(changes.operation, changes.operation_parameters, metrics);
  if (!committed.ok()) {
    cleanup();
    for (const auto& f : new_files) (void)root.fs->DeleteFile(root.Child(UriDecode(f.path)).path);
    return committed.status();
  }
  result.commit = *committed;
  return result;
}

Result<RowChangeResult> DeleteWhere(const io::Location& table_root, const std::string& predicate_text) {
  ASSIGN_OR_RAISE(auto predicate, Predicate::Parse(predicate_text));
  ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(table_root));
  for (const auto& column : predicate.columns()) {
    bool found = false;
    for (const auto& f : snapshot->schema()->fields()) {
      found = found || Lower(f->name()) == Lower(column);
    }
    if (!found) {
      return UserError("UNRESOLVED_COLUMN.WITH_SUGGESTION",
                       "A column or function parameter with name `" + column +
                           "` cannot be resolved.");
    }
  }
  // Data skipping understands a subset of predicates; for the rest every file is a candidate.
  std::vector<AddFile> candidates;
  auto skipped = SkipFiles(*snapshot, predicate_text);
  candidates = skipped.ok() ? std::move(*skipped) : snapshot->files();

  RowChanges changes;
  changes.operation = "DELETE";
  changes.operation_parameters = {{"predicate", nlohmann::json::array({predicate_text}).dump()}};
  for (const auto& file : candidates) {
    changes.files_read.push_back(file.path);
    ASSIGN_OR_RAISE(auto rows, ReadDataFile(snapshot, file, nullptr, /*apply_deletion_vector=*/false));
    Roaring64Map existing;
    if (file.deletion_vector) {
      ASSIGN_OR_RAISE(existing, LoadDeletionVector(table_root, *file.deletion_vector));
    }
    ASSIGN_OR_RAISE(auto matches, predicate.Evaluate(*rows));
    Roaring64Map hits;
    for (int64_t i = 0; i < matches->length(); ++i) {
      if (matches->IsValid(i) && matches->Value(i) && !existing.contains(static_cast<uint64_t>(i))) {
        hits.add(static_cast<uint64_t>(i));
      }
    }
    if (!hits.isEmpty()) changes.deleted_rows[file.path] = std::move(hits);
  }
  if (changes.deleted_rows.empty()) {
    RowChangeResult nothing;
    nothing.commit.version = snapshot->version();
    nothing.commit.attempts = 0;
    return nothing;
  }
  return CommitRowChanges(snapshot, changes);
}

}  // namespace basin::delta
