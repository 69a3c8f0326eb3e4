import MMPCore

/// scikit-learn's `PolynomialFeatures`: the step's columns are replaced, where the first of
/// them was, by every product of up to `degree` of them, in scikit-learn's order (by degree,
/// then lexicographically by column position). Degree-1 terms keep their column names; others
/// are named like `a^2*b`. With `interaction_only`, no column appears twice in a product;
/// `include_bias` adds a column `bias` of ones first.
struct PolynomialFeatures: PreprocessingStep {
    var degree: Int
    var interactionOnly: Bool
    var includeBias: Bool

    init(_ options: StepOptions) {
        degree = options.int("degree")
        interactionOnly = options.bool("interaction_only")
        includeBias = options.bool("include_bias")
    }

    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        _ = try numericTrainingValues(table, columns, step: "polynomial_features")
        var terms: [[Int]] = includeBias ? [[]] : []
        for d in 1...degree { terms += PolynomialFeatures.combinations(columns.count, d, repeating: !interactionOnly) }
        guard terms.count <= 10_000 else {
            throw MMPError(.invalidRecipe, "polynomial_features would make \(terms.count) columns from \(columns.count) at degree \(degree); lower degree or list fewer columns")
        }
        return FittedPolynomialFeatures(columns: columns, terms: terms)
    }

    /// Index tuples i1 <= i2 <= ... (or < without repetition) of length `k` over `0..<n`, in
    /// lexicographic order (Python's itertools.combinations[_with_replacement]).
    static func combinations(_ n: Int, _ k: Int, repeating: Bool) -> [[Int]] {
        var out: [[Int]] = []
        var current: [Int] = []
        func extend(from start: Int) {
            if current.count == k { out.append(current); return }
            guard start < n else { return }
            for i in start..<n {
                current.append(i)
                extend(from: repeating ? i : i + 1)
                current.removeLast()
            }
        }
        extend(from: 0)
        return out
    }
}

struct FittedPolynomialFeatures: FittedTransform {
    static let typeName = "polynomial_features.v1"
    var columns: [String]
    /// Each output column as the input column positions multiplied (empty: the bias).
    var terms: [[Int]]

    init(columns: [String], terms: [[Int]]) { self.columns = columns; self.terms = terms }

    func name(_ term: [Int]) -> String {
        if term.isEmpty { return "bias" }
        var parts: [String] = []
        var i = 0
        while i < term.count {
            var power = 1
            while i + power < term.count, term[i + power] == term[i] { power += 1 }
            parts.append(power == 1 ? columns[term[i]] : "\(columns[term[i]])^\(power)")
            i += power
        }
        return parts.joined(separator: "*")
    }

    func transform(_ table: Table, mode: TransformMode) throws -> Table {
        guard let first = columns.first else { return table }
        let inputs = try table.requireAll(columns, step: "polynomial_features").map { column in
            guard let v = column.doubles else {
                throw MMPError.invalidData("polynomial_features was fitted on numeric column '\(column.name)', which now holds text")
            }
            return v
        }
        let produced: [Column] = terms.map { term in
            var values = [Double](repeating: 1, count: table.rowCount)
            for j in term { for r in values.indices { values[r] *= inputs[j][r] } }
            return .numeric(name(term), values)
        }
        var replacements: [String: [Column]] = [first: produced]
        for name in columns.dropFirst() { replacements[name] = [] }
        return try table.replacing(replacements, step: "polynomial_features")
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(columns)
        writer.write(terms.count)
        for t in terms { writer.write(t) }
    }

    init(from reader: inout ByteReader) throws {
        columns = try reader.readStrings()
        let n = try reader.readInt()
        guard n >= 0, n <= 10_000 else { throw MMPError.corrupt("polynomial_features: impossible term count \(n)") }
        terms = try (0..<n).map { _ in try reader.readInts() }
        guard terms.allSatisfy({ $0.allSatisfy { $0 >= 0 && $0 < columns.count } }) else {
            throw MMPError.corrupt("polynomial_features: a term refers to a column that is not saved")
        }
    }
}
