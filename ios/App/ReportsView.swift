import PhanAnhCore
import SwiftUI

/// "My reports": drafts, waiting, sent (code and status), needing attention; the sync line.
@MainActor
struct ReportsView: View {
    @EnvironmentObject var app: AppModel
    @State private var search = ""
    @State private var rows: [ReportRow] = []
    @State private var problem: String?

    var body: some View {
        let t = app.texts
        NavigationStack {
            List {
                Section {
                    HStack {
                        Text(app.syncLine).font(.footnote).foregroundColor(app.offline ? .orange : .secondary)
                        Spacer()
                        Button(t.syncNow) { Task { await app.syncNow() } }.font(.footnote)
                    }
                    NavigationLink(t.newReport) { EditorView(reportId: nil) }
                }
                if let problem { Text(problem).foregroundColor(.red) }
                if rows.isEmpty { Text(t.noReports).foregroundColor(.secondary) }
                ForEach(rows, id: \.id) { row in
                    NavigationLink {
                        switch row.state {
                        case .draft, .needsAttention: EditorView(reportId: row.id)
                        default: DetailView(reportId: row.id)
                        }
                    } label: {
                        ReportRowView(row: row, texts: t)
                    }
                }
            }
            .searchable(text: $search)
            .navigationTitle(t.myReports)
            .toolbar {
                NavigationLink(t.following) { FollowingView() }
                NavigationLink(t.settings) { SettingsView() }
            }
            // A tapped notification: its report, or the followed list.
            .navigationDestination(item: $app.opened) { target in
                switch target {
                case let .report(id): DetailView(reportId: id)
                case .following: FollowingView()
                }
            }
        }
        .onAppear(perform: load)
        .onChange(of: app.revision) { _ in load() }
        .onChange(of: search) { _ in load() }
    }

    private func load() {
        let q = search.trimmingCharacters(in: .whitespaces)
        let filter = ListFilter(search: q.isEmpty ? nil : q, limit: 100)
        if let page = coreCall(&problem, { try app.core.listReports(filter: filter) }) { rows = page.items }
    }
}

private struct ReportRowView: View {
    let row: ReportRow
    let texts: UiTexts

    var body: some View {
        HStack(alignment: .top) {
            if let path = row.thumbnailPath, let image = UIImage(contentsOfFile: path) {
                Image(uiImage: image).resizable().scaledToFill().frame(width: 56, height: 56).clipped()
            }
            VStack(alignment: .leading, spacing: 2) {
                Text(row.categoryName ?? texts.chooseCategory).bold()
                Text([row.stateLabel, row.trackingCode, row.statusLabel].compactMap { $0 }.joined(separator: " · "))
                    .font(.subheadline)
                    .foregroundColor(row.state == .needsAttention ? .red : .secondary)
                if let note = row.attentionReason ?? row.lastReply { Text(note).font(.subheadline) }
                Text(row.updatedRelative).font(.caption).foregroundColor(.secondary)
            }
        }
    }
}
