import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeServerDriver {
    // MARK: Sign-in (preflight)

    /// Exchange Server: reads the service account's password, asks EWS anonymously which sign-in
    /// schemes it offers, and prepares EWS as the service account.
    func serverSignIn() async throws -> SignedInTenant {
        let url = ewsEndpoint
        let host = ewsHost
        let ewsURL = url.absoluteString
        let password = try readServicePassword()
        servicePassword = password
        let logon = config.serviceAccountLogon ?? config.serviceAccountAddress ?? ""
        var evidence: [String] = []
        let anonymous = EWSClient(url: url, authentication: nil, sender: sender)
        var offered: [String] = []
        do {
            _ = try await anonymous.calendar()
            evidence.append("POST \(url.path) without credentials → answered (the server allows anonymous EWS?)")
        } catch EWSError.unauthorized(let schemes) {
            offered = schemes
            evidence.append("POST \(url.path) without credentials → 401, offers \(schemes.joined(separator: ", "))")
        } catch let error as TransportError {
            let fix: String
            switch error {
            case .tlsFailure:
                fix = "the server's certificate is not trusted here: set server.ca_bundle to your CA's PEM bundle"
            case .refusedURL: fix = "use an https:// EWS URL"
            default: fix = "check the EWS URL, DNS and firewall from this machine (curl -v \(ewsURL))"
            }
            throw EngineError(stage: .signIn, message: "EWS at \(host): \(error.description)", fix: fix)
        } catch let error as EWSError {
            throw EngineError(
                stage: .signIn,
                message: "\(ewsURL) is not an EWS endpoint: \(error.description)",
                fix: "give the EWS URL, https://<server>/EWS/Exchange.asmx"
            )
        }
        let wanted = config.ewsAuthentication == .ntlm ? "NTLM" : "Basic"
        if !offered.isEmpty && !offered.contains(wanted) {
            let other = offered.contains("NTLM") ? "ntlm" : offered.contains("Basic") ? "basic" : nil
            throw EngineError(
                stage: .signIn,
                message: "EWS at \(host) does not offer \(wanted) sign-in (it offers \(offered.joined(separator: ", ")))",
                fix: other.map { "set server.auth = \"\($0)\"" }
                    ?? "enable Windows (NTLM) authentication on the EWS virtual directory: Set-WebServicesVirtualDirectory -WindowsAuthentication $true"
            )
        }
        var warnings: [String] = []
        if config.ewsAuthentication == .basic {
            warnings.append("Basic sends the password with every request; prefer server.auth = \"ntlm\"")
        }
        ews = EWSClient(
            url: url,
            authentication: HTTPAuthentication(scheme: config.ewsAuthentication, username: logon, password: password),
            sender: sender
        )
        let report = StageReport(
            stage: .signIn,
            status: .verified,
            detail: "EWS at \(host) answers and offers \(offered.isEmpty ? "no challenge" : offered.joined(separator: ", ")); "
                + "mailscope signs in as \(logon) with \(wanted)",
            evidence: evidence,
            warnings: warnings
        )
        run.record(report)
        return SignedInTenant(
            id: host,
            displayName: "Exchange Server at \(host)",
            defaultDomain: config.serviceAccountDomain,
            signedInAs: logon
        )
    }

    /// The service account's password from `service_account.password_env` or `password_file` (0600).
    func readServicePassword() throws -> Secret {
        guard let source = config.servicePassword else {
            throw EngineError(
                stage: .signIn, message: "no password for the service account",
                fix: "set service_account.password_env or service_account.password_file")
        }
        return try source.read(
            in: run,
            keys: ("service_account.password_env", "service_account.password_file"), what: "the service account's password")
    }
}
