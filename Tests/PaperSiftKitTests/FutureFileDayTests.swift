import Foundation
import Testing

@testable import PaperSiftKit

/// The day of a JSON Lines file's name or of an RSS pubDate, checked like
/// `--date`. A day that arXiv has not announced yet stops `import`, `score`,
/// `run --input` and a fetching `run` with exit status 2 before anything is
/// stored, and stored papers keep their day.
@Suite struct FutureFileDayTests {
  /// A home with the first 3 papers of 2025-05-05 stored, and the same
  /// papers written as `2099-01-01.papers.jsonl` and as an RSS feed whose
  /// pubDate is 5 May 2099.
  struct Setup {
    let home: URL
    let jsonLines: URL
    let feed: URL
    let papersift: PaperSiftProcess

    init(rssBaseURL: String = "http://127.0.0.1:9/rss") throws {
      home = try TestFiles.temporaryFolder()
      try NightFixtures.configure(home: home, llmBaseURL: nil, rssBaseURL: rssBaseURL)
      let stored = try NightFixtures.importSmallDay(3, into: home)
      #expect(stored.map(\.announced) == ["2025-05-05", "2025-05-05", "2025-05-05"])
      let day = try NightFixtures.smallDay(3, in: home)
      jsonLines = try TestFiles.write(
        try String(contentsOf: day, encoding: .utf8), named: "2099-01-01.papers.jsonl", in: home)
      feed = try TestFiles.write(Self.futureFeed, named: "rss-future.xml", in: home)
      papersift = try PaperSiftProcess(home: home)
    }

    /// Three papers of 2025-05-05 in a feed dated 5 May 2099.
    static let futureFeed = IncompleteFeedItemTests.rss(
      ["2505.00001", "2505.00002", "2505.00003"].map {
        IncompleteFeedItemTests.rssItem(id: $0)
      }
    ).replacingOccurrences(of: "05 May 2025", with: "05 May 2099")

    /// Checks that the stored papers are the 3 of 2025-05-05 as imported,
    /// and that no run was recorded.
    func expectNothingChanged() throws {
      let days = try papersift.run(["papers", "--json"])
      #expect(
        try ImportCommandTests.listed(days).map(\.announced).allSatisfy { $0 == "2025-05-05" })
      #expect(try ImportCommandTests.listed(days).count == 3)
      let database = try Database(path: home.appendingPathComponent("papersift.sqlite").path)
      #expect(try database.scalar("SELECT COUNT(*) FROM runs") == .integer(0))
      #expect(
        try database.scalar("SELECT COUNT(*) FROM announcements WHERE date > '2026'")
          == .integer(0))
    }

    func close() { try? FileManager.default.removeItem(at: home) }
  }

  static func expectRejected(
    _ result: PaperSiftProcess.Result, file: URL, day: String, origin: String
  ) {
    #expect(result.status == 2, "stderr: \(result.errorOutput)")
    #expect(
      result.errorOutput.contains(
        "error: '\(file.path)' gives the day \(day) (\(origin)), but arXiv has announced "
          + "nothing on that day yet (the latest possible announcement day is "
          + "\(NightlyRun.latestAnnouncementDay()), tomorrow in New York). Nothing was stored."),
      "stderr: \(result.errorOutput)")
    #expect(!result.output.contains("stored"))
  }

  @Test func importRejectsFutureFileDay() throws {
    let setup = try Setup()
    defer { setup.close() }

    let named = try setup.papersift.run(["import", setup.jsonLines.path])
    let fed = try setup.papersift.run(["import", setup.feed.path])

    Self.expectRejected(named, file: setup.jsonLines, day: "2099-01-01", origin: "its file name")
    Self.expectRejected(fed, file: setup.feed, day: "2099-05-05", origin: "its pubDate")
    try setup.expectNothingChanged()
  }

  @Test func scoreAndRunRejectFutureFileDay() throws {
    let setup = try Setup()
    defer { setup.close() }

    let scored = try setup.papersift.run(
      ["score", "--topics", NightFixtures.topicsFile.path, setup.jsonLines.path])
    let ran = try setup.papersift.run(
      NightFixtures.runArguments(setup.feed, ["--no-llm"]))

    Self.expectRejected(scored, file: setup.jsonLines, day: "2099-01-01", origin: "its file name")
    Self.expectRejected(ran, file: setup.feed, day: "2099-05-05", origin: "its pubDate")
    try setup.expectNothingChanged()
    let digests = setup.home.appendingPathComponent("digests")
    #expect(
      !FileManager.default.fileExists(
        atPath: digests.appendingPathComponent(
          "digest-2099-05-05.md"
        ).path))
  }

  /// A fetched feed dated in the future is rejected by URL and day.
  @Test func fetchedFutureFeedIsRejected() throws {
    let server = try LoopbackHTTPServer { _ in .text(Setup.futureFeed) }
    defer { server.stop() }
    let setup = try Setup(rssBaseURL: server.baseURL + "/rss")
    defer { setup.close() }

    let ran = try setup.papersift.run(
      ["run", "--no-llm", "--topics", NightFixtures.topicsFile.path])
    let fetched = try setup.papersift.run(["fetch"])

    for result in [ran, fetched] {
      #expect(result.status == 2, "stderr: \(result.errorOutput)")
      #expect(
        result.errorOutput.contains(
          "error: '\(server.baseURL)/rss/cs.LG+cs.AI' gives the day 2099-05-05 (its pubDate), "
            + "but arXiv has announced nothing on that day yet"),
        "stderr: \(result.errorOutput)")
      #expect(
        result.errorOutput.contains(
          "Check the system clock, and that fetch.rssBaseURL is the URL of an arXiv RSS feed"))
    }
    #expect(server.requests.count == 2)
    try setup.expectNothingChanged()
  }

  /// Tomorrow in New York is the latest day a file may give: at 19:30 on
  /// 4 May 2025 in New York, 2025-05-05 is accepted and 2025-05-06 is not.
  @Test func fileDayUpToTomorrowIsAccepted() throws {
    let now = try #require(ISO8601DateFormatter().date(from: "2025-05-04T23:30:00Z"))
    let line = Data(
      try String(contentsOf: TestFiles.benchmarkDay, encoding: .utf8)
        .split(separator: "\n")[0].utf8)

    let accepted = try FeedReader.parse(
      line, source: "a", fileName: "2025-05-05.papers.jsonl", now: now)
    let error = #expect(throws: PaperSiftError.self) {
      try FeedReader.parse(line, source: "b", fileName: "2025-05-06.papers.jsonl", now: now)
    }

    #expect(accepted.date == "2025-05-05")
    #expect(error?.code == .invalidInput)
    #expect(
      error?.message
        == "'b' gives the day 2025-05-06 (its file name), but arXiv has announced nothing on "
        + "that day yet (the latest possible announcement day is 2025-05-05, tomorrow in New "
        + "York). Nothing was stored. Check the system clock, and name a JSON Lines file after "
        + "the day its papers were announced, or pass arXiv's own feed.")
  }
}
