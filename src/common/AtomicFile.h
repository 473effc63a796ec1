#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

namespace edupay {

/// Writes a file so that readers see either the old content or the complete new content, never a
/// part: data goes to `PATH.tmp-XXXXXX` in the same directory (mode 0600 while it is written, so a
/// file of account numbers is never readable by others half-way), is flushed and fsync'ed, given
/// its final mode, renamed over PATH, and the directory is fsync'ed. Dropped without commit() ->
/// the temp file is removed and PATH is untouched (Add / Finish / Abandon, as in leveldb's
/// TableBuilder). A process killed while writing leaves its temp file behind: the next writer of
/// the same PATH removes it (removeStaleTemps). Commit after the database commit whatever describes
/// a database change (exceptions, notices, reports): until then nothing is under PATH.
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

/// Removes the temp files `PATH.tmp-XXXXXX` that a killed writer of `path` left behind; returns
/// how many. Never touches PATH itself.
int removeStaleTemps(const std::string& path);

/// Removes every `*.tmp-XXXXXX` file directly in `dir` whose name starts with `prefix`; returns
/// how many.
int removeStaleTempsIn(const std::string& dir, const std::string& prefix);

/// Renames `from` to `to` (same file system) and fsyncs the directory of `to`, so the new name
/// survives a crash. Throws Error(kUnavailable) naming both.
void renameDurably(const std::string& from, const std::string& to);
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
