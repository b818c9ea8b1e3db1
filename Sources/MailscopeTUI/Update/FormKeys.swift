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

    /// Performs an action on a form page.
    mutating func performOnForm(_ action: WizardAction, page: FormPage) -> [WizardEffect] {
        let field = form.focus
        let fields = form.fields(on: page)
        let index = fields.firstIndex(of: field) ?? 0
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
