import Testing
@testable import MeshNode

@Suite struct NodeOptionsTests {
    @Test func defaultsMatchTheSettledInterface() throws {
        let o = try NodeOptions.resolve(flags: OptionLayer(source: "flags"), environment: [:], hostName: "box1")
        #expect(o.name == "box1")
        #expect(o.bind == HostPort(host: "0.0.0.0", port: 7946))
        #expect(o.admin == HostPort(host: "127.0.0.1", port: 7947))
        #expect(o.http == HostPort(host: "0.0.0.0", port: 8080))
        #expect(o.dataDir == "./meshgate-data/box1")
        #expect(o.adminTokenFile == "./meshgate-data/box1/admin.token")
        #expect(o.seeds.isEmpty)
        #expect(o.role == .worker)
        #expect(o.profile == .lan)
        #expect(o.logLevel == .info)
        #expect(o.logFormat == .text)
        #expect(o.insecure == false)
        #expect(o.effectiveTags == ["env": "default", "role": "worker"])
    }

    @Test func aFlagWinsOverTheEnvironmentWhichWinsOverTheFile() throws {
        let file = try OptionLayer(configFileText: """
            name: from-file
            bind: 127.0.0.1:1000
            profile: wan
            log-level: debug
            """, path: "meshd.yaml")
        let env = ["MESHGATE_BIND": "127.0.0.1:2000", "MESHGATE_PROFILE": "local", "HOME": "/root"]
        let flags = OptionLayer(source: "flags", values: [.bind: ["127.0.0.1:3000"]])
        let o = try NodeOptions.resolve(flags: flags, environment: env, configFile: file, hostName: "h")
        #expect(o.bind.port == 3000)
        #expect(o.profile == .local)
        #expect(o.logLevel == .debug)
        #expect(o.name == "from-file")
        #expect(o.dataDir == "./meshgate-data/from-file")
    }

    @Test func environmentNamesFollowTheFlags() {
        #expect(OptionKey.clusterKeyFile.environmentName == "MESHGATE_CLUSTER_KEY_FILE")
        #expect(OptionKey.seeds.environmentName == "MESHGATE_SEEDS")
        #expect(OptionKey.adminTokenFile.environmentName == "MESHGATE_ADMIN_TOKEN_FILE")
    }

    @Test func theConfigFileTakesListsAndMaps() throws {
        let file = try OptionLayer(configFileText: """
            seeds: [10.0.0.1:7946, "dns:meshd.default.svc:7946"]
            tags: { region: eu, zone: a }
            trust-key: [a.pub, b.pub]
            insecure: true
            role: manager
            """, path: "f.yaml")
        let o = try NodeOptions.resolve(flags: OptionLayer(source: "flags"), environment: [:], configFile: file, hostName: "h")
        #expect(o.seeds == [.address(HostPort(host: "10.0.0.1", port: 7946)), .dns(name: "meshd.default.svc", port: 7946)])
        #expect(o.effectiveTags == ["region": "eu", "zone": "a", "env": "default", "role": "manager"])
        #expect(o.trustKeys == ["a.pub", "b.pub"])
        #expect(o.insecure)
    }

    @Test func badValuesNameTheOptionAndItsSource() {
        let env = ["MESHGATE_PROFILE": "fast"]
        #expect(throws: OptionError("--profile from environment: 'fast' is not one of lan, wan, local")) {
            try NodeOptions.resolve(flags: OptionLayer(source: "flags"), environment: env, hostName: "h")
        }
        #expect(throws: OptionError.self) {
            try OptionLayer(configFileText: "nmae: typo", path: "f.yaml")
        }
        #expect(throws: OptionError.self) {
            try NodeOptions.resolve(
                flags: OptionLayer(source: "flags", values: [.bind: ["7946"]]), environment: [:], hostName: "h")
        }
    }
}

@Suite struct SeedSpecTests {
    @Test func parsesAddressesAndDNSNames() throws {
        #expect(try SeedSpec.parseList("10.0.0.1:7946, [::1]:7000,dns:meshd-headless.prod.svc.cluster.local:7946,") == [
            .address(HostPort(host: "10.0.0.1", port: 7946)),
            .address(HostPort(host: "::1", port: 7000)),
            .dns(name: "meshd-headless.prod.svc.cluster.local", port: 7946),
        ])
        #expect(try SeedSpec(parsing: "node-a:7946") == .address(HostPort(host: "node-a", port: 7946)))
    }

    @Test func rejectsWhatIsNotASeed() {
        for bad in ["10.0.0.1", "dns:name", "dns::7946", "host:99999", "::1:7946", "host:0"] {
            #expect(throws: SeedSpec.ParseError.self, "\(bad)") { try SeedSpec(parsing: bad) }
        }
    }

    @Test func resolvesLoopbackNames() async throws {
        let ips = try await SeedResolver.lookup("localhost")
        #expect(ips.contains("127.0.0.1") || ips.contains("::1"))
        let resolved = await SeedResolver().resolve(
            [.address(HostPort(host: "127.0.0.1", port: 7946)), .dns(name: "localhost", port: 7000)],
            logger: .init(label: "test"))
        #expect(resolved.first == HostPort(host: "127.0.0.1", port: 7946))
        #expect(resolved.contains { $0.port == 7000 })
    }
}
