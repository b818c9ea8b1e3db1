// Runs the PowerShell that mailscope prints for the Exchange Management Shell, as a simulated admin would.

/// A parsed Exchange Management Shell script, ready to run against a cmdlet runner.
///
/// Parsing happens entirely up front, so a script with a syntax error runs nothing. Running follows PowerShell:
/// a failing cmdlet writes an error and the script goes on (unless `-ErrorAction Stop`), `Read-Host` answers
/// from the given input lines, and the objects of unassigned statements are rendered to the output.
struct ManagementShellScript: Sendable {
    /// The script's top-level statements.
    private let statements: [ShellStatement]

    /// Parses `text`; throws the first syntax error or use of unsupported PowerShell.
    init(_ text: String) throws(ShellSyntaxError) {
        var parser = try ShellParser(text)
        statements = try parser.parseScript()
    }

    /// The number of top-level statements.
    var statementCount: Int { statements.count }

    /// Runs the script: `input` answers `Read-Host` calls in order, and `cmdlets` runs every Exchange cmdlet.
    func run(input: [String], cmdlets: CmdletRunner) async -> ShellTranscript {
        await withoutActuallyEscaping(cmdlets) { runner in
            let session = ShellSession(input: input, cmdlets: runner)
            await session.runScript(statements)
            return session.transcript
        }
    }
}

/// The state of one run of a script: variables, remaining input, the transcript so far and the work budget.
private final class ShellSession {
    /// An interruption of the normal flow.
    enum Interruption: Error {
        /// A statement-terminating error: reported, then the next statement runs.
        case statement(String)
        /// A script-terminating error: reported, then the script stops.
        case script(String)
    }

    /// What a command does when it fails, from `-ErrorAction` or `$ErrorActionPreference`.
    enum ErrorAction {
        /// Write the error and go on (`Continue`, `Inquire`, `Suspend`).
        case proceed
        /// Swallow the error (`SilentlyContinue`, `Ignore`).
        case silentlyContinue
        /// Stop the script (`Stop`).
        case stop
    }

    /// Variables by lowercased name.
    private var variables: [String: ShellValue] = [:]
    /// The lines `Read-Host` answers with.
    private let input: [String]
    /// The next line `Read-Host` answers with.
    private var inputIndex = 0
    /// Runs the Exchange cmdlets.
    private let cmdlets: CmdletRunner
    /// Work units left before the script is stopped.
    private var budget = ShellLimits.workBudget
    /// Compiled regular expressions by pattern and case sensitivity.
    private var regexes: [String: ShellRegex] = [:]
    /// What the script has written so far.
    private(set) var transcript = ShellTranscript(output: [], errors: [], statementsRun: 0)

    /// Common parameters that are handled here and never passed to the runner, lowercased, with their aliases.
    private static let commonParameters: [String: String] = [
        "erroraction": "erroraction", "ea": "erroraction", "warningaction": "warningaction", "wa": "warningaction",
        "informationaction": "informationaction", "infa": "informationaction", "confirm": "confirm",
        "verbose": "verbose", "vb": "verbose", "debug": "debug", "db": "debug", "outbuffer": "outbuffer",
        "ob": "outbuffer",
    ]

    /// Creates a session answering `Read-Host` from `input` and running cmdlets with `cmdlets`.
    init(input: [String], cmdlets: @escaping CmdletRunner) {
        self.input = input
        self.cmdlets = cmdlets
    }

    // MARK: Statements

    /// Runs the top-level statements, counting them, until the end or a script-terminating error.
    func runScript(_ statements: [ShellStatement]) async {
        for statement in statements {
            if Task.isCancelled {
                transcript.errors.append("The script was cancelled.")
                return
            }
            transcript.statementsRun += 1
            do {
                _ = try await execute(statement, renders: true)
            } catch Interruption.statement(let message) {
                transcript.errors.append(message)
                if preferredErrorAction == .stop { return }
            } catch Interruption.script(let message) {
                transcript.errors.append(message)
                return
            } catch {
                transcript.errors.append(String(describing: error))
                return
            }
        }
    }

    /// Runs a block's statements; a statement-terminating error is reported and the next statement runs.
    /// Returns the statements' output objects unless `renders` is set (then they are rendered as they come).
    private func executeBlock(_ statements: [ShellStatement], renders: Bool) async throws -> [ShellValue] {
        var objects: [ShellValue] = []
        for statement in statements {
            do {
                objects += try await execute(statement, renders: renders)
            } catch Interruption.statement(let message) where preferredErrorAction != .stop {
                transcript.errors.append(message)
            } catch Interruption.statement(let message) {
                throw Interruption.script(message)
            }
        }
        return objects
    }

    /// Runs one statement; returns its output objects, or renders them and returns none if `renders` is set.
    private func execute(_ statement: ShellStatement, renders: Bool) async throws -> [ShellValue] {
        try spend(1)
        switch statement {
        case .pipeline(let pipeline):
            let objects = try await runPipeline(pipeline)
            guard renders else { return objects }
            try render(objects)
            return []
        case .assignment(let name, let pipeline):
            let value = try await value(of: pipeline)
            if name != "null" { variables[name] = value }
            return []
        case .conditional(let clauses, let otherwise):
            for clause in clauses where try await value(of: clause.condition, enumerating: true).isTruthy {
                return try await executeBlock(clause.body, renders: renders)
            }
            guard let otherwise else { return [] }
            return try await executeBlock(otherwise, renders: renders)
        }
    }

    /// The value of a pipeline: a sole expression's value as is (unless `enumerating`), else the output collected.
    private func value(of pipeline: ShellPipeline, enumerating: Bool = false) async throws -> ShellValue {
        if !enumerating, let expression = pipeline.soleExpression { return try await evaluate(expression) }
        return .collecting(try await runPipeline(pipeline))
    }

    // MARK: Pipelines and commands

    /// Runs a pipeline; each object goes through the later stages one at a time, as PowerShell streams them.
    private func runPipeline(_ pipeline: ShellPipeline) async throws -> [ShellValue] {
        let objects: [ShellValue] = switch pipeline.head {
        case .expression(let expression): try await evaluate(expression).enumerated
        case .command(let command): try await invoke(command, input: nil)
        }
        return try await feed(objects, into: pipeline.stages[...])
    }

    /// Sends `objects`, one at a time, through `stages`; returns what comes out of the last stage.
    private func feed(_ objects: [ShellValue], into stages: ArraySlice<ShellCommand>) async throws -> [ShellValue] {
        guard let stage = stages.first else { return objects }
        var results: [ShellValue] = []
        for object in objects where object != .null {
            try spend(1)
            results += try await feed(try await invoke(stage, input: object), into: stages.dropFirst())
        }
        return results
    }

    /// The arguments of a command, evaluated and sorted out.
    private struct Bound {
        /// Named parameters other than the common ones, spelled as in the script, in script order.
        var named: [(name: String, value: ShellValue)] = []
        /// Positional arguments in order.
        var positional: [ShellValue] = []
        /// The `-ErrorAction` given, if any.
        var errorAction: ErrorAction?

        /// The value of the named parameter `name` (any case), if given.
        func value(_ name: String) -> ShellValue? {
            named.first { $0.name.lowercased() == name }?.value
        }
    }

    /// Runs a command, with `input` the pipeline object it receives (nil for the first element).
    private func invoke(_ command: ShellCommand, input object: ShellValue?) async throws -> [ShellValue] {
        let bound = try await bind(command)
        switch command.kind {
        case .cmdlet:
            return try await runCmdlet(command.name, bound: bound, input: object)
        case .whereObject(let filter):
            guard let object else { return [] }
            let saved = variables["_"]
            variables["_"] = object
            defer { variables["_"] = saved }
            return try await value(of: filter, enumerating: true).isTruthy ? [object] : []
        case .readHost:
            guard inputIndex < input.count else { throw Interruption.statement("Read-Host : no input") }
            inputIndex += 1
            return [.string(input[inputIndex - 1])]
        case .writeOutput:
            if let object { return [object] }
            let values = bound.positional + (bound.value("inputobject").map { [$0] } ?? [])
            return bound.value("noenumerate")?.isTruthy == true ? values : values.flatMap(\.enumerated)
        case .writeHost:
            let values = object.map { [$0] } ?? (bound.positional + (bound.value("object").map { [$0] } ?? []))
            let separator = try bound.value("separator").map { try text(of: $0) } ?? " "
            var pieces: [String] = []
            for value in values {
                pieces.append(try value.enumerated.map { try text(of: $0) }.joined(separator: separator))
            }
            let line = pieces.joined(separator: separator)
            try spend(line.count / 64 + 1)
            transcript.output += line.shellLines
            return []
        case .outNull:
            return []
        }
    }

    /// Evaluates a command's arguments, pulling out the common parameters.
    private func bind(_ command: ShellCommand) async throws -> Bound {
        var bound = Bound()
        var seen: Set<String> = []
        for argument in command.arguments {
            switch argument {
            case .parameter(let name, let expression):
                let lowered = name.lowercased()
                let canonical = Self.commonParameters[lowered] ?? (lowered == "wi" ? "whatif" : lowered)
                guard seen.insert(canonical).inserted else {
                    throw Interruption.statement("\(command.name) : Cannot bind parameter because parameter '\(name)' "
                                                 + "is specified more than once.")
                }
                var value = ShellValue.bool(true)
                if let expression { value = try await evaluate(expression) }
                if canonical == "erroraction" {
                    guard let action = Self.errorAction(value) else {
                        let text = try text(of: value)
                        throw Interruption.statement("\(command.name) : Cannot bind parameter 'ErrorAction'. Cannot "
                                                     + "convert value \"\(text)\" to an ActionPreference.")
                    }
                    bound.errorAction = action
                } else if Self.commonParameters[canonical] == nil {
                    bound.named.append((name, value))
                }
            case .positional(let expression):
                bound.positional.append(try await evaluate(expression))
            }
        }
        return bound
    }

    /// Runs an Exchange cmdlet through the runner, binding the positional argument or pipeline object to Identity.
    private func runCmdlet(_ name: String, bound: Bound, input object: ShellValue?) async throws -> [ShellValue] {
        var parameters: [String: ShellValue] = [:]
        for (parameter, value) in bound.named { parameters[parameter] = value }
        var hasIdentity = bound.value("identity") != nil
        if let first = bound.positional.first {
            if hasIdentity || bound.positional.count > 1 {
                let extra = try text(of: hasIdentity ? first : bound.positional[1])
                throw Interruption.statement("\(name) : A positional parameter cannot be found that accepts argument "
                                             + "'\(extra)'.")
            }
            parameters["Identity"] = first
            hasIdentity = true
        }
        if let object {
            guard !hasIdentity, let identity = Self.pipelineIdentity(of: object) else {
                throw Interruption.statement("\(name) : The input object cannot be bound to any parameters for the "
                                             + "command either because the command does not take pipeline input or "
                                             + "the input and its properties do not match any of the parameters that "
                                             + "take pipeline input.")
            }
            parameters["Identity"] = identity
        }
        try spend(100)
        let message: String
        do {
            return try await cmdlets(name, parameters)
        } catch let error as ShellCmdletError {
            message = error.message
        } catch is CancellationError {
            throw Interruption.script("The script was cancelled.")
        } catch {
            message = String(describing: error)
        }
        let line = "\(name) : \(message)"
        switch bound.errorAction ?? preferredErrorAction {
        case .proceed: transcript.errors.append(line)
        case .silentlyContinue: break
        case .stop: throw Interruption.script(line)
        }
        return []
    }

    /// The Identity a pipeline object binds to: its Identity property, else its Name, else the value itself.
    private static func pipelineIdentity(of object: ShellValue) -> ShellValue? {
        switch object {
        case .object:
            for name in ["Identity", "Name"] {
                if let value = object.property(name), value != .null { return value }
            }
            return nil
        case .string, .number, .bool: return object
        case .null, .array: return nil
        }
    }

    /// The error action `value` names (`Stop`, `SilentlyContinue`, ... or its number), or nil.
    private static func errorAction(_ value: ShellValue) -> ErrorAction? {
        switch value {
        case .string(let name):
            switch name.lowercased() {
            case "continue", "inquire", "suspend": .proceed
            case "silentlycontinue", "ignore": .silentlyContinue
            case "stop": .stop
            default: nil
            }
        case .number(let number):
            switch number {
            case 0, 4: .silentlyContinue
            case 1: .stop
            case 2, 3, 5: .proceed
            default: nil
            }
        default: nil
        }
    }

    /// The error action `$ErrorActionPreference` asks for (`Continue` when unset or unrecognised).
    private var preferredErrorAction: ErrorAction {
        variables["erroractionpreference"].flatMap(Self.errorAction) ?? .proceed
    }

    // MARK: Expressions

    /// Evaluates an expression.
    private func evaluate(_ expression: ShellExpression) async throws -> ShellValue {
        try spend(1)
        switch expression {
        case .constant(let value):
            return value
        case .variable(let name):
            return variables[name] ?? .null
        case .expandable(let parts):
            var result = ""
            for part in parts {
                switch part {
                case .text(let text): result += text
                case .expansion(let expression): result += try text(of: try await evaluate(expression))
                }
                try checkLength(result)
            }
            return .string(result)
        case .list(let items):
            var values: [ShellValue] = []
            for item in items { values.append(try await evaluate(item)) }
            return try checkedDepth(.array(values))
        case .arrayExpression(let statements):
            return try checkedDepth(.array(try await executeBlock(statements, renders: false)))
        case .subexpression(let statements):
            return .collecting(try await executeBlock(statements, renders: false))
        case .parenthesized(let pipeline):
            return try await value(of: pipeline)
        case .hashLiteral(let entries):
            var properties: [String: ShellValue] = [:]
            for entry in entries { properties[entry.key] = try await value(of: entry.value) }
            return try checkedDepth(.object(properties))
        case .member(let target, let name):
            let value = try await evaluate(target)
            if case .array(let items) = value { try spend(items.count) }
            return value.member(name)
        case .not(let operand):
            return .bool(!(try await evaluate(operand).isTruthy))
        case .negate(let operand):
            let value = try await evaluate(operand)
            guard let number = value.numericValue else {
                throw Interruption.statement("Cannot convert value \"\(try text(of: value))\" to a number.")
            }
            return .number(-number)
        case .binary(let op, let left, let right):
            switch op.kind {
            case .and:
                guard try await evaluate(left).isTruthy else { return .bool(false) }
                return .bool(try await evaluate(right).isTruthy)
            case .or:
                if try await evaluate(left).isTruthy { return .bool(true) }
                return .bool(try await evaluate(right).isTruthy)
            default:
                let leftValue = try await evaluate(left)
                return try apply(op, leftValue, try await evaluate(right))
            }
        }
    }

    /// Applies a binary operator other than the short-circuiting `-and` and `-or`.
    private func apply(_ op: ShellOperator, _ left: ShellValue, _ right: ShellValue) throws -> ShellValue {
        switch op.kind {
        case .and, .or, .xor:
            return .bool(left.isTruthy != right.isTruthy)
        case .format:
            let arguments: [ShellValue] = if case .array(let items) = right { items } else { [right] }
            return .string(try format(try text(of: left), arguments))
        case .replace:
            var operands: [ShellValue] = [right]
            if case .array(let items) = right {
                guard items.count <= 2 else {
                    throw Interruption.statement("The -replace operator allows only two elements to follow it, not "
                                                 + "\(items.count).")
                }
                operands = items
            }
            let pattern = try text(of: operands.first ?? .null)
            let replacement = try operands.count > 1 ? text(of: operands[1]) : ""
            let regex = try regex(pattern, caseSensitive: op.isCaseSensitive)
            /// `value` as text with every match of the pattern replaced.
            func replace(_ value: ShellValue) throws -> ShellValue {
                do {
                    return .string(try regex.replacing(in: try text(of: value), with: replacement, budget: &budget))
                } catch {
                    throw interruption(for: error, pattern: pattern)
                }
            }
            if case .array(let items) = left { return .array(try items.map(replace)) }
            return try replace(left)
        case .add:
            return try add(left, right)
        case .subtract:
            guard let lhs = left.numericValue, let rhs = right.numericValue else {
                let (lhs, rhs) = (try text(of: left), try text(of: right))
                throw Interruption.statement("Cannot subtract \"\(rhs)\" from \"\(lhs)\".")
            }
            return .number(lhs - rhs)
        case .contains, .notcontains:
            let found = try left.enumerated.contains { try equals($0, right, caseSensitive: op.isCaseSensitive) }
            return .bool(found == (op.kind == .contains))
        case .in, .notin:
            let found = try right.enumerated.contains { try equals($0, left, caseSensitive: op.isCaseSensitive) }
            return .bool(found == (op.kind == .in))
        default:
            if case .array(let items) = left {
                try spend(items.count)
                return .array(try items.filter { try compare(op, $0, right, setsMatches: false) })
            }
            return .bool(try compare(op, left, right, setsMatches: true))
        }
    }

    /// Whether the scalar `left` compares to `right` as `op` asks.
    private func compare(_ op: ShellOperator, _ left: ShellValue, _ right: ShellValue, setsMatches: Bool) throws
        -> Bool {
        switch op.kind {
        case .eq: return try equals(left, right, caseSensitive: op.isCaseSensitive)
        case .ne: return try !equals(left, right, caseSensitive: op.isCaseSensitive)
        case .gt, .ge, .lt, .le:
            let order = try ordering(left, right, caseSensitive: op.isCaseSensitive)
            switch op.kind {
            case .gt: return order > 0
            case .ge: return order >= 0
            case .lt: return order < 0
            default: return order <= 0
            }
        case .like, .notlike:
            let pattern = try text(of: right)
            do {
                let wildcard = try ShellWildcard(pattern, ignoresCase: !op.isCaseSensitive)
                return try wildcard.matches(try text(of: left), budget: &budget) == (op.kind == .like)
            } catch {
                throw interruption(for: error, pattern: pattern)
            }
        case .match, .notmatch:
            let pattern = try text(of: right)
            let regex = try regex(pattern, caseSensitive: op.isCaseSensitive)
            let subject = try text(of: left)
            let prepared = ShellSubject(subject, ignoresCase: regex.ignoresCase)
            let match: ShellRegex.Match?
            do {
                match = try regex.firstMatch(in: prepared, from: 0, budget: &budget)
            } catch {
                throw interruption(for: error, pattern: pattern)
            }
            if setsMatches, op.kind == .match, let match {
                var captures: [String: ShellValue] = [:]
                for (number, range) in match.groups.enumerated() {
                    if let range { captures[String(number)] = .string(String(prepared.characters[range])) }
                }
                for (name, number) in regex.groupNumbers {
                    if let range = match.groups[number] { captures[name] = .string(String(prepared.characters[range])) }
                }
                variables["matches"] = .object(captures)
            }
            return (match != nil) == (op.kind == .match)
        default:
            return false
        }
    }

    /// Whether `left -eq right`, converting `right` to the type of `left` as PowerShell does.
    private func equals(_ left: ShellValue, _ right: ShellValue, caseSensitive: Bool) throws -> Bool {
        try spend(1)
        switch left {
        case .null:
            return right == .null
        case .string(let string):
            guard right != .null else { return false }
            let other = try text(of: right)
            return caseSensitive ? string == other : string.lowercased() == other.lowercased()
        case .number(let number):
            guard right != .null, let other = right.numericValue else { return false }
            return number == other
        case .bool(let flag):
            return right != .null && flag == right.isTruthy
        case .array, .object:
            return left == right
        }
    }

    /// The order of `left` against `right` (-1, 0, 1), comparing numbers numerically and anything else as text.
    private func ordering(_ left: ShellValue, _ right: ShellValue, caseSensitive: Bool) throws -> Int {
        if case .string = left {
            var lhs = try text(of: left)
            var rhs = try text(of: right)
            if !caseSensitive {
                lhs = lhs.lowercased()
                rhs = rhs.lowercased()
            }
            return lhs == rhs ? 0 : (lhs < rhs ? -1 : 1)
        }
        guard let lhs = left.numericValue, let rhs = right.numericValue else {
            throw Interruption.statement("Cannot compare \"\(try text(of: left))\" to \"\(try text(of: right))\".")
        }
        return lhs == rhs ? 0 : (lhs < rhs ? -1 : 1)
    }

    /// `left + right`: numbers add, strings concatenate, arrays append.
    private func add(_ left: ShellValue, _ right: ShellValue) throws -> ShellValue {
        switch left {
        case .null:
            return right
        case .string(let string):
            let result = string + (try text(of: right))
            try checkLength(result)
            return .string(result)
        case .array(let items):
            try spend(items.count)
            let appended: [ShellValue] = if case .array(let more) = right { more } else { [right] }
            return try checkedDepth(.array(items + appended))
        case .number, .bool:
            guard let lhs = left.numericValue, let rhs = right.numericValue else {
                throw Interruption.statement("Cannot convert value \"\(try text(of: right))\" to a number.")
            }
            return .number(lhs + rhs)
        case .object:
            throw Interruption.statement("Adding to an object is not supported.")
        }
    }

    /// `template -f arguments`, with `{0}`, `{1,-10}` items and `{{` `}}` escapes.
    private func format(_ template: String, _ arguments: [ShellValue]) throws -> String {
        let characters = Array(template)
        var result = ""
        var index = 0
        let badFormat = "Error formatting a string: Input string was not in a correct format."
        while index < characters.count {
            let character = characters[index]
            index += 1
            if character == "}" {
                guard index < characters.count, characters[index] == "}" else {
                    throw Interruption.statement(badFormat)
                }
                result.append("}")
                index += 1
                continue
            }
            guard character == "{" else {
                result.append(character)
                continue
            }
            if index < characters.count, characters[index] == "{" {
                result.append("{")
                index += 1
                continue
            }
            var digits = ""
            while index < characters.count, characters[index].isASCII, characters[index].isNumber, digits.count < 6 {
                digits.append(characters[index])
                index += 1
            }
            var alignment = 0
            if index < characters.count, characters[index] == "," {
                index += 1
                var number = ""
                while index < characters.count, characters[index] == "-" || characters[index].isNumber,
                      number.count < 6 {
                    number.append(characters[index])
                    index += 1
                }
                guard let value = Int(number) else { throw Interruption.statement(badFormat) }
                alignment = value
            }
            if index < characters.count, characters[index] == ":" {
                throw Interruption.statement("Format specifiers such as '{0:...}' are not supported.")
            }
            guard index < characters.count, characters[index] == "}", let position = Int(digits) else {
                throw Interruption.statement(badFormat)
            }
            index += 1
            guard position < arguments.count else {
                throw Interruption.statement("Error formatting a string: Index (zero based) must be greater than or "
                                             + "equal to zero and less than the size of the argument list.")
            }
            let argument = arguments[position]
            var item = if case .array = argument { "System.Object[]" } else { try text(of: argument) }
            let padding = String(repeating: " ", count: max(0, abs(alignment) - item.count))
            item = alignment < 0 ? item + padding : padding + item
            result += item
            try checkLength(result)
        }
        return result
    }

    /// The compiled regex for `pattern`, cached.
    private func regex(_ pattern: String, caseSensitive: Bool) throws -> ShellRegex {
        let key = (caseSensitive ? "c:" : "i:") + pattern
        if let cached = regexes[key] { return cached }
        try spend(pattern.count + 1)
        do {
            let regex = try ShellRegex(pattern, ignoresCase: !caseSensitive)
            regexes[key] = regex
            return regex
        } catch {
            throw interruption(for: error, pattern: pattern)
        }
    }

    /// The interruption for a pattern failure: a statement error for an invalid pattern, a script stop for an
    /// exhausted budget.
    private func interruption(for error: any Error, pattern: String) -> Interruption {
        switch error {
        case ShellPatternError.invalid(let reason):
            .statement("The regular expression or wildcard pattern \(pattern) is not valid: \(reason).")
        case ShellPatternError.budgetExhausted:
            .script(Self.budgetMessage)
        case let interruption as Interruption:
            interruption
        default:
            .statement(String(describing: error))
        }
    }

    // MARK: Text and limits

    /// The error reported when a script runs out of work budget.
    private static let budgetMessage = "The script exceeded the interpreter's work limit and was stopped."

    /// Spends `units` of the work budget, stopping the script when it runs out.
    private func spend(_ units: Int) throws {
        budget -= units
        if budget < 0 { throw Interruption.script(Self.budgetMessage) }
    }

    /// Fails the statement if `string` is longer than `ShellLimits.maximumStringLength`.
    private func checkLength(_ string: String) throws {
        try spend(string.utf8.count / 64 + 1)
        if string.utf8.count > ShellLimits.maximumStringLength {
            throw Interruption.statement("The string is longer than \(ShellLimits.maximumStringLength) characters.")
        }
    }

    /// `value`, after checking that it nests no deeper than `ShellLimits.maximumValueDepth`.
    private func checkedDepth(_ value: ShellValue) throws -> ShellValue {
        /// Whether `value`, found at nesting `level`, holds containers deeper than the limit.
        func exceeds(_ value: ShellValue, _ level: Int) throws -> Bool {
            let children: [ShellValue] = switch value {
            case .array(let items): items
            case .object(let properties): Array(properties.values)
            default: []
            }
            guard !children.isEmpty else { return false }
            if level >= ShellLimits.maximumValueDepth { return true }
            for child in children {
                try spend(1)
                if try exceeds(child, level + 1) { return true }
            }
            return false
        }
        if try exceeds(value, 0) {
            throw Interruption.statement("The value nests arrays and objects deeper than "
                                         + "\(ShellLimits.maximumValueDepth) levels.")
        }
        return value
    }

    /// The text of `value` as PowerShell converts it to a string: arrays joined by spaces, Exchange objects as
    /// their Identity (or Name).
    private func text(of value: ShellValue, level: Int = 0) throws -> String {
        let result: String
        switch value {
        case .null: result = ""
        case .bool(let flag): result = flag ? "True" : "False"
        case .number(let number): result = ShellValue.format(number)
        case .string(let string): return string
        case .array(let items):
            guard level < ShellLimits.maximumValueDepth else { return "..." }
            result = try items.map { try text(of: $0, level: level + 1) }.joined(separator: " ")
        case .object(let properties):
            for name in ["Identity", "Name"] {
                if case .string(let identity)? = value.property(name) { return identity }
            }
            guard level < ShellLimits.maximumValueDepth else { return "..." }
            let entries = try properties.sorted { $0.key < $1.key }.map { key, value in
                "\(key)=\(try text(of: value, level: level + 1))"
            }
            result = "@{" + entries.joined(separator: "; ") + "}"
        }
        try checkLength(result)
        return result
    }

    /// Appends the rendering of output objects: text as lines, objects as `Name : value` lines (blank-line separated).
    private func render(_ objects: [ShellValue]) throws {
        var previousWasObject = false
        for object in objects {
            switch object {
            case .null:
                continue
            case .object(let properties):
                if previousWasObject { transcript.output.append("") }
                let width = properties.keys.map(\.count).max() ?? 0
                for key in properties.keys.sorted() {
                    let padded = key + String(repeating: " ", count: width - key.count)
                    transcript.output.append("\(padded) : \(try inlineText(of: properties[key]!, level: 0))")
                    try spend(1)
                }
                previousWasObject = true
            case .array(let items):
                try render(items)
                previousWasObject = false
            default:
                transcript.output += try text(of: object).shellLines
                previousWasObject = false
            }
        }
    }

    /// A property value on one line: arrays as `{a, b}`, the rest as text.
    private func inlineText(of value: ShellValue, level: Int) throws -> String {
        guard case .array(let items) = value else { return try text(of: value).shellLines.joined(separator: " ") }
        guard level < ShellLimits.maximumValueDepth else { return "{...}" }
        return "{" + (try items.map { try inlineText(of: $0, level: level + 1) }.joined(separator: ", ")) + "}"
    }
}
