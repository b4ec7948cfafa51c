#pragma once

// Connect commands: spark.sql (SqlCommand), DataFrame writes (WriteOperation and the writeTo
// API's WriteOperationV2), createTempView (CreateDataFrameViewCommand) and Delta Connect's
// commands. A command runs eagerly, in the translator's session, and yields the responses to
// stream back before ResultComplete.

#include <vector>

#include "basin/base/status.h"
#include "basin/connect/translator.h"
#include "spark/connect/base.pb.h"
#include "spark/connect/commands.pb.h"

namespace basin::connect {

/// Runs `command`; returns its responses (ids and ResultComplete are added by the service).
/// Commands Basin does not have (Python UDF registration, streaming, ML) fail with
/// UNSUPPORTED_FEATURE naming what is missing.
Result<std::vector<spark::connect::ExecutePlanResponse>> RunCommand(
    const spark::connect::Command& command, PlanTranslator& translator);

}  // namespace basin::connect
