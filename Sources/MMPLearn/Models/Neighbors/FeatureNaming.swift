/// Names a position of a row-major feature matrix for error messages.
enum FeatureNaming {
    static func describe(_ position: Int, columns: Int, names: [String]) -> String {
        let row = position / max(1, columns), column = position % max(1, columns)
        let name = column < names.count ? names[column] : "#\(column + 1)"
        return "training row \(row + 1), feature '\(name)'"
    }
}
