// A small multipart/form-data parser (RFC 7578 / RFC 2046) for the simulator's voice-clone
// endpoint: splits a buffered body into its parts with their Content-Disposition name, filename
// and Content-Type. Not streaming; nested multiparts are left as opaque part data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace callcontrol::provider_sim {

struct MultipartPart {
  std::string name;           // Content-Disposition name="..."
  bool has_filename = false;  // a filename parameter was present (a file part)
  std::string filename;       // Content-Disposition filename="..." as sent (no decoding)
  std::string content_type;   // the part's Content-Type; "" when absent (text/plain implied)
  std::string data;           // the part's bytes
};

// The boundary of a `multipart/form-data; boundary=...` Content-Type header (quoted or not).
// kInvalidArgument when the type is not multipart/form-data or has no usable boundary.
absl::StatusOr<std::string> MultipartBoundary(std::string_view content_type);

// Splits `body` at `boundary`. A preamble before the first delimiter and an epilogue after the
// close delimiter are ignored. kInvalidArgument when a delimiter, the header block of a part or
// the close delimiter is missing, or a part has no form-data Content-Disposition with a name.
absl::StatusOr<std::vector<MultipartPart>> ParseMultipart(std::string_view body,
                                                          std::string_view boundary);

}  // namespace callcontrol::provider_sim
