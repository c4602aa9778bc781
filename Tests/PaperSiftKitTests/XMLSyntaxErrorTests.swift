import Foundation
import Testing

@testable import PaperSiftKit

/// Tests of the messages on XML that does not parse: libxml2's errors in
/// words, and the note on a document cut short.
@Suite struct XMLSyntaxErrorTests {
  /// Returns the message of the error that parsing `data` throws.
  static func message(parsing data: Data, source: String = "feed.xml") -> String? {
    let error = #expect(throws: PaperSiftError.self) {
      try FeedReader.parse(data, source: source)
    }
    #expect(error?.code == .invalidInput)
    return error?.message
  }

  /// Cuts each fixture at every length from the end of its XML declaration
  /// to the end tag of its root element, 13 bytes apart for the Atom
  /// response.
  @Test(arguments: [(TestFiles.atomSample, "</feed>", 13), (TestFiles.rssEmpty, "</rss>", 1)])
  func cutDocumentSaysCutShort(name: String, endTag: String, step: Int) throws {
    let data = try Data(contentsOf: try TestFiles.feed(name))
    let declarationEnd = try #require(data.firstIndex(of: 0x0A)) + 1
    let endTagRange = try #require(data.range(of: Data(endTag.utf8), options: .backwards))
    var cuts = 0

    for length in stride(from: declarationEnd, to: endTagRange.upperBound, by: step) {
      let message = Self.message(parsing: data.prefix(length)) ?? ""
      #expect(message.contains(", the end of the document: "), "cut at \(length): \(message)")
      #expect(message.contains(". The document is cut short, as by an interrupted download"))
      #expect(!message.contains("libxml2 error"), "cut at \(length): \(message)")
      cuts += 1
    }

    #expect(cuts > 60)
  }

  @Test(
    arguments: [
      (
        "<rss>\n<channel>\n<item></channel>\n</rss>\n",
        "line 3, column 17: an end tag does not match its start tag."
      ),
      (
        "<rss><channel>\n<title>Q &A</title></channel></rss>",
        "line 2, column 12: an entity reference lacks its ';' (write a literal & as &amp;)."
      ),
      (
        "<rss><channel>\n<title>Q & A</title></channel></rss>",
        "line 2, column 11: a name is missing after '<' or '&' (write a literal < as &lt; and & "
          + "as &amp;)."
      ),
      (
        "<rss><channel><title>caf\u{1}</title></channel></rss>",
        "line 1, column 25: invalid character, such as a control character."
      ),
      (
        "<rss><channel><title>a&nbsp;b</title></channel></rss>",
        "line 1, column 29: undeclared entity: XML declares only &amp;, &lt;, &gt;, &quot; "
          + "and &apos;, not the entities of HTML such as &nbsp;."
      ),
      (
        "<rss><channel><title>a < b</title></channel></rss>",
        "line 1, column 25: a name is missing after '<' or '&' (write a literal < as &lt; and & "
          + "as &amp;)."
      ),
      (
        "<rss><channel><link href=\"a\" href=\"b\"/></channel></rss>",
        "line 1, column 38: an element has the same attribute twice."
      ),
      (
        "<rss><channel><link href=\"a\"rel=\"b\"/></channel></rss>",
        "line 1, column 29: a space is missing, such as between two attributes."
      ),
      (
        "<rss><channel><x:title>a</x:title></channel></rss>",
        "line 1, column 23: a namespace prefix has no declaration (xmlns:prefix)."
      ),
      (
        "\n<?xml version=\"1.0\"?><rss/>",
        "line 2, column 6: an XML declaration (<?xml ...?>) is not at the very start of the "
          + "document."
      ),
    ] as [(String, String)])
  func errorInWords(text: String, expected: String) {
    let message = Self.message(parsing: Data(text.utf8))

    #expect(
      message == "Malformed XML in 'feed.xml' at \(expected) Nothing was imported; fetch or "
        + "export the file again.")
  }

  @Test func unknownErrorShowsNumber() {
    #expect(
      XMLSyntaxError.describe(code: 111)
        == "the document is not well-formed XML (libxml2 error 111)")
  }

  @Test func invalidUTF8NamesByte() throws {
    let text = Array("<rss><channel>\n  <title>caf".utf8) + [0xE9] + Array("</title>".utf8)
    let data = Data(text + Array("</channel></rss>".utf8))

    let message = Self.message(parsing: data)

    #expect(
      message
        == "Malformed XML in 'feed.xml' at line 2, column 13: byte 27 of 52 is not valid UTF-8, "
        + "the document's encoding. Nothing was imported; fetch or export the file again.")
  }

  /// Foundation's `XMLParser` stops the process on such a name, so this
  /// test runs the `papersift` executable.
  @Test func invalidUTF8InTagNameRejected() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    var bytes = [UInt8](try Data(contentsOf: try TestFiles.feed(TestFiles.rssEmpty)))
    let title = try #require(bytes.firstIndex(of: UInt8(ascii: "<"), after: 300))
    bytes[title + 2] = 0xFF
    let file = home.appendingPathComponent("feed.xml")
    try Data(bytes).write(to: file)

    let result = try PaperSiftProcess(home: home).run(["import", file.path])

    #expect(result.status == 2, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains("error: Malformed XML in '\(file.path)' at line "))
    #expect(result.errorOutput.contains("is not valid UTF-8, the document's encoding."))
  }

  @Test func latin1DeclaredDocumentParses() throws {
    let head = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
    var bytes = Array((head + "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>caf").utf8)
    bytes += [0xE9] + Array("</title></feed>".utf8)

    let document = try FeedReader.parse(Data(bytes), source: "feed.xml")

    #expect(document.format == .atom)
    #expect(document.papers.isEmpty)
  }

  /// libxml2 warns about an XML version other than 1.0 and a relative
  /// namespace URI, and goes on parsing.
  @Test(arguments: [
    ("<?xml version='1.0'", "<?xml version='1.1'"),
    ("xmlns:dc=\"http:", "xmlns:dc=\"x/y\" a=\"http:"),
  ])
  func warningDoesNotReject(original: String, replacement: String) throws {
    let text = try String(contentsOf: try TestFiles.feed(TestFiles.rssEmpty), encoding: .utf8)
    let changed = text.replacingOccurrences(of: original, with: replacement)
    #expect(changed != text)

    let document = try FeedReader.parse(Data(changed.utf8), source: "feed.xml")

    #expect(document.format == .rss)
    #expect(document.date == "2025-05-05")
  }
}

extension Array where Element == UInt8 {
  /// Returns the first index of `byte` at or after `start`.
  fileprivate func firstIndex(of byte: UInt8, after start: Int) -> Int? {
    self[start...].firstIndex(of: byte)
  }
}
