import NIOCore
import NIOHTTP1
import Yams

/// `type: headers`: edits the request on its way upstream and the response on its
/// way back. Within each direction edits apply as `remove`, `rename`, `set`, `add`,
/// each in the order written.
public struct HeaderTransform: RequestPolicy {
    public let requestEdits: [HeaderEdit]
    public let responseEdits: [HeaderEdit]

    public init(_ spec: PolicySpec) throws {
        let options = try PolicyOptions(spec)
        try options.allowOnly(["type", "request", "response"])
        requestEdits = try Self.edits(options.nested("request"))
        responseEdits = try Self.edits(options.nested("response"))
        guard !requestEdits.isEmpty || !responseEdits.isEmpty else {
            throw options.error(nil, "\(spec.type): give 'request' or 'response' edits (add, set, remove, rename)")
        }
    }

    public func evaluate(_ context: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        ForwardingHeaders.apply(requestEdits, to: &context.head.headers)
        if !responseEdits.isEmpty {
            context.responseHeaderEdits.append(contentsOf: responseEdits)
        }
        return .proceed
    }

    private static func edits(_ options: PolicyOptions?) throws -> [HeaderEdit] {
        guard let options else { return [] }
        try options.allowOnly(["add", "set", "remove", "rename"])
        var edits: [HeaderEdit] = []
        for name in try options.stringList("remove") ?? [] {
            try validate(name, options, "remove")
            edits.append(.remove(name: name))
        }
        for (from, to, node) in try options.stringPairs("rename") ?? [] {
            try validate(from, options, "rename", node)
            try validate(to, options, "rename", node)
            edits.append(.rename(from: from, to: to))
        }
        for (name, value, node) in try options.stringPairs("set") ?? [] {
            try validate(name, options, "set", node, value: value)
            edits.append(.set(name: name, value: value))
        }
        for (name, value, node) in try options.stringPairs("add") ?? [] {
            try validate(name, options, "add", node, value: value)
            edits.append(.add(name: name, value: value))
        }
        return edits
    }

    private static func validate(
        _ name: String, _ options: PolicyOptions, _ key: String, _ node: Yams.Node? = nil, value: String = ""
    ) throws {
        let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard !name.isEmpty, name.allSatisfy(tokenCharacters.contains) else {
            throw options.error(node ?? options.value(key), "\(options.path).\(key): '\(name)' is not a valid header name")
        }
        // The gateway frames every message and manages every connection itself.
        guard !ForwardingHeaders.isHopByHop(name, ConnectionOptions()), !name.equalsIgnoringASCIICase("content-length") else {
            throw options.error(
                node ?? options.value(key), "\(options.path).\(key): '\(name)' frames the message or the connection; the gateway sets it")
        }
        guard !value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
            throw options.error(node ?? options.value(key), "\(options.path).\(key): the value of '\(name)' holds a line break")
        }
    }
}
