import Foundation
import PaperSiftKit

/// `papersift likes`: lists the feedback.
enum LikesCommand: Command {
  static let spec = CommandSpec(
    name: "likes",
    abstract: "List liked and disliked papers, oldest first.",
    options: [
      .flag(
        "--json",
        help: "Print a JSON array of {paperId, label (1 liked, -1 disliked), created, source, "
          + "pending, title (absent while pending), and while pending: pendingReason, "
          + "lookupMissDays (the number of UTC days on which arXiv returned no paper for the id) and "
          + "lastLookupMiss (the last such day, absent before the first)}.")
    ])

  /// One entry of `likes --json`.
  struct Item: Encodable {
    var paperId: String
    var label: FeedbackLabel
    var created: String
    var source: String
    var pending: Bool
    var title: String?
    var pendingReason: String?
    var lookupMissDays: Int?
    var lastLookupMiss: String?
  }

  /// Returns why the paper of `entry` is not stored, or nil when it is.
  ///
  /// The reason of a failed look-up is not stored, so feedback without a
  /// day on which arXiv returned no paper gets the general reason.
  static func pendingReason(for entry: FeedbackEntry) -> String? {
    guard entry.isPending else { return nil }
    let limit = FeedbackInput.lookupMissDaysBeforeRemoval
    guard entry.lookupMissDays > 0 else {
      return "not fetched yet: no arXiv look-up has returned the paper, because the "
        + "look-ups so far failed or none ran since the feedback was given"
    }
    let days = entry.lookupMissDays == 1 ? "1 day" : "\(entry.lookupMissDays) days"
    let last = entry.lastLookupMiss.map { ", the last \($0)" } ?? ""
    return "arXiv returned no paper for the id on \(days)\(last); the feedback is removed "
      + "when look-ups on \(limit) days find nothing"
  }

  /// Returns the short reason of `likes` for pending `entry`.
  static func shortPendingReason(for entry: FeedbackEntry) -> String {
    guard entry.lookupMissDays > 0 else { return "not fetched yet" }
    return "arXiv returned no paper on \(entry.lookupMissDays) of "
      + "\(FeedbackInput.lookupMissDaysBeforeRemoval) days"
  }

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    let entries = try FeedbackStore(database: try context.openDatabase()).entries()
    if arguments.flag("--json") {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      let items = entries.map { entry in
        Item(
          paperId: entry.paperId, label: entry.label, created: entry.created,
          source: entry.source, pending: entry.isPending, title: entry.title,
          pendingReason: pendingReason(for: entry),
          lookupMissDays: entry.isPending ? entry.lookupMissDays : nil,
          lastLookupMiss: entry.isPending ? entry.lastLookupMiss : nil)
      }
      // Foundation prints an empty array as "[", a blank line and "]".
      print(items.isEmpty ? "[]" : String(decoding: try encoder.encode(items), as: UTF8.self))
      return .success
    }
    guard !entries.isEmpty else {
      print("No feedback yet. Run 'papersift like ID' to add some.")
      return .success
    }
    for entry in entries {
      let mark = entry.label == .liked ? "+" : "-"
      let title = entry.title ?? "(pending: \(shortPendingReason(for: entry)))"
      print("\(mark) \(entry.paperId)  \(entry.created)  \(title)")
    }
    return .success
  }
}
