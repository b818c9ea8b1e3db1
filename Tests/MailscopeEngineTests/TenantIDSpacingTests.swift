import Foundation
import MailscopeEngine
import Testing

/// A tenant id with spaces around it is refused, not sent as `/%20contoso.com%20/` (issue 13).
@Suite("a tenant id is exact")
struct TenantIDSpacingTests {
    @Test func spacesAroundTheTenantAreRefusedWithTheField() {
        let text = HiddenCharacterConfigTests.config(group: "WorkableUsers")
            .replacingOccurrences(of: "id = \"contoso.onmicrosoft.com\"", with: "id = \" contoso.onmicrosoft.com \"")
        let problems = configProblems(text)
        #expect(problems.map(\.field) == ["tenant.id"])
        #expect(problems.first?.message.contains("starts or ends with a space") == true)
    }
}
