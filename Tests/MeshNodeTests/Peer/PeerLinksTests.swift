import Foundation
import Gossip
import NIOCore
import XCTest

@testable import MeshNode

/// Peer sessions over real sockets between NodeShells in this process.
final class PeerLinksTests: XCTestCase {
    var nodes: PeerNodes!

    override func setUp() { nodes = PeerNodes() }

    override func tearDown() async throws { await nodes.shutdown() }

    func in30s() -> NIODeadline { .now() + .seconds(30) }

    func testConcurrentRequestsOnOneConnectionAreAnsweredOutOfOrderAndMatchedById() async throws {
        let held = HeldRequests(loop: nodes.connectionLoops.next())
        let (_, address) = try await nodes.node("answerer", handler: held.handler)
        let links = nodes.links()

        let bodies = (0..<200).map { Array("request \($0)".utf8) }
        let replies = bodies.map { links.request($0, to: address, deadline: in30s()) }
        try await waitUntil("all 200 requests held by the answerer", within: 20) { held.count == 200 }
        // Answered newest first, each with its own body reversed.
        for request in held.take().reversed() { request.promise.succeed(request.body.reversed()) }

        for (body, reply) in zip(bodies, replies) {
            let answer = try await reply.get()
            XCTAssertEqual(answer, body.reversed())
        }
        let figures = await links.figures()
        XCTAssertEqual(figures.connectsStarted, 1, "one connection carried every request")
        XCTAssertEqual(figures.openConnections, 1)
    }

    func testAnswersFromAnotherLoopAndHandlerFailuresReachTheAsker() async throws {
        let answerLoop = nodes.connectionLoops.next()
        let (_, address) = try await nodes.node("answerer", handler: { body, from in
            guard body != Array("fail".utf8) else { return answerLoop.makeFailedFuture(IntegrationError("no such key")) }
            return answerLoop.makeSucceededFuture(Array("\(from) asked".utf8) + body)
        })
        let links = nodes.links()
        let answer = try await links.request(Array("x".utf8), to: address, deadline: in30s()).get()
        XCTAssertEqual(String(decoding: answer, as: UTF8.self), "127.0.0.1:1 askedx")
        let failed = await failure(of: links.request(Array("fail".utf8), to: address, deadline: in30s()))
        XCTAssertEqual(failed, .peerFailed("no such key"))
    }

    func testDeadlineFailsTheRequestAndTheConnectionServesOn() async throws {
        let held = HeldRequests(loop: nodes.connectionLoops.next())
        let (_, address) = try await nodes.node("slow", handler: held.handler)
        let links = nodes.links()

        let started = Date()
        let late = await failure(of: links.request([1], to: address, deadline: .now() + .milliseconds(300)))
        XCTAssertEqual(late, .deadlineExceeded)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)

        // A late answer finds no one waiting and is dropped; the next request uses the same connection.
        for request in held.take() { request.promise.succeed([9]) }
        let next = links.request([2], to: address, deadline: in30s())
        try await waitUntil("the second request held", within: 20) { held.bodies.contains([2]) }
        for request in held.take() { request.promise.succeed(request.body) }
        let answer = try await next.get()
        XCTAssertEqual(answer, [2])
        let figures = await links.figures()
        XCTAssertEqual(figures.connectsStarted, 1)
    }

    func testAPeerThatDiesFailsEveryRequestInFlightAndTheNextRequestReconnects() async throws {
        let held = HeldRequests(loop: nodes.connectionLoops.next())
        let (node, address) = try await nodes.node("mortal", handler: held.handler)
        let links = nodes.links()

        let inFlight = (0..<10).map { links.request([UInt8($0)], to: address, deadline: in30s()) }
        try await waitUntil("10 requests held", within: 20) { held.count == 10 }
        let died = Date()
        await node.stop()
        for request in inFlight {
            let error = await failure(of: request)
            guard case .connectionLost = error else { return XCTFail("expected a lost connection, got \(String(describing: error))") }
        }
        XCTAssertLessThan(Date().timeIntervalSince(died), 10, "the requests waited for their deadline instead")
        for request in held.take() { request.promise.fail(IntegrationError("gone")) }

        // The same address comes back with a new process; the next request opens a new connection.
        let (_, again) = try await nodes.node("reborn", port: Int(address.port), handler: nodes.answering { $0 + [0] })
        XCTAssertEqual(again, address)
        let answer = try await links.request([7], to: address, deadline: in30s()).get()
        XCTAssertEqual(answer, [7, 0])
        let figures = await links.figures()
        XCTAssertEqual(figures.connectsStarted, 2)
    }

    func testAForeignKeyIsRefusedAndCounted() async throws {
        let (node, address) = try await nodes.node("guarded", handler: nodes.answering { $0 })
        let before = try await node.currentFigures.badKeyPackets
        let outsider = nodes.links(keyring: Keyring(primary: try ClusterKey(bytes: TestKeys.randomBytes(32))))
        let refused = await failure(of: outsider.request([1], to: address, deadline: in30s()))
        XCTAssertEqual(refused, .sessionRefused)
        try await waitUntil("the outsider's opening counted as a bad key", within: 10) {
            try await node.currentFigures.badKeyPackets > before
        }
        // A member of the mesh still gets in.
        let answer = try await nodes.links().request([5], to: address, deadline: in30s()).get()
        XCTAssertEqual(answer, [5])
    }

    func testANodeThatServesNoPeerRequestsRefusesSessions() async throws {
        let (_, address) = try await nodes.node("manager", handler: nil)
        let refused = await failure(of: nodes.links().request([1], to: address, deadline: in30s()))
        XCTAssertEqual(refused, .sessionRefused)
    }

    func testOversizeFramesAreRefusedOnBothSides() async throws {
        var limits = StreamLimits()
        limits.maxSessionFrameBytes = 4096
        let (node, address) = try await nodes.node("small", limits: limits, handler: nodes.answering { body in
            // A request that starts with 0 gets an answer too large for the session.
            [UInt8](repeating: 1, count: body.first == 0 ? 5_000 : body.count)
        })
        var settings = PeerLinks.Settings()
        settings.maxFrameBytes = 1 << 20
        let links = nodes.links(settings: settings)

        let tooLargeHere = await failure(of: links.request([UInt8](repeating: 0, count: 2 << 20), to: address, deadline: in30s()))
        guard case .frameTooLarge = tooLargeHere else { return XCTFail("got \(String(describing: tooLargeHere))") }

        let small = try await links.request([1, 2], to: address, deadline: in30s()).get()
        XCTAssertEqual(small, [1, 1])
        let before = try await node.currentFigures.streamsRefused
        let tooLargeThere = await failure(of: links.request([UInt8](repeating: 0, count: 10_000), to: address, deadline: in30s()))
        guard case .connectionLost = tooLargeThere else { return XCTFail("got \(String(describing: tooLargeThere))") }
        try await waitUntil("the oversize frame counted", within: 10) {
            try await node.currentFigures.streamsRefused > before
        }
        // A reply too large for the session comes back as a failure, and the session goes on.
        let bigReply = await failure(of: links.request([UInt8](repeating: 0, count: 4000), to: address, deadline: in30s()))
        guard case .peerFailed = bigReply else { return XCTFail("got \(String(describing: bigReply))") }
        let afterwards = try await links.request([3], to: address, deadline: in30s()).get()
        XCTAssertEqual(afterwards, [1])
    }

    func testInFlightLimitsRefuseInsteadOfQueueing() async throws {
        var limits = StreamLimits()
        limits.maxSessionInFlight = 4
        let held = HeldRequests(loop: nodes.connectionLoops.next())
        let (_, address) = try await nodes.node("narrow", limits: limits, handler: held.handler)
        var settings = PeerLinks.Settings()
        settings.maxInFlight = 6
        let links = nodes.links(settings: settings)

        let sent = (0..<7).map { links.request([UInt8($0)], to: address, deadline: in30s()) }
        let refusedHere = await failure(of: sent[6])
        XCTAssertEqual(refusedHere, .tooManyInFlight(limit: 6))
        let busy = [await failure(of: sent[4]), await failure(of: sent[5])]
        XCTAssertEqual(busy, [.peerBusy, .peerBusy])
        try await waitUntil("4 requests held", within: 20) { held.count == 4 }
        for request in held.take() { request.promise.succeed(request.body) }
        for index in 0..<4 { 
            let answer = try await sent[index].get()
            XCTAssertEqual(answer, [UInt8(index)])
        }
    }

    /// A peer that refuses connections is not dialled again by every request: requests fail at
    /// once (the cache goes on to the backup or the origin) until a wait that doubles with every
    /// failure is over, and a session that opens starts the waits over.
    func testAPeerThatCannotBeReachedIsTriedAgainOnlyAfterAGrowingWait() async throws {
        let (gone, address) = try await nodes.node("gone", handler: nodes.answering { $0 })
        await gone.stop()
        let clock = ManualClock()
        var settings = PeerLinks.Settings()
        settings.now = { clock.now }
        let links = nodes.links(settings: settings)
        func attempt(_ body: UInt8) async -> PeerLinkError? { await failure(of: links.request([body], to: address, deadline: in30s())) }

        guard case .connectionLost = await attempt(1) else { return XCTFail("the first request dials the peer") }
        var outcome = await attempt(2)
        XCTAssertEqual(outcome, .reconnectBackoff, "within 100 ms of the failure")
        clock.advance(.milliseconds(100))
        guard case .connectionLost = await attempt(3) else { return XCTFail("after 100 ms the peer is dialled again") }
        clock.advance(.milliseconds(150))
        outcome = await attempt(4)
        XCTAssertEqual(outcome, .reconnectBackoff, "the wait doubled to 200 ms")
        var figures = await links.figures()
        XCTAssertEqual(figures.connectsStarted, 2)

        clock.advance(.milliseconds(50))
        let (back, again) = try await nodes.node("back", port: Int(address.port), handler: nodes.answering { $0 + [0] })
        XCTAssertEqual(again, address)
        let answer = try await links.request([5], to: address, deadline: in30s()).get()
        XCTAssertEqual(answer, [5, 0])

        await back.stop()
        try await waitUntil("the connection to the stopped peer closed", within: 10) { await links.figures().openConnections == 0 }
        guard case .connectionLost = await attempt(6) else { return XCTFail("the stopped peer is dialled") }
        clock.advance(.milliseconds(100))
        guard case .connectionLost = await attempt(7) else { return XCTFail("the session that opened reset the wait to 100 ms") }
        figures = await links.figures()
        XCTAssertEqual(figures.connectsStarted, 5)
    }

    func testAnIdleConnectionClosesAndTheNextRequestReopensIt() async throws {
        let (_, address) = try await nodes.node("answerer", handler: nodes.answering { $0 })
        var settings = PeerLinks.Settings()
        settings.idleTimeout = .milliseconds(300)
        let links = nodes.links(settings: settings)
        let first = try await links.request([1], to: address, deadline: in30s()).get()
        XCTAssertEqual(first, [1])
        try await waitUntil("the idle connection closed", within: 10) { await links.figures().openConnections == 0 }
        let second = try await links.request([2], to: address, deadline: in30s()).get()
        XCTAssertEqual(second, [2])
        let figures = await links.figures()
        XCTAssertEqual(figures.connectsStarted, 2)
    }

    func testOneShotPushPullStillWorksBesideSessions() async throws {
        let echo = nodes.answering { $0 }
        let (first, firstAddress) = try await nodes.node("first", handler: echo)
        let links = nodes.links()
        let running = (0..<50).map { links.request([UInt8($0)], to: firstAddress, deadline: in30s()) }

        // The second node joins through the first: a one-shot push-pull stream on the same port.
        let (second, _) = try await nodes.node("second", seeds: [firstAddress], handler: echo)
        try await waitUntil("each node sees the other alive", within: 20) {
            let a = try await first.loop.submit { first.gossip.member(named: "second")?.state }.get()
            let b = try await second.loop.submit { second.gossip.member(named: "first")?.state }.get()
            return a == .alive && b == .alive
        }
        let pushPulls = try await first.currentFigures.pushPulls
        XCTAssertGreaterThan(pushPulls, 0)
        for (index, request) in running.enumerated() { 
            let answer = try await request.get()
            XCTAssertEqual(answer, [UInt8(index)])
        }
        let afterwards = try await links.request([99], to: firstAddress, deadline: in30s()).get()
        XCTAssertEqual(afterwards, [99])
    }
}

extension PeerLinksTests {
    func testTheAnswererClosesASessionLeftIdleAndTheAskerReopens() async throws {
        var limits = StreamLimits()
        limits.sessionIdleTimeout = .milliseconds(300)
        let (_, address) = try await nodes.node("tidy", limits: limits, handler: nodes.answering { $0 })
        let links = nodes.links()
        let first = try await links.request([1], to: address, deadline: in30s()).get()
        XCTAssertEqual(first, [1])
        try await waitUntil("the answerer closed the idle session", within: 10) { await links.figures().openConnections == 0 }
        let second = try await links.request([2], to: address, deadline: in30s()).get()
        XCTAssertEqual(second, [2])
        let figures = await links.figures()
        XCTAssertEqual(figures.connectsStarted, 2)
    }
}
