#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import Metrics

/// Where access log lines wait for the disk: event loops write whole lines into a bounded
/// block under a short lock and never touch the file; one thread of its own takes the
/// block as it is (swapping in an empty one) and writes it with as few `write` calls as it
/// can. A line that does not fit in the block is dropped and counted, so memory stays at
/// two blocks whatever the disk does, and no request waits for it.
final class AccessLogWriter: @unchecked Sendable {
    private enum Phase { case running, stopping, stopped }

    /// Lines, whole, in a fixed block of memory.
    private final class Block {
        let bytes: UnsafeMutableRawBufferPointer
        var used = 0

        init(capacity: Int) {
            bytes = .allocate(byteCount: capacity, alignment: 8)
        }

        deinit { bytes.deallocate() }
    }

    /// Guards everything below but the file, which only the writer's thread touches after `init`.
    private let condition = NSCondition()
    private var pending: Block
    private var timestamp = LogTimestamp()
    private var reopenRequested = false
    private var phase = Phase.running

    private var writing: Block
    private var descriptor: Int32
    /// The write error lines are being dropped for, logged once until writing works again.
    private var failing: Int32?

    private let destination: AccessLogDestination
    private let format: AccessLogFormat
    /// Pending bytes that wake the writer before its flush interval is up.
    private let wakeBytes: Int
    private let dropped: Counter
    private let logger: Logger

    /// How long lines may wait before they are written when few arrive.
    static let flushInterval: TimeInterval = 0.05

    struct OpenFailed: Error, CustomStringConvertible {
        let path: String
        let code: Int32
        var description: String { "cannot open access log \(path): \(String(cString: strerror(code)))" }
    }

    init(destination: AccessLogDestination, format: AccessLogFormat, bufferBytes: Int, dropped: Counter, logger: Logger) throws {
        switch destination {
        case .off, .standardOutput: descriptor = STDOUT_FILENO
        case .file(let path): descriptor = try Self.openFile(path)
        }
        // A write to a pipe whose reader left fails with EPIPE (lines dropped, counted)
        // instead of ending the process.
        signal(SIGPIPE, SIG_IGN)
        self.destination = destination
        self.format = format
        self.dropped = dropped
        self.logger = logger
        wakeBytes = bufferBytes / 4
        pending = Block(capacity: bufferBytes)
        writing = Block(capacity: bufferBytes)
        let thread = Thread { [self] in run() }
        thread.name = "access-log"
        thread.start()
    }

    /// Adds the line of `entry`, or drops it when the block has no room for it.
    func append(_ entry: AccessLogEntry) {
        condition.lock()
        guard case .running = phase else {
            condition.unlock()
            dropped.increment()
            return
        }
        timestamp.update()
        let block = pending
        let before = block.used
        var line = LineWriter(UnsafeMutableRawBufferPointer(rebasing: block.bytes[before...]))
        switch format {
        case .json: AccessLogLine.json(entry, time: timestamp, into: &line)
        case .combined: AccessLogLine.combined(entry, time: timestamp, into: &line)
        }
        if line.overflowed {
            condition.unlock()
            dropped.increment()
            return
        }
        block.used = before + line.count
        let wake = before == 0 || (before < wakeBytes && block.used >= wakeBytes)
        condition.unlock()
        if wake { condition.signal() }
    }

    /// The file is opened again by its path once the lines waiting now are written to the
    /// one open: after a rotation renamed it, new lines go to a new file and none is split.
    func reopen() {
        condition.lock()
        reopenRequested = true
        condition.unlock()
        condition.signal()
    }

    /// Writes what is waiting and stops; returns when that is done, or after `timeout` when
    /// the destination does not take the lines (a pipe nobody reads).
    func finish(timeout: Duration) async {
        stop()
        let deadline = ContinuousClock.now + timeout
        while !isStopped && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func stop() {
        condition.lock()
        if case .running = phase { phase = .stopping }
        condition.unlock()
        condition.signal()
    }

    private var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return phase == .stopped
    }

    // MARK: the writer's thread

    private func run() {
        condition.lock()
        while true {
            while pending.used == 0 && !reopenRequested && phase == .running { condition.wait() }
            // A few lines wait a moment for more, so a batch is one write, not one per line.
            let deadline = Date(timeIntervalSinceNow: Self.flushInterval)
            while pending.used < wakeBytes && !reopenRequested && phase == .running, condition.wait(until: deadline) {}
            swap(&pending, &writing)
            let reopening = reopenRequested
            reopenRequested = false
            let stopping = phase == .stopping
            condition.unlock()
            writeOut(writing)
            writing.used = 0
            if reopening { reopenFile() }
            condition.lock()
            if stopping && pending.used == 0 {
                phase = .stopped
                condition.unlock()
                if case .file = destination { close(descriptor) }
                return
            }
        }
    }

    /// Writes a block; what a write error leaves unwritten is counted as dropped lines.
    private func writeOut(_ block: Block) {
        var offset = 0
        while offset < block.used {
            let written = write(descriptor, block.bytes.baseAddress! + offset, block.used - offset)
            if written > 0 {
                offset += written
                continue
            }
            let code = written < 0 ? errno : EIO
            if code == EINTR { continue }
            let lost = UnsafeRawBufferPointer(rebasing: block.bytes[offset..<block.used]).count { $0 == UInt8(ascii: "\n") }
            dropped.increment(by: Int64(lost))
            if failing != code {
                failing = code
                logger.error("access log lines dropped: cannot write", metadata: [
                    "access_log": "\(destination.name)", "error": "\(String(cString: strerror(code)))",
                ])
            }
            return
        }
        if failing != nil && block.used > 0 {
            failing = nil
            logger.notice("access log written again", metadata: ["access_log": "\(destination.name)"])
        }
    }

    private func reopenFile() {
        guard case .file(let path) = destination else { return }
        do {
            let next = try Self.openFile(path)
            close(descriptor)
            descriptor = next
            logger.info("access log reopened", metadata: ["access_log": "\(path)"])
        } catch {
            logger.error("access log not reopened, lines go to the file open before", metadata: ["error": "\(error)"])
        }
    }

    private static func openFile(_ path: String) throws(OpenFailed) -> Int32 {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OpenFailed(path: path, code: errno) }
        return fd
    }
}
