import BackgroundTasks
import PhanAnhCore
import SwiftUI
import UserNotifications

/// The app: one core for the process, four screens, background sync.
@main
struct PhanAnhApp: App {
    @StateObject private var model = AppModel()
    @Environment(\.scenePhase) private var phase

    init() {
        // Registered before the app finishes launching, as BGTaskScheduler requires.
        BackgroundSync.register()
        UNUserNotificationCenter.current().delegate = Notifier.delegate
    }

    var body: some Scene {
        WindowGroup {
            ReportsView().environmentObject(model)
        }
        .onChange(of: phase) { next in
            switch next {
            case .active: model.startLiveSync()
            case .background:
                model.stopLiveSync()
                BackgroundSync.schedule()
            default: break
            }
        }
    }
}

/// Sync while the app is away: `BGAppRefreshTask`, which iOS runs when it
/// sees fit and only with a network. The identifier is in Info.plist
/// (`BGTaskSchedulerPermittedIdentifiers`).
enum BackgroundSync {
    static let identifier = "vn.phananh.app.sync"

    static func register() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            guard let task = task as? BGAppRefreshTask else { return }
            schedule() // the next one
            let work = Task {
                let core = await MainActor.run { AppModel.shared?.core }
                let summary = try? await core?.syncOnce()
                // What the district did, told without opening the app.
                if let core { Notifier.showPending(core: core) }
                let again = summary.map { $0.offline || $0.retrying > 0 } ?? true
                task.setTaskCompleted(success: !again)
            }
            task.expirationHandler = { work.cancel() }
        }
    }

    static func schedule() {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }
}
