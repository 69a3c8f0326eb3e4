import Foundation  // threads for the blocked waiters of the burst test
import MMPCore
import MMPQueue
import MMPRedis
import Synchronization
import Testing

/// Idle workers block on the wake list (BLPOP), which moves no job; the claim that follows
/// takes and leases one. These tests hold the token rules that make that enough: a token
/// without a job costs one empty claim and no more, and a burst wakes every idle worker even
/// when the submits' tokens were trimmed.
@Suite struct WakeTokenTests {
    @Test func aTokenWithoutAJobReturnsTheWorkerToWaiting() throws {
        let q = try makeQueue()
        let k = q.keys("default")
        // A job cancelled while queued leaves its submit's token behind; add a few strays.
        let s = try q.submit(.init(queue: "default", payload: noop()))
        #expect(try q.cancel(s.id) == .cancelled)
        for _ in 0..<5 { try q.redis.command("LPUSH", k.wake, "1") }
        #expect(try q.waitForWork(["default"], timeout: 1)?.queue == "default")
        let claim = try q.claimNothing()
        #expect(claim.jobs.isEmpty && claim.buried.isEmpty)
        // The empty claim dropped the stale tokens: the next wait blocks until its timeout
        // instead of spinning through them.
        #expect(try q.redis.command("LLEN", k.wake).int == 0)
        #expect(try q.waitForWork(["default"], timeout: 0.2)?.queue == nil)
        // A new job wakes it again.
        let next = try q.submit(.init(queue: "default", payload: noop(1)))
        #expect(try q.waitForWork(["default"], timeout: 1)?.queue == "default")
        #expect(try q.claimNext().lease.id == next.id)
    }

    @Test func aBurstWakesEveryIdleWorkerEvenWithTrimmedTokens() throws {
        let q = try makeQueue { $0.wakeCap = 1 }
        let k = q.keys("default")
        let workers = 3
        // The jobs arrive before anyone waits: the submits leave one token (wake_cap 1), not three.
        var ids: Set<String> = []
        for i in 0..<workers { ids.insert(try q.submit(.init(queue: "default", payload: noop(i))).id) }
        #expect(try q.redis.command("LLEN", k.wake).int == 1)
        let claimed = Collected()
        let group = DispatchGroup()
        for w in 0..<workers {
            let settings = q.settings, redis = q.redis.settings
            DispatchQueue.global().async(group: group) {
                do {
                    let mine = JobQueue(redis: try RedisConnection.connect(redis), settings: settings)
                    // Woken by a token, not by the timeout: each claim that leaves work behind puts one back.
                    guard try mine.waitForWork(["default"], timeout: 10)?.queue == "default" else { return claimed.add("timeout \(w)") }
                    let claim = try mine.claim(queue: "default", ClaimRequest(worker: "w\(w)", token: "t\(w)"))
                    claimed.add(claim.jobs.first?.lease.id ?? "empty \(w)")
                } catch {
                    claimed.add("error \(w): \(error)")
                }
            }
        }
        #expect(group.wait(timeout: .now() + 30) == .success)
        #expect(Set(claimed.items) == ids)
        #expect(claimed.items.count == workers)
        // The last claim emptied pending and took the tokens with it.
        #expect(try q.redis.command("LLEN", k.wake).int == 0)
    }

    @Test func workSubmittedToTwoQueuesWakesInTheirOrder() throws {
        let q = try makeQueue()
        let low = try q.submit(.init(queue: "low", payload: noop(1))).id
        let high = try q.submit(.init(queue: "high", payload: noop(2))).id
        #expect(try q.waitForWork(["high", "low"], timeout: 1)?.queue == "high")
        #expect(try q.claimNext("high").lease.id == high)
        #expect(try q.waitForWork(["high", "low"], timeout: 1)?.queue == "low")
        #expect(try q.claimNext("low").lease.id == low)
        #expect(try q.waitForWork(["high", "low"], timeout: 0.1)?.queue == nil)
    }
}

/// Strings gathered from several threads.
final class Collected: Sendable {
    private let list = Mutex<[String]>([])
    func add(_ item: String) { list.withLock { $0.append(item) } }
    var items: [String] { list.withLock { $0 } }
}
