// Placeholder until this target's first real file lands; delete it then.
@main struct Meshd { static func main() {} }
