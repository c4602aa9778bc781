import Foundation
import Testing

@testable import PaperSiftKit

/// Feeds with items that lack a title, an abstract or an arXiv id.
@Suite struct IncompleteFeedItemTests {
  static func rssItem(
    id: String?, title: String = "A title", abstract: String = "An abstract.",
    link: String? = nil, authors: String = "Ada Lovelace, Grace Hopper"
  ) -> String {
    let header = id.map { "arXiv:\($0)v1 Announce Type: new\nAbstract: " } ?? ""
    let guid = id.map { "<guid isPermaLink=\"false\">oai:arXiv.org:\($0)v1</guid>" } ?? ""
    let linkElement = "<link>\(link ?? id.map { "https://arxiv.org/abs/\($0)" } ?? "")</link>"
    return """
          <item>
            <title>\(title)</title>
            \(linkElement)
            <description>\(header)\(abstract)</description>
            \(guid)
            <dc:creator>\(authors)</dc:creator>
            <category>cs.LG</category>
            <arxiv:announce_type>new</arxiv:announce_type>
          </item>
      """
  }

  static func rss(_ items: [String]) -> String {
    """
    <?xml version='1.0' encoding='UTF-8'?>
    <rss xmlns:arxiv="http://arxiv.org/schemas/atom"
      xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
      <channel>
        <title>cs.LG updates on arXiv.org</title>
        <pubDate>Mon, 05 May 2025 00:00:00 -0400</pubDate>
    \(items.joined(separator: "\n"))
      </channel>
    </rss>
    """
  }

  static func atomEntry(id: String, title: String = "A title", summary: String = "A summary.")
    -> String
  {
    """
      <entry>
        <id>\(id)</id>
        <title>\(title)</title>
        <summary>\(summary)</summary>
        <link href="https://example.org/entry/\(id.isEmpty ? "blank" : "x")" rel="alternate"/>
        <author><name>Ada Lovelace</name></author>
      </entry>
    """
  }

  static func atom(_ entries: [String]) -> String {
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n" + entries.joined(separator: "\n")
      + "\n</feed>\n"
  }

  /// Parses `text` and returns the document and the lines logged meanwhile
  /// about `source`. Lines of other tests that log at the same time are left out.
  static func parse(_ text: String, source: String) throws -> (FeedDocument, String) {
    var document: FeedDocument?
    let log = try captureStandardError {
      document = try FeedReader.parse(Data(text.utf8), source: source)
    }
    let own = log.split(separator: "\n").filter { $0.contains("source=\(source)") }
    return (try #require(document), own.joined(separator: "\n"))
  }

  @Test func rssItemWithEmptyTitleIsKept() throws {
    let text = Self.rss([
      Self.rssItem(id: "2505.00001"), Self.rssItem(id: "2505.00002", title: "  "),
      Self.rssItem(id: "2505.00003"),
    ])
    let (document, log) = try Self.parse(text, source: "empty-title.xml")

    #expect(document.papers.map(\.id) == ["2505.00001", "2505.00002", "2505.00003"])
    #expect(document.papers[1].title == "")
    #expect(document.papers[1].abstract == "An abstract.")
    #expect(document.papers[1].announced == "2025-05-05")
    #expect(document.skippedItems == 0)
    #expect(
      log.contains("Feed item has an empty title, abstract or author list; kept paper=2505.00002"))
    #expect(log.contains("empty=title line="))
    #expect(!log.contains("paper=2505.00001"))
  }

  @Test func rssItemWithoutAuthorsIsKept() throws {
    let text = Self.rss([
      Self.rssItem(id: "2505.00001"), Self.rssItem(id: "2505.00002", authors: " "),
    ])
    let (document, log) = try Self.parse(text, source: "no-authors.xml")

    #expect(document.papers.map(\.id) == ["2505.00001", "2505.00002"])
    #expect(document.papers[0].authors == ["Ada Lovelace", "Grace Hopper"])
    #expect(document.papers[1].authors == [])
    #expect(log.contains("author list; kept paper=2505.00002 empty=authors line="))
    #expect(!log.contains("paper=2505.00001"))
  }

  @Test func rssItemWithEmptyAbstractIsKept() throws {
    let text = Self.rss([
      Self.rssItem(id: "2505.00001"), Self.rssItem(id: "2505.00002", abstract: ""),
    ])
    let (document, log) = try Self.parse(text, source: "empty-abstract.xml")

    #expect(document.papers.map(\.id) == ["2505.00001", "2505.00002"])
    #expect(document.papers[1].abstract == "")
    #expect(document.papers[1].title == "A title")
    #expect(log.contains("kept paper=2505.00002 empty=abstract"))
  }

  @Test func rssItemWithoutIDIsSkipped() throws {
    let text = Self.rss([
      Self.rssItem(id: "2505.00001"),
      Self.rssItem(id: nil, title: "Lost", link: "https://example.org/lost"),
      Self.rssItem(id: "2505.00003"),
      Self.rssItem(id: nil, title: "No link either", link: ""),
    ])
    let (document, log) = try Self.parse(text, source: "no-id.xml")

    #expect(document.papers.map(\.id) == ["2505.00001", "2505.00003"])
    #expect(document.skippedItems == 2)
    #expect(log.contains("Feed item has no arXiv id; skipped position=2 line="))
    #expect(log.contains("link=https://example.org/lost source=no-id.xml"))
    #expect(log.contains("Feed item has no arXiv id; skipped position=4 line="))
    #expect(log.contains("Skipped feed items without an arXiv id skipped=2 items=4"))
  }

  @Test func rssRepeatedItemIsNamed() throws {
    let text = Self.rss([
      Self.rssItem(id: "2505.00201", title: "First title"),
      Self.rssItem(id: "2505.00202"),
      Self.rssItem(id: "2505.00201", title: "Second title, same id"),
    ])
    let (document, log) = try Self.parse(text, source: "repeat.xml")

    #expect(document.papers.map(\.id) == ["2505.00201", "2505.00202"])
    #expect(document.papers[0].title == "First title")
    #expect(document.skippedItems == 1)
    #expect(log.contains("Feed item repeats a paper; skipped, first item kept paper=2505.00201"))
    #expect(log.contains("Skipped feed items that repeat a paper skipped=1"))
  }

  @Test func everySkippedItemIsNamed() throws {
    let missing = (0..<25).map { _ in Self.rssItem(id: nil, title: "Lost", link: "") }
    let text = Self.rss([Self.rssItem(id: "2505.00251")] + missing)
    let (document, log) = try Self.parse(text, source: "many.xml")

    #expect(document.skippedItems == 25)
    // Other tests of the suite may log to the same standard error meanwhile.
    let warnings = log.split(separator: "\n").filter {
      $0.contains("Feed item has no arXiv id; skipped") && $0.contains("source=many.xml")
    }
    #expect(warnings.count == 20)
    #expect(log.contains("skipped=25 items=26 positions=2-26 without_warning=5"))
  }

  @Test func atomRepeatedEntryIsNamed() throws {
    let text = Self.atom([
      Self.atomEntry(id: "http://arxiv.org/abs/2505.00301v1"),
      Self.atomEntry(id: "http://arxiv.org/abs/2505.00301v2", title: "Later"),
    ])
    let (document, log) = try Self.parse(text, source: "atom-repeat-response")

    #expect(document.papers.map(\.id) == ["2505.00301"])
    #expect(document.papers[0].version == 1)
    #expect(log.contains("repeats a paper; skipped, first item kept paper=2505.00301"))
  }

  @Test func rssWithoutAnyIDIsRejected() {
    let text = Self.rss([
      Self.rssItem(id: nil, link: "https://example.org/a"),
      Self.rssItem(id: nil, link: "https://example.org/b"),
    ])
    let error = #expect(throws: PaperSiftError.self) {
      try FeedReader.parse(Data(text.utf8), source: "broken.xml")
    }
    #expect(error?.code == .invalidInput)
    #expect(
      error?.message.contains(
        "None of the 2 RSS items of 'broken.xml' has an arXiv id in its guid, description or link")
        == true)
  }

  @Test func rssWithoutItemsIsStillEmptyDay() throws {
    let document = try FeedReader.parse(Data(Self.rss([]).utf8), source: "weekend.xml")
    #expect(document.papers.isEmpty)
    #expect(document.skippedItems == 0)
    #expect(document.date == "2025-05-05")
  }

  @Test func malformedRSSWithBadItemIsRejected() {
    let text = Self.rss([Self.rssItem(id: nil), Self.rssItem(id: "2505.00002")])
      .replacingOccurrences(of: "</channel>", with: "")
    let error = #expect(throws: PaperSiftError.self) {
      try FeedReader.parse(Data(text.utf8), source: "cut.xml")
    }
    #expect(error?.message.contains("Malformed XML in 'cut.xml'") == true)
  }

  @Test func atomEntryWithoutIDIsSkipped() throws {
    let text = Self.atom([
      Self.atomEntry(id: "http://arxiv.org/abs/2505.00001v1"),
      Self.atomEntry(id: ""),
      Self.atomEntry(id: "http://arxiv.org/abs/2505.00003v2", title: ""),
    ])
    let (document, log) = try Self.parse(text, source: "incomplete-atom-response")

    #expect(document.papers.map(\.id) == ["2505.00001", "2505.00003"])
    #expect(document.papers[1].title == "")
    #expect(document.papers[1].version == 2)
    #expect(document.skippedItems == 1)
    #expect(log.contains("skipped position=2 line="))
    #expect(log.contains("link=https://example.org/entry/blank source=incomplete-atom-response"))
    #expect(log.contains("skipped=1 items=3"))
    #expect(log.contains("kept paper=2505.00003 empty=title"))
  }

  @Test func atomWithoutAnyIDIsRejected() {
    let text = Self.atom([Self.atomEntry(id: "not an id")])
    let error = #expect(throws: PaperSiftError.self) {
      try FeedReader.parse(Data(text.utf8), source: "atom-all-bad-response")
    }
    #expect(error?.code == .invalidInput)
    #expect(
      error?.message.contains(
        "None of the 1 Atom entries of 'atom-all-bad-response' has an arXiv id in its <id>") == true
    )
  }

  /// Parses the RSS `text` and stores it as one listing.
  @discardableResult
  static func store(_ text: String, in store: PaperStore) throws -> ImportSummary? {
    let document = try FeedReader.parse(Data(text.utf8), source: "listing.xml")
    return try store.importDocuments([document]).first
  }

  @Test func emptyTitleKeepsStoredTitle() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = PaperStore(database: try PaperStoreTests.openDatabase(in: folder))
    try Self.store(Self.rss([Self.rssItem(id: "2505.00001", title: "Routing experts")]), in: store)

    let summary = try Self.store(
      Self.rss([Self.rssItem(id: "2505.00001", title: "", abstract: "")]), in: store)

    #expect(summary?.unchanged == 1)
    let stored = try #require(try store.paper(id: "2505.00001"))
    #expect(stored.title == "Routing experts")
    #expect(stored.abstract == "An abstract.")
  }

  /// A JSON Lines re-import at the same version with `"authors": []` keeps
  /// the stored authors, as an empty title does, and warns. A non-empty
  /// title or author list replaces the stored one, as a corrected listing.
  @Test func emptyAuthorsKeepStoredAuthors() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = PaperStore(database: try PaperStoreTests.openDatabase(in: folder))
    func line(title: String, authors: String) -> String {
      #"{"id": "2505.01049", "title": "\#(title)", "abstract": "An abstract.", "#
        + #""authors": [\#(authors)], "categories": ["cs.LG"]}"#
    }
    func importLine(_ text: String) throws -> (ImportSummary?, String) {
      let (document, log) = try JSONLinesDayParserTests.parse([text])
      return (try store.importDay(date: "2025-05-21", papers: document.papers), log)
    }
    _ = try importLine(line(title: "Routing experts", authors: #""Nishant Jain", "Xunpeng Huang""#))

    let (emptied, log) = try importLine(line(title: "", authors: ""))
    let afterEmpty = try #require(try store.paper(id: "2505.01049"))
    let (corrected, _) = try importLine(line(title: "Routing", authors: #""Nishant Jain""#))
    let replaced = try #require(try store.paper(id: "2505.01049"))

    #expect(emptied?.unchanged == 1)
    #expect(afterEmpty.authors == ["Nishant Jain", "Xunpeng Huang"])
    #expect(afterEmpty.title == "Routing experts")
    #expect(
      log.contains(
        "empty title, abstract or author list; kept paper=2505.01049 empty=title,authors line=1"))
    #expect(corrected?.updated == 1)
    #expect(replaced.authors == ["Nishant Jain"])
    #expect(replaced.title == "Routing")
  }

  @Test func emptyTitleStoredThenReplaced() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = PaperStore(database: try PaperStoreTests.openDatabase(in: folder))

    try Self.store(Self.rss([Self.rssItem(id: "2505.00001", title: "")]), in: store)
    let blank = try store.paper(id: "2505.00001")
    try Self.store(Self.rss([Self.rssItem(id: "2505.00001", title: "Routing experts")]), in: store)

    #expect(blank?.title == "")
    #expect(try store.paper(id: "2505.00001")?.title == "Routing experts")
  }

  @Test func digestShowsPlaceholderForEmptyTitle() {
    let paper = Paper(
      id: "2505.00002", title: "", abstract: "An abstract.", authors: ["Ada Lovelace"],
      categories: ["cs.LG"])
    let entry = DigestContent.SelectedPaper(
      paper: paper, prefilterRank: 1, prefilterScore: 0.5, reason: .auditSample, score: nil)
    let content = DigestContent(
      date: "2025-05-05", model: "gpt-4o-mini", usage: .zero,
      counts: DigestContent.Counts(papers: 1, aboveCutoff: 1, audited: 0, scored: 0),
      selectionRule: SelectionRule(), papers: [entry], costSaved: nil, recall: nil,
      unscored: [
        DigestContent.UnscoredPaper(
          id: "2505.00002", title: "", link: paper.absURL, reason: "budget")
      ],
      skippedLLM: nil, selectionPrompt: nil)

    let markdown = MarkdownDigest.render(content)

    #expect(markdown.contains("1. [(no title)](#user-content-link1)"))
    #expect(markdown.contains("## 1. [(no title)](https://arxiv.org/abs/2505.00002)"))
    #expect(
      markdown.contains("- [2505.00002](https://arxiv.org/abs/2505.00002) (no title): budget"))
    #expect(!markdown.contains("[]("))
  }

  @Test func promptKeepsPaperWithEmptyTitle() {
    let paper = Paper(
      id: "2505.00002", title: "", abstract: "Sparse experts route tokens.",
      authors: ["Ada Lovelace"], categories: ["cs.LG"])
    let user = PromptBuilder(topics: ScoringFixtures.topics, model: "gpt-4o-mini", jsonMode: true)
      .userPrompt(for: [paper])
    #expect(user.contains("ARXIVIDs: 2505.00002."))
    #expect(
      user.contains(
        "<<<PAPER 2505.00002>>>\nTitle: \nAuthors: Ada Lovelace\n"
          + "Abstract: Sparse experts route tokens.\n<<<END PAPER 2505.00002>>>"))
  }
}
