import Foundation
import Hummingbird
import LookoutFormats
import LookoutModel

/// `/-/healthy`, `/-/ready` and `/metrics`: probes and Lookout's own metrics.
struct HealthRoutes {
    let runtime: LookoutRuntime

    var endpoints: [APIEndpoint] {
        [
            APIEndpoint(methods: [.get, .head], path: "/-/healthy", role: .open,
                        handler: .plain { Self.text("Lookout is Healthy.\n") }),
            APIEndpoint(methods: [.get, .head], path: "/-/ready", role: .open, handler: .plain {
                guard let store = runtime.store else {
                    return Self.text("Lookout is not ready: replaying the WAL.\n", status: .serviceUnavailable)
                }
                // Queries are still answered; a load balancer should send writes elsewhere.
                if let fault = store.writeFault {
                    return Self.text("Lookout is not ready: storage refuses writes: \(fault)\n", status: .serviceUnavailable)
                }
                return Self.text("Lookout is Ready.\n")
            }),
            APIEndpoint(methods: [.get], path: "/metrics", role: .open, handler: .plain {
                APIReply(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                         body: ByteBuffer(string: render()))
            }),
        ]
    }

    static func text(_ body: String, status: HTTPResponse.Status = .ok) -> APIReply {
        APIReply(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ByteBuffer(string: body))
    }

    /// Every family in the runtime's `SelfMetricsRegistry`, in Prometheus text format.
    func render() -> String {
        ExpositionWriter.render(families: runtime.selfMetrics.collect().map { family in
            (family.metadata, family.samples.map { ScrapedSample(labels: $0.labels, value: $0.value) })
        })
    }
}
