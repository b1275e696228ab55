import Foundation

/// Polls `condition` every 50 ms until it holds; throws with `what` and the last error after `seconds`.
func eventually(_ what: String, within seconds: Double, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    var lastError: Error?
    while Date() < deadline {
        do {
            if try condition() { return }
        } catch {
            lastError = error
        }
        Thread.sleep(forTimeInterval: 0.05)
    }
    throw IntegrationError("timed out after \(seconds)s waiting for \(what)" + (lastError.map { ": \($0)" } ?? ""))
}
