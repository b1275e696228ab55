import ManagerCore
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The keys published at one `jwks_url`, kept fresh in the background.
///
/// - Requests read the current key set under a short lock and never wait for a
///   fetch of a key they already know.
/// - Every `refresh` the set is fetched again; a failed fetch keeps the last good set.
/// - A token with an unknown `kid` asks for a fetch now (``fetchForUnknownKey(on:)``):
///   concurrent askers share the one fetch in flight, and no new fetch starts within
///   `minRefetch` of the last one, so a flood of made-up `kid`s costs the identity
///   provider at most one fetch per `minRefetch`.
///
/// Caches are shared per URL and settings while any policy holds one, so a hot swap
/// that keeps a JWT route keeps its keys and fetches nothing.
final class JWKSCache: Sendable {
    struct Settings: Hashable, Sendable {
        let url: String
        let refresh: TimeAmount
        let minRefetch: TimeAmount
        let timeout: TimeAmount
    }

    typealias KeysFuture = EventLoopFuture<[JWTVerificationKey]>
    typealias KeysPromise = EventLoopPromise<[JWTVerificationKey]>

    private struct State {
        var keys: [JWTVerificationKey] = []
        var inFlight: EventLoopFuture<[JWTVerificationKey]>?
        var lastFetchStarted: NIODeadline?
        var fetches = 0
        var failing = false
    }

    let settings: Settings
    private let fetcher: DocumentFetcher
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let refreshTask = NIOLockedValueBox<RepeatedTask?>(nil)

    private init(settings: Settings, group: any EventLoopGroup, logger: Logger) throws {
        self.settings = settings
        self.fetcher = try DocumentFetcher(url: settings.url, timeout: settings.timeout)
        self.group = group
        self.logger = logger
    }

    deinit {
        refreshTask.withLockedValue { $0?.cancel() }
    }

    private final class WeakEntry: @unchecked Sendable {
        weak var cache: JWKSCache?
        init(_ cache: JWKSCache) { self.cache = cache }
    }

    private static let registry = NIOLockedValueBox<[Settings: WeakEntry]>([:])

    /// The live cache for these settings, or a new one that starts its first fetch now.
    static func shared(_ settings: Settings, group: any EventLoopGroup, logger: Logger) throws -> JWKSCache {
        let (cache, created) = try registry.withLockedValue { caches in
            caches = caches.filter { $0.value.cache != nil }
            if let existing = caches[settings]?.cache {
                return (existing, false)
            }
            let cache = try JWKSCache(settings: settings, group: group, logger: logger)
            caches[settings] = WeakEntry(cache)
            return (cache, true)
        }
        if created {
            cache.start()
        }
        return cache
    }

    var keys: [JWTVerificationKey] {
        state.withLockedValue { $0.keys }
    }

    /// How many fetches have started, for tests and metrics.
    var fetchCount: Int {
        state.withLockedValue { $0.fetches }
    }

    /// The key set after a fetch for a token with an unknown key, or nil when a fetch
    /// ran too recently to start another.
    func fetchForUnknownKey(on eventLoop: any EventLoop) -> EventLoopFuture<[JWTVerificationKey]>? {
        let now = NIODeadline.now()
        let (future, claimed) = state.withLockedValue { state -> (KeysFuture?, KeysPromise?) in
            if let inFlight = state.inFlight {
                return (inFlight, nil)
            }
            if let last = state.lastFetchStarted, now - last < settings.minRefetch {
                return (nil, nil)
            }
            let promise = claimFetch(&state, now: now)
            return (promise.futureResult, promise)
        }
        if let claimed {
            runFetch(completing: claimed)
        }
        return future?.hop(to: eventLoop)
    }

    private func start() {
        let loop = group.next()
        runFetch(completing: state.withLockedValue { claimFetch(&$0, now: .now()) })
        let task = loop.scheduleRepeatedAsyncTask(
            initialDelay: settings.refresh,
            delay: settings.refresh
        ) { [weak self] task in
            guard let self else {
                task.cancel()
                return loop.makeSucceededVoidFuture()
            }
            let (future, claimed) = self.state.withLockedValue { state -> (KeysFuture, KeysPromise?) in
                if let inFlight = state.inFlight {
                    return (inFlight, nil)
                }
                let promise = self.claimFetch(&state, now: .now())
                return (promise.futureResult, promise)
            }
            if let claimed {
                self.runFetch(completing: claimed)
            }
            return future.map { _ in }.recover { _ in }
        }
        refreshTask.withLockedValue { $0 = task }
    }

    /// Marks a fetch as started under the lock; the caller runs it with
    /// ``runFetch(completing:)`` once the lock is released.
    private func claimFetch(_ state: inout State, now: NIODeadline) -> EventLoopPromise<[JWTVerificationKey]> {
        state.fetches += 1
        state.lastFetchStarted = now
        let promise = group.next().makePromise(of: [JWTVerificationKey].self)
        state.inFlight = promise.futureResult
        return promise
    }

    /// The new keys are in place before the waiters resume.
    private func runFetch(completing promise: EventLoopPromise<[JWTVerificationKey]>) {
        fetcher.fetch(on: promise.futureResult.eventLoop)
            .flatMapThrowing { body in try self.parse(body) }
            .whenComplete { result in
                self.finishFetch(result)
                promise.completeWith(result)
            }
    }

    private func parse(_ body: [UInt8]) throws -> [JWTVerificationKey] {
        let document = try JSONDecoder().decode(JSONWebKey.Document.self, from: Data(body))
        var keys: [JWTVerificationKey] = []
        for jwk in document.keys {
            do {
                keys.append(try jwk.verificationKey())
            } catch {
                logger.debug(
                    "JWKS key skipped",
                    metadata: ["url": "\(settings.url)", "kid": "\(jwk.kid ?? "")", "reason": "\(error)"]
                )
            }
        }
        return keys
    }

    private func finishFetch(_ result: Result<[JWTVerificationKey], any Error>) {
        let (recovered, firstFailure) = state.withLockedValue { state -> (Bool, Bool) in
            state.inFlight = nil
            let wasFailing = state.failing
            switch result {
            case .success(let keys):
                state.keys = keys
                state.failing = false
                return (wasFailing, false)
            case .failure:
                state.failing = true
                return (false, !wasFailing)
            }
        }
        if case .failure(let error) = result, firstFailure {
            logger.error(
                "JWKS fetch failed; keeping the last good keys",
                metadata: ["url": "\(settings.url)", "error": "\(error)"]
            )
        } else if recovered {
            logger.info("JWKS fetch works again", metadata: ["url": "\(settings.url)"])
        }
    }
}
