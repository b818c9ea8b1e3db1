import Foundation
import MailscopeCore
import MicrosoftClients

/// EWS refused the service account's sign-in (401) while reading a stage after the service account.
struct ServiceAccountSignInRefused: Error, Sendable {
    var stage: StageID
}

/// A shell step that was handed over but not run (no one at the shell): the stage waits for it.
struct ShellStepNotRun: Error, Sendable {
    var step: ShellStep
    var reason: String
}

/// What one impersonation probe over EWS saw: `GetFolder` (calendar) as the service account with
/// `ExchangeImpersonation` of a mailbox that must be reachable and of one that must not be.
struct ServerProbe: Sendable {
    /// The mailbox inside the scope, as configured, and what impersonating it answered.
    var inScope: (mailbox: String, result: Result<EWSFolder, EWSResponseError>)?
    /// The mailbox outside the scope, and what impersonating it answered.
    var outOfScope: (mailbox: String, result: Result<EWSFolder, EWSResponseError>)?
    /// One line per request, for the evidence.
    var lines: [String]
    /// When it ran.
    var at: Date

    /// Whether the in-scope mailbox was reached.
    var inScopeAllowed: Bool? { Self.allowed(inScope?.result) }
    /// Whether the out-of-scope mailbox was refused.
    var outOfScopeDenied: Bool? { Self.allowed(outOfScope?.result).map { !$0 } }
    /// The error the in-scope probe got, if any.
    var inScopeError: EWSResponseError? {
        if case .failure(let error)? = inScope?.result { return error }
        return nil
    }

    /// true for success, false for an impersonation refusal, nil for anything else (no verdict).
    static func allowed(_ result: Result<EWSFolder, EWSResponseError>?) -> Bool? {
        switch result {
        case .success?: true
        case .failure(let error)?:
            ["ErrorImpersonateUserDenied", "ErrorImpersonationDenied"].contains(error.code) ? false : nil
        case nil: nil
        }
    }
}
