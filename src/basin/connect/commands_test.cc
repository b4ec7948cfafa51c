// Commands (spark.sql, DataFrame writes, temp views), spark.catalog and Delta Connect, with
// messages shaped as the PySpark and delta-spark clients send them, run against a session on a
// temporary warehouse.

#include "basin/connect/commands.h"

#include <filesystem>

#include <unistd.h>

#include <arrow/io/memory.h>
#include <arrow/ipc/reader.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "basin/connect/catalog_relation.h"
#include "basin/connect/delta_connect.h"
#include "delta/connect/commands.pb.h"
#include "delta/connect/relations.pb.h"

namespace basin::connect {
namespace {

namespace fs = std::filesystem;
namespace pb = spark::connect;

template <typename Message>
Message Parse(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

std::string Value(const arrow::Scalar& scalar) {
  if (!scalar.is_valid) return "NULL";
  if (scalar.type->id() == arrow::Type::LIST) {
    const auto& list = static_cast<const arrow::BaseListScalar&>(scalar);
    std::string out = "[";
    for (int64_t i = 0; i < list.value->length(); ++i) {
      out += (i ? "," : "") + Value(*list.value->GetScalar(i).ValueOrDie());
    }
    return out + "]";
  }
  return scalar.ToString();
}

// Rows as "a,b" lines joined by ";" (NULL for nulls, [a,b] for arrays).
std::string Format(const arrow::Table& table) {
  std::string out;
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    if (r > 0) out += ";";
    for (int c = 0; c < table.num_columns(); ++c) {
      if (c > 0) out += ",";
      out += Value(*table.column(c)->GetScalar(r).ValueOrDie());
    }
  }
  return out;
}

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("basin_commands_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    session_ = std::make_unique<session::Session>(session::SessionOptions{dir_.string(), ""});
  }
  void TearDown() override {
    session_.reset();
    fs::remove_all(dir_);
  }

  TranslationContext Context() {
    TranslationContext context;
    context.session = session_.get();
    return context;
  }

  Result<std::vector<pb::ExecutePlanResponse>> Run(const std::string& command_text) {
    PlanTranslator translator(Context());
    return RunCommand(Parse<pb::Command>(command_text), translator);
  }

  // The rows of a relation, as the service would compute them.
  Result<std::shared_ptr<arrow::Table>> Rows(const std::string& relation_text) {
    PlanTranslator translator(Context());
    ASSIGN_OR_RAISE(auto plan, translator.Plan(Parse<pb::Relation>(relation_text)));
    ASSIGN_OR_RAISE(auto reader, session_->Run(plan));
    return reader->ToTable();
  }

  std::string Query(const std::string& sql) {
    auto table = session_->Sql(sql);
    if (!table.ok()) return "ERROR " + table.status().ToString();
    return Format(**table);
  }

  // One column of DESCRIBE DETAIL.
  std::string Detail(const std::string& table, const std::string& column) {
    auto detail = session_->Sql("DESCRIBE DETAIL " + table);
    if (!detail.ok()) return "ERROR " + detail.status().ToString();
    auto values = (*detail)->GetColumnByName(column);
    if (!values) return "no column " + column;
    return Value(*values->GetScalar(0).ValueOrDie());
  }

  // Writes `query`'s rows as a new Delta table at `path`.
  void WriteDelta(const std::string& query, const std::string& path) {
    auto written = Run(R"(write_operation { input { sql { query: ")" + query +
                       R"( " } } source: "delta" path: ")" + path + "\" }");
    ASSERT_TRUE(written.ok()) << written.status().ToString();
  }

  void Exec(const std::string& sql) {
    auto result = session_->Sql(sql);
    ASSERT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
  }

  std::string Columns(const std::string& table) {
    auto plan = session_->Plan("SELECT * FROM " + table);
    if (!plan.ok()) return "ERROR " + plan.status().ToString();
    std::string out;
    for (const auto& f : (*plan)->schema->fields()) out += (out.empty() ? "" : ",") + f->name();
    return out;
  }

  std::string ErrorClass(const Status& status) { return ErrorClassOf(status).value_or("?"); }

  fs::path dir_;
  std::unique_ptr<session::Session> session_;
};

// ---------------------------------------------------------------------------------------------
// spark.sql
// ---------------------------------------------------------------------------------------------

TEST_F(CommandsTest, SqlQueryStaysLazy) {
  auto responses = Run(R"(sql_command { input { sql { query: "SELECT 1 AS x" } } })");
  ASSERT_TRUE(responses.ok()) << responses.status().ToString();
  ASSERT_EQ(responses->size(), 1u);
  const auto& relation = (*responses)[0].sql_command_result().relation();
  EXPECT_EQ(relation.sql().query(), "SELECT 1 AS x");
}

TEST_F(CommandsTest, SqlStatementRunsAndReturnsItsRows) {
  auto created =
      Run(R"(sql_command { input { sql { query: "CREATE TABLE t (id INT, v STRING) " } } })");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_EQ(created->size(), 1u);
  EXPECT_TRUE((*created)[0].sql_command_result().relation().has_local_relation());

  // Named and positional parameters in a statement.
  auto inserted = Run(R"(sql_command { input { sql {
      query: "INSERT INTO t VALUES (:id, :v), (?, 'z') "
      named_arguments { key: "id" value { literal { integer: 7 } } }
      named_arguments { key: "v" value { literal { string: "it's" } } }
      pos_arguments { literal { integer: -3 } } } } })");
  ASSERT_TRUE(inserted.ok()) << inserted.status().ToString();
  EXPECT_EQ(Query("SELECT id, v FROM t ORDER BY id"), "-3,z;7,it's");

  auto shown = Run(R"(sql_command { input { sql { query: "SHOW TABLES" } } })");
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  const auto& local = (*shown)[0].sql_command_result().relation().local_relation();
  EXPECT_NE(local.schema().find("tableName"), std::string::npos);
  auto buffer = std::make_shared<arrow::Buffer>(local.data());
  auto reader =
      arrow::ipc::RecordBatchStreamReader::Open(std::make_shared<arrow::io::BufferReader>(buffer))
          .ValueOrDie();
  auto table = reader->ToTable().ValueOrDie();
  EXPECT_EQ(Format(*table), "default,t,false");
}

TEST_F(CommandsTest, SqlLegacyFieldsAndUnboundParameter) {
  auto legacy = Run(R"(sql_command { sql: "CREATE TABLE legacy (a INT) " })");
  ASSERT_TRUE(legacy.ok()) << legacy.status().ToString();
  EXPECT_EQ(Query("SELECT count(*) FROM legacy"), "0");
  auto unbound =
      Run(R"(sql_command { input { sql { query: "INSERT INTO legacy VALUES (:nope) " } } })");
  ASSERT_FALSE(unbound.ok());
  EXPECT_EQ(ErrorClass(unbound.status()), "UNBOUND_SQL_PARAMETER");
}

TEST_F(CommandsTest, SqlCommandWithDataFrameReferences) {
  Exec("CREATE TABLE dst (id BIGINT)");
  // spark.sql("INSERT INTO dst SELECT * FROM {df}", df=spark.range(3))
  auto responses = Run(R"(sql_command { input { with_relations {
      root { sql { query: "INSERT INTO dst SELECT * FROM `frame`" } }
      references { subquery_alias { alias: "frame" input { range { start: 0 end: 3 step: 1 } } } }
    } } })");
  ASSERT_TRUE(responses.ok()) << responses.status().ToString();
  EXPECT_EQ(Query("SELECT id FROM dst ORDER BY id"), "0;1;2");
}

// ---------------------------------------------------------------------------------------------
// DataFrameWriter
// ---------------------------------------------------------------------------------------------

TEST_F(CommandsTest, SaveAsTableModes) {
  const std::string input =
      R"(input { sql { query: "SELECT id, CAST(id AS STRING) AS s FROM range(3) " } })";
  auto write = [&](const std::string& mode,
                   const std::string& method = "TABLE_SAVE_METHOD_SAVE_AS_TABLE") {
    return Run("write_operation { " + input +
               " source: \"delta\" table { table_name: \"w\" save_method: " + method +
               " } mode: " + mode + " }");
  };
  ASSERT_TRUE(write("SAVE_MODE_ERROR_IF_EXISTS").ok());
  EXPECT_EQ(Query("SELECT count(*) FROM w"), "3");
  auto again = write("SAVE_MODE_ERROR_IF_EXISTS");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(ErrorClass(again.status()), "TABLE_OR_VIEW_ALREADY_EXISTS");
  ASSERT_TRUE(write("SAVE_MODE_APPEND").ok());
  EXPECT_EQ(Query("SELECT count(*) FROM w"), "6");
  ASSERT_TRUE(write("SAVE_MODE_IGNORE").ok());
  EXPECT_EQ(Query("SELECT count(*) FROM w"), "6");
  ASSERT_TRUE(write("SAVE_MODE_OVERWRITE").ok());
  EXPECT_EQ(Query("SELECT count(*) FROM w"), "3");
  ASSERT_TRUE(write("SAVE_MODE_APPEND", "TABLE_SAVE_METHOD_INSERT_INTO").ok());
  EXPECT_EQ(Query("SELECT count(*) FROM w"), "6");
  ASSERT_TRUE(write("SAVE_MODE_OVERWRITE", "TABLE_SAVE_METHOD_INSERT_INTO").ok());
  EXPECT_EQ(Query("SELECT s FROM w ORDER BY s"), "0;1;2");
}

TEST_F(CommandsTest, SaveAsTablePartitionedWithProperties) {
  auto written = Run(R"(write_operation {
      input { sql { query: "SELECT id, id % 2 AS p FROM range(4) " } }
      source: "delta" table { table_name: "parts" save_method: TABLE_SAVE_METHOD_SAVE_AS_TABLE }
      partitioning_columns: "p"
      options { key: "delta.appendOnly" value: "true" } })");
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(Detail("parts", "partitionColumns"), "[p]");
  EXPECT_NE(Query("SHOW TBLPROPERTIES parts").find("delta.appendOnly,true"), std::string::npos)
      << Query("SHOW TBLPROPERTIES parts");
}

TEST_F(CommandsTest, SaveDeltaPath) {
  std::string path = (dir_ / "by_path").string();
  auto write = [&](const std::string& mode, const std::string& extra = "") {
    return Run(R"(write_operation { input { sql { query: "SELECT id, id % 2 AS p FROM range(4) " } }
        source: "delta" path: ")" +
               path + "\" mode: " + mode + " partitioning_columns: \"p\" " + extra + " }");
  };
  ASSERT_TRUE(write("SAVE_MODE_ERROR_IF_EXISTS").ok());
  EXPECT_EQ(Query("SELECT count(*), sum(id) FROM delta.`" + path + "`"), "4,6");
  EXPECT_FALSE(write("SAVE_MODE_ERROR_IF_EXISTS").ok());
  ASSERT_TRUE(write("SAVE_MODE_APPEND").ok());
  EXPECT_EQ(Query("SELECT count(*) FROM delta.`" + path + "`"), "8");
  // replaceWhere replaces only the matching rows.
  // Rows outside the condition are refused, as in Delta.
  auto mismatch = write("SAVE_MODE_OVERWRITE", R"(options { key: "replaceWhere" value: "p = 1" })");
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(ErrorClass(mismatch.status()), "DELTA_REPLACE_WHERE_MISMATCH");
  auto replaced = Run(
      R"(write_operation { input { sql { query: "SELECT 100 + id AS id, 1 AS p FROM range(2) " } }
      source: "delta" path: ")" +
      path + R"(" mode: SAVE_MODE_OVERWRITE
      options { key: "replaceWhere" value: "p = 1" } })");
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ(Query("SELECT p, count(*) FROM delta.`" + path + "` GROUP BY p ORDER BY p"), "0,4;1,2");
}

TEST_F(CommandsTest, SaveParquetAndJsonFiles) {
  std::string parquet = (dir_ / "pq").string();
  auto written = Run(R"(write_operation { input { sql { query: "SELECT id FROM range(5) " } }
      source: "parquet" path: ")" +
                     parquet + R"(" mode: SAVE_MODE_OVERWRITE })");
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(Query("SELECT sum(id) FROM parquet.`" + parquet + "`"), "10");
  ASSERT_TRUE(Run(R"(write_operation { input { sql { query: "SELECT id FROM range(5) " } }
      source: "parquet" path: ")" +
                  parquet + R"(" mode: SAVE_MODE_APPEND })")
                  .ok());
  EXPECT_EQ(Query("SELECT count(*) FROM parquet.`" + parquet + "`"), "10");
  auto exists = Run(R"(write_operation { input { sql { query: "SELECT 1 AS id" } }
      source: "parquet" path: ")" +
                    parquet + R"(" })");
  ASSERT_FALSE(exists.ok());
  EXPECT_EQ(ErrorClass(exists.status()), "PATH_ALREADY_EXISTS");

  std::string json = (dir_ / "js").string();
  ASSERT_TRUE(Run(R"(write_operation { input { sql { query: "SELECT 'a' AS s, 1 AS n" } }
      source: "json" path: ")" +
                  json + R"(" })")
                  .ok());
  EXPECT_EQ(Query("SELECT s, n FROM json.`" + json + "`"), "a,1");

  std::string csv = (dir_ / "csv").string();
  ASSERT_TRUE(Run(R"(write_operation { input { sql { query: "SELECT 1 AS id, 'a,b' AS s" } }
      source: "csv" path: ")" +
                  csv + R"(" })")
                  .ok());
  EXPECT_EQ(Query("SELECT * FROM csv.`" + csv + "`"), "1,a,b");

  auto avro = Run(R"(write_operation { input { sql { query: "SELECT 1 AS id" } }
      source: "avro" path: ")" +
                  (dir_ / "avro").string() + R"(" })");
  ASSERT_FALSE(avro.ok());
  EXPECT_EQ(ErrorClass(avro.status()), "UNSUPPORTED_FEATURE");
}

TEST_F(CommandsTest, DefaultSourceComesFromTheConf) {
  ASSERT_TRUE(session_->SetConfig("spark.sql.sources.default", "delta").ok());
  ASSERT_TRUE(Run(R"(write_operation { input { sql { query: "SELECT 1 AS id" } }
      table { table_name: "d" save_method: TABLE_SAVE_METHOD_SAVE_AS_TABLE } })")
                  .ok());
  EXPECT_EQ(Detail("d", "format"), "delta");
}

TEST_F(CommandsTest, BucketByIsRefused) {
  auto result = Run(R"(write_operation { input { sql { query: "SELECT 1 AS id" } }
      table { table_name: "b" save_method: TABLE_SAVE_METHOD_SAVE_AS_TABLE }
      bucket_by { bucket_column_names: "id" num_buckets: 4 } })");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(ErrorClass(result.status()), "UNSUPPORTED_FEATURE");
}

// ---------------------------------------------------------------------------------------------
// DataFrameWriterV2
// ---------------------------------------------------------------------------------------------

TEST_F(CommandsTest, WriteToModes) {
  const std::string input = R"(input { sql { query: "SELECT id, id % 2 AS p FROM range(4) " } })";
  auto created = Run("write_operation_v2 { " + input + R"( table_name: "v2" provider: "delta"
      partitioning_columns { unresolved_attribute { unparsed_identifier: "p" } }
      table_properties { key: "delta.appendOnly" value: "false" }
      mode: MODE_CREATE })");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(Query("SELECT count(*) FROM v2"), "4");
  EXPECT_FALSE(
      Run("write_operation_v2 { " + input + R"( table_name: "v2" mode: MODE_CREATE })").ok());
  ASSERT_TRUE(
      Run("write_operation_v2 { " + input + R"( table_name: "v2" mode: MODE_APPEND })").ok());
  EXPECT_EQ(Query("SELECT count(*) FROM v2"), "8");
  // overwrite(col("p") == 1): rows with p = 1 are replaced by the input's.
  auto overwritten = Run(R"(write_operation_v2 {
      input { sql { query: "SELECT 100 AS id, 1 AS p" } } table_name: "v2" mode: MODE_OVERWRITE
      overwrite_condition { unresolved_function { function_name: "==" arguments {
        unresolved_attribute { unparsed_identifier: "p" } } arguments { literal { integer: 1 } } } } })");
  ASSERT_TRUE(overwritten.ok()) << overwritten.status().ToString();
  EXPECT_EQ(Query("SELECT p, count(*), max(id) FROM v2 GROUP BY p ORDER BY p"), "0,4,2;1,1,100");
  ASSERT_TRUE(Run("write_operation_v2 { " + input +
                  R"( table_name: "v2" provider: "delta" mode: MODE_CREATE_OR_REPLACE })")
                  .ok());
  EXPECT_EQ(Query("SELECT count(*) FROM v2"), "4");
  auto missing = Run("write_operation_v2 { " + input +
                     R"( table_name: "nope" provider: "delta" mode: MODE_REPLACE })");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(ErrorClass(missing.status()), "TABLE_OR_VIEW_NOT_FOUND");
}

// ---------------------------------------------------------------------------------------------
// Temporary views and unsupported commands
// ---------------------------------------------------------------------------------------------

TEST_F(CommandsTest, TempViewSeesLatestTableVersion) {
  Exec("CREATE TABLE src (id INT)");
  Exec("INSERT INTO src VALUES (1)");
  auto created = Run(R"(create_dataframe_view {
      input { filter { input { read { named_table { unparsed_identifier: "src" } } }
              condition { unresolved_function { function_name: ">" arguments {
                unresolved_attribute { unparsed_identifier: "id" } } arguments { literal { integer: 0 } } } } } }
      name: "pos" replace: false })");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(Query("SELECT count(*) FROM pos"), "1");
  Exec("INSERT INTO src VALUES (2), (-5)");
  EXPECT_EQ(Query("SELECT count(*) FROM pos"), "2");
  auto again =
      Run(R"(create_dataframe_view { input { sql { query: "SELECT 1 AS a" } } name: "pos" })");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(ErrorClass(again.status()), "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS");
  ASSERT_TRUE(
      Run(R"(create_dataframe_view { input { sql { query: "SELECT 1 AS a" } } name: "pos" replace: true })")
          .ok());
  EXPECT_EQ(Query("SELECT * FROM pos"), "1");
  auto global = Run(
      R"(create_dataframe_view { input { sql { query: "SELECT 1 AS a" } } name: "g" is_global: true })");
  ASSERT_FALSE(global.ok());
  EXPECT_EQ(ErrorClass(global.status()), "UNSUPPORTED_FEATURE");
}

TEST_F(CommandsTest, CheckpointKeepsRowsUntilReleased) {
  auto remote = std::make_shared<RemoteRelations>();
  TranslationContext context = Context();
  context.remote_relations = remote;
  std::string id;
  {
    PlanTranslator translator(context);
    auto responses = RunCommand(
        Parse<pb::Command>(
            R"(checkpoint_command { relation { sql { query: "SELECT 1 AS a UNION ALL SELECT 2" } } local: true eager: true })"),
        translator);
    ASSERT_TRUE(responses.ok()) << responses.status().ToString();
    ASSERT_EQ(responses->size(), 1u);
    id = (*responses)[0].checkpoint_command_result().relation().relation_id();
    ASSERT_FALSE(id.empty());
  }
  auto relation = Parse<pb::Relation>(R"(cached_remote_relation { relation_id: ")" + id + "\" }");
  {
    PlanTranslator translator(context);
    auto plan = translator.Plan(relation);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    auto reader = session_->Run(*plan);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(Format(*(*reader)->ToTable().ValueOrDie()), "1;2");
  }
  {
    PlanTranslator translator(context);
    auto removed = RunCommand(
        Parse<pb::Command>(R"(remove_cached_remote_relation_command { relation { relation_id: ")" +
                           id + "\" } }"),
        translator);
    ASSERT_TRUE(removed.ok());
    auto plan = translator.Plan(relation);
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(ErrorClass(plan.status()), "INVALID_PLAN_INPUT");
  }
  // Without a place to keep rows (no Connect session), checkpoints are unsupported.
  auto result = Run(R"(checkpoint_command { local: true })");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(ErrorClass(result.status()), "UNSUPPORTED_FEATURE");
}

TEST_F(CommandsTest, UnsupportedCommandsFailCleanly) {
  for (const char* text : {R"(register_function { function_name: "f" })",
                           R"(streaming_query_command { query_id { id: "x" } })",
                           R"(ml_command { })",
                           R"(extension { type_url: "type.googleapis.com/x.Unknown" })"}) {
    auto result = Run(text);
    ASSERT_FALSE(result.ok()) << text;
    EXPECT_EQ(ErrorClass(result.status()), "UNSUPPORTED_FEATURE") << text;
  }
}

// ---------------------------------------------------------------------------------------------
// spark.catalog
// ---------------------------------------------------------------------------------------------

class CatalogTest : public CommandsTest {
 protected:
  std::string Catalog(const std::string& text) {
    auto rows = Rows("catalog { " + text + " }");
    if (!rows.ok()) return "ERROR " + ErrorClass(rows.status()) + " " + rows.status().ToString();
    return Format(**rows);
  }
  std::string Columns(const std::string& text) {
    auto rows = Rows("catalog { " + text + " }");
    if (!rows.ok()) return "ERROR";
    std::string out;
    for (const auto& f : (*rows)->schema()->fields()) out += (out.empty() ? "" : ",") + f->name();
    return out;
  }
};

TEST_F(CatalogTest, DatabasesAndCatalogs) {
  EXPECT_EQ(Catalog("current_database { }"), "default");
  EXPECT_EQ(Catalog("current_catalog { }"), "main");
  EXPECT_EQ(Catalog("database_exists { db_name: \"default\" }"), "true");
  EXPECT_EQ(Catalog("database_exists { db_name: \"nope\" }"), "false");
  EXPECT_EQ(
      Catalog(
          R"(create_database { db_name: "sales" properties { key: "comment" value: "money" } })"),
      "");
  EXPECT_EQ(Columns("list_databases { }"), "name,catalog,description,locationUri");
  auto sales = Catalog("get_database { db_name: \"sales\" }");
  EXPECT_EQ(sales.substr(0, 17), "sales,main,money,") << sales;
  EXPECT_NE(Catalog("list_databases { pattern: \"sal*\" }").find("sales"), std::string::npos);
  EXPECT_EQ(Catalog("list_databases { pattern: \"sal*\" }").find("default"), std::string::npos);
  EXPECT_EQ(Catalog("set_current_database { db_name: \"sales\" }"), "");
  EXPECT_EQ(Catalog("current_database { }"), "sales");
  EXPECT_EQ(Catalog("get_database { db_name: \"nope\" }").substr(0, 22), "ERROR SCHEMA_NOT_FOUND");
  EXPECT_EQ(Columns("list_catalogs { }"), "name,description");
  EXPECT_NE(Catalog("list_catalogs { }").find("main"), std::string::npos);
  EXPECT_EQ(Catalog(R"(drop_database { db_name: "sales" cascade: true })"), "");
  EXPECT_EQ(Catalog("database_exists { db_name: \"sales\" }"), "false");
}

TEST_F(CatalogTest, TablesAndColumns) {
  Exec(
      "CREATE TABLE t (id INT NOT NULL COMMENT 'key', p STRING) USING delta PARTITIONED BY (p) "
      "COMMENT 'facts'");
  Exec("CREATE VIEW v AS SELECT id FROM t");
  Exec("CREATE TEMPORARY VIEW tv AS SELECT 1 AS one");
  EXPECT_EQ(Columns("list_tables { }"), "name,catalog,namespace,description,tableType,isTemporary");
  EXPECT_EQ(Catalog("list_tables { }"),
            "t,main,[default],facts,MANAGED,false;v,main,[default],NULL,VIEW,false;"
            "tv,NULL,[],NULL,TEMPORARY,true");
  EXPECT_EQ(Catalog("list_tables { db_name: \"default\" pattern: \"t*\" }").substr(0, 2), "t,");
  EXPECT_EQ(Catalog("get_table { table_name: \"default.t\" }"),
            "t,main,[default],facts,MANAGED,false");
  EXPECT_EQ(Catalog("get_table { table_name: \"tv\" }"), "tv,NULL,[],NULL,TEMPORARY,true");
  EXPECT_EQ(Catalog("get_table { table_name: \"nope\" }").substr(0, 29),
            "ERROR TABLE_OR_VIEW_NOT_FOUND");
  EXPECT_EQ(Catalog("table_exists { table_name: \"t\" }"), "true");
  EXPECT_EQ(Catalog("table_exists { table_name: \"t\" db_name: \"default\" }"), "true");
  EXPECT_EQ(Catalog("table_exists { table_name: \"nope\" }"), "false");
  EXPECT_EQ(Columns("list_columns { table_name: \"t\" }"),
            "name,description,dataType,nullable,isPartition,isBucket,isCluster");
  EXPECT_EQ(Catalog("list_columns { table_name: \"t\" }"),
            "id,key,int,false,false,false,false;p,NULL,string,true,true,false,false");
  EXPECT_EQ(Catalog("list_views { }"),
            "v,main,[default],NULL,VIEW,false;tv,NULL,[],NULL,TEMPORARY,true");
  EXPECT_EQ(Catalog("drop_temp_view { view_name: \"tv\" }"), "true");
  EXPECT_EQ(Catalog("drop_temp_view { view_name: \"tv\" }"), "false");
  EXPECT_EQ(Catalog("drop_global_temp_view { view_name: \"tv\" }"), "false");
  Exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'a')");
  EXPECT_EQ(Catalog("list_partitions { table_name: \"t\" }"), "p=a;p=b");
  EXPECT_NE(Catalog("get_table_properties { table_name: \"t\" }").find("delta.minReaderVersion"),
            std::string::npos);
  EXPECT_NE(Catalog("get_create_table_string { table_name: \"t\" }").find("CREATE TABLE"),
            std::string::npos);
  EXPECT_EQ(Catalog("cache_table { table_name: \"t\" }"), "");
  EXPECT_EQ(Catalog("uncache_table { table_name: \"t\" }"), "");
  EXPECT_EQ(Catalog("clear_cache { }"), "");
  EXPECT_EQ(Catalog("refresh_table { table_name: \"t\" }"), "");
  EXPECT_EQ(Catalog("truncate_table { table_name: \"t\" }"), "");
  EXPECT_EQ(Query("SELECT count(*) FROM t"), "0");
  EXPECT_EQ(Catalog("drop_view { view_name: \"v\" }"), "");
  EXPECT_EQ(Catalog("drop_table { table_name: \"t\" }"), "");
  EXPECT_EQ(Catalog("table_exists { table_name: \"t\" }"), "false");
  EXPECT_EQ(Catalog("drop_table { table_name: \"t\" if_exists: true }"), "");
}

TEST_F(CatalogTest, CreateTableAndFunctions) {
  EXPECT_EQ(Catalog(R"(create_table { table_name: "made" source: "delta" description: "d"
      schema { struct { fields { name: "a" data_type { long { } } nullable: false }
                        fields { name: "b" data_type { string { } } nullable: true } } } })"),
            "");
  EXPECT_EQ(Catalog("list_columns { table_name: \"made\" }"),
            "a,NULL,bigint,false,false,false,false;b,NULL,string,true,false,false,false");
  EXPECT_EQ(Catalog("get_table { table_name: \"made\" }"), "made,main,[default],d,MANAGED,false");
  std::string location = (dir_ / "ext").string();
  WriteDelta("SELECT 5 AS x", location);
  EXPECT_EQ(Catalog(R"(create_external_table { table_name: "ext" source: "delta" path: ")" +
                    location + "\" }"),
            "5");
  EXPECT_EQ(Catalog("function_exists { function_name: \"abs\" }"), "true");
  EXPECT_EQ(Catalog("function_exists { function_name: \"no_such_fn\" }"), "false");
  EXPECT_EQ(Catalog("get_function { function_name: \"abs\" }").substr(0, 4), "abs,");
  EXPECT_EQ(Columns("list_functions { }"),
            "name,catalog,namespace,description,className,isTemporary");
  EXPECT_EQ(Catalog("get_function { function_name: \"no_such_fn\" }").substr(0, 23),
            "ERROR UNRESOLVED_ROUTIN");
  EXPECT_EQ(Catalog("is_cached { table_name: \"made\" }"), "false");
  EXPECT_EQ(Catalog("cache_table { table_name: \"made\" }"), "");
  EXPECT_EQ(Catalog("is_cached { table_name: \"default.made\" }"), "true");
  EXPECT_EQ(Catalog("clear_cache { }"), "");
  EXPECT_EQ(Catalog("is_cached { table_name: \"made\" }"), "false");
  EXPECT_EQ(Catalog("is_cached { table_name: \"no_such\" }").substr(0, 29),
            "ERROR TABLE_OR_VIEW_NOT_FOUND");
}

// ---------------------------------------------------------------------------------------------
// Delta Connect
// ---------------------------------------------------------------------------------------------

class DeltaConnectTest : public CommandsTest {
 protected:
  // A DeltaRelation as the extension of a relation.
  std::string Delta(const std::string& text) {
    return "extension { [type.googleapis.com/delta.connect.DeltaRelation] { " + text + " } }";
  }
  std::string DeltaRows(const std::string& text) {
    auto rows = Rows(Delta(text));
    if (!rows.ok()) return "ERROR " + ErrorClass(rows.status()) + " " + rows.status().ToString();
    return Format(**rows);
  }
  Status DeltaCommand(const std::string& text) {
    return Run("extension { [type.googleapis.com/delta.connect.DeltaCommand] { " + text + " } }")
        .status();
  }
  std::string Scan(const std::string& name) {
    return "scan { table { table_or_view_name: \"" + name + "\" } }";
  }
};

TEST_F(DeltaConnectTest, ScanHistoryDetail) {
  Exec("CREATE TABLE t (id INT) USING delta");
  Exec("INSERT INTO t VALUES (1), (2)");
  EXPECT_EQ(DeltaRows(Scan("t")), "1;2");
  std::string path = (dir_ / "p").string();
  WriteDelta("SELECT 7 AS x", path);
  EXPECT_EQ(DeltaRows("scan { table { path { path: \"" + path + "\" } } }"), "7");
  auto history = Rows(Delta("describe_history { table { table_or_view_name: \"t\" } }"));
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  EXPECT_EQ((*history)->num_rows(), 2);
  EXPECT_NE((*history)->schema()->GetFieldIndex("operation"), -1);
  auto detail = Rows(Delta("describe_detail { table { table_or_view_name: \"t\" } }"));
  ASSERT_TRUE(detail.ok()) << detail.status().ToString();
  EXPECT_EQ((*detail)->num_rows(), 1);
  EXPECT_EQ(DeltaRows("is_delta_table { path: \"" + path + "\" }"), "true");
  EXPECT_EQ(DeltaRows("is_delta_table { path: \"" + (dir_ / "none").string() + "\" }"), "false");
  EXPECT_EQ(DeltaRows(Scan("nope")).substr(0, 29), "ERROR TABLE_OR_VIEW_NOT_FOUND");
  // DeltaTable.forPath(path).update / delete: the session's DML runs on a transient name.
  std::string by_path = "scan { table { path { path: \"" + path + "\" } } }";
  EXPECT_EQ(DeltaRows(R"(update_table { target { )" + Delta(by_path) + R"( }
      assignments { field { unresolved_attribute { unparsed_identifier: "x" } } value { literal { integer: 8 } } } })"),
            "1");
  EXPECT_EQ(DeltaRows(by_path), "8");
  EXPECT_EQ(DeltaRows("delete_from_table { target { " + Delta(by_path) + " } }"), "1");
  EXPECT_EQ(DeltaRows(by_path), "");
  EXPECT_EQ(Query("SHOW TABLES"), "default,t,false");
}

TEST_F(DeltaConnectTest, DeleteAndUpdate) {
  Exec("CREATE TABLE t (id INT, v STRING) USING delta");
  Exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  // DeltaTable.forName("t").delete(col("id") > 2)
  EXPECT_EQ(DeltaRows(R"(delete_from_table { target { )" + Delta(Scan("t")) + R"( }
      condition { unresolved_function { function_name: ">" arguments {
        unresolved_attribute { unparsed_identifier: "id" } } arguments { literal { integer: 2 } } } } })"),
            "1");
  EXPECT_EQ(Query("SELECT id FROM t ORDER BY id"), "1;2");
  // DeltaTable.forName("t").alias("x").update("x.id = 1", {"v": lit("z"), "x.id": "x.id + 10"})
  EXPECT_EQ(DeltaRows(R"(update_table {
      target { subquery_alias { alias: "x" input { )" +
                      Delta(Scan("t")) + R"( } } }
      condition { expression_string { expression: "x.id = 1" } }
      assignments { field { unresolved_attribute { unparsed_identifier: "v" } } value { literal { string: "z" } } }
      assignments { field { unresolved_attribute { unparsed_identifier: "x.id" } }
                    value { expression_string { expression: "x.id + 10" } } } })"),
            "1");
  EXPECT_EQ(Query("SELECT id, v FROM t ORDER BY id"), "2,b;11,z");
  // delete() without a condition empties the table.
  EXPECT_EQ(DeltaRows("delete_from_table { target { " + Delta(Scan("t")) + " } }"), "2");
  EXPECT_EQ(Query("SELECT count(*) FROM t"), "0");
}

TEST_F(DeltaConnectTest, MergeEveryClause) {
  Exec("CREATE TABLE t (id INT, v STRING) USING delta");
  Exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')");
  // t.alias("t").merge(src.alias("s"), "t.id = s.id")
  //   .whenMatchedDelete("s.v = 'del'").whenMatchedUpdate(set={"v": "s.v"})
  //   .whenNotMatchedInsertAll()
  //   .whenNotMatchedBySourceUpdate("t.id = 4", {"v": lit("gone")}).whenNotMatchedBySourceDelete()
  auto rows = DeltaRows(R"(merge_into_table {
      target { subquery_alias { alias: "t" input { )" +
                        Delta(Scan("t")) + R"( } } }
      source { subquery_alias { alias: "s" input { sql { query: "SELECT * FROM VALUES (1, 'del'), (2, 'new'), (9, 'ins') AS src(id, v) " } } } }
      condition { expression_string { expression: "t.id = s.id" } }
      matched_actions { condition { expression_string { expression: "s.v = 'del'" } } delete_action { } }
      matched_actions { update_action { assignments {
          field { unresolved_attribute { unparsed_identifier: "v" } }
          value { unresolved_attribute { unparsed_identifier: "s.v" } } } } }
      not_matched_actions { insert_star_action { } }
      not_matched_by_source_actions {
          condition { unresolved_function { function_name: "==" arguments {
            unresolved_attribute { unparsed_identifier: "t.id" } } arguments { literal { integer: 4 } } } }
          update_action { assignments { field { unresolved_attribute { unparsed_identifier: "v" } }
                                        value { literal { string: "gone" } } } } }
      not_matched_by_source_actions { delete_action { } } })");
  // num_affected_rows, num_updated_rows, num_deleted_rows, num_inserted_rows
  EXPECT_EQ(rows, "5,2,2,1");
  EXPECT_EQ(Query("SELECT id, v FROM t ORDER BY id"), "2,new;4,gone;9,ins");
}

TEST_F(DeltaConnectTest, MergeInsertValuesAndSchemaEvolution) {
  Exec("CREATE TABLE t (id INT, v STRING) USING delta");
  Exec("INSERT INTO t VALUES (1, 'a')");
  auto rows = DeltaRows(R"(merge_into_table {
      target { subquery_alias { alias: "t" input { )" +
                        Delta(Scan("t")) + R"( } } }
      source { subquery_alias { alias: "s" input { sql { query: "SELECT 1 AS id, 'b' AS v, 10 AS extra UNION ALL SELECT 2, 'c', 20" } } } }
      condition { expression_string { expression: "t.id = s.id" } }
      matched_actions { update_star_action { } }
      not_matched_actions { insert_action {
          assignments { field { unresolved_attribute { unparsed_identifier: "id" } }
                        value { unresolved_attribute { unparsed_identifier: "s.id" } } }
          assignments { field { unresolved_attribute { unparsed_identifier: "v" } }
                        value { literal { string: "lit" } } } } }
      with_schema_evolution: true })");
  EXPECT_EQ(rows.substr(0, 2), "2,") << rows;
  EXPECT_EQ(Query("SELECT id, v, extra FROM t ORDER BY id"), "1,b,10;2,lit,NULL");
}

TEST_F(DeltaConnectTest, RestoreOptimizeVacuum) {
  Exec("CREATE TABLE t (id INT, g INT) USING delta");
  Exec("INSERT INTO t VALUES (1, 1)");
  Exec("INSERT INTO t VALUES (2, 2)");
  Exec("INSERT INTO t VALUES (3, 1)");
  auto optimized =
      Rows(Delta(R"(optimize_table { table { table_or_view_name: "t" } zorder_columns: "g" })"));
  ASSERT_TRUE(optimized.ok()) << optimized.status().ToString();
  EXPECT_EQ((*optimized)->num_rows(), 1);
  EXPECT_EQ((*optimized)->schema()->field(0)->name(), "path");
  EXPECT_EQ(Query("SELECT count(*) FROM t"), "3");
  auto restored = DeltaRows(R"(restore_table { table { table_or_view_name: "t" } version: 1 })");
  EXPECT_EQ(restored.substr(0, 5) == "ERROR", false) << restored;
  EXPECT_EQ(Query("SELECT id FROM t ORDER BY id"), "1");
  EXPECT_TRUE(DeltaCommand(R"(vacuum_table { table { table_or_view_name: "t" } })").ok());
  auto short_retention =
      DeltaCommand(R"(vacuum_table { table { table_or_view_name: "t" } retention_hours: 0 })");
  EXPECT_FALSE(short_retention.ok());  // below the 168-hour retention check, as in Delta
}

TEST_F(DeltaConnectTest, CreateTableBuilder) {
  auto created = DeltaCommand(R"(create_delta_table {
      mode: MODE_CREATE table_name: "built" comment: "made by a builder"
      columns { name: "id" data_type { long { } } nullable: false comment: "key" }
      columns { name: "day" data_type { date { } } nullable: true }
      columns { name: "y" data_type { integer { } } nullable: true generated_always_as: "year(day) " }
      partitioning_columns: "y"
      properties { key: "delta.enableChangeDataFeed" value: "true" } })");
  ASSERT_TRUE(created.ok()) << created.ToString();
  Exec("INSERT INTO built (id, day) VALUES (1, DATE'2024-05-01')");
  EXPECT_EQ(Query("SELECT id, y FROM built"), "1,2024");
  EXPECT_NE(Query("SHOW TBLPROPERTIES built").find("delta.enableChangeDataFeed,true"),
            std::string::npos)
      << Query("SHOW TBLPROPERTIES built");
  EXPECT_EQ(Detail("built", "description"), "made by a builder");
  // create() again fails; createIfNotExists() does not.
  EXPECT_FALSE(DeltaCommand(R"(create_delta_table { mode: MODE_CREATE table_name: "built"
      columns { name: "id" data_type { long { } } nullable: true } })")
                   .ok());
  EXPECT_TRUE(
      DeltaCommand(R"(create_delta_table { mode: MODE_CREATE_IF_NOT_EXISTS table_name: "built"
      columns { name: "id" data_type { long { } } nullable: true } })")
          .ok());
  auto replaced =
      DeltaCommand(R"(create_delta_table { mode: MODE_CREATE_OR_REPLACE table_name: "built"
      columns { name: "other" data_type { string { } } nullable: true } })");
  EXPECT_TRUE(replaced.ok()) << replaced.ToString();
  EXPECT_EQ(Query("SELECT * FROM built"), "");
  EXPECT_EQ(Columns("built"), "other");
  // By location only, with an identity column.
  std::string path = (dir_ / "by_location").string();
  auto by_path = DeltaCommand(R"(create_delta_table { mode: MODE_CREATE location: ")" + path + R"("
      columns { name: "k" data_type { long { } } nullable: false identity_info { start: 10 step: 5 allow_explicit_insert: false } }
      columns { name: "s" data_type { string { } } nullable: true } })");
  ASSERT_TRUE(by_path.ok()) << by_path.ToString();
  EXPECT_EQ(Columns("delta.`" + path + "`"), "k,s");
  EXPECT_EQ(Query("SHOW TABLES"), "default,built,false");  // the transient name is gone
  // createIfNotExists by location leaves the existing table alone.
  EXPECT_TRUE(DeltaCommand(R"(create_delta_table { mode: MODE_CREATE_IF_NOT_EXISTS location: ")" +
                           path + R"("
      columns { name: "z" data_type { long { } } nullable: true } })")
                  .ok());
  EXPECT_EQ(Columns("delta.`" + path + "`"), "k,s");
}

TEST_F(DeltaConnectTest, CloneConvertAndProtocol) {
  Exec("CREATE TABLE t (id INT) USING delta");
  Exec("INSERT INTO t VALUES (1)");
  Exec("INSERT INTO t VALUES (2)");
  auto cloned = DeltaCommand(
      R"(clone_table { table { table_or_view_name: "t" } target: "c" version: 1 is_shallow: true })");
  ASSERT_TRUE(cloned.ok()) << cloned.ToString();
  EXPECT_EQ(Query("SELECT id FROM c"), "1");
  std::string path = (dir_ / "deep").string();
  auto deep = DeltaCommand(R"(clone_table { table { table_or_view_name: "t" } target: ")" + path +
                           R"(" is_shallow: false })");
  ASSERT_TRUE(deep.ok()) << deep.ToString();
  EXPECT_EQ(Query("SELECT count(*) FROM delta.`" + path + "`"), "2");

  std::string parquet = (dir_ / "pq").string();
  ASSERT_TRUE(Run(R"(write_operation { input { sql { query: "SELECT 1 AS id" } }
      source: "parquet" path: ")" +
                  parquet + R"(" })")
                  .ok());
  EXPECT_EQ(DeltaRows("convert_to_delta { identifier: \"parquet.`" + parquet + "`\" }"),
            "delta.`" + parquet + "`");
  EXPECT_EQ(Query("SELECT id FROM delta.`" + parquet + "`"), "1");

  auto upgraded = DeltaCommand(
      R"(upgrade_table_protocol { table { table_or_view_name: "t" } reader_version: 1 writer_version: 4 })");
  ASSERT_TRUE(upgraded.ok()) << upgraded.ToString();
  auto downgrade = DeltaCommand(
      R"(upgrade_table_protocol { table { table_or_view_name: "t" } reader_version: 1 writer_version: 2 })");
  EXPECT_EQ(ErrorClass(downgrade), "DELTA_INVALID_PROTOCOL_DOWNGRADE");
  EXPECT_NE(Query("SHOW TBLPROPERTIES t").find("delta.minWriterVersion,4"), std::string::npos)
      << Query("SHOW TBLPROPERTIES t");
  auto generate = DeltaCommand(
      R"(generate { table { table_or_view_name: "t" } mode: "symlink_format_manifest" })");
  ASSERT_FALSE(generate.ok());
  EXPECT_EQ(ErrorClass(generate), "UNSUPPORTED_FEATURE");
}

}  // namespace
}  // namespace basin::connect
