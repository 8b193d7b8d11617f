// Reading test data: the files under tests/fixtures and files a test (or a process it started)
// wrote. FIXTURES_DIR is the absolute path of tests/fixtures; tests/CMakeLists.txt defines it for
// every target that links callcontrol_testing.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"

namespace callcontrol::testing {

// The bytes of the file at `path`. A file that cannot be opened is a test failure (naming the
// path), and gives "".
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR is not defined: link the test target with callcontrol_testing"
#endif

// The file `name` (e.g. "twilio_status_completed.form", "signatures/...") under tests/fixtures,
// without the trailing whitespace the files end with: the final newline is not part of the body a
// provider sends. A missing file is a test failure naming its path.
inline std::string ReadFixture(const std::string& name) {
  return std::string(absl::StripTrailingAsciiWhitespace(ReadFile(FIXTURES_DIR "/" + name)));
}

}  // namespace callcontrol::testing
