import Foundation

/// Writes a line to stderr without buffering, for progress and warnings.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
