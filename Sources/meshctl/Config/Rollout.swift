import ArgumentParser
import Foundation
import ManagerCore

/// Waits until every alive worker of an environment reports a config version, as the node
/// asked sees them, printing progress on stderr while it waits.
enum Rollout {
    static func wait(client: AdminClient, environment: String, version: UInt64, timeout: Double,
                     started: Date, quiet: Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var lastLine = ""
        while true {
            let members = try MemberRecord.list(from: try client.request(.GET, "/v1/status"))
            let workers = members.filter {
                $0.role != "manager" && $0.state == "alive" && ($0.tags["env"] ?? "default") == environment
            }
            let lagging = workers.filter { (UInt64($0.configVersion ?? "") ?? 0) < version }
            let done = workers.count - lagging.count
            let elapsed = Date().timeIntervalSince(started)
            if workers.isEmpty {
                if !quiet && !lastLine.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
                return "no alive worker of \(environment) to wait for"
            }
            if lagging.isEmpty {
                if !quiet && !lastLine.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
                return String(format: "%d of %d workers of %@ serve version %llu after %.3f s",
                              done, workers.count, environment, version, elapsed)
            }
            let line = "\(done) of \(workers.count) workers on version \(version)"
            if !quiet && line != lastLine {
                FileHandle.standardError.write(Data("\r\(line)".utf8))
                lastLine = line
            }
            if Date() >= deadline {
                if !quiet { FileHandle.standardError.write(Data("\n".utf8)) }
                let names = lagging.map { "\($0.name) (\($0.configVersion ?? "none"))" }.joined(separator: ", ")
                throw CLIError("timed out after \(Int(timeout)) s: \(lagging.count) of \(workers.count) workers lag behind version \(version): \(names)")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }
}

extension Rollout {
    /// Prints what a publish answered and, unless told not to, waits for the workers.
    static func report(_ answer: ConfigAPI.PublishAnswer, client: AdminClient, options: RolloutOptions, started: Date) throws {
        guard answer.outcome != "unchanged" else {
            print("nothing changed: \(answer.environment) stays at version \(answer.version) (\(answer.digest.prefix(12)))")
            return
        }
        print("published \(answer.environment) version \(answer.version) (\(answer.digest.prefix(12))): \(answer.summary)")
        if options.noWait { return }
        print(try wait(client: client, environment: answer.environment, version: answer.version,
                       timeout: options.waitTimeout, started: started, quiet: false))
    }
}

/// `--no-wait` and `--wait-timeout`, for every command that publishes a version.
struct RolloutOptions: ParsableArguments {
    @Flag(help: "Return once the version is signed (or imported), without waiting for the workers.")
    var noWait = false

    @Option(help: "Seconds to wait for every alive worker of the environment to serve the version.")
    var waitTimeout: Double = 60
}
