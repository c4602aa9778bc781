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
  /// The tokens and dollars paid for the night's LLM requests, of every run
  /// of the night and under every model and prompt, so a re-run writes the
  /// same digest. Also set when the stage failed or sent nothing, because
  /// requests that returned no score, or whose scores are of another
  /// prompt, were paid for all the same.
  public var usage: Usage
  public var counts: Counts
  public var selectionRule: SelectionRule
  /// The papers the digest lists: the LLM's picks sorted by relevance, then
  /// novelty, then prefilter rank, or the top of the prefilter ranking when
  /// the LLM stage was skipped.
  public var papers: [SelectedPaper]
  /// Nil when no request of the night under the digest's model and prompt
  /// gave a score and no estimate prices the chosen papers, such as on a
  /// night when no paper was chosen.
  public var costSaved: CostSaved?
  /// Nil when the LLM stage was skipped.
  public var recall: RecallEstimate?
  /// The papers chosen for the LLM, above the cutoff or drawn for the
  /// audit, that got no score, with the reason: a failed or unusable
  /// response, or no request because of the budget, a stop or `--no-llm`.
  /// Empty when `--no-llm` or a missing API key skipped the stage on a
  /// night without stored scores.
  public var unscored: [UnscoredPaper]
  /// Set when the LLM stage was skipped and no stored score of the night
  /// could stand in.
  public var skippedLLM: SkippedLLM?
  /// The reason this run sent no request, such as `--no-llm was given`. Set
  /// when the digest shows the scores that earlier runs of the night stored.
  public var noRequestReason: String?
  /// The reason this run's requests gave no score, when they all failed and the
  /// digest shows the scores that earlier runs of the night stored.
  public var failedRequestsReason: String?
  /// The scoring prompt, shown at the end of the digest when set.
  public var selectionPrompt: String?

  public init(
    date: String, model: String, usage: Usage, counts: Counts, selectionRule: SelectionRule,
    papers: [SelectedPaper], costSaved: CostSaved?, recall: RecallEstimate?,
    unscored: [UnscoredPaper], skippedLLM: SkippedLLM?, noRequestReason: String? = nil,
    failedRequestsReason: String? = nil, selectionPrompt: String? = nil
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
    self.noRequestReason = noRequestReason
    self.failedRequestsReason = failedRequestsReason
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
    /// The requests whose response reported no token usage, so that the
    /// tokens and dollars count the estimate of what they sent. Nil when
    /// every response reported usage.
    public var estimatedRequests: Int?

    public init(
      promptTokens: Int, completionTokens: Int, cachedTokens: Int, promptDollars: Double,
      completionDollars: Double, cachedDollars: Double, estimatedRequests: Int? = nil
    ) {
      self.promptTokens = promptTokens
      self.completionTokens = completionTokens
      self.cachedTokens = cachedTokens
      self.promptDollars = promptDollars
      self.completionDollars = completionDollars
      self.cachedDollars = cachedDollars
      self.estimatedRequests = estimatedRequests
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
    /// The papers above the cutoff, chosen for the LLM. A budget or a failure
    /// can leave some of them unsent, and none are sent when the LLM stage is
    /// skipped.
    public var aboveCutoff: Int
    /// The papers drawn from below the cutoff for the audit sample.
    public var audited: Int
    /// The papers above the cutoff or in the audit sample that got a score.
    public var scored: Int

    public init(papers: Int, aboveCutoff: Int, audited: Int, scored: Int) {
      self.papers = papers
      self.aboveCutoff = aboveCutoff
      self.audited = audited
      self.scored = scored
    }

    /// The papers chosen for the LLM: those above the cutoff and the audit sample.
    public var chosen: Int { aboveCutoff + audited }
  }

  /// The user's feedback on a paper, from `papersift like` or `dislike`.
  public enum Feedback: String, Codable, Sendable, Equatable {
    case liked
    case disliked
  }

  /// The prefilter's reason for passing a paper.
  ///
  /// In JSON it is an object whose `kind` is the case name, with the
  /// associated values as further keys, such as
  /// `{"kind": "topic", "name": "Model Architecture", "number": 1}` or
  /// `{"kind": "likedByUser"}`.
  public enum PassReason: Sendable, Equatable {
    /// The paper is close to a topic of the user's interests, numbered from 1.
    case topic(number: Int, name: String)
    /// The paper is close to a relevant keyword of the topics file.
    case relevantKeyword(keyword: String)
    /// The paper is close to one the user liked.
    case likedPaper(id: String)
    /// The paper is close to one the LLM picked on an earlier night.
    case earlierPick(id: String)
    /// The user liked the paper itself, so it passes whatever its rank.
    case likedByUser
    /// An author is on the user's follow list.
    case followedAuthor(name: String)
    /// The paper was below the cutoff and drawn for the audit sample.
    case auditSample
    /// The profile has no topic, keyword, like or earlier pick to name, so
    /// the paper's prefilter score is given.
    case learnedModel(score: Double)
    case other(text: String)

    /// The reason as the digest prints it, such as `topic 2: Model Architecture`.
    public var text: String {
      switch self {
      case .topic(let number, let name): "topic \(number): \(name)"
      case .relevantKeyword(let keyword): "relevant keyword: \(keyword)"
      case .likedPaper(let id): "liked paper \(id)"
      case .earlierPick(let id): "earlier LLM pick \(id)"
      case .likedByUser: "you liked this paper"
      case .followedAuthor(let name): "followed author \(name)"
      case .auditSample: "audit sample"
      case .learnedModel(let score): "learned model score \(String(format: "%.3f", score))"
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
    /// Whether the paper was drawn from below the cutoff for the audit sample.
    public var inAuditSample: Bool
    /// The user's like or dislike of the paper, nil when there is none.
    public var feedback: Feedback?
    /// The command the digest offers: `papersift like ID`, or
    /// `papersift unlike ID` when the user liked or disliked the paper.
    public var likeCommand: String
    public var categories: [String]
    /// The listing's announce type of the paper: new, or cross-listed from
    /// another category.
    public var announceType: AnnounceType

    /// Creates the entry for `paper`, with title and abstract joined onto one
    /// line each, because arXiv's API breaks them into lines, and cut at the
    /// prompt's limits.
    public init(
      paper: Paper, prefilterRank: Int, prefilterScore: Double, reason: PassReason,
      score: DigestInput.Score?, feedback: Feedback? = nil
    ) {
      id = paper.id
      version = paper.version
      title = PromptBuilder.shortened(
        VisibleText.singleLine(paper.title), to: PromptBuilder.maxTitleCharacters)
      authors = paper.authors.map(VisibleText.singleLine)
      abstract = PromptBuilder.shortened(
        VisibleText.singleLine(paper.abstract), to: PromptBuilder.maxAbstractCharacters)
      link = paper.absURL
      comment = score.map { VisibleText.singleLine($0.comment) }
      relevance = score?.relevance
      novelty = score?.novelty
      self.prefilterRank = prefilterRank
      self.prefilterScore = prefilterScore
      self.reason = reason
      inAuditSample = reason == .auditSample
      self.feedback = feedback
      likeCommand = "papersift \(feedback == nil ? "like" : "unlike") \(paper.id)"
      categories = paper.categories
      announceType = paper.announceType
    }
  }

  /// A paper that was sent to the LLM, or drawn for the audit, and got no score.
  public struct UnscoredPaper: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var link: String
    /// The cause of the missing score, such as a failed batch or a spent budget.
    public var reason: String
    /// Whether the paper was drawn from below the cutoff for the audit sample.
    public var inAuditSample: Bool

    public init(
      id: String, title: String, link: String, reason: String, inAuditSample: Bool = false
    ) {
      self.id = id
      self.title = title
      self.link = link
      self.reason = reason
      self.inAuditSample = inAuditSample
    }
  }

  /// The LLM stage that did not run or returned no score, and what it would have cost.
  public struct SkippedLLM: Codable, Sendable, Equatable {
    /// The cause of the skip, such as `--no-llm was given`.
    public var reason: String
    /// The estimated tokens and dollars of scoring the papers at the chosen
    /// cutoff, audit sample included.
    public var estimatedUsage: Usage
    /// True when requests were sent and no paper got a score, and nil when
    /// the stage was skipped before sending anything.
    public var failed: Bool?

    public init(reason: String, estimatedUsage: Usage, failed: Bool? = nil) {
      self.reason = reason
      self.estimatedUsage = estimatedUsage
      self.failed = failed
    }

    /// Whether requests were sent and no paper got a score.
    public var requestsFailed: Bool { failed == true }
  }

  /// The dollars the cutoff saved against sending every paper to the LLM.
  ///
  /// The cost of every paper is an estimate: the dollars per paper times the
  /// night's papers. The dollars per paper are the paid dollars over the
  /// papers of the night that the paid requests gave a score, which include
  /// papers that other runs of the night chose at another cutoff. Requests
  /// that returned no score are counted apart and price no paper. When no
  /// paper got a score, because the LLM stage was skipped or failed, the
  /// dollars per paper are the estimated dollars over the papers chosen.
  public struct CostSaved: Codable, Sendable, Equatable {
    /// The papers chosen for the LLM: those above the cutoff and the audit sample.
    public var chosenPapers: Int
    /// The chosen papers that got a score, 0 when the stage was skipped or failed.
    public var scoredPapers: Int
    public var allPapers: Int
    /// The dollars paid for the night's requests under the digest's model
    /// and prompt, whose scores the digest shows, that returned scores of
    /// papers of the night.
    public var paidDollars: Double
    /// The papers of the night that the requests of ``paidDollars`` gave a
    /// score, chosen at this cutoff or not, 0 when the stage was skipped or
    /// failed.
    public var paidScoredPapers: Int
    /// The dollars paid for the night's requests under the same model and
    /// prompt that returned no score, nil when there were none.
    public var noScoreDollars: Double?
    /// The estimated dollars of scoring the chosen papers, set only when no
    /// paper got a score.
    public var estimatedDollars: Double?
    public var dollarsPerPaper: Double
    /// The estimated dollars of scoring every paper of the night.
    public var allPapersDollars: Double
    /// The estimated dollars of scoring every chosen paper, which differs
    /// from the paid dollars when some chosen papers got no score.
    public var chosenPapersDollars: Double

    /// Prices the night from the paid dollars of `paidScoredPapers` scores,
    /// or from `estimatedDollars` when `paidScoredPapers` is 0.
    /// `noScoreDollars` prices no paper, and is kept when above 0.
    ///
    /// - Precondition: `paidScoredPapers > 0`, or `chosenPapers > 0` with an
    ///   estimate.
    public init(
      chosenPapers: Int, scoredPapers: Int, allPapers: Int, paidDollars: Double,
      paidScoredPapers: Int, estimatedDollars: Double?, noScoreDollars: Double = 0
    ) {
      precondition(
        paidScoredPapers > 0 || (chosenPapers > 0 && estimatedDollars != nil),
        "no scored papers and no estimate to price")
      self.chosenPapers = chosenPapers
      self.scoredPapers = scoredPapers
      self.allPapers = allPapers
      self.paidDollars = paidDollars
      self.paidScoredPapers = paidScoredPapers
      self.noScoreDollars = noScoreDollars > 0 ? noScoreDollars : nil
      if paidScoredPapers > 0 {
        self.estimatedDollars = nil
        dollarsPerPaper = paidDollars / Double(paidScoredPapers)
      } else {
        self.estimatedDollars = estimatedDollars
        dollarsPerPaper = (estimatedDollars ?? 0) / Double(chosenPapers)
      }
      allPapersDollars = dollarsPerPaper * Double(allPapers)
      chosenPapersDollars = dollarsPerPaper * Double(chosenPapers)
    }

    /// The estimated dollars of the papers below the cutoff that were not
    /// audited, which the cutoff kept from being sent.
    public var savedDollars: Double { allPapersDollars - chosenPapersDollars }
  }
}
