#include "common/Lease.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <fstream>
#include <random>
#include <thread>

#include "common/Error.h"

namespace edupay {

namespace {

std::string hostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

// A holder is dead when it names this host and a process id that no longer runs.
bool deadHere(const std::string& holder) {
  const auto a = holder.find(':');
  const auto b = holder.find(':', a == std::string::npos ? a : a + 1);
  if (a == std::string::npos || b == std::string::npos) return false;
  if (holder.substr(0, a) != hostName()) return false;
  const std::string pid_text = holder.substr(a + 1, b - a - 1);
  if (pid_text.empty() || pid_text.size() > 9) return false;
  for (char c : pid_text)
    if (c < '0' || c > '9') return false;
  const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
  if (pid == ::getpid()) return false;
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  // Killed but not yet reaped by its parent: a zombie runs no more.
  std::ifstream stat("/proc/" + pid_text + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

}  // namespace

std::string utcIso(int seconds_from_now) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()) + seconds_from_now;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string leaseHolderId() {
  // Unique per lease taken, not per process: the threads of edupayd are holders of their own.
  static std::atomic<uint64_t> counter{0};
  static const uint64_t seed = [] {
    std::random_device rd;
    return (uint64_t{rd()} << 32) ^ rd();
  }();
  char tail[17];
  std::snprintf(tail, sizeof tail, "%016llx",
                static_cast<unsigned long long>(seed + counter.fetch_add(1)));
  return hostName() + ":" + std::to_string(::getpid()) + ":" + tail;
}

Lease::Lease(LeaseStore& store, std::string name, std::string what, int seconds, int wait_seconds)
    : store_(store),
      name_(std::move(name)),
      what_(std::move(what)),
      holder_(leaseHolderId()),
      seconds_(seconds) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  for (int attempt = 0;; ++attempt) {
    const auto [current, until] = store_.leaseHolder(name_);
    const std::string stale = !current.empty() && deadHere(current) ? current : "";
    if (store_.takeLease(name_, holder_, utcIso(), utcIso(seconds_), stale)) return;
    if (std::chrono::steady_clock::now() >= give_up) {
      throw Error(ErrorCode::kConflict,
                  msg("lease.running", {words("what", "该任务", what_), arg("holder", current),
                                        arg("until", until)}));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(50 * (attempt + 1), 500)));
  }
}

Lease::~Lease() {
  try {
    store_.releaseLease(name_, holder_);
  } catch (const std::exception&) {
    // The lease expires by itself.
  }
}

void Lease::renew() {
  if (!store_.takeLease(name_, holder_, utcIso(), utcIso(seconds_), "")) {
    throw Error(ErrorCode::kConflict, msg("lease.taken_over", {words("what", "该任务", what_)}));
  }
}

}  // namespace edupay
