import MMPCore
import MMPQueue

extension JobViews {
    /// A parent's children under its detail (`mmp jobs show`): one line each, in spawn order.
    public static func tree(_ children: [JobRecord], nowMillis: Int) -> String {
        guard !children.isEmpty else { return "" }
        var counts: [String: Int] = [:]
        for c in children { counts[c.stateText, default: 0] += 1 }
        var out = "children".padded(16) + "\(children.count): " + counts.keys.sorted().map { "\(counts[$0]!) \($0)" }.joined(separator: ", ") + "\n"
        for (n, c) in children.enumerated() {
            let branch = n == children.count - 1 ? "└─ " : "├─ "
            var line = "  " + branch + c.id + "  " + c.recipe.padded(12) + " " + c.stateText.padded(10) + " " + percent(c.progress)
            if !c.worker.isEmpty, c.state == .active { line += "  on \(c.worker)" }
            if let e = c.errorMessage, c.state != .succeeded { line += "  [\(c.errorKind ?? "internal")] \(e)" }
            out += line + "\n"
        }
        return out
    }
}
