import MMPCore
import Testing
@testable import MMPLearn

/// Quantile binning, the radix sort behind it, and the binned matrix trees train on.
@Suite struct TreeBinningTests {
    @Test func fewDistinctValuesGetOneBinEachWithMidpointThresholds() {
        let m = BinMapper(sample: [3, 1, 2, 2, 1, .nan, 3, 10], maxBins: 255)
        #expect(m.binCount == 4)
        #expect(m.threshold(afterBin: 0) == 1.5)
        #expect(m.threshold(afterBin: 1) == 2.5)
        #expect(m.threshold(afterBin: 2) == 6.5)
        #expect(m.threshold(afterBin: 3) == .infinity)
        #expect(m.missingBin == 4)
    }

    @Test func manyValuesAreCutIntoBinsOfAboutEqualCount() throws {
        var g = SeededGenerator(seed: 3)
        let values = (0..<50_000).map { _ in g.unit() * 100 }
        let m = BinMapper(sample: values, maxBins: 64)
        #expect(m.binCount <= 64 && m.binCount >= 60)
        let x = Matrix(rows: values.count, columns: 1, values: values)
        let binned = BinnedMatrix(x, mappers: [m], layout: .columnMajor, pool: WorkerPool(threads: 2))
        var counts = [Int](repeating: 0, count: m.slots)
        for r in 0..<values.count { counts[Int(binned.code(r, 0))] += 1 }
        let real = counts[0..<m.binCount]
        #expect(real.max()! < 2 * real.min()!, "bin counts \(Array(real))")
        // Every value lies in its bin: above the previous bound, at or below its own.
        for r in stride(from: 0, to: values.count, by: 97) {
            let b = Int(binned.code(r, 0))
            #expect(values[r] <= m.threshold(afterBin: b))
            if b > 0 { #expect(values[r] > m.threshold(afterBin: b - 1)) }
        }
    }

    @Test func aValueThatRepeatsOftenKeepsABinOfItsOwn() {
        // Half the values are 0: a quantile cut must not split them across bins.
        var g = SeededGenerator(seed: 4)
        let values = (0..<10_000).map { i in i % 2 == 0 ? 0 : g.unit() + 1 }
        let m = BinMapper(sample: values, maxBins: 16)
        let x = Matrix(rows: values.count, columns: 1, values: values)
        let binned = BinnedMatrix(x, mappers: [m], layout: .rowMajor, pool: WorkerPool(threads: 1))
        let zeroBins = Set((0..<values.count).filter { values[$0] == 0 }.map { binned.code($0, 0) })
        #expect(zeroBins.count == 1)
    }

    @Test func missingValuesAreCountedAndBinnedApart() {
        let values: [Double] = [1, .nan, 2, .nan, 3, 4]
        let m = BinMapper(sample: values, maxBins: 255)
        let x = Matrix(rows: 3, columns: 2, values: values)
        let rowMajor = BinnedMatrix(x, mappers: [m, m], layout: .rowMajor, pool: WorkerPool(threads: 2))
        let columnMajor = BinnedMatrix(x, mappers: [m, m], layout: .columnMajor, pool: WorkerPool(threads: 2))
        #expect(rowMajor.missingCounts == [0, 2])
        #expect(rowMajor.code(0, 1) == UInt8(m.missingBin))
        #expect(columnMajor.codes[1 * 3 + 0] == UInt8(m.missingBin))
        for r in 0..<3 { for f in 0..<2 { #expect(rowMajor.code(r, f) == columnMajor.code(r, f)) } }
    }

    @Test func radixSortMatchesTheStandardSort() {
        var g = SeededGenerator(seed: 9)
        var values = (0..<5000).map { i -> Double in
            switch i % 7 {
            case 0: return -g.unit() * 1e6
            case 1: return 0.0
            case 2: return -0.0
            case 3: return .infinity
            case 4: return -.infinity
            default: return (g.unit() - 0.5) * 1e-300
            }
        }
        var expected = values
        expected.sort()
        RadixSort.sort(&values)
        #expect(values.map(\.bitPattern).map { $0 == (-0.0).bitPattern ? (0.0).bitPattern : $0 }
                == expected.map(\.bitPattern).map { $0 == (-0.0).bitPattern ? (0.0).bitPattern : $0 })
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 })
    }
}
