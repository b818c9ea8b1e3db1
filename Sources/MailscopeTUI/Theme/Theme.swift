import MailscopeEngine

/// A terminal colour (the eight ANSI colours).
public enum TerminalColor: Int, Sendable, CaseIterable {
    case black, red, green, yellow, blue, magenta, cyan, white
}

/// How a role looks on the screen: what the terminal adapter turns into attributes.
public struct CellStyle: Sendable, Hashable {
    /// The foreground colour, or the terminal's default.
    public var foreground: TerminalColor?
    /// Bold.
    public var isBold: Bool
    /// Reverse video.
    public var isReverse: Bool
    /// Underlined.
    public var isUnderlined: Bool
    /// Dim.
    public var isDim: Bool

    /// Creates a style.
    public init(
        foreground: TerminalColor? = nil,
        isBold: Bool = false,
        isReverse: Bool = false,
        isUnderlined: Bool = false,
        isDim: Bool = false
    ) {
        self.foreground = foreground
        self.isBold = isBold
        self.isReverse = isReverse
        self.isUnderlined = isUnderlined
        self.isDim = isDim
    }

    /// The terminal's default look.
    public static let plain = CellStyle()
}

/// The wizard's look: colour or monochrome, Unicode or ASCII glyphs.
public struct Theme: Sendable, Equatable {
    /// Whether roles use colours or only attributes.
    public enum Palette: String, Sendable {
        /// Colours plus attributes.
        case color
        /// Bold, reverse, underline and dim only (`NO_COLOR`, `--no-color`, terminals without colour).
        case mono
    }

    /// The palette.
    public var palette: Palette
    /// The glyphs.
    public var glyphs: Glyphs

    /// Creates a theme.
    public init(palette: Palette, glyphs: Glyphs) {
        self.palette = palette
        self.glyphs = glyphs
    }

    /// Colour with Unicode glyphs.
    public static let color = Theme(palette: .color, glyphs: .unicode)
    /// Monochrome with Unicode glyphs.
    public static let mono = Theme(palette: .mono, glyphs: .unicode)
    /// Colour with ASCII glyphs (a terminal whose locale is not UTF-8).
    public static let ascii = Theme(palette: .color, glyphs: .ascii)

    /// Picks a theme from what the terminal and the admin allow.
    /// - Parameters:
    ///   - colorAllowed: colours are available and neither `NO_COLOR` nor `--no-color` is set.
    ///   - unicodeAllowed: the locale's character set is UTF-8 and ASCII was not forced.
    public static func choose(colorAllowed: Bool, unicodeAllowed: Bool) -> Theme {
        Theme(palette: colorAllowed ? .color : .mono, glyphs: unicodeAllowed ? .unicode : .ascii)
    }

    /// How `role` looks. In mono every role that carries meaning keeps an attribute.
    public func style(for role: StyleRole) -> CellStyle {
        switch (palette, role) {
        case (_, .normal): .plain
        case (_, .title): CellStyle(isBold: true, isReverse: true)
        case (_, .selected): CellStyle(isBold: true, isReverse: true)
        case (_, .cursor): CellStyle(isReverse: true)
        case (.color, .dim): CellStyle(isDim: true)
        case (.color, .strong): CellStyle(isBold: true)
        case (.color, .input): CellStyle(isUnderlined: true)
        case (.color, .focusedInput): CellStyle(foreground: .cyan, isUnderlined: true)
        case (.color, .success): CellStyle(foreground: .green)
        case (.color, .warning): CellStyle(foreground: .yellow, isBold: true)
        case (.color, .failure): CellStyle(foreground: .red, isBold: true)
        case (.color, .info): CellStyle(foreground: .cyan)
        case (.color, .key): CellStyle(foreground: .cyan, isBold: true)
        case (.color, .code): CellStyle(foreground: .magenta, isBold: true)
        case (.mono, .dim): CellStyle(isDim: true)
        case (.mono, .strong): CellStyle(isBold: true)
        case (.mono, .input): CellStyle(isUnderlined: true)
        case (.mono, .focusedInput): CellStyle(isBold: true, isUnderlined: true)
        case (.mono, .success): CellStyle(isBold: true)
        case (.mono, .warning): CellStyle(isBold: true, isUnderlined: true)
        case (.mono, .failure): CellStyle(isBold: true, isReverse: true)
        case (.mono, .info): .plain
        case (.mono, .key): CellStyle(isBold: true)
        case (.mono, .code): CellStyle(isBold: true)
        }
    }

    /// The role a status is drawn in.
    public static func role(for status: StageStatus) -> StyleRole {
        switch status {
        case .pending, .skipped: .dim
        case .checking, .applying: .info
        case .needsChange, .waiting, .notVerified: .warning
        case .verified: .success
        case .failed: .failure
        }
    }
}
