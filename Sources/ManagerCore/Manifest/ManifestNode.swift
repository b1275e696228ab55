import Yams

/// A YAML node with the file it came from: typed accessors that fail with "file:line: message".
struct ManifestNode {
    let node: Node
    let file: String

    var line: Int { node.mark?.line ?? 1 }
    var position: SourcePosition { SourcePosition(file: file, line: line) }

    func error(_ message: String) -> ConfigError { ConfigError(position, message) }

    func mapping(_ what: String) throws -> Node.Mapping {
        guard let mapping = node.mapping else { throw error("\(what) must be a mapping") }
        return mapping
    }

    func sequence(_ what: String) throws -> [ManifestNode] {
        guard let sequence = node.sequence else { throw error("\(what) must be a list") }
        return sequence.map { ManifestNode(node: $0, file: file) }
    }

    func string(_ what: String) throws -> String {
        guard let scalar = node.scalar else { throw error("\(what) must be a string") }
        return scalar.string
    }

    func int(_ what: String, min: Int = 0) throws -> Int {
        guard let value = node.int, value >= min else { throw error("\(what) must be an integer >= \(min)") }
        return value
    }

    func byteSize(_ what: String) throws -> Int {
        let text = try string(what)
        guard let bytes = ByteSizeText.parse(text) else {
            throw error("\(what) '\(text)' is not a size (like 1048576, 64KiB or 10MB)")
        }
        return bytes
    }

    func bool(_ what: String) throws -> Bool {
        guard let value = node.bool else { throw error("\(what) must be true or false") }
        return value
    }

    func duration(_ what: String) throws -> Duration {
        let text = try string(what)
        guard let amount = DurationText.parse(text) else {
            throw error("\(what) '\(text)' is not a duration (like 500ms, 30s, 5m)")
        }
        return amount
    }

    /// The fields of a mapping, refusing keys the schema does not know (a typo must not be ignored).
    func fields(_ what: String, allowed: Set<String>) throws -> ManifestFields {
        let mapping = try self.mapping(what)
        var values: [String: ManifestNode] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw error("\(what) has a key that is not a string") }
            let keyNode = ManifestNode(node: key, file: file)
            guard allowed.contains(name) else {
                throw keyNode.error("unknown key '\(name)' in \(what) (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard values[name] == nil else { throw keyNode.error("duplicate key '\(name)' in \(what)") }
            values[name] = ManifestNode(node: value, file: file)
        }
        return ManifestFields(owner: self, what: what, values: values)
    }
}

struct ManifestFields {
    let owner: ManifestNode
    let what: String
    let values: [String: ManifestNode]

    subscript(_ key: String) -> ManifestNode? { values[key] }

    func required(_ key: String) throws -> ManifestNode {
        guard let value = values[key] else { throw owner.error("\(what) needs '\(key)'") }
        return value
    }
}
