import ManagerCore
import Foundation
import Logging
import NIOPosix
import XCTest

@testable import Proxy

final class TLSTests: XCTestCase {
    func testTerminatesTLSFromCertificateAndKeyFiles() async throws {
        guard let openssl = ["/usr/bin/openssl"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
            let curl = ["/usr/bin/curl"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { throw XCTSkip("openssl or curl not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        XCTAssertEqual(try run(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-keyout", key, "-out", cert,
        ]).status, 0)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let up = try await TestUpstream(name: "up", group: group)
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("up", ports: [up.port]) + "routes:\n  - { id: all, upstream: up }\n",
            options: GatewayOptions(tls: .init(certificateChainPath: cert, privateKeyPath: key)))
        let result = try run(curl, ["-sk", "--max-time", "5", "https://127.0.0.1:\(gw.port)/secure", "https://127.0.0.1:\(gw.port)/again"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.output, "up GET /secure 0up GET /again 0")
        XCTAssertEqual(up.requests.first?.head.headers.first(name: "x-forwarded-proto"), "https")
        XCTAssertEqual(try run(curl, ["-s", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(gw.port)/"]).output, "000",
            "plain HTTP on the TLS listener gets no HTTP answer")
        await gw.stop()
        await up.close()
        try await group.shutdownGracefully()
    }

    func testMissingCertificateIsAClearError() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let config = try GatewayConfig.parse(yaml: "routes: []\n", file: "t.yaml")
        XCTAssertThrowsError(try Gateway(
            options: GatewayOptions(tls: .init(certificateChainPath: "/nonexistent/cert.pem", privateKeyPath: "/nonexistent/key.pem")),
            config: config, group: group, logger: .init(label: "t"))) { error in
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/cert.pem:0: cannot load TLS certificate or key"), "\(error)")
        }
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
