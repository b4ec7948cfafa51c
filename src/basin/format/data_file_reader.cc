#include "basin/format/data_file_reader.h"

#include <string>

#include <arrow/csv/api.h>
#include <arrow/io/api.h>
#include <arrow/json/api.h>
#include <parquet/arrow/reader.h>
#include <parquet/exception.h>

namespace basin::format {

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<std::shared_ptr<arrow::Table>> ReadDataFile(const io::Location& file) {
  auto opened = file.fs->OpenInputFile(file.path);
  if (!opened.ok()) {
    return UserError("PATH_NOT_FOUND", "Path does not exist: " + file.path + " (" +
                                           opened.status().message() + ")");
  }
  std::shared_ptr<arrow::io::RandomAccessFile> input = *opened;
  const std::string& path = file.path;
  if (EndsWith(path, ".parquet")) {
    try {
      auto reader = parquet::arrow::OpenFile(input, arrow::default_memory_pool());
      if (!reader.ok()) {
        return UserError("FAILED_READ_FILE", "Cannot read Parquet file " + path + ": " +
                                                 reader.status().message());
      }
      (*reader)->set_use_threads(true);
      auto table = (*reader)->ReadTable();
      if (!table.ok()) {
        return UserError("FAILED_READ_FILE", "Cannot read Parquet file " + path + ": " +
                                                 table.status().message());
      }
      return *table;
    } catch (const parquet::ParquetException& e) {
      return UserError("FAILED_READ_FILE", "Cannot read Parquet file " + path + ": " + e.what());
    }
  }
  if (EndsWith(path, ".csv")) {
    auto reader = arrow::csv::TableReader::Make(
        arrow::io::default_io_context(), input, arrow::csv::ReadOptions::Defaults(),
        arrow::csv::ParseOptions::Defaults(), arrow::csv::ConvertOptions::Defaults());
    if (!reader.ok()) return reader.status();
    auto table = (*reader)->Read();
    if (!table.ok()) {
      return UserError("MALFORMED_RECORD_IN_PARSING",
                       "Cannot read CSV file " + path + ": " + table.status().message());
    }
    return *table;
  }
  if (EndsWith(path, ".json") || EndsWith(path, ".jsonl") || EndsWith(path, ".ndjson")) {
    auto reader = arrow::json::TableReader::Make(arrow::default_memory_pool(), input,
                                                 arrow::json::ReadOptions::Defaults(),
                                                 arrow::json::ParseOptions::Defaults());
    if (!reader.ok()) return reader.status();
    auto table = (*reader)->Read();
    if (!table.ok()) {
      return UserError("MALFORMED_RECORD_IN_PARSING",
                       "Cannot read JSON file " + path + ": " + table.status().message());
    }
    return *table;
  }
  return UserError("INVALID_PARAMETER_VALUE",
                   "Unsupported input file " + path + ": expected .parquet, .csv or .json");
}

}  // namespace basin::format
