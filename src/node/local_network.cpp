#include "node/local_network.hpp"

#include "crypto/keccak.hpp"
#include "node/network.hpp"

namespace trellis::node {

Bytes32 local_validator_key(size_t i) {
    return Bytes32::from(
        crypto::keccak256(as_view("trellis local network validator " + std::to_string(i))).view());
}

Result<LocalIdentities, std::string> make_local_identities(const std::filesystem::path& dir,
                                                           size_t validators, size_t observers,
                                                           const chain::Genesis& base) {
    LocalIdentities ids;
    ids.validators = validators;
    if (auto r = p2p::ca::init_ca(dir / "ca"); !r)
        return Unexpected{std::string("CA: ") + p2p::ca::to_string(r.error())};
    const crypto::CryptoSuite* suite = crypto::suite_by_name(base.crypto_suite);
    if (!suite) return Unexpected{"unknown crypto suite " + base.crypto_suite};
    ids.genesis = base;
    ids.genesis.validators.clear();
    ids.genesis.observer_nodes.clear();
    for (size_t i = 0; i < validators + observers; ++i) {
        auto issued = p2p::ca::issue_node(dir / "ca", "node" + std::to_string(i), dir / "certs");
        if (!issued) return Unexpected{std::string("certificate: ") + p2p::ca::to_string(issued.error())};
        ids.certs.push_back(*issued);
        if (i >= validators) {
            ids.genesis.observer_nodes.push_back(issued->node_id);
            continue;
        }
        chain::GenesisValidator v;
        auto pub = suite->public_key(local_validator_key(i));
        if (!pub) return Unexpected{std::string("validator key")};
        v.public_key = *pub;
        v.address = suite->address_of(v.public_key);
        v.stake = uint256(100);
        v.node_id = issued->node_id;
        ids.genesis.validators.push_back(v);
    }
    return ids;
}

ServiceSettings local_node_settings(const LocalIdentities& ids, size_t i, const std::filesystem::path& dir,
                                    ServiceSettings st) {
    st.datadir = dir / ("node" + std::to_string(i));
    st.genesis = ids.genesis;
    if (i < ids.validators) st.consensus_key = local_validator_key(i);
    NetworkSettings ns = st.network.value_or(NetworkSettings{});
    ns.p2p.transport.listen_address = "127.0.0.1";
    ns.p2p.transport.listen_port = 0;
    ns.p2p.transport.cert_file = ids.certs[i].cert_file;
    ns.p2p.transport.key_file = ids.certs[i].key_file;
    ns.p2p.transport.ca_file = ids.certs[i].ca_file;
    ns.p2p.backoff_initial = std::chrono::milliseconds(50);
    ns.p2p.backoff_max = std::chrono::milliseconds(500);
    st.network = ns;
    return st;
}

Result<std::unique_ptr<LocalNetwork>, std::string> LocalNetwork::start(const std::filesystem::path& dir,
                                                                       LocalNetworkOptions o) {
    std::unique_ptr<LocalNetwork> net(new LocalNetwork());
    auto ids = make_local_identities(dir, o.validators, o.observers, o.genesis);
    if (!ids) return Unexpected{ids.error()};
    net->genesis_ = ids->genesis;
    std::vector<uint16_t> ports;
    for (size_t i = 0; i < ids->certs.size(); ++i) {
        ServiceSettings st = local_node_settings(*ids, i, dir, o.base);
        st.http_port = 0;
        auto s = Service::start(std::move(st));
        if (!s) return Unexpected{"node" + std::to_string(i) + ": " + s.error()};
        ports.push_back((*s)->network()->p2p_port());
        for (size_t j = 0; j < i; ++j) (*s)->network()->add_peer({"127.0.0.1", ports[j]});
        net->nodes_.push_back(std::move(s).value());
    }
    return net;
}

LocalNetwork::~LocalNetwork() {
    stop();
}

void LocalNetwork::stop() {
    for (auto& s : nodes_)
        if (s) s->stop();
}

}  // namespace trellis::node
