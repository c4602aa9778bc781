import Foundation

/// Words for the errors of Foundation's `XMLParser`, and the checks that
/// messages on malformed XML need: whether an error is at the end of the
/// document, and where its first byte that is not UTF-8 is.
///
/// Foundation on Linux parses with libxml2 and reports libxml2's error
/// numbers (`xmlParserErrors` in libxml/xmlerror.h, checked against
/// libxml2 2.9.14) without libxml2's message. `XMLParser.ErrorCode` does
/// not match those numbers on Linux, so this table uses the numbers.
enum XMLSyntaxError {
  /// Describes a libxml2 error number in words, or gives the number when
  /// the table does not have it.
  static func describe(code: Int) -> String {
    libxml2Errors[code] ?? "the document is not well-formed XML (libxml2 error \(code))"
  }

  /// The libxml2 errors that can occur in a feed, an API response or a
  /// page sent in their place. The list came from parsing the test
  /// fixtures cut at many lengths and with characters replaced, and from
  /// HTML pages.
  static let libxml2Errors: [Int: String] = [
    1: "invalid markup in element content, such as '<!' that starts no comment or CDATA section",
    3: "no root element starts here",
    4: "the document is empty",
    5: "the document ends before its root element is closed, or has content after it",
    6: "invalid hexadecimal character reference",
    7: "invalid decimal character reference",
    8: "invalid character reference",
    9: "invalid character, such as a control character",
    22: "an '&' starts no entity reference (write a literal & as &amp;)",
    23: "an entity reference lacks its ';' (write a literal & as &amp;)",
    26: undeclaredEntity,
    27: undeclaredEntity,
    31: "the document's encoding is unknown",
    32: "the document's encoding is not supported",
    33: "a quoted value is missing",
    34: "a quoted value is not closed",
    35: "invalid namespace declaration",
    38: "an attribute value contains '<' (write it as &lt;)",
    39: "an attribute value is not quoted",
    40: "an attribute value is not closed",
    41: "an attribute has no value",
    42: "an element has the same attribute twice",
    45: "a comment is not closed with '-->'",
    46: "a processing instruction (<?...?>) is malformed",
    47: "a processing instruction (<?...?>) is not closed with '?>'",
    57: "the XML declaration (<?xml ...?>) is not closed with '?>'",
    61: "the document type declaration (<!DOCTYPE ...>) is not closed",
    62: "']]>' appears outside a CDATA section",
    63: "a CDATA section is not closed with ']]>'",
    64: "an XML declaration (<?xml ...?>) is not at the very start of the document",
    65: "a space is missing, such as between two attributes",
    68: "a name is missing after '<' or '&' (write a literal < as &lt; and & as &amp;)",
    72: "'<' expected",
    73: "a tag is not closed with '>'",
    74: "an end tag ('</') expected",
    75: "an attribute name lacks its '='",
    76: "an end tag does not match its start tag",
    77: "an element is not closed",
    79: "the encoding name in the XML declaration is invalid",
    81: "the text is not valid in the document's encoding",
    85: "the document is not well-formed: its start and end tags do not balance",
    86: "extra content after the root element",
    96: "the XML declaration lacks its version",
    110: "a name is too long",
    200: "invalid declaration of the reserved xml or xmlns prefix",
    201: "a namespace prefix has no declaration (xmlns:prefix)",
    202: "a name has more than one colon",
    203: "an element has the same attribute twice",
    204: "a namespace declaration is empty",
    205: "a name contains a colon where XML namespaces allow none",
  ]

  private static let undeclaredEntity =
    "undeclared entity: XML declares only &amp;, &lt;, &gt;, &quot; and &apos;, not the "
    + "entities of HTML such as &nbsp;"

  /// The libxml2 warnings after which the parser goes on:
  /// XML_WAR_UNKNOWN_VERSION, XML_WAR_LANG_VALUE, XML_WAR_NS_URI,
  /// XML_WAR_NS_URI_RELATIVE, XML_WAR_SPACE_VALUE and XML_WAR_NS_COLUMN.
  /// XML_WAR_UNDECLARED_ENTITY stays an error, since the entity's text
  /// would be lost.
  static let warningCodes: Set<Int> = [97, 98, 99, 100, 102, 106]

  /// Tells whether at most one character other than white space follows
  /// the 1-based `line` and `column` of `data`, so that an error there
  /// means that the document is cut short.
  ///
  /// On a document cut anywhere after its XML declaration, libxml2 reports
  /// its error at the end or one character before it, since it keeps a
  /// lone `<` unread. A cut inside the declaration is reported earlier, so
  /// this returns false for it.
  static func isAtEnd(of data: Data, line: Int, column: Int) -> Bool {
    var lineStart = data.startIndex
    for _ in 1..<max(line, 1) {
      guard let newline = data[lineStart...].firstIndex(of: 0x0A) else { return false }
      lineStart = newline + 1
    }
    let lineEnd = data[lineStart...].firstIndex(of: 0x0A) ?? data.endIndex
    // libxml2 counts columns in characters, so the line is decoded.
    let restOfLine = String(decoding: data[lineStart..<lineEnd], as: UTF8.self)
      .dropFirst(max(column - 1, 0))
    var remaining = restOfLine.count(where: { !$0.isWhitespace })
    var index = lineEnd
    while remaining <= 1, index < data.endIndex {
      if ![0x20, 0x09, 0x0A, 0x0D].contains(data[index]) { remaining += 1 }
      index += 1
    }
    return remaining <= 1
  }

  /// Returns the 1-based line and column of the first byte of `data` that
  /// is not valid UTF-8, with its offset, or nil when all of it is valid
  /// or the XML declaration names another encoding.
  ///
  /// The `XMLParser` of Swift 6.3.1's Foundation stops the process with a
  /// trap when an element name or a processing instruction's target is not
  /// valid UTF-8, so this check runs before the parser does.
  static func invalidUTF8Position(in data: Data) -> (offset: Int, line: Int, column: Int)? {
    guard declaresUTF8(data), String(data: data, encoding: .utf8) == nil,
      let offset = TopicsFile.firstInvalidUTF8Offset(in: data)
    else { return nil }
    let before = data.prefix(offset)
    let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? before.startIndex
    let line = before.count(where: { $0 == 0x0A }) + 1
    let column = String(decoding: before[lineStart...], as: UTF8.self).count + 1
    return (offset, line, column)
  }

  /// Tells whether `data` is UTF-8 by its XML declaration: the declaration
  /// names UTF-8, or there is none or it names no encoding, so XML's
  /// default of UTF-8 holds.
  private static func declaresUTF8(_ data: Data) -> Bool {
    var start = data.startIndex
    if data.starts(with: [0xEF, 0xBB, 0xBF]) { start += 3 }
    let head = String(decoding: data[start...].prefix(200), as: UTF8.self)
    guard head.hasPrefix("<?xml"), let end = head.range(of: "?>") else { return true }
    let declaration = head[..<end.lowerBound]
    guard let encoding = declaration.range(of: "encoding") else { return true }
    let value = declaration[encoding.upperBound...]
      .drop { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "'" }
      .prefix { $0 != "\"" && $0 != "'" }
    return ["utf-8", "utf8"].contains(value.lowercased())
  }
}
