import MMPCore
import MMPQueue
import MMPRedis
import MMPTestSupport
import Testing

/// Parents and children (ChildScripts.swift) against the test Redis: spawn parks the parent,
/// settle wakes it when its children end, progress is theirs, cancel cascades, and every
/// transition is fenced by the parent's lease.
@Suite struct ParentChildTests {
    func child(_ n: Int) -> JobQueue.ChildSpec {
        JobQueue.ChildSpec(payload: JobPayload(kind: .diagnostic, options: JSONObject([("n", .int(n))])), label: "shard \(n)/3", maxAttempts: 2)
    }

    /// A parent leased as a worker would lease it.
    func leasedParent(_ q: JobQueue) throws -> ClaimedJob {
        let id = try q.submit(.init(queue: "default", payload: JobPayload(kind: .diagnostic, options: JSONObject([("role", "parent")])))).id
        let job = try q.claimNext()
        #expect(job.lease.id == id)
        return job
    }

    @Test func spawnParksTheParentAndSettleWakesItWhenEveryChildEnded() throws {
        let q = try makeQueue()
        let parent = try leasedParent(q)
        guard case .spawned(let total, let ids) = try q.spawn(parent.lease, children: (1...3).map(child), wakeOn: .all, seen: 0) else {
            Issue.record("spawn did not spawn"); return
        }
        #expect(total == 3 && ids.count == 3)
        let p = try #require(try q.record(parent.lease.id))
        #expect(p.state == .waiting && p.worker.isEmpty && p.fields["lease_token"] == "")
        #expect(try q.redis.command("ZSCORE", q.keys("default").active, parent.lease.id).isNull)
        #expect(try q.childIDs(parent.lease.id) == ids)
        for id in ids {
            let r = try #require(try q.record(id))
            #expect(r.state == .queued && r.fields["parent"] == parent.lease.id && r.maxAttempts == 2 && r.recipe.hasPrefix("shard "))
        }
        // The step's write is fenced: sent again (its reply lost), or by a stale lease, it does nothing.
        #expect(try q.spawn(parent.lease, children: [child(9)], wakeOn: .all, seen: 0) == .already("waiting"))
        #expect(try q.spawn(Lease(queue: "default", id: parent.lease.id, token: "other"), children: [child(9)], wakeOn: .all, seen: 0) == .stale)
        #expect(try q.childIDs(parent.lease.id).count == 3)

        // Children run as ordinary jobs; the parent's progress is theirs.
        let a = try q.claimNext(worker: "w2")
        _ = try q.progress(a.lease, event: "progress", stage: "x", progress: 0.5)
        var s = try q.settle(parent.lease.id)
        #expect(s.outcome == .waiting && s.done == 0 && s.children == 3)
        #expect(abs((try q.record(parent.lease.id)?.progress ?? 0) - 0.5 / 3) < 1e-9)
        #expect(try q.complete(a.lease, result: ["ok": true]).0 == .ok)
        let b = try q.claimNext(worker: "w2")
        #expect(try q.fail(b.lease, mode: .permanent, kind: "invalid_data", message: "bad row 7", backoff: 0).state == .failed)
        s = try q.settle(parent.lease.id)
        #expect(s.outcome == .waiting && s.done == 2)
        let c = try q.claimNext(worker: "w2")
        #expect(try q.complete(c.lease, result: ["ok": true]).0 == .ok)
        // Settling twice (a worker after the verdict, every worker's sweep) wakes it once.
        s = try q.settle(parent.lease.id)
        #expect(s.outcome == .woken && s.done == 3)
        #expect(try q.settle(parent.lease.id).outcome == .notWaiting)
        let back = try #require(try q.record(parent.lease.id))
        #expect(back.state == .queued && back.progress == 1)
        // Next in line: the parent's next step, with its children's records to read.
        let next = try q.claimNext(worker: "w3")
        #expect(next.lease.id == parent.lease.id)
        let children = try q.children(of: parent.lease.id)
        // Spawned in order, claimed oldest first.
        #expect(children.map(\.id) == ids && [a, b, c].map(\.lease.id) == ids)
        #expect(children.map(\.stateText) == ["succeeded", "failed", "succeeded"])
        #expect(children.first(where: { $0.state == .failed })?.errorMessage?.contains("bad row 7") == true)
    }

    @Test func wakeOnAnyWakesTheParentForEachChildThatEnds() throws {
        let q = try makeQueue()
        let parent = try leasedParent(q)
        guard case .spawned = try q.spawn(parent.lease, children: [child(1), child(2)], wakeOn: .any, seen: 0) else {
            Issue.record("spawn"); return
        }
        let a = try q.claimNext(worker: "w2")
        #expect(try q.settle(parent.lease.id).outcome == .waiting)
        #expect(try q.complete(a.lease, result: [:]).0 == .ok)
        #expect(try q.settle(parent.lease.id).outcome == .woken)
        // Its next step saw one child done and keeps waiting (no new child): it wakes again
        // only when another ends.
        let step = try q.claimNext(worker: "w3")
        #expect(step.lease.id == parent.lease.id)
        guard case .spawned(let total, _) = try q.spawn(step.lease, children: [], wakeOn: .any, seen: 1) else { Issue.record("spawn 2"); return }
        #expect(total == 2)
        #expect(try q.settle(parent.lease.id).outcome == .waiting)
        let b = try q.claimNext(worker: "w2")
        #expect(try q.complete(b.lease, result: [:]).0 == .ok)
        #expect(try q.settle(parent.lease.id).outcome == .woken)
    }

    @Test func cancelCascadesToQueuedAndRunningChildren() throws {
        let q = try makeQueue()
        let parent = try leasedParent(q)
        guard case .spawned(_, let ids) = try q.spawn(parent.lease, children: (1...3).map(child), wakeOn: .all, seen: 0) else {
            Issue.record("spawn"); return
        }
        let running = try q.claimNext(worker: "w2")
        let tree = try q.cancelTree(parent.lease.id)
        #expect(tree.parent == .cancelled && tree.childrenCancelled == 2 && tree.childrenCancelling == 1)
        #expect(try q.state(parent.lease.id) == .cancelled)
        for id in ids where id != running.lease.id { #expect(try q.state(id) == .cancelled) }
        let r = try #require(try q.record(running.lease.id))
        #expect(r.state == .active && r.cancelRequested)
        #expect(try q.finishCancelled(running.lease) == .ok)
        #expect(try q.pendingIDs().isEmpty)
        #expect(try q.redis.command("ZCARD", q.keys("default").waiting).int == 0)
        // Cancelling again: already ended.
        #expect(try q.cancelTree(parent.lease.id).parent == .alreadyFinished("cancelled"))
    }

    @Test func aCancelThatReachesARunningStepLeavesNoChildren() throws {
        let q = try makeQueue()
        let parent = try leasedParent(q)
        #expect(try q.cancelTree(parent.lease.id).parent == .cancelling)
        #expect(try q.spawn(parent.lease, children: [child(1)], wakeOn: .all, seen: 0) == .cancelled)
        #expect(try q.childIDs(parent.lease.id).isEmpty)
        #expect(try q.state(parent.lease.id) == .cancelled)
        #expect(try q.pendingIDs().isEmpty)
    }

    @Test func aParentWhoseWorkerDiedRunsItsStepAgainAndSpawnsOnce() throws {
        let q = try makeQueue { $0.lease = 0.2 }
        let first = try leasedParent(q)
        // The worker dies mid-step: the lease expires, the reaper puts the parent back.
        Backoff.sleep(0.3)
        #expect(try q.reapNow().requeued == 1)
        let second = try q.claimNext(worker: "w2")
        #expect(second.lease.id == first.lease.id)
        // The dead worker's step comes back late: refused, no children.
        #expect(try q.spawn(first.lease, children: [child(1)], wakeOn: .all, seen: 0) == .stale)
        guard case .spawned(let total, _) = try q.spawn(second.lease, children: [child(1), child(2)], wakeOn: .all, seen: 0) else {
            Issue.record("spawn"); return
        }
        #expect(total == 2)
        #expect(try q.childIDs(first.lease.id).count == 2)
    }
}
