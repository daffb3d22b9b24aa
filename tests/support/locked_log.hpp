#pragma once

#include <mutex>
#include <ostream>
#include <sstream>
#include <string>

namespace trellis::test {

/// An in-memory log that several threads may write at once (a node logs
/// from its consensus, sync and RPC threads; std::ostringstream alone would
/// race on its buffer). Lines from different threads may interleave.
class LockedLog {
public:
    LockedLog() : stream_(&buf_) {}
    std::ostream& stream() { return stream_; }
    std::string str() {
        std::lock_guard lock(buf_.mu);
        return buf_.str();
    }

private:
    struct Buf : std::stringbuf {
        std::recursive_mutex mu;  // stringbuf::xsputn may call overflow
        int_type overflow(int_type c) override {
            std::lock_guard lock(mu);
            return std::stringbuf::overflow(c);
        }
        std::streamsize xsputn(const char* s, std::streamsize n) override {
            std::lock_guard lock(mu);
            return std::stringbuf::xsputn(s, n);
        }
    };
    Buf buf_;
    std::ostream stream_;
};

}  // namespace trellis::test
