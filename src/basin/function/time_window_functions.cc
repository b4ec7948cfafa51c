// Time windows (Spark's TimeWindowing): `__time_windows(ts, window, slide, start)` lists the
// windows of `window` microseconds, starting every `slide` microseconds from `start`, that hold
// `ts` (the analyzer explodes it for `window(ts, ...)`), and window_time(w) is a window's last
// microsecond.

#include <arrow/builder.h>

#include "basin/function/kernel_support.h"

namespace basin::function {
namespace {

using S = std::vector<ArgReader>;

TypePtr WindowStruct(const TypePtr& ts) {
  return arrow::struct_({arrow::field("start", ts, true), arrow::field("end", ts, true)});
}

}  // namespace

void RegisterTimeWindowFunctions(FunctionTable* table) {
  table->AddScalar("__time_windows", [](const std::string& name, const std::vector<TypePtr>& args)
                                         -> Result<BoundScalar> {
    if (args.size() != 4) return WrongNumArgs(name, "4", args.size());
    if (!IsTimestamp(*args[0]) && !IsNull(*args[0])) {
      return UnexpectedInputType(name, 0, "(\"TIMESTAMP\" or \"TIMESTAMP_NTZ\")", *args[0], name);
    }
    const TypePtr ts = IsNull(*args[0]) ? TimestampType() : args[0];
    BoundScalar b;
    b.name = name;
    b.arg_types = {ts, arrow::int64(), arrow::int64(), arrow::int64()};
    b.return_type = arrow::list(arrow::field("element", WindowStruct(ts), true));
    b.kernel = RowKernel(b.return_type, [](const S& a, int64_t i, OutBuilder& out,
                                           const EvalContext&) -> Status {
      const int64_t t = a[0].Int(i);
      const int64_t window = a[1].Int(i);
      const int64_t slide = a[2].Int(i);
      const int64_t start = a[3].Int(i);
      auto* list = static_cast<arrow::ListBuilder*>(out.builder());
      auto* windows = static_cast<arrow::StructBuilder*>(list->value_builder());
      auto* starts = static_cast<arrow::TimestampBuilder*>(windows->field_builder(0));
      auto* ends = static_cast<arrow::TimestampBuilder*>(windows->field_builder(1));
      RETURN_NOT_OK(list->Append());
      // The latest window start at or before t, then earlier ones while they still hold t.
      const int64_t last_start = t - FloorMod(t - start, slide);
      for (int64_t s = last_start; s > t - window; s -= slide) {
        RETURN_NOT_OK(windows->Append());
        RETURN_NOT_OK(starts->Append(s));
        RETURN_NOT_OK(ends->Append(s + window));
      }
      return Status::OK();
    });
    return b;
  });
  table->AddScalar("window_time", [](const std::string& name, const std::vector<TypePtr>& args)
                                      -> Result<BoundScalar> {
    if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
    const auto& t = args[0];
    if (t->id() != arrow::Type::STRUCT || t->num_fields() != 2 ||
        t->field(0)->name() != "start" || t->field(1)->name() != "end" ||
        !IsTimestamp(*t->field(1)->type())) {
      return UnexpectedInputType(name, 0, "STRUCT<start, end>", *t, name);
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = {t};
    b.return_type = t->field(1)->type();
    b.kernel = RowKernel(b.return_type, [](const S& a, int64_t i, OutBuilder& out,
                                           const EvalContext&) -> Status {
      const auto& window = static_cast<const arrow::StructArray&>(*a[0].array());
      const int64_t row = a[0].Index(i);
      const auto& ends = static_cast<const arrow::TimestampArray&>(*window.field(1));
      if (ends.IsNull(row)) return out.Null();
      return out.Int(ends.Value(row) - 1);
    });
    return b;
  });
}

}  // namespace basin::function
