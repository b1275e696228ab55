/// A config that cannot be served, with where it went wrong.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int
    public let message: String

    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    init(_ position: SourcePosition, _ message: String) {
        self.init(file: position.file, line: position.line, message)
    }

    public var description: String { "\(file):\(line): \(message)" }
}
