#include "common/AtomicFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

#include "common/Error.h"
#include "common/Fault.h"

namespace edupay {

namespace {

std::string errnoText(int err) { return std::strerror(err); }

/// The system's reason in each language: the common ones in Chinese words, others as the system
/// says them.
MessageArg errnoArg(int err) {
  switch (err) {
    case ENOENT:
      return words("reason", "文件或目录不存在", errnoText(err));
    case EACCES:
    case EPERM:
      return words("reason", "没有访问权限", errnoText(err));
    case ENOSPC:
      return words("reason", "磁盘空间已满", errnoText(err));
    case EISDIR:
      return words("reason", "这是一个目录，不是文件", errnoText(err));
    default:
      return arg("reason", errnoText(err));
  }
}

/// `what` says the step in English ("read", "cannot fsync"); in Chinese it is reading or writing.
[[noreturn]] void failIo(const std::string& what, const std::string& path, int err) {
  const bool reading = what == "read" || what == "cannot open";
  throw Error(ErrorCode::kUnavailable,
              msg("file.io", {words("action", reading ? "读取" : "写入",
                                    what == "read" || what == "write" ? "cannot " + what : what),
                              arg("path", path), errnoArg(err)}));
}

std::string directoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// The process umask, read without umask(2): setting it to probe would race with other threads
// creating files.
mode_t currentUmask() {
  FILE* f = std::fopen("/proc/self/status", "r");
  mode_t mask = 022;
  if (f == nullptr) return mask;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned value = 0;
    if (std::sscanf(line, "Umask: %o", &value) == 1) {
      mask = static_cast<mode_t>(value);
      break;
    }
  }
  std::fclose(f);
  return mask;
}

// mkstemp creates 0600, which the temp file keeps while it is written; at commit it gets the mode
// a plain open() would have given, or the mode of the file being replaced.
mode_t finalMode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : (0666 & ~currentUmask());
}

bool isTempName(const std::string& name, size_t from) {
  // "<base>.tmp-" + the six characters mkstemp chose.
  static const std::string kTag = ".tmp-";
  if (name.size() != from + kTag.size() + 6 || name.compare(from, kTag.size(), kTag) != 0)
    return false;
  for (size_t i = from + kTag.size(); i < name.size(); ++i) {
    const char c = name[i];
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void fsyncPath(const std::string& path, int flags, bool tolerate_einval) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) failIo("cannot open", path, errno);
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    // Some file systems cannot sync a directory; the rename itself has still happened.
    if (tolerate_einval && err == EINVAL) return;
    failIo("cannot fsync", path, err);
  }
  ::close(fd);
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
  std::vector<char> templ(path_.begin(), path_.end());
  const std::string suffix = ".tmp-XXXXXX";
  templ.insert(templ.end(), suffix.begin(), suffix.end());
  templ.push_back('\0');
  const int fd = ::mkstemp(templ.data());
  if (fd < 0) failIo("cannot create a temporary file for", path_, errno);
  temp_path_ = templ.data();
  ::close(fd);
  out_.open(temp_path_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    const int err = errno;
    ::unlink(temp_path_.c_str());
    failIo("cannot open", temp_path_, err);
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  if (committed_) return;
  if (out_.is_open()) out_.close();
  ::unlink(temp_path_.c_str());
}

void AtomicFileWriter::commit() {
  if (committed_) throw Error(ErrorCode::kInternal, "commit() called twice for " + path_);
  try {
    out_.flush();
    if (!out_) failIo("write", temp_path_, errno);
    out_.close();
    if (out_.fail()) failIo("write", temp_path_, errno);
    // fsync through a fresh descriptor: the data is the inode's, whatever descriptor wrote it.
    fsyncPath(temp_path_, O_RDONLY, false);
    fault::point("file.before_rename");
    if (::chmod(temp_path_.c_str(), finalMode(path_)) != 0)
      failIo("cannot set the mode of", temp_path_, errno);
    if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
      failIo("cannot rename " + temp_path_ + " to", path_, errno);
    }
  } catch (...) {
    if (out_.is_open()) out_.close();
    ::unlink(temp_path_.c_str());
    committed_ = true;
    throw;
  }
  committed_ = true;
  // After the rename the new content is in place; syncing the directory makes the rename itself
  // survive a crash.
  fsyncPath(directoryOf(path_), O_RDONLY | O_DIRECTORY, true);
}

void writeFileAtomically(const std::string& path, std::string_view content) {
  AtomicFileWriter writer(path);
  writer.write(content);
  writer.commit();
}

int removeStaleTemps(const std::string& path) {
  const std::string dir = directoryOf(path);
  const std::string base =
      path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  int removed = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(base, 0) == 0 && isTempName(name, base.size()) &&
        ::unlink(it->path().c_str()) == 0)
      ++removed;
  }
  return removed;
}

int removeStaleTempsIn(const std::string& dir, const std::string& prefix) {
  int removed = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const auto tag = name.rfind(".tmp-");
    if (tag != std::string::npos && isTempName(name, tag) && ::unlink(it->path().c_str()) == 0)
      ++removed;
  }
  return removed;
}

void renameDurably(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0)
    failIo("cannot rename " + from + " to", to, errno);
  fsyncPath(directoryOf(to), O_RDONLY | O_DIRECTORY, true);
}

std::string readFile(const std::string& path, uint64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below anyway.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    throw Error(ErrorCode::kNotFound, msg("file.open", {arg("path", path), errnoArg(errno)}));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) failIo("read", path, errno);
  if (!S_ISREG(st.st_mode)) {
    throw Error(ErrorCode::kInvalidInput, msg("file.not_regular", {arg("path", path)}));
  }
  auto too_large = [&] {
    return Error(
        ErrorCode::kInvalidInput,
        msg("file.too_large", {arg("path", path), arg("bytes", static_cast<int64_t>(max_bytes))}));
  };
  if (static_cast<uint64_t>(st.st_size) > max_bytes) throw too_large();
  std::string content;
  content.reserve(static_cast<size_t>(st.st_size));
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) failIo("read", path, errno);
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
    if (content.size() > max_bytes) throw too_large();  // it grew while being read
  }
  return content;
}

std::string readFileWithin(const std::string& folder, const std::string& path, uint64_t max_bytes) {
  std::error_code ec;
  const auto root = std::filesystem::canonical(folder, ec);
  if (ec)
    throw Error(ErrorCode::kNotFound,
                msg("file.open", {arg("path", folder), errnoArg(ec.value())}));
  const auto real = std::filesystem::canonical(path, ec);
  if (ec)
    throw Error(ErrorCode::kNotFound, msg("file.open", {arg("path", path), errnoArg(ec.value())}));
  const auto rel = real.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") {
    throw Error(ErrorCode::kInvalidInput,
                msg("file.outside_folder",
                    {arg("path", path), arg("folder", folder), arg("real", real.string())}));
  }
  return readFile(real.string(), max_bytes);
}

}  // namespace edupay
