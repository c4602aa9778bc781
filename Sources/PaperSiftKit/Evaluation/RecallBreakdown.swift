import Foundation

/// A variant's recall split by the LLM that labelled each night and by
/// the relevance the LLM gave each pick, to show which picks the
/// prefilter misses.
public struct RecallBreakdown: Sendable, Equatable {
  /// One group of picks and how many of them each top fraction keeps.
  public struct Row: Sendable, Equatable {
    /// `gpt-4o`, `gpt-4o, relevance 9-10`, `labeller not recorded` or `every night`.
    public var name: String
    public var nights: Int
    public var picks: Int
    /// `inside[i]` counts the group's picks inside the top `fractions[i]` of their night.
    public var inside: [Int]

    /// Returns the share of the group's picks inside the top `fractions[i]`, 1 without picks.
    public func recall(at i: Int) -> Double {
      picks > 0 ? Double(inside[i]) / Double(picks) : 1
    }
  }

  /// Picks at or above this relevance form the upper band.
  public static let upperBand = 9

  public var fractions: [Double]
  /// Per labeller in order of its first night: all its picks, then the
  /// upper band, then the rest. Last, every pick of every night.
  public var rows: [Row]

  /// Counts `variant`'s picks inside each of `fractions` of their nights.
  ///
  /// A pick without a relevance score (a followed author's paper) is
  /// counted in its labeller's row but in neither band. Nights without the
  /// variant's ranking count their picks, none of them inside.
  public init(days: some Collection<RecallDay>, variant: String, fractions: [Double]) {
    self.fractions = fractions
    var labellers: [String?] = []
    for day in days where !labellers.contains(day.labeller) {
      labellers.append(day.labeller)
    }
    var rows: [Row] = []
    for labeller in labellers {
      let nights = days.filter { $0.labeller == labeller }
      let name = labeller ?? "labeller not recorded"
      rows.append(Self.row(nights, variant, fractions, name: name, allPicks: true) { _ in true })
      rows.append(
        Self.row(nights, variant, fractions, name: "\(name), relevance \(Self.upperBand)-10") {
          ($0 ?? 0) >= Self.upperBand
        })
      rows.append(
        Self.row(
          nights, variant, fractions, name: "\(name), relevance \(Self.upperBand - 1) or lower"
        ) {
          $0.map { $0 < Self.upperBand } ?? false
        })
    }
    rows.append(
      Self.row(Array(days), variant, fractions, name: "every night", allPicks: true) { _ in true })
    self.rows = rows
  }

  static func row(
    _ nights: [RecallDay], _ variant: String, _ fractions: [Double], name: String,
    allPicks: Bool = false, includes: (Int?) -> Bool
  ) -> Row {
    var picks = 0
    var inside = [Int](repeating: 0, count: fractions.count)
    for night in nights {
      guard let ranked = night.rankings[variant] else {
        if allPicks { picks += night.picks }
        continue
      }
      let cuts = fractions.map { CutoffPolicy.fractionCount($0, of: ranked.count) }
      for place in ranked.pickPlaces where includes(place.relevance) {
        picks += 1
        for (i, cut) in cuts.enumerated() where place.position < cut {
          inside[i] += 1
        }
      }
    }
    return Row(name: name, nights: nights.count, picks: picks, inside: inside)
  }
}
