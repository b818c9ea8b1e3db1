/// A count with its noun in the right number: `1 entry`, `2 entries`, `0 changes`. Every counter
/// the wizard shows goes through here, so none reads `1 entries`.
/// - Parameters:
///   - plural: the plural when it is not the singular plus "s".
func counted(_ count: Int, _ singular: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
}
