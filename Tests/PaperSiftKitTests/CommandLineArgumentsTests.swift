import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct CommandLineArgumentsTests {
  static let spec = CommandSpec(
    name: "run", abstract: "Test command.",
    options: [
      .flag("--no-llm", help: "Skip."),
      .value("--top", "K", help: "Count."),
      .value("--input", "FILE", help: "File.", repeatable: true),
    ],
    positionals: nil)

  @Test func valuesFlagsAndRepeats() throws {
    let parsed = try Self.spec.parse(["--top", "5", "--no-llm", "--input=a.xml", "--input", "b"])
    #expect(try parsed.int("--top") == 5)
    #expect(parsed.flag("--no-llm"))
    #expect(parsed.strings("--input") == ["a.xml", "b"])
  }

  @Test func emptyPathIsRejected() throws {
    let parsed = try Self.spec.parse(["--input", ""])
    #expect {
      _ = try parsed.path("--input")
    } throws: { error in
      (error as? PaperSiftError)?.message == "Invalid value '' for --input: expected a path."
    }
    #expect(try Self.spec.parse(["--input", "/tmp/x"]).path("--input")?.path == "/tmp/x")
  }

  @Test(arguments: [
    (0.0 ... .infinity, "Invalid value 'abc' for --top: expected a number of at least 0.0."),
    (0.0...1.0, "Invalid value 'abc' for --top: expected a number from 0.0 to 1.0."),
    (-.infinity ... .infinity, "Invalid value 'abc' for --top: expected a number."),
  ])
  func badNumberNamesRange(range: ClosedRange<Double>, message: String) throws {
    let parsed = try Self.spec.parse(["--top", "abc"])
    #expect {
      _ = try parsed.double("--top", in: range)
    } throws: { error in
      (error as? PaperSiftError)?.message == message
    }
  }

  @Test func infiniteNumberSaysTooLarge() throws {
    let parsed = try Self.spec.parse(["--top", "1e999"])
    #expect {
      _ = try parsed.double("--top", in: 0 ... .infinity)
    } throws: { error in
      (error as? PaperSiftError)?.message
        == "Invalid value '1e999' for --top: expected a number of at least 0.0, and this one is "
        + "too large to hold."
    }
  }

  @Test(arguments: ["nan", "NaN", "-nan"])
  func notANumberSaysSo(text: String) throws {
    let parsed = try Self.spec.parse(["--top", text])
    #expect {
      _ = try parsed.double("--top", in: 0 ... .infinity)
    } throws: { error in
      (error as? PaperSiftError)?.message
        == "Invalid value '\(text)' for --top: expected a number of at least 0.0, and this one "
        + "is not a number."
    }
  }

  @Test(arguments: [
    (["--no-llm=false"], "Option '--no-llm' takes no value, but 'false' was given."),
    (["--bogus"], "Unknown option '--bogus' for 'run'. Run 'papersift run --help'"),
    (["--top"], "Missing value for '--top': expected --top K."),
    (["--top", "1", "--top", "2"], "Option '--top' was given more than once."),
    (["extra"], "Unexpected argument 'extra' for 'run'."),
  ])
  func misuseIsRejected(arguments: [String], message: String) {
    let error = #expect(throws: PaperSiftError.self) { try Self.spec.parse(arguments) }
    #expect(error?.code == .invalidInput)
    #expect(error?.message.hasPrefix(message) == true, "got: \(error?.message ?? "")")
  }

  @Test func integerOutOfRangeNamesValue() throws {
    let parsed = try Self.spec.parse(["--top", "-1"])
    let error = #expect(throws: PaperSiftError.self) { try parsed.int("--top", in: 0...10) }
    #expect(error?.message == "Invalid value '-1' for --top: expected an integer from 0 to 10.")
  }
}
