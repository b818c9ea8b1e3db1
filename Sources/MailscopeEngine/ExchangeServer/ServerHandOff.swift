import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeServerDriver {
    func handOff() -> [HandOffItem] {
        var items = [
            HandOffItem(label: "EWS URL", value: config.ewsURL ?? ""),
            HandOffItem(label: "Service account", value: config.serviceAccountAddress ?? ""),
            HandOffItem(label: "Sign-in name", value: config.serviceAccountLogon ?? config.serviceAccountAddress ?? ""),
            HandOffItem(label: "Authentication", value: config.ewsAuthentication == .ntlm ? "NTLM" : "Basic"),
        ]
        if let name = config.servicePassword?.variableName {
            items.append(HandOffItem(label: "Password", value: "in $\(name) (not shown)"))
        } else if let path = config.servicePassword?.filePath {
            items.append(HandOffItem(label: "Password file (0600)", value: path))
        }
        items.append(
            HandOffItem(label: "Impersonation", value: "ExchangeImpersonation, ConnectingSID by PrimarySmtpAddress, with X-AnchorMailbox")
        )
        if config.scopeKind == .group { items.append(HandOffItem(label: "Group", value: config.effectiveGroupAddress)) }
        items.append(HandOffItem(label: "Management scope", value: config.scopeName))
        if let widened = EndEventEarly.handOffItem(config) { items.append(widened) }
        items.append(HandOffItem(label: "Role assignment", value: config.impersonationAssignmentName))
        return items
    }
}
