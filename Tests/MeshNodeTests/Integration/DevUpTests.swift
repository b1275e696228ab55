import Foundation
import XCTest

/// `meshctl dev up`: the newcomer's first command.
final class DevUpTests: XCTestCase {
    func testDevUpFormsAFourNodeMeshAndStopsItOnInterrupt() throws {
        let devUp = try DevUpRun()
        defer { devUp.cleanUp() }
        let statusCommand = try devUp.waitUntilUp(within: 60)

        let status = try MeshctlRun.run(statusCommand)
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdout.contains("4 members: 4 alive"), status.stdout)
        XCTAssertTrue(status.stdout.contains("manager  "), status.stdout)
        let gateway = AdminHTTP(port: devUp.basePort + 12, token: nil)
        var answer: AdminHTTP.Response?
        try eventually("worker-1's gateway to answer through the example upstream", within: 10) {
            answer = try gateway.get("/hello")
            return answer?.status == 200
        }
        XCTAssertTrue(answer?.text.contains("\"upstream\": \"example\"") == true, answer?.text ?? "")
        // The README's next steps: the answer again, through another worker, is a hit from the
        // mesh's cache, and `meshctl bust` with the status command's flags drops it everywhere.
        let worker2 = AdminHTTP(port: devUp.basePort + 22, token: nil)
        try eventually("a hit through worker-2", within: 10) { try worker2.get("/hello").header("x-cache") == "hit" }
        let bust = try MeshctlRun.run(Array(statusCommand.dropLast()) + ["bust", "/hello"])
        XCTAssertEqual(bust.status, 0, bust.stderr)
        XCTAssertEqual(try gateway.get("/hello").header("x-cache"), "miss")

        let keyMode = try FileManager.default.attributesOfItem(atPath: "\(devUp.directory)/cluster.key")[.posixPermissions] as? NSNumber
        XCTAssertEqual((keyMode?.intValue ?? 0) & 0o777, 0o600)

        kill(devUp.process.processIdentifier, SIGINT)
        try eventually("dev up to exit after Ctrl-C", within: 20) { !devUp.process.isRunning }
        XCTAssertEqual(devUp.process.terminationStatus, 0, devUp.errors.snapshot)
        XCTAssertTrue(devUp.nodesAreGone(), "nodes still answer after dev up stopped")
    }

    func testNodesDoNotOutliveAKilledDevUp() throws {
        let devUp = try DevUpRun()
        defer { devUp.cleanUp() }
        _ = try devUp.waitUntilUp(within: 60)

        kill(devUp.process.processIdentifier, SIGKILL)
        try eventually("every node to stop once dev up was killed", within: 15) { devUp.nodesAreGone() }
    }
}
