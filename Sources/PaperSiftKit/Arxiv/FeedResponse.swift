import Foundation

/// Reads a feed that a server sent, so that an error names the server and
/// the setting that points at it instead of asking for another file.
enum FeedResponse {
  /// The feed that a client requests, and the setting of its server.
  struct Expectation {
    var format: FeedFormat
    /// The feed's name in messages, such as "an arXiv RSS feed".
    var name: String
    /// The configuration key of the server's URL.
    var setting: String
    /// The default of ``setting``.
    var defaultURL: String
    /// The response's name in messages, such as "The feed downloaded".
    var responseName: String
    /// The advice on a response that does not parse, given before the
    /// setting to check.
    var retryAdvice: String
  }

  static let rss = Expectation(
    format: .rss, name: "an arXiv RSS feed", setting: "fetch.rssBaseURL",
    defaultURL: FetchSettings().rssBaseURL, responseName: "The feed downloaded",
    retryAdvice: "Nothing was imported. Fetch again later")
  static let atom = Expectation(
    format: .atom, name: "an arXiv API Atom feed", setting: "fetch.apiBaseURL",
    defaultURL: FetchSettings().apiBaseURL, responseName: "The arXiv API response",
    retryAdvice: "Look the papers up again later")

  /// Parses the body of `response` as the feed of `expected`.
  ///
  /// - Parameters:
  ///   - response: The server's response.
  ///   - url: The request's URL without its user name and password.
  ///   - expected: The feed that the client requested.
  /// - Returns: The feed's papers.
  /// - Throws: ``PaperSiftError`` with code `network` when the body is an
  ///   HTML page or does not parse, since a cut download or a maintenance
  ///   page can pass, and with code `invalidInput` when it is a feed of
  ///   another format or gives a day arXiv has not announced yet. The
  ///   message names `url` and the setting to check.
  ///   An error entry of the arXiv API is thrown as ``ArxivAPIErrorEntry``.
  static func parse(_ response: HTTPResponse, url: String, expecting expected: Expectation)
    throws -> FeedDocument
  {
    let document: FeedDocument
    do {
      document = try FeedReader.parseKeepingAPIErrors(response.body, source: url)
    } catch let error as PaperSiftError where error.code == .invalidInput {
      if isHTMLPage(response) {
        throw PaperSiftError(
          .network,
          "The server at \(url) answered an HTML page instead of \(expected.name). Check "
            + "\(expected.setting): it must be the URL of \(expected.name), such as the default "
            + "\(expected.defaultURL). A network that asks for a log-in in the browser, or a "
            + "server under maintenance, also sends such a page.",
          underlying: error)
      }
      // The parser's advice on files does not fit a download.
      let problem = error.message.replacingOccurrences(of: " " + XMLTree.fileAdvice, with: "")
      throw PaperSiftError(
        .network,
        "\(expected.responseName) from \(url) does not parse (\(problem)) "
          + "\(expected.retryAdvice); if this persists, check \(expected.setting).",
        underlying: error)
    }
    guard document.format == expected.format else {
      throw PaperSiftError(
        .invalidInput,
        "The response from \(url) is \(document.format.rawValue), not \(expected.name). "
          + "Check \(expected.setting).")
    }
    try FeedItemChecks.checkAnnouncedDay(
      of: document, now: Date(),
      advice: "that \(expected.setting) is the URL of \(expected.name), such as the default "
        + "\(expected.defaultURL).")
    return document
  }

  /// Tells whether `response` is an HTML page by its `Content-Type`, or by
  /// a body that starts with `<!DOCTYPE html` or `<html`, after an
  /// optional byte order mark, white space and XML declaration.
  static func isHTMLPage(_ response: HTTPResponse) -> Bool {
    let type = response.headers["content-type"]?.lowercased() ?? ""
    if type.hasPrefix("text/html") || type.hasPrefix("application/xhtml+xml") { return true }
    var head = String(decoding: response.body.prefix(1024), as: UTF8.self).lowercased()[...]
    head = head.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
    if head.hasPrefix("<?xml"), let end = head.range(of: "?>") {
      head = head[end.upperBound...].drop(while: \.isWhitespace)
    }
    return head.hasPrefix("<!doctype html") || head.hasPrefix("<html")
  }
}
