/// A key press, decoded by the terminal adapter.
public enum Key: Sendable, Hashable {
    /// A printable character.
    case character(Character)
    /// A control combination, such as Ctrl-U (`.control("u")`).
    case control(Character)
    /// Arrow up.
    case up
    /// Arrow down.
    case down
    /// Arrow left.
    case left
    /// Arrow right.
    case right
    /// Home.
    case home
    /// End.
    case end
    /// Page up.
    case pageUp
    /// Page down.
    case pageDown
    /// Tab.
    case tab
    /// Shift-Tab.
    case backTab
    /// Enter or Return.
    case enter
    /// Escape.
    case escape
    /// Backspace.
    case backspace
    /// Delete.
    case delete
    /// A function key (`F1` is `.function(1)`).
    case function(Int)
}
