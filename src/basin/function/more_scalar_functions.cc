// Registers the Spark 4 scalar functions that live in the more_*_functions.cc files,
// random_functions.cc, number_format_functions.cc, charset_functions.cc and time_window_functions.cc.

#include "basin/function/kernel_support.h"

namespace basin::function {

void RegisterMoreScalarFunctions(FunctionTable* table) {
  RegisterMoreDatetimeFunctions(table);
  RegisterMoreMathFunctions(table);
  RegisterMoreStringFunctions(table);
  RegisterMoreMapAndArrayFunctions(table);
  RegisterMoreJsonFunctions(table);
  RegisterRandomFunctions(table);
  RegisterNumberFormatFunctions(table);
  RegisterCharsetFunctions(table);
  RegisterTimeWindowFunctions(table);
}

}  // namespace basin::function
