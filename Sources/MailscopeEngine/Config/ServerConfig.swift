import Foundation
import MailscopeCore

extension SetupConfig {
    /// The problems with an Exchange Server (on-premises) configuration, before anything is sent.
    func serverValidationErrors() -> [FieldError] {
        serverEndpointErrors() + serviceAccountErrors() + serverGroupAndProbeErrors()
            + limitErrors().filter { $0.field == "connect.deadline_minutes" }
    }

    /// The EWS URL, and the simulator's shell stand-in (loopback only).
    private func serverEndpointErrors() -> [FieldError] {
        var errors: [FieldError] = []
        if let ewsURL {
            if let url = URL(string: ewsURL), url.scheme != nil, url.host != nil {
                if let reason = EndpointPolicy.violation(for: url) {
                    errors.append(FieldError(field: "server.ews_url", message: "'\(FieldRules.printable(ewsURL))': \(reason)"))
                } else if !url.path.lowercased().hasSuffix("/ews/exchange.asmx") {
                    errors.append(
                        FieldError(
                            field: "server.ews_url",
                            message:
                                "'\(FieldRules.printable(ewsURL))' does not end in /EWS/Exchange.asmx; give the full EWS URL, e.g. https://mail.contoso.com/EWS/Exchange.asmx"
                        ))
                }
            } else {
                errors.append(
                    FieldError(
                        field: "server.ews_url",
                        message: "'\(FieldRules.printable(ewsURL))' is not an absolute URL; e.g. https://mail.contoso.com/EWS/Exchange.asmx"
                    ))
            }
        } else {
            errors.append(
                FieldError(
                    field: "server.ews_url",
                    message: "is required for target = \"exchange-server\": e.g. https://mail.contoso.com/EWS/Exchange.asmx"
                ))
        }
        if let shell = simulatedShell {
            if let url = URL(string: shell), let host = url.host, url.scheme == "http", EndpointPolicy.isLoopback(host: host) {
            } else {
                errors.append(
                    FieldError(
                        field: "server.simulated_shell",
                        message: "must be a simulator's http://127.0.0.1:PORT/_sim/ems URL (loopback only); remove it for a real server"
                    ))
            }
        }
        return errors
    }

    /// The service account: its name, address, sign-in name and where its password is.
    private func serviceAccountErrors() -> [FieldError] {
        var errors: [FieldError] = []
        func add(_ error: FieldError?) { if let error { errors.append(error) } }
        add(FieldRules.displayName(serviceAccountName, field: "service_account.name", maximumLength: 64))
        if let address = serviceAccountAddress {
            add(FieldRules.address(address, field: "service_account.address"))
        } else {
            errors.append(
                FieldError(
                    field: "service_account.address",
                    message: "is required: the service account's user principal name, also its primary SMTP address (svc@contoso.com)"
                ))
        }
        if let logon = serviceAccountLogon {
            let valid =
                !logon.isEmpty && logon.count <= 256
                && logon.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && $0 != ":" }
            if !valid {
                errors.append(
                    FieldError(
                        field: "service_account.logon",
                        message: "'\(FieldRules.printable(logon))' is not a sign-in name; use DOMAIN\\user or the UPN")
                )
            }
        }
        if servicePassword == nil {
            errors.append(
                FieldError(
                    field: "service_account.password_env",
                    message:
                        "the service account's password is needed to prove EWS access: set service_account.password_env (an environment variable) or service_account.password_file (a 0600 file); passwords never go in the config"
                ))
        }
        return errors
    }

    /// The group, its members, the scope and the two probe mailboxes.
    private func serverGroupAndProbeErrors() -> [FieldError] {
        var errors: [FieldError] = []
        func add(_ error: FieldError?) { if let error { errors.append(error) } }
        if groupKind == .microsoft365 {
            errors.append(
                FieldError(
                    field: "group.kind",
                    message: "Exchange Server has no Microsoft 365 groups; use distribution or mail-enabled-security")
            )
        }
        if scopeKind == .group {
            add(FieldRules.filterSafeName(groupName, field: "group.name"))
            add(FieldRules.alias(effectiveGroupAlias, field: "group.alias"))
            add(FieldRules.address(effectiveGroupAddress, field: "group.address"))
            if members.isEmpty {
                errors.append(
                    FieldError(field: "group.members", message: "is empty; list the mailboxes (users and rooms) the account may reach")
                )
            }
        } else if inScopeMailbox == nil {
            errors.append(
                FieldError(
                    field: "connect.in_scope_mailbox",
                    message: "is required for a rooms scope on Exchange Server: a room mailbox the account must reach")
            )
        }
        for (index, member) in members.enumerated() {
            add(FieldRules.address(member, field: "group.members[\(index)]"))
        }
        add(FieldRules.exchangeName(scopeName, field: "scope.name"))
        if let mailbox = inScopeMailbox { add(FieldRules.address(mailbox, field: "connect.in_scope_mailbox")) }
        if let mailbox = outOfScopeMailbox {
            add(FieldRules.address(mailbox, field: "connect.out_of_scope_mailbox"))
            if members.contains(where: { $0.caseInsensitiveCompare(mailbox) == .orderedSame }) {
                errors.append(
                    FieldError(field: "connect.out_of_scope_mailbox", message: "is also in group.members; name a mailbox outside the scope")
                )
            }
        } else {
            errors.append(
                FieldError(
                    field: "connect.out_of_scope_mailbox",
                    message:
                        "is required on Exchange Server: a mailbox the account must NOT reach (proves the scope holds), e.g. an executive's"
                ))
        }
        return errors
    }
}
