import ArgumentParser
import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import MailscopeTUI
import MailscopeTerminal
import MicrosoftClients
import TenantSimulator

/// Options of the interactive commands.
struct TerminalFlags: ParsableArguments {
    @Flag(name: .long, help: "Draw without colours (a non-empty NO_COLOR does the same).")
    var noColor = false

    @Flag(name: .long, help: "Use ASCII glyphs only.")
    var ascii = false

    @Option(name: .long, help: "Where journals and held credentials live (default: $XDG_STATE_HOME/mailscope).")
    var stateDir: String?

    var stateDirectory: URL {
        stateDir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? PrivateFiles.stateDirectory()
    }
}

/// `mailscope` with no subcommand: the interactive wizard against Microsoft.
struct WizardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wizard",
        abstract: "The interactive setup and re-check wizard.",
        usage: Usage.wrapped(
            "mailscope wizard", "[--no-color]", "[--ascii]", "[--state-dir <state-dir>]", "[--config <config>]", "[--recheck]"
        )
    )

    @OptionGroup var terminal: TerminalFlags

    @Option(name: .long, help: "A TOML config to start from (its values fill the forms).")
    var config: String?

    @Flag(name: .long, help: "Re-check the setup at once, changing nothing.")
    var recheck = false

    func run() async throws {
        var answers: WizardAnswers?
        var caBundle: String?
        var cloud: CloudEndpoints?
        var simulatedShell: URL?
        if let path = config {
            do {
                let loaded = try ConfigLoader.load(path: path)
                answers = WizardAnswers(config: loaded)
                caBundle = loaded.caBundle
                simulatedShell = loaded.simulatedShell.flatMap(URL.init(string:))
                if loaded.cloud == "custom" { cloud = try? loaded.endpoints() }
            } catch let error as ConfigError {
                Console.error(error.description)
                throw ExitCode(ExitStatus.usage)
            }
        }
        let backend = EngineBackend(
            target: EngineBackend.Target(
                transport: CurlTransport(caBundlePath: caBundle, maxConcurrent: SetupEngine.concurrentRequests), clock: .system, stateDirectory: terminal.stateDirectory,
                schedule: .standard, customCloud: cloud, caBundle: caBundle, simulatedShell: simulatedShell))
        let code = await runWizard(
            backend: backend,
            options: WizardOptions(
                noColor: terminal.noColor, forceASCII: terminal.ascii, initialAnswers: answers,
                initialMode: recheck ? .recheck : nil, saveOnExit: { await backend.cancel() }))
        if code != 0 { throw ExitCode(code) }
    }
}

/// `mailscope demo`: the wizard against the built-in simulated tenant, started in-process.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the wizard against a built-in simulated tenant on loopback (no Microsoft account).",
        usage: Usage.wrapped(
            "mailscope demo", "[--no-color]", "[--ascii]", "[--state-dir <state-dir>]",
            "[--propagation-seconds <propagation-seconds>]", "[--fast]", "[--seed <seed>]", "[--target <target>]",
            "[--second-consent]"
        )
    )

    @OptionGroup var terminal: TerminalFlags

    @Option(name: .long, help: "How long the simulated role propagation takes, in seconds (default 90, or 6 with --fast).")
    var propagationSeconds: Int?

    @Flag(name: .long, help: "Shorten every wait (sign-in approval, propagation) to a few seconds.")
    var fast = false

    @Flag(
        name: .long,
        help: "Before starting, someone follows the sample vendor app's old guide again: its tenant-wide consent and its application access policy come back (to try a re-check that finds them).")
    var secondConsent = false

    func validate() throws {
        if let seconds = propagationSeconds, !(1...86_400).contains(seconds) {
            throw ValidationError("--propagation-seconds takes 1 to 86400 seconds")
        }
    }

    @Option(name: .long, help: "Seed of the simulated tenant.")
    var seed: UInt64 = 1

    @Option(
        name: .long,
        help: "What to set up: exchange-online (an Entra app with RBAC for Applications) or exchange-server (on-premises: ApplicationImpersonation over EWS, with Exchange Management Shell steps the simulator runs once you confirm each).")
    var target: SetupTarget = .exchangeOnline

    func run() async throws {
        let propagation = propagationSeconds ?? (fast ? 6 : 90)
        let demoState = terminal.stateDirectory.appendingPathComponent("demo", isDirectory: true)
        // The EWS allow list takes as long as the demo's propagation (Microsoft: up to 24 hours).
        let options = SimulatorOptions(
            seed: seed, propagationDelay: .seconds(propagation), deviceCodeApprovalPolls: fast ? 1 : 2,
            ewsAllowListDelay: .seconds(propagation))
        let snapshot = demoState.appendingPathComponent("tenant.json")
        let tenant = DemoTenantStore.load(from: snapshot, options: options)
        if await tenant.servicePrincipals().allSatisfy({ $0.appId != PublishedApp.exampleVendorBooking.appId }) {
            // A fresh demo tenant, as many real ones: an admin consented to a vendor's app tenant-wide
            // years ago and limited it, as the old guides said, with an application access policy
            // to a mail-enabled security group. "The vendor gives me an app ID" with that group
            // moves it to RBAC for Applications: the scope from the policy's group, the scoped roles,
            // then (once they show in scope) the grant and the policy removed.
            let vendor = PublishedApp.exampleVendorBooking.appId
            try await tenant.consentToPublishedApp(appID: vendor, permissions: ["Calendars.ReadWrite"])
            try await tenant.addMailEnabledSecurityGroup(name: DemoServer.legacyGroup, members: DemoServer.members)
            try await tenant.addApplicationAccessPolicy(appID: vendor, group: DemoServer.legacyGroup)
        }
        if secondConsent {
            let vendor = PublishedApp.exampleVendorBooking.appId
            if await tenant.grants(appID: vendor).isEmpty {
                _ = try await tenant.grantTenantWide(appID: vendor, permission: "Calendars.ReadWrite")
            }
            if await tenant.accessPolicies(appID: vendor).isEmpty {
                try await tenant.addApplicationAccessPolicy(appID: vendor, group: DemoServer.legacyGroup)
            }
        }
        let server = SimulatorServer(tenant: tenant, options: options, clock: .system)
        let base = try await server.start(port: 0)
        let endpoints = SimulatorEndpoints(base: base)
        // Polls about six times over the propagation, at most once a minute: the real schedule's
        // first gap (1, 2, 4, 8, then 15 minutes), so a long demo waits as cheaply as a real run.
        let poll = Duration.seconds(max(2, min(60, propagation / 6)))
        let schedule = PollSchedule(
            intervals: [poll], expectedEarliest: .seconds(propagation / 2), expectedLatest: .seconds(propagation * 3 / 2),
            verifyAttempts: 6, verifyDelay: .seconds(1))
        let demoServer = DemoServer(base: base)
        let backend = EngineBackend(
            target: EngineBackend.Target(
                transport: CurlTransport(maxConcurrent: SetupEngine.concurrentRequests), clock: .system, stateDirectory: demoState, schedule: schedule,
                customCloud: CloudEndpoints(login: endpoints.login, graph: endpoints.graph, exchange: endpoints.exchange),
                caBundle: nil, simulatedShell: demoServer.shell))
        var answers = WizardAnswers(preset: Preset.named("workable") ?? Preset.all[0], tenant: SimulatedTenant.defaultDomain)
        answers.members = ["avery.adams@contoso.com", "badams@contoso.com", "casey.adams@contoso.com", "room-alder@contoso.com"]
        // The Exchange Server answers are filled too, so choosing that target in the form just works.
        answers.target = target
        answers.ewsURL = demoServer.ews.absoluteString
        answers.serviceAccountAddress = DemoServer.serviceAccount
        answers.passwordFile = try DemoServer.passwordFile(in: demoState).path
        answers.outOfScopeMailbox = DemoServer.outOfScopeMailbox
        if target == .exchangeServer {
            // EWS impersonation refuses aliases: the members by their primary addresses.
            answers.members = DemoServer.members
        }
        let label =
            target == .exchangeServer
            ? "DEMO · simulated server (\(propagation) s)"
            : "DEMO · simulated tenant (propagation \(propagation) s)"
        var wizardOptions = WizardOptions(
            noColor: terminal.noColor, forceASCII: terminal.ascii, initialAnswers: answers,
            environmentLabel: label,
            signInNote: "Simulated tenant: the sign-in completes by itself; nothing needs opening.",
            saveOnExit: {
                await backend.cancel()
                await DemoTenantStore.save(tenant, to: snapshot)
            })
        wizardOptions.resumeCommand = "mailscope demo"
        let code = await runWizard(backend: backend, options: wizardOptions)
        await DemoTenantStore.save(tenant, to: snapshot)
        await server.stop()
        if code != 0 { throw ExitCode(code) }
    }
}

/// `mailscope simulate`: serve the simulated tenant until stopped.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "Serve a simulated tenant on 127.0.0.1 (OAuth, Graph, Exchange admin REST).",
        discussion: """
            Besides Microsoft's endpoints (/login, /graph, /exchange), the simulator answers simulator-only \
            endpoints for benchmarks (scripts/bench); Microsoft has nothing like them, and mailscope never calls \
            them. GET /_sim/stats: requests since the start or the last reset (total, by service, most in flight, \
            latency), writes, probes, injected faults by kind and answers by status. GET /_sim/requests: the \
            request log (method, path, status, ms). POST /_sim/reset: zero the counters, empty the log. \
            POST /_sim/latency?ms=N: change --latency-ms, same tenant. POST /_sim/hold-after?write=N: apply the \
            Nth write (Graph POST/PATCH/DELETE, a cmdlet other than Get-*/Test-*, an Exchange Management Shell \
            step), then hold its answer forever (probe=K: the Kth Test-*, mailbox read or EWS impersonation); \
            stats then says "held": true. GET /_sim/inventory: the tenant's objects, normalised (names, not ids), \
            for comparing two runs (?tenant=ID or domain: one of --tenants N). Crash and fault tests: scripts/crash-matrix.sh, scripts/fault-soak.sh.
            """)

    @Option(name: .long, help: "The port (0 picks a free one).")
    var port: UInt16 = 0

    @Option(name: .long, help: "Seed for a reproducible tenant and faults.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Role propagation delay in seconds (default: seeded, 30 min to 2 h).")
    var propagationSeconds: Int?

    @Option(name: .long, help: "Token polls before a device code is approved.")
    var deviceCodePolls: Int = 2

    @Option(name: .long, help: "Seconds between token polls the device-code answer asks for (Entra: 5).")
    var deviceCodeIntervalSeconds: Int = 5

    @Option(name: .long, help: "Access-token lifetime in seconds.")
    var tokenLifetimeSeconds: Int = 3600

    @Option(name: .long, help: "The lifetime token answers announce (expires_in), if not the real one: longer makes tokens expire mid-run.")
    var tokenAdvertisedSeconds: Int?

    @Option(name: .long, help: "Seconds during which a new object answers 404 (replication lag).")
    var replicationLagSeconds: Int = 0

    @Option(
        name: .long,
        help: "Seconds a change of the organisation's EWS allow list (EwsAllowedAppIDs) takes to reach EWS (Microsoft: up to 24 hours, the default).")
    var ewsAllowListSeconds: Int?

    @Option(name: .long, help: "Fraction of requests answered 429 with Retry-After (0 to 1).")
    var throttleRate: Double = 0

    @Option(name: .long, help: "Fraction of requests answered 503 (0 to 1).")
    var serverErrorRate: Double = 0

    @Option(name: .long, help: "Latency added to each request, in milliseconds.")
    var latencyMs: Int = 0

    @Option(name: .long, help: "Fraction of requests applied, then closed without an answer (0 to 1).")
    var resetRate: Double = 0

    @Option(name: .long, help: "Fraction of requests applied, then held --stall-seconds and closed without an answer (0 to 1).")
    var stallRate: Double = 0

    @Option(name: .long, help: "How long a stalled answer is held, in seconds.")
    var stallSeconds: Int = 5

    @Option(name: .long, help: "Fraction of requests applied, then answered with a head and no body (0 to 1).")
    var truncateRate: Double = 0

    @Option(name: .long, help: "Fraction of requests applied, then answered with half the body: malformed JSON (0 to 1).")
    var malformedRate: Double = 0

    @Option(name: .long, help: "Crash tests: apply the Nth write, then hold its answer forever (see /_sim/hold-after).")
    var holdAfterWrite: Int?

    @Option(name: .long, help: "Crash tests: apply the Kth probe (Test-*, mailbox read, EWS impersonation), then hold its answer forever.")
    var holdAfterProbe: Int?

    @Option(name: .long, help: "Number of users.")
    var users: Int = 12

    @Option(name: .long, help: "Number of room mailboxes.")
    var rooms: Int = 4

    @Option(name: .long, help: "For benchmarks: a distribution group BenchUsers with this many direct members (≤ --users); --write-config then configures it.")
    var benchGroupMembers: Int = 0

    @Option(name: .long, help: "Write a ready-to-use config for this simulator to this path.")
    var writeConfig: String?

    @Option(name: .long, help: "Serve this many tenants on the port (1 to 500): contoso.com, contoso02.com, …, each with its own id, told apart as Microsoft does (the tenant in the path; Graph by the token's tid).")
    var tenants: Int = 1

    @Option(
        name: .long,
        help: "Write one config per tenant (tenant-01.toml, …) to this directory, each signing in with an automation app of its own: for mailscope check --configs DIR.")
    var writeConfigs: String?

    @Flag(
        name: .long,
        help: "Register an automation app (client secret, Exchange.ManageAsApp, Exchange Administrator) and write a config that signs in with it, the secret in a 0600 file beside the config: unattended runs and fleet re-checks.")
    var automationApp = false

    @Option(
        name: .long,
        help: "The target the written config sets up: exchange-online (Graph, Exchange Online admin API) or exchange-server (EWS, simulated Exchange Management Shell)."
    )
    var target: SetupTarget = .exchangeOnline

    func validate() throws {
        let rates = [throttleRate, serverErrorRate, resetRate, stallRate, truncateRate, malformedRate]
        guard rates.allSatisfy({ (0...1).contains($0) }) else {
            throw ValidationError("the --…-rate options take a fraction between 0 and 1")
        }
        guard users >= 1, rooms >= 0, latencyMs >= 0, replicationLagSeconds >= 0, tokenLifetimeSeconds >= 1, stallSeconds >= 0,
            (tokenAdvertisedSeconds ?? 1) >= 1, (holdAfterWrite ?? 1) >= 1, (holdAfterProbe ?? 1) >= 1
        else {
            throw ValidationError(
                "--users ≥ 1, --rooms ≥ 0, --latency-ms ≥ 0, --replication-lag-seconds ≥ 0, --token-lifetime-seconds ≥ 1, --stall-seconds ≥ 0, --hold-after-… ≥ 1")
        }
        if let seconds = ewsAllowListSeconds, !(0...86_400).contains(seconds) {
            throw ValidationError("--ews-allow-list-seconds takes 0 to 86400 seconds")
        }
        guard (1...500).contains(tenants) else {
            throw ValidationError("--tenants takes 1 to 500")
        }
        guard writeConfigs == nil || target == .exchangeOnline else {
            throw ValidationError("--write-configs writes Exchange Online configs (one per tenant); Exchange Server has one simulated organisation")
        }
        guard (0...users).contains(benchGroupMembers) else {
            throw ValidationError("--bench-group-members takes 0 to --users (\(users))")
        }
    }

    func run() async throws {
        var options = SimulatorOptions(
            seed: seed, propagationDelay: propagationSeconds.map { .seconds($0) }, deviceCodeApprovalPolls: deviceCodePolls,
            tokenLifetime: .seconds(tokenLifetimeSeconds), replicationLag: .seconds(replicationLagSeconds),
            throttleRate: throttleRate, serverErrorRate: serverErrorRate, latency: .milliseconds(latencyMs),
            userCount: users, roomCount: rooms, benchGroupMembers: benchGroupMembers,
            transportFaults: TransportFaults(
                resetRate: resetRate, stallRate: stallRate, stallDuration: .seconds(stallSeconds), truncateRate: truncateRate,
                malformedRate: malformedRate),
            hold: HoldPoints(afterWrite: holdAfterWrite, afterProbe: holdAfterProbe))
        options.tokenAdvertisedLifetime = tokenAdvertisedSeconds.map { .seconds($0) }
        options.ewsAllowListDelay = ewsAllowListSeconds.map { .seconds($0) }
        options.deviceCodeInterval = max(1, deviceCodeIntervalSeconds)
        // Tenant 1 is Contoso with these options; tenant n is TenantIdentity.numbered(n), seeded
        // apart, with its own admin.
        let served = (1...tenants).map { number -> SimulatedTenant in
            var own = options
            if number > 1 {
                own.identity = .numbered(number)
                own.seed = options.seed &+ UInt64(number - 1)
                own.admin = AdminSettings(
                    userPrincipalName: "admin@\(own.identity.defaultDomain)", displayName: "\(own.identity.organizationName) Admin")
            }
            return SimulatedTenant(options: own, clock: .system)
        }
        let tenant = served[0]
        let server = SimulatorServer(tenants: served, options: options, clock: .system)
        let base = try await server.start(port: port)
        let endpoints = SimulatorEndpoints(base: base)
        let config = try await configText(for: tenant, base: base, automation: automationApp ? writeConfig : nil)
        if let path = writeConfig {
            try Data(config.written.utf8).write(to: URL(fileURLWithPath: path))
            Console.line("Wrote \(path)\(benchGroupMembers > 0 ? " (group \(SimulatorOptions.benchGroupName), \(benchGroupMembers) members)" : "").")
        }
        if let directory = writeConfigs {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (index, each) in served.enumerated() {
                let path = (directory as NSString).appendingPathComponent(String(format: "tenant-%02d.toml", index + 1))
                let text = try await configText(for: each, base: base, automation: path).written
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            }
            Console.line("Wrote \(served.count) configs (tenant-01.toml … tenant-\(String(format: "%02d", served.count)).toml, client-secret sign-in) to \(directory).")
        }
        if served.count > 1 {
            Console.line("Simulated tenants \(served.count): \(served.map { "\($0.identity.defaultDomain) (\($0.identity.tenantID))" }.prefix(3).joined(separator: ", "))\(served.count > 3 ? ", …" : "") on \(base.absoluteString)")
        }
        Console.line("Simulated tenant \(tenant.identity.organizationName) (\(tenant.identity.tenantID)) on \(base.absoluteString)")
        Console.line("  login    \(endpoints.login.absoluteString)")
        Console.line("  graph    \(endpoints.graph.absoluteString)")
        Console.line("  exchange \(endpoints.exchange.absoluteString)")
        if target == .exchangeOnline {
            let vendor = PublishedApp.exampleVendorBooking
            Console.line("A vendor's multi-tenant app it knows (service_account.app_id): \(vendor.displayName) \(vendor.appId)")
        }
        Console.line("A config for it:\n\n\(config.shown)")
        Console.line("Serving until interrupted (Ctrl-C).")
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
    }

    /// The config for `tenant` on this simulator: what is printed (`shown`) and what is written
    /// (`written`: with every member of the bench group, when there is one). With `automation`
    /// (the config's path), an automation app is registered in the tenant and the config signs in
    /// with it, its secret in a 0600 file beside the config.
    private func configText(for tenant: SimulatedTenant, base: URL, automation: String?) async throws -> (shown: String, written: String) {
        let endpoints = SimulatorEndpoints(base: base)
        let domain = tenant.identity.defaultDomain
        let header = """
            preset = "workable"
            [tenant]
            id = "\(domain)"
            cloud = "custom"
            login = "\(endpoints.login.absoluteString)"
            graph = "\(endpoints.graph.absoluteString)"
            exchange = "\(endpoints.exchange.absoluteString)"
            [group]

            """
        var config = header + """
            members = ["avery.adams@\(domain)", "badams@\(domain)", "casey.adams@\(domain)", "room-alder@\(domain)"]

            """
        if target == .exchangeServer {
            let root = base.absoluteString.hasSuffix("/") ? String(base.absoluteString.dropLast()) : base.absoluteString
            config = """
                target = "exchange-server"
                preset = "workable"
                [server]
                ews_url = "\(root)/EWS/Exchange.asmx"
                auth = "ntlm"
                # The simulator's stand-in for the Exchange Management Shell (remove for a real server).
                simulated_shell = "\(root)/_sim/ems"
                [service_account]
                address = "svc-booking@contoso.com"
                logon = "CONTOSO\\\\svc-booking"
                password_env = "MAILSCOPE_SVC_PASSWORD"
                [group]
                members = ["avery.adams@contoso.com", "blake.adams@contoso.com", "casey.adams@contoso.com", "room-alder@contoso.com"]
                [connect]
                out_of_scope_mailbox = "dana.adams@contoso.com"

                """
        }
        var auth = ""
        if target == .exchangeOnline, let path = automation {
            // The permissions an unattended setup needs (GraphPermissions lists them per request).
            let app = try await tenant.registerAutomationApp(
                displayName: "mailscope automation",
                graphPermissions: [
                    "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "User.Read.All", "Group.ReadWrite.All",
                    "Organization.Read.All", "RoleManagement.ReadWrite.Exchange", "DelegatedPermissionGrant.ReadWrite.All",
                ])
            let secretPath = path + ".secret"
            try PrivateFiles.write(Data(app.clientSecret.utf8), to: URL(fileURLWithPath: secretPath))
            auth = "[auth]\nmethod = \"client-secret\"\nclient_id = \"\(app.appID)\"\nsecret_file = \"\(secretPath)\"\n"
            config = config.replacingOccurrences(of: "[group]\n", with: auth + "[group]\n")
        }
        var written = config
        if benchGroupMembers > 0 && target == .exchangeOnline {
            // The bench group with every one of its members, one per line.
            let addresses = try await tenant.memberAddresses(ofGroup: SimulatorOptions.benchGroupName)
            written = header.replacingOccurrences(of: "[group]\n", with: auth + "[group]\n")
                + "name = \"\(SimulatorOptions.benchGroupName)\"\nmembers = [\n"
                + addresses.map { "  \"\($0)\",\n" }.joined() + "]\n"
        }
        return (config, written)
    }
}


/// The demo's simulated Exchange Server: its EWS URL, its stand-in for the Exchange Management
/// Shell, and the values the demo fills in for it.
struct DemoServer {
    /// The simulator's EWS endpoint.
    let ews: URL
    /// The simulator's stand-in for the Exchange Management Shell (`POST` a step's PowerShell).
    let shell: URL

    /// The service account the demo sets up.
    static let serviceAccount = "svc-booking@contoso.com"
    /// The members (primary addresses: EWS impersonation refuses aliases).
    static let members = [
        "avery.adams@contoso.com", "blake.adams@contoso.com", "casey.adams@contoso.com", "room-alder@contoso.com",
    ]
    /// A user outside the group, who must be refused.
    static let outOfScopeMailbox = "dana.adams@contoso.com"
    /// The group an application access policy limits the demo's vendor app to (legacy access).
    static let legacyGroup = "VendorBookingUsers"

    /// The endpoints of the simulator at `base`.
    init(base: URL) {
        let root = base.absoluteString.hasSuffix("/") ? String(base.absoluteString.dropLast()) : base.absoluteString
        ews = SimulatorEndpoints(base: base).ews
        shell = URL(string: root + "/_sim/ems") ?? base
    }

    /// The service account's password file (0600) in `directory`: kept between demo runs, since the
    /// saved demo server knows the account by it; a random password is written the first time.
    static func passwordFile(in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("service-account.password")
        if let data = FileManager.default.contents(atPath: url.path), !data.isEmpty { return url }
        let upper = Array("ABCDEFGHJKLMNPQRSTUVWXYZ")
        let lower = Array("abcdefghijkmnopqrstuvwxyz")
        let digits = Array("23456789")
        var generator = SystemRandomNumberGenerator()
        // One of each class first: Active Directory's complexity rule needs three of four classes,
        // and 24 characters drawn from the whole alphabet lacked a digit about one run in 40.
        var characters = [upper, lower, digits].map { $0[Int(generator.next(upperBound: UInt($0.count)))] }
        let alphabet = upper + lower + digits
        while characters.count < 24 {
            characters.append(alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))])
        }
        characters.shuffle(using: &generator)
        let password = String(characters)
        try PrivateFiles.write(Data((password + "\n").utf8), to: url)
        return url
    }
}

/// Keeps the demo tenant between runs (0600 JSON in the demo's state directory), so a demo left
/// during the propagation wait resumes later with everything it set up.
enum DemoTenantStore {
    /// The saved tenant, or a fresh one when there is none or it cannot be used.
    static func load(from url: URL, options: SimulatorOptions) -> SimulatedTenant {
        if let data = FileManager.default.contents(atPath: url.path),
            let restored = try? SimulatedTenant(restoring: data, options: options, clock: .system)
        {
            return restored
        }
        return SimulatedTenant(options: options, clock: .system)
    }

    /// Saves `tenant`; failures are reported, not fatal (the demo tenant is disposable).
    static func save(_ tenant: SimulatedTenant, to url: URL) async {
        do {
            try PrivateFiles.write(try await tenant.snapshot(), to: url)
        } catch {
            Console.error("could not save the demo tenant to \(url.path): \(error)")
        }
    }
}

extension SetupTarget: ExpressibleByArgument {}
