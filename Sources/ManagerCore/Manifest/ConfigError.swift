/// Where a config element was written, for "file:line: message" errors.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// A config that cannot be served, with where it went wrong.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let line: Int
    public let message: String

    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public init(_ position: SourcePosition, _ message: String) {
        self.init(file: position.file, line: position.line, message)
    }

    public var description: String { "\(file):\(line): \(message)" }
}

/// Every problem found in a manifest, in the order of the files and lines they were found at.
public struct ConfigErrors: Error, CustomStringConvertible, Sendable, Equatable {
    public let errors: [ConfigError]

    public init(_ errors: [ConfigError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Collects errors entity by entity, so one bad route does not hide the next one's problem.
struct ErrorCollector {
    private(set) var errors: [ConfigError] = []

    mutating func record(_ error: ConfigError) { errors.append(error) }

    /// Runs `body`; an error it throws is recorded and nil returned.
    mutating func attempt<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let error as ConfigError {
            errors.append(error)
        } catch {
            errors.append(ConfigError(file: "manifest", line: 0, "\(error)"))
        }
        return nil
    }
}
