// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "mailscope",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mailscope", targets: ["mailscope"]),
        // For the fuzz targets in Fuzz/ (a separate package, so `swift build` and `swift test` never see them).
        .library(name: "MailscopeCore", targets: ["MailscopeCore"]),
        .library(name: "MicrosoftClients", targets: ["MicrosoftClients"]),
        .library(name: "MailscopeEngine", targets: ["MailscopeEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.1.0"),
        .package(url: "https://github.com/pointfreeco/swift-clocks", from: "1.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.20.0"),
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing", from: "1.17.0"),
    ],
    targets: [
        // MARK: C seams (only MailscopeCurl and MailscopeTerminal import these)
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(
            name: "CCurlShims",
            dependencies: ["CCurl"],
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .systemLibrary(name: "CNCursesW", providers: [.apt(["libncurses-dev"])]),
        // libxml2's schema validator, for tests only (EWS requests against Microsoft's XSDs).
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(
            name: "CTerminalShims",
            dependencies: ["CNCursesW"],
            linkerSettings: [.linkedLibrary("ncursesw")]
        ),

        // MARK: Libraries, one per concern
        /// Shared primitives: HTTP messages and the transport protocol, clocks, secrets, JSON.
        .target(
            name: "MailscopeCore",
            dependencies: [.product(name: "Clocks", package: "swift-clocks")]
        ),
        /// The libcurl HTTP transport: the only code that imports curl.
        .target(name: "MailscopeCurl", dependencies: ["MailscopeCore", "CCurl", "CCurlShims"]),
        /// Microsoft identity platform, Graph and Exchange admin clients.
        .target(
            name: "MicrosoftClients",
            dependencies: [
                "MailscopeCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        /// The setup engine: config, presets, stages (check, plan, apply, verify), journal.
        .target(
            name: "MailscopeEngine",
            dependencies: [
                "MailscopeCore", "MicrosoftClients",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // A driver's async methods run on the caller's actor (the engine's), so a driver keeps
            // its per-run state without locks (SE-0461).
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        /// A simulated tenant served over real HTTP on loopback.
        .target(
            name: "TenantSimulator",
            dependencies: [
                "MailscopeCore",
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        /// The wizard's pure core: model, messages, update, view into a cell grid.
        .target(name: "MailscopeTUI", dependencies: ["MailscopeCore", "MailscopeEngine"]),
        /// The ncurses adapter: the only code that imports ncurses.
        .target(name: "MailscopeTerminal", dependencies: ["MailscopeEngine", "MailscopeTUI", "CNCursesW", "CTerminalShims"]),
        .executableTarget(
            name: "mailscope",
            dependencies: [
                "MailscopeCore", "MailscopeCurl", "MicrosoftClients", "MailscopeEngine", "TenantSimulator",
                "MailscopeTUI", "MailscopeTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests
        .testTarget(name: "MailscopeCoreTests", dependencies: ["MailscopeCore"]),
        .testTarget(
            name: "MailscopeCurlTests",
            dependencies: [
                "MailscopeCore", "MailscopeCurl", "TenantSimulator",
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ]
        ),
        .testTarget(
            name: "MicrosoftClientsTests",
            dependencies: ["MailscopeCore", "MicrosoftClients", "EWSSchemaCheck"]
        ),
        /// Test support: validates SOAP requests against Microsoft's EWS schema with libxml2.
        .target(
            name: "EWSSchemaCheck",
            dependencies: ["CLibXML2"],
            path: "Tests/EWSSchemaCheck",
            resources: [.copy("ews-schema")]
        ),
        /// Test support: a simulated tenant on a loopback port, shared by the suites that use one.
        .target(
            name: "MailscopeTestSupport",
            dependencies: ["MailscopeCore", "TenantSimulator"],
            path: "Tests/MailscopeTestSupport"
        ),
        .testTarget(
            name: "MailscopeEngineTests",
            dependencies: [
                "MailscopeCore", "MailscopeEngine", "TenantSimulator", "MailscopeCurl", "MicrosoftClients", "EWSSchemaCheck",
                "MailscopeTestSupport",
            ]
        ),
        .testTarget(
            name: "TenantSimulatorTests",
            dependencies: [
                "TenantSimulator", "MailscopeCurl", "MailscopeCore", "MailscopeTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .testTarget(
            name: "MailscopeTUITests",
            dependencies: [
                "MailscopeCore", "MailscopeEngine", "MailscopeTUI", "MailscopeTerminal",
                .product(name: "SnapshotTesting", package: "swift-snapshot-testing"),
            ],
            exclude: ["__Snapshots__"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
