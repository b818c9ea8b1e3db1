// Starts libFuzzer with a target's LLVMFuzzerTestOneInput.
//
// SwiftPM (tools ≥ 5.5) links an executable target with `main` renamed from `<module>_main`, so
// a target without a `main` of its own (the classic `-parse-as-library` fuzzer) does not link.
// Each target therefore has an `@main` that hands libFuzzer its arguments and its entry point
// through LLVMFuzzerRunDriver, libFuzzer's documented way to be started by a program's own main.
import Foundation

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer on `test` with this process's arguments; exits with libFuzzer's status.
public func runLibFuzzer(_ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, test))
}
