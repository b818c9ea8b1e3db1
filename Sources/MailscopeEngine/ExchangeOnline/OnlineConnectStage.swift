import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeOnlineDriver {
    /// A mailbox probe: its permission family and its request for a mailbox's object id.
    typealias Probe = (family: String, request: @Sendable (_ userID: String) -> GraphRequest)

    /// The mailbox probes that prove a role works, by permission family.
    static func probes(for roles: [String]) -> [Probe] {
        var families: [Probe] = []
        let permissions = roles.flatMap(ApplicationRole.graphPermissions(for:))
        if permissions.contains(where: { $0.hasPrefix("Calendars.") }) {
            families.append(("calendar", { GraphRequest.calendar(of: $0) }))
        }
        if permissions.contains(where: { $0.hasPrefix("Mail.Read") }) {
            families.append(("mail", { GraphRequest.messages(of: $0) }))
        }
        if permissions.contains(where: { $0.hasPrefix("Contacts.") }) {
            families.append(("contacts", { GraphRequest.contacts(of: $0) }))
        }
        if families.isEmpty { families.append(("mailbox settings", { GraphRequest.mailboxSettings(of: $0) })) }
        return families
    }

    /// The tenant's room mailboxes with their object ids (`ExternalDirectoryObjectId`), read once a run.
    func roomMailboxes(exchange: ExchangeAdminClient) async throws -> [ProbeMailbox] {
        if let rooms = facts.rooms { return rooms }
        let found = try await exchange.invoke(
            "Get-Mailbox",
            ["RecipientTypeDetails": "RoomMailbox", "ResultSize": "Unlimited"]
        )
        let rooms = found.compactMap { room in
            room["PrimarySmtpAddress"].string.map {
                ProbeMailbox(address: $0, objectID: room["ExternalDirectoryObjectId"].string.flatMap { $0.isEmpty ? nil : $0 })
            }
        }
        facts.rooms = rooms
        return rooms
    }

    /// Stops a run before its first write when nothing inside the scope could prove access: a
    /// rooms scope in a tenant without room mailboxes (a group scope without a mailbox among its
    /// members fails its own stage).
    func requireInScopeMailbox() async throws {
        guard config.scopeKind == .rooms, config.inScopeMailbox == nil else { return }
        let (_, exchange) = try clients()
        run.currentStage = .connect
        if try await roomMailboxes(exchange: exchange).isEmpty {
            throw EngineError(
                stage: .connect,
                message: "the tenant has no room mailbox: the rooms scope would cover nobody, and no mailbox could prove access",
                fix: "create the room mailboxes first (New-Mailbox -Room), or use a group scope; nothing was written"
            )
        }
    }

    /// Chooses the mailbox that must be reachable and the one that must be denied, each with its
    /// object id: Graph addresses a user by id or user principal name, and a UPN need not be the
    /// mail address (microsoft-graph-docs-contrib `api-reference/v1.0/api/user-get.md`). Members
    /// and rooms come with their ids from the stages; a configured mailbox is looked up once.
    func probeMailboxes() async throws -> (inScope: ProbeMailbox?, outOfScope: ProbeMailbox?, notes: [String]) {
        let (graph, exchange) = try clients()
        var notes: [String] = []
        if config.scopeKind == .rooms, facts.rooms == nil {
            let rooms = try await roomMailboxes(exchange: exchange)
            notes.append("Get-Mailbox -RecipientTypeDetails RoomMailbox → \(rooms.count) room(s)")
        }
        var inScope: ProbeMailbox?
        if let configured = config.inScopeMailbox {
            inScope = try await probeMailbox(configured, graph: graph)
        } else {
            switch config.scopeKind {
            case .group:
                let present = Set(facts.directMembers.map(\.objectID))
                inScope = facts.members.first { !$0.isGroup && $0.objectID.map(present.contains) == true }.map {
                    ProbeMailbox(address: $0.primary ?? $0.configured, objectID: $0.objectID)
                }
            case .rooms:
                inScope = facts.rooms?.first
            }
        }
        if let mailbox = inScope, mailbox.objectID == nil {
            // A room whose Get-Mailbox row lacked ExternalDirectoryObjectId: one lookup by address.
            inScope = try await probeMailbox(mailbox.address, graph: graph)
            if inScope?.objectID == nil {
                notes.append("\(mailbox.address) is no user in the directory: Graph cannot address it")
            }
        }
        var outOfScope: ProbeMailbox?
        if let configured = config.outOfScopeMailbox {
            outOfScope = try await probeMailbox(configured, graph: graph)
            if outOfScope?.objectID == nil {
                notes.append("\(configured) is no user in the directory: Graph cannot address it")
            }
        } else {
            var excluded: Set<String>
            switch config.scopeKind {
            case .group:
                excluded = Set(facts.directMembers.map(\.objectID)).union(facts.members.compactMap(\.objectID))
            case .rooms:
                excluded = Set((facts.rooms ?? []).compactMap(\.objectID))
            }
            if let id = inScope?.objectID { excluded.insert(id) }
            let roomAddresses = Set((facts.rooms ?? []).map { $0.address.lowercased() })
            outOfScope = try await outOfScopeCandidate(graph: graph) { id, mail in
                !excluded.contains(id) && !(config.scopeKind == .rooms && roomAddresses.contains(mail.lowercased()))
            }
        }
        return (inScope, outOfScope, notes)
    }

    /// `address` with its object id: from the group's members or the rooms when known, otherwise one
    /// Graph lookup by SMTP address (primary or alias), remembered for the run.
    func probeMailbox(_ address: String, graph: GraphClient) async throws -> ProbeMailbox {
        let key = address.lowercased()
        if let known = facts.probeMailboxes[key] { return known }
        func nonEmpty(_ id: String?) -> String? { id.flatMap { $0.isEmpty ? nil : $0 } }
        var id =
            nonEmpty(
                facts.members.first {
                    !$0.isGroup && ($0.configured.lowercased() == key || $0.primary?.lowercased() == key)
                }?.objectID)
            ?? nonEmpty(
                facts.directMembers.first { !$0.isGroup && ($0.address.lowercased() == key || $0.addresses.contains(key)) }?
                    .objectID)
            ?? nonEmpty(facts.rooms?.first { $0.address.lowercased() == key }?.objectID)
        if id == nil {
            let found = try await graph.list(
                .users(withAddress: address, select: ["id", "mail", "userPrincipalName"]), limit: 1)
            id = nonEmpty(found.first?["id"].string)
        }
        let mailbox = ProbeMailbox(address: address, objectID: id)
        facts.probeMailboxes[key] = mailbox
        return mailbox
    }

    /// How many pages of users (999 each) the search for a mailbox outside the scope reads at most.
    static let candidatePages = 5

    /// The mailbox that must be denied when none is configured: the first licensed member user with a
    /// mail address that `allowed(id, mail)` accepts, never a guest (`userType` `Guest`) or an account
    /// without a licence (no mailbox to probe). `userType` and `assignedLicenses` are returned only on
    /// `$select` (microsoft-graph-docs-contrib `api-reference/v1.0/resources/user.md`); they are
    /// judged here, as a filter on the licence count (`assignedLicenses/$count ne 0`) would need an
    /// advanced query (`concepts/aad-advanced-queries.md`). The choice is kept for the run while
    /// `allowed` still accepts it.
    func outOfScopeCandidate(
        graph: GraphClient, allowed: (_ id: String, _ mail: String) -> Bool
    ) async throws -> ProbeMailbox? {
        if let chosen = facts.outOfScopeCandidate, let id = chosen.objectID, allowed(id, chosen.address) { return chosen }
        facts.outOfScopeCandidate = nil
        var next: GraphRequest? = .users(
            select: ["id", "mail", "userPrincipalName", "userType", "assignedLicenses"], top: 999)
        var pages = 0
        while let request = next, pages < Self.candidatePages {
            pages += 1
            let page = try await graph.get(request)
            for user in page["value"].array ?? [] {
                guard let id = user["id"].string, let mail = user["mail"].string, !mail.isEmpty,
                    Self.isLicensedMember(user), allowed(id, mail)
                else { continue }
                let chosen = ProbeMailbox(address: mail, objectID: id)
                facts.outOfScopeCandidate = chosen
                return chosen
            }
            next = page["@odata.nextLink"].string.map(GraphRequest.nextPage)
        }
        return nil
    }

    /// Whether a Graph user is a member (`userType` `Member`, not `Guest`) holding at least one licence.
    static func isLicensedMember(_ user: JSONValue) -> Bool {
        guard user["userType"].string?.caseInsensitiveCompare("Member") == .orderedSame else { return false }
        return !(user["assignedLicenses"].array ?? []).isEmpty
    }

    /// One poll: the configured state (Test-ServicePrincipalAuthorization) and the effective state
    /// (real Graph calls with the app's own token).
    func poll() async throws -> PollEvidence {
        if isDelegated { return try await pollDelegated() }
        let (_, exchange) = try clients()
        let now = environment.clock.now
        guard let appID = facts.appID else {
            return PollEvidence(
                at: now,
                configuredInScope: nil,
                configuredOutOfScope: nil,
                inScopeAllowed: nil,
                outOfScopeDenied: nil,
                lines: ["no app yet"]
            )
        }
        let mailboxes = try await probeMailboxes()
        // The configured state (two Test-ServicePrincipalAuthorization calls) and the effective
        // state (the app's token, then every probe) are read at once.
        let roles = config.assignedRoles
        async let inRows = Self.authorization(of: appID, on: mailboxes.inScope?.address, exchange: exchange)
        async let outRows = Self.authorization(of: appID, on: mailboxes.outOfScope?.address, exchange: exchange)
        let effectiveProbe: Result<GraphClient, Untested> =
            scopesVendorApp
            ? .failure(Untested(description: "effective access: \(Self.vendorEffectiveUntestable) (mailscope holds none)"))
            : appGraph(appID: appID)
        // Graph probes for the Graph roles; EWS has its own proof (`ewsProof`).
        let families = Self.probes(for: config.roles)
        async let effective: (allowed: Bool?, denied: Bool?, lines: [String]) =
            switch effectiveProbe {
            case .failure(let untested): (nil, nil, [untested.description])
            case .success(let appGraph):
                try Self.effectiveAccess(
                    appGraph: appGraph, families: families, inScope: mailboxes.inScope, outOfScope: mailboxes.outOfScope)
            }
        var lines = mailboxes.notes
        var configuredIn: Bool?
        var configuredOut: Bool?
        if let mailbox = mailboxes.inScope?.address, let rows = try await inRows {
            configuredIn = Self.allInScope(roles, rows: rows)
            let summary = rows.map { "\($0["RoleName"].string ?? "?"): \(Self.describeInScope($0["InScope"]))" }
            lines.append("Test-ServicePrincipalAuthorization \(mailbox) → \(summary.joined(separator: "; "))")
        } else {
            lines.append("no in-scope mailbox to test: add a member, or set connect.in_scope_mailbox")
        }
        if let mailbox = mailboxes.outOfScope?.address, let rows = try await outRows {
            configuredOut = Self.noneInScope(rows)
            let word: String
            switch configuredOut {
            case .some(true): word = "out of scope"
            case .some(false):
                word = EndEventEarly.widens(config) ? "in scope (End Event Early's widened scope, chosen)" : "IN SCOPE"
            case .none:
                word = "no verdict ("
                    + rows.map { "\($0["RoleName"].string ?? "?"): \(Self.describeInScope($0["InScope"]))" }
                    .joined(separator: "; ") + ")"
            }
            lines.append("Test-ServicePrincipalAuthorization \(mailbox) → \(word)")
        } else {
            lines.append("no mailbox outside the scope found to test denial; set connect.out_of_scope_mailbox")
        }
        let access = try await effective
        let ews = try await ewsProof(appID: appID, inScope: mailboxes.inScope, outOfScope: mailboxes.outOfScope)
        var evidence = PollEvidence(
            at: now,
            configuredInScope: configuredIn,
            configuredOutOfScope: configuredOut,
            inScopeAllowed: access.allowed,
            outOfScopeDenied: access.denied,
            lines: lines + access.lines
        )
        if scopesVendorApp { evidence.effectiveUnobservable = true }
        if let ews {
            evidence.ewsInScopeAllowed = ews.allowed
            evidence.ewsOutOfScopeDenied = ews.denied
            evidence.lines += ews.lines
        }
        return evidence
    }

    /// The verdict of one `InScope` value of `Test-ServicePrincipalAuthorization`: the cmdlet
    /// reference shows `True`, `False`, or `Not Run` when no resource was tested
    /// (office-docs-powershell `exchange/exchange-ps/exchange/Test-ServicePrincipalAuthorization.md`),
    /// so a JSON Boolean and those words (any case) are read; `Not Run` and anything else give no
    /// verdict (nil).
    static func inScope(_ value: JSONValue) -> Bool? {
        if let flag = value.bool { return flag }
        switch value.string?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    /// An `InScope` value for the evidence: `InScope=True`/`False`, or the raw value with "no verdict".
    static func describeInScope(_ value: JSONValue) -> String {
        switch inScope(value) {
        case .some(true): return "InScope=True"
        case .some(false): return "InScope=False"
        case .none:
            let raw = value.isNull ? "missing" : String(decoding: value.encoded(), as: UTF8.self)
            return "InScope=\(raw) (no verdict)"
        }
    }

    /// Whether every role in `roles` has a row that is in scope: false when one is missing or out of
    /// scope, nil when none is out of scope but one gave no verdict.
    static func allInScope(_ roles: [String], rows: [JSONValue]) -> Bool? {
        var unknown = false
        for role in roles {
            let verdicts = rows.filter { $0["RoleName"].string?.caseInsensitiveCompare(role) == .orderedSame }
                .map { inScope($0["InScope"]) }
            if verdicts.contains(true) { continue }
            if verdicts.isEmpty || verdicts.allSatisfy({ $0 == false }) { return false }
            unknown = true
        }
        return unknown ? nil : true
    }

    /// Whether no row is in scope: false when one is, nil when none is but one gave no verdict.
    static func noneInScope(_ rows: [JSONValue]) -> Bool? {
        let verdicts = rows.map { inScope($0["InScope"]) }
        if verdicts.contains(true) { return false }
        return verdicts.contains(nil) ? nil : true
    }

    /// `Test-ServicePrincipalAuthorization` of the app on `mailbox` (nil without a mailbox).
    static func authorization(of appID: String, on mailbox: String?, exchange: ExchangeAdminClient) async throws
        -> [JSONValue]?
    {
        guard let mailbox else { return nil }
        return try await exchange.invoke(
            "Test-ServicePrincipalAuthorization", ["Identity": .string(appID), "Resource": .string(mailbox)])
    }

    /// Why effective access could not be tested.
    struct Untested: Error, CustomStringConvertible {
        var description: String
    }

    /// A Graph client signed in as the app with the credential this machine holds.
    func appGraph(appID: String) -> Result<GraphClient, Untested> {
        appSession(appID: appID).map { GraphClient(base: endpoints.graph, tokens: $0, sender: sender) }
    }

    /// The app's own client-credentials session, with the credential this machine holds.
    func appSession(appID: String) -> Result<ClientCredentialSession, Untested> {
        guard let held = journal.credential, FileManager.default.fileExists(atPath: held.path) else {
            return .failure(Untested(description: "effective access not tested: this machine holds no credential of the app"))
        }
        let credential: ClientCredential
        do {
            let key = try readPrivateFile(held.path, field: "held credential")
            if held.kind == .secret {
                credential = .secret(Secret(key.trimmingCharacters(in: .whitespacesAndNewlines)))
            } else {
                let certificate = try String(contentsOfFile: held.certificatePath ?? "", encoding: .utf8)
                credential = .certificate(
                    try CertificateCredential(certificatePEM: certificate, privateKeyPEM: Secret(key))
                )
            }
        } catch {
            return .failure(Untested(description: "effective access not tested: cannot read the held credential (\(error))"))
        }
        let identity = IdentityClient(endpoints: endpoints, tenant: authorityTenant, sender: sender)
        return .success(ClientCredentialSession(identity: identity, clientID: appID, credential: credential))
    }

    /// Every probe at once as the app, each addressing the mailbox by its object id.
    static func effectiveAccess(
        appGraph: GraphClient, families: [Probe], inScope: ProbeMailbox?,
        outOfScope: ProbeMailbox?
    ) async throws -> (allowed: Bool?, denied: Bool?, lines: [String]) {
        let mailboxes = [inScope, outOfScope].compactMap { $0 }
        let probes = mailboxes.flatMap { mailbox in
            families.map { (mailbox: mailbox, family: $0.family, request: $0.request) }
        }
        // Each probe's status and line, in probe order (the app's token is fetched once).
        let answers = try await withThrowingTaskGroup(of: (Int, Int, String).self) { group in
            for (index, probe) in probes.enumerated() {
                let address = probe.mailbox.address
                guard let id = probe.mailbox.objectID else {
                    let line = "as the app: \(probe.family) of \(address) not probed: no user in the directory has this address"
                    group.addTask { (index, 0, line) }
                    continue
                }
                let request = probe.request(id)
                group.addTask {
                    do {
                        _ = try await appGraph.get(request)
                        return (index, 200, "as the app: GET \(probe.family) of \(address) → 200")
                    } catch let error as MicrosoftError {
                        return (index, error.status, "as the app: GET \(probe.family) of \(address) → \(error.status) \(error.code)")
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        return (index, 0, "as the app: GET \(probe.family) of \(address) → \(error)")
                    }
                }
            }
            var answers = [(status: Int, line: String)](repeating: (0, ""), count: probes.count)
            for try await (index, status, line) in group { answers[index] = (status, line) }
            return answers
        }
        /// true when every probe answered `wanted`; false when one answered the opposite (200 vs
        /// 403); nil when something else answered (401, 404, 429, no answer): no verdict either way.
        func verdict(_ mailbox: ProbeMailbox?, first: Int, wanted: Int) -> Bool? {
            guard mailbox != nil else { return nil }
            let statuses = answers[first..<first + families.count].map(\.status)
            if !statuses.isEmpty, statuses.allSatisfy({ $0 == wanted }) { return true }
            let opposite = wanted == 200 ? 403 : 200
            if statuses.contains(opposite), statuses.allSatisfy({ $0 == 200 || $0 == 403 }) { return false }
            return nil
        }
        let outFirst = inScope == nil ? 0 : families.count
        return (
            verdict(inScope, first: 0, wanted: 200), verdict(outOfScope, first: outFirst, wanted: 403),
            answers.map(\.line)
        )
    }

    /// Reads the connect stage once (used by `check`).
    func observeConnect(engine: SetupEngine) async throws -> StageObservation {
        guard facts.appID != nil, facts.servicePrincipalID != nil else {
            return StageObservation(
                report: StageReport(stage: .connect, status: .pending, detail: "waits for the service account"),
                writes: []
            )
        }
        if facts.exchangePointerExists == false {
            // Test-ServicePrincipalAuthorization knows only apps registered in Exchange.
            return StageObservation(
                report: StageReport(
                    stage: .connect, status: .pending,
                    detail: "waits for Exchange's pointer to the app (the impersonation role stage)"),
                writes: []
            )
        }
        let evidence = try await poll()
        let cause = await exposureCause(of: evidence, engine: engine)
        return StageObservation(report: connectReport(evidence, waiting: false, exposureCause: cause), writes: [])
    }

    /// When the last change of effective access was a write mailscope made in this run and its
    /// propagation window is still open, the time of that change; otherwise nil. Only such a change
    /// may excuse a mailbox outside the scope that still answers the app.
    var ownChangeStillClosing: Date? {
        guard let changedAt = journal.rbacChangedAt, changedAt >= run.startedAt,
            journal.completedWrites.contains(where: { $0.at == changedAt && $0.write.narrowsAccess }),
            environment.clock.now < changedAt.addingTimeInterval(TimeInterval(config.waitDeadlineMinutes) * 60)
        else { return nil }
        return changedAt
    }

    /// What lets the app reach a mailbox outside the scope, read from the tenant when a poll found
    /// that exposure and no change of this run explains it: tenant-wide Entra grants, role
    /// assignments outside the scope, a scope filter other than the configured one. nil when the
    /// poll found no exposure, or nothing was found.
    func exposureCause(of evidence: PollEvidence, engine: SetupEngine) async -> String? {
        // End Event Early: the mailbox outside the rooms answers by the admin's choice (its own report).
        guard evidence.outOfScopeDenied == false, ownChangeStillClosing == nil, !EndEventEarly.widens(config) else {
            return nil
        }
        defer { run.currentStage = .connect }
        var causes: [String] = []
        if let role = try? await engine.observe(.impersonationRole) {
            for write in role.writes {
                if case .removeTenantWideGrant(_, let permission, let resource) = write {
                    causes.append("a tenant-wide Entra grant of \(permission) (\(resource))")
                }
            }
        }
        if let scope = try? await engine.observe(.scope) {
            for write in scope.writes {
                if case .removeTenantWideGrant(_, let permission, let resource) = write {
                    causes.append("a tenant-wide Entra grant of \(permission) (\(resource))")
                }
                if case .removeRoleAssignment(_, let role) = write {
                    causes.append("a role assignment of \(role) that is not limited to the scope")
                }
                if case .updateScope(let name, _) = write {
                    causes.append("the filter of \(name) is not the configured one (widened)")
                }
            }
        }
        return causes.isEmpty ? nil : causes.joined(separator: "; ")
    }

    /// Turns a poll into the connect stage's report. A mailbox outside the scope that answers the
    /// app is an exposure now, a failure whatever the window, with `exposureCause` when it was
    /// found; only a change mailscope made in this run (`ownChangeStillClosing`) is reported as
    /// still closing, with its time.
    func connectReport(_ evidence: PollEvidence, waiting: Bool, exposureCause: String?) -> StageReport {
        if evidence.delegatedAppHolds != nil { return delegatedConnectReport(evidence, waiting: waiting) }
        let report = graphConnectReport(evidence, waiting: waiting, exposureCause: exposureCause)
        return config.usesEWS ? ewsConnectReport(report, evidence, waiting: waiting) : report
    }

    /// The connect report from Test-ServicePrincipalAuthorization and the Graph calls as the app.
    private func graphConnectReport(_ evidence: PollEvidence, waiting: Bool, exposureCause: String?) -> StageReport {
        let now = environment.clock.now
        let steps = [
            StepReport.verdict(
                "configured: in-scope mailbox", evidence.configuredInScope, yes: "in scope", no: "NOT in scope"),
            StepReport.verdict(
                "configured: out-of-scope mailbox", evidence.configuredOutOfScope, yes: "out of scope", no: "IN scope"),
            StepReport.verdict("effective: in-scope allowed", evidence.inScopeAllowed, yes: "200", no: "denied"),
            StepReport.verdict("effective: out-of-scope denied", evidence.outOfScopeDenied, yes: "403", no: "ALLOWED"),
        ]
        if EndEventEarly.widens(config) { return endEventEarlyReport(evidence, now: now, waiting: waiting) }
        if evidence.effectiveUnobservable == true {
            return configuredOnlyReport(evidence, steps: Array(steps.prefix(2)), now: now, waiting: waiting)
        }
        if evidence.isSettled {
            return StageReport.connect(
                .verified,
                "in-scope mailbox answers 200, out-of-scope mailbox 403",
                poll: evidence,
                steps: steps
            )
        }
        if evidence.configuredInScope == false || evidence.configuredOutOfScope == false {
            let detail =
                evidence.configuredInScope == false
                ? "the configuration does not put the in-scope mailbox in scope"
                : "the configuration puts a mailbox outside the intended scope in scope"
            return StageReport.connect(
                .failed,
                detail,
                poll: evidence,
                steps: steps,
                fix: "run apply to repair the scope and role assignments"
            )
        }
        if evidence.outOfScopeDenied == false {
            return exposureReport(evidence, steps: steps, now: now, waiting: waiting, exposureCause: exposureCause)
        }
        return unprovenReport(evidence, steps: steps, now: now, waiting: waiting)
    }

    /// The vendor's own app, whose effective access mailscope cannot test (no credential): the
    /// configured state alone decides. An out-of-scope mailbox shown in scope, or the in-scope one
    /// not in scope, is a failure; both verdicts are needed to be verified; a missing verdict waits
    /// within the window and is "not verified" after it.
    private func configuredOnlyReport(
        _ evidence: PollEvidence, steps: [StepReport], now: Date, waiting: Bool
    ) -> StageReport {
        let steps =
            steps + [StepReport(name: "effective access", status: .skipped, detail: Self.vendorEffectiveUntestable)]
        if evidence.configuredOutOfScope == false || evidence.configuredInScope == false {
            let detail =
                evidence.configuredOutOfScope == false
                ? "the configuration puts a mailbox outside the intended scope in scope"
                : "the configuration does not put the in-scope mailbox in scope"
            return StageReport.connect(
                .failed, detail, poll: evidence, steps: steps,
                fix: "run apply to repair the scope and role assignments (and remove tenant-wide grants)")
        }
        if evidence.isSettled {
            return StageReport.connect(
                .verified,
                "Test-ServicePrincipalAuthorization: in-scope mailbox in scope, out-of-scope mailbox out of scope; "
                    + "effective access \(Self.vendorEffectiveUntestable) (the hand-off says how the vendor confirms)",
                poll: evidence, steps: steps)
        }
        let deadline = journal.rbacChangedAt?.addingTimeInterval(TimeInterval(config.waitDeadlineMinutes) * 60)
        let withinWindow = deadline.map { now < $0 } ?? false
        return StageReport.connect(
            waiting && withinWindow ? .waiting : .notVerified,
            "Test-ServicePrincipalAuthorization gave no verdict for both mailboxes yet; effective access "
                + Self.vendorEffectiveUntestable,
            poll: evidence, steps: steps,
            fix: "wait for propagation (usually 30 min to 2 h), or set connect.out_of_scope_mailbox to a mailbox outside the scope")
    }

    /// The app reaches a mailbox outside the scope: still closing when mailscope's own change of
    /// this run is, otherwise an exposure now, with its cause when one was found.
    private func exposureReport(
        _ evidence: PollEvidence, steps: [StepReport], now: Date, waiting: Bool, exposureCause: String?
    ) -> StageReport {
        if let ownChange = ownChangeStillClosing {
            let minutes = Int(now.timeIntervalSince(ownChange) / 60)
            return StageReport.connect(
                waiting ? .waiting : .notVerified,
                "the app still reaches a mailbox outside the scope; mailscope's change at \(Timestamps.iso8601(ownChange)) "
                    + "(\(minutes) min ago) is still closing (usually 30 min to 2 h)",
                poll: evidence,
                steps: steps
            )
        }
        return StageReport.connect(
            .failed,
            "EXPOSED: the app reaches a mailbox outside the scope now: "
                + (exposureCause ?? "no tenant-wide grant, unscoped assignment or widened filter was found; "
                    + "an earlier grant may still be cached for up to 2 hours"),
            poll: evidence,
            steps: steps,
            fix: "run apply to remove the cause (it removes tenant-wide mailbox grants and assignments outside "
                + "the scope, and restores the filter); until then the app can read mailboxes outside the scope"
        )
    }

    /// No exposure, but access inside the scope is not proven: no verdict from the live calls,
    /// a change still within its window (waiting), or a denial inside the scope (a failure).
    private func unprovenReport(
        _ evidence: PollEvidence, steps: [StepReport], now: Date, waiting: Bool
    ) -> StageReport {
        let changedAt = journal.rbacChangedAt
        let deadline = changedAt?.addingTimeInterval(TimeInterval(config.waitDeadlineMinutes) * 60)
        let withinWindow = deadline.map { now < $0 } ?? false
        if evidence.inScopeAllowed == nil || evidence.outOfScopeDenied == nil {
            return StageReport.connect(
                waiting && withinWindow ? .waiting : .notVerified,
                "the live calls as the app gave no verdict (neither 200 nor 403); see the evidence",
                poll: evidence,
                steps: steps.map {
                    var step = $0
                    if step.status == .pending { step.status = .notVerified }
                    return step
                },
                fix: "if this machine holds no credential of the app, run where it does; a 401 right after a new "
                    + "credential or a 429 passes with time"
            )
        }
        if withinWindow, let changedAt {
            let minutes = Int(now.timeIntervalSince(changedAt) / 60)
            return StageReport.connect(
                waiting ? .waiting : .notVerified,
                "configured correctly; live calls not there yet (\(minutes) min since the last change; usually 30 min to 2 h)",
                poll: evidence,
                steps: steps
            )
        }
        return StageReport.connect(
            .failed,
            "the app is denied on a mailbox inside the scope",
            poll: evidence,
            steps: steps,
            fix: "run apply to repair; if it persists past 2 hours, check the app in Entra"
        )
    }

    /// End Event Early, chosen: the scope covers the meetings' organizers too, so the mailbox outside
    /// the rooms (connect.out_of_scope_mailbox, or the first licensed user) must be reachable. That
    /// access is listed, by name, and is never a failure; a room that is not reachable is, and so
    /// is an organizer's mailbox that stays refused once the window has passed (not widened).
    private func endEventEarlyReport(_ evidence: PollEvidence, now: Date, waiting: Bool) -> StageReport {
        let organizer = config.outOfScopeMailbox ?? facts.outOfScopeCandidate?.address ?? "a user's mailbox"
        let unobservable = evidence.effectiveUnobservable == true
        let reached = evidence.outOfScopeDenied.map { !$0 }
        var steps = [
            StepReport.verdict("configured: room in scope", evidence.configuredInScope, yes: "in scope", no: "NOT in scope"),
            StepReport.verdict(
                "configured: organizer \(organizer) (End Event Early)", evidence.configuredOutOfScope.map { !$0 },
                yes: "in scope, as chosen", no: "out of scope: not widened"),
        ]
        if unobservable {
            steps.append(StepReport(name: "effective access", status: .skipped, detail: Self.vendorEffectiveUntestable))
        } else {
            steps.append(StepReport.verdict("effective: room allowed", evidence.inScopeAllowed, yes: "200", no: "denied"))
            steps.append(
                StepReport.verdict(
                    "effective: organizer \(organizer) reachable", reached, yes: "200, as chosen", no: "403: not widened"))
        }
        let configured = evidence.configuredInScope == true && evidence.configuredOutOfScope == false
        let effective = unobservable || (evidence.inScopeAllowed == true && reached == true)
        var report: StageReport
        if configured && effective {
            report = StageReport.connect(
                .verified, "a room answers, and so does \(organizer): End Event Early's widened access, chosen",
                poll: evidence, steps: steps)
        } else if evidence.configuredInScope == false || evidence.inScopeAllowed == false && !withinWindow(now) {
            report = StageReport.connect(
                .failed, "the room inside the scope is not reachable", poll: evidence, steps: steps,
                fix: "run apply to repair the scope and role assignments")
        } else if withinWindow(now) || evidence.configuredOutOfScope == nil || !unobservable && reached == nil {
            report = StageReport.connect(
                waiting && withinWindow(now) ? .waiting : .notVerified,
                "End Event Early's widened scope is not proven yet (usually 30 min to 2 h after a change)",
                poll: evidence, steps: steps)
        } else {
            report = StageReport.connect(
                .failed, "End Event Early is on, but \(organizer) is not reachable: the scope was not widened",
                poll: evidence, steps: steps, fix: "run apply: it sets the widened filter (\(EndEventEarly.filter))")
        }
        report.warnings = [EndEventEarly.warning]
        return report
    }

    /// Whether the propagation window of the last change of effective access is still open.
    private func withinWindow(_ now: Date) -> Bool {
        let deadline = journal.rbacChangedAt?.addingTimeInterval(TimeInterval(config.waitDeadlineMinutes) * 60)
        return deadline.map { now < $0 } ?? false
    }
}
