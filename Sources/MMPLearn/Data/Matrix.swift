/// A dense row-major matrix of doubles: the features models train on (rows = samples).
/// Missing values stay NaN; models that cannot take them are preceded by an imputer.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var values: [Double]

    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "matrix \(rows)x\(columns) needs \(rows * columns) values, got \(values.count)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, values: [Double](repeating: value, count: rows * columns))
    }

    /// From column arrays (each of length `rows`).
    public init(columnArrays: [[Double]]) {
        let rows = columnArrays.first?.count ?? 0
        var values = [Double](repeating: 0, count: rows * columnArrays.count)
        for (j, column) in columnArrays.enumerated() {
            for i in 0..<rows { values[i * columnArrays.count + j] = column[i] }
        }
        self.init(rows: rows, columns: columnArrays.count, values: values)
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    public func row(_ i: Int) -> ArraySlice<Double> { values[(i * columns)..<((i + 1) * columns)] }

    public func column(_ j: Int) -> [Double] { (0..<rows).map { values[$0 * columns + j] } }

    public func selecting(rows indices: [Int]) -> Matrix {
        var out = [Double]()
        out.reserveCapacity(indices.count * columns)
        for i in indices { out.append(contentsOf: row(i)) }
        return Matrix(rows: indices.count, columns: columns, values: out)
    }

    /// Column-major copy (features contiguous), which tree learners bin from.
    public func transposedValues() -> [Double] {
        var out = [Double](repeating: 0, count: values.count)
        for i in 0..<rows { for j in 0..<columns { out[j * rows + i] = values[i * columns + j] } }
        return out
    }
}
