#include "basin/connect/plan_description.h"

#include <filesystem>
#include <functional>
#include <set>

#include <google/protobuf/text_format.h>
#include <nlohmann/json.hpp>

#include "basin/connect/column_metadata.h"
#include "basin/connect/expression_text.h"
#include "basin/connect/data_type.h"
#include "basin/delta/scan.h"
#include "basin/delta/snapshot.h"
#include "basin/exec/physical_plan_text.h"
#include "basin/io/file_system.h"
#include "basin/types/schema_json.h"
#include "basin/types/user_defined_type.h"

namespace basin::connect {

namespace pb = spark::connect;

namespace {

// Spark's typeName of a type as printSchema shows it: long, integer, decimal(10,2), array, ...
std::string TypeName(const arrow::DataType& type) {
  auto json = types::TypeToDeltaJson(type);
  if (!json.ok()) return type.ToString();
  if (json->is_string()) return json->get<std::string>();
  return (*json)["type"].get<std::string>();
}

void TreeLines(const arrow::DataType& type, const std::string& prefix, int depth, int level,
               std::string* out) {
  if (level > 0 && depth > level) return;
  // A field holding a UDT prints the UDT's name and nothing below it, as Spark does.
  auto line = [&](const std::string& name, const arrow::Field& f, const std::string& tail) {
    auto udt = types::UserDefinedTypeOf(f);
    *out += prefix + " |-- " + name + ": " +
            (udt ? types::UserDefinedTypeName(*udt) : TypeName(*f.type())) + tail + "\n";
    if (!udt) TreeLines(*f.type(), prefix + " |   ", depth + 1, level, out);
  };
  switch (type.id()) {
    case arrow::Type::STRUCT:
      for (const auto& f : type.fields()) {
        line(f->name(), *f, std::string(" (nullable = ") + (f->nullable() ? "true" : "false") + ")");
      }
      break;
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST: {
      const auto& element = type.field(0);
      line("element", *element,
           std::string(" (containsNull = ") + (element->nullable() ? "true" : "false") + ")");
      break;
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(type);
      line("key", *map.key_field(), "");
      line("value", *map.item_field(),
           std::string(" (valueContainsNull = ") + (map.item_field()->nullable() ? "true" : "false") +
               ")");
      break;
    }
    default: break;
  }
}

// Spark's DataType.sql: BIGINT, DECIMAL(10,2), ARRAY<INT>, MAP<STRING, INT>, STRUCT<a: INT>.
std::string SqlTypeName(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::STRUCT: {
      std::string s = "STRUCT<";
      for (int i = 0; i < type.num_fields(); ++i) {
        const auto& f = type.field(i);
        s += (i ? ", " : "") + f->name() + ": " + SqlTypeName(*f->type()) +
             (f->nullable() ? "" : " NOT NULL");
      }
      return s + ">";
    }
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST: return "ARRAY<" + SqlTypeName(*type.field(0)->type()) + ">";
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(type);
      return "MAP<" + SqlTypeName(*map.key_type()) + ", " + SqlTypeName(*map.item_type()) + ">";
    }
    default: break;
  }
  std::string name = TypeName(type);
  if (name == "long") name = "bigint";
  if (name == "integer") name = "int";
  if (name == "short") name = "smallint";
  if (name == "byte") name = "tinyint";
  for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

bool NeedsQuotes(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return true;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return true;
  }
  return false;
}

// The files a plan reads, as URIs.
Status CollectInputFiles(const plan::PlanNode& node, std::set<std::string>* files) {
  for (const auto& child : node.children) RETURN_NOT_OK(CollectInputFiles(*child, files));
  if (node.kind != plan::PlanKind::kScan) return Status::OK();
  ASSIGN_OR_RAISE(auto root, io::ResolveLocation(node.scan.path));
  if (node.scan.format == plan::ScanSource::Format::kDelta) {
    delta::SnapshotOptions options;
    options.version = node.scan.version;
    ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(root, options));
    for (const auto& add : snapshot->files()) {
      ASSIGN_OR_RAISE(auto location, delta::DataFileLocation(root, add.path));
      files->insert("file://" + location.path);
    }
    return Status::OK();
  }
  std::error_code ec;
  std::filesystem::path path(root.path);
  if (std::filesystem::is_regular_file(path, ec)) {
    files->insert("file://" + path.string());
    return Status::OK();
  }
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    auto name = it->path().filename().string();
    if (!name.empty() && (name[0] == '_' || name[0] == '.')) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec)) files->insert("file://" + it->path().string());
  }
  return Status::OK();
}

// An expression of the client's plan as SQL text, or its kind when it has none.
std::string ExpressionSummary(const pb::Expression& expression, PlanTranslator& translator) {
  auto syntax = translator.Expression(expression);
  if (syntax.ok()) {
    auto text = ExpressionText(**syntax);
    if (text.ok()) return *text;
  }
  const auto* kind = expression.GetDescriptor()->FindOneofByName("expr_type");
  const auto* set = kind ? expression.GetReflection()->GetOneofFieldDescriptor(expression, kind)
                         : nullptr;
  return set ? set->name() : "?";
}

// The client's plan as it arrived, unresolved: one line per relation, "'" + its kind and its
// arguments (names, literals, expressions as SQL), as Spark's parsed logical plan shows them.
void UnresolvedPlanLines(const pb::Relation& relation, PlanTranslator& translator,
                         const std::string& prefix, const std::string& connector,
                         std::string* out) {
  namespace gp = google::protobuf;
  const gp::Reflection* reflection = relation.GetReflection();
  const gp::OneofDescriptor* rel_type = relation.GetDescriptor()->FindOneofByName("rel_type");
  const gp::FieldDescriptor* set = rel_type ? reflection->GetOneofFieldDescriptor(relation, rel_type)
                                            : nullptr;
  if (!set || set->cpp_type() != gp::FieldDescriptor::CPPTYPE_MESSAGE) {
    *out += prefix + connector + "'Unknown\n";
    return;
  }
  const gp::Message& body = reflection->GetMessage(relation, set);
  const gp::Reflection* r = body.GetReflection();
  std::vector<const gp::FieldDescriptor*> fields;
  r->ListFields(body, &fields);
  std::string args;
  std::vector<const pb::Relation*> children;
  auto add = [&](const std::string& text) { args += (args.empty() ? " " : ", ") + text; };
  for (const gp::FieldDescriptor* f : fields) {
    const bool is_relation = f->cpp_type() == gp::FieldDescriptor::CPPTYPE_MESSAGE &&
                             f->message_type() == pb::Relation::descriptor();
    const bool is_expression = f->cpp_type() == gp::FieldDescriptor::CPPTYPE_MESSAGE &&
                               f->message_type() == pb::Expression::descriptor();
    const int n = f->is_repeated() ? r->FieldSize(body, f) : 1;
    std::vector<std::string> items;
    for (int k = 0; k < n; ++k) {
      if (is_relation) {
        children.push_back(static_cast<const pb::Relation*>(
            f->is_repeated() ? &r->GetRepeatedMessage(body, f, k) : &r->GetMessage(body, f)));
      } else if (is_expression) {
        const auto& e = static_cast<const pb::Expression&>(
            f->is_repeated() ? r->GetRepeatedMessage(body, f, k) : r->GetMessage(body, f));
        items.push_back(ExpressionSummary(e, translator));
      } else if (f->type() == gp::FieldDescriptor::TYPE_BYTES) {
        // Row data (a local relation's Arrow stream) is shown by its size only.
        const std::string bytes =
            f->is_repeated() ? r->GetRepeatedString(body, f, k) : r->GetString(body, f);
        items.push_back(f->name() + "=<" + std::to_string(bytes.size()) + " bytes>");
      } else if (f->cpp_type() == gp::FieldDescriptor::CPPTYPE_STRING) {
        items.push_back(f->is_repeated() ? r->GetRepeatedString(body, f, k)
                                         : r->GetString(body, f));
      } else if (f->cpp_type() != gp::FieldDescriptor::CPPTYPE_MESSAGE) {
        std::string text;
        if (f->is_repeated()) {
          gp::TextFormat::PrintFieldValueToString(body, f, k, &text);
        } else {
          gp::TextFormat::PrintFieldValueToString(body, f, -1, &text);
        }
        items.push_back(f->name() + "=" + text);
      } else {
        items.push_back(f->name());
      }
    }
    if (is_relation) continue;
    if (f->is_repeated()) {
      std::string list;
      for (const auto& item : items) list += (list.empty() ? "" : ", ") + item;
      add("[" + list + "]");
    } else if (!items.empty()) {
      add(items[0]);
    }
  }
  *out += prefix + connector + "'" + set->message_type()->name() + args + "\n";
  const std::string child_prefix =
      prefix + (connector.empty() ? "" : connector == "+- " ? "   " : ":  ");
  for (size_t i = 0; i < children.size(); ++i) {
    UnresolvedPlanLines(*children[i], translator, child_prefix,
                        i + 1 == children.size() ? "+- " : ":- ", out);
  }
}

std::string ExplainText(const std::string& parsed, const plan::PlanPtr& analyzed,
                        const plan::PlanPtr& optimized,
                        pb::AnalyzePlanRequest::Explain::ExplainMode mode) {
  using M = pb::AnalyzePlanRequest::Explain;
  std::string physical = "== Physical Plan ==\n" + exec::PhysicalPlanText(*optimized);
  switch (mode) {
    case M::EXPLAIN_MODE_EXTENDED:
    case M::EXPLAIN_MODE_COST:
      return "== Parsed Logical Plan ==\n" + parsed + "\n== Analyzed Logical Plan ==\n" +
             plan::ToString(*analyzed) + "\n== Optimized Logical Plan ==\n" +
             plan::ToString(*optimized) + "\n" + physical;
    case M::EXPLAIN_MODE_FORMATTED:
      return physical + "\n";
    case M::EXPLAIN_MODE_CODEGEN:
      return "Found 0 WholeStageCodegen subtrees.\n" + physical;
    default: return physical;
  }
}

pb::StorageLevel DefaultStorageLevel() {
  // MEMORY_AND_DISK_DESER, what Dataset.cache() uses.
  pb::StorageLevel level;
  level.set_use_disk(true);
  level.set_use_memory(true);
  level.set_use_off_heap(false);
  level.set_deserialized(true);
  level.set_replication(1);
  return level;
}

}  // namespace

std::string SchemaTreeString(const arrow::Schema& schema, int level) {
  std::string out = "root\n";
  TreeLines(*arrow::struct_(schema.fields()), "", 1, level, &out);
  return out;
}

std::string SchemaToDdl(const arrow::Schema& schema) {
  std::string out;
  for (int i = 0; i < schema.num_fields(); ++i) {
    const auto& f = schema.field(i);
    std::string name = NeedsQuotes(f->name()) ? "`" + f->name() + "`" : f->name();
    out += (i ? "," : "") + name + " " + SqlTypeName(*f->type()) +
           (f->nullable() ? "" : " NOT NULL");
  }
  return out;
}

Status AnalyzeRequest(const pb::AnalyzePlanRequest& request, TranslationContext context,
                      pb::AnalyzePlanResponse* response, const PersistCallback& persist) {
  PlanTranslator translator(std::move(context));
  auto root = [](const pb::Plan& plan) -> Result<const pb::Relation*> {
    if (!plan.has_root()) {
      return UserError("CONNECT_INVALID_PLAN.CANNOT_PARSE",
                       "AnalyzePlan needs a plan with a root relation.");
    }
    return &plan.root();
  };
  using R = pb::AnalyzePlanRequest;
  switch (request.analyze_case()) {
    case R::kSchema: {
      ASSIGN_OR_RAISE(auto relation, root(request.schema().plan()));
      ASSIGN_OR_RAISE(auto schema, translator.Schema(*relation));
      ASSIGN_OR_RAISE(schema, WithColumnMetadata(*relation, schema, translator));
      ASSIGN_OR_RAISE(*response->mutable_schema()->mutable_schema(), ToProtoSchema(*schema));
      return Status::OK();
    }
    case R::kExplain: {
      ASSIGN_OR_RAISE(auto relation, root(request.explain().plan()));
      ASSIGN_OR_RAISE(auto analyzed, translator.Plan(*relation, /*optimize=*/false));
      ASSIGN_OR_RAISE(auto optimized, translator.Plan(*relation, /*optimize=*/true));
      std::string parsed;
      UnresolvedPlanLines(*relation, translator, "", "", &parsed);
      response->mutable_explain()->set_explain_string(
          ExplainText(parsed, analyzed, optimized, request.explain().explain_mode()));
      return Status::OK();
    }
    case R::kTreeString: {
      ASSIGN_OR_RAISE(auto relation, root(request.tree_string().plan()));
      ASSIGN_OR_RAISE(auto schema, translator.Schema(*relation));
      int level = request.tree_string().has_level() ? request.tree_string().level() : 0;
      response->mutable_tree_string()->set_tree_string(SchemaTreeString(*schema, level));
      return Status::OK();
    }
    case R::kIsLocal: {
      ASSIGN_OR_RAISE(auto relation, root(request.is_local().plan()));
      response->mutable_is_local()->set_is_local(relation->has_local_relation() ||
                                                 relation->has_cached_local_relation());
      return Status::OK();
    }
    case R::kIsStreaming:
      response->mutable_is_streaming()->set_is_streaming(false);
      return Status::OK();
    case R::kInputFiles: {
      ASSIGN_OR_RAISE(auto relation, root(request.input_files().plan()));
      ASSIGN_OR_RAISE(auto plan, translator.Plan(*relation, /*optimize=*/false));
      std::set<std::string> files;
      RETURN_NOT_OK(CollectInputFiles(*plan, &files));
      for (const auto& f : files) response->mutable_input_files()->add_files(f);
      return Status::OK();
    }
    case R::kSparkVersion:
      response->mutable_spark_version()->set_version("4.2.0");
      return Status::OK();
    case R::kDdlParse: {
      ASSIGN_OR_RAISE(*response->mutable_ddl_parse()->mutable_parsed(),
                      ParseTypeStringToProto(request.ddl_parse().ddl_string()));
      return Status::OK();
    }
    case R::kJsonToDdl: {
      ASSIGN_OR_RAISE(auto schema, ParseSchemaString(request.json_to_ddl().json_string()));
      response->mutable_json_to_ddl()->set_ddl_string(SchemaToDdl(*schema));
      return Status::OK();
    }
    case R::kSameSemantics: {
      ASSIGN_OR_RAISE(auto a, root(request.same_semantics().target_plan()));
      ASSIGN_OR_RAISE(auto b, root(request.same_semantics().other_plan()));
      ASSIGN_OR_RAISE(auto plan_a, translator.Plan(*a));
      ASSIGN_OR_RAISE(auto plan_b, translator.Plan(*b));
      response->mutable_same_semantics()->set_result(plan::ToString(*plan_a) ==
                                                     plan::ToString(*plan_b));
      return Status::OK();
    }
    case R::kSemanticHash: {
      ASSIGN_OR_RAISE(auto relation, root(request.semantic_hash().plan()));
      ASSIGN_OR_RAISE(auto plan, translator.Plan(*relation));
      auto hash = std::hash<std::string>{}(plan::ToString(*plan));
      response->mutable_semantic_hash()->set_result(static_cast<int32_t>(hash));
      return Status::OK();
    }
    case R::kPersist: {
      // Checked now, materialized on first use.
      RETURN_NOT_OK(translator.Schema(request.persist().relation()).status());
      auto level = request.persist().has_storage_level() ? request.persist().storage_level()
                                                         : DefaultStorageLevel();
      persist(request.persist().relation(), &level, false);
      response->mutable_persist();
      return Status::OK();
    }
    case R::kUnpersist:
      persist(request.unpersist().relation(), nullptr, true);
      response->mutable_unpersist();
      return Status::OK();
    case R::kGetStorageLevel: {
      auto level = persist(request.get_storage_level().relation(), nullptr, false);
      auto* out = response->mutable_get_storage_level()->mutable_storage_level();
      if (level) {
        *out = *level;
      } else {
        out->set_replication(1);  // StorageLevel.NONE
      }
      return Status::OK();
    }
    default:
      return UserError("CONNECT_INVALID_PLAN.CANNOT_PARSE",
                       "This AnalyzePlan request is not supported.");
  }
}

}  // namespace basin::connect
