import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A parsed XML element, namespace-aware: names are compared as (namespace URI, local name), so
/// any prefixes work.
final class XMLNode {
    /// The namespace URI, empty when none.
    let namespace: String
    /// The local name.
    let name: String
    /// Attributes by local name (EWS's attributes are unqualified).
    let attributes: [String: String]
    /// Child elements in document order.
    var children: [XMLNode] = []
    /// The concatenated character data directly inside the element.
    var text = ""

    init(namespace: String, name: String, attributes: [String: String]) {
        self.namespace = namespace
        self.name = name
        self.attributes = attributes
    }

    /// Whether the element is `{namespace}name`.
    func `is`(_ namespace: String, _ name: String) -> Bool { self.namespace == namespace && self.name == name }

    /// The first child `{namespace}name`.
    func child(_ namespace: String, _ name: String) -> XMLNode? { children.first { $0.is(namespace, name) } }

    /// Every child `{namespace}name`.
    func children(_ namespace: String, _ name: String) -> [XMLNode] { children.filter { $0.is(namespace, name) } }

    /// The trimmed text.
    var value: String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Parses `data` into its root element, or says where it is not well-formed XML. External
    /// entities are never resolved.
    static func parse(_ data: Data) -> Result<XMLNode, XMLParseFailure> {
        guard !data.isEmpty else {
            return .failure(XMLParseFailure(message: "Root element is missing.", line: 0, column: 0))
        }
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let builder = XMLTreeBuilder()
        parser.delegate = builder
        let parsed = parser.parse()
        guard parsed, !builder.failed, let root = builder.root else {
            let line = max(1, parser.lineNumber)
            let column = max(1, parser.columnNumber)
            return .failure(
                XMLParseFailure(
                    message: "The XML is not well-formed (line \(line), position \(column)).", line: line, column: column))
        }
        return .success(root)
    }
}

/// Where and why a document is not well-formed XML.
struct XMLParseFailure: Error {
    var message: String
    var line: Int
    var column: Int
}

/// Builds `XMLNode`s from XMLParser's events.
private final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    var root: XMLNode?
    var stack: [XMLNode] = []
    var failed = false
    /// Deeper documents are refused (no legitimate EWS request comes close).
    static let maximumDepth = 64

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        guard stack.count < Self.maximumDepth else {
            failed = true
            parser.abortParsing()
            return
        }
        var attributes: [String: String] = [:]
        for (key, value) in attributeDict {
            let local = key.split(separator: ":").last.map(String.init) ?? key
            if key.hasPrefix("xmlns") { continue }
            attributes[local] = value
        }
        let node = XMLNode(namespace: namespaceURI ?? "", name: elementName, attributes: attributes)
        if let parent = stack.last {
            parent.children.append(node)
        } else if root == nil {
            root = node
        } else {
            failed = true
        }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        _ = stack.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        failed = true
    }
}

/// Escaping for XML written by hand.
enum XMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped (for element content and attribute values).
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }
}
