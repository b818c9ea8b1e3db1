import MailscopeEngine
import MailscopeTUI

/// How `runWizard` starts and ends.
public struct WizardOptions: Sendable {
    /// Draw without colours (`--no-color`); a non-empty `NO_COLOR` does the same.
    public var noColor: Bool
    /// Use ASCII glyphs even when the locale is UTF-8 (`--ascii`).
    public var forceASCII: Bool
    /// Answers to fill the form with (a preset's defaults when `nil`).
    public var initialAnswers: WizardAnswers?
    /// A mode to enter at once: `.setup` opens the form, `.recheck` re-checks when the answers
    /// are complete, `.resume` resumes the saved run. `nil` shows the start screen.
    public var initialMode: WizardRunMode?
    /// A label for the title bar, such as "DEMO · simulated tenant".
    public var environmentLabel: String?
    /// A line shown on the device-code sign-in screen (the demo explains that nothing needs opening).
    public var signInNote: String?
    /// The command that resumes a saved run, as the wizard names it (`mailscope demo` for the demo).
    public var resumeCommand = "mailscope"
    /// Called before the terminal is restored on every exit path (quit, SIGINT, SIGTERM, SIGHUP,
    /// closed input), after the backend was asked to save the run.
    public var saveOnExit: @Sendable () async -> Void

    /// Creates options.
    public init(
        noColor: Bool = false,
        forceASCII: Bool = false,
        initialAnswers: WizardAnswers? = nil,
        initialMode: WizardRunMode? = nil,
        environmentLabel: String? = nil,
        signInNote: String? = nil,
        saveOnExit: @escaping @Sendable () async -> Void = {}
    ) {
        self.noColor = noColor
        self.forceASCII = forceASCII
        self.initialAnswers = initialAnswers
        self.initialMode = initialMode
        self.environmentLabel = environmentLabel
        self.signInNote = signInNote
        self.saveOnExit = saveOnExit
    }
}

/// Exit codes of `runWizard`.
public enum WizardExitCode {
    /// The admin quit (or finished).
    public static let success: Int32 = 0
    /// The terminal could not be set up.
    public static let terminalFailure: Int32 = 1
    /// Refused: not a terminal, or TERM unusable. The message points to `apply`/`check`.
    public static let refused: Int32 = 2
    /// Ended by a signal: 128 + the signal number (SIGHUP 129, SIGINT 130, SIGTERM 143).
    public static func signal(_ number: Int32) -> Int32 { 128 + number }
}
