import MailscopeEngine

/// The members field read as a list: one entry a line in the editor, though a list separated by
/// line breaks, commas, semicolons or spaces is accepted. Entries are deduplicated without regard
/// to case (a mailbox written twice is one member), and each is checked with the config's rule
/// (`FieldRules.address`). Built once per change of the text, never per frame or per key of a paste.
public struct MemberList: Sendable, Equatable {
    /// One line of the editor and what is wrong with it.
    public struct LineProblem: Sendable, Equatable {
        /// The message (an address rule's, or a duplicate's note).
        public var message: String
        /// Whether the line only repeats an earlier member (counted once; not an error).
        public var isDuplicate: Bool
    }

    /// The text the list was read from.
    public let text: String
    /// The distinct entries, in the order first written.
    public let addresses: [String]
    /// Problems by line index (from 0).
    public let lineProblems: [Int: LineProblem]
    /// The first invalid entry's problem (`nil`: every entry is an address).
    public let firstError: FieldError?
    /// The line of `firstError`.
    public let firstErrorLine: Int?
    /// How many entries repeat an earlier one.
    public let duplicateCount: Int
    /// How many lines have an invalid entry.
    public let invalidLineCount: Int
    /// How many distinct entries are addresses.
    public var validCount: Int { addresses.count - invalidEntryCount }
    private let invalidEntryCount: Int

    /// Reads `text`.
    public init(_ text: String) {
        self.text = text
        var addresses: [String] = []
        var seen: [String: Int] = [:]  // lowercased address → its line
        var problems: [Int: LineProblem] = [:]
        var firstError: FieldError?
        var firstErrorLine: Int?
        var duplicates = 0
        var invalidLines = 0
        var invalidEntries = 0
        for (line, content) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var lineIsInvalid = false
            for entry in Self.entries(in: content) {
                if let error = FieldRules.address(entry, field: "members") {
                    if !lineIsInvalid {
                        problems[line] = LineProblem(message: error.message, isDuplicate: false)
                        lineIsInvalid = true
                        invalidLines += 1
                    }
                    if firstError == nil {
                        firstError = FieldError(field: "members", message: "line \(line + 1): " + error.message)
                        firstErrorLine = line
                    }
                    addresses.append(entry)  // kept, so the form cannot continue with it
                    invalidEntries += 1
                    continue
                }
                let key = entry.lowercased()
                if let earlier = seen[key] {
                    duplicates += 1
                    if problems[line] == nil {
                        problems[line] = LineProblem(
                            message: "repeats \(entry) (line \(earlier + 1)): counted once",
                            isDuplicate: true
                        )
                    }
                    continue
                }
                seen[key] = line
                addresses.append(entry)
            }
        }
        if addresses.isEmpty {
            firstError = FieldError(
                field: "members",
                message: "is empty; list the mailboxes (users and rooms) the app may reach"
            )
        }
        self.addresses = addresses
        self.lineProblems = problems
        self.firstError = firstError
        self.firstErrorLine = firstErrorLine
        self.duplicateCount = duplicates
        self.invalidLineCount = invalidLines
        self.invalidEntryCount = invalidEntries
    }

    /// The entries of one piece of text: separated by commas, semicolons and white space.
    static func entries(in text: Substring) -> [String] {
        text.split(whereSeparator: isSeparator).map(String.init)
    }

    /// The entries of `text`.
    static func entries(in text: String) -> [String] { entries(in: Substring(text)) }

    private static func isSeparator(_ character: Character) -> Bool {
        switch character {
        case ",", ";", " ", "\t", "\n", "\r", "\r\n": true
        default: false
        }
    }

    /// `text` rewritten one entry a line, each distinct entry once (case-insensitively).
    public static func normalized(_ text: String) -> String {
        var seen = Set<String>()
        var lines: [String] = []
        for entry in entries(in: text) where seen.insert(entry.lowercased()).inserted {
            lines.append(entry)
        }
        return lines.joined(separator: "\n")
    }
}
