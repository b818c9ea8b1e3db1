import Foundation
import MailscopeEngine

extension WizardModel {
    /// Types `character` into the focused text field.
    mutating func type(_ character: Character) {
        let field = form.focus
        guard !field.isChoice else { return }
        form.inputs[field, default: TextInput()].insert(character)
        form.edited.insert(field)
        form.touched.insert(field)
    }

    /// Puts pasted text into the focused text field, as one change (validated once). Members take
    /// a list separated by line breaks, commas, semicolons or spaces and show it one a line; in
    /// other fields line breaks and tabs become spaces (a list of roles: commas).
    mutating func paste(_ text: String) -> [WizardEffect] {
        notice = nil
        guard KeyMap.isEditingText(self) else {
            if case .form = screen, overlay == nil {
                notice = Notice("Paste into a text field; this one is a choice.", role: .info)
            }
            return []
        }
        let field = form.focus
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var input = form.inputs[field] ?? TextInput()
        var repeats = 0
        switch field {
        case .members:
            input.insert(contentsOf: "\n" + unified + "\n")
            repeats = MemberList(input.text).duplicateCount
            input = TextInput(MemberList.normalized(input.text))
        case .roles:
            let items = FormState.list(unified.replacingOccurrences(of: "\t", with: ","))
            input.insert(contentsOf: items.joined(separator: ", "))
        default:
            let line = unified.trimmingCharacters(in: .newlines)
                .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
            input.insert(contentsOf: line)
        }
        form.inputs[field] = input
        form.edited.insert(field)
        form.touched.insert(field)
        if field == .members {
            let count = form.memberList.validCount
            var words = "Pasted: \(counted(count, "member"))"
            if repeats > 0 { words += ", \(counted(repeats, "repeat")) dropped" }
            notice = Notice(words + ".", role: .info)
        }
        return []
    }

    /// Performs an action on a form page.
    mutating func performOnForm(_ action: WizardAction, page: FormPage) -> [WizardEffect] {
        let field = form.focus
        let fields = form.fields(on: page)
        let index = fields.firstIndex(of: field) ?? 0
        if field == .members {
            if let handled = performInMemberEditor(action) { return handled }
            if [.nextField, .previousField, .choose, .back].contains(action) { form.normalizeMembers() }
        }
        switch action {
        case .nextField:
            form.touched.insert(field)
            form.focus = fields[(index + 1) % fields.count]
        case .previousField:
            form.touched.insert(field)
            form.focus = fields[(index + fields.count - 1) % fields.count]
        case .choiceNext: form.cycleChoice(field, by: 1)
        case .choicePrevious: form.cycleChoice(field, by: -1)
        case .cursorLeft: form.inputs[field]?.moveCursor(by: -1)
        case .cursorRight: form.inputs[field]?.moveCursor(by: 1)
        case .cursorHome: form.inputs[field]?.moveToStart()
        case .cursorEnd: form.inputs[field]?.moveToEnd()
        case .deleteBackward: edit(field) { $0.deleteBackward() }
        case .deleteForward: edit(field) { $0.deleteForward() }
        case .clearField: edit(field) { $0.replace(with: "") }
        case .choose:
            form.touched.insert(field)
            if index + 1 < fields.count {
                form.focus = fields[index + 1]
                return []
            }
            return advance(from: page)
        case .back:
            form.touched.insert(field)
            if let previous = form.page(before: page) {
                openForm(at: previous)
            } else {
                screen = .start
            }
        default: break
        }
        return []
    }

    /// The members editor's own keys: the arrows and pages move between lines; past the first or
    /// last line they leave the field. `nil`: not handled here.
    private mutating func performInMemberEditor(_ action: WizardAction) -> [WizardEffect]? {
        guard var input = form.inputs[.members] else { return nil }
        let page = max(1, MemberEditor.visibleLines(in: self) - 1)
        let line = input.cursorPosition.line
        switch action {
        case .moveUp:
            guard line > 0 else { return performOnForm(.previousField, page: form.page) }
            input.moveCursor(byLines: -1)
        case .moveDown:
            guard line + 1 < input.lineCount else { return performOnForm(.nextField, page: form.page) }
            input.moveCursor(byLines: 1)
        case .pageUp: input.moveCursor(byLines: -page)
        case .pageDown: input.moveCursor(byLines: page)
        case .cursorHome: input.moveToLineStart()
        case .cursorEnd: input.moveToLineEnd()
        default: return nil
        }
        form.inputs[.members] = input
        return []
    }

    private mutating func edit(_ field: FormField, _ change: (inout TextInput) -> Void) {
        guard var input = form.inputs[field] else { return }
        change(&input)
        form.inputs[field] = input
        form.edited.insert(field)
        form.touched.insert(field)
    }

    /// Continues past `page` when every field so far is valid; starts the run after the last page.
    private mutating func advance(from page: FormPage) -> [WizardEffect] {
        if let invalid = form.firstInvalidField(through: page) {
            let invalidPage = form.page(of: invalid) ?? page
            form.touched.formUnion(form.fields(on: invalidPage))
            if invalidPage != page { openForm(at: invalidPage) }
            form.focus = invalid
            notice = Notice("Fix \(invalid.label) first.", role: .failure)
            return []
        }
        form.touched.formUnion(form.fields(on: page))
        if let next = form.page(after: page) {
            openForm(at: next)
            return []
        }
        return beginRun(formMode, answers: form.answers)
    }
}
