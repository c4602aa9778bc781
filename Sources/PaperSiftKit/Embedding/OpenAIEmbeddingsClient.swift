import Foundation
import Synchronization

/// An encoder backed by an OpenAI-compatible `POST /v1/embeddings` server:
/// OpenAI, Ollama, vLLM or Hugging Face text-embeddings-inference.
///
/// Texts go in batches of at most `batchSize` per request; transient
/// failures are retried with ``RetryPolicy``. The model name is part of
/// ``modelID``, so cached vectors of another model are never reused.
/// Returned vectors are scaled to length 1, as the native encoder's are, so
/// that cosines stay within -1...1 whatever the server sends.
///
/// Messages of the errors this client throws or logs have the API key
/// replaced by `[redacted]`, in case a server echoes it, and show URLs
/// without the user name and password of `embedding.remoteBaseURL`.
///
/// See https://platform.openai.com/docs/api-reference/embeddings/create.
public final class OpenAIEmbeddingsClient: SentenceEncoder, Sendable {
  public let baseURL: String
  public let model: String
  public let batchSize: Int
  public let modelID: String
  /// The vector length: the configured value, else learned from the first response.
  public var dimension: Int { learnedDimension.withLock { $0 } }
  private let learnedDimension: Mutex<Int>
  private let apiKey: String?
  private let redaction: SecretRedaction
  private let retryPolicy: RetryPolicy
  private let client = HTTPClient()
  private let logger = Logger(label: "embedding")

  /// - Parameters:
  ///   - baseURL: The server's base URL up to and including `/v1`.
  ///   - model: The model name sent in each request.
  ///   - apiKey: Sent as a bearer token when not nil; never logged.
  ///   - dimension: The expected vector length, or 0 to accept the server's.
  ///   - batchSize: Texts per request.
  ///   - retryPolicy: How transient failures are retried.
  ///   - requestTimeout: Seconds allowed for one request.
  ///   - apiKeyVariable: The environment variable the key was read from, named in errors.
  public init(
    baseURL: String, model: String, apiKey: String?, dimension: Int = 0, batchSize: Int = 64,
    retryPolicy: RetryPolicy = RetryPolicy(), requestTimeout: Double = 60,
    apiKeyVariable: String = ""
  ) {
    self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    self.model = model
    self.apiKey = apiKey
    self.redaction = SecretRedaction(apiKey: apiKey, url: baseURL)
    learnedDimension = Mutex(dimension)
    self.batchSize = max(1, batchSize)
    self.retryPolicy = retryPolicy
    self.modelID = "openai/" + model
    self.requestTimeout = requestTimeout
    self.apiKeyVariable = apiKeyVariable
  }

  /// Creates the client that `settings` describe, reading the key from the
  /// environment variable they name.
  public convenience init(
    settings: EmbeddingSettings,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) {
    self.init(
      baseURL: settings.remoteBaseURL, model: settings.remoteModel,
      apiKey: environment[settings.remoteAPIKeyVariable].flatMap { $0.isEmpty ? nil : $0 },
      batchSize: settings.batchSize,
      retryPolicy: RetryPolicy(
        maxAttempts: settings.remoteMaxAttempts, maxRetryAfter: settings.remoteMaxRetryAfter),
      requestTimeout: settings.remoteRequestTimeout, apiKeyVariable: settings.remoteAPIKeyVariable)
  }

  /// Seconds allowed for one request.
  public let requestTimeout: Double
  /// The environment variable the key was read from, named in errors.
  public let apiKeyVariable: String

  public func embed(_ texts: [String]) throws -> [[Float]] {
    var vectors: [[Float]] = []
    vectors.reserveCapacity(texts.count)
    for start in stride(from: 0, to: texts.count, by: batchSize) {
      let batch = Array(texts[start..<min(start + batchSize, texts.count)])
      vectors += try request(batch)
    }
    return vectors
  }

  private struct RequestBody: Encodable {
    var model: String
    var input: [String]
    var encodingFormat = "float"

    enum CodingKeys: String, CodingKey {
      case model
      case input
      case encodingFormat = "encoding_format"
    }
  }

  private struct ResponseBody: Decodable {
    struct Item: Decodable {
      var index: Int
      var embedding: [Float]
    }
    var data: [Item]
  }

  /// Returns the setting to check for `error`, with a leading space, or "".
  private func advice(for error: HTTPError) -> String {
    switch error.kind {
    case .timedOut:
      return
        " embedding.remoteRequestTimeout sets the limit (now \(secondsText(requestTimeout)))."
    case .status(401), .status(403):
      let variable =
        apiKeyVariable.isEmpty
        ? "the variable named by embedding.remoteAPIKeyVariable" : apiKeyVariable
      return apiKey == nil
        ? " No key was sent: set \(variable) in the environment."
        : " The key from \(variable) was rejected."
    default:
      return ""
    }
  }

  /// Sends one batch and returns its vectors in input order.
  private func request(_ texts: [String]) throws -> [[Float]] {
    let url = baseURL + "/embeddings"
    var headers = [("Content-Type", "application/json")]
    if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
    let body = try JSONEncoder().encode(RequestBody(model: model, input: texts))
    let request = HTTPRequest(
      url: url, method: "POST", headers: headers, body: body, totalTimeout: requestTimeout)

    let response: HTTPResponse
    do {
      response = try client.send(request, retrying: retryPolicy) { attempt, error, delay in
        self.logger.warning(
          "Embeddings request failed; retrying",
          [
            ("attempt", "\(attempt)"), ("max_attempts", "\(self.retryPolicy.maxAttempts)"),
            ("delay_s", String(format: "%.2f", delay)),
            ("error", self.redaction.redact(error.description)),
          ])
      }
    } catch let error as HTTPError {
      // The HTTP error itself is not kept as the underlying error, because
      // its body may contain the key.
      throw PaperSiftError(
        .network,
        redaction.redact(
          "The embeddings request for model '\(model)' failed. "
            + retryPolicy.describe(error, setting: "embedding.remoteMaxRetryAfter")
            + advice(for: error)))
    }

    let displayURL = SecretRedaction.displayURL(url)
    let decoded: ResponseBody
    do {
      decoded = try JSONDecoder().decode(ResponseBody.self, from: response.body)
    } catch {
      throw PaperSiftError(
        .network,
        redaction.redact(
          "The embeddings response from \(displayURL) is not an OpenAI embeddings object: "
            + "\(String(response.text.prefix(200))). Check the base URL and the model."),
        underlying: error)
    }
    let items = decoded.data.sorted { $0.index < $1.index }
    guard items.map(\.index) == Array(0..<texts.count) else {
      throw PaperSiftError(
        .network,
        "The embeddings response from \(displayURL) has \(items.count) vectors for \(texts.count) "
          + "inputs. Check that the server supports batched input.")
    }
    let dimension = learnedDimension.withLock { known in
      if known == 0 { known = items[0].embedding.count }
      return known
    }
    guard items.allSatisfy({ $0.embedding.count == dimension }) else {
      throw PaperSiftError(
        .network,
        "The embeddings response from \(displayURL) has vectors of length other than "
          + "\(dimension) for model '\(model)'.")
    }
    return items.map { Self.normalized($0.embedding) }
  }

  /// Returns `vector` scaled to length 1.
  ///
  /// An all-zero or non-finite vector comes back unchanged, so that
  /// ``EmbeddingCheck/validated(_:modelID:)`` rejects it by its real fault.
  /// The length is summed in `Double`, which does not overflow for any
  /// finite `Float` components.
  static func normalized(_ vector: [Float]) -> [Float] {
    guard vector.allSatisfy(\.isFinite) else { return vector }
    let length = vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    guard length > 0 else { return vector }
    return vector.map { Float(Double($0) / length) }
  }
}
