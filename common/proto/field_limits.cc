#include "common/proto/field_limits.h"

#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/stubs/common.h"

namespace callcontrol::proto {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status CheckString(const std::string& value, const std::string& path,
                         const FieldLimits& limits) {
  if (value.size() > limits.max_string_bytes) {
    return absl::InvalidArgumentError(path + ": " + std::to_string(value.size()) +
                                      " bytes, at most " + std::to_string(limits.max_string_bytes));
  }
  // protobuf's validator (the one its parsers use), exported from libprotobuf.
  if (!google::protobuf::internal::IsStructurallyValidUTF8(value.data(),
                                                           static_cast<int>(value.size()))) {
    return absl::InvalidArgumentError(path + ": not valid UTF-8");
  }
  return absl::OkStatus();
}

absl::Status Check(const Message& message, const std::string& prefix, const FieldLimits& limits) {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string path = prefix.empty() ? field->name() : prefix + "." + field->name();
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (field->is_repeated()) {
        const int n = reflection->FieldSize(message, field);
        for (int i = 0; i < n; ++i) {
          std::string scratch;
          const std::string& value =
              reflection->GetRepeatedStringReference(message, field, i, &scratch);
          if (auto s = CheckString(value, path + "[" + std::to_string(i) + "]", limits); !s.ok()) {
            return s;
          }
        }
      } else {
        std::string scratch;
        const std::string& value = reflection->GetStringReference(message, field, &scratch);
        if (auto s = CheckString(value, path, limits); !s.ok()) return s;
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        const int n = reflection->FieldSize(message, field);
        for (int i = 0; i < n; ++i) {
          if (auto s = Check(reflection->GetRepeatedMessage(message, field, i),
                             path + "[" + std::to_string(i) + "]", limits);
              !s.ok()) {
            return s;
          }
        }
      } else if (auto s = Check(reflection->GetMessage(message, field), path, limits); !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckStringFields(const Message& message, const FieldLimits& limits) {
  return Check(message, "", limits);
}

}  // namespace callcontrol::proto
