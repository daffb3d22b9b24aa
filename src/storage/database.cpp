#include "storage/database.hpp"

namespace trellis::storage {

const char* column_name(Column c) noexcept {
    switch (c) {
        case Column::kMeta:
            return "default";  // RocksDB requires a family of this name
        case Column::kHeaders:
            return "headers";
        case Column::kBodies:
            return "bodies";
        case Column::kReceipts:
            return "receipts";
        case Column::kTrieNodes:
            return "trie_nodes";
        case Column::kFlatState:
            return "flat_state";
        case Column::kIndexes:
            return "indexes";
        case Column::kConsensusWal:
            return "consensus_wal";
    }
    return "?";
}

const char* to_string(Status::Code c) noexcept {
    switch (c) {
        case Status::Code::kOk:
            return "ok";
        case Status::Code::kIoError:
            return "I/O error";
        case Status::Code::kCorruption:
            return "corruption";
        case Status::Code::kInvalidArgument:
            return "invalid argument";
        case Status::Code::kInjectedFault:
            return "injected fault";
        case Status::Code::kNotSupported:
            return "not supported";
        case Status::Code::kPruned:
            return "pruned";
    }
    return "?";
}

std::string Status::to_string() const {
    if (is_ok()) return "ok";
    return std::string(storage::to_string(code_)) + ": " + message_;
}

void WriteBatch::put(Column c, ByteView key, ByteView value) {
    entries_.push_back({Op::kPut, c, to_bytes(key), to_bytes(value)});
    bytes_ += key.size() + value.size();
}

void WriteBatch::erase(Column c, ByteView key) {
    entries_.push_back({Op::kErase, c, to_bytes(key), {}});
    bytes_ += key.size();
}

void WriteBatch::clear() noexcept {
    entries_.clear();
    bytes_ = 0;
}

void WriteBatch::append(const WriteBatch& other) {
    entries_.insert(entries_.end(), other.entries_.begin(), other.entries_.end());
    bytes_ += other.bytes_;
}

Bytes prefix_end(ByteView prefix) {
    Bytes end = to_bytes(prefix);
    while (!end.empty()) {
        if (end.back() != 0xff) {
            ++end.back();
            return end;
        }
        end.pop_back();
    }
    return end;
}

}  // namespace trellis::storage
