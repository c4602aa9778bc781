import Foundation

/// The `llm` section of the configuration: which OpenAI-compatible server
/// scores the papers, and how requests to it are sent.
///
/// Every key may be left out of `config.json`; a missing key takes the
/// default shown on the property.
public struct LLMSettings: Codable, Sendable, Equatable {
  /// The API root; requests go to `{baseURL}/chat/completions`.
  /// Ollama serves at `http://localhost:11434/v1`.
  public var baseURL = "https://api.openai.com/v1"
  public var model = "gpt-4o-mini"
  /// The name of the environment variable that contains the API key, or an empty
  /// string for servers that need no key (Ollama, vLLM, llama.cpp).
  public var apiKeyVariable = "OPENAI_API_KEY"
  /// Papers per request.
  public var batchSize = 20
  /// Requests per batch in all, the first included, before the batch fails.
  public var maxAttempts = 4
  /// Seconds before the second attempt, doubled for each later one, before jitter.
  public var retryBaseDelay = 2.0
  /// The maximum wait between attempts, in seconds.
  public var retryMaxDelay = 60.0
  /// The longest `Retry-After` that a batch waits for before its next
  /// attempt, in seconds. A longer one stops the LLM stage.
  public var maxRetryAfter = RetryPolicy.defaultMaxRetryAfter
  /// Seconds allowed to open the connection.
  public var connectTimeout = 15.0
  /// Seconds allowed for one whole request, the model's generation included.
  public var requestTimeout = 300.0
  /// Whether to ask for a JSON object with `response_format`; turn off for
  /// servers that reject that field.
  public var jsonMode = true
  /// Sampling temperature, sent to models that accept one (reasoning models do not).
  public var temperature = 0.0
  /// Whether the model is a reasoning model; nil decides by name (gpt-5*, o1*, o3*, o4*).
  public var reasoning: Bool?
  /// `reasoning_effort` for reasoning models (`minimal`, `low`, `medium` or
  /// `high` on OpenAI), or nil for the server's default. Lower effort spends
  /// fewer hidden reasoning tokens, which are billed as output.
  public var reasoningEffort: String?
  /// The ceiling on output tokens per request, sent as `max_tokens` or
  /// `max_completion_tokens`.
  public var maxOutputTokens = 16_000
  /// Expected output tokens per paper, for the cost estimate before sending.
  public var outputTokensPerPaper = 110
  /// Expected hidden reasoning tokens per request for reasoning models, for the
  /// cost estimate before sending.
  public var reasoningTokensPerRequest = 4_000
  /// A JSON price table that replaces the built-in one, or nil.
  public var pricesPath: String?

  public init() {}

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = LLMSettings()
    func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
      try container.decodeIfPresent(T.self, forKey: key) ?? fallback
    }
    func wholeNumber(_ key: CodingKeys, _ fallback: Int) throws -> Int {
      try container.decodeWholeNumber(forKey: key) ?? fallback
    }
    baseURL = try value(.baseURL, defaults.baseURL)
    model = try value(.model, defaults.model)
    apiKeyVariable = try value(.apiKeyVariable, defaults.apiKeyVariable)
    batchSize = try wholeNumber(.batchSize, defaults.batchSize)
    maxAttempts = try wholeNumber(.maxAttempts, defaults.maxAttempts)
    retryBaseDelay = try value(.retryBaseDelay, defaults.retryBaseDelay)
    retryMaxDelay = try value(.retryMaxDelay, defaults.retryMaxDelay)
    maxRetryAfter = try value(.maxRetryAfter, defaults.maxRetryAfter)
    connectTimeout = try value(.connectTimeout, defaults.connectTimeout)
    requestTimeout = try value(.requestTimeout, defaults.requestTimeout)
    jsonMode = try value(.jsonMode, defaults.jsonMode)
    temperature = try value(.temperature, defaults.temperature)
    reasoning = try container.decodeIfPresent(Bool.self, forKey: .reasoning)
    reasoningEffort = try container.decodeIfPresent(String.self, forKey: .reasoningEffort)
    maxOutputTokens = try wholeNumber(.maxOutputTokens, defaults.maxOutputTokens)
    outputTokensPerPaper = try wholeNumber(.outputTokensPerPaper, defaults.outputTokensPerPaper)
    reasoningTokensPerRequest = try wholeNumber(
      .reasoningTokensPerRequest, defaults.reasoningTokensPerRequest)
    pricesPath = try container.decodeIfPresent(String.self, forKey: .pricesPath)
  }

  /// Whether requests use `max_completion_tokens` and leave out `temperature`.
  public var isReasoningModel: Bool {
    if let reasoning { return reasoning }
    let name = model.lowercased().split(separator: "/").last.map(String.init) ?? ""
    return ["gpt-5", "o1", "o3", "o4"].contains { name.hasPrefix($0) }
  }

  /// Whether the server runs on this machine, so that its tokens cost nothing.
  public var isLocalServer: Bool {
    guard let host = URLComponents(string: baseURL)?.host?.lowercased() else { return false }
    return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
  }

  /// Returns what to fix in `baseURL` as an API root, or nil when it is usable.
  static func baseURLProblem(_ baseURL: String) -> String? {
    guard let url = URLComponents(string: baseURL), ["http", "https"].contains(url.scheme ?? "")
    else {
      return "use an http or https URL such as \(LLMSettings().baseURL)"
    }
    guard url.query == nil, url.fragment == nil, url.host?.isEmpty == false else {
      return "give the API root with a host and without '?' or '#', such as "
        + "\(LLMSettings().baseURL). Requests go to the root followed by /chat/completions"
    }
    return nil
  }

  /// Checks the values that would make every request fail.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration` naming the key.
  public func validate() throws {
    func invalid(_ key: String, _ value: String, _ fix: String) -> PaperSiftError {
      PaperSiftError(.configuration, "Invalid llm.\(key) '\(value)' in the configuration: \(fix).")
    }
    if let problem = Self.baseURLProblem(baseURL) {
      throw invalid("baseURL", SecretRedaction.displayURL(baseURL), problem)
    }
    guard !model.isEmpty else { throw invalid("model", model, "name a model such as gpt-4o-mini") }
    try SettingRange.checkVariableName("llm.apiKeyVariable", apiKeyVariable)
    guard batchSize >= 1 else { throw invalid("batchSize", "\(batchSize)", "use 1 or more") }
    try SettingRange.checkCount("llm.maxAttempts", maxAttempts, in: SettingRange.attempts)
    try SettingRange.checkSeconds("llm.connectTimeout", connectTimeout)
    try SettingRange.checkSeconds("llm.requestTimeout", requestTimeout)
    try SettingRange.checkSeconds("llm.retryBaseDelay", retryBaseDelay, allowsZero: true)
    try SettingRange.checkSeconds("llm.retryMaxDelay", retryMaxDelay, allowsZero: true)
    try SettingRange.checkSeconds("llm.maxRetryAfter", maxRetryAfter, allowsZero: true)
    guard (0...2).contains(temperature) else {
      throw invalid("temperature", numberText(temperature), "use a value from 0 to 2")
    }
    try SettingRange.checkCount("llm.maxOutputTokens", maxOutputTokens, in: 1...1_000_000)
    try SettingRange.checkCount(
      "llm.outputTokensPerPaper", outputTokensPerPaper, in: 1...100_000)
    // 0 suits a model that spends no reasoning tokens at its effort setting.
    try SettingRange.checkCount(
      "llm.reasoningTokensPerRequest", reasoningTokensPerRequest, in: 0...1_000_000)
  }
}
