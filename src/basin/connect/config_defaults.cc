#include "basin/connect/config_defaults.h"

namespace basin::connect {

const std::map<std::string, std::string>& ClientConfigDefaults() {
  static const auto* defaults = new std::map<std::string, std::string>{
      {"spark.sql.execution.arrow.useLargeVarTypes", "false"},
      {"spark.sql.timestampType", "TIMESTAMP_LTZ"},
      {"spark.sql.execution.pandas.inferPandasDictAsMap", "false"},
      {"spark.sql.execution.pandas.convertToArrowArraySafely", "true"},
      {"spark.sql.execution.arrow.pyspark.selfDestruct.enabled", "false"},
      {"spark.sql.session.localRelationSizeLimit", "3221225472"},
      {"spark.sql.session.localRelationChunkSizeRows", "10000"},
      {"spark.sql.session.localRelationChunkSizeBytes", "16777216"},
      {"spark.sql.session.localRelationCacheThreshold", "1048576"},
      {"spark.sql.session.localRelationBatchOfChunksSizeBytes", "1073741824"},
      {"spark.sql.repl.eagerEval.truncate", "20"},
      {"spark.sql.repl.eagerEval.maxNumRows", "20"},
      {"spark.sql.repl.eagerEval.enabled", "false"},
      {"spark.sql.pyspark.legacy.inferMapTypeFromFirstPair.enabled", "false"},
      {"spark.sql.pyspark.legacy.inferArrayTypeFromFirstElement.enabled", "false"},
      {"spark.sql.pyspark.inferNestedDictAsStruct.enabled", "false"},
      {"spark.sql.execution.pandas.structHandlingMode", "legacy"},
      {"spark.sql.execution.arrow.pyspark.fallback.enabled", "true"},
      {"spark.sql.execution.arrow.pyspark.enabled", "true"},
      {"spark.sql.pyspark.jvmStacktrace.enabled", "false"},
      {"spark.sql.connect.serverStacktrace.enabled", "false"},
      {"spark.sql.execution.pythonUDTF.arrow.enabled", "true"},
      {"spark.sql.execution.pythonUDF.arrow.enabled", "true"},
      {"spark.sql.execution.pyspark.binaryAsBytes", "true"},
      {"spark.sql.execution.arrow.maxRecordsPerBatch", "10000"},
      {"spark.sql.artifact.isolation.enabled", "false"},
      {"spark.sql.artifact.isolation.alwaysApplyClassloader", "false"},
      {"spark.sql.execution.pandas.udf.buffer.size", "65536"},
      {"spark.sql.execution.arrow.enabled", "true"},
      {"spark.sql.legacy.timeParserPolicy", "CORRECTED"},
      {"spark.sql.sources.default", "parquet"},
      {"spark.sql.sources.partitionOverwriteMode", "STATIC"},
      {"spark.sql.catalogImplementation", "in-memory"},
      {"spark.sql.adaptive.enabled", "true"},
      {"spark.sql.autoBroadcastJoinThreshold", "10485760b"},
      {"spark.sql.files.maxPartitionBytes", "134217728b"},
      {"spark.sql.pivotMaxValues", "10000"},
      {"spark.sql.execution.arrow.pyspark.validateSchema.enabled", "false"},
      {"spark.app.name", "Basin"},
      {"spark.master", "local[*]"},
  };
  return *defaults;
}

bool IsModifiableConfig(const std::string& key) {
  static const char* kStatic[] = {"spark.sql.warehouse.dir", "spark.sql.catalogImplementation",
                                  "spark.sql.artifact.isolation.enabled"};
  for (const char* s : kStatic) {
    if (key == s) return false;
  }
  return key.rfind("spark.sql.", 0) == 0 || key.rfind("basin.", 0) == 0 ||
         key.rfind("spark.databricks.", 0) == 0;
}

}  // namespace basin::connect
