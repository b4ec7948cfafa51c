#include "basin/cli/arguments.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace basin::cli {

Result<Arguments> Arguments::Parse(const std::string& command,
                                   const std::vector<std::string>& args,
                                   const std::set<std::string>& valued,
                                   const std::set<std::string>& flags) {
  Arguments out;
  out.command_ = command;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() > 1 && arg[0] == '-' && !(arg.size() > 1 && std::isdigit(static_cast<unsigned char>(arg[1])))) {
      std::string name = arg.rfind("--", 0) == 0 ? arg.substr(2) : arg.substr(1);
      std::optional<std::string> inline_value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (valued.count(name)) {
        if (inline_value) {
          out.values_[name].push_back(*inline_value);
        } else if (i + 1 < args.size()) {
          out.values_[name].push_back(args[++i]);
        } else {
          return UserError("INVALID_PARAMETER_VALUE",
                           "Option --" + name + " of '" + command + "' needs a value.");
        }
      } else if (flags.count(name)) {
        if (inline_value) {
          return UserError("INVALID_PARAMETER_VALUE",
                           "Option --" + name + " of '" + command + "' takes no value.");
        }
        out.values_[name].push_back("true");
      } else {
        return UserError("INVALID_PARAMETER_VALUE",
                         "Unknown option '" + arg + "' for '" + command + "'.");
      }
    } else {
      out.positional_.push_back(arg);
    }
  }
  return out;
}

std::optional<std::string> Arguments::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Arguments::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

Result<std::optional<int64_t>> Arguments::GetInt(const std::string& name) const {
  auto text = Get(name);
  if (!text) return std::optional<int64_t>();
  errno = 0;
  char* end = nullptr;
  long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno != 0) {
    return UserError("INVALID_PARAMETER_VALUE",
                     "Option --" + name + " of '" + command_ + "' must be an integer, got '" +
                         *text + "'.");
  }
  return std::optional<int64_t>(value);
}

std::vector<std::string> Arguments::GetList(const std::string& name) const {
  std::vector<std::string> parts;
  auto text = Get(name);
  if (!text) return parts;
  size_t start = 0;
  while (start <= text->size()) {
    size_t comma = text->find(',', start);
    if (comma == std::string::npos) comma = text->size();
    std::string part = text->substr(start, comma - start);
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) parts.push_back(part);
    start = comma + 1;
  }
  return parts;
}

}  // namespace basin::cli
