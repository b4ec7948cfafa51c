#pragma once

// Liquid clustering (PROTOCOL.md, "Clustered Table"): a table whose writer features include
// `clustering` records its clustering columns in the `delta.clustering` domain metadata, as
// {"clusteringColumns":[["a"],["b","c"]],"domainName":"delta.clustering"} with physical column
// paths (column mapping). OPTIMIZE clusters such a table by those columns instead of
// bin-packing; partitioning and ZORDER BY are not allowed with it.

#include <map>
#include <string>
#include <vector>

#include <arrow/type_fwd.h>

#include "basin/base/status.h"
#include "basin/delta/actions.h"
#include "basin/delta/snapshot.h"

namespace basin::delta {

/// The domain of the clustering domain metadata.
inline constexpr char kClusteringDomain[] = "delta.clustering";
/// The writer feature of clustered tables.
inline constexpr char kClusteringFeature[] = "clustering";
/// The clusteringProvider delta-spark writes on files that OPTIMIZE clustered.
inline constexpr char kLiquidClusteringProvider[] = "liquid";
/// Delta's limit on the number of clustering columns.
inline constexpr int kMaxClusteringColumns = 4;

/// Returns true if `protocol` has the clustering writer feature.
bool IsClusteredTable(const Protocol& protocol);

/// Returns the clustering columns of the table as stored in its `delta.clustering` domain
/// metadata: one physical column path per column. Empty when the table is not clustered (or
/// the domain was removed); malformed domain JSON gives DELTA_INVALID_LOG_ENTRY.
Result<std::vector<std::vector<std::string>>> ClusteringColumnPaths(const Snapshot& snapshot);

/// Returns the logical (top-level, or dotted for nested) names of the table's clustering
/// columns, resolving physical names through the schema's column mapping; empty when the table
/// is not clustered.
Result<std::vector<std::string>> ClusteringColumns(const Snapshot& snapshot);

/// Returns the `delta.clustering` domain metadata for clustering `schema` (the table's schema,
/// with column-mapping metadata when the table uses it) by the logical top-level columns
/// `columns`. Fails as delta-spark does: more than 4 columns
/// (DELTA_CLUSTER_BY_INVALID_NUM_COLUMNS), a missing column
/// (UNSUPPORTED_FEATURE.PARTITION_WITH_NESTED_COLUMN_IS_UNSUPPORTED), a column of a type without
/// data skipping: boolean, binary, map, array, struct
/// (DELTA_CLUSTERING_COLUMNS_DATATYPE_NOT_SUPPORTED).
Result<DomainMetadata> ClusteringDomainMetadata(const arrow::Schema& schema,
                                                const std::vector<std::string>& columns);

/// Returns `protocol` upgraded for clustering: writer version 7 with the legacy features its
/// writer version implied (appendOnly, invariants, ...) plus domainMetadata and clustering, as
/// delta-spark writes it. The reader version and reader features are kept.
Protocol ClusteringProtocol(const Protocol& protocol);

/// Returns the actions that `CREATE TABLE ... CLUSTER BY (columns)` commits besides its
/// metadata: the upgraded protocol (ClusteringProtocol of `protocol`) and the clustering domain
/// metadata. `metadata` is the new table's metadata; partition columns give
/// DELTA_CLUSTER_BY_WITH_PARTITIONED_BY, and a clustering column outside the statistics
/// columns (delta.dataSkippingNumIndexedCols / delta.dataSkippingStatsColumns) gives
/// DELTA_CLUSTERING_COLUMN_MISSING_STATS. The commitInfo of delta-spark's CREATE TABLE also
/// carries operationParameters.clusterBy, the JSON list of the columns.
Result<std::vector<Action>> ClusterByActions(const Protocol& protocol, const Metadata& metadata,
                                             const std::vector<std::string>& columns);

/// Returns the top-level logical columns of `schema` (excluding `partition_columns`) that get
/// statistics under the table's `configuration` (delta.dataSkippingStatsColumns, else the first
/// delta.dataSkippingNumIndexedCols leaf columns, default 32; -1 means all). A struct column is
/// listed when at least one of its leaves gets statistics.
std::vector<std::string> StatsCollectedColumns(
    const arrow::Schema& schema, const std::vector<std::string>& partition_columns,
    const std::map<std::string, std::string>& configuration);

}  // namespace basin::delta
