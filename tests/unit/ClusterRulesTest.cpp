// A Galera cluster certifies transactions optimistically: a lock taken on one node means nothing
// on another. The code must not use SQL locks as a cluster-wide lock; exclusive work holds a lease
// row taken by a conditional UPDATE instead.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

}  // namespace

TEST(ClusterRules, NoSqlLockIsUsedAsAClusterWideLock) {
  namespace fs = std::filesystem;
  const fs::path root(EDUPAY_SOURCE_DIR);
  int files = 0;
  for (const char* dir : {"src", "schemas", "batch", "tools"}) {
    if (!fs::exists(root / dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      if (!entry.is_regular_file()) continue;
      const auto ext = entry.path().extension().string();
      if (ext != ".cpp" && ext != ".h" && ext != ".sql" && ext != ".sh" && !ext.empty()) continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string s = upper(text.str());
      ++files;
      for (const char* banned : {R"(\bGET_LOCK\s*\()", R"(\bLOCK\s+TABLES?\b)",
                                 R"(\bFOR\s+UPDATE\b)", R"(\bLOCK\s+IN\s+SHARE\s+MODE\b)"}) {
        EXPECT_FALSE(std::regex_search(s, std::regex(banned)))
            << entry.path().string() << " uses " << banned
            << "; on a Galera cluster take a lease row with a conditional UPDATE instead";
      }
    }
  }
  EXPECT_GT(files, 50);
}
