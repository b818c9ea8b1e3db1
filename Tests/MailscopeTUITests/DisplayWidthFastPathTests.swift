import Testing

@testable import MailscopeTUI

/// The blocks `DisplayWidth` measures without Unicode property lookups answer what the lookups do.
@Suite("Display width without lookups")
struct DisplayWidthFastPathTests {
    static let blocks: [ClosedRange<UInt32>] = [0xA0...0x2FF, 0x2010...0x2027, 0x2190...0x21FF, 0x2500...0x25FC]

    @Test("every scalar of the narrow blocks is one column by the property rules too")
    func narrowBlocks() {
        for block in Self.blocks {
            for value in block {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let properties = scalar.properties
                let zero =
                    [.nonspacingMark, .enclosingMark].contains(properties.generalCategory)
                    || (properties.generalCategory == .format && value != 0x00AD)
                #expect(!zero && !properties.isEmojiPresentation, "U+\(String(value, radix: 16))")
                #expect(DisplayWidth.columns(of: scalar) == 1)
            }
        }
        #expect(DisplayWidth.columns(of: Unicode.Scalar(0x25FD)!) == 2)
        #expect(DisplayWidth.columns(of: Character("\u{2194}\u{FE0F}")) == 2)  // ↔️: emoji with VS16
        #expect(DisplayWidth.columns(of: Character("\u{2194}")) == 1)
    }

    @Test("a C0 or C1 control among other text becomes '?'")
    func controls() {
        var canvas = Canvas(size: TerminalSize(columns: 10, rows: 1))
        _ = canvas.put("é\u{85}x", row: 0, column: 0)
        #expect(canvas[row: 0, column: 1].text == "?")
    }
}
