import ManagerCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Active health checking of one target: every `interval` a GET of `path`; a 2xx or
/// 3xx answer within `timeout` is a pass. `unhealthyThreshold` failures in a row take
/// the target out, `healthyThreshold` passes in a row bring it back.
final class HealthChecker: @unchecked Sendable {
    let config: HealthCheckConfig
    let target: TargetRuntime
    private let eventLoop: any EventLoop
    private let logger: Logger
    // Touched only on `eventLoop`.
    private var task: RepeatedTask?
    private var passes = 0
    private var failures = 0

    init(config: HealthCheckConfig, target: TargetRuntime, eventLoop: any EventLoop, logger: Logger) {
        self.config = config
        self.target = target
        self.eventLoop = eventLoop
        self.logger = logger
    }

    func start() {
        eventLoop.execute {
            self.task = self.eventLoop.scheduleRepeatedAsyncTask(initialDelay: .zero, delay: TimeAmount(self.config.interval)) { _ in
                self.probe().map { self.record(passed: $0) }
            }
        }
    }

    /// Ends the checks. Unless another checker takes the target over, its verdict goes with
    /// them: a target no longer checked is not kept out by the last check's result.
    func stop(keepingVerdict: Bool = false) {
        eventLoop.execute {
            self.task?.cancel()
            self.task = nil
            if !keepingVerdict { self.target.health.setActivelyDown(false) }
        }
    }

    private func record(passed: Bool) {
        // A probe that was under way when the checks stopped.
        guard task != nil else { return }
        if passed {
            passes += 1
            failures = 0
            if target.health.isActivelyDown && passes >= config.healthyThreshold {
                target.health.setActivelyDown(false)
                logger.info("target healthy again", metadata: ["target": "\(target.config.authority)"])
            }
        } else {
            failures += 1
            passes = 0
            if !target.health.isActivelyDown && failures >= config.unhealthyThreshold {
                target.health.setActivelyDown(true)
                logger.warning("target failed health checks", metadata: ["target": "\(target.config.authority)"])
            }
        }
    }

    /// True when the target answered the check in time with a 2xx or 3xx.
    private func probe() -> EventLoopFuture<Bool> {
        let promise = eventLoop.makePromise(of: Bool.self)
        let request = HTTPRequestHead(
            version: .http1_1, method: .GET, uri: config.path,
            headers: ["host": target.config.authority, "connection": "close", "user-agent": "meshgate-health-check"])
        let timeout = eventLoop.scheduleTask(in: TimeAmount(config.timeout)) { promise.succeed(false) }
        ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(config.timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ProbeHandler(promise: promise))
                }
            }
            .connect(to: target.address)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    channel.writeAndFlush(HTTPClientRequestPart.head(request), promise: nil)
                    channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
                    promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                case .failure:
                    promise.succeed(false)
                }
            }
        return promise.futureResult.always { _ in timeout.cancel() }
    }
}

private final class ProbeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    private let promise: EventLoopPromise<Bool>

    init(promise: EventLoopPromise<Bool>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            promise.succeed((200..<400).contains(Int(head.status.code)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) { promise.succeed(false) }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { promise.succeed(false) }
}

/// The health checkers of the current config, kept across swaps for targets that stay.
struct HealthCheckers {
    private var checkers: [TargetRuntime.TargetKey: HealthChecker] = [:]

    mutating func update(for snapshot: CompiledConfig, group: any EventLoopGroup, logger: Logger) {
        var next: [TargetRuntime.TargetKey: HealthChecker] = [:]
        for upstream in snapshot.upstreams.values {
            guard let config = upstream.config.healthCheck else { continue }
            for target in upstream.targets {
                if let existing = checkers[target.key], existing.config == config, existing.target === target {
                    next[target.key] = existing
                } else {
                    let checker = HealthChecker(config: config, target: target, eventLoop: group.next(), logger: logger)
                    checker.start()
                    next[target.key] = checker
                }
            }
        }
        for (key, checker) in checkers where next[key] !== checker {
            checker.stop(keepingVerdict: next[key]?.target === checker.target)
        }
        checkers = next
    }

    mutating func stopAll() {
        checkers.values.forEach { $0.stop() }
        checkers = [:]
    }
}
