// FoundationEssentials (all this module links, to keep the worker small) has no
// `trimmingCharacters(in:)`; these cover what mmp needs.
extension StringProtocol {
    /// The string without leading and trailing whitespace (spaces, tabs, newlines).
    public func trimmed() -> String {
        var start = startIndex, end = endIndex
        while start < end, self[start].isWhitespace { start = index(after: start) }
        while end > start, self[index(before: end)].isWhitespace { end = index(before: end) }
        return String(self[start..<end])
    }
}
