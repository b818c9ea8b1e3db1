import CNCursesW
import CTerminalShims
import Foundation
import MailscopeTUI

/// The only code that talks to ncurses: opens the screen, writes the cells that changed, reads
/// keys, and restores the terminal. Confined to the main actor (curses is not thread-safe).
@MainActor
final class CursesScreen: WizardOutput {
    /// The theme frames are drawn with (decided after the screen opens).
    private(set) var theme: Theme = .mono
    /// The frame on the screen now (`nil`: unknown, the next frame is written whole).
    private var shown: Canvas?
    private var screen: OpaquePointer?
    private var attributes: [StyleRole: attr_t] = [:]
    private var decoder = KeyDecoder()

    /// Whether the screen is open.
    var isOpen: Bool { screen != nil }

    /// Opens the screen on the process's terminal.
    /// - Returns: `nil`, or why the terminal could not be set up.
    func open(term: String, options: WizardOptions, noColorVariable: String?) -> String? {
        setlocale(LC_ALL, "")
        guard let screen = mailscope_newterm(term) else {
            return "mailscope: cannot initialise the terminal (TERM=\(term))."
        }
        self.screen = screen
        _ = set_term(screen)
        cbreak()
        noecho()
        nonl()
        let window = mailscope_stdscr()
        keypad(window, true)
        nodelay(window, true)
        _ = set_escdelay(25)
        curs_set(0)
        TerminalModes.enable()
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        theme = TerminalEnvironment.theme(
            codeset: codeset,
            hasColors: has_colors(),
            noColorVariable: noColorVariable,
            options: options
        )
        if theme.palette == .color {
            start_color()
            use_default_colors()
            for color in TerminalColor.allCases {
                init_pair(Int16(color.rawValue + 1), Int16(color.rawValue), -1)
            }
        }
        for role in StyleRole.allCases { attributes[role] = attribute(for: theme.style(for: role)) }
        clear()
        return nil
    }

    /// The terminal's size as curses knows it.
    var size: TerminalSize {
        TerminalSize(columns: Int(mailscope_columns()), rows: Int(mailscope_lines()))
    }

    /// Tells curses the terminal's new size (after SIGWINCH) and returns it.
    func resizeToTerminal() -> TerminalSize {
        var rows: Int32 = 0
        var columns: Int32 = 0
        if mailscope_window_size(STDOUT_FILENO, &rows, &columns) == 0, rows > 0, columns > 0 {
            resizeterm(rows, columns)
        }
        return size
    }

    /// Writes the cells of `canvas` that differ from the frame on the screen.
    func draw(_ canvas: Canvas) {
        guard isOpen else { return }
        if shown?.size != canvas.size || canvas.size != size {
            erase()
            shown = nil
        }
        let window = mailscope_stdscr()
        for run in canvas.changes(since: shown) {
            let attribute = attributes[run.role] ?? mailscope_attr_normal()
            wattrset(window, Int32(truncatingIfNeeded: attribute))
            mvwaddstr(window, Int32(run.row), Int32(run.column), run.text)
        }
        wattrset(window, Int32(truncatingIfNeeded: mailscope_attr_normal()))
        wrefresh(window)
        shown = canvas
    }

    /// Forgets the frame on the screen, so the next one is written whole (after a resize).
    func invalidate() {
        shown = nil
        clearok(mailscope_stdscr(), true)
    }

    /// Sends `text` to the terminal's clipboard with OSC 52 (terminals that do not allow it ignore it).
    func copyToClipboard(_ text: String) {
        let payload = Data(text.utf8).base64EncodedString()
        let sequence = "\u{1B}]52;c;\(payload)\u{07}"
        _ = mailscope_write_stdout(sequence, UInt(sequence.utf8.count))
    }

    /// Reads what is waiting (the input is non-blocking), at most `limit` characters at a time.
    /// - Returns: the inputs, and whether anything at all was read (a paste in progress yields
    ///   nothing until it ends, yet the input is alive).
    func readInputs(limit: Int = 16_384) -> (inputs: [TerminalInput], readSomething: Bool) {
        var inputs: [TerminalInput] = []
        var reads = 0
        while reads < limit {
            var character: wint_t = 0
            let status = get_wch(&character)
            if status == KEY_CODE_YES {
                inputs += decoder.decode(.functionKey(Int32(character)))
            } else if status == OK {
                inputs += decoder.decode(.character(UInt32(character)))
            } else {
                inputs += decoder.endOfInput()
                break
            }
            reads += 1
        }
        return (inputs, reads > 0)
    }

    /// Restores the terminal (idempotent).
    func close() {
        guard let screen else { return }
        wattrset(mailscope_stdscr(), Int32(truncatingIfNeeded: mailscope_attr_normal()))
        erase()
        wrefresh(mailscope_stdscr())
        curs_set(1)
        endwin()
        TerminalModes.disable()
        delscreen(screen)
        self.screen = nil
        fflush(nil)
    }

    private func attribute(for style: CellStyle) -> attr_t {
        var value = mailscope_attr_normal()
        if style.isBold { value |= mailscope_attr_bold() }
        if style.isReverse { value |= mailscope_attr_reverse() }
        if style.isUnderlined { value |= mailscope_attr_underline() }
        if style.isDim { value |= mailscope_attr_dim() }
        if let color = style.foreground, theme.palette == .color {
            value |= mailscope_color_pair(Int16(color.rawValue + 1))
        }
        return value
    }
}
