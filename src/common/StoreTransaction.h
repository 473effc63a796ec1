#pragma once

namespace edupay {

/// A unit of work on a store: rolled back on destruction unless commit() ran. Store interfaces
/// (registry, rules, ...) hand these out so callers never see a database type.
class StoreTransaction {
 public:
  virtual ~StoreTransaction() = default;
  virtual void commit() = 0;
};

}  // namespace edupay
