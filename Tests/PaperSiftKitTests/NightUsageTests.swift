import Foundation
import Testing

@testable import PaperSiftKit

/// Checks the cost of a night's LLM requests, as the digest and the summary line report it.
@Suite(.serialized) struct NightUsageTests {
  /// Writes the bundled topics file with one Irrelevant line changed, which
  /// the LLM reads and the prefilter ignores: the prompt changes, and the
  /// ranking does not.
  static func editedTopics(in folder: URL) throws -> URL {
    let text = try String(contentsOf: NightFixtures.topicsFile, encoding: .utf8)
    let line = "Incremental improvements or trend-following without novel insights."
    #expect(text.contains(line))
    let edited = text.replacingOccurrences(of: line, with: "Incremental improvements.")
    return try TestFiles.write(edited, named: "topics-edited.md", in: folder)
  }

  @Test func noLLMAfterTopicsEditShowsNightSpend() throws {
    let night = try Self.miniNight()
    defer { night.close() }
    let (home, server, day) = (night.home, night.server, night.day)
    let papersift = try PaperSiftProcess(home: home)
    let (scored, paid, requests) = try night.scoreOnce()
    let topics = try Self.editedTopics(in: home)

    let again = try papersift.run(
      ["run", "--input", day.path, "--topics", topics.path, "--top", "12", "--no-llm"])

    #expect(scored.status == 0, "stderr: \(scored.errorOutput)")
    #expect(again.status == 0, "stderr: \(again.errorOutput)")
    #expect(server.requests.count == requests)
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.skippedLLM?.reason == "--no-llm was given")
    #expect(digest.counts.scored == 0)
    // The night paid for the first run's requests, whose scores are of the old prompt.
    #expect(paid.usage.totalDollars > 0)
    #expect(digest.usage == paid.usage)
    #expect(digest.costSaved?.paidDollars == 0)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(
      markdown.contains(
        "Earlier runs of this night paid for LLM requests, although this digest shows none of "
          + "their scores:\n\n"
          + MarkdownDigest.usageTable(paid.usage)))
    // The ranking is the same, so the 12 papers above the cutoff and the 5
    // of the audit sample are those that the first run scored.
    #expect(
      again.errorOutput.contains(
        "notice [run] Papers chosen for the LLM have scores from another prompt (the topics "
          + "file, llm.jsonMode or PaperSift's rubric changed); they are not used. Run without "
          + "--no-llm to score them again papers=17 model=gpt-4o-mini\n"))
    let dollars = String(format: "$%.4f", paid.usage.totalDollars)
    #expect(
      again.errorOutput.contains(
        "LLM stage skipped (--no-llm was given), \(paid.usage.totalTokens) tokens, \(dollars) "
          + "($0.0000 this run)"))
  }

  /// Creates a night of 40 papers scored with gpt-4o-mini, whose server
  /// reports `usage` for each request, or derives the counts when it is nil.
  static func miniNight(usage: TokenUsage? = nil) throws -> SmallNight {
    try SmallNight(papers: 40, model: "gpt-4o-mini", usage: usage)
  }

  /// Returns the dollars of `usage` at gpt-4o-mini's built-in prices: $0.15
  /// per million uncached prompt tokens, $0.075 cached and $0.60 completion.
  static func miniDollars(_ usage: TokenUsage) -> Double {
    let uncached = usage.promptTokens - usage.cachedPromptTokens
    return
      (Double(uncached) * 0.15 + Double(usage.cachedPromptTokens) * 0.075
      + Double(usage.completionTokens) * 0.60) / 1_000_000
  }

  @Test func rescoreAfterTopicsEditCountsBothPrompts() throws {
    let night = try Self.miniNight()
    defer { night.close() }
    let (home, server, day) = (night.home, night.server, night.day)
    let papersift = try PaperSiftProcess(home: home)
    let first = try papersift.run(NightFixtures.runArguments(day, ["--top", "12"]))
    let topics = try Self.editedTopics(in: home)

    let second = try papersift.run(
      ["run", "--input", day.path, "--topics", topics.path, "--top", "12"])

    #expect(first.status == 0, "stderr: \(first.errorOutput)")
    #expect(second.status == 0, "stderr: \(second.errorOutput)")
    // Each run sends the 12 papers above the cutoff and the 5 of the audit
    // in two batches of at most 10.
    #expect(server.requests.count == 4)
    let runs = RunStore(
      database: try Database(path: home.appendingPathComponent("papersift.sqlite").path))
    let firstRun = try #require(try runs.run(1))
    let secondRun = try #require(try runs.run(2))
    #expect(firstRun.usage.promptTokens > 0)
    #expect(secondRun.usage.promptTokens > 0)
    let digest = try NightFixtures.digest(in: home)
    // The usage is the night's: the requests under both prompts.
    #expect(digest.usage.promptTokens == firstRun.usage.promptTokens + secondRun.usage.promptTokens)
    #expect(
      digest.usage.completionTokens
        == firstRun.usage.completionTokens + secondRun.usage.completionTokens)
    let nightDollars = Self.miniDollars(firstRun.usage) + Self.miniDollars(secondRun.usage)
    #expect(abs(digest.usage.totalDollars - nightDollars) < 1e-12)
    // A scored paper is priced by the requests under the new prompt alone.
    let cost = try #require(digest.costSaved)
    #expect(abs(cost.paidDollars - Self.miniDollars(secondRun.usage)) < 1e-12)
    // The digest rounds dollars to 10 decimals.
    #expect(abs(cost.dollarsPerPaper - Self.miniDollars(secondRun.usage) / 17) < 1e-10)
  }

  @Test func runShareMatchesNightTotal() throws {
    // Each batch reports 500 prompt and 1000 completion tokens, which cost
    // (500 × 0.15 + 1000 × 0.60) / 10^6 = $0.000675 at gpt-4o-mini's prices.
    // Two such batches make $0.00135, halfway between $0.0013 and $0.0014.
    // A sum of the two batch costs is 0.00135 in binary and prints $0.0014,
    // but the price of the summed tokens is 0.0013499999999999999 and would
    // print $0.0013. Amounts are rounded to 10 decimals before they are
    // printed, so both print $0.0014, in the summary and in the digest.
    let night = try Self.miniNight(usage: TokenUsage(promptTokens: 500, completionTokens: 1_000))
    defer { night.close() }
    let (home, server, day) = (night.home, night.server, night.day)

    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--top", "12"]))

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    // 12 papers above the cutoff and 5 for the audit go in batches of 10 and 7.
    #expect(server.requests.count == 2)
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.usage.totalTokens == 3_000)
    #expect(result.errorOutput.contains("3000 tokens, $0.0014 ($0.0014 this run)"))
    let markdown = try NightFixtures.markdown(in: home)
    #expect(markdown.contains("| **Cost**  | $0.0001 | $0.0000         | $0.0012    | $0.0014 |"))
  }

  @Test func largerCutoffRunPricesEveryScoredPaper() throws {
    // Each request reports 1000 prompt and 100 completion tokens, which cost
    // (1000 × 0.15 + 100 × 0.60) / 10^6 = $0.00021 at gpt-4o-mini's prices.
    let night = try Self.miniNight(usage: TokenUsage(promptTokens: 1_000, completionTokens: 100))
    defer { night.close() }
    let (home, server, day) = (night.home, night.server, night.day)
    let papersift = try PaperSiftProcess(home: home)

    // The default cutoff sends ceil(0.36 × 40) = 15 papers and 5 for the
    // audit: 20 papers in 2 requests.
    let first = try papersift.run(NightFixtures.runArguments(day))
    let firstDigest = try NightFixtures.digest(in: home)
    let firstMarkdown = try NightFixtures.markdown(in: home)
    // --top 40 chooses every paper and sends the 20 without a score in 2 requests.
    let larger = try papersift.run(NightFixtures.runArguments(day, ["--top", "40"]))
    let largerMarkdown = try NightFixtures.markdown(in: home)
    // The default cutoff again: its 20 papers have scores, so nothing is sent.
    let again = try papersift.run(NightFixtures.runArguments(day))

    for result in [first, larger, again] {
      #expect(result.status == 0, "stderr: \(result.errorOutput)")
    }
    #expect(server.requests.count == 4)
    #expect(Set(server.idsPerRequest.flatMap { $0 }).count == 40)
    let firstCost = try #require(firstDigest.costSaved)
    #expect(firstCost.paidScoredPapers == 20)
    #expect(abs(firstCost.dollarsPerPaper - 0.000_42 / 20) < 1e-15)
    #expect(
      firstMarkdown.contains(
        "Scoring 20 papers of 40 cost $0.0004. Scoring all 40 at the same cost per paper would "
          + "have cost about $0.0008, so the cutoff saved about $0.0004."))
    #expect(
      largerMarkdown.contains(
        "Scoring 40 papers of 40 cost $0.0008. The cutoff chose every paper of the night, so "
          + "it saved nothing."))

    // The night paid 4 × $0.00021 = $0.00084 for 40 scored papers, $0.000021
    // a paper: about $0.00084 for the night and $0.00042 for the 20 chosen.
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.counts.chosen == 20)
    #expect(digest.counts.scored == 20)
    let cost = try #require(digest.costSaved)
    #expect(cost.scoredPapers == 20)
    #expect(cost.paidScoredPapers == 40)
    #expect(abs(cost.paidDollars - 0.000_84) < 1e-15)
    #expect(abs(cost.dollarsPerPaper - 0.000_021) < 1e-15)
    #expect(abs(cost.allPapersDollars - 0.000_84) < 1e-15)
    #expect(abs(cost.chosenPapersDollars - 0.000_42) < 1e-15)
    #expect(abs(cost.savedDollars - 0.000_42) < 1e-15)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(
      markdown.contains(
        "The night's requests under this model and prompt cost $0.0008 and scored 40 papers of "
          + "the night, more than the 20 papers chosen at this cutoff, because other runs of the "
          + "night chose other papers too. At their cost per scored paper, "
          + "scoring all 40 papers of the night would cost about $0.0008 and scoring the 20 "
          + "chosen about $0.0004, so this cutoff would save about $0.0004."))
  }
}
