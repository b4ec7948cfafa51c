#pragma once

// The order of Spark's numeric types for widening: byte < short < int < long < float < double.

#include <arrow/type_fwd.h>

namespace basin::types {

/// 1 byte, 2 short, 3 int, 4 long, 6 float, 7 double (5 is left for decimals between them);
/// 0 for every other type.
inline int NumericRank(arrow::Type::type id) {
  switch (id) {
    case arrow::Type::INT8: return 1;
    case arrow::Type::INT16: return 2;
    case arrow::Type::INT32: return 3;
    case arrow::Type::INT64: return 4;
    case arrow::Type::FLOAT: return 6;
    case arrow::Type::DOUBLE: return 7;
    default: return 0;
  }
}

/// True for byte, short, int and long.
inline bool IsIntegralRank(int rank) { return rank >= 1 && rank <= 4; }

}  // namespace basin::types
