import Foundation
import Network
import PhanAnhCore

/// Holds the core, the settings and the sync line (the core's words); screens observe it.
@MainActor
final class AppModel: ObservableObject {
    /// For the background task, which has no view to reach the model through.
    static weak var shared: AppModel?

    private(set) var core: PhanAnh
    @Published private(set) var texts: UiTexts
    @Published private(set) var settings: Settings
    /// Bumped whenever the core's data may have changed (sync, settings).
    @Published private(set) var revision = 0
    @Published private(set) var syncLine = ""
    @Published private(set) var offline = false
    /// Where a tapped notification leads (the reports screen shows it).
    @Published var opened: Opened?

    enum Opened: Hashable {
        case report(String)
        case following
    }

    private var syncTask: SyncTask?
    private let monitor = NWPathMonitor()

    init() {
        let core = AppModel.open()
        self.core = core
        self.settings = core.settings()
        self.texts = core.texts()
        AppModel.shared = self
        monitor.pathUpdateHandler = { [weak self] path in
            Task { @MainActor in self?.setOnline(path.status == .satisfied) }
        }
        monitor.start(queue: DispatchQueue(label: "network"))
        refreshLine()
    }

    /// The simulator shares the Mac's network: debug builds use the demo
    /// server on the laptop; release builds the district's.
    private static let defaultServer: String = {
        #if DEBUG
        return "http://127.0.0.1:8080"
        #else
        return "https://phananh.doluong.nghean.gov.vn"
        #endif
    }()

    /// The core on the app's directory; settings (language, server,
    /// volunteer mode) live in it.
    private static func open() -> PhanAnh {
        let dir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("core", isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = Config(dataDir: dir.path, defaultServerUrl: defaultServer,
                            deviceLocale: Locale.preferredLanguages.first, userAgentSuffix: "iOS")
        // Only a damaged data directory can fail here; nothing else to fall back to.
        return try! PhanAnh(config: config, secrets: KeychainSecretStore())
    }

    /// Save settings; the core's message if the server address is not one.
    /// The core moves a running sync to a new server by itself.
    func apply(_ wanted: Settings) -> String? {
        var problem: String?
        guard let next = coreCall(&problem, { try core.saveSettings(settings: wanted) }) else { return problem }
        settings = next
        texts = core.texts()
        changed()
        return nil
    }

    func startLiveSync() {
        guard syncTask == nil else { return }
        syncTask = core.startSync(listener: Listener(model: self))
    }

    func stopLiveSync() {
        syncTask?.cancel()
        syncTask = nil
    }

    func syncNow() async {
        _ = try? await core.syncOnce()
        changed()
    }

    private func setOnline(_ value: Bool) {
        core.setOnline(online: value)
        changed()
    }

    func changed() {
        revision += 1
        refreshLine()
    }

    /// The line under "my reports", decided by the core.
    private func refreshLine() {
        guard let status = try? core.syncStatus() else { return }
        syncLine = status.text
        offline = status.offline
    }

    /// The core calls this from its own thread.
    private final class Listener: SyncListener, @unchecked Sendable {
        weak var model: AppModel?
        init(model: AppModel) { self.model = model }
        func onEvent(event: SyncEvent) {
            Task { @MainActor [weak model] in model?.changed() }
        }
    }
}

/// Run a core call; on failure `problem` gets the core's message and the result is nil.
func coreCall<T>(_ problem: inout String?, _ call: () throws -> T) -> T? {
    do {
        let value = try call()
        problem = nil
        return value
    } catch let e as PhanAnhError {
        problem = e.message
    } catch {
        problem = error.localizedDescription
    }
    return nil
}

extension PhanAnhError {
    /// Every core error carries a message for people, in the current language.
    var message: String {
        switch self {
        case let .Validation(_, detail), let .PhotoRejected(_, detail), let .NotFound(detail),
             let .NotEditable(detail), let .Offline(detail), let .Server(detail), let .Storage(detail),
             let .Internal(detail):
            return detail
        }
    }
}
