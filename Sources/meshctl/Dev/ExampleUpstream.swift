import Foundation

/// The dev mesh's example backend: nginx on loopback answering every path with a small JSON
/// document, and the gateway config that routes everything to it (cached for 30 s).
struct ExampleUpstream {
    let port: Int
    let folder: String

    var configPath: String { "\(folder)/nginx.conf" }
    var manifestPath: String { "\(folder)/gateway.yaml" }
    var url: String { "http://127.0.0.1:\(port)" }

    static func nginxPath() -> String? {
        ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Writes nginx's config and the gateway manifest into `folder`.
    func prepare() throws {
        try FileManager.default.createDirectory(atPath: "\(folder)/logs", withIntermediateDirectories: true)
        let nginx = """
            worker_processes 1;
            pid \(folder)/nginx.pid;
            error_log \(folder)/logs/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path \(folder)/tmp;
                proxy_temp_path \(folder)/tmp;
                fastcgi_temp_path \(folder)/tmp;
                uwsgi_temp_path \(folder)/tmp;
                scgi_temp_path \(folder)/tmp;
                server {
                    listen 127.0.0.1:\(port);
                    default_type application/json;
                    location / { return 200 '{"upstream": "example", "path": "$uri"}\\n'; }
                }
            }

            """
        let manifest = """
            environment: dev
            upstreams:
              - id: example
                targets:
                  - url: \(url)
            routes:
              - id: all
                match: { path_prefix: / }
                upstream: example
                cache: { ttl: 30s }

            """
        try nginx.write(toFile: configPath, atomically: true, encoding: .utf8)
        try manifest.write(toFile: manifestPath, atomically: true, encoding: .utf8)
    }

    /// nginx in the foreground, as a child of meshctl.
    func arguments() -> [String] {
        ["-p", folder, "-c", configPath, "-g", "daemon off;"]
    }
}
