import Foundation

/// Token counts of one or more chat completions, as the `usage` object of
/// the response reports them.
public struct TokenUsage: Sendable, Equatable, Codable {
  /// Prompt tokens, the cached ones included.
  public var promptTokens: Int
  public var completionTokens: Int
  /// Prompt tokens served from the provider's prompt cache
  /// (`usage.prompt_tokens_details.cached_tokens`).
  public var cachedPromptTokens: Int

  public init(promptTokens: Int = 0, completionTokens: Int = 0, cachedPromptTokens: Int = 0) {
    self.promptTokens = promptTokens
    self.completionTokens = completionTokens
    self.cachedPromptTokens = cachedPromptTokens
  }

  public static let zero = TokenUsage()

  public var totalTokens: Int { promptTokens + completionTokens }

  public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
    TokenUsage(
      promptTokens: lhs.promptTokens + rhs.promptTokens,
      completionTokens: lhs.completionTokens + rhs.completionTokens,
      cachedPromptTokens: lhs.cachedPromptTokens + rhs.cachedPromptTokens)
  }

  public static func += (lhs: inout TokenUsage, rhs: TokenUsage) {
    lhs = lhs + rhs
  }
}
