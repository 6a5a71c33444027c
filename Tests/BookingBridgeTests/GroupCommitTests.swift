import Synchronization
import Testing

@testable import BookingBridge

/// `GroupCommit` on its own, with a write that takes a few milliseconds and records what it was given: the batching
/// rule that intake's committer and the dispatcher's recorder share.
@Suite("Group commit")
struct GroupCommitTests {
    /// A write that doubles each item, notes its batches and how many writes ran at once.
    final class Writes: Sendable {
        let batches = Mutex<[[Int]]>([])
        let inFlight = Atomic<Int>(0)
        let mostInFlight = Atomic<Int>(0)
        let delay: Duration

        init(delay: Duration = .milliseconds(20)) { self.delay = delay }

        func write(_ items: [Int]) async -> [Int] {
            let now = inFlight.wrappingAdd(1, ordering: .relaxed).newValue
            mostInFlight.max(now, ordering: .relaxed)
            try? await Task.sleep(for: delay)
            batches.withLock { $0.append(items) }
            inFlight.wrappingSubtract(1, ordering: .relaxed)
            return items.map { $0 * 2 }
        }

        var all: [[Int]] { batches.withLock { $0 } }
    }

    @Test("an item that finds a writer free is written at once, alone")
    func idle() async {
        let writes = Writes()
        let group = GroupCommit<Int, Int>(maximumWriters: 2, maximumBatch: 8) { await writes.write($0) }
        #expect(await group.commit(1) == 2)
        #expect(await group.commit(2) == 4)
        #expect(writes.all == [[1], [2]])
    }

    @Test("many callers at once: each gets its own outcome, batches form, never more writers or items than allowed")
    func concurrentCommits() async {
        let writes = Writes()
        let group = GroupCommit<Int, Int>(maximumWriters: 2, maximumBatch: 8) { await writes.write($0) }
        let answers = await withTaskGroup(of: (Int, Int?).self) { tasks in
            for item in 0..<200 { tasks.addTask { (item, await group.commit(item)) } }
            var answers: [Int: Int?] = [:]
            for await (item, answer) in tasks { answers[item] = answer }
            return answers
        }
        #expect(answers.count == 200)
        #expect(answers.allSatisfy { $0.value == $0.key * 2 })
        let batches = writes.all
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<200), "every item written exactly once")
        #expect(batches.allSatisfy { $0.count <= 8 })
        #expect(batches.count < 200, "items that waited were written together (\(batches.count) writes)")
        #expect(writes.mostInFlight.load(ordering: .relaxed) <= 2)
    }

    @Test("submit does not wait: each done is called once with its outcome, and finish waits for all of them")
    func submits() async {
        let writes = Writes()
        let group = GroupCommit<Int, Int>(maximumWriters: 1, maximumBatch: 16) { await writes.write($0) }
        let answered = Mutex<[Int: [Int]]>([:])
        for item in 0..<100 {
            #expect(group.submit(item) { outcome in answered.withLock { $0[item, default: []].append(outcome) } })
        }
        await group.finish()
        let all = answered.withLock { $0 }
        #expect(all.count == 100)
        #expect(all.allSatisfy { $0.value == [$0.key * 2] }, "each done called exactly once")
        #expect(writes.all.count < 100)
        #expect(writes.mostInFlight.load(ordering: .relaxed) == 1)
        #expect(!group.submit(100) { _ in Issue.record("done called for a refused item") })
        #expect(await group.commit(101) == nil)
        #expect(writes.all.flatMap { $0 }.count == 100, "nothing written after finish")
    }

    @Test("an outcome that answers everyone (the database is down) ends the waiting items without writing them")
    func answersEveryWaiting() async {
        let writes = Writes(delay: .milliseconds(1))
        let group = Mutex<GroupCommit<Int, Int>?>(nil)
        let zeroWriting = Atomic<Bool>(false)
        group.withLock { slot in
            slot = GroupCommit<Int, Int>(
                maximumWriters: 1, maximumBatch: 1, answersEveryWaiting: { $0 < 0 },
                write: { items in
                    // Item 0 "fails" for everyone, once the five others wait behind it; others would succeed.
                    guard items == [0] else { return await writes.write(items) }
                    zeroWriting.store(true, ordering: .relaxed)
                    let deadline = ContinuousClock.now + .seconds(20)
                    while group.withLock({ $0?.waitingCount ?? 0 }) < 5 && ContinuousClock.now < deadline {
                        try? await Task.sleep(for: .milliseconds(5))
                    }
                    return [-1]
                })
        }
        let committer = group.withLock { $0! }
        let answers = await withTaskGroup(of: (Int, Int?).self) { tasks in
            tasks.addTask { (0, await committer.commit(0)) }
            // Once 0 is being written it holds the one writer slot, and the others can only wait.
            while !zeroWriting.load(ordering: .relaxed) { try? await Task.sleep(for: .milliseconds(1)) }
            for item in 1...5 { tasks.addTask { (item, await committer.commit(item)) } }
            var answers: [Int: Int?] = [:]
            for await (item, answer) in tasks { answers[item] = answer }
            return answers
        }
        #expect(answers[0] == -1)
        #expect(answers.filter { $0.key != 0 }.allSatisfy { $0.value == -1 }, "each got the failed write's outcome")
        #expect(writes.all.isEmpty, "an item answered by the failure is never written")
    }

    @Test("finish with nothing accepted returns at once")
    func finishIdle() async {
        let group = GroupCommit<Int, Int>(maximumWriters: 1, maximumBatch: 1) { $0 }
        await group.finish()
        #expect(await group.commit(1) == nil)
    }
}
