// Scan: Delta tables (live files after data skipping, read with delta::ReadDataFile: partition
// values, column mapping and deletion vectors handled there) and Parquet / CSV / JSON / text
// files or folders, whose partition columns come from Hive-style `name=value` folders (folders
// that pushed filters on partition columns rule out are not read). Files are streamed in
// chunks of at least 64K rows: up to `threads` files are open at once, each with its next chunk
// being read by a task on the query's thread pool, and chunks are handed out in file order, so
// memory holds a few chunks whatever the files' sizes.

#include <algorithm>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <arrow/compute/api.h>
#include <arrow/csv/api.h>
#include <arrow/io/api.h>
#include <arrow/json/api.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/properties.h>

#include "basin/delta/data_skipping.h"
#include "basin/delta/deletion_vector.h"
#include "basin/format/parquet_flat_reader.h"
#include "basin/format/parquet_leaves.h"
#include "basin/delta/partition_value.h"
#include "basin/delta/scan.h"
#include "basin/delta/snapshot.h"
#include "basin/exec/evaluate.h"
#include "basin/exec/operator.h"
#include "basin/exec/remap_columns.h"
#include "basin/format/partition_path.h"
#include "basin/io/file_system.h"

namespace basin::exec {

namespace {

using plan::ScanSource;

struct FileInfo {
  std::string path;       // as shown in _metadata.file_path
  io::Location location;  // for reading (non-Delta)
  int64_t size = 0;
  int64_t modification_time_ms = 0;
  const delta::AddFile* add = nullptr;  // Delta
  // Delta: read only these row groups of the file (a few files are split by row group, so
  // that several threads read them).
  std::optional<delta::RowGroupRange> row_groups;
  // Non-Delta: the values of the scan's partition columns, from the file's folders.
  arrow::ScalarVector partition_values;
};

bool SameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Collects the input columns `expr` reads; false when it cannot be evaluated on its own (a
// subquery, an outer reference, a nondeterministic call).
bool ColumnsOf(const plan::Expr& expr, std::vector<int>* columns) {
  switch (expr.kind) {
    case plan::ExprKind::kColumn:
      columns->push_back(expr.column_index);
      return true;
    case plan::ExprKind::kOuterColumn:
    case plan::ExprKind::kScalarSubquery:
    case plan::ExprKind::kInSubquery:
    case plan::ExprKind::kExists:
    case plan::ExprKind::kAggregate:
    case plan::ExprKind::kWindow:
    case plan::ExprKind::kGroupingId:
      return false;
    default:
      break;
  }
  if (expr.kind == plan::ExprKind::kCall && expr.scalar && !expr.scalar->deterministic)
    return false;
  for (const auto& child : expr.children) {
    if (child && !ColumnsOf(*child, columns)) return false;
  }
  return true;
}

std::string FileName(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The `files_where` text for the conjuncts of `expr` that data skipping understands; other
// conjuncts are left out (skipping on fewer conditions is always safe).
void SkippingText(const plan::Expr& expr, const arrow::Schema& schema,
                  std::vector<std::string>* out) {
  if (expr.kind == plan::ExprKind::kAnd) {
    for (const auto& child : expr.children) SkippingText(*child, schema, out);
    return;
  }
  auto column_name = [&](const plan::Expr& e) -> std::string {
    if (e.kind != plan::ExprKind::kColumn || e.column_index < 0 ||
        e.column_index >= schema.num_fields()) {
      return "";
    }
    const auto& field = *schema.field(e.column_index);
    for (char c : field.name()) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return "";
    }
    switch (field.type()->id()) {
      case arrow::Type::INT8:
      case arrow::Type::INT16:
      case arrow::Type::INT32:
      case arrow::Type::INT64:
      case arrow::Type::FLOAT:
      case arrow::Type::DOUBLE:
      case arrow::Type::STRING:
        return field.name();
      default:
        return "";
    }
  };
  if (expr.kind == plan::ExprKind::kIsNull && expr.children.size() == 1) {
    std::string name = column_name(*expr.children[0]);
    if (!name.empty()) out->push_back(name + (expr.negated ? " IS NOT NULL" : " IS NULL"));
    return;
  }
  if (expr.kind != plan::ExprKind::kCall || !expr.scalar || expr.children.size() != 2) return;
  static const std::pair<const char*, const char*> kOps[] = {
      {"=", "="},     {"==", "="},
      {"equal", "="}, {"!=", "!="},
      {"<>", "!="},   {"not_equal", "!="},
      {"<", "<"},     {"less", "<"},
      {"<=", "<="},   {"less_equal", "<="},
      {">", ">"},     {"greater", ">"},
      {">=", ">="},   {"greater_equal", ">="}};
  std::string op;
  for (const auto& [name, symbol] : kOps) {
    if (expr.scalar->name == name) op = symbol;
  }
  if (op.empty()) return;
  // An integer literal cast to the column's integer type (`id = 12345` on a bigint column) is
  // still that literal.
  auto unwrap = [](const plan::Expr* e) {
    if (e->kind == plan::ExprKind::kCast && e->children.size() == 1 && e->type &&
        arrow::is_integer(e->type->id()) &&
        e->children[0]->kind == plan::ExprKind::kLiteral && e->children[0]->literal &&
        arrow::is_integer(e->children[0]->literal->type->id())) {
      return e->children[0].get();
    }
    return e;
  };
  const plan::Expr* column = unwrap(expr.children[0].get());
  const plan::Expr* literal = unwrap(expr.children[1].get());
  if (column->kind == plan::ExprKind::kLiteral) {
    std::swap(column, literal);
    if (op == "<")
      op = ">";
    else if (op == ">")
      op = "<";
    else if (op == "<=")
      op = ">=";
    else if (op == ">=")
      op = "<=";
  }
  std::string name = column_name(*column);
  if (name.empty() || literal->kind != plan::ExprKind::kLiteral || !literal->literal ||
      !literal->literal->is_valid) {
    return;
  }
  const auto& scalar = *literal->literal;
  std::string text;
  switch (scalar.type->id()) {
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
      text = scalar.ToString();
      break;
    case arrow::Type::STRING: {
      text = scalar.ToString();
      if (text.find('\'') != std::string::npos) return;
      if (column->type->id() != arrow::Type::STRING) return;
      text = "'" + text + "'";
      break;
    }
    default:
      return;
  }
  if (column->type->id() == arrow::Type::STRING && text[0] != '\'') return;
  out->push_back(name + " " + op + " " + text);
}

Result<std::shared_ptr<arrow::Array>> MetadataColumn(const FileInfo& file,
                                                     const std::shared_ptr<arrow::DataType>& type,
                                                     int64_t rows) {
  arrow::ScalarVector values;
  std::vector<std::string> names;
  for (const auto& field : type->fields()) {
    std::shared_ptr<arrow::Scalar> value;
    const std::string& name = field->name();
    if (name == "file_path") {
      // Spark gives a URI: file:/abs/path for the local disk.
      std::string uri = file.path;
      if (!uri.empty() && uri[0] == '/') uri = "file:" + delta::UriEncodePath(uri);
      value = arrow::MakeScalar(uri);
    } else if (name == "file_name") {
      value = arrow::MakeScalar(FileName(file.path));
    } else if (name == "file_size" || name == "file_block_length") {
      value = arrow::MakeScalar(file.size);
    } else if (name == "file_block_start") {
      value = arrow::MakeScalar(int64_t{0});
    } else if (name == "file_modification_time") {
      value = std::make_shared<arrow::TimestampScalar>(
          file.modification_time_ms * 1000, arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"));
    } else {
      value = arrow::MakeNullScalar(field->type());
    }
    if (!value->type->Equals(*field->type())) {
      ASSIGN_OR_RAISE(value, value->CastTo(field->type()));
    }
    values.push_back(value);
    names.push_back(name);
  }
  ASSIGN_OR_RAISE(auto scalar, arrow::StructScalar::Make(values, names));
  return arrow::MakeArrayFromScalar(*scalar, rows);
}

// Picks `fields` from `table` by name (missing ones become nulls), cast to the field types.
Result<std::shared_ptr<arrow::Table>> SelectByName(const std::shared_ptr<arrow::Table>& table,
                                                   const arrow::FieldVector& fields) {
  arrow::ChunkedArrayVector columns;
  for (const auto& field : fields) {
    auto column = table->GetColumnByName(field->name());
    if (!column) {
      ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(field->type(), table->num_rows()));
      column = std::make_shared<arrow::ChunkedArray>(nulls);
    } else if (!column->type()->Equals(*field->type())) {
      ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(column, field->type()));
      column = cast.chunked_array();
    }
    columns.push_back(column);
  }
  return arrow::Table::Make(arrow::schema(fields), columns, table->num_rows());
}

std::string Option(const ScanSource& source, const std::string& key, const std::string& fallback) {
  for (const auto& [k, v] : source.options) {
    std::string lower = k;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == key) return v;
  }
  return fallback;
}

// Reads the top-level columns of a Parquet file that `fields` name (exactly, as SelectByName
// picks them) and no others: a count reads no column at all, only the row count in the footer.
// The columns are decoded in parallel when there are several.
Result<std::shared_ptr<arrow::Table>> ReadParquetColumns(
    const std::shared_ptr<arrow::io::RandomAccessFile>& input, const arrow::FieldVector& fields,
    const std::string& path) {
  parquet::arrow::FileReaderBuilder builder;
  RETURN_NOT_OK(builder.Open(input));
  parquet::ArrowReaderProperties properties;
  properties.set_use_threads(true);
  builder.properties(properties);
  ASSIGN_OR_RAISE(auto reader, builder.Build());
  std::shared_ptr<arrow::Schema> file_schema;
  RETURN_NOT_OK(reader->GetSchema(&file_schema));
  std::unordered_set<std::string> wanted;
  for (const auto& field : fields) wanted.insert(field->name());
  std::vector<int> leaves;
  arrow::FieldVector read_fields;
  for (int i = 0; i < file_schema->num_fields(); ++i) {
    if (!wanted.count(file_schema->field(i)->name())) continue;
    format::CollectParquetLeaves(reader->manifest().schema_fields[static_cast<size_t>(i)], &leaves);
    read_fields.push_back(file_schema->field(i));
  }
  if (read_fields.empty()) {
    return arrow::Table::Make(arrow::schema(arrow::FieldVector{}), arrow::ChunkedArrayVector{},
                              reader->parquet_reader()->metadata()->num_rows());
  }
  // Basin's own reader when every column is a flat one it reads (format/parquet_flat_reader.h).
  const auto metadata = reader->parquet_reader()->metadata();
  std::vector<int> row_groups, wanted_fields;
  for (int g = 0; g < metadata->num_row_groups(); ++g) row_groups.push_back(g);
  const auto& manifest = reader->manifest();
  for (size_t i = 0; i < manifest.schema_fields.size(); ++i) {
    if (wanted.count(manifest.schema_fields[i].field->name())) {
      wanted_fields.push_back(static_cast<int>(i));
    }
  }
  if (auto flat = format::FlatColumnsOf(manifest, *metadata, wanted_fields, row_groups)) {
    format::FlatParquetOptions options;
    options.parallel_columns = flat->leaves.size() > 1;
    options.path = path;
    ASSIGN_OR_RAISE(auto batches, format::OpenFlatParquet(input, metadata, row_groups,
                                                          flat->leaves, flat->fields, options));
    return batches->ToTable();
  }
  if (leaves.size() == 1) reader->set_use_threads(false);
  return reader->ReadTable(leaves);
}

Result<std::shared_ptr<arrow::Table>> ReadFormatFile(const ScanSource& source, const FileInfo& file,
                                                     const arrow::FieldVector& fields) {
  ASSIGN_OR_RAISE(auto input, file.location.fs->OpenInputFile(file.location.path));
  std::shared_ptr<arrow::Table> table;
  switch (source.format) {
    case ScanSource::Format::kParquet: {
      ASSIGN_OR_RAISE(table, ReadParquetColumns(input, fields, file.location.path));
      break;
    }
    case ScanSource::Format::kCsv: {
      auto read = arrow::csv::ReadOptions::Defaults();
      auto parse = arrow::csv::ParseOptions::Defaults();
      auto convert = arrow::csv::ConvertOptions::Defaults();
      std::string header = Option(source, "header", "false");
      bool has_header = header == "true" || header == "TRUE" || header == "True";
      std::string sep = Option(source, "sep", Option(source, "delimiter", ","));
      if (!sep.empty()) parse.delimiter = sep[0];
      // Spark's default escape character is a backslash.
      parse.escaping = true;
      parse.escape_char = '\\';
      if (!has_header) {
        for (const auto& field : fields) read.column_names.push_back(field->name());
        if (source.table_schema) {
          read.column_names.clear();
          for (const auto& field : source.table_schema->fields()) {
            read.column_names.push_back(field->name());
          }
        }
      }
      for (const auto& field : fields) convert.column_types[field->name()] = field->type();
      // Spark's CSV reader: an empty field, quoted or not, is null.
      convert.strings_can_be_null = true;
      ASSIGN_OR_RAISE(auto stream, file.location.fs->OpenInputStream(file.location.path));
      ASSIGN_OR_RAISE(auto reader, arrow::csv::TableReader::Make(arrow::io::default_io_context(),
                                                                 stream, read, parse, convert));
      ASSIGN_OR_RAISE(table, reader->Read());
      break;
    }
    case ScanSource::Format::kJson: {
      auto read = arrow::json::ReadOptions::Defaults();
      auto parse = arrow::json::ParseOptions::Defaults();
      // Dates and timestamps are JSON strings: read them as strings, then convert.
      arrow::FieldVector as_read;
      for (const auto& field : fields) {
        auto id = field->type()->id();
        as_read.push_back(id == arrow::Type::DATE32 || id == arrow::Type::TIMESTAMP
                              ? field->WithType(arrow::utf8())
                              : field);
      }
      parse.explicit_schema = arrow::schema(as_read);
      parse.unexpected_field_behavior = arrow::json::UnexpectedFieldBehavior::Ignore;
      ASSIGN_OR_RAISE(auto reader, arrow::json::TableReader::Make(arrow::default_memory_pool(),
                                                                  input, read, parse));
      ASSIGN_OR_RAISE(table, reader->Read());
      for (size_t i = 0; i < fields.size(); ++i) {
        if (as_read[i] == fields[i]) continue;
        int index = table->schema()->GetFieldIndex(fields[i]->name());
        if (index < 0) continue;
        ASSIGN_OR_RAISE(auto converted,
                        arrow::compute::Cast(table->column(index), fields[i]->type()));
        ASSIGN_OR_RAISE(table, table->SetColumn(index, fields[i], converted.chunked_array()));
      }
      break;
    }
    case ScanSource::Format::kText: {
      ASSIGN_OR_RAISE(auto size, input->GetSize());
      ASSIGN_OR_RAISE(auto buffer, input->ReadAt(0, size));
      std::string_view text(reinterpret_cast<const char*>(buffer->data()),
                            static_cast<size_t>(buffer->size()));
      arrow::StringBuilder lines;
      bool whole_text = false;
      for (const auto& [key, value] : source.options) {
        whole_text |= SameName(key, "wholetext") && SameName(value, "true");
      }
      size_t start = whole_text ? text.size() : 0;
      if (whole_text) RETURN_NOT_OK(lines.Append(text));  // one row per file, as it is
      while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        RETURN_NOT_OK(lines.Append(line));
        start = end + 1;
      }
      ASSIGN_OR_RAISE(auto array, lines.Finish());
      // One string column: `value`, or the column a text table declares.
      std::string name = "value";
      if (source.table_schema && source.table_schema->num_fields() == 1) {
        name = source.table_schema->field(0)->name();
      }
      table = arrow::Table::Make(arrow::schema({arrow::field(name, arrow::utf8())}), {array});
      break;
    }
    case ScanSource::Format::kDelta:
      return InternalError("Delta files are read through the snapshot");
  }
  return SelectByName(table, fields);
}

class ScanOperator : public Operator {
 public:
  ScanOperator(const plan::PlanNode& node, QueryContext* context)
      : source_(node.scan),
        with_metadata_(node.with_metadata_column),
        with_row_id_(node.with_row_id),
        context_(context) {
    schema_ = node.schema;
    batch_size_ = std::max<int64_t>(1, context_->options().batch_size);
  }

  Status Init(const plan::PlanNode& node) {
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(source_.path));
    std::shared_ptr<arrow::Schema> table_schema = source_.table_schema;
    if (source_.format == ScanSource::Format::kDelta) {
      delta::SnapshotOptions options;
      options.version = source_.version;
      if (source_.timestamp) {
        ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(arrow::Datum(*source_.timestamp),
                                                        arrow::timestamp(arrow::TimeUnit::MILLI)));
        options.timestamp_ms = static_cast<const arrow::TimestampScalar&>(*cast.scalar()).value;
      }
      ASSIGN_OR_RAISE(snapshot_, delta::Snapshot::Load(root, options));
      if (!table_schema) table_schema = snapshot_->schema();
      std::vector<std::string> predicates;
      for (const auto& filter : node.pushed_filters) {
        if (filter) SkippingText(*filter, *schema_, &predicates);
      }
      std::string where;
      for (const auto& p : predicates) where += (where.empty() ? "" : " AND ") + p;
      if (!where.empty()) {
        auto kept = delta::SkipFiles(*snapshot_, where);
        if (kept.ok()) {
          kept_files_ = std::move(kept).ValueUnsafe();
        } else {
          kept_files_ = snapshot_->files();  // skipping is an optimization only
        }
      } else {
        kept_files_ = snapshot_->files();
      }
      if (source_.only_files) {
        std::unordered_set<std::string> only(source_.only_files->begin(),
                                             source_.only_files->end());
        std::vector<delta::AddFile> kept;
        for (auto& add : kept_files_) {
          if (only.count(add.path)) kept.push_back(std::move(add));
        }
        kept_files_ = std::move(kept);
      }
      // Fewer files than twice the threads: each row group is read on its own (in order),
      // so that one large file keeps every thread busy. (Row ids count rows per file, so
      // scans that need them read whole files.)
      const bool split = !with_row_id_ &&
                         kept_files_.size() < 2 * static_cast<size_t>(std::max(
                                                      1, context_->options().threads)) &&
                         context_->options().threads > 1;
      for (const auto& add : kept_files_) {
        FileInfo info;
        info.path = root.Child(add.path).path;
        info.size = add.size;
        info.modification_time_ms = add.modification_time;
        info.add = &add;
        int groups = 1;
        if (split) {
          auto counted = delta::DataFileRowGroups(snapshot_, add);
          if (counted.ok()) groups = *counted;  // a file that cannot be read fails when read
        }
        if (groups <= 1) {
          files_.push_back(std::move(info));
          continue;
        }
        for (int g = 0; g < groups; ++g) {
          FileInfo part = info;
          part.row_groups = delta::RowGroupRange{g, g + 1};
          files_.push_back(std::move(part));
        }
      }
    } else {
      if (!table_schema) return InternalError("a file scan needs its table schema");
      // A partition column's value from its folder text; one that does not parse as the
      // column's type reads as null.
      auto partition_value =
          [&](const std::string& name,
              const std::optional<std::string>& text) -> Result<std::shared_ptr<arrow::Scalar>> {
        auto field = table_schema->GetFieldByName(name);
        if (!field) return InternalError("partition column " + name + " is not in the schema");
        std::shared_ptr<arrow::Scalar> value = arrow::MakeNullScalar(field->type());
        if (text && field->type()->id() != arrow::Type::NA) {
          auto parsed = delta::ParsePartitionValue(text, field->type(),
                                                   context_->options().eval.session_time_zone);
          if (parsed.ok()) value = *parsed;
        }
        return value;
      };
      if (source_.partitions) {
        // The partitions the catalog lists, each from its own folder.
        for (const auto& partition : *source_.partitions) {
          io::Location folder = root.Child(partition.folder);
          if (!partition.location.empty()) {
            ASSIGN_OR_RAISE(folder, io::ResolveLocation(partition.location));
          }
          ASSIGN_OR_RAISE(auto listed, io::ListInputFiles(folder));
          std::vector<std::shared_ptr<arrow::Scalar>> values;
          for (size_t p = 0; p < source_.partition_columns.size(); ++p) {
            ASSIGN_OR_RAISE(
                auto value,
                partition_value(source_.partition_columns[p],
                                p < partition.values.size() ? partition.values[p] : std::nullopt));
            values.push_back(std::move(value));
          }
          for (const auto& entry : listed) {
            FileInfo file;
            file.path = entry.path();
            file.location = io::Location{folder.fs, entry.path()};
            file.size = entry.size();
            file.modification_time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                            entry.mtime().time_since_epoch())
                                            .count();
            file.partition_values = values;
            files_.push_back(std::move(file));
          }
        }
      }
      // The file, the visible files below the folder, or the matches of a glob pattern.
      std::vector<arrow::fs::FileInfo> listed;
      if (!source_.partitions) {
        ASSIGN_OR_RAISE(listed, io::ListInputFiles(root));
      }
      std::string prefix = root.path;
      while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
      prefix += '/';
      for (const auto& entry : listed) {
        FileInfo file;
        file.path = entry.path();
        file.location = io::Location{root.fs, entry.path()};
        file.size = entry.size();
        file.modification_time_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(entry.mtime().time_since_epoch())
                .count();
        if (!source_.partition_columns.empty()) {
          std::vector<format::PartitionFolderValue> folders;
          if (entry.path().rfind(prefix, 0) == 0) {
            folders = format::ParsePartitionFolders(entry.path().substr(prefix.size()));
          }
          // Spark reads a partitioned folder's data from its partition folders only.
          if (folders.empty()) continue;
          for (const auto& name : source_.partition_columns) {
            std::optional<std::string> text;
            for (const auto& folder : folders) {
              if (SameName(folder.name, name)) text = folder.value;
            }
            ASSIGN_OR_RAISE(auto value, partition_value(name, text));
            file.partition_values.push_back(value);
          }
        }
        files_.push_back(std::move(file));
      }
    }
    // The data columns to read, in output order.
    if (with_row_id_ && source_.format != ScanSource::Format::kDelta) {
      return InternalError("row ids exist for Delta scans only");
    }
    if (with_row_id_) {
      // Built before any file is read: the readers run on several threads.
      for (size_t i = 0; i < snapshot_->files().size(); ++i) {
        file_ordinals_[snapshot_->files()[i].path] = static_cast<int64_t>(i);
      }
    }
    int data_columns = schema_->num_fields() - (with_metadata_ ? 1 : 0) - (with_row_id_ ? 2 : 0);
    for (int i = 0; i < data_columns; ++i) {
      std::string name = schema_->field(i)->name();
      if (static_cast<size_t>(i) < node.projection.size()) {
        name = table_schema->field(node.projection[static_cast<size_t>(i)])->name();
      }
      auto field = table_schema->GetFieldByName(name);
      data_fields_.push_back(field ? field : schema_->field(i));
    }
    if (source_.format == ScanSource::Format::kDelta && !with_row_id_) {
      row_filter_ = DictionaryFilter(node.pushed_filters, static_cast<int>(data_fields_.size()));
    }
    if (condition_) predicate_ = Predicate(condition_);
    if (source_.format != ScanSource::Format::kDelta && !source_.partition_columns.empty()) {
      // Which output column is which partition column; the rest are read from the files, whose
      // own schema leaves the partition columns out.
      for (const auto& field : data_fields_) {
        int index = -1;
        for (size_t p = 0; p < source_.partition_columns.size(); ++p) {
          if (source_.partition_columns[p] == field->name()) index = static_cast<int>(p);
        }
        partition_of_output_.push_back(index);
        if (index < 0) file_fields_.push_back(field);
      }
      arrow::FieldVector file_schema;
      for (const auto& field : table_schema->fields()) {
        if (std::find(source_.partition_columns.begin(), source_.partition_columns.end(),
                      field->name()) == source_.partition_columns.end()) {
          file_schema.push_back(field);
        }
      }
      file_source_ = source_;
      file_source_.table_schema = arrow::schema(file_schema);
      RETURN_NOT_OK(PruneFiles(node.pushed_filters));
    }
    return Status::OK();
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    while (true) {
      RETURN_NOT_OK(context_->CheckCancel());
      if (current_) {
        std::shared_ptr<arrow::RecordBatch> batch;
        RETURN_NOT_OK(current_->ReadNext(&batch));
        if (batch) {
          context_->AddRead(batch->num_rows(), BatchBytes(*batch));
          return ConformBatch(batch, schema_);
        }
        current_.reset();
      }
      // Keep up to `threads` files open, each with its next chunk being read on the pool; the
      // chunks are handed out in file order.
      const size_t ahead = static_cast<size_t>(std::max(1, context_->options().threads));
      while (next_file_ < files_.size() && streams_.size() < ahead) {
        auto stream = std::make_shared<FileStream>();
        stream->index = next_file_++;
        streams_.push_back(stream);
        RETURN_NOT_OK(SubmitChunk(stream));
      }
      if (streams_.empty()) return nullptr;
      auto stream = streams_.front();
      auto future = std::move(stream->pending);
      stream->pending = {};
      ASSIGN_OR_RAISE(auto chunk, future.result());
      if (!chunk) {
        streams_.pop_front();
        continue;
      }
      RETURN_NOT_OK(SubmitChunk(stream));  // read the next chunk while this one is used
      current_ = std::make_unique<arrow::TableBatchReader>(
          arrow::Table::Make(chunk->schema(), chunk->columns(), chunk->num_rows()));
      current_->set_chunksize(batch_size_);
    }
  }

  ~ScanOperator() override {
    // Tasks reference this operator: wait for them.
    for (auto& stream : streams_) {
      if (stream->pending.is_valid()) stream->pending.Wait();
    }
  }

 private:
  // A file being read: its reader (opened by the first chunk's task) and the chunk in flight.
  // One task at a time touches a stream: the next is submitted after the previous finished.
  struct FileStream {
    size_t index = 0;
    std::shared_ptr<arrow::RecordBatchReader> reader;
    int64_t position = 0;  // physical rows read so far (row ids)
    std::shared_ptr<Roaring64Map> deleted;  // row ids: the file's deletion vector
    std::shared_ptr<arrow::Array> ordinal;  // row ids: the file's ordinal, repeated
    arrow::Future<std::shared_ptr<arrow::RecordBatch>> pending;
  };

  // Rows a chunk task reads at once; the chunk is handed out in batch_size_ slices.
  int64_t ChunkRows() const { return std::max<int64_t>(batch_size_, 65536); }

  Status SubmitChunk(const std::shared_ptr<FileStream>& stream) {
    auto task = [this, stream]() { return ReadChunk(stream.get()); };
    if (auto* pool = context_->pool()) {
      ASSIGN_OR_RAISE(stream->pending, pool->Submit(task));
    } else {
      stream->pending = arrow::Future<std::shared_ptr<arrow::RecordBatch>>::MakeFinished(task());
    }
    return Status::OK();
  }

  // The next chunk of a file in the scan's schema, or nullptr at its end.
  Result<std::shared_ptr<arrow::RecordBatch>> ReadChunk(FileStream* stream) {
    RETURN_NOT_OK(context_->CheckCancel());
    const FileInfo& file = files_[stream->index];
    if (!stream->reader) {
      if (source_.format == ScanSource::Format::kDelta) {
        ASSIGN_OR_RAISE(stream->reader,
                        delta::OpenDataFile(snapshot_, *file.add, arrow::schema(data_fields_),
                                            /*apply_deletion_vector=*/!with_row_id_,
                                            context_->options().eval.session_time_zone,
                                            ChunkRows(), file.row_groups, row_filter_,
                                            predicate_));
      } else {
        std::shared_ptr<arrow::Table> table;
        if (!source_.partition_columns.empty()) {
          ASSIGN_OR_RAISE(table, ReadFormatFile(file_source_, file, file_fields_));
          ASSIGN_OR_RAISE(table, WithPartitionValues(table, file));
        } else {
          ASSIGN_OR_RAISE(table, ReadFormatFile(source_, file, data_fields_));
        }
        auto reader = std::make_shared<arrow::TableBatchReader>(table);
        reader->set_chunksize(ChunkRows());
        stream->reader = reader;
      }
    }
    std::shared_ptr<arrow::RecordBatch> batch;
    while (true) {
      RETURN_NOT_OK(stream->reader->ReadNext(&batch));
      if (!batch) return batch;
      const int64_t first_row = stream->position;
      stream->position += batch->num_rows();
      if (!with_row_id_) break;
      ASSIGN_OR_RAISE(batch, WithRowIds(batch, stream, first_row));
      if (batch->num_rows() > 0) return batch;
    }
    if ((row_filter_ || predicate_) && batch->num_rows() < ChunkRows() / 2) {
      // The dictionary row filter or the predicate thinned the chunk: read on until it holds
      // half a chunk, so that tasks and batches keep their size.
      arrow::RecordBatchVector parts{batch};
      int64_t rows = batch->num_rows();
      while (rows < ChunkRows() / 2) {
        std::shared_ptr<arrow::RecordBatch> more;
        RETURN_NOT_OK(stream->reader->ReadNext(&more));
        if (!more) break;
        rows += more->num_rows();
        parts.push_back(std::move(more));
      }
      if (parts.size() > 1) {
        ASSIGN_OR_RAISE(batch, arrow::ConcatenateRecordBatches(parts));
      }
    }
    arrow::ArrayVector columns = batch->columns();
    if (with_metadata_) {
      ASSIGN_OR_RAISE(auto meta,
                      MetadataColumn(file, schema_->fields().back()->type(), batch->num_rows()));
      columns.push_back(meta);
    }
    return arrow::RecordBatch::Make(schema_, batch->num_rows(), std::move(columns));
  }

  // The pushed filters that read one string column and nothing else, as a row filter on that
  // column's dictionary (delta::DictionaryRowFilter): each is evaluated over the dictionary's
  // values, rebound to a one-column batch. (Scans with row ids count every physical row.)
  std::shared_ptr<const delta::DictionaryRowFilter> DictionaryFilter(
      const std::vector<plan::ExprPtr>& filters, int data_columns) const {
    std::unordered_map<int, std::vector<plan::ExprPtr>> by_column;
    for (const auto& filter : filters) {
      std::vector<int> columns;
      if (!filter || !ColumnsOf(*filter, &columns) || columns.empty()) continue;
      const int column = columns[0];
      if (std::any_of(columns.begin(), columns.end(), [&](int c) { return c != column; })) {
        continue;
      }
      if (column < 0 || column >= data_columns) continue;
      const auto id = schema_->field(column)->type()->id();
      if (id != arrow::Type::STRING && id != arrow::Type::LARGE_STRING) continue;
      // Rebound to a one-column batch: its column 0.
      by_column[column].push_back(RemapColumns(filter, [](int) { return 0; }));
    }
    if (by_column.empty()) return nullptr;
    auto row_filter = std::make_shared<delta::DictionaryRowFilter>();
    for (const auto& [column, _] : by_column) row_filter->columns.push_back(column);
    std::sort(row_filter->columns.begin(), row_filter->columns.end());
    const function::EvalContext eval = context_->options().eval;
    auto fields = schema_->fields();
    row_filter->keep = [by_column = std::move(by_column), eval, fields](
                           int column, const std::shared_ptr<arrow::Array>& values)
        -> Result<std::shared_ptr<arrow::BooleanArray>> {
      auto found = by_column.find(column);
      if (found == by_column.end()) return nullptr;
      const auto& field = fields[static_cast<size_t>(column)];
      if (!values->type()->Equals(*field->type())) return nullptr;
      auto batch = arrow::RecordBatch::Make(arrow::schema({field}), values->length(), {values});
      std::shared_ptr<arrow::BooleanArray> keep;
      for (const auto& predicate : found->second) {
        ASSIGN_OR_RAISE(auto selected, EvaluatePredicate(*predicate, *batch, eval, nullptr));
        if (!keep) {
          keep = selected;
          continue;
        }
        ASSIGN_OR_RAISE(auto both, arrow::compute::And(keep, selected));
        keep = std::static_pointer_cast<arrow::BooleanArray>(both.make_array());
      }
      return keep;
    };
    return row_filter;
  }

  // The Filter's condition as the Delta reader's predicate (delta::RowPredicate): rebound to a
  // batch of just the columns it reads, evaluated as the Filter operator would.
  std::shared_ptr<const delta::RowPredicate> Predicate(const plan::ExprPtr& condition) const {
    std::vector<int> columns;
    ColumnsOf(*condition, &columns);
    std::sort(columns.begin(), columns.end());
    columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
    auto predicate = std::make_shared<delta::RowPredicate>();
    predicate->columns = columns;
    auto rebound = RemapColumns(condition, [columns](int c) {
      return static_cast<int>(std::lower_bound(columns.begin(), columns.end(), c) -
                              columns.begin());
    });
    const function::EvalContext eval = context_->options().eval;
    predicate->evaluate = [rebound, eval](const arrow::RecordBatch& batch)
        -> Result<std::shared_ptr<arrow::BooleanArray>> {
      return EvaluatePredicate(*rebound, batch, eval, nullptr);
    };
    return predicate;
  }

 public:
  void SetCondition(plan::ExprPtr condition) { condition_ = std::move(condition); }

 private:
  // Puts the file's partition values into the data columns read from it, in output order.
  Result<std::shared_ptr<arrow::Table>> WithPartitionValues(
      const std::shared_ptr<arrow::Table>& read, const FileInfo& file) {
    arrow::ChunkedArrayVector columns;
    int next_read = 0;
    for (size_t i = 0; i < data_fields_.size(); ++i) {
      int p = partition_of_output_[i];
      if (p < 0) {
        columns.push_back(read->column(next_read++));
        continue;
      }
      ASSIGN_OR_RAISE(auto array,
                      arrow::MakeArrayFromScalar(*file.partition_values[static_cast<size_t>(p)],
                                                 read->num_rows()));
      columns.push_back(std::make_shared<arrow::ChunkedArray>(array));
    }
    return arrow::Table::Make(arrow::schema(data_fields_), columns, read->num_rows());
  }

  // Drops the files whose partition values fail a pushed filter that reads partition columns
  // only (Spark's partition pruning). The filters are evaluated over one row per file whose
  // partition columns hold the file's values; a filter that cannot be evaluated prunes nothing.
  Status PruneFiles(const std::vector<plan::ExprPtr>& filters) {
    if (files_.empty()) return Status::OK();
    std::vector<const plan::Expr*> usable;
    for (const auto& filter : filters) {
      std::vector<int> columns;
      if (!filter || !ColumnsOf(*filter, &columns) || columns.empty()) continue;
      bool partition_only = true;
      for (int c : columns) {
        partition_only = partition_only && c >= 0 &&
                         static_cast<size_t>(c) < partition_of_output_.size() &&
                         partition_of_output_[static_cast<size_t>(c)] >= 0;
      }
      if (partition_only) usable.push_back(filter.get());
    }
    if (usable.empty()) return Status::OK();
    const int64_t n = static_cast<int64_t>(files_.size());
    arrow::ArrayVector arrays;
    for (int i = 0; i < schema_->num_fields(); ++i) {
      int p = static_cast<size_t>(i) < partition_of_output_.size()
                  ? partition_of_output_[static_cast<size_t>(i)]
                  : -1;
      if (p < 0) {
        ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(schema_->field(i)->type(), n));
        arrays.push_back(nulls);
        continue;
      }
      std::unique_ptr<arrow::ArrayBuilder> builder;
      RETURN_NOT_OK(
          arrow::MakeBuilder(arrow::default_memory_pool(), schema_->field(i)->type(), &builder));
      for (const auto& file : files_) {
        const auto& value = file.partition_values[static_cast<size_t>(p)];
        if (value->type->Equals(*schema_->field(i)->type())) {
          RETURN_NOT_OK(builder->AppendScalar(*value));
        } else {
          RETURN_NOT_OK(builder->AppendNull());
        }
      }
      ASSIGN_OR_RAISE(auto array, builder->Finish());
      arrays.push_back(array);
    }
    auto batch = arrow::RecordBatch::Make(schema_, n, arrays);
    std::vector<bool> keep(files_.size(), true);
    for (const auto* filter : usable) {
      auto selected = EvaluatePredicate(*filter, *batch, context_->options().eval, nullptr);
      if (!selected.ok()) continue;  // pruning is an optimization only
      for (int64_t r = 0; r < n; ++r) {
        if (!(*selected)->Value(r) || (*selected)->IsNull(r)) keep[static_cast<size_t>(r)] = false;
      }
    }
    std::vector<FileInfo> kept;
    for (size_t i = 0; i < files_.size(); ++i) {
      if (keep[i]) kept.push_back(std::move(files_[i]));
    }
    files_ = std::move(kept);
    return Status::OK();
  }

  // Appends the file ordinal and physical row positions (`first_row` is the batch's first), then
  // drops the rows the file's deletion vector hides (after numbering, so positions stay physical).
  Result<std::shared_ptr<arrow::RecordBatch>> WithRowIds(
      const std::shared_ptr<arrow::RecordBatch>& batch, FileStream* stream, int64_t first_row) {
    const FileInfo& file = files_[stream->index];
    const int64_t n = batch->num_rows();
    ASSIGN_OR_RAISE(auto row_array, RowPositions(first_row, n));
    if (!stream->ordinal || stream->ordinal->length() < n) {
      auto ordinal = file_ordinals_.find(file.add->path);
      if (ordinal == file_ordinals_.end()) return InternalError("scanned file is not live");
      // Sized by the first batch, the longest but for the last: one array per file. Filled
      // directly: MakeArrayFromScalar copies the value in one memcpy call per row.
      ASSIGN_OR_RAISE(auto values,
                      arrow::AllocateBuffer(n * static_cast<int64_t>(sizeof(int64_t))));
      std::fill_n(values->mutable_data_as<int64_t>(), n, ordinal->second);
      stream->ordinal = std::make_shared<arrow::Int64Array>(n, std::move(values));
    }
    auto path_array = stream->ordinal->Slice(0, n);
    arrow::ArrayVector columns = batch->columns();
    if (with_metadata_) {
      ASSIGN_OR_RAISE(auto meta,
                      MetadataColumn(file, schema_->field(schema_->num_fields() - 3)->type(), n));
      columns.push_back(meta);
    }
    columns.push_back(path_array);
    columns.push_back(row_array);
    auto out = arrow::RecordBatch::Make(schema_, n, std::move(columns));
    if (!file.add->deletion_vector) return out;
    if (!stream->deleted) {
      ASSIGN_OR_RAISE(auto deleted, delta::LoadDeletionVector(snapshot_->table_root(),
                                                              *file.add->deletion_vector));
      stream->deleted = std::make_shared<Roaring64Map>(std::move(deleted));
    }
    const auto& deleted = stream->deleted;
    arrow::BooleanBuilder keep;
    RETURN_NOT_OK(keep.Reserve(n));
    for (int64_t i = 0; i < n; ++i) {
      keep.UnsafeAppend(!deleted->contains(static_cast<uint64_t>(first_row + i)));
    }
    ASSIGN_OR_RAISE(auto mask, keep.Finish());
    ASSIGN_OR_RAISE(auto filtered, arrow::compute::Filter(out, mask));
    return filtered.record_batch();
  }

  // Row ids: the positions first_row .. first_row + n - 1, a slice of one array of positions
  // that all files share (grown on demand, up to 2M rows = 16 MiB, which a batch kept downstream
  // keeps alive), so that a scan does not write two numbers per row.
  Result<std::shared_ptr<arrow::Array>> RowPositions(int64_t first_row, int64_t n) {
    constexpr int64_t kMaxShared = int64_t{1} << 21;
    const int64_t end = first_row + n;
    if (end > kMaxShared) {
      arrow::Int64Builder rows;
      RETURN_NOT_OK(rows.Reserve(n));
      for (int64_t i = 0; i < n; ++i) rows.UnsafeAppend(first_row + i);
      return rows.Finish();
    }
    std::lock_guard<std::mutex> lock(positions_mutex_);
    if (!positions_ || positions_->length() < end) {
      int64_t length = std::max<int64_t>(ChunkRows(), positions_ ? positions_->length() : 0);
      while (length < end) length *= 2;
      length = std::min(length, kMaxShared);
      arrow::Int64Builder rows;
      RETURN_NOT_OK(rows.Reserve(length));
      for (int64_t i = 0; i < length; ++i) rows.UnsafeAppend(i);
      ASSIGN_OR_RAISE(positions_, rows.Finish());
    }
    return positions_->Slice(first_row, n);
  }

  ScanSource source_;
  bool with_metadata_;
  bool with_row_id_;
  std::mutex positions_mutex_;
  std::shared_ptr<arrow::Array> positions_;
  std::unordered_map<std::string, int64_t> file_ordinals_;  // row ids: path -> live file index
  QueryContext* context_;
  int64_t batch_size_;
  std::shared_ptr<const delta::Snapshot> snapshot_;
  std::vector<delta::AddFile> kept_files_;
  std::shared_ptr<const delta::DictionaryRowFilter> row_filter_;  // Delta: see DictionaryFilter
  plan::ExprPtr condition_;  // a Filter's condition this scan applies (MakeFilteredScan)
  std::shared_ptr<const delta::RowPredicate> predicate_;  // condition_ for the Delta reader
  std::vector<FileInfo> files_;
  arrow::FieldVector data_fields_;
  // Partitioned file scans: for each data field, its position in source_.partition_columns (-1
  // for a column read from the files); the fields read from the files; the source as the files
  // see it (no partition columns in its schema).
  std::vector<int> partition_of_output_;
  arrow::FieldVector file_fields_;
  ScanSource file_source_;
  size_t next_file_ = 0;
  std::deque<std::shared_ptr<FileStream>> streams_;
  std::unique_ptr<arrow::TableBatchReader> current_;
};

}  // namespace

Result<OperatorPtr> MakeScan(const plan::PlanNode& node, QueryContext* context) {
  auto op = std::make_unique<ScanOperator>(node, context);
  RETURN_NOT_OK(op->Init(node));
  return op;
}

Result<OperatorPtr> MakeFilteredScan(const plan::PlanNode& filter, QueryContext* context) {
  if (!filter.condition || filter.children.empty() || !filter.children[0]) return nullptr;
  const plan::PlanNode& scan = *filter.children[0];
  if (scan.kind != plan::PlanKind::kScan || scan.scan.format != ScanSource::Format::kDelta ||
      scan.with_row_id || scan.with_metadata_column) {
    return nullptr;
  }
  std::vector<int> columns;
  if (!ColumnsOf(*filter.condition, &columns) || plan::HasPythonUdf(filter.condition)) {
    return nullptr;
  }
  const int data_columns = scan.schema ? scan.schema->num_fields() : 0;
  for (int c : columns) {
    if (c < 0 || c >= data_columns) return nullptr;
  }
  auto op = std::make_unique<ScanOperator>(scan, context);
  op->SetCondition(filter.condition);
  RETURN_NOT_OK(op->Init(scan));
  return op;
}

}  // namespace basin::exec
