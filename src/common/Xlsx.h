#pragma once

#include <string>

namespace edupay {

/// True when the file starts like a zip archive (an .xlsx workbook).
bool looksLikeXlsx(const std::string& path);

/// The first worksheet of an .xlsx workbook as UTF-8 CSV (RFC 4180, "\n" line ends): line N of
/// the CSV is row N of the sheet (empty rows are kept), so a report's line numbers are the row
/// numbers the user sees in Excel. Shared strings, inline strings, numbers and booleans are read;
/// numbers are written as stored (a resident ID typed as a number loses nothing up to 15 digits;
/// the validator names anything else). Error(kInvalidInput) naming the file for a damaged or
/// encrypted workbook, a DTD, or a part larger than 256 MB uncompressed.
std::string xlsxToCsv(const std::string& path);

}  // namespace edupay
