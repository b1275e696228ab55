import Foundation

/// nginx on a loopback port as the origin of cached routes: every path answers 200 with the
/// path as its body and `Cache-Control: max-age=600`, and each request it serves is a line of
/// its access log, so a test counts what reached the origin.
final class NginxOrigin {
    let port: Int
    let directory: String
    private let process: Process

    init(directory: String) throws {
        guard let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw IntegrationError("nginx is not installed: scripts/install-deps.sh installs it")
        }
        port = try FreePorts.next()
        self.directory = directory + "/nginx"
        try FileManager.default.createDirectory(atPath: self.directory + "/logs", withIntermediateDirectories: true)
        let config = """
            worker_processes 1; daemon off; pid \(self.directory)/nginx.pid; error_log \(self.directory)/logs/error.log;
            events { worker_connections 1024; }
            http { access_log \(self.directory)/access.log;
              server { listen 127.0.0.1:\(port); keepalive_requests 100000;
                location / { add_header Cache-Control "max-age=600"; return 200 "origin:$request_uri"; } } }
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: self.directory + "/nginx.conf"))
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-c", self.directory + "/nginx.conf", "-p", self.directory]
        process.standardError = FileHandle.nullDevice
        try process.run()
        try eventually("nginx listening on \(port)", within: 10) {
            (try? AdminHTTP(port: port, token: nil).get("/ready"))?.status == 200
        }
    }

    /// Requests the origin served, the readiness check included.
    var served: Int {
        let text = (try? String(contentsOfFile: directory + "/access.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").count
    }

    /// Requests for `path` the origin served.
    func served(_ path: String) -> Int {
        let text = (try? String(contentsOfFile: directory + "/access.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.contains("\"GET \(path) HTTP") }.count
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
