import Foundation

/// How times and durations are written on screen.
enum TimeText {
    /// A countdown or elapsed time: `4:05`, `1:02:03`; negative values show as `0:00`.
    static func clock(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds.rounded(.down)))
        let hours = total / 3600
        let minutes = (total % 3600) / 60
        let secs = total % 60
        if hours > 0 { return "\(hours):\(two(minutes)):\(two(secs))" }
        return "\(minutes):\(two(secs))"
    }

    /// A rounded duration in words: `30 min`, `2 h`, `1 h 30 min`, `45 s`.
    static func duration(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds.rounded()))
        if total < 60 { return "\(total) s" }
        let minutes = total / 60
        if minutes < 60 { return "\(minutes) min" }
        let hours = minutes / 60
        let rest = minutes % 60
        return rest == 0 ? "\(hours) h" : "\(hours) h \(rest) min"
    }

    /// A clock time of day, `14:03:09`, in `timeZone`.
    static func timeOfDay(_ date: Date, in timeZone: TimeZone) -> String {
        // Arithmetic on the zone's offset: building a Calendar for each time on each frame was
        // a large share of the cost of redrawing the wait screen once a second.
        let local = Int((date.timeIntervalSince1970).rounded(.down)) + timeZone.secondsFromGMT(for: date)
        let seconds = ((local % 86_400) + 86_400) % 86_400
        return "\(two(seconds / 3600)):\(two(seconds % 3600 / 60)):\(two(seconds % 60))"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
