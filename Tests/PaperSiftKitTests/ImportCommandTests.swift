import Foundation
import Testing

@testable import PaperSiftKit

/// Runs the `papersift` executable that `swift test` builds beside the tests.
struct PaperSiftProcess {
  struct Result {
    var status: Int32
    var output: String
    var errorOutput: String
  }

  let executable: URL
  let home: URL
  /// Variables added to the test process's environment.
  var environment: [String: String] = [:]
  /// Variables removed from the test process's environment.
  var unsetVariables: Set<String> = []
  /// Whether `--home HOME` goes before the arguments. Without it, the
  /// executable chooses its home, and `home` only contains the output files.
  var passesHome = true

  /// Finds the built executable and uses `home` as its `--home`.
  init(home: URL, environment: [String: String] = [:]) throws {
    self.environment = environment
    let candidates = [
      Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
    ].map { $0.appendingPathComponent("papersift") }
    let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    self.executable = try #require(
      found, "papersift executable not found in \(candidates.map(\.path)); run swift build")
    self.home = home
  }

  /// Starts `papersift --home HOME arguments...` with its output in files.
  func start(_ arguments: [String]) throws -> (Process, URL, URL) {
    let process = Process()
    process.executableURL = executable
    process.arguments = (passesHome ? ["--home", home.path] : []) + arguments
    process.environment = ProcessInfo.processInfo.environment
      .filter { !unsetVariables.contains($0.key) }
      .merging(environment) { $1 }
    let outputURL = home.appendingPathComponent("stdout-\(UUID().uuidString)")
    let errorURL = home.appendingPathComponent("stderr-\(UUID().uuidString)")
    try Data().write(to: outputURL)
    try Data().write(to: errorURL)
    process.standardOutput = try FileHandle(forWritingTo: outputURL)
    process.standardError = try FileHandle(forWritingTo: errorURL)
    try process.run()
    return (process, outputURL, errorURL)
  }

  static func finish(_ started: (Process, URL, URL)) throws -> Result {
    let (process, outputURL, errorURL) = started
    process.waitUntilExit()
    let output = try String(contentsOf: outputURL, encoding: .utf8)
    let errorOutput = try String(contentsOf: errorURL, encoding: .utf8)
    try? FileManager.default.removeItem(at: outputURL)
    try? FileManager.default.removeItem(at: errorURL)
    return Result(status: process.terminationStatus, output: output, errorOutput: errorOutput)
  }

  func run(_ arguments: [String]) throws -> Result {
    try Self.finish(try start(arguments))
  }
}

/// One element of `papersift papers --json`.
struct ListedPaper: Decodable {
  var id: String
  var version: Int
  var title: String
  var abstract: String
  var authors: [String]
  var categories: [String]
  var announceType: String
  var announced: String?

  enum CodingKeys: String, CodingKey {
    case id, version, title, abstract, authors, categories
    case announceType = "announce_type"
    case announced
  }
}

@Suite struct ImportCommandTests {
  static func benchmarkIDs() throws -> [String] {
    try FeedReader.read(contentsOf: TestFiles.benchmarkDay).papers.map(\.id)
  }

  static func listed(_ result: PaperSiftProcess.Result) throws -> [ListedPaper] {
    try JSONDecoder().decode([ListedPaper].self, from: Data(result.output.utf8))
  }

  /// Imports `text` as the file `2025-05-05.papers.jsonl` into `home` and
  /// returns the import's result and the JSON listing of that day.
  static func importDay(_ text: String, into home: URL) throws
    -> (imported: PaperSiftProcess.Result, listing: PaperSiftProcess.Result)
  {
    let file = try TestFiles.write(text, named: "2025-05-05.papers.jsonl", in: home)
    let papersift = try PaperSiftProcess(home: home)
    let imported = try papersift.run(["import", file.path])
    return (imported, try papersift.run(["papers", "--date", "2025-05-05", "--json"]))
  }

  @Test func benchmarkDayListsExactlyItsPapers() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)

    let imported = try papersift.run(["import", TestFiles.benchmarkDay.path])
    let listing = try papersift.run(["papers", "--date", "2025-05-05", "--json"])

    #expect(imported.status == 0)
    #expect(
      imported.output
        == "2025-05-05.papers.jsonl: stored 176 papers of 2025-05-05 (176 new, 0 updated, "
        + "0 unchanged).\n")
    #expect(listing.status == 0)
    let papers = try Self.listed(listing)
    #expect(papers.count == 176)
    #expect(try papers.map(\.id) == Self.benchmarkIDs().sorted())
    #expect(papers.allSatisfy { $0.announced == "2025-05-05" })
    #expect(papers.allSatisfy { $0.announceType == "new" })
    let primality = try #require(papers.first { $0.id == "2505.00730" })
    #expect(primality.version == 1)
    #expect(primality.categories == ["cs.SC", "cs.LG"])
    #expect(primality.authors == ["Marius-Constantin Dinu"])
    #expect(primality.abstract.contains("$n > 2$"))
  }

  @Test func jsonListingHasDocumentedKeys() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)
    _ = try papersift.run(["import", TestFiles.benchmarkDay.path])

    let listing = try papersift.run(["papers", "--date", "2025-05-05", "--json"])

    let objects = try #require(
      try JSONSerialization.jsonObject(with: Data(listing.output.utf8)) as? [[String: Any]])
    #expect(
      Set(objects.first?.keys ?? [:].keys)
        == [
          "id", "version", "title", "abstract", "authors", "categories", "announce_type",
          "announced",
        ])
  }

  /// A feed with a repeated item, an item without an id and one replacement
  /// counts each apart, in the singular for one.
  @Test func importCountsSkippedItemsApart() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let replacement = IncompleteFeedItemTests.rssItem(id: "2505.00004")
      .replacingOccurrences(of: ">new<", with: ">replace<")
    let feed = IncompleteFeedItemTests.rss([
      IncompleteFeedItemTests.rssItem(id: "2505.00001"),
      IncompleteFeedItemTests.rssItem(id: "2505.00002"),
      IncompleteFeedItemTests.rssItem(id: "2505.00001"),
      IncompleteFeedItemTests.rssItem(id: nil, link: "https://example.org/lost"), replacement,
    ])
    let file = home.appendingPathComponent("dupitems.xml")
    try Data(feed.utf8).write(to: file)
    let papersift = try PaperSiftProcess(home: home)

    let imported = try papersift.run(["import", file.path])

    #expect(imported.status == 0, "stderr: \(imported.errorOutput)")
    #expect(
      imported.output
        == "dupitems.xml: stored 2 papers of 2025-05-05 (2 new, 0 updated, 0 unchanged), "
        + "skipped 1 replacement, 1 item without an arXiv id and 1 repeated item.\n")
  }

  @Test func rssSampleGivesSameIDs() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)

    let imported = try papersift.run(["import", try TestFiles.feed(TestFiles.rssDay).path])
    let listing = try papersift.run(["papers", "--date", "2025-05-05", "--json"])

    #expect(imported.status == 0)
    #expect(imported.output.contains("stored 176 papers of 2025-05-05"))
    #expect(imported.output.contains("skipped 6 replacements"))
    let papers = try Self.listed(listing)
    #expect(try papers.map(\.id) == Self.benchmarkIDs().sorted())
    #expect(papers.filter { $0.announceType == "new" }.count == 89)
    #expect(papers.filter { $0.announceType == "cross" }.count == 87)
  }

  @Test func keepReplacementsStoresAllItems() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)

    let imported = try papersift.run([
      "import", "--keep-replacements", try TestFiles.feed(TestFiles.rssDay).path,
    ])
    let listing = try papersift.run(["papers", "--json"])

    #expect(imported.status == 0)
    let papers = try Self.listed(listing)
    #expect(papers.count == 182)
    #expect(papers.first { $0.id == "2504.20541" }?.version == 2)
    #expect(papers.first { $0.id == "2504.20541" }?.announceType == "replace-cross")
  }

  @Test func importTwiceReportsUnchanged() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)
    _ = try papersift.run(["import", TestFiles.benchmarkDay.path])
    let before = try papersift.run(["papers", "--json"]).output

    let again = try papersift.run(["import", TestFiles.benchmarkDay.path])

    #expect(again.status == 0)
    #expect(again.output.contains("(0 new, 0 updated, 176 unchanged)"))
    #expect(try papersift.run(["papers", "--json"]).output == before)
  }

  @Test func malformedFileWritesNothing() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)
    let broken = try TestFiles.write(
      "<rss><channel>\n<item><title>cut", named: "broken.xml", in: home)

    let imported = try papersift.run(["import", TestFiles.benchmarkDay.path, broken.path])
    let listing = try papersift.run(["papers", "--json"])

    #expect(imported.status == 2)
    #expect(imported.output.isEmpty)
    #expect(imported.errorOutput.contains("Malformed XML in '\(broken.path)' at line 2, column"))
    #expect(try Self.listed(listing).isEmpty)
  }

  @Test func feedWithoutAnyIDExitsTwo() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let feed = IncompleteFeedItemTests.rss([IncompleteFeedItemTests.rssItem(id: nil)])
    let file = try TestFiles.write(feed, named: "no-ids.xml", in: home)

    let imported = try PaperSiftProcess(home: home).run(["import", file.path])

    #expect(imported.status == 2)
    #expect(imported.errorOutput.contains("None of the 1 RSS items of '\(file.path)'"))
  }

  @Test(arguments: [
    (["--date", "2025-05-06"], "--date 2025-05-06 contradicts"),
    (["--date", "2025-02-30"], "Invalid value '2025-02-30' for --date"),
  ])
  func conflictingDateIsRejected(options: [String], message: String) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)

    let imported = try papersift.run(["import"] + options + [TestFiles.benchmarkDay.path])

    #expect(imported.status == 2)
    #expect(imported.errorOutput.contains(message))
  }

  @Test(arguments: ["rank", "papers"])
  func impossibleDateIsRejected(command: String) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let result = try PaperSiftProcess(home: home).run([command, "--date", "2025-13-01"])

    #expect(result.status == 2, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains("Invalid value '2025-13-01' for --date"))
  }

  @Test func undatedLinesNeedDateOption() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)
    let lines = try String(contentsOf: TestFiles.benchmarkDay, encoding: .utf8)
    let undated = try TestFiles.write(lines, named: "day.jsonl", in: home)

    let rejected = try papersift.run(["import", undated.path])
    let accepted = try papersift.run(["import", "--date", "2025-05-07", undated.path])
    let listing = try papersift.run(["papers", "--date", "2025-05-07", "--json"])

    #expect(rejected.status == 2)
    #expect(rejected.errorOutput.contains("Pass --date YYYY-MM-DD"))
    #expect(accepted.status == 0)
    #expect(try Self.listed(listing).count == 176)
  }

  @Test func twoProcessesImportAtOnce() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)
    let otherDay = TestFiles.repositoryRoot.appendingPathComponent(
      "Data/benchmark/2025-05-06.papers.jsonl")

    let first = try papersift.start(["import", TestFiles.benchmarkDay.path])
    let second = try papersift.start(["import", otherDay.path])
    let results = [try PaperSiftProcess.finish(first), try PaperSiftProcess.finish(second)]

    for result in results {
      #expect(result.status == 0, "stderr: \(result.errorOutput)")
      #expect(!result.errorOutput.contains("locked"))
    }
    let listing = try Self.listed(try papersift.run(["papers", "--date", "2025-05-06", "--json"]))
    #expect(listing.count == 316)
    let firstDay = try Self.listed(try papersift.run(["papers", "--date", "2025-05-05", "--json"]))
    #expect(firstDay.count == 176)
  }

  @Test(arguments: [
    ("import", ["--date", "--keep-replacements"]),
    ("fetch", ["--categories", "--keep-replacements", "--drop-cross"]),
    ("papers", ["--date", "--json"]),
  ])
  func helpListsEveryOption(command: String, options: [String]) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let help = try PaperSiftProcess(home: home).run([command, "--help"])

    #expect(help.status == 0)
    for option in options {
      #expect(help.output.contains("  \(option) "), "\(command) --help lacks \(option)")
    }
  }

  @Test func futureMonthIdSkippedOnImport() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    // 9912 is December 2099, which is in the future on any day before November 2099.
    let lines = ["2505.00001", "9912.00001"].map { JSONLinesDayParserTests.line($0) }

    let (imported, listing) = try Self.importDay(lines.joined(separator: "\n"), into: home)

    #expect(imported.status == 0, "stderr: \(imported.errorOutput)")
    #expect(
      imported.output
        == "2025-05-05.papers.jsonl: stored 1 paper of 2025-05-05 (1 new, 0 updated, "
        + "0 unchanged), skipped 1 line whose arXiv id has a month in the future (9912.00001).\n")
    #expect(
      imported.errorOutput.contains(
        "skipped paper=9912.00001 reason=\"new-style ids (YYMM.NNNNN) start at 0704 (April "
          + "2007), so its YYMM 9912 would be the month 2099-12, which is in the future\""))
    #expect(try Self.listed(listing).map(\.id) == ["2505.00001"])
  }
}

@Suite struct FetchCommandTests {
  static func configure(_ home: URL, server: LoopbackHTTPServer) throws {
    let config = """
      {"fetch": {"rssBaseURL": "\(server.baseURL)/rss", "maxAttempts": 2}}
      """
    try Data(config.utf8).write(to: home.appendingPathComponent("config.json"))
  }

  @Test func fetchStoresTheDay() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let body = try Data(contentsOf: try TestFiles.feed(TestFiles.rssDay))
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: body) }
    defer { server.stop() }
    try Self.configure(home, server: server)
    let papersift = try PaperSiftProcess(home: home)

    let fetched = try papersift.run(["fetch"])
    let dropped = try papersift.run(["fetch", "--drop-cross", "--categories", "cs.AI,cs.LG"])

    #expect(fetched.status == 0, "stderr: \(fetched.errorOutput)")
    #expect(
      fetched.output
        == "cs.LG+cs.AI feed: stored 176 papers of 2025-05-05 (176 new, 0 updated, "
        + "0 unchanged), skipped 6 replacements.\n")
    #expect(dropped.output.contains("stored 89 papers"))
    #expect(dropped.output.contains("skipped 6 replacements and 87 cross-lists"))
    #expect(server.requests.map(\.path) == ["/rss/cs.LG+cs.AI", "/rss/cs.AI+cs.LG"])
  }

  @Test func fetchKeepsNightWithIncompleteItems() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let feed = IncompleteFeedItemTests.rss([
      IncompleteFeedItemTests.rssItem(id: "2505.00001"),
      IncompleteFeedItemTests.rssItem(id: "2505.00002", title: ""),
      IncompleteFeedItemTests.rssItem(id: nil, link: "https://example.org/lost"),
    ])
    let server = try LoopbackHTTPServer { _ in .text(feed) }
    defer { server.stop() }
    try Self.configure(home, server: server)
    let papersift = try PaperSiftProcess(home: home)

    let fetched = try papersift.run(["fetch", "--categories", "cs.LG"])
    let listing = try papersift.run(["papers", "--date", "2025-05-05", "--json"])

    #expect(fetched.status == 0, "stderr: \(fetched.errorOutput)")
    #expect(
      fetched.output
        == "cs.LG feed: stored 2 papers of 2025-05-05 (2 new, 0 updated, 0 unchanged), "
        + "skipped 1 item without an arXiv id.\n")
    #expect(
      fetched.errorOutput.contains("empty title, abstract or author list; kept paper=2505.00002"))
    #expect(fetched.errorOutput.contains("no arXiv id; skipped position=3"))
    #expect(fetched.errorOutput.contains("link=https://example.org/lost"))
    #expect(fetched.errorOutput.contains("without an arXiv id skipped=1 items=3"))
    #expect(try ImportCommandTests.listed(listing).map(\.id) == ["2505.00001", "2505.00002"])
  }

  @Test func emptyFeedExitsZero() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let body = try Data(contentsOf: try TestFiles.feed(TestFiles.rssEmpty))
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: body) }
    defer { server.stop() }
    try Self.configure(home, server: server)

    let fetched = try PaperSiftProcess(home: home).run(["fetch", "--categories", "cs.LG"])

    #expect(fetched.status == 0)
    #expect(
      fetched.output
        == "No papers in the cs.LG feed of 2025-05-05: arXiv announces nothing on weekends "
        + "and holidays.\n")
  }

  @Test func serverErrorExitsOne() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let server = try LoopbackHTTPServer { _ in
      .text("down", status: 503, headers: [("Retry-After", "0")])
    }
    defer { server.stop() }
    try Self.configure(home, server: server)

    let fetched = try PaperSiftProcess(home: home).run(["fetch"])

    #expect(fetched.status == 1)
    #expect(fetched.errorOutput.contains("Unable to download the arXiv feed"))
    #expect(fetched.errorOutput.contains("HTTP status 503"))
    #expect(server.requests.count == 2)
  }

}
