#include "basin/cli/serve_command.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "basin/connect/server.h"

namespace basin::cli {

std::string ServeUsage() {
  return "Usage: basin [--warehouse DIR] serve [--port N] [--host HOST]\n"
         "\n"
         "Starts the Spark Connect server on the warehouse: connect with\n"
         "  SparkSession.builder.remote(\"sc://localhost:15002\").getOrCreate()\n"
         "--port defaults to 15002 (0 picks a free port); --host defaults to 127.0.0.1\n"
         "(loopback; use 0.0.0.0 to accept other machines). SIGTERM or Ctrl-C stops it.\n";
}

Status RunServeCommand(const std::vector<std::string>& args) {
  connect::ServerOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) {
        return UserError("INVALID_PARAMETER_VALUE", a + " needs a value.\n\n" + ServeUsage());
      }
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << ServeUsage();
      return Status::OK();
    } else if (a == "--port") {
      ASSIGN_OR_RAISE(auto text, value());
      char* end = nullptr;
      long port = std::strtol(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || port < 0 || port > 65535) {
        return UserError("INVALID_PARAMETER_VALUE",
                         "--port must be a number from 0 to 65535, not '" + text + "'.");
      }
      options.port = static_cast<int>(port);
    } else if (a == "--host") {
      ASSIGN_OR_RAISE(options.host, value());
    } else {
      return UserError("INVALID_PARAMETER_VALUE",
                       "Unknown option '" + a + "' for serve.\n\n" + ServeUsage());
    }
  }
  const char* warehouse = std::getenv("BASIN_WAREHOUSE");
  options.warehouse = warehouse && *warehouse ? warehouse : "warehouse";
  std::error_code ec;
  std::filesystem::create_directories(options.warehouse, ec);
  options.warehouse = std::filesystem::absolute(options.warehouse).lexically_normal().string();
  if (const char* metastore = std::getenv("BASIN_METASTORE"); metastore && *metastore) {
    options.metastore = metastore;
  }
  return connect::Serve(options);
}

}  // namespace basin::cli
