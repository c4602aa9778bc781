import Foundation

/// Everything a night's digest shows, written as Markdown by
/// ``MarkdownDigest`` and as JSON by ``JSONDigest``.
///
/// ``DigestBuilder`` builds it from the night's ranking and scores. The
/// Markdown and JSON files are rendered from the same value, so they carry the
/// same content.
public struct DigestContent: Codable, Sendable, Equatable {
  /// The night, `YYYY-MM-DD`.
  public var date: String
  /// The LLM model that scored the papers, or would have scored them when
  /// the LLM stage was skipped.
  public var model: String
  /// The tokens and dollars of the night's scores, including scores paid for
  /// by an earlier run of the same night, so a re-run writes the same digest.
  /// Zero when the LLM stage was skipped.
  public var usage: Usage
  public var counts: Counts
  public var selectionRule: SelectionRule
  /// The papers the digest lists: the LLM's picks sorted by relevance, then
  /// novelty, then prefilter rank, or the top of the prefilter ranking when
  /// the LLM stage was skipped.
  public var papers: [SelectedPaper]
  /// Nil when no paper was or would have been sent to the LLM.
  public var costSaved: CostSaved?
  /// Nil when the LLM stage was skipped.
  public var recall: RecallEstimate?
  /// The papers sent to the LLM, or drawn for the audit, that got no score.
  public var unscored: [UnscoredPaper]
  /// Set when the LLM stage was skipped.
  public var skippedLLM: SkippedLLM?
  /// The scoring prompt, shown at the end of the digest when set.
  public var selectionPrompt: String?

  public init(
    date: String, model: String, usage: Usage, counts: Counts, selectionRule: SelectionRule,
    papers: [SelectedPaper], costSaved: CostSaved?, recall: RecallEstimate?,
    unscored: [UnscoredPaper], skippedLLM: SkippedLLM?, selectionPrompt: String? = nil
  ) {
    self.date = date
    self.model = model
    self.usage = usage
    self.counts = counts
    self.selectionRule = selectionRule
    self.papers = papers
    self.costSaved = costSaved
    self.recall = recall
    self.unscored = unscored
    self.skippedLLM = skippedLLM
    self.selectionPrompt = selectionPrompt
  }

  /// Tokens and their price in US dollars.
  ///
  /// Cached tokens are part of the prompt tokens, as OpenAI's usage reports
  /// them, and their dollars are part of the prompt dollars. The totals are
  /// prompt plus completion.
  public struct Usage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var cachedTokens: Int
    public var promptDollars: Double
    public var completionDollars: Double
    public var cachedDollars: Double

    public init(
      promptTokens: Int, completionTokens: Int, cachedTokens: Int, promptDollars: Double,
      completionDollars: Double, cachedDollars: Double
    ) {
      self.promptTokens = promptTokens
      self.completionTokens = completionTokens
      self.cachedTokens = cachedTokens
      self.promptDollars = promptDollars
      self.completionDollars = completionDollars
      self.cachedDollars = cachedDollars
    }

    public static let zero = Usage(
      promptTokens: 0, completionTokens: 0, cachedTokens: 0, promptDollars: 0,
      completionDollars: 0, cachedDollars: 0)

    public var totalTokens: Int { promptTokens + completionTokens }
    public var totalDollars: Double { promptDollars + completionDollars }
  }

  /// The night's paper counts.
  public struct Counts: Codable, Sendable, Equatable {
    /// All papers of the night, the "Total scanned papers" of the digest.
    public var papers: Int
    /// The papers above the cutoff, sent to the LLM (or that would have been).
    public var sent: Int
    /// The papers drawn from below the cutoff for the audit sample.
    public var audited: Int

    public init(papers: Int, sent: Int, audited: Int) {
      self.papers = papers
      self.sent = sent
      self.audited = audited
    }
  }

  /// The prefilter's reason for passing a paper.
  public enum PassReason: Codable, Sendable, Equatable {
    /// The paper is close to a topic of the user's interests, numbered from 1.
    case topic(number: Int, name: String)
    /// The paper is close to one the user liked.
    case likedPaper(id: String)
    /// The user liked the paper itself, so it passes whatever its rank.
    case likedByUser
    /// An author is on the user's follow list.
    case followedAuthor(name: String)
    /// The paper was below the cutoff and drawn for the audit sample.
    case auditSample
    case other(text: String)

    /// The reason as the digest prints it, such as `topic 2: Model Architecture`.
    public var text: String {
      switch self {
      case .topic(let number, let name): "topic \(number): \(name)"
      case .likedPaper(let id): "liked paper \(id)"
      case .likedByUser: "you liked this paper"
      case .followedAuthor(let name): "followed author \(name)"
      case .auditSample: "audit sample"
      case .other(let text): text
      }
    }
  }

  /// One paper listed in the digest.
  public struct SelectedPaper: Codable, Sendable, Equatable {
    /// The version-less arXiv id.
    public var id: String
    public var version: Int
    /// The title on one line, TeX kept as written.
    public var title: String
    public var authors: [String]
    /// The abstract on one line, TeX kept as written.
    public var abstract: String
    public var link: String
    /// The LLM's comment, nil when the LLM stage was skipped.
    public var comment: String?
    /// The LLM's scores from 1 to 10, nil when the LLM stage was skipped.
    public var relevance: Int?
    public var novelty: Int?
    /// The paper's 1-based place in the night's prefilter ranking.
    public var prefilterRank: Int
    public var prefilterScore: Double
    public var reason: PassReason
    /// The command that records the user's interest in the paper.
    public var likeCommand: String

    /// Creates the entry for `paper`, with title and abstract joined onto one
    /// line each, because arXiv's API breaks them into lines, and cut at the
    /// prompt's limits.
    public init(
      paper: Paper, prefilterRank: Int, prefilterScore: Double, reason: PassReason,
      score: DigestInput.Score?
    ) {
      id = paper.id
      version = paper.version
      title = PromptBuilder.shortened(
        MarkdownText.singleLine(paper.title), to: PromptBuilder.maxTitleCharacters)
      authors = paper.authors.map(MarkdownText.singleLine)
      abstract = PromptBuilder.shortened(
        MarkdownText.singleLine(paper.abstract), to: PromptBuilder.maxAbstractCharacters)
      link = paper.absURL
      comment = score.map { MarkdownText.singleLine($0.comment) }
      relevance = score?.relevance
      novelty = score?.novelty
      self.prefilterRank = prefilterRank
      self.prefilterScore = prefilterScore
      self.reason = reason
      likeCommand = "papersift like \(paper.id)"
    }
  }

  /// A paper that was sent to the LLM, or drawn for the audit, and got no score.
  public struct UnscoredPaper: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var link: String
    /// The cause of the missing score, such as a failed batch or a spent budget.
    public var reason: String

    public init(id: String, title: String, link: String, reason: String) {
      self.id = id
      self.title = title
      self.link = link
      self.reason = reason
    }
  }

  /// The LLM stage that did not run or returned no score, and what it would have cost.
  public struct SkippedLLM: Codable, Sendable, Equatable {
    /// The cause of the skip, such as `--no-llm was given`.
    public var reason: String
    /// The estimated tokens and dollars of scoring the papers at the chosen
    /// cutoff, audit sample included.
    public var estimatedUsage: Usage
    /// True when the requests were sent and every one failed; nil when the
    /// stage was skipped before sending anything.
    public var failed: Bool?

    public init(reason: String, estimatedUsage: Usage, failed: Bool? = nil) {
      self.reason = reason
      self.estimatedUsage = estimatedUsage
      self.failed = failed
    }

    /// Whether requests were sent, all of them failing.
    public var requestsFailed: Bool { failed == true }
  }

  /// The dollars the cutoff saved against sending every paper to the LLM.
  ///
  /// The cost of every paper is an estimate: the night's dollars per scored
  /// paper times the night's papers.
  public struct CostSaved: Codable, Sendable, Equatable {
    /// The papers sent to the LLM, audit sample included.
    public var scoredPapers: Int
    public var allPapers: Int
    /// The dollars paid, or estimated when the LLM stage was skipped.
    public var scoredDollars: Double
    public var allPapersDollars: Double

    /// - Precondition: `scoredPapers > 0`.
    public init(scoredPapers: Int, allPapers: Int, scoredDollars: Double) {
      precondition(scoredPapers > 0, "no scored papers to price")
      self.scoredPapers = scoredPapers
      self.allPapers = allPapers
      self.scoredDollars = scoredDollars
      allPapersDollars = scoredDollars / Double(scoredPapers) * Double(allPapers)
    }

    public var savedDollars: Double { allPapersDollars - scoredDollars }
  }
}
