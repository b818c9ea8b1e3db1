import Foundation

/// Detection of look-alike names, so a new group or scope cannot pass for an existing one
/// (for example "Аll Staff" spelled with a Cyrillic А next to the real "All Staff").
///
/// The approach follows Unicode Technical Standard #39, section 4 "Confusable Detection"
/// (https://www.unicode.org/reports/tr39/#Confusable_Detection): two names are confusable when
/// their *skeletons* are equal. Names are compared case-insensitively, as Exchange does.
public enum Confusables {
    /// The skeleton of `text`: two strings that look alike have the same skeleton.
    ///
    /// The steps are those of TR39 with two additions for Exchange names: the text is put in
    /// NFD, default-ignorable scalars (zero-width spaces and joiners, soft hyphen, BOM, …) are
    /// dropped, each scalar is replaced by its prototype, the result is lowercased (so the
    /// skeleton is case-insensitive) and put in NFD again, and finally "rn" becomes "m".
    ///
    /// The prototype table is a hand-made subset of TR39's `confusables.txt`
    /// (https://www.unicode.org/reports/tr39/#Confusable_Detection), limited to the well-known
    /// look-alikes of Latin letters: Cyrillic and Greek homoglyphs, fullwidth ASCII, and the
    /// `l`/`I`/`1`/`|` and `o`/`O`/`0` families. Because the skeleton is lowercased, a
    /// small-capital-shaped lowercase letter such as Cyrillic в or н maps to the Latin letter its
    /// capital imitates (B, H). Uppercase I is mapped to l *before* lowercasing, so "WorkabIe"
    /// and "Workable" share a skeleton.
    public static func skeleton(_ text: String) -> String {
        var mapped = ""
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars
        where !isIgnorable(scalar) {
            mapped += prototype(of: scalar)
        }
        var lowered = ""
        for scalar in mapped.lowercased().unicodeScalars {
            lowered += prototype(of: scalar)
        }
        return lowered.decomposedStringWithCanonicalMapping.replacingOccurrences(of: "rn", with: "m")
    }

    /// Whether `a` and `b` look alike without being the same name: their skeletons are equal,
    /// but they differ when compared case-insensitively. "All Staff" and "ALL STAFF" are the
    /// same name, so they are not confusable; "All Staff" and "Аll Staff" (Cyrillic А) are.
    public static func areConfusable(_ a: String, _ b: String) -> Bool {
        a.lowercased() != b.lowercased() && skeleton(a) == skeleton(b)
    }

    /// The first of `existing` that is confusable with `name`, or `nil` if there is none.
    public static func confusableMatch(for name: String, among existing: [String]) -> String? {
        let nameSkeleton = skeleton(name)
        let folded = name.lowercased()
        return existing.first { $0.lowercased() != folded && skeleton($0) == nameSkeleton }
    }

    /// The distinct scripts of the letters in `text`, in order of first appearance.
    ///
    /// Scripts are told apart by Unicode block: "Latin", "Greek", "Cyrillic", "Armenian",
    /// "Hebrew", "Arabic", "Devanagari", "Thai", "Georgian", "Hangul", "Hiragana", "Katakana",
    /// "Han", "Fullwidth Latin", or "Other". Digits, spaces, punctuation and combining marks
    /// have no script and are skipped.
    public static func scripts(of text: String) -> [String] {
        var result: [String] = []
        for (_, script) in scriptedLetters(in: text) where !result.contains(script) {
            result.append(script)
        }
        return result
    }

    /// A short warning when `text` mixes scripts, or `nil` when it uses a single script.
    ///
    /// The combinations that TR39's "highly restrictive" level allows are not reported: Latin,
    /// Han, Hiragana and Katakana together (Japanese), and Latin, Han and Hangul together
    /// (Korean). Otherwise the description lists the scripts and, for each script besides the
    /// dominant one (the one with the most letters), its first letter and that letter's
    /// 1-based character position, for example
    /// `mixed scripts: Cyrillic, Latin (Cyrillic: А at position 1)`.
    public static func mixedScriptDescription(_ text: String) -> String? {
        let letters = scriptedLetters(in: text)
        let found = scripts(of: text)
        guard found.count > 1,
            !allowedCombinations.contains(where: { Set(found).isSubset(of: $0) })
        else { return nil }
        let counts = Dictionary(letters.map { ($0.script, 1) }, uniquingKeysWith: +)
        // `max(by:)` returns the first of equal elements, so ties go to the earlier script.
        let dominant = found.max { counts[$0, default: 0] < counts[$1, default: 0] } ?? found[0]
        var details: [String] = []
        for script in found where script != dominant {
            let pair: Set = [dominant, script]
            if allowedCombinations.contains(where: { pair.isSubset(of: $0) }) { continue }
            let (position, character) = firstLetter(of: script, in: text)
            details.append("\(script): \(character) at position \(position)")
        }
        let list = found.joined(separator: ", ")
        return details.isEmpty
            ? "mixed scripts: \(list)"
            : "mixed scripts: \(list) (\(details.joined(separator: "; ")))"
    }

    // MARK: - Scripts

    /// Script sets that may be mixed in one name (TR39 "highly restrictive").
    private static let allowedCombinations: [Set<String>] = [
        ["Latin", "Han", "Hiragana", "Katakana"],
        ["Latin", "Han", "Hangul"],
    ]

    /// Each letter of `text` with its script, skipping characters that have none.
    private static func scriptedLetters(in text: String) -> [(character: Character, script: String)] {
        text.compactMap { character in
            guard let first = character.unicodeScalars.first, let script = script(of: first)
            else { return nil }
            return (character, script)
        }
    }

    /// The 1-based position and the character of the first letter of `script` in `text`.
    private static func firstLetter(of script: String, in text: String) -> (Int, Character) {
        for (offset, character) in text.enumerated() {
            if let first = character.unicodeScalars.first, self.script(of: first) == script {
                return (offset + 1, character)
            }
        }
        preconditionFailure("\(script) was found in the text")
    }

    /// The script of a letter scalar by block, or `nil` for a scalar that is not a letter.
    private static func script(of scalar: Unicode.Scalar) -> String? {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            break
        default:
            return nil
        }
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xAA...0x24F, 0x250...0x2AF, 0x1E00...0x1EFF,
            0x2C60...0x2C7F, 0xA720...0xA7FF, 0xAB30...0xAB6F:
            return "Latin"
        case 0x2B0...0x2FF: return nil  // spacing modifier letters (ʼ ˆ …) are script-neutral
        case 0x370...0x3FF, 0x1F00...0x1FFF: return "Greek"
        case 0x400...0x52F, 0x1C80...0x1C8F, 0x2DE0...0x2DFF, 0xA640...0xA69F: return "Cyrillic"
        case 0x530...0x58F, 0xFB13...0xFB17: return "Armenian"
        case 0x590...0x5FF, 0xFB1D...0xFB4F: return "Hebrew"
        case 0x600...0x6FF, 0x750...0x77F, 0x8A0...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF:
            return "Arabic"
        case 0x900...0x97F: return "Devanagari"
        case 0xE00...0xE7F: return "Thai"
        case 0x10A0...0x10FF, 0x1C90...0x1CBF: return "Georgian"
        case 0x1100...0x11FF, 0x3130...0x318F, 0xA960...0xA97F, 0xAC00...0xD7FF: return "Hangul"
        case 0x3040...0x309F: return "Hiragana"
        case 0x30A0...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: return "Katakana"
        case 0x3005...0x3007, 0x3038...0x303B, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF,
            0x20000...0x3FFFF:
            return "Han"
        case 0xFF21...0xFF3A, 0xFF41...0xFF5A: return "Fullwidth Latin"
        default: return "Other"
        }
    }

    // MARK: - Skeleton

    /// Zero-width and other default-ignorable scalars, which render as nothing.
    private static func isIgnorable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200B...0x200F, 0x2060...0x2064, 0xFEFF, 0xAD, 0x34F, 0x180E: return true
        default: return scalar.properties.isDefaultIgnorableCodePoint
        }
    }

    /// The prototype of `scalar`: fullwidth ASCII becomes ASCII, then look-alikes are replaced.
    private static func prototype(of scalar: Unicode.Scalar) -> String {
        var scalar = scalar
        if (0xFF01...0xFF5E).contains(scalar.value), let ascii = Unicode.Scalar(scalar.value - 0xFEE0) {
            scalar = ascii
        }
        return prototypes[scalar] ?? String(scalar)
    }

    /// Look-alikes of Latin letters and their prototypes (a subset of TR39's confusables.txt).
    private static let prototypes: [Unicode.Scalar: String] = [
        // Latin and ASCII: the l/I/1/| and o/O/0 families.
        "I": "l", "1": "l", "|": "l", "\u{01C0}": "l", "0": "o", "\u{0131}": "i", "\u{0261}": "g",
        // Cyrillic lowercase.
        "а": "a", "в": "b", "е": "e", "ѕ": "s", "і": "i", "ј": "j", "һ": "h", "к": "k", "м": "m",
        "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ԁ": "d", "ԛ": "q",
        "ԝ": "w", "ӏ": "l", "ѵ": "v", "ү": "y",
        // Cyrillic uppercase.
        "А": "A", "В": "B", "Е": "E", "З": "3", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "l", "Ј": "J", "Ү": "Y", "Ӏ": "l",
        "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W",
        // Greek lowercase.
        "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k", "χ": "x", "υ": "u",
        "ϲ": "c", "ϳ": "j",
        // Greek uppercase.
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "l", "Κ": "K", "Μ": "M", "Ν": "N",
        "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C",
    ]
}
