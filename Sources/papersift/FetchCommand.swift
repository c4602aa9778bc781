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
      """,
    options: [
      .value(
        "--categories", "LIST",
        help: "Comma-separated arXiv categories to fetch (default: fetch.categories, "
          + "cs.LG,cs.AI unless configured)."),
      .flag(
        "--keep-replacements",
        help: "Also store replacements (new versions of older papers); default: off."),
      .flag(
        "--drop-cross",
        help: "Skip papers cross-listed from other categories; default: they are stored."),
    ])

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    var settings = try context.loadConfiguration().fetch
    if let list = arguments.string("--categories") {
      settings.categories = list.split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }.filter { !$0.isEmpty }
    }
    if arguments.flag("--keep-replacements") { settings.keepReplacements = true }
    if arguments.flag("--drop-cross") { settings.keepCrossLists = false }

    let store = PaperStore(database: try context.openDatabase())
    let (document, summary) = try ArxivFeedClient(settings: settings).fetchToday(into: store)

    let feedName = settings.categories.joined(separator: "+")
    if document.papers.isEmpty {
      let day = document.date.map { " of \($0)" } ?? ""
      print(
        "No papers in the \(feedName) feed\(day): arXiv announces nothing on weekends "
          + "and holidays.")
      return .success
    }
    var reported = document
    reported.source = feedName + " feed"
    print(ImportCommand.describe(summary, of: reported))
    return .success
  }
}
