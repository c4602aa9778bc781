import Foundation

/// The rule by which `papersift run --cutoff auto` cuts the night's ranking.
public enum CutoffKind: String, Sendable, Codable, CaseIterable, ConfigurationChoice {
  public init(from decoder: any Decoder) throws {
    self = try Self.decodeChoice(from: decoder)
  }

  /// Sends the top `ceil(value · n)` papers of a night of `n`.
  case fraction
  /// Sends the top `value` papers, or every paper on a smaller night.
  case count
  /// Sends the papers whose combined prefilter score is at least `value`.
  case score
}

/// A cutoff kind with its value, as stored in the `ranking` section.
public struct CutoffPolicy: Sendable, Codable, Hashable, CustomStringConvertible {
  public var kind: CutoffKind
  public var value: Double

  public init(_ kind: CutoffKind, _ value: Double) {
    self.kind = kind
    self.value = value
  }

  /// Reads ``RankingSettings/cutoffPolicy`` and ``RankingSettings/cutoffValue``.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration` for an unknown policy name.
  public init(settings: RankingSettings) throws {
    guard let kind = CutoffKind(rawValue: settings.cutoffPolicy) else {
      throw PaperSiftError(
        .configuration,
        "Invalid ranking.cutoffPolicy '\(settings.cutoffPolicy)' in the configuration: "
          + "use fraction, count or score.")
    }
    self.init(kind, settings.cutoffValue)
  }

  /// Counts the papers of a ranking that go to the LLM.
  ///
  /// - Parameter scores: The combined prefilter scores, best first.
  /// - Returns: A count in `0...scores.count`.
  public func sentCount(scores: [Double]) -> Int {
    let n = scores.count
    switch kind {
    case .fraction:
      return Self.fractionCount(value, of: n)
    case .count:
      guard value.isFinite, value > 0 else { return 0 }
      return min(n, Int(value.rounded(.down)))
    case .score:
      return scores.prefix { $0 >= value }.count
    }
  }

  /// Returns `ceil(fraction · n)` clamped to `0...n`.
  ///
  /// The product is lowered by 1e-9 before rounding up, because a product
  /// such as `0.3 · 10` is `3.0000000000000004` in binary floating point and
  /// must cut 3 papers, not 4.
  public static func fractionCount(_ fraction: Double, of n: Int) -> Int {
    guard fraction.isFinite, fraction > 0 else { return 0 }
    let cut = Int((fraction * Double(n) - 1e-9).rounded(.up))
    return min(max(cut, 0), n)
  }

  public var description: String {
    switch kind {
    case .fraction: return String(format: "fraction %.2f", value)
    case .count: return "count \(Int(value))"
    case .score: return String(format: "score >= %.3f", value)
    }
  }
}

/// One paper's place in a replayed night's ranking.
public struct RankedEntry: Sendable, Equatable {
  /// Whether the LLM picked the paper that night.
  public var isPick: Bool
  /// The combined prefilter score.
  public var score: Double
  /// The paper's estimated prompt tokens when sent to the LLM.
  public var tokens: Int
  /// The LLM's relevance score of a pick, nil when not known.
  public var relevance: Int?

  public init(isPick: Bool, score: Double, tokens: Int, relevance: Int? = nil) {
    self.isPick = isPick
    self.score = score
    self.tokens = tokens
    self.relevance = isPick ? relevance : nil
  }
}

/// The place of a pick in a night's ranking.
public struct PickPlace: Sendable, Equatable {
  /// 0-based: the best paper is at 0.
  public var position: Int
  /// The LLM's relevance score of the pick, nil when not known.
  public var relevance: Int?
}

/// A night ranked by one prefilter variant, with running totals of picks
/// and tokens so that any cut is read in constant time.
public struct RankedNight: Sendable {
  /// Best first.
  public let scores: [Double]
  /// `cumulativePicks[k]` is the number of picks among the first `k` papers.
  public let cumulativePicks: [Int]
  /// `cumulativeTokens[k]` is the estimated prompt tokens of the first `k` papers.
  public let cumulativeTokens: [Int]
  /// The picks, best placed first.
  public let pickPlaces: [PickPlace]

  public init(_ entries: [RankedEntry]) {
    scores = entries.map(\.score)
    var picks = [0]
    var tokens = [0]
    var places: [PickPlace] = []
    for (position, entry) in entries.enumerated() {
      picks.append(picks[picks.count - 1] + (entry.isPick ? 1 : 0))
      tokens.append(tokens[tokens.count - 1] + entry.tokens)
      if entry.isPick { places.append(PickPlace(position: position, relevance: entry.relevance)) }
    }
    cumulativePicks = picks
    cumulativeTokens = tokens
    pickPlaces = places
  }

  public var count: Int { scores.count }
}

/// One replayed night: its picks, its token costs and each variant's ranking.
public struct RecallDay: Sendable {
  /// `YYYY-MM-DD`.
  public var date: String
  /// The papers of the night.
  public var papers: Int
  /// The LLM's picks of the night, the denominator of recall.
  public var picks: Int
  /// The estimated prompt tokens of a request without papers: the system
  /// message (instructions, topics, rubric) and the user message's header.
  public var requestTokens: Int
  /// Papers per LLM request.
  public var batchSize: Int
  /// Rankings by variant name.
  public var rankings: [String: RankedNight]
  /// The LLM that labelled the night, nil when not known.
  public var labeller: String?

  public init(
    date: String, papers: Int, picks: Int, requestTokens: Int, batchSize: Int,
    rankings: [String: RankedNight], labeller: String? = nil
  ) {
    self.date = date
    self.papers = papers
    self.picks = picks
    self.requestTokens = requestTokens
    self.batchSize = max(batchSize, 1)
    self.rankings = rankings
    self.labeller = labeller
  }

  /// Returns the estimated prompt tokens of sending `count` papers of `night`
  /// in requests of ``batchSize``.
  public func tokens(sending count: Int, of night: RankedNight) -> Int {
    guard count > 0 else { return 0 }
    let requests = (count + batchSize - 1) / batchSize
    return requests * requestTokens + night.cumulativeTokens[count]
  }

  /// The estimated prompt tokens of sending every paper of the night.
  public var allTokens: Int {
    guard let night = rankings.values.first else { return 0 }
    return tokens(sending: night.count, of: night)
  }

  /// Counts `variant`'s picks inside each top fraction, as in the `--json` output.
  ///
  /// - Returns: The fraction as text (`"0.25"`), then the count.
  public func counts(variant: String, fractions: [Double]) -> [String: Int] {
    guard let night = rankings[variant] else { return [:] }
    var result: [String: Int] = [:]
    for fraction in fractions {
      let cut = CutoffPolicy.fractionCount(fraction, of: night.count)
      result[String(fraction)] = night.cumulativePicks[cut]
    }
    return result
  }
}
