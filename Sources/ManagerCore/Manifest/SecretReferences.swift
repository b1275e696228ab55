import Foundation
import Yams

/// `${NAME}` (an environment variable) and `${file:PATH}` (a file's text, without its
/// final line break; a relative PATH is read from the manifest's folder) in string values,
/// so a manifest can live in git without its secrets. `$${` writes a literal `${`.
/// References are resolved where the manifest is read, before anything is signed.
struct SecretReferences {
    let environment: @Sendable (String) -> String?
    let readFile: @Sendable (String) throws -> String

    /// The same tree with every reference in a string value replaced.
    func resolve(_ node: Node, file: String) throws -> Node {
        switch node {
        case .scalar(let scalar):
            guard scalar.string.contains("${") else { return node }
            let text = try substitute(scalar.string, file: file, line: scalar.mark?.line ?? 1)
            return .scalar(Node.Scalar(text, scalar.tag, scalar.style, scalar.mark))
        case .mapping(let mapping):
            let pairs = try mapping.map { (key, value) in (key, try resolve(value, file: file)) }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            let items = try sequence.map { try resolve($0, file: file) }
            return .sequence(Node.Sequence(items, sequence.tag, sequence.style, sequence.mark))
        case .alias:
            return node
        }
    }

    func substitute(_ text: String, file: String, line: Int) throws -> String {
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            if start.lowerBound > rest.startIndex, rest[rest.index(before: start.lowerBound)] == "$" {
                out += rest[..<rest.index(before: start.lowerBound)] + "${"
                rest = rest[start.upperBound...]
                continue
            }
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw ConfigError(file: file, line: line, "unterminated '${' in a value")
            }
            let reference = String(rest[start.upperBound..<end])
            out += try value(of: reference, file: file, line: line)
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    private func value(of reference: String, file: String, line: Int) throws -> String {
        if reference.hasPrefix("file:") {
            var path = String(reference.dropFirst(5))
            guard !path.isEmpty else { throw ConfigError(file: file, line: line, "${file:} names no file") }
            if !path.hasPrefix("/") {
                path = ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
            }
            do {
                var text = try readFile(path)
                if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
                return text
            } catch {
                throw ConfigError(file: file, line: line, "${file:\(reference.dropFirst(5))}: cannot read \(path)")
            }
        }
        let isNameChar = { (c: UInt8) in
            c == UInt8(ascii: "_") || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
        }
        guard !reference.isEmpty, reference.utf8.allSatisfy(isNameChar) else {
            throw ConfigError(file: file, line: line, "'${\(reference)}' is neither ${NAME} nor ${file:PATH}")
        }
        guard let value = environment(reference) else {
            throw ConfigError(file: file, line: line, "${\(reference)}: the environment variable is not set")
        }
        return value
    }
}
