/// Where the parts of the screen go for a terminal size.
///
/// Every screen has a title bar (first row) and a key-hint footer (last row). Screens other than
/// the run screen show the stage list as a strip above the footer, so it is always visible.
struct Layout {
    /// The terminal size.
    let size: TerminalSize

    /// The rows of the stage strip: a rule and one row per stage.
    static let stripHeight = 7

    /// The footer row.
    var footerRow: Int { size.rows - 1 }
    /// The strip's rule row.
    var stripTop: Int { size.rows - 1 - Self.stripHeight }
    /// The content rows of a screen with the strip (the row above the strip holds notices).
    var content: Range<Int> { 1..<max(1, stripTop - 1) }
    /// The notice row of a screen with the strip.
    var noticeRow: Int { stripTop - 1 }
    /// The content rows of the run screen.
    var fullContent: Range<Int> { 1..<max(1, footerRow - 1) }
    /// The notice row of the run screen.
    var fullNoticeRow: Int { footerRow - 1 }
    /// The usable width inside a one-column margin on each side.
    var innerWidth: Int { size.columns - 2 }
}
