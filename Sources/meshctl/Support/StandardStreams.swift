import Foundation

/// Writes a line to stderr without buffering, for progress and warnings.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Prints a line to stdout and flushes it at once, for progress a pipe reader waits for.
func printNow(_ line: String) {
    print(line)
    fflush(nil)
}
