/// What a bust selects (`meshctl bust`).
public enum Invalidation: Sendable, Hashable {
    /// Every variant stored under this primary key text.
    case key(String)
    /// Every key of one URL, whatever the values of the template's headers: a `CacheKey.resource`.
    case resource(String)
    /// Entries whose normalized path starts with this prefix, on any host.
    case prefix(String)
    /// Entries whose normalized path is exactly this, on any host, whatever their query and
    /// header lines: a URL given without a host.
    case path(String)
    /// Entries whose response named this tag.
    case tag(String)
    /// Entries stored for this route.
    case route(String)
    case all

    func matches(_ entry: StoredEntry) -> Bool {
        switch self {
        case .key(let text): entry.key.text == text
        case .resource(let resource): entry.key.resource == resource
        case .prefix(let prefix): entry.key.path.utf8.starts(with: prefix.utf8)
        case .path(let path): entry.key.path == path
        case .tag(let tag): entry.tags.contains(tag)
        case .route(let route): entry.route == route
        case .all: true
        }
    }
}
