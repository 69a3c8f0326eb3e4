import CZstd
import MMPCore
import MMPLearn

/// Writes a `Table` as a Parquet file pyarrow and pandas read: numbers as DOUBLE (PLAIN),
/// timestamps as INT64 TIMESTAMP(MICROS, UTC), categorical columns as UTF-8 strings with a
/// dictionary page; every column OPTIONAL (missing values are nulls); ZSTD pages, data page v1.
public enum ParquetWriter {
    public static func data(_ table: Table, rowGroupSize: Int = 1_000_000) throws -> [UInt8] {
        var out: [UInt8] = Array("PAR1".utf8)
        var groups: [(rows: Int, chunks: [ChunkMeta])] = []
        var start = 0
        repeat {
            let rows = min(rowGroupSize, table.rowCount - start)
            var chunks: [ChunkMeta] = []
            for column in table.columns {
                chunks.append(try writeChunk(column, rows: start..<start + rows, to: &out))
            }
            groups.append((rows, chunks))
            start += rows
        } while start < table.rowCount

        var footer = ThriftCompactWriter()
        footer.structBody { w in
            w.i32(1, 1)  // version
            w.structList(2, [nil] + table.columns.map { Optional($0) }) { w, column in
                guard let column else {
                    w.string(4, "schema")
                    w.i32(5, Int32(table.columns.count))
                    return
                }
                schemaElement(column, &w)
            }
            w.i64(3, Int64(table.rowCount))
            w.structList(4, groups) { w, group in
                w.structList(1, group.chunks) { w, chunk in
                    w.i64(2, Int64(chunk.start))
                    w.structure(3) { w in chunk.write(&w) }
                }
                w.i64(2, Int64(group.chunks.reduce(0) { $0 + $1.uncompressed }))
                w.i64(3, Int64(group.rows))
            }
            w.string(6, "mmp")
        }
        out.append(contentsOf: footer.bytes)
        let length = UInt32(footer.bytes.count)
        out.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)])
        out.append(contentsOf: Array("PAR1".utf8))
        return out
    }

    struct ChunkMeta {
        var type: ParquetPhysicalType
        var name: String
        var encodings: [Int32]
        var values: Int
        var uncompressed: Int
        var compressed: Int
        var start: Int
        var dataPage: Int
        var dictionaryPage: Int?

        func write(_ w: inout ThriftCompactWriter) {
            w.i32(1, type.rawValue)
            w.i32List(2, encodings)
            w.stringList(3, [name])
            w.i32(4, 6)  // ZSTD
            w.i64(5, Int64(values))
            w.i64(6, Int64(uncompressed))
            w.i64(7, Int64(compressed))
            w.i64(9, Int64(dataPage))
            if let dictionaryPage { w.i64(11, Int64(dictionaryPage)) }
        }
    }

    private static func schemaElement(_ column: Column, _ w: inout ThriftCompactWriter) {
        switch column.values {
        case .numeric:
            w.i32(1, ParquetPhysicalType.double.rawValue)
            w.i32(3, 1)
            w.string(4, column.name)
        case .timestamp:
            w.i32(1, ParquetPhysicalType.int64.rawValue)
            w.i32(3, 1)
            w.string(4, column.name)
            w.i32(6, 10)  // TIMESTAMP_MICROS
            w.structure(10) { w in
                w.structure(8) { w in  // TimestampType
                    w.bool(1, true)
                    w.structure(2) { w in w.structure(2) { _ in } }  // unit: MICROS
                }
            }
        case .categorical:
            w.i32(1, ParquetPhysicalType.byteArray.rawValue)
            w.i32(3, 1)
            w.string(4, column.name)
            w.i32(6, 0)  // UTF8
            w.structure(10) { w in w.structure(1) { _ in } }  // STRING
        }
    }

    private static func writeChunk(_ column: Column, rows: Range<Int>, to out: inout [UInt8]) throws -> ChunkMeta {
        let start = out.count
        var definitions: [Bool] = []
        definitions.reserveCapacity(rows.count)
        var values: [UInt8] = []
        var dictionaryPage: Int?
        var uncompressed = 0
        let type: ParquetPhysicalType
        var encodings: [Int32] = [3]  // RLE levels
        var valueEncoding: Int32 = 0
        switch column.values {
        case .numeric(let v):
            type = .double
            values.reserveCapacity(rows.count * 8)
            for r in rows {
                definitions.append(!v[r].isNaN)
                if !v[r].isNaN { appendLE(v[r].bitPattern, to: &values) }
            }
            encodings.append(0)
        case .timestamp(let v):
            type = .int64
            for r in rows {
                definitions.append(!v[r].isNaN)
                if !v[r].isNaN { appendLE(UInt64(bitPattern: Int64((v[r] * 1_000_000).rounded())), to: &values) }
            }
            encodings.append(0)
        case .categorical(let codes, let levels):
            type = .byteArray
            var dictionary: [UInt8] = []
            for level in levels {
                appendLE(UInt32(level.utf8.count), to: &dictionary)
                dictionary.append(contentsOf: level.utf8)
            }
            dictionaryPage = out.count
            uncompressed += try writePage(kind: 2, body: dictionary, valueCount: levels.count, encoding: 0, to: &out)
            var indices: [UInt32] = []
            indices.reserveCapacity(rows.count)
            for r in rows {
                definitions.append(codes[r] >= 0)
                if codes[r] >= 0 { indices.append(UInt32(codes[r])) }
            }
            let width = max(1, bitWidth(for: levels.count - 1))
            values.append(UInt8(width))
            bitPack(indices, width: width, to: &values)
            valueEncoding = 8
            encodings.append(contentsOf: [0, 8])
        }
        var page: [UInt8] = []
        var levels: [UInt8] = []
        encodeLevels(definitions, to: &levels)
        appendLE(UInt32(levels.count), to: &page)
        page.append(contentsOf: levels)
        page.append(contentsOf: values)
        let dataPage = out.count
        uncompressed += try writePage(kind: 0, body: page, valueCount: rows.count, encoding: valueEncoding, to: &out)
        return ChunkMeta(type: type, name: column.name, encodings: encodings, values: rows.count, uncompressed: uncompressed,
                         compressed: out.count - start, start: dictionaryPage ?? dataPage, dataPage: dataPage, dictionaryPage: dictionaryPage)
    }

    /// A page header and the ZSTD-compressed body; returns the uncompressed bytes (header included).
    private static func writePage(kind: Int32, body: [UInt8], valueCount: Int, encoding: Int32, to out: inout [UInt8]) throws -> Int {
        let compressed = try zstd(body)
        var header = ThriftCompactWriter()
        header.structBody { w in
            w.i32(1, kind)
            w.i32(2, Int32(body.count))
            w.i32(3, Int32(compressed.count))
            if kind == 2 {
                w.structure(7) { w in
                    w.i32(1, Int32(valueCount))
                    w.i32(2, encoding)
                }
            } else {
                w.structure(5) { w in
                    w.i32(1, Int32(valueCount))
                    w.i32(2, encoding)
                    w.i32(3, 3)
                    w.i32(4, 3)
                }
            }
        }
        out.append(contentsOf: header.bytes)
        out.append(contentsOf: compressed)
        return header.bytes.count + body.count
    }

    private static func zstd(_ bytes: [UInt8]) throws -> [UInt8] {
        let bound = ZSTD_compressBound(bytes.count)
        return try [UInt8](unsafeUninitializedCapacity: max(bound, 1)) { buffer, initialized in
            let n = bytes.withUnsafeBytes { ZSTD_compress(buffer.baseAddress, bound, $0.baseAddress, $0.count, 3) }
            guard ZSTD_isError(n) == 0 else { throw MMPError.io("zstd compression failed: \(String(cString: ZSTD_getErrorName(n)))") }
            initialized = n
        }
    }

    /// Definition levels (0 missing, 1 present) as RLE runs of equal values.
    private static func encodeLevels(_ present: [Bool], to out: inout [UInt8]) {
        var i = 0
        while i < present.count {
            var j = i
            while j < present.count, present[j] == present[i] { j += 1 }
            var header = UInt64(j - i) << 1
            while header >= 0x80 {
                out.append(UInt8(header & 0x7F) | 0x80)
                header >>= 7
            }
            out.append(UInt8(header))
            out.append(present[i] ? 1 : 0)
            i = j
        }
    }

    /// Values as one bit-packed run (groups of 8, least significant bit first, zero-padded).
    private static func bitPack(_ values: [UInt32], width: Int, to out: inout [UInt8]) {
        guard !values.isEmpty else { return }
        let groups = (values.count + 7) / 8
        var header = UInt64(groups) << 1 | 1
        while header >= 0x80 {
            out.append(UInt8(header & 0x7F) | 0x80)
            header >>= 7
        }
        out.append(UInt8(header))
        var buffer: UInt64 = 0
        var bits = 0
        for k in 0..<groups * 8 {
            buffer |= UInt64(k < values.count ? values[k] : 0) << UInt64(bits)
            bits += width
            while bits >= 8 {
                out.append(UInt8(buffer & 0xFF))
                buffer >>= 8
                bits -= 8
            }
        }
        if bits > 0 { out.append(UInt8(buffer & 0xFF)) }
    }

    private static func appendLE<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }
}
