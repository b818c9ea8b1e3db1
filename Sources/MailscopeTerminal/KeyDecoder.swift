import CNCursesW
import CTerminalShims
import MailscopeTUI

/// What one `get_wch` call delivered.
public enum TerminalInput: Equatable, Sendable {
    /// A key.
    case key(Key)
    /// The terminal was resized (`KEY_RESIZE`).
    case resize
    /// Something the wizard does not use.
    case ignored
}

/// Turns `get_wch` results into keys.
public enum KeyDecoder {
    /// Decodes a function-key code (`get_wch` returned `KEY_CODE_YES`).
    public static func decode(functionKey code: Int32) -> TerminalInput {
        switch code {
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_BTAB: return .key(.backTab)
        case KEY_ENTER: return .key(.enter)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case KEY_RESIZE: return .resize
        default:
            let f0 = mailscope_key_f(0)
            if code > f0 && code <= f0 + 24 { return .key(.function(Int(code - f0))) }
            return .ignored
        }
    }

    /// Decodes a character (`get_wch` returned `OK`).
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
