import Foundation
import MailscopeEngine
import Testing

@testable import MailscopeTUI

/// Item 10: a signal during sign-in is answered on screen at once.
@Suite("Interrupted")
struct InterruptedTests {
    @Test func aSignalDuringSignInShowsStoppingAtOnce() {
        var model = Fixture.runModel([.engine(.deviceCode(Fixture.deviceCode))])
        #expect(model.screen == .signIn)
        let effects = update(&model, .interrupted)
        #expect(effects.isEmpty)
        let text = render(model, size: model.size, theme: .color).plainText
        #expect(text.contains("Stopping… saving the run first"), "\(text)")
        let compact = render(model, size: TerminalSize(columns: 40, rows: 12), theme: .color).plainText
        #expect(compact.contains("Stopping"), "\(compact)")
    }
}
