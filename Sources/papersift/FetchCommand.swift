import Foundation
import PaperSiftKit

/// `papersift fetch`: downloads and stores today's arXiv listing.
struct FetchCommand: Command {
  static let spec = CommandSpec(
    name: "fetch",
    abstract: "Download today's arXiv RSS feed for the categories and store its papers.",
    discussion: """
      Sends one request for the joined feed of all categories to the RSS service of
      the fetch.rssBaseURL setting. A weekend or holiday feed without papers is normal:
      the command says so and exits 0.

      Likes and dislikes still pending count as soon as the feed brings their papers.
      The others are then looked up through the arXiv API (fetch.apiBaseURL), as 'run'
      does, and a note says what the look-up found. A failed look-up leaves them pending
      and does not change the exit status.
      """,
    options: [
      .value(
        "--categories", "LIST",
        help: "Comma-separated arXiv categories to fetch (default: fetch.categories, "
          + "cs.LG,cs.AI unless configured)."),
      .flag(
        "--keep-replacements",
        help: "Also store replacements (new versions of older papers); default: the "
          + "fetch.keepReplacements setting, off unless configured."),
      .flag(
        "--drop-cross",
        help: "Skip papers cross-listed from other categories; default: they are stored."),
    ])

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    var settings = context.configuration.fetch
    if let list = arguments.string("--categories") {
      settings.categories = list.split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }.filter { !$0.isEmpty }
    }
    if arguments.flag("--keep-replacements") { settings.keepReplacements = true }
    if arguments.flag("--drop-cross") { settings.keepCrossLists = false }

    let database = try context.openDatabase()
    let store = PaperStore(database: database)
    let (document, summary) = try ArxivFeedClient(settings: settings).fetchToday(into: store)

    let feedName = settings.categories.joined(separator: "+")
    if document.papers.isEmpty {
      let day = document.date.map { " of \($0)" } ?? ""
      print(
        "No papers in the \(feedName) feed\(day): arXiv announces nothing on weekends "
          + "and holidays.")
    } else {
      var reported = document
      reported.source = feedName + " feed"
      print(ImportCommand.describe(summary, of: reported))
    }
    let lookup = try FeedbackInput.resolvePending(settings: settings, database: database)
    for line in notes(on: lookup) {
      FileHandle.standardError.write(Data("note: \(line)\n".utf8))
    }
    return .success
  }

  /// Returns the notes on a look-up of the pending feedback, one a line,
  /// each naming at most ``FeedbackInput/maxListedKeys`` ids.
  static func notes(on lookup: PendingFeedbackLookup) -> [String] {
    var notes: [String] = []
    if !lookup.imported.isEmpty {
      notes.append(
        "looked up pending feedback; found \(FeedbackInput.clippedList(lookup.imported)), "
          + "so that feedback counts now.")
    }
    if !lookup.stillPending.isEmpty {
      let reason =
        lookup.failure.map { "the arXiv look-up failed: \($0)" } ?? "arXiv returned no paper yet"
      notes.append(
        "feedback stays pending (\(reason)): \(FeedbackInput.clippedList(lookup.stillPending)). "
          + "The next fetch, run or like looks the papers up again.")
    }
    for id in lookup.removed.keys.sorted() {
      notes.append(
        "\(id): \(lookup.removed[id] ?? ""), so its pending feedback was removed. Check the id.")
    }
    return notes
  }
}
