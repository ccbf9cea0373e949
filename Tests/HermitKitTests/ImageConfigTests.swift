import Testing
@testable import HermitKit

@Suite("Image configs")
struct ImageConfigTests {
    @Test func parsesEveryKey() throws {
        let config = try ImageConfig.parse("""
            # a comment
            app = "hello"   # trailing comment
            modules = ["X86", "Boot"]
            memory = "2M"
            cpus = 2
            cmdline = "a=b # not a comment"
            timeout = 1_0
            optimize = "speed"
            panic_messages = false
            qemu_args = ["-device", "virtio-net-pci"]
            """, name: "demo")
        #expect(config.name == "demo" && config.app == "hello")
        #expect(config.modules == ["X86", "Boot"])
        #expect(config.memoryKiB == 2048 && config.cpus == 2)
        #expect(config.commandLine == "a=b # not a comment")
        #expect(config.timeoutSeconds == 10)
        #expect(!config.optimizeForSize && !config.panicMessages)
        #expect(config.qemuArguments == ["-device", "virtio-net-pci"])
    }

    @Test func defaultsAreSensible() throws {
        let config = try ImageConfig.parse("app = \"hello\"\nmodules = [\"X86\", \"Boot\"]", name: "x")
        #expect(config.memoryKiB == 65536 && config.cpus == 1 && config.optimizeForSize && config.panicMessages)
        #expect(ImageConfig.parseMemory("1G") == 1 << 20)
        #expect(ImageConfig.parseMemory("1280K") == 1280)
        #expect(ImageConfig.parseMemory("0M") == nil)
        #expect(ImageConfig.parseMemory("12T") == nil)
    }

    @Test(arguments: [
        ("modules = [\"X86\"]", "no 'app' (or 'executable') given"),
        ("app = \"hello\"", "no 'modules' given"),
        ("app = \"hello\"\nmodules = []\ncolour = \"red\"", "x.toml:3: unknown key 'colour'"),
        ("app = \"hello\"\napp = \"crash\"", "x.toml:2: 'app' is set twice"),
        ("app = hello", "x.toml:1: cannot read the value 'hello'"),
        ("app = \"hello", "x.toml:1: unterminated string"),
        ("just words", "x.toml:1: expected 'key = value'"),
        ("app = \"a\"\nmodules = [\"X86\"]\ncpus = 0", "'cpus' must be an integer in 1...64"),
        ("app = \"a\"\nmodules = [\"X86\"]\nmemory = \"lots\"", "'memory' must look like"),
        ("app = \"a\"\nmodules = \"X86\"", "'modules' must be an array of strings"),
        ("app = \"a\"\nmodules = [\"X86\" \"Boot\"]", "expected ',' between array items"),
    ])
    func malformedConfigsAreRefusedWithTheLine(text: String, message: String) {
        #expect {
            _ = try ImageConfig.parse(text, name: "x")
        } throws: { error in
            (error as? HermitError)?.description.contains(message) == true
        }
    }
}

@Suite("Validating configs against the package's modules")
struct ModuleCatalogTests {
    let catalog = ModuleCatalog(
        modules: ["X86": [], "Boot": ["X86"], "Alloc": ["X86", "Boot"], "Paging": ["Alloc", "X86"]],
        apps: ["hello": .init(target: "Hello", dependencies: ["Boot", "X86"]),
               "pager": .init(target: "Pager", dependencies: ["Paging", "Boot"])])

    func config(app: String = "hello", _ modules: [String]) -> ImageConfig {
        ImageConfig(name: "t", app: app, modules: modules)
    }

    func message(_ config: ImageConfig) -> String? {
        do { try catalog.validate(config); return nil } catch { return error.description }
    }

    @Test func acceptsACompleteConfig() {
        #expect(message(config(["X86", "Boot"])) == nil)
        #expect(message(config(app: "pager", ["X86", "Boot", "Alloc", "Paging"])) == nil)
    }

    @Test func namesTheProblem() {
        #expect(message(config(app: "nope", ["X86", "Boot"])) == "t: unknown app 'nope' (no target under Apps/nope; apps: hello, pager)")
        #expect(message(config(["X86", "Boot", "Net"])) == "t: unknown module 'Net' (modules: Alloc, Boot, Paging, X86)")
        #expect(message(config(["X86"])) == "t: every image needs module 'Boot'; add it to 'modules'")
        #expect(message(config(["X86", "Boot", "Paging"])) == "t: module 'Paging' needs 'Alloc', which 'modules' does not list")
        #expect(message(config(app: "pager", ["X86", "Boot"])) == "t: app 'pager' uses module 'Paging', which 'modules' does not list")
        #expect(message(config(["X86", "Boot", "X86"])) == "t: module 'X86' is listed twice")
    }

    @Test func readsModulesAndAppsFromThePackageDescription() throws {
        let json = """
            {"name": "SwiftyHermit", "targets": [
              {"name": "X86Shim", "path": "Libs/X86/Shim", "dependencies": []},
              {"name": "X86", "path": "Libs/X86/Sources", "dependencies": [{"byName": ["X86Shim", null]}]},
              {"name": "Boot", "path": "Libs/Boot/Sources", "dependencies": [{"byName": ["X86", null]}, {"byName": ["BootEntry", null]}]},
              {"name": "BootEntry", "path": "Libs/Boot/Entry", "dependencies": []},
              {"name": "Hello", "path": "Apps/hello", "dependencies": [{"byName": ["Boot", null]}]},
              {"name": "HermitKit", "path": "Tools/HermitKit", "dependencies": []}
            ]}
            """
        let parsed = try ModuleCatalog.fromPackageDump(Data(json.utf8))
        #expect(parsed.modules == ["X86": [], "Boot": ["X86"]])
        #expect(parsed.apps == ["hello": .init(target: "Hello", dependencies: ["Boot"])])
    }

    @Test func generatesACompositionRootThatImportsExactlyTheModules() {
        let root = ImageBuilder.compositionRoot(for: config(["X86", "Boot"]), app: .init(target: "Hello", dependencies: []), startOrder: [])
        #expect(root.contains("import Boot\nimport X86\nimport Hello"))
        #expect(root.contains("var kernel = Kernel.start()\n        Kernel.run(Hello.App.self, kernel)"))
        #expect(!root.contains("import Alloc"))
    }

    @Test func imagesOfTheSameModulesShareOneCompositionRoot() {
        let hello = ModuleCatalog.App(target: "Hello", dependencies: [])
        let first = ImageBuilder.compositionRoot(for: ImageConfig(name: "run-one", app: "hello", modules: ["X86", "Boot"]), app: hello, startOrder: [])
        let second = ImageBuilder.compositionRoot(for: ImageConfig(name: "run-two", app: "hello", modules: ["X86", "Boot"]), app: hello, startOrder: [])
        #expect(first == second, "a new name alone must not recompile the image")
        let other = ImageBuilder.compositionRoot(for: config(["X86", "Boot", "Alloc"]), app: hello, startOrder: ["Alloc"])
        #expect(first != other)
    }

    @Test func startsModulesAfterTheirDependencies() {
        #expect(catalog.startOrder(of: ["X86", "Paging", "Boot", "Alloc"]) == ["Alloc", "Paging"])
        var withoutAllocStartup = catalog
        withoutAllocStartup.modulesWithStartup = ["Paging"]
        #expect(withoutAllocStartup.startOrder(of: ["X86", "Paging", "Boot", "Alloc"]) == ["Paging"])
        let root = ImageBuilder.compositionRoot(for: config(app: "pager", ["X86", "Boot", "Alloc", "Paging"]),
                                                app: .init(target: "Pager", dependencies: []), startOrder: ["Alloc", "Paging"])
        #expect(root.contains("AllocModule.start(&kernel)\n        PagingModule.start(&kernel)\n        Kernel.run(Pager.App.self, kernel)"))
    }
}

import Foundation
