import Foundation

/// The `run` section of the configuration.
public struct RunSettings: Codable, Sendable, Equatable {
  public init() {}
}
