/// How many terminal columns text occupies, decided without the process locale.
///
/// The rules follow what glibc's `wcwidth` answers under a UTF-8 locale for the characters a
/// wizard shows: East Asian Wide and Fullwidth characters and emoji presentation take two
/// columns, combining marks and format characters take none, everything else takes one.
/// Control characters never reach the screen (the canvas replaces them), so they count as one.
public enum DisplayWidth {
    /// The columns one grapheme cluster occupies (0, 1 or 2).
    public static func columns(of character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.isASCII { return 1 }
        let base = columns(of: first)
        // The cheap test first: most clusters are one scalar, and then no Unicode property lookup
        // is needed (the wait screen's box-drawing and bar glyphs, every second).
        if base == 1, scalars.contains("\u{FE0F}"), first.properties.isEmoji { return 2 }
        return base
    }

    /// The columns a string occupies.
    public static func columns(of text: some StringProtocol) -> Int {
        if isPlainASCII(text) { return text.utf8.count }
        return text.reduce(0) { $0 + columns(of: $1) }
    }

    /// Whether every character of `text` is one ASCII byte (no CR, which can join the next byte
    /// into one "\r\n" character): such text needs no grapheme or Unicode property work.
    static func isPlainASCII(_ text: some StringProtocol) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D }
    }

    /// The columns one scalar occupies when it starts a grapheme cluster.
    public static func columns(of scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x7F { return 1 }
        if value < 0xA0 { return 1 }  // C1 controls: replaced before drawing
        if Self.narrowWithoutLookup(value) { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return 0
        case .format where value != 0x00AD: return 0
        default: break
        }
        if (0x1160...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value) { return 0 }  // Hangul jungseong/jongseong
        if isWide(value) || scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// Blocks whose every scalar is one column, neither a mark, a format character, wide nor of
    /// emoji presentation, so the answer needs no property lookup: Latin-1 Supplement to Spacing
    /// Modifier Letters (U+00A0–02FF; combining marks start at U+0300), General Punctuation's
    /// dashes, quotes, bullets and ellipsis (U+2010–2027), Arrows (U+2190–21FF), and Box Drawing,
    /// Block Elements and Geometric Shapes up to U+25FC (U+25FD and U+25FE are wide).
    private static func narrowWithoutLookup(_ value: UInt32) -> Bool {
        (0xA0...0x2FF).contains(value) || (0x2010...0x2027).contains(value) || (0x2190...0x21FF).contains(value)
            || (0x2500...0x25FC).contains(value)
    }

    /// Whether `value` is East Asian Wide or Fullwidth (Unicode 15 ranges, merged).
    private static func isWide(_ value: UInt32) -> Bool {
        var low = 0
        var high = wideRanges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = wideRanges[middle]
            if value < range.lowerBound {
                high = middle - 1
            } else if value > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }

    /// Sorted, non-overlapping ranges of wide scalars (emoji presentation is checked separately).
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x16FE0...0x16FE4, 0x17000...0x18CD5, 0x1B000...0x1B2FB, 0x1F004...0x1F004, 0x1F0CF...0x1F0CF,
        0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F202, 0x1F210...0x1F23B, 0x1F240...0x1F248,
        0x1F250...0x1F251, 0x1F260...0x1F265, 0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB,
        0x1F90C...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}

extension String {
    /// The terminal columns this string occupies (see `DisplayWidth`).
    public var displayWidth: Int { DisplayWidth.columns(of: self) }

    /// The longest prefix that fits in `columns`, ending with `ellipsis` when something was cut.
    public func truncated(toColumns columns: Int, ellipsis: String = "…") -> String {
        guard displayWidth > columns else { return self }
        let room = columns - ellipsis.displayWidth
        guard room > 0 else { return String(ellipsis.prefix(max(0, columns))) }
        var result = ""
        var used = 0
        for character in self {
            let width = DisplayWidth.columns(of: character)
            if used + width > room { break }
            result.append(character)
            used += width
        }
        while result.last == " " { result.removeLast() }  // "access…", not "access …"
        return result + ellipsis
    }

    /// This string padded with spaces to `columns` (never cut).
    public func padded(toColumns columns: Int) -> String {
        let width = displayWidth
        return width >= columns ? self : self + String(repeating: " ", count: columns - width)
    }

    /// The string broken into lines of at most `columns`, at spaces only: a word (an ID, a URL,
    /// a path) that does not fit moves to the next line whole; one wider than a line gets lines
    /// of its own, cut at the width only.
    public func wrapped(toColumns columns: Int) -> [String] {
        guard columns > 0 else { return [] }
        var lines: [String] = []
        for paragraph in split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var lineWidth = 0
            var lineIsACutWord = false
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                var word = String(word)
                var wordWidth = word.displayWidth
                if lineWidth > 0 && !lineIsACutWord && lineWidth + 1 + wordWidth <= columns {
                    line += " " + word
                    lineWidth += 1 + wordWidth
                    continue
                }
                if lineWidth > 0 {
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                }
                lineIsACutWord = wordWidth > columns
                while wordWidth > columns {  // hard-break words longer than a line
                    var head = ""
                    var headWidth = 0
                    for character in word {
                        let width = DisplayWidth.columns(of: character)
                        if headWidth + width > columns { break }
                        head.append(character)
                        headWidth += width
                    }
                    lines.append(head)
                    word.removeFirst(head.count)
                    wordWidth = word.displayWidth
                }
                line = word
                lineWidth = wordWidth
            }
            lines.append(line)
        }
        return lines
    }
}
