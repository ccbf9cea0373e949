import Foundation

/// The kernel modules and apps the package defines, with their dependencies, as read from
/// `Package.swift` (through `swift package dump-package`), so the manifest stays the single
/// source of truth.
///
/// Guarantees: ``validate(_:)`` accepts a config only if its app exists, every module it
/// names exists, Boot and X86 are present, and every dependency of every listed module and
/// of the app is listed too; otherwise it throws an error naming the first problem.
public struct ModuleCatalog: Equatable, Sendable {
    /// Module name → the modules it depends on.
    public var modules: [String: [String]]
    /// App directory name → (target name, the modules it depends on).
    public var apps: [String: App]

    /// An app target.
    public struct App: Equatable, Sendable {
        public var target: String
        public var dependencies: [String]
        public init(target: String, dependencies: [String]) {
            self.target = target
            self.dependencies = dependencies
        }
    }

    /// Modules with a start-up step (a `<Module>Module: KernelModule` in
    /// `Libs/<Module>/Sources/<Module>Module.swift`); nil means every module but X86 and Boot.
    public var modulesWithStartup: Set<String>? = nil

    /// The modules every image contains.
    public static let required = ["X86", "Boot"]

    public init(modules: [String: [String]], apps: [String: App]) {
        self.modules = modules
        self.apps = apps
    }

    /// Reads the catalog from `swift package dump-package` JSON.
    public static func fromPackageDump(_ json: Data) throws(HermitError) -> ModuleCatalog {
        guard let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
              let targets = root["targets"] as? [[String: Any]] else {
            throw HermitError("cannot read the package description from 'swift package dump-package'")
        }
        // Map every target under Libs/<Module>/ to its module.
        var moduleOfTarget: [String: String] = [:]
        for target in targets {
            guard let name = target["name"] as? String, let path = target["path"] as? String else { continue }
            let parts = path.split(separator: "/")
            if parts.count >= 2, parts[0] == "Libs" { moduleOfTarget[name] = String(parts[1]) }
        }
        var modules: [String: [String]] = [:]
        var apps: [String: App] = [:]
        for target in targets {
            guard let name = target["name"] as? String, let path = target["path"] as? String else { continue }
            let dependencies = dependencyNames(target).compactMap { moduleOfTarget[$0] }
            let parts = path.split(separator: "/")
            if parts.count >= 2, parts[0] == "Libs" {
                let module = String(parts[1])
                let others = dependencies.filter { $0 != module }
                modules[module, default: []].append(contentsOf: others.filter { !(modules[module] ?? []).contains($0) })
            } else if parts.count >= 2, parts[0] == "Apps", (target["type"] as? String) != "executable" {
                // Library targets only: an executable under Apps/ is a host build of an app.
                apps[String(parts[1])] = App(target: name, dependencies: dependencies)
            }
        }
        return ModuleCatalog(modules: modules, apps: apps)
    }

    static func dependencyNames(_ target: [String: Any]) -> [String] {
        guard let dependencies = target["dependencies"] as? [[String: Any]] else { return [] }
        return dependencies.compactMap { dependency in
            for key in ["byName", "target", "product"] {
                if let value = dependency[key] as? [Any], let name = value.first as? String { return name }
            }
            return nil
        }
    }

    /// The modules of `modules` that have a start-up step (all but X86 and Boot), each after
    /// the modules it depends on; ties keep the config's order.
    public func startOrder(of modules: [String]) -> [String] {
        var ordered: [String] = []
        func visit(_ module: String) {
            guard !ordered.contains(module), modules.contains(module) else { return }
            for dependency in self.modules[module] ?? [] { visit(dependency) }
            ordered.append(module)
        }
        for module in modules { visit(module) }
        return ordered.filter { !ModuleCatalog.required.contains($0) && (modulesWithStartup?.contains($0) ?? true) }
    }

    /// Checks `config` against the catalog.
    public func validate(_ config: ImageConfig) throws(HermitError) {
        guard let app = apps[config.app] else {
            let known = apps.keys.sorted().joined(separator: ", ")
            throw HermitError("\(config.name): unknown app '\(config.app)' (no target under Apps/\(config.app); apps: \(known))")
        }
        var seen: Set<String> = []
        for module in config.modules {
            guard modules[module] != nil else {
                let known = modules.keys.sorted().joined(separator: ", ")
                throw HermitError("\(config.name): unknown module '\(module)' (modules: \(known))")
            }
            guard seen.insert(module).inserted else { throw HermitError("\(config.name): module '\(module)' is listed twice") }
        }
        for module in ModuleCatalog.required where !seen.contains(module) {
            throw HermitError("\(config.name): every image needs module '\(module)'; add it to 'modules'")
        }
        for module in config.modules {
            for dependency in modules[module] ?? [] where !seen.contains(dependency) {
                throw HermitError("\(config.name): module '\(module)' needs '\(dependency)', which 'modules' does not list")
            }
        }
        for dependency in app.dependencies where !seen.contains(dependency) {
            throw HermitError("\(config.name): app '\(config.app)' uses module '\(dependency)', which 'modules' does not list")
        }
    }
}
