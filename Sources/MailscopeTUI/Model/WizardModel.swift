import Foundation
import MailscopeEngine

/// The screens of the wizard, in the order the admin meets them.
public enum WizardScreen: Sendable, Equatable {
    /// Choose a preset, re-check, or resume.
    case start
    /// A page of the form.
    case form(FormPage)
    /// Signing in (the device code, when there is one).
    case signIn
    /// The plan, before anything is written.
    case plan
    /// The stage list with sub-steps, the propagation wait and the outcome.
    case run
    /// Exchange Server: a step to run in the Exchange Management Shell, with its exact command.
    case shellStep
    /// The values for the vendor's product.
    case handOff
}

/// A question the wizard asks before doing something that cannot be taken back.
public enum Confirmation: Sendable, Equatable {
    /// Quit while a run is active.
    case quit
    /// Stop the run and go back to the form.
    case stopRun
    /// Leave the propagation wait (it is saved and resumes later).
    case leaveWait
}

/// A window drawn over the screen.
public enum WizardOverlay: Sendable, Equatable {
    /// Key help, with the focused field's explanation when there is one.
    case help(field: FormField?)
    /// A yes/no question.
    case confirm(Confirmation)
}

/// A short message shown until the next key press (or, for news of the run, until it moves on).
public struct Notice: Sendable, Equatable {
    /// The text.
    public var text: String
    /// How it is drawn.
    public var role: StyleRole

    /// Creates a notice.
    public init(_ text: String, role: StyleRole = .info, untilProgress: Bool = false) {
        self.text = text
        self.role = role
        self.untilProgress = untilProgress
    }

    /// Whether the notice is about a step the run is taking: it goes as soon as the run moves on
    /// (a stage settles, the next step or the wait starts, the run ends), not only on a key.
    public var untilProgress = false
}

/// The plan screen's buttons.
public enum PlanButton: Sendable, Equatable {
    /// Apply the plan.
    case apply
    /// End the run without writing.
    case decline
}

/// A start-screen choice.
public enum StartChoice: Sendable, Equatable {
    /// Resume the saved run.
    case resume
    /// Set up with a preset.
    case preset(String)
    /// Re-check an existing setup, changing nothing.
    case recheck
}

/// Everything the wizard shows and knows. A plain value: `update` changes it, `render` draws it.
public struct WizardModel: Sendable, Equatable {
    /// The screen shown.
    public var screen: WizardScreen = .start
    /// A window over the screen.
    public var overlay: WizardOverlay?
    /// The time of the last tick: every countdown is computed from it.
    public var now: Date
    /// The terminal's size.
    public var size: TerminalSize
    /// The time zone for clock times in the log.
    public var timeZone: TimeZone
    /// A label for the title bar, such as "DEMO · simulated tenant".
    public var environmentLabel: String?
    /// The command that resumes a saved run (`mailscope`; the demo's is `mailscope demo`).
    public var resumeCommand = "mailscope"
    /// A line for the sign-in screen, such as the demo's "the simulated tenant approves by itself".
    public var signInNote: String?
    /// When the terminal may ignore a copy (OSC 52), said with each copy: "tmux needs
    /// `set-clipboard on`" under tmux (the terminal adapter decides it from the environment).
    public var clipboardCaveat = "some terminals ignore it"
    /// Whether the backend's saved run has been asked for.
    public var hasLaunched = false
    /// The saved run the backend offers.
    public var savedRun: SavedRunSummary?
    /// The mode to enter at launch (from the command line), if any.
    public var initialMode: WizardRunMode?
    /// The highlighted start-screen choice.
    public var startSelection = 0
    /// The form.
    public var form: FormState
    /// Whether the form leads to a setup or a re-check.
    public var formMode: WizardRunMode = .setup
    /// The run in progress or the last one.
    public var run: RunState?
    /// The stage the admin moved to on the run screen (`nil`: follow the active stage).
    public var selectedStage: StageID?
    /// Whether the log pane replaces the screen's content.
    public var showsLog = false
    /// The first log line shown (`nil`: follow the end).
    public var logScroll: Int?
    /// The first plan line shown.
    public var planScroll = 0
    /// The first line of the Exchange Management Shell command shown.
    public var shellScroll = 0
    /// The focused plan button (`nil`: the plan itself scrolls).
    public var planFocus: PlanButton?
    /// The highlighted hand-off value.
    public var handOffSelection = 0
    /// Whether secrets on the hand-off screen have been hidden (after being shown once).
    public var secretsHidden = false
    /// The first help line shown.
    public var helpScroll = 0
    /// The search being typed in the log or the plan (`nil`: not searching).
    public var searchQuery: TextInput?
    /// The last text searched for (`/` then Enter finds its next match).
    public var lastSearch: String?
    /// A short message.
    public var notice: Notice?
    /// When the admin asked to quit while the backend saves; the wizard quits when the run ends,
    /// or after `quitGracePeriod` seconds.
    public var quitRequestedAt: Date?

    /// How long the wizard waits for the backend to save before quitting anyway.
    public static let quitGracePeriod: TimeInterval = 10

    /// A model at launch.
    /// - Parameters:
    ///   - now: the current time (later only ticks move it).
    ///   - size: the terminal's size.
    ///   - answers: initial answers (a preset's defaults when `nil`).
    ///   - mode: a mode to enter at once (`nil` shows the start screen).
    ///   - environmentLabel: a label for the title bar.
    ///   - timeZone: the time zone of clock times.
    public init(
        now: Date,
        size: TerminalSize,
        answers: WizardAnswers? = nil,
        mode: WizardRunMode? = nil,
        environmentLabel: String? = nil,
        timeZone: TimeZone = .current
    ) {
        self.now = now
        self.size = size
        self.timeZone = timeZone
        self.environmentLabel = environmentLabel
        initialMode = mode
        let defaults = WizardAnswers(preset: Preset.all[0], tenant: "")
        form = FormState(answers: answers ?? defaults)
        if let answers, let index = Preset.all.firstIndex(where: { $0.id == answers.presetID }) {
            startSelection = index
        }
    }

    /// The start-screen choices, in order.
    public var startChoices: [StartChoice] {
        (savedRun == nil ? [] : [.resume]) + Preset.all.map { .preset($0.id) } + [.recheck]
    }

    /// Whether a run is active (the backend works on it).
    public var isRunActive: Bool { run?.phase.isActive ?? false }

    /// The exit status of quitting now: 1 when the last run stopped on a failed stage (a script
    /// or the admin's shell sees that it did not work), else 0. A declined plan is not a failure.
    public var quitStatus: Int32 {
        guard let run, case .finished(.failed) = run.phase,
            run.reports.values.contains(where: { $0.status == .failed })
        else { return 0 }
        return 1
    }

    /// The stage the run screen expands: the admin's choice, else the one that changed last.
    public var focusedStage: StageID? {
        if let selectedStage { return selectedStage }
        guard let run else { return nil }
        if let failed = StageID.allCases.first(where: { run.status(of: $0) == .failed }) { return failed }
        return run.lastUpdatedStage
    }
}
