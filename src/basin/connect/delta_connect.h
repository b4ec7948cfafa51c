#pragma once

// Delta Connect: delta-spark's Python DeltaTable API sends its relations (scan, history,
// detail, delete, update, merge, restore, optimize, ...) and commands (vacuum, clone, create,
// ...) as extensions of Spark Connect messages (delta.connect.DeltaRelation / DeltaCommand).

#include <vector>

#include <google/protobuf/any.pb.h>

#include "basin/base/status.h"
#include "basin/connect/translator.h"
#include "spark/connect/base.pb.h"

namespace basin::connect {

/// A relation extension: a DeltaRelation becomes a query (actions such as delete or merge run
/// when translated and yield their metrics row, as delta-spark returns them).
Result<sql::QueryPtr> DeltaRelationQuery(const google::protobuf::Any& extension,
                                         PlanTranslator& translator);

/// A command extension: a DeltaCommand runs and yields its responses.
Result<std::vector<spark::connect::ExecutePlanResponse>> RunDeltaCommand(
    const google::protobuf::Any& extension, PlanTranslator& translator);

}  // namespace basin::connect
