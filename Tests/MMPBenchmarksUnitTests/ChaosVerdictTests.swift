import MMPBenchmarks
import Testing

/// The chaos run's rules: what counts as lost, as run twice, and as a repeat its stopped worker explains.
@Suite struct ChaosVerdictTests {
    let jobs = ["a", "b", "c"]
    let done = ["a": "succeeded", "b": "succeeded", "c": "succeeded"]

    @Test func everyJobOnceIsClean() {
        let marks = [RunMark(job: "a", worker: 10, at: 1), RunMark(job: "b", worker: 10, at: 2), RunMark(job: "c", worker: 11, at: 3)]
        let v = ChaosVerdict(jobs: jobs, states: done, marks: marks, stops: [])
        #expect(v.lost.isEmpty && v.runTwice.isEmpty && v.repeated.isEmpty)
    }

    @Test func notSucceededOrNeverRunIsLost() {
        let v = ChaosVerdict(jobs: jobs, states: ["a": "succeeded", "b": "dead"], marks: [RunMark(job: "b", worker: 1, at: 1)], stops: [])
        #expect(v.lost == ["a": "succeeded without a run", "b": "dead", "c": "missing"])
    }

    @Test func aSecondRunNoStopExplainsRanTwice() {
        let marks = [RunMark(job: "a", worker: 10, at: 100), RunMark(job: "a", worker: 11, at: 200)]
        // Worker 10 was killed, but before its run ended: the run's result was recorded or not,
        // the mark says the run ended after the kill, which cannot be — so nothing explains it.
        let v = ChaosVerdict(jobs: ["a"], states: ["a": "succeeded"], marks: marks, stops: [WorkerStop(pid: 10, signal: .kill, at: 50)])
        #expect(v.runTwice == ["a": 2])
    }

    @Test func aWorkerKilledAfterItsRunEndedExplainsTheRepeat() {
        let marks = [RunMark(job: "a", worker: 10, at: 100), RunMark(job: "a", worker: 11, at: 200)]
        let v = ChaosVerdict(jobs: ["a"], states: ["a": "succeeded"], marks: marks, stops: [WorkerStop(pid: 10, signal: .kill, at: 150)])
        #expect(v.runTwice.isEmpty)
        #expect(v.repeated == [.killed: 1])
    }

    @Test func aStoppedWorkerExplainsOnlyAResultItLoggedGivingUp() {
        let marks = [RunMark(job: "a", worker: 10, at: 100), RunMark(job: "a", worker: 11, at: 200)]
        let stop = [WorkerStop(pid: 10, signal: .sigterm, at: 90)]
        #expect(ChaosVerdict(jobs: ["a"], states: ["a": "succeeded"], marks: marks, stops: stop).runTwice == ["a": 2])
        let other = WorkerLogFacts(givenUp: [.init(job: "a", worker: 11)])
        #expect(ChaosVerdict(jobs: ["a"], states: ["a": "succeeded"], marks: marks, stops: stop, logs: other).runTwice == ["a": 2])
        let v = ChaosVerdict(jobs: ["a"], states: ["a": "succeeded"], marks: marks, stops: stop,
                             logs: WorkerLogFacts(givenUp: [.init(job: "a", worker: 10)]))
        #expect(v.runTwice.isEmpty && v.repeated == [.stopped: 1])
    }

    @Test func aLeaseLostAfterTheRunEndedExplainsTheRepeatNothingElseDoes() {
        let marks = [RunMark(job: "a", worker: 10, at: 100_000), RunMark(job: "a", worker: 11, at: 150_000)]
        let lostAfter = WorkerLogFacts(leaseLost: [.init(job: "a", worker: 10): [103_000]])
        let explained = ChaosVerdict(jobs: ["a"], states: ["a": "succeeded"], marks: marks, stops: [], logs: lostAfter)
        #expect(explained.runTwice.isEmpty && explained.repeated == [.leaseLost: 1])
        // Lost before the run ended (it was stopped then, it cannot have ended), or by another worker: no.
        let lostBefore = WorkerLogFacts(leaseLost: [.init(job: "a", worker: 10): [99_000]])
        #expect(ChaosVerdict(jobs: ["a"], states: ["a": "succeeded"], marks: marks, stops: [], logs: lostBefore).runTwice == ["a": 2])
        let otherWorker = WorkerLogFacts(leaseLost: [.init(job: "a", worker: 11): [160_000]])
        #expect(ChaosVerdict(jobs: ["a"], states: ["a": "succeeded"], marks: marks, stops: [], logs: otherWorker).runTwice == ["a": 2])
    }

    @Test func marksParse() {
        #expect(RunMark.parse("a@q 10 7 1700\nbroken\nb@q 11 7 1800\n") == [RunMark(job: "a@q", worker: 7, at: 1700), RunMark(job: "b@q", worker: 7, at: 1800)])
    }

    @Test func theScheduleHitsEveryKindEachRoundAndRepeats() {
        var a = ChaosSchedule(seed: 3, pause: 1...2), b = ChaosSchedule(seed: 3, pause: 1...2)
        var round: [ChaosFault] = []
        for _ in ChaosFault.allCases {
            let (wait, fault) = a.next()
            #expect(wait >= 1 && wait <= 2)
            round.append(fault)
            #expect(b.next().fault == fault)
        }
        #expect(Set(round) == Set(ChaosFault.allCases))
        let jobs = ChaosJobs.make(count: 90, queues: ["x", "y", "z"], seed: 5)
        #expect(jobs.filter { $0.queue == "y" }.count == 30)
        #expect(jobs.allSatisfy { $0.seconds >= 0.05 && $0.seconds <= 5 })
        #expect(jobs == ChaosJobs.make(count: 90, queues: ["x", "y", "z"], seed: 5))
    }
}
