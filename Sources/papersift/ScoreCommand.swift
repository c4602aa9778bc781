import Foundation
import PaperSiftKit

/// `papersift score`: scores papers from a JSON Lines file with the
/// configured LLM and prints each score, what stayed unscored, and the cost.
enum ScoreCommand: Command {
  static let spec = CommandSpec(
    name: "score",
    abstract: "Score the papers of a feed or JSON Lines file with the configured LLM.",
    discussion: """
      FILE is an arXiv RSS feed, an arXiv API Atom response, or a JSON Lines file with one
      paper a line, as in Data/benchmark/*.papers.jsonl. Papers already scored under the same
      model and prompt are not sent again. The API key is read from the variable named in
      llm.apiKeyVariable. On SIGINT or SIGTERM it waits for the response to the request in
      flight (up to llm.requestTimeout, or until a second signal), stores it, records the
      run as interrupted and exits with 130 or 143.
      """,
    options: [
      .value(
        "--topics", "FILE", help: "The topics file (default: ranking.topicsFile in the home)."),
      RunCommand.budgetOption,
      .value("--limit", "N", help: "Score only the first N papers of the file (1 or more)."),
      .value(
        "--date", "YYYY-MM-DD",
        help: "The day the run is stored under: the file's day when it gives one "
          + "(the default), else today in New York."),
      .value("--llm-model", "MODEL", help: "The chat model to score with (default: llm.model)."),
      .value(
        "--llm-base-url", "URL",
        help: "The OpenAI-compatible API base URL, e.g. http://localhost:11434/v1 for Ollama."),
      RunCommand.waitOption,
    ],
    positionals: "FILE")

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    guard arguments.positionals.count == 1, let file = arguments.positionals.first else {
      throw PaperSiftError(.invalidInput, "Pass exactly one papers file, such as day.papers.jsonl.")
    }
    let budget = try arguments.double("--budget", in: 0 ... .infinity)
    let limit = try arguments.int("--limit", in: ParsedArguments.paperCounts)
    let lockWait = try RunCommand.lockWaitSeconds(arguments)
    let dateOption = try ImportCommand.validatedDate(arguments.string("--date"))

    let configuration = context.configuration
    let topicsURL = TopicsCommand.topicsURL(
      arguments.string("--topics").map { ($0 as NSString).expandingTildeInPath },
      context: context)
    let topics = try TopicsFile.read(from: topicsURL, ifUnreadable: TopicsFile.unreadableAdvice)
      .text
    var settings = configuration.llm
    try settings.apply(
      model: arguments.string("--llm-model"), baseURL: arguments.string("--llm-base-url"))
    let document = try readDocument(file)
    try NightlyRun.checkDate(
      dateOption, matchesDayOf: document,
      file: URL(fileURLWithPath: (file as NSString).expandingTildeInPath))
    // An Atom or JSON Lines file may give no day, and then --date alone
    // names the night, which must be one arXiv can have announced.
    try NightlyRun.checkAnnounced(dateOption)
    var papers = document.papers
    if let limit { papers = Array(papers.prefix(limit)) }
    let date = dateOption ?? document.date ?? today(file: document.source)
    let database = try context.openDatabase()
    // Scoring records runs like the nightly job, so the two never overlap.
    let lock = try RunLock(url: context.home.runLockURL, timeout: lockWait)
    defer { withExtendedLifetime(lock) {} }
    // On SIGINT or SIGTERM the paid response in flight is stored first.
    let interruption = RunInterruption(
      databasePath: context.home.databaseURL.path, lock: lock,
      waitSeconds: settings.requestTimeout, command: "score")
    defer { interruption.cancel() }
    let scorer = try LLMScorer(settings: settings, topics: topics, database: database)
    scorer.requestGate = interruption.requestGate
    let runs = RunStore(database: database)
    // Holding the lock, so a run still marked running was cut short.
    try runs.markUnfinishedRunsInterrupted()
    let runID = try runs.startRun(
      date: date, model: settings.model, promptHash: scorer.promptHash, budgetUSD: budget,
      command: .score)
    // Every paper of the file is chosen for the LLM, as if above a cut-off.
    try runs.recordChosenPapers(runID, papers: papers.count, aboveCutoff: papers.count, audited: 0)

    let result: ScoringResult
    do {
      result = try scorer.score(papers, runID: runID, budgetUSD: budget)
    } catch {
      try? runs.finishRun(runID, status: .failed)
      throw error
    }
    let status: RunStatus = result.unscored.isEmpty ? .ok : .partial
    try runs.finishRun(runID, status: status)
    printReport(result, model: settings.model)
    return status == .ok ? .success : .partial
  }

  private static func printReport(_ result: ScoringResult, model: String) {
    for score in result.scores {
      print("\(score.paperID)\tR\(score.relevance)\tN\(score.novelty)\t\(score.comment)")
    }
    for paper in result.unscored {
      print("\(paper.paperID)\tunscored\t\(paper.reason)")
    }
    let usage = result.usage
    var cost = result.priceKnown ? String(format: "$%.4f", result.costUSD) : "unknown (no price)"
    if result.estimatedRequests > 0 {
      cost +=
        ", tokens and cost estimated for \(result.estimatedRequests) of the batches, because "
        + "their responses reported no usage"
    }
    print(
      "\(result.scores.count) scored (\(result.cachedIDs.count) already stored), "
        + "\(result.unscored.count) unscored, \(result.requests) "
        + "\(result.requests == 1 ? "request" : "requests") sent to \(model), counting a batch "
        + "sent again as a new request and a request retried after an HTTP error once: "
        + "\(usage.promptTokens) prompt tokens "
        + "(\(usage.cachedPromptTokens) cached), \(usage.completionTokens) completion tokens, "
        + "cost \(cost)")
  }

  private static func readDocument(_ path: String) throws -> FeedDocument {
    let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
    return try FeedReader.read(contentsOf: url)
  }

  /// Returns the day a run on a file without an announcement day is stored
  /// under, and logs that choice.
  private static func today(file: String) -> String {
    let date = NightlyRun.today()
    Logger(label: "score").notice(
      "The file gives no announcement day, so the run is stored under today's date in New York; "
        + "pass --date YYYY-MM-DD to choose the day",
      [("date", date), ("file", file)])
    return date
  }
}
