import Foundation
import MailscopeEngine
import Testing

/// Names and addresses refuse what the admin cannot see (issue 11): a NUL escape once cut
/// "All Staff\u0000 (integration)" down to "All Staff" inside the TOML parser and took over that group.
@Suite("hidden characters in a config are refused before anything is sent")
struct HiddenCharacterConfigTests {
    static func config(group name: String) -> String {
        """
        preset = "workable"
        [tenant]
        id = "contoso.onmicrosoft.com"
        [group]
        name = "\(name)"
        members = ["avery.adams@contoso.com"]
        """
    }


    @Test(arguments: [
        ("All Staff\\u0000 (integration)", "NUL"),
        ("All Staff\\U00000000", "NUL"),
        ("All\\u0007Staff", "control character"),
        ("All\\u0085Staff", "control character"),
        ("All Staff\\u202E(noitargetni)", "bidirectional"),
        ("All\\u2066Staff\\u2069", "bidirectional"),
        ("All\\u200DStaff", "zero-width"),
        ("All\\u2060Staff", "zero-width"),
        ("\\uFEFFAll Staff", "byte-order mark"),
    ])
    func anEscapedHiddenCharacterIsRefusedWithItsField(_ name: String, _ kind: String) {
        let problems = configProblems(Self.config(group: name))
        #expect(problems.count == 1)
        #expect(problems.first?.field.hasPrefix("group.name") == true)
        #expect(problems.first?.message.contains(kind) == true)
    }

    @Test(arguments: ["\u{202E}", "\u{200B}", "\u{FEFF}", "\u{2067}", "\u{9F}"])
    func aLiteralHiddenCharacterIsRefusedToo(_ hidden: String) {
        let problems = configProblems(Self.config(group: "All\(hidden)Staff"))
        #expect(problems.contains { $0.field == "group.name" })
    }

    @Test func aLiteralBackslashUInALiteralStringIsText() {
        // 'All Staff\u0000' in single quotes is eleven visible characters, no escape.
        let text = Self.config(group: "x").replacingOccurrences(of: "name = \"x\"", with: "name = 'Staff\\u0000'")
        #expect(!configProblems(text).contains { $0.message.contains("NUL") })
    }

    @Test func aRawNULByteIsReportedAsSuchWithItsLine() throws {
        var data = Data(Self.config(group: "All Staff").utf8)
        let offset = try #require(data.range(of: Data("Staff".utf8))).lowerBound
        data.insert(0, at: offset)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nul-\(UUID()).toml")
        try data.write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        do {
            _ = try ConfigLoader.load(path: path.path)
            Issue.record("expected a refusal")
        } catch let error as ConfigError {
            #expect(error.problems.first?.field == "line 5")
            #expect(error.problems.first?.message.contains("raw NUL byte") == true)
            #expect(error.problems.first?.message.contains("end") == false)
        }
    }

    @Test func hiddenCharactersInOtherFieldsAreRefused() {
        var config = SetupConfig(preset: Preset.named("workable")!, tenant: "contoso.onmicrosoft.com")
        config.members = ["avery.adams@contoso.com\u{200B}"]
        config.scopeName = "Scope\u{2066}"
        config.clientID = "\u{0}"
        let fields = Set(config.validationErrors().map(\.field))
        #expect(fields.isSuperset(of: ["group.members[0]", "scope.name", "auth.client_id"]))
    }
}
