import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// How a notification leaves: one HTTP POST. `HTTPTransport` sends it; tests script answers.
public protocol NotificationTransport: Sendable {
    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Int64) async -> TransportResult
}

/// A receiver's answer, or why there was none.
public enum TransportResult: Sendable, Equatable {
    /// The HTTP status, `Retry-After` in ms if given, and the start of the body (for logs).
    case answered(status: Int, retryAfter: Int64?, body: String)
    /// No answer: connection refused, timeout, TLS failure.
    case failed(String)
}

/// Sends over AsyncHTTPClient, reading at most 4 KiB of the answer.
public struct HTTPTransport: NotificationTransport {
    let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Int64) async -> TransportResult {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(timeout))
            var collected = try await response.body.collect(upTo: 1 << 20)
            let text = collected.readString(length: min(collected.readableBytes, 4096)) ?? ""
            return .answered(status: Int(response.status.code), retryAfter: Self.retryAfter(response.headers.first(name: "Retry-After")),
                             body: text)
        } catch {
            return .failed("\(error)")
        }
    }

    /// `Retry-After` as seconds or an HTTP date, in ms from now.
    static func retryAfter(_ value: String?) -> Int64? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int64(value) { return max(0, seconds) * 1000 }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, Int64(date.timeIntervalSinceNow * 1000))
    }
}
