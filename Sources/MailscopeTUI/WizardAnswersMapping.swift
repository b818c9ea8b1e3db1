import Foundation
import MailscopeCore
import MailscopeEngine

/// The one mapping between the wizard's answers and the engine's configuration, both ways.
extension WizardAnswers {
    /// The answers a config file gives (the wizard opened with `--config`).
    public init(config: SetupConfig) {
        self.init(
            presetID: config.preset, tenant: config.tenant, signIn: config.signIn,
            serviceAccountName: config.serviceAccountName, groupName: config.groupName, groupKind: config.groupKind,
            members: config.members, scopeKind: config.scopeKind, scopeName: config.scopeName, roles: config.roles,
            target: config.target, ewsURL: config.ewsURL ?? "", ewsAuthentication: config.ewsAuthentication,
            serviceAccountAddress: config.serviceAccountAddress ?? "", serviceAccountLogon: config.serviceAccountLogon,
            passwordFile: config.servicePassword?.filePath,
            passwordEnvironmentVariable: config.servicePassword?.variableName,
            groupAddress: config.groupAddress, inScopeMailbox: config.inScopeMailbox,
            outOfScopeMailbox: config.outOfScopeMailbox ?? "", clientID: config.clientID,
            secretEnvironmentVariable: config.adminSecret?.variableName, secretFile: config.adminSecret?.filePath,
            certificateFile: config.certificateFile, privateKeyFile: config.privateKeyFile, groupAlias: config.groupAlias,
            vendorAppID: config.vendorAppID)
        access = config.access == .application ? nil : config.access
        redirectURI = config.access == .delegated ? config.redirectURI?.absoluteString : nil
        delegatedScopes = config.delegatedScopes == .defaultSet ? nil : config.delegatedScopes
        usesEWS = config.usesEWS
        endEventEarly = config.endEventEarly ? true : nil
        mailboxUser = config.mailboxUser
    }

    /// The engine's configuration for these answers. Values the wizard does not ask for (the
    /// cloud's URLs, a CA bundle, a simulator's shell) keep their defaults; the executable adds them.
    /// For Exchange Online only the Exchange Online values are set, so its fingerprint (and with it
    /// the saved journal) does not depend on the Exchange Server answers.
    public func setupConfig() -> SetupConfig {
        var config = SetupConfig(preset: Preset.named(presetID) ?? Preset.all[0], tenant: tenant)
        config.signIn = signIn
        config.serviceAccountName = serviceAccountName
        config.groupName = groupName
        config.groupAlias = groupAlias.flatMap { alias in
            let trimmed = alias.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty || scopeKind != .group ? nil : trimmed
        }
        config.groupKind = groupKind
        config.members = members
        config.scopeKind = scopeKind
        config.scopeName = scopeName
        config.roles = roles
        config.vendorAppID = target == .exchangeOnline ? vendorAppID : nil
        config.endEventEarly = endEventEarly ?? false
        // The preset's licensed mailbox follows the name typed here, not the preset's (set after it).
        config.mailboxUser = nil
        if target == .exchangeOnline {
            if let usesEWS { config.usesEWS = usesEWS }
            config.mailboxUser = mailboxUser
            if mailboxUser == nil, PresetMailbox.asked(by: config) {
                config.mailboxUser = PresetMailbox.defaultUPN(for: config)
            }
            if access == .delegated {
                config.access = .delegated
                config.redirectURI =
                    redirectURI.flatMap { try? FieldRules.redirectURI($0).get() }
                    ?? Preset.named(presetID)?.delegated?.redirectURI
                config.delegatedScopes = delegatedScopes ?? .defaultSet
            }
        } else {
            config.usesEWS = false  // EWS is Exchange Server's transport, not a choice (as the loader reads it)
        }
        switch signIn {  // only what the chosen sign-in uses (device code keeps the public client)
        case .deviceCode: break
        case .clientSecret:
            config.clientID = clientID
            config.adminSecret = SecretSource(variable: secretEnvironmentVariable, file: secretFile)
        case .certificate:
            config.clientID = clientID
            config.certificateFile = certificateFile
            config.privateKeyFile = privateKeyFile
        }
        guard target == .exchangeServer else { return config }
        func optional(_ text: String?) -> String? {
            guard let trimmed = text?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
            return trimmed
        }
        config.target = .exchangeServer
        config.ewsURL = optional(ewsURL)
        config.ewsAuthentication = ewsAuthentication
        config.serviceAccountAddress = optional(serviceAccountAddress)
        config.serviceAccountLogon = optional(serviceAccountLogon)
        config.servicePassword = SecretSource(
            variable: optional(passwordEnvironmentVariable), file: optional(passwordFile))
        config.groupAddress = scopeKind == .group ? optional(groupAddress) : nil
        config.inScopeMailbox = optional(inScopeMailbox)
        config.outOfScopeMailbox = optional(outOfScopeMailbox)
        return config
    }
}
