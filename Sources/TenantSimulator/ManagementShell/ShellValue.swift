// The values, errors and transcript of the Exchange Management Shell script interpreter.

/// A JSON-like value flowing through a management shell script: a variable's content, a parameter
/// value handed to a cmdlet, or an object a cmdlet returns.
enum ShellValue: Sendable, Equatable {
    /// `$null`, or the absence of output.
    case null
    /// `$true` or `$false`.
    case bool(Bool)
    /// Any number; PowerShell's integers and doubles alike.
    case number(Double)
    /// A string.
    case string(String)
    /// An array, such as `'a','b'`, `@(...)` or the output of a cmdlet that returned several objects.
    case array([ShellValue])
    /// An object with named properties, such as a mailbox a cmdlet returned or a `@{...}` hash literal.
    case object([String: ShellValue])
}

/// Runs a cmdlet; returns its output objects or throws a `ShellCmdletError`.
///
/// `name` is spelled as in the script; `parameters` are keyed by parameter name as spelled in the script,
/// with switches as `.bool(true)` and the positional argument bound to `Identity`.
typealias CmdletRunner = (_ name: String, _ parameters: [String: ShellValue]) async throws -> [ShellValue]

/// A cmdlet's failure, reported as PowerShell reports a non-terminating error.
struct ShellCmdletError: Error, Sendable, Equatable {
    /// The error's text, such as `The management scope "X" already exists.`
    var message: String
    /// The .NET exception name PowerShell shows, such as `ManagementObjectNotFoundException`.
    var category: String
    /// Whether the error says the object the cmdlet was asked about does not exist.
    var isNotFound: Bool

    /// Creates an error with the given text, category and not-found flag.
    init(message: String, category: String = "NotSpecified", isNotFound: Bool = false) {
        self.message = message
        self.category = category
        self.isNotFound = isNotFound
    }
}

/// A script that is not valid PowerShell, or uses PowerShell the interpreter does not support.
struct ShellSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line of the offending text.
    var line: Int
    /// The 1-based column (in characters) of the offending text.
    var column: Int
    /// What is wrong, such as `'foreach' statements are not supported`.
    var message: String

    /// The error as `line L, column C: message`.
    var description: String { "line \(line), column \(column): \(message)" }
}

/// What running a script produced, as a PowerShell window would have shown it.
struct ShellTranscript: Sendable, Equatable {
    /// The lines the script wrote: `Write-Host` text, `Write-Output` objects and the rendering of the
    /// objects statements returned without assigning them.
    var output: [String]
    /// One line per error, such as `New-ManagementScope : The management scope "X" already exists.`
    var errors: [String]
    /// How many top-level statements ran, including a statement that failed or stopped the script.
    var statementsRun: Int
}

/// The limits that keep a hostile script from exhausting the stack, memory or time.
enum ShellLimits {
    /// The largest script accepted, in UTF-8 bytes.
    static let maximumScriptBytes = 1_048_576
    /// The deepest syntactic nesting accepted: parentheses, blocks, subexpressions and unary operators.
    static let maximumNesting = 64
    /// The deepest nesting of arrays and objects a script may build.
    static let maximumValueDepth = 32
    /// The longest string a script may build, in characters.
    static let maximumStringLength = 1_048_576
    /// The units of work one run may spend: evaluation steps, characters built and regex steps.
    static let workBudget = 20_000_000
}

extension ShellValue {
    /// The value's PowerShell truthiness: `$null`, `$false`, `0`, `""` and empty arrays are false; a one-element
    /// array is as true as its element.
    var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let value): value
        case .number(let value): value != 0
        case .string(let value): !value.isEmpty
        case .array(let items): items.count == 1 ? items[0].isTruthy : !items.isEmpty
        case .object: true
        }
    }

    /// The objects the value sends down a pipeline: an array's elements, nothing for `$null`, else the value.
    var enumerated: [ShellValue] {
        switch self {
        case .null: []
        case .array(let items): items
        default: [self]
        }
    }

    /// The value a statement's output objects make: `$null` for none, the object for one, else an array.
    static func collecting(_ objects: [ShellValue]) -> ShellValue {
        switch objects.count {
        case 0: .null
        case 1: objects[0]
        default: .array(objects)
        }
    }

    /// The property named `name` of an object, matched case-insensitively as PowerShell does.
    func property(_ name: String) -> ShellValue? {
        guard case .object(let properties) = self else { return nil }
        if let value = properties[name] { return value }
        let folded = name.lowercased()
        return properties.keys.sorted().first { $0.lowercased() == folded }.flatMap { properties[$0] }
    }

    /// The value of `.name` on this value: a property, `Count`/`Length`, or, on an array, member enumeration
    /// (the elements' values of that property, flattened, with a single result unwrapped).
    func member(_ name: String) -> ShellValue {
        let folded = name.lowercased()
        let isCount = folded == "count" || folded == "length"
        switch self {
        case .null:
            return isCount ? .number(0) : .null
        case .object:
            return property(name) ?? (isCount ? .number(1) : .null)
        case .array(let items):
            if isCount { return .number(Double(items.count)) }
            var values: [ShellValue] = []
            for item in items {
                let value: ShellValue = if case .array = item { .null } else { item.member(name) }
                values.append(contentsOf: value.enumerated)
            }
            return .collecting(values)
        case .string(let text):
            return folded == "length" ? .number(Double(text.utf16.count)) : (isCount ? .number(1) : .null)
        case .bool, .number:
            return isCount ? .number(1) : .null
        }
    }

    /// The value as a number, as PowerShell converts for arithmetic and numeric comparison, or nil.
    var numericValue: Double? {
        switch self {
        case .null: 0
        case .bool(let value): value ? 1 : 0
        case .number(let value): value
        case .string(let text):
            text.trimmingWhitespace.isEmpty ? 0 : ShellValue.parseNumber(text.trimmingWhitespace)
        case .array, .object: nil
        }
    }

    /// The text of a number as PowerShell prints it: integers without a fraction.
    static func format(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
        return String(number)
    }

    /// Parses a PowerShell numeric literal (`42`, `-1.5`, `2e3`, `0x1F`, `5GB`), or returns nil.
    static func parseNumber(_ text: String) -> Double? {
        var body = Substring(text)
        var sign = 1.0
        if let first = body.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        var multiplier = 1.0
        let suffixes: [(String, Double)] = [("kb", 1024), ("mb", 1_048_576), ("gb", 1_073_741_824),
                                            ("tb", 1_099_511_627_776), ("pb", 1_125_899_906_842_624)]
        for (suffix, factor) in suffixes where body.lowercased().hasSuffix(suffix) {
            multiplier = factor
            body = body.dropLast(2)
            break
        }
        guard let first = body.first, first.isASCII, first.isNumber || first == "." else { return nil }
        let lowered = body.lowercased()
        if lowered.hasPrefix("0x") {
            guard lowered.count > 2, let value = UInt64(lowered.dropFirst(2), radix: 16) else { return nil }
            return sign * Double(value) * multiplier
        }
        guard body.allSatisfy({ $0.isASCII && ($0.isNumber || "eE+-.".contains($0)) }),
              let value = Double(String(body)) else { return nil }
        return sign * value * multiplier
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    var trimmingWhitespace: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }

    /// The string split into lines at `\n`, `\r\n` and `\r`.
    var shellLines: [String] {
        split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }.map(String.init)
    }
}
