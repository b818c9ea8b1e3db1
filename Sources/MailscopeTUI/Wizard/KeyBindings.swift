/// What a key does, independent of which key it is.
public enum WizardAction: Sendable, Equatable {
    case moveUp, moveDown, pageUp, pageDown, scrollToStart, scrollToEnd, search
    case nextField, previousField, choicePrevious, choiceNext
    case cursorLeft, cursorRight, cursorHome, cursorEnd, deleteBackward, deleteForward, clearField
    case choose, back, help, closeHelp, quit, toggleLog
    case copy, focusButtons, applyPlan, declinePlan, leaveWait, repair, retry, yes, no
    case ranShellStep, stopAtShellStep
}

/// A key binding: the keys, what they do, and the words that explain it. The footer and the
/// help overlay are generated from these, so help cannot drift from what the keys do.
public struct KeyBinding: Sendable, Equatable {
    /// The keys that trigger the action.
    public var keys: [Key]
    /// The keys as shown with Unicode glyphs.
    public var label: String
    /// The keys as shown with ASCII glyphs.
    public var asciiLabel: String
    /// A word or two for the footer (`nil`: shown only in the help overlay).
    public var hint: String?
    /// A sentence for the help overlay.
    public var help: String
    /// What the keys do.
    public var action: WizardAction

    /// Creates a binding.
    public init(_ keys: [Key], _ label: String, ascii: String? = nil, hint: String?, help: String, action: WizardAction)
    {
        self.keys = keys
        self.label = label
        self.asciiLabel = ascii ?? label
        self.hint = hint
        self.help = help
        self.action = action
    }

    /// The label for `glyphs`.
    public func label(for glyphs: Glyphs) -> String { glyphs.isASCII ? asciiLabel : label }
}

/// The key bindings that apply to a model's current state.
public enum KeyMap {
    /// The bindings in force for `model`, most useful first.
    public static func bindings(for model: WizardModel) -> [KeyBinding] {
        if model.searchQuery != nil { return searchPrompt }
        if case .confirm = model.overlay { return confirm }
        if case .help = model.overlay { return help }
        if model.showsLog && model.screen != .start && !isEditingText(model) { return log + common(model) }
        switch model.screen {
        case .start: return start + common(model)
        case .form:
            if isEditingText(model) { return model.form.focus == .members ? memberEditor : formText }
            return formChoice + common(model)
        case .signIn: return signIn(model) + common(model)
        case .plan: return plan(model) + common(model)
        case .run: return run(model) + common(model)
        case .shellStep: return shellStep(model) + common(model)
        case .handOff: return handOff + common(model)
        }
    }

    /// Whether the focused field takes typed characters (so letters do not act as keys).
    public static func isEditingText(_ model: WizardModel) -> Bool {
        if model.searchQuery != nil { return true }
        if case .form = model.screen, model.overlay == nil, !model.form.focus.isChoice { return true }
        return false
    }

    /// The binding that `key` triggers for `model`, if any.
    public static func binding(for key: Key, in model: WizardModel) -> KeyBinding? {
        bindings(for: model).first { $0.keys.contains(key) }
    }

    // MARK: Tables

    private static func common(_ model: WizardModel) -> [KeyBinding] {
        var result = [
            KeyBinding(
                [.character("?"), .function(1)],
                "?/F1",
                hint: "help",
                help: "Show this help (generated from the key bindings).",
                action: .help
            )
        ]
        if model.run != nil && model.screen != .start {
            result.append(
                KeyBinding(
                    [.character("l")],
                    "l",
                    hint: "log",
                    help: "Show or hide the log of what happened, with each write's PowerShell.",
                    action: .toggleLog
                )
            )
        }
        result.append(
            KeyBinding(
                [.character("q")],
                "q",
                hint: "quit",
                help:
                    "Quit. While a run is active, asks first: a propagation wait is saved and resumes with `\(model.resumeCommand)` later; other work stops after saving what is known.",
                action: .quit
            )
        )
        return result
    }

    private static let start: [KeyBinding] = [
        KeyBinding(
            [.up, .down],
            "↑↓",
            ascii: "Up/Down",
            hint: "move",
            help: "Move between the choices.",
            action: .moveDown
        ),
        KeyBinding([.enter], "Enter", hint: "choose", help: "Choose the highlighted item.", action: .choose),
    ].expandingArrows()

    /// Moving between the fields of a form, the same on text and choice fields.
    private static let fieldNavigation: [KeyBinding] = [
        KeyBinding(
            [.tab, .down],
            "Tab/↓",
            ascii: "Tab/Down",
            hint: "next",
            help: "Go to the next field.",
            action: .nextField
        ),
        KeyBinding(
            [.backTab, .up],
            "S-Tab/↑",
            ascii: "S-Tab/Up",
            hint: nil,
            help: "Go to the previous field.",
            action: .previousField
        ),
    ]

    /// Going back a page from a form.
    private static let formBack = KeyBinding(
        [.escape],
        "Esc",
        hint: "back",
        help: "Go back one page (to the start screen from the first page).",
        action: .back
    )

    private static let formText: [KeyBinding] = fieldNavigation + [
        KeyBinding(
            [.enter],
            "Enter",
            hint: "continue",
            help: "Next field; on the last field, continue to the next page (the values must be valid).",
            action: .choose
        ),
        formBack,
        KeyBinding(
            [.function(1)],
            "F1",
            hint: "explain field",
            help: "Explain the focused field (? is a character here).",
            action: .help
        ),
        KeyBinding([.left], "←", ascii: "Left", hint: nil, help: "Move the cursor left.", action: .cursorLeft),
        KeyBinding([.right], "→", ascii: "Right", hint: nil, help: "Move the cursor right.", action: .cursorRight),
        KeyBinding(
            [.home, .control("a")],
            "Home",
            hint: nil,
            help: "Move the cursor to the start of the field.",
            action: .cursorHome
        ),
        KeyBinding(
            [.end, .control("e")],
            "End",
            hint: nil,
            help: "Move the cursor to the end of the field.",
            action: .cursorEnd
        ),
        KeyBinding(
            [.backspace],
            "Backspace",
            hint: nil,
            help: "Delete the character before the cursor.",
            action: .deleteBackward
        ),
        KeyBinding(
            [.delete],
            "Delete",
            hint: nil,
            help: "Delete the character under the cursor.",
            action: .deleteForward
        ),
        KeyBinding([.control("u")], "Ctrl-U", hint: nil, help: "Clear the field.", action: .clearField),
    ]

    /// The members editor: one entry a line; the arrows move between lines, Tab between fields.
    private static let memberEditor: [KeyBinding] =
        [
            KeyBinding([.tab], "Tab", hint: "next", help: "Go to the next field.", action: .nextField),
            KeyBinding([.backTab], "S-Tab", hint: nil, help: "Go to the previous field.", action: .previousField),
            KeyBinding(
                [.up, .down],
                "↑↓",
                ascii: "Up/Down",
                hint: "line",
                help: "Move between the lines of the list (past the first line: the previous field).",
                action: .moveDown
            ),
            KeyBinding(
                [.pageUp, .pageDown],
                "PgUp/PgDn",
                hint: nil,
                help: "Move a page of lines at a time.",
                action: .pageDown
            ),
        ].expandingArrows()
        + formText.filter { binding in
            binding.action != .nextField && binding.action != .previousField
        }.map { binding in
            guard binding.action == .cursorHome || binding.action == .cursorEnd else { return binding }
            var line = binding
            line.help = binding.action == .cursorHome ? "Move the cursor to the start of the line." : "Move the cursor to the end of the line."
            return line
        }

    private static let formChoice: [KeyBinding] = [
        KeyBinding(
            [.right, .character(" ")],
            "←→/Space",
            ascii: "Left/Right",
            hint: "change",
            help: "Change the value of the focused choice.",
            action: .choiceNext
        ),
        KeyBinding(
            [.left],
            "←→/Space",
            ascii: "Left/Right",
            hint: nil,
            help: "Change the value of the focused choice.",
            action: .choicePrevious
        ),
    ] + fieldNavigation + [
        KeyBinding(
            [.enter],
            "Enter",
            hint: "continue",
            help: "Next field; on the last field, continue to the next page.",
            action: .choose
        ),
        formBack,
    ]

    private static func signIn(_ model: WizardModel) -> [KeyBinding] {
        var result: [KeyBinding] = []
        if model.run?.deviceCode != nil {
            result.append(
                KeyBinding(
                    [.character("c")],
                    "c",
                    hint: "copy code",
                    help:
                        "Copy the code to the clipboard with the OSC 52 escape (if the terminal allows it; otherwise select it with the mouse).",
                    action: .copy
                )
            )
        }
        result.append(
            KeyBinding(
                [.escape],
                "Esc",
                hint: "back",
                help: "Stop signing in and go back to the form. Nothing has been written.",
                action: .back
            )
        )
        return result
    }

    private static func plan(_ model: WizardModel) -> [KeyBinding] {
        [
            KeyBinding(
                [.character("y")],
                "y",
                hint: "apply",
                help: "Apply the plan: make the changes listed, stage by stage.",
                action: .applyPlan
            ),
            KeyBinding(
                [.character("n")],
                "n",
                hint: "don't apply",
                help: "Do not apply: the run ends and nothing is written.",
                action: .declinePlan
            ),
            KeyBinding(
                [.tab, .backTab],
                "Tab",
                hint: nil,
                help: "Move between the Apply and Don't apply buttons.",
                action: .focusButtons
            ),
            KeyBinding([.enter], "Enter", hint: nil, help: "Press the focused button.", action: .choose),
            KeyBinding(
                [.up, .down],
                "↑↓",
                ascii: "Up/Down",
                hint: "scroll",
                help: "Scroll the plan.",
                action: .moveDown
            ),
            KeyBinding(
                [.pageUp, .pageDown],
                "PgUp/PgDn",
                hint: nil,
                help: "Scroll the plan a page at a time.",
                action: .pageDown
            ),
        ].expandingArrows() + scrolling(what: "plan") + [
            KeyBinding(
                [.escape],
                "Esc",
                hint: "back",
                help: "Do not apply, and go back to the form to change the answers.",
                action: .back
            ),
        ]
    }

    /// j/k, g/G, Home/End and / search, for a pane that scrolls (the log, the plan).
    private static func scrolling(what: String) -> [KeyBinding] {
        [
            KeyBinding([.character("j")], "j/k", hint: nil, help: "Scroll the \(what) a line down/up.", action: .moveDown),
            KeyBinding([.character("k")], "j/k", hint: nil, help: "Scroll the \(what) a line down/up.", action: .moveUp),
            KeyBinding(
                [.home, .character("g")],
                "g/Home",
                hint: nil,
                help: "Go to the start of the \(what).",
                action: .scrollToStart
            ),
            KeyBinding(
                [.end, .character("G")],
                "G/End",
                hint: nil,
                help: "Go to the end of the \(what)\(what == "log" ? " and follow it" : "").",
                action: .scrollToEnd
            ),
            KeyBinding(
                [.character("/")],
                "/",
                hint: "search",
                help: "Search the \(what) (case-insensitive); / then Enter again finds the next match.",
                action: .search
            ),
        ]
    }

    private static let searchPrompt: [KeyBinding] = [
        KeyBinding([.enter], "Enter", hint: "find", help: "Find the text (empty: the next match).", action: .choose),
        KeyBinding([.escape], "Esc", hint: "cancel", help: "Stop searching.", action: .back),
        KeyBinding([.backspace], "Backspace", hint: nil, help: "Delete the last character.", action: .deleteBackward),
    ]

    private static func run(_ model: WizardModel) -> [KeyBinding] {
        var result = [
            KeyBinding(
                [.up, .down],
                "↑↓",
                ascii: "Up/Down",
                hint: "stage",
                help: "Choose the stage whose steps are shown.",
                action: .moveDown
            )
        ].expandingArrows()
        guard let run = model.run else { return result }
        if run.isWaiting {
            result.append(
                KeyBinding(
                    [.character("w")],
                    "w",
                    hint: "leave the wait",
                    help: "Leave the propagation wait: it is saved, and `\(model.resumeCommand)` resumes it later with its timer.",
                    action: .leaveWait
                )
            )
        }
        if case .finished(let outcome) = run.phase {
            if case .drift = outcome, run.mode == .recheck {
                result.append(
                    KeyBinding(
                        [.character("r")],
                        "r",
                        hint: "repair",
                        help: "Repair the drift: plan the changes, show them, and apply them only after you confirm.",
                        action: .repair
                    )
                )
            }
            if case .failed = outcome {
                result.append(
                    KeyBinding(
                        [.character("r")],
                        "r",
                        hint: "retry",
                        help: "Run again with the same answers (after fixing the cause outside mailscope).",
                        action: .retry
                    )
                )
                result.append(
                    KeyBinding(
                        [.enter],
                        "Enter",
                        hint: "fix the answers",
                        help: "Open the form on the field of the stage that failed, with every answer kept.",
                        action: .choose
                    )
                )
            } else {
                let next = outcome == .verified && !run.handOff.isEmpty ? "hand-off values" : "start again"
                result.append(
                    KeyBinding(
                        [.enter],
                        "Enter",
                        hint: next,
                        help: outcome == .verified && !run.handOff.isEmpty
                            ? "Show the values the vendor's product needs." : "Go back to the start screen.",
                        action: .choose
                    )
                )
            }
        }
        result.append(
            KeyBinding(
                [.escape],
                "Esc",
                hint: "back",
                help: run.phase.isActive
                    ? "Stop the run (asks first; a wait is saved instead) and go back."
                    : "Go back to the form to change the answers.",
                action: .back
            )
        )
        return result
    }

    private static func shellStep(_ model: WizardModel) -> [KeyBinding] {
        var result: [KeyBinding] = []
        if model.run?.shellStep?.state == .waitingForAdmin {
            result.append(
                KeyBinding(
                    [.enter],
                    "Enter",
                    hint: "I ran it",
                    help:
                        "I ran it in the Exchange Management Shell: mailscope goes on and checks the result over EWS.",
                    action: .ranShellStep
                )
            )
        }
        result.append(
            KeyBinding(
                [.character("c")],
                "c",
                hint: "copy",
                help:
                    "Copy the exact command with the OSC 52 escape (if the terminal allows it; otherwise select it with the mouse: wrapped rows are indented).",
                action: .copy
            )
        )
        if model.run?.shellStep?.state == .waitingForAdmin {
            result.append(
                KeyBinding(
                    [.character("s")],
                    "s",
                    hint: "stop here",
                    help:
                        "Stop here without running it: the run is saved, and `\(model.resumeCommand)` resumes it later and shows this step again.",
                    action: .stopAtShellStep
                )
            )
        }
        result += [
            KeyBinding(
                [.up, .down],
                "↑↓",
                ascii: "Up/Down",
                hint: "scroll",
                help: "Scroll the command.",
                action: .moveDown
            ),
            KeyBinding(
                [.pageUp, .pageDown],
                "PgUp/PgDn",
                hint: nil,
                help: "Scroll the command a page at a time.",
                action: .pageDown
            ),
            KeyBinding(
                [.escape],
                "Esc",
                hint: nil,
                help: "Stop the run (asks first) and go back to the form; s stops and keeps the run to resume instead.",
                action: .back
            ),
        ].expandingArrows()
        return result
    }

    private static let handOff: [KeyBinding] = [
        KeyBinding([.up, .down], "↑↓", ascii: "Up/Down", hint: "move", help: "Choose a value.", action: .moveDown),
        KeyBinding(
            [.character("c")],
            "c",
            hint: "copy",
            help: "Copy the highlighted value with the OSC 52 escape (if the terminal allows it).",
            action: .copy
        ),
        KeyBinding(
            [.enter],
            "Enter",
            hint: "done",
            help: "Done: hide the secret (it is shown once) and finish.",
            action: .choose
        ),
        KeyBinding(
            [.escape],
            "Esc",
            hint: "back",
            help: "Back to the stage list (the secret is hidden).",
            action: .back
        ),
    ].expandingArrows()

    private static let log: [KeyBinding] =
        [
            KeyBinding([.up, .down], "↑↓", ascii: "Up/Down", hint: "scroll", help: "Scroll the log.", action: .moveDown),
            KeyBinding(
                [.pageUp, .pageDown],
                "PgUp/PgDn",
                hint: nil,
                help: "Scroll the log a page at a time.",
                action: .pageDown
            ),
        ].expandingArrows() + scrolling(what: "log") + [
            KeyBinding([.escape], "Esc", hint: "close log", help: "Close the log.", action: .toggleLog)
        ]

    private static let help: [KeyBinding] = [
        KeyBinding([.up, .down], "↑↓", ascii: "Up/Down", hint: "scroll", help: "Scroll the help.", action: .moveDown),
        KeyBinding(
            [.escape, .character("?"), .function(1), .character("q"), .enter],
            "Esc",
            hint: "close",
            help: "Close the help.",
            action: .closeHelp
        ),
    ].expandingArrows()

    private static let confirm: [KeyBinding] = [
        KeyBinding([.character("y"), .character("Y")], "y", hint: "yes", help: "Yes.", action: .yes),
        KeyBinding(
            [.character("n"), .character("N"), .escape],
            "n/Esc",
            hint: "no",
            help: "No: carry on.",
            action: .no
        ),
    ]
}

extension [KeyBinding] {
    /// Splits an "↑↓" binding into separate up and down actions (one row in help, two actions).
    fileprivate func expandingArrows() -> [KeyBinding] {
        flatMap { binding -> [KeyBinding] in
            switch binding.action {
            case .moveDown where binding.keys == [.up, .down]:
                var up = binding
                up.keys = [.up]
                up.action = .moveUp
                up.hint = nil
                var down = binding
                down.keys = [.down]
                return [down, up]
            case .pageDown where binding.keys == [.pageUp, .pageDown]:
                var up = binding
                up.keys = [.pageUp]
                up.action = .pageUp
                up.hint = nil
                var down = binding
                down.keys = [.pageDown]
                return [down, up]
            default:
                return [binding]
            }
        }
    }
}
