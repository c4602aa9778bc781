import Foundation

/// Prices of one model in US dollars per million tokens.
public struct ModelPrice: Codable, Sendable, Equatable {
  public var input: Double
  /// The price of prompt tokens that the provider served from its prompt cache.
  public var cachedInput: Double
  public var output: Double

  public init(input: Double, cachedInput: Double, output: Double) {
    self.input = input
    self.cachedInput = cachedInput
    self.output = output
  }

  enum CodingKeys: String, CodingKey {
    case input
    case cachedInput = "cached_input"
    case output
  }

  /// A price of zero, for servers on this machine.
  public static let free = ModelPrice(input: 0, cachedInput: 0, output: 0)

  /// Returns the cost in US dollars of `usage`.
  ///
  /// Cached prompt tokens are part of `usage.promptTokens`, as the chat
  /// completions API counts them, so they are billed at the cached price and
  /// the rest of the prompt at the input price.
  public func cost(of usage: TokenUsage) -> Double {
    let cached = min(usage.cachedPromptTokens, usage.promptTokens)
    let uncached = usage.promptTokens - cached
    let dollars =
      Double(uncached) * input + Double(cached) * cachedInput
      + Double(usage.completionTokens) * output
    return dollars / 1_000_000
  }
}

/// A dated table of model prices, from `Data/prices.json` or a file of the
/// same form that the user names in `llm.pricesPath`.
public struct PriceTable: Codable, Sendable, Equatable {
  /// The day the prices were read from `source`, `YYYY-MM-DD`.
  public var asOf: String
  /// The page the prices were read from.
  public var source: String
  public var models: [String: ModelPrice]

  enum CodingKeys: String, CodingKey {
    case asOf = "as_of"
    case source
    case models
  }

  public init(asOf: String, source: String, models: [String: ModelPrice]) {
    self.asOf = asOf
    self.source = source
    self.models = models
  }

  /// Returns the price of the configured model. A model the table does not
  /// list is free on a server on this machine, and unknown (nil) elsewhere.
  ///
  /// A listed model keeps its price even on localhost, where a proxy may
  /// forward to a paid API.
  public func price(for settings: LLMSettings) -> ModelPrice? {
    price(for: settings.model) ?? (settings.isLocalServer ? .free : nil)
  }

  /// Returns the price of `model`, or nil when the table has none.
  ///
  /// The look-up ignores case, a provider prefix such as `openai/` and a
  /// dated snapshot suffix, so `gpt-4o-mini-2024-07-18` takes the price of
  /// `gpt-4o-mini`.
  public func price(for model: String) -> ModelPrice? {
    var name = model.lowercased()
    if let slash = name.lastIndex(of: "/") {
      name = String(name[name.index(after: slash)...])
    }
    if let price = models[name] { return price }
    if let match = name.wholeMatch(of: /(.+)-\d{4}-\d{2}-\d{2}/) {
      return models[String(match.1)]
    }
    return nil
  }

  /// Decodes a table from JSON text; `origin` names the file in error messages.
  public static func decode(_ data: Data, origin: String) throws -> PriceTable {
    do {
      return try JSONDecoder().decode(PriceTable.self, from: data)
    } catch let error as DecodingError {
      throw PaperSiftError(
        .configuration,
        "Invalid price table '\(origin)': \(JSONErrorText.describe(error)). "
          + "Follow the form of Data/prices.json: as_of, source and models with "
          + "input, cached_input and output in USD per million tokens.",
        underlying: error)
    }
  }

  /// Loads the table that `settings` names, or the built-in one.
  public static func load(settings: LLMSettings) throws -> PriceTable {
    guard let path = settings.pricesPath, !path.isEmpty else { return builtIn }
    let expanded = (path as NSString).expandingTildeInPath
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: expanded))
    } catch {
      throw PaperSiftError(
        .configuration,
        "Unable to read the price table '\(expanded)' set in llm.pricesPath: "
          + "\(PaperSiftError.describe(error)). Fix the path or remove the key to use the built-in "
          + "prices.",
        underlying: error)
    }
    return try decode(data, origin: expanded)
  }

  /// The table shipped with PaperSift, a copy of `Data/prices.json` (a test
  /// checks that the two match).
  public static let builtIn: PriceTable = {
    do {
      return try decode(Data(builtInJSON.utf8), origin: "built-in")
    } catch {
      preconditionFailure("The built-in price table does not decode: \(error)")
    }
  }()

  static let builtInJSON = """
    {
      "as_of": "2025-08-07",
      "source": "https://platform.openai.com/docs/pricing",
      "currency": "USD",
      "unit": "per million tokens",
      "note": "Standard tier; check the source. Unlisted local models cost 0.",
      "models": {
        "gpt-4o": { "input": 2.50, "cached_input": 1.25, "output": 10.00 },
        "gpt-4o-mini": { "input": 0.15, "cached_input": 0.075, "output": 0.60 },
        "gpt-4.1": { "input": 2.00, "cached_input": 0.50, "output": 8.00 },
        "gpt-4.1-mini": { "input": 0.40, "cached_input": 0.10, "output": 1.60 },
        "gpt-4.1-nano": { "input": 0.10, "cached_input": 0.025, "output": 0.40 },
        "gpt-5": { "input": 1.25, "cached_input": 0.125, "output": 10.00 },
        "gpt-5-mini": { "input": 0.25, "cached_input": 0.025, "output": 2.00 },
        "gpt-5-nano": { "input": 0.05, "cached_input": 0.005, "output": 0.40 },
        "o3": { "input": 2.00, "cached_input": 0.50, "output": 8.00 },
        "o4-mini": { "input": 1.10, "cached_input": 0.275, "output": 4.40 }
      }
    }
    """
}
