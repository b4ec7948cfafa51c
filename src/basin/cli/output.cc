#include "basin/cli/output.h"

#include <arrow/array.h>
#include <arrow/csv/writer.h>
#include <arrow/type_traits.h>
#include <arrow/io/file.h>
#include <unistd.h>
#include <parquet/arrow/writer.h>
#include <parquet/exception.h>

#include "basin/format/json_lines.h"
#include "basin/function/cast.h"

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
