// swift-tools-version: 6.0
// libFuzzer targets for mailscope's parsers of untrusted input. Built only by scripts/fuzz
// (`swift build -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -enable-testing`),
// never by `swift build`/`swift test` at the root. `-enable-testing` lets the targets reach the
// internal parsers with `@testable import` instead of widening mailscope's public API.
import PackageDescription

// A path dependency is known by its directory's name, which is whatever the clone is called.
let root = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "mailscope"

func fuzzer(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: "fuzz-\(name)",
        dependencies: ["FuzzDriver"] + products.map { .product(name: $0, package: root) },
        path: "Sources/fuzz-\(name)"
    )
}

let package = Package(
    name: "mailscope-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: [
        /// Starts libFuzzer from each target's own `main` (see FuzzDriver.swift).
        .target(name: "FuzzDriver"),
        /// JSON answers: JSONValue (and its round trip), the Graph/Exchange/identity error bodies, token claims.
        fuzzer("json", ["MailscopeCore", "MicrosoftClients"]),
        /// Whole answers (status, Retry-After, JSON body) through the identity, Graph and Exchange
        /// clients over a scripted transport: device code, tokens, paging, $batch, cmdlets.
        fuzzer("responses", ["MailscopeCore", "MicrosoftClients"]),
        /// EWS SOAP answers: EWSClient.interpret and its XML tree builder.
        fuzzer("ews", ["MailscopeCore", "MicrosoftClients"]),
        /// The TOML config loader with its validation.
        fuzzer("config", ["MailscopeEngine"]),
        /// The certificate credential: PEM certificate + PEM RSA private key, and the DER under them.
        fuzzer("pem", ["MailscopeCore", "MicrosoftClients"]),
    ],
    // The entry points are C functions over raw buffers; Swift 5 mode keeps them simple.
    swiftLanguageModes: [.v5]
)
