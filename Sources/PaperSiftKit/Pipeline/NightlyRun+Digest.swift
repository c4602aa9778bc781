import Foundation

extension NightlyRun {
  /// Writes the digest, records the run and returns its outcome.
  func finish(
    _ slice: NightSlice, scoring: NightScoring, options: NightlyRunOptions,
    settings: Configuration, database: Database
  ) throws -> NightlyRunOutcome {
    var input = DigestInput(
      date: slice.date, model: scoring.model, ranking: slice.digestRanking,
      sentIDs: slice.sentIDs, auditIDs: slice.auditIDs, scores: scoring.scores,
      unscoredReasons: scoring.unscoredReasons, usage: scoring.usage,
      scoringDollars: scoring.scoringDollars, scoringPapers: scoring.scoringPapers,
      selectionRule: settings.run.selection, skippedLLM: scoring.skipped,
      noRequestReason: scoring.noRequestReason, prefilterListLength: settings.run.noLLMPaperCount,
      selectionPrompt: scoring.selectionPrompt)
    input.failedRequestsReason = scoring.failedRequestsReason
    input.noScoreDollars = scoring.noScoreDollars
    let content = DigestBuilder.build(input)
    let directory = options.outputDirectory ?? settings.run.outputDirectory(home: home)
    let files = try DigestFiles.write(content, to: directory)

    // The count that sets the exit status is the digest's list, so that the two agree.
    let unscored = content.unscored.count
    // Papers left unsent on request (--no-llm) do not make the run partial.
    let unscoredIsFault = unscored > 0 && scoring.noRequestReason == nil
    let isPartial = unscoredIsFault || scoring.skipIsFault
    let status: RunStatus = isPartial ? .partial : .ok
    try RunStore(database: database).finishRun(
      scoring.runID, status: status,
      summary: RunSummary(
        papers: content.counts.papers, aboveCutoff: content.counts.aboveCutoff,
        audited: content.counts.audited, estimatedRecall: content.recall?.recall,
        recallLow: content.recall?.recallLow, recallHigh: content.recall?.recallHigh,
        cutoffPolicy: slice.cutoff.policy, cutoffValue: slice.cutoff.value,
        digestPath: files.markdown.path))

    var outcome = NightlyRunOutcome(status: isPartial ? .partial : .done, date: slice.date)
    outcome.papers = content.counts.papers
    outcome.aboveCutoff = content.counts.aboveCutoff
    outcome.auditDrawn = content.counts.audited
    // Only the audit papers that got a score count as audited, because a
    // budget can stop the run before their batch is sent.
    outcome.audited =
      scoring.skipped == nil ? slice.auditIDs.filter { scoring.scores[$0] != nil }.count : 0
    outcome.selected = scoring.skipped == nil ? content.papers.count : 0
    outcome.unscored = unscored
    outcome.usage = content.usage
    outcome.spentUSD = scoring.spentUSD
    outcome.budgetUSD = options.budgetUSD
    outcome.skippedLLMReason = scoring.skipped?.reason
    outcome.noRequestReason = scoring.noRequestReason
    outcome.llmFailed = scoring.skipped?.requestsFailed ?? false
    outcome.digest = files
    return outcome
  }
}
