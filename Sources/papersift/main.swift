import Foundation
import PaperSiftKit

/// Every subcommand, in the order `papersift --help` lists them.
let commands: [any Command.Type] = [
  RunCommand.self, ImportCommand.self, FetchCommand.self, PapersCommand.self,
  TopicsCommand.self, LikeCommand.self, DislikeCommand.self, UnlikeCommand.self,
  LikesCommand.self, RankCommand.self, EmbedCommand.self, ModelCommand.self,
  ScoreCommand.self,
]

let globalSpec = CommandSpec(
  name: "papersift",
  abstract: "Picks the few arXiv papers of the night worth reading, at a fraction of the LLM cost.",
  discussion: """
    Global options go before or after the subcommand, as in 'papersift --verbose run' or
    'papersift run --verbose'. Run 'papersift SUBCOMMAND --help' for its options.

    SUBCOMMANDS:
    \(commands.map { "  \($0.spec.name.padding(toLength: 14, withPad: " ", startingAt: 0))\($0.spec.abstract)" }.joined(separator: "\n"))
    """,
  options: [
    .value(
      "--home", "DIR",
      help: "Folder for the database, configuration and model (default: $PAPERSIFT_HOME, "
        + "else ~/.papersift)."),
    .flag("--verbose", help: "Log routine steps (info level) to stderr."),
    .flag("--debug", help: "Log everything, debug level included, to stderr."),
    .flag("--quiet", help: "Log only errors to stderr."),
  ],
  positionals: "SUBCOMMAND")

func writeError(_ text: String) {
  FileHandle.standardError.write(Data("error: \(text)\n".utf8))
}

func exitStatus(for error: PaperSiftError) -> ExitStatus {
  switch error.code {
  case .invalidInput, .configuration: .usage
  case .busy: .busy
  default: .failure
  }
}

/// Sets the log level from the flags of the global options.
func setLogLevel(_ flags: Set<String>) {
  if flags.contains("--debug") {
    Logger.minimumLevel = .debug
  } else if flags.contains("--verbose") {
    Logger.minimumLevel = .info
  } else if flags.contains("--quiet") {
    Logger.minimumLevel = .error
  }
}

/// Returns the position of the first argument that is neither a global
/// option nor the value of one: the subcommand's name, if the command line
/// is valid.
func subcommandPosition(in arguments: [String]) -> Int? {
  var index = 0
  while index < arguments.count {
    let argument = arguments[index]
    guard argument.hasPrefix("-"), argument.count > 1 else { return index }
    let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
    let takesValue = globalSpec.options.contains { $0.name == name && $0.valueName != nil }
    index += takesValue && !argument.contains("=") ? 2 : 1
  }
  return nil
}

@MainActor func main() -> ExitStatus {
  var arguments = Array(CommandLine.arguments.dropFirst())
  let firstWord = subcommandPosition(in: arguments)
  let commandIndex = firstWord.flatMap { index in
    commands.contains { $0.spec.name == arguments[index] } ? index : nil
  }
  let globalArguments = Array(arguments[..<(firstWord ?? arguments.endIndex)])
  do {
    let global = try globalSpec.parse(globalArguments)
    if commandIndex == nil, let firstWord {
      throw PaperSiftError(
        .invalidInput,
        "Unknown subcommand '\(arguments[firstWord])'. Run 'papersift --help' for the list of "
          + "subcommands.")
    }
    guard let commandIndex else {
      let help = globalSpec.helpText(commandPath: "papersift")
      // Requested help is the output, so it goes to stdout. Without a subcommand
      // the same text is a usage error, so it goes to stderr.
      guard global.wantsHelp else {
        FileHandle.standardError.write(Data((help + "\n").utf8))
        return .usage
      }
      print(help)
      return .success
    }
    let name = arguments[commandIndex]
    arguments = Array(arguments[(commandIndex + 1)...])
    guard let command = commands.first(where: { $0.spec.name == name }) else { return .usage }
    // The global options may also follow the subcommand.
    var spec = command.spec
    spec.options += globalSpec.options
    let parsed = try spec.parse(arguments)
    if global.string("--home") != nil, parsed.string("--home") != nil {
      throw PaperSiftError(
        .invalidInput,
        "Option '--home' was given more than once: before and after '\(name)'. Pass it once.")
    }
    setLogLevel(global.flags.union(parsed.flags))
    if parsed.wantsHelp {
      let globals = globalSpec.options.map { option in
        option.valueName.map { "\(option.name) \($0)" } ?? option.name
      }
      print(
        command.spec.helpText(commandPath: "papersift \(name)")
          + "\n\nGLOBAL OPTIONS (before or after '\(name)', see 'papersift --help'): "
          + globals.joined(separator: ", "))
      return .success
    }
    let home = parsed.string("--home") ?? global.string("--home")
    let context = try CommandContext(home: PaperSiftHome.resolve(flag: home))
    return try command.run(parsed, context: context)
  } catch let error as PaperSiftError {
    writeError(error.message)
    return exitStatus(for: error)
  } catch let error as HTTPError {
    writeError(error.description)
    return .failure
  } catch {
    writeError(String(describing: error))
    return .failure
  }
}

exit(main().rawValue)
