import Foundation
import Gossip
import NIOCore
import NIOHTTP1

/// The admin API: routes, bearer-token check and JSON shapes (docs/operations.md, "Admin API").
public struct AdminRoutes: Sendable {
    public let node: NodeShell
    let access: AdminAccess
    let audit: AuditLog
    public let identity: NodeIdentity
    /// Asks the process to leave the mesh and exit (POST /v1/leave).
    public let requestLeave: @Sendable () -> Void
    let config: ConfigEndpoints?
    let cacheKey: CacheKeyEndpoint?
    let cache: CacheEndpoints?

    public struct NodeIdentity: Sendable {
        public var role: String
        public var version: String
        public var profile: String
        public var hasSeeds: Bool

        public init(role: String, version: String, profile: String, hasSeeds: Bool) {
            self.role = role
            self.version = version
            self.profile = profile
            self.hasSeeds = hasSeeds
        }
    }

    init(node: NodeShell, access: AdminAccess, audit: AuditLog, identity: NodeIdentity, config: ConfigEndpoints?,
         cacheKey: CacheKeyEndpoint? = nil, cache: CacheEndpoints? = nil, requestLeave: @escaping @Sendable () -> Void) {
        self.node = node
        self.access = access
        self.audit = audit
        self.identity = identity
        self.config = config
        self.cacheKey = cacheKey
        self.cache = cache
        self.requestLeave = requestLeave
    }

    /// The endpoints anyone may ask, without a token.
    static func isOpen(_ request: AdminRequest) -> Bool {
        request.method == .GET && ["/healthz", "/readyz", "/metrics"].contains(request.path)
    }

    static let unauthorized = AdminResponse.error("missing or wrong bearer token", status: .unauthorized)

    /// What a request's head decides (`AdminHTTPServer.Screen`): 401 when it needs a token and
    /// carries none that `AdminAccess.identify` knows; otherwise whom the token identifies,
    /// which `handle` reads from the request.
    public func screen(_ request: AdminRequest) -> AdminScreening {
        if Self.isOpen(request) { return .admit(caller: nil) }
        guard let caller = access.identify(request.headers) else { return .answer(Self.unauthorized) }
        return .admit(caller: caller)
    }

    public func handle(_ request: AdminRequest, on loop: any EventLoop) -> EventLoopFuture<AdminResponse> {
        switch (request.method, request.path) {
        case (.GET, "/healthz"):
            return loop.makeSucceededFuture(.text("ok\n"))
        case (.GET, "/readyz"):
            return node.loop.submit { node.isReady(hasSeeds: identity.hasSeeds) }.map { ready in
                ready ? .text("ready\n") : .text("not joined yet\n", status: .serviceUnavailable)
            }
        case (.GET, "/metrics"):
            return node.loop.submit { node.syncStats() }.map {
                .text(node.metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
            }
        default:
            break
        }
        guard let caller = request.caller else {
            return loop.makeSucceededFuture(Self.unauthorized)
        }
        let needed = AdminRole.required(request.method, request.path)
        guard caller.role >= needed else {
            return loop.makeSucceededFuture(.error(
                "token '\(caller.name)' has the \(caller.role.rawValue) role; \(request.method) \(request.path) needs \(needed.rawValue)",
                status: .forbidden))
        }
        if let config, ConfigEndpoints.handles(request.path) {
            return loop.makeFutureWithTask { await config.handle(request, token: caller.name) }
        }
        if let cache, CacheEndpoints.paths.contains(request.path) {
            return cache.handle(request, token: caller.name)
        }
        if request.path.hasPrefix("/v1/tokens") {
            return loop.makeSucceededFuture(tokens(request, caller: caller))
        }
        switch (request.method, request.path) {
        case (.GET, "/v1/status"):
            return node.loop.submit { status() }
        case (.GET, "/v1/members"):
            return node.loop.submit { .json(.object([("members", .array(node.sortedMembers().map(\.json)))])) }
        case (.POST, "/v1/leave"):
            requestLeave()
            return loop.makeSucceededFuture(.json(.object([("ok", true)])))
        case (.GET, "/v1/keys"):
            return node.loop.makeFutureWithTask { await keys() }
        case (.GET, "/v1/cache/key"):
            return loop.makeSucceededFuture(
                cacheKey?.handle(request) ?? .error("this node runs no gateway, so no cache", status: .notFound))
        case (.POST, "/v1/keys/install"), (.POST, "/v1/keys/use"), (.POST, "/v1/keys/remove"):
            return node.loop.makeFutureWithTask { await changeKeys(request) }
        case (_, "/healthz"), (_, "/readyz"), (_, "/metrics"), (_, "/v1/status"), (_, "/v1/members"),
             (_, "/v1/leave"), (_, "/v1/keys"), (_, "/v1/keys/install"), (_, "/v1/keys/use"), (_, "/v1/keys/remove"):
            return loop.makeSucceededFuture(.error("method \(request.method) not allowed here", status: .methodNotAllowed))
        default:
            return loop.makeSucceededFuture(.error("no such endpoint: \(request.path)", status: .notFound))
        }
    }

    /// `GET /v1/tokens`, `POST /v1/tokens {"name", "role"}`, `POST /v1/tokens/remove {"name"}`.
    private func tokens(_ request: AdminRequest, caller: AdminIdentity) -> AdminResponse {
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        do {
            switch (request.method, request.path) {
            case (.GET, "/v1/tokens"):
                let list = [("admin", AdminRole.admin)] + access.list().map { ($0.name, $0.role) }
                return .json(.object([("tokens", .array(list.map { name, role in
                    .object([("name", .string(name)), ("role", .string(role.rawValue))])
                }))]))
            case (.POST, "/v1/tokens"):
                guard let name = body["name"] as? String, let role = (body["role"] as? String).flatMap(AdminRole.init(rawValue:)) else {
                    return .error("body must be {\"name\": NAME, \"role\": \"read\" | \"operate\" | \"admin\"}", status: .badRequest)
                }
                let token = try access.create(name: name, role: role)
                audit.record(action: "token-create", token: caller.name, environment: nil, version: nil, detail: "\(name) (\(role.rawValue))")
                return .json(.object([("name", .string(name)), ("role", .string(role.rawValue)), ("token", .string(token))]))
            case (.POST, "/v1/tokens/remove"):
                guard let name = body["name"] as? String else { return .error("body must be {\"name\": NAME}", status: .badRequest) }
                try access.remove(name: name)
                audit.record(action: "token-remove", token: caller.name, environment: nil, version: nil, detail: name)
                return .json(.object([("ok", true)]))
            default:
                return .error("no such endpoint: \(request.method) \(request.path)", status: .notFound)
            }
        } catch let problem as AdminAccess.Problem {
            return .error(problem.description, status: .badRequest)
        } catch {
            return .error("\(error)", status: .internalServerError)
        }
    }

    /// Event loop only.
    private func status() -> AdminResponse {
        node.syncStats()
        let me = node.gossip.localMember
        let nodeJSON: JSONValue = .object([
            ("name", .string(me.name)),
            ("id", .string(String(me.id.uid, radix: 16))),
            ("address", .string(me.address.description)),
            ("role", .string(identity.role)),
            ("version", .string(identity.version)),
            ("uptime_s", .double((Date().timeIntervalSince(node.startedAt) * 10).rounded() / 10)),
            ("tags", .strings(me.tags)),
            ("profile", .string(identity.profile)),
            ("incarnation", .int(Int64(bitPattern: me.incarnation))),
            ("health_score", .int(Int64(node.healthScore))),
        ])
        return .json(.object([
            ("node", nodeJSON),
            ("members", .array(node.membersWithLag())),
            ("gossip", node.figures.json),
        ]))
    }

    private func keys() async -> AdminResponse {
        guard let keyring = await node.currentKeyring() else {
            return .error(KeyringChangeError.encryptionOff.description, status: .badRequest)
        }
        return .json(.object([
            ("primary", .string(keyring.primary.fingerprint)),
            ("keys", .array(keyring.keys.map { key in
                .object([("fingerprint", .string(key.fingerprint)), ("primary", .bool(key == keyring.primary))])
            })),
        ]))
    }

    private func changeKeys(_ request: AdminRequest) async -> AdminResponse {
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
              let reference = (object["key"] ?? object["fingerprint"]) as? String, !reference.isEmpty
        else {
            return .error("body must be a JSON object with \"key\" (base64) or \"fingerprint\"", status: .badRequest)
        }
        let change: KeyringChange
        switch request.path {
        case "/v1/keys/install": change = .install(reference)
        case "/v1/keys/use": change = .use(reference)
        default: change = .remove(reference)
        }
        do {
            let result = try await node.changeKeyring(change)
            return .json(.object([
                ("ok", .bool(result.acked >= result.total)),
                ("nodes_acked", .int(Int64(result.acked))),
                ("nodes_total", .int(Int64(result.total))),
            ]))
        } catch {
            return .error("\(error)", status: .badRequest)
        }
    }
}

extension NodeShell {
    /// Every known member, this node first, then by name. Event loop only.
    func sortedMembers() -> [Member] {
        let me = gossip.localMember
        return [me] + gossip.members.filter { $0.id != me.id }.sorted { $0.name < $1.name }
    }

    /// Joined: another member is alive, or there is nobody to join. Event loop only.
    func isReady(hasSeeds: Bool) -> Bool {
        !hasSeeds || gossip.members.contains { $0.id != gossip.localMember.id && $0.state == .alive }
    }
}

extension NodeShell {
    /// Members as the admin API shows them, each with `config_lag`: how many versions it
    /// runs behind the newest of its environment that any member holds. Event loop only.
    func membersWithLag() -> [JSONValue] {
        let members = sortedMembers()
        var newest: [String: UInt64] = [:]
        for member in members {
            for (key, value) in member.meta where key.hasPrefix(MetaKey.configPrefix) {
                let environment = String(key.dropFirst(MetaKey.configPrefix.count))
                if let version = ConfigAnnouncement.version(fromMeta: value) {
                    newest[environment] = max(newest[environment] ?? 0, version)
                }
            }
        }
        return members.map { member in
            guard case .object(var fields) = member.json else { return member.json }
            let environment = member.tags["env"] ?? "default"
            if member.tags["role"] != "manager", let top = newest[environment] {
                let running = member.configVersion ?? 0
                fields.append(("config_lag", .int(Int64(top - min(top, running)))))
            } else {
                fields.append(("config_lag", .null))
            }
            return .object(fields)
        }
    }
}
