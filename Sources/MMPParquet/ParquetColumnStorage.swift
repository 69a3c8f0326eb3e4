import MMPLearn

/// One column of the table a Parquet read is filling: the finished column's own array, allocated
/// once at its final size; each row group's task writes its rows through a pointer held while
/// `withBuffers` runs, so the values are never copied after decoding. Text codes are local to
/// each row group's dictionary until `column` maps them to one dictionary in first-seen order
/// (the order a CSV read gives).
final class ParquetColumnStorage: @unchecked Sendable {
    // Tasks write disjoint row ranges through `numberPointer`/`codePointer` and their own entry
    // of `dictionaries`/`ranges`; `column` runs after every task has finished.
    let kind: ColumnKind
    let rows: Int
    private var numbers: [Double] = []
    private var codes: [Int32] = []
    private var numberPointer: UnsafeMutablePointer<Double>?
    private var codePointer: UnsafeMutablePointer<Int32>?
    private var dictionaries: [ByteStringDictionary]
    private var ranges: [Range<Int>]

    init(kind: ColumnKind, rows: Int, rowGroups: Int) {
        self.kind = kind
        self.rows = rows
        // Uninitialized: every row is written by its row group's task (a value or missing).
        if kind == .categorical {
            codes = [Int32](unsafeUninitializedCapacity: rows) { _, count in count = rows }
        } else {
            numbers = [Double](unsafeUninitializedCapacity: rows) { _, count in count = rows }
        }
        dictionaries = Array(repeating: ByteStringDictionary(), count: rowGroups)
        ranges = Array(repeating: 0..<0, count: rowGroups)
    }

    /// Runs `body` while every storage's array is open for writing through a pointer.
    static func withBuffers(_ storages: [ParquetColumnStorage], from index: Int = 0, _ body: () throws -> Void) rethrows {
        guard index < storages.count else { return try body() }
        let s = storages[index]
        if s.kind == .categorical {
            try s.codes.withUnsafeMutableBufferPointer { buffer in
                s.codePointer = buffer.baseAddress
                defer { s.codePointer = nil }
                try withBuffers(storages, from: index + 1, body)
            }
        } else {
            try s.numbers.withUnsafeMutableBufferPointer { buffer in
                s.numberPointer = buffer.baseAddress
                defer { s.numberPointer = nil }
                try withBuffers(storages, from: index + 1, body)
            }
        }
    }

    func decode(_ decoder: ParquetChunkDecoder, _ chunk: UnsafeBufferPointer<UInt8>, rowGroup: Int, start: Int, rows: Int) throws {
        var dictionary = ByteStringDictionary()
        try decoder.decode(chunk, rows: rows, numbers: numberPointer.map { $0 + start }, codes: codePointer.map { $0 + start }, dictionary: &dictionary)
        dictionaries[rowGroup] = dictionary
        ranges[rowGroup] = start..<start + rows
    }

    /// The finished column; the storage gives its array away.
    func column(name: String) -> Column {
        if kind != .categorical {
            defer { numbers = [] }
            return kind == .timestamp ? .timestamp(name, numbers) : .numeric(name, numbers)
        }
        var merged = ByteStringDictionary()
        codes.withUnsafeMutableBufferPointer { codes in
            for (g, range) in ranges.enumerated() {
                let local = dictionaries[g]
                var map = [Int32](repeating: -2, count: local.count)
                for row in range {
                    let code = codes[row]
                    guard code >= 0 else { continue }
                    if map[Int(code)] == -2 {
                        map[Int(code)] = local.withLevel(Int(code)) { merged.code($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
                    }
                    codes[row] = map[Int(code)]
                }
            }
        }
        defer { codes = [] }
        return Column(name: name, values: .categorical(codes: codes, levels: merged.levels))
    }
}
