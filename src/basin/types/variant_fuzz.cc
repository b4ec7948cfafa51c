// libFuzzer target for the Variant codec: arbitrary (metadata, value) bytes must decode or fail
// with a Status, never crash or read out of bounds; arbitrary text must parse as JSON or fail,
// and whatever parses must render, and the rendering must reach a fixed point after one more
// round (a double such as 1e2 renders as 100.0, which parses back as a decimal).
// Built and run by scripts/fuzz_variant.sh; the corpus lives in fuzz/corpus/variant.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "basin/types/variant.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.empty()) return 0;
  // The first byte splits the rest into metadata and value.
  const size_t split = std::min<size_t>(static_cast<uint8_t>(input[0]), input.size() - 1);
  std::string_view rest = input.substr(1);
  std::string_view metadata = rest.substr(0, split);
  std::string_view value = rest.substr(split);
  const bool valid = basin::types::ValidateVariant(metadata, value).ok();
  auto json = basin::types::VariantToJson(metadata, value, "America/Los_Angeles");
  if (valid && !json.ok() && basin::ErrorClassOf(json.status()) == "MALFORMED_VARIANT") {
    __builtin_trap();  // A value that validates must render.
  }
  auto parsed = basin::types::JsonToVariant(rest);
  if (parsed.ok()) {
    auto text = basin::types::VariantToJson(parsed->first, parsed->second, "UTC");
    if (!text.ok()) __builtin_trap();
    auto again = basin::types::JsonToVariant(*text);
    if (!again.ok()) __builtin_trap();
    auto second = basin::types::VariantToJson(again->first, again->second, "UTC");
    if (!second.ok()) __builtin_trap();
    auto third_value = basin::types::JsonToVariant(*second);
    if (!third_value.ok()) __builtin_trap();
    auto third = basin::types::VariantToJson(third_value->first, third_value->second, "UTC");
    if (!third.ok() || *third != *second) __builtin_trap();
  }
  return 0;
}
