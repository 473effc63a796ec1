#include "common/AtomicFile.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <vector>

#include "common/Error.h"

namespace edupay {
namespace {

// A fresh directory per test, removed with whatever is left in it.
class TempDir {
 public:
  TempDir() {
    char dir_template[] = "/tmp/edupay-atomic-test-XXXXXX";
    if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = dir_template;
  }
  ~TempDir() {
    for (const auto& name : entries()) std::remove((path_ + "/" + name).c_str());
    ::rmdir(path_.c_str());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    DIR* d = ::opendir(path_.c_str());
    if (d == nullptr) return names;
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
    return names;
  }

 private:
  std::string path_;
};

TEST(AtomicFile, CommitCreatesFile) {
  TempDir tmp;
  const std::string path = tmp.file("out.csv");
  AtomicFileWriter writer(path);
  EXPECT_EQ(writer.path(), path);
  writer.write("a,b\n");
  writer.stream() << "1,2\n";
  writer.commit();
  EXPECT_EQ(readFile(path), "a,b\n1,2\n");
  EXPECT_EQ(tmp.entries(), std::vector<std::string>{"out.csv"});
}

TEST(AtomicFile, CommitReplacesExistingContent) {
  TempDir tmp;
  const std::string path = tmp.file("out.csv");
  writeFileAtomically(path, "old content that is longer than the new one");
  {
    AtomicFileWriter writer(path);
    writer.write("new");
    writer.commit();
  }
  EXPECT_EQ(readFile(path), "new");
  EXPECT_EQ(tmp.entries(), std::vector<std::string>{"out.csv"});
}

TEST(AtomicFile, OldContentIsVisibleUntilCommit) {
  TempDir tmp;
  const std::string path = tmp.file("out.csv");
  writeFileAtomically(path, "old");
  AtomicFileWriter writer(path);
  writer.write("new");
  writer.stream().flush();
  EXPECT_EQ(readFile(path), "old");
  EXPECT_EQ(tmp.entries().size(), 2u);  // the target and the temp file
  writer.commit();
  EXPECT_EQ(readFile(path), "new");
}

TEST(AtomicFile, TempFileSitsBesideTarget) {
  TempDir tmp;
  const std::string path = tmp.file("out.csv");
  AtomicFileWriter writer(path);
  const auto names = tmp.entries();
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].rfind("out.csv.tmp-", 0), 0u) << names[0];
}

TEST(AtomicFile, TempFileIsPrivateUntilCommit) {
  TempDir tmp;
  const std::string path = tmp.file("accounts.txt");
  AtomicFileWriter writer(path);
  writer.write("6212260000000430121\n");
  const auto names = tmp.entries();
  ASSERT_EQ(names.size(), 1u);
  struct stat st {};
  ASSERT_EQ(::stat(tmp.file(names[0]).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u) << "nobody else reads account numbers half-way";
  writer.commit();
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_NE(st.st_mode & 0044, 0u) << "the published file gets the usual mode";
}

TEST(AtomicFile, StaleTempFilesOfAKilledWriterAreRemoved) {
  TempDir tmp;
  const std::string path = tmp.file("out.csv");
  writeFileAtomically(path, "kept");
  writeFileAtomically(tmp.file("out.csv.tmp-a1B2c3"), "left by a killed writer");
  writeFileAtomically(tmp.file("other.csv.tmp-a1B2c3"), "another file's");
  writeFileAtomically(tmp.file("out.csv.tmp-notours"), "not a temp name");
  EXPECT_EQ(removeStaleTemps(path), 1);
  EXPECT_EQ(readFile(path), "kept");
  EXPECT_EQ(tmp.entries().size(), 3u);
  EXPECT_EQ(removeStaleTempsIn(tmp.path(), "other"), 1);
  EXPECT_EQ(tmp.entries().size(), 2u);
}

TEST(AtomicFile, AbandonLeavesOldContentAndNoTempFile) {
  TempDir tmp;
  const std::string path = tmp.file("out.csv");
  writeFileAtomically(path, "old");
  {
    AtomicFileWriter writer(path);
    writer.write("half-written new content");
    writer.stream().flush();
  }
  EXPECT_EQ(readFile(path), "old");
  EXPECT_EQ(tmp.entries(), std::vector<std::string>{"out.csv"});
}

TEST(AtomicFile, AbandonWithoutPreviousFileLeavesNothing) {
  TempDir tmp;
  {
    AtomicFileWriter writer(tmp.file("never.csv"));
    writer.write("data");
  }
  EXPECT_TRUE(tmp.entries().empty());
}

TEST(AtomicFile, KeepsModeOfReplacedFile) {
  TempDir tmp;
  const std::string path = tmp.file("out.csv");
  writeFileAtomically(path, "old");
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  writeFileAtomically(path, "new");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST(AtomicFile, NewFileGetsUmaskMode) {
  TempDir tmp;
  const mode_t old_mask = ::umask(027);
  const std::string path = tmp.file("out.csv");
  writeFileAtomically(path, "x");
  ::umask(old_mask);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST(AtomicFile, WritesBinaryContentUnchanged) {
  TempDir tmp;
  const std::string path = tmp.file("bin");
  const std::string content("\0\r\n\xff\xfe", 5);
  writeFileAtomically(path, content);
  EXPECT_EQ(readFile(path), content);
}

TEST(AtomicFile, SecondCommitIsABug) {
  TempDir tmp;
  AtomicFileWriter writer(tmp.file("out.csv"));
  writer.commit();
  try {
    writer.commit();
    FAIL() << "second commit accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInternal);
  }
}

TEST(AtomicFile, ThrowsUnavailableWhenDirectoryIsMissing) {
  TempDir tmp;
  try {
    AtomicFileWriter writer(tmp.file("no/such/dir/out.csv"));
    FAIL() << "writer created";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    EXPECT_NE(std::string(e.what()).find("out.csv"), std::string::npos) << e.what();
  }
}

TEST(AtomicFile, CommitFailureRemovesTempFile) {
  TempDir tmp;
  // Renaming a file over a non-empty directory fails.
  const std::string path = tmp.file("target");
  ASSERT_EQ(::mkdir(path.c_str(), 0700), 0);
  const std::string inner = path + "/keep";
  writeFileAtomically(inner, "x");
  {
    AtomicFileWriter writer(path);
    writer.write("data");
    try {
      writer.commit();
      FAIL() << "commit over a directory succeeded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    }
  }
  EXPECT_EQ(tmp.entries(), std::vector<std::string>{"target"});
  std::remove(inner.c_str());
}

TEST(AtomicFile, ReadFileThrowsNotFoundNamingThePath) {
  TempDir tmp;
  try {
    readFile(tmp.file("missing.txt"));
    FAIL() << "missing file read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("missing.txt"), std::string::npos) << e.what();
  }
}

TEST(AtomicFile, ReadsEmptyFile) {
  TempDir tmp;
  writeFileAtomically(tmp.file("empty"), "");
  EXPECT_EQ(readFile(tmp.file("empty")), "");
}

}  // namespace
}  // namespace edupay
