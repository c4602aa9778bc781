import Foundation
import Testing

@testable import PaperSiftKit

/// Tests of the arXiv clients' errors when a server sends an HTML page,
/// another format or a document cut short in place of the feed.
@Suite struct FeedResponseTests {
  /// A page such as a network's log-in page, which is not well-formed XML.
  static let loginPage = """
    <!DOCTYPE html>
    <html><head><meta charset="utf-8"><title>Sign in</title></head>
    <body><p>Sign in&nbsp;to continue.<br></p></body></html>
    """

  /// Pages that a network log-in, a proxy or a maintenance notice send:
  /// malformed XML, well-formed XHTML, and a page that only the
  /// `Content-Type` marks.
  static let pages: [ScriptedResponse] = [
    .text(loginPage, headers: [("Content-Type", "text/html")]),
    .text(
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <html xmlns="http://www.w3.org/1999/xhtml"><body><p>Back soon.</p></body></html>
      """),
    .text("<p>Back soon.</p>", headers: [("Content-Type", "application/xhtml+xml")]),
  ]

  static func apiClient(_ server: LoopbackHTTPServer) -> ArxivAPIClient {
    ArxivAPIClient(
      baseURL: server.baseURL + "/api/query", spacing: 0.1,
      retryPolicy: RetryPolicy(maxAttempts: 1, baseDelay: 0.01))
  }

  /// Returns the error of looking up 2505.01136 at `server`.
  static func lookUpError(at server: LoopbackHTTPServer) -> PaperSiftError? {
    #expect(throws: PaperSiftError.self) {
      try apiClient(server).papers(ids: ["2505.01136"])
    }
  }

  @Test(arguments: pages.indices)
  func apiHTMLPageNamesSetting(page: Int) throws {
    let server = try LoopbackHTTPServer { _ in Self.pages[page] }
    defer { server.stop() }

    let error = Self.lookUpError(at: server)

    #expect(error?.code == .network)
    #expect(
      error?.message
        == "The server at \(server.baseURL)/api/query?id_list=2505.01136&max_results=1 "
        + "answered an HTML page instead of an arXiv API Atom feed. Check fetch.apiBaseURL: "
        + "it must be the URL of an arXiv API Atom feed, such as the default "
        + "https://export.arxiv.org/api/query. A network that asks for a log-in in the "
        + "browser, or a server under maintenance, also sends such a page.")
  }

  @Test func feedHTMLPageNamesSetting() throws {
    let server = try LoopbackHTTPServer { _ in Self.pages[0] }
    defer { server.stop() }
    let client = ArxivFeedClient(settings: ArxivFeedClientTests.settings(server: server))

    let error = #expect(throws: PaperSiftError.self) {
      try client.fetchToday(categories: ["cs.LG"])
    }

    #expect(error?.code == .network)
    #expect(
      error?.message.hasPrefix(
        "The server at \(server.baseURL)/rss/cs.LG answered an HTML page instead of an arXiv "
          + "RSS feed. Check fetch.rssBaseURL: it must be the URL of an arXiv RSS feed, such "
          + "as the default https://rss.arxiv.org/rss.") == true)
  }

  /// Only a response that does not parse as a feed is checked for HTML.
  @Test func atomFeedSentAsHTMLIsRead() throws {
    let server = try LoopbackHTTPServer { request in
      .text(
        ArxivAPIClientTests.atomResponse(for: request),
        headers: [("Content-Type", "text/html")])
    }
    defer { server.stop() }

    let papers = try Self.apiClient(server).papers(ids: ["2505.01136"])

    #expect(papers.map(\.id) == ["2505.01136"])
  }

  @Test func apiRSSFeedIsWrongFormat() throws {
    let rss = try Data(contentsOf: try TestFiles.feed(TestFiles.rssEmpty))
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: rss) }
    defer { server.stop() }

    let error = Self.lookUpError(at: server)

    #expect(error?.code == .invalidInput)
    #expect(
      error?.message
        == "The response from \(server.baseURL)/api/query?id_list=2505.01136&max_results=1 is "
        + "rss, not an arXiv API Atom feed. Check fetch.apiBaseURL.")
  }

  @Test func apiCutResponseIsNetworkError() throws {
    let atom = try Data(contentsOf: try TestFiles.feed(TestFiles.atomSample))
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: atom.prefix(5000)) }
    defer { server.stop() }

    let error = Self.lookUpError(at: server)

    #expect(error?.code == .network)
    let message = error?.message ?? ""
    #expect(message.hasPrefix("The arXiv API response from \(server.baseURL)/api/query?id_list="))
    #expect(message.contains(", the end of the document: "))
    #expect(!message.contains("Nothing was imported"))
    #expect(!message.contains("feed downloaded"))
    #expect(
      message.hasSuffix(
        "interrupted download or copy.) Look the papers up again later; if this persists, "
          + "check fetch.apiBaseURL."))
  }
}
