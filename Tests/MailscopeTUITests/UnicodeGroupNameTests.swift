import Foundation
import MailscopeCore
import MailscopeEngine
import Testing

@testable import MailscopeTUI

/// Item 8: a group name in any script; its alias (ASCII) is derived, shown, and can be changed.
@Suite("Group names in any script")
struct UnicodeGroupNameTests {
    @Test(arguments: ["فريق التوظيف", "採用チーム", "Команда найма", "招聘团队", "צוות גיוס"])
    func aNonLatinGroupNameIsValidAndItsAliasIsDerivedAndShown(_ name: String) throws {
        var model = Fixture.formModel(page: .account)
        model.form.focus = .groupName
        model.press(.control("u"))
        model.type(name)
        #expect(model.form.error(for: .groupName) == nil, "\(String(describing: model.form.error(for: .groupName)))")
        #expect(model.form.error(for: .groupAlias) == nil)
        let alias = model.form.derivedGroupAlias
        #expect(!alias.isEmpty)
        #expect(alias.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }, "\(alias)")
        let config = model.form.answers.setupConfig()
        #expect(config.groupName == name)
        #expect(config.effectiveGroupAlias == alias)
        #expect(config.validationErrors().isEmpty, "\(config.validationErrors())")
        let text = render(model, size: model.size, theme: .color).plainText
        #expect(text.contains("Group alias"))
        #expect(text.contains(alias), "\(text)")

        // The admin changes it.
        model.form.focus = .groupAlias
        model.type("RecruitingTeam")
        #expect(model.form.answers.setupConfig().effectiveGroupAlias == "RecruitingTeam")
        #expect(model.form.error(for: .groupAlias) == nil)
        model.type(" x")
        #expect(model.form.error(for: .groupAlias) != nil)
    }

    @Test func anAliasNothingTransliteratesFallsBackToAShortHash() {
        let alias = SetupConfig.derivedAlias(from: "🙂🙂")
        #expect(alias.hasPrefix("group-") && alias.count == 14, "\(alias)")
        #expect(SetupConfig.derivedAlias(from: "🙂🙂") == alias)
        #expect(SetupConfig.derivedAlias(from: "🙃🙃") != alias)
        // Names with ASCII letters keep the alias they always had.
        #expect(SetupConfig.derivedAlias(from: "Workable Users") == "WorkableUsers")
        #expect(SetupConfig.derivedAlias(from: "採用チーム") == "cai-yongchimu")
    }
}
