/// The rows of the tree being grown, grouped by leaf: each leaf owns a contiguous range of
/// `indices`, ascending within it. Splitting a leaf reorders its range so the rows that go left
/// come first, as LightGBM's data partition does.
final class RowPartition {
    let rowCount: Int
    let indices: UnsafeMutableBufferPointer<Int32>
    private let scratchLeft: UnsafeMutableBufferPointer<Int32>
    private let scratchRight: UnsafeMutableBufferPointer<Int32>
    /// Rows in the current tree's sample (the first `activeRows` of `indices` after `reset`).
    private(set) var activeRows = 0
    /// Whether the sample is every row, in order (then `indices[i] == i` for the root).
    private(set) var allRowsActive = true

    init(rows: Int) {
        rowCount = rows
        indices = .allocate(capacity: max(1, rows))
        scratchLeft = .allocate(capacity: max(1, rows))
        scratchRight = .allocate(capacity: max(1, rows))
    }

    deinit { indices.deallocate(); scratchLeft.deallocate(); scratchRight.deallocate() }

    /// Makes the next tree train on `rows` (ascending), or on every row when nil.
    func reset(rows: [Int]?) {
        if let rows {
            for (i, r) in rows.enumerated() { indices[i] = Int32(r) }
            activeRows = rows.count
            allRowsActive = rows.count == rowCount
        } else {
            for i in 0..<rowCount { indices[i] = Int32(i) }
            activeRows = rowCount
            allRowsActive = true
        }
    }

    /// Reorders `indices[start ..< start + count]` so the rows whose bin in `column` is
    /// `<= bin` (or missing, when `missingLeft`) come first, each side keeping ascending order;
    /// returns how many go left. Large ranges are split in parallel chunks.
    func split(start: Int, count: Int, column: UnsafePointer<UInt8>, bin: Int, missingBin: Int, missingLeft: Bool,
               pool: WorkerPool) -> Int {
        let threshold = UInt8(truncatingIfNeeded: bin)
        let missingCode = UInt8(truncatingIfNeeded: missingBin)
        let index = indices.baseAddress!, lefts = scratchLeft.baseAddress!, rights = scratchRight.baseAddress!
        let chunk = pool.width > 1 && count >= 65_536 ? pool.chunkSize(for: count, minimum: 16_384) : max(1, count)
        let chunks = (count + chunk - 1) / chunk
        var leftCounts = [Int](repeating: 0, count: chunks)
        leftCounts.withUnsafeMutableBufferPointer { leftCounts in
            let leftCounts = leftCounts.baseAddress!
            // Pass 1: each chunk splits its rows into the scratch buffers at its own offset.
            pool.run(tasks: chunks) { c, _ in
                let lower = start + c * chunk, upper = min(start + count, lower + chunk)
                var nl = lower, nr = lower
                for i in lower..<upper {
                    let r = index[i]
                    let code = column[Int(r)]
                    let goLeft = code == missingCode ? missingLeft : code <= threshold
                    // Branch-free: write to both sides, advance one. Which side a row takes is
                    // a coin flip to the branch predictor.
                    let step = Int(unsafeBitCast(goLeft, to: UInt8.self))
                    lefts[nl] = r
                    rights[nr] = r
                    nl += step
                    nr += 1 - step
                }
                leftCounts[c] = nl - lower
            }
        }
        var leftOffsets = [Int](repeating: 0, count: chunks), rightOffsets = [Int](repeating: 0, count: chunks)
        var totalLeft = 0
        for c in 0..<chunks { leftOffsets[c] = totalLeft; totalLeft += leftCounts[c] }
        var totalRight = 0
        for c in 0..<chunks {
            rightOffsets[c] = totalRight
            totalRight += min(chunk, count - c * chunk) - leftCounts[c]
        }
        // Pass 2: copy each chunk's two runs into place.
        pool.run(tasks: chunks) { c, _ in
            let lower = start + c * chunk
            let nl = leftCounts[c], nr = min(chunk, count - c * chunk) - nl
            (index + start + leftOffsets[c]).update(from: lefts + lower, count: nl)
            (index + start + totalLeft + rightOffsets[c]).update(from: rights + lower, count: nr)
        }
        return totalLeft
    }
}
