#pragma once

#include <cstddef>
#include <string_view>

namespace edupay::fault {

/// A named crash point for fault tests. When the environment holds `EDUPAY_FAULT_AT=NAME:N`, the
/// N-th time the process passes point NAME it kills itself with SIGKILL: no destructor, atexit
/// handler or buffered write runs, exactly as if an operator or the kernel had killed it there.
/// Without the variable (production) a point costs one comparison. The points a command passes
/// are listed in tests/fault/README.md.
void point(std::string_view name);

/// The chunk size a chunked job uses: `normal`, or less when the environment holds
/// `EDUPAY_FAULT_CHUNK=N` (fault tests use it to make a small term span many chunks).
size_t chunk(size_t normal);

}  // namespace edupay::fault
