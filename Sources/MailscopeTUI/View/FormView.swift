import Foundation
import MailscopeEngine

extension Painter {
    /// A form page: each field with its value and whether it is valid, then the focused field's problem.
    mutating func paintForm(_ page: FormPage, in rows: Range<Int>) {
        let form = model.form
        var row = rows.lowerBound + 1
        let pages = form.pages
        let number = (pages.firstIndex(of: page) ?? 0) + 1
        let heading = "Step \(number) of \(pages.count) \(glyphs.dot) \(page.title(for: form.target))"
        canvas.put(heading, row: row, column: 2, role: .strong, limit: width - 4)
        if model.formMode == .recheck {
            let note = "re-check: nothing will be changed"
            canvas.put(note, row: row, column: width - note.displayWidth - 2, role: .info)
        }
        row += 2
        let labelColumn = 4
        let inputColumn = 28
        let statusWidth = glyphs.statusWidth + 10
        let inputWidth = max(10, width - inputColumn - statusWidth - 5)
        for field in form.displayedFields(on: page) where row < rows.upperBound - 3 {
            let isFocused = field == form.focus
            let applies = form.isApplicable(field)
            if isFocused { canvas.put(glyphs.pointer, row: row, column: 2, role: .strong) }
            canvas.put(
                field.label,
                row: row,
                column: labelColumn,
                role: isFocused ? .strong : (applies ? .normal : .dim),
                limit: 23
            )
            if !applies {
                canvas.put("not used for a rooms scope", row: row, column: inputColumn, role: .dim)
                row += 1
                continue
            }
            if field == .members {
                row = paintMembers(row: row, rows: rows, labelColumn: labelColumn, inputColumn: inputColumn,
                    inputWidth: inputWidth, isFocused: isFocused)
                continue
            }
            if field.isChoice {
                let (open, close) = glyphs.choiceArrows
                canvas.put(
                    "\(open) \(form.choiceTitle(field)) \(close)",
                    row: row,
                    column: inputColumn,
                    role: isFocused ? .focusedInput : .input
                )
            } else {
                canvas.put("[", row: row, column: inputColumn, role: .dim)
                paintInput(
                    form.inputs[field] ?? TextInput(),
                    row: row,
                    column: inputColumn + 1,
                    width: inputWidth,
                    isFocused: isFocused
                )
                // An empty alias field shows the alias derived from the group name (typing replaces it).
                if field == .groupAlias, form.text(.groupAlias).isEmpty, !form.derivedGroupAlias.isEmpty {
                    canvas.put(
                        "\(form.derivedGroupAlias) (from the name)",
                        row: row,
                        column: inputColumn + (isFocused ? 2 : 1),
                        role: .dim,
                        limit: inputWidth - (isFocused ? 1 : 0)
                    )
                }
                canvas.put("]", row: row, column: inputColumn + 1 + inputWidth, role: .dim)
            }
            paintValidity(field, row: row, column: inputColumn + inputWidth + 4)
            row += 1
        }
        row += 1
        let focus = form.focus
        if focus == .members, let problem = memberProblemToShow() {
            var line: StyledLine = [
                Span(glyphs.status(problem.isDuplicate ? .pending : .failed) + " ", problem.isDuplicate ? .dim : .failure),
                Span("\(focus.label) line \(problem.line + 1) ", .strong),
            ]
            line.append(Span(problem.message, problem.isDuplicate ? .dim : .failure))
            row += draw(
                wrap(line, width: width - 4, indent: glyphs.statusWidth + 1),
                row: row,
                column: 2,
                limit: width - 4,
                maxRows: rows.upperBound - row - 1
            )
        } else if let error = form.error(for: focus), !form.isPristineAndEmpty(focus) {
            var line: StyledLine = [Span(glyphs.status(.failed) + " ", .failure), Span("\(focus.label) ", .strong)]
            if form.target == .exchangeServer {  // the engine's message: name the config key it is about
                line.append(Span("(\(error.field)) ", .dim))
            }
            line.append(Span(error.message, .failure))
            row += draw(
                wrap(line, width: width - 4, indent: glyphs.statusWidth + 1),
                row: row,
                column: 2,
                limit: width - 4,
                maxRows: rows.upperBound - row - 1
            )
        } else if focus == .target {
            write(form.target.summary, row: row, column: 2, role: .info)
            write("\(glyphs.leftRight) changes the target; the next fields follow it.", row: row + 1, column: 2, role: .dim)
        } else if focus.isChoice {
            canvas.put("\(glyphs.leftRight) changes the value.", row: row, column: 2, role: .dim)
        }
        let hint: String
        switch (page == form.pages.last, form.target) {
        case (true, .exchangeOnline): hint = "Enter continues to sign-in. Nothing is written before you confirm the plan."
        case (true, .exchangeServer): hint = "Enter checks EWS next. Nothing changes before you confirm the plan."
        case (false, _): hint = "F1 explains the focused field. Enter moves on."
        }
        write(hint, row: rows.upperBound - 1, column: 2, role: .dim)
    }

    /// The members problem for the line under the cursor, else the first invalid line's.
    private func memberProblemToShow() -> (line: Int, message: String, isDuplicate: Bool)? {
        let list = model.form.memberList
        let cursorLine = model.form.inputs[.members]?.cursorPosition.line ?? 0
        if let problem = list.lineProblems[cursorLine] {
            return (cursorLine, problem.message, problem.isDuplicate)
        }
        if let line = list.firstErrorLine, let problem = list.lineProblems[line] {
            return (line, problem.message, false)
        }
        return nil
    }

    /// The members field: one line when not focused; focused, an editor of one entry a line with
    /// line numbers, a mark on each line with a problem, and a line with the count and the scroll.
    /// - Returns: the row after it.
    private mutating func paintMembers(
        row: Int,
        rows: Range<Int>,
        labelColumn: Int,
        inputColumn: Int,
        inputWidth: Int,
        isFocused: Bool
    ) -> Int {
        let form = model.form
        let list = form.memberList
        let input = form.inputs[.members] ?? TextInput()
        let count = "\(list.validCount)"
        let statusColumn = inputColumn + inputWidth + 4
        guard isFocused else {
            canvas.put("[", row: row, column: inputColumn, role: .dim)
            var shown = ""
            for entry in MemberList.entries(in: input.text) {
                shown += (shown.isEmpty ? "" : ", ") + entry
                if shown.displayWidth > inputWidth { break }
            }
            canvas.fill(row: row, columns: (inputColumn + 1)..<(inputColumn + 1 + inputWidth), role: .input)
            canvas.put(
                shown.truncated(toColumns: inputWidth, ellipsis: glyphs.ellipsis),
                row: row,
                column: inputColumn + 1,
                role: .input
            )
            canvas.put("]", row: row, column: inputColumn + 1 + inputWidth, role: .dim)
            paintValidity(.members, row: row, column: statusColumn)
            canvas.put("(\(count))", row: row, column: labelColumn + FormField.members.label.count + 1, role: .dim)
            return row + 1
        }
        let lines = input.text.split(separator: "\n", omittingEmptySubsequences: false)
        let visible = MemberEditor.visibleLines(in: model)
        let cursor = input.cursorPosition
        let first = MemberEditor.firstVisibleLine(cursorLine: cursor.line, lineCount: lines.count, visible: visible)
        let numberWidth = String(lines.count).count
        for offset in 0..<min(visible, lines.count - first) {
            let index = first + offset
            let y = row + offset
            let number = String(index + 1)
            canvas.put(
                String(repeating: " ", count: numberWidth - number.count) + number,
                row: y,
                column: inputColumn - numberWidth - 1,
                role: .dim
            )
            canvas.put("[", row: y, column: inputColumn, role: .dim)
            let isCursorLine = index == cursor.line
            var lineInput = TextInput(String(lines[index]))
            lineInput.moveCursor(by: cursor.column - lineInput.cursor)
            paintInput(lineInput, row: y, column: inputColumn + 1, width: inputWidth, isFocused: isCursorLine)
            if !isCursorLine {
                canvas.fill(row: y, columns: (inputColumn + 1)..<(inputColumn + 1 + inputWidth), role: .focusedInput)
                canvas.put(String(lines[index]), row: y, column: inputColumn + 1, role: .focusedInput, limit: inputWidth)
            }
            canvas.put("]", row: y, column: inputColumn + 1 + inputWidth, role: .dim)
            if let problem = list.lineProblems[index] {
                canvas.put(
                    glyphs.status(problem.isDuplicate ? .pending : .failed) + (problem.isDuplicate ? " repeat" : " invalid"),
                    row: y,
                    column: statusColumn,
                    role: problem.isDuplicate ? .dim : .failure
                )
            }
        }
        canvas.put(glyphs.pointer, row: row, column: 2, role: .strong)
        canvas.put(FormField.members.label, row: row, column: labelColumn, role: .strong)
        var y = row + min(visible, lines.count - first)
        var status = counted(list.validCount, "member")
        if list.invalidLineCount > 0 { status += " \(glyphs.dot) \(list.invalidLineCount) invalid" }
        if list.duplicateCount > 0 { status += " \(glyphs.dot) \(list.duplicateCount) repeated" }
        if lines.count > visible {
            let last = min(lines.count, first + visible)
            status += " \(glyphs.dot) lines \(first + 1)\(glyphs.rangeDash)\(last) of \(lines.count)"
        }
        status += " \(glyphs.dot) one a line"
        write(status, row: y, column: inputColumn, role: .dim, limit: width - inputColumn - 1)
        y += 1
        return y
    }

    /// A text input with its cursor, scrolled so the cursor stays visible.
    private mutating func paintInput(_ input: TextInput, row: Int, column: Int, width: Int, isFocused: Bool) {
        let characters = Array(input.text)
        var start = 0
        if isFocused {  // keep the cursor inside the box
            while start < input.cursor && String(characters[start..<input.cursor]).displayWidth >= width { start += 1 }
        }
        canvas.fill(row: row, columns: column..<(column + width), role: isFocused ? .focusedInput : .input)
        canvas.put(
            String(characters[start...]),
            row: row,
            column: column,
            role: isFocused ? .focusedInput : .input,
            limit: width
        )
        guard isFocused else { return }
        let cursorColumn = column + String(characters[start..<input.cursor]).displayWidth
        guard cursorColumn < column + width else { return }
        let under = input.cursor < characters.count ? String(characters[input.cursor]) : " "
        canvas.put(under, row: row, column: cursorColumn, role: .cursor)
    }

    /// `✔ valid`, `✖ invalid` or `· required` beside a field.
    mutating func paintValidity(_ field: FormField, row: Int, column: Int) {
        let form = model.form
        if field.isChoice { return }
        if field == .groupAlias, form.text(field).trimmingCharacters(in: .whitespaces).isEmpty {
            canvas.put(glyphs.status(.verified) + " derived", row: row, column: column, role: .success)
        } else if form.isOptional(field), form.text(field).trimmingCharacters(in: .whitespaces).isEmpty {
            canvas.put(glyphs.status(.pending) + " optional", row: row, column: column, role: .dim)
        } else if form.isPristineAndEmpty(field) {
            canvas.put(glyphs.status(.pending) + " required", row: row, column: column, role: .dim)
        } else if form.error(for: field) != nil {
            canvas.put(glyphs.status(.failed) + " invalid", row: row, column: column, role: .failure)
        } else {
            canvas.put(glyphs.status(.verified) + " valid", row: row, column: column, role: .success)
        }
    }
}

/// The members editor's geometry (shared by the view and the keys that page through it).
enum MemberEditor {
    /// How many lines of the list the focused editor shows.
    static func visibleLines(in model: WizardModel) -> Int {
        let layout = Layout(size: model.size)
        // The form's fields start 3 rows into the content; members is the last field of its page.
        let page = model.form.page
        let fieldsAbove = model.form.displayedFields(on: page).firstIndex(of: .members) ?? 0
        let top = layout.content.lowerBound + 3 + fieldsAbove
        // Below: the count line, a problem (2 rows) and the hint.
        return max(1, layout.content.upperBound - top - 4)
    }

    /// The first line shown: the cursor's line stays in view, near the bottom when scrolled.
    static func firstVisibleLine(cursorLine: Int, lineCount: Int, visible: Int) -> Int {
        guard lineCount > visible else { return 0 }
        return min(max(0, cursorLine - visible + 1), lineCount - visible)
    }
}
