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
