import Foundation

/// The `fetch` section of the configuration.
public struct FetchSettings: Codable, Sendable, Equatable {
  public init() {}
}
