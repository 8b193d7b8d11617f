// Names the calling thread, so `top -H`, `perf` and debuggers tell the daemon's threads apart.
#pragma once

#include <pthread.h>

#include <string>

namespace callcontrol {

// Sets the calling thread's name. Linux keeps at most 15 characters; longer names are cut.
inline void SetCurrentThreadName(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace callcontrol
