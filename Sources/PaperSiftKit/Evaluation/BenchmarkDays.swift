import Foundation

/// An LLM's verdict on one paper of a benchmark day.
public struct PaperLabel: Sendable, Codable, Equatable {
  public var id: String
  /// Nil for a followed author's paper, which the LLM did not score.
  public var relevance: Int?
  public var novelty: Int?
  /// `llm` for a pick of the LLM ranker, `author_match` for a followed author's paper.
  public var selectedBy: String?

  public init(id: String, relevance: Int?, novelty: Int?, selectedBy: String? = "llm") {
    self.id = id
    self.relevance = relevance
    self.novelty = novelty
    self.selectedBy = selectedBy
  }

  enum CodingKeys: String, CodingKey {
    case id, relevance, novelty
    case selectedBy = "selected_by"
  }
}

/// One recorded night: its papers, the LLM's picks and the topics file in force.
public struct BenchmarkDay: Sendable {
  /// `YYYY-MM-DD`.
  public var date: String
  public var papers: [Paper]
  public var labels: [PaperLabel]
  /// The topics file name inside the days folder.
  public var topicsFile: String
  /// The LLM that labelled the night (`gpt-4o`), nil when the index omits it.
  public var labeller: String?

  public init(
    date: String, papers: [Paper], labels: [PaperLabel], topicsFile: String,
    labeller: String? = nil
  ) {
    self.date = date
    self.papers = papers
    self.labels = labels
    self.topicsFile = topicsFile
    self.labeller = labeller
  }

  /// The ids the LLM picked; followed-author matches are left out.
  public var picks: Set<String> {
    Set(labels.filter { ($0.selectedBy ?? "llm") == "llm" }.map(\.id))
  }
}

/// A folder of recorded nights in the layout of `Data/benchmark`.
///
/// Each night is `YYYY-MM-DD.papers.jsonl` (one paper a line: `id`, `title`,
/// `abstract`, `authors`, `categories`) beside `YYYY-MM-DD.labels.jsonl`
/// (`id`, `relevance`, `novelty`, `selected_by`). An optional `index.json`
/// array of `{"date", "topics_file", "model"}` names each night's topics
/// file and labelling LLM. Without it, or for a night it omits, `topics.md`
/// is used and the labeller is unknown.
public enum BenchmarkDays {
  /// Loads every night of `folder`, in date order.
  ///
  /// - Throws: ``PaperSiftError`` naming the file and line that failed to parse.
  public static func load(from folder: URL) throws -> [BenchmarkDay] {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
    } catch {
      throw PaperSiftError(
        .io, "Unable to list the days folder '\(folder.path)': \(PaperSiftError.describe(error)).",
        underlying: error)
    }
    let dates = names.filter { $0.hasSuffix(".papers.jsonl") }
      .map { String($0.dropLast(".papers.jsonl".count)) }.sorted()
    let index = try readIndex(folder)
    return try dates.map { date in
      let papers = try readLines(
        folder.appendingPathComponent("\(date).papers.jsonl"), as: DayPaper.self
      ).map { $0.paper(date: date) }
      let labelsURL = folder.appendingPathComponent("\(date).labels.jsonl")
      let labels =
        FileManager.default.fileExists(atPath: labelsURL.path)
        ? try readLines(labelsURL, as: PaperLabel.self) : []
      return BenchmarkDay(
        date: date, papers: papers, labels: labels,
        topicsFile: index[date]?.topicsFile ?? "topics.md", labeller: index[date]?.model)
    }
  }

  struct IndexEntry: Decodable {
    var date: String
    var topicsFile: String?
    var model: String?

    enum CodingKeys: String, CodingKey {
      case date, model
      case topicsFile = "topics_file"
    }
  }

  struct DayPaper: Decodable {
    var id: String
    var title: String
    var abstract: String
    var authors: [String]?
    var categories: [String]?

    func paper(date: String) -> Paper {
      Paper(
        id: id, title: title, abstract: abstract, authors: authors ?? [],
        categories: categories ?? [], announced: date)
    }
  }

  static func readIndex(_ folder: URL) throws -> [String: IndexEntry] {
    let url = folder.appendingPathComponent("index.json")
    guard FileManager.default.fileExists(atPath: url.path) else { return [:] }
    do {
      let entries = try JSONDecoder().decode([IndexEntry].self, from: Data(contentsOf: url))
      var result: [String: IndexEntry] = [:]
      for entry in entries { result[entry.date] = entry }
      return result
    } catch {
      throw PaperSiftError(
        .invalidInput, "Invalid index file '\(url.path)': \(error).", underlying: error)
    }
  }

  static func readLines<T: Decodable>(_ url: URL, as type: T.Type) throws -> [T] {
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw PaperSiftError(
        .io, "Unable to read '\(url.path)': \(PaperSiftError.describe(error)).", underlying: error)
    }
    let decoder = JSONDecoder()
    var result: [T] = []
    for (number, line) in text.split(separator: "\n").enumerated()
    where !line.trimmingCharacters(in: .whitespaces).isEmpty {
      do {
        result.append(try decoder.decode(T.self, from: Data(line.utf8)))
      } catch {
        throw PaperSiftError(
          .invalidInput, "Invalid JSON on line \(number + 1) of '\(url.path)': \(error).",
          underlying: error)
      }
    }
    return result
  }
}
