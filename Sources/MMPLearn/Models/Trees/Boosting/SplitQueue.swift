/// The leaves waiting to be split, best gain first: a binary max-heap of (gain, leaf), ties
/// going to the lower leaf index so growth is the same on every run. Leaf-wise growth picks the
/// best leaf once per split; a scan over all leaves would make unlimited `num_leaves` quadratic.
struct SplitQueue {
    private var heap: [(gain: Double, leaf: Int)] = []

    var isEmpty: Bool { heap.isEmpty }

    private static func above(_ a: (gain: Double, leaf: Int), _ b: (gain: Double, leaf: Int)) -> Bool {
        a.gain > b.gain || (a.gain == b.gain && a.leaf < b.leaf)
    }

    mutating func push(gain: Double, leaf: Int) {
        heap.append((gain, leaf))
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.above(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    /// The leaf with the best gain, removed from the queue.
    mutating func pop() -> Int? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var best = i
                if l < heap.count && Self.above(heap[l], heap[best]) { best = l }
                if r < heap.count && Self.above(heap[r], heap[best]) { best = r }
                if best == i { break }
                heap.swapAt(i, best)
                i = best
            }
        }
        return top.leaf
    }
}
