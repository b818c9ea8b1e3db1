import Testing

@testable import MailscopeTUI

@Suite("Canvas and display width")
struct CanvasTests {
    @Test func widthsDoNotDependOnTheLocale() {
        #expect(DisplayWidth.columns(of: "a") == 1)
        #expect(DisplayWidth.columns(of: "é") == 1)
        #expect(DisplayWidth.columns(of: "e\u{301}") == 1)  // combining accent
        #expect(DisplayWidth.columns(of: "会") == 2)
        #expect(DisplayWidth.columns(of: "한") == 2)
        #expect(DisplayWidth.columns(of: "🚀") == 2)
        #expect(DisplayWidth.columns(of: "✔") == 1)
        #expect(DisplayWidth.columns(of: "◷") == 1)
        #expect(DisplayWidth.columns(of: "\u{200D}") == 0)
        #expect("会議室 Räume".displayWidth == 12)
    }

    @Test func wideCharactersTakeTwoCellsAndAreNeverSplit() {
        var canvas = Canvas(size: TerminalSize(columns: 5, rows: 1))
        let used = canvas.put("a会議", row: 0, column: 0)
        #expect(used == 5)  // a(0) 会(1-2) 議(3-4)
        #expect(canvas.plainText == "a会議")
        var clipped = Canvas(size: TerminalSize(columns: 4, rows: 1))
        clipped.put("a会議", row: 0, column: 0, overflow: .clip)
        #expect(clipped.plainText == "a会")
        #expect(clipped[row: 0, column: 3].text == " ")
        var cut = Canvas(size: TerminalSize(columns: 4, rows: 1))
        cut.put("a会議", row: 0, column: 0)
        #expect(cut.plainText == "a会…")
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var canvas = Canvas(size: TerminalSize(columns: 6, rows: 1))
        canvas.put("会議", row: 0, column: 0)
        canvas.put("x", row: 0, column: 1)  // the right half of 会
        #expect(canvas.plainText == " x議")
        canvas.put("y", row: 0, column: 2)  // the left half of 議
        #expect(canvas.plainText == " xy")
    }

    @Test func controlCharactersCannotReachTheTerminal() {
        var canvas = Canvas(size: TerminalSize(columns: 10, rows: 1))
        canvas.put("a\u{1B}[2Jb", row: 0, column: 0)
        #expect(canvas.plainText == "a?[2Jb")
    }

    @Test func writesAreClippedToTheGridAndTheLimit() {
        var canvas = Canvas(size: TerminalSize(columns: 6, rows: 2))
        canvas.put("abcdefgh", row: 0, column: 2)
        canvas.put("abcdefgh", row: 1, column: 0, limit: 3)
        canvas.put("outside", row: 5, column: 0)
        canvas.put("xyz", row: 0, column: -1)
        #expect(canvas.plainText == "yzabc…\nab…")  // a cut write ends in the ellipsis
    }

    @Test func styleMaskShowsRolesPerCell() {
        var canvas = Canvas(size: TerminalSize(columns: 8, rows: 1))
        canvas.put("ok", row: 0, column: 0, role: .success)
        canvas.put("会", row: 0, column: 3, role: .failure)
        #expect(canvas.styleMask == "gg rr")
    }

    @Test func changesListOnlyTheCellsThatDiffer() {
        var first = Canvas(size: TerminalSize(columns: 10, rows: 2))
        first.put("next 0:42", row: 0, column: 0)
        first.put("会議", row: 1, column: 0, role: .code)
        #expect(first.changes(since: nil).map(\.text).joined().contains("next 0:42"))
        var second = first
        second.put("next 0:41", row: 0, column: 0)
        #expect(second.changes(since: first) == [CanvasRun(row: 0, column: 8, text: "1", role: .normal)])
        var third = second
        third.put("議", row: 1, column: 2, role: .code)
        third.put("会", row: 1, column: 2, role: .code)
        #expect(third.changes(since: second) == [CanvasRun(row: 1, column: 2, text: "会", role: .code)])
        #expect(second.changes(since: second).isEmpty)
        let resized = Canvas(size: TerminalSize(columns: 9, rows: 2))
        #expect(resized.changes(since: first).count == 2)  // a new size redraws everything
    }

    @Test func textHelpersTruncatePadAndWrapByColumns() {
        #expect("Distribution group".truncated(toColumns: 8) == "Distrib…")
        #expect("会議室会議室".truncated(toColumns: 5, ellipsis: "...") == "会...")
        #expect("ab".padded(toColumns: 4) == "ab  ")
        #expect("one two three four".wrapped(toColumns: 9) == ["one two", "three", "four"])
        #expect("abcdefghij".wrapped(toColumns: 4) == ["abcd", "efgh", "ij"])
    }
}
