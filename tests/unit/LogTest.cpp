// Operational logging: one JSON object a line, an event's fields as members, nothing logged
// below the configured level.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/Log.h"

namespace edupay {
namespace {

TEST(Log, EventsAreJsonLinesWithTheirFields) {
  const std::string file = (std::filesystem::temp_directory_path() /
                            ("edupay-log-" + std::to_string(::getpid()) + ".jsonl"))
                               .string();
  std::filesystem::remove(file);
  log::configure("notice", file, "json");
  log::event("edupay.bankfiles", "payment files written",
             {{"batch", "12"}, {"total_fen", "125000"}, {"files", "B000012.txt \"x\""}});
  log::configure("warning", file, "json");
  log::event("edupay.registry", "roll imported", {{"rows", "5"}});  // below the level
  std::ifstream in(file);
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  EXPECT_NE(text.find("\"level\":\"notice\",\"logger\":\"edupay.bankfiles\",\"message\":\"payment "
                      "files written\",\"batch\":\"12\",\"total_fen\":\"125000\",\"files\":"
                      "\"B000012.txt \\\"x\\\"\"}"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("roll imported"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_THROW(log::configure("loud", "console", "json"), std::exception);
  EXPECT_THROW(log::configure("notice", "console", "xml"), std::exception);
  std::filesystem::remove(file);
  log::configure("error", "console", "plain");  // quiet again for the tests that follow
}

}  // namespace
}  // namespace edupay
