import Foundation

/// The `ranking` section of the configuration.
public struct RankingSettings: Codable, Sendable, Equatable {
  public init() {}
}
