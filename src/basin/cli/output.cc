#include "basin/cli/output.h"

#include <arrow/array.h>
#include <arrow/builder.h>
#include <arrow/csv/writer.h>
#include <arrow/io/file.h>
#include <arrow/type_traits.h>
#include <arrow/util/key_value_metadata.h>
#include <parquet/arrow/writer.h>
#include <parquet/exception.h>
#include <unistd.h>

#include "basin/format/json_lines.h"
#include "basin/function/cast.h"
#include "basin/types/schema_json.h"
#include "basin/types/variant.h"
#include "basin/types/variant_type.h"

namespace basin::cli {

Result<std::shared_ptr<arrow::io::OutputStream>> OpenOutput(
    const std::optional<std::string>& path) {
  if (!path) {
    // A duplicate of stdout: closing the stream after one statement's rows must not close
    // stdout for the next statement.
    int fd = ::dup(1);
    if (fd < 0) return InternalError("cannot duplicate stdout");
    ASSIGN_OR_RAISE(auto out, arrow::io::FileOutputStream::Open(fd));
    return out;
  }
  auto out = arrow::io::FileOutputStream::Open(*path);
  if (!out.ok()) {
    return UserError("PATH_NOT_FOUND", "Cannot write output file " + *path + ": " +
                                           out.status().message());
  }
  return std::shared_ptr<arrow::io::OutputStream>(*out);
}

std::string RenderCells(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(headers.size());
  for (size_t c = 0; c < headers.size(); ++c) {
    width[c] = std::max<size_t>(3, headers[c].size());
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  std::string line = "+";
  for (size_t w : width) line += std::string(w, '-') + "+";
  line += "\n";
  std::string out = line + "|";
  for (size_t c = 0; c < headers.size(); ++c) {
    out += std::string(width[c] - headers[c].size(), ' ') + headers[c] + "|";
  }
  out += "\n" + line;
  for (const auto& row : rows) {
    out += "|";
    for (size_t c = 0; c < headers.size(); ++c) {
      out += std::string(width[c] - row[c].size(), ' ') + row[c] + "|";
    }
    out += "\n";
  }
  return out + line;
}

std::string RenderTable(const arrow::Table& table, const std::string& time_zone) {
  function::EvalContext context;
  context.session_time_zone = time_zone;
  std::vector<std::string> headers;
  for (const auto& field : table.schema()->fields()) headers.push_back(field->name());
  std::vector<std::vector<std::string>> rows(static_cast<size_t>(table.num_rows()));
  for (int c = 0; c < table.num_columns(); ++c) {
    size_t row = 0;
    for (const auto& chunk : table.column(c)->chunks()) {
      for (int64_t i = 0; i < chunk->length(); ++i, ++row) {
        std::string text;
        if (chunk->IsNull(i)) {
          text = "NULL";
        } else {
          // Cells read as CAST(value AS STRING), as Spark's show() prints them.
          auto value = function::ValueToString(*chunk, i, context);
          text = value.ok() ? *value : "?";
        }
        rows[row].push_back(std::move(text));
      }
    }
  }
  return RenderCells(headers, rows);
}

namespace {

bool IsVariantField(const arrow::Field& field) { return types::IsVariantType(*field.type()); }

// Returns `field` and `array` with the variants in them (the array itself, or nested in structs,
// lists and maps) as JSON text, or nulls when there is none.
Result<std::pair<std::shared_ptr<arrow::Field>, std::shared_ptr<arrow::Array>>> VariantText(
    const std::shared_ptr<arrow::Field>& field, const std::shared_ptr<arrow::Array>& array,
    const std::string& time_zone) {
  using Converted = std::pair<std::shared_ptr<arrow::Field>, std::shared_ptr<arrow::Array>>;
  auto with_type = [&](std::shared_ptr<arrow::DataType> type) {
    return arrow::field(field->name(), std::move(type), field->nullable(), field->metadata());
  };
  if (array->type_id() == arrow::Type::LIST) {
    const auto& list = static_cast<const arrow::ListArray&>(*array);
    ASSIGN_OR_RAISE(auto element, VariantText(list.type()->field(0), list.values(), time_zone));
    if (!element.first) return Converted{};
    auto data = list.data()->Copy();
    data->type = arrow::list(element.first);
    data->child_data = {element.second->data()};
    return Converted{with_type(data->type), arrow::MakeArray(data)};
  }
  if (array->type_id() == arrow::Type::MAP) {
    const auto& map = static_cast<const arrow::MapArray&>(*array);
    ASSIGN_OR_RAISE(auto items,
                    VariantText(map.map_type()->item_field(), map.items(), time_zone));
    if (!items.first) return Converted{};
    auto type = std::make_shared<arrow::MapType>(map.map_type()->key_field(), items.first);
    auto entries = std::make_shared<arrow::ArrayData>(
        type->value_type(), map.keys()->length(),
        std::vector<std::shared_ptr<arrow::Buffer>>{nullptr}, 0);
    entries->child_data = {map.keys()->data(), items.second->data()};
    auto data = map.data()->Copy();
    data->type = type;
    data->child_data = {entries};
    return Converted{with_type(type), arrow::MakeArray(data)};
  }
  if (array->type_id() != arrow::Type::STRUCT) return Converted{};
  const auto& parent = static_cast<const arrow::StructArray&>(*array);
  if (IsVariantField(*field)) {
    auto values = std::static_pointer_cast<arrow::BinaryArray>(parent.GetFieldByName("value"));
    auto metadatas =
        std::static_pointer_cast<arrow::BinaryArray>(parent.GetFieldByName("metadata"));
    arrow::StringBuilder builder;
    for (int64_t i = 0; i < parent.length(); ++i) {
      if (parent.IsNull(i)) {
        RETURN_NOT_OK(builder.AppendNull());
        continue;
      }
      ASSIGN_OR_RAISE(auto json,
                      types::VariantToJson(metadatas->GetView(i), values->GetView(i), time_zone));
      RETURN_NOT_OK(builder.Append(json));
    }
    ASSIGN_OR_RAISE(auto strings, builder.Finish());
    arrow::KeyValueMetadata json_text({format::kJsonTextField}, {"true"});
    auto text_field = arrow::field(
        field->name(), arrow::utf8(), field->nullable(),
        field->metadata() ? field->metadata()->Merge(json_text) : json_text.Copy());
    return Converted{text_field, strings};
  }
  bool changed = false;
  arrow::FieldVector fields = parent.type()->fields();
  arrow::ArrayVector children;
  for (int i = 0; i < parent.num_fields(); ++i) {
    ASSIGN_OR_RAISE(auto child, VariantText(fields[i], parent.field(i), time_zone));
    if (child.first) {
      fields[i] = child.first;
      children.push_back(child.second);
      changed = true;
    } else {
      children.push_back(parent.field(i));
    }
  }
  if (!changed) return Converted{};
  std::shared_ptr<arrow::Buffer> validity;
  if (parent.null_count() > 0) {
    ASSIGN_OR_RAISE(validity, arrow::AllocateEmptyBitmap(parent.length()));
    for (int64_t i = 0; i < parent.length(); ++i) {
      if (parent.IsValid(i)) arrow::bit_util::SetBit(validity->mutable_data(), i);
    }
  }
  ASSIGN_OR_RAISE(auto rebuilt,
                  arrow::StructArray::Make(children, fields, validity, parent.null_count()));
  return Converted{with_type(rebuilt->type()), rebuilt};
}

}  // namespace

Result<std::shared_ptr<arrow::Table>> VariantsAsJson(const std::shared_ptr<arrow::Table>& table,
                                                     const std::string& time_zone) {
  auto schema = table->schema();
  std::vector<std::shared_ptr<arrow::ChunkedArray>> columns = table->columns();
  arrow::FieldVector fields = schema->fields();
  for (int c = 0; c < table->num_columns(); ++c) {
    arrow::ArrayVector chunks;
    std::shared_ptr<arrow::Field> new_field;
    for (const auto& chunk : columns[c]->chunks()) {
      ASSIGN_OR_RAISE(auto converted, VariantText(fields[c], chunk, time_zone));
      if (!converted.first) break;
      new_field = converted.first;
      chunks.push_back(converted.second);
    }
    if (!new_field) continue;
    columns[c] = std::make_shared<arrow::ChunkedArray>(std::move(chunks), new_field->type());
    fields[c] = new_field;
  }
  return arrow::Table::Make(arrow::schema(fields, schema->metadata()), columns, table->num_rows());
}

Status WriteRows(const arrow::Table& table, const std::string& format, arrow::io::OutputStream* out) {
  if (format == "jsonl" || format == "json") {
    RETURN_NOT_OK(format::WriteJsonLines(table, out));
  } else if (format == "csv") {
    for (const auto& field : table.schema()->fields()) {
      if (arrow::is_nested(field->type()->id())) {
        return UserError("UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE",
                         "The CSV datasource doesn't support the column `" + field->name() +
                             "` of the type \"" + field->type()->ToString() + "\".");
      }
    }
    RETURN_NOT_OK(arrow::csv::WriteCSV(table, arrow::csv::WriteOptions::Defaults(), out));
  } else if (format == "parquet") {
    try {
      auto shared = std::shared_ptr<arrow::io::OutputStream>(out, [](arrow::io::OutputStream*) {});
      RETURN_NOT_OK(parquet::arrow::WriteTable(table, arrow::default_memory_pool(), shared,
                                               1 << 20));
    } catch (const parquet::ParquetException& e) {
      return Status::IOError("cannot write parquet output: ", e.what());
    }
  } else if (format == "table") {
    std::string text = RenderTable(table);
    RETURN_NOT_OK(out->Write(text.data(), static_cast<int64_t>(text.size())));
  } else {
    return UserError("INVALID_PARAMETER_VALUE",
                     "Unknown output format '" + format + "': use jsonl, csv, parquet or table.");
  }
  return out->Flush();
}

}  // namespace basin::cli
