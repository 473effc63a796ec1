#pragma once

#include <string>

namespace edupay {

/// True when the file starts like a zip archive (an .xlsx workbook).
bool looksLikeXlsx(const std::string& path);

/// The first worksheet of an .xlsx workbook as UTF-8 CSV (RFC 4180, "\n" line ends): line N of
/// the CSV is row N of the sheet (empty rows are kept), so a report's line numbers are the row
/// numbers the user sees in Excel. Shared strings, inline strings, numbers and booleans are read;
/// a number cell in a date format (built-in formats 14-22, 27-36, 50-58 or a custom y/m/d code;
/// 1900 or 1904 date system) is written as YYYY-MM-DD; other numbers as stored, except an integer
/// of more than 15 digits (an ID or account Excel stored as a number, whose last digits are lost),
/// which is written in scientific form so the validator names it. Error(kInvalidInput) naming the
/// file for a damaged or encrypted workbook, a DTD, or a part larger than 256 MB uncompressed.
std::string xlsxToCsv(const std::string& path);

}  // namespace edupay
