// The `basin` command: dispatches to its subcommands and turns errors into a message on stderr
// and a non-zero exit status.

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <arrow/compute/initialize.h>

#include "basin/base/status.h"
#include "basin/cli/process.h"
#include "basin/cli/sql_command.h"
#include "basin/cli/table_command.h"
#include "basin/cli/version.h"

namespace {

std::string Usage() {
  return "Usage: basin [--warehouse DIR] [--metastore CONNECTION] <command> ...\n"
         "\n"
         "Commands:\n"
         "  table     read, write and manage Delta tables (basin table --help)\n"
         "  sql       run Spark SQL: an interactive shell, -e SQL or -f FILE (basin sql --help)\n"
         "  serve     start the Spark Connect server for PySpark clients (basin serve --help)\n"
         "  version   print Basin's version\n"
         "\n"
         "--warehouse DIR (or BASIN_WAREHOUSE) chooses the warehouse folder; the default is\n"
         "./warehouse. --metastore (or BASIN_METASTORE) is a PostgreSQL connection string for\n"
         "the catalog; by default the catalog is SQLite inside the warehouse.\n";
}

}  // namespace

int main(int argc, char** argv) {
  basin::cli::SetAllocatorSettings();
  std::vector<std::string> args(argv + 1, argv + argc);
  basin::cli::TakeGlobalOptions(&args);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << Usage();
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  // The server is its own executable: one-shot commands then load no gRPC or protobuf.
  if (command == "serve") return basin::cli::ReportStatus(basin::cli::ExecServer(rest));
  if (auto st = arrow::compute::Initialize(); !st.ok()) {
    std::cerr << "basin: cannot initialize Arrow compute: " << st.ToString() << std::endl;
    return 1;
  }
  basin::Status status;
  if (command == "table") {
    status = basin::cli::RunTableCommand(rest);
  } else if (command == "sql") {
    status = basin::cli::RunSqlCommand(rest);
  } else if (command == "version" || command == "--version") {
    std::cout << "basin " << basin::cli::kVersion << std::endl;
  } else {
    std::cerr << "[INVALID_PARAMETER_VALUE] Unknown command '" << command << "'.\n\n" << Usage();
    return 2;
  }
  const int code = basin::cli::ReportStatus(status);
  if (command == "sql" || command == "table") basin::cli::ExitWithoutTeardown(code);
  return code;
}
