import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct CostTests {
  static let miniPrice = ModelPrice(input: 0.15, cachedInput: 0.075, output: 0.60)

  @Test func cachedTokensBillAtCachedPrice() {
    let usage = TokenUsage(
      promptTokens: 1_000_000, completionTokens: 100_000, cachedPromptTokens: 400_000)
    // 600k uncached at 0.15, 400k cached at 0.075, 100k output at 0.60, per million.
    #expect(abs(Self.miniPrice.cost(of: usage) - (0.09 + 0.03 + 0.06)) < 1e-12)
  }

  @Test func cachedAboveTotalIsCappedAtTotal() {
    let usage = TokenUsage(promptTokens: 100, completionTokens: 0, cachedPromptTokens: 500)
    #expect(abs(Self.miniPrice.cost(of: usage) - 100 * 0.075 / 1_000_000) < 1e-15)
  }

  @Test func usageAdds() {
    var total = TokenUsage(promptTokens: 1, completionTokens: 2, cachedPromptTokens: 3)
    total += TokenUsage(promptTokens: 10, completionTokens: 20, cachedPromptTokens: 30)
    #expect(total == TokenUsage(promptTokens: 11, completionTokens: 22, cachedPromptTokens: 33))
    #expect(total.totalTokens == 33)
  }

  @Test(arguments: [
    ("gpt-4o-mini", 0.15), ("GPT-4o-mini", 0.15), ("gpt-4o-mini-2024-07-18", 0.15),
    ("openai/gpt-4o", 2.50), ("gpt-4.1-nano", 0.10), ("gpt-5-mini-2025-08-07", 0.25),
    ("o4-mini", 1.10),
  ])
  func priceLookup(model: String, input: Double) {
    #expect(PriceTable.builtIn.price(for: model)?.input == input)
  }

  @Test(arguments: ["llama3.2", "gpt-4o-mini-tts", "o3-pro", ""])
  func unknownModelHasNoPrice(model: String) {
    #expect(PriceTable.builtIn.price(for: model) == nil)
  }

  @Test func dataFileMatchesBuiltInTable() throws {
    let url = ScoringFixtures.dataFolder.appendingPathComponent("prices.json")
    let table = try PriceTable.decode(Data(contentsOf: url), origin: url.path)
    #expect(table == PriceTable.builtIn)
    #expect(table.asOf.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil)
    #expect(table.source.hasPrefix("https://"))
    let expected = [
      "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-5", "gpt-5-mini",
      "gpt-5-nano", "o3", "o4-mini",
    ]
    #expect(table.models.keys.sorted() == expected.sorted())
    for (model, price) in table.models {
      #expect(price.cachedInput <= price.input, "\(model)")
      #expect(price.input < price.output, "\(model)")
    }
  }

  @Test func overrideFileReplacesTable() throws {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("prices-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: url) }
    let json = """
      {"as_of": "2026-01-01", "source": "my contract",
       "models": {"my-model": {"input": 1, "cached_input": 0.5, "output": 2}}}
      """
    try json.write(to: url, atomically: true, encoding: .utf8)
    var settings = LLMSettings()
    settings.pricesPath = url.path
    let table = try PriceTable.load(settings: settings)
    #expect(table.price(for: "my-model") == ModelPrice(input: 1, cachedInput: 0.5, output: 2))
    #expect(table.price(for: "gpt-4o") == nil)
  }

  @Test func invalidOverrideNamesFileAndKey() throws {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("prices-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: url) }
    try #"{"as_of": "2026-01-01", "source": "x", "models": {"m": {"input": 1}}}"#
      .write(to: url, atomically: true, encoding: .utf8)
    var settings = LLMSettings()
    settings.pricesPath = url.path
    let error = #expect(throws: PaperSiftError.self) { try PriceTable.load(settings: settings) }
    #expect(error?.message.contains(url.path) == true)
    #expect(error?.message.contains("cached_input") == true)
  }

  @Test func missingOverrideFileIsReported() {
    var settings = LLMSettings()
    settings.pricesPath = "/nonexistent/prices.json"
    let error = #expect(throws: PaperSiftError.self) { try PriceTable.load(settings: settings) }
    #expect(error?.message.contains("/nonexistent/prices.json") == true)
  }

  @Test func unlistedLocalModelIsFree() throws {
    var settings = LLMSettings()
    settings.baseURL = "http://localhost:11434/v1"
    settings.model = "llama3.2"
    settings.apiKeyVariable = ""
    let scorer = try LLMScorer(
      settings: settings, topics: "t", database: try ScoringFixtures.database(), environment: [:])
    #expect(scorer.price == .free)
  }

  @Test func listedModelOnLocalProxyIsPriced() throws {
    var settings = LLMSettings()
    settings.baseURL = "http://127.0.0.1:4000/v1"
    settings.apiKeyVariable = ""
    let scorer = try LLMScorer(
      settings: settings, topics: "t", database: try ScoringFixtures.database(), environment: [:])
    #expect(scorer.price == PriceTable.builtIn.price(for: "gpt-4o-mini"))
  }

  @Test func batchEstimateFollowsFormula() throws {
    var settings = LLMSettings()
    settings.baseURL = "http://127.0.0.1:4000/v1"
    settings.apiKeyVariable = ""
    let scorer = try LLMScorer(
      settings: settings, topics: "t", database: try ScoringFixtures.database(), environment: [:])
    let papers = ScoringFixtures.papers(5)
    let tokens = TokenEstimate.promptTokens(of: scorer.prompt.messages(for: papers))
    let estimate = scorer.estimate(papers)
    #expect(estimate.tokens == tokens)
    let expected = (Double(tokens) * 0.15 + Double(5 * settings.outputTokensPerPaper) * 0.60) / 1e6
    #expect(abs(estimate.costUSD - expected) < 1e-12)
    #expect(scorer.estimate(papers, calibration: 2).tokens == 2 * tokens)
  }

  @Test func reasoningEstimateAddsReasoningTokens() throws {
    var settings = LLMSettings()
    settings.baseURL = "http://127.0.0.1:4000/v1"
    settings.apiKeyVariable = ""
    settings.model = "gpt-5-mini"
    let scorer = try LLMScorer(
      settings: settings, topics: "t", database: try ScoringFixtures.database(), environment: [:])
    let papers = ScoringFixtures.papers(2)
    let tokens = scorer.estimate(papers).tokens
    let output = 2 * settings.outputTokensPerPaper + settings.reasoningTokensPerRequest
    let expected = (Double(tokens) * 0.25 + Double(output) * 2.00) / 1e6
    #expect(abs(scorer.estimate(papers).costUSD - expected) < 1e-12)
  }

  /// The four-characters-per-token estimate on the real abstracts of one
  /// listing day stays within the range the scorer's calibration corrects.
  @Test func estimateOnRealAbstractsIsPlausible() throws {
    let url = ScoringFixtures.dataFolder.appendingPathComponent("benchmark/2025-05-05.papers.jsonl")
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
    struct Listed: Decodable {
      var id: String
      var title: String
      var abstract: String
      var authors: [String]
    }
    let papers = try lines.prefix(20).map { line in
      let listed = try JSONDecoder().decode(Listed.self, from: Data(line.utf8))
      return Paper(
        id: listed.id, title: listed.title, abstract: listed.abstract, authors: listed.authors,
        categories: ["cs.LG"])
    }
    let builder = PromptBuilder(topics: "t", model: "gpt-4o-mini", jsonMode: true)
    let tokens = TokenEstimate.tokens(in: builder.userPrompt(for: papers))
    let words = builder.userPrompt(for: papers).split(separator: " ").count
    // English runs at about 0.75 words per token; the estimate must be within a factor of 2.
    #expect(Double(tokens) > Double(words) / 0.75 / 2)
    #expect(Double(tokens) < Double(words) / 0.75 * 2)
  }

  @Test func settingsDecodeWithDefaults() throws {
    let partial = try JSONDecoder().decode(
      LLMSettings.self,
      from: Data(#"{"model": "gpt-5-mini", "batchSize": 8, "apiKeyVariable": ""}"#.utf8))
    var expected = LLMSettings()
    expected.model = "gpt-5-mini"
    expected.batchSize = 8
    expected.apiKeyVariable = ""
    #expect(partial == expected)
    #expect(try JSONDecoder().decode(LLMSettings.self, from: Data("{}".utf8)) == LLMSettings())
    #expect(LLMSettings().baseURL == "https://api.openai.com/v1")
    #expect(LLMSettings().apiKeyVariable == "OPENAI_API_KEY")
  }

  @Test func settingsRoundTripThroughConfiguration() throws {
    var configuration = Configuration()
    configuration.llm.model = "o4-mini"
    configuration.llm.reasoning = true
    configuration.llm.pricesPath = "~/prices.json"
    let data = try JSONEncoder().encode(configuration)
    #expect(try JSONDecoder().decode(Configuration.self, from: data).llm == configuration.llm)
  }

  @Test(arguments: [
    (#"{"batchSize": 0}"#, "llm.batchSize"), (#"{"baseURL": "ftp://x"}"#, "llm.baseURL"),
    (#"{"model": ""}"#, "llm.model"), (#"{"maxAttempts": 0}"#, "llm.maxAttempts"),
  ])
  func invalidSettingsAreRejected(json: String, key: String) throws {
    let settings = try JSONDecoder().decode(LLMSettings.self, from: Data(json.utf8))
    let error = #expect(throws: PaperSiftError.self) { try settings.validate() }
    #expect(error?.message.contains(key) == true)
  }
}
