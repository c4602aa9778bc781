import Foundation

/// The outcome of one look-up of the pending feedback.
public struct PendingFeedbackLookup: Sendable, Equatable {
  /// The pending ids looked up.
  public var looked: [String] = []
  /// The ids whose papers were found and imported, so their feedback counts now.
  public var imported: [String] = []
  /// The ids that stay pending: the look-up failed or found no paper yet.
  public var stillPending: [String] = []
  /// The ids whose feedback was removed, with the reason: arXiv rejected
  /// the id, or look-ups on ``FeedbackInput/lookupMissDaysBeforeRemoval``
  /// days found no paper.
  public var removed: [String: String] = [:]
  /// The look-up error's text, when the arXiv API could not be reached.
  public var failure: String?
}

extension FeedbackInput {
  /// Looks up the feedback whose paper is not stored, imports the papers
  /// found and removes the feedback on ids that arXiv rejected or that
  /// look-ups found nothing for on too many days.
  ///
  /// A feed that a fetch or run just imported already resolved the
  /// feedback on its papers, because ``FeedbackStore/entries()`` joins the
  /// feedback with the stored papers.
  ///
  /// - Throws: ``PaperSiftError`` with code `database` when SQLite fails,
  ///   or `configuration` for unusable `settings`. A failed look-up leaves
  ///   the feedback pending and is returned as ``PendingFeedbackLookup/failure``.
  public static func resolvePending(
    settings: FetchSettings, database: Database, now: Date = Date()
  ) throws -> PendingFeedbackLookup {
    var lookup = PendingFeedbackLookup()
    lookup.looked = try FeedbackStore(database: database).pendingIds()
    guard !lookup.looked.isEmpty else { return lookup }
    let outcome = try resolveUnknown(
      lookup.looked, database: database, lookup: try ArxivAPIClient(settings: settings),
      importer: PaperStore(database: database))
    lookup.imported = outcome.imported
    lookup.failure = outcome.failure
    try removeRejected(outcome.rejected, database: database)
    let logger = Logger(label: "feedback")
    for (id, reason) in outcome.rejected.sorted(by: { $0.key < $1.key }) {
      logger.warning(
        "arXiv rejected the id, so its pending feedback was removed; check the id and give "
          + "the feedback again", [("id", id), ("error", reason)])
    }
    let misses = try recordNotFound(outcome.notFound, database: database, now: now)
    for (id, reason) in outcome.rejected { lookup.removed[id] = "arXiv rejected the id: \(reason)" }
    for id in misses.removed {
      lookup.removed[id] =
        "arXiv returned no paper on \(lookupMissDaysBeforeRemoval) separate days"
    }
    lookup.stillPending = lookup.looked.filter {
      !lookup.imported.contains($0) && lookup.removed[$0] == nil
    }
    return lookup
  }

  /// Deletes the feedback on the ids that arXiv rejected, keyed by id with
  /// arXiv's reason.
  ///
  /// - Throws: ``PaperSiftError`` with code `database` when SQLite fails.
  public static func removeRejected(_ rejected: [String: String], database: Database) throws {
    guard !rejected.isEmpty else { return }
    _ = try FeedbackStore(database: database).remove(
      rejected.keys.sorted().compactMap { try? ArxivIdentifier(parsing: $0) })
  }
}
