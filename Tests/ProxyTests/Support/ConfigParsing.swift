import ManagerCore

extension GatewayConfig {
    /// One YAML document read as a manifest is; `file` names it in errors.
    static func parse(yaml: String, file: String) throws -> GatewayConfig {
        try ManifestLoader.local.parse([(file, yaml)]).config
    }
}
