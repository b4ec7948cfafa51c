#include "basin/cli/process.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

namespace basin::cli {

// Arrow's allocator (mimalloc, linked inside libarrow) returns freed memory to the kernel after
// 10 ms by default, so a query that frees and allocates batch buffers all the time pays the
// kernel's zeroing of fresh pages again and again, 2 MiB at a time with transparent huge pages.
// Basin keeps freed memory for 1 s (mimalloc reads that option when it first purges, after
// main starts) and turns transparent huge pages off for the process (mimalloc's own switch is
// read before main). A delay given by the user wins.
void SetAllocatorSettings() {
  ::setenv("MIMALLOC_PURGE_DELAY", "1000", /*overwrite=*/0);
  ::prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);  // best effort: a failure leaves the defaults
}

void TakeGlobalOptions(std::vector<std::string>* list) {
  auto& args = *list;
  for (size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--warehouse" || args[i] == "--metastore") && i + 1 < args.size()) {
      ::setenv(args[i] == "--warehouse" ? "BASIN_WAREHOUSE" : "BASIN_METASTORE",
               args[i + 1].c_str(), 1);
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      --i;
    } else if (args[i].rfind("--warehouse=", 0) == 0) {
      ::setenv("BASIN_WAREHOUSE", args[i].substr(12).c_str(), 1);
      args.erase(args.begin() + static_cast<long>(i));
      --i;
    }
  }
}

int ReportStatus(const Status& status) {
  if (status.ok()) return 0;
  // User errors already read "[CLASS] message"; internal ones say what broke.
  if (ErrorClassOf(status)) {
    std::cerr << status.message() << std::endl;
  } else {
    std::cerr << "[INTERNAL_ERROR] " << status.ToString() << std::endl;
  }
  return 1;
}

// A one-shot command's session is gone and its files are written and closed, so only
// process-wide teardown is left, and the largest part of that is mimalloc handing every freed
// page back to the kernel one range at a time, just before the kernel drops the whole address
// space anyway.
void ExitWithoutTeardown(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

Status ExecServer(const std::vector<std::string>& args) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return Status::IOError("cannot find the running executable: ", ec.message());
  const std::string server = (self.parent_path() / "basin-serve").string();
  std::vector<std::string> owned;
  owned.push_back(server);
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : owned) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::cout.flush();
  std::cerr.flush();
  ::execv(server.c_str(), argv.data());
  const int error = errno;
  return Status::IOError("cannot start the Spark Connect server ", server, ": ",
                         std::strerror(error),
                         " (basin-serve is built and installed next to basin)");
}

}  // namespace basin::cli
