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
                canvas.put("]", row: row, column: inputColumn + 1 + inputWidth, role: .dim)
            }
            paintValidity(field, row: row, column: inputColumn + inputWidth + 4)
            row += 1
        }
        row += 1
        let focus = form.focus
        if let error = form.error(for: focus), !form.isPristineAndEmpty(focus) {
            var line: StyledLine = [Span(glyphs.status(.failed) + " ", .failure), Span("\(focus.label) ", .strong)]
            if form.target == .exchangeServer {  // the engine's message: name the config key it is about
                line.append(Span("(\(error.field)) ", .dim))
            }
            line.append(Span(error.message, .failure))
            for wrapped in wrap(line, width: width - 4, indent: glyphs.statusWidth + 1).prefix(
                max(0, rows.upperBound - row - 1)
            ) {
                canvas.draw(wrapped, row: row, column: 2)
                row += 1
            }
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
        case (false, _): hint = "F1 or ? explains the focused field. Enter moves on."
        }
        write(hint, row: rows.upperBound - 1, column: 2, role: .dim)
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
    private mutating func paintValidity(_ field: FormField, row: Int, column: Int) {
        let form = model.form
        if field.isChoice { return }
        if form.isOptional(field), form.text(field).trimmingCharacters(in: .whitespaces).isEmpty {
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
