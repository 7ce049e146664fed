import Foundation
import LookoutModel

/// Go's `math.Max`/`math.Min` semantics (NaN wins).
func goMax(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
func goMin(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) }

/// Neumaier-compensated summation step, as Prometheus's `kahanSumInc`.
func kahanSumInc(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
    let t = sum + inc
    var c = c
    if abs(sum) >= abs(inc) { c += (sum - t) + inc } else { c += (inc - t) + sum }
    return (t, c)
}

/// Prometheus's `quantile` over plain values (NaN sorts first).
func quantileOf(_ q: Double, _ input: [Double]) -> Double {
    if input.isEmpty || q.isNaN { return .nan }
    if q < 0 { return -.infinity }
    if q > 1 { return .infinity }
    let values = input.sorted { $0.isNaN ? !$1.isNaN : $0 < $1 }
    let n = Double(values.count)
    let rank = q * (n - 1)
    let lower = Swift.max(0, rank.rounded(.down))
    let upper = Swift.min(n - 1, lower + 1)
    let weight = rank - rank.rounded(.down)
    return values[Int(lower)] * (1 - weight) + values[Int(upper)] * weight
}

extension Evaluator {
    func scalarArg(_ expr: Expr, at t: Int64) throws(QueryError) -> Double {
        if case .scalar(let v) = try eval(expr, at: t) { return v }
        return .nan
    }

    func vectorArg(_ expr: Expr, at t: Int64) throws(QueryError) -> [VSample] {
        if case .vector(let v) = try eval(expr, at: t) { return v }
        return []
    }

    func stringArg(_ expr: Expr, at t: Int64) throws(QueryError) -> String {
        if case .string(let s) = try eval(expr, at: t) { return s }
        return ""
    }

    func evalCall(_ function: PromQLFunction, _ args: [Expr], at t: Int64) throws(QueryError) -> Value {
        switch function {
        case .time: return .scalar(Double(t) / 1000)
        case .pi: return .scalar(Double.pi)
        case .vector: return .vector([VSample(labels: .empty, time: t, value: try scalarArg(args[0], at: t), id: emptyID)])
        case .scalar:
            let v = try vectorArg(args[0], at: t)
            return .scalar(v.count == 1 ? v[0].value : .nan)
        case .absentOverTime, .range:
            guard let matrixIndex = args.firstIndex(where: \.isRangeVector) else {
                throw .execution("function \"\(function.name)\" needs a range vector")
            }
            var range: RangeFunction?
            if case .range(let f) = function { range = f }
            return .vector(try evalRangeFunction(range, args, matrixIndex: matrixIndex, at: t))
        case .instant(let vectorFunction):
            let out = try evalVectorFunction(vectorFunction, args, at: t)
            try checkDistinct(out)
            return .vector(out)
        }
    }

    // MARK: Range-vector functions

    /// A range function's output at `t`; `function` nil is `absent_over_time`.
    func evalRangeFunction(_ function: RangeFunction?, _ args: [Expr], matrixIndex: Int, at t: Int64) throws(QueryError) -> [VSample] {
        let arg = args[matrixIndex].unwrapped
        if let function, args.count == 1, case .matrixSelector(let vs, let range) = arg,
           let memoized = try memoizedRange(function, vs, range, at: t) {
            return memoized
        }
        var matrix: [RangeSeries]
        switch arg {
        case .matrixSelector(let vs, let range):
            try checkDeadline()
            matrix = try selectRange(vs, range: range, at: t)
        case .subquery(let sq):
            try checkDeadline()
            matrix = try evalSubqueryRange(sq, at: t)
        default:
            guard case .matrix(let m) = try eval(arg, at: t) else { return [] }
            matrix = m.map { RangeSeries(labels: $0.labels, samples: $0.samples[...]) }
        }
        let (range, offset, at): (Int64, Int64, AtModifier?)
        switch arg {
        case .matrixSelector(let vs, let r): (range, offset, at) = (r, vs.offset, vs.at)
        case .subquery(let sq): (range, offset, at) = (sq.range, sq.offset, sq.at)
        default: (range, offset, at) = (0, 0, nil)
        }
        var rangeEnd = referenceTime(at, offset: offset, t: t)
        var rangeStart = rangeEnd.minus(range)
        if at != nil, t != start, function == .predictLinear || args.indices.contains(where: { $0 != matrixIndex && !args[$0].isStepInvariant }) {
            // Prometheus 2.42 quirk: a call that is not step-invariant as a whole evaluates its
            // `@`-pinned range argument with an offset relative to the query start, so the window
            // slides by (t - start): over the data loaded for the pinned window for a selector,
            // over the subquery evaluated that much later for a subquery.
            let shift = t.minus(start)
            rangeEnd = rangeEnd.plus(shift)
            rangeStart = rangeEnd.minus(range)
            if case .subquery(var shifted) = arg, let pinned = shifted.at {
                shifted.at = .timestamp(pinned.resolve(start: start, end: end).plus(shift))
                matrix = try evalSubqueryRange(shifted, at: t)
            } else {
                matrix = matrix.compactMap { series in
                    var kept = series
                    kept.samples = series.samples.filter { $0.timestamp >= rangeStart }[...]
                    return kept.samples.isEmpty ? nil : kept
                }
            }
        }
        guard let function else { // absent_over_time
            if !matrix.isEmpty { return [] }
            return [absentSample(arg, at: t)]
        }
        var scalarParam = 0.0
        if function == .quantileOverTime || function == .predictLinear {
            scalarParam = try scalarArg(args[function == .quantileOverTime ? 0 : 1], at: t)
        }
        var out: [VSample] = []
        let keepName = function == .lastOverTime
        for series in matrix {
            try checkDeadline()
            let points = series.samples
            let value: Double?
            if function == .holtWinters {
                let sf = try scalarArg(args[1], at: t), tf = try scalarArg(args[2], at: t)
                // Prometheus rejects bad factors as soon as one series has samples.
                guard sf > 0, sf < 1 else {
                    throw .execution("invalid smoothing factor. Expected: 0 < sf < 1, got: \(String(format: "%f", sf))")
                }
                guard tf > 0, tf < 1 else {
                    throw .execution("invalid trend factor. Expected: 0 < tf < 1, got: \(String(format: "%f", tf))")
                }
                value = holtWinters(points, sf, tf)
            } else {
                value = rangeValue(function, points, rangeStart, rangeEnd, range, t: t, scalarParam: scalarParam)
            }
            guard let value else { continue }
            if keepName {
                out.append(VSample(labels: series.labels, time: t, value: value, id: series.id))
            } else {
                let (labels, id) = withoutName(series)
                out.append(VSample(labels: labels, time: t, value: value, id: id))
            }
        }
        try checkDistinct(out)
        return out
    }

    /// The value of a range function (other than holt_winters) over one window, nil for none.
    func rangeValue(_ function: RangeFunction, _ points: ArraySlice<Sample>, _ rangeStart: Int64, _ rangeEnd: Int64,
                    _ range: Int64, t: Int64, scalarParam: Double) -> Double? {
        let value: Double?
        switch function {
        case .rate: value = extrapolatedRate(points, rangeStart, rangeEnd, range, counter: true, rate: true)
        case .increase: value = extrapolatedRate(points, rangeStart, rangeEnd, range, counter: true, rate: false)
        case .delta: value = extrapolatedRate(points, rangeStart, rangeEnd, range, counter: false, rate: false)
        case .irate: value = instantValue(points, rate: true)
        case .idelta: value = instantValue(points, rate: false)
        case .deriv:
            value = points.count < 2 ? nil : linearRegression(points, interceptTime: points[points.startIndex].timestamp).slope
        case .predictLinear:
            if points.count < 2 {
                value = nil
            } else {
                let (slope, intercept) = linearRegression(points, interceptTime: t)
                value = slope * scalarParam + intercept
            }
        case .resets:
            var n = 0
            for i in points.indices.dropFirst() where points[i].value < points[i - 1].value { n += 1 }
            value = Double(n)
        case .changes:
            var n = 0
            for i in points.indices.dropFirst() {
                let a = points[i].value, b = points[i - 1].value
                if a != b && !(a.isNaN && b.isNaN) { n += 1 }
            }
            value = Double(n)
        case .avgOverTime: value = averageOf(points.map(\.value))
        case .minOverTime:
            var m = points[points.startIndex].value
            for p in points where p.value < m || m.isNaN { m = p.value }
            value = m
        case .maxOverTime:
            var m = points[points.startIndex].value
            for p in points where p.value > m || m.isNaN { m = p.value }
            value = m
        case .sumOverTime:
            var sum = 0.0, c = 0.0
            for p in points { (sum, c) = kahanSumInc(p.value, sum, c) }
            value = sum.isInfinite ? sum : sum + c
        case .countOverTime: value = Double(points.count)
        case .lastOverTime: value = points.last!.value
        case .presentOverTime: value = 1
        case .quantileOverTime: value = quantileOf(scalarParam, points.map(\.value))
        case .stddevOverTime, .stdvarOverTime:
            var count = 0.0, mean = 0.0, cMean = 0.0, aux = 0.0, cAux = 0.0
            for p in points {
                count += 1
                let delta = p.value - (mean + cMean)
                (mean, cMean) = kahanSumInc(delta / count, mean, cMean)
                (aux, cAux) = kahanSumInc(delta * (p.value - (mean + cMean)), aux, cAux)
            }
            let variance = (aux + cAux) / count
            value = function == .stddevOverTime ? variance.squareRoot() : variance
        case .holtWinters: value = nil // needs its factor arguments; see evalRangeFunction
        }
        return value
    }

    /// The sample `absent`/`absent_over_time` return for `expr`, its labels built and interned
    /// once per query.
    func absentSample(_ expr: Expr, at t: Int64) -> VSample {
        if let known = absentLabelsCache.first(where: { $0.expr.isIdentical(to: expr) }) {
            return VSample(labels: known.labels, time: t, value: 1, id: known.id)
        }
        let labels = absentLabels(expr)
        let id = intern(labels)
        absentLabelsCache.append((expr, labels, id))
        return VSample(labels: labels, time: t, value: 1, id: id)
    }

    func absentLabels(_ expr: Expr) -> Labels {
        let inner = expr.unwrapped
        let matchers: [LabelMatcher]
        switch inner {
        case .vectorSelector(let vs): matchers = vs.matchers
        case .matrixSelector(let vs, _): matchers = vs.matchers
        default: return .empty
        }
        var labels = Labels.empty
        var has = Set<String>()
        for m in matchers where m.name != Labels.metricName {
            if m.kind == .equal && !has.contains(m.name) {
                labels = labels.setting(m.name, to: m.value)
                has.insert(m.name)
            } else {
                labels = labels.removing([m.name])
            }
        }
        return labels
    }

    func averageOf(_ values: [Double]) -> Double {
        var mean = 0.0, count = 0.0, c = 0.0
        for v in values {
            count += 1
            if mean.isInfinite {
                if v.isInfinite && (mean > 0) == (v > 0) { continue }
                if !v.isInfinite && !v.isNaN { continue }
            }
            (mean, c) = kahanSumInc(v / count - mean / count, mean, c)
        }
        return mean.isInfinite ? mean : mean + c
    }

    func extrapolatedRate(_ points: ArraySlice<Sample>, _ rangeStart: Int64, _ rangeEnd: Int64, _ range: Int64,
                          counter: Bool, rate: Bool) -> Double? {
        guard points.count >= 2 else { return nil }
        let first = points[points.startIndex], last = points[points.endIndex - 1]
        var result = last.value - first.value
        if counter {
            var prev = first.value
            for p in points.dropFirst() {
                if p.value < prev { result += prev }
                prev = p.value
            }
        }
        var durationToStart = (Double(first.timestamp) - Double(rangeStart)) / 1000
        let durationToEnd = (Double(rangeEnd) - Double(last.timestamp)) / 1000
        let sampledInterval = (Double(last.timestamp) - Double(first.timestamp)) / 1000
        let averageBetween = sampledInterval / Double(points.count - 1)
        if counter && result > 0 && first.value >= 0 {
            let durationToZero = sampledInterval * (first.value / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        let threshold = averageBetween * 1.1
        var extrapolateTo = sampledInterval
        extrapolateTo += durationToStart < threshold ? durationToStart : averageBetween / 2
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetween / 2
        var factor = extrapolateTo / sampledInterval
        if rate { factor /= Double(range) / 1000 }
        return result * factor
    }

    func instantValue(_ points: ArraySlice<Sample>, rate: Bool) -> Double? {
        guard points.count >= 2 else { return nil }
        let last = points[points.endIndex - 1], previous = points[points.endIndex - 2]
        var result = rate && last.value < previous.value ? last.value : last.value - previous.value
        let interval = Double(last.timestamp) - Double(previous.timestamp)
        if interval == 0 { return nil }
        if rate { result /= interval / 1000 }
        return result
    }

    func linearRegression(_ points: ArraySlice<Sample>, interceptTime: Int64) -> (slope: Double, intercept: Double) {
        var n = 0.0, sumX = 0.0, cX = 0.0, sumY = 0.0, cY = 0.0, sumXY = 0.0, cXY = 0.0, sumX2 = 0.0, cX2 = 0.0
        let initY = points[points.startIndex].value
        var constY = true
        for (i, p) in points.enumerated() {
            if constY && i > 0 && p.value != initY { constY = false }
            n += 1
            let x = (Double(p.timestamp) - Double(interceptTime)) / 1e3
            (sumX, cX) = kahanSumInc(x, sumX, cX)
            (sumY, cY) = kahanSumInc(p.value, sumY, cY)
            (sumXY, cXY) = kahanSumInc(x * p.value, sumXY, cXY)
            (sumX2, cX2) = kahanSumInc(x * x, sumX2, cX2)
        }
        if constY {
            if initY.isInfinite { return (.nan, .nan) }
            return (0, initY)
        }
        sumX += cX
        sumY += cY
        sumXY += cXY
        sumX2 += cX2
        let covXY = sumXY - sumX * sumY / n
        let varX = sumX2 - sumX * sumX / n
        let slope = covXY / varX
        return (slope, sumY / n - slope * sumX / n)
    }

    func holtWinters(_ points: ArraySlice<Sample>, _ sf: Double, _ tf: Double) -> Double? {
        guard sf > 0, sf < 1, tf > 0, tf < 1, points.count >= 2 else { return nil }
        let points = Array(points)
        var s0 = 0.0, s1 = points[0].value
        var b = points[1].value - points[0].value
        for i in 1..<points.count {
            let x = sf * points[i].value
            if i > 1 { b = tf * (s1 - s0) + (1 - tf) * b }
            let y = (1 - sf) * (s1 + b)
            (s0, s1) = (s1, x + y)
        }
        return s1
    }

    // MARK: Instant-vector functions

    func evalVectorFunction(_ function: VectorFunction, _ args: [Expr], at t: Int64) throws(QueryError) -> [VSample] {
        func mapValues(_ f: (Double) -> Double) throws(QueryError) -> [VSample] {
            try vectorArg(args[0], at: t).map { s in
                let (labels, id) = withoutName(s)
                return VSample(labels: labels, time: t, value: f(s.value), id: id)
            }
        }
        switch function {
        case .abs: return try mapValues { abs($0) }
        case .ceil: return try mapValues { $0.rounded(.up) }
        case .floor: return try mapValues { $0.rounded(.down) }
        case .exp: return try mapValues { Foundation.exp($0) }
        case .ln: return try mapValues { Foundation.log($0) }
        case .log2: return try mapValues { Foundation.log2($0) }
        case .log10: return try mapValues { Foundation.log10($0) }
        case .sqrt: return try mapValues { $0.squareRoot() }
        case .sgn: return try mapValues { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) }
        case .acos: return try mapValues { Foundation.acos($0) }
        case .acosh: return try mapValues { Foundation.acosh($0) }
        case .asin: return try mapValues { Foundation.asin($0) }
        case .asinh: return try mapValues { Foundation.asinh($0) }
        case .atan: return try mapValues { Foundation.atan($0) }
        case .atanh: return try mapValues { Foundation.atanh($0) }
        case .cos: return try mapValues { Foundation.cos($0) }
        case .cosh: return try mapValues { Foundation.cosh($0) }
        case .sin: return try mapValues { Foundation.sin($0) }
        case .sinh: return try mapValues { Foundation.sinh($0) }
        case .tan: return try mapValues { Foundation.tan($0) }
        case .tanh: return try mapValues { Foundation.tanh($0) }
        case .deg: return try mapValues { $0 * 180 / Double.pi }
        case .rad: return try mapValues { $0 * Double.pi / 180 }
        case .round:
            let toNearest = args.count > 1 ? try scalarArg(args[1], at: t) : 1
            let inverse = 1 / toNearest
            return try mapValues { ($0 * inverse + 0.5).rounded(.down) / inverse }
        case .clamp:
            let lo = try scalarArg(args[1], at: t), hi = try scalarArg(args[2], at: t)
            if hi < lo { return [] }
            return try mapValues { goMax(lo, goMin(hi, $0)) }
        case .clampMin:
            let lo = try scalarArg(args[1], at: t)
            return try mapValues { goMax(lo, $0) }
        case .clampMax:
            let hi = try scalarArg(args[1], at: t)
            return try mapValues { goMin(hi, $0) }
        case .timestamp:
            return try vectorArg(args[0], at: t).map { s in
                let (labels, id) = withoutName(s)
                return VSample(labels: labels, time: t, value: Double(s.time) / 1000, id: id)
            }
        case .sort, .sortDesc:
            let v = try vectorArg(args[0], at: t)
            let ascending = function == .sort
            return v.enumerated().sorted { a, b in
                let x = a.element.value, y = b.element.value
                if x.isNaN || y.isNaN { return y.isNaN && !x.isNaN || (x.isNaN == y.isNaN && a.offset < b.offset) }
                if x == y { return a.offset < b.offset }
                return ascending ? x < y : x > y
            }.map(\.element)
        case .absent:
            let v = try vectorArg(args[0], at: t)
            return v.isEmpty ? [absentSample(args[0], at: t)] : []
        case .histogramCount, .histogramSum, .histogramFraction:
            // These read native histograms only; float samples yield nothing, as in Prometheus.
            return []
        case .labelReplace: return try labelReplace(args, at: t)
        case .labelJoin: return try labelJoin(args, at: t)
        case .histogramQuantile: return try histogramQuantile(args, at: t)
        case .dayOfMonth, .dayOfWeek, .dayOfYear, .daysInMonth, .hour, .minute, .month, .year:
            let input = args.isEmpty ? [VSample(labels: .empty, time: t, value: Double(t) / 1000, id: emptyID)] : try vectorArg(args[0], at: t)
            return input.map { s in
                let (labels, id) = withoutName(s)
                return VSample(labels: labels, time: t, value: dateComponent(function, s.value), id: id)
            }
        }
    }

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    func dateComponent(_ function: VectorFunction, _ seconds: Double) -> Double {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return .nan }
        if let fields = CivilDate(unixSeconds: seconds.rounded(.towardZero)) {
            switch function {
            case .dayOfMonth: return Double(fields.day)
            case .dayOfWeek: return Double(fields.weekday)
            case .dayOfYear: return Double(fields.dayOfYear)
            case .daysInMonth: return Double(fields.daysInMonth)
            case .hour: return Double(fields.hour)
            case .minute: return Double(fields.minute)
            case .month: return Double(fields.month)
            default: return Double(fields.year)
            }
        }
        let calendar = Evaluator.utcCalendar
        let date = Date(timeIntervalSince1970: seconds.rounded(.towardZero))  // Go truncates: time.Unix(int64(v), 0)
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        switch function {
        case .dayOfMonth: return Double(c.day!)
        case .dayOfWeek: return Double(c.weekday! - 1)
        case .dayOfYear: return Double(calendar.ordinality(of: .day, in: .year, for: date)!)
        case .daysInMonth: return Double(calendar.range(of: .day, in: .month, for: date)!.count)
        case .hour: return Double(c.hour!)
        case .minute: return Double(c.minute!)
        case .month: return Double(c.month!)
        default: return Double(c.year!)
        }
    }

    func labelReplace(_ args: [Expr], at t: Int64) throws(QueryError) -> [VSample] {
        let vec = try vectorArg(args[0], at: t)
        let dst = try stringArg(args[1], at: t)
        let replacement = try stringArg(args[2], at: t)
        let src = try stringArg(args[3], at: t)
        let pattern = try stringArg(args[4], at: t)
        let cacheKey = RelabelKey(destination: dst, replacement: replacement, source: src, pattern: pattern)
        let cache: RelabelCache
        if let existing = relabelCache[cacheKey] {
            cache = existing
        } else {
            let regex: RE2Regex
            do {
                regex = try RegexCache.compiled("^(?:" + pattern + ")$")
            } catch {
                throw .execution("invalid regular expression in label_replace(): \(pattern)")
            }
            guard LabelName.isValid(dst) else { throw .execution("invalid destination label name in label_replace(): \(dst)") }
            cache = RelabelCache(regex: regex)
            relabelCache[cacheKey] = cache
        }
        let regex = cache.regex
        var out: [VSample] = []
        out.reserveCapacity(vec.count)
        for s in vec {
            // Inputs without an id (such as `vector(1)`) get one, so their result is cached too.
            let sourceID = s.id >= 0 ? s.id : intern(s.labels)
            if let (labels, id) = cache.results[sourceID] {
                out.append(VSample(labels: labels, time: s.time, value: s.value, id: id))
                continue
            }
            var labels = s.labels
            let value = s.labels[src] ?? ""
            if let groups = regex.fullMatchGroups(value) {
                labels = s.labels.setting(dst, to: expand(replacement, groups: groups, in: value, regex: regex))
            }
            let id = intern(labels)
            cache.results[sourceID] = (labels, id)
            out.append(VSample(labels: labels, time: s.time, value: s.value, id: id))
        }
        return out
    }

    /// `template` with `$1`, `$name`, `${name}` replaced by the groups of a match of `source`
    /// (byte ranges of its UTF-8) and `$$` by `$`, as Go's `Regexp.ExpandString` does.
    func expand(_ template: String, groups: [Range<Int>?], in source: String, regex: RE2Regex) -> String {
        let chars = Array(template)
        let bytes = Array(source.utf8)
        var out = ""
        var i = 0
        func group(_ name: String) -> String {
            guard let n = Int(name) ?? regex.groupIndex(name), n < groups.count, let range = groups[n] else { return "" }
            return String(decoding: bytes[range], as: UTF8.self)
        }
        while i < chars.count {
            let c = chars[i]
            guard c == "$", i + 1 < chars.count else {
                out.append(c)
                i += 1
                continue
            }
            if chars[i + 1] == "$" {
                out.append("$")
                i += 2
                continue
            }
            if chars[i + 1] == "{" {
                if let close = chars[(i + 2)...].firstIndex(of: "}") {
                    out += group(String(chars[(i + 2)..<close]))
                    i = close + 1
                } else {
                    out.append(c)
                    i += 1
                }
                continue
            }
            var j = i + 1
            while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
            if j == i + 1 {
                out.append(c)
                i += 1
                continue
            }
            out += group(String(chars[(i + 1)..<j]))
            i = j
        }
        return out
    }

    func labelJoin(_ args: [Expr], at t: Int64) throws(QueryError) -> [VSample] {
        let vec = try vectorArg(args[0], at: t)
        let dst = try stringArg(args[1], at: t)
        let separator = try stringArg(args[2], at: t)
        var sources: [String] = []
        for a in args.dropFirst(3) { sources.append(try stringArg(a, at: t)) }
        let cacheKey = JoinKey(destination: dst, separator: separator, sources: sources)
        let cache: JoinCache
        if let existing = joinCache[cacheKey] {
            cache = existing
        } else {
            for s in sources where !LabelName.isValid(s) {
                throw .execution("invalid source label name in label_join(): \(s)")
            }
            guard LabelName.isValid(dst) else { throw .execution("invalid destination label name in label_join(): \(dst)") }
            cache = JoinCache()
            joinCache[cacheKey] = cache
        }
        return vec.map { s in
            // Inputs without an id get one, so their result is cached too.
            let sourceID = s.id >= 0 ? s.id : intern(s.labels)
            if let (labels, id) = cache.results[sourceID] {
                return VSample(labels: labels, time: s.time, value: s.value, id: id)
            }
            let joined = sources.map { s.labels[$0] ?? "" }.joined(separator: separator)
            let labels = s.labels.setting(dst, to: joined)
            let id = intern(labels)
            cache.results[sourceID] = (labels, id)
            return VSample(labels: labels, time: s.time, value: s.value, id: id)
        }
    }

    func histogramQuantile(_ args: [Expr], at t: Int64) throws(QueryError) -> [VSample] {
        let q = try scalarArg(args[0], at: t)
        let vec = try vectorArg(args[1], at: t)
        var groups: [Int32: [(Double, Double)]] = [:]
        var order: [Int32] = []
        for s in vec {
            // Grouped with the metric name, output without it (so two names can collide).
            let bucket: (Int32, Double)?
            if s.id >= 0, let hit = bucketCache[s.id] {
                bucket = hit
            } else {
                if let le = s.labels["le"], let bound = parseGoFloat(le) {
                    bucket = (intern(s.labels.removing(["le"])), bound)
                } else {
                    bucket = nil
                }
                if s.id >= 0 { bucketCache[s.id] = .some(bucket) }
            }
            guard let (groupID, bound) = bucket else { continue }
            if groups[groupID] == nil { order.append(groupID) }
            groups[groupID, default: []].append((bound, s.value))
        }
        return order.map { groupID in
            let (labels, id) = withoutName(internedLabels[Int(groupID)], id: groupID)
            return VSample(labels: labels, time: t, value: bucketQuantile(q, groups[groupID]!), id: id)
        }
    }

    func parseGoFloat(_ s: String) -> Double? {
        switch s.lowercased() {
        case "+inf", "inf", "+infinity", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default: return Double(s)
        }
    }

    func bucketQuantile(_ q: Double, _ input: [(Double, Double)]) -> Double {
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        var buckets = input.sorted { $0.0 < $1.0 }
        guard let last = buckets.last, last.0 == .infinity else { return .nan }
        // Coalesce equal bounds.
        var merged: [(Double, Double)] = []
        for b in buckets {
            if let l = merged.last, l.0 == b.0 { merged[merged.count - 1].1 += b.1 } else { merged.append(b) }
        }
        buckets = merged
        var maxCount = buckets[0].1
        for i in 1..<buckets.count {
            if buckets[i].1 > maxCount { maxCount = buckets[i].1 } else if buckets[i].1 < maxCount { buckets[i].1 = maxCount }
        }
        if buckets.count < 2 { return .nan }
        let observations = buckets[buckets.count - 1].1
        if observations == 0 { return .nan }
        var rank = q * observations
        var b = buckets.count - 1
        for i in 0..<(buckets.count - 1) where buckets[i].1 >= rank {
            b = i
            break
        }
        if b == buckets.count - 1 { return buckets[buckets.count - 2].0 }
        if b == 0 && buckets[0].0 <= 0 { return buckets[0].0 }
        var bucketStart = 0.0
        let bucketEnd = buckets[b].0
        var count = buckets[b].1
        if b > 0 {
            bucketStart = buckets[b - 1].0
            count -= buckets[b - 1].1
            rank -= buckets[b - 1].1
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count)
    }
}
