#if canImport(Glibc)
import Glibc
#endif
import CLibBPF
import LabSystem

/// A BPF object file opened from memory, then loaded into the kernel: owns the libbpf `bpf_object`
/// (and through it every program and map fd) and closes it in deinit. Knobs that must be fixed
/// before the verifier sees the program (`const volatile` globals, map sizes) are set between
/// `init` and `load()`.
///
/// Programs and maps handed out keep this object alive, so a map handle can never outlive its fd.
public final class BPFObject {
    public let name: String
    let handle: OpaquePointer
    public private(set) var isLoaded = false

    /// Opens (does not load) an ELF object held in memory, e.g. one embedded as a resource.
    public init(elf: [UInt8], name: String) throws {
        self.name = name
        handle = try name.withCString { objectName in
            try LibBPFOptions.with(bpf_object_open_opts.self, size: \.sz, { $0.object_name = objectName }) { options in
                try elf.withUnsafeBytes { bytes in
                    try libbpfPointer("open BPF object \(name)") {
                        bpf_object__open_mem(bytes.baseAddress, bytes.count, options)
                    }
                }
            }
        }
    }

    deinit {
        bpf_object__close(handle)
    }

    /// Verifies and loads every program, creates every map.
    public func load() throws {
        precondition(!isLoaded, "BPF object \(name) is already loaded")
        try libbpfCall("load BPF object \(name)") { bpf_object__load(handle) }
        isLoaded = true
    }

    public func program(named programName: String) throws -> BPFProgram {
        precondition(isLoaded, "load \(name) before asking for its programs")
        let program = try libbpfPointer("find program \(programName) in \(name)") {
            bpf_object__find_program_by_name(handle, programName)
        }
        return BPFProgram(object: self, handle: program, name: programName)
    }

    public func map(named mapName: String) throws -> BPFMap {
        precondition(isLoaded, "load \(name) before asking for its maps")
        let map = try libbpfPointer("find map \(mapName) in \(name)") {
            bpf_object__find_map_by_name(handle, mapName)
        }
        return BPFMap(object: self, handle: map, name: mapName)
    }

    /// Sets a `const volatile` global before load. The verifier then sees it as a constant, so a
    /// branch on it costs nothing at run time (libbpf-bootstrap's load-time knobs).
    public func setReadOnlyGlobal<Value: BitwiseCopyable>(_ variable: String, to value: Value) throws {
        precondition(!isLoaded, "set \(variable) before loading \(name): .rodata is frozen at load")
        try ReadOnlyData(object: self).set(variable, to: withUnsafeBytes(of: value) { Array($0) })
    }

    /// Changes a map's capacity before load (map definitions in the object are only defaults).
    public func setMaxEntries(map mapName: String, to entries: UInt32) throws {
        precondition(!isLoaded, "resize \(mapName) before loading \(name)")
        let map = try libbpfPointer("find map \(mapName) in \(name)") {
            bpf_object__find_map_by_name(handle, mapName)
        }
        try libbpfCall("set max_entries of \(mapName) to \(entries)") { bpf_map__set_max_entries(map, entries) }
    }
}

/// The object's .rodata image, addressed by variable name through the object's BTF (the DATASEC
/// ".rodata" lists each variable's offset and size), so the loader depends on names, not layout.
struct ReadOnlyData {
    let object: BPFObject

    func set(_ variable: String, to bytes: [UInt8]) throws {
        let map = try rodataMap()
        let (offset, size) = try location(of: variable)
        guard size == bytes.count else {
            preconditionFailure("\(variable) is \(size) bytes in \(object.name), the Swift value is \(bytes.count)")
        }
        var imageSize = 0
        let current = try libbpfPointer("read .rodata of \(object.name)") { bpf_map__initial_value(map, &imageSize) }
        var image = Array(UnsafeRawBufferPointer(start: current, count: imageSize))
        image.replaceSubrange(offset..<(offset + size), with: bytes)
        try libbpfCall("set \(variable) in \(object.name)") {
            image.withUnsafeBytes { bpf_map__set_initial_value(map, $0.baseAddress, $0.count) }
        }
    }

    /// libbpf names internal maps "<object prefix>.rodata"; the suffix is what is stable.
    private func rodataMap() throws -> OpaquePointer {
        var map = bpf_object__next_map(object.handle, nil)
        while let current = map {
            if String(cString: bpf_map__name(current)).hasSuffix(".rodata") { return current }
            map = bpf_object__next_map(object.handle, current)
        }
        throw BPFError("find .rodata in \(object.name) (the object has no const volatile globals)", errno: ENOENT)
    }

    private func location(of variable: String) throws -> (offset: Int, size: Int) {
        let btf = try libbpfPointer("read BTF of \(object.name)") { bpf_object__btf(object.handle) }
        let section = try libbpfCall("find DATASEC .rodata in \(object.name)'s BTF") {
            btf__find_by_name_kind(btf, ".rodata", UInt32(BTF_KIND_DATASEC as Int32))
        }
        let sectionType = btf__type_by_id(btf, UInt32(section))!
        let entries = btf_var_secinfos(sectionType)!
        for index in 0..<Int(btf_vlen(sectionType)) {
            let entry = entries[index]
            let name = String(cString: btf__name_by_offset(btf, btf__type_by_id(btf, entry.type)!.pointee.name_off))
            if name == variable { return (Int(entry.offset), Int(entry.size)) }
        }
        throw BPFError("find const volatile \(variable) in \(object.name)", errno: ENOENT)
    }
}

extension BPFObject {
    /// Gives a map-in-map its inner map template before load (the outer map is created with it, and
    /// every map later put in a slot must match its type, key and value sizes).
    func setInnerMap(of mapName: String, templateFD: Int32) throws {
        precondition(!isLoaded, "set the inner map of \(mapName) before loading \(name)")
        let map = try libbpfPointer("find map \(mapName) in \(name)") { bpf_object__find_map_by_name(handle, mapName) }
        try libbpfCall("set the inner map of \(mapName)") { bpf_map__set_inner_map_fd(map, templateFD) }
    }
}

extension BPFObject {
    /// Changes a map's type before load (the SNAT declares its NAT maps as plain hashes and becomes
    /// LRU for the lru tracker kind: one object, the map type chosen per installation).
    func setMapType(map mapName: String, to type: bpf_map_type) throws {
        precondition(!isLoaded, "set the type of \(mapName) before loading \(name)")
        let map = try libbpfPointer("find map \(mapName) in \(name)") { bpf_object__find_map_by_name(handle, mapName) }
        try libbpfCall("set the type of \(mapName)") { bpf_map__set_type(map, type) }
    }
}
