import Foundation

/// The value of a `MESHGATE_*` environment variable, or nil when unset or empty.
func environmentValue(_ name: String) -> String? {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
    return value
}
