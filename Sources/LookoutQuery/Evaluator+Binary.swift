import Foundation
import LookoutModel

extension Evaluator {
    func evalBinary(_ b: BinaryOperation, at t: Int64) throws(QueryError) -> Value {
        let lhs = try eval(b.lhs, at: t)
        let rhs = try eval(b.rhs, at: t)
        switch (lhs, rhs) {
        case (.scalar(let l), .scalar(let r)):
            let (v, keep) = Evaluator.apply(b.op, l, r)
            if b.op.isComparison { return .scalar(keep ? 1 : 0) }
            return .scalar(v)
        case (.vector(let l), .scalar(let r)):
            let out = vectorScalar(b, l, r, swap: false, at: t)
            try checkDistinct(out)
            return .vector(out)
        case (.scalar(let l), .vector(let r)):
            let out = vectorScalar(b, r, l, swap: true, at: t)
            try checkDistinct(out)
            return .vector(out)
        case (.vector(let l), .vector(let r)):
            let matching = b.matching ?? VectorMatching()
            let out: [VSample]
            switch b.op {
            case .and: out = try setAnd(l, r, matching)
            case .or: out = try setOr(l, r, matching)
            case .unless: out = try setUnless(l, r, matching)
            default: out = try vectorVector(b, l, r, matching, at: t)
            }
            try checkDistinct(out)
            return .vector(out)
        default:
            throw .execution("binary expression must contain only scalar and instant vector types")
        }
    }

    /// Value and whether a comparison keeps the element (always true for arithmetic).
    static func apply(_ op: BinaryOperation.Operator, _ l: Double, _ r: Double) -> (Double, Bool) {
        switch op {
        case .add: return (l + r, true)
        case .sub: return (l - r, true)
        case .mul: return (l * r, true)
        case .div: return (l / r, true)
        case .pow: return (Foundation.pow(l, r), true)
        case .mod: return (fmod(l, r), true)
        case .atan2: return (Foundation.atan2(l, r), true)
        case .eql: return (l, l == r)
        case .neq: return (l, l != r)
        case .gtr: return (l, l > r)
        case .lss: return (l, l < r)
        case .gte: return (l, l >= r)
        case .lte: return (l, l <= r)
        case .and, .or, .unless: return (l, true)
        }
    }

    func vectorScalar(_ b: BinaryOperation, _ vec: [VSample], _ scalar: Double, swap: Bool, at t: Int64) -> [VSample] {
        var out: [VSample] = []
        out.reserveCapacity(vec.count)
        for s in vec {
            let (l, r) = swap ? (scalar, s.value) : (s.value, scalar)
            var (value, keep) = Evaluator.apply(b.op, l, r)
            if b.op.isComparison && swap { value = r }
            if b.returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            guard keep else { continue }
            if b.op.dropsMetricName || b.returnBool {
                let (labels, id) = withoutName(s)
                out.append(VSample(labels: labels, time: t, value: value, id: id))
            } else {
                out.append(VSample(labels: s.labels, time: t, value: value, id: s.id))
            }
        }
        return out
    }

    /// Computes match-group signatures for one binary operation.
    struct Signer {
        let on: Bool
        let names: Set<String>

        init(_ m: VectorMatching) {
            on = m.on
            names = m.on ? Set(m.labels) : Set(m.labels).union([Labels.metricName])
        }

        func callAsFunction(_ labels: Labels) -> Labels {
            on ? labels.keeping(names) : labels.removing(names)
        }
    }


    /// The match cache for one matching configuration.
    func matchCache(_ m: VectorMatching, _ op: BinaryOperation.Operator) -> MatchCache {
        let key = MatchCacheKey(matching: m, dropsMetricName: op.dropsMetricName)
        if let cache = matchCaches[key] { return cache }
        let cache = MatchCache(signer: Signer(m))
        matchCaches[key] = cache
        return cache
    }

    /// The interned id of a sample's match-group signature.
    func signatureID(_ s: VSample, _ sign: Signer, _ cache: MatchCache) -> Int32 {
        guard s.id >= 0 else { return intern(sign(s.labels)) }
        let i = Int(s.id)
        if i < cache.signature.count, cache.signature[i] >= 0 { return cache.signature[i] }
        let sig = intern(sign(s.labels))
        if cache.signature.count <= i {
            cache.signature.append(contentsOf: repeatElement(-1, count: i + 1 - cache.signature.count))
        }
        cache.signature[i] = sig
        return sig
    }

    func setAnd(_ l: [VSample], _ r: [VSample], _ m: VectorMatching) throws(QueryError) -> [VSample] {
        if l.isEmpty || r.isEmpty { return [] }
        let cache = matchCache(m, .and), sign = cache.signer
        let right = Set(r.map { signatureID($0, sign, cache) })
        return l.filter { right.contains(signatureID($0, sign, cache)) }
    }

    func setOr(_ l: [VSample], _ r: [VSample], _ m: VectorMatching) throws(QueryError) -> [VSample] {
        if l.isEmpty { return r }
        if r.isEmpty { return l }
        let cache = matchCache(m, .or), sign = cache.signer
        let leftIDs = l.map { signatureID($0, sign, cache) }
        if leftIDs.count <= 16 { // searching a few ids beats building a set
            return l + r.filter { !leftIDs.contains(signatureID($0, sign, cache)) }
        }
        let left = Set(leftIDs)
        return l + r.filter { !left.contains(signatureID($0, sign, cache)) }
    }

    func setUnless(_ l: [VSample], _ r: [VSample], _ m: VectorMatching) throws(QueryError) -> [VSample] {
        if l.isEmpty || r.isEmpty { return l }
        let cache = matchCache(m, .unless), sign = cache.signer
        let right = Set(r.map { signatureID($0, sign, cache) })
        return l.filter { !right.contains(signatureID($0, sign, cache)) }
    }

    func vectorVector(_ b: BinaryOperation, _ lhsIn: [VSample], _ rhsIn: [VSample], _ m: VectorMatching,
                      at t: Int64) throws(QueryError) -> [VSample] {
        if lhsIn.isEmpty || rhsIn.isEmpty { return [] }
        let oneToMany = m.cardinality == .oneToMany
        let (lhs, rhs) = oneToMany ? (rhsIn, lhsIn) : (lhsIn, rhsIn)
        let cache = matchCache(m, b.op), sign = cache.signer
        var rightSigs: [Int32: VSample] = [:]
        rightSigs.reserveCapacity(rhs.count)
        for rs in rhs {
            let sig = signatureID(rs, sign, cache)
            if let dup = rightSigs[sig] {
                let side = oneToMany ? "left" : "right"
                throw .execution("found duplicate series for the match group \(internedLabels[Int(sig)]) on the \(side) hand-side of the operation: [\(rs.labels), \(dup.labels)];many-to-many matching not allowed: matching labels must be unique on one side")
            }
            rightSigs[sig] = rs
        }
        var matchedOne = Set<Int32>()
        var matchedMany: [Int32: Set<Int32>] = [:]
        var out: [VSample] = []
        out.reserveCapacity(lhs.count)
        for ls in lhs {
            let sig = signatureID(ls, sign, cache)
            guard let rs = rightSigs[sig] else { continue }
            let (vl, vr) = oneToMany ? (rs.value, ls.value) : (ls.value, rs.value)
            var (value, keep) = Evaluator.apply(b.op, vl, vr)
            if b.returnBool {
                value = keep ? 1 : 0
            } else if !keep {
                continue
            }
            var (metric, metricID) = cachedResultMetric(ls, rs, b.op, m, cache)
            if b.returnBool {
                (metric, metricID) = withoutName(metric, id: metricID)
            }
            if m.cardinality == .oneToOne {
                if !matchedOne.insert(sig).inserted {
                    throw .execution("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                }
            } else if !matchedMany[sig, default: []].insert(metricID).inserted {
                throw .execution("multiple matches for labels: grouping labels must ensure unique matches")
            }
            out.append(VSample(labels: metric, time: t, value: value, id: metricID))
        }
        return out
    }

    /// `resultMetric`, memoized by the pair of interned ids; the result is always interned.
    func cachedResultMetric(_ ls: VSample, _ rs: VSample, _ op: BinaryOperation.Operator, _ m: VectorMatching,
                            _ cache: MatchCache) -> (Labels, Int32) {
        guard ls.id >= 0, rs.id >= 0 else {
            let metric = resultMetric(ls.labels, rs.labels, op, m)
            return (metric, intern(metric))
        }
        let key = Int64(ls.id) << 32 | Int64(rs.id)
        if let hit = cache.results[key] { return hit }
        let metric = resultMetric(ls.labels, rs.labels, op, m)
        let result = (metric, intern(metric))
        cache.results[key] = result
        return result
    }

    func resultMetric(_ lhs: Labels, _ rhs: Labels, _ op: BinaryOperation.Operator, _ m: VectorMatching) -> Labels {
        var result = lhs
        if op.dropsMetricName { result = result.droppingMetricName }
        if m.cardinality == .oneToOne {
            if m.on {
                result = result.keeping(Set(m.labels))
            } else {
                result = result.removing(Set(m.labels))
            }
        }
        for name in m.include {
            result = result.setting(name, to: rhs[name] ?? "")
        }
        return result
    }
}
