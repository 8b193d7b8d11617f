// callcontrol's own call ids and phone-number checks.
#pragma once

#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace callcontrol::calls {

// Returns a new call id: "call_" + 12 hex digits of the creation time in microseconds + 20 hex
// digits from the OS CSPRNG (OpenSSL RAND_bytes). Ids sort by creation time, which keeps SQLite's
// primary-key inserts at the end of the B-tree. Thread-safe.
std::string NewCallId(absl::Time now);

// True for "call_" followed by 32 lowercase hex digits.
bool IsCallId(std::string_view id);

// True for an E.164 number: "+", a first digit 1-9, 8 to 15 digits in all (ITU-T E.164 §6.1
// allows at most 15; the shortest numbers in use have 8 with the country code).
bool IsE164(std::string_view number);

// `id` as error messages quote it: whole up to 64 bytes, else its first 64 bytes (cut on a
// UTF-8 character boundary) and "...", so an error never echoes a huge field.
std::string IdForMessage(std::string_view id);

// True for a CallSid (the call id form of providers that use one): "CA" + 32 lowercase hex digits.
bool IsCallSid(std::string_view sid);

}  // namespace callcontrol::calls
