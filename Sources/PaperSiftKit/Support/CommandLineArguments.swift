import Foundation

/// One option of a command, such as `--top K` or the flag `--json`.
public struct OptionSpec: Sendable {
  public var name: String
  /// The placeholder shown in help, or nil for a flag without a value.
  public var valueName: String?
  public var help: String
  /// Whether the option may be given more than once.
  public var repeatable: Bool

  public static func flag(_ name: String, help: String) -> OptionSpec {
    OptionSpec(name: name, valueName: nil, help: help, repeatable: false)
  }

  public static func value(
    _ name: String, _ valueName: String, help: String, repeatable: Bool = false
  ) -> OptionSpec {
    OptionSpec(name: name, valueName: valueName, help: help, repeatable: repeatable)
  }
}

/// The options a command accepts and the help text that describes them.
public struct CommandSpec: Sendable {
  public var name: String
  public var abstract: String
  public var discussion: String
  public var options: [OptionSpec]
  /// The placeholder for positional arguments, such as `FILE...`, or nil for none.
  public var positionals: String?
  /// The program that runs the command, named in error messages.
  public var program: String

  public init(
    name: String, abstract: String, discussion: String = "", options: [OptionSpec] = [],
    positionals: String? = nil, program: String = "papersift"
  ) {
    self.program = program
    self.name = name
    self.abstract = abstract
    self.discussion = discussion
    self.options = options
    self.positionals = positionals
  }

  /// Returns the usage and option table that `--help` prints.
  public func helpText(commandPath: String) -> String {
    var usage = "USAGE: \(commandPath)"
    if !options.isEmpty { usage += " [options]" }
    if let positionals { usage += " \(positionals)" }
    var lines = ["OVERVIEW: \(abstract)", "", usage]
    if !discussion.isEmpty {
      lines += ["", discussion]
    }
    lines += ["", "OPTIONS:"]
    let all = options + [.flag("--help", help: "Show this help and exit.")]
    let labels = all.map { option in
      option.valueName.map { "\(option.name) \($0)" } ?? option.name
    }
    let width = min(28, (labels.map(\.count).max() ?? 0) + 2)
    for (label, option) in zip(labels, all) {
      let padding = String(repeating: " ", count: max(2, width - label.count))
      lines.append("  \(label)\(padding)\(option.help)")
    }
    return lines.joined(separator: "\n")
  }

  /// Parses `arguments` against the options.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` for an unknown
  ///   option, a missing value, a repeated single option, or positional
  ///   arguments where none are accepted.
  public func parse(_ arguments: [String]) throws -> ParsedArguments {
    var parsed = ParsedArguments()
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if argument == "--" {
        parsed.positionals += arguments[index...]
        break
      }
      guard argument.hasPrefix("-"), argument.count > 1 else {
        parsed.positionals.append(argument)
        continue
      }
      if argument == "--help" || argument == "-h" {
        parsed.wantsHelp = true
        continue
      }
      var name = argument
      var inlineValue: String?
      if let equals = argument.firstIndex(of: "=") {
        name = String(argument[..<equals])
        inlineValue = String(argument[argument.index(after: equals)...])
      }
      guard let option = options.first(where: { $0.name == name }) else {
        let help =
          self.name == program ? "\(program) --help" : "\(program) \(self.name) --help"
        throw PaperSiftError(
          .invalidInput,
          "Unknown option '\(name)' for '\(self.name)'. Run '\(help)' for the options it takes.")
      }
      guard option.valueName != nil else {
        if let inlineValue {
          throw PaperSiftError(
            .invalidInput,
            "Option '\(name)' takes no value, but '\(inlineValue)' was given. Pass \(name) alone.")
        }
        parsed.flags.insert(name)
        continue
      }
      let value: String
      if let inlineValue {
        value = inlineValue
      } else if index < arguments.count {
        value = arguments[index]
        index += 1
      } else {
        throw PaperSiftError(
          .invalidInput,
          "Missing value for '\(name)': expected \(name) \(option.valueName ?? "VALUE").")
      }
      if parsed.values[name] != nil, !option.repeatable {
        throw PaperSiftError(.invalidInput, "Option '\(name)' was given more than once.")
      }
      parsed.values[name, default: []].append(value)
    }
    if positionals == nil, let first = parsed.positionals.first {
      throw PaperSiftError(
        .invalidInput,
        "Unexpected argument '\(first)' for '\(self.name)'. Run '\(program) \(self.name) --help'.")
    }
    return parsed
  }
}

/// The options and arguments of one command line.
public struct ParsedArguments: Sendable {
  public var values: [String: [String]] = [:]
  public var flags: Set<String> = []
  public var positionals: [String] = []
  public var wantsHelp = false

  public init() {}

  public func flag(_ name: String) -> Bool { flags.contains(name) }

  /// Returns the last value of an option, or nil when it was not given.
  public func string(_ name: String) -> String? { values[name]?.last }

  public func strings(_ name: String) -> [String] { values[name] ?? [] }

  /// Returns the option's value as a file or folder URL, with `~` expanded.
  ///
  /// - Throws: ``PaperSiftError`` when the value is empty, which would
  ///   otherwise name the current folder.
  public func path(_ name: String) throws -> URL? {
    guard let text = string(name) else { return nil }
    guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw PaperSiftError(.invalidInput, "Invalid value '\(text)' for \(name): expected a path.")
    }
    return URL(fileURLWithPath: (text as NSString).expandingTildeInPath)
  }

  /// The values of options that count papers, such as `--top` and
  /// `--limit`. A night has a few hundred papers, so the upper bound only
  /// catches a mistyped value.
  public static let paperCounts: ClosedRange<Int> = 1...1_000_000

  /// Returns the option's value as an integer.
  ///
  /// - Throws: ``PaperSiftError`` when the value is not an integer in `range`.
  public func int(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int? {
    guard let text = string(name) else { return nil }
    guard let value = Int(text), range.contains(value) else {
      throw PaperSiftError(
        .invalidInput,
        "Invalid value '\(text)' for \(name): expected an integer from \(range.lowerBound) "
          + "to \(range.upperBound).")
    }
    return value
  }

  /// Returns the option's value as a number.
  ///
  /// - Throws: ``PaperSiftError`` when the value is not a number in `range`.
  public func double(_ name: String, in range: ClosedRange<Double> = -.infinity ... .infinity)
    throws -> Double?
  {
    guard let text = string(name) else { return nil }
    guard let value = Double(text), value.isFinite, range.contains(value) else {
      let expected =
        switch (range.lowerBound.isFinite, range.upperBound.isFinite) {
        case (true, true): "a number from \(range.lowerBound) to \(range.upperBound)"
        case (true, false): "a number of at least \(range.lowerBound)"
        case (false, true): "a number of at most \(range.upperBound)"
        case (false, false): "a number"
        }
      // Double("1e999") is infinity, which no range here allows, and
      // Double("nan") is a value that is no number.
      let note =
        switch Double(text) {
        case let value? where value.isNaN: ", and this one is not a number"
        case let value? where value.isInfinite: ", and this one is too large to hold"
        default: ""
        }
      throw PaperSiftError(
        .invalidInput, "Invalid value '\(text)' for \(name): expected \(expected)\(note).")
    }
    return value
  }
}
