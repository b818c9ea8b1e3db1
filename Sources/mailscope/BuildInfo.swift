/// What `mailscope --version` prints: the version and the commit the binary was built from.
///
/// The version is written here and nowhere else: scripts/package reads it for the Debian package.
/// The commit is "unknown" in the source, so a plain `swift build` (a tarball without git metadata
/// too) says so; scripts/package writes the commit it builds from into this file for its release
/// build and puts the file back afterwards.
enum BuildInfo {
    static let version = "0.1.0"
    static let commit = "unknown"

    /// The `--version` text, e.g. `0.1.0 (commit 1a2b3c4d5e6f)`.
    static var versionLine: String { "\(version) (commit \(commit))" }
}
