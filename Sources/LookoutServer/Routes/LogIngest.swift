import Foundation
import LookoutModel
import LookoutStorage
import Synchronization

/// What every log push path shares once its body is decoded: the tenant of its token, the
/// per-tenant ingestion rate (a token bucket of line bytes, `limits.ingestion_rate_mb` and
/// `ingestion_burst_mb`), and the durable append to the log store with its refusals.
final class LogIngest: Sendable {
    private let rateBytes: Double
    private let burstBytes: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Tenants with a bucket at most; the idlest are forgotten past it.
    static let maxTenants = 10_000

    struct Bucket {
        var tokens: Double
        var updated: Double
    }

    /// Why a push was not stored, with the status and `Retry-After` it is answered with.
    enum Refusal: Error {
        /// Over the tenant's rate: retry after this many seconds.
        case rateLimited(tenant: String, bytes: Int, limit: Int, retryAfter: Int)
        case busy(String)
        case starting
        case failed(String)

        var message: String {
            switch self {
            case .rateLimited(let tenant, let bytes, let limit, _):
                "ingestion rate limit exceeded for tenant \(tenant) (limit: \(limit) bytes/sec) while attempting to ingest \(bytes) bytes; "
                    + "reduce log volume or raise limits.ingestion_rate_mb"
            case .busy(let why): why
            case .starting: "Lookout is starting: the WAL is still being replayed"
            case .failed(let why): "storing the lines failed: \(why)"
            }
        }
    }

    init(config: LogsConfig) {
        rateBytes = config.ingestionRateBytes
        burstBytes = config.ingestionBurstBytes
    }

    /// Takes `bytes` from `tenant`'s bucket; the seconds until they would fit when they do not.
    func admit(tenant: String, bytes: Int) -> Int? {
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        return buckets.withLock { buckets in
            var b = buckets[tenant] ?? Bucket(tokens: burstBytes, updated: now)
            b.tokens = min(burstBytes, b.tokens + (now - b.updated) * rateBytes)
            b.updated = now
            let need = Double(bytes)
            if need <= b.tokens || (b.tokens >= burstBytes && need > burstBytes) {
                // A push larger than the burst is let through on a full bucket, leaving it in debt.
                b.tokens -= need
                buckets[tenant] = b
                return nil
            }
            buckets[tenant] = b
            if buckets.count > Self.maxTenants {
                let idlest = buckets.min { $0.value.updated < $1.value.updated }!.key
                buckets[idlest] = nil
            }
            return max(1, Int(((need - b.tokens) / rateBytes).rounded(.up)))
        }
    }

    /// Stores `records` pushed for `tenant` (nil: no tenant) once the rate admits them.
    func store(_ records: [LogRecord], tenant: String?, runtime: LookoutRuntime) async -> Result<LogStore.AppendResult, Refusal> {
        guard let store = runtime.logStore else { return .failure(.starting) }
        guard !records.isEmpty else { return .success(LogStore.AppendResult()) }
        let bytes = records.reduce(0) { $0 + $1.line.utf8.count }
        if let wait = admit(tenant: tenant ?? "anonymous", bytes: bytes) {
            store.countRefused("rate_limited", records.count)
            return .failure(.rateLimited(tenant: tenant ?? "anonymous", bytes: bytes, limit: Int(rateBytes), retryAfter: wait))
        }
        do {
            return .success(try await store.append(records))
        } catch let error as StorageError where error.code == .busy {
            return .failure(.busy(error.message))
        } catch {
            runtime.logger.error("storing log lines failed", metadata: ["error": "\(error)"])
            return .failure(.failed("\(error)"))
        }
    }

    /// The tenant of the push's bearer token, if it names one.
    static func tenant(_ request: PushRequest, tokens: [AuthToken]) -> String? {
        AuthMiddleware.token(request.headers[.authorization], in: tokens)?.tenant
    }
}
