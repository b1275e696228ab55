import Yams

/// Reads one policy's YAML mapping (or a mapping nested in it) and reports every
/// problem at the line of the key or value at fault. Unknown keys are refused so a
/// misspelt option never silently falls back to a default.
struct PolicyOptions {
    let file: String
    let node: Node
    /// Where this mapping sits inside the policy, for messages: `jwt`, `jwt.keys[1]`.
    let path: String
    private let mapping: Node.Mapping

    /// The options of a policy entry: `type` names it and starts every path.
    init(_ entry: ManifestNode, type: String) throws {
        try self.init(file: entry.file, node: entry.node, path: type)
    }

    init(file: String, node: Node, path: String) throws {
        guard let mapping = node.mapping else {
            throw ConfigError(file: file, line: node.mark?.line ?? 1, "\(path): expected a mapping")
        }
        self.file = file
        self.node = node
        self.path = path
        self.mapping = mapping
    }

    func error(_ node: Node?, _ message: String) -> ConfigError {
        ConfigError(file: file, line: (node ?? self.node).mark?.line ?? 1, message)
    }

    func allowOnly(_ keys: Set<String>) throws {
        for (key, _) in mapping {
            let name = key.string ?? ""
            if !keys.contains(name) {
                let known = keys.subtracting(["type"]).sorted().joined(separator: ", ")
                throw error(key, "\(path): unknown option '\(name)' (known: \(known))")
            }
        }
    }

    func value(_ key: String) -> Node? {
        guard let value = mapping[key], value.null == nil else { return nil }
        return value
    }

    func required(_ key: String) throws -> Node {
        guard let value = value(key) else {
            throw error(node, "\(path): missing required option '\(key)'")
        }
        return value
    }

    func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard let scalar = value.scalar else {
            throw error(value, "\(path).\(key): expected a string")
        }
        return scalar.string
    }

    func requiredString(_ key: String) throws -> String {
        _ = try required(key)
        return try string(key)!
    }

    func int(_ key: String, atLeast minimum: Int) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.int else {
            throw error(value, "\(path).\(key): expected an integer, got '\(value.scalar?.string ?? "")'")
        }
        guard number >= minimum else {
            throw error(value, "\(path).\(key): must be at least \(minimum)")
        }
        return number
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.bool else {
            throw error(value, "\(path).\(key): expected true or false")
        }
        return flag
    }

    /// `250ms`, `30s`, `5m`, `1h`, or a bare number of seconds.
    func duration(_ key: String) throws -> Duration? {
        guard let value = value(key) else { return nil }
        guard let text = value.scalar?.string, let parsed = DurationText.parse(text) else {
            throw error(value, "\(path).\(key): expected a duration like 250ms, 30s, 5m or 1h")
        }
        return parsed
    }

    /// `1024`, `512B`, `10KB` (1000), `10KiB` (1024), `1MB`, `1MiB`, `1GB`, `1GiB`.
    func byteSize(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let text = value.scalar?.string, let parsed = ByteSizeText.parse(text) else {
            throw error(value, "\(path).\(key): expected a size like 1048576, 64KiB or 10MB")
        }
        return parsed
    }

    /// A single string or a sequence of strings.
    func stringList(_ key: String) throws -> [String]? {
        guard let value = value(key) else { return nil }
        if let scalar = value.scalar { return [scalar.string] }
        guard let sequence = value.sequence else {
            throw error(value, "\(path).\(key): expected a string or a list of strings")
        }
        return try sequence.map { item in
            guard let scalar = item.scalar else {
                throw error(item, "\(path).\(key): expected a string")
            }
            return scalar.string
        }
    }

    /// A mapping of strings to strings, in the order written.
    func stringPairs(_ key: String) throws -> [(String, String, Node)]? {
        guard let value = value(key) else { return nil }
        guard let pairs = value.mapping else {
            throw error(value, "\(path).\(key): expected a mapping of names to values")
        }
        return try pairs.map { name, item in
            guard let nameText = name.scalar?.string, let itemText = item.scalar?.string else {
                throw error(name, "\(path).\(key): expected 'name: value' pairs of strings")
            }
            return (nameText, itemText, name)
        }
    }

    func nested(_ key: String) throws -> PolicyOptions? {
        guard let value = value(key) else { return nil }
        return try PolicyOptions(file: file, node: value, path: "\(path).\(key)")
    }

    func nestedList(_ key: String) throws -> [PolicyOptions]? {
        guard let value = value(key) else { return nil }
        guard let sequence = value.sequence else {
            throw error(value, "\(path).\(key): expected a list")
        }
        return try sequence.enumerated().map { index, item in
            try PolicyOptions(file: file, node: item, path: "\(path).\(key)[\(index)]")
        }
    }
}
