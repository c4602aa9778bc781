import Foundation
import Testing

@testable import PaperSiftKit

/// Paths of the bundled fixtures and of the repository's `Data/` folder.
enum TestFiles {
  static let rssDay = "rss-cs.LG+cs.AI-2025-05-05.xml"
  static let rssEmpty = "rss-cs.LG-empty-weekend.xml"
  static let atomSample = "atom-id_list-2025-05-05.xml"

  /// Returns the URL of a file in `Fixtures/feeds/`.
  static func feed(_ name: String) throws -> URL {
    let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    return fixtures.appendingPathComponent("feeds").appendingPathComponent(name)
  }

  static var repositoryRoot: URL {
    URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  /// The benchmark day `2025-05-05.papers.jsonl` in `Data/benchmark/`.
  static var benchmarkDay: URL {
    repositoryRoot.appendingPathComponent("Data/benchmark/2025-05-05.papers.jsonl")
  }

  /// Creates an empty folder under the system's temporary folder.
  static func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Writes `text` to `name` in `folder` and returns its URL.
  static func write(_ text: String, named name: String, in folder: URL) throws -> URL {
    let url = folder.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url
  }
}

@Suite struct FeedParsingTests {
  static let replacementIDs = [
    "2504.20505", "2504.20988", "2504.20656", "2504.20983", "2504.20915", "2504.20541",
  ]

  @Test func rssDayCountsByAnnounceType() throws {
    let document = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.rssDay))
    #expect(document.format == .rss)
    #expect(document.date == "2025-05-05")
    #expect(document.papers.count == 182)
    let counts = Dictionary(grouping: document.papers, by: \.announceType).mapValues(\.count)
    #expect(counts[.new] == 89)
    #expect(counts[.cross] == 87)
    #expect(counts[.replace] == 5)
    #expect(counts[.replaceCross] == 1)
    #expect(counts[.unknown] == nil)
    #expect(document.papers.allSatisfy { $0.announced == "2025-05-05" })
  }

  @Test func rssDayIdsAndVersions() throws {
    let papers = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.rssDay)).papers
    #expect(papers.first?.id == "2411.09200")
    #expect(papers.first?.version == 1)
    #expect(Set(papers.map(\.id)).count == 182)
    let replacements = papers.filter(\.announceType.isReplacement)
    #expect(replacements.map(\.id) == Self.replacementIDs)
    #expect(replacements.allSatisfy { $0.version == 2 })
    #expect(papers.filter { !$0.announceType.isReplacement }.allSatisfy { $0.version == 1 })
  }

  @Test func rssCrossListKeepsPrimaryFirst() throws {
    let papers = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.rssDay)).papers
    let paper = try #require(papers.first { $0.id == "2411.09200" })
    #expect(paper.announceType == .cross)
    #expect(paper.categories == ["cs.SE", "cs.AI", "cs.LG"])
    #expect(
      paper.title
        == "Advancing Software Security and Reliability in Cloud Platforms through "
        + "AI-based Anomaly Detection")
    #expect(paper.abstract.hasPrefix("Continuous Integration/Continuous Deployment (CI/CD) is"))
    #expect(paper.abstract.hasSuffix("advancing software security and reliability."))
  }

  @Test(arguments: [
    ("2505.00733", ["Gustavo Rezende Silva", "Juliane Päßler", "S. Lizeth Tapia Tarifa"]),
    ("2505.00749", ["Roman J. Georgio", "Caelum Forder", "Suman Deb"]),
  ])
  func rssAuthorsKeepDiacritics(id: String, firstAuthors: [String]) throws {
    let papers = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.rssDay)).papers
    let paper = try #require(papers.first { $0.id == id })
    #expect(Array(paper.authors.prefix(3)) == firstAuthors)
  }

  @Test func rssAuthorsEndWithDiacritics() throws {
    let papers = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.rssDay)).papers
    let paper = try #require(papers.first { $0.id == "2505.00749" })
    #expect(paper.authors.count == 5)
    #expect(paper.authors.last == "Önder Gürcan")
  }

  @Test func rssAbstractDecodesEntitiesKeepsTeX() throws {
    let papers = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.rssDay)).papers
    let primality = try #require(papers.first { $0.id == "2505.00730" })
    #expect(primality.abstract.contains("an integer $n > 2$ is prime"))
    #expect(primality.abstract.contains("\\mathbb"))
    let fables = try #require(papers.first { $0.id == "2504.20605" })
    #expect(fables.abstract.contains("(character -> trait -> setting"))
    let agents = papers.first { $0.abstract.contains("environment & profiling") }
    #expect(agents != nil)
    #expect(!papers.contains { $0.abstract.contains("&amp;") || $0.abstract.contains("&gt;") })
  }

  @Test func rssTitleKeepsTeX() throws {
    let papers = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.rssDay)).papers
    let mimic = try #require(papers.first { $0.id == "2505.00827" })
    #expect(mimic.title.hasPrefix("MIMIC-\\RNum{4}-Ext-22MCTS:"))
    let stagnation = try #require(papers.first { $0.id == "2505.01036" })
    #expect(
      stagnation.title == "Stagnation in Evolutionary Algorithms: Convergence $\\neq$ Optimality")
  }

  @Test func emptyWeekendFeedIsValidDay() throws {
    let document = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.rssEmpty))
    #expect(document.format == .rss)
    #expect(document.papers.isEmpty)
    #expect(document.date == "2025-05-05")
  }

  @Test func atomSampleEntries() throws {
    let document = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.atomSample))
    #expect(document.format == .atom)
    #expect(document.date == nil)
    #expect(
      document.papers.map(\.id) == [
        "2505.01136", "2505.01197", "2505.01315", "2505.00908", "2505.00903",
      ])
    let first = try #require(document.papers.first)
    #expect(first.version == 1)
    #expect(first.title == "CppSATD: A Reusable Self-Admitted Technical Debt Dataset in C++")
    #expect(
      first.authors == [
        "Phuoc Pham", "Murali Sridharan", "Matteo Esposito", "Valentina Lenarduzzi",
      ])
    #expect(first.categories == ["cs.SE", "cs.IR", "cs.LG", "cs.PL"])
    #expect(first.announceType == .unknown)
    #expect(first.published == "2025-05-05")
    #expect(
      first.abstract.hasPrefix(
        "In software development, technical debt (TD) refers to suboptimal implementation"))
    #expect(!first.abstract.contains("\n"))
    let bootstrap = try #require(document.papers.first { $0.id == "2505.01197" })
    #expect(bootstrap.categories == ["stat.ML", "cs.LG", "math.ST", "stat.CO", "stat.TH"])
  }

  @Test func atomPrimaryCategoryComesFirst() throws {
    let atom = """
      <?xml version="1.0" encoding="UTF-8"?>
      <feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
        <entry>
          <id>http://arxiv.org/abs/2505.01234v3</id>
          <published>2025-05-01T17:59:00Z</published>
          <title>A title
        on two lines</title>
          <summary>  First line
      second line with $x^2$ &amp;amp; more.
      </summary>
          <author><name>José Núñez</name></author>
          <author><name>Jane Doe, Jr.</name></author>
          <arxiv:primary_category term="math.OC"/>
          <category term="cs.LG"/>
          <category term="math.OC"/>
        </entry>
      </feed>
      """
    let document = try FeedReader.parse(Data(atom.utf8), source: "inline.xml")
    let paper = try #require(document.papers.first)
    #expect(paper.id == "2505.01234")
    #expect(paper.version == 3)
    #expect(paper.title == "A title on two lines")
    #expect(paper.abstract == "First line second line with $x^2$ & more.")
    #expect(paper.authors == ["José Núñez", "Jane Doe, Jr."])
    #expect(paper.categories == ["math.OC", "cs.LG"])
    #expect(paper.published == "2025-05-01")
  }

  @Test func atomErrorEntryIsReported() throws {
    let atom = """
      <feed xmlns="http://www.w3.org/2005/Atom"><entry>
        <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>
        <title>Error</title><summary>incorrect id format for 1234</summary>
      </entry></feed>
      """
    let error = #expect(throws: PaperSiftError.self) {
      try FeedReader.parse(Data(atom.utf8), source: "api-response")
    }
    #expect(error?.message.contains("incorrect id format for 1234") == true)
    #expect(error?.message.contains("api-response") == true)
  }

  @Test func jsonLinesDayTakesDateFromName() throws {
    let document = try FeedReader.read(contentsOf: TestFiles.benchmarkDay)
    #expect(document.format == .jsonLines)
    #expect(document.date == "2025-05-05")
    #expect(document.papers.count == 176)
    #expect(document.papers.allSatisfy { $0.announceType == .new })
    #expect(document.papers.allSatisfy { $0.version == 1 })
    #expect(document.papers.allSatisfy { $0.announced == "2025-05-05" })
    #expect(!document.papers.contains { $0.abstract.contains("\n") })
  }

  @Test func jsonLinesAndRSSAgree() throws {
    let lines = try FeedReader.read(contentsOf: TestFiles.benchmarkDay).papers
    let feed = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.rssDay)).papers
      .filter { !$0.announceType.isReplacement }
    #expect(lines.map(\.id) == feed.map(\.id))
    for (line, item) in zip(lines, feed) {
      #expect(line.title == item.title, "title of \(line.id)")
      #expect(line.abstract == item.abstract, "abstract of \(line.id)")
      #expect(line.authors == item.authors, "authors of \(line.id)")
      #expect(line.categories == item.categories, "categories of \(line.id)")
    }
  }

  @Test func jsonLinesDecodesNumericEntity() throws {
    let line = """
      {"id": "2510.00797v2", "title": "T", "authors": ["A"], "abstract": "errors of\\n6.2% &#177; 2.8% &#x2264; Q&A;", "categories": ["cs.CV"]}
      """
    let document = try FeedReader.parse(Data(line.utf8), source: "day.jsonl", fileName: "day.jsonl")
    let paper = try #require(document.papers.first)
    #expect(document.date == nil)
    #expect(paper.id == "2510.00797")
    #expect(paper.version == 2)
    #expect(paper.abstract == "errors of 6.2% ± 2.8% ≤ Q&A;")
  }

  @Test func formatComesFromContentNotName() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let rss = try String(contentsOf: try TestFiles.feed(TestFiles.rssEmpty), encoding: .utf8)
    let misnamed = try TestFiles.write(rss, named: "2025-05-06.papers.jsonl", in: folder)
    let document = try FeedReader.read(contentsOf: misnamed)
    #expect(document.format == .rss)
    #expect(document.date == "2025-05-05")
  }

  @Test(arguments: [
    ("Ana Lopez, Bo Li", ["Ana Lopez", "Bo Li"]),
    ("Ana Lopez and Bo Li", ["Ana Lopez", "Bo Li"]),
    ("Ana Lopez, Bo Li, and Chen Wei", ["Ana Lopez", "Bo Li", "Chen Wei"]),
    ("Robert W. Heath, Jr., Ana Lopez", ["Robert W. Heath, Jr.", "Ana Lopez"]),
    ("Alexander Anderson, Randall Sandburg", ["Alexander Anderson", "Randall Sandburg"]),
    ("  Önder\n  Gürcan ,Zoë Brandão ", ["Önder Gürcan", "Zoë Brandão"]),
    ("", []),
  ])
  func authorListSplits(text: String, expected: [String]) {
    #expect(FeedText.splitAuthors(text) == expected)
  }

  @Test(arguments: [
    ("Mon, 05 May 2025 00:00:00 -0400", "2025-05-05"),
    ("Fri, 31 Jan 2025 23:30:00 -0500", "2025-01-31"),
    ("5 Sep 2025 00:00:00 GMT", "2025-09-05"),
  ])
  func rfc822DayIsReadAsWritten(text: String, day: String) {
    #expect(FeedText.day(fromRFC822: text) == day)
  }

  @Test func readsPipe() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let fifo = folder.appendingPathComponent("day.fifo")
    #expect(mkfifo(fifo.path, 0o600) == 0)
    let line =
      #"{"id": "2505.00001", "title": "T", "abstract": "A.", "authors": [], "categories": ["cs.LG"]}"#
    // A writer thread fills the pipe, as a shell does for `--input /dev/stdin`.
    let writer = Thread {
      if let handle = FileHandle(forWritingAtPath: fifo.path) {
        handle.write(Data((line + "\n").utf8))
        try? handle.close()
      }
    }
    writer.start()
    let document = try FeedReader.read(contentsOf: fifo)
    #expect(document.papers.map(\.id) == ["2505.00001"])
  }
}

@Suite struct MalformedFeedTests {
  static let truncatedRSS = """
    <?xml version='1.0' encoding='UTF-8'?>
    <rss version="2.0">
      <channel>
        <pubDate>Mon, 05 May 2025 00:00:00 -0400</pubDate>
        <item>
          <title>Cut off
    """

  @Test(arguments: [
    ("truncated.xml", truncatedRSS, "line 6, column 21"),
    ("mismatch.xml", "<rss>\n<channel>\n<item></channel>\n</rss>\n", "line 3, column 17"),
    ("entity.xml", "<rss><channel>\n<title>Q &A</title></channel></rss>", "line 2, column 12"),
  ])
  func malformedXMLNamesFileAndPosition(name: String, text: String, position: String) throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = try TestFiles.write(text, named: name, in: folder)
    let error = #expect(throws: PaperSiftError.self) { try FeedReader.read(contentsOf: url) }
    #expect(error?.code == .invalidInput)
    #expect(error?.message.contains("Malformed XML in '\(url.path)' at \(position)") == true)
  }

  @Test(arguments: [
    (
      "{\"id\": \"2505.00001\",, }\n\n{\"id\": \"2505.00002\",, }\n",
      "None of the 2 lines of the JSON Lines file '{path}' is a valid paper. The first "
        + "problem is at line 1, column 21: Invalid value around character 20."
    ),
    (
      "{\"id\": \"2505.00001\", \"title\": \"A\"}\n",
      "The only line of the JSON Lines file '{path}' is not a valid paper. The first problem "
        + "is at line 1: missing key 'authors' at top level."
    ),
    (
      "{\"id\": \"25.1\", \"title\": \"A\", \"authors\": [], \"abstract\": \"B\", \"categories\": []}",
      "The first problem is at line 1: invalid arXiv id '25.1'."
    ),
    ("{\"id\": 7}\n", "The first problem is at line 1: expected a string at id"),
  ])
  func jsonLinesWithoutPaperNamesFileAndLine(text: String, expected: String) throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = try TestFiles.write(text, named: "2025-05-06.papers.jsonl", in: folder)
    let error = #expect(throws: PaperSiftError.self) { try FeedReader.read(contentsOf: url) }
    #expect(error?.code == .invalidInput)
    let message = expected.replacingOccurrences(of: "{path}", with: url.path)
    #expect(error?.message.contains(message) == true, "got: \(error?.message ?? "")")
    let advice =
      "Nothing was imported. Fix or re-export the file with one JSON object a line that has "
      + "id, title, authors, abstract and categories."
    #expect(error?.message.hasSuffix(advice) == true)
  }

  @Test(arguments: [
    ("plain.txt", "id,title\n2505.00001,A\n", "is not recognised"),
    ("empty.xml", "  \n", "is empty"),
    ("other.xml", "<html><body/></html>", "neither an RSS feed nor an Atom feed"),
  ])
  func unrecognisedContentIsRejected(name: String, text: String, expected: String) throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = try TestFiles.write(text, named: name, in: folder)
    let error = #expect(throws: PaperSiftError.self) { try FeedReader.read(contentsOf: url) }
    #expect(error?.message.contains(expected) == true)
  }

  @Test func missingFileIsInvalidInput() throws {
    let url = URL(fileURLWithPath: "/nonexistent/2025-05-05.papers.jsonl")
    let error = #expect(throws: PaperSiftError.self) { try FeedReader.read(contentsOf: url) }
    #expect(error?.code == .invalidInput)
    #expect(error?.message.contains(url.path) == true)
  }
}
