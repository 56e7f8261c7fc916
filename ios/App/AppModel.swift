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

    private var syncTask: SyncTask?
    private let monitor = NWPathMonitor()

    init() {
        let settings = Settings.load()
        self.settings = settings
        let core = AppModel.open(settings)
        self.core = core
        self.texts = core.texts()
        AppModel.shared = self
        monitor.pathUpdateHandler = { [weak self] path in
            Task { @MainActor in self?.setOnline(path.status == .satisfied) }
        }
        monitor.start(queue: DispatchQueue(label: "network"))
        refreshLine()
    }

    private static func open(_ s: Settings) -> PhanAnh {
        let dir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("core", isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = Config(dataDir: dir.path, serverUrl: s.serverUrl, language: s.language)
        do {
            return try PhanAnh(config: config, secrets: KeychainSecretStore())
        } catch {
            // A bad server address from settings: fall back to the default one.
            let fallback = Config(dataDir: dir.path, serverUrl: Settings.defaultServer, language: s.language)
            return try! PhanAnh(config: fallback, secrets: KeychainSecretStore())
        }
    }

    /// Save settings; the core's message if the server address is not one.
    func apply(_ wanted: Settings) -> String? {
        var problem: String?
        guard let next = coreCall(&problem, { try wanted.save() }) else { return problem }
        let reopen = next.serverUrl != settings.serverUrl
        settings = next
        if reopen {
            stopLiveSync()
            core = AppModel.open(next)
            startLiveSync()
        }
        core.setLanguage(language: next.language)
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

/// Language (the device's until chosen), server address (testers), volunteer mode.
struct Settings: Equatable {
    static let defaultServer: String = {
        #if DEBUG
        // The simulator shares the Mac's network: the demo server on the laptop.
        return "http://127.0.0.1:8080"
        #else
        return "https://phananh.doluong.nghean.gov.vn"
        #endif
    }()

    var language: Language
    var serverUrl: String
    var volunteerMode: Bool

    static func load() -> Settings {
        let d = UserDefaults.standard
        let chosen: Language? = d.string(forKey: "language").map { $0 == "vi" ? .vi : .en }
        return Settings(
            language: chosen ?? languageForLocale(locale: Locale.preferredLanguages.first ?? ""),
            serverUrl: d.string(forKey: "server_url") ?? defaultServer,
            volunteerMode: d.bool(forKey: "volunteer_mode")
        )
    }

    /// Store; returns what was stored (the address as the core writes it;
    /// empty is the default). Throws the core's error for a bad address.
    func save() throws -> Settings {
        let typed = serverUrl.trimmingCharacters(in: .whitespaces)
        let url = try normalizeServerUrl(url: typed.isEmpty ? Settings.defaultServer : typed, language: language)
        let saved = Settings(language: language, serverUrl: url, volunteerMode: volunteerMode)
        let d = UserDefaults.standard
        d.set(language == .vi ? "vi" : "en", forKey: "language")
        d.set(saved.serverUrl, forKey: "server_url")
        d.set(volunteerMode, forKey: "volunteer_mode")
        return saved
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
