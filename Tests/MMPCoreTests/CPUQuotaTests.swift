import Testing
@testable import MMPCore

/// Thread pools follow the container's CPU quota (cgroup v2 `cpu.max`), not the node's cores.
@Suite struct CPUQuotaTests {
    @Test func cpuMaxLines() {
        #expect(CPUQuota.cores(cpuMax: "max 100000\n") == nil)
        #expect(CPUQuota.cores(cpuMax: "200000 100000\n") == 2)
        #expect(CPUQuota.cores(cpuMax: "150000 100000") == 1.5)
        #expect(CPUQuota.cores(cpuMax: "50000 100000") == 0.5)
        #expect(CPUQuota.cores(cpuMax: "garbage") == nil)
    }

    @Test func threadsAreTheAffinityCappedByTheQuota() {
        #expect(CPUQuota.threads(affinity: 64, quota: 2, override: nil) == 2)
        #expect(CPUQuota.threads(affinity: 64, quota: 1.5, override: nil) == 2)
        #expect(CPUQuota.threads(affinity: 64, quota: 0.25, override: nil) == 1)
        #expect(CPUQuota.threads(affinity: 4, quota: 16, override: nil) == 4)
        #expect(CPUQuota.threads(affinity: 8, quota: nil, override: nil) == 8)
        #expect(CPUQuota.threads(affinity: 8, quota: 2, override: "3") == 3)
        #expect(CPUQuota.threads(affinity: 8, quota: 2, override: "zero") == 2)
    }

    @Test func thisProcessGetsAtLeastOneThread() {
        #expect(CPUQuota.availableThreads() >= 1)
        #expect(CPUQuota.affinityCores() >= 1)
    }
}
