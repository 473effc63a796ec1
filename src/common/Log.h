#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace Poco {
class Logger;
}

namespace edupay::log {

/// Configures logging once for the process, through Poco's logging framework: `level` (error,
/// warning, notice, information, debug), `target` ("console" = standard error, or a file path,
/// appended to) and `format` ("plain": `time level logger: message`; "json": one JSON object a
/// line, `{"time","level","logger","message", ...fields}`). Error(kInvalidInput) for an unknown
/// level or format.
void configure(const std::string& level, const std::string& target, const std::string& format);
/// The same from EDUPAY_LOG_LEVEL (default `default_level`), EDUPAY_LOG_FILE (default the
/// console) and EDUPAY_LOG_FORMAT (default plain).
void configureFromEnvironment(const std::string& default_level);

/// The logger of a module: "edupay.registry", "edupay.rules", "edupay.bankfiles",
/// "edupay.api.access", ... (one per module, named under "edupay").
Poco::Logger& get(const std::string& module);

/// Logs an event at notice level: `what` and its fields (name, value), as `what k=v k=v` in plain
/// format and as JSON members in json format. Fields are counts, codes, file names and digests —
/// never personal data (names, IDs, accounts): callers pass none.
void event(const std::string& module, std::string_view what,
           std::initializer_list<std::pair<std::string_view, std::string>> fields);

}  // namespace edupay::log
