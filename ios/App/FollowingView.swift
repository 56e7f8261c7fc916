import PhanAnhCore
import PhotosUI
import SwiftUI

/// Reports the resident follows ("Quan tâm"), and a field to follow one by
/// its tracking code; "I see it too" adds weight in the district's queue.
/// Never shows who reported.
@MainActor
struct FollowingView: View {
    @EnvironmentObject var app: AppModel
    @State var code = ""
    @State private var list: [FollowedView] = []
    @State private var problem: String?
    @State private var picked: [PhotosPickerItem] = []
    @State private var photoPaths: [String] = []

    var body: some View {
        let t = app.texts
        List {
            if let problem { Text(problem).foregroundColor(.red) }
            Section {
                TextField(t.enterCode, text: $code).textInputAutocapitalization(.characters)
                // "I see it too", optionally with a photo (only the district's staff see it).
                PhotosPicker("\(t.choosePhoto) (\(photoPaths.count))", selection: $picked, matching: .images)
                HStack {
                    Button(t.follow) { follow(meToo: false) }.frame(minHeight: 48)
                    Button(t.meToo) { follow(meToo: true) }.frame(minHeight: 48)
                }
            }
            ForEach(list, id: \.trackingCode) { f in
                VStack(alignment: .leading) {
                    Text([f.trackingCode, f.statusLabel ?? f.stateLabel].joined(separator: " · ")).bold()
                    if let line = f.handlingLine { Text(line).font(.footnote) }
                    if let followers = f.followersLabel { Text(followers).font(.footnote) }
                    if let reply = f.lastReply {
                        Text(t.officialReply).font(.caption).foregroundColor(.secondary)
                        Text(reply)
                    }
                }
                .accessibilityElement(children: .combine)
            }
        }
        .navigationTitle(t.following)
        .onAppear(perform: load)
        .onChange(of: picked) { items in
            Task {
                var data: [Data] = []
                for item in items { if let d = try? await item.loadTransferable(type: Data.self) { data.append(d) } }
                photoPaths += PickedPhotos.files(from: data)
                picked = []
            }
        }
        .onChange(of: app.revision) { _ in load() }
    }

    private func load() {
        list = coreCall(&problem) { try app.core.following() } ?? []
    }

    private func follow(meToo: Bool) {
        let paths = photoPaths
        if coreCall(&problem, { try app.core.follow(trackingCode: code, meToo: meToo, photoPaths: paths) }) != nil {
            PickedPhotos.remove(paths)
            photoPaths = []
            Notifier.askIfNeeded()
            app.changed()
        }
        load()
    }
}
