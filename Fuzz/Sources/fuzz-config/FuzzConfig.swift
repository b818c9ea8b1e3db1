// libFuzzer target: the TOML config loader (ConfigLoader.parse: TOMLKit, then every field's
// validation), and for a config it accepts, the values derived from it and the PowerShell script.
import Foundation
import FuzzDriver
import MailscopeEngine

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    // `load` reads files as UTF-8 and refuses anything else; the same here.
    guard let text = String(data: data, encoding: .utf8) else { return 0 }
    do {
        let config = try ConfigLoader.parse(text)
        _ = (config.serviceAccountDomain, config.effectiveGroupAddress, config.effectiveGroupAlias)
        _ = (config.organizationKey, config.impersonationAssignmentName, config.applicationUniqueName)
        _ = ScriptRenderer.render(config)
    } catch let error as ConfigError {
        _ = error.description
    } catch {
        _ = String(describing: error)
    }
    return 0
}

@main
enum Main {
    static func main() { runLibFuzzer(fuzzConfig) }
}
