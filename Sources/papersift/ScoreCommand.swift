import Foundation
import PaperSiftKit

/// `papersift score`: scores papers from a JSON Lines file with the
/// configured LLM and prints each score, what stayed unscored, and the cost.
enum ScoreCommand: Command {
  static let spec = CommandSpec(
    name: "score",
    abstract: "Score papers from a JSON Lines file with the configured LLM.",
    discussion: """
      Each line of FILE is a paper: {"id", "title", "abstract", "authors": [...]}, as in
      Data/benchmark/*.papers.jsonl. Papers already scored under the same model and prompt
      are not sent again. The API key is read from the variable named in llm.apiKeyVariable.
      """,
    options: [
      .value("--topics", "FILE", help: "The topics file that describes your interests (required)."),
      .value(
        "--budget", "USD", help: "Send no batch whose estimated cost would cross USD dollars."),
      .value("--limit", "N", help: "Score only the first N papers of the file."),
      .value(
        "--date", "DAY", help: "The announcement day the run is stored under (default: today)."),
    ],
    positionals: "FILE")

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    guard arguments.positionals.count == 1, let file = arguments.positionals.first else {
      throw PaperSiftError(.invalidInput, "Pass exactly one papers file, such as day.papers.jsonl.")
    }
    guard let topicsPath = arguments.string("--topics") else {
      throw PaperSiftError(
        .invalidInput, "Missing --topics FILE: the topics file to score against.")
    }
    let budget = try arguments.double("--budget", in: 0 ... .infinity)
    let limit = try arguments.int("--limit", in: 1...Int.max)
    let date = arguments.string("--date") ?? String(Date().ISO8601Format().prefix(10))

    let topics = try readText(topicsPath, kind: "topics file")
    var papers = try readPapers(file)
    if let limit { papers = Array(papers.prefix(limit)) }
    let settings = try context.loadConfiguration().llm
    let database = try context.openDatabase()
    let scorer = try LLMScorer(settings: settings, topics: topics, database: database)
    let runs = RunStore(database: database)
    let runID = try runs.startRun(
      date: date, model: settings.model, promptHash: scorer.promptHash, budgetUSD: budget)

    let result: ScoringResult
    do {
      result = try scorer.score(papers, runID: runID, budgetUSD: budget)
    } catch {
      try? runs.finishRun(runID, status: .failed)
      throw error
    }
    let status: RunStatus = result.unscored.isEmpty ? .ok : .partial
    try runs.finishRun(
      runID, status: status, summary: RunSummary(papers: papers.count, sent: papers.count))
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
    let cost = result.priceKnown ? String(format: "$%.4f", result.costUSD) : "unknown (no price)"
    print(
      "\(result.scores.count) scored (\(result.cachedIDs.count) already stored), "
        + "\(result.unscored.count) unscored, \(result.requests) requests to \(model): "
        + "\(usage.promptTokens) prompt tokens (\(usage.cachedPromptTokens) cached), "
        + "\(usage.completionTokens) completion tokens, cost \(cost)")
  }

  private static func readText(_ path: String, kind: String) throws -> String {
    let expanded = (path as NSString).expandingTildeInPath
    do {
      return try String(contentsOfFile: expanded, encoding: .utf8)
    } catch {
      throw PaperSiftError(
        .notFound, "Unable to read the \(kind) '\(expanded)': \(error.localizedDescription).")
    }
  }

  /// One line of a papers file.
  private struct ListedPaper: Decodable {
    var id: String
    var title: String
    var abstract: String
    var authors: [String]?
    var categories: [String]?
  }

  private static func readPapers(_ path: String) throws -> [Paper] {
    let text = try readText(path, kind: "papers file")
    var papers: [Paper] = []
    for (index, line) in text.split(separator: "\n").enumerated()
    where !line.trimmingCharacters(in: .whitespaces).isEmpty {
      let listed: ListedPaper
      do {
        listed = try JSONDecoder().decode(ListedPaper.self, from: Data(line.utf8))
      } catch {
        throw PaperSiftError(
          .invalidInput,
          "Invalid paper on line \(index + 1) of '\(path)': expected a JSON object with id, "
            + "title and abstract.")
      }
      let identifier = try ArxivIdentifier(parsing: listed.id)
      papers.append(
        Paper(
          id: identifier.id, version: identifier.version ?? 1, title: listed.title,
          abstract: listed.abstract, authors: listed.authors ?? [],
          categories: listed.categories ?? []))
    }
    return papers
  }
}
