import Foundation
import PaperSiftKit

/// `papersift topics`: shows how the topics file was parsed.
enum TopicsCommand: Command {
  static let spec = CommandSpec(
    name: "topics",
    abstract: "Show the topics and keywords parsed from the topics file.",
    options: [
      .value(
        "--topics", "FILE", help: "The topics file (default: ranking.topicsFile in the home)."),
      .value("--file", "FILE", help: "The same as --topics, kept for older scripts."),
      .flag("--json", help: "Print the parsed topics as JSON."),
    ])

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    if arguments.string("--topics") != nil, arguments.string("--file") != nil {
      throw PaperSiftError(
        .invalidInput, "Pass the topics file once, with --topics FILE, not with --file as well.")
    }
    let file = arguments.string("--topics") ?? arguments.string("--file")
    let url = topicsURL(file, context: context)
    let topics = try TopicsFile.load(from: url)
    if !topics.textOutsideTopics.isEmpty {
      Logger(label: "topics").warning(
        "The prefilter ignores text outside the topics; only the LLM reads it. "
          + "Make it a numbered topic or a '- Relevant:' line of one to rank by it",
        [("file", url.path), ("paragraphs", "\(topics.textOutsideTopics.count)")])
    }
    if arguments.flag("--json") {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      print(String(decoding: try encoder.encode(Listing(topics: topics)), as: UTF8.self))
      return .success
    }
    print(render(topics, path: url.path))
    return .success
  }

  /// The parsed topics as `--json` prints them, with the keys of the parts
  /// that only the LLM reads.
  struct Listing: Encodable {
    var topics: TopicsFile
    var readByLLMOnly = [
      "topics[].irrelevant", "topics[].otherLines", "introduction", "textOutsideTopics",
    ]

    enum CodingKeys: String, CodingKey {
      case readByLLMOnly
    }

    func encode(to encoder: any Encoder) throws {
      try topics.encode(to: encoder)
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(readByLLMOnly, forKey: .readByLLMOnly)
    }
  }

  /// Returns `file`, else the configured topics file, relative to the home folder.
  static func topicsURL(_ file: String?, context: CommandContext) -> URL {
    if let file { return URL(fileURLWithPath: file) }
    let configured = context.configuration.ranking.topicsFile
    if configured.hasPrefix("/") { return URL(fileURLWithPath: configured) }
    return context.home.root.appendingPathComponent(configured)
  }

  static func render(_ topics: TopicsFile, path: String) -> String {
    let count = topics.topics.count
    var lines = ["\(count) \(count == 1 ? "topic" : "topics") in \(path)"]
    for paragraph in topics.introduction {
      lines.append("introduction (LLM only): \(paragraph)")
    }
    for (number, topic) in topics.topics.enumerated() {
      lines.append("\(number + 1). \(topic.name)")
      if !topic.relevant.isEmpty { lines.append("   relevant: \(topic.relevant)") }
      if !topic.irrelevant.isEmpty {
        lines.append("   irrelevant (LLM only): \(topic.irrelevant)")
      }
      for line in topic.otherLines {
        // Stored as `label: text`, shown as the irrelevant text is.
        let parts = line.split(separator: ":", maxSplits: 1)
        let labelled =
          parts.count == 2 ? "\(parts[0]) (LLM only):\(parts[1])" : "\(line) (LLM only)"
        lines.append("   \(labelled)")
      }
    }
    let keywordLists = [
      ("relevant keywords (positive vectors)", topics.relevantKeywords),
      ("irrelevant keywords (negative vectors)", topics.irrelevantKeywords),
      ("application keywords (negative vectors)", topics.applicationKeywords),
    ]
    for (title, keywords) in keywordLists where !keywords.isEmpty {
      lines.append("\(title): \(keywords.joined(separator: ", "))")
    }
    for paragraph in topics.textOutsideTopics {
      lines.append("outside the topics (LLM only): \(paragraph)")
    }
    lines.append(
      "The prefilter ranks by the topics' names and relevant text and by the keywords; "
        + "the LLM reads the whole file, so the parts marked (LLM only) change its scores but "
        + "not which papers reach it.")
    return lines.joined(separator: "\n")
  }
}
