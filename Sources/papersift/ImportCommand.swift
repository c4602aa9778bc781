import Foundation
import PaperSiftKit

/// `papersift import FILE...`: stores arXiv listings read from files.
struct ImportCommand: Command {
  static let spec = CommandSpec(
    name: "import",
    abstract: "Store arXiv papers from RSS, Atom or JSON Lines files.",
    discussion: """
      The format is detected from the content: arXiv RSS 2.0 feeds, arXiv API Atom
      responses, and JSON Lines days (one paper object per line). An RSS feed carries
      its announcement day; a JSON Lines file named YYYY-MM-DD.papers.jsonl takes the
      day from its name. Every file is parsed before anything is written, and all
      files are stored in one transaction, so a malformed file leaves the database
      as it was. Importing the same file again changes nothing.
      """,
    options: [
      .value(
        "--date", "YYYY-MM-DD",
        help: "Announcement day for files that carry none (JSON Lines without a dated "
          + "name, Atom); without it, Atom papers are stored without a day."),
      .flag(
        "--keep-replacements",
        help: "Also store replacements (new versions of older papers); default: the "
          + "fetch.keepReplacements setting, off unless configured."),
    ],
    positionals: "FILE...")

  static let logger = Logger(label: "import")

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    guard !arguments.positionals.isEmpty else {
      throw PaperSiftError(
        .invalidInput, "No files to import. Run 'papersift import FILE...' with one or more files.")
    }
    let date = try validatedDate(arguments.string("--date"))
    try NightlyRun.checkAnnounced(date)
    let settings = context.configuration.fetch
    let keeping = AnnounceType.keptTypes(
      crossLists: settings.keepCrossLists,
      replacements: settings.keepReplacements || arguments.flag("--keep-replacements"))

    var documents: [FeedDocument] = []
    for path in arguments.positionals {
      let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
      var document = try FeedReader.read(contentsOf: url)
      document.date = try day(of: document, option: date)
      logger.info(
        "Read a listing",
        [
          ("file", url.path), ("format", document.format.rawValue),
          ("papers", String(document.papers.count)), ("date", document.date ?? "none"),
        ])
      documents.append(document)
    }

    let database = try context.openDatabase()
    let summaries = try PaperStore(database: database).importDocuments(documents, keeping: keeping)
    for (document, summary) in zip(documents, summaries) {
      print(ImportCommand.describe(summary, of: document))
    }
    return .success
  }

  /// Returns the day `document` is stored under.
  ///
  /// A day of the file's own wins. A different `--date` is rejected because
  /// it is more likely a typo than an intent to move a listing.
  static func day(of document: FeedDocument, option: String?) throws -> String? {
    guard let own = document.date else {
      if option == nil, document.format != .atom {
        throw PaperSiftError(
          .invalidInput,
          "'\(document.source)' does not say which day it lists. Pass --date YYYY-MM-DD.")
      }
      return option
    }
    if let option, option != own {
      throw PaperSiftError(
        .invalidInput,
        "--date \(option) contradicts '\(document.source)', which lists \(own). "
          + "Drop --date or import the files separately.")
    }
    return own
  }

  static func validatedDate(_ text: String?) throws -> String? {
    try text.map { try DayOption.validated($0) }
  }

  /// Describes in one line what an import did with one file.
  static func describe(_ summary: ImportSummary, of document: FeedDocument) -> String {
    let name = URL(fileURLWithPath: document.source).lastPathComponent
    let day = document.date.map { " of \($0)" } ?? ""
    if document.papers.isEmpty {
      return "\(name): no papers\(day) (a day without announcements)."
    }
    var line =
      "\(name): stored \(counted(summary.stored, "paper"))\(day) "
      + "(\(summary.inserted) new, "
      + "\(summary.updated) updated, \(summary.unchanged) unchanged)"
    var skipped: [String] = []
    if summary.skippedReplacements > 0 {
      skipped.append(counted(summary.skippedReplacements, "replacement"))
    }
    if summary.skippedCrossLists > 0 {
      skipped.append(counted(summary.skippedCrossLists, "cross-list"))
    }
    let noun = document.format == .jsonLines ? "line" : "item"
    let future = document.futureMonthIDs.count
    let repeated = document.repeatedItems
    let invalid = document.skippedItems - future - repeated
    if invalid > 0, document.format == .jsonLines {
      skipped.append(counted(invalid, "invalid line"))
    } else if invalid > 0 {
      skipped.append(counted(invalid, "item") + " without an arXiv id")
    }
    if repeated > 0 { skipped.append(counted(repeated, "repeated \(noun)")) }
    if future > 0 {
      let ids = document.futureMonthIDs.prefix(3).joined(separator: ", ")
      let more = future > 3 ? ", …" : ""
      skipped.append(
        counted(future, noun) + " whose arXiv id has a month in the future (\(ids)\(more))")
    }
    if !skipped.isEmpty { line += ", skipped " + listed(skipped) }
    return line + "."
  }

  /// Returns `count` and `noun`, with an `s` after the noun unless the count is 1.
  static func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
  }

  /// Joins `parts` as `a`, `a and b` or `a, b and c`.
  static func listed(_ parts: [String]) -> String {
    guard parts.count > 2 else { return parts.joined(separator: " and ") }
    return parts.dropLast().joined(separator: ", ") + " and " + parts[parts.count - 1]
  }
}
