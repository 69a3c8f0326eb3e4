import MMPCore
import MMPQueue
import Testing

@Suite struct JobIDTests {
    @Test func idsSortByTimeAndNameTheirQueue() {
        let a = JobID.make(queue: "train.gpu-1", milliseconds: 1_700_000_000_000)
        let b = JobID.make(queue: "a", milliseconds: 1_700_000_000_001)
        #expect(a < b)
        #expect(JobID.queue(of: a) == "train.gpu-1")
        #expect(JobID.milliseconds(of: b) == 1_700_000_000_001)
        #expect(!JobID.isValid("hello@default"))
        #expect(!JobID.isValid("0000000000aaaaaaaaaa@bad{queue}"))
    }

    @Test func queueNamesAreChecked() {
        #expect(throws: MMPError.self) { try QueueName.validated("a:b") }
        #expect(throws: MMPError.self) { try QueueName.validated("") }
        #expect(throws: Never.self) { try QueueName.validated("gpu_large-2.x") }
    }

    @Test func settingsFromAConfigSection() throws {
        let s = try QueueSettings(section: ["lease": "45s", "heartbeat": "15s", "max_deliveries": 7, "payload_limit": "2MiB",
                                            "backoff": ["base": "1s", "cap": "1m"], "result_ttl": "3d"])
        #expect(s.lease == 45 && s.heartbeat == 15 && s.maxDeliveries == 7 && s.payloadLimit == 2 << 20)
        #expect(s.backoffBase == 1 && s.backoffCap == 60 && s.resultTTL == 3 * 86400)
        #expect(throws: MMPError.self) { try QueueSettings(section: ["lease": "5s", "heartbeat": "10s"]) }
        #expect(throws: MMPError.self) { try QueueSettings(section: ["lease": "soon"]) }
        #expect(try QueueSettings(section: s.json) == s)
        // A key of older versions (the grace of ids taken but not yet leased) is accepted and ignored.
        #expect(try QueueSettings(section: ["claim_grace": "15s"]) == QueueSettings())
        #expect(s.json["claim_grace"] == nil)
    }
}

@Suite struct RetryBackoffTests {
    /// Issue 9, defect 9: the retry backoff was twice the documented `base * 2^(attempt-1)`
    /// (half fixed, half random, at most the cap).
    @Test func retryDelayIsTheDocumentedEqualJitter() {
        var s = QueueSettings()
        s.backoffBase = 5
        s.backoffCap = 600
        for _ in 0..<200 {
            let first = s.retryDelay(attempt: 1)
            #expect(first >= 2.5 && first <= 5)
            let third = s.retryDelay(attempt: 3)
            #expect(third >= 10 && third <= 20)
            let capped = s.retryDelay(attempt: 30)
            #expect(capped >= 300 && capped <= 600)
        }
        // Half of each delay is random: 200 draws are not all the same.
        #expect(Set((0..<200).map { _ in s.retryDelay(attempt: 2) }).count > 1)
    }
}
