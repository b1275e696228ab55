import Foundation

/// A manifest as read: the environment it names (optional for `--config`) and its config.
public struct Manifest: Sendable, Equatable {
    public var environment: String?
    public var config: GatewayConfig

    public init(environment: String?, config: GatewayConfig) {
        self.environment = environment
        self.config = config
    }
}

/// Reads manifests: one YAML file, or every `*.yaml`/`*.yml` file of a folder in name order
/// as one config. Every problem in every file is reported at once, as `file:line: message`.
public struct ManifestLoader: Sendable {
    /// Values for `${NAME}` references.
    public var environment: @Sendable (String) -> String?
    /// Text for `${file:PATH}` references and for the manifests themselves.
    public var readFile: @Sendable (String) throws -> String

    public init(environment: @escaping @Sendable (String) -> String?,
                readFile: @escaping @Sendable (String) throws -> String) {
        self.environment = environment
        self.readFile = readFile
    }

    /// The process environment and the local disk.
    public static let local = ManifestLoader(
        environment: { ProcessInfo.processInfo.environment[$0] },
        readFile: { try String(contentsOfFile: $0, encoding: .utf8) })

    public func load(path: String) throws(ConfigErrors) -> Manifest {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigErrors([ConfigError(file: path, line: 0, "no such file or folder")])
        }
        let files: [String]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            if files.isEmpty { throw ConfigErrors([ConfigError(file: path, line: 0, "the folder holds no .yaml or .yml file")]) }
        } else {
            files = [path]
        }
        var documents: [(file: String, text: String)] = []
        var errors = ErrorCollector()
        for file in files {
            do {
                documents.append((file, try readFile(file)))
            } catch {
                errors.record(ConfigError(file: file, line: 0, "cannot read: \(error.localizedDescription)"))
            }
        }
        return try parse(documents, earlier: errors)
    }

    /// Parses YAML documents in order as one manifest; each `file` names its document in errors.
    public func parse(_ documents: [(file: String, text: String)]) throws(ConfigErrors) -> Manifest {
        try parse(documents, earlier: ErrorCollector())
    }

    private func parse(_ documents: [(file: String, text: String)], earlier: ErrorCollector) throws(ConfigErrors) -> Manifest {
        var errors = earlier
        let references = SecretReferences(environment: environment, readFile: readFile)
        var parts: [ManifestPart] = []
        for (file, text) in documents {
            parts.append(ManifestParser(file: file, references: references).parse(text, into: &errors))
        }
        let manifest = ManifestValidation.merge(parts, into: &errors)
        guard errors.errors.isEmpty else { throw ConfigErrors(errors.errors) }
        return manifest
    }
}

/// Names of environments, tokens and the like, which appear in tags, file names and rumor
/// subjects: 1 to 64 letters, digits, '-', '_' or '.'.
public enum PlainName {
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
                || c == UInt8(ascii: ".")
        }
    }
}

/// Names an environment may have.
public enum EnvironmentName {
    public static func isValid(_ name: String) -> Bool { PlainName.isValid(name) }
}
