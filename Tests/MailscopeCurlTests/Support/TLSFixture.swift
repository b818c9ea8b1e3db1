import Foundation

/// A throwaway HTTPS server on loopback: a self-signed certificate made with the `openssl` CLI
/// and Python's `http.server` wrapped in `ssl`, both started by the test and stopped afterwards.
final class TLSFixture: Sendable {
    /// Why a TLS fixture cannot be built here, or nil when it can.
    static let unavailableReason: String? = {
        guard let python = executable(named: "python3") else { return "python3 is not installed" }
        guard executable(named: "openssl") != nil else { return "the openssl CLI is not installed" }
        guard runSynchronously(python, ["-c", "import ssl, http.server"]) == 0 else {
            return "python3 has no ssl module"
        }
        return nil
    }()

    /// The certificate, which is also the CA bundle that trusts it.
    let certificatePath: String
    /// The port the server listens on (127.0.0.1 only).
    let port: UInt16
    private let directory: URL
    private let process: Process
    /// The server's stdin; closing it stops the server.
    private let input: Pipe

    private init(certificatePath: String, port: UInt16, directory: URL, process: Process, input: Pipe) {
        self.certificatePath = certificatePath
        self.port = port
        self.directory = directory
        self.process = process
        self.input = input
    }

    /// Creates the certificate (subject alternative name `IP:127.0.0.1` only) and starts the server.
    static func start() async throws -> TLSFixture {
        guard let openssl = executable(named: "openssl"), let python = executable(named: "python3") else {
            throw FixtureError("openssl or python3 missing")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mailscope-tls-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path

        let status = try await run(
            openssl,
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=mailscope test",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ]
        )
        guard status == 0 else {
            try? FileManager.default.removeItem(at: directory)
            throw FixtureError("openssl req exited with \(status)")
        }

        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", serverScript, certificate, key]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        let fixture = TLSFixture(
            certificatePath: certificate,
            port: 0,
            directory: directory,
            process: process,
            input: input
        )
        guard let line = await firstLine(of: output.fileHandleForReading), let port = UInt16(line) else {
            fixture.stop()
            throw FixtureError("the python HTTPS server did not report its port")
        }
        return TLSFixture(
            certificatePath: certificate,
            port: port,
            directory: directory,
            process: process,
            input: input
        )
    }

    /// Stops the server and deletes the certificate.
    ///
    /// Children spawned from the test runner's threads may inherit a signal mask that blocks
    /// SIGTERM, so this closes the server's stdin (its watchdog exits on end of file) and sends
    /// SIGKILL, which cannot be blocked.
    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Serves `GET` with 200 "secure over TLS"; prints its port once it listens; exits when its
    /// stdin reaches end of file (so it never outlives the test process).
    private static let serverScript = """
        import http.server, os, ssl, sys, threading
        def watchdog():
            sys.stdin.read()
            os._exit(0)
        threading.Thread(target=watchdog, daemon=True).start()
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                body = b"secure over TLS"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    private static func executable(named name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    private static func runSynchronously(_ executable: URL, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs a process to completion without blocking the cooperative pool.
    private static func run(_ executable: URL, _ arguments: [String]) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }

    /// Reads up to the first newline on a background queue; nil at end of file.
    private static func firstLine(of handle: FileHandle) async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes = Data()
                while true {
                    let chunk = handle.readData(ofLength: 1)
                    if chunk.isEmpty || chunk == Data("\n".utf8) { break }
                    bytes.append(chunk)
                }
                continuation.resume(returning: bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
            }
        }
    }
}

/// A fixture could not be set up.
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
