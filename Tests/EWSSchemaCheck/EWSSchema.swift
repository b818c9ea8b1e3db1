import CLibXML2
import Foundation

/// Validates EWS SOAP requests against Microsoft's published EWS schema (`messages.xsd`, which
/// imports `types.xsd`), with libxml2. The SOAP envelope itself is checked for shape; each header
/// element and the body's operation element are validated against the schema as documents of
/// their own (they are global elements of the EWS schema).
public final class EWSSchema: @unchecked Sendable {
    /// The schema, loaded once.
    public static let shared = EWSSchema()

    private let schema: xmlSchemaPtr?
    private let lock = NSLock()
    /// Why the schema could not be loaded, if it could not.
    public let loadError: String?

    private init() {
        guard let url = Bundle.module.url(forResource: "ews-validation", withExtension: "xsd", subdirectory: "ews-schema")
        else {
            schema = nil
            loadError = "ews-schema/ews-validation.xsd is missing from the test bundle"
            return
        }
        xmlInitParser()
        let context = xmlSchemaNewParserCtxt(url.path)
        defer { xmlSchemaFreeParserCtxt(context) }
        schema = xmlSchemaParse(context)
        loadError = schema == nil ? "libxml2 could not compile \(url.path): \(Self.lastError())" : nil
    }

    private static func lastError() -> String {
        guard let error = xmlGetLastError(), let message = error.pointee.message else { return "unknown error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The problems with the SOAP request `envelope`: empty when it is valid.
    public func problems(in envelope: String) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        guard let schema else { return [loadError ?? "no schema"] }
        let bytes = Array(envelope.utf8)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlReadMemory($0, Int32(buffer.count), "request.xml", "utf-8", Int32(XML_PARSE_NONET.rawValue))
            }
        }
        guard let document else { return ["not well-formed XML: \(Self.lastError())"] }
        defer { xmlFreeDoc(document) }
        let soap = "http://schemas.xmlsoap.org/soap/envelope/"
        guard let root = xmlDocGetRootElement(document), Self.name(root) == "Envelope", Self.namespace(root) == soap
        else { return ["the root is not a SOAP 1.1 Envelope"] }
        let parts = Self.elements(under: root)
        guard parts.count <= 2, let body = parts.last, Self.name(body) == "Body",
            parts.count == 1 || Self.name(parts[0]) == "Header"
        else { return ["the envelope must hold an optional Header then a Body"] }
        var fragments: [xmlNodePtr] = []
        if parts.count == 2 { fragments += Self.elements(under: parts[0]) }
        let operations = Self.elements(under: body)
        guard operations.count == 1 else { return ["the Body must hold exactly one operation"] }
        fragments += operations
        var problems: [String] = []
        for fragment in fragments {
            guard let single = xmlNewDoc("1.0"), let copy = xmlDocCopyNode(fragment, single, 1) else {
                problems.append("could not copy \(Self.name(fragment))")
                continue
            }
            xmlDocSetRootElement(single, copy)
            xmlReconciliateNs(single, copy)
            let validator = xmlSchemaNewValidCtxt(schema)
            let result = xmlSchemaValidateDoc(validator, single)
            if result != 0 { problems.append("\(Self.name(fragment)): \(Self.lastError())") }
            xmlSchemaFreeValidCtxt(validator)
            xmlFreeDoc(single)
        }
        return problems
    }

    private static func name(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    private static func namespace(_ node: xmlNodePtr) -> String? {
        node.pointee.ns?.pointee.href.map { String(cString: $0) }
    }

    private static func elements(under node: xmlNodePtr) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(current) }
            child = current.pointee.next
        }
        return result
    }
}
