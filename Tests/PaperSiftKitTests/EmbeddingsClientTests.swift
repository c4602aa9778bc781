import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct EmbeddingsClientTests {
  /// Returns the response to an embeddings request: vectors [input length, position, 1],
  /// listed in reverse order to check that the client sorts by index.
  static func answer(_ request: RecordedRequest) -> ScriptedResponse {
    guard
      let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any],
      let input = object["input"] as? [String]
    else { return .text("bad request", status: 400) }
    let items = input.enumerated().reversed().map { index, text in
      "{\"object\":\"embedding\",\"index\":\(index),\"embedding\":[\(text.count),\(index),1]}"
    }
    return .json("{\"object\":\"list\",\"data\":[\(items.joined(separator: ","))]}")
  }

  static let fastRetries = RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.02)

  /// Starts a server that returns the JSON array `vector(index)` for the
  /// input at position `index`.
  /// A server whose vectors now have 4 numbers under the model name
  /// `grown`, its client, and a database with three stored papers.
  struct GrownModel {
    let server: LoopbackHTTPServer
    let client: OpenAIEmbeddingsClient
    let database: Database
    let folder: URL
    let papers: [Paper]

    func stop() {
      server.stop()
      try? FileManager.default.removeItem(at: folder)
    }
  }

  static func grownModel() throws -> GrownModel {
    let server = try Self.server { "[1,2,3,\($0 + 1)]" }
    let client = OpenAIEmbeddingsClient(
      baseURL: server.baseURL + "/v1", model: "grown", apiKey: nil, batchSize: 8)
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    let papers = ["2505.00001", "2505.00002", "2505.00003"].map { EmbeddingStoreTests.paper($0) }
    try EmbeddingStoreTests.insert(papers, into: database)
    return GrownModel(
      server: server, client: client, database: database, folder: folder, papers: papers)
  }

  static func server(vector: @escaping @Sendable (Int) -> String) throws -> LoopbackHTTPServer {
    try LoopbackHTTPServer { request in
      guard
        let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any],
        let input = object["input"] as? [String]
      else { return .text("bad request", status: 400) }
      let items = input.indices.map { "{\"index\":\($0),\"embedding\":\(vector($0))}" }
      return .json("{\"data\":[\(items.joined(separator: ","))]}")
    }
  }

  @Test func zeroVectorsAreRejectedBeforeStoring() throws {
    let server = try Self.server { _ in "[0,0,0]" }
    defer { server.stop() }
    let client = OpenAIEmbeddingsClient(
      baseURL: server.baseURL + "/v1", model: "zeros", apiKey: nil)
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    let papers = [EmbeddingStoreTests.paper("2505.00001"), EmbeddingStoreTests.paper("2505.00002")]
    try EmbeddingStoreTests.insert(papers, into: database)

    let error = #expect(throws: PaperSiftError.self) {
      try EmbeddingStore(database: database).embeddings(for: papers, encoder: client)
    }

    #expect(error?.code == .model)
    #expect(
      error?.message.contains("'openai/zeros' returned an all-zero vector for text 1 of 2") == true)
    #expect(try database.rows("SELECT paper_id FROM embeddings").isEmpty)
  }

  @Test func rejectedKeyNamesVariable() throws {
    let server = try LoopbackHTTPServer { _ in .text("unauthorized", status: 401) }
    defer { server.stop() }
    var settings = EmbeddingSettings()
    settings.remoteBaseURL = server.baseURL + "/v1"
    settings.remoteAPIKeyVariable = "PAPERSIFT_TEST_EMBED_KEY"
    let client = OpenAIEmbeddingsClient(settings: settings, environment: [:])

    let error = #expect(throws: PaperSiftError.self) { try client.embed(["a"]) }

    #expect(
      error?.message.contains("No key was sent: set PAPERSIFT_TEST_EMBED_KEY in the environment.")
        == true)
    #expect(server.requests.count == 1)
  }

  @Test func slowServerNamesTimeoutSetting() throws {
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: Data("{}".utf8), delay: 2) }
    defer { server.stop() }
    var settings = EmbeddingSettings()
    settings.remoteBaseURL = server.baseURL + "/v1"
    settings.remoteRequestTimeout = 0.3
    settings.remoteMaxAttempts = 1
    let client = OpenAIEmbeddingsClient(settings: settings, environment: [:])

    let error = #expect(throws: PaperSiftError.self) { try client.embed(["a"]) }

    #expect(
      error?.message.contains("embedding.remoteRequestTimeout sets the limit (now 0.3 s)") == true)
    #expect(server.requests.count == 1)
  }

  @Test func changedLengthEmbedsCachedAgain() throws {
    let grown = try Self.grownModel()
    defer { grown.stop() }
    let (server, client, database, papers) = (
      grown.server, grown.client, grown.database, grown.papers
    )
    let store = EmbeddingStore(database: database)
    // Cached from the days when the same model name gave 3 numbers.
    try store.save([[1, 0, 0], [0, 1, 0]], for: Array(papers.prefix(2)), modelID: client.modelID)

    let result = try store.embeddings(for: papers, encoder: client, batchSize: 8)

    #expect(result.vectors.allSatisfy { $0.count == 4 })
    #expect(result.embeddedCount == 3)
    #expect(server.requests.count == 2)
  }

  @Test func vectorsAreScaledToUnitLength() throws {
    let server = try Self.server { _ in "[3,0,4]" }
    defer { server.stop() }
    let client = OpenAIEmbeddingsClient(baseURL: server.baseURL + "/v1", model: "m", apiKey: nil)

    let vectors = try client.embed(["a", "b"])

    #expect(vectors == [[0.6, 0, 0.8], [0.6, 0, 0.8]])
    #expect(OpenAIEmbeddingsClient.normalized([0, 0, 0]) == [0, 0, 0])
    #expect(
      OpenAIEmbeddingsClient.normalized([1e30, 1e30]).allSatisfy { abs($0 - 0.70710677) < 1e-6 })
  }

  @Test func fullyCachedNightLearnsChangedLength() throws {
    let grown = try Self.grownModel()
    defer { grown.stop() }
    let (client, database, papers) = (grown.client, grown.database, grown.papers)
    // The whole night was embedded when the model gave 3 numbers, and one
    // other paper since, at the new length.
    let store = EmbeddingStore(database: database)
    try store.save([[1, 0, 0], [0, 1, 0], [0, 0, 1]], for: papers, modelID: client.modelID)
    let later = EmbeddingStoreTests.paper("2505.00009")
    try EmbeddingStoreTests.insert([later], into: database)
    try store.save([[1, 0, 0, 0]], for: [later], modelID: client.modelID)

    let counts = try NightEmbedding.embed(
      papers, encoder: client, database: database, batchSize: 8)
    let inputs = try StoredRankingInputs(database: database, encoder: client)
    let vectors = try inputs.embeddings(of: papers.map(\.id))

    #expect(counts.night == 3)
    #expect(client.dimension == 4)
    #expect(inputs.dimension == 4)
    #expect(vectors.allSatisfy { $0?.count == 4 })
  }

  @Test func missingVectorsNameStoredLength() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    let papers = ["2505.00001", "2505.00002"].map { EmbeddingStoreTests.paper($0) }
    try EmbeddingStoreTests.insert(papers, into: database)
    try EmbeddingStore(database: database).save(
      [[1, 0, 0], [0, 1, 0]], for: papers, modelID: "openai/grown")
    let inputs = StoredRankingInputs(database: database, modelId: "openai/grown", dimension: 4)

    let error = try NightRanker.missingEmbeddingsError(
      papers.map(\.id), of: 2, date: "2025-05-05", inputs: inputs)

    #expect(
      error.message.hasPrefix(
        "2 of the 2 papers of 2025-05-05 have no stored embedding of the model 'openai/grown' "
          + "of dimension 4, such as 2505.00001."))
    #expect(error.message.contains("Their stored vectors have dimension 3"))
  }

  @Test func batchesKeepInputOrder() throws {
    let server = try LoopbackHTTPServer { Self.answer($0) }
    defer { server.stop() }
    let client = OpenAIEmbeddingsClient(
      baseURL: server.baseURL + "/v1", model: "nomic-embed-text", apiKey: "sk-test", batchSize: 2)
    let texts = ["a", "bb", "ccc", "dddd", "eeeee"]

    let vectors = try client.embed(texts)
    // Each vector is [input length, position, 1] scaled to length 1.
    #expect(vectors.map { ($0[0] / $0[2]).rounded() } == [1, 2, 3, 4, 5])
    #expect(client.dimension == 3)
    #expect(server.requests.count == 3)
    #expect(server.requests.allSatisfy { $0.path == "/v1/embeddings" })
    #expect(server.requests.allSatisfy { $0.method == "POST" })
  }

  @Test func requestCarriesModelAndKey() throws {
    let server = try LoopbackHTTPServer { Self.answer($0) }
    defer { server.stop() }
    let client = OpenAIEmbeddingsClient(
      baseURL: server.baseURL + "/v1/", model: "text-embedding-3-small", apiKey: "sk-test")
    _ = try client.embed(["hello"])

    let request = try #require(server.requests.first)
    #expect(request.headers["authorization"] == "Bearer sk-test")
    let body = try JSONSerialization.jsonObject(with: request.body) as? [String: Any]
    #expect(body?["model"] as? String == "text-embedding-3-small")
    #expect(body?["input"] as? [String] == ["hello"])
  }

  @Test func modelNameIsPartOfCacheKey() {
    let small = OpenAIEmbeddingsClient(
      baseURL: "http://127.0.0.1:1/v1", model: "m-small", apiKey: nil)
    let large = OpenAIEmbeddingsClient(
      baseURL: "http://127.0.0.1:1/v1", model: "m-large", apiKey: nil)
    #expect(small.modelID == "openai/m-small")
    #expect(small.modelID != large.modelID)
  }

  @Test func serverErrorIsRetried() throws {
    let calls = Counter()
    let server = try LoopbackHTTPServer { request in
      calls.increment() == 1 ? .text("overloaded", status: 503) : Self.answer(request)
    }
    defer { server.stop() }
    let client = OpenAIEmbeddingsClient(
      baseURL: server.baseURL + "/v1", model: "m", apiKey: nil, retryPolicy: Self.fastRetries)

    let vectors = try client.embed(["retry me"])
    #expect(vectors == [OpenAIEmbeddingsClient.normalized([8, 0, 1])])
    #expect(server.requests.count == 2)
  }

  @Test func unauthorizedFailsWithoutLeakingKey() throws {
    let server = try LoopbackHTTPServer { _ in .json("{\"error\":\"bad key\"}", status: 401) }
    defer { server.stop() }
    let client = OpenAIEmbeddingsClient(
      baseURL: server.baseURL + "/v1", model: "m", apiKey: "sk-secret-123",
      retryPolicy: Self.fastRetries)

    let error = #expect(throws: PaperSiftError.self) { try client.embed(["x"]) }
    #expect(error?.code == .network)
    #expect(error?.message.contains("401") == true)
    #expect(error?.message.contains("sk-secret-123") == false)
    #expect(server.requests.count == 1)
  }

  @Test func shortResponseIsRejected() throws {
    let server = try LoopbackHTTPServer { _ in
      .json("{\"data\":[{\"index\":0,\"embedding\":[1,2]}]}")
    }
    defer { server.stop() }
    let client = OpenAIEmbeddingsClient(baseURL: server.baseURL + "/v1", model: "m", apiKey: nil)

    let error = #expect(throws: PaperSiftError.self) { try client.embed(["x", "y"]) }
    #expect(error?.message.contains("1 vectors for 2 inputs") == true)
  }

  @Test func settingsReadKeyFromNamedVariable() throws {
    let server = try LoopbackHTTPServer { Self.answer($0) }
    defer { server.stop() }
    var settings = EmbeddingSettings()
    settings.provider = .openai
    settings.remoteBaseURL = server.baseURL + "/v1"
    settings.remoteModel = "local-model"
    settings.remoteAPIKeyVariable = "TEST_EMBEDDINGS_KEY"
    let client = OpenAIEmbeddingsClient(
      settings: settings, environment: ["TEST_EMBEDDINGS_KEY": "sk-from-env"])
    _ = try client.embed(["x"])

    #expect(server.requests.first?.headers["authorization"] == "Bearer sk-from-env")
    #expect(client.modelID == "openai/local-model")
  }

  @Test func settingsDecodeWithDefaults() throws {
    let json = #"{"provider": "openai", "threads": 2}"#
    let settings = try JSONDecoder().decode(EmbeddingSettings.self, from: Data(json.utf8))
    #expect(settings.provider == .openai)
    #expect(settings.threads == 2)
    #expect(settings.batchSize == EmbeddingSettings().batchSize)
    #expect(settings.remoteAPIKeyVariable == "OPENAI_API_KEY")
  }
}
