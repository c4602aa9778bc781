import Foundation
import PaperSiftKit

/// `papersift papers`: lists the stored papers.
struct PapersCommand: Command {
  static let spec = CommandSpec(
    name: "papers",
    abstract: "List the stored papers, all of them or those of one announcement day.",
    options: [
      .value(
        "--date", "YYYY-MM-DD",
        help: "List only the papers announced on this day (default: every stored paper)."),
      .flag(
        "--json",
        help: "Write a JSON array of papers (id, version, title, abstract, authors, "
          + "categories, announce_type, announced) instead of one line per paper."),
    ])

  /// One paper as `--json` writes it.
  struct Listing: Encodable {
    var id: String
    var version: Int
    var title: String
    var abstract: String
    var authors: [String]
    var categories: [String]
    var announceType: String
    var announced: String?

    enum CodingKeys: String, CodingKey {
      case id, version, title, abstract, authors, categories
      case announceType = "announce_type"
      case announced
    }

    init(_ paper: Paper) {
      id = paper.id
      version = paper.version
      title = paper.title
      abstract = paper.abstract
      authors = paper.authors
      categories = paper.categories
      announceType = paper.announceType.rawValue
      announced = paper.announced
    }
  }

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    let date = try ImportCommand.validatedDate(arguments.string("--date"))
    let store = PaperStore(database: try context.openDatabase())
    let papers = try date.map { try store.papers(announcedOn: $0) } ?? store.allPapers()

    if arguments.flag("--json") {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      let data = try encoder.encode(papers.map(Listing.init))
      print(String(decoding: data, as: UTF8.self))
      return .success
    }
    if papers.isEmpty {
      print(date.map { "No papers stored for \($0)." } ?? "No papers stored yet.")
      return .success
    }
    for paper in papers {
      let version = "\(paper.id)v\(paper.version)".padding(
        toLength: 18, withPad: " ", startingAt: 0)
      let type = paper.announceType.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
      // A feed's title may hold controls that reorder or restyle the terminal's text.
      let title = VisibleText.singleLine(paper.title)
      print("\(version)\(type)\(paper.announced ?? "-")  \(title.isEmpty ? "(no title)" : title)")
    }
    return .success
  }
}
