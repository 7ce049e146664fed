import Foundation
import Testing
@testable import LookoutQuery

@Suite struct ZZTmpParse {
    @Test func compare() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: "/tmp/parse_errs.json"))
        let pairs = try JSONSerialization.jsonObject(with: data) as! [[String]]
        var bad = 0
        for p in pairs {
            do {
                let e = try PromQLParser.parse(p[0])
                print("PARSED \(p[0].debugDescription) => \(e) ; want \(p[1])")
                bad += 1
            } catch {
                if !error.message.contains(p[1]) {
                    print("DIFF \(p[0].debugDescription)\n   got  \(error.message)\n   want \(p[1])")
                    bad += 1
                }
            }
        }
        print("BAD \(bad) of \(pairs.count)")
    }
}
