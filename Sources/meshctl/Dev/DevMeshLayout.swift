/// Names and loopback ports of the dev mesh: node i listens for gossip on base + 10·i, serves its
/// admin API on base + 10·i + 1 and, for workers, the gateway on base + 10·i + 2. With the default
/// base the manager's admin API is meshctl's default node, http://127.0.0.1:7947.
struct DevMeshLayout {
    struct Node {
        let name: String
        let role: String
        let zone: String
        let gossipPort: Int
        let adminPort: Int
        let httpPort: Int

        var gossipAddress: String { "127.0.0.1:\(gossipPort)" }
        var adminURL: String { "http://127.0.0.1:\(adminPort)" }
    }

    let nodes: [Node]

    init(basePort: Int, workers: Int) {
        nodes = (0...workers).map { index in
            let base = basePort + 10 * index
            return Node(
                name: index == 0 ? "manager" : "worker-\(index)",
                role: index == 0 ? "manager" : "worker",
                zone: "zone-\(index % 2 == 0 ? "b" : "a")",
                gossipPort: base, adminPort: base + 1, httpPort: base + 2
            )
        }
    }

    /// Seeds: the manager and the first worker.
    var seeds: String { nodes.prefix(2).map(\.gossipAddress).joined(separator: ",") }

    /// The example upstream listens just past the nodes' ports.
    var upstreamPort: Int { (nodes.last?.gossipPort ?? 0) + 10 }

    var ports: [Int] { nodes.flatMap { [$0.gossipPort, $0.adminPort, $0.httpPort] } + [upstreamPort] }
}
