import Foundation
import Testing

@testable import PaperSiftKit

/// `papersift run --date D` against a loopback arXiv feed of 2025-05-05: a
/// stored night is ranked as stored without the feed, and a day that is
/// neither stored nor the feed's day stops the run with exit status 2.
@Suite struct RunDateTests {
  /// A home folder whose feed server serves three papers of 2025-05-05.
  struct FeedHome {
    let home: URL
    let feed: LoopbackHTTPServer

    init() throws {
      home = try TestFiles.temporaryFolder()
      let items = ["2505.00001", "2505.00002", "2505.00003"].map { (id: String) in
        IncompleteFeedItemTests.rssItem(id: id, title: "Sparse attention \(id)")
      }
      let body = IncompleteFeedItemTests.rss(items)
      feed = try LoopbackHTTPServer { _ in .text(body) }
      try NightFixtures.configure(home: home, llmBaseURL: nil, rssBaseURL: feed.baseURL + "/rss")
    }

    func run(_ extra: [String]) throws -> PaperSiftProcess.Result {
      try PaperSiftProcess(home: home).run(
        ["run", "--no-llm", "--topics", NightFixtures.topicsFile.path] + extra)
    }

    func close() {
      feed.stop()
      try? FileManager.default.removeItem(at: home)
    }
  }

  @Test func otherDayThanFeedIsRejected() throws {
    let setup = try FeedHome()
    defer { setup.close() }

    let result = try setup.run(["--date", "2025-05-02"])

    #expect(result.status == 2, "stderr: \(result.errorOutput)")
    #expect(
      result.errorOutput.hasSuffix(
        "error: --date 2025-05-02 is not the day of the arXiv feed, 2025-05-05, and no paper "
          + "announced on 2025-05-02 is stored. Pass --date 2025-05-05 or leave --date out to "
          + "rank the feed's day, or import the listing of 2025-05-02 with --input FILE.\n"),
      "stderr: \(result.errorOutput)")
    #expect(result.output.isEmpty)
    #expect(setup.feed.requests.count == 1)
    // The feed's papers are stored all the same, for a run of their day.
    let listing = try PaperSiftProcess(home: setup.home).run(
      ["papers", "--date", "2025-05-05", "--json"])
    #expect(try ImportCommandTests.listed(listing).count == 3)
  }

  @Test func futureDayIsRejectedBeforeFetching() throws {
    let setup = try FeedHome()
    defer { setup.close() }

    let result = try setup.run(["--date", "2099-01-01"])

    #expect(result.status == 2, "stderr: \(result.errorOutput)")
    #expect(
      result.errorOutput.contains(
        "error: Invalid --date 2099-01-01: arXiv has announced nothing on that day yet"),
      "stderr: \(result.errorOutput)")
    #expect(!result.errorOutput.contains("No new papers"))
    #expect(setup.feed.requests.isEmpty)
  }

  @Test func feedDayIsFetchedAndRanked() throws {
    let setup = try FeedHome()
    defer { setup.close() }

    let result = try setup.run(["--date", "2025-05-05"])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(setup.feed.requests.count == 1)
    let digest = try NightFixtures.digest(in: setup.home)
    #expect(digest.counts.papers == 3)
  }

  /// A stored night is ranked again without a request to the feed.
  @Test func storedNightSkipsFeed() throws {
    let setup = try FeedHome()
    defer { setup.close() }
    _ = try NightFixtures.importSmallDay(8, into: setup.home)

    let result = try setup.run(["--date", "2025-05-05"])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(setup.feed.requests.isEmpty)
    #expect(
      result.errorOutput.contains(
        "Ranking the stored night without fetching the feed date=2025-05-05 papers=8"),
      "stderr: \(result.errorOutput)")
    #expect(try NightFixtures.digest(in: setup.home).counts.papers == 8)
  }

  /// Offline, the default feed URL of the test configuration refuses the
  /// connection, and the stored night is ranked all the same.
  @Test func storedNightRanksOffline() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try NightFixtures.configure(home: home, llmBaseURL: nil)
    _ = try NightFixtures.importSmallDay(8, into: home)
    let papersift = try PaperSiftProcess(home: home)
    let arguments = ["run", "--no-llm", "--topics", NightFixtures.topicsFile.path]

    let stored = try papersift.run(arguments + ["--date", "2025-05-05"])
    let fetching = try papersift.run(arguments)

    #expect(stored.status == 0, "stderr: \(stored.errorOutput)")
    #expect(try NightFixtures.digest(in: home).counts.papers == 8)
    #expect(stored.output.hasSuffix("digest-2025-05-05.json\n"))
    // Without --date the run needs the feed, which is unreachable.
    #expect(fetching.status == 1, "stderr: \(fetching.errorOutput)")
    #expect(fetching.errorOutput.contains("Unable to download the arXiv feed"))
  }

  @Test func futureDayIsRejectedByScoreAndImport() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try NightFixtures.configure(home: home, llmBaseURL: nil)
    let atom = try TestFiles.feed("atom-id_list-2025-05-05.xml")
    let papersift = try PaperSiftProcess(home: home)

    let scored = try papersift.run(
      ["score", "--topics", NightFixtures.topicsFile.path, "--date", "2099-12-31", atom.path])
    let imported = try papersift.run(["import", "--date", "2099-12-31", atom.path])

    for result in [scored, imported] {
      #expect(result.status == 2, "stderr: \(result.errorOutput)")
      #expect(
        result.errorOutput.contains(
          "error: Invalid --date 2099-12-31: arXiv has announced nothing on that day yet"),
        "stderr: \(result.errorOutput)")
    }
    let database = try Database(path: home.appendingPathComponent("papersift.sqlite").path)
    #expect(try database.scalar("SELECT COUNT(*) FROM runs") == .integer(0))
    #expect(try database.scalar("SELECT COUNT(*) FROM papers") == .integer(0))
  }

  // MARK: - The latest announcement day

  /// Returns the instant `text`, an ISO 8601 time in UTC.
  private static func instant(_ text: String) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: text))
  }

  @Test(arguments: [
    // 19:30 on May 4 in New York (EDT, UTC-4): the listing of May 5 is
    // announced at 20:00, so May 5 is the latest day.
    ("2025-05-04T23:30:00Z", "2025-05-05"),
    // 23:00 on May 4 in New York, already May 5 in UTC.
    ("2025-05-05T03:00:00Z", "2025-05-05"),
    // Noon on New Year's Eve in New York (EST, UTC-5).
    ("2025-12-31T17:00:00Z", "2026-01-01"),
    // 03:00 UTC on February 29 is still February 28 in New York.
    ("2024-02-29T03:00:00Z", "2024-02-29"),
  ])
  func latestDayIsTomorrowInNewYork(now: String, latest: String) throws {
    #expect(NightlyRun.latestAnnouncementDay(now: try Self.instant(now)) == latest)
  }

  @Test func checkAnnouncedAcceptsUpToTomorrow() throws {
    let now = try Self.instant("2025-05-04T23:30:00Z")
    #expect(throws: Never.self) { try NightlyRun.checkAnnounced("2025-05-05", now: now) }
    #expect(throws: Never.self) { try NightlyRun.checkAnnounced("2007-04-02", now: now) }
    #expect(throws: Never.self) { try NightlyRun.checkAnnounced(nil, now: now) }
    let error = #expect(throws: PaperSiftError.self) {
      try NightlyRun.checkAnnounced("2025-05-06", option: "--date", now: now)
    }
    #expect(error?.code == .invalidInput)
    #expect(
      error?.message
        == "Invalid --date 2025-05-06: arXiv has announced nothing on that day yet (the latest "
        + "possible announcement day is 2025-05-05, tomorrow in New York). Pass the day the "
        + "papers were announced, or leave --date out.")
  }
}
