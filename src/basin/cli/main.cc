// The `basin` command: dispatches to its subcommands and turns errors into a message on stderr
// and a non-zero exit status.

#include <sys/prctl.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <arrow/compute/initialize.h>

#include "basin/base/status.h"
#include "basin/cli/serve_command.h"
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

// Arrow's allocator (mimalloc, linked inside libarrow) returns freed memory to the kernel after
// 10 ms by default, so a query that frees and allocates batch buffers all the time pays the
// kernel's zeroing of fresh pages again and again, 2 MiB at a time with transparent huge pages.
// Basin keeps freed memory for 1 s (mimalloc reads that option when it first purges, after
// main starts) and turns transparent huge pages off for the process (mimalloc's own switch is
// read before main). See docs/decisions/0003-allocator-purge-delay.md. A delay given by the
// user wins.
void SetAllocatorSettings() {
  ::setenv("MIMALLOC_PURGE_DELAY", "1000", /*overwrite=*/0);
  ::prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);  // best effort: a failure leaves the defaults
}

// Ends a one-shot command: its session is gone and its files are written and closed, so only
// process-wide teardown is left, and the largest part of that is mimalloc handing every freed
// page back to the kernel one range at a time (a forced purge at exit, 10 to 20 ms after a
// DML statement) just before the kernel drops the whole address space anyway. Output streams
// are flushed first. See docs/decisions/0005-exit-without-teardown.md.
[[noreturn]] void ExitWithoutTeardown(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  SetAllocatorSettings();
  std::vector<std::string> args(argv + 1, argv + argc);
  // --warehouse is accepted anywhere; it selects the warehouse for every command.
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--warehouse" && i + 1 < args.size()) {
      ::setenv("BASIN_WAREHOUSE", args[i + 1].c_str(), 1);
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      --i;
    } else if (args[i] == "--metastore" && i + 1 < args.size()) {
      ::setenv("BASIN_METASTORE", args[i + 1].c_str(), 1);
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      --i;
    } else if (args[i].rfind("--warehouse=", 0) == 0) {
      ::setenv("BASIN_WAREHOUSE", args[i].substr(12).c_str(), 1);
      args.erase(args.begin() + static_cast<long>(i));
      --i;
    }
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << Usage();
    return args.empty() ? 2 : 0;
  }
  if (auto st = arrow::compute::Initialize(); !st.ok()) {
    std::cerr << "basin: cannot initialize Arrow compute: " << st.ToString() << std::endl;
    return 1;
  }
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  basin::Status status;
  if (command == "table") {
    status = basin::cli::RunTableCommand(rest);
  } else if (command == "sql") {
    status = basin::cli::RunSqlCommand(rest);
  } else if (command == "serve") {
    status = basin::cli::RunServeCommand(rest);
  } else if (command == "version" || command == "--version") {
    std::cout << "basin " << basin::cli::kVersion << std::endl;
  } else {
    std::cerr << "[INVALID_PARAMETER_VALUE] Unknown command '" << command << "'.\n\n" << Usage();
    return 2;
  }
  int code = 0;
  if (!status.ok()) {
    // User errors already read "[CLASS] message"; internal ones say what broke.
    if (basin::ErrorClassOf(status)) {
      std::cerr << status.message() << std::endl;
    } else {
      std::cerr << "[INTERNAL_ERROR] " << status.ToString() << std::endl;
    }
    code = 1;
  }
  if (command == "sql" || command == "table") ExitWithoutTeardown(code);
  return code;
}
