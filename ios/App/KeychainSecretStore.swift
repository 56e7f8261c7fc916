import Foundation
import PhanAnhCore
import Security

/// The core's secrets (the device token) in the Keychain, readable only
/// after the first unlock (background sync runs then) and never synced or
/// backed up to another device.
final class KeychainSecretStore: SecretStore, @unchecked Sendable {
    private let service = "vn.phananh.app.core"

    private func query(_ key: String) -> [String: Any] {
        [kSecClass as String: kSecClassGenericPassword,
         kSecAttrService as String: service,
         kSecAttrAccount as String: key]
    }

    func get(key: String) throws -> String? {
        var q = query(key)
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &item)
        guard status == errSecSuccess, let data = item as? Data else { return nil }
        return String(data: data, encoding: .utf8)
    }

    func set(key: String, value: String) throws {
        let data = Data(value.utf8)
        let update = [kSecValueData as String: data]
        var status = SecItemUpdate(query(key) as CFDictionary, update as CFDictionary)
        if status == errSecItemNotFound {
            var add = query(key)
            add[kSecValueData as String] = data
            add[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
            status = SecItemAdd(add as CFDictionary, nil)
        }
        guard status == errSecSuccess else {
            throw PhanAnhError.Storage(detail: "Keychain \(status)")
        }
    }

    func remove(key: String) throws {
        SecItemDelete(query(key) as CFDictionary)
    }
}
