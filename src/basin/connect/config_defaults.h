#pragma once

// Spark's defaults for the configuration keys the PySpark Connect client reads (createDataFrame,
// toPandas, show, error handling), so that `spark.conf.get(key)` answers as Spark does. Values
// were read from Spark 4.2 in local mode with `spark.conf.get`.

#include <map>
#include <string>

namespace basin::connect {

/// Key -> Spark's default value.
const std::map<std::string, std::string>& ClientConfigDefaults();

/// Whether `key` may be changed at run time (SQL settings are; static ones are not).
bool IsModifiableConfig(const std::string& key);

}  // namespace basin::connect
