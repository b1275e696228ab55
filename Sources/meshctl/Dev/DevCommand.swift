import ArgumentParser

struct DevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "A local mesh on loopback for development, and tools to watch one.",
        subcommands: [DevUpCommand.self, DevWaitCommand.self]
    )
}
