// The syntax tree of a parsed management shell script.

/// One statement of a script, an `if` body, a `$(...)` or an `@(...)`.
indirect enum ShellStatement: Sendable {
    /// A pipeline whose output objects are rendered (or collected, inside a subexpression).
    case pipeline(ShellPipeline)
    /// `$name = pipeline`; `name` is lowercased, since PowerShell variables are case-insensitive.
    case assignment(variable: String, value: ShellPipeline)
    /// `if (...) { } elseif (...) { } else { }`.
    case conditional(clauses: [ShellClause], otherwise: [ShellStatement]?)
}

/// One `if` or `elseif` clause: the condition and the statements it guards.
struct ShellClause: Sendable {
    /// The pipeline in the parentheses, judged by PowerShell truthiness.
    var condition: ShellPipeline
    /// The statements in the braces.
    var body: [ShellStatement]
}

/// Pipeline elements joined by `|`: an expression or command first, then commands.
struct ShellPipeline: Sendable {
    /// The first element, which produces the objects.
    var head: ShellPipelineHead
    /// The commands after `|`, each receiving the previous one's objects one at a time.
    var stages: [ShellCommand]

    /// The expression, if the pipeline is nothing but one expression (its value is kept whole, not enumerated).
    var soleExpression: ShellExpression? {
        if stages.isEmpty, case .expression(let expression) = head { return expression }
        return nil
    }
}

/// The first element of a pipeline.
indirect enum ShellPipelineHead: Sendable {
    /// An expression such as `$list` or `'a','b'`, whose value is enumerated into the pipeline.
    case expression(ShellExpression)
    /// A command such as `Get-Mailbox -Identity x`.
    case command(ShellCommand)
}

/// A command invocation with its arguments.
struct ShellCommand: Sendable {
    /// The command name as spelled in the script.
    var name: String
    /// What runs the command: the cmdlet runner or one of the interpreter's own commands.
    var kind: ShellCommandKind
    /// The arguments in script order.
    var arguments: [ShellArgument]
}

/// What runs a command.
indirect enum ShellCommandKind: Sendable {
    /// An Exchange cmdlet, run by the `CmdletRunner`.
    case cmdlet
    /// `Where-Object { condition }`, keeping the input objects for which the condition (on `$_`) is true.
    case whereObject(ShellPipeline)
    /// `Read-Host`, answering with the next line of input.
    case readHost
    /// `Write-Host`, appending its arguments' text to the output.
    case writeHost
    /// `Write-Output`, emitting its arguments (or its input) as output objects.
    case writeOutput
    /// `Out-Null`, discarding its input.
    case outNull
}

/// One argument of a command.
enum ShellArgument: Sendable {
    /// `-Name value`, `-Name:value` or (with no value) the switch `-Name`.
    case parameter(name: String, value: ShellExpression?)
    /// A value without a parameter name.
    case positional(ShellExpression)
}

/// An expression.
indirect enum ShellExpression: Sendable {
    /// A literal: a quoted string without expansions, a number, a bare word, `$true`, `$false` or `$null`.
    case constant(ShellValue)
    /// `$name`; the name is lowercased, and `$_` and `$PSItem` are both `_`.
    case variable(String)
    /// A double-quoted string with `$var` or `$(...)` expansions.
    case expandable([ShellStringPart])
    /// A comma list, `'a','b'`.
    case list([ShellExpression])
    /// `@(...)`: the statements' output objects, always as an array.
    case arrayExpression([ShellStatement])
    /// `$(...)`: the statements' output objects, collected.
    case subexpression([ShellStatement])
    /// `(...)`: a pipeline's value.
    case parenthesized(ShellPipeline)
    /// `@{ key = value; ... }`.
    case hashLiteral([ShellHashEntry])
    /// `expression.Name`.
    case member(ShellExpression, String)
    /// `-not expression` or `!expression`.
    case not(ShellExpression)
    /// `-expression`, arithmetic negation.
    case negate(ShellExpression)
    /// `left -op right`.
    case binary(ShellOperator, ShellExpression, ShellExpression)
}

/// A piece of a double-quoted string.
enum ShellStringPart: Sendable {
    /// Literal text, with escapes already applied.
    case text(String)
    /// A `$name`, `${name}` or `$(...)` expansion.
    case expansion(ShellExpression)
}

/// One `key = value` entry of a hash literal.
struct ShellHashEntry: Sendable {
    /// The key as written.
    var key: String
    /// The value's pipeline.
    var value: ShellPipeline
}

/// A binary operator, with its case sensitivity for the comparison operators.
struct ShellOperator: Sendable, Equatable {
    /// Which operator.
    var kind: Kind
    /// Whether the operator is the `-c...` variant, comparing case-sensitively.
    var isCaseSensitive = false

    /// The binary operators the interpreter supports.
    enum Kind: String, Sendable, CaseIterable {
        case and, or, xor
        case eq, ne, gt, ge, lt, le, like, notlike, match, notmatch, contains, notcontains, `in`, notin, replace
        case format = "f"
        case add = "+"
        case subtract = "-"
    }

    /// The comparison operators, which take an `i` or `c` prefix.
    static let comparisons: Set<Kind> = [.eq, .ne, .gt, .ge, .lt, .le, .like, .notlike, .match, .notmatch,
                                         .contains, .notcontains, .in, .notin, .replace]

    /// The comparison operator spelled `name` after the dash (such as `eq`, `ilike`, `creplace`), or nil.
    static func comparison(named name: String) -> ShellOperator? {
        if let kind = Kind(rawValue: name), comparisons.contains(kind) { return ShellOperator(kind: kind) }
        guard let prefix = name.first, prefix == "i" || prefix == "c",
              let kind = Kind(rawValue: String(name.dropFirst())), comparisons.contains(kind) else { return nil }
        return ShellOperator(kind: kind, isCaseSensitive: prefix == "c")
    }
}
