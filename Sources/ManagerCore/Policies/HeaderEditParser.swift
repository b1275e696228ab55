import Yams

/// `type: headers` options, and the rules every header name a manifest writes must follow.
enum HeaderEditParser {
    static func parse(_ options: PolicyOptions) throws -> HeadersPolicyConfig {
        try options.allowOnly(["type", "request", "response"])
        let request = try edits(options.nested("request"))
        let response = try edits(options.nested("response"))
        guard !request.isEmpty || !response.isEmpty else {
            throw options.error(nil, "\(options.path): give 'request' or 'response' edits (add, set, remove, rename)")
        }
        return HeadersPolicyConfig(request: request, response: response)
    }

    static func isFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(HTTPToken.isTokenChar)
    }

    private static func edits(_ options: PolicyOptions?) throws -> [HeaderEdit] {
        guard let options else { return [] }
        try options.allowOnly(["add", "set", "remove", "rename"])
        var edits: [HeaderEdit] = []
        for name in try options.stringList("remove") ?? [] {
            try check(name, options, "remove")
            edits.append(.remove(name: name))
        }
        for (from, to, node) in try options.stringPairs("rename") ?? [] {
            try check(from, options, "rename", node)
            try check(to, options, "rename", node)
            edits.append(.rename(from: from, to: to))
        }
        for (name, value, node) in try options.stringPairs("set") ?? [] {
            try check(name, options, "set", node, value: value)
            edits.append(.set(name: name, value: value))
        }
        for (name, value, node) in try options.stringPairs("add") ?? [] {
            try check(name, options, "add", node, value: value)
            edits.append(.add(name: name, value: value))
        }
        return edits
    }

    private static func check(
        _ name: String, _ options: PolicyOptions, _ key: String, _ node: Node? = nil, value: String = ""
    ) throws {
        guard isFieldName(name) else {
            throw options.error(node ?? options.value(key), "\(options.path).\(key): '\(name)' is not a valid header name")
        }
        // The gateway frames every message and manages every connection itself.
        guard !HTTPToken.isFramingField(name) else {
            throw options.error(
                node ?? options.value(key), "\(options.path).\(key): '\(name)' frames the message or the connection; the gateway sets it")
        }
        guard !value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
            throw options.error(node ?? options.value(key), "\(options.path).\(key): the value of '\(name)' holds a line break")
        }
    }
}
