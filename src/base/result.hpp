#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "base/assert.hpp"

namespace trellis {

/// Wraps an error value so Result can be built unambiguously from it.
template <class E>
struct Unexpected {
    E error;
};
template <class E>
Unexpected(E) -> Unexpected<E>;

/// The outcome of an operation that can fail in an expected way (bad input,
/// invalid transaction): a value T or an error E, usually a module's enum.
/// Reading the wrong alternative is a bug and trips TRELLIS_ASSERT.
template <class T, class E>
class [[nodiscard]] Result {
public:
    using value_type = T;
    using error_type = E;

    Result(const T& v) : v_(std::in_place_index<0>, v) {}
    Result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}
    template <class G>
    Result(Unexpected<G> e) : v_(std::in_place_index<1>, E(std::move(e.error))) {}

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & {
        TRELLIS_ASSERT(ok());
        return std::get<0>(v_);
    }
    const T& value() const& {
        TRELLIS_ASSERT(ok());
        return std::get<0>(v_);
    }
    T&& value() && {
        TRELLIS_ASSERT(ok());
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const E& error() const {
        TRELLIS_ASSERT(!ok());
        return std::get<1>(v_);
    }

private:
    std::variant<T, E> v_;
};

/// Result of an operation with no value on success.
template <class E>
class [[nodiscard]] Result<void, E> {
public:
    Result() = default;
    template <class G>
    Result(Unexpected<G> e) : err_(E(std::move(e.error))), failed_(true) {}

    bool ok() const noexcept { return !failed_; }
    explicit operator bool() const noexcept { return ok(); }
    const E& error() const {
        TRELLIS_ASSERT(failed_);
        return err_;
    }

private:
    E err_{};
    bool failed_ = false;
};

}  // namespace trellis
