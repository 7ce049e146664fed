/// The JSON envelope of Prometheus's HTTP API: `{"status":"success","data":…}` and
/// `{"status":"error","errorType":…,"error":…}`. Shared by the server and anything else that
/// answers in Prometheus's shape (the notifier's and the terminal UI's stubs, tests).
public enum PrometheusEnvelope {
    /// A success whose `data` `body` writes.
    public static func success(capacity: Int = 1024, _ body: (inout JSONWriter) -> Void) -> JSONWriter {
        var writer = JSONWriter(capacity: capacity)
        writer.object { writer in
            writer.field("status", "success")
            writer.key("data")
            body(&writer)
        }
        return writer
    }

    /// An error with Prometheus's `errorType` (`bad_data`, `execution`, `timeout`, …).
    public static func error(type: String, message: String) -> JSONWriter {
        var writer = JSONWriter()
        writer.object { writer in
            writer.field("status", "error")
            writer.field("errorType", type)
            writer.field("error", message)
        }
        return writer
    }
}
