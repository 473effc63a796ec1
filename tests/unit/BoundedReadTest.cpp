#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/XmlLimits.h"
#include "rules/Policy.h"

namespace edupay {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char dir_template[] = "/tmp/edupay-bounded-test-XXXXXX";
    if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = dir_template;
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string errorOf(const std::function<void()>& fn, ErrorCode* code = nullptr) {
  try {
    fn();
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(BoundedRead, ReadsOnlyRegularFilesUpToTheLimit) {
  TempDir dir;
  writeFileAtomically(dir.file("a.json"), "{}");
  EXPECT_EQ(readFile(dir.file("a.json"), 2), "{}");
  ErrorCode code{};
  EXPECT_NE(errorOf([&] { readFile(dir.file("a.json"), 1); }, &code).find("larger than 1 bytes"),
            std::string::npos);
  EXPECT_EQ(code, ErrorCode::kInvalidInput);
  EXPECT_NE(errorOf([&] { readFile(dir.path()); }).find("not a regular file"), std::string::npos);
  ASSERT_EQ(::mkfifo(dir.file("pipe").c_str(), 0600), 0);
  EXPECT_NE(errorOf([&] { readFile(dir.file("pipe")); }).find("not a regular file"),
            std::string::npos)
      << "a FIFO is refused, never waited on";
  EXPECT_NE(errorOf([&] { readFile("/dev/zero", 1 << 20); }).find("not a regular file"),
            std::string::npos);
}

TEST(BoundedRead, AFileNamedInsideAnotherIsReadOnlyFromItsFolder) {
  TempDir dir;
  fs::create_directories(dir.file("policies"));
  writeFileAtomically(dir.file("policies/base.json"), "{}");
  writeFileAtomically(dir.file("secret.json"), "{}");
  EXPECT_EQ(readFileWithin(dir.file("policies"), dir.file("policies/base.json"), 10), "{}");
  EXPECT_NE(errorOf([&] {
              readFileWithin(dir.file("policies"), dir.file("policies/../secret.json"), 10);
            }).find("is outside"),
            std::string::npos);
  fs::create_symlink(dir.file("secret.json"), dir.file("policies/link.json"));
  EXPECT_NE(errorOf([&] {
              readFileWithin(dir.file("policies"), dir.file("policies/link.json"), 10);
            }).find("is outside"),
            std::string::npos)
      << "a symbolic link out of the folder is followed, then refused";
}

TEST(BoundedRead, APolicyExtendsOnlyFilesInItsOwnFolder) {
  TempDir dir;
  fs::create_directories(dir.file("policies"));
  fs::copy_file(std::string(EDUPAY_SOURCE_DIR) + "/policies/cn-national.json",
                dir.file("cn-national.json"));
  std::string hunan = readFile(std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json");
  const std::string from = "\"extends\": \"cn-national.json\"";
  ASSERT_NE(hunan.find(from), std::string::npos);
  hunan.replace(hunan.find(from), from.size(), "\"extends\": \"../cn-national.json\"");
  writeFileAtomically(dir.file("policies/hunan.json"), hunan);
  const std::string e =
      errorOf([&] { (void)rules::loadPolicyFile(dir.file("policies/hunan.json")); });
  EXPECT_NE(e.find("is outside"), std::string::npos) << e;
  // The same base inside the folder is fine.
  fs::copy_file(dir.file("cn-national.json"), dir.file("policies/cn-national.json"));
  hunan.replace(hunan.find("../cn-national.json"), 3, "");
  writeFileAtomically(dir.file("policies/hunan.json"), hunan);
  EXPECT_NO_THROW((void)rules::loadPolicyFile(dir.file("policies/hunan.json")));
}

TEST(XmlLimits, EachLimitIsNamedWithItsLine) {
  auto e = [](const std::string& xml, XmlLimits limits = {}) {
    std::istringstream in(xml);
    return errorOf([&] { checkXmlLimits(in, "x.xml", limits); });
  };
  XmlLimits small;
  small.max_bytes = 100;
  small.max_depth = 3;
  small.max_token = 16;
  XmlLimits tiny_file;
  tiny_file.max_bytes = 100;
  EXPECT_NE(e(std::string(101, ' '), tiny_file).find("larger than 100 bytes"), std::string::npos);
  EXPECT_NE(e("<a><b><c><d/></c></b></a>", small).find("deeper than 3"), std::string::npos)
      << "d is the fourth level";
  EXPECT_NE(e("<a>\n<b x=\"0123456789abcdef\"/></a>", small)
                .find("x.xml: line 2: a tag with its name and attributes longer than 16 bytes"),
            std::string::npos);
  EXPECT_NE(e("<a><![CDATA[0123456789abcdefg]]></a>", small).find("a CDATA section"),
            std::string::npos);
  EXPECT_NE(e("<?pi 0123456789abcdefg?><a/>", small).find("a processing instruction"),
            std::string::npos);
  EXPECT_NE(e("<a/><!DOCTYPE a>").find("declaration"), std::string::npos);
  // A quoted '>' does not end a tag early; ordinary documents pass.
  std::istringstream ok("<a x=\"1>2\"><!-- c --><b/><![CDATA[<]]>t</a>");
  EXPECT_NO_THROW(checkXmlLimits(ok, "ok.xml", small));
  std::istringstream quoted("<a x=\">>>>>>>>>>>>>>>>>>>\"/>");
  EXPECT_THROW(checkXmlLimits(quoted, "q.xml", small), Error);
}

}  // namespace
}  // namespace edupay
