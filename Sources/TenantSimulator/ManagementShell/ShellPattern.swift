// The patterns of PowerShell's -replace, -match and -like operators.

/// Why a pattern could not be compiled or run.
enum ShellPatternError: Error, Equatable {
    /// The pattern is invalid or uses syntax the engine does not support.
    case invalid(String)
    /// Matching spent the script's whole work budget (catastrophic backtracking, or just too much text).
    case budgetExhausted
}

/// A .NET-flavoured regular expression, run by a backtracking machine whose every step spends a work budget,
/// so that a hostile pattern fails instead of hanging.
///
/// Supported: literals and escapes, `.`, classes (`[a-z]`, `[^...]`, `\d \w \s \D \W \S`), anchors
/// (`^ $ \A \z \Z \b \B`), groups (capturing, `(?:...)`, `(?<name>...)`), alternation, and greedy or lazy
/// quantifiers (`* + ? {n} {n,} {n,m}`). Lookaround, backreferences, inline options and Unicode categories are
/// rejected. `^` and `$` have .NET's default (single-line) meaning.
struct ShellRegex {
    /// A parsed pattern.
    private indirect enum Node {
        case empty
        case character(Character)
        case any
        case set(ShellCharacterSet)
        case assertion(Assertion)
        case concatenation([Node])
        case alternation([Node])
        case group(Node, slot: GroupSlot)
        case repetition(Node, minimum: Int, maximum: Int?, isLazy: Bool)
    }

    /// A group's number: unnamed groups are numbered first, named groups after them, as in .NET.
    private enum GroupSlot {
        case none
        case unnamed(Int)
        case named(Int)
    }

    /// A zero-width assertion.
    private enum Assertion {
        case start, end, stringStart, stringEnd, wordBoundary, notWordBoundary
    }

    /// One instruction of the backtracking machine.
    private enum Instruction {
        case character(Character)
        case any
        case set(ShellCharacterSet)
        case assertion(Assertion)
        case split(preferred: Int, alternative: Int)
        case jump(Int)
        case save(Int)
        case match
    }

    /// A successful match: the capture ranges (index 0 is the whole match), in characters of the subject.
    struct Match {
        /// The range of each group, or nil for a group that did not participate.
        var groups: [Range<Int>?]
    }

    /// The compiled program.
    private let program: [Instruction]
    /// The number of groups, counting group 0 (the whole match).
    let groupCount: Int
    /// The number of each named group.
    let groupNumbers: [String: Int]
    /// Whether matching ignores case.
    let ignoresCase: Bool

    /// The longest pattern accepted, in characters.
    private static let maximumPatternLength = 4_096
    /// The most instructions a pattern may compile to.
    private static let maximumProgramSize = 50_000

    /// Compiles `pattern`.
    init(_ pattern: String, ignoresCase: Bool) throws(ShellPatternError) {
        guard pattern.count <= Self.maximumPatternLength else {
            throw .invalid("the pattern is longer than \(Self.maximumPatternLength) characters")
        }
        var parser = Parser(characters: Array(pattern), ignoresCase: ignoresCase)
        let node = try parser.parsePattern()
        let unnamed = parser.unnamedGroups
        var numbers: [String: Int] = [:]
        for (offset, name) in parser.groupNames.enumerated() { numbers[name] = unnamed + offset + 1 }
        groupNumbers = numbers
        groupCount = unnamed + parser.groupNames.count + 1
        self.ignoresCase = ignoresCase
        var compiler = Compiler(unnamedGroups: unnamed)
        compiler.emit(.save(0))
        try compiler.compile(node)
        compiler.emit(.save(1))
        compiler.emit(.match)
        guard compiler.program.count <= Self.maximumProgramSize else { throw .invalid("the pattern is too complex") }
        program = compiler.program
    }

    /// The first match in `subject` starting at or after `start`, spending `budget`.
    func firstMatch(in subject: ShellSubject, from start: Int, budget: inout Int) throws(ShellPatternError)
        -> Match? {
        guard start <= subject.characters.count else { return nil }
        for position in start...subject.characters.count {
            if let slots = try run(subject, at: position, budget: &budget) {
                let groups = (0..<groupCount).map { group -> Range<Int>? in
                    let lower = slots[2 * group]
                    let upper = slots[2 * group + 1]
                    return lower >= 0 && upper >= lower ? lower..<upper : nil
                }
                return Match(groups: groups)
            }
        }
        return nil
    }

    /// `subject` with every match replaced by `replacement`, whose `$1`, `${name}`, `$&` and `$$` are substituted.
    func replacing(in subject: String, with replacement: String, budget: inout Int) throws(ShellPatternError)
        -> String {
        let prepared = ShellSubject(subject, ignoresCase: ignoresCase)
        let characters = prepared.characters
        var result = ""
        var copied = 0
        var searchStart = 0
        while searchStart <= characters.count,
              let match = try firstMatch(in: prepared, from: searchStart, budget: &budget),
              let whole = match.groups[0] {
            result.append(contentsOf: String(characters[copied..<whole.lowerBound]))
            result.append(substitute(replacement, match: match, in: characters))
            budget -= result.count / 64 + 1
            guard result.count <= ShellLimits.maximumStringLength, budget >= 0 else { throw .budgetExhausted }
            copied = whole.upperBound
            searchStart = whole.isEmpty ? whole.upperBound + 1 : whole.upperBound
        }
        result.append(contentsOf: String(characters[copied...]))
        return result
    }

    /// The text `replacement` stands for with `match`, following .NET's substitution rules.
    private func substitute(_ replacement: String, match: Match, in characters: [Character]) -> String {
        let pattern = Array(replacement)
        var result = ""
        var index = 0
        /// The text group `group` captured, or "" if it did not participate.
        func text(_ group: Int) -> String {
            guard group < match.groups.count, let range = match.groups[group] else { return "" }
            return String(characters[range])
        }
        while index < pattern.count {
            let character = pattern[index]
            guard character == "$", index + 1 < pattern.count else {
                result.append(character)
                index += 1
                continue
            }
            let next = pattern[index + 1]
            if next == "$" {
                result.append("$")
                index += 2
            } else if next == "&" {
                result += text(0)
                index += 2
            } else if next == "`" {
                result += String(characters[..<(match.groups[0]?.lowerBound ?? 0)])
                index += 2
            } else if next == "'" {
                result += String(characters[(match.groups[0]?.upperBound ?? characters.count)...])
                index += 2
            } else if next == "_" {
                result += String(characters)
                index += 2
            } else if next.isASCII, next.isNumber {
                var end = index + 1
                while end < pattern.count, pattern[end].isASCII, pattern[end].isNumber { end += 1 }
                if let group = Int(String(pattern[(index + 1)..<end])), group < groupCount {
                    result += text(group)
                } else {
                    result += String(pattern[index..<end])
                }
                index = end
            } else if next == "{", let close = pattern[(index + 2)...].firstIndex(of: "}") {
                let name = String(pattern[(index + 2)..<close])
                if let group = groupNumbers[name] ?? Int(name).flatMap({ $0 < groupCount ? $0 : nil }) {
                    result += text(group)
                } else {
                    result += String(pattern[index...close])
                }
                index = close + 1
            } else {
                result.append("$")
                index += 1
            }
        }
        return result
    }

    /// Runs the machine anchored at `start`; returns the capture slots of the first successful path.
    private func run(_ subject: ShellSubject, at start: Int, budget: inout Int) throws(ShellPatternError) -> [Int]? {
        let characters = subject.folded
        let count = characters.count
        var stack: [(pc: Int, position: Int, slots: [Int])] = [(0, start, Array(repeating: -1, count: 2 * groupCount))]
        while let thread = stack.popLast() {
            var pc = thread.pc
            var position = thread.position
            var slots = thread.slots
            threadLoop: while true {
                budget -= 1
                if budget < 0 { throw .budgetExhausted }
                switch program[pc] {
                case .character(let expected):
                    guard position < count, characters[position] == expected else { break threadLoop }
                    position += 1
                    pc += 1
                case .any:
                    guard position < count, characters[position] != "\n" else { break threadLoop }
                    position += 1
                    pc += 1
                case .set(let set):
                    guard position < count, set.contains(subject.characters[position], ignoringCase: ignoresCase)
                    else { break threadLoop }
                    position += 1
                    pc += 1
                case .assertion(let assertion):
                    guard Self.holds(assertion, at: position, in: subject.characters) else { break threadLoop }
                    pc += 1
                case .split(let preferred, let alternative):
                    stack.append((alternative, position, slots))
                    pc = preferred
                case .jump(let target):
                    pc = target
                case .save(let slot):
                    slots[slot] = position
                    pc += 1
                case .match:
                    return slots
                }
            }
        }
        return nil
    }

    /// Whether `assertion` holds at `position` of `characters`.
    private static func holds(_ assertion: Assertion, at position: Int, in characters: [Character]) -> Bool {
        let count = characters.count
        switch assertion {
        case .start, .stringStart:
            return position == 0
        case .end:
            return position == count || (position == count - 1 && characters[position] == "\n")
        case .stringEnd:
            return position == count
        case .wordBoundary, .notWordBoundary:
            let before = position > 0 && ShellCharacterSet.isWord(characters[position - 1])
            let after = position < count && ShellCharacterSet.isWord(characters[position])
            return (before != after) == (assertion == .wordBoundary)
        }
    }

    /// Parses pattern text into nodes.
    private struct Parser {
        /// The pattern's characters.
        let characters: [Character]
        /// Whether literals are folded to lowercase for case-insensitive matching.
        let ignoresCase: Bool
        /// The position of the next character.
        var index = 0
        /// The number of unnamed capturing groups so far.
        var unnamedGroups = 0
        /// The named groups in order of first appearance.
        var groupNames: [String] = []
        /// The current group nesting depth.
        var depth = 0

        /// Parses the whole pattern.
        mutating func parsePattern() throws(ShellPatternError) -> Node {
            let node = try parseAlternation()
            if index < characters.count { throw .invalid("too many )'s") }
            return node
        }

        /// Parses `branch|branch|...`.
        mutating func parseAlternation() throws(ShellPatternError) -> Node {
            var branches = [try parseConcatenation()]
            while index < characters.count, characters[index] == "|" {
                index += 1
                branches.append(try parseConcatenation())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        /// Parses a sequence of quantified atoms.
        mutating func parseConcatenation() throws(ShellPatternError) -> Node {
            var items: [Node] = []
            while index < characters.count, characters[index] != "|", characters[index] != ")" {
                let atom = try parseAtom()
                items.append(try parseQuantifier(on: atom))
            }
            return items.isEmpty ? .empty : (items.count == 1 ? items[0] : .concatenation(items))
        }

        /// Parses one atom.
        mutating func parseAtom() throws(ShellPatternError) -> Node {
            let character = characters[index]
            index += 1
            switch character {
            case "(": return try parseGroup()
            case "[": return .set(try parseSet())
            case ".": return .any
            case "^": return .assertion(.start)
            case "$": return .assertion(.end)
            case "\\": return try parseEscape()
            case "*", "+", "?": throw .invalid("quantifier '\(character)' following nothing")
            case "{" where quantifierBounds(at: index) != nil: throw .invalid("quantifier '{' following nothing")
            default: return literal(character)
            }
        }

        /// A literal character node, folded when ignoring case.
        func literal(_ character: Character) -> Node {
            .character(ignoresCase ? ShellSubject.fold(character) : character)
        }

        /// Parses a group after its `(`.
        mutating func parseGroup() throws(ShellPatternError) -> Node {
            depth += 1
            defer { depth -= 1 }
            if depth > ShellLimits.maximumValueDepth { throw .invalid("the pattern nests groups too deeply") }
            var slot = GroupSlot.none
            if index < characters.count, characters[index] == "?" {
                index += 1
                let next = index < characters.count ? characters[index] : ")"
                let afterNext = index + 1 < characters.count ? characters[index + 1] : ")"
                if next == ":" {
                    index += 1
                } else if (next == "<" && afterNext != "=" && afterNext != "!") || next == "'" {
                    let closer: Character = next == "<" ? ">" : "'"
                    index += 1
                    var name = ""
                    while index < characters.count, characters[index] != closer {
                        name.append(characters[index])
                        index += 1
                    }
                    guard index < characters.count, !name.isEmpty,
                          name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                        throw .invalid("invalid group name")
                    }
                    index += 1
                    if !groupNames.contains(name) { groupNames.append(name) }
                    slot = .named(groupNames.firstIndex(of: name) ?? 0)
                } else {
                    throw .invalid("lookaround, atomic groups and inline options ('(?') are not supported")
                }
            } else {
                unnamedGroups += 1
                slot = .unnamed(unnamedGroups)
            }
            let body = try parseAlternation()
            guard index < characters.count, characters[index] == ")" else { throw .invalid("not enough )'s") }
            index += 1
            return .group(body, slot: slot)
        }

        /// Parses a class after its `[`.
        mutating func parseSet() throws(ShellPatternError) -> ShellCharacterSet {
            var set = ShellCharacterSet()
            if index < characters.count, characters[index] == "^" {
                set.isNegated = true
                index += 1
            }
            var first = true
            while true {
                guard index < characters.count else { throw .invalid("unterminated [] set") }
                var character = characters[index]
                index += 1
                if character == "]", !first { return set }
                first = false
                if character == "-", index < characters.count, characters[index] == "[" {
                    throw .invalid("character class subtraction is not supported")
                }
                if character == "\\" {
                    guard index < characters.count else { throw .invalid("illegal \\ at end of pattern") }
                    let escaped = characters[index]
                    index += 1
                    if let item = ShellCharacterSet.Item.shorthand(escaped) {
                        set.items.append(item)
                        continue
                    }
                    character = try Self.escapedCharacter(escaped, characters: characters, index: &index)
                }
                if index + 1 < characters.count, characters[index] == "-", characters[index + 1] != "]" {
                    index += 1
                    var upper = characters[index]
                    index += 1
                    if upper == "\\" {
                        guard index < characters.count else { throw .invalid("illegal \\ at end of pattern") }
                        let escaped = characters[index]
                        index += 1
                        upper = try Self.escapedCharacter(escaped, characters: characters, index: &index)
                    }
                    guard character <= upper else { throw .invalid("[x-y] range in reverse order") }
                    set.items.append(.range(character, upper))
                } else {
                    set.items.append(.character(character))
                }
            }
        }

        /// Parses an escape after its backslash, outside a class.
        mutating func parseEscape() throws(ShellPatternError) -> Node {
            guard index < characters.count else { throw .invalid("illegal \\ at end of pattern") }
            let character = characters[index]
            index += 1
            if let item = ShellCharacterSet.Item.shorthand(character) {
                return .set(ShellCharacterSet(items: [item]))
            }
            switch character {
            case "b": return .assertion(.wordBoundary)
            case "B": return .assertion(.notWordBoundary)
            case "A": return .assertion(.stringStart)
            case "z": return .assertion(.stringEnd)
            case "Z": return .assertion(.end)
            case "1"..."9", "k": throw .invalid("backreferences are not supported")
            default: return literal(try Self.escapedCharacter(character, characters: characters, index: &index))
            }
        }

        /// The character an escape such as `\n`, `\x41` or `\.` stands for.
        static func escapedCharacter(_ character: Character, characters: [Character], index: inout Int)
            throws(ShellPatternError) -> Character {
            switch character {
            case "t": return "\t"
            case "n": return "\n"
            case "r": return "\r"
            case "f": return "\u{0C}"
            case "v": return "\u{0B}"
            case "e": return "\u{1B}"
            case "a": return "\u{07}"
            case "0": return "\0"
            case "x", "u":
                let length = character == "x" ? 2 : 4
                guard index + length <= characters.count,
                      let code = UInt32(String(characters[index..<(index + length)]), radix: 16),
                      let scalar = Unicode.Scalar(code) else { throw .invalid("insufficient hexadecimal digits") }
                index += length
                return Character(scalar)
            case _ where character.isLetter || character.isNumber:
                throw .invalid("unrecognized escape sequence \\\(character)")
            default:
                return character
            }
        }

        /// Parses a quantifier after `atom`, if there is one.
        mutating func parseQuantifier(on atom: Node) throws(ShellPatternError) -> Node {
            guard index < characters.count else { return atom }
            let bounds: (Int, Int?)
            switch characters[index] {
            case "*": bounds = (0, nil)
            case "+": bounds = (1, nil)
            case "?": bounds = (0, 1)
            case "{":
                guard let (minimum, maximum, end) = quantifierBounds(at: index + 1) else { return atom }
                bounds = (minimum, maximum)
                index = end - 1
            default: return atom
            }
            index += 1
            if case .assertion = atom { throw .invalid("an anchor cannot be quantified") }
            var isLazy = false
            if index < characters.count, characters[index] == "?" {
                isLazy = true
                index += 1
            }
            if index < characters.count, "*+?".contains(characters[index])
                || (characters[index] == "{" && quantifierBounds(at: index + 1) != nil) {
                throw .invalid("nested quantifier '\(characters[index])'")
            }
            if bounds.1 == nil, Self.matchesEmpty(atom) {
                throw .invalid("repeating a sub-pattern that can match an empty string is not supported")
            }
            return .repetition(atom, minimum: bounds.0, maximum: bounds.1, isLazy: isLazy)
        }

        /// The bounds of a `{n}`, `{n,}` or `{n,m}` quantifier whose digits start at `start`, with the position
        /// after its `}`; nil if the text there is not a quantifier (then `{` is a literal, as in .NET).
        func quantifierBounds(at start: Int) -> (Int, Int?, Int)? {
            var position = start
            /// Reads a decimal number (capped at 100,000), or nil if there are no digits.
            func number() -> Int? {
                var digits = ""
                while position < characters.count, characters[position].isASCII, characters[position].isNumber {
                    digits.append(characters[position])
                    position += 1
                }
                return digits.isEmpty ? nil : min(Int(digits.prefix(6)) ?? 0, 100_000)
            }
            guard let minimum = number() else { return nil }
            var maximum: Int? = minimum
            if position < characters.count, characters[position] == "," {
                position += 1
                maximum = number()
            }
            guard position < characters.count, characters[position] == "}" else { return nil }
            if let maximum, maximum < minimum { return nil }
            return (minimum, maximum, position + 1)
        }

        /// Whether `node` can match an empty string.
        static func matchesEmpty(_ node: Node) -> Bool {
            switch node {
            case .empty, .assertion: true
            case .character, .any, .set: false
            case .concatenation(let items): items.allSatisfy(matchesEmpty)
            case .alternation(let branches): branches.contains(where: matchesEmpty)
            case .group(let body, _): matchesEmpty(body)
            case .repetition(let body, let minimum, _, _): minimum == 0 || matchesEmpty(body)
            }
        }
    }

    /// Compiles nodes into instructions.
    private struct Compiler {
        /// The number of unnamed groups, after which named groups are numbered.
        let unnamedGroups: Int
        /// The instructions so far.
        var program: [Instruction] = []

        /// Appends `instruction`.
        mutating func emit(_ instruction: Instruction) {
            program.append(instruction)
        }

        /// Appends the instructions matching `node`.
        mutating func compile(_ node: Node) throws(ShellPatternError) {
            guard program.count <= ShellRegex.maximumProgramSize else { throw .invalid("the pattern is too complex") }
            switch node {
            case .empty: break
            case .character(let character): emit(.character(character))
            case .any: emit(.any)
            case .set(let set): emit(.set(set))
            case .assertion(let assertion): emit(.assertion(assertion))
            case .concatenation(let items):
                for item in items { try compile(item) }
            case .alternation(let branches):
                var jumps: [Int] = []
                for (offset, branch) in branches.enumerated() {
                    if offset < branches.count - 1 {
                        let split = program.count
                        emit(.split(preferred: split + 1, alternative: 0))
                        try compile(branch)
                        jumps.append(program.count)
                        emit(.jump(0))
                        program[split] = .split(preferred: split + 1, alternative: program.count)
                    } else {
                        try compile(branch)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .group(let body, let slot):
                let number: Int? = switch slot {
                case .none: nil
                case .unnamed(let number): number
                case .named(let offset): unnamedGroups + offset + 1
                }
                if let number { emit(.save(2 * number)) }
                try compile(body)
                if let number { emit(.save(2 * number + 1)) }
            case .repetition(let body, let minimum, let maximum, let isLazy):
                for _ in 0..<minimum { try compile(body) }
                if let maximum {
                    var splits: [Int] = []
                    for _ in minimum..<max(minimum, maximum) {
                        splits.append(program.count)
                        emit(.jump(0))
                        try compile(body)
                    }
                    for split in splits { program[split] = branch(split + 1, program.count, isLazy: isLazy) }
                } else {
                    let loop = program.count
                    emit(.jump(0))
                    try compile(body)
                    emit(.jump(loop))
                    program[loop] = branch(loop + 1, program.count, isLazy: isLazy)
                }
            }
        }

        /// A split preferring `body` (greedy) or `exit` (lazy).
        func branch(_ body: Int, _ exit: Int, isLazy: Bool) -> Instruction {
            isLazy ? .split(preferred: exit, alternative: body) : .split(preferred: body, alternative: exit)
        }
    }
}

/// A subject string prepared for matching: its characters and, for case-insensitive matching, their folded forms.
struct ShellSubject {
    /// The subject's characters.
    let characters: [Character]
    /// The characters compared with literals: lowercased when ignoring case.
    let folded: [Character]

    /// Prepares `text`.
    init(_ text: String, ignoresCase: Bool) {
        characters = Array(text)
        folded = ignoresCase ? characters.map(Self.fold) : characters
    }

    /// `character` lowercased, when that is a single character.
    static func fold(_ character: Character) -> Character {
        let lowered = character.lowercased()
        return lowered.count == 1 ? Character(lowered) : character
    }
}

/// A regex character class.
struct ShellCharacterSet {
    /// One member of a class.
    enum Item {
        case character(Character)
        case range(Character, Character)
        case digit(negated: Bool)
        case word(negated: Bool)
        case space(negated: Bool)

        /// The item for the shorthand class `\d`, `\w`, `\s` (or their negations), or nil.
        static func shorthand(_ letter: Character) -> Item? {
            switch letter {
            case "d": .digit(negated: false)
            case "D": .digit(negated: true)
            case "w": .word(negated: false)
            case "W": .word(negated: true)
            case "s": .space(negated: false)
            case "S": .space(negated: true)
            default: nil
            }
        }

        /// Whether `character` belongs to the item.
        func contains(_ character: Character) -> Bool {
            switch self {
            case .character(let member): character == member
            case .range(let lower, let upper): lower <= character && character <= upper
            case .digit(let negated): ShellCharacterSet.isDigit(character) != negated
            case .word(let negated): ShellCharacterSet.isWord(character) != negated
            case .space(let negated): character.isWhitespace != negated
            }
        }
    }

    /// The members.
    var items: [Item] = []
    /// Whether the class is `[^...]`.
    var isNegated = false

    /// Whether `character` is in the class, trying its lower- and uppercase forms when ignoring case.
    func contains(_ character: Character, ignoringCase: Bool) -> Bool {
        var found = items.contains { $0.contains(character) }
        if !found, ignoringCase {
            let variants = [Character(character.lowercased().count == 1 ? character.lowercased() : String(character)),
                            Character(character.uppercased().count == 1 ? character.uppercased() : String(character))]
            found = variants.contains { variant in items.contains { $0.contains(variant) } }
        }
        return found != isNegated
    }

    /// Whether `character` is a decimal digit (`\d`).
    static func isDigit(_ character: Character) -> Bool {
        character.unicodeScalars.first?.properties.numericType == .decimal
    }

    /// Whether `character` is a word character (`\w`): a letter, digit, mark or underscore.
    static func isWord(_ character: Character) -> Bool {
        character.isLetter || isDigit(character) || character == "_"
            || character.unicodeScalars.first?.properties.generalCategory == .nonspacingMark
    }
}

/// A PowerShell wildcard pattern (`-like`): `*`, `?`, `[abc]`, `[a-z]`, with backtick escapes.
struct ShellWildcard {
    /// One element of the pattern.
    private enum Token {
        case literal(Character)
        case any
        case star
        case set([ClosedRange<Character>])
    }

    /// The pattern's elements.
    private let tokens: [Token]
    /// Whether matching ignores case.
    private let ignoresCase: Bool

    /// Compiles `pattern`.
    init(_ pattern: String, ignoresCase: Bool) throws(ShellPatternError) {
        self.ignoresCase = ignoresCase
        let characters = Array(ignoresCase ? pattern.lowercased() : pattern)
        var tokens: [Token] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            switch character {
            case "*": tokens.append(.star)
            case "?": tokens.append(.any)
            case "`" where index < characters.count:
                tokens.append(.literal(characters[index]))
                index += 1
            case "[":
                var ranges: [ClosedRange<Character>] = []
                while index < characters.count, characters[index] != "]" {
                    var lower = characters[index]
                    if lower == "`", index + 1 < characters.count {
                        index += 1
                        lower = characters[index]
                    }
                    index += 1
                    if index + 1 < characters.count, characters[index] == "-", characters[index + 1] != "]" {
                        let upper = characters[index + 1]
                        index += 2
                        guard lower <= upper else { throw .invalid("the wildcard pattern '\(pattern)' is not valid") }
                        ranges.append(lower...upper)
                    } else {
                        ranges.append(lower...lower)
                    }
                }
                guard index < characters.count else {
                    throw .invalid("the wildcard pattern '\(pattern)' is not valid")
                }
                index += 1
                tokens.append(.set(ranges))
            default: tokens.append(.literal(character))
            }
        }
        self.tokens = tokens
    }

    /// Whether the whole of `text` matches, spending `budget` (at most one unit per comparison).
    func matches(_ text: String, budget: inout Int) throws(ShellPatternError) -> Bool {
        let characters = Array(ignoresCase ? text.lowercased() : text)
        var textIndex = 0
        var tokenIndex = 0
        var starToken: Int?
        var starText = 0
        while textIndex < characters.count {
            budget -= 1
            if budget < 0 { throw .budgetExhausted }
            if tokenIndex < tokens.count, accepts(tokens[tokenIndex], characters[textIndex]) {
                textIndex += 1
                tokenIndex += 1
            } else if tokenIndex < tokens.count, case .star = tokens[tokenIndex] {
                starToken = tokenIndex
                starText = textIndex
                tokenIndex += 1
            } else if let star = starToken {
                tokenIndex = star + 1
                starText += 1
                textIndex = starText
            } else {
                return false
            }
        }
        while tokenIndex < tokens.count, case .star = tokens[tokenIndex] { tokenIndex += 1 }
        return tokenIndex == tokens.count
    }

    /// Whether a single-character `token` accepts `character` (a star accepts nothing by itself).
    private func accepts(_ token: Token, _ character: Character) -> Bool {
        switch token {
        case .literal(let expected): character == expected
        case .any: true
        case .star: false
        case .set(let ranges): ranges.contains { $0.contains(character) }
        }
    }
}
