import Foundation
import ManagerCore
import NIOPosix
import XCTest

@testable import Proxy

/// The access log in its file: one whole line per request in each format (refused ones too), a reopen after a
/// rotation that loses and splits nothing, lines dropped and counted (never waited for) when
/// the destination does not take them, and sampling.
final class AccessLogTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "access-log-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func withGateway(
        _ settings: GatewayOptions.AccessLogSettings, metrics: RecordingMetrics = RecordingMetrics(),
        limits: GatewayOptions.Limits = .init(), _ body: (GatewayHarness, TestUpstream) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await TestUpstream(name: "up", group: group)
        let gw = try await GatewayHarness.start(
            yaml: "upstreams:\n" + upstreamYAML("up", ports: [upstream.port]) + "routes:\n  - { id: r, match: { host: test.local }, upstream: up }\n",
            options: GatewayOptions(limits: limits, accessLog: settings, metricsFactory: metrics))
        try await body(gw, upstream)
        await gw.stop()
        await upstream.close()
        try await group.shutdownGracefully()
    }

    /// The whole lines of the file at `path` (none when it does not exist).
    private func lines(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// The file's lines once it has `count` of them; fails the test if it does not get there.
    private func lines(_ path: String, count: Int, file: StaticString = #filePath, line: UInt = #line) async -> [String] {
        let arrived = await eventually(within: .seconds(10)) { lines(path).count >= count }
        XCTAssertTrue(arrived, "\(lines(path).count) lines of \(count) in \(path)", file: file, line: line)
        return lines(path)
    }

    private func json(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    func testOneJSONLinePerRequest() async throws {
        let path = directory + "/access.log"
        try await withGateway(.init(destination: .file(path), format: .json)) { gw, upstream in
            let client = try gw.client()
            for i in 0..<5 {
                XCTAssertEqual(try client.get("/p\(i)?q=\(i)", headers: ["X-Request-Id": "id-\(i)"]).status, 200)
            }
            XCTAssertEqual(try client.get("/nowhere", host: "other.test", headers: ["X-Request-Id": "unrouted"]).status, 404)
            let all = await lines(path, count: 6)
            XCTAssertEqual(all.count, 6)
            let unrouted = json(all.last ?? "")
            XCTAssertEqual(unrouted?["status"] as? Int, 404)
            XCTAssertEqual(unrouted?["request_id"] as? String, "unrouted")
            XCTAssertTrue(unrouted?["route"] is NSNull && unrouted?["upstream"] is NSNull && unrouted?["target"] is NSNull)
            XCTAssertEqual(unrouted?["attempts"] as? Int, 0)
            for (i, line) in all.dropLast().enumerated() {
                guard let object = json(line) else {
                    XCTFail("not a JSON object: \(line)")
                    continue
                }
                XCTAssertEqual(Set(object.keys), [
                    "time", "method", "uri", "status", "route", "upstream", "target", "request_id", "client",
                    "duration_ms", "attempts",
                ])
                XCTAssertEqual(object["method"] as? String, "GET")
                XCTAssertEqual(object["uri"] as? String, "/p\(i)?q=\(i)")
                XCTAssertEqual(object["status"] as? Int, 200)
                XCTAssertEqual(object["route"] as? String, "r")
                XCTAssertEqual(object["upstream"] as? String, "up")
                XCTAssertEqual(object["target"] as? String, "127.0.0.1:\(upstream.port)")
                XCTAssertEqual(object["request_id"] as? String, "id-\(i)")
                XCTAssertEqual(object["client"] as? String, "127.0.0.1")
                XCTAssertEqual(object["attempts"] as? Int, 1)
                XCTAssertGreaterThan(object["duration_ms"] as? Double ?? -1, 0)
                let time = object["time"] as? String ?? ""
                XCTAssertNotNil(time.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/), time)
            }
        }
    }

    func testOneCombinedLinePerRequest() async throws {
        let path = directory + "/access.log"
        try await withGateway(.init(destination: .file(path), format: .combined)) { gw, _ in
            let client = try gw.client()
            var bodies: [Int] = []
            for i in 0..<3 {
                let response = try client.get(
                    "/c\(i)", headers: ["User-Agent": "probe \"\(i)\" \\ agent", "Referer": "http://from.test/\(i)"])
                XCTAssertEqual(response.status, 200)
                bodies.append(response.body.count)
            }
            XCTAssertEqual(try client.get("/plain").status, 200)
            let all = await lines(path, count: 4)
            XCTAssertEqual(all.count, 4)
            let combined = /(\S+) - (\S+) \[(\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "([^"]*)" (\d{3}) (\d+) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"/
            for (i, line) in all.enumerated() {
                guard let match = line.wholeMatch(of: combined) else {
                    XCTFail("not a combined line: \(line)")
                    continue
                }
                XCTAssertEqual(match.1, "127.0.0.1")
                XCTAssertEqual(match.2, "-")
                XCTAssertEqual(match.5, "200")
                if i < 3 {
                    XCTAssertEqual(match.4, "GET /c\(i) HTTP/1.1")
                    XCTAssertEqual(Int(match.6), bodies[i])
                    XCTAssertEqual(match.7, "http://from.test/\(i)")
                    XCTAssertEqual(match.8, "probe \\x22\(i)\\x22 \\x5C agent", "escaped as nginx escapes")
                } else {
                    XCTAssertEqual(match.4, "GET /plain HTTP/1.1")
                    XCTAssertEqual(match.7, "-")
                    XCTAssertEqual(match.8, "-")
                }
            }
        }
    }

    /// Requests refused before routing, each on a connection of its own, after one that is
    /// served: what was read of each (its request line, or nothing) and the status sent.
    private static let refusals: [(request: String, status: Int, line: String?)] = [
        ("POST /smuggle HTTP/1.1\r\nHost: test.local\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
         400, "POST /smuggle HTTP/1.1"),
        ("GET  /two-spaces HTTP/1.1\r\nHost: test.local\r\n\r\n", 400, nil),
        ("GET /big-head HTTP/1.0\r\nHost: test.local\r\n" + (1...5).map { "X-F\($0): v\r\n" }.joined() + "\r\n",
         431, "GET /big-head HTTP/1.0"),
        ("POST /upload HTTP/1.1\r\nHost: test.local\r\nContent-Length: 2000\r\n\r\n", 413, "POST /upload HTTP/1.1"),
    ]
    private static let refusalLimits = GatewayOptions.Limits(maxHeaderFields: 5, maxBodyBytes: 1000)

    /// Sends ``refusals`` after one served request; returns each refusal's `X-Request-Id`.
    private func sendRefusals(_ gw: GatewayHarness) throws -> [String] {
        XCTAssertEqual(try gw.client().get("/served").status, 200)
        return try Self.refusals.map { refusal in
            let client = try gw.client()
            try client.send(refusal.request)
            let response = try client.readResponse()
            XCTAssertEqual(response.status, refusal.status, refusal.request)
            return response.header("x-request-id") ?? ""
        }
    }

    func testARequestRefusedBeforeRoutingGetsOneJSONLine() async throws {
        let path = directory + "/access.log"
        try await withGateway(.init(destination: .file(path), format: .json), limits: Self.refusalLimits) { gw, _ in
            let ids = try sendRefusals(gw)
            let all = await lines(path, count: 1 + Self.refusals.count)
            XCTAssertEqual(all.count, 1 + Self.refusals.count)
            for (index, refusal) in Self.refusals.enumerated() {
                guard let object = json(all[index + 1]) else {
                    XCTFail("not a JSON object: \(all[index + 1])")
                    continue
                }
                XCTAssertEqual(object["status"] as? Int, refusal.status)
                if let line = refusal.line {
                    let parts = line.split(separator: " ")
                    XCTAssertEqual(object["method"] as? String, String(parts[0]))
                    XCTAssertEqual(object["uri"] as? String, String(parts[1]))
                } else {
                    XCTAssertTrue(object["method"] is NSNull && object["uri"] is NSNull, "\(object)")
                }
                XCTAssertTrue(object["route"] is NSNull && object["upstream"] is NSNull && object["target"] is NSNull)
                XCTAssertEqual(object["request_id"] as? String, ids[index])
                XCTAssertEqual(object["client"] as? String, "127.0.0.1")
                XCTAssertEqual(object["attempts"] as? Int, 0)
                XCTAssertGreaterThanOrEqual(object["duration_ms"] as? Double ?? -1, 0)
            }
        }
    }

    func testARequestRefusedBeforeRoutingGetsOneCombinedLine() async throws {
        let path = directory + "/access.log"
        try await withGateway(.init(destination: .file(path), format: .combined), limits: Self.refusalLimits) { gw, _ in
            _ = try sendRefusals(gw)
            let all = await lines(path, count: 1 + Self.refusals.count)
            XCTAssertEqual(all.count, 1 + Self.refusals.count)
            let combined = /127\.0\.0\.1 - - \[[^\]]+\] "([^"]*)" (\d{3}) (\d+) "-" "-"/
            for (index, refusal) in Self.refusals.enumerated() {
                let line = all[index + 1]
                guard let match = line.wholeMatch(of: combined) else {
                    XCTFail("not a combined line: \(line)")
                    continue
                }
                XCTAssertEqual(String(match.1), refusal.line ?? "-")
                XCTAssertEqual(Int(match.2), refusal.status)
                XCTAssertGreaterThan(Int(match.3) ?? 0, 0, "the refusal's body bytes")
            }
        }
    }

    /// A head that does not arrive in time: its request line, as far as it came, and 408.
    func testASlowHeadGetsOneLine() async throws {
        let path = directory + "/access.log"
        try await withGateway(.init(destination: .file(path), format: .combined), limits: .init(readTimeout: .milliseconds(200))) { gw, _ in
            let client = try gw.client()
            try client.send("GET /slow?x=1 HTTP/1.1\r\nHost: test.local\r\n")
            XCTAssertEqual(try client.readResponse().status, 408)
            let all = await lines(path, count: 1)
            XCTAssertEqual(all.count, 1)
            XCTAssertNotNil(all.first?.wholeMatch(of: /127\.0\.0\.1 - - \[[^\]]+\] "GET \/slow\?x=1 HTTP\/1\.1" 408 \d+ "-" "-"/), "\(all)")
        }
    }

    /// A chunked body that outgrows the limit after the request was routed: the line names the route.
    func testABodyRefusedMidRequestGetsOneLine() async throws {
        let path = directory + "/access.log"
        try await withGateway(.init(destination: .file(path), format: .json), limits: Self.refusalLimits) { gw, _ in
            let client = try gw.client()
            try client.send("POST /stream HTTP/1.1\r\nHost: test.local\r\nX-Request-Id: stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "7d0\r\n" + String(repeating: "b", count: 2000) + "\r\n0\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 413)
            let all = await lines(path, count: 1)
            XCTAssertEqual(all.count, 1)
            let object = json(all.first ?? "")
            XCTAssertEqual(object?["status"] as? Int, 413)
            XCTAssertEqual(object?["uri"] as? String, "/stream")
            XCTAssertEqual(object?["route"] as? String, "r")
            XCTAssertEqual(object?["request_id"] as? String, "stream")
        }
    }

    func testRefusalsAreSampledLikeOtherRequests() async throws {
        let path = directory + "/access.log"
        try await withGateway(.init(destination: .file(path), format: .json, sampleEvery: 2), limits: Self.refusalLimits) { gw, _ in
            let ids = try sendRefusals(gw)
            // Requests 0, 2, 4 and 6 are logged; the last is a marker: the lines before it are complete.
            for marker in ["marker-5", "marker-6"] {
                XCTAssertEqual(try gw.client().get("/marker", headers: ["X-Request-Id": marker]).status, 200)
            }
            let all = await lines(path, count: 4)
            XCTAssertEqual(Array(all.compactMap { json($0)?["request_id"] as? String }.dropFirst()), [ids[1], ids[3], "marker-6"])
        }
    }

    /// A rotation in the middle of traffic: every request's line is in the moved file or the
    /// new one, exactly once and whole, and requests after the reopen are in the new one.
    func testReopenAfterAMoveLosesAndSplitsNoLine() async throws {
        let path = directory + "/access.log"
        let moved = directory + "/access.log.1"
        try await withGateway(.init(destination: .file(path), format: .json)) { gw, _ in
            let port = gw.port
            let load = Task {
                try await onThread {
                    let client = try RawClient(port: port)
                    var answered = 0
                    for i in 0..<400 where try client.get("/r", headers: ["X-Request-Id": "load-\(i)"]).status == 200 {
                        answered += 1
                    }
                    return answered
                }
            }
            _ = await lines(path, count: 20)
            try FileManager.default.moveItem(atPath: path, toPath: moved)
            gw.gateway.reopenAccessLog()
            let reopened = await eventually(within: .seconds(10)) { FileManager.default.fileExists(atPath: path) }
            XCTAssertTrue(reopened, "no new file after the reopen")
            let client = try gw.client()
            for i in 0..<10 {
                XCTAssertEqual(try client.get("/after", headers: ["X-Request-Id": "after-\(i)"]).status, 200)
            }
            let answered = try await load.value
            XCTAssertEqual(answered, 400)
            let arrived = await eventually(within: .seconds(10)) { lines(moved).count + lines(path).count >= 410 }
            XCTAssertTrue(arrived, "\(lines(moved).count) + \(lines(path).count) lines of 410")
            let old = lines(moved).compactMap { json($0)?["request_id"] as? String }
            let new = lines(path).compactMap { json($0)?["request_id"] as? String }
            XCTAssertEqual(old.count, lines(moved).count, "a line of the moved file is not whole JSON")
            XCTAssertEqual(new.count, lines(path).count, "a line of the new file is not whole JSON")
            XCTAssertFalse(old.isEmpty)
            XCTAssertEqual((old + new).count, 410)
            XCTAssertEqual(Set(old + new), Set((0..<400).map { "load-\($0)" } + (0..<10).map { "after-\($0)" }))
            XCTAssertTrue(Set((0..<10).map { "after-\($0)" }).isSubset(of: Set(new)), "a line after the reopen went to the moved file")
        }
    }

    func testAFullDiskDropsAndCountsLinesAndRequestsAreServed() async throws {
        let metrics = RecordingMetrics()
        try await withGateway(.init(destination: .file("/dev/full"), format: .json), metrics: metrics) { gw, _ in
            let client = try gw.client()
            for i in 0..<20 { XCTAssertEqual(try client.get("/full/\(i)").status, 200) }
            let counted = await eventually(within: .seconds(10)) {
                metrics.counter("meshgate_access_log_dropped_total", []) == 20
            }
            XCTAssertTrue(counted, "dropped: \(metrics.counter("meshgate_access_log_dropped_total", []))")
        }
    }

    /// A destination that takes nothing (a pipe nobody reads): the writer is stuck, the
    /// buffer fills, lines beyond it are dropped and counted, and requests are served all
    /// along. Once the pipe is read, every line not counted as dropped comes out whole.
    func testAWriterThatCannotKeepUpDropsAndCountsLines() async throws {
        let fifo = directory + "/access.fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        // The reading end is opened first (without blocking), so the gateway's open succeeds.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        XCTAssertGreaterThanOrEqual(reader, 0)
        defer { close(reader) }
        let metrics = RecordingMetrics()
        let requests = 800
        try await withGateway(.init(destination: .file(fifo), format: .json, bufferBytes: 4096), metrics: metrics) { gw, _ in
            let client = try gw.client()
            let start = ContinuousClock.now
            for i in 0..<requests {
                XCTAssertEqual(try client.get("/slow", headers: ["X-Request-Id": "slow-\(i)"]).status, 200)
            }
            XCTAssertLessThan(ContinuousClock.now - start, .seconds(60))
            let dropped = { Int(metrics.counter("meshgate_access_log_dropped_total", [])) }
            XCTAssertGreaterThan(dropped(), 0, "nothing dropped while the pipe was full")
            // 64 KiB of pipe and two 4 KiB blocks hold a few hundred lines at most.
            XCTAssertGreaterThan(dropped(), requests / 4)

            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            let drained = await eventually(within: .seconds(10)) {
                while true {
                    let n = chunk.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
                    if n <= 0 { break }
                    received += chunk[..<n]
                }
                return received.count { $0 == UInt8(ascii: "\n") } + dropped() == requests
            }
            let text = String(decoding: received, as: UTF8.self)
            let lines = text.split(separator: "\n").map(String.init)
            XCTAssertTrue(drained, "\(lines.count) lines read and \(dropped()) dropped of \(requests)")
            XCTAssertTrue(text.hasSuffix("\n"))
            let ids = lines.compactMap { json($0)?["request_id"] as? String }
            XCTAssertEqual(ids.count, lines.count, "a line read from the pipe is not whole JSON")
            XCTAssertEqual(Set(ids).count, ids.count)
        }
    }

    func testSamplingLogsOneRequestInN() async throws {
        let path = directory + "/access.log"
        try await withGateway(.init(destination: .file(path), format: .json, sampleEvery: 3)) { gw, _ in
            let client = try gw.client()
            for i in 0..<9 { XCTAssertEqual(try client.get("/s", headers: ["X-Request-Id": "s-\(i)"]).status, 200) }
            // A marker, logged once the ninth line before it was: the lines are complete.
            XCTAssertEqual(try client.get("/s", headers: ["X-Request-Id": "s-9"]).status, 200)
            let all = await lines(path, count: 4)
            XCTAssertEqual(all.compactMap { json($0)?["request_id"] as? String }, ["s-0", "s-3", "s-6", "s-9"])
        }
    }

    func testAnAccessLogThatCannotBeOpenedStopsTheGatewayWithThePath() throws {
        let path = directory + "/missing/access.log"
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        XCTAssertThrowsError(try Gateway(
            options: GatewayOptions(accessLog: .init(destination: .file(path))),
            config: try GatewayConfig.parse(yaml: "routes: []\n", file: "t.yaml"), group: group,
            logger: .init(label: "t"))
        ) { error in
            XCTAssertEqual("\(error)", "cannot open access log \(path): No such file or directory")
        }
    }
}
