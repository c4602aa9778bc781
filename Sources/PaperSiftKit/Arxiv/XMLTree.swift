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
  /// The last sentence of a syntax error's message, which a caller that
  /// downloaded the document replaces with its own advice.
  static let fileAdvice = "Nothing was imported; fetch or export the file again."

  /// Parses `data` into its root element.
  ///
  /// - Parameters:
  ///   - data: The XML document.
  ///   - source: The file name or URL shown in error messages.
  /// - Returns: The root element.
  /// - Throws: ``PaperSiftError`` with code `invalidInput` that names
  ///   `source`, the line and the column of the first syntax error, and
  ///   whether the document ends there.
  static func parse(_ data: Data, source: String) throws -> XMLNode {
    if let invalid = XMLSyntaxError.invalidUTF8Position(in: data) {
      throw PaperSiftError(
        .invalidInput,
        "Malformed XML in '\(source)' at line \(invalid.line), column \(invalid.column): "
          + "byte \(invalid.offset) of \(data.count) is not valid UTF-8, the document's "
          + "encoding. \(fileAdvice)")
    }
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
          code: parser.parserError.map { ($0 as NSError).code } ?? 0)
      throw PaperSiftError(.invalidInput, message(for: failure, in: data, source: source))
    }
    guard let root = builder.root else {
      throw PaperSiftError(
        .invalidInput, "Malformed XML in '\(source)': the document has no root element.")
    }
    return root
  }

  /// Returns the message on `failure`. When the error is at the end of
  /// `data`, the message adds that the document is cut short.
  private static func message(
    for failure: TreeBuilder.Failure, in data: Data, source: String
  ) -> String {
    let place = "Malformed XML in '\(source)' at line \(failure.line), column \(failure.column)"
    let retry = fileAdvice
    guard XMLSyntaxError.isAtEnd(of: data, line: failure.line, column: failure.column) else {
      return "\(place): \(XMLSyntaxError.describe(code: failure.code)). \(retry)"
    }
    // At the end, libxml2's "ends before its root element is closed, or
    // has content after it" can only mean the first.
    let reason =
      failure.code == 5
      ? "the root element is not closed" : XMLSyntaxError.describe(code: failure.code)
    return "\(place), the end of the document: \(reason). The document is cut short, as by an "
      + "interrupted download or copy. \(retry)"
  }
}

/// The parser delegate that collects elements into a tree.
private final class TreeBuilder: NSObject, XMLParserDelegate {
  struct Failure {
    var line: Int
    var column: Int
    /// The libxml2 error number.
    var code: Int
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
    let code = (error as NSError).code
    // libxml2 reports warnings here too, and goes on parsing after them.
    guard failure == nil, !XMLSyntaxError.warningCodes.contains(code) else { return }
    failure = Failure(line: parser.lineNumber, column: parser.columnNumber, code: code)
  }
}
