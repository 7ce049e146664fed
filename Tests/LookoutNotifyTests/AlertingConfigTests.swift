import Testing
@testable import LookoutNotify

@Suite struct AlertingConfigTests {
    @Test func emptyConfigDeliversNothing() {
        #expect(AlertingConfig().isEmpty)
    }
}
