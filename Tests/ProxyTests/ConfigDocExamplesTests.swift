import ManagerCore
import Foundation
import Logging
import NIOPosix
import XCTest

@testable import Proxy

/// Every YAML example in docs/gateway-config.md loads: whole configs as written, policy
/// entries inside a route. JWKS URLs point at a closed loopback port so loading fetches nothing.
final class ConfigDocExamplesTests: XCTestCase {
    static let document = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/gateway-config.md")

    static func examples() throws -> [(line: Int, yaml: String)] {
        let lines = try String(contentsOf: document, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var examples: [(Int, String)] = []
        var current: (Int, [Substring])?
        for (index, line) in lines.enumerated() {
            if let open = current {
                if line == "```" {
                    examples.append((open.0, open.1.joined(separator: "\n")))
                    current = nil
                } else {
                    current = (open.0, open.1 + [line])
                }
            } else if line == "```yaml" {
                current = (index + 2, [])
            }
        }
        return examples
    }

    func testEveryExampleLoads() throws {
        let examples = try Self.examples()
        XCTAssertGreaterThanOrEqual(examples.count, 8)
        var logger = Logger(label: "doc-examples")
        logger.logLevel = .critical
        let context = PolicyBuildContext(group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        for (line, example) in examples {
            var yaml = example.replacingOccurrences(
                of: "https://idp.example.com/.well-known/jwks.json", with: "http://127.0.0.1:9/jwks.json")
            if yaml.hasPrefix("- type:") {
                let indented = yaml.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")
                yaml = """
                    upstreams:
                      - id: up
                        targets: [{ url: "http://127.0.0.1:9" }]
                    routes:
                      - id: example
                        upstream: up
                        policies:
                    \(indented)
                    """
            }
            do {
                let config = try GatewayConfig.parse(yaml: yaml, file: "docs/gateway-config.md example at line \(line)")
                _ = try CompiledConfig(
                    config: config, reuse: [:], region: nil, policyContext: context, metrics: RecordingMetrics())
            } catch {
                XCTFail("the example at docs/gateway-config.md:\(line) does not load: \(error)")
            }
        }
    }
}
