import Foundation

extension ScriptRenderer {
    /// The Exchange Server script: the same Exchange Management Shell steps the engine hands over,
    /// in order, for the admin to run on the server. mailscope verifies them over EWS afterwards.
    static func renderServer(_ config: SetupConfig) -> String {
        var lines: [String] = []
        func add(_ line: String = "") { lines.append(line) }
        func comment(_ text: String) {
            for line in text.split(separator: "\n") { add("# " + line) }
        }
        add("# mailscope: a service account with ApplicationImpersonation limited by a management scope,")
        add("# for \(config.preset) on the Exchange Server behind \(config.ewsURL ?? "?")")
        add("# Run in the Exchange Management Shell on the server. Every value is a quoted literal and every step")
        add("# looks for what exists first. Afterwards, `mailscope apply` proves the result over EWS and waits for it.")
        add("$ErrorActionPreference = 'Stop'")
        var steps = [ServerSteps.createMailbox(config)]
        if config.scopeKind == .group {
            steps.append(ServerSteps.createGroup(config, members: config.members))
            steps.append(ServerSteps.addMembers(config, members: config.members))
        }
        steps.append(ServerSteps.assignImpersonation(config))
        // Delegate access the old guides left (FullAccess): removed wherever it is, as apply does.
        let mailboxes = config.members + [config.inScopeMailbox, config.outOfScopeMailbox].compactMap { $0 }
        if !mailboxes.isEmpty {
            var seen: Set<String> = []
            steps.append(
                ServerSteps.removeFullAccess(config, mailboxes: mailboxes.filter { seen.insert($0.lowercased()).inserted }))
        }
        for (number, step) in steps.enumerated() {
            add()
            add("# \(number + 1). \(step.stage.title): \(step.summary)")
            if let warning = step.warning { comment(warning) }
            if step.id == "add-members" {
                add("# (members the group already has are reported as such and left alone)")
                for line in step.command.split(separator: "\n") {
                    add("try { \(line) -ErrorAction Stop } catch { Write-Warning $_ }")
                }
            } else {
                add(step.command)
            }
        }
        add()
        add("# Scope repair (only when mailscope check reports the scope was changed):")
        for line in ServerSteps.repairScope(config).command.split(separator: "\n") { add("# " + line) }
        return lines.joined(separator: "\n") + "\n"
    }
}
