/// A zone's UTC offsets as a table of changes: what a schedule carries in Redis so that workers
/// (which link no zone database) compute its fire times. `mmp schedule add` builds it from the
/// zone data for a horizon of years and refreshes it on `resume`; past the horizon the last
/// offset holds.
public struct OffsetTable: UTCOffsetSource, Equatable {
    /// (from this UTC second on, this offset), sorted by time; the first entry's offset also
    /// holds before it.
    public var changes: [(from: Int64, offset: Int)]

    public init(changes: [(from: Int64, offset: Int)]) {
        self.changes = changes.sorted { $0.from < $1.from }
    }

    /// The changes of `zone` between `from` and `until`, found hour by hour (clock changes fall
    /// on whole or half hours) and pinned to the second by bisection.
    public init(zone: some UTCOffsetSource, from: Int64, until: Int64) {
        var changes: [(from: Int64, offset: Int)] = [(from, zone.offset(atUTC: from))]
        var t = from
        var current = changes[0].offset
        while t < until {
            let next = t + 1800
            let o = zone.offset(atUTC: next)
            if o != current {
                var lo = t, hi = next
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if zone.offset(atUTC: mid) == current { lo = mid } else { hi = mid }
                }
                changes.append((hi, o))
                current = o
            }
            t = next
        }
        self.changes = changes
    }

    public func offset(atUTC seconds: Int64) -> Int {
        var lo = 0, hi = changes.count - 1
        guard hi >= 0 else { return 0 }
        if seconds < changes[0].from { return changes[0].offset }
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if changes[mid].from <= seconds { lo = mid } else { hi = mid - 1 }
        }
        return changes[lo].offset
    }

    public static func == (a: OffsetTable, b: OffsetTable) -> Bool {
        a.changes.count == b.changes.count && zip(a.changes, b.changes).allSatisfy { $0.from == $1.from && $0.offset == $1.offset }
    }

    public var json: JSON { .array(changes.map { .array([.int(Int($0.from)), .int($0.offset)]) }) }

    public init(json: JSON) throws {
        var out: [(from: Int64, offset: Int)] = []
        for item in json.arrayValue ?? [] {
            guard let pair = item.arrayValue, pair.count == 2, let t = pair[0].intValue, let o = pair[1].intValue else {
                throw MMPError.invalidInput("schedule offsets must be [utc second, offset] pairs")
            }
            out.append((Int64(t), o))
        }
        self.init(changes: out)
    }
}
