import CacheRing
import Foundation
import Gossip
import NIOCore
import Proxy

/// The admin API's cache endpoints (docs/operations.md, "Admin API"):
/// `POST /v1/cache/bust` (operate), `GET /v1/cache/stats` (this node) and
/// `GET /v1/cache/stats/mesh` (every alive worker of the environment, asked over the stream port).
struct CacheEndpoints: Sendable {
    let agent: CacheBustAgent
    let audit: AuditLog
    /// Keys a URL by its route's template for a URL bust; nil on a node without a gateway.
    let gateway: Gateway?

    static let paths: Set<String> = ["/v1/cache/bust", "/v1/cache/stats", "/v1/cache/stats/mesh"]

    func handle(_ request: AdminRequest, token: String) -> EventLoopFuture<AdminResponse> {
        let loop = agent.loop
        switch (request.method, request.path) {
        case (.POST, "/v1/cache/bust"):
            let bust: BustRequest
            do {
                guard let object = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
                    return loop.makeSucceededFuture(.error("the body must be a JSON object", status: .badRequest))
                }
                bust = try BustRequest(json: object) { url in gateway?.cacheKey(method: "GET", url: url)?.key }
            } catch let problem as BustRequest.Problem {
                return loop.makeSucceededFuture(.error(problem.description, status: .badRequest))
            } catch {
                return loop.makeSucceededFuture(.error("the body is not JSON", status: .badRequest))
            }
            return loop.flatSubmit { agent.bust(bust.invalidation, wait: bust.wait, timeout: bust.timeout) }.map { report in
                audit.record(action: "cache-bust", token: token, environment: report.bust.environment, version: nil,
                             detail: Self.auditDetail(report))
                return .json(Self.json(report))
            }.recover { error in
                .error("\(error)", status: error is BustRefused ? .badRequest : .internalServerError)
            }
        case (.GET, "/v1/cache/stats"):
            return loop.submit {
                .json(.object([("node", Self.json(agent.figures, vector: agent.ledger.heads))]))
            }
        case (.GET, "/v1/cache/stats/mesh"):
            return loop.flatSubmit { meshFigures() }
        default:
            return loop.makeSucceededFuture(.error("method \(request.method) not allowed here", status: .methodNotAllowed))
        }
    }

    /// This node's figures and every alive worker's of its environment; a worker that does not
    /// answer within 2 s is listed in `unanswered`. Event loop only.
    private func meshFigures() -> EventLoopFuture<AdminResponse> {
        let loop = agent.loop
        let targets = agent.peers().filter { $0.tags["role"] != "manager" }.sorted { $0.name < $1.name }
        let asks = targets.map { member in
            agent.node.exchange(.cacheStats, with: member.address, within: .seconds(2)).map { reply in
                reply.flatMap { CacheFigures(encoded: $0) }
            }
        }
        let own = agent.figures
        return EventLoopFuture.whenAllSucceed(asks, on: loop).map { answers in
            var nodes = [Self.json(own, vector: nil)]
            var unanswered: [JSONValue] = []
            for (member, figures) in zip(targets, answers) {
                if let figures { nodes.append(Self.json(figures, vector: nil)) } else { unanswered.append(.string(member.name)) }
            }
            return .json(.object([
                ("environment", .string(agent.settings.environment)), ("nodes", .array(nodes)), ("unanswered", .array(unanswered)),
            ]))
        }
    }

    static func json(_ figures: CacheFigures, vector: [String: UInt64]?) -> JSONValue {
        let (store, stats) = (figures.store, figures.store.stats)
        var fields: [(String, JSONValue)] = [
            ("name", .string(figures.node)), ("holds_cache", .bool(figures.holdsCache)),
            ("entries", .int(Int64(store.entries))), ("bytes", .int(Int64(store.bytes))),
            ("capacity", .int(Int64(store.capacity))), ("hits", .int(Int64(stats.hits))),
            ("misses", .int(Int64(stats.misses))), ("stored", .int(Int64(stats.stored))),
            ("evicted", .int(Int64(stats.evicted))), ("invalidated", .int(Int64(stats.invalidated))),
            ("refused_fills", .int(Int64(stats.refusedFills))), ("bust_epoch", .int(Int64(clamping: store.epoch))),
            ("busts_applied", .int(Int64(figures.bustsApplied))),
            ("requests", json(CacheOutcomes.total(figures.outcomes.values))),
            ("routes", .object(Set(store.routes.keys).union(figures.outcomes.keys).sorted().map { route in
                let share = store.routes[route] ?? RouteShare()
                return (route, .object([
                    ("entries", .int(Int64(share.entries))), ("bytes", .int(Int64(share.bytes))),
                    ("evicted", .int(Int64(share.evicted))), ("invalidated", .int(Int64(share.invalidated))),
                    ("requests", json(figures.outcomes[route] ?? CacheOutcomes())),
                ]))
            })),
        ]
        if let vector {
            fields.append(("bust_vector", .object(vector.keys.sorted().map { ($0, .int(Int64(clamping: vector[$0]!))) })))
        }
        return .object(fields)
    }

    /// Request outcomes at the gateway (docs/cache.md, "Analytics").
    static func json(_ outcomes: CacheOutcomes) -> JSONValue {
        .object([
            ("hits", .int(Int64(outcomes.hits))), ("near_hits", .int(Int64(outcomes.nearHits))),
            ("misses", .int(Int64(outcomes.misses))), ("stale_served", .int(Int64(outcomes.staleServed))),
            ("revalidated", .int(Int64(outcomes.revalidated))), ("bypass", .int(Int64(outcomes.bypass))),
            ("coalesced", .int(Int64(outcomes.coalesced))),
            ("upstream_fetches_saved", .int(Int64(outcomes.upstreamFetchesSaved))),
        ])
    }

    static func json(_ report: BustReport) -> JSONValue {
        let (kind, value) = describe(report.bust.invalidation)
        return .object([
            ("id", .string(report.bust.id.description)),
            ("environment", .string(report.bust.environment)),
            ("kind", .string(kind)),
            ("value", value.map(JSONValue.string) ?? .null),
            ("removed_here", .int(Int64(report.removedHere))),
            ("waited", .bool(report.waited)),
            ("acknowledged", .array(report.acknowledged.map { ack in
                .object([("name", .string(ack.node)), ("removed", .int(Int64(ack.removed))),
                         ("ms", .double((ack.milliseconds * 100).rounded() / 100))])
            })),
            ("missing", .array(report.missing.map(JSONValue.string))),
            ("ok", .bool(report.missing.isEmpty)),
            ("elapsed_ms", .double((report.milliseconds * 100).rounded() / 100)),
        ])
    }

    /// The kind's name (key, resource, prefix, tag, route, path, all) and the value.
    static func describe(_ invalidation: Invalidation) -> (kind: String, value: String?) {
        let (kind, value) = CacheBust.parts(invalidation)
        return (CacheBust.kindNames[Int(kind) - 1], value)
    }

    static func auditDetail(_ report: BustReport) -> String {
        let (kind, value) = describe(report.bust.invalidation)
        var detail = "\(kind)\(value.map { " \($0)" } ?? "") as \(report.bust.id)"
        if report.waited {
            let total = report.acknowledged.count + report.missing.count
            detail += "; acknowledged by \(report.acknowledged.count) of \(total)"
        }
        return detail
    }
}
