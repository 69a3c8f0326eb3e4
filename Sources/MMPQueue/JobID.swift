/// Job ids: `<10 chars of milliseconds><10 random chars>@<queue>`, in lowercase Crockford
/// base32 (`0-9a-z` without i, l, o, u), so ids sort by submit time as plain text and name their
/// queue, which lets `mmp jobs show ID` read the record in one round trip.
import Synchronization

public enum JobID {
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
    /// Within one millisecond, ids of one process count up from a random start (as ULIDs do),
    /// so they keep submit order. (A clock that steps back starts a new sequence.)
    private static let last = Mutex<(ms: Int, random: UInt64)>((0, 0))

    public static func make(queue: String, milliseconds: Int) -> String {
        var out = [UInt8](repeating: 0, count: 20)
        let (ms, random) = last.withLock { last -> (Int, UInt64) in
            // 50 random bits; leave room to count up.
            if milliseconds == last.ms {
                last.random &+= 1
            } else {
                last = (milliseconds, UInt64.random(in: 0...(UInt64(1) << 49)))
            }
            return last
        }
        var t = UInt64(max(0, ms))
        for i in (0..<10).reversed() {
            out[i] = alphabet[Int(t & 31)]
            t >>= 5
        }
        var r = random
        for i in (10..<20).reversed() {
            out[i] = alphabet[Int(r & 31)]
            r >>= 5
        }
        return String(decoding: out, as: UTF8.self) + "@" + queue
    }

    /// The queue named in an id, or nil when the text is not a job id.
    public static func queue(of id: String) -> String? {
        guard let at = id.firstIndex(of: "@") else { return nil }
        let head = id[..<at]
        guard head.utf8.count == 20, head.utf8.allSatisfy({ alphabet.contains($0) }) else { return nil }
        let queue = String(id[id.index(after: at)...])
        return (try? QueueName.validated(queue)) == nil ? nil : queue
    }

    public static func isValid(_ id: String) -> Bool { queue(of: id) != nil }

    /// When the id was made (ms since the epoch).
    public static func milliseconds(of id: String) -> Int? {
        guard isValid(id) else { return nil }
        var t = 0
        for c in id.utf8.prefix(10) {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            t = t << 5 | v
        }
        return t
    }
}
