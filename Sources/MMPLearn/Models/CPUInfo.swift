import MMPCore

/// How many threads parallel work uses: the cores this process may use (its affinity mask,
/// capped by its container's CPU quota, or MMP_THREADS; see `CPUQuota`), not the machine's total.
public enum CPUInfo {
    public static let availableCores: Int = CPUQuota.availableThreads()
}
