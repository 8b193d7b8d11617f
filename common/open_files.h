// The process's open-file limit. A server holding up to HttpServer's max_connections (1,024)
// sockets plus its own files needs more than Linux's default soft limit of 1,024 descriptors.
#pragma once

#include <sys/resource.h>

#include <cstdint>

namespace callcontrol {

// Raises the soft RLIMIT_NOFILE to the hard limit (what an unprivileged process may do) and
// returns the soft limit now in force (0 if it cannot be read).
inline uint64_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<uint64_t>(limit.rlim_cur);
}

}  // namespace callcontrol
