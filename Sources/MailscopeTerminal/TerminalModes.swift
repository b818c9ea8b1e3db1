import CTerminalShims

/// Terminal modes the wizard turns on while it runs, and off on every way out.
enum TerminalModes {
    /// Turns on bracketed paste (`ESC[?2004h`): the terminal wraps a paste in `ESC[200~` …
    /// `ESC[201~`, so pasted line breaks are text, not Enter. Also arranges that it is turned off at
    /// `exit()` and on a crash, where no Swift code runs.
    static func enable() { mailscope_set_bracketed_paste(1) }

    /// Turns bracketed paste off (`ESC[?2004l`), once.
    static func disable() { mailscope_set_bracketed_paste(0) }
}
