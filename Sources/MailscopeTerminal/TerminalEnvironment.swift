import MailscopeTUI

/// The decisions made from the environment before any curses call, kept pure so they are tested.
public enum TerminalEnvironment {
    /// Why the wizard cannot run here, or `nil` when it can.
    /// - Parameters:
    ///   - inputIsTerminal: `isatty(0)`.
    ///   - outputIsTerminal: `isatty(1)`.
    ///   - term: the `TERM` variable.
    ///   - termIsUsable: whether terminfo knows `term` and it can address the cursor.
    public static func refusal(
        inputIsTerminal: Bool,
        outputIsTerminal: Bool,
        term: String?,
        termIsUsable: (String) -> Bool
    ) -> String? {
        let forScripts = "For scripts and pipes, use `mailscope apply` or `mailscope check` (see `mailscope --help`)."
        if !inputIsTerminal || !outputIsTerminal {
            let which =
                !inputIsTerminal && !outputIsTerminal
                ? "standard input and output are" : !inputIsTerminal ? "standard input is" : "standard output is"
            return "mailscope: the wizard needs a terminal, but \(which) not a terminal.\n\(forScripts)"
        }
        guard let term, !term.isEmpty else {
            return
                "mailscope: TERM is not set, so the wizard cannot draw. Set it (for example TERM=xterm-256color).\n\(forScripts)"
        }
        if term == "dumb" {
            return "mailscope: TERM=dumb cannot move the cursor, so the wizard cannot draw.\n\(forScripts)"
        }
        if !termIsUsable(term) {
            return
                "mailscope: the terminal type TERM=\(term) is unknown here (no terminfo entry with cursor addressing). Try TERM=xterm-256color.\n\(forScripts)"
        }
        return nil
    }

    /// When the terminal may ignore an OSC 52 copy, in a few words for the wizard's notice: under
    /// tmux (`TMUX` set) only with `set-clipboard on`; under GNU screen (`STY` set) not at all
    /// without a patched screen; elsewhere it depends on the terminal.
    public static func clipboardCaveat(tmux: String?, screen: String?) -> String {
        if !(tmux ?? "").isEmpty { return "tmux needs `set-clipboard on`" }
        if !(screen ?? "").isEmpty { return "GNU screen drops it" }
        return "some terminals ignore it"
    }

    /// Whether `NO_COLOR` asks for no colour: set and not empty (no-color.org).
    public static func noColorRequested(_ value: String?) -> Bool {
        !(value ?? "").isEmpty
    }

    /// The theme for the terminal and the options.
    /// - Parameters:
    ///   - codeset: `nl_langinfo(CODESET)` after `setlocale(LC_ALL, "")`.
    ///   - hasColors: curses' `has_colors()`.
    ///   - noColorVariable: the `NO_COLOR` variable.
    ///   - options: the wizard's options.
    public static func theme(
        codeset: String,
        hasColors: Bool,
        noColorVariable: String?,
        options: WizardOptions
    )
        -> Theme
    {
        let unicode = codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8" && !options.forceASCII
        let color = hasColors && !options.noColor && !noColorRequested(noColorVariable)
        return Theme.choose(colorAllowed: color, unicodeAllowed: unicode)
    }
}
