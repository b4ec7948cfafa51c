#include "basin/base/error_parameters.h"

#include <memory>

namespace basin {

Status UserError(std::string_view error_class, std::string_view message,
                 ErrorParameters parameters) {
  std::string text = "[" + std::string(error_class) + "] " + std::string(message);
  return Status::Invalid(std::move(text))
      .WithDetail(std::make_shared<ParameterizedErrorDetail>(
          std::string(error_class), SqlStateOf(error_class), std::move(parameters)));
}

ErrorParameters ErrorParametersOf(const Status& status) {
  // ParameterizedErrorDetail keeps ErrorClassDetail's type_id (so ErrorClassOf reads it), hence
  // the dynamic_cast to tell the two apart.
  const auto* detail = dynamic_cast<const ParameterizedErrorDetail*>(status.detail().get());
  if (detail == nullptr) return {};
  return detail->parameters();
}

}  // namespace basin
