import Foundation

extension Canvas {
    /// This canvas with every cell in plain ASCII, for terminals whose locale is not UTF-8: common
    /// punctuation gets its ASCII look-alike, accented letters lose their accents, anything else
    /// becomes `?`. Each cell keeps its width, so the layout does not move.
    public func foldedToASCII() -> Canvas {
        var folded = self
        for index in cells.indices {
            let text = cells[index].text
            if text.isEmpty {
                folded.setText("?", at: index)  // the right half of a wide character
            } else if !text.allSatisfy(\.isASCII) {
                folded.setText(Self.asciiLookAlike(text), at: index)
            }
        }
        return folded
    }

    private static func asciiLookAlike(_ text: String) -> String {
        switch text {
        case "·", "–", "—", "─", "━": return "-"
        case "…": return "."
        case "‘", "’": return "'"
        case "“", "”", "«", "»": return "\""
        case "→", "›", "▶": return ">"
        case "←", "‹": return "<"
        case "↑": return "^"
        case "↓": return "v"
        case "•": return "*"
        case "│", "┃": return "|"
        case "┌", "┐", "└", "┘", "├", "┤": return "+"
        case "█", "▀", "▄": return "#"
        default:
            let plain = text.folding(options: .diacriticInsensitive, locale: nil)
            return plain.count == 1 && plain.allSatisfy(\.isASCII) ? plain : "?"
        }
    }
}
