#include "basin/types/time_zone.h"
#include "basin/cli/table_command.h"

#include <cstdlib>
#include <iostream>
#include <map>

#include <algorithm>
#include <chrono>

#include <arrow/table.h>
#include <arrow/util/byte_size.h>
#include <nlohmann/json.hpp>

#include "basin/cli/arguments.h"
#include "basin/cli/output.h"
#include "basin/delta/change_data_feed.h"
#include "basin/delta/detail.h"
#include "basin/delta/history.h"
#include "basin/delta/restore.h"
#include "basin/delta/row_changes.h"
#include "basin/delta/scan.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/vacuum.h"
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
                                              {"version", "timestamp", "columns", "format", "o",
                                               "files-where", "time-zone"},
                                              {}));
  ASSIGN_OR_RAISE(auto root, TablePath(args, "read"));
  ASSIGN_OR_RAISE(auto snapshot_options, TimeTravel(args));
  ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root, snapshot_options));
  delta::ScanOptions scan;
  if (args.Has("columns")) scan.columns = args.GetList("columns");
  scan.files_where = args.Get("files-where");
  if (auto zone = args.Get("time-zone")) {
    RETURN_NOT_OK(types::ZoneOffsetSeconds(0, *zone).status());  // INVALID_TIMEZONE up front
    scan.time_zone = *zone;
  }
  ASSIGN_OR_RAISE(auto table, delta::ReadSnapshot(snapshot, scan));
  const std::string format = args.Get("format").value_or("jsonl");
  if (format != "parquet") {
    // Variant values are shown as their JSON; parquet output keeps the binary struct.
    ASSIGN_OR_RAISE(table, VariantsAsJson(table, args.Get("time-zone").value_or("UTC")));
  }
  ASSIGN_OR_RAISE(auto out, OpenOutput(args.Get("o")));
  RETURN_NOT_OK(WriteRows(*table, format, out.get()));
  return out->Close();
}

// Reads the whole snapshot into Arrow and reports its size and the time taken, without
// converting the rows to an output format: the pure cost of a scan. With --repeat N the scan
// (snapshot load included) runs N times in this process; `seconds` is the median and
// `rep_seconds` lists each run, so a warm process can be compared with in-process peers.
Status Scan(const std::vector<std::string>& raw) {
  ASSIGN_OR_RAISE(auto args, Arguments::Parse("basin table scan", raw,
                                              {"version", "timestamp", "columns", "files-where",
                                               "repeat"},
                                              {}));
  ASSIGN_OR_RAISE(auto root, TablePath(args, "scan"));
  ASSIGN_OR_RAISE(auto repeat, args.GetInt("repeat"));
  const int64_t reps = repeat.value_or(1);
  if (reps < 1 || reps > 1000) {
    return UserError("INVALID_PARAMETER_VALUE", "--repeat must be between 1 and 1000.");
  }
  nlohmann::json report;
  std::vector<double> times;
  for (int64_t rep = 0; rep < reps; ++rep) {
    auto start = std::chrono::steady_clock::now();
    ASSIGN_OR_RAISE(auto snapshot_options, TimeTravel(args));
    ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root, snapshot_options));
    delta::ScanOptions scan;
    if (args.Has("columns")) scan.columns = args.GetList("columns");
    scan.files_where = args.Get("files-where");
    ASSIGN_OR_RAISE(auto table, delta::ReadSnapshot(snapshot, scan));
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    report = {{"version", snapshot->version()},
              {"rows", table->num_rows()},
              {"columns", table->num_columns()},
              {"bytes", arrow::util::TotalBufferSize(*table)}};
  }
  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  report["seconds"] = sorted[sorted.size() / 2];
  if (reps > 1) report["rep_seconds"] = times;
  std::cout << report.dump() << "\n";
  return Status::OK();
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

// Returns a history cell as text: strings as they are, other JSON compactly.
std::string CellText(const nlohmann::json& value) {
  if (value.is_null()) return "NULL";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

Status History(const std::vector<std::string>& raw) {
  ASSIGN_OR_RAISE(auto args,
                  Arguments::Parse("basin table history", raw, {"limit", "format"}, {}));
  ASSIGN_OR_RAISE(auto root, TablePath(args, "history"));
  ASSIGN_OR_RAISE(auto limit, args.GetInt("limit"));
  if (limit && *limit < 0) return UserError("INVALID_PARAMETER_VALUE", "--limit must not be negative.");
  const std::string format = args.Get("format").value_or("jsonl");
  if (format != "jsonl" && format != "table") {
    return UserError("INVALID_PARAMETER_VALUE",
                     "Unknown history format '" + format + "': use jsonl or table.");
  }
  ASSIGN_OR_RAISE(auto entries, delta::ReadHistory(root, limit));
  if (format == "jsonl") {
    for (const auto& entry : entries) std::cout << delta::HistoryRow(entry).dump() << "\n";
    return Status::OK();
  }
  const std::vector<std::string> headers = {"version", "timestamp", "operation",
                                            "operationParameters", "readVersion",
                                            "isBlindAppend", "operationMetrics", "engineInfo"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& entry : entries) {
    nlohmann::json row = delta::HistoryRow(entry);
    std::vector<std::string> cells;
    for (const auto& header : headers) {
      cells.push_back(row.contains(header) ? CellText(row[header]) : "NULL");
    }
    rows.push_back(std::move(cells));
  }
  std::cout << RenderCells(headers, rows);
  return Status::OK();
}

Status Detail(const std::vector<std::string>& raw) {
  ASSIGN_OR_RAISE(auto args, Arguments::Parse("basin table detail", raw, {}, {}));
  ASSIGN_OR_RAISE(auto root, TablePath(args, "detail"));
  ASSIGN_OR_RAISE(auto detail, delta::DescribeDetail(root));
  std::cout << detail.dump() << "\n";
  return Status::OK();
}

Status Restore(const std::vector<std::string>& raw) {
  ASSIGN_OR_RAISE(auto args,
                  Arguments::Parse("basin table restore", raw, {"version", "timestamp"}, {}));
  ASSIGN_OR_RAISE(auto root, TablePath(args, "restore"));
  ASSIGN_OR_RAISE(auto target, TimeTravel(args));
  if (!target.version && !target.timestamp_ms) {
    return UserError("INVALID_PARAMETER_VALUE",
                     "'basin table restore' needs --version N or --timestamp TS.");
  }
  delta::RestoreOptions options;
  options.version = target.version;
  options.timestamp_ms = target.timestamp_ms;
  ASSIGN_OR_RAISE(auto result, delta::RestoreTable(root, options));
  nlohmann::json out = {{"version", result.version},
                        {"restoredVersion", result.restored_version},
                        {"table_size_after_restore", result.table_size_after_restore},
                        {"num_of_files_after_restore", result.num_of_files_after_restore},
                        {"num_removed_files", result.num_removed_files},
                        {"num_restored_files", result.num_restored_files},
                        {"removed_files_size", result.removed_files_size},
                        {"restored_files_size", result.restored_files_size}};
  std::cout << out.dump() << "\n";
  return Status::OK();
}

Status Vacuum(const std::vector<std::string>& raw) {
  ASSIGN_OR_RAISE(auto args, Arguments::Parse("basin table vacuum", raw, {"retain-hours"},
                                              {"dry-run", "no-retention-check"}));
  ASSIGN_OR_RAISE(auto root, TablePath(args, "vacuum"));
  delta::VacuumOptions options;
  if (auto hours = args.Get("retain-hours")) {
    char* end = nullptr;
    double value = std::strtod(hours->c_str(), &end);
    if (hours->empty() || *end != '\0' || value < 0) {
      return UserError("INVALID_PARAMETER_VALUE",
                       "--retain-hours must be a non-negative number, got '" + *hours + "'.");
    }
    options.retention_hours = value;
  }
  options.dry_run = args.Has("dry-run");
  options.retention_check = !args.Has("no-retention-check");
  ASSIGN_OR_RAISE(auto result, delta::VacuumTable(root, options));
  if (options.dry_run) {
    std::cout << "Found " << result.files.size() << " files (" << result.bytes
              << " bytes) and directories in a total of " << root.path
              << " that are safe to delete.\n";
  } else {
    std::cout << "Deleted " << result.files.size() << " files (" << result.bytes
              << " bytes) and " << result.num_deleted_directories << " directories in "
              << root.path << ".\n";
  }
  for (const auto& file : result.files) std::cout << file << "\n";
  return Status::OK();
}

Status Delete(const std::vector<std::string>& raw) {
  ASSIGN_OR_RAISE(auto args, Arguments::Parse("basin table delete", raw, {"where"}, {}));
  ASSIGN_OR_RAISE(auto root, TablePath(args, "delete"));
  auto where = args.Get("where");
  if (!where) return UserError("INVALID_PARAMETER_VALUE", "'basin table delete' needs --where PRED.");
  ASSIGN_OR_RAISE(auto result, delta::DeleteWhere(root, *where));
  nlohmann::json out = {{"version", result.commit.version},
                        {"num_deleted_rows", result.deleted_rows},
                        {"operationMetrics", result.metrics}};
  std::cout << out.dump() << "\n";
  return Status::OK();
}

Status Changes(const std::vector<std::string>& raw) {
  ASSIGN_OR_RAISE(auto args, Arguments::Parse("basin table changes", raw,
                                              {"from-version", "to-version", "format", "o"}, {}));
  ASSIGN_OR_RAISE(auto root, TablePath(args, "changes"));
  ASSIGN_OR_RAISE(auto from, args.GetInt("from-version"));
  if (!from) return UserError("INVALID_PARAMETER_VALUE", "'basin table changes' needs --from-version N.");
  ASSIGN_OR_RAISE(auto to, args.GetInt("to-version"));
  ASSIGN_OR_RAISE(auto table, delta::ReadChanges(root, *from, to));
  ASSIGN_OR_RAISE(auto out, OpenOutput(args.Get("o")));
  RETURN_NOT_OK(WriteRows(*table, args.Get("format").value_or("jsonl"), out.get()));
  return out->Close();
}

}  // namespace

std::string TableUsage() {
  return "Usage: basin table <command> PATH [options]\n"
         "\n"
         "  read PATH [--version N | --timestamp TS] [--columns a,b] [--format jsonl|csv|parquet|table] [-o FILE]\n"
         "        [--files-where PRED]   (data skipping: read only files whose stats may match)\n"
         "        [--time-zone TZ]       (session time zone for zone-less timestamp partition values;\n"
         "                               UTC by default)\n"
         "  scan PATH [--version N | --timestamp TS] [--columns a,b] [--files-where PRED] [--repeat N]\n"
         "        (reads into memory and prints rows, bytes and seconds as JSON)\n"
         "  write PATH --from FILE(.parquet|.csv|.json) [--mode append|overwrite|error|ignore]\n"
         "        [--partition-by a,b] [--merge-schema] [--overwrite-schema] [--replace-where PRED]\n"
         "        [--property KEY=VALUE]... [--txn-app-id ID --txn-version N]\n"
         "  history PATH [--limit N] [--format jsonl|table]\n"
         "  detail PATH\n"
         "  restore PATH (--version N | --timestamp TS)\n"
         "  vacuum PATH [--retain-hours H] [--dry-run] [--no-retention-check]\n"
         "  delete PATH --where PRED   (deletion vectors when delta.enableDeletionVectors is set)\n"
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
  if (command == "scan") return Scan(rest);
  if (command == "write") return Write(rest);
  if (command == "history") return History(rest);
  if (command == "detail") return Detail(rest);
  if (command == "restore") return Restore(rest);
  if (command == "vacuum") return Vacuum(rest);
  if (command == "changes") return Changes(rest);
  if (command == "delete") return Delete(rest);
  return UserError("INVALID_PARAMETER_VALUE",
                   "Unknown table command '" + command + "'; see 'basin table --help'.");
}

}  // namespace basin::cli
