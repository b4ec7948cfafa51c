// JSON functions: get_json_object (JSONPath subset: $, .name, ['name'], [n]), to_json (null
// fields omitted, dates and timestamps in Spark's default formats) and from_json with a DDL
// schema string (PERMISSIVE: values that do not fit the schema become null).

#include <cctype>

#include "basin/function/cast.h"
#include "basin/function/datetime_pattern.h"
#include "basin/function/decimal_math.h"
#include "basin/function/kernel_support.h"
#include "basin/types/json_text.h"
#include "basin/types/schema_json.h"  // brings nlohmann::json, the types layer's JSON library
#include "basin/types/variant_type.h"

namespace basin::function {

namespace {

using S = std::vector<ArgReader>;
using Json = nlohmann::ordered_json;

std::optional<Json> ParseJson(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// Evaluates a JSONPath subset; returns nullptr when the path does not resolve.
const Json* Walk(const Json& root, std::string_view path) {
  if (path.empty() || path[0] != '$') return nullptr;
  const Json* cur = &root;
  size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t j = i + 1;
      while (j < path.size() && path[j] != '.' && path[j] != '[') ++j;
      const std::string key(path.substr(i + 1, j - i - 1));
      if (key.empty() || !cur->is_object()) return nullptr;
      auto it = cur->find(key);
      if (it == cur->end()) return nullptr;
      cur = &*it;
      i = j;
    } else if (path[i] == '[') {
      const size_t close = path.find(']', i);
      if (close == std::string_view::npos) return nullptr;
      std::string_view inside = path.substr(i + 1, close - i - 1);
      if (inside.size() >= 2 && (inside.front() == '\'' || inside.front() == '"')) {
        const std::string key(inside.substr(1, inside.size() - 2));
        if (!cur->is_object()) return nullptr;
        auto it = cur->find(key);
        if (it == cur->end()) return nullptr;
        cur = &*it;
      } else {
        if (!cur->is_array() || inside.empty()) return nullptr;
        size_t idx = 0;
        for (char c : inside) {
          if (!std::isdigit(static_cast<unsigned char>(c))) return nullptr;
          idx = idx * 10 + static_cast<size_t>(c - '0');
        }
        if (idx >= cur->size()) return nullptr;
        cur = &(*cur)[idx];
      }
      i = close + 1;
    } else {
      return nullptr;
    }
  }
  return cur;
}

// Strings are escaped as Spark (Jackson) escapes them.
void AppendQuoted(std::string_view s, std::string* out) { types::AppendJsonString(s, out); }

Status WriteJson(const arrow::Array& a, int64_t i, const EvalContext& ctx, std::string* out) {
  if (a.IsNull(i)) {
    out->append("null");
    return Status::OK();
  }
  switch (a.type_id()) {
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
      AppendQuoted(static_cast<const arrow::StringArray&>(a).GetView(i), out);
      return Status::OK();
    case arrow::Type::DATE32:
    case arrow::Type::TIME64:
    case arrow::Type::BINARY: {
      ARROW_ASSIGN_OR_RAISE(auto s, ValueToString(a, i, ctx));
      AppendQuoted(s, out);
      return Status::OK();
    }
    case arrow::Type::TIMESTAMP: {
      const int64_t v = static_cast<const arrow::TimestampArray&>(a).Value(i);
      const bool ntz = static_cast<const arrow::TimestampType&>(*a.type()).timezone().empty();
      ARROW_ASSIGN_OR_RAISE(auto pattern, DatetimePattern::Compile(
                                              ntz ? "yyyy-MM-dd'T'HH:mm:ss.SSS"
                                                  : "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"));
      int64_t off = 0;
      if (!ntz) {
        ARROW_ASSIGN_OR_RAISE(off, ZoneOffsetSeconds(v, ctx.session_time_zone));
      }
      AppendQuoted(pattern.Format(v + off * kMicrosPerSecond, off, ctx.session_time_zone), out);
      return Status::OK();
    }
    case arrow::Type::LIST: {
      const auto& l = static_cast<const arrow::ListArray&>(a);
      out->push_back('[');
      for (int64_t j = l.value_offset(i); j < l.value_offset(i + 1); ++j) {
        if (j > l.value_offset(i)) out->push_back(',');
        RETURN_NOT_OK(WriteJson(*l.values(), j, ctx, out));
      }
      out->push_back(']');
      return Status::OK();
    }
    case arrow::Type::MAP: {
      const auto& m = static_cast<const arrow::MapArray&>(a);
      out->push_back('{');
      for (int64_t j = m.value_offset(i); j < m.value_offset(i + 1); ++j) {
        if (j > m.value_offset(i)) out->push_back(',');
        ARROW_ASSIGN_OR_RAISE(auto k, ValueToString(*m.keys(), j, ctx));
        AppendQuoted(k, out);
        out->push_back(':');
        RETURN_NOT_OK(WriteJson(*m.items(), j, ctx, out));
      }
      out->push_back('}');
      return Status::OK();
    }
    case arrow::Type::STRUCT: {
      const auto& s = static_cast<const arrow::StructArray&>(a);
      out->push_back('{');
      bool first = true;
      for (int f = 0; f < s.num_fields(); ++f) {
        if (s.field(f)->IsNull(i)) continue;  // ignoreNullFields
        if (!first) out->push_back(',');
        first = false;
        AppendQuoted(s.type()->field(f)->name(), out);
        out->push_back(':');
        RETURN_NOT_OK(WriteJson(*s.field(f), i, ctx, out));
      }
      out->push_back('}');
      return Status::OK();
    }
    default: {
      ARROW_ASSIGN_OR_RAISE(auto s, ValueToString(a, i, ctx));
      out->append(s);
      return Status::OK();
    }
  }
}

// --- DDL schema strings ("a INT, b ARRAY<STRING>, c STRUCT<x: DOUBLE>") --------------------------
class DdlParser {
 public:
  explicit DdlParser(std::string_view text) : s_(text) {}
  Result<arrow::FieldVector> Fields(char end) {
    arrow::FieldVector fields;
    Skip();
    if (Peek() == end) return fields;
    while (true) {
      Skip();
      std::string name = Ident();
      if (name.empty()) return Error();
      Skip();
      if (Peek() == ':') ++pos_;
      ARROW_ASSIGN_OR_RAISE(auto type, Type());
      fields.push_back(arrow::field(name, type));
      Skip();
      // Optional NOT NULL / COMMENT are ignored.
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      break;
    }
    return fields;
  }
  Result<TypePtr> Type() {
    Skip();
    const std::string word = ToLowerAscii(Ident());
    if (word == "tinyint" || word == "byte") return arrow::int8();
    if (word == "smallint" || word == "short") return arrow::int16();
    if (word == "int" || word == "integer") return arrow::int32();
    if (word == "bigint" || word == "long") return arrow::int64();
    if (word == "float" || word == "real") return arrow::float32();
    if (word == "double") return arrow::float64();
    if (word == "boolean") return arrow::boolean();
    if (word == "string") return arrow::utf8();
    if (word == "binary") return arrow::binary();
    if (word == "date") return arrow::date32();
    if (word == "timestamp") return TimestampType();
    if (word == "timestamp_ntz") return TimestampNtzType();
    if (word == "decimal" || word == "dec" || word == "numeric") {
      Skip();
      int p = 10, sc = 0;
      if (Peek() == '(') {
        ++pos_;
        p = Number();
        Skip();
        if (Peek() == ',') {
          ++pos_;
          sc = Number();
        }
        Skip();
        if (Peek() != ')') return Error();
        ++pos_;
      }
      return arrow::decimal128(p, sc);
    }
    if (word == "array") {
      RETURN_NOT_OK(Expect('<'));
      ARROW_ASSIGN_OR_RAISE(auto e, Type());
      RETURN_NOT_OK(Expect('>'));
      return arrow::list(e);
    }
    if (word == "map") {
      RETURN_NOT_OK(Expect('<'));
      ARROW_ASSIGN_OR_RAISE(auto k, Type());
      RETURN_NOT_OK(Expect(','));
      ARROW_ASSIGN_OR_RAISE(auto v, Type());
      RETURN_NOT_OK(Expect('>'));
      return arrow::map(k, v);
    }
    if (word == "struct") {
      RETURN_NOT_OK(Expect('<'));
      ARROW_ASSIGN_OR_RAISE(auto fields, Fields('>'));
      RETURN_NOT_OK(Expect('>'));
      return arrow::struct_(fields);
    }
    return Error();
  }
  bool AtEnd() {
    Skip();
    return pos_ >= s_.size();
  }

 private:
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void Skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  std::string Ident() {
    Skip();
    if (Peek() == '`') {
      const size_t close = s_.find('`', pos_ + 1);
      if (close == std::string_view::npos) return {};
      std::string id(s_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      return id;
    }
    const size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }
  int Number() {
    Skip();
    int v = 0;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) v = v * 10 + (s_[pos_++] - '0');
    return v;
  }
  Status Expect(char c) {
    Skip();
    if (Peek() != c) return Error();
    ++pos_;
    return Status::OK();
  }
  Status Error() const {
    return UserError("PARSE_SYNTAX_ERROR",
                     "Syntax error at or near '" + std::string(s_.substr(std::min(pos_, s_.size()))) +
                         "' in the schema string '" + std::string(s_) + "'.");
  }
  std::string_view s_;
  size_t pos_ = 0;
};

Result<TypePtr> ParseSchema(std::string_view ddl) {
  DdlParser p(ddl);
  // A bare type ("array<int>", "map<string,int>") or a field list.
  {
    DdlParser probe(ddl);
    auto t = probe.Type();
    if (t.ok() && probe.AtEnd()) return *t;
  }
  ARROW_ASSIGN_OR_RAISE(auto fields, p.Fields('\0'));
  if (!p.AtEnd()) return UserError("PARSE_SYNTAX_ERROR", "Syntax error in the schema string '" + std::string(ddl) + "'.");
  return arrow::struct_(fields);
}

// Appends a JSON value as `type`; values that do not fit become null.
Status AppendJson(const Json& j, const TypePtr& type, arrow::ArrayBuilder* b, const EvalContext& ctx) {
  if (j.is_null()) return b->AppendNull();
  switch (type->id()) {
    case arrow::Type::BOOL:
      if (!j.is_boolean()) return b->AppendNull();
      return static_cast<arrow::BooleanBuilder*>(b)->Append(j.get<bool>());
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64: {
      if (!j.is_number_integer()) return b->AppendNull();
      const int64_t v = j.get<int64_t>();
      switch (type->id()) {
        case arrow::Type::INT8:
          if (v < INT8_MIN || v > INT8_MAX) return b->AppendNull();
          return static_cast<arrow::Int8Builder*>(b)->Append(static_cast<int8_t>(v));
        case arrow::Type::INT16:
          if (v < INT16_MIN || v > INT16_MAX) return b->AppendNull();
          return static_cast<arrow::Int16Builder*>(b)->Append(static_cast<int16_t>(v));
        case arrow::Type::INT32:
          if (v < INT32_MIN || v > INT32_MAX) return b->AppendNull();
          return static_cast<arrow::Int32Builder*>(b)->Append(static_cast<int32_t>(v));
        default:
          return static_cast<arrow::Int64Builder*>(b)->Append(v);
      }
    }
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE: {
      double v;
      if (j.is_number()) {
        v = j.get<double>();
      } else if (j.is_string() && (j.get<std::string>() == "NaN" || j.get<std::string>() == "Infinity" ||
                                   j.get<std::string>() == "-Infinity")) {
        v = *ParseDouble(j.get<std::string>());
      } else {
        return b->AppendNull();
      }
      if (type->id() == arrow::Type::FLOAT) return static_cast<arrow::FloatBuilder*>(b)->Append(static_cast<float>(v));
      return static_cast<arrow::DoubleBuilder*>(b)->Append(v);
    }
    case arrow::Type::DECIMAL128: {
      if (!j.is_number()) return b->AppendNull();
      const auto& d = static_cast<const arrow::Decimal128Type&>(*type);
      bool of = false;
      auto v = ParseDecimal(j.dump(), d.precision(), d.scale(), &of);
      if (!v) return b->AppendNull();
      return static_cast<arrow::Decimal128Builder*>(b)->Append(*v);
    }
    case arrow::Type::STRING:
      if (j.is_string()) return static_cast<arrow::StringBuilder*>(b)->Append(j.get<std::string>());
      return static_cast<arrow::StringBuilder*>(b)->Append(j.dump());
    case arrow::Type::BINARY:
      if (!j.is_string()) return b->AppendNull();
      return static_cast<arrow::BinaryBuilder*>(b)->Append(j.get<std::string>());
    case arrow::Type::DATE32: {
      if (!j.is_string()) return b->AppendNull();
      auto d = ParseDate(j.get<std::string>());
      if (!d) return b->AppendNull();
      return static_cast<arrow::Date32Builder*>(b)->Append(*d);
    }
    case arrow::Type::TIMESTAMP: {
      const bool ntz = static_cast<const arrow::TimestampType&>(*type).timezone().empty();
      if (!j.is_string()) return b->AppendNull();
      auto t = ParseTimestamp(j.get<std::string>(), ntz ? std::string() : ctx.session_time_zone);
      if (!t) return b->AppendNull();
      return static_cast<arrow::TimestampBuilder*>(b)->Append(*t);
    }
    case arrow::Type::LIST: {
      if (!j.is_array()) return b->AppendNull();
      auto* lb = static_cast<arrow::ListBuilder*>(b);
      RETURN_NOT_OK(lb->Append());
      const TypePtr e = static_cast<const arrow::ListType&>(*type).value_type();
      for (const auto& item : j) RETURN_NOT_OK(AppendJson(item, e, lb->value_builder(), ctx));
      return Status::OK();
    }
    case arrow::Type::MAP: {
      if (!j.is_object()) return b->AppendNull();
      auto* mb = static_cast<arrow::MapBuilder*>(b);
      const auto& mt = static_cast<const arrow::MapType&>(*type);
      RETURN_NOT_OK(mb->Append());
      for (auto it = j.begin(); it != j.end(); ++it) {
        RETURN_NOT_OK(AppendJson(Json(it.key()), mt.key_type(), mb->key_builder(), ctx));
        RETURN_NOT_OK(AppendJson(it.value(), mt.item_type(), mb->item_builder(), ctx));
      }
      return Status::OK();
    }
    case arrow::Type::STRUCT: {
      if (!j.is_object()) return b->AppendNull();
      auto* sb = static_cast<arrow::StructBuilder*>(b);
      RETURN_NOT_OK(sb->Append());
      for (int f = 0; f < type->num_fields(); ++f) {
        const auto& field = type->field(f);
        auto it = j.find(field->name());
        if (it == j.end()) {
          RETURN_NOT_OK(sb->field_builder(f)->AppendNull());
        } else {
          RETURN_NOT_OK(AppendJson(*it, field->type(), sb->field_builder(f), ctx));
        }
      }
      return Status::OK();
    }
    default:
      return b->AppendNull();
  }
}

}  // namespace

void RegisterJsonFunctions(FunctionTable* table) {
  const TypePtr s = arrow::utf8();
  table->AddFixed("get_json_object", {s, s}, s,
                  [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                    auto j = ParseJson(a[0].Str(i));
                    if (!j) return out.Null();
                    const Json* v = Walk(*j, a[1].Str(i));
                    if (!v || v->is_null()) return out.Null();
                    if (v->is_string()) return out.Str(v->get<std::string>());
                    return out.Str(v->dump());
                  });
  table->AddScalar("to_json", [](const std::string& name, const std::vector<TypePtr>& args)
                                  -> Result<BoundScalar> {
    if (args.empty() || args.size() > 2) return WrongNumArgs(name, "[1, 2]", args.size());
    const auto id = args[0]->id();
    if (id != arrow::Type::STRUCT && id != arrow::Type::MAP && id != arrow::Type::LIST) {
      return UnexpectedInputType(name, 0, "(\"STRUCT\" or \"MAP\" or \"ARRAY\")", *args[0], name);
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = {args[0]};
    if (args.size() == 2) b.arg_types.push_back(args[1]);
    b.return_type = arrow::utf8();
    if (types::IsVariantType(*args[0])) {
      b.kernel = RowKernel(arrow::utf8(), [](const S& a, int64_t i, OutBuilder& out,
                                             const EvalContext& ctx) -> Status {
        ARROW_ASSIGN_OR_RAISE(auto text, ValueToString(*a[0].array(), a[0].Index(i), ctx));
        return out.Str(text);
      });
      return b;
    }
    b.kernel = RowKernel(arrow::utf8(), [](const S& a, int64_t i, OutBuilder& out,
                                           const EvalContext& ctx) -> Status {
      if (a[0].IsNull(i)) return out.Null();
      std::string text;
      RETURN_NOT_OK(WriteJson(*a[0].array(), a[0].Index(i), ctx, &text));
      return out.Str(text);
    }, false);
    return b;
  });
  table->AddScalarWithConstants("from_json", [](const std::string& name,
                                                const std::vector<TypePtr>& args,
                                                const std::vector<arrow::Datum>& constants)
                                                 -> Result<BoundScalar> {
    if (args.size() < 2 || args.size() > 3) return WrongNumArgs(name, "[2, 3]", args.size());
    if (!ImplicitCastTarget(args[0], arrow::utf8())) {
      return UnexpectedInputType(name, 0, "STRING", *args[0], name);
    }
    if (constants.size() < 2 || !constants[1].is_scalar() || !constants[1].scalar()->is_valid ||
        !IsStringLike(*args[1])) {
      return UserError("INVALID_SCHEMA.NON_STRING_LITERAL",
                       "The input schema is not a valid schema string. The input expression must "
                       "be string literal and not null.");
    }
    ArgReader schema_text(constants[1]);
    ARROW_ASSIGN_OR_RAISE(auto schema, ParseSchema(schema_text.Str(0)));
    BoundScalar b;
    b.name = name;
    b.arg_types = {arrow::utf8(), args[1]};
    if (args.size() == 3) b.arg_types.push_back(args[2]);
    b.return_type = schema;
    b.kernel = RowKernel(schema, [schema](const S& a, int64_t i, OutBuilder& out,
                                          const EvalContext& ctx) -> Status {
      if (a[0].IsNull(i)) return out.Null();
      auto j = ParseJson(a[0].Str(i));
      if (!j) {
        // PERMISSIVE: a malformed record gives a struct of nulls.
        if (schema->id() == arrow::Type::STRUCT) return AppendJson(Json::object(), schema, out.builder(), ctx);
        return out.Null();
      }
      return AppendJson(*j, schema, out.builder(), ctx);
    }, false);
    return b;
  });
}

}  // namespace basin::function
