import Foundation
import Testing

@testable import PaperSiftKit

/// The strict reading of `config.json`: its messages name the file, the key
/// path, the line and the value found, and never a Swift type.
@Suite struct ConfigurationFileTests {
  /// Text that a message would contain if a Swift type name leaked into it.
  static let swiftTypeNames = [
    "Swift.", "CodingKeys", "Dictionary", "Array<", "Optional", "DecodingContainer", "Double",
    "Int64", "Int.Type", "String value", "NSNumber",
  ]

  /// Writes `json` as `config.json` in a new folder, loads it, and checks
  /// that the load fails with a message that names the file and `problem`.
  ///
  /// - Returns: The message, or an empty string when the load did not fail.
  @discardableResult
  static func expectRejected(
    _ json: String, problem: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> String {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = try TestFiles.write(json, named: "config.json", in: folder)

    let error = #expect(throws: PaperSiftError.self, sourceLocation: sourceLocation) {
      try Configuration.load(from: url)
    }

    #expect(error?.code == .configuration, sourceLocation: sourceLocation)
    #expect(
      error?.message
        == "Invalid configuration file '\(url.path)': \(problem). "
        + "Fix the file or delete it to return to the defaults.",
      sourceLocation: sourceLocation)
    return error?.message ?? ""
  }

  static func expectNoSwiftTypeNames(_ message: String) {
    for name in swiftTypeNames {
      #expect(!message.contains(name), "\(name) in \(message)")
    }
  }

  /// The dotted paths of the settings that take whole numbers, listed by hand.
  static let wholeNumberSettings: Set<String> = [
    "fetch.maxAttempts", "fetch.lookupMaxAttempts",
    "embedding.threads", "embedding.batchSize", "embedding.remoteMaxAttempts",
    "llm.batchSize", "llm.maxAttempts", "llm.maxOutputTokens", "llm.outputTokensPerPaper",
    "llm.reasoningTokensPerRequest",
    "ranking.minimumLabelledPapers", "ranking.minimumPapersPerClass", "ranking.cold.nearest",
    "ranking.model.trainingDays",
    "ranking.model.maxFeatures", "ranking.model.positiveNeighbours",
    "ranking.model.negativeNeighbours", "ranking.model.positiveRelevance",
    "ranking.model.positiveNovelty",
    "run.auditMinimum", "run.noLLMPaperCount", "run.selection.minimumRelevance",
    "run.selection.minimumNovelty",
  ]

  /// Returns the dotted path of every setting that the default
  /// configuration writes. Optional settings that default to nil are left out.
  static func defaultSettingPaths() throws -> [String] {
    let data = try JSONEncoder().encode(Configuration())
    var paths: [String] = []
    func walk(_ value: Any, _ path: String) {
      guard let object = value as? [String: Any] else {
        paths.append(path)
        return
      }
      for (key, member) in object { walk(member, path.isEmpty ? key : path + "." + key) }
    }
    walk(try JSONSerialization.jsonObject(with: data), "")
    return paths.sorted()
  }

  /// Returns a one-line JSON object that sets the dotted `path` to `value`.
  static func json(setting path: String, to value: String) -> String {
    path.split(separator: ".").reversed().reduce(value) { inner, key in "{\"\(key)\": \(inner)}" }
  }

  @Test func fractionIsRejectedForEveryWholeNumber() throws {
    let file = URL(fileURLWithPath: "/tmp/papersift-unused/config.json")
    var rejected: Set<String> = []

    for path in try Self.defaultSettingPaths() {
      let text = Self.json(setting: path, to: "2.5")
      do {
        _ = try Configuration.decode(Data(text.utf8), file: file)
      } catch let error as PaperSiftError {
        #expect(error.code == .configuration)
        #expect(error.message.contains(path), "\(error.message)")
        #expect(!error.message.contains("not valid JSON"), "\(error.message)")
        Self.expectNoSwiftTypeNames(error.message)
        let wholeNumber = "expected a whole number at \(path) on line 1, found the number 2.5."
        if error.message.contains(wholeNumber) { rejected.insert(path) }
      }
    }

    #expect(rejected == Self.wholeNumberSettings)
  }

  @Test(arguments: [
    "llm.batchSize", "run.selection.minimumRelevance", "ranking.model.trainingDays",
    "embedding.threads",
  ])
  func wholeNumberWrittenAsDecimalIsAccepted(path: String) throws {
    let text = Self.json(setting: path, to: "3.0")
    let file = URL(fileURLWithPath: "/tmp/papersift-unused/config.json")

    let configuration = try Configuration.decode(Data(text.utf8), file: file)

    let values = [
      "llm.batchSize": configuration.llm.batchSize,
      "run.selection.minimumRelevance": configuration.run.selection.minimumRelevance,
      "ranking.model.trainingDays": configuration.ranking.model.trainingDays,
      "embedding.threads": configuration.embedding.threads,
    ]
    #expect(values[path] == 3)
  }

  @Test func fractionMessageNamesFileKeyAndValue() throws {
    try Self.expectRejected(
      "{\n  \"llm\": {\n    \"batchSize\": 2.5\n  }\n}\n",
      problem: "expected a whole number at llm.batchSize on line 3, found the number 2.5")
  }

  @Test(arguments: [
    (
      #"{"fetch": {"categories": "cs.LG"}}"#,
      #"expected a list at fetch.categories on line 1, found the string "cs.LG""#
    ),
    (
      #"{"llm": {"requestTimeout": "30"}}"#,
      #"expected a number at llm.requestTimeout on line 1, found the string "30""#
    ),
    (
      #"{"llm": {"reasoning": "yes"}}"#,
      #"expected true or false at llm.reasoning on line 1, found the string "yes""#
    ),
    (#"{"llm": 5}"#, "expected an object at llm on line 1, found the number 5"),
    (
      #"{"ranking": {"weights": []}}"#,
      "expected an object at ranking.weights on line 1, found a list"
    ),
    (
      #"{"fetch": {"categories": ["cs.LG", null]}}"#,
      "expected a string at fetch.categories[1] on line 1, found null"
    ),
    (
      #"{"fetch": {"categories": ["cs.LG", 7]}}"#,
      "expected a string at fetch.categories[1] on line 1, found the number 7"
    ),
    (
      #"{"embedding": {"precision": true}}"#,
      "expected a string at embedding.precision on line 1, found true"
    ),
    (
      "{\n  \"run\": {\n    \"selection\": {\n      \"minimumNovelty\": \"7\"\n    }\n  }\n}",
      #"expected a whole number at run.selection.minimumNovelty on line 4, found the string "7""#
    ),
    (
      #"{"llm": {"batchSize": 1e300}}"#,
      "expected a whole number at llm.batchSize on line 1, found the number 1e300, which is out "
        + "of range"
    ),
    (
      #"{"llm": {"maxAttempts": 9223372036854775808}}"#,
      "expected a whole number at llm.maxAttempts on line 1, found the number "
        + "9223372036854775808, which is out of range"
    ),
    (
      #"{"llm": {"requestTimeout": -1e400}}"#,
      "the number -1e400 at llm.requestTimeout on line 1 is out of range, so use a value such as "
        + "the default or leave the key out"
    ),
  ])
  func wrongTypeNamesKeyAndValue(json: String, problem: String) throws {
    let message = try Self.expectRejected(json, problem: problem)

    Self.expectNoSwiftTypeNames(message)
  }

  /// Null is rejected instead of read as an absent key, and never reported
  /// as an unknown key for an optional setting.
  @Test(arguments: [
    (#"{"llm": {"batchSize": null}}"#, "llm.batchSize on line 1"),
    (#"{"llm": null}"#, "llm on line 1"),
    (#"{"run": {"selection": null}}"#, "run.selection on line 1"),
    ("{\n  \"llm\": {\n    \"reasoning\": null\n  }\n}", "llm.reasoning on line 3"),
    ("{\"llm\": {\n\"pricesPath\": null,\n\"reasoningEffort\": null}}", "llm.pricesPath on line 2"),
    (
      "{\"llm\": {\"model\": \"x\",\n\"reasoningEffort\": null},\n"
        + "\"fetch\": {\"maxAttempts\": null}}",
      "llm.reasoningEffort on line 2"
    ),
  ])
  func nullIsRejectedWithKeyAndLine(json: String, place: String) throws {
    try Self.expectRejected(
      json,
      problem: "expected a value at \(place), found null; leave the key out to use its default")
  }

  @Test func loneSurrogateEscapeNamesLine() throws {
    try Self.expectRejected(
      "{\n  \"llm\": {\n    \"model\": \"x\\ud800\"\n  }\n}\n",
      problem: "the escape \\ud800 on line 3 is a lone UTF-16 surrogate, which encodes no "
        + "character, so write the character itself or both escapes of its surrogate pair")
  }

  @Test func longStringIsNotShown() throws {
    let key = "sk-TRIAL-\(UUID().uuidString)"

    let message = try Self.expectRejected(
      #"{"llm": "\#(key)"}"#,
      problem: "expected an object at llm on line 1, found a string of \(key.count) characters")

    #expect(!message.contains(key))
    #expect(!message.contains("TRIAL"))
  }

  @Test(arguments: [
    ("null", "null"), ("[1, 2]", "a list"), ("5", "the number 5"), (#""x""#, #"the string "x""#),
    ("true", "true"), ("\n  [{\"llm\": {}}]\n", "a list"),
  ])
  func topLevelMustBeObject(json: String, found: String) throws {
    let message = try Self.expectRejected(
      json,
      problem: "config.json must contain one JSON object, such as {} for the defaults, but it "
        + "contains \(found)")

    Self.expectNoSwiftTypeNames(message)
  }

  @Test(arguments: [
    (
      "{\n  \"llm\": {\"model\": \"a\"},\n  \"llm\": {\"model\": \"b\"}\n}",
      "duplicate key llm on line 3 (first on line 2)"
    ),
    (
      "{\"llm\": {\n  \"batchSize\": 5,\n  \"model\": \"a\",\n  \"batchSize\": 0\n}}",
      "duplicate key llm.batchSize on line 4 (first on line 2)"
    ),
    (
      #"{"run": {"selection": {"minimumNovelty": 7, "minimumNovelty": 9}}}"#,
      "duplicate key run.selection.minimumNovelty on line 1 (first on line 1)"
    ),
    (
      #"{"fetch": {"categories": ["cs.LG"]}, "\u0066etch": {}}"#,
      "duplicate key fetch on line 1 (first on line 1)"
    ),
  ])
  func duplicateKeyIsRejected(json: String, problem: String) throws {
    try Self.expectRejected(json, problem: "\(problem), so keep only one of the two")
  }

  @Test(arguments: [
    (#"{"llm": {"model": "x"},}"#, "on line 1 before '}'"),
    ("{\n  \"fetch\": {\n    \"categories\": [\"cs.LG\",\n    ]\n  }\n}", "on line 3 before ']'"),
    ("{\n  \"llm\": {\n    \"model\": \"x\",\n  }\n}\n", "on line 3 before '}'"),
  ])
  func trailingCommaIsRejected(json: String, place: String) throws {
    try Self.expectRejected(
      json, problem: "trailing comma \(place), which JSON does not allow, so delete the comma")
  }

  @Test func utf16FileIsRejected() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("config.json")
    // A repeated key and a trailing comma, which the scan would reject in UTF-8.
    let text = #"{"llm": {}, "llm": {},}"#
    try Data([0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
      .write(to: url)

    let error = #expect(throws: PaperSiftError.self) { try Configuration.load(from: url) }

    #expect(error?.code == .configuration)
    #expect(
      error?.message
        == "Invalid configuration file '\(url.path)': the text is not UTF-8, so save the file "
        + "as UTF-8. Fix the file or delete it to return to the defaults.")
  }

  @Test func savedConfigurationLoadsAgain() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("config.json")
    var configuration = Configuration()
    configuration.fetch.categories = ["cs.LG", "stat.ML"]
    configuration.llm.baseURL = "http://127.0.0.1:11434/v1"
    configuration.llm.reasoningEffort = "low"
    configuration.ranking.followedAuthors = ["Ada \"Countess\" Lovelace", "Émilie du Châtelet"]
    configuration.run.outputFolder = "~/digests/{night}"
    try configuration.save(to: url)

    let loaded = try Configuration.load(from: url)

    #expect(loaded == configuration)
  }

  @Test func unknownKeyStillLoads() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = try TestFiles.write(
      #"{"llm": {"modle": "x", "batchSize": 7}}"#, named: "config.json", in: folder)

    let configuration = try Configuration.load(from: url)

    #expect(configuration.llm.batchSize == 7)
    #expect(configuration.llm.model == LLMSettings().model)
  }

  @Test func nullExitsWithStatus2() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let url = try TestFiles.write(
      "{\n  \"llm\": {\"pricesPath\": null}\n}\n", named: "config.json", in: home)

    let result = try PaperSiftProcess(home: home).run(["topics"])

    #expect(result.status == 2)
    #expect(
      result.errorOutput.contains(
        "Invalid configuration file '\(url.path)': expected a value at llm.pricesPath on line 2, "
          + "found null; leave the key out to use its default."))
    #expect(!result.errorOutput.contains("Unknown key"))
  }

  @Test func commandExitsWithStatus2() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let url = try TestFiles.write(
      #"{"llm": {"batchSize": 2.5}}"#, named: "config.json", in: home)

    let result = try PaperSiftProcess(home: home).run(["topics"])

    #expect(result.status == 2)
    #expect(
      result.errorOutput.contains(
        "Invalid configuration file '\(url.path)': expected a whole number at llm.batchSize on "
          + "line 1, found the number 2.5."))
  }
}
