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
    let night = try SmallNight(papers: 40, model: "gpt-4o-mini")
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

  /// Returns the dollars of `usage` at gpt-4o-mini's built-in prices: $0.15
  /// per million uncached prompt tokens, $0.075 cached and $0.60 completion.
  static func miniDollars(_ usage: TokenUsage) -> Double {
    let uncached = usage.promptTokens - usage.cachedPromptTokens
    return
      (Double(uncached) * 0.15 + Double(usage.cachedPromptTokens) * 0.075
      + Double(usage.completionTokens) * 0.60) / 1_000_000
  }

  @Test func rescoreAfterTopicsEditCountsBothPrompts() throws {
    let night = try SmallNight(papers: 40, model: "gpt-4o-mini")
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
    #expect(abs(cost.dollarsPerPaper - Self.miniDollars(secondRun.usage) / 17) < 1e-12)
  }

  @Test func runShareMatchesNightTotal() throws {
    // Each batch reports 500 prompt and 1000 completion tokens, which cost
    // (500 × 0.15 + 1000 × 0.60) / 10^6 = $0.000675 at gpt-4o-mini's prices.
    // Two such batches make $0.00135, halfway between $0.0013 and $0.0014.
    // A sum of the two batch costs is 0.00135 in binary and prints $0.0014,
    // but the price of the summed tokens is 0.0013499999999999999 and
    // prints $0.0013: the two sums must be the same computation.
    let night = try SmallNight(
      papers: 40, model: "gpt-4o-mini",
      usage: TokenUsage(promptTokens: 500, completionTokens: 1_000))
    defer { night.close() }
    let (home, server, day) = (night.home, night.server, night.day)

    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--top", "12"]))

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    // 12 papers above the cutoff and 5 for the audit go in batches of 10 and 7.
    #expect(server.requests.count == 2)
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.usage.totalTokens == 3_000)
    let dollars = String(format: "$%.4f", digest.usage.totalDollars)
    #expect(result.errorOutput.contains("3000 tokens, \(dollars) (\(dollars) this run)"))
  }
}
