import MMPCore

/// Decoding the footer and page headers from Thrift compact (field ids from parquet.thrift).
extension ParquetFileMetadata {
    init(thrift r: inout ThriftCompactReader) throws {
        var schema: [ParquetSchemaElement] = []
        var rows = 0
        var groups: [ParquetRowGroup] = []
        var createdBy: String?
        try r.structure { r, f in
            switch (f.id, f.type) {
            case (2, .list): schema = try r.list { try ParquetSchemaElement(thrift: &$0) }
            case (3, .i64): rows = Int(try r.i64())
            case (4, .list): groups = try r.list { try ParquetRowGroup(thrift: &$0) }
            case (6, .binary): createdBy = try r.string()
            default: try r.skip(f.type)
            }
        }
        self.init(schema: schema, rowCount: rows, rowGroups: groups, createdBy: createdBy)
    }
}

extension ParquetSchemaElement {
    init(thrift r: inout ThriftCompactReader) throws {
        self.init()
        var element = self
        try r.structure { r, f in
            switch (f.id, f.type) {
            case (1, .i32): element.type = ParquetPhysicalType(rawValue: try r.i32())
            case (2, .i32): element.typeLength = Int(try r.i32())
            case (3, .i32): element.repetition = try r.i32()
            case (4, .binary): element.name = try r.string()
            case (5, .i32): element.childCount = Int(try r.i32())
            case (6, .i32): element.convertedType = try r.i32()
            case (7, .i32): element.scale = Int(try r.i32())
            case (10, .structure): element.logical = try ParquetSchemaElement.logicalType(&r)
            default: try r.skip(f.type)
            }
        }
        if element.logical == .none, let converted = element.convertedType {
            element.logical = ParquetSchemaElement.fromConverted(converted, scale: element.scale)
        }
        self = element
    }

    /// `LogicalType` is a union: one field set, each an (often empty) struct.
    static func logicalType(_ r: inout ThriftCompactReader) throws -> ParquetLogicalType {
        var result = ParquetLogicalType.none
        try r.structure { r, f in
            switch (f.id, f.type) {
            case (1, .structure): try r.skip(f.type); result = .string
            case (5, .structure):
                var scale = 0
                try r.structure { r, g in
                    if g.id == 1, g.type == .i32 { scale = Int(try r.i32()) } else { try r.skip(g.type) }
                }
                result = .decimal(scale: scale)
            case (6, .structure): try r.skip(f.type); result = .date
            case (7, .structure): result = .time(unitsPerSecond: try timeUnit(&r))
            case (8, .structure): result = .timestamp(unitsPerSecond: try timeUnit(&r))
            case (10, .structure):
                var bits = 64, signed = true
                try r.structure { r, g in
                    switch (g.id, g.type) {
                    case (1, .byte): bits = Int(Int8(bitPattern: try r.byte()))
                    case (2, _): signed = r.bool(g)
                    default: try r.skip(g.type)
                    }
                }
                result = .integer(bits: bits, signed: signed)
            case (2, _): try r.skip(f.type); result = .other("MAP")
            case (3, _): try r.skip(f.type); result = .other("LIST")
            case (4, _): try r.skip(f.type); result = .string  // ENUM: strings
            case (12, _): try r.skip(f.type); result = .string  // JSON: text
            case (13, _): try r.skip(f.type); result = .other("BSON")
            case (14, _): try r.skip(f.type); result = .other("UUID")
            case (15, _): try r.skip(f.type); result = .other("FLOAT16")
            default: try r.skip(f.type); result = .other("logical type \(f.id)")
            }
        }
        return result
    }

    /// `TimestampType`/`TimeType`: field 2 is the unit union (1 millis, 2 micros, 3 nanos).
    private static func timeUnit(_ r: inout ThriftCompactReader) throws -> Int64 {
        var units: Int64 = 1_000_000
        try r.structure { r, f in
            guard f.id == 2, f.type == .structure else { try r.skip(f.type); return }
            try r.structure { r, u in
                switch u.id {
                case 1: units = 1_000
                case 2: units = 1_000_000
                case 3: units = 1_000_000_000
                default: break
                }
                try r.skip(u.type)
            }
        }
        return units
    }

    static func fromConverted(_ converted: Int32, scale: Int) -> ParquetLogicalType {
        switch converted {
        case 0, 4, 19: return .string  // UTF8, ENUM, JSON
        case 1, 2: return .other("MAP")
        case 3: return .other("LIST")
        case 5: return .decimal(scale: scale)
        case 6: return .date
        case 7: return .time(unitsPerSecond: 1_000)
        case 8: return .time(unitsPerSecond: 1_000_000)
        case 9: return .timestamp(unitsPerSecond: 1_000)
        case 10: return .timestamp(unitsPerSecond: 1_000_000)
        case 11: return .integer(bits: 8, signed: false)
        case 12: return .integer(bits: 16, signed: false)
        case 13: return .integer(bits: 32, signed: false)
        case 14: return .integer(bits: 64, signed: false)
        case 15: return .integer(bits: 8, signed: true)
        case 16: return .integer(bits: 16, signed: true)
        case 17: return .integer(bits: 32, signed: true)
        case 18: return .integer(bits: 64, signed: true)
        case 20: return .other("BSON")
        case 21: return .other("INTERVAL")
        default: return .other("converted type \(converted)")
        }
    }
}

extension ParquetRowGroup {
    init(thrift r: inout ThriftCompactReader) throws {
        var rows = 0
        var columns: [ParquetColumnChunk] = []
        try r.structure { r, f in
            switch (f.id, f.type) {
            case (1, .list): columns = try r.list { try ParquetColumnChunk(thrift: &$0) }
            case (3, .i64): rows = Int(try r.i64())
            default: try r.skip(f.type)
            }
        }
        self.init(rowCount: rows, columns: columns)
    }
}

extension ParquetColumnChunk {
    init(thrift r: inout ThriftCompactReader) throws {
        var chunk = ParquetColumnChunk(type: nil, path: [], codec: 0, valueCount: 0, compressedSize: 0, dataPageOffset: 0, dictionaryPageOffset: nil)
        var external: String?
        try r.structure { r, f in
            switch (f.id, f.type) {
            case (1, .binary): external = try r.string()
            case (3, .structure):
                try r.structure { r, m in
                    switch (m.id, m.type) {
                    case (1, .i32): chunk.type = ParquetPhysicalType(rawValue: try r.i32())
                    case (3, .list): chunk.path = try r.list { try $0.string() }
                    case (4, .i32): chunk.codec = try r.i32()
                    case (5, .i64): chunk.valueCount = Int(try r.i64())
                    case (7, .i64): chunk.compressedSize = Int(try r.i64())
                    case (9, .i64): chunk.dataPageOffset = Int(try r.i64())
                    case (11, .i64): chunk.dictionaryPageOffset = Int(try r.i64())
                    default: try r.skip(m.type)
                    }
                }
            default: try r.skip(f.type)
            }
        }
        if let external, !external.isEmpty {
            throw MMPError.invalidData("\(r.context): column \(chunk.path.joined(separator: ".")) lives in another file (\(external)); mmp reads single-file Parquet only")
        }
        self = chunk
    }
}

extension ParquetPageHeader {
    init(thrift r: inout ThriftCompactReader) throws {
        var h = ParquetPageHeader()
        try r.structure { r, f in
            switch (f.id, f.type) {
            case (1, .i32): h.kind = try r.i32()
            case (2, .i32): h.uncompressedSize = Int(try r.i32())
            case (3, .i32): h.compressedSize = Int(try r.i32())
            case (5, .structure):  // DataPageHeader
                try r.structure { r, g in
                    switch (g.id, g.type) {
                    case (1, .i32): h.valueCount = Int(try r.i32())
                    case (2, .i32): h.encoding = try r.i32()
                    case (3, .i32): h.definitionEncoding = try r.i32()
                    default: try r.skip(g.type)
                    }
                }
            case (7, .structure):  // DictionaryPageHeader
                try r.structure { r, g in
                    switch (g.id, g.type) {
                    case (1, .i32): h.valueCount = Int(try r.i32())
                    case (2, .i32): h.encoding = try r.i32()
                    default: try r.skip(g.type)
                    }
                }
            case (8, .structure):  // DataPageHeaderV2
                try r.structure { r, g in
                    switch (g.id, g.type) {
                    case (1, .i32): h.valueCount = Int(try r.i32())
                    case (2, .i32): h.nullCount = Int(try r.i32())
                    case (4, .i32): h.encoding = try r.i32()
                    case (5, .i32): h.definitionLevelsLength = Int(try r.i32())
                    case (6, .i32): h.repetitionLevelsLength = Int(try r.i32())
                    case (7, .boolTrue), (7, .boolFalse): h.isCompressed = r.bool(g)
                    default: try r.skip(g.type)
                    }
                }
            default: try r.skip(f.type)
            }
        }
        self = h
    }
}
