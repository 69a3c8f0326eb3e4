#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPLearn

/// One benchmark dataset as written by Benchmarks/learn/make_data.py: raw little-endian
/// float64 files (row-major features), read straight into memory so no parsing is timed.
public struct LearnBenchData: Sendable {
    public var name: String
    public var task: MLTask
    public var train: Matrix
    public var trainTarget: [Double]
    public var test: Matrix
    public var testTarget: [Double]
    /// Columns holding category codes (meta.json "categorical"; NaN is missing).
    public var categorical: [Int] = []

    public static func load(folder: String, name: String) throws -> LearnBenchData {
        let base = folder + "/" + name
        let metaText = String(decoding: try readBytes(base + "/meta.json"), as: UTF8.self)
        let meta = try JSON.parse(metaText)
        guard let columns = meta["columns"]?.intValue, let trainRows = meta["train_rows"]?.intValue,
              let testRows = meta["test_rows"]?.intValue, let taskName = meta["task"]?.stringValue,
              let task = MLTask(rawValue: taskName) else {
            throw MMPError.invalidData("\(base)/meta.json lacks columns, train_rows, test_rows or task")
        }
        func doubles(_ file: String, _ count: Int) throws -> [Double] {
            let values = try readDoubles(base + "/" + file)
            guard values.count == count else {
                throw MMPError.invalidData("\(base)/\(file) holds \(values.count) values; meta.json implies \(count)")
            }
            return values
        }
        var data = LearnBenchData(
            name: name, task: task,
            train: Matrix(rows: trainRows, columns: columns, values: try doubles("X_train.f64", trainRows * columns)),
            trainTarget: try doubles("y_train.f64", trainRows),
            test: Matrix(rows: testRows, columns: columns, values: try doubles("X_test.f64", testRows * columns)),
            testTarget: try doubles("y_test.f64", testRows))
        data.categorical = (meta["categorical"]?.arrayValue ?? []).compactMap(\.intValue)
        return data
    }

    public static func readBytes(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw MMPError.notFound("cannot open \(path); run Benchmarks/learn/make_data.py first") }
        defer { close(fd) }
        // Read to the end rather than by size: /proc files report a size of 0.
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw MMPError.io("cannot read \(path)") }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// Reads a file of little-endian doubles directly into the array's storage (no second copy,
    /// so the data-loaded baseline is the data itself).
    static func readDoubles(_ path: String) throws -> [Double] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw MMPError.notFound("cannot open \(path); run Benchmarks/learn/make_data.py first") }
        defer { close(fd) }
        let size = Int(lseek(fd, 0, SEEK_END))
        lseek(fd, 0, SEEK_SET)
        var values = [Double](repeating: 0, count: size / 8)
        try values.withUnsafeMutableBytes { try readAll(fd, $0, path) }
        return values
    }

    private static func readAll(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, _ path: String) throws {
        var done = 0
        while done < buffer.count {
            let n = read(fd, buffer.baseAddress! + done, buffer.count - done)
            if n <= 0 { throw MMPError.io("short read of \(path)") }
            done += n
        }
    }
}

/// This process's memory as the kernel reports it (/proc/self/status), in MB.
public enum ProcessMemory {
    /// Peak resident set size so far (VmHWM).
    public static var peakMB: Double { field("VmHWM:") }
    /// Current resident set size (VmRSS).
    public static var currentMB: Double { field("VmRSS:") }

    private static func field(_ name: String) -> Double {
        guard let bytes = try? LearnBenchData.readBytes("/proc/self/status") else { return .nan }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return .nan }
        let kb = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Double($0) } ?? .nan
        return kb / 1024
    }
}
