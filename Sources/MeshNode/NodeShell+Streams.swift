import Gossip
import NIOCore

/// The TCP side of the gossip port: one typed request (`StreamRequest`) and one reply per
/// stream, both sealed like datagrams.
extension NodeShell {
    func pushPull(_ bytes: [UInt8], with address: NodeAddress) {
        figures.pushPulls += 1
        metrics.pushPulls.increment()
        logger.debug("push-pull", metadata: ["with": "\(address)"])
        exchange(.pushPull(bytes), with: address).whenComplete { [self] result in
            switch result {
            case .success(let plain):
                deliverToCore(source: address.host) { node, now in node.receive(streamReply: plain, from: address, now: now) }
            case .failure(let error):
                logger.debug("push-pull failed", metadata: ["with": "\(address)", "error": "\(error)"])
            }
        }
    }

    /// Sends one request on a new stream and opens the reply; completes on the node's loop.
    func exchange(_ request: StreamRequest, with address: NodeAddress) -> EventLoopFuture<[UInt8]> {
        guard let transport, let socket = socketAddress(address) else {
            return loop.makeFailedFuture(StreamUnavailable(address: address))
        }
        let sealed = seal(request.bytes, channel: .stream)
        figures.messagesOut += 1
        figures.bytesOut += Int64(sealed.count)
        metrics.messagesOut.increment()
        metrics.bytesOut.increment(by: Int64(sealed.count))
        return transport.exchange(sealed, with: socket).hop(to: loop).flatMapThrowing { [self] reply in
            guard let plain = open(reply, channel: .stream, from: address.host) else { throw StreamUnavailable(address: address) }
            return plain
        }
    }

    /// `exchange`, bounded in time: nil when the request fails or `timeout` passes first.
    func exchange(_ request: StreamRequest, with address: NodeAddress, within timeout: TimeAmount) -> EventLoopFuture<[UInt8]?> {
        let promise = loop.makePromise(of: [UInt8]?.self)
        let settled = NIOLoopBoundBox(false, eventLoop: loop)
        let timer = loop.scheduleTask(in: timeout) {
            guard !settled.value else { return }
            settled.value = true
            promise.succeed(nil)
        }
        exchange(request, with: address).whenComplete { [self] result in
            timer.cancel()
            guard !settled.value else { return }
            settled.value = true
            if case .failure(let error) = result {
                logger.debug("stream request unanswered", metadata: ["with": "\(address)", "error": "\(error)"])
            }
            promise.succeed(try? result.get())
        }
        return promise.futureResult
    }

    /// Opens a request frame and answers it; nil closes the stream unanswered. Event loop only.
    func received(stream frame: [UInt8], from: SocketAddress) -> EventLoopFuture<StreamAnswer?> {
        loop.preconditionInEventLoop()
        guard let address = Self.nodeAddress(from),
              let plain = open(frame, channel: .stream, from: address.host) else { return loop.makeSucceededFuture(nil) }
        guard let request = StreamRequest(plain) else {
            badPackets.record(source: address.host, reason: "unknown stream request", logger: logger)
            figures.decodeErrors += 1
            metrics.decodeErrors.increment()
            return loop.makeSucceededFuture(nil)
        }
        let reply: EventLoopFuture<[UInt8]?>
        switch request {
        case .pushPull(let body):
            figures.pushPulls += 1
            metrics.pushPulls.increment()
            var answer: [UInt8] = []
            deliverToCore(source: address.host) { node, now in
                let (bytes, outputs) = node.receive(stream: body, from: address, now: now)
                answer = bytes
                return outputs
            }
            reply = loop.makeSucceededFuture(answer.isEmpty ? nil : answer)
        case .fetchBundle(let environment, let minimumVersion, let have):
            reply = loop.makeSucceededFuture((bundleServer?(environment, minimumVersion, have) ?? .notHeld).bytes)
        case .bust, .bustSync, .cacheStats:
            guard let cacheServer else { return loop.makeSucceededFuture(nil) }
            reply = cacheServer.answer(request, address.host).map { Optional($0) }
        case .openSession(let opening):
            guard let server = peerSessionServer(for: opening) else { return loop.makeSucceededFuture(nil) }
            let acceptance = SessionAcceptance(askerToken: opening.token, answererToken: server.cipher.ownToken)
            return loop.makeSucceededFuture(.session(reply: sealedReply(acceptance.bytes), server))
        }
        return reply.map { [self] answer in answer.map { .reply(sealedReply($0)) } }
    }

    private func sealedReply(_ reply: [UInt8]) -> [UInt8] {
        let sealed = seal(reply, channel: .stream)
        figures.messagesOut += 1
        figures.bytesOut += Int64(sealed.count)
        metrics.messagesOut.increment()
        metrics.bytesOut.increment(by: Int64(sealed.count))
        return sealed
    }
}

/// Serves the cache's stream requests (`bust`, `bustSync`, `cacheStats`); set by the node's
/// `CacheBustAgent`. It runs on the node's event loop.
struct CacheStreamServer: Sendable {
    /// The reply's plaintext; the future completes on the node's loop.
    var answer: @Sendable (_ request: StreamRequest, _ source: String) -> EventLoopFuture<[UInt8]>
}

struct StreamUnavailable: Error, CustomStringConvertible {
    let address: NodeAddress
    var description: String { "no stream to \(address), or its reply did not open" }
}

extension NodeShell {
    /// A bundle fetch on a stream of its own, as the config agent makes one: the one-shot
    /// exchange that `bench/peer.sh` measures beside peer sessions.
    @_spi(Bench) public func exchangeBundleFetch(environment: String, with address: NodeAddress) -> EventLoopFuture<[UInt8]> {
        loop.flatSubmit { self.exchange(.fetchBundle(environment: environment, minimumVersion: 0, have: nil), with: address) }
    }
}
