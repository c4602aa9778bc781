import Foundation

/// The sections after the papers: the run, the estimated recall, the cost
/// saved and the unscored papers.
extension MarkdownDigest {
  static func runSection(_ content: DigestContent) -> String {
    let counts = content.counts
    let chosen =
      "\(counts.aboveCutoff) of \(counts.papers) papers above the cutoff, plus "
      + "\(counts.audited) drawn for the audit from below it"
    let sentLine: String
    if let reason = content.noRequestReason {
      sentLine =
        "- Chosen for the LLM: \(chosen), and \(counts.scored) of them have a score stored by "
        + "an earlier run\n- Sent to the LLM this run: none, because "
        + withoutFinalPeriod(reason)
    } else if content.skippedLLM == nil {
      sentLine = "- Chosen for the LLM: \(chosen), and \(counts.scored) of them got a score"
    } else if content.skippedLLM?.requestsFailed == true {
      sentLine = "- Chosen for the LLM: \(chosen), but no paper got a score"
    } else {
      sentLine =
        "- Sent to the LLM: none, because the stage was skipped "
        + "(\(counts.aboveCutoff) above the cutoff, \(counts.audited) drawn for the audit)"
    }
    return """
      ## Run

      - Model: \(content.model)
      - Selection rule: \(content.selectionRule.text)
      \(sentLine)
      """
  }

  static func recallSection(_ content: DigestContent) -> String {
    let heading = "## Estimated recall\n\n"
    if content.skippedLLM?.requestsFailed == true {
      return heading + "No estimate, because no paper got a score."
    }
    guard content.skippedLLM == nil else {
      return heading + "No estimate, because the LLM stage was skipped and the audit "
        + "sample was not scored."
    }
    guard let recall = content.recall else { return heading + "No estimate." }
    guard content.counts.papers > 0 else {
      return heading + "No estimate, because the night had no papers."
    }
    guard recall.unscoredAboveCutoff == 0 else {
      return heading + unknownPicksText(content, recall: recall)
    }
    let counts = picksLine(recall, aboveCutoff: content.counts.aboveCutoff)
    guard recall.papersBelowCutoff > 0 else {
      return heading + "Every paper of the night is above the cutoff and got a score, so the "
        + "cutoff lost no picks.\n\n" + counts
    }
    guard recall.hasEstimate else {
      return heading + missingAuditText(content)
    }

    let lines = [headline(recall), "", counts] + auditLines(recall) + samplingNotes(content)
    return heading + lines.joined(separator: "\n")
  }

  /// Explains a recall section whose papers above the cutoff are not all
  /// scored, so that their picks are not known. The audit's estimate of the
  /// picks lost below the cutoff does not depend on them, so it is still shown.
  private static func unknownPicksText(_ content: DigestContent, recall: RecallEstimate)
    -> String
  {
    let reason = recall.noRecallReason ?? "some papers above the cutoff have no score"
    var lines = [
      "No recall estimate, because \(reason). The unscored papers below give the reasons.",
      "",
      picksLine(recall, aboveCutoff: content.counts.aboveCutoff),
    ]
    guard recall.papersBelowCutoff > 0 else {
      lines.append("- Papers below the cutoff: none, so the cutoff itself lost no picks")
      return lines.joined(separator: "\n")
    }
    guard recall.hasEstimate else {
      lines.append("- Picks lost below the cutoff: not estimated")
      return lines.joined(separator: "\n") + "\n\n" + missingAuditText(content)
    }
    lines += auditLines(recall) + samplingNotes(content)
    return lines.joined(separator: "\n")
  }

  /// Counts the picks above the cutoff, among the scored papers when some
  /// have no score.
  private static func picksLine(_ recall: RecallEstimate, aboveCutoff: Int) -> String {
    let above = MarkdownText.counted(aboveCutoff, "paper")
    guard recall.unscoredAboveCutoff > 0 else {
      return "- Picks among the \(above) above the cutoff: \(recall.picksAboveCutoff)"
    }
    let scored = aboveCutoff - recall.unscoredAboveCutoff
    return "- Picks among the \(scored) of the \(above) above the cutoff that got a score: "
      + "\(recall.picksAboveCutoff)"
  }

  /// Lists the audit sample and its estimate of the picks lost below the cutoff.
  private static func auditLines(_ recall: RecallEstimate) -> [String] {
    guard let lost = recall.estimatedLostPicks, let low = recall.lostPicksLow,
      let high = recall.lostPicksHigh
    else { return [] }
    let below = MarkdownText.counted(recall.papersBelowCutoff, "paper")
    let level = MarkdownText.level(recall.confidenceLevel)
    return [
      "- Audit sample: \(recall.sampleSize) of the \(below) below the cutoff, with "
        + MarkdownText.counted(recall.samplePicks, "pick"),
      "- Estimated picks lost below the cutoff: \(MarkdownText.decimal(lost, places: 1)) "
        + "(\(recall.papersBelowCutoff) × \(recall.samplePicks) / \(recall.sampleSize))",
      "- \(level) interval on the picks lost: \(low) to \(high)",
    ]
  }

  /// Returns the lines under the audit's estimate: what the sample and the
  /// interval assume, and that unscored audit papers are left out of it.
  private static func samplingNotes(_ content: DigestContent) -> [String] {
    var lines = [
      "",
      "The sample is a simple random sample without replacement, so the estimate of the "
        + "picks lost is unbiased. The interval is exact for sampling without replacement "
        + "(Clopper-Pearson with the hypergeometric distribution) and assumes the LLM would "
        + "score a paper the same way in the sample as above the cutoff.",
    ]
    if content.unscored.contains(where: \.inAuditSample) {
      lines.append(
        "The audit papers listed below as unscored are left out of the sample, which stays "
          + "random only if their missing scores do not depend on the paper.")
    }
    return lines
  }

  /// Explains a recall section without an estimate although papers lie below the cutoff.
  private static func missingAuditText(_ content: DigestContent) -> String {
    let drawn = content.counts.audited
    guard drawn > 0 else {
      return "No estimate, because no paper below the cutoff was audited. The configuration "
        + "keys run.auditFraction and run.auditMinimum set the sample size."
    }
    let sample = MarkdownText.counted(drawn, "paper")
    let audit = content.unscored.filter(\.inAuditSample)
    if !audit.isEmpty, audit.allSatisfy({ $0.reason == DigestBuilder.budgetReason }) {
      return "No estimate, because the budget (--budget) was reached before the \(sample) "
        + "drawn for the audit were sent, so the audit sample has no score."
    }
    return "No estimate, because none of the \(sample) drawn for the audit got a score. The "
      + "unscored papers below give the reasons."
  }

  private static func headline(_ recall: RecallEstimate) -> String {
    let level = MarkdownText.level(recall.confidenceLevel)
    guard let estimate = recall.recall else {
      let bound = recall.lostPicksHigh ?? 0
      return "Recall is undefined, because there were no picks among the papers sent and "
        + "none in the audit sample. The papers below the cutoff may hold up to "
        + "\(MarkdownText.counted(bound, "pick")) (\(level) bound)."
    }
    let low = recall.recallLow.map(MarkdownText.percent) ?? "undefined"
    let high = recall.recallHigh.map(MarkdownText.percent) ?? "undefined"
    return "The cutoff kept an estimated \(MarkdownText.percent(estimate)) of the night's "
      + "picks (\(level) interval \(low) to \(high))."
  }

  static func costSection(_ content: DigestContent) -> String {
    let heading = "## Cost saved\n\n"
    guard let cost = content.costSaved else {
      if content.counts.scored > 0 {
        return heading + "The scores shown were paid for by requests of other nights, so this "
          + "night's cost per paper is not known."
      }
      guard content.counts.chosen == 0 else {
        return heading + "No paper got a score, so the cost per paper is not known."
      }
      return heading + "No paper was sent to the LLM, so nothing was spent."
    }
    let all = Dollars.about(cost.allPapersDollars)
    let saved = Dollars.about(cost.savedDollars)
    let paid = Dollars.inText(cost.paidDollars)
    let everyPaperChosen = cost.chosenPapers >= cost.allPapers
    if let estimate = cost.estimatedDollars {
      let chosen = MarkdownText.counted(cost.chosenPapers, "paper")
      let saving =
        everyPaperChosen
        ? " The cutoff chose every paper of the night, so it would save nothing."
        : " Scoring all \(cost.allPapers) at the same cost per paper would cost \(all), so "
          + "the cutoff would save \(saved)."
      let text =
        "Scoring the \(chosen) at the chosen cutoff would cost "
        + "\(Dollars.about(estimate)) by estimate." + saving
      guard content.skippedLLM?.requestsFailed == true else { return heading + text }
      let spent = cost.paidDollars + (cost.noScoreDollars ?? 0)
      guard spent > 0 else { return heading + "No paper got a score. " + text }
      return heading + "No paper got a score, although the requests cost "
        + "\(Dollars.inText(spent)). " + text
    }
    guard cost.paidScoredPapers == cost.scoredPapers else {
      return heading + otherCutoffCostText(cost)
    }
    let noSaving = " The cutoff chose every paper of the night, so it saved nothing."
    guard cost.scoredPapers < cost.chosenPapers else {
      let paidText =
        "Scoring \(MarkdownText.counted(cost.scoredPapers, "paper")) of \(cost.allPapers) cost "
        + "\(paid)\(noScoreText(cost))."
      guard !everyPaperChosen else { return heading + paidText + noSaving }
      return heading + paidText + " Scoring all \(cost.allPapers) at the same cost per paper "
        + "would have cost \(all), so the cutoff saved \(saved)."
    }
    let unscored = cost.chosenPapers - cost.scoredPapers
    let paidText =
      "\(cost.scoredPapers) of the \(cost.chosenPapers) papers chosen got a score, for "
      + "\(paid)\(noScoreText(cost)), and \(unscored) got no score."
    guard !everyPaperChosen else { return heading + paidText + noSaving }
    return heading + paidText + " At the same cost per scored paper, scoring all "
      + "\(cost.allPapers) would have cost \(all) and scoring the \(cost.chosenPapers) "
      + "chosen \(Dollars.about(cost.chosenPapersDollars)), so the cutoff saved "
      + "\(saved)."
  }

  /// Returns the dollars of the requests that returned no score, which the
  /// cost per scored paper leaves out, as a parenthesis, or "" when there
  /// were none.
  private static func noScoreText(_ cost: DigestContent.CostSaved) -> String {
    guard let dollars = cost.noScoreDollars else { return "" }
    return " (and \(Dollars.inText(dollars)) on requests that returned no score)"
  }

  /// Returns the cost text of a night whose paid requests scored another
  /// number of papers than the chosen papers that have a score. They scored
  /// more when other runs of the night chose more, and fewer when some of
  /// the scores shown were paid for on other nights.
  private static func otherCutoffCostText(_ cost: DigestContent.CostSaved) -> String {
    let paid = Dollars.inText(cost.paidDollars)
    let chosen =
      cost.scoredPapers == cost.chosenPapers
      ? "the \(cost.chosenPapers) papers chosen at this cutoff"
      : "the \(cost.scoredPapers) of the \(cost.chosenPapers) papers chosen at this cutoff that "
        + "have a score"
    let comparison =
      cost.paidScoredPapers > cost.scoredPapers
      ? "more than \(chosen), because other runs of the night chose other papers too."
      : "fewer than \(chosen), because requests of other nights scored the rest."
    let opening =
      "The night's requests under this model and prompt cost \(paid)\(noScoreText(cost)) and "
      + "scored \(MarkdownText.counted(cost.paidScoredPapers, "paper")) of the night, "
      + "\(comparison)"
    guard cost.chosenPapers < cost.allPapers else {
      return opening + " This cutoff chose every paper of the night, so it saves nothing."
    }
    return opening + " At their cost per scored paper, scoring all \(cost.allPapers) papers "
      + "of the night would cost \(Dollars.about(cost.allPapersDollars)) and "
      + "scoring the \(cost.chosenPapers) chosen \(Dollars.about(cost.chosenPapersDollars)), so "
      + "this cutoff would save \(Dollars.about(cost.savedDollars))."
  }

  static func unscoredSection(_ content: DigestContent) -> String {
    let heading = "## Unscored papers\n\n"
    let unscored = content.unscored
    if let skipped = content.skippedLLM, !skipped.requestsFailed {
      return heading + skippedStageText(skipped, counts: content.counts)
    }
    guard !unscored.isEmpty else { return heading + "None." }
    let intro =
      "\(MarkdownText.counted(unscored.count, "paper was", "papers were")) chosen for the LLM "
      + "but got no score, so the picks above may miss \(unscored.count == 1 ? "it" : "them"):"
    let items = unscored.map { paper in
      "- [\(paper.id)](\(paper.link)) \(MarkdownText.title(paper.title)): "
        + MarkdownText.inline(paper.reason)
    }
    return heading + intro + "\n\n" + items.joined(separator: "\n")
  }

  /// Returns the section's text for a stage that sent nothing. It gives the
  /// reason once, in place of a list with the same reason on every line.
  private static func skippedStageText(
    _ skipped: DigestContent.SkippedLLM, counts: DigestContent.Counts
  ) -> String {
    let reason = withoutFinalPeriod(skipped.reason)
    let cause = "No paper got a score, because the LLM stage was skipped: \(reason)."
    guard counts.chosen > 0 else { return cause }
    return cause + " The papers chosen for the LLM, \(counts.aboveCutoff) above the cutoff and "
      + "\(counts.audited) drawn for the audit, have no score."
  }
}
