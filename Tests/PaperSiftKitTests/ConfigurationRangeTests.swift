import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct ConfigurationRangeTests {
  /// Writes `json` as a configuration file and loads it.
  static func load(_ json: String) throws -> Configuration {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("config.json")
    try Data(json.utf8).write(to: url)
    return try Configuration.load(from: url)
  }

  @Test(arguments: [
    (#"{"llm": {"requestTimeout": 1e300}}"#, "llm.requestTimeout 1e+300", "at most 86400"),
    (#"{"llm": {"connectTimeout": 1e19}}"#, "llm.connectTimeout 1e+19", "at most 86400"),
    (#"{"llm": {"connectTimeout": 0}}"#, "llm.connectTimeout 0 ", "above 0"),
    (#"{"llm": {"retryBaseDelay": -1}}"#, "llm.retryBaseDelay -1 ", "from 0"),
    (#"{"llm": {"retryMaxDelay": 1e10}}"#, "llm.retryMaxDelay 10000000000 ", "at most 86400"),
    (#"{"llm": {"maxOutputTokens": 0}}"#, "llm.maxOutputTokens 0", "from 1 to 1000000"),
    (
      #"{"llm": {"maxOutputTokens": 2000000}}"#, "llm.maxOutputTokens 2000000",
      "from 1 to 1000000"
    ),
    (#"{"llm": {"batchSize": 0}}"#, "llm.batchSize '0'", "use 1 or more"),
    (
      #"{"fetch": {"requestTimeoutSeconds": 1e300}}"#, "fetch.requestTimeoutSeconds 1e+300",
      "at most 86400"
    ),
    (
      #"{"fetch": {"connectTimeoutSeconds": 1e19}}"#, "fetch.connectTimeoutSeconds 1e+19",
      "at most 86400"
    ),
    (
      #"{"embedding": {"remoteRequestTimeout": 1e300}}"#,
      "embedding.remoteRequestTimeout 1e+300", "at most 86400"
    ),
    (
      #"{"ranking": {"model": {"trainingDays": 0}}}"#, "ranking.model.trainingDays 0",
      "from 1 to 36500"
    ),
    (
      #"{"ranking": {"minimumLabelledPapers": -1}}"#, "ranking.minimumLabelledPapers -1",
      "from 0 to"
    ),
    (
      #"{"ranking": {"minimumPapersPerClass": 0}}"#, "ranking.minimumPapersPerClass 0",
      "from 1 to 500000"
    ),
    (
      #"{"ranking": {"minimumLabelledPapers": 0, "minimumPapersPerClass": 1000000}}"#,
      "ranking.minimumPapersPerClass 1000000", "from 1 to 500000"
    ),
    (
      #"{"ranking": {"minimumLabelledPapers": 2000000}}"#,
      "ranking.minimumLabelledPapers 2000000", "from 0 to 1000000"
    ),
    (#"{"llm": {"temperature": 2.5}}"#, "llm.temperature '2.5'", "from 0 to 2"),
    (#"{"llm": {"maxAttempts": 0}}"#, "llm.maxAttempts 0", "from 1 to 100"),
    (#"{"llm": {"outputTokensPerPaper": -5}}"#, "llm.outputTokensPerPaper -5", "from 1 to"),
    (
      #"{"llm": {"reasoningTokensPerRequest": -5000}}"#, "llm.reasoningTokensPerRequest -5000",
      "from 0 to 1000000"
    ),
    (
      #"{"llm": {"reasoningTokensPerRequest": 1000001}}"#,
      "llm.reasoningTokensPerRequest 1000001", "from 0 to 1000000"
    ),
    (#"{"ranking": {"cold": {"halfLifeDays": 0}}}"#, "ranking.cold.halfLifeDays 0 ", "above 0"),
    (#"{"ranking": {"cold": {"nearest": 0}}}"#, "ranking.cold.nearest 0", "from 1 to 1000"),
    (
      #"{"ranking": {"cold": {"likeWeight": 1e308}}}"#, "ranking.cold.likeWeight 1e+308",
      "to 100"
    ),
    (#"{"ranking": {"model": {"svmC": -1}}}"#, "ranking.model.svmC -1 ", "above 0"),
    (
      #"{"ranking": {"model": {"maxFeatures": -1}}}"#, "ranking.model.maxFeatures -1",
      "from 1 to"
    ),
    (#"{"ranking": {"weights": {"tfidf": -2}}}"#, "ranking.weights.tfidf -2 ", "from 0 to 100."),
    (#"{"run": {"auditMinimum": 1e15}}"#, "run.auditMinimum 1000000000000000", "from 0 to"),
    (#"{"fetch": {"categories": []}}"#, "fetch.categories", "one or more arXiv categories"),
    (#"{"llm": {"maxAttempts": 1000000}}"#, "llm.maxAttempts 1000000", "from 1 to 100"),
    (#"{"fetch": {"maxAttempts": 101}}"#, "fetch.maxAttempts 101", "from 1 to 100"),
    (
      #"{"embedding": {"remoteMaxAttempts": 0}}"#, "embedding.remoteMaxAttempts 0",
      "from 1 to 100"
    ),
  ])
  func outOfRangeValueIsNamed(json: String, named: String, range: String) {
    let error = #expect(throws: PaperSiftError.self) { try Self.load(json) }

    #expect(error?.code == .configuration)
    #expect(error?.message.contains("Invalid \(named)") == true, "\(error?.message ?? "")")
    #expect(error?.message.contains(range) == true, "\(error?.message ?? "")")
  }

  @Test func hugeIntegerNamesKey() {
    let error = #expect(throws: PaperSiftError.self) {
      try Self.load(#"{"llm": {"batchSize": 1e300}}"#)
    }

    #expect(error?.code == .configuration)
    #expect(error?.message.contains("llm.batchSize") == true, "\(error?.message ?? "")")
    #expect(error?.message.contains("out of range") == true)
    #expect(error?.message.contains("not valid JSON") == false)
  }

  @Test(arguments: ["llm", "embedding"])
  func pastedKeyIsRejectedUnshown(section: String) {
    let key = "sk-TRIAL-SECRET-KEY-\(UUID().uuidString)"
    let name = section == "llm" ? "apiKeyVariable" : "remoteAPIKeyVariable"

    let error = #expect(throws: PaperSiftError.self) {
      try Self.load(#"{"\#(section)": {"\#(name)": "\#(key)"}}"#)
    }

    #expect(error?.code == .configuration)
    #expect(error?.message.contains("Invalid \(section).\(name)") == true)
    #expect(error?.message.contains("may be an API key itself") == true)
    #expect(error?.message.contains("such as OPENAI_API_KEY") == true)
    #expect(error?.message.contains(key) == false)
    #expect(error?.message.contains("TRIAL") == false)
  }

  @Test(arguments: ["", "OPENAI_API_KEY", "_KEY2", "A", "GROQ_API_KEY"])
  func variableNamesAreAccepted(name: String) throws {
    let configuration = try Self.load(#"{"llm": {"apiKeyVariable": "\#(name)"}}"#)

    #expect(configuration.llm.apiKeyVariable == name)
  }

  @Test func zeroReasoningTokensAccepted() throws {
    let configuration = try Self.load(#"{"llm": {"reasoningTokensPerRequest": 0}}"#)

    #expect(configuration.llm.reasoningTokensPerRequest == 0)
  }

  @Test(arguments: [
    "2KEY", "MY-KEY", "KEY NAME", "$OPENAI_API_KEY", "gsk_ab12CD34ef56GH78ij90KL12mn34OP56qr78",
    "hf_abcdefghijklmnopqrstuvwxyz0123456789", "openai_api_key",
    String(repeating: "K", count: 65),
  ])
  func invalidVariableNamesAreRejected(name: String) {
    var settings = LLMSettings()
    settings.apiKeyVariable = name

    #expect(throws: PaperSiftError.self) { try settings.validate() }
  }

  @Test(arguments: [
    (1e300, Int(Int32.max)), (Double.infinity, Int(Int32.max)), (-5, 1), (Double.nan, 1),
    (0, 1), (0.0004, 1), (1.5, 1500), (86_400, 86_400_000),
  ])
  func curlMillisecondsAreClamped(seconds: Double, expected: Int) {
    #expect(CurlTransfer.milliseconds(seconds) == expected)
  }

  @Test func hugeTimeoutDoesNotTrap() throws {
    let server = try LoopbackHTTPServer { _ in .text("ok") }
    defer { server.stop() }
    let request = HTTPRequest(
      url: server.baseURL + "/", connectTimeout: 1e300, totalTimeout: .infinity)

    let response = try HTTPClient().send(request)

    #expect(response.status == 200)
  }
}
