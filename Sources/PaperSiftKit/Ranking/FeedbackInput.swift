import Foundation

/// Looks papers up by id in a remote catalogue, the arXiv API in PaperSift.
public protocol PaperLookup {
  /// Returns the papers found; ids unknown to the catalogue are left out.
  ///
  /// - Throws: A network error when the catalogue cannot be reached.
  func lookUp(ids: [String]) throws -> [Paper]
}

/// Stores looked-up papers, the paper store in PaperSift.
public protocol PaperImporting {
  func importPapers(_ papers: [Paper]) throws
}

/// What happened to the papers of a like or dislike that were not in the database.
public struct LookupOutcome: Sendable, Equatable {
  /// Found and imported.
  public var imported: [String] = []
  /// The catalogue could not be reached; the feedback waits for the paper's import.
  public var pending: [String] = []
  /// The catalogue has no such paper; no feedback was stored for them.
  public var notFound: [String] = []
  /// The lookup error's text, when the catalogue could not be reached.
  public var failure: String?
}

/// Reads arXiv ids from a list or a BibTeX file.
public enum FeedbackInput {
  /// Parses `text` as BibTeX when it contains an `@type{` entry, else as one id or URL a line.
  ///
  /// List lines that are empty or start with `#` are skipped. BibTeX entries
  /// contribute their `eprint` field and every arXiv URL or `arXiv:` id in
  /// their `url`, `howpublished`, `note` and `journal` fields; entries with
  /// none are skipped.
  ///
  /// - Throws: ``PaperSiftError`` naming the first invalid list line.
  public static func identifiers(in text: String) throws -> [ArxivIdentifier] {
    if text.range(of: #"@[A-Za-z]+\s*\{"#, options: .regularExpression) != nil {
      return bibTeXIdentifiers(text)
    }
    var result: [ArxivIdentifier] = []
    // `isNewline` also splits "\r\n", which Swift reads as one Character.
    for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
      .enumerated()
    {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
      guard let identifier = ArxivIdentifier.parse(trimmed) else {
        throw PaperSiftError(
          .invalidInput,
          "Invalid arXiv id '\(trimmed)' on line \(number + 1). "
            + "Accepted forms: \(ArxivIdentifier.acceptedForms).")
      }
      result.append(identifier)
    }
    return result
  }

  static func bibTeXIdentifiers(_ text: String) -> [ArxivIdentifier] {
    var result: [ArxivIdentifier] = []
    let fieldPattern = #"(?i)\b(eprint|url|howpublished|note|journal)\s*=\s*[{"]([^}"]*)[}"]"#
    guard let fields = try? NSRegularExpression(pattern: fieldPattern) else { return [] }
    let range = NSRange(text.startIndex..., in: text)
    for match in fields.matches(in: text, range: range) {
      guard let nameRange = Range(match.range(at: 1), in: text),
        let valueRange = Range(match.range(at: 2), in: text)
      else { continue }
      let name = text[nameRange].lowercased()
      let value = String(text[valueRange])
      if name == "eprint", let identifier = ArxivIdentifier.parse(value) {
        result.append(identifier)
      } else {
        result += embeddedIdentifiers(value)
      }
    }
    var seen = Set<String>()
    return result.filter { seen.insert($0.id).inserted }
  }

  /// The arXiv URLs and `arXiv:` ids inside free text.
  static func embeddedIdentifiers(_ text: String) -> [ArxivIdentifier] {
    let pattern =
      #"(?i)(https?://(www\.|export\.)?arxiv\.org/(abs|pdf)/[A-Za-z.\-]*/?[0-9.]+(v[0-9]+)?(\.pdf)?|arxiv:\s*[A-Za-z.\-]*/?[0-9.]+(v[0-9]+)?)"#
    guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
    let range = NSRange(text.startIndex..., in: text)
    return expression.matches(in: text, range: range).compactMap { match in
      guard let found = Range(match.range, in: text) else { return nil }
      let candidate = text[found].replacingOccurrences(of: " ", with: "")
      return ArxivIdentifier.parse(
        candidate.trimmingCharacters(in: CharacterSet(charactersIn: ".")))
    }
  }

  /// Looks up the ids that have no row in `papers` and imports what is found.
  ///
  /// A lookup that throws leaves every unknown id pending.
  public static func resolveUnknown(
    _ ids: [String], database: Database, lookup: (any PaperLookup)?,
    importer: (any PaperImporting)?
  ) throws -> LookupOutcome {
    var outcome = LookupOutcome()
    var unknown: [String] = []
    for id in ids {
      let exists = try database.scalar("SELECT 1 FROM papers WHERE id = ?", [.text(id)])
      if exists == nil { unknown.append(id) }
    }
    guard !unknown.isEmpty else { return outcome }
    guard let lookup, let importer else {
      outcome.pending = unknown
      return outcome
    }
    do {
      let found = try lookup.lookUp(ids: unknown)
      try importer.importPapers(found)
      let foundIds = Set(found.map(\.id))
      outcome.imported = unknown.filter { foundIds.contains($0) }
      outcome.notFound = unknown.filter { !foundIds.contains($0) }
    } catch let error as PaperSiftError where error.code == .database {
      throw error
    } catch {
      outcome.pending = unknown
      outcome.failure = String(describing: error)
    }
    return outcome
  }
}
