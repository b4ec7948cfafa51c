#include "basin/catalog/metastore.h"

#include "basin/catalog/sql_metastore.h"

namespace basin::catalog {

const char* TableTypeName(TableType type) {
  switch (type) {
    case TableType::kManaged:
      return "MANAGED";
    case TableType::kExternal:
      return "EXTERNAL";
    case TableType::kView:
      return "VIEW";
  }
  return "MANAGED";
}

Result<std::unique_ptr<Metastore>> OpenMetastore(const std::string& warehouse,
                                                 const std::string& connection) {
  std::unique_ptr<SqlDatabase> db;
  if (connection.empty()) {
    ASSIGN_OR_RAISE(db, OpenSqliteDatabase(warehouse));
  } else {
    ASSIGN_OR_RAISE(db, OpenPostgresDatabase(connection));
  }
  return OpenSqlMetastore(std::move(db));
}

}  // namespace basin::catalog
