import Foundation
import ManagerCore
import NIOCore
import NIOHTTP1

/// The admin API's config endpoints (docs/operations.md, "Admin API"). Every node answers
/// `GET /v1/config`, exports its bundles and imports one; the manager also signs
/// (apply, rollback, promote) and keeps the history.
struct ConfigEndpoints: Sendable {
    let agent: ConfigAgent
    let publisher: ConfigPublisher?
    let audit: AuditLog

    static let paths: Set<String> = [
        "/v1/config", "/v1/config/apply", "/v1/config/diff", "/v1/config/rollback", "/v1/config/promote",
        "/v1/config/import", "/v1/audit",
    ]

    static func handles(_ path: String) -> Bool {
        paths.contains(path) || path.hasPrefix("/v1/config/history/") || path.hasPrefix("/v1/config/bundle/")
    }

    func handle(_ request: AdminRequest, token: String) async -> AdminResponse {
        do {
            switch (request.method, request.path) {
            case (.GET, "/v1/config"):
                return try await state()
            case (.POST, "/v1/config/apply"):
                let body = try decode(ConfigAPI.ApplyRequest.self, request)
                let outcome = try await manager().publish(
                    body.config, environment: body.environment, author: token, summary: nil, action: "apply")
                return Self.answer(outcome)
            case (.POST, "/v1/config/diff"):
                let body = try decode(ConfigAPI.ApplyRequest.self, request)
                let current = try await manager().current(environment: body.environment)
                return .encoded(ConfigAPI.DiffAnswer(
                    environment: body.environment, version: current.header?.version,
                    diff: ConfigDiff(from: current.config, to: body.config)))
            case (.POST, "/v1/config/rollback"):
                let body = try decode(ConfigAPI.RollbackRequest.self, request)
                return Self.answer(try await manager().rollback(environment: body.environment, to: body.version, author: token))
            case (.POST, "/v1/config/promote"):
                let body = try decode(ConfigAPI.PromoteRequest.self, request)
                return Self.answer(try await manager().promote(from: body.from, to: body.to, author: token))
            case (.GET, let path) where path.hasPrefix("/v1/config/history/"):
                let environment = String(path.dropFirst("/v1/config/history/".count))
                return .encoded(ConfigAPI.HistoryAnswer(environment: environment,
                                              versions: try await manager().history(environment: environment)))
            case (.GET, let path) where path.hasPrefix("/v1/config/bundle/"):
                let environment = String(path.dropFirst("/v1/config/bundle/".count))
                guard let bytes = try await agent.loop.submit({ agent.held[environment]?.bytes }).get() else {
                    return .error("this node holds no bundle of environment '\(environment)'", status: .notFound)
                }
                return .encoded(ConfigAPI.BundleTransfer(bundle: Data(bytes).base64EncodedString()))
            case (.POST, "/v1/config/import"):
                let body = try decode(ConfigAPI.BundleTransfer.self, request)
                guard let bytes = Data(base64Encoded: body.bundle).map(Array.init) else {
                    return .error("\"bundle\" is not base64", status: .badRequest)
                }
                return try await importBundle(bytes, token: token)
            case (.GET, "/v1/audit"):
                return .encoded(ConfigAPI.AuditAnswer(entries: audit.entries()))
            default:
                return .error("method \(request.method) not allowed here", status: .methodNotAllowed)
            }
        } catch let error as RequestError {
            return .error(error.message, status: error.status)
        } catch let error as ConfigPublisher.PublishError {
            if case .behind = error { return .error(error.description, status: .serviceUnavailable) }
            if case .invalid = error { return .error(error.description, status: .unprocessableEntity) }
            return .error(error.description, status: .notFound)
        } catch {
            return .error("\(error)", status: .internalServerError)
        }
    }

    struct RequestError: Error {
        var message: String
        var status: HTTPResponseStatus
    }

    func manager() throws -> ConfigPublisher {
        guard let publisher else {
            throw RequestError(message: "this node is not the manager (--role manager with --signing-key)", status: .notFound)
        }
        return publisher
    }

    func decode<T: Decodable>(_ type: T.Type, _ request: AdminRequest) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(request.body))
        } catch {
            throw RequestError(message: "the request body is not a valid \(type) (\(error))", status: .badRequest)
        }
    }

    func state() async throws -> AdminResponse {
        .encoded(try await agent.loop.submit { agent.state }.get())
    }

    /// Verifies an exported bundle here as if it came from a peer, and announces it to this mesh.
    func importBundle(_ bytes: [UInt8], token: String) async throws -> AdminResponse {
        let outcome = try await agent.loop.flatSubmit { () -> EventLoopFuture<ConfigAgent.Outcome> in
            let parsed: ConfigBundle
            do throws(BundleRejection) { parsed = try ConfigBundle.parse(bytes) } catch {
                agent.refuse(error, version: nil, from: "import")
                return agent.loop.makeSucceededFuture(.refused(error))
            }
            guard agent.relevant(parsed.header.environment) else {
                agent.refuse(.wrongEnvironment, version: parsed.header.version, from: "import")
                return agent.loop.makeSucceededFuture(.refused(.wrongEnvironment))
            }
            return agent.take(.bundle(parsed, decoded: nil), environment: parsed.header.environment, from: "import", announce: true)
        }.get()
        switch outcome {
        case .held(let header):
            audit.record(action: "import", token: token, environment: header.environment,
                         version: header.version, detail: header.summary)
            return .encoded(ConfigAPI.PublishAnswer(header, outcome: "published", diff: nil))
        case .refused(let rejection):
            return .error("bundle refused: \(rejection) (\(rejection.rawValue))", status: .unprocessableEntity)
        case .deltaUnusable:
            return .error("bundle refused: not a bundle", status: .unprocessableEntity)
        }
    }

    static func answer(_ outcome: ConfigPublisher.Outcome) -> AdminResponse {
        switch outcome {
        case .published(let header, let diff):
            return .encoded(ConfigAPI.PublishAnswer(header, outcome: "published", diff: diff))
        case .unchanged(let header):
            return .encoded(ConfigAPI.PublishAnswer(header, outcome: "unchanged", diff: nil))
        }
    }
}

extension AdminResponse {
    static func encoded<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok) -> AdminResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return AdminResponse(status: status, contentType: "application/json", body: body + "\n")
    }
}

extension ConfigAPI.PublishAnswer {
    init(_ header: BundleHeader, outcome: String, diff: ConfigDiff?) {
        self.init(outcome: outcome, environment: header.environment, version: header.version,
                  digest: header.contentDigest.hex, summary: header.summary, diff: diff)
    }
}
