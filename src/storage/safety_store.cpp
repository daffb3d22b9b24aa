#include "storage/safety_store.hpp"

namespace trellis::storage {
namespace {

constexpr std::string_view kSafetyKey = "consensus/safety";

ByteView key() {
    return {reinterpret_cast<const uint8_t*>(kSafetyKey.data()), kSafetyKey.size()};
}

}  // namespace

Result<void, consensus::StoreError> DbSafetyStore::save(const consensus::SafetyState& s) {
    WriteBatch batch;
    batch.put(Column::kMeta, key(), consensus::encode_safety_state(s));
    if (!db_.write(batch, /*sync=*/true).is_ok()) return Unexpected{consensus::StoreError::kWriteFailed};
    return {};
}

Result<std::optional<consensus::SafetyState>, consensus::StoreError> DbSafetyStore::load() const {
    auto got = db_.get(Column::kMeta, key());
    if (!got) return Unexpected{consensus::StoreError::kCorrupt};
    if (!*got) return std::optional<consensus::SafetyState>{};
    auto state = consensus::decode_safety_state(**got);
    if (!state) return Unexpected{consensus::StoreError::kCorrupt};
    return std::optional<consensus::SafetyState>{std::move(state).value()};
}

}  // namespace trellis::storage
