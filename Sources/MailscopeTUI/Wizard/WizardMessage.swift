import Foundation
import MailscopeEngine

/// Everything that can happen to the wizard. Time enters only as `.tick`, so tests are instant.
public enum WizardMessage: Sendable, Equatable {
    /// The runtime has started and asked the backend for a saved run.
    case launched(savedRun: SavedRunSummary?)
    /// The backend's saved run was read again (after the admin left a wait).
    case savedRunLoaded(SavedRunSummary?)
    /// A key press.
    case key(Key)
    /// Text pasted in one piece (a bracketed paste): it goes into the focused text field as one
    /// change, and its line breaks are text, never Enter.
    case paste(String)
    /// The terminal's size changed.
    case resize(TerminalSize)
    /// The clock ticked (at most once a second).
    case tick(Date)
    /// The backend reported progress.
    case backend(WizardUpdate)
    /// A signal (Ctrl-C, SIGTERM) ends the wizard: the runtime saves the run, then exits. Shown at
    /// once, so the admin is never left looking at an unchanged screen while the save goes on.
    case interrupted
}

/// What the wizard asks the runtime to do. `update` stays pure; the runtime performs these.
public enum WizardEffect: Sendable, Equatable {
    /// `WizardBackend.start(mode, answers:)`; its updates come back as `.backend` messages.
    case startRun(WizardRunMode, WizardAnswers)
    /// `WizardBackend.confirmPlan(accepted)`.
    case confirmPlan(Bool)
    /// `WizardBackend.finishShellStep(ran)`: the admin ran the step (`true`) or stops here (`false`).
    case finishShellStep(Bool)
    /// `WizardBackend.leaveWait()`: the wait is saved and the run ends `.suspended`.
    case leaveWait
    /// `WizardBackend.cancel()`: the run stops after saving what is known.
    case cancelRun
    /// `WizardBackend.savedRun()`, answered with `.savedRunLoaded`.
    case refreshSavedRun
    /// Put `text` on the terminal's clipboard with the OSC 52 escape.
    case copyToClipboard(String)
    /// Leave the wizard with this exit code (after the save hook).
    case quit(Int32)
}
