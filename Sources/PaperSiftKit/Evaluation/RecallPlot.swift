import Foundation

/// An SVG plot of recall against the share of papers sent, one curve per
/// prefilter variant, with a horizontal line at the target recall.
///
/// Each curve joins the micro-averaged recall of the fraction cutoffs 0%,
/// 1%, …, 100% over the given nights. The curves are the only `path`
/// elements; axes, grid, target and legend use `line` and `text`.
public struct RecallPlot {
  /// Curves to draw: the ranking's name in ``RecallDay/rankings`` and its legend text.
  public var curves: [(variant: String, label: String)]
  public var target: Double
  public var title: String
  public var width = 740.0
  public var height = 440.0

  static let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]

  public init(curves: [(variant: String, label: String)], target: Double, title: String) {
    self.curves = curves
    self.target = target
    self.title = title
  }

  /// The points of one curve: (share of papers sent, micro-averaged recall).
  public static func points(days: [RecallDay], variant: String) -> [(x: Double, y: Double)] {
    (0...100).map { step in
      let summary = RecallSummary(
        days: days, variant: variant, policy: CutoffPolicy(.fraction, Double(step) / 100))
      return (summary.sentShare, summary.recall)
    }
  }

  /// Renders the plot of `days` as a standalone SVG document.
  public func svg(days: [RecallDay]) -> String {
    let left = 64.0
    let right = width - 230
    let top = 40.0
    let bottom = height - 56
    func x(_ value: Double) -> Double { left + value * (right - left) }
    func y(_ value: Double) -> Double { bottom - value * (bottom - top) }

    var lines: [String] = [
      #"<?xml version="1.0" encoding="UTF-8"?>"#,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" "
        + "height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
        + "font-family=\"sans-serif\" font-size=\"12\">",
      "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"white\"/>",
      "<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">"
        + "\(Self.escaped(title))</text>",
    ]
    for tick in stride(from: 0, through: 100, by: 20) {
      let value = Double(tick) / 100
      lines.append(
        "<line x1=\"\(f(x(value)))\" y1=\"\(f(top))\" x2=\"\(f(x(value)))\" y2=\"\(f(bottom))\" "
          + "stroke=\"#dddddd\"/>")
      lines.append(
        "<line x1=\"\(f(left))\" y1=\"\(f(y(value)))\" x2=\"\(f(right))\" y2=\"\(f(y(value)))\" "
          + "stroke=\"#dddddd\"/>")
      lines.append(
        "<text x=\"\(f(x(value)))\" y=\"\(f(bottom + 18))\" text-anchor=\"middle\">\(tick)%</text>")
      lines.append(
        "<text x=\"\(f(left - 8))\" y=\"\(f(y(value) + 4))\" text-anchor=\"end\">\(tick)%</text>")
    }
    lines.append(
      "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\" "
        + "stroke=\"black\"/>")
    lines.append(
      "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(bottom))\" "
        + "stroke=\"black\"/>")
    lines.append(
      "<text x=\"\(f((left + right) / 2))\" y=\"\(f(height - 16))\" text-anchor=\"middle\">"
        + "share of the night's papers sent to the LLM</text>")
    lines.append(
      "<text transform=\"translate(16 \(f((top + bottom) / 2))) rotate(-90)\" "
        + "text-anchor=\"middle\">share of the LLM's picks kept (recall)</text>")
    lines.append(
      "<line x1=\"\(f(left))\" y1=\"\(f(y(target)))\" x2=\"\(f(right))\" y2=\"\(f(y(target)))\" "
        + "stroke=\"black\" stroke-dasharray=\"6 4\"/>")
    lines.append(
      "<text x=\"\(f(left + 6))\" y=\"\(f(y(target) - 6))\">"
        + "target \(Int((target * 100).rounded()))%</text>")

    for (number, curve) in curves.enumerated() {
      let color = Self.colors[number % Self.colors.count]
      let points = Self.points(days: days, variant: curve.variant)
      let data = points.enumerated().map { index, point in
        (index == 0 ? "M" : "L") + "\(f(x(point.x))) \(f(y(point.y)))"
      }.joined(separator: " ")
      lines.append(
        "<path d=\"\(data)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\">"
          + "<title>\(Self.escaped(curve.label))</title></path>")
      let legendY = top + 10 + Double(number) * 20
      lines.append(
        "<line x1=\"\(f(right + 16))\" y1=\"\(f(legendY))\" x2=\"\(f(right + 40))\" "
          + "y2=\"\(f(legendY))\" stroke=\"\(color)\" stroke-width=\"2\"/>")
      lines.append(
        "<text x=\"\(f(right + 46))\" y=\"\(f(legendY + 4))\">\(Self.escaped(curve.label))</text>")
    }
    lines.append("</svg>")
    return lines.joined(separator: "\n") + "\n"
  }

  private func f(_ value: Double) -> String { String(format: "%.1f", value) }

  /// Returns `text` with the five XML special characters escaped.
  static func escaped(_ text: String) -> String {
    var result = ""
    for character in text {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&apos;"
      default: result.append(character)
      }
    }
    return result
  }
}
