// Spark's VARIANT functions: parse_json, try_parse_json, is_variant_null, variant_get,
// try_variant_get, schema_of_variant, schema_of_variant_agg, to_variant_object, and the variant
// side of CAST (variant_cast.h, to_variant.h). A variant is the struct<value, metadata> of
// types::VariantType(); its bytes follow VariantEncoding.md.

#include "basin/function/variant_cast.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <optional>

#include "basin/base/error_parameters.h"
#include "basin/function/cast.h"
#include "basin/function/kernel_support.h"
#include "basin/function/to_variant.h"
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
  const std::string type = "\"" + SqlTypeName(target) + "\"";
  return UserError("INVALID_VARIANT_CAST",
                   "The variant value `" + json + "` cannot be cast into `" + type +
                       "`. Please use `try_variant_get` instead.",
                   {{"value", json}, {"dataType", type}});
}

}  // namespace

Result<std::shared_ptr<arrow::Scalar>> CastVariantValue(std::string_view metadata,
                                                        std::string_view value,
                                                        const TypePtr& target, bool try_cast,
                                                        const EvalContext& context) {
  ARROW_ASSIGN_OR_RAISE(auto v, VariantValue::Make(value));
  if (IsVariantNull(v)) return arrow::MakeNullScalar(target);
  if (target->id() == arrow::Type::STRING) {
    // A scalar prints as its own type casts to STRING (a date unquoted, a timestamp in the session
    // time zone, NaN as NaN); objects and arrays print as JSON.
    ARROW_ASSIGN_OR_RAISE(auto natural, NaturalScalar(v));
    if (natural && *natural) {
      if ((*natural)->type->id() == arrow::Type::STRING) return *natural;
      ARROW_ASSIGN_OR_RAISE(auto text, Cast(arrow::Datum(*natural), target, try_cast, context));
      return text.scalar();
    }
    ARROW_ASSIGN_OR_RAISE(auto bytes, v.Bytes());
    ARROW_ASSIGN_OR_RAISE(auto json,
                          types::VariantToJson(metadata, bytes, context.session_time_zone));
    return std::make_shared<arrow::StringScalar>(json);
  }
  ARROW_ASSIGN_OR_RAISE(auto natural, NaturalScalar(v));
  std::shared_ptr<arrow::Scalar> result;
  // Only casts ANSI mode allows apply: BINARY comes from BINARY or STRING, not from numbers.
  const bool allowed =
      natural && *natural &&
      (target->id() != arrow::Type::BINARY || (*natural)->type->id() == arrow::Type::BINARY ||
       (*natural)->type->id() == arrow::Type::STRING);
  if (allowed) {
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

// The type schema_of_variant gives a value (objects as OBJECT<...>); schema_of_variant_agg merges
// the shapes of many values.
struct VariantShape {
  enum class Kind { kVoid, kAtomic, kDecimal, kObject, kArray, kVariant };
  Kind kind = Kind::kVoid;
  std::string atomic;  ///< kAtomic: BIGINT, DOUBLE, STRING, ...
  int precision = 0;   ///< kDecimal
  int scale = 0;       ///< kDecimal
  /// kObject: the fields sorted by name; kArray: one element named "".
  std::vector<std::pair<std::string, VariantShape>> children;
};

VariantShape AtomicShape(std::string name) {
  VariantShape shape;
  shape.kind = VariantShape::Kind::kAtomic;
  shape.atomic = std::move(name);
  return shape;
}

VariantShape KindShape(VariantShape::Kind kind) {
  VariantShape shape;
  shape.kind = kind;
  return shape;
}

VariantShape DecimalShape(int precision, int scale) {
  VariantShape shape;
  shape.kind = VariantShape::Kind::kDecimal;
  shape.precision = precision;
  shape.scale = scale;
  return shape;
}

bool SameShape(const VariantShape& a, const VariantShape& b) {
  if (a.kind != b.kind || a.atomic != b.atomic || a.precision != b.precision ||
      a.scale != b.scale || a.children.size() != b.children.size()) {
    return false;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (a.children[i].first != b.children[i].first ||
        !SameShape(a.children[i].second, b.children[i].second)) {
      return false;
    }
  }
  return true;
}

// Spark's SchemaOfVariant.mergeSchema: nulls give way, integers and decimals widen to a decimal
// that holds both, floating point absorbs other numbers, TIMESTAMP absorbs TIMESTAMP_NTZ, arrays
// merge their elements and objects their fields by name; anything else is VARIANT.
VariantShape MergeShapes(const VariantShape& a, const VariantShape& b) {
  using K = VariantShape::Kind;
  if (a.kind == K::kVoid) return b;
  if (b.kind == K::kVoid) return a;
  if (SameShape(a, b)) return a;
  auto is_integral = [](const VariantShape& s) {
    return s.kind == K::kAtomic && s.atomic == "BIGINT";
  };
  auto is_floating = [](const VariantShape& s) {
    return s.kind == K::kAtomic && (s.atomic == "DOUBLE" || s.atomic == "FLOAT");
  };
  auto is_numeric = [&](const VariantShape& s) {
    return is_integral(s) || is_floating(s) || s.kind == K::kDecimal;
  };
  if (is_numeric(a) && is_numeric(b)) {
    if (is_floating(a) || is_floating(b)) return AtomicShape("DOUBLE");
    // A BIGINT holds up to 20 digits: DECIMAL(20,0).
    const VariantShape x = is_integral(a) ? DecimalShape(20, 0) : a;
    const VariantShape y = is_integral(b) ? DecimalShape(20, 0) : b;
    const int scale = std::max(x.scale, y.scale);
    const int digits = std::max(x.precision - x.scale, y.precision - y.scale);
    return DecimalShape(std::min(digits + scale, 38), std::min(scale, 38));
  }
  if (a.kind == K::kAtomic && b.kind == K::kAtomic &&
      ((a.atomic == "TIMESTAMP" && b.atomic == "TIMESTAMP_NTZ") ||
       (a.atomic == "TIMESTAMP_NTZ" && b.atomic == "TIMESTAMP"))) {
    return AtomicShape("TIMESTAMP");
  }
  if (a.kind == K::kArray && b.kind == K::kArray) {
    VariantShape out = KindShape(K::kArray);
    out.children.emplace_back("", MergeShapes(a.children[0].second, b.children[0].second));
    return out;
  }
  if (a.kind == K::kObject && b.kind == K::kObject) {
    VariantShape out = KindShape(K::kObject);
    size_t i = 0, j = 0;
    while (i < a.children.size() || j < b.children.size()) {
      if (j == b.children.size() ||
          (i < a.children.size() && a.children[i].first < b.children[j].first)) {
        out.children.push_back(a.children[i++]);
      } else if (i == a.children.size() || b.children[j].first < a.children[i].first) {
        out.children.push_back(b.children[j++]);
      } else {
        out.children.emplace_back(a.children[i].first,
                                  MergeShapes(a.children[i].second, b.children[j].second));
        ++i, ++j;
      }
    }
    return out;
  }
  return KindShape(K::kVariant);
}

std::string ShapeText(const VariantShape& shape) {
  switch (shape.kind) {
    case VariantShape::Kind::kVoid: return "VOID";
    case VariantShape::Kind::kAtomic: return shape.atomic;
    case VariantShape::Kind::kDecimal:
      return "DECIMAL(" + std::to_string(shape.precision) + "," + std::to_string(shape.scale) + ")";
    case VariantShape::Kind::kVariant: return "VARIANT";
    case VariantShape::Kind::kArray: return "ARRAY<" + ShapeText(shape.children[0].second) + ">";
    case VariantShape::Kind::kObject: {
      std::string out = "OBJECT<";
      for (size_t k = 0; k < shape.children.size(); ++k) {
        out += (k ? ", " : "") + shape.children[k].first + ": " +
               ShapeText(shape.children[k].second);
      }
      return out + ">";
    }
  }
  return "VARIANT";
}

// The aggregate state of schema_of_variant_agg: a shape written as a prefix code (V void, X
// variant, A<len>:<name> atomic, D<p>,<s>; decimal, R<element> array, O<n>; then <len>:<name>
// and the shape of each field), read back by ReadShape.
void WriteShape(const VariantShape& shape, std::string* out) {
  auto counted = [&](const std::string& text) {
    *out += std::to_string(text.size()) + ":" + text;
  };
  switch (shape.kind) {
    case VariantShape::Kind::kVoid: *out += "V"; return;
    case VariantShape::Kind::kVariant: *out += "X"; return;
    case VariantShape::Kind::kAtomic: *out += "A"; counted(shape.atomic); return;
    case VariantShape::Kind::kDecimal:
      *out += "D" + std::to_string(shape.precision) + "," + std::to_string(shape.scale) + ";";
      return;
    case VariantShape::Kind::kArray:
      *out += "R";
      WriteShape(shape.children[0].second, out);
      return;
    case VariantShape::Kind::kObject:
      *out += "O" + std::to_string(shape.children.size()) + ";";
      for (const auto& [name, child] : shape.children) {
        counted(name);
        WriteShape(child, out);
      }
      return;
  }
}

Result<VariantShape> ReadShape(std::string_view text, size_t* pos) {
  auto bad = [] { return InternalError("malformed schema_of_variant_agg state"); };
  auto number = [&](char end) -> Result<size_t> {
    size_t stop = text.find(end, *pos);
    if (stop == std::string_view::npos || stop == *pos) return bad();
    size_t value = 0;
    for (size_t k = *pos; k < stop; ++k) {
      if (text[k] < '0' || text[k] > '9') return bad();
      value = value * 10 + static_cast<size_t>(text[k] - '0');
    }
    *pos = stop + 1;
    return value;
  };
  auto counted = [&]() -> Result<std::string> {
    ARROW_ASSIGN_OR_RAISE(size_t n, number(':'));
    if (*pos + n > text.size()) return bad();
    std::string out(text.substr(*pos, n));
    *pos += n;
    return out;
  };
  if (*pos >= text.size()) return bad();
  const char tag = text[(*pos)++];
  switch (tag) {
    case 'V': return KindShape(VariantShape::Kind::kVoid);
    case 'X': return KindShape(VariantShape::Kind::kVariant);
    case 'A': {
      ARROW_ASSIGN_OR_RAISE(auto name, counted());
      return AtomicShape(std::move(name));
    }
    case 'D': {
      ARROW_ASSIGN_OR_RAISE(size_t precision, number(','));
      ARROW_ASSIGN_OR_RAISE(size_t scale, number(';'));
      return DecimalShape(static_cast<int>(precision), static_cast<int>(scale));
    }
    case 'R': {
      VariantShape out = KindShape(VariantShape::Kind::kArray);
      ARROW_ASSIGN_OR_RAISE(auto element, ReadShape(text, pos));
      out.children.emplace_back("", std::move(element));
      return out;
    }
    case 'O': {
      VariantShape out = KindShape(VariantShape::Kind::kObject);
      ARROW_ASSIGN_OR_RAISE(size_t n, number(';'));
      for (size_t k = 0; k < n; ++k) {
        ARROW_ASSIGN_OR_RAISE(auto name, counted());
        ARROW_ASSIGN_OR_RAISE(auto child, ReadShape(text, pos));
        out.children.emplace_back(std::move(name), std::move(child));
      }
      return out;
    }
    default: return bad();
  }
}

Result<VariantShape> ShapeOf(const types::VariantMetadata& metadata, const VariantValue& v) {
  switch (v.basic_type()) {
    case VariantBasicType::kShortString:
      return AtomicShape("STRING");
    case VariantBasicType::kObject: {
      ARROW_ASSIGN_OR_RAISE(auto n, v.NumElements());
      VariantShape out = KindShape(VariantShape::Kind::kObject);
      // Fields are stored sorted by name.
      for (uint32_t k = 0; k < n; ++k) {
        ARROW_ASSIGN_OR_RAISE(auto field, v.Field(k));
        ARROW_ASSIGN_OR_RAISE(auto name, metadata.Name(field.first));
        ARROW_ASSIGN_OR_RAISE(auto child, ShapeOf(metadata, field.second));
        out.children.emplace_back(std::string(name), std::move(child));
      }
      return out;
    }
    case VariantBasicType::kArray: {
      ARROW_ASSIGN_OR_RAISE(auto n, v.NumElements());
      VariantShape element;
      for (uint32_t k = 0; k < n; ++k) {
        ARROW_ASSIGN_OR_RAISE(auto e, v.Element(k));
        ARROW_ASSIGN_OR_RAISE(auto s, ShapeOf(metadata, e));
        element = MergeShapes(element, s);
      }
      VariantShape out = KindShape(VariantShape::Kind::kArray);
      out.children.emplace_back("", std::move(element));
      return out;
    }
    case VariantBasicType::kPrimitive:
      break;
  }
  switch (v.primitive()) {
    case VariantPrimitive::kNull:
      return KindShape(VariantShape::Kind::kVoid);
    case VariantPrimitive::kTrue:
    case VariantPrimitive::kFalse:
      return AtomicShape("BOOLEAN");
    case VariantPrimitive::kInt8:
    case VariantPrimitive::kInt16:
    case VariantPrimitive::kInt32:
    case VariantPrimitive::kInt64:
      return AtomicShape("BIGINT");
    case VariantPrimitive::kDouble:
      return AtomicShape("DOUBLE");
    case VariantPrimitive::kFloat:
      return AtomicShape("FLOAT");
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
      return DecimalShape(std::max(digits, scale), scale);
    }
    case VariantPrimitive::kDate:
      return AtomicShape("DATE");
    case VariantPrimitive::kTimestamp:
      return AtomicShape("TIMESTAMP");
    case VariantPrimitive::kTimestampNtz:
      return AtomicShape("TIMESTAMP_NTZ");
    case VariantPrimitive::kBinary:
      return AtomicShape("BINARY");
    case VariantPrimitive::kString:
      return AtomicShape("STRING");
    case VariantPrimitive::kTime:
      return AtomicShape("TIME(6)");
    case VariantPrimitive::kUuid:
      return AtomicShape("UUID");
    default:
      return KindShape(VariantShape::Kind::kVariant);
  }
}

// The shape of row i of `in` (checked first).
Result<VariantShape> RowShape(std::string_view metadata_bytes, std::string_view value_bytes) {
  RETURN_NOT_OK(types::ValidateVariant(metadata_bytes, value_bytes));
  ARROW_ASSIGN_OR_RAISE(auto metadata, types::VariantMetadata::Parse(metadata_bytes));
  ARROW_ASSIGN_OR_RAISE(auto v, VariantValue::Make(value_bytes));
  return ShapeOf(metadata, v);
}

// schema_of_variant_agg(v): the merged shape of the group's non-null variants ("VOID" when there
// are none). State: the shape in WriteShape's code.
class SchemaOfVariantAccumulator : public GroupedAccumulator {
 public:
  Status Resize(int64_t n) override {
    shapes_.resize(static_cast<size_t>(n));
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g,
                int64_t length) override {
    ArgReader arg(args[0]);
    if (arg.type()->id() == arrow::Type::NA) return Status::OK();
    VariantReader variants(arg);
    for (int64_t i = 0; i < length; ++i) {
      if (variants.IsNull(i)) continue;
      ARROW_ASSIGN_OR_RAISE(auto shape, RowShape(variants.Metadata(i), variants.Value(i)));
      shapes_[g[i]] = MergeShapes(shapes_[g[i]], shape);
    }
    return Status::OK();
  }
  Result<std::vector<std::shared_ptr<arrow::Array>>> State() override {
    arrow::BinaryBuilder b;
    for (const auto& shape : shapes_) {
      std::string code;
      WriteShape(shape, &code);
      RETURN_NOT_OK(b.Append(code));
    }
    ARROW_ASSIGN_OR_RAISE(auto out, b.Finish());
    return std::vector<std::shared_ptr<arrow::Array>>{out};
  }
  Status Merge(const std::vector<std::shared_ptr<arrow::Array>>& state, const uint32_t* g,
               int64_t length) override {
    const auto& codes = static_cast<const arrow::BinaryArray&>(*state[0]);
    for (int64_t i = 0; i < length; ++i) {
      if (codes.IsNull(i)) continue;
      size_t pos = 0;
      ARROW_ASSIGN_OR_RAISE(auto shape, ReadShape(codes.GetView(i), &pos));
      shapes_[g[i]] = MergeShapes(shapes_[g[i]], shape);
    }
    return Status::OK();
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    arrow::StringBuilder b;
    for (const auto& shape : shapes_) RETURN_NOT_OK(b.Append(ShapeText(shape)));
    return b.Finish();
  }

 private:
  std::vector<VariantShape> shapes_;
};

Result<BoundAggregate> BindSchemaOfVariantAgg(const std::string& name,
                                              const std::vector<TypePtr>& args) {
  if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
  RETURN_NOT_OK(RequireVariant(name, args, 0));
  BoundAggregate b;
  b.name = name;
  b.arg_types = {args[0]->id() == arrow::Type::NA ? args[0] : types::VariantType()};
  b.return_type = arrow::utf8();
  b.state_types = {arrow::binary()};
  b.merge_order_free = true;
  b.make = [](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
    return std::make_unique<SchemaOfVariantAccumulator>();
  };
  return b;
}

// to_variant_object(x): x (an array, struct or map with string keys, nested at will) as a
// variant whose structs and maps are objects.
Result<BoundScalar> BindToVariantObject(const std::string& name,
                                        const std::vector<TypePtr>& args) {
  if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
  const auto& from = *args[0];
  const bool nested = from.id() == arrow::Type::LIST || from.id() == arrow::Type::MAP ||
                      (from.id() == arrow::Type::STRUCT && !types::IsVariantType(from));
  if (!nested || !CanEncodeAsVariant(from, /*objects=*/true)) {
    return UserError("DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION",
                     "Cannot resolve \"" + name + "\" due to data type mismatch: cannot cast \"" +
                         SqlTypeName(from) + "\" to \"VARIANT\".");
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {args[0]};
  b.return_type = types::VariantType();
  b.kernel = MakeKernel([](const std::vector<arrow::Datum>& args, int64_t,
                           const EvalContext&) -> Result<arrow::Datum> {
    if (args[0].is_scalar()) {
      ARROW_ASSIGN_OR_RAISE(auto one, arrow::MakeArrayFromScalar(*args[0].scalar(), 1));
      ARROW_ASSIGN_OR_RAISE(auto encoded, EncodeAsVariant(one, /*objects=*/true));
      ARROW_ASSIGN_OR_RAISE(auto scalar, encoded->GetScalar(0));
      return arrow::Datum(scalar);
    }
    ARROW_ASSIGN_OR_RAISE(auto encoded, EncodeAsVariant(args[0].make_array(), /*objects=*/true));
    return arrow::Datum(encoded);
  });
  return b;
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
  table->AddScalar("to_variant_object", BindToVariantObject);
  table->AddAggregate("schema_of_variant_agg", BindSchemaOfVariantAgg);
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
                                      ARROW_ASSIGN_OR_RAISE(auto shape, ShapeOf(metadata, v));
                                      return out.Str(ShapeText(shape));
                                    }));
}

}  // namespace basin::function
