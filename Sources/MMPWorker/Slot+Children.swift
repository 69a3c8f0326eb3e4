import MMPCore
import MMPQueue

/// A parent job's step (ChildScripts.swift) ends with a result that asks for children or names
/// the children's verdict; the slot records it with the parent's lease like any verdict.
///
/// ```
/// {"spawn": {"wake_on": "all", "seen": 0, "children": [{"label": "shard 1/4", "payload": {...}}]}}
/// {"children_verdict": {"state": "failed" | "dead", "kind": "children", "message": "..."}}
/// ```
extension Slot {
    /// The outcome of a parent step's result, or nil when the result is an ordinary one.
    func writeParentStep(_ lease: Lease, result: JSON) throws -> RecordedOutcome? {
        if let spawn = result["spawn"], !spawn.isNull {
            let wakeOn = JobQueue.WakeOn(rawValue: spawn["wake_on"]?.stringValue ?? "all") ?? .all
            var children: [JobQueue.ChildSpec] = []
            for item in spawn["children"]?.arrayValue ?? [] {
                guard let payload = item["payload"] else { continue }
                children.append(JobQueue.ChildSpec(payload: try JobPayload(json: payload), label: item["label"]?.stringValue ?? "",
                                                   maxAttempts: item["max_attempts"]?.intValue, timeout: item["timeout_seconds"]?.doubleValue))
            }
            switch try queue.spawn(lease, children: children, wakeOn: wakeOn, seen: spawn["seen"]?.intValue ?? 0) {
            case .spawned(let total, _):
                logger.info("job waits for its children", metadata: ["job": "\(lease.id)", "spawned": "\(children.count)", "children": "\(total)"])
                return .alreadyRecorded
            case .cancelled: return .cancelled
            case .already: return .alreadyRecorded
            case .stale: return .stale
            }
        }
        if let verdict = result["children_verdict"], !verdict.isNull {
            let dead = verdict["state"]?.stringValue == "dead"
            let outcome = try queue.fail(lease, mode: dead ? .dead : .permanent, kind: verdict["kind"]?.stringValue ?? "children",
                                         message: verdict["message"]?.stringValue ?? "children failed", backoff: 0)
            return Slot.recorded(outcome)
        }
        return nil
    }

    /// After a child's verdict: its parent recounts (and wakes when its children are done).
    /// Best effort: every worker also settles waiting parents each reaper interval.
    func settleParent(of payloadText: String) {
        guard let payload = try? JobPayload(text: payloadText), let parent = payload.options["parent"]?.stringValue, !parent.isEmpty else { return }
        do {
            try queue.settle(parent)
        } catch {
            logger.debug("settling parent \(parent) failed: \(MMPError.wrap(error).message); the reaper interval settles it")
        }
    }
}
