#pragma once
// The base of the SQL stores: one Database connection (SQLite or MariaDB) behind one or more of
// the library's store interfaces.

#include <memory>

#include "store/Database.h"
#include "store/SqlHelpers.h"

namespace edupay::store {

/// Implements the interfaces' transaction(): one database transaction on `db_` (rolled back
/// unless committed).
template <typename... Interfaces>
class SqlStore : public Interfaces... {
 public:
  explicit SqlStore(Database& db) : db_(db) {}
  std::unique_ptr<StoreTransaction> transaction() override {
    return std::make_unique<SqlStoreTransaction>(db_);
  }

 protected:
  Database& db_;
};

}  // namespace edupay::store
