#pragma once

#include "Bank.h"

#include <functional>
#include <string>

namespace edupay::banksim {

/// What a pain.001 file says about itself before its first transaction: all a pain.002 header
/// needs. The counts are as declared (when the file is accepted they equal what it holds).
struct PainHeader {
  std::string msg_id;      ///< GrpHdr/MsgId
  std::string pmt_inf_id;  ///< PmtInf/PmtInfId
  uint64_t nb_of_txs = 0;
  int64_t ctrl_sum_fen = 0;
};

/// Reads a pain.001.001.09 or .03 file (templates/banks/README.md, "pain.001") streaming through
/// libxml2's reader, never building a tree: no network, no DTD loading, no entity substitution, and
/// a document with a DOCTYPE is refused outright. Checks the namespace of the manifest's layout,
/// one PmtInf, NbOfTxs and CtrlSum (group and payment information) against the transactions, CNY,
/// at most 2 decimals, unique EndToEndIds, names and accounts. With `schema_path` it also
/// validates against that XSD while streaming. `on_header` is called once, just before the first
/// transaction goes to `intake`. Throws IoError when the file or schema cannot be read.
/// REQUIRES: `layout` is a pain.001 layout.
void readPain001(FileSource& file, Layout layout, const Manifest& manifest,
                 const std::string& schema_path, Intake& intake, Problems& problems,
                 const std::function<void(const PainHeader&)>& on_header);

}  // namespace edupay::banksim
