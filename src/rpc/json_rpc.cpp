#include "rpc/json_rpc.hpp"

#include "runtime/metrics.hpp"

namespace trellis::rpc {

struct Dispatcher::Metrics {
    runtime::metrics::Family<runtime::metrics::Counter>* requests;
    runtime::metrics::Family<runtime::metrics::Counter>* errors;
    runtime::metrics::Family<runtime::metrics::Histogram>* latency;
};

void throw_invalid_params(std::string message) { throw RpcError(code::kInvalidParams, std::move(message)); }

json make_error(const json& id, int c, std::string_view message, const std::optional<json>& data) {
    json err = {{"code", c}, {"message", message}};
    if (data) err["data"] = *data;
    return {{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(err)}};
}

bool too_deep(std::string_view s, size_t max_depth) noexcept {
    size_t depth = 0;
    bool in_string = false, escaped = false;
    for (char c : s) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > max_depth) return true;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return false;
}

Dispatcher::Dispatcher(DispatchSettings settings, runtime::metrics::Registry* registry) : settings_(settings) {
    if (registry) {
        metrics_ = std::make_unique<Metrics>(Metrics{
            &registry->counter("trellis_rpc_requests_total", "JSON-RPC requests by method", {"method"}),
            &registry->counter("trellis_rpc_errors_total", "JSON-RPC error responses by method and code",
                               {"method", "code"}),
            &registry->histogram("trellis_rpc_request_seconds", "JSON-RPC handling time by method", {"method"}),
        });
    }
}
Dispatcher::~Dispatcher() = default;
Dispatcher::Dispatcher(Dispatcher&&) noexcept = default;
Dispatcher& Dispatcher::operator=(Dispatcher&&) noexcept = default;

void Dispatcher::register_method(std::string name, Handler handler) { methods_[std::move(name)] = std::move(handler); }

bool Dispatcher::has_method(std::string_view name) const { return methods_.count(std::string(name)) != 0; }

void Dispatcher::register_batch_method(std::string name, BatchHandler handler) {
    batch_methods_[std::move(name)] = std::move(handler);
}

std::variant<Dispatcher::Call, std::optional<json>> Dispatcher::check(const json& req) const {
    // JSON-RPC 2.0 §4: a request is an object with "jsonrpc": "2.0", a string
    // method, optional params (array or object) and an optional id (string,
    // number or null). No id member: a notification, which gets no answer.
    if (!req.is_object()) return make_error(nullptr, code::kInvalidRequest, "invalid request");
    Call call;
    const auto id_it = req.find("id");
    call.notification = id_it == req.end();
    if (!call.notification) {
        if (!(id_it->is_string() || id_it->is_number() || id_it->is_null()))
            return make_error(nullptr, code::kInvalidRequest, "invalid request: id must be a string, number or null");
        call.id = *id_it;
    }
    const json& id = call.id;
    const auto v = req.find("jsonrpc");
    if (v == req.end() || !v->is_string() || v->get_ref<const std::string&>() != "2.0")
        return make_error(id, code::kInvalidRequest, "invalid request: jsonrpc must be \"2.0\"");
    const auto m = req.find("method");
    if (m == req.end() || !m->is_string())
        return make_error(id, code::kInvalidRequest, "invalid request: method must be a string");
    call.method = &m->get_ref<const std::string&>();
    static const json kEmpty = json::array();
    call.params = &kEmpty;
    if (const auto p = req.find("params"); p != req.end() && !p->is_null()) {
        if (p->is_object())
            return call.notification
                       ? std::nullopt
                       : std::optional(make_error(id, code::kInvalidParams, "invalid params: expected an array"));
        if (!p->is_array()) return make_error(id, code::kInvalidRequest, "invalid request: params must be an array or object");
        call.params = &*p;
    }
    return call;
}

std::optional<json> Dispatcher::respond(const Call& call, CallContext& ctx, const BatchAnswer* answer,
                                        double seconds) const {
    const json& id = call.id;
    const std::string& method = *call.method;
    const auto it = methods_.find(method);
    // Bound label cardinality: unknown names are counted under one label.
    const std::string metric_method = it == methods_.end() ? std::string("unknown") : method;
    const auto start = std::chrono::steady_clock::now();
    std::optional<json> response;
    int error_code = 0;
    if (it == methods_.end()) {
        error_code = code::kMethodNotFound;
        response = make_error(id, error_code, "the method " + method + " does not exist/is not available");
    } else {
        try {
            json result;
            if (answer) {
                if (answer->error) std::rethrow_exception(answer->error);
                result = answer->result;
            } else {
                result = it->second(*call.params, ctx);
            }
            response = json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
        } catch (const RpcError& e) {
            error_code = e.code;
            response = make_error(id, e.code, e.what(), e.data);
        } catch (const json::exception& e) {
            // A handler read a param with the wrong JSON type.
            error_code = code::kInvalidParams;
            response = make_error(id, error_code, std::string("invalid params: ") + e.what());
        } catch (const std::exception& e) {
            error_code = code::kInternal;
            response = make_error(id, error_code, std::string("internal error: ") + e.what());
        } catch (...) {
            error_code = code::kInternal;
            response = make_error(id, error_code, "internal error");
        }
    }
    if (metrics_) {
        const double secs =
            answer ? seconds : std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        metrics_->requests->with({metric_method}).inc();
        metrics_->latency->with({metric_method}).observe(secs);
        if (error_code) metrics_->errors->with({metric_method, std::to_string(error_code)}).inc();
    }
    if (call.notification) return std::nullopt;
    return response;
}

std::optional<json> Dispatcher::handle_one(const json& req, CallContext& ctx) const {
    auto checked = check(req);
    if (auto* response = std::get_if<std::optional<json>>(&checked)) return std::move(*response);
    return respond(std::get<Call>(checked), ctx);
}

/// Answers the elements of a batch in order. Well-formed calls of a method
/// with a batch form, grouped by method, are answered together when the first
/// of them comes up.
struct Dispatcher::Batch {
    struct Group {
        const BatchHandler* handler = nullptr;
        std::vector<size_t> members;
        std::vector<BatchAnswer> answers;
        double seconds_each = 0;
        bool done = false;
    };

    const Dispatcher& dispatcher;
    const json& req;  // a non-empty array
    CallContext& ctx;
    std::vector<std::variant<Call, std::optional<json>>> checked;
    std::unordered_map<std::string_view, Group> groups;
    std::vector<Group*> group_of;  // null: answered on its own
    std::vector<size_t> slot;      // position within its group

    Batch(const Dispatcher& d, const json& batch, CallContext& c)
        : dispatcher(d), req(batch), ctx(c), group_of(batch.size(), nullptr), slot(batch.size(), 0) {
        checked.reserve(req.size());
        for (const auto& item : req) checked.push_back(dispatcher.check(item));
        if (!dispatcher.batch_methods_.empty()) group_calls();
    }

    /// The array of responses; nullopt when there are none (all notifications).
    std::optional<json> answer() {
        json out = json::array();
        for (size_t i = 0; i < req.size(); ++i)
            if (auto r = answer_element(i)) out.push_back(std::move(*r));
        if (out.empty()) return std::nullopt;
        return out;
    }

private:
    /// Groups the calls of each batch method; a group of two or more is answered together.
    void group_calls() {
        for (size_t i = 0; i < checked.size(); ++i) {
            const Call* c = std::get_if<Call>(&checked[i]);
            if (!c) continue;
            const auto b = dispatcher.batch_methods_.find(*c->method);
            if (b == dispatcher.batch_methods_.end() || !dispatcher.methods_.count(*c->method)) continue;
            Group& g = groups[*c->method];
            g.handler = &b->second;
            g.members.push_back(i);
        }
        for (auto& [name, g] : groups)
            if (g.members.size() >= 2)
                for (size_t k = 0; k < g.members.size(); ++k) {
                    group_of[g.members[k]] = &g;
                    slot[g.members[k]] = k;
                }
    }

    std::optional<json> answer_element(size_t i) {
        Group* g = group_of[i];
        // Elements already answered with their group are past any deadline check.
        if (ctx.expired() && !(g && g->done)) {
            const auto& item = req[i];
            return make_error(item.is_object() && item.contains("id") ? item["id"] : json(nullptr),
                              code::kLimitExceeded, "request timed out");
        }
        if (auto* response = std::get_if<std::optional<json>>(&checked[i])) return std::move(*response);
        const Call& call = std::get<Call>(checked[i]);
        if (!g) return dispatcher.respond(call, ctx);
        if (!g->done) run_group(*g);
        return dispatcher.respond(call, ctx, &g->answers[slot[i]], g->seconds_each);
    }

    /// Hands the group's params to its batch handler at once, timing them.
    void run_group(Group& g) {
        std::vector<const json*> params;
        params.reserve(g.members.size());
        for (const size_t m : g.members) params.push_back(std::get<Call>(checked[m]).params);
        const auto start = std::chrono::steady_clock::now();
        try {
            g.answers = (*g.handler)(params, ctx);
        } catch (...) {
            g.answers.clear();
        }
        if (g.answers.size() != g.members.size()) {
            // A batch handler that failed as a whole: every element gets the failure.
            g.answers.assign(g.members.size(), BatchAnswer{});
            for (auto& a : g.answers)
                a.error = std::make_exception_ptr(RpcError(code::kInternal, "internal error"));
        }
        g.seconds_each = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
                         double(g.members.size());
        g.done = true;
    }
};

std::optional<std::string> Dispatcher::handle(std::string_view body, CallContext& ctx) const {
    // Dumping replaces invalid UTF-8 (e.g. from echoed strings) instead of throwing.
    const auto dump = [](const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); };
    try {
        if (too_deep(body, settings_.max_depth))
            return dump(make_error(nullptr, code::kParseError, "parse error: nesting too deep"));
        json req = json::parse(body, nullptr, /*allow_exceptions=*/false);
        if (req.is_discarded()) return dump(make_error(nullptr, code::kParseError, "parse error"));
        if (!req.is_array()) {
            auto r = handle_one(req, ctx);
            if (!r) return std::nullopt;
            return dump(*r);
        }
        // §6: an empty batch is one invalid-request error, not an empty array.
        if (req.empty()) return dump(make_error(nullptr, code::kInvalidRequest, "empty batch"));
        if (req.size() > settings_.max_batch)
            return dump(make_error(nullptr, code::kLimitExceeded,
                                   "batch too large: " + std::to_string(req.size()) + " requests, limit " +
                                       std::to_string(settings_.max_batch)));
        auto out = Batch(*this, req, ctx).answer();
        if (!out) return std::nullopt;  // §6: all notifications, nothing returned
        return dump(*out);
    } catch (const std::exception& e) {
        return dump(make_error(nullptr, code::kInternal, std::string("internal error: ") + e.what()));
    } catch (...) {
        return dump(make_error(nullptr, code::kInternal, "internal error"));
    }
}

}  // namespace trellis::rpc
