/// A section read once for every point of a sweep; `value` is nil when it was invalid (and reported).
struct SharedRead<Value> {
    let value: Value?

    init(_ value: Value?) { self.value = value }
}
