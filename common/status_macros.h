// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status code (Abseil 20220623 has neither).
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CALLCONTROL_CONCAT_INNER(a, b) a##b
#define CALLCONTROL_CONCAT(a, b) CALLCONTROL_CONCAT_INNER(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define RETURN_IF_ERROR(expr)          \
  do {                                 \
    ::absl::Status _status = (expr);   \
    if (!_status.ok()) return _status; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` declares `x` from an absl::StatusOr or returns its status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  CALLCONTROL_ASSIGN_OR_RETURN_IMPL(CALLCONTROL_CONCAT(_status_or_, __LINE__), lhs, expr)
#define CALLCONTROL_ASSIGN_OR_RETURN_IMPL(var, lhs, expr) \
  auto var = (expr);                                      \
  if (!var.ok()) return std::move(var).status();          \
  lhs = *std::move(var)
