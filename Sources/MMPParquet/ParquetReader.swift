#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore
import MMPLearn

/// Reads a Parquet file into a `Table`, in pure Swift.
///
/// The footer (Thrift compact) gives the schema and where each column chunk lies; only the
/// requested columns' chunks are read, and row groups × columns are decoded in parallel, each
/// straight into its rows of the finished column (the total row count is in the footer, so the
/// columns are allocated once at their final size). Flat columns of BOOLEAN, INT32, INT64,
/// INT96, FLOAT, DOUBLE and BYTE_ARRAY (strings) are read, with DATE and TIMESTAMP as timestamps;
/// encodings PLAIN, dictionary, RLE, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
/// DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT; codecs UNCOMPRESSED, SNAPPY, GZIP and ZSTD. Anything
/// else is an error naming the file, the column and what is unsupported.
public struct ParquetReader: Sendable {
    public let path: String
    let metadata: ParquetFileMetadata
    let leaves: [ParquetLeaf]

    public init(path: String) throws {
        self.path = path
        let file = try ParquetFile(path: path)
        metadata = try file.footer()
        leaves = try ParquetSchema.leaves(metadata.schema, file: path)
        for group in metadata.rowGroups where group.columns.count != leaves.count {
            throw MMPError.invalidData("\(path): a row group has \(group.columns.count) column chunks for \(leaves.count) schema columns")
        }
    }

    public var rowCount: Int { metadata.rowGroups.reduce(0) { $0 + $1.rowCount } }
    public var rowGroupCount: Int { metadata.rowGroups.count }
    public var columnNames: [String] { leaves.map(\.name) }

    /// The columns named (all when nil), in the file's order.
    public func read(columns: [String]? = nil, threads: Int = CPUInfo.availableCores) throws -> Table {
        let selected = try select(columns)
        let rowGroups = metadata.rowGroups
        var starts: [Int] = []
        var total = 0
        for group in rowGroups { starts.append(total); total += group.rowCount }
        for leaf in selected {
            for group in rowGroups where !ParquetCodec.isSupported(group.columns[leaf.index].codec) {
                let codec = ParquetCodec.name(group.columns[leaf.index].codec)
                throw MMPError.invalidData("\(path): column '\(leaf.name)' is compressed with \(codec), which mmp does not read (it reads UNCOMPRESSED, SNAPPY, GZIP and ZSTD); rewrite the file, e.g. pyarrow.parquet.write_table(t, path, compression='zstd')")
            }
        }

        // Final storage, written in place by the tasks (each task owns its rows of its column).
        let storage = selected.map { ParquetColumnStorage(kind: $0.kind, rows: total, rowGroups: rowGroups.count) }
        let file = try ParquetFile(path: path)
        let tasks = rowGroups.count * selected.count
        let errors = ParquetTaskErrors(count: tasks)
        let work = { (task: Int) in
            let g = task / selected.count, c = task % selected.count
            let leaf = selected[c], chunk = rowGroups[g].columns[leaf.index]
            let context = "\(path): column '\(leaf.name)', row group \(g)"
            do {
                let bytes = try file.read(offset: chunk.start, count: chunk.compressedSize)
                let decoder = ParquetChunkDecoder(leaf: leaf, codec: chunk.codec, context: context)
                try bytes.withUnsafeBufferPointer { buffer in
                    try storage[c].decode(decoder, buffer, rowGroup: g, start: starts[g], rows: rowGroups[g].rowCount)
                }
            } catch {
                errors.record(task, error)
            }
        }
        ParquetColumnStorage.withBuffers(storage) {
            if threads > 1, tasks > 1 {
                let pool = WorkerPool(threads: min(threads, tasks))
                pool.run(tasks: tasks) { task, _ in work(task) }
            } else {
                for task in 0..<tasks { work(task) }
            }
        }
        if let error = errors.first { throw error }
        return try Table(columns: zip(selected, storage).map { leaf, s in s.column(name: leaf.name) })
    }

    private func select(_ names: [String]?) throws -> [ParquetLeaf] {
        guard let names else {
            if let bad = leaves.first(where: { $0.unsupported != nil }) { throw MMPError.invalidData("\(path): \(bad.unsupported!)") }
            return leaves
        }
        var chosen: [ParquetLeaf] = []
        for name in names {
            guard let leaf = leaves.first(where: { $0.name == name }) else {
                throw MMPError(.missingColumn, "\(path) has no column '\(name)'\(Suggestion.hint(for: name, in: columnNames)) (columns: \(columnNames.joined(separator: ", ")))")
            }
            if let why = leaf.unsupported { throw MMPError.invalidData("\(path): \(why)") }
            chosen.append(leaf)
        }
        // The file's order, each once.
        let wanted = Set(chosen.map(\.index))
        return leaves.filter { wanted.contains($0.index) }
    }
}

/// The first error of the parallel tasks, by task order (row group, then column).
final class ParquetTaskErrors: @unchecked Sendable {
    // `errors` is written under `lock` by the tasks and read after `run` returns.
    private var errors: [Error?]
    private var lock = pthread_mutex_t()

    init(count: Int) {
        errors = Array(repeating: nil, count: count)
        pthread_mutex_init(&lock, nil)
    }

    deinit { pthread_mutex_destroy(&lock) }

    func record(_ task: Int, _ error: Error) {
        pthread_mutex_lock(&lock)
        errors[task] = error
        pthread_mutex_unlock(&lock)
    }

    var first: Error? { errors.lazy.compactMap { $0 }.first }
}

/// An open Parquet file: positioned reads (pread), so tasks on several threads share it.
final class ParquetFile: @unchecked Sendable {
    // The descriptor is only used with pread, which has no shared file position.
    let path: String
    private let descriptor: Int32
    let size: Int

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw MMPError.io("cannot read \(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            close(descriptor)
            throw MMPError.io("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    func read(offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset + count <= size else {
            throw MMPError.invalidData("\(path): a column chunk lies outside the file (bytes \(offset)..<\(offset + count) of \(size)); the file is truncated or corrupt")
        }
        return try [UInt8](unsafeUninitializedCapacity: max(count, 1)) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw MMPError.io("cannot read \(path): \(n < 0 ? String(cString: strerror(errno)) : "unexpected end of file")") }
                done += n
            }
            initialized = count
        }
    }

    /// The footer: `... metadata | metadata length (4 bytes LE) | "PAR1"`.
    func footer() throws -> ParquetFileMetadata {
        guard size >= 12 else { throw MMPError.invalidData("\(path): not a Parquet file (too short)") }
        let tail = try read(offset: size - 8, count: 8)
        guard tail[4...] == [0x50, 0x41, 0x52, 0x31] else {
            if tail[4...] == [0x50, 0x41, 0x52, 0x45] {
                throw MMPError.invalidData("\(path): the Parquet file is encrypted (PARE); mmp reads unencrypted files only")
            }
            throw MMPError.invalidData("\(path): not a Parquet file (no PAR1 at its end)")
        }
        let length = Int(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
        guard length > 0, length <= size - 12 else { throw MMPError.invalidData("\(path): the Parquet footer length \(length) does not fit the file") }
        let bytes = try read(offset: size - 8 - length, count: length)
        return try bytes.withUnsafeBufferPointer { buffer in
            var reader = ThriftCompactReader(buffer, context: "\(path) (footer)")
            return try ParquetFileMetadata(thrift: &reader)
        }
    }
}
