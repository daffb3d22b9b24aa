#include "cli/big_stack.hpp"

#include <pthread.h>

#include <exception>
#include <stdexcept>
#include <string>

namespace trellis::cli {
namespace {
struct Job {
    const std::function<void()>* f;
    std::exception_ptr error;
};
void* trampoline(void* p) {
    auto* job = static_cast<Job*>(p);
    try {
        (*job->f)();
    } catch (...) {
        job->error = std::current_exception();
    }
    return nullptr;
}
}  // namespace

void run_with_stack(size_t stack_bytes, const std::function<void()>& f) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (int rc = pthread_attr_setstacksize(&attr, stack_bytes); rc != 0) {
        pthread_attr_destroy(&attr);
        throw std::runtime_error("pthread_attr_setstacksize failed: " + std::to_string(rc));
    }
    Job job{&f, nullptr};
    pthread_t thread;
    const int rc = pthread_create(&thread, &attr, trampoline, &job);
    pthread_attr_destroy(&attr);
    if (rc != 0) throw std::runtime_error("pthread_create failed: " + std::to_string(rc));
    pthread_join(thread, nullptr);
    if (job.error) std::rethrow_exception(job.error);
}

}  // namespace trellis::cli
