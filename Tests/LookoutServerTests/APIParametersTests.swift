import Testing
@testable import LookoutServer

@Suite struct APIParametersTests {
    @Test func decodesFormsLikeGo() {
        let pairs = APIParameters.parseForm("query=sum%28rate%28x%5B5m%5D%29%29&match%5B%5D=up&match%5B%5D=%7Bjob%3D%22a+b%22%7D&empty=&flag&bad=%zz&%ff=1&utf=%C3%A9")
        #expect(pairs.map(\.0) == ["query", "match[]", "match[]", "empty", "flag", "bad", "utf"])
        #expect(pairs[0].1 == "sum(rate(x[5m]))")
        #expect(pairs[2].1 == #"{job="a b"}"#)
        #expect(pairs[3].1 == "" && pairs[4].1 == "")
        #expect(pairs[5].1 == "", "a malformed escape leaves the value empty")
        #expect(pairs[6].1 == "é")
        let params = APIParameters(pairs)
        #expect(params.all("match[]") == ["up", #"{job="a b"}"#])
    }

    @Test func timesInSecondsOrRFC3339() throws {
        #expect(APIParameters.parseTime("1435781451.781") == 1_435_781_451_781)
        #expect(APIParameters.parseTime("2015-07-01T20:10:51.781Z") == 1_435_781_451_781)
        #expect(APIParameters.parseTime("2015-07-01T20:10:51Z") == 1_435_781_451_000)
        #expect(APIParameters.parseTime("1e300") == nil)
        #expect(APIParameters.parseTime("soon") == nil)
    }
}
