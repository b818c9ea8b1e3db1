/// A command's usage line for `--help`, broken between its arguments so that no line is wider
/// than 80 columns after `USAGE: ` (swift-argument-parser prints its own synopsis on one line,
/// which the terminal then breaks inside an argument). scripts/e2e-tmux.sh checks that every
/// option `--help` lists is in it.
enum Usage {
    /// Columns after the 7 of `USAGE: ` (and of its hanging indent), within 79.
    static let width = 72

    /// `command` followed by `arguments`, each argument whole, lines filled greedily.
    static func wrapped(_ command: String, _ arguments: String...) -> String {
        var lines = [command]
        for argument in arguments {
            if lines[lines.count - 1].count + 1 + argument.count <= width {
                lines[lines.count - 1] += " " + argument
            } else {
                lines.append(argument)
            }
        }
        return lines.joined(separator: "\n")
    }
}
