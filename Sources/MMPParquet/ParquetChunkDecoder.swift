import MMPCore
import MMPLearn

/// Decodes one column chunk (its dictionary page and data pages, v1 and v2) into a slice of the
/// table's column: doubles for numbers and timestamps, codes into the chunk's own dictionary for
/// text. Missing values (definition level below the maximum) become NaN or code -1.
struct ParquetChunkDecoder {
    let leaf: ParquetLeaf
    let codec: Int32
    /// "data/x.parquet: column 'amount', row group 3", for errors.
    let context: String

    static func encodingName(_ e: Int32) -> String {
        switch e {
        case 0: "PLAIN"
        case 2: "PLAIN_DICTIONARY"
        case 3: "RLE"
        case 4: "BIT_PACKED"
        case 5: "DELTA_BINARY_PACKED"
        case 6: "DELTA_LENGTH_BYTE_ARRAY"
        case 7: "DELTA_BYTE_ARRAY"
        case 8: "RLE_DICTIONARY"
        case 9: "BYTE_STREAM_SPLIT"
        default: "encoding \(e)"
        }
    }

    private func corrupt(_ what: String) -> MMPError { MMPError.invalidData("\(context): \(what)") }

    private func unsupported(_ encoding: Int32) -> MMPError {
        MMPError.invalidData("\(context): \(ParquetChunkDecoder.encodingName(encoding)) encoding of \(leaf.physical.name) values is not supported; rewrite the file with PLAIN or dictionary encoding (pyarrow's defaults)")
    }

    func decode(_ chunk: UnsafeBufferPointer<UInt8>, rows: Int, numbers: UnsafeMutablePointer<Double>?, codes: UnsafeMutablePointer<Int32>?,
                dictionary: inout ByteStringDictionary) throws {
        var position = 0
        var done = 0
        var dictionaryNumbers: [Double]?
        var dictionaryCodes: [Int32]?
        var page: [UInt8] = []
        let converter = ParquetNumberConverter(leaf: leaf)
        while done < rows {
            guard position < chunk.count else { throw corrupt("the chunk ends after \(done) of its \(rows) rows") }
            var reader = ThriftCompactReader(chunk, at: position, context: context)
            let header = try ParquetPageHeader(thrift: &reader)
            let bodyStart = reader.position
            guard header.compressedSize >= 0, bodyStart + header.compressedSize <= chunk.count else { throw corrupt("a page runs past the end of its chunk") }
            let body = UnsafeBufferPointer(rebasing: chunk[bodyStart..<bodyStart + header.compressedSize])
            position = bodyStart + header.compressedSize
            switch ParquetPageHeader.Kind(rawValue: header.kind) {
            case .dictionary:
                let page = try ParquetCodec.decompress(codec, body, size: header.uncompressedSize, context: context)
                guard header.encoding == 0 || header.encoding == 2 else { throw unsupported(header.encoding) }
                try page.withUnsafeBufferPointer { p in
                    if leaf.kind == .categorical {
                        dictionaryCodes = try plainStrings(p, count: header.valueCount, dictionary: &dictionary)
                    } else {
                        var values = [Double](repeating: 0, count: header.valueCount)
                        _ = try values.withUnsafeMutableBufferPointer { try converter.plain(p, count: header.valueCount, into: $0.baseAddress!, context: context) }
                        dictionaryNumbers = values
                    }
                }
            case .data, .dataV2:
                let n = header.valueCount
                guard n >= 0, done + n <= rows else { throw corrupt("pages hold more values than the row group's \(rows) rows") }
                var definitions: [UInt32] = []
                let valuesStart: Int
                if header.kind == ParquetPageHeader.Kind.dataV2.rawValue {
                    // v2: levels first, never compressed; only the values are.
                    let levels = header.repetitionLevelsLength + header.definitionLevelsLength
                    guard levels >= 0, levels <= body.count else { throw corrupt("page levels longer than the page") }
                    if leaf.maxDefinitionLevel > 0 {
                        definitions = try levelsV2(UnsafeBufferPointer(rebasing: body[header.repetitionLevelsLength..<levels]), count: n)
                    }
                    let values = UnsafeBufferPointer(rebasing: body[levels...])
                    if header.isCompressed {
                        try ParquetCodec.decompress(codec, values, size: header.uncompressedSize - levels, into: &page, context: context)
                    } else {
                        try ParquetCodec.decompress(0, values, size: values.count, into: &page, context: context)
                    }
                    valuesStart = 0
                } else {
                    try ParquetCodec.decompress(codec, body, size: header.uncompressedSize, into: &page, context: context)
                    var offset = 0
                    if leaf.maxDefinitionLevel > 0 {
                        guard header.definitionEncoding == 3 else { throw unsupported(header.definitionEncoding) }
                        (definitions, offset) = try page.withUnsafeBufferPointer { try levelsV1($0, count: n) }
                    }
                    valuesStart = offset
                }
                let present = definitions.isEmpty ? n : definitions.reduce(0) { $0 + ($1 == UInt32(leaf.maxDefinitionLevel) ? 1 : 0) }
                try page.withUnsafeBufferPointer { whole in
                    let values = UnsafeBufferPointer(rebasing: whole[valuesStart...])
                    if let numbers, present == n {
                        // No missing values in the page: straight into the column.
                        try decodeNumbers(values, encoding: header.encoding, count: n, into: numbers + done, converter: converter, dictionary: dictionaryNumbers)
                    } else if let numbers {
                        var dense = [Double](repeating: 0, count: present)
                        try dense.withUnsafeMutableBufferPointer { out in
                            try decodeNumbers(values, encoding: header.encoding, count: present, into: out.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!,
                                              converter: converter, dictionary: dictionaryNumbers)
                        }
                        scatter(dense, definitions, into: numbers + done, missing: .nan)
                    } else if let codes {
                        let dense = try decodeStrings(values, encoding: header.encoding, count: present, dictionary: &dictionary, dictionaryCodes: dictionaryCodes)
                        scatter(dense, definitions, into: codes + done, missing: -1)
                    }
                }
                done += n
            case .index, nil:
                continue
            }
        }
    }

    /// Dense values out to their rows: rows whose definition level is below the maximum are missing.
    private func scatter<T>(_ dense: [T], _ definitions: [UInt32], into out: UnsafeMutablePointer<T>, missing: T) {
        if definitions.isEmpty {
            dense.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: $0.count) }
            return
        }
        let full = UInt32(leaf.maxDefinitionLevel)
        var next = 0
        for (row, level) in definitions.enumerated() {
            if level == full {
                out[row] = dense[next]
                next += 1
            } else {
                out[row] = missing
            }
        }
    }

    /// v1 definition levels: a 4-byte length, then the RLE/bit-packed run.
    private func levelsV1(_ page: UnsafeBufferPointer<UInt8>, count: Int) throws -> ([UInt32], Int) {
        guard page.count >= 4 else { throw corrupt("page too short for its definition levels") }
        let length = Int(UInt32(page[0]) | UInt32(page[1]) << 8 | UInt32(page[2]) << 16 | UInt32(page[3]) << 24)
        guard 4 + length <= page.count else { throw corrupt("definition levels run past the page") }
        return (try levelsV2(UnsafeBufferPointer(rebasing: page[4..<4 + length]), count: count), 4 + length)
    }

    private func levelsV2(_ data: UnsafeBufferPointer<UInt8>, count: Int) throws -> [UInt32] {
        var levels = [UInt32](repeating: 0, count: count)
        var decoder = ParquetRLEDecoder(data, bitWidth: bitWidth(for: leaf.maxDefinitionLevel), context: context)
        try levels.withUnsafeMutableBufferPointer { try decoder.decode(count, into: $0.baseAddress ?? UnsafeMutablePointer(bitPattern: 4)!) }
        return levels
    }

    /// Dictionary indices: a bit-width byte, then the RLE/bit-packed run.
    private func indices(_ data: UnsafeBufferPointer<UInt8>, count: Int, dictionarySize: Int) throws -> [UInt32] {
        guard count > 0 else { return [] }
        guard data.count >= 1 else { throw corrupt("dictionary indices missing") }
        var out = [UInt32](repeating: 0, count: count)
        var decoder = ParquetRLEDecoder(UnsafeBufferPointer(rebasing: data[1...]), bitWidth: Int(data[0]), context: context)
        try out.withUnsafeMutableBufferPointer { try decoder.decode(count, into: $0.baseAddress!) }
        if let bad = out.first(where: { Int($0) >= dictionarySize }) {
            throw corrupt("dictionary index \(bad) past the dictionary's \(dictionarySize) values")
        }
        return out
    }

    private func decodeNumbers(_ data: UnsafeBufferPointer<UInt8>, encoding: Int32, count: Int, into out: UnsafeMutablePointer<Double>,
                               converter: ParquetNumberConverter, dictionary: [Double]?) throws {
        switch encoding {
        case 0:
            _ = try converter.plain(data, count: count, into: out, context: context)
        case 2, 8:
            guard let dictionary else { throw corrupt("dictionary-encoded page without a dictionary page") }
            let idx = try indices(data, count: count, dictionarySize: dictionary.count)
            for k in 0..<count { out[k] = dictionary[Int(idx[k])] }
        case 3 where leaf.physical == .boolean:
            guard data.count >= 4 else { throw corrupt("RLE booleans without their length") }
            var bits = [UInt32](repeating: 0, count: count)
            var decoder = ParquetRLEDecoder(UnsafeBufferPointer(rebasing: data[4...]), bitWidth: 1, context: context)
            try bits.withUnsafeMutableBufferPointer { try decoder.decode(count, into: $0.baseAddress ?? UnsafeMutablePointer(bitPattern: 4)!) }
            for k in 0..<count { out[k] = Double(bits[k]) }
        case 5 where leaf.physical == .int32 || leaf.physical == .int64:
            var decoder = ParquetDeltaDecoder(data, context: context)
            let values = try decoder.decode()
            guard values.count >= count else { throw corrupt("\(values.count) delta values for \(count) rows") }
            for k in 0..<count {
                out[k] = leaf.physical == .int32 ? converter.int32(Int32(truncatingIfNeeded: values[k])) : converter.int64(values[k])
            }
        case 9:
            try converter.byteStreamSplit(data, count: count, into: out, context: context)
        default:
            throw unsupported(encoding)
        }
    }

    private func decodeStrings(_ data: UnsafeBufferPointer<UInt8>, encoding: Int32, count: Int, dictionary: inout ByteStringDictionary,
                               dictionaryCodes: [Int32]?) throws -> [Int32] {
        switch encoding {
        case 0:
            return try plainStrings(data, count: count, dictionary: &dictionary)
        case 2, 8:
            guard let dictionaryCodes else { throw corrupt("dictionary-encoded page without a dictionary page") }
            return try indices(data, count: count, dictionarySize: dictionaryCodes.count).map { dictionaryCodes[Int($0)] }
        case 6:
            var decoder = ParquetDeltaDecoder(data, context: context)
            let values = try decoder.decodeLengthByteArrays()
            guard values.count >= count else { throw corrupt("\(values.count) strings for \(count) rows") }
            return values.prefix(count).map { v in v.withUnsafeBufferPointer { dictionary.code($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) } }
        case 7:
            var decoder = ParquetDeltaDecoder(data, context: context)
            let values = try decoder.decodeByteArrays()
            guard values.count >= count else { throw corrupt("\(values.count) strings for \(count) rows") }
            return values.prefix(count).map { dictionary.code($0) }
        default:
            throw unsupported(encoding)
        }
    }

    /// PLAIN byte arrays: a 4-byte little-endian length before each.
    private func plainStrings(_ data: UnsafeBufferPointer<UInt8>, count: Int, dictionary: inout ByteStringDictionary) throws -> [Int32] {
        var out = [Int32]()
        out.reserveCapacity(count)
        var p = 0
        guard let base = data.baseAddress ?? (count == 0 ? UnsafePointer(bitPattern: 1) : nil) else { throw corrupt("no string data") }
        for _ in 0..<count {
            guard p + 4 <= data.count else { throw corrupt("string length past the page") }
            let length = Int(UInt32(data[p]) | UInt32(data[p + 1]) << 8 | UInt32(data[p + 2]) << 16 | UInt32(data[p + 3]) << 24)
            p += 4
            guard p + length <= data.count else { throw corrupt("string past the page") }
            out.append(dictionary.code(base + p, length))
            p += length
        }
        return out
    }
}
