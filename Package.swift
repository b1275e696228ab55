// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "meshgate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "meshd", targets: ["meshd"]),
        .executable(name: "meshctl", targets: ["meshctl"]),
        .executable(name: "mesh-sim", targets: ["mesh-sim"]),
        .library(name: "Gossip", targets: ["Gossip"]),
        .library(name: "Proxy", targets: ["Proxy"]),
        .library(name: "ManagerCore", targets: ["ManagerCore"]),
        .library(name: "CacheRing", targets: ["CacheRing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-structured-headers.git", from: "1.7.0"),
    ],
    targets: [
        // libsodium, linked from the system (Debian: libsodium-dev).
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),

        // The one libsodium wrapper: random bytes, hashes, AEAD, Ed25519.
        .target(name: "Sodium", dependencies: ["CSodium", .product(name: "Crypto", package: "swift-crypto")]),

        // The config model, manifests and their validation, canonical encoding, signed
        // bundles and version lines: pure, like Gossip.
        .target(
            name: "ManagerCore",
            dependencies: [
                "Sodium",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),

        // SWIM + Lifeguard membership and dissemination: a pure state machine and its wire codec.
        .target(name: "Gossip"),

        // The response cache's pure logic: the consistent-hash ring and its owners, cache keys,
        // RFC 9111 freshness and storability, the byte-bounded store and its invalidation.
        .target(
            name: "CacheRing",
            dependencies: [
                "Gossip", .product(name: "RawStructuredFieldValues", package: "swift-http-structured-headers"),
            ]
        ),

        // The HTTP data plane: routing, upstream pools, policies, hot swap.
        .target(
            name: "Proxy",
            dependencies: [
                "ManagerCore", "CacheRing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),

        // A mesh node: the Gossip core on real UDP/TCP sockets, encryption, admin API, the gateway.
        .target(
            name: "MeshNode",
            dependencies: [
                "Gossip", "Proxy", "ManagerCore", "Sodium", "CacheRing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "meshd",
            dependencies: [
                "MeshNode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "meshctl",
            dependencies: [
                "Sodium", "ManagerCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The cluster simulator: the Gossip core over a virtual network in virtual time.
        .target(
            name: "Simulation",
            dependencies: ["Gossip", .product(name: "Yams", package: "Yams")],
            path: "simulations/Simulation"
        ),
        .executableTarget(
            name: "mesh-sim",
            dependencies: [
                "Simulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "simulations/mesh-sim"
        ),

        // Runs the gateway alone for benchmarks (bench/proxy.sh).
        .executableTarget(
            name: "gateway-serve",
            dependencies: [
                "Proxy", "ManagerCore",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/gateway-serve"
        ),

        // Measures the ring, eviction policies and busts (bench/cache.sh).
        .executableTarget(name: "cache-bench", dependencies: ["CacheRing", "Gossip"], path: "bench/cache-bench"),

        // Round trips through peer sessions beside one-shot streams (bench/peer.sh).
        .executableTarget(
            name: "peer-bench",
            dependencies: [
                "MeshNode", "Gossip",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/peer-bench"
        ),

        .testTarget(name: "GossipTests", dependencies: ["Gossip"]),
        .testTarget(name: "CacheRingTests", dependencies: ["CacheRing", "Gossip"]),
        .testTarget(name: "ManagerCoreTests", dependencies: ["ManagerCore", "Sodium"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Gossip"]),
        .testTarget(
            name: "ProxyTests",
            dependencies: [
                "Proxy", "ManagerCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "MeshNodeTests",
            dependencies: ["MeshNode", "Gossip", "Proxy", "ManagerCore", "Sodium", "CacheRing", .product(name: "NIOCore", package: "swift-nio")]
        ),
    ]
)
