import MMPLearn

/// One column of the table a Parquet read is filling: allocated at its final size, each row
/// group's task writes its own rows; text codes are local to each row group's dictionary until
/// `column` maps them to one dictionary in first-seen order (the order a CSV read gives).
final class ParquetColumnStorage: @unchecked Sendable {
    // Tasks write disjoint row ranges of `numbers`/`codes` and their own entry of `dictionaries`;
    // `column` runs after every task has finished.
    let kind: ColumnKind
    let rows: Int
    private var numbers: UnsafeMutablePointer<Double>?
    private var codes: UnsafeMutablePointer<Int32>?
    private var dictionaries: [ByteStringDictionary]
    private var ranges: [Range<Int>]

    init(kind: ColumnKind, rows: Int, rowGroups: Int) {
        self.kind = kind
        self.rows = rows
        numbers = kind == .categorical ? nil : .allocate(capacity: max(rows, 1))
        codes = kind == .categorical ? .allocate(capacity: max(rows, 1)) : nil
        dictionaries = Array(repeating: ByteStringDictionary(), count: rowGroups)
        ranges = Array(repeating: 0..<0, count: rowGroups)
    }

    deinit {
        numbers?.deallocate()
        codes?.deallocate()
    }

    func decode(_ decoder: ParquetChunkDecoder, _ chunk: UnsafeBufferPointer<UInt8>, rowGroup: Int, start: Int, rows: Int) throws {
        var dictionary = ByteStringDictionary()
        try decoder.decode(chunk, rows: rows, numbers: numbers.map { $0 + start }, codes: codes.map { $0 + start }, dictionary: &dictionary)
        dictionaries[rowGroup] = dictionary
        ranges[rowGroup] = start..<start + rows
    }

    /// The finished column; the storage's buffer is freed at once (one column's copy at a time).
    func column(name: String) -> Column {
        if let numbers {
            let values = Array(UnsafeBufferPointer(start: numbers, count: rows))
            numbers.deallocate()
            self.numbers = nil
            return kind == .timestamp ? .timestamp(name, values) : .numeric(name, values)
        }
        defer {
            codes?.deallocate()
            codes = nil
        }
        var merged = ByteStringDictionary()
        var out = [Int32](repeating: -1, count: rows)
        for (g, range) in ranges.enumerated() {
            let local = dictionaries[g]
            var map = [Int32](repeating: -2, count: local.count)
            for row in range {
                let code = codes![row]
                guard code >= 0 else { continue }
                if map[Int(code)] == -2 {
                    map[Int(code)] = local.withLevel(Int(code)) { merged.code($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
                }
                out[row] = map[Int(code)]
            }
        }
        return Column(name: name, values: .categorical(codes: out, levels: merged.levels))
    }
}
