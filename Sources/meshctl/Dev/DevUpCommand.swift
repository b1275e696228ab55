import ArgumentParser
import Foundation
import ManagerCore

/// Starts a manager and workers on loopback with a generated cluster key, waits until they all see
/// each other, tells the operator how to look at them, and stops them all on Ctrl-C.
struct DevUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a local mesh on loopback: a manager and three workers; Ctrl-C stops it."
    )

    @Option(help: "Folder for the cluster key, admin token, node data and logs.")
    var dir = ".meshgate-dev"

    @Option(help: "Number of workers besides the manager.")
    var workers = 3

    @Option(help: "Gossip timing profile: local, lan or wan.")
    var profile = "local"

    @Option(help: "First port; node i uses base+10i (gossip), base+10i+1 (admin), base+10i+2 (gateway).")
    var basePort = 7946

    @Option(help: "Seconds to wait for the mesh to form.")
    var within: Double = 30

    @Flag(inversion: .prefixedNo, help: "Start the example upstream (nginx) and give the workers its gateway config.")
    var example = true

    func validate() throws {
        guard (1...20).contains(workers) else { throw ValidationError("--workers must be between 1 and 20") }
        guard ["local", "lan", "wan"].contains(profile) else { throw ValidationError("unknown profile \(profile)") }
        guard (1024...65000 - 10 * workers).contains(basePort) else { throw ValidationError("--base-port out of range") }
    }

    func run() throws {
        let meshd = try SiblingExecutable.path("meshd")
        let layout = DevMeshLayout(basePort: basePort, workers: workers)
        if let busy = layout.ports.first(where: { !PortCheck.isFree($0) }) {
            throw CLIError("port \(busy) on 127.0.0.1 is in use (another dev mesh?); stop it or pass --base-port")
        }
        let folder = try DevFolder(path: dir)
        let features = MeshdFeatures(executable: meshd)
        StopSignal.install()

        var children: [ChildProcess] = []
        defer { stop(children) }
        let upstream = try startExampleUpstream(layout: layout, features: features, children: &children)
        printNow("starting a mesh of \(layout.nodes.count) nodes on 127.0.0.1 (profile \(profile), folder \(dir))")
        for node in layout.nodes {
            let arguments = meshdArguments(node, layout: layout, folder: folder, features: features)
            children.append(try ChildProcess(name: node.name, executable: meshd, arguments: arguments,
                                             logPath: folder.logPath(node.name)))
        }

        try waitForMesh(layout: layout, folder: folder, children: children)
        if let upstream { try applyExample(upstream, layout: layout, folder: folder) }
        printSummary(layout: layout, folder: folder, features: features, upstream: upstream)

        while !StopSignal.received {
            if let dead = children.first(where: { !$0.isRunning }) {
                throw CLIError("\(dead.name) exited (status \(dead.exitStatus)); its log \(dead.logPath) ends with: \(dead.logTail(lines: 1))")
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        printNow("\nstopping the mesh…")
    }

    /// nginx as the example backend, when asked for, installed, and this meshd takes a gateway config.
    private func startExampleUpstream(layout: DevMeshLayout, features: MeshdFeatures,
                                      children: inout [ChildProcess]) throws -> ExampleUpstream? {
        guard example, features.supports("--trust-key") else { return nil }
        guard let nginx = ExampleUpstream.nginxPath() else {
            printNow("no nginx found (scripts/install-deps.sh installs it): starting the mesh without the example upstream")
            return nil
        }
        let folder = URL(fileURLWithPath: dir).appendingPathComponent("upstream").standardizedFileURL.path
        let upstream = ExampleUpstream(port: layout.upstreamPort, folder: folder)
        try upstream.prepare()
        children.append(try ChildProcess(name: "upstream", executable: nginx, arguments: upstream.arguments(),
                                         logPath: "\(upstream.folder)/logs/nginx.log"))
        printNow("example upstream (nginx) on \(upstream.url), gateway config \(upstream.manifestPath)")
        return upstream
    }

    private func meshdArguments(_ node: DevMeshLayout.Node, layout: DevMeshLayout, folder: DevFolder,
                                features: MeshdFeatures) -> [String] {
        var arguments = [
            "--name", node.name,
            "--bind", node.gossipAddress,
            "--role", node.role,
            "--seeds", layout.seeds,
            "--tags", "region=local,zone=\(node.zone),env=dev",
            "--cluster-key-file", folder.clusterKeyPath,
            "--admin", "127.0.0.1:\(node.adminPort)",
            "--admin-token-file", folder.tokenPath,
            "--data-dir", folder.dataPath(node.name),
            "--profile", profile,
        ]
        if node.role == "manager" {
            arguments += ["--signing-key", folder.signingKeyPath]
        } else {
            arguments += ["--trust-key", folder.trustKeyPath]
            if features.supports("--http") { arguments += ["--http", "127.0.0.1:\(node.httpPort)"] }
        }
        return arguments
    }

    private func waitForMesh(layout: DevMeshLayout, folder: DevFolder, children: [ChildProcess]) throws {
        let token = try NodeOptions.readToken(folder.tokenPath)
        let nodes = layout.nodes.map {
            MeshWatch.Node(label: $0.name, client: AdminClient(endpoint: AdminEndpoint(host: "127.0.0.1", port: $0.adminPort),
                                                               token: token, timeoutSeconds: 2))
        }
        let total = layout.nodes.count
        let watch = MeshWatch(nodes: nodes, intervalSeconds: 0.2, condition: MeshWatch.alive(total))
        var outcome = MeshWatch.Outcome()
        var lastProgress = ""
        let formed = watch.run(until: Date().addingTimeInterval(within), outcome: &outcome,
                               shouldStop: { StopSignal.received || children.contains { !$0.isRunning } }) { outcome in
            let progress = layout.nodes.map { node in
                let alive = outcome.metAt[node.name] != nil ? total
                    : (outcome.lastSeen[node.name] ?? []).filter { $0.state == "alive" }.count
                return "\(node.name) \(alive)/\(total)"
            }.joined(separator: "  ")
            if progress != lastProgress {
                printNow("  alive as seen by  \(progress)")
                lastProgress = progress
            }
        }
        if formed { return }
        if let dead = children.first(where: { !$0.isRunning }) {
            throw CLIError("\(dead.name) exited (status \(dead.exitStatus)) while the mesh formed; its log \(dead.logPath) ends with: \(dead.logTail(lines: 1))")
        }
        if StopSignal.received { throw CLIError("interrupted before the mesh formed") }
        throw CLIError("the mesh did not form within \(within)s; see the logs in \(dir)")
    }

    private func printSummary(layout: DevMeshLayout, folder: DevFolder, features: MeshdFeatures, upstream: ExampleUpstream?) {
        printNow("\nthe mesh is up:")
        var table = TextTable(header: ["NAME", "ROLE", "GOSSIP", "ADMIN", "GATEWAY"])
        for node in layout.nodes {
            let gateway = features.supports("--http") && node.role == "worker" ? "http://127.0.0.1:\(node.httpPort)" : ""
            table.rows.append([node.name, node.role, node.gossipAddress, node.adminURL, gateway])
        }
        printNow(table.render())
        let meshctl = CommandLine.arguments[0]
        printNow("\nlook at it from another terminal:")
        printNow("  \(meshctl) --node \(layout.nodes[0].adminURL) --token-file \(folder.tokenPath) status")
        if upstream != nil, let worker = layout.nodes.first(where: { $0.role == "worker" }) {
            printNow("  curl -i http://127.0.0.1:\(worker.httpPort)/hello     # through the gateway to the example upstream")
        }
        printNow("logs are in \(dir)/<name>/meshd.log; press Ctrl-C to stop every node")
    }

    /// Publishes the example manifest through the manager, as `meshctl apply` does, and waits
    /// until every worker serves it.
    private func applyExample(_ upstream: ExampleUpstream, layout: DevMeshLayout, folder: DevFolder) throws {
        guard let manager = layout.nodes.first(where: { $0.role == "manager" }) else { return }
        let client = AdminClient(endpoint: AdminEndpoint(host: "127.0.0.1", port: manager.adminPort),
                                 token: try NodeOptions.readToken(folder.tokenPath), timeoutSeconds: 5)
        let manifest: Manifest
        do { manifest = try ManifestLoader.local.load(path: upstream.manifestPath) } catch {
            throw CLIError("the example manifest is not valid: \(error)")
        }
        let started = Date()
        let answer = try client.request(
            .POST, "/v1/config/apply",
            sending: ConfigAPI.ApplyRequest(environment: manifest.environment ?? "dev", config: manifest.config),
            as: ConfigAPI.PublishAnswer.self)
        let rollout = try Rollout.wait(client: client, environment: answer.environment, version: answer.version,
                                       timeout: within, started: started, quiet: true)
        printNow("applied \(upstream.manifestPath) through the manager as \(answer.environment) version \(answer.version): \(rollout)")
    }

    private func stop(_ children: [ChildProcess]) {
        guard !children.isEmpty else { return }
        for child in children { child.send(SIGTERM) }
        var lingering: [String] = []
        for child in children where !child.waitForExit(seconds: 10) {
            child.send(SIGKILL)
            _ = child.waitForExit(seconds: 2)
            lingering.append(child.name)
        }
        if lingering.isEmpty {
            printNow("stopped \(children.count) processes")
        } else {
            printError("meshctl: \(lingering.joined(separator: ", ")) did not stop within 10s and were killed")
        }
    }
}
