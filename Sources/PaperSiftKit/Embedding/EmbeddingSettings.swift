import Foundation

/// The `embedding` section of the configuration.
public struct EmbeddingSettings: Codable, Sendable, Equatable {
  public init() {}
}
