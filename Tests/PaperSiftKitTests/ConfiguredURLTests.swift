import Foundation
import Testing

@testable import PaperSiftKit

/// The configuration check of the URLs that clients extend, and the
/// look-up whose response has no entry for several ids, against a loopback
/// arXiv API.
@Suite struct ConfiguredURLTests {
  static let emptyFeed = #"<feed xmlns="http://www.w3.org/2005/Atom"></feed>"#

  @Test(arguments: [
    ("fetch", "apiBaseURL", "http://127.0.0.1:9/api/query#frag", "remove the '#frag' part"),
    ("fetch", "apiBaseURL", "http://127.0.0.1:9/api/query?id_list=1", "remove 'id_list='"),
    (
      "fetch", "apiBaseURL", "http://127.0.0.1:9/api?start=5&max_results=2",
      "remove 'start=' and 'max_results='"
    ),
    ("fetch", "rssBaseURL", "http://127.0.0.1:9/rss?x=1", "appends / and the categories"),
    ("fetch", "rssBaseURL", "http://127.0.0.1:9/rss#top", "from '?' or '#' on"),
    ("embedding", "remoteBaseURL", "http://u:secret@127.0.0.1:9/v1#x", "appends /embeddings"),
  ])
  func brokenURLIsRejected(section: String, key: String, value: String, fix: String) throws {
    let json = #"{"\#(section)": {"\#(key)": "\#(value)"}}"#
    let configuration = try Configuration.decode(
      Data(json.utf8), file: URL(fileURLWithPath: "/tmp/config.json"))

    let error = #expect(throws: PaperSiftError.self) { try configuration.validate() }

    #expect(error?.code == .configuration)
    let redactedURL = value.replacingOccurrences(of: "u:secret@", with: "")
    #expect(
      error?.message.hasPrefix("Invalid \(section).\(key) '\(redactedURL)' in the configuration: ")
        == true, "\(error?.message ?? "")")
    #expect(error?.message.contains(fix) == true, "\(error?.message ?? "")")
    #expect(error?.message.contains("secret") == false)
  }

  /// A query of its own is kept in the API's URL, as queryURL(ids:) joins
  /// the look-up's items with '&'.
  @Test func apiQueryOfItsOwnIsAccepted() throws {
    var settings = FetchSettings()
    settings.apiBaseURL = "http://127.0.0.1:9/api/query?mirror=eu"
    try settings.validate()
    let client = try ArxivAPIClient(settings: settings)
    #expect(
      client.queryURL(ids: ["2505.00001"])
        == "http://127.0.0.1:9/api/query?mirror=eu&id_list=2505.00001&max_results=1")
  }

  /// The command stops with exit status 2 before any request, naming the key.
  @Test func likeStopsOnFragmentInAPIURL() throws {
    let server = try LoopbackHTTPServer { _ in .text(Self.emptyFeed) }
    defer { server.stop() }
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try FeedbackLookupTests.writeConfig(
      #"{"fetch": {"apiBaseURL": "\#(server.baseURL)/api/query#frag"}}"#, in: home)

    let result = try PaperSiftProcess(home: home).run(["like", "2505.00151"])

    #expect(result.status == 2, "stderr: \(result.errorOutput)")
    #expect(
      result.errorOutput.contains(
        "error: Invalid fetch.apiBaseURL '\(server.baseURL)/api/query#frag' on line 1 of the "
          + "configuration: remove the '#frag' part"), "stderr: \(result.errorOutput)")
    #expect(server.requests.isEmpty)
  }

  /// arXiv returns an entry for every id it stores, so a response without
  /// entries for two ids is a failed look-up. The likes stay pending
  /// without a day missed.
  @Test func emptyAnswerForSeveralIdsIsAFailedLookup() throws {
    let server = try LoopbackHTTPServer { _ in .text(Self.emptyFeed) }
    defer { server.stop() }
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try FeedbackLookupTests.configureFetch(home, server: server)
    let papersift = try PaperSiftProcess(home: home)

    let result = try papersift.run(["like", "2505.00151", "2505.00152"])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(
      result.output
        == "2505.00151: liked (pending: the arXiv look-up failed)\n"
        + "2505.00152: liked (pending: the arXiv look-up failed)\n")
    #expect(
      result.errorOutput.contains(
        "The arXiv API answered the look-up of 2 ids with no entry at all"),
      "stderr: \(result.errorOutput)")
    let entries = try FeedbackStore(database: FeedbackLookupTests.database(home)).entries()
    #expect(entries.map(\.paperId) == ["2505.00151", "2505.00152"])
    #expect(entries.map(\.lookupMissDays) == [0, 0])
    #expect(server.requests.count == 1)
  }

  /// One id without an entry is an id that arXiv does not list.
  @Test func emptyResponseForOneIdIsNotFound() throws {
    let server = try LoopbackHTTPServer { _ in .text(Self.emptyFeed) }
    defer { server.stop() }
    let client = ArxivAPIClient(baseURL: server.baseURL + "/api", spacing: 0)

    let result = try client.lookUpPapers(ids: ["2505.00151"])

    #expect(result.papers.isEmpty)
    #expect(result.rejected.isEmpty)
  }
}
