// Limits on the string fields of protobuf messages built from untrusted input (provider
// webhooks, RPC requests), checked before a message is sent on or stored.
//
// Why: proto3 `string` fields must hold UTF-8. The C++ runtime serializes a string that is not
// UTF-8 without complaint, but the receiving side refuses to parse the whole message, so one
// webhook with a `%FF` in a form value would fail every webhook batched with it. A length cap
// per field keeps one field from filling memory, a log line or an error message.
// Thread-safe (pure functions).
#pragma once

#include <cstddef>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace callcontrol::proto {

struct FieldLimits {
  // Bytes of one `string` field (a repeated field: of each element). Provider ids, numbers,
  // statuses and URLs are far shorter; 4 KiB leaves room for long recording URLs.
  size_t max_string_bytes = 4096;
};

// Checks every set `string` field of `message`, nested messages and repeated fields included:
// each must be valid UTF-8 (protobuf's own validator) and at most `limits.max_string_bytes` long.
// `bytes` fields are not checked. Returns OK, or kInvalidArgument naming the field by its path
// (e.g. "provider_ids.call_sid: not valid UTF-8", "from: 5000 bytes, at most 4096"); the
// message never quotes the value.
absl::Status CheckStringFields(const google::protobuf::Message& message,
                               const FieldLimits& limits = FieldLimits());

}  // namespace callcontrol::proto
