/// The checks that span entities: unique ids, routes naming upstreams that exist, no target
/// listed twice, one environment. The manager runs them on what it is asked to sign and
/// every worker on what it is asked to serve: one set of rules for both.
public enum ManifestValidation {
    /// Merges the files' parts in order and records every cross-reference problem.
    static func merge(_ parts: [ManifestPart], into errors: inout ErrorCollector) -> Manifest {
        var environment: (name: String, position: SourcePosition)?
        var config = GatewayConfig.empty
        var upstreamPositions: [SourcePosition] = []
        var routePositions: [SourcePosition] = []
        for part in parts {
            if let named = part.environment {
                if let first = environment, first.name != named.name {
                    errors.record(ConfigError(named.position,
                        "environment '\(named.name)' differs from '\(first.name)' named at \(first.position)"))
                } else if environment == nil {
                    environment = named
                }
            }
            for (upstream, position) in part.upstreams {
                config.upstreams.append(upstream)
                upstreamPositions.append(position)
            }
            for (route, position) in part.routes {
                config.routes.append(route)
                routePositions.append(position)
            }
        }
        for problem in problems(in: config) {
            switch problem.entity {
            case .upstream(let index): errors.record(ConfigError(upstreamPositions[index], problem.message))
            case .route(let index): errors.record(ConfigError(routePositions[index], problem.message))
            }
        }
        return Manifest(environment: environment?.name, config: config)
    }

    /// The entity at fault, by its index in the config.
    public enum Entity: Sendable, Equatable {
        case upstream(Int)
        case route(Int)
    }

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var entity: Entity
        public var message: String
        public var description: String { message }
    }

    /// Every problem of `config`: values out of range (`ValueChecks`), then cross-references.
    /// Entities equal to the one of the same id in `base`, a config that passed already, are not
    /// value-checked again: a one-route change to a large config checks one route's values.
    public static func problems(in config: GatewayConfig, checkedBefore base: GatewayConfig? = nil) -> [Problem] {
        ValueChecks.problems(in: config, checkedBefore: base) + crossReferences(in: config)
    }

    /// Every cross-reference problem of `config`, in the order of its entities.
    static func crossReferences(in config: GatewayConfig) -> [Problem] {
        var problems: [Problem] = []
        var upstreamIDs: [String: Int] = [:]
        for (index, upstream) in config.upstreams.enumerated() {
            if upstreamIDs[upstream.id] != nil {
                problems.append(Problem(entity: .upstream(index), message: "duplicate upstream id '\(upstream.id)'"))
            } else {
                upstreamIDs[upstream.id] = index
            }
            var seen = Set<String>()
            for target in upstream.targets where !seen.insert(target.authority).inserted {
                problems.append(Problem(
                    entity: .upstream(index), message: "upstream '\(upstream.id)' lists target \(target.authority) twice"))
            }
        }
        var routeIDs = Set<String>()
        for (index, route) in config.routes.enumerated() {
            if !routeIDs.insert(route.id).inserted {
                problems.append(Problem(entity: .route(index), message: "duplicate route id '\(route.id)'"))
            }
            for id in route.destination.upstreamIDs where upstreamIDs[id] == nil {
                problems.append(Problem(entity: .route(index), message: "route '\(route.id)' names unknown upstream '\(id)'"))
            }
        }
        return problems
    }
}

/// A config whose entities do not fit together (it came from somewhere other than a manifest).
public struct InvalidConfig: Error, CustomStringConvertible, Sendable {
    public let problems: [ManifestValidation.Problem]
    public var description: String { problems.map(\.message).joined(separator: "; ") }
}

extension ManifestValidation {
    /// `config`, once it has no problem; `base` as in `problems(in:checkedBefore:)`.
    public static func validated(_ config: GatewayConfig, checkedBefore base: GatewayConfig? = nil) throws(InvalidConfig) -> ValidConfig {
        let problems = problems(in: config, checkedBefore: base)
        guard problems.isEmpty else { throw InvalidConfig(problems: problems) }
        return ValidConfig(checked: config)
    }
}

/// A config that passed `ManifestValidation`: what the gateway applies without checking it again.
public struct ValidConfig: Sendable, Equatable {
    public let config: GatewayConfig

    init(checked config: GatewayConfig) { self.config = config }
}
