import Logging
import NIOCore
import Proxy
import XCTest
@testable import MeshNode

final class NodeOptionsTests: XCTestCase {
    let noFlags = OptionLayer(source: "flags")

    func testDefaultsMatchTheSettledInterface() throws {
        let o = try NodeOptions.resolve(flags: noFlags, environment: [:], hostName: "box1")
        XCTAssertEqual(o.name, "box1")
        XCTAssertEqual(o.bind, HostPort(host: "0.0.0.0", port: 7946))
        XCTAssertEqual(o.admin, HostPort(host: "127.0.0.1", port: 7947))
        XCTAssertEqual(o.http, HostPort(host: "0.0.0.0", port: 8080))
        XCTAssertEqual(o.dataDir, "./meshgate-data/box1")
        XCTAssertEqual(o.adminTokenFile, "./meshgate-data/box1/admin.token")
        XCTAssertEqual(o.seeds, [])
        XCTAssertEqual(o.role, .worker)
        XCTAssertEqual(o.profile, .lan)
        XCTAssertEqual(o.logLevel, .info)
        XCTAssertEqual(o.logFormat, .text)
        XCTAssertFalse(o.insecure)
        XCTAssertFalse(o.gatewayEnabled)
        XCTAssertEqual(o.effectiveTags, ["env": "default", "role": "worker"])
    }

    func testAFlagWinsOverTheEnvironmentWhichWinsOverTheFile() throws {
        let file = try OptionLayer(configFileText: """
            name: from-file
            bind: 127.0.0.1:1000
            profile: wan
            log-level: debug
            """, path: "meshd.yaml")
        let env = ["MESHGATE_BIND": "127.0.0.1:2000", "MESHGATE_PROFILE": "local", "HOME": "/root"]
        let flags = OptionLayer(source: "flags", values: [.bind: ["127.0.0.1:3000"]])
        let o = try NodeOptions.resolve(flags: flags, environment: env, configFile: file, hostName: "h")
        XCTAssertEqual(o.bind.port, 3000)
        XCTAssertEqual(o.profile, .local)
        XCTAssertEqual(o.logLevel, .debug)
        XCTAssertEqual(o.name, "from-file")
        XCTAssertEqual(o.dataDir, "./meshgate-data/from-file")
    }

    func testEnvironmentNamesFollowTheFlags() {
        XCTAssertEqual(OptionKey.clusterKeyFile.environmentName, "MESHGATE_CLUSTER_KEY_FILE")
        XCTAssertEqual(OptionKey.seeds.environmentName, "MESHGATE_SEEDS")
        XCTAssertEqual(OptionKey.adminTokenFile.environmentName, "MESHGATE_ADMIN_TOKEN_FILE")
    }

    func testTheConfigFileTakesListsAndMaps() throws {
        let file = try OptionLayer(configFileText: """
            seeds: [10.0.0.1:7946, "dns:meshd.default.svc:7946"]
            tags: { region: eu, zone: a }
            trust-key: [a.pub, b.pub]
            insecure: true
            role: manager
            http: 127.0.0.1:8081
            """, path: "f.yaml")
        let o = try NodeOptions.resolve(flags: noFlags, environment: [:], configFile: file, hostName: "h")
        XCTAssertEqual(o.seeds, [.address(HostPort(host: "10.0.0.1", port: 7946)), .dns(name: "meshd.default.svc", port: 7946)])
        XCTAssertEqual(o.effectiveTags, ["region": "eu", "zone": "a", "env": "default", "role": "manager"])
        XCTAssertEqual(o.trustKeys, ["a.pub", "b.pub"])
        XCTAssertTrue(o.insecure)
        XCTAssertTrue(o.gatewayEnabled)
    }

    func testBadValuesNameTheOptionAndItsSource() {
        XCTAssertThrowsError(try NodeOptions.resolve(flags: noFlags, environment: ["MESHGATE_PROFILE": "fast"], hostName: "h")) {
            XCTAssertEqual("\($0)", "--profile from environment: 'fast' is not one of lan, wan, local")
        }
        XCTAssertThrowsError(try OptionLayer(configFileText: "nmae: typo", path: "f.yaml")) {
            XCTAssertEqual("\($0)", "config file f.yaml: unknown option 'nmae'")
        }
        XCTAssertThrowsError(try NodeOptions.resolve(
            flags: OptionLayer(source: "flags", values: [.bind: ["7946"]]), environment: [:], hostName: "h"))
    }
}

final class GatewayNodeOptionsTests: XCTestCase {
    func testGatewayLimitsTLSDrainAndAccessLogFromEverySource() throws {
        let defaults = try NodeOptions.resolve(flags: OptionLayer(source: "flags"), environment: [:], hostName: "h")
        XCTAssertEqual(defaults.limits, GatewayOptions.Limits())
        XCTAssertNil(defaults.tls)
        XCTAssertEqual(defaults.drainTimeout, .seconds(5))
        XCTAssertEqual(defaults.accessLog, GatewayOptions.AccessLogSettings(destination: .standardOutput, format: .json))
        XCTAssertEqual(defaults.limits.maxHeaderFields, 100)
        XCTAssertEqual(defaults.underscoredFields, .dropped)

        let file = try OptionLayer(configFileText: """
            max-body-bytes: 10MB
            idle-timeout: 2m
            tls-cert: /etc/gw/cert.pem
            tls-key: /etc/gw/key.pem
            access-log-sample: 0
            """, path: "f.yaml")
        let env = [
            "MESHGATE_READ_TIMEOUT": "250ms", "MESHGATE_MAX_HEADER_BYTES": "16KiB", "MESHGATE_MAX_HEADER_FIELDS": "50",
            "MESHGATE_UNDERSCORES_IN_HEADERS": "on",
        ]
        let flags = OptionLayer(source: "flags", values: [.drainTimeout: ["30s"], .writeTimeout: ["7"]])
        let o = try NodeOptions.resolve(flags: flags, environment: env, configFile: file, hostName: "h")
        XCTAssertEqual(o.limits, GatewayOptions.Limits(
            maxHeaderBytes: 16 * 1024, maxHeaderFields: 50, maxBodyBytes: 10_000_000, idleTimeout: .minutes(2),
            readTimeout: .milliseconds(250), writeTimeout: .seconds(7)))
        XCTAssertEqual(o.tls, GatewayOptions.TLSFiles(certificateChainPath: "/etc/gw/cert.pem", privateKeyPath: "/etc/gw/key.pem"))
        XCTAssertEqual(o.drainTimeout, .seconds(30))
        XCTAssertEqual(o.accessLog.destination, .off)
        XCTAssertEqual(o.underscoredFields, .kept)

        let sampled = try NodeOptions.resolve(
            flags: OptionLayer(source: "flags", values: [.accessLogSample: ["100"], .accessLogFormat: ["combined"]]),
            environment: ["MESHGATE_ACCESS_LOG": "/var/log/meshgate/access.log"],
            configFile: try OptionLayer(configFileText: "access-log-format: json\n", path: "f.yaml"), hostName: "h")
        XCTAssertEqual(sampled.accessLog, GatewayOptions.AccessLogSettings(
            destination: .file("/var/log/meshgate/access.log"), format: .combined, sampleEvery: 100))
    }

    func testBadGatewayOptionsAreRefusedByName() {
        func refusal(_ values: [OptionKey: [String]]) -> String {
            do {
                _ = try NodeOptions.resolve(flags: OptionLayer(source: "flags", values: values), environment: [:], hostName: "h")
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(refusal([.tlsCert: ["c.pem"]]), "--tls-cert and --tls-key go together: give both or neither")
        XCTAssertEqual(refusal([.maxBodyBytes: ["lots"]]), "--max-body-bytes from flags: 'lots' is not a size like 65536, 64KiB or 10MB")
        XCTAssertEqual(refusal([.readTimeout: ["0s"]]), "--read-timeout from flags: '0s' is not a duration like 250ms, 30s or 5m")
        XCTAssertEqual(refusal([.accessLogSample: ["-1"]]), "--access-log-sample from flags: '-1' is not 0 (off) or a whole number")
        XCTAssertEqual(refusal([.accessLogFormat: ["apache"]]), "--access-log-format from flags: 'apache' is not one of json, combined")
        XCTAssertEqual(refusal([.maxHeaderFields: ["0"]]), "--max-header-fields from flags: '0' is not a whole number above 0")
        XCTAssertEqual(refusal([.underscoresInHeaders: ["maybe"]]), "--underscores-in-headers from flags: 'maybe' is not true or false")
    }
}

final class SeedSpecTests: XCTestCase {
    func testParsesAddressesAndDNSNames() throws {
        XCTAssertEqual(try SeedSpec.parseList("10.0.0.1:7946, [::1]:7000,dns:meshd-headless.prod.svc.cluster.local:7946,"), [
            .address(HostPort(host: "10.0.0.1", port: 7946)),
            .address(HostPort(host: "::1", port: 7000)),
            .dns(name: "meshd-headless.prod.svc.cluster.local", port: 7946),
        ])
        XCTAssertEqual(try SeedSpec(parsing: "node-a:7946"), .address(HostPort(host: "node-a", port: 7946)))
    }

    func testRejectsWhatIsNotASeed() {
        for bad in ["10.0.0.1", "dns:name", "dns::7946", "host:99999", "::1:7946", "host:0"] {
            XCTAssertThrowsError(try SeedSpec(parsing: bad), bad)
        }
    }

    func testResolvesLoopbackNames() async throws {
        let ips = try await SeedResolver.lookup("localhost")
        XCTAssertTrue(ips.contains("127.0.0.1") || ips.contains("::1"), "\(ips)")
        let resolved = await SeedResolver().resolve(
            [.address(HostPort(host: "127.0.0.1", port: 7946)), .dns(name: "localhost", port: 7000)],
            logger: Logger(label: "test"))
        XCTAssertEqual(resolved.first, HostPort(host: "127.0.0.1", port: 7946))
        XCTAssertTrue(resolved.contains { $0.port == 7000 })
    }
}
