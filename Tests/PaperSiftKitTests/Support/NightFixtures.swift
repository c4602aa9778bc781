import Foundation
import Testing

@testable import PaperSiftKit

/// Home folders for end-to-end runs of the `papersift` executable.
enum NightFixtures {
  /// Writes the first `count` papers of the real day 2025-05-05 as a JSON Lines file.
  static func smallDay(_ count: Int, in folder: URL) throws -> URL {
    let text = try String(contentsOf: TestFiles.benchmarkDay, encoding: .utf8)
    let lines = text.split(separator: "\n").prefix(count).joined(separator: "\n") + "\n"
    return try TestFiles.write(lines, named: "2025-05-05.papers.jsonl", in: folder)
  }

  static var topicsFile: URL {
    TestFiles.repositoryRoot.appendingPathComponent("Data/topics/topics.md")
  }

  /// Writes a `config.json` into `home` that uses the installed model, scores
  /// with `model` at the server at `llmBaseURL` in batches of `batchSize`, and
  /// keeps the digests in `home/digests`. A model in the built-in price table
  /// is priced even on a loopback server. The feed comes from `rssBaseURL`,
  /// by default a loopback port that refuses connections, in one attempt, and
  /// the arXiv API from that port too, so that no run reaches arxiv.org.
  static func configure(
    home: URL, llmBaseURL: String?, batchSize: Int = 10, apiKeyVariable: String = "",
    model: String = "fake-model", rssBaseURL: String = "http://127.0.0.1:9/rss"
  ) throws {
    var configuration = Configuration()
    configuration.fetch.rssBaseURL = rssBaseURL
    configuration.fetch.apiBaseURL = "http://127.0.0.1:9/api/query"
    configuration.fetch.maxAttempts = 1
    configuration.embedding.modelDirectory = EncoderFixtures.modelDirectory.path
    configuration.llm.baseURL = llmBaseURL ?? "http://127.0.0.1:9/v1"
    configuration.llm.model = model
    configuration.llm.apiKeyVariable = apiKeyVariable
    configuration.llm.batchSize = batchSize
    configuration.llm.maxAttempts = 2
    configuration.llm.retryBaseDelay = 0.05
    configuration.llm.retryMaxDelay = 0.1
    configuration.llm.requestTimeout = 20
    configuration.run.outputFolder = home.appendingPathComponent("digests").path
    try configuration.save(to: home.appendingPathComponent("config.json"))
  }

  /// Imports the first `count` papers of 2025-05-05 into `home` and returns
  /// the `papers --json` listing of that night.
  static func importSmallDay(_ count: Int, into home: URL) throws
    -> [ListedPaper]
  {
    let day = try smallDay(count, in: home)
    let papersift = try PaperSiftProcess(home: home)
    let imported = try papersift.run(["import", day.path])
    #expect(imported.status == 0, "stderr: \(imported.errorOutput)")
    return try ImportCommandTests.listed(
      try papersift.run(["papers", "--date", "2025-05-05", "--json"]))
  }

  /// Returns the digest of `date` decoded from its JSON file.
  static func digest(in home: URL, date: String = "2025-05-05") throws -> DigestContent {
    let url = home.appendingPathComponent("digests/digest-\(date).json")
    return try JSONDigest.decode(try Data(contentsOf: url))
  }

  /// Returns the first run recorded in the database of `home`.
  static func firstRun(in home: URL) throws -> RunRecord {
    let database = try Database(path: home.appendingPathComponent("papersift.sqlite").path)
    return try #require(try RunStore(database: database).run(1))
  }

  static func markdown(in home: URL, date: String = "2025-05-05") throws -> String {
    try String(
      contentsOf: home.appendingPathComponent("digests/digest-\(date).md"), encoding: .utf8)
  }

  /// Returns the run arguments for `input` with the bundled topics file.
  static func runArguments(_ input: URL, _ extra: [String] = []) -> [String] {
    ["run", "--input", input.path, "--topics", topicsFile.path] + extra
  }
}

/// A home folder configured for a loopback fake chat server, with a day file
/// of the first papers of 2025-05-05. ``close()`` stops the server and
/// removes the folder.
struct SmallNight {
  let home: URL
  let server: FakeChatServer
  let day: URL

  /// Creates the night of the first `papers` papers, scored with `model` by
  /// a server whose every response reports `usage`, or the counts that
  /// ``FakeChatServer`` derives from each request when `usage` is nil.
  init(papers: Int, model: String = "fake-model", usage: TokenUsage? = nil) throws {
    home = try TestFiles.temporaryFolder()
    server = try FakeChatServer(replies: [], usage: usage)
    try NightFixtures.configure(home: home, llmBaseURL: server.baseURL, model: model)
    day = try NightFixtures.smallDay(papers, in: home)
  }

  /// Runs the night once with the LLM on its top 12 papers, and returns the
  /// run's result, its digest and the requests the server received.
  func scoreOnce() throws -> (result: PaperSiftProcess.Result, digest: DigestContent, requests: Int)
  {
    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--top", "12"]))
    return (result, try NightFixtures.digest(in: home), server.requests.count)
  }

  func close() {
    server.stop()
    try? FileManager.default.removeItem(at: home)
  }
}

/// A run of 20 papers in batches of 4 against a fake server whose first
/// reply comes at once and every later one after `replyDelay` seconds,
/// started and stopped while its second batch is in flight. The run is
/// `papersift run --top 12`, or `papersift score` of the 20 papers when
/// `scoreCommand` is true.
struct SecondBatchInFlight {
  let home: URL
  let server: FakeChatServer
  let started: (Process, URL, URL)

  init(replyDelay: Double, scoreCommand: Bool = false) throws {
    try self.init(secondReply: .tooSlow(replyDelay), scoreCommand: scoreCommand)
  }

  /// Starts the run with `secondReply` for the second request and a
  /// well-formed reply for every later one.
  init(secondReply: FakeReply, scoreCommand: Bool = false) throws {
    home = try TestFiles.temporaryFolder()
    let later: FakeReply
    if case .tooSlow = secondReply { later = secondReply } else { later = .wellFormed }
    server = try FakeChatServer(replies: [.wellFormed, secondReply], then: later)
    try NightFixtures.configure(home: home, llmBaseURL: server.baseURL, batchSize: 4)
    let day = try NightFixtures.smallDay(20, in: home)
    let arguments =
      scoreCommand
      ? ["score", "--topics", NightFixtures.topicsFile.path, day.path]
      : NightFixtures.runArguments(day, ["--top", "12"])
    started = try PaperSiftProcess(home: home).start(arguments)
    server.waitForRequests(2)
    Thread.sleep(forTimeInterval: 0.3)
  }

  var database: Database {
    get throws { try Database(path: home.appendingPathComponent("papersift.sqlite").path) }
  }

  func close() {
    server.stop()
    try? FileManager.default.removeItem(at: home)
  }
}
