#pragma once
// Pieces shared by the bank-file use cases (BankFiles.cpp, ExportBatch.cpp, ResultImport.cpp);
// not part of the module's interface.

#include <cstdint>
#include <functional>
#include <string>

#include "bankfiles/BankFiles.h"
#include "common/Message.h"

namespace edupay::bankfiles::detail {

/// "batch 12 (programme term, county 430121, bank 102)": how messages name a batch.
std::string describe(const disburse::Batch& b);
/// The same for people (bank.batch): the batch, its county and bank, programme and term.
Message batchMessage(const disburse::Batch& b);

/// Calls `each` for every payment of `batch_id` with seq in [first_seq, last_seq], in seq order,
/// reading a page of 10,000 at a time; `after_page` (if set) runs after each page.
void forEachExportRow(BankFileStore& store, int64_t batch_id, int64_t first_seq, int64_t last_seq,
                      const std::function<void(const ExportRow&)>& each,
                      const std::function<void()>& after_page = {});

}  // namespace edupay::bankfiles::detail
