import LabTestSupport
import Testing

/// Every test that drives the real kernel is nested in this suite, which runs them one at a time:
/// they create namespaces, change per-namespace firewalls and measure traffic, and several check
/// that they leave nothing behind — which only means something when no other kernel test runs.
/// Unit tests still run in parallel beside them.
@Suite(.serialized, .enabled(if: TestEnvironment.isRoot, "needs root: namespaces, netfilter and BPF"))
enum KernelTests {}
