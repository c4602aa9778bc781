import Foundation

/// The recall benchmark's results as JSON counts and as a Markdown page.
public struct RecallReport {
  /// The command, machine and timing behind the figures, printed at the top of the page.
  public struct RunInfo: Sendable {
    public var command: String
    public var machine: String
    /// `YYYY-MM-DD`.
    public var date: String
    /// Wall-clock seconds of loading, replay, ranking and tuning,
    /// embedding included when the vector cache lacked texts.
    public var seconds: Double
    /// User and system CPU seconds of the same work, which other load on
    /// the machine does not inflate.
    public var cpuSeconds: Double
    /// Texts embedded in this run because the vector cache lacked them.
    public var embeddedTexts: Int

    public init(
      command: String, machine: String, date: String, seconds: Double, cpuSeconds: Double,
      embeddedTexts: Int
    ) {
      self.command = command
      self.machine = machine
      self.date = date
      self.seconds = seconds
      self.cpuSeconds = cpuSeconds
      self.embeddedTexts = embeddedTexts
    }
  }

  /// Nights before this 0-based index are replayed but left out of the
  /// published protocol: every night from the 21st on, ranked by models
  /// trained on up to 60 earlier nights.
  public static let protocolFirstDay = 20

  /// The variants in the order the page and the plot list them, with their labels.
  public static let variantLabels: [(variant: ReplayVariant, label: String)] = [
    (.topics, "topics only"),
    (.profile, "topics and likes"),
    (.logistic, "logistic regression"),
    (.tfidf, "tf-idf SVM"),
    (.neighbours, "tf-idf neighbours"),
    (.rankAverage, "learned models (rank average)"),
    (.auto, "auto (as configured)"),
    (.authorCountPrior, "auto + author-count prior"),
  ]

  /// Every replayed night, in date order.
  public var days: [RecallDay]
  public var tuning: CutoffTuningResult
  /// The ranking section that the `auto` variant used.
  public var configured: RankingSettings
  public var run: RunInfo

  public init(
    days: [RecallDay], tuning: CutoffTuningResult, configured: RankingSettings, run: RunInfo
  ) {
    self.days = days
    self.tuning = tuning
    self.configured = configured
    self.run = run
  }

  /// Returns the nights of the published protocol, or every night when
  /// there are no more than ``protocolFirstDay``.
  public static func protocolDays(_ days: [RecallDay]) -> [RecallDay] {
    days.count > protocolFirstDay ? Array(days[protocolFirstDay...]) : days
  }

  /// Counts each night's picks inside each top fraction of each variant.
  public static func counts(_ days: [RecallDay]) -> [ReplayDayCounts] {
    days.map { day in
      var variants: [String: [String: Int]] = [:]
      for variant in ReplayVariant.allCases {
        variants[variant.rawValue] = day.counts(
          variant: variant.rawValue, fractions: Replay.fractions)
      }
      return ReplayDayCounts(
        date: day.date, papers: day.papers, picks: day.picks, variants: variants)
    }
  }

  /// Returns the `--json` output: an array with one object per night,
  /// `{"date", "papers", "picks", "variants": {name: {"0.25": count}}}`.
  public static func json(_ days: [RecallDay]) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: try encoder.encode(counts(days)), as: UTF8.self) + "\n"
  }

  /// Returns the Markdown page; `plotFile` is the SVG's path relative to the page.
  public func markdown(plotFile: String?) -> String {
    let scored = Self.protocolDays(days)
    var page = "# Recall benchmark\n\n"
    page += "How many of the LLM's picks the prefilter keeps when it sends only the top "
    page += "of each night to the LLM, and the estimated prompt tokens that saves. "
    page += "The nights are replayed in date order: each night is ranked with the topics "
    page += "file in force that night, the LLM's picks of earlier nights as likes, and "
    page += "models trained on up to \(configured.model.trainingDays) earlier nights.\n\n"
    page += "## Run\n\n"
    page += "- Command: `\(run.command)`\n"
    page += "- Machine: \(run.machine)\n"
    page += "- Date: \(run.date)\n"
    page += String(
      format: "- Replay, ranking and tuning: %.1f s wall clock, %.1f s CPU "
        + "(%d texts embedded in this run)\n\n",
      run.seconds, run.cpuSeconds, run.embeddedTexts)

    page += recallSection(
      "Every night from the 21st", scored,
      note: "The protocol of the reference figures below, so the two tables compare.")
    let heldOut = days.filter { tuning.heldOutDates.contains($0.date) }
    page += recallSection(
      "Held-out later half", heldOut,
      note: "The nights after the tuning nights, which no tuning step has read.")
    page += Self.breakdownSection(scored)
    page += Self.referenceTable
    page += choiceSection()
    page += configuredSection(scored)
    if let plotFile {
      page += "## Plot\n\nRecall against the share of papers sent, every night from the 21st.\n\n"
      page += "![Recall against the share of papers sent](\(plotFile))\n\n"
    }
    page += "## Limits\n\n"
    page += "The labels are the picks of an LLM ranker that scored only papers passing its own "
    page += "author and title filter, so a paper without a label is not necessarily one the "
    page += "LLM would reject. Recall of the picks is a fair measure, but the token figures "
    page += "are estimates (one token per 4.4 characters of the prompt, as the scorer "
    page += "estimates before sending) and leave out the output tokens.\n"
    return page
  }

  func recallSection(_ title: String, _ nights: [RecallDay], note: String) -> String {
    let picks = nights.reduce(0) { $0 + $1.picks }
    let papers = nights.reduce(0) { $0 + $1.papers }
    let first = nights.first?.date ?? "-"
    let last = nights.last?.date ?? "-"
    var text = "## Recall: \(title.lowercased())\n\n"
    text += "\(nights.count) nights (\(first) to \(last)), \(papers) papers, \(picks) picks. "
    text += "\(note) Each cell is the share of the picks inside the top fraction of the night, "
    text += "summed over the nights.\n\n"
    let fractions = Replay.fractions
    text +=
      "| prefilter | "
      + fractions.map { "\(Int(($0 * 100).rounded()))%" }
      .joined(separator: " | ") + " |\n"
    text += "|---|" + fractions.map { _ in "---|" }.joined() + "\n"
    for (variant, label) in Self.variantLabels {
      let cells = fractions.map { fraction in
        let summary = RecallSummary(
          days: nights, variant: variant.rawValue, policy: CutoffPolicy(.fraction, fraction))
        return Self.percent(summary.recall)
      }
      text += "| \(label) | " + cells.joined(separator: " | ") + " |\n"
    }
    return text + "\n"
  }

  static func breakdownSection(_ nights: [RecallDay]) -> String {
    let fractions = [0.25, 0.3, 0.4]
    let breakdown = RecallBreakdown(
      days: nights, variant: ReplayVariant.auto.rawValue, fractions: fractions)
    var text = "## Recall by labeller and relevance\n\n"
    text += "`auto` on every night from the 21st, its picks split by the LLM that labelled "
    text += "the night and by the relevance score (out of 10) that LLM gave each pick. "
    text +=
      "Each cell is the share of the group's picks inside the top fraction of their night.\n\n"
    text += "| labeller | picks | nights | "
    text += fractions.map { "\(Int(($0 * 100).rounded()))%" }.joined(separator: " | ") + " |\n"
    text += "|---|---|---|" + fractions.map { _ in "---|" }.joined() + "\n"
    for row in breakdown.rows {
      let cells = fractions.indices.map { Self.percent(row.recall(at: $0)) }
      text +=
        "| \(row.name) | \(row.picks) | \(row.nights) | " + cells.joined(separator: " | ") + " |\n"
    }
    return text + "\n"
  }

  static let referenceTable = """
    ## Reference figures

    Measured on the same nights from the 21st with the same protocol and MiniLM
    embeddings of title and abstract, published with the benchmark as the
    figures to beat:

    | prefilter | 25% | 30% | 40% |
    |---|---|---|---|
    | cosine to the topic vectors | 64% | 70% | 80% |
    | logistic regression on the embeddings | 84% | 89% | 95% |
    | tf-idf linear SVM (arxiv-sanity-lite's model) | 86% | 90% | 95% |
    | rank average of the two above | 88% | 92% | 96% |


    """

  func choiceSection() -> String {
    var text = "## Chosen cutoff and weights\n\n"
    text += "Tuned on the earlier half of the nights from the 21st "
    text += "(\(Self.range(tuning.tuningDates))), measured on the later half "
    text += "(\(Self.range(tuning.heldOutDates))). The choice is the weighting and cutoff "
    text += "with the fewest estimated prompt tokens on the tuning nights among those whose "
    text += "micro-averaged recall there reaches \(Self.percent(tuning.target)).\n\n"
    guard let chosen = tuning.chosen else {
      return text + "No weighting and cutoff reached the target on the tuning nights.\n\n"
    }
    text += "- Weights: \(chosen.weights)\n"
    text += "- Cutoff: \(chosen.policy) (`cutoffPolicy` \"\(chosen.policy.kind.rawValue)\", "
    text += "`cutoffValue` \(chosen.policy.value))\n\n"
    text += Self.summaryHeader
    for choice in tuning.cheapestByKind {
      let marker = choice == chosen ? " (chosen)" : ""
      text += Self.summaryRow("\(choice.policy)\(marker)", "tuning", choice.tuning)
      text += Self.summaryRow("\(choice.policy)\(marker)", "held out", choice.heldOut)
    }
    return text + "\n"
  }

  func configuredSection(_ scored: [RecallDay]) -> String {
    var text = "## The configured prefilter\n\n"
    guard let policy = try? CutoffPolicy(settings: configured) else {
      return text + "The configured cutoff policy '\(configured.cutoffPolicy)' is unknown.\n\n"
    }
    text += "`auto` with the configuration's \(configured.combination.rawValue) combination, "
    text += "weights (\(configured.weights)) and cutoff (\(policy)), "
    text += "every night from the 21st:\n\n"
    text += Self.summaryHeader
    let summary = RecallSummary(days: scored, variant: ReplayVariant.auto.rawValue, policy: policy)
    return text + Self.summaryRow("\(policy)", "from the 21st", summary) + "\n"
  }

  static let summaryHeader = """
    | cutoff | nights | recall | mean night | worst night | papers sent | tokens saved |
    |---|---|---|---|---|---|---|

    """

  static func summaryRow(_ name: String, _ nights: String, _ summary: RecallSummary) -> String {
    let worst = summary.worstDay.map { "\(percent(summary.worstRecall)) (\($0))" } ?? "-"
    return "| \(name) | \(nights), \(summary.days) | \(percent(summary.recall)) "
      + "| \(percent(summary.meanRecall)) | \(worst) | \(percent(summary.sentShare)) "
      + "| \(percent(summary.tokensSavedShare)) |\n"
  }

  static func percent(_ value: Double) -> String {
    String(format: "%.1f%%", value * 100)
  }

  static func range(_ dates: [String]) -> String {
    guard let first = dates.first, let last = dates.last else { return "no nights" }
    return "\(dates.count) nights, \(first) to \(last)"
  }
}
