/// What a cell means, not how it looks: the theme decides colours and attributes per role, so
/// the wizard's views never name a colour and the mono theme can keep every distinction.
public enum StyleRole: String, Sendable, CaseIterable {
    /// Ordinary text.
    case normal
    /// Secondary text (explanations, timestamps).
    case dim
    /// Headings and emphasised words.
    case strong
    /// The title bar.
    case title
    /// The selected row of a list or the focused button.
    case selected
    /// A text input.
    case input
    /// The focused text input.
    case focusedInput
    /// The text cursor inside the focused input.
    case cursor
    /// A success (verified, valid).
    case success
    /// Something the admin should look at (needs change, waiting).
    case warning
    /// A failure or an invalid value.
    case failure
    /// Activity and information (checking, applying, notices).
    case info
    /// A key name in hints and help.
    case key
    /// Literal text to copy: the device code, URLs, PowerShell, hand-off values.
    case code

    /// One character per role for the style-mask text used in tests.
    public var maskCharacter: Character {
        switch self {
        case .normal: " "
        case .dim: "d"
        case .strong: "b"
        case .title: "T"
        case .selected: "S"
        case .input: "i"
        case .focusedInput: "I"
        case .cursor: "C"
        case .success: "g"
        case .warning: "y"
        case .failure: "r"
        case .info: "c"
        case .key: "k"
        case .code: "p"
        }
    }
}
