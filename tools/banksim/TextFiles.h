#pragma once

#include "Bank.h"

#include <string>

namespace edupay::banksim {

/// Reads a text payment file (pipe-gbk, header-block-gbk, abc-fixed, ccb-csv; formats in
/// templates/banks/README.md) line by line as a strict bank does: GBK bytes, line endings, field
/// counts and widths, 序号, accounts, amounts, names, references, header or trailer totals. Every
/// readable payment goes to `intake`; everything wrong goes to `problems` with its line.
/// REQUIRES: `layout` is not a pain.001 layout. Throws IoError when the file cannot be read.
void readTextFile(FileSource& file, Layout layout, const Manifest& manifest, Intake& intake,
                  Problems& problems);

}  // namespace edupay::banksim
