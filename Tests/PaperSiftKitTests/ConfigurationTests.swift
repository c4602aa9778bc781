import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct ConfigurationTests {
  @Test func missingKeysTakeDefaults() throws {
    let data = Data(#"{"llm": {"model": "gpt-4o"}}"#.utf8)
    let configuration = try JSONDecoder().decode(Configuration.self, from: data)
    #expect(configuration.llm.model == "gpt-4o")
    #expect(configuration.llm.batchSize == LLMSettings().batchSize)
    #expect(configuration.ranking == RankingSettings())
  }

  @Test func rankingWithoutNewKeysTakesDefaults() throws {
    let data = Data(
      #"""
      {"ranking": {"weights": {"profile": 0.5, "logistic": 0.5, "tfidf": 1},
       "model": {"svmC": 0.2}, "cutoffValue": 0.37}}
      """#.utf8)
    let ranking = try JSONDecoder().decode(Configuration.self, from: data).ranking
    #expect(ranking.weights.profile == 0.5)
    #expect(ranking.weights.tfidf == 1)
    #expect(ranking.weights.neighbours == RankerWeights.tuned.neighbours)
    #expect(ranking.weights.authorOverlap == RankerWeights.tuned.authorOverlap)
    #expect(ranking.weights.authorCount == 0)
    #expect(ranking.weights.singleAuthor == 0)
    #expect(ranking.combination == .logit)
    #expect(ranking.model.svmC == 0.2)
    #expect(ranking.model.positiveNeighbours == ModelParameters().positiveNeighbours)
    #expect(ranking.model.negativeNeighbours == ModelParameters().negativeNeighbours)
  }

  @Test func rankingNewKeysRoundTrip() throws {
    var configuration = Configuration()
    configuration.ranking.weights = RankerWeights(
      profile: 0.1, logistic: 0.2, tfidf: 0.3, neighbours: 0.4, authorOverlap: 0.5,
      authorCount: 0.6, singleAuthor: -0.7)
    configuration.ranking.combination = .rankAverage
    configuration.ranking.model.positiveNeighbours = 3
    configuration.ranking.model.negativeNeighbours = 9
    let data = try JSONEncoder().encode(configuration)
    let decoded = try JSONDecoder().decode(Configuration.self, from: data)
    #expect(decoded.ranking == configuration.ranking)
    #expect(String(decoding: data, as: UTF8.self).contains(#""combination":"rank-average""#))
  }

  @Test(arguments: [
    (-1, 16, "embedding.threads -1"), (500, 16, "embedding.threads 500"),
    (2, 0, "embedding.batchSize 0"),
  ])
  func encoderSettingsOutOfRangeAreNamed(threads: Int, batchSize: Int, named: String) {
    var settings = EmbeddingSettings()
    settings.threads = threads
    settings.batchSize = batchSize
    // The check runs before the model folder is looked at, which does not exist here.
    settings.modelDirectory = "/nonexistent/papersift-model"
    let home = PaperSiftHome(root: URL(fileURLWithPath: "/nonexistent/papersift-home"))
    #expect {
      _ = try EncoderFactory.make(settings, home: home)
    } throws: { error in
      let error = error as? PaperSiftError
      return error?.code == .configuration && error?.message.contains(named) == true
    }
  }

  @Test func syntaxErrorNamesLineAndColumn() throws {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-config-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: url) }
    // The second comma, on line 3 after four spaces and the pair, is the error.
    try Data("{\n  \"llm\": {\n    \"model\": \"x\",,\n  }\n}\n".utf8).write(to: url)
    #expect {
      _ = try Configuration.load(from: url)
    } throws: { error in
      let error = error as? PaperSiftError
      return error?.code == .configuration
        && error?.message.contains("near line 3, column 18") == true
        && error?.message.contains(url.path) == true
    }
  }

  @Test func emptyFileIsNamedEmpty() throws {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-config-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: url) }
    try Data(" \n".utf8).write(to: url)
    #expect {
      _ = try Configuration.load(from: url)
    } throws: { error in
      (error as? PaperSiftError)?.message.contains("the file is empty; write {} for the defaults")
        == true
    }
  }

  @Test(arguments: [
    ("apiBaseURL", "export.arxiv.org/api/query"), ("apiBaseURL", "ftp://example.org/q"),
    ("rssBaseURL", "https://"), ("rssBaseURL", ""),
  ])
  func unusableFetchURLsAreNamed(key: String, value: String) {
    var settings = FetchSettings()
    if key == "apiBaseURL" { settings.apiBaseURL = value } else { settings.rssBaseURL = value }
    #expect {
      _ = try ArxivAPIClient(settings: settings)
    } throws: { error in
      let error = error as? PaperSiftError
      return error?.code == .configuration
        && error?.message.contains("fetch.\(key) '\(value)'") == true
    }
  }

  @Test(arguments: [
    (
      #"{"embedding": {"precision": "fp8"}}"#,
      "invalid value 'fp8', expected one of 'fp32', 'bf16' at embedding.precision"
    ),
    (
      #"{"ranking": {"combination": "max"}}"#,
      "invalid value 'max', expected one of 'logit', 'rank-average' at ranking.combination"
    ),
    (#"{"fetch": {"categories": "cs.LG"}}"#, "expected a list at fetch.categories"),
    (#"{"llm": {"batchSize": "ten"}}"#, "expected a whole number at llm.batchSize"),
  ])
  func wrongValuesAreDescribedPlainly(json: String, message: String) {
    #expect {
      _ = try JSONDecoder().decode(Configuration.self, from: Data(json.utf8))
    } throws: { error in
      guard let error = error as? DecodingError else { return false }
      return JSONErrorText.describe(error) == message
    }
  }

  @Test func misspeltKeysAreFound() throws {
    let data = Data(
      #"""
      {"llm": {"modle": "x", "model": "gpt-4o"}, "embeding": {},
       "run": {"selection": {"minimumRelevance": 7, "novelty": 6}}}
      """#.utf8)
    let configuration = try JSONDecoder().decode(Configuration.self, from: data)
    #expect(
      try configuration.unknownKeys(in: data) == ["embeding", "llm.modle", "run.selection.novelty"])
  }

  @Test func savedConfigurationHasNoUnknownKeys() throws {
    var configuration = Configuration()
    configuration.embedding.modelDirectory = "/models/minilm"
    configuration.run.outputFolder = "/tmp/digests"
    let data = try JSONEncoder().encode(configuration)
    #expect(try configuration.unknownKeys(in: data).isEmpty)
  }

  @Test func invalidJSONNamesFile() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = try TestFiles.write(
      #"{"llm": {"batchSize": "ten"}}"#, named: "config.json", in: folder)
    let error = #expect(throws: PaperSiftError.self) { try Configuration.load(from: url) }
    #expect(error?.code == .configuration)
    #expect(error?.message.contains(url.path) == true)
    #expect(error?.message.contains("llm.batchSize") == true)
  }
}
