#pragma once
// The consensus write-ahead log (docs/consensus.md §4, R3) on the node's
// database: the validator's SafetyState under one meta key, written with a
// synced write so that save() returns only once the state is durable.

#include "consensus/safety.hpp"
#include "storage/database.hpp"

namespace trellis::storage {

class DbSafetyStore final : public consensus::SafetyStore {
public:
    /// db must outlive the store.
    explicit DbSafetyStore(Database& db) : db_(db) {}

    [[nodiscard]] Result<void, consensus::StoreError> save(const consensus::SafetyState& s) override;
    /// A record that does not decode is kCorrupt, never a fresh start: a
    /// validator that forgot its votes could equivocate.
    Result<std::optional<consensus::SafetyState>, consensus::StoreError> load() const override;

private:
    Database& db_;
};

}  // namespace trellis::storage
