/// The bodies of the admin API's config endpoints, shared by `meshd` and `meshctl`.
public enum ConfigAPI {
    /// `POST /v1/config/apply` and `/v1/config/diff`.
    public struct ApplyRequest: Codable, Sendable {
        public var environment: String
        public var config: GatewayConfig
        public init(environment: String, config: GatewayConfig) {
            self.environment = environment
            self.config = config
        }
    }

    /// `POST /v1/config/rollback`.
    public struct RollbackRequest: Codable, Sendable {
        public var environment: String
        public var version: UInt64
        public init(environment: String, version: UInt64) {
            self.environment = environment
            self.version = version
        }
    }

    /// `POST /v1/config/promote`.
    public struct PromoteRequest: Codable, Sendable {
        public var from: String
        public var to: String
        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    /// `POST /v1/config/import`, and the answer of `GET /v1/config/bundle/ENV`.
    public struct BundleTransfer: Codable, Sendable {
        /// The bundle's bytes, base64.
        public var bundle: String
        public init(bundle: String) { self.bundle = bundle }
    }

    /// What apply, rollback, promote and import answer.
    public struct PublishAnswer: Codable, Sendable {
        /// `published`, or `unchanged` when the content is the current version's.
        public var outcome: String
        public var environment: String
        public var version: UInt64
        public var digest: String
        public var summary: String
        public var diff: ConfigDiff?
        public init(outcome: String, environment: String, version: UInt64, digest: String, summary: String, diff: ConfigDiff?) {
            self.outcome = outcome
            self.environment = environment
            self.version = version
            self.digest = digest
            self.summary = summary
            self.diff = diff
        }
    }

    public struct DiffAnswer: Codable, Sendable {
        public var environment: String
        /// The version compared against; nil when the environment has none yet.
        public var version: UInt64?
        public var diff: ConfigDiff
        public init(environment: String, version: UInt64?, diff: ConfigDiff) {
            self.environment = environment
            self.version = version
            self.diff = diff
        }
    }

    public struct HistoryAnswer: Codable, Sendable {
        public var environment: String
        public var versions: [BundleHeader]
        public init(environment: String, versions: [BundleHeader]) {
            self.environment = environment
            self.versions = versions
        }
    }

    public struct AuditAnswer: Codable, Sendable {
        public var entries: [AuditEntry]
        public init(entries: [AuditEntry]) { self.entries = entries }
    }

    /// `GET /v1/config`: the node's own environment and what it serves.
    public struct StateAnswer: Codable, Sendable {
        public var environment: String
        public var version: UInt64?
        public var digest: String?
        /// When the manager signed the version this node serves (wall clock, milliseconds).
        public var createdAtMillis: Int64?
        /// When this node applied it (wall clock, milliseconds).
        public var appliedAtMillis: Int64?
        /// The newest version of the environment this node has heard of.
        public var newest: UInt64
        /// Behind the newest for longer than the lag threshold.
        public var lagging: Bool
        public init(environment: String, version: UInt64?, digest: String?, createdAtMillis: Int64?, appliedAtMillis: Int64?,
                    newest: UInt64, lagging: Bool) {
            self.environment = environment
            self.version = version
            self.digest = digest
            self.createdAtMillis = createdAtMillis
            self.appliedAtMillis = appliedAtMillis
            self.newest = newest
            self.lagging = lagging
        }
    }
}

/// One line of the manager's append-only audit log: who changed the config, and how.
public struct AuditEntry: Codable, Sendable, Equatable {
    /// ISO 8601, UTC.
    public var time: String
    /// `apply`, `rollback`, `promote`, `import`.
    public var action: String
    /// The name of the admin token that asked.
    public var token: String
    public var environment: String?
    public var version: UInt64?
    public var detail: String?

    public init(time: String, action: String, token: String, environment: String?, version: UInt64?, detail: String?) {
        self.time = time
        self.action = action
        self.token = token
        self.environment = environment
        self.version = version
        self.detail = detail
    }
}
