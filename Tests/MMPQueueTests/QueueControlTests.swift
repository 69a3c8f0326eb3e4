import MMPCore
@testable import MMPQueue
import MMPRedis
import Testing

/// Pause and resume, promote, delete, bulk actions and the statistics the scripts keep (issue 11).
@Suite struct QueueControlTests {
    @Test func aPausedQueueLeasesNothingAndResumeWakesAWorker() throws {
        let q = try makeQueue()
        let s = try q.submit(.init(queue: "default", payload: noop()))
        #expect(try q.pause("default"))
        #expect(try q.pause("default") == false)
        #expect(try q.counts(queues: ["default"]).first?.paused == true)
        let claim = try q.claimNothing()
        #expect(claim.jobs.isEmpty && claim.peek.isEmpty)
        // No wake token while paused: idle workers do not wake for a job they may not take.
        #expect(try q.redis.command("LLEN", q.keys("default").wake).int == 0)
        _ = try q.submit(.init(queue: "default", payload: noop()))
        #expect(try q.redis.command("LLEN", q.keys("default").wake).int == 0)
        // Another queue of the same worker is not affected.
        let other = try q.submit(.init(queue: "other", payload: noop()))
        #expect(try q.claimNext("other").lease.id == other.id)
        #expect(try q.resume("default"))
        #expect(try q.resume("default") == false)
        #expect(try q.redis.command("LLEN", q.keys("default").wake).int == 1)
        #expect(try q.counts(queues: ["default"]).first?.paused == false)
        #expect(try q.claimNext().lease.id == s.id)
    }

    @Test func promoteRunsAScheduledJobNow() throws {
        let q = try makeQueue()
        let s = try q.submit(.init(queue: "default", payload: noop(), delay: 3600))
        #expect(try q.state(s.id) == .scheduled)
        try q.promote(s.id)
        #expect(try q.state(s.id) == .queued)
        #expect(try q.pendingIDs() == [s.id])
        #expect(try q.counts(queues: ["default"]).first?.scheduled == 0)
        #expect(throws: MMPError.self) { try q.promote(s.id) }
        #expect(try q.claimNext().lease.id == s.id)
    }

    @Test func deleteRefusesARunningJobAndRemovesOthersWithTheirIndexEntry() throws {
        let q = try makeQueue()
        let waiting = try q.submit(.init(queue: "default", payload: noop(), idempotencyKey: "k-1"))
        let running = try q.submit(.init(queue: "default", payload: noop()))
        _ = try q.claimNext()  // the older one, `waiting`, is leased first
        #expect(try q.state(waiting.id) == .active)
        #expect(throws: MMPError.self) { try q.delete(waiting.id) }
        #expect(try q.delete(running.id) == .queued)
        #expect(try q.record(running.id) == nil)
        #expect(try q.pendingIDs().isEmpty)
        #expect(throws: MMPError.self) { try q.delete(running.id) }
        let (events, _) = try q.events(after: ["default": "0"], block: 0)
        #expect(events.contains { $0.name == "deleted" && $0.job == running.id })
    }

    @Test func retryAllAndDeleteAllEmptyTheDeadIndex() throws {
        let q = try makeQueue()
        var ids: [String] = []
        for _ in 0..<3 {
            let s = try q.submit(.init(queue: "default", payload: noop(), maxAttempts: 1))
            let job = try q.claimNext()
            _ = try q.fail(job.lease, mode: .dead, kind: "internal", message: "boom", backoff: 0)
            ids.append(s.id)
        }
        #expect(try q.counts(queues: ["default"]).first?.dead == 3)
        let retried = try q.retryAll(queue: "default", state: .dead)
        #expect(retried.done == 3)
        #expect(try q.counts(queues: ["default"]).first?.dead == 0)
        #expect(Set(try q.pendingIDs()) == Set(ids))
        for _ in 0..<3 {
            let job = try q.claimNext()
            _ = try q.fail(job.lease, mode: .dead, kind: "internal", message: "boom", backoff: 0)
        }
        let deleted = try q.deleteAll(queue: "default", state: .dead)
        #expect(deleted.done == 3)
        #expect(try q.counts(queues: ["default"]).first?.dead == 0)
        for id in ids { #expect(try q.record(id) == nil) }
        #expect(throws: MMPError.self) { try q.retryAll(queue: "default", state: .queued) }
    }

    @Test func completionTotalsTimelineAndDurationsFollowWhatEnded() throws {
        let q = try makeQueue()
        for _ in 0..<2 {
            _ = try q.submit(.init(queue: "default", payload: noop()))
            let job = try q.claimNext()
            #expect(try q.complete(job.lease, result: [:]).0 == .ok)
        }
        _ = try q.submit(.init(queue: "default", payload: noop(), maxAttempts: 1))
        let failing = try q.claimNext()
        _ = try q.fail(failing.lease, mode: .dead, kind: "internal", message: "boom", backoff: 0)
        let cancelled = try q.submit(.init(queue: "default", payload: noop()))
        #expect(try q.cancel(cancelled.id) == .cancelled)

        let stats = try q.statistics(queues: ["default"])
        let totals = try #require(stats.first?.totals)
        #expect(totals.succeeded == 2 && totals.dead == 1 && totals.cancelled == 1 && totals.failed == 0)
        // Three runs reached a verdict (two succeeded, one died); the cancel never ran.
        let durations = try #require(stats.first?.durations)
        #expect(durations.map(\.recipe) == ["noop"])
        #expect(durations.first?.count == 3)
        #expect(durations.first?.cumulative.last == 3)

        for range in QueueTimeline.Range.allCases {
            let t = try q.timeline(queues: ["default"], range: range)
            #expect(t.points.count == range.slots)
            #expect(t.points.last?.succeeded == 2 && t.points.last?.dead == 1 && t.points.last?.cancelled == 1)
            #expect(t.points.dropLast().allSatisfy { $0.ended == 0 })
        }
    }

    @Test func timelineBuildPlacesEachSlotInItsPeriod() {
        // Pure: a ring value two periods old lands two points before the last; one too old is dropped.
        let now = 10_000 * 60_000 + 5
        var values = [String?](repeating: nil, count: QueueTimeline.Range.hour.slots * 5)
        values[0] = "9998"; values[1] = "4"  // slot 0 counts period 9998
        values[5] = "9000"; values[6] = "7"  // slot 1: a period long gone
        let t = QueueTimeline.build(.hour, values: [values], nowMillis: now)
        #expect(t.points.last?.start == 10_000 * 60_000)
        #expect(t.points[t.points.count - 3].succeeded == 4)
        #expect(t.points.map(\.succeeded).reduce(0, +) == 4)
    }
}
