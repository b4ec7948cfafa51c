// libFuzzer target for the Delta log parser: commit files (JSON lines) and schema strings.
// Built and run by scripts/fuzz_log.sh; the corpus lives in fuzz/corpus/log.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "basin/delta/actions.h"
#include "basin/types/schema_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto actions = basin::delta::ParseCommitFile(text, "fuzz");
  if (actions.ok()) {
    for (const auto& action : *actions) {
      // Whatever parses must serialize and parse back.
      auto line = basin::delta::SerializeAction(action);
      auto again = basin::delta::ParseActionLine(line, "fuzz-roundtrip");
      if (!again.ok() || !*again) __builtin_trap();
      if (const auto* metadata = std::get_if<basin::delta::Metadata>(&action)) {
        (void)basin::types::SchemaFromDeltaJson(metadata->schema_string);
      }
    }
  }
  (void)basin::types::SchemaFromDeltaJson(text);
  return 0;
}
