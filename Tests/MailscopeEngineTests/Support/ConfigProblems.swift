import MailscopeEngine

/// What the config loader refuses in `text`, each problem with its field (none: it loads).
func configProblems(_ text: String) -> [FieldError] {
    do {
        _ = try ConfigLoader.parse(text)
        return []
    } catch let error as ConfigError {
        return error.problems
    } catch {
        return [FieldError(field: "?", message: "\(error)")]
    }
}
