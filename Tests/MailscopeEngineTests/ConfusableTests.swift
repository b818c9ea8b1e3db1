import Foundation
import Testing

@testable import MailscopeEngine

@Suite("Confusable names (TR39 skeletons and mixed scripts)")
struct ConfusableTests {
    @Test func cyrillicLetterIsConfusable() {
        #expect(Confusables.areConfusable("\u{0410}ll Staff", "All Staff"))
        #expect(Confusables.skeleton("\u{0410}ll Staff") == Confusables.skeleton("All Staff"))
        // Cyrillic lowercase look-alikes too: "Sales" with Cyrillic а and е.
        #expect(Confusables.areConfusable("S\u{0430}l\u{0435}s", "Sales"))
    }

    @Test func caseDifferencesAreTheSameNameNotAConfusable() {
        #expect(!Confusables.areConfusable("All Staff", "ALL STAFF"))
        #expect(!Confusables.areConfusable("All Staff", "all staff"))
        #expect(!Confusables.areConfusable("All Staff", "All Staff"))
        #expect(!Confusables.areConfusable("Inbox", "inbox"))
    }

    @Test func differentNamesAreNotConfusable() {
        #expect(!Confusables.areConfusable("All Staff", "All Stuff"))
        #expect(!Confusables.areConfusable("Sales", "Finance"))
    }

    @Test func greekOmicronIsConfusable() {
        #expect(Confusables.areConfusable("D\u{03BF}cs", "Docs"))
        #expect(Confusables.areConfusable("\u{039F}ps", "Ops"))
    }

    @Test func fullwidthLettersAreConfusable() {
        #expect(Confusables.areConfusable("\u{FF33}\u{FF41}\u{FF4C}\u{FF45}\u{FF53}", "Sales"))
        #expect(Confusables.skeleton("\u{FF21}\u{FF22}\u{FF23}") == "abc")
    }

    @Test func capitalIAndDigitsLookLikeLowercaseLAndO() {
        #expect(Confusables.areConfusable("WorkabIe", "Workable"))
        #expect(Confusables.areConfusable("Workab1e", "Workable"))
        #expect(Confusables.areConfusable("R00t", "Root"))
        #expect(Confusables.areConfusable("rnicrosoft", "microsoft"))
    }

    @Test func zeroWidthScalarsAreIgnored() {
        #expect(Confusables.areConfusable("All\u{200D} Staff", "All Staff"))
        #expect(Confusables.areConfusable("Fin\u{200B}ance", "Finance"))
        #expect(Confusables.areConfusable("Fin\u{00AD}ance\u{FEFF}", "Finance"))
        #expect(Confusables.skeleton("a\u{2060}b\u{034F}c\u{180E}") == "abc")
    }

    @Test func accentsSurviveTheSkeleton() {
        // Composed and decomposed é are the same name; é and e are different names.
        #expect(Confusables.skeleton("Caf\u{00E9}") == Confusables.skeleton("Cafe\u{0301}"))
        #expect(!Confusables.areConfusable("Caf\u{00E9}", "Cafe"))
    }

    @Test func confusableMatchFindsTheFirstLookAlike() {
        let existing = ["Finance", "All Staff", "ALL STAFF", "Sales"]
        #expect(Confusables.confusableMatch(for: "\u{0410}ll Staff", among: existing) == "All Staff")
        #expect(Confusables.confusableMatch(for: "all staff", among: existing) == nil)
        #expect(Confusables.confusableMatch(for: "Marketing", among: existing) == nil)
        #expect(Confusables.confusableMatch(for: "Sales", among: []) == nil)
    }

    @Test func scriptsInOrderOfFirstAppearance() {
        #expect(Confusables.scripts(of: "All Staff 2024!") == ["Latin"])
        #expect(Confusables.scripts(of: "\u{0410}ll Staff") == ["Cyrillic", "Latin"])
        #expect(Confusables.scripts(of: "営業チーム") == ["Han", "Katakana"])
        #expect(Confusables.scripts(of: "\u{FF33}ales") == ["Fullwidth Latin", "Latin"])
        #expect(Confusables.scripts(of: "Café Crème") == ["Latin"])
        #expect(Confusables.scripts(of: "123 - _") == [])
        #expect(Confusables.scripts(of: "") == [])
    }

    @Test func singleScriptNamesAreNotMixed() {
        #expect(Confusables.mixedScriptDescription("All Staff") == nil)
        #expect(Confusables.mixedScriptDescription("فريق المبيعات") == nil)
        #expect(Confusables.mixedScriptDescription("Отдел продаж") == nil)
        #expect(Confusables.mixedScriptDescription("") == nil)
    }

    @Test func japaneseAndKoreanScriptFamiliesAreNotMixed() {
        #expect(Confusables.mixedScriptDescription("営業チーム") == nil)
        #expect(Confusables.mixedScriptDescription("佐々木のチーム") == nil)
        #expect(Confusables.mixedScriptDescription("営業チーム Tokyo") == nil)
        #expect(Confusables.mixedScriptDescription("韓國 영업팀") == nil)
    }

    @Test func mixedScriptsNameTheIntruder() throws {
        let description = try #require(Confusables.mixedScriptDescription("\u{0410}ll Staff"))
        #expect(description.contains("Cyrillic"))
        #expect(description == "mixed scripts: Cyrillic, Latin (Cyrillic: \u{0410} at position 1)")
        #expect(
            Confusables.mixedScriptDescription("All St\u{0430}ff")
                == "mixed scripts: Latin, Cyrillic (Cyrillic: \u{0430} at position 7)"
        )
        // Japanese mixed with Cyrillic is still reported, naming only the Cyrillic letter.
        let japanese = try #require(Confusables.mixedScriptDescription("営業チーム\u{0430}"))
        #expect(japanese.hasSuffix("(Cyrillic: \u{0430} at position 6)"))
    }
}
