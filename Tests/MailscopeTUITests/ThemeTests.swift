import MailscopeEngine
import Testing

@testable import MailscopeTUI

@Suite("Themes: a word for every state, never colour alone")
struct ThemeTests {
    private let statuses: [StageStatus] = [
        .pending, .checking, .needsChange, .applying, .waiting, .verified, .notVerified, .failed, .skipped,
    ]

    @Test func everyStatusHasAWordAndGlyphsOfOneWidth() {
        for glyphs in [Glyphs.unicode, Glyphs.ascii] {
            for status in statuses {
                #expect(!status.label.isEmpty)
                #expect(glyphs.status(status).displayWidth == glyphs.statusWidth)
            }
            let distinct = Set(statuses.map(glyphs.status))
            #expect(distinct.count == statuses.count)
        }
    }

    @Test func asciiGlyphsAreASCII() {
        let glyphs = Glyphs.ascii
        let all =
            statuses.map(glyphs.status) + [
                glyphs.horizontalLine, glyphs.verticalLine, glyphs.barFilled, glyphs.barEmpty, glyphs.barMarker,
                glyphs.ellipsis, glyphs.pointer, glyphs.dot, glyphs.rangeDash, glyphs.upDown, glyphs.leftRight,
                glyphs.mark(true), glyphs.mark(false), glyphs.mark(nil),
            ]
        #expect(all.allSatisfy { $0.allSatisfy(\.isASCII) })
    }

    @Test func monoKeepsEveryMeaningfulRoleVisible() {
        for role in StyleRole.allCases where role != .normal && role != .info {
            #expect(Theme.mono.style(for: role) != .plain, "role \(role) is invisible in mono")
            #expect(Theme.mono.style(for: role).foreground == nil)
        }
        #expect(Theme.mono.style(for: .failure) != Theme.mono.style(for: .success))
    }

    @Test func themeChoiceFollowsTheTerminal() {
        #expect(Theme.choose(colorAllowed: true, unicodeAllowed: true) == .color)
        #expect(Theme.choose(colorAllowed: false, unicodeAllowed: true) == .mono)
        #expect(Theme.choose(colorAllowed: true, unicodeAllowed: false) == .ascii)
    }
}
