// Parses the subset of PowerShell that mailscope prints for the Exchange Management Shell.

/// A recursive-descent parser over a script's characters, switching between PowerShell's argument mode
/// (command arguments: bare words, `-Parameter` names) and expression mode (operators).
///
/// Everything it does not support is a `ShellSyntaxError` naming the line and column, never skipped.
struct ShellParser {
    /// The script's characters; `\r\n` is one character.
    private let text: [Character]
    /// The position of the next character to read.
    private var index = 0
    /// The current syntactic nesting depth, capped at `ShellLimits.maximumNesting`.
    private var depth = 0

    /// Statement keywords the interpreter does not support, lowercased.
    private static let unsupportedKeywords: Set<String> = [
        "begin", "break", "catch", "class", "configuration", "continue", "data", "do", "dynamicparam", "end",
        "enum", "exit", "filter", "finally", "for", "foreach", "function", "param", "parallel", "process",
        "return", "sequence", "switch", "throw", "trap", "try", "until", "using", "while", "workflow",
    ]

    /// PowerShell engine commands that must not reach the cmdlet runner, lowercased.
    private static let unsupportedCommands: Set<String> = [
        "add-content", "add-pssnapin", "add-type", "clear-content", "clear-host", "clear-variable",
        "compare-object", "convertfrom-csv", "convertfrom-json", "convertfrom-securestring", "convertto-csv",
        "convertto-json", "convertto-securestring", "copy-item", "enter-pssession", "export-clixml",
        "export-csv", "foreach-object", "format-custom", "format-list", "format-table", "format-wide",
        "get-childitem", "get-command", "get-content", "get-credential", "get-date", "get-help", "get-item",
        "get-location", "get-member", "get-process", "get-random", "get-service", "get-variable",
        "group-object", "import-clixml", "import-csv", "import-module", "import-pssession",
        "invoke-command", "invoke-expression", "invoke-item", "invoke-restmethod", "invoke-webrequest",
        "join-path", "measure-object", "move-item", "new-item", "new-object", "new-pssession", "new-variable",
        "out-default", "out-file", "out-gridview", "out-host", "out-string", "pop-location", "push-location",
        "receive-job", "remove-item", "remove-module", "remove-pssession", "remove-variable", "rename-item",
        "resolve-path", "restart-computer", "restart-service", "select-object", "set-content",
        "set-executionpolicy", "set-item", "set-location", "set-strictmode", "set-variable", "sort-object",
        "split-path", "start-job", "start-process", "start-service", "start-sleep", "stop-computer",
        "stop-process", "stop-service", "tee-object", "test-path", "wait-job", "write-debug", "write-error",
        "write-information", "write-progress", "write-verbose", "write-warning",
    ]

    /// Parameters the interpreter's own commands accept (beyond the common ones), lowercased.
    private static let builtinParameters: [String: Set<String>] = [
        "read-host": ["prompt", "assecurestring", "maskinput"],
        "write-host": ["object", "nonewline", "separator", "foregroundcolor", "backgroundcolor"],
        "write-output": ["inputobject", "noenumerate"],
        "out-null": ["inputobject"],
        "where-object": ["filterscript"],
    ]

    /// Common parameters whose effect the interpreter cannot reproduce, lowercased.
    private static let unsupportedCommonParameters: Set<String> = [
        "errorvariable", "ev", "warningvariable", "wv", "informationvariable", "iv", "outvariable", "ov",
        "pipelinevariable", "pv",
    ]

    /// Switch parameters that never take the next argument as their value, lowercased.
    private static let knownSwitches: Set<String> = [
        "assecurestring", "bypasssecuritygroupmanagercheck", "confirm", "debug", "force", "maskinput",
        "nonewline", "noenumerate", "verbose", "whatif",
    ]

    /// Prepares to parse `source`, rejecting scripts larger than `ShellLimits.maximumScriptBytes`.
    init(_ source: String) throws(ShellSyntaxError) {
        guard source.utf8.count <= ShellLimits.maximumScriptBytes else {
            throw ShellSyntaxError(line: 1, column: 1, message: "the script is larger than "
                                   + "\(ShellLimits.maximumScriptBytes) bytes")
        }
        text = Array(source)
    }

    /// Parses the whole script.
    mutating func parseScript() throws(ShellSyntaxError) -> [ShellStatement] {
        try parseStatements(closer: nil, opener: 0)
    }

    // MARK: Statements

    /// Parses statements up to `closer` (consumed) or, with no closer, the end of the script.
    private mutating func parseStatements(closer: Character?, opener: Int) throws(ShellSyntaxError)
        -> [ShellStatement] {
        var statements: [ShellStatement] = []
        while true {
            try skipSpace(newlines: true)
            if peek() == ";" {
                index += 1
                continue
            }
            guard let character = peek() else {
                guard let closer else { return statements }
                throw failure("missing closing '\(closer)' for the '\(text[opener])' opened here", at: opener)
            }
            if character == closer {
                index += 1
                return statements
            }
            if character == ")" || character == "}" {
                throw failure("unexpected '\(character)'")
            }
            statements.append(try parseStatement())
            try skipSpace(newlines: false)
            guard let next = peek(), !Self.isNewline(next), next != ";", next != closer else { continue }
            if next == "=" {
                throw failure("assignment is only supported to a plain variable, as in $name = ...")
            }
            if next == ">" || next == "<" { throw failure("redirection is not supported") }
            throw failure("unexpected \(describeToken()); separate statements with a newline or ';'")
        }
    }

    /// Parses one statement: an `if`, an assignment or a pipeline.
    private mutating func parseStatement() throws(ShellSyntaxError) -> ShellStatement {
        guard let character = peek() else { throw failure("missing statement") }
        if character == "$", let assignment = try parseAssignment() {
            return assignment
        }
        if Self.isWordStart(character) {
            let word = peekWord().lowercased()
            if word == "if" { return try parseIf() }
            if word == "else" || word == "elseif" { throw failure("'\(word)' without a preceding 'if' block") }
            if Self.unsupportedKeywords.contains(word) { throw failure("'\(word)' statements are not supported") }
        }
        return .pipeline(try parsePipeline())
    }

    /// Parses `$name = pipeline` if the statement is one; otherwise leaves the position unchanged.
    private mutating func parseAssignment() throws(ShellSyntaxError) -> ShellStatement? {
        let start = index
        guard let next = peek(1), next == "{" || Self.isNameCharacter(next),
              case .variable(let name) = try parseDollar() else {
            index = start
            return nil
        }
        try skipSpace(newlines: false)
        let operatorStart = index
        if let first = peek(), "+-*/%".contains(first), peek(1) == "=" || peek(1) == first {
            throw failure("the '\(first)\(peek(1) ?? " ")' operator is not supported", at: operatorStart)
        }
        guard peek() == "=", peek(1) != "=" else {
            index = start
            return nil
        }
        index += 1
        if name == "true" || name == "false" || name == "_" {
            throw failure("cannot assign to the automatic variable $\(name)", at: start)
        }
        try skipSpace(newlines: true)
        if Self.isWordStart(peek() ?? " ") {
            let word = peekWord().lowercased()
            if word == "if" || Self.unsupportedKeywords.contains(word) {
                throw failure("assigning the result of '\(word)' is not supported")
            }
        }
        return .assignment(variable: name, value: try parsePipeline())
    }

    /// Parses `if (...) { } elseif (...) { } else { }`, with the `if` keyword next.
    private mutating func parseIf() throws(ShellSyntaxError) -> ShellStatement {
        index += 2
        var clauses = [try parseClause(after: "if")]
        var otherwise: [ShellStatement]?
        while true {
            let save = index
            try skipSpace(newlines: true)
            let word = Self.isWordStart(peek() ?? " ") ? peekWord().lowercased() : ""
            if word == "elseif" {
                index += word.count
                clauses.append(try parseClause(after: "elseif"))
            } else if word == "else" {
                index += word.count
                try skipSpace(newlines: true)
                otherwise = try parseBlock(after: "else")
                break
            } else {
                index = save
                break
            }
        }
        return .conditional(clauses: clauses, otherwise: otherwise)
    }

    /// Parses `(condition) { body }` after `if` or `elseif`.
    private mutating func parseClause(after keyword: String) throws(ShellSyntaxError) -> ShellClause {
        try skipSpace(newlines: true)
        guard peek() == "(" else { throw failure("missing '(' after '\(keyword)'") }
        let opener = index
        index += 1
        try enter()
        defer { depth -= 1 }
        try skipSpace(newlines: true)
        if peek() == ")" { throw failure("missing condition in '\(keyword) ()'") }
        let condition = try parsePipeline()
        try skipSpace(newlines: true)
        guard peek() == ")" else {
            if peek() == nil { throw failure("missing closing ')' for the '(' opened here", at: opener) }
            throw failure("unexpected \(describeToken()) in the '\(keyword)' condition")
        }
        index += 1
        try skipSpace(newlines: true)
        return ShellClause(condition: condition, body: try parseBlock(after: keyword))
    }

    /// Parses a `{ statements }` block.
    private mutating func parseBlock(after keyword: String) throws(ShellSyntaxError) -> [ShellStatement] {
        guard peek() == "{" else {
            let hint = keyword == "else" ? " (write 'elseif', not 'else if')" : ""
            throw failure("missing '{' after '\(keyword)'\(hint)")
        }
        let opener = index
        index += 1
        try enter()
        defer { depth -= 1 }
        return try parseStatements(closer: "}", opener: opener)
    }

    // MARK: Pipelines and commands

    /// Parses `element | command | command ...`.
    private mutating func parsePipeline() throws(ShellSyntaxError) -> ShellPipeline {
        try enter()
        defer { depth -= 1 }
        guard let character = peek() else { throw failure("missing statement") }
        if character == "|" { throw failure("an empty pipe element is not allowed") }
        let head: ShellPipelineHead = try startsCommand()
            ? .command(try parseCommand()) : .expression(try parseExpression())
        var stages: [ShellCommand] = []
        while true {
            try skipSpace(newlines: false)
            guard peek() == "|" else { break }
            if peek(1) == "|" { throw failure("the '||' operator is not supported") }
            index += 1
            try skipSpace(newlines: true)
            guard peek() != nil else { throw failure("an empty pipe element is not allowed") }
            guard try startsCommand() else { throw failure("only a command can follow '|'") }
            stages.append(try parseCommand())
        }
        return ShellPipeline(head: head, stages: stages)
    }

    /// Whether the next token starts a command (rather than an expression), rejecting `&` and `.` sourcing.
    private mutating func startsCommand() throws(ShellSyntaxError) -> Bool {
        guard let character = peek() else { return false }
        if character == "&" { throw failure("the call operator '&' is not supported") }
        if character == ".", let next = peek(1), next.isWhitespace || "'\"$".contains(next) {
            throw failure("dot-sourcing ('. script') is not supported")
        }
        if character == "[" { throw failure("type literals and casts ('[...]') are not supported") }
        if character == "{" { throw failure("script blocks are only supported as the Where-Object filter") }
        if character == "?", let next = peek(1), next.isWhitespace || next == "{" { return true }
        return character.isLetter || character == "_"
    }

    /// Parses a command name and its arguments.
    private mutating func parseCommand() throws(ShellSyntaxError) -> ShellCommand {
        let start = index
        var name = ""
        while let character = peek(), character.isLetter || character.isNumber || "-_?.\\:".contains(character) {
            name.append(character)
            index += 1
        }
        let lowered = name.lowercased()
        var kind = ShellCommandKind.cmdlet
        switch lowered {
        case "where-object", "where", "?": kind = .outNull  // Replaced by .whereObject once the filter is parsed.
        case "read-host": kind = .readHost
        case "write-host": kind = .writeHost
        case "write-output", "echo", "write": kind = .writeOutput
        case "out-null": kind = .outNull
        default:
            if lowered == "if" || Self.unsupportedKeywords.contains(lowered) {
                throw failure("'\(name)' cannot be used here", at: start)
            }
            if Self.unsupportedCommands.contains(lowered) {
                throw failure("'\(name)' is not supported by this interpreter", at: start)
            }
            guard Self.isCmdletName(name) else {
                throw failure("'\(name)' is not a supported command (expected a Verb-Noun cmdlet name)", at: start)
            }
            kind = .cmdlet
        }
        if let next = peek(), !isArgumentBoundary(next) {
            throw failure("unexpected '\(next)' after the command name '\(name)'")
        }
        let canonical = switch lowered {
        case "where", "?": "where-object"
        case "echo", "write": "write-output"
        default: lowered
        }
        var arguments: [ShellArgument] = []
        var filter: ShellPipeline?
        while true {
            try skipSpace(newlines: false)
            guard let character = peek(), !isArgumentEnd(character) else { break }
            let argumentStart = index
            if character == "-", let next = peek(1), next.isLetter || next == "_" {
                let argument = try parseParameter(command: canonical, isCmdlet: kind.isCmdlet)
                if canonical == "where-object", case .parameter(let parameter, let value) = argument,
                   parameter.lowercased() == "filterscript" {
                    filter = try whereFilter(value, existing: filter, at: argumentStart)
                } else {
                    arguments.append(argument)
                }
            } else if character == "{", canonical == "where-object" {
                filter = try whereFilter(try parseScriptBlock(), existing: filter, at: argumentStart)
            } else {
                if canonical == "where-object" {
                    throw failure("Where-Object supports only a script block filter: Where-Object { ... }")
                }
                arguments.append(.positional(try parseArgumentValue()))
            }
        }
        if canonical == "where-object" {
            guard let filter else {
                throw failure("Where-Object needs a script block filter: Where-Object { ... }", at: start)
            }
            return ShellCommand(name: name, kind: .whereObject(filter), arguments: arguments)
        }
        return ShellCommand(name: name, kind: kind, arguments: arguments)
    }

    /// Accepts `expression` as the one Where-Object filter, which must be a script block.
    private func whereFilter(_ expression: ShellExpression?, existing: ShellPipeline?, at start: Int)
        throws(ShellSyntaxError) -> ShellPipeline {
        guard existing == nil else { throw failure("Where-Object takes a single script block filter", at: start) }
        guard case .parenthesized(let pipeline)? = expression else {
            throw failure("Where-Object supports only a script block filter: Where-Object { ... }", at: start)
        }
        return pipeline
    }

    /// Parses `{ condition }` for Where-Object, returned as a parenthesized pipeline.
    private mutating func parseScriptBlock() throws(ShellSyntaxError) -> ShellExpression {
        let opener = index
        index += 1
        try enter()
        defer { depth -= 1 }
        try skipSpace(newlines: true)
        if peek() == "}" { throw failure("the Where-Object script block is empty", at: opener) }
        let condition = try parsePipeline()
        try skipSpace(newlines: true)
        guard peek() == "}" else {
            if peek() == nil { throw failure("missing closing '}' for the '{' opened here", at: opener) }
            throw failure("the Where-Object script block must hold a single condition; unexpected "
                          + describeToken())
        }
        index += 1
        return .parenthesized(condition)
    }

    /// Parses `-Name`, `-Name value` or `-Name:value`, with the dash next.
    private mutating func parseParameter(command: String, isCmdlet: Bool) throws(ShellSyntaxError)
        -> ShellArgument {
        let start = index
        index += 1
        var name = ""
        while let character = peek(), character.isLetter || character.isNumber || character == "_" {
            name.append(character)
            index += 1
        }
        let lowered = name.lowercased()
        if Self.unsupportedCommonParameters.contains(lowered) {
            throw failure("the -\(name) parameter is not supported", at: start)
        }
        if !isCmdlet, !Self.isCommonParameter(lowered), !(Self.builtinParameters[command] ?? []).contains(lowered) {
            throw failure("\(command.capitalizedCommand) does not support the -\(name) parameter", at: start)
        }
        if peek() == ":" {
            index += 1
            try skipSpace(newlines: false)
            guard let next = peek(), !isArgumentEnd(next) else { throw failure("missing value after '-\(name):'") }
            return .parameter(name: name, value: try parseArgumentValue(allowsScriptBlock: lowered == "filterscript"))
        }
        if let next = peek(), !isArgumentBoundary(next) {
            throw failure("unexpected '\(next)' after the parameter name '-\(name)'")
        }
        if Self.knownSwitches.contains(lowered) { return .parameter(name: name, value: nil) }
        let save = index
        try skipSpace(newlines: false)
        guard let next = peek(), !isArgumentEnd(next),
              !(next == "-" && (peek(1)?.isLetter == true || peek(1) == "_")) else {
            index = save
            return .parameter(name: name, value: nil)
        }
        return .parameter(name: name, value: try parseArgumentValue(allowsScriptBlock: lowered == "filterscript"))
    }

    /// Parses a command argument: one value or a comma list of values.
    private mutating func parseArgumentValue(allowsScriptBlock: Bool = false) throws(ShellSyntaxError)
        -> ShellExpression {
        if allowsScriptBlock, peek() == "{" { return try parseScriptBlock() }
        return try parseCommaList { parser throws(ShellSyntaxError) in try parser.parseArgumentItem() }
    }

    /// Parses one argument-mode value: a string, variable, parenthesized expression or bare word.
    private mutating func parseArgumentItem() throws(ShellSyntaxError) -> ShellExpression {
        guard let character = peek(), !isArgumentEnd(character) else { throw failure("missing argument") }
        let value: ShellExpression
        switch character {
        case _ where Self.isSingleQuote(character):
            value = .constant(.string(try parseSingleQuoted()))
        case _ where Self.isDoubleQuote(character):
            value = try parseDoubleQuoted()
        case "$", "(", "@":
            value = try parsePostfix(try parsePrimary())
        case "{":
            throw failure("script blocks are only supported as the Where-Object filter")
        case "[":
            throw failure("type literals and casts ('[...]') are not supported")
        case ",":
            throw failure("missing argument before ','")
        default:
            value = try parseBareWord()
        }
        if let next = peek(), !isArgumentBoundary(next), next != "," {
            throw failure("unexpected '\(next)' right after an argument; quote composite arguments")
        }
        return value
    }

    /// Parses an unquoted argument-mode word: a number if it reads as one, else a string.
    private mutating func parseBareWord() throws(ShellSyntaxError) -> ShellExpression {
        var word = ""
        while let character = peek(), !isArgumentBoundary(character), character != "," {
            switch character {
            case ">", "<": throw failure("redirection is not supported")
            case "&": throw failure("'&' is not supported")
            case "`": throw failure("a backtick outside quotes is only supported as the last character of a line")
            case "$", "'", "\"", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}", "\u{201C}", "\u{201D}", "\u{201E}":
                throw failure("unexpected '\(character)' inside an unquoted argument; quote the argument")
            default:
                word.append(character)
                index += 1
            }
        }
        if word.isEmpty { throw failure("unexpected \(describeToken())") }
        if word == "--%" { throw failure("the stop-parsing token '--%' is not supported") }
        if let number = ShellValue.parseNumber(word) { return .constant(.number(number)) }
        return .constant(.string(word))
    }

    // MARK: Expressions

    /// Parses an expression (lowest precedence: `-and`, `-or`, `-xor`), rejecting unsupported operators after it.
    private mutating func parseExpression() throws(ShellSyntaxError) -> ShellExpression {
        var left = try parseComparison()
        let outer = depth
        defer { depth = outer }
        while let (name, end) = try peekDashOperator(), ["and", "or", "xor"].contains(name),
              let kind = ShellOperator.Kind(rawValue: name) {
            try enter()
            index = end
            try skipSpace(newlines: true)
            left = .binary(ShellOperator(kind: kind), left, try parseComparison())
        }
        if let (name, _) = try peekDashOperator() {
            try skipSpace(newlines: false)
            throw failure("the -\(name) operator is not supported")
        }
        return left
    }

    /// Parses comparison operators (`-eq`, `-like`, `-replace`, ...), left-associative.
    private mutating func parseComparison() throws(ShellSyntaxError) -> ShellExpression {
        var left = try parseAdditive()
        let outer = depth
        defer { depth = outer }
        while let (name, end) = try peekDashOperator(), let op = ShellOperator.comparison(named: name) {
            try enter()
            index = end
            try skipSpace(newlines: true)
            left = .binary(op, left, try parseAdditive())
        }
        return left
    }

    /// Parses `+` and binary `-`.
    private mutating func parseAdditive() throws(ShellSyntaxError) -> ShellExpression {
        var left = try parseFormat()
        let outer = depth
        defer { depth = outer }
        while true {
            let save = index
            try skipSpace(newlines: false)
            guard let character = peek(), character == "+" || (character == "-" && !isDashWord(at: index)) else {
                index = save
                return left
            }
            if peek(1) == character || peek(1) == "=" { throw failure("the '\(character)\(peek(1)!)' operator "
                                                                      + "is not supported") }
            try enter()
            index += 1
            try skipSpace(newlines: true)
            let kind: ShellOperator.Kind = character == "+" ? .add : .subtract
            left = .binary(ShellOperator(kind: kind), left, try parseFormat())
        }
    }

    /// Parses the `-f` format operator.
    private mutating func parseFormat() throws(ShellSyntaxError) -> ShellExpression {
        var left = try parseArrayLiteral()
        let outer = depth
        defer { depth = outer }
        while let (name, end) = try peekDashOperator(), name == "f" {
            try enter()
            index = end
            try skipSpace(newlines: true)
            left = .binary(ShellOperator(kind: .format), left, try parseArrayLiteral())
        }
        return left
    }

    /// Parses a comma list in expression mode.
    private mutating func parseArrayLiteral() throws(ShellSyntaxError) -> ShellExpression {
        try parseCommaList { parser throws(ShellSyntaxError) in try parser.parseUnary() }
    }

    /// Parses `item` then `, item` as long as a comma follows (on the same line); one item stands
    /// for itself, several make a list.
    private mutating func parseCommaList(
        _ item: (inout ShellParser) throws(ShellSyntaxError) -> ShellExpression
    ) throws(ShellSyntaxError) -> ShellExpression {
        var items = [try item(&self)]
        while true {
            let save = index
            try skipSpace(newlines: false)
            guard peek() == "," else {
                index = save
                break
            }
            index += 1
            try skipSpace(newlines: true)
            items.append(try item(&self))
        }
        return items.count == 1 ? items[0] : .list(items)
    }

    /// Parses `-not x`, `!x`, `-x`, or a postfix expression.
    private mutating func parseUnary() throws(ShellSyntaxError) -> ShellExpression {
        guard let character = peek() else { throw failure("missing expression") }
        if character == "!" || character == "-" || Self.isDash(character) {
            try enter()
            defer { depth -= 1 }
            if character == "!" {
                index += 1
                try skipSpace(newlines: false)
                return .not(try parseUnary())
            }
            if isDashWord(at: index) {
                let start = index
                index += 1
                let name = readLetters().lowercased()
                guard name == "not" else { throw failure("the unary -\(name) operator is not supported", at: start) }
                try skipSpace(newlines: false)
                return .not(try parseUnary())
            }
            index += 1
            if peek() == "-" { throw failure("the '--' operator is not supported") }
            try skipSpace(newlines: false)
            return .negate(try parseUnary())
        }
        if character == "," { throw failure("the unary ',' operator is not supported") }
        if character == "+" { throw failure("the unary '+' operator is not supported") }
        return try parsePostfix(try parsePrimary())
    }

    /// Parses `.Name` member accesses after a primary expression.
    private mutating func parsePostfix(_ primary: ShellExpression) throws(ShellSyntaxError) -> ShellExpression {
        var expression = primary
        let outer = depth
        defer { depth = outer }
        while let character = peek() {
            if character == ".", let next = peek(1), next.isLetter || next == "_" {
                try enter()
                index += 1
                var name = ""
                while let letter = peek(), letter.isLetter || letter.isNumber || letter == "_" {
                    name.append(letter)
                    index += 1
                }
                if peek() == "(" { throw failure("method calls are not supported") }
                expression = .member(expression, name)
            } else if character == "." {
                if peek(1) == "." { throw failure("the range operator '..' is not supported") }
                throw failure("unsupported member access; write .Name")
            } else if character == "[" {
                throw failure("indexing ('[...]') is not supported")
            } else if character == ":", peek(1) == ":" {
                throw failure("static members ('::') are not supported")
            } else {
                break
            }
        }
        return expression
    }

    /// Parses a primary expression: a string, number, variable, `(...)`, `$(...)`, `@(...)` or `@{...}`.
    private mutating func parsePrimary() throws(ShellSyntaxError) -> ShellExpression {
        guard let character = peek() else { throw failure("missing expression") }
        switch character {
        case _ where Self.isSingleQuote(character):
            return .constant(.string(try parseSingleQuoted()))
        case _ where Self.isDoubleQuote(character):
            return try parseDoubleQuoted()
        case "$":
            return try parseDollar()
        case "(":
            let opener = index
            index += 1
            try enter()
            defer { depth -= 1 }
            try skipSpace(newlines: true)
            if peek() == ")" { throw failure("missing expression inside '()'") }
            let pipeline = try parsePipeline()
            try skipSpace(newlines: true)
            guard peek() == ")" else {
                if peek() == nil { throw failure("missing closing ')' for the '(' opened here", at: opener) }
                if peek() == "=" { throw failure("assignment inside '()' is not supported") }
                throw failure("unexpected \(describeToken()) inside '()'")
            }
            index += 1
            return .parenthesized(pipeline)
        case "@":
            return try parseAt()
        case "[":
            throw failure("type literals and casts ('[...]') are not supported")
        case "{":
            throw failure("script blocks are only supported as the Where-Object filter")
        case _ where character.isASCII && character.isNumber:
            return try parseNumberLiteral()
        case "." where peek(1)?.isNumber == true:
            return try parseNumberLiteral()
        case _ where Self.isWordStart(character):
            throw failure("unexpected word '\(peekWord())' in an expression; quote it if it is a string")
        default:
            throw failure("unexpected \(describeToken())")
        }
    }

    /// Parses a number in expression mode.
    private mutating func parseNumberLiteral() throws(ShellSyntaxError) -> ShellExpression {
        let start = index
        var literal = ""
        while let character = peek(), character.isLetter || character.isNumber || character == "." {
            if character == ".", peek(1) == "." { throw failure("the range operator '..' is not supported") }
            if character == ".", !(peek(1)?.isNumber ?? false) { break }
            literal.append(character)
            index += 1
            if character == "e" || character == "E", let sign = peek(), sign == "-" || sign == "+" {
                literal.append(sign)
                index += 1
            }
        }
        guard let number = ShellValue.parseNumber(literal) else {
            throw failure("'\(literal)' is not a valid number", at: start)
        }
        return .constant(.number(number))
    }

    /// Parses what follows `$`: a variable, `${name}` or a `$(...)` subexpression.
    private mutating func parseDollar() throws(ShellSyntaxError) -> ShellExpression {
        let start = index
        index += 1
        guard let character = peek() else { throw failure("'$' must be followed by a variable name", at: start) }
        if character == "(" {
            index += 1
            try enter()
            defer { depth -= 1 }
            return .subexpression(try parseStatements(closer: ")", opener: start + 1))
        }
        var name = ""
        if character == "{" {
            index += 1
            while let letter = peek(), letter != "}" {
                if letter == "`", let escaped = peek(1) {
                    name.append(escaped)
                    index += 2
                } else {
                    name.append(letter)
                    index += 1
                }
            }
            guard peek() == "}" else { throw failure("missing closing '}' of the variable name", at: start) }
            index += 1
            if name.isEmpty { throw failure("empty variable name", at: start) }
        } else if Self.isNameCharacter(character) {
            name = readName()
            if peek() == ":" {
                guard let next = peek(1), Self.isNameCharacter(next) else {
                    throw failure("variable reference is not valid: ':' was not followed by a valid variable name "
                                  + "character; write ${\(name)}", at: start)
                }
                let scope = name.lowercased()
                if scope == "env" { throw failure("environment variables ($env:...) are not supported", at: start) }
                guard ["global", "script", "local", "private"].contains(scope) else {
                    throw failure("the '\(name):' variable scope or drive is not supported", at: start)
                }
                index += 1
                name = readName()
            }
        } else if "?^$".contains(character) {
            throw failure("the automatic variable $\(character) is not supported", at: start)
        } else {
            throw failure("'$' must be followed by a variable name", at: start)
        }
        switch name.lowercased() {
        case "true": return .constant(.bool(true))
        case "false": return .constant(.bool(false))
        case "null": return .variable("null")
        case "psitem": return .variable("_")
        case "args", "input", "error", "lastexitcode", "myinvocation", "host", "pscmdlet", "home", "pwd":
            throw failure("the automatic variable $\(name) is not supported", at: start)
        default: return .variable(name.lowercased())
        }
    }

    /// Parses what follows `@`: `@(...)` or `@{...}`.
    private mutating func parseAt() throws(ShellSyntaxError) -> ShellExpression {
        let start = index
        switch peek(1) {
        case "(":
            index += 2
            try enter()
            defer { depth -= 1 }
            return .arrayExpression(try parseStatements(closer: ")", opener: start + 1))
        case "{":
            index += 2
            try enter()
            defer { depth -= 1 }
            return try parseHashLiteral(opener: start + 1)
        case let next? where Self.isSingleQuote(next) || Self.isDoubleQuote(next):
            throw failure("here-strings (@'...'@) are not supported")
        case let next? where Self.isNameCharacter(next):
            throw failure("splatting (@name) is not supported")
        default:
            throw failure("unexpected '@'")
        }
    }

    /// Parses the entries of `@{ key = value; ... }` after the `@{`.
    private mutating func parseHashLiteral(opener: Int) throws(ShellSyntaxError) -> ShellExpression {
        var entries: [ShellHashEntry] = []
        var keys: Set<String> = []
        while true {
            try skipSpace(newlines: true)
            guard let character = peek() else {
                throw failure("missing closing '}' for the '{' opened here", at: opener)
            }
            if character == ";" {
                index += 1
                continue
            }
            if character == "}" {
                index += 1
                return .hashLiteral(entries)
            }
            let keyStart = index
            let key: String
            if Self.isSingleQuote(character) {
                key = try parseSingleQuoted()
            } else if Self.isDoubleQuote(character) {
                guard case .constant(.string(let text)) = try parseDoubleQuoted() else {
                    throw failure("hash literal keys cannot contain expansions", at: keyStart)
                }
                key = text
            } else if Self.isNameCharacter(character) {
                key = readName()
            } else {
                throw failure("unexpected \(describeToken()) in a hash literal; expected a key")
            }
            guard keys.insert(key.lowercased()).inserted else {
                throw failure("duplicate key '\(key)' in a hash literal", at: keyStart)
            }
            try skipSpace(newlines: false)
            guard peek() == "=" else { throw failure("missing '=' after the hash literal key '\(key)'") }
            index += 1
            try skipSpace(newlines: true)
            entries.append(ShellHashEntry(key: key, value: try parsePipeline()))
            try skipSpace(newlines: false)
            guard let next = peek(), Self.isNewline(next) || next == ";" || next == "}" else {
                if peek() == nil { throw failure("missing closing '}' for the '{' opened here", at: opener) }
                throw failure("unexpected \(describeToken()) in a hash literal")
            }
        }
    }

    // MARK: Strings

    /// Parses a single-quoted string: no expansion, `''` is a quote.
    private mutating func parseSingleQuoted() throws(ShellSyntaxError) -> String {
        let start = index
        index += 1
        var value = ""
        while true {
            guard let character = peek() else {
                throw failure("the string is missing the terminator: '", at: start)
            }
            index += 1
            if Self.isSingleQuote(character) {
                guard let next = peek(), Self.isSingleQuote(next) else { return value }
                value.append(next)
                index += 1
            } else {
                value.append(character)
            }
        }
    }

    /// Parses a double-quoted string with `$name`, `${name}` and `$(...)` expansions and backtick escapes.
    private mutating func parseDoubleQuoted() throws(ShellSyntaxError) -> ShellExpression {
        let start = index
        index += 1
        var parts: [ShellStringPart] = []
        var buffer = ""
        while true {
            guard let character = peek() else {
                throw failure("the string is missing the terminator: \"", at: start)
            }
            if Self.isDoubleQuote(character) {
                index += 1
                guard let next = peek(), Self.isDoubleQuote(next) else { break }
                buffer.append(next)
                index += 1
            } else if character == "`" {
                guard peek(1) != nil else { throw failure("the string is missing the terminator: \"", at: start) }
                index += 1
                buffer.append(try parseEscape())
            } else if character == "$", let next = peek(1), next == "(" || next == "{" || Self.isNameCharacter(next) {
                if !buffer.isEmpty { parts.append(.text(buffer)) }
                buffer = ""
                parts.append(.expansion(try parseDollar()))
            } else {
                buffer.append(character)
                index += 1
            }
        }
        if !buffer.isEmpty || parts.isEmpty { parts.append(.text(buffer)) }
        if parts.count == 1, case .text(let text) = parts[0] { return .constant(.string(text)) }
        return .expandable(parts)
    }

    /// Parses the character after a backtick inside a double-quoted string.
    private mutating func parseEscape() throws(ShellSyntaxError) -> Character {
        guard let character = peek() else { throw failure("missing character after '`'") }
        index += 1
        switch character {
        case "0": return "\0"
        case "a": return "\u{07}"
        case "b": return "\u{08}"
        case "e": return "\u{1B}"
        case "f": return "\u{0C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "v": return "\u{0B}"
        case "u" where peek() == "{":
            let start = index - 2
            index += 1
            var hex = ""
            while let digit = peek(), digit.isHexDigit, hex.count < 6 {
                hex.append(digit)
                index += 1
            }
            guard peek() == "}", let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                throw failure("invalid `u{...} escape", at: start)
            }
            index += 1
            return Character(scalar)
        default: return character
        }
    }

    // MARK: Lexical helpers

    /// Skips spaces, comments and backtick line continuations, and newlines too if `newlines` is set.
    private mutating func skipSpace(newlines: Bool) throws(ShellSyntaxError) {
        while let character = peek() {
            if Self.isNewline(character) {
                guard newlines else { return }
                index += 1
            } else if character.isWhitespace {
                index += 1
            } else if character == "`" {
                guard let next = peek(1), Self.isNewline(next) else {
                    var probe = index + 1
                    while probe < text.count, text[probe].isWhitespace, !Self.isNewline(text[probe]) { probe += 1 }
                    if probe > index + 1, probe == text.count || Self.isNewline(text[probe]) {
                        throw failure("a backtick continues a line only as its last character (remove the "
                                      + "trailing spaces)")
                    }
                    throw failure("a backtick outside quotes is only supported as the last character of a line")
                }
                index += 2
            } else if character == "#" {
                while let next = peek(), !Self.isNewline(next) { index += 1 }
            } else if character == "<", peek(1) == "#" {
                let start = index
                index += 2
                while index < text.count, !(text[index] == "#" && peek(1) == ">") { index += 1 }
                guard index < text.count else { throw failure("missing '#>' closing the block comment", at: start) }
                index += 2
            } else {
                return
            }
        }
    }

    /// The dash operator (`-eq`, `-and`, `-f`, ...) after optional spaces, lowercased, with the position after it,
    /// without consuming anything.
    private mutating func peekDashOperator() throws(ShellSyntaxError) -> (String, Int)? {
        let save = index
        defer { index = save }
        try skipSpace(newlines: false)
        guard isDashWord(at: index) else { return nil }
        index += 1
        let name = readLetters().lowercased()
        return (name, index)
    }

    /// Whether a dash (or en/em dash) followed by a letter starts at `position`.
    private func isDashWord(at position: Int) -> Bool {
        guard position + 1 < text.count, Self.isDash(text[position]) else { return false }
        return text[position + 1].isLetter
    }

    /// Reads letters from the current position.
    private mutating func readLetters() -> String {
        var word = ""
        while let character = peek(), character.isLetter {
            word.append(character)
            index += 1
        }
        return word
    }

    /// Reads a variable or key name: letters, digits and underscores.
    private mutating func readName() -> String {
        var name = ""
        while let character = peek(), Self.isNameCharacter(character) {
            name.append(character)
            index += 1
        }
        return name
    }

    /// The word (letters, digits, `_`, `-`) at the current position, without consuming it.
    private func peekWord() -> String {
        var position = index
        var word = ""
        while position < text.count,
              text[position].isLetter || text[position].isNumber || "_-".contains(text[position]) {
            word.append(text[position])
            position += 1
        }
        return word
    }

    /// The character `offset` positions ahead, or nil past the end.
    private func peek(_ offset: Int = 0) -> Character? {
        index + offset < text.count ? text[index + offset] : nil
    }

    /// Whether `character` ends a command's arguments: a newline, `;`, `|`, `)`, `}` (or the end of the script).
    private func isArgumentEnd(_ character: Character) -> Bool {
        Self.isNewline(character) || ";|)}".contains(character)
            || (character == "#" && (index == 0 || text[index - 1].isWhitespace))
    }

    /// Whether `character` may follow a complete argument: whitespace or an argument end.
    private func isArgumentBoundary(_ character: Character) -> Bool {
        character.isWhitespace || Self.isNewline(character) || ";|)}".contains(character)
            || (character == "`" && peek(1).map(Self.isNewline) == true)
    }

    /// A short description of the token at the current position, for error messages.
    private func describeToken() -> String {
        guard let character = peek() else { return "end of script" }
        if Self.isWordStart(character) { return "'\(peekWord())'" }
        return "'\(character)'"
    }

    /// Increments the nesting depth, failing beyond `ShellLimits.maximumNesting`.
    private mutating func enter() throws(ShellSyntaxError) {
        depth += 1
        if depth > ShellLimits.maximumNesting {
            throw failure("the script nests deeper than \(ShellLimits.maximumNesting) levels")
        }
    }

    /// A syntax error at `position` (the current position by default), with its line and column.
    private func failure(_ message: String, at position: Int? = nil) -> ShellSyntaxError {
        let end = min(position ?? index, text.count)
        var line = 1
        var column = 1
        for character in text[..<end] {
            if Self.isNewline(character) {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return ShellSyntaxError(line: line, column: column, message: message)
    }

    /// Whether `character` ends a line.
    static func isNewline(_ character: Character) -> Bool {
        character == "\n" || character == "\r\n" || character == "\r"
    }

    /// Whether `character` is a single quote, straight or typographic (PowerShell accepts both).
    static func isSingleQuote(_ character: Character) -> Bool {
        character == "'" || character == "\u{2018}" || character == "\u{2019}" || character == "\u{201A}"
            || character == "\u{201B}"
    }

    /// Whether `character` is a double quote, straight or typographic.
    static func isDoubleQuote(_ character: Character) -> Bool {
        character == "\"" || character == "\u{201C}" || character == "\u{201D}" || character == "\u{201E}"
    }

    /// Whether `character` is a dash: hyphen-minus, en dash, em dash or horizontal bar (PowerShell accepts all).
    static func isDash(_ character: Character) -> Bool {
        character == "-" || character == "\u{2013}" || character == "\u{2014}" || character == "\u{2015}"
    }

    /// Whether `character` may appear in a variable name.
    static func isNameCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }

    /// Whether `character` may start a keyword or command name.
    static func isWordStart(_ character: Character) -> Bool {
        character.isLetter || character == "_"
    }

    /// Whether `lowered` is a common parameter every command accepts and the interpreter handles itself.
    static func isCommonParameter(_ lowered: String) -> Bool {
        ["erroraction", "ea", "warningaction", "wa", "informationaction", "infa", "confirm", "verbose", "vb",
         "debug", "db", "outbuffer", "ob", "whatif", "wi"].contains(lowered)
    }

    /// Whether `name` is a `Verb-Noun` cmdlet name.
    static func isCmdletName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts[0].allSatisfy { $0.isASCII && $0.isLetter } && !parts[0].isEmpty
            && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } && !parts[1].isEmpty
    }
}

extension ShellCommandKind {
    /// Whether the command is run by the cmdlet runner.
    var isCmdlet: Bool {
        if case .cmdlet = self { return true }
        return false
    }
}

extension String {
    /// A lowercased built-in command name spelled as PowerShell documents it, such as `Read-Host`.
    var capitalizedCommand: String {
        split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
    }
}
