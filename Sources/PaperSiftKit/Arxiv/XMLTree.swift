import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// One element of a parsed XML document, with namespaces resolved.
struct XMLNode {
  /// The local name, without a prefix.
  var name: String
  /// The namespace URI, or "" for none.
  var namespace: String
  var attributes: [String: String]
  /// The element's own character data, child elements' text excluded.
  var text: String
  var children: [XMLNode]
  /// The line where the start tag ends, for error messages.
  var line: Int

  /// Returns the direct children with `name` in `namespace`.
  func children(_ name: String, namespace: String = "") -> [XMLNode] {
    children.filter { $0.name == name && $0.namespace == namespace }
  }

  /// Returns the first direct child with `name` in `namespace`.
  func child(_ name: String, namespace: String = "") -> XMLNode? {
    children.first { $0.name == name && $0.namespace == namespace }
  }
}

/// Namespace URIs of the arXiv feeds.
enum XMLNamespace {
  static let atom = "http://www.w3.org/2005/Atom"
  static let arxiv = "http://arxiv.org/schemas/atom"
  static let dublinCore = "http://purl.org/dc/elements/1.1/"
}

/// Builds an ``XMLNode`` tree with Foundation's `XMLParser`.
///
/// arXiv documents are at most a few megabytes, so a whole tree in memory
/// keeps the RSS and Atom readers simple.
enum XMLTree {
  /// Parses `data` into its root element.
  ///
  /// - Parameters:
  ///   - data: The XML document.
  ///   - source: The file name or URL shown in error messages.
  /// - Returns: The root element.
  /// - Throws: ``PaperSiftError`` with code `invalidInput` that names
  ///   `source`, the line and the column of the first syntax error.
  static func parse(_ data: Data, source: String) throws -> XMLNode {
    let parser = XMLParser(data: data)
    let builder = TreeBuilder()
    parser.delegate = builder
    parser.shouldProcessNamespaces = true
    parser.shouldResolveExternalEntities = false
    let succeeded = parser.parse()

    if !succeeded || builder.failure != nil {
      let failure =
        builder.failure
        ?? TreeBuilder.Failure(
          line: parser.lineNumber, column: parser.columnNumber,
          reason: parser.parserError.map(describe) ?? "unknown error")
      throw PaperSiftError(
        .invalidInput,
        "Malformed XML in '\(source)' at line \(failure.line), column \(failure.column): "
          + "\(failure.reason). Nothing was imported; fetch or export the file again.")
    }
    guard let root = builder.root else {
      throw PaperSiftError(
        .invalidInput, "Malformed XML in '\(source)': the document has no root element.")
    }
    return root
  }

  /// Describes an `XMLParser` error by its code.
  ///
  /// Foundation on Linux parses with libxml2 and reports libxml2's error
  /// numbers (`xmlParserErrors` in libxml/xmlerror.h) with no message.
  static func describe(_ error: any Error) -> String {
    let code = (error as NSError).code
    return libxml2Errors[code] ?? "XML parser error code \(code)"
  }

  static let libxml2Errors: [Int: String] = [
    3: "no XML document starts here",
    4: "the document is empty",
    5: "the document ends early or has content after its root element",
    8: "invalid character reference",
    9: "invalid character",
    23: "an entity reference lacks its ';'",
    26: "undeclared entity",
    39: "an attribute value is not quoted",
    41: "an attribute has no value",
    68: "a name is missing",
    72: "'<' expected",
    73: "'>' expected",
    74: "'</' expected",
    76: "an end tag does not match its start tag",
    77: "the document ends inside a tag",
    86: "extra content",
  ]
}

/// The parser delegate that collects elements into a tree.
private final class TreeBuilder: NSObject, XMLParserDelegate {
  struct Failure {
    var line: Int
    var column: Int
    var reason: String
  }

  var stack: [XMLNode] = []
  var root: XMLNode?
  var failure: Failure?

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName: String?, attributes: [String: String] = [:]
  ) {
    let node = XMLNode(
      name: elementName, namespace: namespaceURI ?? "", attributes: attributes, text: "",
      children: [], line: parser.lineNumber)
    stack.append(node)
  }

  func parser(
    _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
    qualifiedName: String?
  ) {
    guard let node = stack.popLast() else { return }
    if stack.isEmpty {
      root = node
    } else {
      stack[stack.count - 1].children.append(node)
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    guard !stack.isEmpty else { return }
    stack[stack.count - 1].text += string
  }

  func parser(_ parser: XMLParser, foundCDATA block: Data) {
    guard !stack.isEmpty else { return }
    stack[stack.count - 1].text += String(decoding: block, as: UTF8.self)
  }

  func parser(_ parser: XMLParser, parseErrorOccurred error: any Error) {
    guard failure == nil else { return }
    failure = Failure(
      line: parser.lineNumber, column: parser.columnNumber, reason: XMLTree.describe(error))
  }
}
