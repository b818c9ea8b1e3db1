import MailscopeEngine
import Testing

@testable import MailscopeTUI

@Suite("ASCII folding")
struct ASCIIFoldingTests {
    @Test func asciiScreensArePureASCIIAndKeepTheirLayout() {
        let model = Fixture.runModel(Fixture.setupUpdates + Fixture.applyUpdates)
        let canvas = render(model, size: model.size, theme: .ascii)
        let isASCII = canvas.plainText.allSatisfy { $0.isASCII }
        #expect(isASCII)
        let step = ServerFixture.roleStepModel()
        #expect(render(step, size: step.size, theme: .ascii).plainText.allSatisfy { $0.isASCII })
        var wide = Canvas(size: TerminalSize(columns: 12, rows: 1))
        wide.put("会a·é…", row: 0, column: 0)
        #expect(wide.foldedToASCII().plainText == "??a-e.")
    }
}
