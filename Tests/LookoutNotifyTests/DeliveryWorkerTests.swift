import Foundation
import Logging
import LookoutModel
import Synchronization
import Testing
@testable import LookoutNotify

/// A receiver that answers from a script and records what it was sent.
final class ScriptedTransport: NotificationTransport {
    let answers: Mutex<[TransportResult]>
    let requests = Mutex<[(url: String, headers: [String: String], body: [UInt8])]>([])

    init(_ answers: [TransportResult]) { self.answers = Mutex(answers) }

    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Int64) async -> TransportResult {
        requests.withLock { $0.append((url, Dictionary(headers, uniquingKeysWith: { a, _ in a }), body)) }
        return answers.withLock { $0.isEmpty ? .answered(status: 200, retryAfter: nil, body: "") : $0.removeFirst() }
    }
}

@Suite struct DeliveryWorkerTests {
    static func setup(_ answers: [TransportResult]) throws -> (DeliveryWorker, ScriptedTransport, InMemoryNotificationStore, Dispatcher) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".write(toFile: dir + "/secret", atomically: true, encoding: .utf8)
        let config = try AlertingConfigTests.parse("""
        route: {receiver: hook, group_wait: 0s}
        receivers: [{name: hook, webhook_configs: [{url: 'http://127.0.0.1:9/hook', hmac_secret_file: secret}]}]
        """, baseDirectory: dir)
        let store = InMemoryNotificationStore()
        let dispatcher = try Dispatcher(config: config, storage: store, externalURL: "", logger: Logger(label: "t"))
        let transport = ScriptedTransport(answers)
        // Full jitter with the maximum drawn, so delays are known.
        let worker = DeliveryWorker(dispatcher: dispatcher, transport: transport, logger: Logger(label: "t"), jitter: { $0 })
        dispatcher.receive([NotifierAlert(labels: ["alertname": "Down"], annotations: [:], startsAt: 0, endsAt: 600_000,
                                          updatedAt: 0, generatorURL: "")], now: 0)
        dispatcher.tick(now: 0)
        return (worker, transport, store, dispatcher)
    }

    @Test func retriesServerErrorsWithBackoffKeepingTheID() async throws {
        let (worker, transport, store, _) = try Self.setup([.answered(status: 500, retryAfter: nil, body: "oops"),
                                                            .failed("connection refused")])
        #expect(await worker.deliverDue(now: 0) == 0)
        #expect(store.outbox.first?.attempts == 1 && store.outbox.first?.nextAttemptAt == 1000)
        #expect(await worker.deliverDue(now: 999) == 0)
        #expect(transport.requests.withLock { $0.count } == 1)
        #expect(await worker.deliverDue(now: 1000) == 0)
        #expect(store.outbox.first?.nextAttemptAt == 3000)
        #expect(await worker.deliverDue(now: 3000) == 1)
        #expect(store.outbox.isEmpty)
        let ids = transport.requests.withLock { $0.map { $0.headers["webhook-id"]! } }
        #expect(ids.count == 3 && Set(ids).count == 1)
        // Each attempt is signed over its own timestamp.
        let last = transport.requests.withLock { $0.last! }
        let key = WebhookSigner.key(from: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(last.headers["webhook-signature"] == WebhookSigner.signature(key: key, id: ids[0], timestamp: 3, body: last.body))
        #expect(worker.dispatcher.metrics.deliveredTotal == 1)
    }

    @Test func honoursRetryAfterAndDoesNotRetryOther4xx() async throws {
        let (worker, _, store, _) = try Self.setup([.answered(status: 429, retryAfter: 7000, body: "")])
        await worker.deliverDue(now: 0)
        #expect(store.outbox.first?.nextAttemptAt == 7000)

        let (refusing, transport, refusedStore, _) = try Self.setup([.answered(status: 400, retryAfter: nil, body: "bad payload")])
        await refusing.deliverDue(now: 0)
        #expect(refusedStore.outbox.isEmpty)
        await refusing.deliverDue(now: 100_000)
        #expect(transport.requests.withLock { $0.count } == 1)
    }

    @Test func circuitBreakerOpensAfterRepeatedFailures() async throws {
        let (worker, transport, store, _) = try Self.setup(Array(repeating: .failed("down"), count: 10))
        var now: Int64 = 0
        for _ in 0..<5 {
            await worker.deliverDue(now: now)
            now = store.outbox.first!.nextAttemptAt
        }
        #expect(transport.requests.withLock { $0.count } == 5)
        // Open: the next due attempt is pushed past the cooldown without a request.
        await worker.deliverDue(now: now)
        #expect(transport.requests.withLock { $0.count } == 5)
        #expect(store.outbox.first!.nextAttemptAt >= now + 1)
        #expect(worker.openCircuits(now: now) == 1)
        #expect(worker.openCircuits(now: now + 31_000) == 0)
    }

    @Test func unknownReceiverAfterReloadIsDropped() async throws {
        let (worker, transport, store, dispatcher) = try Self.setup([])
        dispatcher.update(config: try AlertingConfigTests.parse("""
        route: {receiver: other}
        receivers: [{name: other, webhook_configs: [{url: 'http://127.0.0.1:9/x'}]}]
        """), now: 0)
        await worker.deliverDue(now: 0)
        #expect(store.outbox.isEmpty && transport.requests.withLock { $0.isEmpty })
    }
}
