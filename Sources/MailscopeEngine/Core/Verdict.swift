import Foundation

/// A yes/no/not-tested verdict of a probe, as a step's status and word.
enum Verdict {
    /// The status of a verdict: verified, failed, or pending when nothing was tested.
    static func status(_ value: Bool?) -> StageStatus {
        switch value {
        case .some(true): .verified
        case .some(false): .failed
        case .none: .pending
        }
    }

    /// The word of a verdict; "not tested" when nothing was.
    static func word(_ value: Bool?, yes: String, no: String) -> String {
        switch value {
        case .some(true): yes
        case .some(false): no
        case .none: "not tested"
        }
    }
}
