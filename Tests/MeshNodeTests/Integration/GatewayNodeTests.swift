import Foundation
import XCTest

/// meshd's gateway options through a real process: TLS from `--tls-cert`/`--tls-key`, the
/// header limits from `--max-header-bytes` and `--max-header-fields`, `--config` reloaded on SIGHUP (a broken file
/// changes nothing), a drain on SIGTERM, and the access log file reopened on SIGUSR1. The
/// node's own admin API is the upstream.
final class GatewayNodeTests: XCTestCase {
    func testTLSHeaderLimitAndReloadOfARealNode() throws {
        let curl = "/usr/bin/curl", openssl = "/usr/bin/openssl"
        guard FileManager.default.isExecutableFile(atPath: curl), FileManager.default.isExecutableFile(atPath: openssl) else {
            throw XCTSkip("curl or openssl not installed (scripts/install-deps.sh installs them)")
        }
        let cluster = try TestCluster("gateway")
        defer { cluster.shutdown() }
        let cert = "\(cluster.directory)/cert.pem", key = "\(cluster.directory)/key.pem"
        XCTAssertEqual(try run(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-keyout", key, "-out", cert,
        ]).status, 0)
        let node = try cluster.node("gw-1", seeds: [], start: false)
        let config = "\(cluster.directory)/gateway.yaml"
        try writeConfig(config, prefix: "/a", upstreamPort: node.adminPort)
        node.extraArguments = ["--config", config, "--tls-cert", cert, "--tls-key", key, "--max-header-bytes", "2KiB",
                                "--max-header-fields", "20"]
        try node.start()
        let base = "https://127.0.0.1:\(node.httpPort)"
        func status(_ path: String, _ extra: [String] = []) throws -> String {
            try run(curl, ["-sk", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}"] + extra + [base + path]).output
        }

        try eventually("the gateway answers over TLS", within: 20) { try status("/a/healthz") == "200" }
        XCTAssertEqual(try status("/a/healthz", ["-H", "X-Big: " + String(repeating: "x", count: 4096)]), "431",
                       "--max-header-bytes 2KiB did not refuse a 4 KiB field")
        // curl sends Host, User-Agent and Accept: with 17 more the head has 20 fields, with 18 more 21.
        func fields(_ count: Int) -> [String] { (1...count).flatMap { ["-H", "X-F\($0): v"] } }
        XCTAssertEqual(try status("/a/healthz", fields(17)), "200")
        XCTAssertEqual(try status("/a/healthz", fields(18)), "431", "--max-header-fields 20 did not refuse 21 fields")
        XCTAssertEqual(try run(curl, ["-s", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}",
                                      "http://127.0.0.1:\(node.httpPort)/a/healthz"]).output, "000",
                       "plain HTTP got an HTTP answer from the TLS listener")

        try writeConfig(config, prefix: "/b", upstreamPort: node.adminPort)
        node.send(SIGHUP)
        try eventually("SIGHUP applies the new route", within: 10) { try status("/b/healthz") == "200" }
        XCTAssertEqual(try status("/a/healthz"), "404")

        try Data("routes: [ { id: broken, upstream: nowhere } ]\n".utf8).write(to: URL(fileURLWithPath: config))
        node.send(SIGHUP)
        try eventually("the refusal is logged", within: 10) {
            (try? String(contentsOfFile: node.logPath, encoding: .utf8))?.contains("SIGHUP: config refused") == true
        }
        XCTAssertEqual(try status("/b/healthz"), "200", "a broken config replaced the one serving")

        node.send(SIGTERM)
        XCTAssertTrue(node.waitForExit(seconds: 10), "meshd did not exit after SIGTERM")
        XCTAssertEqual(node.terminationStatus, 0)
    }

    /// logrotate's way: the file is moved, SIGUSR1 makes meshd open a new one; the lines
    /// before are all in the moved file, those after all in the new one.
    func testSIGUSR1ReopensTheAccessLogAfterAMove() throws {
        let curl = "/usr/bin/curl"
        guard FileManager.default.isExecutableFile(atPath: curl) else {
            // The suite's install step provides curl: a missing one is a broken setup, not a pass.
            throw IntegrationError("curl is not installed (scripts/install-deps.sh installs it)")
        }
        let cluster = try TestCluster("access-log")
        defer { cluster.shutdown() }
        let node = try cluster.node("gw-1", seeds: [], start: false)
        let config = "\(cluster.directory)/gateway.yaml"
        let log = "\(cluster.directory)/access.log"
        let moved = log + ".1"
        try writeConfig(config, prefix: "/a", upstreamPort: node.adminPort)
        node.extraArguments = ["--config", config, "--access-log", log, "--access-log-format", "combined"]
        try node.start()
        let base = "http://127.0.0.1:\(node.httpPort)"
        /// Sends one request per tag on one connection; their status codes.
        func send(_ tags: [String]) throws -> [String] {
            let urls = tags.flatMap { ["-o", "/dev/null", "\(base)/a/healthz?t=\($0)"] }
            let output = try run(curl, ["-s", "--max-time", "10", "-w", "%{http_code}\\n"] + urls).output
            return output.split(separator: "\n").map(String.init)
        }
        func lines(_ path: String) -> [String] {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        func tagged(_ prefix: String, in path: String) -> Int { lines(path).filter { $0.contains("?t=\(prefix)") }.count }

        try eventually("the gateway answers", within: 20) { try send(["probe"]) == ["200"] }
        let before = (0..<20).map { "before-\($0)" }
        XCTAssertEqual(try send(before), Array(repeating: "200", count: 20))
        try eventually("20 lines in the access log", within: 10) { tagged("before-", in: log) == 20 }

        try FileManager.default.moveItem(atPath: log, toPath: moved)
        node.send(SIGUSR1)
        try eventually("SIGUSR1 opens a new file", within: 10) { FileManager.default.fileExists(atPath: log) }
        let after = (0..<20).map { "after-\($0)" }
        XCTAssertEqual(try send(after), Array(repeating: "200", count: 20))
        try eventually("20 lines in the new file", within: 10) { tagged("after-", in: log) == 20 }

        XCTAssertEqual(tagged("before-", in: moved), 20)
        XCTAssertEqual(tagged("after-", in: moved), 0)
        XCTAssertEqual(tagged("before-", in: log), 0)
        let combined = /127\.0\.0\.1 - - \[[^\]]+\] "GET \/a\/healthz\?t=[a-z]+-\d+ HTTP\/1\.1" 200 \d+ "-" "curl\/[^"]+"/
        for line in lines(moved) + lines(log) where !line.contains("t=probe") {
            XCTAssertNotNil(line.wholeMatch(of: combined), line)
        }
        XCTAssertTrue(node.isRunning, "SIGUSR1 ended meshd")
        node.send(SIGTERM)
        XCTAssertTrue(node.waitForExit(seconds: 10), "meshd did not exit after SIGTERM")
    }

    private func writeConfig(_ path: String, prefix: String, upstreamPort: Int) throws {
        let yaml = """
            upstreams:
              - { id: admin, targets: [ { url: "http://127.0.0.1:\(upstreamPort)" } ] }
            routes:
              - { id: app, match: { path_prefix: \(prefix) }, strip_prefix: true, upstream: admin }
            """
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
    }

    private func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
