#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

namespace trellis {

/// Owning byte string. Functions take ByteView and return Bytes.
using Bytes = std::vector<uint8_t>;
/// Non-owning view of bytes; valid only while the owner lives.
using ByteView = std::span<const uint8_t>;

inline ByteView as_view(std::string_view s) noexcept {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

inline Bytes to_bytes(ByteView v) { return Bytes(v.begin(), v.end()); }

inline bool equal(ByteView a, ByteView b) noexcept {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

inline void append(Bytes& out, ByteView v) { out.insert(out.end(), v.begin(), v.end()); }

/// A fixed-size byte string value type (hashes, addresses). No arithmetic: use
/// uint256 for numbers.
template <size_t N>
struct FixedBytes {
    static constexpr size_t kSize = N;
    std::array<uint8_t, N> bytes{};

    constexpr FixedBytes() = default;

    /// Copies exactly N bytes; the caller guarantees v.size() == N.
    static FixedBytes from(ByteView v) noexcept {
        FixedBytes r;
        std::memcpy(r.bytes.data(), v.data(), N);
        return r;
    }
    /// Right-aligns v (up to N bytes) into a zeroed value, as the EVM does with
    /// short words.
    static FixedBytes right_aligned(ByteView v) noexcept {
        FixedBytes r;
        const size_t n = v.size() < N ? v.size() : N;
        std::memcpy(r.bytes.data() + (N - n), v.data() + (v.size() - n), n);
        return r;
    }

    constexpr uint8_t* data() noexcept { return bytes.data(); }
    constexpr const uint8_t* data() const noexcept { return bytes.data(); }
    static constexpr size_t size() noexcept { return N; }
    ByteView view() const noexcept { return {bytes.data(), N}; }
    operator ByteView() const noexcept { return view(); }
    constexpr uint8_t operator[](size_t i) const noexcept { return bytes[i]; }
    constexpr uint8_t& operator[](size_t i) noexcept { return bytes[i]; }

    bool is_zero() const noexcept {
        for (auto b : bytes)
            if (b) return false;
        return true;
    }

    friend constexpr bool operator==(const FixedBytes&, const FixedBytes&) = default;
    friend constexpr auto operator<=>(const FixedBytes&, const FixedBytes&) = default;
};

using Hash32 = FixedBytes<32>;
using Bytes32 = FixedBytes<32>;
using Address = FixedBytes<20>;

/// A block's height in the chain, the one name for it in every module
/// (chain::BlockNum, consensus::BlockNum and rpc::BlockNum are this type).
using BlockNum = uint64_t;

/// Hash functor for unordered containers keyed by fixed bytes. Hashes every
/// byte: addresses such as precompiles share long zero prefixes.
struct FixedBytesHasher {
    template <size_t N>
    size_t operator()(const FixedBytes<N>& v) const noexcept {
        return std::hash<std::string_view>{}(
            std::string_view(reinterpret_cast<const char*>(v.data()), N));
    }
};

}  // namespace trellis
