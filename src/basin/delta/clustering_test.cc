#include "basin/delta/clustering.h"

#include <stdlib.h>

#include <filesystem>

#include <arrow/api.h>
#include <arrow/util/key_value_metadata.h>
#include <gtest/gtest.h>

#include "basin/delta/optimize.h"
#include "basin/delta/scan.h"
#include "basin/delta/transaction.h"
#include "basin/delta/write.h"
#include "basin/types/schema_json.h"

namespace basin::delta {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/basin-clustering-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  io::Location Table() const { return *io::ResolveLocation(dir_ + "/t"); }

 private:
  std::string dir_;
};

std::shared_ptr<arrow::Schema> AbcSchema() {
  return arrow::schema({arrow::field("a", arrow::int64()), arrow::field("b", arrow::utf8()),
                        arrow::field("c", arrow::int64())});
}

Metadata NewMetadata(const arrow::Schema& schema) {
  Metadata metadata;
  metadata.id = NewUuid();
  metadata.schema_string = *types::SchemaToDeltaJson(schema);
  metadata.created_time = NowMs();
  return metadata;
}

// Creates the table as CREATE TABLE t (a BIGINT, b STRING, c BIGINT) CLUSTER BY (a, b) would.
void CreateClustered(const io::Location& root, std::vector<std::string> columns) {
  auto txn = Transaction::Begin(root);
  ASSERT_TRUE(txn.ok()) << txn.status().ToString();
  Metadata metadata = NewMetadata(*AbcSchema());
  auto actions = ClusterByActions(Protocol{}, metadata, columns);
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  txn->UpdateMetadata(metadata);
  for (auto& action : *actions) {
    if (auto* protocol = std::get_if<Protocol>(&action)) {
      txn->UpdateProtocol(*protocol);
    } else {
      txn->AddAction(action);
    }
  }
  auto committed = txn->Commit("CREATE TABLE", {{"clusterBy", nlohmann::json(columns).dump()}}, {});
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
}

void AppendRows(const io::Location& root, int64_t from, int64_t n) {
  arrow::Int64Builder a, c;
  arrow::StringBuilder b;
  for (int64_t i = from; i < from + n; ++i) {
    ASSERT_TRUE(a.Append(i).ok());
    ASSERT_TRUE(b.Append(std::string(1, static_cast<char>('a' + i % 26))).ok());
    ASSERT_TRUE(c.Append(i * 10).ok());
  }
  auto data = arrow::Table::Make(
      AbcSchema(), {a.Finish().ValueOrDie(), b.Finish().ValueOrDie(), c.Finish().ValueOrDie()});
  WriteOptions options;
  options.mode = SaveMode::kAppend;
  auto r = WriteTable(root, data, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

std::string ErrorOf(const Status& status) {
  auto error_class = ErrorClassOf(status);
  return error_class ? *error_class : status.ToString();
}

TEST(ClusteringTest, CreateClusteredTableRoundTripsDomainMetadata) {
  TempDir dir;
  auto root = dir.Table();
  CreateClustered(root, {"a", "b"});
  auto snapshot = Snapshot::Load(root).ValueOrDie();
  const auto& protocol = snapshot->protocol();
  EXPECT_EQ(protocol.min_reader_version, 1);
  EXPECT_EQ(protocol.min_writer_version, 7);
  EXPECT_TRUE(protocol.HasWriterFeature("clustering"));
  EXPECT_TRUE(protocol.HasWriterFeature("domainMetadata"));
  EXPECT_TRUE(protocol.HasWriterFeature("appendOnly"));
  EXPECT_TRUE(protocol.HasWriterFeature("invariants"));
  EXPECT_TRUE(IsClusteredTable(protocol));
  auto domain = snapshot->domain_metadata().at(kClusteringDomain);
  EXPECT_EQ(domain.configuration,
            R"({"clusteringColumns":[["a"],["b"]],"domainName":"delta.clustering"})");
  auto columns = ClusteringColumns(*snapshot);
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  EXPECT_EQ(*columns, (std::vector<std::string>{"a", "b"}));
}

TEST(ClusteringTest, ColumnMappingStoresPhysicalNames) {
  auto meta = [](const std::string& id, const std::string& physical) {
    return arrow::key_value_metadata({types::kColumnMappingId, types::kPhysicalName},
                                     {id, physical});
  };
  auto schema = arrow::schema({arrow::field("a", arrow::int64(), true, meta("1", "col-1111")),
                               arrow::field("b", arrow::utf8(), true, meta("2", "col-2222"))});
  auto domain = ClusteringDomainMetadata(*schema, {"B"});
  ASSERT_TRUE(domain.ok()) << domain.status().ToString();
  EXPECT_EQ(domain->configuration,
            R"({"clusteringColumns":[["col-2222"]],"domainName":"delta.clustering"})");

  TempDir dir;
  auto root = dir.Table();
  auto txn = Transaction::Begin(root).ValueOrDie();
  Metadata metadata = NewMetadata(*schema);
  metadata.configuration["delta.columnMapping.mode"] = "name";
  metadata.configuration["delta.columnMapping.maxColumnId"] = "2";
  Protocol protocol;
  protocol.min_reader_version = 2;
  protocol.min_writer_version = 5;
  auto actions = ClusterByActions(protocol, metadata, {"b"});
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  txn.UpdateMetadata(metadata);
  for (auto& action : *actions) {
    if (auto* p = std::get_if<Protocol>(&action)) {
      EXPECT_EQ(p->min_reader_version, 2);
      EXPECT_TRUE(p->HasWriterFeature("columnMapping"));
      txn.UpdateProtocol(*p);
    } else {
      txn.AddAction(action);
    }
  }
  ASSERT_TRUE(txn.Commit("CREATE TABLE", {}, {}).ok());
  auto snapshot = Snapshot::Load(root).ValueOrDie();
  auto paths = ClusteringColumnPaths(*snapshot).ValueOrDie();
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0], (std::vector<std::string>{"col-2222"}));
  EXPECT_EQ(ClusteringColumns(*snapshot).ValueOrDie(), (std::vector<std::string>{"b"}));
}

TEST(ClusteringTest, ClusterByIsValidatedAsDeltaSpark) {
  auto five = arrow::schema({arrow::field("a", arrow::int32()), arrow::field("b", arrow::int32()),
                             arrow::field("c", arrow::int32()), arrow::field("d", arrow::int32()),
                             arrow::field("e", arrow::int32())});
  EXPECT_EQ(ErrorOf(ClusterByActions({}, NewMetadata(*five), {"a", "b", "c", "d", "e"}).status()),
            "DELTA_CLUSTER_BY_INVALID_NUM_COLUMNS");
  EXPECT_EQ(ErrorOf(ClusterByActions({}, NewMetadata(*five), {"zz"}).status()),
            "UNSUPPORTED_FEATURE.PARTITION_WITH_NESTED_COLUMN_IS_UNSUPPORTED");
  auto with_map = arrow::schema({arrow::field("a", arrow::int32()),
                                 arrow::field("m", arrow::map(arrow::int32(), arrow::int32()))});
  EXPECT_EQ(ErrorOf(ClusterByActions({}, NewMetadata(*with_map), {"m"}).status()),
            "DELTA_CLUSTERING_COLUMNS_DATATYPE_NOT_SUPPORTED");
  Metadata partitioned = NewMetadata(*five);
  partitioned.partition_columns = {"a"};
  EXPECT_EQ(ErrorOf(ClusterByActions({}, partitioned, {"b"}).status()),
            "DELTA_CLUSTER_BY_WITH_PARTITIONED_BY");
  Metadata few_stats = NewMetadata(*five);
  few_stats.configuration["delta.dataSkippingNumIndexedCols"] = "1";
  auto missing_stats = ClusterByActions({}, few_stats, {"c"});
  EXPECT_EQ(ErrorOf(missing_stats.status()), "DELTA_CLUSTERING_COLUMN_MISSING_STATS");
  EXPECT_NE(missing_stats.status().message().find(
                "Couldn't find clustering column(s) 'c' in stats schema:\nroot\n |-- a: integer "
                "(nullable = true)"),
            std::string::npos)
      << missing_stats.status().message();
  EXPECT_TRUE(ClusterByActions({}, few_stats, {"a"}).ok());
}

TEST(ClusteringTest, OptimizeClustersNewFilesOnce) {
  TempDir dir;
  auto root = dir.Table();
  CreateClustered(root, {"a", "b"});
  for (int i = 0; i < 3; ++i) AppendRows(root, i * 10, 10);

  auto r = Optimize(root, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->version.has_value());
  EXPECT_EQ(r->metrics["numFilesRemoved"], 3);
  EXPECT_EQ(r->metrics["numFilesAdded"], 1);
  ASSERT_TRUE(r->metrics["clusteringStats"].is_object());
  EXPECT_EQ(r->metrics["clusteringStats"]["inputOtherFiles"]["numFiles"], 3);
  EXPECT_EQ(r->metrics["clusteringStats"]["numOutputZCubes"], 1);
  EXPECT_EQ(r->operation_parameters["clusterBy"], "[\"a\",\"b\"]");
  EXPECT_EQ(r->operation_parameters["isFull"], false);
  auto snapshot = Snapshot::Load(root).ValueOrDie();
  ASSERT_EQ(snapshot->files().size(), 1u);
  const auto& file = snapshot->files()[0];
  EXPECT_EQ(file.clustering_provider, std::optional<std::string>("liquid"));
  EXPECT_EQ(file.tags.at("ZCUBE_ZORDER_BY"), "[\"a\",\"b\"]");
  EXPECT_EQ(file.tags.count("ZCUBE_ID"), 1u);
  EXPECT_EQ(ReadSnapshot(snapshot).ValueOrDie()->num_rows(), 30);

  // Clustered files stay; only a new file would be clustered.
  auto again = Optimize(root, {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->version.has_value());
  EXPECT_EQ(again->metrics["clusteringStats"]["inputZCubeFiles"]["numFiles"], 1);
  EXPECT_EQ(again->metrics["clusteringStats"]["inputNumZCubes"], 1);
  EXPECT_EQ(again->metrics["totalFilesSkipped"], 1);
}

TEST(ClusteringTest, NewFilesAreMergedIntoSmallCubesOnly) {
  TempDir dir;
  auto root = dir.Table();
  CreateClustered(root, {"a"});
  AppendRows(root, 0, 10);
  AppendRows(root, 10, 10);
  ASSERT_TRUE(Optimize(root, {}).ok());
  AppendRows(root, 20, 10);

  // A large cube stays as it is: only the new file is clustered, into a cube of its own.
  OptimizeOptions big_cubes;
  big_cubes.min_cube_size = 1;
  auto r = Optimize(root, big_cubes);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->metrics["numFilesRemoved"], 1);
  EXPECT_EQ(r->metrics["clusteringStats"]["inputZCubeFiles"]["numFiles"], 1);
  EXPECT_EQ(r->metrics["clusteringStats"]["inputOtherFiles"]["numFiles"], 1);
  EXPECT_EQ(r->metrics["clusteringStats"]["mergedFiles"]["numFiles"], 1);
  AppendRows(root, 30, 10);

  // By default cubes are small: the new file and both cubes are clustered together.
  auto merged = Optimize(root, {});
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->metrics["numFilesRemoved"], 3);
  EXPECT_EQ(merged->metrics["clusteringStats"]["inputNumZCubes"], 2);
  EXPECT_EQ(merged->metrics["clusteringStats"]["numOutputZCubes"], 1);
  auto snapshot = Snapshot::Load(root).ValueOrDie();
  ASSERT_EQ(snapshot->files().size(), 1u);
  EXPECT_EQ(ReadSnapshot(snapshot).ValueOrDie()->num_rows(), 40);
}

TEST(ClusteringTest, TableWithoutClusteringColumnsIsCompacted) {
  TempDir dir;
  auto root = dir.Table();
  CreateClustered(root, {});
  AppendRows(root, 0, 5);
  AppendRows(root, 5, 5);
  auto snapshot = Snapshot::Load(root).ValueOrDie();
  EXPECT_TRUE(ClusteringColumns(*snapshot).ValueOrDie().empty());
  auto r = Optimize(root, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->metrics["numFilesRemoved"], 2);
  EXPECT_TRUE(r->metrics["clusteringStats"].is_null());
  auto after = Snapshot::Load(root).ValueOrDie();
  ASSERT_EQ(after->files().size(), 1u);
  EXPECT_FALSE(after->files()[0].clustering_provider.has_value());
}

TEST(ClusteringTest, OptimizeOfClusteredTableRefusesZOrderAndPredicates) {
  TempDir dir;
  auto root = dir.Table();
  CreateClustered(root, {"a"});
  AppendRows(root, 0, 5);
  OptimizeOptions zorder;
  zorder.zorder_by = {"a"};
  auto z = Optimize(root, zorder);
  EXPECT_EQ(ErrorOf(z.status()), "DELTA_CLUSTERING_WITH_ZORDER_BY");
  EXPECT_NE(z.status().message().find("Please remove ZORDER BY (a)."), std::string::npos);
  OptimizeOptions where;
  where.where = "a = 1";
  EXPECT_EQ(ErrorOf(Optimize(root, where).status()), "DELTA_CLUSTERING_WITH_PARTITION_PREDICATE");
}

TEST(ClusteringTest, ProtocolUpgradeKeepsExistingFeatures) {
  Protocol features;
  features.min_reader_version = 3;
  features.min_writer_version = 7;
  features.reader_features = std::vector<std::string>{"deletionVectors"};
  features.writer_features = std::vector<std::string>{"deletionVectors"};
  Protocol upgraded = ClusteringProtocol(features);
  EXPECT_EQ(upgraded.min_reader_version, 3);
  EXPECT_EQ(upgraded.reader_features, features.reader_features);
  EXPECT_EQ(upgraded.writer_features,
            (std::vector<std::string>{"deletionVectors", "domainMetadata", "clustering"}));
}

}  // namespace
}  // namespace basin::delta
