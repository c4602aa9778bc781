import Foundation
import PaperSiftKit

/// Shared work of `like` and `dislike`.
enum FeedbackCommand {
  /// The defaults of `fetch.lookupTimeoutSeconds` and `fetch.lookupMaxAttempts`.
  private static let lookupDefaults = (
    Int(FetchSettings().lookupTimeoutSeconds), FetchSettings().lookupMaxAttempts
  )

  /// The help text that `like` and `dislike` share.
  static let discussion = """
    Accepted id forms: \(ArxivIdentifier.acceptedForms).
    New-style ids (YYMM.NNNNN) start in April 2007 (0704). Older papers have old-style ids,
    archive/YYMMNNN, such as hep-th/9901001.

    From a BibTeX FILE, each entry's id comes from its eprint, arxiv or arxivid field, or from
    an arxiv.org url. An old-style number such as eprint = {9901001} takes its archive from
    primaryClass = {hep-th}. Entries without an id are listed in a note, and other fields
    such as note are not read. A line outside entries that contains an id is read as a list
    line. A list FILE has ids or URLs separated by line breaks, commas, semicolons or spaces,
    Unicode spaces included. A # at the start of a line or after a separator starts a comment,
    and the categories and day after an id, as in arXiv:2505.00733v1 [cs.LG] 1 May 2025, are
    skipped. Ids on the command line may also be separated by commas or semicolons.

    A list line, a part of a line or a BibTeX arXiv field that is not a valid id is skipped,
    and an error names each one with its line number. The valid ids are stored all the same, and the command
    exits with status 1, so fix the lines named and run it again. A FILE without any valid id
    stores nothing and exits with status 2.

    Papers that are not stored yet are looked up through the arXiv API (the fetch.apiBaseURL
    setting), each request limited to fetch.lookupTimeoutSeconds (default \(lookupDefaults.0)) and
    fetch.lookupMaxAttempts attempts (default \(lookupDefaults.1)). When the look-up fails, the feedback is
    kept as pending, and the next fetch, run, like or dislike looks the papers up again.
    An id that arXiv rejects is not stored. Pending feedback is removed once look-ups on
    \(FeedbackInput.lookupMissDaysBeforeRemoval) separate days (UTC) return no paper for its id.
    """

  static func options(verb: String) -> [OptionSpec] {
    [
      .value(
        "--from", "FILE",
        help: "Also \(verb) the ids in FILE: ids or URLs, one or more a line, or BibTeX.")
    ]
  }

  static func record(
    _ label: FeedbackLabel, _ arguments: ParsedArguments, context: CommandContext
  ) throws -> ExitStatus {
    let now = Date()
    var identifiers = try commandLineIdentifiers(arguments.positionals, now: now)
    var invalidReport: String?
    if let file = arguments.string("--from") {
      let contents = try readIdentifiers(from: file, now: now, verb: "stored")
      identifiers += contents.identifiers
      invalidReport = FeedbackInput.invalidIDReport(for: contents, source: file)
    }
    guard !identifiers.isEmpty else {
      throw PaperSiftError(
        .invalidInput, "No arXiv id given. Pass ids such as 2501.19281, or --from FILE.")
    }
    var seen = Set<String>()
    identifiers = identifiers.filter { seen.insert($0.id).inserted }
    let database = try context.openDatabase()
    // A user waits for this look-up, so it takes the shorter look-up
    // limits. Feedback that it leaves pending is looked up again later.
    let client = try ArxivAPIClient(settings: context.configuration.fetch, for: .user)
    // Earlier feedback still pending joins the same look-up, so that it does
    // not wait for the next fetching run.
    let requested = Set(identifiers.map(\.id))
    let store = FeedbackStore(database: database)
    let entries = try store.entries()
    let hadFeedback = Set(entries.map(\.paperId))
    let earlier = entries.filter { $0.isPending && !requested.contains($0.paperId) }.map(\.paperId)
    // Stored before the look-up, so that an interrupted or failed look-up
    // leaves the feedback pending instead of losing it.
    let source = arguments.string("--from") == nil ? "command" : "file"
    let recorded = try store.record(identifiers, label: label, source: source)
    let outcome = try FeedbackInput.resolveUnknown(
      identifiers.map(\.id) + earlier, database: database,
      lookup: client, importer: PaperStore(database: database))
    let imported = Set(outcome.imported)
    let resolvedEarlier = earlier.filter { imported.contains($0) }
    if !resolvedEarlier.isEmpty {
      FileHandle.standardError.write(
        Data(
          ("note: also looked up earlier pending feedback: "
            + "\(resolvedEarlier.joined(separator: ", ")).\n").utf8))
    }
    // An id given now for the first time that arXiv does not know is a typo:
    // its row goes at once. Feedback given earlier stays pending until
    // look-ups on several days find nothing.
    let notFound = Set(outcome.notFound).intersection(requested).subtracting(hadFeedback)
    _ = try store.remove(identifiers.filter { notFound.contains($0.id) })
    let misses = try FeedbackInput.recordNotFound(
      outcome.notFound.filter { !notFound.contains($0) }, database: database)
    // arXiv's error entry for an id is a definite result, so its feedback
    // goes at once, given now or earlier.
    try FeedbackInput.removeRejected(outcome.rejected, database: database)
    // Feedback given again on the day that its look-ups reach the limit is
    // removed with the rest, so it is reported as not stored.
    let removed = Set(misses.removed).intersection(requested)
    let stored = zip(identifiers, recorded).filter {
      !notFound.contains($0.0.id) && !removed.contains($0.0.id)
        && outcome.rejected[$0.0.id] == nil
    }

    // Each line on standard output marks the feedback that stays pending,
    // because scripts and --quiet users read only that. The note below
    // gives the details.
    let pending = outcome.pending.filter { requested.contains($0) }
    var pendingReasons: [String: String] = [:]
    for id in pending {
      pendingReasons[id] = outcome.failure == nil ? "not fetched yet" : "the arXiv look-up failed"
    }
    for id in misses.stillPending.keys where requested.contains(id) {
      pendingReasons[id] = "arXiv returned no paper yet"
    }
    let verb = label == .liked ? "liked" : "disliked"
    for (identifier, change) in stored {
      let note = pendingReasons[identifier.id].map { " (pending: \($0))" } ?? ""
      print("\(identifier.id): \(message(for: change, verb: verb))\(note)")
    }
    if !pending.isEmpty {
      let reason = outcome.failure.map { "the arXiv look-up failed: \($0)" } ?? "not fetched yet"
      FileHandle.standardError.write(
        Data(
          ("note: not in the database (\(reason)): \(pending.joined(separator: ", ")). "
            + "The feedback is stored as pending; the next 'papersift fetch', 'run' or "
            + "'like' looks the papers up again.\n").utf8))
    }
    for (id, reason) in outcome.rejected.sorted(by: { $0.key < $1.key }) {
      let isNew = requested.contains(id) && !hadFeedback.contains(id)
      let result = isNew ? "nothing stored" : "its pending feedback was removed"
      let message = "\(id): arXiv rejected the id (\(reason)), so \(result). Check the id."
      // Earlier feedback removed on the way does not fail this command.
      if requested.contains(id) {
        writeError(message)
      } else {
        FileHandle.standardError.write(Data("note: \(message)\n".utf8))
      }
    }
    for id in outcome.notFound where notFound.contains(id) {
      writeError("\(id): not found on arXiv; nothing stored. Check the id.")
    }
    for id in outcome.notFound where removed.contains(id) {
      writeError(
        "\(id): arXiv returned no paper on \(FeedbackInput.lookupMissDaysBeforeRemoval) "
          + "separate days, so the pending feedback was removed. Check the id.")
    }
    // Printed after the lines on what was stored, so that it stays in view.
    if let invalidReport {
      writeError(
        invalidReport + "\nThe other ids were stored. Fix the skipped ids and run the command "
          + "again.")
    }
    let rejectedNow = requested.contains { outcome.rejected[$0] != nil }
    let allStored = notFound.isEmpty && removed.isEmpty && !rejectedNow
    return allStored && invalidReport == nil ? .success : .failure
  }

  static func message(for change: FeedbackChange, verb: String) -> String {
    switch change {
    case .added: verb
    case .unchanged: "already \(verb)"
    case .changed: "now \(verb)"
    }
  }

  /// Parses the ids given on the command line, where one argument may hold
  /// several ids separated by commas or semicolons, as a list file may.
  /// With `now`, a new-style id whose month is in the future is invalid.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` for the first
  ///   invalid id.
  static func commandLineIdentifiers(_ arguments: [String], now: Date?) throws
    -> [ArxivIdentifier]
  {
    var identifiers: [ArxivIdentifier] = []
    for argument in arguments {
      let parts = argument.split { $0 == "," || $0 == ";" }
        .map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty }
      // An empty argument, or one of separators only, is rejected as written.
      for part in parts.isEmpty ? [argument] : parts {
        let identifier =
          try now.map { try ArxivIdentifier(parsing: part, now: $0) }
          ?? ArxivIdentifier(parsing: part)
        identifiers.append(identifier)
      }
    }
    return identifiers
  }

  /// Reads the ids of a `--from` file, printing a note on the BibTeX
  /// entries without an arXiv field. `verb` is what the command does to
  /// the ids, "stored" or "removed", for the error on a file without any.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` when the file
  ///   contains no valid arXiv id, naming the invalid ones, or any error of
  ///   ``FeedbackInput/read(contentsOf:now:)``.
  static func readIdentifiers(from path: String, now: Date, verb: String) throws
    -> FeedbackFileContents
  {
    let contents = try FeedbackInput.read(contentsOf: URL(fileURLWithPath: path), now: now)
    if let note = FeedbackInput.skippedNote(for: contents, source: path) {
      FileHandle.standardError.write(Data("note: \(note)\n".utf8))
    }
    guard contents.identifiers.isEmpty else { return contents }
    if let report = FeedbackInput.invalidIDReport(for: contents, source: path) {
      throw PaperSiftError(
        .invalidInput,
        "'\(path)' contains no valid arXiv id, so nothing was \(verb). \(report)")
    }
    throw PaperSiftError(
      .invalidInput,
      "'\(path)' contains no arXiv id. Write one id or URL a line, such as 2501.19281, "
        + "or BibTeX entries with an eprint or url field.")
  }
}

/// `papersift like ID...`.
enum LikeCommand: Command {
  static let spec = CommandSpec(
    name: "like",
    abstract: "Mark papers as liked, so that similar papers rank higher.",
    discussion: FeedbackCommand.discussion,
    options: FeedbackCommand.options(verb: "like"), positionals: "ID...")

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    try FeedbackCommand.record(.liked, arguments, context: context)
  }
}

/// `papersift dislike ID...`.
enum DislikeCommand: Command {
  static let spec = CommandSpec(
    name: "dislike",
    abstract: "Mark papers as disliked, so that similar papers rank lower.",
    discussion: FeedbackCommand.discussion,
    options: FeedbackCommand.options(verb: "dislike"), positionals: "ID...")

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    try FeedbackCommand.record(.disliked, arguments, context: context)
  }
}

/// `papersift unlike ID...`: removes a like or a dislike.
enum UnlikeCommand: Command {
  static let spec = CommandSpec(
    name: "unlike",
    abstract: "Remove the like or dislike of papers.",
    discussion: """
      Accepted id forms: \(ArxivIdentifier.acceptedForms).

      --from FILE takes the files that like --from and dislike --from read: ids or URLs
      separated by line breaks, commas, semicolons or spaces, or BibTeX. So
      'papersift unlike --from FILE' undoes a 'papersift like --from FILE'. A list line or
      BibTeX arXiv field that is not a valid id is skipped and named with its line
      number. The other ids are removed all the same, and the command exits with status 1.
      """,
    options: [
      .value(
        "--from", "FILE",
        help: "Also remove the feedback on the ids in FILE: ids or URLs, one or more a "
          + "line, or BibTeX.")
    ],
    positionals: "ID...")

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    var identifiers = try FeedbackCommand.commandLineIdentifiers(arguments.positionals, now: nil)
    var invalidReport: String?
    if let file = arguments.string("--from") {
      let contents = try FeedbackCommand.readIdentifiers(from: file, now: Date(), verb: "removed")
      identifiers = FeedbackInput.unique(identifiers + contents.identifiers)
      invalidReport = FeedbackInput.invalidIDReport(for: contents, source: file)
    }
    guard !identifiers.isEmpty else {
      throw PaperSiftError(
        .invalidInput, "No arXiv id given. Pass ids such as 2501.19281, or --from FILE.")
    }
    let store = FeedbackStore(database: try context.openDatabase())
    for identifier in identifiers {
      let removed = try store.remove([identifier])
      print("\(identifier.id): \(removed > 0 ? "removed" : "had no feedback")")
    }
    if let invalidReport {
      writeError(
        invalidReport + "\nThe feedback on the other ids was removed. Fix the skipped ids and "
          + "run the command again.")
      return .failure
    }
    return .success
  }
}
