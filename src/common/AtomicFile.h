#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

namespace edupay {

/// Writes a file so that readers see either the old content or the complete new content, never a
/// part: data goes to `PATH.tmp-XXXXXX` in the same directory, is flushed and fsync'ed, renamed
/// over PATH, and the directory is fsync'ed. Dropped without commit() -> the temp file is removed
/// and PATH is untouched (Add / Finish / Abandon, as in leveldb's TableBuilder).
class AtomicFileWriter {
 public:
  /// Throws Error(kUnavailable) when the temp file cannot be created.
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  std::ostream& stream() { return out_; }
  void write(std::string_view data) {
    out_.write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  /// Flush, fsync, rename. Throws Error(kUnavailable) on any I/O failure (the temp file is
  /// removed).
  void commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string temp_path_;
  std::ofstream out_;
  bool committed_ = false;
};

/// One-shot helper: atomically replaces `path` with `content`.
void writeFileAtomically(const std::string& path, std::string_view content);
/// Largest file readFile() reads unless told otherwise: above the biggest payment file a batch
/// can produce, so only a file that is not what it claims to be is refused.
inline constexpr uint64_t kMaxReadBytes = uint64_t{1} << 30;

/// Reads a whole file, which must be a regular file (not a directory, device or pipe) of at most
/// `max_bytes`. Throws Error(kNotFound) naming the path when it cannot be opened,
/// Error(kInvalidInput) when it is not a regular file or is larger.
std::string readFile(const std::string& path, uint64_t max_bytes = kMaxReadBytes);

/// readFile() for a path named inside another file or by configuration (a policy's `extends`):
/// the file must lie inside `folder` once every symbolic link and `..` is resolved; otherwise
/// Error(kInvalidInput) naming both.
std::string readFileWithin(const std::string& folder, const std::string& path, uint64_t max_bytes);

}  // namespace edupay
