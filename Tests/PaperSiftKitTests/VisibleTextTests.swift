import Foundation
import Testing

@testable import PaperSiftKit

/// Feed text shown on one line, without characters that change how it displays.
@Suite struct VisibleTextTests {
  @Test(arguments: [
    // U+202E makes "exe.live" display reversed, as "evil.exe".
    ("A \u{202E}exe.live\u{202C} paper\n on\u{2067} RLHF\u{2069}", "A exe.live paper on RLHF"),
    ("\u{202A}\u{202B}\u{202D}\u{2066}\u{2068}Left", "Left"),
    ("Zero\u{200B}width\u{2060}joins\u{FEFF}", "Zerowidthjoins"),
    // ESC [ 2 J would clear the terminal. The BEL and DEL are removed too.
    ("Clear \u{1B}[2J screen\u{07}\u{7F}", "Clear [2J screen"),
    ("C1\u{9B}31m control", "C131m control"),
    ("Tabs\tand\r\nbreaks\u{85}too", "Tabs and breaks too"),
    // Emoji and Persian need the zero-width joiner and non-joiner.
    (
      "Team \u{1F469}\u{200D}\u{1F4BB} and \u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0645}",
      "Team \u{1F469}\u{200D}\u{1F4BB} and \u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0645}"
    ),
    ("  ", ""),
  ])
  func singleLineRemovesInvisible(text: String, expected: String) {
    #expect(VisibleText.singleLine(text) == expected)
  }
}
