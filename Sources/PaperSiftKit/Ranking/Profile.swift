import Foundation

/// Turns texts into L2-normalised embedding rows, one per text, in order.
///
/// The pipeline backs it with the MiniLM encoder; the replay can back it
/// with a file of cached vectors.
public protocol TextEmbedding {
  func embed(_ texts: [String]) throws -> Matrix
}

/// One row of the profile matrix and what it stands for.
public struct ProfileEntry: Sendable, Equatable {
  public enum Kind: String, Sendable, Codable {
    /// A topic of the topics file.
    case topic
    /// A relevant keyword of the topics file, which counts like a topic.
    case keyword
    /// An irrelevant or application keyword.
    case negative
    case liked
    case disliked
  }

  public var kind: Kind
  /// The topic name, keyword or paper id, shown by `rank --explain`.
  public var label: String
  /// The recency weight of a liked or disliked paper, 1 for the others.
  public var weight: Float

  public init(kind: Kind, label: String, weight: Float = 1) {
    self.kind = kind
    self.label = label
    self.weight = weight
  }
}

/// A like or dislike with the paper's embedding, for the profile.
public struct FeedbackVector: Sendable {
  public var paperId: String
  public var liked: Bool
  /// Days between the feedback and the night being ranked.
  public var ageDays: Double
  public var embedding: [Float]

  public init(paperId: String, liked: Bool, ageDays: Double, embedding: [Float]) {
    self.paperId = paperId
    self.liked = liked
    self.ageDays = ageDays
    self.embedding = embedding
  }
}

/// Every vector a night's papers are compared with, stacked into one matrix.
public struct Profile: Sendable {
  public var entries: [ProfileEntry]
  /// One row per entry, same order.
  public var matrix: Matrix

  public init(entries: [ProfileEntry], matrix: Matrix) {
    precondition(entries.count == matrix.rows, "One profile entry per row")
    self.entries = entries
    self.matrix = matrix
  }

  /// The topic and keyword texts of a topics file with their profile entries.
  ///
  /// Each topic and each relevant keyword is a positive entry, topics
  /// first; each irrelevant and application keyword is a negative one.
  /// A topic's irrelevant text makes no entry and only the LLM reads it: as
  /// negative vectors, those sentences kept fewer of the LLM's picks in the
  /// top quarter of replayed nights than the topics alone did.
  public static func texts(of topics: TopicsFile) -> [(entry: ProfileEntry, text: String)] {
    var result: [(ProfileEntry, String)] = []
    for topic in topics.topics {
      result.append((ProfileEntry(kind: .topic, label: topic.name), topic.embeddingText))
    }
    for keyword in topics.relevantKeywords {
      result.append((ProfileEntry(kind: .keyword, label: keyword), keyword))
    }
    for keyword in topics.irrelevantKeywords + topics.applicationKeywords {
      result.append((ProfileEntry(kind: .negative, label: keyword), keyword))
    }
    return result
  }

  /// Builds the profile from a topics file and feedback.
  ///
  /// A like or dislike `halfLifeDays` old weighs half as much as a new one.
  /// Rows have `dimension` columns; `embedder` must return rows of that width.
  public static func build(
    topics: TopicsFile?, feedback: [FeedbackVector], halfLifeDays: Double,
    embedder: any TextEmbedding, dimension: Int = 384
  ) throws -> Profile {
    let topicTexts = topics.map(texts(of:)) ?? []
    var entries = topicTexts.map(\.entry)
    var values: [Float] = []
    if !topicTexts.isEmpty {
      let embedded = try embedder.embed(topicTexts.map(\.text))
      values = embedded.values
    }
    for item in feedback {
      precondition(item.embedding.count == dimension, "Feedback embedding of wrong dimension")
      let weight = Float(pow(0.5, max(item.ageDays, 0) / max(halfLifeDays, 1e-9)))
      entries.append(
        ProfileEntry(kind: item.liked ? .liked : .disliked, label: item.paperId, weight: weight))
      values += item.embedding
    }
    return Profile(
      entries: entries, matrix: Matrix(rows: entries.count, columns: dimension, values: values))
  }
}
