#pragma once

namespace basin::cli {
/// Basin's version, as the CLI and commitInfo's engineInfo report it.
inline constexpr char kVersion[] = "0.1.0";
}  // namespace basin::cli
