import Foundation

/// The `llm` section of the configuration.
public struct LLMSettings: Codable, Sendable, Equatable {
  public init() {}
}
