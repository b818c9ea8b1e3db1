import Foundation
import MailscopeEngine

/// The plan screen's scrolling text, shared by the view and by `update` (for scroll limits).
enum PlanView {
    /// Rows above the plan lines (title, tenant, match, blank).
    static let headerRows = 4
    /// Rows below the plan lines (blank, buttons).
    static let footerRows = 2

    /// How many plan lines fit at `size`.
    static func visibleLines(_ size: TerminalSize) -> Int {
        max(1, Layout(size: size).content.count - headerRows - footerRows)
    }

    /// The number of plan lines for the model's size.
    static func lineCount(_ model: WizardModel) -> Int {
        lines(model, glyphs: .unicode).count
    }

    /// The plan as lines: each stage, its changes and their PowerShell.
    static func lines(_ model: WizardModel, glyphs: Glyphs) -> [StyledLine] {
        guard let run = model.run else { return [] }
        let width = model.size.columns - 4
        // Exchange Server: these are the Exchange Management Shell commands the admin will be asked to run.
        let prompt = Span(run.answers.target == .exchangeServer ? "    EMS> " : "    PS> ", .dim)
        var result: [StyledLine] = []
        if run.answers.target == .exchangeServer {
            let steps = ServerPlanCount(run)
            var text = "You run each step in the Exchange Management Shell (EMS>) when its stage comes; EWS proves it."
            if !steps.unread.isEmpty {
                let names = steps.unread.map { $0.title.lowercased() }.joined(separator: " and ")
                text += " The \(names) are read once EWS accepts the account (usually a step each)."
            }
            text += " Then the propagation wait: up to 2 hours."
            result += wrap([Span(text, .dim)], width: width)
        }
        for report in run.plan where report.stage != .signIn {
            let count = report.changes.count
            if count == 0 {
                result.append([
                    Span(glyphs.status(report.status) + " ", Theme.role(for: report.status)),
                    Span(report.stage.title, .strong), Span(" \(glyphs.dot) no change (\(report.status.label))", .dim),
                ])
                continue
            }
            result.append([
                Span(glyphs.status(.needsChange) + " ", .warning), Span(report.stage.title, .strong),
                Span(" \(glyphs.dot) \(counted(count, "change"))", .warning),
            ])
            for change in report.changes {
                let (mark, role): (String, StyleRole) =
                    switch change.action {
                    case .create: ("+ create", .success)
                    case .update: ("~ update", .warning)
                    case .remove: ("- remove", .failure)
                    }
                result += wrap([Span("  "), Span(mark, role), Span("  " + change.summary)], width: width, indent: 12)
                result += commandLines(change.powershell, prompt: prompt, width: width, indent: prompt.text.count)
            }
            for warning in report.warnings {
                result += wrap([Span("  ! ", .warning), Span(warning, .warning)], width: width, indent: 4)
            }
        }
        return result
    }
}

/// Exchange Server: how many Exchange Management Shell steps the admin will run. Each change of the
/// plan is one; while EWS refuses the service account (it does not exist yet) the group and role
/// stages cannot be read, and each usually brings one more step once it can ("up to").
struct ServerPlanCount {
    /// The steps the plan lists.
    var listed: Int
    /// The stages that wait for the service account before they can be read.
    var unread: [StageID]

    init(_ run: RunState) {
        listed = run.plannedChangeCount
        let refused = run.status(of: .signIn) == .notVerified
        let candidates: [StageID] =
            (run.answers.scopeKind == .group ? [.distributionGroup] : []) + [.impersonationRole]
        unread =
            refused
            ? candidates.filter { stage in
                run.plan.first { $0.stage == stage }.map { $0.status == .pending && $0.changes.isEmpty } ?? false
            } : []
    }

    /// The most steps the admin runs.
    var total: Int { listed + unread.count }

    /// "3 Exchange Management Shell steps for you to run" (with "up to" when some are not read yet).
    var phrase: String {
        "\(unread.isEmpty ? "" : "up to ")\(counted(total, "Exchange Management Shell step")) for you to run"
    }
}

extension Painter {
    /// The plan: the tenant signed in to, every change with its PowerShell, and the confirmation.
    mutating func paintPlan(in rows: Range<Int>) {
        guard let run = model.run else { return }
        var row = rows.lowerBound
        let count = run.plannedChangeCount
        let stages = run.plan.filter { !$0.changes.isEmpty }.count
        let lines = PlanView.lines(model, glyphs: glyphs)
        let visible = PlanView.visibleLines(canvas.size)
        let first = min(model.planScroll, max(0, lines.count - visible))
        let position =
            lines.count > visible
            ? "lines \(first + 1)\(glyphs.rangeDash)\(min(lines.count, first + visible)) of \(lines.count)" : ""
        // Exchange Server: the admin runs every step, and the propagation wait comes after them.
        // (The plan's first lines say what comes; the heading says it too when there is room.)
        let headingLimit = width - 4 - (position.isEmpty ? 0 : position.displayWidth + 1)
        var heading =
            "Plan: \(counted(count, "change")) in \(counted(stages, "stage")) \(glyphs.dot) nothing written yet"
        if run.answers.target == .exchangeServer {
            let steps = "Plan: \(ServerPlanCount(run).phrase)"
            let candidates = [
                steps + ", then the propagation wait (up to 2 hours)", steps,
                steps.replacingOccurrences(of: " for you to run", with: " to run"),
            ]
            heading = candidates.first { $0.displayWidth <= headingLimit } ?? candidates[candidates.count - 1]
        }
        write(heading, row: row, column: 2, role: .strong, limit: headingLimit)
        row += 1
        if run.answers.target == .exchangeServer {
            paintServerPlanHeader(run, row: row)
        } else if let tenant = run.tenant {
            canvas.draw(
                [Span("Tenant  ", .dim), Span(tenant.displayName, .code), Span("  ID ", .dim), Span(tenant.id, .code)],
                row: row,
                column: 2,
                limit: width - 4
            )
            write(
                "\(tenant.defaultDomain) \(glyphs.dot) signed in as \(tenant.signedInAs)",
                row: row + 1,
                column: 10,
                role: .code
            )
        }
        row += 2
        switch run.answers.target == .exchangeServer ? nil : run.tenantMatch {
        case .matches:
            canvas.put(
                "\(glyphs.status(.verified)) matches the tenant you entered (\(run.answers.tenant))",
                row: row,
                column: 10,
                role: .success,
                limit: width - 12
            )
        case .mismatch:
            write(
                "\(glyphs.status(.failed)) NOT the tenant you entered (\(run.answers.tenant))",
                row: row,
                column: 10,
                role: .failure
            )
        case .unconfirmed:
            canvas.put(
                "\(glyphs.status(.needsChange)) you entered \(run.answers.tenant): check that this is the tenant ID you expect",
                row: row,
                column: 10,
                role: .warning,
                limit: width - 12
            )
        case nil:
            break
        }
        // (Exchange Server's match line is part of its header.)
        for (offset, line) in lines.dropFirst(first).prefix(visible).enumerated() {
            canvas.draw(line, row: row + 1 + offset, column: 2, limit: width - 4)
        }
        if !position.isEmpty {
            canvas.put(position, row: rows.lowerBound, column: width - position.displayWidth - 2, role: .dim)
        }
        let buttonRow = rows.upperBound - 1
        let applyLabel =
            run.tenantMatch == .mismatch
            ? "[ Apply blocked: wrong \(run.answers.target == .exchangeServer ? "server" : "tenant") ]"
            : run.answers.target == .exchangeServer
                ? "[ Start the steps (y) ]" : "[ Apply \(counted(count, "change")) (y) ]"
        let declineLabel = "[ Don't apply (n) ]"
        let canApply = run.tenantMatch != .mismatch
        canvas.put(
            applyLabel,
            row: buttonRow,
            column: 2,
            role: model.planFocus == .apply ? .selected : (canApply ? .strong : .dim)
        )
        canvas.put(
            declineLabel,
            row: buttonRow,
            column: 4 + applyLabel.displayWidth,
            role: model.planFocus == .decline ? .selected : .strong
        )
    }
}

extension Painter {
    /// Exchange Server's plan header: the server reached over EWS (instead of a tenant), who signs in,
    /// whether it is the host typed, and that the changes are Exchange Management Shell steps.
    mutating func paintServerPlanHeader(_ run: RunState, row: Int) {
        let host = run.tenant?.id ?? run.answers.ewsHost ?? "?"
        var line: StyledLine = [Span("Server  ", .dim), Span(host, .code), Span("  ")]
        switch run.tenantMatch {
        case .matches?:
            line.append(Span("\(glyphs.status(.verified)) the host of the EWS URL you entered", .success))
        case .mismatch?:
            line.append(
                Span("\(glyphs.status(.failed)) NOT the host of the EWS URL you entered (\(run.answers.ewsHost ?? "?"))", .failure)
            )
        case .unconfirmed?, nil:
            break
        }
        canvas.draw(line, row: row, column: 2, limit: width - 4)
        canvas.draw(
            [Span("EWS ", .dim), Span(run.answers.ewsURL.truncated(toColumns: width - 16, ellipsis: glyphs.ellipsis), .code)],
            row: row + 1,
            column: 10,
            limit: width - 12
        )
        let signedInAs = run.tenant?.signedInAs ?? run.answers.serviceAccountAddress
        // The preflight only asked EWS which sign-in it offers: until EWS accepts the service
        // account (once it exists with mailscope's password) this is not "signed in".
        let refused = run.status(of: .signIn) == .notVerified
        write(
            refused
                ? "EWS refuses \(signedInAs) (\(run.answers.ewsAuthentication.title)) until the account exists"
                : "signed in as \(signedInAs) (\(run.answers.ewsAuthentication.title))",
            row: row + 2,
            column: 10,
            role: refused ? .warning : .code,
            limit: width - 12
        )
    }
}
