import Crypto
import Foundation
import MailscopeCore

/// What a run has learned and done, kept in a 0600 file so a run killed at any point resumes.
/// The journal is a hint: every run re-reads the tenant before trusting it. It never holds secrets.
public struct Journal: Codable, Sendable, Equatable {
    /// The config this journal belongs to (a hash of its values).
    public var configFingerprint: String
    /// When the journal was started.
    public var createdAt: Date
    /// When it was last written.
    public var updatedAt: Date
    /// The write that was started but not seen to finish (a crash between the two).
    public var pendingWrite: Write?
    /// Writes that finished, oldest first (kept short).
    public var completedWrites: [CompletedWrite] = []
    /// Object IDs learned from the tenant.
    public var ids: [String: String] = [:]
    /// The service account's credential mailscope holds (key ID and where the secret lives).
    public var credential: HeldCredential?
    /// When the last change that must propagate to the app's effective access was made.
    public var rbacChangedAt: Date?
    /// The propagation wait in progress.
    public var wait: WaitProgress?
    /// When the propagation wait last proved access both ways: a change seen after this is drift,
    /// not propagation.
    public var verifiedAt: Date?
    /// The last report of each stage.
    public var reports: [StageReport] = []

    /// A write and when it finished.
    public struct CompletedWrite: Codable, Sendable, Equatable {
        /// The write.
        public var write: Write
        /// When it finished.
        public var at: Date
    }

    /// A credential whose secret or private key mailscope holds in a 0600 file.
    public struct HeldCredential: Codable, Sendable, Equatable {
        /// The credential's key ID in the app.
        public var keyID: String
        /// A secret or a certificate.
        public var kind: CredentialKind
        /// The file holding the secret or the private key (0600).
        public var path: String
        /// The certificate file (for a certificate credential).
        public var certificatePath: String?
        /// When it expires.
        public var expires: Date
        /// The secret's first characters (what Entra shows as the hint) or the thumbprint.
        public var hint: String
    }

    /// A new journal.
    public init(configFingerprint: String, now: Date) {
        self.configFingerprint = configFingerprint
        self.createdAt = now
        self.updatedAt = now
    }
}

/// Reads and writes the journal of one config.
public struct JournalStore: Sendable {
    /// The directory for this config's state (0700).
    public let directory: URL

    /// The store for `config` under `stateDirectory`.
    public init(stateDirectory: URL, config: SetupConfig) {
        let key = "\(config.organizationKey)|\(config.serviceAccountName)"
        let digest = SHA256.hash(data: Data(key.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
        let slug = config.serviceAccountName.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        directory = stateDirectory.appendingPathComponent("\(String(slug))-\(digest)", isDirectory: true)
    }

    /// The journal file.
    public var journalURL: URL { directory.appendingPathComponent("journal.json") }

    /// The file for the secret or private key of the credential `keyID`: one file per credential,
    /// so a new one never overwrites the one the journal vouches for.
    public func credentialURL(_ kind: CredentialKind, keyID: String) -> URL {
        let name = "service-account-\(keyID.lowercased().prefix(8))"
        return directory.appendingPathComponent(kind == .secret ? "\(name).secret" : "\(name).key.pem")
    }

    /// The file for the certificate of the credential `keyID`.
    public func certificateURL(keyID: String) -> URL {
        directory.appendingPathComponent("service-account-\(keyID.lowercased().prefix(8)).cert.pem")
    }

    /// The journal, or nil when there is none. A damaged journal is kept aside and nil returned:
    /// the tenant is re-read anyway.
    public func load() -> Journal? {
        guard let data = FileManager.default.contents(atPath: journalURL.path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        if let journal = try? decoder.decode(Journal.self, from: data) { return journal }
        let aside = journalURL.appendingPathExtension("damaged-\(Int(Date().timeIntervalSince1970))")
        try? FileManager.default.moveItem(at: journalURL, to: aside)
        return nil
    }

    /// Saves `journal` atomically with mode 0600.
    public func save(_ journal: Journal) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try PrivateFiles.write(try encoder.encode(journal), to: journalURL)
    }
}

extension SetupConfig {
    /// A hash of the values that shape the tenant's setup.
    public var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = (try? encoder.encode(self)) ?? Data()
        return SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
    }
}
