// Spark's VARIANT functions: parse_json, try_parse_json, is_variant_null, variant_get,
// try_variant_get, schema_of_variant, and the variant side of CAST (variant_cast.h). A variant is
// the struct<value, metadata> of types::VariantType(); its bytes follow VariantEncoding.md.

#include "basin/function/variant_cast.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <optional>

#include "basin/function/cast.h"
#include "basin/function/kernel_support.h"
#include "basin/types/variant.h"
#include "basin/types/variant_type.h"

namespace basin::function {

namespace {

using types::VariantBasicType;
using types::VariantPrimitive;
using types::VariantValue;

// Variant rows of one argument: the value and metadata bytes of row i.
struct VariantReader {
  explicit VariantReader(const ArgReader& reader) : arg(reader) {
    const auto& st = static_cast<const arrow::StructArray&>(*reader.array());
    values = std::static_pointer_cast<arrow::BinaryArray>(st.field(0));
    metadatas = std::static_pointer_cast<arrow::BinaryArray>(st.field(1));
  }
  bool IsNull(int64_t i) const { return arg.IsNull(i); }
  std::string_view Value(int64_t i) const { return values->GetView(arg.Index(i)); }
  std::string_view Metadata(int64_t i) const { return metadatas->GetView(arg.Index(i)); }

  const ArgReader& arg;
  std::shared_ptr<arrow::BinaryArray> values;
  std::shared_ptr<arrow::BinaryArray> metadatas;
};

// Builds an array of VariantType() row by row.
class VariantOut {
 public:
  Status Null() {
    validity_.push_back(false);
    RETURN_NOT_OK(values_.Append("", 0));
    return metadatas_.Append("", 0);
  }
  Status Append(std::string_view metadata, std::string_view value) {
    validity_.push_back(true);
    RETURN_NOT_OK(values_.Append(value));
    return metadatas_.Append(metadata);
  }
  Result<arrow::Datum> Finish(bool scalar) {
    ARROW_ASSIGN_OR_RAISE(auto values, values_.Finish());
    ARROW_ASSIGN_OR_RAISE(auto metadatas, metadatas_.Finish());
    const int64_t n = static_cast<int64_t>(validity_.size());
    ARROW_ASSIGN_OR_RAISE(auto bitmap, arrow::AllocateEmptyBitmap(n));
    int64_t nulls = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (validity_[i]) {
        arrow::bit_util::SetBit(bitmap->mutable_data(), i);
      } else {
        ++nulls;
      }
    }
    auto array = std::make_shared<arrow::StructArray>(
        types::VariantType(), n, arrow::ArrayVector{values, metadatas},
        nulls > 0 ? std::shared_ptr<arrow::Buffer>(bitmap) : nullptr, nulls);
    if (scalar) {
      ARROW_ASSIGN_OR_RAISE(auto s, array->GetScalar(0));
      return arrow::Datum(s);
    }
    return arrow::Datum(std::static_pointer_cast<arrow::Array>(array));
  }

 private:
  std::vector<bool> validity_;
  arrow::BinaryBuilder values_;
  arrow::BinaryBuilder metadatas_;
};

int64_t NumRows(const std::vector<arrow::Datum>& args, int64_t num_rows) {
  return AllScalar(args) ? 1 : num_rows;
}

Result<uint64_t> LittleEndian(std::string_view bytes, size_t pos, size_t width) {
  if (pos + width > bytes.size()) {
    return UserError("MALFORMED_VARIANT",
                     "Variant binary is malformed. Please check the data "
                     "source is valid.");
  }
  uint64_t v = 0;
  for (size_t k = 0; k < width; ++k) {
    v |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[pos + k])) << (8 * k);
  }
  return v;
}

int64_t SignExtend(uint64_t v, size_t width) {
  if (width == 8) return static_cast<int64_t>(v);
  const uint64_t sign = uint64_t{1} << (8 * width - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

// Returns a scalar primitive as an Arrow scalar of its natural Spark type; nullptr for a variant
// null, nullopt for objects, arrays and types without a Spark equivalent here.
Result<std::optional<std::shared_ptr<arrow::Scalar>>> NaturalScalar(const VariantValue& v) {
  using R = std::optional<std::shared_ptr<arrow::Scalar>>;
  ARROW_ASSIGN_OR_RAISE(auto bytes, v.Bytes());
  if (v.basic_type() == VariantBasicType::kShortString) {
    return R(std::make_shared<arrow::StringScalar>(std::string(bytes.substr(1))));
  }
  if (v.basic_type() != VariantBasicType::kPrimitive) return R();
  auto integer = [&](size_t width) -> Result<int64_t> {
    ARROW_ASSIGN_OR_RAISE(auto raw, LittleEndian(bytes, 1, width));
    return SignExtend(raw, width);
  };
  switch (v.primitive()) {
    case VariantPrimitive::kNull:
      return R(nullptr);
    case VariantPrimitive::kTrue:
      return R(std::make_shared<arrow::BooleanScalar>(true));
    case VariantPrimitive::kFalse:
      return R(std::make_shared<arrow::BooleanScalar>(false));
    case VariantPrimitive::kInt8: {
      ARROW_ASSIGN_OR_RAISE(auto x, integer(1));
      return R(std::make_shared<arrow::Int8Scalar>(static_cast<int8_t>(x)));
    }
    case VariantPrimitive::kInt16: {
      ARROW_ASSIGN_OR_RAISE(auto x, integer(2));
      return R(std::make_shared<arrow::Int16Scalar>(static_cast<int16_t>(x)));
    }
    case VariantPrimitive::kInt32: {
      ARROW_ASSIGN_OR_RAISE(auto x, integer(4));
      return R(std::make_shared<arrow::Int32Scalar>(static_cast<int32_t>(x)));
    }
    case VariantPrimitive::kInt64: {
      ARROW_ASSIGN_OR_RAISE(auto x, integer(8));
      return R(std::make_shared<arrow::Int64Scalar>(x));
    }
    case VariantPrimitive::kDouble: {
      ARROW_ASSIGN_OR_RAISE(auto raw, LittleEndian(bytes, 1, 8));
      double d;
      std::memcpy(&d, &raw, 8);
      return R(std::make_shared<arrow::DoubleScalar>(d));
    }
    case VariantPrimitive::kFloat: {
      ARROW_ASSIGN_OR_RAISE(auto raw, LittleEndian(bytes, 1, 4));
      const uint32_t bits = static_cast<uint32_t>(raw);
      float f;
      std::memcpy(&f, &bits, 4);
      return R(std::make_shared<arrow::FloatScalar>(f));
    }
    case VariantPrimitive::kDecimal4:
    case VariantPrimitive::kDecimal8:
    case VariantPrimitive::kDecimal16: {
      const size_t width = v.primitive() == VariantPrimitive::kDecimal4   ? 4
                           : v.primitive() == VariantPrimitive::kDecimal8 ? 8
                                                                          : 16;
      ARROW_ASSIGN_OR_RAISE(auto scale, LittleEndian(bytes, 1, 1));
      if (scale > 38) return UserError("MALFORMED_VARIANT", "Variant binary is malformed.");
      arrow::Decimal128 unscaled;
      if (width == 16) {
        ARROW_ASSIGN_OR_RAISE(auto low, LittleEndian(bytes, 2, 8));
        ARROW_ASSIGN_OR_RAISE(auto high, LittleEndian(bytes, 10, 8));
        unscaled = arrow::Decimal128(static_cast<int64_t>(high), low);
      } else {
        ARROW_ASSIGN_OR_RAISE(auto raw, LittleEndian(bytes, 2, width));
        unscaled = arrow::Decimal128(SignExtend(raw, width));
      }
      return R(std::make_shared<arrow::Decimal128Scalar>(
          unscaled, arrow::decimal128(38, static_cast<int32_t>(scale))));
    }
    case VariantPrimitive::kDate: {
      ARROW_ASSIGN_OR_RAISE(auto x, integer(4));
      return R(std::make_shared<arrow::Date32Scalar>(static_cast<int32_t>(x)));
    }
    case VariantPrimitive::kTimestamp: {
      ARROW_ASSIGN_OR_RAISE(auto x, integer(8));
      return R(std::make_shared<arrow::TimestampScalar>(
          x, arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
    }
    case VariantPrimitive::kTimestampNtz: {
      ARROW_ASSIGN_OR_RAISE(auto x, integer(8));
      return R(
          std::make_shared<arrow::TimestampScalar>(x, arrow::timestamp(arrow::TimeUnit::MICRO)));
    }
    case VariantPrimitive::kBinary: {
      ARROW_ASSIGN_OR_RAISE(auto len, LittleEndian(bytes, 1, 4));
      if (5 + len > bytes.size())
        return UserError("MALFORMED_VARIANT", "Variant binary is malformed.");
      return R(std::make_shared<arrow::BinaryScalar>(std::string(bytes.substr(5, len))));
    }
    case VariantPrimitive::kString: {
      ARROW_ASSIGN_OR_RAISE(auto len, LittleEndian(bytes, 1, 4));
      if (5 + len > bytes.size())
        return UserError("MALFORMED_VARIANT", "Variant binary is malformed.");
      return R(std::make_shared<arrow::StringScalar>(std::string(bytes.substr(5, len))));
    }
    default:
      return R();
  }
}

// One step of a variant_get path: an object key or an array index.
struct PathStep {
  std::optional<std::string> key;
  int64_t index = 0;
};

Status InvalidPath(std::string_view path, const std::string& function) {
  return UserError("INVALID_VARIANT_GET_PATH",
                   "The path `" + std::string(path) +
                       "` is not a valid variant extraction path in ``" + function +
                       "``.\nA valid path should start with `$` and is followed by zero or more "
                       "segments like `[123]`, `.name`, `['name']`, or `[\"name\"]`.");
}

// Parses `$`, `.name`, `['name']`, `["name"]` and `[123]` segments.
Result<std::vector<PathStep>> ParsePath(std::string_view path, const std::string& function) {
  if (path.empty() || path[0] != '$') return InvalidPath(path, function);
  std::vector<PathStep> steps;
  size_t pos = 1;
  while (pos < path.size()) {
    if (path[pos] == '.') {
      size_t end = pos + 1;
      while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
      if (end == pos + 1) return InvalidPath(path, function);
      steps.push_back({std::string(path.substr(pos + 1, end - pos - 1)), 0});
      pos = end;
    } else if (path[pos] == '[') {
      if (pos + 1 < path.size() && (path[pos + 1] == '\'' || path[pos + 1] == '"')) {
        const char quote = path[pos + 1];
        const size_t close = path.find(quote, pos + 2);
        if (close == std::string_view::npos || close + 1 >= path.size() || path[close + 1] != ']') {
          return InvalidPath(path, function);
        }
        steps.push_back({std::string(path.substr(pos + 2, close - pos - 2)), 0});
        pos = close + 2;
      } else {
        size_t end = pos + 1;
        int64_t index = 0;
        while (end < path.size() && std::isdigit(static_cast<unsigned char>(path[end]))) {
          index = index * 10 + (path[end] - '0');
          if (index > INT32_MAX) return InvalidPath(path, function);
          ++end;
        }
        if (end == pos + 1 || end >= path.size() || path[end] != ']') {
          return InvalidPath(path, function);
        }
        steps.push_back({std::nullopt, index});
        pos = end + 1;
      }
    } else {
      return InvalidPath(path, function);
    }
  }
  return steps;
}

// Follows `steps` from `v`; nullopt when a step is missing or does not apply.
Result<std::optional<VariantValue>> Walk(const types::VariantMetadata& metadata, VariantValue v,
                                         const std::vector<PathStep>& steps) {
  for (const auto& step : steps) {
    if (step.key) {
      if (v.basic_type() != VariantBasicType::kObject) return std::optional<VariantValue>();
      ARROW_ASSIGN_OR_RAISE(auto n, v.NumElements());
      std::optional<VariantValue> found;
      for (uint32_t k = 0; k < n && !found; ++k) {
        ARROW_ASSIGN_OR_RAISE(auto field, v.Field(k));
        ARROW_ASSIGN_OR_RAISE(auto name, metadata.Name(field.first));
        if (name == *step.key) found = field.second;
      }
      if (!found) return found;
      v = *found;
    } else {
      if (v.basic_type() != VariantBasicType::kArray) return std::optional<VariantValue>();
      ARROW_ASSIGN_OR_RAISE(auto n, v.NumElements());
      if (step.index >= n) return std::optional<VariantValue>();
      ARROW_ASSIGN_OR_RAISE(v, v.Element(static_cast<uint32_t>(step.index)));
    }
  }
  return std::optional<VariantValue>(v);
}

bool IsVariantNull(const VariantValue& v) {
  return v.basic_type() == VariantBasicType::kPrimitive && v.primitive() == VariantPrimitive::kNull;
}

// Parses variant_get's type argument: the atomic Spark types and `variant`.
Result<TypePtr> ParseTargetType(std::string_view text) {
  std::string t;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) t += static_cast<char>(std::tolower(c));
  }
  if (t == "variant") return types::VariantType();
  if (t == "boolean") return arrow::boolean();
  if (t == "tinyint" || t == "byte") return arrow::int8();
  if (t == "smallint" || t == "short") return arrow::int16();
  if (t == "int" || t == "integer") return arrow::int32();
  if (t == "bigint" || t == "long") return arrow::int64();
  if (t == "float" || t == "real") return arrow::float32();
  if (t == "double") return arrow::float64();
  if (t == "string") return arrow::utf8();
  if (t == "binary") return arrow::binary();
  if (t == "date") return arrow::date32();
  if (t == "timestamp") return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  if (t == "timestamp_ntz") return arrow::timestamp(arrow::TimeUnit::MICRO);
  if (t == "decimal") return arrow::decimal128(10, 0);
  if (t.rfind("decimal(", 0) == 0 && t.back() == ')') {
    int p = 0, s = 0;
    char extra = 0;
    const std::string inner = t.substr(8, t.size() - 9);
    const int read = std::sscanf(inner.c_str(), "%d,%d%c", &p, &s, &extra);
    if (read == 2 && p >= 1 && p <= 38 && s >= 0 && s <= p) return arrow::decimal128(p, s);
    if (read == 2) {
      return UserError("DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION",
                       "Decimal precision " + std::to_string(p) + " exceeds max precision 38.");
    }
  }
  if (t.rfind("array<", 0) == 0 || t.rfind("map<", 0) == 0 || t.rfind("struct<", 0) == 0) {
    return UserError("UNSUPPORTED_FEATURE.VARIANT_GET_NESTED_TYPE",
                     "The feature is not supported: variant_get into the nested type \"" +
                         std::string(text) + "\"; extract the fields one by one instead.");
  }
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return UserError("UNSUPPORTED_DATATYPE", "Unsupported data type \"" + upper + "\".");
}

Status InvalidVariantCast(const std::string& json, const arrow::DataType& target) {
  return UserError("INVALID_VARIANT_CAST", "The variant value `" + json +
                                               "` cannot be cast into `\"" + SqlTypeName(target) +
                                               "\"`. Please use `try_variant_get` instead.");
}

}  // namespace

Result<std::shared_ptr<arrow::Scalar>> CastVariantValue(std::string_view metadata,
                                                        std::string_view value,
                                                        const TypePtr& target, bool try_cast,
                                                        const EvalContext& context) {
  ARROW_ASSIGN_OR_RAISE(auto v, VariantValue::Make(value));
  if (IsVariantNull(v)) return arrow::MakeNullScalar(target);
  if (target->id() == arrow::Type::STRING) {
    if (v.basic_type() == VariantBasicType::kShortString ||
        (v.basic_type() == VariantBasicType::kPrimitive &&
         v.primitive() == VariantPrimitive::kString)) {
      ARROW_ASSIGN_OR_RAISE(auto natural, NaturalScalar(v));
      return *natural;
    }
    ARROW_ASSIGN_OR_RAISE(auto bytes, v.Bytes());
    ARROW_ASSIGN_OR_RAISE(auto json,
                          types::VariantToJson(metadata, bytes, context.session_time_zone));
    return std::make_shared<arrow::StringScalar>(json);
  }
  ARROW_ASSIGN_OR_RAISE(auto natural, NaturalScalar(v));
  std::shared_ptr<arrow::Scalar> result;
  if (natural && *natural) {
    auto cast = Cast(arrow::Datum(*natural), target, /*try_cast=*/true, context);
    if (cast.ok() && cast->scalar()->is_valid) result = cast->scalar();
  }
  if (result) return result;
  if (try_cast) return arrow::MakeNullScalar(target);
  ARROW_ASSIGN_OR_RAISE(auto bytes, v.Bytes());
  ARROW_ASSIGN_OR_RAISE(auto json,
                        types::VariantToJson(metadata, bytes, context.session_time_zone));
  return InvalidVariantCast(json, *target);
}

Result<std::shared_ptr<arrow::Array>> CastVariantArray(const std::shared_ptr<arrow::Array>& in,
                                                       const TypePtr& target, bool try_cast,
                                                       const EvalContext& context) {
  ArgReader reader{arrow::Datum(in)};
  VariantReader variants(reader);
  ARROW_ASSIGN_OR_RAISE(auto out, OutBuilder::Make(target, in->length()));
  for (int64_t i = 0; i < in->length(); ++i) {
    if (variants.IsNull(i)) {
      RETURN_NOT_OK(out->Null());
      continue;
    }
    // Malformed bytes are an error even where the cast would not read them.
    RETURN_NOT_OK(types::ValidateVariant(variants.Metadata(i), variants.Value(i)));
    ARROW_ASSIGN_OR_RAISE(auto s, CastVariantValue(variants.Metadata(i), variants.Value(i), target,
                                                   try_cast, context));
    if (!s->is_valid) {
      RETURN_NOT_OK(out->Null());
    } else {
      ARROW_ASSIGN_OR_RAISE(auto one, arrow::MakeArrayFromScalar(*s, 1));
      RETURN_NOT_OK(out->CopyFrom(*one, 0));
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto d, out->Finish(false));
  return d.make_array();
}

bool CanCastVariantTo(const arrow::DataType& target) {
  return IsNumeric(target) || IsStringLike(target) || target.id() == arrow::Type::BOOL ||
         target.id() == arrow::Type::DATE32 || IsTimestamp(target) ||
         target.id() == arrow::Type::BINARY;
}

namespace {

// parse_json / try_parse_json.
ScalarBinder ParseJsonBinder(bool try_parse) {
  return [try_parse](const std::string& name,
                     const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
    if (!IsStringLike(*args[0]) && args[0]->id() != arrow::Type::NA) {
      return UnexpectedInputType(name, 0, "STRING", *args[0], name);
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = {arrow::utf8()};
    b.return_type = types::VariantType();
    b.kernel = MakeKernel([try_parse](const std::vector<arrow::Datum>& args, int64_t num_rows,
                                      const EvalContext&) -> Result<arrow::Datum> {
      ArgReader text(args[0]);
      VariantOut out;
      for (int64_t i = 0, n = NumRows(args, num_rows); i < n; ++i) {
        if (text.IsNull(i)) {
          RETURN_NOT_OK(out.Null());
          continue;
        }
        auto parsed = types::JsonToVariant(text.Str(i));
        if (!parsed.ok()) {
          if (try_parse) {
            RETURN_NOT_OK(out.Null());
            continue;
          }
          // Spark 4.2 reports a repeated key as a malformed record too.
          if (ErrorClassOf(parsed.status()) ==
              std::optional<std::string>("VARIANT_DUPLICATE_KEY")) {
            return UserError(
                "MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION",
                "Malformed records are detected in record parsing: " + std::string(text.Str(i)) +
                    ".\nParse Mode: FAILFAST. To process malformed records as null "
                    "result, try setting the option 'mode' as 'PERMISSIVE'.");
          }
          return parsed.status();
        }
        RETURN_NOT_OK(out.Append(parsed->first, parsed->second));
      }
      return out.Finish(AllScalar(args));
    });
    return b;
  };
}

Status RequireVariant(const std::string& name, const std::vector<TypePtr>& args, size_t i) {
  if (!types::IsVariantType(*args[i]) && args[i]->id() != arrow::Type::NA) {
    return UnexpectedInputType(name, i, "VARIANT", *args[i], name);
  }
  return Status::OK();
}

// variant_get / try_variant_get.
ConstantBinder VariantGetBinder(bool try_get) {
  return [try_get](const std::string& name, const std::vector<TypePtr>& args,
                   const std::vector<arrow::Datum>& constants) -> Result<BoundScalar> {
    if (args.size() != 2 && args.size() != 3) return WrongNumArgs(name, "[2, 3]", args.size());
    RETURN_NOT_OK(RequireVariant(name, args, 0));
    if (!IsStringLike(*args[1])) return UnexpectedInputType(name, 1, "STRING", *args[1], name);
    TypePtr target = types::VariantType();
    if (args.size() == 3) {
      if (constants.size() < 3 || !constants[2].is_scalar() || !constants[2].scalar()->is_valid ||
          !IsStringLike(*args[2])) {
        return NonFoldableInput(name, "targetType", "STRING");
      }
      ArgReader type_text(constants[2]);
      ARROW_ASSIGN_OR_RAISE(target, ParseTargetType(type_text.Str(0)));
    }
    // A constant path is checked when the query is analyzed.
    if (constants.size() >= 2 && constants[1].is_scalar() && constants[1].scalar()->is_valid) {
      ArgReader path(constants[1]);
      RETURN_NOT_OK(ParsePath(path.Str(0), name).status());
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = {types::VariantType(), arrow::utf8()};
    if (args.size() == 3) b.arg_types.push_back(arrow::utf8());
    b.return_type = target;
    b.kernel =
        MakeKernel([try_get, target, name](const std::vector<arrow::Datum>& args, int64_t num_rows,
                                           const EvalContext& context) -> Result<arrow::Datum> {
          ArgReader variant_arg(args[0]);
          ArgReader path_arg(args[1]);
          const int64_t n = NumRows(args, num_rows);
          const bool to_variant = types::IsVariantType(*target);
          VariantOut variant_out;
          ARROW_ASSIGN_OR_RAISE(auto out, OutBuilder::Make(target, n));
          auto null = [&]() { return to_variant ? variant_out.Null() : out->Null(); };
          std::optional<VariantReader> variants;
          if (variant_arg.type()->id() != arrow::Type::NA) variants.emplace(variant_arg);
          for (int64_t i = 0; i < n; ++i) {
            if (!variants || variants->IsNull(i) || path_arg.IsNull(i)) {
              RETURN_NOT_OK(null());
              continue;
            }
            ARROW_ASSIGN_OR_RAISE(auto steps, ParsePath(path_arg.Str(i), name));
            const std::string_view metadata_bytes = variants->Metadata(i);
            // Malformed bytes are an error even off the path (the result may copy them).
            RETURN_NOT_OK(types::ValidateVariant(metadata_bytes, variants->Value(i)));
            ARROW_ASSIGN_OR_RAISE(auto metadata, types::VariantMetadata::Parse(metadata_bytes));
            ARROW_ASSIGN_OR_RAISE(auto root, VariantValue::Make(variants->Value(i)));
            ARROW_ASSIGN_OR_RAISE(auto found, Walk(metadata, root, steps));
            if (!found) {
              RETURN_NOT_OK(null());
              continue;
            }
            ARROW_ASSIGN_OR_RAISE(auto bytes, found->Bytes());
            if (to_variant) {
              RETURN_NOT_OK(variant_out.Append(metadata_bytes, bytes));
              continue;
            }
            ARROW_ASSIGN_OR_RAISE(
                auto s, CastVariantValue(metadata_bytes, bytes, target, try_get, context));
            if (!s->is_valid) {
              RETURN_NOT_OK(out->Null());
            } else {
              ARROW_ASSIGN_OR_RAISE(auto one, arrow::MakeArrayFromScalar(*s, 1));
              RETURN_NOT_OK(out->CopyFrom(*one, 0));
            }
          }
          if (to_variant) return variant_out.Finish(AllScalar(args));
          return out->Finish(AllScalar(args));
        });
    return b;
  };
}

// Spark's schema_of_variant: the SQL type that describes a value (objects as OBJECT<...>).
Result<std::string> SchemaOf(const types::VariantMetadata& metadata, const VariantValue& v) {
  switch (v.basic_type()) {
    case VariantBasicType::kShortString:
      return std::string("STRING");
    case VariantBasicType::kObject: {
      ARROW_ASSIGN_OR_RAISE(auto n, v.NumElements());
      std::string out = "OBJECT<";
      for (uint32_t k = 0; k < n; ++k) {
        ARROW_ASSIGN_OR_RAISE(auto field, v.Field(k));
        ARROW_ASSIGN_OR_RAISE(auto name, metadata.Name(field.first));
        ARROW_ASSIGN_OR_RAISE(auto child, SchemaOf(metadata, field.second));
        out += (k ? ", " : "") + std::string(name) + ": " + child;
      }
      return out + ">";
    }
    case VariantBasicType::kArray: {
      ARROW_ASSIGN_OR_RAISE(auto n, v.NumElements());
      std::optional<std::string> element;
      for (uint32_t k = 0; k < n; ++k) {
        ARROW_ASSIGN_OR_RAISE(auto e, v.Element(k));
        ARROW_ASSIGN_OR_RAISE(auto s, SchemaOf(metadata, e));
        if (s == "VOID") continue;
        if (!element) {
          element = s;
        } else if (*element != s) {
          element = "VARIANT";
        }
      }
      return "ARRAY<" + element.value_or("VOID") + ">";
    }
    case VariantBasicType::kPrimitive:
      break;
  }
  switch (v.primitive()) {
    case VariantPrimitive::kNull:
      return std::string("VOID");
    case VariantPrimitive::kTrue:
    case VariantPrimitive::kFalse:
      return std::string("BOOLEAN");
    case VariantPrimitive::kInt8:
    case VariantPrimitive::kInt16:
    case VariantPrimitive::kInt32:
    case VariantPrimitive::kInt64:
      return std::string("BIGINT");
    case VariantPrimitive::kDouble:
      return std::string("DOUBLE");
    case VariantPrimitive::kFloat:
      return std::string("FLOAT");
    case VariantPrimitive::kDecimal4:
    case VariantPrimitive::kDecimal8:
    case VariantPrimitive::kDecimal16: {
      ARROW_ASSIGN_OR_RAISE(auto natural, NaturalScalar(v));
      const auto& d = static_cast<const arrow::Decimal128Scalar&>(**natural);
      // Spark describes the value with its trailing fraction zeros dropped (12.50 is
      // DECIMAL(3,1)).
      arrow::Decimal128 abs = d.value;
      if (abs.IsNegative()) abs.Negate();
      int scale = static_cast<const arrow::Decimal128Type&>(*d.type).scale();
      while (scale > 0 && abs % arrow::Decimal128(10) == arrow::Decimal128(0)) {
        abs /= arrow::Decimal128(10);
        --scale;
      }
      int digits = static_cast<int>(abs.ToIntegerString().size());
      if (abs == arrow::Decimal128(0)) digits = 1;
      const int precision = std::max(digits, scale);
      return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    }
    case VariantPrimitive::kDate:
      return std::string("DATE");
    case VariantPrimitive::kTimestamp:
      return std::string("TIMESTAMP");
    case VariantPrimitive::kTimestampNtz:
      return std::string("TIMESTAMP_NTZ");
    case VariantPrimitive::kBinary:
      return std::string("BINARY");
    case VariantPrimitive::kString:
      return std::string("STRING");
    case VariantPrimitive::kTime:
      return std::string("TIME(6)");
    case VariantPrimitive::kUuid:
      return std::string("UUID");
    default:
      return std::string("VARIANT");
  }
}

}  // namespace

// Binds a function of one VARIANT argument that computes each row with `row`; a SQL NULL
// gives `null_result` (a NULL when unset).
ScalarBinder OneVariantBinder(
    TypePtr return_type, std::optional<bool> null_result,
    std::function<Status(const VariantReader&, int64_t, OutBuilder&)> row) {
  return [return_type, null_result, row](const std::string& name,
                                         const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
    RETURN_NOT_OK(RequireVariant(name, args, 0));
    BoundScalar b;
    b.name = name;
    b.arg_types = {types::VariantType()};
    b.return_type = return_type;
    b.kernel = MakeKernel([return_type, null_result, row](const std::vector<arrow::Datum>& args,
                                                          int64_t num_rows,
                                                          const EvalContext&) -> Result<arrow::Datum> {
      ArgReader arg(args[0]);
      const int64_t n = NumRows(args, num_rows);
      ARROW_ASSIGN_OR_RAISE(auto out, OutBuilder::Make(return_type, n));
      std::optional<VariantReader> variants;
      if (arg.type()->id() != arrow::Type::NA) variants.emplace(arg);
      for (int64_t i = 0; i < n; ++i) {
        if (!variants || variants->IsNull(i)) {
          RETURN_NOT_OK(null_result ? out->Bool(*null_result) : out->Null());
          continue;
        }
        RETURN_NOT_OK(row(*variants, i, *out));
      }
      return out->Finish(AllScalar(args));
    });
    return b;
  };
}

void RegisterVariantFunctions(FunctionTable* table) {
  table->AddScalar("parse_json", ParseJsonBinder(false));
  table->AddScalar("try_parse_json", ParseJsonBinder(true));
  table->AddScalarWithConstants("variant_get", VariantGetBinder(false));
  table->AddScalarWithConstants("try_variant_get", VariantGetBinder(true));
  // is_variant_null(v): false for a SQL NULL, which is not a variant null.
  table->AddScalar("is_variant_null",
                   OneVariantBinder(arrow::boolean(), /*null_result=*/false,
                                    [](const VariantReader& in, int64_t i, OutBuilder& out) {
                                      ARROW_ASSIGN_OR_RAISE(auto v, VariantValue::Make(in.Value(i)));
                                      return out.Bool(IsVariantNull(v));
                                    }));
  table->AddScalar("schema_of_variant",
                   OneVariantBinder(arrow::utf8(), /*null_result=*/std::nullopt,
                                    [](const VariantReader& in, int64_t i, OutBuilder& out) {
                                      RETURN_NOT_OK(types::ValidateVariant(in.Metadata(i), in.Value(i)));
                                      ARROW_ASSIGN_OR_RAISE(auto metadata,
                                                            types::VariantMetadata::Parse(in.Metadata(i)));
                                      ARROW_ASSIGN_OR_RAISE(auto v, VariantValue::Make(in.Value(i)));
                                      ARROW_ASSIGN_OR_RAISE(auto schema, SchemaOf(metadata, v));
                                      return out.Str(schema);
                                    }));
}

}  // namespace basin::function
