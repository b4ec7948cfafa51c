// Runs sqllogictest-style files (test/sql/**/*.test) against a Basin session.
//
//   basin_sqllogictest [--complete] [--warehouse DIR] FILE_OR_DIR...
//
// Records, separated by blank lines:
//   statement ok / statement error [text the error must contain]   + SQL lines
//   query <column letters> [rowsort|valuesort|nosort]               + SQL lines, '----',
//                                                                     expected rows (tab-separated)
//   restart          a new session on the same warehouse (all connections restart)
//   connection NAME  run the following records in session NAME (created on first use; the
//                    first session is "default"); sessions share the warehouse
//   # comment
// `__WAREHOUSE__` in SQL stands for the file's warehouse folder (for paths such as
// parquet.`__WAREHOUSE__/main/default/t`).
// Values are printed as CAST(value AS STRING) prints them (Spark), NULL as NULL. With
// --complete, the expected rows of every query are rewritten from the actual results.
// Prints one summary line per run: files, records passed and failed.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <arrow/compute/initialize.h>

#include "basin/function/cast.h"
#include "basin/session/session.h"

namespace fs = std::filesystem;
using basin::session::Session;
using basin::session::SessionOptions;

namespace {

struct Record {
  int line = 0;
  std::string kind;  // statement / query / restart
  std::string mode;  // ok / error / column letters
  std::string sort;  // rowsort / valuesort / nosort
  std::string expected_error;
  std::string sql;
  std::vector<std::string> expected;
  // Where the expected rows are in the file (for --complete).
  size_t first_result_line = 0;
  size_t result_lines = 0;
  bool has_separator = false;
};

std::vector<std::string> SplitWords(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::vector<Record> ParseFile(const std::vector<std::string>& lines) {
  std::vector<Record> records;
  size_t i = 0;
  while (i < lines.size()) {
    const std::string& line = lines[i];
    if (line.empty() || line[0] == '#') {
      ++i;
      continue;
    }
    Record r;
    r.line = static_cast<int>(i + 1);
    auto words = SplitWords(line);
    r.kind = words[0];
    if (r.kind == "restart" || r.kind == "connection") {
      if (r.kind == "connection") r.mode = words.size() > 1 ? words[1] : "default";
      records.push_back(r);
      ++i;
      continue;
    }
    if (r.kind == "statement") {
      r.mode = words.size() > 1 ? words[1] : "ok";
      if (r.mode == "error") {
        auto pos = line.find("error");
        r.expected_error = line.substr(pos + 5);
        while (!r.expected_error.empty() && r.expected_error[0] == ' ') r.expected_error.erase(0, 1);
      }
    } else if (r.kind == "query") {
      r.mode = words.size() > 1 ? words[1] : "";
      r.sort = words.size() > 2 ? words[2] : "nosort";
    }
    ++i;
    while (i < lines.size() && !lines[i].empty() && lines[i] != "----") {
      r.sql += lines[i] + "\n";
      ++i;
    }
    if (i < lines.size() && lines[i] == "----") {
      r.has_separator = true;
      ++i;
      r.first_result_line = i;
      while (i < lines.size() && !lines[i].empty()) {
        r.expected.push_back(lines[i]);
        ++i;
      }
      r.result_lines = r.expected.size();
    }
    records.push_back(r);
  }
  return records;
}

basin::Result<std::vector<std::string>> Rows(const arrow::Table& table, const std::string& zone) {
  basin::function::EvalContext context;
  context.session_time_zone = zone;
  std::vector<std::string> rows(static_cast<size_t>(table.num_rows()));
  for (int c = 0; c < table.num_columns(); ++c) {
    size_t row = 0;
    for (const auto& chunk : table.column(c)->chunks()) {
      for (int64_t i = 0; i < chunk->length(); ++i, ++row) {
        std::string text = "NULL";
        if (!chunk->IsNull(i)) {
          ARROW_ASSIGN_OR_RAISE(text, basin::function::ValueToString(*chunk, i, context));
          if (text.empty()) text = "(empty)";
        }
        rows[row] += (c ? "\t" : "") + text;
      }
    }
  }
  return rows;
}

struct Totals {
  int files = 0;
  int passed = 0;
  int failed = 0;
};

void RunFile(const fs::path& path, const std::string& warehouse, bool complete, Totals* totals) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  auto records = ParseFile(lines);
  fs::create_directories(warehouse);
  std::map<std::string, std::unique_ptr<Session>> sessions;
  sessions["default"] = std::make_unique<Session>(SessionOptions{warehouse});
  Session* session = sessions["default"].get();
  std::vector<std::pair<size_t, std::vector<std::string>>> rewrites;  // for --complete
  totals->files += 1;
  for (const auto& r : records) {
    if (r.kind == "restart") {
      sessions.clear();
      sessions["default"] = std::make_unique<Session>(SessionOptions{warehouse});
      session = sessions["default"].get();
      continue;
    }
    if (r.kind == "connection") {
      auto& slot = sessions[r.mode];
      if (!slot) slot = std::make_unique<Session>(SessionOptions{warehouse});
      session = slot.get();
      continue;
    }
    auto fail = [&](const std::string& why) {
      totals->failed += 1;
      std::cerr << path.string() << ":" << r.line << ": " << why << "\n  " << r.sql << std::endl;
    };
    std::string sql = r.sql;
    for (size_t at = sql.find("__WAREHOUSE__"); at != std::string::npos;
         at = sql.find("__WAREHOUSE__", at + warehouse.size())) {
      sql.replace(at, 13, warehouse);
    }
    auto results = session->Execute(sql);
    if (r.kind == "statement") {
      if (r.mode == "ok") {
        if (results.ok()) {
          totals->passed += 1;
        } else {
          fail("statement failed: " + results.status().ToString());
        }
      } else if (results.ok()) {
        fail("statement should have failed with: " + r.expected_error);
      } else if (results.status().message().find(r.expected_error) == std::string::npos) {
        fail("wrong error: " + results.status().message() + "\n  expected it to contain: " +
             r.expected_error);
      } else {
        totals->passed += 1;
      }
      continue;
    }
    if (r.kind != "query") {
      fail("unknown record kind '" + r.kind + "'");
      continue;
    }
    if (!results.ok()) {
      fail("query failed: " + results.status().ToString());
      continue;
    }
    if (results->empty() || !results->back().table) {
      fail("query returned no rows table");
      continue;
    }
    const auto& table = *results->back().table;
    auto zone = session->GetConfig("spark.sql.session.timeZone").value_or("UTC");
    auto rows = Rows(table, zone);
    if (!rows.ok()) {
      fail("cannot print the result: " + rows.status().ToString());
      continue;
    }
    std::vector<std::string> actual = *rows;
    if (!r.mode.empty() && static_cast<int>(r.mode.size()) != table.num_columns()) {
      fail("expected " + std::to_string(r.mode.size()) + " columns, got " +
           std::to_string(table.num_columns()));
      continue;
    }
    std::vector<std::string> expected = r.expected;
    if (r.sort == "rowsort") {
      std::sort(actual.begin(), actual.end());
      std::sort(expected.begin(), expected.end());
    }
    if (complete) {
      rewrites.emplace_back(r.first_result_line, actual);
      totals->passed += 1;
      continue;
    }
    if (actual != expected) {
      std::string diff = "result differs\n  expected:\n";
      for (const auto& e : expected) diff += "    " + e + "\n";
      diff += "  actual:\n";
      for (const auto& a : actual) diff += "    " + a + "\n";
      fail(diff);
    } else {
      totals->passed += 1;
    }
  }
  if (complete) {
    // Rebuild the file with the new expected rows.
    std::map<size_t, std::vector<std::string>> by_line(rewrites.begin(), rewrites.end());
    std::vector<std::string> result;
    for (size_t i = 0; i < lines.size();) {
      auto it = by_line.find(i);
      if (it != by_line.end() && i > 0 && lines[i - 1] == "----") {
        for (const auto& row : it->second) result.push_back(row);
        while (i < lines.size() && !lines[i].empty()) ++i;
        continue;
      }
      result.push_back(lines[i]);
      ++i;
    }
    std::ofstream file(path);
    for (const auto& l : result) file << l << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool complete = false;
  std::string warehouse;
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--complete") {
      complete = true;
    } else if (a == "--warehouse" && i + 1 < argc) {
      warehouse = argv[++i];
    } else {
      inputs.emplace_back(a);
    }
  }
  if (!arrow::compute::Initialize().ok()) return 2;
  std::vector<fs::path> files;
  for (const auto& input : inputs) {
    if (fs::is_directory(input)) {
      for (const auto& entry : fs::recursive_directory_iterator(input)) {
        if (entry.path().extension() == ".test") files.push_back(entry.path());
      }
    } else {
      files.push_back(input);
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::cerr << "sqllogictest: no .test files given" << std::endl;
    return 2;
  }
  Totals totals;
  fs::path scratch = warehouse.empty() ? fs::temp_directory_path() / ("basin-slt-" + std::to_string(::getpid()))
                                       : fs::path(warehouse);
  for (const auto& f : files) {
    // Each file gets a fresh warehouse; `restart` inside it keeps it.
    fs::path dir = scratch / f.stem();
    fs::remove_all(dir);
    RunFile(f, dir.string(), complete, &totals);
    if (warehouse.empty()) fs::remove_all(dir);
  }
  if (warehouse.empty()) fs::remove_all(scratch);
  std::cout << "sqllogictest: " << totals.files << " files, " << totals.passed << " passed, "
            << totals.failed << " failed" << std::endl;
  return totals.failed == 0 ? 0 : 1;
}
