import Foundation

/// Renders a ``DigestContent`` as Markdown in the layout of the GPT paper
/// assistant digests.
///
/// The layout is the title with the date, the token and cost table, the
/// counts, the table of contents and one block per paper. PaperSift's own
/// sections follow: the run, the estimated recall, the cost saved and the
/// unscored papers.
public enum MarkdownDigest {
  /// The longest LLM comment shown in full. The longest of the 2,153
  /// comments in `Data/benchmark` has 332 characters, so only a model that
  /// ignores the prompt's one-sentence rule writes a longer one.
  static let maxCommentCharacters = 1_000

  /// Returns the digest as Markdown, ending in one newline.
  public static func render(_ content: DigestContent) -> String {
    var blocks: [String] = [title(content.date)]
    if let skipped = content.skippedLLM {
      blocks.append(skippedNotice(skipped, counts: content.counts))
      if skipped.requestsFailed {
        blocks.append(contentsOf: paidBlocks(content.usage))
        blocks.append(estimateNotice(content.counts, tense: "would cost"))
      } else {
        blocks.append(contentsOf: unusedPaidBlocks(content.usage))
        blocks.append(estimateNotice(content.counts, tense: "would have cost"))
      }
      blocks.append(usageTable(skipped.estimatedUsage))
    } else {
      if let reason = content.noRequestReason { blocks.append(noRequestNotice(reason)) }
      if let reason = content.failedRequestsReason {
        blocks.append(failedRequestsNotice(reason))
      }
      blocks.append(usageTable(content.usage))
      blocks.append(contentsOf: estimatedUsageNote(content.usage))
    }
    blocks.append("Total scanned papers: \(content.counts.papers)")
    blocks.append(relevantCount(content))
    if !content.papers.isEmpty {
      blocks.append(tableOfContents(content.papers))
      blocks.append("---")
      for (offset, paper) in content.papers.enumerated() {
        blocks.append(paperBlock(paper, number: offset + 1, papersInNight: content.counts.papers))
        blocks.append("---")
      }
    }
    blocks.append(runSection(content))
    blocks.append(recallSection(content))
    blocks.append(costSection(content))
    blocks.append(unscoredSection(content))
    if let prompt = content.selectionPrompt {
      blocks.append("---")
      // The prompt's own headings go one level down, so that they nest under this one.
      let nested = MarkdownHeadings.demoted(prompt.trimmingCharacters(in: .newlines))
      blocks.append("# Paper Selection Prompt\n\n" + nested)
    }
    return blocks.joined(separator: "\n\n") + "\n"
  }

  /// Returns the title line, with a `YYYY-MM-DD` date shown as `MM/DD/YYYY`.
  static func title(_ date: String) -> String {
    let parts = date.split(separator: "-")
    let shown = parts.count == 3 ? "\(parts[1])/\(parts[2])/\(parts[0])" : date
    return "# Personalized Daily Arxiv Papers \(shown)"
  }

  private static func skippedNotice(
    _ skipped: DigestContent.SkippedLLM, counts: DigestContent.Counts
  ) -> String {
    let reason = withoutFinalPeriod(skipped.reason)
    if skipped.requestsFailed {
      return "**The LLM stage failed: \(reason).** The papers below are the prefilter's "
        + "ranking, and the papers that got no score are listed at the end."
    }
    return "**The LLM stage was skipped: \(reason).**"
  }

  /// Returns the notice of a run that sent nothing and shows the stored scores.
  /// Returns the notice of a run whose requests all failed, on a night with
  /// scores that earlier runs stored.
  private static func failedRequestsNotice(_ reason: String) -> String {
    "**The LLM stage failed this run: \(withoutFinalPeriod(reason)).** The scores below were "
      + "stored by earlier runs of this night, and the papers that got no score are listed at "
      + "the end."
  }

  private static func noRequestNotice(_ reason: String) -> String {
    "**The LLM stage sent no request this run: \(withoutFinalPeriod(reason)).** The scores "
      + "below were stored by earlier runs of this night, and the table shows what those runs "
      + "paid."
  }

  static func withoutFinalPeriod(_ text: String) -> String {
    var text = text
    while text.hasSuffix(".") { text.removeLast() }
    return text
  }

  /// Returns the tokens and dollars paid for a stage in which no paper got a score.
  private static func paidBlocks(_ usage: DigestContent.Usage) -> [String] {
    guard usage.totalTokens > 0 || usage.totalDollars > 0 else {
      return [
        "The requests failed without a response that counts tokens, such as with an HTTP "
          + "error status or a timeout, so the digest counts no cost."
      ]
    }
    return [
      "No paper got a score in this run. What the night's requests cost, earlier runs' "
        + "included:",
      usageTable(usage),
    ]
      + estimatedUsageNote(usage)
  }

  /// Returns what earlier runs paid for requests whose scores a skipped
  /// stage does not show, such as scores from before an edit of the topics
  /// file, or nothing when the night paid for no request.
  private static func unusedPaidBlocks(_ usage: DigestContent.Usage) -> [String] {
    guard usage.totalTokens > 0 || usage.totalDollars > 0 else { return [] }
    return [
      "Earlier runs of this night paid for LLM requests, although this digest shows none of "
        + "their scores:",
      usageTable(usage),
    ] + estimatedUsageNote(usage)
  }

  /// Returns the note that marks the paid tokens and dollars as partly
  /// estimated, or nothing when every response reported its usage.
  static func estimatedUsageNote(_ usage: DigestContent.Usage) -> [String] {
    guard let requests = usage.estimatedRequests, requests > 0 else { return [] }
    let (have, their, they) = requests == 1 ? ("has", "its", "it") : ("have", "their", "they")
    return [
      "**Estimated:** \(MarkdownText.counted(requests, "request")) \(have) no token usage from "
        + "the server (\(their) response reported none, or \(their) run was killed while \(they) "
        + "waited), so the table counts \(their) tokens by the estimate that --budget also uses."
    ]
  }

  private static func estimateNotice(_ counts: DigestContent.Counts, tense: String) -> String {
    "Scoring the \(MarkdownText.counted(counts.chosen, "paper")) at the chosen cutoff "
      + "(\(counts.aboveCutoff) above it and \(counts.audited) drawn for the audit) \(tense) "
      + "about:"
  }

  /// Returns the token and cost table, in which the cached tokens and their
  /// cost are part of the prompt's, followed by a note stating so when
  /// some tokens were cached.
  static func usageTable(_ usage: DigestContent.Usage) -> String {
    let rows = [
      ["", "Prompt", "of which cached", "Completion", "Total"],
      [
        "**Token**", "\(usage.promptTokens)", "\(usage.cachedTokens)",
        "\(usage.completionTokens)", "\(usage.totalTokens)",
      ],
      [
        "**Cost**", MarkdownText.dollars(usage.promptDollars),
        MarkdownText.dollars(usage.cachedDollars), MarkdownText.dollars(usage.completionDollars),
        MarkdownText.dollars(usage.totalDollars),
      ],
    ]
    let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
      let padded = zip(cells, widths).map { cell, width in
        " " + cell.padding(toLength: width, withPad: " ", startingAt: 0) + " "
      }
      return "|" + padded.joined(separator: "|") + "|"
    }
    let rule = "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|")
    let table = [line(rows[0]), rule + "|", line(rows[1]), line(rows[2])].joined(separator: "\n")
    guard usage.cachedTokens > 0 else { return table }
    return table + "\n\n" + cachedNote
  }

  /// The note under a usage table with cached tokens.
  static let cachedNote =
    "The cached tokens are part of the prompt tokens, billed at the cached price, so Total is "
    + "Prompt plus Completion."

  private static func relevantCount(_ content: DigestContent) -> String {
    guard let skipped = content.skippedLLM else {
      return "Total relevant papers: \(content.papers.count)"
    }
    let cause =
      skipped.requestsFailed
      ? "because the LLM stage failed" : "because the LLM stage was skipped"
    let listed = content.papers.count
    let list: String
    switch listed {
    case 0: list = ""
    case 1: list = " Below is the top paper of the prefilter ranking."
    default: list = " Below are the top \(listed) papers of the prefilter ranking."
    }
    return "Total relevant papers: not known, \(cause).\(list)"
  }

  private static func tableOfContents(_ papers: [DigestContent.SelectedPaper]) -> String {
    let entries = papers.enumerated().map { offset, paper in
      let number = offset + 1
      return "\(number). [\(MarkdownText.title(paper.title))](#user-content-link\(number))\n"
        + "**Authors:** \(authorList(paper))"
    }
    return "**Table of contents with paper titles:**\n\n" + entries.joined(separator: "\n\n")
  }

  private static func paperBlock(
    _ paper: DigestContent.SelectedPaper, number: Int, papersInNight: Int
  ) -> String {
    var lines = [
      "## \(number). [\(MarkdownText.title(paper.title))](\(paper.link)) "
        + "<a id=\"link\(number)\"></a>",
      "**ArXiv ID:** \(paper.id)",
      "**Authors:** \(authorList(paper))",
      "**Abstract:** \(MarkdownText.inline(paper.abstract))",
    ]
    if let comment = paper.comment {
      let commentText = MarkdownText.inline(
        comment, maxCharacters: maxCommentCharacters,
        note: "(cut short here; the JSON digest has the whole comment)")
      lines.append("**Comment:** \(commentText)")
    }
    if let relevance = paper.relevance, let novelty = paper.novelty {
      lines.append("**Relevance:** \(relevance)\n**Novelty:** \(novelty)")
    }
    let score = MarkdownText.decimal(paper.prefilterScore, places: 3)
    lines.append(
      "**Prefilter:** rank \(paper.prefilterRank) of \(papersInNight), score \(score), "
        + "reason: \(MarkdownText.inline(paper.reason.text))")
    switch paper.feedback {
    case .liked?: lines.append("**Liked:** yes; `\(paper.likeCommand)` takes it back")
    case .disliked?: lines.append("**Disliked:** yes; `\(paper.likeCommand)` takes it back")
    case nil: lines.append("**Like it:** `\(paper.likeCommand)`")
    }
    return lines.joined(separator: "\n\n")
  }

  private static func authorList(_ paper: DigestContent.SelectedPaper) -> String {
    MarkdownText.escaped(paper.authors.map(VisibleText.singleLine).joined(separator: ", "))
  }
}
