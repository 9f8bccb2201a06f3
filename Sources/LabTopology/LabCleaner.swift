import Foundation
import LabSystem

/// What `benchlab clean` did.
public struct CleanReport: Sendable, Equatable {
    public var journalsReplayed: [String] = []
    public var namespacesRemoved: [String] = []
    public var linksRemoved: [String] = []
    public var pinsRemoved: [String] = []
    public var knobsRestored: [String] = []
    /// Journals of runs that are still alive: left alone.
    public var liveRuns: [String] = []
    public var failures: [String] = []

    public var isEmpty: Bool {
        journalsReplayed.isEmpty && namespacesRemoved.isEmpty && linksRemoved.isEmpty && pinsRemoved.isEmpty
            && knobsRestored.isEmpty
    }
}

/// Undoes whatever crashed or killed runs left: replays the journals of dead owners, restores knobs
/// no live run holds, then sweeps any remaining `bl` namespace, root-namespace link and bpffs pin
/// that no live run claims. Live runs (owner process alive) are never touched, so `clean` is safe to
/// run while another benchmark is going.
public struct LabCleaner {
    public let stateDirectory: String
    public let pinDirectory: String

    public init(stateDirectory: String = LabNames.stateDirectory, pinDirectory: String = LabNames.pinDirectory) {
        self.stateDirectory = stateDirectory
        self.pinDirectory = pinDirectory
    }

    /// `only`: restrict to these journal ids (used by `down`); nil cleans every dead journal.
    /// `includeDetached`: whether labs made by `up` count as dead (their owner exited on purpose).
    public func clean(only: Set<String>? = nil, includeDetached: Bool = true) -> CleanReport {
        var report = CleanReport()
        var liveIds = Set<String>()
        var claimedNamespaces = Set<String>()
        for directory in journalDirectories() {
            guard let (journal, owner) = try? Journal.open(directory: directory) else { continue }
            let selected = only?.contains(journal.id) ?? true
            let alive = owner.map { $0.process.isAlive && $0.process != .current } ?? false
            let keep = !selected || alive || (owner?.detached == true && !includeDetached)
            if keep {
                liveIds.insert(journal.id)
                if alive { report.liveRuns.append(journal.id) }
                for case .deleteNamespace(let name) in journal.pendingSteps { claimedNamespaces.insert(name) }
                continue
            }
            report.namespacesRemoved += journal.pendingSteps.compactMap {
                if case .deleteNamespace(let name) = $0, Namespaces.exists(name) { return name }
                return nil
            }
            let failures = journal.close()
            report.failures += failures.map { "\(journal.id): \($0)" }
            report.journalsReplayed.append(journal.id)
        }
        guard only == nil else {
            if pinDirectory == BPFPinRoot.path { BPFPinRoot.unmountIfEmpty() }
            return report
        }
        do {
            report.knobsRestored = try KnobLedger(directory: stateDirectory).releaseAll(except: liveIds)
        } catch {
            report.failures.append("knob ledger: \(error.oneLine)")
        }
        sweepNamespaces(claimed: claimedNamespaces, into: &report)
        sweepRootLinks(into: &report)
        sweepPins(live: liveIds, into: &report)
        return report
    }

    public func journalDirectories() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: stateDirectory)) ?? []
        return entries.sorted().map { "\(stateDirectory)/\($0)" }.filter {
            FileManager.default.fileExists(atPath: "\($0)/owner.json") || FileManager.default.fileExists(atPath: "\($0)/journal.jsonl")
        }
    }

    private func sweepNamespaces(claimed: Set<String>, into report: inout CleanReport) {
        for name in Namespaces.labNamespaces() where !claimed.contains(name) {
            do {
                try UndoExecutor.undo(.deleteNamespace(name), journalId: "clean")
                report.namespacesRemoved.append(name)
            } catch {
                report.failures.append(error.oneLine)
            }
        }
    }

    private func sweepRootLinks(into report: inout CleanReport) {
        for name in Namespaces.labRootLinks() {
            do {
                try UndoExecutor.undo(.deleteRootLink(name), journalId: "clean")
                report.linksRemoved.append(name)
            } catch {
                report.failures.append(error.oneLine)
            }
        }
    }

    private func sweepPins(live: Set<String>, into report: inout CleanReport) {
        defer { if pinDirectory == BPFPinRoot.path { BPFPinRoot.unmountIfEmpty() } }
        for entry in BPFPinRoot.pinnedEntries(in: pinDirectory) where !live.contains(entry) {
            let path = "\(pinDirectory)/\(entry)"
            do {
                try FileManager.default.removeItem(atPath: path)
                report.pinsRemoved.append(path)
            } catch {
                report.failures.append("remove \(path): \(error.localizedDescription)")
            }
        }
    }
}
