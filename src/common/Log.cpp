#include "common/Log.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/FileChannel.h>
#include <Poco/Formatter.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "common/Error.h"

namespace edupay::log {
namespace {

std::string jsonEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[(c >> 4) & 0xF];
          out += hex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  return out;
}

const char* levelName(Poco::Message::Priority p) {
  switch (p) {
    case Poco::Message::PRIO_FATAL:
    case Poco::Message::PRIO_CRITICAL:
    case Poco::Message::PRIO_ERROR:
      return "error";
    case Poco::Message::PRIO_WARNING:
      return "warning";
    case Poco::Message::PRIO_NOTICE:
      return "notice";
    case Poco::Message::PRIO_INFORMATION:
      return "information";
    default:
      return "debug";
  }
}

/// An event's fields travel as two message parameters, rendered for each format: "plain"
/// (` k=v k=v`) and "json" (`,"k":"v",...`); the text is the event name.
class LineFormatter : public Poco::Formatter {
 public:
  explicit LineFormatter(bool json) : json_(json) {}
  void format(const Poco::Message& msg, std::string& text) override {
    const std::string time =
        Poco::DateTimeFormatter::format(msg.getTime(), Poco::DateTimeFormat::ISO8601_FRAC_FORMAT);
    if (!json_) {
      text =
          time + " " + levelName(msg.getPriority()) + " " + msg.getSource() + ": " + msg.getText();
      if (msg.has("plain")) text += msg.get("plain");
      return;
    }
    text = "{\"time\":\"" + time + "\",\"level\":\"" + levelName(msg.getPriority()) +
           "\",\"logger\":\"" + jsonEscape(msg.getSource()) + "\",\"message\":\"" +
           jsonEscape(msg.getText()) + "\"";
    if (msg.has("json")) text += msg.get("json");
    text += "}";
  }

 private:
  bool json_;
};

std::mutex configure_mutex;
std::atomic<bool> configured{false};  // until configure(), nothing is logged (tests, libraries)

std::string envOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace

void configure(const std::string& level, const std::string& target, const std::string& format) {
  if (format != "plain" && format != "json") {
    throw Error(ErrorCode::kInvalidInput, "log format must be plain or json, not `" + format + "`");
  }
  int priority = 0;
  try {
    priority = Poco::Logger::parseLevel(level);
  } catch (const std::exception&) {
    throw Error(
        ErrorCode::kInvalidInput,
        "log level must be error, warning, notice, information or debug, not `" + level + "`");
  }
  std::lock_guard lock(configure_mutex);
  Poco::AutoPtr<Poco::Channel> sink;
  if (target.empty() || target == "console") {
    sink = new Poco::ConsoleChannel;  // standard error
  } else {
    Poco::AutoPtr<Poco::FileChannel> file(new Poco::FileChannel(target));
    file->setProperty("flush", "true");
    sink = file;
  }
  Poco::AutoPtr<Poco::FormattingChannel> channel(
      new Poco::FormattingChannel(new LineFormatter(format == "json"), sink));
  Poco::Logger& root = Poco::Logger::get("edupay");
  root.setChannel(channel);
  root.setLevel(priority);
  // Loggers already made below "edupay" follow.
  Poco::Logger::setChannel("edupay", channel);
  Poco::Logger::setLevel("edupay", priority);
  configured = true;
}

void configureFromEnvironment(const std::string& default_level) {
  configure(envOr("EDUPAY_LOG_LEVEL", default_level), envOr("EDUPAY_LOG_FILE", "console"),
            envOr("EDUPAY_LOG_FORMAT", "plain"));
}

Poco::Logger& get(const std::string& module) { return Poco::Logger::get(module); }

void event(const std::string& module, std::string_view what,
           std::initializer_list<std::pair<std::string_view, std::string>> fields) {
  if (!configured) return;
  Poco::Logger& logger = get(module);
  if (!logger.notice()) return;
  Poco::Message msg(module, std::string(what), Poco::Message::PRIO_NOTICE);
  std::string plain, json;
  for (const auto& [k, v] : fields) {
    plain += " " + std::string(k) + "=" + v;
    json += ",\"" + jsonEscape(k) + "\":\"" + jsonEscape(v) + "\"";
  }
  msg.set("plain", plain);
  msg.set("json", json);
  logger.log(msg);
}

}  // namespace edupay::log
