#pragma once

#include <cstdint>
#include <fstream>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/Message.h"

namespace edupay {

enum class TextEncoding {
  kAuto,  ///< reader only: BOM -> UTF-8; otherwise UTF-8 if the first 64 KiB are valid UTF-8,
          ///< else GB18030 (a superset of GBK and GB2312)
  kUtf8,
  kGb18030,  ///< also reads GBK / GB2312 files
};
/// `utf-8` or `gb18030` (what a file was read as).
const char* encodingName(TextEncoding e);

/// "utf-8" / "utf8", "gbk", "gb18030", "gb2312", "auto" -> encoding; throws Error(kInvalidInput).
TextEncoding parseTextEncoding(std::string_view name);

/// Streaming RFC 4180 reader: quoted fields with embedded commas, quotes ("") and line breaks;
/// CRLF or LF; a UTF-8 BOM is skipped; GBK/GB18030 input is converted to UTF-8 on the fly.
/// Memory is bounded by the longest record, not the file.
class CsvReader {
 public:
  /// `source_name` is used in error messages (usually the file path).
  CsvReader(std::istream& in, std::string source_name, TextEncoding encoding = TextEncoding::kAuto,
            char delimiter = ',');
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  /// Reads the next record into `fields` (UTF-8). Returns false at end of input.
  /// Throws Error(kInvalidInput) with file and line for: an unterminated quote, a character after
  /// a closing quote, bytes invalid in the encoding; with line and column for a control character
  /// in a field (see controlCharacter()); and, once expectHeader() was called, for a record whose
  /// number of fields differs from the header's (a file cut off, or a value with an unquoted
  /// delimiter). A blank line (one empty field) is returned as it is.
  bool next(std::vector<std::string>& fields);
  /// Every following record must have as many fields as `header`, whose names are used in
  /// messages (column 3 `household_id`).
  void expectHeader(const std::vector<std::string>& header);
  /// Like expectHeader(), without the check on the number of fields (an Excel sheet omits the
  /// empty cells at the end of a row): only the column names for messages.
  void nameColumns(const std::vector<std::string>& header);
  /// 1-based physical line on which the last record returned by next() started.
  int64_t line() const { return record_line_; }
  /// The encoding actually used (after auto-detection, valid once next() has been called).
  TextEncoding encoding() const { return encoding_; }
  const std::string& sourceName() const { return source_name_; }

 private:
  class Decoder;
  bool fill();
  bool readRecord(std::vector<std::string>& fields);
  MessageArg column(size_t index) const;  ///< "column 3 (姓名)", as the argument `column`
  std::istream& in_;
  std::string source_name_;
  TextEncoding encoding_;
  char delimiter_;
  std::unique_ptr<Decoder> decoder_;
  std::string buffer_;  // decoded UTF-8 not yet consumed
  size_t pos_ = 0;
  bool eof_ = false;
  bool started_ = false;
  int64_t current_line_ = 1;
  int64_t record_line_ = 0;
  std::optional<Message> pending_error_;  // invalid input found after the data already decoded
  std::vector<std::string> header_;
  bool check_count_ = false;
};

/// A CSV file (UTF-8 or GBK/GB18030, detected) opened with its header row read; every following
/// record must have the header's number of fields. Error(kNotFound) naming the file when it
/// cannot be opened, Error(kInvalidInput) when it is empty.
class CsvFile {
 public:
  explicit CsvFile(const std::string& path);
  CsvReader& reader() { return reader_; }
  const std::vector<std::string>& header() const { return header_; }

 private:
  std::ifstream in_;
  CsvReader reader_;
  std::vector<std::string> header_;
};

/// RFC 4180 writer: quotes a field only when it holds the delimiter, a quote, CR or LF;
/// output in UTF-8 (optionally with BOM, which spreadsheet programs need) or GB18030. Every field
/// passes through neutraliseFormula(): whatever a person typed, a spreadsheet opening the file
/// shows it as text and never runs it.
class CsvWriter {
 public:
  struct Options {
    TextEncoding encoding = TextEncoding::kUtf8;
    bool utf8_bom = false;
    const char* line_ending = "\r\n";
    char delimiter = ',';
  };
  explicit CsvWriter(std::ostream& out) : CsvWriter(out, Options{}) {}
  CsvWriter(std::ostream& out, Options options);
  /// Fields are UTF-8; throws Error(kInvalidInput) when a field cannot be encoded in GB18030.
  void writeRow(const std::vector<std::string>& fields);

 private:
  std::ostream& out_;
  Options options_;
  bool wrote_bom_ = false;
  std::string line_;
};

/// Converts UTF-8 to GB18030 (throws Error(kInvalidInput) on invalid UTF-8) and back.
std::string utf8ToGb18030(std::string_view utf8);
std::string gb18030ToUtf8(std::string_view gb);

}  // namespace edupay
