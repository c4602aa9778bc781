import Foundation

extension LLMSettings {
  /// Applies the `--llm-model` and `--llm-base-url` options of `run` and
  /// `score`, so that a bad value is named as the option that gave it
  /// rather than as a configuration key.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` for an empty
  ///   model or a base URL that every request would fail on.
  public mutating func apply(model: String?, baseURL: String?) throws {
    if let model {
      guard !model.isEmpty else {
        throw PaperSiftError(
          .invalidInput, "Invalid --llm-model '': name a model such as gpt-4o-mini.")
      }
      self.model = model
    }
    if let baseURL {
      if let problem = Self.baseURLProblem(baseURL) {
        throw PaperSiftError(
          .invalidInput,
          "Invalid --llm-base-url '\(SecretRedaction.displayURL(baseURL))': \(problem).")
      }
      self.baseURL = baseURL
    }
  }
}
