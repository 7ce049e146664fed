import Foundation
import Hummingbird
import LookoutFormats
import LookoutModel
import LookoutNotify

/// Alertmanager's API v2 subset on Lookout's listener, in the shapes of `api/v2/openapi.yaml`, so
/// `amtool --alertmanager.url=<lookout>` and Grafana's Alertmanager data source work: status,
/// alerts (read, and pushed as Prometheus pushes them), alert groups and silences.
struct AlertmanagerRoutes {
    let runtime: LookoutRuntime
    static let started = WallClock.nowMilliseconds()

    var endpoints: [APIEndpoint] {
        [
            APIEndpoint(methods: [.get], path: "/api/v2/status", role: .query, handler: .plain { status() }),
            APIEndpoint(methods: [.get], path: "/api/v2/alerts", role: .query, handler: .api { call throws(APIError) in
                try alerts(call.params)
            }),
            APIEndpoint(methods: [.post], path: "/api/v2/alerts", role: .ingest,
                        handler: .push(handle: { postAlerts($0) }, refused: { Self.refused($0) })),
            APIEndpoint(methods: [.get], path: "/api/v2/alerts/groups", role: .query, handler: .api { call throws(APIError) in
                try groups(call.params)
            }),
            APIEndpoint(methods: [.get], path: "/api/v2/silences", role: .query, handler: .api { call throws(APIError) in
                try silences(call.params)
            }),
            // Silencing is what on-call does with a query token, as with the terminal UI.
            APIEndpoint(methods: [.post], path: "/api/v2/silences", role: .query,
                        handler: .push(handle: { postSilence($0) }, refused: { Self.refused($0) })),
            APIEndpoint(methods: [.get], path: "/api/v2/silence/{name}", role: .query, handler: .api { call throws(APIError) in
                try silence(call.pathParameter, delete: false)
            }),
            APIEndpoint(methods: [.delete], path: "/api/v2/silence/{name}", role: .query, handler: .api { call throws(APIError) in
                try silence(call.pathParameter, delete: true)
            }),
        ]
    }

    static func json(_ status: HTTPResponse.Status = .ok, _ body: (inout JSONWriter) -> Void) -> APIReply {
        var writer = JSONWriter()
        body(&writer)
        return .json(writer, status: status)
    }

    /// Alertmanager answers errors as a JSON string.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> APIReply {
        json(status) { $0.string(message) }
    }

    static func refused(_ refusal: PushRequest.Refusal) -> APIReply {
        switch refusal {
        case .tooLarge(let limit): return error(.contentTooLarge, "request body exceeds \(limit) bytes")
        case .busy: return APIReply(status: .serviceUnavailable, headers: [.contentType: "application/json", .retryAfter: "1"],
                                    body: ByteBuffer(string: "\"busy, retry later\""))
        case .malformedGzip(let m), .unreadable(let m): return error(.badRequest, m)
        case .unsupportedEncoding(let e): return error(.unsupportedMediaType, "unsupported Content-Encoding \(e)")
        }
    }

    func dispatcher() throws(APIError) -> Dispatcher {
        guard let dispatcher = runtime.dispatcher else { throw .unavailable("Lookout is starting: the notifier is not running yet") }
        return dispatcher
    }

    func status() -> APIReply {
        Self.json { w in
            w.object { w in
                w.key("cluster"); w.object { w in
                    w.field("name", "lookout")
                    w.key("peers"); w.array { _ in }
                    w.field("status", "disabled")
                }
                w.key("config"); w.object { w in w.field("original", runtime.config.file.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "") }
                w.field("uptime", RFC3339.format(Self.started))
                w.key("versionInfo"); w.object { w in
                    w.field("branch", "main"); w.field("buildDate", ""); w.field("buildUser", "")
                    w.field("goVersion", "none (Lookout is written in Swift)"); w.field("revision", ""); w.field("version", BuildInfo.version)
                }
            }
        }
    }

    /// `filter=` matchers; a bad one is a 400 naming it.
    static func filters(_ params: APIParameters) throws(APIError) -> [LabelMatcher] {
        var matchers: [LabelMatcher] = []
        for text in params.all("filter") {
            do { matchers += try MatcherParser.parseList(text) } catch { throw .badData("bad matcher in filter: \(error)") }
        }
        return matchers
    }

    static func flag(_ params: APIParameters, _ name: String) -> Bool {
        params[name].map { $0 != "false" } ?? true
    }

    func alerts(_ params: APIParameters) throws(APIError) -> APIReply {
        let views = try selected(params, from: try dispatcher().alerts(now: WallClock.nowMilliseconds()))
        return Self.json { w in w.array { w in for view in views { Self.alert(&w, view) } } }
    }

    func selected(_ params: APIParameters, from views: [Dispatcher.AlertView]) throws(APIError) -> [Dispatcher.AlertView] {
        let matchers = try Self.filters(params)
        let active = Self.flag(params, "active"), silenced = Self.flag(params, "silenced"), inhibited = Self.flag(params, "inhibited")
        let receiver = params["receiver"].flatMap { try? AnchoredRegex($0) }
        return views.filter { view in
            guard !view.resolved, matchers.matches(view.alert.labels) else { return false }
            if !view.status.silencedBy.isEmpty && !silenced { return false }
            if !view.status.inhibitedBy.isEmpty && !inhibited { return false }
            if !view.status.suppressed && !active { return false }
            if let receiver, !view.receivers.contains(where: { receiver.matches($0) }) { return false }
            return true
        }
    }

    static func alert(_ w: inout JSONWriter, _ view: Dispatcher.AlertView) {
        w.object { w in
            w.key("labels"); w.labels(view.alert.labels)
            w.key("annotations"); w.labels(view.alert.annotations)
            w.field("startsAt", RFC3339.format(view.alert.startsAt))
            w.field("endsAt", RFC3339.format(view.alert.endsAt))
            w.field("updatedAt", RFC3339.format(view.alert.updatedAt))
            w.field("generatorURL", view.alert.generatorURL)
            w.field("fingerprint", Fingerprint.hex(view.alert.fingerprint))
            w.key("receivers"); w.array { w in for r in view.receivers { w.object { w in w.field("name", r) } } }
            w.key("status"); w.object { w in
                w.field("state", view.status.suppressed ? "suppressed" : "active")
                w.key("silencedBy"); w.array { w in for s in view.status.silencedBy { w.string(s) } }
                w.key("inhibitedBy"); w.array { w in for s in view.status.inhibitedBy { w.string(s) } }
                w.key("mutedBy"); w.array { _ in }
            }
        }
    }

    func groups(_ params: APIParameters) throws(APIError) -> APIReply {
        let groups = try dispatcher().groups(now: WallClock.nowMilliseconds())
        var out: [(String, Labels, [Dispatcher.AlertView])] = []
        for group in groups {
            let kept = try selected(params, from: group.alerts)
            if !kept.isEmpty { out.append((group.receiver, group.labels, kept)) }
        }
        return Self.json { w in
            w.array { w in
                for (receiver, labels, views) in out {
                    w.object { w in
                        w.key("labels"); w.labels(labels)
                        w.key("receiver"); w.object { w in w.field("name", receiver) }
                        w.key("alerts"); w.array { w in for view in views { Self.alert(&w, view) } }
                    }
                }
            }
        }
    }

    /// `POST /api/v2/alerts`: Prometheus's (and any Alertmanager client's) `postableAlerts`.
    func postAlerts(_ request: PushRequest) -> APIReply {
        guard let dispatcher = runtime.dispatcher else { return Self.error(.serviceUnavailable, "the notifier is not running yet") }
        guard let items = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [[String: Any]] else {
            return Self.error(.badRequest, "body must be a JSON array of alerts")
        }
        let now = WallClock.nowMilliseconds()
        var alerts: [NotifierAlert] = []
        for (index, item) in items.enumerated() {
            guard let labels = item["labels"] as? [String: String], !labels.isEmpty else {
                return Self.error(.badRequest, "alert \(index): labels must be a non-empty map of strings")
            }
            for name in labels.keys where !LabelName.isValid(name) {
                return Self.error(.badRequest, "alert \(index): invalid label name \"\(name)\"")
            }
            let annotations = item["annotations"] as? [String: String] ?? [:]
            let startsAt = (item["startsAt"] as? String).flatMap(RFC3339.parse) ?? now
            var endsAt = (item["endsAt"] as? String).flatMap(RFC3339.parse) ?? 0
            // Alertmanager's resolve_timeout (5m) for alerts sent without an end.
            if endsAt <= 0 || endsAt < startsAt { endsAt = now + 300_000 }
            alerts.append(NotifierAlert(labels: Labels(labels), annotations: Labels(annotations), startsAt: startsAt, endsAt: endsAt,
                                        updatedAt: now, generatorURL: item["generatorURL"] as? String ?? ""))
        }
        dispatcher.receive(alerts, now: now)
        return Self.json { w in w.object { _ in } }
    }

    func silences(_ params: APIParameters) throws(APIError) -> APIReply {
        let matchers = try Self.filters(params)
        let now = WallClock.nowMilliseconds()
        let kept = try dispatcher().silences.filter { silence in
            let byName = Dictionary(silence.matchers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            return matchers.allSatisfy { m in byName[m.name].map { m.matches($0) } ?? false }
        }
        // Active first, then pending, then expired, as Alertmanager sorts them.
        let order: [SilenceRecord.State: Int] = [.active: 0, .pending: 1, .expired: 2]
        let sorted = kept.sorted { (order[$0.state(at: now)]!, $0.endsAt) < (order[$1.state(at: now)]!, $1.endsAt) }
        return Self.json { w in w.array { w in for s in sorted { Self.silence(&w, s, now: now) } } }
    }

    static func silence(_ w: inout JSONWriter, _ s: SilenceRecord, now: Int64) {
        w.object { w in
            w.field("id", s.id)
            w.key("status"); w.object { w in w.field("state", s.state(at: now).rawValue) }
            w.field("updatedAt", RFC3339.format(s.updatedAt))
            w.key("matchers"); w.array { w in
                for m in s.matchers {
                    w.object { w in w.field("name", m.name); w.field("value", m.value); w.field("isRegex", m.isRegex); w.field("isEqual", m.isEqual) }
                }
            }
            w.field("startsAt", RFC3339.format(s.startsAt))
            w.field("endsAt", RFC3339.format(s.endsAt))
            w.field("createdBy", s.createdBy)
            w.field("comment", s.comment)
        }
    }

    /// `POST /api/v2/silences`: a new silence, or an edit of the one named by `id`.
    func postSilence(_ request: PushRequest) -> APIReply {
        guard let dispatcher = runtime.dispatcher else { return Self.error(.serviceUnavailable, "the notifier is not running yet") }
        guard let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
            return Self.error(.badRequest, "body must be a JSON silence")
        }
        let now = WallClock.nowMilliseconds()
        guard let rawMatchers = body["matchers"] as? [[String: Any]], !rawMatchers.isEmpty else {
            return Self.error(.badRequest, "silence invalid: at least one matcher required")
        }
        var matchers: [SilenceRecord.Matcher] = []
        for m in rawMatchers {
            guard let name = m["name"] as? String, LabelName.isValid(name), let value = m["value"] as? String else {
                return Self.error(.badRequest, "silence invalid: each matcher needs a valid name and a value")
            }
            let matcher = SilenceRecord.Matcher(name: name, value: value, isRegex: m["isRegex"] as? Bool ?? false, isEqual: m["isEqual"] as? Bool ?? true)
            if matcher.isRegex, (try? AnchoredRegex(value)) == nil {
                return Self.error(.badRequest, "silence invalid: invalid regular expression \"\(value)\" for \(name)")
            }
            matchers.append(matcher)
        }
        if matchers.allSatisfy({ (try? LabelMatcher($0.name, $0.isRegex ? ($0.isEqual ? .regexMatch : .regexNoMatch) : ($0.isEqual ? .equal : .notEqual), $0.value))?.matchesEmpty ?? true }) {
            return Self.error(.badRequest, "silence invalid: at least one matcher must not match the empty string")
        }
        guard let starts = (body["startsAt"] as? String).flatMap(RFC3339.parse), let ends = (body["endsAt"] as? String).flatMap(RFC3339.parse) else {
            return Self.error(.badRequest, "silence invalid: startsAt and endsAt must be RFC 3339 times")
        }
        guard ends > starts else { return Self.error(.badRequest, "silence invalid: end time must not be before start time") }
        guard ends > now else { return Self.error(.badRequest, "silence invalid: end time can't be in the past") }
        var id = (body["id"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString.lowercased()
        if let existing = dispatcher.silences.first(where: { $0.id == id }), existing.state(at: now) == .expired {
            id = UUID().uuidString.lowercased() // an expired silence is not edited; a new one is made, as Alertmanager does
        }
        let record = SilenceRecord(id: id, matchers: matchers, startsAt: max(starts, min(now, starts)), endsAt: ends, updatedAt: now,
                                   createdBy: body["createdBy"] as? String ?? "", comment: body["comment"] as? String ?? "")
        do {
            try dispatcher.save(silence: record)
        } catch {
            return Self.error(.internalServerError, "cannot store the silence: \(error)")
        }
        runtime.logger.info("silence saved", metadata: ["silence.id": "\(id)", "created_by": "\(record.createdBy)"])
        return Self.json { w in w.object { w in w.field("silenceID", id) } }
    }

    func silence(_ id: String, delete: Bool) throws(APIError) -> APIReply {
        let dispatcher = try dispatcher()
        let now = WallClock.nowMilliseconds()
        guard let silence = dispatcher.silences.first(where: { $0.id == id }) else {
            return Self.error(.notFound, "silence \(id) not found")
        }
        guard delete else { return Self.json { Self.silence(&$0, silence, now: now) } }
        do {
            _ = try dispatcher.expire(silence: id, now: now)
        } catch {
            throw .internalError("cannot expire the silence: \(error)")
        }
        return Self.json { _ in }
    }
}
