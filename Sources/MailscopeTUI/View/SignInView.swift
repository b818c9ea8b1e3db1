import Foundation
import MailscopeEngine

extension Painter {
    /// Sign-in: the device code, large and plain, with its countdown; or what the backend is doing.
    mutating func paintSignIn(in rows: Range<Int>) {
        guard let run = model.run else { return }
        if run.answers.target == .exchangeServer {
            paintServerPreflight(run, in: rows)
            return
        }
        var row = rows.lowerBound + 1
        let tenant = run.answers.tenant
        guard let prompt = run.deviceCode else {
            let how =
                run.answers.signIn == .deviceCode
                ? "Requesting a sign-in code" : "Signing in with the \(run.answers.signIn.title)"
            write(
                "\(glyphs.status(.checking)) \(how) for \(tenant)\(glyphs.ellipsis)",
                row: row,
                column: 2,
                role: .info
            )
            row += 2
            // Retries and failures on the way (a network that does not answer): shown as they come,
            // so the wait is never silent.
            if let last = run.log.last(where: { $0.level == .warning || $0.level == .error }) {
                let role: StyleRole = last.level == .error ? .failure : .warning
                row += draw(
                    wrap(
                        [Span("\(TimeText.timeOfDay(last.at, in: model.timeZone)) ", .dim), Span(last.text, role)],
                        width: width - 4,
                        indent: 9
                    ),
                    row: row,
                    column: 2,
                    limit: width - 4,
                    maxRows: 3
                )
                canvas.draw([Span("l", .key), Span(" shows the log", .dim)], row: row, column: 2, limit: width - 4)
                row += 2
            }
            if run.mode == .resume, let wait = run.wait {
                write(
                    "Resuming the propagation wait started \(TimeText.duration(model.now.timeIntervalSince(wait.startedAt))) ago.",
                    row: row,
                    column: 2,
                    role: .dim
                )
            }
            return
        }
        write("Sign in as an Exchange administrator of \(tenant)", row: row, column: 2, role: .strong)
        row += 2
        canvas.put("1. On any device, open this address in a browser:", row: row, column: 2)
        row += 1
        // The address whole: indented when it fits, else from the left edge, cut only there.
        let address = prompt.verificationURL
        if address.displayWidth <= width - 8 {
            canvas.put(address, row: row, column: 7, role: .code)
            row += 1
        } else {
            for part in Self.tokenRows(address, width: width) {
                canvas.put(part, row: row, column: 0, role: .code, overflow: .clip)
                row += 1
            }
        }
        row += 1
        let code = prompt.userCode
        let remaining = prompt.expiresAt.timeIntervalSince(model.now)
        canvas.put("2. Enter this code:", row: row, column: 2)
        if remaining > 0 {
            canvas.put(
                "expires in \(TimeText.clock(remaining))",
                row: row,
                column: 24,
                role: remaining < 60 ? .warning : .info
            )
        } else {
            write(
                "\(glyphs.status(.failed)) expired: Esc, then continue again for a new code",
                row: row,
                column: 24,
                role: .failure
            )
        }
        row += 1
        if !glyphs.isASCII, let big = BigText.rows(code), big[0].displayWidth <= width - 10 {
            for line in big {
                canvas.put(line, row: row, column: 7, role: .code)
                row += 1
            }
        }
        canvas.draw(
            [
                Span(code, .code), Span("   select it with the mouse, or press ", .dim), Span("c", .key),
                Span(" to copy it (OSC 52)", .dim),
            ],
            row: row,
            column: 7,
            limit: width - 8
        )
        row += 2
        canvas.put(
            "\(glyphs.status(.checking)) Waiting for the sign-in to complete\(glyphs.ellipsis)",
            row: row,
            column: 2,
            role: .info,
            limit: width - 4
        )
        if let note = model.signInNote {
            paragraph(note, row: row + 1, column: 4, role: .dim, limit: width - 6, maxLines: max(0, rows.upperBound - row - 1))
        }
    }
}

extension Painter {
    /// Exchange Server has no device code: sign-in is a preflight of the EWS URL, then EWS as the
    /// service account with its password (read from its file or variable, never shown).
    mutating func paintServerPreflight(_ run: RunState, in rows: Range<Int>) {
        var row = rows.lowerBound + 1
        let answers = run.answers
        let logon = answers.serviceAccountLogon ?? answers.serviceAccountAddress
        write(
            "\(glyphs.status(.checking)) Checking EWS at \(answers.ewsHost ?? answers.ewsURL)\(glyphs.ellipsis)",
            row: row,
            column: 2,
            role: .info
        )
        row += 2
        row += labelledValue("EWS URL       ", answers.ewsURL, row: row)
        canvas.draw(
            [Span("Signs in as   ", .dim), Span(logon, .code), Span(" with \(answers.ewsAuthentication.title)", .dim)],
            row: row,
            column: 4,
            limit: width - 6
        )
        row += 1
        let source =
            answers.passwordEnvironmentVariable.map { "the environment variable \($0)" }
            ?? answers.passwordFile.map { "the file \($0)" } ?? "?"
        row += labelledValue("Password from ", source, row: row) + 1
        paragraph(
            "mailscope asks the server which sign-in it offers, then reads each stage over EWS as the service account. Nothing changes before you confirm the plan.",
            row: row,
            column: 2,
            role: .dim,
            limit: width - 4,
            maxLines: max(0, rows.upperBound - row)
        )
        if run.mode == .resume, let wait = run.wait, rows.upperBound - row > 3 {
            write(
                "Resuming the propagation wait started \(TimeText.duration(model.now.timeIntervalSince(wait.startedAt))) ago.",
                row: row + 3,
                column: 2,
                role: .dim
            )
        }
    }

    /// `label value` at column 4; a value too wide to sit beside its label gets its own rows under
    /// it (item 16: a URL or a path is never cut or broken inside). Returns the rows used.
    private mutating func labelledValue(_ label: String, _ value: String, row: Int) -> Int {
        let valueColumn = 4 + label.displayWidth
        if value.displayWidth <= width - valueColumn - 2 {
            canvas.draw([Span(label, .dim), Span(value, .code)], row: row, column: 4, limit: width - 6)
            return 1
        }
        canvas.put(label, row: row, column: 4, role: .dim)
        // Words that fit go under the label; a token wider than that gets rows of its own from
        // the left edge, cut only at the screen's edge (its rows joined give it back).
        var used = 1
        var words: [Substring] = []
        func flush() {
            for part in words.joined(separator: " ").wrapped(toColumns: width - 8) where !words.isEmpty {
                canvas.put(part, row: row + used, column: 6, role: .code)
                used += 1
            }
            words = []
        }
        for word in value.split(separator: " ") {
            guard DisplayWidth.columns(of: word) > width - 8 else {
                words.append(word)
                continue
            }
            flush()
            for part in Self.tokenRows(String(word), width: width) {
                canvas.put(part, row: row + used, column: 0, role: .code, overflow: .clip)
                used += 1
            }
        }
        flush()
        return used
    }
}
