// Spark's ST functions over GEOMETRY and GEOGRAPHY (types/geospatial_type.h): st_geomfromwkb,
// st_geogfromwkb, st_asbinary, st_srid and st_setsrid. A value is the struct<srid, wkb>; the WKB
// is parsed on the way in and kept little-endian (types/wkb.h).

#include <arrow/builder.h>

#include "basin/base/error_parameters.h"
#include "basin/function/kernel_support.h"
#include "basin/types/geospatial_type.h"
#include "basin/types/wkb.h"

namespace basin::function {

namespace {

using types::SpatialKind;
using types::SpatialType;

// Spark's "requires the ("GEOGRAPHY" or "GEOMETRY") type" mismatch.
Status NotSpatial(const std::string& name, const arrow::DataType& actual) {
  return DataTypeMismatch("UNEXPECTED_INPUT_TYPE",
                          "Cannot resolve \"" + name +
                              "\" due to data type mismatch: The first parameter requires the "
                              "(\"GEOGRAPHY\" or \"GEOMETRY\") type, however the argument has "
                              "the type \"" +
                              SqlTypeName(actual) + "\".");
}

// The spatial value of row i of a spatial argument.
struct SpatialReader {
  explicit SpatialReader(const ArgReader& reader)
      : arg(reader),
        srids(static_cast<const arrow::Int32Array&>(
            *static_cast<const arrow::StructArray&>(*reader.array()).field(0))),
        wkbs(static_cast<const arrow::BinaryArray&>(
            *static_cast<const arrow::StructArray&>(*reader.array()).field(1))) {}
  int32_t Srid(int64_t i) const { return srids.Value(arg.Index(i)); }
  std::string_view Wkb(int64_t i) const { return wkbs.GetView(arg.Index(i)); }

  const ArgReader& arg;
  const arrow::Int32Array& srids;
  const arrow::BinaryArray& wkbs;
};

// Row body of a function that returns a spatial value: fills `*srid` and `*wkb`, or sets
// `*is_null`.
using SpatialRowFn = std::function<Status(const std::vector<ArgReader>& args, int64_t i,
                                          int32_t* srid, std::string* wkb, bool* is_null)>;

// A kernel building spatial values of `type` row by row; a null argument gives null.
std::shared_ptr<const ScalarKernel> SpatialKernel(TypePtr type, SpatialRowFn row) {
  return MakeKernel([type, row](const std::vector<arrow::Datum>& args, int64_t length,
                                const EvalContext&) -> Result<arrow::Datum> {
    std::vector<ArgReader> readers;
    for (const auto& a : args) readers.emplace_back(a);
    const bool scalar = AllScalar(args);
    const int64_t rows = scalar ? 1 : length;
    std::unique_ptr<arrow::ArrayBuilder> builder;
    RETURN_NOT_OK(arrow::MakeBuilder(arrow::default_memory_pool(), type, &builder));
    auto& st = static_cast<arrow::StructBuilder&>(*builder);
    auto& srids = static_cast<arrow::Int32Builder&>(*st.field_builder(0));
    auto& wkbs = static_cast<arrow::BinaryBuilder&>(*st.field_builder(1));
    std::string wkb;
    for (int64_t i = 0; i < rows; ++i) {
      bool is_null = false;
      for (const auto& r : readers) is_null = is_null || r.IsNull(i);
      int32_t srid = 0;
      if (!is_null) RETURN_NOT_OK(row(readers, i, &srid, &wkb, &is_null));
      if (is_null) {
        RETURN_NOT_OK(st.AppendNull());
        continue;
      }
      RETURN_NOT_OK(st.Append());
      RETURN_NOT_OK(srids.Append(srid));
      RETURN_NOT_OK(wkbs.Append(wkb));
    }
    std::shared_ptr<arrow::Array> out;
    RETURN_NOT_OK(builder->Finish(&out));
    if (scalar) {
      ARROW_ASSIGN_OR_RAISE(auto value, out->GetScalar(0));
      return arrow::Datum(value);
    }
    return arrow::Datum(out);
  });
}

// The result type of a function whose SRID argument is `constant` (st_geomfromwkb's and
// st_setsrid's): that SRID when it is a non-null INT literal (checked now), else the mixed type,
// as Spark types them.
Result<TypePtr> TypeForSridArgument(SpatialKind kind, const TypePtr& arg_type,
                                    const arrow::Datum& constant) {
  if (arg_type->id() == arrow::Type::INT32 && constant.is_scalar() &&
      constant.scalar()->is_valid) {
    const int32_t srid = static_cast<const arrow::Int32Scalar&>(*constant.scalar()).value;
    return types::CheckedSpatialArrowType({kind, srid});
  }
  return types::SpatialArrowType({kind, types::kMixedSrid});
}

// Checks a run-time SRID for a mixed-SRID result.
Status CheckSrid(SpatialKind kind, int64_t srid) {
  if (srid < INT32_MIN || srid > INT32_MAX ||
      !types::IsSridSupported(kind, static_cast<int32_t>(srid))) {
    return types::InvalidSridError(srid);
  }
  return Status::OK();
}

// The SRID parameter: Spark's ImplicitCastInputTypes to INT (integers, strings, decimals...).
Result<TypePtr> SridParameter(const std::string& name, const TypePtr& arg) {
  TypePtr target = ImplicitCastTarget(arg, arrow::int32());
  if (!target) return UnexpectedInputType(name, 1, "INT", *arg, name);
  return arrow::int32();
}

Result<TypePtr> BinaryParameter(const std::string& name, const TypePtr& arg) {
  if (!ImplicitCastTarget(arg, arrow::binary())) {
    return UnexpectedInputType(name, 0, "BINARY", *arg, name);
  }
  return arrow::binary();
}

// st_geomfromwkb(wkb[, srid]) and st_geogfromwkb(wkb).
ConstantBinder FromWkbBinder(SpatialKind kind) {
  return [kind](const std::string& name, const std::vector<TypePtr>& args,
                const std::vector<arrow::Datum>& constants) -> Result<BoundScalar> {
    const size_t max_args = kind == SpatialKind::kGeometry ? 2 : 1;
    if (args.empty() || args.size() > max_args) {
      return WrongNumArgs(name, max_args == 1 ? "1" : "[1, 2]", args.size());
    }
    BoundScalar b;
    b.name = name;
    ASSIGN_OR_RAISE(auto wkb_type, BinaryParameter(name, args[0]));
    b.arg_types.push_back(wkb_type);
    const bool geographic = kind == SpatialKind::kGeography;
    if (args.size() == 1) {
      const int32_t srid = geographic ? types::kDefaultGeographySrid : types::kDefaultGeometrySrid;
      b.return_type = types::SpatialArrowType({kind, srid});
      b.kernel = SpatialKernel(b.return_type, [srid, geographic](const std::vector<ArgReader>& a,
                                                                 int64_t i, int32_t* out_srid,
                                                                 std::string* wkb, bool*) {
        ARROW_ASSIGN_OR_RAISE(
            *wkb, types::RewriteWkb(a[0].Str(i), types::WkbByteOrder::kNdr, geographic));
        *out_srid = srid;
        return Status::OK();
      });
      return b;
    }
    ASSIGN_OR_RAISE(auto srid_type, SridParameter(name, args[1]));
    b.arg_types.push_back(srid_type);
    ASSIGN_OR_RAISE(b.return_type, TypeForSridArgument(kind, args[1], constants[1]));
    b.kernel = SpatialKernel(b.return_type, [kind, geographic](const std::vector<ArgReader>& a,
                                                               int64_t i, int32_t* srid,
                                                               std::string* wkb, bool*) {
      ARROW_ASSIGN_OR_RAISE(
          *wkb, types::RewriteWkb(a[0].Str(i), types::WkbByteOrder::kNdr, geographic));
      RETURN_NOT_OK(CheckSrid(kind, a[1].Int(i)));
      *srid = static_cast<int32_t>(a[1].Int(i));
      return Status::OK();
    });
    return b;
  };
}

// st_setsrid(geo, srid).
ConstantBinder SetSridBinder() {
  return [](const std::string& name, const std::vector<TypePtr>& args,
            const std::vector<arrow::Datum>& constants) -> Result<BoundScalar> {
    if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
    auto spatial = types::SpatialTypeOf(*args[0]);
    if (!spatial) return NotSpatial(name, *args[0]);
    const SpatialKind kind = spatial->kind;
    BoundScalar b;
    b.name = name;
    ASSIGN_OR_RAISE(auto srid_type, SridParameter(name, args[1]));
    b.arg_types = {args[0], srid_type};
    ASSIGN_OR_RAISE(b.return_type, TypeForSridArgument(kind, args[1], constants[1]));
    b.kernel = SpatialKernel(b.return_type, [kind](const std::vector<ArgReader>& a, int64_t i,
                                                   int32_t* srid, std::string* wkb, bool*) {
      RETURN_NOT_OK(CheckSrid(kind, a[1].Int(i)));
      SpatialReader geo(a[0]);
      *srid = static_cast<int32_t>(a[1].Int(i));
      *wkb = geo.Wkb(i);
      return Status::OK();
    });
    return b;
  };
}

// st_asbinary(geo[, endianness]).
Result<BoundScalar> BindAsBinary(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.empty() || args.size() > 2) return WrongNumArgs(name, "[1, 2]", args.size());
  // An untyped NULL is NULL, as in Spark.
  if (args[0]->id() != arrow::Type::NA && !types::SpatialTypeOf(*args[0])) {
    return NotSpatial(name, *args[0]);
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {args[0]};
  if (args.size() == 2) RETURN_NOT_OK(RequireStringArgs(name, {args[1]}, 1, &b.arg_types));
  b.return_type = arrow::binary();
  b.kernel = RowKernel(b.return_type, [](const std::vector<ArgReader>& a, int64_t i,
                                         OutBuilder& out, const EvalContext&) -> Status {
    SpatialReader geo(a[0]);
    if (a.size() == 1) return out.Str(geo.Wkb(i));
    const std::string endianness = std::string(a[1].Str(i));
    const std::string upper = [&] {
      std::string u = endianness;
      for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return u;
    }();
    if (upper == "NDR") return out.Str(geo.Wkb(i));
    if (upper != "XDR") {
      return UserError("ST_INVALID_ENDIANNESS_VALUE",
                       "Endianness '" + endianness +
                           "' must be either 'NDR' (little-endian) or 'XDR' (big-endian).",
                       {{"endianness", endianness}});
    }
    // The stored WKB is valid: rewriting only swaps its byte order.
    ARROW_ASSIGN_OR_RAISE(auto xdr,
                          types::RewriteWkb(geo.Wkb(i), types::WkbByteOrder::kXdr, false));
    return out.Str(xdr);
  });
  return b;
}

// st_srid(geo).
Result<BoundScalar> BindSrid(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
  // st_srid(NULL) is NULL in Spark (an untyped NULL casts to any type).
  if (args[0]->id() != arrow::Type::NA && !types::SpatialTypeOf(*args[0])) {
    return NotSpatial(name, *args[0]);
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {args[0]};
  b.return_type = arrow::int32();
  b.kernel = RowKernel(b.return_type, [](const std::vector<ArgReader>& a, int64_t i,
                                         OutBuilder& out, const EvalContext&) -> Status {
    return out.Int(SpatialReader(a[0]).Srid(i));
  });
  return b;
}

}  // namespace

void RegisterGeospatialFunctions(FunctionTable* table) {
  table->AddScalarWithConstants("st_geomfromwkb", FromWkbBinder(SpatialKind::kGeometry));
  table->AddScalarWithConstants("st_geogfromwkb", FromWkbBinder(SpatialKind::kGeography));
  table->AddScalarWithConstants("st_setsrid", SetSridBinder());
  table->AddScalar("st_asbinary", BindAsBinary);
  table->AddScalar("st_srid", BindSrid);
}

}  // namespace basin::function
