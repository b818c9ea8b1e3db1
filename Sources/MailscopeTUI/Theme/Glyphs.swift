import MailscopeEngine

/// The symbols the wizard draws. Each status glyph comes with its word (`StageStatus.label`), so a
/// glyph is decoration, never the only sign of a state.
public struct Glyphs: Sendable, Equatable {
    /// Whether these glyphs are plain ASCII (for terminals whose locale is not UTF-8).
    public var isASCII: Bool

    /// Box-drawing and Unicode symbols.
    public static let unicode = Glyphs(isASCII: false)
    /// ASCII only.
    public static let ascii = Glyphs(isASCII: true)

    /// The glyph of a status; every glyph of a set has the same width (`statusWidth`).
    public func status(_ status: StageStatus) -> String {
        switch (status, isASCII) {
        case (.pending, false): "·"
        case (.checking, false): "◌"
        case (.needsChange, false): "✎"
        case (.applying, false): "▶"
        case (.waiting, false): "◷"
        case (.verified, false): "✔"
        case (.notVerified, false): "◑"
        case (.failed, false): "✖"
        case (.skipped, false): "–"
        case (.pending, true): "[  ]"
        case (.checking, true): "[..]"
        case (.needsChange, true): "[!!]"
        case (.applying, true): "[>>]"
        case (.waiting, true): "[~~]"
        case (.verified, true): "[ok]"
        case (.notVerified, true): "[??]"
        case (.failed, true): "[x] "
        case (.skipped, true): "[--]"
        }
    }

    /// The columns of a status glyph.
    public var statusWidth: Int { isASCII ? 4 : 1 }

    /// A yes/no/unknown mark for poll evidence.
    public func mark(_ value: Bool?) -> String {
        switch (value, isASCII) {
        case (.some(true), false): "✔"
        case (.some(false), false): "✖"
        case (.none, false): "·"
        case (.some(true), true): "[ok]"
        case (.some(false), true): "[x] "
        case (.none, true): "[  ]"
        }
    }

    /// A horizontal rule segment.
    public var horizontalLine: String { isASCII ? "-" : "─" }
    /// A vertical rule segment.
    public var verticalLine: String { isASCII ? "|" : "│" }
    /// Box corners: top-left, top-right, bottom-left, bottom-right.
    public var corners: (String, String, String, String) { isASCII ? ("+", "+", "+", "+") : ("┌", "┐", "└", "┘") }
    /// The filled part of a progress bar.
    public var barFilled: String { isASCII ? "#" : "█" }
    /// The empty part of a progress bar.
    public var barEmpty: String { isASCII ? "." : "░" }
    /// The marker of the expected window's start on a progress bar.
    public var barMarker: String { isASCII ? "|" : "┊" }
    /// The end of a cut text.
    public var ellipsis: String { isASCII ? "..." : "…" }
    /// The pointer before a highlighted choice.
    public var pointer: String { isASCII ? ">" : "▶" }
    /// The marker before the focused stage (distinct from the "applying" glyph).
    public var focusMarker: String { isASCII ? ">" : "›" }
    /// The arrows around a choice value.
    public var choiceArrows: (String, String) { isASCII ? ("<", ">") : ("‹", "›") }
    /// A separator between short items.
    public var dot: String { isASCII ? "-" : "·" }
    /// The dash between a range's ends.
    public var rangeDash: String { isASCII ? "-" : "–" }
    /// Up and down arrows as a key label.
    public var upDown: String { isASCII ? "Up/Down" : "↑↓" }
    /// Left and right arrows as a key label.
    public var leftRight: String { isASCII ? "Left/Right" : "←→" }
}
