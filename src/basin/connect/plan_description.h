#pragma once

// AnalyzePlan: what a client may ask about a plan without running it (schema, explain,
// printSchema's tree, is_local, input files, DDL parsing, semantic equality and hash,
// persist / unpersist / storage level) and the Spark version.

#include <functional>
#include <optional>
#include <string>

#include <arrow/api.h>

#include "basin/base/status.h"
#include "basin/connect/translator.h"
#include "spark/connect/base.pb.h"

namespace basin::connect {

/// Records (level set), removes (remove) or looks up (neither) the storage level of a persisted
/// relation; returns its level, or nullopt when it is not persisted.
using PersistCallback = std::function<std::optional<spark::connect::StorageLevel>(
    const spark::connect::Relation& relation, const spark::connect::StorageLevel* level,
    bool remove)>;

/// Answers one AnalyzePlan request.
Status AnalyzeRequest(const spark::connect::AnalyzePlanRequest& request,
                      TranslationContext context, spark::connect::AnalyzePlanResponse* response,
                      const PersistCallback& persist);

/// printSchema's text for `schema`: "root\n |-- id: long (nullable = false)\n"...; nested
/// levels deeper than `level` are left out when `level` > 0.
std::string SchemaTreeString(const arrow::Schema& schema, int level = 0);

/// A schema as Spark's StructType.toDDL writes it: "id BIGINT NOT NULL,name STRING".
std::string SchemaToDdl(const arrow::Schema& schema);

}  // namespace basin::connect
