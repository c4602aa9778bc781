import Foundation

/// The dollar amounts of a digest, rounded as ``Dollars/rounded(_:)`` does.
extension DigestContent {
  /// Returns the content with every dollar amount rounded, so that the JSON
  /// digest carries no floating-point noise and renders to the same
  /// Markdown as the content it was written from.
  func roundingDollars() -> DigestContent {
    var copy = self
    copy.usage = usage.roundingDollars()
    copy.costSaved = costSaved?.roundingDollars()
    if let estimate = skippedLLM?.estimatedUsage {
      copy.skippedLLM?.estimatedUsage = estimate.roundingDollars()
    }
    return copy
  }
}

extension DigestContent.Usage {
  func roundingDollars() -> Self {
    var copy = self
    copy.promptDollars = Dollars.rounded(promptDollars)
    copy.completionDollars = Dollars.rounded(completionDollars)
    copy.cachedDollars = Dollars.rounded(cachedDollars)
    return copy
  }
}

extension DigestContent.CostSaved {
  func roundingDollars() -> Self {
    var copy = self
    copy.paidDollars = Dollars.rounded(paidDollars)
    copy.noScoreDollars = noScoreDollars.map(Dollars.rounded)
    copy.estimatedDollars = estimatedDollars.map(Dollars.rounded)
    copy.dollarsPerPaper = Dollars.rounded(dollarsPerPaper)
    copy.allPapersDollars = Dollars.rounded(allPapersDollars)
    copy.chosenPapersDollars = Dollars.rounded(chosenPapersDollars)
    return copy
  }
}
