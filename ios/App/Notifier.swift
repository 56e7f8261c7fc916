import Foundation
import PhanAnhCore
import UserNotifications

/// Shows what the core decided deserves a notification after a sync: one
/// per report (its key is the request identifier, so a newer one replaces
/// the older), in one thread, tapping opens the report. The text, grouping
/// and choice are the core's.
enum Notifier {
    /// Routes taps to the report; set as the centre's delegate at launch.
    static let delegate = TapHandler()

    final class TapHandler: NSObject, UNUserNotificationCenterDelegate {
        func userNotificationCenter(_ center: UNUserNotificationCenter,
                                    didReceive response: UNNotificationResponse,
                                    withCompletionHandler done: @escaping () -> Void) {
            let id = response.notification.request.content.userInfo["report_id"] as? String ?? ""
            Task { @MainActor in
                AppModel.shared?.opened = id.isEmpty ? .following : .report(id)
                done()
            }
        }
    }

    /// Ask once, at a moment it matters (a report just sent or followed).
    static func askIfNeeded() {
        let center = UNUserNotificationCenter.current()
        center.getNotificationSettings { settings in
            guard settings.authorizationStatus == .notDetermined else { return }
            center.requestAuthorization(options: [.alert, .sound, .badge]) { _, _ in }
        }
    }

    /// Take the core's pending notifications and hand them to the system.
    static func showPending(core: PhanAnh) {
        UNUserNotificationCenter.current().getNotificationSettings { settings in
            // Left with the core until the resident allows them.
            guard settings.authorizationStatus == .authorized else { return }
            guard let pending = try? core.takeNotifications() else { return }
            for n in pending {
                let content = UNMutableNotificationContent()
                content.title = n.title
                content.body = n.body
                content.threadIdentifier = n.group
                // Tapping opens the report (one's own) or the followed list.
                content.userInfo = ["report_id": n.reportId ?? "", "tracking_code": n.trackingCode]
                let request = UNNotificationRequest(identifier: n.key, content: content, trigger: nil)
                UNUserNotificationCenter.current().add(request)
            }
        }
    }
}

/// Photos for a reopen or an "I see it too": picked from the library and
/// written to temporary files, whose paths the core takes (it keeps its own
/// compressed copies; the files are removed after).
enum PickedPhotos {
    static func files(from items: [Data]) -> [String] {
        items.compactMap { data in
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("pick-\(UUID().uuidString).img")
            return (try? data.write(to: url)) != nil ? url.path : nil
        }
    }

    static func remove(_ paths: [String]) {
        paths.forEach { try? FileManager.default.removeItem(atPath: $0) }
    }
}
