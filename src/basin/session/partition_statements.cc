// Partition statements: ALTER TABLE ... ADD / DROP PARTITION, ALTER TABLE ... RECOVER PARTITIONS,
// MSCK REPAIR TABLE and SHOW PARTITIONS, as Spark runs them for data source tables in its
// session catalog (the metastore lists a file table's partitions; see file_table.h) and as
// delta-spark answers them for Delta tables.

#include <filesystem>

#include "basin/delta/snapshot.h"
#include "basin/format/partition_path.h"
#include "basin/session/file_table.h"
#include "basin/session/session.h"
#include "basin/session/session_internal.h"
#include "basin/session/statement_words.h"
#include "basin/types/schema_json.h"

namespace basin::session {
namespace {

// One `name = value` of a PARTITION (...) clause: the value's text, nullopt for NULL.
struct SpecItem {
  std::string name;
  std::optional<std::string> value;
};
using Spec = std::vector<SpecItem>;

bool IsNumberWord(const std::string& w) {
  return !w.empty() && (std::isdigit(static_cast<unsigned char>(w[0])) || w[0] == '.');
}

// Parses `( name = literal [, ...] )` as Spark's partitionSpec.
Result<Spec> ParseSpec(StatementWords& w) {
  RETURN_NOT_OK(w.Expect("("));
  Spec spec;
  do {
    ASSIGN_OR_RAISE(auto name, w.Name());
    if (name.size() != 1) return w.SyntaxError();
    SpecItem item{name[0], std::nullopt};
    if (!w.Accept("=")) {
      if (w.At(",") || w.At(")")) {
        return UserError("INVALID_SQL_SYNTAX.EMPTY_PARTITION_VALUE",
                         "Invalid SQL syntax: Partition key `" + item.name + "` must set value.");
      }
      return w.SyntaxError();
    }
    const std::string next = w.Peek();
    if (!next.empty() && (next[0] == '\'' || next[0] == '"')) {
      ASSIGN_OR_RAISE(auto text, w.String());
      item.value = text;
    } else if (w.Accept("NULL")) {
      item.value.reset();
    } else if ((w.At("DATE") || w.At("TIMESTAMP") || w.At("TIMESTAMP_NTZ") ||
                w.At("TIMESTAMP_LTZ")) &&
               !w.Peek(1).empty() && (w.Peek(1)[0] == '\'' || w.Peek(1)[0] == '"')) {
      w.Next();
      ASSIGN_OR_RAISE(auto text, w.String());
      item.value = text;
    } else if (w.At("TRUE") || w.At("FALSE")) {
      item.value = Lower(w.Next());
    } else if (w.At("-") && IsNumberWord(w.Peek(1))) {
      w.Next();
      item.value = "-" + w.Next();
    } else if (IsNumberWord(next)) {
      item.value = w.Next();
    } else {
      return w.SyntaxError();
    }
    for (const auto& seen : spec) {
      if (Lower(seen.name) == Lower(item.name)) {
        return UserError("DUPLICATE_KEY", "Found duplicate keys `" + item.name + "`.");
      }
    }
    spec.push_back(std::move(item));
  } while (w.Accept(","));
  RETURN_NOT_OK(w.Expect(")"));
  return spec;
}

// `schema`.`table`, as Spark names a session-catalog table in partition errors.
std::string ShortName(const TableName& name) { return "`" + name.schema + "`.`" + name.name + "`"; }

// "PARTITION (`d` = 1, `p` = x)" for partition errors.
std::string SpecText(const std::vector<std::string>& columns,
                     const std::vector<std::optional<std::string>>& values) {
  std::string out = "PARTITION (";
  for (size_t i = 0; i < columns.size() && i < values.size(); ++i) {
    out += (i ? ", `" : "`") + columns[i] + "` = " + values[i].value_or("null");
  }
  return out + ")";
}

Status NotInMetastoreError(const std::string& action, const std::string& table) {
  return UserError("_LEGACY_ERROR_TEMP_1251",
                   action + " is not allowed on " + table +
                       " since its partition metadata is not stored in the Hive metastore. To "
                       "import this information into the metastore, run `msck repair table " +
                       table + "`.");
}

Status ViewError(const std::string& command, const TableName& name) {
  return UserError("EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE",
                   "'" + command + "' expects a table but " + name.Quoted() + " is a view. ");
}

// Returns the SQL text of a string literal holding `text`.
std::string StringLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

// Casts a spec value to its column's type and back to text, as Spark normalizes partition specs
// (d = '05' is d = 5; a value that does not cast fails with CAST_INVALID_INPUT).
Result<std::optional<std::string>> Session::PartitionSpecValue(
    const std::optional<std::string>& value, const arrow::DataType& type) {
  if (!value || type.id() == arrow::Type::STRING) return value;
  ASSIGN_OR_RAISE(auto table, Sql("SELECT CAST(" + StringLiteral(*value) + " AS " +
                                  types::SparkTypeName(type) + ")"));
  ASSIGN_OR_RAISE(auto scalar, table->column(0)->GetScalar(0));
  return PartitionValueText(*scalar, ExecutionOptions().eval);
}

Result<StatementResult> Session::PartitionStatement(const std::string& command,
                                                    const std::vector<std::string>& name,
                                                    StatementWords& w, StatementResult result) {
  ASSIGN_OR_RAISE(auto table, GetTable(name, /*table_only=*/false));
  if (table.is_view) return ViewError(command, table.name);
  const bool show = command == "SHOW PARTITIONS";
  const bool repair =
      command == "MSCK REPAIR TABLE" || command == "ALTER TABLE ... RECOVER PARTITIONS";
  const bool add = command == "ALTER TABLE ... ADD PARTITION ...";
  const bool truncate = command == "TRUNCATE TABLE";
  // What follows the table name.
  bool if_exists = false;
  std::vector<std::pair<Spec, std::optional<std::string>>> specs;  // with ADD's LOCATION
  bool repair_add = true, repair_drop = false;
  if (show || truncate) {
    if (w.Accept("PARTITION")) {
      ASSIGN_OR_RAISE(auto spec, ParseSpec(w));
      specs.emplace_back(std::move(spec), std::nullopt);
    }
  } else if (repair) {
    if (command == "MSCK REPAIR TABLE") {
      if (w.Accept("DROP")) {
        repair_add = false;
        repair_drop = true;
      } else if (w.Accept("SYNC")) {
        repair_drop = true;
      } else {
        w.Accept("ADD");
      }
      if (repair_drop || w.At("PARTITIONS")) RETURN_NOT_OK(w.Expect("PARTITIONS"));
    }
  } else {
    if_exists = add ? w.AcceptAll({"IF", "NOT", "EXISTS"}) : w.AcceptAll({"IF", "EXISTS"});
    do {
      RETURN_NOT_OK(w.Expect("PARTITION"));
      ASSIGN_OR_RAISE(auto spec, ParseSpec(w));
      std::optional<std::string> location;
      if (add && w.Accept("LOCATION")) {
        ASSIGN_OR_RAISE(auto text, w.String());
        location = text;
      }
      specs.emplace_back(std::move(spec), std::move(location));
    } while (add ? w.At("PARTITION") : w.Accept(","));
    if (!add) w.Accept("PURGE");
  }
  RETURN_NOT_OK(w.ExpectEnd());

  if (table.format == "delta") {
    if (repair) {
      return UserError("NOT_SUPPORTED_COMMAND_FOR_V2_TABLE",
                       command + " is not supported for v2 tables.");
    }
    if (!show) {
      return UserError("INVALID_PARTITION_OPERATION.PARTITION_MANAGEMENT_IS_UNSUPPORTED",
                       "The partition command is invalid. Table " + table.name.Quoted() +
                           " does not support partition management.");
    }
    // delta-spark lists the distinct partition values of the live files.
    ASSIGN_OR_RAISE(auto root, io::ResolveLocation(table.location));
    ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root));
    const auto& columns = snapshot->metadata().partition_columns;
    if (columns.empty()) {
      return UserError("DELTA_SHOW_PARTITION_IN_NON_PARTITIONED_TABLE",
                       "SHOW PARTITIONS is not allowed on a table that is not partitioned: " +
                           table.name.catalog + "." + table.name.schema + "." + table.name.name);
    }
    std::string select, where;
    for (const auto& c : columns) select += (select.empty() ? "`" : ", `") + c + "`";
    if (!specs.empty()) {
      std::string unknown;
      for (const auto& item : specs[0].first) {
        if (std::find(columns.begin(), columns.end(), item.name) == columns.end()) {
          unknown += (unknown.empty() ? "" : ", ") + item.name;
        }
      }
      if (!unknown.empty()) {
        return UserError(
            "DELTA_SHOW_PARTITION_IN_NON_PARTITIONED_COLUMN",
            "Non-partitioning column(s) [" + unknown + "] are specified for SHOW PARTITIONS");
      }
      for (const auto& item : specs[0].first) {
        auto field = snapshot->schema()->GetFieldByName(item.name);
        std::string type = field ? types::SparkTypeName(*field->type()) : "string";
        where += std::string(where.empty() ? " WHERE " : " AND ") + "`" + item.name + "` <=> " +
                 (item.value ? "CAST(" + StringLiteral(*item.value) + " AS " + type + ")"
                             : std::string("NULL"));
      }
    }
    std::string quoted =
        "`" + table.name.catalog + "`.`" + table.name.schema + "`.`" + table.name.name + "`";
    ASSIGN_OR_RAISE(result.table, Sql("SELECT DISTINCT " + select + " FROM " + quoted + where));
    return result;
  }

  if (!table.info) return InternalError("a file table without a catalog entry");
  const auto columns = FileTablePartitionColumns(table.info->properties);
  ASSIGN_OR_RAISE(auto schema, types::SchemaFromDeltaJson(table.info->view_schema_json));
  if (truncate) {
    if (table.info->type == catalog::TableType::kExternal) {
      return UserError(
          "CANNOT_TRUNCATE_EXTERNAL_TABLE",
          "Operation not allowed: TRUNCATE TABLE on external tables: " + table.name.Quoted() + ".");
    }
    if (!specs.empty() && columns.empty()) {
      return UserError("_LEGACY_ERROR_TEMP_1267",
                       "Operation not allowed: TRUNCATE TABLE ... PARTITION is not supported for "
                       "tables that are not partitioned: " +
                           table.name.Quoted() + ".");
    }
    if (!specs.empty() && !FileTablePartitionsInCatalog(table.info->properties)) {
      return NotInMetastoreError("TRUNCATE TABLE ... PARTITION", table.name.name);
    }
  }
  if (columns.empty() && (show || repair)) {
    if (show) {
      return UserError("INVALID_PARTITION_OPERATION.PARTITION_SCHEMA_IS_EMPTY",
                       "The partition command is invalid. Table " + table.name.Quoted() +
                           " is not partitioned.");
    }
    return UserError(
        "NOT_A_PARTITIONED_TABLE",
        "Operation " +
            (command == "MSCK REPAIR TABLE" ? command
                                            : std::string("ALTER TABLE RECOVER PARTITIONS")) +
            " is not allowed for " + table.name.Quoted() +
            " because it is not a partitioned table.");
  }
  ASSIGN_OR_RAISE(auto* store, Metastore());
  catalog::TableInfo info = *table.info;
  ASSIGN_OR_RAISE(auto root, io::ResolveLocation(table.location));

  if (repair) {
    // Lists the folders found and, with DROP / SYNC, unlists partitions whose folder is gone.
    const bool listed = FileTablePartitionsInCatalog(info.properties);
    if (repair_drop && listed) {
      for (const auto& partition : FileTablePartitions(info.properties)) {
        io::Location folder = root.Child(partition.folder);
        if (!partition.location.empty()) {
          ASSIGN_OR_RAISE(folder, io::ResolveLocation(partition.location));
        }
        ASSIGN_OR_RAISE(bool exists, io::Exists(folder));
        if (!exists) RemoveFileTablePartition(partition.folder, &info.properties);
      }
    }
    if (repair_add) {
      ASSIGN_OR_RAISE(auto found, FindPartitionFolders(root, columns));
      auto known = FileTablePartitions(info.properties);
      for (auto partition : found) {
        if (!partition.location.empty()) {
          partition.location = table.location + "/" + partition.location;
        }
        bool seen = false;
        for (const auto& p : known) seen = seen || p.folder == partition.folder;
        if (!seen) AddFileTablePartition(partition, &info.properties);
      }
    }
    SetFileTablePartitionsInCatalog(&info.properties);
    RETURN_NOT_OK(store->AlterTable(info));
    InvalidateCache();
    return result;
  }

  if (truncate && (columns.empty() || !FileTablePartitionsInCatalog(info.properties))) {
    // The table's folder is emptied (kept).
    RETURN_NOT_OK(root.fs->DeleteDirContents(root.path, /*missing_dir_ok=*/true));
    InvalidateCache();
    return result;
  }
  if (!FileTablePartitionsInCatalog(info.properties) || columns.empty()) {
    std::string action = show  ? "SHOW PARTITIONS"
                         : add ? "ALTER TABLE ADD PARTITION"
                               : "ALTER TABLE DROP PARTITION";
    return NotInMetastoreError(action, table.name.name);
  }

  // Each spec as the values of the partition columns in table order (nullopt: not given, or
  // null when `given`), normalized to the columns' types.
  struct Resolved {
    std::vector<std::optional<std::string>> values;
    std::vector<bool> given;
    std::optional<std::string> location;
  };
  std::vector<Resolved> resolved;
  for (const auto& [spec, location] : specs) {
    Resolved r;
    r.values.resize(columns.size());
    r.given.resize(columns.size(), false);
    r.location = location;
    for (const auto& item : spec) {
      size_t i = 0;
      while (i < columns.size() && Lower(columns[i]) != Lower(item.name)) ++i;
      if (i == columns.size()) {
        return UserError("PARTITIONS_NOT_FOUND", "The partition(s) `" + item.name +
                                                     "` cannot be found in table " +
                                                     table.name.Quoted() + ".");
      }
      auto field = schema->GetFieldByName(columns[i]);
      if (!field) return InternalError("partition column " + columns[i] + " is not in the schema");
      ASSIGN_OR_RAISE(r.values[i], PartitionSpecValue(item.value, *field->type()));
      r.given[i] = true;
    }
    if (add) {
      if (spec.size() != columns.size()) {
        std::string given, declared;
        for (const auto& item : spec) given += (given.empty() ? "" : ", ") + item.name;
        for (const auto& c : columns) declared += (declared.empty() ? "" : ", ") + c;
        return UserError("_LEGACY_ERROR_TEMP_1232",
                         "Partition spec is invalid. The spec (" + given +
                             ") must match the partition spec (" + declared +
                             ") defined in table '" + table.name.Quoted() + "'.");
      }
      for (const auto& item : spec) {
        if (item.value && item.value->empty()) {
          std::string text;
          for (const auto& it : spec) {
            text += (text.empty() ? "" : ", ") + it.name + "=" + it.value.value_or("null");
          }
          return UserError("_LEGACY_ERROR_TEMP_1076", "Partition spec is invalid. The spec ([" +
                                                          text +
                                                          "]) contains an empty partition "
                                                          "column value.");
        }
      }
    }
    resolved.push_back(std::move(r));
  }
  const auto listed = FileTablePartitions(info.properties);
  auto is_listed = [&](const std::string& folder) {
    for (const auto& p : listed) {
      if (p.folder == folder) return true;
    }
    return false;
  };
  auto folder_of = [&](const Resolved& r) {
    std::vector<std::optional<std::string>> values = r.values;
    for (auto& v : values) {
      if (v && v->empty()) v.reset();
    }
    return format::PartitionFolder(columns, values);
  };

  if (show || truncate) {
    // The listed partitions the spec matches (all without one): shown, or emptied.
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : listed) {
      bool match = true;
      if (!resolved.empty()) {
        auto values = PartitionFolderValues(p.folder);
        for (size_t i = 0; i < columns.size(); ++i) {
          if (!resolved[0].given[i]) continue;
          std::optional<std::string> want = resolved[0].values[i];
          if (want && want->empty()) want.reset();
          for (const auto& [n, v] : values) {
            if (Lower(n) == Lower(columns[i]) && v != want) match = false;
          }
        }
      }
      if (!match) continue;
      rows.push_back({p.folder});
      if (truncate) {
        io::Location dir = root.Child(p.folder);
        if (!p.location.empty()) {
          ASSIGN_OR_RAISE(dir, io::ResolveLocation(p.location));
        }
        RETURN_NOT_OK(dir.fs->DeleteDirContents(dir.path, /*missing_dir_ok=*/true));
      }
    }
    if (truncate) {
      InvalidateCache();
      return result;
    }
    result.table = StringTable({"partition"}, rows);
    return result;
  }

  if (add) {
    std::string existing;
    for (const auto& r : resolved) {
      if (is_listed(folder_of(r))) {
        existing += (existing.empty() ? "" : ", ") + SpecText(columns, r.values);
      }
    }
    if (!existing.empty() && !if_exists) {
      return UserError("PARTITIONS_ALREADY_EXIST",
                       "Cannot ADD or RENAME TO partition(s) " + existing + " in table " +
                           ShortName(table.name) +
                           " because they already exist.\nChoose a different name, drop the "
                           "existing partition, or add the IF NOT EXISTS clause to tolerate a "
                           "pre-existing partition.");
    }
    for (const auto& r : resolved) {
      const std::string folder = folder_of(r);
      if (is_listed(folder)) continue;
      FileTablePartition partition{folder, ""};
      io::Location dir = root.Child(folder);
      if (r.location) {
        partition.location = *r.location;
        if (partition.location.find("://") == std::string::npos &&
            partition.location.rfind("file:", 0) != 0) {
          partition.location = std::filesystem::absolute(partition.location).lexically_normal();
        }
        ASSIGN_OR_RAISE(dir, io::ResolveLocation(partition.location));
      }
      // Spark makes the partition's folder.
      RETURN_NOT_OK(dir.fs->CreateDir(dir.path, /*recursive=*/true));
      AddFileTablePartition(partition, &info.properties);
    }
    RETURN_NOT_OK(store->AlterTable(info));
    InvalidateCache();
    return result;
  }

  // DROP: a spec names one partition exactly (the session catalog has no partial match).
  std::string missing;
  std::vector<std::string> folders;
  for (const auto& r : resolved) {
    bool complete = std::all_of(r.given.begin(), r.given.end(), [](bool g) { return g; });
    std::string folder = complete ? folder_of(r) : std::string();
    if (complete && is_listed(folder)) {
      folders.push_back(folder);
      continue;
    }
    std::vector<std::string> names;
    std::vector<std::optional<std::string>> values;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (!r.given[i]) continue;
      names.push_back(columns[i]);
      values.push_back(r.values[i]);
    }
    missing += (missing.empty() ? "" : ", ") + SpecText(names, values);
  }
  if (!missing.empty() && !if_exists) {
    return UserError("PARTITIONS_NOT_FOUND",
                     "The partition(s) " + missing + " cannot be found in table " +
                         ShortName(table.name) +
                         ".\nVerify the partition specification and table name.\nTo tolerate "
                         "the error on drop use ALTER TABLE … DROP IF EXISTS PARTITION.");
  }
  for (const auto& folder : folders) {
    std::string location;
    for (const auto& p : listed) {
      if (p.folder == folder) location = p.location;
    }
    if (!RemoveFileTablePartition(folder, &info.properties)) continue;
    // A managed table's partition data goes with it; an external table keeps its files.
    if (info.type == catalog::TableType::kManaged) {
      io::Location dir = root.Child(folder);
      if (!location.empty()) {
        ASSIGN_OR_RAISE(dir, io::ResolveLocation(location));
      }
      ASSIGN_OR_RAISE(bool exists, io::Exists(dir));
      if (exists) RETURN_NOT_OK(dir.fs->DeleteDir(dir.path));
    }
  }
  RETURN_NOT_OK(store->AlterTable(info));
  InvalidateCache();
  return result;
}

}  // namespace basin::session
