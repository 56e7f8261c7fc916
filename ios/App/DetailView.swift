import PhanAnhCore
import PhotosUI
import SwiftUI

/// One report: tracking code, status history with official replies, photos, share.
@MainActor
struct DetailView: View {
    @EnvironmentObject var app: AppModel
    let reportId: String
    @State private var report: ReportView?
    @State private var problem: String?
    @State private var comment = ""
    @State private var forNeighbour = false
    @State private var reason = ""
    @State private var picked: [PhotosPickerItem] = []
    @State private var photoPaths: [String] = []

    var body: some View {
        let t = app.texts
        List {
            if let problem { Text(problem).foregroundColor(.red) }
            if let r = report {
                Section {
                    Text(r.categoryName ?? t.chooseCategory).font(.title3).bold()
                    Text(t.trackingCode).font(.caption)
                    Text(r.trackingCode ?? "—").font(.system(size: 34, weight: .bold, design: .monospaced))
                    if r.trackingCode == nil { Text(t.codeAfterSync).font(.footnote) }
                    Text([r.stateLabel, r.statusLabel].compactMap { $0 }.joined(separator: " · "))
                    // The unit and deadline, in one line written by the core.
                    if let line = r.handlingLine { Text(line) }
                    if let reason = r.attentionReason {
                        Text(reason).foregroundColor(.red)
                        Button(t.retry) { act { try app.core.retry(reportId: r.id) } }
                    }
                    Text(r.description)
                    if let address = r.address { Text(address).font(.footnote) }
                    // "Đã dùng 2,4 MB dữ liệu", for prepaid plans.
                    if let used = r.dataUsedLabel { Text(used).font(.footnote).foregroundColor(.secondary) }
                }
                if !r.photos.isEmpty {
                    ScrollView(.horizontal) {
                        HStack {
                            ForEach(r.photos, id: \.id) { p in
                                if let image = UIImage(contentsOfFile: p.thumbnailPath ?? p.path) {
                                    Image(uiImage: image).resizable().scaledToFill().frame(width: 96, height: 96).clipped()
                                }
                            }
                        }
                    }
                }
                Section(t.history) {
                    ForEach(Array(r.history.enumerated()), id: \.offset) { _, h in
                        VStack(alignment: .leading) {
                            Text("\(h.statusLabel) — \(h.atRelative)").bold()
                            if let reply = h.reply {
                                Text(t.officialReply).font(.caption).foregroundColor(.secondary)
                                Text(reply)
                            }
                        }
                    }
                }
                // After the answer: rate it, or say it is not fixed (the core decides which).
                if let line = r.ratingLine { Text(line) }
                if let line = r.reopenLine { Text(line) }
                if r.canRate {
                    Section(t.rateAnswer) {
                        TextField(t.ratingComment, text: $comment, axis: .vertical)
                        if r.canRateForNeighbour { Toggle(t.rateForNeighbour, isOn: $forNeighbour) }
                        ForEach([(RatingScore.satisfied, t.scoreSatisfied), (.acceptable, t.scoreAcceptable),
                                 (.notSatisfied, t.scoreNotSatisfied)], id: \.1) { score, label in
                            Button(label) {
                                act { try app.core.rate(reportId: r.id, score: score,
                                                        comment: comment.isEmpty ? nil : comment, onBehalf: forNeighbour) }
                            }
                            .frame(minHeight: 48)
                        }
                    }
                }
                if r.canReopen, let label = r.reopenLabel {
                    Section {
                        TextField(t.reopenReason, text: $reason, axis: .vertical)
                        PhotosPicker("\(t.choosePhoto) (\(photoPaths.count))", selection: $picked, matching: .images)
                        Button(label) {
                            let paths = photoPaths
                            act { try app.core.reopen(reportId: r.id, reason: reason, photoPaths: paths) }
                            if problem == nil { PickedPhotos.remove(paths); photoPaths = [] }
                        }
                        .frame(minHeight: 48)
                    }
                }
                if let url = r.publicUrl.flatMap(URL.init(string:)) {
                    ShareLink(t.share, item: url, message: Text("\(t.shareText) \(r.trackingCode ?? "")"))
                }
            }
        }
        .navigationTitle(report?.trackingCode ?? t.appName)
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
        act { try app.core.getReport(reportId: reportId) }
    }

    private func act(_ call: () throws -> ReportView) {
        if let fresh = coreCall(&problem, call) { report = fresh }
    }
}
