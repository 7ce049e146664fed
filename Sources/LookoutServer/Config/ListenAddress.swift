#if canImport(Glibc)
import Glibc
#endif

/// `HOST:PORT` as used by `server.listen` and scrape targets; IPv6 hosts in brackets.
public struct ListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(" ") else { return nil }
        self.host = host
        self.port = port
    }

    /// Whether the host is loopback (so running without auth is safe): an address literal in
    /// 127.0.0.0/8 or `::1` (as `inet_pton` reads it, so `127.0.0.08` is not one), or a hostname
    /// every address of which resolves to loopback (`localhost`). A name that does not resolve is
    /// not loopback.
    public var isLoopback: Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return Self.isLoopback(v6) }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let e = entry {
            switch e.pointee.ai_family {
            case AF_INET:
                let address = e.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                if UInt32(bigEndian: address.s_addr) >> 24 != 127 { return false }
            case AF_INET6:
                let address = e.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                if !Self.isLoopback(address) { return false }
            default:
                return false
            }
            entry = e.pointee.ai_next
        }
        return true
    }

    private static func isLoopback(_ address: in6_addr) -> Bool {
        withUnsafeBytes(of: address) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
    }
}
