/// Joining messages into prose: the one place where one sentence is appended to another, so a
/// message that already ends with a full stop never gets a second (`domain.. Fix:`).
public enum Prose {
    /// `parts` as consecutive sentences: each but the last ends with one full stop (added only
    /// when it does not already end a sentence), separated by a space. Empty parts are left out.
    public static func sentences(_ parts: String...) -> String {
        let kept = parts.map { $0.trimmingTrailingWhitespace() }.filter { !$0.isEmpty }
        return kept.enumerated().map { index, part in
            index == kept.count - 1 ? part : endingSentence(part)
        }.joined(separator: " ")
    }

    /// `text` ending a sentence: unchanged when it ends with `.`, `!`, `?` or `…` (perhaps
    /// followed by a closing quote or bracket), else with a full stop added.
    public static func endingSentence(_ text: String) -> String {
        let text = text.trimmingTrailingWhitespace()
        let closers: Set<Character> = ["\"", "'", ")", "]", "\u{201D}", "\u{2019}", "`"]
        let ends: Set<Character> = [".", "!", "?", "\u{2026}"]
        var body = Substring(text)
        while let last = body.last, closers.contains(last) { body.removeLast() }
        if let last = body.last, ends.contains(last) { return text }
        return text + "."
    }
}

extension String {
    fileprivate func trimmingTrailingWhitespace() -> String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
