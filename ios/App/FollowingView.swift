import PhanAnhCore
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

    var body: some View {
        let t = app.texts
        List {
            if let problem { Text(problem).foregroundColor(.red) }
            Section {
                TextField(t.enterCode, text: $code).textInputAutocapitalization(.characters)
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
        .onChange(of: app.revision) { _ in load() }
    }

    private func load() {
        list = coreCall(&problem) { try app.core.following() } ?? []
    }

    private func follow(meToo: Bool) {
        if coreCall(&problem, { try app.core.follow(trackingCode: code, meToo: meToo, photoPaths: []) }) != nil {
            Notifier.askIfNeeded()
            app.changed()
        }
        load()
    }
}
