#pragma once

// Spark error classes name the values their message template fills in ("maxValues", "reason",
// ...); clients read them as getMessageParameters(). A user error that knows them carries them
// here, beside its class and SQLSTATE.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "basin/base/status.h"

namespace basin {

/// The message parameters of a Spark error, in the order of its message template.
using ErrorParameters = std::vector<std::pair<std::string, std::string>>;

/// An ErrorClassDetail that also holds the error's message parameters.
class ParameterizedErrorDetail : public ErrorClassDetail {
 public:
  ParameterizedErrorDetail(std::string error_class, std::string sqlstate,
                           ErrorParameters parameters)
      : ErrorClassDetail(std::move(error_class), std::move(sqlstate)),
        parameters_(std::move(parameters)) {}

  const ErrorParameters& parameters() const { return parameters_; }

 private:
  ErrorParameters parameters_;
};

/// Returns a user error with `error_class`, its SQLSTATE, `message` (after "[ERROR_CLASS] ") and
/// Spark's message `parameters`.
Status UserError(std::string_view error_class, std::string_view message,
                 ErrorParameters parameters);

/// Returns the message parameters of `status` (empty when it names none).
ErrorParameters ErrorParametersOf(const Status& status);

}  // namespace basin
