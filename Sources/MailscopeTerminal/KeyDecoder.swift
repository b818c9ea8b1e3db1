import CNCursesW
import CTerminalShims
import MailscopeTUI

/// What the terminal delivered, decoded.
public enum TerminalInput: Equatable, Sendable {
    /// A key.
    case key(Key)
    /// A bracketed paste (`ESC[200~` … `ESC[201~`): the text, as one message.
    case paste(String)
    /// The terminal was resized (`KEY_RESIZE`).
    case resize
    /// Something the wizard does not use (an unknown escape sequence, an unused key).
    case ignored
}

/// One result of `get_wch`.
public enum RawInput: Equatable, Sendable {
    /// A character (`get_wch` returned `OK`).
    case character(UInt32)
    /// A key curses decoded from terminfo (`get_wch` returned `KEY_CODE_YES`).
    case functionKey(Int32)
}

/// Turns what `get_wch` returns into keys and pastes.
///
/// curses decodes the escape sequences terminfo lists for `TERM`. Terminals often send others
/// (PuTTY and tmux send `ESC[1~`/`ESC[4~` for Home/End where xterm's terminfo says `ESC OH`;
/// Shift-Tab is `ESC[Z` even under `TERM=vt100`), which curses hands over byte by byte. This
/// decoder reads those itself: it knows the common CSI and SS3 keys, treats every other complete
/// sequence as nothing (never as Esc), and collects a bracketed paste into one `.paste`.
public struct KeyDecoder: Sendable {
    private static let escape: UInt32 = 27
    private static let pasteStart: [UInt32] = Array("\u{1B}[200~".unicodeScalars.map(\.value))
    private static let pasteEnd: [UInt32] = Array("\u{1B}[201~".unicodeScalars.map(\.value))
    /// A paste longer than this is cut (a runaway paste must not exhaust memory).
    public static let maximumPasteScalars = 1 << 20

    /// An escape sequence being read (starts with ESC).
    private var pending: [UInt32] = []
    /// Inside a bracketed paste: what was pasted so far.
    private var pasted: [UInt32]?

    /// Creates a decoder.
    public init() {}

    /// Whether a bracketed paste has started and not yet ended.
    public var isInPaste: Bool { pasted != nil }

    /// Decodes one input; returns what is complete so far (an escape sequence may need more).
    public mutating func decode(_ raw: RawInput) -> [TerminalInput] {
        if pasted != nil { return continuePaste(raw) }
        switch raw {
        case .functionKey(let code):
            if pending.isEmpty { return [Self.decode(functionKey: code)] }
            // A key curses knows after an ESC it did not: the ESC was a key of its own.
            let flushed = flushPending()
            return flushed + [Self.decode(functionKey: code)]
        case .character(let value):
            return decode(character: value)
        }
    }

    /// Called when the input read found nothing more: a lone ESC is the Esc key (curses has
    /// already waited `ESCDELAY` for what might follow it). A sequence cut short waits for the rest.
    public mutating func endOfInput() -> [TerminalInput] {
        guard pasted == nil, pending == [Self.escape] else { return [] }
        pending = []
        return [.key(.escape)]
    }

    private mutating func decode(character value: UInt32) -> [TerminalInput] {
        if pending.isEmpty {
            if value == Self.escape {
                pending = [value]
                return []
            }
            return [Self.decode(character: value)]
        }
        if pending.count == 1 {  // after ESC
            switch value {
            case 0x5B, 0x4F:  // "[" CSI, "O" SS3
                pending.append(value)
                return []
            case Self.escape:
                return [.key(.escape)]  // ESC ESC: the first was a key; the second may start a sequence
            default:
                // Alt+key or Esc typed quickly before a key: Esc, then the key (as before).
                pending = []
                return [.key(.escape), Self.decode(character: value)]
            }
        }
        let isCSI = pending[1] == 0x5B
        if isCSI && pending.count == 2 && value == 0x5B {  // ESC [ [ A: the Linux console's F1–F5
            pending.append(value)
            return []
        }
        if isCSI && !(pending.count == 3 && pending[2] == 0x5B) && (0x20...0x3F).contains(value) {
            pending.append(value)  // parameter and intermediate bytes
            if pending.count > 32 {  // not a sequence anyone sends: drop it
                pending = []
                return [.ignored]
            }
            return []
        }
        if (0x40...0x7E).contains(value) {  // the final byte
            let sequence = pending + [value]
            pending = []
            if sequence == Self.pasteStart {
                pasted = []
                return []
            }
            return [Self.decode(sequence: sequence)]
        }
        // A control character or text inside a sequence: the sequence is broken; drop it.
        pending = []
        return [.ignored] + decode(character: value)
    }

    private mutating func flushPending() -> [TerminalInput] {
        defer { pending = [] }
        return pending == [Self.escape] ? [.key(.escape)] : [.ignored]
    }

    private mutating func continuePaste(_ raw: RawInput) -> [TerminalInput] {
        guard case .character(let value) = raw, let count = pasted?.count else { return [] }
        if count < Self.maximumPasteScalars + Self.pasteEnd.count { pasted?.append(value) }  // in place
        guard value == 0x7E, let text = pasted, text.count >= Self.pasteEnd.count,
            text[(text.count - Self.pasteEnd.count)...].elementsEqual(Self.pasteEnd)
        else { return [] }
        pasted = nil
        let scalars = text.dropLast(Self.pasteEnd.count).prefix(Self.maximumPasteScalars)
        var string = ""
        string.unicodeScalars.append(contentsOf: scalars.compactMap(Unicode.Scalar.init))
        return [.paste(string)]
    }

    /// The key a final letter names in both CSI and SS3 sequences (arrows, Home/End, F1–F4).
    static func letterKey(_ final: Unicode.Scalar) -> Key? {
        switch final {
        case "A": .up
        case "B": .down
        case "C": .right
        case "D": .left
        case "H": .home
        case "F": .end
        case "P": .function(1)
        case "Q": .function(2)
        case "R": .function(3)
        case "S": .function(4)
        default: nil
        }
    }

    /// What a complete CSI (`ESC [ … final`) or SS3 (`ESC O final`) sequence means.
    public static func decode(sequence: [UInt32]) -> TerminalInput {
        guard sequence.count >= 3, let final = sequence.last, let finalScalar = Unicode.Scalar(final) else {
            return .ignored
        }
        if sequence[1] == 0x4F {  // SS3
            if finalScalar == "M" { return .key(.enter) }
            return letterKey(finalScalar).map(TerminalInput.key) ?? .ignored
        }
        if sequence.count == 4 && sequence[2] == 0x5B {  // ESC [ [ A … E (Linux console)
            guard (0x41...0x45).contains(final) else { return .ignored }
            return .key(.function(Int(final) - 0x40))
        }
        let body = String(String.UnicodeScalarView(sequence[2..<(sequence.count - 1)].compactMap(Unicode.Scalar.init)))
        guard body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ";") }) else {
            return .ignored  // private sequences (`ESC[?…`, `ESC[>…`): not keys
        }
        let parameters = body.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        let first = parameters.first.flatMap { $0 }
        if let key = letterKey(finalScalar) { return .key(key) }
        switch finalScalar {
        case "Z": return .key(.backTab)
        case "~":
            switch first {
            case 1, 7: return .key(.home)
            case 4, 8: return .key(.end)
            case 3: return .key(.delete)
            case 5: return .key(.pageUp)
            case 6: return .key(.pageDown)
            case .some(let number) where (11...15).contains(number): return .key(.function(number - 10))
            case .some(let number) where (17...21).contains(number): return .key(.function(number - 11))
            case .some(let number) where (23...26).contains(number): return .key(.function(number - 12))
            default: return .ignored  // Insert (2), a stray paste end (201), unknown
            }
        default:
            return .ignored
        }
    }

    /// Decodes a function-key code (`get_wch` returned `KEY_CODE_YES`): every key terminfo can
    /// name, including the extended ones (`kHOM5`, `kUP3`, …) looked up by name.
    public static func decode(functionKey code: Int32) -> TerminalInput {
        switch code {
        case KEY_UP, KEY_SR: return .key(.up)
        case KEY_DOWN, KEY_SF: return .key(.down)
        case KEY_LEFT, KEY_SLEFT: return .key(.left)
        case KEY_RIGHT, KEY_SRIGHT: return .key(.right)
        case KEY_HOME, KEY_SHOME, KEY_BEG, KEY_SBEG, KEY_FIND, KEY_SFIND, KEY_A1: return .key(.home)
        case KEY_END, KEY_SEND, KEY_SELECT, KEY_LL, KEY_C1: return .key(.end)
        case KEY_PPAGE, KEY_PREVIOUS, KEY_SPREVIOUS, KEY_A3: return .key(.pageUp)
        case KEY_NPAGE, KEY_NEXT, KEY_SNEXT, KEY_C3: return .key(.pageDown)
        case KEY_BTAB: return .key(.backTab)
        case KEY_ENTER: return .key(.enter)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC, KEY_SDC: return .key(.delete)
        case KEY_RESIZE: return .resize
        default:
            let f0 = mailscope_key_f(0)
            if code > f0 && code <= f0 + 24 { return .key(.function(Int(code - f0))) }
            guard code > KEY_MAX, let name = keyname(code) else { return .ignored }
            return decode(functionKeyNamed: String(cString: name))
        }
    }

    /// Decodes an extended terminfo key by its capability name (`kHOM5` is Ctrl-Home: Home).
    public static func decode(functionKeyNamed name: String) -> TerminalInput {
        let stems: [(String, Key)] = [
            ("kUP", .up), ("kDN", .down), ("kLFT", .left), ("kRIT", .right), ("kHOM", .home), ("kEND", .end),
            ("kPRV", .pageUp), ("kNXT", .pageDown), ("kDC", .delete),
        ]
        for (stem, key) in stems where name.hasPrefix(stem) {
            if name.dropFirst(stem.count).allSatisfy(\.isNumber) { return .key(key) }
        }
        return .ignored
    }

    /// Decodes a character (`get_wch` returned `OK`) outside an escape sequence.
    public static func decode(character value: UInt32) -> TerminalInput {
        switch value {
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 1...26:
            guard let scalar = Unicode.Scalar(value + 96) else { return .ignored }
            return .key(.control(Character(scalar)))
        case 0..<32, 0x7F..<0xA0:
            return .ignored
        default:
            guard let scalar = Unicode.Scalar(value) else { return .ignored }
            return .key(.character(Character(scalar)))
        }
    }
}
