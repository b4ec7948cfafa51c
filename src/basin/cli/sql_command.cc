#include "basin/cli/sql_command.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "basin/cli/arguments.h"
#include "basin/cli/output.h"
#include "basin/session/session.h"

namespace basin::cli {
namespace {

session::Session* g_running = nullptr;

void OnInterrupt(int) {
  if (g_running) g_running->Cancel();
}

std::string WarehouseDir() {
  const char* env = std::getenv("BASIN_WAREHOUSE");
  return env && *env ? env : "warehouse";
}

void PrintError(const Status& status) {
  if (ErrorClassOf(status)) {
    std::cerr << "Error: " << status.message() << std::endl;
  } else {
    std::cerr << "Error: [INTERNAL_ERROR] " << status.ToString() << std::endl;
  }
}

// Returns true when `text` ends a statement: a ';' outside quotes and comments at its end.
bool EndsStatement(const std::string& text) {
  char quote = 0;
  bool line_comment = false;
  int block = 0;
  char last = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    char next = i + 1 < text.size() ? text[i + 1] : 0;
    if (line_comment) {
      if (c == '\n') line_comment = false;
      continue;
    }
    if (block > 0) {
      if (c == '*' && next == '/') --block, ++i;
      continue;
    }
    if (quote) {
      if (c == '\\' && quote != '`') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      last = 'x';
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == '-' && next == '-') {
      line_comment = true;
      continue;
    } else if (c == '/' && next == '*') {
      ++block;
      ++i;
      continue;
    }
    if (!std::isspace(static_cast<unsigned char>(c))) last = c;
  }
  return !quote && block == 0 && last == ';';
}

// Runs `text`; prints each query's rows (or writes the last query's rows to `output`).
Status RunText(session::Session* session, const std::string& text, const std::string& format,
               const std::optional<std::string>& output, bool timing) {
  auto started = std::chrono::steady_clock::now();
  g_running = session;
  auto results = session->Execute(text);
  g_running = nullptr;
  RETURN_NOT_OK(results.status());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const session::StatementResult* last_rows = nullptr;
  for (const auto& r : *results) {
    if (r.table) last_rows = &r;
  }
  const std::string time_zone = session->GetConfig("spark.sql.session.timeZone").value_or("UTC");
  // Variant values are written as their JSON text; parquet output keeps the binary struct.
  auto rows_for = [&](const std::shared_ptr<arrow::Table>& table)
      -> Result<std::shared_ptr<arrow::Table>> {
    if (format == "parquet") return table;
    return VariantsAsJson(table, time_zone);
  };
  if (output) {
    if (last_rows) {
      ASSIGN_OR_RAISE(auto out, OpenOutput(output));
      ASSIGN_OR_RAISE(auto rows, rows_for(last_rows->table));
      RETURN_NOT_OK(WriteRows(*rows, format, out.get()));
      RETURN_NOT_OK(out->Close());
    }
  } else {
    for (const auto& r : *results) {
      if (!r.table) continue;
      if (format == "table") {
        std::cout << RenderTable(*r.table, session->GetConfig("spark.sql.session.timeZone").value_or("UTC"));
        std::cout.flush();
      } else {
        ASSIGN_OR_RAISE(auto out, OpenOutput(std::nullopt));
        ASSIGN_OR_RAISE(auto rows, rows_for(r.table));
        RETURN_NOT_OK(WriteRows(*rows, format, out.get()));
        RETURN_NOT_OK(out->Flush());
      }
    }
  }
  if (timing) {
    int64_t rows = last_rows ? last_rows->table->num_rows() : 0;
    std::cerr << "Time taken: " << std::fixed;
    std::cerr.precision(3);
    std::cerr << seconds << " seconds, Fetched " << rows << " row(s)" << std::endl;
  }
  return Status::OK();
}

Status Interactive(session::Session* session, const std::string& format) {
  bool tty = ::isatty(STDIN_FILENO);
  std::signal(SIGINT, OnInterrupt);
  std::string buffer;
  std::string line;
  while (true) {
    if (tty) std::cout << (buffer.empty() ? "basin> " : "     > ") << std::flush;
    if (!std::getline(std::cin, line)) break;
    if (buffer.empty()) {
      std::string trimmed = line;
      while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.pop_back();
      if (trimmed == "quit" || trimmed == "exit" || trimmed == "quit;" || trimmed == "exit;") break;
      if (trimmed.empty()) continue;
    }
    buffer += line + "\n";
    if (!EndsStatement(buffer)) continue;
    Status st = RunText(session, buffer, format, std::nullopt, /*timing=*/true);
    if (!st.ok()) PrintError(st);
    buffer.clear();
  }
  if (!buffer.empty()) {
    Status st = RunText(session, buffer, format, std::nullopt, true);
    if (!st.ok()) PrintError(st);
  }
  return Status::OK();
}

}  // namespace

std::string SqlUsage() {
  return "Usage: basin sql [-e SQL | -f FILE] [--format table|csv|jsonl|parquet] [-o FILE]\n"
         "                 [--conf KEY=VALUE]...\n"
         "  Without -e or -f, opens an interactive shell; statements end with ';'.\n"
         "  With several statements, -o receives the rows of the last query.\n";
}

Status RunSqlCommand(const std::vector<std::string>& raw) {
  for (const auto& a : raw) {
    if (a == "--help" || a == "-h") {
      std::cout << SqlUsage();
      return Status::OK();
    }
  }
  ASSIGN_OR_RAISE(auto args, Arguments::Parse("basin sql", raw, {"e", "f", "format", "o", "conf"}, {}));
  if (!args.positional().empty()) {
    return UserError("INVALID_PARAMETER_VALUE",
                     "Unexpected argument '" + args.positional()[0] + "'; see 'basin sql --help'.");
  }
  std::string format = args.Get("format").value_or("table");
  if (format != "table" && format != "csv" && format != "jsonl" && format != "parquet") {
    return UserError("INVALID_PARAMETER_VALUE",
                     "Unknown format '" + format + "': use table, csv, jsonl or parquet.");
  }
  if (format == "parquet" && !args.Get("o")) {
    return UserError("INVALID_PARAMETER_VALUE", "--format parquet needs -o FILE.");
  }
  session::SessionOptions options;
  options.warehouse = WarehouseDir();
  if (const char* metastore = std::getenv("BASIN_METASTORE"); metastore && *metastore) {
    options.metastore = metastore;
  }
  session::Session session(options);
  for (const auto& conf : args.GetAll("conf")) {
    auto eq = conf.find('=');
    if (eq == std::string::npos) {
      return UserError("INVALID_PARAMETER_VALUE", "--conf expects KEY=VALUE, got '" + conf + "'.");
    }
    RETURN_NOT_OK(session.SetConfig(conf.substr(0, eq), conf.substr(eq + 1)));
  }
  if (args.Has("e") && args.Has("f")) {
    return UserError("INVALID_PARAMETER_VALUE", "Use either -e or -f, not both.");
  }
  std::signal(SIGINT, OnInterrupt);
  if (auto text = args.Get("e")) return RunText(&session, *text, format, args.Get("o"), false);
  if (auto file = args.Get("f")) {
    std::ifstream in(*file);
    if (!in) return UserError("PATH_NOT_FOUND", "Cannot read SQL file " + *file + ".");
    std::stringstream text;
    text << in.rdbuf();
    return RunText(&session, text.str(), format, args.Get("o"), false);
  }
  return Interactive(&session, format);
}

}  // namespace basin::cli
