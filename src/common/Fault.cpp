#include "common/Fault.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

namespace edupay::fault {

namespace {

struct Target {
  std::string name;
  long count = 0;
};

// Read once: the variable is set by the harness before the process starts.
const Target& target() {
  static const Target t = [] {
    Target r;
    const char* v = std::getenv("EDUPAY_FAULT_AT");
    if (v == nullptr) return r;
    const std::string s = v;
    const auto colon = s.rfind(':');
    r.name = s.substr(0, colon);
    r.count = colon == std::string::npos ? 1 : std::atol(s.c_str() + colon + 1);
    if (r.count < 1) r.count = 1;
    return r;
  }();
  return t;
}

std::atomic<long> hits{0};

}  // namespace

void point(std::string_view name) {
  const Target& t = target();
  if (t.name.empty() || t.name != name) return;
  if (hits.fetch_add(1) + 1 < t.count) return;
  ::kill(::getpid(), SIGKILL);
  ::_exit(137);  // not reached
}

size_t chunk(size_t normal) {
  static const long limit = [] {
    const char* v = std::getenv("EDUPAY_FAULT_CHUNK");
    return v == nullptr ? 0L : std::atol(v);
  }();
  return limit > 0 && static_cast<size_t>(limit) < normal ? static_cast<size_t>(limit) : normal;
}

}  // namespace edupay::fault
