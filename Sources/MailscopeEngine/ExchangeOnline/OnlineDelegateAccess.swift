import Foundation
import MailscopeCore
import MicrosoftClients

/// FullAccess of the service-account mailbox user (`service_account.mailbox_user`) on the
/// integration's mailboxes: the "delegate access" the Eptura guide warns about. It reaches the whole
/// mailbox as that user, whatever scope the app has, so the scope stage lists it and removes it.
/// Only a setup with a mailbox user is read (the app mailscope scopes holds no mailbox permission),
/// one `Get-MailboxPermission -Identity <mailbox> -User <user>` per mailbox (office-docs-powershell
/// exchange/exchange-ps/ExchangePowerShell/Get-MailboxPermission.md, Example 2).
extension ExchangeOnlineDriver {
    /// The mailboxes to look at: the configured members and probe mailboxes, once each.
    var delegateCandidates: [String] {
        var seen: Set<String> = [(config.mailboxUser ?? "").lowercased()]
        return (config.members + [config.inScopeMailbox, config.outOfScopeMailbox].compactMap { $0 }).filter {
            seen.insert($0.lowercased()).inserted
        }
    }

    /// Lists the mailbox user's FullAccess on the candidates and plans its removal.
    func judgeDelegateAccess(into findings: inout StageFindings) async throws {
        guard let user = config.mailboxUser else { return }
        let (_, exchange) = try clients()
        var held: [String] = []
        for mailbox in delegateCandidates {
            let rows: [JSONValue]
            do {
                rows = try await exchange.invoke(
                    "Get-MailboxPermission",
                    ["Identity": .string(mailbox), "User": .string(user)]
                )
            } catch let error as MicrosoftError where error.isNotFound {
                continue  // The user or the mailbox does not exist (yet): no permission to hold.
            }
            let fullAccess = rows.contains { row in
                row["Deny"].bool != true
                    && (row["AccessRights"].array?.contains { $0.string == "FullAccess" }
                        ?? (row["AccessRights"].string == "FullAccess"))
            }
            if fullAccess { held.append(mailbox) }
        }
        findings.evidence.append(
            "Get-MailboxPermission -User \(user) on \(delegateCandidates.count) mailbox(es) → "
                + (held.isEmpty ? "no FullAccess" : "FullAccess on \(held.joined(separator: ", "))")
        )
        guard !held.isEmpty else { return }
        findings.writes += held.map { .removeMailboxPermission(mailbox: $0, user: user) }
        findings.step(
            "delegate access",
            .needsChange,
            "\(user) has FullAccess on \(held.joined(separator: ", ")): the whole mailbox, outside any scope"
        )
    }

    /// `Remove-MailboxPermission … -AccessRights FullAccess`; an entry already gone is done.
    func removeFullAccess(on mailbox: String, of user: String) async throws {
        let (_, exchange) = try clients()
        do {
            try await exchange.invoke(
                "Remove-MailboxPermission",
                [
                    "Identity": .string(mailbox), "User": .string(user), "AccessRights": ["FullAccess"],
                    "InheritanceType": "All", "Confirm": false,
                ]
            )
        } catch let error as MicrosoftError where error.message.contains("ACE doesn't exist") {
            log(.info, "already removed: FullAccess of \(user) on \(mailbox)")
        }
    }
}
