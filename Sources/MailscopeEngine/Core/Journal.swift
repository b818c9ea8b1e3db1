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
    /// When the app was last added to the organisation's EWS allow list (Exchange Online,
    /// `service_account.uses_ews`): such a change takes up to 24 hours to take effect.
    public var ewsAllowListChangedAt: Date?
    /// The propagation wait in progress.
    public var wait: WaitProgress?
    /// When the propagation wait last proved access both ways: a change seen after this is drift,
    /// not propagation.
    public var verifiedAt: Date?
    /// The last report of each stage.
    public var reports: [StageReport] = []
    /// The last run's failure that was not a fault on the way (so a repeat can be told apart).
    public var lastFailure: RecordedFailure?
    /// When the last run read the group's direct members (`JournalStore.lastMembers` holds them,
    /// in a file of their own: a journal written at every step stays small with 100,000 members).
    public var lastMembersAt: Date?

    /// A failure and how many runs in a row met it.
    public struct RecordedFailure: Codable, Sendable, Equatable {
        /// The stage it happened in.
        public var stage: StageID
        /// What went wrong.
        public var message: String
        /// How many runs in a row ended with it.
        public var count: Int
    }

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
        /// When the secret was shown on a hand-off (`nil`: not yet; a run left before its hand-off
        /// shows it on the first hand-off the admin reaches). Never the secret itself.
        public var secretShownAt: Date? = nil
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

    /// This state directory on this machine, as 8 hex digits: mailscope names each credential it
    /// makes with it ("mailscope 2026-12-06 (a1b2c3d4)"), so a run can tell a credential whose
    /// secret another directory or machine holds from one of its own whose file was lost.
    public var holderID: String {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0 ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        let digest = SHA256.hash(data: Data("\(host)|\(directory.standardizedFileURL.path)".utf8))
        return digest.prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    /// The holder ID in a credential's display name, or nil (made elsewhere by an older version or
    /// by `mailscope script`).
    public static func holder(inCredentialName name: String) -> String? {
        guard name.hasPrefix("mailscope "), name.hasSuffix(")"), let open = name.lastIndex(of: "(") else { return nil }
        let tag = name[name.index(after: open)..<name.index(before: name.endIndex)]
        return tag.count == 8 && tag.allSatisfy(\.isHexDigit) ? String(tag) : nil
    }

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
    public func load() -> Journal? { loadReporting().journal }

    /// The journal, or nil when there is none or it was set aside, with what was set aside and why.
    /// A journal that does not decode (truncated, garbage) or that holds a hidden character (a NUL,
    /// a bidi control: mailscope never writes one, so it was edited or damaged) is moved aside to
    /// `journal.json.damaged-<time>`, never deleted.
    public func loadReporting() -> (journal: Journal?, setAside: String?) {
        guard let data = FileManager.default.contents(atPath: journalURL.path) else { return (nil, nil) }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let reason: String
        do {
            let journal = try decoder.decode(Journal.self, from: data)
            if let hidden = Self.hiddenCharacter(in: data) {
                reason = "it holds \(hidden), which mailscope never writes (edited or damaged)"
            } else {
                return (journal, nil)
            }
        } catch {
            reason =
                data.isEmpty
                ? "it is empty"
                : (try? JSONValue.parse(data)) == nil
                    ? "it is not valid JSON (\(data.count) bytes; cut short or overwritten)"
                    : "it is JSON but not a mailscope journal (\(Self.decodingProblem(error)))"
        }
        let aside = journalURL.appendingPathExtension("damaged-\(Int(Date().timeIntervalSince1970))")
        try? FileManager.default.moveItem(at: journalURL, to: aside)
        return (nil, "the journal \(journalURL.path) was set aside as \(aside.lastPathComponent): \(reason); the tenant is re-read and the credential files in \(directory.path) are matched to the app's credentials by key ID")
    }

    /// A hidden character (NUL, control, bidi, zero-width; line breaks and tabs aside) in any
    /// string of the journal, named.
    static func hiddenCharacter(in data: Data) -> String? {
        guard let value = try? JSONValue.parse(data) else { return nil }
        func find(_ value: JSONValue) -> String? {
            switch value {
            case .string(let text):
                // Line breaks and tabs are text here: the journal keeps multi-line shell steps.
                for scalar in text.unicodeScalars where !["\n", "\r", "\t"].contains(scalar) {
                    if let kind = FieldRules.hiddenKind(of: scalar) {
                        return "\(kind) (\(String(format: "U+%04X", scalar.value)))"
                    }
                }
                return nil
            case .array(let items): return items.lazy.compactMap(find).first
            case .object(let members): return members.lazy.compactMap { find(.string($0.key)) ?? find($0.value) }.first
            default: return nil
            }
        }
        return find(value)
    }

    static func decodingProblem(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _): "no \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            "at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "\(error)"
        }
    }

    /// The secret and private-key files mailscope holds in this directory, by the key-ID prefix in
    /// their names (`service-account-<first 8 of keyId>.secret` or `.key.pem`).
    public func heldCredentialFiles() -> [(prefix: String, kind: CredentialKind, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().compactMap { name in
            guard name.hasPrefix("service-account-") else { return nil }
            let rest = name.dropFirst("service-account-".count)
            let kind: CredentialKind
            if rest.hasSuffix(".secret") { kind = .secret } else if rest.hasSuffix(".key.pem") { kind = .certificate } else { return nil }
            let prefix = String(rest.prefix { $0 != "." }).lowercased()
            guard prefix.count == 8 else { return nil }
            return (prefix, kind, directory.appendingPathComponent(name))
        }
    }

    /// The group's direct members the last run read (lower-cased primary addresses), or nil.
    public func lastMembers() -> [String]? {
        guard let data = FileManager.default.contents(atPath: membersURL.path) else { return nil }
        return try? JSONDecoder().decode([String].self, from: data)
    }

    /// Keeps `members` as the last run's, atomically with mode 0600.
    func saveLastMembers(_ members: [String]) throws {
        try PrivateFiles.write(try JSONEncoder().encode(members), to: membersURL)
    }

    /// The file of the last run's members.
    var membersURL: URL { directory.appendingPathComponent("members.json") }

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
