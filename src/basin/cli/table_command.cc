#include "basin/cli/table_command.h"

#include <iostream>
#include <map>

#include <arrow/table.h>

#include "basin/cli/arguments.h"
#include "basin/cli/output.h"
#include "basin/delta/scan.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/write.h"
#include "basin/format/data_file_reader.h"
#include "basin/io/file_system.h"
#include "basin/types/civil_time.h"

namespace basin::cli {

namespace {

Result<io::Location> TablePath(const Arguments& args, const std::string& command) {
  if (args.positional().size() != 1) {
    return UserError("INVALID_PARAMETER_VALUE",
                     "'basin table " + command + "' takes exactly one table PATH; see 'basin table --help'.");
  }
  return io::ResolveLocation(args.positional()[0]);
}

// Reads --version N or --timestamp TS into snapshot options; both at once is an error.
Result<delta::SnapshotOptions> TimeTravel(const Arguments& args) {
  delta::SnapshotOptions options;
  ASSIGN_OR_RAISE(options.version, args.GetInt("version"));
  if (auto ts = args.Get("timestamp")) {
    if (options.version) {
      return UserError("INVALID_PARAMETER_VALUE",
                       "Give either --version or --timestamp, not both.");
    }
    ASSIGN_OR_RAISE(int64_t micros, types::ParseTimestampMicros(*ts));
    options.timestamp_ms = micros / 1000;
  }
  if (options.version && *options.version < 0) {
    return UserError("INVALID_PARAMETER_VALUE", "--version must not be negative.");
  }
  return options;
}

Status Read(const std::vector<std::string>& raw) {
  ASSIGN_OR_RAISE(auto args, Arguments::Parse("basin table read", raw,
                                              {"version", "timestamp", "columns", "format", "o"},
                                              {}));
  ASSIGN_OR_RAISE(auto root, TablePath(args, "read"));
  ASSIGN_OR_RAISE(auto snapshot_options, TimeTravel(args));
  ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root, snapshot_options));
  delta::ScanOptions scan;
  if (args.Has("columns")) scan.columns = args.GetList("columns");
  ASSIGN_OR_RAISE(auto table, delta::ReadSnapshot(snapshot, scan));
  ASSIGN_OR_RAISE(auto out, OpenOutput(args.Get("o")));
  RETURN_NOT_OK(WriteRows(*table, args.Get("format").value_or("jsonl"), out.get()));
  return out->Close();
}

Result<delta::SaveMode> ParseMode(const std::string& mode) {
  if (mode == "append") return delta::SaveMode::kAppend;
  if (mode == "overwrite") return delta::SaveMode::kOverwrite;
  if (mode == "error" || mode == "errorifexists") return delta::SaveMode::kErrorIfExists;
  if (mode == "ignore") return delta::SaveMode::kIgnore;
  return UserError("INVALID_PARAMETER_VALUE",
                   "Unknown save mode '" + mode + "': use append, overwrite, error or ignore.");
}

Status Write(const std::vector<std::string>& raw) {
  ASSIGN_OR_RAISE(auto args,
                  Arguments::Parse("basin table write", raw,
                                   {"from", "mode", "partition-by", "replace-where", "property",
                                    "txn-app-id", "txn-version", "max-rows-per-file"},
                                   {"merge-schema", "overwrite-schema"}));
  ASSIGN_OR_RAISE(auto root, TablePath(args, "write"));
  auto from = args.Get("from");
  if (!from) return UserError("INVALID_PARAMETER_VALUE", "'basin table write' needs --from FILE.");
  delta::WriteOptions options;
  ASSIGN_OR_RAISE(options.mode, ParseMode(args.Get("mode").value_or("error")));
  options.partition_by = args.GetList("partition-by");
  options.merge_schema = args.Has("merge-schema");
  options.overwrite_schema = args.Has("overwrite-schema");
  options.replace_where = args.Get("replace-where");
  if (options.overwrite_schema && options.mode != delta::SaveMode::kOverwrite) {
    return UserError("INVALID_PARAMETER_VALUE", "--overwrite-schema needs --mode overwrite.");
  }
  if (options.replace_where && options.mode != delta::SaveMode::kOverwrite) {
    return UserError("INVALID_PARAMETER_VALUE", "--replace-where needs --mode overwrite.");
  }
  for (const auto& property : args.GetAll("property")) {
    auto eq = property.find('=');
    if (eq == std::string::npos || eq == 0) {
      return UserError("INVALID_PARAMETER_VALUE",
                       "--property takes KEY=VALUE, got '" + property + "'.");
    }
    options.table_properties[property.substr(0, eq)] = property.substr(eq + 1);
  }
  ASSIGN_OR_RAISE(auto txn_version, args.GetInt("txn-version"));
  if (args.Has("txn-app-id") != txn_version.has_value()) {
    return UserError("INVALID_PARAMETER_VALUE", "--txn-app-id and --txn-version go together.");
  }
  if (txn_version) options.txn = delta::Txn{*args.Get("txn-app-id"), *txn_version, std::nullopt};
  ASSIGN_OR_RAISE(auto max_rows, args.GetInt("max-rows-per-file"));
  if (max_rows) options.max_rows_per_file = *max_rows;
  ASSIGN_OR_RAISE(auto input, io::ResolveLocation(*from));
  ASSIGN_OR_RAISE(auto data, format::ReadDataFile(input));
  ASSIGN_OR_RAISE(auto result, delta::WriteTable(root, data, options));
  if (result.skipped) {
    std::cout << "skipped: the table already has this write; version " << result.version << "\n";
  } else {
    std::cout << "wrote " << result.num_rows << " rows in " << result.num_files
              << " files; version " << result.version << "\n";
  }
  return Status::OK();
}

}  // namespace

std::string TableUsage() {
  return "Usage: basin table <command> PATH [options]\n"
         "\n"
         "  read PATH [--version N | --timestamp TS] [--columns a,b] [--format jsonl|csv|parquet|table] [-o FILE]\n"
         "  write PATH --from FILE(.parquet|.csv|.json) [--mode append|overwrite|error|ignore]\n"
         "        [--partition-by a,b] [--merge-schema] [--overwrite-schema] [--replace-where PRED]\n"
         "        [--property KEY=VALUE]... [--txn-app-id ID --txn-version N]\n"
         "  history PATH [--limit N] [--format jsonl|table]\n"
         "  detail PATH\n"
         "  restore PATH (--version N | --timestamp TS)\n"
         "  vacuum PATH [--retain-hours H] [--dry-run] [--no-retention-check]\n"
         "  changes PATH --from-version N [--to-version M] [--format ...] [-o FILE]\n";
}

Status RunTableCommand(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << TableUsage();
    return args.empty() ? UserError("INVALID_PARAMETER_VALUE", "'basin table' needs a command.")
                        : Status::OK();
  }
  const std::string& command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "read") return Read(rest);
  if (command == "write") return Write(rest);
  return UserError("INVALID_PARAMETER_VALUE",
                   "Unknown table command '" + command + "'; see 'basin table --help'.");
}

}  // namespace basin::cli
