#include "node/local_network.hpp"

#include "crypto/keccak.hpp"
#include "node/ca.hpp"
#include "node/network.hpp"

namespace trellis::node {

Bytes32 local_validator_key(size_t i) {
    return Bytes32::from(crypto::keccak256(as_view("trellis local network validator " + std::to_string(i))).view());
}

Result<std::unique_ptr<LocalNetwork>, std::string> LocalNetwork::start(const std::filesystem::path& dir,
                                                                      LocalNetworkOptions o) {
    std::unique_ptr<LocalNetwork> net(new LocalNetwork());
    if (auto r = ca::init_ca(dir / "ca"); !r) return Unexpected{std::string("CA: ") + ca::to_string(r.error())};
    const crypto::CryptoSuite* suite = crypto::suite_by_name(o.genesis.crypto_suite);
    if (!suite) return Unexpected{"unknown crypto suite " + o.genesis.crypto_suite};
    chain::Genesis g = o.genesis;
    g.validators.clear();
    g.observer_nodes.clear();
    std::vector<ca::IssuedNode> certs;
    const size_t n = o.validators + o.observers;
    for (size_t i = 0; i < n; ++i) {
        auto issued = ca::issue_node(dir / "ca", "node" + std::to_string(i), dir / "certs");
        if (!issued) return Unexpected{std::string("certificate: ") + ca::to_string(issued.error())};
        certs.push_back(*issued);
        if (i < o.validators) {
            chain::GenesisValidator v;
            auto pub = suite->public_key(local_validator_key(i));
            if (!pub) return Unexpected{std::string("validator key")};
            v.public_key = *pub;
            v.address = suite->address_of(v.public_key);
            v.stake = uint256(100);
            v.node_id = issued->node_id;
            g.validators.push_back(v);
        } else {
            g.observer_nodes.push_back(issued->node_id);
        }
    }
    net->genesis_ = g;
    std::vector<uint16_t> ports;
    for (size_t i = 0; i < n; ++i) {
        ServiceSettings st = o.base;
        st.datadir = dir / ("node" + std::to_string(i));
        st.genesis = g;
        st.http_port = 0;
        if (i < o.validators) st.consensus_key = local_validator_key(i);
        NetworkSettings ns = st.network.value_or(NetworkSettings{});
        ns.p2p.transport.listen_address = "127.0.0.1";
        ns.p2p.transport.listen_port = 0;
        ns.p2p.transport.cert_file = certs[i].cert_file;
        ns.p2p.transport.key_file = certs[i].key_file;
        ns.p2p.transport.ca_file = certs[i].ca_file;
        ns.p2p.backoff_initial = std::chrono::milliseconds(50);
        ns.p2p.backoff_max = std::chrono::milliseconds(1000);
        st.network = ns;
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
