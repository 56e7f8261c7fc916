import PhanAnhCore
import SwiftUI

/// Language, the server address (for testers) and volunteer mode.
@MainActor
struct SettingsView: View {
    @EnvironmentObject var app: AppModel
    @Environment(\.dismiss) private var dismiss
    @State private var language = Language.vi
    @State private var serverUrl = ""
    @State private var volunteerMode = false
    @State private var problem: String?
    @State private var dataUsed = ""

    var body: some View {
        let t = app.texts
        Form {
            if let problem { Text(problem).foregroundColor(.red) }
            Picker(t.language, selection: $language) {
                Text("Tiếng Việt").tag(Language.vi)
                Text("English").tag(Language.en)
            }
            Toggle(t.volunteerMode, isOn: $volunteerMode)
            // "Tháng này đã dùng 12,3 MB dữ liệu", for prepaid plans.
            if !dataUsed.isEmpty { Text(dataUsed).font(.footnote).foregroundColor(.secondary) }
            Section(t.serverUrl) {
                TextField("http://127.0.0.1:8080", text: $serverUrl)
                    .keyboardType(.URL)
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
            }
            Button(t.save) {
                problem = app.apply(Settings(language: language, serverUrl: serverUrl, volunteerMode: volunteerMode))
                if problem == nil { dismiss() }
            }
        }
        .navigationTitle(t.settings)
        .onAppear {
            language = app.settings.language
            serverUrl = app.settings.serverUrl
            volunteerMode = app.settings.volunteerMode
            dataUsed = (try? app.core.dataUsedThisMonth()) ?? ""
        }
    }
}
