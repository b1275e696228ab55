import ArgumentParser
import Foundation
import ManagerCore

/// `-f PATH [--env E]`: a manifest read and validated here, before anything is sent. Every
/// problem is printed as `file:line: message`, all at once.
struct ManifestInput: ParsableArguments {
    @Option(name: .shortAndLong, help: "A manifest file, or a folder of *.yaml files read in name order.")
    var file: String

    @Option(help: "The environment to publish to (default: the manifest's `environment:`).")
    var env: String?

    /// The manifest's environment (or `--env`) and its config.
    func load() throws -> (environment: String, config: GatewayConfig) {
        let manifest: Manifest
        do {
            manifest = try ManifestLoader.local.load(path: file)
        } catch {
            for problem in error.errors {
                FileHandle.standardError.write(Data("\(problem)\n".utf8))
            }
            let count = error.errors.count
            throw CLIError("\(file): \(count) problem\(count == 1 ? "" : "s"); nothing was sent")
        }
        if let env, let named = manifest.environment, env != named {
            throw CLIError("--env \(env) differs from the manifest's environment '\(named)'")
        }
        guard let environment = env ?? manifest.environment else {
            throw CLIError("name the environment with --env or `environment:` in the manifest")
        }
        guard EnvironmentName.isValid(environment) else {
            throw CLIError("'\(environment)' is not an environment name (letters, digits, '-', '_', '.')")
        }
        return (environment, manifest.config)
    }
}
