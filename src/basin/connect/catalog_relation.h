#pragma once

// spark.catalog.*: the Catalog relation. Each call runs against the session's metastore when
// the relation is translated, and its rows become a relation with the columns the PySpark client
// reads (e.g. listTables: name, catalog, namespace, description, tableType, isTemporary).

#include "basin/base/status.h"
#include "basin/connect/translator.h"
#include "spark/connect/catalog.pb.h"

namespace basin::connect {

Result<sql::QueryPtr> CatalogQuery(const spark::connect::Catalog& catalog,
                                   PlanTranslator& translator);

}  // namespace basin::connect
