import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeOnlineDriver {
    /// The values the vendor's product needs.
    func handOff() -> [HandOffItem] {
        if let vendorAppID = config.vendorAppID { return vendorHandOff(appID: vendorAppID) }
        if isDelegated { return delegatedHandOff() }
        var items = [
            HandOffItem(label: "Tenant ID", value: tenant?.id ?? config.tenant),
            HandOffItem(label: "Client (application) ID", value: facts.appID ?? journal.ids["appID"] ?? "?"),
        ]
        items += credentialHandOffItems()
        if let upn = config.mailboxUser {
            items.append(HandOffItem(label: "Service-account mailbox", value: upn))
            if let password = freshMailboxPassword {
                items.append(HandOffItem(label: "Mailbox password (shown once)", value: password.reveal(), isSecret: true))
                freshMailboxPassword = nil
            }
            if let path = journal.ids["mailboxPasswordPath"] {
                items.append(HandOffItem(label: "Mailbox password file (0600)", value: path))
            }
        }
        items.append(
            HandOffItem(
                label: "Token endpoint",
                value: endpoints.login.appending(path: "\(authorityTenant.rawValue)/oauth2/v2.0/token").absoluteString
            )
        )
        items.append(HandOffItem(label: "Graph API", value: endpoints.graph.absoluteString))
        if let group = facts.group { items.append(HandOffItem(label: "Group", value: group.address)) }
        items.append(HandOffItem(label: "Management scope", value: config.scopeName))
        if let widened = EndEventEarly.handOffItem(config) { items.append(widened) }
        items.append(HandOffItem(label: "Roles", value: config.assignedRoles.joined(separator: ", ")))
        return items + ewsHandOff()
    }

    /// The credential mailscope holds: a secret shown once (then its hint), or a certificate's
    /// thumbprint; the 0600 file that holds it, and its end.
    func credentialHandOffItems() -> [HandOffItem] {
        var items: [HandOffItem] = []
        if let held = journal.credential {
            if held.kind == .secret {
                // Created in this run, or in a run left before its hand-off (the secret then comes
                // from its 0600 file): shown on the first hand-off the admin reaches, and only there.
                let unshown =
                    freshSecret
                    ?? (held.secretShownAt == nil
                        ? (try? readPrivateFile(held.path, field: "held credential"))
                            .map { Secret($0.trimmingCharacters(in: .whitespacesAndNewlines)) } : nil)
                if let secret = unshown {
                    items.append(
                        HandOffItem(label: "Client secret (shown once)", value: secret.reveal(), isSecret: true)
                    )
                    freshSecret = nil
                    journal.credential?.secretShownAt = environment.clock.now
                    persist()
                } else {
                    items.append(HandOffItem(label: "Client secret", value: "\(held.hint)… (shown once, when it was created)"))
                }
                items.append(HandOffItem(label: "Client secret file (0600)", value: held.path))
            } else {
                items.append(HandOffItem(label: "Certificate thumbprint", value: held.hint))
                items.append(HandOffItem(label: "Private key file (0600)", value: held.path))
            }
            items.append(HandOffItem(label: "Credential expires", value: Timestamps.day(held.expires)))
        }
        return items
    }

    /// What a vendor that calls EWS needs besides (`service_account.uses_ews`): the EWS URL, the
    /// token's resource, the impersonation it must send, and the end of EWS in Exchange Online.
    func ewsHandOff() -> [HandOffItem] {
        guard config.usesEWS else { return [] }
        return [
            HandOffItem(label: "EWS URL", value: endpoints.exchange.absoluteString + "/EWS/Exchange.asmx"),
            HandOffItem(label: "EWS token scope", value: endpoints.exchange.absoluteString + "/.default"),
            HandOffItem(
                label: "EWS impersonation",
                value: "ExchangeImpersonation of each mailbox (its primary SMTP address) and the X-AnchorMailbox header"),
            HandOffItem(
                label: "EWS ends",
                value: "1 Apr 2027 in Exchange Online, with no exceptions: the same scope already grants "
                    + config.roles.joined(separator: ", ") + " for Microsoft Graph"),
        ]
    }
}
