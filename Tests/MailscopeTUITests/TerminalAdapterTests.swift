import MailscopeTUI
import MailscopeTerminal
import Testing

@Suite("Terminal adapter decisions (no terminal needed)")
struct TerminalAdapterTests {
    private func refusal(_ input: Bool, _ output: Bool, _ term: String?, known: Bool = true) -> String? {
        TerminalEnvironment.refusal(
            inputIsTerminal: input,
            outputIsTerminal: output,
            term: term,
            termIsUsable: { _ in known }
        )
    }

    @Test func refusesWithoutATerminalAndPointsToTheScriptCommands() {
        #expect(refusal(true, true, "xterm-256color") == nil)
        for message in [
            refusal(false, true, "xterm"), refusal(true, false, "xterm"), refusal(true, true, nil),
            refusal(true, true, ""), refusal(true, true, "dumb"), refusal(true, true, "vt-nonexistent", known: false),
        ] {
            #expect(message?.contains("mailscope apply") == true)
            #expect(message?.contains("mailscope check") == true)
        }
        #expect(refusal(false, false, "xterm")?.contains("standard input and output are not a terminal") == true)
        #expect(refusal(true, true, "vt-nonexistent", known: false)?.contains("TERM=vt-nonexistent") == true)
    }

    @Test func noColorAndLocaleChooseTheTheme() {
        let options = WizardOptions()
        #expect(
            TerminalEnvironment.theme(codeset: "UTF-8", hasColors: true, noColorVariable: nil, options: options)
                == .color
        )
        #expect(
            TerminalEnvironment.theme(codeset: "UTF-8", hasColors: true, noColorVariable: "", options: options)
                == .color
        )
        #expect(
            TerminalEnvironment.theme(codeset: "UTF-8", hasColors: true, noColorVariable: "1", options: options)
                == .mono
        )
        #expect(
            TerminalEnvironment.theme(codeset: "utf8", hasColors: false, noColorVariable: nil, options: options)
                == .mono
        )
        #expect(
            TerminalEnvironment.theme(
                codeset: "ANSI_X3.4-1968",
                hasColors: true,
                noColorVariable: nil,
                options: options
            ) == .ascii
        )
        #expect(
            TerminalEnvironment.theme(
                codeset: "UTF-8",
                hasColors: true,
                noColorVariable: nil,
                options: WizardOptions(noColor: true)
            ) == .mono
        )
        #expect(
            TerminalEnvironment.theme(
                codeset: "UTF-8",
                hasColors: true,
                noColorVariable: nil,
                options: WizardOptions(forceASCII: true)
            ).glyphs == .ascii
        )
    }

    @Test func keysDecodeToTheWizardsKeys() {
        #expect(KeyDecoder.decode(character: 9) == .key(.tab))
        #expect(KeyDecoder.decode(character: 13) == .key(.enter))
        #expect(KeyDecoder.decode(character: 27) == .key(.escape))
        #expect(KeyDecoder.decode(character: 127) == .key(.backspace))
        #expect(KeyDecoder.decode(character: 21) == .key(.control("u")))
        #expect(KeyDecoder.decode(character: 0x4F1A) == .key(.character("会")))
        #expect(KeyDecoder.decode(character: 0x9B) == .ignored)
        #expect(KeyDecoder.decode(functionKey: 0o403) == .key(.up))  // KEY_UP
        #expect(KeyDecoder.decode(functionKey: 0o632) == .resize)  // KEY_RESIZE
        #expect(KeyDecoder.decode(functionKey: 0o410 + 1) == .key(.function(1)))  // KEY_F(1)
        #expect(KeyDecoder.decode(functionKey: 0o541) == .key(.backTab))  // KEY_BTAB
    }

    /// Feeds `bytes` as `get_wch` would without terminfo's help, then the end of the read.
    private func decoded(_ text: String, decoder: inout KeyDecoder) -> [TerminalInput] {
        text.unicodeScalars.flatMap { decoder.decode(.character($0.value)) } + decoder.endOfInput()
    }

    @Test func aBracketedPasteIsOneMessageAndItsLineBreaksAreText() {
        var decoder = KeyDecoder()
        let paste = "\u{1B}[200~alice@contoso.com\rbob@contoso.com\r\u{1B}[201~"
        #expect(decoded(paste, decoder: &decoder) == [.paste("alice@contoso.com\rbob@contoso.com\r")])
        // A paste that arrives in two reads is still one message.
        let first = decoded("x\u{1B}[200~line one\r", decoder: &decoder)
        #expect(first == [.key(.character("x"))])
        #expect(decoder.isInPaste)
        #expect(decoded("line two\u{1B}[201~q", decoder: &decoder) == [.paste("line one\rline two"), .key(.character("q"))])
        // An escape inside the paste is text (only ESC[201~ ends it).
        #expect(decoded("\u{1B}[200~a\u{1B}b\u{1B}[201~", decoder: &decoder) == [.paste("a\u{1B}b")])
    }

    /// Issue 12: PuTTY's and tmux's Home/End, Shift-Tab where terminfo lacks it, and any other
    /// sequence: keys or nothing, never Esc.
    @Test func sequencesCursesDoesNotKnowAreKeysOrNothingNeverEsc() {
        var decoder = KeyDecoder()
        #expect(decoded("\u{1B}[1~", decoder: &decoder) == [.key(.home)])
        #expect(decoded("\u{1B}[4~", decoder: &decoder) == [.key(.end)])
        #expect(decoded("\u{1B}[7~\u{1B}[8~", decoder: &decoder) == [.key(.home), .key(.end)])
        #expect(decoded("\u{1B}[Z", decoder: &decoder) == [.key(.backTab)])
        #expect(decoded("\u{1B}OH\u{1B}OF", decoder: &decoder) == [.key(.home), .key(.end)])
        #expect(decoded("\u{1B}[1;5H", decoder: &decoder) == [.key(.home)])
        #expect(decoded("\u{1B}[5~\u{1B}[6~", decoder: &decoder) == [.key(.pageUp), .key(.pageDown)])
        #expect(decoded("\u{1B}[3~", decoder: &decoder) == [.key(.delete)])
        #expect(decoded("\u{1B}[15~", decoder: &decoder) == [.key(.function(5))])
        #expect(decoded("\u{1B}[[A", decoder: &decoder) == [.key(.function(1))])
        for unknown in ["\u{1B}[2~", "\u{1B}[99~", "\u{1B}[?1;2c", "\u{1B}[>0;276;0c", "\u{1B}[201~", "\u{1B}[I", "\u{1B}Oz"] {
            let inputs = decoded(unknown, decoder: &decoder)
            #expect(!inputs.contains(.key(.escape)), "\(unknown.debugDescription) read as Esc")
            #expect(inputs.allSatisfy { $0 == .ignored })
        }
        // A lone Esc is still Esc; a sequence split across two reads is still one key.
        #expect(decoded("\u{1B}", decoder: &decoder) == [.key(.escape)])
        #expect(decoder.decode(.character(27)).isEmpty && decoder.decode(.character(0x5B)).isEmpty)
        #expect(decoder.endOfInput().isEmpty)
        #expect(decoded("1~", decoder: &decoder) == [.key(.home)])
        // Keys curses decoded from terminfo, including extended names.
        #expect(KeyDecoder.decode(functionKey: 0o552) == .key(.home))  // KEY_FIND (ESC[1~ in vt220 entries)
        #expect(KeyDecoder.decode(functionKey: 0o601) == .key(.end))  // KEY_SELECT (ESC[4~)
        #expect(KeyDecoder.decode(functionKeyNamed: "kHOM5") == .key(.home))
        #expect(KeyDecoder.decode(functionKeyNamed: "kEND3") == .key(.end))
        #expect(KeyDecoder.decode(functionKeyNamed: "kxIN") == .ignored)
    }

    /// Issue 12, item 16: a copy (OSC 52) says when the terminal may ignore it.
    @Test func theCopyCaveatFollowsTheTerminal() {
        #expect(TerminalEnvironment.clipboardCaveat(tmux: "/tmp/tmux-1000/default,4242,0", screen: nil) == "tmux needs `set-clipboard on`")
        #expect(TerminalEnvironment.clipboardCaveat(tmux: nil, screen: "4242.pts-0.host") == "GNU screen drops it")
        #expect(TerminalEnvironment.clipboardCaveat(tmux: "", screen: nil) == "some terminals ignore it")
    }
}
