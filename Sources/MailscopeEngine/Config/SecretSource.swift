import Foundation
import MailscopeCore

/// Where a secret is read from when a run needs it: an environment variable or a 0600 file. A
/// config holds only this, never the secret; the config's `*_env` and `*_file` keys become one
/// value when the config is read, so one source is chosen once.
public enum SecretSource: Sendable, Equatable, Hashable, Codable {
    /// The environment variable of this name.
    case environmentVariable(String)
    /// The file at this path (mode 0600).
    case file(String)

    /// The source from a config's pair of keys, at most one of which may be set.
    public init?(variable: String?, file: String?) {
        if let variable {
            self = .environmentVariable(variable)
        } else if let file {
            self = .file(file)
        } else {
            return nil
        }
    }

    /// The environment variable's name, if that is the source.
    public var variableName: String? {
        if case .environmentVariable(let name) = self { return name }
        return nil
    }

    /// The file's path, if that is the source.
    public var filePath: String? {
        if case .file(let path) = self { return path }
        return nil
    }

    /// Reads the secret: the variable must be set and not empty; the file must be 0600 and not
    /// empty (line breaks around it are dropped). `keys` names the config's keys for the errors,
    /// `what` the secret ("the automation app's client secret").
    func read(in run: RunContext, keys: (variable: String, file: String), what: String) throws -> Secret {
        switch self {
        case .environmentVariable(let name):
            guard let value = run.environment.variables[name], !value.isEmpty else {
                throw EngineError(
                    stage: .signIn,
                    message: "the environment variable \(name) (\(keys.variable)) is not set",
                    fix: "export \(name) with \(what), or use \(keys.file)")
            }
            return Secret(value)
        case .file(let path):
            let text = try run.readPrivateFile(path, field: keys.file).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else {
                throw EngineError(
                    stage: .signIn, message: "\(path) (\(keys.file)) is empty",
                    fix: "write \(what) into it (mode 0600)")
            }
            return Secret(text)
        }
    }
}
