#include "basin/delta/checkpoint_writer.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <arrow/builder.h>
#include <arrow/io/memory.h>
#include <arrow/table.h>
#include <nlohmann/json.hpp>
#include <parquet/arrow/writer.h>
#include <parquet/exception.h>
#include <parquet/properties.h>

namespace basin::delta {

namespace {

using arrow::field;

std::shared_ptr<arrow::DataType> StringMap() { return arrow::map(arrow::utf8(), arrow::utf8()); }

std::shared_ptr<arrow::DataType> StringList() {
  return arrow::list(field("element", arrow::utf8()));
}

std::shared_ptr<arrow::DataType> DeletionVectorType() {
  return arrow::struct_({field("storageType", arrow::utf8()),
                         field("pathOrInlineDv", arrow::utf8()), field("offset", arrow::int32()),
                         field("sizeInBytes", arrow::int32()),
                         field("cardinality", arrow::int64()),
                         field("maxRowIndex", arrow::int64())});
}

// Appends helpers over the child builders of a struct builder, addressed by field index.
template <typename B>
B* Child(arrow::StructBuilder* b, int i) {
  return static_cast<B*>(b->field_builder(i));
}

Status AppendString(arrow::ArrayBuilder* b, const std::optional<std::string>& v) {
  auto* sb = static_cast<arrow::StringBuilder*>(b);
  return v ? sb->Append(*v) : sb->AppendNull();
}

Status AppendInt64(arrow::ArrayBuilder* b, const std::optional<int64_t>& v) {
  auto* ib = static_cast<arrow::Int64Builder*>(b);
  return v ? ib->Append(*v) : ib->AppendNull();
}

Status AppendInt32(arrow::ArrayBuilder* b, const std::optional<int32_t>& v) {
  auto* ib = static_cast<arrow::Int32Builder*>(b);
  return v ? ib->Append(*v) : ib->AppendNull();
}

Status AppendBool(arrow::ArrayBuilder* b, std::optional<bool> v) {
  auto* bb = static_cast<arrow::BooleanBuilder*>(b);
  return v ? bb->Append(*v) : bb->AppendNull();
}

template <typename Map>
Status AppendMap(arrow::ArrayBuilder* b, const Map& values) {
  auto* mb = static_cast<arrow::MapBuilder*>(b);
  RETURN_NOT_OK(mb->Append());
  auto* keys = static_cast<arrow::StringBuilder*>(mb->key_builder());
  auto* items = static_cast<arrow::StringBuilder*>(mb->item_builder());
  for (const auto& [k, v] : values) {
    RETURN_NOT_OK(keys->Append(k));
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::optional<std::string>>) {
      RETURN_NOT_OK(v ? items->Append(*v) : items->AppendNull());
    } else {
      RETURN_NOT_OK(items->Append(v));
    }
  }
  return Status::OK();
}

Status AppendList(arrow::ArrayBuilder* b, const std::optional<std::vector<std::string>>& values) {
  auto* lb = static_cast<arrow::ListBuilder*>(b);
  if (!values) return lb->AppendNull();
  RETURN_NOT_OK(lb->Append());
  auto* items = static_cast<arrow::StringBuilder*>(lb->value_builder());
  for (const auto& v : *values) RETURN_NOT_OK(items->Append(v));
  return Status::OK();
}

Status AppendDeletionVector(arrow::ArrayBuilder* b,
                            const std::optional<DeletionVectorDescriptor>& dv) {
  auto* sb = static_cast<arrow::StructBuilder*>(b);
  if (!dv) return sb->AppendNull();
  RETURN_NOT_OK(sb->Append());
  RETURN_NOT_OK(AppendString(sb->field_builder(0), dv->storage_type));
  RETURN_NOT_OK(AppendString(sb->field_builder(1), dv->path_or_inline_dv));
  RETURN_NOT_OK(AppendInt32(sb->field_builder(2), dv->offset));
  RETURN_NOT_OK(AppendInt32(sb->field_builder(3), dv->size_in_bytes));
  RETURN_NOT_OK(AppendInt64(sb->field_builder(4), dv->cardinality));
  return AppendInt64(sb->field_builder(5), std::nullopt);
}

enum Column { kTxn = 0, kAdd, kRemove, kMetaData, kProtocol, kDomainMetadata, kNumColumns };

class CheckpointBuilder {
 public:
  static Result<CheckpointBuilder> Make() {
    CheckpointBuilder out;
    out.schema_ = CheckpointSchema();
    for (const auto& f : out.schema_->fields()) {
      ASSIGN_OR_RAISE(auto builder, arrow::MakeBuilder(f->type()));
      out.builders_.emplace_back(static_cast<arrow::StructBuilder*>(builder.release()));
    }
    return out;
  }

  // Starts a row whose only non-null column is `column`, returning that column's builder.
  Result<arrow::StructBuilder*> Row(Column column) {
    for (int i = 0; i < kNumColumns; ++i) {
      if (i != column) RETURN_NOT_OK(builders_[i]->AppendNull());
    }
    RETURN_NOT_OK(builders_[column]->Append());
    ++rows_;
    return builders_[column].get();
  }

  Result<std::shared_ptr<arrow::Table>> Finish() {
    arrow::ArrayVector arrays;
    for (auto& b : builders_) {
      ASSIGN_OR_RAISE(auto array, b->Finish());
      arrays.push_back(std::move(array));
    }
    return arrow::Table::Make(schema_, arrays, rows_);
  }

 private:
  std::shared_ptr<arrow::Schema> schema_;
  std::vector<std::unique_ptr<arrow::StructBuilder>> builders_;
  int64_t rows_ = 0;
};

Status AppendProtocol(CheckpointBuilder* cb, const Protocol& p) {
  ASSIGN_OR_RAISE(auto* b, cb->Row(kProtocol));
  RETURN_NOT_OK(AppendInt32(b->field_builder(0), p.min_reader_version));
  RETURN_NOT_OK(AppendInt32(b->field_builder(1), p.min_writer_version));
  RETURN_NOT_OK(AppendList(b->field_builder(2), p.reader_features));
  return AppendList(b->field_builder(3), p.writer_features);
}

Status AppendMetadata(CheckpointBuilder* cb, const Metadata& m) {
  ASSIGN_OR_RAISE(auto* b, cb->Row(kMetaData));
  RETURN_NOT_OK(AppendString(b->field_builder(0), m.id));
  RETURN_NOT_OK(AppendString(b->field_builder(1), m.name));
  RETURN_NOT_OK(AppendString(b->field_builder(2), m.description));
  auto* format = Child<arrow::StructBuilder>(b, 3);
  RETURN_NOT_OK(format->Append());
  RETURN_NOT_OK(AppendString(format->field_builder(0), m.format.provider));
  RETURN_NOT_OK(AppendMap(format->field_builder(1), m.format.options));
  RETURN_NOT_OK(AppendString(b->field_builder(4), m.schema_string));
  RETURN_NOT_OK(AppendList(b->field_builder(5), m.partition_columns));
  RETURN_NOT_OK(AppendMap(b->field_builder(6), m.configuration));
  return AppendInt64(b->field_builder(7), m.created_time);
}

Status AppendTxn(CheckpointBuilder* cb, const Txn& t) {
  ASSIGN_OR_RAISE(auto* b, cb->Row(kTxn));
  RETURN_NOT_OK(AppendString(b->field_builder(0), t.app_id));
  RETURN_NOT_OK(AppendInt64(b->field_builder(1), t.version));
  return AppendInt64(b->field_builder(2), t.last_updated);
}

Status AppendDomain(CheckpointBuilder* cb, const DomainMetadata& d) {
  ASSIGN_OR_RAISE(auto* b, cb->Row(kDomainMetadata));
  RETURN_NOT_OK(AppendString(b->field_builder(0), d.domain));
  RETURN_NOT_OK(AppendString(b->field_builder(1), d.configuration));
  return AppendBool(b->field_builder(2), d.removed);
}

Status AppendAdd(CheckpointBuilder* cb, const AddFile& a) {
  ASSIGN_OR_RAISE(auto* b, cb->Row(kAdd));
  RETURN_NOT_OK(AppendString(b->field_builder(0), a.path));
  RETURN_NOT_OK(AppendMap(b->field_builder(1), a.partition_values));
  RETURN_NOT_OK(AppendInt64(b->field_builder(2), a.size));
  RETURN_NOT_OK(AppendInt64(b->field_builder(3), a.modification_time));
  // Checkpoints hold the table state, so every add there is dataChange=false as delta-spark
  // writes it.
  RETURN_NOT_OK(AppendBool(b->field_builder(4), false));
  auto* tags = static_cast<arrow::MapBuilder*>(b->field_builder(5));
  RETURN_NOT_OK(a.tags.empty() ? tags->AppendNull() : AppendMap(tags, a.tags));
  RETURN_NOT_OK(AppendDeletionVector(b->field_builder(6), a.deletion_vector));
  RETURN_NOT_OK(AppendInt64(b->field_builder(7), a.base_row_id));
  RETURN_NOT_OK(AppendInt64(b->field_builder(8), a.default_row_commit_version));
  std::optional<std::string> stats = a.stats;
  if (!stats && a.stats_parsed) stats = a.stats_parsed->dump();
  return AppendString(b->field_builder(9), stats);
}

Status AppendRemove(CheckpointBuilder* cb, const RemoveFile& r) {
  ASSIGN_OR_RAISE(auto* b, cb->Row(kRemove));
  RETURN_NOT_OK(AppendString(b->field_builder(0), r.path));
  RETURN_NOT_OK(AppendInt64(b->field_builder(1), r.deletion_timestamp));
  RETURN_NOT_OK(AppendBool(b->field_builder(2), false));
  RETURN_NOT_OK(AppendBool(b->field_builder(3), r.extended_file_metadata));
  RETURN_NOT_OK(AppendMap(b->field_builder(4), r.partition_values));
  RETURN_NOT_OK(AppendInt64(b->field_builder(5), r.size));
  RETURN_NOT_OK(AppendDeletionVector(b->field_builder(6), r.deletion_vector));
  RETURN_NOT_OK(AppendInt64(b->field_builder(7), r.base_row_id));
  return AppendInt64(b->field_builder(8), r.default_row_commit_version);
}

Result<std::shared_ptr<arrow::Buffer>> ToParquet(const std::shared_ptr<arrow::Table>& table) {
  try {
    ASSIGN_OR_RAISE(auto sink, arrow::io::BufferOutputStream::Create());
    auto props = parquet::WriterProperties::Builder()
                     .compression(parquet::Compression::SNAPPY)
                     ->build();
    RETURN_NOT_OK(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink,
                                             std::max<int64_t>(1, table->num_rows()), props));
    return sink->Finish();
  } catch (const parquet::ParquetException& e) {
    return Status::IOError("cannot write checkpoint parquet: ", e.what());
  }
}

}  // namespace

std::shared_ptr<arrow::Schema> CheckpointSchema() {
  auto txn = arrow::struct_({field("appId", arrow::utf8()), field("version", arrow::int64()),
                             field("lastUpdated", arrow::int64())});
  auto add = arrow::struct_(
      {field("path", arrow::utf8()), field("partitionValues", StringMap()),
       field("size", arrow::int64()), field("modificationTime", arrow::int64()),
       field("dataChange", arrow::boolean()), field("tags", StringMap()),
       field("deletionVector", DeletionVectorType()), field("baseRowId", arrow::int64()),
       field("defaultRowCommitVersion", arrow::int64()), field("stats", arrow::utf8())});
  auto remove = arrow::struct_(
      {field("path", arrow::utf8()), field("deletionTimestamp", arrow::int64()),
       field("dataChange", arrow::boolean()), field("extendedFileMetadata", arrow::boolean()),
       field("partitionValues", StringMap()), field("size", arrow::int64()),
       field("deletionVector", DeletionVectorType()), field("baseRowId", arrow::int64()),
       field("defaultRowCommitVersion", arrow::int64())});
  auto format = arrow::struct_({field("provider", arrow::utf8()), field("options", StringMap())});
  auto metadata = arrow::struct_(
      {field("id", arrow::utf8()), field("name", arrow::utf8()),
       field("description", arrow::utf8()), field("format", format),
       field("schemaString", arrow::utf8()), field("partitionColumns", StringList()),
       field("configuration", StringMap()), field("createdTime", arrow::int64())});
  auto protocol = arrow::struct_(
      {field("minReaderVersion", arrow::int32()), field("minWriterVersion", arrow::int32()),
       field("readerFeatures", StringList()), field("writerFeatures", StringList())});
  auto domain = arrow::struct_({field("domain", arrow::utf8()),
                                field("configuration", arrow::utf8()),
                                field("removed", arrow::boolean())});
  return arrow::schema({field("txn", txn), field("add", add), field("remove", remove),
                        field("metaData", metadata), field("protocol", protocol),
                        field("domainMetadata", domain)});
}

Result<int64_t> ParseIntervalMs(std::string_view text) {
  std::string s;
  for (char c : text) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  std::vector<std::string> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  if (!words.empty() && words[0] == "interval") words.erase(words.begin());
  if (words.empty() || words.size() % 2 != 0) {
    return UserError("INVALID_PARAMETER_VALUE",
                     "Cannot parse the interval '" + std::string(text) +
                         "'; use a form like 'interval 7 days'.");
  }
  int64_t total = 0;
  for (size_t w = 0; w < words.size(); w += 2) {
    int64_t n = 0;
    const auto& num = words[w];
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
    std::string unit = words[w + 1];
    if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
    int64_t ms = unit == "week" ? 604'800'000
                 : unit == "day" ? 86'400'000
                 : unit == "hour" ? 3'600'000
                 : unit == "minute" ? 60'000
                 : unit == "second" ? 1'000
                 : unit == "millisecond" ? 1
                 : -1;
    if (ec != std::errc() || ptr != num.data() + num.size() || ms < 0) {
      return UserError("INVALID_PARAMETER_VALUE",
                       "Cannot parse the interval '" + std::string(text) +
                           "'; use a form like 'interval 7 days'.");
    }
    total += n * ms;
  }
  return total;
}

Result<int64_t> DeletedFileRetentionMs(const std::map<std::string, std::string>& configuration) {
  auto it = configuration.find("delta.deletedFileRetentionDuration");
  if (it == configuration.end()) return int64_t{604'800'000};
  return ParseIntervalMs(it->second);
}

int64_t CheckpointInterval(const std::map<std::string, std::string>& configuration) {
  auto it = configuration.find("delta.checkpointInterval");
  if (it == configuration.end()) return 10;
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
  if (ec != std::errc() || n <= 0) return 10;
  return n;
}

Result<CheckpointInfo> WriteCheckpoint(const Snapshot& snapshot, int64_t now_ms) {
  ASSIGN_OR_RAISE(auto builder, CheckpointBuilder::Make());
  RETURN_NOT_OK(AppendProtocol(&builder, snapshot.protocol()));
  RETURN_NOT_OK(AppendMetadata(&builder, snapshot.metadata()));
  for (const auto& [app_id, txn] : snapshot.app_transactions()) {
    RETURN_NOT_OK(AppendTxn(&builder, txn));
  }
  for (const auto& [name, domain] : snapshot.domain_metadata()) {
    if (!domain.removed) RETURN_NOT_OK(AppendDomain(&builder, domain));
  }
  for (const auto& add : snapshot.files()) RETURN_NOT_OK(AppendAdd(&builder, add));
  ASSIGN_OR_RAISE(int64_t retention_ms, DeletedFileRetentionMs(snapshot.metadata().configuration));
  for (const auto& remove : snapshot.tombstones()) {
    if (remove.deletion_timestamp.value_or(0) < now_ms - retention_ms) continue;
    RETURN_NOT_OK(AppendRemove(&builder, remove));
  }
  ASSIGN_OR_RAISE(auto table, builder.Finish());
  ASSIGN_OR_RAISE(auto buffer, ToParquet(table));

  io::Location log = snapshot.table_root().Child("_delta_log");
  std::string name = VersionStem(snapshot.version()) + ".checkpoint.parquet";
  RETURN_NOT_OK(io::WriteWholeFile(log.Child(name), std::string_view(
                                                        reinterpret_cast<const char*>(buffer->data()),
                                                        static_cast<size_t>(buffer->size()))));
  CheckpointInfo info;
  info.version = snapshot.version();
  info.size = table->num_rows();
  info.size_in_bytes = buffer->size();
  info.num_of_add_files = static_cast<int64_t>(snapshot.files().size());
  nlohmann::json last = {{"version", info.version},
                         {"size", info.size},
                         {"sizeInBytes", info.size_in_bytes},
                         {"numOfAddFiles", info.num_of_add_files}};
  // _last_checkpoint is a hint: never move it back to an older checkpoint.
  auto last_location = log.Child("_last_checkpoint");
  auto existing = io::ReadWholeFile(last_location);
  if (existing.ok()) {
    auto parsed = nlohmann::json::parse(*existing, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("version") &&
        parsed["version"].is_number_integer() && parsed["version"].get<int64_t>() > info.version) {
      return info;
    }
  }
  RETURN_NOT_OK(io::WriteWholeFile(last_location, last.dump()));
  return info;
}

}  // namespace basin::delta
